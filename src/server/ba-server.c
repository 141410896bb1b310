/* ba-server.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-server"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sodium.h>

#include "ba-error.h"
#include "ba-server.h"
#include "ba-server-auth.h"
#include "ba-server-lifecycle.h"
#include "ba-server-fleets.h"
#include "ba-server-model.h"
#include "ba-server-odata.h"
#include "ba-server-rate-limiter.h"
#include "ba-server-store.h"
#include "ba-server-web-login.h"
#include "ba-server-totp.h"

/* account-api.md section 1.3: request bodies are limited to 512 kB. */
#define MAX_BODY_SIZE (512 * 1024)

/* Section 3: 10 login attempts per 2 hours per IP + username, then a
 * 1-hour block. */
#define LOGIN_POINTS          10
#define LOGIN_WINDOW_SECONDS  (2 * 60 * 60)
#define LOGIN_BLOCK_SECONDS   (60 * 60)

/* RFC 6585; libsoup 3.2 has no name for it. */
#define STATUS_TOO_MANY_REQUESTS 429

#define DEMO_USERNAME         "demo"
#define DEMO_EMAIL            "demo@example.com"
#define DEMO_PASSWORD_LENGTH  16
#define SOCIAL_USERNAME       "octocat"
#define SOCIAL_EMAIL          "octocat@example.com"

/* Section 1.2: creating an API key needs a password (or other credential)
 * check at most 20 minutes old. */
#define FRESH_AUTH_MS (20 * 60 * 1000)

/* Section 6: the length rules of balena's model, with pine's messages. */
#define API_KEY_NAME_MAX         50
#define API_KEY_DESCRIPTION_MAX  150
#define API_KEY_NAME_TOO_LONG \
  "It is necessary that each api key that has a name, has a name that has a " \
  "Length (Type) that is less than or equal to 50."
#define API_KEY_DESCRIPTION_TOO_LONG \
  "It is necessary that each api key that has a description, has a description " \
  "that has a Length (Type) that is less than or equal to 150."
#define API_KEY_BAD_EXPIRY "Key expiry date should be a valid date"
#define API_KEY_CONTROL_CHARACTERS \
  "An api key's name and description must not contain control characters"
#define FRESH_AUTH_REQUIRED "Fresh authentication token required"

struct _BaServer
{
  GObject              parent_instance;

  char                *data_dir;
  char                *outbox_dir;
  BaServerStore       *store;
  BaServerAuth        *auth;
  BaServerRateLimiter *login_limiter;
  BaODataModel        *model;
  BaServerLifecycle   *lifecycle;
  SoupServer          *soup;
  BaServerWebLogin    *web_login;
  BaServerTotp        *totp;
};

G_DEFINE_FINAL_TYPE (BaServer, ba_server, G_TYPE_OBJECT)

/* Everything a route handler needs about one request. Reference counted:
 * a handler that answers later (after a password check in a worker
 * thread) keeps a reference and pauses the message meanwhile. */
typedef struct
{
  BaServer           *server;
  SoupServerMessage  *msg;
  char               *method;
  char               *path;
  GHashTable         *query;
  BaServerCredential *credential;
} Request;

static void
request_clear (Request *request)
{
  g_clear_object (&request->server);
  g_clear_object (&request->msg);
  g_clear_pointer (&request->method, g_free);
  g_clear_pointer (&request->path, g_free);
  g_clear_pointer (&request->query, g_hash_table_unref);
  g_clear_pointer (&request->credential, ba_server_credential_free);
}

static Request *
request_ref (Request *request)
{
  return g_rc_box_acquire (request);
}

static void
request_unref (Request *request)
{
  g_rc_box_release_full (request, (GDestroyNotify) request_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_unref)

/* Holds @request until request_resume(): the response is sent then. */
static Request *
request_pause (Request *request)
{
  soup_server_message_pause (request->msg);
  return request_ref (request);
}

static void
request_resume (Request *request)
{
  soup_server_message_unpause (request->msg);
  request_unref (request);
}

typedef void (*RouteHandler) (BaServer *self,
                              Request  *request);

typedef enum
{
  METHOD_GET    = 1 << 0,
  METHOD_POST   = 1 << 1,
  METHOD_PATCH  = 1 << 2,
  METHOD_DELETE = 1 << 3,
} Methods;

/* @path names one route, or with @prefix every path below it. */
typedef struct
{
  const char   *path;
  gboolean      prefix;
  Methods       methods;
  RouteHandler  handler;
} Route;

static void handle_ping               (BaServer *self,
                                       Request  *request);
static void handle_connectivity_check (BaServer *self,
                                       Request  *request);
static void handle_login              (BaServer *self,
                                       Request  *request);
static void handle_user_whoami        (BaServer *self,
                                       Request  *request);
static void handle_actor_whoami       (BaServer *self,
                                       Request  *request);
static void handle_refresh_token      (BaServer *self,
                                       Request  *request);
static void handle_create_api_key     (BaServer *self,
                                       Request  *request);
static void handle_accept_invitation  (BaServer *self,
                                       Request  *request);
static void handle_odata              (BaServer *self,
                                       Request  *request);
static void handle_lifecycle          (BaServer *self,
                                       Request  *request);
static void handle_web_login          (BaServer *self,
                                       Request  *request);
static void handle_totp               (BaServer *self,
                                       Request  *request);

#define ODATA_PREFIX "/v7/"
#define INVITATION_PREFIX "/user/v1/invitation/"

static const Route routes[] = {
  { "/ping",                  FALSE, METHOD_GET,               handle_ping },
  { "/connectivity-check",    FALSE, METHOD_GET,               handle_connectivity_check },
  { "/login_",                FALSE, METHOD_POST,              handle_login },
  { "/user/v1/whoami",        FALSE, METHOD_GET,               handle_user_whoami },
  { "/actor/v1/whoami",       FALSE, METHOD_GET,               handle_actor_whoami },
  { "/user/v1/refresh-token", FALSE, METHOD_GET | METHOD_POST, handle_refresh_token },
  { "/api-key/user/full",     FALSE, METHOD_POST,              handle_create_api_key },
  { "/user/register",         FALSE, METHOD_POST,              handle_lifecycle },
  { "/user/v1/verify-email",  FALSE, METHOD_POST,              handle_lifecycle },
  { "/user/v1/password-reset/request", FALSE, METHOD_POST,     handle_lifecycle },
  { "/user/v1/password-reset", FALSE, METHOD_POST,             handle_lifecycle },
  { "/user/v1/password",      FALSE, METHOD_POST,              handle_lifecycle },
  { BA_SERVER_WEB_LOGIN_PREFIX, TRUE, METHOD_GET | METHOD_POST,     handle_web_login },
  { INVITATION_PREFIX,        TRUE,  METHOD_POST,              handle_accept_invitation },
  { "/auth/totp/setup",       FALSE, METHOD_GET,               handle_totp },
  { "/auth/totp/verify",      FALSE, METHOD_POST,              handle_totp },
  { "/auth/totp/disable",     FALSE, METHOD_POST,              handle_totp },
  { "/auth/totp/recovery-codes", FALSE, METHOD_POST,           handle_totp },
  { ODATA_PREFIX,             TRUE,  METHOD_GET | METHOD_POST | METHOD_PATCH | METHOD_DELETE,
                                                               handle_odata },
};

/* Responses */

static void
respond_empty (Request *request,
               guint    status)
{
  soup_server_message_set_status (request->msg, status, NULL);
  soup_server_message_set_response (request->msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
}

static void
respond_text (Request    *request,
              guint       status,
              const char *text)
{
  soup_server_message_set_status (request->msg, status, NULL);
  soup_server_message_set_response (request->msg, "text/plain; charset=utf-8",
                                    SOUP_MEMORY_COPY, text, strlen (text));
}

static void
respond_json (Request  *request,
              guint     status,
              JsonNode *node)
{
  g_autofree char *json = json_to_string (node, FALSE);
  gsize len = strlen (json);

  soup_server_message_set_status (request->msg, status, NULL);
  soup_server_message_set_response (request->msg, "application/json; charset=utf-8",
                                    SOUP_MEMORY_TAKE, g_steal_pointer (&json), len);
}

/* Pine-style errors (section 1.3, shape 1): the message as a JSON string. */
static void
respond_message (Request    *request,
                 guint       status,
                 const char *message)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, message);
  respond_json (request, status, node);
}

