/* test-server-lifecycle.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-lifecycle"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ba-jwt.h"
#include "ba-test-outbox.h"
#include "api-key-test-util.h"

/* The account lifecycle against a spawned server (account-api.md
 * sections 8, 9 and 17.1–17.4): sign-up, verification through the mail
 * in the outbox, password reset, set and change, profile, and deleting
 * the account, checked in the database itself. */

#define PASSWORD "correct horse battery"

typedef struct
{
  BaTestServer *server;
  char         *outbox;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  f->outbox = g_build_filename (ba_test_server_get_data_dir (f->server), "outbox", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->server, ba_test_server_stop);
  g_clear_pointer (&f->outbox, g_free);
}

static guint
post (Fixture     *f,
      const char  *path,
      const char  *token,
      const char  *body,
      char       **out_body)
{
  return ba_test_server_request (f->server, "POST", path, token, "application/json", body,
                                 out_body, NULL, NULL);
}

static guint
sign_up (Fixture     *f,
         const char  *email,
         const char  *username,
         const char  *password,
         char       **out_body)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "email");
  json_builder_add_string_value (builder, email);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  if (username != NULL)
    {
      json_builder_set_member_name (builder, "username");
      json_builder_add_string_value (builder, username);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);

  return post (f, "/user/register", NULL, body, out_body);
}

/* Signs up and logs in the new user (asserts success). */
static TestUser *
sign_up_user (Fixture    *f,
              const char *email,
              const char *username)
{
  g_autofree char *token = NULL;

  g_assert_cmpuint (sign_up (f, email, username, PASSWORD, &token), ==, 200);
  g_assert_true (ba_jwt_looks_like_jwt (token));

  return test_user_login (f->server, email, PASSWORD);
}

static gint64
db_count (Fixture    *f,
          const char *sql,
          gint64      id)
{
  g_autofree char *path = g_build_filename (ba_test_server_get_data_dir (f->server), "server.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 count;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return count;
}

/* The number of rows @sql answers. */
static guint
db_rows (Fixture    *f,
         const char *sql)
{
  g_autofree char *path = g_build_filename (ba_test_server_get_data_dir (f->server), "server.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n = 0;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    n++;
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return n;
}

static void
db_exec (Fixture    *f,
         const char *sql)
{
  g_autofree char *path = g_build_filename (ba_test_server_get_data_dir (f->server), "server.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static JsonObject *
get_profile (Fixture  *f,
             TestUser *user)
{
  g_autofree char *path = g_strdup_printf ("/v7/user_profile?$select=id,email,first_name,last_name,"
                                           "company,has_password_set,is_verified"
                                           "&$filter=is_of__user%%20eq%%20%" G_GINT64_FORMAT,
                                           user->user_id);
  g_autoptr(JsonArray) rows = test_get_d (f->server, user->token, path);

  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  return json_object_ref (json_array_get_object_element (rows, 0));
}

static void
assert_session_dead (Fixture    *f,
                     const char *token)
{
  g_autofree char *body = NULL;

  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/actor/v1/whoami", token,
                                            NULL, NULL, &body, NULL, NULL), ==, 401);
}

static guint
login (Fixture    *f,
       const char *username,
       const char *password)
{
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}",
                                           username, password);
  g_autofree char *answer = NULL;

  return post (f, "/login_", NULL, body, &answer);
}

