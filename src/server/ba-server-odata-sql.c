/* ba-server-odata-sql.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-server-odata"

#include "config.h"

#include "ba-server-odata-private.h"

#include <string.h>

#include "ba-error.h"

/* The second half of the OData engine: a parsed query (see
 * ba-server-odata.c) becomes SQL text plus a list of bound values, so no
 * request text ever reaches the SQL string; then one SELECT runs for the
 * addressed rows and one batched SELECT per $expand level, and the rows
 * become the JSON of account-api.md section 1.3. */

#define EXPAND_CHUNK   400    /* parent keys per batched expand query */
#define MAX_PARAMS     900    /* SQLite 3.15 allows 999 variables */

static const char * const op_sql[] = { " IS ", " IS NOT ", " > ", " >= ", " < ", " <= " };

/* ------------------------------------------------------------------ */
/* Compiler                                                           */
/* ------------------------------------------------------------------ */

typedef struct
{
  BaODataModel       *model;
  BaODataPermissions *perms;
  GString            *sql;
  GArray             *params;   /* Value */
  guint              *next_alias;
  GPtrArray          *aliases;  /* the lambda scopes of the current $filter: char* */
} Compiler;

static void
compiler_init (Compiler           *c,
               BaODataModel       *model,
               BaODataPermissions *perms,
               guint              *next_alias)
{
  c->model = model;
  c->perms = perms;
  c->sql = g_string_new (NULL);
  c->params = g_array_new (FALSE, TRUE, sizeof (Value));
  g_array_set_clear_func (c->params, _ba_odata_value_clear);
  c->next_alias = next_alias;
  c->aliases = g_ptr_array_new_with_free_func (g_free);
}

static void
compiler_clear (Compiler *c)
{
  g_string_free (c->sql, TRUE);
  g_array_unref (c->params);
  g_ptr_array_unref (c->aliases);
}

static char *
new_alias (Compiler   *c,
           const char *prefix)
{
  return g_strdup_printf ("%s%u", prefix, (*c->next_alias)++);
}

static void
emit_value (Compiler    *c,
            const Value *value)
{
  Value copy;

  _ba_odata_value_copy (&copy, value);
  g_array_append_val (c->params, copy);
  g_string_append_c (c->sql, '?');
}

static void
emit_column (Compiler   *c,
             const char *alias,
             const char *column)
{
  g_string_append_printf (c->sql, "%s.\"%s\"", alias, column);
}

static void
emit_variant (Compiler *c,
              GVariant *variant)
{
  Value value = { 0 };

  if (g_variant_is_of_type (variant, G_VARIANT_TYPE_MAYBE))
    {
      g_autoptr(GVariant) child = g_variant_get_maybe (variant);

      if (child != NULL)
        emit_variant (c, child);
      else
        {
          value.kind = V_NULL;
          g_array_append_val (c->params, value);
        }
      return;
    }

  if (g_variant_is_of_type (variant, G_VARIANT_TYPE_INT64))
    value.kind = V_INT, value.i = g_variant_get_int64 (variant);
  else if (g_variant_is_of_type (variant, G_VARIANT_TYPE_INT32))
    value.kind = V_INT, value.i = g_variant_get_int32 (variant);
  else if (g_variant_is_of_type (variant, G_VARIANT_TYPE_UINT32))
    value.kind = V_INT, value.i = g_variant_get_uint32 (variant);
  else if (g_variant_is_of_type (variant, G_VARIANT_TYPE_BOOLEAN))
    value.kind = V_INT, value.i = g_variant_get_boolean (variant);
  else if (g_variant_is_of_type (variant, G_VARIANT_TYPE_DOUBLE))
    value.kind = V_DEC, value.d = g_variant_get_double (variant);
  else if (g_variant_is_of_type (variant, G_VARIANT_TYPE_STRING))
    value.kind = V_TEXT, value.s = g_variant_dup_string (variant, NULL);
  else
    {
      g_critical ("Unsupported permission parameter type %s", g_variant_get_type_string (variant));
      value.kind = V_NULL;
    }

  g_array_append_val (c->params, value);
}

/* The row filter of @res for rows named @alias: "1", "0", or
 * alias.id IN (SELECT id FROM table WHERE (…)). */
