/* ba-password-form.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Small pieces shared by the forms that take a new password (sign-up,
 * reset, set or change) and by those that can meet a server without the
 * extension endpoints. */

/* Shows the strength of @password in @bar (0–4) and @label (a sentence;
 * the level is also in the label, not only in the bar's colour). */
void      ba_password_form_update_strength (GtkLevelBar  *bar,
                                            GtkLabel     *label,
                                            const char   *password,
                                            const char   *username,
                                            const char   *email);

/* TRUE when the new password may be sent: 8 characters or more, and the
 * confirmation matches. Marks @confirm_row when it is filled in and does
 * not match. */
gboolean  ba_password_form_check           (AdwEntryRow  *password_row,
                                            AdwEntryRow  *confirm_row);

/* Marks @row as the field at fault (CSS "error" and the accessible
 * invalid state), or clears it. */
void      ba_password_form_set_row_error   (AdwEntryRow  *row,
                                            gboolean      is_error);

/* Opens the dashboard page @page of @server_url's service in the browser
 * (ba_lifecycle_dashboard_url()); FALSE when there is none to open. */
gboolean  ba_password_form_open_dashboard  (GtkWidget    *widget,
                                            const char   *server_url,
                                            const char   *page);

G_END_DECLS
