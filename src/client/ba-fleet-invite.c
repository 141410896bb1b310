/* ba-fleet-invite.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-fleet-invite"

#include "config.h"

#include "ba-fleet-invite.h"

struct _BaFleetInvite
{
  GObject parent_instance;

  gint64 id;
  char *email;
  gint64 role_id;
  char *role_name;
  char *message;
};

G_DEFINE_FINAL_TYPE (BaFleetInvite, ba_fleet_invite, G_TYPE_OBJECT)

static void
ba_fleet_invite_finalize (GObject *object)
{
  BaFleetInvite *self = (BaFleetInvite *)object;

  g_clear_pointer (&self->email, g_free);
  g_clear_pointer (&self->role_name, g_free);
  g_clear_pointer (&self->message, g_free);

  G_OBJECT_CLASS (ba_fleet_invite_parent_class)->finalize (object);
}

static void
ba_fleet_invite_class_init (BaFleetInviteClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ba_fleet_invite_finalize;
}

static void
ba_fleet_invite_init (BaFleetInvite *self)
{
}

BaFleetInvite *
ba_fleet_invite_new (gint64      id,
                     const char *email,
                     gint64      role_id,
                     const char *role_name,
                     const char *message)
{
  BaFleetInvite *self = g_object_new (BA_TYPE_FLEET_INVITE, NULL);

  self->id = id;
  self->email = g_strdup (email);
  self->role_id = role_id;
  self->role_name = g_strdup (role_name);
  self->message = g_strdup (message);

  return self;
}

gint64
ba_fleet_invite_get_id (BaFleetInvite *self)
{
  g_return_val_if_fail (BA_IS_FLEET_INVITE (self), 0);

  return self->id;
}

const char *
ba_fleet_invite_get_email (BaFleetInvite *self)
{
  g_return_val_if_fail (BA_IS_FLEET_INVITE (self), NULL);

  return self->email;
}

gint64
ba_fleet_invite_get_role_id (BaFleetInvite *self)
{
  g_return_val_if_fail (BA_IS_FLEET_INVITE (self), 0);

  return self->role_id;
}

const char *
ba_fleet_invite_get_role_name (BaFleetInvite *self)
{
  g_return_val_if_fail (BA_IS_FLEET_INVITE (self), NULL);

  return self->role_name;
}

const char *
ba_fleet_invite_get_message (BaFleetInvite *self)
{
  g_return_val_if_fail (BA_IS_FLEET_INVITE (self), NULL);

  return self->message;
}
