/* ba-fleet-member.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define BA_TYPE_FLEET_MEMBER (ba_fleet_member_get_type ())

G_DECLARE_FINAL_TYPE (BaFleetMember, ba_fleet_member, BA, FLEET_MEMBER, GObject)

/* One user_application_membership row (section 11): the membership id,
 * the member's user id and username, and their fleet role. Immutable: a
 * role change replaces the object in the list. */
BaFleetMember *ba_fleet_member_new           (gint64      id,
                                              gint64      user_id,
                                              const char *username,
                                              gint64      role_id,
                                              const char *role_name);

gint64         ba_fleet_member_get_id        (BaFleetMember *self);
gint64         ba_fleet_member_get_user_id   (BaFleetMember *self);
const char *   ba_fleet_member_get_username  (BaFleetMember *self);
gint64         ba_fleet_member_get_role_id   (BaFleetMember *self);
const char *   ba_fleet_member_get_role_name (BaFleetMember *self);

G_END_DECLS
