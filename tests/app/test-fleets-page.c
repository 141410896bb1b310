/* test-fleets-page.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The Fleets tab and a fleet's members view (issue 6) under a real
 * display, against a real balena-accounts-server with the demo fleets:
 * add a member by email with a role, change the role, remove with
 * confirmation, invite by email and revoke, an unknown user, a refusal
 * by the server, and what a plain member is (not) offered. */

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "ba-account-fleets.h"
#include "ba-account-page-private.h"
#include "ba-app-test-utils.h"
#include "ba-fleet-members-page-private.h"
#include "ba-fleets-page-private.h"
#include "ba-login-page-private.h"
#include "ba-session.h"
#include "ba-test-server.h"
#include "ba-window-private.h"

static char *tmpdir;

static void
log_in (BaWindow     *window,
        BaTestServer *server,
        const char   *username)
{
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");

  ba_app_test_fill_in (window->login_page, ba_test_server_get_url (server), username,
                       ba_test_server_get_demo_password (server));
  ba_app_test_press (GTK_WIDGET (window->login_page->login_button));

  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  g_assert_nonnull (window->account);
}

static void
log_out (BaWindow *window)
{
  BaAccountPage *page = window->account_page;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "account.logout", NULL));
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (page->logout_dialog), "_Log Out")));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0);
}

static guint
n_rows (GtkListBox *list)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list, n) != NULL)
    n++;

  return n;
}

/* Shows the tab and waits until the fleets came from the server. */
static BaFleetsPage *
show_fleets (BaWindow *window,
             guint     expected)
{
  BaAccountPage *page = window->account_page;
  BaFleetsPage *fleets = page->fleets_page;

  g_assert_true (adw_view_stack_page_get_visible (page->fleets_stack_page));
  adw_view_stack_set_visible_child_name (page->view_stack, "fleets");
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (fleets)));
  BA_APP_TEST_WAIT_UNTIL (ba_account_get_state (window->account) == BA_ACCOUNT_STATE_ONLINE &&
                          !fleets->syncing && n_rows (fleets->list_box) == expected);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (fleets->list_stack), ==, "list");

  return fleets;
}

static GtkListBoxRow *
find_row (GtkListBox *list,
          const char *title)
{
  for (guint i = 0; gtk_list_box_get_row_at_index (list, i) != NULL; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, i);

      if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
        return row;
    }

  return NULL;
}

/* Opens the fleet and waits for its members. */
static BaFleetMembersPage *
open_fleet (BaFleetsPage *fleets,
            const char   *name)
{
  GtkListBoxRow *row = find_row (fleets->list_box, name);
  BaFleetMembersPage *members = fleets->members_page;

  g_assert_nonnull (row);
  g_assert_true (gtk_widget_activate (GTK_WIDGET (row)));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (fleets->stack), "members") == 0);
  BA_APP_TEST_WAIT_UNTIL (members->pending == 0 &&
                          g_strcmp0 (gtk_stack_get_visible_child_name (members->members_stack), "list") == 0);
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (members->members_list)));

  return members;
}

/* The role name of @username in @fleet as the server has it ("" if not
 * a member), read over HTTP with @token. */
static char *
server_role (BaTestServer *server,
             const char   *token,
             gint64        fleet,
             const char   *username)
{
  g_autofree char *path = NULL;
  g_autofree char *body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *rows;

  path = g_strdup_printf ("/v7/user_application_membership?$filter=is_member_of__application%%20eq%%20%"
                          G_GINT64_FORMAT "%%20and%%20user/username%%20eq%%20'%s'"
                          "&$expand=application_membership_role($select=name)", fleet, username);
  g_assert_cmpuint (ba_test_server_request (server, "GET", path, token, NULL, NULL, &body, NULL, NULL),
                    ==, 200);
  g_assert_true (json_parser_load_from_data (parser, body, -1, NULL));
  rows = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "d");
  if (json_array_get_length (rows) == 0)
    return g_strdup ("");

  return g_strdup (json_object_get_string_member (
                     json_array_get_object_element (
                       json_object_get_array_member (json_array_get_object_element (rows, 0),
                                                     "application_membership_role"), 0),
                     "name"));
}

static gboolean
outbox_has_mail_to (BaTestServer *server,
                    const char   *address)
{
  g_autofree char *dir = g_build_filename (ba_test_server_get_data_dir (server), "outbox", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autofree char *header = g_strdup_printf ("\r\nTo: <%s>\r\n", address);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;

      if (g_file_get_contents (path, &contents, NULL, NULL) && strstr (contents, header) != NULL)
        return TRUE;
    }

  return FALSE;
}

static const char *
token_of (BaWindow *window)
{
  return ba_session_get_token (ba_account_get_session (window->account));
}

