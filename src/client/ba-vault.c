/* ba-vault.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-vault"

#include "config.h"

#include <errno.h>
#include <fcntl.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <sodium.h>
#include <sqlite3.h>

#include "ba-api-key.h"
#include "ba-error.h"
#include "ba-vault.h"
#include "ba-vault-fleets.h"
#include "ba-vault-private.h"
#include "ba-wipe.h"

#define VAULT_KEY_SIZE 32

struct _BaVault
{
  GObject   parent_instance;

  char     *path;
  int       schema_version;

  /* Only one thread uses the connection at a time. */
  GMutex    lock;
  sqlite3  *db;

  /* One thread, so API-key jobs run in the order they were asked for. */
  GThreadPool *key_jobs;
};

G_DEFINE_FINAL_TYPE (BaVault, ba_vault, G_TYPE_OBJECT)

/* Schema migrations: step N brings the file from user_version N-1 to N.
 * Each runs in its own transaction. Every later table that belongs to an
 * account references accounts(id) ON DELETE CASCADE, so forgetting an
 * account removes all of its cached rows. */
static const char * const migrations[] = {
  /* 1: accounts */
  "CREATE TABLE accounts ("
  "  id             TEXT    PRIMARY KEY NOT NULL,"
  "  server_url     TEXT    NOT NULL,"
  "  user_id        INTEGER NOT NULL,"
  "  actor_id       INTEGER NOT NULL,"
  "  username       TEXT    NOT NULL,"
  "  email          TEXT,"
  "  last_synced_at INTEGER NOT NULL DEFAULT 0,"
  "  last_used_at   INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX accounts_by_last_used ON accounts (last_used_at);",

  /* 2: api_keys, metadata only: the secret key is never stored. */
  "CREATE TABLE api_keys ("
  "  account_id  TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  id          INTEGER NOT NULL,"
  "  name        TEXT    NOT NULL,"
  "  description TEXT,"
  "  created_at  INTEGER NOT NULL DEFAULT 0,"
  "  expiry_date INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (account_id, id)"
  ");",

  /* 3: fleets (ba-vault-fleets.h). */
  BA_VAULT_FLEETS_SCHEMA,

  /* 4: the user_profile of each account (issue 4), shown while offline. */
  "CREATE TABLE profiles ("
  "  account_id       TEXT    PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,"
  "  email            TEXT,"
  "  first_name       TEXT,"
  "  last_name        TEXT,"
  "  company          TEXT,"
  "  has_password_set INTEGER NOT NULL DEFAULT 0,"
  "  is_verified      INTEGER NOT NULL DEFAULT 0"
  ");",
};

void
ba_vault_account_free (BaVaultAccount *account)
{
  if (account == NULL)
    return;

  g_free (account->id);
  g_free (account->server_url);
  g_free (account->username);
  g_free (account->email);
  g_free (account);
}

static void
ba_vault_finalize (GObject *object)
{
  BaVault *self = (BaVault *)object;

  /* Every queued job holds a reference, so none is left by now. The
   * last reference may be dropped on the pool's own thread, which must
   * not wait for itself. */
  if (self->key_jobs != NULL)
    g_thread_pool_free (self->key_jobs, FALSE, FALSE);
  self->key_jobs = NULL;

  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  self->db = NULL;
  g_mutex_clear (&self->lock);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (ba_vault_parent_class)->finalize (object);
}

static void
ba_vault_class_init (BaVaultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_vault_finalize;
}

static void key_job_run (gpointer data,
                         gpointer user_data);

static void
ba_vault_init (BaVault *self)
{
  g_mutex_init (&self->lock);
  /* Not exclusive: the thread comes from GLib's shared pool when needed. */
  self->key_jobs = g_thread_pool_new (key_job_run, NULL, 1, FALSE, NULL);
}


/* A user-facing message for an SQLite failure; the detail is logged. */
void
ba_vault_set_sqlite_error (GError     **error,
                           sqlite3     *db,
                           int          rc,
                           const char  *what)
{
  g_debug ("SQLite failure while %s: %s (%d)", what,
           db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc), rc);

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error_literal (error, BA_ERROR, BA_ERROR_VAULT,
                           _("The disk is full, so the local cache could not be saved. Free some space; nothing already saved was lost."));
      break;

    case SQLITE_READONLY:
    case SQLITE_PERM:
      g_set_error_literal (error, BA_ERROR, BA_ERROR_VAULT,
                           _("The local cache is read-only, so changes could not be saved. Nothing already saved was lost."));
      break;

    case SQLITE_CANTOPEN:
      g_set_error_literal (error, BA_ERROR, BA_ERROR_VAULT,
                           _("The local cache could not be opened. Check the permissions of its folder."));
      break;

    case SQLITE_IOERR:
      g_set_error_literal (error, BA_ERROR, BA_ERROR_VAULT,
                           _("The local cache could not be written to disk. The disk may be full or failing; nothing already saved was lost."));
      break;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error_literal (error, BA_ERROR, BA_ERROR_VAULT,
                           _("The local cache is in use by another program. Close other copies of Balena Accounts and try again."));
      break;

    default:
      g_set_error_literal (error, BA_ERROR, BA_ERROR_VAULT,
                           _("The local cache could not be used."));
      break;
    }
}

