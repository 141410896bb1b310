/* ba-api-client-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-api-client.h"

G_BEGIN_DECLS

/* What the server answered, whatever the status, for the feature files
 * (ba-api-client-*.c) that judge the answer themselves. @body is wiped
 * when the response is freed (it may hold a token). */
typedef struct
{
  guint   status;
  GBytes *body;          /* never NULL */
  char   *retry_after;   /* the raw Retry-After header, or NULL */
} BaApiResponse;

void           ba_api_response_free       (BaApiResponse        *response);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaApiResponse, ba_api_response_free)

/* Sends @method @path (with "Authorization: Bearer" when @authenticated
 * and a token is set), with @json_body (taken, wiped after sending; may
 * be NULL). Redirects are not followed. Fails only for transport
 * problems (mapped like every other call: OFFLINE, TIMEOUT, …); any HTTP
 * status is a BaApiResponse. */
void           ba_api_client_send_async   (BaApiClient          *self,
                                           const char           *method,
                                           const char           *path,
                                           gboolean              authenticated,
                                           char                 *json_body,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
BaApiResponse *ba_api_client_send_finish  (BaApiClient          *self,
                                           GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS
