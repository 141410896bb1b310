/* ba-sign-up-page.h
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

#define BA_TYPE_SIGN_UP_PAGE (ba_sign_up_page_get_type ())

G_DECLARE_FINAL_TYPE (BaSignUpPage, ba_sign_up_page, BA, SIGN_UP_PAGE, AdwBin)

/* The sign-up form: email, optional username, password with the
 * 8-character rule and a strength hint, confirmation. It signs up by
 * itself with ba_account_sign_up_async() and emits "signed-up"
 * (BaAccount *); "back" returns to the login page. */
void ba_sign_up_page_set_storage (BaSignUpPage  *self,
                                  BaSecretStore *secret_store,
                                  BaVault       *vault);
/* Empties the form for a sign-up on @server_url. */
void ba_sign_up_page_reset       (BaSignUpPage  *self,
                                  const char    *server_url);

G_END_DECLS