static void
wipe_and_free (gpointer data)
{
  sodium_memzero (data, strlen (data));
  g_free (data);
}

/* 200 with @secret as a JSON string, from a buffer that is wiped when
 * libsoup lets go of it. @secret must need no JSON escaping (API keys
 * are alphanumeric). */
static void
respond_secret_string (Request    *request,
                       const char *secret)
{
  char *json = g_strconcat ("\"", secret, "\"", NULL);
  g_autoptr(GBytes) bytes = g_bytes_new_with_free_func (json, strlen (json), wipe_and_free, json);

  soup_server_message_set_status (request->msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                "Content-Type", "application/json; charset=utf-8");
  soup_message_body_append_bytes (soup_server_message_get_response_body (request->msg), bytes);
}

static void
respond_too_many_requests (Request *request,
                           gint64   retry_after)
{
  respond_message (request, STATUS_TOO_MANY_REQUESTS, "Too Many Requests");
  ba_server_rate_limiter_refuse (request->msg, retry_after);
}

/* Request bodies */

static gboolean
has_content_type (Request    *request,
                  const char *wanted)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (request->msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);

  return content_type != NULL && g_ascii_strcasecmp (content_type, wanted) == 0;
}

static GBytes *
get_body (Request *request)
{
  SoupMessageBody *body = soup_server_message_get_request_body (request->msg);

  return soup_message_body_flatten (body);
}

/* Parses a JSON request body. Returns NULL for malformed JSON or a root
 * that is not an object. */
