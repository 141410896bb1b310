/* test-server-web-login.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-web-login"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "ba-error.h"
#include "ba-jwt.h"
#include "ba-otpauth.h"
#include "ba-server.h"
#include "ba-server-web-login.h"
#include "ba-test-server.h"
#include "ba-totp.h"

/* The web login page, /login/cli/<callback> (account-api.md section 17.7),
 * over real HTTP against a spawned balena-accounts-server; the callback
 * rule also in-process. */

/* http://127.0.0.1:3000/auth as the balena CLI sends it. */
#define CLI_CALLBACK "http%253A%252F%252F127.0.0.1%253A3000%252Fauth"
#define PAGE "/login/cli/" CLI_CALLBACK
#define FORM "application/x-www-form-urlencoded"

typedef struct
{
  BaTestServer *server;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char * const idp_args[] = { "--dev-identity-provider", NULL };
  g_autoptr(GError) error = NULL;

  if (GPOINTER_TO_INT (data))
    f->server = ba_test_server_start_with_args (TRUE, idp_args, &error);
  else
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
password_form (const char *username,
               const char *password)
{
  g_autofree char *u = g_uri_escape_string (username, NULL, FALSE);
  g_autofree char *p = g_uri_escape_string (password, NULL, FALSE);

  return g_strdup_printf ("step=password&username=%s&password=%s", u, p);
}

/* The value of the hidden "token" field of an auto-post page, or NULL. */
static char *
find_token (const char *page)
{
  const char *marker = "name=\"token\" value=\"";
  const char *start = strstr (page, marker);
  const char *end;

  if (start == NULL)
    return NULL;
  start += strlen (marker);
  end = strchr (start, '"');
  g_assert_nonnull (end);

  return g_strndup (start, end - start);
}

static gboolean
looks_like_jwt (const char *text)
{
  return text != NULL && strstr (text, "eyJ") != NULL;
}

static void
test_get_form (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *body = NULL;
  g_autofree char *csp = NULL;
  guint status;

  status = ba_test_server_request (f->server, "GET", PAGE, NULL, NULL, NULL,
                                   &body, "Content-Security-Policy", &csp);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (body, "name=\"password\""));
  g_assert_nonnull (strstr (body, "name=\"step\" value=\"password\""));
  /* No test provider unless the server was started with it. */
  g_assert_null (strstr (body, "Test identity provider"));
  g_assert_nonnull (csp);
  g_assert_nonnull (strstr (csp, "frame-ancestors 'none'"));

  /* Single encoding works too, and so does localhost. */
  g_clear_pointer (&body, g_free);
  status = ba_test_server_request (f->server, "GET",
                                   "/login/cli/http%3A%2F%2Flocalhost%3A41000%2Fauth",
                                   NULL, NULL, NULL, &body, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
}

static void
test_password_posts_token (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *form = password_form (ba_test_server_get_demo_email (f->server),
                                         ba_test_server_get_demo_password (f->server));
  g_autofree char *body = NULL;
  g_autofree char *token = NULL;
  g_autofree char *whoami = NULL;
  g_autofree char *csp = NULL;
  g_autofree char *cache = NULL;
  guint status;

  status = ba_test_server_request (f->server, "POST", PAGE, NULL, FORM, form,
                                   &body, "Content-Security-Policy", &csp);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (body, "action=\"http://127.0.0.1:3000/auth\""));
  g_assert_nonnull (strstr (body, "method=\"post\""));
  g_assert_nonnull (strstr (csp, "form-action http://127.0.0.1:3000"));

  token = find_token (body);
  g_assert_true (looks_like_jwt (token));

  /* The token is a real, full session for the demo user. */
  status = ba_test_server_request (f->server, "GET", "/actor/v1/whoami", token,
                                   NULL, NULL, &whoami, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (whoami, "\"username\":\"demo\""));

  g_clear_pointer (&body, g_free);
  status = ba_test_server_request (f->server, "POST", PAGE, NULL, FORM, form,
                                   &body, "Cache-Control", &cache);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (cache, ==, "no-store");
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *form = password_form ("demo", "not the password");
  g_autofree char *body = NULL;
  guint status;

  status = ba_test_server_request (f->server, "POST", PAGE, NULL, FORM, form,
                                   &body, NULL, NULL);
  g_assert_cmpuint (status, ==, 401);
  g_assert_null (find_token (body));
  g_assert_false (looks_like_jwt (body));
  g_assert_nonnull (strstr (body, "Wrong email, username or password."));
  /* The username stays filled in; the password does not. */
  g_assert_nonnull (strstr (body, "value=\"demo\""));
  g_assert_null (strstr (body, "not the password"));
}

