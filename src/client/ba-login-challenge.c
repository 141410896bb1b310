/* ba-login-challenge.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-login-challenge"

#include "config.h"

#include <glib/gi18n.h>

#include "ba-account-private.h"
#include "ba-api-client-two-factor.h"
#include "ba-error.h"
#include "ba-login-challenge.h"
#include "ba-wipe.h"

struct _BaLoginChallenge
{
  GObject        parent_instance;

  BaApiClient   *client;      /* its token is the partial one */
  BaSession     *session;
  BaSecretStore *secret_store;
  BaVault       *vault;
};

G_DEFINE_FINAL_TYPE (BaLoginChallenge, ba_login_challenge, G_TYPE_OBJECT)

static void
ba_login_challenge_finalize (GObject *object)
{
  BaLoginChallenge *self = (BaLoginChallenge *)object;

  g_clear_object (&self->client);
  g_clear_object (&self->session);
  g_clear_object (&self->secret_store);
  g_clear_object (&self->vault);

  G_OBJECT_CLASS (ba_login_challenge_parent_class)->finalize (object);
}

static void
ba_login_challenge_class_init (BaLoginChallengeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_login_challenge_finalize;
}

static void
ba_login_challenge_init (BaLoginChallenge *self)
{
}

BaLoginChallenge *
ba_login_challenge_new (BaApiClient   *client,
                        BaSession     *partial_session,
                        BaSecretStore *secret_store,
                        BaVault       *vault)
{
  BaLoginChallenge *self;

  g_return_val_if_fail (BA_IS_API_CLIENT (client), NULL);
  g_return_val_if_fail (BA_IS_SESSION (partial_session), NULL);

  self = g_object_new (BA_TYPE_LOGIN_CHALLENGE, NULL);
  self->client = g_object_ref (client);
  self->session = g_object_ref (partial_session);
  self->secret_store = secret_store != NULL ? g_object_ref (secret_store) : NULL;
  self->vault = vault != NULL ? g_object_ref (vault) : NULL;

  return self;
}

BaLoginChallenge *
ba_login_challenge_from_result (GAsyncResult *login_result)
{
  BaLoginChallenge *challenge;

  g_return_val_if_fail (G_IS_TASK (login_result), NULL);

  challenge = g_object_get_data (G_OBJECT (login_result), BA_LOGIN_CHALLENGE_TASK_KEY);

  return challenge != NULL ? g_object_ref (challenge) : NULL;
}

const char *
ba_login_challenge_get_server_url (BaLoginChallenge *self)
{
  g_return_val_if_fail (BA_IS_LOGIN_CHALLENGE (self), NULL);

  return ba_api_client_get_base_url (self->client);
}

gint64
ba_login_challenge_get_expires_at (BaLoginChallenge *self)
{
  g_return_val_if_fail (BA_IS_LOGIN_CHALLENGE (self), 0);

  return ba_session_get_expires_at (self->session);
}

gboolean
ba_login_challenge_is_recovery_code (const char *code)
{
  guint letters = 0;

  g_return_val_if_fail (code != NULL, FALSE);

  for (const char *p = code; *p != '\0'; p++)
    {
      if (g_ascii_isalpha (*p))
        letters++;
      else if (*p == '-')
        return TRUE;
    }

  return letters > 0;
}

static void
answer_completed_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  BaAccount *account;

  account = ba_account_complete_login_finish (result, &error);
  if (account == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, account, g_object_unref);
}

static void
answer_verified_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaLoginChallenge *self = g_task_get_source_object (task);
  g_autoptr(BaSecretString) token = NULL;
  g_autoptr(GError) error = NULL;

  token = ba_api_client_totp_verify_finish (BA_API_CLIENT (object), result, &error);
  if (token == NULL)
    {
      /* The partial token lives as long as a session; a 401 that is not
       * "wrong code" means it was refused. */
      if (g_error_matches (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN))
        {
          g_clear_error (&error);
          g_set_error_literal (&error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN,
                               _("The login has expired. Enter your password again."));
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ba_account_complete_login_async (self->client, token, self->secret_store, self->vault,
                                   g_task_get_cancellable (task),
                                   answer_completed_cb, g_object_ref (task));
}

void
ba_login_challenge_answer_async (BaLoginChallenge    *self,
                                 const char          *code,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_LOGIN_CHALLENGE (self));
  g_return_if_fail (code != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_login_challenge_answer_async);

  if (ba_session_is_expired (self->session, g_get_real_time () / G_USEC_PER_SEC))
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_NOT_LOGGED_IN,
                               "%s", _("The login has expired. Enter your password again."));
      return;
    }

  ba_api_client_totp_verify_async (self->client, code, cancellable,
                                   answer_verified_cb, g_steal_pointer (&task));
}

BaAccount *
ba_login_challenge_answer_finish (BaLoginChallenge  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (BA_IS_LOGIN_CHALLENGE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_login_challenge_answer_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