static JsonObject *
parse_json_object (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  if (len == 0 || !json_parser_load_from_data (parser, data, len, &error))
    {
      if (error != NULL)
        g_debug ("Malformed JSON body: %s", error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return json_object_ref (json_node_get_object (root));
}

/* Reads string member @name of @object. Returns FALSE if it is missing or
 * not a string. */
static gboolean
get_string_member (JsonObject  *object,
                   const char  *name,
                   const char **out_value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;

  *out_value = json_node_get_string (node);
  return TRUE;
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* Logging */

/* A copy of @query with the value of every apikey parameter replaced, so
 * that request logs never contain a credential. */
static char *
redact_query (const char *query)
{
  g_auto(GStrv) params = NULL;
  GString *out;

  if (query == NULL)
    return NULL;

  params = g_strsplit (query, "&", -1);
  out = g_string_new (NULL);

  for (guint i = 0; params[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, '&');

      if (g_ascii_strncasecmp (params[i], "apikey=", strlen ("apikey=")) == 0 ||
          g_ascii_strncasecmp (params[i], "auth_token=", strlen ("auth_token=")) == 0 ||
          g_ascii_strncasecmp (params[i], "_token=", strlen ("_token=")) == 0)
        {
          const char *eq = strchr (params[i], '=');

          g_string_append_len (out, params[i], eq - params[i] + 1);
          g_string_append (out, "REDACTED");
        }
      else
        g_string_append (out, params[i]);
    }

  return g_string_free (out, FALSE);
}

static void
request_finished_cb (SoupServer        *soup,
                     SoupServerMessage *msg,
                     BaServer          *self)
{
  GUri *uri = soup_server_message_get_uri (msg);
  g_autofree char *query = NULL;
  g_autofree char *path = NULL;

  /* libsoup answers a request line it cannot parse (a bad percent
   * escape, say) itself, with no URI. */
  if (uri == NULL)
    {
      g_debug ("(unparsable request) -> %u", soup_server_message_get_status (msg));
      return;
    }

  query = redact_query (g_uri_get_query (uri));

  /* An invitation token in the path is a credential too. */
  if (g_str_has_prefix (g_uri_get_path (uri), INVITATION_PREFIX))
    path = g_strconcat (INVITATION_PREFIX, "REDACTED", NULL);

  g_debug ("%s %s%s%s -> %u",
           soup_server_message_get_method (msg),
           path != NULL ? path : g_uri_get_path (uri),
           query != NULL ? "?" : "",
           query != NULL ? query : "",
           soup_server_message_get_status (msg));
}

/* Handlers */

static void
handle_ping (BaServer *self,
             Request  *request)
{
  respond_text (request, SOUP_STATUS_OK, "OK");
}

static void
handle_connectivity_check (BaServer *self,
                           Request  *request)
{
  respond_empty (request, SOUP_STATUS_NO_CONTENT);
}

/* Reads {username, password} from a JSON or form body. FALSE means the
 * body is malformed or a field is missing or not a string (a 400). */
static gboolean
read_login_body (Request  *request,
                 char    **out_username,
                 char    **out_password)
{
  g_autoptr(GBytes) body = get_body (request);

  if (has_content_type (request, "application/json"))
    {
      g_autoptr(JsonObject) object = parse_json_object (body);
      const char *username;
      const char *password;

      if (object == NULL ||
          !get_string_member (object, "username", &username) ||
          !get_string_member (object, "password", &password))
        return FALSE;

      *out_username = g_strdup (username);
      *out_password = g_strdup (password);
      return TRUE;
    }

  if (has_content_type (request, "application/x-www-form-urlencoded"))
    {
      g_autoptr(GHashTable) form = NULL;
      g_autofree char *text = NULL;
      gsize len;
      const char *data = g_bytes_get_data (body, &len);
      const char *username;
      const char *password;

      text = g_strndup (data, len);
      form = soup_form_decode (text);
      sodium_memzero (text, len);

      username = g_hash_table_lookup (form, "username");
      password = g_hash_table_lookup (form, "password");
      if (username == NULL || password == NULL)
        return FALSE;

      *out_username = g_strdup (username);
      *out_password = g_strdup (password);
      return TRUE;
    }

  return FALSE;
}

static void
free_password (char *password)
{
  if (password != NULL)
    sodium_memzero (password, strlen (password));
  g_free (password);
}

typedef struct
{
  Request      *request;
  char         *limit_key;
  BaServerUser *user;
} LoginData;

static void
login_data_free (LoginData *data)
{
  g_clear_pointer (&data->limit_key, g_free);
  g_clear_pointer (&data->user, ba_server_user_free);
  g_free (data);
}

static void
login_checked_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  LoginData *data = user_data;
  Request *request = data->request;
  BaServer *self = request->server;
  g_autofree char *token = NULL;

  if (!ba_server_auth_check_password_finish (self->auth, result))
    {
      respond_empty (request, SOUP_STATUS_UNAUTHORIZED);
      goto out;
    }

  ba_server_rate_limiter_reset (self->login_limiter, data->limit_key);

  /* With 2FA enabled the token is partial (twoFactorRequired: true)
   * until POST /auth/totp/verify (section 3.1). */
  token = ba_server_auth_issue_token (self->auth, data->user, now_ms (),
                                      ba_server_totp_login_state (self->totp, data->user));
  respond_text (request, SOUP_STATUS_OK, token);
  sodium_memzero (token, strlen (token));

  g_debug ("User %" G_GINT64_FORMAT " logged in", data->user->id);

out:
  request_resume (request);
  login_data_free (data);
}

static void
handle_login (BaServer *self,
              Request  *request)
{
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  g_autofree char *limit_key = NULL;
  g_autoptr(BaServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  LoginData *data;
  gint64 retry_after = 0;

  if (!read_login_body (request, &username, &password))
    {
      respond_empty (request, SOUP_STATUS_BAD_REQUEST);
      goto out;
    }

  /* The user is looked up before the limiter counts the attempt, so that
   * the username and the email of one account share one budget. An "@"
   * makes it an email; balena's clients send the email in the username
   * field. */
  if (strchr (username, '@') != NULL)
    user = ba_server_store_find_user_by_email (self->store, username, &error);
  else
    user = ba_server_store_find_user_by_username (self->store, username, &error);

  limit_key = ba_server_rate_limiter_login_key (soup_server_message_get_remote_host (request->msg),
                                                username, user != NULL ? user->id : 0);
  if (!ba_server_rate_limiter_consume (self->login_limiter, limit_key, &retry_after))
    {
      respond_too_many_requests (request, retry_after);
      goto out;
    }

  if (*username == '\0' || *password == '\0')
    {
      respond_empty (request, SOUP_STATUS_UNAUTHORIZED);
      goto out;
    }

  if (error != NULL)
    {
      g_warning ("Login failed on a database error: %s", error->message);
      respond_empty (request, SOUP_STATUS_UNAUTHORIZED);
      goto out;
    }

  /* Checked even when there is no such user, against a dummy hash, so the
   * time taken does not tell which accounts exist. */
  data = g_new0 (LoginData, 1);
  data->request = request_pause (request);
  data->limit_key = g_steal_pointer (&limit_key);
  data->user = g_steal_pointer (&user);
  ba_server_auth_check_password_async (self->auth, data->user, password, NULL,
                                       login_checked_cb, data);

out:
  free_password (g_steal_pointer (&password));
}

static JsonNode *
user_json (BaServerUser *user,
           gboolean      actor_form)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);

  if (actor_form)
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, user->actor_id);
      json_builder_set_member_name (builder, "actorType");
      json_builder_add_string_value (builder, "user");
      json_builder_set_member_name (builder, "actorTypeId");
      json_builder_add_int_value (builder, user->id);
    }
  else
    {
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, user->id);
    }

  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, user->username);
  json_builder_set_member_name (builder, "email");
  if (user->email != NULL)
    json_builder_add_string_value (builder, user->email);
  else
    json_builder_add_null_value (builder);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static void