static void
emit_permission (Compiler        *c,
                 BaODataResource *res,
                 const char      *alias)
{
  Permission *perm = c->perms != NULL ? g_hash_table_lookup (c->perms->by_resource, res->name) : NULL;

  if (perm == NULL)
    {
      g_string_append (c->sql, "0");
      return;
    }
  if (perm->where == NULL)
    {
      g_string_append (c->sql, "1");
      return;
    }

  emit_column (c, alias, res->id_column);
  /* The inner id is qualified (an unknown bare "name" would be read as a
   * string); the condition's own names resolve to the inner table. */
  g_string_append_printf (c->sql, " IN (SELECT p.\"%s\" FROM \"%s\" p WHERE (%s))",
                          res->id_column, res->table, perm->where);
  if (perm->params != NULL)
    {
      gsize n = g_variant_n_children (perm->params);

      for (gsize i = 0; i < n; i++)
        {
          g_autoptr(GVariant) child = g_variant_get_child_value (perm->params, i);

          emit_variant (c, child);
        }
    }
}

/* "table alias [JOIN link l ON …]" for rows reached through @nav. */
static void
emit_nav_from (Compiler        *c,
               Nav             *nav,
               BaODataResource *target,
               const char      *alias,
               const char      *link_alias)
{
  const char *remote = nav->remote_column != NULL ? nav->remote_column : target->id_column;

  g_string_append_printf (c->sql, "\"%s\" %s", target->table, alias);
  if (nav->link_table != NULL)
    {
      g_string_append_printf (c->sql, " JOIN \"%s\" %s ON ", nav->link_table, link_alias);
      emit_column (c, link_alias, nav->link_remote_column);
      g_string_append (c->sql, " = ");
      emit_column (c, alias, remote);
    }
}

/* The expression that must equal the parent's local column. */
static void
emit_nav_parent_key (Compiler        *c,
                     Nav             *nav,
                     BaODataResource *target,
                     const char      *alias,
                     const char      *link_alias)
{
  if (nav->link_table != NULL)
    emit_column (c, link_alias, nav->link_local_column);
  else
    emit_column (c, alias, nav->remote_column != NULL ? nav->remote_column : target->id_column);
}

/* "FROM target a [JOIN …] WHERE key = base.local AND <permission>". */
static void
emit_nav_join (Compiler        *c,
               Nav             *nav,
               BaODataResource *target,
               const char      *base,
               const char      *alias,
               const char      *link_alias)
{
  g_string_append (c->sql, " FROM ");
  emit_nav_from (c, nav, target, alias, link_alias);
  g_string_append (c->sql, " WHERE ");
  emit_nav_parent_key (c, nav, target, alias, link_alias);
  g_string_append (c->sql, " = ");
  emit_column (c, base, nav->local_column);
  g_string_append (c->sql, " AND ");
  emit_permission (c, target, alias);
}

static void compile_expr (Compiler *c, Expr *expr);

static void
compile_terminal (Compiler   *c,
                  Expr       *expr,
                  const char *base)
{
  g_autofree char *alias = NULL;
  g_autofree char *link_alias = NULL;

  if (expr->end == PATH_FIELD)
    {
      emit_column (c, base, expr->field->column);
      return;
    }

  alias = new_alias (c, "t");
  link_alias = new_alias (c, "l");

  if (expr->end == PATH_COUNT)
    {
      GPtrArray *saved = c->aliases;

      g_string_append (c->sql, "(SELECT COUNT(*)");
      emit_nav_join (c, expr->collection, expr->collection_res, base, alias, link_alias);
      if (expr->body != NULL)
        {
          /* A $count filter is about the counted rows only. */
          c->aliases = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (c->aliases, g_strdup (alias));
          g_string_append (c->sql, " AND (");
          compile_expr (c, expr->body);
          g_string_append_c (c->sql, ')');
          g_ptr_array_unref (c->aliases);
          c->aliases = saved;
        }
      g_string_append_c (c->sql, ')');
      return;
    }

  g_string_append (c->sql, expr->end == PATH_ALL ? "(NOT EXISTS (SELECT 1" : "(EXISTS (SELECT 1");
  emit_nav_join (c, expr->collection, expr->collection_res, base, alias, link_alias);
  if (expr->body != NULL)
    {
      g_ptr_array_add (c->aliases, g_strdup (alias));
      g_string_append (c->sql, expr->end == PATH_ALL ? " AND NOT COALESCE((" : " AND (");
      compile_expr (c, expr->body);
      g_string_append (c->sql, expr->end == PATH_ALL ? "), 0)" : ")");
      g_ptr_array_set_size (c->aliases, c->aliases->len - 1);
    }
  g_string_append (c->sql, "))");
}

/* A path through to-one navigations becomes nested scalar subqueries, each
 * with its permission filter: a row the caller may not read yields NULL. */
static void
compile_path_from (Compiler   *c,
                   Expr       *expr,
                   guint       index,
                   const char *base)
{
  Nav *nav;
  BaODataResource *target;
  g_autofree char *alias = NULL;
  g_autofree char *link_alias = NULL;

  if (index == expr->navs->len)
    {
      compile_terminal (c, expr, base);
      return;
    }

  nav = expr->navs->pdata[index];
  target = g_hash_table_lookup (c->model->by_name, nav->target);
  alias = new_alias (c, "t");
  link_alias = new_alias (c, "l");

  g_string_append (c->sql, "(SELECT ");
  compile_path_from (c, expr, index + 1, alias);
  emit_nav_join (c, nav, target, base, alias, link_alias);
  g_string_append (c->sql, ")");
}

