/* test-vault.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ba-client-test-utils.h"
#include "ba-error.h"
#include "ba-vault.h"
#include "ba-vault-private.h"

/* The schema version of a fully migrated vault: bump it with each new
 * migration in src/client/ba-vault.c (3: fleets). */
#define LATEST_SCHEMA_VERSION 4

static char *tmpdir;

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static guint counter;

  f->dir = g_strdup_printf ("%s/vault-%u/balena-accounts", tmpdir, counter++);
  f->path = g_build_filename (f->dir, "vault.db", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *parent = g_path_get_dirname (f->dir);

  ba_client_test_rm_rf (parent);
  g_free (f->dir);
  g_free (f->path);
}

static GBytes *
make_key (guint8 fill)
{
  guint8 data[32];

  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) (fill + i * 7);

  return g_bytes_new (data, sizeof data);
}

static BaVault *
open_vault (const char *path,
            GBytes     *key,
            gboolean   *out_rebuilt)
{
  g_autoptr(GError) error = NULL;
  BaVault *vault = ba_vault_open (path, key, out_rebuilt, &error);

  g_assert_no_error (error);
  g_assert_nonnull (vault);

  return vault;
}

static void
save (BaVault              *vault,
      const BaVaultAccount *account,
      GError              **error)
{
  GAsyncResult *result = NULL;

  ba_vault_save_account_async (vault, account, NULL, ba_client_test_store_result, &result);
  ba_vault_save_account_finish (vault, ba_client_test_wait (&result), error);
  g_object_unref (result);
}

static BaVaultAccount *
load_last (BaVault *vault)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  BaVaultAccount *account;

  ba_vault_load_last_account_async (vault, NULL, ba_client_test_store_result, &result);
  account = ba_vault_load_last_account_finish (vault, ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);

  return account;
}

static void
forget (BaVault    *vault,
        const char *id)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  ba_vault_forget_account_async (vault, id, NULL, ba_client_test_store_result, &result);
  g_assert_true (ba_vault_forget_account_finish (vault, ba_client_test_wait (&result), &error));
  g_assert_no_error (error);
  g_object_unref (result);
}

static const BaVaultAccount demo = {
  .id = (char *) "7@http://127.0.0.1:4242",
  .server_url = (char *) "http://127.0.0.1:4242",
  .user_id = 7,
  .actor_id = 70,
  .username = (char *) "plaintextmarkeruser",
  .email = (char *) "marker.person@plaintext-check.example",
  .last_synced_at = 1767225600,
  .last_used_at = 1767225601,
};

static void
assert_account_equal (const BaVaultAccount *a,
                      const BaVaultAccount *b)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpstr (a->id, ==, b->id);
  g_assert_cmpstr (a->server_url, ==, b->server_url);
  g_assert_cmpint (a->user_id, ==, b->user_id);
  g_assert_cmpint (a->actor_id, ==, b->actor_id);
  g_assert_cmpstr (a->username, ==, b->username);
  g_assert_cmpstr (a->email, ==, b->email);
  g_assert_cmpint (a->last_synced_at, ==, b->last_synced_at);
  g_assert_cmpint (a->last_used_at, ==, b->last_used_at);
}

static char *
find_broken (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *prefix = g_strconcat (base, ".broken-", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix) && !g_str_has_suffix (name, "-journal"))
      return g_build_filename (dir, name, NULL);

  return NULL;
}

/* Opens the file directly with SQLCipher, the way the vault does. */
static sqlite3 *
raw_open (const char *path,
          GBytes     *key)
{
  g_autofree char *hex = NULL;
  g_autofree char *pragma = NULL;
  const guint8 *data = g_bytes_get_data (key, NULL);
  GString *s = g_string_new (NULL);
  sqlite3 *db = NULL;

  for (guint i = 0; i < 32; i++)
    g_string_append_printf (s, "%02x", data[i]);
  hex = g_string_free (s, FALSE);
  pragma = g_strdup_printf ("PRAGMA key = \"x'%s'\";", hex);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, pragma, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA cipher_compatibility = 3;", NULL, NULL, NULL), ==, SQLITE_OK);

  return db;
}

