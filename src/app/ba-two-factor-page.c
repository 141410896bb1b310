/* ba-two-factor-page.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-two-factor-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ba-account-two-factor.h"
#include "ba-base32.h"
#include "ba-error.h"
#include "ba-otpauth.h"
#include "ba-qr-code.h"
#include "ba-recovery-codes-dialog.h"
#include "ba-secure-clipboard.h"
#include "ba-two-factor-page-private.h"
#include "ba-window.h"
#include "ba-wipe.h"

G_DEFINE_FINAL_TYPE (BaTwoFactorPage, ba_two_factor_page, ADW_TYPE_BIN)

static void update (BaTwoFactorPage *self);

static void
toast (BaTwoFactorPage *self,
       const char      *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (BA_IS_WINDOW (root))
    ba_window_add_toast (BA_WINDOW (root), message);
  else
    g_message ("%s", message);
}

static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
set_busy (BaTwoFactorPage *self,
          gboolean         busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->code_spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->code_spinner), busy);
  update (self);
}

/* Asking for the password */

typedef void (*PasswordFunc) (BaTwoFactorPage *self,
                              const char      *password);

static void
password_entry_changed_cb (GtkEditable      *entry,
                           AdwMessageDialog *dialog)
{
  adw_message_dialog_set_response_enabled (dialog, "confirm",
                                           *gtk_editable_get_text (entry) != '\0');
}

static void
password_entry_activate_cb (GtkEditable      *entry,
                            AdwMessageDialog *dialog)
{
  if (*gtk_editable_get_text (entry) != '\0')
    adw_message_dialog_response (dialog, "confirm");
}

static void
password_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      BaTwoFactorPage  *self)
{
  PasswordFunc func = g_object_get_data (G_OBJECT (dialog), "ba-password-func");
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "ba-password-entry");
  g_autoptr(BaSecretString) password = g_strdup (gtk_editable_get_text (entry));

  /* The widget's copy goes at once; ours after the request is built. */
  gtk_editable_set_text (entry, "");

  if (g_strcmp0 (response, "confirm") == 0 && password[0] != '\0')
    func (self, password);
}

static void
ask_password (BaTwoFactorPage *self,
              const char      *heading,
              const char      *body,
              const char      *confirm_label,
              gboolean         destructive,
              PasswordFunc     func)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       heading, body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "confirm", confirm_label,
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "confirm",
                                              destructive ? ADW_RESPONSE_DESTRUCTIVE
                                                          : ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (dialog, "confirm", FALSE);
  adw_message_dialog_set_default_response (dialog, "confirm");
  adw_message_dialog_set_close_response (dialog, "cancel");

  /* A plain hidden GtkEntry: GTK 4.8's GtkPasswordEntry warns about a
   * freed instance when its dialog closes while it has the focus. */
  entry = gtk_entry_new ();
  gtk_entry_set_visibility (GTK_ENTRY (entry), FALSE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_PASSWORD);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Password"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Password"),
                                  -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  g_signal_connect (entry, "changed", G_CALLBACK (password_entry_changed_cb), dialog);
  g_signal_connect (entry, "activate", G_CALLBACK (password_entry_activate_cb), dialog);

  g_object_set_data (G_OBJECT (dialog), "ba-password-func", func);
  g_object_set_data (G_OBJECT (dialog), "ba-password-entry", entry);
  g_signal_connect_object (dialog, "response", G_CALLBACK (password_response_cb), self, 0);

  self->password_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->password_dialog);

  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* Recovery codes */

static void
count_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(BaTwoFactorPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *subtitle = NULL;
  guint total = 0;
  guint unused = 0;

  if (!ba_account_count_recovery_codes_finish (BA_ACCOUNT (object), result, &total, &unused, &error))
    {
      if (!is_cancelled (error))
        {
          g_debug ("Could not count the recovery codes: %s", error->message);
          adw_action_row_set_subtitle (self->recovery_row, _("Could not be checked"));
        }
      return;
    }

  if (total == 0)
    subtitle = g_strdup (_("None yet. Get a set in case you lose your phone."));
  else
    /* Translators: "7 of 10 left": unused recovery codes. */
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u left", "%u of %u left", unused),
                                unused, total);
  adw_action_row_set_subtitle (self->recovery_row, subtitle);
}

static void
refresh_count (BaTwoFactorPage *self)
{
  if (self->account == NULL ||
      ba_account_get_two_factor_status (self->account) == BA_TWO_FACTOR_NOT_REQUIRED)
    return;

  ba_account_count_recovery_codes_async (self->account, self->cancellable,
                                         count_cb, g_object_ref (self));
}

static void
show_codes (BaTwoFactorPage  *self,
            char            **codes)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  self->codes_dialog = ba_recovery_codes_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                     codes);
  g_object_add_weak_pointer (G_OBJECT (self->codes_dialog), (gpointer *) &self->codes_dialog);
  gtk_window_present (GTK_WINDOW (self->codes_dialog));
  refresh_count (self);
}

static void
codes_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(BaTwoFactorPage) self = user_data;
  g_autoptr(GError) error = NULL;
  char **codes;

  codes = ba_account_new_recovery_codes_finish (BA_ACCOUNT (object), result, &error);
  if (is_cancelled (error))
    return;

  set_busy (self, FALSE);

  if (codes == NULL)
    {
      toast (self, error->message);
      refresh_count (self);
      return;
    }

  show_codes (self, codes);
}

static void
get_codes (BaTwoFactorPage *self)
{
  set_busy (self, TRUE);
  ba_account_new_recovery_codes_async (self->account, self->cancellable,
                                       codes_cb, g_object_ref (self));
}

/* Both getting new codes and turning 2FA on need a fresh session: the
 * password refreshes the token, then @next runs. */
typedef void (*NextStep) (BaTwoFactorPage *self);

typedef struct
{
  BaTwoFactorPage *self;
  NextStep         next;
} RefreshData;

static void
refreshed_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  RefreshData *data = user_data;
  g_autoptr(BaTwoFactorPage) self = data->self;
  NextStep next = data->next;
  g_autoptr(GError) error = NULL;

  g_free (data);

  if (!ba_account_refresh_token_finish (BA_ACCOUNT (object), result, &error))
    {
      if (is_cancelled (error))
        return;
      set_busy (self, FALSE);
      toast (self, error->message);
      return;
    }

  next (self);
}

static void
refresh_then (BaTwoFactorPage *self,
              const char      *password,
              NextStep         next)
{
  RefreshData *data = g_new0 (RefreshData, 1);

  data->self = g_object_ref (self);
  data->next = next;
  set_busy (self, TRUE);
  ba_account_refresh_token_async (self->account, password, self->cancellable,
                                  refreshed_cb, data);
}

static void
regenerate_with_password (BaTwoFactorPage *self,
                          const char      *password)
{
  refresh_then (self, password, get_codes);
}

static void
regenerate_clicked_cb (BaTwoFactorPage *self)
{
  ask_password (self, _("Get New Recovery Codes?"),
                _("Your current recovery codes will stop working. Enter your password to continue."),
                _("_Get New Codes"), FALSE, regenerate_with_password);
}

/* Setup */

static void
clear_setup (BaTwoFactorPage *self)
{
  gtk_picture_set_paintable (self->qr_picture, NULL);
  adw_action_row_set_subtitle (self->key_row, "");
  g_clear_pointer (&self->setup_key, ba_wipe_string_free);
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  gtk_widget_set_visible (GTK_WIDGET (self->code_error_label), FALSE);
  gtk_widget_set_visible (self->setup_box, FALSE);
}

static void
show_code_error (BaTwoFactorPage *self,
                 const char      *message)
{
  gtk_label_set_text (self->code_error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->code_error_label), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->code_row), "error");
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

