/* ba-fleet.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-fleet"

#include "config.h"

#include "ba-fleet.h"

struct _BaFleet
{
  GObject parent_instance;

  gint64 id;
  char *name;
  char *slug;
  char *organization_name;
  char *organization_handle;
  guint device_count;
  guint online_count;
  char *role;
};

G_DEFINE_FINAL_TYPE (BaFleet, ba_fleet, G_TYPE_OBJECT)

static void
ba_fleet_finalize (GObject *object)
{
  BaFleet *self = (BaFleet *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->slug, g_free);
  g_clear_pointer (&self->organization_name, g_free);
  g_clear_pointer (&self->organization_handle, g_free);
  g_clear_pointer (&self->role, g_free);

  G_OBJECT_CLASS (ba_fleet_parent_class)->finalize (object);
}

static void
ba_fleet_class_init (BaFleetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ba_fleet_finalize;
}

static void
ba_fleet_init (BaFleet *self)
{
}

BaFleet *
ba_fleet_new (gint64      id,
              const char *name,
              const char *slug,
              const char *organization_name,
              const char *organization_handle,
              guint       device_count,
              guint       online_count,
              const char *role)
{
  BaFleet *self = g_object_new (BA_TYPE_FLEET, NULL);

  self->id = id;
  self->name = g_strdup (name);
  self->slug = g_strdup (slug);
  self->organization_name = g_strdup (organization_name);
  self->organization_handle = g_strdup (organization_handle);
  self->device_count = device_count;
  self->online_count = online_count;
  self->role = g_strdup (role);

  return self;
}

gint64
ba_fleet_get_id (BaFleet *self)
{
  g_return_val_if_fail (BA_IS_FLEET (self), 0);

  return self->id;
}

const char *
ba_fleet_get_name (BaFleet *self)
{
  g_return_val_if_fail (BA_IS_FLEET (self), NULL);

  return self->name;
}

const char *
ba_fleet_get_slug (BaFleet *self)
{
  g_return_val_if_fail (BA_IS_FLEET (self), NULL);

  return self->slug;
}

const char *
ba_fleet_get_organization_name (BaFleet *self)
{
  g_return_val_if_fail (BA_IS_FLEET (self), NULL);

  return self->organization_name;
}

const char *
ba_fleet_get_organization_handle (BaFleet *self)
{
  g_return_val_if_fail (BA_IS_FLEET (self), NULL);

  return self->organization_handle;
}

guint
ba_fleet_get_device_count (BaFleet *self)
{
  g_return_val_if_fail (BA_IS_FLEET (self), 0);

  return self->device_count;
}

guint
ba_fleet_get_online_count (BaFleet *self)
{
  g_return_val_if_fail (BA_IS_FLEET (self), 0);

  return self->online_count;
}

const char *
ba_fleet_get_role (BaFleet *self)
{
  g_return_val_if_fail (BA_IS_FLEET (self), NULL);

  return self->role;
}

gboolean
ba_fleet_can_manage_members (BaFleet *self)
{
  g_return_val_if_fail (BA_IS_FLEET (self), FALSE);

  return g_strcmp0 (self->role, "administrator") == 0;
}
