/* ba-fleet-invite.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define BA_TYPE_FLEET_INVITE (ba_fleet_invite_get_type ())

G_DECLARE_FINAL_TYPE (BaFleetInvite, ba_fleet_invite, BA, FLEET_INVITE, GObject)

/* One pending invite to a fleet (invitee__is_invited_to__application):
 * the invite id, the invited address, the role it grants and the message
 * (NULL when none). Never holds the invitation token. */
BaFleetInvite *ba_fleet_invite_new           (gint64      id,
                                              const char *email,
                                              gint64      role_id,
                                              const char *role_name,
                                              const char *message);

gint64         ba_fleet_invite_get_id        (BaFleetInvite *self);
const char *   ba_fleet_invite_get_email     (BaFleetInvite *self);
gint64         ba_fleet_invite_get_role_id   (BaFleetInvite *self);
const char *   ba_fleet_invite_get_role_name (BaFleetInvite *self);
const char *   ba_fleet_invite_get_message   (BaFleetInvite *self);

G_END_DECLS
