/* ba-server-odata.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-server-odata"

#include "config.h"

#include "ba-server-odata.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ba-error.h"

/* How this works, in four stages:
 *  1. the query string is split and percent-decoded (parse_query_string);
 *  2. a recursive-descent parser turns the path and each option into an AST
 *     whose names are already resolved against the model (Expr, Options);
 *  3. a compiler turns the AST into SQL text plus a list of bound values
 *     (Compiler), so no request text ever reaches the SQL string;
 *  4. the executor runs one SELECT for the addressed rows and one batched
 *     SELECT per $expand level, and builds the JSON.
 * Every recursive step counts depth so hostile input cannot exhaust the
 * stack, and the AST size is capped so SQLite's own limits are not hit. */

#define MAX_NODES      1000   /* expression nodes per query */
#define EXPAND_CHUNK   400    /* parent keys per batched expand query */
#define MAX_PARAMS     900    /* SQLite 3.15 allows 999 variables */

/* ------------------------------------------------------------------ */
/* Model                                                              */
/* ------------------------------------------------------------------ */

typedef struct
{
  char              *name;
  char              *column;
  BaODataType        type;
  BaODataFieldFlags  flags;
} Field;

typedef struct
{
  char               *name;
  char               *target;
  BaODataCardinality  cardinality;
  char               *local_column;
  char               *remote_column;      /* NULL: the target's id column */
  char               *link_table;         /* NULL: a direct join */
  char               *link_local_column;
  char               *link_remote_column;
} Nav;

struct _BaODataResource
{
  char         *name;
  char         *table;
  char         *id_column;
  GPtrArray    *fields;          /* Field* */
  GPtrArray    *navs;            /* Nav* */
  GPtrArray    *alternate_keys;  /* GStrv */
};

struct _BaODataModel
{
  GHashTable *by_name;    /* name or alias -> BaODataResource* (borrowed) */
  GPtrArray  *resources;  /* owned */
};

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

typedef struct
{
  char     *where;   /* NULL: every row */
  GVariant *params;  /* tuple or NULL */
} Permission;

struct _BaODataPermissions
{
  GHashTable *by_resource;  /* canonical name -> Permission* */
};

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

/* Value kinds double as the static types of expressions. */
typedef enum
{
  V_NULL,
  V_INT,
  V_DEC,
  V_TEXT,
  V_BOOL,
  V_DATETIME,
} VKind;

typedef struct
{
  VKind   kind;
  gint64  i;      /* V_INT, V_BOOL */
  double  d;      /* V_DEC */
  char   *s;      /* V_TEXT, V_DATETIME (normalised ISO-8601) */
} Value;

static void
value_clear (gpointer data)
{
  Value *value = data;

  g_clear_pointer (&value->s, g_free);
}

