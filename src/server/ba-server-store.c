/* ba-server-store.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-server-store"

#include "config.h"

#include <errno.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ba-error.h"
#include "ba-server-store.h"
#include "ba-server-fleets.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

struct _BaServerStore
{
  GObject  parent_instance;

  sqlite3 *db;
  int      schema_version;
};

G_DEFINE_FINAL_TYPE (BaServerStore, ba_server_store, G_TYPE_OBJECT)

/* Ordered schema migrations: entry N brings a database from user_version N
 * to N + 1. Never edit an entry once it has shipped; append a new one.
 *
 * The actor sequence starts at 1000 so that actor ids never coincide with
 * user ids: a client that confuses whoami's `id` with `actorTypeId` gets a
 * visibly wrong answer instead of a lucky right one. */
static const char * const migrations[] = {
  /* 1: actors and users. */
  "CREATE TABLE actor ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT"
  ");"
  "INSERT INTO sqlite_sequence (name, seq) VALUES ('actor', 1000);"
  "CREATE TABLE user ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  actor INTEGER NOT NULL UNIQUE REFERENCES actor (id) ON DELETE CASCADE,"
  "  username TEXT NOT NULL UNIQUE COLLATE NOCASE,"
  "  email TEXT UNIQUE COLLATE NOCASE,"
  "  password_hash TEXT,"
  "  jwt_secret TEXT NOT NULL,"
  "  created_at TEXT NOT NULL"
  ");",

  /* 2: API keys. Only a SHA-256 of the key is kept (hex, looked up by
   * equality); keys are 32 random alphanumeric characters, so a slow
   * password hash would add nothing. Dates are ISO-8601 text with
   * milliseconds and "Z"; a NULL expiry_date never expires. */
  "CREATE TABLE api_key ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  key_hash TEXT NOT NULL UNIQUE,"
  "  is_of__actor INTEGER NOT NULL REFERENCES actor (id) ON DELETE CASCADE,"
  "  name TEXT,"
  "  description TEXT,"
  "  expiry_date TEXT,"
  "  created_at TEXT NOT NULL"
  ");"
  "CREATE INDEX api_key_is_of__actor ON api_key (is_of__actor);",

  /* 3: organizations, fleets, devices, fleet members and invites
   * (ba-server-fleets.h). */
  BA_SERVER_FLEETS_SCHEMA,
  /* 4: two-factor authentication (issue 5). One TOTP secret per user,
   * pending until the first code verifies; last_used_step refuses a code
   * a second time. Recovery codes are kept as SHA-256 hex only. Both
   * belong to the user and go with it. */
  "CREATE TABLE totp ("
  "  user INTEGER PRIMARY KEY REFERENCES user (id) ON DELETE CASCADE,"
  "  secret TEXT NOT NULL,"
  "  is_enabled INTEGER NOT NULL DEFAULT 0,"
  "  last_used_step INTEGER NOT NULL DEFAULT -1,"
  "  created_at TEXT NOT NULL"
  ");"
  "CREATE TABLE recovery_two_factor ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  belongs_to__user INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,"
  "  code_hash TEXT NOT NULL,"
  "  used_timestamp TEXT,"
  "  created_at TEXT NOT NULL"
  ");"
  "CREATE INDEX recovery_two_factor_belongs_to__user ON recovery_two_factor (belongs_to__user);",
  /* 5: the account lifecycle (sign-up, verification, password reset).
   * The profile of account-api.md section 17.2 lives on the user row and
   * is read through the user_profile view; accounts that existed before
   * sign-up did count as verified. user_token holds single-use mail
   * tokens (purpose 'verify-email' or 'password-reset') as SHA-256 hex,
   * with their expiry in Unix seconds. */
  "ALTER TABLE user ADD COLUMN first_name TEXT;"
  "ALTER TABLE user ADD COLUMN last_name TEXT;"
  "ALTER TABLE user ADD COLUMN company TEXT;"
  "ALTER TABLE user ADD COLUMN is_verified INTEGER NOT NULL DEFAULT 0;"
  "UPDATE user SET is_verified = 1;"
  "CREATE VIEW user_profile AS SELECT"
  "  id, id AS is_of__user, email, first_name, last_name, company,"
  "  'free' AS account_type, password_hash IS NOT NULL AS has_password_set,"
  "  is_verified, 0 AS must_be_verified, 0 AS has_disabled_newsletter"
  "  FROM user;"
  "CREATE TABLE user_token ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  user INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,"
  "  purpose TEXT NOT NULL,"
  "  token_hash TEXT NOT NULL UNIQUE,"
  "  expires_at INTEGER NOT NULL,"
  "  created_at TEXT NOT NULL"
  ");"
  "CREATE INDEX user_token_user ON user_token (user);",
};

