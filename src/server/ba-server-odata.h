/* ba-server-odata.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* The server's OData engine: the read side of pine's query language as
 * balena-sdk (through pinejs-client) and balena-cli send it, compiled to
 * SQLite with bound parameters.
 *
 * Three parts:
 *  - BaODataModel describes the resources once at start-up: table, fields,
 *    navigation properties, alternate keys.
 *  - BaODataQuery is one parsed request (path + raw query string). Parsing
 *    checks every name against the model, so a query that parses refers only
 *    to readable fields. All parse errors are BA_ERROR_INVALID_INPUT with a
 *    message meant for a 400 body.
 *  - BaODataPermissions holds the per-request row filters. Every table read
 *    (top level, $expand, navigation paths and lambdas in $filter) is ANDed
 *    with the filter of its resource. A resource without an entry is not
 *    readable at all: no rows through navigation, PERMISSION_DENIED at the
 *    top level.
 *
 * URL decoding: the query string is split at '&' and '=' first, then each
 * name and value is percent-decoded once. '+' stays a literal plus (RFC
 * 3986 rather than HTML forms): OData clients, pinejs-client included,
 * send a space as %20 and a plus inside a string as %2B, so '+' never
 * stands for a space. Parameters whose name does not start with '$' or '@'
 * (such as apikey=) are ignored; '@name' parameter aliases are supported;
 * $format=json and $count=false are accepted and ignored; $count=true is
 * refused (clients use the /$count path); any other unknown $option is an
 * error.
 *
 * Wiring a GET route, in outline:
 *
 *   query = ba_odata_query_parse (model, path_after_v7, g_uri_get_query (uri), &error);
 *   perms = ba_odata_permissions_new ();
 *   ba_odata_permissions_allow_where (perms, "api_key", "is_of__actor = ?",
 *                                     g_variant_new ("(x)", caller_actor_id));
 *   body = query != NULL ? ba_odata_query_execute (query, db, perms, &error) : NULL;
 *
 * then 200 with json_to_string (body), or for an error: INVALID_INPUT → 400
 * with error->message as a JSON string, PERMISSION_DENIED → 401, anything
 * else → 500. PATCH and DELETE parse the same way (the key, and $filter if
 * given) and act on ba_odata_query_resolve_ids(), with a permissions object
 * describing what the caller may change.
 *
 * Filter language: eq ne gt ge lt le, and or not, parentheses, "in (…)",
 * null true false, integers, decimals, 'strings' (quotes doubled),
 * datetime'…' and bare ISO date-times, navigation paths a/b/c through
 * to-one navigations, nav/any(x: …), nav/all(x: …), nav/any(),
 * nav/$count and nav/$count($filter=…) as numbers, and the functions
 * contains, substringof, startswith, endswith, tolower, toupper, trim and
 * length. Inside a lambda, x/field is the lambda's row and a bare field the
 * outer row. eq/ne are null-safe (SQL IS / IS NOT); date-times compare as
 * instants. Rows always come out in the $orderby order, then by id. */

/* Field types. A foreign key is an integer column that serialises as
 * {"__id":N} (null when NULL) and also acts as a to-one navigation. Datetimes
 * are stored as ISO-8601 text (or Unix seconds) and always come out as
 * "YYYY-MM-DDTHH:MM:SS.mmmZ". Booleans are stored as 0/1. */
typedef enum
{
  BA_ODATA_TYPE_INTEGER,
  BA_ODATA_TYPE_DECIMAL,
  BA_ODATA_TYPE_TEXT,
  BA_ODATA_TYPE_BOOLEAN,
  BA_ODATA_TYPE_DATETIME,
  BA_ODATA_TYPE_FOREIGN_KEY,
} BaODataType;

typedef enum
{
  BA_ODATA_FIELD_NONE   = 0,
  /* Never readable over OData: not output (not even for $select=*), and
   * naming it in $select, $filter or $orderby is a 400 that says the field
   * is not readable. For secrets such as api_key.key. */
  BA_ODATA_FIELD_HIDDEN = 1 << 0,
} BaODataFieldFlags;

typedef enum
{
  BA_ODATA_TO_ONE,
  BA_ODATA_TO_MANY,
} BaODataCardinality;

/* Hostile-input limits. */
#define BA_ODATA_MAX_QUERY_LENGTH   (64 * 1024)  /* raw, before decoding */
#define BA_ODATA_MAX_LITERAL_LENGTH (16 * 1024)  /* one string literal */
#define BA_ODATA_MAX_DEPTH          32           /* parentheses, not, lambdas, expands */
#define BA_ODATA_MAX_EXPANDS        32           /* $expand items in one query */
#define BA_ODATA_MAX_TOP            100000

typedef struct _BaODataModel       BaODataModel;
typedef struct _BaODataResource    BaODataResource;
typedef struct _BaODataQuery       BaODataQuery;
typedef struct _BaODataPermissions BaODataPermissions;

/* The model. Resources refer to each other by name, so they can be added in
 * any order; names are checked when a query is parsed. Every resource has a
 * single integer primary key column (the "id" field). */
BaODataModel    *ba_odata_model_new                  (void);
void             ba_odata_model_free                 (BaODataModel        *model);
/* Adds a resource with an integer "id" field stored in @id_column. The
 * returned pointer belongs to the model. */
BaODataResource *ba_odata_model_add_resource         (BaODataModel        *model,
                                                      const char          *name,
                                                      const char          *table,
                                                      const char          *id_column);
/* A second name for a resource, such as user_application_membership for
 * user__is_member_of__application. Permissions use the canonical name. */
void             ba_odata_model_add_alias            (BaODataModel        *model,
                                                      const char          *alias,
                                                      const char          *name);
