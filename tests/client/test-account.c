/* test-account.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>

#include "ba-account.h"
#include "ba-client-test-utils.h"
#include "ba-error.h"
#include "ba-jwt.h"
#include "ba-test-server.h"

static char *tmpdir;

typedef struct
{
  BaTestServer  *server;
  BaSecretStore *store;
  BaVault       *vault;
  char          *vault_path;
} Fixture;

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static BaVault *
open_vault (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  GAsyncResult *result = NULL;
  BaVault *vault;
  gboolean rebuilt = TRUE;

  /* The real start-up path: the key comes from the keyring. */
  ba_secret_store_get_vault_key_async (f->store, NULL, ba_client_test_store_result, &result);
  key = ba_secret_store_get_vault_key_finish (f->store, ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);

  ba_vault_open_async (f->vault_path, key, NULL, ba_client_test_store_result, &result);
  vault = ba_vault_open_finish (ba_client_test_wait (&result), &rebuilt, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_false (rebuilt);

  return vault;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static guint counter;
  g_autoptr(GError) error = NULL;

  f->server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  f->store = ba_secret_store_new ();
  f->vault_path = g_strdup_printf ("%s/account-%u/balena-accounts/vault.db", tmpdir, counter++);
  f->vault = open_vault (f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->server, ba_test_server_stop);
  g_clear_object (&f->vault);
  g_clear_object (&f->store);
  g_free (f->vault_path);
}

static BaAccount *
login (Fixture     *f,
       const char  *username,
       const char  *password,
       BaSecretStore *store,
       BaVault     *vault,
       GError     **error)
{
  GAsyncResult *result = NULL;
  BaAccount *account;

  ba_account_login_async (ba_test_server_get_url (f->server), username, password,
                          store, vault, NULL, ba_client_test_store_result, &result);
  account = ba_account_login_finish (ba_client_test_wait (&result), error);
  g_object_unref (result);

  return account;
}

static BaAccount *
demo_login (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  BaAccount *account = login (f, ba_test_server_get_demo_email (f->server),
                              ba_test_server_get_demo_password (f->server),
                              f->store, f->vault, &error);

  g_assert_no_error (error);
  g_assert_nonnull (account);

  return account;
}

static BaAccount *
restore (BaSecretStore *store,
         BaVault       *vault)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  BaAccount *account;

  ba_account_restore_async (store, vault, NULL, ba_client_test_store_result, &result);
  account = ba_account_restore_finish (ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);

  return account;
}

static gboolean
revalidate (BaAccount  *account,
            GError    **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  ba_account_revalidate_async (account, NULL, ba_client_test_store_result, &result);
  ok = ba_account_revalidate_finish (account, ba_client_test_wait (&result), error);
  g_object_unref (result);

  return ok;
}

static gboolean
refresh_token (BaAccount   *account,
               const char  *password,
               GError     **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  ba_account_refresh_token_async (account, password, NULL, ba_client_test_store_result, &result);
  ok = ba_account_refresh_token_finish (account, ba_client_test_wait (&result), error);
  g_object_unref (result);

  return ok;
}

static char *
lookup_token (BaSecretStore *store,
              const char    *account_id)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  char *secret;
  char *copy;

  ba_secret_store_lookup_token_async (store, account_id, NULL, ba_client_test_store_result, &result);
  secret = ba_secret_store_lookup_token_finish (store, ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);

  copy = g_strdup (secret);
  secret_password_free (secret);

  return copy;
}

static void
store_token (BaSecretStore *store,
             const char    *account_id,
             const char    *token)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  ba_secret_store_store_token_async (store, account_id, "test", token, NULL,
                                     ba_client_test_store_result, &result);
  ba_secret_store_store_token_finish (store, ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);
}

static BaVaultAccount *
load_last (BaVault *vault)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  BaVaultAccount *row;

  ba_vault_load_last_account_async (vault, NULL, ba_client_test_store_result, &result);
  row = ba_vault_load_last_account_finish (vault, ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);

  return row;
}

/* A token the server accepts (signed with its secret, the user's current
 * jwt_secret) with claims changed: @age seconds old, or expired, or with
 * a rotated jwt_secret. */
