/* ba-account-page.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ba-account.h"

G_BEGIN_DECLS

#define BA_TYPE_ACCOUNT_PAGE (ba_account_page_get_type ())

G_DECLARE_FINAL_TYPE (BaAccountPage, ba_account_page, BA, ACCOUNT_PAGE, AdwBin)

/* The signed-in account, one tab per feature (AdwViewStack). It follows
 * the BaAccount's properties, retries an offline account, and logs out
 * after asking. Signals: "logged-out" once the token and cached data are
 * gone, "login-requested" when the session expired and the user wants to
 * log in again. */
BaAccount *ba_account_page_get_account (BaAccountPage *self);
void       ba_account_page_set_account (BaAccountPage *self,
                                        BaAccount     *account);

G_END_DECLS
