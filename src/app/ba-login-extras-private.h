/* ba-login-extras-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-browser-login-dialog.h"
#include "ba-login-extras.h"
#include "ba-token-login-dialog.h"

G_BEGIN_DECLS

/* The instance struct, shared with the UI tests. */
struct _BaLoginExtras
{
  AdwBin                parent_instance;

  /* Template widgets */
  GtkButton            *browser_button;
  GtkButton            *token_button;
  GtkLabel             *error_label;
  GtkRevealer          *cli_revealer;
  GtkLabel             *cli_label;
  GtkButton            *cli_button;
  GtkSpinner           *cli_spinner;

  /* Owned references */
  BaSecretStore        *secret_store;
  BaVault              *vault;
  BaBalenarc           *settings;
  GCancellable         *cancellable;

  /* The dialog last opened, while it is open (not owned). */
  BaBrowserLoginDialog *browser_dialog;
  BaTokenLoginDialog   *token_dialog;

  BaLoginServerFunc     server_func;
  gpointer              server_func_data;

  guint                 cli_busy : 1;
};

G_END_DECLS
