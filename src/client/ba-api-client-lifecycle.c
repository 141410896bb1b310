/* ba-api-client-lifecycle.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-api-client"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "ba-api-client-lifecycle.h"
#include "ba-api-client-private.h"
#include "ba-api-error.h"
#include "ba-error.h"
#include "ba-jwt.h"
#include "ba-wipe.h"

/* BaUserProfile */

G_DEFINE_BOXED_TYPE (BaUserProfile, ba_user_profile, ba_user_profile_copy, ba_user_profile_free)

BaUserProfile *
ba_user_profile_copy (const BaUserProfile *profile)
{
  BaUserProfile *copy;

  g_return_val_if_fail (profile != NULL, NULL);

  copy = g_new0 (BaUserProfile, 1);
  copy->id = profile->id;
  copy->email = g_strdup (profile->email);
  copy->first_name = g_strdup (profile->first_name);
  copy->last_name = g_strdup (profile->last_name);
  copy->company = g_strdup (profile->company);
  copy->has_password_set = profile->has_password_set;
  copy->is_verified = profile->is_verified;

  return copy;
}

void
ba_user_profile_free (BaUserProfile *profile)
{
  if (profile == NULL)
    return;

  g_free (profile->email);
  g_free (profile->first_name);
  g_free (profile->last_name);
  g_free (profile->company);
  g_free (profile);
}

/* The server's messages for mistakes a user can fix (account-api.md
 * sections 8, 9 and 17), in the user's language, with the field they are
 * about. */
typedef struct
{
  const char       *wire;
  const char       *text;
  BaLifecycleField  field;
} KnownMessage;

static const KnownMessage known_messages[] = {
  { "Invalid email", N_("This is not a valid email address."), BA_LIFECYCLE_FIELD_EMAIL },
  { "This email is already taken", N_("This email is already taken."), BA_LIFECYCLE_FIELD_EMAIL },
  { "This username is already taken", N_("This username is already taken."), BA_LIFECYCLE_FIELD_USERNAME },
  { "Password must be at least 8 characters", N_("The password must be at least 8 characters long."), BA_LIFECYCLE_FIELD_PASSWORD },
  { "Invalid or expired token", N_("This code or link is not valid, or it has expired. Ask for a new mail."), BA_LIFECYCLE_FIELD_TOKEN },
  { "Wrong password", N_("The current password is wrong."), BA_LIFECYCLE_FIELD_CURRENT_PASSWORD },
  { "Current password required", N_("Enter your current password."), BA_LIFECYCLE_FIELD_CURRENT_PASSWORD },
  { "You can only delete your own account", N_("You can only delete your own account."), BA_LIFECYCLE_FIELD_NONE },
};

BaLifecycleField
ba_lifecycle_error_field (const GError *error)
{
  if (error == NULL || error->domain != BA_ERROR)
    return BA_LIFECYCLE_FIELD_NONE;

  if (error->code == BA_ERROR_WRONG_CREDENTIALS)
    return BA_LIFECYCLE_FIELD_CURRENT_PASSWORD;
  if (error->code == BA_ERROR_WEAK_PASSWORD)
    return BA_LIFECYCLE_FIELD_PASSWORD;

  for (guint i = 0; i < G_N_ELEMENTS (known_messages); i++)
    {
      if (g_strcmp0 (error->message, _(known_messages[i].text)) == 0)
        return known_messages[i].field;
    }

  return BA_LIFECYCLE_FIELD_NONE;
}

static gboolean
is_token_text (const char *text)
{
  if (text == NULL || *text == '\0' || strlen (text) > 256)
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p))
        return FALSE;
    }

  return TRUE;
}

/* The value of query parameter @name in @text, if @text is a URL. Parsed
 * by hand rather than with GUri, so that every copy of the link (it holds
 * a reset token) can be wiped. */
