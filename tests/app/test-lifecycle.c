/* test-lifecycle.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The account lifecycle through the window, against a real
 * balena-accounts-server whose mails are read from its outbox: sign up,
 * verify the email with the mailed link, log out, reset the password with
 * the link from the reset mail, log in with the new one, delete the
 * account; set a first password on a social-login account; a server
 * without the extension endpoints.
 */

#define G_LOG_DOMAIN "test-lifecycle"

#include "config.h"

#include <libsoup/soup.h>
#include <sqlite3.h>

#include "ba-account-details-private.h"
#include "ba-account-fleets.h"
#include "ba-account-lifecycle.h"
#include "ba-account-page-private.h"
#include "ba-account-private.h"
#include "ba-app-test-utils.h"
#include "ba-jwt.h"
#include "ba-login-page-private.h"
#include "ba-password-dialog-private.h"
#include "ba-password-reset-page-private.h"
#include "ba-sign-up-page-private.h"
#include "ba-test-outbox.h"
#include "ba-test-server.h"
#include "ba-window-private.h"

#define EMAIL    "new.user@example.com"
#define PASSWORD "first pass phrase 1"
#define NEW_PASSWORD "second pass phrase 2"

static void
set_text (gpointer    editable,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editable), text);
}

static void
activate_row (gpointer row)
{
  g_signal_emit_by_name (row, "entry-activated");
}

static gboolean
has_error_class (gpointer widget)
{
  return gtk_widget_has_css_class (GTK_WIDGET (widget), "error");
}

static GtkWidget *
button (gpointer    widget,
        const char *label)
{
  GtkButton *found = ba_app_test_find_button (GTK_WIDGET (widget), label);

  g_assert_nonnull (found);
  return GTK_WIDGET (found);
}

static guint
login_status (BaTestServer *server,
              const char   *username,
              const char   *password)
{
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}", username, password);

  return ba_test_server_request (server, "POST", "/login_", NULL, "application/json", body,
                                 NULL, NULL, NULL);
}

static char *
lookup_token (const char *account_id)
{
  g_autoptr(BaSecretStore) store = ba_secret_store_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ba_secret_store_lookup_token_async (store, account_id, NULL, ba_app_test_store_result, &result);
  return ba_secret_store_lookup_token_finish (store, ba_app_test_wait_result (&result), &error);
}

static void
log_out (BaWindow *window)
{
  BaAccountPage *page = window->account_page;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "account.logout", NULL));
  g_assert_nonnull (page->logout_dialog);
  ba_app_test_press (button (page->logout_dialog, "_Log Out"));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0);
}

/* Waits until the details have read the profile. */
static BaAccountDetails *
wait_for_details (BaWindow *window)
{
  BaAccountDetails *details = window->account_page->account_details;

  BA_APP_TEST_WAIT_UNTIL (details->profile != NULL && details->fresh && !details->loading &&
                          gtk_widget_get_visible (GTK_WIDGET (details->password_group)));
  return details;
}

