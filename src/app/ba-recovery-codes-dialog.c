/* ba-recovery-codes-dialog.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-recovery-codes-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ba-api-client-two-factor.h"
#include "ba-recovery-codes-dialog-private.h"
#include "ba-secure-clipboard.h"
#include "ba-wipe.h"

G_DEFINE_FINAL_TYPE (BaRecoveryCodesDialog, ba_recovery_codes_dialog, ADW_TYPE_WINDOW)

/* How long a new toast may still sit in the overlay's queue. */
#define TOAST_SETTLE_USEC (800 * 1000)

static void
show_toast (BaRecoveryCodesDialog *self,
            const char            *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  /* As in BaWindow: dismissing a toast that may still wait in the queue
   * crashes libadwaita 1.2's AdwToastOverlay, so a toast added moments
   * ago gets the new text instead. Otherwise the new one replaces it. */
  if (self->toast != NULL &&
      g_get_monotonic_time () - self->toast_added_at < TOAST_SETTLE_USEC)
    {
      adw_toast_set_title (self->toast, escaped);
      return;
    }

  if (self->toast != NULL)
    adw_toast_dismiss (self->toast);
  g_clear_object (&self->toast);

  self->toast = adw_toast_new (escaped);
  adw_toast_set_priority (self->toast, ADW_TOAST_PRIORITY_HIGH);
  self->toast_added_at = g_get_monotonic_time ();
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (self->toast));
}

char *
ba_recovery_codes_dialog_dup_text (BaRecoveryCodesDialog *self)
{
  GString *text;

  g_return_val_if_fail (BA_IS_RECOVERY_CODES_DIALOG (self), NULL);

  if (self->codes == NULL)
    return NULL;

  text = g_string_new (NULL);
  for (guint i = 0; self->codes[i] != NULL; i++)
    g_string_append_printf (text, "%s\n", self->codes[i]);

  return g_string_free (text, FALSE);
}

static void
copy_clicked_cb (BaRecoveryCodesDialog *self)
{
  g_autoptr(BaSecretString) text = ba_recovery_codes_dialog_dup_text (self);
  g_autofree char *message = NULL;

  if (text == NULL)
    return;

  message = ba_secure_clipboard_copy (GTK_WIDGET (self), text);
  show_toast (self, message);
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(BaRecoveryCodesDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      /* Translators: %s is why a file could not be written. */
      message = g_strdup_printf (_("Could not save the codes: %s. Choose another place, or copy or print them instead."), error->message);
      show_toast (self, message);
      return;
    }

  self->saved_to_file = TRUE;
  name = g_file_get_basename (G_FILE (object));
  /* Translators: %s is a file name. */
  message = g_strdup_printf (_("Saved to “%s”"), name);
  show_toast (self, message);
}

static void
wipe_bytes_free (gpointer data)
{
  ba_wipe_string_free (data);
}

void
ba_recovery_codes_dialog_save_to_file (BaRecoveryCodesDialog *self,
                                       GFile                 *file)
{
  g_autoptr(GBytes) bytes = NULL;
  char *text;

  g_return_if_fail (BA_IS_RECOVERY_CODES_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  text = ba_recovery_codes_dialog_dup_text (self);
  g_return_if_fail (text != NULL);
  bytes = g_bytes_new_with_free_func (text, strlen (text), wipe_bytes_free, text);

  /* PRIVATE: mode 0600; REPLACE_DESTINATION: a new file, never an
   * existing one's wider mode. */
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       self->cancellable, save_cb, g_object_ref (self));
}

static void
chooser_response_cb (BaRecoveryCodesDialog *self,
                     int                    response,
                     GtkFileChooserNative  *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT && self->codes != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        ba_recovery_codes_dialog_save_to_file (self, file);
    }

  g_clear_object (&self->chooser);
}

static void
save_clicked_cb (BaRecoveryCodesDialog *self)
{
  if (self->codes == NULL || self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Save Recovery Codes"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Save"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser),
                                     "balena-recovery-codes.txt");
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* Printing: one page, a title and the codes in a monospace font. */

static void
begin_print_cb (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                gpointer           user_data)
{
  gtk_print_operation_set_n_pages (operation, 1);
}

