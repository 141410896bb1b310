/* ba-account-details.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ba-account.h"

G_BEGIN_DECLS

#define BA_TYPE_ACCOUNT_DETAILS (ba_account_details_get_type ())

G_DECLARE_FINAL_TYPE (BaAccountDetails, ba_account_details, BA, ACCOUNT_DETAILS, AdwBin)

/* The lifecycle part of the Account details tab: the email's verification
 * (resend, paste the code or link), first and last name and company
 * (editable), whether a password is set (set or change it), and deleting
 * the account. It reads the user_profile once the account is ONLINE. */
void ba_account_details_set_account (BaAccountDetails *self,
                                     BaAccount        *account);

G_END_DECLS
