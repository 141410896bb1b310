/* ba-browser-login-dialog.h
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

#define BA_TYPE_BROWSER_LOGIN_DIALOG (ba_browser_login_dialog_get_type ())

G_DECLARE_FINAL_TYPE (BaBrowserLoginDialog, ba_browser_login_dialog, BA, BROWSER_LOGIN_DIALOG, AdwWindow)

/* The waiting state of a browser login (BaBrowserLogin): opens the
 * dashboard in the browser, shows the link to copy should no browser
 * open, and waits until the dashboard hands over the session, the user
 * cancels (Cancel, Escape or closing the window) or the time runs out.
 * Emits "logged-in" (BaAccount *) and closes on success; shows the error
 * with Try Again otherwise. */
BaBrowserLoginDialog *ba_browser_login_dialog_new   (GtkWindow     *parent,
                                                     const char    *api_url,
                                                     const char    *dashboard_url,
                                                     BaSecretStore *secret_store,
                                                     BaVault       *vault);

/* Starts listening and opens the browser (again, after an error). */
void                  ba_browser_login_dialog_start (BaBrowserLoginDialog *self);

G_END_DECLS
