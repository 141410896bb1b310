/* test-account-lifecycle.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>
#include <sqlite3.h>

#include "ba-account-lifecycle.h"
#include "ba-account-private.h"
#include "ba-client-test-utils.h"
#include "ba-error.h"
#include "ba-jwt.h"
#include "ba-otpauth.h"
#include "ba-test-outbox.h"
#include "ba-test-server.h"
#include "ba-totp.h"

/* The account lifecycle through BaAccount and BaApiClient against a
 * spawned server, with the mails read from its outbox, the token from the
 * libsecret file keyring and the account from a real SQLCipher vault. */

#define PASSWORD "correct horse battery"

static char *tmpdir;

typedef struct
{
  BaTestServer  *server;
  char          *outbox;
  BaSecretStore *store;
  BaVault       *vault;
} Fixture;

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
  f->outbox = g_build_filename (ba_test_server_get_data_dir (f->server), "outbox", NULL);
  f->store = ba_secret_store_new ();

  ba_secret_store_get_vault_key_async (f->store, NULL, ba_client_test_store_result, &result);
  key = ba_secret_store_get_vault_key_finish (f->store, ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);

  vault_path = g_strdup_printf ("%s/lifecycle-%u/vault.db", tmpdir, counter++);
  ba_vault_open_async (vault_path, key, NULL, ba_client_test_store_result, &result);
  f->vault = ba_vault_open_finish (ba_client_test_wait (&result), &rebuilt, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->server, ba_test_server_stop);
  g_clear_pointer (&f->outbox, g_free);
  g_clear_object (&f->vault);
  g_clear_object (&f->store);
}

/* Synchronous wrappers */

static BaAccount *
sign_up (Fixture     *f,
         const char  *email,
         const char  *username,
         const char  *password,
         GError     **error)
{
  GAsyncResult *result = NULL;
  BaAccount *account;

  ba_account_sign_up_async (ba_test_server_get_url (f->server), email, username, password,
                            f->store, f->vault, NULL, ba_client_test_store_result, &result);
  account = ba_account_sign_up_finish (ba_client_test_wait (&result), error);
  g_object_unref (result);

  return account;
}

static BaAccount *
login (Fixture     *f,
       const char  *username,
       const char  *password,
       GError     **error)
{
  GAsyncResult *result = NULL;
  BaAccount *account;

  ba_account_login_async (ba_test_server_get_url (f->server), username, password,
                          f->store, f->vault, NULL, ba_client_test_store_result, &result);
  account = ba_account_login_finish (ba_client_test_wait (&result), error);
  g_object_unref (result);

  return account;
}

typedef gboolean (*AccountFinish) (BaAccount *, GAsyncResult *, GError **);

/* Waits for the result the callback stores in *@slot, then finishes. */
static gboolean
finish_bool (BaAccount     *account,
             GAsyncResult **slot,
             AccountFinish  finish,
             GError       **error)
{
  gboolean ok = finish (account, ba_client_test_wait (slot), error);

  g_clear_object (slot);
  return ok;
}

static gboolean
verify_email (BaAccount   *account,
              const char  *code,
              GError     **error)
{
  GAsyncResult *result = NULL;

  ba_account_verify_email_async (account, code, NULL, ba_client_test_store_result, &result);
  return finish_bool (account, &result, ba_account_verify_email_finish, error);
}

static gboolean
resend (BaAccount  *account,
        GError    **error)
{
  GAsyncResult *result = NULL;

  ba_account_resend_verification_email_async (account, NULL, ba_client_test_store_result, &result);
  return finish_bool (account, &result, ba_account_resend_verification_email_finish, error);
}

static gboolean
set_password (BaAccount   *account,
              const char  *current,
              const char  *new_password,
              GError     **error)
{
  GAsyncResult *result = NULL;

  ba_account_set_password_async (account, current, new_password, NULL,
                                 ba_client_test_store_result, &result);
  return finish_bool (account, &result, ba_account_set_password_finish, error);
}

static gboolean
delete_account (BaAccount   *account,
                const char  *password,
                GError     **error)
{
  GAsyncResult *result = NULL;

  ba_account_delete_async (account, password, NULL, ba_client_test_store_result, &result);
  return finish_bool (account, &result, ba_account_delete_finish, error);
}

