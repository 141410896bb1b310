/* ba-api-error.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-api-error"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ba-api-error.h"
#include "ba-error.h"

#define FRESH_AUTH_MESSAGE "Fresh authentication token required"

/* The server's English texts for 400 and 409 answers of the endpoints we
 * call (account-api.md sections 4, 6, 8, 9 and 17), in the user's
 * language. Any other text is only logged: the server's wording is
 * neither translated nor always meant for people. Texts the lifecycle
 * calls map with their form field first (ba-api-client-lifecycle.c) are
 * repeated here, with the same translation, for the other callers. */
typedef struct
{
  const char *wire;
  const char *text;
} KnownMessage;

static const KnownMessage known_messages[] = {
  { "This username is already taken", N_("This username is already taken.") },
  { "This email is already taken", N_("This email is already taken.") },
  { "Invalid email", N_("This is not a valid email address.") },
  { "Password must be at least 8 characters", N_("The password must be at least 8 characters long.") },
  { "Invalid or expired token", N_("This code or link is not valid, or it has expired. Ask for a new mail.") },
  { "Current password required", N_("Enter your current password.") },
  { "It is necessary that each api key that has a name, has a name that has a "
    "Length (Type) that is less than or equal to 50.",
    N_("The name of an API key can be at most 50 characters long.") },
  { "It is necessary that each api key that has a description, has a description "
    "that has a Length (Type) that is less than or equal to 150.",
    N_("The description of an API key can be at most 150 characters long.") },
  { "Key expiry date should be a valid date", N_("The expiry date is not a valid date.") },
  /* balena-accounts-server's own rule (its src/server/README.md). */
  { "An api key's name and description must not contain control characters",
    N_("The name and description of an API key cannot contain control characters, such as line breaks.") },
  { "API keys with the 'named-user-api-key' role require a name", N_("An API key needs a name.") },
  { "You cannot use a named key for user deletion",
    N_("An account cannot be deleted with an API key. Log in with your password first.") },
  { "You can only delete your own account", N_("You can only delete your own account.") },
  { "Two-factor authentication is already enabled", N_("Two-factor authentication is already turned on.") },
  { "Two-factor authentication is not enabled", N_("Two-factor authentication is not turned on.") },
  { "Two-factor authentication has not been set up; call /auth/totp/setup first",
    N_("Set up two-factor authentication first.") },
  { "This user is already a member of this fleet", N_("This user is already a member of this fleet.") },
};

/* The translated text for a known server message, or NULL. */
static const char *
translate_known (const char *message)
{
  if (message == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (known_messages); i++)
    {
      if (g_str_equal (message, known_messages[i].wire))
        return _(known_messages[i].text);
    }

  return NULL;
}

static char *
string_from_node (JsonNode *node)
{
  if (node != NULL &&
      JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));

  return NULL;
}

char *
ba_api_error_extract_message (GBytes *body)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *text = NULL;
  const char *data;
  gsize size = 0;
  JsonNode *root;

  if (body == NULL)
    return NULL;

  data = g_bytes_get_data (body, &size);
  if (data == NULL || size == 0)
    return NULL;

  text = g_strndup (data, size);
  g_strstrip (text);

  /* Only the JSON shapes carry a message meant for people; raw text may be
   * an HTML error page of a proxy, so it is never shown. */
  if (text[0] != '"' && text[0] != '{')
    return NULL;

  if (!g_utf8_validate (text, -1, NULL))
    return NULL;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL)
    return NULL;

  if (JSON_NODE_HOLDS_VALUE (root))
    return string_from_node (root);

  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      JsonNode *error_node = json_object_get_member (object, "error");
      char *message;

      /* balena-request's order: error.text, then message or error strings. */
      if (error_node != NULL && JSON_NODE_HOLDS_OBJECT (error_node))
        {
          message = string_from_node (json_object_get_member (json_node_get_object (error_node), "text"));
          if (message != NULL)
            return message;
        }

      message = string_from_node (json_object_get_member (object, "message"));
      if (message != NULL)
        return message;

      return string_from_node (error_node);
    }

  return NULL;
}

guint64
ba_api_error_parse_retry_after (const char *retry_after)
{
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *trimmed = NULL;
  guint64 seconds = 0;
  GTimeSpan span;

  if (retry_after == NULL)
    return 0;

  trimmed = g_strstrip (g_strdup (retry_after));
  if (trimmed[0] == '\0')
    return 0;

  if (g_ascii_string_to_unsigned (trimmed, 10, 0, G_MAXUINT32, &seconds, NULL))
    return seconds;

  date = soup_date_time_new_from_http_string (trimmed);
  if (date == NULL)
    return 0;

  now = g_date_time_new_now_utc ();
  span = g_date_time_difference (date, now);
  if (span <= 0)
    return 0;

  /* Round up: telling people to come back a second early is worse. */
  return (guint64) ((span + G_TIME_SPAN_SECOND - 1) / G_TIME_SPAN_SECOND);
}

char *
ba_api_error_format_wait (guint64 seconds)
{
  guint64 n;

  if (seconds == 0)
    return g_strdup (_("Too many attempts. Try again later."));

  if (seconds < 60)
    {
      n = seconds;
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Too many attempts. Try again in %u second.",
                                           "Too many attempts. Try again in %u seconds.",
                                           (gulong) n),
                              (guint) n);
    }

  /* Up to 3540 s in minutes, rounded up, so "59 minutes" for 3540 s and
   * never "0 minutes"; beyond that rounding up would say "60 minutes",
   * so from 3541 s on it is hours. */
  if (seconds <= 59 * 60)
    {
      n = (seconds + 59) / 60;
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Too many attempts. Try again in %u minute.",
                                           "Too many attempts. Try again in %u minutes.",
                                           (gulong) n),
                              (guint) n);
    }

  /* Hours are rounded up too: "1 hour" for 5399 s would send people
   * back almost half an hour too early. */
  n = (seconds + 60 * 60 - 1) / (60 * 60);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Too many attempts. Try again in %u hour.",
                                       "Too many attempts. Try again in %u hours.",
                                       (gulong) n),
                          (guint) n);
}

