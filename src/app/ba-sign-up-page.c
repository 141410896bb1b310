/* ba-sign-up-page.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-sign-up-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ba-account-lifecycle.h"
#include "ba-error.h"
#include "ba-password-form.h"
#include "ba-sign-up-page-private.h"

G_DEFINE_FINAL_TYPE (BaSignUpPage, ba_sign_up_page, ADW_TYPE_BIN)

enum {
  SIGNAL_SIGNED_UP,
  SIGNAL_BACK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
dup_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static gboolean
can_submit (BaSignUpPage *self)
{
  g_autofree char *email = dup_text (self->email_row);

  return !self->busy && self->server_url != NULL && *email != '\0' &&
         ba_password_form_check (ADW_ENTRY_ROW (self->password_row),
                                 ADW_ENTRY_ROW (self->confirm_row));
}

static void
update (BaSignUpPage *self)
{
  g_autofree char *email = dup_text (self->email_row);
  g_autofree char *username = dup_text (self->username_row);

  ba_password_form_update_strength (self->strength_bar, self->strength_label,
                                    gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                    *username != '\0' ? username : NULL, email);
  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), can_submit (self));
}

static void
clear_error (BaSignUpPage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_set_visible (self->dashboard_button, FALSE);
  ba_password_form_set_row_error (self->email_row, FALSE);
  ba_password_form_set_row_error (self->username_row, FALSE);
  ba_password_form_set_row_error (ADW_ENTRY_ROW (self->password_row), FALSE);
}

static void
set_busy (BaSignUpPage *self,
          gboolean      busy)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  self->busy = !!busy;

  /* GTK 4.8 complains when a focused text field turns insensitive. */
  if (busy && GTK_IS_WINDOW (root))
    gtk_window_set_focus (GTK_WINDOW (root), NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->create_spinner), busy);
  gtk_spinner_set_spinning (self->create_spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->email_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->username_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_row), !busy);
  update (self);
}

/* Shows @error under the form and marks the field it is about. */
static void
show_error (BaSignUpPage *self,
            const GError *error)
{
  AdwEntryRow *row = NULL;

  gtk_label_set_text (self->error_label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);

  switch (ba_lifecycle_error_field (error))
    {
    case BA_LIFECYCLE_FIELD_EMAIL:
      row = self->email_row;
      break;
    case BA_LIFECYCLE_FIELD_USERNAME:
      row = self->username_row;
      break;
    case BA_LIFECYCLE_FIELD_PASSWORD:
      row = ADW_ENTRY_ROW (self->password_row);
      break;
    case BA_LIFECYCLE_FIELD_NONE:
    case BA_LIFECYCLE_FIELD_CURRENT_PASSWORD:
    case BA_LIFECYCLE_FIELD_TOKEN:
    default:
      break;
    }

  /* balenaCloud signs up on its dashboard (with a captcha), and other
   * servers may have no sign-up at all. */
  if (g_error_matches (error, BA_ERROR, BA_ERROR_NOT_SUPPORTED))
    {
      g_autofree char *text = NULL;
      g_autofree char *url = ba_lifecycle_dashboard_url (self->server_url, "signup");

      text = g_strdup (url != NULL
                       ? _("This server does not accept sign-ups from this app. Create your account on the dashboard, then log in here.")
                       : _("This server does not accept sign-ups from this app."));
      gtk_label_set_text (self->error_label, text);
      gtk_widget_set_visible (self->dashboard_button, url != NULL);
    }

  if (row != NULL)
    {
      ba_password_form_set_row_error (row, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (row));
    }
}

typedef struct
{
  BaSignUpPage *self;
  GCancellable *cancellable;
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->self);
  g_clear_object (&request->cancellable);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static void
