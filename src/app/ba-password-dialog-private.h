/* ba-password-dialog-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-password-dialog.h"

G_BEGIN_DECLS

/* The instance struct, shared with the UI tests. */
struct _BaPasswordDialog
{
  AdwWindow            parent_instance;

  /* Template widgets */
  AdwWindowTitle      *window_title;
  GtkButton           *save_button;
  GtkSpinner          *save_spinner;
  GtkLabel            *description_label;
  AdwPasswordEntryRow *current_row;
  AdwPasswordEntryRow *new_row;
  AdwPasswordEntryRow *confirm_row;
  GtkLevelBar         *strength_bar;
  GtkLabel            *strength_label;
  GtkLabel            *error_label;
  GtkWidget           *dashboard_button;

  /* Owned references */
  BaAccount           *account;
  GCancellable        *cancellable;

  guint                has_password : 1;
  guint                busy : 1;
};

G_END_DECLS
