/* ba-api-client-lifecycle.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ba-api-client.h"

G_BEGIN_DECLS

/* The account lifecycle on the wire (account-api.md sections 8, 9 and
 * 17.1–17.4): sign up, verify the email, reset, set or change the
 * password, read and edit the profile, delete the account.
 *
 * The extension endpoints (sign-up details, profile, reset, set/change
 * password) answer BA_ERROR_NOT_SUPPORTED when the server says 404: the
 * app then offers the matching dashboard page (ba_lifecycle_dashboard_url).
 * The server's English messages for the cases a user can fix come back
 * translated, and ba_lifecycle_error_field() says which form field they
 * are about. Passwords and tokens are never logged; request bodies that
 * carry them are wiped once sent. */

/* user_profile (section 17.2). The strings may be NULL. */
typedef struct
{
  gint64    id;
  char     *email;
  char     *first_name;
  char     *last_name;
  char     *company;
  gboolean  has_password_set;
  gboolean  is_verified;
} BaUserProfile;

#define BA_TYPE_USER_PROFILE (ba_user_profile_get_type ())

GType          ba_user_profile_get_type (void) G_GNUC_CONST;
BaUserProfile *ba_user_profile_copy     (const BaUserProfile *profile);
void           ba_user_profile_free     (BaUserProfile       *profile);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaUserProfile, ba_user_profile_free)

/* Which field of a form an error is about. */
typedef enum
{
  BA_LIFECYCLE_FIELD_NONE,
  BA_LIFECYCLE_FIELD_EMAIL,
  BA_LIFECYCLE_FIELD_USERNAME,
  BA_LIFECYCLE_FIELD_PASSWORD,          /* the new password */
  BA_LIFECYCLE_FIELD_CURRENT_PASSWORD,
  BA_LIFECYCLE_FIELD_TOKEN,             /* the code or link from a mail */
} BaLifecycleField;

BaLifecycleField ba_lifecycle_error_field      (const GError  *error);

/* The token in what a user pasted from a mail: the whole link (the value
 * of its "token" parameter) or the bare code, spaces around it dropped.
 * NULL when it holds no plausible token (letters and digits only). */
char            *ba_lifecycle_parse_mail_token (const char    *code_or_link);
/* The email in a pasted verification link ("email" parameter), or NULL. */
char            *ba_lifecycle_parse_mail_email (const char    *code_or_link);

/* The dashboard page @page (e.g. "password-reset") for the API at
 * @api_url: https://api.X → https://dashboard.X/@page. NULL when the
 * server has no recognisable dashboard. */
char            *ba_lifecycle_dashboard_url    (const char    *api_url,
                                                const char    *page);

/* POST /user/register {email, password, username?}: returns the new
 * account's session token (wipe it with ba_wipe_string_free()). */
void        ba_api_client_register_async                   (BaApiClient          *self,
                                                            const char           *email,
                                                            const char           *username,
                                                            const char           *password,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
char       *ba_api_client_register_finish                  (BaApiClient          *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* POST /user/v1/verify-email {verificationToken, email}: a new token. */
void        ba_api_client_verify_email_async               (BaApiClient          *self,
                                                            const char           *email,
                                                            const char           *token,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
char       *ba_api_client_verify_email_finish              (BaApiClient          *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* PATCH /v7/user(@user_id) {has_been_sent_verification_email: true}. */
void        ba_api_client_request_verification_email_async (BaApiClient          *self,
                                                            gint64                user_id,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean    ba_api_client_request_verification_email_finish (BaApiClient         *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);

/* GET /v7/user_profile of @user_id. */
void           ba_api_client_get_user_profile_async        (BaApiClient          *self,
                                                            gint64                user_id,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
BaUserProfile *ba_api_client_get_user_profile_finish       (BaApiClient          *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* PATCH /v7/user_profile(@profile_id) {first_name, last_name, company};
 * NULL or "" clears a field. */
void        ba_api_client_update_user_profile_async        (BaApiClient          *self,
                                                            gint64                profile_id,
                                                            const char           *first_name,
                                                            const char           *last_name,
                                                            const char           *company,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean    ba_api_client_update_user_profile_finish       (BaApiClient          *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* POST /user/v1/password-reset/request {email}. The same success whether
 * or not the account exists. */
void        ba_api_client_request_password_reset_async    (BaApiClient          *self,
                                                            const char           *email,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean    ba_api_client_request_password_reset_finish   (BaApiClient          *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* POST /user/v1/password-reset {token, password}: a session token. */
void        ba_api_client_reset_password_async            (BaApiClient          *self,
                                                            const char           *token,
                                                            const char           *password,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
char       *ba_api_client_reset_password_finish           (BaApiClient          *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* POST /user/v1/password {current_password?, new_password}: sets a first
 * password (@current_password NULL; the session must be fresh) or
 * changes it. Returns the new session token: every older one is dead. A
 * wrong current password is BA_ERROR_WRONG_CREDENTIALS. */
void        ba_api_client_set_password_async              (BaApiClient          *self,
                                                            const char           *current_password,
                                                            const char           *new_password,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
char       *ba_api_client_set_password_finish             (BaApiClient          *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* DELETE /v7/user(@user_id). Needs a fresh session. */
void        ba_api_client_delete_user_async               (BaApiClient          *self,
                                                            gint64                user_id,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean    ba_api_client_delete_user_finish              (BaApiClient          *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

G_END_DECLS
