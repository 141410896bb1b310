/* test-other-logins.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The other ways in, driven through the window like a user would: Log In
 * with Browser (the test is the browser: it opens the page on a real
 * balena-accounts-server, submits the form and follows the auto-post to
 * the app's listener), Log In with a Token, and the balena CLI's login.
 */

#define G_LOG_DOMAIN "test-other-logins"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "ba-account-page-private.h"
#include "ba-app-test-utils.h"
#include "ba-browser-login-dialog-private.h"
#include "ba-error.h"
#include "ba-login-extras-private.h"
#include "ba-login-page-private.h"
#include "ba-test-server.h"
#include "ba-token-login-dialog-private.h"
#include "ba-tokens-page-private.h"
#include "ba-window-private.h"

static BaTestServer *server;
static char *opened_url;
static gboolean fail_to_open;

/* Stands in for the browser: remembers the URL. */
static void
test_open_uri (BaBrowserLoginDialog *dialog,
               const char           *url)
{
  g_autoptr(GError) error = NULL;

  g_free (opened_url);
  opened_url = g_strdup (url);

  if (fail_to_open)
    error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No browser here");
  ba_browser_login_dialog_uri_opened (dialog, error);
}

static void
choose_test_server (BaWindow *window)
{
  ba_app_test_fill_in (window->login_page, ba_test_server_get_url (server), "", "");
}

static void
log_out (BaWindow *window)
{
  BaAccountPage *page = window->account_page;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "account.logout", NULL));
  g_assert_nonnull (page->logout_dialog);
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (page->logout_dialog), "_Log Out")));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0);
}

/* The value of attribute @name="…" after @after in @page. */
static char *
find_attribute (const char *page,
                const char *after,
                const char *name)
{
  g_autofree char *marker = g_strconcat (name, "=\"", NULL);
  const char *start = strstr (page, after);
  const char *end;

  g_assert_nonnull (start);
  start = strstr (start, marker);
  g_assert_nonnull (start);
  start += strlen (marker);
  end = strchr (start, '"');

  return g_strndup (start, end - start);
}

typedef struct
{
  guint     status;
  gboolean  failed;
  gboolean  done;
} Response;

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Response *response = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  response->failed = bytes == NULL;
  if (bytes != NULL)
    response->status = soup_message_get_status (soup_session_get_async_result_message (SOUP_SESSION (object), result));
  response->done = TRUE;
}

/* A form POST from the "browser" that leaves the main loop running, as
 * the app's listener needs it. */
static void
browser_post (const char *url,
              const char *form,
              Response   *response)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) bytes = g_bytes_new (form, strlen (form));

  memset (response, 0, sizeof *response);
  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Origin",
                                ba_test_server_get_url (server));
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, response);
  BA_APP_TEST_WAIT_UNTIL (response->done);
}

/* The browser's part of the login, on the page the app opened. */
static void
browser_logs_in (const char *form)
{
  const char *server_url = ba_test_server_get_url (server);
  g_autofree char *page = NULL;
  g_autofree char *action = NULL;
  g_autofree char *token = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *post = NULL;
  Response response;
  guint status;

  g_assert_nonnull (opened_url);
  g_assert_true (g_str_has_prefix (opened_url, server_url));
  status = ba_test_server_request (server, "GET", opened_url + strlen (server_url), NULL, NULL,
                                   NULL, &page, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&page, g_free);

  status = ba_test_server_request (server, "POST", opened_url + strlen (server_url), NULL,
                                   "application/x-www-form-urlencoded", form, &page, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);

  action = find_attribute (page, "id=\"callback\"", "action");
  token = find_attribute (page, "name=\"token\"", "value");
  escaped = g_uri_escape_string (token, NULL, FALSE);
  post = g_strconcat ("token=", escaped, NULL);

  browser_post (action, post, &response);
  g_assert_false (response.failed);
  g_assert_cmpuint (response.status, ==, 200);
}

static char *
demo_form (void)
{
  g_autofree char *email = g_uri_escape_string (ba_test_server_get_demo_email (server), NULL, FALSE);
  g_autofree char *password = g_uri_escape_string (ba_test_server_get_demo_password (server), NULL, FALSE);

  return g_strdup_printf ("step=password&username=%s&password=%s", email, password);
}

static BaBrowserLoginDialog *
open_browser_dialog (BaWindow *window)
{
  BaLoginExtras *extras = window->login_page->extras;

  g_clear_pointer (&opened_url, g_free);
  ba_app_test_press (GTK_WIDGET (extras->browser_button));
  g_assert_nonnull (extras->browser_dialog);
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (extras->browser_dialog)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (extras->browser_dialog->stack), ==, "waiting");

  return extras->browser_dialog;
}

