/* ba-jwt.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* HS256 JSON Web Tokens (RFC 7519), base64url without padding. */

/* Signs @claims with HMAC-SHA256 under @secret. */
char       *ba_jwt_encode_hs256 (JsonObject    *claims,
                                 const guint8  *secret,
                                 gsize          secret_len);

/* Decodes @token and returns its claims (transfer full).
 *
 * With @secret == NULL the signature is not checked: this is what a client
 * does to read `exp` or `authTime` from its own session token.
 *
 * With a @secret the header must say {"alg":"HS256"} (anything else, "none"
 * included, is refused) and the signature must match, compared in constant
 * time. `exp` is NOT checked here: callers compare it with their clock.
 *
 * Malformed input (wrong number of parts, bad base64url, non-object JSON)
 * gives BA_ERROR_INVALID_TOKEN. */
JsonObject *ba_jwt_decode       (const char    *token,
                                 const guint8  *secret,
                                 gsize          secret_len,
                                 GError       **error);

/* TRUE if @token has the shape of a JWT (three base64url parts whose first
 * decodes to a JSON object). balena tells session tokens from API keys this
 * way (account-api.md section 1.2). */
gboolean    ba_jwt_looks_like_jwt (const char  *token);

G_END_DECLS
