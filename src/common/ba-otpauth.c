/* ba-otpauth.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-otpauth"

#include "config.h"

#include <string.h>

#include "ba-otpauth.h"
#include "ba-base32.h"
#include "ba-error.h"

#define SCHEME "otpauth://"
#define MIN_DIGITS 6
#define MAX_DIGITS 8
#define MAX_PERIOD 3600

/* Common has no libsodium; glibc's explicit_bzero is not optimised away
 * either. */
static void
wipe_string_free (char *text)
{
  if (text == NULL)
    return;

  explicit_bzero (text, strlen (text));
  g_free (text);
}

void
ba_otpauth_free (BaOtpauth *otpauth)
{
  if (otpauth == NULL)
    return;

  g_free (otpauth->issuer);
  g_free (otpauth->account);
  if (otpauth->secret != NULL)
    explicit_bzero (otpauth->secret, otpauth->secret_len);
  g_free (otpauth->secret);
  g_free (otpauth);
}

static const char *
algorithm_name (BaTotpAlgorithm algorithm)
{
  switch (algorithm)
    {
    case BA_TOTP_SHA256:
      return "SHA256";
    case BA_TOTP_SHA512:
      return "SHA512";
    case BA_TOTP_SHA1:
    default:
      return "SHA1";
    }
}

char *
ba_otpauth_build (const char      *issuer,
                  const char      *account,
                  const guint8    *secret,
                  gsize            secret_len,
                  BaTotpAlgorithm  algorithm,
                  guint            digits,
                  guint            period)
{
  g_autofree char *escaped_account = NULL;
  g_autofree char *escaped_issuer = NULL;
  char *key = NULL;
  GString *uri;

  g_return_val_if_fail (account != NULL, NULL);
  g_return_val_if_fail (secret != NULL && secret_len > 0, NULL);
  g_return_val_if_fail (digits >= MIN_DIGITS && digits <= MAX_DIGITS, NULL);
  g_return_val_if_fail (period > 0 && period <= MAX_PERIOD, NULL);

  /* "@" may stay as it is in the label (email addresses read better in
   * apps that show the raw label); everything else outside the unreserved
   * set is escaped, so a colon in the issuer cannot be taken for the
   * separator. */
  escaped_account = g_uri_escape_string (account, "@", FALSE);
  key = ba_base32_encode (secret, secret_len);

  uri = g_string_new (SCHEME "totp/");
  if (issuer != NULL && issuer[0] != '\0')
    {
      escaped_issuer = g_uri_escape_string (issuer, NULL, FALSE);
      g_string_append_printf (uri, "%s:", escaped_issuer);
    }
  g_string_append_printf (uri, "%s?secret=%s", escaped_account, key);
  if (escaped_issuer != NULL)
    g_string_append_printf (uri, "&issuer=%s", escaped_issuer);
  g_string_append_printf (uri, "&algorithm=%s&digits=%u&period=%u",
                          algorithm_name (algorithm), digits, period);

  wipe_string_free (key);

  return g_string_free (uri, FALSE);
}

/* Percent-decodes @text (@len bytes); with @plus_is_space, "+" is a space
 * as in form encoding. NULL for a bad escape, NUL or invalid UTF-8. */
static char *
unescape (const char *text,
          gssize      len,
          gboolean    plus_is_space)
{
  g_autofree char *copy = g_strndup (text, len < 0 ? strlen (text) : (gsize) len);
  char *out;

  if (plus_is_space)
    g_strdelimit (copy, "+", ' ');

  out = g_uri_unescape_string (copy, NULL);
  if (out != NULL && !g_utf8_validate (out, -1, NULL))
    g_clear_pointer (&out, g_free);

  return out;
}

static gboolean
invalid (GError     **error,
         const char  *message)
{
  g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT, message);
  return FALSE;
}

static gboolean
parse_uint (const char *text,
            guint       min,
            guint       max,
            guint      *out_value)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, min, max, &value, NULL))
    return FALSE;

  *out_value = value;
  return TRUE;
}

/* Reads one query parameter into @otpauth. Unknown ones are ignored, as
 * authenticator apps do (some URIs carry "image=" and the like). */
static gboolean
apply_parameter (BaOtpauth   *otpauth,
                 const char  *name,
                 const char  *value,
                 char       **out_issuer,
                 GError     **error)
{
  if (g_ascii_strcasecmp (name, "secret") == 0)
    {
      g_autoptr(GError) local_error = NULL;

      if (otpauth->secret != NULL)
        {
          explicit_bzero (otpauth->secret, otpauth->secret_len);
          g_clear_pointer (&otpauth->secret, g_free);
        }

      otpauth->secret = ba_base32_decode (value, &otpauth->secret_len, &local_error);
      if (otpauth->secret == NULL)
        return invalid (error, "The secret is not valid base32");
    }
  else if (g_ascii_strcasecmp (name, "issuer") == 0)
    {
      g_free (*out_issuer);
      *out_issuer = g_strdup (value);
    }
  else if (g_ascii_strcasecmp (name, "algorithm") == 0)
    {
      if (g_ascii_strcasecmp (value, "SHA1") == 0)
        otpauth->algorithm = BA_TOTP_SHA1;
      else if (g_ascii_strcasecmp (value, "SHA256") == 0)
        otpauth->algorithm = BA_TOTP_SHA256;
      else if (g_ascii_strcasecmp (value, "SHA512") == 0)
        otpauth->algorithm = BA_TOTP_SHA512;
      else
        return invalid (error, "Unknown algorithm");
    }
  else if (g_ascii_strcasecmp (name, "digits") == 0)
    {
      if (!parse_uint (value, MIN_DIGITS, MAX_DIGITS, &otpauth->digits))
        return invalid (error, "The number of digits must be 6 to 8");
    }
  else if (g_ascii_strcasecmp (name, "period") == 0)
    {
      if (!parse_uint (value, 1, MAX_PERIOD, &otpauth->period))
        return invalid (error, "Invalid period");
    }

  return TRUE;
}

