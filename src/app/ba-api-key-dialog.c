/* ba-api-key-dialog.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-api-key-dialog"

#include "config.h"

#include "ba-api-key-dialog-private.h"

#include "ba-error.h"
#include "ba-label-wipe.h"
#include "ba-secure-clipboard.h"
#include "ba-window.h"
#include "ba-wipe.h"

#include <glib/gi18n.h>

G_DEFINE_FINAL_TYPE (BaApiKeyDialog, ba_api_key_dialog, ADW_TYPE_WINDOW)

/* The rows of the expiry combo row, in order. */
enum {
  EXPIRY_NEVER,
  EXPIRY_30_DAYS,
  EXPIRY_90_DAYS,
  EXPIRY_365_DAYS,
  EXPIRY_DATE,
};

static const int expiry_days[] = { 0, 30, 90, 365 };

static void
parent_toast (BaApiKeyDialog *self,
              const char     *message)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (BA_IS_WINDOW (parent))
    ba_window_add_toast (BA_WINDOW (parent), message);
}

static void
own_toast (BaApiKeyDialog *self,
           const char     *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  /* One toast at a time, and none left behind when the dialog goes. */
  if (self->toast != NULL)
    adw_toast_dismiss (self->toast);
  g_clear_object (&self->toast);

  self->toast = adw_toast_new (escaped);
  adw_toast_set_priority (self->toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (self->toast));
}

static void
show_error (BaApiKeyDialog *self,
            const char     *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static guint
text_length (GtkEditable *editable)
{
  return g_utf8_strlen (gtk_editable_get_text (editable), -1);
}

/* The name as it is sent: without the spaces around it, so that one of
 * only spaces counts as none (the server would take it as it is). */
static char *
dup_name (BaApiKeyDialog *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
}

static void
update_counter (GtkLabel  *counter,
                GtkWidget *row,
                guint      length,
                guint      limit)
{
  g_autofree char *text = NULL;

  /* Translators: a length counter, as in "12 of 50" (characters). */
  text = g_strdup_printf (_("%u of %u"), length, limit);
  gtk_label_set_text (counter, text);

  if (length > limit)
    {
      gtk_widget_add_css_class (GTK_WIDGET (counter), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (counter), "dim-label");
      gtk_widget_add_css_class (row, "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (counter), "error");
      gtk_widget_add_css_class (GTK_WIDGET (counter), "dim-label");
      gtk_widget_remove_css_class (row, "error");
    }
}

/* The chosen expiry as Unix seconds (0 for never), or -1 for a date that
 * is not in the future. */
static gint64
chosen_expiry (BaApiKeyDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->expiry_row);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GDateTime) day = NULL;
  g_autoptr(GDateTime) end = NULL;
  gint64 expiry;

  if (selected < G_N_ELEMENTS (expiry_days))
    return selected == EXPIRY_NEVER ? 0 : now + (gint64) expiry_days[selected] * 24 * 60 * 60;

  /* A date means the end of that day, local time. Editing a key and
   * keeping its date keeps its exact time. */
  day = gtk_calendar_get_date (self->calendar);
  if (self->key != NULL && ba_api_key_get_expiry_date (self->key) > 0)
    {
      g_autoptr(GDateTime) old = g_date_time_new_from_unix_local (ba_api_key_get_expiry_date (self->key));

      if (old != NULL &&
          g_date_time_get_year (old) == g_date_time_get_year (day) &&
          g_date_time_get_day_of_year (old) == g_date_time_get_day_of_year (day))
        return ba_api_key_get_expiry_date (self->key);
    }

  end = g_date_time_new_local (g_date_time_get_year (day),
                               g_date_time_get_month (day),
                               g_date_time_get_day_of_month (day),
                               23, 59, 59);
  expiry = end != NULL ? g_date_time_to_unix (end) : -1;

  return expiry > now ? expiry : -1;
}

