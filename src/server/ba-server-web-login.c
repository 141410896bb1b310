/* ba-server-web-login.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-server-web-login"

#include "config.h"

#include <string.h>

#include <sodium.h>

#include "ba-error.h"
#include "ba-server-web-login.h"

/* RFC 6585; libsoup 3.2 has no name for it. */
#define STATUS_TOO_MANY_REQUESTS 429

/* The auto-post script. Its hash goes into the Content-Security-Policy,
 * so it is the only script the page may run. */
#define AUTO_POST_SCRIPT "document.getElementById('callback').submit();"

#define PAGE_STYLE \
  "body{font-family:Cantarell,system-ui,sans-serif;background:#fafafa;color:#2e3436;" \
  "margin:0;padding:2em 1em}" \
  "main{max-width:26em;margin:0 auto;background:#fff;border-radius:12px;padding:1.5em;" \
  "box-shadow:0 1px 3px rgba(0,0,0,.2)}" \
  "h1{font-size:1.4em;margin-top:0}" \
  "label{display:block;margin:.8em 0 .3em}" \
  "input[type=text],input[type=password],input[type=email]{width:100%;box-sizing:border-box;" \
  "padding:.5em;font-size:1em;border:1px solid #ccc;border-radius:6px}" \
  "button{margin-top:1.2em;padding:.6em 1.4em;font-size:1em;border:0;border-radius:99px;" \
  "background:#3584e4;color:#fff;cursor:pointer}" \
  ".error{color:#c01c28}.note{color:#5e5c64;font-size:.9em}" \
  ".test-idp{margin-top:2em;border-top:1px solid #ddd;padding-top:1em}" \
  ".test-idp h2{font-size:1.1em}.test-idp button{background:#e66100}"

struct _BaServerWebLogin
{
  GObject              parent_instance;

  BaServerStore       *store;
  BaServerAuth        *auth;
  BaServerRateLimiter *login_limiter;
  BaServerRateLimiter *code_limiter;
  gboolean             dev_identity_provider;
  BaServerWebLoginTwoFactor two_factor;
};

G_DEFINE_FINAL_TYPE (BaServerWebLogin, ba_server_web_login, G_TYPE_OBJECT)

static void
ba_server_web_login_finalize (GObject *object)
{
  BaServerWebLogin *self = (BaServerWebLogin *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->auth);
  g_clear_object (&self->login_limiter);
  g_clear_object (&self->code_limiter);

  G_OBJECT_CLASS (ba_server_web_login_parent_class)->finalize (object);
}

static void
ba_server_web_login_class_init (BaServerWebLoginClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_server_web_login_finalize;
}

/* Codes on the page: 10 tries per 15 minutes per user, then a
 * 15-minute block, like the /auth/totp/ routes. */
#define CODE_POINTS          10
#define CODE_WINDOW_SECONDS  (15 * 60)
#define CODE_BLOCK_SECONDS   (15 * 60)

static void
ba_server_web_login_init (BaServerWebLogin *self)
{
  self->code_limiter = ba_server_rate_limiter_new (CODE_POINTS, CODE_WINDOW_SECONDS,
                                                   CODE_BLOCK_SECONDS);
}

BaServerWebLogin *
ba_server_web_login_new (BaServerStore       *store,
                         BaServerAuth        *auth,
                         BaServerRateLimiter *login_limiter)
{
  BaServerWebLogin *self;

  g_return_val_if_fail (BA_IS_SERVER_STORE (store), NULL);
  g_return_val_if_fail (BA_IS_SERVER_AUTH (auth), NULL);
  g_return_val_if_fail (BA_IS_SERVER_RATE_LIMITER (login_limiter), NULL);

  self = g_object_new (BA_TYPE_SERVER_WEB_LOGIN, NULL);
  self->store = g_object_ref (store);
  self->auth = g_object_ref (auth);
  self->login_limiter = g_object_ref (login_limiter);

  return self;
}

