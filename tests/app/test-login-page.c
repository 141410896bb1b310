/* test-login-page.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The login page, driven like a user would (typing into the rows and
 * pressing Log In) against a real balena-accounts-server.
 */

#define G_LOG_DOMAIN "test-login-page"

#include "config.h"

#include "ba-account.h"
#include "ba-account-page-private.h"
#include "ba-api-client.h"
#include "ba-app-test-utils.h"
#include "ba-error.h"
#include "ba-login-page-private.h"
#include "ba-secret-store.h"
#include "ba-test-server.h"
#include "ba-window-private.h"

#include <libsoup/soup.h>

static BaTestServer *server;

static const char *
row_text (gpointer row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static void
press_log_in (BaLoginPage *page)
{
  ba_app_test_press (GTK_WIDGET (page->login_button));
}

static void
wait_for_answer (BaLoginPage *page)
{
  BA_APP_TEST_WAIT_UNTIL (!page->busy);
}

static const char *
error_text (BaLoginPage *page)
{
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->error_label)));
  return gtk_label_get_text (page->error_label);
}

/* The message the client gives for a login with these details, asked of
 * the client directly, so the test does not copy its wording. */
static char *
expected_login_error (const char *url,
                      const char *username,
                      const char *password)
{
  g_autoptr(BaApiClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  client = ba_api_client_new (url, &error);
  if (client == NULL)
    return g_strdup (error->message);

  ba_api_client_login_async (client, username, password, NULL,
                             ba_app_test_store_result, &result);
  token = ba_api_client_login_finish (client, ba_app_test_wait_result (&result), &error);
  g_assert_null (token);
  g_assert_error (error, BA_ERROR, error->code);

  return g_strdup (error->message);
}

static void
test_prefill_from_environment (void)
{
  g_autofree char *hint = NULL;
  BaLoginPage *page;
  BaWindow *window;

  hint = g_strdup_printf ("Demo server: %s / %s",
                          ba_test_server_get_demo_email (server),
                          ba_test_server_get_demo_password (server));
  g_setenv ("BALENARC_API_URL", ba_test_server_get_url (server), TRUE);
  g_setenv ("BALENA_ACCOUNTS_DEMO_HINT", hint, TRUE);

  window = ba_app_test_open_window ();
  page = window->login_page;

  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "login");

  /* The custom server is chosen and filled in from BALENARC_API_URL. */
  g_assert_cmpuint (adw_combo_row_get_selected (page->server_row), ==, BA_LOGIN_SERVER_CUSTOM);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->server_url_row)));
  g_assert_cmpstr (row_text (page->server_url_row), ==, ba_test_server_get_url (server));

  /* The demo hint is on show, as text: no credentials one by one. */
  g_assert_true (gtk_widget_get_visible (page->demo_hint_box));
  g_assert_false (gtk_widget_get_visible (page->demo_grid));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->demo_fill_button)));
  g_assert_cmpstr (gtk_label_get_text (page->demo_hint_label), ==, hint);
  g_assert_nonnull (ba_app_test_find_label (GTK_WIDGET (window), hint));

  /* No keyring notice: the file keyring works. */
  g_assert_false (gtk_revealer_get_reveal_child (page->keyring_revealer));

  /* Log In stays insensitive until every field is filled in. */
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));
  gtk_editable_set_text (GTK_EDITABLE (page->username_row), "demo");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));
  gtk_editable_set_text (GTK_EDITABLE (page->password_row), "x");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));
  gtk_editable_set_text (GTK_EDITABLE (page->server_url_row), "  ");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));
  gtk_editable_set_text (GTK_EDITABLE (page->username_row), "   ");
  adw_combo_row_set_selected (page->server_row, BA_LOGIN_SERVER_BALENA_CLOUD);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));

  ba_app_test_close_window (window);
  g_unsetenv ("BALENARC_API_URL");
  g_unsetenv ("BALENA_ACCOUNTS_DEMO_HINT");
}

/* What build-aux/demo passes: the credentials one by one. Fill In puts
 * them in the form (test_log_in shows that these log in). Not logging in
 * here keeps the vault empty for the tests that follow. */