static void
test_non_loopback_callback (Fixture       *f,
                            gconstpointer  data)
{
  static const char * const callbacks[] = {
    "http%253A%252F%252Fevil.example%253A3000%252Fauth",
    "https%253A%252F%252F127.0.0.1%253A3000%252Fauth",
    "http%253A%252F%252F127.0.0.1%252Fauth",                     /* no port */
    "http%253A%252F%252Fuser%2540127.0.0.1%253A3000%252Fauth",   /* user info */
    "http%253A%252F%252F127.0.0.1.evil.example%253A3000%252Fauth",
    "http%253A%252F%252F10.0.0.1%253A3000%252Fauth",
    "javascript%253Aalert(1)",
    "%252Fauth",
  };
  g_autofree char *form = password_form ("demo", ba_test_server_get_demo_password (f->server));

  for (guint i = 0; i < G_N_ELEMENTS (callbacks); i++)
    {
      g_autofree char *path = g_strconcat ("/login/cli/", callbacks[i], NULL);
      g_autofree char *body = NULL;
      guint status;

      status = ba_test_server_request (f->server, "GET", path, NULL, NULL, NULL,
                                       &body, NULL, NULL);
      g_assert_cmpuint (status, ==, 400);
      g_assert_null (strstr (body, "name=\"password\""));

      /* Even with the right password no token leaves the server. */
      g_clear_pointer (&body, g_free);
      status = ba_test_server_request (f->server, "POST", path, NULL, FORM, form,
                                       &body, NULL, NULL);
      g_assert_cmpuint (status, ==, 400);
      g_assert_false (looks_like_jwt (body));
    }
}

static void
test_rate_limit_shared (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *form = password_form ("demo", "wrong");
  g_autofree char *good = password_form ("demo", ba_test_server_get_demo_password (f->server));
  g_autofree char *body = NULL;
  g_autofree char *retry_after = NULL;
  guint status;

  /* Ten tries through /login_, then the page is blocked too. */
  for (guint i = 0; i < 10; i++)
    {
      status = ba_test_server_request (f->server, "POST", "/login_", NULL, FORM,
                                       "username=demo&password=wrong", NULL, NULL, NULL);
      g_assert_cmpuint (status, ==, 401);
    }

  status = ba_test_server_request (f->server, "POST", PAGE, NULL, FORM, good,
                                   &body, "Retry-After", &retry_after);
  g_assert_cmpuint (status, ==, 429);
  g_assert_nonnull (retry_after);
  g_assert_false (looks_like_jwt (body));
}

/* The budget is the account's, whatever names it: ten wrong passwords
 * for the username on the page block the email at /login_ too, even with
 * the right password. */
static void
test_rate_limit_shared_by_account (Fixture       *f,
                                   gconstpointer  data)
{
  g_autofree char *form = password_form (ba_test_server_get_demo_username (f->server), "wrong");
  g_autofree char *email = g_uri_escape_string (ba_test_server_get_demo_email (f->server), NULL, FALSE);
  g_autofree char *password = g_uri_escape_string (ba_test_server_get_demo_password (f->server), NULL, FALSE);
  g_autofree char *good = g_strdup_printf ("username=%s&password=%s", email, password);
  g_autofree char *body = NULL;
  guint status;

  for (guint i = 0; i < 10; i++)
    {
      status = ba_test_server_request (f->server, "POST", PAGE, NULL, FORM, form,
                                       NULL, NULL, NULL);
      g_assert_cmpuint (status, ==, 401);
    }

  status = ba_test_server_request (f->server, "POST", "/login_", NULL, FORM, good,
                                   &body, NULL, NULL);
  g_assert_cmpuint (status, ==, 429);
  g_assert_false (looks_like_jwt (body));
}

/* A POST of the page's form with the headers a browser adds. Returns the
 * status; the page goes to @out_body. */