static char *
forge (Fixture    *f,
       const char *token,
       gint64      age,
       gboolean    expired,
       gboolean    rotated)
{
  g_autoptr(GBytes) secret = ba_test_server_get_jwt_secret (f->server);
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;
  gint64 iat = now_seconds () - age;
  const guint8 *data;
  gsize len = 0;

  g_assert_nonnull (secret);
  data = g_bytes_get_data (secret, &len);
  claims = ba_jwt_decode (token, data, len, &error);
  g_assert_no_error (error);

  json_object_set_int_member (claims, "iat", iat);
  json_object_set_int_member (claims, "authTime", iat * 1000);
  json_object_set_int_member (claims, "exp", expired ? now_seconds () - 60 : iat + 7 * 24 * 60 * 60);
  if (rotated)
    json_object_set_string_member (claims, "jwt_secret", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

  return ba_jwt_encode_hs256 (claims, data, len);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  GHashTable *counts = user_data;
  const char *name = g_param_spec_get_name (pspec);

  g_hash_table_insert (counts, (gpointer) name,
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, name)) + 1));
}

static guint
count_of (GHashTable *counts,
          const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, name));
}

static void
test_login (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(BaVaultAccount) row = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *expected_id = NULL;
  BaSession *session = ba_account_get_session (account);
  BaAccountState state;
  gint64 now = now_seconds ();

  expected_id = g_strdup_printf ("%" G_GINT64_FORMAT "@%s",
                                 ba_account_get_user_id (account),
                                 ba_test_server_get_url (f->server));
  g_assert_cmpstr (ba_account_get_id (account), ==, expected_id);
  g_assert_cmpstr (ba_account_get_server_url (account), ==, ba_test_server_get_url (f->server));
  g_assert_cmpstr (ba_account_get_username (account), ==, ba_test_server_get_demo_username (f->server));
  g_assert_cmpstr (ba_account_get_email (account), ==, ba_test_server_get_demo_email (f->server));
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_ONLINE);
  g_assert_cmpint (ba_account_get_offline_since (account), ==, 0);
  g_assert_cmpint (ba_account_get_last_synced_at (account), >=, now - 5);
  g_assert_nonnull (session);
  g_assert_cmpint (ba_session_get_user_id (session), ==, ba_account_get_user_id (account));
  g_assert_true (ba_account_get_api_client (account) != NULL);
  g_object_get (account, "state", &state, NULL);
  g_assert_cmpint (state, ==, BA_ACCOUNT_STATE_ONLINE);

  /* The token is in the keyring under the account id. */
  stored = lookup_token (f->store, ba_account_get_id (account));
  g_assert_cmpstr (stored, ==, ba_session_get_token (session));

  /* The profile is in the vault. */
  row = load_last (f->vault);
  g_assert_nonnull (row);
  g_assert_cmpstr (row->id, ==, ba_account_get_id (account));
  g_assert_cmpstr (row->server_url, ==, ba_test_server_get_url (f->server));
  g_assert_cmpstr (row->username, ==, ba_test_server_get_demo_username (f->server));
  g_assert_cmpstr (row->email, ==, ba_test_server_get_demo_email (f->server));
  g_assert_cmpint (row->user_id, ==, ba_account_get_user_id (account));
  g_assert_cmpint (row->actor_id, >, 0);
  g_assert_cmpint (row->last_synced_at, >=, now - 5);
  g_assert_cmpint (row->last_used_at, >=, now - 5);
}

static void
test_login_wrong_password (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(BaAccount) bad_url = NULL;
  g_autoptr(BaVaultAccount) row = NULL;

  account = login (f, ba_test_server_get_demo_username (f->server), "wrong password",
                   f->store, f->vault, &error);
  g_assert_null (account);
  g_assert_error (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);

  /* Nothing was cached. */
  row = load_last (f->vault);
  g_assert_null (row);

  {
    GAsyncResult *result = NULL;

    ba_account_login_async ("http://example.com", "u", "p", f->store, f->vault, NULL,
                            ba_client_test_store_result, &result);
    bad_url = ba_account_login_finish (ba_client_test_wait (&result), &error);
    g_object_unref (result);
    g_assert_null (bad_url);
    g_assert_error (error, BA_ERROR, BA_ERROR_INSECURE_URL);
  }
}