static char *
query_parameter (const char *text,
                 const char *name)
{
  g_autoptr(BaSecretString) trimmed = g_strstrip (g_strdup (text));
  gsize name_len = strlen (name);
  char *query;
  char *fragment;

  if (strstr (trimmed, "://") == NULL || (query = strchr (trimmed, '?')) == NULL)
    return NULL;
  query++;
  if ((fragment = strchr (query, '#')) != NULL)
    *fragment = '\0';

  for (char *part = query; part != NULL && *part != '\0';)
    {
      char *next = strchr (part, '&');
      const char *end = next != NULL ? next : part + strlen (part);

      if (strncmp (part, name, name_len) == 0 && part[name_len] == '=')
        return g_uri_unescape_segment (part + name_len + 1, end, NULL);

      part = next != NULL ? next + 1 : NULL;
    }

  return NULL;
}

char *
ba_lifecycle_parse_mail_token (const char *code_or_link)
{
  g_autoptr(BaSecretString) token = NULL;

  if (code_or_link == NULL)
    return NULL;

  token = query_parameter (code_or_link, "token");
  if (token == NULL)
    token = g_strstrip (g_strdup (code_or_link));

  /* A rejected text is wiped too: it may be a token with a typo. */
  if (!is_token_text (token))
    return NULL;

  return g_steal_pointer (&token);
}

char *
ba_lifecycle_parse_mail_email (const char *code_or_link)
{
  g_autofree char *email = NULL;

  if (code_or_link == NULL)
    return NULL;

  email = query_parameter (code_or_link, "email");
  if (email == NULL || strchr (email, '@') == NULL)
    return NULL;

  return g_steal_pointer (&email);
}

char *
ba_lifecycle_dashboard_url (const char *api_url,
                            const char *page)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;

  g_return_val_if_fail (page != NULL, NULL);

  if (api_url == NULL)
    return NULL;

  uri = g_uri_parse (api_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL ||
      g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0 ||
      !g_str_has_prefix (host, "api.") || strlen (host) <= strlen ("api."))
    return NULL;

  /* balena's settings derive both from one balenaUrl the same way
   * (account-api.md section 14). */
  return g_strdup_printf ("https://dashboard.%s/%s", host + strlen ("api."), page);
}

/* Calls */

typedef enum
{
  RESULT_EMPTY,     /* any 2xx */
  RESULT_TOKEN,     /* a bare JWT as text */
  RESULT_PROFILE,   /* {"d":[user_profile]} */
} ResultKind;

typedef struct
{
  ResultKind     kind;
  BaApiEndpoint  endpoint;
} Call;

static GError *
map_error (BaApiResponse *response,
           BaApiEndpoint  endpoint)
{
  g_autofree char *message = ba_api_error_extract_message (response->body);

  if (message != NULL && (response->status == 400 || response->status == 401 ||
                          response->status == 409))
    {
      for (guint i = 0; i < G_N_ELEMENTS (known_messages); i++)
        {
          if (g_str_equal (message, known_messages[i].wire))
            {
              int code;

              if (response->status == 409)
                code = BA_ERROR_CONFLICT;
              else if (response->status == 401)
                code = BA_ERROR_WRONG_CREDENTIALS;
              else if (known_messages[i].field == BA_LIFECYCLE_FIELD_PASSWORD)
                code = BA_ERROR_WEAK_PASSWORD;
              else
                code = BA_ERROR_INVALID_INPUT;

              return g_error_new_literal (BA_ERROR, code, _(known_messages[i].text));
            }
        }
    }

  return ba_api_error_from_response (response->status, response->body,
                                     response->retry_after, endpoint);
}

