/* test-server-totp.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "api-key-test-util.h"
#include "ba-jwt.h"
#include "ba-otpauth.h"
#include "ba-test-outbox.h"
#include "ba-test-server.h"
#include "ba-totp.h"

/* Two-factor authentication over real HTTP against a spawned server
 * (account-api.md sections 3.1, 7 and 17.5). Each case gets a fresh
 * server, so the per-user attempt limit of one case cannot touch
 * another. */

typedef struct
{
  BaTestServer *server;
  TestUser     *user;
  BaOtpauth    *otpauth;   /* after setup */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  f->user = test_user_login (f->server, ba_test_server_get_demo_username (f->server),
                             ba_test_server_get_demo_password (f->server));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->otpauth, ba_otpauth_free);
  g_clear_pointer (&f->user, test_user_free);
  g_clear_pointer (&f->server, ba_test_server_stop);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Codes are computed for steps relative to "now"; starting a case late in
 * a step could let the step change between computing a code and the
 * server checking it. */
static void
wait_for_fresh_step (void)
{
  gint64 into = now_seconds () % BA_TOTP_DEFAULT_PERIOD;

  if (into > BA_TOTP_DEFAULT_PERIOD - 8)
    g_usleep ((BA_TOTP_DEFAULT_PERIOD - into + 1) * G_USEC_PER_SEC);
}

static gint64
current_step (void)
{
  return now_seconds () / BA_TOTP_DEFAULT_PERIOD;
}

static char *
code_for_step (Fixture *f,
               gint64   step)
{
  g_assert_nonnull (f->otpauth);
  return ba_totp_generate (BA_TOTP_SHA1, f->otpauth->secret, f->otpauth->secret_len,
                           step * BA_TOTP_DEFAULT_PERIOD, BA_TOTP_DEFAULT_PERIOD,
                           BA_TOTP_DEFAULT_DIGITS);
}

static JsonObject *
claims_of (const char *token)
{
  g_autoptr(GError) error = NULL;
  JsonObject *claims = ba_jwt_decode (token, NULL, 0, &error);

  g_assert_no_error (error);
  return claims;
}

/* twoFactorRequired: -1 absent, 0 false, 1 true. */
static int
two_factor_claim (const char *token)
{
  g_autoptr(JsonObject) claims = claims_of (token);
  JsonNode *node = json_object_get_member (claims, "twoFactorRequired");

  if (node == NULL)
    return -1;
  g_assert_true (json_node_get_value_type (node) == G_TYPE_BOOLEAN);
  return json_node_get_boolean (node) ? 1 : 0;
}

static void
setup_totp (Fixture *f)
{
  g_autofree char *body = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  status = ba_test_server_request (f->server, "GET", "/auth/totp/setup", f->user->token,
                                   NULL, NULL, &body, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&f->otpauth, ba_otpauth_free);
  f->otpauth = ba_otpauth_parse (body, &error);
  g_assert_no_error (error);
}

static guint
verify (Fixture     *f,
        const char  *token,
        const char  *code,
        char       **out_body)
{
  g_autofree char *json = g_strdup_printf ("{\"code\":\"%s\"}", code);

  return ba_test_server_request (f->server, "POST", "/auth/totp/verify", token,
                                 "application/json", json, out_body, NULL, NULL);
}

/* Sets up and enables 2FA with the code of @step_offset; the token from
 * the answer (fresh, passed) replaces the user's. */
static void
enable_totp (Fixture *f,
             int      step_offset)
{
  g_autofree char *code = NULL;
  g_autofree char *token = NULL;

  setup_totp (f);
  code = code_for_step (f, current_step () + step_offset);
  g_assert_cmpuint (verify (f, f->user->token, code, &token), ==, 200);
  g_assert_cmpint (two_factor_claim (token), ==, 0);
  g_free (f->user->token);
  f->user->token = g_steal_pointer (&token);
}

static char *
login (Fixture *f)
{
  g_autofree char *json = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}",
                                           f->user->username, f->user->password);
  char *token = NULL;

  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/login_", NULL,
                                            "application/json", json, &token, NULL, NULL),
                    ==, 200);
  return token;
}

