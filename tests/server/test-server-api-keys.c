/* test-server-api-keys.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-api-keys"

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "api-key-test-util.h"

/* API keys against a spawned server (account-api.md section 6): creating
 * them with a fresh session token, the validation messages, using a key
 * as a credential, expiry, what a key may not do, and that only a hash of
 * each key is stored. */

#define FRESH_REQUIRED "Fresh authentication token required"
#define NAME_TOO_LONG \
  "It is necessary that each api key that has a name, has a name that has a " \
  "Length (Type) that is less than or equal to 50."
#define CONTROL_CHARACTERS \
  "An api key's name and description must not contain control characters"
#define MALFORMED_REQUEST "Malformed request: the URL or headers cannot be parsed"
#define DESCRIPTION_TOO_LONG \
  "It is necessary that each api key that has a description, has a description " \
  "that has a Length (Type) that is less than or equal to 150."
#define BAD_EXPIRY "Key expiry date should be a valid date"

#define MINUTE_MS (60 * 1000)

typedef struct
{
  BaTestServer *server;
  TestUser     *demo;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  f->demo = test_user_login (f->server,
                             ba_test_server_get_demo_username (f->server),
                             ba_test_server_get_demo_password (f->server));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->server, ba_test_server_stop);
  g_clear_pointer (&f->demo, test_user_free);
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
assert_key_format (const char *key)
{
  g_assert_cmpuint (strlen (key), ==, 32);
  for (const char *p = key; *p != '\0'; p++)
    g_assert_true (g_ascii_isalnum (*p));
}

static guint
whoami_status (Fixture    *f,
               const char *path,
               const char *bearer)
{
  g_autofree char *body = NULL;
  guint status = ba_test_server_request (f->server, "GET", path, bearer, NULL, NULL,
                                         &body, NULL, NULL);

  if (status != 200)
    g_assert_cmpstr (body, ==, "");

  return status;
}

static void
test_create (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *key = NULL;
  g_autofree char *other = NULL;
  g_autoptr(JsonObject) row = NULL;
  g_autoptr(GDateTime) created = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GList) members = NULL;

  key = test_create_api_key (f->server, f->demo->token, "ci", "\"for the CI\"", "null");
  assert_key_format (key);

  /* Two keys are never the same. */
  other = test_create_api_key (f->server, f->demo->token, "ci-2", "null", "null");
  assert_key_format (other);
  g_assert_cmpstr (key, !=, other);

  row = test_find_key_by_name (f->server, f->demo->token, "ci");
  g_assert_nonnull (row);
  g_assert_cmpstr (json_object_get_string_member (row, "description"), ==, "for the CI");
  g_assert_true (json_object_get_null_member (row, "expiry_date"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (row, "is_of__actor"),
                                               "__id"), ==, f->demo->actor_id);
  /* created_at is toISOString() shaped and about now. */
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$",
                                       json_object_get_string_member (row, "created_at"), 0, 0));
  created = g_date_time_new_from_iso8601 (json_object_get_string_member (row, "created_at"), NULL);
  g_assert_nonnull (created);
  g_assert_cmpint (ABS (g_date_time_difference (now, created)), <, 60 * G_USEC_PER_SEC);

  members = json_object_get_members (row);
  for (GList *l = members; l != NULL; l = l->next)
    g_assert_true (!g_str_has_prefix (l->data, "key"));

  /* expiryDate may also be left out (open-balena-api does not require it). */
  g_clear_pointer (&other, g_free);
  g_assert_cmpuint (test_create_api_key_raw (f->server, f->demo->token, "{\"name\":\"bare\"}",
                                             &other), ==, 200);
  g_clear_pointer (&row, json_object_unref);
  row = test_find_key_by_name (f->server, f->demo->token, "bare");
  g_assert_nonnull (row);
  g_assert_true (json_object_get_null_member (row, "description"));
  g_assert_true (json_object_get_null_member (row, "expiry_date"));
}

