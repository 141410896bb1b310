/* ba-challenge-page-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-challenge-page.h"

G_BEGIN_DECLS

/* The instance struct, shared with the UI tests. */
struct _BaChallengePage
{
  AdwBin            parent_instance;

  GtkButton        *back_button;
  GtkLabel         *title_label;
  GtkLabel         *description_label;
  AdwEntryRow      *code_row;
  GtkLabel         *error_label;
  GtkButton        *verify_button;
  GtkSpinner       *spinner;
  GtkButton        *switch_button;

  BaLoginPage      *login_page;    /* weak: the page this one stands in */
  BaLoginChallenge *challenge;
  GCancellable     *cancellable;

  guint             recovery_mode : 1;
  guint             busy : 1;
};

G_END_DECLS
