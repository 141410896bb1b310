/* ba-server-odata-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-server-odata.h"

G_BEGIN_DECLS

/* The model, the permissions and the parsed query (AST), shared by the
 * parser (ba-server-odata.c) and the SQL compiler and executor
 * (ba-server-odata-sql.c). Nothing here is for other files. */

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


typedef struct
{
  char     *where;   /* NULL: every row */
  GVariant *params;  /* tuple or NULL */
} Permission;

struct _BaODataPermissions
{
  GHashTable *by_resource;  /* canonical name -> Permission* */
};


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


void  _ba_odata_value_clear        (gpointer     data);
void  _ba_odata_value_copy         (Value       *dest,
                                    const Value *src);
char *_ba_odata_normalise_datetime (const char  *text);

G_END_DECLS
