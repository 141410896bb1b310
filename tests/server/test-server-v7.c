/* test-server-v7.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-v7"

#include "config.h"

#include <string.h>

#include <sodium.h>

#include "api-key-test-util.h"
#include "ba-server-auth.h"
#include "ba-server-store.h"

/* The /v7/ OData routes against a spawned server with two users, A (the
 * demo user) and B: what each may read, rename and revoke, the queries
 * balena-cli and balena-sdk send, the response shapes of account-api.md
 * section 1.3, and hostile queries.
 *
 * B is created through the server's own store while the server is
 * stopped (registration is a later issue), then the server restarts on
 * the same data dir. A also gets a legacy unnamed key the same way, which
 * the CLI's "name ne null" filter must leave out. */

#define BOB_PASSWORD "bob-password-1"
#define LEGACY_KEY   "LegacyKeyLegacyKeyLegacyKey00001"

typedef struct
{
  BaTestServer *first;   /* owns the data dir */
  BaTestServer *server;  /* the restarted process */
  TestUser     *a;
  TestUser     *b;
  gint64        a_alpha; /* ids of some keys */
  gint64        a_zeta;
  gint64        b_alpha;
  gint64        b_bobkey;
  char         *b_key;   /* a key of B's, to use as a credential */
} Fixture;

static void
add_users (const char *data_dir)
{
  g_autofree char *db_path = g_build_filename (data_dir, "server.db", NULL);
  g_autoptr(BaServerStore) store = NULL;
  g_autoptr(BaServerUser) demo = NULL;
  g_autoptr(BaServerUser) bob = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *jwt_secret = ba_server_auth_new_jwt_secret ();
  g_autofree char *legacy_hash = ba_server_auth_hash_api_key (LEGACY_KEY);
  char hash[crypto_pwhash_STRBYTES];

  g_assert_cmpint (sodium_init (), >=, 0);
  g_assert_cmpint (crypto_pwhash_str (hash, BOB_PASSWORD, strlen (BOB_PASSWORD),
                                      crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                      crypto_pwhash_MEMLIMIT_INTERACTIVE), ==, 0);

  store = ba_server_store_open (db_path, &error);
  g_assert_no_error (error);
  bob = ba_server_store_create_user (store, "bob", "bob@example.com", hash, jwt_secret, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bob);

  demo = ba_server_store_find_user_by_username (store, "demo", &error);
  g_assert_no_error (error);
  g_assert_nonnull (demo);
  g_assert_cmpint (ba_server_store_create_api_key (store, demo->actor_id, legacy_hash,
                                                   NULL, NULL, NULL, &error), >, 0);
  g_assert_no_error (error);
}

static gint64
key_id (Fixture    *f,
        TestUser   *user,
        const char *name)
{
  g_autoptr(JsonObject) row = test_find_key_by_name (f->server, user->token, name);

  g_assert_nonnull (row);
  return json_object_get_int_member (row, "id");
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->first = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (ba_test_server_terminate (f->first, &error));
  g_assert_no_error (error);

  add_users (ba_test_server_get_data_dir (f->first));

  f->server = ba_test_server_start_in (ba_test_server_get_data_dir (f->first), TRUE, &error);
  g_assert_no_error (error);

  f->a = test_user_login (f->server, ba_test_server_get_demo_username (f->server),
                          ba_test_server_get_demo_password (f->server));
  f->b = test_user_login (f->server, "bob", BOB_PASSWORD);
  g_assert_cmpint (f->a->actor_id, !=, f->b->actor_id);

  g_free (test_create_api_key (f->server, f->a->token, "zeta", "null", "null"));
  g_free (test_create_api_key (f->server, f->a->token, "alpha", "\"it's mine\"", "null"));
  g_free (test_create_api_key (f->server, f->a->token, "mid", "null", "\"2099-06-01T00:00:00Z\""));
  f->b_key = test_create_api_key (f->server, f->b->token, "bobkey", "null", "null");
  g_free (test_create_api_key (f->server, f->b->token, "alpha", "\"bob's\"", "null"));

  f->a_alpha = key_id (f, f->a, "alpha");
  f->a_zeta = key_id (f, f->a, "zeta");
  f->b_alpha = key_id (f, f->b, "alpha");
  f->b_bobkey = key_id (f, f->b, "bobkey");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->server, ba_test_server_stop);
  g_clear_pointer (&f->first, ba_test_server_stop);
  g_clear_pointer (&f->a, test_user_free);
  g_clear_pointer (&f->b, test_user_free);
  g_clear_pointer (&f->b_key, g_free);
}