static void
test_demo_credentials (void)
{
  const char *url = ba_test_server_get_url (server);
  const char *email = ba_test_server_get_demo_email (server);
  const char *username = ba_test_server_get_demo_username (server);
  const char *password = ba_test_server_get_demo_password (server);
  BaLoginPage *page;
  BaWindow *window;

  g_setenv ("BALENARC_API_URL", url, TRUE);
  g_setenv ("BALENA_ACCOUNTS_DEMO_HINT", "Demo server: a free-form hint", TRUE);
  g_setenv ("BALENA_ACCOUNTS_DEMO_EMAIL", email, TRUE);
  g_setenv ("BALENA_ACCOUNTS_DEMO_USERNAME", username, TRUE);
  g_setenv ("BALENA_ACCOUNTS_DEMO_PASSWORD", password, TRUE);

  window = ba_app_test_open_window ();
  page = window->login_page;

  /* Each one on its own line, under its name; the hint is not needed. */
  g_assert_true (gtk_widget_get_visible (page->demo_hint_box));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->demo_hint_label)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page->demo_email_label)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page->demo_username_label)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page->demo_password_label)));
  g_assert_cmpstr (gtk_label_get_text (page->demo_email_label), ==, email);
  g_assert_cmpstr (gtk_label_get_text (page->demo_username_label), ==, username);
  g_assert_cmpstr (gtk_label_get_text (page->demo_password_label), ==, password);
  g_assert_nonnull (ba_app_test_find_label (page->demo_grid, "Username"));
  g_assert_null (ba_app_test_find_label (GTK_WIDGET (page), "free-form"));

  /* Fill In: the username and the password go into their rows, and Log
   * In is ready, with the focus. */
  g_assert_cmpstr (row_text (page->username_row), ==, "");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));
  g_assert_true (ba_app_test_find_button (GTK_WIDGET (page), "_Fill In") == page->demo_fill_button);
  ba_app_test_press (GTK_WIDGET (page->demo_fill_button));
  g_assert_cmpstr (row_text (page->username_row), ==, username);
  g_assert_cmpstr (row_text (page->password_row), ==, password);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == GTK_WIDGET (page->login_button));

  ba_app_test_close_window (window);

  /* Without a username, the email is what Fill In uses; its row hides. */
  g_unsetenv ("BALENA_ACCOUNTS_DEMO_USERNAME");
  window = ba_app_test_open_window ();
  page = window->login_page;
  g_assert_false (gtk_widget_get_visible (page->demo_username_caption));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->demo_username_label)));
  g_assert_null (ba_app_test_find_label (page->demo_grid, "Username"));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page->demo_email_label)));
  ba_app_test_press (GTK_WIDGET (page->demo_fill_button));
  g_assert_cmpstr (row_text (page->username_row), ==, email);
  g_assert_cmpstr (row_text (page->password_row), ==, password);
  ba_app_test_close_window (window);

  g_unsetenv ("BALENARC_API_URL");
  g_unsetenv ("BALENA_ACCOUNTS_DEMO_HINT");
  g_unsetenv ("BALENA_ACCOUNTS_DEMO_EMAIL");
  g_unsetenv ("BALENA_ACCOUNTS_DEMO_PASSWORD");
}

static void
test_balena_cloud_by_default (void)
{
  BaLoginPage *page;
  BaWindow *window;

  window = ba_app_test_open_window ();
  page = window->login_page;

  g_assert_cmpuint (adw_combo_row_get_selected (page->server_row), ==, BA_LOGIN_SERVER_BALENA_CLOUD);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->server_url_row)));
  g_assert_false (gtk_widget_get_visible (page->demo_hint_box));

  /* With balenaCloud chosen, username and password are enough. */
  ba_app_test_fill_in (page, NULL, "someone", "secret");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));

  /* Choosing a custom server shows its row, and asks for it. */
  adw_combo_row_set_selected (page->server_row, BA_LOGIN_SERVER_CUSTOM);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->server_url_row)));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));

  ba_app_test_close_window (window);
}