static void
update_form (BaApiKeyDialog *self)
{
  g_autofree char *name = dup_name (self);
  guint name_length = g_utf8_strlen (name, -1);
  guint description_length = text_length (GTK_EDITABLE (self->description_row));
  gboolean dated = adw_combo_row_get_selected (self->expiry_row) == EXPIRY_DATE;
  gboolean past = dated && chosen_expiry (self) < 0;
  gboolean valid;

  update_counter (self->name_counter, GTK_WIDGET (self->name_row),
                  name_length, BA_API_KEY_NAME_MAX_LENGTH);
  update_counter (self->description_counter, GTK_WIDGET (self->description_row),
                  description_length, BA_API_KEY_DESCRIPTION_MAX_LENGTH);

  /* Once something was typed, an empty name says why Create is off; an
   * untouched form does not scold. */
  if (*gtk_editable_get_text (GTK_EDITABLE (self->name_row)) != '\0')
    self->name_touched = TRUE;
  if (self->name_touched && name_length == 0)
    {
      gtk_label_set_text (self->name_counter, _("Required"));
      gtk_widget_add_css_class (GTK_WIDGET (self->name_counter), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->name_counter), "dim-label");
    }

  gtk_widget_set_visible (GTK_WIDGET (self->calendar_group), dated);
  /* A past day greys out Create: say so where the choice is made. */
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->expiry_row),
                               past ? _("That day has passed: choose today or a later one") : "");
  if (past)
    gtk_widget_add_css_class (GTK_WIDGET (self->expiry_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->expiry_row), "error");

  valid = (name_length > 0 &&
           name_length <= BA_API_KEY_NAME_MAX_LENGTH &&
           description_length <= BA_API_KEY_DESCRIPTION_MAX_LENGTH &&
           chosen_expiry (self) >= 0);

  if (gtk_widget_get_visible (GTK_WIDGET (self->password_group)))
    valid = valid && *gtk_editable_get_text (GTK_EDITABLE (self->password_row)) != '\0';

  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), valid && !self->busy);
}

static void
set_busy (BaApiKeyDialog *self,
          gboolean        busy)
{
  self->busy = !!busy;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  /* The fields stay sensitive: making the focused entry insensitive would
   * drop the focus. A request in flight has its values already, and the
   * Create button waits for it. */
  update_form (self);
}

/* Clears the key everywhere the dialog had it: our copy and the label's
 * (the label, its text and its layout, zeroed before GTK frees them). */
static void
wipe_secret (BaApiKeyDialog *self)
{
  if (self->key_label != NULL)
    ba_label_wipe (self->key_label, "");
  g_clear_pointer (&self->secret, ba_wipe_string_free);
}

static void
show_key (BaApiKeyDialog *self,
          char           *secret)
{
  wipe_secret (self);
  self->secret = secret;

  gtk_label_set_text (self->key_label, secret);
  /* Until the key is copied or saved, only the user may close the
   * dialog, after confirming: not its parent going away either. */
  gtk_window_set_destroy_with_parent (GTK_WINDOW (self), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "key");
  adw_window_title_set_title (self->window_title, _("API Key Created"));
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->create_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->done_button), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->copy_button));
}

static void
create_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BaApiKeyDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = ba_account_create_api_key_finish (BA_ACCOUNT (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      ba_wipe_string_free (secret);
      return;
    }

  set_busy (self, FALSE);

  if (secret != NULL)
    {
      show_key (self, secret);
      parent_toast (self, _("API key created"));
      return;
    }

  if (g_error_matches (error, BA_ERROR, BA_ERROR_FRESH_AUTH_REQUIRED))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->password_group), TRUE);
      show_error (self, NULL);
      update_form (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
    }
  else if (g_error_matches (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED))
    show_error (self, _("This session was started with an API key, which cannot create other keys. Log out and log in with your username and password to create one."));
  else
    show_error (self, error->message);
}