/* Splits the raw (still escaped) label into issuer prefix and account. */
static gboolean
split_label (BaOtpauth   *otpauth,
             const char  *raw_label,
             const char  *issuer_param,
             char       **out_prefix,
             GError     **error)
{
  g_autofree char *label = unescape (raw_label, -1, FALSE);
  const char *colon;
  const char *account = NULL;

  if (label == NULL)
    return invalid (error, "The label is not valid");

  /* The issuer parameter is authoritative: it tells where the prefix
   * ends even when the issuer itself contains a colon. */
  if (issuer_param != NULL && issuer_param[0] != '\0' &&
      g_str_has_prefix (label, issuer_param) &&
      label[strlen (issuer_param)] == ':')
    {
      *out_prefix = g_strdup (issuer_param);
      account = label + strlen (issuer_param) + 1;
    }
  else if ((colon = strchr (raw_label, ':')) != NULL)
    {
      *out_prefix = unescape (raw_label, colon - raw_label, FALSE);
      otpauth->account = unescape (colon + 1, -1, FALSE);
    }
  else if ((colon = strstr (raw_label, "%3A")) != NULL ||
           (colon = strstr (raw_label, "%3a")) != NULL)
    {
      *out_prefix = unescape (raw_label, colon - raw_label, FALSE);
      otpauth->account = unescape (colon + 3, -1, FALSE);
    }
  else
    account = label;

  if (account != NULL)
    otpauth->account = g_strdup (account);

  if (otpauth->account == NULL)
    return invalid (error, "The label is not valid");

  /* "Issuer: account" with spaces after the colon is allowed. */
  g_strchug (otpauth->account);

  return TRUE;
}

BaOtpauth *
ba_otpauth_parse (const char  *uri,
                  GError     **error)
{
  g_autoptr(BaOtpauth) otpauth = NULL;
  g_autofree char *raw_label = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *issuer = NULL;
  g_auto(GStrv) params = NULL;
  const char *rest;
  const char *query;
  const char *end;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_ascii_strncasecmp (uri, SCHEME, strlen (SCHEME)) != 0)
    {
      invalid (error, "Not an otpauth:// URI");
      return NULL;
    }

  rest = uri + strlen (SCHEME);
  if (g_ascii_strncasecmp (rest, "totp/", strlen ("totp/")) != 0)
    {
      invalid (error, "Only time-based (totp) codes are supported");
      return NULL;
    }
  rest += strlen ("totp/");

  otpauth = g_new0 (BaOtpauth, 1);
  otpauth->algorithm = BA_TOTP_SHA1;
  otpauth->digits = BA_TOTP_DEFAULT_DIGITS;
  otpauth->period = BA_TOTP_DEFAULT_PERIOD;

  end = rest + strcspn (rest, "#");
  query = memchr (rest, '?', end - rest);
  raw_label = g_strndup (rest, (query != NULL ? query : end) - rest);

  if (query != NULL)
    {
      g_autofree char *query_text = g_strndup (query + 1, end - query - 1);

      params = g_strsplit (query_text, "&", -1);
      explicit_bzero (query_text, strlen (query_text));
    }

  for (guint i = 0; params != NULL && params[i] != NULL; i++)
    {
      const char *eq = strchr (params[i], '=');
      g_autofree char *name = NULL;
      char *value;
      gboolean ok;

      if (params[i][0] == '\0')
        continue;

      name = unescape (params[i], eq != NULL ? eq - params[i] : -1, TRUE);
      value = unescape (eq != NULL ? eq + 1 : "", -1, TRUE);
      if (name == NULL || value == NULL)
        {
          wipe_string_free (value);
          invalid (error, "A parameter is not validly encoded");
          goto failed;
        }

      ok = apply_parameter (otpauth, name, value, &issuer, error);
      wipe_string_free (value);
      if (!ok)
        goto failed;
    }

  if (otpauth->secret == NULL || otpauth->secret_len == 0)
    {
      invalid (error, "The URI has no secret");
      goto failed;
    }

  if (!split_label (otpauth, raw_label, issuer, &prefix, error))
    goto failed;

  if (issuer != NULL && issuer[0] != '\0')
    otpauth->issuer = g_steal_pointer (&issuer);
  else if (prefix != NULL && prefix[0] != '\0')
    otpauth->issuer = g_steal_pointer (&prefix);

  for (guint i = 0; params != NULL && params[i] != NULL; i++)
    explicit_bzero (params[i], strlen (params[i]));

  return g_steal_pointer (&otpauth);

failed:
  for (guint i = 0; params != NULL && params[i] != NULL; i++)
    explicit_bzero (params[i], strlen (params[i]));
  return NULL;
}

char *
ba_otpauth_group_key (const char *base32_key)
{
  GString *out;
  guint n = 0;

  g_return_val_if_fail (base32_key != NULL, NULL);

  out = g_string_sized_new (strlen (base32_key) * 5 / 4 + 1);
  for (const char *p = base32_key; *p != '\0'; p++)
    {
      if (*p == '=' || *p == ' ' || *p == '-')
        continue;

      if (n > 0 && n % 4 == 0)
        g_string_append_c (out, ' ');
      g_string_append_c (out, g_ascii_toupper (*p));
      n++;
    }

  return g_string_free (out, FALSE);
}