void
ba_server_web_login_set_dev_identity_provider (BaServerWebLogin *self,
                                               gboolean          enabled)
{
  g_return_if_fail (BA_IS_SERVER_WEB_LOGIN (self));

  self->dev_identity_provider = !!enabled;
}

void
ba_server_web_login_set_two_factor (BaServerWebLogin                *self,
                                    const BaServerWebLoginTwoFactor *two_factor)
{
  g_return_if_fail (BA_IS_SERVER_WEB_LOGIN (self));

  if (two_factor != NULL)
    self->two_factor = *two_factor;
  else
    memset (&self->two_factor, 0, sizeof self->two_factor);

  /* Not kept in two_factor: this object holds its own reference. */
  self->two_factor.code_limiter = NULL;
  if (two_factor != NULL && two_factor->code_limiter != NULL)
    g_set_object (&self->code_limiter, two_factor->code_limiter);
}

/* The callback */

static gboolean
is_loopback_host (const char *host)
{
  return host != NULL &&
         (g_str_equal (host, "127.0.0.1") || g_ascii_strcasecmp (host, "localhost") == 0);
}

char *
ba_server_web_login_parse_callback (const char  *encoded,
                                    GError     **error)
{
  g_autofree char *once = NULL;
  g_autofree char *twice = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *url;

  g_return_val_if_fail (encoded != NULL, NULL);

  /* The balena CLI encodes the callback with encodeURIComponent() and
   * then encodes every "%" again; a single encoding is accepted too. */
  once = g_uri_unescape_string (encoded, NULL);
  if (once == NULL)
    goto invalid;

  if (g_ascii_strncasecmp (once, "http%3A", strlen ("http%3A")) == 0)
    {
      twice = g_uri_unescape_string (once, NULL);
      if (twice == NULL)
        goto invalid;
      url = twice;
    }
  else
    url = once;

  for (const char *p = url; *p != '\0'; p++)
    {
      if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f || *p == '"' || *p == '<' || *p == '>' ||
          *p == '\\' || *p == '`')
        goto invalid;
    }

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL ||
      g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 ||
      !is_loopback_host (g_uri_get_host (uri)) ||
      g_uri_get_port (uri) <= 0 ||
      g_uri_get_userinfo (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL)
    goto invalid;

  return g_strdup (url);

invalid:
  g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                       "The callback must be an http:// address on 127.0.0.1 or localhost "
                       "with a port");
  return NULL;
}

/* Pages */

static void
append_escaped (GString    *out,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_string_append (out, escaped);
}

static void
begin_page (GString    *out,
            const char *title)
{
  g_string_append (out,
                   "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<title>");
  append_escaped (out, title);
  g_string_append (out, "</title><style>" PAGE_STYLE "</style></head><body><main>");
}

static void
end_page (GString *out)
{
  g_string_append (out, "</main></body></html>\n");
}

static void
wipe_and_free (gpointer data)
{
  sodium_memzero (data, strlen (data));
  g_free (data);
}

/* Sends @page (taken) with headers that keep it out of caches, frames and
 * Referer headers. The buffer is wiped when libsoup lets go of it: the
 * last page carries a session token. */
static void
respond_page (SoupServerMessage *msg,
              guint              status,
              GString           *page,
              const char        *form_action)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *csp = NULL;
  g_autofree char *script_hash = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len = page->len;
  char *data = g_string_free (page, FALSE);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (checksum, (const guchar *) AUTO_POST_SCRIPT, strlen (AUTO_POST_SCRIPT));
  g_checksum_get_digest (checksum, digest, &digest_len);
  script_hash = g_base64_encode (digest, digest_len);

  csp = g_strdup_printf ("default-src 'none'; style-src 'unsafe-inline'; "
                         "script-src 'sha256-%s'; form-action %s; "
                         "frame-ancestors 'none'; base-uri 'none'",
                         script_hash, form_action);

  soup_message_headers_replace (headers, "Content-Type", "text/html; charset=utf-8");
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  /* Not "no-referrer": with it, browsers send "Origin: null" for the
   * page's own POSTs, which then look like a sandboxed foreign page's.
   * "same-origin" sends nothing to other sites either. */
  soup_message_headers_replace (headers, "Referrer-Policy", "same-origin");
  soup_message_headers_replace (headers, "X-Frame-Options", "DENY");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Content-Security-Policy", csp);

  bytes = g_bytes_new_with_free_func (data, len, wipe_and_free, data);
  soup_server_message_set_status (msg, status, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
}

