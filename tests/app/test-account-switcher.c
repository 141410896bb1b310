/* test-account-switcher.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Several accounts (issue 7): the same user on two spawned servers, added
 * and switched through the account switcher in the header, each logged
 * out on its own; the same from the login page's switcher.
 */

#define G_LOG_DOMAIN "test-account-switcher"

#include "config.h"

#include "ba-account-page-private.h"
#include "ba-account-switcher-private.h"
#include "ba-app-test-utils.h"
#include "ba-login-page-private.h"
#include "ba-test-server.h"
#include "ba-window-private.h"

static BaTestServer *one;
static BaTestServer *two;

static void
log_in (BaWindow     *window,
        BaTestServer *server)
{
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");
  ba_app_test_fill_in (window->login_page, ba_test_server_get_url (server),
                       ba_test_server_get_demo_username (server),
                       ba_test_server_get_demo_password (server));
  ba_app_test_press (GTK_WIDGET (window->login_page->login_button));
  BA_APP_TEST_WAIT_UNTIL (window->account != NULL &&
                          g_strcmp0 (ba_account_get_server_url (window->account),
                                     ba_test_server_get_url (server)) == 0 &&
                          g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
}

static guint
n_rows (BaAccountSwitcher *switcher)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (switcher->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;

  return n;
}

static GtkListBoxRow *
row_for (BaAccountSwitcher *switcher,
         const char        *account_id)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (switcher->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (g_strcmp0 (g_object_get_data (G_OBJECT (child), "account-id"), account_id) == 0)
        return GTK_LIST_BOX_ROW (child);
    }

  return NULL;
}

static void
test_two_accounts (void)
{
  BaAccountSwitcher *switcher;
  BaWindow *window;
  g_autofree char *id_one = NULL;
  g_autofree char *id_two = NULL;

  window = ba_app_test_open_window ();
  switcher = window->account_switcher;
  log_in (window, one);
  id_one = g_strdup (ba_account_get_id (window->account));

  /* The switcher sits in the header, with this one account. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (switcher)));
  g_assert_true (gtk_widget_is_ancestor (GTK_WIDGET (switcher), GTK_WIDGET (window->account_page)));
  BA_APP_TEST_WAIT_UNTIL (switcher->loaded && n_rows (switcher) == 1);

  /* Add Account: the login page, with a way back. */
  gtk_menu_button_popup (switcher->menu_button);
  ba_app_test_press (GTK_WIDGET (switcher->add_button));
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->login_page->back_button)));
  log_in (window, two);
  id_two = g_strdup (ba_account_get_id (window->account));
  g_assert_cmpstr (id_one, !=, id_two);

  BA_APP_TEST_WAIT_UNTIL (n_rows (switcher) == 2 && g_strcmp0 (switcher->current_id, id_two) == 0);

  /* Switch back to the first server's account. */
  gtk_menu_button_popup (switcher->menu_button);
  BA_APP_TEST_WAIT_UNTIL (row_for (switcher, id_one) != NULL);
  g_signal_emit_by_name (switcher->list_box, "row-activated", row_for (switcher, id_one));
  BA_APP_TEST_WAIT_UNTIL (window->account != NULL &&
                          g_strcmp0 (ba_account_get_id (window->account), id_one) == 0);
  g_assert_cmpstr (ba_account_get_server_url (window->account), ==, ba_test_server_get_url (one));
  BA_APP_TEST_WAIT_UNTIL (ba_account_get_state (window->account) == BA_ACCOUNT_STATE_ONLINE);

  /* Log out of the other one from the switcher; this one stays. */
  gtk_menu_button_popup (switcher->menu_button);
  BA_APP_TEST_WAIT_UNTIL (row_for (switcher, id_two) != NULL);
  {
    GtkWidget *row = GTK_WIDGET (row_for (switcher, id_two));
    g_autofree char *label = g_strdup_printf ("Log Out of %s", ba_test_server_get_demo_username (two));
    GtkWidget *button = NULL;

    /* The row's log-out button, found by its tooltip. */
    for (GtkWidget *w = row; w != NULL; )
      {
        if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_widget_get_tooltip_text (w), label) == 0)
          {
            button = w;
            break;
          }
        if (gtk_widget_get_first_child (w) != NULL)
          w = gtk_widget_get_first_child (w);
        else
          {
            while (w != row && gtk_widget_get_next_sibling (w) == NULL)
              w = gtk_widget_get_parent (w);
            w = w == row ? NULL : gtk_widget_get_next_sibling (w);
          }
      }
    g_assert_nonnull (button);
    g_signal_emit_by_name (button, "clicked");
  }
  g_assert_nonnull (switcher->logout_dialog);
  adw_message_dialog_response (switcher->logout_dialog, "logout");
  BA_APP_TEST_WAIT_UNTIL (row_for (switcher, id_two) == NULL && n_rows (switcher) == 1);
  g_assert_cmpstr (ba_account_get_id (window->account), ==, id_one);

  /* Add the second again, then log out of the current one: the other
   * takes over. */
  gtk_menu_button_popup (switcher->menu_button);
  ba_app_test_press (GTK_WIDGET (switcher->add_button));
  log_in (window, two);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window->account_page), "account.logout", NULL));
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (window->account_page->logout_dialog), "_Log Out")));
  BA_APP_TEST_WAIT_UNTIL (window->account != NULL &&
                          g_strcmp0 (ba_account_get_id (window->account), id_one) == 0 &&
                          g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);

  /* And the last one out leaves the login page. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window->account_page), "account.logout", NULL));
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (window->account_page->logout_dialog), "_Log Out")));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0);
  g_assert_null (window->account);

  ba_app_test_close_window (window);
}

static void
add_account (BaWindow *window)
{
  gtk_menu_button_popup (window->account_switcher->menu_button);
  ba_app_test_press (GTK_WIDGET (window->account_switcher->add_button));
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");
}

static void
log_out_current (BaWindow *window)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window->account_page), "account.logout", NULL));
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (window->account_page->logout_dialog), "_Log Out")));
}

/* The login page has the saved accounts in its header too, so Add Account
 * is no dead end: back to the other account, or to the one it came from. */