static void
test_administrator (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *role = NULL;
  BaTestServer *server;
  BaWindow *window;
  BaFleetsPage *fleets;
  BaFleetMembersPage *members;
  GtkListBoxRow *row;
  GtkDropDown *dropdown;
  GtkWidget *remove;
  gint64 fleet;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  window = ba_app_test_open_window ();
  log_in (window, server, "demo");

  /* Five fleets, with organization, role and devices online / total. */
  fleets = show_fleets (window, 5);
  row = find_row (fleets->list_box, "greenhouse-sensors");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "Acme Robotics · Administrator");
  g_assert_nonnull (ba_app_test_find_label (GTK_WIDGET (row), "4 of 6 devices online"));
  row = find_row (fleets->list_box, "weather-stations");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "emeka · Operator");
  g_assert_nonnull (ba_app_test_find_label (GTK_WIDGET (find_row (fleets->list_box, "warehouse-cameras")),
                                            "No devices"));

  members = open_fleet (fleets, "greenhouse-sensors");
  fleet = ba_fleet_get_id (ba_fleet_members_page_get_fleet (members));
  g_assert_cmpuint (n_rows (members->members_list), ==, 3);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (members->add_button)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (members->invite_button)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (members->invites_group)));
  g_assert_cmpuint (n_rows (members->invites_list), ==, 1);
  row = find_row (members->members_list, "chen");
  dropdown = g_object_get_data (G_OBJECT (row), "ba-role-dropdown");
  g_assert_nonnull (dropdown);
  g_assert_cmpstr (ba_fleet_role_get_name (gtk_drop_down_get_selected_item (dropdown)), ==, "operator");

  /* Add a member by email, as an observer. */
  ba_app_test_press (GTK_WIDGET (members->add_button));
  g_assert_nonnull (members->dialog);
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (members->dialog)));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (members->dialog_confirm)));
  gtk_editable_set_text (GTK_EDITABLE (members->dialog_entry), "nobody@example.com");
  ba_app_test_press (GTK_WIDGET (members->dialog_confirm));
  BA_APP_TEST_WAIT_UNTIL (members->pending == 0 &&
                          gtk_widget_get_visible (GTK_WIDGET (members->dialog_error)));
  g_assert_nonnull (strstr (gtk_label_get_text (members->dialog_error), "No account"));
  g_assert_nonnull (members->dialog);
  g_assert_cmpuint (n_rows (members->members_list), ==, 3);

  gtk_editable_set_text (GTK_EDITABLE (members->dialog_entry), "amara@acme.example");
  adw_combo_row_set_selected (members->dialog_role, 2);
  g_assert_cmpstr (ba_fleet_role_get_name (adw_combo_row_get_selected_item (members->dialog_role)),
                   ==, "observer");
  ba_app_test_press (GTK_WIDGET (members->dialog_confirm));
  BA_APP_TEST_WAIT_UNTIL (members->dialog == NULL && members->pending == 0);
  g_assert_cmpuint (n_rows (members->members_list), ==, 4);
  row = find_row (members->members_list, "amara");
  g_assert_nonnull (row);
  role = server_role (server, token_of (window), fleet, "amara");
  g_assert_cmpstr (role, ==, "observer");

  /* Change the role in place. */
  dropdown = g_object_get_data (G_OBJECT (row), "ba-role-dropdown");
  gtk_drop_down_set_selected (dropdown, 0);
  BA_APP_TEST_WAIT_UNTIL (members->pending == 0);
  g_clear_pointer (&role, g_free);
  role = server_role (server, token_of (window), fleet, "amara");
  g_assert_cmpstr (role, ==, "developer");
  row = find_row (members->members_list, "amara");
  dropdown = g_object_get_data (G_OBJECT (row), "ba-role-dropdown");
  g_assert_cmpstr (ba_fleet_role_get_name (gtk_drop_down_get_selected_item (dropdown)), ==, "developer");

  /* Remove, after a confirmation; cancelling it changes nothing. */
  remove = g_object_get_data (G_OBJECT (row), "ba-remove-button");
  ba_app_test_press (remove);
  g_assert_nonnull (members->remove_dialog);
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (members->remove_dialog)));
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (members->remove_dialog), "_Cancel")));
  BA_APP_TEST_WAIT_UNTIL (members->remove_dialog == NULL);
  ba_app_test_run_for (100);
  g_assert_cmpuint (n_rows (members->members_list), ==, 4);

  ba_app_test_press (remove);
  g_assert_nonnull (members->remove_dialog);
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (members->remove_dialog)));
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (members->remove_dialog), "_Remove")));
  BA_APP_TEST_WAIT_UNTIL (members->pending == 0 && n_rows (members->members_list) == 3);
  g_clear_pointer (&role, g_free);
  role = server_role (server, token_of (window), fleet, "amara");
  g_assert_cmpstr (role, ==, "");

  /* Invite by email, then revoke. */
  ba_app_test_press (GTK_WIDGET (members->invite_button));
  g_assert_nonnull (members->dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (members->dialog_message)));
  gtk_editable_set_text (GTK_EDITABLE (members->dialog_entry), "new.person@example.org");
  gtk_editable_set_text (GTK_EDITABLE (members->dialog_message), "Welcome to the greenhouse");
  adw_combo_row_set_selected (members->dialog_role, 1);
  ba_app_test_press (GTK_WIDGET (members->dialog_confirm));
  BA_APP_TEST_WAIT_UNTIL (members->dialog == NULL && members->pending == 0);
  g_assert_cmpuint (n_rows (members->invites_list), ==, 2);
  row = find_row (members->invites_list, "new.person@example.org");
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "Operator · “Welcome to the greenhouse”");
  g_assert_true (outbox_has_mail_to (server, "new.person@example.org"));

  ba_app_test_press (g_object_get_data (G_OBJECT (row), "ba-revoke-button"));
  BA_APP_TEST_WAIT_UNTIL (members->pending == 0 && n_rows (members->invites_list) == 1);
  g_assert_null (find_row (members->invites_list, "new.person@example.org"));

  /* A refusal: another administrator removed chen meanwhile, so the
   * server refuses the change; the row shows chen's old role again. */
  {
    g_autofree char *amara_login = NULL;
    g_autofree char *amara_token = NULL;
    g_autofree char *path = NULL;
    gint64 chen_id;

    row = find_row (members->members_list, "chen");
    chen_id = ba_fleet_member_get_id (g_object_get_data (G_OBJECT (row), "ba-member"));
    amara_login = g_strdup_printf ("{\"username\":\"amara\",\"password\":\"%s\"}",
                                   ba_test_server_get_demo_password (server));
    g_assert_cmpuint (ba_test_server_request (server, "POST", "/login_", NULL, "application/json",
                                              amara_login, &amara_token, NULL, NULL), ==, 200);
    path = g_strdup_printf ("/v7/user_application_membership(%" G_GINT64_FORMAT ")", chen_id);
    g_assert_cmpuint (ba_test_server_request (server, "DELETE", path, amara_token, NULL, NULL,
                                              NULL, NULL, NULL), ==, 200);

    dropdown = g_object_get_data (G_OBJECT (row), "ba-role-dropdown");
    gtk_drop_down_set_selected (dropdown, 2);
    BA_APP_TEST_WAIT_UNTIL (members->pending == 0);
    row = find_row (members->members_list, "chen");
    g_assert_nonnull (row);
    dropdown = g_object_get_data (G_OBJECT (row), "ba-role-dropdown");
    g_assert_cmpstr (ba_fleet_role_get_name (gtk_drop_down_get_selected_item (dropdown)), ==, "operator");
    g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (dropdown)));
  }

  /* Back to the list. */
  ba_app_test_press (GTK_WIDGET (members->back_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (fleets->stack), "fleets") == 0);

  log_out (window);
  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

