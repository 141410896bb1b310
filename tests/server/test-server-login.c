/* test-server-login.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-login"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "ba-jwt.h"
#include "ba-test-server.h"

/* POST /login_ over real HTTP against a spawned balena-accounts-server
 * (account-api.md sections 1.1, 1.3 and 3). */

typedef struct
{
  BaTestServer *server;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->server);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->server, ba_test_server_stop);
}

static char *
login_json (const char *username,
            const char *password)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, username);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

/* Logs in with a JSON body and returns the status; the body goes to
 * @out_body. */
static guint
login (Fixture     *f,
       const char  *username,
       const char  *password,
       char       **out_body)
{
  g_autofree char *body = login_json (username, password);

  return ba_test_server_request (f->server, "POST", "/login_", NULL,
                                 "application/json", body, out_body, NULL, NULL);
}

static void
assert_token_for_demo (Fixture    *f,
                       const char *token)
{
  g_autofree char *body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *whoami;

  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/user/v1/whoami", token,
                                            NULL, NULL, &body, NULL, NULL), ==, 200);
  json_parser_load_from_data (parser, body, -1, &error);
  g_assert_no_error (error);
  whoami = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (whoami, "username"), ==,
                   ba_test_server_get_demo_username (f->server));
}

static void
test_ping (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *body = NULL;
  g_autofree char *content_type = NULL;

  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/ping", NULL, NULL, NULL,
                                            &body, "Content-Type", &content_type), ==, 200);
  g_assert_cmpstr (body, ==, "OK");
  g_assert_true (g_str_has_prefix (content_type, "text/plain"));

  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/connectivity-check", NULL,
                                            NULL, NULL, &body, NULL, NULL), ==, 204);
  g_assert_cmpstr (body, ==, "");
}

static void
test_not_found (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *body = NULL;

  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/no/such/path", NULL, NULL, NULL,
                                            &body, NULL, NULL), ==, 404);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/login_/extra", NULL, NULL, NULL,
                                            NULL, NULL, NULL), ==, 404);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/", NULL, NULL, NULL,
                                            NULL, NULL, NULL), ==, 404);
  /* A trailing slash names the same route, as in Express. */
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/ping/", NULL, NULL, NULL,
                                            NULL, NULL, NULL), ==, 200);

  /* The login route exists, but only for POST. */
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/login_", NULL, NULL, NULL,
                                            NULL, NULL, NULL), ==, 405);
}

static void
test_by_email (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *body = login_json (ba_test_server_get_demo_email (f->server),
                                      ba_test_server_get_demo_password (f->server));

  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/login_", NULL,
                                            "application/json", body, &token,
                                            "Content-Type", &content_type), ==, 200);
  g_assert_true (g_str_has_prefix (content_type, "text/plain"));
  g_assert_true (ba_jwt_looks_like_jwt (token));
  assert_token_for_demo (f, token);
}

static void
test_by_username (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *token = NULL;

  g_assert_cmpuint (login (f, ba_test_server_get_demo_username (f->server),
                           ba_test_server_get_demo_password (f->server), &token), ==, 200);
  assert_token_for_demo (f, token);
}

static void
test_case_insensitive (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *upper_email = g_ascii_strup (ba_test_server_get_demo_email (f->server), -1);
  g_autofree char *upper_name = g_ascii_strup (ba_test_server_get_demo_username (f->server), -1);
  g_autofree char *token1 = NULL;
  g_autofree char *token2 = NULL;

  g_assert_cmpstr (upper_email, !=, ba_test_server_get_demo_email (f->server));

  g_assert_cmpuint (login (f, upper_email, ba_test_server_get_demo_password (f->server),
                           &token1), ==, 200);
  assert_token_for_demo (f, token1);
  g_assert_cmpuint (login (f, upper_name, ba_test_server_get_demo_password (f->server),
                           &token2), ==, 200);
  assert_token_for_demo (f, token2);
}

