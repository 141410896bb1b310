/* ba-account-recovery.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-account-recovery"

#include "config.h"

#include "ba-account-recovery.h"
#include "ba-account-private.h"
#include "ba-error.h"
#include "ba-wipe.h"

#include <string.h>

#define RECOVERY_TIMEOUT_SECONDS 10

typedef struct
{
  BaSecretStore  *secret_store;
  BaVault        *vault;
  char          **account_ids;
  guint           next;       /* index into account_ids */
  guint           n_restored;
  guint           n_kept;
} RecoverData;

static void
recover_data_free (RecoverData *data)
{
  g_clear_object (&data->secret_store);
  g_clear_object (&data->vault);
  g_clear_pointer (&data->account_ids, g_strfreev);
  g_free (data);
}

static void recover_next (GTask *task);

static const char *
current_id (GTask *task)
{
  RecoverData *data = g_task_get_task_data (task);

  return data->account_ids[data->next - 1];
}

/* A refused token is no use to anyone; the keyring forgets it. */
static void
recover_cleared_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!ba_secret_store_clear_token_finish (BA_SECRET_STORE (object), result, &error))
    g_message ("Could not remove the refused token of %s: %s", current_id (task), error->message);

  recover_next (task);
}

static void
recover_opened_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RecoverData *data = g_task_get_task_data (task);
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  const char *id = current_id (task);

  account = ba_account_open_with_token_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (account != NULL)
    {
      data->n_restored++;
      g_debug ("Restored %s from its session token", id);

      /* The token named another user than its item said: it is now saved
       * under the right account, and the stray item goes. */
      if (g_strcmp0 (ba_account_get_id (account), id) != 0)
        {
          g_message ("The session token saved for %s belongs to %s", id, ba_account_get_id (account));
          ba_secret_store_clear_token_async (data->secret_store, id, NULL,
                                             recover_cleared_cb, g_steal_pointer (&task));
          return;
        }

      recover_next (task);
      return;
    }

  if (g_error_matches (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN))
    {
      g_message ("The server refused the saved session of %s; removing its token", id);
      ba_secret_store_clear_token_async (data->secret_store, id, NULL,
                                         recover_cleared_cb, g_steal_pointer (&task));
      return;
    }

  /* Offline, a server error, a token that waits for a code: the token may
   * still be good, so it stays for a later login. */
  g_message ("Could not restore %s: %s", id, error->message);
  data->n_kept++;
  recover_next (task);
}

static void
recover_token_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RecoverData *data = g_task_get_task_data (task);
  g_autoptr(BaApiClient) client = NULL;
  g_autoptr(BaSecretString) token = NULL;
  g_autoptr(GError) error = NULL;
  const char *id = current_id (task);
  const char *at;
  char *secret;

  secret = ba_secret_store_lookup_token_finish (BA_SECRET_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* One item that cannot be read must not cost the others their turn;
   * it stays in the keyring for a later try. */
  if (error != NULL)
    {
      g_message ("Could not read the session token of %s: %s", id, error->message);
      data->n_kept++;
      recover_next (task);
      return;
    }

  /* Copied out of libsecret's memory so it is wiped like our own. */
  token = g_strdup (secret);
  secret_password_free (secret);

  /* "<user id>@<server url>": the URL may hold an "@" of its own, the
   * user id never does. */
  at = strchr (id, '@');
  if (token == NULL || at == NULL)
    {
      recover_next (task);
      return;
    }

  client = ba_api_client_new (at + 1, &error);
  if (client == NULL)
    {
      g_message ("Could not restore %s: %s", id, error->message);
      data->n_kept++;
      recover_next (task);
      return;
    }

  /* The window waits on its loading page meanwhile, one server after the
   * other, so a server that does not answer gets less time than a
   * request normally has; its token is kept for a later login anyway. The
   * account made here is only saved in the vault, not used further. */
  ba_api_client_set_timeout (client, RECOVERY_TIMEOUT_SECONDS);

  ba_account_open_with_token_async (client, token, data->secret_store, data->vault,
                                    g_task_get_cancellable (task),
                                    recover_opened_cb, g_object_ref (task));
}

static void
recover_next (GTask *task)
{
  RecoverData *data = g_task_get_task_data (task);
  const char *id = data->account_ids[data->next];

  if (id == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  data->next++;
  ba_secret_store_lookup_token_async (data->secret_store, id, g_task_get_cancellable (task),
                                      recover_token_cb, g_object_ref (task));
}

static void
recover_listed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RecoverData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->account_ids = ba_secret_store_list_token_accounts_finish (BA_SECRET_STORE (object), result,
                                                                  &error);
  if (data->account_ids == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_debug ("%u session tokens in the keyring", g_strv_length (data->account_ids));
  recover_next (task);
}

void
ba_account_recover_from_keyring_async (BaSecretStore       *secret_store,
                                       BaVault             *vault,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RecoverData *data;

  g_return_if_fail (BA_IS_SECRET_STORE (secret_store));
  g_return_if_fail (BA_IS_VAULT (vault));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_recover_from_keyring_async);

  data = g_new0 (RecoverData, 1);
  data->secret_store = g_object_ref (secret_store);
  data->vault = g_object_ref (vault);
  g_task_set_task_data (task, data, (GDestroyNotify) recover_data_free);

  ba_secret_store_list_token_accounts_async (secret_store, cancellable,
                                             recover_listed_cb, g_steal_pointer (&task));
}

gboolean
ba_account_recover_from_keyring_finish (GAsyncResult  *result,
                                        guint         *out_n_restored,
                                        guint         *out_n_kept,
                                        GError       **error)
{
  RecoverData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_account_recover_from_keyring_async, FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (out_n_restored != NULL)
    *out_n_restored = data->n_restored;
  if (out_n_kept != NULL)
    *out_n_kept = data->n_kept;

  return g_task_propagate_boolean (G_TASK (result), error);
}
