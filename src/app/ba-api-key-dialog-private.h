/* ba-api-key-dialog-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-api-key-dialog.h"

G_BEGIN_DECLS

/* The instance struct, shared with the UI tests. */
struct _BaApiKeyDialog
{
  AdwWindow         parent_instance;

  /* Template widgets */
  AdwToastOverlay  *toast_overlay;
  AdwWindowTitle   *window_title;
  GtkButton        *cancel_button;
  GtkButton        *create_button;
  GtkSpinner       *spinner;
  GtkButton        *done_button;
  GtkStack         *stack;
  AdwEntryRow      *name_row;
  GtkLabel         *name_counter;
  AdwEntryRow      *description_row;
  GtkLabel         *description_counter;
  AdwComboRow      *expiry_row;
  AdwPreferencesGroup *calendar_group;
  GtkCalendar      *calendar;
  AdwPreferencesGroup *password_group;
  AdwPasswordEntryRow *password_row;
  GtkLabel         *error_label;
  GtkLabel         *warning_label;
  GtkLabel         *key_label;
  GtkButton        *copy_button;
  GtkButton        *save_button;

  /* Owned references */
  BaAccount        *account;
  BaApiKey         *key;            /* the key being edited, or NULL */
  GCancellable     *cancellable;
  char             *secret;         /* the created key, wiped on close */
  GtkFileChooserNative *chooser;
  AdwToast         *toast;          /* the last one shown */

  /* Borrowed references */
  AdwMessageDialog *close_dialog;   /* weak, while it is open */

  guint             busy : 1;
  guint             copied : 1;
  guint             saved : 1;
  guint             closing : 1;
  guint             name_touched : 1; /* the name row had text once */
};

G_END_DECLS
