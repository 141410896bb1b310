/* ba-login-extras.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-login-extras"

#include "config.h"

#include "ba-login-extras-private.h"

#include "ba-account.h"
#include "ba-api-client.h"
#include "ba-balena-cli.h"
#include "ba-browser-login.h"
#include "ba-error.h"
#include "ba-wipe.h"

#include <glib/gi18n.h>

G_DEFINE_FINAL_TYPE (BaLoginExtras, ba_login_extras, ADW_TYPE_BIN)

enum {
  SIGNAL_LOGGED_IN,
  SIGNAL_SERVER_SUGGESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (BaLoginExtras *self,
            const char    *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static char *
dup_server_url (BaLoginExtras *self)
{
  if (self->server_func == NULL)
    return g_strdup (BA_BALENA_CLOUD_API_URL);

  return self->server_func (self->server_func_data);
}

/* Trailing slashes do not make another server. */
static gboolean
same_url (const char *a,
          const char *b)
{
  gsize la = strlen (a);
  gsize lb = strlen (b);

  while (la > 0 && a[la - 1] == '/')
    la--;
  while (lb > 0 && b[lb - 1] == '/')
    lb--;

  return la == lb && g_ascii_strncasecmp (a, b, la) == 0;
}

char *
ba_login_extras_dup_dashboard_url (BaLoginExtras *self,
                                   const char    *api_url)
{
  g_return_val_if_fail (BA_IS_LOGIN_EXTRAS (self), NULL);
  g_return_val_if_fail (api_url != NULL, NULL);

  /* The CLI's dashboardUrl, when it goes with this server: set itself,
   * or derived from the same balenaUrl as the API. An apiUrl set alone
   * (a local server, say) would otherwise send the login to
   * balenaCloud's dashboard, whose token that server would refuse. */
  if (self->settings != NULL &&
      (self->settings->dashboard_url != NULL || self->settings->api_url == NULL))
    {
      g_autofree char *cli_api = ba_balenarc_dup_api_url (self->settings);

      if (same_url (cli_api, api_url))
        return ba_balenarc_dup_dashboard_url (self->settings);
    }

  if (same_url (api_url, BA_BALENA_CLOUD_API_URL))
    return g_strdup (BA_BALENA_CLOUD_DASHBOARD_URL);

  return ba_browser_login_dup_dashboard_url (api_url);
}

static void
dialog_logged_in_cb (BaLoginExtras *self,
                     BaAccount     *account)
{
  g_signal_emit (self, signals[SIGNAL_LOGGED_IN], 0, account);
}

