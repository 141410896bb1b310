/* ba-account-details.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-account-details"

#include "config.h"

#include <glib/gi18n.h>

#include "ba-account-details-private.h"
#include "ba-account-fleets.h"
#include "ba-error.h"
#include "ba-password-form.h"
#include "ba-window.h"
#include "ba-wipe.h"

G_DEFINE_FINAL_TYPE (BaAccountDetails, ba_account_details, ADW_TYPE_BIN)

static void fetch_profile (BaAccountDetails *self);

static void
toast (BaAccountDetails *self,
       const char       *message)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), BA_TYPE_WINDOW);

  if (window != NULL)
    ba_window_add_toast (BA_WINDOW (window), message);
  else
    g_message ("%s", message);
}

static gboolean
is_online (BaAccountDetails *self)
{
  return self->account != NULL &&
         ba_account_get_state (self->account) == BA_ACCOUNT_STATE_ONLINE;
}

static void
set_text_row (AdwEntryRow *row,
              const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

static void
show_status (BaAccountDetails *self,
             const char       *message,
             gboolean          can_retry,
             gboolean          dashboard)
{
  gtk_label_set_text (self->status_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), can_retry);
  gtk_widget_set_visible (self->dashboard_button, dashboard);
  gtk_widget_set_visible (self->status_box, message != NULL);
}

/* Shows what the profile says, or hides everything that needs it. */
static void
update (BaAccountDetails *self)
{
  BaUserProfile *profile = self->profile;
  gboolean have = profile != NULL && self->account != NULL;
  gboolean online = is_online (self);

  gtk_widget_set_visible (GTK_WIDGET (self->details_group), have);
  gtk_widget_set_visible (GTK_WIDGET (self->password_group), have);
  gtk_widget_set_visible (GTK_WIDGET (self->delete_group), have);
  gtk_widget_set_visible (GTK_WIDGET (self->verify_group), have && !profile->is_verified);

  /* Changes need the server. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->details_group), online && !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_group), online && !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->delete_group), online && !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->verify_group), online && !self->busy);

  if (!have)
    return;

  adw_action_row_set_subtitle (self->verified_row,
                               profile->email == NULL ? _("None")
                               : profile->is_verified ? _("Verified")
                               : _("Not verified yet"));
  adw_preferences_group_set_description (self->verify_group,
                                         _("Open the mail that was sent to your address and paste the code or the whole link from it here."));

  if (profile->has_password_set)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->password_row), _("Set"));
      gtk_button_set_label (self->password_button, _("_Change…"));
    }
  else
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->password_row),
                                   _("Not set: you log in through GitHub, Google or SSO"));
      gtk_button_set_label (self->password_button, _("_Set Password…"));
    }
}

static void
apply_profile (BaAccountDetails *self,
               BaUserProfile    *profile)
{
  g_clear_pointer (&self->profile, ba_user_profile_free);
  self->profile = profile;

  set_text_row (self->first_name_row, profile->first_name);
  set_text_row (self->last_name_row, profile->last_name);
  set_text_row (self->company_row, profile->company);
  update (self);
}

/* Profile */

static void
profile_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(BaAccountDetails) self = user_data;
  g_autoptr(GError) error = NULL;
  BaUserProfile *profile;

  profile = ba_account_fetch_profile_finish (BA_ACCOUNT (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      BA_ACCOUNT (object) != self->account)
    return;

  self->loading = FALSE;

  if (profile == NULL)
    {
      g_autofree char *url = NULL;

      if (g_error_matches (error, BA_ERROR, BA_ERROR_NOT_SUPPORTED))
        {
          url = ba_lifecycle_dashboard_url (ba_account_get_server_url (self->account),
                                            "preferences/details");
          show_status (self,
                       url != NULL
                       ? _("This server does not offer your personal details, password and account deletion to this app. You can manage them on the dashboard.")
                       : _("This server does not offer your personal details, password and account deletion to this app."),
                       FALSE, url != NULL);
        }
      else if (!g_error_matches (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN) &&
               !g_error_matches (error, BA_ERROR, BA_ERROR_OFFLINE) &&
               !g_error_matches (error, BA_ERROR, BA_ERROR_TIMEOUT))
        {
          g_autofree char *message = NULL;

          /* Translators: %s is an error message. */
          message = g_strdup_printf (_("Could not read your personal details: %s"), error->message);
          show_status (self, message, TRUE, FALSE);
        }

      return;
    }

  show_status (self, NULL, FALSE, FALSE);
  self->fresh = TRUE;
  apply_profile (self, profile);
}

static void
cached_profile_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(BaAccountDetails) self = user_data;
  g_autoptr(GError) error = NULL;
  BaUserProfile *profile;

  profile = ba_account_load_cached_profile_finish (BA_ACCOUNT (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      BA_ACCOUNT (object) != self->account)
    {
      g_clear_pointer (&profile, ba_user_profile_free);
      return;
    }

  if (error != NULL)
    g_debug ("No cached profile: %s", error->message);

  /* The server's answer, if it came first, is newer. */
  if (profile != NULL && !self->fresh)
    apply_profile (self, profile);
  else
    g_clear_pointer (&profile, ba_user_profile_free);
}

static void
fetch_profile (BaAccountDetails *self)
{
  if (self->account == NULL || self->loading || !is_online (self))
    return;

  self->loading = TRUE;
  ba_account_fetch_profile_async (self->account, self->cancellable, profile_cb, g_object_ref (self));
}

static void
state_changed_cb (BaAccountDetails *self)
{
  if (!self->fresh)
    fetch_profile (self);
  update (self);
}

static void
retry_cb (BaAccountDetails *self)
{
  show_status (self, NULL, FALSE, FALSE);
  fetch_profile (self);
}

static void
dashboard_cb (BaAccountDetails *self)
{
  if (self->account != NULL)
    ba_password_form_open_dashboard (GTK_WIDGET (self), ba_account_get_server_url (self->account),
                                     "preferences/details");
}

/* Verification */

static void
set_busy (BaAccountDetails *self,
          gboolean          busy)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  self->busy = !!busy;

  /* GTK 4.8 complains when a focused text field turns insensitive. */
  if (busy && GTK_IS_WINDOW (root))
    {
      GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (root));

      if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self)))
        gtk_window_set_focus (GTK_WINDOW (root), NULL);
    }

  update (self);
}

