/* ba-browser-login-dialog.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-browser-login-dialog"

#include "config.h"

#include "ba-browser-login-dialog-private.h"

#include "ba-account.h"
#include "ba-error.h"

#include <glib/gi18n.h>

G_DEFINE_FINAL_TYPE (BaBrowserLoginDialog, ba_browser_login_dialog, ADW_TYPE_WINDOW)

enum {
  SIGNAL_LOGGED_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static BaOpenUriFunc test_open_uri;
static guint test_timeout;

void
ba_browser_login_dialog_set_test_hooks (BaOpenUriFunc open_uri,
                                        guint         timeout)
{
  test_open_uri = open_uri;
  test_timeout = timeout;
}

void
ba_browser_login_dialog_uri_opened (BaBrowserLoginDialog *self,
                                    const GError         *error)
{
  g_return_if_fail (BA_IS_BROWSER_LOGIN_DIALOG (self));

  /* Without a browser the link is still there to copy; the wait goes on. */
  if (error != NULL)
    {
      g_message ("Could not open the browser: %s", error->message);
      gtk_widget_set_visible (self->no_browser_box, TRUE);
    }
}

typedef struct
{
  BaBrowserLoginDialog *self;
  GCancellable         *cancellable;
} OpenRequest;

static void
show_uri_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  OpenRequest *request = user_data;
  g_autoptr(GError) error = NULL;

  gtk_show_uri_full_finish (GTK_WINDOW (object), result, &error);

  /* The dialog cancels when it goes away, so it is alive if not. */
  if (!g_cancellable_is_cancelled (request->cancellable))
    ba_browser_login_dialog_uri_opened (request->self, error);

  g_object_unref (request->cancellable);
  g_free (request);
}

static void
default_open_uri (BaBrowserLoginDialog *self,
                  const char           *url)
{
  OpenRequest *request = g_new0 (OpenRequest, 1);
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  request->self = self;
  request->cancellable = g_object_ref (self->cancellable);

  /* GtkUriLauncher is GTK 4.10; gtk_show_uri_full() goes through the
   * OpenURI portal where there is one. */
  gtk_show_uri_full (parent != NULL ? parent : GTK_WINDOW (self), url, GDK_CURRENT_TIME,
                     self->cancellable, show_uri_cb, request);
}

typedef struct
{
  BaBrowserLoginDialog *self;
  GCancellable         *cancellable;
} WaitRequest;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  WaitRequest *request = user_data;
  BaBrowserLoginDialog *self = request->self;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  gboolean current;

  account = ba_browser_login_wait_finish (BA_BROWSER_LOGIN (object), result, &error);
  current = !g_cancellable_is_cancelled (request->cancellable);

  if (current && account != NULL)
    {
      g_signal_emit (self, signals[SIGNAL_LOGGED_IN], 0, account);
      gtk_window_destroy (GTK_WINDOW (self));
    }
  else if (current)
    {
      g_debug ("Browser login failed: %s", error->message);
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      gtk_button_set_label (self->cancel_button, _("_Close"));
    }

  g_object_unref (request->cancellable);
  g_free (request);
}

void
ba_browser_login_dialog_start (BaBrowserLoginDialog *self)
{
  g_autoptr(GError) error = NULL;
  WaitRequest *request;

  g_return_if_fail (BA_IS_BROWSER_LOGIN_DIALOG (self));

  /* A new attempt gets a new listener and a new port. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_object (&self->login);

  gtk_widget_set_visible (self->no_browser_box, FALSE);
  gtk_button_set_label (self->cancel_button, _("_Cancel"));

  self->login = ba_browser_login_new (self->api_url, self->dashboard_url, &error);
  if (self->login == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  if (self->timeout > 0)
    ba_browser_login_set_timeout (self->login, self->timeout);

  gtk_label_set_text (self->link_label, ba_browser_login_get_url (self->login));
  gtk_stack_set_visible_child_name (self->stack, "waiting");

  /* No reference: closing the window must dispose it, which cancels. */
  request = g_new0 (WaitRequest, 1);
  request->self = self;
  request->cancellable = g_object_ref (self->cancellable);
  ba_browser_login_wait_async (self->login, self->secret_store, self->vault, self->cancellable,
                               wait_cb, request);

  self->open_uri (self, ba_browser_login_get_url (self->login));
}

static void
open_again_clicked_cb (BaBrowserLoginDialog *self)
{
  if (self->login != NULL)
    self->open_uri (self, ba_browser_login_get_url (self->login));
}

static void
copy_link_clicked_cb (BaBrowserLoginDialog *self)
{
  /* The link carries no secret: only the address of our listener. */
  if (self->login != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)),
                            ba_browser_login_get_url (self->login));
}

static void
try_again_clicked_cb (BaBrowserLoginDialog *self)
{
  ba_browser_login_dialog_start (self);
}

static void
ba_browser_login_dialog_dispose (GObject *object)
{
  BaBrowserLoginDialog *self = BA_BROWSER_LOGIN_DIALOG (object);

  /* Closing the window is cancelling: the listener closes. */
  g_cancellable_cancel (self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_BROWSER_LOGIN_DIALOG);

  g_clear_object (&self->login);
  g_clear_object (&self->secret_store);
  g_clear_object (&self->vault);

  G_OBJECT_CLASS (ba_browser_login_dialog_parent_class)->dispose (object);
}

static void
ba_browser_login_dialog_finalize (GObject *object)
{
  BaBrowserLoginDialog *self = BA_BROWSER_LOGIN_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->api_url, g_free);
  g_clear_pointer (&self->dashboard_url, g_free);

  G_OBJECT_CLASS (ba_browser_login_dialog_parent_class)->finalize (object);
}

static void
ba_browser_login_dialog_class_init (BaBrowserLoginDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_browser_login_dialog_dispose;
  object_class->finalize = ba_browser_login_dialog_finalize;

  signals[SIGNAL_LOGGED_IN] =
    g_signal_new ("logged-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, BA_TYPE_ACCOUNT);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ba-browser-login-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, BaBrowserLoginDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, BaBrowserLoginDialog, link_label);
  gtk_widget_class_bind_template_child (widget_class, BaBrowserLoginDialog, no_browser_box);
  gtk_widget_class_bind_template_child (widget_class, BaBrowserLoginDialog, error_page);
  gtk_widget_class_bind_template_child (widget_class, BaBrowserLoginDialog, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, open_again_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, copy_link_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, try_again_clicked_cb);
}

static void
ba_browser_login_dialog_init (BaBrowserLoginDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->open_uri = test_open_uri != NULL ? test_open_uri : default_open_uri;
  self->timeout = test_timeout;
}

BaBrowserLoginDialog *
ba_browser_login_dialog_new (GtkWindow     *parent,
                             const char    *api_url,
                             const char    *dashboard_url,
                             BaSecretStore *secret_store,
                             BaVault       *vault)
{
  BaBrowserLoginDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (api_url != NULL, NULL);
  g_return_val_if_fail (dashboard_url != NULL, NULL);

  self = g_object_new (BA_TYPE_BROWSER_LOGIN_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->api_url = g_strdup (api_url);
  self->dashboard_url = g_strdup (dashboard_url);
  self->secret_store = secret_store != NULL ? g_object_ref (secret_store) : NULL;
  self->vault = vault != NULL ? g_object_ref (vault) : NULL;

  return self;
}
