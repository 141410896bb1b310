/* test-browser-login.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "ba-browser-login.h"
#include "ba-client-test-utils.h"
#include "ba-error.h"
#include "ba-test-server.h"

/* The balena CLI's browser login (account-api.md section 10) end to end:
 * the test is the browser. It opens the URL BaBrowserLogin gives on the
 * spawned server's /login/cli/ page, submits the form, and follows the
 * page's auto-post to the app's listener, as a browser would. */

static char *tmpdir;

typedef struct
{
  BaTestServer   *server;
  BaSecretStore  *store;
  BaVault        *vault;
  BaBrowserLogin *login;
  GAsyncResult   *wait_result;
  SoupSession    *browser;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static guint counter;
  const char * const idp_args[] = { "--dev-identity-provider", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autofree char *vault_path = NULL;
  g_autofree char *vault_dir = NULL;
  GAsyncResult *result = NULL;

  f->server = ba_test_server_start_with_args (TRUE, idp_args, &error);
  g_assert_no_error (error);

  f->store = ba_secret_store_new ();
  ba_secret_store_get_vault_key_async (f->store, NULL, ba_client_test_store_result, &result);
  key = ba_secret_store_get_vault_key_finish (f->store, ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);

  vault_dir = g_strdup_printf ("%s/browser-%u", tmpdir, counter++);
  g_assert_cmpint (g_mkdir_with_parents (vault_dir, 0700), ==, 0);
  vault_path = g_build_filename (vault_dir, "vault.db", NULL);
  f->vault = ba_vault_open (vault_path, key, NULL, &error);
  g_assert_no_error (error);

  /* balena-accounts-server serves the dashboard's login page itself. */
  f->login = ba_browser_login_new (ba_test_server_get_url (f->server),
                                   ba_test_server_get_url (f->server), &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->login);

  f->browser = soup_session_new_with_options ("timeout", 30, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->wait_result);
  g_clear_object (&f->browser);
  g_clear_object (&f->login);
  g_clear_pointer (&f->server, ba_test_server_stop);
  g_clear_object (&f->vault);
  g_clear_object (&f->store);
}

static void
start_waiting (Fixture      *f,
               GCancellable *cancellable)
{
  ba_browser_login_wait_async (f->login, f->store, f->vault, cancellable,
                               ba_client_test_store_result, &f->wait_result);
}

static BaAccount *
wait_finish (Fixture  *f,
             GError  **error)
{
  return ba_browser_login_wait_finish (f->login, ba_client_test_wait (&f->wait_result), error);
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

  if (start == NULL)
    return NULL;
  start = strstr (start, marker);
  if (start == NULL)
    return NULL;
  start += strlen (marker);
  end = strchr (start, '"');

  return g_strndup (start, end - start);
}

typedef struct
{
  guint  status;
  char  *body;
  GError *error;
  gboolean done;
} Response;

static void
response_clear (Response *response)
{
  g_clear_pointer (&response->body, g_free);
  g_clear_error (&response->error);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Response *response = user_data;
  g_autoptr(GBytes) bytes = NULL;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &response->error);
  if (bytes != NULL)
    {
      response->status = soup_message_get_status (soup_session_get_async_result_message (SOUP_SESSION (object), result));
      response->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
  response->done = TRUE;
}

/* Sends a request from the "browser" without blocking the main loop,
 * which the app's listener runs in. */
static void
browser_send (Fixture    *f,
              const char *method,
              const char *url,
              const char *form,
              const char *origin,
              Response   *response)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);

  g_assert_nonnull (msg);
  memset (response, 0, sizeof *response);

  if (form != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (form, strlen (form));

      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);
    }
  if (origin != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Origin", origin);

  soup_session_send_and_read_async (f->browser, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, response);
}

static void
browser_wait (Response *response)
{
  while (!response->done)
    g_main_context_iteration (NULL, TRUE);
}

/* The browser's part: open the login URL on the server, submit @form,
 * and return the callback URL and token of the auto-post page. */
