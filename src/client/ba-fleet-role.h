/* ba-fleet-role.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define BA_TYPE_FLEET_ROLE (ba_fleet_role_get_type ())

G_DECLARE_FINAL_TYPE (BaFleetRole, ba_fleet_role, BA, FLEET_ROLE, GObject)

/* One application_membership_role: id, name ("developer", "operator",
 * "observer") and the server's description of what it may do. */
BaFleetRole *ba_fleet_role_new             (gint64      id,
                                            const char *name,
                                            const char *description);

gint64       ba_fleet_role_get_id          (BaFleetRole *self);
const char  *ba_fleet_role_get_name        (BaFleetRole *self);
const char  *ba_fleet_role_get_description (BaFleetRole *self);

G_END_DECLS
