/* ba-api-client-two-factor.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-api-client"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ba-api-client-private.h"
#include "ba-api-client-two-factor.h"
#include "ba-api-error.h"
#include "ba-error.h"
#include "ba-jwt.h"
#include "ba-otpauth.h"

/* The server's messages (src/server/ba-server-totp.c) that give a 401 a
 * meaning other than "the session is over". */
#define MSG_INVALID_CODE  "Invalid two-factor authentication code"
#define MSG_WRONG_PASSWORD "Wrong password"
#define MSG_NOT_PASSED    "Two-factor authentication required"

typedef enum
{
  CALL_SETUP,
  CALL_VERIFY,
  CALL_DISABLE,
  CALL_RECOVERY_CODES,
  CALL_COUNT,
} Call;

/* The error for a non-2xx answer to @call. */
static GError *
answer_error (BaApiResponse *answer,
              Call           call)
{
  g_autofree char *message = NULL;

  if (answer->status == SOUP_STATUS_UNAUTHORIZED)
    {
      message = ba_api_error_extract_message (answer->body);

      if (call == CALL_VERIFY && g_strcmp0 (message, MSG_INVALID_CODE) == 0)
        return g_error_new_literal (BA_ERROR, BA_ERROR_WRONG_CREDENTIALS,
                                    _("That code is not correct. Enter the newest code from your authenticator app."));
      if (call == CALL_DISABLE && g_strcmp0 (message, MSG_WRONG_PASSWORD) == 0)
        return g_error_new_literal (BA_ERROR, BA_ERROR_WRONG_CREDENTIALS,
                                    _("The password is not correct."));
      if (call == CALL_RECOVERY_CODES && g_strcmp0 (message, MSG_NOT_PASSED) == 0)
        return g_error_new_literal (BA_ERROR, BA_ERROR_PERMISSION_DENIED,
                                    _("This session started before two-factor authentication was turned on. Log out and log in again with a code to get recovery codes."));
    }

  return ba_api_error_from_response (answer->status, answer->body, answer->retry_after,
                                     BA_API_ENDPOINT_EXTENSION);
}

static void
wipe_bytes (GBytes *bytes)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);

  if (data != NULL && size > 0)
    sodium_memzero ((gpointer) data, size);
}

/* The body as a trimmed string, wiped by the caller. */
static char *
body_text (BaApiResponse *answer)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (answer->body, &size);

  return g_strstrip (g_strndup (data != NULL ? data : "", size));
}

static char *
parse_token (BaApiResponse  *answer,
             GError        **error)
{
  g_autoptr(BaSecretString) token = body_text (answer);

  if (token[0] == '\0' || !ba_jwt_looks_like_jwt (token))
    {
      g_debug ("Expected a session token, got %" G_GSIZE_FORMAT " bytes of something else",
               g_bytes_get_size (answer->body));
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                           _("The server sent an invalid session token."));
      return NULL;
    }

  return g_steal_pointer (&token);
}

static char *
parse_setup (BaApiResponse  *answer,
             GError        **error)
{
  g_autoptr(BaSecretString) uri = body_text (answer);
  g_autoptr(BaOtpauth) otpauth = NULL;
  g_autoptr(GError) parse_error = NULL;

  otpauth = ba_otpauth_parse (uri, &parse_error);
  if (otpauth == NULL)
    {
      g_debug ("The setup answer is not an otpauth URI: %s", parse_error->message);
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                           _("The server sent a two-factor setup key that could not be understood."));
      return NULL;
    }

  return g_steal_pointer (&uri);
}