void
ba_server_user_free (BaServerUser *user)
{
  if (user == NULL)
    return;

  g_free (user->username);
  g_free (user->email);
  g_free (user->password_hash);
  g_free (user->jwt_secret);
  g_free (user->created_at);
  g_free (user);
}

static void
set_db_error (GError     **error,
              sqlite3     *db,
              const char  *what)
{
  int code = sqlite3_extended_errcode (db);

  if ((code & 0xff) == SQLITE_CONSTRAINT)
    g_set_error (error, BA_ERROR, BA_ERROR_CONFLICT,
                 "%s: %s", what, sqlite3_errmsg (db));
  else
    g_set_error (error, BA_ERROR, BA_ERROR_FAILED,
                 "%s: %s", what, sqlite3_errmsg (db));
}

static sqlite3_stmt *
prepare (BaServerStore  *self,
         const char     *sql,
         GError        **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (error, self->db, "Could not prepare a statement");
      sqlite3_finalize (stmt);
      return NULL;
    }

  return stmt;
}

static gboolean
exec (BaServerStore  *self,
      const char     *sql,
      GError        **error)
{
  char *message = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, BA_ERROR, BA_ERROR_FAILED,
                   "Database error: %s", message ? message : "unknown");
      sqlite3_free (message);
      return FALSE;
    }

  return TRUE;
}

static int
query_int (BaServerStore  *self,
           const char     *sql,
           GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, sql, error);

  if (stmt == NULL)
    return -1;

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_db_error (error, self->db, "Could not read from the database");
      return -1;
    }

  return sqlite3_column_int (stmt, 0);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

static gboolean
migrate (BaServerStore  *self,
         GError        **error)
{
  int version = query_int (self, "PRAGMA user_version", error);

  if (version < 0)
    return FALSE;

  if (version > (int) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, BA_ERROR, BA_ERROR_FAILED,
                   "The database has schema version %d, newer than this "
                   "server knows (%d); refusing to touch it",
                   version, (int) G_N_ELEMENTS (migrations));
      return FALSE;
    }

  for (; version < (int) G_N_ELEMENTS (migrations); version++)
    {
      g_autofree char *set_version = NULL;

      g_debug ("Migrating the database to schema version %d", version + 1);

      /* The migration and its version bump commit together, so a crash
       * never leaves a half-applied migration behind. */
      if (!exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;

      set_version = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
      if (!exec (self, migrations[version], error) ||
          !exec (self, set_version, error) ||
          !exec (self, "COMMIT", error))
        {
          exec (self, "ROLLBACK", NULL);
          return FALSE;
        }
    }

  self->schema_version = version;

  return TRUE;
}

char *
ba_server_store_format_date (GDateTime *date)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (date);
  g_autofree char *seconds = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S");

  /* Milliseconds and "Z", like JavaScript's toISOString(), which is what
   * balena's own server sends. */
  return g_strdup_printf ("%s.%03dZ", seconds,
                          g_date_time_get_microsecond (utc) / 1000);
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return ba_server_store_format_date (now);
}

