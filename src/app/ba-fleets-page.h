/* ba-fleets-page.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ba-account.h"

G_BEGIN_DECLS

#define BA_TYPE_FLEETS_PAGE (ba_fleets_page_get_type ())

G_DECLARE_FINAL_TYPE (BaFleetsPage, ba_fleets_page, BA, FLEETS_PAGE, AdwBin)

/* The "Fleets" tab: the fleets the user reaches with their organization,
 * devices online / total and the user's role (from the vault at once,
 * then from the server each time the account is confirmed online), and
 * a fleet's members on activation (BaFleetMembersPage). */
BaAccount *ba_fleets_page_get_account (BaFleetsPage *self);
void       ba_fleets_page_set_account (BaFleetsPage *self,
                                       BaAccount    *account);

G_END_DECLS
