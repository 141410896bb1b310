/* ba-server-auth.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-server-store.h"

G_BEGIN_DECLS

/* The `twoFactorRequired` claim of a session token: absent for accounts
 * without 2FA, true until the TOTP challenge is passed, then false. */
typedef enum
{
  BA_SERVER_TWO_FACTOR_ABSENT,
  BA_SERVER_TWO_FACTOR_PENDING,
  BA_SERVER_TWO_FACTOR_PASSED,
} BaServerTwoFactor;

typedef enum
{
  BA_SERVER_CREDENTIAL_NONE,         /* anonymous: no, bad or expired credential */
  BA_SERVER_CREDENTIAL_USER_JWT,     /* a full user session token */
  BA_SERVER_CREDENTIAL_PARTIAL_JWT,  /* a session token still waiting for 2FA */
  BA_SERVER_CREDENTIAL_USER_API_KEY, /* a named user API key, not expired */
} BaServerCredentialKind;

/* Who a request acts as. @user is NULL exactly when @kind is NONE. The
 * token fields are only meaningful for the JWT kinds: an API key has no
 * authTime, so it is never "fresh" (account-api.md section 1.2). */
typedef struct
{
  BaServerCredentialKind  kind;
  BaServerUser           *user;
  gint64                  auth_time;   /* ms since the epoch */
  BaServerTwoFactor       two_factor;
} BaServerCredential;

void ba_server_credential_free (BaServerCredential *credential);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaServerCredential, ba_server_credential_free)

/* Session tokens live for 7 days (account-api.md section 1.2). */
#define BA_SERVER_TOKEN_LIFETIME_SECONDS (7 * 24 * 60 * 60)

#define BA_TYPE_SERVER_AUTH (ba_server_auth_get_type ())

G_DECLARE_FINAL_TYPE (BaServerAuth, ba_server_auth, BA, SERVER_AUTH, GObject)

/* Loads the server's HS256 secret from @secret_path, or creates it there
 * (32 random bytes, mode 0600) on first start. */
BaServerAuth       *ba_server_auth_new             (BaServerStore       *store,
                                                    const char          *secret_path,
                                                    GError             **error);

/* An argon2id hash (libsodium's crypto_pwhash_str, interactive limits). */
char               *ba_server_auth_hash_password   (BaServerAuth        *self,
                                                    const char          *password,
                                                    GError             **error);
/* TRUE if @password matches @user's hash. With no user, or a user without
 * a password, a dummy hash is still checked and FALSE returned, so the
 * answer takes as long whether or not the account exists. */
gboolean            ba_server_auth_check_password  (BaServerAuth        *self,
                                                    const BaServerUser  *user,
                                                    const char          *password);

/* The same check in a worker thread, so that argon2 (about 100 ms and
 * 64 MiB) does not stall every other request. Finishes with the result;
 * it never fails. */
void                ba_server_auth_check_password_async  (BaServerAuth        *self,
                                                          const BaServerUser  *user,
                                                          const char          *password,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean            ba_server_auth_check_password_finish (BaServerAuth        *self,
                                                          GAsyncResult        *result);

/* A new per-user `jwt_secret`: 32 random base32 characters. */
char               *ba_server_auth_new_jwt_secret  (void);

/* Issues a session token for @user: claims `id`, `jwt_secret`,
 * `authTime` (@auth_time, ms), `iat`, `exp` = iat + 7 days, and
 * `twoFactorRequired` unless @two_factor is ABSENT. */
char               *ba_server_auth_issue_token     (BaServerAuth        *self,
                                                    const BaServerUser  *user,
                                                    gint64               auth_time,
                                                    BaServerTwoFactor    two_factor);

/* The length of an API key: 32 random alphanumeric characters, like
 * open-balena-api's (account-api.md section 1.2). */
#define BA_SERVER_API_KEY_LENGTH 32

/* A new API key from libsodium's random generator. Wipe it when done. */
char               *ba_server_auth_new_api_key     (void);
/* What the api_key table stores for @key: its SHA-256 as lowercase hex. */
char               *ba_server_auth_hash_api_key    (const char          *key);

/* Resolves the credential of a request from its Authorization header
 * value and its `apikey` query parameter (both nullable). A Bearer string
 * that looks like a JWT is tried as a session token; otherwise `apikey`,
 * or else the Bearer string, is looked up as an API key, and a key whose
 * expiry_date has passed does not count. Anything that does not verify
 * gives an anonymous credential, never an error, as the reference server
 * does (account-api.md section 13). */
BaServerCredential *ba_server_auth_resolve         (BaServerAuth        *self,
                                                    const char          *authorization,
                                                    const char          *apikey);

G_END_DECLS
