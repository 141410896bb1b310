/* ba-browser-login.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-browser-login"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "ba-browser-login.h"
#include "ba-error.h"
#include "ba-wipe.h"

struct _BaBrowserLogin
{
  GObject       parent_instance;

  SoupServer   *server;
  GMainContext *context;         /* where the listener and the wait run */
  char         *api_url;
  char         *dashboard_origin;
  char         *callback_url;
  char         *url;
  guint         timeout;

  GTask        *task;            /* the pending wait, NULL before and after */
  GSource      *timeout_source;
  gulong        cancelled_id;
  gboolean      got_post;        /* the one POST has arrived */
  gboolean      closed;
};

G_DEFINE_FINAL_TYPE (BaBrowserLogin, ba_browser_login, G_TYPE_OBJECT)

static void
clear_timeout (BaBrowserLogin *self)
{
  if (self->timeout_source == NULL)
    return;

  g_source_destroy (self->timeout_source);
  g_clear_pointer (&self->timeout_source, g_source_unref);
}

static void
close_listener (BaBrowserLogin *self)
{
  if (self->closed)
    return;

  self->closed = TRUE;
  soup_server_disconnect (self->server);
  g_debug ("Browser login listener closed");
}

static void
ba_browser_login_dispose (GObject *object)
{
  BaBrowserLogin *self = (BaBrowserLogin *)object;

  g_assert (self->task == NULL);

  if (self->server != NULL)
    close_listener (self);
  clear_timeout (self);

  G_OBJECT_CLASS (ba_browser_login_parent_class)->dispose (object);
}

static void
ba_browser_login_finalize (GObject *object)
{
  BaBrowserLogin *self = (BaBrowserLogin *)object;

  g_clear_object (&self->server);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->api_url, g_free);
  g_clear_pointer (&self->dashboard_origin, g_free);
  g_clear_pointer (&self->callback_url, g_free);
  g_clear_pointer (&self->url, g_free);

  G_OBJECT_CLASS (ba_browser_login_parent_class)->finalize (object);
}

static void
ba_browser_login_class_init (BaBrowserLoginClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_browser_login_dispose;
  object_class->finalize = ba_browser_login_finalize;
}

static void
ba_browser_login_init (BaBrowserLogin *self)
{
  self->timeout = BA_BROWSER_LOGIN_DEFAULT_TIMEOUT;
  self->context = g_main_context_ref_thread_default ();
}

static void
invoke_later (BaBrowserLogin *self,
              GSourceFunc     func,
              gpointer        data,
              GDestroyNotify  notify)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* URLs */

char *
ba_browser_login_encode_callback (const char *callback_url)
{
  g_autofree char *once = NULL;
  GString *twice;

  g_return_val_if_fail (callback_url != NULL, NULL);

  /* encodeURIComponent() keeps A-Z a-z 0-9 - _ . ~ and ! * ' ( ). */
  once = g_uri_escape_string (callback_url, "!*'()", FALSE);

  /* "to avoid angular getting confused" (balena-cli). */
  twice = g_string_new (NULL);
  for (const char *p = once; *p != '\0'; p++)
    {
      if (*p == '%')
        g_string_append (twice, "%25");
      else
        g_string_append_c (twice, *p);
    }

  return g_string_free (twice, FALSE);
}

char *
ba_browser_login_dup_dashboard_url (const char *api_url)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;

  g_return_val_if_fail (api_url != NULL, NULL);

  uri = g_uri_parse (api_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (api_url);

  host = g_uri_get_host (uri);
  if (g_ascii_strncasecmp (host, "api.", 4) == 0 && host[4] != '\0')
    {
      g_autofree char *dashboard_host = g_strconcat ("dashboard.", host + 4, NULL);

      return g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, dashboard_host,
                         g_uri_get_port (uri), "", NULL, NULL);
    }

  return g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, host,
                     g_uri_get_port (uri), "", NULL, NULL);
}

/* "scheme://host[:port]" of @url, lower case, as browsers send it in the
 * Origin header. */
static char *
dup_origin (GUri *uri)
{
  const char *scheme = g_uri_get_scheme (uri);
  int port = g_uri_get_port (uri);
  g_autofree char *origin = NULL;

  /* Browsers leave the default port out. */
  if ((g_ascii_strcasecmp (scheme, "https") == 0 && port == 443) ||
      (g_ascii_strcasecmp (scheme, "http") == 0 && port == 80))
    port = -1;

  origin = g_uri_join (G_URI_FLAGS_NONE, scheme, NULL, g_uri_get_host (uri), port, "",
                       NULL, NULL);

  return g_ascii_strdown (origin, -1);
}

