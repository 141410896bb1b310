/* test-server-session.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-session"

#include "config.h"

#include <string.h>

#include "ba-jwt.h"
#include "ba-test-server.h"

/* Session tokens against a spawned server: whoami in both forms, how bad
 * tokens are treated (account-api.md sections 1.2, 4, 5 and 13), and
 * refresh-token. Bad tokens are forged with the server's real secret so
 * that only the one thing under test is wrong. */

#define WEEK (7 * 24 * 60 * 60)

typedef struct
{
  BaTestServer *server;
  char         *token;       /* a real session token of the demo user */
  gint64        user_id;
  char         *jwt_secret;  /* the demo user's jwt_secret claim */
  GBytes       *secret;      /* the server's signing secret */
} Fixture;

static JsonObject *
decode (const char *token)
{
  g_autoptr(GError) error = NULL;
  JsonObject *claims = ba_jwt_decode (token, NULL, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (claims);

  return claims;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autofree char *body = NULL;

  f->server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}",
                          ba_test_server_get_demo_username (f->server),
                          ba_test_server_get_demo_password (f->server));
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/login_", NULL,
                                            "application/json", body, &f->token,
                                            NULL, NULL), ==, 200);

  claims = decode (f->token);
  f->user_id = json_object_get_int_member (claims, "id");
  f->jwt_secret = g_strdup (json_object_get_string_member (claims, "jwt_secret"));
  f->secret = ba_test_server_get_jwt_secret (f->server);
  g_assert_nonnull (f->secret);
  g_assert_cmpuint (g_bytes_get_size (f->secret), ==, 32);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->server, ba_test_server_stop);
  g_clear_pointer (&f->token, g_free);
  g_clear_pointer (&f->jwt_secret, g_free);
  g_clear_pointer (&f->secret, g_bytes_unref);
}

typedef enum
{
  TWO_FACTOR_ABSENT,
  TWO_FACTOR_PENDING,
  TWO_FACTOR_PASSED,
} TwoFactor;

/* A token signed with the server's own secret. */
static char *
forge (Fixture    *f,
       const char *jwt_secret,
       gint64      auth_time,
       gint64      iat,
       gint64      exp,
       TwoFactor   two_factor)
{
  g_autoptr(JsonObject) claims = json_object_new ();

  json_object_set_int_member (claims, "id", f->user_id);
  json_object_set_string_member (claims, "jwt_secret", jwt_secret);
  json_object_set_int_member (claims, "authTime", auth_time);
  json_object_set_int_member (claims, "iat", iat);
  json_object_set_int_member (claims, "exp", exp);
  if (two_factor != TWO_FACTOR_ABSENT)
    json_object_set_boolean_member (claims, "twoFactorRequired",
                                    two_factor == TWO_FACTOR_PENDING);

  return ba_jwt_encode_hs256 (claims, g_bytes_get_data (f->secret, NULL),
                              g_bytes_get_size (f->secret));
}

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static char *
base64url (const char *text)
{
  char *encoded = g_base64_encode ((const guchar *) text, strlen (text));

  g_strdelimit (encoded, "+", '-');
  g_strdelimit (encoded, "/", '_');
  for (char *p = encoded; *p != '\0'; p++)
    if (*p == '=')
      {
        *p = '\0';
        break;
      }

  return encoded;
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
assert_anonymous (Fixture    *f,
                  const char *token)
{
  const char *paths[] = { "/user/v1/whoami", "/actor/v1/whoami", "/user/v1/refresh-token" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *body = NULL;

      g_assert_cmpuint (ba_test_server_request (f->server, "GET", paths[i], token, NULL, NULL,
                                                &body, NULL, NULL), ==, 401);
      g_assert_cmpstr (body, ==, "");
    }
}

static void
test_whoami (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *user_body = NULL;
  g_autofree char *actor_body = NULL;
  g_autofree char *content_type = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(JsonObject) actor = NULL;
  g_autoptr(GList) members = NULL;

  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/user/v1/whoami", f->token,
                                            NULL, NULL, &user_body,
                                            "Content-Type", &content_type), ==, 200);
  g_assert_true (g_str_has_prefix (content_type, "application/json"));
  user = parse_object (user_body);
  members = json_object_get_members (user);
  g_assert_cmpuint (g_list_length (members), ==, 3);
  g_assert_cmpint (json_object_get_int_member (user, "id"), ==, f->user_id);
  g_assert_cmpstr (json_object_get_string_member (user, "username"), ==,
                   ba_test_server_get_demo_username (f->server));
  g_assert_cmpstr (json_object_get_string_member (user, "email"), ==,
                   ba_test_server_get_demo_email (f->server));

  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/actor/v1/whoami", f->token,
                                            NULL, NULL, &actor_body, NULL, NULL), ==, 200);
  actor = parse_object (actor_body);
  g_assert_cmpstr (json_object_get_string_member (actor, "actorType"), ==, "user");
  g_assert_cmpint (json_object_get_int_member (actor, "actorTypeId"), ==, f->user_id);
  /* `id` is the actor id, and it must differ from the user id so that a
   * client mixing them up is caught. */
  g_assert_cmpint (json_object_get_int_member (actor, "id"), !=, f->user_id);
  g_assert_cmpint (json_object_get_int_member (actor, "id"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (actor, "username"), ==,
                   ba_test_server_get_demo_username (f->server));
  g_assert_cmpstr (json_object_get_string_member (actor, "email"), ==,
                   ba_test_server_get_demo_email (f->server));
}

