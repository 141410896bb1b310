/* ba-test-outbox.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reading the mails a spawned balena-accounts-server writes to its
 * outbox (the .eml files in DATA_DIR/outbox), the way a user reads their inbox. */

/* The number of .eml files for @purpose ("verify-email",
 * "password-reset") addressed to @to (NULL: anyone). */
guint  ba_test_outbox_count      (const char  *outbox_dir,
                                  const char  *purpose,
                                  const char  *to);

/* Waits (polling, up to @timeout_ms) until there are at least
 * @n_expected such mails and returns the newest one's text, or NULL on
 * timeout. Some mails are written in a worker thread after the answer. */
char  *ba_test_outbox_wait       (const char  *outbox_dir,
                                  const char  *purpose,
                                  const char  *to,
                                  guint        n_expected,
                                  guint        timeout_ms);

/* The value of the token= parameter of the first link in @mail. */
char  *ba_test_mail_get_token    (const char  *mail);
/* The first line of @mail that holds a link ("http…"), trimmed. */
char  *ba_test_mail_get_link     (const char  *mail);
/* The value of header @name, or NULL. */
char  *ba_test_mail_get_header   (const char  *mail,
                                  const char  *name);

G_END_DECLS
