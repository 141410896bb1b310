/* ba-server-fleets.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-server-fleets"

#include "config.h"

#include "ba-server-fleets.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <sodium.h>

#include "ba-error.h"
#include "ba-server-mail.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

#define ORG_ROLE_ADMINISTRATOR 1
#define ORG_ROLE_MEMBER        2
#define ROLE_DEVELOPER         1

#define MEMBERSHIP "user__is_member_of__application"
#define INVITE     "invitee__is_invited_to__application"

#define USER_NOT_FOUND   "User not found"
#define UNIQUE_VIOLATED  "Unique key constraint violated"
#define INVALID_EMAIL    "Invalid email"
#define ALREADY_MEMBER   "This user is already a member of this fleet"
#define INVITE_NOT_FOUND "Invitation not found"

#define EMAIL_MAX 254

/* Read permissions, as SQL over the caller's user id (every '?' is it). */
#define ADMIN_ORGS \
  "SELECT is_member_of__organization FROM organization_membership" \
  " WHERE user = ? AND organization_membership_role = 1"
#define MY_ORGS \
  "SELECT is_member_of__organization FROM organization_membership WHERE user = ?"
#define ADMIN_APPS \
  "SELECT id FROM application WHERE organization IN (" ADMIN_ORGS ")"
#define REACHABLE_APPS \
  ADMIN_APPS " UNION SELECT is_member_of__application FROM user_application_membership" \
  " WHERE user = ?"

void
ba_server_reply_clear (BaServerReply *reply)
{
  g_clear_pointer (&reply->body, json_node_unref);
  g_clear_pointer (&reply->location, g_free);
}

/* The model */

