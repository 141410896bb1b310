/* ba-api-error.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What kind of endpoint answered, because the same status means different
 * things (account-api.md sections 1.3 and 13). */
typedef enum
{
  BA_API_ENDPOINT_PUBLIC,         /* no credential sent (ping) */
  BA_API_ENDPOINT_LOGIN,          /* /login_: 401 is a wrong username or password */
  BA_API_ENDPOINT_AUTHENTICATED,  /* Bearer calls: 401 means the session is over */
  BA_API_ENDPOINT_PASSWORD,       /* Bearer calls that carry a password: 401 is a wrong password */
  BA_API_ENDPOINT_EXTENSION,      /* section 17 endpoints: 404 means "not supported" */
} BaApiEndpoint;

/* Maps a non-2xx answer to a BA_ERROR with a translatable, user-facing
 * message. @body may be NULL or empty; @retry_after is the raw
 * Retry-After header (seconds or an HTTP date) or NULL. The raw detail
 * goes to g_debug() only. */
GError *ba_api_error_from_response   (guint          status,
                                      GBytes        *body,
                                      const char    *retry_after,
                                      BaApiEndpoint  endpoint);

/* Maps a transport failure (GIO, resolver, TLS, libsoup) to a BA_ERROR.
 * A cancellation stays G_IO_ERROR_CANCELLED. */
GError *ba_api_error_from_transport  (const GError  *error);

/* The server's message in an error body, whichever of the shapes of
 * section 1.3 it has ("…" JSON string, {"error":"…"}, {"error":{"text":"…"}},
 * {"message":"…"}); NULL for an empty, raw text or HTML body. */
char   *ba_api_error_extract_message (GBytes        *body);

/* "Too many attempts. Try again in 59 minutes." for @seconds (> 0), or a
 * message without the wait when @seconds is 0. */
char   *ba_api_error_format_wait     (guint64        seconds);

/* Parses a Retry-After value (delta seconds or an HTTP date) into seconds
 * from now; 0 when absent or unparsable. */
guint64 ba_api_error_parse_retry_after (const char  *retry_after);

G_END_DECLS
