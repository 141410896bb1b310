/* ba-server-totp.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "ba-server-auth.h"
#include "ba-server-rate-limiter.h"
#include "ba-server-store.h"

G_BEGIN_DECLS

/* TOTP: SHA-1, 6 digits, 30-second steps (account-api.md section 7), with
 * the current step and one either side accepted (section 17.5). */
#define BA_SERVER_TOTP_WINDOW 1

/* Recovery codes per set (section 17.5): "xxxx-xxxx-xxxx". */
#define BA_SERVER_RECOVERY_CODE_COUNT 10

/* Attempts at a code (TOTP or recovery) or at the password of disable,
 * per user: this many per window, then a block. */
#define BA_SERVER_TOTP_ATTEMPTS        10
#define BA_SERVER_TOTP_WINDOW_SECONDS  (15 * 60)
#define BA_SERVER_TOTP_BLOCK_SECONDS   (15 * 60)

/* The issuer the server writes into otpauth URIs. */
#define BA_SERVER_TOTP_ISSUER "Balena Accounts"

#define BA_TYPE_SERVER_TOTP (ba_server_totp_get_type ())

G_DECLARE_FINAL_TYPE (BaServerTotp, ba_server_totp, BA, SERVER_TOTP, GObject)

/* Two-factor authentication: the routes under /auth/totp/ (sections 3.1,
 * 7 and 17.5), on the tables of schema version 3. */
BaServerTotp      *ba_server_totp_new         (BaServerStore            *store,
                                               BaServerAuth             *auth);

/* What the twoFactorRequired claim of a token issued by /login_ to @user
 * must be: PENDING when 2FA is enabled, else ABSENT. A database error
 * counts as enabled, so it can never skip the challenge. */
BaServerTwoFactor  ba_server_totp_login_state (BaServerTotp             *self,
                                               const BaServerUser       *user);

/* Answers a request for one of the routes under /auth/totp/: setup (GET),
 * verify, disable and recovery-codes (POST). @path has no trailing slash.
 * The credential is only read during the call. An answer that waits for a
 * password check pauses @msg and unpauses it when done. */
/* Answers the login challenge of @user outside /auth/totp/verify (the web
 * login page): a TOTP code or an unused recovery code, used up when right.
 * FALSE for a wrong or reused code, or when @user has 2FA off. Attempts are
 * the caller's to limit. */
gboolean           ba_server_totp_check_challenge (BaServerTotp       *self,
                                                   const BaServerUser *user,
                                                   const char         *code);

/* The limiter of code tries (BA_SERVER_TOTP_ATTEMPTS per user, keyed by
 * the user id in decimal), for other pages that check codes. */
BaServerRateLimiter *ba_server_totp_get_limiter (BaServerTotp           *self);

void               ba_server_totp_handle      (BaServerTotp             *self,
                                               SoupServerMessage        *msg,
                                               const char               *path,
                                               const BaServerCredential *credential);

G_END_DECLS
