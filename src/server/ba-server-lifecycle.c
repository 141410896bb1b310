/* ba-server-lifecycle.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-server-lifecycle"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <sodium.h>

#include "ba-error.h"
#include "ba-password-policy.h"
#include "ba-server-lifecycle.h"
#include "ba-server-mail.h"
#include "ba-server-rate-limiter.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* RFC 6585; libsoup 3.2 has no name for it. */
#define STATUS_TOO_MANY_REQUESTS 429

/* Section 1.2: deleting the account, or setting a first password, needs a
 * password (or other credential) check at most 20 minutes old. */
#define FRESH_AUTH_MS (20 * 60 * 1000)

/* Section 17.3: a reset token lives one hour; 5 requests per hour per IP
 * and email. Verification mails: a token lives a week (a mail may sit
 * unread over a weekend); resending is limited like reset requests. */
#define RESET_TOKEN_SECONDS        (60 * 60)
#define VERIFY_TOKEN_SECONDS       (7 * 24 * 60 * 60)
#define MAIL_LIMIT_POINTS          5
#define MAIL_LIMIT_WINDOW_SECONDS  (60 * 60)
#define MAIL_LIMIT_BLOCK_SECONDS   (60 * 60)

/* Guessing the current password through POST /user/v1/password is
 * limited like /login_ (section 3): 10 tries per 2 hours per user, then
 * an hour's block; a correct password resets the count. */
/* Sign-ups per client address: each one sends a mail to an address the
 * caller chose, and each taken-address answer tells whether an account
 * exists. */
#define SIGN_UP_LIMIT_POINTS          20
#define SIGN_UP_LIMIT_WINDOW_SECONDS  (60 * 60)
#define SIGN_UP_LIMIT_BLOCK_SECONDS   (60 * 60)

#define PASSWORD_LIMIT_POINTS          10
#define PASSWORD_LIMIT_WINDOW_SECONDS  (2 * 60 * 60)
#define PASSWORD_LIMIT_BLOCK_SECONDS   (60 * 60)

/* Section 4: username and email rules. */
#define USERNAME_MAX_LENGTH  73
#define EMAIL_MIN_LENGTH     5
#define EMAIL_MAX_LENGTH     254
#define PROFILE_TEXT_MAX     100

#define PURPOSE_VERIFY "verify-email"
#define PURPOSE_RESET  "password-reset"

#define MSG_INVALID_EMAIL     "Invalid email"
#define MSG_EMAIL_TAKEN       "This email is already taken"
#define MSG_USERNAME_TAKEN    "This username is already taken"
#define MSG_BAD_TOKEN         "Invalid or expired token"
#define MSG_WRONG_PASSWORD    "Wrong password"
#define MSG_FRESH_AUTH        "Fresh authentication token required"
#define MSG_CURRENT_REQUIRED  "Current password required"
#define MSG_NAMED_KEY         "You cannot use a named key for user deletion"
#define MSG_OWN_ACCOUNT_ONLY  "You can only delete your own account"
#define MSG_NO_USER_ID        "You must specify the id of the user to delete"

struct _BaServerLifecycle
{
  GObject              parent_instance;

  BaServerStore       *store;
  BaServerAuth        *auth;
  char                *outbox_dir;
  BaServerRateLimiter *mail_limiter;
  BaServerRateLimiter *password_limiter;
  BaServerRateLimiter *sign_up_limiter;
  BaServerTotp        *totp;          /* NULL: nobody has two-factor authentication */
};

G_DEFINE_FINAL_TYPE (BaServerLifecycle, ba_server_lifecycle, G_TYPE_OBJECT)

/* Responses (the shapes of account-api.md section 1.3) */

static void
respond_empty (SoupServerMessage *msg,
               guint              status)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
}

static void
respond_message (SoupServerMessage *msg,
                 guint              status,
                 const char        *message)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
  g_autofree char *json = NULL;
  gsize len;

  json_node_set_string (node, message);
  json = json_to_string (node, FALSE);
  len = strlen (json);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json; charset=utf-8",
                                    SOUP_MEMORY_TAKE, g_steal_pointer (&json), len);
}

static void
wipe_and_free (gpointer data)
{
  sodium_memzero (data, strlen (data));
  g_free (data);
}

/* 200 text/plain with a session token, from a buffer that is wiped when
 * libsoup lets go of it. Takes @token. */
static void
respond_token (SoupServerMessage *msg,
               char              *token)
{
  g_autoptr(GBytes) bytes = g_bytes_new_with_free_func (token, strlen (token), wipe_and_free, token);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Content-Type", "text/plain; charset=utf-8");
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
}

static void
respond_too_many_requests (SoupServerMessage *msg,
                           gint64             retry_after)
{
  respond_message (msg, STATUS_TOO_MANY_REQUESTS, "Too Many Requests");
  ba_server_rate_limiter_refuse (msg, retry_after);
}

static void
respond_failed (SoupServerMessage *msg,
                const char        *what,
                const GError      *error)
{
  g_warning ("%s: %s", what, error != NULL ? error->message : "unknown error");
  respond_empty (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR);
}

/* Request bodies */

/* The JSON object body, or NULL when it is not application/json or not
 * an object. */
static JsonObject *
read_json_body (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  const char *data;
  gsize len;

  if (content_type == NULL || g_ascii_strcasecmp (content_type, "application/json") != 0)
    return NULL;

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  data = g_bytes_get_data (body, &len);
  if (len == 0)
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, len, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  return json_object_ref (json_node_get_object (root));
}

/* A string member, or NULL when it is missing or not a string. */
static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static char *
dup_secret (const char *secret)
{
  return secret != NULL ? g_strdup (secret) : NULL;
}