void
ba_server_fleets_add_to_model (BaODataModel *model)
{
  static const char * const by_name[] = { "name", NULL };
  static const char * const by_handle[] = { "handle", NULL };
  static const char * const by_slug[] = { "slug", NULL };
  static const char * const by_member[] = { "user", "is_member_of__application", NULL };
  static const char * const by_org_member[] = { "user", "is_member_of__organization", NULL };
  BaODataResource *res;

  res = ba_odata_model_add_resource (model, "organization_membership_role",
                                     "organization_membership_role", "id");
  ba_odata_resource_add_field (res, "name", "name", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_alternate_key (res, by_name);

  res = ba_odata_model_add_resource (model, "organization", "organization", "id");
  ba_odata_resource_add_field (res, "name", "name", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "handle", "handle", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "created_at", "created_at", BA_ODATA_TYPE_DATETIME, 0);
  ba_odata_resource_add_navigation (res, "organization_membership", "organization_membership",
                                    BA_ODATA_TO_MANY, "id", "is_member_of__organization");
  ba_odata_resource_add_navigation (res, "application", "application",
                                    BA_ODATA_TO_MANY, "id", "organization");
  ba_odata_resource_add_alternate_key (res, by_handle);

  res = ba_odata_model_add_resource (model, "organization_membership",
                                     "organization_membership", "id");
  ba_odata_resource_add_foreign_key (res, "user", "user", "user");
  ba_odata_resource_add_foreign_key (res, "is_member_of__organization",
                                     "is_member_of__organization", "organization");
  ba_odata_resource_add_foreign_key (res, "organization_membership_role",
                                     "organization_membership_role",
                                     "organization_membership_role");
  ba_odata_resource_add_alternate_key (res, by_org_member);

  res = ba_odata_model_add_resource (model, "device_type", "device_type", "id");
  ba_odata_resource_add_field (res, "slug", "slug", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "name", "name", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_alternate_key (res, by_slug);

  res = ba_odata_model_add_resource (model, "application", "application", "id");
  ba_odata_resource_add_field (res, "app_name", "app_name", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "slug", "slug", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_foreign_key (res, "organization", "organization", "organization");
  ba_odata_resource_add_foreign_key (res, "is_for__device_type", "is_for__device_type",
                                     "device_type");
  ba_odata_resource_add_field (res, "is_of__class", "is_of__class", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "is_public", "is_public", BA_ODATA_TYPE_BOOLEAN, 0);
  ba_odata_resource_add_field (res, "is_archived", "is_archived", BA_ODATA_TYPE_BOOLEAN, 0);
  ba_odata_resource_add_field (res, "uuid", "uuid", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "created_at", "created_at", BA_ODATA_TYPE_DATETIME, 0);
  ba_odata_resource_add_navigation (res, "owns__device", "device", BA_ODATA_TO_MANY,
                                    "id", "belongs_to__application");
  ba_odata_resource_add_navigation (res, "user_application_membership", MEMBERSHIP,
                                    BA_ODATA_TO_MANY, "id", "is_member_of__application");
  ba_odata_resource_add_navigation (res, "invitee__is_invited_to__application", INVITE,
                                    BA_ODATA_TO_MANY, "id", "is_invited_to__application");
  ba_odata_resource_add_link_navigation (res, "is_directly_accessible_by__user", "user", "id",
                                         "application_access", "application", "user", NULL);
  ba_odata_resource_add_alternate_key (res, by_slug);

  res = ba_odata_model_add_resource (model, "device", "device", "id");
  ba_odata_resource_add_field (res, "uuid", "uuid", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "device_name", "device_name", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_foreign_key (res, "belongs_to__application", "belongs_to__application",
                                     "application");
  ba_odata_resource_add_foreign_key (res, "is_of__device_type", "is_of__device_type",
                                     "device_type");
  ba_odata_resource_add_field (res, "is_online", "is_online", BA_ODATA_TYPE_BOOLEAN, 0);
  ba_odata_resource_add_field (res, "api_heartbeat_state", "api_heartbeat_state",
                               BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "created_at", "created_at", BA_ODATA_TYPE_DATETIME, 0);

  res = ba_odata_model_add_resource (model, "application_membership_role",
                                     "application_membership_role", "id");
  ba_odata_resource_add_field (res, "name", "name", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "description", "description", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_alternate_key (res, by_name);

  res = ba_odata_model_add_resource (model, MEMBERSHIP, "user_application_membership", "id");
  ba_odata_resource_add_foreign_key (res, "user", "user", "user");
  ba_odata_resource_add_foreign_key (res, "is_member_of__application",
                                     "is_member_of__application", "application");
  ba_odata_resource_add_foreign_key (res, "application_membership_role",
                                     "application_membership_role",
                                     "application_membership_role");
  ba_odata_resource_add_field (res, "created_at", "created_at", BA_ODATA_TYPE_DATETIME, 0);
  ba_odata_resource_add_alternate_key (res, by_member);
  ba_odata_model_add_alias (model, "user_application_membership", MEMBERSHIP);

  res = ba_odata_model_add_resource (model, "invitee", "invitee", "id");
  ba_odata_resource_add_field (res, "email", "email", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "created_at", "created_at", BA_ODATA_TYPE_DATETIME, 0);

  res = ba_odata_model_add_resource (model, INVITE, "application_invite", "id");
  ba_odata_resource_add_foreign_key (res, "invitee", "invitee", "invitee");
  ba_odata_resource_add_foreign_key (res, "is_invited_to__application",
                                     "is_invited_to__application", "application");
  ba_odata_resource_add_foreign_key (res, "application_membership_role",
                                     "application_membership_role",
                                     "application_membership_role");
  ba_odata_resource_add_field (res, "message", "message", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_foreign_key (res, "is_created_by__user", "is_created_by__user", "user");
  ba_odata_resource_add_field (res, "created_at", "created_at", BA_ODATA_TYPE_DATETIME, 0);
  /* The accept token is a secret: only its hash is stored, never shown. */
  ba_odata_resource_add_field (res, "invitation_token", "token_hash", BA_ODATA_TYPE_TEXT,
                               BA_ODATA_FIELD_HIDDEN);
  ba_odata_model_add_alias (model, "application_invite", INVITE);
}

static gboolean
is_user (const BaServerCredential *credential)
{
  return credential->kind == BA_SERVER_CREDENTIAL_USER_JWT ||
         credential->kind == BA_SERVER_CREDENTIAL_USER_API_KEY;
}

void
ba_server_fleets_add_read_permissions (BaODataPermissions       *perms,
                                       const BaServerCredential *credential)
{
  gint64 me;

  g_return_if_fail (perms != NULL);
  g_return_if_fail (credential != NULL);

  if (!is_user (credential))
    return;

  me = credential->user->id;

  ba_odata_permissions_allow_all (perms, "organization_membership_role");
  ba_odata_permissions_allow_all (perms, "application_membership_role");
  ba_odata_permissions_allow_all (perms, "device_type");

  /* Themselves, and the people they share an organization or a fleet
   * with (so member lists can show usernames). */
  ba_odata_permissions_allow_where (perms, "user",
                                    "id = ?"
                                    " OR id IN (SELECT user FROM organization_membership"
                                    "   WHERE is_member_of__organization IN (" MY_ORGS "))"
                                    " OR id IN (SELECT user FROM user_application_membership"
                                    "   WHERE is_member_of__application IN (" REACHABLE_APPS "))",
                                    g_variant_new ("(xxxx)", me, me, me, me));
  ba_odata_permissions_allow_where (perms, "organization",
                                    "id IN (" MY_ORGS ")"
                                    " OR id IN (SELECT organization FROM application"
                                    "   WHERE id IN (" REACHABLE_APPS "))",
                                    g_variant_new ("(xxx)", me, me, me));
  ba_odata_permissions_allow_where (perms, "organization_membership",
                                    "is_member_of__organization IN (" MY_ORGS ")",
                                    g_variant_new ("(x)", me));
  ba_odata_permissions_allow_where (perms, "application",
                                    "id IN (" REACHABLE_APPS ") OR is_public = 1",
                                    g_variant_new ("(xx)", me, me));
  ba_odata_permissions_allow_where (perms, "device",
                                    "belongs_to__application IN (" REACHABLE_APPS ")",
                                    g_variant_new ("(xx)", me, me));
  ba_odata_permissions_allow_where (perms, MEMBERSHIP,
                                    "is_member_of__application IN (" REACHABLE_APPS ")",
                                    g_variant_new ("(xx)", me, me));
  ba_odata_permissions_allow_where (perms, INVITE,
                                    "is_invited_to__application IN (" ADMIN_APPS ")",
                                    g_variant_new ("(x)", me));
  ba_odata_permissions_allow_where (perms, "invitee",
                                    "id IN (SELECT invitee FROM application_invite"
                                    "   WHERE is_invited_to__application IN (" ADMIN_APPS "))",
                                    g_variant_new ("(x)", me));
}

/* Small SQL helpers */

static void
set_db_error (GError     **error,
              sqlite3     *db,
              const char  *what)
{
  int code = sqlite3_extended_errcode (db);

  g_set_error (error, BA_ERROR,
               (code & 0xff) == SQLITE_CONSTRAINT ? BA_ERROR_CONFLICT : BA_ERROR_FAILED,
               "%s: %s", what, sqlite3_errmsg (db));
}

/* Prepares @sql and binds @params (a tuple of int64 and string, a
 * floating reference is sunk). */
static sqlite3_stmt *
prepare (sqlite3     *db,
         const char  *sql,
         GVariant    *params,
         GError     **error)
{
  g_autoptr(GVariant) owned = params != NULL ? g_variant_ref_sink (params) : NULL;
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (error, db, "Could not prepare a statement");
      sqlite3_finalize (stmt);
      return NULL;
    }

  for (gsize i = 0; owned != NULL && i < g_variant_n_children (owned); i++)
    {
      g_autoptr(GVariant) child = g_variant_get_child_value (owned, i);

      if (g_variant_is_of_type (child, G_VARIANT_TYPE_INT64))
        sqlite3_bind_int64 (stmt, i + 1, g_variant_get_int64 (child));
      else if (g_variant_is_of_type (child, G_VARIANT_TYPE_STRING))
        sqlite3_bind_text (stmt, i + 1, g_variant_get_string (child, NULL), -1, SQLITE_TRANSIENT);
      else if (g_variant_is_of_type (child, G_VARIANT_TYPE ("ms")))
        {
          const char *s = NULL;

          g_variant_get (child, "m&s", &s);
          sqlite3_bind_text (stmt, i + 1, s, -1, SQLITE_TRANSIENT);
        }
      else if (g_variant_is_of_type (child, G_VARIANT_TYPE ("mx")))
        {
          g_autoptr(GVariant) inner = g_variant_get_maybe (child);

          if (inner != NULL)
            sqlite3_bind_int64 (stmt, i + 1, g_variant_get_int64 (inner));
          else
            sqlite3_bind_null (stmt, i + 1);
        }
      else
        g_assert_not_reached ();
    }

  return stmt;
}

static gboolean
run (sqlite3     *db,
     const char  *sql,
     GVariant    *params,
     GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (db, sql, params, error);

  if (stmt == NULL)
    return FALSE;

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      set_db_error (error, db, "Could not change the database");
      return FALSE;
    }

  return TRUE;
}

/* The first column of the first row as an integer; 0 when there is no
 * row (ids start at 1), -1 with @error on failure. */
static gint64
query_int (sqlite3     *db,
           const char  *sql,
           GVariant    *params,
           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (db, sql, params, error);
  int rc;

  if (stmt == NULL)
    return -1;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc == SQLITE_DONE)
    return 0;

  set_db_error (error, db, "Could not read the database");
  return -1;
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return ba_server_store_format_date (now);
}

static char *
random_hex (guint bytes)
{
  g_autofree guchar *buf = g_malloc (bytes);
  char *hex = g_malloc (bytes * 2 + 1);

  randombytes_buf (buf, bytes);
  sodium_bin2hex (hex, bytes * 2 + 1, buf, bytes);

  return hex;
}

static gboolean
is_org_admin_of_app (sqlite3  *db,
                     gint64    user_id,
                     gint64    app_id,
                     GError  **error)
{
  gint64 found = query_int (db,
                            "SELECT 1 FROM application a JOIN organization_membership m"
                            " ON m.is_member_of__organization = a.organization"
                            " WHERE a.id = ? AND m.user = ? AND m.organization_membership_role = 1",
                            g_variant_new ("(xx)", app_id, user_id), error);

  return found > 0;
}

/* Replies */

static void
reply_empty (BaServerReply *reply,
             guint          status)
{
  reply->status = status;
}

static void
reply_message (BaServerReply *reply,
               guint          status,
               const char    *message)
{
  reply->status = status;
  reply->body = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (reply->body, message);
}

static void
reply_failed (BaServerReply *reply,
              GError        *error)
{
  g_warning ("Fleet request failed: %s", error->message);
  reply_empty (reply, SOUP_STATUS_INTERNAL_SERVER_ERROR);
}

static void
reply_odata_error (BaServerReply *reply,
                   GError        *error)
{
  if (g_error_matches (error, BA_ERROR, BA_ERROR_INVALID_INPUT))
    reply_message (reply, SOUP_STATUS_BAD_REQUEST, error->message);
  else if (g_error_matches (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED))
    reply_empty (reply, SOUP_STATUS_UNAUTHORIZED);
  else
    reply_failed (reply, error);
}

static void
reply_created (BaServerReply *reply,
               BaODataModel  *model,
               sqlite3       *db,
               const char    *resource,
               const char    *path_name,
               gint64         id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) row = ba_odata_read_row (model, db, resource, id, &error);

  if (row == NULL)
    {
      if (error == NULL)
        g_set_error (&error, BA_ERROR, BA_ERROR_FAILED, "The new row %" G_GINT64_FORMAT
                     " of %s is gone", id, resource);
      reply_failed (reply, error);
      return;
    }

  reply->status = SOUP_STATUS_CREATED;
  reply->body = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (reply->body, row);
  reply->location = g_strdup_printf ("/v7/%s(%" G_GINT64_FORMAT ")", path_name, id);
}

/* Request bodies */

/* Reads member @name as an id: an integer, or {"__id": N} as pine also
 * accepts. Returns 0 when it is missing, -1 when it is something else. */
static gint64
get_id_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return 0;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *inner = json_node_get_object (node);

      node = json_object_get_member (inner, "__id");
      if (node == NULL)
        return -1;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) <= 0)
    return -1;

  return json_node_get_int (node);
}