static void
test_register (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *whoami = NULL;
  g_autofree char *mail = NULL;
  g_autofree char *header = NULL;
  g_autoptr(JsonNode) identity = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(JsonObject) profile = NULL;
  g_autoptr(TestUser) user = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/user/register", NULL,
                                            "application/json",
                                            "{\"email\":\"Jane.Doe@Example.com\",\"password\":\"" PASSWORD "\"}",
                                            &token, "Content-Type", &content_type), ==, 200);
  g_assert_true (g_str_has_prefix (content_type, "text/plain"));
  claims = ba_jwt_decode (token, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_has_member (claims, "authTime"));

  /* The username comes from the local part, with section 4's rules. */
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/actor/v1/whoami", token,
                                            NULL, NULL, &whoami, NULL, NULL), ==, 200);
  identity = test_parse_json (whoami);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (identity), "username"),
                   ==, "jane_doe");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (identity), "email"),
                   ==, "Jane.Doe@Example.com");

  /* Login works before verification, by email or username. */
  g_assert_cmpuint (login (f, "jane_doe", PASSWORD), ==, 200);
  user = test_user_login (f->server, "jane.doe@example.com", PASSWORD);

  profile = get_profile (f, user);
  g_assert_false (json_object_get_boolean_member (profile, "is_verified"));
  g_assert_true (json_object_get_boolean_member (profile, "has_password_set"));
  g_assert_cmpstr (json_object_get_string_member (profile, "email"), ==, "Jane.Doe@Example.com");
  g_assert_true (json_object_get_null_member (profile, "first_name"));

  /* One verification mail, an RFC 5322 message with CRLF lines. */
  mail = ba_test_outbox_wait (f->outbox, "verify-email", "Jane.Doe@Example.com", 1, 5000);
  g_assert_nonnull (mail);
  g_assert_cmpuint (ba_test_outbox_count (f->outbox, "verify-email", NULL), ==, 1);
  header = ba_test_mail_get_header (mail, "Subject");
  g_assert_cmpstr (header, ==, "Verify your email address");
  g_clear_pointer (&header, g_free);
  header = ba_test_mail_get_header (mail, "Date");
  g_assert_nonnull (header);
  g_assert_true (g_str_has_suffix (header, "+0000"));
  g_clear_pointer (&header, g_free);
  header = ba_test_mail_get_header (mail, "Message-ID");
  g_assert_nonnull (header);
  g_assert_nonnull (strstr (mail, "MIME-Version: 1.0\r\n"));
  g_assert_nonnull (strstr (mail, "\r\n\r\n"));
  g_assert_null (strstr (mail, PASSWORD));
  for (const char *p = strchr (mail, '\n'); p != NULL; p = strchr (p + 1, '\n'))
    g_assert_cmpint (p[-1], ==, '\r');

  /* Written atomically and privately: no temporary file is left, and
   * the mail (it holds a token) is 0600. */
  {
    g_autoptr(GDir) dir = g_dir_open (f->outbox, 0, NULL);
    const char *name;

    g_assert_nonnull (dir);
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (f->outbox, name, NULL);
        GStatBuf st;

        g_assert_true (g_str_has_suffix (name, ".eml"));
        g_assert_cmpint (g_stat (path, &st), ==, 0);
        g_assert_cmpint (st.st_mode & 0777, ==, 0600);
      }
  }
}

static void
test_register_errors (Fixture       *f,
                      gconstpointer  data)
{
  const char *bad_emails[] = { "", "nobody", "a@b", "@example.com", "x@example", "a b@example.com",
                               "x@@example.com", "x@.example.com", "x@example.com.", "x@exa..mple.com",
                               "a\r\nBcc: y@example.com" };
  g_autoptr(TestUser) jane = NULL;
  g_autofree char *body = NULL;
  g_autofree char *whoami = NULL;
  g_autoptr(JsonNode) identity = NULL;
  gint64 users_before = db_count (f, "SELECT count(*) FROM user WHERE ?1 = ?1", 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad_emails); i++)
    {
      g_autofree char *answer = NULL;

      g_test_message ("email “%s”", bad_emails[i]);
      g_assert_cmpuint (sign_up (f, bad_emails[i], NULL, PASSWORD, &answer), ==, 400);
      test_assert_json_string (answer, "Invalid email");
    }

  /* 7 characters is short; 8 characters (not bytes) are enough. */
  g_assert_cmpuint (sign_up (f, "short@example.com", NULL, "1234567", &body), ==, 400);
  test_assert_json_string (body, "Password must be at least 8 characters");
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (sign_up (f, "umlaut@example.com", NULL, "pässwört", &body), ==, 200);
  g_clear_pointer (&body, g_free);

  /* Missing or malformed bodies. */
  g_assert_cmpuint (post (f, "/user/register", NULL, "{\"email\":\"x@example.com\"}", &body), ==, 400);
  test_assert_json_string (body, "Password must be at least 8 characters");
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (post (f, "/user/register", NULL, "[1]", &body), ==, 400);
  g_assert_cmpstr (body, ==, "");
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (post (f, "/user/register", NULL,
                          "{\"email\":\"n@example.com\",\"password\":\"" PASSWORD "\",\"username\":7}",
                          &body), ==, 400);
  g_clear_pointer (&body, g_free);

  jane = sign_up_user (f, "jane@example.com", NULL);

  /* Duplicates, case-insensitively, and the blacklisted "root". */
  g_assert_cmpuint (sign_up (f, "JANE@example.COM", NULL, PASSWORD, &body), ==, 409);
  test_assert_json_string (body, "This email is already taken");
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (sign_up (f, "other@example.com", "JANE", PASSWORD, &body), ==, 409);
  test_assert_json_string (body, "This username is already taken");
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (sign_up (f, "other@example.com", "demo", PASSWORD, &body), ==, 409);
  test_assert_json_string (body, "This username is already taken");
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (sign_up (f, "root@example.com", "Root", PASSWORD, &body), ==, 409);
  test_assert_json_string (body, "This username is already taken");
  g_clear_pointer (&body, g_free);

  /* A derived username that is taken gets a number. */
  g_assert_cmpuint (sign_up (f, "jane@elsewhere.org", NULL, PASSWORD, &body), ==, 200);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/actor/v1/whoami", body,
                                            NULL, NULL, &whoami, NULL, NULL), ==, 200);
  identity = test_parse_json (whoami);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (identity), "username"),
                   ==, "jane2");
  g_clear_pointer (&body, g_free);

  /* An explicit username is normalised. */
  g_assert_cmpuint (sign_up (f, "sam@example.com", "Sam O'Neil!", PASSWORD, &body), ==, 200);
  g_assert_cmpuint (login (f, "sam_o_neil_", PASSWORD), ==, 200);

  /* Nothing was created by the refused attempts. */
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM user WHERE ?1 = ?1", 0), ==, users_before + 4);
}

