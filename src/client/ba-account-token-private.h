/* ba-account-token-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-account.h"

G_BEGIN_DECLS

/* For the client's feature files (two-factor authentication): steps of a
 * login and of a token change that live in ba-account.c. */

/* Finishes a login with a full @token the server issued on @client (after
 * the two-factor challenge): whoami, keyring, vault, like
 * ba_account_login_async() after its /login_. A token that is still
 * partial is BA_ERROR_TWO_FACTOR_REQUIRED. */
void       ba_account_complete_login_async  (BaApiClient          *client,
                                             const char           *token,
                                             BaSecretStore        *secret_store,
                                             BaVault              *vault,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
BaAccount *ba_account_complete_login_finish (GAsyncResult         *result,
                                             GError              **error);

/* Makes @token, a new session token the server issued for this account
 * (after enabling or disabling 2FA), the account's: the keyring, the
 * client and the "session" property. */
void       ba_account_adopt_token_async     (BaAccount            *self,
                                             const char           *token,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean   ba_account_adopt_token_finish    (BaAccount            *self,
                                             GAsyncResult         *result,
                                             GError              **error);

G_END_DECLS