static guint
browser_post (Fixture    *f,
              const char *form,
              const char *origin,
              const char *fetch_site,
              char      **out_body,
              char      **out_referrer_policy)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (ba_test_server_get_url (f->server), PAGE, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) request = g_bytes_new (form, strlen (form));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

  if (origin != NULL)
    soup_message_headers_replace (headers, "Origin", origin);
  if (fetch_site != NULL)
    soup_message_headers_replace (headers, "Sec-Fetch-Site", fetch_site);
  soup_message_set_request_body_from_bytes (msg, FORM, request);

  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  *out_body = g_strndup (g_bytes_get_data (answer, NULL), g_bytes_get_size (answer));
  if (out_referrer_policy != NULL)
    *out_referrer_policy = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                                   "Referrer-Policy"));

  return soup_message_get_status (msg);
}

/* Another web site (or a sandboxed page, Origin "null") posting its own
 * account's password here would log the application on this computer in
 * to that account: such POSTs are refused before anything is checked.
 * The page's own POSTs (same origin) and non-browser clients (no Origin)
 * still work. */
static void
test_cross_site_post_refused (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *form = password_form ("demo", ba_test_server_get_demo_password (f->server));
  g_autofree char *own = g_strdup (ba_test_server_get_url (f->server));
  const struct
  {
    const char *origin;
    const char *fetch_site;
  } refused[] = {
    { "https://evil.example", NULL },
    { "null", NULL },
    { "http://127.0.0.1:1", NULL },
    { NULL, "cross-site" },
    { NULL, "same-site" },
    { own, "cross-site" },
  };

  if (g_str_has_suffix (own, "/"))
    own[strlen (own) - 1] = '\0';

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autofree char *body = NULL;

      g_test_message ("Origin %s, Sec-Fetch-Site %s", refused[i].origin, refused[i].fetch_site);
      g_assert_cmpuint (browser_post (f, form, refused[i].origin, refused[i].fetch_site,
                                      &body, NULL), ==, 403);
      g_assert_null (find_token (body));
      g_assert_false (looks_like_jwt (body));
    }

  /* The refusals did not count as password tries, and the page's own
   * POST logs in. Its pages ask browsers to send their origin. */
  {
    g_autofree char *body = NULL;
    g_autofree char *policy = NULL;
    g_autofree char *token = NULL;

    g_assert_cmpuint (browser_post (f, form, own, "same-origin", &body, &policy), ==, 200);
    token = find_token (body);
    g_assert_true (looks_like_jwt (token));
    g_assert_cmpstr (policy, ==, "same-origin");
  }
}

static void
test_bad_requests (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *body = NULL;
  guint status;

  /* JSON is not a form. */
  status = ba_test_server_request (f->server, "POST", PAGE, NULL, "application/json",
                                   "{\"username\":\"demo\"}", &body, NULL, NULL);
  g_assert_cmpuint (status, ==, 400);

  g_clear_pointer (&body, g_free);
  status = ba_test_server_request (f->server, "POST", PAGE, NULL, FORM, "step=nope",
                                   &body, NULL, NULL);
  g_assert_cmpuint (status, ==, 400);

  /* Without --dev-identity-provider the test provider does not exist. */
  g_clear_pointer (&body, g_free);
  status = ba_test_server_request (f->server, "POST", PAGE, NULL, FORM,
                                   "step=test-idp&username=octocat", &body, NULL, NULL);
  g_assert_cmpuint (status, ==, 400);
  g_assert_false (looks_like_jwt (body));

  status = ba_test_server_request (f->server, "DELETE", PAGE, NULL, NULL, NULL,
                                   NULL, NULL, NULL);
  g_assert_cmpuint (status, ==, 405);
}

