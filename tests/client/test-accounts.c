/* test-accounts.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ba-account.h"
#include "ba-account-recovery.h"
#include "ba-client-test-utils.h"
#include "ba-error.h"
#include "ba-test-server.h"

#include <glib/gstdio.h>

/* Several accounts (issue 7): the same user name on two spawned servers,
 * each account with its own keyring item and vault rows; switching picks
 * the one restored; logging out of one leaves the other. */

static char *tmpdir;

static BaAccount *
login (BaTestServer  *server,
       BaSecretStore *store,
       BaVault       *vault)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  BaAccount *account;

  ba_account_login_async (ba_test_server_get_url (server), ba_test_server_get_demo_username (server),
                          ba_test_server_get_demo_password (server), store, vault, NULL,
                          ba_client_test_store_result, &result);
  account = ba_account_login_finish (ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);

  return account;
}

static char *
lookup (BaSecretStore *store,
        const char    *id)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  char *secret;
  char *copy;

  ba_secret_store_lookup_token_async (store, id, NULL, ba_client_test_store_result, &result);
  secret = ba_secret_store_lookup_token_finish (store, ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);
  copy = g_strdup (secret);
  secret_password_free (secret);

  return copy;
}

static GPtrArray *
list (BaVault *vault)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  GPtrArray *accounts;

  ba_vault_list_accounts_async (vault, NULL, ba_client_test_store_result, &result);
  accounts = ba_vault_list_accounts_finish (vault, ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);

  return accounts;
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

static void
touch (BaVault    *vault,
       const char *id,
       gint64      when,
       GError    **error)
{
  GAsyncResult *result = NULL;

  ba_vault_touch_account_async (vault, id, when, NULL, ba_client_test_store_result, &result);
  ba_vault_touch_account_finish (vault, ba_client_test_wait (&result), error);
  g_object_unref (result);
}

static void
test_two_servers (void)
{
  g_autoptr(BaTestServer) one = NULL;
  g_autoptr(BaTestServer) two = NULL;
  g_autoptr(BaSecretStore) store = ba_secret_store_new ();
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(BaAccount) first = NULL;
  g_autoptr(BaAccount) second = NULL;
  g_autoptr(BaAccount) restored = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "accounts-vault.db", NULL);
  g_autofree char *token_one = NULL;
  g_autofree char *token_two = NULL;
  g_autofree char *first_id = NULL;
  GAsyncResult *result = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  one = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  two = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  ba_secret_store_get_vault_key_async (store, NULL, ba_client_test_store_result, &result);
  key = ba_secret_store_get_vault_key_finish (store, ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  vault = ba_vault_open (path, key, NULL, &error);
  g_assert_no_error (error);

  /* The same user ("demo", user 1) on two servers: two accounts. */
  first = login (one, store, vault);
  second = login (two, store, vault);
  g_assert_cmpint (ba_account_get_user_id (first), ==, ba_account_get_user_id (second));
  g_assert_cmpstr (ba_account_get_id (first), !=, ba_account_get_id (second));
  first_id = g_strdup (ba_account_get_id (first));

  token_one = lookup (store, ba_account_get_id (first));
  token_two = lookup (store, ba_account_get_id (second));
  g_assert_nonnull (token_one);
  g_assert_nonnull (token_two);
  g_assert_cmpstr (token_one, ==, ba_session_get_token (ba_account_get_session (first)));
  g_assert_cmpstr (token_two, ==, ba_session_get_token (ba_account_get_session (second)));

  accounts = list (vault);
  g_assert_cmpuint (accounts->len, ==, 2);
  g_clear_pointer (&accounts, g_ptr_array_unref);

  /* Switching: the chosen account is the one restored. */
  touch (vault, first_id, now + 10, &error);
  g_assert_no_error (error);
  restored = restore (store, vault);
  g_assert_cmpstr (ba_account_get_id (restored), ==, first_id);
  g_assert_cmpstr (ba_account_get_server_url (restored), ==, ba_test_server_get_url (one));
  g_assert_cmpstr (ba_session_get_token (ba_account_get_session (restored)), ==, token_one);
  accounts = list (vault);
  g_assert_cmpstr (((BaVaultAccount *) accounts->pdata[0])->id, ==, first_id);
  g_clear_pointer (&accounts, g_ptr_array_unref);
  g_clear_object (&restored);

  touch (vault, "9@https://nowhere.example", now, &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Logging out of one leaves the other, keyring and vault alike. */
  ba_account_logout_async (first, NULL, ba_client_test_store_result, &result);
  g_assert_true (ba_account_logout_finish (first, ba_client_test_wait (&result), &error));
  g_clear_object (&result);
  g_assert_no_error (error);

  g_clear_pointer (&token_one, g_free);
  token_one = lookup (store, first_id);
  g_assert_null (token_one);
  g_clear_pointer (&token_two, g_free);
  token_two = lookup (store, ba_account_get_id (second));
  g_assert_nonnull (token_two);

  accounts = list (vault);
  g_assert_cmpuint (accounts->len, ==, 1);
  g_assert_cmpstr (((BaVaultAccount *) accounts->pdata[0])->id, ==, ba_account_get_id (second));
  restored = restore (store, vault);
  g_assert_cmpstr (ba_account_get_id (restored), ==, ba_account_get_id (second));
}

static void
store_token (BaSecretStore *store,
             const char    *id,
             const char    *token)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  ba_secret_store_store_token_async (store, id, "Test session", token, NULL,
                                     ba_client_test_store_result, &result);
  ba_secret_store_store_token_finish (store, ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);
}

