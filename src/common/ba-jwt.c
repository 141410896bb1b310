/* ba-jwt.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-jwt"

#include "config.h"

#include <string.h>

#include "ba-error.h"
#include "ba-jwt.h"

/* Real session tokens are a few hundred bytes. The limits keep hostile
 * input from costing much memory, and from driving json-glib's recursive
 * parser deep enough to exhaust the stack. */
#define MAX_TOKEN_LENGTH (64 * 1024)
#define MAX_JSON_DEPTH   64

#define HS256_DIGEST_LENGTH 32

static const char hs256_header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

static char *
base64url_encode (const guint8 *data,
                  gsize         len)
{
  char *text = g_base64_encode (data, len);
  gsize out = 0;

  for (gsize i = 0; text[i] != '\0'; i++)
    {
      if (text[i] == '=')
        break;
      else if (text[i] == '+')
        text[out++] = '-';
      else if (text[i] == '/')
        text[out++] = '_';
      else
        text[out++] = text[i];
    }
  text[out] = '\0';

  return text;
}

static gboolean
is_base64url_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

/* Decodes @len bytes of base64url at @text, with or without '=' padding.
 * Returns NULL if anything but the base64url alphabet shows up. The result
 * has a nul byte after @out_len bytes so it can be handed to a parser. */
static guint8 *
base64url_decode (const char *text,
                  gsize       len,
                  gsize      *out_len)
{
  g_autofree char *standard = NULL;
  guint8 *data;
  gsize decoded_len = 0;
  gsize i;

  /* Up to two padding characters may end a part. */
  for (i = 0; i < 2 && len > 0 && text[len - 1] == '='; i++)
    len--;

  /* A single leftover character carries only six bits: no byte. */
  if (len % 4 == 1)
    return NULL;

  standard = g_malloc (len + 4);
  for (i = 0; i < len; i++)
    {
      if (!is_base64url_char (text[i]))
        return NULL;

      if (text[i] == '-')
        standard[i] = '+';
      else if (text[i] == '_')
        standard[i] = '/';
      else
        standard[i] = text[i];
    }
  while (i % 4 != 0)
    standard[i++] = '=';
  standard[i] = '\0';

  if (i == 0)
    {
      data = g_malloc0 (1);
    }
  else
    {
      data = g_base64_decode (standard, &decoded_len);
      data = g_realloc (data, decoded_len + 1);
      data[decoded_len] = '\0';
    }

  *out_len = decoded_len;
  return data;
}

/* TRUE if brackets in @text never nest deeper than MAX_JSON_DEPTH. Brackets
 * inside strings do not count. Anything else is left to the parser. */
static gboolean
json_depth_ok (const char *text,
               gsize       len)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        {
          in_string = TRUE;
        }
      else if (c == '{' || c == '[')
        {
          if (++depth > MAX_JSON_DEPTH)
            return FALSE;
        }
      else if ((c == '}' || c == ']') && depth > 0)
        {
          depth--;
        }
    }

  return TRUE;
}

/* Decodes one base64url part and parses it as a JSON object. */
static JsonObject *
decode_object (const char *text,
               gsize       len)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autofree guint8 *data = NULL;
  gsize data_len = 0;
  JsonNode *root;

  data = base64url_decode (text, len, &data_len);
  if (data == NULL || data_len == 0)
    return NULL;

  if (!g_utf8_validate_len ((const char *) data, data_len, NULL) ||
      !json_depth_ok ((const char *) data, data_len))
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, (const char *) data, data_len, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return json_object_ref (json_node_get_object (root));
}

/* Splits @token into its three parts. The lengths exclude the dots. */
static gboolean
split_token (const char  *token,
             const char **parts,
             gsize       *lengths)
{
  const char *first_dot;
  const char *second_dot;
  gsize len;

  len = strnlen (token, MAX_TOKEN_LENGTH + 1);
  if (len > MAX_TOKEN_LENGTH)
    return FALSE;

  first_dot = memchr (token, '.', len);
  if (first_dot == NULL)
    return FALSE;

  second_dot = memchr (first_dot + 1, '.', len - (first_dot + 1 - token));
  if (second_dot == NULL)
    return FALSE;

  if (memchr (second_dot + 1, '.', len - (second_dot + 1 - token)) != NULL)
    return FALSE;

  parts[0] = token;
  lengths[0] = first_dot - token;
  parts[1] = first_dot + 1;
  lengths[1] = second_dot - parts[1];
  parts[2] = second_dot + 1;
  lengths[2] = len - (parts[2] - token);

  return TRUE;
}

