/* ba-account-lifecycle.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-account.h"
#include "ba-api-client-lifecycle.h"

G_BEGIN_DECLS

/* The account lifecycle for the app (issue 4): sign up, verify the email,
 * forgotten password, set or change the password, profile, delete.
 * Errors are those of ba-api-client-lifecycle.h (translated, with
 * ba_lifecycle_error_field() for forms; BA_ERROR_NOT_SUPPORTED when the
 * server lacks an extension endpoint). */

/* Signs up on @server_url and opens the new account like a login (token
 * in the keyring, account in the vault). @username may be NULL (the
 * server derives one). The email is not verified yet. */
void           ba_account_sign_up_async                    (const char           *server_url,
                                                            const char           *email,
                                                            const char           *username,
                                                            const char           *password,
                                                            BaSecretStore        *secret_store,
                                                            BaVault              *vault,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
BaAccount     *ba_account_sign_up_finish                   (GAsyncResult         *result,
                                                            GError              **error);

/* Asks @server_url to mail a reset link to @email. Succeeds the same
 * whether or not there is such an account. */
void           ba_account_request_password_reset_async     (const char           *server_url,
                                                            const char           *email,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean       ba_account_request_password_reset_finish    (GAsyncResult         *result,
                                                            GError              **error);

/* Sets @new_password with the code or the whole link from the reset mail
 * and opens the account with the session the server answers. */
void           ba_account_reset_password_async             (const char           *server_url,
                                                            const char           *code_or_link,
                                                            const char           *new_password,
                                                            BaSecretStore        *secret_store,
                                                            BaVault              *vault,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
BaAccount     *ba_account_reset_password_finish            (GAsyncResult         *result,
                                                            GError              **error);

/* Verifies the account's email with the code or the whole link from the
 * verification mail; the session token the server answers replaces the
 * current one. */
void           ba_account_verify_email_async               (BaAccount            *self,
                                                            const char           *code_or_link,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean       ba_account_verify_email_finish              (BaAccount            *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* Asks for another verification mail. */
void           ba_account_resend_verification_email_async  (BaAccount            *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean       ba_account_resend_verification_email_finish (BaAccount            *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* The account's user_profile (email, names, company, whether a password
 * is set, whether the email is verified), also cached in the vault (a
 * cache write failure is only logged). */
void           ba_account_fetch_profile_async              (BaAccount            *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
BaUserProfile *ba_account_fetch_profile_finish             (BaAccount            *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* The profile cached in the vault by the last successful
 * ba_account_fetch_profile_async(), for showing before (or without) the
 * server. NULL without an error when there is none or no vault. */
void           ba_account_load_cached_profile_async        (BaAccount            *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
BaUserProfile *ba_account_load_cached_profile_finish       (BaAccount            *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* Sets the first name, last name and company (NULL or "" clear one). */
void           ba_account_update_profile_async             (BaAccount            *self,
                                                            const char           *first_name,
                                                            const char           *last_name,
                                                            const char           *company,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean       ba_account_update_profile_finish            (BaAccount            *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* Changes the password (@current_password given) or sets a first one on a
 * social-login account (@current_password NULL; the session must be
 * fresh, else BA_ERROR_FRESH_AUTH_REQUIRED without a request). The new
 * session token replaces the old one, which the server has ended: the
 * user stays logged in. */
void           ba_account_set_password_async               (BaAccount            *self,
                                                            const char           *current_password,
                                                            const char           *new_password,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean       ba_account_set_password_finish              (BaAccount            *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* Deletes the account on the server, then forgets it here like a log
 * out (keyring item and vault rows). With @password the session is
 * made fresh first; without one it must already be fresh, else
 * BA_ERROR_FRESH_AUTH_REQUIRED without a request. A wrong password is
 * BA_ERROR_WRONG_CREDENTIALS and deletes nothing. */
void           ba_account_delete_async                     (BaAccount            *self,
                                                            const char           *password,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean       ba_account_delete_finish                    (BaAccount            *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

G_END_DECLS
