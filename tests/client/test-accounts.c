/* test-accounts.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ba-account.h"
#include "ba-client-test-utils.h"
#include "ba-error.h"
#include "ba-test-server.h"

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

int
main (int   argc,
      char *argv[])
{
  int ret;

  tmpdir = ba_client_test_init (&argc, &argv);

  g_test_add_func ("/ba/accounts/two-servers", test_two_servers);

  ret = g_test_run ();
  ba_client_test_cleanup (tmpdir);

  return ret;
}
