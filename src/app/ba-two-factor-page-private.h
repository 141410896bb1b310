/* ba-two-factor-page-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-recovery-codes-dialog.h"
#include "ba-two-factor-page.h"

G_BEGIN_DECLS

/* The instance struct, shared with the UI tests. */
struct _BaTwoFactorPage
{
  AdwBin                 parent_instance;

  AdwActionRow          *status_row;
  GtkButton             *enable_button;
  GtkButton             *disable_button;
  GtkWidget             *setup_box;
  GtkPicture            *qr_picture;
  AdwActionRow          *key_row;
  GtkButton             *copy_key_button;
  AdwEntryRow           *code_row;
  GtkLabel              *code_error_label;
  GtkSpinner            *code_spinner;
  GtkButton             *cancel_setup_button;
  AdwPreferencesGroup   *recovery_group;
  AdwActionRow          *recovery_row;
  GtkButton             *regenerate_button;

  BaAccount             *account;
  gulong                 session_handler;
  GCancellable          *cancellable;
  char                  *setup_key;        /* base32, wiped */
  AdwMessageDialog      *password_dialog;  /* weak, while open */
  BaRecoveryCodesDialog *codes_dialog;     /* weak, while open */

  guint                  busy : 1;
};

G_END_DECLS