static int
exec_sql (sqlite3    *db,
          const char *sql)
{
  return sqlite3_exec (db, sql, NULL, NULL, NULL);
}

typedef enum
{
  OPEN_OK,
  OPEN_BROKEN,   /* the existing file is not a vault we can read with this key */
  OPEN_FAILED,   /* anything else: no cipher, permissions, disk */
} OpenResult;

/* Opens and unlocks @path. Returns OPEN_BROKEN only for an existing file
 * that turned out to be undecryptable or corrupt, which is the one case
 * where moving it aside is right; I/O and permission problems are
 * reported instead, so a full or read-only disk never loses the file. */
/* SQLCipher does its key work with OpenSSL on whichever GTask worker thread
 * opened the vault, and OpenSSL keeps per-thread state for it. By default
 * OpenSSL registers an atexit handler that frees every thread's state; a
 * worker thread that happens to exit at the same moment then frees its own
 * state a second time (a double free seen under AddressSanitizer at process
 * exit). The state is tiny and the process is ending, so OpenSSL is told not
 * to clean up at exit. This must run before SQLCipher first initialises
 * OpenSSL, hence before the first sqlite3_open_v2. */
static void
init_openssl_once (void)
{
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      OPENSSL_init_crypto (OPENSSL_INIT_NO_ATEXIT, NULL);
      g_once_init_leave (&initialised, 1);
    }
}

#define VAULT_BUSY_TIMEOUT_MS 5000

static OpenResult
try_open (const char    *path,
          GBytes        *key,
          sqlite3      **out_db,
          GError       **error)
{
  char hex[VAULT_KEY_SIZE * 2 + 1];
  g_autoptr(BaSecretString) pragma = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean has_cipher = FALSE;
  int rc;

  *out_db = NULL;

  init_openssl_once ();
  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      ba_vault_set_sqlite_error (error, db, rc, "opening");
      sqlite3_close_v2 (db);
      return OPEN_FAILED;
    }

  /* Another connection to the file (a window still finishing a write, or a
   * second copy of the app) holds its lock only for a moment: wait for it
   * instead of failing at once with SQLITE_BUSY. */
  sqlite3_busy_timeout (db, VAULT_BUSY_TIMEOUT_MS);

  /* A raw key (no KDF): x'<64 hex digits>'. Both copies are wiped. */
  sodium_bin2hex (hex, sizeof hex, g_bytes_get_data (key, NULL), VAULT_KEY_SIZE);
  pragma = g_strdup_printf ("PRAGMA key = \"x'%s'\";", hex);
  sodium_memzero (hex, sizeof hex);
  rc = exec_sql (db, pragma);
  if (rc != SQLITE_OK)
    {
      ba_vault_set_sqlite_error (error, db, rc, "setting the key");
      sqlite3_close_v2 (db);
      return OPEN_FAILED;
    }

  /* One on-disk format for SQLCipher 3 (Debian) and 4 (Flatpak). SQLCipher
   * 3 does not know this pragma and, like SQLite with any unknown pragma,
   * ignores it: the 3.x format is its only one. So only a real failure
   * (out of memory, say) comes back here, and a vault in another format
   * than the one the user's other installs read must not be written. */
  rc = exec_sql (db, "PRAGMA cipher_compatibility = 3;");
  if (rc != SQLITE_OK)
    {
      ba_vault_set_sqlite_error (error, db, rc, "choosing the SQLCipher 3 format");
      sqlite3_close_v2 (db);
      return OPEN_FAILED;
    }

  /* A plain SQLite library would ignore the key and write plaintext. */
  rc = sqlite3_prepare_v2 (db, "PRAGMA cipher_version;", -1, &stmt, NULL);
  if (rc == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    {
      const unsigned char *version = sqlite3_column_text (stmt, 0);

      has_cipher = version != NULL && version[0] != '\0';
    }
  sqlite3_finalize (stmt);

  if (!has_cipher)
    {
      g_warning ("PRAGMA cipher_version gave no answer: SQLCipher is not in use");
      g_set_error_literal (error, BA_ERROR, BA_ERROR_VAULT,
                           _("Encryption is unavailable, so the local cache will not be used."));
      sqlite3_close_v2 (db);
      return OPEN_FAILED;
    }

  /* The first real read tells whether the key fits the file. */
  rc = exec_sql (db, "SELECT count(*) FROM sqlite_master;");
  if (rc != SQLITE_OK)
    {
      int primary = rc & 0xff;

      ba_vault_set_sqlite_error (error, db, rc, "reading");
      sqlite3_close_v2 (db);

      if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
        return OPEN_BROKEN;

      return OPEN_FAILED;
    }

  exec_sql (db, "PRAGMA foreign_keys = ON;");
  /* Deleted rows are overwritten, not just unlinked. */
  exec_sql (db, "PRAGMA secure_delete = ON;");

  *out_db = db;

  return OPEN_OK;
}

static int
read_user_version (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version;", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);

  return version;
}

static gboolean
migrate (sqlite3  *db,
         int      *out_version,
         GError  **error)
{
  int version = read_user_version (db);
  int latest = G_N_ELEMENTS (migrations);

  if (version < 0)
    {
      ba_vault_set_sqlite_error (error, db, sqlite3_errcode (db), "reading the schema version");
      return FALSE;
    }

  if (version > latest)
    {
      /* Written by a newer release: leave it alone rather than guess. */
      g_set_error (error, BA_ERROR, BA_ERROR_VAULT,
                   _("The local cache was created by a newer version of Balena Accounts (schema %d)."),
                   version);
      return FALSE;
    }

  for (; version < latest; version++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d;", version + 1);
      int rc;

      rc = exec_sql (db, "BEGIN IMMEDIATE;");
      if (rc == SQLITE_OK)
        rc = exec_sql (db, migrations[version]);
      if (rc == SQLITE_OK)
        rc = exec_sql (db, set_version);
      if (rc == SQLITE_OK)
        rc = exec_sql (db, "COMMIT;");

      if (rc != SQLITE_OK)
        {
          ba_vault_set_sqlite_error (error, db, rc, "migrating the schema");
          exec_sql (db, "ROLLBACK;");
          return FALSE;
        }

      g_debug ("Vault schema migrated to version %d", version + 1);
    }

  *out_version = version;

  return TRUE;
}

/* Moves a broken vault (and its journal, if any) aside, keeping it for
 * later inspection instead of deleting anything. */
static gboolean
move_aside (const char  *path,
            GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *target = NULL;
  g_autofree char *journal = NULL;

  target = g_strdup_printf ("%s.broken-%s", path, stamp);
  for (guint i = 1; g_file_test (target, G_FILE_TEST_EXISTS); i++)
    {
      g_free (target);
      target = g_strdup_printf ("%s.broken-%s-%u", path, stamp, i);
    }

  if (g_rename (path, target) != 0)
    {
      int saved_errno = errno;

      g_debug ("Could not move %s aside: %s", path, g_strerror (saved_errno));
      g_set_error_literal (error, BA_ERROR, BA_ERROR_VAULT,
                           _("The local cache is damaged and could not be moved aside."));
      return FALSE;
    }

  journal = g_strconcat (path, "-journal", NULL);
  if (g_file_test (journal, G_FILE_TEST_EXISTS))
    {
      g_autofree char *journal_target = g_strconcat (target, "-journal", NULL);

      g_rename (journal, journal_target);
    }

  g_message ("The vault could not be opened; it was moved to %s and a new one was created", target);

  return TRUE;
}

/* Creates the file (0600) in a private folder (0700) before SQLite does,
 * so it never exists with looser permissions. */
static gboolean
prepare_file (const char  *path,
              gboolean    *out_existed,
              GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_debug ("Could not create %s: %s", dir, g_strerror (saved_errno));
      g_set_error_literal (error, BA_ERROR, BA_ERROR_VAULT,
                           _("The folder for the local cache could not be created."));
      return FALSE;
    }

  *out_existed = g_file_test (path, G_FILE_TEST_EXISTS);
  if (*out_existed)
    return TRUE;

  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == EEXIST)
        {
          *out_existed = TRUE;
          return TRUE;
        }

      g_debug ("Could not create %s: %s", path, g_strerror (saved_errno));
      g_set_error_literal (error, BA_ERROR, BA_ERROR_VAULT,
                           _("The local cache could not be created. Check the permissions of its folder."));
      return FALSE;
    }
  g_close (fd, NULL);

  return TRUE;
}

BaVault *
ba_vault_open (const char  *path,
               GBytes      *key,
               gboolean    *out_rebuilt,
               GError     **error)
{
  g_autoptr(BaVault) self = NULL;
  g_autoptr(GError) open_error = NULL;
  gboolean rebuilt = FALSE;
  gboolean existed = FALSE;
  OpenResult result;
  sqlite3 *db = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (out_rebuilt != NULL)
    *out_rebuilt = FALSE;

  if (g_bytes_get_size (key) != VAULT_KEY_SIZE)
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                           _("The key of the local cache has the wrong size."));
      return NULL;
    }

  if (!prepare_file (path, &existed, error))
    return NULL;

  result = try_open (path, key, &db, &open_error);

  if (result == OPEN_BROKEN && existed)
    {
      g_debug ("Vault unreadable: %s", open_error->message);
      g_clear_error (&open_error);

      if (!move_aside (path, error) || !prepare_file (path, &existed, error))
        return NULL;

      result = try_open (path, key, &db, &open_error);
      rebuilt = TRUE;
    }

  if (result != OPEN_OK)
    {
      g_propagate_error (error, g_steal_pointer (&open_error));
      return NULL;
    }

  self = g_object_new (BA_TYPE_VAULT, NULL);
  self->path = g_strdup (path);
  self->db = db;

  if (!migrate (self->db, &self->schema_version, error))
    return NULL;

  if (out_rebuilt != NULL)
    *out_rebuilt = rebuilt;

  return g_steal_pointer (&self);
}

