/* ba-window.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-window"

#include "config.h"

#include "ba-window-private.h"

#include "ba-account-page-private.h"
#include "ba-account-recovery.h"
#include "ba-login-page-private.h"

#include "ba-error.h"

#include <errno.h>
#include <glib/gi18n.h>

G_DEFINE_FINAL_TYPE (BaWindow, ba_window, ADW_TYPE_APPLICATION_WINDOW)

/* While the window is open the session is checked again now and then, so
 * the token is refreshed once it is a day old (and so stays valid as long
 * as the app is used) and a revoked session shows up. */
#define REVALIDATE_INTERVAL_SECONDS (15 * 60)

/* The keyring answers at once when it is unlocked; when it takes longer, it
 * is most likely asking the user for its password. */
#define KEYRING_WAIT_HINT_SECONDS 2

static void
show_login_page (BaWindow *self)
{
  /* The saved accounts, read afresh, stay within reach from here. */
  ba_account_switcher_set_current (self->login_switcher,
                                   self->account != NULL ? ba_account_get_id (self->account) : NULL);
  gtk_stack_set_visible_child_name (self->stack, "login");
  ba_login_page_focus (self->login_page);
}

static void
revalidate_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(BaWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = ba_account_revalidate_finish (BA_ACCOUNT (object), result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  /* The answer may be about an account that has logged out since. */
  if (BA_ACCOUNT (object) != self->account)
    return;

  self->revalidating = FALSE;

  if (ok || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* A refused session already shows as a notice on the account page,
   * through the account's state; anything else is worth a toast. */
  if (!g_error_matches (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN))
    ba_window_add_toast (self, error->message);
}

static void
revalidate (BaWindow *self)
{
  if (self->account == NULL || self->revalidating)
    return;

  self->revalidating = TRUE;
  ba_account_revalidate_async (self->account,
                               self->cancellable,
                               revalidate_cb,
                               g_object_ref (self));
}

static gboolean
revalidate_timeout_cb (gpointer user_data)
{
  BaWindow *self = user_data;

  /* A refused session needs the user; an offline one is retried too. */
  if (self->account != NULL &&
      ba_account_get_state (self->account) != BA_ACCOUNT_STATE_LOGGED_OUT)
    revalidate (self);

  return G_SOURCE_CONTINUE;
}

static void
show_account (BaWindow  *self,
              BaAccount *account)
{
  g_set_object (&self->account, account);
  ba_account_page_set_account (self->account_page, account);
  ba_account_switcher_set_current (self->account_switcher,
                                   account != NULL ? ba_account_get_id (account) : NULL);
  gtk_stack_set_visible_child_name (self->stack, "account");
}

static void
restore_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(BaWindow) self = user_data;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = ba_account_restore_finish (result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  if (error != NULL)
    {
      g_warning ("Could not restore the last account: %s", error->message);
      ba_window_add_toast (self, error->message);
    }

  if (account == NULL)
    {
      show_login_page (self);
      return;
    }

  /* The cached account is shown before any network call; the check with
   * the server then updates the same page. */
  show_account (self, account);

  /* Without a usable token there is nothing to check; the page already
   * offers to log in again. */
  if (ba_account_get_state (account) == BA_ACCOUNT_STATE_LOGGED_OUT)
    return;

  revalidate (self);
}

static void
enter_session_only_mode (BaWindow *self)
{
  /* Without a keyring the token can only live in memory: the secret
   * store is not used at all. */
  g_clear_object (&self->vault);
  ba_login_page_set_storage (self->login_page, NULL, NULL);
  ba_login_page_set_keyring_notice_visible (self->login_page, TRUE);
  show_login_page (self);
}

static void add_toast (BaWindow   *self,
                       const char *message,
                       guint       timeout);

static void
restore_last_account (BaWindow *self)
{
  ba_account_restore_async (self->secret_store,
                            self->vault,
                            self->cancellable,
                            restore_cb,
                            g_object_ref (self));
}

static void
recovered_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(BaWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  guint n_restored = 0;
  guint n_kept = 0;
  const char *message;

  if (!ba_account_recover_from_keyring_finish (result, &n_restored, &n_kept, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_message ("Could not restore the accounts from the keyring: %s", error->message);
    }

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  /* The notice stays until it is dismissed: it explains why the app looks
   * different from last time, and a user who looks away must not miss it. */
  if (n_restored > 0 && n_kept == 0)
    message = _("Your saved data could not be read and was set aside. Your accounts were restored; cached data is downloaded again.");
  else if (n_restored > 0)
    message = _("Your saved data could not be read and was set aside. Some accounts were restored; the others could not be checked with their server, so log in to those again.");
  else if (n_kept > 0)
    message = _("Your saved data could not be read and was set aside. Your accounts could not be checked with their server, so log in again.");
  else
    message = _("Your saved data could not be read and was set aside. Log in again.");
  add_toast (self, message, 0);

  restore_last_account (self);
}

static void
vault_open_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(BaWindow) self = user_data;
  g_autoptr(BaVault) vault = NULL;
  g_autoptr(GError) error = NULL;
  gboolean rebuilt = FALSE;

  vault = ba_vault_open_finish (result, &rebuilt, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  if (vault == NULL)
    {
      g_warning ("Could not open the vault: %s", error->message);
      ba_window_add_toast (self, error->message);
      enter_session_only_mode (self);
      return;
    }

  self->vault = g_steal_pointer (&vault);
  ba_login_page_set_storage (self->login_page, self->secret_store, self->vault);
  ba_account_switcher_set_storage (self->account_switcher, self->secret_store, self->vault);
  ba_account_switcher_set_storage (self->login_switcher, self->secret_store, self->vault);

  /* The new vault is empty, but the keyring still has the session tokens
   * of the accounts the old one knew (ba-vault.c says in the log where the
   * old file went): those accounts come back first. */
  if (rebuilt)
    {
      ba_account_recover_from_keyring_async (self->secret_store,
                                             self->vault,
                                             self->cancellable,
                                             recovered_cb,
                                             g_object_ref (self));
      return;
    }

  restore_last_account (self);
}

static gboolean
keyring_wait_cb (gpointer user_data)
{
  BaWindow *self = user_data;

  self->keyring_wait_source = 0;
  gtk_revealer_set_reveal_child (self->keyring_wait_revealer, TRUE);

  return G_SOURCE_REMOVE;
}

static void
get_vault_key_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(BaWindow) self = user_data;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  key = ba_secret_store_get_vault_key_finish (BA_SECRET_STORE (object), result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  g_clear_handle_id (&self->keyring_wait_source, g_source_remove);
  gtk_revealer_set_reveal_child (self->keyring_wait_revealer, FALSE);

  if (key == NULL)
    {
      /* Without a keyring there is nowhere safe for the vault key or the
       * token, so nothing is persisted and the user is told. */
      g_message ("No keyring, running in session-only mode: %s", error->message);
      enter_session_only_mode (self);
      return;
    }

  dir = g_build_filename (g_get_user_data_dir (), "balena-accounts", NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_warning ("Could not create %s: %s", dir, g_strerror (saved_errno));
      enter_session_only_mode (self);
      return;
    }

  path = g_build_filename (dir, "vault.db", NULL);
  ba_vault_open_async (path,
                       key,
                       self->cancellable,
                       vault_open_cb,
                       g_object_ref (self));
}

static void
login_touched_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(BaWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Only the choice of account at the next start depends on it. */
  if (!ba_vault_touch_account_finish (BA_VAULT (object), result, &error))
    g_debug ("Could not mark the account as the last used: %s", error->message);
  else if (!g_cancellable_is_cancelled (self->cancellable))
    ba_account_switcher_reload (self->account_switcher);
}

static void
login_page_logged_in_cb (BaWindow    *self,
                         BaAccount   *account,
                         BaLoginPage *login_page)
{
  g_autofree char *message = NULL;

  show_account (self, account);

  /* The account just logged in is the one to restore next, even if
   * another was switched to within the same second. */
  if (self->vault != NULL)
    ba_vault_touch_account_async (self->vault, ba_account_get_id (account),
                                  g_get_real_time () / G_USEC_PER_SEC, self->cancellable,
                                  login_touched_cb, g_object_ref (self));

  if (ba_account_get_session (account) != NULL &&
      ba_session_is_api_key (ba_account_get_session (account)))
    /* Translators: %s is a username. */
    message = g_strdup_printf (_("Logged in as %s with an API key: API keys can be seen but not created or revoked"),
                               ba_account_get_username (account));
  else
    /* Translators: %s is a username. */
    message = g_strdup_printf (_("Logged in as %s"), ba_account_get_username (account));
  ba_window_add_toast (self, message);
}

/* Sign-up and password reset (issue 4) */

static void
sign_up_page_signed_up_cb (BaWindow     *self,
                           BaAccount    *account,
                           BaSignUpPage *page)
{
  show_account (self, account);
  ba_window_add_toast (self, _("Account created. Check your mail to verify your email address."));
}

static void
password_reset_page_logged_in_cb (BaWindow            *self,
                                  BaAccount           *account,
                                  BaPasswordResetPage *page)
{
  show_account (self, account);
  ba_window_add_toast (self, _("Your new password is set, and you are logged in"));
}

static void
password_reset_page_needs_code_cb (BaWindow            *self,
                                   BaPasswordResetPage *page)
{
  show_login_page (self);
  ba_window_add_toast (self, _("Your new password is set. Log in with it and your two-factor code."));
}

static void
lifecycle_page_back_cb (BaWindow  *self,
                        GtkWidget *page)
{
  show_login_page (self);
}

static void
sign_up_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  BaWindow *self = BA_WINDOW (widget);
  g_autofree char *url = ba_login_page_dup_server_url (self->login_page);

  /* Like the login page: in session-only mode (no vault) the token is not
   * kept in the keyring either. */
  ba_sign_up_page_set_storage (self->sign_up_page,
                               self->vault != NULL ? self->secret_store : NULL, self->vault);
  ba_sign_up_page_reset (self->sign_up_page, url != NULL ? url : BA_BALENA_CLOUD_API_URL);
  gtk_stack_set_visible_child_name (self->stack, "sign-up");
}

static void
forgot_password_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  BaWindow *self = BA_WINDOW (widget);
  g_autofree char *url = ba_login_page_dup_server_url (self->login_page);
  g_autofree char *username = ba_login_page_dup_username (self->login_page);

  ba_password_reset_page_set_storage (self->password_reset_page,
                                      self->vault != NULL ? self->secret_store : NULL, self->vault);
  ba_password_reset_page_reset (self->password_reset_page,
                                url != NULL ? url : BA_BALENA_CLOUD_API_URL, username);
  gtk_stack_set_visible_child_name (self->stack, "password-reset");
}

void
ba_window_show_account_deleted (BaWindow *self)
{
  g_return_if_fail (BA_IS_WINDOW (self));

  ba_account_page_set_account (self->account_page, NULL);
  g_clear_object (&self->account);
  self->revalidating = FALSE;

  ba_login_page_reset (self->login_page, NULL, NULL, FALSE);
  show_login_page (self);
  ba_window_add_toast (self, _("Your account was deleted"));
}

static void
login_page_back_cb (BaWindow    *self,
                    BaLoginPage *login_page)
{
  if (self->account != NULL)
    gtk_stack_set_visible_child_name (self->stack, "account");
}

static void
account_page_logged_out_cb (BaWindow      *self,
                            BaAccountPage *account_page)
{
  ba_account_page_set_account (self->account_page, NULL);
  g_clear_object (&self->account);
  self->revalidating = FALSE;

  ba_login_page_reset (self->login_page, NULL, NULL, FALSE);
  ba_window_add_toast (self, _("Logged out"));

  /* With several accounts the next most recently used one takes over;
   * with none left, the login page. */
  if (self->vault != NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "loading");
      ba_account_restore_async (self->secret_store, self->vault, self->cancellable,
                                restore_cb, g_object_ref (self));
    }
  else
    show_login_page (self);
}

