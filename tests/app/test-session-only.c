/* test-session-only.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No usable keyring: the app still logs in, keeps nothing on disk, and
 * says so on the login page.
 */

#define G_LOG_DOMAIN "test-session-only"

#include "config.h"

#include "ba-account.h"
#include "ba-account-page-private.h"
#include "ba-app-test-utils.h"
#include "ba-login-page-private.h"
#include "ba-sign-up-page-private.h"
#include "ba-test-server.h"
#include "ba-window-private.h"

static void
test_session_only (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *vault_path = NULL;
  BaTestServer *server;
  BaWindow *window;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");
  g_assert_null (window->vault);
  g_assert_true (gtk_revealer_get_reveal_child (window->login_page->keyring_revealer));
  g_assert_nonnull (ba_app_test_find_label (GTK_WIDGET (window), "No keyring available"));

  ba_app_test_fill_in (window->login_page,
                       ba_test_server_get_url (server),
                       ba_test_server_get_demo_username (server),
                       ba_test_server_get_demo_password (server));
  ba_app_test_press (GTK_WIDGET (window->login_page->login_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);

  g_assert_cmpint (ba_account_get_state (window->account), ==, BA_ACCOUNT_STATE_ONLINE);
  g_assert_cmpstr (adw_action_row_get_subtitle (window->account_page->username_row), ==,
                   ba_test_server_get_demo_username (server));

  ba_app_test_close_window (window);

  /* Nothing was kept: no vault file, and the next start asks again. */
  vault_path = g_build_filename (g_get_user_data_dir (), "balena-accounts", "vault.db", NULL);
  g_assert_false (g_file_test (vault_path, G_FILE_TEST_EXISTS));

  window = ba_app_test_open_window ();
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");
  g_assert_true (gtk_revealer_get_reveal_child (window->login_page->keyring_revealer));
  ba_app_test_close_window (window);

  ba_test_server_stop (server);
}

/* Signing up without a keyring opens the new account for this session,
 * like a login, instead of failing on the keyring after the server has
 * created the account. */
static void
test_session_only_sign_up (void)
{
  g_autoptr(GError) error = NULL;
  BaTestServer *server;
  BaWindow *window;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  ba_app_test_fill_in (window->login_page, ba_test_server_get_url (server), "", "");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "lifecycle.sign-up", NULL));
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "sign-up");
  gtk_editable_set_text (GTK_EDITABLE (window->sign_up_page->email_row), "solo@example.com");
  gtk_editable_set_text (GTK_EDITABLE (window->sign_up_page->password_row), "a long password");
  gtk_editable_set_text (GTK_EDITABLE (window->sign_up_page->confirm_row), "a long password");
  ba_app_test_press (GTK_WIDGET (window->sign_up_page->create_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  g_assert_cmpstr (ba_account_get_email (window->account), ==, "solo@example.com");

  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  char *tmpdir;
  int ret;

  /* A keyring file under a path that can never be a directory. */
  tmpdir = ba_app_test_init (&argc, &argv, "/dev/null/keyring");

  g_test_add_func ("/ba/window/session-only", test_session_only);
  g_test_add_func ("/ba/window/session-only-sign-up", test_session_only_sign_up);

  ret = g_test_run ();

  ba_app_test_cleanup (tmpdir);

  return ret;
}
