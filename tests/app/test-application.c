/* test-application.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * BaApplication: --version, the app actions and their shortcuts, the About
 * and shortcuts windows, one window per instance, and the window size kept
 * in GSettings.
 */

#define G_LOG_DOMAIN "test-application"

#include "config.h"

#include "ba-app-test-utils.h"
#include "ba-application.h"
#include "ba-window-private.h"

static void
test_version (void)
{
  g_autofree char *app_path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *first_line = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { NULL, "--version", NULL };
  int status;

  /* G_TEST_BUILDDIR is the build dir's tests/; the app is in src/app/. */
  app_path = g_test_build_filename (G_TEST_BUILT, "..", "src", "app", "balena-accounts", NULL);
  argv[0] = app_path;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);

  first_line = g_strdup_printf ("Balena Accounts %s\n", PACKAGE_VERSION);
  g_assert_true (g_str_has_prefix (out, first_line));
  g_assert_nonnull (strstr (out, "GTK 4."));
  g_assert_nonnull (strstr (out, "libadwaita 1."));
  g_assert_nonnull (strstr (out, "libsoup 3."));
  g_assert_cmpstr (err, ==, "");
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

static void
assert_accel (GtkApplication *app,
              const char     *action,
              const char     *accel)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (app, action);

  g_assert_true (g_strv_contains ((const char * const *) accels, accel));
}

static void
test_actions_and_window (void)
{
  g_autoptr(BaApplication) app = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *window;
  GtkWindow *about;
  GtkWindow *shortcuts;

  app = ba_application_new ();
  /* Other test programs run at the same time on the same bus. */
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpstr (g_application_get_application_id (G_APPLICATION (app)), ==, APP_ID);
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "quit"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  assert_accel (GTK_APPLICATION (app), "app.quit", "<Control>q");
  assert_accel (GTK_APPLICATION (app), "window.close", "<Control>w");
  assert_accel (GTK_APPLICATION (app), "win.show-help-overlay", "<Control>question");

  /* Activating twice raises the one window. */
  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (BA_IS_WINDOW (window));
  g_application_activate (G_APPLICATION (app));
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (BA_WINDOW (window)), "login") == 0);

  /* The shortcuts window, from gtk/help-overlay.ui in the resources. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  BA_APP_TEST_WAIT_UNTIL ((shortcuts = find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW)) != NULL);
  gtk_window_close (shortcuts);

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  BA_APP_TEST_WAIT_UNTIL ((about = find_toplevel (ADW_TYPE_ABOUT_WINDOW)) != NULL);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (about)), ==, "Balena Accounts");
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (about)), ==, GTK_LICENSE_GPL_3_0);
  gtk_window_destroy (about);

  /* Quitting closes the window, which keeps its size for next time. */
  gtk_window_set_default_size (window, 500, 600);
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));

  settings = g_settings_new (BA_SETTINGS_SCHEMA_ID);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 500);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 600);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));

  /* A new window starts at that size. */
  window = GTK_WINDOW (ba_window_new (app));
  {
    int width, height;

    gtk_window_get_default_size (window, &width, &height);
    g_assert_cmpint (width, ==, 500);
    g_assert_cmpint (height, ==, 600);
  }
  ba_app_test_close_window (BA_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  char *tmpdir;
  int ret;

  tmpdir = ba_app_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/application/version", test_version);
  g_test_add_func ("/ba/application/actions-and-window", test_actions_and_window);

  ret = g_test_run ();

  ba_app_test_cleanup (tmpdir);

  return ret;
}
