/* ba-totp.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BA_TOTP_DEFAULT_PERIOD 30
#define BA_TOTP_DEFAULT_DIGITS 6

typedef enum
{
  BA_TOTP_SHA1,
  BA_TOTP_SHA256,
  BA_TOTP_SHA512,
} BaTotpAlgorithm;

/* RFC 6238. Returns the code as a zero-padded string of @digits digits
 * (6 to 8), or NULL for invalid arguments. */
char     *ba_totp_generate (BaTotpAlgorithm  algorithm,
                            const guint8    *key,
                            gsize            key_len,
                            gint64           unix_time,
                            guint            period,
                            guint            digits);

/* Checks @code against the steps from (now - window) to (now + window).
 * On success stores the matching time step (unix_time / period) in
 * @out_step so a server can refuse a code that was used before. The
 * comparison is constant-time. */
gboolean  ba_totp_verify   (BaTotpAlgorithm  algorithm,
                            const guint8    *key,
                            gsize            key_len,
                            const char      *code,
                            gint64           unix_time,
                            guint            period,
                            guint            digits,
                            guint            window,
                            gint64          *out_step);

G_END_DECLS
