/* ba-server-lifecycle.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

#include "ba-server-auth.h"
#include "ba-server-store.h"
#include "ba-server-totp.h"

G_BEGIN_DECLS

/* The account lifecycle (account-api.md sections 8, 9 and 17.1–17.4):
 *
 *   POST   /user/register                   {email, password, username?}
 *   POST   /user/v1/verify-email            {verificationToken, email}
 *   PATCH  /v7/user(<id>)                   {has_been_sent_verification_email: true}
 *   PATCH  /v7/user_profile(<id>)           {first_name?, last_name?, company?}
 *   POST   /user/v1/password-reset/request  {email}
 *   POST   /user/v1/password-reset          {token, password}
 *   POST   /user/v1/password                {current_password?, new_password}
 *   DELETE /v7/user(<id>)
 *
 * Reading /v7/user_profile goes through the OData engine (the view
 * user_profile of schema version 3). */

#define BA_TYPE_SERVER_LIFECYCLE (ba_server_lifecycle_get_type ())

G_DECLARE_FINAL_TYPE (BaServerLifecycle, ba_server_lifecycle, BA, SERVER_LIFECYCLE, GObject)

BaServerLifecycle *ba_server_lifecycle_new          (BaServerStore       *store,
                                                     BaServerAuth        *auth,
                                                     const char          *outbox_dir);

/* Marks @user_id's email as verified (the demo users). */
/* Tokens issued without a password (after a reset, or a verification link
 * opened without a session) are partial for users with two-factor
 * authentication on, as @totp says. */
void               ba_server_lifecycle_set_totp      (BaServerLifecycle  *self,
                                                      BaServerTotp       *totp);

gboolean           ba_server_lifecycle_mark_verified (BaServerLifecycle  *self,
                                                      gint64              user_id,
                                                      GError            **error);

/* TRUE if @path is one of the lifecycle's own routes (not under /v7/). */
gboolean           ba_server_lifecycle_owns_path    (const char          *path);

/* Answers a request to one of those routes. @base_url is the server's
 * own URL, for the links in mails. The handler may pause @msg and answer
 * later (password hashing runs in a worker thread). */
void               ba_server_lifecycle_handle       (BaServerLifecycle   *self,
                                                     SoupServerMessage   *msg,
                                                     const char          *path,
                                                     const BaServerCredential *credential,
                                                     const char          *base_url);

/* PATCH and DELETE of /v7/user(…) and PATCH of /v7/user_profile(…):
 * @odata_path is the part after "/v7/" (still percent-encoded). Returns
 * FALSE, without answering, for anything else. */
gboolean           ba_server_lifecycle_handle_odata (BaServerLifecycle   *self,
                                                     SoupServerMessage   *msg,
                                                     const char          *method,
                                                     const char          *odata_path,
                                                     const BaServerCredential *credential,
                                                     const char          *base_url);

G_END_DECLS
