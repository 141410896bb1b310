/* ba-api-client.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-api-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ba-api-client.h"
#include "ba-api-client-private.h"
#include "ba-api-error.h"
#include "ba-api-key-private.h"
#include "ba-error.h"
#include "ba-api-client-private.h"
#include "ba-jwt.h"
#include "ba-wipe.h"

/* Idle keep-alive connections are dropped after this many seconds. */
#define IDLE_TIMEOUT_SECONDS 60

struct _BaApiClient
{
  GObject      parent_instance;

  SoupSession *session;
  char        *base_url;
  char        *token;      /* a credential: wiped on replace, never logged */
  guint        timeout;
};

G_DEFINE_FINAL_TYPE (BaApiClient, ba_api_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* What a successful answer must look like. */
typedef enum
{
  RESPONSE_ANY,        /* ping: any 2xx */
  RESPONSE_TOKEN,      /* a bare JWT as text/plain */
  RESPONSE_IDENTITY,   /* the /actor/v1/whoami object */
  RESPONSE_SECRET,     /* a new API key as a JSON string */
  RESPONSE_API_KEYS,   /* {"d":[…]} of api_key rows: all of them */
  RESPONSE_FIRST_API_KEY, /* {"d":[…]} of api_key rows: the first or NULL */
  RESPONSE_JSON,       /* any JSON document, or nothing (ba_api_client_request_json_async) */
  RESPONSE_RAW,        /* any status: a BaApiResponse for the caller to judge */
} ResponseKind;

typedef struct
{
  SoupMessage   *message;
  ResponseKind   kind;
  BaApiEndpoint  endpoint;
  gboolean       manages_keys;   /* creates, updates or revokes API keys */
  GBytes        *body;           /* kept for parsing in a worker thread */
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->message);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request);
}

static void
ba_api_client_finalize (GObject *object)
{
  BaApiClient *self = (BaApiClient *)object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->token, ba_wipe_string_free);

  G_OBJECT_CLASS (ba_api_client_parent_class)->finalize (object);
}

static void
ba_api_client_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  BaApiClient *self = BA_API_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;

    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_api_client_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  BaApiClient *self = BA_API_CLIENT (object);

  switch (prop_id)
    {
    case PROP_TIMEOUT:
      ba_api_client_set_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_api_client_class_init (BaApiClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_api_client_finalize;
  object_class->get_property = ba_api_client_get_property;
  object_class->set_property = ba_api_client_set_property;

  properties [PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  properties [PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL,
                       1, G_MAXUINT, BA_API_CLIENT_DEFAULT_TIMEOUT,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_api_client_init (BaApiClient *self)
{
  self->timeout = BA_API_CLIENT_DEFAULT_TIMEOUT;
  /* TLS errors are never ignored: no "accept-certificate" handler is ever
   * connected, so an untrusted certificate fails the request. */
  self->session = soup_session_new_with_options ("user-agent", "balena-accounts/" PACKAGE_VERSION,
                                                 "timeout", self->timeout,
                                                 "idle-timeout", IDLE_TIMEOUT_SECONDS,
                                                 NULL);
}

static gboolean
is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);

  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* Checks the URL rule (https anywhere, http only to loopback) and returns
 * the URL without trailing slashes, or NULL with an error. */
static char *
normalize_base_url (const char  *base_url,
                    GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *trimmed = NULL;
  const char *scheme;
  const char *host;
  gsize len;

  if (base_url == NULL)
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                           _("Enter the address of the server."));
      return NULL;
    }

  trimmed = g_strstrip (g_strdup (base_url));

  uri = g_uri_parse (trimmed, SOUP_HTTP_URI_FLAGS, NULL);
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (uri == NULL || host == NULL || host[0] == '\0')
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                           _("This is not a valid server address."));
      return NULL;
    }

  /* GUri lets some odd hosts through (spaces, for one). */
  for (const char *p = host; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x80 && !g_ascii_isalnum (*p) && strchr (".-_:%", *p) == NULL)
        {
          g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                               _("This is not a valid server address."));
          return NULL;
        }
    }

  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL ||
      g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                           _("The server address must not contain a query, fragment or user name."));
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    {
      /* Always fine. */
    }
  else if (g_ascii_strcasecmp (scheme, "http") == 0)
    {
      if (!is_loopback_host (host))
        {
          g_set_error_literal (error, BA_ERROR, BA_ERROR_INSECURE_URL,
                               _("Plain http:// is only allowed to this computer. Use an https:// address."));
          return NULL;
        }
    }
  else
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                           _("The server address must start with https://."));
      return NULL;
    }

  len = strlen (trimmed);
  while (len > 0 && trimmed[len - 1] == '/')
    trimmed[--len] = '\0';

  return g_steal_pointer (&trimmed);
}

