/* ba-account-fleets.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-account-fleets"

#include "config.h"

#include "ba-account-fleets.h"
#include "ba-account-private.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "ba-error.h"
#include "ba-vault-fleets.h"

#define FLEETS_KEY "ba-account-fleets"

typedef enum
{
  OP_SYNC_FLEETS,
  OP_LIST_ROLES,
  OP_LIST_MEMBERS,
  OP_LIST_INVITES,
  OP_ADD_MEMBER,
  OP_READ_MEMBER,
  OP_CHANGE_ROLE,
  OP_REMOVE_MEMBER,
  OP_INVITE,
  OP_READ_INVITE,
  OP_REVOKE_INVITE,
} OpKind;

typedef struct
{
  OpKind     kind;
  GPtrArray *fleets;   /* OP_SYNC_FLEETS: the parsed list, for the model */
} Op;

static void
op_free (Op *op)
{
  g_clear_pointer (&op->fleets, g_ptr_array_unref);
  g_free (op);
}

GListModel *
ba_account_get_fleets (BaAccount *self)
{
  GListStore *store;

  g_return_val_if_fail (BA_IS_ACCOUNT (self), NULL);

  store = g_object_get_data (G_OBJECT (self), FLEETS_KEY);
  if (store == NULL)
    {
      store = g_list_store_new (BA_TYPE_FLEET);
      g_object_set_data_full (G_OBJECT (self), FLEETS_KEY, store, g_object_unref);
    }

  return G_LIST_MODEL (store);
}

static void
replace_model (BaAccount *self,
               GPtrArray *fleets)
{
  GListStore *store = G_LIST_STORE (ba_account_get_fleets (self));

  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)),
                       fleets->pdata, fleets->len);
}

/* JSON helpers: the answer's shape is checked as it is read; anything
 * unexpected makes the whole answer invalid. */

static gboolean
read_int (JsonObject *object,
          const char *name,
          gint64     *out)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  *out = json_node_get_int (node);
  return TRUE;
}

