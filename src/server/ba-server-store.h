/* ba-server-store.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* One row of the user table, as the handlers need it. @email and
 * @password_hash are NULL when the user has none (social-login users have
 * no password). */
typedef struct
{
  gint64  id;
  gint64  actor_id;
  char   *username;
  char   *email;
  char   *password_hash;
  char   *jwt_secret;
  char   *created_at;
} BaServerUser;

void          ba_server_user_free (BaServerUser *user);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaServerUser, ba_server_user_free)

#define BA_TYPE_SERVER_STORE (ba_server_store_get_type ())

G_DECLARE_FINAL_TYPE (BaServerStore, ba_server_store, BA, SERVER_STORE, GObject)

/* Opens (creating if needed) the SQLite database at @path in WAL mode with
 * foreign keys on, and applies any pending schema migrations. */
BaServerStore *ba_server_store_open                   (const char     *path,
                                                       GError        **error);

int            ba_server_store_get_schema_version     (BaServerStore  *self);
/* The number of migrations this build knows: what a fully migrated
 * database reports as its user_version. */
int            ba_server_store_get_latest_version     (void);

/* The lookups return NULL without setting @error when no row matches.
 * Username and email match case-insensitively. */
BaServerUser  *ba_server_store_find_user_by_id        (BaServerStore  *self,
                                                       gint64          id,
                                                       GError        **error);
BaServerUser  *ba_server_store_find_user_by_username  (BaServerStore  *self,
                                                       const char     *username,
                                                       GError        **error);
BaServerUser  *ba_server_store_find_user_by_email     (BaServerStore  *self,
                                                       const char     *email,
                                                       GError        **error);

/* Creates the user and its actor in one transaction. @email and
 * @password_hash may be NULL. A taken username or email gives
 * BA_ERROR_CONFLICT. */
BaServerUser  *ba_server_store_create_user            (BaServerStore  *self,
                                                       const char     *username,
                                                       const char     *email,
                                                       const char     *password_hash,
                                                       const char     *jwt_secret,
                                                       GError        **error);

/* Replaces the password hash and the jwt_secret together, so that every
 * session token issued before the change stops working. */
gboolean       ba_server_store_set_password           (BaServerStore  *self,
                                                       gint64          user_id,
                                                       const char     *password_hash,
                                                       const char     *jwt_secret,
                                                       GError        **error);

/* The open database, for the OData engine's reads. Owned by @self. */
sqlite3       *ba_server_store_get_db                 (BaServerStore  *self);

/* @date as JavaScript's toISOString() writes it:
 * "YYYY-MM-DDTHH:MM:SS.mmmZ", in UTC. */
char          *ba_server_store_format_date            (GDateTime      *date);

/* API keys (schema version 2). Only the key's hash is stored. @name,
 * @description and @expiry_date (normalised ISO-8601) may be NULL.
 * Returns the new row's id, or 0 with @error set. */
gint64         ba_server_store_create_api_key         (BaServerStore  *self,
                                                       gint64          actor_id,
                                                       const char     *key_hash,
                                                       const char     *name,
                                                       const char     *description,
                                                       const char     *expiry_date,
                                                       GError        **error);
/* The user whose actor owns the key with @key_hash, and the key's
 * expiry_date (NULL: never) in @out_expiry_date. NULL without @error when
 * there is no such key. Expiry is the caller's to judge. */
BaServerUser  *ba_server_store_find_user_by_api_key   (BaServerStore  *self,
                                                       const char     *key_hash,
                                                       char          **out_expiry_date,
                                                       GError        **error);
/* Changes key @id: @name unless NULL, @description and @expiry_date (both
 * nullable) when their set_ flag is TRUE. Permission checks are the
 * caller's. */
gboolean       ba_server_store_update_api_key         (BaServerStore  *self,
                                                       gint64          id,
                                                       const char     *name,
                                                       gboolean        set_description,
                                                       const char     *description,
                                                       gboolean        set_expiry_date,
                                                       const char     *expiry_date,
                                                       GError        **error);
gboolean       ba_server_store_delete_api_key         (BaServerStore  *self,
                                                       gint64          id,
                                                       GError        **error);

/* A write transaction around several changes (PATCH or DELETE of many
 * rows), so a failure half-way changes nothing. */
gboolean       ba_server_store_begin                  (BaServerStore  *self,
                                                       GError        **error);
gboolean       ba_server_store_commit                 (BaServerStore  *self,
                                                       GError        **error);
void           ba_server_store_rollback               (BaServerStore  *self);

G_END_DECLS
