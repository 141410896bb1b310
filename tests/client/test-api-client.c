/* test-api-client.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <libsoup/soup.h>

#include "ba-api-client.h"
#include "ba-client-test-utils.h"
#include "ba-error.h"
#include "ba-jwt.h"
#include "ba-session.h"
#include "ba-test-server.h"

static char *tmpdir;
static BaTestServer *server;

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static BaApiClient *
client_new (const char *url)
{
  g_autoptr(GError) error = NULL;
  BaApiClient *client = ba_api_client_new (url, &error);

  g_assert_no_error (error);
  g_assert_nonnull (client);

  return client;
}

static gboolean
ping (BaApiClient   *client,
      GCancellable  *cancellable,
      GError       **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  ba_api_client_ping_async (client, cancellable, ba_client_test_store_result, &result);
  ok = ba_api_client_ping_finish (client, ba_client_test_wait (&result), error);
  g_object_unref (result);

  return ok;
}

static char *
login (BaApiClient  *client,
       const char   *username,
       const char   *password,
       GError      **error)
{
  GAsyncResult *result = NULL;
  char *token;

  ba_api_client_login_async (client, username, password, NULL, ba_client_test_store_result, &result);
  token = ba_api_client_login_finish (client, ba_client_test_wait (&result), error);
  g_object_unref (result);

  return token;
}

static BaIdentity *
whoami (BaApiClient  *client,
        GError      **error)
{
  GAsyncResult *result = NULL;
  BaIdentity *identity;

  ba_api_client_whoami_async (client, NULL, ba_client_test_store_result, &result);
  identity = ba_api_client_whoami_finish (client, ba_client_test_wait (&result), error);
  g_object_unref (result);

  return identity;
}

static char *
refresh (BaApiClient  *client,
         const char   *password,
         GError      **error)
{
  GAsyncResult *result = NULL;
  char *token;

  ba_api_client_refresh_token_async (client, password, NULL, ba_client_test_store_result, &result);
  token = ba_api_client_refresh_token_finish (client, ba_client_test_wait (&result), error);
  g_object_unref (result);

  return token;
}

static char *
demo_login (BaApiClient *client)
{
  g_autoptr(GError) error = NULL;
  char *token = login (client, ba_test_server_get_demo_username (server),
                       ba_test_server_get_demo_password (server), &error);

  g_assert_no_error (error);
  g_assert_nonnull (token);

  return token;
}

/* URL rules */

static void
test_url_rules (void)
{
  struct {
    const char *url;
    int         code;   /* -1: accepted */
    const char *normalized;
  } cases[] = {
    { "https://api.balena-cloud.com", -1, "https://api.balena-cloud.com" },
    { "https://api.example.com///", -1, "https://api.example.com" },
    { "  https://api.example.com/  ", -1, "https://api.example.com" },
    { "http://127.0.0.1:1", -1, "http://127.0.0.1:1" },
    { "http://127.8.9.10:8080/", -1, "http://127.8.9.10:8080" },
    { "http://[::1]:1", -1, "http://[::1]:1" },
    { "http://localhost", -1, "http://localhost" },
    { "HTTP://LOCALHOST:3000/", -1, "HTTP://LOCALHOST:3000" },
    { "http://example.com", BA_ERROR_INSECURE_URL, NULL },
    { "http://10.0.0.1:80", BA_ERROR_INSECURE_URL, NULL },
    { "http://localhost.example.com", BA_ERROR_INSECURE_URL, NULL },
    { "ftp://example.com", BA_ERROR_INVALID_INPUT, NULL },
    { "file:///etc/passwd", BA_ERROR_INVALID_INPUT, NULL },
    { "api.example.com", BA_ERROR_INVALID_INPUT, NULL },
    { "", BA_ERROR_INVALID_INPUT, NULL },
    { "https://", BA_ERROR_INVALID_INPUT, NULL },
    { "https://exa mple.com", BA_ERROR_INVALID_INPUT, NULL },
    { "https://user:pw@api.example.com", BA_ERROR_INVALID_INPUT, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BaApiClient) client = ba_api_client_new (cases[i].url, &error);

      g_test_message ("URL \"%s\"", cases[i].url);
      if (cases[i].code < 0)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (ba_api_client_get_base_url (client), ==, cases[i].normalized);
        }
      else
        {
          g_assert_null (client);
          g_assert_error (error, BA_ERROR, cases[i].code);
        }
    }
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
test_timeout_property (void)
{
  g_autoptr(BaApiClient) client = client_new ("https://api.example.com");
  guint notified = 0;
  guint value = 0;

  g_assert_cmpuint (ba_api_client_get_timeout (client), ==, BA_API_CLIENT_DEFAULT_TIMEOUT);
  g_signal_connect (client, "notify::timeout", G_CALLBACK (count_notify_cb), &notified);
  ba_api_client_set_timeout (client, 5);
  ba_api_client_set_timeout (client, 5);
  g_object_get (client, "timeout", &value, NULL);
  g_assert_cmpuint (value, ==, 5);
  g_assert_cmpuint (notified, ==, 1);
}