static void
debug_body (guint    status,
            GBytes  *body)
{
  g_autofree char *excerpt = NULL;
  const char *data = NULL;
  gsize size = 0;

  if (body != NULL)
    data = g_bytes_get_data (body, &size);

  /* Error bodies never carry credentials, but keep the log short. */
  excerpt = g_utf8_make_valid (data != NULL ? data : "", MIN (size, 200));
  g_debug ("HTTP %u with a %" G_GSIZE_FORMAT "-byte body: %s", status, size, excerpt);
}

GError *
ba_api_error_from_response (guint          status,
                            GBytes        *body,
                            const char    *retry_after,
                            BaApiEndpoint  endpoint)
{
  g_autofree char *message = NULL;
  g_autofree char *text = NULL;
  const char *known;

  debug_body (status, body);
  message = ba_api_error_extract_message (body);

  /* The sudo middleware answers this on any route; the fix is the same
   * everywhere: prove the password again. */
  if (message != NULL && g_str_equal (message, FRESH_AUTH_MESSAGE))
    return g_error_new_literal (BA_ERROR, BA_ERROR_FRESH_AUTH_REQUIRED,
                                _("For your security, please enter your password again to continue."));

  switch (status)
    {
    case 400:
      known = translate_known (message);
      if (known != NULL)
        return g_error_new_literal (BA_ERROR, BA_ERROR_INVALID_INPUT, known);
      g_debug ("No translation for the server's message: %s", message != NULL ? message : "(none)");
      return g_error_new_literal (BA_ERROR, BA_ERROR_INVALID_INPUT,
                                  _("The server refused the request as invalid."));

    case 401:
      if (endpoint == BA_API_ENDPOINT_LOGIN)
        return g_error_new_literal (BA_ERROR, BA_ERROR_WRONG_CREDENTIALS,
                                    _("Wrong username, email or password."));
      if (endpoint == BA_API_ENDPOINT_PASSWORD)
        return g_error_new_literal (BA_ERROR, BA_ERROR_WRONG_CREDENTIALS,
                                    _("Wrong password."));
      if (endpoint == BA_API_ENDPOINT_PUBLIC)
        return g_error_new_literal (BA_ERROR, BA_ERROR_PERMISSION_DENIED,
                                    _("The server refused access."));
      return g_error_new_literal (BA_ERROR, BA_ERROR_NOT_LOGGED_IN,
                                  _("Your session has ended. Please log in again."));

    case 403:
      return g_error_new_literal (BA_ERROR, BA_ERROR_PERMISSION_DENIED,
                                  _("You are not allowed to do this."));

    case 404:
      if (endpoint == BA_API_ENDPOINT_EXTENSION)
        return g_error_new_literal (BA_ERROR, BA_ERROR_NOT_SUPPORTED,
                                    _("This server does not support this feature."));
      return g_error_new_literal (BA_ERROR, BA_ERROR_NOT_FOUND,
                                  _("The server could not find what was asked for."));

    case 409:
      known = translate_known (message);
      if (known != NULL)
        return g_error_new_literal (BA_ERROR, BA_ERROR_CONFLICT, known);
      g_debug ("No translation for the server's message: %s", message != NULL ? message : "(none)");
      return g_error_new_literal (BA_ERROR, BA_ERROR_CONFLICT,
                                  _("This conflicts with something that already exists."));

    case 429:
      text = ba_api_error_format_wait (ba_api_error_parse_retry_after (retry_after));
      return g_error_new_literal (BA_ERROR, BA_ERROR_TOO_MANY_ATTEMPTS, text);

    default:
      break;
    }

  if (status >= 500 && status <= 599)
    return g_error_new (BA_ERROR, BA_ERROR_SERVER,
                        _("The server had a problem (error %u). Try again later."),
                        status);

  return g_error_new (BA_ERROR, BA_ERROR_FAILED,
                      _("The server gave an unexpected answer (status %u)."),
                      status);
}

GError *
ba_api_error_from_transport (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  g_debug ("Transport error: %s (%s %d)",
           error->message, g_quark_to_string (error->domain), error->code);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (error->domain == BA_ERROR)
    return g_error_copy (error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new_literal (BA_ERROR, BA_ERROR_TIMEOUT,
                                _("The server did not answer in time. Check your connection and try again."));

  if (error->domain == G_RESOLVER_ERROR ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED))
    return g_error_new_literal (BA_ERROR, BA_ERROR_OFFLINE,
                                _("Could not reach the server. Check your connection and try again."));

  if (error->domain == G_TLS_ERROR)
    return g_error_new_literal (BA_ERROR, BA_ERROR_FAILED,
                                _("A secure connection to the server could not be established. Its certificate may not be trusted."));

  if (error->domain == SOUP_SESSION_ERROR)
    return g_error_new_literal (BA_ERROR, BA_ERROR_INVALID_RESPONSE,
                                _("The server sent an answer that could not be understood."));

  return g_error_new_literal (BA_ERROR, BA_ERROR_OFFLINE,
                              _("Could not talk to the server. Check your connection and try again."));
}
