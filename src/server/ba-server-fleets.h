/* ba-server-fleets.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ba-server-auth.h"
#include "ba-server-odata.h"
#include "ba-server-store.h"

G_BEGIN_DECLS

/* Organizations, fleets, devices, fleet members and invites
 * (account-api.md sections 11, 12 and 17.6).
 *
 * Who may do what:
 *  - an organization's members have the role administrator or member;
 *    every user has an own organization (handle = username) as its
 *    administrator, made by a trigger whenever a user row is inserted;
 *  - a user reaches a fleet when they administer its organization or
 *    have a user_application_membership for it (developer, operator or
 *    observer); reads of application, device, membership rows are
 *    limited to reachable fleets, and users see only themselves and the
 *    people who share an organization or a reachable fleet with them;
 *  - only administrators of the fleet's organization add, change or
 *    remove members and create, see or revoke invites; a member may
 *    remove their own membership;
 *  - adding a member who is not in the organization also makes them an
 *    organization "member" (balena's rule that each fleet member is a
 *    member of the fleet's organization). */

/* The schema, appended to the store's migrations. */
#define BA_SERVER_FLEETS_SCHEMA \
  "CREATE TABLE organization_membership_role ("                                   \
  "  id INTEGER PRIMARY KEY,"                                                     \
  "  name TEXT NOT NULL UNIQUE"                                                   \
  ");"                                                                            \
  "INSERT INTO organization_membership_role (id, name) VALUES"                    \
  "  (1, 'administrator'), (2, 'member');"                                        \
  "CREATE TABLE organization ("                                                   \
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"                                       \
  "  name TEXT NOT NULL,"                                                         \
  "  handle TEXT NOT NULL UNIQUE COLLATE NOCASE,"                                 \
  "  created_at TEXT NOT NULL"                                                    \
  ");"                                                                            \
  "CREATE TABLE organization_membership ("                                        \
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"                                       \
  "  user INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,"               \
  "  is_member_of__organization INTEGER NOT NULL"                                 \
  "    REFERENCES organization (id) ON DELETE CASCADE,"                           \
  "  organization_membership_role INTEGER NOT NULL"                               \
  "    REFERENCES organization_membership_role (id),"                             \
  "  UNIQUE (user, is_member_of__organization)"                                   \
  ");"                                                                            \
  "CREATE INDEX organization_membership_org"                                      \
  "  ON organization_membership (is_member_of__organization);"                    \
  "CREATE TABLE device_type ("                                                    \
  "  id INTEGER PRIMARY KEY,"                                                     \
  "  slug TEXT NOT NULL UNIQUE,"                                                  \
  "  name TEXT NOT NULL"                                                          \
  ");"                                                                            \
  "INSERT INTO device_type (id, slug, name) VALUES"                               \
  "  (1, 'raspberrypi4-64', 'Raspberry Pi 4 (using 64bit OS)'),"                  \
  "  (2, 'raspberrypi3', 'Raspberry Pi 3'),"                                      \
  "  (3, 'intel-nuc', 'Intel NUC'),"                                              \
  "  (4, 'jetson-nano', 'Nvidia Jetson Nano SD-CARD');"                           \
  "CREATE TABLE application ("                                                    \
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"                                       \
  "  app_name TEXT NOT NULL,"                                                     \
  "  slug TEXT NOT NULL UNIQUE COLLATE NOCASE,"                                   \
  "  organization INTEGER NOT NULL REFERENCES organization (id) ON DELETE CASCADE," \
  "  is_for__device_type INTEGER REFERENCES device_type (id),"                    \
  "  is_of__class TEXT NOT NULL DEFAULT 'fleet',"                                 \
  "  is_public INTEGER NOT NULL DEFAULT 0,"                                       \
  "  is_archived INTEGER NOT NULL DEFAULT 0,"                                     \
  "  uuid TEXT NOT NULL UNIQUE,"                                                  \
  "  created_at TEXT NOT NULL"                                                    \
  ");"                                                                            \
  "CREATE INDEX application_organization ON application (organization);"        \
  "CREATE TABLE device ("                                                         \
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"                                       \
  "  uuid TEXT NOT NULL UNIQUE,"                                                  \
  "  device_name TEXT NOT NULL,"                                                  \
  "  belongs_to__application INTEGER NOT NULL"                                    \
  "    REFERENCES application (id) ON DELETE CASCADE,"                            \
  "  is_of__device_type INTEGER REFERENCES device_type (id),"                     \
  "  is_online INTEGER NOT NULL DEFAULT 0,"                                       \
  "  api_heartbeat_state TEXT NOT NULL DEFAULT 'unknown',"                        \
  "  created_at TEXT NOT NULL"                                                    \
  ");"                                                                            \
  "CREATE INDEX device_application ON device (belongs_to__application);"         \
  "CREATE TABLE application_membership_role ("                                    \
  "  id INTEGER PRIMARY KEY,"                                                     \
  "  name TEXT NOT NULL UNIQUE,"                                                  \
  "  description TEXT NOT NULL"                                                   \
  ");"                                                                            \
  "INSERT INTO application_membership_role (id, name, description) VALUES"        \
  "  (1, 'developer', 'Can add releases, change fleet variables and configuration,"  \
  " and do everything an operator can'),"                                         \
  "  (2, 'operator', 'Can manage devices, device variables and tags, SSH and"     \
  " provisioning keys, and do everything an observer can'),"                      \
  "  (3, 'observer', 'Can see the fleet and its devices, and change nothing');"   \
  "CREATE TABLE user_application_membership ("                                    \
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"                                       \
  "  user INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,"               \
  "  is_member_of__application INTEGER NOT NULL"                                  \
  "    REFERENCES application (id) ON DELETE CASCADE,"                            \
  "  application_membership_role INTEGER NOT NULL"                                \
  "    REFERENCES application_membership_role (id),"                              \
  "  created_at TEXT NOT NULL,"                                                   \
  "  UNIQUE (user, is_member_of__application)"                                    \
  ");"                                                                            \
  "CREATE INDEX user_application_membership_app"                                  \
  "  ON user_application_membership (is_member_of__application);"                 \
  "CREATE TABLE invitee ("                                                        \
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"                                       \
  "  email TEXT NOT NULL UNIQUE COLLATE NOCASE,"                                  \
  "  created_at TEXT NOT NULL"                                                    \
  ");"                                                                            \
  "CREATE TABLE application_invite ("                                             \
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"                                       \
  "  invitee INTEGER NOT NULL REFERENCES invitee (id) ON DELETE CASCADE,"         \
  "  is_invited_to__application INTEGER NOT NULL"                                 \
  "    REFERENCES application (id) ON DELETE CASCADE,"                            \
  "  application_membership_role INTEGER NOT NULL"                                \
  "    REFERENCES application_membership_role (id),"                              \
  "  message TEXT,"                                                               \
  "  is_created_by__user INTEGER REFERENCES user (id) ON DELETE SET NULL,"        \
  "  token_hash TEXT NOT NULL UNIQUE,"                                            \
  "  created_at TEXT NOT NULL,"                                                   \
  "  UNIQUE (invitee, is_invited_to__application)"                                \
  ");"                                                                            \
  /* Who reaches which fleet directly: its organization's administrators */      \
  /* and its members. */                                                          \
  "CREATE VIEW application_access (application, user) AS"                         \
  "  SELECT a.id, m.user FROM application a"                                      \
  "    JOIN organization_membership m ON m.is_member_of__organization = a.organization" \
  "    WHERE m.organization_membership_role = 1"                                  \
  "  UNION SELECT is_member_of__application, user FROM user_application_membership;" \
  /* Every user has an own organization; a handle already taken gets the */     \
  /* user id as a suffix. */                                                      \
  "CREATE TRIGGER user_own_organization AFTER INSERT ON user BEGIN"               \
  "  INSERT INTO organization (name, handle, created_at) VALUES (NEW.username,"   \
  "    CASE WHEN EXISTS (SELECT 1 FROM organization WHERE handle = NEW.username)" \
  "      THEN NEW.username || '-' || NEW.id ELSE NEW.username END,"               \
  "    NEW.created_at);"                                                          \
  "  INSERT INTO organization_membership"                                         \
  "    (user, is_member_of__organization, organization_membership_role)"          \
  "    VALUES (NEW.id, last_insert_rowid (), 1);"                                 \
  "END;"                                                                          \
  /* A deleted user's organizations that would be left without an */            \
  /* administrator go with them (with their fleets, devices and invites). */      \
  "CREATE TRIGGER user_orphaned_organizations BEFORE DELETE ON user BEGIN"        \
  "  DELETE FROM organization WHERE id IN ("                                      \
  "    SELECT is_member_of__organization FROM organization_membership"            \
  "      WHERE user = OLD.id AND organization_membership_role = 1)"               \
  "  AND NOT EXISTS (SELECT 1 FROM organization_membership o"                     \
  "    WHERE o.is_member_of__organization = organization.id"                      \
  "      AND o.user != OLD.id AND o.organization_membership_role = 1);"           \
  "END;"                                                                          \
  /* Users who exist already get their own organization now. */                  \
  "INSERT INTO organization (name, handle, created_at)"                           \
  "  SELECT username, username, created_at FROM user ORDER BY id;"                \
  "INSERT INTO organization_membership"                                           \
  "  (user, is_member_of__organization, organization_membership_role)"            \
  "  SELECT u.id, o.id, 1 FROM user u JOIN organization o ON o.handle = u.username;"

