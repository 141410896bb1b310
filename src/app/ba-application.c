/* ba-application.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-application"

#include "config.h"

#include "ba-application.h"
#include "ba-window.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>

struct _BaApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (BaApplication, ba_application, ADW_TYPE_APPLICATION)

static void
ba_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  GApplication *app = G_APPLICATION (user_data);
  g_autoptr(GList) windows = NULL;

  /* Close the windows properly first, so each one saves its size and
   * cancels what it still has running. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));
  for (const GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));

  /* A window that refused to close is asking the user something (an
   * unsaved API key, say): quitting now would throw that away. */
  if (gtk_application_get_windows (GTK_APPLICATION (app)) == NULL)
    g_application_quit (app);
}

static void
ba_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = {
    "The Balena Accounts authors",
    NULL
  };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("Balena Accounts"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Balena Accounts authors"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Manage your balenaCloud account, access tokens and fleets."),
                         "website", "https://github.com/balena-accounts/balena-accounts",
                         "issue-url", "https://github.com/balena-accounts/balena-accounts/issues",
                         "copyright", "© 2026 The Balena Accounts authors",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "developers", developers,
                         /* Translators: put your names here, one per line. */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", ba_application_quit_action },
  { "about", ba_application_about_action },
};

static int
ba_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      /* Answered locally, before the app registers on the bus, so that
       * --version never talks to a running instance. */
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      g_print ("  GTK %u.%u.%u\n",
               gtk_get_major_version (),
               gtk_get_minor_version (),
               gtk_get_micro_version ());
      g_print ("  libadwaita %u.%u.%u\n",
               adw_get_major_version (),
               adw_get_minor_version (),
               adw_get_micro_version ());
      g_print ("  GLib %u.%u.%u\n",
               glib_major_version,
               glib_minor_version,
               glib_micro_version);
      g_print ("  libsoup %u.%u.%u\n",
               soup_get_major_version (),
               soup_get_minor_version (),
               soup_get_micro_version ());
      g_print ("  json-glib %s (built with)\n", JSON_VERSION_S);
      g_print ("  libsecret %d.%d.%d (built with)\n",
               SECRET_MAJOR_VERSION,
               SECRET_MINOR_VERSION,
               SECRET_MICRO_VERSION);
      return 0;
    }

  return G_APPLICATION_CLASS (ba_application_parent_class)->handle_local_options (app, options);
}

static void
ba_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Primary>q", NULL };
  static const char *close_accels[] = { "<Primary>w", NULL };

  G_APPLICATION_CLASS (ba_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app),
                                   app_actions,
                                   G_N_ELEMENTS (app_actions),
                                   app);

  /* GtkApplication already binds Ctrl+? to win.show-help-overlay, because
   * gtk/help-overlay.ui is in our resources. */
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "window.close", close_accels);
}

static void
ba_application_activate (GApplication *app)
{
  GtkWindow *window;

  /* One window: a second launch raises the existing one (the default
   * GApplication D-Bus uniqueness brings us here in the first instance;
   * a demo instance is not unique, see ba_application_new()). */
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = GTK_WINDOW (ba_window_new (BA_APPLICATION (app)));

  gtk_window_present (window);
}

static void
ba_application_class_init (BaApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->handle_local_options = ba_application_handle_local_options;
  app_class->startup = ba_application_startup;
  app_class->activate = ba_application_activate;
}

static void
ba_application_init (BaApplication *self)
{
  static const GOptionEntry options[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

BaApplication *
ba_application_new (void)
{
  GApplicationFlags flags = G_APPLICATION_DEFAULT_FLAGS;

  /* build-aux/demo sets the demo hint. A demo must open its own window on
   * its own server: as a unique app it would only raise an instance that
   * is already running and exit, and the script would then stop its
   * server. */
  if (g_getenv ("BALENA_ACCOUNTS_DEMO_HINT") != NULL)
    flags |= G_APPLICATION_NON_UNIQUE;

  /* The resource base path is set explicitly so that the .Devel profile,
   * whose id differs, still finds style.css, the shortcuts window and the
   * bundled icons. */
  return g_object_new (BA_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", flags,
                       "resource-base-path", RESOURCE_BASE,
                       NULL);
}