static gint64
raw_int (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

static void
test_save_reopen (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) key = make_key (1);
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(BaVaultAccount) empty = NULL;
  g_autoptr(BaVaultAccount) loaded = NULL;
  g_autoptr(BaVaultAccount) newest = NULL;
  g_autoptr(GError) error = NULL;
  BaVaultAccount changed = demo;
  BaVaultAccount other = demo;
  gboolean rebuilt = TRUE;
  struct stat st;

  vault = open_vault (f->path, key, &rebuilt);
  g_assert_false (rebuilt);
  g_assert_cmpstr (ba_vault_get_path (vault), ==, f->path);

  /* Private folder and file. */
  g_assert_cmpint (g_stat (f->dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  empty = load_last (vault);
  g_assert_null (empty);

  save (vault, &demo, &error);
  g_assert_no_error (error);
  g_clear_object (&vault);

  vault = open_vault (f->path, key, &rebuilt);
  g_assert_false (rebuilt);
  loaded = load_last (vault);
  assert_account_equal (loaded, &demo);
  g_clear_pointer (&loaded, ba_vault_account_free);

  /* Saving the same id updates the row; a NULL email is kept as NULL. */
  changed.email = NULL;
  changed.username = (char *) "renamed";
  save (vault, &changed, &error);
  g_assert_no_error (error);
  loaded = load_last (vault);
  assert_account_equal (loaded, &changed);

  /* The most recently used account wins. */
  other.id = (char *) "8@https://api.example.com";
  other.server_url = (char *) "https://api.example.com";
  other.user_id = 8;
  other.last_used_at = demo.last_used_at + 10;
  save (vault, &other, &error);
  g_assert_no_error (error);
  newest = load_last (vault);
  assert_account_equal (newest, &other);
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

/* Choosing an account: with one saved account there is no other to stay
 * ahead of, and the time given is kept; with two, the chosen one always ends
 * up newest, even when the other was used later in the same second. */
static void
test_touch (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GBytes) key = make_key (1);
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(BaVaultAccount) loaded = NULL;
  g_autoptr(GError) error = NULL;
  BaVaultAccount other = demo;

  vault = open_vault (f->path, key, NULL);
  save (vault, &demo, &error);
  g_assert_no_error (error);

  touch (vault, demo.id, demo.last_used_at + 5, &error);
  g_assert_no_error (error);
  loaded = load_last (vault);
  g_assert_cmpint (loaded->last_used_at, ==, demo.last_used_at + 5);
  g_clear_pointer (&loaded, ba_vault_account_free);

  other.id = (char *) "8@https://api.example.com";
  other.last_used_at = demo.last_used_at + 100;
  save (vault, &other, &error);
  g_assert_no_error (error);

  touch (vault, demo.id, demo.last_used_at + 6, &error);
  g_assert_no_error (error);
  loaded = load_last (vault);
  g_assert_cmpstr (loaded->id, ==, demo.id);
  g_assert_cmpint (loaded->last_used_at, ==, other.last_used_at + 1);
  g_clear_pointer (&loaded, ba_vault_account_free);

  touch (vault, "9@https://gone.example.com", demo.last_used_at, &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_FOUND);
}

static void
test_open_async (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) key = make_key (2);
  g_autoptr(GBytes) wrong = make_key (3);
  g_autoptr(GError) error = NULL;
  g_autoptr(BaVault) vault = NULL;
  GAsyncResult *result = NULL;
  gboolean rebuilt = TRUE;

  ba_vault_open_async (f->path, key, NULL, ba_client_test_store_result, &result);
  vault = ba_vault_open_finish (ba_client_test_wait (&result), &rebuilt, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_nonnull (vault);
  g_assert_false (rebuilt);
  g_assert_cmpint (ba_vault_get_schema_version (vault), ==, LATEST_SCHEMA_VERSION);
  g_clear_object (&vault);

  ba_vault_open_async (f->path, wrong, NULL, ba_client_test_store_result, &result);
  vault = ba_vault_open_finish (ba_client_test_wait (&result), &rebuilt, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_nonnull (vault);
  g_assert_true (rebuilt);
}

static void
test_wrong_key (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) key = make_key (4);
  g_autoptr(GBytes) wrong = make_key (5);
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(BaVaultAccount) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *broken = NULL;
  gboolean rebuilt = FALSE;
  sqlite3 *db;

  vault = open_vault (f->path, key, &rebuilt);
  save (vault, &demo, &error);
  g_assert_no_error (error);
  g_clear_object (&vault);

  vault = open_vault (f->path, wrong, &rebuilt);
  g_assert_true (rebuilt);
  loaded = load_last (vault);
  g_assert_null (loaded);

  /* The old file was kept aside, intact and readable with the old key. */
  broken = find_broken (f->path);
  g_assert_nonnull (broken);
  db = raw_open (broken, key);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM accounts;"), ==, 1);
  sqlite3_close (db);

  /* The new vault works with the new key from now on. */
  g_clear_object (&vault);
  vault = open_vault (f->path, wrong, &rebuilt);
  g_assert_false (rebuilt);
}

static void
test_corrupt (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) key = make_key (6);
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(BaVaultAccount) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *broken = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  guint8 junk[8192];
  gboolean rebuilt = FALSE;

  for (guint i = 0; i < sizeof junk; i++)
    junk[i] = (guint8) g_random_int ();

  g_assert_cmpint (g_mkdir_with_parents (f->dir, 0700), ==, 0);
  g_file_set_contents (f->path, (const char *) junk, sizeof junk, &error);
  g_assert_no_error (error);

  vault = open_vault (f->path, key, &rebuilt);
  g_assert_true (rebuilt);
  loaded = load_last (vault);
  g_assert_null (loaded);

  broken = find_broken (f->path);
  g_assert_nonnull (broken);
  g_file_get_contents (broken, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (contents, len, junk, sizeof junk);
}

static void
test_plaintext (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) key = make_key (7);
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  const char *needles[] = {
    "SQLite format 3",
    "plaintextmarkeruser",
    "marker.person@plaintext-check.example",
    "plaintext-check",
    "127.0.0.1:4242",
    "CREATE TABLE",
    "accounts",
  };

  vault = open_vault (f->path, key, NULL);
  save (vault, &demo, &error);
  g_assert_no_error (error);
  g_clear_object (&vault);

  g_file_get_contents (f->path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 0);

  for (guint i = 0; i < G_N_ELEMENTS (needles); i++)
    {
      g_test_message ("looking for %s", needles[i]);
      g_assert_false (ba_client_test_contains (contents, len, needles[i]));
    }
}

static void
test_cipher_version (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) key = make_key (8);
  g_autoptr(BaVault) vault = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;

  vault = open_vault (f->path, key, NULL);
  g_clear_object (&vault);

  /* The library the client links answers cipher_version: it is SQLCipher. */
  db = raw_open (f->path, key);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA cipher_version;", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_nonnull (sqlite3_column_text (stmt, 0));
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), !=, "");
  g_test_message ("cipher_version %s", sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  /* And without the key the file cannot be read. */
  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "SELECT count(*) FROM sqlite_master;", NULL, NULL, NULL), ==, SQLITE_NOTADB);
  sqlite3_close (db);
}