/* Asserts that @code is refused as a wrong code. */
static void
assert_invalid_code (Fixture    *f,
                     const char *token,
                     const char *code)
{
  g_autofree char *body = NULL;

  g_assert_cmpuint (verify (f, token, code, &body), ==, 401);
  test_assert_json_string (body, "Invalid two-factor authentication code");
}

static char **
get_recovery_codes (Fixture    *f,
                    const char *token)
{
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;
  GStrvBuilder *builder = g_strv_builder_new ();
  char **codes;

  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/auth/totp/recovery-codes", token,
                                            NULL, NULL, &body, NULL, NULL), ==, 200);
  node = test_parse_json (body);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  array = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (array), ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      const char *code = json_array_get_string_element (array, i);

      g_assert_true (g_regex_match_simple ("^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$", code, 0, 0));
      g_strv_builder_add (builder, code);
    }
  codes = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  for (guint i = 0; codes[i] != NULL; i++)
    for (guint j = i + 1; codes[j] != NULL; j++)
      g_assert_cmpstr (codes[i], !=, codes[j]);

  return codes;
}

/* The user's recovery_two_factor rows: total and unused. */
static void
count_recovery_rows (Fixture *f,
                     guint   *out_total,
                     guint   *out_unused)
{
  g_autoptr(JsonArray) rows = test_get_d (f->server, f->user->token,
                                          "/v7/recovery_two_factor?$select=id,used_timestamp");

  *out_total = json_array_get_length (rows);
  *out_unused = 0;
  for (guint i = 0; i < *out_total; i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      /* The code itself, or its hash, is never part of the row. */
      g_assert_cmpuint (json_object_get_size (row), ==, 2);
      if (json_object_get_null_member (row, "used_timestamp"))
        (*out_unused)++;
    }
}

static void
test_setup (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(BaOtpauth) first = NULL;
  g_autofree char *body = NULL;
  g_autofree char *partial = NULL;
  g_autofree char *token = NULL;

  setup_totp (f);
  g_assert_cmpstr (f->otpauth->issuer, ==, "Balena Accounts");
  g_assert_cmpstr (f->otpauth->account, ==, f->user->username);
  g_assert_cmpuint (f->otpauth->secret_len, ==, 20);
  g_assert_cmpint (f->otpauth->algorithm, ==, BA_TOTP_SHA1);
  g_assert_cmpuint (f->otpauth->digits, ==, 6);
  g_assert_cmpuint (f->otpauth->period, ==, 30);

  /* Asking again while pending gives the same secret. */
  first = g_steal_pointer (&f->otpauth);
  setup_totp (f);
  g_assert_cmpmem (first->secret, first->secret_len, f->otpauth->secret, f->otpauth->secret_len);

  /* Pending is not enabled: logins still get full tokens. */
  token = login (f);
  g_assert_cmpint (two_factor_claim (token), ==, -1);

  /* Anonymous and partial tokens cannot set up. */
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/auth/totp/setup", NULL,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);
  partial = test_user_forge_token (f->server, f->user, g_get_real_time () / 1000, TRUE);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/auth/totp/setup", partial,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);

  /* Recovery codes and disable need 2FA to be on. */
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/auth/totp/recovery-codes",
                                            f->user->token, NULL, NULL, &body, NULL, NULL), ==, 409);
  test_assert_json_string (body, "Two-factor authentication is not enabled");
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/auth/totp/disable",
                                            f->user->token, "application/json",
                                            "{\"password\":\"x\"}", &body, NULL, NULL), ==, 409);
}

static void
test_verify_before_setup (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *body = NULL;

  g_assert_cmpuint (verify (f, f->user->token, "123456", &body), ==, 400);
  g_assert_cmpuint (verify (f, NULL, "123456", NULL), ==, 401);
}