static void
start_create (BaApiKeyDialog *self)
{
  const char *description = gtk_editable_get_text (GTK_EDITABLE (self->description_row));
  g_autofree char *name = dup_name (self);

  set_busy (self, TRUE);
  show_error (self, NULL);
  ba_account_create_api_key_async (self->account,
                                   name,
                                   *description != '\0' ? description : NULL,
                                   chosen_expiry (self),
                                   self->cancellable,
                                   create_cb,
                                   g_object_ref (self));
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(BaApiKeyDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ba_account_refresh_token_finish (BA_ACCOUNT (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      set_busy (self, FALSE);

      if (g_error_matches (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS))
        show_error (self, _("The password is not correct. Check it and try again."));
      else
        show_error (self, error->message);

      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  /* The password did its job: forget it and carry on with the key. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_widget_set_visible (GTK_WIDGET (self->password_group), FALSE);
  start_create (self);
}

static void
update_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(BaApiKeyDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ba_account_update_api_key_finish (BA_ACCOUNT (object), result, &error) &&
      !g_error_matches (error, BA_ERROR, BA_ERROR_VAULT))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      set_busy (self, FALSE);
      if (g_error_matches (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED))
        show_error (self, _("This session was started with an API key, which cannot change keys. Log in with your username and password to change it."));
      else if (g_error_matches (error, BA_ERROR, BA_ERROR_NOT_FOUND))
        show_error (self, _("This key no longer exists. It may have been revoked elsewhere."));
      else
        show_error (self, error->message);
      return;
    }

  set_busy (self, FALSE);
  parent_toast (self, _("API key updated"));
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
create_clicked_cb (BaApiKeyDialog *self)
{
  const char *description;

  update_form (self);
  if (self->busy || !gtk_widget_get_sensitive (GTK_WIDGET (self->create_button)))
    return;

  if (self->key != NULL)
    {
      g_autofree char *name = dup_name (self);

      description = gtk_editable_get_text (GTK_EDITABLE (self->description_row));
      set_busy (self, TRUE);
      show_error (self, NULL);
      ba_account_update_api_key_async (self->account,
                                       ba_api_key_get_id (self->key),
                                       name,
                                       *description != '\0' ? description : NULL,
                                       chosen_expiry (self),
                                       self->cancellable,
                                       update_cb,
                                       g_object_ref (self));
      return;
    }

  if (gtk_widget_get_visible (GTK_WIDGET (self->password_group)))
    {
      set_busy (self, TRUE);
      show_error (self, NULL);
      ba_account_refresh_token_async (self->account,
                                      gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                      self->cancellable,
                                      refresh_cb,
                                      g_object_ref (self));
      return;
    }

  start_create (self);
}

static void
copy_clicked_cb (BaApiKeyDialog *self)
{
  g_autofree char *message = NULL;

  if (self->secret == NULL)
    return;

  message = ba_secure_clipboard_copy (GTK_WIDGET (self), self->secret);
  self->copied = TRUE;
  gtk_window_set_destroy_with_parent (GTK_WINDOW (self), TRUE);
  own_toast (self, message);
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(BaApiKeyDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Translators: %s is why a file could not be written. */
      message = g_strdup_printf (_("Could not save the key: %s. Choose another place or copy it instead."), error->message);
      own_toast (self, message);
      return;
    }

  self->saved = TRUE;
  gtk_window_set_destroy_with_parent (GTK_WINDOW (self), TRUE);
  name = g_file_get_basename (G_FILE (object));
  /* Translators: %s is a file name. */
  message = g_strdup_printf (_("Saved to “%s”"), name);
  own_toast (self, message);
}

void
ba_api_key_dialog_save_to_file (BaApiKeyDialog *self,
                                GFile          *file)
{
  g_return_if_fail (BA_IS_API_KEY_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->secret != NULL);

  /* PRIVATE creates the file with mode 0600; REPLACE_DESTINATION writes a
   * new file instead of reusing an existing one's (maybe wider) mode. The
   * dialog holds the key until the write is done (see dispose). */
  g_file_replace_contents_async (file, self->secret, strlen (self->secret), NULL, FALSE,
                                 G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                 self->cancellable, save_cb, g_object_ref (self));
}

static void
chooser_response_cb (BaApiKeyDialog       *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT && self->secret != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        ba_api_key_dialog_save_to_file (self, file);
    }

  g_clear_object (&self->chooser);
}

static void
save_clicked_cb (BaApiKeyDialog *self)
{
  g_autofree char *name = NULL;

  if (self->secret == NULL || self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Save API Key"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Save"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  {
    g_autofree char *key_name = dup_name (self);

    name = g_strdup_printf ("%s.txt", key_name);
  }
  g_strdelimit (name, "/", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static gboolean
close_idle_cb (gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));

  return G_SOURCE_REMOVE;
}

static void
close_dialog_response_cb (BaApiKeyDialog   *self,
                          const char       *response,
                          AdwMessageDialog *dialog)
{
  if (g_strcmp0 (response, "close") != 0)
    return;

  /* Close once the message dialog, which is transient for this one, has
   * gone: destroying its parent while it emits "response" would leave it
   * pointing at a freed window. */
  self->closing = TRUE;
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_idle_cb, g_object_ref (self), g_object_unref);
}

static gboolean
ba_api_key_dialog_close_request (GtkWindow *window)
{
  BaApiKeyDialog *self = BA_API_KEY_DIALOG (window);
  AdwMessageDialog *dialog;

  if (self->secret != NULL && !self->copied && !self->saved && !self->closing)
    {
      if (self->close_dialog != NULL)
        return TRUE;

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window,
                                                           _("Close without saving the key?"),
                                                           _("You will not be able to see it again.")));
      adw_message_dialog_add_responses (dialog,
                                        "cancel", _("_Back"),
                                        "close", _("_Close Without Saving"),
                                        NULL);
      adw_message_dialog_set_response_appearance (dialog, "close", ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (dialog, "cancel");
      adw_message_dialog_set_close_response (dialog, "cancel");
      g_signal_connect_object (dialog, "response",
                               G_CALLBACK (close_dialog_response_cb), self,
                               G_CONNECT_SWAPPED);
      self->close_dialog = dialog;
      g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->close_dialog);
      gtk_window_present (GTK_WINDOW (dialog));
      return TRUE;
    }

  g_cancellable_cancel (self->cancellable);
  wipe_secret (self);
  if (self->toast != NULL)
    adw_toast_dismiss (self->toast);

  return GTK_WINDOW_CLASS (ba_api_key_dialog_parent_class)->close_request (window);
}