static void
respond_bad_callback (SoupServerMessage *msg)
{
  GString *page = g_string_new (NULL);

  begin_page (page, "Invalid login link");
  g_string_append (page,
                   "<h1>This login link is not valid</h1>"
                   "<p>This page only sends a session to an application on this computer "
                   "(an <code>http://127.0.0.1:PORT/…</code> or "
                   "<code>http://localhost:PORT/…</code> address). Start the login again "
                   "from the application.</p>");
  end_page (page);
  respond_page (msg, SOUP_STATUS_BAD_REQUEST, page, "'none'");
}

/* The first step: email or username and password, and the test identity
 * provider when it is on. @error and @username may be NULL. */
static void
respond_login_form (BaServerWebLogin  *self,
                    SoupServerMessage *msg,
                    guint              status,
                    const char        *error,
                    const char        *username)
{
  GString *page = g_string_new (NULL);

  begin_page (page, "Log in");
  g_string_append (page,
                   "<h1>Log in</h1>"
                   "<p class=\"note\">An application on this computer asked to use your "
                   "account. Logging in here hands it a session.</p>");
  if (error != NULL)
    {
      g_string_append (page, "<p class=\"error\" role=\"alert\">");
      append_escaped (page, error);
      g_string_append (page, "</p>");
    }
  g_string_append (page,
                   "<form method=\"post\" id=\"login\">"
                   "<input type=\"hidden\" name=\"step\" value=\"password\">"
                   "<label for=\"username\">Email or username</label>"
                   "<input type=\"text\" id=\"username\" name=\"username\" "
                   "autocomplete=\"username\" required value=\"");
  append_escaped (page, username != NULL ? username : "");
  g_string_append (page,
                   "\">"
                   "<label for=\"password\">Password</label>"
                   "<input type=\"password\" id=\"password\" name=\"password\" "
                   "autocomplete=\"current-password\" required>"
                   "<button type=\"submit\">Log in</button>"
                   "</form>");

  if (self->dev_identity_provider)
    g_string_append (page,
                     "<section class=\"test-idp\">"
                     "<h2>Test identity provider (for testing only)</h2>"
                     "<p class=\"note\">This server was started with "
                     "<code>--dev-identity-provider</code>. It stands in for GitHub, Google "
                     "or SSO and signs in an account that has no password by its email or "
                     "username alone, without checking anything. Never use it on a real "
                     "server.</p>"
                     "<form method=\"post\" id=\"test-idp\">"
                     "<input type=\"hidden\" name=\"step\" value=\"test-idp\">"
                     "<label for=\"idp-username\">Email or username of a social-login "
                     "account</label>"
                     "<input type=\"text\" id=\"idp-username\" name=\"username\" required>"
                     "<button type=\"submit\">Continue with the test provider</button>"
                     "</form></section>");

  end_page (page);
  respond_page (msg, status, page, "'self'");
}

/* The second step for accounts with two-factor authentication: the code,
 * with the partial token (twoFactorRequired: true) from the first step
 * carried in a hidden field, so the password is never sent twice. */
static void
respond_code_form (SoupServerMessage *msg,
                   guint              status,
                   const char        *error,
                   const char        *partial_token)
{
  GString *page = g_string_new (NULL);

  begin_page (page, "Two-factor authentication");
  g_string_append (page, "<h1>Two-factor authentication</h1>");
  if (error != NULL)
    {
      g_string_append (page, "<p class=\"error\" role=\"alert\">");
      append_escaped (page, error);
      g_string_append (page, "</p>");
    }
  g_string_append (page,
                   "<form method=\"post\" id=\"code\">"
                   "<input type=\"hidden\" name=\"step\" value=\"code\">"
                   "<input type=\"hidden\" name=\"partial_token\" value=\"");
  append_escaped (page, partial_token);
  g_string_append (page,
                   "\">"
                   "<label for=\"code-input\">Code from your authenticator app, or a "
                   "recovery code</label>"
                   "<input type=\"text\" id=\"code-input\" name=\"code\" "
                   "autocomplete=\"one-time-code\" inputmode=\"text\" required>"
                   "<button type=\"submit\">Verify</button>"
                   "</form>");
  end_page (page);
  respond_page (msg, status, page, "'self'");
}

/* The last step: the session goes to the callback in a form POST of
 * "token", as the dashboard does for balena-cli. */
static void
respond_auto_post (SoupServerMessage *msg,
                   const char        *callback,
                   const char        *token)
{
  GString *page = g_string_new (NULL);
  g_autoptr(GUri) uri = g_uri_parse (callback, G_URI_FLAGS_NONE, NULL);
  g_autofree char *origin = NULL;

  g_assert (uri != NULL);
  origin = g_strdup_printf ("http://%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));

  begin_page (page, "Logged in");
  g_string_append (page,
                   "<h1>Logged in</h1>"
                   "<p>Handing the session to the application…</p>"
                   "<form method=\"post\" id=\"callback\" action=\"");
  append_escaped (page, callback);
  g_string_append (page, "\"><input type=\"hidden\" name=\"token\" value=\"");
  append_escaped (page, token);
  g_string_append (page,
                   "\"><noscript><button type=\"submit\">Continue</button></noscript>"
                   "</form><script>" AUTO_POST_SCRIPT "</script>");
  end_page (page);
  respond_page (msg, SOUP_STATUS_OK, page, origin);
}

/* Steps */

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static BaServerUser *
find_user (BaServerWebLogin  *self,
           const char        *username,
           GError           **error)
{
  if (strchr (username, '@') != NULL)
    return ba_server_store_find_user_by_email (self->store, username, error);

  return ba_server_store_find_user_by_username (self->store, username, error);
}

/* Whether @user has to give a code after the password
 * (ba_server_web_login_set_two_factor()). */
static gboolean
needs_second_factor (BaServerWebLogin   *self,
                     const BaServerUser *user)
{
  if (self->two_factor.login_state == NULL)
    return FALSE;

  return self->two_factor.login_state (self->two_factor.data, user) == BA_SERVER_TWO_FACTOR_PENDING;
}

static void
issue_and_post (BaServerWebLogin   *self,
                SoupServerMessage  *msg,
                const char         *callback,
                const BaServerUser *user)
{
  g_autofree char *token = NULL;

  token = ba_server_auth_issue_token (self->auth, user, now_ms (), BA_SERVER_TWO_FACTOR_ABSENT);
  respond_auto_post (msg, callback, token);
  sodium_memzero (token, strlen (token));

  g_debug ("User %" G_GINT64_FORMAT " logged in through the web login page", user->id);
}

typedef struct
{
  BaServerWebLogin  *self;
  SoupServerMessage *msg;
  char              *callback;
  char              *username;
  char              *limit_key;
  BaServerUser      *user;
} PasswordCheck;

static void
password_check_free (PasswordCheck *check)
{
  g_clear_object (&check->self);
  g_clear_object (&check->msg);
  g_clear_pointer (&check->callback, g_free);
  g_clear_pointer (&check->username, g_free);
  g_clear_pointer (&check->limit_key, g_free);
  g_clear_pointer (&check->user, ba_server_user_free);
  g_free (check);
}

static void
password_checked_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  PasswordCheck *check = user_data;
  BaServerWebLogin *self = check->self;

  if (!ba_server_auth_check_password_finish (self->auth, result))
    respond_login_form (self, check->msg, SOUP_STATUS_UNAUTHORIZED,
                        "Wrong email, username or password.", check->username);
  else
    {
      ba_server_rate_limiter_reset (self->login_limiter, check->limit_key);

      if (needs_second_factor (self, check->user))
        {
          /* The partial token (twoFactorRequired: true) carries the user
           * to the next step; it is good for nothing else. */
          g_autofree char *partial = NULL;

          partial = ba_server_auth_issue_token (self->auth, check->user, now_ms (),
                                                BA_SERVER_TWO_FACTOR_PENDING);
          respond_code_form (check->msg, SOUP_STATUS_OK, NULL, partial);
          sodium_memzero (partial, strlen (partial));
        }
      else
        issue_and_post (self, check->msg, check->callback, check->user);
    }

  soup_server_message_unpause (check->msg);
  password_check_free (check);
}