static void
free_secret (char *secret)
{
  if (secret != NULL)
    sodium_memzero (secret, strlen (secret));
  g_free (secret);
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
is_fresh (const BaServerCredential *credential)
{
  return now_ms () - credential->auth_time <= FRESH_AUTH_MS;
}

/* What a token issued to @user without a password login may carry: a
 * mailbox alone (a verification or reset link) must not get past the
 * second factor, so a 2FA user gets a partial token, as from /login_. */
static BaServerTwoFactor
two_factor_at_login (BaServerLifecycle  *self,
                     const BaServerUser *user)
{
  if (self->totp == NULL)
    return BA_SERVER_TWO_FACTOR_ABSENT;

  return ba_server_totp_login_state (self->totp, user);
}

static BaServerUser *
user_copy (const BaServerUser *user)
{
  BaServerUser *copy = g_new0 (BaServerUser, 1);

  copy->id = user->id;
  copy->actor_id = user->actor_id;
  copy->username = g_strdup (user->username);
  copy->email = g_strdup (user->email);
  copy->password_hash = g_strdup (user->password_hash);
  copy->jwt_secret = g_strdup (user->jwt_secret);
  copy->created_at = g_strdup (user->created_at);

  return copy;
}

/* Rules */

/* A plain address: printable ASCII without spaces, one "@" with text on
 * both sides, a dot in the domain, 5 to 254 characters (section 4). It
 * ends up in a mail header, so nothing else gets through. */
static gboolean
is_valid_email (const char *email)
{
  const char *at;
  const char *domain;
  gsize len;

  if (email == NULL)
    return FALSE;

  len = strlen (email);
  if (len < EMAIL_MIN_LENGTH || len > EMAIL_MAX_LENGTH)
    return FALSE;

  for (const char *p = email; *p != '\0'; p++)
    {
      if (!g_ascii_isgraph (*p) || strchr ("<>()[]\\,;:\"", *p) != NULL)
        return FALSE;
    }

  at = strchr (email, '@');
  if (at == NULL || at == email || strchr (at + 1, '@') != NULL)
    return FALSE;

  domain = at + 1;
  if (*domain == '.' || g_str_has_suffix (domain, ".") ||
      strchr (domain, '.') == NULL || strstr (domain, "..") != NULL)
    return FALSE;

  return TRUE;
}

/* Section 4: lower case, and each run of characters other than
 * [a-z0-9_] becomes one "_"; at most 73 characters. */
static char *
normalise_username (const char *text,
                    gssize      len)
{
  GString *out = g_string_new (NULL);
  gboolean in_run = FALSE;

  if (len < 0)
    len = strlen (text);

  for (gssize i = 0; i < len; i++)
    {
      char c = g_ascii_tolower (text[i]);

      if (g_ascii_isalnum (c) || c == '_')
        {
          g_string_append_c (out, c);
          in_run = FALSE;
        }
      else if (!in_run)
        {
          g_string_append_c (out, '_');
          in_run = TRUE;
        }
    }

  if (out->len > USERNAME_MAX_LENGTH)
    g_string_truncate (out, USERNAME_MAX_LENGTH);

  return g_string_free (out, FALSE);
}

static gboolean
username_is_taken (BaServerLifecycle  *self,
                   const char         *username,
                   GError            **error)
{
  g_autoptr(BaServerUser) user = NULL;

  /* Section 4: "root" is never available. */
  if (g_ascii_strcasecmp (username, "root") == 0)
    return TRUE;

  user = ba_server_store_find_user_by_username (self->store, username, error);

  return user != NULL;
}

/* Store: mail tokens, profile, deletion */

static sqlite3 *
get_db (BaServerLifecycle *self)
{
  return ba_server_store_get_db (self->store);
}

static gboolean
step_done (BaServerLifecycle  *self,
           sqlite3_stmt       *stmt,
           const char         *what,
           GError            **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      g_set_error (error, BA_ERROR, BA_ERROR_FAILED, "%s: %s", what,
                   sqlite3_errmsg (get_db (self)));
      return FALSE;
    }

  return TRUE;
}

static sqlite3_stmt *
prepare (BaServerLifecycle  *self,
         const char         *sql,
         GError            **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (get_db (self), sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, BA_ERROR, BA_ERROR_FAILED, "Could not prepare a statement: %s",
                   sqlite3_errmsg (get_db (self)));
      sqlite3_finalize (stmt);
      return NULL;
    }

  return stmt;
}

static gboolean
delete_tokens (BaServerLifecycle  *self,
               gint64              user_id,
               const char         *purpose,
               GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "DELETE FROM user_token WHERE user = ? AND purpose = ?", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, user_id);
  sqlite3_bind_text (stmt, 2, purpose, -1, SQLITE_STATIC);

  return step_done (self, stmt, "Could not delete mail tokens", error);
}

/* Makes a new single-use token for @user_id and returns it (the caller
 * wipes it); only its hash is stored. Expired tokens of anyone are
 * dropped on the way, so the table does not grow. */
static char *
create_token (BaServerLifecycle  *self,
              gint64              user_id,
              const char         *purpose,
              gint64              lifetime,
              GError            **error)
{
  g_autoptr(sqlite3_stmt) cleanup = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created_at = ba_server_store_format_date (now);
  g_autofree char *hash = NULL;
  char *token;

  cleanup = prepare (self, "DELETE FROM user_token WHERE expires_at <= ?", error);
  if (cleanup == NULL)
    return NULL;
  sqlite3_bind_int64 (cleanup, 1, now_seconds ());
  if (!step_done (self, cleanup, "Could not drop expired mail tokens", error))
    return NULL;

  stmt = prepare (self,
                  "INSERT INTO user_token (user, purpose, token_hash, expires_at, created_at)"
                  " VALUES (?, ?, ?, ?, ?)",
                  error);
  if (stmt == NULL)
    return NULL;

  /* 32 random alphanumeric characters (about 190 bits), like an API
   * key: safe in a URL and fine to paste. */
  token = ba_server_auth_new_api_key ();
  hash = ba_server_auth_hash_api_key (token);

  sqlite3_bind_int64 (stmt, 1, user_id);
  sqlite3_bind_text (stmt, 2, purpose, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, now_seconds () + lifetime);
  sqlite3_bind_text (stmt, 5, created_at, -1, SQLITE_TRANSIENT);

  if (!step_done (self, stmt, "Could not store a mail token", error))
    {
      free_secret (token);
      return NULL;
    }

  return token;
}

/* The user a valid (unexpired) token of @purpose belongs to, or 0. With
 * @consume the token is deleted in the same statement, so two requests
 * racing with one token cannot both win. */