static void
test_form_body (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *form = NULL;
  g_autofree char *token = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *body = NULL;

  /* soup_form_encode escapes the "@" of the email as a real client does. */
  form = soup_form_encode ("username", ba_test_server_get_demo_email (f->server),
                           "password", ba_test_server_get_demo_password (f->server),
                           NULL);
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/login_", NULL,
                                            "application/x-www-form-urlencoded", form,
                                            &token, NULL, NULL), ==, 200);
  assert_token_for_demo (f, token);

  wrong = soup_form_encode ("username", "demo", "password", "not-the-password", NULL);
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/login_", NULL,
                                            "application/x-www-form-urlencoded", wrong,
                                            &body, NULL, NULL), ==, 401);
  g_assert_cmpstr (body, ==, "");
  g_clear_pointer (&body, g_free);

  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/login_", NULL,
                                            "application/x-www-form-urlencoded",
                                            "username=demo", &body, NULL, NULL), ==, 400);
  g_assert_cmpstr (body, ==, "");
}

static void
test_claims (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) members = NULL;
  g_autoptr(GBytes) secret = ba_test_server_get_jwt_secret (f->server);
  gint64 before_ms = g_get_real_time () / 1000;
  gint64 after_ms;
  gint64 iat;
  const char *jwt_secret;

  g_assert_cmpuint (login (f, ba_test_server_get_demo_email (f->server),
                           ba_test_server_get_demo_password (f->server), &token), ==, 200);
  after_ms = g_get_real_time () / 1000;

  /* Signed with the server's secret, HS256. */
  g_assert_nonnull (secret);
  claims = ba_jwt_decode (token, g_bytes_get_data (secret, NULL), g_bytes_get_size (secret),
                          &error);
  g_assert_no_error (error);

  /* Exactly the claims open-balena-api emits; its tests fail on extras. */
  members = json_object_get_members (claims);
  g_assert_cmpuint (g_list_length (members), ==, 5);
  g_assert_true (json_object_has_member (claims, "id"));
  g_assert_true (json_object_has_member (claims, "jwt_secret"));
  g_assert_true (json_object_has_member (claims, "authTime"));
  g_assert_true (json_object_has_member (claims, "iat"));
  g_assert_true (json_object_has_member (claims, "exp"));

  iat = json_object_get_int_member (claims, "iat");
  g_assert_cmpint (json_object_get_int_member (claims, "exp") - iat, ==, 7 * 24 * 60 * 60);
  g_assert_cmpint (iat, >=, before_ms / 1000);
  g_assert_cmpint (iat, <=, after_ms / 1000 + 1);

  /* authTime is in milliseconds, iat in seconds. */
  g_assert_cmpint (json_object_get_int_member (claims, "authTime"), >=, before_ms);
  g_assert_cmpint (json_object_get_int_member (claims, "authTime"), <=, after_ms);

  jwt_secret = json_object_get_string_member (claims, "jwt_secret");
  g_assert_cmpuint (strlen (jwt_secret), ==, 32);
  for (const char *p = jwt_secret; *p != '\0'; p++)
    g_assert_true ((*p >= 'A' && *p <= 'Z') || (*p >= '2' && *p <= '7'));

  g_assert_cmpint (json_object_get_int_member (claims, "id"), >, 0);
}

static void
test_unauthorized (Fixture       *f,
                   gconstpointer  data)
{
  const char *password = ba_test_server_get_demo_password (f->server);
  const struct {
    const char *username;
    const char *password;
  } cases[] = {
    { "demo", "wrong-password" },
    { "demo@example.com", "wrong-password" },
    { "nobody", password },
    { "nobody@example.com", password },
    { "", password },
    { "demo", "" },
    { "", "" },
    /* The social-login user has no password at all. */
    { "octocat", password },
    { "octocat@example.com", "anything" },
    { "octocat", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *body = NULL;

      g_test_message ("case %u: “%s”", i, cases[i].username);
      g_assert_cmpuint (login (f, cases[i].username, cases[i].password, &body), ==, 401);
      g_assert_cmpstr (body, ==, "");
    }
}

static void
test_bad_request (Fixture       *f,
                  gconstpointer  data)
{
  const struct {
    const char *content_type;
    const char *body;
  } cases[] = {
    { "application/json", "{\"password\":\"x\"}" },
    { "application/json", "{\"username\":\"demo\"}" },
    { "application/json", "{\"username\":42,\"password\":\"x\"}" },
    { "application/json", "{\"username\":\"demo\",\"password\":null}" },
    { "application/json", "{\"username\":\"demo\",\"password\":[\"x\"]}" },
    { "application/json", "{\"username\":\"demo\",\"password\":" },
    { "application/json", "[\"demo\",\"x\"]" },
    { "application/json", "\"demo\"" },
    { "application/json", "" },
    { "text/plain", "{\"username\":\"demo\",\"password\":\"x\"}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *body = NULL;

      g_test_message ("case %u: %s", i, cases[i].body);
      g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/login_", NULL,
                                                cases[i].content_type, cases[i].body,
                                                &body, NULL, NULL), ==, 400);
      g_assert_cmpstr (body, ==, "");
    }
}

