/* ba-screenshot-lifecycle.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Renders the account-lifecycle views for review and for
 * data/screenshots/: sign-up.png (the form with its strength hint),
 * account-details.png (after sign-up: verification notice, personal
 * details, password, delete) and password-reset.png (the second step).
 * (The delete dialog is not rendered: dropping a paintable of an
 * AdwMessageDialog with an extra child trips a libadwaita 1.2 warning.)
 * Not a test; run it under a display like
 * ba-screenshot:
 *
 *   xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- \
 *     meson devenv -C _build tests/app/ba-screenshot-lifecycle OUTPUT-DIR
 */

#define G_LOG_DOMAIN "ba-screenshot-lifecycle"

#include "config.h"

#include "ba-account-details-private.h"
#include "ba-account-page-private.h"
#include "ba-app-test-utils.h"
#include "ba-login-page-private.h"
#include "ba-password-reset-page-private.h"
#include "ba-sign-up-page-private.h"
#include "ba-test-server.h"
#include "ba-window-private.h"

static void
save_widget (GtkWidget  *widget,
             const char *dir,
             const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  int width;
  int height;

  /* Lets animations (page changes, revealers, the dialog) settle. */
  ba_app_test_run_for (1200);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("Could not write %s", path);

  g_print ("%s (%d×%d)\n", path, width, height);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = NULL;
  BaAccountDetails *details;
  BaTestServer *server;
  BaWindow *window;
  const char *dir;

  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "screenshot", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("BA_SERVER_PATH", BA_SCREENSHOT_SERVER_PATH, FALSE);

  tmpdir = ba_app_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("Usage: %s OUTPUT-DIR", argv[0]);
  dir = argv[1];

  g_object_set (gtk_settings_get_default (), "gtk-font-name", "Cantarell 11", NULL);
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, RESOURCE_BASE "/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                      RESOURCE_BASE "/icons");
  }

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  g_setenv ("BALENARC_API_URL", ba_test_server_get_url (server), TRUE);

  window = ba_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 860);
  gtk_stack_set_transition_type (window->stack, GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_window_present (GTK_WINDOW (window));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0);

  /* Sign-up form, filled in. */
  gtk_widget_activate_action (GTK_WIDGET (window), "lifecycle.sign-up", NULL);
  gtk_editable_set_text (GTK_EDITABLE (window->sign_up_page->email_row), "jane.doe@example.com");
  gtk_editable_set_text (GTK_EDITABLE (window->sign_up_page->username_row), "jane");
  gtk_editable_set_text (GTK_EDITABLE (window->sign_up_page->password_row), "violet-Harbour-42");
  gtk_editable_set_text (GTK_EDITABLE (window->sign_up_page->confirm_row), "violet-Harbour-42");
  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  save_widget (GTK_WIDGET (window), dir, "sign-up.png");

  /* The new account's details. */
  ba_app_test_press (GTK_WIDGET (window->sign_up_page->create_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  details = window->account_page->account_details;
  BA_APP_TEST_WAIT_UNTIL (details->profile != NULL);
  gtk_editable_set_text (GTK_EDITABLE (details->first_name_row), "Jane");
  gtk_editable_set_text (GTK_EDITABLE (details->last_name_row), "Doe");
  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  {
    GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (details), GTK_TYPE_SCROLLED_WINDOW);

    /* The lifecycle part sits below the profile and session groups. */
    if (scrolled != NULL)
      {
        GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

        ba_app_test_run_for (500);
        gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
      }
  }
  /* The page, not the "Account created" notification over its tabs. */
  if (window->toast != NULL)
    adw_toast_dismiss (window->toast);
  ba_app_test_run_for (500);
  save_widget (GTK_WIDGET (window), dir, "account-details.png");

  /* The reset page's second step. */
  gtk_widget_activate_action (GTK_WIDGET (window->account_page), "account.logout", NULL);
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (window->account_page->logout_dialog), "_Log Out")));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0);
  gtk_editable_set_text (GTK_EDITABLE (window->login_page->username_row), "jane.doe@example.com");
  gtk_widget_activate_action (GTK_WIDGET (window), "lifecycle.forgot-password", NULL);
  ba_app_test_press (GTK_WIDGET (window->password_reset_page->send_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (window->password_reset_page->stack),
                                     "complete") == 0);
  gtk_window_set_focus (GTK_WINDOW (window), NULL);
  save_widget (GTK_WIDGET (window), dir, "password-reset.png");

  gtk_window_destroy (GTK_WINDOW (window));
  ba_test_server_stop (server);
  ba_app_test_cleanup (g_steal_pointer (&tmpdir));

  return 0;
}