static gint64
find_token_user (BaServerLifecycle  *self,
                 const char         *purpose,
                 const char         *token,
                 gboolean            consume,
                 GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *hash = NULL;
  gint64 user_id;
  int rc;

  if (token == NULL || *token == '\0' || strlen (token) > 256)
    return 0;

  hash = ba_server_auth_hash_api_key (token);
  stmt = prepare (self,
                  "SELECT user FROM user_token WHERE token_hash = ? AND purpose = ? AND expires_at > ?",
                  error);
  if (stmt == NULL)
    return 0;

  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, purpose, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now_seconds ());

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return 0;
  if (rc != SQLITE_ROW)
    {
      g_set_error (error, BA_ERROR, BA_ERROR_FAILED, "Could not look up a mail token: %s",
                   sqlite3_errmsg (get_db (self)));
      return 0;
    }

  user_id = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (consume)
    {
      stmt = prepare (self, "DELETE FROM user_token WHERE token_hash = ?", error);
      if (stmt == NULL)
        return 0;
      sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_TRANSIENT);
      if (!step_done (self, stmt, "Could not use up a mail token", error))
        return 0;
      if (sqlite3_changes (get_db (self)) != 1)
        return 0;
    }

  return user_id;
}

static gboolean
set_verified (BaServerLifecycle  *self,
              gint64              user_id,
              GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "UPDATE user SET is_verified = 1 WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, user_id);

  return step_done (self, stmt, "Could not mark the email verified", error);
}

static int
get_verified (BaServerLifecycle  *self,
              gint64              user_id,
              GError            **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT is_verified FROM user WHERE id = ?", error);

  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, user_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_NOT_FOUND, "No such user");
      return -1;
    }

  return sqlite3_column_int (stmt, 0);
}

/* What the user owns goes with it, in one transaction. Every table that
 * belongs to a user references user or actor with ON DELETE CASCADE
 * (foreign keys are on), so deleting the actor removes the user row, its
 * API keys, mail tokens and anything later issues add that way. Owned
 * rows that are not below the user (an organization that only this user
 * administers, with its fleets and devices) need a statement here, run
 * before the actor goes; each takes the user id as ?1. */
static const char * const delete_user_steps[] = {
  "DELETE FROM actor WHERE id = (SELECT actor FROM user WHERE id = ?1)",
};

static gboolean
delete_user (BaServerLifecycle  *self,
             gint64              user_id,
             GError            **error)
{
  if (!ba_server_store_begin (self->store, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (delete_user_steps); i++)
    {
      g_autoptr(sqlite3_stmt) stmt = prepare (self, delete_user_steps[i], error);

      if (stmt == NULL)
        goto failed;

      sqlite3_bind_int64 (stmt, 1, user_id);
      if (!step_done (self, stmt, "Could not delete the account", error))
        goto failed;
    }

  if (!ba_server_store_commit (self->store, error))
    goto failed;

  return TRUE;

failed:
  ba_server_store_rollback (self->store);
  return FALSE;
}

/* Mail */

static gboolean
send_verification_mail (BaServerLifecycle  *self,
                        const BaServerUser *user,
                        const char         *base_url,
                        GError            **error)
{
  g_autofree char *token = NULL;
  g_autofree char *escaped_email = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;

  if (!delete_tokens (self, user->id, PURPOSE_VERIFY, error))
    return FALSE;

  token = create_token (self, user->id, PURPOSE_VERIFY, VERIFY_TOKEN_SECONDS, error);
  if (token == NULL)
    return FALSE;

  escaped_email = g_uri_escape_string (user->email, NULL, FALSE);
  body = g_strdup_printf ("Hello %s,\n"
                          "\n"
                          "Please confirm that this is your email address. Paste this code\n"
                          "into Balena Accounts:\n"
                          "\n"
                          "    %s\n"
                          "\n"
                          "or the whole link:\n"
                          "\n"
                          "    %s/verify-email?token=%s&email=%s\n"
                          "\n"
                          "The code is valid for 7 days. If you did not sign up, ignore\n"
                          "this mail.\n",
                          user->username, token, base_url, token, escaped_email);
  sodium_memzero (token, strlen (token));

  path = ba_server_mail_write (self->outbox_dir, PURPOSE_VERIFY, user->email,
                               "Verify your email address", body, error);
  sodium_memzero (body, strlen (body));

  return path != NULL;
}

/* POST /user/register (section 17.1) */

typedef struct
{
  BaServerLifecycle *self;
  SoupServerMessage *msg;
  char              *email;
  char              *username;
  char              *base_url;
  char              *password;      /* register, reset: the new password */
  char              *current;       /* change: the current password */
  char              *token;         /* reset: the mail token */
  BaServerUser      *user;          /* change: the caller */
  BaServerTwoFactor  two_factor;    /* change: carried into the new token */
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->self);
  g_clear_object (&job->msg);
  g_free (job->email);
  g_free (job->username);
  g_free (job->base_url);
  free_secret (job->password);
  free_secret (job->current);
  free_secret (job->token);
  g_clear_pointer (&job->user, ba_server_user_free);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

static Job *
job_new (BaServerLifecycle *self,
         SoupServerMessage *msg)
{
  Job *job = g_new0 (Job, 1);

  job->self = g_object_ref (self);
  job->msg = g_object_ref (msg);
  soup_server_message_pause (msg);

  return job;
}

static void
job_resume (Job *job)
{
  soup_server_message_unpause (job->msg);
}

/* Worker thread: checks job->current against job->user (when both are
 * set), then hashes job->password. Returns the new hash, or fails with
 * WRONG_CREDENTIALS. */
static void
hash_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Job *job = task_data;
  char *hash;
  GError *error = NULL;

  if (job->current != NULL && job->user != NULL &&
      !ba_server_auth_check_password (job->self->auth, job->user, job->current))
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS, "Wrong password");
      return;
    }

  hash = ba_server_auth_hash_password (job->self->auth, job->password, &error);
  if (hash == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, hash, g_free);
}

static void
run_hash (Job                 *job,
          GAsyncReadyCallback  callback)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, NULL);

  g_task_set_source_tag (task, run_hash);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, hash_thread);
}

static Job *
job_from_result (GAsyncResult *result)
{
  return g_task_get_task_data (G_TASK (result));
}