static void
enabled_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(BaTwoFactorPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ba_account_enable_two_factor_finish (BA_ACCOUNT (object), result, &error))
    {
      if (is_cancelled (error))
        return;

      set_busy (self, FALSE);
      /* The QR code stays: the phone already has the account. */
      show_code_error (self, error->message);
      return;
    }

  clear_setup (self);
  toast (self, _("Two-factor authentication is on"));
  get_codes (self);
}

static void
code_changed_cb (BaTwoFactorPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->code_row));
  guint digits = 0;

  gtk_widget_remove_css_class (GTK_WIDGET (self->code_row), "error");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        {
          if (*p != ' ')
            return;
          continue;
        }
      digits++;
    }

  /* Complete: it submits itself, as authenticator codes are meant to be
   * typed straight off the phone. */
  if (digits == 6 && !self->busy && self->account != NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->code_error_label), FALSE);
      set_busy (self, TRUE);
      ba_account_enable_two_factor_async (self->account, text, self->cancellable,
                                          enabled_cb, g_object_ref (self));
    }
}

static void
setup_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(BaTwoFactorPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSecretString) uri = NULL;
  g_autoptr(BaOtpauth) otpauth = NULL;
  g_autoptr(BaQrCode) qr = NULL;
  g_autoptr(BaSecretString) grouped = NULL;

  uri = ba_account_setup_two_factor_finish (BA_ACCOUNT (object), result, &error);
  if (is_cancelled (error))
    return;

  set_busy (self, FALSE);

  if (uri != NULL)
    otpauth = ba_otpauth_parse (uri, &error);
  if (otpauth != NULL)
    qr = ba_qr_code_new (uri, &error);

  if (qr == NULL)
    {
      toast (self, error->message);
      return;
    }

  g_clear_pointer (&self->setup_key, ba_wipe_string_free);
  self->setup_key = ba_base32_encode (otpauth->secret, otpauth->secret_len);
  grouped = ba_otpauth_group_key (self->setup_key);

  gtk_picture_set_paintable (self->qr_picture, GDK_PAINTABLE (qr));
  adw_action_row_set_subtitle (self->key_row, grouped);
  gtk_widget_set_visible (self->setup_box, TRUE);
  update (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

static void
start_setup (BaTwoFactorPage *self)
{
  set_busy (self, TRUE);
  ba_account_setup_two_factor_async (self->account, self->cancellable,
                                     setup_cb, g_object_ref (self));
}

static void
enable_with_password (BaTwoFactorPage *self,
                      const char      *password)
{
  refresh_then (self, password, start_setup);
}

static void
enable_clicked_cb (BaTwoFactorPage *self)
{
  BaSession *session = ba_account_get_session (self->account);

  /* The recovery codes that follow need a fresh session; asking now means
   * the user is not interrupted after scanning. */
  if (session != NULL && ba_session_is_fresh (session, g_get_real_time () / G_USEC_PER_SEC))
    start_setup (self);
  else
    ask_password (self, _("Confirm Your Password"),
                  _("For your security, confirm your password to turn on two-factor authentication."),
                  _("_Continue"), FALSE, enable_with_password);
}

static void
cancel_setup_clicked_cb (BaTwoFactorPage *self)
{
  clear_setup (self);
  update (self);
}

static void
copy_key_clicked_cb (BaTwoFactorPage *self)
{
  g_autofree char *message = NULL;

  if (self->setup_key == NULL)
    return;

  message = ba_secure_clipboard_copy (GTK_WIDGET (self), self->setup_key);
  toast (self, message);
}

/* Disable */

static void
disabled_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(BaTwoFactorPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ba_account_disable_two_factor_finish (BA_ACCOUNT (object), result, &error))
    {
      if (is_cancelled (error))
        return;
      set_busy (self, FALSE);
      toast (self, error->message);
      return;
    }

  set_busy (self, FALSE);
  toast (self, _("Two-factor authentication is off"));
}

static void
disable_with_password (BaTwoFactorPage *self,
                       const char      *password)
{
  set_busy (self, TRUE);
  ba_account_disable_two_factor_async (self->account, password, self->cancellable,
                                       disabled_cb, g_object_ref (self));
}