signed_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  BaSignUpPage *self = request->self;

  account = ba_account_sign_up_finish (result, &error);

  if (g_cancellable_is_cancelled (request->cancellable))
    return;

  set_busy (self, FALSE);

  if (account == NULL)
    {
      g_debug ("Sign-up failed: %s", error->message);
      show_error (self, error);
      return;
    }

  /* The passwords have done their job. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");

  g_signal_emit (self, signals[SIGNAL_SIGNED_UP], 0, account);
}

static void
submit (BaSignUpPage *self)
{
  g_autofree char *email = NULL;
  g_autofree char *username = NULL;
  Request *request;

  if (!can_submit (self))
    return;

  clear_error (self);
  email = dup_text (self->email_row);
  username = dup_text (self->username_row);

  set_busy (self, TRUE);

  request = g_new0 (Request, 1);
  request->self = g_object_ref (self);
  request->cancellable = g_object_ref (self->cancellable);

  ba_account_sign_up_async (self->server_url, email, *username != '\0' ? username : NULL,
                            gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                            self->secret_store, self->vault, self->cancellable,
                            signed_up_cb, request);
}

static void
entry_changed_cb (BaSignUpPage *self,
                  GtkEditable  *editable)
{
  if (editable != GTK_EDITABLE (self->confirm_row))
    ba_password_form_set_row_error (ADW_ENTRY_ROW (editable), FALSE);
  update (self);
}

static void
entry_activated_cb (BaSignUpPage *self,
                    AdwEntryRow  *row)
{
  if (can_submit (self))
    submit (self);
  else if (row == self->email_row)
    gtk_widget_grab_focus (GTK_WIDGET (self->username_row));
  else if (row == self->username_row)
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
  else if (row == ADW_ENTRY_ROW (self->password_row))
    gtk_widget_grab_focus (GTK_WIDGET (self->confirm_row));
}

static void
create_button_clicked_cb (BaSignUpPage *self,
                          GtkButton    *button)
{
  submit (self);
}

static void
dashboard_button_clicked_cb (BaSignUpPage *self,
                             GtkButton    *button)
{
  ba_password_form_open_dashboard (GTK_WIDGET (self), self->server_url, "signup");
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BaSignUpPage *self = BA_SIGN_UP_PAGE (widget);

  if (!self->busy)
    g_signal_emit (self, signals[SIGNAL_BACK], 0);
}

static void
ba_sign_up_page_dispose (GObject *object)
{
  BaSignUpPage *self = BA_SIGN_UP_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_SIGN_UP_PAGE);
  g_clear_object (&self->secret_store);
  g_clear_object (&self->vault);

  G_OBJECT_CLASS (ba_sign_up_page_parent_class)->dispose (object);
}

static void
ba_sign_up_page_finalize (GObject *object)
{
  BaSignUpPage *self = BA_SIGN_UP_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->server_url, g_free);

  G_OBJECT_CLASS (ba_sign_up_page_parent_class)->finalize (object);
}

static void
ba_sign_up_page_class_init (BaSignUpPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_sign_up_page_dispose;
  object_class->finalize = ba_sign_up_page_finalize;

  signals[SIGNAL_SIGNED_UP] =
    g_signal_new ("signed-up",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, BA_TYPE_ACCOUNT);
  signals[SIGNAL_BACK] =
    g_signal_new ("back",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "sign-up.back", NULL, back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "sign-up.back", NULL);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ba-sign-up-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaSignUpPage, server_label);
  gtk_widget_class_bind_template_child (widget_class, BaSignUpPage, email_row);
  gtk_widget_class_bind_template_child (widget_class, BaSignUpPage, username_row);
  gtk_widget_class_bind_template_child (widget_class, BaSignUpPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, BaSignUpPage, strength_bar);
  gtk_widget_class_bind_template_child (widget_class, BaSignUpPage, strength_label);
  gtk_widget_class_bind_template_child (widget_class, BaSignUpPage, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, BaSignUpPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, BaSignUpPage, dashboard_button);
  gtk_widget_class_bind_template_child (widget_class, BaSignUpPage, create_button);
  gtk_widget_class_bind_template_child (widget_class, BaSignUpPage, create_spinner);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, create_button_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, dashboard_button_clicked_cb);
}

static void
ba_sign_up_page_init (BaSignUpPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  update (self);
}

void
ba_sign_up_page_set_storage (BaSignUpPage  *self,
                             BaSecretStore *secret_store,
                             BaVault       *vault)
{
  g_return_if_fail (BA_IS_SIGN_UP_PAGE (self));

  g_set_object (&self->secret_store, secret_store);
  g_set_object (&self->vault, vault);
}

void
ba_sign_up_page_reset (BaSignUpPage *self,
                       const char   *server_url)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (BA_IS_SIGN_UP_PAGE (self));

  /* A request still running belongs to the old form. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->busy = FALSE;
  set_busy (self, FALSE);

  g_free (self->server_url);
  self->server_url = g_strdup (server_url);

  uri = server_url != NULL ? g_uri_parse (server_url, G_URI_FLAGS_NONE, NULL) : NULL;
  /* Translators: %s is a server's host name, such as api.balena-cloud.com. */
  text = g_strdup_printf (_("A new account on %s"),
                          uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri)
                                                                      : (server_url != NULL ? server_url : ""));
  gtk_label_set_text (self->server_label, text);

  gtk_editable_set_text (GTK_EDITABLE (self->email_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->username_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
  clear_error (self);
  update (self);

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self->email_row));
}
