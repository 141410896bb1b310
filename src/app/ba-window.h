/* ba-window.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ba-application.h"

G_BEGIN_DECLS

#define BA_TYPE_WINDOW (ba_window_get_type ())

G_DECLARE_FINAL_TYPE (BaWindow, ba_window, BA, WINDOW, AdwApplicationWindow)

BaWindow *ba_window_new       (BaApplication *application);
void      ba_window_add_toast (BaWindow      *self,
                               const char    *message);
/* The account was deleted (ba-account-details.c): back to the login
 * page, with a toast. */
void      ba_window_show_account_deleted (BaWindow *self);

G_END_DECLS