static void
test_browser_login (void)
{
  g_autofree char *form = demo_form ();
  BaBrowserLoginDialog *dialog;
  BaWindow *window;

  window = ba_app_test_open_window ();
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");
  choose_test_server (window);

  dialog = open_browser_dialog (window);
  /* The page opened is the server's (its own dashboard), and the link is
   * shown to copy. */
  g_assert_nonnull (opened_url);
  g_assert_nonnull (strstr (opened_url, "/login/cli/http%253A%252F%252F127.0.0.1%253A"));
  g_assert_cmpstr (gtk_label_get_text (dialog->link_label), ==, opened_url);
  g_assert_false (gtk_widget_get_visible (dialog->no_browser_box));

  browser_logs_in (form);

  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  g_assert_cmpstr (ba_account_get_username (window->account), ==, "demo");
  BA_APP_TEST_WAIT_UNTIL (window->login_page->extras->browser_dialog == NULL);

  log_out (window);
  ba_app_test_close_window (window);
}

static void
test_browser_social_login (void)
{
  BaWindow *window;

  window = ba_app_test_open_window ();
  choose_test_server (window);
  open_browser_dialog (window);

  /* The social-login account, through the server's test provider. */
  browser_logs_in ("step=test-idp&username=octocat");

  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  g_assert_cmpstr (ba_account_get_username (window->account), ==, "octocat");

  log_out (window);
  ba_app_test_close_window (window);
}

static void
test_browser_cancel (void)
{
  g_autofree char *callback = NULL;
  BaBrowserLoginDialog *dialog;
  BaWindow *window;
  Response response;

  window = ba_app_test_open_window ();
  choose_test_server (window);
  dialog = open_browser_dialog (window);
  callback = g_strdup (ba_browser_login_get_callback_url (dialog->login));

  ba_app_test_press (GTK_WIDGET (dialog->cancel_button));
  BA_APP_TEST_WAIT_UNTIL (window->login_page->extras->browser_dialog == NULL);
  /* The listener closes from the main loop, right after. */
  ba_app_test_run_for (100);

  /* Nobody listens any more, and nothing changed. */
  browser_post (callback, "token=x", &response);
  g_assert_true (response.failed);
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");
  g_assert_null (window->account);

  ba_app_test_close_window (window);
}

static void
test_browser_timeout_and_no_browser (void)
{
  g_autofree char *form = demo_form ();
  BaBrowserLoginDialog *dialog;
  BaWindow *window;

  fail_to_open = TRUE;
  ba_browser_login_dialog_set_test_hooks (test_open_uri, 1);

  window = ba_app_test_open_window ();
  choose_test_server (window);
  dialog = open_browser_dialog (window);

  /* No browser: the link is there to copy, and the wait goes on. */
  g_assert_true (gtk_widget_get_visible (dialog->no_browser_box));

  /* Then the time runs out. */
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (dialog->stack), "error") == 0);
  g_assert_nonnull (strstr (adw_status_page_get_description (dialog->error_page), "too long"));

  /* Try Again starts over, on a new listener; this time it works. */
  fail_to_open = FALSE;
  ba_browser_login_dialog_set_test_hooks (test_open_uri, 30);
  dialog->timeout = 30;
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (dialog), "_Try Again")));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (dialog->stack), ==, "waiting");
  browser_logs_in (form);
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);

  log_out (window);
  ba_app_test_close_window (window);
}

static char *
new_api_key (void)
{
  g_autofree char *login = g_strdup_printf ("{\"username\":\"demo\",\"password\":\"%s\"}",
                                            ba_test_server_get_demo_password (server));
  g_autofree char *token = NULL;
  g_autofree char *body = NULL;

  g_assert_cmpuint (ba_test_server_request (server, "POST", "/login_", NULL, "application/json",
                                            login, &token, NULL, NULL), ==, 200);
  g_assert_cmpuint (ba_test_server_request (server, "POST", "/api-key/user/full", token,
                                            "application/json", "{\"name\":\"ui\"}", &body,
                                            NULL, NULL), ==, 200);

  return g_strndup (body + 1, strlen (body) - 2);
}

static BaTokenLoginDialog *
open_token_dialog (BaWindow *window)
{
  BaLoginExtras *extras = window->login_page->extras;

  ba_app_test_press (GTK_WIDGET (extras->token_button));
  g_assert_nonnull (extras->token_dialog);
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (extras->token_dialog)));

  return extras->token_dialog;
}