static void
step_password (BaServerWebLogin  *self,
               SoupServerMessage *msg,
               const char        *callback,
               GHashTable        *form)
{
  const char *username = g_hash_table_lookup (form, "username");
  const char *password = g_hash_table_lookup (form, "password");
  g_autofree char *limit_key = NULL;
  g_autoptr(BaServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  PasswordCheck *check;
  gint64 retry_after = 0;

  if (username == NULL || password == NULL)
    {
      respond_login_form (self, msg, SOUP_STATUS_BAD_REQUEST, "Fill in both fields.", username);
      return;
    }

  /* The same limit, and the same key, as POST /login_: the page is not a
   * way around it. The user is looked up first, so that an account's
   * username and email share one budget. */
  user = find_user (self, username, &error);

  limit_key = ba_server_rate_limiter_login_key (soup_server_message_get_remote_host (msg),
                                                username, user != NULL ? user->id : 0);
  if (!ba_server_rate_limiter_consume (self->login_limiter, limit_key, &retry_after))
    {
      respond_login_form (self, msg, STATUS_TOO_MANY_REQUESTS,
                          "Too many attempts. Try again later.", username);
      ba_server_rate_limiter_refuse (msg, retry_after);
      return;
    }

  if (*username == '\0' || *password == '\0')
    {
      respond_login_form (self, msg, SOUP_STATUS_UNAUTHORIZED,
                          "Wrong email, username or password.", username);
      return;
    }

  if (error != NULL)
    {
      g_warning ("Web login failed on a database error: %s", error->message);
      respond_login_form (self, msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                          "Something went wrong. Try again.", username);
      return;
    }

  /* Checked even for an unknown user (against a dummy hash), so the time
   * taken does not tell which accounts exist. */
  check = g_new0 (PasswordCheck, 1);
  check->self = g_object_ref (self);
  check->msg = g_object_ref (msg);
  check->callback = g_strdup (callback);
  check->username = g_strdup (username);
  check->limit_key = g_steal_pointer (&limit_key);
  check->user = g_steal_pointer (&user);

  soup_server_message_pause (msg);
  ba_server_auth_check_password_async (self->auth, check->user, password, NULL,
                                       password_checked_cb, check);
}

static void
step_test_identity_provider (BaServerWebLogin  *self,
                             SoupServerMessage *msg,
                             const char        *callback,
                             GHashTable        *form)
{
  const char *username = g_hash_table_lookup (form, "username");
  g_autoptr(BaServerUser) user = NULL;
  g_autoptr(GError) error = NULL;

  if (!self->dev_identity_provider)
    {
      respond_login_form (self, msg, SOUP_STATUS_BAD_REQUEST,
                          "This server has no test identity provider.", NULL);
      return;
    }

  if (username == NULL || *username == '\0')
    {
      respond_login_form (self, msg, SOUP_STATUS_BAD_REQUEST,
                          "Enter the email or username of a social-login account.", NULL);
      return;
    }

  user = find_user (self, username, &error);
  if (error != NULL)
    {
      g_warning ("Web login failed on a database error: %s", error->message);
      respond_login_form (self, msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                          "Something went wrong. Try again.", NULL);
      return;
    }

  /* Only accounts without a password: the test provider must never be a
   * way into an account that is protected by one. */
  if (user == NULL || user->password_hash != NULL)
    {
      respond_login_form (self, msg, SOUP_STATUS_UNAUTHORIZED,
                          "The test identity provider only knows accounts without a "
                          "password.", NULL);
      return;
    }

  /* A provider signs the user in; a second factor still applies. */
  if (needs_second_factor (self, user))
    {
      g_autofree char *partial = ba_server_auth_issue_token (self->auth, user, now_ms (),
                                                             BA_SERVER_TWO_FACTOR_PENDING);

      respond_code_form (msg, SOUP_STATUS_OK, NULL, partial);
      sodium_memzero (partial, strlen (partial));
      return;
    }

  issue_and_post (self, msg, callback, user);
}

/* The second step: the partial token from the first, and the code. */
static void
step_code (BaServerWebLogin  *self,
           SoupServerMessage *msg,
           const char        *callback,
           GHashTable        *form)
{
  const char *partial = g_hash_table_lookup (form, "partial_token");
  const char *code = g_hash_table_lookup (form, "code");
  g_autoptr(BaServerCredential) credential = NULL;
  g_autofree char *authorization = NULL;
  g_autofree char *limit_key = NULL;
  g_autofree char *token = NULL;
  gint64 retry_after = 0;

  if (partial == NULL || self->two_factor.check_code == NULL)
    {
      respond_login_form (self, msg, SOUP_STATUS_BAD_REQUEST, "Start again.", NULL);
      return;
    }

  authorization = g_strconcat ("Bearer ", partial, NULL);
  credential = ba_server_auth_resolve (self->auth, authorization, NULL);
  sodium_memzero (authorization, strlen (authorization));

  /* Only a partial token of this server, not expired, gets here. */
  if (credential->kind != BA_SERVER_CREDENTIAL_PARTIAL_JWT)
    {
      respond_login_form (self, msg, SOUP_STATUS_UNAUTHORIZED,
                          "That took too long. Log in again.", NULL);
      return;
    }

  limit_key = g_strdup_printf ("%" G_GINT64_FORMAT, credential->user->id);
  if (!ba_server_rate_limiter_consume (self->code_limiter, limit_key, &retry_after))
    {
      respond_code_form (msg, STATUS_TOO_MANY_REQUESTS, "Too many attempts. Try again later.",
                         partial);
      ba_server_rate_limiter_refuse (msg, retry_after);
      return;
    }

  if (code == NULL || *code == '\0' ||
      !self->two_factor.check_code (self->two_factor.data, credential->user, code))
    {
      respond_code_form (msg, SOUP_STATUS_UNAUTHORIZED, "That code is not right.", partial);
      return;
    }

  ba_server_rate_limiter_reset (self->code_limiter, limit_key);

  token = ba_server_auth_issue_token (self->auth, credential->user, now_ms (),
                                      BA_SERVER_TWO_FACTOR_PASSED);
  respond_auto_post (msg, callback, token);
  sodium_memzero (token, strlen (token));

  g_debug ("User %" G_GINT64_FORMAT " logged in through the web login page with a code",
           credential->user->id);
}

static gboolean
is_form (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);

  return content_type != NULL &&
         g_ascii_strcasecmp (content_type, "application/x-www-form-urlencoded") == 0;
}

