/* test-vault-plain-sqlite.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ba-vault.c built against plain SQLite instead of SQLCipher (see
 * tests/client/meson.build): the situation where a plain libsqlite3 is
 * loaded first and silently ignores PRAGMA key. The vault must then refuse
 * to run (BA_ERROR_VAULT), write nothing readable, and leave an existing
 * vault where it is rather than take it for a broken one.
 */

#include "config.h"

#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ba-client-test-utils.h"
#include "ba-error.h"
#include "ba-vault.h"

static char *tmpdir;

static GBytes *
make_key (void)
{
  guint8 data[32];

  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 13 + 5);

  return g_bytes_new (data, sizeof data);
}

/* Every name in @dir, sorted, joined with spaces. */
static char *
list_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);

  return g_strjoinv (" ", (char **) names->pdata);
}

/* The test is only worth anything if this program really runs on a
 * library that ignores the cipher pragmas. */
static void
test_library_is_plain (void)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (":memory:", &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA cipher_version;", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_test_message ("SQLite %s", sqlite3_libversion ());
}

static void
test_new_vault_refused (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "new", NULL);
  g_autofree char *path = g_build_filename (dir, "vault.db", NULL);
  g_autoptr(GBytes) key = make_key ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BaVault) vault = NULL;
  g_autofree char *names = NULL;
  gboolean rebuilt = TRUE;
  GStatBuf st;

  /* The refusal comes from the cipher_version check, nothing else. */
  g_test_expect_message ("ba-vault", G_LOG_LEVEL_WARNING, "*SQLCipher is not in use*");
  vault = ba_vault_open (path, key, &rebuilt, &error);
  g_test_assert_expected_messages ();
  g_assert_null (vault);
  g_assert_error (error, BA_ERROR, BA_ERROR_VAULT);
  g_assert_false (rebuilt);

  /* The vault makes its file (empty, 0600) before SQLite opens it; SQLite
   * wrote nothing into it, no header, no schema, no journal. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 0);
  names = list_dir (dir);
  g_assert_cmpstr (names, ==, "vault.db");
}

static void
test_existing_vault_kept (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "existing", NULL);
  g_autofree char *path = g_build_filename (dir, "vault.db", NULL);
  g_autoptr(GBytes) key = make_key ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BaVault) vault = NULL;
  g_autofree char *names = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  guint8 encrypted[4096];
  gboolean rebuilt = TRUE;

  /* To plain SQLite an encrypted vault looks like any other file that is
   * not a database. */
  for (guint i = 0; i < sizeof encrypted; i++)
    encrypted[i] = (guint8) g_random_int ();
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, (const char *) encrypted, sizeof encrypted, &error);
  g_assert_no_error (error);

  /* The refusal comes from the cipher_version check, nothing else. */
  g_test_expect_message ("ba-vault", G_LOG_LEVEL_WARNING, "*SQLCipher is not in use*");
  vault = ba_vault_open (path, key, &rebuilt, &error);
  g_test_assert_expected_messages ();
  g_assert_null (vault);
  g_assert_error (error, BA_ERROR, BA_ERROR_VAULT);
  g_assert_false (rebuilt);
  g_clear_error (&error);

  /* Not moved aside as broken, not rebuilt, not changed. */
  names = list_dir (dir);
  g_assert_cmpstr (names, ==, "vault.db");
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, len, encrypted, sizeof encrypted);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  tmpdir = ba_client_test_init (&argc, &argv);

  g_test_add_func ("/ba/vault-plain-sqlite/library-is-plain", test_library_is_plain);
  g_test_add_func ("/ba/vault-plain-sqlite/new-vault-refused", test_new_vault_refused);
  g_test_add_func ("/ba/vault-plain-sqlite/existing-vault-kept", test_existing_vault_kept);

  ret = g_test_run ();
  ba_client_test_cleanup (tmpdir);

  return ret;
}
