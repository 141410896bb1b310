/* test-tokens-page.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The "Access tokens" tab against a real balena-accounts-server, the file
 * keyring and a real vault: create a key through the dialog and use it,
 * the secure clipboard, saving to a private file, the close confirmation,
 * the password prompt for a stale session, revoking two keys at once,
 * renaming, a custom expiry date picked in the calendar, and the session
 * token's reveal toggle.
 */

#define G_LOG_DOMAIN "test-tokens-page"

#include "config.h"

#include "ba-account.h"
#include "ba-account-page-private.h"
#include "ba-api-key.h"
#include "ba-api-key-dialog-private.h"
#include "ba-app-test-utils.h"
#include "ba-jwt.h"
#include "ba-label-wipe.h"
#include "ba-login-page-private.h"
#include "ba-secret-store.h"
#include "ba-secure-clipboard.h"
#include "ba-session.h"
#include "ba-test-server.h"
#include "ba-tokens-page-private.h"
#include "ba-window-private.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sys/stat.h>

static char *tmpdir;

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
log_in (BaWindow     *window,
        BaTestServer *server)
{
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");

  ba_app_test_fill_in (window->login_page,
                       ba_test_server_get_url (server),
                       ba_test_server_get_demo_username (server),
                       ba_test_server_get_demo_password (server));
  ba_app_test_press (GTK_WIDGET (window->login_page->login_button));

  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  g_assert_nonnull (window->account);
}

static void
log_out (BaWindow *window)
{
  BaAccountPage *page = window->account_page;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "account.logout", NULL));
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (page->logout_dialog), "_Log Out")));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0);
}

/* Shows the tab and waits until the keys came from the server. */
static BaTokensPage *
show_tokens (BaWindow *window)
{
  BaAccountPage *page = window->account_page;
  BaTokensPage *tokens = page->tokens_page;

  g_assert_true (adw_view_stack_page_get_visible (page->tokens_stack_page));
  adw_view_stack_set_visible_child_name (page->view_stack, "tokens");
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (tokens)));
  BA_APP_TEST_WAIT_UNTIL (ba_account_get_state (window->account) == BA_ACCOUNT_STATE_ONLINE && !tokens->syncing);

  return tokens;
}

static BaApiKey *
find_key (BaTokensPage *tokens,
          const char   *name,
          guint        *out_position)
{
  GListModel *model = G_LIST_MODEL (tokens->selection);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(BaApiKey) key = g_list_model_get_item (model, i);

      if (g_strcmp0 (ba_api_key_get_name (key), name) == 0)
        {
          if (out_position != NULL)
            *out_position = i;
          return key;   /* the model keeps it alive */
        }
    }

  return NULL;
}

static BaApiKeyDialog *
open_create_dialog (BaTokensPage *tokens)
{
  g_assert_null (tokens->dialog);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tokens), "tokens.create", NULL));
  g_assert_nonnull (tokens->dialog);
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (tokens->dialog)));

  return tokens->dialog;
}

static char *
read_clipboard_text (GdkClipboard *clipboard)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *text;

  gdk_clipboard_read_text_async (clipboard, NULL, ba_app_test_store_result, &result);
  text = gdk_clipboard_read_text_finish (clipboard, ba_app_test_wait_result (&result), &error);
  g_assert_no_error (error);

  return text;
}

static guint
whoami_status (BaTestServer *server,
               const char   *token)
{
  g_autofree char *body = NULL;

  return ba_test_server_request (server, "GET", "/user/v1/whoami", token,
                                 NULL, NULL, &body, NULL, NULL);
}

static char *
list_keys_on_server (BaTestServer *server,
                     BaWindow     *window)
{
  char *body = NULL;
  guint status;

  status = ba_test_server_request (server, "GET", "/v7/api_key",
                                   ba_session_get_token (ba_account_get_session (window->account)),
                                   NULL, NULL, &body, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);

  return body;
}

/* The strings GTK holds for a label showing @secret, looked at by
 * ba_label_wipe()'s test hook: before zeroing they hold the secret, after
 * it the very same buffers hold only zeros, and only then are they freed. */
typedef struct
{
  GtkLabel   *label;
  const char *secret;
  const char *pointers[3];
  gboolean    checked;
} WipedCopies;

static void
watch_copies (WipedCopies *copies,
              GtkLabel    *label,
              const char  *secret)
{
  copies->label = label;
  copies->secret = secret;
  copies->checked = FALSE;
}

static void
check_zeroed_cb (GtkLabel *label,
                 gboolean  zeroed,
                 gpointer  user_data)
{
  WipedCopies *copies = user_data;
  gsize length = strlen (copies->secret);

  if (label != copies->label)
    return;

  if (!zeroed)
    {
      copies->pointers[0] = gtk_label_get_label (label);
      copies->pointers[1] = gtk_label_get_text (label);
      copies->pointers[2] = pango_layout_get_text (gtk_label_get_layout (label));
      for (guint i = 0; i < G_N_ELEMENTS (copies->pointers); i++)
        g_assert_cmpstr (copies->pointers[i], ==, copies->secret);
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (copies->pointers); i++)
    for (gsize j = 0; j < length; j++)
      g_assert_cmpint (copies->pointers[i][j], ==, 0);
  copies->checked = TRUE;
}

static void
test_create_copy_save (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *text = NULL;
  g_autofree char *too_long = NULL;
  g_autofree char *path = NULL;
  g_autofree char *saved = NULL;
  g_autoptr(GFile) file = NULL;
  BaTestServer *server;
  BaWindow *window;
  BaTokensPage *tokens;
  BaApiKeyDialog *dialog;
  GdkClipboard *clipboard;
  GdkContentFormats *formats;
  BaSecureClipboard *secure;
  GtkLabel *key_label;
  WipedCopies copies = { NULL, };
  GStatBuf st;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  log_in (window, server);
  tokens = show_tokens (window);

  dialog = open_create_dialog (tokens);

  /* The password was just given: no need to ask for it. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog->password_group)));

  /* The name is required and limited, with a counter as you type. */
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (dialog->create_button)));
  g_assert_cmpstr (gtk_label_get_text (dialog->name_counter), ==, "0 of 50");
  too_long = g_strnfill (51, 'x');
  gtk_editable_set_text (GTK_EDITABLE (dialog->name_row), too_long);
  g_assert_cmpstr (gtk_label_get_text (dialog->name_counter), ==, "51 of 50");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (dialog->name_counter), "error"));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (dialog->create_button)));
  gtk_editable_set_text (GTK_EDITABLE (dialog->name_row), "ci-deploy");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (dialog->name_counter), "error"));
  gtk_editable_set_text (GTK_EDITABLE (dialog->description_row), "Deploys from CI");
  g_assert_cmpstr (gtk_label_get_text (dialog->description_counter), ==, "15 of 150");
  adw_combo_row_set_selected (dialog->expiry_row, 1);   /* 30 days */

  ba_app_test_press (GTK_WIDGET (dialog->create_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (dialog->stack), "key") == 0);

  /* Shown once, and a working credential. */
  key = g_strdup (gtk_label_get_text (dialog->key_label));
  g_assert_cmpuint (strlen (key), ==, 32);
  /* Not selectable: Copy and Save are the only ways out, so the key never
   * reaches the clipboard or PRIMARY without the secure clipboard. */
  g_assert_false (gtk_label_get_selectable (dialog->key_label));
  g_assert_false (gtk_widget_get_focusable (GTK_WIDGET (dialog->key_label)));
  g_assert_nonnull (ba_app_test_find_label (GTK_WIDGET (dialog), "This is the only time the key is shown"));
  g_assert_cmpuint (whoami_status (server, key), ==, 200);

  /* The list has it, with its description and an expiry date. */
  BA_APP_TEST_WAIT_UNTIL (find_key (tokens, "ci-deploy", NULL) != NULL);
  g_assert_cmpstr (ba_api_key_get_description (find_key (tokens, "ci-deploy", NULL)), ==, "Deploys from CI");
  g_assert_cmpint (ba_api_key_get_expiry_date (find_key (tokens, "ci-deploy", NULL)), >, now_seconds () + 29 * 24 * 60 * 60);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (tokens->list_stack), ==, "list");

  /* Closing before copying or saving asks first; going back keeps it. */
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_nonnull (dialog->close_dialog);
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (dialog->close_dialog), "_Back")));
  BA_APP_TEST_WAIT_UNTIL (dialog->close_dialog == NULL);
  g_assert_true (tokens->dialog == dialog);
  g_assert_cmpstr (gtk_label_get_text (dialog->key_label), ==, key);

  /* Copy: the clipboard holds exactly the key, marked as a secret. */
  clipboard = gdk_display_get_clipboard (gtk_widget_get_display (GTK_WIDGET (dialog)));
  secure = ba_secure_clipboard_get_default (gtk_widget_get_display (GTK_WIDGET (dialog)));
  ba_app_test_press (GTK_WIDGET (dialog->copy_button));
  formats = gdk_clipboard_get_formats (clipboard);
  g_assert_true (gdk_content_formats_contain_mime_type (formats, "x-kde-passwordManagerHint"));
  g_assert_true (gdk_content_formats_contain_mime_type (formats, "text/plain;charset=utf-8"));
  g_assert_true (gdk_content_formats_contain_mime_type (formats, "UTF8_STRING"));
  text = read_clipboard_text (clipboard);
  g_assert_cmpstr (text, ==, key);
  g_clear_pointer (&text, g_free);
  g_assert_nonnull (ba_app_test_find_label (GTK_WIDGET (dialog), "The clipboard will be cleared in 5 seconds"));

  /* After the delay (5 s, set in main()) it is cleared. */
  ba_app_test_run_for (3000);
  g_assert_true (gdk_clipboard_get_content (clipboard) == ba_secure_clipboard_get_content (secure));
  BA_APP_TEST_WAIT_UNTIL (gdk_clipboard_get_content (clipboard) == NULL);
  g_assert_null (ba_secure_clipboard_get_content (secure));

  /* Something copied meanwhile is left alone. */
  ba_app_test_press (GTK_WIDGET (dialog->copy_button));
  g_assert_nonnull (ba_secure_clipboard_get_content (secure));
  gdk_clipboard_set_text (clipboard, "something else");
  ba_app_test_run_for (6500);
  text = read_clipboard_text (clipboard);
  g_assert_cmpstr (text, ==, "something else");
  g_clear_pointer (&text, g_free);

  /* Save to a file that existed with a wider mode: it ends up 0600. */
  path = g_build_filename (tmpdir, "ci-deploy.txt", NULL);
  g_assert_true (g_file_set_contents (path, "old", -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  file = g_file_new_for_path (path);
  ba_api_key_dialog_save_to_file (dialog, file);
  BA_APP_TEST_WAIT_UNTIL (dialog->saved);
  g_assert_true (g_file_get_contents (path, &saved, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (saved, ==, key);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Done closes at once now, and the key leaves the dialog: every copy
   * GTK held (the label, its text, its layout's text) is all zeros before
   * it is freed, and the label (kept alive here to look at it) is empty. */
  key_label = g_object_ref (dialog->key_label);
  watch_copies (&copies, key_label, key);
  ba_label_wipe_set_test_hook (check_zeroed_cb, &copies);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  ba_app_test_press (GTK_WIDGET (dialog->done_button));
  BA_APP_TEST_WAIT_UNTIL (dialog == NULL);
  ba_label_wipe_set_test_hook (NULL, NULL);
  g_assert_true (copies.checked);
  g_assert_null (tokens->dialog);
  g_assert_cmpstr (gtk_label_get_text (key_label), ==, "");
  g_assert_cmpstr (gtk_label_get_label (key_label), ==, "");
  g_assert_cmpstr (pango_layout_get_text (gtk_label_get_layout (key_label)), ==, "");
  g_clear_object (&key_label);

  /* A second key, closed without copying: confirmed, then gone. */
  dialog = open_create_dialog (tokens);
  gtk_editable_set_text (GTK_EDITABLE (dialog->name_row), "laptop");
  ba_app_test_press (GTK_WIDGET (dialog->create_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (dialog->stack), "key") == 0);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  ba_app_test_press (GTK_WIDGET (dialog->done_button));
  BA_APP_TEST_WAIT_UNTIL (dialog->close_dialog != NULL);
  g_assert_nonnull (ba_app_test_find_label (GTK_WIDGET (dialog->close_dialog), "You will not be able to see it again"));
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (dialog->close_dialog), "_Close Without Saving")));
  BA_APP_TEST_WAIT_UNTIL (dialog == NULL);
  g_assert_nonnull (find_key (tokens, "laptop", NULL));

  log_out (window);
  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

/* Logging out while a new key is shown and neither copied nor saved
 * does not throw the key away: the dialog asks, as its own Close does,
 * and stays until the user has dealt with the key. */
static void
test_account_change_keeps_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *text = NULL;
  BaTestServer *server;
  BaWindow *window;
  BaTokensPage *tokens;
  BaApiKeyDialog *dialog;
  GdkClipboard *clipboard;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  log_in (window, server);
  tokens = show_tokens (window);

  dialog = open_create_dialog (tokens);
  gtk_editable_set_text (GTK_EDITABLE (dialog->name_row), "kept-on-logout");
  ba_app_test_press (GTK_WIDGET (dialog->create_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (dialog->stack), "key") == 0);
  key = g_strdup (gtk_label_get_text (dialog->key_label));
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  /* Not destroyed along with its parent while the key is unsaved. */
  g_assert_false (gtk_window_get_destroy_with_parent (GTK_WINDOW (dialog)));

  log_out (window);
  g_assert_null (tokens->dialog);
  g_assert_null (ba_tokens_page_get_account (tokens));
  ba_app_test_run_for (500);
  g_assert_nonnull (dialog);
  g_assert_nonnull (dialog->close_dialog);
  g_assert_cmpstr (gtk_label_get_text (dialog->key_label), ==, key);

  /* Back: the key is still there to copy, and then Done closes. */
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (dialog->close_dialog), "_Back")));
  BA_APP_TEST_WAIT_UNTIL (dialog->close_dialog == NULL);
  ba_app_test_run_for (500);
  g_assert_nonnull (dialog);
  ba_app_test_press (GTK_WIDGET (dialog->copy_button));
  g_assert_true (gtk_window_get_destroy_with_parent (GTK_WINDOW (dialog)));
  clipboard = gdk_display_get_clipboard (gtk_widget_get_display (GTK_WIDGET (dialog)));
  text = read_clipboard_text (clipboard);
  g_assert_cmpstr (text, ==, key);
  ba_app_test_press (GTK_WIDGET (dialog->done_button));
  BA_APP_TEST_WAIT_UNTIL (dialog == NULL);

  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

