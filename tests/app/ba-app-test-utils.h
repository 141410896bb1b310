/* ba-app-test-utils.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* How long a UI test waits for anything before it fails. */
#define BA_APP_TEST_TIMEOUT_SECONDS 30

/* Makes a private temp dir and points XDG_DATA_HOME, XDG_CONFIG_HOME,
 * XDG_CACHE_HOME, HOME and libsecret's SECRET_FILE_TEST_PATH into it (unless
 * @keyring_path is given), all before the first GLib, GTK or libsecret call
 * that reads them; then gtk_test_init() and adw_init(). Returns the dir. */
char       *ba_app_test_init          (int           *argc,
                                       char        ***argv,
                                       const char    *keyring_path);
void        ba_app_test_cleanup       (char          *tmpdir);

/* Iterates the default main context until @expr holds, and fails the test
 * with the expression's text after BA_APP_TEST_TIMEOUT_SECONDS. */
#define BA_APP_TEST_WAIT_UNTIL(expr) \
  G_STMT_START { \
    gint64 _ba_deadline = ba_app_test_deadline (); \
    while (!(expr)) \
      ba_app_test_iterate (_ba_deadline, #expr); \
  } G_STMT_END

gint64      ba_app_test_deadline      (void);
void        ba_app_test_iterate       (gint64         deadline,
                                       const char    *what);

/* Runs the main context for @ms milliseconds. */
void        ba_app_test_run_for       (guint          ms);

/* The first GtkLabel under @widget (inclusive) whose text contains
 * @needle and that is drawn (its ancestors all visible), or NULL. */
GtkLabel   *ba_app_test_find_label    (GtkWidget     *widget,
                                       const char    *needle);

/* The first drawn GtkButton under @widget whose label is @label (with its
 * mnemonic underscore), or NULL. */
GtkButton  *ba_app_test_find_button   (GtkWidget     *widget,
                                       const char    *label);

/* An async callback that stores the result in a GAsyncResult ** slot, and
 * a wait for it. */
void        ba_app_test_store_result  (GObject       *object,
                                       GAsyncResult  *result,
                                       gpointer       user_data);
GAsyncResult *ba_app_test_wait_result (GAsyncResult **slot);

/* Window helpers, working through the same widgets a user does. */
typedef struct _BaWindow    BaWindow;
typedef struct _BaLoginPage BaLoginPage;

/* A new BaWindow, presented, once its start-up has left the loading page. */
BaWindow   *ba_app_test_open_window   (void);
/* Destroys the window and waits until it is finalized, which fails the
 * test if anything still holds it once its requests are cancelled. */
void        ba_app_test_close_window  (BaWindow      *window);
const char *ba_app_test_visible_page  (BaWindow      *window);

/* Types into the login form; @url NULL keeps the server choice. */
void        ba_app_test_fill_in       (BaLoginPage   *page,
                                       const char    *url,
                                       const char    *username,
                                       const char    *password);
/* Activates a button as the keyboard does and waits for "clicked". */
void        ba_app_test_press         (GtkWidget     *button);

G_END_DECLS
