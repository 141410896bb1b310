/* ba-server-odata.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-server-odata"

#include "config.h"

#include "ba-server-odata-private.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ba-error.h"

/* How this works, in four stages:
 *  1. the query string is split and percent-decoded (parse_query_string);
 *  2. a recursive-descent parser turns the path and each option into an AST
 *     whose names are already resolved against the model (Expr, Options);
 *  3. and 4., in ba-server-odata-sql.c: a compiler turns the AST into SQL
 *     text plus bound values, and the executor runs it and builds the JSON.
 * Every recursive step counts depth so hostile input cannot exhaust the
 * stack, and the AST size is capped so SQLite's own limits are not hit. */

#define MAX_NODES      1000   /* expression nodes per query */

/* ------------------------------------------------------------------ */
/* Model                                                              */
/* ------------------------------------------------------------------ */

static void
field_free (gpointer data)
{
  Field *field = data;

  g_free (field->name);
  g_free (field->column);
  g_free (field);
}

static void
nav_free (gpointer data)
{
  Nav *nav = data;

  g_free (nav->name);
  g_free (nav->target);
  g_free (nav->local_column);
  g_free (nav->remote_column);
  g_free (nav->link_table);
  g_free (nav->link_local_column);
  g_free (nav->link_remote_column);
  g_free (nav);
}

static void
resource_free (gpointer data)
{
  BaODataResource *res = data;

  g_free (res->name);
  g_free (res->table);
  g_free (res->id_column);
  g_ptr_array_unref (res->fields);
  g_ptr_array_unref (res->navs);
  g_ptr_array_unref (res->alternate_keys);
  g_free (res);
}

BaODataModel *
ba_odata_model_new (void)
{
  BaODataModel *model = g_new0 (BaODataModel, 1);

  model->by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  model->resources = g_ptr_array_new_with_free_func (resource_free);

  return model;
}

void
ba_odata_model_free (BaODataModel *model)
{
  if (model == NULL)
    return;

  g_hash_table_unref (model->by_name);
  g_ptr_array_unref (model->resources);
  g_free (model);
}

BaODataResource *
ba_odata_model_add_resource (BaODataModel *model,
                             const char   *name,
                             const char   *table,
                             const char   *id_column)
{
  BaODataResource *res;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (name != NULL && table != NULL && id_column != NULL, NULL);
  g_return_val_if_fail (!g_hash_table_contains (model->by_name, name), NULL);

  res = g_new0 (BaODataResource, 1);
  res->name = g_strdup (name);
  res->table = g_strdup (table);
  res->id_column = g_strdup (id_column);
  res->fields = g_ptr_array_new_with_free_func (field_free);
  res->navs = g_ptr_array_new_with_free_func (nav_free);
  res->alternate_keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_ptr_array_add (model->resources, res);
  g_hash_table_insert (model->by_name, g_strdup (name), res);
  ba_odata_resource_add_field (res, "id", id_column, BA_ODATA_TYPE_INTEGER, BA_ODATA_FIELD_NONE);

  return res;
}

void
ba_odata_model_add_alias (BaODataModel *model,
                          const char   *alias,
                          const char   *name)
{
  BaODataResource *res;

  g_return_if_fail (model != NULL);
  res = g_hash_table_lookup (model->by_name, name);
  g_return_if_fail (res != NULL);
  g_return_if_fail (!g_hash_table_contains (model->by_name, alias));

  g_hash_table_insert (model->by_name, g_strdup (alias), res);
}

BaODataResource *
ba_odata_model_lookup (BaODataModel *model,
                       const char   *name)
{
  g_return_val_if_fail (model != NULL, NULL);

  return g_hash_table_lookup (model->by_name, name);
}

void
ba_odata_resource_add_field (BaODataResource   *resource,
                             const char        *name,
                             const char        *column,
                             BaODataType        type,
                             BaODataFieldFlags  flags)
{
  Field *field;

  g_return_if_fail (resource != NULL && name != NULL && column != NULL);

  field = g_new0 (Field, 1);
  field->name = g_strdup (name);
  field->column = g_strdup (column);
  field->type = type;
  field->flags = flags;
  g_ptr_array_add (resource->fields, field);
}

static void
add_nav (BaODataResource    *resource,
         const char         *name,
         const char         *target,
         BaODataCardinality  cardinality,
         const char         *local_column,
         const char         *remote_column,
         const char         *link_table,
         const char         *link_local_column,
         const char         *link_remote_column)
{
  Nav *nav = g_new0 (Nav, 1);

  nav->name = g_strdup (name);
  nav->target = g_strdup (target);
  nav->cardinality = cardinality;
  nav->local_column = g_strdup (local_column);
  nav->remote_column = g_strdup (remote_column);
  nav->link_table = g_strdup (link_table);
  nav->link_local_column = g_strdup (link_local_column);
  nav->link_remote_column = g_strdup (link_remote_column);
  g_ptr_array_add (resource->navs, nav);
}

void
ba_odata_resource_add_foreign_key (BaODataResource *resource,
                                   const char      *name,
                                   const char      *column,
                                   const char      *target)
{
  g_return_if_fail (resource != NULL && name != NULL && column != NULL && target != NULL);

  ba_odata_resource_add_field (resource, name, column, BA_ODATA_TYPE_FOREIGN_KEY, BA_ODATA_FIELD_NONE);
  add_nav (resource, name, target, BA_ODATA_TO_ONE, column, NULL, NULL, NULL, NULL);
}

void
ba_odata_resource_add_navigation (BaODataResource    *resource,
                                  const char         *name,
                                  const char         *target,
                                  BaODataCardinality  cardinality,
                                  const char         *local_column,
                                  const char         *remote_column)
{
  g_return_if_fail (resource != NULL && name != NULL && target != NULL && local_column != NULL);

  add_nav (resource, name, target, cardinality, local_column, remote_column, NULL, NULL, NULL);
}

void
ba_odata_resource_add_link_navigation (BaODataResource *resource,
                                       const char      *name,
                                       const char      *target,
                                       const char      *local_column,
                                       const char      *link_table,
                                       const char      *link_local_column,
                                       const char      *link_remote_column,
                                       const char      *remote_column)
{
  g_return_if_fail (resource != NULL && name != NULL && target != NULL && local_column != NULL);
  g_return_if_fail (link_table != NULL && link_local_column != NULL && link_remote_column != NULL);

  add_nav (resource, name, target, BA_ODATA_TO_MANY, local_column, remote_column,
           link_table, link_local_column, link_remote_column);
}

void
ba_odata_resource_add_alternate_key (BaODataResource    *resource,
                                     const char * const *fields)
{
  g_return_if_fail (resource != NULL && fields != NULL && fields[0] != NULL);

  g_ptr_array_add (resource->alternate_keys, g_strdupv ((char **) fields));
}

static Field *
field_lookup (BaODataResource *res,
              const char      *name)
{
  for (guint i = 0; i < res->fields->len; i++)
    {
      Field *field = g_ptr_array_index (res->fields, i);

      if (g_str_equal (field->name, name))
        return field;
    }

  return NULL;
}

static Nav *
nav_lookup (BaODataResource *res,
            const char      *name)
{
  for (guint i = 0; i < res->navs->len; i++)
    {
      Nav *nav = g_ptr_array_index (res->navs, i);

      if (g_str_equal (nav->name, name))
        return nav;
    }

  return NULL;
}

/* ------------------------------------------------------------------ */
/* Permissions                                                        */
/* ------------------------------------------------------------------ */

static void
permission_free (gpointer data)
{
  Permission *perm = data;

  g_free (perm->where);
  g_clear_pointer (&perm->params, g_variant_unref);
  g_free (perm);
}

BaODataPermissions *
ba_odata_permissions_new (void)
{
  BaODataPermissions *perms = g_new0 (BaODataPermissions, 1);

  perms->by_resource = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, permission_free);

  return perms;
}

void
ba_odata_permissions_free (BaODataPermissions *perms)
{
  if (perms == NULL)
    return;

  g_hash_table_unref (perms->by_resource);
  g_free (perms);
}

