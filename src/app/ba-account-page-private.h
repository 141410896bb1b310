/* ba-account-page-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-account-details.h"
#include "ba-account-page.h"
#include "ba-fleets-page.h"
#include "ba-tokens-page.h"

G_BEGIN_DECLS

/* The instance struct, shared with the UI tests. */
struct _BaAccountPage
{
  AdwBin                parent_instance;

  /* Template widgets */
  AdwHeaderBar         *header_bar;      /* the window adds the account switcher */
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar   *switcher_bar;
  AdwViewStack         *view_stack;
  GtkRevealer          *notice_revealer;
  GtkWidget            *notice_box;
  GtkLabel             *notice_label;
  GtkButton            *notice_button;
  GtkLabel             *notice_button_label;
  GtkSpinner           *notice_spinner;
  AdwAvatar            *avatar;
  GtkLabel             *name_label;
  GtkLabel             *caption_label;
  AdwActionRow         *username_row;
  AdwActionRow         *email_row;
  AdwActionRow         *server_row;
  AdwPreferencesGroup  *session_group;
  AdwActionRow         *issued_row;
  AdwActionRow         *expires_row;
  GtkLabel             *expires_relative_label;
  GtkButton            *logout_button;
  AdwViewStackPage     *tokens_stack_page;
  BaTokensPage         *tokens_page;
  BaAccountDetails     *account_details;
  AdwViewStackPage     *fleets_stack_page;
  BaFleetsPage         *fleets_page;

  /* Owned references */
  BaAccount            *account;
  GSignalGroup         *account_signals;
  GCancellable         *cancellable;

  /* Borrowed references */
  AdwMessageDialog     *logout_dialog;   /* weak, while it is open */

  guint                 clock_source;
  guint                 retrying : 1;
  guint                 logging_out : 1;
};

G_END_DECLS
