/* ba-account.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-api-client.h"
#include "ba-secret-store.h"
#include "ba-session.h"
#include "ba-vault.h"

G_BEGIN_DECLS

typedef enum
{
  BA_ACCOUNT_STATE_CACHED,       /* shown from the vault, not yet checked */
  BA_ACCOUNT_STATE_ONLINE,       /* the server confirmed the session */
  BA_ACCOUNT_STATE_OFFLINE,      /* the server could not be reached */
  BA_ACCOUNT_STATE_LOGGED_OUT,   /* the server refused the session (401) */
} BaAccountState;

#define BA_TYPE_ACCOUNT_STATE (ba_account_state_get_type ())
GType ba_account_state_get_type (void) G_GNUC_CONST;

#define BA_TYPE_ACCOUNT (ba_account_get_type ())

G_DECLARE_FINAL_TYPE (BaAccount, ba_account, BA, ACCOUNT, GObject)

/* One signed-in account: its BaApiClient, its BaSession (token in the
 * keyring) and its rows in the vault. Properties (all read-only, notified):
 * "id", "server-url", "username", "email", "user-id", "state",
 * "offline-since" (Unix seconds, 0 when online), "session",
 * "last-synced-at" (Unix seconds of the last answer from the server, kept
 * while offline so the app can say "last updated …").
 *
 * "offline-since" is the time of the first failed attempt to reach the
 * server since it last answered; it stays unchanged while later attempts
 * fail too, and goes back to 0 once the server answers.
 *
 * @vault may be NULL: session-only mode when there is no keyring, nothing
 * is persisted. @secret_store may be NULL too; the token then lives only in
 * memory. */

/* Logs in with a password, reads whoami, stores the token in the keyring
 * and the profile in the vault. A partial token (two-factor authentication
 * pending) is BA_ERROR_TWO_FACTOR_REQUIRED for now. */
void            ba_account_login_async          (const char           *server_url,
                                                 const char           *username,
                                                 const char           *password,
                                                 BaSecretStore        *secret_store,
                                                 BaVault              *vault,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
BaAccount      *ba_account_login_finish         (GAsyncResult         *result,
                                                 GError              **error);

/* Reads the most recently used account from the vault and its token from
 * the keyring, without any network call. Returns NULL without error when
 * there is none (or @vault is NULL). The account is CACHED; when its token
 * is missing from the keyring or already expired, it is LOGGED_OUT (the
 * cached profile stays readable) and "session" is NULL or the expired one. */
void            ba_account_restore_async        (BaSecretStore        *secret_store,
                                                 BaVault              *vault,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
BaAccount      *ba_account_restore_finish       (GAsyncResult         *result,
                                                 GError              **error);

const char     *ba_account_get_id               (BaAccount            *self);
const char     *ba_account_get_server_url       (BaAccount            *self);
const char     *ba_account_get_username         (BaAccount            *self);
const char     *ba_account_get_email            (BaAccount            *self);
gint64          ba_account_get_user_id          (BaAccount            *self);
BaAccountState  ba_account_get_state            (BaAccount            *self);
gint64          ba_account_get_offline_since    (BaAccount            *self);
gint64          ba_account_get_last_synced_at   (BaAccount            *self);
BaSession      *ba_account_get_session          (BaAccount            *self);
BaApiClient    *ba_account_get_api_client       (BaAccount            *self);

/* Checks the session with the server: refreshes the token when it is older
 * than 24 h, reads whoami, updates the vault. An unreachable server sets
 * the state to OFFLINE (and keeps offline-since) and is not an error; a
 * 401 sets LOGGED_OUT and returns BA_ERROR_NOT_LOGGED_IN. */
void            ba_account_revalidate_async     (BaAccount            *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean        ba_account_revalidate_finish    (BaAccount            *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* Refreshes the session token now (with @password: a fresh token) and
 * stores the new one in the keyring. */
void            ba_account_refresh_token_async  (BaAccount            *self,
                                                 const char           *password,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean        ba_account_refresh_token_finish (BaAccount            *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* Forgets the token (keyring) and this account's cached data (vault). */
void            ba_account_logout_async         (BaAccount            *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean        ba_account_logout_finish        (BaAccount            *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

G_END_DECLS
