/* ba-password-form.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-password-form"

#include "config.h"

#include "ba-api-client-lifecycle.h"
#include "ba-password-form.h"
#include "ba-password-strength.h"

void
ba_password_form_update_strength (GtkLevelBar *bar,
                                  GtkLabel    *label,
                                  const char  *password,
                                  const char  *username,
                                  const char  *email)
{
  g_autofree char *hint = NULL;
  BaPasswordStrength strength;
  double value = 0;

  strength = ba_password_strength_check (password, username, email, &hint);

  switch (strength)
    {
    case BA_PASSWORD_STRENGTH_EMPTY:
    case BA_PASSWORD_STRENGTH_TOO_SHORT:
      value = 0;
      break;
    case BA_PASSWORD_STRENGTH_WEAK:
      value = 1;
      break;
    case BA_PASSWORD_STRENGTH_FAIR:
      value = 2;
      break;
    case BA_PASSWORD_STRENGTH_GOOD:
      value = 3;
      break;
    case BA_PASSWORD_STRENGTH_STRONG:
    default:
      value = 4;
      break;
    }

  gtk_level_bar_set_value (bar, value);
  gtk_label_set_text (label, hint);
}

void
ba_password_form_set_row_error (AdwEntryRow *row,
                                gboolean     is_error)
{
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");

  gtk_accessible_update_state (GTK_ACCESSIBLE (row),
                               GTK_ACCESSIBLE_STATE_INVALID,
                               is_error ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE,
                               -1);
}

gboolean
ba_password_form_check (AdwEntryRow *password_row,
                        AdwEntryRow *confirm_row)
{
  const char *password = gtk_editable_get_text (GTK_EDITABLE (password_row));
  const char *confirm = gtk_editable_get_text (GTK_EDITABLE (confirm_row));
  gboolean long_enough = g_utf8_strlen (password, -1) >= 8;
  gboolean matches = g_str_equal (password, confirm);

  ba_password_form_set_row_error (confirm_row, *confirm != '\0' && !matches);

  return long_enough && matches;
}

gboolean
ba_password_form_open_dashboard (GtkWidget  *widget,
                                 const char *server_url,
                                 const char *page)
{
  g_autofree char *url = ba_lifecycle_dashboard_url (server_url, page);
  GtkRoot *root;

  if (url == NULL)
    return FALSE;

  root = gtk_widget_get_root (widget);
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, url, GDK_CURRENT_TIME);

  return TRUE;
}
