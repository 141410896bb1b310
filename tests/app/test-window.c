/* test-window.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window's start-up flow and the account page, against a real
 * balena-accounts-server, the file keyring and a real vault: log in,
 * restart from the vault while the server is down, retry, session expiry,
 * a vault that cannot be read, log out.
 */

#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include "ba-account.h"
#include "ba-account-details-private.h"
#include "ba-account-page-private.h"
#include "ba-app-test-utils.h"
#include "ba-login-page-private.h"
#include "ba-secret-store.h"
#include "ba-session.h"
#include "ba-test-server.h"
#include "ba-window-private.h"

#include <glib/gstdio.h>

static char *
lookup_token (const char *account_id)
{
  g_autoptr(BaSecretStore) store = ba_secret_store_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *token;

  ba_secret_store_lookup_token_async (store, account_id, NULL, ba_app_test_store_result, &result);
  token = ba_secret_store_lookup_token_finish (store, ba_app_test_wait_result (&result), &error);
  g_assert_no_error (error);

  return token;
}

static void
clear_token (const char *account_id)
{
  g_autoptr(BaSecretStore) store = ba_secret_store_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ba_secret_store_clear_token_async (store, account_id, NULL, ba_app_test_store_result, &result);
  ba_secret_store_clear_token_finish (store, ba_app_test_wait_result (&result), &error);
  g_assert_no_error (error);
}

/* What the account page should show for @unix_time, written out here
 * rather than with ba-date-format so a wrong time in the page shows. */
static char *
local_date_time (gint64 unix_time)
{
  g_autoptr(GDateTime) date_time = g_date_time_new_from_unix_local (unix_time);

  g_assert_nonnull (date_time);
  return g_date_time_format (date_time, "%-d %B %Y, %H:%M");
}

static char *
local_time_of_day (gint64 unix_time)
{
  g_autoptr(GDateTime) date_time = g_date_time_new_from_unix_local (unix_time);

  g_assert_cmpint (unix_time, >, 0);
  g_assert_nonnull (date_time);
  return g_date_time_format (date_time, "%H:%M");
}

/* Logs in through the login page and waits for the account page. */
static void
log_in (BaWindow     *window,
        BaTestServer *server)
{
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");

  ba_app_test_fill_in (window->login_page,
                       ba_test_server_get_url (server),
                       ba_test_server_get_demo_username (server),
                       ba_test_server_get_demo_password (server));
  ba_app_test_press (GTK_WIDGET (window->login_page->login_button));

  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  g_assert_nonnull (window->account);
}

/* Logs out through the menu action and its confirmation dialog. */
static void
log_out (BaWindow *window)
{
  BaAccountPage *page = window->account_page;
  g_autofree char *account_id = g_strdup (ba_account_get_id (window->account));
  g_autofree char *token = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "account.logout", NULL));
  g_assert_nonnull (page->logout_dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->logout_dialog)));

  /* Cancel first: nothing happens. */
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (page->logout_dialog), "_Cancel")));
  BA_APP_TEST_WAIT_UNTIL (page->logout_dialog == NULL);
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "account");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "account.logout", NULL));
  g_assert_nonnull (page->logout_dialog);
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (page->logout_dialog), "_Log Out")));
  BA_APP_TEST_WAIT_UNTIL (page->logout_dialog == NULL);

  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0);
  g_assert_null (window->account);
  BA_APP_TEST_WAIT_UNTIL (ba_app_test_find_label (GTK_WIDGET (window), "Logged out") != NULL);

  /* The token is gone from the keyring. */
  token = lookup_token (account_id);
  g_assert_null (token);
}

