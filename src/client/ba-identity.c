/* ba-identity.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-identity"

#include "config.h"

#include "ba-identity.h"

G_DEFINE_BOXED_TYPE (BaIdentity, ba_identity, ba_identity_copy, ba_identity_free)

BaIdentity *
ba_identity_copy (const BaIdentity *identity)
{
  BaIdentity *copy;

  g_return_val_if_fail (identity != NULL, NULL);

  copy = g_new0 (BaIdentity, 1);
  copy->user_id = identity->user_id;
  copy->actor_id = identity->actor_id;
  copy->username = g_strdup (identity->username);
  copy->email = g_strdup (identity->email);

  return copy;
}

void
ba_identity_free (BaIdentity *identity)
{
  if (identity == NULL)
    return;

  g_free (identity->username);
  g_free (identity->email);
  g_free (identity);
}
