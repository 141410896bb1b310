/* ba-screenshot.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Takes the screenshots in data/screenshots/: starts a demo server, opens
 * the window, logs in through the form, and renders the window itself to
 * PNG files (login.png and account.png, plus login-demo.png,
 * login-error.png, browser-login.png, token-login.png,
 * login-add-account.png, logout-dialog.png and offline.png for review).
 * login.png is the page as users see it, with balenaCloud chosen and no
 * demo credentials. Not a test; run it under a display:
 *
 *   xvfb-run -a -s "-screen 0 1280x1024x24" dbus-run-session -- \
 *     meson devenv -C _build tests/app/ba-screenshot "$PWD/data/screenshots" \
 *     [--dark] [--width N] [--height N]
 */

#define G_LOG_DOMAIN "ba-screenshot"

#include "config.h"

#include "ba-account.h"
#include "ba-account-page-private.h"
#include "ba-api-key-dialog-private.h"
#include "ba-app-test-utils.h"
#include "ba-browser-login-dialog-private.h"
#include "ba-login-extras-private.h"
#include "ba-fleet-members-page-private.h"
#include "ba-fleets-page-private.h"
#include "ba-login-page-private.h"
#include "ba-test-server.h"
#include "ba-tokens-page-private.h"
#include "ba-wipe.h"
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
                                         node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("Could not write %s", path);

  g_print ("%s (%d×%d)\n", path, width, height);
}

/* The browser login dialog without a browser: it only shows the link. */
static void
no_browser (BaBrowserLoginDialog *dialog,
            const char           *url)
{
}