static void
test_fresh_token (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *stale = NULL;
  g_autofree char *almost = NULL;
  g_autofree char *body = NULL;
  g_autofree char *refreshed = NULL;
  g_autofree char *fresh = NULL;
  g_autofree char *password_body = NULL;
  g_autofree char *key = NULL;

  /* 21 minutes after the password check: stale. */
  stale = test_user_forge_token (f->server, f->demo, now_ms () - 21 * MINUTE_MS, FALSE);
  g_assert_cmpuint (test_create_api_key_raw (f->server, stale, "{\"name\":\"x\",\"expiryDate\":null}",
                                             &body), ==, 401);
  test_assert_json_string (body, FRESH_REQUIRED);
  g_clear_pointer (&body, g_free);

  /* The check is on the token, not the body: still 401 with a bad body. */
  g_assert_cmpuint (test_create_api_key_raw (f->server, stale, "{}", &body), ==, 401);
  test_assert_json_string (body, FRESH_REQUIRED);
  g_clear_pointer (&body, g_free);

  /* 19 minutes: still fresh. */
  almost = test_user_forge_token (f->server, f->demo, now_ms () - 19 * MINUTE_MS, FALSE);
  key = test_create_api_key (f->server, almost, "nineteen", "null", "null");
  assert_key_format (key);

  /* Refreshing without a password keeps authTime, so it stays stale. */
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/user/v1/refresh-token", stale,
                                            NULL, NULL, &refreshed, NULL, NULL), ==, 200);
  g_assert_cmpuint (test_create_api_key_raw (f->server, refreshed, "{\"name\":\"x\"}", &body), ==, 401);
  test_assert_json_string (body, FRESH_REQUIRED);
  g_clear_pointer (&body, g_free);

  /* A wrong password does not make it fresh. */
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/user/v1/refresh-token", stale,
                                            "application/json", "{\"password\":\"wrong\"}",
                                            &body, NULL, NULL), ==, 401);
  g_clear_pointer (&body, g_free);

  /* The right one does (section 6: the fix the CLI suggests). */
  password_body = g_strdup_printf ("{\"password\":\"%s\"}", f->demo->password);
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/user/v1/refresh-token", stale,
                                            "application/json", password_body,
                                            &fresh, NULL, NULL), ==, 200);
  g_clear_pointer (&key, g_free);
  key = test_create_api_key (f->server, fresh, "after-refresh", "null", "null");
  assert_key_format (key);
}

/* A refresh with a password is a password check: ten wrong guesses per
 * user, then 429 with Retry-After, even for the right password, so a
 * stolen session token does not give endless tries at the password. */
static void
test_refresh_password_limited (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *stale = NULL;
  g_autofree char *password_body = NULL;
  g_autofree char *retry_after = NULL;
  g_autofree char *body = NULL;

  stale = test_user_forge_token (f->server, f->demo, now_ms () - 21 * MINUTE_MS, FALSE);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/user/v1/refresh-token", stale,
                                              "application/json", "{\"password\":\"wrong\"}",
                                              NULL, NULL, NULL), ==, 401);

  password_body = g_strdup_printf ("{\"password\":\"%s\"}", f->demo->password);
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/user/v1/refresh-token", stale,
                                            "application/json", password_body,
                                            &body, "Retry-After", &retry_after), ==, 429);
  g_assert_nonnull (retry_after);
  g_assert_cmpint (g_ascii_strtoll (retry_after, NULL, 10), >, 0);
  g_assert_null (strstr (body, "eyJ"));

  /* A refresh without a password is no guess and still works. */
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/user/v1/refresh-token", stale,
                                            NULL, NULL, &body, NULL, NULL), ==, 200);
}

/* A partial token (twoFactorRequired: true) is no session for anything
 * but the code check: every route that changes something for the user
 * refuses it with 401, and nothing changes. A full token then does the
 * same requests' checks, so the 401s are about the token. */