/* What a route handler answers: @status, then @body as JSON (NULL for an
 * empty body) and a Location header if @location is set. */
typedef struct
{
  guint     status;
  JsonNode *body;
  char     *location;
} BaServerReply;

void     ba_server_reply_clear                 (BaServerReply             *reply);

/* Declares organization, organization_membership(_role), device_type,
 * application, device, application_membership_role,
 * user__is_member_of__application (alias user_application_membership),
 * invitee and invitee__is_invited_to__application (alias
 * application_invite) in @model. */
void     ba_server_fleets_add_to_model         (BaODataModel              *model);

/* Adds what @credential's user may read of those resources (and of
 * "user": themselves and the people they share an organization or a
 * fleet with) to @perms. */
void     ba_server_fleets_add_read_permissions (BaODataPermissions        *perms,
                                                const BaServerCredential  *credential);

/* TRUE if @path (after "/v7/") addresses a resource whose POST, PATCH and
 * DELETE this file handles. */
gboolean ba_server_fleets_handles_write        (const char                *path);

/* POST, PATCH or DELETE of a fleet membership or an invite. @path is the
 * part after /v7 and @query the raw query string (nullable); @body the
 * parsed JSON object (NULL when the body was missing or not a JSON
 * object). Invite mails go to @outbox_dir. */