typedef struct
{
  char     *path;
  GBytes   *key;
  gboolean  rebuilt;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_free (data->path);
  g_bytes_unref (data->key);
  g_free (data);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError *error = NULL;
  BaVault *vault;

  vault = ba_vault_open (data->path, data->key, &data->rebuilt, &error);
  if (vault == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, vault, g_object_unref);
}

void
ba_vault_open_async (const char          *path,
                     GBytes              *key,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data;

  g_return_if_fail (path != NULL);
  g_return_if_fail (key != NULL);

  data = g_new0 (OpenData, 1);
  data->path = g_strdup (path);
  data->key = g_bytes_ref (key);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_vault_open_async);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_thread);
}

BaVault *
ba_vault_open_finish (GAsyncResult  *result,
                      gboolean      *out_rebuilt,
                      GError       **error)
{
  BaVault *vault;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_vault_open_async, NULL);

  vault = g_task_propagate_pointer (G_TASK (result), error);
  if (out_rebuilt != NULL)
    *out_rebuilt = vault != NULL && ((OpenData *) g_task_get_task_data (G_TASK (result)))->rebuilt;

  return vault;
}

const char *
ba_vault_get_path (BaVault *self)
{
  g_return_val_if_fail (BA_IS_VAULT (self), NULL);

  return self->path;
}

int
ba_vault_get_schema_version (BaVault *self)
{
  g_return_val_if_fail (BA_IS_VAULT (self), 0);

  return self->schema_version;
}

/* Jobs
 *
 * Every operation is a synchronous body (a BaVaultJobFunc) that runs in a
 * worker thread holding the connection lock, plus a short _async/_finish
 * pair around start_job() and finish_job(). The task keeps the public
 * _async function as its source tag, so a _finish given the result of
 * another operation is caught. A body returns its result in *out_result;
 * operations that return a gboolean give JOB_DONE. */

#define JOB_DONE GINT_TO_POINTER (TRUE)

typedef enum
{
  ANY_WORKER,   /* a thread of GLib's pool */
  KEY_QUEUE,    /* the vault's own thread for API keys, in call order */
} JobQueue;

typedef struct
{
  BaVaultJobFunc  func;
  gpointer        data;
  GDestroyNotify  data_free;
  GDestroyNotify  result_free;
} Job;

static void
job_free (Job *job)
{
  if (job->data_free != NULL)
    job->data_free (job->data);
  g_free (job);
}

static void
run_job (GTask *task)
{
  BaVault *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  gpointer result = NULL;
  GError *error = NULL;
  gboolean ok;

  g_mutex_lock (&self->lock);
  ok = job->func (self->db, job->data, &result, &error);
  g_mutex_unlock (&self->lock);

  if (ok)
    g_task_return_pointer (task, result, job->result_free);
  else
    g_task_return_error (task, error);
}

static void
job_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  run_job (task);
}

/* The KEY_QUEUE's thread function; the queue owned a reference. */
static void
key_job_run (gpointer data,
             gpointer user_data)
{
  g_autoptr(GTask) task = data;

  if (!g_task_return_error_if_cancelled (task))
    run_job (task);
}

/* Runs @func (@data, freed with @data_free) on @queue; its result is freed
 * with @result_free if nobody takes it. */
static void
start_job (BaVault             *self,
           gpointer             source_tag,
           JobQueue             queue,
           BaVaultJobFunc       func,
           gpointer             data,
           GDestroyNotify       data_free,
           GDestroyNotify       result_free,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->func = func;
  job->data = data;
  job->data_free = data_free;
  job->result_free = result_free;

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);

  if (queue == KEY_QUEUE)
    {
      g_thread_pool_push (self->key_jobs, task, NULL);
      return;
    }

  g_task_run_in_thread (task, job_thread);
  g_object_unref (task);
}

