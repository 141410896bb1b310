/* ba-server-mail.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The server's outgoing mail: one RFC 5322 message per file in the outbox
 * directory (design.md section 7), named "<UTC time>-<purpose>-<random>.eml"
 * and written atomically (a temporary file renamed into place), so a
 * reader that lists "*.eml" never sees half a message. Files are 0600:
 * they carry verification and reset tokens.
 *
 * Headers: From, To, Subject, Date, Message-ID, MIME-Version,
 * Content-Type (text/plain, UTF-8), Content-Transfer-Encoding (8bit) and
 * X-Balena-Accounts-Purpose (@purpose, e.g. "verify-email"). Lines end in
 * CRLF. @to must be a plain address (checked: no spaces or control
 * characters, so nothing can be injected into the headers). */
char     *ba_server_mail_write                (const char           *outbox_dir,
                                               const char           *purpose,
                                               const char           *to,
                                               const char           *subject,
                                               const char           *body,
                                               GError              **error);

/* The same in a worker thread, for answers that must not wait for the
 * disk (the password-reset request answers in the same time whether or
 * not a mail is written). Failures are logged. */
void      ba_server_mail_write_in_background  (const char           *outbox_dir,
                                               const char           *purpose,
                                               const char           *to,
                                               const char           *subject,
                                               const char           *body);

G_END_DECLS
