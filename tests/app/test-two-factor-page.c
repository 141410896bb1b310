/* test-two-factor-page.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Two-factor authentication through the real widgets under a display and
 * a spawned server: turning it on by computing the code from the setup
 * key shown on the page, a wrong code first, the recovery codes dialog
 * (copy, save 0600, the required confirmation), logging out and in again
 * with a TOTP code and with a recovery code, regenerating the codes with
 * the password, and turning it off. */

#define G_LOG_DOMAIN "test-two-factor-page"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "ba-account-page-private.h"
#include "ba-account-private.h"
#include "ba-jwt.h"
#include "ba-app-test-utils.h"
#include "ba-base32.h"
#include "ba-challenge-page-private.h"
#include "ba-login-page-private.h"
#include "ba-recovery-codes-dialog-private.h"
#include "ba-secure-clipboard.h"
#include "ba-test-server.h"
#include "ba-totp.h"
#include "ba-two-factor-page-private.h"
#include "ba-window-private.h"

static char *tmpdir;

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
wait_for_fresh_step (void)
{
  gint64 into = now_seconds () % BA_TOTP_DEFAULT_PERIOD;

  if (into > BA_TOTP_DEFAULT_PERIOD - 10)
    ba_app_test_run_for ((BA_TOTP_DEFAULT_PERIOD - into + 1) * 1000);
}

/* The code an authenticator app shows for @key (the page's setup key, in
 * its blocks) at step @offset from now. */
static char *
code_from_key (const char *grouped_key,
               int         offset)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *key = NULL;
  gsize len = 0;
  gint64 step = now_seconds () / BA_TOTP_DEFAULT_PERIOD + offset;

  key = ba_base32_decode (grouped_key, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, ==, 20);

  return ba_totp_generate (BA_TOTP_SHA1, key, len, step * BA_TOTP_DEFAULT_PERIOD,
                           BA_TOTP_DEFAULT_PERIOD, BA_TOTP_DEFAULT_DIGITS);
}

static const char *
last_toast (BaWindow *window)
{
  return window->toast != NULL ? adw_toast_get_title (window->toast) : "";
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
}

static void
log_out (BaWindow *window)
{
  BaAccountPage *page = window->account_page;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "account.logout", NULL));
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (page->logout_dialog), "_Log Out")));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "login") == 0);
}

static BaTwoFactorPage *
show_two_factor (BaWindow *window)
{
  BaAccountPage *page = window->account_page;
  GtkWidget *child = adw_view_stack_get_child_by_name (page->view_stack, "two-factor");

  g_assert_nonnull (child);
  g_assert_true (adw_view_stack_page_get_visible (adw_view_stack_get_page (page->view_stack, child)));
  adw_view_stack_set_visible_child_name (page->view_stack, "two-factor");
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_mapped (child));

  return BA_TWO_FACTOR_PAGE (child);
}