static void
sign_in_on_page (Fixture     *f,
                 const char  *form,
                 char       **out_action,
                 char       **out_token)
{
  const char *url = ba_browser_login_get_url (f->login);
  const char *server_url = ba_test_server_get_url (f->server);
  g_autofree char *page = NULL;
  guint status;

  g_assert_true (g_str_has_prefix (url, server_url));
  status = ba_test_server_request (f->server, "GET", url + strlen (server_url), NULL, NULL, NULL,
                                   &page, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&page, g_free);

  status = ba_test_server_request (f->server, "POST", url + strlen (server_url), NULL,
                                   "application/x-www-form-urlencoded", form, &page, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);

  *out_action = find_attribute (page, "id=\"callback\"", "action");
  *out_token = find_attribute (page, "name=\"token\"", "value");
  g_assert_nonnull (*out_action);
  g_assert_nonnull (*out_token);
}

/* The auto-post: what the page's script does in a browser. */
static void
follow_auto_post (Fixture    *f,
                  const char *action,
                  const char *token,
                  const char *origin,
                  Response   *response)
{
  g_autofree char *escaped = g_uri_escape_string (token, NULL, FALSE);
  g_autofree char *form = g_strconcat ("token=", escaped, NULL);

  browser_send (f, "POST", action, form, origin, response);
  browser_wait (response);
}

static char *
demo_form (Fixture *f)
{
  g_autofree char *email = g_uri_escape_string (ba_test_server_get_demo_email (f->server), NULL, FALSE);
  g_autofree char *password = g_uri_escape_string (ba_test_server_get_demo_password (f->server), NULL, FALSE);

  return g_strdup_printf ("step=password&username=%s&password=%s", email, password);
}

static char *
lookup_token (Fixture    *f,
              BaAccount  *account)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  char *secret;
  char *copy;

  ba_secret_store_lookup_token_async (f->store, ba_account_get_id (account), NULL,
                                      ba_client_test_store_result, &result);
  secret = ba_secret_store_lookup_token_finish (f->store, ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  copy = g_strdup (secret);
  secret_password_free (secret);

  return copy;
}

static gboolean
vault_has_account (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaVaultAccount) row = NULL;
  GAsyncResult *result = NULL;

  ba_vault_load_last_account_async (f->vault, NULL, ba_client_test_store_result, &result);
  row = ba_vault_load_last_account_finish (f->vault, ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);

  return row != NULL;
}

/* The listener is gone: nothing answers on the callback any more. */
static void
assert_listener_closed (Fixture *f)
{
  Response response;

  browser_send (f, "POST", ba_browser_login_get_callback_url (f->login), "token=x", NULL, &response);
  browser_wait (&response);
  g_assert_nonnull (response.error);
  g_assert_cmpuint (response.status, ==, 0);
  response_clear (&response);
}