/* A 400 naming the first member of @object not in @allowed. */
static gboolean
check_members (JsonObject         *object,
               const char * const *allowed,
               const char         *resource,
               const char         *verb,
               BaServerReply      *reply)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          g_autofree char *message = g_strdup_printf ("'%s' of '%s' cannot be %s",
                                                      (const char *) l->data, resource, verb);

          reply_message (reply, SOUP_STATUS_BAD_REQUEST, message);
          return FALSE;
        }
    }

  return TRUE;
}

/* Reads the role member: the default when missing, 0 (and a 400) when it
 * names no role. */
static gint64
read_role (sqlite3       *db,
           JsonObject    *object,
           gint64         fallback,
           BaServerReply *reply)
{
  g_autoptr(GError) error = NULL;
  gint64 role = get_id_member (object, "application_membership_role");
  gint64 found;

  if (role == 0 && !json_object_has_member (object, "application_membership_role"))
    return fallback;

  if (role <= 0)
    {
      reply_message (reply, SOUP_STATUS_BAD_REQUEST,
                     "'application_membership_role' must be the id of a role");
      return 0;
    }

  found = query_int (db, "SELECT id FROM application_membership_role WHERE id = ?",
                     g_variant_new ("(x)", role), &error);
  if (found < 0)
    {
      reply_failed (reply, error);
      return 0;
    }
  if (found == 0)
    {
      reply_message (reply, SOUP_STATUS_BAD_REQUEST, "Unknown application_membership_role");
      return 0;
    }

  return role;
}

