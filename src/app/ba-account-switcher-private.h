/* ba-account-switcher-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-account-switcher.h"

G_BEGIN_DECLS

/* The instance struct, shared with the UI tests. */
struct _BaAccountSwitcher
{
  AdwBin            parent_instance;

  GtkMenuButton    *menu_button;
  GtkPopover       *popover;
  GtkListBox       *list_box;
  GtkButton        *add_button;

  /* Owned references */
  BaSecretStore    *secret_store;
  BaVault          *vault;
  GCancellable     *cancellable;
  GPtrArray        *accounts;       /* BaVaultAccount, as listed */
  char             *current_id;

  AdwMessageDialog *logout_dialog;  /* weak, while it is open */
  guint             loaded : 1;     /* the list has been read at least once */
  guint             for_login : 1;  /* the login page's variant */
};

G_END_DECLS
