/* ba-server-command-line.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* balena-accounts-server's whole command line: parses the options, starts
 * the server, prints the output contract of README.md (the URL first) and
 * runs until SIGINT or SIGTERM. Returns the exit status: 0, 1 when the
 * server could not start, 2 for wrong options. */
int ba_server_command_line_run (int    argc,
                                char **argv);

G_END_DECLS