typedef struct
{
  char   *version;
  gint64  compatibility;   /* -1 when the pragma gives no row */
} CipherSettings;

/* Runs on the vault's own connection, so it reads what ba-vault.c set. */
static gboolean
read_cipher_settings (sqlite3   *db,
                      gpointer   data,
                      gpointer  *out_result,
                      GError   **error)
{
  CipherSettings *settings = data;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA cipher_version;", -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    settings->version = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);

  settings->compatibility = -1;
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA cipher_compatibility;", -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    settings->compatibility = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  *out_result = settings;
  return TRUE;
}

static void
test_cipher_compatibility (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GBytes) key = make_key (12);
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(GError) error = NULL;
  CipherSettings settings = { NULL, 0 };
  GAsyncResult *result = NULL;

  vault = open_vault (f->path, key, NULL);
  ba_vault_run_async (vault, read_cipher_settings, &settings, NULL, NULL, NULL,
                      ba_client_test_store_result, &result);
  g_assert_true (ba_vault_run_finish (vault, ba_client_test_wait (&result), &error) == &settings);
  g_assert_no_error (error);
  g_object_unref (result);

  g_assert_nonnull (settings.version);
  g_test_message ("cipher_version %s, cipher_compatibility %" G_GINT64_FORMAT,
                  settings.version, settings.compatibility);

  /* SQLCipher 4 (the Flatpak) must be told to use the 3.x format, and says
   * so when asked. SQLCipher 3 (Debian 12 has 3.4.1) has no such pragma:
   * asking gives no row, and the 3.x format is the only one it writes. */
  if (g_str_has_prefix (settings.version, "3."))
    g_assert_cmpint (settings.compatibility, ==, -1);
  else
    g_assert_cmpint (settings.compatibility, ==, 3);

  g_free (settings.version);
}