static void
test_partial_token_refused (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *partial = test_user_forge_token (f->server, f->demo, now_ms (), TRUE);
  g_autofree char *full = test_user_forge_token (f->server, f->demo, now_ms (), FALSE);
  g_autofree char *apps = NULL;
  g_autofree char *key = NULL;
  g_autofree char *keys = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gint64 app_id;
  gint64 key_id;

  /* A fleet of the demo user's and one of its API keys. */
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/v7/application?$select=id", full,
                                            NULL, NULL, &apps, NULL, NULL), ==, 200);
  g_assert_true (json_parser_load_from_data (parser, apps, -1, NULL));
  app_id = json_object_get_int_member (json_array_get_object_element (json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "d"), 0), "id");
  key = test_create_api_key (f->server, full, "partial-test", "null", "null");
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/v7/api_key?$select=id", full,
                                            NULL, NULL, &keys, NULL, NULL), ==, 200);
  g_assert_true (json_parser_load_from_data (parser, keys, -1, NULL));
  key_id = json_object_get_int_member (json_array_get_object_element (json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "d"), 0), "id");

  {
    g_autofree char *member = g_strdup_printf ("{\"username\":\"nobody\",\"is_member_of__application\":%" G_GINT64_FORMAT "}", app_id);
    g_autofree char *invite = g_strdup_printf ("{\"invitee\":\"partial@example.com\",\"is_invited_to__application\":%" G_GINT64_FORMAT "}", app_id);
    g_autofree char *password = g_strdup_printf ("{\"current_password\":\"%s\",\"new_password\":\"new password 1\"}", f->demo->password);
    g_autofree char *user = g_strdup_printf ("/v7/user(%" G_GINT64_FORMAT ")", f->demo->user_id);
    g_autofree char *profile = g_strdup_printf ("/v7/user_profile(%" G_GINT64_FORMAT ")", f->demo->user_id);
    g_autofree char *api_key = g_strdup_printf ("/v7/api_key(%" G_GINT64_FORMAT ")", key_id);
    const struct
    {
      const char *method;
      const char *path;
      const char *body;
    } requests[] = {
      { "POST", "/v7/user_application_membership", member },
      { "POST", "/v7/invitee__is_invited_to__application", invite },
      { "PATCH", "/v7/user_application_membership(1)", "{\"application_membership_role\":1}" },
      { "DELETE", "/v7/user_application_membership(1)", NULL },
      { "DELETE", "/v7/invitee__is_invited_to__application(1)", NULL },
      { "POST", "/user/v1/invitation/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL },
      { "POST", "/user/v1/password", password },
      { "PATCH", profile, "{\"first_name\":\"Partial\"}" },
      { "PATCH", user, "{\"has_been_sent_verification_email\":true}" },
      { "DELETE", user, NULL },
      { "POST", "/api-key/user/full", "{\"name\":\"k\"}" },
      { "PATCH", api_key, "{\"name\":\"renamed\"}" },
      { "DELETE", api_key, NULL },
      { "POST", "/auth/totp/recovery-codes", NULL },
      { "GET", "/auth/totp/setup", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
      {
        g_test_message ("%s %s", requests[i].method, requests[i].path);
        g_assert_cmpuint (ba_test_server_request (f->server, requests[i].method, requests[i].path,
                                                  partial,
                                                  requests[i].body != NULL ? "application/json" : NULL,
                                                  requests[i].body, NULL, NULL, NULL), ==, 401);
      }
  }

  /* Nothing changed: the password, the account, the key and its name. */
  g_assert_cmpuint (whoami_status (f, "/user/v1/whoami", f->demo->token), ==, 200);
  g_assert_cmpuint (whoami_status (f, "/user/v1/whoami", key), ==, 200);
  {
    g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}",
                                             f->demo->username, f->demo->password);

    g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/login_", NULL, "application/json",
                                              body, NULL, NULL, NULL), ==, 200);
  }
}

static void
test_credentials (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *partial = NULL;
  g_autofree char *key = NULL;
  g_autofree char *path = NULL;
  const char *body = "{\"name\":\"x\",\"expiryDate\":null}";
  const char *bad[] = { NULL, "not-a-key-at-all", "a.b.c" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *answer = NULL;

      g_assert_cmpuint (test_create_api_key_raw (f->server, bad[i], body, &answer), ==, 401);
      g_assert_cmpstr (answer, ==, "");
    }

  /* A token still waiting for its 2FA challenge, however fresh. */
  partial = test_user_forge_token (f->server, f->demo, now_ms (), TRUE);
  {
    g_autofree char *answer = NULL;

    g_assert_cmpuint (test_create_api_key_raw (f->server, partial, body, &answer), ==, 401);
    g_assert_cmpstr (answer, ==, "");
  }

  /* An API key, as Bearer or ?apikey=: it has no authTime. */
  key = test_create_api_key (f->server, f->demo->token, "k", "null", "null");
  {
    g_autofree char *answer = NULL;

    g_assert_cmpuint (test_create_api_key_raw (f->server, key, body, &answer), ==, 401);
    g_assert_cmpstr (answer, ==, "");
  }
  path = g_strdup_printf ("/api-key/user/full?apikey=%s", key);
  {
    g_autofree char *answer = NULL;

    g_assert_cmpuint (ba_test_server_request (f->server, "POST", path, NULL, "application/json",
                                              body, &answer, NULL, NULL), ==, 401);
    g_assert_cmpstr (answer, ==, "");
  }

  /* GET is not a route for it. */
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/api-key/user/full", f->demo->token,
                                            NULL, NULL, NULL, NULL, NULL), ==, 405);
}

