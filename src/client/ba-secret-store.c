/* ba-secret-store.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-secret-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>

#include "ba-error.h"
#include "ba-secret-store.h"
#include "ba-wipe.h"

#define KIND_SESSION_TOKEN "session-token"
#define KIND_VAULT_KEY     "vault-key"
#define VAULT_ACCOUNT      "vault"

struct _BaSecretStore
{
  GObject  parent_instance;

  /* Callers waiting for the vault key while one lookup-or-create is
   * running, so that two concurrent first calls do not make two keys. */
  GQueue   vault_key_waiters;
};

G_DEFINE_FINAL_TYPE (BaSecretStore, ba_secret_store, G_TYPE_OBJECT)

const SecretSchema *
ba_secret_store_get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.balena_accounts.Accounts", SECRET_SCHEMA_NONE,
    {
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static void
ba_secret_store_finalize (GObject *object)
{
  BaSecretStore *self = (BaSecretStore *)object;

  /* Every waiter holds a reference on us through its task. */
  g_assert (g_queue_is_empty (&self->vault_key_waiters));

  G_OBJECT_CLASS (ba_secret_store_parent_class)->finalize (object);
}

static void
ba_secret_store_class_init (BaSecretStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_secret_store_finalize;

  if (sodium_init () < 0)
    g_error ("libsodium could not be initialized");
}

static void
ba_secret_store_init (BaSecretStore *self)
{
  g_queue_init (&self->vault_key_waiters);
}

BaSecretStore *
ba_secret_store_new (void)
{
  return g_object_new (BA_TYPE_SECRET_STORE, NULL);
}

/* Turns a libsecret failure into BA_ERROR_KEYRING; the detail is only
 * logged. A cancellation is passed on as it is. */
static GError *
keyring_error (GError     *error,
               const char *what)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  /* libsecret reports a dismissed unlock prompt as a failure without a
   * GError, so @error may be NULL here. */
  g_debug ("Keyring failure while %s: %s", what,
           error != NULL ? error->message : "prompt dismissed");

  return g_error_new_literal (BA_ERROR, BA_ERROR_KEYRING,
                              _("The keyring is not available or refused access. Unlock it and try again."));
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
check_task (BaSecretStore *self,
            GAsyncResult  *result,
            gpointer       source_tag)
{
  g_return_val_if_fail (BA_IS_SECRET_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return TRUE;
}

/* Session tokens */

static void
store_token_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, keyring_error (error, "storing a token"));
  else
    g_task_return_boolean (task, TRUE);
}

void
ba_secret_store_store_token_async (BaSecretStore       *self,
                                   const char          *account_id,
                                   const char          *label,
                                   const char          *token,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_SECRET_STORE (self));
  g_return_if_fail (account_id != NULL);
  g_return_if_fail (label != NULL);
  g_return_if_fail (token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_secret_store_store_token_async);

  /* Storing with the same attributes replaces the earlier item. */
  secret_password_store (BA_SECRET_SCHEMA, SECRET_COLLECTION_DEFAULT, label, token,
                         cancellable, store_token_cb, g_steal_pointer (&task),
                         "kind", KIND_SESSION_TOKEN,
                         "account", account_id,
                         NULL);
}

gboolean
ba_secret_store_store_token_finish (BaSecretStore  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  if (!check_task (self, result, ba_secret_store_store_token_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lookup_token_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *token;

  token = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, keyring_error (error, "looking up a token"));
  else
    g_task_return_pointer (task, token, (GDestroyNotify) secret_password_free);
}

void
ba_secret_store_lookup_token_async (BaSecretStore       *self,
                                    const char          *account_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_SECRET_STORE (self));
  g_return_if_fail (account_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_secret_store_lookup_token_async);

  secret_password_lookup (BA_SECRET_SCHEMA, cancellable, lookup_token_cb, g_steal_pointer (&task),
                          "kind", KIND_SESSION_TOKEN,
                          "account", account_id,
                          NULL);
}

char *
ba_secret_store_lookup_token_finish (BaSecretStore  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  if (!check_task (self, result, ba_secret_store_lookup_token_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
clear_token_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* FALSE without an error means there was nothing to clear: fine. */
  if (!secret_password_clear_finish (result, &error) && error != NULL)
    g_task_return_error (task, keyring_error (error, "clearing a token"));
  else
    g_task_return_boolean (task, TRUE);
}

void
ba_secret_store_clear_token_async (BaSecretStore       *self,
                                   const char          *account_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_SECRET_STORE (self));
  g_return_if_fail (account_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_secret_store_clear_token_async);

  secret_password_clear (BA_SECRET_SCHEMA, cancellable, clear_token_cb, g_steal_pointer (&task),
                         "kind", KIND_SESSION_TOKEN,
                         "account", account_id,
                         NULL);
}

gboolean
ba_secret_store_clear_token_finish (BaSecretStore  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  if (!check_task (self, result, ba_secret_store_clear_token_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
list_token_accounts_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  GList *items;

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, keyring_error (error, "listing the session tokens"));
      return;
    }

  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (l->data);
      const char *account_id = g_hash_table_lookup (attributes, "account");

      /* Two items of one account would be one account all the same. */
      if (account_id != NULL &&
          !g_ptr_array_find_with_equal_func (ids, account_id, g_str_equal, NULL))
        g_ptr_array_add (ids, g_strdup (account_id));
    }
  g_list_free_full (items, g_object_unref);

  g_ptr_array_sort (ids, (GCompareFunc) compare_ids);
  g_ptr_array_add (ids, NULL);
  g_task_return_pointer (task, g_ptr_array_free (g_steal_pointer (&ids), FALSE),
                         (GDestroyNotify) g_strfreev);
}

