/* ba-server-auth.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-server-auth"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "ba-base32.h"
#include "ba-error.h"
#include "ba-jwt.h"
#include "ba-server-auth.h"

#define SECRET_LEN 32

struct _BaServerAuth
{
  GObject        parent_instance;

  BaServerStore *store;
  guint8         secret[SECRET_LEN];

  /* A hash of a random password nobody knows, checked when the account
   * does not exist so that login timing does not reveal which exist. */
  char          *dummy_hash;
};

G_DEFINE_FINAL_TYPE (BaServerAuth, ba_server_auth, G_TYPE_OBJECT)

void
ba_server_credential_free (BaServerCredential *credential)
{
  if (credential == NULL)
    return;

  g_clear_pointer (&credential->user, ba_server_user_free);
  g_free (credential);
}

static gboolean
load_or_create_secret (BaServerAuth  *self,
                       const char    *path,
                       GError       **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;

  if (g_file_get_contents (path, &contents, &len, &local_error))
    {
      if (len != SECRET_LEN)
        {
          sodium_memzero (contents, len);
          g_set_error (error, BA_ERROR, BA_ERROR_FAILED,
                       "%s must hold exactly %d bytes; refusing to start with a "
                       "damaged signing secret", path, SECRET_LEN);
          return FALSE;
        }

      memcpy (self->secret, contents, SECRET_LEN);
      sodium_memzero (contents, len);

      /* Someone may have loosened it by hand; it signs every session. */
      if (g_chmod (path, 0600) != 0)
        g_warning ("Could not make %s private: %s", path, g_strerror (errno));

      return TRUE;
    }

  if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  randombytes_buf (self->secret, SECRET_LEN);

  return g_file_set_contents_full (path, (const char *) self->secret, SECRET_LEN,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static gboolean
get_integer_claim (JsonObject *claims,
                   const char *name,
                   gint64     *out_value)
{
  JsonNode *node = json_object_get_member (claims, name);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    {
      *out_value = json_node_get_int (node);
      return TRUE;
    }

  /* Some JSON encoders write large integers as 1.7e12; accept those when
   * they are whole numbers. */
  if (type == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      if (value != (double) (gint64) value)
        return FALSE;

      *out_value = (gint64) value;
      return TRUE;
    }

  return FALSE;
}

static BaServerCredential *
anonymous (void)
{
  return g_new0 (BaServerCredential, 1);
}

static BaServerCredential *
resolve_jwt (BaServerAuth *self,
             const char   *token)
{
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(BaServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  BaServerCredential *credential;
  JsonNode *node;
  const char *jwt_secret;
  gint64 id;
  gint64 exp;
  gint64 auth_time;
  BaServerTwoFactor two_factor = BA_SERVER_TWO_FACTOR_ABSENT;

  claims = ba_jwt_decode (token, self->secret, SECRET_LEN, &error);
  if (claims == NULL)
    {
      g_debug ("Ignoring a session token that does not verify: %s", error->message);
      return anonymous ();
    }

  if (!get_integer_claim (claims, "id", &id) ||
      !get_integer_claim (claims, "exp", &exp) ||
      !get_integer_claim (claims, "authTime", &auth_time))
    {
      g_debug ("Ignoring a session token without id, exp or authTime");
      return anonymous ();
    }

  if (exp <= g_get_real_time () / G_USEC_PER_SEC)
    {
      g_debug ("Ignoring an expired session token for user %" G_GINT64_FORMAT, id);
      return anonymous ();
    }

  node = json_object_get_member (claims, "jwt_secret");
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return anonymous ();
  jwt_secret = json_node_get_string (node);

  node = json_object_get_member (claims, "twoFactorRequired");
  if (node != NULL)
    {
      if (json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        return anonymous ();
      two_factor = json_node_get_boolean (node) ? BA_SERVER_TWO_FACTOR_PENDING
                                                : BA_SERVER_TWO_FACTOR_PASSED;
    }

  user = ba_server_store_find_user_by_id (self->store, id, &error);
  if (user == NULL)
    {
      if (error != NULL)
        g_warning ("Could not resolve a session token: %s", error->message);
      return anonymous ();
    }

  /* A changed password or username rotates the user's jwt_secret, which
   * is how every older session token dies. */
  if (strlen (jwt_secret) != strlen (user->jwt_secret) ||
      sodium_memcmp (jwt_secret, user->jwt_secret, strlen (jwt_secret)) != 0)
    {
      g_debug ("Ignoring a session token with a stale jwt_secret for user %" G_GINT64_FORMAT, id);
      return anonymous ();
    }

  credential = g_new0 (BaServerCredential, 1);
  credential->kind = two_factor == BA_SERVER_TWO_FACTOR_PENDING
                     ? BA_SERVER_CREDENTIAL_PARTIAL_JWT
                     : BA_SERVER_CREDENTIAL_USER_JWT;
  credential->user = g_steal_pointer (&user);
  credential->auth_time = auth_time;
  credential->two_factor = two_factor;

  return credential;
}

/* TRUE if @expiry_date (ISO-8601, NULL for never) is still in the
 * future. A date that does not parse counts as expired: the server
 * writes only normalised dates, so anything else is damage. */
static gboolean
expiry_is_future (const char *expiry_date)
{
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) expiry = NULL;
  g_autoptr(GDateTime) now = NULL;

  if (expiry_date == NULL)
    return TRUE;

  utc = g_time_zone_new_utc ();
  expiry = g_date_time_new_from_iso8601 (expiry_date, utc);
  if (expiry == NULL)
    return FALSE;

  now = g_date_time_new_now_utc ();

  return g_date_time_compare (expiry, now) > 0;
}

static BaServerCredential *
resolve_api_key (BaServerAuth *self,
                 const char   *key)
{
  g_autoptr(BaServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *expiry_date = NULL;
  BaServerCredential *credential;

  /* Keys are short; anything long is not one of ours and not worth a
   * hash. */
  if (strlen (key) > 256)
    return anonymous ();

  hash = ba_server_auth_hash_api_key (key);
  user = ba_server_store_find_user_by_api_key (self->store, hash, &expiry_date, &error);
  if (user == NULL)
    {
      if (error != NULL)
        g_warning ("Could not look up an API key: %s", error->message);
      else
        g_debug ("Ignoring an unknown API key");
      return anonymous ();
    }

  if (!expiry_is_future (expiry_date))
    {
      g_debug ("Ignoring an expired API key of user %" G_GINT64_FORMAT, user->id);
      return anonymous ();
    }

  credential = g_new0 (BaServerCredential, 1);
  credential->kind = BA_SERVER_CREDENTIAL_USER_API_KEY;
  credential->user = g_steal_pointer (&user);

  return credential;
}

static void
ba_server_auth_finalize (GObject *object)
{
  BaServerAuth *self = (BaServerAuth *)object;

  sodium_memzero (self->secret, SECRET_LEN);
  g_clear_object (&self->store);
  g_clear_pointer (&self->dummy_hash, g_free);

  G_OBJECT_CLASS (ba_server_auth_parent_class)->finalize (object);
}

static void
ba_server_auth_class_init (BaServerAuthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_server_auth_finalize;
}

static void
ba_server_auth_init (BaServerAuth *self)
{
}

BaServerAuth *
ba_server_auth_new (BaServerStore  *store,
                    const char     *secret_path,
                    GError        **error)
{
  g_autoptr(BaServerAuth) self = NULL;
  char unguessable[33];

  g_return_val_if_fail (BA_IS_SERVER_STORE (store), NULL);
  g_return_val_if_fail (secret_path != NULL, NULL);

  if (sodium_init () < 0)
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_FAILED,
                           "Could not initialise libsodium");
      return NULL;
    }

  self = g_object_new (BA_TYPE_SERVER_AUTH, NULL);
  self->store = g_object_ref (store);

  if (!load_or_create_secret (self, secret_path, error))
    return NULL;

  randombytes_buf (unguessable, sizeof unguessable - 1);
  for (gsize i = 0; i < sizeof unguessable - 1; i++)
    unguessable[i] = 'a' + (unguessable[i] & 0x0f);
  unguessable[sizeof unguessable - 1] = '\0';
  self->dummy_hash = ba_server_auth_hash_password (self, unguessable, error);
  sodium_memzero (unguessable, sizeof unguessable);
  if (self->dummy_hash == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

char *
ba_server_auth_hash_password (BaServerAuth  *self,
                              const char    *password,
                              GError       **error)
{
  char hash[crypto_pwhash_STRBYTES];

  g_return_val_if_fail (BA_IS_SERVER_AUTH (self), NULL);
  g_return_val_if_fail (password != NULL, NULL);

  if (crypto_pwhash_str (hash, password, strlen (password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_FAILED,
                           "Out of memory while hashing a password");
      return NULL;
    }

  return g_strdup (hash);
}

gboolean
ba_server_auth_check_password (BaServerAuth       *self,
                               const BaServerUser *user,
                               const char         *password)
{
  const char *hash;
  gboolean ok;

  g_return_val_if_fail (BA_IS_SERVER_AUTH (self), FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  hash = user != NULL && user->password_hash != NULL ? user->password_hash
                                                     : self->dummy_hash;
  ok = crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;

  return ok && hash != self->dummy_hash;
}

typedef struct
{
  char     *hash;
  char     *password;
  gboolean  dummy;
} CheckData;

static void
check_data_free (CheckData *data)
{
  sodium_memzero (data->password, strlen (data->password));
  g_free (data->password);
  g_free (data->hash);
  g_free (data);
}

static void
check_password_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  CheckData *data = task_data;
  gboolean ok;

  ok = crypto_pwhash_str_verify (data->hash, data->password, strlen (data->password)) == 0;
  g_task_return_boolean (task, ok && !data->dummy);
}

void
ba_server_auth_check_password_async (BaServerAuth        *self,
                                     const BaServerUser  *user,
                                     const char          *password,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CheckData *data;

  g_return_if_fail (BA_IS_SERVER_AUTH (self));
  g_return_if_fail (password != NULL);

  data = g_new0 (CheckData, 1);
  data->dummy = user == NULL || user->password_hash == NULL;
  data->hash = g_strdup (data->dummy ? self->dummy_hash : user->password_hash);
  data->password = g_strdup (password);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_server_auth_check_password_async);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);
  g_task_run_in_thread (task, check_password_thread);
}

gboolean
ba_server_auth_check_password_finish (BaServerAuth *self,
                                      GAsyncResult *result)
{
  g_return_val_if_fail (BA_IS_SERVER_AUTH (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_server_auth_check_password_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), NULL);
}

char *
ba_server_auth_new_jwt_secret (void)
{
  guint8 bytes[20];
  char *secret;

  /* 20 bytes are exactly 32 base32 characters, no padding. */
  randombytes_buf (bytes, sizeof bytes);
  secret = ba_base32_encode (bytes, sizeof bytes);
  sodium_memzero (bytes, sizeof bytes);

  return secret;
}

char *
ba_server_auth_issue_token (BaServerAuth       *self,
                            const BaServerUser *user,
                            gint64              auth_time,
                            BaServerTwoFactor   two_factor)
{
  g_autoptr(JsonObject) claims = json_object_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (BA_IS_SERVER_AUTH (self), NULL);
  g_return_val_if_fail (user != NULL, NULL);

  json_object_set_int_member (claims, "id", user->id);
  json_object_set_string_member (claims, "jwt_secret", user->jwt_secret);
  json_object_set_int_member (claims, "authTime", auth_time);
  if (two_factor != BA_SERVER_TWO_FACTOR_ABSENT)
    json_object_set_boolean_member (claims, "twoFactorRequired",
                                    two_factor == BA_SERVER_TWO_FACTOR_PENDING);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "exp", now + BA_SERVER_TOKEN_LIFETIME_SECONDS);

  return ba_jwt_encode_hs256 (claims, self->secret, SECRET_LEN);
}

BaServerCredential *
ba_server_auth_resolve (BaServerAuth *self,
                        const char   *authorization,
                        const char   *apikey)
{
  const char *token = NULL;

  g_return_val_if_fail (BA_IS_SERVER_AUTH (self), NULL);

  if (authorization != NULL &&
      g_ascii_strncasecmp (authorization, "Bearer ", strlen ("Bearer ")) == 0)
    {
      token = authorization + strlen ("Bearer ");
      while (*token == ' ')
        token++;
    }

  /* Like open-balena-api: only a string with a '.' that decodes as a JWT
   * is tried as a session token. */
  if (token != NULL && *token != '\0' &&
      strchr (token, '.') != NULL && ba_jwt_looks_like_jwt (token))
    return resolve_jwt (self, token);

  /* Any other Bearer string, or the apikey query parameter, is an API
   * key (the parameter wins when both are given, as in open-balena-api's
   * middleware, which reads the query first). */
  if (apikey != NULL && *apikey != '\0')
    return resolve_api_key (self, apikey);
  if (token != NULL && *token != '\0')
    return resolve_api_key (self, token);

  return anonymous ();
}

char *
ba_server_auth_new_api_key (void)
{
  static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  char *key = g_malloc (BA_SERVER_API_KEY_LENGTH + 1);

  /* randombytes_uniform() has no modulo bias. */
  for (guint i = 0; i < BA_SERVER_API_KEY_LENGTH; i++)
    key[i] = alphabet[randombytes_uniform (sizeof alphabet - 1)];
  key[BA_SERVER_API_KEY_LENGTH] = '\0';

  return key;
}

char *
ba_server_auth_hash_api_key (const char *key)
{
  guint8 digest[crypto_hash_sha256_BYTES];
  char hex[crypto_hash_sha256_BYTES * 2 + 1];

  g_return_val_if_fail (key != NULL, NULL);

  crypto_hash_sha256 (digest, (const guint8 *) key, strlen (key));
  sodium_bin2hex (hex, sizeof hex, digest, sizeof digest);

  return g_strdup (hex);
}