static char **
parse_recovery_codes (BaApiResponse  *answer,
                      GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *codes;
  JsonArray *array;
  JsonNode *root;
  gsize size = 0;
  const char *data = g_bytes_get_data (answer->body, &size);
  guint n;

  if (data == NULL || size == 0 ||
      !json_parser_load_from_data (parser, data, size, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (root) ||
      (n = json_array_get_length (array = json_node_get_array (root))) == 0)
    goto invalid;

  codes = g_ptr_array_new ();
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *code;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING ||
          (code = json_node_get_string (node))[0] == '\0' || strlen (code) > 64)
        {
          g_ptr_array_add (codes, NULL);
          ba_wipe_strv_free ((char **) g_ptr_array_free (codes, FALSE));
          goto invalid;
        }

      for (const char *p = code; *p != '\0'; p++)
        {
          if (!g_ascii_isgraph (*p))
            {
              g_ptr_array_add (codes, NULL);
              ba_wipe_strv_free ((char **) g_ptr_array_free (codes, FALSE));
              goto invalid;
            }
        }

      g_ptr_array_add (codes, g_strdup (code));
      sodium_memzero ((gpointer) code, strlen (code));
    }
  g_ptr_array_add (codes, NULL);

  return (char **) g_ptr_array_free (codes, FALSE);

invalid:
  g_debug ("The recovery codes answer is not a JSON array of codes");
  g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                       _("The server sent recovery codes that could not be understood."));
  return NULL;
}

static gboolean
parse_count (BaApiResponse  *answer,
             guint          *out_total,
             guint          *out_unused,
             GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonNode *d;
  JsonArray *rows;
  gsize size = 0;
  const char *data = g_bytes_get_data (answer->body, &size);
  guint unused = 0;
  guint n;

  if (data == NULL || size == 0 ||
      !json_parser_load_from_data (parser, data, size, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root) ||
      (d = json_object_get_member (json_node_get_object (root), "d")) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (d))
    goto invalid;

  rows = json_node_get_array (d);
  n = json_array_get_length (rows);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *row = json_array_get_element (rows, i);
      JsonNode *used;

      if (!JSON_NODE_HOLDS_OBJECT (row))
        goto invalid;

      used = json_object_get_member (json_node_get_object (row), "used_timestamp");
      if (used == NULL)
        goto invalid;
      if (JSON_NODE_HOLDS_NULL (used))
        unused++;
      else if (json_node_get_value_type (used) != G_TYPE_STRING)
        goto invalid;
    }

  *out_total = n;
  *out_unused = unused;
  return TRUE;

invalid:
  g_debug ("The recovery_two_factor answer is not {\"d\":[…]} with used_timestamp");
  g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                       _("The server sent an answer that could not be understood."));
  return FALSE;
}

/* The counts of CALL_COUNT travel as one task value. */
typedef struct
{
  guint total;
  guint unused;
} Count;

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call call = GPOINTER_TO_UINT (g_task_get_task_data (task));
  g_autoptr(BaApiResponse) answer = NULL;
  GError *error = NULL;

  answer = ba_api_client_send_finish (BA_API_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (answer->status))
    {
      g_task_return_error (task, answer_error (answer, call));
      return;
    }

  switch (call)
    {
    case CALL_SETUP:
      {
        char *uri = parse_setup (answer, &error);

        if (uri == NULL)
          g_task_return_error (task, error);
        else
          g_task_return_pointer (task, uri, (GDestroyNotify) ba_wipe_string_free);
      }
      break;

    case CALL_VERIFY:
    case CALL_DISABLE:
      {
        char *token = parse_token (answer, &error);

        if (token == NULL)
          g_task_return_error (task, error);
        else
          g_task_return_pointer (task, token, (GDestroyNotify) ba_wipe_string_free);
      }
      break;

    case CALL_RECOVERY_CODES:
      {
        char **codes = parse_recovery_codes (answer, &error);

        if (codes == NULL)
          g_task_return_error (task, error);
        else
          g_task_return_pointer (task, codes, (GDestroyNotify) ba_wipe_strv_free);
      }
      break;

    case CALL_COUNT:
      {
        Count *count = g_new0 (Count, 1);

        if (!parse_count (answer, &count->total, &count->unused, &error))
          {
            g_free (count);
            g_task_return_error (task, error);
          }
        else
          g_task_return_pointer (task, count, g_free);
      }
      break;

    default:
      g_assert_not_reached ();
    }

  wipe_bytes (answer->body);
}

static void
send (BaApiClient         *self,
      Call                 call,
      const char          *method,
      const char          *path,
      char                *json_body,
      gpointer             source_tag,
      GCancellable        *cancellable,
      GAsyncReadyCallback  callback,
      gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, GUINT_TO_POINTER (call), NULL);
  ba_api_client_send_async (self, method, path, TRUE, json_body, cancellable, sent_cb, task);
}

/* {"name": "value"}, wiped by whoever frees it. */
static char *
one_member_body (const char *name,
                 const char *value)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

static gpointer
finish_pointer (BaApiClient   *self,
                GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  g_return_val_if_fail (BA_IS_API_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
return_early (BaApiClient         *self,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data,
              const char          *message)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_INPUT, "%s", message);
}

void
ba_api_client_totp_setup_async (BaApiClient         *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (BA_IS_API_CLIENT (self));

  send (self, CALL_SETUP, "GET", "/auth/totp/setup", NULL, ba_api_client_totp_setup_async,
        cancellable, callback, user_data);
}

char *
ba_api_client_totp_setup_finish (BaApiClient   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return finish_pointer (self, result, ba_api_client_totp_setup_async, error);
}

void
ba_api_client_totp_verify_async (BaApiClient         *self,
                                 const char          *code,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(BaSecretString) trimmed = NULL;

  g_return_if_fail (BA_IS_API_CLIENT (self));
  g_return_if_fail (code != NULL);

  trimmed = g_strstrip (g_strdup (code));
  if (trimmed[0] == '\0')
    {
      return_early (self, ba_api_client_totp_verify_async, cancellable, callback, user_data,
                    _("Enter the code."));
      return;
    }

  send (self, CALL_VERIFY, "POST", "/auth/totp/verify", one_member_body ("code", trimmed),
        ba_api_client_totp_verify_async, cancellable, callback, user_data);
}

char *
ba_api_client_totp_verify_finish (BaApiClient   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return finish_pointer (self, result, ba_api_client_totp_verify_async, error);
}

void
ba_api_client_totp_disable_async (BaApiClient         *self,
                                  const char          *password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (BA_IS_API_CLIENT (self));
  g_return_if_fail (password != NULL);

  if (password[0] == '\0')
    {
      return_early (self, ba_api_client_totp_disable_async, cancellable, callback, user_data,
                    _("Enter your password."));
      return;
    }

  send (self, CALL_DISABLE, "POST", "/auth/totp/disable", one_member_body ("password", password),
        ba_api_client_totp_disable_async, cancellable, callback, user_data);
}

char *
ba_api_client_totp_disable_finish (BaApiClient   *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return finish_pointer (self, result, ba_api_client_totp_disable_async, error);
}

void
ba_api_client_recovery_codes_async (BaApiClient         *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (BA_IS_API_CLIENT (self));

  send (self, CALL_RECOVERY_CODES, "POST", "/auth/totp/recovery-codes", NULL,
        ba_api_client_recovery_codes_async, cancellable, callback, user_data);
}

char **
ba_api_client_recovery_codes_finish (BaApiClient   *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return finish_pointer (self, result, ba_api_client_recovery_codes_async, error);
}

void
ba_api_client_count_recovery_codes_async (BaApiClient         *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_return_if_fail (BA_IS_API_CLIENT (self));

  send (self, CALL_COUNT, "GET", "/v7/recovery_two_factor?$select=id,used_timestamp", NULL,
        ba_api_client_count_recovery_codes_async, cancellable, callback, user_data);
}

gboolean
ba_api_client_count_recovery_codes_finish (BaApiClient   *self,
                                           GAsyncResult  *result,
                                           guint         *out_total,
                                           guint         *out_unused,
                                           GError       **error)
{
  g_autofree Count *count = finish_pointer (self, result,
                                            ba_api_client_count_recovery_codes_async, error);

  if (count == NULL)
    return FALSE;

  if (out_total != NULL)
    *out_total = count->total;
  if (out_unused != NULL)
    *out_unused = count->unused;

  return TRUE;
}
