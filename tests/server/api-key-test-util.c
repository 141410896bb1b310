/* api-key-test-util.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ba-jwt.h"
#include "api-key-test-util.h"

void
test_user_free (TestUser *user)
{
  if (user == NULL)
    return;

  g_free (user->username);
  g_free (user->password);
  g_free (user->token);
  g_free (user->jwt_secret);
  g_free (user);
}

JsonNode *
test_parse_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (json);
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

void
test_assert_json_string (const char *body,
                         const char *expected)
{
  g_autoptr(JsonNode) node = test_parse_json (body);

  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_true (json_node_get_value_type (node) == G_TYPE_STRING);
  g_assert_cmpstr (json_node_get_string (node), ==, expected);
}

TestUser *
test_user_login (BaTestServer *server,
                 const char   *username,
                 const char   *password)
{
  g_autoptr(TestUser) user = g_new0 (TestUser, 1);
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(JsonNode) whoami = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *whoami_body = NULL;
  JsonObject *object;

  body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}", username, password);
  g_assert_cmpuint (ba_test_server_request (server, "POST", "/login_", NULL, "application/json",
                                            body, &user->token, NULL, NULL), ==, 200);
  user->username = g_strdup (username);
  user->password = g_strdup (password);

  claims = ba_jwt_decode (user->token, NULL, 0, &error);
  g_assert_no_error (error);
  user->jwt_secret = g_strdup (json_object_get_string_member (claims, "jwt_secret"));

  g_assert_cmpuint (ba_test_server_request (server, "GET", "/actor/v1/whoami", user->token,
                                            NULL, NULL, &whoami_body, NULL, NULL), ==, 200);
  whoami = test_parse_json (whoami_body);
  object = json_node_get_object (whoami);
  user->actor_id = json_object_get_int_member (object, "id");
  user->user_id = json_object_get_int_member (object, "actorTypeId");
  g_assert_cmpint (user->user_id, ==, json_object_get_int_member (claims, "id"));

  return g_steal_pointer (&user);
}

char *
test_user_forge_token (BaTestServer *server,
                       TestUser     *user,
                       gint64        auth_time,
                       gboolean      partial)
{
  g_autoptr(JsonObject) claims = json_object_new ();
  g_autoptr(GBytes) secret = ba_test_server_get_jwt_secret (server);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_nonnull (secret);
  json_object_set_int_member (claims, "id", user->user_id);
  json_object_set_string_member (claims, "jwt_secret", user->jwt_secret);
  json_object_set_int_member (claims, "authTime", auth_time);
  if (partial)
    json_object_set_boolean_member (claims, "twoFactorRequired", TRUE);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "exp", now + 3600);

  return ba_jwt_encode_hs256 (claims, g_bytes_get_data (secret, NULL), g_bytes_get_size (secret));
}

guint
test_create_api_key_raw (BaTestServer  *server,
                         const char    *token,
                         const char    *body,
                         char         **out_body)
{
  return ba_test_server_request (server, "POST", "/api-key/user/full", token,
                                 "application/json", body, out_body, NULL, NULL);
}

char *
test_create_api_key (BaTestServer *server,
                     const char   *token,
                     const char   *name,
                     const char   *description_json,
                     const char   *expiry_json)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *body = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *content_type = NULL;

  body = g_strdup_printf ("{\"name\":\"%s\",\"description\":%s,\"expiryDate\":%s}",
                          name, description_json, expiry_json);
  g_assert_cmpuint (ba_test_server_request (server, "POST", "/api-key/user/full", token,
                                            "application/json", body, &answer,
                                            "Content-Type", &content_type), ==, 200);
  g_assert_true (g_str_has_prefix (content_type, "application/json"));

  node = test_parse_json (answer);
  g_assert_true (json_node_get_value_type (node) == G_TYPE_STRING);

  return g_strdup (json_node_get_string (node));
}

JsonArray *
test_get_d (BaTestServer *server,
            const char   *token,
            const char   *path_and_query)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *body = NULL;
  JsonObject *object;

  g_assert_cmpuint (ba_test_server_request (server, "GET", path_and_query, token, NULL, NULL,
                                            &body, NULL, NULL), ==, 200);
  node = test_parse_json (body);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  object = json_node_get_object (node);
  g_assert_true (json_object_has_member (object, "d"));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "d")));

  return json_array_ref (json_object_get_array_member (object, "d"));
}

JsonObject *
test_find_key_by_name (BaTestServer *server,
                       const char   *token,
                       const char   *name)
{
  g_autoptr(JsonArray) keys = test_get_d (server, token, "/v7/api_key");

  for (guint i = 0; i < json_array_get_length (keys); i++)
    {
      JsonObject *key = json_array_get_object_element (keys, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (key, "name", ""), name) == 0)
        return json_object_ref (key);
    }

  return NULL;
}

/* Sends a request line libsoup's client would refuse to build (a bad
 * percent escape) over a plain socket; returns the status code. */
guint
test_raw_request (BaTestServer  *server,
                  const char    *path_and_query,
                  const char    *token,
                  char         **out_body)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autofree char *request_text = NULL;
  char response[4096] = { 0 };
  const char *body;
  gsize got = 0;
  guint64 status = 0;

  uri = g_uri_parse (ba_test_server_get_url (server), G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  connection = g_socket_client_connect_to_host (client, g_uri_get_host (uri), g_uri_get_port (uri),
                                                NULL, &error);
  g_assert_no_error (error);

  request_text = g_strdup_printf ("GET %s HTTP/1.1\r\nHost: %s\r\n%s%s%s"
                                  "Connection: close\r\n\r\n",
                                  path_and_query, g_uri_get_host (uri),
                                  token != NULL ? "Authorization: Bearer " : "",
                                  token != NULL ? token : "",
                                  token != NULL ? "\r\n" : "");
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                            request_text, strlen (request_text), NULL, NULL, &error));
  g_assert_no_error (error);

  /* Connection: close, so the answer ends where the stream does. */
  g_assert_true (g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                          response, sizeof response - 1, &got, NULL, &error));
  g_assert_no_error (error);

  /* "HTTP/1.1 400 Bad Request" */
  g_assert_true (g_str_has_prefix (response, "HTTP/1.1 "));
  status = g_ascii_strtoull (response + 9, NULL, 10);

  if (out_body != NULL)
    {
      body = strstr (response, "\r\n\r\n");
      *out_body = g_strdup (body != NULL ? body + 4 : "");
    }

  return (guint) status;
}

guint
test_raw_status (BaTestServer *server,
                 const char   *path_and_query,
                 const char   *token)
{
  return test_raw_request (server, path_and_query, token, NULL);
}