static BaUserProfile *
parse_profile (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(BaUserProfile) profile = NULL;
  JsonNode *root;
  JsonNode *d;
  JsonObject *row;
  JsonArray *rows;
  gsize size = 0;
  const char *data = g_bytes_get_data (body, &size);
  const char *strings[] = { "email", "first_name", "last_name", "company" };
  const char *booleans[] = { "has_password_set", "is_verified" };

  if (data == NULL || size == 0 ||
      !json_parser_load_from_data (parser, data, size, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root) ||
      (d = json_object_get_member (json_node_get_object (root), "d")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (d))
    return NULL;

  rows = json_node_get_array (d);
  if (json_array_get_length (rows) != 1 ||
      !JSON_NODE_HOLDS_OBJECT (json_array_get_element (rows, 0)))
    return NULL;

  row = json_array_get_object_element (rows, 0);
  profile = g_new0 (BaUserProfile, 1);

  if (json_object_has_member (row, "id"))
    {
      JsonNode *node = json_object_get_member (row, "id");

      if (json_node_get_value_type (node) != G_TYPE_INT64)
        return NULL;
      profile->id = json_node_get_int (node);
    }

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      JsonNode *node = json_object_get_member (row, strings[i]);
      char **field[] = { &profile->email, &profile->first_name, &profile->last_name, &profile->company };

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      if (json_node_get_value_type (node) != G_TYPE_STRING)
        return NULL;
      *field[i] = g_strdup (json_node_get_string (node));
    }

  for (guint i = 0; i < G_N_ELEMENTS (booleans); i++)
    {
      JsonNode *node = json_object_get_member (row, booleans[i]);
      gboolean *field[] = { &profile->has_password_set, &profile->is_verified };

      if (node == NULL || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        return NULL;
      *field[i] = json_node_get_boolean (node);
    }

  return g_steal_pointer (&profile);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(BaApiResponse) response = NULL;
  GError *error = NULL;

  response = ba_api_client_send_finish (BA_API_CLIENT (object), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (response->status < 200 || response->status > 299)
    {
      g_task_return_error (task, map_error (response, call->endpoint));
      return;
    }

  switch (call->kind)
    {
    case RESULT_EMPTY:
      g_task_return_boolean (task, TRUE);
      break;

    case RESULT_TOKEN:
      {
        gsize size = 0;
        const char *data = g_bytes_get_data (response->body, &size);
        g_autoptr(BaSecretString) token = g_strstrip (g_strndup (data != NULL ? data : "", size));

        if (!ba_jwt_looks_like_jwt (token))
          {
            g_debug ("Expected a session token, got %" G_GSIZE_FORMAT " bytes of something else", size);
            g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                                     "%s", _("The server sent an invalid session token."));
            return;
          }

        g_task_return_pointer (task, g_steal_pointer (&token), (GDestroyNotify) ba_wipe_string_free);
      }
      break;

    case RESULT_PROFILE:
      {
        BaUserProfile *profile = parse_profile (response->body);

        if (profile == NULL)
          {
            g_debug ("The user_profile answer is not one well-formed row");
            g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                                     "%s", _("The server sent an answer that could not be understood."));
            return;
          }

        g_task_return_pointer (task, profile, (GDestroyNotify) ba_user_profile_free);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
call (BaApiClient         *self,
      const char          *method,
      const char          *path,
      gboolean             authenticated,
      char                *json_body,
      ResultKind           kind,
      BaApiEndpoint        endpoint,
      GCancellable        *cancellable,
      gpointer             source_tag,
      GAsyncReadyCallback  callback,
      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Call *data = g_new0 (Call, 1);

  data->kind = kind;
  data->endpoint = endpoint;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, g_free);

  ba_api_client_send_async (self, method, path, authenticated, json_body, cancellable,
                            sent_cb, g_steal_pointer (&task));
}

static void
fail_early (BaApiClient         *self,
            GCancellable        *cancellable,
            gpointer             source_tag,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            const char          *message,
            int                  code)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_return_new_error (task, BA_ERROR, code, "%s", message);
}

/* {"name": value, …} from name/value pairs; NULL values become null.
 * Free the result with ba_wipe_string_free(): it may hold a password. */
static char *
json_body (const char *first_name,
           ...) G_GNUC_NULL_TERMINATED;

static char *
json_body (const char *first_name,
           ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  va_list args;

  json_builder_begin_object (builder);
  va_start (args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      json_builder_set_member_name (builder, name);
      if (value != NULL)
        json_builder_add_string_value (builder, value);
      else
        json_builder_add_null_value (builder);
    }
  va_end (args);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static gboolean
check (BaApiClient  *self,
       GAsyncResult *result,
       gpointer      source_tag)
{
  g_return_val_if_fail (BA_IS_API_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return TRUE;
}

static gboolean
check_password (BaApiClient         *self,
                const char          *password,
                GCancellable        *cancellable,
                gpointer             source_tag,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  if (password != NULL && g_utf8_validate (password, -1, NULL) &&
      g_utf8_strlen (password, -1) >= 8)
    return TRUE;

  fail_early (self, cancellable, source_tag, callback, user_data,
              _("The password must be at least 8 characters long."), BA_ERROR_WEAK_PASSWORD);
  return FALSE;
}

void
ba_api_client_register_async (BaApiClient         *self,
                              const char          *email,
                              const char          *username,
                              const char          *password,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (BA_IS_API_CLIENT (self));

  if (email == NULL || strchr (email, '@') == NULL)
    {
      fail_early (self, cancellable, ba_api_client_register_async, callback, user_data,
                  _("This is not a valid email address."), BA_ERROR_INVALID_INPUT);
      return;
    }

  if (!check_password (self, password, cancellable, ba_api_client_register_async, callback, user_data))
    return;

  if (username != NULL && *username != '\0')
    call (self, "POST", "/user/register", FALSE,
          json_body ("email", email, "password", password, "username", username, NULL),
          RESULT_TOKEN, BA_API_ENDPOINT_EXTENSION, cancellable,
          ba_api_client_register_async, callback, user_data);
  else
    call (self, "POST", "/user/register", FALSE,
          json_body ("email", email, "password", password, NULL),
          RESULT_TOKEN, BA_API_ENDPOINT_EXTENSION, cancellable,
          ba_api_client_register_async, callback, user_data);
}

char *
ba_api_client_register_finish (BaApiClient   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  if (!check (self, result, ba_api_client_register_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_api_client_verify_email_async (BaApiClient         *self,
                                  const char          *email,
                                  const char          *token,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (BA_IS_API_CLIENT (self));
  g_return_if_fail (email != NULL);

  if (!is_token_text (token))
    {
      fail_early (self, cancellable, ba_api_client_verify_email_async, callback, user_data,
                  _("This code or link is not valid, or it has expired. Ask for a new mail."),
                  BA_ERROR_INVALID_INPUT);
      return;
    }

  call (self, "POST", "/user/v1/verify-email", FALSE,
        json_body ("verificationToken", token, "email", email, NULL),
        RESULT_TOKEN, BA_API_ENDPOINT_EXTENSION, cancellable,
        ba_api_client_verify_email_async, callback, user_data);
}

char *
ba_api_client_verify_email_finish (BaApiClient   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  if (!check (self, result, ba_api_client_verify_email_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_api_client_request_verification_email_async (BaApiClient         *self,
                                                gint64               user_id,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (BA_IS_API_CLIENT (self));
  g_return_if_fail (user_id > 0);

  path = g_strdup_printf ("/v7/user(%" G_GINT64_FORMAT ")", user_id);
  call (self, "PATCH", path, TRUE, g_strdup ("{\"has_been_sent_verification_email\":true}"),
        RESULT_EMPTY, BA_API_ENDPOINT_AUTHENTICATED, cancellable,
        ba_api_client_request_verification_email_async, callback, user_data);
}

gboolean
ba_api_client_request_verification_email_finish (BaApiClient   *self,
                                                 GAsyncResult  *result,
                                                 GError       **error)
{
  if (!check (self, result, ba_api_client_request_verification_email_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ba_api_client_get_user_profile_async (BaApiClient         *self,
                                      gint64               user_id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (BA_IS_API_CLIENT (self));
  g_return_if_fail (user_id > 0);

  path = g_strdup_printf ("/v7/user_profile?$select=id,email,first_name,last_name,company,"
                          "has_password_set,is_verified"
                          "&$filter=is_of__user%%20eq%%20%" G_GINT64_FORMAT, user_id);
  call (self, "GET", path, TRUE, NULL, RESULT_PROFILE, BA_API_ENDPOINT_EXTENSION, cancellable,
        ba_api_client_get_user_profile_async, callback, user_data);
}

BaUserProfile *
ba_api_client_get_user_profile_finish (BaApiClient   *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  if (!check (self, result, ba_api_client_get_user_profile_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

static const char *
empty_to_null (const char *text)
{
  return text != NULL && *text != '\0' ? text : NULL;
}

void
ba_api_client_update_user_profile_async (BaApiClient         *self,
                                         gint64               profile_id,
                                         const char          *first_name,
                                         const char          *last_name,
                                         const char          *company,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (BA_IS_API_CLIENT (self));
  g_return_if_fail (profile_id > 0);

  path = g_strdup_printf ("/v7/user_profile(%" G_GINT64_FORMAT ")", profile_id);
  call (self, "PATCH", path, TRUE,
        json_body ("first_name", empty_to_null (first_name),
                   "last_name", empty_to_null (last_name),
                   "company", empty_to_null (company), NULL),
        RESULT_EMPTY, BA_API_ENDPOINT_EXTENSION, cancellable,
        ba_api_client_update_user_profile_async, callback, user_data);
}

gboolean
ba_api_client_update_user_profile_finish (BaApiClient   *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  if (!check (self, result, ba_api_client_update_user_profile_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ba_api_client_request_password_reset_async (BaApiClient         *self,
                                            const char          *email,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_return_if_fail (BA_IS_API_CLIENT (self));

  if (email == NULL || strchr (email, '@') == NULL)
    {
      fail_early (self, cancellable, ba_api_client_request_password_reset_async, callback,
                  user_data, _("This is not a valid email address."), BA_ERROR_INVALID_INPUT);
      return;
    }

  call (self, "POST", "/user/v1/password-reset/request", FALSE,
        json_body ("email", email, NULL),
        RESULT_EMPTY, BA_API_ENDPOINT_EXTENSION, cancellable,
        ba_api_client_request_password_reset_async, callback, user_data);
}

gboolean
ba_api_client_request_password_reset_finish (BaApiClient   *self,
                                             GAsyncResult  *result,
                                             GError       **error)
{
  if (!check (self, result, ba_api_client_request_password_reset_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ba_api_client_reset_password_async (BaApiClient         *self,
                                    const char          *token,
                                    const char          *password,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (BA_IS_API_CLIENT (self));

  if (!is_token_text (token))
    {
      fail_early (self, cancellable, ba_api_client_reset_password_async, callback, user_data,
                  _("This code or link is not valid, or it has expired. Ask for a new mail."),
                  BA_ERROR_INVALID_INPUT);
      return;
    }

  if (!check_password (self, password, cancellable, ba_api_client_reset_password_async,
                       callback, user_data))
    return;

  call (self, "POST", "/user/v1/password-reset", FALSE,
        json_body ("token", token, "password", password, NULL),
        RESULT_TOKEN, BA_API_ENDPOINT_EXTENSION, cancellable,
        ba_api_client_reset_password_async, callback, user_data);
}

char *
ba_api_client_reset_password_finish (BaApiClient   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  if (!check (self, result, ba_api_client_reset_password_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_api_client_set_password_async (BaApiClient         *self,
                                  const char          *current_password,
                                  const char          *new_password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (BA_IS_API_CLIENT (self));

  if (!check_password (self, new_password, cancellable, ba_api_client_set_password_async,
                       callback, user_data))
    return;

  if (current_password != NULL)
    call (self, "POST", "/user/v1/password", TRUE,
          json_body ("current_password", current_password, "new_password", new_password, NULL),
          RESULT_TOKEN, BA_API_ENDPOINT_EXTENSION, cancellable,
          ba_api_client_set_password_async, callback, user_data);
  else
    call (self, "POST", "/user/v1/password", TRUE,
          json_body ("new_password", new_password, NULL),
          RESULT_TOKEN, BA_API_ENDPOINT_EXTENSION, cancellable,
          ba_api_client_set_password_async, callback, user_data);
}

char *
ba_api_client_set_password_finish (BaApiClient   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  if (!check (self, result, ba_api_client_set_password_async))
    return NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ba_api_client_delete_user_async (BaApiClient         *self,
                                 gint64               user_id,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (BA_IS_API_CLIENT (self));
  g_return_if_fail (user_id > 0);

  path = g_strdup_printf ("/v7/user(%" G_GINT64_FORMAT ")", user_id);
  call (self, "DELETE", path, TRUE, NULL, RESULT_EMPTY, BA_API_ENDPOINT_AUTHENTICATED,
        cancellable, ba_api_client_delete_user_async, callback, user_data);
}

gboolean
ba_api_client_delete_user_finish (BaApiClient   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  if (!check (self, result, ba_api_client_delete_user_async))
    return FALSE;

  return g_task_propagate_boolean (G_TASK (result), error);
}