static void
test_schema_version (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) key = make_key (9);
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *broken = NULL;
  gboolean rebuilt = TRUE;
  sqlite3 *db;

  vault = open_vault (f->path, key, NULL);
  g_assert_cmpint (ba_vault_get_schema_version (vault), ==, LATEST_SCHEMA_VERSION);
  g_clear_object (&vault);

  db = raw_open (f->path, key);
  g_assert_cmpint (raw_int (db, "PRAGMA user_version;"), ==, LATEST_SCHEMA_VERSION);
  /* A file from a newer release is refused, not destroyed. */
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  vault = ba_vault_open (f->path, key, &rebuilt, &error);
  g_assert_null (vault);
  g_assert_error (error, BA_ERROR, BA_ERROR_VAULT);
  g_assert_false (rebuilt);
  broken = find_broken (f->path);
  g_assert_null (broken);
}

static void
test_forget (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GBytes) key = make_key (10);
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(BaVaultAccount) left = NULL;
  g_autoptr(BaVaultAccount) none = NULL;
  g_autoptr(GError) error = NULL;
  BaVaultAccount other = demo;
  sqlite3 *db;

  other.id = (char *) "9@https://api.example.com";
  other.last_used_at = demo.last_used_at - 100;

  vault = open_vault (f->path, key, NULL);
  save (vault, &demo, &error);
  g_assert_no_error (error);
  save (vault, &other, &error);
  g_assert_no_error (error);
  g_clear_object (&vault);

  /* A later table that belongs to an account, as future migrations add
   * them: forgetting the account must cascade to it. */
  db = raw_open (f->path, key);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TABLE child (account_id TEXT NOT NULL"
                                 " REFERENCES accounts (id) ON DELETE CASCADE, v TEXT);"
                                 "INSERT INTO child VALUES ('7@http://127.0.0.1:4242', 'a');"
                                 "INSERT INTO child VALUES ('9@https://api.example.com', 'b');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  vault = open_vault (f->path, key, NULL);
  forget (vault, demo.id);
  left = load_last (vault);
  assert_account_equal (left, &other);
  forget (vault, other.id);
  none = load_last (vault);
  g_assert_null (none);
  /* Forgetting what is not there is fine. */
  forget (vault, "nobody@nowhere");
  g_clear_object (&vault);

  db = raw_open (f->path, key);
  g_assert_cmpint (raw_int (db, "SELECT count(*) FROM child;"), ==, 0);
  sqlite3_close (db);
}

/* A write beyond RLIMIT_FSIZE fails like a full disk does, and it works
 * as root too. */
static void
test_disk_full (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) key = make_key (11);
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(BaVaultAccount) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *big_email = NULL;
  BaVaultAccount big = demo;
  struct rlimit saved;
  struct rlimit limited;
  struct stat st;

  vault = open_vault (f->path, key, NULL);
  save (vault, &demo, &error);
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);
  signal (SIGXFSZ, SIG_IGN);
  limited = saved;
  limited.rlim_cur = st.st_size;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limited), ==, 0);

  big_email = g_strnfill (256 * 1024, 'x');
  big.id = (char *) "10@https://api.example.com";
  big.email = big_email;
  big.last_used_at = demo.last_used_at + 100;
  save (vault, &big, &error);

  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);

  g_assert_error (error, BA_ERROR, BA_ERROR_VAULT);
  g_test_message ("disk-full message: %s", error->message);
  g_assert_cmpstr (error->message, !=, "");

  /* Nothing that was saved before is lost, now or after reopening. */
  loaded = load_last (vault);
  assert_account_equal (loaded, &demo);
  g_clear_pointer (&loaded, ba_vault_account_free);
  g_clear_object (&vault);

  vault = open_vault (f->path, key, NULL);
  loaded = load_last (vault);
  assert_account_equal (loaded, &demo);
}