static void
test_urls (void)
{
  g_autofree char *encoded = NULL;
  g_autofree char *dashboard = NULL;
  g_autoptr(BaBrowserLogin) login = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_prefix = NULL;

  /* The example in balena-cli's getDashboardLoginURL(). */
  encoded = ba_browser_login_encode_callback ("http://127.0.0.1:59581/auth");
  g_assert_cmpstr (encoded, ==, "http%253A%252F%252F127.0.0.1%253A59581%252Fauth");

  dashboard = ba_browser_login_dup_dashboard_url ("https://api.balena-cloud.com");
  g_assert_cmpstr (dashboard, ==, "https://dashboard.balena-cloud.com");
  g_clear_pointer (&dashboard, g_free);
  dashboard = ba_browser_login_dup_dashboard_url ("https://api.example.com:8443/");
  g_assert_cmpstr (dashboard, ==, "https://dashboard.example.com:8443");
  g_clear_pointer (&dashboard, g_free);
  dashboard = ba_browser_login_dup_dashboard_url ("http://127.0.0.1:41234");
  g_assert_cmpstr (dashboard, ==, "http://127.0.0.1:41234");

  login = ba_browser_login_new ("https://api.balena-cloud.com",
                                "https://dashboard.balena-cloud.com/some/path", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (ba_browser_login_get_callback_url (login), "http://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (ba_browser_login_get_callback_url (login), "/auth"));
  g_clear_pointer (&encoded, g_free);
  encoded = ba_browser_login_encode_callback (ba_browser_login_get_callback_url (login));
  /* Like new URL("/login/cli/…", dashboardUrl): at the origin's root. */
  expected_prefix = g_strconcat ("https://dashboard.balena-cloud.com/login/cli/", encoded, NULL);
  g_assert_cmpstr (ba_browser_login_get_url (login), ==, expected_prefix);
  g_clear_object (&login);

  /* The dashboard follows the same address rule as the API. */
  login = ba_browser_login_new ("https://api.balena-cloud.com", "http://dashboard.example.com",
                                &error);
  g_assert_null (login);
  g_assert_error (error, BA_ERROR, BA_ERROR_INSECURE_URL);
}

static void
test_password_flow (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *form = demo_form (f);
  g_autofree char *action = NULL;
  g_autofree char *token = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  Response response;

  start_waiting (f, NULL);
  sign_in_on_page (f, form, &action, &token);
  g_assert_cmpstr (action, ==, ba_browser_login_get_callback_url (f->login));

  {
    gint64 start = g_get_monotonic_time ();

    follow_auto_post (f, action, token, ba_test_server_get_url (f->server), &response);
    /* For the record (not checked): the POST's answer waits for whoami,
     * the keyring and the vault. */
    g_test_message ("auto-post answered in %.1f ms",
                    (g_get_monotonic_time () - start) / 1000.0);
  }
  g_assert_no_error (response.error);
  g_assert_cmpuint (response.status, ==, 200);
  g_assert_nonnull (strstr (response.body, "Logged In"));
  response_clear (&response);

  account = wait_finish (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (account);
  g_assert_cmpstr (ba_account_get_username (account), ==, "demo");
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_ONLINE);
  g_assert_cmpstr (ba_account_get_server_url (account), ==, ba_test_server_get_url (f->server));

  /* Kept like any other login: keyring and vault. */
  stored = lookup_token (f, account);
  g_assert_cmpstr (stored, ==, token);
  g_assert_true (vault_has_account (f));

  /* The one POST was taken; a second finds nobody listening. */
  assert_listener_closed (f);
}

static void
test_social_flow (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *action = NULL;
  g_autofree char *token = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  Response response;

  start_waiting (f, NULL);
  /* An account without a password, through the test identity provider. */
  sign_in_on_page (f, "step=test-idp&username=octocat", &action, &token);
  /* No Origin header at all, as some browsers send none. */
  follow_auto_post (f, action, token, NULL, &response);
  g_assert_cmpuint (response.status, ==, 200);
  response_clear (&response);

  account = wait_finish (f, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_account_get_username (account), ==, "octocat");
  g_assert_false (ba_session_is_api_key (ba_account_get_session (account)));
}

static void
test_bad_token (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  Response response;

  start_waiting (f, NULL);
  follow_auto_post (f, ba_browser_login_get_callback_url (f->login),
                    "eyJhbGciOiJIUzI1NiJ9.eyJpZCI6MSwiaWF0IjoxLCJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJl",
                    NULL, &response);
  g_assert_cmpuint (response.status, ==, 401);
  g_assert_nonnull (strstr (response.body, "Login Failed"));
  response_clear (&response);

  account = wait_finish (f, &error);
  g_assert_null (account);
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN);
  g_assert_false (vault_has_account (f));
  assert_listener_closed (f);
}

static void
test_no_token (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  Response response;

  start_waiting (f, NULL);
  browser_send (f, "POST", ba_browser_login_get_callback_url (f->login), "token=%20%20", NULL,
                &response);
  browser_wait (&response);
  g_assert_cmpuint (response.status, ==, 401);
  response_clear (&response);

  account = wait_finish (f, &error);
  g_assert_null (account);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_RESPONSE);
}

static void
test_other_requests (Fixture       *f,
                     gconstpointer  data)
{
  static const char * const requests[][2] = {
    { "GET", "/auth" },
    { "GET", "/" },
    { "POST", "/" },
    { "POST", "/auth/x" },
    { "PUT", "/auth" },
    { "GET", "/favicon.ico" },
  };
  g_autoptr(GUri) callback = g_uri_parse (ba_browser_login_get_callback_url (f->login),
                                          G_URI_FLAGS_NONE, NULL);
  g_autofree char *form = demo_form (f);
  g_autofree char *action = NULL;
  g_autofree char *token = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  Response response;

  start_waiting (f, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%d%s",
                                              g_uri_get_port (callback), requests[i][1]);

      browser_send (f, requests[i][0], url, g_str_equal (requests[i][0], "GET") ? NULL : "token=x",
                    NULL, &response);
      browser_wait (&response);
      g_assert_no_error (response.error);
      g_assert_cmpuint (response.status, ==, 404);
      response_clear (&response);
    }

  /* None of that ended the wait: the real POST still logs in. */
  g_assert_null (f->wait_result);
  sign_in_on_page (f, form, &action, &token);
  follow_auto_post (f, action, token, ba_test_server_get_url (f->server), &response);
  g_assert_cmpuint (response.status, ==, 200);
  response_clear (&response);
  account = wait_finish (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (account);
}