static void
register_hashed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Job *job = job_from_result (result);
  BaServerLifecycle *self = job->self;
  g_autoptr(BaServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *jwt_secret = NULL;

  hash = g_task_propagate_pointer (G_TASK (result), &error);
  if (hash == NULL)
    {
      respond_failed (job->msg, "Could not hash a password", error);
      goto out;
    }

  jwt_secret = ba_server_auth_new_jwt_secret ();
  user = ba_server_store_create_user (self->store, job->username, job->email, hash,
                                      jwt_secret, &error);
  if (user == NULL)
    {
      /* Someone took the email or username while the hash was made. */
      if (g_error_matches (error, BA_ERROR, BA_ERROR_CONFLICT))
        {
          g_autoptr(BaServerUser) other = ba_server_store_find_user_by_email (self->store, job->email, NULL);

          respond_message (job->msg, 409, other != NULL ? MSG_EMAIL_TAKEN : MSG_USERNAME_TAKEN);
        }
      else
        respond_failed (job->msg, "Could not create a user", error);
      goto out;
    }

  /* The account exists now; a mail that cannot be written is logged, and
   * the user can ask for another one. */
  if (!send_verification_mail (self, user, job->base_url, &error))
    g_warning ("Could not send the verification mail: %s", error->message);

  g_debug ("User %" G_GINT64_FORMAT " signed up", user->id);
  respond_token (job->msg, ba_server_auth_issue_token (self->auth, user, now_ms (),
                                                       BA_SERVER_TWO_FACTOR_ABSENT));

out:
  job_resume (job);
}

/* A free username from the email's local part: "jane.doe@…" is
 * "jane_doe", then "jane_doe2", "jane_doe3"… */
static char *
derive_username (BaServerLifecycle  *self,
                 const char         *email,
                 GError            **error)
{
  g_autofree char *base = normalise_username (email, strchr (email, '@') - email);

  if (*base == '\0' || g_str_equal (base, "_"))
    {
      g_free (base);
      base = g_strdup ("user");
    }

  for (guint n = 1; n < 10000; n++)
    {
      g_autofree char *candidate = NULL;
      g_autoptr(GError) local_error = NULL;

      if (n == 1)
        candidate = g_strdup (base);
      else
        {
          g_autofree char *suffix = g_strdup_printf ("%u", n);
          g_autofree char *trimmed = g_strndup (base, USERNAME_MAX_LENGTH - strlen (suffix));

          candidate = g_strconcat (trimmed, suffix, NULL);
        }

      if (!username_is_taken (self, candidate, &local_error))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          return g_steal_pointer (&candidate);
        }
    }

  g_set_error_literal (error, BA_ERROR, BA_ERROR_CONFLICT, "No free username");
  return NULL;
}