static void
test_sign_up_verify_reset_delete (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *outbox = NULL;
  g_autofree char *mail = NULL;
  g_autofree char *link = NULL;
  g_autofree char *account_id = NULL;
  g_autofree char *token = NULL;
  BaTestServer *server;
  BaSignUpPage *sign_up;
  BaPasswordResetPage *reset;
  BaAccountDetails *details;
  BaWindow *window;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  outbox = g_build_filename (ba_test_server_get_data_dir (server), "outbox", NULL);

  window = ba_app_test_open_window ();
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");
  ba_app_test_fill_in (window->login_page, ba_test_server_get_url (server), "", "");

  /* Sign up. */
  ba_app_test_press (button (window->login_page, "Create _Account…"));
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "sign-up");
  sign_up = window->sign_up_page;
  g_assert_nonnull (ba_app_test_find_label (GTK_WIDGET (sign_up), "127.0.0.1"));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (sign_up->create_button)));

  /* The 8-character rule and the confirmation hold the button back. */
  set_text (sign_up->email_row, "demo@example.com");
  set_text (sign_up->password_row, "short");
  set_text (sign_up->confirm_row, "short");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (sign_up->create_button)));
  g_assert_nonnull (strstr (gtk_label_get_text (sign_up->strength_label), "8 characters"));
  g_assert_cmpfloat (gtk_level_bar_get_value (sign_up->strength_bar), ==, 0);
  set_text (sign_up->password_row, PASSWORD);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (sign_up->create_button)));
  g_assert_true (has_error_class (sign_up->confirm_row));
  set_text (sign_up->confirm_row, PASSWORD);
  g_assert_false (has_error_class (sign_up->confirm_row));
  g_assert_cmpfloat (gtk_level_bar_get_value (sign_up->strength_bar), >, 0);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (sign_up->create_button)));

  /* A taken email is reported on its field; nothing is lost. */
  ba_app_test_press (GTK_WIDGET (sign_up->create_button));
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (sign_up->error_label)));
  g_assert_cmpstr (gtk_label_get_text (sign_up->error_label), ==, "This email is already taken.");
  g_assert_true (has_error_class (sign_up->email_row));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (sign_up->password_row)), ==, PASSWORD);
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "sign-up");

  set_text (sign_up->email_row, EMAIL);
  g_assert_false (has_error_class (sign_up->email_row));
  ba_app_test_press (GTK_WIDGET (sign_up->create_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  g_assert_cmpstr (ba_account_get_username (window->account), ==, "new_user");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (sign_up->password_row)), ==, "");
  BA_APP_TEST_WAIT_UNTIL (ba_app_test_find_label (GTK_WIDGET (window), "Account created") != NULL);

  /* The notice to verify, Resend, then the link from the newest mail. */
  details = wait_for_details (window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (details->verify_group)));
  g_assert_cmpstr (adw_action_row_get_subtitle (details->verified_row), ==, "Not verified yet");
  g_assert_cmpuint (ba_test_outbox_count (outbox, "verify-email", EMAIL), ==, 1);
  ba_app_test_press (GTK_WIDGET (details->resend_button));
  BA_APP_TEST_WAIT_UNTIL (ba_test_outbox_count (outbox, "verify-email", EMAIL) == 2);
  BA_APP_TEST_WAIT_UNTIL (ba_app_test_find_label (GTK_WIDGET (window), "A new mail is on its way") != NULL);

  set_text (details->code_row, "NotTheRightCode1");
  activate_row (details->code_row);
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (details->verify_error_label)));
  g_assert_true (has_error_class (details->code_row));

  mail = ba_test_outbox_wait (outbox, "verify-email", EMAIL, 2, 5000);
  link = ba_test_mail_get_link (mail);
  set_text (details->code_row, link);
  activate_row (details->code_row);
  BA_APP_TEST_WAIT_UNTIL (!gtk_widget_get_visible (GTK_WIDGET (details->verify_group)));
  g_assert_cmpstr (adw_action_row_get_subtitle (details->verified_row), ==, "Verified");

  /* Name and company, saved on the server. */
  set_text (details->first_name_row, "New");
  set_text (details->company_row, "Example Ltd");
  g_signal_emit_by_name (details->company_row, "apply");
  BA_APP_TEST_WAIT_UNTIL (ba_app_test_find_label (GTK_WIDGET (window), "Personal details saved") != NULL);
  {
    g_autofree char *path = g_strdup_printf ("/v7/user_profile?$select=first_name,company&$filter=id%%20eq%%20%" G_GINT64_FORMAT,
                                             ba_account_get_user_id (window->account));
    g_autofree char *body = NULL;

    g_assert_cmpuint (ba_test_server_request (server, "GET", path,
                                              ba_session_get_token (ba_account_get_session (window->account)),
                                              NULL, NULL, &body, NULL, NULL), ==, 200);
    g_assert_cmpstr (body, ==, "{\"d\":[{\"first_name\":\"New\",\"company\":\"Example Ltd\"}]}");
  }

  log_out (window);

  /* Forgot password: the mail is "on its way" whatever the answer. */
  ba_app_test_press (button (window->login_page, "_Forgot Password?"));
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "password-reset");
  reset = window->password_reset_page;
  set_text (reset->email_row, EMAIL);
  ba_app_test_press (GTK_WIDGET (reset->send_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (reset->stack), "complete") == 0);
  g_assert_nonnull (strstr (gtk_label_get_text (reset->sent_label), EMAIL));

  g_clear_pointer (&mail, g_free);
  g_clear_pointer (&link, g_free);
  mail = ba_test_outbox_wait (outbox, "password-reset", EMAIL, 1, 5000);
  g_assert_nonnull (mail);
  link = ba_test_mail_get_link (mail);

  set_text (reset->token_row, link);
  set_text (reset->password_row, NEW_PASSWORD);
  set_text (reset->confirm_row, NEW_PASSWORD);
  ba_app_test_press (GTK_WIDGET (reset->reset_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  g_assert_cmpstr (ba_account_get_email (window->account), ==, EMAIL);
  g_assert_cmpuint (login_status (server, EMAIL, PASSWORD), ==, 401);

  /* Log out and in again with the new password. */
  log_out (window);
  ba_app_test_fill_in (window->login_page, NULL, EMAIL, NEW_PASSWORD);
  ba_app_test_press (GTK_WIDGET (window->login_page->login_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  account_id = g_strdup (ba_account_get_id (window->account));

  /* Delete: a destructive confirmation that asks for the password. */
  details = wait_for_details (window);
  ba_app_test_press (GTK_WIDGET (details->delete_button));
  BA_APP_TEST_WAIT_UNTIL (details->delete_dialog != NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (details->delete_dialog), "fleets"));
  g_assert_false (adw_message_dialog_get_response_enabled (details->delete_dialog, "delete"));
  set_text (details->delete_password_row, NEW_PASSWORD);
  g_assert_true (adw_message_dialog_get_response_enabled (details->delete_dialog, "delete"));
  ba_app_test_press (button (details->delete_dialog, "_Delete Account"));

  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0);
  BA_APP_TEST_WAIT_UNTIL (ba_app_test_find_label (GTK_WIDGET (window), "Your account was deleted") != NULL);
  g_assert_null (window->account);
  token = lookup_token (account_id);
  g_assert_null (token);
  g_assert_cmpuint (login_status (server, EMAIL, NEW_PASSWORD), ==, 401);

  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

static char *
octocat_token (BaTestServer *server)
{
  g_autofree char *path = g_build_filename (ba_test_server_get_data_dir (server), "server.db", NULL);
  g_autoptr(GBytes) secret = ba_test_server_get_jwt_secret (server);
  g_autoptr(JsonObject) claims = json_object_new ();
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id, jwt_secret FROM user WHERE username = 'octocat'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  json_object_set_int_member (claims, "id", sqlite3_column_int64 (stmt, 0));
  json_object_set_string_member (claims, "jwt_secret", (const char *) sqlite3_column_text (stmt, 1));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  json_object_set_int_member (claims, "authTime", now * 1000);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "exp", now + 3600);

  return ba_jwt_encode_hs256 (claims, g_bytes_get_data (secret, NULL), g_bytes_get_size (secret));
}

static void
test_set_password_social (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(BaApiClient) client = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autofree char *token = NULL;
  BaAccountDetails *details;
  BaPasswordDialog *dialog;
  BaTestServer *server;
  BaWindow *window;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  if (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0)
    log_out (window);

  /* The seeded social-login user, as a browser login would bring it in. */
  token = octocat_token (server);
  client = ba_api_client_new (ba_test_server_get_url (server), NULL);
  ba_account_open_with_token_async (client, token, window->secret_store, window->vault, NULL,
                                    ba_app_test_store_result, &result);
  account = ba_account_open_with_token_finish (ba_app_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_signal_emit_by_name (window->login_page, "logged-in", account);
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);

  details = wait_for_details (window);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (details->password_row)), ==,
                   "Not set: you log in through GitHub, Google or SSO");

  /* Deleting needs a password: the dialog offers to set one first. */
  ba_app_test_press (GTK_WIDGET (details->delete_button));
  BA_APP_TEST_WAIT_UNTIL (details->delete_dialog != NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (details->delete_dialog), "no password"));
  g_assert_false (adw_message_dialog_has_response (details->delete_dialog, "delete"));
  ba_app_test_press (button (details->delete_dialog, "_Set Password…"));
  BA_APP_TEST_WAIT_UNTIL (details->password_dialog != NULL);
  dialog = details->password_dialog;

  /* No current password to give; the new one twice. */
  g_assert_false (gtk_widget_is_visible (GTK_WIDGET (dialog->current_row)));
  set_text (dialog->new_row, "octocat's first password");
  set_text (dialog->confirm_row, "octocat's first password");
  ba_app_test_press (GTK_WIDGET (dialog->save_button));
  BA_APP_TEST_WAIT_UNTIL (details->password_dialog == NULL);
  BA_APP_TEST_WAIT_UNTIL (ba_app_test_find_label (GTK_WIDGET (window), "Password set") != NULL);

  /* Still logged in, with the new token; the password works. */
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "account");
  g_assert_cmpstr (ba_session_get_token (ba_account_get_session (window->account)), !=, token);
  g_assert_cmpuint (login_status (server, "octocat", "octocat's first password"), ==, 200);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (details->password_row)), ==, "Set");

  /* Change it: a wrong current password is reported on its field. */
  ba_app_test_press (GTK_WIDGET (details->password_button));
  BA_APP_TEST_WAIT_UNTIL (details->password_dialog != NULL);
  dialog = details->password_dialog;
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (dialog->current_row)));
  set_text (dialog->current_row, "not the password");
  set_text (dialog->new_row, "octocat's second password");
  set_text (dialog->confirm_row, "octocat's second password");
  ba_app_test_press (GTK_WIDGET (dialog->save_button));
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (dialog->error_label)));
  g_assert_cmpstr (gtk_label_get_text (dialog->error_label), ==, "The current password is wrong.");
  g_assert_true (has_error_class (dialog->current_row));
  set_text (dialog->current_row, "octocat's first password");
  ba_app_test_press (GTK_WIDGET (dialog->save_button));
  BA_APP_TEST_WAIT_UNTIL (details->password_dialog == NULL);
  BA_APP_TEST_WAIT_UNTIL (ba_app_test_find_label (GTK_WIDGET (window), "Password changed") != NULL);
  g_assert_cmpuint (login_status (server, "octocat", "octocat's second password"), ==, 200);

  log_out (window);
  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