/* @query with spaces as %20, the way pinejs-client sends it. */
static char *
encode (const char *path_and_query)
{
  g_autoptr(GString) out = g_string_new (path_and_query);

  g_string_replace (out, " ", "%20", 0);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static JsonArray *
get_d (Fixture    *f,
       const char *token,
       const char *path_and_query)
{
  g_autofree char *encoded = encode (path_and_query);

  return test_get_d (f->server, token, encoded);
}

static guint
request (Fixture     *f,
         const char  *method,
         const char  *path_and_query,
         const char  *token,
         const char  *body,
         char       **out_body)
{
  g_autofree char *encoded = encode (path_and_query);

  return ba_test_server_request (f->server, method, encoded, token,
                                 body != NULL ? "application/json" : NULL, body,
                                 out_body, NULL, NULL);
}

static char *
names_of (JsonArray *rows)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      if (i > 0)
        g_string_append_c (out, ',');
      if (json_object_get_null_member (row, "name"))
        g_string_append (out, "(null)");
      else
        g_string_append (out, json_object_get_string_member (row, "name"));
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
assert_no_secret (JsonArray *rows)
{
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      g_assert_false (json_object_has_member (row, "key"));
      g_assert_false (json_object_has_member (row, "key_hash"));
    }
}

static void
test_cli_list (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *names = NULL;
  g_autoptr(JsonArray) rows = NULL;
  const char *expected_members[] = { "id", "created_at", "name", "description", "expiry_date" };

  /* Exactly what balena-cli's `api-key list` sends (section 6). */
  path = g_strdup_printf ("/v7/api_key?$select=id,created_at,name,description,expiry_date"
                          "&$filter=is_of__actor eq %" G_GINT64_FORMAT " and name ne null"
                          "&$orderby=name asc", f->a->actor_id);
  rows = get_d (f, f->a->token, path);
  names = names_of (rows);
  g_assert_cmpstr (names, ==, "alpha,mid,zeta");

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      g_autoptr(GList) members = json_object_get_members (row);

      g_assert_cmpuint (g_list_length (members), ==, G_N_ELEMENTS (expected_members));
      for (guint m = 0; m < G_N_ELEMENTS (expected_members); m++)
        g_assert_true (json_object_has_member (row, expected_members[m]));
    }

  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0),
                                                  "description"), ==, "it's mine");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 1),
                                                  "expiry_date"), ==, "2099-06-01T00:00:00.000Z");

  /* The same list as B, through B's API key: only B's. */
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&names, g_free);
  g_clear_pointer (&rows, json_array_unref);
  path = g_strdup_printf ("/v7/api_key?$select=id,created_at,name,description,expiry_date"
                          "&$filter=is_of__actor eq %" G_GINT64_FORMAT " and name ne null"
                          "&$orderby=name asc", f->b->actor_id);
  rows = get_d (f, f->b_key, path);
  names = names_of (rows);
  g_assert_cmpstr (names, ==, "alpha,bobkey");
}

static void
test_default_shape (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(JsonArray) rows = NULL;
  g_autoptr(JsonArray) select_all = NULL;
  g_autofree char *names = NULL;
  JsonObject *row;

  /* No $select: every readable field, the foreign key as {"__id":N},
   * the unnamed legacy key included, in id order. */
  rows = get_d (f, f->a->token, "/v7/api_key");
  names = names_of (rows);
  g_assert_cmpstr (names, ==, "(null),zeta,alpha,mid");
  assert_no_secret (rows);

  row = json_array_get_object_element (rows, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (row, "is_of__actor"),
                                               "__id"), ==, f->a->actor_id);
  g_assert_true (json_object_has_member (row, "created_at"));
  g_assert_true (json_object_get_null_member (row, "description"));

  select_all = get_d (f, f->a->token, "/v7/api_key?$select=*");
  g_assert_cmpuint (json_array_get_length (select_all), ==, 4);
  assert_no_secret (select_all);

  /* The legacy key authenticates like any other. */
  g_assert_cmpuint (request (f, "GET", "/user/v1/whoami", LEGACY_KEY, NULL, NULL), ==, 200);
}

static void
test_hidden_key (Fixture       *f,
                 gconstpointer  data)
{
  const char *queries[] = {
    "/v7/api_key?$select=key",
    "/v7/api_key?$select=id,key",
    "/v7/api_key?$select=key_hash",
    "/v7/api_key?$filter=key eq 'x'",
    "/v7/api_key?$filter=startswith(key,'a')",
    "/v7/api_key?$orderby=key asc",
    "/v7/user?$expand=actor",
  };
  g_autofree char *by_key = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (queries) - 1; i++)
    {
      g_autofree char *body = NULL;
      g_autoptr(JsonNode) node = NULL;

      g_test_message ("%s", queries[i]);
      g_assert_cmpuint (request (f, "GET", queries[i], f->a->token, NULL, &body), ==, 400);
      node = test_parse_json (body);
      g_assert_true (json_node_get_value_type (node) == G_TYPE_STRING);
      g_assert_cmpstr (json_node_get_string (node), !=, "");
    }

  /* Not even a user's own key, looked up by its value, matches. */
  by_key = g_strdup_printf ("/v7/api_key?$filter=key eq '%s'", f->b_key);
  g_assert_cmpuint (request (f, "GET", by_key, f->b->token, NULL, NULL), ==, 400);

  /* The user resource has no email (balenaCloud's v7 model) and no
   * password hash or jwt_secret. */
  {
    g_autoptr(JsonArray) users = get_d (f, f->b->token, "/v7/user");
    JsonObject *user = json_array_get_object_element (users, 0);
    g_autoptr(GList) members = json_object_get_members (user);

    g_assert_cmpuint (json_array_get_length (users), ==, 1);
    g_assert_cmpuint (g_list_length (members), ==, 4);
    g_assert_cmpint (json_object_get_int_member (user, "id"), ==, f->b->user_id);
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (user, "actor"), "__id"),
                     ==, f->b->actor_id);
    g_assert_cmpstr (json_object_get_string_member (user, "username"), ==, f->b->username);
    g_assert_true (json_object_has_member (user, "created_at"));
  }
  {
    g_autofree char *body = NULL;

    g_assert_cmpuint (request (f, "GET", "/v7/user?$select=email", f->a->token, NULL, &body), ==, 400);
    g_clear_pointer (&body, g_free);
    g_assert_cmpuint (request (f, "GET", "/v7/user?$select=jwt_secret", f->a->token, NULL, &body), ==, 400);
  }
}

