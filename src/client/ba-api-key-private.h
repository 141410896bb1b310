/* ba-api-key-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ba-api-key.h"

G_BEGIN_DECLS

/* For src/client only: BaAccount updates a key in place (so list rows
 * bound to it stay and only repaint), and BaApiClient builds keys from
 * OData rows. */

/* Changes the fields and notifies those that changed. Returns TRUE if
 * the name changed (the key may then need to move in a sorted list). */
gboolean  ba_api_key_set_fields     (BaApiKey    *self,
                                     const char  *name,
                                     const char  *description,
                                     gint64       created_at,
                                     gint64       expiry_date);

/* Builds a key from one row of {"d":[…]}: "id" (positive integer) and
 * "name" (non-empty string) are required; "description" is a string or
 * null; "created_at" and "expiry_date" are ISO-8601 strings or null.
 * Other members (a "key", should a server send one) are ignored. */
BaApiKey *ba_api_key_new_from_json  (JsonObject  *object,
                                     GError     **error);

/* Parses an ISO-8601 date-time (a missing offset means UTC) into Unix
 * seconds; FALSE if it is not one. */
gboolean  ba_api_key_parse_date     (const char  *text,
                                     gint64      *out_seconds);

/* Formats Unix seconds like JavaScript's toISOString(). */
char     *ba_api_key_format_date    (gint64       seconds);

G_END_DECLS
