/* test-two-factor.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "ba-account-two-factor.h"
#include "ba-api-client-two-factor.h"
#include "ba-client-test-utils.h"
#include "ba-error.h"
#include "ba-jwt.h"
#include "ba-login-challenge.h"
#include "ba-otpauth.h"
#include "ba-test-server.h"
#include "ba-totp.h"

/* The client's two-factor calls and the login challenge against a real
 * spawned server, with the keyring's file backend and a real vault; the
 * answers a real server never gives come from an in-process fake. */

static char *tmpdir;

typedef struct
{
  BaTestServer  *server;
  BaSecretStore *store;
  BaVault       *vault;
  BaOtpauth     *otpauth;
} Fixture;

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
wait_for_fresh_step (void)
{
  gint64 into = now_seconds () % BA_TOTP_DEFAULT_PERIOD;

  if (into > BA_TOTP_DEFAULT_PERIOD - 8)
    g_usleep ((BA_TOTP_DEFAULT_PERIOD - into + 1) * G_USEC_PER_SEC);
}

static char *
code_for (Fixture *f,
          int      step_offset)
{
  gint64 step = now_seconds () / BA_TOTP_DEFAULT_PERIOD + step_offset;

  return ba_totp_generate (BA_TOTP_SHA1, f->otpauth->secret, f->otpauth->secret_len,
                           step * BA_TOTP_DEFAULT_PERIOD, BA_TOTP_DEFAULT_PERIOD,
                           BA_TOTP_DEFAULT_DIGITS);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static guint counter;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autofree char *vault_path = NULL;
  GAsyncResult *result = NULL;
  gboolean rebuilt;

  f->server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  f->store = ba_secret_store_new ();

  ba_secret_store_get_vault_key_async (f->store, NULL, ba_client_test_store_result, &result);
  key = ba_secret_store_get_vault_key_finish (f->store, ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);

  vault_path = g_strdup_printf ("%s/two-factor-%u/vault.db", tmpdir, counter++);
  ba_vault_open_async (vault_path, key, NULL, ba_client_test_store_result, &result);
  f->vault = ba_vault_open_finish (ba_client_test_wait (&result), &rebuilt, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->otpauth, ba_otpauth_free);
  g_clear_pointer (&f->server, ba_test_server_stop);
  g_clear_object (&f->vault);
  g_clear_object (&f->store);
}

/* Logs in with the demo password. Returns the account, or NULL with the
 * challenge in @out_challenge when 2FA is on. */
static BaAccount *
login (Fixture           *f,
       BaLoginChallenge **out_challenge)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  BaAccount *account;

  ba_account_login_async (ba_test_server_get_url (f->server),
                          ba_test_server_get_demo_email (f->server),
                          ba_test_server_get_demo_password (f->server),
                          f->store, f->vault, NULL, ba_client_test_store_result, &result);
  account = ba_account_login_finish (ba_client_test_wait (&result), &error);
  *out_challenge = ba_login_challenge_from_result (result);
  g_object_unref (result);

  if (account != NULL)
    {
      g_assert_no_error (error);
      g_assert_null (*out_challenge);
    }
  else
    {
      g_assert_error (error, BA_ERROR, BA_ERROR_TWO_FACTOR_REQUIRED);
      g_assert_nonnull (*out_challenge);
    }

  return account;
}

static BaAccount *
answer (BaLoginChallenge  *challenge,
        const char        *code,
        GError           **error)
{
  GAsyncResult *result = NULL;
  BaAccount *account;

  ba_login_challenge_answer_async (challenge, code, NULL, ba_client_test_store_result, &result);
  account = ba_login_challenge_answer_finish (challenge, ba_client_test_wait (&result), error);
  g_object_unref (result);

  return account;
}

static char *
setup (BaAccount  *account,
       GError    **error)
{
  GAsyncResult *result = NULL;
  char *uri;

  ba_account_setup_two_factor_async (account, NULL, ba_client_test_store_result, &result);
  uri = ba_account_setup_two_factor_finish (account, ba_client_test_wait (&result), error);
  g_object_unref (result);

  return uri;
}