static void
test_options (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *one = NULL;
  g_autofree char *count = NULL;
  g_autofree char *names = NULL;
  g_autoptr(JsonArray) rows = NULL;

  /* /$count, with and without a filter. */
  g_assert_cmpuint (request (f, "GET", "/v7/api_key/$count", f->a->token, NULL, &count), ==, 200);
  g_assert_cmpstr (count, ==, "{\"d\":4}");
  g_clear_pointer (&count, g_free);
  g_assert_cmpuint (request (f, "GET", "/v7/api_key/$count?$filter=name ne null", f->a->token,
                             NULL, &count), ==, 200);
  g_assert_cmpstr (count, ==, "{\"d\":3}");
  g_clear_pointer (&count, g_free);
  g_assert_cmpuint (request (f, "GET", "/v7/api_key/$count", f->b->token, NULL, &count), ==, 200);
  g_assert_cmpstr (count, ==, "{\"d\":2}");

  /* A key: a one-element array. */
  one = g_strdup_printf ("/v7/api_key(%" G_GINT64_FORMAT ")?$select=name", f->a_alpha);
  rows = get_d (f, f->a->token, one);
  names = names_of (rows);
  g_assert_cmpstr (names, ==, "alpha");
  g_clear_pointer (&rows, json_array_unref);
  g_clear_pointer (&names, g_free);

  /* $orderby desc, $top and $skip. */
  rows = get_d (f, f->a->token, "/v7/api_key?$select=name&$filter=name ne null"
                                "&$orderby=name desc&$top=2&$skip=1");
  names = names_of (rows);
  g_assert_cmpstr (names, ==, "mid,alpha");
  g_clear_pointer (&rows, json_array_unref);
  g_clear_pointer (&names, g_free);

  /* Filters on dates, strings with doubled quotes, functions, or/not. */
  rows = get_d (f, f->a->token, "/v7/api_key?$select=name"
                                "&$filter=expiry_date gt datetime'2050-01-01T00:00:00Z'");
  names = names_of (rows);
  g_assert_cmpstr (names, ==, "mid");
  g_clear_pointer (&rows, json_array_unref);
  g_clear_pointer (&names, g_free);

  rows = get_d (f, f->a->token, "/v7/api_key?$select=name"
                                "&$filter=description eq 'it''s mine' or (not (name ne 'zeta'))"
                                "&$orderby=name asc");
  names = names_of (rows);
  g_assert_cmpstr (names, ==, "alpha,zeta");
  g_clear_pointer (&rows, json_array_unref);
  g_clear_pointer (&names, g_free);

  rows = get_d (f, f->a->token, "/v7/api_key?$select=name&$filter=startswith(name,'z')");
  names = names_of (rows);
  g_assert_cmpstr (names, ==, "zeta");
  g_clear_pointer (&rows, json_array_unref);
  g_clear_pointer (&names, g_free);

  /* Navigation through is_of__actor and $expand of the actor. */
  rows = get_d (f, f->a->token, "/v7/api_key?$select=name,is_of__actor&$expand=is_of__actor"
                                "&$filter=is_of__actor/id gt 0 and name eq 'zeta'");
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  {
    JsonNode *actor = json_object_get_member (json_array_get_object_element (rows, 0), "is_of__actor");

    g_assert_true (JSON_NODE_HOLDS_ARRAY (actor));
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_node_get_array (actor), 0),
                                                 "id"), ==, f->a->actor_id);
  }

  /* A trailing slash names the same resource; HEAD answers like GET. */
  g_clear_pointer (&rows, json_array_unref);
  rows = get_d (f, f->a->token, "/v7/api_key/");
  g_assert_cmpuint (json_array_get_length (rows), ==, 4);
  g_assert_cmpuint (request (f, "HEAD", "/v7/api_key", f->a->token, NULL, NULL), ==, 200);
}