static void
test_identity_provider (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *body = NULL;
  g_autofree char *token = NULL;
  g_autofree char *whoami = NULL;
  guint status;

  status = ba_test_server_request (f->server, "GET", PAGE, NULL, NULL, NULL,
                                   &body, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (body, "Test identity provider (for testing only)"));

  /* A social-login account (no password) signs in by email alone. */
  g_clear_pointer (&body, g_free);
  status = ba_test_server_request (f->server, "POST", PAGE, NULL, FORM,
                                   "step=test-idp&username=octocat%40example.com",
                                   &body, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  token = find_token (body);
  g_assert_true (looks_like_jwt (token));
  status = ba_test_server_request (f->server, "GET", "/actor/v1/whoami", token,
                                   NULL, NULL, &whoami, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (whoami, "\"username\":\"octocat\""));

  /* Never an account that has a password, nor an unknown one. */
  g_clear_pointer (&body, g_free);
  status = ba_test_server_request (f->server, "POST", PAGE, NULL, FORM,
                                   "step=test-idp&username=demo", &body, NULL, NULL);
  g_assert_cmpuint (status, ==, 401);
  g_assert_false (looks_like_jwt (body));

  g_clear_pointer (&body, g_free);
  status = ba_test_server_request (f->server, "POST", PAGE, NULL, FORM,
                                   "step=test-idp&username=nobody", &body, NULL, NULL);
  g_assert_cmpuint (status, ==, 401);
  g_assert_false (looks_like_jwt (body));
}

static void
test_nothing_secret_logged (void)
{
  g_autoptr(BaTestServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *form = NULL;
  g_autofree char *body = NULL;
  g_autofree char *token = NULL;
  g_autofree char *log = NULL;
  guint status;

  server = ba_test_server_start_logged (TRUE, &error);
  g_assert_no_error (error);

  form = password_form ("demo", ba_test_server_get_demo_password (server));
  status = ba_test_server_request (server, "POST", PAGE, NULL, FORM, form, &body, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  token = find_token (body);
  g_assert_true (looks_like_jwt (token));

  g_assert_true (ba_test_server_terminate (server, &error));
  log = ba_test_server_get_log (server);

  /* The request is logged; the password and the token are not. */
  /* (libsoup hands over the path with "%25" already decoded once.) */
  g_assert_nonnull (strstr (log, "POST /login/cli/http%3A%2F%2F127.0.0.1%3A3000%2Fauth -> 200"));
  g_assert_nonnull (strstr (log, "logged in through the web login page"));
  g_assert_null (strstr (log, ba_test_server_get_demo_password (server)));
  g_assert_null (strstr (log, token));
}

static void
test_parse_callback (void)
{
  static const struct {
    const char *encoded;
    const char *expected;   /* NULL: refused */
  } cases[] = {
    { CLI_CALLBACK, "http://127.0.0.1:3000/auth" },
    { "http%3A%2F%2F127.0.0.1%3A3000%2Fauth", "http://127.0.0.1:3000/auth" },
    { "http%253A%252F%252Flocalhost%253A8%252F", "http://localhost:8/" },
    { "HTTP%253A%252F%252FLOCALHOST%253A8%252Fauth", "HTTP://LOCALHOST:8/auth" },
    { "http%253A%252F%252F127.0.0.1%253A3000", "http://127.0.0.1:3000" },
    { "http%253A%252F%252F127.0.0.1%253A3000%252Fa%2522b", NULL },   /* a quote */
    { "http%253A%252F%252F127.0.0.1%253A3000%252Fa%2520b", NULL },   /* a space */
    { "http%253A%252F%252F127.0.0.1%253A3000%252Fauth%2523x", NULL }, /* fragment */
    { "http%253A%252F%252F%255B%253A%253A1%255D%253A3000%252Fauth", NULL },
    { "http%253A%252F%252F127.0.0.1%253A0%252Fauth", NULL },
    { "%25ZZ", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = ba_server_web_login_parse_callback (cases[i].encoded, &error);

      if (cases[i].expected == NULL)
        {
          g_assert_null (url);
          g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_nonnull (url);
          g_assert_cmpint (g_ascii_strcasecmp (url, cases[i].expected), ==, 0);
        }
    }
}

/* The two-factor step, in-process, with the page's hooks replaced by a
 * TOTP check over a key only the test knows (RFC 6238), so that the number
 * of checks can be counted. Everything else (the password, the partial
 * token, the form, the final token) is the real server's; the test after
 * this one uses the server's own TOTP. */

static const guint8 totp_key[] = "12345678901234567890";

typedef struct
{
  guint  checks;
  gint64 last_step;
} TotpState;

static BaServerTwoFactor
demo_login_state (gpointer            data,
                  const BaServerUser *user)
{
  return g_str_equal (user->username, "demo") ? BA_SERVER_TWO_FACTOR_PENDING
                                              : BA_SERVER_TWO_FACTOR_ABSENT;
}

static gboolean
demo_check_code (gpointer            data,
                 const BaServerUser *user,
                 const char         *code)
{
  TotpState *state = data;
  gint64 step = 0;

  state->checks++;
  if (!ba_totp_verify (BA_TOTP_SHA1, totp_key, 20, code, g_get_real_time () / G_USEC_PER_SEC,
                       30, 6, 1, &step) ||
      step <= state->last_step)
    return FALSE;

  state->last_step = step;
  return TRUE;
}

typedef struct
{
  guint    status;
  char    *body;
  gboolean done;
} Answer;

static void
answered_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Answer *answer = user_data;
  g_autoptr(GBytes) bytes = NULL;
  SoupMessage *msg;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, NULL);
  g_assert_nonnull (bytes);
  msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  answer->status = soup_message_get_status (msg);
  if (answer->status == 429)
    g_assert_cmpstr (soup_message_get_reason_phrase (msg), ==, "Too Many Requests");
  answer->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  answer->done = TRUE;
}

/* A request to the in-process server; the main loop runs meanwhile. */
static guint
request (SoupSession  *session,
         const char   *url,
         const char   *form,
         char        **out_body)
{
  g_autoptr(SoupMessage) msg = soup_message_new (form != NULL ? "POST" : "GET", url);
  Answer answer = { 0 };

  if (form != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (form, strlen (form));

      soup_message_set_request_body_from_bytes (msg, FORM, bytes);
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, answered_cb, &answer);
  while (!answer.done)
    g_main_context_iteration (NULL, TRUE);

  *out_body = answer.body;
  return answer.status;
}

static char *
find_hidden (const char *page,
             const char *name)
{
  g_autofree char *marker = g_strdup_printf ("name=\"%s\" value=\"", name);
  const char *start = strstr (page, marker);
  const char *end;

  if (start == NULL)
    return NULL;
  start += strlen (marker);
  end = strchr (start, '"');

  return g_strndup (start, end - start);
}

static void
test_two_factor_step (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ba-web-login-2fa-XXXXXX", NULL);
  g_autoptr(BaServer) server = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  g_autofree char *url = NULL;
  g_autofree char *page_url = NULL;
  g_autofree char *form = NULL;
  g_autofree char *body = NULL;
  g_autofree char *partial = NULL;
  g_autofree char *code = NULL;
  g_autofree char *code_form = NULL;
  g_autofree char *token = NULL;
  g_autofree char *escaped = NULL;
  g_autoptr(JsonObject) claims = NULL;
  TotpState state = { 0, 0 };
  BaServerWebLoginTwoFactor hooks = { demo_login_state, demo_check_code, &state };
  guint status;

  server = ba_server_new (dir, &error);
  g_assert_no_error (error);
  g_assert_true (ba_server_seed_demo (server, NULL, NULL, &password, &error));
  g_assert_true (ba_server_listen (server, "127.0.0.1:0", NULL, NULL, &error));
  ba_server_web_login_set_two_factor (ba_server_get_web_login (server), &hooks);
  ba_server_set_dev_identity_provider (server, TRUE);

  url = ba_server_get_url (server);
  page_url = g_strconcat (url, PAGE, NULL);

  /* The password gives the code form, with the partial token, never the
   * password, carried over. */
  escaped = g_uri_escape_string (password, NULL, FALSE);
  form = g_strconcat ("step=password&username=demo&password=", escaped, NULL);
  status = request (session, page_url, form, &body);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (body, "name=\"code\""));
  g_assert_null (strstr (body, password));
  g_assert_null (find_hidden (body, "token"));
  partial = find_hidden (body, "partial_token");
  g_assert_nonnull (partial);
  claims = ba_jwt_decode (partial, NULL, 0, NULL);
  g_assert_nonnull (claims);
  g_assert_true (json_object_get_boolean_member (claims, "twoFactorRequired"));
  g_clear_pointer (&body, g_free);

  /* A wrong code: the form again, no token. */
  g_clear_pointer (&escaped, g_free);
  escaped = g_uri_escape_string (partial, NULL, FALSE);
  code_form = g_strconcat ("step=code&partial_token=", escaped, "&code=000000", NULL);
  status = request (session, page_url, code_form, &body);
  g_assert_cmpuint (status, ==, 401);
  g_assert_nonnull (strstr (body, "That code is not right."));
  g_assert_null (find_hidden (body, "token"));
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&code_form, g_free);

  /* A made-up partial token gets nowhere. */
  status = request (session, page_url, "step=code&partial_token=eyJ.x.y&code=123456", &body);
  g_assert_cmpuint (status, ==, 401);
  g_assert_null (find_hidden (body, "token"));
  g_clear_pointer (&body, g_free);

  /* The right code: the auto-post with a full session. */
  code = ba_totp_generate (BA_TOTP_SHA1, totp_key, 20, g_get_real_time () / G_USEC_PER_SEC, 30, 6);
  code_form = g_strconcat ("step=code&partial_token=", escaped, "&code=", code, NULL);
  status = request (session, page_url, code_form, &body);
  g_assert_cmpuint (status, ==, 200);
  token = find_hidden (body, "token");
  g_assert_nonnull (token);
  g_clear_pointer (&claims, json_object_unref);
  claims = ba_jwt_decode (token, NULL, 0, NULL);
  g_assert_nonnull (claims);
  g_assert_false (json_object_get_boolean_member (claims, "twoFactorRequired"));
  g_clear_pointer (&body, g_free);

  /* The same code again is refused (the check uses it up). */
  status = request (session, page_url, code_form, &body);
  g_assert_cmpuint (status, ==, 401);
  g_clear_pointer (&body, g_free);

  /* Accounts without two-factor authentication are not asked. */
  status = request (session, page_url, "step=test-idp&username=octocat", &body);
  g_assert_cmpuint (status, ==, 200);
  g_assert_null (strstr (body, "partial_token"));
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (state.checks, ==, 3);

  g_clear_object (&server);

  /* Remove the data dir: the database, its secrets, the empty outbox. */
  {
    const char *names[] = { "server.db", "server.db-wal", "server.db-shm", "jwt-secret",
                            "demo-password", NULL };
    g_autofree char *outbox = g_build_filename (dir, "outbox", NULL);

    for (guint i = 0; names[i] != NULL; i++)
      {
        g_autofree char *path = g_build_filename (dir, names[i], NULL);

        g_unlink (path);
      }
    g_rmdir (outbox);
    g_rmdir (dir);
  }
}

