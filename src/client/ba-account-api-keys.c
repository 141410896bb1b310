/* ba-account-api-keys.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The account's API keys (issue 3, declared in ba-account.h): the
 * "api-keys" model and its sync, create, update and revoke. */

#define G_LOG_DOMAIN "ba-account"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "ba-account-private.h"
#include "ba-api-key-private.h"
#include "ba-error.h"
#include "ba-wipe.h"

/* The model behind ba_account_get_api_keys(). */
static GListStore *
key_store (BaAccount *self)
{
  return G_LIST_STORE (ba_account_get_api_keys (self));
}

/* Makes the model match @keys (in their order) with as little churn as a
 * list view can ask for: keys already shown are kept as the same objects
 * and updated in place, and only the run of rows between the unchanged
 * head and tail is spliced, in one "items-changed". */
void
ba_account_apply_api_keys (BaAccount *self,
                           GPtrArray *keys)
{
  GListModel *model = ba_account_get_api_keys (self);
  g_autoptr(GHashTable) shown = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) items = g_ptr_array_new_full (keys->len, g_object_unref);
  guint n_old = g_list_model_get_n_items (model);
  guint n_new;
  guint prefix = 0;
  guint suffix = 0;

  /* The store keeps these keys alive until the splice. */
  for (guint i = 0; i < n_old; i++)
    {
      g_autoptr(BaApiKey) key = g_list_model_get_item (model, i);
      gint64 id = ba_api_key_get_id (key);

      g_hash_table_insert (shown, g_memdup2 (&id, sizeof id), key);
    }

  for (guint i = 0; i < keys->len; i++)
    {
      BaApiKey *key = g_ptr_array_index (keys, i);
      gint64 id = ba_api_key_get_id (key);
      BaApiKey *old;

      /* A server that lists a key twice gets it shown once. */
      if (g_hash_table_contains (taken, &id))
        continue;
      g_hash_table_add (taken, g_memdup2 (&id, sizeof id));

      old = g_hash_table_lookup (shown, &id);
      if (old != NULL)
        {
          ba_api_key_set_fields (old, ba_api_key_get_name (key), ba_api_key_get_description (key),
                                 ba_api_key_get_created_at (key), ba_api_key_get_expiry_date (key));
          g_ptr_array_add (items, g_object_ref (old));
        }
      else
        g_ptr_array_add (items, g_object_ref (key));
    }
  n_new = items->len;

  while (prefix < n_old && prefix < n_new)
    {
      g_autoptr(BaApiKey) key = g_list_model_get_item (model, prefix);

      if (key != g_ptr_array_index (items, prefix))
        break;
      prefix++;
    }

  while (suffix < n_old - prefix && suffix < n_new - prefix)
    {
      g_autoptr(BaApiKey) key = g_list_model_get_item (model, n_old - 1 - suffix);

      if (key != g_ptr_array_index (items, n_new - 1 - suffix))
        break;
      suffix++;
    }

  if (prefix == n_old && prefix == n_new)
    return;

  g_list_store_splice (key_store (self), prefix, n_old - prefix - suffix,
                       items->pdata + prefix, n_new - prefix - suffix);
}

/* The position of the key @id in the model, or -1. */
static int
find_api_key (BaAccount *self,
              gint64     id)
{
  GListModel *model = ba_account_get_api_keys (self);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BaApiKey) key = g_list_model_get_item (model, i);

      if (ba_api_key_get_id (key) == id)
        return (int) i;
    }

  return -1;
}

/* FALSE (and the task answered) when there is no session to send. */
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

/* TRUE when @error, the answer to a PATCH or DELETE of one key, may mean
 * that the key is gone rather than the session. pinejs answers 401, not
 * 404, for a key id that is not (or no longer) the caller's, so as not to
 * reveal which ids exist (balena-io/pinejs#734): a key revoked elsewhere
 * looks like an ended session, and only whoami tells the two apart. An
 * API key credential gets PERMISSION_DENIED, never this. */
static gboolean
may_be_gone_key (BaAccount    *self,
                 const GError *error)
{
  BaSession *session = ba_account_get_session (self);

  return g_error_matches (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN) &&
         session != NULL && !ba_session_is_api_key (session);
}

