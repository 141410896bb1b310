/* test-account-page.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The account page's Session group with tokens of other lifetimes than the
 * test server's own seven days (forged with its secret, accepted by it),
 * and its dates in both of GNOME's clock formats.
 */

#define G_LOG_DOMAIN "test-account-page"

#include "config.h"

#include "ba-account.h"
#include "ba-account-page-private.h"
#include "ba-account-private.h"
#include "ba-api-client.h"
#include "ba-app-test-utils.h"
#include "ba-jwt.h"
#include "ba-session.h"
#include "ba-test-server.h"

#include <json-glib/json-glib.h>

#define HOUR (60 * 60)
#define DAY  (24 * HOUR)

static BaTestServer *server;

/* A session token for the demo user, issued an hour ago and valid for
 * @lifetime seconds from then. */
static char *
forge_token (gint64 lifetime)
{
  g_autoptr(BaApiClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) secret = ba_test_server_get_jwt_secret (server);
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  gint64 issued_at = g_get_real_time () / G_USEC_PER_SEC - HOUR;
  const guint8 *data;
  gsize len = 0;

  client = ba_api_client_new (ba_test_server_get_url (server), &error);
  g_assert_no_error (error);
  ba_api_client_login_async (client,
                             ba_test_server_get_demo_username (server),
                             ba_test_server_get_demo_password (server),
                             NULL, ba_app_test_store_result, &result);
  token = ba_api_client_login_finish (client, ba_app_test_wait_result (&result), &error);
  g_assert_no_error (error);

  data = g_bytes_get_data (secret, &len);
  claims = ba_jwt_decode (token, data, len, &error);
  g_assert_no_error (error);
  json_object_set_int_member (claims, "iat", issued_at);
  json_object_set_int_member (claims, "exp", issued_at + lifetime);

  return ba_jwt_encode_hs256 (claims, data, len);
}

/* An account (no keyring, no vault) on a token with @lifetime. */
static BaAccount *
open_account (gint64 lifetime)
{
  g_autoptr(BaApiClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = forge_token (lifetime);
  BaAccount *account;

  client = ba_api_client_new (ba_test_server_get_url (server), &error);
  g_assert_no_error (error);
  ba_account_open_with_token_async (client, token, NULL, NULL, NULL, ba_app_test_store_result, &result);
  account = ba_account_open_with_token_finish (ba_app_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (account);

  return account;
}

/* @unix_time as the page should write it, spelled out here rather than
 * with ba-date-format so that a mistake there shows. */
static char *
local_date_time (gint64      unix_time,
                 const char *format)
{
  g_autoptr(GDateTime) date_time = g_date_time_new_from_unix_local (unix_time);

  return g_date_time_format (date_time, format);
}

static void
test_session_span (void)
{
  g_autoptr(BaAccount) month = open_account (30 * DAY);
  g_autoptr(BaAccount) half_day = open_account (12 * HOUR);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  BaAccountPage *page = g_object_new (BA_TYPE_ACCOUNT_PAGE, NULL);

  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);

  ba_account_page_set_account (page, month);
  g_assert_cmpstr (adw_preferences_group_get_description (page->session_group), ==,
                   "The session token stays valid for 30 days and is renewed while you use the app.");

  ba_account_page_set_account (page, half_day);
  g_assert_cmpstr (adw_preferences_group_get_description (page->session_group), ==,
                   "The session token stays valid for 12 hours and is renewed while you use the app.");
  g_assert_cmpstr (gtk_label_get_text (page->expires_relative_label), ==, "in 11 hours");

  gtk_window_destroy (window);
}

static void
test_clock_format (void)
{
  g_autoptr(BaAccount) account = open_account (7 * DAY);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) interface = NULL;
  g_autofree char *issued_24h = NULL;
  g_autofree char *issued_12h = NULL;
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  BaSession *session = ba_account_get_session (account);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  BaAccountPage *page = g_object_new (BA_TYPE_ACCOUNT_PAGE, NULL);

  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);

  /* The default: a 24-hour clock. */
  issued_24h = local_date_time (ba_session_get_issued_at (session), "%-d %B %Y, %H:%M");
  ba_account_page_set_account (page, account);
  g_assert_cmpstr (adw_action_row_get_subtitle (page->issued_row), ==, issued_24h);

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "clock-format"))
    {
      gtk_window_destroy (window);
      g_test_skip ("org.gnome.desktop.interface is not installed");
      return;
    }

  /* GNOME set to 12 hours: the page follows when it next updates. */
  interface = g_settings_new_full (schema, NULL, NULL);
  g_settings_set_string (interface, "clock-format", "12h");
  issued_12h = local_date_time (ba_session_get_issued_at (session), "%-d %B %Y, %-l:%M %p");
  ba_account_page_set_account (page, NULL);
  ba_account_page_set_account (page, account);
  g_assert_cmpstr (adw_action_row_get_subtitle (page->issued_row), ==, issued_12h);
  g_settings_reset (interface, "clock-format");

  gtk_window_destroy (window);
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

  g_test_add_func ("/ba/account-page/session-span", test_session_span);
  g_test_add_func ("/ba/account-page/clock-format", test_clock_format);

  ret = g_test_run ();

  ba_test_server_stop (server);
  ba_app_test_cleanup (tmpdir);

  return ret;
}