/* The same step with the server's own TOTP: 2FA turned on over HTTP
 * (/auth/totp/setup and verify), then the page asks for the code, takes a
 * code of the next step once, and refuses it the second time. */

static guint
request_api (SoupSession  *session,
             const char   *method,
             const char   *url,
             const char   *bearer,
             const char   *json,
             char        **out_body)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  Answer answer = { 0 };

  if (bearer != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", bearer, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  if (json != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (json, strlen (json));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, answered_cb, &answer);
  while (!answer.done)
    g_main_context_iteration (NULL, TRUE);

  *out_body = answer.body;
  return answer.status;
}

static char *
code_at (const BaOtpauth *otpauth,
         gint64           offset_seconds)
{
  return ba_totp_generate (otpauth->algorithm, otpauth->secret, otpauth->secret_len,
                           g_get_real_time () / G_USEC_PER_SEC + offset_seconds,
                           otpauth->period, otpauth->digits);
}

static void
test_two_factor_step_real_totp (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ba-web-login-totp-XXXXXX", NULL);
  g_autoptr(BaServer) server = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BaOtpauth) otpauth = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autofree char *password = NULL;
  g_autofree char *url = NULL;
  g_autofree char *page_url = NULL;
  g_autofree char *api_url = NULL;
  g_autofree char *login_json = NULL;
  g_autofree char *token = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *code = NULL;
  g_autofree char *json = NULL;
  g_autofree char *body = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *form = NULL;
  g_autofree char *partial = NULL;
  g_autofree char *full = NULL;
  guint status;

  server = ba_server_new (dir, &error);
  g_assert_no_error (error);
  g_assert_true (ba_server_seed_demo (server, NULL, NULL, &password, &error));
  g_assert_true (ba_server_listen (server, "127.0.0.1:0", NULL, NULL, &error));
  url = ba_server_get_url (server);
  page_url = g_strconcat (url, PAGE, NULL);

  /* Turn 2FA on as the app does. */
  api_url = g_strconcat (url, "/login_", NULL);
  login_json = g_strdup_printf ("{\"username\":\"demo\",\"password\":\"%s\"}", password);
  g_assert_cmpuint (request_api (session, "POST", api_url, NULL, login_json, &token), ==, 200);
  g_clear_pointer (&api_url, g_free);
  api_url = g_strconcat (url, "/auth/totp/setup", NULL);
  g_assert_cmpuint (request_api (session, "GET", api_url, token, NULL, &uri), ==, 200);
  otpauth = ba_otpauth_parse (uri, &error);
  g_assert_no_error (error);
  code = code_at (otpauth, 0);
  json = g_strdup_printf ("{\"code\":\"%s\"}", code);
  g_clear_pointer (&api_url, g_free);
  api_url = g_strconcat (url, "/auth/totp/verify", NULL);
  g_assert_cmpuint (request_api (session, "POST", api_url, token, json, &body), ==, 200);
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&code, g_free);

  /* The page now asks for the code after the password. */
  escaped = g_uri_escape_string (password, NULL, FALSE);
  form = g_strconcat ("step=password&username=demo&password=", escaped, NULL);
  status = request (session, page_url, form, &body);
  g_assert_cmpuint (status, ==, 200);
  partial = find_hidden (body, "partial_token");
  g_assert_nonnull (partial);
  g_assert_null (find_hidden (body, "token"));
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&escaped, g_free);
  g_clear_pointer (&form, g_free);

  /* A code of the next step (the one that turned 2FA on is used up) logs
   * in with a full session. */
  code = code_at (otpauth, otpauth->period);
  escaped = g_uri_escape_string (partial, NULL, FALSE);
  form = g_strconcat ("step=code&partial_token=", escaped, "&code=", code, NULL);
  status = request (session, page_url, form, &body);
  g_assert_cmpuint (status, ==, 200);
  full = find_hidden (body, "token");
  g_assert_nonnull (full);
  claims = ba_jwt_decode (full, NULL, 0, NULL);
  g_assert_nonnull (claims);
  g_assert_false (json_object_get_boolean_member (claims, "twoFactorRequired"));
  g_clear_pointer (&body, g_free);

  /* The same code again is refused: the server used it up. */
  status = request (session, page_url, form, &body);
  g_assert_cmpuint (status, ==, 401);
  g_assert_null (find_hidden (body, "token"));
  g_clear_pointer (&body, g_free);

  g_clear_object (&server);
  {
    const char *names[] = { "server.db", "server.db-wal", "server.db-shm", "jwt-secret",
                            "demo-password", NULL };
    g_autofree char *outbox = g_build_filename (dir, "outbox", NULL);

    for (guint i = 0; names[i] != NULL; i++)
      {
        g_autofree char *path = g_build_filename (dir, names[i], NULL);

        g_unlink (path);
      }
    g_rmdir (outbox);
    g_rmdir (dir);
  }
}

