/* ba-server-store.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

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

G_END_DECLS