static void
disable_clicked_cb (BaTwoFactorPage *self)
{
  ask_password (self, _("Turn Off Two-Factor Authentication?"),
                _("Your account will be protected by your password alone, and your recovery codes will stop working. Enter your password to turn it off."),
                _("_Turn Off"), TRUE, disable_with_password);
}

/* State */

static void
update (BaTwoFactorPage *self)
{
  BaTwoFactorStatus status = BA_TWO_FACTOR_NOT_REQUIRED;
  gboolean usable = FALSE;
  gboolean in_setup = gtk_widget_get_visible (self->setup_box);
  BaSession *session = NULL;

  if (self->account != NULL)
    {
      BaAccountState state = ba_account_get_state (self->account);

      session = ba_account_get_session (self->account);
      status = ba_account_get_two_factor_status (self->account);
      usable = session != NULL && !ba_session_is_api_key (session) &&
               (state == BA_ACCOUNT_STATE_ONLINE || state == BA_ACCOUNT_STATE_CACHED);
    }

  if (session != NULL && ba_session_is_api_key (session))
    adw_action_row_set_subtitle (self->status_row,
                                 _("Log in with your password to change two-factor authentication"));
  else if (status == BA_TWO_FACTOR_NOT_REQUIRED)
    adw_action_row_set_subtitle (self->status_row, _("Off"));
  else
    adw_action_row_set_subtitle (self->status_row, _("On"));

  gtk_widget_set_visible (GTK_WIDGET (self->enable_button), status == BA_TWO_FACTOR_NOT_REQUIRED);
  gtk_widget_set_visible (GTK_WIDGET (self->disable_button), status != BA_TWO_FACTOR_NOT_REQUIRED);
  gtk_widget_set_sensitive (GTK_WIDGET (self->enable_button), usable && !self->busy && !in_setup);
  gtk_widget_set_sensitive (GTK_WIDGET (self->disable_button), usable && !self->busy);
  gtk_widget_set_visible (GTK_WIDGET (self->recovery_group), status != BA_TWO_FACTOR_NOT_REQUIRED);
  gtk_widget_set_sensitive (GTK_WIDGET (self->regenerate_button), usable && !self->busy);
  /* Not insensitive: taking the focus from a GtkText that way loses
   * its focus-out (GTK 4.8 warns). Read-only while a request runs. */
  gtk_editable_set_editable (GTK_EDITABLE (self->code_row), !self->busy);
}

static void
session_changed_cb (BaTwoFactorPage *self)
{
  if (self->account != NULL &&
      ba_account_get_two_factor_status (self->account) != BA_TWO_FACTOR_NOT_REQUIRED)
    clear_setup (self);

  update (self);
  refresh_count (self);
}

void
ba_two_factor_page_set_account (BaTwoFactorPage *self,
                                BaAccount       *account)
{
  g_return_if_fail (BA_IS_TWO_FACTOR_PAGE (self));
  g_return_if_fail (account == NULL || BA_IS_ACCOUNT (account));

  if (self->account == account)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->busy = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->code_spinner), FALSE);

  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);
  g_set_object (&self->account, account);
  clear_setup (self);
  adw_action_row_set_subtitle (self->recovery_row, "");

  if (account != NULL)
    {
      g_signal_connect_swapped (account, "notify::session", G_CALLBACK (session_changed_cb), self);
      g_signal_connect_swapped (account, "notify::state", G_CALLBACK (update), self);
    }

  update (self);
  refresh_count (self);
}

GtkWidget *
ba_two_factor_page_new (void)
{
  return g_object_new (BA_TYPE_TWO_FACTOR_PAGE, NULL);
}

/* GObject */

static void
ba_two_factor_page_dispose (GObject *object)
{
  BaTwoFactorPage *self = (BaTwoFactorPage *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);
  g_clear_object (&self->account);
  g_clear_pointer (&self->setup_key, ba_wipe_string_free);
  if (self->password_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->password_dialog));
  /* The codes dialog stays up (the user still has to save them); it just
   * must not point back at this page any more. */
  g_clear_weak_pointer (&self->codes_dialog);

  G_OBJECT_CLASS (ba_two_factor_page_parent_class)->dispose (object);
}