/* Closing the main window while a key is shown and unsaved: the dialog
 * asks, and the window stays until the user has answered. */
static void
test_window_close_keeps_key (void)
{
  g_autoptr(GError) error = NULL;
  BaTestServer *server;
  BaWindow *window;
  BaTokensPage *tokens;
  BaApiKeyDialog *dialog;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  log_in (window, server);
  tokens = show_tokens (window);

  dialog = open_create_dialog (tokens);
  gtk_editable_set_text (GTK_EDITABLE (dialog->name_row), "kept-on-close");
  ba_app_test_press (GTK_WIDGET (dialog->create_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (dialog->stack), "key") == 0);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  gtk_window_close (GTK_WINDOW (window));
  ba_app_test_run_for (300);
  g_assert_nonnull (window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_nonnull (dialog);
  g_assert_nonnull (dialog->close_dialog);

  /* Asking again does not stack a second question. */
  gtk_window_close (GTK_WINDOW (window));
  g_assert_nonnull (window);

  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (dialog->close_dialog),
                                                          "_Close Without Saving")));
  BA_APP_TEST_WAIT_UNTIL (dialog == NULL);
  g_assert_nonnull (window);

  /* Nothing left to ask: now the window closes (logged out first, so that
   * the next test starts at the login page). */
  log_out (window);
  gtk_window_close (GTK_WINDOW (window));
  BA_APP_TEST_WAIT_UNTIL (window == NULL);

  ba_test_server_stop (server);
}

static char *
create_key (BaAccount  *account,
            const char *name)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *key;

  ba_account_create_api_key_async (account, name, NULL, 0, NULL, ba_app_test_store_result, &result);
  key = ba_account_create_api_key_finish (account, ba_app_test_wait_result (&result), &error);
  g_assert_no_error (error);

  return key;
}

static void
test_revoke_rename_reveal (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *listed = NULL;
  g_autofree char *token = NULL;
  BaTestServer *server;
  BaWindow *window;
  BaTokensPage *tokens;
  BaApiKeyDialog *dialog;
  GtkLabel *token_label;
  WipedCopies copies = { NULL, };
  const char *heading;
  guint position;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  log_in (window, server);
  tokens = show_tokens (window);

  g_free (create_key (window->account, "alpha-key"));
  g_free (create_key (window->account, "beta-key"));
  g_free (create_key (window->account, "gamma-key"));
  BA_APP_TEST_WAIT_UNTIL (find_key (tokens, "gamma-key", NULL) != NULL);

  /* Nothing selected: nothing to revoke or edit. */
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (tokens->selection));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (tokens->revoke_button)));

  g_assert_nonnull (find_key (tokens, "alpha-key", &position));
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (tokens->selection), position, FALSE);
  g_assert_nonnull (find_key (tokens, "beta-key", &position));
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (tokens->selection), position, FALSE);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (tokens->revoke_button)));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (tokens->edit_button)));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tokens), "tokens.revoke", NULL));
  g_assert_nonnull (tokens->revoke_dialog);
  heading = adw_message_dialog_get_heading (tokens->revoke_dialog);
  g_assert_cmpstr (heading, ==, "Revoke “alpha-key” and “beta-key”?");
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (tokens->revoke_dialog), "_Revoke")));

  BA_APP_TEST_WAIT_UNTIL (find_key (tokens, "alpha-key", NULL) == NULL && find_key (tokens, "beta-key", NULL) == NULL);
  BA_APP_TEST_WAIT_UNTIL (!tokens->revoking);
  g_assert_nonnull (ba_app_test_find_label (GTK_WIDGET (window), "2 API keys revoked"));
  listed = list_keys_on_server (server, window);
  g_assert_null (strstr (listed, "alpha-key"));
  g_assert_null (strstr (listed, "beta-key"));
  g_assert_nonnull (strstr (listed, "gamma-key"));
  g_clear_pointer (&listed, g_free);

  /* Rename through the edit dialog. */
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (tokens->selection));
  g_assert_nonnull (find_key (tokens, "gamma-key", &position));
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (tokens->selection), position, TRUE);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (tokens->edit_button)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tokens), "tokens.edit", NULL));
  dialog = tokens->dialog;
  g_assert_nonnull (dialog);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dialog->name_row)), ==, "gamma-key");
  gtk_editable_set_text (GTK_EDITABLE (dialog->name_row), "gamma-renamed");
  gtk_editable_set_text (GTK_EDITABLE (dialog->description_row), "now described");
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  ba_app_test_press (GTK_WIDGET (dialog->create_button));
  BA_APP_TEST_WAIT_UNTIL (dialog == NULL);
  g_assert_nonnull (find_key (tokens, "gamma-renamed", NULL));
  g_assert_null (find_key (tokens, "gamma-key", NULL));
  listed = list_keys_on_server (server, window);
  g_assert_nonnull (strstr (listed, "gamma-renamed"));
  g_assert_nonnull (strstr (listed, "now described"));

  /* The session token is masked until revealed, and hidden again when
   * the tab is left. */
  token = g_strdup (ba_session_get_token (ba_account_get_session (window->account)));
  g_assert_cmpstr (adw_action_row_get_subtitle (tokens->token_row), !=, token);
  g_assert_null (strstr (adw_action_row_get_subtitle (tokens->token_row), token));
  gtk_toggle_button_set_active (tokens->reveal_button, TRUE);
  g_assert_cmpstr (adw_action_row_get_subtitle (tokens->token_row), ==, token);

  /* Shown, it cannot be selected (so only Copy puts it on a clipboard),
   * and hiding it zeroes the label's copies before they are freed. */
  token_label = GTK_LABEL (ba_app_test_find_label (GTK_WIDGET (tokens->token_row), token));
  g_assert_nonnull (token_label);
  g_assert_false (gtk_label_get_selectable (token_label));
  watch_copies (&copies, token_label, token);
  ba_label_wipe_set_test_hook (check_zeroed_cb, &copies);
  gtk_toggle_button_set_active (tokens->reveal_button, FALSE);
  ba_label_wipe_set_test_hook (NULL, NULL);
  g_assert_true (copies.checked);
  g_assert_cmpstr (adw_action_row_get_subtitle (tokens->token_row), !=, token);
  g_assert_null (strstr (gtk_label_get_text (token_label), token));
  g_assert_null (strstr (pango_layout_get_text (gtk_label_get_layout (token_label)), token));
  gtk_toggle_button_set_active (tokens->reveal_button, TRUE);
  adw_view_stack_set_visible_child_name (window->account_page->view_stack, "details");
  BA_APP_TEST_WAIT_UNTIL (!gtk_widget_get_mapped (GTK_WIDGET (tokens)));
  g_assert_false (gtk_toggle_button_get_active (tokens->reveal_button));
  g_assert_cmpstr (adw_action_row_get_subtitle (tokens->token_row), !=, token);

  /* Copy goes through the secure clipboard too. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tokens), "tokens.copy-token", NULL));
  {
    GdkClipboard *clipboard = gdk_display_get_clipboard (gtk_widget_get_display (GTK_WIDGET (tokens)));
    g_autofree char *text = read_clipboard_text (clipboard);

    g_assert_cmpstr (text, ==, token);
    g_assert_true (gdk_content_formats_contain_mime_type (gdk_clipboard_get_formats (clipboard),
                                                          "x-kde-passwordManagerHint"));
  }

  /* Refresh: a spinner while it runs, then a toast; the token still works. */
  adw_view_stack_set_visible_child_name (window->account_page->view_stack, "tokens");
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (tokens)));
  ba_app_test_press (GTK_WIDGET (tokens->refresh_button));
  g_assert_true (tokens->refreshing);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (tokens->refresh_stack), ==, "spinner");
  BA_APP_TEST_WAIT_UNTIL (!tokens->refreshing);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (tokens->refresh_stack), ==, "icon");
  g_assert_nonnull (ba_app_test_find_label (GTK_WIDGET (window), "The session token was renewed"));
  g_assert_cmpuint (whoami_status (server, ba_session_get_token (ba_account_get_session (window->account))), ==, 200);

  log_out (window);
  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