static void
compile_operand (Compiler *c,
                 Expr     *expr,
                 gboolean  as_date)
{
  if (as_date && expr->type != V_NULL)
    {
      g_string_append (c->sql, "julianday(");
      compile_expr (c, expr);
      g_string_append_c (c->sql, ')');
    }
  else
    compile_expr (c, expr);
}

static void
compile_expr (Compiler *c,
              Expr     *expr)
{
  switch (expr->kind)
    {
    case E_LITERAL:
      emit_value (c, &expr->value);
      break;

    case E_AND:
    case E_OR:
      g_string_append_c (c->sql, '(');
      for (guint i = 0; i < expr->args->len; i++)
        {
          if (i > 0)
            g_string_append (c->sql, expr->kind == E_AND ? " AND " : " OR ");
          compile_expr (c, expr->args->pdata[i]);
        }
      g_string_append_c (c->sql, ')');
      break;

    case E_NOT:
      g_string_append (c->sql, "(NOT ");
      compile_expr (c, expr->args->pdata[0]);
      g_string_append_c (c->sql, ')');
      break;

    case E_CMP:
      {
        Expr *left = expr->args->pdata[0];
        Expr *right = expr->args->pdata[1];
        /* Date-times compare as instants, whatever their text form. */
        gboolean as_date = left->type == V_DATETIME || right->type == V_DATETIME;

        g_string_append_c (c->sql, '(');
        compile_operand (c, left, as_date);
        g_string_append (c->sql, op_sql[expr->op]);
        compile_operand (c, right, as_date);
        g_string_append_c (c->sql, ')');
      }
      break;

    case E_IN:
      {
        Expr *left = expr->args->pdata[0];
        gboolean as_date = left->type == V_DATETIME;

        g_string_append_c (c->sql, '(');
        compile_operand (c, left, as_date);
        g_string_append (c->sql, " IN (");
        for (guint i = 1; i < expr->args->len; i++)
          {
            if (i > 1)
              g_string_append (c->sql, ", ");
            compile_operand (c, expr->args->pdata[i], as_date);
          }
        g_string_append (c->sql, "))");
      }
      break;

    case E_FUNC:
      for (const char *t = expr->func->sql; *t != '\0'; t++)
        {
          if (*t == '%' && g_ascii_isdigit (t[1]))
            {
              compile_expr (c, expr->args->pdata[t[1] - '0']);
              t++;
            }
          else
            g_string_append_c (c->sql, *t);
        }
      break;

    case E_PATH:
      compile_path_from (c, expr, 0, c->aliases->pdata[expr->scope]);
      break;

    default:
      g_assert_not_reached ();
    }
}

/* Compiles @expr as a $filter or $orderby about the rows named @alias. */
static void
compile_about (Compiler   *c,
               Expr       *expr,
               const char *alias)
{
  g_ptr_array_set_size (c->aliases, 0);
  g_ptr_array_add (c->aliases, g_strdup (alias));
  compile_expr (c, expr);
}

static void
emit_order_by (Compiler   *c,
               Options    *opts,
               const char *alias)
{
  g_string_append (c->sql, " ORDER BY ");
  if (opts->orderby != NULL)
    {
      for (guint i = 0; i < opts->orderby->len; i++)
        {
          OrderItem *item = opts->orderby->pdata[i];
          gboolean as_date = item->expr->type == V_DATETIME;

          if (as_date)
            g_string_append (c->sql, "julianday(");
          compile_about (c, item->expr, alias);
          if (as_date)
            g_string_append_c (c->sql, ')');
          g_string_append (c->sql, item->desc ? " DESC, " : " ASC, ");
        }
    }
  /* The id last, so equal sort keys still give a stable order for $skip. */
  emit_column (c, alias, opts->res->id_column);
}

/* " AND key AND (filter)" for the top-level rows. */
static void
emit_top_conditions (Compiler     *c,
                     BaODataQuery *query,
                     const char   *alias)
{
  if (query->key != NULL)
    {
      for (guint i = 0; i < query->key->len; i++)
        {
          KeyPart *part = &g_array_index (query->key, KeyPart, i);
          gboolean as_date = part->field->type == BA_ODATA_TYPE_DATETIME;

          g_string_append (c->sql, " AND ");
          if (as_date)
            g_string_append (c->sql, "julianday(");
          emit_column (c, alias, part->field->column);
          g_string_append (c->sql, as_date ? ") = julianday(" : " = ");
          emit_value (c, &part->value);
          if (as_date)
            g_string_append_c (c->sql, ')');
        }
    }
  if (query->opts->filter != NULL)
    {
      g_string_append (c->sql, " AND (");
      compile_about (c, query->opts->filter, alias);
      g_string_append_c (c->sql, ')');
    }
}

