/* ba-account-switcher.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-account-switcher"

#include "config.h"

#include "ba-account-switcher-private.h"

#include "ba-error.h"

#include <glib/gi18n.h>

G_DEFINE_FINAL_TYPE (BaAccountSwitcher, ba_account_switcher, ADW_TYPE_BIN)

enum {
  SIGNAL_SWITCH_ACCOUNT,
  SIGNAL_ADD_ACCOUNT,
  SIGNAL_ACCOUNT_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  BaAccountSwitcher *self;     /* not owned: it cancels when disposed */
  GCancellable      *cancellable;
  char              *account_id;
} Request;

static Request *
request_new (BaAccountSwitcher *self,
             const char        *account_id)
{
  Request *request = g_new0 (Request, 1);

  request->self = self;
  request->cancellable = g_object_ref (self->cancellable);
  request->account_id = g_strdup (account_id);

  return request;
}

static void
request_free (Request *request)
{
  g_object_unref (request->cancellable);
  g_free (request->account_id);
  g_free (request);
}

static char *
dup_host (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (url);

  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));

  return g_strdup (g_uri_get_host (uri));
}

static void logout_clicked_cb (GtkButton         *button,
                               BaAccountSwitcher *self);

/* Hidden without a vault; on the login page also without saved accounts. */
static void
update_visible (BaAccountSwitcher *self)
{
  gboolean visible = self->vault != NULL && self->secret_store != NULL;

  if (self->for_login)
    visible = visible && self->accounts != NULL && self->accounts->len > 0;

  gtk_widget_set_visible (GTK_WIDGET (self), visible);
}

static void
rebuild (BaAccountSwitcher *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);

  for (guint i = 0; self->accounts != NULL && i < self->accounts->len; i++)
    {
      BaVaultAccount *account = g_ptr_array_index (self->accounts, i);
      gboolean current = g_strcmp0 (account->id, self->current_id) == 0;
      g_autofree char *host = dup_host (account->server_url);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_markup_escape_text (account->username, -1);
      g_autofree char *subtitle = g_markup_escape_text (host, -1);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      g_object_set_data_full (G_OBJECT (row), "account-id", g_strdup (account->id), g_free);

      if (current)
        {
          GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

          gtk_widget_set_tooltip_text (check, _("Current Account"));
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), check);
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), self->for_login);
        }
      else
        {
          GtkWidget *logout = gtk_button_new_from_icon_name ("system-log-out-symbolic");
          g_autofree char *label = NULL;

          /* Translators: %s is a username. */
          label = g_strdup_printf (_("Log Out of %s"), account->username);
          gtk_widget_set_tooltip_text (logout, label);
          gtk_accessible_update_property (GTK_ACCESSIBLE (logout),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
          gtk_widget_set_valign (logout, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (logout, "flat");
          g_object_set_data_full (G_OBJECT (logout), "account-id", g_strdup (account->id), g_free);
          g_signal_connect (logout, "clicked", G_CALLBACK (logout_clicked_cb), self);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), logout);
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
        }

      gtk_list_box_append (self->list_box, row);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->list_box),
                          self->accounts != NULL && self->accounts->len > 0);
  update_visible (self);
}

static void
listed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Request *request = user_data;
  BaAccountSwitcher *self = request->self;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  accounts = ba_vault_list_accounts_finish (BA_VAULT (object), result, &error);

  if (!g_cancellable_is_cancelled (request->cancellable))
    {
      if (accounts == NULL)
        g_message ("Could not list the saved accounts: %s", error->message);
      else
        {
          g_clear_pointer (&self->accounts, g_ptr_array_unref);
          self->accounts = g_steal_pointer (&accounts);
          self->loaded = TRUE;
          rebuild (self);
        }
    }

  request_free (request);
}

void
ba_account_switcher_reload (BaAccountSwitcher *self)
{
  g_return_if_fail (BA_IS_ACCOUNT_SWITCHER (self));

  if (self->vault == NULL)
    return;

  ba_vault_list_accounts_async (self->vault, self->cancellable, listed_cb,
                                request_new (self, NULL));
}

static void
row_activated_cb (BaAccountSwitcher *self,
                  GtkListBoxRow     *row)
{
  const char *id = g_object_get_data (G_OBJECT (row), "account-id");

  /* From the login page, the current account is one to go back to. */
  if (id == NULL || (g_strcmp0 (id, self->current_id) == 0 && !self->for_login))
    return;

  gtk_popover_popdown (self->popover);
  g_signal_emit (self, signals[SIGNAL_SWITCH_ACCOUNT], 0, id);
}

static void
add_clicked_cb (BaAccountSwitcher *self)
{
  gtk_popover_popdown (self->popover);
  g_signal_emit (self, signals[SIGNAL_ADD_ACCOUNT], 0);
}

/* Logging out of another account: the same as Log Out on its own page,
 * without loading it: its keyring item, then its vault rows. */

static void
forgotten_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *request = user_data;
  BaAccountSwitcher *self = request->self;
  g_autoptr(GError) error = NULL;

  if (!ba_vault_forget_account_finish (BA_VAULT (object), result, &error))
    g_message ("Could not forget the cached account: %s", error->message);

  if (!g_cancellable_is_cancelled (request->cancellable))
    {
      ba_account_switcher_reload (self);
      g_signal_emit (self, signals[SIGNAL_ACCOUNT_REMOVED], 0, request->account_id);
    }

  request_free (request);
}