static void
test_verify (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(TestUser) jane = sign_up_user (f, "jane@example.com", NULL);
  g_autoptr(TestUser) sam = sign_up_user (f, "sam@example.com", NULL);
  g_autoptr(JsonObject) profile = NULL;
  g_autofree char *mail = NULL;
  g_autofree char *token = NULL;
  g_autofree char *sam_token = NULL;
  g_autofree char *body = NULL;
  g_autofree char *request = NULL;
  g_autofree char *path = NULL;

  mail = ba_test_outbox_wait (f->outbox, "verify-email", "jane@example.com", 1, 5000);
  g_assert_nonnull (mail);
  token = ba_test_mail_get_token (mail);
  g_assert_cmpuint (strlen (token), ==, 32);
  g_clear_pointer (&mail, g_free);
  mail = ba_test_outbox_wait (f->outbox, "verify-email", "sam@example.com", 1, 5000);
  sam_token = ba_test_mail_get_token (mail);

  /* A made-up token, or someone else's, is refused. */
  g_assert_cmpuint (post (f, "/user/v1/verify-email", NULL,
                          "{\"verificationToken\":\"nope\",\"email\":\"jane@example.com\"}",
                          &body), ==, 400);
  test_assert_json_string (body, "Invalid or expired token");
  g_clear_pointer (&body, g_free);
  request = g_strdup_printf ("{\"verificationToken\":\"%s\",\"email\":\"jane@example.com\"}", sam_token);
  g_assert_cmpuint (post (f, "/user/v1/verify-email", NULL, request, &body), ==, 400);
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&request, g_free);
  g_assert_cmpuint (post (f, "/user/v1/verify-email", NULL, "{\"email\":\"jane@example.com\"}",
                          &body), ==, 400);
  g_clear_pointer (&body, g_free);

  /* Resending replaces the first code; only the new one works. */
  path = g_strdup_printf ("/v7/user(%" G_GINT64_FORMAT ")", jane->user_id);
  g_assert_cmpuint (ba_test_server_request (f->server, "PATCH", path, jane->token, "application/json",
                                            "{\"has_been_sent_verification_email\":true}",
                                            &body, NULL, NULL), ==, 200);
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&mail, g_free);
  mail = ba_test_outbox_wait (f->outbox, "verify-email", "jane@example.com", 2, 5000);
  g_assert_nonnull (mail);
  request = g_strdup_printf ("{\"verificationToken\":\"%s\",\"email\":\"jane@example.com\"}", token);
  g_assert_cmpuint (post (f, "/user/v1/verify-email", NULL, request, &body), ==, 400);
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&request, g_free);
  g_clear_pointer (&token, g_free);
  token = ba_test_mail_get_token (mail);

  /* Resending for someone else, or changing other fields, is refused. */
  g_assert_cmpuint (ba_test_server_request (f->server, "PATCH", path, sam->token, "application/json",
                                            "{\"has_been_sent_verification_email\":true}",
                                            &body, NULL, NULL), ==, 401);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (ba_test_server_request (f->server, "PATCH", path, jane->token, "application/json",
                                            "{\"username\":\"evil\"}", &body, NULL, NULL), ==, 400);
  test_assert_json_string (body, "'username' of 'user' cannot be changed");
  g_clear_pointer (&body, g_free);

  /* The right code, in any letter case of the email, logs in. */
  request = g_strdup_printf ("{\"verificationToken\":\"%s\",\"email\":\"JANE@example.com\"}", token);
  g_assert_cmpuint (post (f, "/user/v1/verify-email", NULL, request, &body), ==, 200);
  g_assert_true (ba_jwt_looks_like_jwt (body));
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/user/v1/whoami", body,
                                            NULL, NULL, NULL, NULL, NULL), ==, 200);
  g_clear_pointer (&body, g_free);
  profile = get_profile (f, jane);
  g_assert_true (json_object_get_boolean_member (profile, "is_verified"));

  /* Single use. */
  g_assert_cmpuint (post (f, "/user/v1/verify-email", NULL, request, &body), ==, 400);
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&request, g_free);

  /* An expired code is refused. */
  db_exec (f, "UPDATE user_token SET expires_at = 1");
  request = g_strdup_printf ("{\"verificationToken\":\"%s\",\"email\":\"sam@example.com\"}", sam_token);
  g_assert_cmpuint (post (f, "/user/v1/verify-email", NULL, request, &body), ==, 400);
  test_assert_json_string (body, "Invalid or expired token");
}

