/* ba-account.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-api-client.h"
#include "ba-api-key.h"
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
 * while offline so the app can say "last updated …"), "api-keys" (the
 * GListModel of ba_account_get_api_keys(), the same object for the
 * account's whole life).
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
 * pending) is BA_ERROR_TWO_FACTOR_REQUIRED; ba_login_challenge_from_result()
 * on the same result then gives the challenge to answer with a code
 * (ba-login-challenge.h). */
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

/* Logs in with a credential the user already has: a session token or an
 * API key (like "balena login --token"), or the token a browser login
 * received. Surrounding white space is ignored. It is checked with
 * GET /actor/v1/whoami before anything is stored; then it goes to the
 * keyring and the profile to the vault, as with a password login. An
 * expired JWT is BA_ERROR_TOKEN_EXPIRED and text that is no credential
 * BA_ERROR_INVALID_TOKEN, both without a request; a credential the server
 * refuses is BA_ERROR_NOT_LOGGED_IN. */
void            ba_account_login_with_token_async  (const char           *server_url,
                                                    const char           *token,
                                                    BaSecretStore        *secret_store,
                                                    BaVault              *vault,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
BaAccount      *ba_account_login_with_token_finish (GAsyncResult         *result,
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
/* The vault the account caches in, or NULL in session-only mode. For
 * feature files that cache rows of their own (ba-account-fleets.c). */
BaVault        *ba_account_get_vault            (BaAccount            *self);

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

/* API keys (issue 3)
 *
 * The account's named API keys, as a GListModel of BaApiKey sorted by name
 * (ba_api_key_compare(), the server's "$orderby=name asc"). It is filled
 * from the vault by login and restore, before any key is fetched, so the
 * list shows at once and offline; ba_account_sync_api_keys_async() then
 * replaces it with the server's list. Every change is made in place: keys
 * that did not change stay the same objects, changed ones notify their
 * properties, and only the rows that really differ are spliced in or out
 * (one "items-changed" per sync), so a list view over 10,000 keys stays
 * smooth. Create, update and revoke update the model and the vault
 * without a full reload. The model never holds a secret key.
 *
 * The session token itself is ba_account_get_session(): its issued-at and
 * expiry times are BaSession's, and ba_account_refresh_token_async()
 * renews it. Session tokens cannot be revoked. */
GListModel     *ba_account_get_api_keys           (BaAccount            *self);

/* Fetches the list from the server and makes the model match it, then
 * caches it in the vault. On failure the model and the cache are left as
 * they were: an unreachable server sets OFFLINE and returns
 * BA_ERROR_OFFLINE or BA_ERROR_TIMEOUT (the app may show the cached list
 * with "last updated …"); a 401 sets LOGGED_OUT and returns
 * BA_ERROR_NOT_LOGGED_IN; a garbled answer is BA_ERROR_INVALID_RESPONSE.
 * If only the cache write fails, the model is already updated and the
 * error is BA_ERROR_VAULT. */
void            ba_account_sync_api_keys_async    (BaAccount            *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean        ba_account_sync_api_keys_finish   (BaAccount            *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

/* Creates a key (see ba_api_client_create_api_key_async() for the
 * arguments) and adds it to the model and the vault.
 *
 * Creating a key needs a fresh session (a password given within the last
 * BA_SESSION_FRESH_SECONDS). If the session is not fresh, this fails at
 * once with BA_ERROR_FRESH_AUTH_REQUIRED, without a request; the app then
 * asks for the password, calls ba_account_refresh_token_async (self,
 * password, …) and, once that succeeds, calls this again. The server may
 * still say the same (clocks differ); the answer is the same. An API-key
 * session gets BA_ERROR_PERMISSION_DENIED (only a password login can
 * create keys).
 *
 * The finish function returns the secret key, which the server shows only
 * this once and which is stored nowhere. Show it, then free it with
 * ba_wipe_string_free() (or g_autoptr(BaSecretString)) so it is overwritten.
 * The key is returned even when adding it to the model or the vault failed
 * afterwards (that is logged; the next sync fixes the list). */
void            ba_account_create_api_key_async   (BaAccount            *self,
                                                   const char           *name,
                                                   const char           *description,
                                                   gint64                expiry_date,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
char           *ba_account_create_api_key_finish  (BaAccount            *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

/* Sets the name, description (NULL or "" for none) and expiry date (Unix
 * seconds, 0 for never) of the key @id, then updates the key object in
 * the model (moving it if the name changed its place) and the vault. A
 * name longer than BA_API_KEY_NAME_MAX_LENGTH or a description longer than
 * BA_API_KEY_DESCRIPTION_MAX_LENGTH is BA_ERROR_INVALID_INPUT with the
 * server's message. An API-key session gets BA_ERROR_PERMISSION_DENIED.
 * BA_ERROR_VAULT means the change was made but not cached. */
void            ba_account_update_api_key_async   (BaAccount            *self,
                                                   gint64                id,
                                                   const char           *name,
                                                   const char           *description,
                                                   gint64                expiry_date,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean        ba_account_update_api_key_finish  (BaAccount            *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);

/* Revokes the keys @ids (@n_ids of them, at least one) with one DELETE
 * each, in order, as the balena CLI does. Each revoked key leaves the
 * model as soon as the server confirms it; the vault follows at the end.
 *
 * Returns TRUE when every key was revoked. Otherwise FALSE with the first
 * error, and *@out_failed_ids (if not NULL) is a new GArray of gint64
 * with the ids that were not revoked (the others were); free it with
 * g_array_unref(). After an error that would hit every key the same way
 * (offline, session over, API-key session, too many attempts, cancelled)
 * the remaining ids are not tried and count as failed. BA_ERROR_VAULT with
 * no failed ids means all were revoked but the cache was not updated. */
void            ba_account_revoke_api_keys_async  (BaAccount            *self,
                                                   const gint64         *ids,
                                                   guint                 n_ids,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean        ba_account_revoke_api_keys_finish (BaAccount            *self,
                                                   GAsyncResult         *result,
                                                   GArray              **out_failed_ids,
                                                   GError              **error);

G_END_DECLS