static void
emit_limit (Compiler *c,
            Options  *opts)
{
  Value top = { V_INT, opts->top, 0, NULL };
  Value skip = { V_INT, opts->skip, 0, NULL };

  if (opts->top < 0 && opts->skip == 0)
    return;

  /* LIMIT -1 means no limit to SQLite. */
  g_string_append (c->sql, " LIMIT ");
  emit_value (c, &top);
  g_string_append (c->sql, " OFFSET ");
  emit_value (c, &skip);
}

/* ------------------------------------------------------------------ */
/* Executor                                                           */
/* ------------------------------------------------------------------ */

typedef struct
{
  gboolean null;
  gint64   value;
} KeyVal;

typedef struct
{
  JsonObject *obj;
  KeyVal      parent;   /* for expanded rows: the parent key they belong to */
  GArray     *locals;   /* KeyVal per expand: this row's local column */
} Row;

static void
row_free (gpointer data)
{
  Row *row = data;

  json_object_unref (row->obj);
  g_clear_pointer (&row->locals, g_array_unref);
  g_free (row);
}

typedef struct
{
  BaODataModel       *model;
  BaODataPermissions *perms;
  sqlite3            *db;
  guint               next_alias;
} Exec;

static sqlite3_stmt *
prepare (Exec      *x,
         Compiler  *c,
         GError   **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (c->params->len > MAX_PARAMS)
    {
      g_set_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                   "Query too complex (more than %d values)", MAX_PARAMS);
      return NULL;
    }

  rc = sqlite3_prepare_v2 (x->db, c->sql->str, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      const char *message = sqlite3_errmsg (x->db);

      /* SQLite's own size limits are the client's fault; anything else is
       * ours (a model that does not match the schema, say). */
      if (strstr (message, "too large") != NULL || strstr (message, "too many") != NULL ||
          rc == SQLITE_TOOBIG)
        g_set_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT, "Query too complex");
      else
        g_set_error (error, BA_ERROR, BA_ERROR_FAILED, "Database error: %s", message);
      sqlite3_finalize (stmt);
      return NULL;
    }

  for (guint i = 0; i < c->params->len; i++)
    {
      Value *value = &g_array_index (c->params, Value, i);
      int index = (int) i + 1;

      switch (value->kind)
        {
        case V_NULL:
          sqlite3_bind_null (stmt, index);
          break;
        case V_INT:
        case V_BOOL:
          sqlite3_bind_int64 (stmt, index, value->i);
          break;
        case V_DEC:
          sqlite3_bind_double (stmt, index, value->d);
          break;
        case V_TEXT:
        case V_DATETIME:
          sqlite3_bind_text (stmt, index, value->s, -1, SQLITE_TRANSIENT);
          break;
        default:
          g_assert_not_reached ();
        }
    }

  return stmt;
}

static gboolean
step_failed (Exec          *x,
             sqlite3_stmt  *stmt,
             int            rc,
             GError       **error)
{
  if (rc == SQLITE_ROW || rc == SQLITE_DONE)
    return FALSE;

  g_set_error (error, BA_ERROR, BA_ERROR_FAILED, "Database error: %s", sqlite3_errmsg (x->db));
  sqlite3_finalize (stmt);
  return TRUE;
}

static char *
column_datetime (sqlite3_stmt *stmt,
                 int           col)
{
  if (sqlite3_column_type (stmt, col) == SQLITE_INTEGER)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (sqlite3_column_int64 (stmt, col));

      if (dt != NULL)
        return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S.000Z");
    }
  else
    {
      const char *text = (const char *) sqlite3_column_text (stmt, col);
      char *normalised = text != NULL ? _ba_odata_normalise_datetime (text) : NULL;

      if (normalised != NULL)
        return normalised;
      if (text != NULL)
        return g_utf8_make_valid (text, -1);
    }

  return NULL;
}