/* The read-only scenario itself; run as an unprivileged user. */
static void
read_only_scenario (const char *dir)
{
  g_autoptr(GBytes) key = make_key (12);
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(BaVaultAccount) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "vault.db", NULL);
  BaVaultAccount other = demo;

  vault = open_vault (path, key, NULL);
  save (vault, &demo, &error);
  g_assert_no_error (error);
  g_clear_object (&vault);

  g_assert_cmpint (g_chmod (path, 0400), ==, 0);
  g_assert_cmpint (g_chmod (dir, 0500), ==, 0);

  vault = open_vault (path, key, NULL);
  other.id = (char *) "11@https://api.example.com";
  other.last_used_at = demo.last_used_at + 100;
  save (vault, &other, &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_VAULT);
  g_test_message ("read-only message: %s", error->message);

  /* What was saved is still there. */
  loaded = load_last (vault);
  assert_account_equal (loaded, &demo);

  g_chmod (dir, 0700);
  g_chmod (path, 0600);
}

/* Root ignores file permissions, so as root the scenario runs in a
 * subprocess that first switches to the unprivileged "nobody" user. */
#define NOBODY_ID 65534

static void
test_read_only (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;

  if (g_test_subprocess ())
    {
      const char *shared = g_getenv ("BA_TEST_READ_ONLY_DIR");

      g_assert_nonnull (shared);
      if (geteuid () == 0)
        {
          /* This process's own temp dir is unused here, and once it is
           * "nobody" it could not remove it. */
          ba_client_test_rm_rf (tmpdir);
          g_assert_cmpint (setgid (NOBODY_ID), ==, 0);
          g_assert_cmpint (setuid (NOBODY_ID), ==, 0);
        }
      read_only_scenario (shared);
      return;
    }

  if (geteuid () != 0)
    {
      read_only_scenario (f->dir);
      return;
    }

  dir = g_dir_make_tmp ("ba-vault-read-only-XXXXXX", &error);
  g_assert_no_error (error);
  if (chown (dir, NOBODY_ID, NOBODY_ID) != 0)
    {
      g_test_skip ("running as root and could not hand a folder to the unprivileged user, "
                   "so a read-only vault cannot be made (root ignores file permissions)");
      ba_client_test_rm_rf (dir);
      return;
    }

  g_setenv ("BA_TEST_READ_ONLY_DIR", dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("BA_TEST_READ_ONLY_DIR");
  ba_client_test_rm_rf (dir);
  g_test_trap_assert_passed ();
}

static void
test_bad_folder (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) key = make_key (13);
  g_autoptr(GBytes) short_key = g_bytes_new ("short", 5);
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parent = g_path_get_dirname (f->dir);
  g_autofree char *path = NULL;
  gboolean rebuilt = TRUE;

  /* The vault's folder would have to be inside a regular file. */
  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_file_set_contents (f->dir, "not a folder", -1, &error);
  g_assert_no_error (error);

  vault = ba_vault_open (f->path, key, &rebuilt, &error);
  g_assert_null (vault);
  g_assert_error (error, BA_ERROR, BA_ERROR_VAULT);
  g_assert_false (rebuilt);
  g_clear_error (&error);

  path = g_build_filename (parent, "other.db", NULL);
  vault = ba_vault_open (path, short_key, &rebuilt, &error);
  g_assert_null (vault);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
}

/* A file written by the first release (schema 1, accounts only) is
 * upgraded in place: its rows stay, and API keys can be cached. */