static BaServerUser *
find_user (BaServerStore  *self,
           const char     *sql,
           gint64          id,
           const char     *text,
           GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, sql, error);
  BaServerUser *user;
  int rc;

  if (stmt == NULL)
    return NULL;

  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      set_db_error (error, self->db, "Could not look up the user");
      return NULL;
    }

  user = g_new0 (BaServerUser, 1);
  user->id = sqlite3_column_int64 (stmt, 0);
  user->actor_id = sqlite3_column_int64 (stmt, 1);
  user->username = column_text (stmt, 2);
  user->email = column_text (stmt, 3);
  user->password_hash = column_text (stmt, 4);
  user->jwt_secret = column_text (stmt, 5);
  user->created_at = column_text (stmt, 6);

  return user;
}

#define USER_COLUMNS "id, actor, username, email, password_hash, jwt_secret, created_at"

static void
ba_server_store_finalize (GObject *object)
{
  BaServerStore *self = (BaServerStore *)object;

  if (self->db != NULL)
    sqlite3_close_v2 (self->db);

  G_OBJECT_CLASS (ba_server_store_parent_class)->finalize (object);
}

static void
ba_server_store_class_init (BaServerStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_server_store_finalize;
}

static void
ba_server_store_init (BaServerStore *self)
{
}

