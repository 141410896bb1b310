/* ba-login-extras.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ba-balenarc.h"
#include "ba-secret-store.h"
#include "ba-vault.h"

G_BEGIN_DECLS

#define BA_TYPE_LOGIN_EXTRAS (ba_login_extras_get_type ())

G_DECLARE_FINAL_TYPE (BaLoginExtras, ba_login_extras, BA, LOGIN_EXTRAS, AdwBin)

/* Returns the server the login form has chosen (a new string), or NULL
 * when none is filled in yet. */
typedef char *(*BaLoginServerFunc) (gpointer user_data);

/* The other ways in, below the password form: "Log In with Browser"
 * (GitHub, Google, SSO), "Log In with a Token", and the balena CLI's own
 * login when ~/.balena/token exists. It reads the balena CLI's settings
 * (BALENARC_* and ~/.balenarc.yml) at start and emits "server-suggested"
 * (const char *url) when they name a server, so the form can preselect
 * it. Emits "logged-in" (BaAccount *) like BaLoginPage. */
void              ba_login_extras_set_storage     (BaLoginExtras     *self,
                                                   BaSecretStore     *secret_store,
                                                   BaVault           *vault);
void              ba_login_extras_set_server_func (BaLoginExtras     *self,
                                                   BaLoginServerFunc  func,
                                                   gpointer           user_data);
void              ba_login_extras_set_sensitive   (BaLoginExtras     *self,
                                                   gboolean           sensitive);

/* The balena CLI settings, or NULL until they are read. */
const BaBalenarc *ba_login_extras_get_settings    (BaLoginExtras     *self);

/* The dashboard to log in through for @api_url: the CLI's dashboardUrl
 * when @api_url is the CLI's server, else as the CLI derives it. */
char             *ba_login_extras_dup_dashboard_url (BaLoginExtras   *self,
                                                     const char      *api_url);

G_END_DECLS