void
ba_odata_permissions_allow_all (BaODataPermissions *perms,
                                const char         *resource)
{
  g_return_if_fail (perms != NULL && resource != NULL);

  g_hash_table_replace (perms->by_resource, g_strdup (resource), g_new0 (Permission, 1));
}

void
ba_odata_permissions_allow_where (BaODataPermissions *perms,
                                  const char         *resource,
                                  const char         *where,
                                  GVariant           *params)
{
  Permission *perm;

  g_return_if_fail (perms != NULL && resource != NULL && where != NULL);
  g_return_if_fail (params == NULL || g_variant_is_of_type (params, G_VARIANT_TYPE_TUPLE));

  perm = g_new0 (Permission, 1);
  perm->where = g_strdup (where);
  perm->params = params != NULL ? g_variant_ref_sink (params) : NULL;
  g_hash_table_replace (perms->by_resource, g_strdup (resource), perm);
}

/* ------------------------------------------------------------------ */
/* Values and the AST                                                 */
/* ------------------------------------------------------------------ */

void
_ba_odata_value_clear (gpointer data)
{
  Value *value = data;

  g_clear_pointer (&value->s, g_free);
}

void
_ba_odata_value_copy (Value       *dest,
            const Value *src)
{
  *dest = *src;
  dest->s = g_strdup (src->s);
}

static const char *
kind_name (VKind kind)
{
  switch (kind)
    {
    case V_NULL: return "null";
    case V_INT: return "an integer";
    case V_DEC: return "a decimal";
    case V_TEXT: return "a string";
    case V_BOOL: return "a boolean";
    case V_DATETIME: return "a date-time";
    default: g_assert_not_reached ();
    }
}

static VKind
type_kind (BaODataType type)
{
  switch (type)
    {
    case BA_ODATA_TYPE_INTEGER:
    case BA_ODATA_TYPE_FOREIGN_KEY:
      return V_INT;
    case BA_ODATA_TYPE_DECIMAL:
      return V_DEC;
    case BA_ODATA_TYPE_TEXT:
      return V_TEXT;
    case BA_ODATA_TYPE_BOOLEAN:
      return V_BOOL;
    case BA_ODATA_TYPE_DATETIME:
      return V_DATETIME;
    default:
      g_assert_not_reached ();
    }
}

static const char * const op_names[] = { "eq", "ne", "gt", "ge", "lt", "le" };

static const Function functions[] = {
  { "contains", 2, V_TEXT, V_BOOL, "(instr(%0, %1) > 0)" },
  { "substringof", 2, V_TEXT, V_BOOL, "(instr(%1, %0) > 0)" },
  { "startswith", 2, V_TEXT, V_BOOL, "(substr(%0, 1, length(%1)) = %1)" },
  { "endswith", 2, V_TEXT, V_BOOL, "(%0 IS NOT NULL AND (length(%1) = 0 OR substr(%0, -length(%1)) = %1))" },
  { "tolower", 1, V_TEXT, V_TEXT, "lower(%0)" },
  { "toupper", 1, V_TEXT, V_TEXT, "upper(%0)" },
  { "trim", 1, V_TEXT, V_TEXT, "trim(%0)" },
  { "length", 1, V_TEXT, V_INT, "length(%0)" },
};

static void options_free (Options *opts);

static void
expr_free (Expr *expr)
{
  if (expr == NULL)
    return;

  _ba_odata_value_clear (&expr->value);
  g_clear_pointer (&expr->args, g_ptr_array_unref);
  g_clear_pointer (&expr->navs, g_ptr_array_unref);
  g_free (expr->head_var);
  g_free (expr->var);
  expr_free (expr->body);
  g_free (expr);
}

static void
order_item_free (gpointer data)
{
  OrderItem *item = data;

  expr_free (item->expr);
  g_free (item);
}

static void
expand_free (gpointer data)
{
  Expand *expand = data;

  options_free (expand->opts);
  g_free (expand);
}

static Options *
options_new (BaODataResource *res)
{
  Options *opts = g_new0 (Options, 1);

  opts->res = res;
  opts->top = -1;
  opts->expands = g_ptr_array_new_with_free_func (expand_free);

  return opts;
}

static void
options_free (Options *opts)
{
  if (opts == NULL)
    return;

  g_clear_pointer (&opts->select, g_ptr_array_unref);
  expr_free (opts->filter);
  g_clear_pointer (&opts->orderby, g_ptr_array_unref);
  g_ptr_array_unref (opts->expands);
  g_free (opts);
}

static void
key_part_clear (gpointer data)
{
  KeyPart *part = data;

  _ba_odata_value_clear (&part->value);
}

void
ba_odata_query_free (BaODataQuery *query)
{
  if (query == NULL)
    return;

  g_clear_pointer (&query->key, g_array_unref);
  options_free (query->opts);
  g_free (query);
}

/* ------------------------------------------------------------------ */
/* Lexer                                                              */
/* ------------------------------------------------------------------ */

typedef enum
{
  T_EOF,
  T_IDENT,
  T_STRING,
  T_INT,
  T_DEC,
  T_DATETIME,
  T_ALIAS,
  T_LPAREN,
  T_RPAREN,
  T_COMMA,
  T_SLASH,
  T_COLON,
  T_SEMI,
  T_EQUALS,
  T_STAR,
} TokKind;

typedef struct
{
  TokKind  kind;
  gsize    start;
  char    *text;   /* identifier, alias name or decoded string */
  gint64   i;
  double   d;
} Token;

typedef struct
{
  const char *name;
  BaODataResource *res;
} Scope;

typedef struct
{
  BaODataModel *model;
  const char   *what;       /* "$filter", "path"…: for messages */
  const char   *src;
  gsize         len;
  gsize         pos;
  Token         tok;
  int           depth;
  guint        *n_nodes;    /* shared across one query */
  guint        *n_expands;
  GHashTable   *aliases;    /* "@name" -> decoded text (borrowed) */
  GArray       *scopes;     /* Scope */
  GError      **error;
} Parser;

static gboolean
fail (Parser     *p,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (Parser     *p,
      const char *format,
      ...)
{
  va_list args;
  g_autofree char *message = NULL;

  if (p->error == NULL || *p->error != NULL)
    return FALSE;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (p->error, BA_ERROR, BA_ERROR_INVALID_INPUT, message);

  return FALSE;
}

/* "Malformed $filter near 'foo'", quoting at most 24 characters of the
 * request (made valid UTF-8 so the message can go into a JSON body). */
static gboolean
fail_near (Parser *p)
{
  g_autofree char *excerpt = NULL;
  g_autofree char *valid = NULL;
  gsize start = MIN (p->tok.start, p->len);
  gsize n = MIN (p->len - start, 24);

  if (start >= p->len)
    return fail (p, "Malformed %s: unexpected end", p->what);

  excerpt = g_strndup (p->src + start, n);
  valid = g_utf8_make_valid (excerpt, -1);

  return fail (p, "Malformed %s near '%s'", p->what, valid);
}

static gboolean
is_ident_start (char c)
{
  return g_ascii_isalpha (c) || c == '_' || c == '$';
}

static gboolean
is_ident_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* Reads a quoted string starting at the quote at p->pos. */
static gboolean
lex_string (Parser *p,
            char  **out)
{
  g_autoptr(GString) text = g_string_new (NULL);

  p->pos++;
  for (;;)
    {
      if (p->pos >= p->len)
        return fail (p, "Malformed %s: unterminated string literal", p->what);

      if (p->src[p->pos] == '\'')
        {
          if (p->pos + 1 < p->len && p->src[p->pos + 1] == '\'')
            {
              g_string_append_c (text, '\'');
              p->pos += 2;
              continue;
            }
          p->pos++;
          break;
        }

      g_string_append_c (text, p->src[p->pos]);
      p->pos++;

      if (text->len > BA_ODATA_MAX_LITERAL_LENGTH)
        return fail (p, "String literal in %s longer than %d bytes", p->what,
                     BA_ODATA_MAX_LITERAL_LENGTH);
    }

  *out = g_string_free (g_steal_pointer (&text), FALSE);
  return TRUE;
}

/* Normalises an ISO-8601 date-time (UTC assumed when no offset is given)
 * to "YYYY-MM-DDTHH:MM:SS.mmmZ", the form JavaScript's toISOString() and
 * our store write. */
char *
_ba_odata_normalise_datetime (const char *text)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) parsed = NULL;
  g_autoptr(GDateTime) in_utc = NULL;
  g_autofree char *seconds = NULL;

  parsed = g_date_time_new_from_iso8601 (text, utc);
  if (parsed == NULL)
    return NULL;

  in_utc = g_date_time_to_utc (parsed);
  seconds = g_date_time_format (in_utc, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", seconds, g_date_time_get_microsecond (in_utc) / 1000);
}