handle_whoami (Request  *request,
               gboolean  actor_form)
{
  g_autoptr(JsonNode) node = NULL;

  /* Partial (2FA pending) tokens are not a user yet (section 3.1); a
   * user's API key is (section 4). */
  if (request->credential->kind != BA_SERVER_CREDENTIAL_USER_JWT &&
      request->credential->kind != BA_SERVER_CREDENTIAL_USER_API_KEY)
    {
      respond_empty (request, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  node = user_json (request->credential->user, actor_form);
  respond_json (request, SOUP_STATUS_OK, node);
}

static void
handle_user_whoami (BaServer *self,
                    Request  *request)
{
  handle_whoami (request, FALSE);
}

static void
handle_actor_whoami (BaServer *self,
                     Request  *request)
{
  handle_whoami (request, TRUE);
}

static void
respond_new_token (Request *request,
                   gint64   auth_time)
{
  BaServerCredential *credential = request->credential;
  g_autofree char *token = NULL;

  token = ba_server_auth_issue_token (request->server->auth, credential->user, auth_time,
                                      credential->two_factor);
  respond_text (request, SOUP_STATUS_OK, token);
  sodium_memzero (token, strlen (token));
}

/* Guesses of the current password through a refresh count against the
 * login limit (10 per 2 hours), per user: a stolen session token must not
 * be a way to try passwords without end. */
static char *
refresh_limit_key (const BaServerCredential *credential)
{
  return g_strdup_printf ("refresh$%" G_GINT64_FORMAT, credential->user->id);
}

static void
refresh_checked_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Request *request = user_data;

  /* A correct password is a fresh authentication: the new token restarts
   * the 20-minute window for sensitive actions. */
  if (ba_server_auth_check_password_finish (request->server->auth, result))
    {
      g_autofree char *limit_key = refresh_limit_key (request->credential);

      ba_server_rate_limiter_reset (request->server->login_limiter, limit_key);
      respond_new_token (request, now_ms ());
    }
  else
    respond_empty (request, SOUP_STATUS_UNAUTHORIZED);

  request_resume (request);
}

static void
handle_refresh_token (BaServer *self,
                      Request  *request)
{
  BaServerCredential *credential = request->credential;
  g_autoptr(GBytes) body = NULL;

  /* Session tokens only: API keys and partial tokens cannot mint one. */
  if (credential->kind != BA_SERVER_CREDENTIAL_USER_JWT)
    {
      respond_empty (request, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  body = get_body (request);
  if (g_str_equal (request->method, "POST") && g_bytes_get_size (body) > 0)
    {
      g_autoptr(JsonObject) object = NULL;
      JsonNode *node;

      if (!has_content_type (request, "application/json") ||
          (object = parse_json_object (body)) == NULL)
        {
          respond_empty (request, SOUP_STATUS_BAD_REQUEST);
          return;
        }

      node = json_object_get_member (object, "password");
      if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
        {
          if (json_node_get_value_type (node) != G_TYPE_STRING)
            {
              respond_empty (request, SOUP_STATUS_BAD_REQUEST);
              return;
            }

          g_autofree char *limit_key = refresh_limit_key (credential);
          gint64 retry_after = 0;

          if (!ba_server_rate_limiter_consume (self->login_limiter, limit_key, &retry_after))
            {
              respond_too_many_requests (request, retry_after);
              return;
            }

          ba_server_auth_check_password_async (self->auth, credential->user,
                                               json_node_get_string (node), NULL,
                                               refresh_checked_cb, request_pause (request));
          return;
        }
    }

  /* Without a password, authTime (and twoFactorRequired) carry over. */
  respond_new_token (request, credential->auth_time);
}

/* API keys (section 6) */

/* Normalises an expiry date as JavaScript's new Date(text).toISOString()
 * would for the forms clients send: ISO-8601 date-times (a missing offset
 * is taken as UTC, not local time) and bare dates (midnight UTC). Returns
 * NULL for anything else. */
static char *
normalise_date (const char *text)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) date = NULL;

  if (strlen (text) == strlen ("YYYY-MM-DD") && strchr (text, 'T') == NULL)
    {
      g_autofree char *midnight = g_strconcat (text, "T00:00:00Z", NULL);

      date = g_date_time_new_from_iso8601 (midnight, utc);
    }
  else
    date = g_date_time_new_from_iso8601 (text, utc);

  if (date == NULL)
    return NULL;

  return ba_server_store_format_date (date);
}

/* TRUE if @body has a \u0000 escape that is not itself escaped (an odd
 * number of backslashes before the "u"). json-glib decodes it into a NUL
 * and hands the string out as a C string, cut there: "a\u0000b" would
 * be stored as "a" without a word, so it is looked for in the raw body. */
static gboolean
has_escaped_nul (GBytes *body)
{
  gsize len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;

  for (gsize i = 0; data != NULL && i + 6 <= len; i++)
    {
      gsize backslashes = 0;

      if (data[i] != '\\' || g_ascii_tolower (data[i + 1]) != 'u' ||
          memcmp (data + i + 2, "0000", 4) != 0)
        continue;

      for (gsize j = i; j > 0 && data[j - 1] == '\\'; j--)
        backslashes++;
      if (backslashes % 2 == 0)
        return TRUE;
    }

  return FALSE;
}

/* TRUE if @text has a C0 or C1 control character, or DEL. */
static gboolean
has_control_characters (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
        return TRUE;
    }

  return FALSE;
}

/* Reads an optional text member (absent or null give NULL) and checks
 * its length and characters. FALSE means the request is answered: a 400,
 * with @message when the value is too long, with a message when it holds
 * control characters (an escaped NUL anywhere in the body counts, see
 * has_escaped_nul()), empty when it is not text. Lengths count
 * characters, not bytes. */
static gboolean
read_optional_text (Request     *request,
                    JsonNode    *node,
                    guint        max_length,
                    const char  *too_long,
                    const char **out_value)
{
  g_autoptr(GBytes) body = NULL;
  const char *value;

  *out_value = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (json_node_get_value_type (node) != G_TYPE_STRING)
    {
      respond_empty (request, SOUP_STATUS_BAD_REQUEST);
      return FALSE;
    }

  value = json_node_get_string (node);
  body = get_body (request);
  if (has_control_characters (value) || has_escaped_nul (body))
    {
      respond_message (request, SOUP_STATUS_BAD_REQUEST, API_KEY_CONTROL_CHARACTERS);
      return FALSE;
    }

  if (g_utf8_strlen (value, -1) > (glong) max_length)
    {
      respond_message (request, SOUP_STATUS_BAD_REQUEST, too_long);
      return FALSE;
    }

  *out_value = value;
  return TRUE;
}

/* A key's name: required, a non-empty string of at most 50 characters. */
static gboolean
read_name (Request     *request,
           JsonNode    *node,
           const char **out_name)
{
  if (!read_optional_text (request, node, API_KEY_NAME_MAX, API_KEY_NAME_TOO_LONG, out_name))
    return FALSE;

  if (*out_name == NULL || **out_name == '\0')
    {
      respond_empty (request, SOUP_STATUS_BAD_REQUEST);
      return FALSE;
    }

  return TRUE;
}

/* An optional expiry date: absent or null give NULL (never expires). */
static gboolean
read_expiry (Request   *request,
             JsonNode  *node,
             char     **out_expiry)
{
  *out_expiry = NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    *out_expiry = normalise_date (json_node_get_string (node));

  if (*out_expiry == NULL)
    {
      respond_message (request, SOUP_STATUS_BAD_REQUEST, API_KEY_BAD_EXPIRY);
      return FALSE;
    }

  return TRUE;
}

static JsonObject *
read_json_body (Request *request)
{
  g_autoptr(GBytes) body = get_body (request);

  if (!has_content_type (request, "application/json"))
    return NULL;

  return parse_json_object (body);
}