static void
resent_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BaAccountDetails) self = user_data;
  g_autoptr(GError) error = NULL;

  ba_account_resend_verification_email_finish (BA_ACCOUNT (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (error != NULL)
    toast (self, error->message);
  else if (ba_account_get_email (BA_ACCOUNT (object)) != NULL)
    {
      g_autofree char *message = NULL;

      /* Translators: %s is an email address. */
      message = g_strdup_printf (_("A new mail is on its way to %s"), ba_account_get_email (BA_ACCOUNT (object)));
      toast (self, message);
    }
}

static void
resend_cb (BaAccountDetails *self)
{
  if (self->account == NULL || self->busy)
    return;

  set_busy (self, TRUE);
  ba_account_resend_verification_email_async (self->account, self->cancellable,
                                              resent_cb, g_object_ref (self));
}

static void
verified_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(BaAccountDetails) self = user_data;
  g_autoptr(GError) error = NULL;

  ba_account_verify_email_finish (BA_ACCOUNT (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (error != NULL)
    {
      gtk_label_set_text (self->verify_error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->verify_error_label), TRUE);
      ba_password_form_set_row_error (self->code_row, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  if (self->profile != NULL)
    self->profile->is_verified = TRUE;
  update (self);
  toast (self, _("Your email address is verified"));
  /* Read it back, which also updates the cached copy. */
  fetch_profile (self);
}

static void
verify_cb (BaAccountDetails *self)
{
  g_autofree char *code = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->code_row))));

  if (self->account == NULL || self->busy || *code == '\0')
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->verify_error_label), FALSE);
  ba_password_form_set_row_error (self->code_row, FALSE);
  set_busy (self, TRUE);
  ba_account_verify_email_async (self->account, code, self->cancellable,
                                 verified_cb, g_object_ref (self));
}

/* Personal details */

static void
details_saved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(BaAccountDetails) self = user_data;
  g_autoptr(GError) error = NULL;

  ba_account_update_profile_finish (BA_ACCOUNT (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (error != NULL)
    {
      toast (self, error->message);
      return;
    }

  if (self->profile != NULL)
    {
      g_free (self->profile->first_name);
      g_free (self->profile->last_name);
      g_free (self->profile->company);
      self->profile->first_name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->first_name_row)));
      self->profile->last_name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->last_name_row)));
      self->profile->company = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->company_row)));
    }

  toast (self, _("Personal details saved"));
  fetch_profile (self);
}

static void
save_details_cb (BaAccountDetails *self)
{
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  g_autofree char *company = NULL;

  if (self->account == NULL || self->busy)
    return;

  first = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->first_name_row))));
  last = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->last_name_row))));
  company = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->company_row))));

  set_busy (self, TRUE);
  ba_account_update_profile_async (self->account, first, last, company, self->cancellable,
                                   details_saved_cb, g_object_ref (self));
}

/* Password */