/* Bodies far larger than a token are refused (413) without being kept,
 * whether their length is announced or they come chunked, and the login
 * goes on waiting for the dashboard's POST. */
static void
test_huge_post (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *form = demo_form (f);
  g_autofree char *action = NULL;
  g_autofree char *token = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  gsize size = 1024 * 1024;
  g_autofree char *huge = g_malloc (size + 1);
  Response response;

  memcpy (huge, "token=", strlen ("token="));
  memset (huge + strlen ("token="), 'a', size - strlen ("token="));
  huge[size] = '\0';

  start_waiting (f, NULL);

  /* With Content-Length. */
  browser_send (f, "POST", ba_browser_login_get_callback_url (f->login), huge, NULL, &response);
  browser_wait (&response);
  g_assert_no_error (response.error);
  g_assert_cmpuint (response.status, ==, 413);
  response_clear (&response);

  /* Chunked. */
  {
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", ba_browser_login_get_callback_url (f->login));
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (huge, size, NULL);

    memset (&response, 0, sizeof response);
    soup_message_set_request_body (msg, "application/x-www-form-urlencoded", stream, -1);
    soup_session_send_and_read_async (f->browser, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, &response);
    browser_wait (&response);
    /* The server may close before the client has sent everything. */
    if (response.error == NULL)
      g_assert_cmpuint (response.status, ==, 413);
    response_clear (&response);
  }

  /* Neither ended the wait: the real POST still logs in. */
  g_assert_null (f->wait_result);
  sign_in_on_page (f, form, &action, &token);
  follow_auto_post (f, action, token, ba_test_server_get_url (f->server), &response);
  g_assert_cmpuint (response.status, ==, 200);
  response_clear (&response);
  account = wait_finish (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (account);
}

static void
test_private_network_preflight (Fixture       *f,
                                gconstpointer  data)
{
  g_autofree char *form = demo_form (f);
  g_autofree char *action = NULL;
  g_autofree char *token = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  const char *origin = ba_test_server_get_url (f->server);
  Response response;
  guint i;

  start_waiting (f, NULL);

  /* The dashboard's preflight is allowed; anyone else's is a 404. */
  for (i = 0; i < 2; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("OPTIONS", ba_browser_login_get_callback_url (f->login));
      SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
      g_autoptr(GBytes) body = NULL;

      soup_message_headers_replace (headers, "Origin", i == 0 ? origin : "https://evil.example");
      soup_message_headers_replace (headers, "Access-Control-Request-Method", "POST");
      soup_message_headers_replace (headers, "Access-Control-Request-Private-Network", "true");
      memset (&response, 0, sizeof response);
      soup_session_send_and_read_async (f->browser, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, &response);
      browser_wait (&response);
      g_assert_no_error (response.error);
      if (i == 0)
        {
          g_assert_cmpuint (response.status, ==, 204);
          g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                         "Access-Control-Allow-Private-Network"), ==, "true");
          g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                         "Access-Control-Allow-Origin"), ==, origin);
        }
      else
        g_assert_cmpuint (response.status, ==, 404);
      response_clear (&response);
    }

  /* Neither ended the wait. */
  sign_in_on_page (f, form, &action, &token);
  follow_auto_post (f, action, token, origin, &response);
  g_assert_cmpuint (response.status, ==, 200);
  response_clear (&response);
  account = wait_finish (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (account);
}