static void
test_migrate_from_1 (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GBytes) key = make_key (21);
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(BaVaultAccount) row = NULL;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  gboolean rebuilt = TRUE;
  sqlite3 *db;

  g_assert_cmpint (g_mkdir_with_parents (f->dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (f->path, "", 0, NULL));
  db = raw_open (f->path, key);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TABLE accounts ("
                                 "  id TEXT PRIMARY KEY NOT NULL, server_url TEXT NOT NULL,"
                                 "  user_id INTEGER NOT NULL, actor_id INTEGER NOT NULL,"
                                 "  username TEXT NOT NULL, email TEXT,"
                                 "  last_synced_at INTEGER NOT NULL DEFAULT 0,"
                                 "  last_used_at INTEGER NOT NULL DEFAULT 0);"
                                 "CREATE INDEX accounts_by_last_used ON accounts (last_used_at);"
                                 "INSERT INTO accounts VALUES ('5@https://old.example', 'https://old.example',"
                                 "  5, 50, 'old', NULL, 100, 200);"
                                 "PRAGMA user_version = 1;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  vault = open_vault (f->path, key, &rebuilt);
  g_assert_false (rebuilt);
  g_assert_cmpint (ba_vault_get_schema_version (vault), ==, LATEST_SCHEMA_VERSION);

  ba_vault_load_last_account_async (vault, NULL, ba_client_test_store_result, &result);
  row = ba_vault_load_last_account_finish (vault, ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_nonnull (row);
  g_assert_cmpstr (row->username, ==, "old");
  g_assert_cmpint (row->actor_id, ==, 50);

  g_ptr_array_add (keys, ba_api_key_new (7, "kept", NULL, 300, 0));
  ba_vault_replace_api_keys_async (vault, row->id, keys, NULL, ba_client_test_store_result, &result);
  g_assert_true (ba_vault_replace_api_keys_finish (vault, ba_client_test_wait (&result), &error));
  g_clear_object (&result);
  g_assert_no_error (error);
  g_clear_object (&vault);

  /* Reopened: no second migration, the key is still there. */
  vault = open_vault (f->path, key, &rebuilt);
  g_assert_cmpint (ba_vault_get_schema_version (vault), ==, LATEST_SCHEMA_VERSION);
  ba_vault_load_api_keys_async (vault, row->id, NULL, ba_client_test_store_result, &result);
  loaded = ba_vault_load_api_keys_finish (vault, ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 1);
  g_assert_cmpstr (ba_api_key_get_name (g_ptr_array_index (loaded, 0)), ==, "kept");
  g_assert_cmpint (ba_api_key_get_created_at (g_ptr_array_index (loaded, 0)), ==, 300);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  tmpdir = ba_client_test_init (&argc, &argv);

  g_test_add ("/ba/vault/save-reopen", Fixture, NULL, fixture_setup, test_save_reopen, fixture_teardown);
  g_test_add ("/ba/vault/open-async", Fixture, NULL, fixture_setup, test_open_async, fixture_teardown);
  g_test_add ("/ba/vault/wrong-key", Fixture, NULL, fixture_setup, test_wrong_key, fixture_teardown);
  g_test_add ("/ba/vault/corrupt", Fixture, NULL, fixture_setup, test_corrupt, fixture_teardown);
  g_test_add ("/ba/vault/plaintext", Fixture, NULL, fixture_setup, test_plaintext, fixture_teardown);
  g_test_add ("/ba/vault/cipher-version", Fixture, NULL, fixture_setup, test_cipher_version, fixture_teardown);
  g_test_add ("/ba/vault/cipher-compatibility", Fixture, NULL, fixture_setup, test_cipher_compatibility, fixture_teardown);
  g_test_add ("/ba/vault/schema-version", Fixture, NULL, fixture_setup, test_schema_version, fixture_teardown);
  g_test_add ("/ba/vault/migrate-from-1", Fixture, NULL, fixture_setup, test_migrate_from_1, fixture_teardown);
  g_test_add ("/ba/vault/touch", Fixture, NULL, fixture_setup, test_touch, fixture_teardown);
  g_test_add ("/ba/vault/forget", Fixture, NULL, fixture_setup, test_forget, fixture_teardown);
  g_test_add ("/ba/vault/disk-full", Fixture, NULL, fixture_setup, test_disk_full, fixture_teardown);
  g_test_add ("/ba/vault/read-only", Fixture, NULL, fixture_setup, test_read_only, fixture_teardown);
  g_test_add ("/ba/vault/bad-folder", Fixture, NULL, fixture_setup, test_bad_folder, fixture_teardown);

  ret = g_test_run ();
  ba_client_test_cleanup (tmpdir);

  return ret;
}
