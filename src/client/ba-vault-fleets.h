/* ba-vault-fleets.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-fleet.h"
#include "ba-vault.h"

G_BEGIN_DECLS

/* Vault schema step 3: the fleets an account reaches, as last seen, so
 * the Fleets tab shows at once and offline. Members and invites are not
 * cached (they change under other people's hands, and showing an old
 * member list as if it were current would mislead). */
#define BA_VAULT_FLEETS_SCHEMA \
  "CREATE TABLE fleets ("                                                        \
  "  account_id          TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE," \
  "  id                  INTEGER NOT NULL,"                                      \
  "  name                TEXT    NOT NULL,"                                      \
  "  slug                TEXT    NOT NULL,"                                      \
  "  organization_name   TEXT,"                                                  \
  "  organization_handle TEXT,"                                                  \
  "  device_count        INTEGER NOT NULL DEFAULT 0,"                            \
  "  online_count        INTEGER NOT NULL DEFAULT 0,"                            \
  "  role                TEXT,"                                                  \
  "  PRIMARY KEY (account_id, id)"                                               \
  ");"

/* Replaces every cached fleet of @account_id with @fleets (BaFleet), in
 * one transaction. */
void       ba_vault_replace_fleets_async  (BaVault              *self,
                                           const char           *account_id,
                                           GPtrArray            *fleets,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean   ba_vault_replace_fleets_finish (BaVault              *self,
                                           GAsyncResult         *result,
                                           GError              **error);

/* The cached fleets of @account_id, by name, as a GPtrArray of BaFleet
 * (it owns them). */
void       ba_vault_load_fleets_async     (BaVault              *self,
                                           const char           *account_id,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GPtrArray *ba_vault_load_fleets_finish    (BaVault              *self,
                                           GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS
