/* ba-session.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-session"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ba-error.h"
#include "ba-jwt.h"
#include "ba-session.h"

/* The token itself is never logged: it is a credential. */
struct _BaSession
{
  GObject            parent_instance;

  char              *token;
  gboolean           is_api_key;
  gint64             user_id;
  gint64             issued_at;      /* seconds */
  gint64             expires_at;     /* seconds, 0 when absent */
  gint64             auth_time;      /* seconds (the claim is in ms) */
  BaTwoFactorStatus  two_factor;
};

G_DEFINE_FINAL_TYPE (BaSession, ba_session, G_TYPE_OBJECT)

static void
ba_session_finalize (GObject *object)
{
  BaSession *self = (BaSession *)object;

  g_clear_pointer (&self->token, g_free);

  G_OBJECT_CLASS (ba_session_parent_class)->finalize (object);
}

static void
ba_session_class_init (BaSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_session_finalize;
}

static void
ba_session_init (BaSession *self)
{
}

/* Reads a numeric claim whether the issuer wrote it as an integer or as a
 * double (JavaScript servers may do either). */
static gboolean
read_number_claim (JsonObject *claims,
                   const char *name,
                   gint64     *out_value)
{
  JsonNode *node = json_object_get_member (claims, name);
  GType value_type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  value_type = json_node_get_value_type (node);
  if (value_type == G_TYPE_INT64)
    *out_value = json_node_get_int (node);
  else if (value_type == G_TYPE_DOUBLE)
    *out_value = (gint64) json_node_get_double (node);
  else
    return FALSE;

  return TRUE;
}

/**
 * ba_session_new:
 * @token: a session JWT or an API key
 *
 * A string that has the shape of a JWT is decoded (without verifying the
 * signature) and must carry the numeric claims `id`, `iat` and `exp`;
 * anything else that is non-empty and has no whitespace is an API key.
 */
BaSession *
ba_session_new (const char  *token,
                GError     **error)
{
  g_autoptr(BaSession) self = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (token == NULL || token[0] == '\0')
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_TOKEN,
                           _("The session token is empty."));
      return NULL;
    }

  self = g_object_new (BA_TYPE_SESSION, NULL);
  self->token = g_strdup (token);

  if (ba_jwt_looks_like_jwt (token))
    {
      g_autoptr(JsonObject) claims = NULL;
      g_autoptr(GError) local_error = NULL;
      gint64 auth_time_ms = 0;
      JsonNode *two_factor;

      claims = ba_jwt_decode (token, NULL, 0, &local_error);
      if (claims == NULL)
        {
          g_debug ("Could not decode the session token: %s", local_error->message);
          g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_TOKEN,
                               _("The session token could not be read."));
          return NULL;
        }

      if (!read_number_claim (claims, "id", &self->user_id) ||
          !read_number_claim (claims, "iat", &self->issued_at) ||
          !read_number_claim (claims, "exp", &self->expires_at))
        {
          g_debug ("The session token lacks one of the claims id, iat, exp");
          g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_TOKEN,
                               _("The session token is missing required information."));
          return NULL;
        }

      /* authTime is in milliseconds (open-balena-api); a token without it
       * was never authenticated by a password, so it is never fresh. */
      if (read_number_claim (claims, "authTime", &auth_time_ms))
        self->auth_time = auth_time_ms / 1000;

      two_factor = json_object_get_member (claims, "twoFactorRequired");
      if (two_factor == NULL || JSON_NODE_HOLDS_NULL (two_factor))
        self->two_factor = BA_TWO_FACTOR_NOT_REQUIRED;
      else if (JSON_NODE_HOLDS_VALUE (two_factor) &&
               json_node_get_value_type (two_factor) == G_TYPE_BOOLEAN)
        self->two_factor = json_node_get_boolean (two_factor) ? BA_TWO_FACTOR_PENDING
                                                              : BA_TWO_FACTOR_PASSED;
      else
        {
          g_debug ("The session token has a non-boolean twoFactorRequired claim");
          g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_TOKEN,
                               _("The session token could not be read."));
          return NULL;
        }
    }
  else
    {
      /* balena-auth treats anything that is not a JWT as an API key. We
       * only refuse strings that cannot travel in an HTTP header. */
      for (const char *p = token; *p != '\0'; p++)
        {
          if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p) || (guchar) *p >= 0x80)
            {
              g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_TOKEN,
                                   _("This is neither a session token nor an API key."));
              return NULL;
            }
        }

      self->is_api_key = TRUE;
      self->two_factor = BA_TWO_FACTOR_NOT_REQUIRED;
    }

  return g_steal_pointer (&self);
}

const char *
ba_session_get_token (BaSession *self)
{
  g_return_val_if_fail (BA_IS_SESSION (self), NULL);

  return self->token;
}

gboolean
ba_session_is_api_key (BaSession *self)
{
  g_return_val_if_fail (BA_IS_SESSION (self), FALSE);

  return self->is_api_key;
}

/* 0 for an API key: the owner is only known from whoami. */
gint64
ba_session_get_user_id (BaSession *self)
{
  g_return_val_if_fail (BA_IS_SESSION (self), 0);

  return self->user_id;
}

gint64
ba_session_get_issued_at (BaSession *self)
{
  g_return_val_if_fail (BA_IS_SESSION (self), 0);

  return self->issued_at;
}

gint64
ba_session_get_expires_at (BaSession *self)
{
  g_return_val_if_fail (BA_IS_SESSION (self), 0);

  return self->expires_at;
}

/* Unix seconds (the claim itself is in milliseconds); 0 when absent. */
gint64
ba_session_get_auth_time (BaSession *self)
{
  g_return_val_if_fail (BA_IS_SESSION (self), 0);

  return self->auth_time;
}

BaTwoFactorStatus
ba_session_get_two_factor_status (BaSession *self)
{
  g_return_val_if_fail (BA_IS_SESSION (self), BA_TWO_FACTOR_NOT_REQUIRED);

  return self->two_factor;
}

gboolean
ba_session_is_expired (BaSession *self,
                       gint64     now)
{
  g_return_val_if_fail (BA_IS_SESSION (self), TRUE);

  if (self->is_api_key)
    return FALSE;

  return now >= self->expires_at;
}

gboolean
ba_session_needs_refresh (BaSession *self,
                          gint64     now)
{
  g_return_val_if_fail (BA_IS_SESSION (self), FALSE);

  if (self->is_api_key || ba_session_is_expired (self, now))
    return FALSE;

  return now - self->issued_at >= BA_SESSION_REFRESH_AFTER_SECONDS;
}

gboolean
ba_session_is_fresh (BaSession *self,
                     gint64     now)
{
  g_return_val_if_fail (BA_IS_SESSION (self), FALSE);

  if (self->is_api_key || self->auth_time == 0)
    return FALSE;

  return now - self->auth_time < BA_SESSION_FRESH_SECONDS;
}