static BaUserProfile *
fetch_profile (BaAccount *account)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  BaUserProfile *profile;

  ba_account_fetch_profile_async (account, NULL, ba_client_test_store_result, &result);
  profile = ba_account_fetch_profile_finish (account, ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_nonnull (profile);

  return profile;
}

static BaUserProfile *
cached_profile (BaAccount *account)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  BaUserProfile *profile;

  ba_account_load_cached_profile_async (account, NULL, ba_client_test_store_result, &result);
  profile = ba_account_load_cached_profile_finish (account, ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);

  return profile;
}

static char *
keyring_token (Fixture   *f,
               BaAccount *account)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  char *secret;
  char *copy;

  ba_secret_store_lookup_token_async (f->store, ba_account_get_id (account), NULL,
                                      ba_client_test_store_result, &result);
  secret = ba_secret_store_lookup_token_finish (f->store, ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);

  copy = g_strdup (secret);
  secret_password_free (secret);

  return copy;
}

static BaVaultAccount *
vault_last (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  BaVaultAccount *row;

  ba_vault_load_last_account_async (f->vault, NULL, ba_client_test_store_result, &result);
  row = ba_vault_load_last_account_finish (f->vault, ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);

  return row;
}

static guint
whoami_status (Fixture    *f,
               const char *token)
{
  return ba_test_server_request (f->server, "GET", "/actor/v1/whoami", token,
                                 NULL, NULL, NULL, NULL, NULL);
}

/* Tests */

