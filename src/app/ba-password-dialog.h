/* ba-password-dialog.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ba-account.h"

G_BEGIN_DECLS

#define BA_TYPE_PASSWORD_DIALOG (ba_password_dialog_get_type ())

G_DECLARE_FINAL_TYPE (BaPasswordDialog, ba_password_dialog, BA, PASSWORD_DIALOG, AdwWindow)

/* A modal dialog that changes @account's password (current + new) or,
 * when @has_password is FALSE (a GitHub, Google or SSO account), sets a
 * first one. On success it emits "done" and closes; the account's new
 * session token has replaced the old one, so the user stays logged in. */
BaPasswordDialog *ba_password_dialog_new (GtkWindow *parent,
                                          BaAccount *account,
                                          gboolean   has_password);

G_END_DECLS