static void
test_insecure_url_refused (void)
{
  g_autofree char *expected = NULL;
  BaLoginPage *page;
  BaWindow *window;

  window = ba_app_test_open_window ();
  page = window->login_page;

  ba_app_test_fill_in (page, "http://example.com", "demo", "a password");
  press_log_in (page);

  /* Refused at once, without a request: nothing is running. */
  g_assert_false (page->busy);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->login_spinner)));

  expected = expected_login_error ("http://example.com", "demo", "a password");
  g_assert_cmpstr (error_text (page), ==, expected);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (page->server_url_row), "error"));

  /* What the user typed is all still there. */
  g_assert_cmpstr (row_text (page->server_url_row), ==, "http://example.com");
  g_assert_cmpstr (row_text (page->username_row), ==, "demo");
  g_assert_cmpstr (row_text (page->password_row), ==, "a password");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "login");

  /* Editing the address takes the error mark away. */
  gtk_editable_set_text (GTK_EDITABLE (page->server_url_row), "https://example.com");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (page->server_url_row), "error"));

  ba_app_test_close_window (window);
}

static void
test_unreachable_server (void)
{
  g_autoptr(GSocketListener) listener = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *expected = NULL;
  BaLoginPage *page;
  BaWindow *window;
  guint16 port;

  /* A port that was free a moment ago and has nobody listening now. */
  listener = g_socket_listener_new ();
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  window = ba_app_test_open_window ();
  page = window->login_page;

  ba_app_test_fill_in (page, url, "demo", "a password");
  press_log_in (page);

  /* The request runs: spinner on, form locked, Log In is Cancel. */
  g_assert_true (page->busy);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->login_spinner)));
  g_assert_cmpstr (gtk_label_get_label (page->login_label), ==, "_Cancel");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->username_row)));

  wait_for_answer (page);

  expected = expected_login_error (url, "demo", "a password");
  g_assert_cmpstr (error_text (page), ==, expected);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->login_spinner)));
  g_assert_cmpstr (gtk_label_get_label (page->login_label), ==, "_Log In");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (page->username_row)));
  g_assert_cmpstr (row_text (page->username_row), ==, "demo");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "login");

  ba_app_test_close_window (window);
}

/* A server that takes the connection and never says a word: without a
 * way to cancel, the form would be locked until the client's timeout. */
static gboolean
silent_incoming_cb (GSocketService    *service,
                    GSocketConnection *connection,
                    GObject           *source_object,
                    gpointer           user_data)
{
  GPtrArray *connections = user_data;

  /* Kept open, unanswered, until the test ends. */
  g_ptr_array_add (connections, g_object_ref (connection));

  return TRUE;
}

static void
assert_form_editable (BaLoginPage *page)
{
  g_assert_false (page->busy);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->login_spinner)));
  g_assert_cmpstr (gtk_label_get_label (page->login_label), ==, "_Log In");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (page->login_button), "suggested-action"));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (page->server_url_row)));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (page->username_row)));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (page->password_row)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->error_label)));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (page->server_url_row), "error"));
}

static void
test_cancel (void)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  BaLoginPage *page;
  BaWindow *window;
  gint64 start;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (silent_incoming_cb), connections);
  g_socket_service_start (service);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  window = ba_app_test_open_window ();
  page = window->login_page;

  /* Log In, then Cancel (the same button) once the server has the
   * connection. */
  ba_app_test_fill_in (page, url, "demo", "a password");
  press_log_in (page);
  g_assert_true (page->busy);
  BA_APP_TEST_WAIT_UNTIL (connections->len > 0);
  g_assert_true (page->busy);
  g_assert_cmpstr (gtk_label_get_label (page->login_label), ==, "_Cancel");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (page->login_button), "suggested-action"));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->password_row)));
  /* The focus is on Cancel, inside the page, where Escape reaches it. */
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == GTK_WIDGET (page->login_button));

  start = g_get_monotonic_time ();
  press_log_in (page);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  assert_form_editable (page);

  /* Nothing comes later either: no error, still on the login page, and
   * what the user typed is all there, the focus back in the form. */
  ba_app_test_run_for (500);
  assert_form_editable (page);
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");
  g_assert_cmpstr (row_text (page->server_url_row), ==, url);
  g_assert_cmpstr (row_text (page->username_row), ==, "demo");
  g_assert_cmpstr (row_text (page->password_row), ==, "a password");
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)),
                                         GTK_WIDGET (page->password_row)));

  /* Escape does the same. */
  press_log_in (page);
  BA_APP_TEST_WAIT_UNTIL (connections->len > 1);
  g_assert_true (page->busy);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "login.go-back", NULL));
  assert_form_editable (page);
  ba_app_test_run_for (500);
  assert_form_editable (page);
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");

  /* A cancelled login leaves nothing behind: the next one, to a real
   * server, goes through. (A wrong password keeps the vault empty for
   * the tests that follow.) */
  ba_app_test_fill_in (page, ba_test_server_get_url (server),
                       ba_test_server_get_demo_username (server), "not the password");
  press_log_in (page);
  wait_for_answer (page);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (page->password_row), "error"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->error_label)));

  ba_app_test_close_window (window);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
}