static void
set_member (JsonObject   *obj,
            Field        *field,
            sqlite3_stmt *stmt,
            int           col)
{
  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    {
      json_object_set_null_member (obj, field->name);
      return;
    }

  switch (field->type)
    {
    case BA_ODATA_TYPE_INTEGER:
      json_object_set_int_member (obj, field->name, sqlite3_column_int64 (stmt, col));
      break;
    case BA_ODATA_TYPE_DECIMAL:
      json_object_set_double_member (obj, field->name, sqlite3_column_double (stmt, col));
      break;
    case BA_ODATA_TYPE_TEXT:
      {
        const char *text = (const char *) sqlite3_column_text (stmt, col);

        if (g_utf8_validate (text, -1, NULL))
          json_object_set_string_member (obj, field->name, text);
        else
          {
            g_autofree char *valid = g_utf8_make_valid (text, -1);

            json_object_set_string_member (obj, field->name, valid);
          }
      }
      break;
    case BA_ODATA_TYPE_BOOLEAN:
      json_object_set_boolean_member (obj, field->name, sqlite3_column_int64 (stmt, col) != 0);
      break;
    case BA_ODATA_TYPE_DATETIME:
      {
        g_autofree char *text = column_datetime (stmt, col);

        if (text != NULL)
          json_object_set_string_member (obj, field->name, text);
        else
          json_object_set_null_member (obj, field->name);
      }
      break;
    case BA_ODATA_TYPE_FOREIGN_KEY:
      {
        JsonObject *ref = json_object_new ();

        json_object_set_int_member (ref, "__id", sqlite3_column_int64 (stmt, col));
        json_object_set_object_member (obj, field->name, ref);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

static KeyVal
column_key (sqlite3_stmt *stmt,
            int           col)
{
  KeyVal key = { 0 };

  key.null = sqlite3_column_type (stmt, col) == SQLITE_NULL;
  if (!key.null)
    key.value = sqlite3_column_int64 (stmt, col);

  return key;
}

/* The SELECT list: [parent key,] every output field, then each expand's
 * local column. The caller has emitted "SELECT [parent key, ]". */
static void
emit_columns (Compiler   *c,
              Options    *opts,
              const char *alias)
{
  GPtrArray *fields = opts->select != NULL ? opts->select : opts->res->fields;
  gboolean first = TRUE;

  for (guint i = 0; i < fields->len; i++)
    {
      Field *field = fields->pdata[i];

      if (field->flags & BA_ODATA_FIELD_HIDDEN)
        continue;
      if (!first)
        g_string_append (c->sql, ", ");
      first = FALSE;
      emit_column (c, alias, field->column);
    }
  for (guint i = 0; i < opts->expands->len; i++)
    {
      Expand *expand = opts->expands->pdata[i];

      if (!first)
        g_string_append (c->sql, ", ");
      first = FALSE;
      emit_column (c, alias, expand->nav->local_column);
    }
  if (first)
    emit_column (c, alias, opts->res->id_column);
}

static GPtrArray *
read_rows (Exec          *x,
           Compiler      *c,
           Options       *opts,
           gboolean       with_parent,
           GError       **error)
{
  GPtrArray *fields = opts->select != NULL ? opts->select : opts->res->fields;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (row_free);
  sqlite3_stmt *stmt = prepare (x, c, error);
  int rc;

  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Row *row = g_new0 (Row, 1);
      int col = 0;

      row->obj = json_object_new ();
      row->locals = g_array_new (FALSE, TRUE, sizeof (KeyVal));
      g_ptr_array_add (rows, row);

      if (with_parent)
        row->parent = column_key (stmt, col++);
      for (guint i = 0; i < fields->len; i++)
        {
          Field *field = fields->pdata[i];

          if (field->flags & BA_ODATA_FIELD_HIDDEN)
            continue;
          set_member (row->obj, field, stmt, col++);
        }
      for (guint i = 0; i < opts->expands->len; i++)
        {
          KeyVal key = column_key (stmt, col++);

          g_array_append_val (row->locals, key);
        }
    }

  if (step_failed (x, stmt, rc, error))
    return NULL;
  sqlite3_finalize (stmt);

  return g_steal_pointer (&rows);
}

static gboolean expand_rows (Exec *x, Options *opts, GPtrArray *rows, GError **error);

/* The SELECT for @expand over @n parent keys: "parent key, columns" (or
 * "parent key, COUNT(*)" grouped) for the rows reached through the
 * navigation, filtered and ordered. */
static void
compile_expand (Compiler     *c,
                Expand       *expand,
                const gint64 *keys,
                guint         n)
{
  Options *opts = expand->opts;
  BaODataResource *target = opts->res;
  g_autofree char *alias = new_alias (c, "t");
  g_autofree char *link_alias = new_alias (c, "l");

  g_string_append (c->sql, "SELECT ");
  emit_nav_parent_key (c, expand->nav, target, alias, link_alias);
  g_string_append (c->sql, ", ");
  if (expand->count)
    g_string_append (c->sql, "COUNT(*)");
  else
    emit_columns (c, opts, alias);
  g_string_append (c->sql, " FROM ");
  emit_nav_from (c, expand->nav, target, alias, link_alias);
  g_string_append (c->sql, " WHERE ");
  emit_permission (c, target, alias);
  g_string_append (c->sql, " AND ");
  emit_nav_parent_key (c, expand->nav, target, alias, link_alias);
  g_string_append (c->sql, " IN (");
  for (guint i = 0; i < n; i++)
    {
      Value value = { V_INT, keys[i], 0, NULL };

      if (i > 0)
        g_string_append (c->sql, ", ");
      emit_value (c, &value);
    }
  g_string_append_c (c->sql, ')');
  if (opts->filter != NULL)
    {
      g_string_append (c->sql, " AND (");
      compile_about (c, opts->filter, alias);
      g_string_append_c (c->sql, ')');
    }

  if (expand->count)
    g_string_append (c->sql, " GROUP BY 1");
  else
    emit_order_by (c, opts, alias);
}

/* How many parent keys one expand query can take: the filter, ordering
 * and permission values count against SQLite's variable limit too. */
static guint
expand_chunk_size (Exec   *x,
                   Expand *expand)
{
  Compiler c;
  gint64 key = 0;
  guint others;

  compiler_init (&c, x->model, x->perms, &x->next_alias);
  compile_expand (&c, expand, &key, 1);
  others = c.params->len - 1;
  compiler_clear (&c);

  if (others >= MAX_PARAMS)
    return 1;   /* prepare() will refuse it with a clear message */

  return MIN (EXPAND_CHUNK, MAX_PARAMS - others);
}

/* The rows of @expand for one chunk of parent keys, added to @by_parent
 * (parent key -> JsonArray, or JsonNode holding a count). */
static gboolean
expand_chunk (Exec        *x,
              Expand      *expand,
              GArray      *keys,
              guint        from,
              guint        n,
              GHashTable  *by_parent,
              GError     **error)
{
  Options *opts = expand->opts;
  Compiler c;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) seen = NULL;
  gboolean ok = FALSE;

  compiler_init (&c, x->model, x->perms, &x->next_alias);
  compile_expand (&c, expand, &g_array_index (keys, gint64, from), n);

  if (expand->count)
    {
      sqlite3_stmt *stmt;
      int rc;

      stmt = prepare (x, &c, error);
      if (stmt == NULL)
        goto out;
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          KeyVal key = column_key (stmt, 0);

          g_hash_table_insert (by_parent, g_memdup2 (&key.value, sizeof key.value),
                               json_node_init_int (json_node_alloc (), sqlite3_column_int64 (stmt, 1)));
        }
      if (step_failed (x, stmt, rc, error))
        goto out;
      sqlite3_finalize (stmt);
      ok = TRUE;
      goto out;
    }

  rows = read_rows (x, &c, opts, TRUE, error);
  if (rows == NULL || !expand_rows (x, opts, rows, error))
    goto out;

  /* $top and $skip apply per parent; SQLite 3.15 has no window functions,
   * so they are applied here on the ordered rows. */
  seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = rows->pdata[i];
      guint index = GPOINTER_TO_UINT (g_hash_table_lookup (seen, &row->parent.value));
      JsonArray *array;

      g_hash_table_insert (seen, g_memdup2 (&row->parent.value, sizeof (gint64)), GUINT_TO_POINTER (index + 1));
      if (index < opts->skip || (opts->top >= 0 && index >= opts->skip + opts->top))
        continue;

      array = g_hash_table_lookup (by_parent, &row->parent.value);
      if (array == NULL)
        {
          array = json_array_new ();
          g_hash_table_insert (by_parent, g_memdup2 (&row->parent.value, sizeof (gint64)), array);
        }
      json_array_add_object_element (array, json_object_ref (row->obj));
    }
  ok = TRUE;