typedef struct
{
  const char *body;
  const char *message;  /* NULL: an empty body */
} BadBody;

static char *
repeat (const char *unit,
        guint       times)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < times; i++)
    g_string_append (out, unit);

  return g_string_free (out, FALSE);
}

static void
test_validation (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *name50 = repeat ("n", 50);
  g_autofree char *name51 = repeat ("n", 51);
  g_autofree char *accents50 = repeat ("é", 50);
  g_autofree char *desc150 = repeat ("d", 150);
  g_autofree char *desc151 = repeat ("d", 151);
  g_autofree char *long_name_body = g_strdup_printf ("{\"name\":\"%s\"}", name51);
  g_autofree char *long_desc_body = g_strdup_printf ("{\"name\":\"x\",\"description\":\"%s\"}", desc151);
  const BadBody bad[] = {
    { "", NULL },
    { "not json", NULL },
    { "[\"name\"]", NULL },
    { "{}", NULL },
    { "{\"name\":\"\"}", NULL },
    { "{\"name\":null}", NULL },
    { "{\"name\":42}", NULL },
    { "{\"name\":[\"a\"]}", NULL },
    { "{\"name\":\"x\",\"description\":5}", NULL },
    { long_name_body, NAME_TOO_LONG },
    { long_desc_body, DESCRIPTION_TOO_LONG },
    { "{\"name\":\"x\",\"expiryDate\":\"not a date\"}", BAD_EXPIRY },
    { "{\"name\":\"x\",\"expiryDate\":\"2030-13-45\"}", BAD_EXPIRY },
    { "{\"name\":\"x\",\"expiryDate\":\"2030-02-30T00:00:00Z\"}", BAD_EXPIRY },
    { "{\"name\":\"x\",\"expiryDate\":\"\"}", BAD_EXPIRY },
    { "{\"name\":\"x\",\"expiryDate\":12345}", BAD_EXPIRY },
    { "{\"name\":\"x\",\"expiryDate\":true}", BAD_EXPIRY },
    /* json-glib would cut "a\u0000b" to "a"; refused instead. */
    { "{\"name\":\"a\\u0000b\"}", CONTROL_CHARACTERS },
    { "{\"name\":\"a\\\\\\u0000b\"}", CONTROL_CHARACTERS },
    { "{\"name\":\"x\",\"description\":\"\\u0000\"}", CONTROL_CHARACTERS },
    { "{\"name\":\"bell\\u0007\"}", CONTROL_CHARACTERS },
    { "{\"name\":\"x\",\"description\":\"two\\nlines\"}", CONTROL_CHARACTERS },
    { "{\"name\":\"del\\u007f\"}", CONTROL_CHARACTERS },
    { "{\"name\":\"c1\\u0085\"}", CONTROL_CHARACTERS },
  };
  const struct {
    const char *sent;
    const char *stored;
  } dates[] = {
    { "2031-02-03T04:05:06.789Z", "2031-02-03T04:05:06.789Z" },
    { "2031-02-03T04:05:06+02:00", "2031-02-03T02:05:06.000Z" },
    { "2031-02-03T04:05:06.7Z", "2031-02-03T04:05:06.700Z" },
    { "2031-02-03", "2031-02-03T00:00:00.000Z" },
  };
  g_autoptr(JsonArray) keys = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *answer = NULL;

      g_test_message ("body: %.60s", bad[i].body);
      g_assert_cmpuint (test_create_api_key_raw (f->server, f->demo->token, bad[i].body,
                                                 &answer), ==, 400);
      if (bad[i].message == NULL)
        g_assert_cmpstr (answer, ==, "");
      else
        test_assert_json_string (answer, bad[i].message);
    }

  /* A JSON body needs the JSON content type, as with Express. */
  {
    g_autofree char *answer = NULL;

    g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/api-key/user/full",
                                              f->demo->token, "text/plain", "{\"name\":\"x\"}",
                                              &answer, NULL, NULL), ==, 400);
  }

  /* Nothing was created by the failures. */
  keys = test_get_d (f->server, f->demo->token, "/v7/api_key");
  g_assert_cmpuint (json_array_get_length (keys), ==, 0);

  /* The limits themselves are allowed; lengths count characters. */
  for (guint i = 0; i < 3; i++)
    {
      const char *name = i == 0 ? name50 : i == 1 ? accents50 : "with-desc";
      g_autofree char *description = g_strdup_printf ("\"%s\"", i == 2 ? desc150 : "d");
      g_autofree char *key = test_create_api_key (f->server, f->demo->token, name, description, "null");
      g_autoptr(JsonObject) row = test_find_key_by_name (f->server, f->demo->token, name);

      assert_key_format (key);
      g_assert_nonnull (row);
    }

  /* An escaped backslash before "u0000" is text, not a NUL: allowed, and
   * stored whole. A PATCH is held to the same rule as a creation. */
  {
    g_autofree char *key = test_create_api_key (f->server, f->demo->token, "a\\\\u0000b", "null", "null");
    g_autoptr(JsonObject) row = test_find_key_by_name (f->server, f->demo->token, "a\\u0000b");
    g_autofree char *path = NULL;
    g_autofree char *answer = NULL;

    assert_key_format (key);
    g_assert_nonnull (row);
    path = g_strdup_printf ("/v7/api_key(%" G_GINT64_FORMAT ")", json_object_get_int_member (row, "id"));
    g_assert_cmpuint (ba_test_server_request (f->server, "PATCH", path, f->demo->token, "application/json",
                                              "{\"name\":\"b\\u0000c\"}", &answer, NULL, NULL), ==, 400);
    test_assert_json_string (answer, CONTROL_CHARACTERS);
    g_clear_pointer (&answer, g_free);
    g_assert_cmpuint (ba_test_server_request (f->server, "PATCH", path, f->demo->token, "application/json",
                                              "{\"description\":\"tab\\there\"}", &answer, NULL, NULL), ==, 400);
    test_assert_json_string (answer, CONTROL_CHARACTERS);
    g_clear_pointer (&row, json_object_unref);
    row = test_find_key_by_name (f->server, f->demo->token, "a\\u0000b");
    g_assert_nonnull (row);
    g_assert_true (json_object_get_null_member (row, "description"));
  }

  /* Expiry dates come back normalised as toISOString() writes them. */
  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    {
      g_autofree char *name = g_strdup_printf ("date-%u", i);
      g_autofree char *expiry = g_strdup_printf ("\"%s\"", dates[i].sent);
      g_autofree char *key = test_create_api_key (f->server, f->demo->token, name, "null", expiry);
      g_autoptr(JsonObject) row = test_find_key_by_name (f->server, f->demo->token, name);

      g_assert_nonnull (row);
      g_assert_cmpstr (json_object_get_string_member (row, "expiry_date"), ==, dates[i].stored);
    }
}

