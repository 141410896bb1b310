/* bench-api-keys.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Loads 10,000 API keys (BA_BENCH_KEYS to change the number) from a
 * spawned balena-accounts-server into a BaAccount's model and the vault,
 * and prints how long each step takes, the longest stall of the main loop
 * while it ran (what a list view would feel), and the peak memory. Run it
 * with `meson test --benchmark -C BUILDDIR api-keys`. It only prints
 * figures; it never fails on speed. */

#define G_LOG_DOMAIN "bench-api-keys"

#include "config.h"

#include <stdio.h>

#include <glib/gstdio.h>

#include "ba-account.h"
#include "ba-test-server.h"
#include "bench-support.h"
#include "ba-wipe.h"

#define DEFAULT_KEYS   10000
#define IN_FLIGHT      16

static void
report (const char *step,
        gint64      elapsed_usec,
        guint       n_keys)
{
  printf ("%-44s %9.1f ms  %8.1f µs/key  stall %6.1f ms  peak RSS %7.1f MiB\n",
          step,
          elapsed_usec / 1000.0,
          n_keys > 0 ? elapsed_usec / (double) n_keys : 0.0,
          bench_stall_worst_usec () / 1000.0,
          bench_peak_rss_kib () / 1024.0);
  fflush (stdout);
}

/* Bulk creation, IN_FLIGHT requests at a time. */
typedef struct
{
  BaApiClient *client;
  guint        total;
  guint        started;
  guint        done;
  guint        failed;
} Creator;

static void create_next (Creator *creator);

static void
created_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Creator *creator = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSecretString) key = NULL;

  key = ba_api_client_create_api_key_finish (BA_API_CLIENT (object), result, &error);
  if (key == NULL)
    {
      if (creator->failed++ == 0)
        g_printerr ("Creating a key failed: %s\n", error->message);
    }

  creator->done++;
  create_next (creator);
}

static void
create_next (Creator *creator)
{
  g_autofree char *name = NULL;
  guint i;

  if (creator->started >= creator->total)
    return;

  i = creator->started++;
  /* Names in an order unlike creation's, so sorting has work to do. */
  name = g_strdup_printf ("bench key %05u", (i * 7919) % creator->total);
  ba_api_client_create_api_key_async (creator->client, name,
                                      i % 3 == 0 ? "created by bench-api-keys" : NULL,
                                      i % 5 == 0 ? g_get_real_time () / G_USEC_PER_SEC + 86400 : 0,
                                      NULL, created_cb, creator);
}

static BaAccount *
login (BaTestServer *server,
       BaVault      *vault)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  BaAccount *account;

  ba_account_login_async (ba_test_server_get_url (server),
                          ba_test_server_get_demo_username (server),
                          ba_test_server_get_demo_password (server),
                          NULL, vault, NULL, bench_store_result, &result);
  account = ba_account_login_finish (bench_wait_for (&result), &error);
  g_object_unref (result);
  if (account == NULL)
    g_error ("Login failed: %s", error->message);

  return account;
}

