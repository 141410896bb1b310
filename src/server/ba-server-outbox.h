/* ba-server-outbox.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The server sends no real mail: each message becomes one RFC 5322 file,
 * DATA_DIR/outbox/<time>-<random>.eml (mode 0600, written atomically), with
 * From, To, Subject, Date, Message-ID, MIME-Version and a UTF-8 text/plain
 * body with CRLF line ends. A non-ASCII subject is RFC 2047 encoded; line
 * breaks in @to or @subject are refused (no header injection). Returns the
 * file's path, or NULL with @error set. */
char *ba_server_outbox_write (const char  *outbox_dir,
                              const char  *to,
                              const char  *subject,
                              const char  *body,
                              GError     **error);

G_END_DECLS
