/* test-api-error.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "ba-api-error.h"
#include "ba-error.h"

static GError *
map (guint          status,
     const char    *body,
     const char    *retry_after,
     BaApiEndpoint  endpoint)
{
  g_autoptr(GBytes) bytes = body != NULL ? g_bytes_new (body, strlen (body)) : NULL;

  return ba_api_error_from_response (status, bytes, retry_after, endpoint);
}

static char *
extract (const char *body)
{
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  return ba_api_error_extract_message (bytes);
}

static void
test_body_shapes (void)
{
  struct {
    const char *body;
    const char *message;
  } cases[] = {
    { "\"Fresh authentication token required\"", "Fresh authentication token required" },
    { "  \"padded\"\n", "padded" },
    { "{\"error\":\"Invalid API key\"}", "Invalid API key" },
    { "{\"error\":{\"text\":\"nested text\"}}", "nested text" },
    { "{\"message\":\"from message\"}", "from message" },
    { "{\"message\":\"message wins\",\"error\":\"over error\"}", "message wins" },
    { "{\"error\":42}", NULL },
    { "{\"message\":null}", NULL },
    { "", NULL },
    { "Too Many Requests", NULL },
    { "<html><body><h1>502 Bad Gateway</h1></body></html>", NULL },
    { "{\"truncated\":", NULL },
    { "\"unterminated", NULL },
    { "[\"an\",\"array\"]", NULL },
    { "42", NULL },
  };
  char *null_body;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *message = extract (cases[i].body);

      g_test_message ("body %u: %s", i, cases[i].body);
      g_assert_cmpstr (message, ==, cases[i].message);
    }

  null_body = ba_api_error_extract_message (NULL);
  g_assert_null (null_body);
}

static void
test_login_401 (void)
{
  g_autoptr(GError) empty = map (401, "", NULL, BA_API_ENDPOINT_LOGIN);
  g_autoptr(GError) none = map (401, NULL, NULL, BA_API_ENDPOINT_LOGIN);

  g_assert_error (empty, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
  g_assert_error (none, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
  g_assert_cmpstr (empty->message, ==, "Wrong username, email or password.");
}

static void
test_authenticated_401 (void)
{
  g_autoptr(GError) empty = map (401, "", NULL, BA_API_ENDPOINT_AUTHENTICATED);
  g_autoptr(GError) pine = map (401, "\"Actor 5 is not associated to any resource\"", NULL,
                                BA_API_ENDPOINT_AUTHENTICATED);
  g_autoptr(GError) password = map (401, "", NULL, BA_API_ENDPOINT_PASSWORD);

  g_assert_error (empty, BA_ERROR, BA_ERROR_NOT_LOGGED_IN);
  g_assert_error (pine, BA_ERROR, BA_ERROR_NOT_LOGGED_IN);
  g_assert_error (password, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
}

static void
test_fresh_auth (void)
{
  const char *bodies[] = {
    "\"Fresh authentication token required\"",
    "{\"error\":\"Fresh authentication token required\"}",
    "{\"message\":\"Fresh authentication token required\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GError) error = map (401, bodies[i], NULL, BA_API_ENDPOINT_AUTHENTICATED);

      g_assert_error (error, BA_ERROR, BA_ERROR_FRESH_AUTH_REQUIRED);
      /* The user is told what to do, not the server's wording. */
      g_assert_cmpstr (error->message, !=, "Fresh authentication token required");
    }
}