/* Several accounts (issue 7): switching makes the chosen account the most
 * recently used one and restores it like at start-up. */

static void
touched_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(BaWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ba_vault_touch_account_finish (BA_VAULT (object), result, &error))
    {
      if (g_cancellable_is_cancelled (self->cancellable))
        return;
      ba_window_add_toast (self, error->message);
      ba_account_switcher_reload (self->account_switcher);
      return;
    }

  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  ba_account_restore_async (self->secret_store, self->vault, self->cancellable,
                            restore_cb, g_object_ref (self));
}

static void
switch_account_cb (BaWindow          *self,
                   const char        *account_id,
                   BaAccountSwitcher *switcher)
{
  if (self->vault == NULL)
    return;

  /* The login page's switcher offers the account it came from, too. */
  if (self->account != NULL && g_strcmp0 (account_id, ba_account_get_id (self->account)) == 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "account");
      return;
    }

  /* Answers about the account being left are ignored from here on. */
  self->revalidating = FALSE;
  ba_vault_touch_account_async (self->vault, account_id, g_get_real_time () / G_USEC_PER_SEC,
                                self->cancellable, touched_cb, g_object_ref (self));
}

static void
add_account_cb (BaWindow          *self,
                BaAccountSwitcher *switcher)
{
  /* The current account stays one click away with the back button. */
  ba_login_page_reset (self->login_page, NULL, NULL, self->account != NULL);
  show_login_page (self);
}

