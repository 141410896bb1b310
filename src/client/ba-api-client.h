/* ba-api-client.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ba-api-key.h"
#include "ba-identity.h"

G_BEGIN_DECLS

#define BA_BALENA_CLOUD_API_URL "https://api.balena-cloud.com"

#define BA_API_CLIENT_DEFAULT_TIMEOUT 30

#define BA_TYPE_API_CLIENT (ba_api_client_get_type ())

G_DECLARE_FINAL_TYPE (BaApiClient, ba_api_client, BA, API_CLIENT, GObject)

/* One client (one SoupSession, keep-alive, timeouts, user agent
 * "balena-accounts/<version>") per account. @base_url must be https://, or
 * http:// to a loopback host; anything else is BA_ERROR_INSECURE_URL.
 * Every failure is a BA_ERROR with a translatable message; the raw answer
 * goes to g_debug() with the Authorization header redacted. */
BaApiClient *ba_api_client_new                  (const char           *base_url,
                                                 GError              **error);
const char  *ba_api_client_get_base_url         (BaApiClient          *self);

/* How long a request may take, in seconds ("timeout" property; default
 * BA_API_CLIENT_DEFAULT_TIMEOUT). A late answer is BA_ERROR_TIMEOUT. */
guint        ba_api_client_get_timeout          (BaApiClient          *self);
void         ba_api_client_set_timeout          (BaApiClient          *self,
                                                 guint                 seconds);

/* The credential sent as "Authorization: Bearer" on authenticated calls. */
void         ba_api_client_set_token            (BaApiClient          *self,
                                                 const char           *token);

/* GET /ping: TRUE when the server answers; tells "offline" from "logged out". */
void         ba_api_client_ping_async           (BaApiClient          *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
gboolean     ba_api_client_ping_finish          (BaApiClient          *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* POST /login_ {username, password}: returns the session JWT. */
void         ba_api_client_login_async          (BaApiClient          *self,
                                                 const char           *username,
                                                 const char           *password,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
char        *ba_api_client_login_finish         (BaApiClient          *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* The wait a 429 answer asked for (Retry-After), in seconds, on the
 * request behind @result: a BaApiClient call or ba_account_login_async().
 * 0 when there was none, so a form can stay locked until then. */
#define BA_API_CLIENT_RETRY_AFTER_KEY "ba-retry-after"
guint        ba_api_client_get_retry_after      (GAsyncResult         *result);

/* GET /actor/v1/whoami with the current token. */
void         ba_api_client_whoami_async         (BaApiClient          *self,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
BaIdentity  *ba_api_client_whoami_finish        (BaApiClient          *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* GET /user/v1/refresh-token, or POST with {password} when @password is
 * not NULL (which makes the new token fresh). Returns the new JWT. */
void         ba_api_client_refresh_token_async  (BaApiClient          *self,
                                                 const char           *password,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
char        *ba_api_client_refresh_token_finish (BaApiClient          *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

/* API keys (account-api.md section 6). Only a session token may create,
 * update or revoke keys: when the credential set with
 * ba_api_client_set_token() is an API key, the server's 401 is reported as
 * BA_ERROR_PERMISSION_DENIED ("API keys cannot manage API keys"), not as
 * the end of the session. A 400 about a too long name or description
 * carries the server's own message. */

/* POST /api-key/user/full {name, description, expiryDate}. @description
 * may be NULL (or "") for none; @expiry_date is Unix seconds, or 0 for a
 * key that never expires. The session token must be fresh (less than 20
 * minutes since the password was given), else BA_ERROR_FRESH_AUTH_REQUIRED.
 *
 * The finish function returns the new secret key. The server shows it
 * only this once; it is the caller's to show and then free with
 * ba_wipe_string_free() (or g_autoptr(BaSecretString)), which overwrites
 * it. It is never logged or cached. */
void         ba_api_client_create_api_key_async  (BaApiClient          *self,
                                                  const char           *name,
                                                  const char           *description,
                                                  gint64                expiry_date,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
char        *ba_api_client_create_api_key_finish (BaApiClient          *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* GET /v7/api_key with the CLI's query: the named keys of the actor
 * @actor_id (BaIdentity.actor_id, not the user id), ordered by name.
 * Returns a GPtrArray of BaApiKey (element free function set) in the
 * server's order. The answer is parsed in a worker thread; anything that
 * is not {"d":[…]} with well-formed rows is BA_ERROR_INVALID_RESPONSE. */
void         ba_api_client_list_api_keys_async   (BaApiClient          *self,
                                                  gint64                actor_id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
GPtrArray   *ba_api_client_list_api_keys_finish  (BaApiClient          *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* The newest key (highest id) of @actor_id named @name, or NULL without
 * error when there is none. Creating a key returns only the secret, so
 * this is how the new key's id and dates are learned. */
void         ba_api_client_find_newest_api_key_async  (BaApiClient          *self,
                                                       gint64                actor_id,
                                                       const char           *name,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
BaApiKey    *ba_api_client_find_newest_api_key_finish (BaApiClient          *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* PATCH /v7/api_key(@id) {name, description, expiry_date}: sets all three
 * (@description NULL or "" clears it, @expiry_date 0 means never). @name
 * must not be empty (BA_ERROR_INVALID_INPUT without a request). An expiry
 * date in the past expires the key at once. */
void         ba_api_client_update_api_key_async  (BaApiClient          *self,
                                                  gint64                id,
                                                  const char           *name,
                                                  const char           *description,
                                                  gint64                expiry_date,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean     ba_api_client_update_api_key_finish (BaApiClient          *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* DELETE /v7/api_key(@id). Like the server, a key that does not exist (or
 * is not yours) is not an error: the answer is the same 200. */
void         ba_api_client_revoke_api_key_async  (BaApiClient          *self,
                                                  gint64                id,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean     ba_api_client_revoke_api_key_finish (BaApiClient          *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* A Bearer request to @path_and_query (already percent-encoded, starting
 * with "/") with @body (nullable) as JSON; the answer is parsed as JSON,
 * and an empty body (PATCH, DELETE) is a JSON null node. Errors are those
 * of ba_api_error_from_response() for BA_API_ENDPOINT_AUTHENTICATED. For
 * OData resources that have no call of their own here (fleets, members,
 * invites: ba-account-fleets.c). */
void         ba_api_client_request_json_async   (BaApiClient          *self,
                                                 const char           *method,
                                                 const char           *path_and_query,
                                                 JsonNode             *body,
                                                 GCancellable         *cancellable,
                                                 GAsyncReadyCallback   callback,
                                                 gpointer              user_data);
JsonNode    *ba_api_client_request_json_finish  (BaApiClient          *self,
                                                 GAsyncResult         *result,
                                                 GError              **error);

G_END_DECLS
