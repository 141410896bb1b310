/* test-server-logs.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-logs"

#include "config.h"

#include <string.h>

#include "ba-jwt.h"
#include "ba-test-server.h"

/* The server never logs a password, token or key, even with
 * G_MESSAGES_DEBUG=all: drive every credential-carrying path, then search
 * everything it wrote (stderr, and stdout after the start-up lines). */

static void
assert_absent (const char *log,
               const char *secret,
               const char *what)
{
  g_assert_nonnull (secret);
  g_assert_cmpuint (strlen (secret), >=, 8);

  if (strstr (log, secret) != NULL)
    g_error ("The server logged %s", what);
}

static void
test_no_secrets (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaTestServer) server = ba_test_server_start_logged (TRUE, &error);
  g_autoptr(JsonObject) claims = NULL;
  const char *password;
  g_autofree char *body = NULL;
  g_autofree char *token = NULL;
  g_autofree char *refreshed = NULL;
  g_autofree char *log = NULL;
  g_autofree char *form = NULL;
  const char *wrong_password = "Wr0ng-Pa55word-xyzzy";
  const char *api_key = "ApiKeyThatMustNotBeLogged0123456";

  g_assert_no_error (error);
  password = ba_test_server_get_demo_password (server);

  body = g_strdup_printf ("{\"username\":\"demo\",\"password\":\"%s\"}", password);
  g_assert_cmpuint (ba_test_server_request (server, "POST", "/login_", NULL, "application/json",
                                            body, &token, NULL, NULL), ==, 200);
  g_clear_pointer (&body, g_free);

  form = g_strdup_printf ("username=demo%%40example.com&password=%s", password);
  g_assert_cmpuint (ba_test_server_request (server, "POST", "/login_", NULL,
                                            "application/x-www-form-urlencoded", form,
                                            NULL, NULL, NULL), ==, 200);

  body = g_strdup_printf ("{\"username\":\"demo\",\"password\":\"%s\"}", wrong_password);
  g_assert_cmpuint (ba_test_server_request (server, "POST", "/login_", NULL, "application/json",
                                            body, NULL, NULL, NULL), ==, 401);
  g_clear_pointer (&body, g_free);

  g_assert_cmpuint (ba_test_server_request (server, "GET", "/actor/v1/whoami", token,
                                            NULL, NULL, NULL, NULL, NULL), ==, 200);

  body = g_strdup_printf ("{\"password\":\"%s\"}", password);
  g_assert_cmpuint (ba_test_server_request (server, "POST", "/user/v1/refresh-token", token,
                                            "application/json", body, &refreshed, NULL, NULL), ==, 200);
  g_clear_pointer (&body, g_free);

  body = g_strdup_printf ("{\"password\":\"%s\"}", wrong_password);
  g_assert_cmpuint (ba_test_server_request (server, "POST", "/user/v1/refresh-token", token,
                                            "application/json", body, NULL, NULL, NULL), ==, 401);
  g_clear_pointer (&body, g_free);

  /* API keys, in both places a client may put one. */
  body = g_strdup_printf ("/user/v1/whoami?apikey=%s", api_key);
  g_assert_cmpuint (ba_test_server_request (server, "GET", body, NULL,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);
  g_assert_cmpuint (ba_test_server_request (server, "GET", "/user/v1/whoami", api_key,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);

  g_assert_true (ba_test_server_terminate (server, &error));
  g_assert_no_error (error);

  log = ba_test_server_get_log (server);
  g_test_message ("%s", log);

  /* The log is really there: requests are logged at debug level. */
  g_assert_nonnull (strstr (log, "POST /login_ -> 200"));
  g_assert_nonnull (strstr (log, "apikey=REDACTED"));

  claims = ba_jwt_decode (token, NULL, 0, &error);
  g_assert_no_error (error);

  assert_absent (log, password, "the demo password");
  assert_absent (log, wrong_password, "a wrong password");
  assert_absent (log, token, "a session token");
  assert_absent (log, refreshed, "a refreshed session token");
  assert_absent (log, strrchr (token, '.') + 1, "a token signature");
  assert_absent (log, json_object_get_string_member (claims, "jwt_secret"), "a jwt_secret");
  assert_absent (log, api_key, "an API key");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/server/logs/no-secrets", test_no_secrets);

  return g_test_run ();
}