/* Pages for the browser */

static void
respond_page (SoupServerMessage *msg,
              guint              status,
              const char        *title,
              const char        *text)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *escaped_title = g_markup_escape_text (title, -1);
  g_autofree char *escaped_text = g_markup_escape_text (text, -1);
  char *page;

  page = g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                          "<title>%s</title><style>body{font-family:Cantarell,system-ui,"
                          "sans-serif;margin:3em auto;max-width:30em;padding:0 1em;"
                          "color:#2e3436}</style></head><body><h1>%s</h1><p>%s</p>"
                          "</body></html>\n",
                          escaped_title, escaped_title, escaped_text);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8",
                                    SOUP_MEMORY_TAKE, page, strlen (page));
}

static void
respond_not_found (SoupServerMessage *msg)
{
  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8",
                                    SOUP_MEMORY_STATIC, "Not found", strlen ("Not found"));
}

/* Ending the wait */

typedef struct
{
  BaSecretStore *secret_store;
  BaVault       *vault;
} WaitData;

static void
wait_data_free (WaitData *data)
{
  g_clear_object (&data->secret_store);
  g_clear_object (&data->vault);
  g_free (data);
}

typedef struct
{
  GTask     *task;
  BaAccount *account;
  GError    *error;
} Outcome;

static gboolean
return_outcome_cb (gpointer user_data)
{
  Outcome *outcome = user_data;

  if (outcome->account != NULL)
    g_task_return_pointer (outcome->task, outcome->account, g_object_unref);
  else
    g_task_return_error (outcome->task, outcome->error);

  g_object_unref (outcome->task);
  g_free (outcome);

  return G_SOURCE_REMOVE;
}

static void
stop_waiting (BaBrowserLogin *self)
{
  clear_timeout (self);
  if (self->cancelled_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (self->task), self->cancelled_id);
      self->cancelled_id = 0;
    }
}

/* Ends the wait with @account or @error (taken). The answer goes out
 * from an idle: the caller may drop this object in its callback, which
 * must not happen in the middle of a request handler. */
static void
finish (BaBrowserLogin *self,
        BaAccount      *account,
        GError         *error)
{
  Outcome *outcome;

  if (self->task == NULL)
    {
      g_clear_object (&account);
      g_clear_error (&error);
      return;
    }

  stop_waiting (self);

  outcome = g_new0 (Outcome, 1);
  outcome->task = g_steal_pointer (&self->task);
  outcome->account = account;
  outcome->error = error;
  invoke_later (self, return_outcome_cb, outcome, NULL);
}

static void
fail (BaBrowserLogin *self,
      GError         *error)
{
  finish (self, NULL, error);
}

static gboolean
timeout_cb (gpointer user_data)
{
  BaBrowserLogin *self = user_data;

  g_clear_pointer (&self->timeout_source, g_source_unref);

  /* A POST being checked gets its answer; anything later is too late. */
  if (self->got_post)
    return G_SOURCE_REMOVE;

  close_listener (self);
  fail (self, g_error_new_literal (BA_ERROR, BA_ERROR_TIMEOUT,
                                   _("The browser login took too long. Try again.")));

  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_idle_cb (gpointer user_data)
{
  BaBrowserLogin *self = user_data;

  if (self->task != NULL && !self->got_post)
    {
      close_listener (self);
      fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                       _("The browser login was cancelled.")));
    }

  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable   *cancellable,
              BaBrowserLogin *self)
{
  /* Not from inside the signal (it may come from another thread, and
   * g_cancellable_disconnect() would wait for it): in the listener's
   * context. The source keeps the object alive until it ran. */
  invoke_later (self, cancelled_idle_cb, g_object_ref (self), g_object_unref);
}

/* The POST */

typedef struct
{
  BaBrowserLogin    *self;
  SoupServerMessage *msg;
} PostData;

static void
post_data_free (PostData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->msg);
  g_free (data);
}

static gboolean
unref_later_cb (gpointer user_data)
{
  g_object_unref (user_data);
  return G_SOURCE_REMOVE;
}

