/* ba-base32.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* RFC 4648 base32. Encoding writes upper case without padding (what
 * authenticator apps expect in otpauth URIs). Decoding is case-insensitive
 * and ignores '=', spaces and '-', so a key typed in groups works; any other
 * character is BA_ERROR_INVALID_INPUT. */
char   *ba_base32_encode (const guint8  *data,
                          gsize          len);
guint8 *ba_base32_decode (const char    *text,
                          gsize         *out_len,
                          GError       **error);

G_END_DECLS
