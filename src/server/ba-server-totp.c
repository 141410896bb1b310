/* ba-server-totp.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-server-totp"

#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>
#include <sodium.h>

#include "ba-base32.h"
#include "ba-error.h"
#include "ba-otpauth.h"
#include "ba-server-rate-limiter.h"
#include "ba-server-totp.h"
#include "ba-totp.h"

/* 160 bits, what RFC 4226 recommends for HMAC-SHA1. */
#define SECRET_BYTES 20

/* Section 1.2: sensitive actions need a password at most 20 minutes old. */
#define FRESH_AUTH_MS (20 * 60 * 1000)

/* 12 characters of the lower-case base32 alphabet: 60 random bits. */
#define RECOVERY_CODE_CHARS 12
static const char recovery_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

#define STATUS_TOO_MANY_REQUESTS 429

#define MSG_INVALID_CODE     "Invalid two-factor authentication code"
#define MSG_ALREADY_ENABLED  "Two-factor authentication is already enabled"
#define MSG_NOT_ENABLED      "Two-factor authentication is not enabled"
#define MSG_NOT_SET_UP       "Two-factor authentication has not been set up; call /auth/totp/setup first"
#define MSG_NOT_PASSED       "Two-factor authentication required"
#define MSG_WRONG_PASSWORD   "Wrong password"
#define MSG_FRESH_AUTH       "Fresh authentication token required"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

struct _BaServerTotp
{
  GObject              parent_instance;

  BaServerStore       *store;
  BaServerAuth        *auth;
  BaServerRateLimiter *limiter;
};

G_DEFINE_FINAL_TYPE (BaServerTotp, ba_server_totp, G_TYPE_OBJECT)

/* A user's row of the totp table. */
typedef struct
{
  char     *secret;          /* base32: wiped on free */
  gboolean  is_enabled;
  gint64    last_used_step;
} TotpRow;

static void
totp_row_free (TotpRow *row)
{
  if (row == NULL)
    return;

  if (row->secret != NULL)
    sodium_memzero (row->secret, strlen (row->secret));
  g_free (row->secret);
  g_free (row);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TotpRow, totp_row_free)

/* Responses. The message helpers are this file's own so that it stays
 * independent of ba-server.c's request plumbing. */

static void
respond_empty (SoupServerMessage *msg,
               guint              status)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
}

/* Pine-style error (section 1.3, shape 1): the message as a JSON string. */
static void
respond_message (SoupServerMessage *msg,
                 guint              status,
                 const char        *message)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
  char *json;

  json_node_set_string (node, message);
  json = json_to_string (node, FALSE);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json; charset=utf-8",
                                    SOUP_MEMORY_TAKE, json, strlen (json));
}

static void
wipe_and_free (gpointer data)
{
  sodium_memzero (data, strlen (data));
  g_free (data);
}

/* 200 with @secret_text (a token, a URI with a secret, the codes), from a
 * buffer that is wiped when libsoup lets go of it. Takes @secret_text. */
static void
respond_secret (SoupServerMessage *msg,
                const char        *content_type,
                char              *secret_text)
{
  g_autoptr(GBytes) bytes = g_bytes_new_with_free_func (secret_text, strlen (secret_text),
                                                        wipe_and_free, secret_text);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Content-Type", content_type);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
}

static void
respond_token (BaServerTotp       *self,
               SoupServerMessage  *msg,
               const BaServerUser *user,
               gint64              auth_time,
               BaServerTwoFactor   two_factor)
{
  char *token = ba_server_auth_issue_token (self->auth, user, auth_time, two_factor);

  respond_secret (msg, "text/plain; charset=utf-8", token);
}

static gboolean
consume_attempt (BaServerTotp      *self,
                 SoupServerMessage *msg,
                 gint64             user_id)
{
  g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, user_id);
  gint64 retry_after = 0;

  if (ba_server_rate_limiter_consume (self->limiter, key, &retry_after))
    return TRUE;

  respond_message (msg, STATUS_TOO_MANY_REQUESTS, "Too Many Requests");
  ba_server_rate_limiter_refuse (msg, retry_after);
  g_debug ("Two-factor attempts of user %" G_GINT64_FORMAT " are rate limited", user_id);
  return FALSE;
}