static void
garbage_handler (SoupServer        *soup_server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  static const char body[] = "<html><body>Welcome to nginx!</body></html>";

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, body, strlen (body));
}

static void
test_invalid_response (void)
{
  g_autoptr(SoupServer) soup_server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *expected = NULL;
  GSList *uris;
  BaLoginPage *page;
  BaWindow *window;

  /* Something that is not an account server answers on the address. */
  soup_server = soup_server_new (NULL, NULL);
  soup_server_add_handler (soup_server, NULL, garbage_handler, NULL, NULL);
  soup_server_listen_local (soup_server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (soup_server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  window = ba_app_test_open_window ();
  page = window->login_page;

  ba_app_test_fill_in (page, url, "demo", "a password");
  press_log_in (page);
  wait_for_answer (page);

  expected = expected_login_error (url, "demo", "a password");
  g_assert_cmpstr (error_text (page), ==, expected);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "login");
  g_assert_cmpstr (row_text (page->username_row), ==, "demo");
  g_assert_cmpstr (row_text (page->password_row), ==, "a password");

  ba_app_test_close_window (window);
  soup_server_disconnect (soup_server);
}

static void
test_wrong_password (void)
{
  g_autofree char *expected = NULL;
  const char *url = ba_test_server_get_url (server);
  const char *username = ba_test_server_get_demo_username (server);
  BaLoginPage *page;
  BaWindow *window;

  window = ba_app_test_open_window ();
  page = window->login_page;

  ba_app_test_fill_in (page, url, username, "not the password");

  /* Enter in the password row submits the complete form. */
  g_signal_emit_by_name (page->password_row, "entry-activated");
  g_assert_true (page->busy);
  wait_for_answer (page);

  expected = expected_login_error (url, username, "not the password");
  g_assert_cmpstr (error_text (page), ==, expected);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (page->password_row), "error"));

  /* The username is kept, and so is the password, ready to be corrected. */
  g_assert_cmpstr (row_text (page->username_row), ==, username);
  g_assert_cmpstr (row_text (page->password_row), ==, "not the password");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->stack), ==, "login");

  ba_app_test_close_window (window);
}

/* Whether all of @widget lies in the part of @scrolled that is shown. */
static gboolean
is_in_view (GtkWidget         *widget,
            GtkScrolledWindow *scrolled)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_get_mapped (widget));
  g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (scrolled), &bounds));

  return bounds.origin.y >= 0 &&
         bounds.origin.y + bounds.size.height <= gtk_widget_get_height (GTK_WIDGET (scrolled));
}

/* In a small window with the demo credentials shown, the error label
 * sits below the fold: the page scrolls so that it can be read. */