static const char *
read_string (JsonObject *object,
             const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* The first object of the expanded navigation @name, or NULL. */
static JsonObject *
read_expanded (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  array = json_node_get_array (node);
  if (json_array_get_length (array) == 0)
    return NULL;

  node = json_array_get_element (array, 0);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
read_d (JsonNode *root)
{
  JsonNode *d;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  d = json_object_get_member (json_node_get_object (root), "d");
  if (d == NULL || !JSON_NODE_HOLDS_ARRAY (d))
    return NULL;

  return json_node_get_array (d);
}

static GError *
invalid_response (const char *why)
{
  g_debug ("Unexpected fleet answer: %s", why);
  return g_error_new_literal (BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                              _("The server sent an answer that could not be understood."));
}

/* The organization_membership and user_application_membership expands
 * are filtered to the caller's own rows by the query. */
static BaFleet *
parse_fleet (JsonObject *row)
{
  JsonObject *org = read_expanded (row, "organization");
  JsonObject *org_membership = read_expanded (org, "organization_membership");
  JsonObject *org_role = read_expanded (org_membership, "organization_membership_role");
  JsonObject *membership = read_expanded (row, "user_application_membership");
  JsonObject *role = read_expanded (membership, "application_membership_role");
  JsonNode *devices = json_object_get_member (row, "owns__device");
  const char *name = read_string (row, "app_name");
  const char *slug = read_string (row, "slug");
  const char *role_name = NULL;
  guint device_count = 0;
  guint online_count = 0;
  gint64 id;

  if (!read_int (row, "id", &id) || name == NULL || slug == NULL ||
      devices == NULL || !JSON_NODE_HOLDS_ARRAY (devices))
    return NULL;

  for (guint i = 0; i < json_array_get_length (json_node_get_array (devices)); i++)
    {
      JsonNode *device = json_array_get_element (json_node_get_array (devices), i);
      JsonNode *online;

      if (!JSON_NODE_HOLDS_OBJECT (device))
        return NULL;
      online = json_object_get_member (json_node_get_object (device), "is_online");
      device_count++;
      if (online != NULL && JSON_NODE_HOLDS_VALUE (online) &&
          json_node_get_value_type (online) == G_TYPE_BOOLEAN && json_node_get_boolean (online))
        online_count++;
    }

  if (g_strcmp0 (read_string (org_role, "name"), "administrator") == 0)
    role_name = "administrator";
  else if (read_string (role, "name") != NULL)
    role_name = read_string (role, "name");
  else if (org_role != NULL)
    role_name = read_string (org_role, "name");

  return ba_fleet_new (id, name, slug, read_string (org, "name"), read_string (org, "handle"),
                       device_count, online_count, role_name);
}

static BaFleetMember *
parse_member (JsonObject *row)
{
  JsonObject *user = read_expanded (row, "user");
  JsonObject *role = read_expanded (row, "application_membership_role");
  gint64 id;
  gint64 user_id;
  gint64 role_id;

  if (!read_int (row, "id", &id) || !read_int (user, "id", &user_id) ||
      read_string (user, "username") == NULL || !read_int (role, "id", &role_id) ||
      read_string (role, "name") == NULL)
    return NULL;

  return ba_fleet_member_new (id, user_id, read_string (user, "username"), role_id,
                              read_string (role, "name"));
}

static BaFleetInvite *
parse_invite (JsonObject *row)
{
  JsonObject *invitee = read_expanded (row, "invitee");
  JsonObject *role = read_expanded (row, "application_membership_role");
  const char *message = read_string (row, "message");
  gint64 id;
  gint64 role_id;

  if (!read_int (row, "id", &id) || read_string (invitee, "email") == NULL ||
      !read_int (role, "id", &role_id) || read_string (role, "name") == NULL)
    return NULL;

  return ba_fleet_invite_new (id, read_string (invitee, "email"), role_id, read_string (role, "name"),
                              message != NULL && *message != '\0' ? message : NULL);
}

static int
role_rank (const char *name)
{
  static const char * const order[] = { "developer", "operator", "observer" };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (g_strcmp0 (name, order[i]) == 0)
      return i;

  return G_N_ELEMENTS (order);
}

static int
compare_roles (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  BaFleetRole *ra = (BaFleetRole *) a;
  BaFleetRole *rb = (BaFleetRole *) b;
  int diff = role_rank (ba_fleet_role_get_name (ra)) - role_rank (ba_fleet_role_get_name (rb));

  if (diff != 0)
    return diff;

  return g_strcmp0 (ba_fleet_role_get_name (ra), ba_fleet_role_get_name (rb));
}

static int
compare_members (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return g_utf8_collate (ba_fleet_member_get_username ((BaFleetMember *) a),
                         ba_fleet_member_get_username ((BaFleetMember *) b));
}

static int
compare_invites (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return g_ascii_strcasecmp (ba_fleet_invite_get_email ((BaFleetInvite *) a),
                             ba_fleet_invite_get_email ((BaFleetInvite *) b));
}

/* Errors */

static GError *
map_error (BaAccount  *self,
           GError     *error,
           OpKind      kind)
{
  BaSession *session = ba_account_get_session (self);
  gboolean is_change = kind == OP_ADD_MEMBER || kind == OP_CHANGE_ROLE ||
                       kind == OP_REMOVE_MEMBER || kind == OP_INVITE || kind == OP_REVOKE_INVITE;

  if (error->domain != BA_ERROR)
    return g_error_copy (error);

  switch (error->code)
    {
    case BA_ERROR_NOT_LOGGED_IN:
      /* The server answers 401 to a change the caller may not make. */
      if (is_change && session != NULL &&
          !ba_session_is_expired (session, g_get_real_time () / G_USEC_PER_SEC))
        return g_error_new_literal (BA_ERROR, BA_ERROR_PERMISSION_DENIED,
                                    _("Only administrators of the fleet’s organization can change its members and invites."));
      break;

    case BA_ERROR_NOT_FOUND:
      if (kind == OP_ADD_MEMBER)
        return g_error_new_literal (BA_ERROR, BA_ERROR_NOT_FOUND,
                                    _("No account has this username or email address. To add someone without an account, invite them by email."));
      if (kind == OP_SYNC_FLEETS || kind == OP_LIST_ROLES || kind == OP_LIST_MEMBERS ||
          kind == OP_LIST_INVITES)
        return g_error_new_literal (BA_ERROR, BA_ERROR_NOT_SUPPORTED,
                                    _("This server does not support fleet members."));
      break;

    case BA_ERROR_CONFLICT:
      if (kind == OP_ADD_MEMBER)
        return g_error_new_literal (BA_ERROR, BA_ERROR_CONFLICT,
                                    _("This user is already a member of this fleet."));
      if (kind == OP_INVITE)
        return g_error_new_literal (BA_ERROR, BA_ERROR_CONFLICT,
                                    _("This address has already been invited to this fleet, or already belongs to a member."));
      break;

    default:
      break;
    }

  return g_error_copy (error);
}

/* Requests */

static void request_done_cb (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data);

static GTask *
new_task (BaAccount           *self,
          OpKind               kind,
          GCancellable        *cancellable,
          gpointer             source_tag,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);

  return task;
}

/* Sends one request for @task's operation; takes @task. */
static void
send (GTask      *task,
      OpKind      kind,
      const char *method,
      const char *path,
      JsonNode   *body)
{
  BaAccount *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);

  op->kind = kind;
  ba_api_client_request_json_async (ba_account_get_api_client (self), method, path, body,
                                    g_task_get_cancellable (task), request_done_cb, task);
}

