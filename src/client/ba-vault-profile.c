/* ba-vault-profile.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-vault"

#include "config.h"

#include "ba-vault-private.h"
#include "ba-vault-profile.h"

typedef struct
{
  char          *account_id;
  BaUserProfile *profile;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_free (data->account_id);
  g_clear_pointer (&data->profile, ba_user_profile_free);
  g_free (data);
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

static gboolean
save_profile (sqlite3   *db,
              gpointer   user_data,
              gpointer  *out_result,
              GError   **error)
{
  SaveData *data = user_data;
  /* No UPSERT in SQLite 3.15: UPDATE, then INSERT if nothing changed. */
  const char *statements[] = {
    "UPDATE profiles SET email = ?2, first_name = ?3, last_name = ?4, company = ?5,"
    " has_password_set = ?6, is_verified = ?7 WHERE account_id = ?1;",
    "INSERT INTO profiles (account_id, email, first_name, last_name, company,"
    " has_password_set, is_verified) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7);",
  };
  int rc = SQLITE_OK;

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      sqlite3_stmt *stmt = NULL;

      rc = sqlite3_prepare_v2 (db, statements[i], -1, &stmt, NULL);
      if (rc == SQLITE_OK)
        {
          sqlite3_bind_text (stmt, 1, data->account_id, -1, SQLITE_TRANSIENT);
          bind_text_or_null (stmt, 2, data->profile->email);
          bind_text_or_null (stmt, 3, data->profile->first_name);
          bind_text_or_null (stmt, 4, data->profile->last_name);
          bind_text_or_null (stmt, 5, data->profile->company);
          sqlite3_bind_int (stmt, 6, !!data->profile->has_password_set);
          sqlite3_bind_int (stmt, 7, !!data->profile->is_verified);
          rc = sqlite3_step (stmt);
          if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
        }
      sqlite3_finalize (stmt);

      if (rc != SQLITE_OK || sqlite3_changes (db) > 0)
        break;
    }

  if (rc != SQLITE_OK)
    {
      ba_vault_set_sqlite_error (error, db, rc, "saving a profile");
      return FALSE;
    }

  *out_result = GINT_TO_POINTER (TRUE);
  return TRUE;
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static gboolean
load_profile (sqlite3   *db,
              gpointer   user_data,
              gpointer  *out_result,
              GError   **error)
{
  const char *account_id = user_data;
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db,
                           "SELECT email, first_name, last_name, company, has_password_set,"
                           " is_verified FROM profiles WHERE account_id = ?1;",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, account_id, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }

  if (rc == SQLITE_ROW)
    {
      BaUserProfile *profile = g_new0 (BaUserProfile, 1);

      profile->email = column_dup (stmt, 0);
      profile->first_name = column_dup (stmt, 1);
      profile->last_name = column_dup (stmt, 2);
      profile->company = column_dup (stmt, 3);
      profile->has_password_set = sqlite3_column_int (stmt, 4) != 0;
      profile->is_verified = sqlite3_column_int (stmt, 5) != 0;
      *out_result = profile;
    }
  else if (rc != SQLITE_DONE)
    {
      ba_vault_set_sqlite_error (error, db, rc, "loading a profile");
      sqlite3_finalize (stmt);
      return FALSE;
    }

  sqlite3_finalize (stmt);
  return TRUE;
}

void
ba_vault_save_profile_async (BaVault             *self,
                             const char          *account_id,
                             const BaUserProfile *profile,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  SaveData *data;

  g_return_if_fail (BA_IS_VAULT (self));
  g_return_if_fail (account_id != NULL);
  g_return_if_fail (profile != NULL);

  data = g_new0 (SaveData, 1);
  data->account_id = g_strdup (account_id);
  data->profile = ba_user_profile_copy (profile);

  ba_vault_run_async (self, save_profile, data, (GDestroyNotify) save_data_free, NULL,
                      cancellable, callback, user_data);
}

gboolean
ba_vault_save_profile_finish (BaVault       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return ba_vault_run_finish (self, result, error) != NULL;
}

void
ba_vault_load_profile_async (BaVault             *self,
                             const char          *account_id,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (BA_IS_VAULT (self));
  g_return_if_fail (account_id != NULL);

  ba_vault_run_async (self, load_profile, g_strdup (account_id), g_free,
                      (GDestroyNotify) ba_user_profile_free, cancellable, callback, user_data);
}

BaUserProfile *
ba_vault_load_profile_finish (BaVault       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return ba_vault_run_finish (self, result, error);
}
