/* ba-server-rate-limiter.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define BA_TYPE_SERVER_RATE_LIMITER (ba_server_rate_limiter_get_type ())

G_DECLARE_FINAL_TYPE (BaServerRateLimiter, ba_server_rate_limiter, BA, SERVER_RATE_LIMITER, GObject)

/* A fixed-window limiter in memory, the shape of open-balena-api's
 * rate-limiter-flexible setup: @points attempts per key within a window of
 * @window_seconds; the attempt after that blocks the key for
 * @block_seconds. */
BaServerRateLimiter *ba_server_rate_limiter_new     (guint                 points,
                                                     guint                 window_seconds,
                                                     guint                 block_seconds);

/* Counts one attempt for @key. Returns FALSE when the key is blocked, with
 * the seconds until it may try again (at least 1) in @retry_after. */
gboolean             ba_server_rate_limiter_consume (BaServerRateLimiter  *self,
                                                     const char           *key,
                                                     gint64               *retry_after);
/* Forgets @key, as after a successful login. */
void                 ba_server_rate_limiter_reset   (BaServerRateLimiter  *self,
                                                     const char           *key);

/* Marks @msg, whose body is already written, as refused by a limiter:
 * status 429 with its reason phrase, and Retry-After: @retry_after. */
void                 ba_server_rate_limiter_refuse   (SoupServerMessage    *msg,
                                                      gint64                retry_after);

/* The key of a password login by @username from @host, for POST /login_
 * and the web login page alike. When @username names an existing user,
 * pass that user's id as @user_id: the key is "<host>$user:<id>", so the
 * username and the email of one account share one budget. Otherwise pass
 * 0: the key is "<host>$name:<username>", the username case folded (see
 * the .c file), so unknown names are limited the same way. */
char                *ba_server_rate_limiter_login_key (const char         *host,
                                                       const char         *username,
                                                       gint64              user_id);

G_END_DECLS
