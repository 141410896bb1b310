/* test-odata.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ba-error.h"
#include "ba-server-odata.h"

/* A real in-memory SQLite database (the SQLCipher library, no key) with
 * the shapes of the balena resources the clients query: three users, their
 * API keys, fleets with devices, roles and memberships. */

static const char schema[] =
  "CREATE TABLE actor (id INTEGER PRIMARY KEY);"
  "CREATE TABLE user (id INTEGER PRIMARY KEY, actor INTEGER NOT NULL,"
  "  username TEXT NOT NULL COLLATE NOCASE, password_hash TEXT, created_at TEXT NOT NULL);"
  "CREATE TABLE api_key (id INTEGER PRIMARY KEY, key TEXT NOT NULL, is_of__actor INTEGER NOT NULL,"
  "  name TEXT, description TEXT, created_at TEXT NOT NULL, expiry_date TEXT);"
  "CREATE TABLE organization (id INTEGER PRIMARY KEY, name TEXT, handle TEXT);"
  "CREATE TABLE device_type (id INTEGER PRIMARY KEY, slug TEXT);"
  "CREATE TABLE application (id INTEGER PRIMARY KEY, app_name TEXT, slug TEXT,"
  "  organization INTEGER, is_for__device_type INTEGER, is_of__class TEXT, is_public INTEGER, uuid TEXT);"
  "CREATE TABLE org_membership (id INTEGER PRIMARY KEY, user INTEGER, is_member_of__organization INTEGER);"
  "CREATE TABLE invitee (id INTEGER PRIMARY KEY, email TEXT);"
  "CREATE TABLE invite (id INTEGER PRIMARY KEY, invitee INTEGER, is_invited_to__application INTEGER,"
  "  application_membership_role INTEGER, message TEXT);"
  "CREATE TABLE device (id INTEGER PRIMARY KEY, uuid TEXT, device_name TEXT,"
  "  belongs_to__application INTEGER, is_online INTEGER, cpu_temp REAL);"
  "CREATE TABLE application_membership_role (id INTEGER PRIMARY KEY, name TEXT, description TEXT);"
  "CREATE TABLE membership (id INTEGER PRIMARY KEY, user INTEGER, is_member_of__application INTEGER,"
  "  application_membership_role INTEGER);";

static const char data[] =
  "INSERT INTO actor VALUES (1001), (1002), (1003);"
  "INSERT INTO user VALUES (1, 1001, 'alice', 'HASH-A', '2024-01-01T00:00:00.000Z'),"
  "  (2, 1002, 'bob', 'HASH-B', '2024-01-01T00:00:00.000Z'),"
  "  (3, 1003, 'carol', NULL, '2024-01-01T00:00:00.000Z');"
  "INSERT INTO api_key VALUES"
  "  (1, 'SECRET-A1', 1001, 'zeta', NULL, '2024-01-01T10:00:00.000Z', NULL),"
  "  (2, 'SECRET-A2', 1001, 'alpha', 'it''s mine', '2024-01-02 10:00:00', NULL),"
  "  (3, 'SECRET-A3', 1001, NULL, NULL, '2024-01-03T10:00:00Z', NULL),"
  "  (4, 'SECRET-A4', 1001, 'mid', NULL, '2024-01-04T10:00:00.000Z', '2030-06-01T00:00:00.000Z'),"
  "  (5, 'SECRET-B1', 1002, 'bobkey', NULL, '2024-02-01T10:00:00.000Z', NULL),"
  "  (6, 'SECRET-B2', 1002, 'alpha', NULL, '2024-02-02T10:00:00.000Z', NULL),"
  "  (7, 'SECRET-A7', 1001, 'a+b', NULL, '2024-01-07T10:00:00.000Z', NULL);"
  "INSERT INTO organization VALUES (1, 'alice', 'alice'), (2, 'bob', 'bob');"
  "INSERT INTO device_type VALUES (1, 'raspberrypi4-64'), (2, 'intel-nuc');"
  "INSERT INTO application VALUES"
  "  (1, 'Beta fleet', 'alice/beta', 1, 1, 'fleet', 0, 'uuid-1'),"
  "  (2, 'alpha fleet', 'alice/alpha', 1, 2, 'fleet', 0, 'uuid-2'),"
  "  (3, 'Bob''s fleet', 'bob/bobs', 2, 1, 'fleet', 0, 'uuid-3'),"
  "  (4, 'Public block', 'bob/block', 2, 2, 'block', 1, 'uuid-4');"
  "INSERT INTO org_membership VALUES (1, 1, 1), (2, 2, 2);"
  "INSERT INTO invitee VALUES (1, 'dave@example.com');"
  "INSERT INTO invite VALUES (1, 1, 1, 3, 'Welcome'), (2, 1, 3, 1, NULL);"
  "INSERT INTO device VALUES"
  "  (1, 'u1', 'one', 1, 1, 40.5), (2, 'u2', 'two', 1, 0, NULL), (3, 'u3', 'three', 1, 1, 60.25),"
  "  (4, 'u4', 'four', 2, 0, NULL), (5, 'u5', 'five', 3, 1, NULL), (6, 'u6', 'six', 3, 1, NULL);"
  "INSERT INTO application_membership_role VALUES (1, 'developer', 'Develops'),"
  "  (2, 'operator', 'Operates'), (3, 'observer', 'Observes');"
  "INSERT INTO membership VALUES (1, 1, 1, 1), (2, 2, 1, 3), (3, 1, 2, 2), (4, 2, 3, 1), (5, 3, 3, 3);";

static sqlite3 *db;
static BaODataModel *model;