static void
ba_two_factor_page_finalize (GObject *object)
{
  BaTwoFactorPage *self = (BaTwoFactorPage *)object;

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ba_two_factor_page_parent_class)->finalize (object);
}

static void
ba_two_factor_page_class_init (BaTwoFactorPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_two_factor_page_dispose;
  object_class->finalize = ba_two_factor_page_finalize;
}

static GtkWidget *
new_group (const char *title,
           const char *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);

  return group;
}

static GtkButton *
new_row_button (const char *label,
                const char *css_class)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (css_class != NULL)
    gtk_widget_add_css_class (button, css_class);

  return GTK_BUTTON (button);
}

/* Authenticator apps that read the standard otpauth:// QR code this page
 * shows (SHA-1, 6 digits, 30 seconds), so nobody has to guess. */
static GtkWidget *
new_authenticator_apps_row (void)
{
  static const struct {
    const char *name;
    const char *platforms;
  } apps[] = {
    { "Google Authenticator", N_("Android and iOS") },
    { "Microsoft Authenticator", N_("Android and iOS") },
    { "Authy", N_("Android and iOS") },
    { "1Password", N_("Every platform") },
    { "FreeOTP", N_("Android and iOS, free software") },
    { "Aegis", N_("Android, free software") },
    { "Authenticator", N_("GNOME, on Flathub") },
  };
  GtkWidget *expander = adw_expander_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), _("Authenticator Apps"));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), _("Apps known to read this QR code"));
  for (guint i = 0; i < G_N_ELEMENTS (apps); i++)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), apps[i].name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(apps[i].platforms));
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
    }

  return expander;
}