static void
value_copy (Value       *dest,
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

typedef enum
{
  E_LITERAL,
  E_PATH,
  E_AND,
  E_OR,
  E_NOT,
  E_CMP,
  E_IN,
  E_FUNC,
} EKind;

typedef enum
{
  OP_EQ,
  OP_NE,
  OP_GT,
  OP_GE,
  OP_LT,
  OP_LE,
} CmpOp;

static const char * const op_names[] = { "eq", "ne", "gt", "ge", "lt", "le" };
static const char * const op_sql[] = { " IS ", " IS NOT ", " > ", " >= ", " < ", " <= " };

typedef enum
{
  PATH_FIELD,
  PATH_ANY,
  PATH_ALL,
  PATH_COUNT,
} PathEnd;

/* Functions: a template where %0 and %1 stand for the compiled arguments
 * (an argument may appear twice; its bound values are then added twice,
 * in text order, which keeps the parameter list in step). */
typedef struct
{
  const char *name;
  guint       n_args;
  VKind       arg_kind;
  VKind       result;
  const char *sql;
} Function;

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

typedef struct _Options Options;

typedef struct _Expr Expr;
struct _Expr
{
  EKind            kind;
  VKind            type;        /* static type of the result */

  Value            value;       /* E_LITERAL */
  CmpOp            op;          /* E_CMP */
  GPtrArray       *args;        /* E_AND/E_OR operands, E_NOT/E_CMP/E_FUNC arguments, E_IN: [0] then literals */
  const Function  *func;        /* E_FUNC */

  /* E_PATH: scope is the index of the lambda variable the path starts
   * from (0: the resource the $filter is about). Then the to-one prefix
   * navigations, then the terminal. */
  guint            scope;
  char            *head_var;    /* the variable's name, or NULL */
  GPtrArray       *navs;        /* Nav* (borrowed) */
  PathEnd          end;
  Field           *field;       /* PATH_FIELD */
  Nav             *collection;  /* PATH_ANY/ALL/COUNT */
  BaODataResource *collection_res;
  char            *var;         /* PATH_ANY/ALL variable */
  Expr            *body;        /* lambda body or $count filter, may be NULL */
};

typedef struct
{
  Expr     *expr;
  gboolean  desc;
} OrderItem;

typedef struct
{
  Nav      *nav;
  gboolean  count;
  Options  *opts;
} Expand;

struct _Options
{
  BaODataResource *res;
  GPtrArray       *select;    /* Field*, NULL: every readable field */
  Expr            *filter;
  GPtrArray       *orderby;   /* OrderItem* */
  gint64           top;       /* -1: no limit */
  gint64           skip;
  GPtrArray       *expands;   /* Expand* */
};

typedef struct
{
  Field *field;
  Value  value;
} KeyPart;

struct _BaODataQuery
{
  BaODataModel    *model;
  BaODataResource *res;
  gboolean         count;
  GArray          *key;       /* KeyPart, NULL: no key */
  Options         *opts;
};

static void options_free (Options *opts);

static void
expr_free (Expr *expr)
{
  if (expr == NULL)
    return;

  value_clear (&expr->value);
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

  value_clear (&part->value);
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
static char *
normalise_datetime (const char *text)
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
      normalised = normalise_datetime (text);
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
          p->tok.text = normalise_datetime (raw);
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
      value_clear (out);
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
    value_clear (out);
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
          value_clear (&value);
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
      value_clear (value);
      return fail (p, "Unknown key field '%s' of '%s'", name, res->name);
    }
  if (value->kind == V_NULL || !comparable (type_kind (part.field->type), value->kind))
    {
      value_clear (value);
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

static char *
percent_decode (const char  *text,
                gsize        len,
                GError     **error)
{
  g_autofree char *raw = g_strndup (text, len);
  g_autofree char *decoded = g_uri_unescape_string (raw, NULL);

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

      name = percent_decode (parts[i], name_len, error);
      if (name == NULL)
        return FALSE;
      if (name[0] != '$' && name[0] != '@')
        continue;   /* apikey= and other non-OData parameters */

      value = percent_decode (eq != NULL ? eq + 1 : "", eq != NULL ? strlen (eq + 1) : 0, error);
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

  decoded_path = percent_decode (path, strlen (path), error);
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
  g_array_set_clear_func (c->params, value_clear);
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

  value_copy (&copy, value);
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
  g_string_append_printf (c->sql, " IN (SELECT \"%s\" FROM \"%s\" WHERE (%s))",
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
      char *normalised = text != NULL ? normalise_datetime (text) : NULL;

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
  BaODataResource *target = opts->res;
  Compiler c;
  g_autofree char *alias = NULL;
  g_autofree char *link_alias = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) seen = NULL;
  gboolean ok = FALSE;

  compiler_init (&c, x->model, x->perms, &x->next_alias);
  alias = new_alias (&c, "t");
  link_alias = new_alias (&c, "l");

  g_string_append (c.sql, "SELECT ");
  emit_nav_parent_key (&c, expand->nav, target, alias, link_alias);
  g_string_append (c.sql, ", ");
  if (expand->count)
    g_string_append (c.sql, "COUNT(*)");
  else
    emit_columns (&c, opts, alias);
  g_string_append (c.sql, " FROM ");
  emit_nav_from (&c, expand->nav, target, alias, link_alias);
  g_string_append (c.sql, " WHERE ");
  emit_permission (&c, target, alias);
  g_string_append (c.sql, " AND ");
  emit_nav_parent_key (&c, expand->nav, target, alias, link_alias);
  g_string_append (c.sql, " IN (");
  for (guint i = 0; i < n; i++)
    {
      Value value = { V_INT, g_array_index (keys, gint64, from + i), 0, NULL };

      if (i > 0)
        g_string_append (c.sql, ", ");
      emit_value (&c, &value);
    }
  g_string_append_c (c.sql, ')');
  if (opts->filter != NULL)
    {
      g_string_append (c.sql, " AND (");
      compile_about (&c, opts->filter, alias);
      g_string_append_c (c.sql, ')');
    }

  if (expand->count)
    {
      sqlite3_stmt *stmt;
      int rc;

      g_string_append (c.sql, " GROUP BY 1");
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

  emit_order_by (&c, opts, alias);
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

      for (guint from = 0; from < keys->len; from += EXPAND_CHUNK)
        if (!expand_chunk (x, expand, keys, from, MIN (EXPAND_CHUNK, keys->len - from), by_parent, error))
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
  Exec x = { query->model, perms, db, 0 };
  Compiler c;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  JsonArray *array;
  JsonNode *node;

  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

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
  Exec x = { query->model, perms, db, 0 };
  Compiler c;
  g_autofree char *alias = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

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
