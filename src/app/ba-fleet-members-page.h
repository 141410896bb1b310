/* ba-fleet-members-page.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ba-account.h"
#include "ba-fleet.h"

G_BEGIN_DECLS

#define BA_TYPE_FLEET_MEMBERS_PAGE (ba_fleet_members_page_get_type ())

G_DECLARE_FINAL_TYPE (BaFleetMembersPage, ba_fleet_members_page, BA, FLEET_MEMBERS_PAGE, AdwBin)

/* One fleet's members and pending invites. Administrators of the fleet's
 * organization get a role drop-down per member (with the roles'
 * descriptions), Remove (confirmed), Add Member… (username or email and a
 * role), Invite… and Revoke; everyone else sees the list, and may leave.
 * Emits "back-requested" when the user asks to go back to the fleets. */
BaFleetMembersPage *ba_fleet_members_page_new       (void);
void                ba_fleet_members_page_set_fleet (BaFleetMembersPage *self,
                                                     BaAccount          *account,
                                                     BaFleet            *fleet);
BaFleet            *ba_fleet_members_page_get_fleet (BaFleetMembersPage *self);

G_END_DECLS