/* The check button of the row showing the key named @name, in selection
 * mode: a cell's widget sits in a cell of a row, beside the name's. */
static GtkCheckButton *
find_check (GtkWidget  *widget,
            const char *name)
{
  if (GTK_IS_CHECK_BUTTON (widget))
    {
      GtkWidget *row = gtk_widget_get_parent (gtk_widget_get_parent (widget));
      GtkLabel *label = row != NULL ? ba_app_test_find_label (row, name) : NULL;

      if (label != NULL && g_strcmp0 (gtk_label_get_text (label), name) == 0 &&
          gtk_widget_get_mapped (widget))
        return GTK_CHECK_BUTTON (widget);
      return NULL;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkCheckButton *found = find_check (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static guint64
n_selected (BaTokensPage *tokens)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (tokens->selection));

  return gtk_bitset_get_size (selected);
}

/* Several keys at once without Ctrl or Shift: the selection-mode button
 * shows a check button per row; Revoke… confirms with the count and the
 * names, at most ten of them. */
static void
test_selection_mode (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) expected = g_string_new (NULL);
  BaTestServer *server;
  BaWindow *window;
  BaTokensPage *tokens;
  const char *body;
  char name[16];

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  log_in (window, server);
  tokens = show_tokens (window);

  for (guint i = 1; i <= 11; i++)
    {
      g_snprintf (name, sizeof name, "many-%02u", i);
      g_free (create_key (window->account, name));
    }
  BA_APP_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (tokens->selection)) == 11);
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (tokens->selection));

  /* Off at first: no check buttons. */
  g_assert_false (gtk_column_view_column_get_visible (tokens->check_column));
  g_assert_null (find_check (GTK_WIDGET (tokens->column_view), "many-01"));

  ba_app_test_press (GTK_WIDGET (tokens->select_button));
  g_assert_true (gtk_toggle_button_get_active (tokens->select_button));
  g_assert_true (gtk_column_view_column_get_visible (tokens->check_column));
  BA_APP_TEST_WAIT_UNTIL (find_check (GTK_WIDGET (tokens->column_view), "many-07") != NULL);

  /* Three ticks select three keys, adding to each other. */
  gtk_widget_activate (GTK_WIDGET (find_check (GTK_WIDGET (tokens->column_view), "many-02")));
  gtk_widget_activate (GTK_WIDGET (find_check (GTK_WIDGET (tokens->column_view), "many-05")));
  gtk_widget_activate (GTK_WIDGET (find_check (GTK_WIDGET (tokens->column_view), "many-07")));
  g_assert_cmpuint (n_selected (tokens), ==, 3);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (tokens->revoke_button)));

  ba_app_test_press (GTK_WIDGET (tokens->revoke_button));
  g_assert_nonnull (tokens->revoke_dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (tokens->revoke_dialog), ==, "Revoke 3 API keys?");
  body = adw_message_dialog_get_body (tokens->revoke_dialog);
  g_assert_true (g_str_has_prefix (body, "many-02\nmany-05\nmany-07\n\n"));
  g_assert_null (strstr (body, "more"));
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (tokens->revoke_dialog), "_Cancel")));
  BA_APP_TEST_WAIT_UNTIL (tokens->revoke_dialog == NULL);

  /* Unticking one leaves the others selected. */
  gtk_widget_activate (GTK_WIDGET (find_check (GTK_WIDGET (tokens->column_view), "many-05")));
  g_assert_cmpuint (n_selected (tokens), ==, 2);

  /* All eleven: ten names, then "and 1 more"; the checks follow. */
  gtk_selection_model_select_all (GTK_SELECTION_MODEL (tokens->selection));
  BA_APP_TEST_WAIT_UNTIL (gtk_check_button_get_active (find_check (GTK_WIDGET (tokens->column_view), "many-05")));
  ba_app_test_press (GTK_WIDGET (tokens->revoke_button));
  g_assert_cmpstr (adw_message_dialog_get_heading (tokens->revoke_dialog), ==, "Revoke 11 API keys?");
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(BaApiKey) key = g_list_model_get_item (G_LIST_MODEL (tokens->selection), i);

      g_string_append_printf (expected, "%s\n", ba_api_key_get_name (key));
    }
  g_string_append (expected, "and 1 more\n\n");
  body = adw_message_dialog_get_body (tokens->revoke_dialog);
  g_assert_true (g_str_has_prefix (body, expected->str));
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (tokens->revoke_dialog), "_Cancel")));
  BA_APP_TEST_WAIT_UNTIL (tokens->revoke_dialog == NULL);

  /* Leaving selection mode hides the checks and clears the selection. */
  ba_app_test_press (GTK_WIDGET (tokens->select_button));
  g_assert_false (gtk_column_view_column_get_visible (tokens->check_column));
  g_assert_cmpuint (n_selected (tokens), ==, 0);

  log_out (window);
  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

/* The text of the Expires cell of @key, as drawn. */
static const char *
expiry_cell_text (BaTokensPage *tokens,
                  BaApiKey     *key)
{
  for (guint i = 0; i < tokens->expiry_items->len; i++)
    {
      GtkListItem *item = g_ptr_array_index (tokens->expiry_items, i);

      if (gtk_list_item_get_item (item) == (gpointer) key)
        return gtk_label_get_text (GTK_LABEL (gtk_list_item_get_child (item)));
    }

  return NULL;
}

/* The session's Issued and Expires rows, and the keys' Expires cells,
 * redone by a timer while the tab is shown: a key that runs out while
 * the window stays open shows "Expired". */