static gboolean
lex_number (Parser *p)
{
  gsize start = p->pos;
  gsize digits_start;
  gboolean decimal = FALSE;
  g_autofree char *text = NULL;

  if (p->src[p->pos] == '-')
    p->pos++;
  digits_start = p->pos;
  while (p->pos < p->len && g_ascii_isdigit (p->src[p->pos]))
    p->pos++;

  if (p->pos == digits_start)
    return fail_near (p);

  /* A bare ISO date such as 2024-01-01T00:00:00Z. */
  if (start == digits_start && p->pos - start == 4 && p->pos < p->len && p->src[p->pos] == '-')
    {
      g_autofree char *normalised = NULL;

      while (p->pos < p->len && (g_ascii_isdigit (p->src[p->pos]) || strchr ("-:.TZ+", p->src[p->pos]) != NULL))
        p->pos++;
      text = g_strndup (p->src + start, p->pos - start);
      normalised = _ba_odata_normalise_datetime (text);
      if (normalised == NULL)
        return fail (p, "Malformed %s: invalid date-time '%.40s'", p->what, text);
      p->tok.kind = T_DATETIME;
      p->tok.text = g_steal_pointer (&normalised);
      return TRUE;
    }

  if (p->pos < p->len && p->src[p->pos] == '.')
    {
      decimal = TRUE;
      p->pos++;
      while (p->pos < p->len && g_ascii_isdigit (p->src[p->pos]))
        p->pos++;
    }
  if (p->pos < p->len && (p->src[p->pos] == 'e' || p->src[p->pos] == 'E'))
    {
      decimal = TRUE;
      p->pos++;
      if (p->pos < p->len && (p->src[p->pos] == '+' || p->src[p->pos] == '-'))
        p->pos++;
      while (p->pos < p->len && g_ascii_isdigit (p->src[p->pos]))
        p->pos++;
    }

  if (p->pos - start > 64)
    return fail (p, "Malformed %s: number too long", p->what);
  if (p->pos < p->len && is_ident_char (p->src[p->pos]))
    return fail_near (p);

  text = g_strndup (p->src + start, p->pos - start);
  errno = 0;
  if (decimal)
    {
      char *end = NULL;

      p->tok.kind = T_DEC;
      p->tok.d = g_ascii_strtod (text, &end);
      if (errno != 0 || end == NULL || *end != '\0' || !isfinite (p->tok.d))
        return fail (p, "Malformed %s: invalid number '%s'", p->what, text);
    }
  else
    {
      char *end = NULL;

      p->tok.kind = T_INT;
      p->tok.i = g_ascii_strtoll (text, &end, 10);
      if (errno != 0 || end == NULL || *end != '\0')
        return fail (p, "Malformed %s: number out of range '%s'", p->what, text);
    }

  return TRUE;
}

/* Advances to the next token. */
static gboolean
next (Parser *p)
{
  char c;

  g_clear_pointer (&p->tok.text, g_free);
  p->tok.kind = T_EOF;

  while (p->pos < p->len && (p->src[p->pos] == ' ' || p->src[p->pos] == '\t' ||
                             p->src[p->pos] == '\n' || p->src[p->pos] == '\r'))
    p->pos++;

  p->tok.start = p->pos;
  if (p->pos >= p->len)
    return TRUE;

  c = p->src[p->pos];
  switch (c)
    {
    case '(': p->tok.kind = T_LPAREN; p->pos++; return TRUE;
    case ')': p->tok.kind = T_RPAREN; p->pos++; return TRUE;
    case ',': p->tok.kind = T_COMMA; p->pos++; return TRUE;
    case '/': p->tok.kind = T_SLASH; p->pos++; return TRUE;
    case ':': p->tok.kind = T_COLON; p->pos++; return TRUE;
    case ';': p->tok.kind = T_SEMI; p->pos++; return TRUE;
    case '=': p->tok.kind = T_EQUALS; p->pos++; return TRUE;
    case '*': p->tok.kind = T_STAR; p->pos++; return TRUE;
    case '\'':
      p->tok.kind = T_STRING;
      return lex_string (p, &p->tok.text);
    default:
      break;
    }

  if (g_ascii_isdigit (c) || c == '-')
    return lex_number (p);

  if (c == '@' || is_ident_start (c))
    {
      gsize start = p->pos;

      p->pos++;
      while (p->pos < p->len && is_ident_char (p->src[p->pos]))
        p->pos++;
      if (p->pos - start > 128)
        return fail (p, "Malformed %s: name too long", p->what);

      p->tok.kind = c == '@' ? T_ALIAS : T_IDENT;
      p->tok.text = g_strndup (p->src + start, p->pos - start);

      /* datetime'2024-01-01T00:00:00.000Z', as pinejs-client sends dates. */
      if (g_str_equal (p->tok.text, "datetime") && p->pos < p->len && p->src[p->pos] == '\'')
        {
          g_autofree char *raw = NULL;

          g_clear_pointer (&p->tok.text, g_free);
          if (!lex_string (p, &raw))
            return FALSE;
          p->tok.text = _ba_odata_normalise_datetime (raw);
          if (p->tok.text == NULL)
            return fail (p, "Malformed %s: invalid date-time '%.40s'", p->what, raw);
          p->tok.kind = T_DATETIME;
        }
      return TRUE;
    }

  return fail_near (p);
}

static gboolean
tok_is (Parser     *p,
        const char *ident)
{
  return p->tok.kind == T_IDENT && g_str_equal (p->tok.text, ident);
}

static gboolean
expect (Parser  *p,
        TokKind  kind)
{
  if (p->tok.kind != kind)
    return fail_near (p);

  return next (p);
}

static gboolean
enter (Parser *p)
{
  if (++p->depth > BA_ODATA_MAX_DEPTH)
    return fail (p, "%s is nested too deeply (more than %d levels)", p->what, BA_ODATA_MAX_DEPTH);

  return TRUE;
}

static void
leave (Parser *p)
{
  p->depth--;
}

static Expr *
expr_new (Parser *p,
          EKind   kind)
{
  Expr *expr;

  if (++*p->n_nodes > MAX_NODES)
    {
      fail (p, "Query too complex (more than %d terms)", MAX_NODES);
      return NULL;
    }

  expr = g_new0 (Expr, 1);
  expr->kind = kind;
  return expr;
}

static BaODataResource *
nav_target (Parser *p,
            Nav    *nav)
{
  BaODataResource *res = g_hash_table_lookup (p->model->by_name, nav->target);

  if (res == NULL)
    fail (p, "Model error: navigation '%s' points at unknown resource '%s'", nav->name, nav->target);

  return res;
}

/* ------------------------------------------------------------------ */
/* Parser: literals and expressions                                   */
/* ------------------------------------------------------------------ */

static gboolean parse_literal_text (Parser *p, const char *text, Value *out);

/* If the current token is a literal (or an @alias for one), consumes it
 * into @out and returns TRUE; sets *is_literal to FALSE otherwise. */
