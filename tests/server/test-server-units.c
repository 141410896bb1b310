/* test-server-units.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-units"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ba-error.h"
#include "ba-jwt.h"
#include "ba-server-auth.h"
#include "ba-server-model.h"
#include "ba-server-rate-limiter.h"
#include "ba-server-store.h"

/* In-process unit tests of the server's store, auth and rate limiter: the
 * edges that are awkward to reach over HTTP. */

typedef struct
{
  char          *dir;
  char          *db_path;
  BaServerStore *store;
} Fixture;

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;

  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-server-units-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->dir, "server.db", NULL);
  f->store = ba_server_store_open (f->db_path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  remove_dir (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->db_path, g_free);
}

static BaServerUser *
create (Fixture     *f,
        const char  *username,
        const char  *email,
        GError     **error)
{
  return ba_server_store_create_user (f->store, username, email, "$argon2id$fake",
                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", error);
}

static int
count_rows (Fixture    *f,
            const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int count;

  g_assert_cmpint (sqlite3_open_v2 (f->db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return count;
}

static void
test_store_find (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaServerUser) alice = create (f, "Alice", "Alice@Example.com", &error);
  g_autoptr(BaServerUser) by_name = NULL;
  g_autoptr(BaServerUser) by_email = NULL;
  g_autoptr(BaServerUser) by_id = NULL;
  g_autoptr(BaServerUser) nobody = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (alice->username, ==, "Alice");
  g_assert_cmpstr (alice->email, ==, "Alice@Example.com");
  g_assert_nonnull (alice->created_at);

  by_name = ba_server_store_find_user_by_username (f->store, "aLICE", &error);
  g_assert_no_error (error);
  g_assert_nonnull (by_name);
  g_assert_cmpint (by_name->id, ==, alice->id);

  by_email = ba_server_store_find_user_by_email (f->store, "alice@EXAMPLE.COM", &error);
  g_assert_no_error (error);
  g_assert_nonnull (by_email);
  g_assert_cmpint (by_email->id, ==, alice->id);

  by_id = ba_server_store_find_user_by_id (f->store, alice->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (by_id->jwt_secret, ==, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");

  /* No match is NULL without an error. */
  nobody = ba_server_store_find_user_by_username (f->store, "bob", &error);
  g_assert_no_error (error);
  g_assert_null (nobody);
  nobody = ba_server_store_find_user_by_email (f->store, "Alice", &error);
  g_assert_no_error (error);
  g_assert_null (nobody);
  nobody = ba_server_store_find_user_by_id (f->store, alice->id + 100, &error);
  g_assert_no_error (error);
  g_assert_null (nobody);

  /* Bound, never interpolated. */
  nobody = ba_server_store_find_user_by_username (f->store, "x' OR '1'='1", &error);
  g_assert_no_error (error);
  g_assert_null (nobody);
}

static void
test_store_unique (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaServerUser) alice = create (f, "alice", "alice@example.com", &error);
  g_autoptr(BaServerUser) again = NULL;
  g_autoptr(BaServerUser) social1 = NULL;
  g_autoptr(BaServerUser) social2 = NULL;

  g_assert_no_error (error);

  again = create (f, "ALICE", "other@example.com", &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_CONFLICT);
  g_assert_null (again);
  g_clear_error (&error);

  again = create (f, "alice2", "ALICE@example.COM", &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_CONFLICT);
  g_assert_null (again);
  g_clear_error (&error);

  /* The failed attempts left no orphan actors behind. */
  g_assert_cmpint (count_rows (f, "actor"), ==, 1);

  /* Several users may have no email. */
  social1 = create (f, "social1", NULL, &error);
  g_assert_no_error (error);
  social2 = create (f, "social2", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (social2->email);
  g_assert_cmpint (count_rows (f, "actor"), ==, 3);
  g_assert_cmpint (count_rows (f, "user"), ==, 3);
}

static void
test_store_actor_ids (Fixture       *f,
                      gconstpointer  data)
{
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("user%u", i);
      g_autoptr(BaServerUser) user = create (f, name, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (user->actor_id, >, 1000);
      g_assert_cmpint (user->actor_id, !=, user->id);
    }
}

static void
test_store_set_password (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaServerUser) user = create (f, "alice", NULL, &error);
  g_autoptr(BaServerUser) reread = NULL;

  g_assert_no_error (error);
  g_assert_true (ba_server_store_set_password (f->store, user->id, "$argon2id$new",
                                               "NEWSECRETNEWSECRETNEWSECRETNEWS2", &error));
  g_assert_no_error (error);

  reread = ba_server_store_find_user_by_id (f->store, user->id, &error);
  g_assert_cmpstr (reread->password_hash, ==, "$argon2id$new");
  g_assert_cmpstr (reread->jwt_secret, ==, "NEWSECRETNEWSECRETNEWSECRETNEWS2");

  g_assert_false (ba_server_store_set_password (f->store, user->id + 1, "x", "y", &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_FOUND);
}

static void
test_store_reopen (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaServerUser) user = create (f, "alice", NULL, &error);
  g_autoptr(BaServerUser) reread = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (ba_server_store_get_schema_version (f->store), ==,
                   ba_server_store_get_latest_version ());
  g_clear_object (&f->store);

  f->store = ba_server_store_open (f->db_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ba_server_store_get_schema_version (f->store), ==,
                   ba_server_store_get_latest_version ());
  reread = ba_server_store_find_user_by_username (f->store, "alice", &error);
  g_assert_no_error (error);
  g_assert_nonnull (reread);
  g_assert_cmpint (reread->id, ==, user->id);
}

static void
test_store_bad_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-server-units-XXXXXX", &error);
  g_autofree char *garbage = g_build_filename (dir, "garbage.db", NULL);
  g_autofree char *missing = g_build_filename (dir, "no", "such", "dir.db", NULL);
  g_autoptr(BaServerStore) store = NULL;

  g_assert_true (g_file_set_contents (garbage, "this is not a database, not at all; "
                                      "just some text that is long enough", -1, NULL));
  store = ba_server_store_open (garbage, &error);
  g_assert_null (store);
  g_assert_error (error, BA_ERROR, BA_ERROR_FAILED);
  g_clear_error (&error);

  store = ba_server_store_open (missing, &error);
  g_assert_null (store);
  g_assert_error (error, BA_ERROR, BA_ERROR_FAILED);

  remove_dir (dir);
}

static void
test_rate_limiter (void)
{
  g_autoptr(BaServerRateLimiter) limiter = ba_server_rate_limiter_new (3, 60, 1);
  g_autoptr(BaServerRateLimiter) hourly = ba_server_rate_limiter_new (1, 7200, 3600);
  gint64 retry_after = 0;

  for (guint i = 0; i < 3; i++)
    g_assert_true (ba_server_rate_limiter_consume (limiter, "ip$alice", &retry_after));
  g_assert_false (ba_server_rate_limiter_consume (limiter, "ip$alice", &retry_after));
  g_assert_cmpint (retry_after, ==, 1);

  /* Other keys are independent. */
  g_assert_true (ba_server_rate_limiter_consume (limiter, "ip$bob", NULL));
  g_assert_true (ba_server_rate_limiter_consume (limiter, "other-ip$alice", NULL));

  /* The block ends after its duration and the count starts afresh. */
  g_usleep (1100 * 1000);
  for (guint i = 0; i < 3; i++)
    g_assert_true (ba_server_rate_limiter_consume (limiter, "ip$alice", NULL));
  g_assert_false (ba_server_rate_limiter_consume (limiter, "ip$alice", NULL));

  /* A reset forgets the key at once. */
  ba_server_rate_limiter_reset (limiter, "ip$alice");
  g_assert_true (ba_server_rate_limiter_consume (limiter, "ip$alice", NULL));

  /* Retry-After counts the whole block, in seconds. */
  g_assert_true (ba_server_rate_limiter_consume (hourly, "k", NULL));
  g_assert_false (ba_server_rate_limiter_consume (hourly, "k", &retry_after));
  g_assert_cmpint (retry_after, >, 3590);
  g_assert_cmpint (retry_after, <=, 3600);
}

static void
test_auth (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *secret_path = g_build_filename (f->dir, "jwt-secret", NULL);
  g_autoptr(BaServerAuth) auth = ba_server_auth_new (f->store, secret_path, &error);
  g_autoptr(BaServerAuth) again = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *jwt_secret = NULL;
  g_autofree char *token = NULL;
  g_autofree char *bearer = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(BaServerUser) user = NULL;
  g_autoptr(BaServerUser) social = NULL;
  g_autoptr(BaServerCredential) credential = NULL;
  g_autoptr(JsonObject) claims = NULL;
  gsize len = 0;
  GStatBuf st;

  g_assert_no_error (error);

  /* The signing secret: 32 bytes, private, reused. */
  g_assert_true (g_file_get_contents (secret_path, &contents, &len, NULL));
  g_assert_cmpuint (len, ==, 32);
  g_assert_cmpint (g_stat (secret_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  hash = ba_server_auth_hash_password (auth, "correct horse", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (hash, "$argon2id$"));

  jwt_secret = ba_server_auth_new_jwt_secret ();
  g_assert_cmpuint (strlen (jwt_secret), ==, 32);
  g_assert_true (g_regex_match_simple ("^[A-Z2-7]{32}$", jwt_secret, 0, 0));

  user = ba_server_store_create_user (f->store, "alice", "alice@example.com", hash,
                                      jwt_secret, &error);
  g_assert_no_error (error);
  social = ba_server_store_create_user (f->store, "social", NULL, NULL,
                                        jwt_secret, &error);
  g_assert_no_error (error);

  g_assert_true (ba_server_auth_check_password (auth, user, "correct horse"));
  g_assert_false (ba_server_auth_check_password (auth, user, "correct horse "));
  g_assert_false (ba_server_auth_check_password (auth, user, ""));
  g_assert_false (ba_server_auth_check_password (auth, NULL, "correct horse"));
  g_assert_false (ba_server_auth_check_password (auth, social, "correct horse"));
  g_assert_false (ba_server_auth_check_password (auth, social, ""));

  /* Unknown users and users without a password still cost a real argon2
   * check (tens of milliseconds at the interactive limits), so login
   * timing does not reveal which accounts exist. */
  {
    gint64 start = g_get_monotonic_time ();

    g_assert_false (ba_server_auth_check_password (auth, NULL, "guess"));
    g_assert_cmpint (g_get_monotonic_time () - start, >, 10 * 1000);

    start = g_get_monotonic_time ();
    g_assert_false (ba_server_auth_check_password (auth, social, "guess"));
    g_assert_cmpint (g_get_monotonic_time () - start, >, 10 * 1000);
  }

  /* A token from a second instance on the same secret verifies here. */
  again = ba_server_auth_new (f->store, secret_path, &error);
  g_assert_no_error (error);
  token = ba_server_auth_issue_token (again, user, 1234567890123, BA_SERVER_TWO_FACTOR_ABSENT);
  claims = ba_jwt_decode (token, (const guint8 *) contents, len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (claims, "authTime"), ==, 1234567890123);
  g_assert_false (json_object_has_member (claims, "twoFactorRequired"));

  bearer = g_strconcat ("Bearer ", token, NULL);
  credential = ba_server_auth_resolve (auth, bearer, NULL);
  g_assert_cmpint (credential->kind, ==, BA_SERVER_CREDENTIAL_USER_JWT);
  g_assert_cmpint (credential->user->id, ==, user->id);
  g_assert_cmpint (credential->auth_time, ==, 1234567890123);
  g_clear_pointer (&credential, ba_server_credential_free);

  /* The scheme is case-insensitive, as in HTTP. */
  lower = g_strconcat ("bearer ", token, NULL);
  credential = ba_server_auth_resolve (auth, lower, NULL);
  g_assert_cmpint (credential->kind, ==, BA_SERVER_CREDENTIAL_USER_JWT);
  g_clear_pointer (&credential, ba_server_credential_free);

  /* Anything else is anonymous. */
  credential = ba_server_auth_resolve (auth, token, NULL);
  g_assert_cmpint (credential->kind, ==, BA_SERVER_CREDENTIAL_NONE);
  g_assert_null (credential->user);
  g_clear_pointer (&credential, ba_server_credential_free);
  credential = ba_server_auth_resolve (auth, "Basic YWxpY2U6eA==", NULL);
  g_assert_cmpint (credential->kind, ==, BA_SERVER_CREDENTIAL_NONE);
  g_clear_pointer (&credential, ba_server_credential_free);
  credential = ba_server_auth_resolve (auth, NULL, NULL);
  g_assert_cmpint (credential->kind, ==, BA_SERVER_CREDENTIAL_NONE);
  g_clear_pointer (&credential, ba_server_credential_free);

  /* A partial token resolves, but as partial. */
  g_clear_pointer (&token, g_free);
  g_clear_pointer (&bearer, g_free);
  token = ba_server_auth_issue_token (auth, user, 1, BA_SERVER_TWO_FACTOR_PENDING);
  bearer = g_strconcat ("Bearer ", token, NULL);
  credential = ba_server_auth_resolve (auth, bearer, NULL);
  g_assert_cmpint (credential->kind, ==, BA_SERVER_CREDENTIAL_PARTIAL_JWT);
  g_assert_cmpint (credential->two_factor, ==, BA_SERVER_TWO_FACTOR_PENDING);
}

static void
check_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  int *outcome = user_data;

  *outcome = ba_server_auth_check_password_finish (BA_SERVER_AUTH (object), result) ? 1 : 0;
}

static int
check_async (BaServerAuth       *auth,
             const BaServerUser *user,
             const char         *password)
{
  int outcome = -1;

  ba_server_auth_check_password_async (auth, user, password, NULL, check_done_cb, &outcome);
  while (outcome < 0)
    g_main_context_iteration (NULL, TRUE);

  return outcome;
}

static void
test_auth_async (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *secret_path = g_build_filename (f->dir, "jwt-secret", NULL);
  g_autoptr(BaServerAuth) auth = ba_server_auth_new (f->store, secret_path, &error);
  g_autofree char *hash = NULL;
  g_autoptr(BaServerUser) user = NULL;
  g_autoptr(BaServerUser) social = NULL;

  g_assert_no_error (error);
  hash = ba_server_auth_hash_password (auth, "correct horse", &error);
  g_assert_no_error (error);
  user = ba_server_store_create_user (f->store, "alice", NULL, hash,
                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", &error);
  g_assert_no_error (error);
  social = ba_server_store_create_user (f->store, "social", NULL, NULL,
                                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", &error);
  g_assert_no_error (error);

  g_assert_cmpint (check_async (auth, user, "correct horse"), ==, 1);
  g_assert_cmpint (check_async (auth, user, "wrong horse"), ==, 0);
  g_assert_cmpint (check_async (auth, NULL, "correct horse"), ==, 0);
  g_assert_cmpint (check_async (auth, social, "correct horse"), ==, 0);
}

static void
test_auth_bad_secret (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *secret_path = g_build_filename (f->dir, "jwt-secret", NULL);
  g_autofree char *unreadable = g_build_filename (f->dir, "no-such-dir", "jwt-secret", NULL);
  g_autoptr(BaServerAuth) auth = NULL;

  g_assert_true (g_file_set_contents (secret_path, "0123456789012345678901234567890123", -1, NULL));
  auth = ba_server_auth_new (f->store, secret_path, &error);
  g_assert_null (auth);
  g_assert_error (error, BA_ERROR, BA_ERROR_FAILED);
  g_clear_error (&error);

  auth = ba_server_auth_new (f->store, unreadable, &error);
  g_assert_null (auth);
  g_assert_nonnull (error);
}

/* One integer from the store's own connection. */
static int
query_int (Fixture    *f,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int value;

  g_assert_cmpint (sqlite3_prepare_v2 (ba_server_store_get_db (f->store), sql, -1, &stmt, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  return value;
}

static void
test_api_keys (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *secret_path = g_build_filename (f->dir, "jwt-secret", NULL);
  g_autoptr(BaServerAuth) auth = ba_server_auth_new (f->store, secret_path, &error);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(BaServerUser) alice = NULL;
  g_autoptr(BaServerUser) bob = NULL;
  g_autoptr(BaServerUser) found = NULL;
  g_autoptr(BaServerCredential) credential = NULL;
  g_autofree char *key = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *expiry = NULL;
  g_autofree char *sha_abc = NULL;
  g_autofree char *bearer = NULL;
  g_autofree char *query_key = NULL;
  g_autofree char *query_hash = NULL;
  gint64 id;
  guint counts[256] = { 0 };

  g_assert_no_error (error);

  /* The SHA-256 test vector, as lowercase hex. */
  sha_abc = ba_server_auth_hash_api_key ("abc");
  g_assert_cmpstr (sha_abc, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

  /* 32 alphanumerics, never repeated, every character of the alphabet in
   * use (a generator stuck on part of it would show here). */
  for (guint i = 0; i < 2000; i++)
    {
      char *k = ba_server_auth_new_api_key ();

      g_assert_true (g_regex_match_simple ("^[A-Za-z0-9]{32}$", k, 0, 0));
      for (const char *p = k; *p != '\0'; p++)
        counts[(guchar) *p]++;
      g_assert_true (g_hash_table_add (seen, k));
    }
  for (int c = 0; c < 256; c++)
    g_assert_true (g_ascii_isalnum (c) ? counts[c] > 0 : counts[c] == 0);

  alice = create (f, "alice", NULL, &error);
  g_assert_no_error (error);
  bob = create (f, "bob", NULL, &error);
  g_assert_no_error (error);

  key = ba_server_auth_new_api_key ();
  hash = ba_server_auth_hash_api_key (key);
  id = ba_server_store_create_api_key (f->store, alice->actor_id, hash, "ci", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  /* The same hash twice is a conflict, not a second row. */
  g_assert_cmpint (ba_server_store_create_api_key (f->store, bob->actor_id, hash, "x", NULL, NULL,
                                                   &error), ==, 0);
  g_assert_error (error, BA_ERROR, BA_ERROR_CONFLICT);
  g_clear_error (&error);

  /* An actor that does not exist is refused (foreign keys are on). */
  g_assert_cmpint (ba_server_store_create_api_key (f->store, 999999, "other-hash", "x", NULL, NULL,
                                                   &error), ==, 0);
  g_assert_nonnull (error);
  g_clear_error (&error);

  found = ba_server_store_find_user_by_api_key (f->store, hash, &expiry, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpint (found->id, ==, alice->id);
  g_assert_null (expiry);
  g_clear_pointer (&found, ba_server_user_free);

  /* Resolving: as Bearer and as ?apikey=, a key of alice's. */
  bearer = g_strconcat ("Bearer ", key, NULL);
  credential = ba_server_auth_resolve (auth, bearer, NULL);
  g_assert_cmpint (credential->kind, ==, BA_SERVER_CREDENTIAL_USER_API_KEY);
  g_assert_cmpint (credential->user->id, ==, alice->id);
  g_assert_cmpint (credential->auth_time, ==, 0);
  g_clear_pointer (&credential, ba_server_credential_free);

  credential = ba_server_auth_resolve (auth, NULL, key);
  g_assert_cmpint (credential->kind, ==, BA_SERVER_CREDENTIAL_USER_API_KEY);
  g_clear_pointer (&credential, ba_server_credential_free);

  /* ?apikey= wins over a non-JWT Bearer string. */
  query_key = ba_server_auth_new_api_key ();
  query_hash = ba_server_auth_hash_api_key (query_key);
  g_assert_cmpint (ba_server_store_create_api_key (f->store, bob->actor_id, query_hash, "q", NULL, NULL,
                                                   &error), >, 0);
  g_assert_no_error (error);
  credential = ba_server_auth_resolve (auth, bearer, query_key);
  g_assert_cmpint (credential->user->id, ==, bob->id);
  g_clear_pointer (&credential, ba_server_credential_free);

  /* Expiry: future works, past and now do not, garbage does not. */
  g_assert_true (ba_server_store_update_api_key (f->store, id, NULL, FALSE, NULL, TRUE,
                                                 "2999-01-01T00:00:00.000Z", &error));
  credential = ba_server_auth_resolve (auth, bearer, NULL);
  g_assert_cmpint (credential->kind, ==, BA_SERVER_CREDENTIAL_USER_API_KEY);
  g_clear_pointer (&credential, ba_server_credential_free);

  g_assert_true (ba_server_store_update_api_key (f->store, id, NULL, FALSE, NULL, TRUE,
                                                 "2001-01-01T00:00:00.000Z", &error));
  credential = ba_server_auth_resolve (auth, bearer, NULL);
  g_assert_cmpint (credential->kind, ==, BA_SERVER_CREDENTIAL_NONE);
  g_assert_null (credential->user);
  g_clear_pointer (&credential, ba_server_credential_free);

  g_assert_true (ba_server_store_update_api_key (f->store, id, NULL, FALSE, NULL, TRUE,
                                                 "garbage", &error));
  credential = ba_server_auth_resolve (auth, bearer, NULL);
  g_assert_cmpint (credential->kind, ==, BA_SERVER_CREDENTIAL_NONE);
  g_clear_pointer (&credential, ba_server_credential_free);

  /* Update touches only what it is told to. */
  g_assert_true (ba_server_store_update_api_key (f->store, id, "renamed", TRUE, "words", TRUE, NULL,
                                                 &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM api_key WHERE name = 'renamed' AND "
                                 "description = 'words' AND expiry_date IS NULL"), ==, 1);
  g_assert_true (ba_server_store_update_api_key (f->store, id, NULL, FALSE, NULL, FALSE, NULL, &error));
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM api_key WHERE name = 'renamed' AND "
                                 "description = 'words'"), ==, 1);

  /* Deleting the key ends it; deleting the actor takes its keys along. */
  g_assert_true (ba_server_store_delete_api_key (f->store, id, &error));
  g_assert_no_error (error);
  credential = ba_server_auth_resolve (auth, bearer, NULL);
  g_assert_cmpint (credential->kind, ==, BA_SERVER_CREDENTIAL_NONE);
  g_clear_pointer (&credential, ba_server_credential_free);

  g_assert_cmpint (query_int (f, "SELECT count(*) FROM api_key"), ==, 1);
  {
    sqlite3 *db = ba_server_store_get_db (f->store);
    g_autofree char *sql = g_strdup_printf ("DELETE FROM user WHERE id = %" G_GINT64_FORMAT ";"
                                            "DELETE FROM actor WHERE id = %" G_GINT64_FORMAT,
                                            bob->id, bob->actor_id);

    g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  }
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM api_key"), ==, 0);
}

/* The /v7/ model names only tables and columns the latest schema has, and
 * hides the key hash. */
static void
test_model (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(BaODataModel) model = ba_server_model_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BaODataQuery) query = NULL;

  g_assert_true (ba_odata_model_check (model, ba_server_store_get_db (f->store), &error));
  g_assert_no_error (error);

  query = ba_odata_query_parse (model, "/api_key", "$select=key", &error);
  g_assert_null (query);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  query = ba_odata_query_parse (model, "/user", "$select=email", &error);
  g_assert_null (query);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
}

/* A database left at schema version 1 (issue 2's server) gains the
 * api_key table and keeps its users. */
static void
test_store_migrate_v1 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-server-units-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "server.db", NULL);
  g_autoptr(BaServerStore) store = NULL;
  g_autoptr(BaServerUser) user = NULL;
  sqlite3 *db = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TABLE actor (id INTEGER PRIMARY KEY AUTOINCREMENT);"
                                 "INSERT INTO sqlite_sequence (name, seq) VALUES ('actor', 1000);"
                                 "CREATE TABLE user (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                                 "  actor INTEGER NOT NULL UNIQUE REFERENCES actor (id) ON DELETE CASCADE,"
                                 "  username TEXT NOT NULL UNIQUE COLLATE NOCASE,"
                                 "  email TEXT UNIQUE COLLATE NOCASE, password_hash TEXT,"
                                 "  jwt_secret TEXT NOT NULL, created_at TEXT NOT NULL);"
                                 "INSERT INTO actor DEFAULT VALUES;"
                                 "INSERT INTO user VALUES (1, 1001, 'old', NULL, NULL, 'S', '2025-01-01T00:00:00.000Z');"
                                 "PRAGMA user_version = 1;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = ba_server_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ba_server_store_get_schema_version (store), ==,
                   ba_server_store_get_latest_version ());
  user = ba_server_store_find_user_by_username (store, "old", &error);
  g_assert_no_error (error);
  g_assert_nonnull (user);
  g_assert_cmpint (ba_server_store_create_api_key (store, user->actor_id, "h", "n", NULL, NULL,
                                                   &error), >, 0);
  g_assert_no_error (error);

  g_clear_object (&store);
  remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/ba/server/store/find", test_store_find);
  ADD ("/ba/server/store/unique", test_store_unique);
  ADD ("/ba/server/store/actor-ids", test_store_actor_ids);
  ADD ("/ba/server/store/set-password", test_store_set_password);
  ADD ("/ba/server/store/reopen", test_store_reopen);
  g_test_add_func ("/ba/server/store/bad-files", test_store_bad_files);
  g_test_add_func ("/ba/server/rate-limiter/block-and-reset", test_rate_limiter);
  ADD ("/ba/server/auth/passwords-and-tokens", test_auth);
  ADD ("/ba/server/auth/async-check", test_auth_async);
  ADD ("/ba/server/auth/bad-secret", test_auth_bad_secret);
  ADD ("/ba/server/auth/api-keys", test_api_keys);
  ADD ("/ba/server/model/check", test_model);
  g_test_add_func ("/ba/server/store/migrate-v1", test_store_migrate_v1);

#undef ADD

  return g_test_run ();
}
