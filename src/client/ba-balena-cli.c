/* ba-balena-cli.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-balena-cli"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ba-balena-cli.h"
#include "ba-error.h"
#include "ba-wipe.h"

/* The CLI's token file holds one JWT or API key; anything much larger is
 * not one. */
#define MAX_TOKEN_FILE_SIZE (64 * 1024)

/* The settings files are a few lines of YAML. */
#define MAX_SETTINGS_FILE_SIZE (1024 * 1024)

/* Reads @path, a regular file of at most @max_size bytes (a symbolic link
 * to one is followed, as dotfile managers make them). Anything else
 * fails without blocking or reading on: a FIFO would wait for a writer,
 * /dev/zero would never end, a huge file would fill the memory. Fails in
 * G_FILE_ERROR for what open() and fstat() say, BA_ERROR_INVALID_INPUT
 * for a file that is not regular or too large. The contents are
 * NUL-terminated; wipe them if they may be a secret. */
static gboolean
read_small_file (const char  *path,
                 gsize        max_size,
                 char       **out_contents,
                 gsize       *out_len,
                 GError     **error)
{
  struct stat st;
  char *buffer;
  gsize len = 0;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                           g_strerror (saved_errno));
      return FALSE;
    }

  if (!S_ISREG (st.st_mode) || st.st_size < 0 || (guint64) st.st_size > max_size)
    {
      close (fd);
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                           S_ISREG (st.st_mode) ? "The file is too large" : "Not a regular file");
      return FALSE;
    }

  /* One byte more than allowed tells a file that grew meanwhile. */
  buffer = g_malloc (max_size + 2);
  while (len <= max_size)
    {
      gssize n = read (fd, buffer + len, max_size + 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          close (fd);
          sodium_memzero (buffer, len);
          g_free (buffer);
          g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                               g_strerror (saved_errno));
          return FALSE;
        }
      if (n == 0)
        break;
      len += n;
    }
  close (fd);

  if (len > max_size)
    {
      sodium_memzero (buffer, len);
      g_free (buffer);
      g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT, "The file is too large");
      return FALSE;
    }

  buffer[len] = '\0';
  *out_contents = buffer;
  *out_len = len;

  return TRUE;
}

typedef struct
{
  char  *home_dir;
  char  *current_dir;
  GStrv  envp;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_free (data->home_dir);
  g_free (data->current_dir);
  g_strfreev (data->envp);
  g_free (data);
}

static void
load_file (BaBalenarc *settings,
           const char *dir,
           const char *name)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  if (dir == NULL)
    return;

  path = g_build_filename (dir, name, NULL);
  if (!read_small_file (path, MAX_SETTINGS_FILE_SIZE, &contents, &len, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_message ("Could not read %s: %s", path, error->message);
      return;
    }

  if (!ba_balenarc_parse_yaml (settings, contents, len, &error))
    g_message ("Ignoring %s: %s", path, error->message);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(BaBalenarc) settings = ba_balenarc_new ();

  load_file (settings, data->home_dir, ".resinrc.yml");
  load_file (settings, data->home_dir, ".balenarc.yml");
  load_file (settings, data->current_dir, "resinrc.yml");
  load_file (settings, data->current_dir, "balenarc.yml");
  ba_balenarc_apply_environment (settings, (const char * const *) data->envp);

  g_task_return_pointer (task, g_steal_pointer (&settings), (GDestroyNotify) ba_balenarc_free);
}

void
ba_balena_cli_load_settings_async (const char          *home_dir,
                                   const char          *current_dir,
                                   const char * const  *envp,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_balena_cli_load_settings_async);

  data = g_new0 (LoadData, 1);
  data->home_dir = g_strdup (home_dir);
  data->current_dir = g_strdup (current_dir);
  data->envp = g_strdupv ((char **) envp);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);

  g_task_run_in_thread (task, load_thread);
}

BaBalenarc *
ba_balena_cli_load_settings_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_balena_cli_load_settings_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
ba_balena_cli_dup_token_path (const BaBalenarc *settings,
                              const char       *home_dir)
{
  g_return_val_if_fail (home_dir != NULL || (settings != NULL && settings->data_directory != NULL), NULL);

  if (settings != NULL && settings->data_directory != NULL)
    {
      /* "~/…" as a shell would read it. */
      if (g_str_has_prefix (settings->data_directory, "~/") && home_dir != NULL)
        return g_build_filename (home_dir, settings->data_directory + 2, "token", NULL);

      return g_build_filename (settings->data_directory, "token", NULL);
    }

  return g_build_filename (home_dir, ".balena", "token", NULL);
}

static void
read_token_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  const char *path = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSecretString) trimmed = NULL;
  char *contents = NULL;
  gsize len = 0;

  if (!read_small_file (path, MAX_TOKEN_FILE_SIZE, &contents, &len, &error))
    {
      if (g_error_matches (error, BA_ERROR, BA_ERROR_INVALID_INPUT))
        g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_TOKEN,
                                 "%s", _("The balena CLI’s token file does not hold a token."));
      else if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT) ||
               g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
        g_task_return_pointer (task, NULL, NULL);
      else
        g_task_return_new_error (task, BA_ERROR, BA_ERROR_FAILED,
                                 /* Translators: %s is a file name, then an error message. */
                                 _("Could not read the balena CLI’s login (%s): %s"),
                                 path, error->message);
      return;
    }

  if (len > MAX_TOKEN_FILE_SIZE || strlen (contents) != len)
    {
      sodium_memzero (contents, len);
      g_free (contents);
      g_task_return_new_error (task, BA_ERROR, BA_ERROR_INVALID_TOKEN,
                               "%s", _("The balena CLI’s token file does not hold a token."));
      return;
    }

  trimmed = g_strstrip (g_strdup (contents));
  sodium_memzero (contents, len);
  g_free (contents);

  if (*trimmed == '\0')
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&trimmed), (GDestroyNotify) ba_wipe_string_free);
}

void
ba_balena_cli_read_token_async (const BaBalenarc    *settings,
                                const char          *home_dir,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ba_balena_cli_read_token_async);
  g_task_set_task_data (task, ba_balena_cli_dup_token_path (settings, home_dir), g_free);
  g_task_run_in_thread (task, read_token_thread);
}

char *
ba_balena_cli_read_token_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ba_balena_cli_read_token_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
