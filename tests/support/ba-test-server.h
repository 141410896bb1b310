/* ba-test-server.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A real balena-accounts-server for a test: spawned from $BA_SERVER_PATH
 * with "--listen 127.0.0.1:0 --data-dir <fresh temp dir>" (and --seed-demo
 * when asked), its URL read from the first line of stdout, and the demo
 * credentials from the lines after it. Stopping it kills the process and
 * removes the data dir. */
typedef struct _BaTestServer BaTestServer;

BaTestServer *ba_test_server_start             (gboolean       seed_demo,
                                                GError       **error);
/* Starts a second process on an existing data dir (a restart). */
BaTestServer *ba_test_server_start_in          (const char    *data_dir,
                                                gboolean       seed_demo,
                                                GError       **error);
void          ba_test_server_stop              (BaTestServer  *self);

/* Like ba_test_server_start(), with more command-line arguments
 * (NULL-terminated), e.g. "--dev-identity-provider". */
BaTestServer *ba_test_server_start_with_args   (gboolean             seed_demo,
                                                const char * const  *extra_args,
                                                GError             **error);

/* Like ba_test_server_start(), but the server runs with
 * G_MESSAGES_DEBUG=all and its stderr goes to a file, so a test can check
 * what it logs (ba_test_server_get_log()). */
BaTestServer *ba_test_server_start_logged      (gboolean       seed_demo,
                                                GError       **error);
/* Sends SIGTERM and waits for the process to exit, but keeps @self and
 * its data dir (for a restart with ba_test_server_start_in(), or to read
 * the log). Returns TRUE if the server exited with status 0. */
gboolean      ba_test_server_terminate         (BaTestServer  *self,
                                                GError       **error);
/* A logged server's stderr, plus what it wrote to stdout after the
 * startup lines (complete once terminated). "" for other servers. */
char         *ba_test_server_get_log           (BaTestServer  *self);

const char   *ba_test_server_get_url           (BaTestServer  *self);
const char   *ba_test_server_get_data_dir      (BaTestServer  *self);
const char   *ba_test_server_get_demo_email    (BaTestServer  *self);
const char   *ba_test_server_get_demo_username (BaTestServer  *self);
const char   *ba_test_server_get_demo_password (BaTestServer  *self);

/* The server's HS256 secret, read from its data dir, so a test can forge
 * expired or tampered tokens. */
GBytes       *ba_test_server_get_jwt_secret    (BaTestServer  *self);

/* A blocking HTTP request for tests. @token (nullable) goes out as
 * "Authorization: Bearer"; @content_type and @body (nullable) as the
 * request body. Returns the status, stores the body (NUL-terminated) and,
 * if asked, one response header. */
guint         ba_test_server_request           (BaTestServer  *self,
                                                const char    *method,
                                                const char    *path_and_query,
                                                const char    *token,
                                                const char    *content_type,
                                                const char    *body,
                                                char         **out_body,
                                                const char    *header_name,
                                                char         **out_header);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaTestServer, ba_test_server_stop)

G_END_DECLS
