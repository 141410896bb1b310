/* ba-window-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-account.h"
#include "ba-account-page.h"
#include "ba-account-switcher.h"
#include "ba-login-page.h"
#include "ba-password-reset-page.h"
#include "ba-sign-up-page.h"
#include "ba-secret-store.h"
#include "ba-vault.h"
#include "ba-window.h"

G_BEGIN_DECLS

/* The instance struct, shared with the UI tests so they can drive the
 * same widgets a user does. */
struct _BaWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  GtkRevealer          *keyring_wait_revealer;
  BaLoginPage          *login_page;
  BaAccountPage        *account_page;
  BaSignUpPage         *sign_up_page;
  BaPasswordResetPage  *password_reset_page;
  BaAccountSwitcher    *account_switcher; /* in the account page's header */
  BaAccountSwitcher    *login_switcher;   /* in the login page's header */

  /* Owned references */
  GSettings            *settings;
  GCancellable         *cancellable;
  BaSecretStore        *secret_store;
  BaVault              *vault;        /* NULL in session-only mode */
  BaAccount            *account;
  AdwToast             *toast;        /* the last one shown */
  AdwToast             *notice;       /* one that stays until dismissed */
  AdwToast             *queued;       /* = toast, while it waits behind the notice */
  gint64                toast_added_at; /* monotonic time */

  guint                 revalidate_source;
  guint                 keyring_wait_source;
  guint                 revalidating : 1;
};

G_END_DECLS