/* Takes the key @id out of the model; the caller updates the vault. */
static void
forget_api_key (BaAccount *self,
                gint64     id)
{
  int position = find_api_key (self, id);

  if (position >= 0)
    g_list_store_remove (key_store (self), position);
}

/* Sync */

/* The last step of a sync or an update: TRUE, or the cache write's
 * error (the model is already updated). */
static void
cached_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_task_get_source_tag (task) == ba_account_sync_api_keys_async)
    ba_vault_replace_api_keys_finish (BA_VAULT (object), result, &error);
  else
    ba_vault_save_api_key_finish (BA_VAULT (object), result, &error);

  ba_account_task_return_boolean (task, error);
}

static void
sync_listed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaAccount *self = g_task_get_source_object (task);
  GListModel *model = ba_account_get_api_keys (self);
  BaVault *vault = ba_account_get_vault (self);
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;

  keys = ba_api_client_list_api_keys_finish (BA_API_CLIENT (object), result, &error);
  if (keys == NULL)
    {
      ba_account_note_request_error (self, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  ba_account_mark_online (self);
  ba_account_apply_api_keys (self, keys);

  if (vault == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* What is shown is what gets cached: the model after the merge. */
  g_clear_pointer (&keys, g_ptr_array_unref);
  keys = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (keys, g_list_model_get_item (model, i));

  ba_vault_replace_api_keys_async (vault, ba_account_get_id (self), keys, NULL,
                                   cached_cb, g_object_ref (task));
}

void
ba_account_sync_api_keys_async (BaAccount           *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_sync_api_keys_async);

  if (!check_logged_in (self, task))
    return;

  if (ba_account_get_actor_id (self) <= 0)
    {
      /* Only a cache written by a broken build could lack it. */
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_FAILED,
                               "%s", _("The account is incomplete. Log out and log in again."));
      return;
    }

  ba_api_client_list_api_keys_async (ba_account_get_api_client (self),
                                     ba_account_get_actor_id (self), cancellable,
                                     sync_listed_cb, g_steal_pointer (&task));
}

gboolean
ba_account_sync_api_keys_finish (BaAccount     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_sync_api_keys_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Create */

typedef struct
{
  char *name;
  char *secret;   /* the new key: wiped when the task goes */
} CreateData;

static void
create_data_free (CreateData *data)
{
  g_free (data->name);
  ba_wipe_string_free (data->secret);
  g_free (data);
}

static void
create_return_secret (GTask *task)
{
  CreateData *data = g_task_get_task_data (task);

  g_task_return_pointer (task, g_steal_pointer (&data->secret), (GDestroyNotify) ba_wipe_string_free);
}

static void
create_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* The key exists and must reach the user whatever the cache says. */
  if (!ba_vault_save_api_key_finish (BA_VAULT (object), result, &error))
    g_message ("Could not cache the new API key's details: %s", error->message);

  create_return_secret (task);
}

static void
create_found_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaAccount *self = g_task_get_source_object (task);
  BaVault *vault = ba_account_get_vault (self);
  g_autoptr(BaApiKey) key = NULL;
  g_autoptr(GError) error = NULL;

  key = ba_api_client_find_newest_api_key_finish (BA_API_CLIENT (object), result, &error);
  if (key == NULL)
    {
      /* Only the list lags behind; the next sync brings the key. */
      if (error != NULL)
        g_message ("Could not read the new API key's details: %s", error->message);
      else
        g_message ("The new API key is not in the server's list yet");
      create_return_secret (task);
      return;
    }

  if (find_api_key (self, ba_api_key_get_id (key)) < 0)
    g_list_store_insert_sorted (key_store (self), key, ba_api_key_compare, NULL);

  if (vault == NULL)
    {
      create_return_secret (task);
      return;
    }

  ba_vault_save_api_key_async (vault, ba_account_get_id (self), key, NULL,
                               create_saved_cb, g_object_ref (task));
}

