/* ba-secret-store.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

/* The keyring schema, named in one place (design.md section 2). Attributes:
 * "kind" ("session-token" or "vault-key") and "account" (a BaAccount id,
 * or "vault" for the vault key). */
const SecretSchema *ba_secret_store_get_schema (void) G_GNUC_CONST;
#define BA_SECRET_SCHEMA (ba_secret_store_get_schema ())

#define BA_VAULT_KEY_SIZE 32

#define BA_TYPE_SECRET_STORE (ba_secret_store_get_type ())

G_DECLARE_FINAL_TYPE (BaSecretStore, ba_secret_store, BA, SECRET_STORE, GObject)

/* Every call is asynchronous; keyring failures are BA_ERROR_KEYRING. */
BaSecretStore *ba_secret_store_new                          (void);

void           ba_secret_store_store_token_async            (BaSecretStore        *self,
                                                             const char           *account_id,
                                                             const char           *label,
                                                             const char           *token,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean       ba_secret_store_store_token_finish           (BaSecretStore        *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);

/* Returns NULL without an error when there is no token for @account_id.
 * Free the result with secret_password_free(). */
void           ba_secret_store_lookup_token_async           (BaSecretStore        *self,
                                                             const char           *account_id,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
char          *ba_secret_store_lookup_token_finish          (BaSecretStore        *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);

void           ba_secret_store_clear_token_async            (BaSecretStore        *self,
                                                             const char           *account_id,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
gboolean       ba_secret_store_clear_token_finish           (BaSecretStore        *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);

/* The account ids (BaAccount ids, "<user id>@<server url>") that have a
 * session token in the keyring, sorted, as a NULL-terminated array (free
 * with g_strfreev()); empty when there are none. Only the items'
 * attributes are read: no secret is loaded. */
void           ba_secret_store_list_token_accounts_async    (BaSecretStore        *self,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
char         **ba_secret_store_list_token_accounts_finish   (BaSecretStore        *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);

/* The vault's 32-byte raw key: looked up, or made from random bytes
 * (libsodium) and stored on first use. The bytes are in memory that is
 * wiped when the GBytes is freed. */
void           ba_secret_store_get_vault_key_async          (BaSecretStore        *self,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
GBytes        *ba_secret_store_get_vault_key_finish         (BaSecretStore        *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);

G_END_DECLS
