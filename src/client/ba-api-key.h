/* ba-api-key.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The limits the server enforces (account-api.md section 6), in
 * characters, so the app can show them while the user types. */
#define BA_API_KEY_NAME_MAX_LENGTH        50
#define BA_API_KEY_DESCRIPTION_MAX_LENGTH 150

#define BA_TYPE_API_KEY (ba_api_key_get_type ())

G_DECLARE_FINAL_TYPE (BaApiKey, ba_api_key, BA, API_KEY, GObject)

/* The metadata of one named user API key, as GET /v7/api_key lists it.
 * It never holds the secret key itself: the server shows that once, when
 * the key is created (see ba_account_create_api_key_async()).
 *
 * Properties (all read-only, notified when BaAccount updates the key in
 * place after a rename or a sync): "id" (gint64), "name" (string),
 * "description" (string, NULL when there is none; "" is read as none), "created-at" (gint64,
 * Unix seconds, 0 when unknown), "expiry-date" (gint64, Unix seconds,
 * 0 when the key never expires). Every time is in Unix seconds, like
 * BaSession's. */
BaApiKey   *ba_api_key_new             (gint64      id,
                                        const char *name,
                                        const char *description,
                                        gint64      created_at,
                                        gint64      expiry_date);

gint64      ba_api_key_get_id          (BaApiKey   *self);
const char *ba_api_key_get_name        (BaApiKey   *self);
const char *ba_api_key_get_description (BaApiKey   *self);
gint64      ba_api_key_get_created_at  (BaApiKey   *self);
gint64      ba_api_key_get_expiry_date (BaApiKey   *self);

/* TRUE when the key has an expiry date and it is not after @now (Unix
 * seconds); the server then treats the key as no credential at all. */
gboolean    ba_api_key_is_expired      (BaApiKey   *self,
                                        gint64      now);

/* Orders keys as the server's "$orderby=name asc" does on SQLite (byte
 * order of the UTF-8 names), then by id so equal names keep a stable
 * order. Fits g_list_store_insert_sorted() and g_ptr_array_sort_with_data()
 * (the latter passes pointers to the elements, so use
 * ba_api_key_compare_indirect() there). */
int         ba_api_key_compare         (gconstpointer a,
                                        gconstpointer b,
                                        gpointer      user_data);
int         ba_api_key_compare_indirect (gconstpointer a,
                                         gconstpointer b,
                                         gpointer      user_data);

G_END_DECLS
