/* ba-fleet-role.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-fleet-role"

#include "config.h"

#include "ba-fleet-role.h"

struct _BaFleetRole
{
  GObject parent_instance;

  gint64 id;
  char *name;
  char *description;
};

G_DEFINE_FINAL_TYPE (BaFleetRole, ba_fleet_role, G_TYPE_OBJECT)

static void
ba_fleet_role_finalize (GObject *object)
{
  BaFleetRole *self = (BaFleetRole *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (ba_fleet_role_parent_class)->finalize (object);
}

static void
ba_fleet_role_class_init (BaFleetRoleClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ba_fleet_role_finalize;
}

static void
ba_fleet_role_init (BaFleetRole *self)
{
}

BaFleetRole *
ba_fleet_role_new (gint64      id,
                   const char *name,
                   const char *description)
{
  BaFleetRole *self = g_object_new (BA_TYPE_FLEET_ROLE, NULL);

  self->id = id;
  self->name = g_strdup (name);
  self->description = g_strdup (description);

  return self;
}

gint64
ba_fleet_role_get_id (BaFleetRole *self)
{
  g_return_val_if_fail (BA_IS_FLEET_ROLE (self), 0);

  return self->id;
}

const char *
ba_fleet_role_get_name (BaFleetRole *self)
{
  g_return_val_if_fail (BA_IS_FLEET_ROLE (self), NULL);

  return self->name;
}

const char *
ba_fleet_role_get_description (BaFleetRole *self)
{
  g_return_val_if_fail (BA_IS_FLEET_ROLE (self), NULL);

  return self->description;
}