static void
test_reset_enumeration (Fixture       *f,
                        gconstpointer  data)
{
  const char *emails[] = { "nobody@example.com", "demo@example.com", "not an email" };
  char *bodies[G_N_ELEMENTS (emails)] = { NULL, };
  char *types[G_N_ELEMENTS (emails)] = { NULL, };
  guint statuses[G_N_ELEMENTS (emails)];
  g_autofree char *mail = NULL;
  g_autofree char *retry_after = NULL;
  g_autofree char *body = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (emails); i++)
    {
      g_autofree char *request = g_strdup_printf ("{\"email\":\"%s\"}", emails[i]);
      gint64 start = g_get_monotonic_time ();

      statuses[i] = ba_test_server_request (f->server, "POST", "/user/v1/password-reset/request",
                                            NULL, "application/json", request, &bodies[i],
                                            "Content-Type", &types[i]);
      g_test_message ("%s: %u in %" G_GINT64_FORMAT " µs", emails[i], statuses[i],
                      g_get_monotonic_time () - start);
    }

  /* The same status, body and type for a known and an unknown address. */
  for (guint i = 1; i < G_N_ELEMENTS (emails); i++)
    {
      g_assert_cmpuint (statuses[i], ==, statuses[0]);
      g_assert_cmpstr (bodies[i], ==, bodies[0]);
      g_assert_cmpstr (types[i], ==, types[0]);
    }
  g_assert_cmpuint (statuses[0], ==, 200);
  g_assert_cmpstr (bodies[0], ==, "");

  /* Only the known address gets a mail. */
  mail = ba_test_outbox_wait (f->outbox, "password-reset", "demo@example.com", 1, 5000);
  g_assert_nonnull (mail);
  g_usleep (200 * 1000);
  g_assert_cmpuint (ba_test_outbox_count (f->outbox, "password-reset", NULL), ==, 1);

  /* 5 requests an hour per address, then 429 with Retry-After. */
  for (guint i = 1; i < 5; i++)
    g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/user/v1/password-reset/request",
                                              NULL, "application/json",
                                              "{\"email\":\"nobody@example.com\"}", NULL,
                                              NULL, NULL), ==, 200);
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/user/v1/password-reset/request",
                                            NULL, "application/json",
                                            "{\"email\":\"NOBODY@example.com\"}", &body,
                                            "Retry-After", &retry_after), ==, 429);
  g_assert_nonnull (retry_after);
  g_assert_cmpint (g_ascii_strtoll (retry_after, NULL, 10), >, 0);

  for (guint i = 0; i < G_N_ELEMENTS (emails); i++)
    {
      g_free (bodies[i]);
      g_free (types[i]);
    }
}

static void
test_reset (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(TestUser) demo = test_user_login (f->server, ba_test_server_get_demo_username (f->server),
                                              ba_test_server_get_demo_password (f->server));
  g_autofree char *mail = NULL;
  g_autofree char *link = NULL;
  g_autofree char *token = NULL;
  g_autofree char *body = NULL;
  g_autofree char *request = NULL;
  g_autofree char *expected_link = NULL;

  g_assert_cmpuint (post (f, "/user/v1/password-reset/request", NULL,
                          "{\"email\":\"demo@example.com\"}", NULL), ==, 200);
  mail = ba_test_outbox_wait (f->outbox, "password-reset", "demo@example.com", 1, 5000);
  g_assert_nonnull (mail);
  link = ba_test_mail_get_link (mail);
  token = ba_test_mail_get_token (mail);
  expected_link = g_strdup_printf ("%s/password-reset?token=%s",
                                   ba_test_server_get_url (f->server), token);
  g_assert_cmpstr (link, ==, expected_link);

  /* A bad token, or a short password, changes nothing and keeps the
   * token usable. */
  g_assert_cmpuint (post (f, "/user/v1/password-reset", NULL,
                          "{\"token\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"password\":\"new password 1\"}",
                          &body), ==, 400);
  test_assert_json_string (body, "Invalid or expired token");
  g_clear_pointer (&body, g_free);
  request = g_strdup_printf ("{\"token\":\"%s\",\"password\":\"short\"}", token);
  g_assert_cmpuint (post (f, "/user/v1/password-reset", NULL, request, &body), ==, 400);
  test_assert_json_string (body, "Password must be at least 8 characters");
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&request, g_free);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/actor/v1/whoami", demo->token,
                                            NULL, NULL, NULL, NULL, NULL), ==, 200);

  request = g_strdup_printf ("{\"token\":\"%s\",\"password\":\"new password 1\"}", token);
  g_assert_cmpuint (post (f, "/user/v1/password-reset", NULL, request, &body), ==, 200);
  g_assert_true (ba_jwt_looks_like_jwt (body));
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/actor/v1/whoami", body,
                                            NULL, NULL, NULL, NULL, NULL), ==, 200);
  g_clear_pointer (&body, g_free);

  /* Older sessions are over; the new password works, the old one not. */
  assert_session_dead (f, demo->token);
  g_assert_cmpuint (login (f, "demo", "new password 1"), ==, 200);
  g_assert_cmpuint (login (f, "demo", ba_test_server_get_demo_password (f->server)), ==, 401);

  /* Single use. */
  g_assert_cmpuint (post (f, "/user/v1/password-reset", NULL, request, &body), ==, 400);
  test_assert_json_string (body, "Invalid or expired token");
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&request, g_free);
  g_clear_pointer (&token, g_free);
  g_clear_pointer (&mail, g_free);

  /* Expired after an hour. */
  g_assert_cmpuint (post (f, "/user/v1/password-reset/request", NULL,
                          "{\"email\":\"demo@example.com\"}", NULL), ==, 200);
  mail = ba_test_outbox_wait (f->outbox, "password-reset", "demo@example.com", 2, 5000);
  token = ba_test_mail_get_token (mail);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM user_token WHERE purpose = 'password-reset'"
                                " AND expires_at - strftime('%s','now') BETWEEN 3590 AND 3600"
                                " AND ?1 = ?1", 0), ==, 1);
  db_exec (f, "UPDATE user_token SET expires_at = strftime('%s','now') - 1");
  request = g_strdup_printf ("{\"token\":\"%s\",\"password\":\"new password 2\"}", token);
  g_assert_cmpuint (post (f, "/user/v1/password-reset", NULL, request, &body), ==, 400);
  test_assert_json_string (body, "Invalid or expired token");
  g_assert_cmpuint (login (f, "demo", "new password 1"), ==, 200);
}

