/* test-vault-jobs.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The vault's job runner: every operation's _finish accepts only its own
 * _async's result, cancelled API-key jobs say so, and API-key jobs fired
 * without waiting run in call order. */

#include "config.h"

#include "ba-client-test-utils.h"
#include "ba-error.h"
#include "ba-vault.h"
#include "ba-vault-private.h"

static char *tmpdir;

typedef struct
{
  char    *dir;
  BaVault *vault;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static guint counter;
  g_autofree char *path = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GError) error = NULL;
  guint8 bytes[32];

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) (3 + i * 11);
  key = g_bytes_new (bytes, sizeof bytes);

  f->dir = g_strdup_printf ("%s/jobs-%u", tmpdir, counter++);
  path = g_build_filename (f->dir, "vault.db", NULL);
  f->vault = ba_vault_open (path, key, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->vault);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->vault);
  ba_client_test_rm_rf (f->dir);
  g_free (f->dir);
}

static void
save_account (Fixture    *f,
              const char *id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  BaVaultAccount account = {
    .id = (char *) id,
    .server_url = (char *) "https://api.example",
    .user_id = 1,
    .actor_id = 10,
    .username = (char *) "someone",
    .last_used_at = 100,
  };

  ba_vault_save_account_async (f->vault, &account, NULL, ba_client_test_store_result, &result);
  g_assert_true (ba_vault_save_account_finish (f->vault, ba_client_test_wait (&result), &error));
  g_assert_no_error (error);
}

/* A _finish given another operation's result is a programming error: it
 * is reported (a critical) and answers FALSE or NULL, and the result it
 * was given is still freed with the task. */
static void
test_source_tags (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  BaVaultAccount account = {
    .id = (char *) "1@https://api.example",
    .server_url = (char *) "https://api.example",
    .username = (char *) "someone",
  };

  /* Two operations that both answer a gboolean. */
  ba_vault_save_account_async (f->vault, &account, NULL, ba_client_test_store_result, &result);
  ba_client_test_wait (&result);
  g_test_expect_message ("ba-vault", G_LOG_LEVEL_CRITICAL, "*source_tag*");
  g_assert_false (ba_vault_forget_account_finish (f->vault, result, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_clear_object (&result);

  /* Two that both answer a GPtrArray, one of them on the API-key queue. */
  ba_vault_load_api_keys_async (f->vault, account.id, NULL, ba_client_test_store_result, &result);
  ba_client_test_wait (&result);
  g_test_expect_message ("ba-vault", G_LOG_LEVEL_CRITICAL, "*source_tag*");
  g_assert_null (ba_vault_list_accounts_finish (f->vault, result, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_clear_object (&result);

  /* The runner of the feature files is an operation of its own too. */
  ba_vault_list_accounts_async (f->vault, NULL, ba_client_test_store_result, &result);
  ba_client_test_wait (&result);
  g_test_expect_message ("ba-vault", G_LOG_LEVEL_CRITICAL, "*source_tag*");
  g_assert_null (ba_vault_run_finish (f->vault, result, &error));
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_clear_object (&result);

  /* And the right _finish still works. */
  ba_vault_list_accounts_async (f->vault, NULL, ba_client_test_store_result, &result);
  accounts = ba_vault_list_accounts_finish (f->vault, ba_client_test_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  g_assert_cmpstr (((BaVaultAccount *) g_ptr_array_index (accounts, 0))->id, ==, account.id);
}

/* A job on the API-key queue that was cancelled before it ran says so and
 * writes nothing. */
static void
test_cancelled_key_job (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  const char *id = "1@https://api.example";

  save_account (f, id);
  g_ptr_array_add (keys, ba_api_key_new (1, "never", NULL, 0, 0));

  g_cancellable_cancel (cancellable);
  ba_vault_replace_api_keys_async (f->vault, id, keys, cancellable, ba_client_test_store_result, &result);
  g_assert_false (ba_vault_replace_api_keys_finish (f->vault, ba_client_test_wait (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_clear_object (&result);

  ba_vault_load_api_keys_async (f->vault, id, NULL, ba_client_test_store_result, &result);
  loaded = ba_vault_load_api_keys_finish (f->vault, ba_client_test_wait (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 0);
}

static void
store_in_order (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GPtrArray *results = user_data;

  g_ptr_array_add (results, g_object_ref (result));
}

/* API-key jobs fired without waiting run, and answer, in call order; a
 * failing one (an unknown account) fails alone and leaves the rest. */
static void
test_key_queue_order (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(BaApiKey) renamed = ba_api_key_new (2, "b renamed", "now with a description", 20, 0);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  const char *id = "1@https://api.example";
  const gint64 gone[] = { 1 };

  save_account (f, id);
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("%c", 'a' + i - 1);

      g_ptr_array_add (keys, ba_api_key_new (i, name, NULL, i * 10, 0));
    }

  ba_vault_replace_api_keys_async (f->vault, id, keys, NULL, store_in_order, results);
  ba_vault_save_api_key_async (f->vault, id, renamed, NULL, store_in_order, results);
  ba_vault_save_api_key_async (f->vault, "nobody@https://api.example", renamed, NULL,
                               store_in_order, results);
  ba_vault_delete_api_keys_async (f->vault, id, gone, G_N_ELEMENTS (gone), NULL,
                                  store_in_order, results);
  ba_vault_load_api_keys_async (f->vault, id, NULL, store_in_order, results);

  while (results->len < 5)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (ba_vault_replace_api_keys_finish (f->vault, results->pdata[0], &error));
  g_assert_no_error (error);
  g_assert_true (ba_vault_save_api_key_finish (f->vault, results->pdata[1], &error));
  g_assert_no_error (error);
  /* The foreign key to accounts refuses a key of an unknown account. */
  g_assert_false (ba_vault_save_api_key_finish (f->vault, results->pdata[2], &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_VAULT);
  g_clear_error (&error);
  g_assert_true (ba_vault_delete_api_keys_finish (f->vault, results->pdata[3], &error));
  g_assert_no_error (error);

  loaded = ba_vault_load_api_keys_finish (f->vault, results->pdata[4], &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 2);
  g_assert_cmpstr (ba_api_key_get_name (g_ptr_array_index (loaded, 0)), ==, "b renamed");
  g_assert_cmpstr (ba_api_key_get_description (g_ptr_array_index (loaded, 0)), ==, "now with a description");
  g_assert_cmpstr (ba_api_key_get_name (g_ptr_array_index (loaded, 1)), ==, "c");
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  tmpdir = ba_client_test_init (&argc, &argv);

  g_test_add ("/ba/vault-jobs/source-tags", Fixture, NULL,
              fixture_setup, test_source_tags, fixture_teardown);
  g_test_add ("/ba/vault-jobs/cancelled-key-job", Fixture, NULL,
              fixture_setup, test_cancelled_key_job, fixture_teardown);
  g_test_add ("/ba/vault-jobs/key-queue-order", Fixture, NULL,
              fixture_setup, test_key_queue_order, fixture_teardown);

  ret = g_test_run ();
  ba_client_test_cleanup (tmpdir);

  return ret;
}