/* A server that answers 404 to everything, like balenaCloud for the
 * extension endpoints. */
static void
not_found_cb (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  soup_server_message_set_status (msg, 404, NULL);
}

static void
test_not_supported (void)
{
  g_autoptr(SoupServer) fake = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  BaPasswordResetPage *reset;
  BaSignUpPage *sign_up;
  BaWindow *window;
  GSList *uris;

  soup_server_add_handler (fake, NULL, not_found_cb, NULL, NULL);
  g_assert_true (soup_server_listen_local (fake, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (fake);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  window = ba_app_test_open_window ();
  if (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0)
    log_out (window);
  ba_app_test_fill_in (window->login_page, url, "jane@example.com", "");

  ba_app_test_press (button (window->login_page, "_Forgot Password?"));
  reset = window->password_reset_page;
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (reset->email_row)), ==, "jane@example.com");
  ba_app_test_press (GTK_WIDGET (reset->send_button));
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (reset->request_error_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (reset->request_error_label), "does not support"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (reset->stack), ==, "request");
  /* A local server has no dashboard to send the user to. */
  g_assert_false (gtk_widget_get_visible (reset->dashboard_button));

  /* Escape goes back to the login page, where the form is as it was. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (reset), "reset.back", NULL));
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");

  ba_app_test_press (button (window->login_page, "Create _Account…"));
  sign_up = window->sign_up_page;
  set_text (sign_up->email_row, "jane@example.com");
  set_text (sign_up->password_row, PASSWORD);
  set_text (sign_up->confirm_row, PASSWORD);
  ba_app_test_press (GTK_WIDGET (sign_up->create_button));
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (sign_up->error_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (sign_up->error_label), "does not accept sign-ups"));
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "sign-up");

  ba_app_test_close_window (window);
  soup_server_disconnect (fake);
}

/* A server with the public protocol only (login, whoami), like
 * openBalena: 404 for user_profile and every extension endpoint. */
static void
public_only_cb (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  if (g_str_equal (path, "/login_"))
    {
      g_autoptr(JsonObject) claims = json_object_new ();
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;
      char *token;

      json_object_set_int_member (claims, "id", 7);
      json_object_set_string_member (claims, "jwt_secret", "SECRET");
      json_object_set_int_member (claims, "authTime", now * 1000);
      json_object_set_int_member (claims, "iat", now);
      json_object_set_int_member (claims, "exp", now + 3600);
      token = ba_jwt_encode_hs256 (claims, (const guint8 *) "not-a-real-secret", 17);
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_TAKE, token, strlen (token));
      return;
    }

  if (g_str_equal (path, "/actor/v1/whoami"))
    {
      static const char identity[] =
        "{\"id\":2001,\"actorType\":\"user\",\"actorTypeId\":7,"
        "\"username\":\"jane\",\"email\":\"jane@example.com\"}";

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        identity, strlen (identity));
      return;
    }

  /* balenaCloud: the profile exists, password changes are dashboard-only. */
  if (user_data != NULL && g_str_equal (path, "/v7/user_profile"))
    {
      static const char profile[] =
        "{\"d\":[{\"id\":7,\"email\":\"jane@example.com\",\"first_name\":null,"
        "\"last_name\":null,\"company\":null,\"has_password_set\":true,\"is_verified\":true}]}";

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        profile, strlen (profile));
      return;
    }

  if (g_str_has_prefix (path, "/v7/api_key"))
    {
      static const char empty[] = "{\"d\":[]}";

      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        empty, strlen (empty));
      return;
    }

  soup_server_message_set_status (msg, 404, NULL);
}