static void
test_error_in_view (void)
{
  g_autofree char *expected = NULL;
  const char *url = ba_test_server_get_url (server);
  const char *username = ba_test_server_get_demo_username (server);
  GtkAdjustment *vadjustment;
  BaLoginPage *page;
  BaWindow *window;

  g_setenv ("BALENARC_API_URL", url, TRUE);
  g_setenv ("BALENA_ACCOUNTS_DEMO_EMAIL", ba_test_server_get_demo_email (server), TRUE);
  g_setenv ("BALENA_ACCOUNTS_DEMO_USERNAME", username, TRUE);
  g_setenv ("BALENA_ACCOUNTS_DEMO_PASSWORD", ba_test_server_get_demo_password (server), TRUE);

  window = ba_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 600);
  gtk_window_present (GTK_WINDOW (window));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0);
  page = window->login_page;
  vadjustment = gtk_scrolled_window_get_vadjustment (page->scrolled_window);
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (page->login_button)));
  ba_app_test_run_for (200);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), <=, 600);
  g_assert_true (gtk_widget_get_mapped (page->demo_grid));
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), ==, 0);

  ba_app_test_fill_in (page, NULL, username, "not the password");
  press_log_in (page);
  wait_for_answer (page);
  expected = expected_login_error (url, username, "not the password");
  g_assert_cmpstr (error_text (page), ==, expected);

  /* The page had to scroll for it: the label was out of sight. */
  ba_app_test_run_for (300);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), >, 0);
  g_assert_true (is_in_view (GTK_WIDGET (page->error_label), page->scrolled_window));
  /* The password, marked and focused, is in view too. */
  g_assert_true (is_in_view (GTK_WIDGET (page->password_row), page->scrolled_window));

  /* Scrolled back to the top, the next error comes into view again. */
  gtk_adjustment_set_value (vadjustment, 0);
  ba_app_test_run_for (100);
  g_assert_false (is_in_view (GTK_WIDGET (page->error_label), page->scrolled_window));
  press_log_in (page);
  wait_for_answer (page);
  ba_app_test_run_for (300);
  g_assert_true (is_in_view (GTK_WIDGET (page->error_label), page->scrolled_window));

  ba_app_test_close_window (window);
  g_unsetenv ("BALENARC_API_URL");
  g_unsetenv ("BALENA_ACCOUNTS_DEMO_EMAIL");
  g_unsetenv ("BALENA_ACCOUNTS_DEMO_USERNAME");
  g_unsetenv ("BALENA_ACCOUNTS_DEMO_PASSWORD");
}

static void
test_too_many_attempts (void)
{
  const char *url = ba_test_server_get_url (server);
  g_autofree char *first = NULL;
  BaLoginPage *page;
  BaWindow *window;
  guint attempts;

  window = ba_app_test_open_window ();
  page = window->login_page;

  /* The server allows 10 tries per 2 h per address and username; the
   * 11th is refused with Retry-After, and the page says how long to wait. */
  ba_app_test_fill_in (page, url, "nobody@example.com", "guess");
  press_log_in (page);
  wait_for_answer (page);
  first = g_strdup (error_text (page));

  for (attempts = 1; attempts < 15; attempts++)
    {
      press_log_in (page);
      wait_for_answer (page);
      if (g_strcmp0 (error_text (page), first) != 0)
        break;
    }

  g_assert_cmpuint (attempts, ==, 10);
  g_assert_nonnull (strstr (error_text (page), "Too many attempts"));
  g_assert_nonnull (strstr (error_text (page), "Try again in"));
  g_assert_cmpstr (row_text (page->username_row), ==, "nobody@example.com");

  /* While the wait runs, Log In is off for this server and username,
   * and Enter does nothing either. */
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));
  g_signal_emit_by_name (page->password_row, "entry-activated");
  g_assert_false (page->busy);

  /* Another username may try at once; the message goes with it. */
  gtk_editable_set_text (GTK_EDITABLE (page->username_row), "somebody@example.com");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->error_label)));

  /* Back to the waiting one: off again, and the wait is said again. */
  gtk_editable_set_text (GTK_EDITABLE (page->username_row), "nobody@example.com");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));
  g_assert_nonnull (strstr (error_text (page), "Try again in"));

  /* Another server is not affected. */
  gtk_editable_set_text (GTK_EDITABLE (page->server_url_row), "https://api.example.com");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));
  gtk_editable_set_text (GTK_EDITABLE (page->server_url_row), url);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));

  ba_app_test_close_window (window);
}

/* Answers every request with 429 and a short Retry-After. */
static void
too_many_handler (SoupServer        *soup_server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  static const char body[] = "Too Many Requests";

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "3");
  soup_server_message_set_status (msg, 429, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, body, strlen (body));
}

