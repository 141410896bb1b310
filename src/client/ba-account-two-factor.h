/* ba-account-two-factor.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-account.h"
#include "ba-api-client-two-factor.h"

G_BEGIN_DECLS

/* Two-factor authentication of a signed-in account (issue 5). The status
 * is the session token's claim, as every balena client reads it
 * (account-api.md section 7): enabling and disabling each give a new token,
 * which the account adopts (keyring and "session" property), so watching
 * "session" is enough to follow the status. */

/* NOT_REQUIRED: off; PASSED: on (this session passed the challenge or
 * turned it on). An account without a session is NOT_REQUIRED. */
BaTwoFactorStatus ba_account_get_two_factor_status        (BaAccount            *self);

/* Asks the server for a setup key: returns the otpauth:// URI (secret;
 * free with ba_wipe_string_free()). The secret stays pending until
 * ba_account_enable_two_factor_async() verifies a code. */
void              ba_account_setup_two_factor_async       (BaAccount            *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
char             *ba_account_setup_two_factor_finish      (BaAccount            *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

/* Verifies the first code from the authenticator app, which turns 2FA
 * on, and adopts the new token. A wrong code is BA_ERROR_WRONG_CREDENTIALS
 * and changes nothing (the setup key stays valid). */
void              ba_account_enable_two_factor_async      (BaAccount            *self,
                                                           const char           *code,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean          ba_account_enable_two_factor_finish     (BaAccount            *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

/* Turns 2FA off with the password and adopts the new token. A wrong
 * password is BA_ERROR_WRONG_CREDENTIALS. */
void              ba_account_disable_two_factor_async     (BaAccount            *self,
                                                           const char           *password,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean          ba_account_disable_two_factor_finish    (BaAccount            *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

/* A new set of recovery codes, replacing the old ones. Needs a fresh
 * session: without one this fails at once with
 * BA_ERROR_FRESH_AUTH_REQUIRED (ask for the password,
 * ba_account_refresh_token_async() with it, and call again). The codes
 * are stored nowhere: free them with ba_wipe_strv_free(). */
void              ba_account_new_recovery_codes_async     (BaAccount            *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
char            **ba_account_new_recovery_codes_finish    (BaAccount            *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

/* How many recovery codes the account has, and how many are unused. */
void              ba_account_count_recovery_codes_async   (BaAccount            *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
gboolean          ba_account_count_recovery_codes_finish  (BaAccount            *self,
                                                           GAsyncResult         *result,
                                                           guint                *out_total,
                                                           guint                *out_unused,
                                                           GError              **error);

G_END_DECLS