static void
test_authenticate (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *key = NULL;
  g_autofree char *query_path = NULL;
  g_autofree char *actor_path = NULL;
  g_autofree char *user_body = NULL;
  g_autofree char *actor_body = NULL;
  g_autofree char *upper = NULL;
  g_autofree char *longer = NULL;
  g_autoptr(JsonNode) user = NULL;
  g_autoptr(JsonNode) actor = NULL;

  key = test_create_api_key (f->server, f->demo->token, "whoami", "null", "\"2100-01-01\"");

  /* As Bearer, both whoami forms answer for the key's user. */
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/user/v1/whoami", key, NULL, NULL,
                                            &user_body, NULL, NULL), ==, 200);
  user = test_parse_json (user_body);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (user), "id"), ==, f->demo->user_id);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (user), "username"), ==,
                   f->demo->username);

  actor_path = g_strdup_printf ("/actor/v1/whoami?apikey=%s", key);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", actor_path, NULL, NULL, NULL,
                                            &actor_body, NULL, NULL), ==, 200);
  actor = test_parse_json (actor_body);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (actor), "id"), ==, f->demo->actor_id);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (actor), "actorType"), ==, "user");

  query_path = g_strdup_printf ("/user/v1/whoami?apikey=%s", key);
  g_assert_cmpuint (whoami_status (f, query_path, NULL), ==, 200);
  g_assert_cmpuint (whoami_status (f, "/actor/v1/whoami", key), ==, 200);

  /* Near misses are anonymous. */
  upper = g_ascii_strup (key, -1);
  if (!g_str_equal (upper, key))
    g_assert_cmpuint (whoami_status (f, "/user/v1/whoami", upper), ==, 401);
  longer = g_strconcat (key, "x", NULL);
  g_assert_cmpuint (whoami_status (f, "/user/v1/whoami", longer), ==, 401);
  g_assert_cmpuint (whoami_status (f, "/user/v1/whoami", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"), ==, 401);
  g_assert_cmpuint (whoami_status (f, "/user/v1/whoami?apikey=", NULL), ==, 401);
  {
    g_autofree char *huge = repeat ("k", 5000);
    g_autofree char *huge_path = g_strdup_printf ("/user/v1/whoami?apikey=%s", huge);

    g_assert_cmpuint (whoami_status (f, "/user/v1/whoami", huge), ==, 401);
    g_assert_cmpuint (whoami_status (f, huge_path, NULL), ==, 401);
  }

  /* A session token in the header still works next to a bad ?apikey=
   * only when the header is a JWT: the JWT is tried first. */
  g_assert_cmpuint (whoami_status (f, "/user/v1/whoami?apikey=nonsense", f->demo->token), ==, 200);
}

static void
test_expired (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) past = g_date_time_add_seconds (now, -2);
  g_autoptr(GDateTime) soon = g_date_time_add_seconds (now, 2);
  g_autofree char *past_json = g_date_time_format (past, "\"%Y-%m-%dT%H:%M:%S.%fZ\"");
  g_autofree char *soon_json = g_date_time_format (soon, "\"%Y-%m-%dT%H:%M:%S.%fZ\"");
  g_autofree char *expired = NULL;
  g_autofree char *expiring = NULL;
  g_autofree char *live = NULL;
  g_autofree char *path = NULL;
  g_autoptr(JsonObject) row = NULL;
  g_autofree char *patch_path = NULL;

  expired = test_create_api_key (f->server, f->demo->token, "expired", "null", past_json);
  g_assert_cmpuint (whoami_status (f, "/user/v1/whoami", expired), ==, 401);
  path = g_strdup_printf ("/actor/v1/whoami?apikey=%s", expired);
  g_assert_cmpuint (whoami_status (f, path, NULL), ==, 401);

  /* Valid until the second it expires, anonymous after. */
  expiring = test_create_api_key (f->server, f->demo->token, "expiring", "null", soon_json);
  g_assert_cmpuint (whoami_status (f, "/user/v1/whoami", expiring), ==, 200);
  g_usleep (2500 * 1000);
  g_assert_cmpuint (whoami_status (f, "/user/v1/whoami", expiring), ==, 401);

  /* An expiry moved into the past ends a key at once (section 6), and
   * clearing it brings the key back. */
  live = test_create_api_key (f->server, f->demo->token, "live", "null", "null");
  g_assert_cmpuint (whoami_status (f, "/user/v1/whoami", live), ==, 200);
  row = test_find_key_by_name (f->server, f->demo->token, "live");
  patch_path = g_strdup_printf ("/v7/api_key(%" G_GINT64_FORMAT ")", json_object_get_int_member (row, "id"));
  g_assert_cmpuint (ba_test_server_request (f->server, "PATCH", patch_path, f->demo->token,
                                            "application/json",
                                            "{\"expiry_date\":\"2001-01-01T00:00:00.000Z\"}",
                                            NULL, NULL, NULL), ==, 200);
  g_assert_cmpuint (whoami_status (f, "/user/v1/whoami", live), ==, 401);
  g_assert_cmpuint (ba_test_server_request (f->server, "PATCH", patch_path, f->demo->token,
                                            "application/json", "{\"expiry_date\":null}",
                                            NULL, NULL, NULL), ==, 200);
  g_assert_cmpuint (whoami_status (f, "/user/v1/whoami", live), ==, 200);

  /* An expired key reads no keys either. */
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/v7/api_key", expired,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);
}