static void
test_details_not_supported (void)
{
  g_autoptr(SoupServer) fake = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  BaAccountDetails *details;
  BaWindow *window;
  GSList *uris;

  soup_server_add_handler (fake, NULL, public_only_cb, NULL, NULL);
  g_assert_true (soup_server_listen_local (fake, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (fake);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  window = ba_app_test_open_window ();
  if (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0)
    log_out (window);
  ba_app_test_fill_in (window->login_page, url, "jane", "any password");
  ba_app_test_press (GTK_WIDGET (window->login_page->login_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);

  /* The tab says what this server does not offer, and offers nothing it
   * cannot do. */
  details = window->account_page->account_details;
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_visible (details->status_box));
  g_assert_nonnull (strstr (gtk_label_get_text (details->status_label), "does not offer"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (details->retry_button)));
  g_assert_false (gtk_widget_get_visible (details->dashboard_button));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (details->delete_group)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (details->password_group)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (details->verify_group)));

  log_out (window);
  ba_app_test_close_window (window);
  soup_server_disconnect (fake);
}

static void
test_password_not_supported (void)
{
  g_autoptr(SoupServer) fake = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  BaAccountDetails *details;
  BaPasswordDialog *dialog;
  BaWindow *window;
  GSList *uris;

  soup_server_add_handler (fake, NULL, public_only_cb, GINT_TO_POINTER (TRUE), NULL);
  g_assert_true (soup_server_listen_local (fake, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (fake);
  url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  window = ba_app_test_open_window ();
  if (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0)
    log_out (window);
  ba_app_test_fill_in (window->login_page, url, "jane", "any password");
  ba_app_test_press (GTK_WIDGET (window->login_page->login_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);

  details = wait_for_details (window);
  ba_app_test_press (GTK_WIDGET (details->password_button));
  BA_APP_TEST_WAIT_UNTIL (details->password_dialog != NULL);
  dialog = details->password_dialog;
  set_text (dialog->current_row, "any password");
  set_text (dialog->new_row, "a new long password");
  set_text (dialog->confirm_row, "a new long password");
  ba_app_test_press (GTK_WIDGET (dialog->save_button));
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (dialog->error_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (dialog->error_label),
                            "does not support changing the password"));
  /* No dashboard for a server on this computer; the dialog stays open. */
  g_assert_false (gtk_widget_get_visible (dialog->dashboard_button));
  g_assert_nonnull (details->password_dialog);
  gtk_window_close (GTK_WINDOW (dialog));
  BA_APP_TEST_WAIT_UNTIL (details->password_dialog == NULL);

  log_out (window);
  ba_app_test_close_window (window);
  soup_server_disconnect (fake);
}

/* The details read last time show from the vault while the server is
 * away, and nothing can be changed. */
static void
test_cached_offline (void)
{
  g_autoptr(GError) error = NULL;
  BaAccountDetails *details;
  BaTestServer *server;
  BaWindow *window;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  if (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0)
    log_out (window);
  ba_app_test_fill_in (window->login_page, ba_test_server_get_url (server),
                       ba_test_server_get_demo_username (server),
                       ba_test_server_get_demo_password (server));
  ba_app_test_press (GTK_WIDGET (window->login_page->login_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);

  details = wait_for_details (window);
  set_text (details->company_row, "Offline Ltd");
  g_signal_emit_by_name (details->company_row, "apply");
  BA_APP_TEST_WAIT_UNTIL (ba_app_test_find_label (GTK_WIDGET (window), "Personal details saved") != NULL);
  BA_APP_TEST_WAIT_UNTIL (!details->loading && details->fresh &&
                          g_strcmp0 (details->profile->company, "Offline Ltd") == 0);
  ba_app_test_close_window (window);

  /* The server goes away; the app starts from the vault. */
  ba_test_server_stop (server);
  window = ba_app_test_open_window ();
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "account");
  details = window->account_page->account_details;
  BA_APP_TEST_WAIT_UNTIL (details->profile != NULL);
  BA_APP_TEST_WAIT_UNTIL (ba_account_get_state (window->account) == BA_ACCOUNT_STATE_OFFLINE);
  g_assert_false (details->fresh);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (details->details_group)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (details->company_row)), ==, "Offline Ltd");
  g_assert_cmpstr (adw_action_row_get_subtitle (details->verified_row), ==, "Verified");
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (details->delete_button)));
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (details->password_button)));

  ba_app_test_close_window (window);
}