BaApiClient *
ba_api_client_new (const char  *base_url,
                   GError     **error)
{
  BaApiClient *self;
  char *normalized;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  normalized = normalize_base_url (base_url, error);
  if (normalized == NULL)
    return NULL;

  self = g_object_new (BA_TYPE_API_CLIENT, NULL);
  self->base_url = normalized;

  return self;
}

const char *
ba_api_client_get_base_url (BaApiClient *self)
{
  g_return_val_if_fail (BA_IS_API_CLIENT (self), NULL);

  return self->base_url;
}

guint
ba_api_client_get_timeout (BaApiClient *self)
{
  g_return_val_if_fail (BA_IS_API_CLIENT (self), 0);

  return self->timeout;
}

void
ba_api_client_set_timeout (BaApiClient *self,
                           guint        seconds)
{
  g_return_if_fail (BA_IS_API_CLIENT (self));
  g_return_if_fail (seconds > 0);

  if (self->timeout == seconds)
    return;

  self->timeout = seconds;
  soup_session_set_timeout (self->session, seconds);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TIMEOUT]);
}

void
ba_api_client_set_token (BaApiClient *self,
                         const char  *token)
{
  g_return_if_fail (BA_IS_API_CLIENT (self));

  if (g_strcmp0 (self->token, token) == 0)
    return;

  g_clear_pointer (&self->token, ba_wipe_string_free);
  self->token = g_strdup (token);
}

/* Request bodies that carry a password are wiped when libsoup is done
 * with them. */
static void
wipe_and_free (gpointer data)
{
  ba_wipe_string_free (data);
}

static void
start_request (BaApiClient         *self,
               const char          *method,
               const char          *path,
               BaApiEndpoint        endpoint,
               ResponseKind         kind,
               char                *json_body,
               GCancellable        *cancellable,
               gpointer             source_tag,
               GAsyncReadyCallback  callback,
               gpointer             user_data);

static gboolean
uses_api_key (BaApiClient *self)
{
  /* The rule of BaSession and of every balena client: a credential that
   * is not a JWT is an API key. */
  return self->token != NULL && !ba_jwt_looks_like_jwt (self->token);
}

/* The body of a key creation: a JSON string of printable ASCII. Returns
 * NULL for anything else. */
static char *
parse_secret (const char *data,
              gsize       size)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  const char *value;
  char *key;

  if (data == NULL || size == 0)
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, size, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_VALUE (root) ||
      json_node_get_value_type (root) != G_TYPE_STRING)
    return NULL;

  value = json_node_get_string (root);
  key = g_strdup (value);
  sodium_memzero ((gpointer) value, strlen (value));

  for (const char *p = key; *p != '\0'; p++)
    {
      if (!g_ascii_isgraph (*p))
        {
          ba_wipe_string_free (key);
          return NULL;
        }
    }

  if (key[0] == '\0')
    {
      g_free (key);
      return NULL;
    }

  return key;
}

/* Parses {"d":[row, …]} into BaApiKeys. One bad row spoils the answer:
 * replacing a cached list with part of one would hide keys. */