/* Lets animations (page cross-fades, revealers, spinners) settle. */
static void
settle (void)
{
  ba_app_test_run_for (1200);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hint = NULL;
  g_autofree char *login_path = NULL;
  g_autofree char *demo_path = NULL;
  g_autofree char *account_path = NULL;
  g_autofree char *error_path = NULL;
  g_autofree char *dialog_path = NULL;
  g_autofree char *offline_path = NULL;
  g_autofree char *tokens_path = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *tmpdir = NULL;
  const char *output_dir;
  gboolean dark = FALSE;
  int width = 720;
  int height = 720;
  BaTestServer *server;
  BaWindow *window;

  /* Stay away from the user's real keyring and settings, and find the
   * server next to this program when not run by meson test. */
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "screenshot", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("BA_SERVER_PATH", BA_SCREENSHOT_SERVER_PATH, FALSE);

  tmpdir = ba_app_test_init (&argc, &argv, NULL);

  if (argc < 2)
    g_error ("Usage: %s OUTPUT-DIR [--dark] [--width N] [--height N]", argv[0]);
  output_dir = argv[1];
  for (int i = 2; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--dark"))
        dark = TRUE;
      else if (g_str_equal (argv[i], "--width") && i + 1 < argc)
        width = atoi (argv[++i]);
      else if (g_str_equal (argv[i], "--height") && i + 1 < argc)
        height = atoi (argv[++i]);
    }

  /* GNOME's interface font, as a GNOME session would set it. */
  g_object_set (gtk_settings_get_default (), "gtk-font-name", "Cantarell 11", NULL);
  if (dark)
    adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);

  /* The resources hold the stylesheet and icons that an AdwApplication
   * would load by itself. */
  {
    g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, RESOURCE_BASE "/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                      RESOURCE_BASE "/icons");
  }

  /* First the login page as users see it (login.png, for AppStream and
   * the README): balenaCloud, and no demo server or credentials, even
   * when this runs from a shell that build-aux/demo set up. */
  g_unsetenv ("BALENARC_API_URL");
  g_unsetenv ("BALENA_ACCOUNTS_DEMO_HINT");
  g_unsetenv ("BALENA_ACCOUNTS_DEMO_EMAIL");
  g_unsetenv ("BALENA_ACCOUNTS_DEMO_USERNAME");
  g_unsetenv ("BALENA_ACCOUNTS_DEMO_PASSWORD");

  window = ba_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_stack_set_transition_type (window->stack, GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_window_present (GTK_WINDOW (window));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0);
  g_assert_cmpuint (adw_combo_row_get_selected (window->login_page->server_row), ==,
                    BA_LOGIN_SERVER_BALENA_CLOUD);
  g_assert_false (gtk_widget_get_visible (window->login_page->demo_hint_box));
  settle ();

  login_path = g_build_filename (output_dir, "login.png", NULL);
  save_window (GTK_WIDGET (window), login_path);
  ba_app_test_close_window (window);

  /* Everything else runs against a demo server, as build-aux/demo does. */
  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  hint = g_strdup_printf ("Demo server: %s / %s",
                          ba_test_server_get_demo_email (server),
                          ba_test_server_get_demo_password (server));
  g_setenv ("BALENARC_API_URL", ba_test_server_get_url (server), TRUE);
  g_setenv ("BALENA_ACCOUNTS_DEMO_HINT", hint, TRUE);
  /* What build-aux/demo passes too, for the credentials box with Fill In. */
  g_setenv ("BALENA_ACCOUNTS_DEMO_EMAIL", ba_test_server_get_demo_email (server), TRUE);
  g_setenv ("BALENA_ACCOUNTS_DEMO_USERNAME", ba_test_server_get_demo_username (server), TRUE);
  g_setenv ("BALENA_ACCOUNTS_DEMO_PASSWORD", ba_test_server_get_demo_password (server), TRUE);

  window = ba_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_stack_set_transition_type (window->stack, GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_window_present (GTK_WINDOW (window));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0);
  settle ();

  demo_path = g_build_filename (output_dir, "login-demo.png", NULL);
  save_window (GTK_WIDGET (window), demo_path);

  /* The other ways in: the browser login's waiting state, and the token. */
  {
    BaLoginExtras *extras = window->login_page->extras;
    g_autofree char *browser_path = g_build_filename (output_dir, "browser-login.png", NULL);
    g_autofree char *token_path = g_build_filename (output_dir, "token-login.png", NULL);

    ba_browser_login_dialog_set_test_hooks (no_browser, 0);
    ba_app_test_press (GTK_WIDGET (extras->browser_button));
    BA_APP_TEST_WAIT_UNTIL (extras->browser_dialog != NULL &&
                            gtk_widget_get_mapped (GTK_WIDGET (extras->browser_dialog)));
    settle ();
    save_window (GTK_WIDGET (extras->browser_dialog), browser_path);
    gtk_window_destroy (GTK_WINDOW (extras->browser_dialog));
    BA_APP_TEST_WAIT_UNTIL (extras->browser_dialog == NULL);

    ba_app_test_press (GTK_WIDGET (extras->token_button));
    BA_APP_TEST_WAIT_UNTIL (extras->token_dialog != NULL &&
                            gtk_widget_get_mapped (GTK_WIDGET (extras->token_dialog)));
    settle ();
    save_window (GTK_WIDGET (extras->token_dialog), token_path);
    gtk_window_destroy (GTK_WINDOW (extras->token_dialog));
    BA_APP_TEST_WAIT_UNTIL (extras->token_dialog == NULL);
  }

  /* A wrong password first, to show how errors look. */
  ba_app_test_fill_in (window->login_page, NULL,
                       ba_test_server_get_demo_username (server),
                       "not the password");
  ba_app_test_press (GTK_WIDGET (window->login_page->login_button));
  BA_APP_TEST_WAIT_UNTIL (!window->login_page->busy);
  settle ();
  error_path = g_build_filename (output_dir, "login-error.png", NULL);
  save_window (GTK_WIDGET (window), error_path);

  ba_app_test_fill_in (window->login_page, NULL,
                       ba_test_server_get_demo_username (server),
                       ba_test_server_get_demo_password (server));
  ba_app_test_press (GTK_WIDGET (window->login_page->login_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);

  /* A screenshot shows the page, not a passing notification. */
  settle ();
  if (window->toast != NULL)
    adw_toast_dismiss (window->toast);
  settle ();

  account_path = g_build_filename (output_dir, "account.png", NULL);
  save_window (GTK_WIDGET (window), account_path);

  /* The Access tokens tab with a few keys, then the shown-once key. */
  {
    static const struct { const char *name; const char *description; int days; } keys[] = {
      { "ci-deploy", "Deploys the fleet from CI", 90 },
      { "laptop", "balena CLI on my laptop", 0 },
      { "grafana-exporter", NULL, 365 },
      { "staging-bot", "Release bot for staging", 30 },
    };
    BaTokensPage *tokens = window->account_page->tokens_page;
    BaApiKeyDialog *key_dialog;

    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      {
        g_autoptr(GAsyncResult) result = NULL;
        gint64 expiry = keys[i].days > 0 ? g_get_real_time () / G_USEC_PER_SEC + keys[i].days * 24 * 60 * 60 : 0;

        ba_account_create_api_key_async (window->account, keys[i].name, keys[i].description, expiry,
                                         NULL, ba_app_test_store_result, &result);
        ba_wipe_string_free (ba_account_create_api_key_finish (window->account, ba_app_test_wait_result (&result), &error));
        g_assert_no_error (error);
      }

    adw_view_stack_set_visible_child_name (window->account_page->view_stack, "tokens");
    settle ();
    tokens_path = g_build_filename (output_dir, "access-tokens.png", NULL);
    save_window (GTK_WIDGET (window), tokens_path);

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tokens), "tokens.create", NULL));
    key_dialog = tokens->dialog;
    gtk_editable_set_text (GTK_EDITABLE (key_dialog->name_row), "home-assistant");
    gtk_editable_set_text (GTK_EDITABLE (key_dialog->description_row), "Reads the fleet's status for the dashboard");
    adw_combo_row_set_selected (key_dialog->expiry_row, 4);
    settle ();
    {
      g_autofree char *form_path = g_build_filename (output_dir, "api-key-new.png", NULL);

      save_window (GTK_WIDGET (key_dialog), form_path);
    }
    adw_combo_row_set_selected (key_dialog->expiry_row, 2);
    ba_app_test_press (GTK_WIDGET (key_dialog->create_button));
    BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (key_dialog->stack), "key") == 0);
    settle ();
    if (window->toast != NULL)
      adw_toast_dismiss (window->toast);
    settle ();
    key_path = g_build_filename (output_dir, "api-key-created.png", NULL);
    save_window (GTK_WIDGET (key_dialog), key_path);
    gtk_window_destroy (GTK_WINDOW (key_dialog));
    adw_view_stack_set_visible_child_name (window->account_page->view_stack, "details");
  }

  /* The Fleets tab, then one fleet's members (fleets.png,
   * fleet-members.png, and fleet-add-member.png for review). */
  {
    BaFleetsPage *fleets = window->account_page->fleets_page;
    BaFleetMembersPage *members = fleets->members_page;
    g_autofree char *fleets_path = g_build_filename (output_dir, "fleets.png", NULL);
    g_autofree char *members_path = g_build_filename (output_dir, "fleet-members.png", NULL);
    g_autofree char *add_path = g_build_filename (output_dir, "fleet-add-member.png", NULL);
    GtkListBoxRow *row = NULL;

    adw_view_stack_set_visible_child_name (window->account_page->view_stack, "fleets");
    BA_APP_TEST_WAIT_UNTIL (!fleets->syncing && gtk_list_box_get_row_at_index (fleets->list_box, 4) != NULL);
    settle ();
    save_window (GTK_WIDGET (window), fleets_path);

    for (guint i = 0; (row = gtk_list_box_get_row_at_index (fleets->list_box, i)) != NULL; i++)
      if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "greenhouse-sensors") == 0)
        break;
    g_assert_nonnull (row);
    gtk_widget_activate (GTK_WIDGET (row));
    BA_APP_TEST_WAIT_UNTIL (members->pending == 0 &&
                            g_strcmp0 (gtk_stack_get_visible_child_name (members->members_stack), "list") == 0);
    settle ();
    save_window (GTK_WIDGET (window), members_path);

    ba_app_test_press (GTK_WIDGET (members->add_button));
    gtk_editable_set_text (GTK_EDITABLE (members->dialog_entry), "amara@acme.example");
    adw_combo_row_set_selected (members->dialog_role, 1);
    settle ();
    save_window (GTK_WIDGET (members->dialog), add_path);
    gtk_window_destroy (GTK_WINDOW (members->dialog));
    ba_app_test_press (GTK_WIDGET (members->back_button));
    adw_view_stack_set_visible_child_name (window->account_page->view_stack, "details");
    settle ();
  }

  /* Add Account: the login page with the way back and the saved
   * accounts in its header (login-add-account.png). */
  {
    g_autofree char *add_account_path = g_build_filename (output_dir, "login-add-account.png", NULL);

    g_signal_emit_by_name (window->account_switcher, "add-account");
    BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0 &&
                            gtk_widget_get_visible (GTK_WIDGET (window->login_switcher)));
    settle ();
    save_window (GTK_WIDGET (window), add_account_path);
    ba_app_test_press (GTK_WIDGET (window->login_page->back_button));
    BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
    settle ();
  }

  /* The server goes away: the offline banner. */
  ba_test_server_stop (server);
  server = NULL;
  ba_app_test_press (GTK_WIDGET (window->account_page->logout_button));
  BA_APP_TEST_WAIT_UNTIL (window->account_page->logout_dialog != NULL);
  settle ();
  dialog_path = g_build_filename (output_dir, "logout-dialog.png", NULL);
  save_window (GTK_WIDGET (window->account_page->logout_dialog), dialog_path);
  gtk_window_close (GTK_WINDOW (window->account_page->logout_dialog));

  ba_account_revalidate_async (window->account, NULL, NULL, NULL);
  BA_APP_TEST_WAIT_UNTIL (gtk_revealer_get_reveal_child (window->account_page->notice_revealer));
  settle ();
  offline_path = g_build_filename (output_dir, "offline.png", NULL);
  save_window (GTK_WIDGET (window), offline_path);

  gtk_window_destroy (GTK_WINDOW (window));
  ba_app_test_cleanup (g_steal_pointer (&tmpdir));

  return 0;
}