static gboolean
parse_literal (Parser   *p,
               Value    *out,
               gboolean *is_literal)
{
  *is_literal = TRUE;
  memset (out, 0, sizeof *out);

  switch (p->tok.kind)
    {
    case T_STRING:
      out->kind = V_TEXT;
      out->s = g_steal_pointer (&p->tok.text);
      break;
    case T_DATETIME:
      out->kind = V_DATETIME;
      out->s = g_steal_pointer (&p->tok.text);
      break;
    case T_INT:
      out->kind = V_INT;
      out->i = p->tok.i;
      break;
    case T_DEC:
      out->kind = V_DEC;
      out->d = p->tok.d;
      break;
    case T_ALIAS:
      {
        const char *text = p->aliases != NULL ? g_hash_table_lookup (p->aliases, p->tok.text) : NULL;

        if (text == NULL)
          return fail (p, "Unknown parameter alias '%s'", p->tok.text);
        if (!parse_literal_text (p, text, out))
          return FALSE;
        break;
      }
    case T_IDENT:
      if (tok_is (p, "null"))
        out->kind = V_NULL;
      else if (tok_is (p, "true") || tok_is (p, "false"))
        {
          out->kind = V_BOOL;
          out->i = tok_is (p, "true");
        }
      else
        {
          *is_literal = FALSE;
          return TRUE;
        }
      break;
    default:
      *is_literal = FALSE;
      return TRUE;
    }

  /* The caller owns nothing when this fails. */
  if (!next (p))
    {
      _ba_odata_value_clear (out);
      return FALSE;
    }

  return TRUE;
}

/* Parses the value of an @alias parameter: exactly one literal. */
static gboolean
parse_literal_text (Parser     *p,
                    const char *text,
                    Value      *out)
{
  Parser sub = { 0 };
  gboolean is_literal = FALSE;
  gboolean ok;

  sub.model = p->model;
  sub.what = "parameter alias";
  sub.src = text;
  sub.len = strlen (text);
  sub.n_nodes = p->n_nodes;
  sub.n_expands = p->n_expands;
  sub.error = p->error;

  /* sub.aliases stays NULL, so an alias cannot refer to another. */
  ok = next (&sub) && parse_literal (&sub, out, &is_literal);
  if (ok && (!is_literal || sub.tok.kind != T_EOF))
    ok = fail_near (&sub);
  if (!ok)
    _ba_odata_value_clear (out);
  g_clear_pointer (&sub.tok.text, g_free);

  return ok;
}

static Expr *parse_or (Parser *p);
static Options *parse_nested_options (Parser *p, BaODataResource *res, gboolean count_only);

static gboolean
comparable (VKind a,
            VKind b)
{
  gboolean a_num = a == V_INT || a == V_DEC;
  gboolean b_num = b == V_INT || b == V_DEC;
  gboolean a_text = a == V_TEXT || a == V_DATETIME;
  gboolean b_text = b == V_TEXT || b == V_DATETIME;

  if (a == V_NULL || b == V_NULL)
    return TRUE;
  if (a_num && b_num)
    return TRUE;
  if (a_text && b_text)
    return TRUE;
  /* Booleans are stored as 0/1; "is_online eq 1" is harmless. */
  if ((a == V_BOOL && (b == V_BOOL || b == V_INT)) || (b == V_BOOL && a == V_INT))
    return TRUE;

  return FALSE;
}

static gboolean
check_boolean (Parser     *p,
               Expr       *expr,
               const char *where)
{
  if (expr->type != V_BOOL)
    return fail (p, "Malformed %s: %s needs a boolean expression, not %s",
                 p->what, where, kind_name (expr->type));

  return TRUE;
}

/* Lambda and $count over @nav, after "nav/any", "nav/all" or "nav/$count"
 * has been read. */
static gboolean
parse_path_collection (Parser *p,
                       Expr   *expr,
                       Nav    *nav)
{
  BaODataResource *target = nav_target (p, nav);

  if (target == NULL)
    return FALSE;

  expr->collection = nav;
  expr->collection_res = target;

  if (expr->end == PATH_COUNT)
    {
      expr->type = V_INT;
      if (p->tok.kind == T_LPAREN)
        {
          Options *count_opts = parse_nested_options (p, target, TRUE);

          if (count_opts == NULL)
            return FALSE;
          expr->body = g_steal_pointer (&count_opts->filter);
          options_free (count_opts);
        }
      return TRUE;
    }

  expr->type = V_BOOL;
  if (!expect (p, T_LPAREN))
    return FALSE;

  /* any() with no lambda: "has at least one". */
  if (p->tok.kind == T_RPAREN && expr->end == PATH_ANY)
    return next (p);

  if (p->tok.kind != T_IDENT)
    return fail_near (p);
  expr->var = g_steal_pointer (&p->tok.text);
  if (!next (p) || !expect (p, T_COLON) || !enter (p))
    return FALSE;

  {
    Scope scope = { expr->var, target };
    gboolean ok;

    g_array_append_val (p->scopes, scope);
    expr->body = parse_or (p);
    g_array_set_size (p->scopes, p->scopes->len - 1);
    leave (p);

    ok = expr->body != NULL && check_boolean (p, expr->body, "a lambda");
    if (!ok)
      return FALSE;
  }

  return expect (p, T_RPAREN);
}

/* A path such as name, x/name, belongs_to__application/app_name,
 * owns__device/any(d:d/is_online) or owns__device/$count. @first is the
 * first segment, already consumed. */
static Expr *
parse_path (Parser     *p,
            const char *first)
{
  g_autoptr(GString) segment = g_string_new (first);
  BaODataResource *res;
  Expr *expr = expr_new (p, E_PATH);

  if (expr == NULL)
    return NULL;

  expr->navs = g_ptr_array_new ();
  res = g_array_index (p->scopes, Scope, 0).res;

  /* A lambda variable, innermost first. */
  for (guint i = p->scopes->len - 1; i > 0; i--)
    {
      Scope *scope = &g_array_index (p->scopes, Scope, i);

      if (g_str_equal (scope->name, first))
        {
          expr->scope = i;
          expr->head_var = g_strdup (first);
          res = scope->res;
          if (p->tok.kind != T_SLASH)
            {
              fail (p, "Malformed %s: lambda variable '%s' must be followed by /field", p->what, first);
              goto error;
            }
          if (!next (p))
            goto error;
          if (p->tok.kind != T_IDENT)
            {
              fail_near (p);
              goto error;
            }
          g_string_assign (segment, p->tok.text);
          if (!next (p))
            goto error;
          break;
        }
    }

  for (;;)
    {
      if (p->tok.kind == T_SLASH)
        {
          Nav *nav = nav_lookup (res, segment->str);

          if (nav == NULL)
            {
              if (field_lookup (res, segment->str) != NULL)
                fail (p, "'%s' of '%s' is not a navigation property", segment->str, res->name);
              else
                fail (p, "Unknown navigation property '%s' of '%s'", segment->str, res->name);
              goto error;
            }
          if (!next (p))
            goto error;

          if (tok_is (p, "any") || tok_is (p, "all") || tok_is (p, "$count"))
            {
              expr->end = tok_is (p, "any") ? PATH_ANY : tok_is (p, "all") ? PATH_ALL : PATH_COUNT;
              if (!next (p) || !parse_path_collection (p, expr, nav))
                goto error;
              return expr;
            }

          if (nav->cardinality == BA_ODATA_TO_MANY)
            {
              fail (p, "'%s' is a collection: use %s/any(…), %s/all(…) or %s/$count",
                    nav->name, nav->name, nav->name, nav->name);
              goto error;
            }

          g_ptr_array_add (expr->navs, nav);
          res = nav_target (p, nav);
          if (res == NULL)
            goto error;
          if (p->tok.kind != T_IDENT)
            {
              fail_near (p);
              goto error;
            }
          g_string_assign (segment, p->tok.text);
          if (!next (p))
            goto error;
          continue;
        }

      /* The last segment: a field. */
      expr->end = PATH_FIELD;
      expr->field = field_lookup (res, segment->str);
      if (expr->field == NULL)
        {
          if (nav_lookup (res, segment->str) != NULL)
            fail (p, "'%s' of '%s' is a navigation property, not a value", segment->str, res->name);
          else
            fail (p, "Unknown field '%s' of '%s'", segment->str, res->name);
          goto error;
        }
      if (expr->field->flags & BA_ODATA_FIELD_HIDDEN)
        {
          fail (p, "Field '%s' of '%s' is not readable", segment->str, res->name);
          goto error;
        }
      expr->type = type_kind (expr->field->type);
      return expr;
    }

error:
  expr_free (expr);
  return NULL;
}