static GPtrArray *
parse_api_keys (GBytes  *body,
                GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) parse_error = NULL;
  const char *data;
  JsonNode *root;
  JsonNode *d;
  JsonArray *rows;
  gsize size = 0;
  guint n;

  data = g_bytes_get_data (body, &size);
  if (data == NULL || size == 0 ||
      !json_parser_load_from_data (parser, data, size, &parse_error) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root) ||
      (d = json_object_get_member (json_node_get_object (root), "d")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (d))
    {
      g_debug ("The API key list is not {\"d\":[…]}: %s",
               parse_error != NULL ? parse_error->message : "wrong shape");
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                           _("The server sent a list of API keys that could not be understood."));
      return NULL;
    }

  rows = json_node_get_array (d);
  n = json_array_get_length (rows);
  keys = g_ptr_array_new_full (n, g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *row = json_array_get_element (rows, i);
      BaApiKey *key;

      if (!JSON_NODE_HOLDS_OBJECT (row))
        {
          g_debug ("API key row %u is not an object", i);
          g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                               _("The server sent a list of API keys that could not be understood."));
          return NULL;
        }

      key = ba_api_key_new_from_json (json_node_get_object (row), error);
      if (key == NULL)
        {
          g_debug ("API key row %u lacks a valid id, name or date", i);
          return NULL;
        }

      g_ptr_array_add (keys, key);
    }

  return g_steal_pointer (&keys);
}

static void
parse_api_keys_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  Request *request = task_data;
  g_autoptr(GPtrArray) keys = NULL;
  GError *error = NULL;

  keys = parse_api_keys (request->body, &error);
  if (keys == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (request->kind == RESPONSE_FIRST_API_KEY)
    {
      if (keys->len == 0)
        g_task_return_pointer (task, NULL, NULL);
      else
        g_task_return_pointer (task, g_object_ref (g_ptr_array_index (keys, 0)), g_object_unref);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&keys), (GDestroyNotify) g_ptr_array_unref);
}

