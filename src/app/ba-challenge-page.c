/* ba-challenge-page.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-challenge-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ba-account-two-factor.h"
#include "ba-challenge-page-private.h"
#include "ba-error.h"
#include "ba-window.h"

/* The login page's form while the challenge stands in for it. */
#define FORM_KEY "ba-challenge-form"

/* Below this many unused recovery codes the toast after a login with one
 * says so more urgently. */
#define FEW_CODES 3

G_DEFINE_FINAL_TYPE (BaChallengePage, ba_challenge_page, ADW_TYPE_BIN)

static void
update (BaChallengePage *self)
{
  if (self->recovery_mode)
    {
      gtk_label_set_text (self->description_label,
                          _("Enter one of the recovery codes you saved when you turned on two-factor authentication. Each code works once."));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->code_row), _("Recovery code"));
      gtk_button_set_label (self->switch_button, _("Use Your Authenticator App Instead"));
      g_object_set (self->code_row, "input-purpose", GTK_INPUT_PURPOSE_FREE_FORM, NULL);
    }
  else
    {
      gtk_label_set_text (self->description_label,
                          _("Enter the 6-digit code from your authenticator app."));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->code_row), _("6-digit code"));
      gtk_button_set_label (self->switch_button, _("Use a Recovery Code Instead"));
      g_object_set (self->code_row, "input-purpose", GTK_INPUT_PURPOSE_DIGITS, NULL);
    }

  /* Not insensitive: taking the focus from a GtkText that way loses
   * its focus-out (GTK 4.8 warns). Read-only while a request runs. */
  gtk_editable_set_editable (GTK_EDITABLE (self->code_row), !self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->verify_button),
                            !self->busy && *gtk_editable_get_text (GTK_EDITABLE (self->code_row)) != '\0');
  gtk_widget_set_sensitive (GTK_WIDGET (self->switch_button), !self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
}

static void
set_busy (BaChallengePage *self,
          gboolean         busy)
{
  self->busy = busy;
  update (self);
}

static void
show_error (BaChallengePage *self,
            const char      *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->code_row), "error");
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
  gtk_editable_select_region (GTK_EDITABLE (self->code_row), 0, -1);
}

static void
toast (GtkWidget  *widget,
       const char *message)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  if (BA_IS_WINDOW (root))
    ba_window_add_toast (BA_WINDOW (root), message);
}

/* After a login with a recovery code: how many are left, with a nudge. */
static void
count_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GtkWidget) login_page = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  guint unused = 0;

  if (!ba_account_count_recovery_codes_finish (BA_ACCOUNT (object), result, NULL, &unused, &error))
    {
      g_debug ("Could not count the recovery codes: %s", error->message);
      return;
    }

  if (unused <= FEW_CODES)
    /* Translators: shown after a login with a recovery code. */
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "Only %u recovery code left. Get new ones in Two-factor now.",
                                            "Only %u recovery codes left. Get new ones in Two-factor now.",
                                            unused), unused);
  else
    /* Translators: shown after a login with a recovery code. */
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "Recovery code used. %u left; you can get a new set in Two-factor.",
                                            "Recovery code used. %u left; you can get a new set in Two-factor.",
                                            unused), unused);
  toast (login_page, message);
}

static void
answered_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(BaChallengePage) self = user_data;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  BaLoginPage *login_page;
  gboolean used_recovery_code;

  account = ba_login_challenge_answer_finish (BA_LOGIN_CHALLENGE (object), result, &error);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  set_busy (self, FALSE);

  if (account == NULL)
    {
      g_debug ("Two-factor challenge failed: %s", error->message);
      if (g_error_matches (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS) && self->recovery_mode)
        show_error (self, _("That recovery code is not valid or was already used."));
      else
        show_error (self, error->message);

      /* A partial token that expired cannot be answered again. */
      if (g_error_matches (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN))
        gtk_widget_set_sensitive (GTK_WIDGET (self->verify_button), FALSE);
      return;
    }

  used_recovery_code = self->recovery_mode;
  login_page = self->login_page;
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");

  /* This page goes away with the form's return. */
  g_cancellable_cancel (self->cancellable);
  ba_challenge_page_dismiss (login_page);
  g_signal_emit_by_name (login_page, "logged-in", account);

  if (used_recovery_code)
    ba_account_count_recovery_codes_async (account, NULL, count_cb, g_object_ref (login_page));
}

static void
submit (BaChallengePage *self)
{
  const char *code = gtk_editable_get_text (GTK_EDITABLE (self->code_row));

  if (self->busy || *code == '\0')
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  set_busy (self, TRUE);
  ba_login_challenge_answer_async (self->challenge, code, self->cancellable,
                                   answered_cb, g_object_ref (self));
}

static void
code_changed_cb (BaChallengePage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->code_row));
  guint digits = 0;

  gtk_widget_remove_css_class (GTK_WIDGET (self->code_row), "error");
  update (self);

  if (self->recovery_mode)
    return;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits++;
      else if (*p != ' ')
        return;
    }

  /* A complete code sends itself. */
  if (digits == 6)
    submit (self);
}