static Expr *
parse_function (Parser     *p,
                const char *name)
{
  const Function *func = NULL;
  Expr *expr;

  for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
    if (g_str_equal (functions[i].name, name))
      func = &functions[i];

  if (func == NULL)
    {
      fail (p, "Malformed %s: unknown function '%s'", p->what, name);
      return NULL;
    }

  expr = expr_new (p, E_FUNC);
  if (expr == NULL)
    return NULL;
  expr->func = func;
  expr->type = func->result;
  expr->args = g_ptr_array_new_with_free_func ((GDestroyNotify) expr_free);

  if (!expect (p, T_LPAREN) || !enter (p))
    goto error;

  for (guint i = 0; i < func->n_args; i++)
    {
      Expr *arg;

      if (i > 0 && !expect (p, T_COMMA))
        goto error_leave;
      arg = parse_or (p);
      if (arg == NULL)
        goto error_leave;
      g_ptr_array_add (expr->args, arg);
      if (arg->type != V_NULL && !comparable (arg->type, func->arg_kind))
        {
          fail (p, "Malformed %s: the arguments of %s() must be text, not %s", p->what, name,
                kind_name (arg->type));
          goto error_leave;
        }
    }
  leave (p);

  if (!expect (p, T_RPAREN))
    goto error;

  return expr;

error_leave:
  leave (p);
error:
  expr_free (expr);
  return NULL;
}

static Expr *
parse_primary (Parser *p)
{
  Value value;
  gboolean is_literal = FALSE;
  g_autofree char *name = NULL;

  if (p->tok.kind == T_LPAREN)
    {
      Expr *inner;

      if (!enter (p) || !next (p))
        return NULL;
      inner = parse_or (p);
      leave (p);
      if (inner == NULL)
        return NULL;
      if (!expect (p, T_RPAREN))
        {
          expr_free (inner);
          return NULL;
        }
      return inner;
    }

  if (!parse_literal (p, &value, &is_literal))
    return NULL;
  if (is_literal)
    {
      Expr *expr = expr_new (p, E_LITERAL);

      if (expr == NULL)
        {
          _ba_odata_value_clear (&value);
          return NULL;
        }
      expr->value = value;
      expr->type = value.kind;
      return expr;
    }

  if (p->tok.kind != T_IDENT)
    {
      fail_near (p);
      return NULL;
    }

  name = g_steal_pointer (&p->tok.text);
  if (!next (p))
    return NULL;

  if (p->tok.kind == T_LPAREN)
    return parse_function (p, name);

  return parse_path (p, name);
}

static Expr *
parse_unary (Parser *p)
{
  Expr *expr;
  Expr *operand;

  if (!tok_is (p, "not"))
    return parse_primary (p);

  if (!enter (p) || !next (p))
    return NULL;
  operand = parse_unary (p);
  leave (p);
  if (operand == NULL)
    return NULL;
  if (!check_boolean (p, operand, "'not'") || (expr = expr_new (p, E_NOT)) == NULL)
    {
      expr_free (operand);
      return NULL;
    }

  expr->type = V_BOOL;
  expr->args = g_ptr_array_new_with_free_func ((GDestroyNotify) expr_free);
  g_ptr_array_add (expr->args, operand);
  return expr;
}

static Expr *
parse_comparison (Parser *p)
{
  Expr *left = parse_unary (p);
  Expr *expr = NULL;
  int op = -1;

  if (left == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (op_names); i++)
    if (tok_is (p, op_names[i]))
      op = i;

  if (op >= 0)
    {
      Expr *right;

      if (!next (p) || (right = parse_unary (p)) == NULL)
        goto error;
      if ((expr = expr_new (p, E_CMP)) == NULL)
        {
          expr_free (right);
          goto error;
        }
      expr->op = op;
      expr->type = V_BOOL;
      expr->args = g_ptr_array_new_with_free_func ((GDestroyNotify) expr_free);
      g_ptr_array_add (expr->args, g_steal_pointer (&left));
      g_ptr_array_add (expr->args, right);
      if (!comparable (((Expr *) expr->args->pdata[0])->type, right->type))
        {
          fail (p, "Malformed %s: cannot compare %s with %s", p->what,
                kind_name (((Expr *) expr->args->pdata[0])->type), kind_name (right->type));
          goto error;
        }
      return expr;
    }

  if (tok_is (p, "in"))
    {
      if ((expr = expr_new (p, E_IN)) == NULL)
        goto error;
      expr->type = V_BOOL;
      expr->args = g_ptr_array_new_with_free_func ((GDestroyNotify) expr_free);
      g_ptr_array_add (expr->args, g_steal_pointer (&left));
      if (!next (p) || !expect (p, T_LPAREN))
        goto error;
      for (;;)
        {
          Expr *item = parse_primary (p);

          if (item == NULL)
            goto error;
          g_ptr_array_add (expr->args, item);
          if (item->kind != E_LITERAL)
            {
              fail (p, "Malformed %s: 'in' takes a list of literals", p->what);
              goto error;
            }
          if (!comparable (((Expr *) expr->args->pdata[0])->type, item->type))
            {
              fail (p, "Malformed %s: cannot compare %s with %s", p->what,
                    kind_name (((Expr *) expr->args->pdata[0])->type), kind_name (item->type));
              goto error;
            }
          if (p->tok.kind != T_COMMA)
            break;
          if (!next (p))
            goto error;
        }
      if (!expect (p, T_RPAREN))
        goto error;
      return expr;
    }

  return left;

error:
  expr_free (left);
  expr_free (expr);
  return NULL;
}

/* and/or chains become one n-ary node, so a long chain is flat rather than
 * a deep tree. */
static Expr *
parse_chain (Parser     *p,
             EKind       kind,
             const char *word,
             Expr     *(*operand) (Parser *))
{
  Expr *first = operand (p);
  Expr *chain;

  if (first == NULL || !tok_is (p, word))
    return first;

  if (!check_boolean (p, first, word) || (chain = expr_new (p, kind)) == NULL)
    {
      expr_free (first);
      return NULL;
    }
  chain->type = V_BOOL;
  chain->args = g_ptr_array_new_with_free_func ((GDestroyNotify) expr_free);
  g_ptr_array_add (chain->args, first);

  while (tok_is (p, word))
    {
      Expr *more;

      if (!next (p) || (more = operand (p)) == NULL)
        goto error;
      g_ptr_array_add (chain->args, more);
      if (!check_boolean (p, more, word))
        goto error;
    }

  return chain;

error:
  expr_free (chain);
  return NULL;
}

static Expr *
parse_and (Parser *p)
{
  return parse_chain (p, E_AND, "and", parse_comparison);
}

static Expr *
parse_or (Parser *p)
{
  return parse_chain (p, E_OR, "or", parse_and);
}

/* ------------------------------------------------------------------ */
/* Parser: query options                                              */
/* ------------------------------------------------------------------ */

/* Runs @func with a fresh lambda scope whose root is @res: each $filter and
 * $orderby is about its own resource, and lambda variables of an enclosing
 * query are not visible inside. */
static Expr *
parse_in_scope (Parser          *p,
                BaODataResource *res,
                Expr          *(*func) (Parser *))
{
  GArray *saved = p->scopes;
  Scope root = { NULL, res };
  Expr *expr;

  p->scopes = g_array_new (FALSE, FALSE, sizeof (Scope));
  g_array_append_val (p->scopes, root);
  expr = func (p);
  g_array_unref (p->scopes);
  p->scopes = saved;

  return expr;
}