/* The origin this request was sent to, as a browser writes it in an
 * Origin header: "http://127.0.0.1:8000" (no default port). */
static char *
dup_own_origin (SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *scheme = g_uri_get_scheme (uri);
  int port = g_uri_get_port (uri);

  if (port < 0 ||
      (g_ascii_strcasecmp (scheme, "http") == 0 && port == 80) ||
      (g_ascii_strcasecmp (scheme, "https") == 0 && port == 443))
    return g_strdup_printf ("%s://%s", scheme, g_uri_get_host (uri));

  return g_strdup_printf ("%s://%s:%d", scheme, g_uri_get_host (uri), port);
}

/* Whether a POST came from this page itself. Another site could post a
 * password form of its own account here (or a sandboxed page, whose
 * Origin is "null"), and the page would hand that session to the
 * application on this computer: a login the user never asked for. A
 * browser says where a POST comes from in Origin (our pages use
 * Referrer-Policy: same-origin, so it is sent for our own forms) and in
 * Sec-Fetch-Site; clients that are not browsers send neither. */
static gboolean
is_same_origin_post (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *origin = soup_message_headers_get_one (headers, "Origin");
  const char *site = soup_message_headers_get_one (headers, "Sec-Fetch-Site");

  if (site != NULL && g_ascii_strcasecmp (site, "same-origin") != 0 &&
      g_ascii_strcasecmp (site, "none") != 0)
    return FALSE;

  if (origin != NULL)
    {
      g_autofree char *own = dup_own_origin (msg);

      if (g_ascii_strcasecmp (origin, own) != 0)
        return FALSE;
    }

  return TRUE;
}