static void
test_parse (void)
{
  struct { const char *in; const char *token; const char *email; } cases[] = {
    { "AbC123", "AbC123", NULL },
    { "  AbC123\n", "AbC123", NULL },
    { "http://127.0.0.1:4/password-reset?token=XyZ789", "XyZ789", NULL },
    { " https://dashboard.example.com/verify-email?token=Q1&email=jane%40example.com ", "Q1", "jane@example.com" },
    { "https://example.com/x?email=a%40b.c&token=T2#frag", "T2", "a@b.c" },
    { "https://example.com/x?nothing=1", NULL, NULL },
    { "https://example.com/x?xtoken=no&token=T3&token=later", "T3", NULL },
    { "two words", NULL, NULL },
    { "", NULL, NULL },
    { "tok'en", NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *token = ba_lifecycle_parse_mail_token (cases[i].in);
      g_autofree char *email = ba_lifecycle_parse_mail_email (cases[i].in);

      g_assert_cmpstr (token, ==, cases[i].token);
      g_assert_cmpstr (email, ==, cases[i].email);
    }

  g_assert_null (ba_lifecycle_parse_mail_token (NULL));

  {
    g_autofree char *cloud = ba_lifecycle_dashboard_url ("https://api.balena-cloud.com", "password-reset");
    g_autofree char *own = ba_lifecycle_dashboard_url ("https://api.example.org:8443/", "preferences");
    g_autofree char *local = ba_lifecycle_dashboard_url ("http://127.0.0.1:4000", "password-reset");
    g_autofree char *other = ba_lifecycle_dashboard_url ("https://balena.example.org", "password-reset");

    g_assert_cmpstr (cloud, ==, "https://dashboard.balena-cloud.com/password-reset");
    g_assert_cmpstr (own, ==, "https://dashboard.example.org/preferences");
    g_assert_null (local);
    g_assert_null (other);
  }
}

static void
test_sign_up_and_verify (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(BaAccount) again = NULL;
  g_autoptr(BaUserProfile) profile = NULL;
  g_autoptr(BaVaultAccount) row = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *first_token = NULL;
  g_autofree char *mail = NULL;
  g_autofree char *old_code = NULL;
  g_autofree char *link = NULL;

  /* Refused before a request: short password; by the server: a bad
   * address. Each error names its field. */
  again = sign_up (f, "jane@example.com", NULL, "1234567", &error);
  g_assert_null (again);
  g_assert_error (error, BA_ERROR, BA_ERROR_WEAK_PASSWORD);
  g_assert_cmpint (ba_lifecycle_error_field (error), ==, BA_LIFECYCLE_FIELD_PASSWORD);
  g_clear_error (&error);
  again = sign_up (f, "jane@example", NULL, PASSWORD, &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_assert_cmpint (ba_lifecycle_error_field (error), ==, BA_LIFECYCLE_FIELD_EMAIL);
  g_clear_error (&error);

  account = sign_up (f, "jane.doe@example.com", NULL, PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_nonnull (account);
  g_assert_cmpstr (ba_account_get_username (account), ==, "jane_doe");
  g_assert_cmpstr (ba_account_get_email (account), ==, "jane.doe@example.com");
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_ONLINE);

  /* Kept like a login: the keyring holds the session, the vault the
   * account. */
  stored = keyring_token (f, account);
  g_assert_cmpstr (stored, ==, ba_session_get_token (ba_account_get_session (account)));
  row = vault_last (f);
  g_assert_nonnull (row);
  g_assert_cmpstr (row->id, ==, ba_account_get_id (account));

  profile = fetch_profile (account);
  g_assert_false (profile->is_verified);
  g_assert_true (profile->has_password_set);
  g_assert_cmpstr (profile->email, ==, "jane.doe@example.com");
  g_clear_pointer (&profile, ba_user_profile_free);

  /* Taken email and username. */
  again = sign_up (f, "JANE.DOE@example.com", NULL, PASSWORD, &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_CONFLICT);
  g_assert_cmpint (ba_lifecycle_error_field (error), ==, BA_LIFECYCLE_FIELD_EMAIL);
  g_clear_error (&error);
  again = sign_up (f, "other@example.com", "Jane_Doe", PASSWORD, &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_CONFLICT);
  g_assert_cmpint (ba_lifecycle_error_field (error), ==, BA_LIFECYCLE_FIELD_USERNAME);
  g_clear_error (&error);

  /* A wrong code is refused and says so. */
  g_assert_false (verify_email (account, "WrongCode123", &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_assert_cmpint (ba_lifecycle_error_field (error), ==, BA_LIFECYCLE_FIELD_TOKEN);
  g_clear_error (&error);
  g_assert_false (verify_email (account, "not a code", &error));
  g_assert_cmpint (ba_lifecycle_error_field (error), ==, BA_LIFECYCLE_FIELD_TOKEN);
  g_clear_error (&error);

  /* Resend, then verify with the whole link from the newest mail. */
  mail = ba_test_outbox_wait (f->outbox, "verify-email", "jane.doe@example.com", 1, 5000);
  old_code = ba_test_mail_get_token (mail);
  g_clear_pointer (&mail, g_free);
  g_assert_true (resend (account, &error));
  g_assert_no_error (error);
  mail = ba_test_outbox_wait (f->outbox, "verify-email", "jane.doe@example.com", 2, 5000);
  g_assert_nonnull (mail);
  g_assert_false (verify_email (account, old_code, &error));
  g_assert_cmpint (ba_lifecycle_error_field (error), ==, BA_LIFECYCLE_FIELD_TOKEN);
  g_clear_error (&error);

  first_token = g_strdup (ba_session_get_token (ba_account_get_session (account)));
  link = ba_test_mail_get_link (mail);
  g_assert_true (verify_email (account, link, &error));
  g_assert_no_error (error);

  /* The new token replaced the old one, in the keyring too. */
  g_assert_cmpstr (ba_session_get_token (ba_account_get_session (account)), !=, first_token);
  g_clear_pointer (&stored, g_free);
  stored = keyring_token (f, account);
  g_assert_cmpstr (stored, ==, ba_session_get_token (ba_account_get_session (account)));
  profile = fetch_profile (account);
  g_assert_true (profile->is_verified);
}

static void
test_reset (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(BaAccount) refused = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *mail = NULL;
  g_autofree char *link = NULL;
  g_autofree char *stored = NULL;
  GAsyncResult *result = NULL;
  const char *emails[] = { "demo@example.com", "nobody@example.com" };

  /* The same success for a known and an unknown address. */
  for (guint i = 0; i < G_N_ELEMENTS (emails); i++)
    {
      ba_account_request_password_reset_async (ba_test_server_get_url (f->server), emails[i], NULL,
                                               ba_client_test_store_result, &result);
      g_assert_true (ba_account_request_password_reset_finish (ba_client_test_wait (&result), &error));
      g_assert_no_error (error);
      g_clear_object (&result);
    }

  mail = ba_test_outbox_wait (f->outbox, "password-reset", "demo@example.com", 1, 5000);
  g_assert_nonnull (mail);
  link = ba_test_mail_get_link (mail);

  /* A short password is refused before the token is spent. */
  ba_account_reset_password_async (ba_test_server_get_url (f->server), link, "short",
                                   f->store, f->vault, NULL, ba_client_test_store_result, &result);
  refused = ba_account_reset_password_finish (ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_null (refused);
  g_assert_error (error, BA_ERROR, BA_ERROR_WEAK_PASSWORD);
  g_clear_error (&error);

  ba_account_reset_password_async (ba_test_server_get_url (f->server), link, "brand new password",
                                   f->store, f->vault, NULL, ba_client_test_store_result, &result);
  account = ba_account_reset_password_finish (ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_nonnull (account);
  g_assert_cmpstr (ba_account_get_username (account), ==, "demo");
  stored = keyring_token (f, account);
  g_assert_cmpstr (stored, ==, ba_session_get_token (ba_account_get_session (account)));

  /* The link is spent; the old password is gone, the new one works. */
  ba_account_reset_password_async (ba_test_server_get_url (f->server), link, "another password",
                                   f->store, f->vault, NULL, ba_client_test_store_result, &result);
  refused = ba_account_reset_password_finish (ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_null (refused);
  g_assert_cmpint (ba_lifecycle_error_field (error), ==, BA_LIFECYCLE_FIELD_TOKEN);
  g_clear_error (&error);

  refused = login (f, "demo", ba_test_server_get_demo_password (f->server), &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);
  g_clear_object (&account);
  account = login (f, "demo", "brand new password", &error);
  g_assert_no_error (error);
}

/* With two-factor authentication on, a reset sets the password but the
 * session it gives waits for the code: nothing is stored, and the app
 * sends the user to log in (password, then code). */
static void
test_reset_two_factor (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaOtpauth) otpauth = NULL;
  g_autofree char *login_json = NULL;
  g_autofree char *token = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *code = NULL;
  g_autofree char *verify_json = NULL;
  g_autofree char *mail = NULL;
  g_autofree char *link = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  GAsyncResult *result = NULL;

  /* Turn 2FA on for demo, over HTTP as the app would. */
  login_json = g_strdup_printf ("{\"username\":\"demo\",\"password\":\"%s\"}",
                                ba_test_server_get_demo_password (f->server));
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/login_", NULL, "application/json",
                                            login_json, &token, NULL, NULL), ==, 200);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/auth/totp/setup", token, NULL, NULL,
                                            &uri, NULL, NULL), ==, 200);
  otpauth = ba_otpauth_parse (uri, &error);
  g_assert_no_error (error);
  code = ba_totp_generate (otpauth->algorithm, otpauth->secret, otpauth->secret_len,
                           g_get_real_time () / G_USEC_PER_SEC, otpauth->period, otpauth->digits);
  verify_json = g_strdup_printf ("{\"code\":\"%s\"}", code);
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/auth/totp/verify", token,
                                            "application/json", verify_json, NULL, NULL, NULL),
                    ==, 200);

  ba_account_request_password_reset_async (ba_test_server_get_url (f->server), "demo@example.com",
                                           NULL, ba_client_test_store_result, &result);
  g_assert_true (ba_account_request_password_reset_finish (ba_client_test_wait (&result), &error));
  g_clear_object (&result);
  mail = ba_test_outbox_wait (f->outbox, "password-reset", "demo@example.com", 1, 5000);
  g_assert_nonnull (mail);
  link = ba_test_mail_get_link (mail);

  ba_account_reset_password_async (ba_test_server_get_url (f->server), link, "brand new password",
                                   f->store, f->vault, NULL, ba_client_test_store_result, &result);
  account = ba_account_reset_password_finish (ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_null (account);
  g_assert_error (error, BA_ERROR, BA_ERROR_TWO_FACTOR_REQUIRED);
  g_clear_error (&error);

  /* Nothing was kept: no account in the vault. */
  ba_vault_list_accounts_async (f->vault, NULL, ba_client_test_store_result, &result);
  accounts = ba_vault_list_accounts_finish (f->vault, ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 0);

  /* The new password is the one: a login with it asks for the code. */
  account = login (f, "demo", "brand new password", &error);
  g_assert_null (account);
  g_assert_error (error, BA_ERROR, BA_ERROR_TWO_FACTOR_REQUIRED);
}

static void
test_change_password (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_token = NULL;
  g_autofree char *stored = NULL;

  account = login (f, "demo", ba_test_server_get_demo_password (f->server), &error);
  g_assert_no_error (error);
  old_token = g_strdup (ba_session_get_token (ba_account_get_session (account)));

  g_assert_false (set_password (account, "not my password", "new password 1", &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
  g_assert_cmpint (ba_lifecycle_error_field (error), ==, BA_LIFECYCLE_FIELD_CURRENT_PASSWORD);
  g_clear_error (&error);
  g_assert_false (set_password (account, ba_test_server_get_demo_password (f->server), "short", &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_WEAK_PASSWORD);
  g_clear_error (&error);
  /* Nothing changed on the way. */
  g_assert_cmpstr (ba_session_get_token (ba_account_get_session (account)), ==, old_token);

  g_assert_true (set_password (account, ba_test_server_get_demo_password (f->server),
                               "new password 1", &error));
  g_assert_no_error (error);

  /* Still logged in, with a new token that the server accepts; the old
   * one is dead. */
  g_assert_cmpstr (ba_session_get_token (ba_account_get_session (account)), !=, old_token);
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_ONLINE);
  g_assert_cmpuint (whoami_status (f, ba_session_get_token (ba_account_get_session (account))), ==, 200);
  g_assert_cmpuint (whoami_status (f, old_token), ==, 401);
  stored = keyring_token (f, account);
  g_assert_cmpstr (stored, ==, ba_session_get_token (ba_account_get_session (account)));
}

static char *
octocat_token (Fixture *f,
               gint64   auth_time_ms)
{
  g_autofree char *path = g_build_filename (ba_test_server_get_data_dir (f->server), "server.db", NULL);
  g_autoptr(GBytes) secret = ba_test_server_get_jwt_secret (f->server);
  g_autoptr(JsonObject) claims = json_object_new ();
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  /* The seeded social-login user: the test stands in for the browser
   * login that would give the app its token. */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id, jwt_secret FROM user WHERE username = 'octocat'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  json_object_set_int_member (claims, "id", sqlite3_column_int64 (stmt, 0));
  json_object_set_string_member (claims, "jwt_secret", (const char *) sqlite3_column_text (stmt, 1));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  json_object_set_int_member (claims, "authTime", auth_time_ms);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "exp", now + 3600);

  return ba_jwt_encode_hs256 (claims, g_bytes_get_data (secret, NULL), g_bytes_get_size (secret));
}

static BaAccount *
open_with_token (Fixture    *f,
                 const char *token)
{
  g_autoptr(BaApiClient) client = ba_api_client_new (ba_test_server_get_url (f->server), NULL);
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  BaAccount *account;

  ba_account_open_with_token_async (client, token, f->store, f->vault, NULL,
                                    ba_client_test_store_result, &result);
  account = ba_account_open_with_token_finish (ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);

  return account;
}

static void
test_set_password (Fixture       *f,
                   gconstpointer  data)
{
  gint64 now_ms = g_get_real_time () / 1000;
  g_autofree char *stale_token = octocat_token (f, now_ms - 30 * 60 * 1000);
  g_autofree char *fresh_token = octocat_token (f, now_ms);
  g_autoptr(BaAccount) stale = open_with_token (f, stale_token);
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(BaAccount) again = NULL;
  g_autoptr(BaUserProfile) profile = NULL;
  g_autoptr(GError) error = NULL;

  profile = fetch_profile (stale);
  g_assert_false (profile->has_password_set);
  g_clear_pointer (&profile, ba_user_profile_free);

  /* A stale session is told to log in again, without a request. */
  g_assert_false (set_password (stale, NULL, "first password", &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_FRESH_AUTH_REQUIRED);
  g_clear_error (&error);

  account = open_with_token (f, fresh_token);
  g_assert_true (set_password (account, NULL, "first password", &error));
  g_assert_no_error (error);
  profile = fetch_profile (account);
  g_assert_true (profile->has_password_set);
  g_assert_cmpuint (whoami_status (f, fresh_token), ==, 401);

  again = login (f, "octocat", "first password", &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
}

static void
test_profile (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(BaAccount) account = sign_up (f, "sam@example.com", "sam", PASSWORD, NULL);
  g_autoptr(BaUserProfile) profile = NULL;
  g_autoptr(BaUserProfile) copy = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  g_assert_nonnull (account);

  /* Nothing cached before the first read. */
  g_assert_null (cached_profile (account));

  ba_account_update_profile_async (account, "Sam", "O'Neil", "Äcme Ltd", NULL,
                                   ba_client_test_store_result, &result);
  g_assert_true (finish_bool (account, &result, ba_account_update_profile_finish, &error));
  g_assert_no_error (error);

  profile = fetch_profile (account);
  g_assert_cmpint (profile->id, ==, ba_account_get_user_id (account));
  g_assert_cmpstr (profile->first_name, ==, "Sam");
  g_assert_cmpstr (profile->last_name, ==, "O'Neil");
  g_assert_cmpstr (profile->company, ==, "Äcme Ltd");
  copy = ba_user_profile_copy (profile);
  g_assert_cmpstr (copy->company, ==, "Äcme Ltd");
  g_clear_pointer (&profile, ba_user_profile_free);

  /* The read was cached in the vault, for showing offline. */
  profile = cached_profile (account);
  g_assert_nonnull (profile);
  g_assert_cmpstr (profile->email, ==, "sam@example.com");
  g_assert_cmpstr (profile->first_name, ==, "Sam");
  g_assert_cmpstr (profile->last_name, ==, "O'Neil");
  g_assert_cmpstr (profile->company, ==, "Äcme Ltd");
  g_assert_true (profile->has_password_set);
  g_assert_false (profile->is_verified);
  g_clear_pointer (&profile, ba_user_profile_free);

  /* "" clears. */
  result = NULL;
  ba_account_update_profile_async (account, "Sam", "", NULL, NULL,
                                   ba_client_test_store_result, &result);
  g_assert_true (finish_bool (account, &result, ba_account_update_profile_finish, &error));
  profile = fetch_profile (account);
  g_assert_null (profile->last_name);
  g_assert_null (profile->company);
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(BaAccount) account = sign_up (f, "gone@example.com", NULL, PASSWORD, NULL);
  g_autoptr(BaAccount) again = NULL;
  g_autoptr(BaVaultAccount) row = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *token = NULL;

  g_assert_nonnull (account);
  token = g_strdup (ba_session_get_token (ba_account_get_session (account)));

  /* A wrong password deletes nothing. */
  g_assert_false (delete_account (account, "wrong password", &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);
  g_assert_cmpuint (whoami_status (f, token), ==, 200);
  stored = keyring_token (f, account);
  g_assert_nonnull (stored);
  g_clear_pointer (&stored, g_free);

  {
    g_autoptr(BaUserProfile) profile = fetch_profile (account);
    g_autoptr(BaUserProfile) cached = cached_profile (account);

    g_assert_nonnull (cached);
  }

  g_assert_true (delete_account (account, PASSWORD, &error));
  g_assert_no_error (error);

  /* The cached profile went with the account's vault row. */
  {
    g_autoptr(BaUserProfile) cached = cached_profile (account);

    g_assert_null (cached);
  }

  /* Gone on the server, from the keyring and from the vault. */
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_LOGGED_OUT);
  g_assert_null (ba_account_get_session (account));
  stored = keyring_token (f, account);
  g_assert_null (stored);
  row = vault_last (f);
  g_assert_null (row);
  g_assert_cmpuint (whoami_status (f, token), ==, 401);
  again = login (f, "gone@example.com", PASSWORD, &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);

  /* Without a password, only a fresh session may delete. */
  g_clear_object (&account);
  account = login (f, "demo", ba_test_server_get_demo_password (f->server), &error);
  g_assert_no_error (error);
  {
    g_autofree char *stale = octocat_token (f, 0);
    g_autoptr(BaAccount) social = open_with_token (f, stale);

    g_assert_false (delete_account (social, NULL, &error));
    g_assert_error (error, BA_ERROR, BA_ERROR_FRESH_AUTH_REQUIRED);
    g_clear_error (&error);
    g_assert_cmpuint (whoami_status (f, stale), ==, 200);
  }
}

/* A server that answers 404 to everything but /ping: balenaCloud or
 * openBalena for the extension endpoints. */
static void
not_found_cb (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  const char *answer = user_data;

  if (answer != NULL)
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, answer, strlen (answer));
      return;
    }

  soup_server_message_set_status (msg, 404, NULL);
}

static char *
start_fake (SoupServer **out_server,
            const char  *answer)
{
  g_autoptr(GError) error = NULL;
  SoupServer *server = soup_server_new (NULL, NULL);
  GSList *uris;
  char *url;

  soup_server_add_handler (server, NULL, not_found_cb, (gpointer) answer, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  *out_server = server;

  return url;
}

static void
test_not_supported (void)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(SoupServer) garbage = NULL;
  g_autofree char *url = start_fake (&server, NULL);
  g_autofree char *garbage_url = start_fake (&garbage, "<html>surprise</html>");
  g_autoptr(BaApiClient) client = ba_api_client_new (url, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autofree char *token = NULL;
  GAsyncResult *result = NULL;

  ba_account_request_password_reset_async (url, "jane@example.com", NULL,
                                           ba_client_test_store_result, &result);
  g_assert_false (ba_account_request_password_reset_finish (ba_client_test_wait (&result), &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_clear_object (&result);

  ba_account_sign_up_async (url, "jane@example.com", NULL, PASSWORD, NULL, NULL, NULL,
                            ba_client_test_store_result, &result);
  account = ba_account_sign_up_finish (ba_client_test_wait (&result), &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_clear_object (&result);

  ba_api_client_set_token (client, "abcdefabcdefabcdefabcdefabcdefab");
  ba_api_client_set_password_async (client, "old password", "new password", NULL,
                                    ba_client_test_store_result, &result);
  token = ba_api_client_set_password_finish (client, ba_client_test_wait (&result), &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_clear_object (&result);

  ba_api_client_get_user_profile_async (client, 1, NULL, ba_client_test_store_result, &result);
  g_assert_null (ba_api_client_get_user_profile_finish (client, ba_client_test_wait (&result), &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);
  g_clear_object (&result);

  /* A server answering garbage gives a clear error, not a session. */
  ba_account_sign_up_async (garbage_url, "jane@example.com", NULL, PASSWORD, NULL, NULL, NULL,
                            ba_client_test_store_result, &result);
  account = ba_account_sign_up_finish (ba_client_test_wait (&result), &error);
  g_assert_null (account);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_RESPONSE);
  g_clear_error (&error);
  g_clear_object (&result);

  /* A server that is gone is OFFLINE. */
  soup_server_disconnect (server);
  ba_account_request_password_reset_async (url, "jane@example.com", NULL,
                                           ba_client_test_store_result, &result);
  g_assert_false (ba_account_request_password_reset_finish (ba_client_test_wait (&result), &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_OFFLINE);
  g_clear_object (&result);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  tmpdir = ba_client_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/ba/account-lifecycle/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/ba/account-lifecycle/parse", test_parse);
  ADD ("sign-up-and-verify", test_sign_up_and_verify);
  ADD ("reset", test_reset);
  ADD ("reset-two-factor", test_reset_two_factor);
  ADD ("change-password", test_change_password);
  ADD ("set-password", test_set_password);
  ADD ("profile", test_profile);
  ADD ("delete", test_delete);
  g_test_add_func ("/ba/account-lifecycle/not-supported", test_not_supported);

#undef ADD

  ret = g_test_run ();
  ba_client_test_cleanup (tmpdir);

  return ret;
}