static void
test_restore_offline (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(BaAccount) restored = NULL;
  g_autoptr(BaSecretStore) store = NULL;
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(GError) error = NULL;

  /* Start-up on a later day: new objects, and no server at all. */
  g_assert_true (ba_test_server_terminate (f->server, &error));
  g_assert_no_error (error);
  g_clear_object (&f->vault);
  g_clear_object (&f->store);
  f->store = ba_secret_store_new ();
  f->vault = open_vault (f);

  restored = restore (f->store, f->vault);
  g_assert_nonnull (restored);
  g_assert_cmpstr (ba_account_get_id (restored), ==, ba_account_get_id (account));
  g_assert_cmpstr (ba_account_get_username (restored), ==, ba_account_get_username (account));
  g_assert_cmpstr (ba_account_get_email (restored), ==, ba_account_get_email (account));
  g_assert_cmpstr (ba_account_get_server_url (restored), ==, ba_account_get_server_url (account));
  g_assert_cmpint (ba_account_get_user_id (restored), ==, ba_account_get_user_id (account));
  g_assert_cmpint (ba_account_get_state (restored), ==, BA_ACCOUNT_STATE_CACHED);
  g_assert_cmpint (ba_account_get_last_synced_at (restored), ==, ba_account_get_last_synced_at (account));
  g_assert_cmpstr (ba_session_get_token (ba_account_get_session (restored)), ==,
                   ba_session_get_token (ba_account_get_session (account)));

  /* Nothing to restore: NULL, no error. */
  store = ba_secret_store_new ();
  {
    g_autofree char *empty_path = g_strconcat (f->vault_path, ".empty", NULL);
    g_autoptr(GBytes) key = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
    g_autoptr(BaAccount) none = NULL;
    g_autoptr(BaAccount) session_only = NULL;

    vault = ba_vault_open (empty_path, key, NULL, &error);
    g_assert_no_error (error);
    none = restore (store, vault);
    g_assert_null (none);
    session_only = restore (store, NULL);
    g_assert_null (session_only);
  }
}

static void
test_revalidate (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(BaAccount) restored = NULL;
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;

  g_clear_object (&account);
  restored = restore (f->store, f->vault);
  g_assert_cmpint (ba_account_get_state (restored), ==, BA_ACCOUNT_STATE_CACHED);
  g_signal_connect (restored, "notify", G_CALLBACK (count_notify_cb), counts);

  g_assert_true (revalidate (restored, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ba_account_get_state (restored), ==, BA_ACCOUNT_STATE_ONLINE);
  g_assert_cmpuint (count_of (counts, "state"), ==, 1);
  /* Unchanged values are not notified. */
  g_assert_cmpuint (count_of (counts, "username"), ==, 0);
  g_assert_cmpuint (count_of (counts, "offline-since"), ==, 0);

  /* Again: still online, no new state notification. */
  g_assert_true (revalidate (restored, &error));
  g_assert_cmpuint (count_of (counts, "state"), ==, 1);
}

static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(BaVaultAccount) row = NULL;
  g_autoptr(GError) error = NULL;
  gint64 synced = ba_account_get_last_synced_at (account);
  gint64 before = now_seconds ();
  gint64 since;

  g_assert_true (ba_test_server_terminate (f->server, &error));
  g_assert_no_error (error);

  /* Unreachable is not an error: the account is shown offline. */
  g_assert_true (revalidate (account, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_OFFLINE);
  since = ba_account_get_offline_since (account);
  g_assert_cmpint (since, >=, before);
  g_assert_cmpint (since, <=, now_seconds ());

  /* The cached data stays, and so does the time of the last sync. */
  g_assert_cmpstr (ba_account_get_username (account), ==, ba_test_server_get_demo_username (f->server));
  g_assert_cmpint (ba_account_get_last_synced_at (account), ==, synced);
  g_assert_nonnull (ba_account_get_session (account));
  row = load_last (f->vault);
  g_assert_cmpstr (row->id, ==, ba_account_get_id (account));

  /* A later failure keeps the first failure's time. */
  g_usleep (1100 * 1000);
  g_assert_true (revalidate (account, &error));
  g_assert_cmpint (ba_account_get_offline_since (account), ==, since);
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_OFFLINE);
}