static void
request_sent_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SoupSession *session = SOUP_SESSION (object);
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  guint status;

  body = soup_session_send_and_read_finish (session, result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, ba_api_error_from_transport (error));
      return;
    }

  status = soup_message_get_status (request->message);
  headers = soup_message_get_response_headers (request->message);
  g_debug ("%s %s → %u",
           soup_message_get_method (request->message),
           g_uri_get_path (soup_message_get_uri (request->message)),
           status);

  if (request->kind == RESPONSE_RAW)
    {
      BaApiResponse *response = g_new0 (BaApiResponse, 1);

      response->status = status;
      response->body = g_steal_pointer (&body);
      response->retry_after = g_strdup (soup_message_headers_get_one (headers, "Retry-After"));
      g_task_return_pointer (task, response, (GDestroyNotify) ba_api_response_free);
      return;
    }

  /* An API key is refused on the routes that manage keys; that is no
   * sign that the session ended, and only a password login helps. */
  if (status == SOUP_STATUS_UNAUTHORIZED && request->manages_keys &&
      uses_api_key (g_task_get_source_object (task)))
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_PERMISSION_DENIED,
                               "%s", _("API keys cannot manage API keys. Log in with your password to create, change or revoke keys."));
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      /* The error only says the wait in words; the number goes with the
       * task for ba_api_client_get_retry_after(). */
      if (status == 429)
        g_object_set_data (G_OBJECT (task), BA_API_CLIENT_RETRY_AFTER_KEY,
                           GUINT_TO_POINTER ((guint) ba_api_error_parse_retry_after (soup_message_headers_get_one (headers, "Retry-After"))));

      g_task_return_error (task,
                           ba_api_error_from_response (status, body,
                                                       soup_message_headers_get_one (headers, "Retry-After"),
                                                       request->endpoint));
      return;
    }

  switch (request->kind)
    {
    case RESPONSE_ANY:
      g_task_return_boolean (task, TRUE);
      break;

    case RESPONSE_TOKEN:
      {
        gsize size = 0;
        const char *data = g_bytes_get_data (body, &size);
        g_autoptr(BaSecretString) token = g_strstrip (g_strndup (data != NULL ? data : "", size));

        if (token[0] == '\0' || !ba_jwt_looks_like_jwt (token))
          {
            /* The body may be a token after all; only its size is logged. */
            g_debug ("Expected a session token, got %" G_GSIZE_FORMAT " bytes of something else", size);
            g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                                     "%s", _("The server sent an invalid session token."));
            return;
          }

        g_task_return_pointer (task, g_steal_pointer (&token), (GDestroyNotify) ba_wipe_string_free);
      }
      break;

    case RESPONSE_IDENTITY:
      {
        g_autoptr(JsonParser) parser = json_parser_new ();
        g_autoptr(GError) parse_error = NULL;
        g_autoptr(BaIdentity) identity = NULL;
        JsonObject *fields;
        JsonNode *root;
        JsonNode *node;
        gsize size = 0;
        const char *data = g_bytes_get_data (body, &size);

        if (data == NULL || size == 0 ||
            !json_parser_load_from_data (parser, data, size, &parse_error) ||
            (root = json_parser_get_root (parser)) == NULL ||
            !JSON_NODE_HOLDS_OBJECT (root))
          {
            g_debug ("whoami answered something that is not a JSON object: %s",
                     parse_error != NULL ? parse_error->message : "wrong shape");
            g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                                     "%s", _("The server sent an answer that could not be understood."));
            return;
          }

        fields = json_node_get_object (root);

        node = json_object_get_member (fields, "actorType");
        if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
            json_node_get_value_type (node) != G_TYPE_STRING)
          {
            g_debug ("whoami answer lacks actorType");
            g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                                     "%s", _("The server sent an answer that could not be understood."));
            return;
          }

        if (g_strcmp0 (json_node_get_string (node), "user") != 0)
          {
            g_debug ("whoami answered for an actor that is not a user");
            g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_TOKEN,
                                     "%s", _("This credential does not belong to a user account."));
            return;
          }

        identity = g_new0 (BaIdentity, 1);
        node = json_object_get_member (fields, "id");
        if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
          identity->actor_id = json_node_get_int (node);
        node = json_object_get_member (fields, "actorTypeId");
        if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
          identity->user_id = json_node_get_int (node);
        node = json_object_get_member (fields, "username");
        if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
          identity->username = g_strdup (json_node_get_string (node));
        node = json_object_get_member (fields, "email");
        if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
          identity->email = g_strdup (json_node_get_string (node));
        else if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
          g_clear_pointer (&identity->username, g_free);   /* marks the answer as malformed */

        if (identity->actor_id <= 0 || identity->user_id <= 0 ||
            identity->username == NULL || identity->username[0] == '\0')
          {
            g_debug ("whoami answer lacks id, actorTypeId or username");
            g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                                     "%s", _("The server sent an answer that could not be understood."));
            return;
          }

        g_task_return_pointer (task, g_steal_pointer (&identity), (GDestroyNotify) ba_identity_free);
      }
      break;

    case RESPONSE_SECRET:
      {
        gsize size = 0;
        const char *data = g_bytes_get_data (body, &size);
        g_autoptr(BaSecretString) key = parse_secret (data, size);

        /* Only this buffer is ours to wipe; libsoup's own copies are out
         * of reach. */
        if (data != NULL)
          sodium_memzero ((gpointer) data, size);

        if (key == NULL)
          {
            g_debug ("Expected a new API key as a JSON string, got %" G_GSIZE_FORMAT " bytes of something else", size);
            g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                                     "%s", _("The server did not send the new API key. It may have been created anyway: check the list and revoke it if it has no use."));
            return;
          }

        g_task_return_pointer (task, g_steal_pointer (&key), (GDestroyNotify) ba_wipe_string_free);
      }
      break;

    case RESPONSE_JSON:
      {
        g_autoptr(JsonParser) parser = json_parser_new ();
        g_autoptr(GError) parse_error = NULL;
        gsize size = 0;
        const char *data = g_bytes_get_data (body, &size);

        /* PATCH and DELETE answer with an empty body. */
        if (data == NULL || size == 0)
          {
            g_task_return_pointer (task, json_node_new (JSON_NODE_NULL),
                                   (GDestroyNotify) json_node_unref);
            return;
          }

        if (!json_parser_load_from_data (parser, data, size, &parse_error) ||
            json_parser_get_root (parser) == NULL)
          {
            g_debug ("Expected JSON, got %" G_GSIZE_FORMAT " bytes of something else: %s",
                     size, parse_error != NULL ? parse_error->message : "no root");
            g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                                     "%s", _("The server sent an answer that could not be understood."));
            return;
          }

        g_task_return_pointer (task, json_parser_steal_root (parser),
                               (GDestroyNotify) json_node_unref);
      }
      break;

    case RESPONSE_API_KEYS:
    case RESPONSE_FIRST_API_KEY:
      /* Ten thousand keys are a couple of megabytes of JSON: parsed off
       * the main thread so the window stays responsive. */
      request->body = g_steal_pointer (&body);
      g_task_run_in_thread (task, parse_api_keys_thread);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
