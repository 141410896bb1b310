/* ba-account-switcher.h
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

#define BA_TYPE_ACCOUNT_SWITCHER (ba_account_switcher_get_type ())

G_DECLARE_FINAL_TYPE (BaAccountSwitcher, ba_account_switcher, BA, ACCOUNT_SWITCHER, AdwBin)

/* The account switcher in the header: a menu button listing every saved
 * account (username and server, the current one checked), each other
 * account with its own Log Out, and Add Account. Signals:
 * "switch-account" (const char *account_id), "add-account", and
 * "account-removed" (const char *account_id) after another account was
 * logged out here (its keyring item and vault rows are gone). Hidden
 * without a vault (session-only mode keeps one account in memory). */
void ba_account_switcher_set_storage (BaAccountSwitcher *self,
                                      BaSecretStore     *secret_store,
                                      BaVault           *vault);
void ba_account_switcher_set_current (BaAccountSwitcher *self,
                                      const char        *account_id);
void ba_account_switcher_reload      (BaAccountSwitcher *self);

/* The login page's variant: no Add Account (the login page is where it
 * leads), the current account's row switches back to it too, and the
 * switcher shows only while there are saved accounts. */
void ba_account_switcher_set_for_login (BaAccountSwitcher *self,
                                        gboolean           for_login);

G_END_DECLS
