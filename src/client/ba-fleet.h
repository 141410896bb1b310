/* ba-fleet.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define BA_TYPE_FLEET (ba_fleet_get_type ())

G_DECLARE_FINAL_TYPE (BaFleet, ba_fleet, BA, FLEET, GObject)

/* One fleet the user reaches (account-api.md section 12): its id, name
 * (app_name), slug, organization, device counts and the user's role in it:
 * "administrator" when they administer the fleet's organization, else their
 * fleet role ("developer", "operator", "observer"), or NULL when unknown.
 * Immutable: a sync replaces changed fleets with new objects. */
BaFleet    *ba_fleet_new                     (gint64      id,
                                              const char *name,
                                              const char *slug,
                                              const char *organization_name,
                                              const char *organization_handle,
                                              guint       device_count,
                                              guint       online_count,
                                              const char *role);

gint64      ba_fleet_get_id                  (BaFleet *self);
const char *ba_fleet_get_name                (BaFleet *self);
const char *ba_fleet_get_slug                (BaFleet *self);
const char *ba_fleet_get_organization_name   (BaFleet *self);
const char *ba_fleet_get_organization_handle (BaFleet *self);
guint       ba_fleet_get_device_count        (BaFleet *self);
guint       ba_fleet_get_online_count        (BaFleet *self);
const char *ba_fleet_get_role                (BaFleet *self);

/* TRUE when the user administers the fleet's organization: only then may
 * they add, change and remove members and invite (section 11). */
gboolean    ba_fleet_can_manage_members      (BaFleet *self);

G_END_DECLS