static void
test_key_restrictions (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *key = NULL;
  g_autofree char *patch_path = NULL;
  g_autofree char *query_patch_path = NULL;
  g_autoptr(JsonObject) row = NULL;
  g_autoptr(JsonArray) own = NULL;
  gint64 id;
  struct {
    const char *method;
    const char *path;
    const char *body;
  } refused[] = {
    { "POST", "/api-key/user/full", "{\"name\":\"from-key\"}" },
    { "GET", "/user/v1/refresh-token", NULL },
    { "POST", "/user/v1/refresh-token", NULL },
    { "POST", "/v7/api_key", "{\"name\":\"via-odata\"}" },
    { "PATCH", NULL, "{\"name\":\"renamed\"}" },
    { "DELETE", NULL, NULL },
  };

  key = test_create_api_key (f->server, f->demo->token, "restricted", "\"d\"", "null");
  row = test_find_key_by_name (f->server, f->demo->token, "restricted");
  id = json_object_get_int_member (row, "id");
  patch_path = g_strdup_printf ("/v7/api_key(%" G_GINT64_FORMAT ")", id);

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      const char *path = refused[i].path != NULL ? refused[i].path : patch_path;
      g_autofree char *answer = NULL;
      g_autofree char *with_query = NULL;

      g_test_message ("%s %s with a key", refused[i].method, path);
      g_assert_cmpuint (ba_test_server_request (f->server, refused[i].method, path, key,
                                                refused[i].body ? "application/json" : NULL,
                                                refused[i].body, &answer, NULL, NULL), ==, 401);
      g_assert_cmpstr (answer, ==, "");
      g_clear_pointer (&answer, g_free);

      with_query = g_strdup_printf ("%s?apikey=%s", path, key);
      g_assert_cmpuint (ba_test_server_request (f->server, refused[i].method, with_query, NULL,
                                                refused[i].body ? "application/json" : NULL,
                                                refused[i].body, &answer, NULL, NULL), ==, 401);
      g_assert_cmpstr (answer, ==, "");
    }

  /* A filtered PATCH with a key is refused too, not silently empty. */
  query_patch_path = g_strdup_printf ("/v7/api_key?$filter=id%%20eq%%20%" G_GINT64_FORMAT, id);
  g_assert_cmpuint (ba_test_server_request (f->server, "PATCH", query_patch_path, key,
                                            "application/json", "{\"name\":\"renamed\"}",
                                            NULL, NULL, NULL), ==, 401);

  /* Nothing changed, and the key still reads its own keys (section 6). */
  own = test_get_d (f->server, key, "/v7/api_key");
  g_assert_cmpuint (json_array_get_length (own), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (own, 0), "name"),
                   ==, "restricted");
  g_assert_cmpuint (whoami_status (f, "/user/v1/whoami", key), ==, 200);
}