out:
  compiler_clear (&c);
  return ok;
}

static gboolean
expand_rows (Exec       *x,
             Options    *opts,
             GPtrArray  *rows,
             GError    **error)
{
  for (guint e = 0; e < opts->expands->len; e++)
    {
      Expand *expand = opts->expands->pdata[e];
      g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(GHashTable) distinct = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      g_autoptr(GHashTable) by_parent = NULL;
      guint chunk;

      by_parent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                         expand->count ? (GDestroyNotify) json_node_unref
                                                       : (GDestroyNotify) json_array_unref);

      for (guint i = 0; i < rows->len; i++)
        {
          Row *row = rows->pdata[i];
          KeyVal *key = &g_array_index (row->locals, KeyVal, e);

          if (!key->null && g_hash_table_add (distinct, g_memdup2 (&key->value, sizeof (gint64))))
            g_array_append_val (keys, key->value);
        }

      chunk = keys->len > 0 ? expand_chunk_size (x, expand) : 1;
      for (guint from = 0; from < keys->len; from += chunk)
        if (!expand_chunk (x, expand, keys, from, MIN (chunk, keys->len - from), by_parent, error))
          return FALSE;

      for (guint i = 0; i < rows->len; i++)
        {
          Row *row = rows->pdata[i];
          KeyVal *key = &g_array_index (row->locals, KeyVal, e);
          gpointer found = key->null ? NULL : g_hash_table_lookup (by_parent, &key->value);

          if (expand->count)
            json_object_set_int_member (row->obj, expand->nav->name,
                                        found != NULL ? json_node_get_int (found) : 0);
          else
            json_object_set_array_member (row->obj, expand->nav->name,
                                          found != NULL ? json_array_ref (found) : json_array_new ());
        }
    }

  return TRUE;
}

