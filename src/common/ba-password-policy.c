/* ba-password-policy.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-password-policy"

#include "config.h"

#include "ba-error.h"
#include "ba-password-policy.h"

gboolean
ba_password_policy_check (const char  *password,
                          GError     **error)
{
  /* NULL and invalid UTF-8 get the same message as a short password: the
   * server answers them all with the same wire text, and the user can only
   * fix them the same way. */
  if (password == NULL ||
      !g_utf8_validate (password, -1, NULL) ||
      g_utf8_strlen (password, -1) < BA_PASSWORD_MIN_LENGTH)
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_WEAK_PASSWORD,
                           "Password must be at least 8 characters");
      return FALSE;
    }

  return TRUE;
}
