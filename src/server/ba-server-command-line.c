/* ba-server-command-line.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-server-command-line"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib-unix.h>
#include <sodium.h>

#include "ba-server-command-line.h"
#include "ba-server.h"

static gboolean
quit_cb (gpointer user_data)
{
  GMainLoop *loop = user_data;

  g_debug ("Shutting down");
  g_main_loop_quit (loop);

  return G_SOURCE_CONTINUE;
}

int
ba_server_command_line_run (int    argc,
                            char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(BaServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *url = NULL;
  g_autofree char *email = NULL;
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  gboolean seed_demo = FALSE;
  gboolean dev_identity_provider = FALSE;
  gboolean version = FALSE;
  guint sigint_id;
  guint sigterm_id;
  const GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen,
      "Address to listen on (default 127.0.0.1:0, a free port)", "IP:PORT" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Directory for the database, secrets and mail outbox", "DIR" },
    { "seed-demo", 0, 0, G_OPTION_ARG_NONE, &seed_demo,
      "Create demo users and print the demo credentials", NULL },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert,
      "PEM certificate (needed to listen on a non-loopback address)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key,
      "PEM private key for --tls-cert", "FILE" },
    { "dev-identity-provider", 0, 0, G_OPTION_ARG_NONE, &dev_identity_provider,
      "Offer a test identity provider on the web login page (testing only)", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      "Print the version and exit", NULL },
    { NULL }
  };

  /* stdout is the machine-readable channel (URL first, then the demo
   * credentials); every log message, debug included, goes to stderr. */
  g_log_writer_default_set_use_stderr (TRUE);

  context = g_option_context_new ("- local balenaCloud-compatible account server");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("balena-accounts-server: %s\n", error->message);
      return 2;
    }

  if (version)
    {
      g_print ("balena-accounts-server %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (data_dir == NULL)
    {
      g_printerr ("balena-accounts-server: --data-dir is required\n");
      return 2;
    }

  if (sodium_init () < 0)
    {
      g_printerr ("balena-accounts-server: could not initialise libsodium\n");
      return 1;
    }

  server = ba_server_new (data_dir, &error);
  if (server != NULL && dev_identity_provider)
    ba_server_set_dev_identity_provider (server, TRUE);
  if (server == NULL ||
      (seed_demo && !ba_server_seed_demo (server, &email, &username, &password, &error)) ||
      !ba_server_listen (server, listen != NULL ? listen : "127.0.0.1:0",
                         tls_cert, tls_key, &error))
    {
      g_printerr ("balena-accounts-server: %s\n", error->message);
      return 1;
    }

  /* Handle the signals before announcing the URL: whoever reads it may
   * stop us at once, and that must be a clean shutdown. */
  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, quit_cb, loop);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, loop);

  /* The output contract for scripts and tests: the URL is the first line
   * on stdout, then the demo credentials, then anything informational. */
  url = ba_server_get_url (server);
  printf ("%s\n", url);
  if (seed_demo)
    {
      printf ("email: %s\nusername: %s\npassword: %s\n", email, username, password);
      sodium_memzero (password, strlen (password));
    }
  printf ("outbox: %s\n", ba_server_get_outbox_dir (server));
  fflush (stdout);

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  return 0;
}