static GtkWindow *
get_window (BaLoginExtras *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
browser_clicked_cb (BaLoginExtras *self)
{
  g_autofree char *url = dup_server_url (self);
  g_autofree char *dashboard = NULL;
  BaBrowserLoginDialog *dialog;

  show_error (self, NULL);
  if (url == NULL)
    {
      show_error (self, _("Enter the address of the server first."));
      return;
    }

  dashboard = ba_login_extras_dup_dashboard_url (self, url);
  dialog = ba_browser_login_dialog_new (get_window (self), url, dashboard,
                                        self->secret_store, self->vault);
  g_signal_connect_object (dialog, "logged-in", G_CALLBACK (dialog_logged_in_cb),
                           self, G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->browser_dialog, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  ba_browser_login_dialog_start (dialog);
}

static void
token_clicked_cb (BaLoginExtras *self)
{
  g_autofree char *url = dup_server_url (self);
  BaTokenLoginDialog *dialog;

  show_error (self, NULL);
  if (url == NULL)
    {
      show_error (self, _("Enter the address of the server first."));
      return;
    }

  dialog = ba_token_login_dialog_new (get_window (self), url, self->secret_store, self->vault);
  g_signal_connect_object (dialog, "logged-in", G_CALLBACK (dialog_logged_in_cb),
                           self, G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->token_dialog, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The balena CLI's login */

static void
set_cli_busy (BaLoginExtras *self,
              gboolean       busy)
{
  self->cli_busy = !!busy;
  gtk_widget_set_visible (GTK_WIDGET (self->cli_spinner), busy);
  gtk_spinner_set_spinning (self->cli_spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cli_button), !busy);
}

typedef struct
{
  BaLoginExtras *self;
  GCancellable  *cancellable;
} Request;

static Request *
request_new (BaLoginExtras *self)
{
  Request *request = g_new0 (Request, 1);

  request->self = g_object_ref (self);
  request->cancellable = g_object_ref (self->cancellable);

  return request;
}

static void
request_free (Request *request)
{
  g_object_unref (request->self);
  g_object_unref (request->cancellable);
  g_free (request);
}

static void
cli_login_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *request = user_data;
  BaLoginExtras *self = request->self;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = ba_account_login_with_token_finish (result, &error);

  if (!g_cancellable_is_cancelled (request->cancellable))
    {
      set_cli_busy (self, FALSE);

      if (account != NULL)
        {
          gtk_revealer_set_reveal_child (self->cli_revealer, FALSE);
          g_signal_emit (self, signals[SIGNAL_LOGGED_IN], 0, account);
        }
      else
        {
          g_autofree char *message = NULL;

          /* Translators: %s says why the balena CLI's token was refused. */
          message = g_strdup_printf (_("The balena CLI’s login cannot be used: %s"), error->message);
          show_error (self, message);
        }
    }

  request_free (request);
}

static void
cli_token_for_login_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  Request *request = user_data;
  BaLoginExtras *self = request->self;
  g_autoptr(BaSecretString) token = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *api_url = NULL;

  token = ba_balena_cli_read_token_finish (result, &error);

  if (g_cancellable_is_cancelled (request->cancellable))
    {
      request_free (request);
      return;
    }

  if (token == NULL)
    {
      set_cli_busy (self, FALSE);
      gtk_revealer_set_reveal_child (self->cli_revealer, FALSE);
      show_error (self, error != NULL ? error->message
                                      : _("The balena CLI is no longer logged in."));
      request_free (request);
      return;
    }

  /* Checked with the server the CLI uses before it is kept. */
  api_url = ba_balenarc_dup_api_url (self->settings);
  ba_account_login_with_token_async (api_url, token, self->secret_store, self->vault,
                                     request->cancellable, cli_login_cb, request);
}

static void
cli_clicked_cb (BaLoginExtras *self)
{
  if (self->cli_busy || self->settings == NULL)
    return;

  show_error (self, NULL);
  set_cli_busy (self, TRUE);

  /* Read again: the CLI may have logged out since. */
  ba_balena_cli_read_token_async (self->settings, g_get_home_dir (), self->cancellable,
                                  cli_token_for_login_cb, request_new (self));
}

static void
cli_token_found_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Request *request = user_data;
  BaLoginExtras *self = request->self;
  g_autoptr(BaSecretString) token = NULL;
  g_autoptr(GError) error = NULL;

  token = ba_balena_cli_read_token_finish (result, &error);

  if (!g_cancellable_is_cancelled (request->cancellable) && token != NULL)
    {
      g_autofree char *api_url = ba_balenarc_dup_api_url (self->settings);
      g_autoptr(GUri) uri = g_uri_parse (api_url, G_URI_FLAGS_NONE, NULL);
      g_autofree char *text = NULL;

      /* Translators: %s is a server's host name. */
      text = g_strdup_printf (_("The balena CLI is logged in on this computer (%s). Use the same account?"),
                              uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : api_url);
      gtk_label_set_text (self->cli_label, text);
      gtk_revealer_set_reveal_child (self->cli_revealer, TRUE);
    }
  else if (error != NULL)
    g_debug ("No balena CLI login to offer: %s", error->message);

  request_free (request);
}

