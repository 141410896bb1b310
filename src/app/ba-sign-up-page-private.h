/* ba-sign-up-page-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-sign-up-page.h"

G_BEGIN_DECLS

/* The instance struct, shared with the UI tests. */
struct _BaSignUpPage
{
  AdwBin               parent_instance;

  /* Template widgets */
  GtkLabel            *server_label;
  AdwEntryRow         *email_row;
  AdwEntryRow         *username_row;
  AdwPasswordEntryRow *password_row;
  GtkLevelBar         *strength_bar;
  GtkLabel            *strength_label;
  AdwPasswordEntryRow *confirm_row;
  GtkLabel            *error_label;
  GtkWidget           *dashboard_button;
  GtkButton           *create_button;
  GtkSpinner          *create_spinner;

  /* Owned references */
  char                *server_url;
  GCancellable        *cancellable;
  BaSecretStore       *secret_store;
  BaVault             *vault;

  guint                busy : 1;
};

G_END_DECLS