static void
reset_attempts (BaServerTotp *self,
                gint64        user_id)
{
  g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, user_id);

  ba_server_rate_limiter_reset (self->limiter, key);
}

/* Request bodies */

/* Reads string member @name of a JSON object body. NULL for a body that is
 * not JSON, not an object, or lacks the member as a string. The copy may
 * be a secret: wipe it. */
static char *
read_body_string (SoupServerMessage *msg,
                  const char        *name)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonNode *node;
  const char *data;
  char *value;
  gsize len;

  if (content_type == NULL || g_ascii_strcasecmp (content_type, "application/json") != 0)
    return NULL;

  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  data = g_bytes_get_data (body, &len);
  parser = json_parser_new ();
  if (len == 0 || !json_parser_load_from_data (parser, data, len, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  node = json_object_get_member (json_node_get_object (root), name);
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  value = g_strdup (json_node_get_string (node));
  sodium_memzero ((gpointer) json_node_get_string (node), strlen (value));

  return value;
}

/* Store */

static sqlite3 *
db (BaServerTotp *self)
{
  return ba_server_store_get_db (self->store);
}

static gboolean
prepare (BaServerTotp  *self,
         const char    *sql,
         sqlite3_stmt **out_stmt,
         GError       **error)
{
  if (sqlite3_prepare_v2 (db (self), sql, -1, out_stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, BA_ERROR, BA_ERROR_FAILED,
                   "Could not prepare a statement: %s", sqlite3_errmsg (db (self)));
      sqlite3_finalize (*out_stmt);
      *out_stmt = NULL;
      return FALSE;
    }

  return TRUE;
}

static gboolean
step_done (BaServerTotp  *self,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      g_set_error (error, BA_ERROR, BA_ERROR_FAILED,
                   "Database error: %s", sqlite3_errmsg (db (self)));
      return FALSE;
    }

  return TRUE;
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return ba_server_store_format_date (now);
}

/* The user's row, or NULL without @error when there is none. */
static TotpRow *
load_row (BaServerTotp  *self,
          gint64         user_id,
          GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  TotpRow *row;
  int rc;

  if (!prepare (self, "SELECT secret, is_enabled, last_used_step FROM totp WHERE user = ?",
                &stmt, error))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, user_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      g_set_error (error, BA_ERROR, BA_ERROR_FAILED,
                   "Could not read the TOTP row: %s", sqlite3_errmsg (db (self)));
      return NULL;
    }

  row = g_new0 (TotpRow, 1);
  row->secret = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  row->is_enabled = sqlite3_column_int (stmt, 1) != 0;
  row->last_used_step = sqlite3_column_int64 (stmt, 2);

  return row;
}

/* Moves last_used_step forward to @step, only if it is still below it:
 * of two requests racing with the same code, one wins. With @enable, the
 * same statement turns 2FA on. */
static gboolean
use_step (BaServerTotp  *self,
          gint64         user_id,
          gint64         step,
          gboolean       enable,
          GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!prepare (self,
                enable ? "UPDATE totp SET last_used_step = ?, is_enabled = 1"
                         " WHERE user = ? AND last_used_step < ?"
                       : "UPDATE totp SET last_used_step = ?"
                         " WHERE user = ? AND last_used_step < ? AND is_enabled = 1",
                &stmt, error))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, step);
  sqlite3_bind_int64 (stmt, 2, user_id);
  sqlite3_bind_int64 (stmt, 3, step);
  if (!step_done (self, stmt, error))
    return FALSE;

  return sqlite3_changes (db (self)) == 1;
}

/* Marks the unused recovery code with @hash used. FALSE when there is
 * none (wrong, or used before). */
static gboolean
use_recovery_code (BaServerTotp  *self,
                   gint64         user_id,
                   const char    *hash,
                   GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = now_iso8601 ();

  if (!prepare (self,
                "UPDATE recovery_two_factor SET used_timestamp = ?"
                " WHERE id = (SELECT id FROM recovery_two_factor"
                "             WHERE belongs_to__user = ? AND code_hash = ?"
                "               AND used_timestamp IS NULL LIMIT 1)",
                &stmt, error))
    return FALSE;

  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, user_id);
  sqlite3_bind_text (stmt, 3, hash, -1, SQLITE_TRANSIENT);
  if (!step_done (self, stmt, error))
    return FALSE;

  return sqlite3_changes (db (self)) == 1;
}

