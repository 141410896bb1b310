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

/* Every shortcut the shortcuts window shows is real: an action shortcut
 * has that accelerator in the application, and a fixed accelerator is
 * bound somewhere in the window (a shortcut controller, or F10 on the
 * primary menu button). "Return" entries are activation of the focused
 * field or row, which the login and tokens page tests press. */

static gboolean
trigger_bound_in (GtkWidget          *widget,
                  GtkShortcutTrigger *trigger)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), trigger))
            return TRUE;
        }
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (trigger_bound_in (child, trigger))
        return TRUE;
    }

  return FALSE;
}

static gboolean
has_primary_menu_button (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget)))
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (has_primary_menu_button (child))
        return TRUE;
    }

  return FALSE;
}

static void
collect_shortcuts (GtkWidget *widget,
                   GPtrArray *out)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    g_ptr_array_add (out, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_shortcuts (child, out);
}

static void
assert_shortcuts_window_tells_the_truth (GtkApplication *app,
                                         GtkWindow      *window)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();
  GtkShortcutsWindow *overlay;
  guint checked = 0;

  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_nonnull (overlay);
  collect_shortcuts (GTK_WIDGET (overlay), entries);
  g_assert_cmpuint (entries->len, >, 0);

  for (guint i = 0; i < entries->len; i++)
    {
      g_autofree char *title = NULL;
      g_autofree char *action = NULL;
      g_autofree char *accelerator = NULL;

      g_object_get (entries->pdata[i], "title", &title, "action-name", &action,
                    "accelerator", &accelerator, NULL);
      g_test_message ("%s: %s", title, action != NULL ? action : accelerator);

      if (action != NULL)
        {
          g_auto(GStrv) accels = gtk_application_get_accels_for_action (app, action);

          g_assert_true (g_strv_length (accels) > 0);
        }
      else if (g_strcmp0 (accelerator, "F10") == 0)
        g_assert_true (has_primary_menu_button (GTK_WIDGET (window)));
      else if (g_strcmp0 (accelerator, "Return") != 0)
        {
          g_autoptr(GtkShortcutTrigger) trigger = gtk_shortcut_trigger_parse_string (accelerator);

          g_assert_nonnull (trigger);
          g_assert_true (trigger_bound_in (GTK_WIDGET (window), trigger));
        }
      checked++;
    }
  g_assert_cmpuint (checked, ==, entries->len);
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

  assert_shortcuts_window_tells_the_truth (GTK_APPLICATION (app), window);

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
