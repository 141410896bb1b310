/* ba-browser-login-dialog-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-browser-login.h"
#include "ba-browser-login-dialog.h"

G_BEGIN_DECLS

/* How the dialog opens a URL; the UI tests replace it so no real browser
 * starts. It must call back with ba_browser_login_dialog_uri_opened(). */
typedef void (*BaOpenUriFunc) (BaBrowserLoginDialog *self,
                               const char           *url);

/* The instance struct, shared with the UI tests. */
struct _BaBrowserLoginDialog
{
  AdwWindow        parent_instance;

  /* Template widgets */
  GtkStack        *stack;
  GtkLabel        *link_label;
  GtkWidget       *no_browser_box;
  AdwStatusPage   *error_page;
  GtkButton       *cancel_button;

  /* Owned references */
  BaBrowserLogin  *login;
  BaSecretStore   *secret_store;
  BaVault         *vault;
  GCancellable    *cancellable;
  char            *api_url;
  char            *dashboard_url;

  BaOpenUriFunc    open_uri;
  guint            timeout;      /* seconds; 0 for the default */
};

void ba_browser_login_dialog_uri_opened     (BaBrowserLoginDialog *self,
                                             const GError         *error);

/* For the UI tests: how new dialogs open URLs (NULL for the browser) and
 * their time limit in seconds (0 for the default). */
void ba_browser_login_dialog_set_test_hooks (BaOpenUriFunc         open_uri,
                                             guint                 timeout);

G_END_DECLS
