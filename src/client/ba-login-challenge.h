/* ba-login-challenge.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-account.h"

G_BEGIN_DECLS

/* The key under which ba_account_login_async() attaches the challenge to
 * its task. Internal to the client. */
#define BA_LOGIN_CHALLENGE_TASK_KEY "ba-login-challenge"

#define BA_TYPE_LOGIN_CHALLENGE (ba_login_challenge_get_type ())

G_DECLARE_FINAL_TYPE (BaLoginChallenge, ba_login_challenge, BA, LOGIN_CHALLENGE, GObject)

/* A login that stopped at the two-factor challenge (account-api.md section
 * 3.1): the password was right, and the server issued a partial token that
 * only POST /auth/totp/verify accepts. It lives in memory only; nothing is
 * stored until the challenge is passed. */
BaLoginChallenge *ba_login_challenge_new             (BaApiClient          *client,
                                                      BaSession            *partial_session,
                                                      BaSecretStore        *secret_store,
                                                      BaVault              *vault);

/* After ba_account_login_finish() failed with BA_ERROR_TWO_FACTOR_REQUIRED
 * on @login_result: the challenge to answer (transfer full), or NULL for
 * any other result. */
BaLoginChallenge *ba_login_challenge_from_result     (GAsyncResult         *login_result);

const char       *ba_login_challenge_get_server_url  (BaLoginChallenge     *self);
/* When the partial token expires (Unix seconds). */
gint64            ba_login_challenge_get_expires_at  (BaLoginChallenge     *self);

/* Sends @code, a 6-digit code from the authenticator app or a recovery
 * code, then completes the login like ba_account_login_async() (whoami,
 * keyring, vault) and returns the BaAccount. A wrong or used code is
 * BA_ERROR_WRONG_CREDENTIALS and the challenge may be answered again; too
 * many tries give BA_ERROR_TOO_MANY_ATTEMPTS with the wait. */
void              ba_login_challenge_answer_async    (BaLoginChallenge     *self,
                                                      const char           *code,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
BaAccount        *ba_login_challenge_answer_finish   (BaLoginChallenge     *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* TRUE if @code has the shape of a recovery code (xxxx-xxxx-xxxx) rather
 * than a 6-digit TOTP code. */
gboolean          ba_login_challenge_is_recovery_code (const char          *code);

G_END_DECLS