static void
handle_create_api_key (BaServer *self,
                       Request  *request)
{
  BaServerCredential *credential = request->credential;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expiry_date = NULL;
  g_autofree char *key = NULL;
  g_autofree char *key_hash = NULL;
  const char *name;
  const char *description;
  gint64 id;

  /* Only a full session token: not an API key, not a token still
   * waiting for its 2FA challenge. */
  if (credential->kind != BA_SERVER_CREDENTIAL_USER_JWT)
    {
      respond_empty (request, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  if (now_ms () - credential->auth_time > FRESH_AUTH_MS)
    {
      respond_message (request, SOUP_STATUS_UNAUTHORIZED, FRESH_AUTH_REQUIRED);
      return;
    }

  object = read_json_body (request);
  if (object == NULL)
    {
      respond_empty (request, SOUP_STATUS_BAD_REQUEST);
      return;
    }

  if (!read_name (request, json_object_get_member (object, "name"), &name) ||
      !read_optional_text (request, json_object_get_member (object, "description"),
                           API_KEY_DESCRIPTION_MAX, API_KEY_DESCRIPTION_TOO_LONG,
                           &description) ||
      !read_expiry (request, json_object_get_member (object, "expiryDate"), &expiry_date))
    return;

  key = ba_server_auth_new_api_key ();
  key_hash = ba_server_auth_hash_api_key (key);
  id = ba_server_store_create_api_key (self->store, credential->user->actor_id, key_hash,
                                       name, description, expiry_date, &error);
  if (id == 0)
    {
      g_warning ("Could not create an API key: %s", error->message);
      respond_empty (request, SOUP_STATUS_INTERNAL_SERVER_ERROR);
      sodium_memzero (key, BA_SERVER_API_KEY_LENGTH);
      return;
    }

  respond_secret_string (request, key);
  sodium_memzero (key, BA_SERVER_API_KEY_LENGTH);

  g_debug ("User %" G_GINT64_FORMAT " created API key %" G_GINT64_FORMAT,
           credential->user->id, id);
}

/* Two-factor authentication (sections 3.1, 7 and 17.5): ba-server-totp.c */

static void
handle_totp (BaServer *self,
             Request  *request)
{
  ba_server_totp_handle (self->totp, request->msg, request->path, request->credential);
}

/* OData (section 1.3) */

static void
respond_odata_error (Request *request,
                     GError  *error)
{
  if (g_error_matches (error, BA_ERROR, BA_ERROR_INVALID_INPUT))
    respond_message (request, SOUP_STATUS_BAD_REQUEST, error->message);
  else if (g_error_matches (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED))
    respond_empty (request, SOUP_STATUS_UNAUTHORIZED);
  else
    {
      g_warning ("OData request failed: %s", error->message);
      respond_empty (request, SOUP_STATUS_INTERNAL_SERVER_ERROR);
    }
}

/* TRUE if the first path segment after /v7/ names a resource of the
 * model. An unknown one is a 404, like pine's; anything the engine cannot
 * parse is left to it for a 400 with a message. */
static gboolean
resource_exists (BaServer   *self,
                 const char *path)
{
  g_autofree char *segment = NULL;
  g_autofree char *name = NULL;

  segment = g_strndup (path, strcspn (path, "(/"));
  name = g_uri_unescape_string (segment, NULL);

  return name == NULL || ba_odata_model_lookup (self->model, name) != NULL;
}

/* What a PATCH of api_key changes: @name unless NULL, the others when
 * their set_ flag is TRUE. */
typedef struct
{
  const char *name;
  gboolean    set_description;
  const char *description;
  gboolean    set_expiry_date;
  char       *expiry_date;
} ApiKeyChanges;

/* Reads a PATCH body for api_key: any of name, description and
 * expiry_date. Other members (the owner, the key, the id) cannot be
 * changed: a 400 naming them. */
static gboolean
read_api_key_changes (Request       *request,
                      JsonObject    *object,
                      ApiKeyChanges *changes)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *member = l->data;

      if (!g_str_equal (member, "name") &&
          !g_str_equal (member, "description") &&
          !g_str_equal (member, "expiry_date"))
        {
          g_autofree char *message = g_strdup_printf ("'%s' of 'api_key' cannot be changed",
                                                      member);

          respond_message (request, SOUP_STATUS_BAD_REQUEST, message);
          return FALSE;
        }
    }

  if (json_object_has_member (object, "name") &&
      !read_name (request, json_object_get_member (object, "name"), &changes->name))
    return FALSE;

  changes->set_description = json_object_has_member (object, "description");
  if (!read_optional_text (request, json_object_get_member (object, "description"),
                           API_KEY_DESCRIPTION_MAX, API_KEY_DESCRIPTION_TOO_LONG,
                           &changes->description))
    return FALSE;

  changes->set_expiry_date = json_object_has_member (object, "expiry_date");
  if (!read_expiry (request, json_object_get_member (object, "expiry_date"),
                    &changes->expiry_date))
    return FALSE;

  return TRUE;
}

/* PATCH and DELETE on api_key: only with a full session token, only on
 * the caller's own keys. A key that names a row the caller cannot touch
 * (someone else's, or none at all) is a 401 with an empty body, the same
 * answer either way so that ids of other users' keys are not revealed.
 * Without a key, the $filter (or every own key) chooses the rows, as in
 * pine, and matching nothing is a 200. */
static void
handle_odata_write (BaServer     *self,
                    Request      *request,
                    BaODataQuery *query)
{
  g_autoptr(BaODataPermissions) perms = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  ApiKeyChanges changes = { NULL, };
  gboolean is_patch = g_str_equal (request->method, "PATCH");

  perms = ba_server_model_write_permissions (request->credential);
  if (perms == NULL ||
      !g_str_equal (ba_odata_query_get_resource_name (query), "api_key"))
    {
      respond_empty (request, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  if (ba_odata_query_is_count (query))
    {
      respond_message (request, SOUP_STATUS_BAD_REQUEST,
                       "$count cannot be changed or deleted");
      return;
    }

  if (is_patch)
    {
      object = read_json_body (request);
      if (object == NULL)
        {
          respond_empty (request, SOUP_STATUS_BAD_REQUEST);
          return;
        }

      if (!read_api_key_changes (request, object, &changes))
        goto out;
    }

  ids = ba_odata_query_resolve_ids (query, ba_server_store_get_db (self->store), perms, &error);
  if (ids == NULL)
    {
      respond_odata_error (request, error);
      goto out;
    }

  if (ids->len == 0 && ba_odata_query_has_key (query))
    {
      respond_empty (request, SOUP_STATUS_UNAUTHORIZED);
      goto out;
    }

  if (!ba_server_store_begin (self->store, &error))
    goto failed;

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      gboolean ok;

      if (is_patch)
        ok = ba_server_store_update_api_key (self->store, id, changes.name,
                                             changes.set_description, changes.description,
                                             changes.set_expiry_date, changes.expiry_date,
                                             &error);
      else
        ok = ba_server_store_delete_api_key (self->store, id, &error);

      if (!ok)
        {
          ba_server_store_rollback (self->store);
          goto failed;
        }
    }

  if (!ba_server_store_commit (self->store, &error))
    {
      ba_server_store_rollback (self->store);
      goto failed;
    }

  respond_empty (request, SOUP_STATUS_OK);
  goto out;

failed:
  g_warning ("Could not change API keys: %s", error->message);
  respond_empty (request, SOUP_STATUS_INTERNAL_SERVER_ERROR);

out:
  g_free (changes.expiry_date);
}

/* Sign-up, verification, passwords and account deletion live in
 * ba-server-lifecycle.c. */
static void
handle_lifecycle (BaServer *self,
                  Request  *request)
{
  g_autofree char *base_url = ba_server_get_url (self);

  ba_server_lifecycle_handle (self->lifecycle, request->msg, request->path,
                              request->credential, base_url);
}

/* Fleets, members and invites (ba-server-fleets.c) */

static void
respond_reply (Request       *request,
               BaServerReply *reply)
{
  if (reply->location != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                  "Location", reply->location);
  if (reply->body != NULL)
    respond_json (request, reply->status, reply->body);
  else
    respond_empty (request, reply->status);
}

static void
handle_fleets_write (BaServer   *self,
                     Request    *request,
                     const char *path)
{
  GUri *uri = soup_server_message_get_uri (request->msg);
  g_autoptr(JsonObject) object = NULL;
  BaServerReply reply = { 0, };

  if (!g_str_equal (request->method, "DELETE"))
    object = read_json_body (request);

  ba_server_fleets_write (self->store, self->model, self->outbox_dir, request->credential,
                          request->method, path, g_uri_get_query (uri), object, &reply);
  respond_reply (request, &reply);
  ba_server_reply_clear (&reply);
}

static void
handle_accept_invitation (BaServer *self,
                          Request  *request)
{
  const char *token = request->path + strlen (INVITATION_PREFIX);
  BaServerReply reply = { 0, };

  if (*token == '\0' || strchr (token, '/') != NULL)
    {
      respond_empty (request, SOUP_STATUS_NOT_FOUND);
      return;
    }

  ba_server_fleets_accept_invitation (self->store, request->credential, token, &reply);
  respond_reply (request, &reply);
  ba_server_reply_clear (&reply);
}

static void
handle_odata (BaServer *self,
              Request  *request)
{
  GUri *uri = soup_server_message_get_uri (request->msg);
  const char *path = request->path + strlen (ODATA_PREFIX) - 1;
  g_autoptr(BaODataQuery) query = NULL;
  g_autoptr(BaODataPermissions) perms = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GError) error = NULL;

  if (!resource_exists (self, path + 1))
    {
      respond_empty (request, SOUP_STATUS_NOT_FOUND);
      return;
    }

  /* Section 11: fleet members and invites are created, changed and
   * deleted over OData. */
  if (!g_str_equal (request->method, "GET") && !g_str_equal (request->method, "HEAD") &&
      ba_server_fleets_handles_write (path + 1))
    {
      handle_fleets_write (self, request, path);
      return;
    }

  /* Section 6: API keys are created through /api-key/user/full only, and
   * the other resources are not created over OData at all. */
  if (g_str_equal (request->method, "POST"))
    {
      respond_empty (request, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  /* PATCH and DELETE of the user (resend the verification mail, delete
   * the account) and PATCH of user_profile. */
  if (!g_str_equal (request->method, "GET") && !g_str_equal (request->method, "HEAD"))
    {
      g_autofree char *base_url = ba_server_get_url (self);

      if (ba_server_lifecycle_handle_odata (self->lifecycle, request->msg, request->method,
                                            path + 1, request->credential, base_url))
        return;
    }

  query = ba_odata_query_parse (self->model, path, g_uri_get_query (uri), &error);
  if (query == NULL)
    {
      respond_odata_error (request, error);
      return;
    }

  if (!g_str_equal (request->method, "GET") && !g_str_equal (request->method, "HEAD"))
    {
      handle_odata_write (self, request, query);
      return;
    }

  perms = ba_server_model_read_permissions (request->credential);
  body = ba_odata_query_execute (query, ba_server_store_get_db (self->store), perms, &error);
  if (body == NULL)
    {
      respond_odata_error (request, error);
      return;
    }

  respond_json (request, SOUP_STATUS_OK, body);
}

/* The web login page (section 17.7) lives in ba-server-web-login.c. */
/* The web login page's two-factor hooks, served by BaServerTotp. */
static BaServerTwoFactor
web_login_two_factor_state (gpointer            data,
                            const BaServerUser *user)
{
  return ba_server_totp_login_state (BA_SERVER_TOTP (data), user);
}

static gboolean
web_login_check_code (gpointer            data,
                      const BaServerUser *user,
                      const char         *code)
{
  return ba_server_totp_check_challenge (BA_SERVER_TOTP (data), user, code);
}

static void
handle_web_login (BaServer *self,
                  Request  *request)
{
  ba_server_web_login_handle (self->web_login, request->msg, request->path);
}

/* Dispatch */

static Methods
method_flag (const char *method)
{
  if (g_str_equal (method, "GET") || g_str_equal (method, "HEAD"))
    return METHOD_GET;
  if (g_str_equal (method, "POST"))
    return METHOD_POST;
  if (g_str_equal (method, "PATCH"))
    return METHOD_PATCH;
  if (g_str_equal (method, "DELETE"))
    return METHOD_DELETE;
  return 0;
}

static void
early_handler_cb (SoupServer        *soup,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  /* Refuse an announced oversized body before reading it. */
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > MAX_BODY_SIZE)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
    }
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  /* A chunked body announces no length, so count as it arrives: past the
   * limit, stop keeping it in memory and answer 413 once it is read. */
  if (soup_message_body_get_accumulate (body) && body->length > MAX_BODY_SIZE)
    {
      soup_message_body_set_accumulate (body, FALSE);
      soup_message_body_truncate (body);
      soup_server_message_set_status (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
    }
}

/* What a request that libsoup cannot parse gets, e.g. a bad percent escape
 * such as "$filter=%ZZ" in its URL: libsoup answers those 400 itself,
 * before any handler, and emits nothing between the failed parse and
 * writing the answer. A JSON string, as all our messages are. */
#define MALFORMED_REQUEST "\"Malformed request: the URL or headers cannot be parsed\""

static void
got_headers_cb (SoupServerMessage *msg)
{
  /* The request line parsed: take back the answer given in advance. */
  soup_message_body_truncate (soup_server_message_get_response_body (msg));
  soup_message_headers_remove (soup_server_message_get_response_headers (msg), "Content-Type");
}

static void
request_started_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    BaServer          *self)
{
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), NULL);

  /* libsoup gives no hook between failing to parse a request and writing
   * its 400, but this one comes before either: the answer for that case
   * is put in place now, without a status, and taken back as soon as the
   * headers parse ("got-headers" is only emitted then). A constant, since
   * every request pays for it. */
  soup_server_message_set_response (msg, "application/json; charset=utf-8",
                                    SOUP_MEMORY_STATIC, MALFORMED_REQUEST,
                                    strlen (MALFORMED_REQUEST));
  g_signal_connect (msg, "got-headers", G_CALLBACK (got_headers_cb), NULL);
}

static void
handler_cb (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  BaServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(Request) request = NULL;
  const Route *route = NULL;

  if (soup_server_message_get_status (msg) != 0)
    return;

  request = g_rc_box_new0 (Request);
  request->server = g_object_ref (self);
  request->msg = g_object_ref (msg);
  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_strdup (path);
  request->query = query != NULL ? g_hash_table_ref (query) : NULL;

  if (soup_server_message_get_request_body (msg)->length > MAX_BODY_SIZE)
    {
      respond_empty (request, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
      return;
    }

  /* Like Express (open-balena-api), a trailing slash names the same
   * route: "/ping/" is "/ping". */
  if (g_str_has_suffix (request->path, "/") && strlen (request->path) > 1)
    request->path[strlen (request->path) - 1] = '\0';

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      if (routes[i].prefix ? g_str_has_prefix (request->path, routes[i].path)
                           : g_str_equal (routes[i].path, request->path))
        {
          route = &routes[i];
          break;
        }
    }

  if (route == NULL)
    {
      respond_empty (request, SOUP_STATUS_NOT_FOUND);
      return;
    }

  if ((route->methods & method_flag (request->method)) == 0)
    {
      g_autoptr(GString) allow = g_string_new (NULL);

      if (route->methods & METHOD_GET)
        g_string_append (allow, "GET, HEAD");
      if (route->methods & METHOD_POST)
        g_string_append_printf (allow, "%sPOST", allow->len > 0 ? ", " : "");
      if (route->methods & METHOD_PATCH)
        g_string_append_printf (allow, "%sPATCH", allow->len > 0 ? ", " : "");
      if (route->methods & METHOD_DELETE)
        g_string_append_printf (allow, "%sDELETE", allow->len > 0 ? ", " : "");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", allow->str);
      respond_empty (request, SOUP_STATUS_METHOD_NOT_ALLOWED);
      return;
    }

  request->credential = ba_server_auth_resolve (self->auth,
                                                soup_message_headers_get_one (headers, "Authorization"),
                                                query != NULL ? g_hash_table_lookup (query, "apikey") : NULL);

  route->handler (self, request);
}

/* Demo data */

static char *
random_password (void)
{
  static const char alphabet[] =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  char *password = g_malloc (DEMO_PASSWORD_LENGTH + 1);

  for (guint i = 0; i < DEMO_PASSWORD_LENGTH; i++)
    password[i] = alphabet[randombytes_uniform (sizeof alphabet - 1)];
  password[DEMO_PASSWORD_LENGTH] = '\0';

  return password;
}

/* GObject */

static void
ba_server_dispose (GObject *object)
{
  BaServer *self = (BaServer *)object;

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);

  G_OBJECT_CLASS (ba_server_parent_class)->dispose (object);
}

static void
ba_server_finalize (GObject *object)
{
  BaServer *self = (BaServer *)object;

  g_clear_object (&self->web_login);
  g_clear_object (&self->login_limiter);
  g_clear_object (&self->totp);
  g_clear_pointer (&self->model, ba_odata_model_free);
  g_clear_object (&self->lifecycle);
  g_clear_object (&self->auth);
  g_clear_object (&self->store);
  g_clear_pointer (&self->outbox_dir, g_free);
  g_clear_pointer (&self->data_dir, g_free);

  G_OBJECT_CLASS (ba_server_parent_class)->finalize (object);
}

static void
ba_server_class_init (BaServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_server_dispose;
  object_class->finalize = ba_server_finalize;
}

static void
ba_server_init (BaServer *self)
{
  self->login_limiter = ba_server_rate_limiter_new (LOGIN_POINTS,
                                                    LOGIN_WINDOW_SECONDS,
                                                    LOGIN_BLOCK_SECONDS);
  self->model = ba_server_model_new ();
}

/* Public API */