static void
test_token_login (void)
{
  g_autofree char *key = new_api_key ();
  BaTokenLoginDialog *dialog;
  BaTokensPage *tokens;
  BaWindow *window;

  window = ba_app_test_open_window ();
  choose_test_server (window);
  dialog = open_token_dialog (window);

  /* It says what an API key cannot do before anyone pastes one. */
  g_assert_nonnull (ba_app_test_find_label (GTK_WIDGET (dialog), "not create, change or revoke API keys"));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (dialog->login_button)));

  /* A wrong one: an error, and the dialog stays. */
  gtk_editable_set_text (GTK_EDITABLE (dialog->token_row), "AbCdEfGhIjKlMnOpQrStUvWxYz012345");
  ba_app_test_press (GTK_WIDGET (dialog->login_button));
  BA_APP_TEST_WAIT_UNTIL (!dialog->busy);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog->error_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (dialog->error_label), "did not accept"));
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");

  /* The real key, pasted with a newline. */
  {
    g_autofree char *pasted = g_strconcat (key, "\n", NULL);

    gtk_editable_set_text (GTK_EDITABLE (dialog->token_row), pasted);
  }
  ba_app_test_press (GTK_WIDGET (dialog->login_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  g_assert_true (ba_session_is_api_key (ba_account_get_session (window->account)));
  BA_APP_TEST_WAIT_UNTIL (ba_app_test_find_label (GTK_WIDGET (window), "with an API key") != NULL);

  /* Key management is off, and says why. */
  tokens = window->account_page->tokens_page;
  BA_APP_TEST_WAIT_UNTIL (!gtk_widget_is_sensitive (GTK_WIDGET (tokens->create_button)));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (GTK_WIDGET (tokens->create_button)),
                            "API key"));

  log_out (window);
  ba_app_test_close_window (window);
}

static void
test_balena_cli_login (void)
{
  g_autofree char *home_balena = g_build_filename (g_get_home_dir (), ".balena", NULL);
  g_autofree char *token_path = g_build_filename (home_balena, "token", NULL);
  g_autofree char *rc_path = g_build_filename (g_get_home_dir (), ".balenarc.yml", NULL);
  g_autofree char *rc = NULL;
  g_autofree char *login = g_strdup_printf ("{\"username\":\"demo\",\"password\":\"%s\"}",
                                            ba_test_server_get_demo_password (server));
  g_autofree char *token = NULL;
  BaLoginExtras *extras;
  BaWindow *window;

  /* The CLI uses this server and is logged in. */
  g_assert_cmpuint (ba_test_server_request (server, "POST", "/login_", NULL, "application/json",
                                            login, &token, NULL, NULL), ==, 200);
  g_assert_cmpint (g_mkdir_with_parents (home_balena, 0700), ==, 0);
  g_assert_true (g_file_set_contents (token_path, token, -1, NULL));
  rc = g_strdup_printf ("apiUrl: \"%s\"\n", ba_test_server_get_url (server));
  g_assert_true (g_file_set_contents (rc_path, rc, -1, NULL));

  window = ba_app_test_open_window ();
  extras = window->login_page->extras;

  /* The CLI's server is preselected, and its login offered. */
  BA_APP_TEST_WAIT_UNTIL (gtk_revealer_get_reveal_child (extras->cli_revealer));
  g_assert_cmpuint (adw_combo_row_get_selected (window->login_page->server_row), ==, BA_LOGIN_SERVER_CUSTOM);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (window->login_page->server_url_row)), ==,
                   ba_test_server_get_url (server));

  /* apiUrl alone: the login page is that server's, not balenaCloud's. */
  {
    g_autofree char *dashboard = ba_login_extras_dup_dashboard_url (extras, ba_test_server_get_url (server));

    g_assert_cmpstr (dashboard, ==, ba_test_server_get_url (server));
  }

  ba_app_test_press (GTK_WIDGET (extras->cli_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  g_assert_cmpstr (ba_account_get_username (window->account), ==, "demo");

  log_out (window);
  ba_app_test_close_window (window);

  g_assert_cmpint (g_unlink (token_path), ==, 0);
  g_assert_cmpint (g_unlink (rc_path), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  const char * const idp_args[] = { "--dev-identity-provider", NULL };
  g_autofree char *tmpdir = NULL;
  g_autoptr(GError) error = NULL;
  int ret;

  tmpdir = ba_app_test_init (&argc, &argv, NULL);

  server = ba_test_server_start_with_args (TRUE, idp_args, &error);
  g_assert_no_error (error);

  ba_browser_login_dialog_set_test_hooks (test_open_uri, 0);

  g_test_add_func ("/ba/other-logins/browser", test_browser_login);
  g_test_add_func ("/ba/other-logins/browser-social", test_browser_social_login);
  g_test_add_func ("/ba/other-logins/browser-cancel", test_browser_cancel);
  g_test_add_func ("/ba/other-logins/browser-timeout-no-browser", test_browser_timeout_and_no_browser);
  g_test_add_func ("/ba/other-logins/token", test_token_login);
  g_test_add_func ("/ba/other-logins/balena-cli", test_balena_cli_login);

  ret = g_test_run ();

  ba_test_server_stop (server);
  g_free (opened_url);
  ba_app_test_cleanup (g_steal_pointer (&tmpdir));

  return ret;
}
