/* ba-test-outbox.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ba-test-outbox.h"

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The matching files' paths, sorted by name (their names start with the
 * time they were written). */
static GPtrArray *
list_mails (const char *outbox_dir,
            const char *purpose,
            const char *to)
{
  g_autoptr(GDir) dir = g_dir_open (outbox_dir, 0, NULL);
  g_autofree char *infix = g_strdup_printf ("-%s-", purpose);
  g_autofree char *to_header = to != NULL ? g_strdup_printf ("To: <%s>\r\n", to) : NULL;
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return paths;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *text = NULL;

      if (!g_str_has_suffix (name, ".eml") || strstr (name, infix) == NULL)
        continue;

      path = g_build_filename (outbox_dir, name, NULL);
      if (to_header != NULL &&
          (!g_file_get_contents (path, &text, NULL, NULL) || strstr (text, to_header) == NULL))
        continue;

      g_ptr_array_add (paths, g_steal_pointer (&path));
    }

  g_ptr_array_sort (paths, compare_paths);
  return paths;
}

guint
ba_test_outbox_count (const char *outbox_dir,
                      const char *purpose,
                      const char *to)
{
  g_autoptr(GPtrArray) paths = list_mails (outbox_dir, purpose, to);

  return paths->len;
}

char *
ba_test_outbox_wait (const char *outbox_dir,
                     const char *purpose,
                     const char *to,
                     guint       n_expected,
                     guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      g_autoptr(GPtrArray) paths = list_mails (outbox_dir, purpose, to);

      if (paths->len >= n_expected && paths->len > 0)
        {
          char *text = NULL;

          if (g_file_get_contents (g_ptr_array_index (paths, paths->len - 1), &text, NULL, NULL))
            return text;
        }

      if (g_get_monotonic_time () > deadline)
        return NULL;

      g_usleep (20 * 1000);
    }
}

char *
ba_test_mail_get_link (const char *mail)
{
  g_auto(GStrv) lines = g_strsplit (mail, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (g_str_has_prefix (line, "http://") || g_str_has_prefix (line, "https://"))
        return g_strdup (line);
    }

  return NULL;
}

char *
ba_test_mail_get_token (const char *mail)
{
  g_autofree char *link = ba_test_mail_get_link (mail);
  const char *start;
  gsize len;

  if (link == NULL || (start = strstr (link, "token=")) == NULL)
    return NULL;

  start += strlen ("token=");
  len = strcspn (start, "&#");

  return g_strndup (start, len);
}

char *
ba_test_mail_get_header (const char *mail,
                         const char *name)
{
  g_autofree char *prefix = g_strconcat (name, ": ", NULL);
  g_auto(GStrv) lines = g_strsplit (mail, "\r\n", -1);

  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      if (g_ascii_strncasecmp (lines[i], prefix, strlen (prefix)) == 0)
        return g_strdup (lines[i] + strlen (prefix));
    }

  return NULL;
}
