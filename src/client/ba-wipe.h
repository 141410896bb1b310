/* ba-wipe.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <string.h>

#include <glib.h>
#include <sodium.h>

G_BEGIN_DECLS

/* Frees a string that held a secret (token, password, hex key) after
 * overwriting it, so it does not linger in freed heap memory. */
static inline void
ba_wipe_string_free (char *str)
{
  if (str == NULL)
    return;

  sodium_memzero (str, strlen (str));
  g_free (str);
}

typedef char BaSecretString;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaSecretString, ba_wipe_string_free)

G_END_DECLS
