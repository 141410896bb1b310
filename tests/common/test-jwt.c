/* test-jwt.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ba-error.h"
#include "ba-jwt.h"

#define SECRET     ((const guint8 *) "server-secret-of-32-bytes-length")
#define SECRET_LEN (strlen ((const char *) SECRET))

/* The example token jwt.io shows, signed with "your-256-bit-secret": a
 * signature made by another implementation. */
#define JWT_IO_TOKEN \
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9." \
  "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ." \
  "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
#define JWT_IO_SECRET ((const guint8 *) "your-256-bit-secret")

/* The tests build hostile tokens by hand, so they need their own encoder
 * rather than trusting the one under test. */
static char *
b64url (const char *text,
        gssize      len)
{
  g_autofree char *standard = NULL;
  GString *out;

  if (len < 0)
    len = strlen (text);

  standard = g_base64_encode ((const guint8 *) text, len);
  out = g_string_new (NULL);
  for (const char *p = standard; *p != '\0' && *p != '='; p++)
    {
      if (*p == '+')
        g_string_append_c (out, '-');
      else if (*p == '/')
        g_string_append_c (out, '_');
      else
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

/* Signs "header.payload" with HMAC-SHA256 under SECRET whatever the header
 * says, so only the algorithm check can refuse the result. */
static char *
craft_token (const char *header_json,
             const char *payload_json)
{
  g_autoptr(GHmac) hmac = NULL;
  g_autofree char *header = b64url (header_json, -1);
  g_autofree char *payload = b64url (payload_json, -1);
  g_autofree char *input = g_strconcat (header, ".", payload, NULL);
  g_autofree char *signature = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  hmac = g_hmac_new (G_CHECKSUM_SHA256, SECRET, SECRET_LEN);
  g_hmac_update (hmac, (const guint8 *) input, -1);
  g_hmac_get_digest (hmac, digest, &digest_len);
  signature = b64url ((const char *) digest, digest_len);

  return g_strconcat (input, ".", signature, NULL);
}

static JsonObject *
make_claims (void)
{
  JsonObject *claims = json_object_new ();

  json_object_set_int_member (claims, "id", 42);
  json_object_set_string_member (claims, "jwt_secret", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
  json_object_set_int_member (claims, "authTime", G_GINT64_CONSTANT (1700000000123));
  json_object_set_int_member (claims, "iat", 1700000000);
  json_object_set_int_member (claims, "exp", 1700604800);
  json_object_set_string_member (claims, "name", "Zoë \"quoted\" / ünïcödé");

  return claims;
}

static void
assert_invalid (const char   *token,
                const guint8 *secret,
                gsize         secret_len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) claims = NULL;

  claims = ba_jwt_decode (token, secret, secret_len, &error);
  g_assert_null (claims);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_TOKEN);
  g_assert_nonnull (error->message);
  g_assert_cmpstr (error->message, !=, "");
}

static void
assert_invalid_always (const char *token)
{
  assert_invalid (token, NULL, 0);
  assert_invalid (token, SECRET, SECRET_LEN);
  g_assert_false (ba_jwt_looks_like_jwt (token));
}

static void
test_round_trip (void)
{
  g_autoptr(JsonObject) claims = make_claims ();
  g_autoptr(JsonObject) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_auto(GStrv) parts = NULL;

  token = ba_jwt_encode_hs256 (claims, SECRET, SECRET_LEN);
  g_assert_nonnull (token);

  /* Three base64url parts, no padding, and the fixed header. */
  parts = g_strsplit (token, ".", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  g_assert_cmpstr (parts[0], ==, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpuint (strlen (parts[i]), >, 0);
      g_assert_cmpuint (strspn (parts[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                        ==, strlen (parts[i]));
    }
  /* 32 bytes of signature are 43 base64url characters. */
  g_assert_cmpuint (strlen (parts[2]), ==, 43);

  decoded = ba_jwt_decode (token, SECRET, SECRET_LEN, &error);
  g_assert_no_error (error);
  g_assert_nonnull (decoded);

  g_assert_cmpint (json_object_get_int_member (decoded, "id"), ==, 42);
  g_assert_cmpstr (json_object_get_string_member (decoded, "jwt_secret"), ==,
                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
  g_assert_cmpint (json_object_get_int_member (decoded, "authTime"), ==,
                   G_GINT64_CONSTANT (1700000000123));
  g_assert_cmpint (json_object_get_int_member (decoded, "iat"), ==, 1700000000);
  g_assert_cmpint (json_object_get_int_member (decoded, "exp"), ==, 1700604800);
  g_assert_cmpstr (json_object_get_string_member (decoded, "name"), ==,
                   "Zoë \"quoted\" / ünïcödé");
  g_assert_cmpuint (json_object_get_size (decoded), ==, 6);

  g_assert_true (ba_jwt_looks_like_jwt (token));
}

static void
test_interop (void)
{
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(JsonObject) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  /* A token signed elsewhere verifies here... */
  decoded = ba_jwt_decode (JWT_IO_TOKEN, JWT_IO_SECRET, strlen ((const char *) JWT_IO_SECRET), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (decoded, "sub"), ==, "1234567890");
  g_assert_cmpstr (json_object_get_string_member (decoded, "name"), ==, "John Doe");
  g_assert_cmpint (json_object_get_int_member (decoded, "iat"), ==, 1516239022);

  /* ...and the same claims in the same order encode to the same bytes. */
  claims = json_object_new ();
  json_object_set_string_member (claims, "sub", "1234567890");
  json_object_set_string_member (claims, "name", "John Doe");
  json_object_set_int_member (claims, "iat", 1516239022);
  token = ba_jwt_encode_hs256 (claims, JWT_IO_SECRET, strlen ((const char *) JWT_IO_SECRET));
  g_assert_cmpstr (token, ==, JWT_IO_TOKEN);
}

static void
test_decode_without_secret (void)
{
  g_autoptr(JsonObject) claims = make_claims ();
  g_autoptr(JsonObject) decoded = NULL;
  g_autoptr(JsonObject) none_decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *none_header = NULL;
  g_autofree char *none_payload = NULL;
  g_autofree char *none_token = NULL;

  token = ba_jwt_encode_hs256 (claims, SECRET, SECRET_LEN);

  /* A client reads its own token without knowing the server's secret. */
  decoded = ba_jwt_decode (token, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (decoded, "exp"), ==, 1700604800);

  /* Without a secret nothing about the signature is checked, not even the
   * algorithm: an unsigned token still reads. */
  none_header = b64url ("{\"alg\":\"none\",\"typ\":\"JWT\"}", -1);
  none_payload = b64url ("{\"id\":7}", -1);
  none_token = g_strconcat (none_header, ".", none_payload, ".", NULL);
  none_decoded = ba_jwt_decode (none_token, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (none_decoded, "id"), ==, 7);
}

static void
test_wrong_secret (void)
{
  g_autoptr(JsonObject) claims = make_claims ();
  g_autofree char *token = NULL;

  token = ba_jwt_encode_hs256 (claims, SECRET, SECRET_LEN);

  assert_invalid (token, (const guint8 *) "another-secret", strlen ("another-secret"));
  /* One byte shorter is another key too. */
  assert_invalid (token, SECRET, SECRET_LEN - 1);
}

static void
test_tampered (void)
{
  g_autoptr(JsonObject) claims = make_claims ();
  g_autofree char *token = NULL;
  g_autofree char *forged_payload = NULL;
  g_autofree char *forged = NULL;
  g_autofree char *flipped = NULL;
  g_autofree char *truncated = NULL;
  g_autofree char *extended = NULL;
  g_auto(GStrv) parts = NULL;
  gsize last;

  token = ba_jwt_encode_hs256 (claims, SECRET, SECRET_LEN);
  parts = g_strsplit (token, ".", -1);

  /* Another user id with the original signature. */
  forged_payload = b64url ("{\"id\":1,\"jwt_secret\":\"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567\"}", -1);
  forged = g_strjoin (".", parts[0], forged_payload, parts[2], NULL);
  assert_invalid (forged, SECRET, SECRET_LEN);

  /* One character of the signature changed. */
  flipped = g_strdup (token);
  last = strlen (flipped) - 5;
  flipped[last] = flipped[last] == 'A' ? 'B' : 'A';
  assert_invalid (flipped, SECRET, SECRET_LEN);

  /* The signature shortened, lengthened, or missing. */
  truncated = g_strndup (token, strlen (token) - 4);
  assert_invalid (truncated, SECRET, SECRET_LEN);
  extended = g_strconcat (token, "AAAA", NULL);
  assert_invalid (extended, SECRET, SECRET_LEN);
  {
    g_autofree char *unsigned_token = g_strjoin (".", parts[0], parts[1], "", NULL);
    assert_invalid (unsigned_token, SECRET, SECRET_LEN);
  }
}

static void
test_algorithm (void)
{
  g_autoptr(JsonObject) decoded = NULL;
  g_autoptr(GError) error = NULL;
  const char *payload = "{\"id\":42}";
  g_autofree char *none_header = NULL;
  g_autofree char *none_payload = NULL;
  g_autofree char *none_token = NULL;
  g_autofree char *hs256 = NULL;

  /* The reference: the same crafting with the right header verifies. */
  hs256 = craft_token ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload);
  decoded = ba_jwt_decode (hs256, SECRET, SECRET_LEN, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (decoded, "id"), ==, 42);

  /* "none" with no signature, as an attacker would send it. */
  none_header = b64url ("{\"alg\":\"none\",\"typ\":\"JWT\"}", -1);
  none_payload = b64url (payload, -1);
  none_token = g_strconcat (none_header, ".", none_payload, ".", NULL);
  assert_invalid (none_token, SECRET, SECRET_LEN);

  /* Other algorithms, a missing one and wrongly typed ones, each with a
   * signature that would be right for HS256. */
  {
    static const char *headers[] = {
      "{\"alg\":\"none\",\"typ\":\"JWT\"}",
      "{\"alg\":\"None\"}",
      "{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
      "{\"alg\":\"HS384\",\"typ\":\"JWT\"}",
      "{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
      "{\"alg\":\"hs256\",\"typ\":\"JWT\"}",
      "{\"alg\":\"HS256 \",\"typ\":\"JWT\"}",
      "{\"alg\":\"\",\"typ\":\"JWT\"}",
      "{\"alg\":null,\"typ\":\"JWT\"}",
      "{\"alg\":256,\"typ\":\"JWT\"}",
      "{\"alg\":[\"HS256\"],\"typ\":\"JWT\"}",
      "{\"alg\":{\"name\":\"HS256\"}}",
      "{\"typ\":\"JWT\"}",
      "{}",
    };

    for (gsize i = 0; i < G_N_ELEMENTS (headers); i++)
      {
        g_autofree char *token = craft_token (headers[i], payload);
        g_autoptr(JsonObject) unverified = NULL;

        assert_invalid (token, SECRET, SECRET_LEN);

        /* Without a secret they still read: nothing is trusted then. */
        unverified = ba_jwt_decode (token, NULL, 0, &error);
        g_assert_no_error (error);
        g_assert_nonnull (unverified);
      }
  }
}

static void
test_padding (void)
{
  g_autoptr(JsonObject) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *header = NULL;
  g_autofree char *token = NULL;

  /* Some encoders keep the '=' padding; the header below needs one. */
  header = g_base64_encode ((const guint8 *) "{\"alg\":\"HS256\" }", 16);
  g_assert_true (g_str_has_suffix (header, "="));
  token = g_strconcat (header, ".eyJpZCI6NDJ9.", NULL);

  decoded = ba_jwt_decode (token, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (decoded, "id"), ==, 42);
  g_assert_true (ba_jwt_looks_like_jwt (token));

  /* Padding only at the end of a part. */
  assert_invalid_always ("eyJh=bGciOiJIUzI1NiJ9.eyJpZCI6NDJ9.");
  /* More padding than base64 ever has. */
  assert_invalid_always ("eyJhbGciOiJIUzI1NiJ9===.eyJpZCI6NDJ9.");
}

static void
test_malformed (void)
{
  g_autofree char *header = b64url ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", -1);
  g_autofree char *payload = b64url ("{\"id\":42}", -1);

  assert_invalid_always ("");
  assert_invalid_always (".");
  assert_invalid_always ("..");
  assert_invalid_always ("...");
  assert_invalid_always ("abc");

  /* One, two and four parts. */
  assert_invalid_always (header);
  {
    g_autofree char *two = g_strjoin (".", header, payload, NULL);
    g_autofree char *four = g_strjoin (".", header, payload, "c2ln", "c2ln", NULL);

    assert_invalid_always (two);
    assert_invalid_always (four);
  }

  /* Characters outside base64url, and standard base64's '+' and '/'. */
  {
    g_autofree char *bad_header = g_strconcat ("eyJ!", header + 4, ".", payload, ".sig", NULL);
    g_autofree char *bad_payload = g_strconcat (header, ".eyJ*ZCI6NDJ9.sig", NULL);
    g_autofree char *plus = g_strconcat (header, ".", payload, ".ab+/", NULL);
    g_autofree char *space = g_strconcat (header, ". ", payload, ".sig", NULL);

    assert_invalid_always (bad_header);
    assert_invalid_always (bad_payload);
    assert_invalid_always (plus);
    assert_invalid_always (space);
  }

  /* A part of 4n+1 characters cannot be base64. */
  {
    g_autofree char *odd = g_strconcat (header, ".", payload, "A.sig", NULL);

    g_assert_cmpuint (strlen (payload) % 4, ==, 0);
    assert_invalid_always (odd);
  }

  /* Empty header or payload. */
  {
    g_autofree char *no_header = g_strconcat (".", payload, ".sig", NULL);
    g_autofree char *no_payload = g_strconcat (header, "..sig", NULL);

    assert_invalid_always (no_header);

    /* ba_jwt_looks_like_jwt() only promises to look at the header, so a
     * token with an empty payload has the shape of a JWT; decoding it is
     * what fails, with a clear error instead of an API-key lookup. */
    assert_invalid (no_payload, NULL, 0);
    assert_invalid (no_payload, SECRET, SECRET_LEN);
    g_assert_true (ba_jwt_looks_like_jwt (no_payload));
  }

  /* Payloads that are not JSON objects. */
  {
    static const char *payloads[] = {
      "not json",
      "[1,2,3]",
      "\"a string\"",
      "42",
      "null",
      "{\"id\":42",
      "{\"id\":42}}",
      "{\"id\":\"\xff\xfe\"}",
    };

    for (gsize i = 0; i < G_N_ELEMENTS (payloads); i++)
      {
        g_autofree char *bad = b64url (payloads[i], -1);
        g_autofree char *token = g_strjoin (".", header, bad, "sig", NULL);

        assert_invalid (token, NULL, 0);
        assert_invalid (token, SECRET, SECRET_LEN);
      }
  }

  /* A nul byte inside the JSON. */
  {
    g_autofree char *bad = b64url ("{\"id\":42}\0{}", 11);
    g_autofree char *token = g_strjoin (".", header, bad, "sig", NULL);

    assert_invalid (token, NULL, 0);
  }

  /* A header that is not a JSON object. */
  {
    g_autofree char *array_header = b64url ("[\"HS256\"]", -1);
    g_autofree char *token = g_strjoin (".", array_header, payload, "sig", NULL);

    assert_invalid_always (token);
  }

  /* NULL is malformed too, not a crash. */
  assert_invalid (NULL, NULL, 0);
  g_assert_false (ba_jwt_looks_like_jwt (NULL));
}

static void
test_hostile (void)
{
  g_autofree char *header = b64url ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", -1);

  /* Tokens over 64 KiB are refused before decoding, even well-formed. */
  {
    g_autofree char *long_value = g_strnfill (50000, 'x');
    g_autofree char *json = g_strdup_printf ("{\"long\":\"%s\"}", long_value);
    g_autofree char *payload = b64url (json, -1);
    g_autofree char *token = g_strjoin (".", header, payload, "sig", NULL);

    g_assert_cmpuint (strlen (token), >, 64 * 1024);
    assert_invalid_always (token);
  }

  /* And so is a megabyte of anything. */
  {
    g_autofree char *filler = g_strnfill (1024 * 1024, 'A');
    g_autofree char *token = g_strjoin (".", header, filler, "sig", NULL);

    assert_invalid_always (token);
  }

  /* A large payload under the limit still decodes. */
  {
    g_autofree char *long_value = g_strnfill (30000, 'x');
    g_autofree char *json = g_strdup_printf ("{\"long\":\"%s\"}", long_value);
    g_autofree char *payload = b64url (json, -1);
    g_autofree char *token = g_strjoin (".", header, payload, "sig", NULL);
    g_autoptr(JsonObject) decoded = NULL;
    g_autoptr(GError) error = NULL;

    decoded = ba_jwt_decode (token, NULL, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (strlen (json_object_get_string_member (decoded, "long")), ==, 30000);
  }

  /* Deep nesting would otherwise recurse once per bracket in the JSON
   * parser. */
  {
    GString *json = g_string_new ("{\"a\":");
    g_autofree char *payload = NULL;
    g_autofree char *token = NULL;

    for (guint i = 0; i < 40000; i++)
      g_string_append_c (json, '[');
    for (guint i = 0; i < 40000; i++)
      g_string_append_c (json, ']');
    g_string_append_c (json, '}');
    payload = b64url (json->str, json->len);
    g_string_free (json, TRUE);
    token = g_strjoin (".", header, payload, "sig", NULL);

    assert_invalid (token, NULL, 0);
  }

  /* Moderate nesting, and brackets inside strings, are fine. */
  {
    const char *json = "{\"a\":[[[[[{\"b\":[[[1]]]}]]]]],\"s\":\"[[[[[[[[[[[[\\\"{{{{{{{{\"}";
    g_autofree char *payload = b64url (json, -1);
    g_autofree char *token = g_strjoin (".", header, payload, "sig", NULL);
    g_autoptr(JsonObject) decoded = NULL;
    g_autoptr(GError) error = NULL;

    decoded = ba_jwt_decode (token, NULL, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (decoded, "s"), ==, "[[[[[[[[[[[[\"{{{{{{{{");
  }
}

static void
test_looks_like_jwt (void)
{
  g_autoptr(JsonObject) claims = make_claims ();
  g_autofree char *token = ba_jwt_encode_hs256 (claims, SECRET, SECRET_LEN);
  g_autofree char *header = b64url ("{\"alg\":\"HS256\"}", -1);
  g_autofree char *payload = b64url ("{\"id\":42}", -1);

  g_assert_true (ba_jwt_looks_like_jwt (token));
  g_assert_true (ba_jwt_looks_like_jwt (JWT_IO_TOKEN));
  {
    g_autofree char *unsigned_token = g_strjoin (".", header, payload, "", NULL);
    g_assert_true (ba_jwt_looks_like_jwt (unsigned_token));
  }

  /* API keys: 32 random alphanumerics, no dots. */
  g_assert_false (ba_jwt_looks_like_jwt ("aBcD1234aBcD1234aBcD1234aBcD1234"));
  g_assert_false (ba_jwt_looks_like_jwt ("Zm9vYmFy"));
  g_assert_false (ba_jwt_looks_like_jwt (""));
  g_assert_false (ba_jwt_looks_like_jwt ("a.b.c"));
  g_assert_false (ba_jwt_looks_like_jwt ("abcd.abcd.abcd"));
  g_assert_false (ba_jwt_looks_like_jwt ("1.2.3.4"));
  g_assert_false (ba_jwt_looks_like_jwt ("example.balena-cloud.com"));

  /* The right shape but a header that is no JSON object. */
  {
    g_autofree char *not_json = b64url ("hello", -1);
    g_autofree char *array = b64url ("[]", -1);
    g_autofree char *t1 = g_strjoin (".", not_json, payload, "", NULL);
    g_autofree char *t2 = g_strjoin (".", array, payload, "", NULL);

    g_assert_false (ba_jwt_looks_like_jwt (t1));
    g_assert_false (ba_jwt_looks_like_jwt (t2));
  }

  /* A token with whitespace around it is not one. */
  {
    g_autofree char *spaced = g_strconcat (token, "\n", NULL);
    g_assert_false (ba_jwt_looks_like_jwt (spaced));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/jwt/round-trip", test_round_trip);
  g_test_add_func ("/ba/jwt/interop", test_interop);
  g_test_add_func ("/ba/jwt/decode-without-secret", test_decode_without_secret);
  g_test_add_func ("/ba/jwt/wrong-secret", test_wrong_secret);
  g_test_add_func ("/ba/jwt/tampered", test_tampered);
  g_test_add_func ("/ba/jwt/algorithm", test_algorithm);
  g_test_add_func ("/ba/jwt/padding", test_padding);
  g_test_add_func ("/ba/jwt/malformed", test_malformed);
  g_test_add_func ("/ba/jwt/hostile", test_hostile);
  g_test_add_func ("/ba/jwt/looks-like-jwt", test_looks_like_jwt);

  return g_test_run ();
}