static void
test_times_update (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GDateTime) issued = NULL;
  g_autofree char *issued_text = NULL;
  g_autofree char *key = NULL;
  BaTestServer *server;
  BaWindow *window;
  BaTokensPage *tokens;
  BaSession *session;
  BaApiKey *short_lived;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  log_in (window, server);
  tokens = window->account_page->tokens_page;

  /* Each second instead of each minute, so the test need not wait. */
  tokens->tick_seconds = 1;
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (tokens)));
  g_assert_cmpuint (tokens->tick_source, ==, 0);
  tokens = show_tokens (window);
  g_assert_cmpuint (tokens->tick_source, !=, 0);

  session = ba_account_get_session (window->account);
  issued = g_date_time_new_from_unix_local (ba_session_get_issued_at (session));
  issued_text = g_date_time_format (issued, "%-d %B %Y, %H:%M");
  g_assert_cmpstr (adw_action_row_get_subtitle (tokens->issued_row), ==, issued_text);
  g_assert_true (g_str_has_suffix (adw_action_row_get_subtitle (tokens->expires_row), " (expires in 7 days)"));

  ba_account_create_api_key_async (window->account, "short-lived", NULL, now_seconds () + 8,
                                   NULL, ba_app_test_store_result, &result);
  key = ba_account_create_api_key_finish (window->account, ba_app_test_wait_result (&result), &error);
  g_assert_no_error (error);
  g_free (create_key (window->account, "forever"));
  BA_APP_TEST_WAIT_UNTIL (find_key (tokens, "forever", NULL) != NULL);
  short_lived = find_key (tokens, "short-lived", NULL);
  g_assert_nonnull (short_lived);

  BA_APP_TEST_WAIT_UNTIL (expiry_cell_text (tokens, find_key (tokens, "forever", NULL)) != NULL &&
                          expiry_cell_text (tokens, short_lived) != NULL);
  g_assert_cmpstr (expiry_cell_text (tokens, find_key (tokens, "forever", NULL)), ==, "Never");
  g_assert_cmpstr (expiry_cell_text (tokens, short_lived), !=, "Expired");

  /* Nothing about the key changes; only the clock moves on. */
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (expiry_cell_text (tokens, short_lived), "Expired") == 0);
  g_assert_cmpstr (expiry_cell_text (tokens, find_key (tokens, "forever", NULL)), ==, "Never");

  /* Hidden, the timer stops. */
  adw_view_stack_set_visible_child_name (window->account_page->view_stack, "details");
  BA_APP_TEST_WAIT_UNTIL (!gtk_widget_get_mapped (GTK_WIDGET (tokens)));
  g_assert_cmpuint (tokens->tick_source, ==, 0);

  log_out (window);
  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

/* The session token of @account, signed with the server's secret, as if
 * the password had last been given @age seconds ago. */
static char *
forge_stale (BaTestServer *server,
             BaAccount    *account,
             gint64        age)
{
  g_autoptr(GBytes) secret = ba_test_server_get_jwt_secret (server);
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  gsize len = 0;

  g_assert_nonnull (secret);
  data = g_bytes_get_data (secret, &len);
  claims = ba_jwt_decode (ba_session_get_token (ba_account_get_session (account)), data, len, &error);
  g_assert_no_error (error);

  json_object_set_int_member (claims, "iat", now_seconds () - age);
  json_object_set_int_member (claims, "authTime", (now_seconds () - age) * 1000);
  json_object_set_int_member (claims, "exp", now_seconds () + 7 * 24 * 60 * 60);

  return ba_jwt_encode_hs256 (claims, data, len);
}

static void
test_fresh_auth (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSecretStore) store = ba_secret_store_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *stale = NULL;
  g_autofree char *account_id = NULL;
  g_autofree char *key = NULL;
  BaTestServer *server;
  BaWindow *window;
  BaTokensPage *tokens;
  BaApiKeyDialog *dialog;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  log_in (window, server);
  account_id = g_strdup (ba_account_get_id (window->account));
  stale = forge_stale (server, window->account, 2 * 60 * 60);
  ba_app_test_close_window (window);

  /* The next start finds a token whose password is two hours old. */
  ba_secret_store_store_token_async (store, account_id, "test", stale, NULL, ba_app_test_store_result, &result);
  g_assert_true (ba_secret_store_store_token_finish (store, ba_app_test_wait_result (&result), &error));
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "account");
  tokens = show_tokens (window);
  g_assert_false (ba_session_is_fresh (ba_account_get_session (window->account), now_seconds ()));

  /* The dialog asks for the password from the start, and explains why. */
  dialog = open_create_dialog (tokens);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog->password_group)));
  gtk_editable_set_text (GTK_EDITABLE (dialog->name_row), "after-password");
  g_assert_cmpstr (adw_preferences_group_get_description (dialog->password_group), ==,
                   "For your security, confirm your password to create an API key.");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (dialog->create_button)));

  /* A wrong one is an inline error and nothing else changes. */
  gtk_editable_set_text (GTK_EDITABLE (dialog->password_row), "not the password");
  ba_app_test_press (GTK_WIDGET (dialog->create_button));
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (dialog->error_label)) && !dialog->busy);
  g_assert_nonnull (strstr (gtk_label_get_text (dialog->error_label), "password"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (dialog->stack), ==, "form");

  /* The right one refreshes the token and creates the key. */
  gtk_editable_set_text (GTK_EDITABLE (dialog->password_row), ba_test_server_get_demo_password (server));
  ba_app_test_press (GTK_WIDGET (dialog->create_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (dialog->stack), "key") == 0);
  key = g_strdup (gtk_label_get_text (dialog->key_label));
  g_assert_cmpuint (strlen (key), ==, 32);
  g_assert_cmpuint (whoami_status (server, key), ==, 200);
  g_assert_true (ba_session_is_fresh (ba_account_get_session (window->account), now_seconds ()));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dialog->password_row)), ==, "");

  ba_app_test_press (GTK_WIDGET (dialog->copy_button));
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  ba_app_test_press (GTK_WIDGET (dialog->done_button));
  BA_APP_TEST_WAIT_UNTIL (dialog == NULL);

  log_out (window);
  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

/* Started with an API key as the credential: the keys show, but nothing
 * can be changed, and the tooltips say why. */
static void
test_api_key_session (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSecretStore) store = ba_secret_store_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *account_id = NULL;
  g_autofree char *key = NULL;
  BaTestServer *server;
  BaWindow *window;
  BaTokensPage *tokens;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  log_in (window, server);
  account_id = g_strdup (ba_account_get_id (window->account));
  key = create_key (window->account, "as-credential");
  ba_app_test_close_window (window);

  ba_secret_store_store_token_async (store, account_id, "test", key, NULL, ba_app_test_store_result, &result);
  g_assert_true (ba_secret_store_store_token_finish (store, ba_app_test_wait_result (&result), &error));
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "account");
  BA_APP_TEST_WAIT_UNTIL (ba_account_get_state (window->account) != BA_ACCOUNT_STATE_CACHED);
  g_assert_true (ba_session_is_api_key (ba_account_get_session (window->account)));
  tokens = window->account_page->tokens_page;
  adw_view_stack_set_visible_child_name (window->account_page->view_stack, "tokens");
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (tokens)));

  g_assert_nonnull (find_key (tokens, "as-credential", NULL));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (tokens->create_button)));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (tokens->refresh_button)));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (GTK_WIDGET (tokens->create_button)), "API key"));

  log_out (window);
  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

/* The expiry date of the key named @name as the server stores it, in Unix
 * seconds (0 for none), read back over HTTP rather than from the app. */
