/* main.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-server-main"

#include "config.h"

#include "ba-server-command-line.h"

int
main (int   argc,
      char *argv[])
{
  return ba_server_command_line_run (argc, argv);
}
