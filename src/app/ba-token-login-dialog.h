/* ba-token-login-dialog.h
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

#define BA_TYPE_TOKEN_LOGIN_DIALOG (ba_token_login_dialog_get_type ())

G_DECLARE_FINAL_TYPE (BaTokenLoginDialog, ba_token_login_dialog, BA, TOKEN_LOGIN_DIALOG, AdwWindow)

/* "Log in with a token", like balena login --token: a session token or an
 * API key is pasted, checked with the server (whoami), then kept like any
 * login. Says up front what an API key cannot do. Emits "logged-in"
 * (BaAccount *) and closes on success. */
BaTokenLoginDialog *ba_token_login_dialog_new (GtkWindow     *parent,
                                               const char    *api_url,
                                               BaSecretStore *secret_store,
                                               BaVault       *vault);

G_END_DECLS
