/* ba-password-strength.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How strong a new password looks, from libpwquality as GNOME Settings
 * uses it. Only a hint: the one rule the server enforces is 8 characters
 * (ba-password-policy.h), which TOO_SHORT reflects. */
typedef enum
{
  BA_PASSWORD_STRENGTH_EMPTY,
  BA_PASSWORD_STRENGTH_TOO_SHORT,   /* fewer than 8 characters: refused */
  BA_PASSWORD_STRENGTH_WEAK,        /* accepted, but easy to guess */
  BA_PASSWORD_STRENGTH_FAIR,
  BA_PASSWORD_STRENGTH_GOOD,
  BA_PASSWORD_STRENGTH_STRONG,
} BaPasswordStrength;

/* Rates @password; @username and @email (both nullable) count against it
 * when it contains them. @out_hint (nullable) gets a translated sentence
 * for the user. */
BaPasswordStrength ba_password_strength_check (const char  *password,
                                               const char  *username,
                                               const char  *email,
                                               char       **out_hint);

/* The same grading without libpwquality (a build without it uses this):
 * length, character variety, repeats, and the user's name or email. */
BaPasswordStrength ba_password_strength_check_basic (const char  *password,
                                                     const char  *username,
                                                     const char  *email,
                                                     char       **out_hint);

G_END_DECLS