static void
test_log_in_restart_offline_log_out (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *account_id = NULL;
  g_autofree char *url = NULL;
  g_autofree char *username = NULL;
  g_autofree char *email = NULL;
  g_autofree char *issued = NULL;
  g_autofree char *synced_at = NULL;
  BaTestServer *server;
  BaAccountPage *page;
  BaWindow *window;
  BaSession *session;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  url = g_strdup (ba_test_server_get_url (server));
  username = g_strdup (ba_test_server_get_demo_username (server));
  email = g_strdup (ba_test_server_get_demo_email (server));

  /* First start: nothing saved, so the login page. */
  window = ba_app_test_open_window ();
  log_in (window, server);
  page = window->account_page;

  g_assert_cmpint (ba_account_get_state (window->account), ==, BA_ACCOUNT_STATE_ONLINE);
  g_assert_cmpstr (adw_action_row_get_subtitle (page->username_row), ==, username);
  g_assert_cmpstr (adw_action_row_get_subtitle (page->email_row), ==, email);
  g_assert_cmpstr (adw_action_row_get_subtitle (page->server_row), ==, url);
  g_assert_cmpstr (gtk_label_get_text (page->name_label), ==, username);
  BA_APP_TEST_WAIT_UNTIL (ba_app_test_find_label (GTK_WIDGET (window), "Logged in as") != NULL);

  /* The session's times are shown, in local time, with the time left;
   * the token itself is not shown anywhere. */
  session = ba_account_get_session (window->account);
  g_assert_nonnull (session);
  issued = local_date_time (ba_session_get_issued_at (session));
  g_assert_cmpstr (adw_action_row_get_subtitle (page->issued_row), ==, issued);
  g_assert_cmpstr (adw_action_row_get_subtitle (page->expires_row), !=, "Unknown");
  /* The span comes from the token: the test server's last 7 days. */
  g_assert_cmpint (ba_session_get_expires_at (session) - ba_session_get_issued_at (session), ==, 7 * 24 * 60 * 60);
  g_assert_cmpstr (adw_preferences_group_get_description (page->session_group), ==,
                   "The session token stays valid for 7 days and is renewed while you use the app.");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->expires_relative_label)));
  g_assert_cmpstr (gtk_label_get_text (page->expires_relative_label), ==, "in 7 days");
  g_assert_null (ba_app_test_find_label (GTK_WIDGET (window), ba_session_get_token (session)));
  g_assert_false (gtk_revealer_get_reveal_child (page->notice_revealer));

  account_id = g_strdup (ba_account_get_id (window->account));
  token = lookup_token (account_id);
  g_assert_cmpstr (token, ==, ba_session_get_token (session));

  ba_app_test_close_window (window);

  /* Restart with the server gone: the account shows at once from the
   * vault, before any answer from the network... */
  ba_test_server_stop (server);

  window = ba_app_test_open_window ();
  page = window->account_page;
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "account");
  g_assert_nonnull (window->account);
  g_assert_cmpint (ba_account_get_state (window->account), ==, BA_ACCOUNT_STATE_CACHED);
  g_assert_cmpstr (adw_action_row_get_subtitle (page->username_row), ==, username);
  g_assert_cmpstr (adw_action_row_get_subtitle (page->email_row), ==, email);
  g_assert_cmpstr (adw_action_row_get_subtitle (page->server_row), ==, url);
  g_assert_false (gtk_revealer_get_reveal_child (page->notice_revealer));

  /* The selectable name takes neither the window's first focus nor any
   * later one by Tab: GTK selects all of a selectable label's text when it
   * gets the focus, and "demo" would show highlighted. */
  ba_app_test_run_for (100);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page->name_label)));
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) != GTK_WIDGET (page->name_label));
  g_assert_false (gtk_label_get_selection_bounds (page->name_label, NULL, NULL));
  for (guint i = 0; i < 40; i++)
    {
      if (!gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD))
        gtk_root_set_focus (GTK_ROOT (window), NULL);
      g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) != GTK_WIDGET (page->name_label));
      g_assert_false (gtk_label_get_selection_bounds (page->name_label, NULL, NULL));
    }
  gtk_root_set_focus (GTK_ROOT (window), NULL);

  /* ...then says it is offline and since when its data is. */
  BA_APP_TEST_WAIT_UNTIL (gtk_revealer_get_reveal_child (page->notice_revealer));
  g_assert_cmpint (ba_account_get_state (window->account), ==, BA_ACCOUNT_STATE_OFFLINE);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (page->notice_label), "Offline — showing data from "));
  /* ...with the time of the last sync, the date too unless it was today:
   * either way the text ends in the time (a 24-hour clock by default). */
  synced_at = local_time_of_day (ba_account_get_last_synced_at (window->account));
  g_assert_true (g_str_has_suffix (gtk_label_get_text (page->notice_label), synced_at));
  g_assert_cmpstr (adw_action_row_get_subtitle (page->username_row), ==, username);

  /* Retry, with the server still down: still offline, and the user is
   * told. */
  ba_app_test_press (GTK_WIDGET (page->notice_button));
  g_assert_true (page->retrying);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->notice_button)));
  BA_APP_TEST_WAIT_UNTIL (!page->retrying);
  g_assert_cmpint (ba_account_get_state (window->account), ==, BA_ACCOUNT_STATE_OFFLINE);
  g_assert_true (gtk_revealer_get_reveal_child (page->notice_revealer));
  BA_APP_TEST_WAIT_UNTIL (ba_app_test_find_label (GTK_WIDGET (window), "cannot be reached") != NULL);

  /* Log out works offline: token and cached data go. */
  log_out (window);
  ba_app_test_close_window (window);

  /* Nothing is left to restore. */
  window = ba_app_test_open_window ();
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");
  ba_app_test_close_window (window);
}

