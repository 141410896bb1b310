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

/* The account's own state, for its feature files (ba-account-api-keys.c). */
gint64     ba_account_get_actor_id           (BaAccount            *self);
/* FALSE (with a critical) unless @result is a task of @self from the
 * _async function @source_tag. */
gboolean   ba_account_check_task             (BaAccount            *self,
                                              GAsyncResult         *result,
                                              gpointer              source_tag);
/* The server answered: ONLINE, offline-since 0, last-synced-at now. */
void       ba_account_mark_online            (BaAccount            *self);
/* BA_ERROR_OFFLINE or BA_ERROR_TIMEOUT: the server could not be reached. */
gboolean   ba_account_error_is_unreachable   (const GError         *error);
/* Ends @task with TRUE, or with @error (taken) when it is not NULL. */
void       ba_account_task_return_boolean    (GTask                *task,
                                              GError               *error);
/* Records what a failed request says about the account: OFFLINE when the
 * server is unreachable, LOGGED_OUT after BA_ERROR_NOT_LOGGED_IN. */
void       ba_account_note_request_error     (BaAccount            *self,
                                              const GError         *error);

/* Makes the "api-keys" model match @keys (BaApiKey, sorted), changing as
 * few rows as it can (ba-account-api-keys.c). */
void       ba_account_apply_api_keys         (BaAccount            *self,
                                              GPtrArray            *keys);

G_END_DECLS
