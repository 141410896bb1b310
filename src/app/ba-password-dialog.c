/* ba-password-dialog.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-password-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ba-account-lifecycle.h"
#include "ba-error.h"
#include "ba-password-dialog-private.h"
#include "ba-password-form.h"

G_DEFINE_FINAL_TYPE (BaPasswordDialog, ba_password_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_DONE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
can_save (BaPasswordDialog *self)
{
  gboolean complete = ba_password_form_check (ADW_ENTRY_ROW (self->new_row),
                                              ADW_ENTRY_ROW (self->confirm_row));

  if (self->has_password &&
      *gtk_editable_get_text (GTK_EDITABLE (self->current_row)) == '\0')
    return FALSE;

  return complete && !self->busy;
}

static void
update (BaPasswordDialog *self)
{
  ba_password_form_update_strength (self->strength_bar, self->strength_label,
                                    gtk_editable_get_text (GTK_EDITABLE (self->new_row)),
                                    self->account != NULL ? ba_account_get_username (self->account) : NULL,
                                    self->account != NULL ? ba_account_get_email (self->account) : NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), can_save (self));
}

static void
set_busy (BaPasswordDialog *self,
          gboolean          busy)
{
  self->busy = !!busy;

  if (busy)
    gtk_window_set_focus (GTK_WINDOW (self), NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->save_spinner), busy);
  gtk_spinner_set_spinning (self->save_spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->current_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->new_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_row), !busy);
  update (self);
}

static void
show_error (BaPasswordDialog *self,
            const GError     *error)
{
  AdwEntryRow *row = NULL;

  gtk_label_set_text (self->error_label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);

  if (g_error_matches (error, BA_ERROR, BA_ERROR_NOT_SUPPORTED))
    {
      g_autofree char *url = ba_lifecycle_dashboard_url (ba_account_get_server_url (self->account),
                                                         "preferences/details");

      gtk_label_set_text (self->error_label,
                          url != NULL
                          ? _("This server does not support changing the password from this app. You can change it on the dashboard.")
                          : _("This server does not support changing the password from this app."));
      gtk_widget_set_visible (self->dashboard_button, url != NULL);
      return;
    }

  if (g_error_matches (error, BA_ERROR, BA_ERROR_FRESH_AUTH_REQUIRED) && !self->has_password)
    gtk_label_set_text (self->error_label,
                        _("For your security, log in again (through the browser) and then set the password within 20 minutes."));

  switch (ba_lifecycle_error_field (error))
    {
    case BA_LIFECYCLE_FIELD_CURRENT_PASSWORD:
      row = ADW_ENTRY_ROW (self->current_row);
      break;
    case BA_LIFECYCLE_FIELD_PASSWORD:
      row = ADW_ENTRY_ROW (self->new_row);
      break;
    case BA_LIFECYCLE_FIELD_NONE:
    case BA_LIFECYCLE_FIELD_EMAIL:
    case BA_LIFECYCLE_FIELD_USERNAME:
    case BA_LIFECYCLE_FIELD_TOKEN:
    default:
      break;
    }

  if (row != NULL && gtk_widget_is_visible (GTK_WIDGET (row)))
    {
      ba_password_form_set_row_error (row, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (row));
      gtk_editable_select_region (GTK_EDITABLE (row), 0, -1);
    }
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(BaPasswordDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  ba_account_set_password_finish (BA_ACCOUNT (object), result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  set_busy (self, FALSE);

  if (error != NULL)
    {
      g_debug ("Could not set the password: %s", error->message);
      show_error (self, error);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_DONE], 0);
  gtk_window_close (GTK_WINDOW (self));
}

static void
save_cb (BaPasswordDialog *self)
{
  if (!can_save (self))
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_set_visible (self->dashboard_button, FALSE);
  ba_password_form_set_row_error (ADW_ENTRY_ROW (self->current_row), FALSE);
  ba_password_form_set_row_error (ADW_ENTRY_ROW (self->new_row), FALSE);
  set_busy (self, TRUE);

  ba_account_set_password_async (self->account,
                                 self->has_password
                                 ? gtk_editable_get_text (GTK_EDITABLE (self->current_row)) : NULL,
                                 gtk_editable_get_text (GTK_EDITABLE (self->new_row)),
                                 self->cancellable, saved_cb, g_object_ref (self));
}

static void
changed_cb (BaPasswordDialog *self,
            GtkEditable      *editable)
{
  if (editable != GTK_EDITABLE (self->confirm_row))
    ba_password_form_set_row_error (ADW_ENTRY_ROW (editable), FALSE);
  update (self);
}

static void
dashboard_cb (BaPasswordDialog *self)
{
  ba_password_form_open_dashboard (GTK_WIDGET (self), ba_account_get_server_url (self->account),
                                   "preferences/details");
}

static void
ba_password_dialog_dispose (GObject *object)
{
  BaPasswordDialog *self = BA_PASSWORD_DIALOG (object);

  g_cancellable_cancel (self->cancellable);

  /* The passwords leave the widgets before they go. */
  if (self->new_row != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->current_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->new_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_PASSWORD_DIALOG);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (ba_password_dialog_parent_class)->dispose (object);
}

static void
ba_password_dialog_finalize (GObject *object)
{
  BaPasswordDialog *self = BA_PASSWORD_DIALOG (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ba_password_dialog_parent_class)->finalize (object);
}

static void
ba_password_dialog_class_init (BaPasswordDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_password_dialog_dispose;
  object_class->finalize = ba_password_dialog_finalize;

  signals[SIGNAL_DONE] =
    g_signal_new ("done",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ba-password-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, BaPasswordDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordDialog, save_spinner);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordDialog, description_label);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordDialog, current_row);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordDialog, new_row);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordDialog, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordDialog, strength_bar);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordDialog, strength_label);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordDialog, dashboard_button);
  gtk_widget_class_bind_template_callback (widget_class, save_cb);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, dashboard_cb);
}

static void
ba_password_dialog_init (BaPasswordDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
}

BaPasswordDialog *
ba_password_dialog_new (GtkWindow *parent,
                        BaAccount *account,
                        gboolean   has_password)
{
  BaPasswordDialog *self;
  GtkWidget *group;

  g_return_val_if_fail (BA_IS_ACCOUNT (account), NULL);

  self = g_object_new (BA_TYPE_PASSWORD_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->account = g_object_ref (account);
  self->has_password = !!has_password;

  adw_window_title_set_title (self->window_title,
                              has_password ? _("Change Password") : _("Set a Password"));
  gtk_label_set_text (self->description_label,
                      has_password
                      ? _("After the change, every other session of this account ends, on every device. This app stays logged in.")
                      : _("You log in through GitHub, Google or SSO. With a password you can also log in with your email or username."));

  /* The current password's group holds only that row. */
  group = gtk_widget_get_ancestor (GTK_WIDGET (self->current_row), ADW_TYPE_PREFERENCES_GROUP);
  gtk_widget_set_visible (group != NULL ? group : GTK_WIDGET (self->current_row), has_password);

  update (self);
  gtk_widget_grab_focus (has_password ? GTK_WIDGET (self->current_row) : GTK_WIDGET (self->new_row));

  return self;
}