static void
test_member (void)
{
  g_autoptr(GError) error = NULL;
  BaTestServer *server;
  BaWindow *window;
  BaFleetsPage *fleets;
  BaFleetMembersPage *members;
  GtkListBoxRow *row;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  window = ba_app_test_open_window ();
  log_in (window, server, "bruno");

  fleets = show_fleets (window, 2);
  row = find_row (fleets->list_box, "greenhouse-sensors");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "Acme Robotics · Developer");

  /* Controls a developer may not use are not offered. */
  members = open_fleet (fleets, "greenhouse-sensors");
  g_assert_cmpuint (n_rows (members->members_list), ==, 3);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (members->add_button)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (members->invite_button)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (members->invites_group)));
  row = find_row (members->members_list, "chen");
  g_assert_null (g_object_get_data (G_OBJECT (row), "ba-role-dropdown"));
  g_assert_null (g_object_get_data (G_OBJECT (row), "ba-remove-button"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "Operator");

  /* But he may leave; then the fleet is gone from his list. */
  row = find_row (members->members_list, "bruno (you)");
  g_assert_nonnull (row);
  g_assert_null (g_object_get_data (G_OBJECT (row), "ba-role-dropdown"));
  ba_app_test_press (g_object_get_data (G_OBJECT (row), "ba-remove-button"));
  g_assert_nonnull (members->remove_dialog);
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (members->remove_dialog)));
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (members->remove_dialog), "_Leave")));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (fleets->stack), "fleets") == 0);
  BA_APP_TEST_WAIT_UNTIL (!fleets->syncing && n_rows (fleets->list_box) == 1);
  g_assert_null (find_row (fleets->list_box, "greenhouse-sensors"));

  /* Leaving the last one leaves the empty state. */
  members = open_fleet (fleets, "delivery-robots");
  row = find_row (members->members_list, "bruno (you)");
  ba_app_test_press (g_object_get_data (G_OBJECT (row), "ba-remove-button"));
  BA_APP_TEST_WAIT_UNTIL (members->remove_dialog != NULL &&
                          gtk_widget_get_mapped (GTK_WIDGET (members->remove_dialog)));
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (members->remove_dialog), "_Leave")));
  BA_APP_TEST_WAIT_UNTIL (!fleets->syncing && n_rows (fleets->list_box) == 0);
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (fleets->list_stack), "empty") == 0);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (fleets->empty_page)));

  log_out (window);
  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  tmpdir = ba_app_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/fleets-page/administrator", test_administrator);
  g_test_add_func ("/ba/fleets-page/member", test_member);

  ret = g_test_run ();

  ba_app_test_cleanup (tmpdir);

  return ret;
}