static gpointer
finish_job (BaVault       *self,
            GAsyncResult  *result,
            gpointer       source_tag,
            GError       **error)
{
  g_return_val_if_fail (BA_IS_VAULT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* TRUE if the last step of a job gave SQLITE_DONE; otherwise FALSE with
 * @error set, about @what. */
static gboolean
check_done (sqlite3     *db,
            int          rc,
            const char  *what,
            GError     **error)
{
  if (rc == SQLITE_DONE)
    return TRUE;

  ba_vault_set_sqlite_error (error, db, rc, what);
  return FALSE;
}

/* Ends the transaction of a write that began with BEGIN IMMEDIATE: COMMIT
 * when @rc is SQLITE_OK, otherwise ROLLBACK with @error set. */
static gboolean
end_write (sqlite3     *db,
           int          rc,
           const char  *what,
           gpointer    *out_result,
           GError     **error)
{
  if (rc == SQLITE_OK)
    rc = exec_sql (db, "COMMIT;");

  if (rc != SQLITE_OK)
    {
      /* The error is read before ROLLBACK resets it. */
      ba_vault_set_sqlite_error (error, db, rc, what);
      exec_sql (db, "ROLLBACK;");
      return FALSE;
    }

  *out_result = JOB_DONE;
  return TRUE;
}

/* Accounts */

#define SELECT_ACCOUNTS_SQL \
  "SELECT id, server_url, user_id, actor_id, username, email," \
  " last_synced_at, last_used_at FROM accounts"

static BaVaultAccount *
account_from_row (sqlite3_stmt *stmt)
{
  BaVaultAccount *account = g_new0 (BaVaultAccount, 1);

  account->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  account->server_url = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  account->user_id = sqlite3_column_int64 (stmt, 2);
  account->actor_id = sqlite3_column_int64 (stmt, 3);
  account->username = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  account->email = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  account->last_synced_at = sqlite3_column_int64 (stmt, 6);
  account->last_used_at = sqlite3_column_int64 (stmt, 7);

  return account;
}

static BaVaultAccount *
vault_account_copy (const BaVaultAccount *account)
{
  BaVaultAccount *copy = g_new0 (BaVaultAccount, 1);

  *copy = *account;
  copy->id = g_strdup (account->id);
  copy->server_url = g_strdup (account->server_url);
  copy->username = g_strdup (account->username);
  copy->email = g_strdup (account->email);

  return copy;
}

static gboolean
save_account (sqlite3   *db,
              gpointer   data,
              gpointer  *out_result,
              GError   **error)
{
  const BaVaultAccount *account = data;
  static const char *update_sql =
    "UPDATE accounts SET server_url = ?2, user_id = ?3, actor_id = ?4, username = ?5,"
    " email = ?6, last_synced_at = ?7, last_used_at = ?8 WHERE id = ?1;";
  static const char *insert_sql =
    "INSERT INTO accounts (id, server_url, user_id, actor_id, username, email,"
    " last_synced_at, last_used_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8);";
  /* No UPSERT in SQLite 3.15, and INSERT OR REPLACE would delete the row
   * first and cascade to everything cached for the account. */
  const char *statements[] = { update_sql, insert_sql };
  int rc;

  rc = exec_sql (db, "BEGIN IMMEDIATE;");

  for (guint i = 0; rc == SQLITE_OK && i < G_N_ELEMENTS (statements); i++)
    {
      sqlite3_stmt *stmt = NULL;

      rc = sqlite3_prepare_v2 (db, statements[i], -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_text (stmt, 1, account->id, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (stmt, 2, account->server_url, -1, SQLITE_TRANSIENT);
          sqlite3_bind_int64 (stmt, 3, account->user_id);
          sqlite3_bind_int64 (stmt, 4, account->actor_id);
          sqlite3_bind_text (stmt, 5, account->username, -1, SQLITE_TRANSIENT);
          if (account->email != NULL)
            sqlite3_bind_text (stmt, 6, account->email, -1, SQLITE_TRANSIENT);
          else
            sqlite3_bind_null (stmt, 6);
          sqlite3_bind_int64 (stmt, 7, account->last_synced_at);
          sqlite3_bind_int64 (stmt, 8, account->last_used_at);
          rc = sqlite3_step (stmt);
          if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
        }
      sqlite3_finalize (stmt);

      if (rc == SQLITE_OK && sqlite3_changes (db) > 0)
        break;
    }

  return end_write (db, rc, "saving an account", out_result, error);
}

void
ba_vault_save_account_async (BaVault              *self,
                             const BaVaultAccount *account,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  g_return_if_fail (BA_IS_VAULT (self));
  g_return_if_fail (account != NULL);
  g_return_if_fail (account->id != NULL);
  g_return_if_fail (account->server_url != NULL);
  g_return_if_fail (account->username != NULL);

  start_job (self, ba_vault_save_account_async, ANY_WORKER, save_account,
             vault_account_copy (account), (GDestroyNotify) ba_vault_account_free, NULL,
             cancellable, callback, user_data);
}

gboolean
ba_vault_save_account_finish (BaVault       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return finish_job (self, result, ba_vault_save_account_async, error) != NULL;
}

static gboolean
load_last_account (sqlite3   *db,
                   gpointer   data,
                   gpointer  *out_result,
                   GError   **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, SELECT_ACCOUNTS_SQL " ORDER BY last_used_at DESC LIMIT 1;",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    *out_result = account_from_row (stmt);
  else if (rc != SQLITE_DONE)
    ba_vault_set_sqlite_error (error, db, rc, "loading the last account");
  sqlite3_finalize (stmt);

  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

void
ba_vault_load_last_account_async (BaVault             *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (BA_IS_VAULT (self));

  start_job (self, ba_vault_load_last_account_async, ANY_WORKER, load_last_account,
             NULL, NULL, (GDestroyNotify) ba_vault_account_free,
             cancellable, callback, user_data);
}

BaVaultAccount *
ba_vault_load_last_account_finish (BaVault       *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return finish_job (self, result, ba_vault_load_last_account_async, error);
}

static gboolean
forget_account (sqlite3   *db,
                gpointer   data,
                gpointer  *out_result,
                GError   **error)
{
  const char *account_id = data;
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, "DELETE FROM accounts WHERE id = ?1;", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, account_id, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);

  if (!check_done (db, rc, "forgetting an account", error))
    return FALSE;

  *out_result = JOB_DONE;
  return TRUE;
}

void
ba_vault_forget_account_async (BaVault             *self,
                               const char          *account_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (BA_IS_VAULT (self));
  g_return_if_fail (account_id != NULL);

  start_job (self, ba_vault_forget_account_async, ANY_WORKER, forget_account,
             g_strdup (account_id), g_free, NULL, cancellable, callback, user_data);
}

gboolean
ba_vault_forget_account_finish (BaVault       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return finish_job (self, result, ba_vault_forget_account_async, error) != NULL;
}

/* Several accounts (issue 7). Every account already has its own row here
 * (id "<user id>@<server url>") and its own keyring item; these list them
 * and pick the one restored next. */

static gboolean
list_accounts (sqlite3   *db,
               gpointer   data,
               gpointer  *out_result,
               GError   **error)
{
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) ba_vault_account_free);
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, SELECT_ACCOUNTS_SQL " ORDER BY last_used_at DESC, id;",
                           -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (accounts, account_from_row (stmt));
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);

  if (!check_done (db, rc, "listing the accounts", error))
    return FALSE;

  *out_result = g_steal_pointer (&accounts);
  return TRUE;
}

