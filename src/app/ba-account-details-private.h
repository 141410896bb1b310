/* ba-account-details-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-account-details.h"
#include "ba-account-lifecycle.h"
#include "ba-password-dialog.h"

G_BEGIN_DECLS

/* The instance struct, shared with the UI tests. */
struct _BaAccountDetails
{
  AdwBin            parent_instance;

  /* Template widgets */
  GtkWidget        *status_box;
  GtkLabel         *status_label;
  GtkButton        *retry_button;
  GtkWidget        *dashboard_button;
  AdwPreferencesGroup *verify_group;
  GtkButton        *resend_button;
  AdwEntryRow      *code_row;
  GtkLabel         *verify_error_label;
  AdwPreferencesGroup *details_group;
  AdwActionRow     *verified_row;
  AdwEntryRow      *first_name_row;
  AdwEntryRow      *last_name_row;
  AdwEntryRow      *company_row;
  AdwPreferencesGroup *password_group;
  AdwActionRow     *password_row;
  GtkButton        *password_button;
  AdwPreferencesGroup *delete_group;
  GtkButton        *delete_button;

  /* Owned references */
  BaAccount        *account;
  BaUserProfile    *profile;      /* NULL until read */
  GCancellable     *cancellable;
  gulong            state_handler;

  /* Borrowed references, while they are open */
  AdwMessageDialog *delete_dialog;
  AdwPasswordEntryRow *delete_password_row;
  BaPasswordDialog *password_dialog;

  guint             loading : 1;
  guint             fresh : 1;        /* the profile came from the server */
  guint             busy : 1;
};

G_END_DECLS