static void
test_enable_and_challenge (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *body = NULL;
  g_autofree char *partial = NULL;
  g_autofree char *full = NULL;
  g_autofree char *code = NULL;
  g_autofree char *wrong = NULL;
  g_autoptr(JsonArray) users = NULL;
  g_autofree char *query = NULL;
  g_autoptr(JsonObject) partial_claims = NULL;
  g_autoptr(JsonObject) full_claims = NULL;

  wait_for_fresh_step ();
  enable_totp (f, 0);

  /* Enabled: no second setup and no second enabling. */
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/auth/totp/setup", f->user->token,
                                            NULL, NULL, &body, NULL, NULL), ==, 409);
  test_assert_json_string (body, "Two-factor authentication is already enabled");
  g_clear_pointer (&body, g_free);
  code = code_for_step (f, current_step () + 1);
  g_assert_cmpuint (verify (f, f->user->token, code, &body), ==, 409);
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&code, g_free);

  /* A login now gives a partial token... */
  partial = login (f);
  g_assert_cmpint (two_factor_claim (partial), ==, 1);

  /* ...which is no user: whoami, refresh, key creation refuse it and
   * OData treats it as a guest. */
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/user/v1/whoami", partial,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/actor/v1/whoami", partial,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/user/v1/refresh-token", partial,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);
  g_assert_cmpuint (test_create_api_key_raw (f->server, partial, "{\"name\":\"k\"}", NULL), ==, 401);
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/auth/totp/recovery-codes", partial,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/auth/totp/disable", partial,
                                            "application/json",
                                            "{\"password\":\"irrelevant\"}", NULL, NULL, NULL), ==, 401);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/v7/user?$select=id,username", partial,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/v7/recovery_two_factor?$select=id",
                                            partial, NULL, NULL, NULL, NULL, NULL), ==, 401);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/v7/api_key?$select=id", partial,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);

  /* A wrong code is refused and changes nothing. */
  code = code_for_step (f, current_step () + 1);
  wrong = g_strdup_printf ("%06d", (atoi (code) + 1) % 1000000);
  assert_invalid_code (f, partial, wrong);
  g_clear_pointer (&body, g_free);

  /* The right one gives a full token for the same session. */
  g_assert_cmpuint (verify (f, partial, code, &full), ==, 200);
  g_assert_cmpint (two_factor_claim (full), ==, 0);
  partial_claims = claims_of (partial);
  full_claims = claims_of (full);
  g_assert_cmpint (json_object_get_int_member (full_claims, "authTime"), ==,
                   json_object_get_int_member (partial_claims, "authTime"));
  g_assert_cmpint (json_object_get_int_member (full_claims, "id"), ==, f->user->user_id);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/actor/v1/whoami", full,
                                            NULL, NULL, NULL, NULL, NULL), ==, 200);
  /* (Other demo users who share a fleet are readable too, so ask for oneself.) */
  query = g_strdup_printf ("/v7/user?$select=id,username&$filter=id%%20eq%%20%" G_GINT64_FORMAT,
                           (gint64) f->user->user_id);
  users = test_get_d (f->server, full, query);
  g_assert_cmpuint (json_array_get_length (users), ==, 1);

  /* Refreshing keeps the claim at false. */
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/user/v1/refresh-token", full,
                                            NULL, NULL, &body, NULL, NULL), ==, 200);
  g_assert_cmpint (two_factor_claim (body), ==, 0);
}

static void
test_replay (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *body = NULL;
  g_autofree char *partial = NULL;
  g_autofree char *now_code = NULL;
  g_autofree char *next_code = NULL;
  g_autofree char *previous_code = NULL;
  gint64 step;

  wait_for_fresh_step ();
  step = current_step ();
  enable_totp (f, 0);
  now_code = code_for_step (f, step);
  next_code = code_for_step (f, step + 1);
  previous_code = code_for_step (f, step - 1);

  /* The code that enabled 2FA cannot answer a challenge. */
  partial = login (f);
  assert_invalid_code (f, partial, now_code);
  g_clear_pointer (&body, g_free);
  /* Nor can an older one, though it is within the window. */
  assert_invalid_code (f, partial, previous_code);
  g_clear_pointer (&body, g_free);

  /* A newer one can, once. */
  g_assert_cmpuint (verify (f, partial, next_code, &body), ==, 200);
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&partial, g_free);
  partial = login (f);
  assert_invalid_code (f, partial, next_code);
}