static void
test_read_permissions (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *by_actor = NULL;
  g_autofree char *by_id = NULL;
  g_autofree char *by_key = NULL;
  g_autofree char *by_nav = NULL;
  g_autofree char *b_user = NULL;
  g_autofree char *b_actor = NULL;
  g_autofree char *count = NULL;
  g_autofree char *count_path = NULL;
  const char *credentials[2];

  /* Through A's session token and through an API key of A's. */
  credentials[0] = f->a->token;
  credentials[1] = LEGACY_KEY;

  by_actor = g_strdup_printf ("/v7/api_key?$filter=is_of__actor eq %" G_GINT64_FORMAT, f->b->actor_id);
  by_id = g_strdup_printf ("/v7/api_key?$filter=id eq %" G_GINT64_FORMAT " or id eq %" G_GINT64_FORMAT,
                           f->b_alpha, f->b_bobkey);
  by_key = g_strdup_printf ("/v7/api_key(%" G_GINT64_FORMAT ")", f->b_bobkey);
  by_nav = g_strdup_printf ("/v7/api_key?$filter=is_of__actor/id eq %" G_GINT64_FORMAT, f->b->actor_id);
  b_user = g_strdup_printf ("/v7/user(%" G_GINT64_FORMAT ")", f->b->user_id);
  b_actor = g_strdup_printf ("/v7/actor(%" G_GINT64_FORMAT ")", f->b->actor_id);
  count_path = g_strdup_printf ("/v7/api_key/$count?$filter=is_of__actor eq %" G_GINT64_FORMAT,
                                f->b->actor_id);

  for (guint c = 0; c < G_N_ELEMENTS (credentials); c++)
    {
      const char *hidden[] = { by_actor, by_id, by_key, by_nav, b_user, b_actor,
                               "/v7/api_key?$filter=name eq 'bobkey'",
                               "/v7/user?$filter=username eq 'bob'" };

      for (guint i = 0; i < G_N_ELEMENTS (hidden); i++)
        {
          g_autoptr(JsonArray) rows = get_d (f, credentials[c], hidden[i]);

          g_test_message ("%s", hidden[i]);
          g_assert_cmpuint (json_array_get_length (rows), ==, 0);
        }

      g_clear_pointer (&count, g_free);
      g_assert_cmpuint (request (f, "GET", count_path, credentials[c], NULL, &count), ==, 200);
      g_assert_cmpstr (count, ==, "{\"d\":0}");
    }

  /* ?apikey= reads the same as the header. */
  {
    g_autoptr(JsonArray) rows = get_d (f, NULL, "/v7/api_key?apikey=" LEGACY_KEY "&$filter=name ne null");

    g_assert_cmpuint (json_array_get_length (rows), ==, 3);
  }

  /* Only oneself among users and actors (B shares no organization or
   * fleet with anyone; A shares the demo fleets with other users). */
  {
    g_autoptr(JsonArray) users = get_d (f, f->b->token, "/v7/user");
    g_autoptr(JsonArray) actors = get_d (f, f->a->token, "/v7/actor");

    g_assert_cmpuint (json_array_get_length (users), ==, 1);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (users, 0), "id"),
                     ==, f->b->user_id);
    g_assert_cmpuint (json_array_get_length (actors), ==, 1);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (actors, 0), "id"),
                     ==, f->a->actor_id);
  }

  /* "alpha" exists for both; each sees only their own. */
  {
    g_autoptr(JsonArray) mine = get_d (f, f->b->token, "/v7/api_key?$filter=name eq 'alpha'");

    g_assert_cmpuint (json_array_get_length (mine), ==, 1);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (mine, 0), "id"),
                     ==, f->b_alpha);
  }
}

static void
test_anonymous (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *partial = NULL;
  g_autoptr(JsonArray) keys = NULL;
  const char *paths[] = { "/v7/api_key", "/v7/api_key/$count", "/v7/user", "/v7/actor",
                          "/v7/api_key(1)" };
  const char *credentials[4] = { NULL, "not-a-key", "a.b.c", NULL };

  /* Guests may read no api_key, user or actor rows, and we answer that
   * with 401 rather than an empty 200 (section 13 allows both). */
  partial = test_user_forge_token (f->server, f->a, g_get_real_time () / 1000, TRUE);
  credentials[3] = partial;

  for (guint c = 0; c < G_N_ELEMENTS (credentials); c++)
    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_autofree char *body = NULL;

        g_assert_cmpuint (request (f, "GET", paths[i], credentials[c], NULL, &body), ==, 401);
        g_assert_cmpstr (body, ==, "");
      }

  for (guint c = 0; c < G_N_ELEMENTS (credentials); c++)
    {
      g_autofree char *path = g_strdup_printf ("/v7/api_key(%" G_GINT64_FORMAT ")", f->a_zeta);

      g_assert_cmpuint (request (f, "PATCH", path, credentials[c], "{\"name\":\"x\"}", NULL), ==, 401);
      g_assert_cmpuint (request (f, "DELETE", path, credentials[c], NULL, NULL), ==, 401);
    }

  keys = get_d (f, f->a->token, "/v7/api_key");
  g_assert_cmpuint (json_array_get_length (keys), ==, 4);
}

