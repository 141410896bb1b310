/* main.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "balena-accounts"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ba-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(BaApplication) app = NULL;

  /* Set up the locale before option parsing, so that --help is translated. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = ba_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