static gboolean
valid_email (const char *email)
{
  const char *at = strchr (email, '@');

  return at != NULL && at != email && at[1] != '\0' && strchr (at + 1, '@') == NULL &&
         strchr (at + 1, '.') != NULL && strlen (email) <= EMAIL_MAX &&
         g_utf8_validate (email, -1, NULL) && strpbrk (email, " \t\r\n<>,;:\"()[]\\") == NULL;
}

/* Adds @user_id to @app_id's organization as a "member" unless they are
 * in it already. */
static gboolean
ensure_org_member (sqlite3  *db,
                   gint64    user_id,
                   gint64    app_id,
                   GError  **error)
{
  return run (db,
              "INSERT OR IGNORE INTO organization_membership"
              " (user, is_member_of__organization, organization_membership_role)"
              " SELECT ?, organization, 2 FROM application WHERE id = ?",
              g_variant_new ("(xx)", user_id, app_id), error);
}

/* Memberships */

static void
create_membership (BaServerStore            *store,
                   BaODataModel             *model,
                   const BaServerCredential *credential,
                   JsonObject               *body,
                   BaServerReply            *reply)
{
  static const char * const allowed[] = {
    "username", "user", "is_member_of__application", "application_membership_role", NULL
  };
  sqlite3 *db = ba_server_store_get_db (store);
  g_autoptr(BaServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *created_at = NULL;
  const char *username = NULL;
  gint64 app_id;
  gint64 role;
  gint64 id;

  if (!check_members (body, allowed, "user_application_membership", "set", reply))
    return;

  app_id = get_id_member (body, "is_member_of__application");
  if (app_id <= 0)
    {
      reply_message (reply, SOUP_STATUS_BAD_REQUEST,
                     "'is_member_of__application' must be the id of a fleet");
      return;
    }

  /* Only the administrators of the fleet's organization; for everyone
   * else (members, outsiders, a fleet that does not exist) the same 401. */
  if (!is_org_admin_of_app (db, credential->user->id, app_id, &error))
    {
      if (error != NULL)
        reply_failed (reply, error);
      else
        reply_empty (reply, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  role = read_role (db, body, ROLE_DEVELOPER, reply);
  if (role == 0)
    return;

  /* Section 17.6: "username" may also be an email address. */
  if (json_object_has_member (body, "username"))
    {
      JsonNode *node = json_object_get_member (body, "username");

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
          *(username = json_node_get_string (node)) == '\0')
        {
          reply_message (reply, SOUP_STATUS_BAD_REQUEST, "'username' must be a string");
          return;
        }

      user = ba_server_store_find_user_by_username (store, username, &error);
      if (user == NULL && error == NULL && strchr (username, '@') != NULL)
        user = ba_server_store_find_user_by_email (store, username, &error);
    }
  else if (json_object_has_member (body, "user"))
    {
      gint64 user_id = get_id_member (body, "user");

      if (user_id <= 0)
        {
          reply_message (reply, SOUP_STATUS_BAD_REQUEST, "'user' must be the id of a user");
          return;
        }
      user = ba_server_store_find_user_by_id (store, user_id, &error);
    }
  else
    {
      reply_message (reply, SOUP_STATUS_BAD_REQUEST, "'username' or 'user' is required");
      return;
    }

  if (error != NULL)
    {
      reply_failed (reply, error);
      return;
    }
  if (user == NULL)
    {
      reply_message (reply, SOUP_STATUS_NOT_FOUND, USER_NOT_FOUND);
      return;
    }

  if (!ba_server_store_begin (store, &error))
    {
      reply_failed (reply, error);
      return;
    }

  created_at = now_iso8601 ();
  if (!ensure_org_member (db, user->id, app_id, &error) ||
      !run (db,
            "INSERT INTO user_application_membership"
            " (user, is_member_of__application, application_membership_role, created_at)"
            " VALUES (?, ?, ?, ?)",
            g_variant_new ("(xxxs)", user->id, app_id, role, created_at), &error))
    {
      ba_server_store_rollback (store);
      if (g_error_matches (error, BA_ERROR, BA_ERROR_CONFLICT))
        reply_message (reply, SOUP_STATUS_CONFLICT, UNIQUE_VIOLATED);
      else
        reply_failed (reply, error);
      return;
    }
  id = sqlite3_last_insert_rowid (db);

  if (!ba_server_store_commit (store, &error))
    {
      ba_server_store_rollback (store);
      reply_failed (reply, error);
      return;
    }

  g_debug ("User %" G_GINT64_FORMAT " added user %" G_GINT64_FORMAT " to fleet %" G_GINT64_FORMAT,
           credential->user->id, user->id, app_id);
  reply_created (reply, model, db, MEMBERSHIP, "user_application_membership", id);
}

/* PATCH and DELETE of memberships: the rows the key or $filter selects
 * among those the caller can see. A key that selects nothing is a 401,
 * as for API keys: it does not tell whether the row exists. Every row
 * must be allowed, or nothing changes. */
static void
change_memberships (BaServerStore            *store,
                    const BaServerCredential *credential,
                    BaODataQuery             *query,
                    gboolean                  is_patch,
                    JsonObject               *body,
                    BaServerReply            *reply)
{
  static const char * const allowed[] = { "application_membership_role", NULL };
  sqlite3 *db = ba_server_store_get_db (store);
  g_autoptr(BaODataPermissions) perms = ba_odata_permissions_new ();
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  gint64 role = 0;

  if (is_patch)
    {
      if (!check_members (body, allowed, "user_application_membership", "changed", reply))
        return;
      role = read_role (db, body, 0, reply);
      if (role == 0)
        {
          if (reply->status == 0)
            reply_message (reply, SOUP_STATUS_BAD_REQUEST,
                           "'application_membership_role' is required");
          return;
        }
    }

  ba_server_fleets_add_read_permissions (perms, credential);
  ids = ba_odata_query_resolve_ids (query, db, perms, &error);
  if (ids == NULL)
    {
      reply_odata_error (reply, error);
      return;
    }

  if (ids->len == 0 && ba_odata_query_has_key (query))
    {
      reply_empty (reply, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      gint64 allowed_row;

      /* Administrators of the fleet's organization may change and remove
       * any membership; a member may only remove their own. */
      allowed_row = query_int (db,
                               "SELECT 1 FROM user_application_membership m"
                               " JOIN application a ON a.id = m.is_member_of__application"
                               " WHERE m.id = ? AND ("
                               "   a.organization IN (" ADMIN_ORGS ")"
                               "   OR (? AND m.user = ?))",
                               g_variant_new ("(xxxx)", id, credential->user->id,
                                              (gint64) !is_patch, credential->user->id),
                               &error);
      if (allowed_row < 0)
        {
          reply_failed (reply, error);
          return;
        }
      if (allowed_row == 0)
        {
          reply_empty (reply, SOUP_STATUS_UNAUTHORIZED);
          return;
        }
    }

  if (!ba_server_store_begin (store, &error))
    {
      reply_failed (reply, error);
      return;
    }

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      gboolean ok;

      if (is_patch)
        ok = run (db, "UPDATE user_application_membership SET application_membership_role = ?"
                      " WHERE id = ?", g_variant_new ("(xx)", role, id), &error);
      else
        ok = run (db, "DELETE FROM user_application_membership WHERE id = ?",
                  g_variant_new ("(x)", id), &error);

      if (!ok)
        {
          ba_server_store_rollback (store);
          reply_failed (reply, error);
          return;
        }
    }

  if (!ba_server_store_commit (store, &error))
    {
      ba_server_store_rollback (store);
      reply_failed (reply, error);
      return;
    }

  reply_empty (reply, SOUP_STATUS_OK);
}

/* Invites */

static char *
invite_mail_body (const char *inviter,
                  const char *app_name,
                  const char *role,
                  const char *message,
                  const char *token)
{
  g_autoptr(GString) body = g_string_new (NULL);

  g_string_append_printf (body, "%s invited you to the fleet %s as %s.\n\n",
                          inviter, app_name, role);
  if (message != NULL && *message != '\0')
    g_string_append_printf (body, "%s wrote:\n\n%s\n\n", inviter, message);
  g_string_append_printf (body,
                          "To accept, sign in with an account for this address and use this\n"
                          "invitation token:\n\n"
                          "Invitation token: %s\n\n"
                          "(POST /user/v1/invitation/%s)\n",
                          token, token);

  return g_string_free (g_steal_pointer (&body), FALSE);
}

static void
create_invite (BaServerStore            *store,
               BaODataModel             *model,
               const char               *outbox_dir,
               const BaServerCredential *credential,
               JsonObject               *body,
               BaServerReply            *reply)
{
  static const char * const allowed[] = {
    "invitee", "is_invited_to__application", "application_membership_role", "message", NULL
  };
  sqlite3 *db = ba_server_store_get_db (store);
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *created_at = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *app_name = NULL;
  g_autofree char *role_name = NULL;
  g_autofree char *mail = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *file = NULL;
  JsonNode *node;
  const char *email;
  const char *message = NULL;
  gint64 app_id;
  gint64 role;
  gint64 invitee_id;
  gint64 member;
  gint64 id;

  if (!check_members (body, allowed, "invitee__is_invited_to__application", "set", reply))
    return;

  app_id = get_id_member (body, "is_invited_to__application");
  if (app_id <= 0)
    {
      reply_message (reply, SOUP_STATUS_BAD_REQUEST,
                     "'is_invited_to__application' must be the id of a fleet");
      return;
    }

  if (!is_org_admin_of_app (db, credential->user->id, app_id, &error))
    {
      if (error != NULL)
        reply_failed (reply, error);
      else
        reply_empty (reply, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  node = json_object_get_member (body, "invitee");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING ||
      !valid_email (email = json_node_get_string (node)))
    {
      reply_message (reply, SOUP_STATUS_BAD_REQUEST, INVALID_EMAIL);
      return;
    }

  node = json_object_get_member (body, "message");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          reply_message (reply, SOUP_STATUS_BAD_REQUEST, "'message' must be a string");
          return;
        }
      message = json_node_get_string (node);
    }

  role = read_role (db, body, ROLE_DEVELOPER, reply);
  if (role == 0)
    return;

  /* Someone with an account for this address who is already a member
   * needs no invite. */
  member = query_int (db,
                      "SELECT 1 FROM user_application_membership m JOIN user u ON u.id = m.user"
                      " WHERE m.is_member_of__application = ? AND u.email = ?",
                      g_variant_new ("(xs)", app_id, email), &error);
  if (member < 0)
    {
      reply_failed (reply, error);
      return;
    }
  if (member > 0)
    {
      reply_message (reply, SOUP_STATUS_CONFLICT, ALREADY_MEMBER);
      return;
    }

  if (!ba_server_store_begin (store, &error))
    {
      reply_failed (reply, error);
      return;
    }

  created_at = now_iso8601 ();
  token = ba_server_auth_new_api_key ();
  token_hash = ba_server_auth_hash_api_key (token);

  if (!run (db, "INSERT OR IGNORE INTO invitee (email, created_at) VALUES (?, ?)",
            g_variant_new ("(ss)", email, created_at), &error) ||
      (invitee_id = query_int (db, "SELECT id FROM invitee WHERE email = ?",
                               g_variant_new ("(s)", email), &error)) <= 0 ||
      !run (db,
            "INSERT INTO application_invite (invitee, is_invited_to__application,"
            " application_membership_role, message, is_created_by__user, token_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            g_variant_new ("(xxxmsxss)", invitee_id, app_id, role, message,
                           credential->user->id, token_hash, created_at), &error))
    {
      ba_server_store_rollback (store);
      sodium_memzero (token, strlen (token));
      if (g_error_matches (error, BA_ERROR, BA_ERROR_CONFLICT))
        reply_message (reply, SOUP_STATUS_CONFLICT, UNIQUE_VIOLATED);
      else
        {
          if (error == NULL)
            g_set_error (&error, BA_ERROR, BA_ERROR_FAILED, "The invitee row is missing");
          reply_failed (reply, error);
        }
      return;
    }
  id = sqlite3_last_insert_rowid (db);

  stmt = prepare (db,
                  "SELECT a.app_name, r.name FROM application a, application_membership_role r"
                  " WHERE a.id = ? AND r.id = ?",
                  g_variant_new ("(xx)", app_id, role), &error);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      app_name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      role_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  else if (error == NULL)
    g_set_error (&error, BA_ERROR, BA_ERROR_FAILED, "The fleet or role is gone");

  if (app_name != NULL)
    {
      mail = invite_mail_body (credential->user->username, app_name, role_name, message, token);
      subject = g_strdup_printf ("%s invited you to the fleet %s",
                                 credential->user->username, app_name);
      g_strdelimit (subject, "\r\n", ' ');
      file = ba_server_mail_write (outbox_dir, "invitation", email, subject, mail, &error);
      sodium_memzero (mail, strlen (mail));
    }
  sodium_memzero (token, strlen (token));

  /* No invite without its mail: nobody could accept it. */
  if (file == NULL || !ba_server_store_commit (store, &error))
    {
      ba_server_store_rollback (store);
      if (file != NULL)
        g_unlink (file);
      reply_failed (reply, error);
      return;
    }

  g_debug ("User %" G_GINT64_FORMAT " invited someone to fleet %" G_GINT64_FORMAT,
           credential->user->id, app_id);
  reply_created (reply, model, db, INVITE, "invitee__is_invited_to__application", id);
}

