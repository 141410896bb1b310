/* ba-tokens-page-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-api-key-dialog.h"
#include "ba-tokens-page.h"

G_BEGIN_DECLS

/* The instance struct, shared with the UI tests. */
struct _BaTokensPage
{
  AdwBin                parent_instance;

  /* Template widgets */
  AdwActionRow         *token_row;
  GtkToggleButton      *reveal_button;
  GtkButton            *copy_token_button;
  GtkButton            *refresh_button;
  GtkStack             *refresh_stack;
  GtkSpinner           *refresh_spinner;
  AdwActionRow         *issued_row;
  AdwActionRow         *expires_row;
  GtkToggleButton      *select_button;
  GtkButton            *edit_button;
  GtkButton            *revoke_button;
  GtkButton            *create_button;
  GtkStack             *list_stack;
  GtkColumnView        *column_view;
  GtkColumnViewColumn  *check_column;
  GtkColumnViewColumn  *name_column;
  GtkColumnViewColumn  *created_column;
  GtkColumnViewColumn  *description_column;
  GtkColumnViewColumn  *expiry_column;
  AdwStatusPage        *empty_page;

  /* Owned references */
  BaAccount            *account;
  GSignalGroup         *account_signals;
  GCancellable         *cancellable;
  GtkMultiSelection    *selection;
  GPtrArray            *expiry_items;   /* the bound Expires cells, borrowed */

  /* Borrowed references, weak while they are open */
  BaApiKeyDialog       *dialog;
  AdwMessageDialog     *revoke_dialog;

  BaAccountState        last_state;
  guint                 tick_seconds;   /* how often the times are redone */
  guint                 tick_source;    /* while mapped */
  guint                 refreshing : 1;
  guint                 revoking : 1;
  guint                 syncing : 1;
  guint                 token_shown : 1;   /* the row's label holds the token */
  guint                 narrow : 1;        /* allocated less than NARROW_WIDTH */
};

G_END_DECLS
