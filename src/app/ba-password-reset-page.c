/* ba-password-reset-page.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-password-reset-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ba-account-lifecycle.h"
#include "ba-error.h"
#include "ba-password-form.h"
#include "ba-password-reset-page-private.h"

G_DEFINE_FINAL_TYPE (BaPasswordResetPage, ba_password_reset_page, ADW_TYPE_BIN)

enum {
  SIGNAL_LOGGED_IN,
  SIGNAL_NEEDS_CODE,
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
can_send (BaPasswordResetPage *self)
{
  g_autofree char *email = dup_text (self->email_row);

  return !self->busy && self->server_url != NULL && strchr (email, '@') != NULL;
}

static gboolean
can_reset (BaPasswordResetPage *self)
{
  g_autofree char *token = dup_text (self->token_row);

  return !self->busy && *token != '\0' &&
         ba_password_form_check (ADW_ENTRY_ROW (self->password_row),
                                 ADW_ENTRY_ROW (self->confirm_row));
}

static void
update (BaPasswordResetPage *self)
{
  g_autofree char *email = dup_text (self->email_row);

  ba_password_form_update_strength (self->strength_bar, self->strength_label,
                                    gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                    NULL, email);
  gtk_widget_set_sensitive (GTK_WIDGET (self->send_button), can_send (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->reset_button), can_reset (self));
}

static void
set_busy (BaPasswordResetPage *self,
          gboolean             busy)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  self->busy = !!busy;

  if (busy && GTK_IS_WINDOW (root))
    gtk_window_set_focus (GTK_WINDOW (root), NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->send_spinner), busy);
  gtk_spinner_set_spinning (self->send_spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->reset_spinner), busy);
  gtk_spinner_set_spinning (self->reset_spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->email_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->token_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->confirm_row), !busy);
  update (self);
}

static void
clear_errors (BaPasswordResetPage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->request_error_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->complete_error_label), FALSE);
  gtk_widget_set_visible (self->dashboard_button, FALSE);
  ba_password_form_set_row_error (self->email_row, FALSE);
  ba_password_form_set_row_error (self->token_row, FALSE);
  ba_password_form_set_row_error (ADW_ENTRY_ROW (self->password_row), FALSE);
}

static void
show_error (BaPasswordResetPage *self,
            GtkLabel            *label,
            const GError        *error)
{
  AdwEntryRow *row = NULL;

  gtk_label_set_text (label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (label), TRUE);

  /* balenaCloud resets passwords on its dashboard only (account-api.md
   * section 8). */
  if (g_error_matches (error, BA_ERROR, BA_ERROR_NOT_SUPPORTED))
    {
      g_autofree char *url = ba_lifecycle_dashboard_url (self->server_url, "password-reset");

      gtk_label_set_text (label,
                          url != NULL
                          ? _("This server does not support resetting the password from this app. You can reset it on the dashboard.")
                          : _("This server does not support resetting the password from this app."));
      gtk_widget_set_visible (self->dashboard_button, url != NULL);
      return;
    }

  switch (ba_lifecycle_error_field (error))
    {
    case BA_LIFECYCLE_FIELD_EMAIL:
      row = self->email_row;
      break;
    case BA_LIFECYCLE_FIELD_TOKEN:
      row = self->token_row;
      break;
    case BA_LIFECYCLE_FIELD_PASSWORD:
      row = ADW_ENTRY_ROW (self->password_row);
      break;
    case BA_LIFECYCLE_FIELD_NONE:
    case BA_LIFECYCLE_FIELD_USERNAME:
    case BA_LIFECYCLE_FIELD_CURRENT_PASSWORD:
    default:
      break;
    }

  if (row != NULL)
    {
      ba_password_form_set_row_error (row, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (row));
    }
}

typedef struct
{
  BaPasswordResetPage *self;
  GCancellable        *cancellable;
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->self);
  g_clear_object (&request->cancellable);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static Request *
request_new (BaPasswordResetPage *self)
{
  Request *request = g_new0 (Request, 1);

  request->self = g_object_ref (self);
  request->cancellable = g_object_ref (self->cancellable);

  return request;
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *email = NULL;
  g_autofree char *text = NULL;
  BaPasswordResetPage *self = request->self;

  ba_account_request_password_reset_finish (result, &error);

  if (g_cancellable_is_cancelled (request->cancellable))
    return;

  set_busy (self, FALSE);

  if (error != NULL)
    {
      show_error (self, self->request_error_label, error);
      return;
    }

  /* The same words whether or not the account exists: the server does
   * not say, and neither do we. */
  email = dup_text (self->email_row);
  /* Translators: %s is an email address. */
  text = g_strdup_printf (_("If there is an account for %s, a mail with a link to reset its password is on its way. The link works once, within one hour."),
                          email);
  gtk_label_set_text (self->sent_label, text);
  gtk_stack_set_visible_child_name (self->stack, "complete");
  gtk_widget_grab_focus (GTK_WIDGET (self->token_row));
}

static void
send_cb (BaPasswordResetPage *self)
{
  g_autofree char *email = NULL;

  if (!can_send (self))
    return;

  clear_errors (self);
  email = dup_text (self->email_row);
  set_busy (self, TRUE);
  ba_account_request_password_reset_async (self->server_url, email, self->cancellable,
                                           sent_cb, request_new (self));
}

