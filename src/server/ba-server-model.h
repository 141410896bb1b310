/* ba-server-model.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-server-auth.h"
#include "ba-server-odata.h"

G_BEGIN_DECLS

/* The resources the server serves under /v7/ (account-api.md sections 4
 * and 6), described for the OData engine:
 *  - actor: id;
 *  - user: id, actor, username, created_at (no email, as in balenaCloud's
 *    v7 model; the password hash and jwt_secret are not in the model);
 *  - api_key: id, created_at, name, description, expiry_date,
 *    is_of__actor, and the hidden "key" (its hash), which no query can
 *    read, select, filter or order by. */
BaODataModel       *ba_server_model_new              (void);

/* What @credential may read: a user (by session token or API key) sees
 * their own user row, their actor and their actor's API keys; anyone else
 * sees nothing, so their GETs are 401. */
BaODataPermissions *ba_server_model_read_permissions (const BaServerCredential *credential);

/* What @credential may change (PATCH and DELETE): only a full session
 * token may, and only its own API keys. Named user API keys have no
 * api_key.update or api_key.delete permission (section 6). Returns NULL
 * when the caller may change nothing at all. */
BaODataPermissions *ba_server_model_write_permissions (const BaServerCredential *credential);

G_END_DECLS