static void
test_patch (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *path = g_strdup_printf ("/v7/api_key(%" G_GINT64_FORMAT ")", f->a_zeta);
  g_autofree char *body = NULL;
  g_autofree char *name51 = g_strnfill (51, 'n');
  g_autofree char *name50 = g_strnfill (50, 'n');
  g_autofree char *desc151 = g_strnfill (151, 'd');
  g_autofree char *long_name = g_strdup_printf ("{\"name\":\"%s\"}", name51);
  g_autofree char *ok_name = g_strdup_printf ("{\"name\":\"%s\"}", name50);
  g_autofree char *long_desc = g_strdup_printf ("{\"description\":\"%s\"}", desc151);
  g_autoptr(JsonObject) row = NULL;
  const struct {
    const char *body;
    const char *message;
  } bad[] = {
    { "{\"name\":\"\"}", NULL },
    { "{\"name\":null}", NULL },
    { "{\"name\":7}", NULL },
    { "{\"description\":false}", NULL },
    { "not json", NULL },
    { long_name, "It is necessary that each api key that has a name, has a name that has a "
                 "Length (Type) that is less than or equal to 50." },
    { long_desc, "It is necessary that each api key that has a description, has a description "
                 "that has a Length (Type) that is less than or equal to 150." },
    { "{\"expiry_date\":\"soon\"}", "Key expiry date should be a valid date" },
    { "{\"is_of__actor\":1}", "'is_of__actor' of 'api_key' cannot be changed" },
    { "{\"key\":\"mine\"}", "'key' of 'api_key' cannot be changed" },
    { "{\"id\":99}", "'id' of 'api_key' cannot be changed" },
  };

  /* All three fields at once: 200 with an empty body (section 1.3). */
  g_assert_cmpuint (request (f, "PATCH", path, f->a->token,
                             "{\"name\":\"omega\",\"description\":\"renamed\","
                             "\"expiry_date\":\"2040-05-06T07:08:09.010Z\"}", &body), ==, 200);
  g_assert_cmpstr (body, ==, "");
  row = test_find_key_by_name (f->server, f->a->token, "omega");
  g_assert_nonnull (row);
  g_assert_cmpint (json_object_get_int_member (row, "id"), ==, f->a_zeta);
  g_assert_cmpstr (json_object_get_string_member (row, "description"), ==, "renamed");
  g_assert_cmpstr (json_object_get_string_member (row, "expiry_date"), ==, "2040-05-06T07:08:09.010Z");
  g_clear_pointer (&row, json_object_unref);

  /* One field leaves the others alone; null clears a description. */
  g_assert_cmpuint (request (f, "PATCH", path, f->a->token, "{\"description\":null}", NULL), ==, 200);
  row = test_find_key_by_name (f->server, f->a->token, "omega");
  g_assert_true (json_object_get_null_member (row, "description"));
  g_assert_cmpstr (json_object_get_string_member (row, "expiry_date"), ==, "2040-05-06T07:08:09.010Z");
  g_clear_pointer (&row, json_object_unref);

  /* An empty object changes nothing and succeeds. */
  g_assert_cmpuint (request (f, "PATCH", path, f->a->token, "{}", NULL), ==, 200);
  g_assert_cmpuint (request (f, "PATCH", path, f->a->token, ok_name, NULL), ==, 200);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *answer = NULL;

      g_test_message ("PATCH %s", bad[i].body);
      g_assert_cmpuint (request (f, "PATCH", path, f->a->token, bad[i].body, &answer), ==, 400);
      if (bad[i].message == NULL)
        g_assert_cmpstr (answer, ==, "");
      else
        test_assert_json_string (answer, bad[i].message);
    }

  /* None of the failures changed anything. */
  row = test_find_key_by_name (f->server, f->a->token, name50);
  g_assert_nonnull (row);
  g_assert_cmpint (json_object_get_int_member (row, "id"), ==, f->a_zeta);
  g_clear_pointer (&row, json_object_unref);

  /* A key that does not exist is the same 401 as someone else's. */
  g_assert_cmpuint (request (f, "PATCH", "/v7/api_key(999999)", f->a->token, "{\"name\":\"x\"}",
                             NULL), ==, 401);

  /* A filtered PATCH changes every own key it matches. */
  g_assert_cmpuint (request (f, "PATCH", "/v7/api_key?$filter=name eq 'alpha' or name eq 'mid'",
                             f->a->token, "{\"description\":\"bulk\"}", NULL), ==, 200);
  {
    g_autoptr(JsonArray) rows = get_d (f, f->a->token, "/v7/api_key?$filter=description eq 'bulk'");

    g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  }
}

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *path = g_strdup_printf ("/v7/api_key(%" G_GINT64_FORMAT ")", f->a_alpha);
  g_autofree char *b_path = g_strdup_printf ("/v7/api_key(%" G_GINT64_FORMAT ")", f->b_bobkey);
  g_autofree char *body = NULL;
  g_autofree char *names = NULL;
  g_autoptr(JsonArray) rows = NULL;

  g_assert_cmpuint (request (f, "DELETE", path, f->a->token, NULL, &body), ==, 200);
  g_assert_cmpstr (body, ==, "");
  rows = get_d (f, f->a->token, "/v7/api_key?$filter=name ne null&$orderby=name asc");
  names = names_of (rows);
  g_assert_cmpstr (names, ==, "mid,zeta");

  /* Gone means gone: again is a 401. */
  g_assert_cmpuint (request (f, "DELETE", path, f->a->token, NULL, NULL), ==, 401);

  /* A revoked key stops working at once. */
  g_assert_cmpuint (request (f, "GET", "/user/v1/whoami", f->b_key, NULL, NULL), ==, 200);
  g_assert_cmpuint (request (f, "DELETE", b_path, f->b->token, NULL, NULL), ==, 200);
  g_assert_cmpuint (request (f, "GET", "/user/v1/whoami", f->b_key, NULL, NULL), ==, 401);

  /* DELETE with a $filter removes what it matches among one's own. */
  g_assert_cmpuint (request (f, "DELETE", "/v7/api_key?$filter=name eq null", f->a->token, NULL, NULL), ==, 200);
  g_assert_cmpuint (request (f, "GET", "/user/v1/whoami", LEGACY_KEY, NULL, NULL), ==, 401);
  g_clear_pointer (&rows, json_array_unref);
  rows = get_d (f, f->a->token, "/v7/api_key");
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
}

static void
test_write_permissions (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *b_path = g_strdup_printf ("/v7/api_key(%" G_GINT64_FORMAT ")", f->b_alpha);
  g_autofree char *b_filter = g_strdup_printf ("/v7/api_key?$filter=is_of__actor eq %" G_GINT64_FORMAT,
                                               f->b->actor_id);
  g_autofree char *names = NULL;
  g_autoptr(JsonArray) rows = NULL;

  /* By id: 401, nothing changed. */
  g_assert_cmpuint (request (f, "PATCH", b_path, f->a->token, "{\"name\":\"stolen\"}", NULL), ==, 401);
  g_assert_cmpuint (request (f, "DELETE", b_path, f->a->token, NULL, NULL), ==, 401);

  /* By filter: matches none of B's rows, so nothing changes (200, as a
   * filter that matches nothing is not an error). */
  g_assert_cmpuint (request (f, "PATCH", b_filter, f->a->token, "{\"name\":\"stolen\"}", NULL), ==, 200);
  g_assert_cmpuint (request (f, "DELETE", b_filter, f->a->token, NULL, NULL), ==, 200);
  g_assert_cmpuint (request (f, "DELETE", "/v7/api_key?$filter=name eq 'bobkey'", f->a->token,
                             NULL, NULL), ==, 200);

  /* B's keys are as they were, and B's key still works. */
  rows = get_d (f, f->b->token, "/v7/api_key?$select=name&$orderby=name asc");
  names = names_of (rows);
  g_assert_cmpstr (names, ==, "alpha,bobkey");
  g_assert_cmpuint (request (f, "GET", "/user/v1/whoami", f->b_key, NULL, NULL), ==, 200);

  /* A's own "alpha" is untouched too: the filter was B's actor. */
  g_clear_pointer (&rows, json_array_unref);
  g_clear_pointer (&names, g_free);
  rows = get_d (f, f->a->token, "/v7/api_key?$select=name&$filter=name ne null&$orderby=name asc");
  names = names_of (rows);
  g_assert_cmpstr (names, ==, "alpha,mid,zeta");

  /* Users and actors are read-only over OData (test-server-lifecycle
   * covers resending the verification mail and deleting one's own
   * account, the two writes there are). */
  {
    g_autofree char *user_path = g_strdup_printf ("/v7/user(%" G_GINT64_FORMAT ")", f->a->user_id);
    g_autofree char *other_path = g_strdup_printf ("/v7/user(%" G_GINT64_FORMAT ")", f->b->user_id);

    g_assert_cmpuint (request (f, "PATCH", user_path, f->a->token, "{\"username\":\"x\"}", NULL), ==, 400);
    g_assert_cmpuint (request (f, "PATCH", other_path, f->a->token, "{\"username\":\"x\"}", NULL), ==, 401);
    g_assert_cmpuint (request (f, "DELETE", other_path, f->a->token, NULL, NULL), ==, 400);
    g_assert_cmpuint (request (f, "PATCH", "/v7/actor(1)", f->a->token, "{\"id\":2}", NULL), ==, 401);
    g_assert_cmpuint (request (f, "POST", "/v7/user", f->a->token, "{\"username\":\"x\"}", NULL), ==, 401);
  }

  /* POST /v7/api_key is refused even with a fresh session token. */
  {
    g_autofree char *body = NULL;

    g_assert_cmpuint (request (f, "POST", "/v7/api_key", f->a->token, "{\"name\":\"odata\"}", &body), ==, 401);
    g_assert_cmpstr (body, ==, "");
    g_assert_null (test_find_key_by_name (f->server, f->a->token, "odata"));
  }
}