static void
token_cleared_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Request *request = user_data;
  BaAccountSwitcher *self = request->self;
  g_autoptr(GError) error = NULL;

  /* Keep the account listed if its token could not be removed: the user
   * can try again, and nothing is left half done. */
  if (!ba_secret_store_clear_token_finish (BA_SECRET_STORE (object), result, &error))
    {
      g_message ("Could not remove the token: %s", error->message);
      request_free (request);
      return;
    }

  if (g_cancellable_is_cancelled (request->cancellable) || self->vault == NULL)
    {
      request_free (request);
      return;
    }

  ba_vault_forget_account_async (self->vault, request->account_id, NULL, forgotten_cb, request);
}

static void
logout_response_cb (AdwMessageDialog  *dialog,
                    const char        *response,
                    BaAccountSwitcher *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "account-id");

  if (g_strcmp0 (response, "logout") != 0 || self->secret_store == NULL)
    return;

  ba_secret_store_clear_token_async (self->secret_store, id, NULL, token_cleared_cb,
                                     request_new (self, id));
}

static void
logout_clicked_cb (GtkButton         *button,
                   BaAccountSwitcher *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "account-id");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  const char *username = id;
  AdwMessageDialog *dialog;

  for (guint i = 0; self->accounts != NULL && i < self->accounts->len; i++)
    {
      BaVaultAccount *account = g_ptr_array_index (self->accounts, i);

      if (g_strcmp0 (account->id, id) == 0)
        username = account->username;
    }

  gtk_popover_popdown (self->popover);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Log Out?"), NULL));
  /* Translators: %s is a username. */
  adw_message_dialog_format_body (dialog,
                                  _("The session of %s and the data kept for it on this computer will be removed."),
                                  username);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "logout", _("_Log Out"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "logout", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "account-id", g_strdup (id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (logout_response_cb), self, 0);
  g_set_weak_pointer (&self->logout_dialog, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
popover_show_cb (BaAccountSwitcher *self)
{
  ba_account_switcher_reload (self);
}

static void
ba_account_switcher_dispose (GObject *object)
{
  BaAccountSwitcher *self = BA_ACCOUNT_SWITCHER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_weak_pointer (&self->logout_dialog);
  g_clear_object (&self->secret_store);
  g_clear_object (&self->vault);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);

  G_OBJECT_CLASS (ba_account_switcher_parent_class)->dispose (object);
}

static void
ba_account_switcher_finalize (GObject *object)
{
  BaAccountSwitcher *self = BA_ACCOUNT_SWITCHER (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->current_id, g_free);

  G_OBJECT_CLASS (ba_account_switcher_parent_class)->finalize (object);
}

static void
ba_account_switcher_class_init (BaAccountSwitcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_account_switcher_dispose;
  object_class->finalize = ba_account_switcher_finalize;

  signals[SIGNAL_SWITCH_ACCOUNT] =
    g_signal_new ("switch-account",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_ADD_ACCOUNT] =
    g_signal_new ("add-account",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  signals[SIGNAL_ACCOUNT_REMOVED] =
    g_signal_new ("account-removed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ba_account_switcher_init (BaAccountSwitcher *self)
{
  GtkWidget *box;
  GtkWidget *heading;

  self->cancellable = g_cancellable_new ();

  self->list_box = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list_box, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list_box), "boxed-list");
  g_signal_connect_swapped (self->list_box, "row-activated", G_CALLBACK (row_activated_cb), self);

  self->add_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Add Account…")));
  gtk_widget_add_css_class (GTK_WIDGET (self->add_button), "flat");
  g_signal_connect_swapped (self->add_button, "clicked", G_CALLBACK (add_clicked_cb), self);

  heading = gtk_label_new (_("Accounts"));
  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_size_request (box, 280, -1);
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->list_box));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->add_button));

  self->popover = GTK_POPOVER (gtk_popover_new ());
  gtk_popover_set_child (self->popover, box);
  g_signal_connect_swapped (self->popover, "show", G_CALLBACK (popover_show_cb), self);

  self->menu_button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_menu_button_set_icon_name (self->menu_button, "system-users-symbolic");
  gtk_menu_button_set_popover (self->menu_button, GTK_WIDGET (self->popover));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->menu_button), _("Accounts"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Switch Account"), -1);

  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->menu_button));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

void
ba_account_switcher_set_storage (BaAccountSwitcher *self,
                                 BaSecretStore     *secret_store,
                                 BaVault           *vault)
{
  g_return_if_fail (BA_IS_ACCOUNT_SWITCHER (self));

  g_set_object (&self->secret_store, secret_store);
  g_set_object (&self->vault, vault);
  update_visible (self);
  ba_account_switcher_reload (self);
}

void
ba_account_switcher_set_for_login (BaAccountSwitcher *self,
                                   gboolean           for_login)
{
  g_return_if_fail (BA_IS_ACCOUNT_SWITCHER (self));

  self->for_login = !!for_login;
  gtk_widget_set_visible (GTK_WIDGET (self->add_button), !self->for_login);
  update_visible (self);
}

void
ba_account_switcher_set_current (BaAccountSwitcher *self,
                                 const char        *account_id)
{
  g_return_if_fail (BA_IS_ACCOUNT_SWITCHER (self));

  g_free (self->current_id);
  self->current_id = g_strdup (account_id);
  ba_account_switcher_reload (self);
}