/* Answers the open password dialog. */
static void
give_password (BaTwoFactorPage *page,
               const char      *password,
               const char      *button)
{
  GtkWidget *entry;

  BA_APP_TEST_WAIT_UNTIL (page->password_dialog != NULL &&
                          gtk_widget_get_mapped (GTK_WIDGET (page->password_dialog)));
  entry = adw_message_dialog_get_extra_child (page->password_dialog);
  g_assert_true (GTK_IS_ENTRY (entry));
  g_assert_false (gtk_entry_get_visibility (GTK_ENTRY (entry)));
  gtk_editable_set_text (GTK_EDITABLE (entry), password);
  ba_app_test_press (GTK_WIDGET (ba_app_test_find_button (GTK_WIDGET (page->password_dialog), button)));
  BA_APP_TEST_WAIT_UNTIL (page->password_dialog == NULL);
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

/* Checks the dialog, saves the codes to a 0600 file, confirms and closes;
 * returns the codes read back from the file. */
static char **
keep_codes (BaTwoFactorPage *page)
{
  BaRecoveryCodesDialog *dialog;
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *copied = NULL;
  g_autoptr(GError) error = NULL;
  GdkClipboard *clipboard;
  char **codes;
  GStatBuf st;

  BA_APP_TEST_WAIT_UNTIL (page->codes_dialog != NULL &&
                          gtk_widget_get_mapped (GTK_WIDGET (page->codes_dialog)));
  dialog = page->codes_dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  /* Copy, Save and Print are there; Close waits for the confirmation. */
  g_assert_nonnull (ba_app_test_find_button (GTK_WIDGET (dialog), "_Close"));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (dialog->close_button)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog->print_button)));

  /* Closing now is refused. */
  gtk_window_close (GTK_WINDOW (dialog));
  ba_app_test_run_for (100);
  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (dialog)));

  /* Copy goes through the secure clipboard. */
  ba_app_test_press (GTK_WIDGET (dialog->copy_button));
  clipboard = gdk_display_get_clipboard (gtk_widget_get_display (GTK_WIDGET (dialog)));
  g_assert_true (gdk_content_formats_contain_mime_type (gdk_clipboard_get_formats (clipboard),
                                                        "x-kde-passwordManagerHint"));
  copied = read_clipboard_text (clipboard);

  path = g_build_filename (tmpdir, "recovery-codes.txt", NULL);
  g_remove (path);
  file = g_file_new_for_path (path);
  ba_recovery_codes_dialog_save_to_file (dialog, file);
  BA_APP_TEST_WAIT_UNTIL (dialog->saved_to_file);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, copied);
  codes = g_strsplit (g_strstrip (contents), "\n", -1);
  g_assert_cmpuint (g_strv_length (codes), ==, 10);
  for (guint i = 0; codes[i] != NULL; i++)
    {
      g_assert_true (g_regex_match_simple ("^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$", codes[i], 0, 0));
      g_assert_nonnull (strstr (gtk_label_get_text (dialog->codes_label), codes[i]));
    }

  /* Print draws the codes (exported to PDF here instead of a printer). */
  {
    g_autofree char *pdf = g_build_filename (tmpdir, "recovery-codes.pdf", NULL);
    g_autofree char *bytes = NULL;
    gsize size = 0;

    g_assert_true (ba_recovery_codes_dialog_export_pdf (dialog, pdf, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (pdf, &bytes, &size, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (size, >, 1000);
    g_assert_true (g_str_has_prefix (bytes, "%PDF"));
    g_remove (pdf);
  }

  /* Confirmed, it closes, and the label is emptied. */
  gtk_check_button_set_active (dialog->saved_check, TRUE);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (dialog->close_button)));
  ba_app_test_press (GTK_WIDGET (dialog->close_button));
  BA_APP_TEST_WAIT_UNTIL (dialog == NULL);
  g_remove (path);

  return codes;
}

static BaChallengePage *
wait_for_challenge (BaWindow *window)
{
  BA_APP_TEST_WAIT_UNTIL (ba_challenge_page_get_for (window->login_page) != NULL);
  return ba_challenge_page_get_for (window->login_page);
}

