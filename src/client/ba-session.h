/* ba-session.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* How old a session token may get before it is refreshed (balena-request
 * refreshes at 24 h), and how long after a password the token counts as
 * "fresh" for API-key creation and account deletion (open-balena-api's
 * SUDO_TOKEN_VALIDITY). */
#define BA_SESSION_REFRESH_AFTER_SECONDS (24 * 60 * 60)
#define BA_SESSION_FRESH_SECONDS         (20 * 60)

typedef enum
{
  BA_TWO_FACTOR_NOT_REQUIRED,   /* claim absent */
  BA_TWO_FACTOR_PENDING,        /* twoFactorRequired: true (partial token) */
  BA_TWO_FACTOR_PASSED,         /* twoFactorRequired: false */
} BaTwoFactorStatus;

#define BA_TYPE_SESSION (ba_session_get_type ())

G_DECLARE_FINAL_TYPE (BaSession, ba_session, BA, SESSION, GObject)

/* An immutable view of one credential: a session JWT (claims decoded
 * without verifying, as every balena client does) or an API key. All
 * times are Unix seconds; functions that depend on the clock take @now so
 * tests can pin it. */
BaSession         *ba_session_new                   (const char  *token,
                                                     GError     **error);
const char        *ba_session_get_token             (BaSession   *self);
gboolean           ba_session_is_api_key            (BaSession   *self);
gint64             ba_session_get_user_id           (BaSession   *self);
gint64             ba_session_get_issued_at         (BaSession   *self);
gint64             ba_session_get_expires_at        (BaSession   *self);
gint64             ba_session_get_auth_time         (BaSession   *self);
BaTwoFactorStatus  ba_session_get_two_factor_status (BaSession   *self);
gboolean           ba_session_is_expired            (BaSession   *self,
                                                     gint64       now);
gboolean           ba_session_needs_refresh         (BaSession   *self,
                                                     gint64       now);
gboolean           ba_session_is_fresh              (BaSession   *self,
                                                     gint64       now);

G_END_DECLS