static void
ba_two_factor_page_init (BaTwoFactorPage *self)
{
  GtkWidget *scrolled;
  GtkWidget *clamp;
  GtkWidget *box;
  GtkWidget *group;
  GtkWidget *cancel_box;

  self->cancellable = g_cancellable_new ();

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  adw_bin_set_child (ADW_BIN (self), scrolled);

  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 600);
  gtk_widget_set_margin_top (clamp, 24);
  gtk_widget_set_margin_bottom (clamp, 24);
  gtk_widget_set_margin_start (clamp, 12);
  gtk_widget_set_margin_end (clamp, 12);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);

  /* Status */
  group = new_group (_("Two-Factor Authentication"),
                     _("Each login asks for a code from an app on your phone as well as your password."));
  self->status_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), _("Status"));
  self->enable_button = new_row_button (_("_Turn On…"), "suggested-action");
  self->disable_button = new_row_button (_("_Turn Off…"), "destructive-action");
  g_signal_connect_swapped (self->enable_button, "clicked", G_CALLBACK (enable_clicked_cb), self);
  g_signal_connect_swapped (self->disable_button, "clicked", G_CALLBACK (disable_clicked_cb), self);
  adw_action_row_add_suffix (self->status_row, GTK_WIDGET (self->enable_button));
  adw_action_row_add_suffix (self->status_row, GTK_WIDGET (self->disable_button));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->status_row));
  gtk_box_append (GTK_BOX (box), group);

  /* Setup */
  self->setup_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  gtk_widget_set_visible (self->setup_box, FALSE);
  gtk_box_append (GTK_BOX (box), self->setup_box);

  group = new_group (_("1. Scan the QR Code"),
                     _("Use any authenticator app for time-based codes (TOTP)."));
  self->qr_picture = GTK_PICTURE (gtk_picture_new ());
  gtk_picture_set_can_shrink (self->qr_picture, FALSE);
  gtk_widget_set_halign (GTK_WIDGET (self->qr_picture), GTK_ALIGN_CENTER);
  gtk_picture_set_alternative_text (self->qr_picture,
                                    _("QR code to add this account to an authenticator app"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->qr_picture),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("QR code for your authenticator app"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Scan it with your authenticator app, or type the setup key shown below it instead."),
                                  -1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->qr_picture));
  gtk_box_append (GTK_BOX (self->setup_box), group);

  /* Its own group: a group shows rows above other widgets, and the list
   * belongs under the QR code. */
  group = adw_preferences_group_new ();
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), new_authenticator_apps_row ());
  gtk_box_append (GTK_BOX (self->setup_box), group);

  group = new_group (_("Or Enter the Setup Key"),
                     _("In the app, choose to enter a key by hand. The key is time based."));
  self->key_row = ADW_ACTION_ROW (adw_action_row_new ());
  /* "property": the key, not the label, is what stands out. */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->key_row), _("Setup key"));
  gtk_widget_add_css_class (GTK_WIDGET (self->key_row), "property");
  gtk_widget_add_css_class (GTK_WIDGET (self->key_row), "monospace");
  self->copy_key_button = GTK_BUTTON (gtk_button_new_from_icon_name ("edit-copy-symbolic"));
  gtk_widget_set_valign (GTK_WIDGET (self->copy_key_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->copy_key_button), "flat");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->copy_key_button), _("Copy the Setup Key"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->copy_key_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Copy the Setup Key"), -1);
  g_signal_connect_swapped (self->copy_key_button, "clicked", G_CALLBACK (copy_key_clicked_cb), self);
  adw_action_row_add_suffix (self->key_row, GTK_WIDGET (self->copy_key_button));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->key_row));
  gtk_box_append (GTK_BOX (self->setup_box), group);

  group = new_group (_("2. Enter the Code"),
                     _("Type the 6-digit code the app shows for this account."));
  self->code_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->code_row), _("6-digit code"));
  gtk_editable_set_max_width_chars (GTK_EDITABLE (self->code_row), 8);
  g_object_set (self->code_row, "input-purpose", GTK_INPUT_PURPOSE_DIGITS, NULL);
  g_signal_connect_swapped (self->code_row, "changed", G_CALLBACK (code_changed_cb), self);
  self->code_spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_widget_set_visible (GTK_WIDGET (self->code_spinner), FALSE);
  adw_entry_row_add_suffix (self->code_row, GTK_WIDGET (self->code_spinner));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->code_row));
  self->code_error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->code_error_label, TRUE);
  gtk_label_set_xalign (self->code_error_label, 0);
  gtk_widget_set_margin_top (GTK_WIDGET (self->code_error_label), 6);
  gtk_widget_add_css_class (GTK_WIDGET (self->code_error_label), "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->code_error_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Error"), -1);
  gtk_widget_set_visible (GTK_WIDGET (self->code_error_label), FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->code_error_label));
  gtk_box_append (GTK_BOX (self->setup_box), group);

  cancel_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_halign (cancel_box, GTK_ALIGN_CENTER);
  self->cancel_setup_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Cancel")));
  gtk_widget_add_css_class (GTK_WIDGET (self->cancel_setup_button), "pill");
  g_signal_connect_swapped (self->cancel_setup_button, "clicked", G_CALLBACK (cancel_setup_clicked_cb), self);
  gtk_box_append (GTK_BOX (cancel_box), GTK_WIDGET (self->cancel_setup_button));
  gtk_box_append (GTK_BOX (self->setup_box), cancel_box);

  /* Recovery codes */
  self->recovery_group = ADW_PREFERENCES_GROUP (new_group (_("Recovery Codes"),
                                                           _("Each code lets you log in once without your phone.")));
  self->recovery_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->recovery_row), _("Unused codes"));
  self->regenerate_button = new_row_button (_("_Regenerate…"), NULL);
  g_signal_connect_swapped (self->regenerate_button, "clicked", G_CALLBACK (regenerate_clicked_cb), self);
  adw_action_row_add_suffix (self->recovery_row, GTK_WIDGET (self->regenerate_button));
  adw_preferences_group_add (self->recovery_group, GTK_WIDGET (self->recovery_row));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->recovery_group));

  update (self);
}