static void
test_body_too_large (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *password = g_strnfill (600 * 1024, 'a');
  g_autofree char *json = login_json ("demo", password);
  g_autofree char *just_fits = g_strnfill (500 * 1024, 'a');
  g_autofree char *json2 = login_json ("demo", just_fits);
  g_autofree char *body = NULL;

  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/login_", NULL,
                                            "application/json", json, NULL, NULL, NULL), ==, 413);

  /* Just under the limit is read (and is simply a wrong password). */
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/login_", NULL,
                                            "application/json", json2, &body, NULL, NULL), ==, 401);

  /* The server is still healthy afterwards. */
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/ping", NULL, NULL, NULL,
                                            NULL, NULL, NULL), ==, 200);
}

static void
test_chunked_body_too_large (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GUri) uri = g_uri_parse (ba_test_server_get_url (f->server), G_URI_FLAGS_NONE, NULL);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status_line = NULL;
  g_autofree char *chunk = g_strnfill (64 * 1024, 'a');
  g_autofree char *chunk_header = g_strdup_printf ("%x\r\n", 64 * 1024);
  GOutputStream *output;
  gboolean write_failed = FALSE;

  /* A chunked body announces no length; the server must still stop at
   * 512 kB. Raw HTTP, because libsoup always sends a Content-Length. */
  g_socket_client_set_timeout (client, 10);
  connection = g_socket_client_connect_to_host (client, g_uri_get_host (uri),
                                                g_uri_get_port (uri), NULL, &error);
  g_assert_no_error (error);
  output = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  g_output_stream_write_all (output,
                             "POST /login_ HTTP/1.1\r\n"
                             "Host: 127.0.0.1\r\n"
                             "Content-Type: application/json\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n",
                             strlen ("POST /login_ HTTP/1.1\r\n"
                                     "Host: 127.0.0.1\r\n"
                                     "Content-Type: application/json\r\n"
                                     "Transfer-Encoding: chunked\r\n\r\n"),
                             NULL, NULL, &error);
  g_assert_no_error (error);

  /* 1 MB in 16 chunks. The server may close early; that is fine. */
  for (guint i = 0; i < 16 && !write_failed; i++)
    write_failed = !g_output_stream_write_all (output, chunk_header, strlen (chunk_header),
                                               NULL, NULL, NULL) ||
                   !g_output_stream_write_all (output, chunk, 64 * 1024, NULL, NULL, NULL) ||
                   !g_output_stream_write_all (output, "\r\n", 2, NULL, NULL, NULL);
  if (!write_failed)
    g_output_stream_write_all (output, "0\r\n\r\n", 5, NULL, NULL, NULL);

  input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  status_line = g_data_input_stream_read_line_utf8 (input, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (status_line);
  g_assert_true (g_str_has_prefix (status_line, "HTTP/1.1 413"));

  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/ping", NULL, NULL, NULL,
                                            NULL, NULL, NULL), ==, 200);
}

typedef struct
{
  const char *url;
  const char *username;
  const char *password;
  guint       expected_status;
} LoginJob;

static gpointer
login_thread (gpointer user_data)
{
  LoginJob *job = user_data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 30, NULL);
  g_autofree char *url = g_strconcat (job->url, "/login_", NULL);
  g_autofree char *json = login_json (job->username, job->password);
  guint failures = 0;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
      g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
      g_autoptr(GBytes) response = NULL;

      soup_message_set_request_body_from_bytes (msg, "application/json", body);
      response = soup_session_send_and_read (session, msg, NULL, NULL);
      if (response == NULL || soup_message_get_status (msg) != job->expected_status)
        failures++;
    }

  return GUINT_TO_POINTER (failures);
}

