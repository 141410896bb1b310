/* bench-fleets.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Gives the demo user 1,000 fleets with 20 devices each (BA_BENCH_FLEETS
 * and BA_BENCH_DEVICES to change the numbers), written straight into a
 * spawned balena-accounts-server's database, then times the Fleets tab's
 * data path: the server answering the Fleets query (nested $expand with
 * the devices' is_online), the client parsing it into the account's list
 * model and caching it in the SQLCipher vault, and a start-up load from
 * the vault. It prints the longest stall of the main loop and the peak
 * memory too. Run it with `meson test --benchmark -C BUILDDIR fleets`. It
 * only prints figures; it never fails on speed. */

#define G_LOG_DOMAIN "bench-fleets"

#include "config.h"

#include <stdio.h>

#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>

#include "ba-account.h"
#include "ba-account-fleets.h"
#include "ba-test-server.h"
#include "bench-support.h"

#define DEFAULT_FLEETS   1000
#define DEFAULT_DEVICES  20

static void
report (const char *step,
        gint64      elapsed_usec,
        guint       n_fleets)
{
  printf ("%-46s %9.1f ms  %7.1f µs/fleet  stall %6.1f ms  peak RSS %6.1f MiB\n",
          step, elapsed_usec / 1000.0,
          n_fleets > 0 ? elapsed_usec / (double) n_fleets : 0.0,
          bench_stall_worst_usec () / 1000.0, bench_peak_rss_kib () / 1024.0);
  fflush (stdout);
}

/* The fleets and devices, in one transaction on the server's own file
 * (WAL: the running server keeps serving). */
static void
add_fleets (BaTestServer *server,
            guint         n_fleets,
            guint         n_devices)
{
  g_autofree char *path = g_build_filename (ba_test_server_get_data_dir (server), "server.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *fleet = NULL;
  sqlite3_stmt *device = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    g_error ("Could not open %s", path);
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db,
                          "INSERT INTO application (app_name, slug, organization, uuid, created_at)"
                          " SELECT ?1, 'demo/' || ?1, id, ?2, '2026-12-04T00:00:00.000Z'"
                          " FROM organization WHERE handle = 'demo'",
                          -1, &fleet, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db,
                          "INSERT INTO device (uuid, device_name, belongs_to__application, is_online,"
                          " created_at) VALUES (?1, ?2, ?3, ?4, '2026-12-04T00:00:00.000Z')",
                          -1, &device, NULL) != SQLITE_OK)
    g_error ("Could not prepare the bench data: %s", sqlite3_errmsg (db));

  for (guint i = 0; i < n_fleets; i++)
    {
      g_autofree char *name = g_strdup_printf ("bench-fleet-%05u", (i * 7919) % n_fleets);
      g_autofree char *uuid = g_strdup_printf ("bench-fleet-uuid-%u", i);
      gint64 fleet_id;

      sqlite3_reset (fleet);
      sqlite3_bind_text (fleet, 1, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (fleet, 2, uuid, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (fleet) != SQLITE_DONE || sqlite3_changes (db) != 1)
        g_error ("Could not add a fleet: %s", sqlite3_errmsg (db));
      fleet_id = sqlite3_last_insert_rowid (db);

      for (guint j = 0; j < n_devices; j++)
        {
          g_autofree char *device_uuid = g_strdup_printf ("bench-device-%u-%u", i, j);
          g_autofree char *device_name = g_strdup_printf ("device %u", j);

          sqlite3_reset (device);
          sqlite3_bind_text (device, 1, device_uuid, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (device, 2, device_name, -1, SQLITE_TRANSIENT);
          sqlite3_bind_int64 (device, 3, fleet_id);
          sqlite3_bind_int (device, 4, j % 3 != 0);
          if (sqlite3_step (device) != SQLITE_DONE)
            g_error ("Could not add a device: %s", sqlite3_errmsg (db));
        }
    }

  sqlite3_finalize (fleet);
  sqlite3_finalize (device);
  if (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    g_error ("Could not commit the bench data: %s", sqlite3_errmsg (db));
  sqlite3_close (db);
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
sync_fleets (BaAccount *account)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  ba_account_sync_fleets_async (account, NULL, bench_store_result, &result);
  if (!ba_account_sync_fleets_finish (account, bench_wait_for (&result), &error))
    g_error ("Sync failed: %s", error->message);
  g_object_unref (result);
}

static guint
env_count (const char *name,
           guint       fallback)
{
  const char *value = g_getenv (name);
  guint n = value != NULL ? (guint) g_ascii_strtoull (value, NULL, 10) : 0;

  return n > 0 ? n : fallback;
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
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) vault_key = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *vault_path = NULL;
  GAsyncResult *result = NULL;
  guint n_fleets = env_count ("BA_BENCH_FLEETS", DEFAULT_FLEETS);
  guint n_devices = env_count ("BA_BENCH_DEVICES", DEFAULT_DEVICES);
  guint n_listed;
  guint8 raw_key[32];
  gint64 start;

  tmpdir = g_dir_make_tmp ("bench-fleets-XXXXXX", &error);
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

  start = g_get_monotonic_time ();
  add_fleets (server, n_fleets, n_devices);
  printf ("Fleets: %u with %u devices each (%u devices), written in %.1f s; server %s\n",
          n_fleets, n_devices, n_fleets * n_devices,
          (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC,
          ba_test_server_get_url (server));

  /* Session-only first: the network, the server's query and the parse
   * without the disk. */
  memory_account = login (server, NULL);
  bench_stall_reset ();
  start = g_get_monotonic_time ();
  sync_fleets (memory_account);
  n_listed = g_list_model_get_n_items (ba_account_get_fleets (memory_account));
  report ("sync, no vault (HTTP + query + parse + model)", g_get_monotonic_time () - start, n_listed);
  /* The demo user's other fleets (the seeded organization's) come too. */
  if (n_listed < n_fleets)
    g_error ("The server listed %u fleets, expected at least %u", n_listed, n_fleets);

  bench_stall_reset ();
  start = g_get_monotonic_time ();
  sync_fleets (memory_account);
  report ("sync again, nothing changed", g_get_monotonic_time () - start, n_listed);

  /* With the vault: the same, plus caching the list. */
  vault_account = login (server, vault);
  bench_stall_reset ();
  start = g_get_monotonic_time ();
  sync_fleets (vault_account);
  report ("sync with the vault (… + cache)", g_get_monotonic_time () - start, n_listed);

  /* Start-up: another account object for the same user fills its list
   * from the vault alone. */
  restored = login (server, vault);
  bench_stall_reset ();
  start = g_get_monotonic_time ();
  ba_account_load_cached_fleets_async (restored, NULL, bench_store_result, &result);
  if (!ba_account_load_cached_fleets_finish (restored, bench_wait_for (&result), &error))
    g_error ("Loading the cache failed: %s", error->message);
  g_clear_object (&result);
  report ("load the cached list from the vault", g_get_monotonic_time () - start,
          g_list_model_get_n_items (ba_account_get_fleets (restored)));
  if (g_list_model_get_n_items (ba_account_get_fleets (restored)) != n_listed)
    g_error ("The vault gave %u fleets, expected %u",
             g_list_model_get_n_items (ba_account_get_fleets (restored)), n_listed);

  g_clear_object (&restored);
  g_clear_object (&vault_account);
  g_clear_object (&memory_account);
  g_clear_object (&vault);
  {
    const char *suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (vault_path, suffixes[i], NULL);

        g_unlink (file);
      }
  }
  g_rmdir (tmpdir);

  return 0;
}