/* Against the real server */

static void
test_ping (void)
{
  g_autoptr(BaApiClient) client = client_new (ba_test_server_get_url (server));
  g_autoptr(GError) error = NULL;

  g_assert_true (ping (client, NULL, &error));
  g_assert_no_error (error);
}

static void
check_demo_token (const char *token)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSession) session = ba_session_new (token, &error);

  g_assert_no_error (error);
  g_assert_false (ba_session_is_api_key (session));
  g_assert_cmpint (ba_session_get_user_id (session), >, 0);
  g_assert_false (ba_session_is_expired (session, now_seconds ()));
  g_assert_true (ba_session_is_fresh (session, now_seconds ()));
}

static void
test_login_email (void)
{
  g_autoptr(BaApiClient) client = client_new (ba_test_server_get_url (server));
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  token = login (client, ba_test_server_get_demo_email (server),
                 ba_test_server_get_demo_password (server), &error);
  g_assert_no_error (error);
  g_assert_true (ba_jwt_looks_like_jwt (token));
  check_demo_token (token);
}

static void
test_login_username (void)
{
  g_autoptr(BaApiClient) client = client_new (ba_test_server_get_url (server));
  g_autofree char *token = demo_login (client);

  check_demo_token (token);
}

static void
test_wrong_password (void)
{
  g_autoptr(BaApiClient) client = client_new (ba_test_server_get_url (server));
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *empty = NULL;

  token = login (client, ba_test_server_get_demo_email (server), "not-the-password", &error);
  g_assert_null (token);
  g_assert_error (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);

  unknown = login (client, "no-such-user-here", "whatever-password", &error);
  g_assert_null (unknown);
  g_assert_error (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
  g_clear_error (&error);

  /* Refused before anything is sent. */
  empty = login (client, ba_test_server_get_demo_email (server), "", &error);
  g_assert_null (empty);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
}

static void
test_whoami (void)
{
  g_autoptr(BaApiClient) client = client_new (ba_test_server_get_url (server));
  g_autofree char *token = demo_login (client);
  g_autoptr(BaIdentity) identity = NULL;
  g_autoptr(BaIdentity) copy = NULL;
  g_autoptr(BaSession) session = ba_session_new (token, NULL);
  g_autoptr(GError) error = NULL;

  ba_api_client_set_token (client, token);
  identity = whoami (client, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (identity->username, ==, ba_test_server_get_demo_username (server));
  g_assert_cmpstr (identity->email, ==, ba_test_server_get_demo_email (server));
  g_assert_cmpint (identity->user_id, ==, ba_session_get_user_id (session));
  /* The actor id is a different number from the user id. */
  g_assert_cmpint (identity->actor_id, >, 0);
  g_assert_cmpint (identity->user_id, !=, identity->actor_id);

  copy = ba_identity_copy (identity);
  g_assert_cmpstr (copy->username, ==, identity->username);
  g_assert_true (copy->username != identity->username);
  g_assert_true (G_TYPE_IS_BOXED (BA_TYPE_IDENTITY));
}

static void
test_whoami_unauthenticated (void)
{
  g_autoptr(BaApiClient) client = client_new (ba_test_server_get_url (server));
  g_autoptr(BaIdentity) none = NULL;
  g_autoptr(BaIdentity) garbage = NULL;
  g_autoptr(GError) error = NULL;

  none = whoami (client, &error);
  g_assert_null (none);
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN);
  g_clear_error (&error);

  ba_api_client_set_token (client, "eyJhbGciOiJIUzI1NiJ9.eyJpZCI6MX0.forged");
  garbage = whoami (client, &error);
  g_assert_null (garbage);
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN);
}

