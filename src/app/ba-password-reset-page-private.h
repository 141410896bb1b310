/* ba-password-reset-page-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-password-reset-page.h"

G_BEGIN_DECLS

/* The instance struct, shared with the UI tests. */
struct _BaPasswordResetPage
{
  AdwBin               parent_instance;

  /* Template widgets */
  GtkStack            *stack;           /* "request", "complete" */
  AdwEntryRow         *email_row;
  GtkLabel            *request_error_label;
  GtkButton           *send_button;
  GtkSpinner          *send_spinner;
  GtkLabel            *sent_label;
  AdwEntryRow         *token_row;
  AdwPasswordEntryRow *password_row;
  AdwPasswordEntryRow *confirm_row;
  GtkLevelBar         *strength_bar;
  GtkLabel            *strength_label;
  GtkLabel            *complete_error_label;
  GtkButton           *reset_button;
  GtkSpinner          *reset_spinner;
  GtkWidget           *dashboard_button;

  /* Owned references */
  char                *server_url;
  GCancellable        *cancellable;
  BaSecretStore       *secret_store;
  BaVault             *vault;

  guint                busy : 1;
};

G_END_DECLS