static void
password_done_cb (BaAccountDetails *self,
                  BaPasswordDialog *dialog)
{
  gboolean had_password = self->profile != NULL && self->profile->has_password_set;

  if (self->profile != NULL)
    self->profile->has_password_set = TRUE;
  update (self);

  toast (self, had_password ? _("Password changed") : _("Password set"));
  fetch_profile (self);
}

static void
open_password_dialog (BaAccountDetails *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  BaPasswordDialog *dialog;

  if (self->account == NULL || self->profile == NULL)
    return;

  dialog = ba_password_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   self->account, self->profile->has_password_set);
  g_signal_connect_object (dialog, "done", G_CALLBACK (password_done_cb), self, G_CONNECT_SWAPPED);
  self->password_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->password_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
password_cb (BaAccountDetails *self)
{
  open_password_dialog (self);
}

/* Delete */

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(BaAccountDetails) self = user_data;
  g_autoptr(GError) error = NULL;
  GtkWidget *window;

  ba_account_delete_finish (BA_ACCOUNT (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (error != NULL)
    {
      toast (self, error->message);
      return;
    }

  window = gtk_widget_get_ancestor (GTK_WIDGET (self), BA_TYPE_WINDOW);
  if (window != NULL)
    ba_window_show_account_deleted (BA_WINDOW (window));
}

static void
delete_response_cb (BaAccountDetails *self,
                    const char       *response,
                    AdwMessageDialog *dialog)
{
  g_autoptr(BaSecretString) password = NULL;

  if (g_str_equal (response, "set-password"))
    {
      open_password_dialog (self);
      return;
    }

  if (!g_str_equal (response, "delete") || self->account == NULL)
    return;

  if (self->delete_password_row != NULL)
    {
      password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->delete_password_row)));
      gtk_editable_set_text (GTK_EDITABLE (self->delete_password_row), "");
    }

  set_busy (self, TRUE);
  ba_account_delete_async (self->account, password, self->cancellable, deleted_cb, g_object_ref (self));
}

static void
delete_password_changed_cb (AdwMessageDialog *dialog,
                            GtkEditable      *editable)
{
  adw_message_dialog_set_response_enabled (dialog, "delete",
                                           *gtk_editable_get_text (editable) != '\0');
}

/* The fleets that go with the account, one line each with their device
 * count, or NULL when there are none (or the list is not loaded yet).
 * Those are the fleets of the user's own organization, whose handle is
 * the username (account-api.md section 12). The client data does not say
 * whether the user is the only administrator of another organization, so
 * fleets of shared organizations are not named. */
static char *
describe_lost_fleets (BaAccount *account)
{
  GListModel *fleets = ba_account_get_fleets (account);
  const char *username = ba_account_get_username (account);
  g_autoptr(GString) lines = g_string_new (NULL);
  guint n = g_list_model_get_n_items (fleets);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BaFleet) fleet = g_list_model_get_item (fleets, i);
      const char *handle = ba_fleet_get_organization_handle (fleet);
      guint devices = ba_fleet_get_device_count (fleet);

      if (handle == NULL || username == NULL || g_ascii_strcasecmp (handle, username) != 0)
        continue;

      if (lines->len > 0)
        g_string_append_c (lines, '\n');
      /* Translators: a line in the list of fleets that an account deletion
       * takes with it; %s is the fleet's name, %u its number of devices. */
      g_string_append_printf (lines, g_dngettext (GETTEXT_PACKAGE, "• %s, with %u device",
                                                  "• %s, with %u devices", devices),
                              ba_fleet_get_name (fleet), devices);
    }

  return lines->len > 0 ? g_string_free (g_steal_pointer (&lines), FALSE) : NULL;
}

