/* ba-two-factor-page.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ba-account.h"

G_BEGIN_DECLS

#define BA_TYPE_TWO_FACTOR_PAGE (ba_two_factor_page_get_type ())

G_DECLARE_FINAL_TYPE (BaTwoFactorPage, ba_two_factor_page, BA, TWO_FACTOR_PAGE, AdwBin)

/* The Two-factor tab of the account page: the status; enabling with a QR
 * code, the setup key and a pairing code; the recovery codes (how many
 * are left, regenerate with the password); disabling with the password. */
GtkWidget *ba_two_factor_page_new         (void);
void       ba_two_factor_page_set_account (BaTwoFactorPage *self,
                                           BaAccount       *account);

G_END_DECLS