static void
test_change_password (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(TestUser) jane = sign_up_user (f, "jane@example.com", NULL);
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *key = NULL;
  g_autofree char *stale = NULL;

  g_assert_cmpuint (post (f, "/user/v1/password", jane->token,
                          "{\"current_password\":\"wrong one!\",\"new_password\":\"new password 1\"}",
                          &body), ==, 401);
  test_assert_json_string (body, "Wrong password");
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (post (f, "/user/v1/password", jane->token,
                          "{\"new_password\":\"new password 1\"}", &body), ==, 400);
  test_assert_json_string (body, "Current password required");
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (post (f, "/user/v1/password", jane->token,
                          "{\"current_password\":\"" PASSWORD "\",\"new_password\":\"short\"}",
                          &body), ==, 400);
  test_assert_json_string (body, "Password must be at least 8 characters");
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (post (f, "/user/v1/password", NULL,
                          "{\"current_password\":\"" PASSWORD "\",\"new_password\":\"new password 1\"}",
                          &body), ==, 401);
  g_clear_pointer (&body, g_free);

  /* An API key cannot change the password. */
  key = test_create_api_key (f->server, jane->token, "k", "null", "null");
  g_assert_cmpuint (post (f, "/user/v1/password", key,
                          "{\"current_password\":\"" PASSWORD "\",\"new_password\":\"new password 1\"}",
                          &body), ==, 401);
  g_clear_pointer (&body, g_free);

  /* The current password proves it; the token need not be fresh. */
  stale = test_user_forge_token (f->server, jane, 1000, FALSE);
  g_assert_cmpuint (post (f, "/user/v1/password", stale,
                          "{\"current_password\":\"" PASSWORD "\",\"new_password\":\"new password 1\"}",
                          &body), ==, 200);
  claims = ba_jwt_decode (body, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_real_time () / 1000 - json_object_get_int_member (claims, "authTime"), <, 60000);
  g_assert_cmpstr (json_object_get_string_member (claims, "jwt_secret"), !=, jane->jwt_secret);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/actor/v1/whoami", body,
                                            NULL, NULL, NULL, NULL, NULL), ==, 200);

  /* Every older session ends, and the old password is gone. */
  assert_session_dead (f, jane->token);
  assert_session_dead (f, stale);
  g_assert_cmpuint (login (f, "jane", PASSWORD), ==, 401);
  g_assert_cmpuint (login (f, "jane", "new password 1"), ==, 200);

  /* Guessing the current password is limited like /login_: the success
   * above reset the count; ten wrong tries, then 429 even for the right
   * one. */
  {
    g_autofree char *token = g_strdup (body);
    g_autofree char *retry_after = NULL;

    for (guint i = 0; i < 10; i++)
      {
        g_clear_pointer (&body, g_free);
        g_assert_cmpuint (post (f, "/user/v1/password", token,
                                "{\"current_password\":\"guess guess\",\"new_password\":\"new password 2\"}",
                                &body), ==, 401);
      }
    g_clear_pointer (&body, g_free);
    g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/user/v1/password", token,
                                              "application/json",
                                              "{\"current_password\":\"new password 1\",\"new_password\":\"new password 2\"}",
                                              &body, "Retry-After", &retry_after), ==, 429);
    g_assert_nonnull (retry_after);
    g_assert_cmpuint (login (f, "jane", "new password 1"), ==, 200);
  }
}

