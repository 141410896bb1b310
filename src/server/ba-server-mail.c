/* ba-server-mail.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-server-mail"

#include "config.h"

#include <string.h>

#include <sodium.h>

#include "ba-error.h"
#include "ba-server-mail.h"

#define MAIL_FROM "Balena Accounts <no-reply@balena-accounts.invalid>"

static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
static const char * const months[] = {
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static gboolean
is_plain_header_value (const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    {
      if (!g_ascii_isgraph (*p))
        return FALSE;
    }

  return *value != '\0';
}

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p >= 0x80)
        return FALSE;
    }

  return TRUE;
}

/* RFC 2047: non-ASCII header text as one or more encoded words, each
 * carrying whole UTF-8 characters and staying under 76 characters. */
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

/* @text with every line ending as CRLF, as RFC 5322 wants. */
static void
append_crlf_text (GString    *out,
                  const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\r')
        continue;
      if (*p == '\n')
        g_string_append (out, "\r\n");
      else
        g_string_append_c (out, *p);
    }
}

char *
ba_server_mail_write (const char  *outbox_dir,
                      const char  *purpose,
                      const char  *to,
                      const char  *subject,
                      const char  *body,
                      GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GString) message = g_string_new (NULL);
  g_autofree char *date = NULL;
  g_autofree char *encoded_subject = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  char random_hex[17];
  guint8 random[8];

  g_return_val_if_fail (outbox_dir != NULL, NULL);
  g_return_val_if_fail (purpose != NULL && is_plain_header_value (purpose), NULL);
  g_return_val_if_fail (subject != NULL, NULL);
  g_return_val_if_fail (body != NULL, NULL);

  if (to == NULL || !is_plain_header_value (to) || strchr (to, '@') == NULL)
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                           "Not a plain mail address");
      return NULL;
    }

  /* Subjects may carry names people chose (an invitation's fleet): one
   * line of UTF-8, or no mail, so nothing can add a header. */
  if (strpbrk (subject, "\r\n") != NULL || !g_utf8_validate (subject, -1, NULL) ||
      !g_utf8_validate (body, -1, NULL))
    {
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                           "A mail subject must be one line of UTF-8");
      return NULL;
    }

  randombytes_buf (random, sizeof random);
  sodium_bin2hex (random_hex, sizeof random_hex, random, sizeof random);

  /* RFC 5322 section 3.3, in UTC, with English names whatever the
   * locale (g_date_time_format's %a and %b would translate them). */
  date = g_strdup_printf ("%s, %02d %s %d %02d:%02d:%02d +0000",
                          days[g_date_time_get_day_of_week (now) - 1],
                          g_date_time_get_day_of_month (now),
                          months[g_date_time_get_month (now) - 1],
                          g_date_time_get_year (now),
                          g_date_time_get_hour (now),
                          g_date_time_get_minute (now),
                          g_date_time_get_second (now));
  stamp = g_date_time_format (now, "%Y%m%dT%H%M%S");

  g_string_append_printf (message, "From: %s\r\n", MAIL_FROM);
  g_string_append_printf (message, "To: <%s>\r\n", to);
  encoded_subject = encode_header (subject);
  g_string_append_printf (message, "Subject: %s\r\n", encoded_subject);
  g_string_append_printf (message, "Date: %s\r\n", date);
  g_string_append_printf (message, "Message-ID: <%s.%s@balena-accounts.invalid>\r\n",
                          stamp, random_hex);
  g_string_append (message, "MIME-Version: 1.0\r\n");
  g_string_append (message, "Content-Type: text/plain; charset=utf-8\r\n");
  g_string_append (message, "Content-Transfer-Encoding: 8bit\r\n");
  g_string_append_printf (message, "X-Balena-Accounts-Purpose: %s\r\n", purpose);
  g_string_append (message, "\r\n");
  append_crlf_text (message, body);
  if (!g_str_has_suffix (message->str, "\r\n"))
    g_string_append (message, "\r\n");

  name = g_strdup_printf ("%s.%06d-%s-%s.eml", stamp, g_date_time_get_microsecond (now),
                          purpose, random_hex);
  path = g_build_filename (outbox_dir, name, NULL);

  /* GLib writes "<path>.XXXXXX" and renames it into place. */
  if (!g_file_set_contents_full (path, message->str, message->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    {
      sodium_memzero (message->str, message->len);
      return NULL;
    }

  sodium_memzero (message->str, message->len);
  g_debug ("Wrote %s mail to the outbox", purpose);

  return g_steal_pointer (&path);
}

typedef struct
{
  char *outbox_dir;
  char *purpose;
  char *to;
  char *subject;
  char *body;
} MailJob;

static void
mail_job_free (MailJob *job)
{
  g_free (job->outbox_dir);
  g_free (job->purpose);
  g_free (job->to);
  g_free (job->subject);
  if (job->body != NULL)
    sodium_memzero (job->body, strlen (job->body));
  g_free (job->body);
  g_free (job);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  MailJob *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  path = ba_server_mail_write (job->outbox_dir, job->purpose, job->to, job->subject,
                               job->body, &error);
  if (path == NULL)
    g_warning ("Could not write a %s mail: %s", job->purpose, error->message);

  g_task_return_boolean (task, path != NULL);
}

void
ba_server_mail_write_in_background (const char *outbox_dir,
                                    const char *purpose,
                                    const char *to,
                                    const char *subject,
                                    const char *body)
{
  g_autoptr(GTask) task = NULL;
  MailJob *job;

  g_return_if_fail (outbox_dir != NULL);
  g_return_if_fail (purpose != NULL);

  job = g_new0 (MailJob, 1);
  job->outbox_dir = g_strdup (outbox_dir);
  job->purpose = g_strdup (purpose);
  job->to = g_strdup (to);
  job->subject = g_strdup (subject);
  job->body = g_strdup (body);

  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (task, ba_server_mail_write_in_background);
  g_task_set_task_data (task, job, (GDestroyNotify) mail_job_free);
  g_task_run_in_thread (task, write_thread);
}