static gboolean
parse_select (Parser  *p,
              Options *opts)
{
  opts->select = g_ptr_array_new ();

  if (p->tok.kind == T_STAR)
    {
      g_clear_pointer (&opts->select, g_ptr_array_unref);
      return next (p);
    }

  for (;;)
    {
      Field *field;

      if (p->tok.kind != T_IDENT)
        return fail_near (p);

      field = field_lookup (opts->res, p->tok.text);
      if (field == NULL)
        {
          if (nav_lookup (opts->res, p->tok.text) != NULL)
            return fail (p, "'%s' of '%s' is a navigation property: use $expand", p->tok.text, opts->res->name);
          return fail (p, "Unknown field '%s' of '%s' in $select", p->tok.text, opts->res->name);
        }
      if (field->flags & BA_ODATA_FIELD_HIDDEN)
        return fail (p, "Field '%s' of '%s' is not readable", field->name, opts->res->name);
      if (!g_ptr_array_find (opts->select, field, NULL))
        g_ptr_array_add (opts->select, field);

      if (!next (p))
        return FALSE;
      if (p->tok.kind != T_COMMA)
        return TRUE;
      if (!next (p))
        return FALSE;
    }
}

static gboolean
parse_orderby (Parser  *p,
               Options *opts)
{
  opts->orderby = g_ptr_array_new_with_free_func (order_item_free);

  for (;;)
    {
      OrderItem *item;
      Expr *expr = parse_in_scope (p, opts->res, parse_primary);

      if (expr == NULL)
        return FALSE;
      if (expr->kind != E_PATH || expr->end != PATH_FIELD)
        {
          expr_free (expr);
          return fail (p, "Malformed $orderby: sort by a field, such as 'name asc'");
        }

      item = g_new0 (OrderItem, 1);
      item->expr = expr;
      g_ptr_array_add (opts->orderby, item);

      if (tok_is (p, "asc") || tok_is (p, "desc"))
        {
          item->desc = tok_is (p, "desc");
          if (!next (p))
            return FALSE;
        }

      if (p->tok.kind != T_COMMA)
        return TRUE;
      if (!next (p))
        return FALSE;
    }
}

static gboolean
parse_count_value (Parser *p,
                   gint64 *out)
{
  if (p->tok.kind != T_INT || p->tok.i < 0)
    return fail (p, "Malformed %s: expected a non-negative integer", p->what);
  if (p->tok.i > BA_ODATA_MAX_TOP)
    return fail (p, "%s is larger than %d", p->what, BA_ODATA_MAX_TOP);

  *out = p->tok.i;
  return next (p);
}

static gboolean parse_expand (Parser *p, Options *opts);

/* Parses the value of option @name into @opts, stopping at the first token
 * that cannot continue it. */
static gboolean
parse_option_value (Parser     *p,
                    Options    *opts,
                    const char *name)
{
  const char *saved_what = p->what;
  gboolean ok;

  p->what = name;

  if (g_str_equal (name, "$select"))
    ok = parse_select (p, opts);
  else if (g_str_equal (name, "$filter"))
    {
      opts->filter = parse_in_scope (p, opts->res, parse_or);
      ok = opts->filter != NULL;
      /* Leftovers first: "a like 'x'" is better reported at "like". */
      if (ok && p->tok.kind != T_EOF && p->tok.kind != T_SEMI && p->tok.kind != T_RPAREN)
        ok = fail_near (p);
      ok = ok && check_boolean (p, opts->filter, "$filter");
    }
  else if (g_str_equal (name, "$orderby"))
    ok = parse_orderby (p, opts);
  else if (g_str_equal (name, "$top"))
    ok = parse_count_value (p, &opts->top);
  else if (g_str_equal (name, "$skip"))
    ok = parse_count_value (p, &opts->skip);
  else if (g_str_equal (name, "$expand"))
    ok = parse_expand (p, opts);
  else
    ok = fail (p, "Unknown query option '%s'", name);

  p->what = saved_what;
  return ok;
}

/* "(" $option=value (";" $option=value)* ")" after an expanded navigation,
 * or after nav/$count (then only $filter is allowed). */
static Options *
parse_nested_options (Parser          *p,
                      BaODataResource *res,
                      gboolean         count_only)
{
  Options *opts = options_new (res);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!expect (p, T_LPAREN) || !enter (p))
    goto error;

  while (p->tok.kind != T_RPAREN)
    {
      g_autofree char *name = NULL;

      if (p->tok.kind != T_IDENT || p->tok.text[0] != '$')
        {
          fail_near (p);
          goto error_leave;
        }
      name = g_steal_pointer (&p->tok.text);
      if (count_only && !g_str_equal (name, "$filter"))
        {
          fail (p, "Only $filter may be used with $count, not %s", name);
          goto error_leave;
        }
      if (!g_hash_table_add (seen, g_strdup (name)))
        {
          fail (p, "Query option %s given twice", name);
          goto error_leave;
        }
      if (!next (p) || !expect (p, T_EQUALS) || !parse_option_value (p, opts, name))
        goto error_leave;

      if (p->tok.kind == T_SEMI)
        {
          if (!next (p))
            goto error_leave;
        }
      else if (p->tok.kind != T_RPAREN)
        {
          fail_near (p);
          goto error_leave;
        }
    }
  leave (p);

  if (!next (p))
    goto error;

  return opts;

error_leave:
  leave (p);
error:
  options_free (opts);
  return NULL;
}

static gboolean
parse_expand (Parser  *p,
              Options *opts)
{
  for (;;)
    {
      Expand *expand;
      Nav *nav;
      BaODataResource *target;

      if (p->tok.kind != T_IDENT)
        return fail_near (p);

      nav = nav_lookup (opts->res, p->tok.text);
      if (nav == NULL)
        return fail (p, "Unknown navigation property '%s' of '%s' in $expand", p->tok.text, opts->res->name);
      target = nav_target (p, nav);
      if (target == NULL)
        return FALSE;
      for (guint i = 0; i < opts->expands->len; i++)
        if (((Expand *) opts->expands->pdata[i])->nav == nav)
          return fail (p, "'%s' is expanded twice", nav->name);
      if (++*p->n_expands > BA_ODATA_MAX_EXPANDS)
        return fail (p, "Too many $expand items (more than %d)", BA_ODATA_MAX_EXPANDS);

      expand = g_new0 (Expand, 1);
      expand->nav = nav;
      g_ptr_array_add (opts->expands, expand);

      if (!next (p))
        return FALSE;

      if (p->tok.kind == T_SLASH)
        {
          if (!next (p))
            return FALSE;
          if (!tok_is (p, "$count"))
            return fail_near (p);
          expand->count = TRUE;
          if (!next (p))
            return FALSE;
        }

      if (p->tok.kind == T_LPAREN)
        {
          expand->opts = parse_nested_options (p, target, expand->count);
          if (expand->opts == NULL)
            return FALSE;
        }
      else
        expand->opts = options_new (target);

      if (p->tok.kind != T_COMMA)
        return TRUE;
      if (!next (p))
        return FALSE;
    }
}

/* ------------------------------------------------------------------ */
/* Parser: path, keys and the query string                            */
/* ------------------------------------------------------------------ */