static gboolean
enable (BaAccount   *account,
        const char  *code,
        GError     **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  ba_account_enable_two_factor_async (account, code, NULL, ba_client_test_store_result, &result);
  ok = ba_account_enable_two_factor_finish (account, ba_client_test_wait (&result), error);
  g_object_unref (result);

  return ok;
}

static gboolean
disable (BaAccount   *account,
         const char  *password,
         GError     **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  ba_account_disable_two_factor_async (account, password, NULL, ba_client_test_store_result, &result);
  ok = ba_account_disable_two_factor_finish (account, ba_client_test_wait (&result), error);
  g_object_unref (result);

  return ok;
}

static char **
new_codes (BaAccount  *account,
           GError    **error)
{
  GAsyncResult *result = NULL;
  char **codes;

  ba_account_new_recovery_codes_async (account, NULL, ba_client_test_store_result, &result);
  codes = ba_account_new_recovery_codes_finish (account, ba_client_test_wait (&result), error);
  g_object_unref (result);

  return codes;
}

static void
count_codes (BaAccount *account,
             guint     *out_total,
             guint     *out_unused)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  ba_account_count_recovery_codes_async (account, NULL, ba_client_test_store_result, &result);
  g_assert_true (ba_account_count_recovery_codes_finish (account, ba_client_test_wait (&result),
                                                         out_total, out_unused, &error));
  g_assert_no_error (error);
  g_object_unref (result);
}

