/* ba-password-reset-page.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ba-secret-store.h"
#include "ba-vault.h"

G_BEGIN_DECLS

#define BA_TYPE_PASSWORD_RESET_PAGE (ba_password_reset_page_get_type ())

G_DECLARE_FINAL_TYPE (BaPasswordResetPage, ba_password_reset_page, BA, PASSWORD_RESET_PAGE, AdwBin)

/* "Forgot password?": asks for the email, says the mail is on its way
 * whatever the answer, then takes the code or the whole link from the
 * mail and a new password, and logs in: "logged-in" (BaAccount *).
 * "back" returns to the login page. */
void ba_password_reset_page_set_storage (BaPasswordResetPage *self,
                                         BaSecretStore       *secret_store,
                                         BaVault             *vault);
/* Starts over for @server_url, with @email (nullable) filled in. */
void ba_password_reset_page_reset       (BaPasswordResetPage *self,
                                         const char          *server_url,
                                         const char          *email);

G_END_DECLS