static void
draw_page_cb (GtkPrintOperation     *operation,
              GtkPrintContext       *context,
              int                    page_nr,
              BaRecoveryCodesDialog *self)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  g_autoptr(PangoLayout) layout = gtk_print_context_create_pango_layout (context);
  g_autoptr(BaSecretString) codes = ba_recovery_codes_dialog_dup_text (self);
  g_autofree char *markup = NULL;
  g_autofree char *escaped = NULL;

  if (codes == NULL)
    return;

  escaped = g_markup_escape_text (codes, -1);
  markup = g_strdup_printf ("<span size=\"x-large\" weight=\"bold\">%s</span>\n%s\n\n"
                            "<span font_family=\"monospace\" size=\"large\">%s</span>",
                            _("Balena Accounts Recovery Codes"),
                            _("Each code can be used once to log in without your authenticator app."),
                            escaped);
  sodium_memzero (escaped, strlen (escaped));
  pango_layout_set_width (layout, gtk_print_context_get_width (context) * PANGO_SCALE);
  pango_layout_set_markup (layout, markup, -1);
  sodium_memzero (markup, strlen (markup));
  cairo_move_to (cr, 0, 0);
  pango_cairo_show_layout (cr, layout);
}

static GtkPrintOperationResult
run_print (BaRecoveryCodesDialog    *self,
           GtkPrintOperationAction   action,
           const char               *export_path,
           GError                  **error)
{
  g_autoptr(GtkPrintOperation) operation = gtk_print_operation_new ();

  gtk_print_operation_set_job_name (operation, _("Recovery Codes"));
  if (export_path != NULL)
    gtk_print_operation_set_export_filename (operation, export_path);
  g_signal_connect (operation, "begin-print", G_CALLBACK (begin_print_cb), NULL);
  g_signal_connect_object (operation, "draw-page", G_CALLBACK (draw_page_cb), self, 0);

  return gtk_print_operation_run (operation, action, GTK_WINDOW (self), error);
}

gboolean
ba_recovery_codes_dialog_export_pdf (BaRecoveryCodesDialog  *self,
                                     const char             *path,
                                     GError                **error)
{
  g_return_val_if_fail (BA_IS_RECOVERY_CODES_DIALOG (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (self->codes != NULL, FALSE);

  return run_print (self, GTK_PRINT_OPERATION_ACTION_EXPORT, path, error) !=
         GTK_PRINT_OPERATION_RESULT_ERROR;
}

static void
print_clicked_cb (BaRecoveryCodesDialog *self)
{
  g_autoptr(GError) error = NULL;

  if (self->codes == NULL)
    return;

  if (run_print (self, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, NULL, &error) ==
      GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      g_autofree char *message = NULL;

      /* Translators: %s is why printing failed. */
      message = g_strdup_printf (_("Could not print: %s"), error->message);
      show_toast (self, message);
    }
}

static gboolean
close_request_cb (BaRecoveryCodesDialog *self)
{
  /* The codes are shown only this once: the dialog lets go only when the
   * user says they are safe. */
  if (self->codes != NULL && !gtk_check_button_get_active (self->saved_check))
    {
      show_toast (self, _("Save, copy or print the codes first, then confirm that you have saved them."));
      gtk_widget_grab_focus (GTK_WIDGET (self->saved_check));
      return TRUE;
    }

  /* No toast left behind in a closing window. */
  if (self->toast != NULL)
    adw_toast_dismiss (self->toast);

  return FALSE;
}

static void
close_clicked_cb (BaRecoveryCodesDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static void
ba_recovery_codes_dialog_dispose (GObject *object)
{
  BaRecoveryCodesDialog *self = (BaRecoveryCodesDialog *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  if (self->codes_label != NULL)
    gtk_label_set_text (self->codes_label, "");
  g_clear_pointer (&self->codes, ba_wipe_strv_free);
  g_clear_object (&self->toast);

  G_OBJECT_CLASS (ba_recovery_codes_dialog_parent_class)->dispose (object);
}

static void
ba_recovery_codes_dialog_finalize (GObject *object)
{
  BaRecoveryCodesDialog *self = (BaRecoveryCodesDialog *)object;

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ba_recovery_codes_dialog_parent_class)->finalize (object);
}

static void
ba_recovery_codes_dialog_class_init (BaRecoveryCodesDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_recovery_codes_dialog_dispose;
  object_class->finalize = ba_recovery_codes_dialog_finalize;
}

static GtkButton *
new_button (const char *label,
            const char *icon_name)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *content = adw_button_content_new ();

  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), label);
  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), icon_name);
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
  gtk_button_set_child (GTK_BUTTON (button), content);

  return GTK_BUTTON (button);
}