/* Code tries on the page and through POST /auth/totp/verify count
 * together: after ten wrong codes through the API, the page refuses even
 * the right code (429), so the page is no way to double the guesses. */
static void
test_code_tries_shared (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ba-web-login-tries-XXXXXX", NULL);
  g_autoptr(BaServer) server = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BaOtpauth) otpauth = NULL;
  g_autofree char *password = NULL;
  g_autofree char *url = NULL;
  g_autofree char *page_url = NULL;
  g_autofree char *api_url = NULL;
  g_autofree char *login_json = NULL;
  g_autofree char *token = NULL;
  g_autofree char *api_partial = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *code = NULL;
  g_autofree char *json = NULL;
  g_autofree char *body = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *form = NULL;
  g_autofree char *partial = NULL;

  server = ba_server_new (dir, &error);
  g_assert_no_error (error);
  g_assert_true (ba_server_seed_demo (server, NULL, NULL, &password, &error));
  g_assert_true (ba_server_listen (server, "127.0.0.1:0", NULL, NULL, &error));
  url = ba_server_get_url (server);
  page_url = g_strconcat (url, PAGE, NULL);

  api_url = g_strconcat (url, "/login_", NULL);
  login_json = g_strdup_printf ("{\"username\":\"demo\",\"password\":\"%s\"}", password);
  g_assert_cmpuint (request_api (session, "POST", api_url, NULL, login_json, &token), ==, 200);
  g_clear_pointer (&api_url, g_free);
  api_url = g_strconcat (url, "/auth/totp/setup", NULL);
  g_assert_cmpuint (request_api (session, "GET", api_url, token, NULL, &uri), ==, 200);
  otpauth = ba_otpauth_parse (uri, &error);
  g_assert_no_error (error);
  code = code_at (otpauth, 0);
  json = g_strdup_printf ("{\"code\":\"%s\"}", code);
  g_clear_pointer (&api_url, g_free);
  api_url = g_strconcat (url, "/auth/totp/verify", NULL);
  g_assert_cmpuint (request_api (session, "POST", api_url, token, json, &body), ==, 200);
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&code, g_free);

  /* The page's first step gives a partial token. */
  escaped = g_uri_escape_string (password, NULL, FALSE);
  form = g_strconcat ("step=password&username=demo&password=", escaped, NULL);
  g_assert_cmpuint (request (session, page_url, form, &body), ==, 200);
  partial = find_hidden (body, "partial_token");
  g_assert_nonnull (partial);
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&escaped, g_free);
  g_clear_pointer (&form, g_free);

  /* Ten wrong codes through the API, with a partial token of /login_. */
  g_clear_pointer (&api_url, g_free);
  api_url = g_strconcat (url, "/login_", NULL);
  g_assert_cmpuint (request_api (session, "POST", api_url, NULL, login_json, &api_partial), ==, 200);
  g_clear_pointer (&api_url, g_free);
  api_url = g_strconcat (url, "/auth/totp/verify", NULL);
  for (guint i = 0; i < 10; i++)
    {
      g_assert_cmpuint (request_api (session, "POST", api_url, api_partial,
                                     "{\"code\":\"000000\"}", &body), ==, 401);
      g_clear_pointer (&body, g_free);
    }

  /* Now the page refuses the right code too. */
  code = code_at (otpauth, otpauth->period);
  escaped = g_uri_escape_string (partial, NULL, FALSE);
  form = g_strconcat ("step=code&partial_token=", escaped, "&code=", code, NULL);
  g_assert_cmpuint (request (session, page_url, form, &body), ==, 429);
  g_assert_null (find_hidden (body, "token"));
  g_clear_pointer (&body, g_free);

  g_clear_object (&server);
  {
    const char *names[] = { "server.db", "server.db-wal", "server.db-shm", "jwt-secret",
                            "demo-password", NULL };
    g_autofree char *outbox = g_build_filename (dir, "outbox", NULL);

    for (guint i = 0; names[i] != NULL; i++)
      {
        g_autofree char *path = g_build_filename (dir, names[i], NULL);

        g_unlink (path);
      }
    g_rmdir (outbox);
    g_rmdir (dir);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, idp, func) \
  g_test_add ("/ba/server/web-login/" path, Fixture, GINT_TO_POINTER (idp), \
              fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/ba/server/web-login/parse-callback", test_parse_callback);
  ADD ("cross-site-post-refused", FALSE, test_cross_site_post_refused);
  g_test_add_func ("/ba/server/web-login/two-factor-step", test_two_factor_step);
  g_test_add_func ("/ba/server/web-login/two-factor-step-real-totp", test_two_factor_step_real_totp);
  g_test_add_func ("/ba/server/web-login/code-tries-shared", test_code_tries_shared);
  g_test_add_func ("/ba/server/web-login/nothing-secret-logged", test_nothing_secret_logged);
  ADD ("get-form", FALSE, test_get_form);
  ADD ("password-posts-token", FALSE, test_password_posts_token);
  ADD ("wrong-password", FALSE, test_wrong_password);
  ADD ("non-loopback-callback", FALSE, test_non_loopback_callback);
  ADD ("rate-limit-shared", FALSE, test_rate_limit_shared);
  ADD ("rate-limit-shared-by-account", FALSE, test_rate_limit_shared_by_account);
  ADD ("bad-requests", FALSE, test_bad_requests);
  ADD ("identity-provider", TRUE, test_identity_provider);

#undef ADD

  return g_test_run ();
}