static gboolean
check_readable (BaODataQuery        *query,
                BaODataPermissions  *perms,
                GError             **error)
{
  if (perms == NULL || !g_hash_table_contains (perms->by_resource, query->res->name))
    {
      g_set_error (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED,
                   "Not allowed to read '%s'", query->res->name);
      return FALSE;
    }

  return TRUE;
}

/* The top-level SELECT (or COUNT) into @c. */
static void
compile_top (Compiler     *c,
             BaODataQuery *query)
{
  g_autofree char *alias = new_alias (c, "t");

  if (query->count)
    g_string_append (c->sql, "SELECT COUNT(*) FROM (SELECT ");
  else
    g_string_append (c->sql, "SELECT ");
  if (query->count)
    emit_column (c, alias, query->res->id_column);
  else
    emit_columns (c, query->opts, alias);
  g_string_append_printf (c->sql, " FROM \"%s\" %s WHERE ", query->res->table, alias);
  emit_permission (c, query->res, alias);
  emit_top_conditions (c, query, alias);
  emit_order_by (c, query->opts, alias);
  emit_limit (c, query->opts);
  if (query->count)
    g_string_append_c (c->sql, ')');
}

char *
ba_odata_query_to_sql (BaODataQuery       *query,
                       BaODataPermissions *perms,
                       guint              *n_params)
{
  Compiler c;
  guint next_alias = 0;
  char *sql;

  g_return_val_if_fail (query != NULL, NULL);

  compiler_init (&c, query->model, perms, &next_alias);
  compile_top (&c, query);
  if (n_params != NULL)
    *n_params = c.params->len;
  sql = g_strdup (c.sql->str);
  compiler_clear (&c);

  return sql;
}

JsonNode *
ba_odata_query_execute (BaODataQuery        *query,
                        sqlite3             *db,
                        BaODataPermissions  *perms,
                        GError             **error)
{
  Exec x = { NULL, perms, db, 0 };
  Compiler c;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  JsonArray *array;
  JsonNode *node;

  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  x.model = query->model;
  if (!check_readable (query, perms, error))
    return NULL;

  compiler_init (&c, query->model, perms, &x.next_alias);
  compile_top (&c, query);
  body = json_object_new ();

  if (query->count)
    {
      sqlite3_stmt *stmt = prepare (&x, &c, error);
      int rc;

      compiler_clear (&c);
      if (stmt == NULL)
        return NULL;
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        {
          g_set_error (error, BA_ERROR, BA_ERROR_FAILED, "Database error: %s", sqlite3_errmsg (db));
          sqlite3_finalize (stmt);
          return NULL;
        }
      json_object_set_int_member (body, "d", sqlite3_column_int64 (stmt, 0));
      sqlite3_finalize (stmt);
    }
  else
    {
      rows = read_rows (&x, &c, query->opts, FALSE, error);
      compiler_clear (&c);
      if (rows == NULL || !expand_rows (&x, query->opts, rows, error))
        return NULL;

      array = json_array_sized_new (rows->len);
      for (guint i = 0; i < rows->len; i++)
        json_array_add_object_element (array, json_object_ref (((Row *) rows->pdata[i])->obj));
      json_object_set_array_member (body, "d", array);
    }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, body);
  return node;
}

GArray *
ba_odata_query_resolve_ids (BaODataQuery        *query,
                            sqlite3             *db,
                            BaODataPermissions  *perms,
                            GError             **error)
{
  Exec x = { NULL, perms, db, 0 };
  Compiler c;
  g_autofree char *alias = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  x.model = query->model;

  /* Writes go through the same row filter as reads: a row the caller
   * cannot see is a row that does not exist. */
  compiler_init (&c, query->model, perms, &x.next_alias);
  alias = new_alias (&c, "t");
  g_string_append (c.sql, "SELECT ");
  emit_column (&c, alias, query->res->id_column);
  g_string_append_printf (c.sql, " FROM \"%s\" %s WHERE ", query->res->table, alias);
  emit_permission (&c, query->res, alias);
  emit_top_conditions (&c, query, alias);
  g_string_append (c.sql, " ORDER BY ");
  emit_column (&c, alias, query->res->id_column);

  stmt = prepare (&x, &c, error);
  compiler_clear (&c);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  if (step_failed (&x, stmt, rc, error))
    return NULL;
  sqlite3_finalize (stmt);

  return g_steal_pointer (&ids);
}