static void
handle_register (BaServerLifecycle *self,
                 SoupServerMessage *msg,
                 const char        *base_url)
{
  g_autoptr(JsonObject) object = read_json_body (msg);
  g_autoptr(BaServerUser) existing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *username = NULL;
  g_autofree char *limit_key = NULL;
  const char *email;
  const char *password;
  JsonNode *username_node;
  gint64 retry_after = 0;
  Job *job;

  if (object == NULL)
    {
      respond_empty (msg, SOUP_STATUS_BAD_REQUEST);
      return;
    }

  email = get_string (object, "email");
  password = get_string (object, "password");
  username_node = json_object_get_member (object, "username");

  if (!is_valid_email (email))
    {
      respond_message (msg, SOUP_STATUS_BAD_REQUEST, MSG_INVALID_EMAIL);
      return;
    }

  if (!ba_password_policy_check (password, &error))
    {
      respond_message (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }

  limit_key = g_strconcat ("sign-up$", soup_server_message_get_remote_host (msg), NULL);
  if (!ba_server_rate_limiter_consume (self->sign_up_limiter, limit_key, &retry_after))
    {
      respond_too_many_requests (msg, retry_after);
      return;
    }

  existing = ba_server_store_find_user_by_email (self->store, email, &error);
  if (error != NULL)
    {
      respond_failed (msg, "Could not look up an email", error);
      return;
    }
  if (existing != NULL)
    {
      respond_message (msg, 409, MSG_EMAIL_TAKEN);
      return;
    }

  if (username_node != NULL && !JSON_NODE_HOLDS_NULL (username_node) &&
      !(JSON_NODE_HOLDS_VALUE (username_node) &&
        json_node_get_value_type (username_node) == G_TYPE_STRING &&
        *json_node_get_string (username_node) != '\0'))
    {
      respond_empty (msg, SOUP_STATUS_BAD_REQUEST);
      return;
    }

  if (username_node != NULL && !JSON_NODE_HOLDS_NULL (username_node))
    {
      username = normalise_username (json_node_get_string (username_node), -1);
      if (username_is_taken (self, username, &error))
        {
          respond_message (msg, 409, MSG_USERNAME_TAKEN);
          return;
        }
      if (error != NULL)
        {
          respond_failed (msg, "Could not look up a username", error);
          return;
        }
    }
  else
    {
      username = derive_username (self, email, &error);
      if (username == NULL)
        {
          respond_failed (msg, "Could not find a free username", error);
          return;
        }
    }

  job = job_new (self, msg);
  job->email = g_strdup (email);
  job->username = g_steal_pointer (&username);
  job->password = dup_secret (password);
  job->base_url = g_strdup (base_url);
  run_hash (job, register_hashed_cb);
}

/* POST /user/v1/verify-email (section 8) */

static void
handle_verify_email (BaServerLifecycle        *self,
                     SoupServerMessage        *msg,
                     const BaServerCredential *credential)
{
  g_autoptr(JsonObject) object = read_json_body (msg);
  g_autoptr(BaServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  const char *token;
  const char *email;
  gint64 user_id;
  BaServerTwoFactor two_factor;

  if (object == NULL ||
      (token = get_string (object, "verificationToken")) == NULL ||
      (email = get_string (object, "email")) == NULL)
    {
      respond_empty (msg, SOUP_STATUS_BAD_REQUEST);
      return;
    }

  user = ba_server_store_find_user_by_email (self->store, email, &error);
  if (error != NULL)
    {
      respond_failed (msg, "Could not look up an email", error);
      return;
    }

  /* The token must be this user's: a token and an email that do not
   * belong together are as wrong as a made-up token. */
  if (user == NULL ||
      (user_id = find_token_user (self, PURPOSE_VERIFY, token, FALSE, &error)) != user->id)
    {
      if (error != NULL)
        respond_failed (msg, "Could not check a verification token", error);
      else
        respond_message (msg, SOUP_STATUS_BAD_REQUEST, MSG_BAD_TOKEN);
      return;
    }

  if (!ba_server_store_begin (self->store, &error))
    {
      respond_failed (msg, "Could not verify an email", error);
      return;
    }

  if (find_token_user (self, PURPOSE_VERIFY, token, TRUE, &error) != user->id ||
      !set_verified (self, user->id, &error) ||
      !delete_tokens (self, user->id, PURPOSE_VERIFY, &error) ||
      !ba_server_store_commit (self->store, &error))
    {
      ba_server_store_rollback (self->store);
      if (error != NULL)
        respond_failed (msg, "Could not verify an email", error);
      else
        respond_message (msg, SOUP_STATUS_BAD_REQUEST, MSG_BAD_TOKEN);
      return;
    }

  g_debug ("User %" G_GINT64_FORMAT " verified their email", user->id);
  /* The app verifies while logged in: its session keeps its state. A link
   * opened without a session logs in only as far as a password would. */
  if (credential->kind == BA_SERVER_CREDENTIAL_USER_JWT && credential->user->id == user->id)
    two_factor = credential->two_factor;
  else
    two_factor = two_factor_at_login (self, user);
  respond_token (msg, ba_server_auth_issue_token (self->auth, user, now_ms (), two_factor));
}

/* POST /user/v1/password-reset/request (section 17.3) */

typedef struct
{
  BaServerLifecycle *self;
  char              *email;
  char              *base_url;
} ResetMail;

static void
reset_mail_free (ResetMail *mail)
{
  g_clear_object (&mail->self);
  g_free (mail->email);
  g_free (mail->base_url);
  g_free (mail);
}

/* Runs once the answer is on its way: looks the address up and, when it
 * has an account, makes the token and writes the mail (in a worker
 * thread). None of it can change the answer or its timing. */
static gboolean
reset_mail_idle_cb (gpointer user_data)
{
  ResetMail *mail = user_data;
  BaServerLifecycle *self = mail->self;
  g_autoptr(BaServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *body = NULL;

  user = ba_server_store_find_user_by_email (self->store, mail->email, &error);
  if (user == NULL || user->email == NULL)
    {
      if (error != NULL)
        g_warning ("Could not look up an email for a reset: %s", error->message);
      return G_SOURCE_REMOVE;
    }

  token = create_token (self, user->id, PURPOSE_RESET, RESET_TOKEN_SECONDS, &error);
  if (token == NULL)
    {
      g_warning ("Could not make a password reset token: %s", error->message);
      return G_SOURCE_REMOVE;
    }

  body = g_strdup_printf ("Hello %s,\n"
                          "\n"
                          "Someone asked to reset the password of your account. To choose a\n"
                          "new password, paste this link into Balena Accounts:\n"
                          "\n"
                          "    %s/password-reset?token=%s\n"
                          "\n"
                          "or just the code:\n"
                          "\n"
                          "    %s\n"
                          "\n"
                          "It works once, within one hour. If you did not ask for this,\n"
                          "ignore this mail; your password stays as it is.\n",
                          user->username, mail->base_url, token, token);
  sodium_memzero (token, strlen (token));
  ba_server_mail_write_in_background (self->outbox_dir, PURPOSE_RESET, user->email,
                                      "Reset your password", body);
  sodium_memzero (body, strlen (body));

  return G_SOURCE_REMOVE;
}

static void
handle_reset_request (BaServerLifecycle *self,
                      SoupServerMessage *msg,
                      const char        *base_url)
{
  g_autoptr(JsonObject) object = read_json_body (msg);
  g_autofree char *limit_key = NULL;
  g_autofree char *lower = NULL;
  ResetMail *mail;
  const char *email;
  gint64 retry_after = 0;

  if (object == NULL || (email = get_string (object, "email")) == NULL)
    {
      respond_empty (msg, SOUP_STATUS_BAD_REQUEST);
      return;
    }

  lower = g_ascii_strdown (email, -1);
  limit_key = g_strconcat ("reset$", soup_server_message_get_remote_host (msg), "$", lower, NULL);
  if (!ba_server_rate_limiter_consume (self->mail_limiter, limit_key, &retry_after))
    {
      respond_too_many_requests (msg, retry_after);
      return;
    }

  /* The answer is the same whether or not the account exists, and it
   * leaves before the server even looks (the lookup, the token and the
   * mail run later at low priority), so the time is the same too. */
  respond_empty (msg, SOUP_STATUS_OK);

  if (!is_valid_email (email))
    return;

  mail = g_new0 (ResetMail, 1);
  mail->self = g_object_ref (self);
  mail->email = g_strdup (email);
  mail->base_url = g_strdup (base_url);
  g_idle_add_full (G_PRIORITY_LOW, reset_mail_idle_cb, mail, (GDestroyNotify) reset_mail_free);
}

/* POST /user/v1/password-reset (section 17.3) */

static void
reset_hashed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Job *job = job_from_result (result);
  BaServerLifecycle *self = job->self;
  g_autoptr(BaServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *jwt_secret = NULL;
  gint64 user_id;

  hash = g_task_propagate_pointer (G_TASK (result), &error);
  if (hash == NULL)
    {
      respond_failed (job->msg, "Could not hash a password", error);
      goto out;
    }

  if (!ba_server_store_begin (self->store, &error))
    {
      respond_failed (job->msg, "Could not reset a password", error);
      goto out;
    }

  /* Used up here, in the same transaction as the change: a second request
   * with the same token finds nothing. */
  user_id = find_token_user (self, PURPOSE_RESET, job->token, TRUE, &error);
  if (user_id == 0)
    {
      ba_server_store_rollback (self->store);
      if (error != NULL)
        respond_failed (job->msg, "Could not check a reset token", error);
      else
        respond_message (job->msg, SOUP_STATUS_BAD_REQUEST, MSG_BAD_TOKEN);
      goto out;
    }

  /* A new jwt_secret ends every older session. The mail proved the
   * address, so it counts as verified, and other reset links die. */
  jwt_secret = ba_server_auth_new_jwt_secret ();
  if (!ba_server_store_set_password (self->store, user_id, hash, jwt_secret, &error) ||
      !delete_tokens (self, user_id, PURPOSE_RESET, &error) ||
      !set_verified (self, user_id, &error) ||
      !ba_server_store_commit (self->store, &error))
    {
      ba_server_store_rollback (self->store);
      respond_failed (job->msg, "Could not reset a password", error);
      goto out;
    }

  user = ba_server_store_find_user_by_id (self->store, user_id, &error);
  if (user == NULL)
    {
      respond_failed (job->msg, "Could not read a user back", error);
      goto out;
    }

  g_debug ("User %" G_GINT64_FORMAT " reset their password", user->id);
  respond_token (job->msg, ba_server_auth_issue_token (self->auth, user, now_ms (),
                                                       two_factor_at_login (self, user)));

out:
  job_resume (job);
}

static void
handle_reset (BaServerLifecycle *self,
              SoupServerMessage *msg)
{
  g_autoptr(JsonObject) object = read_json_body (msg);
  g_autoptr(GError) error = NULL;
  const char *token;
  const char *password;
  Job *job;

  if (object == NULL || (token = get_string (object, "token")) == NULL)
    {
      respond_empty (msg, SOUP_STATUS_BAD_REQUEST);
      return;
    }

  password = get_string (object, "password");
  if (!ba_password_policy_check (password, &error))
    {
      respond_message (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }

  /* Checked before the slow hash, and again (used up) after it. */
  if (find_token_user (self, PURPOSE_RESET, token, FALSE, &error) == 0)
    {
      if (error != NULL)
        respond_failed (msg, "Could not check a reset token", error);
      else
        respond_message (msg, SOUP_STATUS_BAD_REQUEST, MSG_BAD_TOKEN);
      return;
    }

  job = job_new (self, msg);
  job->token = dup_secret (token);
  job->password = dup_secret (password);
  run_hash (job, reset_hashed_cb);
}

/* POST /user/v1/password (section 17.4) */

static void
password_hashed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Job *job = job_from_result (result);
  BaServerLifecycle *self = job->self;
  g_autoptr(BaServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *jwt_secret = NULL;

  hash = g_task_propagate_pointer (G_TASK (result), &error);
  if (hash == NULL)
    {
      if (g_error_matches (error, BA_ERROR, BA_ERROR_WRONG_CREDENTIALS))
        respond_message (job->msg, SOUP_STATUS_UNAUTHORIZED, MSG_WRONG_PASSWORD);
      else
        respond_failed (job->msg, "Could not hash a password", error);
      goto out;
    }

  if (job->current != NULL)
    {
      g_autofree char *limit_key = g_strdup_printf ("password$%" G_GINT64_FORMAT, job->user->id);

      ba_server_rate_limiter_reset (self->password_limiter, limit_key);
    }

  jwt_secret = ba_server_auth_new_jwt_secret ();
  if (!ba_server_store_set_password (self->store, job->user->id, hash, jwt_secret, &error))
    {
      respond_failed (job->msg, "Could not change a password", error);
      goto out;
    }

  user = ba_server_store_find_user_by_id (self->store, job->user->id, &error);
  if (user == NULL)
    {
      respond_failed (job->msg, "Could not read a user back", error);
      goto out;
    }

  g_debug ("User %" G_GINT64_FORMAT " %s their password", user->id,
           job->user->password_hash != NULL ? "changed" : "set");
  /* The caller just proved the password (or held a fresh token): the new
   * token is fresh, and keeps the two-factor state of the old one. */
  respond_token (job->msg, ba_server_auth_issue_token (self->auth, user, now_ms (),
                                                       job->two_factor));

out:
  job_resume (job);
}

static void
handle_password (BaServerLifecycle        *self,
                 SoupServerMessage        *msg,
                 const BaServerCredential *credential)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  const char *new_password;
  const char *current;
  Job *job;

  if (credential->kind != BA_SERVER_CREDENTIAL_USER_JWT)
    {
      respond_empty (msg, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  object = read_json_body (msg);
  if (object == NULL)
    {
      respond_empty (msg, SOUP_STATUS_BAD_REQUEST);
      return;
    }

  new_password = get_string (object, "new_password");
  current = get_string (object, "current_password");

  if (!ba_password_policy_check (new_password, &error))
    {
      respond_message (msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }

  if (credential->user->password_hash != NULL)
    {
      g_autofree char *limit_key = g_strdup_printf ("password$%" G_GINT64_FORMAT,
                                                    credential->user->id);
      gint64 retry_after = 0;

      if (current == NULL || *current == '\0')
        {
          respond_message (msg, SOUP_STATUS_BAD_REQUEST, MSG_CURRENT_REQUIRED);
          return;
        }

      if (!ba_server_rate_limiter_consume (self->password_limiter, limit_key, &retry_after))
        {
          respond_too_many_requests (msg, retry_after);
          return;
        }
    }
  else
    {
      /* A first password for a social-login account: only a recent
       * login may add one. */
      current = NULL;
      if (!is_fresh (credential))
        {
          respond_message (msg, SOUP_STATUS_UNAUTHORIZED, MSG_FRESH_AUTH);
          return;
        }
    }

  job = job_new (self, msg);
  job->user = user_copy (credential->user);
  job->two_factor = credential->two_factor;
  job->current = dup_secret (current);
  job->password = dup_secret (new_password);
  run_hash (job, password_hashed_cb);
}

/* OData writes on user and user_profile */

/* Parses "user(12)" (@resource "user"): TRUE with the id. Sets
 * @out_named when the key is not a plain number ("user(username='x')"),
 * @out_no_key when there is no key at all. */
static gboolean
parse_keyed_path (const char *path,
                  const char *resource,
                  gint64     *out_id,
                  gboolean   *out_named,
                  gboolean   *out_no_key)
{
  gsize len = strlen (resource);
  const char *key;
  const char *close;
  g_autofree char *digits = NULL;
  guint64 id;

  *out_id = 0;
  *out_named = FALSE;
  *out_no_key = FALSE;

  if (strncmp (path, resource, len) != 0)
    return FALSE;

  if (path[len] == '\0')
    {
      *out_no_key = TRUE;
      return FALSE;
    }

  if (path[len] != '(')
    return FALSE;

  key = path + len + 1;
  close = strchr (key, ')');
  if (close == NULL || close[1] != '\0')
    return FALSE;

  digits = g_strndup (key, close - key);
  if (!g_ascii_string_to_unsigned (digits, 10, 1, G_MAXINT64, &id, NULL))
    {
      *out_named = TRUE;
      return FALSE;
    }

  *out_id = (gint64) id;
  return TRUE;
}

/* Members other than @allowed (NULL-terminated) are a 400 naming them. */
static gboolean
check_members (SoupServerMessage  *msg,
               JsonObject         *object,
               const char         *resource,
               const char * const *allowed)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          g_autofree char *message = g_strdup_printf ("'%s' of '%s' cannot be changed",
                                                      (const char *) l->data, resource);

          respond_message (msg, SOUP_STATUS_BAD_REQUEST, message);
          return FALSE;
        }
    }

  return TRUE;
}

/* PATCH /v7/user(<id>) {"has_been_sent_verification_email": true}: the
 * SDK's requestVerificationEmail (section 8). */
static void
handle_resend (BaServerLifecycle        *self,
               SoupServerMessage        *msg,
               const BaServerCredential *credential,
               gint64                    id,
               const char               *base_url)
{
  static const char * const allowed[] = { "has_been_sent_verification_email", NULL };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *limit_key = NULL;
  JsonNode *node;
  gint64 retry_after = 0;
  int verified;

  if (credential->kind != BA_SERVER_CREDENTIAL_USER_JWT || id != credential->user->id)
    {
      respond_empty (msg, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  object = read_json_body (msg);
  if (object == NULL)
    {
      respond_empty (msg, SOUP_STATUS_BAD_REQUEST);
      return;
    }

  if (!check_members (msg, object, "user", allowed))
    return;

  node = json_object_get_member (object, "has_been_sent_verification_email");
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_BOOLEAN ||
      !json_node_get_boolean (node))
    {
      respond_empty (msg, SOUP_STATUS_BAD_REQUEST);
      return;
    }

  verified = get_verified (self, id, &error);
  if (verified < 0)
    {
      respond_failed (msg, "Could not read the verification state", error);
      return;
    }

  /* Nothing to verify: the same 200, no mail. */
  if (verified > 0 || credential->user->email == NULL)
    {
      respond_empty (msg, SOUP_STATUS_OK);
      return;
    }

  limit_key = g_strdup_printf ("verify$%" G_GINT64_FORMAT, id);
  if (!ba_server_rate_limiter_consume (self->mail_limiter, limit_key, &retry_after))
    {
      respond_too_many_requests (msg, retry_after);
      return;
    }

  if (!send_verification_mail (self, credential->user, base_url, &error))
    {
      respond_failed (msg, "Could not send a verification mail", error);
      return;
    }

  respond_empty (msg, SOUP_STATUS_OK);
}

/* PATCH /v7/user_profile(<id>) {first_name, last_name, company}
 * (section 17.2). Each is text of at most 100 characters, or null. */
static void
handle_profile_patch (BaServerLifecycle        *self,
                      SoupServerMessage        *msg,
                      const BaServerCredential *credential,
                      gint64                    id)
{
  static const char * const allowed[] = { "first_name", "last_name", "company", NULL };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  if (credential->kind != BA_SERVER_CREDENTIAL_USER_JWT || id != credential->user->id)
    {
      respond_empty (msg, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  object = read_json_body (msg);
  if (object == NULL)
    {
      respond_empty (msg, SOUP_STATUS_BAD_REQUEST);
      return;
    }

  if (!check_members (msg, object, "user_profile", allowed))
    return;

  for (guint i = 0; allowed[i] != NULL; i++)
    {
      JsonNode *node = json_object_get_member (object, allowed[i]);

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;

      if (json_node_get_value_type (node) != G_TYPE_STRING)
        {
          respond_empty (msg, SOUP_STATUS_BAD_REQUEST);
          return;
        }

      if (g_utf8_strlen (json_node_get_string (node), -1) > PROFILE_TEXT_MAX)
        {
          g_autofree char *message = g_strdup_printf ("'%s' must be at most %d characters",
                                                      allowed[i], PROFILE_TEXT_MAX);

          respond_message (msg, SOUP_STATUS_BAD_REQUEST, message);
          return;
        }
    }

  stmt = prepare (self,
                  "UPDATE user SET"
                  " first_name = CASE WHEN ?1 THEN ?2 ELSE first_name END,"
                  " last_name = CASE WHEN ?3 THEN ?4 ELSE last_name END,"
                  " company = CASE WHEN ?5 THEN ?6 ELSE company END"
                  " WHERE id = ?7",
                  &error);
  if (stmt == NULL)
    {
      respond_failed (msg, "Could not change a profile", error);
      return;
    }

  for (guint i = 0; allowed[i] != NULL; i++)
    {
      gboolean set = json_object_has_member (object, allowed[i]);
      JsonNode *node = json_object_get_member (object, allowed[i]);

      sqlite3_bind_int (stmt, 2 * i + 1, set);
      if (set && !JSON_NODE_HOLDS_NULL (node))
        sqlite3_bind_text (stmt, 2 * i + 2, json_node_get_string (node), -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (stmt, 2 * i + 2);
    }
  sqlite3_bind_int64 (stmt, 7, id);

  if (!step_done (self, stmt, "Could not change a profile", &error))
    {
      respond_failed (msg, "Could not change a profile", error);
      return;
    }

  respond_empty (msg, SOUP_STATUS_OK);
}

/* DELETE /v7/user(<id>) (section 9). */
static void
handle_delete_user (BaServerLifecycle        *self,
                    SoupServerMessage        *msg,
                    const BaServerCredential *credential,
                    const char               *odata_path)
{
  g_autoptr(GError) error = NULL;
  gboolean named;
  gboolean no_key;
  gint64 id;

  if (credential->kind != BA_SERVER_CREDENTIAL_USER_JWT)
    {
      respond_empty (msg, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  if (!parse_keyed_path (odata_path, "user", &id, &named, &no_key))
    {
      respond_message (msg, SOUP_STATUS_BAD_REQUEST, named ? MSG_NAMED_KEY : MSG_NO_USER_ID);
      return;
    }

  if (id != credential->user->id)
    {
      respond_message (msg, SOUP_STATUS_BAD_REQUEST, MSG_OWN_ACCOUNT_ONLY);
      return;
    }

  if (!is_fresh (credential))
    {
      respond_message (msg, SOUP_STATUS_UNAUTHORIZED, MSG_FRESH_AUTH);
      return;
    }

  if (!delete_user (self, id, &error))
    {
      respond_failed (msg, "Could not delete an account", error);
      return;
    }

  g_debug ("User %" G_GINT64_FORMAT " deleted their account", id);
  respond_empty (msg, SOUP_STATUS_OK);
}

/* GObject */

static void
ba_server_lifecycle_finalize (GObject *object)
{
  BaServerLifecycle *self = (BaServerLifecycle *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->auth);
  g_clear_object (&self->totp);
  g_clear_object (&self->mail_limiter);
  g_clear_object (&self->password_limiter);
  g_clear_object (&self->sign_up_limiter);
  g_clear_pointer (&self->outbox_dir, g_free);

  G_OBJECT_CLASS (ba_server_lifecycle_parent_class)->finalize (object);
}

static void
ba_server_lifecycle_class_init (BaServerLifecycleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_server_lifecycle_finalize;
}

static void
ba_server_lifecycle_init (BaServerLifecycle *self)
{
  self->mail_limiter = ba_server_rate_limiter_new (MAIL_LIMIT_POINTS,
                                                   MAIL_LIMIT_WINDOW_SECONDS,
                                                   MAIL_LIMIT_BLOCK_SECONDS);
  self->password_limiter = ba_server_rate_limiter_new (PASSWORD_LIMIT_POINTS,
                                                       PASSWORD_LIMIT_WINDOW_SECONDS,
                                                       PASSWORD_LIMIT_BLOCK_SECONDS);
  self->sign_up_limiter = ba_server_rate_limiter_new (SIGN_UP_LIMIT_POINTS,
                                                      SIGN_UP_LIMIT_WINDOW_SECONDS,
                                                      SIGN_UP_LIMIT_BLOCK_SECONDS);
}

/* Public API */

BaServerLifecycle *
ba_server_lifecycle_new (BaServerStore *store,
                         BaServerAuth  *auth,
                         const char    *outbox_dir)
{
  BaServerLifecycle *self;

  g_return_val_if_fail (BA_IS_SERVER_STORE (store), NULL);
  g_return_val_if_fail (BA_IS_SERVER_AUTH (auth), NULL);
  g_return_val_if_fail (outbox_dir != NULL, NULL);

  self = g_object_new (BA_TYPE_SERVER_LIFECYCLE, NULL);
  self->store = g_object_ref (store);
  self->auth = g_object_ref (auth);
  self->outbox_dir = g_strdup (outbox_dir);

  return self;
}

gboolean
ba_server_lifecycle_mark_verified (BaServerLifecycle  *self,
                                   gint64              user_id,
                                   GError            **error)
{
  g_return_val_if_fail (BA_IS_SERVER_LIFECYCLE (self), FALSE);

  return set_verified (self, user_id, error);
}

static const char * const own_paths[] = {
  "/user/register",
  "/user/v1/verify-email",
  "/user/v1/password-reset/request",
  "/user/v1/password-reset",
  "/user/v1/password",
  NULL,
};

gboolean
ba_server_lifecycle_owns_path (const char *path)
{
  g_return_val_if_fail (path != NULL, FALSE);

  return g_strv_contains (own_paths, path);
}

void
ba_server_lifecycle_handle (BaServerLifecycle        *self,
                            SoupServerMessage        *msg,
                            const char               *path,
                            const BaServerCredential *credential,
                            const char               *base_url)
{
  g_return_if_fail (BA_IS_SERVER_LIFECYCLE (self));
  g_return_if_fail (credential != NULL);

  if (g_str_equal (path, "/user/register"))
    handle_register (self, msg, base_url);
  else if (g_str_equal (path, "/user/v1/verify-email"))
    handle_verify_email (self, msg, credential);
  else if (g_str_equal (path, "/user/v1/password-reset/request"))
    handle_reset_request (self, msg, base_url);
  else if (g_str_equal (path, "/user/v1/password-reset"))
    handle_reset (self, msg);
  else if (g_str_equal (path, "/user/v1/password"))
    handle_password (self, msg, credential);
  else
    respond_empty (msg, SOUP_STATUS_NOT_FOUND);
}

gboolean
ba_server_lifecycle_handle_odata (BaServerLifecycle        *self,
                                  SoupServerMessage        *msg,
                                  const char               *method,
                                  const char               *odata_path,
                                  const BaServerCredential *credential,
                                  const char               *base_url)
{
  g_autofree char *decoded = NULL;
  gboolean named;
  gboolean no_key;
  gint64 id;

  g_return_val_if_fail (BA_IS_SERVER_LIFECYCLE (self), FALSE);

  /* "user%2812%29" names the same row as "user(12)". */
  decoded = g_uri_unescape_string (odata_path, NULL);
  if (decoded == NULL)
    return FALSE;
  odata_path = decoded;

  if (g_str_equal (method, "DELETE") &&
      (g_str_equal (odata_path, "user") || g_str_has_prefix (odata_path, "user(")))
    {
      handle_delete_user (self, msg, credential, odata_path);
      return TRUE;
    }

  if (!g_str_equal (method, "PATCH"))
    return FALSE;

  if (parse_keyed_path (odata_path, "user", &id, &named, &no_key))
    {
      handle_resend (self, msg, credential, id, base_url);
      return TRUE;
    }

  if (parse_keyed_path (odata_path, "user_profile", &id, &named, &no_key))
    {
      handle_profile_patch (self, msg, credential, id);
      return TRUE;
    }

  return FALSE;
}

void
ba_server_lifecycle_set_totp (BaServerLifecycle *self,
                              BaServerTotp      *totp)
{
  g_return_if_fail (BA_IS_SERVER_LIFECYCLE (self));
  g_return_if_fail (totp == NULL || BA_IS_SERVER_TOTP (totp));

  g_set_object (&self->totp, totp);
}