static void
message_finished_cb (SoupServerMessage *msg,
                     BaBrowserLogin    *self)
{
  g_signal_handlers_disconnect_by_func (msg, message_finished_cb, self);
  close_listener (self);

  /* Not from inside the signal: the last reference may go, and with it
   * the server this message belongs to. */
  invoke_later (self, unref_later_cb, self, NULL);
}

/* Closes the listener once @msg's answer is out. Until then the message
 * holds a reference: whoever waited may drop this object as soon as the
 * result is in, and that must not cut the browser's answer short. libsoup
 * emits "finished" for every message it took, answered or not. */
static void
close_after (BaBrowserLogin    *self,
             SoupServerMessage *msg)
{
  g_signal_connect (msg, "finished", G_CALLBACK (message_finished_cb), g_object_ref (self));
}

/* Answers the browser, then closes the listener once the answer is out. */
static void
answer_post (BaBrowserLogin    *self,
             SoupServerMessage *msg,
             gboolean           ok,
             const char        *detail)
{
  if (ok)
    respond_page (msg, SOUP_STATUS_OK, _("Logged In"),
                  _("Balena Accounts is now logged in. You can close this tab."));
  else
    respond_page (msg, SOUP_STATUS_UNAUTHORIZED, _("Login Failed"), detail);

  close_after (self, msg);
}

static void
token_checked_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PostData *data = user_data;
  BaBrowserLogin *self = data->self;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  account = ba_account_login_with_token_finish (result, &error);

  answer_post (self, data->msg, account != NULL,
               account != NULL ? NULL : error->message);
  soup_server_message_unpause (data->msg);

  finish (self, g_steal_pointer (&account), g_steal_pointer (&error));

  post_data_free (data);
}

static void
wipe_value (gpointer key,
            gpointer value,
            gpointer user_data)
{
  if (value != NULL)
    sodium_memzero (value, strlen (value));
}

/* Reads "token" from a form body; NULL when there is none. */
static char *
read_token (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(BaSecretString) text = NULL;
  const char *data;
  const char *token;
  char *result = NULL;
  gsize len;

  if (content_type == NULL ||
      g_ascii_strcasecmp (content_type, "application/x-www-form-urlencoded") != 0)
    return NULL;

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  data = g_bytes_get_data (body, &len);
  text = g_strndup (data, len);
  form = soup_form_decode (text);

  token = g_hash_table_lookup (form, "token");
  if (token != NULL)
    {
      result = g_strstrip (g_strdup (token));
      if (*result == '\0')
        g_clear_pointer (&result, ba_wipe_string_free);
    }

  g_hash_table_foreach (form, wipe_value, NULL);

  /* The request body is ours and read; it held the token too. */
  sodium_memzero ((gpointer) data, len);

  return result;
}

/* The Origin a form POST may come from: none, "null", the dashboard's
 * own, or another https site under the dashboard's domain (for
 * https://dashboard.balena-cloud.com, any https://…balena-cloud.com), in
 * case the dashboard hands over from a sibling host. */
static gboolean
origin_allowed (BaBrowserLogin *self,
                const char     *origin)
{
  g_autoptr(GUri) origin_uri = NULL;
  g_autoptr(GUri) dashboard_uri = NULL;
  const char *host;
  const char *dashboard_host;
  const char *site;

  if (origin == NULL || g_ascii_strcasecmp (origin, "null") == 0 ||
      g_ascii_strcasecmp (origin, self->dashboard_origin) == 0)
    return TRUE;

  origin_uri = g_uri_parse (origin, G_URI_FLAGS_NONE, NULL);
  dashboard_uri = g_uri_parse (self->dashboard_origin, G_URI_FLAGS_NONE, NULL);
  if (origin_uri == NULL || dashboard_uri == NULL ||
      g_ascii_strcasecmp (g_uri_get_scheme (origin_uri), "https") != 0 ||
      g_ascii_strcasecmp (g_uri_get_scheme (dashboard_uri), "https") != 0)
    return FALSE;

  host = g_uri_get_host (origin_uri);
  dashboard_host = g_uri_get_host (dashboard_uri);
  if (host == NULL || dashboard_host == NULL ||
      g_ascii_strncasecmp (dashboard_host, "dashboard.", strlen ("dashboard.")) != 0)
    return FALSE;

  /* "balena-cloud.com": a domain with a dot, never a bare TLD. */
  site = dashboard_host + strlen ("dashboard.");
  if (strchr (site, '.') == NULL)
    return FALSE;

  if (g_ascii_strcasecmp (host, site) == 0)
    return TRUE;

  return strlen (host) > strlen (site) + 1 &&
         host[strlen (host) - strlen (site) - 1] == '.' &&
         g_ascii_strcasecmp (host + strlen (host) - strlen (site), site) == 0;
}