static void
sync_keys (BaAccount *account)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  ba_account_sync_api_keys_async (account, NULL, bench_store_result, &result);
  if (!ba_account_sync_api_keys_finish (account, bench_wait_for (&result), &error))
    g_error ("Sync failed: %s", error->message);
  g_object_unref (result);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(BaTestServer) server = NULL;
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(BaAccount) memory_account = NULL;
  g_autoptr(BaAccount) vault_account = NULL;
  g_autoptr(BaAccount) restored = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) vault_key = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *vault_path = NULL;
  GAsyncResult *result = NULL;
  GListModel *model;
  const char *env = g_getenv ("BA_BENCH_KEYS");
  guint n_keys = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : DEFAULT_KEYS;
  guint8 raw_key[32];
  Creator creator = { 0 };
  gint64 start;

  if (n_keys == 0)
    n_keys = DEFAULT_KEYS;

  tmpdir = g_dir_make_tmp ("bench-api-keys-XXXXXX", &error);
  g_assert_no_error (error);
  vault_path = g_build_filename (tmpdir, "vault.db", NULL);
  randombytes_buf (raw_key, sizeof raw_key);
  vault_key = g_bytes_new (raw_key, sizeof raw_key);
  sodium_memzero (raw_key, sizeof raw_key);

  bench_stall_start ();

  server = ba_test_server_start (TRUE, &error);
  if (server == NULL)
    g_error ("Could not start the server: %s", error->message);
  vault = ba_vault_open (vault_path, vault_key, NULL, &error);
  g_assert_no_error (error);

  printf ("API keys: %u, server %s, peak RSS at start %.1f MiB\n",
          n_keys, ba_test_server_get_url (server), bench_peak_rss_kib () / 1024.0);

  /* One account caches in the vault, the other is session-only so the
   * network, parse and model steps can be timed without the disk. */
  vault_account = login (server, vault);
  memory_account = login (server, NULL);

  bench_stall_reset ();
  creator.client = ba_account_get_api_client (memory_account);
  creator.total = n_keys;
  start = g_get_monotonic_time ();
  for (guint i = 0; i < IN_FLIGHT; i++)
    create_next (&creator);
  while (creator.done < creator.total)
    g_main_context_iteration (NULL, TRUE);
  report ("create (POST /api-key/user/full, 16 at once)", g_get_monotonic_time () - start, n_keys);
  if (creator.failed > 0)
    g_error ("%u keys could not be created", creator.failed);

  /* HTTP and parsing alone (the parse runs in a worker thread). */
  {
    g_autoptr(BaIdentity) identity = NULL;
    BaApiClient *client = ba_account_get_api_client (memory_account);

    ba_api_client_whoami_async (client, NULL, bench_store_result, &result);
    identity = ba_api_client_whoami_finish (client, bench_wait_for (&result), &error);
    g_clear_object (&result);
    g_assert_no_error (error);

    bench_stall_reset ();
    start = g_get_monotonic_time ();
    ba_api_client_list_api_keys_async (client, identity->actor_id, NULL, bench_store_result, &result);
    keys = ba_api_client_list_api_keys_finish (client, bench_wait_for (&result), &error);
    g_clear_object (&result);
    g_assert_no_error (error);
    report ("list: HTTP GET + parse", g_get_monotonic_time () - start, keys->len);
    if (keys->len != n_keys)
      g_error ("The server listed %u keys, expected %u", keys->len, n_keys);
  }

  /* Into the model of an account without a vault. */
  model = ba_account_get_api_keys (memory_account);
  bench_stall_reset ();
  start = g_get_monotonic_time ();
  sync_keys (memory_account);
  report ("sync into the model (HTTP + parse + model)", g_get_monotonic_time () - start,
          g_list_model_get_n_items (model));

  bench_stall_reset ();
  start = g_get_monotonic_time ();
  sync_keys (memory_account);
  report ("sync again, nothing changed", g_get_monotonic_time () - start,
          g_list_model_get_n_items (model));

  /* The vault on its own. */
  g_clear_pointer (&keys, g_ptr_array_unref);
  keys = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (keys, g_list_model_get_item (model, i));

  bench_stall_reset ();
  start = g_get_monotonic_time ();
  ba_vault_replace_api_keys_async (vault, ba_account_get_id (vault_account), keys, NULL,
                                   bench_store_result, &result);
  if (!ba_vault_replace_api_keys_finish (vault, bench_wait_for (&result), &error))
    g_error ("Saving failed: %s", error->message);
  g_clear_object (&result);
  report ("save to the vault (one transaction)", g_get_monotonic_time () - start, keys->len);

  bench_stall_reset ();
  start = g_get_monotonic_time ();
  ba_vault_load_api_keys_async (vault, ba_account_get_id (vault_account), NULL, bench_store_result, &result);
  loaded = ba_vault_load_api_keys_finish (vault, bench_wait_for (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  report ("reload from the vault", g_get_monotonic_time () - start, loaded->len);

  /* What a start-up does: the cached account and its keys, no network. */
  bench_stall_reset ();
  start = g_get_monotonic_time ();
  ba_account_restore_async (NULL, vault, NULL, bench_store_result, &result);
  restored = ba_account_restore_finish (bench_wait_for (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  report ("restore: account + keys into the model", g_get_monotonic_time () - start,
          g_list_model_get_n_items (ba_account_get_api_keys (restored)));

  /* End to end: server to model to vault, for an account that has the
   * whole list cached already (the usual case) ... */
  bench_stall_reset ();
  start = g_get_monotonic_time ();
  sync_keys (vault_account);
  report ("sync with the vault (first, from empty)", g_get_monotonic_time () - start,
          g_list_model_get_n_items (ba_account_get_api_keys (vault_account)));

  bench_stall_reset ();
  start = g_get_monotonic_time ();
  sync_keys (vault_account);
  report ("sync with the vault (again)", g_get_monotonic_time () - start,
          g_list_model_get_n_items (ba_account_get_api_keys (vault_account)));

  printf ("peak RSS at the end %.1f MiB\n", bench_peak_rss_kib () / 1024.0);

  g_clear_object (&restored);
  g_clear_object (&vault_account);
  g_clear_object (&memory_account);
  g_clear_object (&vault);
  g_unlink (vault_path);
  g_rmdir (tmpdir);

  return 0;
}
