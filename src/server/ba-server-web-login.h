/* ba-server-web-login.h
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

/* The path prefix of the web login page (account-api.md section 17.7). */
#define BA_SERVER_WEB_LOGIN_PREFIX "/login/cli/"

#define BA_TYPE_SERVER_WEB_LOGIN (ba_server_web_login_get_type ())

G_DECLARE_FINAL_TYPE (BaServerWebLogin, ba_server_web_login, BA, SERVER_WEB_LOGIN, GObject)

/* The page that stands in for the balenaCloud dashboard's
 * "/login/cli/<callback>" (account-api.md sections 10 and 17.7): a login
 * form which, once the user is known, form-POSTs "token=<JWT>" to the
 * callback, as the dashboard does for balena-cli. Only loopback callbacks
 * are served. Password attempts count against @login_limiter, the same
 * limiter as POST /login_. */
BaServerWebLogin *ba_server_web_login_new                       (BaServerStore       *store,
                                                                 BaServerAuth        *auth,
                                                                 BaServerRateLimiter *login_limiter);

/* The test identity provider (--dev-identity-provider): signs in an
 * account that has no password (a social-login account) by its email or
 * username alone. Off by default; the page labels it as a test provider. */
void              ba_server_web_login_set_dev_identity_provider (BaServerWebLogin    *self,
                                                                 gboolean             enabled);

/* Two-factor authentication for the page. This file has no TOTP of its
 * own: BaServer plugs in BaServerTotp's. Without them (or
 * with @login_state NULL) nobody is asked for a code. */
typedef struct
{
  /* What a password login gives @user: BA_SERVER_TWO_FACTOR_PENDING asks
   * for a code next, anything else logs in at once. */
  BaServerTwoFactor (*login_state) (gpointer            data,
                                    const BaServerUser *user);
  /* Checks a TOTP or recovery code of @user and uses it up; FALSE for a
   * wrong (or already used) code. */
  gboolean          (*check_code)  (gpointer            data,
                                    const BaServerUser *user,
                                    const char         *code);
  gpointer            data;
  /* Counts the page's code tries, keyed by the user id in decimal; the
   * same limiter as the API's code checks, so that the page does not add
   * tries of its own. NULL: the page keeps its own count. */
  BaServerRateLimiter *code_limiter;
} BaServerWebLoginTwoFactor;

void              ba_server_web_login_set_two_factor            (BaServerWebLogin                *self,
                                                                 const BaServerWebLoginTwoFactor *two_factor);

/* Answers @msg. @path is the request path as libsoup gives it (still
 * percent-encoded), starting with BA_SERVER_WEB_LOGIN_PREFIX. GET shows
 * the form; POST (application/x-www-form-urlencoded) takes a step. The
 * message may be paused while a password is checked. */
void              ba_server_web_login_handle                    (BaServerWebLogin    *self,
                                                                 SoupServerMessage   *msg,
                                                                 const char          *path);

/* Decodes the callback part of the path (double-encoded as the balena CLI
 * sends it, or single-encoded) and checks it: http:// to 127.0.0.1 or
 * localhost with an explicit port, no user info and no fragment. Returns
 * the callback URL, or NULL with BA_ERROR_INVALID_INPUT. */
char             *ba_server_web_login_parse_callback            (const char          *encoded,
                                                                 GError             **error);

G_END_DECLS
