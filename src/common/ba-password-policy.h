/* ba-password-policy.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* balenaCloud's rule (account-api.md section 8): at least 8 characters.
 * Characters, not bytes: "pässwört" is 8. */
#define BA_PASSWORD_MIN_LENGTH 8

/* Returns FALSE with BA_ERROR_WEAK_PASSWORD and the message
 * "Password must be at least 8 characters" (the server's wire text, kept
 * untranslated here because the server sends it; the app translates its
 * own copy) when @password is NULL, not valid UTF-8, or too short. */
gboolean ba_password_policy_check (const char  *password,
                                   GError     **error);

G_END_DECLS
