/* ba-token-login-dialog-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-token-login-dialog.h"

G_BEGIN_DECLS

/* The instance struct, shared with the UI tests. */
struct _BaTokenLoginDialog
{
  AdwWindow            parent_instance;

  /* Template widgets */
  AdwPasswordEntryRow *token_row;
  GtkLabel            *server_label;
  GtkLabel            *error_label;
  GtkButton           *login_button;
  GtkSpinner          *spinner;

  /* Owned references */
  BaSecretStore       *secret_store;
  BaVault             *vault;
  GCancellable        *cancellable;
  char                *api_url;

  guint                busy : 1;
};

G_END_DECLS