static void
test_window (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *body = NULL;
  g_autofree char *partial = NULL;
  g_autofree char *code = NULL;
  gint64 step;

  wait_for_fresh_step ();
  step = current_step ();

  /* One step back is accepted for enabling (a phone whose clock is a bit
   * slow)... */
  enable_totp (f, -1);
  partial = login (f);

  /* ...two steps either way are not. */
  code = code_for_step (f, step + 2);
  assert_invalid_code (f, partial, code);
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&code, g_free);
  code = code_for_step (f, step - 2);
  assert_invalid_code (f, partial, code);
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&code, g_free);

  /* One step ahead is fine. */
  code = code_for_step (f, step + 1);
  g_assert_cmpuint (verify (f, partial, code, &body), ==, 200);
}

static void
test_wrong_codes (Fixture       *f,
                  gconstpointer  data)
{
  static const char *wrong[] = { "", "12345", "1234567", "abcdef", "12 34 5", "aaaa-bbbb-cccc" };
  g_autofree char *partial = NULL;
  g_autofree char *body = NULL;

  wait_for_fresh_step ();
  enable_totp (f, 0);
  partial = login (f);

  for (guint i = 0; i < G_N_ELEMENTS (wrong); i++)
    {
      g_clear_pointer (&body, g_free);
      assert_invalid_code (f, partial, wrong[i]);
    }

  /* Malformed requests are 400s. */
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/auth/totp/verify", partial,
                                            "application/json", "{\"code\":123456}",
                                            NULL, NULL, NULL), ==, 400);
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/auth/totp/verify", partial,
                                            "application/json", "not json", NULL, NULL, NULL), ==, 400);
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/auth/totp/verify", partial,
                                            "text/plain", "{\"code\":\"123456\"}",
                                            NULL, NULL, NULL), ==, 400);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/auth/totp/verify", partial,
                                            NULL, NULL, NULL, NULL, NULL), ==, 405);
}

static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *partial = NULL;
  g_autofree char *body = NULL;
  g_autofree char *retry_after = NULL;
  g_autofree char *code = NULL;
  guint64 seconds = 0;
  guint status;

  wait_for_fresh_step ();
  enable_totp (f, 0);
  partial = login (f);

  for (guint i = 0; i < 10; i++)
    {
      g_clear_pointer (&body, g_free);
      assert_invalid_code (f, partial, "000000");
    }

  /* The eleventh attempt is refused even with the right code. */
  code = code_for_step (f, current_step () + 1);
  status = ba_test_server_request (f->server, "POST", "/auth/totp/verify", partial,
                                   "application/json", "{\"code\":\"000000\"}",
                                   NULL, "Retry-After", &retry_after);
  g_assert_cmpuint (status, ==, 429);
  g_assert_nonnull (retry_after);
  g_assert_true (g_ascii_string_to_unsigned (retry_after, 10, 1, 15 * 60, &seconds, NULL));
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (verify (f, partial, code, &body), ==, 429);
}