static gint64
server_expiry_date (BaTestServer *server,
                    BaWindow     *window,
                    const char   *name)
{
  g_autofree char *body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *keys;
  guint status;

  status = ba_test_server_request (server, "GET", "/v7/api_key?$select=name,expiry_date",
                                   ba_session_get_token (ba_account_get_session (window->account)),
                                   NULL, NULL, &body, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  json_parser_load_from_data (parser, body, -1, &error);
  g_assert_no_error (error);

  keys = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "d");
  for (guint i = 0; i < json_array_get_length (keys); i++)
    {
      JsonObject *key = json_array_get_object_element (keys, i);
      const char *iso;
      g_autoptr(GDateTime) date = NULL;

      if (g_strcmp0 (json_object_get_string_member (key, "name"), name) != 0)
        continue;
      if (json_object_get_null_member (key, "expiry_date"))
        return 0;
      iso = json_object_get_string_member (key, "expiry_date");
      date = g_date_time_new_from_iso8601 (iso, NULL);
      g_assert_nonnull (date);
      return g_date_time_to_unix (date);
    }

  g_error ("No key named %s on the server", name);
}

/* A custom expiry date picked in the calendar: it starts a month ahead, a
 * day in the past cannot be chosen and the Expires row says why, and the key expires at the end of the picked day, local
 * time, on the server as well as in the list. */
static void
test_custom_expiry (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);
  g_autoptr(GDateTime) picked = g_date_time_add_days (now, 10);
  g_autoptr(GDateTime) in_a_month = g_date_time_add_days (now, 30);
  g_autoptr(GDateTime) a_year_before = g_date_time_add_years (picked, -1);
  g_autoptr(GDateTime) shown = NULL;
  g_autoptr(GDateTime) end_of_day = NULL;
  BaTestServer *server;
  BaWindow *window;
  BaTokensPage *tokens;
  BaApiKeyDialog *dialog;
  gint64 expected;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  log_in (window, server);
  tokens = show_tokens (window);

  dialog = open_create_dialog (tokens);
  gtk_editable_set_text (GTK_EDITABLE (dialog->name_row), "dated-key");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog->calendar_group)));

  /* The last row of the expiry choice shows the calendar. */
  adw_combo_row_set_selected (dialog->expiry_row, 4);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog->calendar_group)));

  /* It starts a month ahead, which needs no explaining. */
  shown = gtk_calendar_get_date (dialog->calendar);
  g_assert_cmpint (g_date_time_get_day_of_year (shown), ==, g_date_time_get_day_of_year (in_a_month));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (dialog->create_button)));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (dialog->expiry_row)), ==, "");

  /* A past day turns Create off, and says why. */
  gtk_calendar_select_day (dialog->calendar, yesterday);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (dialog->create_button)));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (dialog->expiry_row)), "passed"));
  g_assert_nonnull (ba_app_test_find_label (GTK_WIDGET (dialog), "That day has passed"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (dialog->expiry_row), "error"));

  gtk_calendar_select_day (dialog->calendar, picked);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (dialog->create_button)));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (dialog->expiry_row)), ==, "");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (dialog->expiry_row), "error"));

  /* Only the year changes (the calendar's year arrow does this): GTK says
   * nothing of "day-selected" then, and the form still follows. */
  gtk_calendar_select_day (dialog->calendar, a_year_before);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (dialog->create_button)));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (dialog->expiry_row)), "passed"));
  gtk_calendar_select_day (dialog->calendar, picked);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (dialog->create_button)));
  end_of_day = g_date_time_new_local (g_date_time_get_year (picked),
                                      g_date_time_get_month (picked),
                                      g_date_time_get_day_of_month (picked),
                                      23, 59, 59);
  expected = g_date_time_to_unix (end_of_day);

  ba_app_test_press (GTK_WIDGET (dialog->create_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (dialog->stack), "key") == 0);

  g_assert_cmpint (server_expiry_date (server, window, "dated-key"), ==, expected);
  BA_APP_TEST_WAIT_UNTIL (find_key (tokens, "dated-key", NULL) != NULL);
  g_assert_cmpint (ba_api_key_get_expiry_date (find_key (tokens, "dated-key", NULL)), ==, expected);

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  ba_app_test_press (GTK_WIDGET (dialog->done_button));
  BA_APP_TEST_WAIT_UNTIL (dialog->close_dialog != NULL);
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (dialog->close_dialog), "_Close Without Saving")));
  BA_APP_TEST_WAIT_UNTIL (dialog == NULL);

  log_out (window);
  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

/* The label under @widget whose text is @text, or NULL. */
static GtkLabel *
find_label_with_text (GtkWidget  *widget,
                      const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return GTK_LABEL (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label_with_text (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Resizes @window as a user would; GTK 4 takes a new default size only
 * when the window is shown again. */
static void
resize_window (BaWindow *window,
               int       width,
               int       height)
{
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
}

static int
minimum_width (GtkWidget *widget)
{
  int minimum = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);

  return minimum;
}

/* GNOME apps should work on a 360 px wide phone: the tab, with keys
 * listed, lets the window be that narrow, and drops what does not fit
 * (two columns, the buttons' labels) rather than the window growing. */
static void
test_narrow_window (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) in_a_month = g_date_time_add_days (now, 30);
  g_autoptr(GDateTime) shown = NULL;
  g_autofree char *layout = NULL;
  GtkSettings *settings = gtk_settings_get_default ();
  BaTestServer *server;
  BaWindow *window;
  BaTokensPage *tokens;
  BaApiKeyDialog *dialog;
  GtkLabel *mask;

  /* GNOME's own title buttons (only Close), as on a phone, rather than
   * GTK's fallback of three, which alone make the header bar wider. */
  g_object_get (settings, "gtk-decoration-layout", &layout, NULL);
  g_object_set (settings, "gtk-decoration-layout", "appmenu:close", NULL);

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  log_in (window, server);
  tokens = show_tokens (window);
  g_free (create_key (window->account, "a-key-with-a-rather-long-name"));
  g_free (create_key (window->account, "laptop"));
  BA_APP_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (tokens->selection)) == 2);

  /* Wide: four columns, labelled buttons, the long mask. */
  resize_window (window, 720, 750);
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (window)) >= 600);
  g_assert_false (tokens->narrow);
  g_assert_true (gtk_column_view_column_get_visible (tokens->created_column));
  g_assert_true (gtk_column_view_column_get_visible (tokens->description_column));
  g_assert_cmpstr (gtk_button_get_label (tokens->create_button), ==, "_New Key…");
  g_assert_cmpstr (adw_action_row_get_subtitle (tokens->token_row), ==, "●●●●●●●●●●●●●●●●●●●●●●●●");

  /* Even the wide layout asks for no more than 360 px, so that the window
   * can get narrow enough for the narrow one to take over. */
  g_assert_cmpint (minimum_width (GTK_WIDGET (tokens)), <=, 360);
  g_assert_cmpint (minimum_width (GTK_WIDGET (window->account_page)), <=, 360);

  resize_window (window, 360, 720);
  BA_APP_TEST_WAIT_UNTIL (tokens->narrow);
  ba_app_test_run_for (200);
  g_test_message ("window %d px wide, asks for %d",
                  gtk_widget_get_width (GTK_WIDGET (window)), minimum_width (GTK_WIDGET (window)));
  g_assert_cmpint (minimum_width (GTK_WIDGET (tokens)), <=, 360);
  g_assert_cmpint (minimum_width (GTK_WIDGET (window->account_page)), <=, 360);
  /* The window's stack measures its hidden pages too: the login page's
   * links wrap rather than hold the window wide. */
  g_assert_cmpint (minimum_width (GTK_WIDGET (window->login_page)), <=, 360);
  g_assert_cmpint (minimum_width (GTK_WIDGET (window)), <=, 360);
  g_assert_false (gtk_column_view_column_get_visible (tokens->created_column));
  g_assert_false (gtk_column_view_column_get_visible (tokens->description_column));
  g_assert_true (gtk_column_view_column_get_visible (tokens->name_column));
  g_assert_true (gtk_column_view_column_get_visible (tokens->expiry_column));

  /* The header's buttons are icons, named by their tooltips. */
  g_assert_null (gtk_button_get_label (tokens->create_button));
  g_assert_cmpstr (gtk_button_get_icon_name (tokens->create_button), ==, "list-add-symbolic");
  g_assert_nonnull (gtk_widget_get_tooltip_text (GTK_WIDGET (tokens->create_button)));
  g_assert_cmpstr (gtk_button_get_icon_name (tokens->revoke_button), ==, "user-trash-symbolic");
  g_assert_nonnull (gtk_widget_get_tooltip_text (GTK_WIDGET (tokens->revoke_button)));

  /* The masked token is on one line. */
  mask = find_label_with_text (GTK_WIDGET (tokens->token_row), "●●●●●●●●●●●●");
  g_assert_nonnull (mask);
  g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (mask)), ==, 1);

  /* The create dialog is no wider than the window, calendar and all,
   * and its calendar starts a month ahead. */
  dialog = open_create_dialog (tokens);
  adw_combo_row_set_selected (dialog->expiry_row, 4);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog->calendar_group)));
  ba_app_test_run_for (200);
  g_assert_cmpint (minimum_width (GTK_WIDGET (dialog)), <=, 360);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (dialog)), <=, 360);
  shown = gtk_calendar_get_date (dialog->calendar);
  g_assert_cmpint (g_date_time_get_year (shown), ==, g_date_time_get_year (in_a_month));
  g_assert_cmpint (g_date_time_get_day_of_year (shown), ==, g_date_time_get_day_of_year (in_a_month));
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_close (GTK_WINDOW (dialog));
  BA_APP_TEST_WAIT_UNTIL (dialog == NULL);

  /* Wide again, all is back. */
  resize_window (window, 720, 750);
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (window)) >= 600 && !tokens->narrow);
  g_assert_true (gtk_column_view_column_get_visible (tokens->created_column));
  g_assert_true (gtk_column_view_column_get_visible (tokens->description_column));
  g_assert_cmpstr (gtk_button_get_label (tokens->create_button), ==, "_New Key…");
  g_assert_cmpstr (gtk_button_get_label (tokens->revoke_button), ==, "_Revoke…");

  log_out (window);
  ba_app_test_close_window (window);
  ba_test_server_stop (server);
  g_object_set (settings, "gtk-decoration-layout", layout, NULL);
}

