/* ba-vault-profile.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-api-client-lifecycle.h"
#include "ba-vault.h"

G_BEGIN_DECLS

/* The cached user_profile of an account (vault schema 3, table profiles,
 * which cascades with the account's row). Saving needs the account's row
 * to exist (a login or restore saved it); the profile's id is not kept
 * (it is the user id). */
void           ba_vault_save_profile_async  (BaVault              *self,
                                             const char           *account_id,
                                             const BaUserProfile  *profile,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean       ba_vault_save_profile_finish (BaVault              *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* NULL without an error when nothing is cached for @account_id. */
void           ba_vault_load_profile_async  (BaVault              *self,
                                             const char           *account_id,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
BaUserProfile *ba_vault_load_profile_finish (BaVault              *self,
                                             GAsyncResult         *result,
                                             GError              **error);

G_END_DECLS