static void
handle_post (BaBrowserLogin    *self,
             SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *origin = soup_message_headers_get_one (headers, "Origin");
  g_autoptr(BaSecretString) token = NULL;
  WaitData *wait_data;
  PostData *data;

  self->got_post = TRUE;
  clear_timeout (self);

  /* Browsers send the Origin of the page that submitted the form. The
   * dashboard's is expected; "null" comes from pages with a strict
   * referrer policy. Anything else is another site trying to log the app
   * in to an account of its choosing. */
  if (!origin_allowed (self, origin))
    {
      g_debug ("Browser login POST from origin %s refused", origin);
      soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN, NULL);
      close_after (self, msg);
      fail (self, g_error_new_literal (BA_ERROR, BA_ERROR_PERMISSION_DENIED,
                                       _("Another web site than the dashboard tried to log you in. Nothing was changed; try again.")));
      return;
    }

  token = read_token (msg);
  if (token == NULL)
    {
      answer_post (self, msg, FALSE, _("The dashboard sent no session token."));
      fail (self, g_error_new_literal (BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                                       _("The dashboard sent no session token. Try again.")));
      return;
    }

  data = g_new0 (PostData, 1);
  data->self = g_object_ref (self);
  data->msg = g_object_ref (msg);

  soup_server_message_pause (msg);
  wait_data = g_task_get_task_data (self->task);
  ba_account_login_with_token_async (self->api_url, token,
                                     wait_data->secret_store, wait_data->vault,
                                     g_task_get_cancellable (self->task),
                                     token_checked_cb, data);
}

/* The dashboard posts one form field, token=<JWT>: a few kB at most.
 * Anything much larger is not the dashboard and is never kept in memory. */
#define MAX_POST_SIZE (64 * 1024)

static void
refuse_too_large (SoupServerMessage *msg)
{
  soup_server_message_set_status (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");
}

/* Before the body is read: an announced length over the limit is refused
 * at once. */
static void
early_handler_cb (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > MAX_POST_SIZE)
    refuse_too_large (msg);
}

/* A chunked body announces no length: stop keeping it past the limit. */
static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (soup_message_body_get_accumulate (body) && body->length > MAX_POST_SIZE)
    {
      soup_message_body_set_accumulate (body, FALSE);
      soup_message_body_truncate (body);
      refuse_too_large (msg);
    }
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), NULL);
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  BaBrowserLogin *self = user_data;
  const char *method = soup_server_message_get_method (msg);

  /* Refused as too large: answered, and the login goes on waiting. */
  if (soup_server_message_get_status (msg) != 0)
    {
      g_debug ("Browser login listener: %s %s refused as too large", method, path);
      return;
    }

  if (g_str_equal (path, BA_BROWSER_LOGIN_CALLBACK_PATH) && g_str_equal (method, "POST"))
    {
      /* Exactly one POST: the first one decides. */
      if (self->got_post)
        {
          soup_server_message_set_status (msg, SOUP_STATUS_CONFLICT, NULL);
          return;
        }

      if (self->task == NULL)
        {
          respond_not_found (msg);
          return;
        }

      handle_post (self, msg);
      return;
    }

  /* Chrome's Private Network Access may ask first whether a public page
   * (the dashboard) may send the form to this computer. Only the
   * dashboard gets a yes; this changes nothing about the login. */
  if (g_str_equal (path, BA_BROWSER_LOGIN_CALLBACK_PATH) && g_str_equal (method, "OPTIONS"))
    {
      SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
      SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
      const char *origin = soup_message_headers_get_one (request_headers, "Origin");

      if (origin != NULL && g_ascii_strcasecmp (origin, self->dashboard_origin) == 0 &&
          soup_message_headers_get_one (request_headers, "Access-Control-Request-Private-Network") != NULL)
        {
          soup_message_headers_replace (response_headers, "Access-Control-Allow-Origin", origin);
          soup_message_headers_replace (response_headers, "Access-Control-Allow-Methods", "POST");
          soup_message_headers_replace (response_headers, "Access-Control-Allow-Private-Network", "true");
          soup_message_headers_replace (response_headers, "Vary", "Origin");
          soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
          return;
        }
    }

  g_debug ("Browser login listener: %s %s -> 404", method, path);
  respond_not_found (msg);
}

