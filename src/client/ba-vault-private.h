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

/* For files that keep their own tables in the vault (ba-vault-fleets.c):
 * runs @func on the open database in a worker thread, under the vault's
 * lock. @func returns its result (non-NULL on success) or NULL with
 * @error set. */
typedef gpointer (*BaVaultDbFunc) (sqlite3   *db,
                                   gpointer   data,
                                   GError   **error);

void     _ba_vault_run_async  (BaVault             *self,
                               BaVaultDbFunc        func,
                               gpointer             data,
                               GDestroyNotify       data_free,
                               GDestroyNotify       result_free,
                               GCancellable        *cancellable,
                               gpointer             source_tag,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
gpointer _ba_vault_run_finish (BaVault             *self,
                               GAsyncResult        *result,
                               gpointer             source_tag,
                               GError             **error);

G_END_DECLS