static void
ba_api_key_dialog_dispose (GObject *object)
{
  BaApiKeyDialog *self = BA_API_KEY_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  wipe_secret (self);

  if (self->close_dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->close_dialog), (gpointer *) &self->close_dialog);
      gtk_window_destroy (GTK_WINDOW (self->close_dialog));
      self->close_dialog = NULL;
    }

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_API_KEY_DIALOG);

  g_clear_object (&self->account);
  g_clear_object (&self->key);
  g_clear_object (&self->toast);

  G_OBJECT_CLASS (ba_api_key_dialog_parent_class)->dispose (object);
}

static void
ba_api_key_dialog_finalize (GObject *object)
{
  BaApiKeyDialog *self = BA_API_KEY_DIALOG (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ba_api_key_dialog_parent_class)->finalize (object);
}

static void
ba_api_key_dialog_class_init (BaApiKeyDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ba_api_key_dialog_dispose;
  object_class->finalize = ba_api_key_dialog_finalize;
  window_class->close_request = ba_api_key_dialog_close_request;

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ba-api-key-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, done_button);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, name_counter);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, description_row);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, description_counter);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, calendar_group);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, calendar);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, password_group);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, warning_label);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, key_label);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, copy_button);
  gtk_widget_class_bind_template_child (widget_class, BaApiKeyDialog, save_button);
  gtk_widget_class_bind_template_callback (widget_class, update_form);
  gtk_widget_class_bind_template_callback (widget_class, create_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, copy_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
}

static void
ba_api_key_dialog_init (BaApiKeyDialog *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) in_a_month = g_date_time_add_days (now, 30);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  /* "On a date…" starts a month ahead, a likely choice, rather than on
   * today, which is hardly ever one. */
  if (in_a_month != NULL)
    gtk_calendar_select_day (self->calendar, in_a_month);
}

BaApiKeyDialog *
ba_api_key_dialog_new (GtkWindow *parent,
                       BaAccount *account,
                       BaApiKey  *key)
{
  BaApiKeyDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (BA_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (key == NULL || BA_IS_API_KEY (key), NULL);

  self = g_object_new (BA_TYPE_API_KEY_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->account = g_object_ref (account);
  self->key = key != NULL ? g_object_ref (key) : NULL;

  /* No wider than the window it belongs to, on a phone or a narrow
   * window; the form shrinks to 360 px. */
  if (parent != NULL && gtk_widget_get_width (GTK_WIDGET (parent)) > 0)
    {
      int width, height;

      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   MIN (width, gtk_widget_get_width (GTK_WIDGET (parent))),
                                   height);
    }

  if (key == NULL)
    {
      BaSession *session = ba_account_get_session (account);

      gtk_window_set_title (GTK_WINDOW (self), _("New API Key"));
      adw_window_title_set_title (self->window_title, _("New API Key"));
      gtk_button_set_label (self->create_button, _("_Create"));

      /* Creating a key needs a recent password. Asking for it with the
       * rest of the form, as the Two-factor tab does, beats a refusal
       * after Create. The server stays the judge: a session that goes
       * stale while the dialog is open still gets the field then. */
      if (session != NULL && !ba_session_is_api_key (session) &&
          !ba_session_is_fresh (session, g_get_real_time () / G_USEC_PER_SEC))
        gtk_widget_set_visible (GTK_WIDGET (self->password_group), TRUE);
    }
  else
    {
      const char *description = ba_api_key_get_description (key);
      gint64 expiry = ba_api_key_get_expiry_date (key);

      gtk_window_set_title (GTK_WINDOW (self), _("Edit API Key"));
      adw_window_title_set_title (self->window_title, _("Edit API Key"));
      gtk_button_set_label (self->create_button, _("_Save"));
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), ba_api_key_get_name (key));
      gtk_editable_set_text (GTK_EDITABLE (self->description_row), description != NULL ? description : "");

      if (expiry > 0)
        {
          g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (expiry);

          if (date != NULL)
            gtk_calendar_select_day (self->calendar, date);
          adw_combo_row_set_selected (self->expiry_row, EXPIRY_DATE);
        }
    }

  update_form (self);

  return self;
}
