/* ba-account-recovery.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-account.h"

G_BEGIN_DECLS

/* After the vault was set aside and rebuilt (ba_vault_open_async() gave
 * "rebuilt"), the keyring still holds the session tokens of the accounts
 * the old vault knew. This brings those accounts back: for each session
 * token in @secret_store, one after the other, the token is checked with
 * whoami on its server (ba_account_open_with_token_async(), like a login
 * with a token) and the account is saved in @vault again.
 *
 * A token the server refuses (401) is removed from the keyring. A token
 * whose server cannot be reached (or does not answer within 10 s, less
 * than a request normally gets, since the app waits for this at start-up),
 * or answers with another error, is kept
 * (its account is not restored this time). The accounts are only saved in
 * @vault; ba_account_restore_async() then gives the one to show.
 *
 * The finish function gives how many accounts were restored and how many
 * tokens were kept without their account; it fails only when the keyring
 * cannot be listed, or on cancellation. */
void      ba_account_recover_from_keyring_async  (BaSecretStore        *secret_store,
                                                  BaVault              *vault,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean  ba_account_recover_from_keyring_finish (GAsyncResult         *result,
                                                  guint                *out_n_restored,
                                                  guint                *out_n_kept,
                                                  GError              **error);

G_END_DECLS