static void
test_enable_login_disable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaTestServer) server = NULL;
  g_auto(GStrv) codes = NULL;
  g_auto(GStrv) renewed = NULL;
  g_autofree char *key = NULL;
  g_autofree char *code = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *wrong_password = NULL;
  BaWindow *window;
  BaTwoFactorPage *page;
  BaChallengePage *challenge;
  GtkAccessible *qr;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  window = ba_app_test_open_window ();
  log_in (window, server);
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);

  page = show_two_factor (window);
  g_assert_cmpstr (adw_action_row_get_subtitle (page->status_row), ==, "Off");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->recovery_group)));

  /* Just logged in, so fresh: no password needed to start. */
  ba_app_test_press (GTK_WIDGET (page->enable_button));
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_visible (page->setup_box) &&
                          gtk_picture_get_paintable (page->qr_picture) != NULL);
  g_assert_null (page->password_dialog);

  /* The QR code is labelled for screen readers and drawn crisp. */
  qr = GTK_ACCESSIBLE (page->qr_picture);
  g_assert_nonnull (gtk_picture_get_alternative_text (page->qr_picture));
  gtk_test_accessible_assert_property (qr, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "Scan it with your authenticator app, or type the setup key shown below it instead.");
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (gtk_picture_get_paintable (page->qr_picture)), >=, 29 * 6);

  /* The key in blocks of four, as it would be typed into a phone. */
  key = g_strdup (adw_action_row_get_subtitle (page->key_row));
  g_assert_true (g_regex_match_simple ("^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$", key, 0, 0));

  /* Copy the key: secure clipboard. */
  ba_app_test_press (GTK_WIDGET (page->copy_key_button));
  {
    GdkClipboard *clipboard = gdk_display_get_clipboard (gtk_widget_get_display (GTK_WIDGET (page)));
    g_autofree char *text = read_clipboard_text (clipboard);
    g_autofree char *plain = g_strdup (key);

    g_strdelimit (plain, " ", '\0');
    g_assert_cmpuint (strlen (text), ==, 32);
    g_assert_true (g_str_has_prefix (text, plain));
  }

  /* A wrong code says so and keeps the QR code. */
  wait_for_fresh_step ();
  code = code_from_key (key, 0);
  wrong = g_strdup_printf ("%06d", (atoi (code) + 1) % 1000000);
  gtk_editable_set_text (GTK_EDITABLE (page->code_row), wrong);
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (page->code_error_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (page->code_error_label), "not correct"));
  g_assert_nonnull (gtk_picture_get_paintable (page->qr_picture));
  g_assert_true (gtk_widget_get_visible (page->setup_box));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (page->code_row)), ==, "");

  /* The right one, typed digit by digit, submits itself once complete. */
  for (guint i = 1; i <= 6; i++)
    {
      g_autofree char *part = g_strndup (code, i);

      gtk_editable_set_text (GTK_EDITABLE (page->code_row), part);
      if (i < 6)
        g_assert_false (page->busy);
    }

  codes = keep_codes (page);
  g_assert_cmpstr (adw_action_row_get_subtitle (page->status_row), ==, "On");
  g_assert_false (gtk_widget_get_visible (page->setup_box));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->recovery_group)));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (adw_action_row_get_subtitle (page->recovery_row), "10 of 10 left") == 0);

  /* Log out; logging in now asks for a code after the password. */
  log_out (window);
  log_in (window, server);
  challenge = wait_for_challenge (window);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (window->login_page->password_row)), ==, "");
  g_assert_nonnull (ba_app_test_find_button (GTK_WIDGET (challenge), "Use a Recovery Code Instead"));

  /* A wrong code keeps the page with an error. */
  gtk_editable_set_text (GTK_EDITABLE (challenge->code_row), wrong);
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (challenge->error_label)));
  g_assert_cmpstr (ba_app_test_visible_page (window), ==, "login");

  /* The next code (the one that enabled it was used) logs in. */
  g_clear_pointer (&code, g_free);
  wait_for_fresh_step ();
  code = code_from_key (key, 1);
  gtk_editable_set_text (GTK_EDITABLE (challenge->code_row), code);
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  g_assert_null (ba_challenge_page_get_for (window->login_page));
  page = show_two_factor (window);
  g_assert_cmpstr (adw_action_row_get_subtitle (page->status_row), ==, "On");

  /* Again, with a recovery code this time; back and forth first. */
  log_out (window);
  log_in (window, server);
  challenge = wait_for_challenge (window);
  ba_app_test_press (GTK_WIDGET (challenge->back_button));
  BA_APP_TEST_WAIT_UNTIL (ba_challenge_page_get_for (window->login_page) == NULL);
  log_in (window, server);
  challenge = wait_for_challenge (window);
  ba_app_test_press (GTK_WIDGET (challenge->switch_button));
  g_assert_true (challenge->recovery_mode);
  g_assert_cmpstr (gtk_button_get_label (challenge->switch_button), ==, "Use Your Authenticator App Instead");
  gtk_editable_set_text (GTK_EDITABLE (challenge->code_row), "aaaa-bbbb-cccc");
  ba_app_test_press (GTK_WIDGET (challenge->verify_button));
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_visible (GTK_WIDGET (challenge->error_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (challenge->error_label), "not valid or was already used"));
  gtk_editable_set_text (GTK_EDITABLE (challenge->code_row), codes[2]);
  ba_app_test_press (GTK_WIDGET (challenge->verify_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);

  /* How many are left, with a nudge. */
  BA_APP_TEST_WAIT_UNTIL (strstr (last_toast (window), "9 left") != NULL);
  page = show_two_factor (window);
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (adw_action_row_get_subtitle (page->recovery_row), "9 of 10 left") == 0);

  /* Regenerate asks for the password; a new set replaces the old. */
  ba_app_test_press (GTK_WIDGET (page->regenerate_button));
  give_password (page, ba_test_server_get_demo_password (server), "_Get New Codes");
  renewed = keep_codes (page);
  for (guint i = 0; codes[i] != NULL; i++)
    g_assert_false (g_strv_contains ((const char * const *) renewed, codes[i]));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (adw_action_row_get_subtitle (page->recovery_row), "10 of 10 left") == 0);

  /* Turning it off asks for the password; a wrong one changes nothing. */
  wrong_password = g_strconcat (ba_test_server_get_demo_password (server), "-wrong", NULL);
  ba_app_test_press (GTK_WIDGET (page->disable_button));
  give_password (page, wrong_password, "_Turn Off");
  BA_APP_TEST_WAIT_UNTIL (strstr (last_toast (window), "password is not correct") != NULL);
  g_assert_cmpstr (adw_action_row_get_subtitle (page->status_row), ==, "On");

  ba_app_test_press (GTK_WIDGET (page->disable_button));
  give_password (page, ba_test_server_get_demo_password (server), "_Turn Off");
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (adw_action_row_get_subtitle (page->status_row), "Off") == 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->recovery_group)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->enable_button)));

  /* And the next login needs no code. */
  log_out (window);
  log_in (window, server);
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);

  ba_app_test_close_window (window);
}

