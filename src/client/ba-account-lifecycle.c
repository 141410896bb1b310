/* ba-account-lifecycle.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-account"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ba-account-lifecycle.h"
#include "ba-account-private.h"
#include "ba-error.h"
#include "ba-vault-profile.h"
#include "ba-wipe.h"

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
check_logged_in (BaAccount *self,
                 GTask     *task)
{
  if (ba_account_get_session (self) != NULL)
    return TRUE;

  g_task_return_new_error (task, BA_ERROR, BA_ERROR_NOT_LOGGED_IN,
                           "%s", _("You are not logged in."));
  return FALSE;
}

/* Opening a new account from a token: sign-up and reset */

typedef struct
{
  BaApiClient   *client;
  BaSecretStore *secret_store;
  BaVault       *vault;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_clear_object (&data->client);
  g_clear_object (&data->secret_store);
  g_clear_object (&data->vault);
  g_free (data);
}

static GTask *
open_task_new (const char     *server_url,
               BaSecretStore  *secret_store,
               BaVault        *vault,
               GCancellable   *cancellable,
               gpointer        source_tag,
               GAsyncReadyCallback callback,
               gpointer        user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  OpenData *data = g_new0 (OpenData, 1);
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  data->secret_store = secret_store != NULL ? g_object_ref (secret_store) : NULL;
  data->vault = vault != NULL ? g_object_ref (vault) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);

  data->client = ba_api_client_new (server_url, &error);
  if (data->client == NULL)
    {
      g_task_return_error (task, error);
      g_clear_object (&task);
    }

  return task;
}

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  BaAccount *account;

  account = ba_account_open_with_token_finish (result, &error);
  if (account == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, account, g_object_unref);
}

/* The server answered a token for a new session: open the account. */
static void
token_received (GTask *task,
                char  *token,
                GError *error)
{
  OpenData *data = g_task_get_task_data (task);

  if (token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  ba_account_open_with_token_async (data->client, token, data->secret_store, data->vault,
                                    g_task_get_cancellable (task), opened_cb, g_object_ref (task));
  ba_wipe_string_free (token);
}

static void
registered_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *token = ba_api_client_register_finish (BA_API_CLIENT (object), result, &error);

  token_received (task, token, error);
}

void
ba_account_sign_up_async (const char          *server_url,
                          const char          *email,
                          const char          *username,
                          const char          *password,
                          BaSecretStore       *secret_store,
                          BaVault             *vault,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;
  OpenData *data;

  g_return_if_fail (secret_store == NULL || BA_IS_SECRET_STORE (secret_store));
  g_return_if_fail (vault == NULL || BA_IS_VAULT (vault));

  task = open_task_new (server_url, secret_store, vault, cancellable, ba_account_sign_up_async,
                        callback, user_data);
  if (task == NULL)
    return;

  data = g_task_get_task_data (task);
  ba_api_client_register_async (data->client, email, username, password, cancellable,
                                registered_cb, task);
}