start_request_full (BaApiClient         *self,
                    const char          *method,
                    const char          *path,
                    BaApiEndpoint        endpoint,
                    ResponseKind         kind,
                    gboolean             manages_keys,
                    char                *json_body,
                    GCancellable        *cancellable,
                    gpointer             source_tag,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *url = NULL;
  Request *request;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  url = g_strconcat (self->base_url, path, NULL);
  request = g_new0 (Request, 1);
  request->kind = kind;
  request->endpoint = endpoint;
  request->manages_keys = manages_keys;
  request->message = soup_message_new (method, url);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  if (request->message == NULL)
    {
      ba_wipe_string_free (json_body);
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_INPUT,
                               "%s", _("This is not a valid server address."));
      return;
    }

  /* The API never redirects; following one could carry the credential to
   * another host or down to plain http. A 3xx is reported instead. */
  soup_message_add_flags (request->message, SOUP_MESSAGE_NO_REDIRECT);

  if (endpoint != BA_API_ENDPOINT_PUBLIC && endpoint != BA_API_ENDPOINT_LOGIN &&
      self->token != NULL)
    {
      g_autoptr(BaSecretString) header = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (request->message),
                                    "Authorization", header);
    }

  if (json_body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_with_free_func (json_body, strlen (json_body),
                                                            wipe_and_free, json_body);

      soup_message_set_request_body_from_bytes (request->message, "application/json", bytes);
    }

  /* Only the method and path are logged: never headers or bodies, which
   * carry the Authorization credential and passwords. */
  g_debug ("%s %s (Authorization: %s)", method, path,
           soup_message_headers_get_one (soup_message_get_request_headers (request->message),
                                         "Authorization") != NULL ? "[redacted]" : "none");

  soup_session_send_and_read_async (self->session, request->message, G_PRIORITY_DEFAULT,
                                    cancellable, request_sent_cb, g_object_ref (task));
}

static void
start_request (BaApiClient         *self,
               const char          *method,
               const char          *path,
               BaApiEndpoint        endpoint,
               ResponseKind         kind,
               char                *json_body,
               GCancellable        *cancellable,
               gpointer             source_tag,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  start_request_full (self, method, path, endpoint, kind, FALSE, json_body,
                      cancellable, source_tag, callback, user_data);
}

static char *
build_json_body (const char *first_name,
                 ...) G_GNUC_NULL_TERMINATED;