static char *
keyring_token (Fixture   *f,
               BaAccount *account)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  char *token;

  ba_secret_store_lookup_token_async (f->store, ba_account_get_id (account), NULL,
                                      ba_client_test_store_result, &result);
  token = ba_secret_store_lookup_token_finish (f->store, ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);

  return token;
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_lifecycle (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(BaAccount) second = NULL;
  g_autoptr(BaAccount) third = NULL;
  g_autoptr(BaAccount) fourth = NULL;
  g_autoptr(BaLoginChallenge) challenge = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSecretString) uri = NULL;
  g_autoptr(BaSecretString) stored = NULL;
  g_autofree char *code = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *wrong_password = NULL;
  char **codes = NULL;
  guint notified = 0;
  guint total = 0;
  guint unused = 0;

  account = login (f, &challenge);
  g_assert_cmpint (ba_account_get_two_factor_status (account), ==, BA_TWO_FACTOR_NOT_REQUIRED);
  g_signal_connect (account, "notify::session", G_CALLBACK (count_notify), &notified);

  /* Recovery codes are for accounts with 2FA on. */
  codes = new_codes (account, &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_CONFLICT);
  g_assert_null (codes);
  g_clear_error (&error);

  uri = setup (account, &error);
  g_assert_no_error (error);
  f->otpauth = ba_otpauth_parse (uri, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (f->otpauth->account, ==, ba_account_get_username (account));

  /* A wrong pairing code changes nothing. */
  wait_for_fresh_step ();
  code = code_for (f, 0);
  wrong = g_strdup_printf ("%06d", (atoi (code) + 500000) % 1000000);
  g_assert_false (enable (account, wrong, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);
  g_assert_cmpint (ba_account_get_two_factor_status (account), ==, BA_TWO_FACTOR_NOT_REQUIRED);
  g_assert_cmpuint (notified, ==, 0);

  g_assert_true (enable (account, code, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ba_account_get_two_factor_status (account), ==, BA_TWO_FACTOR_PASSED);
  g_assert_cmpuint (notified, ==, 1);
  stored = keyring_token (f, account);
  g_assert_cmpstr (stored, ==, ba_session_get_token (ba_account_get_session (account)));

  codes = new_codes (account, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (codes), ==, 10);
  count_codes (account, &total, &unused);
  g_assert_cmpuint (total, ==, 10);
  g_assert_cmpuint (unused, ==, 10);

  /* The next login stops at the challenge; a wrong code can be retried. */
  second = login (f, &challenge);
  g_assert_null (second);
  g_assert_cmpstr (ba_login_challenge_get_server_url (challenge), ==, ba_test_server_get_url (f->server));
  g_assert_cmpint (ba_login_challenge_get_expires_at (challenge), >, now_seconds ());
  second = answer (challenge, wrong, &error);
  g_assert_null (second);
  g_assert_error (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);
  g_clear_pointer (&code, g_free);
  code = code_for (f, 1);
  second = answer (challenge, code, &error);
  g_assert_no_error (error);
  g_assert_nonnull (second);
  g_assert_cmpstr (ba_account_get_username (second), ==, ba_test_server_get_demo_username (f->server));
  g_assert_cmpint (ba_account_get_state (second), ==, BA_ACCOUNT_STATE_ONLINE);
  g_assert_cmpint (ba_account_get_two_factor_status (second), ==, BA_TWO_FACTOR_PASSED);
  g_clear_object (&challenge);

  /* A recovery code works once. */
  g_assert_true (ba_login_challenge_is_recovery_code (codes[0]));
  g_assert_false (ba_login_challenge_is_recovery_code ("123456"));
  third = login (f, &challenge);
  third = answer (challenge, codes[0], &error);
  g_assert_no_error (error);
  g_assert_nonnull (third);
  count_codes (third, &total, &unused);
  g_assert_cmpuint (total, ==, 10);
  g_assert_cmpuint (unused, ==, 9);
  g_clear_object (&challenge);
  fourth = login (f, &challenge);
  fourth = answer (challenge, codes[0], &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
  g_assert_null (fourth);
  g_clear_error (&error);
  g_clear_object (&challenge);
  ba_wipe_strv_free (codes);

  /* Disable: the wrong password keeps 2FA on. */
  wrong_password = g_strconcat (ba_test_server_get_demo_password (f->server), "x", NULL);
  g_assert_false (disable (account, wrong_password, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);
  g_assert_false (disable (account, "", &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_cmpint (ba_account_get_two_factor_status (account), ==, BA_TWO_FACTOR_PASSED);

  g_assert_true (disable (account, ba_test_server_get_demo_password (f->server), &error));
  g_assert_no_error (error);
  g_assert_cmpint (ba_account_get_two_factor_status (account), ==, BA_TWO_FACTOR_NOT_REQUIRED);
  g_assert_true (ba_session_is_fresh (ba_account_get_session (account), now_seconds ()));
  g_clear_object (&fourth);
  fourth = login (f, &challenge);
  g_assert_nonnull (fourth);
}

static void
test_server_down (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(BaAccount) second = NULL;
  g_autoptr(BaLoginChallenge) challenge = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSecretString) uri = NULL;
  g_autofree char *code = NULL;

  account = login (f, &challenge);
  uri = setup (account, &error);
  g_assert_no_error (error);
  f->otpauth = ba_otpauth_parse (uri, &error);
  g_assert_no_error (error);
  wait_for_fresh_step ();
  code = code_for (f, 0);
  g_assert_true (enable (account, code, &error));
  g_assert_no_error (error);

  second = login (f, &challenge);
  g_assert_nonnull (challenge);

  /* The server goes away: a clear error, and the challenge can be
   * answered once it is back. */
  g_assert_true (ba_test_server_terminate (f->server, &error));
  g_assert_no_error (error);
  g_clear_pointer (&code, g_free);
  code = code_for (f, 1);
  second = answer (challenge, code, &error);
  g_assert_null (second);
  g_assert_error (error, BA_ERROR, BA_ERROR_OFFLINE);
  g_clear_error (&error);

  g_assert_false (disable (account, "whatever", &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_OFFLINE);
  g_clear_error (&error);
  g_assert_cmpint (ba_account_get_two_factor_status (account), ==, BA_TWO_FACTOR_PASSED);
}

/* The account's token re-signed as if the password had been given two
 * hours ago, stored in the keyring and restored from it. */
static BaAccount *
restore_stale (Fixture   *f,
               BaAccount *account)
{
  g_autoptr(GBytes) secret = ba_test_server_get_jwt_secret (f->server);
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stale = NULL;
  GAsyncResult *result = NULL;
  const guint8 *data;
  gsize len = 0;
  gint64 then = now_seconds () - 2 * 60 * 60;
  BaAccount *restored;

  data = g_bytes_get_data (secret, &len);
  claims = ba_jwt_decode (ba_session_get_token (ba_account_get_session (account)), data, len, &error);
  g_assert_no_error (error);
  json_object_set_int_member (claims, "iat", then);
  json_object_set_int_member (claims, "authTime", then * 1000);
  stale = ba_jwt_encode_hs256 (claims, data, len);

  ba_secret_store_store_token_async (f->store, ba_account_get_id (account), "test", stale, NULL,
                                     ba_client_test_store_result, &result);
  g_assert_true (ba_secret_store_store_token_finish (f->store, ba_client_test_wait (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  ba_account_restore_async (f->store, f->vault, NULL, ba_client_test_store_result, &result);
  restored = ba_account_restore_finish (ba_client_test_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (restored);
  g_object_unref (result);

  return restored;
}

static void
test_fresh_for_codes (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(BaAccount) restored = NULL;
  g_autoptr(BaLoginChallenge) challenge = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSecretString) uri = NULL;
  g_autofree char *code = NULL;
  GAsyncResult *result = NULL;
  char **codes;

  account = login (f, &challenge);
  uri = setup (account, &error);
  g_assert_no_error (error);
  f->otpauth = ba_otpauth_parse (uri, &error);
  g_assert_no_error (error);
  wait_for_fresh_step ();
  code = code_for (f, 0);
  g_assert_true (enable (account, code, &error));
  g_assert_no_error (error);

  /* Two hours later (a restored session), new codes need the password,
   * and the account knows without asking the server. */
  restored = restore_stale (f, account);
  g_assert_cmpint (ba_account_get_two_factor_status (restored), ==, BA_TWO_FACTOR_PASSED);
  codes = new_codes (restored, &error);
  g_assert_null (codes);
  g_assert_error (error, BA_ERROR, BA_ERROR_FRESH_AUTH_REQUIRED);
  g_clear_error (&error);

  ba_account_refresh_token_async (restored, ba_test_server_get_demo_password (f->server), NULL,
                                  ba_client_test_store_result, &result);
  g_assert_true (ba_account_refresh_token_finish (restored, ba_client_test_wait (&result), &error));
  g_assert_no_error (error);
  g_object_unref (result);

  /* The refreshed token keeps the passed claim. */
  g_assert_cmpint (ba_account_get_two_factor_status (restored), ==, BA_TWO_FACTOR_PASSED);
  codes = new_codes (restored, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (codes), ==, 10);
  ba_wipe_strv_free (codes);
}

/* Answers a real server never gives. */

static const char *fake_status_body;
static guint fake_status;

static void
fake_cb (SoupServer        *soup_server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  soup_server_message_set_status (msg, fake_status, NULL);
  if (fake_status == 429)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "120");
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    fake_status_body, strlen (fake_status_body));
}

static void
test_garbage (void)
{
  static const struct {
    int call;          /* 0 setup, 1 verify, 2 disable, 3 codes, 4 count */
    guint status;
    const char *body;
    int code;
  } cases[] = {
    { 0, 200, "hello", BA_ERROR_INVALID_RESPONSE },
    { 0, 200, "otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP", BA_ERROR_INVALID_RESPONSE },
    { 0, 404, "", BA_ERROR_NOT_SUPPORTED },
    { 0, 409, "\"Two-factor authentication is already enabled\"", BA_ERROR_CONFLICT },
    { 1, 200, "not a token", BA_ERROR_INVALID_RESPONSE },
    { 1, 401, "", BA_ERROR_NOT_LOGGED_IN },
    { 1, 401, "\"Invalid two-factor authentication code\"", BA_ERROR_WRONG_CREDENTIALS },
    { 1, 429, "\"Too Many Requests\"", BA_ERROR_TOO_MANY_ATTEMPTS },
    { 1, 500, "<html>oops</html>", BA_ERROR_SERVER },
    { 2, 401, "\"Wrong password\"", BA_ERROR_WRONG_CREDENTIALS },
    { 2, 404, "", BA_ERROR_NOT_SUPPORTED },
    { 3, 200, "{\"a\":1}", BA_ERROR_INVALID_RESPONSE },
    { 3, 200, "[]", BA_ERROR_INVALID_RESPONSE },
    { 3, 200, "[\"abcd\", 5]", BA_ERROR_INVALID_RESPONSE },
    { 3, 200, "[\"ab cd\"]", BA_ERROR_INVALID_RESPONSE },
    { 3, 401, "\"Fresh authentication token required\"", BA_ERROR_FRESH_AUTH_REQUIRED },
    { 3, 401, "\"Two-factor authentication required\"", BA_ERROR_PERMISSION_DENIED },
    { 4, 200, "[1]", BA_ERROR_INVALID_RESPONSE },
    { 4, 200, "{\"d\":[{\"id\":1}]}", BA_ERROR_INVALID_RESPONSE },
    { 4, 200, "{\"d\":[{\"id\":1,\"used_timestamp\":5}]}", BA_ERROR_INVALID_RESPONSE },
    { 4, 404, "", BA_ERROR_NOT_SUPPORTED },
  };
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(BaApiClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  GSList *uris;

  soup_server_add_handler (server, NULL, fake_cb, NULL, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  client = ba_api_client_new (url, &error);
  g_assert_no_error (error);
  ba_api_client_set_token (client, "a.b.c");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GAsyncResult *result = NULL;
      g_autoptr(GError) call_error = NULL;
      gpointer value = NULL;

      fake_status = cases[i].status;
      fake_status_body = cases[i].body;

      switch (cases[i].call)
        {
        case 0:
          ba_api_client_totp_setup_async (client, NULL, ba_client_test_store_result, &result);
          value = ba_api_client_totp_setup_finish (client, ba_client_test_wait (&result), &call_error);
          break;
        case 1:
          ba_api_client_totp_verify_async (client, "123456", NULL, ba_client_test_store_result, &result);
          value = ba_api_client_totp_verify_finish (client, ba_client_test_wait (&result), &call_error);
          break;
        case 2:
          ba_api_client_totp_disable_async (client, "pw", NULL, ba_client_test_store_result, &result);
          value = ba_api_client_totp_disable_finish (client, ba_client_test_wait (&result), &call_error);
          break;
        case 3:
          ba_api_client_recovery_codes_async (client, NULL, ba_client_test_store_result, &result);
          value = ba_api_client_recovery_codes_finish (client, ba_client_test_wait (&result), &call_error);
          break;
        case 4:
          ba_api_client_count_recovery_codes_async (client, NULL, ba_client_test_store_result, &result);
          value = GINT_TO_POINTER (ba_api_client_count_recovery_codes_finish (client, ba_client_test_wait (&result),
                                                                              NULL, NULL, &call_error));
          break;
        default:
          g_assert_not_reached ();
        }

      g_object_unref (result);
      if (value != NULL || call_error == NULL || call_error->code != cases[i].code)
        g_error ("case %u: expected error %d, got %s", i, cases[i].code,
                 call_error != NULL ? call_error->message : "success");
      g_assert_true (call_error->domain == BA_ERROR);
      if (cases[i].code == BA_ERROR_TOO_MANY_ATTEMPTS)
        g_assert_nonnull (strstr (call_error->message, "2 minutes"));
    }

  soup_server_disconnect (server);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  tmpdir = ba_client_test_init (&argc, &argv);

  g_test_add ("/ba/client/two-factor/lifecycle", Fixture, NULL,
              fixture_setup, test_lifecycle, fixture_teardown);
  g_test_add ("/ba/client/two-factor/server-down", Fixture, NULL,
              fixture_setup, test_server_down, fixture_teardown);
  g_test_add ("/ba/client/two-factor/fresh-for-codes", Fixture, NULL,
              fixture_setup, test_fresh_for_codes, fixture_teardown);
  g_test_add_func ("/ba/client/two-factor/garbage", test_garbage);

  ret = g_test_run ();
  ba_client_test_cleanup (tmpdir);

  return ret;
}
