/* ba-account-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-account.h"

G_BEGIN_DECLS

/* For the feature files of the client (ba-account-*.c). */

/* Opens an account with a session token the server just issued (after a
 * sign-up, an email verification or a password reset) exactly as a
 * password login does: whoami, the token into the keyring, the account
 * into the vault. @client is the BaApiClient for the account's server.
 * A partial token (the user has two-factor authentication) fails with
 * BA_ERROR_TWO_FACTOR_REQUIRED and offers a BaLoginChallenge, as
 * ba_account_login_async() does. */
void       ba_account_open_with_token_async  (BaApiClient          *client,
                                              const char           *token,
                                              BaSecretStore        *secret_store,
                                              BaVault              *vault,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
BaAccount *ba_account_open_with_token_finish (GAsyncResult         *result,
                                              GError              **error);

/* Replaces the account's session token with @token (the server's answer
 * to a password change): keyring first, then the "session" property. */
void       ba_account_replace_token_async    (BaAccount            *self,
                                              const char           *token,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean   ba_account_replace_token_finish   (BaAccount            *self,
                                              GAsyncResult         *result,
                                              GError              **error);

/* Finishes a login with a full @token the server issued on @client (after
 * the two-factor challenge): whoami, keyring, vault, like
 * ba_account_login_async() after its /login_. A token that is still
 * partial is BA_ERROR_TWO_FACTOR_REQUIRED. */
void       ba_account_complete_login_async   (BaApiClient          *client,
                                              const char           *token,
                                              BaSecretStore        *secret_store,
                                              BaVault              *vault,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
BaAccount *ba_account_complete_login_finish  (GAsyncResult         *result,
                                              GError              **error);

G_END_DECLS