static void
test_second_post (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *form = demo_form (f);
  g_autofree char *action = NULL;
  g_autofree char *token = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *body = NULL;
  Response first;
  Response second;

  start_waiting (f, NULL);
  sign_in_on_page (f, form, &action, &token);

  /* Two POSTs at once (a double submit). The first is being checked with
   * the server when the second comes; the second is refused. */
  escaped = g_uri_escape_string (token, NULL, FALSE);
  body = g_strconcat ("token=", escaped, NULL);
  browser_send (f, "POST", action, body, NULL, &first);
  browser_send (f, "POST", action, body, NULL, &second);
  browser_wait (&first);
  browser_wait (&second);

  /* Exactly one was taken. */
  g_assert_true ((first.status == 200) != (second.status == 200));
  g_assert_true (first.status == 200 || first.status == 409 || first.error != NULL);
  g_assert_true (second.status == 200 || second.status == 409 || second.error != NULL);
  response_clear (&first);
  response_clear (&second);

  account = wait_finish (f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (account);
  assert_listener_closed (f);
}

static void
test_foreign_origin (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *form = demo_form (f);
  g_autofree char *action = NULL;
  g_autofree char *token = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  Response response;

  start_waiting (f, NULL);
  sign_in_on_page (f, form, &action, &token);

  /* A valid token, but posted by another web site. */
  follow_auto_post (f, action, token, "https://evil.example", &response);
  g_assert_cmpuint (response.status, ==, 403);
  response_clear (&response);

  account = wait_finish (f, &error);
  g_assert_null (account);
  g_assert_error (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED);
  g_assert_false (vault_has_account (f));
  assert_listener_closed (f);
}

/* With an https://dashboard.<site> dashboard, other https hosts of the
 * same site may post (a hand-over between the dashboard's hosts); look-
 * alike domains may not. */
static void
test_sibling_origin (Fixture       *f,
                     gconstpointer  data)
{
  static const struct { const char *origin; guint status; } cases[] = {
    { "https://app.example.com", 200 },
    { "https://example.com.evil.org", 403 },
    { "https://notexample.com", 403 },
    { "http://dashboard.example.com", 403 },
  };
  g_autofree char *form = demo_form (f);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BaBrowserLogin) login = NULL;
      g_autoptr(BaAccount) account = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *action = NULL;
      g_autofree char *token = NULL;
      Response response;

      /* A token from the server's page, for a listener whose dashboard is
       * elsewhere. */
      start_waiting (f, NULL);
      sign_in_on_page (f, form, &action, &token);
      follow_auto_post (f, action, token, NULL, &response);
      response_clear (&response);
      g_clear_object (&account);
      account = wait_finish (f, &error);
      g_assert_no_error (error);
      g_clear_object (&f->wait_result);
      g_clear_object (&f->login);
      f->login = ba_browser_login_new (ba_test_server_get_url (f->server),
                                       "https://dashboard.example.com", &error);
      g_assert_no_error (error);
      g_clear_object (&account);

      login = g_object_ref (f->login);
      ba_browser_login_wait_async (login, NULL, NULL, NULL, ba_client_test_store_result,
                                   &f->wait_result);
      follow_auto_post (f, ba_browser_login_get_callback_url (login), token, cases[i].origin,
                        &response);
      g_assert_cmpuint (response.status, ==, cases[i].status);
      response_clear (&response);
      account = wait_finish (f, &error);
      if (cases[i].status == 200)
        g_assert_no_error (error);
      else
        g_assert_error (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED);
      g_clear_error (&error);
      g_clear_object (&f->wait_result);

      /* A fresh listener on the server's own page for the next round. */
      g_clear_object (&f->login);
      f->login = ba_browser_login_new (ba_test_server_get_url (f->server),
                                       ba_test_server_get_url (f->server), &error);
      g_assert_no_error (error);
    }
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  start_waiting (f, cancellable);
  g_cancellable_cancel (cancellable);

  account = wait_finish (f, &error);
  g_assert_null (account);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_listener_closed (f);
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  ba_browser_login_set_timeout (f->login, 1);
  start_waiting (f, NULL);

  account = wait_finish (f, &error);
  g_assert_null (account);
  g_assert_error (error, BA_ERROR, BA_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC / 2);
  assert_listener_closed (f);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  tmpdir = ba_client_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/ba/browser-login/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/ba/browser-login/urls", test_urls);
  ADD ("password-flow", test_password_flow);
  ADD ("social-flow", test_social_flow);
  ADD ("bad-token", test_bad_token);
  ADD ("no-token", test_no_token);
  ADD ("other-requests", test_other_requests);
  ADD ("huge-post", test_huge_post);
  ADD ("private-network-preflight", test_private_network_preflight);
  ADD ("second-post", test_second_post);
  ADD ("foreign-origin", test_foreign_origin);
  ADD ("sibling-origin", test_sibling_origin);
  ADD ("cancel", test_cancel);
  ADD ("timeout", test_timeout);

#undef ADD

  ret = g_test_run ();
  ba_client_test_cleanup (tmpdir);

  return ret;
}
