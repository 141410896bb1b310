/* ba-server-outbox.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-server-outbox"

#include "config.h"

#include "ba-server-outbox.h"

#include <string.h>

#include <sodium.h>

#include "ba-error.h"

#define OUTBOX_FROM "balena-accounts-server <no-reply@localhost>"

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;

  return TRUE;
}

/* RFC 2047: non-ASCII header text as one or more encoded words. Each word
 * carries whole UTF-8 characters and stays under 76 characters. */
static char *
encode_header (const char *text)
{
  g_autoptr(GString) out = NULL;
  const char *p = text;

  if (is_ascii (text))
    return g_strdup (text);

  out = g_string_new (NULL);
  while (*p != '\0')
    {
      const char *start = p;
      g_autofree char *b64 = NULL;

      /* 45 bytes of UTF-8 become 60 characters of base64. */
      while (*p != '\0')
        {
          const char *next = g_utf8_next_char (p);

          if (next - start > 45)
            break;
          p = next;
        }

      b64 = g_base64_encode ((const guchar *) start, p - start);
      if (out->len > 0)
        g_string_append (out, "\r\n ");
      g_string_append_printf (out, "=?UTF-8?B?%s?=", b64);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* @body with every line ending as CRLF. */
static char *
crlf (const char *body)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (const char *p = body; *p != '\0'; p++)
    {
      if (*p == '\r')
        continue;
      if (*p == '\n')
        g_string_append (out, "\r\n");
      else
        g_string_append_c (out, *p);
    }
  if (out->len < 2 || strcmp (out->str + out->len - 2, "\r\n") != 0)
    g_string_append (out, "\r\n");

  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
ba_server_outbox_write (const char  *outbox_dir,
                        const char  *to,
                        const char  *subject,
                        const char  *body,
                        GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = NULL;
  g_autofree char *encoded_subject = NULL;
  g_autofree char *text = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  guint32 random = randombytes_random ();

  g_return_val_if_fail (outbox_dir != NULL, NULL);
  g_return_val_if_fail (to != NULL && subject != NULL && body != NULL, NULL);

  if (strpbrk (to, "\r\n") != NULL || strpbrk (subject, "\r\n") != NULL ||
      !g_utf8_validate (to, -1, NULL) || !g_utf8_validate (subject, -1, NULL) ||
      !g_utf8_validate (body, -1, NULL))
    {
      g_set_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                   "A mail header must be one line of UTF-8");
      return NULL;
    }

  date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S +0000");
  encoded_subject = encode_header (subject);
  text = crlf (body);
  message = g_strdup_printf ("From: %s\r\n"
                             "To: %s\r\n"
                             "Subject: %s\r\n"
                             "Date: %s\r\n"
                             "Message-ID: <%" G_GINT64_FORMAT ".%08x@balena-accounts-server>\r\n"
                             "MIME-Version: 1.0\r\n"
                             "Content-Type: text/plain; charset=utf-8\r\n"
                             "Content-Transfer-Encoding: 8bit\r\n"
                             "\r\n"
                             "%s",
                             OUTBOX_FROM, to, encoded_subject, date,
                             g_date_time_to_unix (now), random, text);

  name = g_strdup_printf ("%" G_GINT64_FORMAT "-%08x.eml", g_get_real_time (), random);
  path = g_build_filename (outbox_dir, name, NULL);
  if (!g_file_set_contents_full (path, message, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return NULL;

  g_debug ("Wrote mail %s", name);

  return g_steal_pointer (&path);
}
