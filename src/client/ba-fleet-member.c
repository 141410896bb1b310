/* ba-fleet-member.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-fleet-member"

#include "config.h"

#include "ba-fleet-member.h"

struct _BaFleetMember
{
  GObject parent_instance;

  gint64 id;
  gint64 user_id;
  char *username;
  gint64 role_id;
  char *role_name;
};

G_DEFINE_FINAL_TYPE (BaFleetMember, ba_fleet_member, G_TYPE_OBJECT)

static void
ba_fleet_member_finalize (GObject *object)
{
  BaFleetMember *self = (BaFleetMember *)object;

  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->role_name, g_free);

  G_OBJECT_CLASS (ba_fleet_member_parent_class)->finalize (object);
}

static void
ba_fleet_member_class_init (BaFleetMemberClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ba_fleet_member_finalize;
}

static void
ba_fleet_member_init (BaFleetMember *self)
{
}

BaFleetMember *
ba_fleet_member_new (gint64      id,
                     gint64      user_id,
                     const char *username,
                     gint64      role_id,
                     const char *role_name)
{
  BaFleetMember *self = g_object_new (BA_TYPE_FLEET_MEMBER, NULL);

  self->id = id;
  self->user_id = user_id;
  self->username = g_strdup (username);
  self->role_id = role_id;
  self->role_name = g_strdup (role_name);

  return self;
}

gint64
ba_fleet_member_get_id (BaFleetMember *self)
{
  g_return_val_if_fail (BA_IS_FLEET_MEMBER (self), 0);

  return self->id;
}

gint64
ba_fleet_member_get_user_id (BaFleetMember *self)
{
  g_return_val_if_fail (BA_IS_FLEET_MEMBER (self), 0);

  return self->user_id;
}

const char *
ba_fleet_member_get_username (BaFleetMember *self)
{
  g_return_val_if_fail (BA_IS_FLEET_MEMBER (self), NULL);

  return self->username;
}

gint64
ba_fleet_member_get_role_id (BaFleetMember *self)
{
  g_return_val_if_fail (BA_IS_FLEET_MEMBER (self), 0);

  return self->role_id;
}

const char *
ba_fleet_member_get_role_name (BaFleetMember *self)
{
  g_return_val_if_fail (BA_IS_FLEET_MEMBER (self), NULL);

  return self->role_name;
}