static gboolean
key_matches (GPtrArray  *names,
             char      **key)
{
  if (g_strv_length (key) != names->len)
    return FALSE;

  for (guint i = 0; key[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (names, key[i], g_str_equal, NULL))
      return FALSE;

  return TRUE;
}

static gboolean
add_key_part (Parser          *p,
              GArray          *key,
              BaODataResource *res,
              const char      *name,
              Value           *value)
{
  KeyPart part = { 0 };

  part.field = field_lookup (res, name);
  if (part.field == NULL || (part.field->flags & BA_ODATA_FIELD_HIDDEN))
    {
      _ba_odata_value_clear (value);
      return fail (p, "Unknown key field '%s' of '%s'", name, res->name);
    }
  if (value->kind == V_NULL || !comparable (type_kind (part.field->type), value->kind))
    {
      _ba_odata_value_clear (value);
      return fail (p, "Key field '%s' of '%s' cannot be %s", name, res->name, kind_name (value->kind));
    }

  part.value = *value;
  g_array_append_val (key, part);
  return TRUE;
}

/* "(1)", "(name='x')" or "(user=1,is_member_of__application=2)". */
static gboolean
parse_key (Parser       *p,
           BaODataQuery *query)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  Value value;
  gboolean is_literal = FALSE;

  query->key = g_array_new (FALSE, TRUE, sizeof (KeyPart));
  g_array_set_clear_func (query->key, key_part_clear);

  if (!next (p))
    return FALSE;

  if (!parse_literal (p, &value, &is_literal))
    return FALSE;
  if (is_literal)
    {
      if (!add_key_part (p, query->key, query->res, "id", &value))
        return FALSE;
      return expect (p, T_RPAREN);
    }

  for (;;)
    {
      if (p->tok.kind != T_IDENT)
        return fail_near (p);
      if (g_ptr_array_find_with_equal_func (names, p->tok.text, g_str_equal, NULL))
        return fail (p, "Key field '%s' given twice", p->tok.text);
      g_ptr_array_add (names, g_steal_pointer (&p->tok.text));
      if (!next (p) || !expect (p, T_EQUALS) || !parse_literal (p, &value, &is_literal))
        return FALSE;
      if (!is_literal)
        return fail_near (p);
      if (!add_key_part (p, query->key, query->res, g_ptr_array_index (names, names->len - 1), &value))
        return FALSE;
      if (p->tok.kind == T_RPAREN)
        break;
      if (!expect (p, T_COMMA))
        return FALSE;
    }

  if (!(names->len == 1 && g_str_equal (names->pdata[0], "id")))
    {
      gboolean found = FALSE;

      for (guint i = 0; i < query->res->alternate_keys->len && !found; i++)
        found = key_matches (names, g_ptr_array_index (query->res->alternate_keys, i));
      if (!found)
        {
          g_ptr_array_add (names, NULL);
          {
            g_autofree char *list = g_strjoinv (",", (char **) names->pdata);
            return fail (p, "'%s' has no key (%s)", query->res->name, list);
          }
        }
    }

  return expect (p, T_RPAREN);
}

static gboolean
parse_resource_path (Parser       *p,
                     BaODataQuery *query)
{
  if (!next (p))
    return FALSE;
  if (p->tok.kind == T_SLASH && !next (p))
    return FALSE;
  if (p->tok.kind != T_IDENT)
    return fail (p, "Malformed path: no resource");

  query->res = g_hash_table_lookup (p->model->by_name, p->tok.text);
  if (query->res == NULL)
    return fail (p, "Unknown resource '%s'", p->tok.text);
  if (!next (p))
    return FALSE;

  if (p->tok.kind == T_LPAREN && !parse_key (p, query))
    return FALSE;

  if (p->tok.kind == T_SLASH)
    {
      if (!next (p))
        return FALSE;
      if (!tok_is (p, "$count"))
        return fail (p, "Malformed path: only /$count may follow the resource");
      query->count = TRUE;
      if (!next (p))
        return FALSE;
    }

  if (p->tok.kind != T_EOF)
    return fail_near (p);

  return TRUE;
}

/* With @plus_is_space, a '+' is a space, as in a form-encoded query
 * string: Express (qs), which the real API runs on, reads the query that
 * way, so "$filter=id+eq+1" works there. An encoded plus (%2B) stays a
 * plus. In a path, '+' is itself. */
static char *
percent_decode (const char  *text,
                gsize        len,
                gboolean     plus_is_space,
                GError     **error)
{
  g_autofree char *raw = g_strndup (text, len);
  g_autofree char *decoded = NULL;

  if (plus_is_space)
    g_strdelimit (raw, "+", ' ');
  decoded = g_uri_unescape_string (raw, NULL);

  /* NULL means a bad escape or an encoded NUL. */
  if (decoded == NULL || !g_utf8_validate (decoded, -1, NULL))
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                           "Malformed percent-encoding in the query");
      return NULL;
    }

  return g_steal_pointer (&decoded);
}

/* At most 64 bytes of @text, as valid UTF-8, for an error message. */
static char *
excerpt (const char *text)
{
  g_autofree char *head = g_strndup (text, 64);

  return g_utf8_make_valid (head, -1);
}

/* Splits the raw query string into $options and @aliases, decoded. */
static gboolean
parse_query_string (const char  *query,
                    GHashTable  *options,
                    GHashTable  *aliases,
                    GError     **error)
{
  g_auto(GStrv) parts = NULL;

  if (query == NULL || *query == '\0')
    return TRUE;

  parts = g_strsplit (query, "&", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *eq = strchr (parts[i], '=');
      gsize name_len = eq != NULL ? (gsize) (eq - parts[i]) : strlen (parts[i]);
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;
      GHashTable *table;

      if (parts[i][0] == '\0')
        continue;

      name = percent_decode (parts[i], name_len, TRUE, error);
      if (name == NULL)
        return FALSE;
      if (name[0] != '$' && name[0] != '@')
        continue;   /* apikey= and other non-OData parameters */

      value = percent_decode (eq != NULL ? eq + 1 : "", eq != NULL ? strlen (eq + 1) : 0, TRUE, error);
      if (value == NULL)
        return FALSE;

      table = name[0] == '$' ? options : aliases;
      if (g_hash_table_contains (table, name))
        {
          g_autofree char *valid = excerpt (name);

          g_set_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT, "Query option %s given twice", valid);
          return FALSE;
        }
      g_hash_table_insert (table, g_steal_pointer (&name), g_steal_pointer (&value));
    }

  return TRUE;
}

static void
parser_init (Parser       *p,
             BaODataModel *model,
             const char   *what,
             const char   *text,
             guint        *n_nodes,
             guint        *n_expands,
             GHashTable   *aliases,
             GError      **error)
{
  memset (p, 0, sizeof *p);
  p->model = model;
  p->what = what;
  p->src = text;
  p->len = strlen (text);
  p->n_nodes = n_nodes;
  p->n_expands = n_expands;
  p->aliases = aliases;
  p->error = error;
}

BaODataQuery *
ba_odata_query_parse (BaODataModel  *model,
                      const char    *path,
                      const char    *query,
                      GError       **error)
{
  static const char * const known[] = {
    "$select", "$filter", "$expand", "$orderby", "$top", "$skip",
  };
  g_autoptr(BaODataQuery) result = NULL;
  g_autoptr(GHashTable) options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) aliases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *decoded_path = NULL;
  guint n_nodes = 0;
  guint n_expands = 0;
  Parser p;
  gboolean ok;
  const char *value;
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (strlen (path) > BA_ODATA_MAX_QUERY_LENGTH ||
      (query != NULL && strlen (query) > BA_ODATA_MAX_QUERY_LENGTH))
    {
      g_set_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                   "Query longer than %d bytes", BA_ODATA_MAX_QUERY_LENGTH);
      return NULL;
    }

  decoded_path = percent_decode (path, strlen (path), FALSE, error);
  if (decoded_path == NULL)
    return NULL;
  if (!parse_query_string (query, options, aliases, error))
    return NULL;

  result = g_new0 (BaODataQuery, 1);
  result->model = model;

  parser_init (&p, model, "path", decoded_path, &n_nodes, &n_expands, aliases, error);
  ok = parse_resource_path (&p, result);
  g_clear_pointer (&p.tok.text, g_free);
  if (!ok)
    return NULL;

  result->opts = options_new (result->res);

  /* Options that are not OData's, checked before any is parsed. */
  g_hash_table_iter_init (&iter, options);
  while (g_hash_table_iter_next (&iter, &key, (gpointer *) &value))
    {
      gboolean found = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (known); i++)
        found = found || g_str_equal (key, known[i]);

      if (g_str_equal (key, "$format") && g_str_equal (value, "json"))
        continue;
      if (g_str_equal (key, "$count") && g_str_equal (value, "false"))
        continue;
      if (g_str_equal (key, "$count"))
        {
          g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                               "$count=true is not supported: use /$count");
          return NULL;
        }
      if (!found)
        {
          g_autofree char *valid = excerpt (key);

          g_set_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT, "Unknown query option '%s'", valid);
          return NULL;
        }
    }

  /* A fixed order, so errors do not depend on hash order. */
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    {
      value = g_hash_table_lookup (options, known[i]);
      if (value == NULL)
        continue;

      parser_init (&p, model, known[i], value, &n_nodes, &n_expands, aliases, error);
      ok = next (&p);
      if (ok && p.tok.kind == T_EOF)
        ok = fail (&p, "%s is empty", known[i]);
      ok = ok && parse_option_value (&p, result->opts, known[i]);
      if (ok && p.tok.kind != T_EOF)
        ok = fail_near (&p);
      g_clear_pointer (&p.tok.text, g_free);
      if (!ok)
        return NULL;
    }

  if (result->count && (result->opts->select != NULL || result->opts->expands->len > 0))
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                           "/$count cannot be combined with $select or $expand");
      return NULL;
    }

  return g_steal_pointer (&result);
}

