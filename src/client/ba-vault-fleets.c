/* ba-vault-fleets.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-vault-fleets"

#include "config.h"

#include "ba-vault-fleets.h"

#include "ba-error.h"
#include "ba-vault-private.h"

typedef struct
{
  char      *account_id;
  GPtrArray *fleets;   /* BaFleet, nullable */
} FleetsJob;

static void
fleets_job_free (FleetsJob *job)
{
  g_free (job->account_id);
  g_clear_pointer (&job->fleets, g_ptr_array_unref);
  g_free (job);
}

static gboolean
replace_fleets (sqlite3   *db,
                gpointer   data,
                gpointer  *out_result,
                GError   **error)
{
  FleetsJob *job = data;
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;

  if (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    {
      ba_vault_set_sqlite_error (error, db, sqlite3_errcode (db), "saving fleets");
      return FALSE;
    }

  if (sqlite3_prepare_v2 (db, "DELETE FROM fleets WHERE account_id = ?1", -1, &stmt, NULL) != SQLITE_OK)
    goto out;
  sqlite3_bind_text (stmt, 1, job->account_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    goto out;
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (sqlite3_prepare_v2 (db,
                          "INSERT INTO fleets (account_id, id, name, slug, organization_name,"
                          " organization_handle, device_count, online_count, role)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                          -1, &stmt, NULL) != SQLITE_OK)
    goto out;

  for (guint i = 0; i < job->fleets->len; i++)
    {
      BaFleet *fleet = g_ptr_array_index (job->fleets, i);

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, job->account_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, ba_fleet_get_id (fleet));
      sqlite3_bind_text (stmt, 3, ba_fleet_get_name (fleet), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, ba_fleet_get_slug (fleet), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, ba_fleet_get_organization_name (fleet), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 6, ba_fleet_get_organization_handle (fleet), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 7, ba_fleet_get_device_count (fleet));
      sqlite3_bind_int64 (stmt, 8, ba_fleet_get_online_count (fleet));
      sqlite3_bind_text (stmt, 9, ba_fleet_get_role (fleet), -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        goto out;
    }

  ok = sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;

out:
  if (!ok)
    {
      ba_vault_set_sqlite_error (error, db, sqlite3_errcode (db), "saving fleets");
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
    }
  sqlite3_finalize (stmt);

  *out_result = GINT_TO_POINTER (ok);
  return ok;
}

static gboolean
load_fleets (sqlite3   *db,
             gpointer   data,
             gpointer  *out_result,
             GError   **error)
{
  FleetsJob *job = data;
  g_autoptr(GPtrArray) fleets = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db,
                          "SELECT id, name, slug, organization_name, organization_handle,"
                          " device_count, online_count, role FROM fleets"
                          " WHERE account_id = ?1 ORDER BY name, id",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      ba_vault_set_sqlite_error (error, db, sqlite3_errcode (db), "reading fleets");
      return FALSE;
    }

  sqlite3_bind_text (stmt, 1, job->account_id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (fleets,
                     ba_fleet_new (sqlite3_column_int64 (stmt, 0),
                                   (const char *) sqlite3_column_text (stmt, 1),
                                   (const char *) sqlite3_column_text (stmt, 2),
                                   (const char *) sqlite3_column_text (stmt, 3),
                                   (const char *) sqlite3_column_text (stmt, 4),
                                   (guint) sqlite3_column_int64 (stmt, 5),
                                   (guint) sqlite3_column_int64 (stmt, 6),
                                   (const char *) sqlite3_column_text (stmt, 7)));

  if (rc != SQLITE_DONE)
    {
      ba_vault_set_sqlite_error (error, db, rc, "reading fleets");
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);

  *out_result = g_steal_pointer (&fleets);
  return TRUE;
}

void
ba_vault_replace_fleets_async (BaVault             *self,
                               const char          *account_id,
                               GPtrArray           *fleets,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  FleetsJob *job;

  g_return_if_fail (BA_IS_VAULT (self));
  g_return_if_fail (account_id != NULL);
  g_return_if_fail (fleets != NULL);

  job = g_new0 (FleetsJob, 1);
  job->account_id = g_strdup (account_id);
  job->fleets = g_ptr_array_ref (fleets);

  ba_vault_run_async (self, replace_fleets, job, (GDestroyNotify) fleets_job_free, NULL,
                      cancellable, callback, user_data);
}

gboolean
ba_vault_replace_fleets_finish (BaVault       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return ba_vault_run_finish (self, result, error) != NULL;
}

void
ba_vault_load_fleets_async (BaVault             *self,
                            const char          *account_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  FleetsJob *job;

  g_return_if_fail (BA_IS_VAULT (self));
  g_return_if_fail (account_id != NULL);

  job = g_new0 (FleetsJob, 1);
  job->account_id = g_strdup (account_id);

  ba_vault_run_async (self, load_fleets, job, (GDestroyNotify) fleets_job_free,
                      (GDestroyNotify) g_ptr_array_unref, cancellable, callback, user_data);
}

GPtrArray *
ba_vault_load_fleets_finish (BaVault       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return ba_vault_run_finish (self, result, error);
}
