/* ba-server-model.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-server-model"

#include "config.h"

#include "ba-server-model.h"
#include "ba-server-fleets.h"

BaODataModel *
ba_server_model_new (void)
{
  BaODataModel *model = ba_odata_model_new ();
  BaODataResource *res;

  ba_odata_model_add_resource (model, "actor", "actor", "id");

  res = ba_odata_model_add_resource (model, "user", "user", "id");
  ba_odata_resource_add_foreign_key (res, "actor", "actor", "actor");
  ba_odata_resource_add_field (res, "username", "username", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "created_at", "created_at", BA_ODATA_TYPE_DATETIME, 0);

  res = ba_odata_model_add_resource (model, "api_key", "api_key", "id");
  ba_odata_resource_add_field (res, "created_at", "created_at", BA_ODATA_TYPE_DATETIME, 0);
  ba_odata_resource_add_field (res, "name", "name", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "description", "description", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "expiry_date", "expiry_date", BA_ODATA_TYPE_DATETIME, 0);
  ba_odata_resource_add_foreign_key (res, "is_of__actor", "is_of__actor", "actor");
  /* Declared (hidden) rather than left out, so that $select=key gets a
   * clear "not readable" 400 instead of "no such field". */
  ba_odata_resource_add_field (res, "key", "key_hash", BA_ODATA_TYPE_TEXT,
                               BA_ODATA_FIELD_HIDDEN);

  /* Section 17.2: the profile, a view over the user row (schema 5). */
  res = ba_odata_model_add_resource (model, "user_profile", "user_profile", "id");
  ba_odata_resource_add_foreign_key (res, "is_of__user", "is_of__user", "user");
  ba_odata_resource_add_field (res, "email", "email", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "first_name", "first_name", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "last_name", "last_name", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "company", "company", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "account_type", "account_type", BA_ODATA_TYPE_TEXT, 0);
  ba_odata_resource_add_field (res, "has_password_set", "has_password_set", BA_ODATA_TYPE_BOOLEAN, 0);
  ba_odata_resource_add_field (res, "is_verified", "is_verified", BA_ODATA_TYPE_BOOLEAN, 0);
  ba_odata_resource_add_field (res, "must_be_verified", "must_be_verified", BA_ODATA_TYPE_BOOLEAN, 0);
  ba_odata_resource_add_field (res, "has_disabled_newsletter", "has_disabled_newsletter",
                               BA_ODATA_TYPE_BOOLEAN, 0);
  ba_server_fleets_add_to_model (model);
  /* Section 17.5: the user's recovery codes, without the codes. */
  res = ba_odata_model_add_resource (model, "recovery_two_factor", "recovery_two_factor", "id");
  ba_odata_resource_add_field (res, "used_timestamp", "used_timestamp", BA_ODATA_TYPE_DATETIME, 0);
  ba_odata_resource_add_field (res, "created_at", "created_at", BA_ODATA_TYPE_DATETIME, 0);
  ba_odata_resource_add_foreign_key (res, "belongs_to__user", "belongs_to__user", "user");

  return model;
}

static gboolean
is_user (const BaServerCredential *credential)
{
  return credential->kind == BA_SERVER_CREDENTIAL_USER_JWT ||
         credential->kind == BA_SERVER_CREDENTIAL_USER_API_KEY;
}

BaODataPermissions *
ba_server_model_read_permissions (const BaServerCredential *credential)
{
  BaODataPermissions *perms = ba_odata_permissions_new ();

  g_return_val_if_fail (credential != NULL, perms);

  if (!is_user (credential))
    return perms;

  ba_odata_permissions_allow_where (perms, "actor", "id = ?",
                                    g_variant_new ("(x)", credential->user->actor_id));
  ba_odata_permissions_allow_where (perms, "user", "id = ?",
                                    g_variant_new ("(x)", credential->user->id));
  ba_odata_permissions_allow_where (perms, "api_key", "is_of__actor = ?",
                                    g_variant_new ("(x)", credential->user->actor_id));
  ba_odata_permissions_allow_where (perms, "user_profile", "id = ?",
                                    g_variant_new ("(x)", credential->user->id));

  ba_odata_permissions_allow_where (perms, "recovery_two_factor", "belongs_to__user = ?",
                                    g_variant_new ("(x)", credential->user->id));

  /* Replaces the "user" rule above with a wider one. */
  ba_server_fleets_add_read_permissions (perms, credential);

  return perms;
}

BaODataPermissions *
ba_server_model_write_permissions (const BaServerCredential *credential)
{
  BaODataPermissions *perms;

  g_return_val_if_fail (credential != NULL, NULL);

  if (credential->kind != BA_SERVER_CREDENTIAL_USER_JWT)
    return NULL;

  /* The same rows as for reading: a $filter on a PATCH or DELETE may
   * follow is_of__actor, and the caller may only touch api_key rows,
   * which the handler checks by resource. */
  perms = ba_server_model_read_permissions (credential);

  return perms;
}
