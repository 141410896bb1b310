/* ba-fleets-page-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-fleet-members-page.h"
#include "ba-fleets-page.h"

G_BEGIN_DECLS

/* The instance struct, shared with the UI tests. */
struct _BaFleetsPage
{
  AdwBin               parent_instance;

  /* Widgets */
  GtkStack            *stack;          /* "fleets", "members" */
  GtkStack            *list_stack;     /* "list", "empty" */
  GtkListBox          *list_box;
  AdwStatusPage       *empty_page;
  BaFleetMembersPage  *members_page;

  /* Owned references */
  BaAccount           *account;
  GSignalGroup        *account_signals;
  GCancellable        *cancellable;

  BaAccountState       last_state;
  guint                syncing : 1;
};

G_END_DECLS
