/* api-key-test-util.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ba-test-server.h"

G_BEGIN_DECLS

/* Helpers shared by the API-key and /v7/ tests: one user of a spawned
 * server, seen through its real session token. */
typedef struct
{
  char   *username;
  char   *password;
  char   *token;       /* from /login_, so fresh */
  gint64  user_id;
  gint64  actor_id;
  char   *jwt_secret;  /* the jwt_secret claim, for forging */
} TestUser;

void        test_user_free            (TestUser      *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestUser, test_user_free)

/* Logs in over HTTP and reads the ids from /actor/v1/whoami. */
TestUser   *test_user_login           (BaTestServer  *server,
                                       const char    *username,
                                       const char    *password);

/* A session token for @user signed with the server's own secret, with
 * the given authTime (ms) and, if @partial, twoFactorRequired: true. */
char       *test_user_forge_token     (BaTestServer  *server,
                                       TestUser      *user,
                                       gint64         auth_time,
                                       gboolean       partial);

/* POST /api-key/user/full with @body (JSON); returns the status and the
 * raw body. */
guint       test_create_api_key_raw   (BaTestServer  *server,
                                       const char    *token,
                                       const char    *body,
                                       char         **out_body);
/* Creates a key named @name (description and expiry as JSON literals,
 * e.g. "null" or "\"2030-01-01\"") and returns it; asserts success. */
char       *test_create_api_key       (BaTestServer  *server,
                                       const char    *token,
                                       const char    *name,
                                       const char    *description_json,
                                       const char    *expiry_json);

/* Parses @json, asserting it is valid. */
JsonNode   *test_parse_json           (const char    *json);
/* Asserts that @body is exactly the JSON string @expected. */
void        test_assert_json_string   (const char    *body,
                                       const char    *expected);
/* GETs @path_and_query and returns the "d" array; asserts 200. */
JsonArray  *test_get_d                (BaTestServer  *server,
                                       const char    *token,
                                       const char    *path_and_query);
/* The api_key row with @name among @token's keys, or NULL. */
JsonObject *test_find_key_by_name     (BaTestServer  *server,
                                       const char    *token,
                                       const char    *name);

/* Sends GET @path_and_query over a plain socket, for request lines
 * libsoup's client refuses to build (a bad percent escape); returns the
 * status code. @token (nullable) goes out as Bearer. */
guint       test_raw_status           (BaTestServer  *server,
                                       const char    *path_and_query,
                                       const char    *token);
/* The same, and the body of the answer. */
guint       test_raw_request          (BaTestServer  *server,
                                       const char    *path_and_query,
                                       const char    *token,
                                       char         **out_body);

G_END_DECLS