const char *
ba_odata_query_get_resource_name (BaODataQuery *query)
{
  g_return_val_if_fail (query != NULL, NULL);

  return query->res->name;
}

gboolean
ba_odata_query_is_count (BaODataQuery *query)
{
  g_return_val_if_fail (query != NULL, FALSE);

  return query->count;
}

gboolean
ba_odata_query_has_key (BaODataQuery *query)
{
  g_return_val_if_fail (query != NULL, FALSE);

  return query->key != NULL;
}

/* ------------------------------------------------------------------ */
/* Canonical text form                                                */
/* ------------------------------------------------------------------ */

static void print_options (GString *out, Options *opts, const char *separator);

static void
print_value (GString     *out,
             const Value *value)
{
  switch (value->kind)
    {
    case V_NULL:
      g_string_append (out, "null");
      break;
    case V_INT:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, value->i);
      break;
    case V_DEC:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];

        g_string_append (out, g_ascii_dtostr (buf, sizeof buf, value->d));
      }
      break;
    case V_BOOL:
      g_string_append (out, value->i ? "true" : "false");
      break;
    case V_TEXT:
    case V_DATETIME:
      if (value->kind == V_DATETIME)
        g_string_append (out, "datetime");
      g_string_append_c (out, '\'');
      for (const char *c = value->s; *c != '\0'; c++)
        {
          if (*c == '\'')
            g_string_append_c (out, '\'');
          g_string_append_c (out, *c);
        }
      g_string_append_c (out, '\'');
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
print_expr (GString *out,
            Expr    *expr)
{
  switch (expr->kind)
    {
    case E_LITERAL:
      print_value (out, &expr->value);
      break;
    case E_AND:
    case E_OR:
      g_string_append_c (out, '(');
      for (guint i = 0; i < expr->args->len; i++)
        {
          if (i > 0)
            g_string_append (out, expr->kind == E_AND ? " and " : " or ");
          print_expr (out, expr->args->pdata[i]);
        }
      g_string_append_c (out, ')');
      break;
    case E_NOT:
      g_string_append (out, "not(");
      print_expr (out, expr->args->pdata[0]);
      g_string_append_c (out, ')');
      break;
    case E_CMP:
      g_string_append_c (out, '(');
      print_expr (out, expr->args->pdata[0]);
      g_string_append_printf (out, " %s ", op_names[expr->op]);
      print_expr (out, expr->args->pdata[1]);
      g_string_append_c (out, ')');
      break;
    case E_IN:
      g_string_append_c (out, '(');
      print_expr (out, expr->args->pdata[0]);
      g_string_append (out, " in (");
      for (guint i = 1; i < expr->args->len; i++)
        {
          if (i > 1)
            g_string_append_c (out, ',');
          print_expr (out, expr->args->pdata[i]);
        }
      g_string_append (out, "))");
      break;
    case E_FUNC:
      g_string_append_printf (out, "%s(", expr->func->name);
      for (guint i = 0; i < expr->args->len; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          print_expr (out, expr->args->pdata[i]);
        }
      g_string_append_c (out, ')');
      break;
    case E_PATH:
      if (expr->head_var != NULL)
        g_string_append_printf (out, "%s/", expr->head_var);
      for (guint i = 0; i < expr->navs->len; i++)
        g_string_append_printf (out, "%s/", ((Nav *) expr->navs->pdata[i])->name);
      switch (expr->end)
        {
        case PATH_FIELD:
          g_string_append (out, expr->field->name);
          break;
        case PATH_ANY:
        case PATH_ALL:
          g_string_append_printf (out, "%s/%s(", expr->collection->name,
                                  expr->end == PATH_ANY ? "any" : "all");
          if (expr->var != NULL)
            {
              g_string_append_printf (out, "%s:", expr->var);
              print_expr (out, expr->body);
            }
          g_string_append_c (out, ')');
          break;
        case PATH_COUNT:
          g_string_append_printf (out, "%s/$count", expr->collection->name);
          if (expr->body != NULL)
            {
              g_string_append (out, "($filter=");
              print_expr (out, expr->body);
              g_string_append_c (out, ')');
            }
          break;
        default:
          g_assert_not_reached ();
        }
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
print_options (GString    *out,
               Options    *opts,
               const char *separator)
{
  gboolean first = TRUE;

#define SEP() G_STMT_START { if (!first) g_string_append (out, separator); first = FALSE; } G_STMT_END

  if (opts->select != NULL)
    {
      SEP ();
      g_string_append (out, "$select=");
      for (guint i = 0; i < opts->select->len; i++)
        g_string_append_printf (out, "%s%s", i > 0 ? "," : "", ((Field *) opts->select->pdata[i])->name);
    }
  if (opts->filter != NULL)
    {
      SEP ();
      g_string_append (out, "$filter=");
      print_expr (out, opts->filter);
    }
  if (opts->expands->len > 0)
    {
      SEP ();
      g_string_append (out, "$expand=");
      for (guint i = 0; i < opts->expands->len; i++)
        {
          Expand *expand = opts->expands->pdata[i];
          g_autoptr(GString) inner = g_string_new (NULL);

          g_string_append_printf (out, "%s%s%s", i > 0 ? "," : "", expand->nav->name,
                                  expand->count ? "/$count" : "");
          print_options (inner, expand->opts, ";");
          if (inner->len > 0)
            g_string_append_printf (out, "(%s)", inner->str);
        }
    }
  if (opts->orderby != NULL)
    {
      SEP ();
      g_string_append (out, "$orderby=");
      for (guint i = 0; i < opts->orderby->len; i++)
        {
          OrderItem *item = opts->orderby->pdata[i];

          if (i > 0)
            g_string_append_c (out, ',');
          print_expr (out, item->expr);
          g_string_append (out, item->desc ? " desc" : " asc");
        }
    }
  if (opts->top >= 0)
    {
      SEP ();
      g_string_append_printf (out, "$top=%" G_GINT64_FORMAT, opts->top);
    }
  if (opts->skip > 0)
    {
      SEP ();
      g_string_append_printf (out, "$skip=%" G_GINT64_FORMAT, opts->skip);
    }

#undef SEP
}

char *
ba_odata_query_to_string (BaODataQuery *query)
{
  GString *out;
  g_autoptr(GString) options = g_string_new (NULL);

  g_return_val_if_fail (query != NULL, NULL);

  out = g_string_new (query->res->name);
  if (query->key != NULL)
    {
      g_string_append_c (out, '(');
      for (guint i = 0; i < query->key->len; i++)
        {
          KeyPart *part = &g_array_index (query->key, KeyPart, i);

          g_string_append_printf (out, "%s%s=", i > 0 ? "," : "", part->field->name);
          print_value (out, &part->value);
        }
      g_string_append_c (out, ')');
    }
  if (query->count)
    g_string_append (out, "/$count");

  print_options (options, query->opts, "&");
  if (options->len > 0)
    g_string_append_printf (out, "?%s", options->str);

  return g_string_free (out, FALSE);
}