BaServer *
ba_server_new (const char  *data_dir,
               GError     **error)
{
  g_autoptr(BaServer) self = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *secret_path = NULL;

  g_return_val_if_fail (data_dir != NULL, NULL);

  self = g_object_new (BA_TYPE_SERVER, NULL);
  self->data_dir = g_strdup (data_dir);
  self->outbox_dir = g_build_filename (data_dir, "outbox", NULL);

  if (g_mkdir_with_parents (data_dir, 0700) != 0 ||
      g_mkdir_with_parents (self->outbox_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Could not create %s: %s", self->outbox_dir, g_strerror (saved_errno));
      return NULL;
    }

  db_path = g_build_filename (data_dir, "server.db", NULL);
  self->store = ba_server_store_open (db_path, error);
  if (self->store == NULL)
    return NULL;

  /* A model that names a missing column would only fail on the first
   * query that uses it; refuse to start instead. */
  if (!ba_odata_model_check (self->model, ba_server_store_get_db (self->store), error))
    return NULL;

  secret_path = g_build_filename (data_dir, "jwt-secret", NULL);
  self->auth = ba_server_auth_new (self->store, secret_path, error);
  if (self->auth == NULL)
    return NULL;

  self->lifecycle = ba_server_lifecycle_new (self->store, self->auth, self->outbox_dir);
  self->web_login = ba_server_web_login_new (self->store, self->auth, self->login_limiter);
  self->totp = ba_server_totp_new (self->store, self->auth);
  ba_server_lifecycle_set_totp (self->lifecycle, self->totp);
  {
    /* The web login page asks 2FA users for their code, like /login_. */
    const BaServerWebLoginTwoFactor two_factor = {
      web_login_two_factor_state, web_login_check_code, self->totp,
      ba_server_totp_get_limiter (self->totp),
    };

    ba_server_web_login_set_two_factor (self->web_login, &two_factor);
  }

  return g_steal_pointer (&self);
}

/* The fleets' demo users (amara, bruno, …) are created after the lifecycle
 * migration, so they start unverified like any new account. */
static gboolean
mark_fleet_demo_users_verified (BaServer  *self,
                                GError   **error)
{
  g_auto(GStrv) usernames = ba_server_fleets_list_demo_usernames ();

  for (guint i = 0; usernames[i] != NULL; i++)
    {
      g_autoptr(BaServerUser) user = NULL;
      g_autoptr(GError) local_error = NULL;

      user = ba_server_store_find_user_by_username (self->store, usernames[i], &local_error);
      if (user == NULL)
        {
          if (local_error == NULL)
            g_set_error (&local_error, BA_ERROR, BA_ERROR_FAILED,
                         "The demo user %s is missing", usernames[i]);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      if (!ba_server_lifecycle_mark_verified (self->lifecycle, user->id, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
ba_server_seed_demo (BaServer  *self,
                     char     **out_email,
                     char     **out_username,
                     char     **out_password,
                     GError   **error)
{
  g_autoptr(BaServerUser) demo = NULL;
  g_autoptr(BaServerUser) social = NULL;
  g_autofree char *password_path = NULL;
  g_autofree char *password = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean have_password;

  g_return_val_if_fail (BA_IS_SERVER (self), FALSE);

  password_path = g_build_filename (self->data_dir, "demo-password", NULL);
  have_password = g_file_get_contents (password_path, &password, NULL, &local_error);
  if (!have_password && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_clear_error (&local_error);

  demo = ba_server_store_find_user_by_username (self->store, DEMO_USERNAME, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* A demo user without its password file (or a file without its user)
   * gets a new password, so what we print always works. */
  if (demo == NULL || !have_password || !ba_server_auth_check_password (self->auth, demo, password))
    {
      g_autofree char *hash = NULL;
      g_autofree char *jwt_secret = ba_server_auth_new_jwt_secret ();

      if (password != NULL)
        sodium_memzero (password, strlen (password));
      g_free (password);
      password = random_password ();

      hash = ba_server_auth_hash_password (self->auth, password, error);
      if (hash == NULL)
        return FALSE;

      if (demo == NULL)
        {
          demo = ba_server_store_create_user (self->store, DEMO_USERNAME, DEMO_EMAIL,
                                              hash, jwt_secret, error);
          if (demo == NULL)
            return FALSE;
        }
      else if (!ba_server_store_set_password (self->store, demo->id, hash, jwt_secret, error))
        return FALSE;

      if (!g_file_set_contents_full (password_path, password, -1,
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
        return FALSE;
    }

  social = ba_server_store_find_user_by_username (self->store, SOCIAL_USERNAME, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (social == NULL)
    {
      g_autofree char *jwt_secret = ba_server_auth_new_jwt_secret ();

      social = ba_server_store_create_user (self->store, SOCIAL_USERNAME, SOCIAL_EMAIL,
                                            NULL, jwt_secret, error);
      if (social == NULL)
        return FALSE;
    }

  /* The demo accounts never got a verification mail. */
  if (!ba_server_lifecycle_mark_verified (self->lifecycle, demo->id, error) ||
      !ba_server_lifecycle_mark_verified (self->lifecycle, social->id, error) ||
      !ba_server_fleets_seed_demo (self->store, demo->id, error) ||
      !mark_fleet_demo_users_verified (self, error))
    {
      sodium_memzero (password, strlen (password));
      return FALSE;
    }

  if (out_email != NULL)
    *out_email = g_strdup (demo->email);
  if (out_username != NULL)
    *out_username = g_strdup (demo->username);
  if (out_password != NULL)
    *out_password = g_steal_pointer (&password);

  if (password != NULL)
    sodium_memzero (password, strlen (password));

  return TRUE;
}

static gboolean
parse_address (const char      *address,
               GInetAddress   **out_inet,
               guint16         *out_port,
               GError         **error)
{
  g_autofree char *host = NULL;
  const char *colon = strrchr (address, ':');
  const char *port_text;
  guint64 port;

  if (colon == NULL)
    goto invalid;

  port_text = colon + 1;
  if (!g_ascii_string_to_unsigned (port_text, 10, 0, 65535, &port, NULL))
    goto invalid;

  host = g_strndup (address, colon - address);
  /* "[::1]:8080" */
  if (host[0] == '[' && host[strlen (host) - 1] == ']')
    {
      memmove (host, host + 1, strlen (host));
      host[strlen (host) - 1] = '\0';
    }

  if (g_str_equal (host, "localhost"))
    *out_inet = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    *out_inet = g_inet_address_new_from_string (host);

  if (*out_inet == NULL)
    goto invalid;

  *out_port = port;
  return TRUE;

invalid:
  g_set_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
               "Invalid listen address “%s”: expected IP:PORT, e.g. 127.0.0.1:0",
               address);
  return FALSE;
}

gboolean
ba_server_listen (BaServer    *self,
                  const char  *address,
                  const char  *tls_cert,
                  const char  *tls_key,
                  GError     **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  SoupServerListenOptions options = 0;
  guint16 port = 0;

  g_return_val_if_fail (BA_IS_SERVER (self), FALSE);
  g_return_val_if_fail (self->soup == NULL, FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  if (!parse_address (address, &inet, &port, error))
    return FALSE;

  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                           "--tls-cert and --tls-key go together");
      return FALSE;
    }

  /* Tokens and passwords travel in these requests: only loopback may see
   * them in the clear. */
  if (!g_inet_address_get_is_loopback (inet) && tls_cert == NULL)
    {
      g_set_error (error, BA_ERROR, BA_ERROR_INSECURE_URL,
                   "Refusing to listen on %s without TLS; pass --tls-cert and "
                   "--tls-key, or listen on a loopback address", address);
      return FALSE;
    }

  if (tls_cert != NULL)
    {
      certificate = g_tls_certificate_new_from_files (tls_cert, tls_key, error);
      if (certificate == NULL)
        return FALSE;
      options |= SOUP_SERVER_LISTEN_HTTPS;
    }

  self->soup = soup_server_new ("server-header", "balena-accounts-server/" PACKAGE_VERSION " ",
                                "tls-certificate", certificate,
                                NULL);
  soup_server_add_early_handler (self->soup, NULL, early_handler_cb, self, NULL);
  soup_server_add_handler (self->soup, NULL, handler_cb, self, NULL);
  g_signal_connect_object (self->soup, "request-started",
                           G_CALLBACK (request_started_cb), self, 0);
  g_signal_connect_object (self->soup, "request-finished",
                           G_CALLBACK (request_finished_cb), self, 0);

  socket_address = g_inet_socket_address_new (inet, port);
  if (!soup_server_listen (self->soup, socket_address, options, error))
    {
      g_clear_object (&self->soup);
      return FALSE;
    }

  return TRUE;
}

char *
ba_server_get_url (BaServer *self)
{
  GSList *uris;
  GUri *uri;
  char *url;

  g_return_val_if_fail (BA_IS_SERVER (self), NULL);
  g_return_val_if_fail (self->soup != NULL, NULL);

  uris = soup_server_get_uris (self->soup);
  g_return_val_if_fail (uris != NULL, NULL);
  uri = uris->data;

  url = g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL,
                    g_uri_get_host (uri), g_uri_get_port (uri), "", NULL, NULL);

  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return url;
}

BaServerWebLogin *
ba_server_get_web_login (BaServer *self)
{
  g_return_val_if_fail (BA_IS_SERVER (self), NULL);

  return self->web_login;
}

void
ba_server_set_dev_identity_provider (BaServer *self,
                                     gboolean  enabled)
{
  g_return_if_fail (BA_IS_SERVER (self));

  ba_server_web_login_set_dev_identity_provider (self->web_login, enabled);
}

const char *
ba_server_get_outbox_dir (BaServer *self)
{
  g_return_val_if_fail (BA_IS_SERVER (self), NULL);

  return self->outbox_dir;
}
