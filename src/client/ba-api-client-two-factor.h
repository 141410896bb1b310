/* ba-api-client-two-factor.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-api-client.h"
#include "ba-wipe.h"

G_BEGIN_DECLS

/* Two-factor authentication calls of BaApiClient (account-api.md sections
 * 3.1, 7 and 17.5). Every one sends the client's token. A server without
 * the route (openBalena) answers 404: BA_ERROR_NOT_SUPPORTED. Everything
 * these return is secret: free strings with ba_wipe_string_free() and code
 * lists with ba_wipe_strv_free(). */

/* Frees a NULL-terminated array of secrets after overwriting each. */
static inline void
ba_wipe_strv_free (char **strv)
{
  if (strv == NULL)
    return;

  for (guint i = 0; strv[i] != NULL; i++)
    {
      sodium_memzero (strv[i], strlen (strv[i]));
      g_free (strv[i]);
    }
  g_free (strv);
}

/* GET /auth/totp/setup: the otpauth:// URI with the pending secret. An
 * answer that does not parse as one is BA_ERROR_INVALID_RESPONSE; 2FA
 * already on is BA_ERROR_CONFLICT. */
void      ba_api_client_totp_setup_async           (BaApiClient          *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
char     *ba_api_client_totp_setup_finish          (BaApiClient          *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* POST /auth/totp/verify {code}: with a full token it enables 2FA, with a
 * partial one it answers the login challenge (a recovery code works there
 * too). Returns the new token. A wrong or used code is
 * BA_ERROR_WRONG_CREDENTIALS; too many tries, BA_ERROR_TOO_MANY_ATTEMPTS. */
void      ba_api_client_totp_verify_async          (BaApiClient          *self,
                                                    const char           *code,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
char     *ba_api_client_totp_verify_finish         (BaApiClient          *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* POST /auth/totp/disable {password}: returns the new token (without the
 * twoFactorRequired claim). A wrong password is BA_ERROR_WRONG_CREDENTIALS. */
void      ba_api_client_totp_disable_async         (BaApiClient          *self,
                                                    const char           *password,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
char     *ba_api_client_totp_disable_finish        (BaApiClient          *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* POST /auth/totp/recovery-codes: a new set of codes, replacing every
 * earlier one. Needs a fresh token that passed the challenge
 * (BA_ERROR_FRESH_AUTH_REQUIRED otherwise). */
void      ba_api_client_recovery_codes_async       (BaApiClient          *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
char    **ba_api_client_recovery_codes_finish      (BaApiClient          *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);

/* GET /v7/recovery_two_factor: how many recovery codes there are and how
 * many of them are still unused. */
void      ba_api_client_count_recovery_codes_async  (BaApiClient          *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean  ba_api_client_count_recovery_codes_finish (BaApiClient          *self,
                                                     GAsyncResult         *result,
                                                     guint                *out_total,
                                                     guint                *out_unused,
                                                     GError              **error);

G_END_DECLS
