/* ba-vault-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "ba-vault.h"

G_BEGIN_DECLS

/* For the feature files of the client (ba-vault-*.c): their own queries on
 * the vault's connection, in a worker thread holding the connection lock,
 * like the vault's own jobs. The function returns FALSE with @error set on
 * failure; otherwise *@out_result (may stay NULL) is what the finish
 * function returns, freed with @result_free if nobody takes it. */
typedef gboolean (*BaVaultJobFunc) (sqlite3   *db,
                                    gpointer   data,
                                    gpointer  *out_result,
                                    GError   **error);

void      ba_vault_run_async        (BaVault              *self,
                                     BaVaultJobFunc        func,
                                     gpointer              data,
                                     GDestroyNotify        data_free,
                                     GDestroyNotify        result_free,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
gpointer  ba_vault_run_finish       (BaVault              *self,
                                     GAsyncResult         *result,
                                     GError              **error);

/* The vault's mapping of a SQLite failure to a BA_ERROR_VAULT message. */
void      ba_vault_set_sqlite_error (GError              **error,
                                     sqlite3              *db,
                                     int                   rc,
                                     const char           *what);

G_END_DECLS