/* A session whose password is older than 20 minutes: turning 2FA on asks
 * for the password first (the recovery codes need a fresh session); a
 * wrong one is refused and nothing starts. */
static void
test_stale_session_asks_password (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaTestServer) server = NULL;
  g_autoptr(GBytes) secret = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autofree char *stale = NULL;
  g_autofree char *wrong = NULL;
  GAsyncResult *result = NULL;
  BaTwoFactorPage *page;
  BaWindow *window;
  gint64 then = now_seconds () - 2 * 60 * 60;
  const guint8 *data;
  gsize len = 0;

  server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);
  window = ba_app_test_open_window ();
  /* The account of the previous case may be restored from the vault. */
  if (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0)
    log_out (window);
  log_in (window, server);
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);

  secret = ba_test_server_get_jwt_secret (server);
  data = g_bytes_get_data (secret, &len);
  claims = ba_jwt_decode (ba_session_get_token (ba_account_get_session (window->account)), data, len, &error);
  g_assert_no_error (error);
  json_object_set_int_member (claims, "iat", then);
  json_object_set_int_member (claims, "authTime", then * 1000);
  stale = ba_jwt_encode_hs256 (claims, data, len);
  ba_account_replace_token_async (window->account, stale, NULL, ba_app_test_store_result, &result);
  g_assert_true (ba_account_replace_token_finish (window->account, ba_app_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  page = show_two_factor (window);
  ba_app_test_press (GTK_WIDGET (page->enable_button));
  wrong = g_strconcat (ba_test_server_get_demo_password (server), "-wrong", NULL);
  give_password (page, wrong, "_Continue");
  BA_APP_TEST_WAIT_UNTIL (!page->busy);
  g_assert_false (gtk_widget_get_visible (page->setup_box));
  g_assert_cmpstr (last_toast (window), !=, "");

  ba_app_test_press (GTK_WIDGET (page->enable_button));
  give_password (page, ba_test_server_get_demo_password (server), "_Continue");
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_visible (page->setup_box) &&
                          gtk_picture_get_paintable (page->qr_picture) != NULL);
  g_assert_true (ba_session_is_fresh (ba_account_get_session (window->account), now_seconds ()));

  /* Cancel forgets the key on screen. */
  ba_app_test_press (GTK_WIDGET (page->cancel_setup_button));
  g_assert_false (gtk_widget_get_visible (page->setup_box));
  g_assert_null (gtk_picture_get_paintable (page->qr_picture));
  g_assert_null (page->setup_key);
  g_assert_cmpstr (adw_action_row_get_subtitle (page->status_row), ==, "Off");

  ba_app_test_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GSettings) settings = NULL;
  int ret;

  /* GTK's test accessibility backend, so the QR code's accessible
   * description can be checked (the suite's default is none). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  tmpdir = ba_app_test_init (&argc, &argv, NULL);

  settings = g_settings_new ("io.github.balena_accounts.Accounts");
  g_settings_set_uint (settings, "clipboard-clear-seconds", 5);

  g_test_add_func ("/ba/two-factor-page/enable-login-disable", test_enable_login_disable);
  g_test_add_func ("/ba/two-factor-page/stale-session-asks-password", test_stale_session_asks_password);

  ret = g_test_run ();

  ba_app_test_cleanup (tmpdir);

  return ret;
}