BaServerStore *
ba_server_store_open (const char  *path,
                      GError     **error)
{
  g_autoptr(BaServerStore) self = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char *journal_mode;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (BA_TYPE_SERVER_STORE, NULL);

  if (sqlite3_open_v2 (path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, BA_ERROR, BA_ERROR_FAILED,
                   "Could not open the database %s: %s", path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : "out of memory");
      return NULL;
    }

  /* It holds password hashes; SQLite gives the -wal and -shm files the
   * same mode as the database. */
  if (g_chmod (path, 0600) != 0)
    g_warning ("Could not make %s private: %s", path, g_strerror (errno));

  /* Another process (a restart, or sqlcipher's shell) may hold a lock for
   * a moment; wait for it rather than failing the request. */
  sqlite3_busy_timeout (self->db, 5000);

  stmt = prepare (self, "PRAGMA journal_mode = WAL", error);
  if (stmt == NULL)
    return NULL;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_db_error (error, self->db, "Could not read the database");
      return NULL;
    }
  journal_mode = (const char *) sqlite3_column_text (stmt, 0);
  if (g_strcmp0 (journal_mode, "wal") != 0)
    {
      g_set_error (error, BA_ERROR, BA_ERROR_FAILED,
                   "The database %s could not be switched to WAL mode", path);
      return NULL;
    }

  /* SQLite 3.15 refuses to commit while any statement is still active. */
  g_clear_pointer (&stmt, sqlite3_finalize);

  /* In WAL mode, NORMAL still never corrupts the database; it only
   * skips the fsync on each commit (a power cut may lose the last few
   * commits). Without it every API-key creation waits for the disk. */
  if (!exec (self, "PRAGMA synchronous = NORMAL", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error) ||
      !migrate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

int
ba_server_store_get_schema_version (BaServerStore *self)
{
  g_return_val_if_fail (BA_IS_SERVER_STORE (self), -1);

  return self->schema_version;
}

int
ba_server_store_get_latest_version (void)
{
  return G_N_ELEMENTS (migrations);
}

BaServerUser *
ba_server_store_find_user_by_id (BaServerStore  *self,
                                 gint64          id,
                                 GError        **error)
{
  g_return_val_if_fail (BA_IS_SERVER_STORE (self), NULL);

  return find_user (self, "SELECT " USER_COLUMNS " FROM user WHERE id = ?",
                    id, NULL, error);
}

BaServerUser *
ba_server_store_find_user_by_username (BaServerStore  *self,
                                       const char     *username,
                                       GError        **error)
{
  g_return_val_if_fail (BA_IS_SERVER_STORE (self), NULL);
  g_return_val_if_fail (username != NULL, NULL);

  /* The column is COLLATE NOCASE, so "=" is already case-insensitive. */
  return find_user (self, "SELECT " USER_COLUMNS " FROM user WHERE username = ?",
                    0, username, error);
}

BaServerUser *
ba_server_store_find_user_by_email (BaServerStore  *self,
                                    const char     *email,
                                    GError        **error)
{
  g_return_val_if_fail (BA_IS_SERVER_STORE (self), NULL);
  g_return_val_if_fail (email != NULL, NULL);

  return find_user (self, "SELECT " USER_COLUMNS " FROM user WHERE email = ?",
                    0, email, error);
}

BaServerUser *
ba_server_store_create_user (BaServerStore  *self,
                             const char     *username,
                             const char     *email,
                             const char     *password_hash,
                             const char     *jwt_secret,
                             GError        **error)
{
  g_autoptr(sqlite3_stmt) actor_stmt = NULL;
  g_autoptr(sqlite3_stmt) user_stmt = NULL;
  g_autofree char *created_at = NULL;
  gint64 actor_id;
  gint64 user_id;

  g_return_val_if_fail (BA_IS_SERVER_STORE (self), NULL);
  g_return_val_if_fail (username != NULL, NULL);
  g_return_val_if_fail (jwt_secret != NULL, NULL);

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return NULL;

  actor_stmt = prepare (self, "INSERT INTO actor DEFAULT VALUES", error);
  if (actor_stmt == NULL)
    goto failed;
  if (sqlite3_step (actor_stmt) != SQLITE_DONE)
    {
      set_db_error (error, self->db, "Could not create the actor");
      goto failed;
    }
  actor_id = sqlite3_last_insert_rowid (self->db);

  user_stmt = prepare (self,
                       "INSERT INTO user (actor, username, email, password_hash, jwt_secret, created_at)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       error);
  if (user_stmt == NULL)
    goto failed;

  created_at = now_iso8601 ();
  sqlite3_bind_int64 (user_stmt, 1, actor_id);
  sqlite3_bind_text (user_stmt, 2, username, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (user_stmt, 3, email, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (user_stmt, 4, password_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (user_stmt, 5, jwt_secret, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (user_stmt, 6, created_at, -1, SQLITE_TRANSIENT);

  if (sqlite3_step (user_stmt) != SQLITE_DONE)
    {
      set_db_error (error, self->db, "Could not create the user");
      goto failed;
    }
  user_id = sqlite3_last_insert_rowid (self->db);

  if (!exec (self, "COMMIT", error))
    goto failed;

  return ba_server_store_find_user_by_id (self, user_id, error);

failed:
  exec (self, "ROLLBACK", NULL);
  return NULL;
}

gboolean
ba_server_store_set_password (BaServerStore  *self,
                              gint64          user_id,
                              const char     *password_hash,
                              const char     *jwt_secret,
                              GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (BA_IS_SERVER_STORE (self), FALSE);
  g_return_val_if_fail (jwt_secret != NULL, FALSE);

  stmt = prepare (self,
                  "UPDATE user SET password_hash = ?, jwt_secret = ? WHERE id = ?",
                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, password_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, jwt_secret, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, user_id);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_db_error (error, self->db, "Could not change the password");
      return FALSE;
    }

  if (sqlite3_changes (self->db) != 1)
    {
      g_set_error (error, BA_ERROR, BA_ERROR_NOT_FOUND, "No such user");
      return FALSE;
    }

  return TRUE;
}

sqlite3 *
ba_server_store_get_db (BaServerStore *self)
{
  g_return_val_if_fail (BA_IS_SERVER_STORE (self), NULL);

  return self->db;
}

gint64
ba_server_store_create_api_key (BaServerStore  *self,
                                gint64          actor_id,
                                const char     *key_hash,
                                const char     *name,
                                const char     *description,
                                const char     *expiry_date,
                                GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *created_at = NULL;

  g_return_val_if_fail (BA_IS_SERVER_STORE (self), 0);
  g_return_val_if_fail (key_hash != NULL, 0);

  stmt = prepare (self,
                  "INSERT INTO api_key (key_hash, is_of__actor, name, description, expiry_date, created_at)"
                  " VALUES (?, ?, ?, ?, ?, ?)",
                  error);
  if (stmt == NULL)
    return 0;

  created_at = now_iso8601 ();
  sqlite3_bind_text (stmt, 1, key_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, actor_id);
  sqlite3_bind_text (stmt, 3, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, description, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, expiry_date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, created_at, -1, SQLITE_TRANSIENT);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_db_error (error, self->db, "Could not create the API key");
      return 0;
    }

  return sqlite3_last_insert_rowid (self->db);
}

BaServerUser *
ba_server_store_find_user_by_api_key (BaServerStore  *self,
                                      const char     *key_hash,
                                      char          **out_expiry_date,
                                      GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(BaServerUser) user = NULL;
  g_autofree char *expiry_date = NULL;
  gint64 user_id;
  int rc;

  g_return_val_if_fail (BA_IS_SERVER_STORE (self), NULL);
  g_return_val_if_fail (key_hash != NULL, NULL);

  stmt = prepare (self,
                  "SELECT user.id, api_key.expiry_date FROM api_key"
                  " JOIN user ON user.actor = api_key.is_of__actor"
                  " WHERE api_key.key_hash = ?",
                  error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_text (stmt, 1, key_hash, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      set_db_error (error, self->db, "Could not look up the API key");
      return NULL;
    }

  user_id = sqlite3_column_int64 (stmt, 0);
  expiry_date = column_text (stmt, 1);
  g_clear_pointer (&stmt, sqlite3_finalize);

  user = ba_server_store_find_user_by_id (self, user_id, error);
  if (user == NULL)
    return NULL;

  if (out_expiry_date != NULL)
    *out_expiry_date = g_steal_pointer (&expiry_date);

  return g_steal_pointer (&user);
}

gboolean
ba_server_store_update_api_key (BaServerStore  *self,
                                gint64          id,
                                const char     *name,
                                gboolean        set_description,
                                const char     *description,
                                gboolean        set_expiry_date,
                                const char     *expiry_date,
                                GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (BA_IS_SERVER_STORE (self), FALSE);

  /* One statement for every combination: a flag says whether each column
   * takes the new value or keeps its own. */
  stmt = prepare (self,
                  "UPDATE api_key SET"
                  " name = CASE WHEN ? THEN ? ELSE name END,"
                  " description = CASE WHEN ? THEN ? ELSE description END,"
                  " expiry_date = CASE WHEN ? THEN ? ELSE expiry_date END"
                  " WHERE id = ?",
                  error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int (stmt, 1, name != NULL);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 3, set_description);
  sqlite3_bind_text (stmt, 4, description, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 5, set_expiry_date);
  sqlite3_bind_text (stmt, 6, expiry_date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, id);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_db_error (error, self->db, "Could not update the API key");
      return FALSE;
    }

  return TRUE;
}

gboolean
ba_server_store_delete_api_key (BaServerStore  *self,
                                gint64          id,
                                GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (BA_IS_SERVER_STORE (self), FALSE);

  stmt = prepare (self, "DELETE FROM api_key WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_db_error (error, self->db, "Could not delete the API key");
      return FALSE;
    }

  return TRUE;
}

gboolean
ba_server_store_begin (BaServerStore  *self,
                       GError        **error)
{
  g_return_val_if_fail (BA_IS_SERVER_STORE (self), FALSE);

  return exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
ba_server_store_commit (BaServerStore  *self,
                        GError        **error)
{
  g_return_val_if_fail (BA_IS_SERVER_STORE (self), FALSE);

  return exec (self, "COMMIT", error);
}

void
ba_server_store_rollback (BaServerStore *self)
{
  g_return_if_fail (BA_IS_SERVER_STORE (self));

  exec (self, "ROLLBACK", NULL);
}
