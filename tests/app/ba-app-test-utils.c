/* ba-app-test-utils.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-app-test"

#include "config.h"

#include "ba-app-test-utils.h"

#include "ba-login-page-private.h"
#include "ba-window-private.h"

#include <glib/gstdio.h>

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
              !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            rm_rf (child);
          else
            g_unlink (child);
        }
    }

  g_rmdir (path);
}

char *
ba_app_test_init (int          *argc,
                  char       ***argv,
                  const char   *keyring_path)
{
  g_autofree char *tmpdir = NULL;
  g_autoptr(GError) error = NULL;
  const char *dirs[] = { "data", "config", "cache", "home" };
  const char *vars[] = { "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "HOME" };

  tmpdir = g_dir_make_tmp ("ba-app-test-XXXXXX", &error);
  g_assert_no_error (error);

  /* GLib caches these on first use, so they are set before anything else
   * runs, and every test program gets a world of its own. */
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (tmpdir, dirs[i], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_setenv (vars[i], dir, TRUE);
    }

  if (keyring_path != NULL)
    g_setenv ("SECRET_FILE_TEST_PATH", keyring_path, TRUE);
  else
    {
      g_autofree char *keyring = g_build_filename (tmpdir, "keyring", NULL);

      g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
    }

  /* The login page reads these when it is built; each test sets what it
   * needs. */
  g_unsetenv ("BALENARC_API_URL");
  g_unsetenv ("BALENA_ACCOUNTS_DEMO_HINT");

  gtk_test_init (argc, argv, NULL);
  adw_init ();

  return g_steal_pointer (&tmpdir);
}

void
ba_app_test_cleanup (char *tmpdir)
{
  if (tmpdir == NULL)
    return;

  rm_rf (tmpdir);
  g_free (tmpdir);
}

gint64
ba_app_test_deadline (void)
{
  return g_get_monotonic_time () + BA_APP_TEST_TIMEOUT_SECONDS * G_USEC_PER_SEC;
}

static gboolean
wake_cb (gpointer user_data)
{
  gboolean *woken = user_data;

  *woken = TRUE;
  return G_SOURCE_REMOVE;
}

void
ba_app_test_iterate (gint64      deadline,
                     const char *what)
{
  gboolean woken = FALSE;
  guint source;

  if (g_get_monotonic_time () > deadline)
    g_error ("Timed out after %d s waiting for: %s", BA_APP_TEST_TIMEOUT_SECONDS, what);

  /* A short timer keeps the blocking iteration from sleeping past the
   * deadline when nothing else happens. */
  source = g_timeout_add (20, wake_cb, &woken);
  g_main_context_iteration (NULL, TRUE);
  if (!woken)
    g_source_remove (source);
}

void
ba_app_test_run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, wake_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
is_drawn (GtkWidget *widget)
{
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    {
      if (!gtk_widget_get_visible (widget))
        return FALSE;
      if (GTK_IS_REVEALER (widget) && !gtk_revealer_get_child_revealed (GTK_REVEALER (widget)) &&
          !gtk_revealer_get_reveal_child (GTK_REVEALER (widget)))
        return FALSE;
    }

  return TRUE;
}

GtkLabel *
ba_app_test_find_label (GtkWidget  *widget,
                        const char *needle)
{
  if (GTK_IS_LABEL (widget) &&
      strstr (gtk_label_get_text (GTK_LABEL (widget)), needle) != NULL &&
      is_drawn (widget))
    return GTK_LABEL (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = ba_app_test_find_label (child, needle);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkButton *
ba_app_test_find_button (GtkWidget  *widget,
                         const char *label)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0 &&
      is_drawn (widget))
    return GTK_BUTTON (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkButton *found = ba_app_test_find_button (child, label);

      if (found != NULL)
        return found;
    }

  return NULL;
}

void
ba_app_test_store_result (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

GAsyncResult *
ba_app_test_wait_result (GAsyncResult **slot)
{
  BA_APP_TEST_WAIT_UNTIL (*slot != NULL);

  return *slot;
}

BaWindow *
ba_app_test_open_window (void)
{
  BaWindow *window = ba_window_new (NULL);

  gtk_window_present (GTK_WINDOW (window));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "loading") != 0);

  return window;
}

void
ba_app_test_close_window (BaWindow *window)
{
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_destroy (GTK_WINDOW (window));
  BA_APP_TEST_WAIT_UNTIL (window == NULL);
}

const char *
ba_app_test_visible_page (BaWindow *window)
{
  return gtk_stack_get_visible_child_name (window->stack);
}

void
ba_app_test_fill_in (BaLoginPage *page,
                     const char  *url,
                     const char  *username,
                     const char  *password)
{
  if (url != NULL)
    {
      adw_combo_row_set_selected (page->server_row, BA_LOGIN_SERVER_CUSTOM);
      gtk_editable_set_text (GTK_EDITABLE (page->server_url_row), url);
    }
  gtk_editable_set_text (GTK_EDITABLE (page->username_row), username);
  gtk_editable_set_text (GTK_EDITABLE (page->password_row), password);
}

static void
count_click_cb (GtkButton *button,
                guint     *clicks)
{
  (*clicks)++;
}

void
ba_app_test_press (GtkWidget *button)
{
  guint clicks = 0;
  gulong handler;

  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_is_visible (button));

  /* A button that is not on screen yet ignores activation. */
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_mapped (button));

  /* GtkButton plays its press animation and emits "clicked" a moment
   * after it is activated. */
  /* A click may well destroy the button (in a dialog, say). */
  g_object_ref (button);
  handler = g_signal_connect (button, "clicked", G_CALLBACK (count_click_cb), &clicks);
  g_assert_true (gtk_widget_activate (button));
  BA_APP_TEST_WAIT_UNTIL (clicks == 1);
  g_signal_handler_disconnect (button, handler);
  g_object_unref (button);
}