void
ba_secret_store_list_token_accounts_async (BaSecretStore       *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (BA_IS_SECRET_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_secret_store_list_token_accounts_async);

  /* Neither SECRET_SEARCH_LOAD_SECRETS nor SECRET_SEARCH_UNLOCK: the
   * attributes are all that is needed, and each token is looked up only
   * when it is used. */
  secret_password_search (BA_SECRET_SCHEMA, SECRET_SEARCH_ALL, cancellable,
                          list_token_accounts_cb, g_steal_pointer (&task),
                          "kind", KIND_SESSION_TOKEN,
                          NULL);
}

char **
ba_secret_store_list_token_accounts_finish (BaSecretStore  *self,
                                            GAsyncResult   *result,
                                            GError        **error)
{
  if (!check_task (self, result, ba_secret_store_list_token_accounts_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The vault key */

static void
wipe_key (gpointer data)
{
  sodium_memzero (data, BA_VAULT_KEY_SIZE);
  g_free (data);
}

/* The key bytes live in memory that is wiped when the GBytes goes away. */
static GBytes *
key_bytes_new (guint8 **out_data)
{
  guint8 *data = g_malloc0 (BA_VAULT_KEY_SIZE);

  *out_data = data;

  return g_bytes_new_with_free_func (data, BA_VAULT_KEY_SIZE, wipe_key, data);
}

/* Completes every waiting caller with the same key or error. */
static void
vault_key_done (BaSecretStore *self,
                GBytes        *key,
                const GError  *error)
{
  GTask *task;

  while ((task = g_queue_pop_head (&self->vault_key_waiters)) != NULL)
    {
      if (!g_task_return_error_if_cancelled (task))
        {
          if (key != NULL)
            g_task_return_pointer (task, g_bytes_ref (key), (GDestroyNotify) g_bytes_unref);
          else
            g_task_return_error (task, g_error_copy (error));
        }

      g_object_unref (task);
    }
}

typedef struct
{
  BaSecretStore *self;
  GBytes        *key;
  char          *hex;
} CreateKey;

static void
create_key_free (CreateKey *create)
{
  g_clear_object (&create->self);
  g_clear_pointer (&create->key, g_bytes_unref);
  g_clear_pointer (&create->hex, ba_wipe_string_free);
  g_free (create);
}

static void
vault_key_stored_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  CreateKey *create = user_data;
  g_autoptr(GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    {
      g_autoptr(GError) mapped = keyring_error (error, "storing the vault key");

      vault_key_done (create->self, NULL, mapped);
    }
  else
    {
      vault_key_done (create->self, create->key, NULL);
    }

  create_key_free (create);
}

static void
create_vault_key (BaSecretStore *self)
{
  CreateKey *create;
  guint8 *data;
  gsize hex_len = BA_VAULT_KEY_SIZE * 2 + 1;

  create = g_new0 (CreateKey, 1);
  create->self = g_object_ref (self);
  create->key = key_bytes_new (&data);
  randombytes_buf (data, BA_VAULT_KEY_SIZE);
  create->hex = g_malloc0 (hex_len);
  sodium_bin2hex (create->hex, hex_len, data, BA_VAULT_KEY_SIZE);

  /* Not cancellable: a half-made key must not be left behind while other
   * callers wait for it. */
  secret_password_store (BA_SECRET_SCHEMA, SECRET_COLLECTION_DEFAULT,
                         _("Balena Accounts vault key"), create->hex,
                         NULL, vault_key_stored_cb, create,
                         "kind", KIND_VAULT_KEY,
                         "account", VAULT_ACCOUNT,
                         NULL);
}

static void
vault_key_lookup_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(BaSecretStore) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  char *hex;
  const char *hex_end = NULL;
  guint8 *data;
  gsize bin_len = 0;

  hex = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_autoptr(GError) mapped = keyring_error (error, "looking up the vault key");

      vault_key_done (self, NULL, mapped);
      return;
    }

  if (hex == NULL)
    {
      g_debug ("No vault key in the keyring yet; creating one");
      create_vault_key (self);
      return;
    }

  key = key_bytes_new (&data);
  if (strlen (hex) != BA_VAULT_KEY_SIZE * 2 ||
      sodium_hex2bin (data, BA_VAULT_KEY_SIZE, hex, strlen (hex), NULL, &bin_len, &hex_end) != 0 ||
      bin_len != BA_VAULT_KEY_SIZE || *hex_end != '\0')
    {
      /* A damaged key cannot open the vault anyway; a new one lets the
       * vault be set aside and rebuilt, which is the documented recovery. */
      g_message ("The vault key in the keyring is damaged; replacing it");
      secret_password_free (hex);
      create_vault_key (self);
      return;
    }

  secret_password_free (hex);
  vault_key_done (self, key, NULL);
}

void
ba_secret_store_get_vault_key_async (BaSecretStore       *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;
  gboolean running;

  g_return_if_fail (BA_IS_SECRET_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_secret_store_get_vault_key_async);

  running = !g_queue_is_empty (&self->vault_key_waiters);
  g_queue_push_tail (&self->vault_key_waiters, task);
  if (running)
    return;

  secret_password_lookup (BA_SECRET_SCHEMA, NULL, vault_key_lookup_cb, g_object_ref (self),
                          "kind", KIND_VAULT_KEY,
                          "account", VAULT_ACCOUNT,
                          NULL);
}

GBytes *
ba_secret_store_get_vault_key_finish (BaSecretStore  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  if (!check_task (self, result, ba_secret_store_get_vault_key_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}
