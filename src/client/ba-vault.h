/* ba-vault.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-api-key.h"

G_BEGIN_DECLS

/* One cached account row. */
typedef struct
{
  char   *id;               /* "<user id>@<server url>" */
  char   *server_url;
  gint64  user_id;
  gint64  actor_id;
  char   *username;
  char   *email;            /* may be NULL */
  gint64  last_synced_at;   /* Unix seconds of the last server answer */
  gint64  last_used_at;     /* Unix seconds; the newest is restored at start */
} BaVaultAccount;

void            ba_vault_account_free (BaVaultAccount *account);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaVaultAccount, ba_vault_account_free)

#define BA_TYPE_VAULT (ba_vault_get_type ())

G_DECLARE_FINAL_TYPE (BaVault, ba_vault, BA, VAULT, GObject)

/* The encrypted cache (design.md section 6): SQLCipher opened with a raw
 * 32-byte key, PRAGMA cipher_compatibility = 3, refusing to run if
 * PRAGMA cipher_version is empty, schema versioned with user_version.
 *
 * Opening is quick (a raw key has no KDF) but still runs in a worker
 * thread; every other call is asynchronous too and runs on one worker at a
 * time, so the main loop never blocks on disk. */

/* Opens @path with @key. When the file exists but cannot be opened (wrong
 * key, corrupt), it is renamed to "<path>.broken-<timestamp>" and a new,
 * empty vault is created; *@out_rebuilt is then TRUE so the app can tell
 * the user. Other failures (no cipher, disk full) are BA_ERROR_VAULT. */
void            ba_vault_open_async                (const char           *path,
                                                    GBytes               *key,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
BaVault        *ba_vault_open_finish               (GAsyncResult         *result,
                                                    gboolean             *out_rebuilt,
                                                    GError              **error);

/* Synchronous open, for tests and benchmarks; same rules as above. */
BaVault        *ba_vault_open                      (const char           *path,
                                                    GBytes               *key,
                                                    gboolean             *out_rebuilt,
                                                    GError              **error);

const char     *ba_vault_get_path                  (BaVault              *self);
int             ba_vault_get_schema_version        (BaVault              *self);

/* Inserts or replaces the row with the same id. */
void            ba_vault_save_account_async        (BaVault              *self,
                                                    const BaVaultAccount *account,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ba_vault_save_account_finish       (BaVault              *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* The most recently used account, or NULL without error if none. */
void            ba_vault_load_last_account_async   (BaVault              *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
BaVaultAccount *ba_vault_load_last_account_finish  (BaVault              *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* Deletes the account and every cached row that belongs to it. */
void            ba_vault_forget_account_async      (BaVault              *self,
                                                    const char           *account_id,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ba_vault_forget_account_finish     (BaVault              *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* Cached API keys (schema 2): the metadata of BaApiKey only, never a
 * secret key, in rows that belong to an account (forgetting the account
 * forgets them). These calls run in call order on one worker thread of
 * their own, so a later call never overtakes an earlier one: callers may
 * fire them without waiting. */

/* Replaces all cached keys of @account_id with @keys (BaApiKey), in one
 * transaction: either the whole new list is saved or the old one stays.
 * The keys are copied before returning. The account row must exist. */
void            ba_vault_replace_api_keys_async    (BaVault              *self,
                                                    const char           *account_id,
                                                    GPtrArray            *keys,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ba_vault_replace_api_keys_finish   (BaVault              *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* Inserts @key, or updates the cached key with the same id. */
void            ba_vault_save_api_key_async        (BaVault              *self,
                                                    const char           *account_id,
                                                    BaApiKey             *key,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ba_vault_save_api_key_finish       (BaVault              *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* Deletes the cached keys with these ids (unknown ids are ignored). */
void            ba_vault_delete_api_keys_async     (BaVault              *self,
                                                    const char           *account_id,
                                                    const gint64         *ids,
                                                    guint                 n_ids,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ba_vault_delete_api_keys_finish    (BaVault              *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* All cached keys of @account_id as a GPtrArray of BaApiKey (element free
 * function set), sorted like ba_api_key_compare(); empty when none. */
void            ba_vault_load_api_keys_async       (BaVault              *self,
                                                    const char           *account_id,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
GPtrArray      *ba_vault_load_api_keys_finish      (BaVault              *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* Several accounts (issue 7): every saved account, most recently used
 * first, as a GPtrArray of BaVaultAccount (element free function set). */
void            ba_vault_list_accounts_async       (BaVault              *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
GPtrArray      *ba_vault_list_accounts_finish      (BaVault              *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* Sets when @account_id was last used (@last_used_at, or one second
 * after the newest other account if that is later), which makes it the one
 * ba_vault_load_last_account_async() (and so ba_account_restore_async())
 * gives next: that is how the app switches accounts. An unknown id is
 * BA_ERROR_NOT_FOUND. */
void            ba_vault_touch_account_async       (BaVault              *self,
                                                    const char           *account_id,
                                                    gint64                last_used_at,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean        ba_vault_touch_account_finish      (BaVault              *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

G_END_DECLS
