/* ba-client-test-utils.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Makes a private temp dir, points XDG_*_HOME, HOME and libsecret's
 * SECRET_FILE_TEST_PATH into it (before any libsecret call), then runs
 * g_test_init(). Returns the dir; ba_client_test_cleanup() removes it. */
char         *ba_client_test_init        (int            *argc,
                                          char         ***argv);
void          ba_client_test_cleanup     (char           *tmpdir);

/* The keyring file of the file backend. */
const char   *ba_client_test_keyring_path (void);

/* An async callback that stores the result in a GAsyncResult ** slot, and
 * a wait that iterates the main context until it is there. */
void          ba_client_test_store_result (GObject       *object,
                                           GAsyncResult  *result,
                                           gpointer       user_data);
GAsyncResult *ba_client_test_wait         (GAsyncResult **slot);

/* TRUE if the @len bytes at @haystack contain @needle. */
gboolean      ba_client_test_contains     (const char    *haystack,
                                           gsize          len,
                                           const char    *needle);

/* TRUE if the @len bytes at @haystack contain the @needle_len bytes at
 * @needle. */
gboolean      ba_client_test_contains_bytes (const char  *haystack,
                                             gsize        len,
                                             gconstpointer needle,
                                             gsize        needle_len);

/* Removes a directory tree. */
void          ba_client_test_rm_rf        (const char    *path);

G_END_DECLS