static void
hs256 (const guint8 *secret,
       gsize         secret_len,
       const char   *data,
       gsize         data_len,
       guint8        digest[HS256_DIGEST_LENGTH])
{
  g_autoptr(GHmac) hmac = NULL;
  gsize digest_len = HS256_DIGEST_LENGTH;

  hmac = g_hmac_new (G_CHECKSUM_SHA256, secret, secret_len);
  g_hmac_update (hmac, (const guint8 *) data, data_len);
  g_hmac_get_digest (hmac, digest, &digest_len);
  g_assert (digest_len == HS256_DIGEST_LENGTH);
}

char *
ba_jwt_encode_hs256 (JsonObject   *claims,
                     const guint8 *secret,
                     gsize         secret_len)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *payload_json = NULL;
  g_autofree char *header_part = NULL;
  g_autofree char *payload_part = NULL;
  g_autofree char *signature_part = NULL;
  g_autofree char *signing_input = NULL;
  guint8 digest[HS256_DIGEST_LENGTH];

  g_return_val_if_fail (claims != NULL, NULL);
  g_return_val_if_fail (secret != NULL || secret_len == 0, NULL);

  node = json_node_init_object (json_node_alloc (), claims);
  payload_json = json_to_string (node, FALSE);

  header_part = base64url_encode ((const guint8 *) hs256_header, strlen (hs256_header));
  payload_part = base64url_encode ((const guint8 *) payload_json, strlen (payload_json));
  signing_input = g_strconcat (header_part, ".", payload_part, NULL);

  hs256 (secret, secret_len, signing_input, strlen (signing_input), digest);
  signature_part = base64url_encode (digest, sizeof digest);

  return g_strconcat (signing_input, ".", signature_part, NULL);
}

static gboolean
invalid_token (GError     **error,
               const char  *message)
{
  g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_TOKEN, message);
  return FALSE;
}

JsonObject *
ba_jwt_decode (const char    *token,
               const guint8  *secret,
               gsize          secret_len,
               GError       **error)
{
  g_autoptr(JsonObject) header = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autofree guint8 *signature = NULL;
  const char *parts[3];
  gsize lengths[3];
  gsize signature_len = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (token == NULL || !split_token (token, parts, lengths))
    {
      invalid_token (error, "Malformed token");
      return NULL;
    }

  header = decode_object (parts[0], lengths[0]);
  if (header == NULL)
    {
      invalid_token (error, "Malformed token header");
      return NULL;
    }

  claims = decode_object (parts[1], lengths[1]);
  if (claims == NULL)
    {
      invalid_token (error, "Malformed token payload");
      return NULL;
    }

  signature = base64url_decode (parts[2], lengths[2], &signature_len);
  if (signature == NULL)
    {
      invalid_token (error, "Malformed token signature");
      return NULL;
    }

  if (secret != NULL)
    {
      JsonNode *alg = json_object_get_member (header, "alg");
      guint8 expected[HS256_DIGEST_LENGTH];
      guint8 diff = 0;

      /* Only the algorithm we sign with is accepted: trusting the header's
       * choice would let "none" or a different key type through. */
      if (alg == NULL ||
          json_node_get_value_type (alg) != G_TYPE_STRING ||
          g_strcmp0 (json_node_get_string (alg), "HS256") != 0)
        {
          invalid_token (error, "Unsupported token algorithm");
          return NULL;
        }

      if (signature_len != HS256_DIGEST_LENGTH)
        {
          invalid_token (error, "Token signature does not match");
          return NULL;
        }

      /* The signature covers the parts exactly as they were sent. */
      hs256 (secret, secret_len, token, lengths[0] + 1 + lengths[1], expected);

      for (gsize i = 0; i < HS256_DIGEST_LENGTH; i++)
        diff |= expected[i] ^ signature[i];

      if (diff != 0)
        {
          invalid_token (error, "Token signature does not match");
          return NULL;
        }
    }

  return g_steal_pointer (&claims);
}

gboolean
ba_jwt_looks_like_jwt (const char *token)
{
  g_autoptr(JsonObject) header = NULL;
  g_autofree guint8 *data = NULL;
  const char *parts[3];
  gsize lengths[3];
  gsize data_len;

  if (token == NULL || !split_token (token, parts, lengths))
    return FALSE;

  for (guint i = 1; i < 3; i++)
    {
      g_clear_pointer (&data, g_free);
      data = base64url_decode (parts[i], lengths[i], &data_len);
      if (data == NULL)
        return FALSE;
    }

  header = decode_object (parts[0], lengths[0]);
  return header != NULL;
}