static gboolean
delete_rows (BaServerTotp  *self,
             const char    *sql,
             gint64         user_id,
             GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!prepare (self, sql, &stmt, error))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, user_id);
  return step_done (self, stmt, error);
}

/* Codes */

/* A TOTP code is six digits; spaces (as some apps show "123 456") are
 * dropped. Returns NULL for anything else. */
static char *
normalise_totp_code (const char *code)
{
  GString *out = g_string_new (NULL);

  for (const char *p = code; *p != '\0'; p++)
    {
      if (*p == ' ')
        continue;
      if (!g_ascii_isdigit (*p) || out->len >= BA_TOTP_DEFAULT_DIGITS)
        {
          sodium_memzero (out->str, out->len);
          g_string_free (out, TRUE);
          return NULL;
        }
      g_string_append_c (out, *p);
    }

  if (out->len != BA_TOTP_DEFAULT_DIGITS)
    {
      sodium_memzero (out->str, out->len);
      g_string_free (out, TRUE);
      return NULL;
    }

  return g_string_free (out, FALSE);
}

/* A recovery code in any case, with or without its dashes and spaces, as
 * its 12 lower-case characters. NULL when it cannot be one. */
static char *
normalise_recovery_code (const char *code)
{
  GString *out = g_string_new (NULL);

  for (const char *p = code; *p != '\0'; p++)
    {
      char c = g_ascii_tolower (*p);

      if (c == '-' || c == ' ')
        continue;
      if (strchr (recovery_alphabet, c) == NULL || c == '\0' ||
          out->len >= RECOVERY_CODE_CHARS)
        {
          sodium_memzero (out->str, out->len);
          g_string_free (out, TRUE);
          return NULL;
        }
      g_string_append_c (out, c);
    }

  if (out->len != RECOVERY_CODE_CHARS)
    {
      sodium_memzero (out->str, out->len);
      g_string_free (out, TRUE);
      return NULL;
    }

  return g_string_free (out, FALSE);
}

/* Checks @code against the row's secret for now ±1 step and uses the
 * step up. Returns TRUE only for a code never accepted before. */
static gboolean
check_totp (BaServerTotp  *self,
            gint64         user_id,
            TotpRow       *row,
            const char    *code,
            gboolean       enable,
            GError       **error)
{
  g_autofree char *digits = normalise_totp_code (code);
  g_autofree guint8 *key = NULL;
  gsize key_len = 0;
  gint64 step = -1;
  gboolean ok;

  if (digits == NULL)
    return FALSE;

  key = ba_base32_decode (row->secret, &key_len, error);
  if (key == NULL)
    {
      sodium_memzero (digits, strlen (digits));
      return FALSE;
    }

  ok = ba_totp_verify (BA_TOTP_SHA1, key, key_len, digits, g_get_real_time () / G_USEC_PER_SEC,
                       BA_TOTP_DEFAULT_PERIOD, BA_TOTP_DEFAULT_DIGITS, BA_SERVER_TOTP_WINDOW,
                       &step);
  sodium_memzero (key, key_len);
  sodium_memzero (digits, strlen (digits));

  if (!ok)
    return FALSE;

  /* Any code of a step at or before the last one used is refused: the
   * same code twice, and also an older code after a newer one
   * (RFC 6238 section 5.2). */
  if (step <= row->last_used_step)
    {
      g_debug ("Refusing a TOTP code of an already used step for user %" G_GINT64_FORMAT, user_id);
      return FALSE;
    }

  return use_step (self, user_id, step, enable, error);
}

/* The login challenge: a TOTP code, or (section 17.5) an unused recovery
 * code; either is used up. */