static void
test_set_password (Fixture       *f,
                   gconstpointer  data)
{
  TestUser social = { 0, };
  g_autofree char *fresh = NULL;
  g_autofree char *stale = NULL;
  g_autofree char *body = NULL;
  g_autofree char *jwt_secret = NULL;
  g_autoptr(JsonObject) profile = NULL;
  g_autofree char *path = g_build_filename (ba_test_server_get_data_dir (f->server), "server.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  /* The seeded social-login user "octocat" has no password; the test
   * stands in for its browser login with a token signed by the server. */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id, jwt_secret FROM user WHERE username = 'octocat'"
                                           " AND password_hash IS NULL", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  social.user_id = sqlite3_column_int64 (stmt, 0);
  jwt_secret = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  social.jwt_secret = jwt_secret;
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  stale = test_user_forge_token (f->server, &social, g_get_real_time () / 1000 - 21 * 60 * 1000, FALSE);
  fresh = test_user_forge_token (f->server, &social, g_get_real_time () / 1000, FALSE);

  social.token = fresh;
  profile = get_profile (f, &social);
  g_assert_false (json_object_get_boolean_member (profile, "has_password_set"));
  g_clear_pointer (&profile, json_object_unref);

  g_assert_cmpuint (post (f, "/user/v1/password", stale, "{\"new_password\":\"first password\"}",
                          &body), ==, 401);
  test_assert_json_string (body, "Fresh authentication token required");
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (login (f, "octocat", "first password"), ==, 401);

  g_assert_cmpuint (post (f, "/user/v1/password", fresh, "{\"new_password\":\"first password\"}",
                          &body), ==, 200);
  g_assert_true (ba_jwt_looks_like_jwt (body));
  assert_session_dead (f, fresh);
  social.token = body;
  profile = get_profile (f, &social);
  g_assert_true (json_object_get_boolean_member (profile, "has_password_set"));
  g_assert_cmpuint (login (f, "octocat", "first password"), ==, 200);
  social.token = NULL;
  social.jwt_secret = NULL;
}

static void
test_profile (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(TestUser) jane = sign_up_user (f, "jane@example.com", NULL);
  g_autoptr(TestUser) sam = sign_up_user (f, "sam@example.com", NULL);
  g_autoptr(JsonObject) profile = NULL;
  g_autofree char *path = g_strdup_printf ("/v7/user_profile(%" G_GINT64_FORMAT ")", jane->user_id);
  g_autofree char *body = NULL;
  g_autofree char *too_long = NULL;
  g_autoptr(JsonArray) rows = NULL;
  GString *long_name = g_string_new ("{\"company\":\"");

  g_assert_cmpuint (ba_test_server_request (f->server, "PATCH", path, jane->token, "application/json",
                                            "{\"first_name\":\"Jane\",\"last_name\":\"Doe\","
                                            "\"company\":\"Äcme\"}", &body, NULL, NULL), ==, 200);
  g_clear_pointer (&body, g_free);
  profile = get_profile (f, jane);
  g_assert_cmpstr (json_object_get_string_member (profile, "first_name"), ==, "Jane");
  g_assert_cmpstr (json_object_get_string_member (profile, "last_name"), ==, "Doe");
  g_assert_cmpstr (json_object_get_string_member (profile, "company"), ==, "Äcme");
  g_clear_pointer (&profile, json_object_unref);

  /* Only the members given change; null clears. */
  g_assert_cmpuint (ba_test_server_request (f->server, "PATCH", path, jane->token, "application/json",
                                            "{\"company\":null}", &body, NULL, NULL), ==, 200);
  g_clear_pointer (&body, g_free);
  profile = get_profile (f, jane);
  g_assert_cmpstr (json_object_get_string_member (profile, "first_name"), ==, "Jane");
  g_assert_true (json_object_get_null_member (profile, "company"));

  /* Someone else's profile, other fields, too long a value, API keys. */
  g_assert_cmpuint (ba_test_server_request (f->server, "PATCH", path, sam->token, "application/json",
                                            "{\"first_name\":\"Sam\"}", &body, NULL, NULL), ==, 401);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (ba_test_server_request (f->server, "PATCH", path, jane->token, "application/json",
                                            "{\"email\":\"x@example.com\"}", &body, NULL, NULL), ==, 400);
  test_assert_json_string (body, "'email' of 'user_profile' cannot be changed");
  g_clear_pointer (&body, g_free);
  for (guint i = 0; i < 101; i++)
    g_string_append (long_name, "x");
  g_string_append (long_name, "\"}");
  too_long = g_string_free (long_name, FALSE);
  g_assert_cmpuint (ba_test_server_request (f->server, "PATCH", path, jane->token, "application/json",
                                            too_long, &body, NULL, NULL), ==, 400);
  g_clear_pointer (&body, g_free);

  /* Sam sees only his own profile. */
  rows = test_get_d (f->server, sam->token, "/v7/user_profile?$select=id,email");
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "email"),
                   ==, "sam@example.com");
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/v7/user_profile", NULL,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);
}

/* Sign-ups are limited per address (each sends a mail to an address the
 * caller chose): 20 an hour, counted whatever the answer, then 429. */
static void
test_register_rate_limited (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *body = NULL;
  g_autofree char *retry_after = NULL;

  g_assert_cmpuint (sign_up (f, "first@example.com", NULL, PASSWORD, &body), ==, 200);
  for (guint i = 1; i < 20; i++)
    {
      g_clear_pointer (&body, g_free);
      g_assert_cmpuint (sign_up (f, "first@example.com", NULL, PASSWORD, &body), ==, 409);
    }

  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/user/register", NULL,
                                            "application/json",
                                            "{\"email\":\"other@example.com\",\"password\":\"long enough\"}",
                                            &body, "Retry-After", &retry_after), ==, 429);
  g_assert_nonnull (retry_after);
  g_assert_cmpint (g_ascii_strtoll (retry_after, NULL, 10), >, 0);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM user WHERE email = 'other@example.com' AND ?1 = ?1", 0), ==, 0);
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(TestUser) jane = sign_up_user (f, "jane@example.com", NULL);
  g_autoptr(TestUser) sam = sign_up_user (f, "sam@example.com", NULL);
  g_autofree char *jane_path = g_strdup_printf ("/v7/user(%" G_GINT64_FORMAT ")", jane->user_id);
  g_autofree char *sam_path = g_strdup_printf ("/v7/user(%" G_GINT64_FORMAT ")", sam->user_id);
  g_autofree char *jane_key = NULL;
  g_autofree char *sam_key = NULL;
  g_autofree char *stale = NULL;
  g_autofree char *body = NULL;
  g_autofree char *reset_mail = NULL;
  g_autofree char *insert = NULL;
  gint64 organization;

  jane_key = test_create_api_key (f->server, jane->token, "jane's key", "null", "null");
  sam_key = test_create_api_key (f->server, sam->token, "sam's key", "null", "null");
  g_assert_cmpuint (post (f, "/user/v1/password-reset/request", NULL,
                          "{\"email\":\"jane@example.com\"}", NULL), ==, 200);
  reset_mail = ba_test_outbox_wait (f->outbox, "password-reset", "jane@example.com", 1, 5000);
  g_assert_nonnull (reset_mail);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM user_token WHERE user = ?", jane->user_id), ==, 2);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM api_key WHERE is_of__actor = ?", jane->actor_id), ==, 1);

  /* Jane's own organization (made at sign-up) gets a fleet with a device,
   * and a two-factor setup is pending: all of it must go with her. */
  organization = db_count (f, "SELECT organization.id FROM organization"
                              " JOIN organization_membership ON is_member_of__organization = organization.id"
                              " WHERE user = ?", jane->user_id);
  g_assert_cmpint (organization, >, 0);
  insert = g_strdup_printf ("INSERT INTO application (app_name, slug, organization, uuid, created_at)"
                            " VALUES ('jane-fleet', 'jane/jane-fleet', %" G_GINT64_FORMAT ","
                            " 'jane-fleet-uuid', '2026-12-04T00:00:00.000Z');"
                            "INSERT INTO device (uuid, device_name, belongs_to__application, is_online, created_at)"
                            " SELECT 'jane-device-uuid', 'jane-pi', id, 1, '2026-12-04T00:00:00.000Z'"
                            " FROM application WHERE slug = 'jane/jane-fleet';", organization);
  db_exec (f, insert);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/auth/totp/setup", jane->token,
                                            NULL, NULL, NULL, NULL, NULL), ==, 200);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM device JOIN application ON application.id = belongs_to__application"
                                " WHERE organization = ?", organization), ==, 1);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM totp WHERE user = ?", jane->user_id), ==, 1);

  /* Someone else's account, a named key, no key, not fresh, an API key,
   * no credential: all refused, nothing deleted. */
  g_assert_cmpuint (ba_test_server_request (f->server, "DELETE", sam_path, jane->token,
                                            NULL, NULL, &body, NULL, NULL), ==, 400);
  test_assert_json_string (body, "You can only delete your own account");
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (ba_test_server_request (f->server, "DELETE", "/v7/user(username='jane')", jane->token,
                                            NULL, NULL, &body, NULL, NULL), ==, 400);
  test_assert_json_string (body, "You cannot use a named key for user deletion");
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (ba_test_server_request (f->server, "DELETE", "/v7/user", jane->token,
                                            NULL, NULL, &body, NULL, NULL), ==, 400);
  g_clear_pointer (&body, g_free);
  stale = test_user_forge_token (f->server, jane, g_get_real_time () / 1000 - 21 * 60 * 1000, FALSE);
  g_assert_cmpuint (ba_test_server_request (f->server, "DELETE", jane_path, stale,
                                            NULL, NULL, &body, NULL, NULL), ==, 401);
  test_assert_json_string (body, "Fresh authentication token required");
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (ba_test_server_request (f->server, "DELETE", jane_path, jane_key,
                                            NULL, NULL, &body, NULL, NULL), ==, 401);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (ba_test_server_request (f->server, "DELETE", jane_path, NULL,
                                            NULL, NULL, &body, NULL, NULL), ==, 401);
  g_clear_pointer (&body, g_free);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM user WHERE id = ?", jane->user_id), ==, 1);

  {
    /* The key may come percent-encoded. */
    g_autofree char *encoded = g_strdup_printf ("/v7/user%%28%" G_GINT64_FORMAT "%%29", jane->user_id);

    g_assert_cmpuint (ba_test_server_request (f->server, "DELETE", encoded, jane->token,
                                              NULL, NULL, &body, NULL, NULL), ==, 200);
  }
  g_assert_cmpstr (body, ==, "");

  /* Everything of Jane's is gone from the database. */
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM user WHERE id = ?", jane->user_id), ==, 0);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM actor WHERE id = ?", jane->actor_id), ==, 0);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM api_key WHERE is_of__actor = ?", jane->actor_id), ==, 0);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM user_token WHERE user = ?", jane->user_id), ==, 0);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM user_profile WHERE id = ?", jane->user_id), ==, 0);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM organization WHERE id = ?", organization), ==, 0);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM organization_membership WHERE user = ?", jane->user_id), ==, 0);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM application WHERE organization = ?", organization), ==, 0);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM device WHERE uuid = 'jane-device-uuid' AND ?1 = ?1", 0), ==, 0);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM totp WHERE user = ?", jane->user_id), ==, 0);
  /* The foreign keys hold everywhere. */
  g_assert_cmpint (db_rows (f, "PRAGMA foreign_key_check"), ==, 0);

  /* Sam's rows are untouched. */
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM user WHERE id = ?", sam->user_id), ==, 1);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM api_key WHERE is_of__actor = ?", sam->actor_id), ==, 1);
  g_assert_cmpint (db_count (f, "SELECT count(*) FROM user_token WHERE user = ?", sam->user_id), ==, 1);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/actor/v1/whoami", sam_key,
                                            NULL, NULL, NULL, NULL, NULL), ==, 200);

  /* Jane's session, key and password are dead, and her email is free. */
  assert_session_dead (f, jane->token);
  assert_session_dead (f, jane_key);
  g_assert_cmpuint (login (f, "jane@example.com", PASSWORD), ==, 401);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (sign_up (f, "jane@example.com", "jane", PASSWORD, &body), ==, 200);
}

/* Every seeded demo user, the fleets' ones too, starts verified, so none
 * of them sees the "verify your email" notice; a new sign-up does not. */
static void
test_demo_users_verified (Fixture       *f,
                          gconstpointer  data)
{
  static const char * const usernames[] = { "demo", "amara", "bruno", "chen", "dana", "emeka" };
  g_autoptr(TestUser) jane = sign_up_user (f, "jane@example.com", NULL);
  g_autoptr(JsonObject) jane_profile = get_profile (f, jane);

  for (guint i = 0; i < G_N_ELEMENTS (usernames); i++)
    {
      g_autoptr(TestUser) user = test_user_login (f->server, usernames[i],
                                                  ba_test_server_get_demo_password (f->server));
      g_autoptr(JsonObject) profile = get_profile (f, user);

      g_test_message ("%s", usernames[i]);
      g_assert_true (json_object_get_boolean_member (profile, "is_verified"));
    }

  g_assert_false (json_object_get_boolean_member (jane_profile, "is_verified"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/ba/server/lifecycle/register", test_register);
  ADD ("/ba/server/lifecycle/register-errors", test_register_errors);
  ADD ("/ba/server/lifecycle/register-rate-limited", test_register_rate_limited);
  ADD ("/ba/server/lifecycle/verify", test_verify);
  ADD ("/ba/server/lifecycle/reset-enumeration", test_reset_enumeration);
  ADD ("/ba/server/lifecycle/reset", test_reset);
  ADD ("/ba/server/lifecycle/change-password", test_change_password);
  ADD ("/ba/server/lifecycle/set-password", test_set_password);
  ADD ("/ba/server/lifecycle/profile", test_profile);
  ADD ("/ba/server/lifecycle/delete", test_delete);
  ADD ("/ba/server/lifecycle/demo-users-verified", test_demo_users_verified);

#undef ADD

  return g_test_run ();
}
