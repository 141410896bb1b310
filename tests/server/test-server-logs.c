/* test-server-logs.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-logs"

#include "config.h"

#include <string.h>

#include "ba-base32.h"
#include "ba-jwt.h"
#include "ba-otpauth.h"
#include "ba-test-outbox.h"
#include "ba-test-server.h"
#include "ba-totp.h"

/* The server never logs a password, token or key, even with
 * G_MESSAGES_DEBUG=all: drive every credential-carrying path, then search
 * everything it wrote (stderr, and stdout after the start-up lines). */

static void
assert_absent (const char *log,
               const char *secret,
               const char *what)
{
  g_assert_nonnull (secret);
  g_assert_cmpuint (strlen (secret), >=, 8);

  if (strstr (log, secret) != NULL)
    g_error ("The server logged %s", what);
}

static void
test_no_secrets (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaTestServer) server = ba_test_server_start_logged (TRUE, &error);
  g_autoptr(JsonObject) claims = NULL;
  const char *password;
  g_autofree char *body = NULL;
  g_autofree char *token = NULL;
  g_autofree char *refreshed = NULL;
  g_autofree char *log = NULL;
  g_autofree char *form = NULL;
  const char *wrong_password = "Wr0ng-Pa55word-xyzzy";
  const char *api_key = "ApiKeyThatMustNotBeLogged0123456";

  g_assert_no_error (error);
  password = ba_test_server_get_demo_password (server);

  body = g_strdup_printf ("{\"username\":\"demo\",\"password\":\"%s\"}", password);
  g_assert_cmpuint (ba_test_server_request (server, "POST", "/login_", NULL, "application/json",
                                            body, &token, NULL, NULL), ==, 200);
  g_clear_pointer (&body, g_free);

  form = g_strdup_printf ("username=demo%%40example.com&password=%s", password);
  g_assert_cmpuint (ba_test_server_request (server, "POST", "/login_", NULL,
                                            "application/x-www-form-urlencoded", form,
                                            NULL, NULL, NULL), ==, 200);

  body = g_strdup_printf ("{\"username\":\"demo\",\"password\":\"%s\"}", wrong_password);
  g_assert_cmpuint (ba_test_server_request (server, "POST", "/login_", NULL, "application/json",
                                            body, NULL, NULL, NULL), ==, 401);
  g_clear_pointer (&body, g_free);

  g_assert_cmpuint (ba_test_server_request (server, "GET", "/actor/v1/whoami", token,
                                            NULL, NULL, NULL, NULL, NULL), ==, 200);

  body = g_strdup_printf ("{\"password\":\"%s\"}", password);
  g_assert_cmpuint (ba_test_server_request (server, "POST", "/user/v1/refresh-token", token,
                                            "application/json", body, &refreshed, NULL, NULL), ==, 200);
  g_clear_pointer (&body, g_free);

  body = g_strdup_printf ("{\"password\":\"%s\"}", wrong_password);
  g_assert_cmpuint (ba_test_server_request (server, "POST", "/user/v1/refresh-token", token,
                                            "application/json", body, NULL, NULL, NULL), ==, 401);
  g_clear_pointer (&body, g_free);

  /* API keys, in both places a client may put one. */
  body = g_strdup_printf ("/user/v1/whoami?apikey=%s", api_key);
  g_assert_cmpuint (ba_test_server_request (server, "GET", body, NULL,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);
  g_assert_cmpuint (ba_test_server_request (server, "GET", "/user/v1/whoami", api_key,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);

  g_assert_true (ba_test_server_terminate (server, &error));
  g_assert_no_error (error);

  log = ba_test_server_get_log (server);
  g_test_message ("%s", log);

  /* The log is really there: requests are logged at debug level. */
  g_assert_nonnull (strstr (log, "POST /login_ -> 200"));
  g_assert_nonnull (strstr (log, "apikey=REDACTED"));

  claims = ba_jwt_decode (token, NULL, 0, &error);
  g_assert_no_error (error);

  assert_absent (log, password, "the demo password");
  assert_absent (log, wrong_password, "a wrong password");
  assert_absent (log, token, "a session token");
  assert_absent (log, refreshed, "a refreshed session token");
  assert_absent (log, strrchr (token, '.') + 1, "a token signature");
  assert_absent (log, json_object_get_string_member (claims, "jwt_secret"), "a jwt_secret");
  assert_absent (log, api_key, "an API key");
}

/* POSTs @body (JSON) and returns the status; the answer to @out_body. */
static guint
post_json (BaTestServer  *server,
           const char    *path,
           const char    *token,
           const char    *body,
           char         **out_body)
{
  return ba_test_server_request (server, "POST", path, token, "application/json", body,
                                 out_body, NULL, NULL);
}

/* The account's lifecycle and two-factor routes carry more secrets: the
 * sign-up password, verification and reset tokens, current and new
 * passwords, the TOTP secret, codes and recovery codes. None is logged. */
static void
test_no_secrets_lifecycle (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaTestServer) server = ba_test_server_start_logged (FALSE, &error);
  g_autoptr(BaOtpauth) otpauth = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *outbox = NULL;
  g_autofree char *mail = NULL;
  g_autofree char *body = NULL;
  g_autofree char *signup_token = NULL;
  g_autofree char *verify_token = NULL;
  g_autofree char *verified_token = NULL;
  g_autofree char *reset_token = NULL;
  g_autofree char *reset_session = NULL;
  g_autofree char *changed_session = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *code = NULL;
  g_autofree char *full_session = NULL;
  g_autofree char *codes_json = NULL;
  g_autofree char *recovery = NULL;
  g_autofree char *partial = NULL;
  g_autofree char *recovered_session = NULL;
  g_autofree char *log = NULL;
  const char *signup_password = "Signup-Pa55word-plugh";
  const char *reset_password = "Reset-Pa55word-xyzzy";
  const char *changed_password = "Changed-Pa55word-frotz";
  const char *wrong_current = "Wr0ng-Current-gnusto";

  g_assert_no_error (error);
  outbox = g_build_filename (ba_test_server_get_data_dir (server), "outbox", NULL);

  body = g_strdup_printf ("{\"email\":\"logs@example.com\",\"password\":\"%s\"}",
                          signup_password);
  g_assert_cmpuint (post_json (server, "/user/register", NULL, body, &signup_token), ==, 200);
  g_clear_pointer (&body, g_free);

  mail = ba_test_outbox_wait (outbox, "verify-email", "logs@example.com", 1, 5000);
  g_assert_nonnull (mail);
  verify_token = ba_test_mail_get_token (mail);
  g_clear_pointer (&mail, g_free);
  body = g_strdup_printf ("{\"verificationToken\":\"%s\",\"email\":\"logs@example.com\"}",
                          verify_token);
  g_assert_cmpuint (post_json (server, "/user/v1/verify-email", NULL, body, &verified_token), ==, 200);
  g_clear_pointer (&body, g_free);

  g_assert_cmpuint (post_json (server, "/user/v1/password-reset/request", NULL,
                               "{\"email\":\"logs@example.com\"}", NULL), ==, 200);
  mail = ba_test_outbox_wait (outbox, "password-reset", "logs@example.com", 1, 5000);
  g_assert_nonnull (mail);
  reset_token = ba_test_mail_get_token (mail);
  body = g_strdup_printf ("{\"token\":\"%s\",\"password\":\"%s\"}", reset_token, reset_password);
  g_assert_cmpuint (post_json (server, "/user/v1/password-reset", NULL, body, &reset_session), ==, 200);
  g_clear_pointer (&body, g_free);

  body = g_strdup_printf ("{\"current_password\":\"%s\",\"new_password\":\"%s\"}",
                          wrong_current, changed_password);
  g_assert_cmpuint (post_json (server, "/user/v1/password", reset_session, body, NULL), ==, 401);
  g_clear_pointer (&body, g_free);
  body = g_strdup_printf ("{\"current_password\":\"%s\",\"new_password\":\"%s\"}",
                          reset_password, changed_password);
  g_assert_cmpuint (post_json (server, "/user/v1/password", reset_session, body,
                               &changed_session), ==, 200);
  g_clear_pointer (&body, g_free);

  /* Two-factor authentication on, new recovery codes, a login with one. */
  g_assert_cmpuint (ba_test_server_request (server, "GET", "/auth/totp/setup", changed_session,
                                            NULL, NULL, &uri, NULL, NULL), ==, 200);
  otpauth = ba_otpauth_parse (uri, &error);
  g_assert_no_error (error);
  secret = ba_base32_encode (otpauth->secret, otpauth->secret_len);
  code = ba_totp_generate (otpauth->algorithm, otpauth->secret, otpauth->secret_len,
                           g_get_real_time () / G_USEC_PER_SEC, otpauth->period, otpauth->digits);
  body = g_strdup_printf ("{\"code\":\"%s\"}", code);
  g_assert_cmpuint (post_json (server, "/auth/totp/verify", changed_session, body,
                               &full_session), ==, 200);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (post_json (server, "/auth/totp/recovery-codes", full_session, NULL,
                               &codes_json), ==, 200);
  g_assert_true (json_parser_load_from_data (parser, codes_json, -1, NULL));
  recovery = g_strdup (json_array_get_string_element (json_node_get_array (json_parser_get_root (parser)), 0));

  body = g_strdup_printf ("{\"username\":\"logs@example.com\",\"password\":\"%s\"}",
                          changed_password);
  g_assert_cmpuint (post_json (server, "/login_", NULL, body, &partial), ==, 200);
  g_clear_pointer (&body, g_free);
  body = g_strdup_printf ("{\"code\":\"%s\"}", recovery);
  g_assert_cmpuint (post_json (server, "/auth/totp/verify", partial, body, &recovered_session), ==, 200);
  g_clear_pointer (&body, g_free);

  g_assert_true (ba_test_server_terminate (server, &error));
  g_assert_no_error (error);

  log = ba_test_server_get_log (server);
  g_test_message ("%s", log);
  g_assert_nonnull (strstr (log, "POST /user/register -> 200"));
  g_assert_nonnull (strstr (log, "POST /auth/totp/verify -> 200"));

  assert_absent (log, signup_password, "the sign-up password");
  assert_absent (log, reset_password, "the password set by a reset");
  assert_absent (log, changed_password, "the changed password");
  assert_absent (log, wrong_current, "a wrong current password");
  assert_absent (log, verify_token, "a verification token");
  assert_absent (log, reset_token, "a reset token");
  assert_absent (log, secret, "the TOTP secret");
  assert_absent (log, recovery, "a recovery code");
  assert_absent (log, codes_json, "the recovery codes");
  assert_absent (log, signup_token, "the sign-up session");
  assert_absent (log, verified_token, "the session of the verification link");
  assert_absent (log, reset_session, "the session of the reset");
  assert_absent (log, changed_session, "the session after the change");
  assert_absent (log, full_session, "the session after 2FA");
  assert_absent (log, partial, "a partial session");
  assert_absent (log, recovered_session, "the session of a recovery code");
  assert_absent (log, strrchr (partial, '.') + 1, "a token signature");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/server/logs/no-secrets", test_no_secrets);
  g_test_add_func ("/ba/server/logs/no-secrets-lifecycle", test_no_secrets_lifecycle);

  return g_test_run ();
}