static gboolean
answer_challenge (BaServerTotp  *self,
                  gint64         user_id,
                  TotpRow       *row,
                  const char    *code,
                  gboolean      *out_by_recovery_code,
                  GError       **error)
{
  g_autofree char *normalised = NULL;
  g_autofree char *hash = NULL;
  GError *local_error = NULL;
  gboolean ok;

  *out_by_recovery_code = FALSE;

  ok = check_totp (self, user_id, row, code, FALSE, &local_error);
  if (ok || local_error != NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      return ok;
    }

  normalised = normalise_recovery_code (code);
  if (normalised == NULL)
    return FALSE;

  hash = ba_server_auth_hash_api_key (normalised);
  sodium_memzero (normalised, strlen (normalised));
  ok = use_recovery_code (self, user_id, hash, error);
  *out_by_recovery_code = ok;

  return ok;
}

/* GET /auth/totp/setup */

static void
handle_setup (BaServerTotp             *self,
              SoupServerMessage        *msg,
              const BaServerCredential *credential)
{
  g_autoptr(TotpRow) row = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *secret = NULL;
  gsize secret_len = 0;
  char *uri;

  if (credential->kind != BA_SERVER_CREDENTIAL_USER_JWT)
    {
      respond_empty (msg, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  row = load_row (self, credential->user->id, &error);
  if (error != NULL)
    goto failed;

  if (row != NULL && row->is_enabled)
    {
      respond_message (msg, SOUP_STATUS_CONFLICT, MSG_ALREADY_ENABLED);
      return;
    }

  /* A pending secret is kept until it is verified, so asking again (the
   * app's page reopened) gives the same QR code the phone may already
   * have. */
  if (row != NULL)
    {
      secret = ba_base32_decode (row->secret, &secret_len, &error);
      if (secret == NULL)
        goto failed;
    }
  else
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;
      g_autofree char *now = now_iso8601 ();
      char *encoded;

      secret_len = SECRET_BYTES;
      secret = g_malloc (secret_len);
      randombytes_buf (secret, secret_len);

      if (!prepare (self,
                    "INSERT INTO totp (user, secret, is_enabled, last_used_step, created_at)"
                    " VALUES (?, ?, 0, -1, ?)",
                    &stmt, &error))
        goto failed;

      encoded = ba_base32_encode (secret, secret_len);
      sqlite3_bind_int64 (stmt, 1, credential->user->id);
      sqlite3_bind_text (stmt, 2, encoded, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, now, -1, SQLITE_TRANSIENT);
      wipe_and_free (encoded);
      if (!step_done (self, stmt, &error))
        goto failed;
    }

  uri = ba_otpauth_build (BA_SERVER_TOTP_ISSUER, credential->user->username, secret, secret_len,
                          BA_TOTP_SHA1, BA_TOTP_DEFAULT_DIGITS, BA_TOTP_DEFAULT_PERIOD);
  sodium_memzero (secret, secret_len);
  respond_secret (msg, "text/plain; charset=utf-8", uri);

  g_debug ("User %" G_GINT64_FORMAT " asked for a TOTP setup key", credential->user->id);
  return;

failed:
  if (secret != NULL)
    sodium_memzero (secret, secret_len);
  g_warning ("TOTP setup failed: %s", error->message);
  respond_empty (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR);
}

/* POST /auth/totp/verify {code} */

static void
handle_verify (BaServerTotp             *self,
               SoupServerMessage        *msg,
               const BaServerCredential *credential)
{
  g_autoptr(TotpRow) row = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  gboolean partial = credential->kind == BA_SERVER_CREDENTIAL_PARTIAL_JWT;
  gint64 user_id;
  gboolean ok = FALSE;
  gboolean by_recovery_code = FALSE;

  /* A partial token answers the login challenge; a full one enables a
   * pending setup. */
  if (credential->kind != BA_SERVER_CREDENTIAL_USER_JWT && !partial)
    {
      respond_empty (msg, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  user_id = credential->user->id;
  code = read_body_string (msg, "code");
  if (code == NULL)
    {
      respond_empty (msg, SOUP_STATUS_BAD_REQUEST);
      return;
    }

  row = load_row (self, user_id, &error);
  if (error != NULL)
    goto failed;

  if (!partial)
    {
      if (row == NULL)
        {
          respond_message (msg, SOUP_STATUS_BAD_REQUEST, MSG_NOT_SET_UP);
          goto out;
        }
      if (row->is_enabled)
        {
          respond_message (msg, SOUP_STATUS_CONFLICT, MSG_ALREADY_ENABLED);
          goto out;
        }
    }

  if (!consume_attempt (self, msg, user_id))
    goto out;

  if (row != NULL && partial && row->is_enabled)
    ok = answer_challenge (self, user_id, row, code, &by_recovery_code, &error);
  else if (row != NULL && !partial)
    ok = check_totp (self, user_id, row, code, TRUE, &error);
  if (error != NULL)
    goto failed;

  if (!ok)
    {
      g_debug ("Wrong two-factor code for user %" G_GINT64_FORMAT, user_id);
      respond_message (msg, SOUP_STATUS_UNAUTHORIZED, MSG_INVALID_CODE);
      goto out;
    }

  reset_attempts (self, user_id);

  /* authTime carries over: the password was given at /login_ (or for
   * the session that enables 2FA), not now. */
  respond_token (self, msg, credential->user, credential->auth_time, BA_SERVER_TWO_FACTOR_PASSED);

  if (!partial)
    g_debug ("User %" G_GINT64_FORMAT " enabled two-factor authentication", user_id);
  else
    g_debug ("User %" G_GINT64_FORMAT " passed the two-factor challenge%s", user_id,
             by_recovery_code ? " with a recovery code" : "");
  goto out;

failed:
  g_warning ("TOTP verification failed: %s", error->message);
  respond_empty (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR);

out:
  sodium_memzero (code, strlen (code));
}

/* POST /auth/totp/disable {password} */

typedef struct
{
  BaServerTotp      *self;
  SoupServerMessage *msg;
  BaServerUser      *user;
} DisableData;

static void
disable_data_free (DisableData *data)
{
  g_clear_object (&data->self);
  g_clear_object (&data->msg);
  g_clear_pointer (&data->user, ba_server_user_free);
  g_free (data);
}

static void
disable_checked_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  DisableData *data = user_data;
  BaServerTotp *self = data->self;
  g_autoptr(GError) error = NULL;
  gint64 user_id = data->user->id;

  if (!ba_server_auth_check_password_finish (self->auth, result))
    {
      respond_message (data->msg, SOUP_STATUS_UNAUTHORIZED, MSG_WRONG_PASSWORD);
      goto out;
    }

  reset_attempts (self, user_id);

  if (!ba_server_store_begin (self->store, &error))
    goto failed;
  if (!delete_rows (self, "DELETE FROM recovery_two_factor WHERE belongs_to__user = ?",
                    user_id, &error) ||
      !delete_rows (self, "DELETE FROM totp WHERE user = ?", user_id, &error) ||
      !ba_server_store_commit (self->store, &error))
    {
      ba_server_store_rollback (self->store);
      goto failed;
    }

  /* The password was just proven: the new token is fresh, and carries no
   * twoFactorRequired claim any more. */
  respond_token (self, data->msg, data->user, g_get_real_time () / 1000,
                 BA_SERVER_TWO_FACTOR_ABSENT);
  g_debug ("User %" G_GINT64_FORMAT " disabled two-factor authentication", user_id);
  goto out;

failed:
  g_warning ("Could not disable TOTP: %s", error->message);
  respond_empty (data->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR);

out:
  soup_server_message_unpause (data->msg);
  disable_data_free (data);
}

static void
handle_disable (BaServerTotp             *self,
                SoupServerMessage        *msg,
                const BaServerCredential *credential)
{
  g_autoptr(TotpRow) row = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *password = NULL;
  DisableData *data;

  if (credential->kind != BA_SERVER_CREDENTIAL_USER_JWT)
    {
      respond_empty (msg, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  password = read_body_string (msg, "password");
  if (password == NULL)
    {
      respond_empty (msg, SOUP_STATUS_BAD_REQUEST);
      return;
    }

  row = load_row (self, credential->user->id, &error);
  if (error != NULL)
    {
      g_warning ("Could not read the TOTP row: %s", error->message);
      respond_empty (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR);
      goto out;
    }

  if (row == NULL || !row->is_enabled)
    {
      respond_message (msg, SOUP_STATUS_CONFLICT, MSG_NOT_ENABLED);
      goto out;
    }

  if (!consume_attempt (self, msg, credential->user->id))
    goto out;

  data = g_new0 (DisableData, 1);
  data->self = g_object_ref (self);
  data->msg = g_object_ref (msg);
  data->user = ba_server_store_find_user_by_id (self->store, credential->user->id, &error);
  if (data->user == NULL)
    {
      g_warning ("Could not read user %" G_GINT64_FORMAT ": %s", credential->user->id,
                 error != NULL ? error->message : "gone");
      respond_empty (msg, SOUP_STATUS_UNAUTHORIZED);
      disable_data_free (data);
      goto out;
    }

  soup_server_message_pause (msg);
  ba_server_auth_check_password_async (self->auth, data->user, password, NULL,
                                       disable_checked_cb, data);

out:
  sodium_memzero (password, strlen (password));
}

/* POST /auth/totp/recovery-codes */

static char *
new_recovery_code (void)
{
  char *code = g_malloc (RECOVERY_CODE_CHARS + 1);

  for (guint i = 0; i < RECOVERY_CODE_CHARS; i++)
    code[i] = recovery_alphabet[randombytes_uniform (sizeof recovery_alphabet - 1)];
  code[RECOVERY_CODE_CHARS] = '\0';

  return code;
}

static void
handle_recovery_codes (BaServerTotp             *self,
                       SoupServerMessage        *msg,
                       const BaServerCredential *credential)
{
  g_autoptr(TotpRow) row = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = NULL;
  GString *json = NULL;
  gint64 user_id;

  if (credential->kind != BA_SERVER_CREDENTIAL_USER_JWT)
    {
      respond_empty (msg, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  user_id = credential->user->id;
  row = load_row (self, user_id, &error);
  if (error != NULL)
    goto failed;

  if (row == NULL || !row->is_enabled)
    {
      respond_message (msg, SOUP_STATUS_CONFLICT, MSG_NOT_ENABLED);
      return;
    }

  /* A token from before 2FA was enabled has not passed the challenge. */
  if (credential->two_factor != BA_SERVER_TWO_FACTOR_PASSED)
    {
      respond_message (msg, SOUP_STATUS_UNAUTHORIZED, MSG_NOT_PASSED);
      return;
    }

  if (g_get_real_time () / 1000 - credential->auth_time > FRESH_AUTH_MS)
    {
      respond_message (msg, SOUP_STATUS_UNAUTHORIZED, MSG_FRESH_AUTH);
      return;
    }

  now = now_iso8601 ();

  if (!ba_server_store_begin (self->store, &error))
    goto failed;

  /* Regenerating replaces every earlier code, used or not. */
  if (!delete_rows (self, "DELETE FROM recovery_two_factor WHERE belongs_to__user = ?",
                    user_id, &error) ||
      !prepare (self,
                "INSERT INTO recovery_two_factor (belongs_to__user, code_hash, created_at)"
                " VALUES (?, ?, ?)",
                &stmt, &error))
    goto rollback;

  json = g_string_new ("[");
  for (guint i = 0; i < BA_SERVER_RECOVERY_CODE_COUNT; i++)
    {
      char *code = new_recovery_code ();
      g_autofree char *hash = ba_server_auth_hash_api_key (code);

      g_string_append_printf (json, "%s\"%.4s-%.4s-%.4s\"", i > 0 ? "," : "",
                              code, code + 4, code + 8);
      wipe_and_free (code);

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, user_id);
      sqlite3_bind_text (stmt, 2, hash, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, now, -1, SQLITE_TRANSIENT);
      if (!step_done (self, stmt, &error))
        goto rollback;
    }
  g_string_append_c (json, ']');

  if (!ba_server_store_commit (self->store, &error))
    goto rollback;

  respond_secret (msg, "application/json; charset=utf-8", g_string_free (g_steal_pointer (&json), FALSE));
  g_debug ("User %" G_GINT64_FORMAT " got new recovery codes", user_id);
  return;

rollback:
  ba_server_store_rollback (self->store);
  if (json != NULL)
    {
      sodium_memzero (json->str, json->len);
      g_string_free (json, TRUE);
    }

failed:
  g_warning ("Could not make recovery codes: %s", error->message);
  respond_empty (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR);
}

/* GObject */

static void
ba_server_totp_finalize (GObject *object)
{
  BaServerTotp *self = (BaServerTotp *)object;

  g_clear_object (&self->limiter);
  g_clear_object (&self->auth);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ba_server_totp_parent_class)->finalize (object);
}

static void
ba_server_totp_class_init (BaServerTotpClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_server_totp_finalize;
}

static void
ba_server_totp_init (BaServerTotp *self)
{
  self->limiter = ba_server_rate_limiter_new (BA_SERVER_TOTP_ATTEMPTS,
                                              BA_SERVER_TOTP_WINDOW_SECONDS,
                                              BA_SERVER_TOTP_BLOCK_SECONDS);
}

/* Public API */

BaServerTotp *
ba_server_totp_new (BaServerStore *store,
                    BaServerAuth  *auth)
{
  BaServerTotp *self;

  g_return_val_if_fail (BA_IS_SERVER_STORE (store), NULL);
  g_return_val_if_fail (BA_IS_SERVER_AUTH (auth), NULL);

  self = g_object_new (BA_TYPE_SERVER_TOTP, NULL);
  self->store = g_object_ref (store);
  self->auth = g_object_ref (auth);

  return self;
}

BaServerTwoFactor
ba_server_totp_login_state (BaServerTotp       *self,
                            const BaServerUser *user)
{
  g_autoptr(TotpRow) row = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (BA_IS_SERVER_TOTP (self), BA_SERVER_TWO_FACTOR_PENDING);
  g_return_val_if_fail (user != NULL, BA_SERVER_TWO_FACTOR_PENDING);

  row = load_row (self, user->id, &error);
  if (error != NULL)
    {
      g_warning ("Could not read the TOTP row at login: %s", error->message);
      return BA_SERVER_TWO_FACTOR_PENDING;
    }

  return row != NULL && row->is_enabled ? BA_SERVER_TWO_FACTOR_PENDING
                                        : BA_SERVER_TWO_FACTOR_ABSENT;
}

void
ba_server_totp_handle (BaServerTotp             *self,
                       SoupServerMessage        *msg,
                       const char               *path,
                       const BaServerCredential *credential)
{
  const char *method;

  g_return_if_fail (BA_IS_SERVER_TOTP (self));
  g_return_if_fail (SOUP_IS_SERVER_MESSAGE (msg));
  g_return_if_fail (path != NULL);
  g_return_if_fail (credential != NULL);

  method = soup_server_message_get_method (msg);

  if (g_str_equal (path, "/auth/totp/setup") &&
      (g_str_equal (method, "GET") || g_str_equal (method, "HEAD")))
    handle_setup (self, msg, credential);
  else if (g_str_equal (path, "/auth/totp/verify") && g_str_equal (method, "POST"))
    handle_verify (self, msg, credential);
  else if (g_str_equal (path, "/auth/totp/disable") && g_str_equal (method, "POST"))
    handle_disable (self, msg, credential);
  else if (g_str_equal (path, "/auth/totp/recovery-codes") && g_str_equal (method, "POST"))
    handle_recovery_codes (self, msg, credential);
  else
    respond_empty (msg, SOUP_STATUS_NOT_FOUND);
}

gboolean
ba_server_totp_check_challenge (BaServerTotp       *self,
                                const BaServerUser *user,
                                const char         *code)
{
  g_autoptr(TotpRow) row = NULL;
  g_autoptr(GError) error = NULL;
  gboolean by_recovery_code = FALSE;
  gboolean ok;

  g_return_val_if_fail (BA_IS_SERVER_TOTP (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  row = load_row (self, user->id, &error);
  if (row == NULL || !row->is_enabled)
    {
      if (error != NULL)
        g_warning ("Could not read the TOTP row for a challenge: %s", error->message);
      return FALSE;
    }

  ok = answer_challenge (self, user->id, row, code, &by_recovery_code, &error);
  if (error != NULL)
    {
      g_warning ("TOTP verification failed: %s", error->message);
      return FALSE;
    }

  if (ok)
    g_debug ("User %" G_GINT64_FORMAT " passed the two-factor challenge on the web login page%s",
             user->id, by_recovery_code ? " with a recovery code" : "");

  return ok;
}

BaServerRateLimiter *
ba_server_totp_get_limiter (BaServerTotp *self)
{
  g_return_val_if_fail (BA_IS_SERVER_TOTP (self), NULL);

  return self->limiter;
}