static void
create_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaAccount *self = g_task_get_source_object (task);
  CreateData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->secret = ba_api_client_create_api_key_finish (BA_API_CLIENT (object), result, &error);
  if (data->secret == NULL)
    {
      ba_account_note_request_error (self, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Not cancellable from here on: the key exists, so it must be
   * returned. */
  ba_api_client_find_newest_api_key_async (ba_account_get_api_client (self),
                                           ba_account_get_actor_id (self), data->name, NULL,
                                           create_found_cb, g_object_ref (task));
}

void
ba_account_create_api_key_async (BaAccount           *self,
                                 const char          *name,
                                 const char          *description,
                                 gint64               expiry_date,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  BaSession *session;
  CreateData *data;

  g_return_if_fail (BA_IS_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_create_api_key_async);
  data = g_new0 (CreateData, 1);
  data->name = g_strdup (name);
  g_task_set_task_data (task, data, (GDestroyNotify) create_data_free);

  if (!check_logged_in (self, task))
    return;

  /* Asking for the password would not help: an API key cannot be made
   * fresh. */
  session = ba_account_get_session (self);
  if (ba_session_is_api_key (session))
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_PERMISSION_DENIED,
                               "%s", _("API keys cannot manage API keys. Log in with your password to create, change or revoke keys."));
      return;
    }

  /* Known without asking: the app asks for the password, refreshes the
   * token with it and tries again. */
  if (!ba_session_is_fresh (session, g_get_real_time () / G_USEC_PER_SEC))
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_FRESH_AUTH_REQUIRED,
                               "%s", _("For your security, please enter your password again to continue."));
      return;
    }

  ba_api_client_create_api_key_async (ba_account_get_api_client (self), name, description,
                                      expiry_date, cancellable, create_cb, g_steal_pointer (&task));
}

char *
ba_account_create_api_key_finish (BaAccount     *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_create_api_key_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Update */

typedef struct
{
  gint64  id;
  char   *name;
  char   *description;
  gint64  expiry_date;
} UpdateData;

static void
update_data_free (UpdateData *data)
{
  g_free (data->name);
  g_free (data->description);
  g_free (data);
}

static void
update_return_gone (GTask *task)
{
  g_task_return_new_error (task, BA_ERROR, BA_ERROR_NOT_FOUND,
                           "%s", _("This key no longer exists. It may have been revoked elsewhere."));
}

static void
update_forgotten_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* What the user needs to hear is that the key is gone; a stale cache
   * row only lasts until the next sync. */
  if (!ba_vault_delete_api_keys_finish (BA_VAULT (object), result, &error))
    g_message ("Could not forget the cached API key: %s", error->message);

  update_return_gone (task);
}