static void
test_session_expired (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *account_id = NULL;
  BaTestServer *server;
  BaAccountPage *page;
  BaLoginPage *login_page;
  BaWindow *window;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  log_in (window, server);
  account_id = g_strdup (ba_account_get_id (window->account));
  ba_app_test_close_window (window);

  /* The token disappears from the keyring: the cached account still
   * shows, read-only, and asks to log in again. */
  clear_token (account_id);

  window = ba_app_test_open_window ();
  page = window->account_page;
  login_page = window->login_page;
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "account");
  g_assert_cmpint (ba_account_get_state (window->account), ==, BA_ACCOUNT_STATE_LOGGED_OUT);
  g_assert_cmpstr (adw_action_row_get_subtitle (page->username_row), ==,
                   ba_test_server_get_demo_username (server));
  g_assert_true (gtk_revealer_get_reveal_child (page->notice_revealer));
  g_assert_cmpstr (gtk_label_get_text (page->notice_label), ==, "Session expired — log in again");

  /* "Log In…" opens the login page for the same user and server, with a
   * way back to the saved account. */
  ba_app_test_press (GTK_WIDGET (page->notice_button));
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");
  g_assert_cmpuint (adw_combo_row_get_selected (login_page->server_row), ==, BA_LOGIN_SERVER_CUSTOM);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (login_page->server_url_row)), ==,
                   ba_test_server_get_url (server));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (login_page->username_row)), ==,
                   ba_test_server_get_demo_username (server));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (login_page->password_row)), ==, "");

  ba_app_test_press (GTK_WIDGET (login_page->back_button));
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "account");

  /* Escape goes back too. */
  ba_app_test_press (GTK_WIDGET (page->notice_button));
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (login_page), "login.go-back", NULL));
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "account");

  ba_app_test_press (GTK_WIDGET (page->notice_button));
  gtk_editable_set_text (GTK_EDITABLE (login_page->password_row),
                         ba_test_server_get_demo_password (server));
  ba_app_test_press (GTK_WIDGET (login_page->login_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);

  g_assert_cmpint (ba_account_get_state (window->account), ==, BA_ACCOUNT_STATE_ONLINE);
  BA_APP_TEST_WAIT_UNTIL (!gtk_revealer_get_child_revealed (page->notice_revealer));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (login_page->back_button)));

  log_out (window);
  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