static void
settings_loaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Request *request = user_data;
  BaLoginExtras *self = request->self;
  g_autoptr(BaBalenarc) settings = NULL;
  g_autoptr(GError) error = NULL;

  settings = ba_balena_cli_load_settings_finish (result, &error);

  if (g_cancellable_is_cancelled (request->cancellable) || settings == NULL)
    {
      request_free (request);
      return;
    }

  g_clear_pointer (&self->settings, ba_balenarc_free);
  self->settings = g_steal_pointer (&settings);

  if (ba_balenarc_has_server (self->settings))
    {
      g_autofree char *api_url = ba_balenarc_dup_api_url (self->settings);

      g_signal_emit (self, signals[SIGNAL_SERVER_SUGGESTED], 0, api_url);
    }

  ba_balena_cli_read_token_async (self->settings, g_get_home_dir (), self->cancellable,
                                  cli_token_found_cb, request);
}

static void
ba_login_extras_dispose (GObject *object)
{
  BaLoginExtras *self = BA_LOGIN_EXTRAS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_weak_pointer (&self->browser_dialog);
  g_clear_weak_pointer (&self->token_dialog);

  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_LOGIN_EXTRAS);

  g_clear_object (&self->secret_store);
  g_clear_object (&self->vault);

  G_OBJECT_CLASS (ba_login_extras_parent_class)->dispose (object);
}

static void
ba_login_extras_finalize (GObject *object)
{
  BaLoginExtras *self = BA_LOGIN_EXTRAS (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->settings, ba_balenarc_free);

  G_OBJECT_CLASS (ba_login_extras_parent_class)->finalize (object);
}

static void
ba_login_extras_class_init (BaLoginExtrasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ba_login_extras_dispose;
  object_class->finalize = ba_login_extras_finalize;

  signals[SIGNAL_LOGGED_IN] =
    g_signal_new ("logged-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, BA_TYPE_ACCOUNT);

  signals[SIGNAL_SERVER_SUGGESTED] =
    g_signal_new ("server-suggested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ba-login-extras.ui");
  gtk_widget_class_bind_template_child (widget_class, BaLoginExtras, browser_button);
  gtk_widget_class_bind_template_child (widget_class, BaLoginExtras, token_button);
  gtk_widget_class_bind_template_child (widget_class, BaLoginExtras, error_label);
  gtk_widget_class_bind_template_child (widget_class, BaLoginExtras, cli_revealer);
  gtk_widget_class_bind_template_child (widget_class, BaLoginExtras, cli_label);
  gtk_widget_class_bind_template_child (widget_class, BaLoginExtras, cli_button);
  gtk_widget_class_bind_template_child (widget_class, BaLoginExtras, cli_spinner);
  gtk_widget_class_bind_template_callback (widget_class, browser_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, token_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cli_clicked_cb);
}

static void
ba_login_extras_init (BaLoginExtras *self)
{
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *cwd = g_get_current_dir ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();

  /* Where the balena CLI and SDK look, in their order. */
  ba_balena_cli_load_settings_async (g_get_home_dir (), cwd, (const char * const *) envp,
                                     self->cancellable, settings_loaded_cb, request_new (self));
}

void
ba_login_extras_set_storage (BaLoginExtras *self,
                             BaSecretStore *secret_store,
                             BaVault       *vault)
{
  g_return_if_fail (BA_IS_LOGIN_EXTRAS (self));

  g_set_object (&self->secret_store, secret_store);
  g_set_object (&self->vault, vault);
}

void
ba_login_extras_set_server_func (BaLoginExtras     *self,
                                 BaLoginServerFunc  func,
                                 gpointer           user_data)
{
  g_return_if_fail (BA_IS_LOGIN_EXTRAS (self));

  self->server_func = func;
  self->server_func_data = user_data;
}

void
ba_login_extras_set_sensitive (BaLoginExtras *self,
                               gboolean       sensitive)
{
  g_return_if_fail (BA_IS_LOGIN_EXTRAS (self));

  gtk_widget_set_sensitive (GTK_WIDGET (self->browser_button), sensitive);
  gtk_widget_set_sensitive (GTK_WIDGET (self->token_button), sensitive);
  gtk_widget_set_sensitive (GTK_WIDGET (self->cli_button), sensitive && !self->cli_busy);
}

const BaBalenarc *
ba_login_extras_get_settings (BaLoginExtras *self)
{
  g_return_val_if_fail (BA_IS_LOGIN_EXTRAS (self), NULL);

  return self->settings;
}
