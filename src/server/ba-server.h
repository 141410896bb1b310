/* ba-server.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define BA_TYPE_SERVER (ba_server_get_type ())

G_DECLARE_FINAL_TYPE (BaServer, ba_server, BA, SERVER, GObject)

/* Opens (creating if needed) the server's state in @data_dir: server.db,
 * jwt-secret and outbox/. */
BaServer   *ba_server_new            (const char  *data_dir,
                                      GError     **error);

/* Creates the demo users if they do not exist yet and returns the demo
 * user's credentials. The generated password is kept in
 * DATA_DIR/demo-password (mode 0600) so a restart reports the same one. */
gboolean    ba_server_seed_demo      (BaServer    *self,
                                      char       **out_email,
                                      char       **out_username,
                                      char       **out_password,
                                      GError     **error);

/* Offers the test identity provider on the web login page
 * (--dev-identity-provider): accounts without a password sign in there
 * by email or username alone. For tests and demos only. */
void        ba_server_set_dev_identity_provider (BaServer *self,
                                                 gboolean  enabled);

/* The web login page (/login/cli/<callback>), e.g. to give it the
 * server's two-factor authentication (ba_server_web_login_set_two_factor()). */
struct _BaServerWebLogin *ba_server_get_web_login (BaServer *self);

/* Starts accepting connections on @address ("HOST:PORT", port 0 picks a
 * free one). A non-loopback address needs @tls_cert and @tls_key. */
gboolean    ba_server_listen         (BaServer    *self,
                                      const char  *address,
                                      const char  *tls_cert,
                                      const char  *tls_key,
                                      GError     **error);

/* The base URL clients use, e.g. "http://127.0.0.1:41234" (no trailing
 * slash), once listening. */
char       *ba_server_get_url        (BaServer    *self);
const char *ba_server_get_outbox_dir (BaServer    *self);

G_END_DECLS