/* The name the unreadable vault was moved to, or NULL. */
static char *
find_broken_vault (const char *vault_path)
{
  g_autofree char *dir = g_path_get_dirname (vault_path);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, "vault.db.broken-"))
      return g_build_filename (dir, name, NULL);

  return NULL;
}

static void
test_unreadable_vault (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *vault_path = NULL;
  g_autofree char *account_id = NULL;
  g_autofree char *broken = NULL;
  BaTestServer *server;
  BaWindow *window;
  BaVault *vault;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  log_in (window, server);
  account_id = g_strdup (ba_account_get_id (window->account));
  /* The Account details tab caches the profile it reads; let that write
   * finish before the file is damaged under the old connection. */
  BA_APP_TEST_WAIT_UNTIL (window->account_page->account_details->fresh &&
                          !window->account_page->account_details->loading);
  /* Writes still queued when the window goes (the fleets' cache, say)
   * keep the vault open; damage the file only once it is closed, as it
   * would be after the app quit. */
  vault = window->vault;
  g_object_add_weak_pointer (G_OBJECT (vault), (gpointer *) &vault);
  ba_app_test_close_window (window);
  BA_APP_TEST_WAIT_UNTIL (vault == NULL);

  /* Damage the vault: the next start moves it aside, starts afresh,
   * brings the account back from its session token in the keyring and
   * says so, in a notice that stays until it is dismissed. */
  vault_path = g_build_filename (g_get_user_data_dir (), "balena-accounts", "vault.db", NULL);
  g_assert_true (g_file_test (vault_path, G_FILE_TEST_EXISTS));
  g_file_set_contents (vault_path, "this is not a database, encrypted or not", -1, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  g_assert_cmpstr (ba_account_get_id (window->account), ==, account_id);
  g_assert_cmpstr (ba_account_get_username (window->account), ==,
                   ba_test_server_get_demo_username (server));
  BA_APP_TEST_WAIT_UNTIL (ba_account_get_state (window->account) == BA_ACCOUNT_STATE_ONLINE);
  BA_APP_TEST_WAIT_UNTIL (ba_app_test_find_label (GTK_WIDGET (window), "Your saved data could not be read and was set aside. Your accounts were restored; cached data is downloaded again.") != NULL);
  g_assert_nonnull (window->notice);
  g_assert_cmpuint (adw_toast_get_timeout (window->notice), ==, 0);

  /* Later news, even right away, waits behind the notice instead of
   * replacing it, and shows once the notice is dismissed. */
  ba_window_add_toast (window, "Later news");
  ba_window_add_toast (window, "Newer news");
  ba_app_test_run_for (1000);
  g_assert_nonnull (ba_app_test_find_label (GTK_WIDGET (window), "Your saved data could not be read and was set aside. Your accounts were restored; cached data is downloaded again."));
  g_assert_null (ba_app_test_find_label (GTK_WIDGET (window), "Newer news"));
  adw_toast_dismiss (window->notice);
  BA_APP_TEST_WAIT_UNTIL (ba_app_test_find_label (GTK_WIDGET (window), "Newer news") != NULL);
  g_assert_null (window->notice);
  g_assert_null (ba_app_test_find_label (GTK_WIDGET (window), "Later news"));
  broken = find_broken_vault (vault_path);
  g_assert_nonnull (broken);

  /* The restored account works like any other: log out, and back in. */
  log_out (window);
  log_in (window, server);
  log_out (window);
  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  char *tmpdir;
  int ret;

  tmpdir = ba_app_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/window/log-in-restart-offline-log-out", test_log_in_restart_offline_log_out);
  g_test_add_func ("/ba/window/session-expired", test_session_expired);
  g_test_add_func ("/ba/window/unreadable-vault", test_unreadable_vault);

  ret = g_test_run ();

  ba_app_test_cleanup (tmpdir);

  return ret;
}