static void
account_removed_cb (BaWindow          *self,
                    const char        *account_id,
                    BaAccountSwitcher *switcher)
{
  ba_window_add_toast (self, _("Logged out"));
}

static void
account_page_login_requested_cb (BaWindow      *self,
                                 BaAccountPage *account_page)
{
  g_return_if_fail (self->account != NULL);

  /* Log in again as the same user on the same server; the cached account
   * stays one click away with the back button. */
  ba_login_page_reset (self->login_page,
                       ba_account_get_server_url (self->account),
                       ba_account_get_username (self->account),
                       TRUE);
  show_login_page (self);
}

/* Asks every window that is transient for @self to close. A dialog that
 * still holds something the user has to deal with (an API key shown once,
 * recovery codes not yet saved) refuses and asks; returns FALSE if one of
 * them is still open afterwards. */
static gboolean
close_dialogs (BaWindow *self)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* GTK's own */
  g_autoptr(GPtrArray) dialogs = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean all_closed = TRUE;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (gtk_window_get_transient_for (toplevel) == GTK_WINDOW (self))
        g_ptr_array_add (dialogs, g_steal_pointer (&toplevel));
    }

  /* Closing one may close or open others, hence the copy. */
  for (guint i = 0; i < dialogs->len; i++)
    {
      GtkWindow *dialog = g_ptr_array_index (dialogs, i);

      gtk_window_close (dialog);
      if (gtk_widget_get_visible (GTK_WIDGET (dialog)))
        all_closed = FALSE;
    }

  return all_closed;
}

