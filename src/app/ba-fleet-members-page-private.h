/* ba-fleet-members-page-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-fleet-members-page.h"

G_BEGIN_DECLS

/* The instance struct, shared with the UI tests. Each member row carries
 * its controls as object data: "ba-role-dropdown" (GtkDropDown, only for
 * administrators), "ba-remove-button" (GtkButton, when offered) and
 * "ba-member" (BaFleetMember); each invite row "ba-revoke-button". */
struct _BaFleetMembersPage
{
  AdwBin                parent_instance;

  /* Widgets */
  GtkLabel             *title_label;
  GtkLabel             *subtitle_label;
  GtkButton            *back_button;
  GtkButton            *add_button;
  GtkButton            *invite_button;
  AdwPreferencesGroup  *members_group;
  GtkStack             *members_stack;     /* "loading", "list", "error" */
  GtkListBox           *members_list;
  GtkLabel             *members_error;
  AdwPreferencesGroup  *invites_group;
  GtkListBox           *invites_list;

  /* The add/invite window while it is open */
  AdwWindow            *dialog;
  AdwEntryRow          *dialog_entry;
  AdwComboRow          *dialog_role;
  AdwEntryRow          *dialog_message;
  GtkLabel             *dialog_error;
  GtkButton            *dialog_confirm;
  gboolean              dialog_invites;
  gboolean              dialog_busy;

  /* The remove confirmation while it is open */
  AdwMessageDialog     *remove_dialog;

  /* Owned references */
  BaAccount            *account;
  BaFleet              *fleet;
  GListModel           *roles;
  GListStore           *members;
  GListStore           *invites;
  GCancellable         *cancellable;

  guint                 pending;           /* requests in flight, for tests */
};

G_END_DECLS