/* DELETE of invites (revoke): administrators of the fleet's organization
 * only, who are also the only ones who see invites. */
static void
revoke_invites (BaServerStore            *store,
                const BaServerCredential *credential,
                BaODataQuery             *query,
                BaServerReply            *reply)
{
  sqlite3 *db = ba_server_store_get_db (store);
  g_autoptr(BaODataPermissions) perms = ba_odata_permissions_new ();
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;

  ba_server_fleets_add_read_permissions (perms, credential);
  ids = ba_odata_query_resolve_ids (query, db, perms, &error);
  if (ids == NULL)
    {
      reply_odata_error (reply, error);
      return;
    }

  if (ids->len == 0 && ba_odata_query_has_key (query))
    {
      reply_empty (reply, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  if (!ba_server_store_begin (store, &error))
    {
      reply_failed (reply, error);
      return;
    }

  for (guint i = 0; i < ids->len; i++)
    {
      if (!run (db, "DELETE FROM application_invite WHERE id = ?",
                g_variant_new ("(x)", g_array_index (ids, gint64, i)), &error))
        {
          ba_server_store_rollback (store);
          reply_failed (reply, error);
          return;
        }
    }

  if (!ba_server_store_commit (store, &error))
    {
      ba_server_store_rollback (store);
      reply_failed (reply, error);
      return;
    }

  reply_empty (reply, SOUP_STATUS_OK);
}

/* Dispatch */

static char *
first_segment (const char *path)
{
  g_autofree char *segment = g_strndup (path, strcspn (path, "(/"));

  return g_uri_unescape_string (segment, NULL);
}

gboolean
ba_server_fleets_handles_write (const char *path)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  name = first_segment (path);

  return name != NULL &&
         (g_str_equal (name, MEMBERSHIP) || g_str_equal (name, "user_application_membership") ||
          g_str_equal (name, INVITE) || g_str_equal (name, "application_invite"));
}

void
ba_server_fleets_write (BaServerStore            *store,
                        BaODataModel             *model,
                        const char               *outbox_dir,
                        const BaServerCredential *credential,
                        const char               *method,
                        const char               *path,
                        const char               *query_string,
                        JsonObject               *body,
                        BaServerReply            *reply)
{
  g_autoptr(BaODataQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  gboolean is_post = g_str_equal (method, "POST");
  gboolean is_patch = g_str_equal (method, "PATCH");
  gboolean is_membership;

  g_return_if_fail (BA_IS_SERVER_STORE (store));
  g_return_if_fail (credential != NULL && method != NULL && path != NULL && reply != NULL);

  /* Writes need a user: a session token or a named user API key. */
  if (!is_user (credential))
    {
      reply_empty (reply, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  query = ba_odata_query_parse (model, path, query_string, &error);
  if (query == NULL)
    {
      reply_odata_error (reply, error);
      return;
    }

  is_membership = g_str_equal (ba_odata_query_get_resource_name (query), MEMBERSHIP);

  if (ba_odata_query_is_count (query) || (is_post && ba_odata_query_has_key (query)))
    {
      reply_message (reply, SOUP_STATUS_BAD_REQUEST, "This address cannot be written to");
      return;
    }

  if ((is_post || is_patch) && body == NULL)
    {
      reply_empty (reply, SOUP_STATUS_BAD_REQUEST);
      return;
    }

  if (is_membership && is_post)
    create_membership (store, model, credential, body, reply);
  else if (is_membership)
    change_memberships (store, credential, query, is_patch, body, reply);
  else if (is_post)
    create_invite (store, model, outbox_dir, credential, body, reply);
  else if (!is_patch)
    revoke_invites (store, credential, query, reply);
  else
    reply_empty (reply, SOUP_STATUS_UNAUTHORIZED);
}

void
ba_server_fleets_accept_invitation (BaServerStore            *store,
                                    const BaServerCredential *credential,
                                    const char               *token,
                                    BaServerReply            *reply)
{
  sqlite3 *db = ba_server_store_get_db (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *created_at = NULL;
  gint64 invite_id;
  gint64 app_id;
  gint64 role;

  g_return_if_fail (BA_IS_SERVER_STORE (store));
  g_return_if_fail (credential != NULL && token != NULL && reply != NULL);

  if (credential->kind != BA_SERVER_CREDENTIAL_USER_JWT)
    {
      reply_empty (reply, SOUP_STATUS_UNAUTHORIZED);
      return;
    }

  token_hash = ba_server_auth_hash_api_key (token);
  stmt = prepare (db,
                  "SELECT id, is_invited_to__application, application_membership_role"
                  " FROM application_invite WHERE token_hash = ?",
                  g_variant_new ("(s)", token_hash), &error);
  if (stmt == NULL)
    {
      reply_failed (reply, error);
      return;
    }
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      reply_message (reply, SOUP_STATUS_NOT_FOUND, INVITE_NOT_FOUND);
      return;
    }
  invite_id = sqlite3_column_int64 (stmt, 0);
  app_id = sqlite3_column_int64 (stmt, 1);
  role = sqlite3_column_int64 (stmt, 2);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!ba_server_store_begin (store, &error))
    {
      reply_failed (reply, error);
      return;
    }

  /* Someone who is a member already keeps their role; the invite is used
   * up either way. */
  created_at = now_iso8601 ();
  if (!ensure_org_member (db, credential->user->id, app_id, &error) ||
      !run (db,
            "INSERT OR IGNORE INTO user_application_membership"
            " (user, is_member_of__application, application_membership_role, created_at)"
            " VALUES (?, ?, ?, ?)",
            g_variant_new ("(xxxs)", credential->user->id, app_id, role, created_at), &error) ||
      !run (db, "DELETE FROM application_invite WHERE id = ?",
            g_variant_new ("(x)", invite_id), &error) ||
      !ba_server_store_commit (store, &error))
    {
      ba_server_store_rollback (store);
      reply_failed (reply, error);
      return;
    }

  g_debug ("User %" G_GINT64_FORMAT " accepted invite %" G_GINT64_FORMAT,
           credential->user->id, invite_id);
  reply_empty (reply, SOUP_STATUS_OK);
}

/* Demo data */

typedef struct
{
  const char *username;
  const char *email;
} DemoUser;

static const DemoUser demo_users[] = {
  { "amara", "amara@acme.example" },
  { "bruno", "bruno@acme.example" },
  { "chen", "chen@acme.example" },
  { "dana", "dana@acme.example" },
  { "emeka", "emeka@weather.example" },
};

typedef struct
{
  const char *org;        /* handle */
  const char *app_name;
  gint64      device_type;
  guint       devices;
  guint       online;
} DemoFleet;

static const DemoFleet demo_fleets[] = {
  { "acme", "greenhouse-sensors", 1, 6, 4 },
  { "acme", "delivery-robots", 4, 3, 1 },
  { "acme", "lobby-kiosks", 3, 2, 0 },
  { "acme", "warehouse-cameras", 2, 0, 0 },
  { "emeka", "weather-stations", 2, 4, 3 },
};

typedef struct
{
  const char *username;
  const char *app_name;
  gint64      role;
} DemoMembership;

static const DemoMembership demo_memberships[] = {
  { "bruno", "greenhouse-sensors", 1 },
  { "chen", "greenhouse-sensors", 2 },
  { "dana", "greenhouse-sensors", 3 },
  { "bruno", "delivery-robots", 2 },
  { "chen", "lobby-kiosks", 3 },
  { "demo", "weather-stations", 2 },
};

static const struct
{
  const char *username;
  gint64      role;
} acme_members[] = {
  { "demo", ORG_ROLE_ADMINISTRATOR },
  { "amara", ORG_ROLE_ADMINISTRATOR },
  { "bruno", ORG_ROLE_MEMBER },
  { "chen", ORG_ROLE_MEMBER },
  { "dana", ORG_ROLE_MEMBER },
};

static gint64
user_id_by_name (sqlite3     *db,
                 const char  *username,
                 GError     **error)
{
  return query_int (db, "SELECT id FROM user WHERE username = ?",
                    g_variant_new ("(s)", username), error);
}

static gint64
app_id_by_name (sqlite3     *db,
                const char  *app_name,
                GError     **error)
{
  return query_int (db, "SELECT id FROM application WHERE app_name = ?",
                    g_variant_new ("(s)", app_name), error);
}

static gboolean
seed_fleets (BaServerStore  *store,
             gint64          demo_id,
             GError        **error)
{
  sqlite3 *db = ba_server_store_get_db (store);
  g_autofree char *now = now_iso8601 ();
  gint64 acme;

  if (!run (db, "INSERT INTO organization (name, handle, created_at)"
                " VALUES ('Acme Robotics', 'acme', ?)",
            g_variant_new ("(s)", now), error))
    return FALSE;
  acme = sqlite3_last_insert_rowid (db);

  /* demo and amara administer Acme; bruno, chen and dana are members. */
  for (guint i = 0; i < G_N_ELEMENTS (acme_members); i++)
    {
      gint64 user_id = user_id_by_name (db, acme_members[i].username, error);

      if (user_id <= 0 ||
          !run (db, "INSERT INTO organization_membership"
                    " (user, is_member_of__organization, organization_membership_role)"
                    " VALUES (?, ?, ?)",
                g_variant_new ("(xxx)", user_id, acme, acme_members[i].role), error))
        return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (demo_fleets); i++)
    {
      const DemoFleet *fleet = &demo_fleets[i];
      g_autofree char *slug = g_strdup_printf ("%s/%s", fleet->org, fleet->app_name);
      g_autofree char *uuid = random_hex (16);
      gint64 app_id;

      if (!run (db, "INSERT INTO application (app_name, slug, organization, is_for__device_type,"
                    " uuid, created_at) SELECT ?, ?, id, ?, ?, ? FROM organization WHERE handle = ?",
                g_variant_new ("(ssxsss)", fleet->app_name, slug, fleet->device_type, uuid, now,
                               fleet->org), error))
        return FALSE;
      app_id = sqlite3_last_insert_rowid (db);

      for (guint d = 0; d < fleet->devices; d++)
        {
          g_autofree char *device_uuid = random_hex (16);
          g_autofree char *device_name = g_strdup_printf ("%.*s-%02u",
                                                          (int) strcspn (fleet->app_name, "-"),
                                                          fleet->app_name, d + 1);
          gboolean online = d < fleet->online;

          if (!run (db, "INSERT INTO device (uuid, device_name, belongs_to__application,"
                        " is_of__device_type, is_online, api_heartbeat_state, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    g_variant_new ("(ssxxxss)", device_uuid, device_name, app_id,
                                   fleet->device_type, (gint64) online,
                                   online ? "online" : "offline", now), error))
            return FALSE;
        }
    }

  /* demo becomes a member of emeka's organization through its fleet. */
  for (guint i = 0; i < G_N_ELEMENTS (demo_memberships); i++)
    {
      const DemoMembership *m = &demo_memberships[i];
      gint64 user_id = user_id_by_name (db, m->username, error);
      gint64 app_id = user_id > 0 ? app_id_by_name (db, m->app_name, error) : -1;

      if (user_id <= 0 || app_id <= 0 ||
          !ensure_org_member (db, user_id, app_id, error) ||
          !run (db, "INSERT INTO user_application_membership (user, is_member_of__application,"
                    " application_membership_role, created_at) VALUES (?, ?, ?, ?)",
                g_variant_new ("(xxxs)", user_id, app_id, m->role, now), error))
        return FALSE;
    }

  /* A pending invite. Its token is thrown away: nobody can accept it, but
   * it shows up in the list and can be revoked. */
  {
    g_autofree char *token = random_hex (16);
    g_autofree char *token_hash = ba_server_auth_hash_api_key (token);
    gint64 app_id = app_id_by_name (db, "greenhouse-sensors", error);

    if (app_id <= 0 ||
        !run (db, "INSERT INTO invitee (email, created_at) VALUES ('new.hire@example.com', ?)",
              g_variant_new ("(s)", now), error) ||
        !run (db, "INSERT INTO application_invite (invitee, is_invited_to__application,"
                  " application_membership_role, message, is_created_by__user, token_hash,"
                  " created_at) VALUES (last_insert_rowid (), ?, 3, 'Welcome aboard!', ?, ?, ?)",
              g_variant_new ("(xxss)", app_id, demo_id, token_hash, now), error))
      return FALSE;
  }

  return TRUE;
}

gboolean
ba_server_fleets_seed_demo (BaServerStore  *store,
                            gint64          demo_user_id,
                            GError        **error)
{
  sqlite3 *db = ba_server_store_get_db (store);
  g_autoptr(BaServerUser) demo = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 have_acme;

  g_return_val_if_fail (BA_IS_SERVER_STORE (store), FALSE);

  demo = ba_server_store_find_user_by_id (store, demo_user_id, error);
  if (demo == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, BA_ERROR, BA_ERROR_FAILED, "The demo user is missing");
      return FALSE;
    }

  /* The other demo users sign in with the demo password, so that the
   * demo can be seen from every role. */
  for (guint i = 0; i < G_N_ELEMENTS (demo_users); i++)
    {
      g_autoptr(BaServerUser) user = NULL;

      user = ba_server_store_find_user_by_username (store, demo_users[i].username, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      if (user == NULL)
        {
          g_autofree char *jwt_secret = ba_server_auth_new_jwt_secret ();

          user = ba_server_store_create_user (store, demo_users[i].username, demo_users[i].email,
                                              demo->password_hash, jwt_secret, error);
          if (user == NULL)
            return FALSE;
        }
      else if (g_strcmp0 (user->password_hash, demo->password_hash) != 0)
        {
          g_autofree char *jwt_secret = ba_server_auth_new_jwt_secret ();

          if (!ba_server_store_set_password (store, user->id, demo->password_hash, jwt_secret,
                                             error))
            return FALSE;
        }
    }

  have_acme = query_int (db, "SELECT id FROM organization WHERE handle = 'acme'", NULL, error);
  if (have_acme < 0)
    return FALSE;
  if (have_acme > 0)
    return TRUE;

  if (!ba_server_store_begin (store, error))
    return FALSE;

  if (!seed_fleets (store, demo->id, &local_error) ||
      !ba_server_store_commit (store, &local_error))
    {
      ba_server_store_rollback (store);
      if (local_error == NULL)
        g_set_error (&local_error, BA_ERROR, BA_ERROR_FAILED, "A demo user or fleet is missing");
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "Could not seed the demo fleets: ");
      return FALSE;
    }

  return TRUE;
}

GStrv
ba_server_fleets_list_demo_usernames (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < G_N_ELEMENTS (demo_users); i++)
    g_strv_builder_add (builder, demo_users[i].username);

  return g_strv_builder_end (builder);
}