static char *
member_path (gint64 id)
{
  return g_strdup_printf ("/v7/user_application_membership(%" G_GINT64_FORMAT ")"
                          "?$select=id&$expand=user($select=id,username),"
                          "application_membership_role($select=id,name)", id);
}

static char *
invite_path (gint64 id)
{
  return g_strdup_printf ("/v7/invitee__is_invited_to__application(%" G_GINT64_FORMAT ")"
                          "?$select=id,message&$expand=invitee($select=email),"
                          "application_membership_role($select=id,name)", id);
}

static void
fleets_cached_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!ba_vault_replace_fleets_finish (BA_VAULT (object), result, &error))
    {
      g_debug ("Could not cache the fleets: %s", error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
request_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BaAccount *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *rows;

  root = ba_api_client_request_json_finish (BA_API_CLIENT (object), result, &error);
  if (root == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_error (task, map_error (self, error, op->kind));
      return;
    }

  switch (op->kind)
    {
    case OP_SYNC_FLEETS:
      {
        BaVault *vault = ba_account_get_vault (self);

        rows = read_d (root);
        if (rows == NULL)
          {
            g_task_return_error (task, invalid_response ("no d array"));
            return;
          }

        op->fleets = g_ptr_array_new_with_free_func (g_object_unref);
        for (guint i = 0; i < json_array_get_length (rows); i++)
          {
            JsonNode *node = json_array_get_element (rows, i);
            BaFleet *fleet = JSON_NODE_HOLDS_OBJECT (node)
                             ? parse_fleet (json_node_get_object (node))
                             : NULL;

            if (fleet == NULL)
              {
                g_task_return_error (task, invalid_response ("a fleet row"));
                return;
              }
            g_ptr_array_add (op->fleets, fleet);
          }

        replace_model (self, op->fleets);

        if (vault == NULL)
          {
            g_task_return_boolean (task, TRUE);
            return;
          }

        {
          GCancellable *cancellable = g_task_get_cancellable (task);

          ba_vault_replace_fleets_async (vault, ba_account_get_id (self), op->fleets,
                                         cancellable, fleets_cached_cb, g_steal_pointer (&task));
        }
      }
      break;

    case OP_LIST_ROLES:
    case OP_LIST_MEMBERS:
    case OP_LIST_INVITES:
      {
        GType type = op->kind == OP_LIST_ROLES ? BA_TYPE_FLEET_ROLE :
                     op->kind == OP_LIST_MEMBERS ? BA_TYPE_FLEET_MEMBER : BA_TYPE_FLEET_INVITE;
        g_autoptr(GListStore) store = g_list_store_new (type);

        rows = read_d (root);
        if (rows == NULL)
          {
            g_task_return_error (task, invalid_response ("no d array"));
            return;
          }

        for (guint i = 0; i < json_array_get_length (rows); i++)
          {
            JsonNode *node = json_array_get_element (rows, i);
            JsonObject *row = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
            g_autoptr(GObject) item = NULL;

            if (op->kind == OP_LIST_ROLES)
              {
                gint64 id;

                if (read_int (row, "id", &id) && read_string (row, "name") != NULL)
                  item = G_OBJECT (ba_fleet_role_new (id, read_string (row, "name"),
                                                      read_string (row, "description")));
              }
            else if (op->kind == OP_LIST_MEMBERS)
              item = row != NULL ? G_OBJECT (parse_member (row)) : NULL;
            else
              item = row != NULL ? G_OBJECT (parse_invite (row)) : NULL;

            if (item == NULL)
              {
                g_task_return_error (task, invalid_response ("a list row"));
                return;
              }

            g_list_store_insert_sorted (store, item,
                                        op->kind == OP_LIST_ROLES ? compare_roles :
                                        op->kind == OP_LIST_MEMBERS ? compare_members :
                                        compare_invites, NULL);
          }

        g_task_return_pointer (task, g_steal_pointer (&store), g_object_unref);
      }
      break;

    case OP_ADD_MEMBER:
    case OP_INVITE:
      {
        g_autofree char *path = NULL;
        gint64 id;

        /* The 201 answer has ids only; read the row back with names. */
        if (!JSON_NODE_HOLDS_OBJECT (root) || !read_int (json_node_get_object (root), "id", &id))
          {
            g_task_return_error (task, invalid_response ("no id in the created row"));
            return;
          }

        path = op->kind == OP_ADD_MEMBER ? member_path (id) : invite_path (id);
        send (g_steal_pointer (&task), op->kind == OP_ADD_MEMBER ? OP_READ_MEMBER : OP_READ_INVITE,
              "GET", path, NULL);
      }
      break;

    case OP_READ_MEMBER:
    case OP_READ_INVITE:
      {
        JsonNode *node;

        rows = read_d (root);
        node = rows != NULL && json_array_get_length (rows) == 1 ? json_array_get_element (rows, 0) : NULL;
        if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
          {
            g_task_return_error (task, invalid_response ("the created row is not readable"));
            return;
          }

        if (op->kind == OP_READ_MEMBER)
          {
            BaFleetMember *member = parse_member (json_node_get_object (node));

            if (member == NULL)
              g_task_return_error (task, invalid_response ("member row"));
            else
              g_task_return_pointer (task, member, g_object_unref);
          }
        else
          {
            BaFleetInvite *invite = parse_invite (json_node_get_object (node));

            if (invite == NULL)
              g_task_return_error (task, invalid_response ("invite row"));
            else
              g_task_return_pointer (task, invite, g_object_unref);
          }
      }
      break;

    case OP_CHANGE_ROLE:
    case OP_REMOVE_MEMBER:
    case OP_REVOKE_INVITE:
      g_task_return_boolean (task, TRUE);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Cached fleets */

static void
fleets_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) fleets = NULL;
  g_autoptr(GError) error = NULL;

  fleets = ba_vault_load_fleets_finish (BA_VAULT (object), result, &error);
  if (fleets == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  replace_model (g_task_get_source_object (task), fleets);
  g_task_return_boolean (task, TRUE);
}

void
ba_account_load_cached_fleets_async (BaAccount           *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  BaVault *vault;

  g_return_if_fail (BA_IS_ACCOUNT (self));

  task = new_task (self, OP_SYNC_FLEETS, cancellable, ba_account_load_cached_fleets_async,
                   callback, user_data);
  vault = ba_account_get_vault (self);
  if (vault == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  ba_vault_load_fleets_async (vault, ba_account_get_id (self), cancellable, fleets_loaded_cb,
                              g_steal_pointer (&task));
}

gboolean
ba_account_load_cached_fleets_finish (BaAccount     *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_load_cached_fleets_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Sync */

void
ba_account_sync_fleets_async (BaAccount           *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autofree char *path = NULL;
  gint64 me;

  g_return_if_fail (BA_IS_ACCOUNT (self));

  me = ba_account_get_user_id (self);

  /* Section 12's "directly accessible" fleets, with what the Fleets tab
   * shows: the organization, every device's is_online (for online/total,
   * as balena-cli counts them), and the user's own organization
   * membership and fleet membership (for the role). */
  path = g_strdup_printf ("/v7/application?$select=id,app_name,slug"
                          "&$filter=is_directly_accessible_by__user/any(dau:1%%20eq%%201)"
                          "%%20and%%20is_of__class%%20eq%%20'fleet'"
                          "&$expand=organization($select=id,name,handle;"
                          "$expand=organization_membership($select=id;$filter=user%%20eq%%20%" G_GINT64_FORMAT ";"
                          "$expand=organization_membership_role($select=name))),"
                          "owns__device($select=is_online),"
                          "user_application_membership($select=id;$filter=user%%20eq%%20%" G_GINT64_FORMAT ";"
                          "$expand=application_membership_role($select=name))"
                          "&$orderby=app_name%%20asc",
                          me, me);

  send (new_task (self, OP_SYNC_FLEETS, cancellable, ba_account_sync_fleets_async, callback, user_data),
        OP_SYNC_FLEETS, "GET", path, NULL);
}

gboolean
ba_account_sync_fleets_finish (BaAccount     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_sync_fleets_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Lists */

void
ba_account_list_fleet_roles_async (BaAccount           *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (BA_IS_ACCOUNT (self));

  send (new_task (self, OP_LIST_ROLES, cancellable, ba_account_list_fleet_roles_async,
                  callback, user_data),
        OP_LIST_ROLES, "GET", "/v7/application_membership_role?$select=id,name,description", NULL);
}

GListModel *
ba_account_list_fleet_roles_finish (BaAccount     *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_list_fleet_roles_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_account_list_fleet_members_async (BaAccount           *self,
                                     gint64               fleet_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (BA_IS_ACCOUNT (self));
  g_return_if_fail (fleet_id > 0);

  path = g_strdup_printf ("/v7/user_application_membership?$select=id"
                          "&$filter=is_member_of__application%%20eq%%20%" G_GINT64_FORMAT
                          "&$expand=user($select=id,username),application_membership_role($select=id,name)",
                          fleet_id);
  send (new_task (self, OP_LIST_MEMBERS, cancellable, ba_account_list_fleet_members_async,
                  callback, user_data),
        OP_LIST_MEMBERS, "GET", path, NULL);
}

GListStore *
ba_account_list_fleet_members_finish (BaAccount     *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_list_fleet_members_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_account_list_fleet_invites_async (BaAccount           *self,
                                     gint64               fleet_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (BA_IS_ACCOUNT (self));
  g_return_if_fail (fleet_id > 0);

  path = g_strdup_printf ("/v7/invitee__is_invited_to__application?$select=id,message"
                          "&$filter=is_invited_to__application%%20eq%%20%" G_GINT64_FORMAT
                          "&$expand=invitee($select=email),application_membership_role($select=id,name)",
                          fleet_id);
  send (new_task (self, OP_LIST_INVITES, cancellable, ba_account_list_fleet_invites_async,
                  callback, user_data),
        OP_LIST_INVITES, "GET", path, NULL);
}

GListStore *
ba_account_list_fleet_invites_finish (BaAccount     *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_list_fleet_invites_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Changes */

static JsonNode *
object_node (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

void
ba_account_add_fleet_member_async (BaAccount           *self,
                                   gint64               fleet_id,
                                   const char          *username_or_email,
                                   gint64               role_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *name = NULL;
  g_autoptr(JsonNode) body = NULL;
  JsonObject *object;

  g_return_if_fail (BA_IS_ACCOUNT (self));
  g_return_if_fail (fleet_id > 0);
  g_return_if_fail (username_or_email != NULL);

  task = new_task (self, OP_ADD_MEMBER, cancellable, ba_account_add_fleet_member_async,
                   callback, user_data);

  name = g_strstrip (g_strdup (username_or_email));
  if (*name == '\0')
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_INPUT, "%s",
                               _("Enter the username or email address of the person to add."));
      return;
    }

  object = json_object_new ();
  json_object_set_string_member (object, "username", name);
  json_object_set_int_member (object, "is_member_of__application", fleet_id);
  if (role_id > 0)
    json_object_set_int_member (object, "application_membership_role", role_id);
  body = object_node (object);

  send (g_steal_pointer (&task), OP_ADD_MEMBER, "POST", "/v7/user_application_membership", body);
}

BaFleetMember *
ba_account_add_fleet_member_finish (BaAccount     *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_add_fleet_member_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_account_change_fleet_member_role_async (BaAccount           *self,
                                           gint64               member_id,
                                           gint64               role_id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) body = NULL;
  JsonObject *object;

  g_return_if_fail (BA_IS_ACCOUNT (self));
  g_return_if_fail (member_id > 0);
  g_return_if_fail (role_id > 0);

  object = json_object_new ();
  json_object_set_int_member (object, "application_membership_role", role_id);
  body = object_node (object);
  path = g_strdup_printf ("/v7/user_application_membership(%" G_GINT64_FORMAT ")", member_id);

  send (new_task (self, OP_CHANGE_ROLE, cancellable, ba_account_change_fleet_member_role_async,
                  callback, user_data),
        OP_CHANGE_ROLE, "PATCH", path, body);
}

gboolean
ba_account_change_fleet_member_role_finish (BaAccount     *self,
                                            GAsyncResult  *result,
                                            GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_change_fleet_member_role_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ba_account_remove_fleet_member_async (BaAccount           *self,
                                      gint64               member_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (BA_IS_ACCOUNT (self));
  g_return_if_fail (member_id > 0);

  path = g_strdup_printf ("/v7/user_application_membership(%" G_GINT64_FORMAT ")", member_id);
  send (new_task (self, OP_REMOVE_MEMBER, cancellable, ba_account_remove_fleet_member_async,
                  callback, user_data),
        OP_REMOVE_MEMBER, "DELETE", path, NULL);
}

gboolean
ba_account_remove_fleet_member_finish (BaAccount     *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_remove_fleet_member_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ba_account_invite_to_fleet_async (BaAccount           *self,
                                  gint64               fleet_id,
                                  const char          *email,
                                  gint64               role_id,
                                  const char          *message,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *address = NULL;
  g_autoptr(JsonNode) body = NULL;
  JsonObject *object;
  const char *at;

  g_return_if_fail (BA_IS_ACCOUNT (self));
  g_return_if_fail (fleet_id > 0);
  g_return_if_fail (email != NULL);

  task = new_task (self, OP_INVITE, cancellable, ba_account_invite_to_fleet_async,
                   callback, user_data);

  address = g_strstrip (g_strdup (email));
  at = strchr (address, '@');
  if (at == NULL || at == address || at[1] == '\0' || strchr (address, ' ') != NULL)
    {
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_INPUT, "%s",
                               _("Enter an email address to send the invitation to."));
      return;
    }

  object = json_object_new ();
  json_object_set_string_member (object, "invitee", address);
  json_object_set_int_member (object, "is_invited_to__application", fleet_id);
  if (role_id > 0)
    json_object_set_int_member (object, "application_membership_role", role_id);
  if (message != NULL && *message != '\0')
    json_object_set_string_member (object, "message", message);
  body = object_node (object);

  send (g_steal_pointer (&task), OP_INVITE, "POST", "/v7/invitee__is_invited_to__application", body);
}

BaFleetInvite *
ba_account_invite_to_fleet_finish (BaAccount     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_invite_to_fleet_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_account_revoke_fleet_invite_async (BaAccount           *self,
                                      gint64               invite_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (BA_IS_ACCOUNT (self));
  g_return_if_fail (invite_id > 0);

  path = g_strdup_printf ("/v7/invitee__is_invited_to__application(%" G_GINT64_FORMAT ")", invite_id);
  send (new_task (self, OP_REVOKE_INVITE, cancellable, ba_account_revoke_fleet_invite_async,
                  callback, user_data),
        OP_REVOKE_INVITE, "DELETE", path, NULL);
}

gboolean
ba_account_revoke_fleet_invite_finish (BaAccount     *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  if (!ba_account_check_task (self, result, ba_account_revoke_fleet_invite_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}
