/* ba-browser-login.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-account.h"

G_BEGIN_DECLS

#define BA_BALENA_CLOUD_DASHBOARD_URL "https://dashboard.balena-cloud.com"

/* How long the browser login waits for the dashboard, in seconds. */
#define BA_BROWSER_LOGIN_DEFAULT_TIMEOUT (10 * 60)

/* The path the dashboard posts the token to, as in balena-cli. */
#define BA_BROWSER_LOGIN_CALLBACK_PATH "/auth"

#define BA_TYPE_BROWSER_LOGIN (ba_browser_login_get_type ())

G_DECLARE_FINAL_TYPE (BaBrowserLogin, ba_browser_login, BA, BROWSER_LOGIN, GObject)

/* The balena CLI's web login (account-api.md section 10), for accounts
 * that sign in with GitHub, Google or SSO (or any other way the dashboard
 * offers):
 *
 * 1. ba_browser_login_new() listens on 127.0.0.1 on a port the system
 *    picks; the callback is http://127.0.0.1:<port>/auth.
 * 2. The caller opens ba_browser_login_get_url() in the browser:
 *    <dashboard>/login/cli/<callback, encoded twice>.
 * 3. ba_browser_login_wait_async(): the dashboard form-POSTs token=<JWT>
 *    to the callback. That one POST is taken; the token is checked with
 *    GET /actor/v1/whoami on @api_url (ba_account_login_with_token_async())
 *    before it is stored, the browser gets a 200 "logged in" page (or a
 *    401 error page), and the listener closes. Any other path or method
 *    is a 404 and changes nothing (except the dashboard's Private Network
 *    Access preflight, OPTIONS, which is allowed); a second POST is
 *    refused (409). A POST whose Origin header names another site than
 *    the dashboard's (its origin, or an https host under its domain) is
 *    refused (403) and ends the login, so a web page cannot log the app in
 *    to someone else's account. A body over 64 KiB is refused (413)
 *    before it is kept in memory, and changes nothing either.
 *
 * Cancelling ends the wait with G_IO_ERROR_CANCELLED, and after the time
 * limit it ends with BA_ERROR_TIMEOUT; either way the listener closes. */
BaBrowserLogin *ba_browser_login_new                (const char           *api_url,
                                                     const char           *dashboard_url,
                                                     GError              **error);

const char     *ba_browser_login_get_url            (BaBrowserLogin       *self);
const char     *ba_browser_login_get_callback_url   (BaBrowserLogin       *self);
const char     *ba_browser_login_get_api_url        (BaBrowserLogin       *self);

/* The time limit for ba_browser_login_wait_async() (default
 * BA_BROWSER_LOGIN_DEFAULT_TIMEOUT). Set it before waiting. */
void            ba_browser_login_set_timeout        (BaBrowserLogin       *self,
                                                     guint                 seconds);

/* Waits for the dashboard's POST; returns the logged-in BaAccount (token
 * in @secret_store, profile in @vault, both may be NULL as with
 * ba_account_login_async()). Call it once. */
void            ba_browser_login_wait_async         (BaBrowserLogin       *self,
                                                     BaSecretStore        *secret_store,
                                                     BaVault              *vault,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
BaAccount      *ba_browser_login_wait_finish        (BaBrowserLogin       *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/* The dashboard that goes with an API server, as the balena CLI derives
 * it: https://dashboard.<domain> for https://api.<domain>; for any other
 * address (such as balena-accounts-server, which serves the login page
 * itself) the address itself. */
char           *ba_browser_login_dup_dashboard_url  (const char           *api_url);

/* @callback_url encoded as the balena CLI does it: encodeURIComponent(),
 * then every "%" encoded again. */
char           *ba_browser_login_encode_callback    (const char           *callback_url);

G_END_DECLS