static gboolean
ba_window_close_request (GtkWindow *window)
{
  BaWindow *self = BA_WINDOW (window);
  int width;
  int height;

  /* The window stays, rather than take a secret the user has not saved
   * down with it; the dialog is asking them about it now. */
  if (!close_dialogs (self))
    return TRUE;

  gtk_window_get_default_size (window, &width, &height);

  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_apply (self->settings);

  return GTK_WINDOW_CLASS (ba_window_parent_class)->close_request (window);
}

static void
ba_window_dispose (GObject *object)
{
  BaWindow *self = BA_WINDOW (object);

  /* Callbacks hold a reference and check the cancellable, which is kept
   * until finalize for that reason. */
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->revalidate_source, g_source_remove);
  g_clear_handle_id (&self->keyring_wait_source, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (self), BA_TYPE_WINDOW);

  g_clear_object (&self->toast);
  g_clear_object (&self->notice);
  self->queued = NULL;
  g_clear_object (&self->account);
  g_clear_object (&self->vault);
  g_clear_object (&self->secret_store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ba_window_parent_class)->dispose (object);
}

static void
ba_window_finalize (GObject *object)
{
  BaWindow *self = BA_WINDOW (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ba_window_parent_class)->finalize (object);
}

static void
ba_window_class_init (BaWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ba_window_dispose;
  object_class->finalize = ba_window_finalize;

  window_class->close_request = ba_window_close_request;

  g_type_ensure (BA_TYPE_ACCOUNT_PAGE);
  g_type_ensure (BA_TYPE_LOGIN_PAGE);
  g_type_ensure (BA_TYPE_SIGN_UP_PAGE);
  g_type_ensure (BA_TYPE_PASSWORD_RESET_PAGE);

  gtk_widget_class_install_action (widget_class, "lifecycle.sign-up", NULL, sign_up_action);
  gtk_widget_class_install_action (widget_class, "lifecycle.forgot-password", NULL,
                                   forgot_password_action);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ba-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BaWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BaWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, BaWindow, keyring_wait_revealer);
  gtk_widget_class_bind_template_child (widget_class, BaWindow, login_page);
  gtk_widget_class_bind_template_child (widget_class, BaWindow, account_page);
  gtk_widget_class_bind_template_child (widget_class, BaWindow, sign_up_page);
  gtk_widget_class_bind_template_child (widget_class, BaWindow, password_reset_page);
  gtk_widget_class_bind_template_callback (widget_class, sign_up_page_signed_up_cb);
  gtk_widget_class_bind_template_callback (widget_class, password_reset_page_logged_in_cb);
  gtk_widget_class_bind_template_callback (widget_class, password_reset_page_needs_code_cb);
  gtk_widget_class_bind_template_callback (widget_class, lifecycle_page_back_cb);
  gtk_widget_class_bind_template_callback (widget_class, login_page_logged_in_cb);
  gtk_widget_class_bind_template_callback (widget_class, login_page_back_cb);
  gtk_widget_class_bind_template_callback (widget_class, account_page_logged_out_cb);
  gtk_widget_class_bind_template_callback (widget_class, account_page_login_requested_cb);
}

