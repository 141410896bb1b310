/* ba-token-login-dialog.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-token-login-dialog"

#include "config.h"

#include "ba-token-login-dialog-private.h"

#include "ba-account.h"
#include "ba-error.h"

#include <glib/gi18n.h>

G_DEFINE_FINAL_TYPE (BaTokenLoginDialog, ba_token_login_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_LOGGED_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_button (BaTokenLoginDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->token_row));

  gtk_widget_set_sensitive (GTK_WIDGET (self->login_button), !self->busy && *text != '\0');
}

static void
set_busy (BaTokenLoginDialog *self,
          gboolean            busy)
{
  self->busy = !!busy;
  if (busy)
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->token_row), !busy);
  update_button (self);
}

typedef struct
{
  BaTokenLoginDialog *self;
  GCancellable       *cancellable;
} LoginRequest;

static void
login_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  LoginRequest *request = user_data;
  BaTokenLoginDialog *self = request->self;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = ba_account_login_with_token_finish (result, &error);

  if (!g_cancellable_is_cancelled (request->cancellable))
    {
      set_busy (self, FALSE);

      if (account != NULL)
        {
          /* The token is in the keyring now; not in this widget. */
          gtk_editable_set_text (GTK_EDITABLE (self->token_row), "");
          g_signal_emit (self, signals[SIGNAL_LOGGED_IN], 0, account);
          gtk_window_destroy (GTK_WINDOW (self));
        }
      else
        {
          g_debug ("Token login failed: %s", error->message);
          gtk_label_set_text (self->error_label, error->message);
          gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
          gtk_widget_add_css_class (GTK_WIDGET (self->token_row), "error");
          gtk_widget_grab_focus (GTK_WIDGET (self->token_row));
          gtk_editable_select_region (GTK_EDITABLE (self->token_row), 0, -1);
        }
    }

  g_object_unref (request->cancellable);
  g_free (request);
}

static void
submit (BaTokenLoginDialog *self)
{
  LoginRequest *request;

  if (self->busy || *gtk_editable_get_text (GTK_EDITABLE (self->token_row)) == '\0')
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->token_row), "error");
  set_busy (self, TRUE);

  request = g_new0 (LoginRequest, 1);
  /* No reference: closing the window disposes it, which cancels, and
   * the answer then leaves it alone. */
  request->self = self;
  request->cancellable = g_object_ref (self->cancellable);
  ba_account_login_with_token_async (self->api_url,
                                     gtk_editable_get_text (GTK_EDITABLE (self->token_row)),
                                     self->secret_store, self->vault, self->cancellable,
                                     login_cb, request);
}

static void
login_clicked_cb (BaTokenLoginDialog *self)
{
  submit (self);
}

static void
token_changed_cb (BaTokenLoginDialog *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->token_row), "error");
  update_button (self);
}

static void
ba_token_login_dialog_dispose (GObject *object)
{
  BaTokenLoginDialog *self = BA_TOKEN_LOGIN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_TOKEN_LOGIN_DIALOG);

  g_clear_object (&self->secret_store);
  g_clear_object (&self->vault);

  G_OBJECT_CLASS (ba_token_login_dialog_parent_class)->dispose (object);
}

static void
ba_token_login_dialog_finalize (GObject *object)
{
  BaTokenLoginDialog *self = BA_TOKEN_LOGIN_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->api_url, g_free);

  G_OBJECT_CLASS (ba_token_login_dialog_parent_class)->finalize (object);
}

static void
ba_token_login_dialog_class_init (BaTokenLoginDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_token_login_dialog_dispose;
  object_class->finalize = ba_token_login_dialog_finalize;

  signals[SIGNAL_LOGGED_IN] =
    g_signal_new ("logged-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, BA_TYPE_ACCOUNT);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ba-token-login-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, BaTokenLoginDialog, token_row);
  gtk_widget_class_bind_template_child (widget_class, BaTokenLoginDialog, server_label);
  gtk_widget_class_bind_template_child (widget_class, BaTokenLoginDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, BaTokenLoginDialog, login_button);
  gtk_widget_class_bind_template_child (widget_class, BaTokenLoginDialog, spinner);
  gtk_widget_class_bind_template_callback (widget_class, login_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, token_changed_cb);
}

static void
ba_token_login_dialog_init (BaTokenLoginDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  update_button (self);
}

BaTokenLoginDialog *
ba_token_login_dialog_new (GtkWindow     *parent,
                           const char    *api_url,
                           BaSecretStore *secret_store,
                           BaVault       *vault)
{
  BaTokenLoginDialog *self;
  g_autofree char *server = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (api_url != NULL, NULL);

  self = g_object_new (BA_TYPE_TOKEN_LOGIN_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->api_url = g_strdup (api_url);
  self->secret_store = secret_store != NULL ? g_object_ref (secret_store) : NULL;
  self->vault = vault != NULL ? g_object_ref (vault) : NULL;

  /* Translators: %s is a server address. */
  server = g_strdup_printf (_("Server: %s"), api_url);
  gtk_label_set_text (self->server_label, server);

  return self;
}