/* Every file in @dir, recursively. */
static void
collect_files (const char *dir,
               GPtrArray  *paths)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (entries);
  while ((name = g_dir_read_name (entries)) != NULL)
    {
      char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          collect_files (path, paths);
          g_free (path);
        }
      else
        g_ptr_array_add (paths, path);
    }
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  gsize needle_len = strlen (needle);

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));

  /* Byte by byte: database pages are full of NULs. */
  for (gsize i = 0; i + needle_len <= len; i++)
    if (memcmp (contents + i, needle, needle_len) == 0)
      return TRUE;

  return FALSE;
}

static void
test_storage (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *db_path = NULL;
  g_autofree char *db_uri = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint found = 0;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("stored-%u", i);

      g_ptr_array_add (keys, test_create_api_key (f->server, f->demo->token, name, "null", "null"));
    }

  /* The server keeps running: its WAL may hold the newest pages, so
   * every file of the data dir is searched, not just server.db. */
  collect_files (ba_test_server_get_data_dir (f->server), paths);
  g_assert_cmpuint (paths->len, >, 0);
  for (guint i = 0; i < paths->len; i++)
    for (guint k = 0; k < keys->len; k++)
      {
        if (file_contains (paths->pdata[i], keys->pdata[k]))
          g_error ("%s holds an API key in plain text", (char *) paths->pdata[i]);
      }

  /* What is stored is the SHA-256 of each key. */
  db_path = g_build_filename (ba_test_server_get_data_dir (f->server), "server.db", NULL);
  db_uri = g_strdup_printf ("file:%s?mode=ro", db_path);
  g_assert_cmpint (sqlite3_open_v2 (db_uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT key_hash FROM api_key", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *stored = (const char *) sqlite3_column_text (stmt, 0);

      for (guint k = 0; k < keys->len; k++)
        {
          g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, keys->pdata[k], -1);

          if (g_str_equal (hash, stored))
            found++;
        }
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpuint (found, ==, keys->len);
}