static void
test_routing (Fixture       *f,
              gconstpointer  data)
{
  const char *missing[] = { "/v7/nope", "/v7/", "/v7", "/v7/api_keys",
                            "/v6/api_key", "/resin/api_key", "/v7/nope(1)" };
  g_autofree char *allow = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (missing); i++)
    {
      g_autofree char *body = NULL;

      g_assert_cmpuint (request (f, "GET", missing[i], f->a->token, NULL, &body), ==, 404);
      g_assert_cmpstr (body, ==, "");
    }

  g_assert_cmpuint (ba_test_server_request (f->server, "PUT", "/v7/api_key(1)", f->a->token,
                                            "application/json", "{}", NULL, "Allow", &allow), ==, 405);
  g_assert_cmpstr (allow, ==, "GET, HEAD, POST, PATCH, DELETE");
}

static void
test_hostile (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *deep = NULL;
  g_autofree char *deep_query = NULL;
  g_autofree char *huge_literal = NULL;
  g_autofree char *huge_query = NULL;
  g_autofree char *many_ands = NULL;
  g_autofree char *too_many = NULL;
  g_autoptr(JsonArray) a_keys = NULL;
  g_autoptr(JsonArray) b_keys = NULL;
  GString *builder;
  const char *queries[] = {
    "/v7/api_key?$filter=(((name eq 'a')",
    "/v7/api_key?$filter=name eq 'unterminated",
    "/v7/api_key?$filter=name eq 'a''",
    "/v7/api_key?$filter=name eq",
    "/v7/api_key?$filter=eq eq eq",
    "/v7/api_key?$filter=name eq 'a' and",
    "/v7/api_key?$filter=nope eq 1",
    "/v7/api_key?$filter=name/any(x:x eq 1)",
    "/v7/api_key?$filter=name eq 'a'; DROP TABLE api_key; --",
    "/v7/api_key?$select=id,,name",
    "/v7/api_key?$select=",
    "/v7/api_key?$orderby=name sideways",
    "/v7/api_key?$top=-1",
    "/v7/api_key?$top=abc",
    "/v7/api_key?$top=99999999999999999999",
    "/v7/api_key?$skip=-5",
    "/v7/api_key?$expand=nothing",
    "/v7/api_key?$expand=is_of__actor($filter=)",
    "/v7/api_key?$unknown=1",
    "/v7/api_key?$filter=name%20eq%20%27%00%27",
    "/v7/api_key?$filter=name%20eq%20%27%C3%28%27",
    "/v7/api_key(abc)",
    "/v7/api_key(1",
    "/v7/api_key(1)(2)",
    "/v7/api_key(name='x')",
    "/v7/api_key/$count/$count",
    "/v7/api_key/id",
    "/v7/api_key?$filter=substringof(1,2,3,4)",
    "/v7/api_key?$filter=length(name) eq 'x' eq 'y'",
    NULL, NULL, NULL, NULL,
  };
  guint n = G_N_ELEMENTS (queries) - 4;

  /* Nesting deeper than the engine allows. */
  builder = g_string_new ("/v7/api_key?$filter=");
  for (guint i = 0; i < 2000; i++)
    g_string_append_c (builder, '(');
  g_string_append (builder, "id eq 1");
  for (guint i = 0; i < 2000; i++)
    g_string_append_c (builder, ')');
  deep = g_string_free (builder, FALSE);
  queries[n++] = deep;

  builder = g_string_new ("/v7/api_key?$filter=");
  for (guint i = 0; i < 1000; i++)
    g_string_append (builder, "not ");
  g_string_append (builder, "id eq 1");
  deep_query = g_string_free (builder, FALSE);
  queries[n++] = deep_query;

  /* A literal longer than the engine accepts. */
  builder = g_string_new ("/v7/api_key?$filter=name eq '");
  for (guint i = 0; i < 20000; i++)
    g_string_append_c (builder, 'x');
  g_string_append_c (builder, '\'');
  huge_literal = g_string_free (builder, FALSE);
  queries[n++] = huge_literal;

  /* Many unparenthesised ands: 200 terms are a real (if silly) query,
   * checked separately below; 500 are over the engine's term limit. */
  builder = g_string_new ("/v7/api_key?$filter=id gt 0");
  for (guint i = 0; i < 500; i++)
    g_string_append (builder, " and id gt 0");
  too_many = g_string_free (builder, FALSE);
  queries[n++] = too_many;

  builder = g_string_new ("/v7/api_key?$filter=id gt 0");
  for (guint i = 0; i < 200; i++)
    g_string_append (builder, " and id gt 0");
  many_ands = g_string_free (builder, FALSE);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *body = NULL;
      g_autoptr(JsonNode) node = NULL;

      g_test_message ("%.80s", queries[i]);
      g_assert_cmpuint (request (f, "GET", queries[i], f->a->token, NULL, &body), ==, 400);
      node = test_parse_json (body);
      g_assert_true (json_node_get_value_type (node) == G_TYPE_STRING);
      g_assert_cmpuint (strlen (json_node_get_string (node)), >, 0);
      /* The message quotes at most a short excerpt of the input. */
      g_assert_cmpuint (strlen (body), <, 1024);

      /* PATCH and DELETE parse the same way and refuse the same. */
      g_clear_pointer (&body, g_free);
      g_assert_cmpuint (request (f, "DELETE", queries[i], f->a->token, NULL, &body), ==, 400);
    }

  {
    g_autoptr(JsonArray) rows = get_d (f, f->a->token, many_ands);

    g_assert_cmpuint (json_array_get_length (rows), ==, 4);
  }

  /* Bad percent escapes are refused as a whole. */
  g_assert_cmpuint (test_raw_status (f->server, "/v7/api_key?$filter=name%20eq%20%27%ZZ%27", f->a->token), ==, 400);
  g_assert_cmpuint (test_raw_status (f->server, "/v7/api_key?$filter=name%20eq%20%27%4%27", f->a->token), ==, 400);

  /* A quote-injection attempt is just a string that matches nothing. */
  {
    g_autoptr(JsonArray) rows = get_d (f, f->a->token, "/v7/api_key?$filter=name eq 'x'' or 1 eq 1 or name eq ''y'");

    g_assert_cmpuint (json_array_get_length (rows), ==, 0);
  }

  /* Random damage to a real query (the CLI's), percent-encoded so that
   * every byte reaches the parser: each answer is 200 or a 400 with a
   * JSON string, never a 500 or a dropped connection. g_test_rand_int()
   * follows the test's seed, so a failure can be replayed. */
  {
    const char *base = "$select=id,name,expiry_date&$filter=(is_of__actor eq 1001 and name ne null)"
                       " or startswith(name,'a''b') and expiry_date gt datetime'2020-01-01T00:00:00Z'"
                       "&$orderby=name asc,id desc&$top=5&$skip=1&$expand=is_of__actor($select=id)";
    const char pieces[] = "()'$&=,/ :;@eqnotandor0129-.%";

    for (guint i = 0; i < 300; i++)
      {
        g_autoptr(GString) query = g_string_new (base);
        g_autofree char *escaped = NULL;
        g_autofree char *path = NULL;
        g_autofree char *body = NULL;
        guint edits = 1 + g_test_rand_int_range (0, 4);
        guint status;

        for (guint e = 0; e < edits; e++)
          {
            guint at = g_test_rand_int_range (0, query->len);

            switch (g_test_rand_int_range (0, 3))
              {
              case 0:
                {
                  gint len = 1 + g_test_rand_int_range (0, 8);

                  g_string_erase (query, at, MIN (len, (gint) (query->len - at)));
                }
                break;
              case 1:
                g_string_insert_c (query, at, pieces[g_test_rand_int_range (0, sizeof pieces - 1)]);
                break;
              default:
                query->str[at] = pieces[g_test_rand_int_range (0, sizeof pieces - 1)];
                break;
              }
          }

        /* Keep the $option names and '=' '&' structure visible to the
         * server: escape everything but those. */
        escaped = g_uri_escape_string (query->str, "$&=,()'/:;@", FALSE);
        path = g_strconcat ("/v7/api_key?", escaped, NULL);
        status = ba_test_server_request (f->server, "GET", path, f->a->token, NULL, NULL,
                                         &body, NULL, NULL);
        if (status != 200 && status != 400)
          g_error ("%s answered %u: %s", query->str, status, body);
        if (status == 400)
          {
            g_autoptr(JsonNode) node = test_parse_json (body);

            g_assert_true (json_node_get_value_type (node) == G_TYPE_STRING);
          }
      }
  }

  /* The server is alive and nothing was deleted. */
  g_assert_cmpuint (request (f, "GET", "/ping", NULL, NULL, NULL), ==, 200);
  a_keys = get_d (f, f->a->token, "/v7/api_key");
  b_keys = get_d (f, f->b->token, "/v7/api_key");
  g_assert_cmpuint (json_array_get_length (a_keys), ==, 4);
  g_assert_cmpuint (json_array_get_length (b_keys), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/ba/server/v7/cli-list", test_cli_list);
  ADD ("/ba/server/v7/default-shape", test_default_shape);
  ADD ("/ba/server/v7/hidden-key", test_hidden_key);
  ADD ("/ba/server/v7/options", test_options);
  ADD ("/ba/server/v7/read-permissions", test_read_permissions);
  ADD ("/ba/server/v7/anonymous", test_anonymous);
  ADD ("/ba/server/v7/patch", test_patch);
  ADD ("/ba/server/v7/delete", test_delete);
  ADD ("/ba/server/v7/write-permissions", test_write_permissions);
  ADD ("/ba/server/v7/routing", test_routing);
  ADD ("/ba/server/v7/hostile", test_hostile);

#undef ADD

  return g_test_run ();
}
