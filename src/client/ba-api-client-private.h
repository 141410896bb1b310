/* ba-api-client-private.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-api-client.h"

G_BEGIN_DECLS

/* What the server answered, whatever the status, for calls whose statuses
 * mean something of their own (a 401 that is a wrong code rather than the
 * end of the session). The body is wiped when the answer is freed. */
typedef struct
{
  guint   status;
  GBytes *body;          /* never NULL, may be empty */
  char   *retry_after;   /* the raw Retry-After header, or NULL */
} BaApiAnswer;

void         ba_api_answer_free              (BaApiAnswer          *answer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaApiAnswer, ba_api_answer_free)

/* Sends @method @path with the client's Bearer credential and, unless
 * NULL, @json_body (taken, and wiped once sent). Fails only on transport
 * errors (mapped like every other call); any HTTP status is an answer. */
void         ba_api_client_send_raw_async    (BaApiClient          *self,
                                              const char           *method,
                                              const char           *path,
                                              char                 *json_body,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
BaApiAnswer *ba_api_client_send_raw_finish   (BaApiClient          *self,
                                              GAsyncResult         *result,
                                              GError              **error);

G_END_DECLS