static void
test_anonymous (Fixture       *f,
                gconstpointer  data)
{
  assert_anonymous (f, NULL);
  /* Not a JWT: would be an API key, and there is no such key. */
  assert_anonymous (f, "not-a-token");
  assert_anonymous (f, "a.b.c");
  assert_anonymous (f, "");
}

static void
test_expired (Fixture       *f,
              gconstpointer  data)
{
  gint64 iat = now_s () - WEEK - 60;
  g_autofree char *expired = forge (f, f->jwt_secret, iat * 1000, iat, iat + WEEK,
                                    TWO_FACTOR_ABSENT);
  g_autofree char *valid = forge (f, f->jwt_secret, iat * 1000, iat, now_s () + 60,
                                  TWO_FACTOR_ABSENT);

  /* The same forgery with a future exp is accepted, so exp is what fails. */
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/user/v1/whoami", valid,
                                            NULL, NULL, NULL, NULL, NULL), ==, 200);
  assert_anonymous (f, expired);
}

static void
test_tampered (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *bad_signature = g_strdup (f->token);
  g_auto(GStrv) parts = g_strsplit (f->token, ".", -1);
  g_autoptr(JsonObject) claims = decode (f->token);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *payload_json = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *bad_payload = NULL;
  g_autoptr(JsonObject) other_claims = NULL;
  g_autofree char *other_secret_token = NULL;
  guint8 other_secret[32];
  char *last;

  /* One character of the signature changed. */
  last = bad_signature + strlen (bad_signature) - 2;
  *last = *last == 'A' ? 'B' : 'A';
  assert_anonymous (f, bad_signature);

  /* The payload changed (a later expiry), the signature kept. */
  json_object_set_int_member (claims, "exp", now_s () + 10 * WEEK);
  json_node_set_object (node, claims);
  payload_json = json_to_string (node, FALSE);
  payload = base64url (payload_json);
  bad_payload = g_strjoin (".", parts[0], payload, parts[2], NULL);
  assert_anonymous (f, bad_payload);

  /* Correct claims signed with some other secret. */
  memset (other_secret, 7, sizeof other_secret);
  other_claims = decode (f->token);
  other_secret_token = ba_jwt_encode_hs256 (other_claims, other_secret, sizeof other_secret);
  assert_anonymous (f, other_secret_token);

  /* The untouched token still works. */
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/user/v1/whoami", f->token,
                                            NULL, NULL, NULL, NULL, NULL), ==, 200);
}

static void
test_alg_none (Fixture       *f,
               gconstpointer  data)
{
  g_auto(GStrv) parts = g_strsplit (f->token, ".", -1);
  g_autofree char *header = base64url ("{\"alg\":\"none\",\"typ\":\"JWT\"}");
  g_autofree char *unsigned_token = g_strjoin (".", header, parts[1], "", NULL);
  g_autofree char *kept_signature = g_strjoin (".", header, parts[1], parts[2], NULL);
  g_autofree char *hs512 = base64url ("{\"alg\":\"HS512\",\"typ\":\"JWT\"}");
  g_autofree char *hs512_token = g_strjoin (".", hs512, parts[1], parts[2], NULL);

  assert_anonymous (f, unsigned_token);
  assert_anonymous (f, kept_signature);
  assert_anonymous (f, hs512_token);
}

static void
test_stale_jwt_secret (Fixture       *f,
                       gconstpointer  data)
{
  gint64 now = now_s ();
  g_autofree char *stale = forge (f, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", now * 1000, now,
                                  now + WEEK, TWO_FACTOR_ABSENT);
  g_autofree char *current = forge (f, f->jwt_secret, now * 1000, now, now + WEEK,
                                    TWO_FACTOR_ABSENT);
  g_autoptr(JsonObject) claims = json_object_new ();
  g_autofree char *no_secret = NULL;

  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/user/v1/whoami", current,
                                            NULL, NULL, NULL, NULL, NULL), ==, 200);
  assert_anonymous (f, stale);

  /* A token without the claim at all. */
  json_object_set_int_member (claims, "id", f->user_id);
  json_object_set_int_member (claims, "authTime", now * 1000);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "exp", now + WEEK);
  no_secret = ba_jwt_encode_hs256 (claims, g_bytes_get_data (f->secret, NULL),
                                   g_bytes_get_size (f->secret));
  assert_anonymous (f, no_secret);
}

static void
test_unknown_user (Fixture       *f,
                   gconstpointer  data)
{
  gint64 now = now_s ();
  g_autofree char *token = NULL;

  f->user_id = 987654;
  token = forge (f, f->jwt_secret, now * 1000, now, now + WEEK, TWO_FACTOR_ABSENT);
  assert_anonymous (f, token);
}

static void
test_partial_token (Fixture       *f,
                    gconstpointer  data)
{
  gint64 now = now_s ();
  g_autofree char *pending = forge (f, f->jwt_secret, now * 1000, now, now + WEEK,
                                    TWO_FACTOR_PENDING);
  g_autofree char *passed = forge (f, f->jwt_secret, now * 1000 - 5000, now - 5, now + WEEK,
                                   TWO_FACTOR_PASSED);
  g_autofree char *refreshed = NULL;
  g_autoptr(JsonObject) claims = NULL;

  /* Waiting for the 2FA challenge is not a user yet. */
  assert_anonymous (f, pending);

  /* A passed challenge is a full user, and refresh keeps the claim. */
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/actor/v1/whoami", passed,
                                            NULL, NULL, NULL, NULL, NULL), ==, 200);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/user/v1/refresh-token", passed,
                                            NULL, NULL, &refreshed, NULL, NULL), ==, 200);
  claims = decode (refreshed);
  g_assert_true (json_object_has_member (claims, "twoFactorRequired"));
  g_assert_false (json_object_get_boolean_member (claims, "twoFactorRequired"));
  g_assert_cmpint (json_object_get_int_member (claims, "authTime"), ==, now * 1000 - 5000);
}

/* An old session: logged in an hour ago, token issued then. */
static char *
hour_old_token (Fixture *f,
                gint64  *out_auth_time)
{
  gint64 iat = now_s () - 3600;

  *out_auth_time = iat * 1000 + 123;
  return forge (f, f->jwt_secret, *out_auth_time, iat, iat + WEEK, TWO_FACTOR_ABSENT);
}

static void
assert_refreshed (const char *old_token,
                  const char *new_token,
                  gint64      auth_time_min,
                  gint64      auth_time_max)
{
  g_autoptr(JsonObject) old_claims = decode (old_token);
  g_autoptr(JsonObject) new_claims = decode (new_token);
  g_autoptr(GList) members = json_object_get_members (new_claims);
  gint64 iat = json_object_get_int_member (new_claims, "iat");

  g_assert_cmpuint (g_list_length (members), ==, 5);
  g_assert_cmpint (json_object_get_int_member (new_claims, "id"), ==,
                   json_object_get_int_member (old_claims, "id"));
  g_assert_cmpstr (json_object_get_string_member (new_claims, "jwt_secret"), ==,
                   json_object_get_string_member (old_claims, "jwt_secret"));
  g_assert_cmpint (iat, >=, now_s () - 5);
  g_assert_cmpint (json_object_get_int_member (new_claims, "exp"), ==, iat + WEEK);
  g_assert_cmpint (json_object_get_int_member (new_claims, "exp"), >,
                   json_object_get_int_member (old_claims, "exp"));
  g_assert_cmpint (json_object_get_int_member (new_claims, "authTime"), >=, auth_time_min);
  g_assert_cmpint (json_object_get_int_member (new_claims, "authTime"), <=, auth_time_max);
}

static void
test_refresh_get (Fixture       *f,
                  gconstpointer  data)
{
  gint64 auth_time;
  g_autofree char *old_token = hour_old_token (f, &auth_time);
  g_autofree char *new_token = NULL;
  g_autofree char *content_type = NULL;

  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/user/v1/refresh-token", old_token,
                                            NULL, NULL, &new_token,
                                            "Content-Type", &content_type), ==, 200);
  g_assert_true (g_str_has_prefix (content_type, "text/plain"));
  assert_refreshed (old_token, new_token, auth_time, auth_time);

  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/user/v1/whoami", new_token,
                                            NULL, NULL, NULL, NULL, NULL), ==, 200);
}

static void
test_refresh_post_without_password (Fixture       *f,
                                    gconstpointer  data)
{
  gint64 auth_time;
  g_autofree char *old_token = hour_old_token (f, &auth_time);
  g_autofree char *token1 = NULL;
  g_autofree char *token2 = NULL;

  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/user/v1/refresh-token", old_token,
                                            NULL, NULL, &token1, NULL, NULL), ==, 200);
  assert_refreshed (old_token, token1, auth_time, auth_time);

  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/user/v1/refresh-token", old_token,
                                            "application/json", "{}", &token2, NULL, NULL), ==, 200);
  assert_refreshed (old_token, token2, auth_time, auth_time);
}

static void
test_refresh_with_password (Fixture       *f,
                            gconstpointer  data)
{
  gint64 auth_time;
  g_autofree char *old_token = hour_old_token (f, &auth_time);
  g_autofree char *body = g_strdup_printf ("{\"password\":\"%s\"}",
                                           ba_test_server_get_demo_password (f->server));
  g_autofree char *new_token = NULL;
  gint64 before = g_get_real_time () / 1000;

  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/user/v1/refresh-token", old_token,
                                            "application/json", body, &new_token, NULL, NULL), ==, 200);
  assert_refreshed (old_token, new_token, before, g_get_real_time () / 1000);
}

static void
test_refresh_failures (Fixture       *f,
                       gconstpointer  data)
{
  gint64 auth_time;
  g_autofree char *old_token = hour_old_token (f, &auth_time);
  const struct {
    const char *body;
    guint       status;
  } cases[] = {
    { "{\"password\":\"wrong-password\"}", 401 },
    { "{\"password\":\"\"}", 401 },
    { "{\"password\":42}", 400 },
    { "{\"password\":", 400 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *body = NULL;

      g_test_message ("case %u: %s", i, cases[i].body);
      g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/user/v1/refresh-token",
                                                old_token, "application/json", cases[i].body,
                                                &body, NULL, NULL), ==, cases[i].status);
      g_assert_cmpstr (body, ==, "");
    }

  /* Anonymous, with or without a password. */
  g_assert_cmpuint (ba_test_server_request (f->server, "POST", "/user/v1/refresh-token", NULL,
                                            "application/json", "{\"password\":\"x\"}",
                                            NULL, NULL, NULL), ==, 401);
  g_assert_cmpuint (ba_test_server_request (f->server, "GET", "/user/v1/refresh-token", NULL,
                                            NULL, NULL, NULL, NULL, NULL), ==, 401);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/ba/server/session/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("whoami", test_whoami);
  ADD ("anonymous", test_anonymous);
  ADD ("expired", test_expired);
  ADD ("tampered", test_tampered);
  ADD ("alg-none", test_alg_none);
  ADD ("stale-jwt-secret", test_stale_jwt_secret);
  ADD ("unknown-user", test_unknown_user);
  ADD ("partial-token", test_partial_token);
  ADD ("refresh-get", test_refresh_get);
  ADD ("refresh-post-without-password", test_refresh_post_without_password);
  ADD ("refresh-with-password", test_refresh_with_password);
  ADD ("refresh-failures", test_refresh_failures);

#undef ADD

  return g_test_run ();
}