static void
test_concurrent (Fixture       *f,
                 gconstpointer  data)
{
  const char *password = ba_test_server_get_demo_password (f->server);
  const char *url = ba_test_server_get_url (f->server);
  LoginJob jobs[] = {
    { url, "demo", password, 200 },
    { url, "demo@example.com", password, 200 },
    { url, "DEMO", password, 200 },
    { url, "nobody", password, 401 },
    { url, "octocat", password, 401 },
  };
  GThread *threads[G_N_ELEMENTS (jobs)];

  /* Password checks run in worker threads while the server keeps serving;
   * overlapping logins must each get their own answer. */
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    threads[i] = g_thread_new ("login", login_thread, &jobs[i]);

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/ping", NULL, NULL, NULL,
                                                NULL, NULL, NULL), ==, 200);
    }

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (threads[i])), ==, 0);
}

static void
test_rate_limit (Fixture       *f,
                 gconstpointer  data)
{
  const char *password = ba_test_server_get_demo_password (f->server);
  g_autofree char *body = NULL;
  g_autofree char *retry_after = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *json = NULL;
  guint64 seconds = 0;

  /* Ten wrong attempts are answered normally... */
  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (login (f, "demo", "wrong-password", NULL), ==, 401);

  /* ...the eleventh is refused, with the exact body and a wait. */
  json = login_json ("demo", "wrong-password");
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/login_", NULL,
                                            "application/json", json, &body,
                                            "Retry-After", &retry_after), ==, 429);
  g_assert_cmpstr (body, ==, "\"Too Many Requests\"");
  g_assert_nonnull (retry_after);
  g_assert_true (g_ascii_string_to_unsigned (retry_after, 10, 1, G_MAXUINT64, &seconds, NULL));
  g_assert_cmpuint (seconds, >, 0);
  g_assert_cmpuint (seconds, <=, 60 * 60);
  g_clear_pointer (&body, g_free);

  ba_test_server_request (f->server, "POST", "/login_", NULL, "application/json", json,
                          NULL, "Content-Type", &content_type);
  g_assert_true (g_str_has_prefix (content_type, "application/json"));

  /* Even the right password is refused while blocked. */
  g_assert_cmpuint (login (f, "demo", password, &body), ==, 429);
  g_assert_cmpstr (body, ==, "\"Too Many Requests\"");

  /* Another username from the same IP has a budget of its own. */
  g_assert_cmpuint (login (f, "someone-else", "x", NULL), ==, 401);
}

/* The limit is per account: ten wrong passwords with one of @first or
 * @second (the username and the email of the demo account) block the
 * other too, even with the right password. */
static void
assert_one_budget (Fixture    *f,
                   const char *first,
                   const char *second)
{
  const char *password = ba_test_server_get_demo_password (f->server);
  g_autofree char *body = NULL;

  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (login (f, first, "wrong-password", NULL), ==, 401);

  g_assert_cmpuint (login (f, second, password, &body), ==, 429);
  g_assert_cmpstr (body, ==, "\"Too Many Requests\"");
  g_assert_cmpuint (login (f, first, password, NULL), ==, 429);
}

static void
test_rate_limit_username_then_email (Fixture       *f,
                                     gconstpointer  data)
{
  assert_one_budget (f, ba_test_server_get_demo_username (f->server),
                     ba_test_server_get_demo_email (f->server));
}

static void
test_rate_limit_email_then_username (Fixture       *f,
                                     gconstpointer  data)
{
  g_autofree char *upper = g_ascii_strup (ba_test_server_get_demo_email (f->server), -1);

  /* The email in capitals, as it matches case-insensitively too. */
  assert_one_budget (f, upper, ba_test_server_get_demo_username (f->server));
}

/* A name no account has is limited like one that exists, so the answers
 * do not tell them apart; and its attempts do not use up the budget of any
 * account. */