void
ba_vault_list_accounts_async (BaVault             *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (BA_IS_VAULT (self));

  start_job (self, ba_vault_list_accounts_async, ANY_WORKER, list_accounts,
             NULL, NULL, (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

GPtrArray *
ba_vault_list_accounts_finish (BaVault       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return finish_job (self, result, ba_vault_list_accounts_async, error);
}

typedef struct
{
  char   *account_id;
  gint64  last_used_at;
} TouchData;

static void
touch_data_free (TouchData *data)
{
  g_free (data->account_id);
  g_free (data);
}

static gboolean
touch_account (sqlite3   *db,
               gpointer   user_data,
               gpointer  *out_result,
               GError   **error)
{
  TouchData *data = user_data;
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;
  int rc;

  /* Times are in seconds: an account logged in to this same second must
   * not tie with the chosen one. With no other account the subquery is
   * NULL, and SQLite's MAX() of anything with a NULL is NULL, hence the
   * COALESCE. */
  rc = sqlite3_prepare_v2 (db,
                           "UPDATE accounts SET last_used_at ="
                           " MAX(?2, COALESCE((SELECT MAX(last_used_at) FROM accounts"
                           " WHERE id != ?1) + 1, ?2))"
                           " WHERE id = ?1;",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, data->account_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, data->last_used_at);
      rc = sqlite3_step (stmt);
      found = sqlite3_changes (db) > 0;
    }
  sqlite3_finalize (stmt);

  if (!check_done (db, rc, "choosing an account", error))
    return FALSE;

  if (!found)
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_NOT_FOUND,
                           _("This account is no longer saved on this computer."));
      return FALSE;
    }

  *out_result = JOB_DONE;
  return TRUE;
}

void
ba_vault_touch_account_async (BaVault             *self,
                              const char          *account_id,
                              gint64               last_used_at,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  TouchData *data;

  g_return_if_fail (BA_IS_VAULT (self));
  g_return_if_fail (account_id != NULL);

  data = g_new0 (TouchData, 1);
  data->account_id = g_strdup (account_id);
  data->last_used_at = last_used_at;

  start_job (self, ba_vault_touch_account_async, ANY_WORKER, touch_account,
             data, (GDestroyNotify) touch_data_free, NULL, cancellable, callback, user_data);
}

gboolean
ba_vault_touch_account_finish (BaVault       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return finish_job (self, result, ba_vault_touch_account_async, error) != NULL;
}

/* API keys: jobs on the KEY_QUEUE. */

/* A plain copy of a BaApiKey, taken on the caller's thread so the worker
 * never reads an object the main thread may be changing. */
typedef struct
{
  gint64  id;
  char   *name;
  char   *description;
  gint64  created_at;
  gint64  expiry_date;
} KeyRow;

typedef struct
{
  char   *account_id;
  GArray *rows;   /* KeyRow */
  GArray *ids;    /* gint64 */
} KeyJob;

