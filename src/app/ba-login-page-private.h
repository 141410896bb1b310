/* ba-login-page-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-login-extras.h"
#include "ba-login-page.h"

G_BEGIN_DECLS

/* Positions in the server combo row's model. */
enum
{
  BA_LOGIN_SERVER_BALENA_CLOUD,
  BA_LOGIN_SERVER_CUSTOM,
};

/* The instance struct, shared with the UI tests. */
struct _BaLoginPage
{
  AdwBin               parent_instance;

  /* Template widgets */
  AdwHeaderBar        *header_bar;    /* the window adds an account switcher */
  GtkButton           *back_button;
  GtkImage            *app_icon;
  GtkRevealer         *keyring_revealer;
  GtkScrolledWindow   *scrolled_window;
  AdwComboRow         *server_row;
  AdwEntryRow         *server_url_row;
  AdwEntryRow         *username_row;
  AdwPasswordEntryRow *password_row;
  GtkLabel            *error_label;
  GtkButton           *login_button;  /* Cancel while a login runs */
  GtkLabel            *login_label;
  GtkSpinner          *login_spinner;
  GtkWidget           *demo_hint_box;
  GtkLabel            *demo_hint_label;     /* a free-form hint only */
  GtkWidget           *demo_grid;
  GtkWidget           *demo_email_caption;
  GtkLabel            *demo_email_label;
  GtkWidget           *demo_username_caption;
  GtkLabel            *demo_username_label;
  GtkLabel            *demo_password_label;
  GtkButton           *demo_fill_button;
  BaLoginExtras       *extras;        /* browser, token and balena CLI logins */

  /* Owned references */
  GSettings           *settings;
  GCancellable        *cancellable;
  BaSecretStore       *secret_store;
  BaVault             *vault;         /* NULL in session-only mode */

  /* After "too many attempts" with a Retry-After: Log In stays off for
   * this server and username until wait_until (real time, µs), and the
   * message counts down. */
  char                *wait_server_url;
  char                *wait_username;
  gint64               wait_until;
  guint                wait_source;

  guint                error_tick;    /* brings the error label into view */
  guint                error_ticks;

  guint                busy : 1;
  guint                showing_wait : 1;  /* the error label counts down */
};

G_END_DECLS