/* Public API */

BaBrowserLogin *
ba_browser_login_new (const char  *api_url,
                      const char  *dashboard_url,
                      GError     **error)
{
  g_autoptr(BaBrowserLogin) self = NULL;
  g_autoptr(BaApiClient) api = NULL;
  g_autoptr(BaApiClient) dashboard = NULL;
  g_autoptr(GUri) dashboard_uri = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *path = NULL;
  g_autofree char *origin = NULL;
  GSList *uris;

  g_return_val_if_fail (api_url != NULL, NULL);
  g_return_val_if_fail (dashboard_url != NULL, NULL);

  /* Both addresses follow the API client's rule: https, or http only to
   * this computer. */
  api = ba_api_client_new (api_url, error);
  if (api == NULL)
    return NULL;
  dashboard = ba_api_client_new (dashboard_url, error);
  if (dashboard == NULL)
    return NULL;

  self = g_object_new (BA_TYPE_BROWSER_LOGIN, NULL);
  self->api_url = g_strdup (ba_api_client_get_base_url (api));

  self->server = soup_server_new ("server-header", "balena-accounts", NULL);
  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);
  soup_server_add_early_handler (self->server, NULL, early_handler_cb, self, NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return NULL;

  uris = soup_server_get_uris (self->server);
  g_assert (uris != NULL);
  self->callback_url = g_strdup_printf ("http://127.0.0.1:%d" BA_BROWSER_LOGIN_CALLBACK_PATH,
                                        g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  /* Like new URL("/login/cli/…", dashboardUrl) in the CLI: the path goes
   * at the root of the dashboard's origin. */
  dashboard_uri = g_uri_parse (ba_api_client_get_base_url (dashboard), G_URI_FLAGS_NONE, NULL);
  g_assert (dashboard_uri != NULL);
  self->dashboard_origin = dup_origin (dashboard_uri);
  encoded = ba_browser_login_encode_callback (self->callback_url);
  self->url = g_strconcat (self->dashboard_origin, "/login/cli/", encoded, NULL);

  g_debug ("Browser login: listening at %s", self->callback_url);

  return g_steal_pointer (&self);
}

const char *
ba_browser_login_get_url (BaBrowserLogin *self)
{
  g_return_val_if_fail (BA_IS_BROWSER_LOGIN (self), NULL);

  return self->url;
}

const char *
ba_browser_login_get_callback_url (BaBrowserLogin *self)
{
  g_return_val_if_fail (BA_IS_BROWSER_LOGIN (self), NULL);

  return self->callback_url;
}

const char *
ba_browser_login_get_api_url (BaBrowserLogin *self)
{
  g_return_val_if_fail (BA_IS_BROWSER_LOGIN (self), NULL);

  return self->api_url;
}

void
ba_browser_login_set_timeout (BaBrowserLogin *self,
                              guint           seconds)
{
  g_return_if_fail (BA_IS_BROWSER_LOGIN (self));
  g_return_if_fail (seconds > 0);

  self->timeout = seconds;
}

void
ba_browser_login_wait_async (BaBrowserLogin      *self,
                             BaSecretStore       *secret_store,
                             BaVault             *vault,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  WaitData *data;

  g_return_if_fail (BA_IS_BROWSER_LOGIN (self));
  g_return_if_fail (secret_store == NULL || BA_IS_SECRET_STORE (secret_store));
  g_return_if_fail (vault == NULL || BA_IS_VAULT (vault));
  g_return_if_fail (self->task == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_browser_login_wait_async);

  data = g_new0 (WaitData, 1);
  data->secret_store = secret_store != NULL ? g_object_ref (secret_store) : NULL;
  data->vault = vault != NULL ? g_object_ref (vault) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) wait_data_free);

  if (self->closed || self->got_post)
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_FAILED,
                               "%s", _("This browser login has already ended. Start a new one."));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    {
      close_listener (self);
      return;
    }

  self->task = g_steal_pointer (&task);
  self->timeout_source = g_timeout_source_new_seconds (self->timeout);
  g_source_set_callback (self->timeout_source, timeout_cb, self, NULL);
  g_source_attach (self->timeout_source, self->context);
  if (cancellable != NULL)
    self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
                                                self, NULL);
}

BaAccount *
ba_browser_login_wait_finish (BaBrowserLogin  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (BA_IS_BROWSER_LOGIN (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_browser_login_wait_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
