/* ba-api-key.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-api-key"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ba-api-key-private.h"
#include "ba-error.h"

struct _BaApiKey
{
  GObject  parent_instance;

  gint64   id;
  char    *name;
  char    *description;
  gint64   created_at;
  gint64   expiry_date;
};

G_DEFINE_FINAL_TYPE (BaApiKey, ba_api_key, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_DESCRIPTION,
  PROP_CREATED_AT,
  PROP_EXPIRY_DATE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
ba_api_key_finalize (GObject *object)
{
  BaApiKey *self = (BaApiKey *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (ba_api_key_parent_class)->finalize (object);
}

static void
ba_api_key_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  BaApiKey *self = BA_API_KEY (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;

    case PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;

    case PROP_EXPIRY_DATE:
      g_value_set_int64 (value, self->expiry_date);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ba_api_key_class_init (BaApiKeyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ba_api_key_finalize;
  object_class->get_property = ba_api_key_get_property;

  properties [PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties [PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties [PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL, flags);
  properties [PROP_CREATED_AT] =
    g_param_spec_int64 ("created-at", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties [PROP_EXPIRY_DATE] =
    g_param_spec_int64 ("expiry-date", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ba_api_key_init (BaApiKey *self)
{
}

/* An empty description is no description, wherever it came from. */
static char *
normalize_description (const char *description)
{
  if (description == NULL || description[0] == '\0')
    return NULL;

  return g_strdup (description);
}

BaApiKey *
ba_api_key_new (gint64      id,
                const char *name,
                const char *description,
                gint64      created_at,
                gint64      expiry_date)
{
  BaApiKey *self;

  g_return_val_if_fail (name != NULL, NULL);

  /* Fields are set directly: nobody can be listening yet, and keys are
   * built by the thousand in worker threads. */
  self = g_object_new (BA_TYPE_API_KEY, NULL);
  self->id = id;
  self->name = g_strdup (name);
  self->description = normalize_description (description);
  self->created_at = created_at;
  self->expiry_date = expiry_date;

  return self;
}

gint64
ba_api_key_get_id (BaApiKey *self)
{
  g_return_val_if_fail (BA_IS_API_KEY (self), 0);

  return self->id;
}

const char *
ba_api_key_get_name (BaApiKey *self)
{
  g_return_val_if_fail (BA_IS_API_KEY (self), NULL);

  return self->name;
}

const char *
ba_api_key_get_description (BaApiKey *self)
{
  g_return_val_if_fail (BA_IS_API_KEY (self), NULL);

  return self->description;
}

gint64
ba_api_key_get_created_at (BaApiKey *self)
{
  g_return_val_if_fail (BA_IS_API_KEY (self), 0);

  return self->created_at;
}

gint64
ba_api_key_get_expiry_date (BaApiKey *self)
{
  g_return_val_if_fail (BA_IS_API_KEY (self), 0);

  return self->expiry_date;
}

gboolean
ba_api_key_is_expired (BaApiKey *self,
                       gint64    now)
{
  g_return_val_if_fail (BA_IS_API_KEY (self), FALSE);

  return self->expiry_date != 0 && self->expiry_date <= now;
}

int
ba_api_key_compare (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  const BaApiKey *key_a = a;
  const BaApiKey *key_b = b;
  int cmp = strcmp (key_a->name, key_b->name);

  if (cmp != 0)
    return cmp;

  return (key_a->id > key_b->id) - (key_a->id < key_b->id);
}

int
ba_api_key_compare_indirect (gconstpointer a,
                             gconstpointer b,
                             gpointer      user_data)
{
  return ba_api_key_compare (*(BaApiKey * const *) a, *(BaApiKey * const *) b, user_data);
}

gboolean
ba_api_key_set_fields (BaApiKey   *self,
                       const char *name,
                       const char *description,
                       gint64      created_at,
                       gint64      expiry_date)
{
  gboolean name_changed = FALSE;

  g_return_val_if_fail (BA_IS_API_KEY (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (description != NULL && description[0] == '\0')
    description = NULL;

  /* A sync compares thousands of unchanged keys: skip the notify
   * machinery for them. */
  if (g_strcmp0 (self->name, name) == 0 &&
      g_strcmp0 (self->description, description) == 0 &&
      self->created_at == created_at &&
      self->expiry_date == expiry_date)
    return FALSE;

  g_object_freeze_notify (G_OBJECT (self));

  if (g_strcmp0 (self->name, name) != 0)
    {
      g_free (self->name);
      self->name = g_strdup (name);
      name_changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_NAME]);
    }

  if (g_strcmp0 (self->description, description) != 0)
    {
      g_free (self->description);
      self->description = g_strdup (description);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_DESCRIPTION]);
    }

  if (self->created_at != created_at)
    {
      self->created_at = created_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CREATED_AT]);
    }

  if (self->expiry_date != expiry_date)
    {
      self->expiry_date = expiry_date;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_EXPIRY_DATE]);
    }

  g_object_thaw_notify (G_OBJECT (self));

  return name_changed;
}

gboolean
ba_api_key_parse_date (const char *text,
                       gint64     *out_seconds)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) date = NULL;

  if (text == NULL)
    return FALSE;

  date = g_date_time_new_from_iso8601 (text, utc);
  if (date == NULL)
    return FALSE;

  *out_seconds = g_date_time_to_unix (date);

  return TRUE;
}

char *
ba_api_key_format_date (gint64 seconds)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (seconds);

  if (date == NULL)
    return NULL;

  return g_date_time_format (date, "%Y-%m-%dT%H:%M:%S.000Z");
}

static gboolean
member_is_null (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

static gboolean
member_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING;
}

/* Reads an optional date member into Unix seconds (0 when null). */
static gboolean
read_date (JsonObject *object,
           const char *member,
           gint64     *out_seconds)
{
  JsonNode *node = json_object_get_member (object, member);

  *out_seconds = 0;

  if (member_is_null (node))
    return TRUE;

  return member_is_string (node) && ba_api_key_parse_date (json_node_get_string (node), out_seconds);
}

BaApiKey *
ba_api_key_new_from_json (JsonObject  *object,
                          GError     **error)
{
  JsonNode *id_node = json_object_get_member (object, "id");
  JsonNode *name_node = json_object_get_member (object, "name");
  JsonNode *description_node = json_object_get_member (object, "description");
  const char *description = NULL;
  gint64 created_at = 0;
  gint64 expiry_date = 0;

  if (id_node == NULL || !JSON_NODE_HOLDS_VALUE (id_node) ||
      json_node_get_value_type (id_node) != G_TYPE_INT64 ||
      json_node_get_int (id_node) <= 0 ||
      !member_is_string (name_node) ||
      json_node_get_string (name_node)[0] == '\0' ||
      (!member_is_null (description_node) && !member_is_string (description_node)) ||
      !read_date (object, "created_at", &created_at) ||
      !read_date (object, "expiry_date", &expiry_date))
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                           _("The server sent a list of API keys that could not be understood."));
      return NULL;
    }

  if (member_is_string (description_node))
    description = json_node_get_string (description_node);

  return ba_api_key_new (json_node_get_int (id_node), json_node_get_string (name_node),
                         description, created_at, expiry_date);
}