static void
key_row_clear (gpointer data)
{
  KeyRow *row = data;

  g_free (row->name);
  g_free (row->description);
}

static void
key_job_free (KeyJob *job)
{
  g_free (job->account_id);
  g_clear_pointer (&job->rows, g_array_unref);
  g_clear_pointer (&job->ids, g_array_unref);
  g_free (job);
}

static KeyJob *
key_job_new (const char *account_id,
             guint       n_rows)
{
  KeyJob *job = g_new0 (KeyJob, 1);

  job->account_id = g_strdup (account_id);
  job->rows = g_array_sized_new (FALSE, FALSE, sizeof (KeyRow), n_rows);
  g_array_set_clear_func (job->rows, key_row_clear);

  return job;
}

static void
key_job_add_row (KeyJob   *job,
                 BaApiKey *key)
{
  KeyRow row = {
    .id = ba_api_key_get_id (key),
    .name = g_strdup (ba_api_key_get_name (key)),
    .description = g_strdup (ba_api_key_get_description (key)),
    .created_at = ba_api_key_get_created_at (key),
    .expiry_date = ba_api_key_get_expiry_date (key),
  };

  g_array_append_val (job->rows, row);
}

static void
bind_key_row (sqlite3_stmt *stmt,
              const char   *account_id,
              const KeyRow *row)
{
  sqlite3_bind_text (stmt, 1, account_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, row->id);
  sqlite3_bind_text (stmt, 3, row->name, -1, SQLITE_STATIC);
  if (row->description != NULL)
    sqlite3_bind_text (stmt, 4, row->description, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_int64 (stmt, 5, row->created_at);
  sqlite3_bind_int64 (stmt, 6, row->expiry_date);
}

#define INSERT_KEY_SQL \
  "INSERT INTO api_keys (account_id, id, name, description, created_at, expiry_date)" \
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6);"
#define UPDATE_KEY_SQL \
  "UPDATE api_keys SET name = ?3, description = ?4, created_at = ?5, expiry_date = ?6" \
  " WHERE account_id = ?1 AND id = ?2;"

/* Runs one statement per row, reusing it (prepare once, reset per row):
 * the difference is large for ten thousand rows. */
static int
run_for_rows (sqlite3      *db,
              const char   *sql,
              const char   *account_id,
              GArray       *rows)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  for (guint i = 0; rc == SQLITE_OK && i < rows->len; i++)
    {
      bind_key_row (stmt, account_id, &g_array_index (rows, KeyRow, i));
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
    }
  sqlite3_finalize (stmt);

  return rc;
}

/* Deletes the keys @ids (gint64) of @account_id, or all of its keys when
 * @ids is NULL. */
static int
delete_keys (sqlite3    *db,
             const char *account_id,
             GArray     *ids)
{
  sqlite3_stmt *stmt = NULL;
  guint n_runs = ids != NULL ? ids->len : 1;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           ids != NULL ? "DELETE FROM api_keys WHERE account_id = ?1 AND id = ?2;"
                                       : "DELETE FROM api_keys WHERE account_id = ?1;",
                           -1, &stmt, NULL);
  for (guint i = 0; rc == SQLITE_OK && i < n_runs; i++)
    {
      sqlite3_bind_text (stmt, 1, account_id, -1, SQLITE_STATIC);
      if (ids != NULL)
        sqlite3_bind_int64 (stmt, 2, g_array_index (ids, gint64, i));
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);

  return rc;
}

static gboolean
replace_keys (sqlite3   *db,
              gpointer   data,
              gpointer  *out_result,
              GError   **error)
{
  KeyJob *job = data;
  int rc;

  rc = exec_sql (db, "BEGIN IMMEDIATE;");
  if (rc == SQLITE_OK)
    rc = delete_keys (db, job->account_id, NULL);
  if (rc == SQLITE_OK)
    rc = run_for_rows (db, INSERT_KEY_SQL, job->account_id, job->rows);

  return end_write (db, rc, "saving API keys", out_result, error);
}

void
ba_vault_replace_api_keys_async (BaVault             *self,
                                 const char          *account_id,
                                 GPtrArray           *keys,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  KeyJob *job;

  g_return_if_fail (BA_IS_VAULT (self));
  g_return_if_fail (account_id != NULL);
  g_return_if_fail (keys != NULL);

  job = key_job_new (account_id, keys->len);
  for (guint i = 0; i < keys->len; i++)
    key_job_add_row (job, g_ptr_array_index (keys, i));

  start_job (self, ba_vault_replace_api_keys_async, KEY_QUEUE, replace_keys,
             job, (GDestroyNotify) key_job_free, NULL, cancellable, callback, user_data);
}

gboolean
ba_vault_replace_api_keys_finish (BaVault       *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return finish_job (self, result, ba_vault_replace_api_keys_async, error) != NULL;
}