static void
test_400_409 (void)
{
  g_autoptr(GError) empty = map (400, "", NULL, BA_API_ENDPOINT_AUTHENTICATED);
  g_autoptr(GError) html = map (400, "<html>bad</html>", NULL, BA_API_ENDPOINT_AUTHENTICATED);
  g_autoptr(GError) conflict = map (409, "", NULL, BA_API_ENDPOINT_AUTHENTICATED);
  g_autoptr(GError) control = map (400, "\"bad\\u0007bell\"", NULL, BA_API_ENDPOINT_AUTHENTICATED);

  g_assert_error (empty, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_assert_cmpstr (empty->message, ==, "The server refused the request as invalid.");
  g_assert_error (html, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_assert_null (strstr (html->message, "<html>"));
  g_assert_error (conflict, BA_ERROR, BA_ERROR_CONFLICT);
  g_assert_cmpstr (conflict->message, ==, "This conflicts with something that already exists.");
  /* Control characters from a server are not shown. */
  g_assert_error (control, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_assert_null (strchr (control->message, '\a'));
}

/* The server's English texts of account-api.md become translatable
 * messages of our own; unknown texts get the generic message and are only
 * logged, because they are neither translated nor always meant for people. */
static void
test_known_messages (void)
{
  struct {
    guint       status;
    const char *body;
    int         code;
    const char *message;
  } cases[] = {
    { 409, "\"This username is already taken\"", BA_ERROR_CONFLICT, "This username is already taken." },
    { 409, "{\"error\":\"This email is already taken\"}", BA_ERROR_CONFLICT, "This email is already taken." },
    { 400, "\"Invalid email\"", BA_ERROR_INVALID_INPUT, "This is not a valid email address." },
    { 400, "\"Password must be at least 8 characters\"", BA_ERROR_INVALID_INPUT,
      "The password must be at least 8 characters long." },
    { 400, "\"Invalid or expired token\"", BA_ERROR_INVALID_INPUT,
      "This code or link is not valid, or it has expired. Ask for a new mail." },
    { 400, "\"It is necessary that each api key that has a name, has a name that has a "
      "Length (Type) that is less than or equal to 50.\"", BA_ERROR_INVALID_INPUT,
      "The name of an API key can be at most 50 characters long." },
    { 400, "\"It is necessary that each api key that has a description, has a description "
      "that has a Length (Type) that is less than or equal to 150.\"", BA_ERROR_INVALID_INPUT,
      "The description of an API key can be at most 150 characters long." },
    { 400, "\"Key expiry date should be a valid date\"", BA_ERROR_INVALID_INPUT,
      "The expiry date is not a valid date." },
    { 400, "\"An api key's name and description must not contain control characters\"",
      BA_ERROR_INVALID_INPUT,
      "The name and description of an API key cannot contain control characters, such as line breaks." },
    { 400, "\"API keys with the 'named-user-api-key' role require a name\"", BA_ERROR_INVALID_INPUT,
      "An API key needs a name." },
    { 400, "\"You can only delete your own account\"", BA_ERROR_INVALID_INPUT,
      "You can only delete your own account." },
    { 409, "\"Two-factor authentication is already enabled\"", BA_ERROR_CONFLICT,
      "Two-factor authentication is already turned on." },
    { 409, "\"This user is already a member of this fleet\"", BA_ERROR_CONFLICT,
      "This user is already a member of this fleet." },
    /* Unknown texts, even short printable ones, are not passed through. */
    { 400, "\"'first_name' must be at most 100 characters\"", BA_ERROR_INVALID_INPUT,
      "The server refused the request as invalid." },
    { 409, "\"Unique key constraint violated\"", BA_ERROR_CONFLICT,
      "This conflicts with something that already exists." },
    /* A known text under another status is not mistaken for it. */
    { 500, "\"This username is already taken\"", BA_ERROR_SERVER,
      "The server had a problem (error 500). Try again later." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = map (cases[i].status, cases[i].body, NULL, BA_API_ENDPOINT_EXTENSION);

      g_test_message ("case %u: %u %s", i, cases[i].status, cases[i].body);
      g_assert_error (error, BA_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_403_404 (void)
{
  g_autoptr(GError) forbidden = map (403, "", NULL, BA_API_ENDPOINT_AUTHENTICATED);
  g_autoptr(GError) missing = map (404, "", NULL, BA_API_ENDPOINT_AUTHENTICATED);
  g_autoptr(GError) unsupported = map (404, "Cannot POST /user/v1/password", NULL,
                                       BA_API_ENDPOINT_EXTENSION);

  g_assert_error (forbidden, BA_ERROR, BA_ERROR_PERMISSION_DENIED);
  g_assert_error (missing, BA_ERROR, BA_ERROR_NOT_FOUND);
  g_assert_error (unsupported, BA_ERROR, BA_ERROR_NOT_SUPPORTED);
}

static void
test_429 (void)
{
  g_autoptr(GError) minutes = map (429, "\"Too Many Requests\"", "3540", BA_API_ENDPOINT_LOGIN);
  g_autoptr(GError) almost_an_hour = map (429, "", "3541", BA_API_ENDPOINT_LOGIN);
  g_autoptr(GError) one_minute = map (429, "\"Too Many Requests\"", "60", BA_API_ENDPOINT_LOGIN);
  g_autoptr(GError) seconds = map (429, "", "1", BA_API_ENDPOINT_LOGIN);
  g_autoptr(GError) hours = map (429, "", "7200", BA_API_ENDPOINT_LOGIN);
  g_autoptr(GError) one_hour = map (429, "", "3600", BA_API_ENDPOINT_LOGIN);
  g_autoptr(GError) over_an_hour = map (429, "", "5399", BA_API_ENDPOINT_LOGIN);
  g_autoptr(GError) over_two_hours = map (429, "", "7201", BA_API_ENDPOINT_LOGIN);
  g_autoptr(GError) no_header = map (429, "", NULL, BA_API_ENDPOINT_LOGIN);
  g_autoptr(GError) garbage = map (429, "", "soon", BA_API_ENDPOINT_LOGIN);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 125);
  g_autofree char *http_date = g_date_time_format (later, "%a, %d %b %Y %H:%M:%S GMT");
  g_autoptr(GError) dated = map (429, "", http_date, BA_API_ENDPOINT_LOGIN);

  g_assert_error (minutes, BA_ERROR, BA_ERROR_TOO_MANY_ATTEMPTS);
  g_assert_cmpstr (minutes->message, ==, "Too many attempts. Try again in 59 minutes.");
  g_assert_cmpstr (almost_an_hour->message, ==, "Too many attempts. Try again in 1 hour.");
  g_assert_cmpstr (one_minute->message, ==, "Too many attempts. Try again in 1 minute.");
  g_assert_cmpstr (seconds->message, ==, "Too many attempts. Try again in 1 second.");
  g_assert_cmpstr (hours->message, ==, "Too many attempts. Try again in 2 hours.");
  g_assert_cmpstr (one_hour->message, ==, "Too many attempts. Try again in 1 hour.");
  /* Hours round up as well: an hour and a half is not "1 hour". */
  g_assert_cmpstr (over_an_hour->message, ==, "Too many attempts. Try again in 2 hours.");
  g_assert_cmpstr (over_two_hours->message, ==, "Too many attempts. Try again in 3 hours.");
  g_assert_error (no_header, BA_ERROR, BA_ERROR_TOO_MANY_ATTEMPTS);
  g_assert_cmpstr (no_header->message, ==, "Too many attempts. Try again later.");
  g_assert_cmpstr (garbage->message, ==, "Too many attempts. Try again later.");
  /* An HTTP date about two minutes ahead (rounding may give 3). */
  g_assert_error (dated, BA_ERROR, BA_ERROR_TOO_MANY_ATTEMPTS);
  g_assert_true (g_str_equal (dated->message, "Too many attempts. Try again in 3 minutes.") ||
                 g_str_equal (dated->message, "Too many attempts. Try again in 2 minutes."));
}

static void
test_5xx (void)
{
  g_autoptr(GError) internal = map (500, "<h1>Internal Server Error</h1>", NULL,
                                    BA_API_ENDPOINT_AUTHENTICATED);
  g_autoptr(GError) gateway = map (502, "", NULL, BA_API_ENDPOINT_LOGIN);
  g_autoptr(GError) odd = map (418, "", NULL, BA_API_ENDPOINT_AUTHENTICATED);

  g_assert_error (internal, BA_ERROR, BA_ERROR_SERVER);
  g_assert_null (strstr (internal->message, "<h1>"));
  g_assert_nonnull (strstr (internal->message, "500"));
  g_assert_error (gateway, BA_ERROR, BA_ERROR_SERVER);
  g_assert_error (odd, BA_ERROR, BA_ERROR_FAILED);
}

static void
test_transport (void)
{
  struct {
    GQuark domain;
    int    code;
    int    expected;
  } cases[] = {
    { 0, G_IO_ERROR_CONNECTION_REFUSED, BA_ERROR_OFFLINE },
    { 0, G_IO_ERROR_HOST_UNREACHABLE, BA_ERROR_OFFLINE },
    { 0, G_IO_ERROR_NETWORK_UNREACHABLE, BA_ERROR_OFFLINE },
    { 0, G_IO_ERROR_TIMED_OUT, BA_ERROR_TIMEOUT },
    { 1, G_RESOLVER_ERROR_NOT_FOUND, BA_ERROR_OFFLINE },
    { 2, G_TLS_ERROR_BAD_CERTIFICATE, BA_ERROR_FAILED },
  };
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");
  g_autoptr(GError) mapped_cancel = ba_api_error_from_transport (cancelled);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GQuark domain = cases[i].domain == 0 ? G_IO_ERROR :
                      cases[i].domain == 1 ? G_RESOLVER_ERROR : G_TLS_ERROR;
      g_autoptr(GError) raw = g_error_new_literal (domain, cases[i].code, "raw detail");
      g_autoptr(GError) mapped = ba_api_error_from_transport (raw);

      g_assert_error (mapped, BA_ERROR, cases[i].expected);
      g_assert_null (strstr (mapped->message, "raw detail"));
    }

  g_assert_error (mapped_cancel, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/api-error/body-shapes", test_body_shapes);
  g_test_add_func ("/ba/api-error/login-401", test_login_401);
  g_test_add_func ("/ba/api-error/authenticated-401", test_authenticated_401);
  g_test_add_func ("/ba/api-error/fresh-auth", test_fresh_auth);
  g_test_add_func ("/ba/api-error/400-409", test_400_409);
  g_test_add_func ("/ba/api-error/known-messages", test_known_messages);
  g_test_add_func ("/ba/api-error/403-404", test_403_404);
  g_test_add_func ("/ba/api-error/429", test_429);
  g_test_add_func ("/ba/api-error/5xx", test_5xx);
  g_test_add_func ("/ba/api-error/transport", test_transport);

  return g_test_run ();
}