static void
update_whoami_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaAccount *self = g_task_get_source_object (task);
  UpdateData *data = g_task_get_task_data (task);
  BaVault *vault = ba_account_get_vault (self);
  g_autoptr(BaIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  identity = ba_api_client_whoami_finish (BA_API_CLIENT (object), result, &error);
  if (identity == NULL)
    {
      /* whoami's answer decides: a 401 there too means the session
       * really ended, an unreachable server leaves the account offline. */
      ba_account_note_request_error (self, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_debug ("API key %" G_GINT64_FORMAT " is gone; the session is fine", data->id);
  forget_api_key (self, data->id);

  if (vault == NULL)
    {
      update_return_gone (task);
      return;
    }

  ba_vault_delete_api_keys_async (vault, ba_account_get_id (self), &data->id, 1, NULL,
                                  update_forgotten_cb, g_object_ref (task));
}

static void
update_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaAccount *self = g_task_get_source_object (task);
  UpdateData *data = g_task_get_task_data (task);
  GListModel *model = ba_account_get_api_keys (self);
  BaVault *vault = ba_account_get_vault (self);
  g_autoptr(BaApiKey) key = NULL;
  g_autoptr(GError) error = NULL;
  int position;

  if (!ba_api_client_update_api_key_finish (BA_API_CLIENT (object), result, &error))
    {
      if (may_be_gone_key (self, error))
        {
          ba_api_client_whoami_async (BA_API_CLIENT (object), g_task_get_cancellable (task),
                                      update_whoami_cb, g_object_ref (task));
          return;
        }

      ba_account_note_request_error (self, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  position = find_api_key (self, data->id);
  if (position < 0)
    {
      /* Not listed yet: the next sync shows it as it is now. */
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Changed in place, so a row showing it just repaints; moved only when
   * the new name sorts elsewhere. */
  key = g_list_model_get_item (model, position);
  if (ba_api_key_set_fields (key, data->name, data->description,
                             ba_api_key_get_created_at (key), data->expiry_date))
    {
      g_autoptr(BaApiKey) before = NULL;
      g_autoptr(BaApiKey) after = NULL;
      guint n = g_list_model_get_n_items (model);

      if (position > 0)
        before = g_list_model_get_item (model, position - 1);
      if ((guint) position + 1 < n)
        after = g_list_model_get_item (model, position + 1);

      if ((before != NULL && ba_api_key_compare (before, key, NULL) > 0) ||
          (after != NULL && ba_api_key_compare (key, after, NULL) > 0))
        {
          g_list_store_remove (key_store (self), position);
          g_list_store_insert_sorted (key_store (self), key, ba_api_key_compare, NULL);
        }
    }

  if (vault == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  ba_vault_save_api_key_async (vault, ba_account_get_id (self), key, NULL,
                               cached_cb, g_object_ref (task));
}

void
ba_account_update_api_key_async (BaAccount           *self,
                                 gint64               id,
                                 const char          *name,
                                 const char          *description,
                                 gint64               expiry_date,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  UpdateData *data;

  g_return_if_fail (BA_IS_ACCOUNT (self));
  g_return_if_fail (id > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_update_api_key_async);
  data = g_new0 (UpdateData, 1);
  data->id = id;
  data->name = g_strdup (name);
  /* "" and NULL both mean no description, as the server will store. */
  data->description = description != NULL && description[0] != '\0' ? g_strdup (description) : NULL;
  data->expiry_date = expiry_date;
  g_task_set_task_data (task, data, (GDestroyNotify) update_data_free);

  if (!check_logged_in (self, task))
    return;

  ba_api_client_update_api_key_async (ba_account_get_api_client (self), id, name, description,
                                      expiry_date, cancellable, update_cb, g_steal_pointer (&task));
}

gboolean
ba_account_update_api_key_finish (BaAccount     *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_update_api_key_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Revoke */

typedef struct
{
  GArray *ids;       /* gint64: all asked for */
  guint   next;      /* index of the next id to revoke */
  GArray *revoked;   /* gint64 */
  GArray *failed;    /* gint64 */
  GError *error;     /* the first failure */
} RevokeData;

static void
revoke_data_free (RevokeData *data)
{
  g_array_unref (data->ids);
  g_array_unref (data->revoked);
  g_array_unref (data->failed);
  g_clear_error (&data->error);
  g_free (data);
}

/* Errors that say nothing about one key but about every request: trying
 * the other keys would only fail the same way, or worse (a locked-out
 * rate limit, a cancelled dialog). */
static gboolean
fails_every_key (const GError *error)
{
  return ba_account_error_is_unreachable (error) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN) ||
         g_error_matches (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED) ||
         g_error_matches (error, BA_ERROR, BA_ERROR_FRESH_AUTH_REQUIRED) ||
         g_error_matches (error, BA_ERROR, BA_ERROR_TOO_MANY_ATTEMPTS);
}

static void
revoke_saved_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RevokeData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!ba_vault_delete_api_keys_finish (BA_VAULT (object), result, &error) && data->error == NULL)
    data->error = g_steal_pointer (&error);

  ba_account_task_return_boolean (task, g_steal_pointer (&data->error));
}

static void revoke_next (GTask *task);

static void
revoke_succeeded (GTask  *task,
                  gint64  id)
{
  BaAccount *self = g_task_get_source_object (task);
  RevokeData *data = g_task_get_task_data (task);

  g_array_append_val (data->revoked, id);
  forget_api_key (self, id);
  revoke_next (task);
}

/* Takes @error. */
static void
revoke_failed (GTask  *task,
               gint64  id,
               GError *error)
{
  BaAccount *self = g_task_get_source_object (task);
  RevokeData *data = g_task_get_task_data (task);

  g_debug ("Revoking API key %" G_GINT64_FORMAT " failed: %s", id, error->message);
  ba_account_note_request_error (self, error);
  g_array_append_val (data->failed, id);

  if (fails_every_key (error))
    {
      /* The rest were not tried; they are not revoked either. */
      for (; data->next < data->ids->len; data->next++)
        g_array_append_val (data->failed, g_array_index (data->ids, gint64, data->next));
    }

  if (data->error == NULL)
    data->error = error;
  else
    g_error_free (error);

  revoke_next (task);
}

static void
revoke_whoami_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RevokeData *data = g_task_get_task_data (task);
  g_autoptr(BaIdentity) identity = NULL;
  GError *error = NULL;
  gint64 id = g_array_index (data->ids, gint64, data->next - 1);

  identity = ba_api_client_whoami_finish (BA_API_CLIENT (object), result, &error);
  if (identity == NULL)
    {
      /* whoami's answer decides: a 401 there too means the session
       * really ended, an unreachable server leaves the account offline. */
      revoke_failed (task, id, error);
      return;
    }

  /* The session is fine, so the key was already revoked elsewhere: what
   * the user asked for is done. */
  g_debug ("API key %" G_GINT64_FORMAT " was already gone", id);
  revoke_succeeded (task, id);
}

static void
revoke_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaAccount *self = g_task_get_source_object (task);
  RevokeData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gint64 id = g_array_index (data->ids, gint64, data->next);

  data->next++;

  if (ba_api_client_revoke_api_key_finish (BA_API_CLIENT (object), result, &error))
    revoke_succeeded (task, id);
  else if (may_be_gone_key (self, error))
    {
      g_error_free (error);
      ba_api_client_whoami_async (BA_API_CLIENT (object), g_task_get_cancellable (task),
                                  revoke_whoami_cb, g_object_ref (task));
    }
  else
    revoke_failed (task, id, error);
}

static void
revoke_next (GTask *task)
{
  BaAccount *self = g_task_get_source_object (task);
  RevokeData *data = g_task_get_task_data (task);
  BaVault *vault = ba_account_get_vault (self);

  if (data->next < data->ids->len)
    {
      ba_api_client_revoke_api_key_async (ba_account_get_api_client (self),
                                          g_array_index (data->ids, gint64, data->next),
                                          g_task_get_cancellable (task),
                                          revoke_cb, g_object_ref (task));
      return;
    }

  if (vault == NULL || data->revoked->len == 0)
    {
      ba_account_task_return_boolean (task, g_steal_pointer (&data->error));
      return;
    }

  ba_vault_delete_api_keys_async (vault, ba_account_get_id (self),
                                  (const gint64 *) (gpointer) data->revoked->data, data->revoked->len,
                                  NULL, revoke_saved_cb, g_object_ref (task));
}

void
ba_account_revoke_api_keys_async (BaAccount           *self,
                                  const gint64        *ids,
                                  guint                n_ids,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RevokeData *data;

  g_return_if_fail (BA_IS_ACCOUNT (self));
  g_return_if_fail (ids != NULL);
  g_return_if_fail (n_ids > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_account_revoke_api_keys_async);
  data = g_new0 (RevokeData, 1);
  data->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_ids);
  g_array_append_vals (data->ids, ids, n_ids);
  data->revoked = g_array_new (FALSE, FALSE, sizeof (gint64));
  data->failed = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_task_set_task_data (task, data, (GDestroyNotify) revoke_data_free);

  if (ba_account_get_session (self) == NULL)
    {
      g_array_append_vals (data->failed, ids, n_ids);
      check_logged_in (self, task);
      return;
    }

  revoke_next (task);
}

gboolean
ba_account_revoke_api_keys_finish (BaAccount     *self,
                                   GAsyncResult  *result,
                                   GArray       **out_failed_ids,
                                   GError       **error)
{
  RevokeData *data;

  if (out_failed_ids != NULL)
    *out_failed_ids = NULL;

  if (!ba_account_check_task (self, result, ba_account_revoke_api_keys_async))
    return FALSE;

  data = g_task_get_task_data (G_TASK (result));
  if (out_failed_ids != NULL && data->failed->len > 0)
    *out_failed_ids = g_array_ref (data->failed);

  return g_task_propagate_boolean (G_TASK (result), error);
}