static void
test_recovery_codes (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(GStrv) codes = NULL;
  g_auto(GStrv) renewed = NULL;
  g_autofree char *partial = NULL;
  g_autofree char *body = NULL;
  g_autofree char *typed = NULL;
  g_autofree char *before_enabling = NULL;
  g_autofree char *stale = NULL;
  guint total = 0;
  guint unused = 0;

  before_enabling = g_strdup (f->user->token);
  wait_for_fresh_step ();
  enable_totp (f, 0);

  codes = get_recovery_codes (f, f->user->token);
  count_recovery_rows (f, &total, &unused);
  g_assert_cmpuint (total, ==, 10);
  g_assert_cmpuint (unused, ==, 10);

  /* Not for a token that has not passed the challenge, nor for a stale
   * one. */
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/auth/totp/recovery-codes",
                                            before_enabling, NULL, NULL, &body, NULL, NULL), ==, 401);
  test_assert_json_string (body, "Two-factor authentication required");
  g_clear_pointer (&body, g_free);
  {
    g_autoptr(JsonObject) claims = json_object_new ();
    g_autoptr(GBytes) secret = ba_test_server_get_jwt_secret (f->server);
    gint64 now = now_seconds ();

    json_object_set_int_member (claims, "id", f->user->user_id);
    json_object_set_string_member (claims, "jwt_secret", f->user->jwt_secret);
    json_object_set_int_member (claims, "authTime", (now - 21 * 60) * 1000);
    json_object_set_boolean_member (claims, "twoFactorRequired", FALSE);
    json_object_set_int_member (claims, "iat", now);
    json_object_set_int_member (claims, "exp", now + 3600);
    stale = ba_jwt_encode_hs256 (claims, g_bytes_get_data (secret, NULL), g_bytes_get_size (secret));
  }
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/auth/totp/recovery-codes",
                                            stale, NULL, NULL, &body, NULL, NULL), ==, 401);
  test_assert_json_string (body, "Fresh authentication token required");
  g_clear_pointer (&body, g_free);

  /* A recovery code answers the challenge, typed in upper case without
   * dashes too, and is used up. */
  partial = login (f);
  typed = g_ascii_strup (codes[3], -1);
  memmove (typed + 4, typed + 5, strlen (typed + 5) + 1);
  memmove (typed + 8, typed + 9, strlen (typed + 9) + 1);
  g_assert_cmpuint (strlen (typed), ==, 12);
  g_assert_cmpuint (verify (f, partial, typed, &body), ==, 200);
  g_assert_cmpint (two_factor_claim (body), ==, 0);
  g_clear_pointer (&body, g_free);
  count_recovery_rows (f, &total, &unused);
  g_assert_cmpuint (total, ==, 10);
  g_assert_cmpuint (unused, ==, 9);

  g_clear_pointer (&partial, g_free);
  partial = login (f);
  assert_invalid_code (f, partial, codes[3]);
  g_clear_pointer (&body, g_free);

  /* A recovery code does not enable 2FA or count as a TOTP code for a
   * full token (there is nothing pending). */
  g_assert_cmpuint (verify (f, f->user->token, codes[4], &body), ==, 409);
  g_clear_pointer (&body, g_free);

  /* Regenerating replaces every earlier code. */
  renewed = get_recovery_codes (f, f->user->token);
  count_recovery_rows (f, &total, &unused);
  g_assert_cmpuint (total, ==, 10);
  g_assert_cmpuint (unused, ==, 10);
  for (guint i = 0; codes[i] != NULL; i++)
    g_assert_false (g_strv_contains ((const char * const *) renewed, codes[i]));
  assert_invalid_code (f, partial, codes[5]);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (verify (f, partial, renewed[0], &body), ==, 200);
}

static void
test_disable (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(BaOtpauth) old = NULL;
  g_auto(GStrv) codes = NULL;
  g_autofree char *body = NULL;
  g_autofree char *token = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *right = NULL;
  guint total = 0;
  guint unused = 0;

  wait_for_fresh_step ();
  enable_totp (f, 0);
  codes = get_recovery_codes (f, f->user->token);

  /* A wrong password changes nothing. */
  wrong = g_strdup_printf ("{\"password\":\"%s-wrong\"}", f->user->password);
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/auth/totp/disable", f->user->token,
                                            "application/json", wrong, &body, NULL, NULL), ==, 401);
  test_assert_json_string (body, "Wrong password");
  g_clear_pointer (&body, g_free);
  token = login (f);
  g_assert_cmpint (two_factor_claim (token), ==, 1);
  g_clear_pointer (&token, g_free);

  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/auth/totp/disable", f->user->token,
                                            "application/json", "{}", NULL, NULL, NULL), ==, 400);

  right = g_strdup_printf ("{\"password\":\"%s\"}", f->user->password);
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/auth/totp/disable", f->user->token,
                                            "application/json", right, &body, NULL, NULL), ==, 200);
  g_assert_cmpint (two_factor_claim (body), ==, -1);
  g_free (f->user->token);
  f->user->token = g_steal_pointer (&body);

  /* Logins are full again, the recovery codes are gone, and a new setup
   * has a new secret. */
  token = login (f);
  g_assert_cmpint (two_factor_claim (token), ==, -1);
  count_recovery_rows (f, &total, &unused);
  g_assert_cmpuint (total, ==, 0);
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/auth/totp/disable", f->user->token,
                                            "application/json", right, &body, NULL, NULL), ==, 409);
  old = g_steal_pointer (&f->otpauth);
  setup_totp (f);
  g_assert_false (old->secret_len == f->otpauth->secret_len &&
                  memcmp (old->secret, f->otpauth->secret, old->secret_len) == 0);
}

