/* test-token-login.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ba-account.h"
#include "ba-balena-cli.h"
#include "ba-client-test-utils.h"
#include "ba-error.h"
#include "ba-jwt.h"
#include "ba-test-server.h"
#include "ba-wipe.h"

/* Logging in with a session token or an API key (like balena login
 * --token) against a spawned server, and the balena CLI's settings and
 * saved login. */

static char *tmpdir;

typedef struct
{
  BaTestServer  *server;
  BaSecretStore *store;
  BaVault       *vault;
  char          *dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static guint counter;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autofree char *vault_path = NULL;
  GAsyncResult *result = NULL;

  f->server = ba_test_server_start (TRUE, &error);
  g_assert_no_error (error);

  f->store = ba_secret_store_new ();
  ba_secret_store_get_vault_key_async (f->store, NULL, ba_client_test_store_result, &result);
  key = ba_secret_store_get_vault_key_finish (f->store, ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);

  f->dir = g_strdup_printf ("%s/token-%u", tmpdir, counter++);
  g_assert_cmpint (g_mkdir_with_parents (f->dir, 0700), ==, 0);
  vault_path = g_build_filename (f->dir, "vault.db", NULL);
  f->vault = ba_vault_open (vault_path, key, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->server, ba_test_server_stop);
  g_clear_object (&f->vault);
  g_clear_object (&f->store);
  g_clear_pointer (&f->dir, g_free);
}

static char *
password_token (Fixture *f)
{
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}",
                                           ba_test_server_get_demo_username (f->server),
                                           ba_test_server_get_demo_password (f->server));
  char *token = NULL;
  guint status;

  status = ba_test_server_request (f->server, "POST", "/login_", NULL, "application/json",
                                   body, &token, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);

  return token;
}

static char *
new_api_key (Fixture *f)
{
  g_autofree char *token = password_token (f);
  g_autofree char *body = NULL;
  guint status;

  status = ba_test_server_request (f->server, "POST", "/api-key/user/full", token,
                                   "application/json", "{\"name\":\"cli\"}", &body, NULL, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (body[0] == '"');

  return g_strndup (body + 1, strlen (body) - 2);
}

static BaAccount *
token_login (Fixture     *f,
             const char  *token,
             GError     **error)
{
  GAsyncResult *result = NULL;
  BaAccount *account;

  ba_account_login_with_token_async (ba_test_server_get_url (f->server), token, f->store, f->vault,
                                     NULL, ba_client_test_store_result, &result);
  account = ba_account_login_with_token_finish (ba_client_test_wait (&result), error);
  g_object_unref (result);

  return account;
}

static char *
stored_token (Fixture   *f,
              BaAccount *account)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  char *secret;
  char *copy;

  ba_secret_store_lookup_token_async (f->store, ba_account_get_id (account), NULL,
                                      ba_client_test_store_result, &result);
  secret = ba_secret_store_lookup_token_finish (f->store, ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  copy = g_strdup (secret);
  secret_password_free (secret);

  return copy;
}

static void
test_session_token (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *token = password_token (f);
  g_autofree char *padded = g_strconcat ("  ", token, "\n", NULL);
  g_autofree char *stored = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  /* Pasted with spaces and a newline around it. */
  account = token_login (f, padded, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_account_get_username (account), ==, "demo");
  g_assert_cmpint (ba_account_get_state (account), ==, BA_ACCOUNT_STATE_ONLINE);
  g_assert_false (ba_session_is_api_key (ba_account_get_session (account)));

  stored = stored_token (f, account);
  g_assert_cmpstr (stored, ==, token);
}

static void
test_api_key (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *key = new_api_key (f);
  g_autofree char *stored = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  char *secret;

  account = token_login (f, key, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_account_get_username (account), ==, "demo");
  g_assert_true (ba_session_is_api_key (ba_account_get_session (account)));
  stored = stored_token (f, account);
  g_assert_cmpstr (stored, ==, key);

  /* What an API key cannot do: manage API keys. */
  ba_account_create_api_key_async (account, "more", NULL, 0, NULL,
                                   ba_client_test_store_result, &result);
  secret = ba_account_create_api_key_finish (account, ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_null (secret);
  g_assert_error (error, BA_ERROR, BA_ERROR_PERMISSION_DENIED);
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *token = password_token (f);
  g_autoptr(GBytes) secret = ba_test_server_get_jwt_secret (f->server);
  g_autoptr(JsonObject) claims = NULL;
  g_autofree char *expired = NULL;
  g_autofree char *forged = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaVaultAccount) row = NULL;
  GAsyncResult *result = NULL;
  BaAccount *account;
  gsize len;
  const guint8 *bytes = g_bytes_get_data (secret, &len);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  claims = ba_jwt_decode (token, bytes, len, &error);
  g_assert_no_error (error);

  /* Expired: refused before any request. */
  json_object_set_int_member (claims, "exp", now - 60);
  expired = ba_jwt_encode_hs256 (claims, bytes, len);
  account = token_login (f, expired, &error);
  g_assert_null (account);
  g_assert_error (error, BA_ERROR, BA_ERROR_TOKEN_EXPIRED);
  g_clear_error (&error);

  /* Well-formed but signed by someone else: the server says no. */
  json_object_set_int_member (claims, "exp", now + 3600);
  forged = ba_jwt_encode_hs256 (claims, (const guint8 *) "not the secret", 14);
  account = token_login (f, forged, &error);
  g_assert_null (account);
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN);
  g_clear_error (&error);

  /* An API key nobody issued. */
  account = token_login (f, "AbCdEfGhIjKlMnOpQrStUvWxYz012345", &error);
  g_assert_null (account);
  g_assert_error (error, BA_ERROR, BA_ERROR_NOT_LOGGED_IN);
  g_clear_error (&error);

  /* Not a credential at all. */
  account = token_login (f, "two words", &error);
  g_assert_null (account);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_TOKEN);
  g_clear_error (&error);

  account = token_login (f, " \n", &error);
  g_assert_null (account);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_TOKEN);
  g_clear_error (&error);

  /* Nothing was stored. */
  ba_vault_load_last_account_async (f->vault, NULL, ba_client_test_store_result, &result);
  row = ba_vault_load_last_account_finish (f->vault, ba_client_test_wait (&result), &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_null (row);
}

