/* test-server-data.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-data"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ba-jwt.h"
#include "ba-test-server.h"

/* What the server keeps in its data dir, and that a restart on the same
 * dir keeps users, the signing secret and the demo password. */

/* The schema version a fresh server.db must report. Bump it together with
 * a new migration in src/server/ba-server-store.c. */
#define EXPECTED_SCHEMA_VERSION 5

static char *
login (BaTestServer *server,
       const char   *username,
       const char   *password,
       guint         expected_status)
{
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}",
                                           username, password);
  char *token = NULL;

  g_assert_cmpuint (ba_test_server_request (server, "POST", "/login_", NULL, "application/json",
                                            body, &token, NULL, NULL), ==, expected_status);
  return token;
}

static char *
data_file (BaTestServer *server,
           const char   *name)
{
  return g_build_filename (ba_test_server_get_data_dir (server), name, NULL);
}

static void
assert_private_file (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;

  /* The files are binary, so strstr() would stop at the first NUL. */
  for (gsize i = 0; i + strlen (needle) <= len; i++)
    if (memcmp (contents + i, needle, strlen (needle)) == 0)
      return TRUE;

  return FALSE;
}

static void
test_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaTestServer) server = ba_test_server_start_logged (TRUE, &error);
  g_autofree char *secret_path = NULL;
  g_autofree char *password_path = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *outbox = NULL;
  g_autofree char *password = NULL;
  g_autofree char *log = NULL;
  g_autofree char *outbox_line = NULL;
  g_autoptr(GBytes) secret = NULL;

  g_assert_no_error (error);

  secret_path = data_file (server, "jwt-secret");
  assert_private_file (secret_path);
  secret = ba_test_server_get_jwt_secret (server);
  g_assert_cmpuint (g_bytes_get_size (secret), ==, 32);

  password_path = data_file (server, "demo-password");
  assert_private_file (password_path);
  g_assert_true (g_file_get_contents (password_path, &password, NULL, NULL));
  g_assert_cmpstr (password, ==, ba_test_server_get_demo_password (server));
  g_assert_cmpuint (strlen (password), ==, 16);

  /* The database holds password hashes. */
  db_path = data_file (server, "server.db");
  assert_private_file (db_path);

  outbox = data_file (server, "outbox");
  g_assert_true (g_file_test (outbox, G_FILE_TEST_IS_DIR));

  g_assert_cmpstr (ba_test_server_get_demo_email (server), ==, "demo@example.com");
  g_assert_cmpstr (ba_test_server_get_demo_username (server), ==, "demo");

  /* The outbox path is printed after the contract lines. */
  g_assert_true (ba_test_server_terminate (server, &error));
  g_assert_no_error (error);
  log = ba_test_server_get_log (server);
  outbox_line = g_strdup_printf ("outbox: %s\n", outbox);
  g_assert_nonnull (strstr (log, outbox_line));
}

static void
test_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaTestServer) server = ba_test_server_start (TRUE, &error);
  g_autofree char *db_path = NULL;
  g_autofree char *wal_path = NULL;
  g_autofree char *token = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint users = 0;
  /* The other users of the demo fleets (ba-server-fleets.c). */
  static const char * const fleet_users[] = { "amara", "bruno", "chen", "dana", "emeka", NULL };

  g_assert_no_error (error);
  token = login (server, "demo", ba_test_server_get_demo_password (server), 200);

  db_path = data_file (server, "server.db");
  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, EXPECTED_SCHEMA_VERSION);
  sqlite3_finalize (stmt);

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT id, actor, username, email, password_hash, length(jwt_secret), created_at"
                                       " FROM user ORDER BY id",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *username = (const char *) sqlite3_column_text (stmt, 2);
      const char *hash = (const char *) sqlite3_column_text (stmt, 4);

      users++;
      g_assert_cmpint (sqlite3_column_int64 (stmt, 0), !=, sqlite3_column_int64 (stmt, 1));
      g_assert_cmpint (sqlite3_column_int (stmt, 5), ==, 32);
      g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$",
                                           (const char *) sqlite3_column_text (stmt, 6), 0, 0));

      if (g_str_equal (username, "demo"))
        {
          g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 3), ==, "demo@example.com");
          g_assert_true (g_str_has_prefix (hash, "$argon2id$"));
        }
      else if (g_strv_contains (fleet_users, username))
        {
          /* The demo fleets' other users share the demo password. */
          g_assert_true (g_str_has_prefix (hash, "$argon2id$"));
        }
      else
        {
          /* The social-login user has no password. */
          g_assert_cmpstr (username, ==, "octocat");
          g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 3), ==, "octocat@example.com");
          g_assert_null (hash);
        }
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (users, ==, 2 + g_strv_length ((char **) fleet_users));

  /* Neither the password nor a token is stored in the clear. */
  wal_path = data_file (server, "server.db-wal");
  g_assert_false (file_contains (db_path, ba_test_server_get_demo_password (server)));
  g_assert_false (file_contains (wal_path, ba_test_server_get_demo_password (server)));
  g_assert_false (file_contains (db_path, token));
  g_assert_false (file_contains (wal_path, token));
}

