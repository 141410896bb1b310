/* ba-balena-cli.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ba-balenarc.h"

G_BEGIN_DECLS

/* Fitting in with the balena CLI and SDK (account-api.md section 14).
 *
 * Loads their settings the way balena-settings-client does, lowest
 * precedence first: ~/.resinrc.yml, ~/.balenarc.yml, ./resinrc.yml and
 * ./balenarc.yml (in @current_dir), then the BALENARC_ and RESINRC_
 * variables of @envp. A missing file is skipped; a file that cannot be
 * read or parsed is skipped with a message in the log (the CLI would
 * refuse to start; the app still works with the rest). @home_dir and
 * @current_dir may be NULL to skip those files. The files are read in a
 * worker thread. */
void        ba_balena_cli_load_settings_async  (const char          *home_dir,
                                                const char          *current_dir,
                                                const char * const  *envp,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
BaBalenarc *ba_balena_cli_load_settings_finish (GAsyncResult        *result,
                                                GError             **error);

/* The file where the balena CLI keeps its session token or API key:
 * <dataDirectory>/token, dataDirectory defaulting to ~/.balena. */
char       *ba_balena_cli_dup_token_path       (const BaBalenarc    *settings,
                                                const char          *home_dir);

/* Reads the CLI's token (trimmed) from ba_balena_cli_dup_token_path().
 * Returns NULL without an error when there is no such file or it is
 * empty. Free the result with ba_wipe_string_free(); the file's contents
 * are wiped from memory as well. Nothing is checked here: give it to
 * ba_account_login_with_token_async(), which validates it. */
void        ba_balena_cli_read_token_async     (const BaBalenarc    *settings,
                                                const char          *home_dir,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
char       *ba_balena_cli_read_token_finish    (GAsyncResult        *result,
                                                GError             **error);

G_END_DECLS
