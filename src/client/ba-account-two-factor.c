/* ba-account-two-factor.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-account"

#include "config.h"

#include <glib/gi18n.h>

#include "ba-account-private.h"
#include "ba-account-two-factor.h"
#include "ba-error.h"
#include "ba-wipe.h"

/* Fails @task without a request when the account has no session that a
 * server could accept for these calls. */
static gboolean
check_session (BaAccount *self,
               GTask     *task)
{
  BaSession *session = ba_account_get_session (self);

  if (session == NULL || ba_session_is_expired (session, g_get_real_time () / G_USEC_PER_SEC))
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_NOT_LOGGED_IN,
                               "%s", _("Your session has expired. Please log in again."));
      return FALSE;
    }

  if (ba_session_is_api_key (session))
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_PERMISSION_DENIED,
                               "%s", _("Two-factor authentication can only be changed in a session you logged in to with your password."));
      return FALSE;
    }

  return TRUE;
}

BaTwoFactorStatus
ba_account_get_two_factor_status (BaAccount *self)
{
  BaSession *session;

  g_return_val_if_fail (BA_IS_ACCOUNT (self), BA_TWO_FACTOR_NOT_REQUIRED);

  session = ba_account_get_session (self);
  if (session == NULL || ba_session_is_api_key (session))
    return BA_TWO_FACTOR_NOT_REQUIRED;

  return ba_session_get_two_factor_status (session);
}

/* Setup */

static void
setup_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *uri;

  uri = ba_api_client_totp_setup_finish (BA_API_CLIENT (object), result, &error);
  if (uri == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, uri, (GDestroyNotify) ba_wipe_string_free);
}

void
ba_account_setup_two_factor_async (BaAccount           *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_setup_two_factor_async);

  if (!check_session (self, task))
    return;

  ba_api_client_totp_setup_async (ba_account_get_api_client (self), cancellable,
                                  setup_cb, g_steal_pointer (&task));
}

char *
ba_account_setup_two_factor_finish (BaAccount     *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_setup_two_factor_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Enable and disable: both end with a new token to adopt. */

static void
adopted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!ba_account_replace_token_finish (BA_ACCOUNT (object), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
token_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaAccount *self = g_task_get_source_object (task);
  g_autoptr(BaSecretString) token = NULL;
  GError *error = NULL;

  if (g_task_get_source_tag (task) == ba_account_enable_two_factor_async)
    token = ba_api_client_totp_verify_finish (BA_API_CLIENT (object), result, &error);
  else
    token = ba_api_client_totp_disable_finish (BA_API_CLIENT (object), result, &error);

  if (token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  ba_account_replace_token_async (self, token, g_task_get_cancellable (task),
                                adopted_cb, g_object_ref (task));
}

void
ba_account_enable_two_factor_async (BaAccount           *self,
                                    const char          *code,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_ACCOUNT (self));
  g_return_if_fail (code != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_enable_two_factor_async);

  if (!check_session (self, task))
    return;

  ba_api_client_totp_verify_async (ba_account_get_api_client (self), code, cancellable,
                                   token_cb, g_steal_pointer (&task));
}

gboolean
ba_account_enable_two_factor_finish (BaAccount     *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_enable_two_factor_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ba_account_disable_two_factor_async (BaAccount           *self,
                                     const char          *password,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_ACCOUNT (self));
  g_return_if_fail (password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_disable_two_factor_async);

  if (!check_session (self, task))
    return;

  ba_api_client_totp_disable_async (ba_account_get_api_client (self), password, cancellable,
                                    token_cb, g_steal_pointer (&task));
}

gboolean
ba_account_disable_two_factor_finish (BaAccount     *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_disable_two_factor_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Recovery codes */

static void
codes_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char **codes;

  codes = ba_api_client_recovery_codes_finish (BA_API_CLIENT (object), result, &error);
  if (codes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, codes, (GDestroyNotify) ba_wipe_strv_free);
}

void
ba_account_new_recovery_codes_async (BaAccount           *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_new_recovery_codes_async);

  if (!check_session (self, task))
    return;

  if (!ba_session_is_fresh (ba_account_get_session (self), g_get_real_time () / G_USEC_PER_SEC))
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_FRESH_AUTH_REQUIRED,
                               "%s", _("For your security, confirm your password to get new recovery codes."));
      return;
    }

  ba_api_client_recovery_codes_async (ba_account_get_api_client (self), cancellable,
                                      codes_cb, g_steal_pointer (&task));
}

char **
ba_account_new_recovery_codes_finish (BaAccount     *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_new_recovery_codes_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
count_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  guint *count = g_new0 (guint, 2);

  if (!ba_api_client_count_recovery_codes_finish (BA_API_CLIENT (object), result,
                                                  &count[0], &count[1], &error))
    {
      g_free (count);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, count, g_free);
}

void
ba_account_count_recovery_codes_async (BaAccount           *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_count_recovery_codes_async);

  if (!check_session (self, task))
    return;

  ba_api_client_count_recovery_codes_async (ba_account_get_api_client (self), cancellable,
                                            count_cb, g_steal_pointer (&task));
}

gboolean
ba_account_count_recovery_codes_finish (BaAccount     *self,
                                        GAsyncResult  *result,
                                        guint         *out_total,
                                        guint         *out_unused,
                                        GError       **error)
{
  g_autofree guint *count = NULL;

  if (!ba_account_check_task (self, result, ba_account_count_recovery_codes_async))
    return FALSE;

  count = g_task_propagate_pointer (G_TASK (result), error);
  if (count == NULL)
    return FALSE;

  if (out_total != NULL)
    *out_total = count[0];
  if (out_unused != NULL)
    *out_unused = count[1];

  return TRUE;
}