static void
test_restart (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaTestServer) first = ba_test_server_start (TRUE, &error);
  g_autoptr(BaTestServer) second = NULL;
  g_autoptr(GBytes) secret1 = NULL;
  g_autoptr(GBytes) secret2 = NULL;
  g_autofree char *token = NULL;
  g_autofree char *new_token = NULL;
  g_autofree char *whoami1 = NULL;
  g_autofree char *whoami2 = NULL;

  g_assert_no_error (error);
  token = login (first, "demo", ba_test_server_get_demo_password (first), 200);
  g_assert_cmpuint (ba_test_server_request (first, "GET", "/actor/v1/whoami", token, NULL, NULL,
                                            &whoami1, NULL, NULL), ==, 200);
  secret1 = ba_test_server_get_jwt_secret (first);

  /* SIGTERM ends the server cleanly (exit status 0). */
  g_assert_true (ba_test_server_terminate (first, &error));
  g_assert_no_error (error);

  second = ba_test_server_start_in (ba_test_server_get_data_dir (first), TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_test_server_get_url (second), !=, NULL);

  /* Same demo credentials, same signing secret, same users and ids. */
  g_assert_cmpstr (ba_test_server_get_demo_password (second), ==,
                   ba_test_server_get_demo_password (first));
  secret2 = ba_test_server_get_jwt_secret (second);
  g_assert_true (g_bytes_equal (secret1, secret2));

  g_assert_cmpuint (ba_test_server_request (second, "GET", "/actor/v1/whoami", token, NULL, NULL,
                                            &whoami2, NULL, NULL), ==, 200);
  g_assert_cmpstr (whoami2, ==, whoami1);

  new_token = login (second, "demo@example.com", ba_test_server_get_demo_password (second), 200);
  g_assert_nonnull (new_token);
  g_clear_pointer (&new_token, g_free);
  new_token = login (second, "octocat", "anything", 401);

  ba_test_server_stop (g_steal_pointer (&second));
}

static void
test_no_seed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaTestServer) server = ba_test_server_start (FALSE, &error);
  g_autofree char *body = NULL;

  g_assert_no_error (error);
  g_assert_null (ba_test_server_get_demo_password (server));

  body = login (server, "demo", "whatever-password", 401);
  g_assert_cmpstr (body, ==, "");
}

static void
test_demo_password_lost (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaTestServer) first = ba_test_server_start (TRUE, &error);
  g_autoptr(BaTestServer) second = NULL;
  g_autofree char *password_path = NULL;
  g_autofree char *old_token = NULL;
  g_autofree char *new_token = NULL;
  g_autofree char *body = NULL;

  g_assert_no_error (error);
  old_token = login (first, "demo", ba_test_server_get_demo_password (first), 200);
  g_assert_true (ba_test_server_terminate (first, &error));

  /* Without its password file, the demo user gets a new password (and
   * its old sessions end), so the printed credentials always work. */
  password_path = data_file (first, "demo-password");
  g_assert_cmpint (g_unlink (password_path), ==, 0);

  second = ba_test_server_start_in (ba_test_server_get_data_dir (first), TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_test_server_get_demo_password (second), !=,
                   ba_test_server_get_demo_password (first));
  new_token = login (second, "demo", ba_test_server_get_demo_password (second), 200);
  body = login (second, "demo", ba_test_server_get_demo_password (first), 401);
  g_assert_cmpuint (ba_test_server_request (second, "GET", "/user/v1/whoami", old_token,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);

  ba_test_server_stop (g_steal_pointer (&second));
}

static char *
make_data_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-server-data-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_data_dir (const char *dir)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;

  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_data_dir (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

static void
test_corrupt_secret (void)
{
  g_autofree char *dir = make_data_dir ();
  g_autofree char *path = g_build_filename (dir, "jwt-secret", NULL);
  g_autoptr(GError) error = NULL;
  BaTestServer *server;

  /* A damaged signing secret must stop the server rather than be replaced
   * (which would silently log everyone out) or be used. */
  g_assert_true (g_file_set_contents (path, "short", -1, NULL));
  server = ba_test_server_start_in (dir, FALSE, &error);
  g_assert_null (server);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);

  /* The file is left as it was, for a human to look at. */
  g_assert_true (file_contains (path, "short"));

  remove_data_dir (dir);
}

static void
test_newer_schema (void)
{
  g_autofree char *dir = make_data_dir ();
  g_autofree char *path = g_build_filename (dir, "server.db", NULL);
  g_autoptr(GError) error = NULL;
  BaTestServer *server;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  server = ba_test_server_start_in (dir, FALSE, &error);
  g_assert_null (server);
  g_assert_nonnull (error);

  remove_data_dir (dir);
}

static void
test_garbage_database (void)
{
  g_autofree char *dir = make_data_dir ();
  g_autofree char *path = g_build_filename (dir, "server.db", NULL);
  g_autofree char *garbage = g_strnfill (8192, 'x');
  g_autoptr(GError) error = NULL;
  BaTestServer *server;

  g_assert_true (g_file_set_contents (path, garbage, -1, NULL));
  server = ba_test_server_start_in (dir, FALSE, &error);
  g_assert_null (server);
  g_assert_nonnull (error);

  /* Nothing was overwritten. */
  g_assert_true (file_contains (path, "xxxxxxxx"));

  remove_data_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/server/data/files", test_files);
  g_test_add_func ("/ba/server/data/database", test_database);
  g_test_add_func ("/ba/server/data/restart", test_restart);
  g_test_add_func ("/ba/server/data/no-seed", test_no_seed);
  g_test_add_func ("/ba/server/data/demo-password-lost", test_demo_password_lost);
  g_test_add_func ("/ba/server/data/corrupt-secret", test_corrupt_secret);
  g_test_add_func ("/ba/server/data/newer-schema", test_newer_schema);
  g_test_add_func ("/ba/server/data/garbage-database", test_garbage_database);

  return g_test_run ();
}