/* Presses Escape on @widget the way its key bindings would see it: runs
 * the binding for it, if any; TRUE if something took the key. */
static gboolean
press_escape (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GtkShortcutTrigger) escape = gtk_keyval_trigger_new (GDK_KEY_Escape, 0);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), escape))
            return gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, widget,
                                                 gtk_shortcut_get_arguments (shortcut));
        }
    }

  return FALSE;
}

/* The keyboard: Escape leaves selection mode (and only then takes the
 * key), the red Revoke… shows only when it can apply, and Enter in the
 * Description row creates the key as Enter in Name does. */
static void
test_keyboard (void)
{
  g_autoptr(GError) error = NULL;
  BaTestServer *server;
  BaWindow *window;
  BaTokensPage *tokens;
  BaApiKeyDialog *dialog;
  GtkWidget *text;
  guint position = 0;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  log_in (window, server);
  tokens = show_tokens (window);
  g_free (create_key (window->account, "keyboard-key"));
  BA_APP_TEST_WAIT_UNTIL (find_key (tokens, "keyboard-key", &position) != NULL);
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (tokens->selection));

  /* Nothing selected, not selecting: no red button. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (tokens->revoke_button)));
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (tokens->selection), position, TRUE);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (tokens->revoke_button)));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (tokens->revoke_button)));
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (tokens->selection));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (tokens->revoke_button)));

  /* Selection mode shows it, insensitive until something is ticked. */
  ba_app_test_press (GTK_WIDGET (tokens->select_button));
  g_assert_true (gtk_toggle_button_get_active (tokens->select_button));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (tokens->revoke_button)));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (tokens->revoke_button)));
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (tokens->selection), position, FALSE);

  /* Escape leaves it, clearing the selection; then it is not ours. */
  g_assert_true (press_escape (GTK_WIDGET (tokens)));
  g_assert_false (gtk_toggle_button_get_active (tokens->select_button));
  g_assert_false (gtk_column_view_column_get_visible (tokens->check_column));
  g_assert_cmpuint (n_selected (tokens), ==, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (tokens->revoke_button)));
  g_assert_false (press_escape (GTK_WIDGET (tokens)));

  /* Enter in Description creates the key. */
  dialog = open_create_dialog (tokens);
  gtk_editable_set_text (GTK_EDITABLE (dialog->name_row), "from-description");
  gtk_editable_set_text (GTK_EDITABLE (dialog->description_row), "Enter pressed here");
  text = GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (dialog->description_row)));
  g_assert_true (GTK_IS_TEXT (text));
  /* What Return in the text field emits. */
  g_signal_emit_by_name (text, "activate");
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (dialog->stack), "key") == 0);
  BA_APP_TEST_WAIT_UNTIL (find_key (tokens, "from-description", NULL) != NULL);
  g_assert_cmpstr (ba_api_key_get_description (find_key (tokens, "from-description", NULL)), ==, "Enter pressed here");

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  ba_app_test_press (GTK_WIDGET (dialog->copy_button));
  ba_app_test_press (GTK_WIDGET (dialog->done_button));
  BA_APP_TEST_WAIT_UNTIL (dialog == NULL);

  log_out (window);
  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

/* A name of only spaces is no name: Create stays off and the counter says
 * it is required; spaces around a name are not sent. */
static void
test_name_trimmed (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  BaTestServer *server;
  BaWindow *window;
  BaTokensPage *tokens;
  BaApiKeyDialog *dialog;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  log_in (window, server);
  tokens = show_tokens (window);

  dialog = open_create_dialog (tokens);

  /* Untouched, nothing scolds. */
  g_assert_cmpstr (gtk_label_get_text (dialog->name_counter), ==, "0 of 50");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (dialog->name_counter), "error"));

  gtk_editable_set_text (GTK_EDITABLE (dialog->name_row), "   ");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (dialog->create_button)));
  g_assert_cmpstr (gtk_label_get_text (dialog->name_counter), ==, "Required");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (dialog->name_counter), "error"));

  /* Enter does not get around it either. */
  g_signal_emit_by_name (dialog->name_row, "entry-activated");
  ba_app_test_run_for (200);
  g_assert_false (dialog->busy);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (dialog->stack), ==, "form");

  gtk_editable_set_text (GTK_EDITABLE (dialog->name_row), "");
  g_assert_cmpstr (gtk_label_get_text (dialog->name_counter), ==, "Required");

  gtk_editable_set_text (GTK_EDITABLE (dialog->name_row), "  padded-name \t");
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (dialog->create_button)));
  g_assert_cmpstr (gtk_label_get_text (dialog->name_counter), ==, "11 of 50");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (dialog->name_counter), "error"));

  ba_app_test_press (GTK_WIDGET (dialog->create_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (dialog->stack), "key") == 0);

  /* What the server has, not only what the app shows. */
  body = list_keys_on_server (server, window);
  g_assert_nonnull (strstr (body, "\"padded-name\""));
  BA_APP_TEST_WAIT_UNTIL (find_key (tokens, "padded-name", NULL) != NULL);

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  ba_app_test_press (GTK_WIDGET (dialog->copy_button));
  ba_app_test_press (GTK_WIDGET (dialog->done_button));
  BA_APP_TEST_WAIT_UNTIL (dialog == NULL);

  log_out (window);
  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