static void
test_logged_out (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(BaAccount) restored = NULL;
  g_autoptr(BaVaultAccount) row = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rotated = forge (f, ba_session_get_token (ba_account_get_session (account)),
                                    0, FALSE, TRUE);
  g_autofree char *id = g_strdup (ba_account_get_id (account));

  /* A token whose jwt_secret no longer matches (as after a password
   * change elsewhere): the server answers 401. */
  store_token (f->store, id, rotated);
  g_clear_object (&account);
  restored = restore (f->store, f->vault);
  g_assert_cmpint (ba_account_get_state (restored), ==, BA_ACCOUNT_STATE_CACHED);

  g_assert_false (revalidate (restored, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN);
  g_assert_cmpint (ba_account_get_state (restored), ==, BA_ACCOUNT_STATE_LOGGED_OUT);

  /* The cache is kept and still readable. */
  g_assert_cmpstr (ba_account_get_username (restored), ==, ba_test_server_get_demo_username (f->server));
  row = load_last (f->vault);
  g_assert_nonnull (row);
  g_assert_cmpstr (row->id, ==, id);
}

static void
test_expired (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(BaAccount) restored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expired = forge (f, ba_session_get_token (ba_account_get_session (account)),
                                    8 * 24 * 60 * 60, TRUE, FALSE);
  g_autofree char *id = g_strdup (ba_account_get_id (account));

  store_token (f->store, id, expired);
  g_clear_object (&account);

  /* Known to be over without asking the server. */
  restored = restore (f->store, f->vault);
  g_assert_cmpint (ba_account_get_state (restored), ==, BA_ACCOUNT_STATE_LOGGED_OUT);
  g_assert_cmpstr (ba_account_get_username (restored), ==, ba_test_server_get_demo_username (f->server));

  g_assert_true (ba_test_server_terminate (f->server, &error));
  g_assert_false (revalidate (restored, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN);
  g_assert_cmpint (ba_account_get_state (restored), ==, BA_ACCOUNT_STATE_LOGGED_OUT);
}

static void
test_token_missing (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(BaAccount) restored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup (ba_account_get_id (account));
  GAsyncResult *result = NULL;

  /* The keyring lost the token (reset, or another app removed it). */
  ba_secret_store_clear_token_async (f->store, id, NULL, ba_client_test_store_result, &result);
  g_assert_true (ba_secret_store_clear_token_finish (f->store, ba_client_test_wait (&result), &error));
  g_clear_object (&result);
  g_clear_object (&account);

  /* The cached profile is still shown, but as logged out. */
  restored = restore (f->store, f->vault);
  g_assert_nonnull (restored);
  g_assert_cmpstr (ba_account_get_id (restored), ==, id);
  g_assert_cmpstr (ba_account_get_username (restored), ==, ba_test_server_get_demo_username (f->server));
  g_assert_cmpint (ba_account_get_state (restored), ==, BA_ACCOUNT_STATE_LOGGED_OUT);
  g_assert_null (ba_account_get_session (restored));

  g_assert_false (revalidate (restored, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN);
}

static void
test_revalidate_refreshes (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(BaAccount) restored = NULL;
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autofree char *old = forge (f, ba_session_get_token (ba_account_get_session (account)),
                                25 * 60 * 60, FALSE, FALSE);
  g_autofree char *stored = NULL;
  g_autofree char *id = g_strdup (ba_account_get_id (account));
  BaSession *session;

  store_token (f->store, id, old);
  g_clear_object (&account);
  restored = restore (f->store, f->vault);
  g_assert_true (ba_session_needs_refresh (ba_account_get_session (restored), now_seconds ()));
  g_signal_connect (restored, "notify", G_CALLBACK (count_notify_cb), counts);

  g_assert_true (revalidate (restored, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ba_account_get_state (restored), ==, BA_ACCOUNT_STATE_ONLINE);
  g_assert_cmpuint (count_of (counts, "session"), ==, 1);

  /* A new token, recent, and the keyring has it. */
  session = ba_account_get_session (restored);
  g_assert_cmpstr (ba_session_get_token (session), !=, old);
  g_assert_false (ba_session_needs_refresh (session, now_seconds ()));
  g_assert_cmpint (ba_session_get_issued_at (session), >=, now_seconds () - 5);
  stored = lookup_token (f->store, id);
  g_assert_cmpstr (stored, ==, ba_session_get_token (session));
}

static void
test_refresh_token (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(BaAccount) restored = NULL;
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  g_autofree char *stale = forge (f, ba_session_get_token (ba_account_get_session (account)),
                                  2 * 60 * 60, FALSE, FALSE);
  g_autofree char *stored = NULL;
  g_autofree char *id = g_strdup (ba_account_get_id (account));
  g_autofree char *before_wrong = NULL;
  BaSession *session;

  store_token (f->store, id, stale);
  g_clear_object (&account);
  restored = restore (f->store, f->vault);
  g_assert_false (ba_session_is_fresh (ba_account_get_session (restored), now_seconds ()));
  g_signal_connect (restored, "notify", G_CALLBACK (count_notify_cb), counts);

  /* Without a password: a new token, still not fresh. */
  g_assert_true (refresh_token (restored, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_of (counts, "session"), ==, 1);
  session = ba_account_get_session (restored);
  g_assert_cmpstr (ba_session_get_token (session), !=, stale);
  g_assert_false (ba_session_is_fresh (session, now_seconds ()));
  stored = lookup_token (f->store, id);
  g_assert_cmpstr (stored, ==, ba_session_get_token (session));
  g_clear_pointer (&stored, g_free);

  /* With the password: fresh. */
  g_assert_true (refresh_token (restored, ba_test_server_get_demo_password (f->server), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_of (counts, "session"), ==, 2);
  session = ba_account_get_session (restored);
  g_assert_true (ba_session_is_fresh (session, now_seconds ()));
  stored = lookup_token (f->store, id);
  g_assert_cmpstr (stored, ==, ba_session_get_token (session));

  /* A wrong password changes nothing. */
  before_wrong = g_strdup (ba_session_get_token (session));
  g_assert_false (refresh_token (restored, "wrong password", &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
  g_assert_cmpstr (ba_session_get_token (ba_account_get_session (restored)), ==, before_wrong);
  g_assert_cmpuint (count_of (counts, "session"), ==, 2);
}

static void
test_logout (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(BaAccount) account = demo_login (f);
  g_autoptr(BaVaultAccount) row = NULL;
  g_autoptr(BaAccount) restored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  GAsyncResult *result = NULL;

  ba_account_logout_async (account, NULL, ba_client_test_store_result, &result);
  g_assert_true (ba_account_logout_finish (account, ba_client_test_wait (&result), &error));
  g_object_unref (result);
  g_assert_no_error (error);

  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_LOGGED_OUT);
  g_assert_null (ba_account_get_session (account));
  stored = lookup_token (f->store, ba_account_get_id (account));
  g_assert_null (stored);
  row = load_last (f->vault);
  g_assert_null (row);
  restored = restore (f->store, f->vault);
  g_assert_null (restored);
}

static void
test_session_only (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(BaVaultAccount) row = NULL;
  g_autofree char *stored = NULL;
  GAsyncResult *result = NULL;

  account = login (f, ba_test_server_get_demo_username (f->server),
                   ba_test_server_get_demo_password (f->server), NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_ONLINE);

  /* Nothing was persisted anywhere. */
  stored = lookup_token (f->store, ba_account_get_id (account));
  g_assert_null (stored);
  row = load_last (f->vault);
  g_assert_null (row);

  g_assert_true (revalidate (account, &error));
  g_assert_no_error (error);
  g_assert_true (refresh_token (account, NULL, &error));
  g_assert_no_error (error);

  ba_account_logout_async (account, NULL, ba_client_test_store_result, &result);
  g_assert_true (ba_account_logout_finish (account, ba_client_test_wait (&result), &error));
  g_object_unref (result);
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_LOGGED_OUT);
}

/* A server that goes away and comes back on the same port. */
static void
fake_whoami_cb (SoupServer        *soup_server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  static const char body[] =
    "{\"id\": 30, \"actorType\": \"user\", \"actorTypeId\": 3,"
    " \"username\": \"comeback\", \"email\": \"comeback@example.com\"}";

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body, strlen (body));
}

static SoupServer *
fake_server_new (guint port)
{
  g_autoptr(GError) error = NULL;
  SoupServer *soup_server = soup_server_new (NULL, NULL);

  soup_server_add_handler (soup_server, "/actor/v1/whoami", fake_whoami_cb, NULL, NULL);
  soup_server_listen_local (soup_server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  return soup_server;
}

static void
fake_server_free (SoupServer *soup_server)
{
  soup_server_disconnect (soup_server);
  g_object_unref (soup_server);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_back_online (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) key = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(JsonObject) claims = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strconcat (f->vault_path, ".back-online", NULL);
  g_autofree char *url = NULL;
  g_autofree char *token = NULL;
  BaVaultAccount row = { 0 };
  SoupServer *soup_server;
  GSList *uris;
  guint port;
  gint64 since;

  soup_server = fake_server_new (0);
  uris = soup_server_get_uris (soup_server);
  port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  /* A cached account of that server, with a current token. */
  json_object_set_int_member (claims, "id", 3);
  json_object_set_int_member (claims, "iat", now_seconds ());
  json_object_set_int_member (claims, "exp", now_seconds () + 60 * 60);
  json_object_set_int_member (claims, "authTime", now_seconds () * 1000);
  token = ba_jwt_encode_hs256 (claims, (const guint8 *) "x", 1);
  row.id = g_strdup_printf ("3@%s", url);
  row.server_url = url;
  row.user_id = 3;
  row.actor_id = 30;
  row.username = (char *) "comeback";
  row.last_used_at = now_seconds ();
  vault = ba_vault_open (path, key, NULL, &error);
  g_assert_no_error (error);
  {
    GAsyncResult *result = NULL;

    ba_vault_save_account_async (vault, &row, NULL, ba_client_test_store_result, &result);
    g_assert_true (ba_vault_save_account_finish (vault, ba_client_test_wait (&result), &error));
    g_object_unref (result);
  }
  store_token (f->store, row.id, token);
  g_free (row.id);

  account = restore (f->store, vault);
  g_assert_true (revalidate (account, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_ONLINE);
  g_assert_cmpstr (ba_account_get_email (account), ==, "comeback@example.com");

  /* Gone: offline, with the time of the first failure. */
  fake_server_free (soup_server);
  g_assert_true (revalidate (account, &error));
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_OFFLINE);
  since = ba_account_get_offline_since (account);
  g_assert_cmpint (since, >, 0);

  /* Back on the same port: online again, offline-since cleared. */
  soup_server = fake_server_new (port);
  g_assert_true (revalidate (account, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_ONLINE);
  g_assert_cmpint (ba_account_get_offline_since (account), ==, 0);
  g_assert_cmpint (ba_account_get_last_synced_at (account), >=, since);
  fake_server_free (soup_server);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  tmpdir = ba_client_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/ba/account/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("login", test_login);
  ADD ("login-wrong-password", test_login_wrong_password);
  ADD ("restore-offline", test_restore_offline);
  ADD ("revalidate", test_revalidate);
  ADD ("offline", test_offline);
  ADD ("logged-out", test_logged_out);
  ADD ("expired", test_expired);
  ADD ("token-missing", test_token_missing);
  ADD ("back-online", test_back_online);
  ADD ("revalidate-refreshes", test_revalidate_refreshes);
  ADD ("refresh-token", test_refresh_token);
  ADD ("logout", test_logout);
  ADD ("session-only", test_session_only);

#undef ADD

  ret = g_test_run ();
  ba_client_test_cleanup (tmpdir);

  return ret;
}
