/* ba-login-page.h
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

#define BA_TYPE_LOGIN_PAGE (ba_login_page_get_type ())

G_DECLARE_FINAL_TYPE (BaLoginPage, ba_login_page, BA, LOGIN_PAGE, AdwBin)

/* The login form. It logs in by itself with ba_account_login_async() and
 * emits "logged-in" (BaAccount *) on success; "back" asks to return to the
 * cached account when the page was opened to log in again. */
void ba_login_page_set_storage                (BaLoginPage   *self,
                                               BaSecretStore *secret_store,
                                               BaVault       *vault);
void ba_login_page_set_keyring_notice_visible (BaLoginPage   *self,
                                               gboolean       visible);
void ba_login_page_reset                      (BaLoginPage   *self,
                                               const char    *server_url,
                                               const char    *username,
                                               gboolean       can_go_back);
void ba_login_page_focus                      (BaLoginPage   *self);
/* The server chosen in the form (NULL when a custom address is still
 * empty) and what is in the username field, for the sign-up and
 * password-reset pages. */
char *ba_login_page_dup_server_url            (BaLoginPage   *self);
char *ba_login_page_dup_username              (BaLoginPage   *self);

G_END_DECLS