static void
test_server_down (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *token = password_token (f);
  g_autoptr(GError) error = NULL;
  BaAccount *account;

  ba_test_server_terminate (f->server, NULL);
  account = token_login (f, token, &error);
  g_assert_null (account);
  g_assert_error (error, BA_ERROR, BA_ERROR_OFFLINE);
}

static char *
read_cli_token (const BaBalenarc  *settings,
                const char        *home,
                GError           **error)
{
  GAsyncResult *result = NULL;
  char *token;

  ba_balena_cli_read_token_async (settings, home, NULL, ba_client_test_store_result, &result);
  token = ba_balena_cli_read_token_finish (ba_client_test_wait (&result), error);
  g_object_unref (result);

  return token;
}

static BaBalenarc *
load_settings (const char         *home,
               const char         *cwd,
               const char * const *envp)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  BaBalenarc *settings;

  ba_balena_cli_load_settings_async (home, cwd, envp, NULL, ba_client_test_store_result, &result);
  settings = ba_balena_cli_load_settings_finish (ba_client_test_wait (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);

  return settings;
}

static void
test_cli_import (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *home = g_build_filename (f->dir, "home", NULL);
  g_autofree char *balena_dir = g_build_filename (home, ".balena", NULL);
  g_autofree char *token_path = g_build_filename (balena_dir, "token", NULL);
  g_autofree char *rc_path = g_build_filename (home, ".balenarc.yml", NULL);
  g_autofree char *rc = NULL;
  g_autofree char *token = password_token (f);
  g_autofree char *api_url = NULL;
  g_autoptr(BaBalenarc) settings = NULL;
  g_autoptr(BaSecretString) found = NULL;
  g_autoptr(BaAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  const char * const envp[] = { "PATH=/usr/bin", NULL };

  g_assert_cmpint (g_mkdir_with_parents (balena_dir, 0700), ==, 0);

  /* No CLI login yet: nothing to offer, and no error. */
  settings = load_settings (home, NULL, envp);
  found = read_cli_token (settings, home, &error);
  g_assert_no_error (error);
  g_assert_null (found);

  /* The CLI pointed at this server, logged in. */
  rc = g_strdup_printf ("# balena CLI\napiUrl: '%s'\n", ba_test_server_get_url (f->server));
  g_assert_true (g_file_set_contents (rc_path, rc, -1, NULL));
  g_assert_true (g_file_set_contents (token_path, token, -1, NULL));
  g_clear_pointer (&settings, ba_balenarc_free);
  settings = load_settings (home, NULL, envp);
  api_url = ba_balenarc_dup_api_url (settings);
  g_assert_cmpstr (api_url, ==, ba_test_server_get_url (f->server));

  found = read_cli_token (settings, home, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, token);

  /* Offered only after it checks out. */
  account = token_login (f, found, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ba_account_get_username (account), ==, "demo");

  /* A dataDirectory elsewhere is followed. */
  {
    g_autofree char *other = g_build_filename (f->dir, "data", NULL);
    g_autofree char *other_token = g_build_filename (other, "token", NULL);
    g_autofree char *env = g_strconcat ("BALENARC_DATA_DIRECTORY=", other, NULL);
    const char * const envp2[] = { env, NULL };
    g_autoptr(BaBalenarc) settings2 = NULL;
    g_autoptr(BaSecretString) found2 = NULL;

    g_assert_cmpint (g_mkdir_with_parents (other, 0700), ==, 0);
    g_assert_true (g_file_set_contents (other_token, "  key123\n", -1, NULL));
    settings2 = load_settings (home, NULL, envp2);
    found2 = read_cli_token (settings2, home, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (found2, ==, "key123");
  }
}

static void
test_settings_files (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *home = g_build_filename (f->dir, "rc-home", NULL);
  g_autofree char *cwd = g_build_filename (f->dir, "rc-cwd", NULL);
  g_autofree char *resinrc = g_build_filename (home, ".resinrc.yml", NULL);
  g_autofree char *balenarc = g_build_filename (home, ".balenarc.yml", NULL);
  g_autofree char *project = g_build_filename (cwd, "balenarc.yml", NULL);
  g_autoptr(BaBalenarc) settings = NULL;
  g_autofree char *api = NULL;
  g_autofree char *dashboard = NULL;
  const char * const envp[] = { "BALENARC_DASHBOARD_URL=https://dash.env", NULL };

  g_assert_cmpint (g_mkdir_with_parents (home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (cwd, 0700), ==, 0);
  g_assert_true (g_file_set_contents (resinrc, "balenaUrl: resin.example\ndashboardUrl: https://d.resin\n", -1, NULL));
  g_assert_true (g_file_set_contents (balenarc, "balenaUrl: home.example\n", -1, NULL));
  g_assert_true (g_file_set_contents (project, "apiUrl: https://api.project\n", -1, NULL));

  settings = load_settings (home, cwd, envp);
  api = ba_balenarc_dup_api_url (settings);
  dashboard = ba_balenarc_dup_dashboard_url (settings);
  g_assert_cmpstr (settings->balena_url, ==, "home.example");
  g_assert_cmpstr (api, ==, "https://api.project");
  g_assert_cmpstr (dashboard, ==, "https://dash.env");

  /* A broken file is skipped, the others still count. */
  g_assert_true (g_file_set_contents (balenarc, "balenaUrl: 'broken\n", -1, NULL));
  g_clear_pointer (&settings, ba_balenarc_free);
  settings = load_settings (home, cwd, NULL);
  g_assert_cmpstr (settings->balena_url, ==, "resin.example");
}

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits for @slot at most 10 s; FALSE if nothing came (a blocked read). */
static gboolean
wait_at_most_10_s (GAsyncResult **slot)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (10, set_flag_cb, &timed_out);

  while (*slot == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);

  return *slot != NULL;
}

/* The token and settings files are the user's, but what sits at their
 * paths is not always a file: a FIFO would block a plain read forever,
 * /dev/zero would never end, a huge file would fill the memory. Such
 * things are refused at once; a symbolic link to a real file still
 * works (dotfile managers make them). */
static void
test_odd_files (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *home = g_build_filename (f->dir, "odd-home", NULL);
  g_autofree char *balena_dir = g_build_filename (home, ".balena", NULL);
  g_autofree char *token_path = g_build_filename (balena_dir, "token", NULL);
  g_autofree char *rc_path = g_build_filename (home, ".balenarc.yml", NULL);
  g_autofree char *real_token = g_build_filename (home, "real-token", NULL);
  g_autoptr(BaBalenarc) settings = NULL;
  g_autoptr(BaSecretString) found = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  int fd;

  g_assert_cmpint (g_mkdir_with_parents (balena_dir, 0700), ==, 0);

  /* FIFOs: no writer ever comes. */
  g_assert_cmpint (mkfifo (token_path, 0600), ==, 0);
  g_assert_cmpint (mkfifo (rc_path, 0600), ==, 0);

  ba_balena_cli_load_settings_async (home, NULL, NULL, NULL, ba_client_test_store_result, &result);
  g_assert_true (wait_at_most_10_s (&result));
  settings = ba_balena_cli_load_settings_finish (result, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_null (settings->balena_url);

  ba_balena_cli_read_token_async (settings, home, NULL, ba_client_test_store_result, &result);
  g_assert_true (wait_at_most_10_s (&result));
  found = ba_balena_cli_read_token_finish (result, &error);
  g_clear_object (&result);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_TOKEN);
  g_assert_null (found);
  g_clear_error (&error);

  /* A (sparse) file of 100 MiB is not read. */
  g_assert_cmpint (g_unlink (token_path), ==, 0);
  fd = g_open (token_path, O_WRONLY | O_CREAT, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 100 * 1024 * 1024), ==, 0);
  close (fd);
  found = read_cli_token (settings, home, &error);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_TOKEN);
  g_assert_null (found);
  g_clear_error (&error);

  /* A symbolic link to a real token file is followed. */
  g_assert_cmpint (g_unlink (token_path), ==, 0);
  g_assert_true (g_file_set_contents (real_token, "key456\n", -1, NULL));
  g_assert_cmpint (symlink (real_token, token_path), ==, 0);
  found = read_cli_token (settings, home, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "key456");

  g_unlink (token_path);
  g_unlink (rc_path);
  g_unlink (real_token);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  tmpdir = ba_client_test_init (&argc, &argv);

#define ADD(path, func) \
  g_test_add ("/ba/token-login/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("session-token", test_session_token);
  ADD ("api-key", test_api_key);
  ADD ("refused", test_refused);
  ADD ("server-down", test_server_down);
  ADD ("cli-import", test_cli_import);
  ADD ("settings-files", test_settings_files);
  ADD ("odd-files", test_odd_files);

#undef ADD

  ret = g_test_run ();
  ba_client_test_cleanup (tmpdir);

  return ret;
}