/* The tables belong to the user: deleting the user takes them along. */
static void
test_cascade (Fixture       *f,
              gconstpointer  data)
{
  g_auto(GStrv) codes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  wait_for_fresh_step ();
  enable_totp (f, 0);
  codes = get_recovery_codes (f, f->user->token);
  g_assert_true (ba_test_server_terminate (f->server, &error));
  g_assert_no_error (error);

  path = g_build_filename (ba_test_server_get_data_dir (f->server), "server.db", NULL);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT (SELECT count(*) FROM totp WHERE user = ?1),"
                                       " (SELECT count(*) FROM recovery_two_factor WHERE belongs_to__user = ?1)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, f->user->user_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
  g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 10);
  sqlite3_reset (stmt);

  {
    g_autofree char *sql = g_strdup_printf ("DELETE FROM user WHERE id = %" G_GINT64_FORMAT,
                                            f->user->user_id);

    g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  }

  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* A password reset is done from the mailbox alone: for a user with 2FA
 * on, the token it gives must still ask for the code (section 3.1), or
 * the mailbox would be enough to get past the second factor. */
static void
test_reset_stays_partial (Fixture       *f,
                          gconstpointer  data)
{
  const char *email = ba_test_server_get_demo_email (f->server);
  g_autofree char *outbox = g_build_filename (ba_test_server_get_data_dir (f->server), "outbox", NULL);
  g_autofree char *json = g_strdup_printf ("{\"email\":\"%s\"}", email);
  g_autofree char *mail = NULL;
  g_autofree char *reset_token = NULL;
  g_autofree char *reset_json = NULL;
  g_autofree char *token = NULL;
  g_autofree char *full = NULL;
  g_autofree char *code = NULL;

  wait_for_fresh_step ();
  enable_totp (f, 0);

  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/user/v1/password-reset/request",
                                            NULL, "application/json", json, NULL, NULL, NULL),
                    ==, 200);
  mail = ba_test_outbox_wait (outbox, "password-reset", email, 1, 5000);
  g_assert_nonnull (mail);
  reset_token = ba_test_mail_get_token (mail);
  g_assert_nonnull (reset_token);
  reset_json = g_strdup_printf ("{\"token\":\"%s\",\"password\":\"a-new-password-42\"}",
                                reset_token);
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/user/v1/password-reset", NULL,
                                            "application/json", reset_json, &token, NULL, NULL),
                    ==, 200);

  /* Partial: whoami refuses it, and the challenge turns it into a full one. */
  g_assert_cmpint (two_factor_claim (token), ==, 1);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/actor/v1/whoami", token,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);
  code = code_for_step (f, current_step () + 1);
  g_assert_cmpuint (verify (f, token, code, &full), ==, 200);
  g_assert_cmpint (two_factor_claim (full), ==, 0);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/actor/v1/whoami", full,
                                            NULL, NULL, NULL, NULL, NULL), ==, 200);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/ba/server/totp/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("setup", test_setup);
  ADD ("verify-before-setup", test_verify_before_setup);
  ADD ("enable-and-challenge", test_enable_and_challenge);
  ADD ("replay", test_replay);
  ADD ("window", test_window);
  ADD ("wrong-codes", test_wrong_codes);
  ADD ("rate-limit", test_rate_limit);
  ADD ("recovery-codes", test_recovery_codes);
  ADD ("disable", test_disable);
  ADD ("cascade", test_cascade);
  ADD ("reset-stays-partial", test_reset_stays_partial);

#undef ADD

  return g_test_run ();
}