JsonObject *
ba_odata_read_row (BaODataModel  *model,
                   sqlite3       *db,
                   const char    *resource,
                   gint64         id,
                   GError       **error)
{
  g_autofree char *path = NULL;
  g_autoptr(BaODataQuery) query = NULL;
  g_autoptr(BaODataPermissions) perms = ba_odata_permissions_new ();
  g_autoptr(JsonNode) node = NULL;
  JsonArray *rows;

  g_return_val_if_fail (model != NULL && db != NULL && resource != NULL, NULL);

  path = g_strdup_printf ("%s(%" G_GINT64_FORMAT ")", resource, id);
  query = ba_odata_query_parse (model, path, NULL, error);
  if (query == NULL)
    return NULL;

  ba_odata_permissions_allow_all (perms, query->res->name);
  node = ba_odata_query_execute (query, db, perms, error);
  if (node == NULL)
    return NULL;

  rows = json_object_get_array_member (json_node_get_object (node), "d");
  if (json_array_get_length (rows) == 0)
    return NULL;

  return json_object_ref (json_array_get_object_element (rows, 0));
}

/* Prepares "SELECT columns FROM table LIMIT 0", which fails naming the
 * first missing table or column. */
static gboolean
check_columns (sqlite3            *db,
               const char         *table,
               const char * const *columns,
               guint               n_columns,
               GError            **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT ");
  sqlite3_stmt *stmt = NULL;

  /* Qualified names: SQLite reads an unknown bare "name" as a string. */
  for (guint i = 0; i < n_columns; i++)
    g_string_append_printf (sql, "%sc.\"%s\"", i > 0 ? ", " : "", columns[i]);
  g_string_append_printf (sql, " FROM \"%s\" c LIMIT 0", table);

  if (sqlite3_prepare_v2 (db, sql->str, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, BA_ERROR, BA_ERROR_FAILED, "OData model does not match the database: %s",
                   sqlite3_errmsg (db));
      sqlite3_finalize (stmt);
      return FALSE;
    }

  sqlite3_finalize (stmt);
  return TRUE;
}

gboolean
ba_odata_model_check (BaODataModel  *model,
                      sqlite3       *db,
                      GError       **error)
{
  g_return_val_if_fail (model != NULL && db != NULL, FALSE);

  for (guint r = 0; r < model->resources->len; r++)
    {
      BaODataResource *res = model->resources->pdata[r];
      g_autoptr(GPtrArray) columns = g_ptr_array_new ();

      for (guint i = 0; i < res->fields->len; i++)
        g_ptr_array_add (columns, ((Field *) res->fields->pdata[i])->column);
      if (!check_columns (db, res->table, (const char * const *) columns->pdata, columns->len, error))
        return FALSE;

      for (guint i = 0; i < res->navs->len; i++)
        {
          Nav *nav = res->navs->pdata[i];
          BaODataResource *target = g_hash_table_lookup (model->by_name, nav->target);
          const char *remote;

          if (target == NULL)
            {
              g_set_error (error, BA_ERROR, BA_ERROR_FAILED,
                           "OData model: navigation '%s' of '%s' points at unknown resource '%s'",
                           nav->name, res->name, nav->target);
              return FALSE;
            }
          remote = nav->remote_column != NULL ? nav->remote_column : target->id_column;
          if (!check_columns (db, res->table, (const char * const []) { nav->local_column }, 1, error) ||
              !check_columns (db, target->table, (const char * const []) { remote }, 1, error))
            return FALSE;
          if (nav->link_table != NULL &&
              !check_columns (db, nav->link_table,
                              (const char * const []) { nav->link_local_column, nav->link_remote_column },
                              2, error))
            return FALSE;
        }

      for (guint i = 0; i < res->alternate_keys->len; i++)
        {
          char **key = res->alternate_keys->pdata[i];

          for (guint j = 0; key[j] != NULL; j++)
            {
              Field *field = NULL;

              for (guint k = 0; k < res->fields->len && field == NULL; k++)
                if (g_str_equal (((Field *) res->fields->pdata[k])->name, key[j]))
                  field = res->fields->pdata[k];
              if (field == NULL)
                {
                  g_set_error (error, BA_ERROR, BA_ERROR_FAILED,
                               "OData model: alternate key of '%s' names unknown field '%s'",
                               res->name, key[j]);
                  return FALSE;
                }
            }
        }
    }

  return TRUE;
}