/* A key never reaches the log, even at debug level with ?apikey=. */
static void
test_not_logged (void)
{
  g_autoptr(BaTestServer) server = NULL;
  g_autoptr(TestUser) demo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *path = NULL;
  g_autofree char *log = NULL;

  server = ba_test_server_start_logged (TRUE, &error);
  g_assert_no_error (error);
  demo = test_user_login (server, ba_test_server_get_demo_username (server),
                          ba_test_server_get_demo_password (server));

  key = test_create_api_key (server, demo->token, "logged", "null", "null");
  path = g_strdup_printf ("/actor/v1/whoami?apikey=%s", key);
  g_assert_cmpuint (ba_test_server_request (server, "GET", path, NULL, NULL, NULL,
                                            NULL, NULL, NULL), ==, 200);
  g_assert_cmpuint (ba_test_server_request (server, "GET", "/v7/api_key", key, NULL, NULL,
                                            NULL, NULL, NULL), ==, 200);

  /* A request line libsoup cannot parse is logged without a warning, and
   * answered with a message although libsoup refuses it before any
   * handler; a route that answers with no body still has none. */
  {
    g_autofree char *answer = NULL;

    g_assert_cmpuint (test_raw_request (server, "/v7/api_key?$filter=%ZZ", key, &answer), ==, 400);
    test_assert_json_string (answer, MALFORMED_REQUEST);
    g_clear_pointer (&answer, g_free);
    g_assert_cmpuint (test_raw_request (server, "/no/such/route", key, &answer), ==, 404);
    g_assert_cmpstr (answer, ==, "");
  }

  g_assert_true (ba_test_server_terminate (server, &error));
  g_assert_no_error (error);
  log = ba_test_server_get_log (server);
  g_assert_null (strstr (log, "CRITICAL"));
  g_assert_null (strstr (log, "WARNING"));
  g_assert_nonnull (strstr (log, "/actor/v1/whoami?apikey=REDACTED"));
  g_assert_null (strstr (log, key));
}

/* Many creations in a row: each needs a session-token check, a random key
 * and a SHA-256, so this also measures the cost per key. Set
 * BA_TEST_API_KEY_COUNT to change the count (the benchmark's 10,000). */
static void
test_create_many (Fixture       *f,
                  gconstpointer  data)
{
  const char *count_env = g_getenv ("BA_TEST_API_KEY_COUNT");
  guint count = count_env != NULL ? (guint) g_ascii_strtoull (count_env, NULL, 10) : 500;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *count_body = NULL;
  g_autofree char *expected = NULL;
  gint64 start = g_get_monotonic_time ();
  double seconds;

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *name = g_strdup_printf ("key-%05u", i);
      char *key = test_create_api_key (f->server, f->demo->token, name, "null", "null");

      g_assert_true (g_hash_table_add (seen, key));
    }
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_test_message ("created %u API keys over HTTP in %.2f s (%.2f ms each)",
                  count, seconds, seconds * 1000 / count);

  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/v7/api_key/$count", f->demo->token,
                                            NULL, NULL, &count_body, NULL, NULL), ==, 200);
  expected = g_strdup_printf ("{\"d\":%u}", count);
  g_assert_cmpstr (count_body, ==, expected);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/ba/server/api-keys/create", test_create);
  ADD ("/ba/server/api-keys/fresh-token", test_fresh_token);
  ADD ("/ba/server/api-keys/refresh-password-limited", test_refresh_password_limited);
  ADD ("/ba/server/api-keys/partial-token-refused", test_partial_token_refused);
  ADD ("/ba/server/api-keys/credentials", test_credentials);
  ADD ("/ba/server/api-keys/validation", test_validation);
  ADD ("/ba/server/api-keys/authenticate", test_authenticate);
  ADD ("/ba/server/api-keys/expired", test_expired);
  ADD ("/ba/server/api-keys/key-restrictions", test_key_restrictions);
  ADD ("/ba/server/api-keys/storage", test_storage);
  ADD ("/ba/server/api-keys/create-many", test_create_many);
  g_test_add_func ("/ba/server/api-keys/not-logged", test_not_logged);

#undef ADD

  return g_test_run ();
}