static void
test_from_login_page (void)
{
  BaAccountSwitcher *switcher;
  BaWindow *window;
  BaAccount *account;
  g_autofree char *id_one = NULL;
  g_autofree char *id_two = NULL;

  window = ba_app_test_open_window ();
  switcher = window->login_switcher;
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");

  /* Nothing saved: nothing to offer. */
  BA_APP_TEST_WAIT_UNTIL (switcher->loaded);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (switcher)));
  g_assert_true (gtk_widget_is_ancestor (GTK_WIDGET (switcher), GTK_WIDGET (window->login_page)));

  log_in (window, one);
  id_one = g_strdup (ba_account_get_id (window->account));
  add_account (window);
  log_in (window, two);
  id_two = g_strdup (ba_account_get_id (window->account));

  /* Add Account again: both accounts are on the login page, the current
   * one checked; it has no Add Account of its own. */
  add_account (window);
  BA_APP_TEST_WAIT_UNTIL (n_rows (switcher) == 2 && g_strcmp0 (switcher->current_id, id_two) == 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (switcher)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (switcher->menu_button)));
  gtk_menu_button_popup (switcher->menu_button);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (switcher->add_button)));
  g_assert_true (gtk_list_box_row_get_activatable (row_for (switcher, id_one)));

  /* Switch to the first account from the login page. */
  g_signal_emit_by_name (switcher->list_box, "row-activated", row_for (switcher, id_one));
  BA_APP_TEST_WAIT_UNTIL (window->account != NULL &&
                          g_strcmp0 (ba_account_get_id (window->account), id_one) == 0 &&
                          g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  g_assert_cmpstr (ba_account_get_server_url (window->account), ==, ba_test_server_get_url (one));
  BA_APP_TEST_WAIT_UNTIL (ba_account_get_state (window->account) == BA_ACCOUNT_STATE_ONLINE);
  g_assert_cmpstr (window->account_switcher->current_id, ==, id_one);

  /* And back to the account the login page came from, as it was. */
  account = window->account;
  add_account (window);
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (switcher->current_id, id_one) == 0 && n_rows (switcher) == 2 &&
                          gtk_list_box_row_get_activatable (row_for (switcher, id_one)));
  gtk_menu_button_popup (switcher->menu_button);
  g_signal_emit_by_name (switcher->list_box, "row-activated", row_for (switcher, id_one));
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "account");
  g_assert_true (window->account == account);

  /* Both out: the login page has nothing to offer again. */
  log_out_current (window);
  BA_APP_TEST_WAIT_UNTIL (window->account != NULL &&
                          g_strcmp0 (ba_account_get_id (window->account), id_two) == 0 &&
                          g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  log_out_current (window);
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0);
  BA_APP_TEST_WAIT_UNTIL (n_rows (switcher) == 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (switcher)));

  ba_app_test_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmpdir = NULL;
  g_autoptr(GError) error = NULL;
  int ret;

  tmpdir = ba_app_test_init (&argc, &argv, NULL);

  one = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  two = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ba/account-switcher/two-accounts", test_two_accounts);
  g_test_add_func ("/ba/account-switcher/from-login-page", test_from_login_page);

  ret = g_test_run ();

  ba_test_server_stop (one);
  ba_test_server_stop (two);
  ba_app_test_cleanup (g_steal_pointer (&tmpdir));

  return ret;
}