/* The vault cannot be read and is rebuilt empty; the accounts come back
 * from the session tokens in the keyring. A token the server refuses is
 * removed; one whose server does not answer is kept. */
static void
test_recover_after_rebuild (void)
{
  g_autoptr(BaTestServer) server = NULL;
  g_autoptr(BaSecretStore) store = ba_secret_store_new ();
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(BaAccount) restored = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "recover-vault.db", NULL);
  g_autofree char *token = NULL;
  g_autofree char *forged = NULL;
  g_autofree char *refused_id = NULL;
  g_autofree char *account_id = NULL;
  g_autofree char *stored = NULL;
  g_auto(GStrv) leftovers = NULL;
  const char *unreachable_id = "5@http://127.0.0.1:1";
  GAsyncResult *result = NULL;
  gboolean rebuilt = FALSE;
  guint n_restored = 99;
  guint n_kept = 99;
  char *signature;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  /* Earlier cases of this program share the keyring: start without any
   * session token, so the counts below are this case's own. */
  ba_secret_store_list_token_accounts_async (store, NULL, ba_client_test_store_result, &result);
  leftovers = ba_secret_store_list_token_accounts_finish (store, ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  for (guint i = 0; leftovers[i] != NULL; i++)
    {
      ba_secret_store_clear_token_async (store, leftovers[i], NULL, ba_client_test_store_result, &result);
      g_assert_true (ba_secret_store_clear_token_finish (store, ba_client_test_wait (&result), &error));
      g_clear_object (&result);
      g_assert_no_error (error);
    }

  ba_secret_store_get_vault_key_async (store, NULL, ba_client_test_store_result, &result);
  key = ba_secret_store_get_vault_key_finish (store, ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  vault = ba_vault_open (path, key, NULL, &error);
  g_assert_no_error (error);

  account = login (server, store, vault);
  account_id = g_strdup (ba_account_get_id (account));
  token = g_strdup (ba_session_get_token (ba_account_get_session (account)));
  g_clear_object (&account);

  /* A token whose signature the server does not accept, saved for another
   * user of the same server; and a good-looking token for a server that
   * is not there. */
  forged = g_strdup (token);
  signature = strrchr (forged, '.') + 1;
  signature[0] = signature[0] == 'A' ? 'B' : 'A';
  refused_id = g_strdup_printf ("99@%s", ba_test_server_get_url (server));
  store_token (store, refused_id, forged);
  store_token (store, unreachable_id, token);

  /* The vault file is damaged while the app is closed. */
  g_clear_object (&vault);
  g_file_set_contents (path, "not a vault at all", -1, &error);
  g_assert_no_error (error);
  vault = ba_vault_open (path, key, &rebuilt, &error);
  g_assert_no_error (error);
  g_assert_true (rebuilt);
  accounts = list (vault);
  g_assert_cmpuint (accounts->len, ==, 0);
  g_clear_pointer (&accounts, g_ptr_array_unref);

  ba_account_recover_from_keyring_async (store, vault, NULL, ba_client_test_store_result, &result);
  g_assert_true (ba_account_recover_from_keyring_finish (ba_client_test_wait (&result),
                                                         &n_restored, &n_kept, &error));
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpuint (n_restored, ==, 1);
  g_assert_cmpuint (n_kept, ==, 1);

  /* The account is in the vault again, and restores as at any start. */
  accounts = list (vault);
  g_assert_cmpuint (accounts->len, ==, 1);
  g_assert_cmpstr (((BaVaultAccount *) accounts->pdata[0])->id, ==, account_id);
  g_assert_cmpstr (((BaVaultAccount *) accounts->pdata[0])->username, ==,
                   ba_test_server_get_demo_username (server));
  restored = restore (store, vault);
  g_assert_nonnull (restored);
  g_assert_cmpstr (ba_account_get_id (restored), ==, account_id);
  g_assert_cmpint (ba_account_get_state (restored), !=, BA_ACCOUNT_STATE_LOGGED_OUT);
  g_assert_cmpstr (ba_session_get_token (ba_account_get_session (restored)), ==, token);

  /* The refused token is gone; the unchecked one stays. */
  stored = lookup (store, refused_id);
  g_assert_null (stored);
  stored = lookup (store, unreachable_id);
  g_assert_cmpstr (stored, ==, token);
  g_clear_pointer (&stored, g_free);

  /* Nothing is left to do: the same call again restores the same account
   * (its row is saved over) and keeps the same token. */
  ba_account_recover_from_keyring_async (store, vault, NULL, ba_client_test_store_result, &result);
  g_assert_true (ba_account_recover_from_keyring_finish (ba_client_test_wait (&result),
                                                         &n_restored, &n_kept, &error));
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpuint (n_restored, ==, 1);
  g_assert_cmpuint (n_kept, ==, 1);

  /* Tidy up for the other cases of this program. */
  ba_account_logout_async (restored, NULL, ba_client_test_store_result, &result);
  g_assert_true (ba_account_logout_finish (restored, ba_client_test_wait (&result), &error));
  g_clear_object (&result);
  g_assert_no_error (error);
  ba_secret_store_clear_token_async (store, unreachable_id, NULL, ba_client_test_store_result, &result);
  g_assert_true (ba_secret_store_clear_token_finish (store, ba_client_test_wait (&result), &error));
  g_clear_object (&result);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  tmpdir = ba_client_test_init (&argc, &argv);

  g_test_add_func ("/ba/accounts/two-servers", test_two_servers);
  g_test_add_func ("/ba/accounts/recover-after-rebuild", test_recover_after_rebuild);

  ret = g_test_run ();
  ba_client_test_cleanup (tmpdir);

  return ret;
}