static void
reset_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(Request) request = user_data;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  BaPasswordResetPage *self = request->self;

  account = ba_account_reset_password_finish (result, &error);

  if (g_cancellable_is_cancelled (request->cancellable))
    return;

  set_busy (self, FALSE);

  /* The password is set, but the account has two-factor authentication:
   * the new session waits for the code, which the login page asks for. */
  if (account == NULL && g_error_matches (error, BA_ERROR, BA_ERROR_TWO_FACTOR_REQUIRED))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
      g_signal_emit (self, signals[SIGNAL_NEEDS_CODE], 0);
      return;
    }

  if (account == NULL)
    {
      g_debug ("Password reset failed: %s", error->message);
      show_error (self, self->complete_error_label, error);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");

  g_signal_emit (self, signals[SIGNAL_LOGGED_IN], 0, account);
}

static void
reset_cb (BaPasswordResetPage *self)
{
  g_autofree char *token = NULL;

  if (!can_reset (self))
    return;

  clear_errors (self);
  token = dup_text (self->token_row);
  set_busy (self, TRUE);
  ba_account_reset_password_async (self->server_url, token,
                                   gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                   self->secret_store, self->vault, self->cancellable,
                                   reset_done_cb, request_new (self));
}

static void
changed_cb (BaPasswordResetPage *self,
            GtkEditable         *editable)
{
  if (editable != GTK_EDITABLE (self->confirm_row))
    ba_password_form_set_row_error (ADW_ENTRY_ROW (editable), FALSE);
  update (self);
}

static void
again_cb (BaPasswordResetPage *self)
{
  clear_errors (self);
  gtk_stack_set_visible_child_name (self->stack, "request");
  gtk_widget_grab_focus (GTK_WIDGET (self->email_row));
}

static void
dashboard_cb (BaPasswordResetPage *self)
{
  ba_password_form_open_dashboard (GTK_WIDGET (self), self->server_url, "password-reset");
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BaPasswordResetPage *self = BA_PASSWORD_RESET_PAGE (widget);

  if (!self->busy)
    g_signal_emit (self, signals[SIGNAL_BACK], 0);
}

static void
ba_password_reset_page_dispose (GObject *object)
{
  BaPasswordResetPage *self = BA_PASSWORD_RESET_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_PASSWORD_RESET_PAGE);
  g_clear_object (&self->secret_store);
  g_clear_object (&self->vault);

  G_OBJECT_CLASS (ba_password_reset_page_parent_class)->dispose (object);
}

static void
ba_password_reset_page_finalize (GObject *object)
{
  BaPasswordResetPage *self = BA_PASSWORD_RESET_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->server_url, g_free);

  G_OBJECT_CLASS (ba_password_reset_page_parent_class)->finalize (object);
}

static void
ba_password_reset_page_class_init (BaPasswordResetPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_password_reset_page_dispose;
  object_class->finalize = ba_password_reset_page_finalize;

  signals[SIGNAL_LOGGED_IN] =
    g_signal_new ("logged-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, BA_TYPE_ACCOUNT);
  /* The new password is set, and the account asks for a two-factor code
   * before it opens: log in again. */
  signals[SIGNAL_NEEDS_CODE] =
    g_signal_new ("needs-code",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[SIGNAL_BACK] =
    g_signal_new ("back",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "reset.back", NULL, back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "reset.back", NULL);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ba-password-reset-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BaPasswordResetPage, stack);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordResetPage, email_row);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordResetPage, request_error_label);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordResetPage, send_button);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordResetPage, send_spinner);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordResetPage, sent_label);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordResetPage, token_row);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordResetPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordResetPage, confirm_row);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordResetPage, strength_bar);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordResetPage, strength_label);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordResetPage, complete_error_label);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordResetPage, reset_button);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordResetPage, reset_spinner);
  gtk_widget_class_bind_template_child (widget_class, BaPasswordResetPage, dashboard_button);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, send_cb);
  gtk_widget_class_bind_template_callback (widget_class, reset_cb);
  gtk_widget_class_bind_template_callback (widget_class, again_cb);
  gtk_widget_class_bind_template_callback (widget_class, dashboard_cb);
}

static void
ba_password_reset_page_init (BaPasswordResetPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  update (self);
}

void
ba_password_reset_page_set_storage (BaPasswordResetPage *self,
                                    BaSecretStore       *secret_store,
                                    BaVault             *vault)
{
  g_return_if_fail (BA_IS_PASSWORD_RESET_PAGE (self));

  g_set_object (&self->secret_store, secret_store);
  g_set_object (&self->vault, vault);
}

void
ba_password_reset_page_reset (BaPasswordResetPage *self,
                              const char          *server_url,
                              const char          *email)
{
  g_return_if_fail (BA_IS_PASSWORD_RESET_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, FALSE);

  g_free (self->server_url);
  self->server_url = g_strdup (server_url);

  gtk_editable_set_text (GTK_EDITABLE (self->email_row),
                         email != NULL && strchr (email, '@') != NULL ? email : "");
  gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->confirm_row), "");
  clear_errors (self);
  gtk_stack_set_visible_child_name (self->stack, "request");
  update (self);

  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self->email_row));
}