static void
exec_sql (sqlite3    *handle,
          const char *sql)
{
  char *message = NULL;
  int rc = sqlite3_exec (handle, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    g_error ("%s", message);
}

static sqlite3 *
open_db (void)
{
  sqlite3 *handle = NULL;

  g_assert_cmpint (sqlite3_open (":memory:", &handle), ==, SQLITE_OK);
  exec_sql (handle, schema);

  return handle;
}

static BaODataModel *
build_model (void)
{
  BaODataModel *m = ba_odata_model_new ();
  BaODataResource *res;
  static const char * const by_name[] = { "name", NULL };
  static const char * const by_member[] = { "user", "is_member_of__application", NULL };

  ba_odata_model_add_resource (m, "actor", "actor", "id");

  res = ba_odata_model_add_resource (m, "user", "user", "id");
  ba_odata_resource_add_foreign_key (res, "actor", "actor", "actor");
  ba_odata_resource_add_field (res, "username", "username", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "password_hash", "password_hash", BA_ODATA_TYPE_TEXT,
                               BA_ODATA_FIELD_HIDDEN);
  ba_odata_resource_add_field (res, "created_at", "created_at", BA_ODATA_TYPE_DATETIME, 0);

  res = ba_odata_model_add_resource (m, "api_key", "api_key", "id");
  ba_odata_resource_add_field (res, "created_at", "created_at", BA_ODATA_TYPE_DATETIME, 0);
  ba_odata_resource_add_field (res, "key", "key", BA_ODATA_TYPE_TEXT, BA_ODATA_FIELD_HIDDEN);
  ba_odata_resource_add_foreign_key (res, "is_of__actor", "is_of__actor", "actor");
  ba_odata_resource_add_field (res, "name", "name", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "description", "description", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "expiry_date", "expiry_date", BA_ODATA_TYPE_DATETIME, 0);

  res = ba_odata_model_add_resource (m, "organization", "organization", "id");
  ba_odata_resource_add_field (res, "name", "name", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "handle", "handle", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_navigation (res, "organization_membership", "organization_membership",
                                    BA_ODATA_TO_MANY, "id", "is_member_of__organization");

  res = ba_odata_model_add_resource (m, "organization_membership", "org_membership", "id");
  ba_odata_resource_add_foreign_key (res, "user", "user", "user");
  ba_odata_resource_add_foreign_key (res, "is_member_of__organization", "is_member_of__organization",
                                     "organization");

  res = ba_odata_model_add_resource (m, "invitee", "invitee", "id");
  ba_odata_resource_add_field (res, "email", "email", BA_ODATA_TYPE_TEXT, 0);

  res = ba_odata_model_add_resource (m, "invitee__is_invited_to__application", "invite", "id");
  ba_odata_resource_add_foreign_key (res, "invitee", "invitee", "invitee");
  ba_odata_resource_add_foreign_key (res, "is_invited_to__application", "is_invited_to__application",
                                     "application");
  ba_odata_resource_add_foreign_key (res, "application_membership_role", "application_membership_role",
                                     "application_membership_role");
  ba_odata_resource_add_field (res, "message", "message", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_model_add_alias (m, "application_invite", "invitee__is_invited_to__application");

  res = ba_odata_model_add_resource (m, "device_type", "device_type", "id");
  ba_odata_resource_add_field (res, "slug", "slug", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_navigation (res, "is_used_by__application", "application",
                                    BA_ODATA_TO_MANY, "id", "is_for__device_type");

  res = ba_odata_model_add_resource (m, "application", "application", "id");
  ba_odata_resource_add_field (res, "app_name", "app_name", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "slug", "slug", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_foreign_key (res, "organization", "organization", "organization");
  ba_odata_resource_add_foreign_key (res, "is_for__device_type", "is_for__device_type", "device_type");
  ba_odata_resource_add_field (res, "is_of__class", "is_of__class", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "is_public", "is_public", BA_ODATA_TYPE_BOOLEAN, 0);
  ba_odata_resource_add_field (res, "uuid", "uuid", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_navigation (res, "owns__device", "device", BA_ODATA_TO_MANY,
                                    "id", "belongs_to__application");
  ba_odata_resource_add_navigation (res, "user_application_membership",
                                    "user__is_member_of__application", BA_ODATA_TO_MANY,
                                    "id", "is_member_of__application");
  ba_odata_resource_add_link_navigation (res, "is_directly_accessible_by__user", "user", "id",
                                         "membership", "is_member_of__application", "user", NULL);

  res = ba_odata_model_add_resource (m, "device", "device", "id");
  ba_odata_resource_add_field (res, "uuid", "uuid", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "device_name", "device_name", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_foreign_key (res, "belongs_to__application", "belongs_to__application", "application");
  ba_odata_resource_add_field (res, "is_online", "is_online", BA_ODATA_TYPE_BOOLEAN, 0);
  ba_odata_resource_add_field (res, "cpu_temp", "cpu_temp", BA_ODATA_TYPE_DECIMAL, 0);

  res = ba_odata_model_add_resource (m, "application_membership_role", "application_membership_role", "id");
  ba_odata_resource_add_field (res, "name", "name", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "description", "description", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_alternate_key (res, by_name);

  res = ba_odata_model_add_resource (m, "user__is_member_of__application", "membership", "id");
  ba_odata_resource_add_foreign_key (res, "user", "user", "user");
  ba_odata_resource_add_foreign_key (res, "is_member_of__application", "is_member_of__application", "application");
  ba_odata_resource_add_foreign_key (res, "application_membership_role", "application_membership_role",
                                     "application_membership_role");
  ba_odata_resource_add_alternate_key (res, by_member);
  ba_odata_model_add_alias (m, "user_application_membership", "user__is_member_of__application");

  return m;
}

#define MEMBER_APPS "SELECT is_member_of__application FROM membership WHERE user = ?"

/* What a user may read: their own keys, fleets they are a member of (and
 * public ones), those fleets' devices and memberships. With
 * @co_members, also the users who share a fleet with them; otherwise only
 * themselves. */
static BaODataPermissions *
perms_for (gint64   user_id,
           gint64   actor_id,
           gboolean co_members)
{
  BaODataPermissions *perms = ba_odata_permissions_new ();

  ba_odata_permissions_allow_where (perms, "api_key", "is_of__actor = ?", g_variant_new ("(x)", actor_id));
  if (co_members)
    ba_odata_permissions_allow_where (perms, "user",
                                      "id IN (SELECT user FROM membership WHERE is_member_of__application IN ("
                                      MEMBER_APPS ")) OR id = ?",
                                      g_variant_new ("(xx)", user_id, user_id));
  else
    ba_odata_permissions_allow_where (perms, "user", "id = ?", g_variant_new ("(x)", user_id));
  ba_odata_permissions_allow_where (perms, "application", "id IN (" MEMBER_APPS ") OR is_public = ?",
                                    g_variant_new ("(xb)", user_id, TRUE));
  ba_odata_permissions_allow_where (perms, "device", "belongs_to__application IN (" MEMBER_APPS ")",
                                    g_variant_new ("(x)", user_id));
  ba_odata_permissions_allow_where (perms, "user__is_member_of__application",
                                    "is_member_of__application IN (" MEMBER_APPS ")",
                                    g_variant_new ("(x)", user_id));
  ba_odata_permissions_allow_all (perms, "device_type");
  ba_odata_permissions_allow_all (perms, "application_membership_role");
  ba_odata_permissions_allow_all (perms, "organization");
  ba_odata_permissions_allow_where (perms, "organization_membership", "user = ?", g_variant_new ("(x)", user_id));
  ba_odata_permissions_allow_all (perms, "invitee");
  ba_odata_permissions_allow_where (perms, "invitee__is_invited_to__application",
                                    "is_invited_to__application IN (" MEMBER_APPS ")",
                                    g_variant_new ("(x)", user_id));

  return perms;
}

#define ALICE 1, 1001
#define BOB   2, 1002
#define CAROL 3, 1003

/* Parses and runs; returns the compact JSON body, or NULL with @error set. */
static char *
run_full (const char         *path,
          const char         *query,
          BaODataPermissions *perms,
          GError            **error)
{
  g_autoptr(BaODataQuery) parsed = ba_odata_query_parse (model, path, query, error);
  g_autoptr(JsonNode) node = NULL;

  if (parsed == NULL)
    return NULL;
  node = ba_odata_query_execute (parsed, db, perms, error);
  if (node == NULL)
    return NULL;

  return json_to_string (node, FALSE);
}

static char *
run_as (gint64      user_id,
        gint64      actor_id,
        const char *path,
        const char *query)
{
  g_autoptr(BaODataPermissions) perms = perms_for (user_id, actor_id, FALSE);
  g_autoptr(GError) error = NULL;
  char *json = run_full (path, query, perms, &error);

  g_assert_no_error (error);
  g_assert_nonnull (json);
  /* No secret column ever reaches a response. */
  g_assert_null (strstr (json, "SECRET"));
  g_assert_null (strstr (json, "HASH"));

  return json;
}

#define assert_json(user, path, query, expected) \
  G_STMT_START { \
    g_autofree char *json_ = run_as (user, path, query); \
    g_assert_cmpstr (json_, ==, expected); \
  } G_STMT_END

static void
assert_parse_error (const char *path,
                    const char *query,
                    const char *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaODataQuery) parsed = ba_odata_query_parse (model, path, query, &error);

  g_assert_null (parsed);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
  if (message_part != NULL && strstr (error->message, message_part) == NULL)
    g_error ("'%s' ? '%s': message '%s' lacks '%s'", path, query ? query : "", error->message, message_part);
  /* The message goes into a JSON body as a string. */
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

/* ------------------------------------------------------------------ */

static const struct {
  const char *path;
  const char *query;
  const char *expected;
} round_trip_cases[] = {
  { "/api_key", NULL, "api_key" },
  { "api_key", "", "api_key" },
  { "/api_key(1)", NULL, "api_key(id=1)" },
  { "/api_key/$count", NULL, "api_key/$count" },
  { "/api_key(1)/$count", NULL, "api_key(id=1)/$count" },
  { "/application_membership_role(name='developer')", "$select=id",
    "application_membership_role(name='developer')?$select=id" },
  { "/application_membership_role(name=%27it%27%27s%27)", NULL,
    "application_membership_role(name='it''s')" },
  { "/user_application_membership(user=1,is_member_of__application=2)", NULL,
    "user__is_member_of__application(user=1,is_member_of__application=2)" },
  { "/user_application_membership(is_member_of__application=2,user=1)", NULL,
    "user__is_member_of__application(is_member_of__application=2,user=1)" },
  { "/api_key",
    "$select=id,created_at,name,description,expiry_date&$filter=is_of__actor%20eq%201001%20and%20name%20ne%20null&$orderby=name%20asc",
    "api_key?$select=id,created_at,name,description,expiry_date&$filter=((is_of__actor eq 1001) and (name ne null))&$orderby=name asc" },
  { "/application",
    "$select=id,app_name,slug&$expand=is_for__device_type($select=slug),owns__device($select=is_online)"
    "&$filter=is_directly_accessible_by__user/any(dau:1%20eq%201)&$orderby=app_name%20asc",
    "application?$select=id,app_name,slug&$filter=is_directly_accessible_by__user/any(dau:(1 eq 1))"
    "&$expand=is_for__device_type($select=slug),owns__device($select=is_online)&$orderby=app_name asc" },
  { "/application", "$filter=is_directly_accessible_by__user/any(dau:true)",
    "application?$filter=is_directly_accessible_by__user/any(dau:true)" },
  { "/application", "$filter=owns__device/any()", "application?$filter=owns__device/any()" },
  { "/application", "$expand=owns__device/$count",
    "application?$expand=owns__device/$count" },
  { "/application", "$expand=owns__device/$count($filter=is_online%20eq%20true)",
    "application?$expand=owns__device/$count($filter=(is_online eq true))" },
  { "/application",
    "$expand=owns__device($select=id;$filter=is_online eq true;$orderby=device_name desc;$top=2;$skip=1;"
    "$expand=belongs_to__application($select=slug))",
    "application?$expand=owns__device($select=id;$filter=(is_online eq true);"
    "$expand=belongs_to__application($select=slug);$orderby=device_name desc;$top=2;$skip=1)" },
  /* Precedence: not > comparison > and > or. */
  { "/device", "$filter=is_online eq true or id eq 1 and id eq 2",
    "device?$filter=((is_online eq true) or ((id eq 1) and (id eq 2)))" },
  { "/device", "$filter=(is_online eq true or id eq 1) and not (id eq 2)",
    "device?$filter=(((is_online eq true) or (id eq 1)) and not((id eq 2)))" },
  { "/device", "$filter=not is_online", "device?$filter=not(is_online)" },
  { "/device", "$filter=belongs_to__application/organization/name eq 'alice'",
    "device?$filter=(belongs_to__application/organization/name eq 'alice')" },
  { "/application",
    "$filter=owns__device/any(d:d/is_online eq true and d/belongs_to__application/owns__device/all(e:e/id ne d/id))",
    "application?$filter=owns__device/any(d:((d/is_online eq true) and "
    "d/belongs_to__application/owns__device/all(e:(e/id ne d/id))))" },
  { "/application", "$filter=owns__device/$count gt 2",
    "application?$filter=(owns__device/$count gt 2)" },
  { "/application", "$filter=owns__device/$count($filter=is_online eq false) eq 0",
    "application?$filter=(owns__device/$count($filter=(is_online eq false)) eq 0)" },
  { "/api_key", "$filter=expiry_date gt datetime'2029-01-01T00:00:00.000Z'",
    "api_key?$filter=(expiry_date gt datetime'2029-01-01T00:00:00.000Z')" },
  { "/api_key", "$filter=expiry_date lt 2031-01-01T00:00:00Z",
    "api_key?$filter=(expiry_date lt datetime'2031-01-01T00:00:00.000Z')" },
  { "/api_key", "$filter=expiry_date lt datetime'2031-01-01T02:00:00%2B02:00'",
    "api_key?$filter=(expiry_date lt datetime'2031-01-01T00:00:00.000Z')" },
  { "/device", "$filter=cpu_temp ge 40.5 and cpu_temp lt -1e3",
    "device?$filter=((cpu_temp ge 40.5) and (cpu_temp lt -1000))" },
  { "/api_key", "$filter=name eq 'it''s'", "api_key?$filter=(name eq 'it''s')" },
  { "/api_key", "$filter=name%20eq%20%27it%27%27s%27", "api_key?$filter=(name eq 'it''s')" },
  { "/api_key", "$filter=name eq 'a+b'", "api_key?$filter=(name eq 'a b')" },
  { "/api_key", "$filter=id+eq+1", "api_key?$filter=(id eq 1)" },
  { "/api_key", "$filter=name eq 'a%2Bb;c%26d'", "api_key?$filter=(name eq 'a+b;c&d')" },
  { "/api_key", "$filter=id in (1, 2,3)", "api_key?$filter=(id in (1,2,3))" },
  { "/api_key", "$filter=contains(name,'ph') or startswith(tolower(name),'z')",
    "api_key?$filter=(contains(name,'ph') or startswith(tolower(name),'z'))" },
  { "/api_key", "$filter=name eq @n&@n='zeta'", "api_key?$filter=(name eq 'zeta')" },
  { "/api_key", "$select=*", "api_key" },
  { "/api_key", "$top=0&$skip=3&apikey=abc&$format=json", "api_key?$top=0&$skip=3" },
};

static void
test_parse_round_trip (void)
{

  for (guint i = 0; i < G_N_ELEMENTS (round_trip_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(BaODataQuery) parsed = NULL;
      g_autofree char *text = NULL;

      parsed = ba_odata_query_parse (model, round_trip_cases[i].path, round_trip_cases[i].query, &error);
      g_assert_no_error (error);
      text = ba_odata_query_to_string (parsed);
      g_assert_cmpstr (text, ==, round_trip_cases[i].expected);
    }
}

static void
test_parse_accessors (void)
{
  g_autoptr(BaODataQuery) count = ba_odata_query_parse (model, "/device/$count", "$filter=id eq 1", NULL);
  g_autoptr(BaODataQuery) keyed = ba_odata_query_parse (model, "/user_application_membership(7)", NULL, NULL);

  g_assert_true (ba_odata_query_is_count (count));
  g_assert_false (ba_odata_query_has_key (count));
  g_assert_cmpstr (ba_odata_query_get_resource_name (count), ==, "device");
  g_assert_false (ba_odata_query_is_count (keyed));
  g_assert_true (ba_odata_query_has_key (keyed));
  g_assert_cmpstr (ba_odata_query_get_resource_name (keyed), ==, "user__is_member_of__application");
}

static void
test_parse_errors (void)
{
  static const struct {
    const char *path;
    const char *query;
    const char *message;
  } cases[] = {
    { "/nope", NULL, "Unknown resource 'nope'" },
    { "", NULL, "no resource" },
    { "/api_key/owner", NULL, "only /$count" },
    { "/api_key(1", NULL, "Malformed path" },
    { "/api_key('x')", NULL, "cannot be a string" },
    { "/api_key(name='x')", NULL, "has no key (name)" },
    { "/api_key(key='SECRET-A1')", NULL, "Unknown key field 'key'" },
    { "/user_application_membership(user=1)", NULL, "has no key (user)" },
    { "/user_application_membership(user=1,user=2)", NULL, "given twice" },
    { "/api_key(1)x", NULL, "Malformed path near 'x'" },
    { "/api_key", "$foo=1", "Unknown query option '$foo'" },
    { "/api_key", "$count=true", "use /$count" },
    { "/api_key", "$top=1&$top=2", "given twice" },
    { "/api_key", "$filter=", "$filter is empty" },
    { "/api_key", "$select=", "$select is empty" },
    { "/api_key", "$select=nope", "Unknown field 'nope' of 'api_key'" },
    { "/api_key", "$select=key", "Field 'key' of 'api_key' is not readable" },
    { "/api_key", "$select=id,key", "not readable" },
    { "/api_key", "$filter=key eq 'SECRET-A1'", "not readable" },
    { "/api_key", "$orderby=key asc", "not readable" },
    { "/user", "$filter=startswith(password_hash,'H')", "not readable" },
    { "/api_key", "$expand=nope", "Unknown navigation property 'nope'" },
    { "/application", "$expand=owns__device,owns__device", "expanded twice" },
    { "/application", "$expand=owns__device/$count($select=id)", "Only $filter" },
    { "/application", "$expand=owns__device($bogus=1)", "Unknown query option '$bogus'" },
    { "/application", "$expand=owns__device($top=1;$top=2)", "given twice" },
    { "/application", "$expand=owns__device(", "Malformed $expand" },
    { "/application", "$select=owns__device", "is a navigation property" },
    { "/application", "$filter=owns__device/is_online eq true", "is a collection" },
    { "/application", "$filter=owns__device eq 1", "is a navigation property, not a value" },
    { "/application", "$filter=app_name/x eq 1", "is not a navigation property" },
    { "/application", "$filter=nope eq 1", "Unknown field 'nope' of 'application'" },
    { "/application", "$filter=owns__device/any(d:d eq 1)", "must be followed by /field" },
    { "/application", "$filter=owns__device/any(d:d/nope eq 1)", "Unknown field 'nope' of 'device'" },
    { "/application", "$filter=owns__device/any(d:1)", "needs a boolean expression" },
    { "/application", "$filter=owns__device/all()", "Malformed $filter" },
    { "/application", "$filter=app_name", "needs a boolean expression" },
    { "/application", "$filter=app_name like 'x'", "Malformed $filter near 'like" },
    { "/application", "$filter=app_name eq", "unexpected end" },
    { "/application", "$filter=app_name eq 'x", "unterminated string" },
    { "/application", "$filter=(app_name eq 'x'", "unexpected end" },
    { "/application", "$filter=app_name eq 'x')", "Malformed $filter near ')'" },
    { "/application", "$filter=app_name eq 1", "cannot compare a string with an integer" },
    { "/application", "$filter=is_public eq 'yes'", "cannot compare a boolean with a string" },
    { "/application", "$filter=id eq 99999999999999999999", "out of range" },
    { "/application", "$filter=id eq 1x", "Malformed $filter" },
    { "/application", "$filter=frobnicate(app_name)", "unknown function 'frobnicate'" },
    { "/application", "$filter=contains(id,'1')", "the arguments of contains() must be text, not an integer" },
    { "/application", "$filter=id in (1, app_name)", "list of literals" },
    { "/application", "$filter=app_name eq @missing", "Unknown parameter alias '@missing'" },
    { "/application", "$filter=app_name eq @a&@a=app_name", "Malformed parameter alias" },
    { "/application", "$filter=app_name eq @a&@a=@a", "Unknown parameter alias" },
    { "/api_key", "$filter=expiry_date gt datetime'yesterday'", "invalid date-time" },
    { "/application", "$filter=app_name eq 'x' # 1", "Malformed $filter near '#" },
    { "/application", "$orderby=app_name sideways", "Malformed $orderby near 'sideways'" },
    { "/application", "$orderby=owns__device/$count", "sort by a field" },
    { "/application", "$top=-1", "non-negative integer" },
    { "/application", "$top=abc", "non-negative integer" },
    { "/application", "$top=1000001", "larger than" },
    { "/application", "$skip=1.5", "non-negative integer" },
    { "/application", "$filter=app_name eq '%ZZ'", "percent-encoding" },
    { "/application", "$filter=app_name eq '%00'", "percent-encoding" },
    { "/application", "$filter=app_name eq '%C3%28'", "percent-encoding" },
    { "/application/$count", "$select=id", "cannot be combined" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_parse_error (cases[i].path, cases[i].query, cases[i].message);
}

/* ------------------------------------------------------------------ */
/* The exact URLs of account-api.md                                   */

static void
test_cli_api_key_list (void)
{
  /* Section 6: balena-cli's `api-key list`. */
  assert_json (ALICE, "/api_key",
               "$select=id,created_at,name,description,expiry_date"
               "&$filter=is_of__actor%20eq%201001%20and%20name%20ne%20null&$orderby=name%20asc",
               "{\"d\":["
               "{\"id\":7,\"created_at\":\"2024-01-07T10:00:00.000Z\",\"name\":\"a+b\",\"description\":null,\"expiry_date\":null},"
               "{\"id\":2,\"created_at\":\"2024-01-02T10:00:00.000Z\",\"name\":\"alpha\",\"description\":\"it's mine\",\"expiry_date\":null},"
               "{\"id\":4,\"created_at\":\"2024-01-04T10:00:00.000Z\",\"name\":\"mid\",\"description\":null,\"expiry_date\":\"2030-06-01T00:00:00.000Z\"},"
               "{\"id\":1,\"created_at\":\"2024-01-01T10:00:00.000Z\",\"name\":\"zeta\",\"description\":null,\"expiry_date\":null}"
               "]}");

  /* Bob asking for Alice's actor gets nothing, not her keys. */
  assert_json (BOB, "/api_key",
               "$select=id,name&$filter=is_of__actor%20eq%201001%20and%20name%20ne%20null&$orderby=name%20asc",
               "{\"d\":[]}");
  assert_json (BOB, "/api_key",
               "$select=id,name&$filter=is_of__actor%20eq%201002%20and%20name%20ne%20null&$orderby=name%20asc",
               "{\"d\":[{\"id\":6,\"name\":\"alpha\"},{\"id\":5,\"name\":\"bobkey\"}]}");
}

static void
test_default_select (void)
{
  /* No $select: every readable field, foreign keys as {"__id"}, no key. */
  assert_json (ALICE, "/api_key(3)", NULL,
               "{\"d\":[{\"id\":3,\"created_at\":\"2024-01-03T10:00:00.000Z\",\"is_of__actor\":{\"__id\":1001},"
               "\"name\":null,\"description\":null,\"expiry_date\":null}]}");
  assert_json (ALICE, "/api_key(3)", "$select=*",
               "{\"d\":[{\"id\":3,\"created_at\":\"2024-01-03T10:00:00.000Z\",\"is_of__actor\":{\"__id\":1001},"
               "\"name\":null,\"description\":null,\"expiry_date\":null}]}");
  assert_json (ALICE, "/user", NULL,
               "{\"d\":[{\"id\":1,\"actor\":{\"__id\":1001},\"username\":\"alice\","
               "\"created_at\":\"2024-01-01T00:00:00.000Z\"}]}");
  assert_json (ALICE, "/device(1)", NULL,
               "{\"d\":[{\"id\":1,\"uuid\":\"u1\",\"device_name\":\"one\",\"belongs_to__application\":{\"__id\":1},"
               "\"is_online\":true,\"cpu_temp\":40.5}]}");
}

static void
test_sdk_directly_accessible (void)
{
  static const char expected_alice[] =
    "{\"d\":["
    "{\"id\":1,\"app_name\":\"Beta fleet\",\"slug\":\"alice/beta\","
    "\"is_for__device_type\":[{\"slug\":\"raspberrypi4-64\"}],"
    "\"owns__device\":[{\"is_online\":true},{\"is_online\":false},{\"is_online\":true}]},"
    "{\"id\":2,\"app_name\":\"alpha fleet\",\"slug\":\"alice/alpha\","
    "\"is_for__device_type\":[{\"slug\":\"intel-nuc\"}],"
    "\"owns__device\":[{\"is_online\":false}]}"
    "]}";

  /* Section 12, as balena-sdk sends it, and the documentation's any(dau:true). */
  assert_json (ALICE, "/application",
               "$select=id,app_name,slug&$expand=is_for__device_type($select=slug),owns__device($select=is_online)"
               "&$filter=is_directly_accessible_by__user/any(dau:1%20eq%201)&$orderby=app_name%20asc",
               expected_alice);
  assert_json (ALICE, "/application",
               "$select=id,app_name,slug&$expand=is_for__device_type($select=slug),owns__device($select=is_online)"
               "&$filter=is_directly_accessible_by__user/any(dau:true)&$orderby=app_name%20asc",
               expected_alice);

  /* Without the filter the public block shows up too. */
  assert_json (ALICE, "/application", "$select=id&$orderby=id%20asc",
               "{\"d\":[{\"id\":1},{\"id\":2},{\"id\":4}]}");

  /* Carol reaches only Bob's fleet, where she is an observer. */
  assert_json (CAROL, "/application",
               "$select=id,slug&$expand=owns__device/$count&$filter=is_directly_accessible_by__user/any(dau:1%20eq%201)",
               "{\"d\":[{\"id\":3,\"slug\":\"bob/bobs\",\"owns__device\":2}]}");
}

/* URLs captured from balena-sdk 22.4.9 (pinejs-client-core 8.5.40) by
 * tests/server-odata/capture-sdk-urls.js, byte for byte, with the
 * answer Alice gets. */
static void
test_sdk_urls (void)
{
  static const struct {
    const char *path;
    const char *query;
    const char *expected;
  } cases[] = {
    /* apiKey.getAllNamedUserApiKeys, getAll */
    { "/api_key", "$orderby=name%20asc&$filter=is_of__actor%20eq%201001%20and%20name%20ne%20null", NULL },
    { "/api_key", "$orderby=name%20asc", NULL },
    /* application.getAllDirectlyAccessible, getAll, get(slug), get(id, $count) */
    { "/application", "$filter=is_directly_accessible_by__user/any(dau:1%20eq%201)&$orderby=app_name%20asc",
      "{\"d\":[{\"id\":1,\"app_name\":\"Beta fleet\",\"slug\":\"alice/beta\",\"organization\":{\"__id\":1},"
      "\"is_for__device_type\":{\"__id\":1},\"is_of__class\":\"fleet\",\"is_public\":false,\"uuid\":\"uuid-1\"},"
      "{\"id\":2,\"app_name\":\"alpha fleet\",\"slug\":\"alice/alpha\",\"organization\":{\"__id\":1},"
      "\"is_for__device_type\":{\"__id\":2},\"is_of__class\":\"fleet\",\"is_public\":false,\"uuid\":\"uuid-2\"}]}" },
    { "/application", "$orderby=app_name%20asc", NULL },
    { "/application", "$filter=slug%20eq%20%27alice%2Fbeta%27%20or%20uuid%20eq%20%27alice%2Fbeta%27&$select=id",
      "{\"d\":[{\"id\":1}]}" },
    { "/application(1)", "$expand=owns__device/$count", NULL },
    { "/application(1)", "$select=id", "{\"d\":[{\"id\":1}]}" },
    /* application.membership.* */
    { "/user_application_membership", "$filter=is_member_of__application%20eq%201",
      "{\"d\":[{\"id\":1,\"user\":{\"__id\":1},\"is_member_of__application\":{\"__id\":1},"
      "\"application_membership_role\":{\"__id\":1}},"
      "{\"id\":2,\"user\":{\"__id\":2},\"is_member_of__application\":{\"__id\":1},"
      "\"application_membership_role\":{\"__id\":3}}]}" },
    { "/user_application_membership",
      "$filter=is_member_of__application%20eq%201&$expand=user($select=id,username),"
      "application_membership_role($select=id,name)", NULL },
    { "/user_application_membership(3)", NULL, NULL },
    { "/user_application_membership(user=2,is_member_of__application=1)", NULL, NULL },
    { "/application(1)",
      "$select=id&$expand=organization($select=id;$expand=organization_membership($select=id;"
      "$filter=user/any(u:u/username%20eq%20%27alice%27)))",
      "{\"d\":[{\"id\":1,\"organization\":[{\"id\":1,\"organization_membership\":[{\"id\":1}]}]}]}" },
    { "/application(1)",
      "$select=id&$expand=organization($select=id;$expand=organization_membership($select=id;"
      "$filter=user/any(u:u/username%20eq%20%27o%27%27brien%27)))",
      "{\"d\":[{\"id\":1,\"organization\":[{\"id\":1,\"organization_membership\":[]}]}]}" },
    { "/application_membership_role(name='observer')", "$select=id", "{\"d\":[{\"id\":3}]}" },
    /* application.invite.getAllByApplication */
    { "/invitee__is_invited_to__application", "$filter=is_invited_to__application%20eq%201",
      "{\"d\":[{\"id\":1,\"invitee\":{\"__id\":1},\"is_invited_to__application\":{\"__id\":1},"
      "\"application_membership_role\":{\"__id\":3},\"message\":\"Welcome\"}]}" },
    { "/application_invite", "$filter=is_invited_to__application%20eq%203&$expand=invitee($select=email)",
      "{\"d\":[]}" },
    /* device.getAllByApplication, organization.getAll */
    { "/device", "$orderby=device_name%20asc&$select=id,is_online&$filter=belongs_to__application%20eq%201",
      "{\"d\":[{\"id\":1,\"is_online\":true},{\"id\":3,\"is_online\":true},{\"id\":2,\"is_online\":false}]}" },
    { "/organization", "$orderby=name%20asc", NULL },
    /* pine.get with a Date, $in and $not; pine.get with $count */
    { "/api_key",
      "$filter=created_at%20gt%20datetime%272024-01-01T00:00:00.000Z%27%20and%20name%20in%20(%27zeta%27,%27mid%27)"
      "%20and%20not(description%20eq%20null)", "{\"d\":[]}" },
    { "/api_key",
      "$select=id&$filter=created_at%20gt%20datetime%272024-01-01T00:00:00.000Z%27%20and%20name%20in%20"
      "(%27alpha%27,%27mid%27)%20and%20not(description%20eq%20null)", "{\"d\":[{\"id\":2}]}" },
    { "/device/$count", "$filter=belongs_to__application%20eq%201", "{\"d\":3}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = run_as (ALICE, cases[i].path, cases[i].query);

      if (cases[i].expected != NULL)
        g_assert_cmpstr (json, ==, cases[i].expected);
    }
}

static void
test_membership_list (void)
{
  g_autoptr(BaODataPermissions) perms = perms_for (ALICE, TRUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  /* Section 11, with the user permission that shows fleet co-members. */
  json = run_full ("/user_application_membership",
                   "$filter=is_member_of__application%20eq%201"
                   "&$expand=user($select=id,username),application_membership_role($select=id,name)",
                   perms, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json, ==,
                   "{\"d\":["
                   "{\"id\":1,\"user\":[{\"id\":1,\"username\":\"alice\"}],\"is_member_of__application\":{\"__id\":1},"
                   "\"application_membership_role\":[{\"id\":1,\"name\":\"developer\"}]},"
                   "{\"id\":2,\"user\":[{\"id\":2,\"username\":\"bob\"}],\"is_member_of__application\":{\"__id\":1},"
                   "\"application_membership_role\":[{\"id\":3,\"name\":\"observer\"}]}"
                   "]}");

  /* With the narrow permission, Bob's user row stays hidden inside the
   * expand; the membership row itself is still visible. */
  assert_json (ALICE, "/user_application_membership",
               "$select=id&$filter=is_member_of__application%20eq%201&$expand=user($select=username)",
               "{\"d\":[{\"id\":1,\"user\":[{\"username\":\"alice\"}]},{\"id\":2,\"user\":[]}]}");

  /* Carol cannot list fleet 1's members at all. */
  assert_json (CAROL, "/user_application_membership", "$filter=is_member_of__application%20eq%201",
               "{\"d\":[]}");
}

static void
test_keys (void)
{
  assert_json (ALICE, "/application_membership_role(name='developer')", "$select=id", "{\"d\":[{\"id\":1}]}");
  assert_json (ALICE, "/application_membership_role(name=%27observer%27)", "$select=id,name",
               "{\"d\":[{\"id\":3,\"name\":\"observer\"}]}");
  assert_json (ALICE, "/application_membership_role(name='nobody')", NULL, "{\"d\":[]}");
  assert_json (ALICE, "/application_membership_role(id=2)", "$select=name", "{\"d\":[{\"name\":\"operator\"}]}");

  /* Composite key, both spellings of the resource, both orders. */
  assert_json (ALICE, "/user_application_membership(user=2,is_member_of__application=1)", NULL,
               "{\"d\":[{\"id\":2,\"user\":{\"__id\":2},\"is_member_of__application\":{\"__id\":1},"
               "\"application_membership_role\":{\"__id\":3}}]}");
  assert_json (ALICE, "/user__is_member_of__application(is_member_of__application=1,user=2)", "$select=id",
               "{\"d\":[{\"id\":2}]}");
  /* Bob's membership of his own fleet is invisible to Alice. */
  assert_json (ALICE, "/user_application_membership(user=2,is_member_of__application=3)", NULL, "{\"d\":[]}");

  /* A key and a $filter together. */
  assert_json (ALICE, "/api_key(1)", "$select=id&$filter=name%20eq%20'zeta'", "{\"d\":[{\"id\":1}]}");
  assert_json (ALICE, "/api_key(1)", "$select=id&$filter=name%20eq%20'alpha'", "{\"d\":[]}");
}

static void
test_counts (void)
{
  assert_json (ALICE, "/device/$count", "$filter=belongs_to__application%20eq%201", "{\"d\":3}");
  assert_json (BOB, "/device/$count", "$filter=belongs_to__application%20eq%201", "{\"d\":3}");
  assert_json (CAROL, "/device/$count", "$filter=belongs_to__application%20eq%201", "{\"d\":0}");
  assert_json (ALICE, "/device/$count", NULL, "{\"d\":4}");
  assert_json (ALICE, "/api_key/$count", "$filter=name ne null", "{\"d\":4}");
  assert_json (ALICE, "/device/$count", "$top=2", "{\"d\":2}");

  assert_json (ALICE, "/application", "$select=id&$expand=owns__device/$count&$orderby=id",
               "{\"d\":[{\"id\":1,\"owns__device\":3},{\"id\":2,\"owns__device\":1},{\"id\":4,\"owns__device\":0}]}");
  assert_json (ALICE, "/application",
               "$select=id&$expand=owns__device/$count($filter=is_online%20eq%20true)&$orderby=id",
               "{\"d\":[{\"id\":1,\"owns__device\":2},{\"id\":2,\"owns__device\":0},{\"id\":4,\"owns__device\":0}]}");
  /* $count inside $filter. */
  assert_json (ALICE, "/application", "$select=id&$filter=owns__device/$count gt 2", "{\"d\":[{\"id\":1}]}");
  assert_json (ALICE, "/application",
               "$select=id&$filter=owns__device/$count($filter=is_online eq false) eq 1",
               "{\"d\":[{\"id\":1},{\"id\":2}]}");
}

static void
test_permissions (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autoptr(BaODataPermissions) none = ba_odata_permissions_new ();

  /* Plain reads and keys. */
  assert_json (BOB, "/api_key", "$select=id", "{\"d\":[{\"id\":5},{\"id\":6}]}");
  assert_json (BOB, "/api_key(1)", NULL, "{\"d\":[]}");
  assert_json (BOB, "/api_key", "$select=id&$filter=id eq 1 or id eq 2 or 1 eq 1", "{\"d\":[{\"id\":5},{\"id\":6}]}");

  /* $expand: Carol sees fleet 3, whose devices she may read; through the
   * device type she cannot reach fleets she is not in. */
  assert_json (CAROL, "/device_type(1)", "$select=slug&$expand=is_used_by__application($select=id)",
               "{\"d\":[{\"slug\":\"raspberrypi4-64\",\"is_used_by__application\":[{\"id\":3}]}]}");
  assert_json (ALICE, "/device_type(1)", "$select=slug&$expand=is_used_by__application($select=id)",
               "{\"d\":[{\"slug\":\"raspberrypi4-64\",\"is_used_by__application\":[{\"id\":1}]}]}");

  /* Lambdas in $filter. */
  assert_json (CAROL, "/device_type", "$select=id&$filter=is_used_by__application/any(a:a/app_name eq 'Beta fleet')",
               "{\"d\":[]}");
  assert_json (ALICE, "/device_type", "$select=id&$filter=is_used_by__application/any(a:a/app_name eq 'Beta fleet')",
               "{\"d\":[{\"id\":1}]}");
  /* all() only looks at visible rows. */
  assert_json (CAROL, "/device_type", "$select=id&$filter=is_used_by__application/all(a:a/id eq 3)",
               "{\"d\":[{\"id\":1}]}");

  /* Navigation paths in $filter: Bob sees both memberships of fleet 1 but
   * may not read Alice's user row, so her username does not match. */
  assert_json (BOB, "/user_application_membership", "$select=id&$filter=user/username eq 'alice'", "{\"d\":[]}");
  assert_json (BOB, "/user_application_membership", "$select=id&$filter=user/username eq 'bob'",
               "{\"d\":[{\"id\":2},{\"id\":4}]}");

  /* A resource without any permission entry. */
  json = run_full ("/api_key", NULL, none, &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED);
  g_assert_null (json);
  g_clear_error (&error);
  json = run_full ("/api_key", NULL, NULL, &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);

  /* Readable resource, unreadable navigation target: no rows come through. */
  {
    g_autoptr(BaODataPermissions) partial = ba_odata_permissions_new ();

    ba_odata_permissions_allow_all (partial, "application");
    json = run_full ("/application", "$select=id&$expand=owns__device/$count&$filter=owns__device/any()",
                     partial, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json, ==, "{\"d\":[]}");
    g_free (json);
    json = run_full ("/application", "$select=id&$expand=owns__device/$count&$top=1", partial, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json, ==, "{\"d\":[{\"id\":1,\"owns__device\":0}]}");
    g_free (json);
    json = run_full ("/application", "$select=id&$expand=owns__device($select=id)&$top=1", partial, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json, ==, "{\"d\":[{\"id\":1,\"owns__device\":[]}]}");
  }
}

static void
test_resolve_ids (void)
{
  static const struct {
    const char *path;
    const char *query;
    gint64 user_id, actor_id;
    guint n;
    gint64 ids[4];
  } cases[] = {
    { "/api_key(1)", NULL, ALICE, 1, { 1 } },
    { "/api_key(1)", NULL, BOB, 0, { 0 } },
    { "/api_key", "$filter=name eq 'alpha'", ALICE, 1, { 2 } },
    { "/api_key", "$filter=name eq 'alpha'", BOB, 1, { 6 } },
    { "/api_key", "$filter=name ne null", ALICE, 4, { 1, 2, 4, 7 } },
    { "/user_application_membership(user=2,is_member_of__application=1)", NULL, ALICE, 1, { 2 } },
    { "/user_application_membership(user=2,is_member_of__application=3)", NULL, ALICE, 0, { 0 } },
    { "/user_application_membership(user=2,is_member_of__application=3)", NULL, CAROL, 1, { 4 } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BaODataPermissions) perms = perms_for (cases[i].user_id, cases[i].actor_id, FALSE);
      g_autoptr(GError) error = NULL;
      g_autoptr(BaODataQuery) parsed = ba_odata_query_parse (model, cases[i].path, cases[i].query, &error);
      g_autoptr(GArray) ids = NULL;

      g_assert_no_error (error);
      ids = ba_odata_query_resolve_ids (parsed, db, perms, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (ids->len, ==, cases[i].n);
      for (guint j = 0; j < ids->len; j++)
        g_assert_cmpint (g_array_index (ids, gint64, j), ==, cases[i].ids[j]);
    }
}

static void
test_hidden_fields (void)
{
  g_autoptr(BaODataPermissions) perms = perms_for (ALICE, FALSE);
  g_autoptr(BaODataQuery) parsed = ba_odata_query_parse (model, "/api_key", "$filter=name eq 'SECRET-A1'", NULL);
  g_autofree char *sql = ba_odata_query_to_sql (parsed, perms, NULL);

  /* The secret column is not even fetched. */
  g_assert_null (strstr (sql, "\"key\""));

  /* run_as checks every output for the secrets; here the shapes that
   * could pull them in. */
  assert_json (ALICE, "/api_key", "$select=*&$filter=id eq 1",
               "{\"d\":[{\"id\":1,\"created_at\":\"2024-01-01T10:00:00.000Z\",\"is_of__actor\":{\"__id\":1001},"
               "\"name\":\"zeta\",\"description\":null,\"expiry_date\":null}]}");
  assert_json (ALICE, "/api_key", "$filter=name eq 'SECRET-A1'", "{\"d\":[]}");
  assert_json (ALICE, "/application", "$select=id&$filter=id eq 1&$expand=is_directly_accessible_by__user",
               "{\"d\":[{\"id\":1,\"is_directly_accessible_by__user\":[{\"id\":1,\"actor\":{\"__id\":1001},"
               "\"username\":\"alice\",\"created_at\":\"2024-01-01T00:00:00.000Z\"}]}]}");
  assert_parse_error ("/api_key", "$select=key", "not readable");
  assert_parse_error ("/api_key", "$select=%6Bey", "not readable");
  assert_parse_error ("/api_key", "$filter=contains(key,'S')", "not readable");
  assert_parse_error ("/application", "$expand=is_directly_accessible_by__user($select=password_hash)",
                      "not readable");
  assert_parse_error ("/application", "$filter=is_directly_accessible_by__user/any(u:u/password_hash ne null)",
                      "not readable");
}

static void
test_ordering_paging (void)
{
  assert_json (ALICE, "/device", "$select=id&$orderby=is_online%20desc,device_name%20asc",
               "{\"d\":[{\"id\":1},{\"id\":3},{\"id\":4},{\"id\":2}]}");
  assert_json (ALICE, "/device", "$select=id&$orderby=is_online%20asc,device_name%20desc",
               "{\"d\":[{\"id\":2},{\"id\":4},{\"id\":3},{\"id\":1}]}");
  assert_json (ALICE, "/device", "$select=id&$orderby=belongs_to__application/app_name,id desc",
               "{\"d\":[{\"id\":3},{\"id\":2},{\"id\":1},{\"id\":4}]}");
  assert_json (ALICE, "/device", "$select=id&$orderby=id&$top=2", "{\"d\":[{\"id\":1},{\"id\":2}]}");
  assert_json (ALICE, "/device", "$select=id&$orderby=id&$top=2&$skip=1", "{\"d\":[{\"id\":2},{\"id\":3}]}");
  assert_json (ALICE, "/device", "$select=id&$orderby=id&$skip=3", "{\"d\":[{\"id\":4}]}");
  assert_json (ALICE, "/device", "$select=id&$top=0", "{\"d\":[]}");
  assert_json (ALICE, "/api_key", "$select=id&$orderby=expiry_date desc,created_at desc&$top=3",
               "{\"d\":[{\"id\":4},{\"id\":7},{\"id\":3}]}");

  /* Nested options: per-parent $top/$skip and ordering in an expand. */
  /* Several rows expanding the same parent each get the rows. */
  assert_json (ALICE, "/device", "$select=id&$filter=id le 2&$expand=belongs_to__application($select=slug)",
               "{\"d\":[{\"id\":1,\"belongs_to__application\":[{\"slug\":\"alice/beta\"}]},"
               "{\"id\":2,\"belongs_to__application\":[{\"slug\":\"alice/beta\"}]}]}");
  assert_json (ALICE, "/application",
               "$select=id&$filter=id eq 1&$expand=owns__device($select=id;$orderby=id desc;$top=2;$skip=0)",
               "{\"d\":[{\"id\":1,\"owns__device\":[{\"id\":3},{\"id\":2}]}]}");
  assert_json (ALICE, "/application",
               "$select=id&$filter=id le 2&$orderby=id&$expand=owns__device($select=id;$orderby=id;$top=1;$skip=1)",
               "{\"d\":[{\"id\":1,\"owns__device\":[{\"id\":2}]},{\"id\":2,\"owns__device\":[]}]}");
  assert_json (ALICE, "/application",
               "$select=id&$filter=id eq 1&$expand=user_application_membership($select=id;$orderby=id desc;"
               "$expand=application_membership_role($select=name),user($select=username;$filter=username eq 'alice'))",
               "{\"d\":[{\"id\":1,\"user_application_membership\":["
               "{\"id\":2,\"application_membership_role\":[{\"name\":\"observer\"}],\"user\":[]},"
               "{\"id\":1,\"application_membership_role\":[{\"name\":\"developer\"}],\"user\":[{\"username\":\"alice\"}]}]}]}");
}

static void
test_literals (void)
{
  assert_json (ALICE, "/api_key", "$select=id&$filter=description eq 'it''s mine'", "{\"d\":[{\"id\":2}]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=description%20eq%20%27it%27%27s%20mine%27",
               "{\"d\":[{\"id\":2}]}");
  /* A '+' in the query is a space, as Express (qs) reads it; %2B is a
   * plus. So 'a+b' looks for "a b", and only 'a%2Bb' finds "a+b". */
  assert_json (ALICE, "/api_key", "$select=id&$filter=name eq 'a+b'", "{\"d\":[]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=name eq 'a%2Bb'", "{\"d\":[{\"id\":7}]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=name eq 'a b'", "{\"d\":[]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=id+eq+7", "{\"d\":[{\"id\":7}]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=id+in+(2,7)&$orderby=id+desc",
               "{\"d\":[{\"id\":7},{\"id\":2}]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=name+eq+@n&@n=%27a%2Bb%27", "{\"d\":[{\"id\":7}]}");
  assert_json (ALICE, "/api_key(id=7)", "$select=id", "{\"d\":[{\"id\":7}]}");
  assert_json (ALICE, "/application", "$select=id&$filter=app_name eq 'Bob''s fleet'", "{\"d\":[]}");
  assert_json (BOB, "/application", "$select=id&$filter=app_name eq 'Bob''s fleet'", "{\"d\":[{\"id\":3}]}");

  /* Date-times: pinejs-client's datetime'…', a bare literal, an offset,
   * and a string compared as an instant. */
  assert_json (ALICE, "/api_key", "$select=id&$filter=expiry_date gt datetime'2029-01-01T00:00:00.000Z'",
               "{\"d\":[{\"id\":4}]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=expiry_date lt 2030-06-01T00:00:01Z", "{\"d\":[{\"id\":4}]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=expiry_date eq datetime'2030-06-01T02:00:00%2B02:00'",
               "{\"d\":[{\"id\":4}]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=created_at eq '2024-01-02T10:00:00Z'", "{\"d\":[{\"id\":2}]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=created_at ge datetime'2024-01-04T10:00:00Z'&$orderby=id",
               "{\"d\":[{\"id\":4},{\"id\":7}]}");

  /* Numbers, booleans, null, in, not, functions, aliases. */
  assert_json (ALICE, "/device", "$select=id&$filter=cpu_temp gt 50", "{\"d\":[{\"id\":3}]}");
  assert_json (ALICE, "/device", "$select=id&$filter=cpu_temp ge 40.5 and cpu_temp lt 60.3", "{\"d\":[{\"id\":1},{\"id\":3}]}");
  assert_json (ALICE, "/device", "$select=id&$filter=cpu_temp eq null", "{\"d\":[{\"id\":2},{\"id\":4}]}");
  assert_json (ALICE, "/device", "$select=id&$filter=is_online", "{\"d\":[{\"id\":1},{\"id\":3}]}");
  assert_json (ALICE, "/device", "$select=id&$filter=not is_online", "{\"d\":[{\"id\":2},{\"id\":4}]}");
  assert_json (ALICE, "/device", "$select=id&$filter=is_online eq false", "{\"d\":[{\"id\":2},{\"id\":4}]}");
  assert_json (ALICE, "/device", "$select=id&$filter=id in (2,4,5)", "{\"d\":[{\"id\":2},{\"id\":4}]}");
  assert_json (ALICE, "/device", "$select=id&$filter=not (id in (2,4)) and (id eq 1 or id eq 4)",
               "{\"d\":[{\"id\":1}]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=contains(name,'ph')", "{\"d\":[{\"id\":2}]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=substringof('ph',name)", "{\"d\":[{\"id\":2}]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=startswith(name,'a')&$orderby=id",
               "{\"d\":[{\"id\":2},{\"id\":7}]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=endswith(name,'ta')", "{\"d\":[{\"id\":1}]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=endswith(name,'')&$orderby=id",
               "{\"d\":[{\"id\":1},{\"id\":2},{\"id\":4},{\"id\":7}]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=toupper(name) eq 'ZETA' and length(name) eq 4",
               "{\"d\":[{\"id\":1}]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=name eq @n&@n=%27mid%27", "{\"d\":[{\"id\":4}]}");
  assert_json (ALICE, "/api_key(@k)", "$select=id&@k=4", "{\"d\":[{\"id\":4}]}");
}

static void
test_lambdas (void)
{
  /* Bob sees fleets 1 and 3 and the public block (no devices). */
  assert_json (BOB, "/application", "$select=id&$filter=owns__device/all(d:d/is_online eq true)",
               "{\"d\":[{\"id\":3},{\"id\":4}]}");
  assert_json (BOB, "/application", "$select=id&$filter=owns__device/any(d:d/is_online eq false)",
               "{\"d\":[{\"id\":1}]}");
  assert_json (BOB, "/application", "$select=id&$filter=owns__device/any()", "{\"d\":[{\"id\":1},{\"id\":3}]}");
  assert_json (BOB, "/application", "$select=id&$filter=not owns__device/any()", "{\"d\":[{\"id\":4}]}");
  /* Nested lambdas with a reference to the outer variable and to $it. */
  assert_json (ALICE, "/application",
               "$select=id&$filter=owns__device/any(d:d/is_online eq true and "
               "d/belongs_to__application/owns__device/any(e:e/id ne d/id and e/is_online eq false and app_name eq 'Beta fleet'))",
               "{\"d\":[{\"id\":1}]}");
  assert_json (ALICE, "/device", "$select=id&$filter=belongs_to__application/organization/handle eq 'alice' and id ge 3",
               "{\"d\":[{\"id\":3},{\"id\":4}]}");
  assert_json (CAROL, "/user_application_membership",
               "$select=id&$filter=is_member_of__application/owns__device/all(d:d/is_online)",
               "{\"d\":[{\"id\":4},{\"id\":5}]}");
  /* any() over a to-one navigation, as balena-sdk's membership pre-check
   * sends it (user/any(u:u/username eq '…')). */
  assert_json (ALICE, "/user_application_membership", "$select=id&$filter=user/any(u:u/username eq 'alice')",
               "{\"d\":[{\"id\":1},{\"id\":3}]}");
}

/* ------------------------------------------------------------------ */
/* Hostile input                                                      */

static void
assert_rejected (const char *path,
                 const char *query)
{
  g_autoptr(BaODataPermissions) perms = perms_for (ALICE, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *json = run_full (path, query, perms, &error);

  g_assert_null (json);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
}

static void
test_hostile (void)
{
  g_autoptr(GString) deep = g_string_new ("$filter=");
  g_autoptr(GString) nots = g_string_new ("$filter=");
  g_autoptr(GString) expands = g_string_new ("$expand=");
  g_autoptr(GString) chain = g_string_new ("$filter=id eq 0");
  g_autoptr(GString) in_list = g_string_new ("$filter=id in (0");
  g_autofree char *huge = NULL;
  g_autofree char *long_literal = NULL;
  g_autoptr(BaODataPermissions) perms = perms_for (ALICE, FALSE);

  for (guint i = 0; i < 10000; i++)
    g_string_append_c (deep, '(');
  g_string_append (deep, "id eq 1");
  for (guint i = 0; i < 10000; i++)
    g_string_append_c (deep, ')');
  assert_parse_error ("/device", deep->str, "nested too deeply");

  /* Unbalanced the other way round. */
  g_string_truncate (deep, strlen ("$filter=") + 10000);
  assert_parse_error ("/device", deep->str, NULL);

  for (guint i = 0; i < 5000; i++)
    g_string_append (nots, "not ");
  g_string_append (nots, "is_online");
  assert_parse_error ("/device", nots->str, "nested too deeply");

  for (guint i = 0; i < 40; i++)
    g_string_append (expands, "belongs_to__application($expand=owns__device($expand=");
  assert_parse_error ("/device", expands->str, NULL);

  /* 1 MB literal: over the query limit; 20 KB: over the literal limit. */
  huge = g_strnfill (1024 * 1024, 'a');
  {
    g_autofree char *query = g_strdup_printf ("$filter=name eq '%s'", huge);

    assert_parse_error ("/api_key", query, "longer than");
  }
  long_literal = g_strnfill (20 * 1024, 'b');
  {
    g_autofree char *query = g_strdup_printf ("$filter=name eq '%s'", long_literal);

    assert_parse_error ("/api_key", query, "String literal");
  }

  /* Long flat chains: capped before SQLite's own limits. */
  for (guint i = 1; i < 3000; i++)
    g_string_append_printf (chain, " or id eq %u", i);
  assert_parse_error ("/device", chain->str, "too complex");
  for (guint i = 1; i < 1200; i++)
    g_string_append_printf (in_list, ",%u", i);
  g_string_append_c (in_list, ')');
  assert_rejected ("/device", in_list->str);

  assert_parse_error ("/api_key", "$filter=name eq 'unbalanced", "unterminated");
  assert_parse_error ("/api_key", "$filter=name eq unbalanced'", NULL);
  assert_parse_error ("/api_key", "$filter='''", "unterminated");
  assert_parse_error ("/api_key", "$filter=((name eq 'x')", NULL);
  assert_parse_error ("/api_key", "$filter=name eq 'x'))", NULL);
  assert_parse_error ("/api_key", "$filter=name%20eq%20'x'%3B%20DROP%20TABLE%20api_key", NULL);
  assert_parse_error ("/api_key", "$filter=name eq 'x' or 1=1 --", NULL);
  assert_parse_error ("/api_key", "$orderby=name; DROP TABLE api_key", NULL);
  assert_parse_error ("/api_key", "$select=id,name FROM api_key --", NULL);
  assert_parse_error ("/api_key;DROP TABLE api_key", NULL, NULL);
  assert_parse_error ("/api_key", "$filter=\x01", NULL);

  /* Injection attempts inside string literals are just strings. */
  assert_json (ALICE, "/api_key", "$select=id&$filter=name eq 'x'' OR 1=1 --'", "{\"d\":[]}");
  assert_json (ALICE, "/api_key", "$select=id&$filter=name%20eq%20%27x%27%27%20OR%20%27%271%27%27%3D%27%271%27", "{\"d\":[]}");
  assert_json (ALICE, "/application_membership_role(name='developer'' OR 1=1 --')", NULL, "{\"d\":[]}");
  {
    g_autoptr(BaODataQuery) parsed = ba_odata_query_parse (model, "/api_key", "$filter=name eq 'x'' OR 1=1 --'", NULL);
    g_autofree char *sql = NULL;
    guint n_params = 0;

    sql = ba_odata_query_to_sql (parsed, perms, &n_params);
    g_assert_null (strstr (sql, "OR 1=1"));
    g_assert_null (strstr (sql, "'x"));
    g_assert_cmpuint (n_params, ==, 2);   /* the permission's 1001 and the literal */
  }

  /* The tables are intact. */
  assert_json (ALICE, "/api_key/$count", NULL, "{\"d\":5}");
}

/* BA_TEST_FUZZ_ITERATIONS raises the count for a longer local run. */
static guint
fuzz_iterations (void)
{
  const char *env = g_getenv ("BA_TEST_FUZZ_ITERATIONS");

  return env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : 20000;
}

/* Random token soup must give a result or a clean 400, never a crash
 * (the ASan/UBSan build runs this too). */
static void
test_fuzz (void)
{
  static const char * const pieces[] = {
    "(", ")", "'", "''", "'x'", ",", "/", ":", ";", "=", "*", " ", "%20", "%27", "%", "%2", "@a",
    "eq", "ne", "gt", "and", "or", "not", "in", "any", "all", "$count", "$filter", "$select",
    "$expand", "$top", "null", "true", "1", "-", "1.5", "1e999", "2024-01-01T00:00:00Z", "datetime'",
    "id", "app_name", "owns__device", "d", "d/is_online", "is_directly_accessible_by__user",
    "contains", "tolower", "organization", "is_public", "\xff", "\xc3", "+", "&", "?", "#",
  };
  static const char * const options[] = { "$filter=", "$expand=", "$select=", "$orderby=", "$top=", "@a=" };
  g_autoptr(BaODataPermissions) perms = perms_for (ALICE, FALSE);
  GRand *rand = g_rand_new_with_seed (20261204);
  guint ok = 0;
  guint n_iterations = fuzz_iterations ();

  for (guint i = 0; i < n_iterations; i++)
    {
      g_autoptr(GString) query = g_string_new (options[g_rand_int_range (rand, 0, G_N_ELEMENTS (options))]);
      g_autoptr(GError) error = NULL;
      g_autofree char *json = NULL;
      guint n = g_rand_int_range (rand, 0, 12);

      for (guint j = 0; j < n; j++)
        g_string_append (query, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);

      json = run_full (g_rand_boolean (rand) ? "/application" : "/application(1)", query->str, perms, &error);
      if (json != NULL)
        {
          g_assert_no_error (error);
          ok++;
        }
      else
        g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
    }

  g_test_message ("%u of %u random queries were valid", ok, n_iterations);
  g_assert_cmpuint (ok, >, 0);
  g_rand_free (rand);
}

/* More parents than one batched IN (…) takes. */
static void
test_large_expand (void)
{
  g_autoptr(BaODataPermissions) perms = ba_odata_permissions_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(BaODataQuery) parsed = NULL;
  g_autoptr(JsonNode) node = NULL;
  sqlite3 *big = open_db ();
  JsonArray *rows;
  gint64 total = 0;

  exec_sql (big, "BEGIN");
  for (guint i = 1; i <= 1000; i++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO application (id, app_name) VALUES (%u, 'app %u');"
                                              "INSERT INTO device (uuid, belongs_to__application, is_online)"
                                              " VALUES ('a%u', %u, 1), ('b%u', %u, 0);",
                                              i, i, i, i, i, i);
      exec_sql (big, sql);
    }
  exec_sql (big, "COMMIT");
  ba_odata_permissions_allow_all (perms, "application");
  ba_odata_permissions_allow_all (perms, "device");

  parsed = ba_odata_query_parse (model, "/application",
                                 "$select=id&$expand=owns__device($select=uuid;$orderby=uuid),"
                                 "is_directly_accessible_by__user/$count&$orderby=id", &error);
  g_assert_no_error (error);
  node = ba_odata_query_execute (parsed, big, perms, &error);
  g_assert_no_error (error);

  rows = json_object_get_array_member (json_node_get_object (node), "d");
  g_assert_cmpuint (json_array_get_length (rows), ==, 1000);
  for (guint i = 0; i < 1000; i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      JsonArray *devices = json_object_get_array_member (row, "owns__device");
      g_autofree char *uuid = g_strdup_printf ("a%u", i + 1);

      g_assert_cmpint (json_object_get_int_member (row, "id"), ==, i + 1);
      g_assert_cmpuint (json_array_get_length (devices), ==, 2);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (devices, 0), "uuid"), ==, uuid);
      total += json_object_get_int_member (row, "is_directly_accessible_by__user");
    }
  g_assert_cmpint (total, ==, 0);

  /* A filter with 600 values leaves room for fewer keys per batch; the
   * batches shrink instead of failing. */
  {
    g_autoptr(GString) query = g_string_new ("$select=id&$orderby=id&$expand=owns__device($select=uuid;$filter=uuid in (");
    g_autoptr(JsonNode) filtered = NULL;
    g_autoptr(BaODataQuery) big_query = NULL;
    guint with_device = 0;

    for (guint i = 1; i <= 600; i++)
      g_string_append_printf (query, "%s'a%u'", i > 1 ? "," : "", i);
    g_string_append (query, "))");
    big_query = ba_odata_query_parse (model, "/application", query->str, &error);
    g_assert_no_error (error);
    filtered = ba_odata_query_execute (big_query, big, perms, &error);
    g_assert_no_error (error);
    rows = json_object_get_array_member (json_node_get_object (filtered), "d");
    g_assert_cmpuint (json_array_get_length (rows), ==, 1000);
    for (guint i = 0; i < 1000; i++)
      {
        JsonObject *row = json_array_get_object_element (rows, i);

        with_device += json_array_get_length (json_object_get_array_member (row, "owns__device"));
      }
    g_assert_cmpuint (with_device, ==, 600);
  }

  sqlite3_close (big);
}

/* Valid client URLs with random damage: deletions, duplications and
 * inserted pieces, which reach deeper into the parser than token soup. */
static void
test_fuzz_mutations (void)
{
  static const char * const inserts[] = {
    "(", ")", "'", "/", ",", ";", "$count", "any(x:", "%27", "%", " ", "eq", "not ", "@a", "$expand=", "\x80",
  };
  g_autoptr(BaODataPermissions) perms = perms_for (CAROL, TRUE);
  GRand *rand = g_rand_new_with_seed (4242);
  guint n_iterations = fuzz_iterations ();
  guint ok = 0;

  for (guint i = 0; i < n_iterations; i++)
    {
      guint c = g_rand_int_range (rand, 0, G_N_ELEMENTS (round_trip_cases));
      g_autoptr(GString) path = g_string_new (round_trip_cases[c].path);
      g_autoptr(GString) query = g_string_new (round_trip_cases[c].query);
      g_autoptr(GError) error = NULL;
      g_autofree char *json = NULL;
      guint n = g_rand_int_range (rand, 1, 4);

      for (guint j = 0; j < n; j++)
        {
          GString *target = g_rand_int_range (rand, 0, 5) == 0 ? path : query;
          guint at = target->len > 0 ? g_rand_int_range (rand, 0, target->len) : 0;

          switch (g_rand_int_range (rand, 0, 3))
            {
            case 0:
              {
                guint len = g_rand_int_range (rand, 1, 4);

                g_string_erase (target, at, MIN (target->len - at, len));
              }
              break;
            case 1:
              g_string_insert (target, at, inserts[g_rand_int_range (rand, 0, G_N_ELEMENTS (inserts))]);
              break;
            default:
              {
                g_autofree char *copy = g_strndup (target->str + at, g_rand_int_range (rand, 1, 16));

                g_string_insert (target, at, copy);
              }
              break;
            }
        }

      json = run_full (path->str, query->str, perms, &error);
      if (json != NULL)
        ok++;
      else
        g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
    }

  g_test_message ("%u of %u mutated queries were still valid", ok, n_iterations);
  g_assert_cmpuint (ok, >, 0);
  g_rand_free (rand);
}

/* The issue's figure: 10,000 keys through the CLI's query. */
static void
test_many_keys (void)
{
  g_autoptr(BaODataPermissions) perms = perms_for (ALICE, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(BaODataQuery) parsed = NULL;
  g_autoptr(JsonNode) node = NULL;
  sqlite3 *big = open_db ();
  JsonArray *rows;
  gint64 start;
  const char *previous = "";

  exec_sql (big, "BEGIN");
  for (guint i = 1; i <= 10000; i++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO api_key (key, is_of__actor, name, created_at)"
                                              " VALUES ('SECRET-%u', %u, 'key %05u', '2024-01-01T00:00:00.000Z');",
                                              i, i % 10 == 0 ? 1002 : 1001, (i * 7919) % 10007);
      exec_sql (big, sql);
    }
  exec_sql (big, "COMMIT");

  start = g_get_monotonic_time ();
  parsed = ba_odata_query_parse (model, "/api_key",
                                 "$select=id,created_at,name,description,expiry_date"
                                 "&$filter=is_of__actor%20eq%201001%20and%20name%20ne%20null&$orderby=name%20asc",
                                 &error);
  g_assert_no_error (error);
  node = ba_odata_query_execute (parsed, big, perms, &error);
  g_assert_no_error (error);
  g_test_message ("10,000 keys: %" G_GINT64_FORMAT " ms", (g_get_monotonic_time () - start) / 1000);

  rows = json_object_get_array_member (json_node_get_object (node), "d");
  g_assert_cmpuint (json_array_get_length (rows), ==, 9000);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      const char *name = json_object_get_string_member (json_array_get_object_element (rows, i), "name");

      g_assert_cmpint (strcmp (previous, name), <, 0);
      previous = name;
    }

  sqlite3_close (big);
}

static void
test_read_row (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) row = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *json = NULL;

  row = ba_odata_read_row (model, db, "user_application_membership", 2, &error);
  g_assert_no_error (error);
  json_node_set_object (node, row);
  json = json_to_string (node, FALSE);
  g_assert_cmpstr (json, ==, "{\"id\":2,\"user\":{\"__id\":2},\"is_member_of__application\":{\"__id\":1},"
                   "\"application_membership_role\":{\"__id\":3}}");
  g_clear_pointer (&row, json_object_unref);

  row = ba_odata_read_row (model, db, "api_key", 5, &error);
  g_assert_no_error (error);
  g_assert_false (json_object_has_member (row, "key"));
  g_assert_cmpstr (json_object_get_string_member (row, "name"), ==, "bobkey");
  g_clear_pointer (&row, json_object_unref);

  row = ba_odata_read_row (model, db, "api_key", 999, &error);
  g_assert_no_error (error);
  g_assert_null (row);

  row = ba_odata_read_row (model, db, "nope", 1, &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_assert_null (row);
}

static void
test_model_check (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaODataModel) broken = NULL;
  BaODataResource *res;
  static const char * const bad_key[] = { "nope", NULL };

  g_assert_true (ba_odata_model_check (model, db, &error));
  g_assert_no_error (error);

  broken = ba_odata_model_new ();
  res = ba_odata_model_add_resource (broken, "device", "device", "id");
  ba_odata_resource_add_field (res, "colour", "colour", BA_ODATA_TYPE_TEXT, 0);
  g_assert_false (ba_odata_model_check (broken, db, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "colour"));
  g_clear_error (&error);
  g_clear_pointer (&broken, ba_odata_model_free);

  broken = ba_odata_model_new ();
  res = ba_odata_model_add_resource (broken, "device", "device", "id");
  ba_odata_resource_add_foreign_key (res, "belongs_to__application", "belongs_to__application", "application");
  g_assert_false (ba_odata_model_check (broken, db, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "unknown resource 'application'"));
  g_clear_error (&error);

  ba_odata_model_add_resource (broken, "application", "no_such_table", "id");
  g_assert_false (ba_odata_model_check (broken, db, &error));
  g_assert_nonnull (strstr (error->message, "no_such_table"));
  g_clear_error (&error);
  g_clear_pointer (&broken, ba_odata_model_free);

  broken = ba_odata_model_new ();
  res = ba_odata_model_add_resource (broken, "application", "application", "id");
  ba_odata_resource_add_link_navigation (res, "users", "application", "id", "membership", "app", "user", NULL);
  g_assert_false (ba_odata_model_check (broken, db, &error));
  g_assert_nonnull (strstr (error->message, "app"));
  g_clear_error (&error);
  g_clear_pointer (&broken, ba_odata_model_free);

  broken = ba_odata_model_new ();
  res = ba_odata_model_add_resource (broken, "application", "application", "id");
  ba_odata_resource_add_alternate_key (res, bad_key);
  g_assert_false (ba_odata_model_check (broken, db, &error));
  g_assert_nonnull (strstr (error->message, "unknown field 'nope'"));
}

static void
test_database_errors (void)
{
  g_autoptr(BaODataModel) broken = ba_odata_model_new ();
  g_autoptr(BaODataPermissions) perms = ba_odata_permissions_new ();
  g_autoptr(BaODataQuery) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  BaODataResource *res;

  /* A model that does not match the schema is a server error, not a 400. */
  res = ba_odata_model_add_resource (broken, "ghost", "no_such_table", "id");
  ba_odata_resource_add_field (res, "name", "name", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_foreign_key (res, "owner", "owner", "nobody");
  ba_odata_permissions_allow_all (perms, "ghost");

  parsed = ba_odata_query_parse (broken, "/ghost", NULL, &error);
  g_assert_no_error (error);
  node = ba_odata_query_execute (parsed, db, perms, &error);
  g_assert_null (node);
  g_assert_error (error, BA_ERROR, BA_ERROR_FAILED);
  g_clear_error (&error);

  /* A broken table behind an $expand fails the whole query cleanly. */
  {
    BaODataResource *real = ba_odata_model_add_resource (broken, "device", "device", "id");

    ba_odata_resource_add_navigation (real, "haunts", "ghost", BA_ODATA_TO_MANY, "id", "device");
    ba_odata_permissions_allow_all (perms, "device");
    g_clear_pointer (&parsed, ba_odata_query_free);
    parsed = ba_odata_query_parse (broken, "/device", "$expand=haunts($filter=name eq 'boo')", &error);
    g_assert_no_error (error);
    node = ba_odata_query_execute (parsed, db, perms, &error);
    g_assert_null (node);
    g_assert_error (error, BA_ERROR, BA_ERROR_FAILED);
    g_clear_error (&error);
    g_clear_pointer (&parsed, ba_odata_query_free);
    parsed = ba_odata_query_parse (broken, "/device", "$expand=haunts/$count", &error);
    g_assert_no_error (error);
    node = ba_odata_query_execute (parsed, db, perms, &error);
    g_assert_null (node);
    g_assert_error (error, BA_ERROR, BA_ERROR_FAILED);
    g_clear_error (&error);
  }

  g_clear_pointer (&parsed, ba_odata_query_free);
  parsed = ba_odata_query_parse (broken, "/ghost", "$expand=owner", &error);
  g_assert_null (parsed);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "unknown resource 'nobody'"));
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  db = open_db ();
  exec_sql (db, data);
  model = build_model ();

  g_test_add_func ("/ba/server-odata/parse/round-trip", test_parse_round_trip);
  g_test_add_func ("/ba/server-odata/parse/accessors", test_parse_accessors);
  g_test_add_func ("/ba/server-odata/parse/errors", test_parse_errors);
  g_test_add_func ("/ba/server-odata/query/cli-api-key-list", test_cli_api_key_list);
  g_test_add_func ("/ba/server-odata/query/default-select", test_default_select);
  g_test_add_func ("/ba/server-odata/query/sdk-directly-accessible", test_sdk_directly_accessible);
  g_test_add_func ("/ba/server-odata/query/membership-list", test_membership_list);
  g_test_add_func ("/ba/server-odata/query/sdk-urls", test_sdk_urls);
  g_test_add_func ("/ba/server-odata/query/keys", test_keys);
  g_test_add_func ("/ba/server-odata/query/counts", test_counts);
  g_test_add_func ("/ba/server-odata/query/ordering-paging", test_ordering_paging);
  g_test_add_func ("/ba/server-odata/query/literals", test_literals);
  g_test_add_func ("/ba/server-odata/query/lambdas", test_lambdas);
  g_test_add_func ("/ba/server-odata/query/large-expand", test_large_expand);
  g_test_add_func ("/ba/server-odata/permissions/reads", test_permissions);
  g_test_add_func ("/ba/server-odata/permissions/resolve-ids", test_resolve_ids);
  g_test_add_func ("/ba/server-odata/permissions/hidden-fields", test_hidden_fields);
  g_test_add_func ("/ba/server-odata/hostile/inputs", test_hostile);
  g_test_add_func ("/ba/server-odata/hostile/fuzz", test_fuzz);
  g_test_add_func ("/ba/server-odata/hostile/fuzz-mutations", test_fuzz_mutations);
  g_test_add_func ("/ba/server-odata/query/many-keys", test_many_keys);
  g_test_add_func ("/ba/server-odata/query/read-row", test_read_row);
  g_test_add_func ("/ba/server-odata/errors/database", test_database_errors);
  g_test_add_func ("/ba/server-odata/errors/model-check", test_model_check);

  ret = g_test_run ();

  ba_odata_model_free (model);
  sqlite3_close (db);

  return ret;
}