void     ba_server_fleets_write                (BaServerStore             *store,
                                                BaODataModel              *model,
                                                const char                *outbox_dir,
                                                const BaServerCredential  *credential,
                                                const char                *method,
                                                const char                *path,
                                                const char                *query,
                                                JsonObject                *body,
                                                BaServerReply             *reply);

/* POST /user/v1/invitation/<token>: the caller (a full session token)
 * becomes a member of the invite's fleet with its role. */
void     ba_server_fleets_accept_invitation    (BaServerStore             *store,
                                                const BaServerCredential  *credential,
                                                const char                *token,
                                                BaServerReply             *reply);

/* --seed-demo: the organization "Acme Robotics" (handle acme), which
 * @demo administers with amara; bruno, chen and dana are members; four
 * fleets with devices (some online) and members as developer, operator
 * and observer, a pending invite; and emeka's fleet weather-stations,
 * where @demo is an operator.
 * The other demo users get @demo's password. Adds only what is missing. */
gboolean ba_server_fleets_seed_demo            (BaServerStore             *store,
                                                gint64                     demo_user_id,
                                                GError                   **error);

/* The usernames of the demo users ba_server_fleets_seed_demo() creates
 * besides @demo, as a new NULL-terminated array. */
GStrv    ba_server_fleets_list_demo_usernames  (void);

G_END_DECLS