/* Builds {"name": "value", …} from name/value pairs. The result may hold a
 * password: free it with ba_wipe_string_free(). */
static char *
build_json_body (const char *first_name,
                 ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *name;
  va_list args;

  json_builder_begin_object (builder);
  va_start (args, first_name);
  for (name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      json_builder_set_member_name (builder, name);
      json_builder_add_string_value (builder, va_arg (args, const char *));
    }
  va_end (args);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

void
ba_api_client_send_async (BaApiClient         *self,
                          const char          *method,
                          const char          *path,
                          gboolean             authenticated,
                          char                *json_body,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (BA_IS_API_CLIENT (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path != NULL);

  start_request (self, method, path,
                 authenticated ? BA_API_ENDPOINT_AUTHENTICATED : BA_API_ENDPOINT_PUBLIC,
                 RESPONSE_RAW, json_body, cancellable, ba_api_client_send_async,
                 callback, user_data);
}

BaApiResponse *
ba_api_client_send_finish (BaApiClient   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (BA_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_api_client_send_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_api_response_free (BaApiResponse *response)
{
  if (response == NULL)
    return;

  /* Bodies may hold a token: wiped before they go. */
  if (response->body != NULL)
    {
      gsize size = 0;
      const char *data = g_bytes_get_data (response->body, &size);

      if (data != NULL)
        sodium_memzero ((gpointer) data, size);
    }
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response->retry_after);
  g_free (response);
}

static gboolean
check_task (BaApiClient  *self,
            GAsyncResult *result,
            gpointer      source_tag)
{
  g_return_val_if_fail (BA_IS_API_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return TRUE;
}

void
ba_api_client_ping_async (BaApiClient         *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (BA_IS_API_CLIENT (self));

  start_request (self, "GET", "/ping", BA_API_ENDPOINT_PUBLIC, RESPONSE_ANY, NULL,
                 cancellable, ba_api_client_ping_async, callback, user_data);
}

gboolean
ba_api_client_ping_finish (BaApiClient   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  if (!check_task (self, result, ba_api_client_ping_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ba_api_client_login_async (BaApiClient         *self,
                           const char          *username,
                           const char          *password,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (BA_IS_API_CLIENT (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (password != NULL);

  if (username[0] == '\0' || password[0] == '\0')
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, ba_api_client_login_async);
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_INPUT,
                               "%s", _("Enter your username or email and your password."));
      return;
    }

  start_request (self, "POST", "/login_", BA_API_ENDPOINT_LOGIN, RESPONSE_TOKEN,
                 build_json_body ("username", username, "password", password, NULL),
                 cancellable, ba_api_client_login_async, callback, user_data);
}

guint
ba_api_client_get_retry_after (GAsyncResult *result)
{
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), 0);

  return GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (result), BA_API_CLIENT_RETRY_AFTER_KEY));
}

char *
ba_api_client_login_finish (BaApiClient   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  if (!check_task (self, result, ba_api_client_login_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_api_client_whoami_async (BaApiClient         *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (BA_IS_API_CLIENT (self));

  start_request (self, "GET", "/actor/v1/whoami", BA_API_ENDPOINT_AUTHENTICATED, RESPONSE_IDENTITY,
                 NULL, cancellable, ba_api_client_whoami_async, callback, user_data);
}

BaIdentity *
ba_api_client_whoami_finish (BaApiClient   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  if (!check_task (self, result, ba_api_client_whoami_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_api_client_refresh_token_async (BaApiClient         *self,
                                   const char          *password,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (BA_IS_API_CLIENT (self));

  /* With a password, a 401 most likely means the password was wrong (the
   * session itself was valid a moment ago). */
  if (password != NULL)
    start_request (self, "POST", "/user/v1/refresh-token", BA_API_ENDPOINT_PASSWORD, RESPONSE_TOKEN,
                   build_json_body ("password", password, NULL),
                   cancellable, ba_api_client_refresh_token_async, callback, user_data);
  else
    start_request (self, "GET", "/user/v1/refresh-token", BA_API_ENDPOINT_AUTHENTICATED, RESPONSE_TOKEN,
                   NULL, cancellable, ba_api_client_refresh_token_async, callback, user_data);
}

char *
ba_api_client_refresh_token_finish (BaApiClient   *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  if (!check_task (self, result, ba_api_client_refresh_token_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* API keys */

static void
return_early_error (BaApiClient         *self,
                    GCancellable        *cancellable,
                    gpointer             source_tag,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data,
                    GError              *error)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_return_error (task, error);
}

/* {"<name_member>": name, "description": …|null, "<expiry_member>": ISO|null}.
 * The two APIs spell the expiry differently (expiryDate on creation,
 * expiry_date in OData). */
static char *
build_key_body (const char *name,
                const char *description,
                const char *expiry_member,
                gint64      expiry_date)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *expiry = NULL;

  if (expiry_date != 0)
    expiry = ba_api_key_format_date (expiry_date);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "description");
  if (description != NULL && description[0] != '\0')
    json_builder_add_string_value (builder, description);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, expiry_member);
  if (expiry != NULL)
    json_builder_add_string_value (builder, expiry);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

static GError *
check_key_fields (const char *name,
                  gint64      expiry_date)
{
  if (name == NULL || name[0] == '\0')
    return g_error_new_literal (BA_ERROR, BA_ERROR_INVALID_INPUT,
                                _("Enter a name for the API key."));

  if (!g_utf8_validate (name, -1, NULL))
    return g_error_new_literal (BA_ERROR, BA_ERROR_INVALID_INPUT,
                                _("The name of the API key is not valid text."));

  /* 9999-12-31T23:59:59Z is the last date ISO-8601 can write in four
   * digits. */
  if (expiry_date < 0 || expiry_date > G_GINT64_CONSTANT (253402300799))
    return g_error_new_literal (BA_ERROR, BA_ERROR_INVALID_INPUT,
                                _("The expiry date is not a valid date."));

  return NULL;
}

void
ba_api_client_create_api_key_async (BaApiClient         *self,
                                    const char          *name,
                                    const char          *description,
                                    gint64               expiry_date,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GError *error;

  g_return_if_fail (BA_IS_API_CLIENT (self));

  error = check_key_fields (name, expiry_date);
  if (error != NULL)
    {
      return_early_error (self, cancellable, ba_api_client_create_api_key_async,
                          callback, user_data, error);
      return;
    }

  start_request_full (self, "POST", "/api-key/user/full", BA_API_ENDPOINT_AUTHENTICATED,
                      RESPONSE_SECRET, TRUE,
                      build_key_body (name, description, "expiryDate", expiry_date),
                      cancellable, ba_api_client_create_api_key_async, callback, user_data);
}

char *
ba_api_client_create_api_key_finish (BaApiClient   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  if (!check_task (self, result, ba_api_client_create_api_key_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

#define API_KEY_SELECT "$select=id,created_at,name,description,expiry_date"

void
ba_api_client_list_api_keys_async (BaApiClient         *self,
                                   gint64               actor_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (BA_IS_API_CLIENT (self));
  g_return_if_fail (actor_id > 0);

  /* The CLI's query (account-api.md section 6): "name ne null" leaves out
   * legacy unnamed keys. */
  path = g_strdup_printf ("/v7/api_key?" API_KEY_SELECT
                          "&$filter=is_of__actor%%20eq%%20%" G_GINT64_FORMAT "%%20and%%20name%%20ne%%20null"
                          "&$orderby=name%%20asc",
                          actor_id);
  start_request (self, "GET", path, BA_API_ENDPOINT_AUTHENTICATED, RESPONSE_API_KEYS, NULL,
                 cancellable, ba_api_client_list_api_keys_async, callback, user_data);
}

GPtrArray *
ba_api_client_list_api_keys_finish (BaApiClient   *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  if (!check_task (self, result, ba_api_client_list_api_keys_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_api_client_find_newest_api_key_async (BaApiClient         *self,
                                         gint64               actor_id,
                                         const char          *name,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GString) quoted = NULL;
  g_autofree char *filter = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (BA_IS_API_CLIENT (self));
  g_return_if_fail (actor_id > 0);
  g_return_if_fail (name != NULL);

  /* An OData string literal doubles its quotes; the whole filter is then
   * percent-encoded, so no character of the name can end the query. */
  quoted = g_string_new (name);
  g_string_replace (quoted, "'", "''", 0);
  filter = g_strdup_printf ("is_of__actor eq %" G_GINT64_FORMAT " and name eq '%s'",
                            actor_id, quoted->str);
  escaped = g_uri_escape_string (filter, NULL, FALSE);
  path = g_strdup_printf ("/v7/api_key?" API_KEY_SELECT "&$filter=%s&$orderby=id%%20desc&$top=1",
                          escaped);
  start_request (self, "GET", path, BA_API_ENDPOINT_AUTHENTICATED, RESPONSE_FIRST_API_KEY, NULL,
                 cancellable, ba_api_client_find_newest_api_key_async, callback, user_data);
}

BaApiKey *
ba_api_client_find_newest_api_key_finish (BaApiClient   *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  if (!check_task (self, result, ba_api_client_find_newest_api_key_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_api_client_update_api_key_async (BaApiClient         *self,
                                    gint64               id,
                                    const char          *name,
                                    const char          *description,
                                    gint64               expiry_date,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autofree char *path = NULL;
  GError *error;

  g_return_if_fail (BA_IS_API_CLIENT (self));
  g_return_if_fail (id > 0);

  error = check_key_fields (name, expiry_date);
  if (error != NULL)
    {
      return_early_error (self, cancellable, ba_api_client_update_api_key_async,
                          callback, user_data, error);
      return;
    }

  path = g_strdup_printf ("/v7/api_key(%" G_GINT64_FORMAT ")", id);
  start_request_full (self, "PATCH", path, BA_API_ENDPOINT_AUTHENTICATED, RESPONSE_ANY, TRUE,
                      build_key_body (name, description, "expiry_date", expiry_date),
                      cancellable, ba_api_client_update_api_key_async, callback, user_data);
}

gboolean
ba_api_client_update_api_key_finish (BaApiClient   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  if (!check_task (self, result, ba_api_client_update_api_key_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ba_api_client_revoke_api_key_async (BaApiClient         *self,
                                    gint64               id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (BA_IS_API_CLIENT (self));
  g_return_if_fail (id > 0);

  path = g_strdup_printf ("/v7/api_key(%" G_GINT64_FORMAT ")", id);
  start_request_full (self, "DELETE", path, BA_API_ENDPOINT_AUTHENTICATED, RESPONSE_ANY, TRUE,
                      NULL, cancellable, ba_api_client_revoke_api_key_async, callback, user_data);
}

gboolean
ba_api_client_revoke_api_key_finish (BaApiClient   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  if (!check_task (self, result, ba_api_client_revoke_api_key_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ba_api_client_request_json_async (BaApiClient         *self,
                                  const char          *method,
                                  const char          *path_and_query,
                                  JsonNode            *body,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  char *json = NULL;

  g_return_if_fail (BA_IS_API_CLIENT (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (path_and_query != NULL && path_and_query[0] == '/');

  if (body != NULL)
    json = json_to_string (body, FALSE);

  start_request (self, method, path_and_query, BA_API_ENDPOINT_AUTHENTICATED, RESPONSE_JSON,
                 json, cancellable, ba_api_client_request_json_async, callback, user_data);
}

JsonNode *
ba_api_client_request_json_finish (BaApiClient   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  if (!check_task (self, result, ba_api_client_request_json_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}
