/* ba-identity.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Who a credential belongs to, as /actor/v1/whoami answers it. Note the
 * two ids: the actor id (used to filter API keys) and the user id. */
typedef struct
{
  gint64  user_id;
  gint64  actor_id;
  char   *username;
  char   *email;      /* may be NULL */
} BaIdentity;

#define BA_TYPE_IDENTITY (ba_identity_get_type ())

GType       ba_identity_get_type (void) G_GNUC_CONST;
BaIdentity *ba_identity_copy     (const BaIdentity *identity);
void        ba_identity_free     (BaIdentity       *identity);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaIdentity, ba_identity_free)

G_END_DECLS