static void
ba_window_init (BaWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->account_switcher = g_object_new (BA_TYPE_ACCOUNT_SWITCHER, NULL);
  adw_header_bar_pack_start (self->account_page->header_bar, GTK_WIDGET (self->account_switcher));
  g_signal_connect_object (self->account_switcher, "switch-account",
                           G_CALLBACK (switch_account_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->account_switcher, "add-account",
                           G_CALLBACK (add_account_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->account_switcher, "account-removed",
                           G_CALLBACK (account_removed_cb), self, G_CONNECT_SWAPPED);

  self->login_switcher = g_object_new (BA_TYPE_ACCOUNT_SWITCHER, NULL);
  ba_account_switcher_set_for_login (self->login_switcher, TRUE);
  adw_header_bar_pack_start (self->login_page->header_bar, GTK_WIDGET (self->login_switcher));
  g_signal_connect_object (self->login_switcher, "switch-account",
                           G_CALLBACK (switch_account_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->login_switcher, "account-removed",
                           G_CALLBACK (account_removed_cb), self, G_CONNECT_SWAPPED);

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  self->cancellable = g_cancellable_new ();
  self->secret_store = ba_secret_store_new ();
  self->settings = g_settings_new (BA_SETTINGS_SCHEMA_ID);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  self->revalidate_source = g_timeout_add_seconds (REVALIDATE_INTERVAL_SECONDS,
                                                   revalidate_timeout_cb,
                                                   self);

  /* Start-up: vault key from the keyring, then the vault, then the last
   * account. The loading page shows until one of them answers. */
  gtk_stack_set_visible_child_name (self->stack, "loading");
  self->keyring_wait_source = g_timeout_add_seconds (KEYRING_WAIT_HINT_SECONDS,
                                                     keyring_wait_cb,
                                                     self);
  ba_secret_store_get_vault_key_async (self->secret_store,
                                       self->cancellable,
                                       get_vault_key_cb,
                                       g_object_ref (self));
}

BaWindow *
ba_window_new (BaApplication *application)
{
  return g_object_new (BA_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

/* Longer than the overlay's hide and show animations (300 ms each). */
#define TOAST_SETTLE_USEC (800 * 1000)

void
ba_window_add_toast (BaWindow   *self,
                     const char *message)
{
  g_return_if_fail (BA_IS_WINDOW (self));
  g_return_if_fail (message != NULL);

  /* AdwToast's own default. */
  add_toast (self, message, 5);
}

static void
notice_dismissed_cb (BaWindow *self)
{
  g_clear_object (&self->notice);
  /* A toast that waited behind the notice shows from now on. */
  self->queued = NULL;
  self->toast_added_at = g_get_monotonic_time ();
}

/* @timeout in seconds; 0 makes a notice that stays until it is dismissed,
 * for news the user must not miss (the vault was reset). */
static void
add_toast (BaWindow   *self,
           const char *message,
           guint       timeout)
{
  g_autofree char *escaped = NULL;

  /* Toast titles are Pango markup; error messages may quote user input. */
  escaped = g_markup_escape_text (message, -1);

  if (timeout == 0)
    {
      if (self->notice != NULL)
        {
          adw_toast_set_title (self->notice, escaped);
          return;
        }
      self->notice = adw_toast_new (escaped);
      adw_toast_set_timeout (self->notice, 0);
      g_signal_connect_object (self->notice, "dismissed",
                               G_CALLBACK (notice_dismissed_cb), self, G_CONNECT_SWAPPED);
      adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (self->notice));
      return;
    }

  /* While a notice shows, the overlay queues other toasts behind it. No
   * later toast may replace the notice, and a queued toast must not be
   * dismissed (see below), so one toast waits behind it, and the newest
   * news takes over its text. */
  if (self->notice != NULL)
    {
      if (self->queued != NULL)
        {
          adw_toast_set_title (self->queued, escaped);
          adw_toast_set_timeout (self->queued, timeout);
          return;
        }
      g_clear_object (&self->toast);
      self->toast = adw_toast_new (escaped);
      adw_toast_set_timeout (self->toast, timeout);
      self->queued = self->toast;
      adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (self->toast));
      return;
    }

  /* A toast added moments ago may still wait in the overlay's queue
   * behind the one it replaced, and dismissing a queued toast crashes
   * libadwaita 1.2's AdwToastOverlay. It has nearly all its time left,
   * so it simply takes the newer text. */
  if (self->toast != NULL &&
      g_get_monotonic_time () - self->toast_added_at < TOAST_SETTLE_USEC)
    {
      adw_toast_set_title (self->toast, escaped);
      adw_toast_set_timeout (self->toast, timeout);
      return;
    }

  /* The newest news replaces older news at once, rather than waiting in
   * a queue behind it and showing up stale later. */
  if (self->toast != NULL)
    adw_toast_dismiss (self->toast);
  g_clear_object (&self->toast);

  self->toast = adw_toast_new (escaped);
  adw_toast_set_timeout (self->toast, timeout);
  self->toast_added_at = g_get_monotonic_time ();
  adw_toast_overlay_add_toast (self->toast_overlay, g_object_ref (self->toast));
}