static void
test_rate_limit_unknown_name (Fixture       *f,
                              gconstpointer  data)
{
  const char *names[] = { "nobody", "nobody@example.com" };
  g_autofree char *token = NULL;

  for (guint n = 0; n < G_N_ELEMENTS (names); n++)
    {
      for (guint i = 0; i < 10; i++)
        g_assert_cmpuint (login (f, names[n], "wrong-password", NULL), ==, 401);
      g_assert_cmpuint (login (f, names[n], "wrong-password", NULL), ==, 429);
    }

  g_assert_cmpuint (login (f, ba_test_server_get_demo_email (f->server),
                           ba_test_server_get_demo_password (f->server), &token), ==, 200);
  assert_token_for_demo (f, token);
}

/* POSTs a wrong password for "demo" with libsoup directly, which
 * ba_test_server_request() does not expose: the status line's reason
 * phrase. */
static char *
login_reason_phrase (Fixture *f,
                     guint   *out_status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (ba_test_server_get_url (f->server), "/login_", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autofree char *json = login_json ("demo", "wrong-password");
  g_autoptr(GBytes) request_body = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", request_body);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  *out_status = soup_message_get_status (msg);

  return g_strdup (soup_message_get_reason_phrase (msg));
}

static void
test_rate_limit_reason_phrase (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *reason = NULL;
  guint status = 0;

  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (login (f, "demo", "wrong-password", NULL), ==, 401);

  /* libsoup 3.2 knows no phrase for 429 and would say "Unknown Error". */
  reason = login_reason_phrase (f, &status);
  g_assert_cmpuint (status, ==, 429);
  g_assert_cmpstr (reason, ==, "Too Many Requests");
}

/* Logins match usernames case-insensitively, so every spelling of one
 * username shares one budget of ten attempts. */
static void
test_rate_limit_case_variants (Fixture       *f,
                               gconstpointer  data)
{
  const char *variants[] = { "demo", "DEMO", "Demo", "dEmO", "DeMo" };

  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (login (f, variants[i % G_N_ELEMENTS (variants)], "wrong-password", NULL), ==, 401);

  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    g_assert_cmpuint (login (f, variants[i], ba_test_server_get_demo_password (f->server), NULL), ==, 429);

  /* Another username from the same address still has its own budget. */
  g_assert_cmpuint (login (f, "Someone-Else", "x", NULL), ==, 401);
}

static void
test_rate_limit_reset_on_success (Fixture       *f,
                                  gconstpointer  data)
{
  const char *password = ba_test_server_get_demo_password (f->server);

  for (guint i = 0; i < 9; i++)
    g_assert_cmpuint (login (f, "demo", "wrong-password", NULL), ==, 401);

  /* The tenth attempt succeeds and resets the counter... */
  g_assert_cmpuint (login (f, "demo", password, NULL), ==, 200);

  /* ...so ten more wrong attempts are answered before the block. */
  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (login (f, "demo", "wrong-password", NULL), ==, 401);
  g_assert_cmpuint (login (f, "demo", "wrong-password", NULL), ==, 429);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/ba/server/login/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("ping", test_ping);
  ADD ("not-found", test_not_found);
  ADD ("by-email", test_by_email);
  ADD ("by-username", test_by_username);
  ADD ("case-insensitive", test_case_insensitive);
  ADD ("form-body", test_form_body);
  ADD ("claims", test_claims);
  ADD ("unauthorized", test_unauthorized);
  ADD ("bad-request", test_bad_request);
  ADD ("body-too-large", test_body_too_large);
  ADD ("chunked-body-too-large", test_chunked_body_too_large);
  ADD ("concurrent", test_concurrent);
  ADD ("rate-limit", test_rate_limit);
  ADD ("rate-limit-reset-on-success", test_rate_limit_reset_on_success);
  ADD ("rate-limit-reason-phrase", test_rate_limit_reason_phrase);
  ADD ("rate-limit-case-variants", test_rate_limit_case_variants);
  ADD ("rate-limit-username-then-email", test_rate_limit_username_then_email);
  ADD ("rate-limit-email-then-username", test_rate_limit_email_then_username);
  ADD ("rate-limit-unknown-name", test_rate_limit_unknown_name);

#undef ADD

  return g_test_run ();
}
