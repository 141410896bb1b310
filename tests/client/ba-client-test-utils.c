/* ba-client-test-utils.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-client-test"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "ba-client-test-utils.h"

static char *keyring_path;

char *
ba_client_test_init (int    *argc,
                     char ***argv)
{
  g_autoptr(GError) error = NULL;
  char *tmpdir;

  tmpdir = g_dir_make_tmp ("ba-client-test-XXXXXX", &error);
  g_assert_no_error (error);

  /* Set before anything reads them: GLib caches the XDG dirs and
   * libsecret reads SECRET_FILE_TEST_PATH on first use. */
  g_setenv ("HOME", tmpdir, TRUE);
  g_setenv ("XDG_DATA_HOME", tmpdir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", tmpdir, TRUE);
  g_setenv ("XDG_CACHE_HOME", tmpdir, TRUE);
  keyring_path = g_build_filename (tmpdir, "test.keyring", NULL);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring_path, TRUE);
  if (g_getenv ("SECRET_BACKEND") == NULL)
    g_setenv ("SECRET_BACKEND", "file", TRUE);
  if (g_getenv ("SECRET_FILE_TEST_PASSWORD") == NULL)
    g_setenv ("SECRET_FILE_TEST_PASSWORD", "test-keyring-password", TRUE);

  g_test_init (argc, argv, NULL);

  return tmpdir;
}

const char *
ba_client_test_keyring_path (void)
{
  return keyring_path;
}

void
ba_client_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_chmod (path, 0700);
      dir = g_dir_open (path, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          ba_client_test_rm_rf (child);
        }
      g_rmdir (path);
    }
  else
    {
      g_unlink (path);
    }
}

void
ba_client_test_cleanup (char *tmpdir)
{
  ba_client_test_rm_rf (tmpdir);
  g_free (tmpdir);
  g_clear_pointer (&keyring_path, g_free);
}

void
ba_client_test_store_result (GObject      *object,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

GAsyncResult *
ba_client_test_wait (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

gboolean
ba_client_test_contains_bytes (const char    *haystack,
                               gsize          len,
                               gconstpointer  needle,
                               gsize          needle_len)
{
  if (needle_len == 0 || needle_len > len)
    return FALSE;

  for (gsize i = 0; i + needle_len <= len; i++)
    if (memcmp (haystack + i, needle, needle_len) == 0)
      return TRUE;

  return FALSE;
}

gboolean
ba_client_test_contains (const char *haystack,
                         gsize       len,
                         const char *needle)
{
  return ba_client_test_contains_bytes (haystack, len, needle, strlen (needle));
}