static void
switch_clicked_cb (BaChallengePage *self)
{
  self->recovery_mode = !self->recovery_mode;
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  update (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

static void
back_clicked_cb (BaChallengePage *self)
{
  ba_challenge_page_dismiss (self->login_page);
}

static void
ba_challenge_page_dispose (GObject *object)
{
  BaChallengePage *self = (BaChallengePage *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->challenge);
  g_clear_weak_pointer (&self->login_page);

  G_OBJECT_CLASS (ba_challenge_page_parent_class)->dispose (object);
}

static void
ba_challenge_page_finalize (GObject *object)
{
  BaChallengePage *self = (BaChallengePage *)object;

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ba_challenge_page_parent_class)->finalize (object);
}

static void
ba_challenge_page_class_init (BaChallengePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_challenge_page_dispose;
  object_class->finalize = ba_challenge_page_finalize;
}

static void
ba_challenge_page_init (BaChallengePage *self)
{
  GtkWidget *outer;
  GtkWidget *header;
  GtkWidget *clamp;
  GtkWidget *box;
  GtkWidget *icon;
  GtkWidget *group;

  self->cancellable = g_cancellable_new ();

  outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  adw_bin_set_child (ADW_BIN (self), outer);

  header = adw_header_bar_new ();
  gtk_widget_add_css_class (header, "flat");
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), adw_window_title_new ("", NULL));
  self->back_button = GTK_BUTTON (gtk_button_new_from_icon_name ("go-previous-symbolic"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->back_button), _("Back to the Password"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->back_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Back to the Password"), -1);
  g_signal_connect_swapped (self->back_button, "clicked", G_CALLBACK (back_clicked_cb), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (self->back_button));
  gtk_box_append (GTK_BOX (outer), header);

  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 420);
  gtk_widget_set_vexpand (clamp, TRUE);
  gtk_widget_set_margin_start (clamp, 12);
  gtk_widget_set_margin_end (clamp, 12);
  gtk_widget_set_margin_bottom (clamp, 24);
  gtk_box_append (GTK_BOX (outer), clamp);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);

  icon = gtk_image_new_from_icon_name ("security-high-symbolic");
  gtk_image_set_pixel_size (GTK_IMAGE (icon), 64);
  gtk_widget_add_css_class (icon, "dim-label");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  gtk_box_append (GTK_BOX (box), icon);

  self->title_label = GTK_LABEL (gtk_label_new (_("Two-Factor Authentication")));
  gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "title-1");
  gtk_label_set_wrap (self->title_label, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->title_label));

  self->description_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->description_label, TRUE);
  gtk_label_set_justify (self->description_label, GTK_JUSTIFY_CENTER);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->description_label));

  group = adw_preferences_group_new ();
  self->code_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  g_signal_connect_swapped (self->code_row, "changed", G_CALLBACK (code_changed_cb), self);
  g_signal_connect_swapped (self->code_row, "entry-activated", G_CALLBACK (submit), self);
  adw_entry_row_set_activates_default (self->code_row, FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->code_row));
  gtk_box_append (GTK_BOX (box), group);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->error_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Error"), -1);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->error_label));

  self->verify_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Verify")));
  gtk_widget_set_halign (GTK_WIDGET (self->verify_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->verify_button), "suggested-action");
  gtk_widget_add_css_class (GTK_WIDGET (self->verify_button), "pill");
  g_signal_connect_swapped (self->verify_button, "clicked", G_CALLBACK (submit), self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->verify_button));

  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->spinner));

  self->switch_button = GTK_BUTTON (gtk_button_new ());
  gtk_widget_set_halign (GTK_WIDGET (self->switch_button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->switch_button), "flat");
  g_signal_connect_swapped (self->switch_button, "clicked", G_CALLBACK (switch_clicked_cb), self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->switch_button));

  update (self);
}

BaChallengePage *
ba_challenge_page_get_for (BaLoginPage *login_page)
{
  GtkWidget *child;

  g_return_val_if_fail (BA_IS_LOGIN_PAGE (login_page), NULL);

  child = adw_bin_get_child (ADW_BIN (login_page));

  return BA_IS_CHALLENGE_PAGE (child) ? BA_CHALLENGE_PAGE (child) : NULL;
}

void
ba_challenge_page_present (BaLoginPage      *login_page,
                           BaLoginChallenge *challenge)
{
  BaChallengePage *self;
  GtkWidget *form;

  g_return_if_fail (BA_IS_LOGIN_PAGE (login_page));
  g_return_if_fail (BA_IS_LOGIN_CHALLENGE (challenge));

  ba_challenge_page_dismiss (login_page);

  form = adw_bin_get_child (ADW_BIN (login_page));
  g_object_set_data_full (G_OBJECT (login_page), FORM_KEY, g_object_ref (form), g_object_unref);

  self = g_object_new (BA_TYPE_CHALLENGE_PAGE, NULL);
  self->challenge = g_object_ref (challenge);
  g_set_weak_pointer (&self->login_page, login_page);
  adw_bin_set_child (ADW_BIN (login_page), GTK_WIDGET (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

void
ba_challenge_page_dismiss (BaLoginPage *login_page)
{
  GtkWidget *form;

  g_return_if_fail (BA_IS_LOGIN_PAGE (login_page));

  form = g_object_get_data (G_OBJECT (login_page), FORM_KEY);
  if (form == NULL)
    return;

  adw_bin_set_child (ADW_BIN (login_page), form);
  g_object_set_data (G_OBJECT (login_page), FORM_KEY, NULL);
  ba_login_page_focus (login_page);
}