static void
wipe_value (gpointer key,
            gpointer value,
            gpointer user_data)
{
  if (value != NULL)
    sodium_memzero (value, strlen (value));
}

void
ba_server_web_login_handle (BaServerWebLogin  *self,
                            SoupServerMessage *msg,
                            const char        *path)
{
  g_autofree char *callback = NULL;
  g_autoptr(GError) error = NULL;
  const char *method;

  g_return_if_fail (BA_IS_SERVER_WEB_LOGIN (self));
  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg));
  g_return_if_fail (g_str_has_prefix (path, BA_SERVER_WEB_LOGIN_PREFIX));

  /* No token ever goes anywhere but to this computer. */
  callback = ba_server_web_login_parse_callback (path + strlen (BA_SERVER_WEB_LOGIN_PREFIX),
                                                 &error);
  if (callback == NULL)
    {
      g_debug ("Web login refused: %s", error->message);
      respond_bad_callback (msg);
      return;
    }

  method = soup_server_message_get_method (msg);
  if (g_str_equal (method, "GET") || g_str_equal (method, "HEAD"))
    {
      respond_login_form (self, msg, SOUP_STATUS_OK, NULL, NULL);
      return;
    }

  if (g_str_equal (method, "POST"))
    {
      g_autoptr(GBytes) body = NULL;
      g_autoptr(GHashTable) form = NULL;
      g_autofree char *text = NULL;
      const char *step;
      const char *data;
      gsize len;

      if (!is_same_origin_post (msg))
        {
          g_debug ("Web login POST from another site refused");
          respond_login_form (self, msg, SOUP_STATUS_FORBIDDEN,
                              "This form was sent from another web site. Nothing happened; "
                              "log in on this page.", NULL);
          return;
        }

      if (!is_form (msg))
        {
          respond_login_form (self, msg, SOUP_STATUS_BAD_REQUEST,
                              "The form was not sent as a form.", NULL);
          return;
        }

      body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
      data = g_bytes_get_data (body, &len);
      text = g_strndup (data, len);
      form = soup_form_decode (text);
      sodium_memzero (text, len);

      step = g_hash_table_lookup (form, "step");
      if (g_strcmp0 (step, "password") == 0)
        step_password (self, msg, callback, form);
      else if (g_strcmp0 (step, "test-idp") == 0)
        step_test_identity_provider (self, msg, callback, form);
      else if (g_strcmp0 (step, "code") == 0)
        step_code (self, msg, callback, form);
      else
        respond_login_form (self, msg, SOUP_STATUS_BAD_REQUEST, "Start again.", NULL);

      g_hash_table_foreach (form, wipe_value, NULL);
      return;
    }

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Allow", "GET, HEAD, POST");
  soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
}