/* Two toasts in a row once one is on screen: the second replaces the
 * first's text instead of dismissing a toast still in the queue, which
 * crashed libadwaita 1.2 (seen when "API key updated" was followed at once
 * by "Copied."). */
static void
test_toasts_in_a_row (void)
{
  BaWindow *window = ba_app_test_open_window ();

  ba_window_add_toast (window, "first news");
  ba_app_test_run_for (1000);
  ba_window_add_toast (window, "second news");
  ba_window_add_toast (window, "third news");
  ba_app_test_run_for (1000);
  g_assert_nonnull (ba_app_test_find_label (GTK_WIDGET (window), "third news"));
  g_assert_null (ba_app_test_find_label (GTK_WIDGET (window), "second news"));

  ba_app_test_close_window (window);
}

/* Revoking two keys, one already revoked elsewhere (the server answers
 * 401 for it, as pinejs does): both go, the toast counts both, and the
 * session goes on. */
static void
test_revoke_gone_elsewhere (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *listed = NULL;
  BaTestServer *server;
  BaWindow *window;
  BaTokensPage *tokens;
  BaApiKey *key;
  guint position;
  guint status;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  log_in (window, server);
  tokens = show_tokens (window);

  g_free (create_key (window->account, "gone-key"));
  g_free (create_key (window->account, "here-key"));
  g_free (create_key (window->account, "kept-key"));
  BA_APP_TEST_WAIT_UNTIL (find_key (tokens, "kept-key", NULL) != NULL);

  key = find_key (tokens, "gone-key", NULL);
  path = g_strdup_printf ("/v7/api_key(%" G_GINT64_FORMAT ")", ba_api_key_get_id (key));
  status = ba_test_server_request (server, "DELETE", path,
                                   ba_session_get_token (ba_account_get_session (window->account)),
                                   NULL, NULL, NULL, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);

  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (tokens->selection));
  g_assert_nonnull (find_key (tokens, "gone-key", &position));
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (tokens->selection), position, FALSE);
  g_assert_nonnull (find_key (tokens, "here-key", &position));
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (tokens->selection), position, FALSE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tokens), "tokens.revoke", NULL));
  g_assert_nonnull (tokens->revoke_dialog);
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (tokens->revoke_dialog), "_Revoke")));

  BA_APP_TEST_WAIT_UNTIL (!tokens->revoking);
  g_assert_null (find_key (tokens, "gone-key", NULL));
  g_assert_null (find_key (tokens, "here-key", NULL));
  g_assert_nonnull (find_key (tokens, "kept-key", NULL));
  g_assert_nonnull (ba_app_test_find_label (GTK_WIDGET (window), "2 API keys revoked"));
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "account");
  g_assert_cmpint (ba_account_get_state (window->account), ==, BA_ACCOUNT_STATE_ONLINE);
  listed = list_keys_on_server (server, window);
  g_assert_null (strstr (listed, "here-key"));
  g_assert_nonnull (strstr (listed, "kept-key"));

  log_out (window);
  ba_app_test_close_window (window);
  ba_test_server_stop (server);
}

/* Runs last: it leaves the account behind with its server gone. */
static void
test_empty_then_offline (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *tooltip = NULL;
  BaTestServer *server;
  BaWindow *window;
  BaTokensPage *tokens;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  log_in (window, server);
  tokens = show_tokens (window);

  /* No keys: the empty state, with its own Create button. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tokens->selection)), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (tokens->list_stack), ==, "empty");
  g_assert_nonnull (ba_app_test_find_button (GTK_WIDGET (tokens->empty_page), "_Create API Key…"));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (tokens->create_button)));

  g_free (create_key (window->account, "offline-visible"));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (gtk_stack_get_visible_child_name (tokens->list_stack), "list") == 0);

  /* The server goes away: the list stays, changes are refused with a
   * reason. */
  ba_test_server_stop (server);
  ba_account_revalidate_async (window->account, NULL, ba_app_test_store_result, &result);
  ba_account_revalidate_finish (window->account, ba_app_test_wait_result (&result), NULL);
  g_assert_cmpint (ba_account_get_state (window->account), ==, BA_ACCOUNT_STATE_OFFLINE);

  g_assert_nonnull (find_key (tokens, "offline-visible", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (tokens->list_stack), ==, "list");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (tokens->create_button)));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (tokens->revoke_button)));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (tokens->edit_button)));
  tooltip = gtk_widget_get_tooltip_text (GTK_WIDGET (tokens->create_button)) != NULL
            ? g_strdup (gtk_widget_get_tooltip_text (GTK_WIDGET (tokens->create_button))) : NULL;
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, "Offline"));
  gtk_widget_activate_action (GTK_WIDGET (tokens), "tokens.create", NULL);
  g_assert_null (tokens->dialog);

  ba_app_test_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GSettings) settings = NULL;
  int ret;

  tmpdir = ba_app_test_init (&argc, &argv, NULL);

  /* The shortest delay the schema allows, so the clear is seen quickly. */
  settings = g_settings_new ("io.github.balena_accounts.Accounts");
  g_settings_set_uint (settings, "clipboard-clear-seconds", 5);

  g_test_add_func ("/ba/tokens-page/create-copy-save", test_create_copy_save);
  g_test_add_func ("/ba/tokens-page/account-change-keeps-key", test_account_change_keeps_key);
  g_test_add_func ("/ba/tokens-page/window-close-keeps-key", test_window_close_keeps_key);
  g_test_add_func ("/ba/tokens-page/revoke-rename-reveal", test_revoke_rename_reveal);
  g_test_add_func ("/ba/tokens-page/selection-mode", test_selection_mode);
  g_test_add_func ("/ba/tokens-page/times-update", test_times_update);
  g_test_add_func ("/ba/tokens-page/fresh-auth", test_fresh_auth);
  g_test_add_func ("/ba/tokens-page/api-key-session", test_api_key_session);
  g_test_add_func ("/ba/tokens-page/custom-expiry", test_custom_expiry);
  g_test_add_func ("/ba/tokens-page/narrow-window", test_narrow_window);
  g_test_add_func ("/ba/tokens-page/keyboard", test_keyboard);
  g_test_add_func ("/ba/tokens-page/name-trimmed", test_name_trimmed);
  g_test_add_func ("/ba/tokens-page/toasts-in-a-row", test_toasts_in_a_row);
  g_test_add_func ("/ba/tokens-page/revoke-gone-elsewhere", test_revoke_gone_elsewhere);
  g_test_add_func ("/ba/tokens-page/empty-then-offline", test_empty_then_offline);

  ret = g_test_run ();

  ba_app_test_cleanup (tmpdir);

  return ret;
}