static void
delete_cb (BaAccountDetails *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GUri) uri = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;
  const char *host;

  if (self->account == NULL || self->profile == NULL)
    return;

  uri = g_uri_parse (ba_account_get_server_url (self->account), G_URI_FLAGS_NONE, NULL);
  host = uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri)
                                                      : ba_account_get_server_url (self->account);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Delete Account?"), NULL));
  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");

  if (self->profile->has_password_set)
    {
      GtkWidget *group = adw_preferences_group_new ();
      GtkWidget *row = adw_password_entry_row_new ();

      g_autofree char *lost_fleets = describe_lost_fleets (self->account);

      if (lost_fleets != NULL)
        /* Translators: the first %s is a username, the second a server's host
         * name, the third a list of fleets, one per line. */
        body = g_strdup_printf (_("The account %s on %s will be deleted for good, with everything it owns: its organization, API keys, memberships and two-factor settings, and these fleets with all their devices:\n\n%s\n\nThis cannot be undone. Enter your password to confirm."),
                                ba_account_get_username (self->account), host, lost_fleets);
      else
        /* Translators: the first %s is a username, the second a server's host name. */
        body = g_strdup_printf (_("The account %s on %s will be deleted for good, with everything it owns: its organization, fleets and their devices, API keys, memberships and two-factor settings. This cannot be undone.\n\nEnter your password to confirm."),
                                ba_account_get_username (self->account), host);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Password"));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
      adw_message_dialog_set_extra_child (dialog, group);
      g_signal_connect_object (row, "changed", G_CALLBACK (delete_password_changed_cb), dialog,
                               G_CONNECT_SWAPPED);
      self->delete_password_row = ADW_PASSWORD_ENTRY_ROW (row);
      g_object_add_weak_pointer (G_OBJECT (row), (gpointer *) &self->delete_password_row);

      adw_message_dialog_add_response (dialog, "delete", _("_Delete Account"));
      adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_response_enabled (dialog, "delete", FALSE);
    }
  else
    {
      /* Translators: %s is a username. */
      body = g_strdup_printf (_("The account %s has no password yet. Deleting it asks for the password, so set one first."),
                              ba_account_get_username (self->account));
      adw_message_dialog_add_response (dialog, "set-password", _("_Set Password…"));
      adw_message_dialog_set_response_appearance (dialog, "set-password", ADW_RESPONSE_SUGGESTED);
    }

  adw_message_dialog_set_body (dialog, body);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, G_CONNECT_SWAPPED);
  self->delete_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->delete_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GObject */

static void
ba_account_details_dispose (GObject *object)
{
  BaAccountDetails *self = BA_ACCOUNT_DETAILS (object);

  ba_account_details_set_account (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_ACCOUNT_DETAILS);

  G_OBJECT_CLASS (ba_account_details_parent_class)->dispose (object);
}

static void
ba_account_details_finalize (GObject *object)
{
  BaAccountDetails *self = BA_ACCOUNT_DETAILS (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->profile, ba_user_profile_free);

  G_OBJECT_CLASS (ba_account_details_parent_class)->finalize (object);
}

static void
ba_account_details_class_init (BaAccountDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_account_details_dispose;
  object_class->finalize = ba_account_details_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ba-account-details.ui");
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, status_box);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, status_label);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, retry_button);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, dashboard_button);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, verify_group);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, resend_button);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, code_row);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, verify_error_label);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, details_group);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, verified_row);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, first_name_row);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, last_name_row);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, company_row);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, password_group);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, password_row);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, password_button);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, delete_group);
  gtk_widget_class_bind_template_child (widget_class, BaAccountDetails, delete_button);
  gtk_widget_class_bind_template_callback (widget_class, retry_cb);
  gtk_widget_class_bind_template_callback (widget_class, dashboard_cb);
  gtk_widget_class_bind_template_callback (widget_class, resend_cb);
  gtk_widget_class_bind_template_callback (widget_class, verify_cb);
  gtk_widget_class_bind_template_callback (widget_class, save_details_cb);
  gtk_widget_class_bind_template_callback (widget_class, password_cb);
  gtk_widget_class_bind_template_callback (widget_class, delete_cb);
}

static void
ba_account_details_init (BaAccountDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
}

void
ba_account_details_set_account (BaAccountDetails *self,
                                BaAccount        *account)
{
  g_return_if_fail (BA_IS_ACCOUNT_DETAILS (self));
  g_return_if_fail (account == NULL || BA_IS_ACCOUNT (account));

  if (self->account == account)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->loading = FALSE;
  self->busy = FALSE;
  self->fresh = FALSE;

  if (self->delete_dialog != NULL)
    gtk_window_close (GTK_WINDOW (self->delete_dialog));
  if (self->password_dialog != NULL)
    gtk_window_close (GTK_WINDOW (self->password_dialog));

  if (self->account != NULL)
    g_clear_signal_handler (&self->state_handler, self->account);
  g_set_object (&self->account, account);
  g_clear_pointer (&self->profile, ba_user_profile_free);

  if (account != NULL)
    {
      self->state_handler = g_signal_connect_object (account, "notify::state",
                                                     G_CALLBACK (state_changed_cb), self,
                                                     G_CONNECT_SWAPPED);
      /* The cached profile shows at once (read-only until ONLINE). */
      ba_account_load_cached_profile_async (account, self->cancellable, cached_profile_cb,
                                            g_object_ref (self));
    }

  if (self->code_row != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
      gtk_widget_set_visible (GTK_WIDGET (self->verify_error_label), FALSE);
      show_status (self, NULL, FALSE, FALSE);
      update (self);
    }

  fetch_profile (self);
}