/* Re-signs @token with the server's secret after moving its authTime
 * back, so it is a valid session token that is no longer fresh. */
static char *
make_stale (const char *token)
{
  g_autoptr(GBytes) secret = ba_test_server_get_jwt_secret (server);
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const guint8 *data;

  g_assert_nonnull (secret);
  data = g_bytes_get_data (secret, &len);
  claims = ba_jwt_decode (token, data, len, &error);
  g_assert_no_error (error);
  json_object_set_int_member (claims, "authTime", (now_seconds () - 60 * 60) * 1000);

  return ba_jwt_encode_hs256 (claims, data, len);
}

static void
test_refresh (void)
{
  g_autoptr(BaApiClient) client = client_new (ba_test_server_get_url (server));
  g_autofree char *token = demo_login (client);
  g_autofree char *stale = make_stale (token);
  g_autofree char *refreshed = NULL;
  g_autofree char *fresh = NULL;
  g_autofree char *wrong = NULL;
  g_autoptr(BaSession) stale_session = ba_session_new (stale, NULL);
  g_autoptr(BaSession) refreshed_session = NULL;
  g_autoptr(BaSession) fresh_session = NULL;
  g_autoptr(BaIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (stale_session);
  g_assert_false (ba_session_is_fresh (stale_session, now_seconds ()));
  ba_api_client_set_token (client, stale);

  /* GET keeps authTime: still not fresh. */
  refreshed = refresh (client, NULL, &error);
  g_assert_no_error (error);
  refreshed_session = ba_session_new (refreshed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ba_session_get_user_id (refreshed_session), ==, ba_session_get_user_id (stale_session));
  g_assert_cmpint (ba_session_get_auth_time (refreshed_session), ==, ba_session_get_auth_time (stale_session));
  g_assert_false (ba_session_is_fresh (refreshed_session, now_seconds ()));

  /* POST with the password makes it fresh. */
  ba_api_client_set_token (client, refreshed);
  fresh = refresh (client, ba_test_server_get_demo_password (server), &error);
  g_assert_no_error (error);
  fresh_session = ba_session_new (fresh, &error);
  g_assert_no_error (error);
  g_assert_true (ba_session_is_fresh (fresh_session, now_seconds ()));

  /* The new token works. */
  ba_api_client_set_token (client, fresh);
  identity = whoami (client, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (identity->username, ==, ba_test_server_get_demo_username (server));

  wrong = refresh (client, "definitely-wrong", &error);
  g_assert_null (wrong);
  g_assert_error (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
}

static void
test_rate_limit (void)
{
  g_autoptr(BaApiClient) client = client_new (ba_test_server_get_url (server));
  g_autoptr(GError) error = NULL;
  guint attempts;

  /* Its own username, so the limit does not touch the demo user. */
  for (attempts = 1; attempts <= 20; attempts++)
    {
      g_autofree char *token = NULL;

      g_clear_error (&error);
      token = login (client, "rate-limit-target", "wrong-password", &error);
      g_assert_null (token);
      if (g_error_matches (error, BA_ERROR, BA_ERROR_TOO_MANY_ATTEMPTS))
        break;
      g_assert_error (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);
    }

  g_test_message ("limited after %u attempts: %s", attempts, error->message);
  g_assert_error (error, BA_ERROR, BA_ERROR_TOO_MANY_ATTEMPTS);
  g_assert_cmpuint (attempts, ==, 11);
  g_assert_true (g_str_has_prefix (error->message, "Too many attempts. Try again in "));
  g_assert_null (strstr (error->message, "later"));
}

static void
test_server_down (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaApiClient) client = NULL;
  g_autofree char *token = NULL;
  g_autofree char *url = NULL;
  BaTestServer *gone;

  gone = ba_test_server_start (FALSE, &error);
  g_assert_no_error (error);
  url = g_strdup (ba_test_server_get_url (gone));
  ba_test_server_stop (gone);

  client = client_new (url);
  g_assert_false (ping (client, NULL, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_OFFLINE);
  g_clear_error (&error);

  token = login (client, "someone", "something", &error);
  g_assert_null (token);
  g_assert_error (error, BA_ERROR, BA_ERROR_OFFLINE);
}

/* Secrets never reach the log */

static void
capture_log_cb (const char     *log_domain,
                GLogLevelFlags  log_level,
                const char     *message,
                gpointer        user_data)
{
  GString *log = user_data;

  g_string_append_printf (log, "%s: %s\n", log_domain, message);
}

static void
test_no_secrets_in_log (void)
{
  g_autoptr(BaApiClient) client = client_new (ba_test_server_get_url (server));
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(BaIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *refreshed = NULL;
  g_autofree char *wrong = NULL;
  const char *password = ba_test_server_get_demo_password (server);
  const char *domains[] = { "ba-api-client", "ba-api-error" };
  guint handlers[G_N_ELEMENTS (domains)];

  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    handlers[i] = g_log_set_handler (domains[i], G_LOG_LEVEL_MASK, capture_log_cb, log);

  token = login (client, ba_test_server_get_demo_username (server), password, &error);
  g_assert_no_error (error);
  ba_api_client_set_token (client, token);
  identity = whoami (client, &error);
  g_assert_no_error (error);
  refreshed = refresh (client, password, &error);
  g_assert_no_error (error);
  wrong = refresh (client, "wrong-password-in-log-test", &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS);

  for (guint i = 0; i < G_N_ELEMENTS (domains); i++)
    g_log_remove_handler (domains[i], handlers[i]);

  /* The log was captured (the requests are in it) ... */
  g_assert_nonnull (strstr (log->str, "/login_"));
  g_assert_nonnull (strstr (log->str, "[redacted]"));
  /* ... and holds no credential. */
  g_assert_null (strstr (log->str, token));
  g_assert_null (strstr (log->str, refreshed));
  g_assert_null (strstr (log->str, password));
  g_assert_null (strstr (log->str, "wrong-password-in-log-test"));
  g_assert_null (strstr (log->str, "Bearer"));
}

/* Garbage and slow answers from an in-process server */

typedef struct
{
  SoupServer *server;
  char       *url;
  const char *whoami_body;
  const char *login_body;
  const char *login_type;
  GSList     *paused;
} Fake;

static void
fake_respond (SoupServerMessage *msg,
              guint              status,
              const char        *type,
              const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (msg, type, SOUP_MEMORY_COPY, body, strlen (body));
}

static void
fake_login_cb (SoupServer        *soup_server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  Fake *fake = user_data;

  fake_respond (msg, 200, fake->login_type, fake->login_body);
}

static void
fake_whoami_cb (SoupServer        *soup_server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  Fake *fake = user_data;
  const char *auth;

  auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  if (g_strcmp0 (auth, "Bearer fake-api-key") != 0)
    {
      fake_respond (msg, 401, "text/plain", "");
      return;
    }

  fake_respond (msg, 200, "application/json", fake->whoami_body);
}

static void
fake_redirect_cb (SoupServer        *soup_server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  soup_server_message_set_redirect (msg, 302, "http://127.0.0.1:1/actor/v1/whoami");
}

static void
fake_refresh_cb (SoupServer        *soup_server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  fake_respond (msg, 502, "text/html", "<html><body>Bad Gateway</body></html>");
}

/* Never answers (until teardown): for timeouts and cancellation. */
static void
fake_slow_cb (SoupServer        *soup_server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  Fake *fake = user_data;

  soup_server_message_pause (msg);
  fake->paused = g_slist_prepend (fake->paused, g_object_ref (msg));
}

static void
fake_setup (Fake          *fake,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;
  GUri *uri;

  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, "/login_", fake_login_cb, fake, NULL);
  soup_server_add_handler (fake->server, "/actor/v1/whoami", fake_whoami_cb, fake, NULL);
  soup_server_add_handler (fake->server, "/user/v1/refresh-token", fake_refresh_cb, fake, NULL);
  soup_server_add_handler (fake->server, "/ping", fake_slow_cb, fake, NULL);
  soup_server_add_handler (fake->server, "/redirect", fake_redirect_cb, fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (fake->server);
  uri = uris->data;
  fake->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uri));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
fake_teardown (Fake          *fake,
               gconstpointer  data)
{
  for (GSList *l = fake->paused; l != NULL; l = l->next)
    {
      fake_respond (l->data, 200, "text/plain", "OK");
      soup_server_message_unpause (l->data);
    }
  g_slist_free_full (fake->paused, g_object_unref);
  soup_server_disconnect (fake->server);
  g_clear_object (&fake->server);
  g_free (fake->url);

  /* Let the server's connection sources finish. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_garbage_login (Fake          *fake,
                    gconstpointer  data)
{
  g_autoptr(BaApiClient) client = client_new (fake->url);
  struct {
    const char *type;
    const char *body;
  } cases[] = {
    { "text/html", "<html><body>Welcome to nginx!</body></html>" },
    { "text/plain", "" },
    { "text/plain", "   \n" },
    { "application/json", "{\"token\":\"a.b.c\"}" },
    { "text/plain", "not-a-jwt-at-all" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *token = NULL;

      fake->login_type = cases[i].type;
      fake->login_body = cases[i].body;
      token = login (client, "user", "password", &error);
      g_assert_null (token);
      g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_RESPONSE);
    }
}

static void
test_garbage_whoami (Fake          *fake,
                     gconstpointer  data)
{
  g_autoptr(BaApiClient) client = client_new (fake->url);
  g_autoptr(BaIdentity) good = NULL;
  g_autoptr(BaIdentity) device = NULL;
  g_autoptr(GError) error = NULL;
  const char *bodies[] = {
    "{\"id\": 5, \"actorType\": \"us",
    "[{\"id\": 5}]",
    "",
    "null",
    "\"a string\"",
    "{\"id\": \"5\", \"actorType\": \"user\", \"actorTypeId\": 2, \"username\": \"x\"}",
    "{\"id\": 5, \"actorType\": \"user\", \"actorTypeId\": 2}",
    "{\"id\": 5, \"actorType\": \"user\", \"actorTypeId\": 2, \"username\": \"x\", \"email\": 7}",
    "{\"id\": 5, \"actorType\": {}, \"actorTypeId\": 2, \"username\": \"x\"}",
    "<html></html>",
  };

  ba_api_client_set_token (client, "fake-api-key");

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(BaIdentity) identity = NULL;

      g_clear_error (&error);
      fake->whoami_body = bodies[i];
      g_test_message ("whoami body: %s", bodies[i]);
      identity = whoami (client, &error);
      g_assert_null (identity);
      g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_RESPONSE);
    }
  g_clear_error (&error);

  /* A device key is not a user. */
  fake->whoami_body = "{\"id\": 9, \"actorType\": \"device\", \"actorTypeId\": 3, \"uuid\": \"abc\"}";
  device = whoami (client, &error);
  g_assert_null (device);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_TOKEN);
  g_clear_error (&error);

  /* The same handler with a well-formed body works, with a null email. */
  fake->whoami_body = "{\"id\": 9, \"actorType\": \"user\", \"actorTypeId\": 3, \"username\": \"u\", \"email\": null}";
  good = whoami (client, &error);
  g_assert_no_error (error);
  g_assert_cmpint (good->actor_id, ==, 9);
  g_assert_cmpint (good->user_id, ==, 3);
  g_assert_cmpstr (good->username, ==, "u");
  g_assert_null (good->email);
}

static void
test_server_error (Fake          *fake,
                   gconstpointer  data)
{
  g_autoptr(BaApiClient) client = client_new (fake->url);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  ba_api_client_set_token (client, "fake-api-key");
  token = refresh (client, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, BA_ERROR, BA_ERROR_SERVER);
  g_assert_null (strstr (error->message, "<html>"));
}

static void
test_no_redirect (Fake          *fake,
                  gconstpointer  data)
{
  g_autofree char *url = g_strconcat (fake->url, "/redirect", NULL);
  g_autoptr(BaApiClient) client = client_new (url);
  g_autoptr(BaIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  /* whoami goes to <url>/actor/v1/whoami, which the fake redirects. */
  ba_api_client_set_token (client, "fake-api-key");
  identity = whoami (client, &error);
  g_assert_null (identity);
  g_assert_error (error, BA_ERROR, BA_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "302"));
}

static void
test_timeout (Fake          *fake,
              gconstpointer  data)
{
  g_autoptr(BaApiClient) client = client_new (fake->url);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  ba_api_client_set_timeout (client, 1);
  g_assert_false (ping (client, NULL, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_TIMEOUT);
  /* It gave up after about the timeout, not the default 30 s. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);

  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fake          *fake,
             gconstpointer  data)
{
  g_autoptr(BaApiClient) client = client_new (fake->url);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) early = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  /* Cancelled while waiting for the answer. */
  g_timeout_add (200, cancel_cb, cancellable);
  g_assert_false (ping (client, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Cancelled before it starts. */
  g_cancellable_cancel (early);
  g_assert_false (ping (client, early, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  tmpdir = ba_client_test_init (&argc, &argv);

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  g_test_add_func ("/ba/api-client/url-rules", test_url_rules);
  g_test_add_func ("/ba/api-client/timeout-property", test_timeout_property);
  g_test_add_func ("/ba/api-client/ping", test_ping);
  g_test_add_func ("/ba/api-client/login-email", test_login_email);
  g_test_add_func ("/ba/api-client/login-username", test_login_username);
  g_test_add_func ("/ba/api-client/wrong-password", test_wrong_password);
  g_test_add_func ("/ba/api-client/whoami", test_whoami);
  g_test_add_func ("/ba/api-client/whoami-unauthenticated", test_whoami_unauthenticated);
  g_test_add_func ("/ba/api-client/refresh", test_refresh);
  g_test_add_func ("/ba/api-client/rate-limit", test_rate_limit);
  g_test_add_func ("/ba/api-client/server-down", test_server_down);
  g_test_add_func ("/ba/api-client/no-secrets-in-log", test_no_secrets_in_log);
  g_test_add ("/ba/api-client/garbage-login", Fake, NULL, fake_setup, test_garbage_login, fake_teardown);
  g_test_add ("/ba/api-client/garbage-whoami", Fake, NULL, fake_setup, test_garbage_whoami, fake_teardown);
  g_test_add ("/ba/api-client/server-error", Fake, NULL, fake_setup, test_server_error, fake_teardown);
  g_test_add ("/ba/api-client/no-redirect", Fake, NULL, fake_setup, test_no_redirect, fake_teardown);
  g_test_add ("/ba/api-client/timeout", Fake, NULL, fake_setup, test_timeout, fake_teardown);
  g_test_add ("/ba/api-client/cancel", Fake, NULL, fake_setup, test_cancel, fake_teardown);

  ret = g_test_run ();

  ba_test_server_stop (server);
  ba_client_test_cleanup (tmpdir);

  return ret;
}
