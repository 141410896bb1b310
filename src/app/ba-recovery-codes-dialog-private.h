/* ba-recovery-codes-dialog-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-recovery-codes-dialog.h"

G_BEGIN_DECLS

/* The instance struct, shared with the UI tests. */
struct _BaRecoveryCodesDialog
{
  AdwWindow             parent_instance;

  AdwToastOverlay      *toast_overlay;
  GtkLabel             *codes_label;
  GtkButton            *copy_button;
  GtkButton            *save_button;
  GtkButton            *print_button;
  GtkCheckButton       *saved_check;
  GtkButton            *close_button;

  char                **codes;      /* wiped on dispose */
  GtkFileChooserNative *chooser;
  GCancellable         *cancellable;
  AdwToast             *toast;
  gint64                toast_added_at;   /* monotonic */

  guint                 saved_to_file : 1;
};

G_END_DECLS