BaODataResource *ba_odata_model_lookup               (BaODataModel        *model,
                                                      const char          *name);

void             ba_odata_resource_add_field         (BaODataResource     *resource,
                                                      const char          *name,
                                                      const char          *column,
                                                      BaODataType          type,
                                                      BaODataFieldFlags    flags);
/* A foreign-key field @name in @column that points at @target's id, plus a
 * to-one navigation of the same name (so "user" is {"__id":1} unexpanded,
 * and $expand=user or user/username in $filter follow it). Adding it twice
 * under two names gives a synonym. */
void             ba_odata_resource_add_foreign_key   (BaODataResource     *resource,
                                                      const char          *name,
                                                      const char          *column,
                                                      const char          *target);
/* A navigation where @target.@remote_column = this.@local_column, such as
 * application.owns__device: (TO_MANY, "device", "id", "belongs_to__application"
 * column). @remote_column NULL means the target's id column. */
void             ba_odata_resource_add_navigation    (BaODataResource     *resource,
                                                      const char          *name,
                                                      const char          *target,
                                                      BaODataCardinality   cardinality,
                                                      const char          *local_column,
                                                      const char          *remote_column);
/* A to-many navigation through a link table: target rows whose
 * @remote_column equals @link_table.@link_remote_column for a link row whose
 * @link_local_column equals this.@local_column. The link table itself has no
 * permission filter; the target's filter applies as usual. */
void             ba_odata_resource_add_link_navigation (BaODataResource   *resource,
                                                      const char          *name,
                                                      const char          *target,
                                                      const char          *local_column,
                                                      const char          *link_table,
                                                      const char          *link_local_column,
                                                      const char          *link_remote_column,
                                                      const char          *remote_column);
/* An alternate key: a NULL-terminated list of field names that together
 * identify a row, usable as /resource(name='x') or (user=1,is_member_of__application=2). */
void             ba_odata_resource_add_alternate_key (BaODataResource     *resource,
                                                      const char * const  *fields);

/* Checks the model against the database once, at start-up or in a test:
 * every table and column exists, every navigation points at a resource,
 * every alternate key names fields. BA_ERROR_FAILED says what is wrong. */
gboolean         ba_odata_model_check                (BaODataModel        *model,
                                                      sqlite3             *db,
                                                      GError             **error);

/* Permissions for one request, keyed by canonical resource name. */
BaODataPermissions *ba_odata_permissions_new         (void);
void             ba_odata_permissions_free           (BaODataPermissions  *perms);
/* Every row of @resource is readable. */
void             ba_odata_permissions_allow_all      (BaODataPermissions  *perms,
                                                      const char          *resource);
/* Rows of @resource for which the SQL condition @where holds are readable.
 * @where names the resource's columns unqualified and uses plain '?'
 * placeholders, bound in order from @params: a tuple GVariant (floating
 * references are sunk) of int64/int32/string/boolean/double or maybe types
 * (Nothing binds NULL), e.g. ("is_of__actor = ?", g_variant_new ("(x)", 7)).
 * It is applied as "id IN (SELECT id FROM table WHERE (@where))", so it may
 * contain its own subqueries. */
void             ba_odata_permissions_allow_where    (BaODataPermissions  *perms,
                                                      const char          *resource,
                                                      const char          *where,
                                                      GVariant            *params);

/* Parses @path (the part after /v7, e.g. "/api_key(1)" or
 * "application/$count", still percent-encoded) and @query (the raw query
 * string without '?', may be NULL). */
BaODataQuery    *ba_odata_query_parse                (BaODataModel        *model,
                                                      const char          *path,
                                                      const char          *query,
                                                      GError             **error);
void             ba_odata_query_free                 (BaODataQuery        *query);
/* The canonical name of the addressed resource. */
const char      *ba_odata_query_get_resource_name    (BaODataQuery        *query);
gboolean         ba_odata_query_is_count             (BaODataQuery        *query);
gboolean         ba_odata_query_has_key              (BaODataQuery        *query);
/* A canonical text form of the parsed query, for tests and debugging. */
char            *ba_odata_query_to_string            (BaODataQuery        *query);

/* Runs the query and returns the response body of account-api.md section
 * 1.3: {"d":[…]} or, for /$count, {"d":N}. Errors: PERMISSION_DENIED when
 * the resource is not readable at all, INVALID_INPUT for queries SQLite
 * finds too large, FAILED for database failures. */
JsonNode        *ba_odata_query_execute              (BaODataQuery        *query,
                                                      sqlite3             *db,
                                                      BaODataPermissions  *perms,
                                                      GError             **error);
/* For PATCH and DELETE: the ids of the rows the key, $filter and @perms
 * select, in id order. An empty array means nothing matched (or nothing is
 * visible). */
GArray          *ba_odata_query_resolve_ids          (BaODataQuery        *query,
                                                      sqlite3             *db,
                                                      BaODataPermissions  *perms,
                                                      GError             **error);
/* One row of @resource as an object, every readable field, foreign keys as
 * {"__id":N}: the body of a 201 answer to POST. No permission filter is
 * applied (the caller has just created the row). Returns NULL without
 * setting @error when there is no such row. */
JsonObject      *ba_odata_read_row                   (BaODataModel        *model,
                                                      sqlite3             *db,
                                                      const char          *resource,
                                                      gint64               id,
                                                      GError             **error);
/* The top-level SQL and the number of bound parameters, for tests. */
char            *ba_odata_query_to_sql               (BaODataQuery        *query,
                                                      BaODataPermissions  *perms,
                                                      guint               *n_params);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaODataModel, ba_odata_model_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaODataQuery, ba_odata_query_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaODataPermissions, ba_odata_permissions_free)

G_END_DECLS