static gboolean
save_key (sqlite3   *db,
          gpointer   data,
          gpointer  *out_result,
          GError   **error)
{
  KeyJob *job = data;
  int rc;

  /* No UPSERT in SQLite 3.15: update, and insert if nothing was. */
  rc = exec_sql (db, "BEGIN IMMEDIATE;");
  if (rc == SQLITE_OK)
    rc = run_for_rows (db, UPDATE_KEY_SQL, job->account_id, job->rows);
  if (rc == SQLITE_OK && sqlite3_changes (db) == 0)
    rc = run_for_rows (db, INSERT_KEY_SQL, job->account_id, job->rows);

  return end_write (db, rc, "saving API keys", out_result, error);
}

void
ba_vault_save_api_key_async (BaVault             *self,
                             const char          *account_id,
                             BaApiKey            *key,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  KeyJob *job;

  g_return_if_fail (BA_IS_VAULT (self));
  g_return_if_fail (account_id != NULL);
  g_return_if_fail (BA_IS_API_KEY (key));

  job = key_job_new (account_id, 1);
  key_job_add_row (job, key);

  start_job (self, ba_vault_save_api_key_async, KEY_QUEUE, save_key,
             job, (GDestroyNotify) key_job_free, NULL, cancellable, callback, user_data);
}

gboolean
ba_vault_save_api_key_finish (BaVault       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return finish_job (self, result, ba_vault_save_api_key_async, error) != NULL;
}

static gboolean
delete_key_ids (sqlite3   *db,
                gpointer   data,
                gpointer  *out_result,
                GError   **error)
{
  KeyJob *job = data;
  int rc;

  rc = exec_sql (db, "BEGIN IMMEDIATE;");
  if (rc == SQLITE_OK)
    rc = delete_keys (db, job->account_id, job->ids);

  return end_write (db, rc, "saving API keys", out_result, error);
}

void
ba_vault_delete_api_keys_async (BaVault             *self,
                                const char          *account_id,
                                const gint64        *ids,
                                guint                n_ids,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  KeyJob *job;

  g_return_if_fail (BA_IS_VAULT (self));
  g_return_if_fail (account_id != NULL);
  g_return_if_fail (ids != NULL || n_ids == 0);

  job = key_job_new (account_id, 0);
  job->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_ids);
  if (n_ids > 0)
    g_array_append_vals (job->ids, ids, n_ids);

  start_job (self, ba_vault_delete_api_keys_async, KEY_QUEUE, delete_key_ids,
             job, (GDestroyNotify) key_job_free, NULL, cancellable, callback, user_data);
}

gboolean
ba_vault_delete_api_keys_finish (BaVault       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return finish_job (self, result, ba_vault_delete_api_keys_async, error) != NULL;
}

static gboolean
load_keys (sqlite3   *db,
           gpointer   data,
           gpointer  *out_result,
           GError   **error)
{
  const char *account_id = data;
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt = NULL;
  int rc;

  /* SQLite's BINARY collation is the byte order ba_api_key_compare()
   * uses. */
  rc = sqlite3_prepare_v2 (db,
                           "SELECT id, name, description, created_at, expiry_date"
                           " FROM api_keys WHERE account_id = ?1 ORDER BY name, id;",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, account_id, -1, SQLITE_STATIC);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (keys,
                         ba_api_key_new (sqlite3_column_int64 (stmt, 0),
                                         (const char *) sqlite3_column_text (stmt, 1),
                                         (const char *) sqlite3_column_text (stmt, 2),
                                         sqlite3_column_int64 (stmt, 3),
                                         sqlite3_column_int64 (stmt, 4)));
    }
  sqlite3_finalize (stmt);

  if (!check_done (db, rc, "loading API keys", error))
    return FALSE;

  *out_result = g_steal_pointer (&keys);
  return TRUE;
}

void
ba_vault_load_api_keys_async (BaVault             *self,
                              const char          *account_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (BA_IS_VAULT (self));
  g_return_if_fail (account_id != NULL);

  start_job (self, ba_vault_load_api_keys_async, KEY_QUEUE, load_keys,
             g_strdup (account_id), g_free, (GDestroyNotify) g_ptr_array_unref,
             cancellable, callback, user_data);
}

GPtrArray *
ba_vault_load_api_keys_finish (BaVault       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return finish_job (self, result, ba_vault_load_api_keys_async, error);
}

/* Jobs of the feature files (ba-vault-private.h) */

void
ba_vault_run_async (BaVault             *self,
                    BaVaultJobFunc       func,
                    gpointer             data,
                    GDestroyNotify       data_free,
                    GDestroyNotify       result_free,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_return_if_fail (BA_IS_VAULT (self));
  g_return_if_fail (func != NULL);

  start_job (self, ba_vault_run_async, ANY_WORKER, func, data, data_free, result_free,
             cancellable, callback, user_data);
}

gpointer
ba_vault_run_finish (BaVault       *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  return finish_job (self, result, ba_vault_run_async, error);
}
