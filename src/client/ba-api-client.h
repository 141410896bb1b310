/* ba-api-client.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

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

G_END_DECLS