/* The delete dialog names the fleets of the user's own organization, with
 * their devices, and none of an organization the user only shares. */
static void
open_delete_dialog_as (BaWindow     *window,
                       BaTestServer *server,
                       const char   *username,
                       guint         n_fleets)
{
  BaAccountDetails *details;

  if (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0)
    log_out (window);
  ba_app_test_fill_in (window->login_page, ba_test_server_get_url (server), username,
                       ba_test_server_get_demo_password (server));
  ba_app_test_press (GTK_WIDGET (window->login_page->login_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  g_assert_cmpstr (ba_account_get_username (window->account), ==, username);

  details = wait_for_details (window);
  BA_APP_TEST_WAIT_UNTIL (g_list_model_get_n_items (ba_account_get_fleets (window->account)) == n_fleets);
  ba_app_test_press (GTK_WIDGET (details->delete_button));
  BA_APP_TEST_WAIT_UNTIL (details->delete_dialog != NULL);
}

static void
close_delete_dialog (BaWindow *window)
{
  BaAccountDetails *details = window->account_page->account_details;

  ba_app_test_press (button (details->delete_dialog, "_Cancel"));
  BA_APP_TEST_WAIT_UNTIL (details->delete_dialog == NULL);
}

/* A second fleet in emeka's own organization, with one device, written
 * into the server's database as the server tests do. */
static void
add_rain_gauges (BaTestServer *server)
{
  g_autofree char *path = g_build_filename (ba_test_server_get_data_dir (server), "server.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db,
                                 "INSERT INTO application (app_name, slug, organization, uuid, created_at)"
                                 " SELECT 'rain-gauges', 'emeka/rain-gauges', id, 'rain-gauges-uuid',"
                                 " '2026-12-04T00:00:00.000Z' FROM organization WHERE handle = 'emeka';"
                                 "INSERT INTO device (uuid, device_name, belongs_to__application, is_online, created_at)"
                                 " SELECT 'rain-01-uuid', 'rain-01', id, 1, '2026-12-04T00:00:00.000Z'"
                                 " FROM application WHERE slug = 'emeka/rain-gauges';",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_close (db);
}

static void
test_delete_names_fleets (void)
{
  g_autoptr(GError) error = NULL;
  BaTestServer *server;
  BaWindow *window;
  const char *body;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  window = ba_app_test_open_window ();

  /* emeka's own organization has weather-stations with four devices, and
   * rain-gauges with one. */
  add_rain_gauges (server);
  open_delete_dialog_as (window, server, "emeka", 2);
  body = adw_message_dialog_get_body (window->account_page->account_details->delete_dialog);
  g_assert_nonnull (strstr (body, "these fleets with all their devices"));
  g_assert_nonnull (strstr (body, "\n\n• rain-gauges, with 1 device\n• weather-stations, with 4 devices\n\n"));
  close_delete_dialog (window);

  /* demo administers Acme with amara and is a member of weather-stations:
   * five fleets it reaches, none that goes with its account. */
  open_delete_dialog_as (window, server, "demo", 5);
  body = adw_message_dialog_get_body (window->account_page->account_details->delete_dialog);
  g_assert_null (strstr (body, "•"));
  g_assert_null (strstr (body, "weather-stations"));
  g_assert_null (strstr (body, "greenhouse-sensors"));
  g_assert_nonnull (strstr (body, "fleets and their devices"));
  close_delete_dialog (window);

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

  g_test_add_func ("/ba/lifecycle/sign-up-verify-reset-delete", test_sign_up_verify_reset_delete);
  g_test_add_func ("/ba/lifecycle/set-password-social", test_set_password_social);
  g_test_add_func ("/ba/lifecycle/not-supported", test_not_supported);
  g_test_add_func ("/ba/lifecycle/details-not-supported", test_details_not_supported);
  g_test_add_func ("/ba/lifecycle/password-not-supported", test_password_not_supported);
  g_test_add_func ("/ba/lifecycle/cached-offline", test_cached_offline);
  g_test_add_func ("/ba/lifecycle/delete-names-fleets", test_delete_names_fleets);

  ret = g_test_run ();

  ba_app_test_cleanup (tmpdir);

  return ret;
}
