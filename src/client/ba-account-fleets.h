/* ba-account-fleets.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-account.h"
#include "ba-fleet.h"
#include "ba-fleet-invite.h"
#include "ba-fleet-member.h"
#include "ba-fleet-role.h"

G_BEGIN_DECLS

/* Fleets, their members and invites for one BaAccount (account-api.md
 * sections 11, 12 and 17.6), over the same BaApiClient and vault.
 *
 * Errors, beyond those of every call (OFFLINE, TIMEOUT, SERVER,
 * INVALID_RESPONSE):
 *  - a 401 on a change is BA_ERROR_PERMISSION_DENIED ("only administrators
 *    of the fleet's organization…") while the session has not expired,
 *    BA_ERROR_NOT_LOGGED_IN once it has;
 *  - adding an unknown username or email is BA_ERROR_NOT_FOUND, a member
 *    or invite that exists already BA_ERROR_CONFLICT, both with a message
 *    of ours;
 *  - a server without these resources (404 on the list) is
 *    BA_ERROR_NOT_SUPPORTED. */

/* The fleets the account reaches, as a GListModel of BaFleet in the
 * server's order (by name). The same object for the account's life. It is
 * empty until ba_account_load_cached_fleets_async() or a sync fills it. */
GListModel    *ba_account_get_fleets                    (BaAccount            *self);

/* Fills the model from the vault (no network). No vault: nothing to do. */
void           ba_account_load_cached_fleets_async      (BaAccount            *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean       ba_account_load_cached_fleets_finish     (BaAccount            *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* Fetches the fleets with their organization, device counts (online and
 * total) and the user's role, replaces the model's contents and caches
 * them. On failure the model is left as it was. BA_ERROR_VAULT means the
 * model was updated but not cached. */
void           ba_account_sync_fleets_async             (BaAccount            *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean       ba_account_sync_fleets_finish            (BaAccount            *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* The fleet roles (BaFleetRole), most capable first: developer, operator,
 * observer, then any other the server has. A new GListModel. */
void           ba_account_list_fleet_roles_async        (BaAccount            *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GListModel    *ba_account_list_fleet_roles_finish       (BaAccount            *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* The members of fleet @fleet_id (BaFleetMember), by username. A new
 * GListStore, so the caller can add and remove rows as changes succeed. */
void           ba_account_list_fleet_members_async      (BaAccount            *self,
                                                         gint64                fleet_id,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GListStore    *ba_account_list_fleet_members_finish     (BaAccount            *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* The pending invites of fleet @fleet_id (BaFleetInvite), by address.
 * Only administrators see invites; for others the list is empty. */
void           ba_account_list_fleet_invites_async      (BaAccount            *self,
                                                         gint64                fleet_id,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
GListStore    *ba_account_list_fleet_invites_finish     (BaAccount            *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* Adds the user with @username_or_email (section 17.6) to the fleet with
 * role @role_id (0: the server's default, developer). Returns the new
 * member. Surrounding spaces are dropped; an empty string is
 * BA_ERROR_INVALID_INPUT without a request. */
void           ba_account_add_fleet_member_async        (BaAccount            *self,
                                                         gint64                fleet_id,
                                                         const char           *username_or_email,
                                                         gint64                role_id,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
BaFleetMember *ba_account_add_fleet_member_finish       (BaAccount            *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* Gives membership @member_id the role @role_id. */
void           ba_account_change_fleet_member_role_async  (BaAccount          *self,
                                                           gint64              member_id,
                                                           gint64              role_id,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
gboolean       ba_account_change_fleet_member_role_finish (BaAccount          *self,
                                                           GAsyncResult       *result,
                                                           GError            **error);

/* Removes membership @member_id (a member may remove themselves). */
void           ba_account_remove_fleet_member_async     (BaAccount            *self,
                                                         gint64                member_id,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean       ba_account_remove_fleet_member_finish    (BaAccount            *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* Invites @email to the fleet with role @role_id (0: developer) and an
 * optional @message; the server mails the invitation. Returns the invite. */
void           ba_account_invite_to_fleet_async         (BaAccount            *self,
                                                         gint64                fleet_id,
                                                         const char           *email,
                                                         gint64                role_id,
                                                         const char           *message,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
BaFleetInvite *ba_account_invite_to_fleet_finish        (BaAccount            *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* Revokes invite @invite_id. */
void           ba_account_revoke_fleet_invite_async     (BaAccount            *self,
                                                         gint64                invite_id,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean       ba_account_revoke_fleet_invite_finish    (BaAccount            *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

G_END_DECLS