static void
ba_recovery_codes_dialog_init (BaRecoveryCodesDialog *self)
{
  GtkWidget *box;
  GtkWidget *content;
  GtkWidget *header;
  GtkWidget *clamp;
  GtkWidget *label;
  GtkWidget *buttons;
  GtkWidget *frame;

  self->cancellable = g_cancellable_new ();

  gtk_window_set_title (GTK_WINDOW (self), _("Recovery Codes"));
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self), 460, -1);
  gtk_window_set_deletable (GTK_WINDOW (self), FALSE);

  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toast_overlay));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  adw_toast_overlay_set_child (self->toast_overlay, box);

  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_widget_add_css_class (header, "flat");
  gtk_box_append (GTK_BOX (box), header);

  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 420);
  gtk_widget_set_margin_start (clamp, 18);
  gtk_widget_set_margin_end (clamp, 18);
  gtk_widget_set_margin_bottom (clamp, 18);
  gtk_box_append (GTK_BOX (box), clamp);

  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  adw_clamp_set_child (ADW_CLAMP (clamp), content);

  label = gtk_label_new (_("Save Your Recovery Codes"));
  gtk_widget_add_css_class (label, "title-2");
  gtk_box_append (GTK_BOX (content), label);

  label = gtk_label_new (_("If you lose your phone, each of these codes lets you log in once instead of a code from your authenticator app. Keep them somewhere safe, such as a password manager. They are not shown again."));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_box_append (GTK_BOX (content), label);

  frame = gtk_frame_new (NULL);
  gtk_widget_add_css_class (frame, "view");
  self->codes_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_selectable (self->codes_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->codes_label), "monospace");
  gtk_widget_add_css_class (GTK_WIDGET (self->codes_label), "title-4");
  gtk_widget_set_margin_top (GTK_WIDGET (self->codes_label), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->codes_label), 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->codes_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Recovery codes"),
                                  -1);
  gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (self->codes_label));
  gtk_box_append (GTK_BOX (content), frame);

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  self->copy_button = new_button (_("_Copy"), "edit-copy-symbolic");
  self->save_button = new_button (_("_Save to File…"), "document-save-symbolic");
  self->print_button = new_button (_("_Print…"), "printer-symbolic");
  g_signal_connect_swapped (self->copy_button, "clicked", G_CALLBACK (copy_clicked_cb), self);
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (save_clicked_cb), self);
  g_signal_connect_swapped (self->print_button, "clicked", G_CALLBACK (print_clicked_cb), self);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->copy_button));
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->save_button));
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->print_button));
  gtk_box_append (GTK_BOX (content), buttons);

  self->saved_check = GTK_CHECK_BUTTON (gtk_check_button_new_with_mnemonic (_("I have _saved these codes")));
  gtk_widget_set_halign (GTK_WIDGET (self->saved_check), GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->saved_check));

  self->close_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Close")));
  gtk_widget_set_halign (GTK_WIDGET (self->close_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->close_button), "suggested-action");
  gtk_widget_add_css_class (GTK_WIDGET (self->close_button), "pill");
  g_object_bind_property (self->saved_check, "active", self->close_button, "sensitive",
                          G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped (self->close_button, "clicked", G_CALLBACK (close_clicked_cb), self);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->close_button));

  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
}

BaRecoveryCodesDialog *
ba_recovery_codes_dialog_new (GtkWindow  *parent,
                              char      **codes)
{
  BaRecoveryCodesDialog *self;
  GString *text;
  guint n;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (codes != NULL, NULL);

  self = g_object_new (BA_TYPE_RECOVERY_CODES_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->codes = codes;

  /* Two columns read better than ten lines. */
  n = g_strv_length (codes);
  text = g_string_new (NULL);
  for (guint i = 0; i < (n + 1) / 2; i++)
    {
      guint j = i + (n + 1) / 2;

      g_string_append_printf (text, "%s%s%s%s", i > 0 ? "\n" : "", codes[i],
                              j < n ? "    " : "", j < n ? codes[j] : "");
    }
  gtk_label_set_text (self->codes_label, text->str);
  sodium_memzero (text->str, text->len);
  g_string_free (text, TRUE);

  gtk_widget_grab_focus (GTK_WIDGET (self->copy_button));

  return self;
}