BaAccount *
ba_account_sign_up_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_account_sign_up_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
reset_requested_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (ba_api_client_request_password_reset_finish (BA_API_CLIENT (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ba_account_request_password_reset_async (const char          *server_url,
                                         const char          *email,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  GTask *task;
  OpenData *data;

  task = open_task_new (server_url, NULL, NULL, cancellable,
                        ba_account_request_password_reset_async, callback, user_data);
  if (task == NULL)
    return;

  data = g_task_get_task_data (task);
  ba_api_client_request_password_reset_async (data->client, email, cancellable,
                                              reset_requested_cb, task);
}

gboolean
ba_account_request_password_reset_finish (GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_account_request_password_reset_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
reset_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *token = ba_api_client_reset_password_finish (BA_API_CLIENT (object), result, &error);

  token_received (task, token, error);
}

void
ba_account_reset_password_async (const char          *server_url,
                                 const char          *code_or_link,
                                 const char          *new_password,
                                 BaSecretStore       *secret_store,
                                 BaVault             *vault,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(BaSecretString) token = ba_lifecycle_parse_mail_token (code_or_link);
  GTask *task;
  OpenData *data;

  task = open_task_new (server_url, secret_store, vault, cancellable,
                        ba_account_reset_password_async, callback, user_data);
  if (task == NULL)
    return;

  data = g_task_get_task_data (task);
  ba_api_client_reset_password_async (data->client, token, new_password, cancellable,
                                      reset_cb, task);
}

BaAccount *
ba_account_reset_password_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_account_reset_password_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Calls on an open account that answer a new token */

static void
token_replaced_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (ba_account_replace_token_finish (BA_ACCOUNT (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
replace_with (GTask  *task,
              char   *token,
              GError *error)
{
  BaAccount *self = g_task_get_source_object (task);

  if (token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  ba_account_replace_token_async (self, token, NULL, token_replaced_cb, g_object_ref (task));
  ba_wipe_string_free (token);
}

static void
verified_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *token = ba_api_client_verify_email_finish (BA_API_CLIENT (object), result, &error);

  replace_with (task, token, error);
}

void
ba_account_verify_email_async (BaAccount           *self,
                               const char          *code_or_link,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(BaSecretString) token = NULL;
  g_autofree char *email = NULL;

  g_return_if_fail (BA_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_verify_email_async);

  if (!check_logged_in (self, task))
    return;

  /* The link names the address it was sent to; a bare code is for the
   * account's own. */
  token = ba_lifecycle_parse_mail_token (code_or_link);
  email = ba_lifecycle_parse_mail_email (code_or_link);
  if (email == NULL)
    email = g_strdup (ba_account_get_email (self));

  if (email == NULL)
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_INPUT,
                               "%s", _("This account has no email address to verify."));
      return;
    }

  ba_api_client_verify_email_async (ba_account_get_api_client (self), email, token, cancellable,
                                    verified_cb, g_steal_pointer (&task));
}

gboolean
ba_account_verify_email_finish (BaAccount     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_verify_email_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
password_set_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *token = ba_api_client_set_password_finish (BA_API_CLIENT (object), result, &error);

  replace_with (task, token, error);
}

void
ba_account_set_password_async (BaAccount           *self,
                               const char          *current_password,
                               const char          *new_password,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  BaSession *session;

  g_return_if_fail (BA_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_set_password_async);

  if (!check_logged_in (self, task))
    return;

  session = ba_account_get_session (self);
  if (current_password == NULL && !ba_session_is_fresh (session, now_seconds ()))
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_FRESH_AUTH_REQUIRED,
                               "%s", _("For your security, log in again before you set a password."));
      return;
    }

  ba_api_client_set_password_async (ba_account_get_api_client (self), current_password,
                                    new_password, cancellable, password_set_cb,
                                    g_steal_pointer (&task));
}

gboolean
ba_account_set_password_finish (BaAccount     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_set_password_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Calls without a new token */

static void
resent_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (ba_api_client_request_verification_email_finish (BA_API_CLIENT (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ba_account_resend_verification_email_async (BaAccount           *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_resend_verification_email_async);

  if (!check_logged_in (self, task))
    return;

  ba_api_client_request_verification_email_async (ba_account_get_api_client (self),
                                                  ba_account_get_user_id (self), cancellable,
                                                  resent_cb, g_steal_pointer (&task));
}

gboolean
ba_account_resend_verification_email_finish (BaAccount     *self,
                                             GAsyncResult  *result,
                                             GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_resend_verification_email_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
profile_saved_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  BaUserProfile *profile = g_task_get_task_data (task);

  /* The profile is here; only showing it offline later is lost. */
  if (!ba_vault_save_profile_finish (BA_VAULT (object), result, &error))
    g_message ("Could not cache the profile: %s", error->message);

  g_task_return_pointer (task, ba_user_profile_copy (profile), (GDestroyNotify) ba_user_profile_free);
}

static void
profile_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaAccount *self = g_task_get_source_object (task);
  GError *error = NULL;
  BaUserProfile *profile;
  BaVault *vault = ba_account_get_vault (self);

  profile = ba_api_client_get_user_profile_finish (BA_API_CLIENT (object), result, &error);
  if (profile == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (vault == NULL)
    {
      g_task_return_pointer (task, profile, (GDestroyNotify) ba_user_profile_free);
      return;
    }

  g_task_set_task_data (task, profile, (GDestroyNotify) ba_user_profile_free);
  ba_vault_save_profile_async (vault, ba_account_get_id (self), profile, NULL,
                               profile_saved_cb, g_object_ref (task));
}

static void
cached_profile_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  BaUserProfile *profile;

  profile = ba_vault_load_profile_finish (BA_VAULT (object), result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, profile, (GDestroyNotify) ba_user_profile_free);
}

void
ba_account_load_cached_profile_async (BaAccount           *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  BaVault *vault;

  g_return_if_fail (BA_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_load_cached_profile_async);

  vault = ba_account_get_vault (self);
  if (vault == NULL || ba_account_get_id (self) == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  ba_vault_load_profile_async (vault, ba_account_get_id (self), cancellable,
                               cached_profile_cb, g_steal_pointer (&task));
}

BaUserProfile *
ba_account_load_cached_profile_finish (BaAccount     *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_load_cached_profile_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_account_fetch_profile_async (BaAccount           *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_fetch_profile_async);

  if (!check_logged_in (self, task))
    return;

  ba_api_client_get_user_profile_async (ba_account_get_api_client (self),
                                        ba_account_get_user_id (self), cancellable,
                                        profile_cb, g_steal_pointer (&task));
}

BaUserProfile *
ba_account_fetch_profile_finish (BaAccount     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_fetch_profile_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
profile_updated_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (ba_api_client_update_user_profile_finish (BA_API_CLIENT (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ba_account_update_profile_async (BaAccount           *self,
                                 const char          *first_name,
                                 const char          *last_name,
                                 const char          *company,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_update_profile_async);

  if (!check_logged_in (self, task))
    return;

  /* The profile's id is the user's (section 17.2). */
  ba_api_client_update_user_profile_async (ba_account_get_api_client (self),
                                           ba_account_get_user_id (self),
                                           first_name, last_name, company, cancellable,
                                           profile_updated_cb, g_steal_pointer (&task));
}

gboolean
ba_account_update_profile_finish (BaAccount     *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_update_profile_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Delete */

static void
delete_forgotten_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* The account is gone on the server; what is left here is harmless
   * (its token no longer works), so a keyring or vault failure is only
   * logged. */
  if (!ba_account_logout_finish (BA_ACCOUNT (object), result, &error))
    g_warning ("The account was deleted, but its local data could not all be removed: %s",
               error->message);

  g_task_return_boolean (task, TRUE);
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaAccount *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!ba_api_client_delete_user_finish (BA_API_CLIENT (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_debug ("Account deleted on the server; forgetting it here");
  ba_account_logout_async (self, NULL, delete_forgotten_cb, g_object_ref (task));
}

static void
delete_now (GTask *task)
{
  BaAccount *self = g_task_get_source_object (task);

  ba_api_client_delete_user_async (ba_account_get_api_client (self),
                                   ba_account_get_user_id (self),
                                   g_task_get_cancellable (task),
                                   deleted_cb, g_object_ref (task));
}

static void
delete_refreshed_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!ba_account_refresh_token_finish (BA_ACCOUNT (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  delete_now (task);
}

void
ba_account_delete_async (BaAccount           *self,
                         const char          *password,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_delete_async);

  if (!check_logged_in (self, task))
    return;

  if (password != NULL)
    {
      /* Proves the password and makes the session fresh, as the
       * dashboard most likely does (account-api.md section 9). */
      ba_account_refresh_token_async (self, password, cancellable,
                                      delete_refreshed_cb, g_steal_pointer (&task));
      return;
    }

  if (!ba_session_is_fresh (ba_account_get_session (self), now_seconds ()))
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_FRESH_AUTH_REQUIRED,
                               "%s", _("For your security, please enter your password again to continue."));
      return;
    }

  delete_now (task);
}

gboolean
ba_account_delete_finish (BaAccount     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_delete_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}
