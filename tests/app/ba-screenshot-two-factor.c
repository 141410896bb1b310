/* ba-screenshot-two-factor.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Renders the two-factor views against a fresh demo server, for review
 * and for data/screenshots/:
 *
 *   two-factor-setup.png      the Two-factor tab with the QR code and key
 *   recovery-codes.png        the recovery codes dialog
 *   two-factor-challenge.png  the code page after the password
 *
 *   xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- \
 *     meson devenv -C _build tests/app/ba-screenshot-two-factor OUTPUT-DIR
 */

#define G_LOG_DOMAIN "ba-screenshot"

#include "config.h"

#include "ba-account-page-private.h"
#include "ba-app-test-utils.h"
#include "ba-base32.h"
#include "ba-challenge-page-private.h"
#include "ba-login-page-private.h"
#include "ba-recovery-codes-dialog-private.h"
#include "ba-test-server.h"
#include "ba-totp.h"
#include "ba-two-factor-page-private.h"
#include "ba-window-private.h"

static void
save_window (GtkWidget  *window,
             const char *path)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);

  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("Could not write %s", path);

  g_print ("%s (%d×%d)\n", path, width, height);
}

static char *
code_from_key (const char *grouped_key,
               int         offset)
{
  g_autofree guint8 *key = NULL;
  gsize len = 0;
  gint64 step = g_get_real_time () / G_USEC_PER_SEC / 30 + offset;

  key = ba_base32_decode (grouped_key, &len, NULL);
  return ba_totp_generate (BA_TOTP_SHA1, key, len, step * 30, 30, 6);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaTestServer) server = NULL;
  g_autofree char *path = NULL;
  g_autofree char *code = NULL;
  const char *output_dir;
  BaTwoFactorPage *page;
  BaWindow *window;
  char *tmpdir;

  /* The file keyring, as the other screenshot tools use: a desktop
   * keyring daemon under Xvfb would prompt for a password. */
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "screenshot", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("BA_SERVER_PATH", BA_SCREENSHOT_SERVER_PATH, FALSE);
  tmpdir = ba_app_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("Usage: %s OUTPUT-DIR", argv[0]);
  output_dir = argv[1];

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
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 980);
  gtk_stack_set_transition_type (window->stack, GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_window_present (GTK_WINDOW (window));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0);

  ba_app_test_fill_in (window->login_page, NULL, ba_test_server_get_demo_username (server),
                       ba_test_server_get_demo_password (server));
  ba_app_test_press (GTK_WIDGET (window->login_page->login_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);

  adw_view_stack_set_visible_child_name (window->account_page->view_stack, "two-factor");
  page = BA_TWO_FACTOR_PAGE (adw_view_stack_get_child_by_name (window->account_page->view_stack,
                                                               "two-factor"));
  ba_app_test_run_for (2500);   /* past the login toast */
  ba_app_test_press (GTK_WIDGET (page->enable_button));
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_visible (page->setup_box));
  if (window->toast != NULL)
    adw_toast_dismiss (window->toast);
  ba_app_test_run_for (1200);
  path = g_build_filename (output_dir, "two-factor-setup.png", NULL);
  save_window (GTK_WIDGET (window), path);
  g_clear_pointer (&path, g_free);

  code = code_from_key (adw_action_row_get_subtitle (page->key_row), 0);
  gtk_editable_set_text (GTK_EDITABLE (page->code_row), code);
  BA_APP_TEST_WAIT_UNTIL (page->codes_dialog != NULL &&
                          gtk_widget_get_mapped (GTK_WIDGET (page->codes_dialog)));
  ba_app_test_run_for (1200);
  path = g_build_filename (output_dir, "recovery-codes.png", NULL);
  save_window (GTK_WIDGET (page->codes_dialog), path);
  g_clear_pointer (&path, g_free);
  gtk_check_button_set_active (page->codes_dialog->saved_check, TRUE);
  gtk_window_close (GTK_WINDOW (page->codes_dialog));
  BA_APP_TEST_WAIT_UNTIL (page->codes_dialog == NULL);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window->account_page), "account.logout", NULL));
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (window->account_page->logout_dialog), "_Log Out")));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0);
  ba_app_test_fill_in (window->login_page, NULL, ba_test_server_get_demo_username (server),
                       ba_test_server_get_demo_password (server));
  ba_app_test_press (GTK_WIDGET (window->login_page->login_button));
  BA_APP_TEST_WAIT_UNTIL (ba_challenge_page_get_for (window->login_page) != NULL);
  if (window->toast != NULL)
    adw_toast_dismiss (window->toast);
  ba_app_test_run_for (1200);
  path = g_build_filename (output_dir, "two-factor-challenge.png", NULL);
  save_window (GTK_WIDGET (window), path);

  gtk_window_destroy (GTK_WINDOW (window));
  ba_app_test_cleanup (tmpdir);

  return 0;
}