static void
test_wait_counts_down (void)
{
  g_autoptr(SoupServer) soup_server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  GSList *uris;
  BaLoginPage *page;
  BaWindow *window;
  gint64 start;

  soup_server = soup_server_new (NULL, NULL);
  soup_server_add_handler (soup_server, NULL, too_many_handler, NULL, NULL);
  soup_server_listen_local (soup_server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (soup_server);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  window = ba_app_test_open_window ();
  page = window->login_page;

  ba_app_test_fill_in (page, url, "demo", "a password");
  press_log_in (page);
  wait_for_answer (page);
  start = g_get_monotonic_time ();

  /* The wait in seconds, counting down from the Retry-After... */
  g_assert_cmpstr (error_text (page), ==, "Too many attempts. Try again in 3 seconds.");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_label_get_text (page->error_label),
                                     "Too many attempts. Try again in 2 seconds.") == 0);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_label_get_text (page->error_label),
                                     "Too many attempts. Try again in 1 second.") == 0);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));

  /* ...and when it is over, Log In is back and the message gone. */
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_sensitive (GTK_WIDGET (page->login_button)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->error_label)));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpstr (row_text (page->username_row), ==, "demo");
  g_assert_cmpstr (row_text (page->password_row), ==, "a password");

  ba_app_test_close_window (window);
  soup_server_disconnect (soup_server);
}

static void
test_log_in (void)
{
  g_autoptr(BaSecretStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *padded = NULL;
  const char *url = ba_test_server_get_url (server);
  BaAccountPage *account_page;
  BaLoginPage *page;
  BaWindow *window;

  window = ba_app_test_open_window ();
  page = window->login_page;
  account_page = window->account_page;

  /* Log in with the email this time, typed with stray spaces. */
  ba_app_test_fill_in (page, url, ba_test_server_get_demo_email (server), ba_test_server_get_demo_password (server));
  padded = g_strdup_printf (" %s ", ba_test_server_get_demo_email (server));
  gtk_editable_set_text (GTK_EDITABLE (page->username_row), padded);
  press_log_in (page);

  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (window->stack), "account") == 0);

  g_assert_cmpstr (adw_action_row_get_subtitle (account_page->username_row), ==,
                   ba_test_server_get_demo_username (server));
  g_assert_cmpstr (adw_action_row_get_subtitle (account_page->email_row), ==,
                   ba_test_server_get_demo_email (server));
  g_assert_cmpstr (adw_action_row_get_subtitle (account_page->server_row), ==, url);
  g_assert_cmpint (ba_account_get_state (window->account), ==, BA_ACCOUNT_STATE_ONLINE);

  /* The password is not kept in the form once it has done its job. */
  g_assert_cmpstr (row_text (page->password_row), ==, "");

  /* The token went to the keyring. */
  store = ba_secret_store_new ();
  ba_secret_store_lookup_token_async (store, ba_account_get_id (window->account), NULL,
                                      ba_app_test_store_result, &result);
  token = ba_secret_store_lookup_token_finish (store, ba_app_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  g_assert_cmpstr (token, ==, ba_session_get_token (ba_account_get_session (window->account)));

  ba_app_test_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  char *tmpdir;
  int ret;

  tmpdir = ba_app_test_init (&argc, &argv, NULL);

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ba/login-page/prefill-from-environment", test_prefill_from_environment);
  g_test_add_func ("/ba/login-page/demo-credentials", test_demo_credentials);
  g_test_add_func ("/ba/login-page/balena-cloud-by-default", test_balena_cloud_by_default);
  g_test_add_func ("/ba/login-page/insecure-url-refused", test_insecure_url_refused);
  g_test_add_func ("/ba/login-page/unreachable-server", test_unreachable_server);
  g_test_add_func ("/ba/login-page/cancel", test_cancel);
  g_test_add_func ("/ba/login-page/invalid-response", test_invalid_response);
  g_test_add_func ("/ba/login-page/wrong-password", test_wrong_password);
  g_test_add_func ("/ba/login-page/error-in-view", test_error_in_view);
  g_test_add_func ("/ba/login-page/too-many-attempts", test_too_many_attempts);
  g_test_add_func ("/ba/login-page/wait-counts-down", test_wait_counts_down);
  /* Last: it leaves a logged-in account in the vault. */
  g_test_add_func ("/ba/login-page/log-in", test_log_in);

  ret = g_test_run ();

  ba_test_server_stop (server);
  ba_app_test_cleanup (tmpdir);

  return ret;
}
