/* test-server-cli.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-server-cli"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

/* The command line of balena-accounts-server: options, refusals, the
 * stdout contract, signals and TLS. These spawn the binary directly. */

#define TIMEOUT_SECONDS 20

typedef struct
{
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
run_until_done (Wait         *wait,
                GCancellable *cancellable)
{
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (TIMEOUT_SECONDS);

  g_source_set_callback (timeout, timeout_cb, cancellable, NULL);
  g_source_attach (timeout, g_main_context_get_thread_default ());
  while (!wait->done)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  g_source_destroy (timeout);
}

static char *
make_data_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-server-cli-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_data_dir (const char *dir)
{
  g_autoptr(GDir) entries = g_dir_open (dir, 0, NULL);
  const char *name;

  while (entries != NULL && (name = g_dir_read_name (entries)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        remove_data_dir (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

/* Runs the server with @args (NULL-terminated) until it exits, which these
 * cases expect it to do at once. Kills it after a timeout so that a server
 * that wrongly starts does not hang the test. */
static int
run (const char * const  *args,
     char               **out_stdout,
     char               **out_stderr)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };

  g_ptr_array_add (argv, (char *) g_getenv ("BA_SERVER_PATH"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);

  g_subprocess_communicate_utf8_async (process, NULL, cancellable, wait_cb, &wait);
  run_until_done (&wait, cancellable);
  g_subprocess_communicate_utf8_finish (process, wait.result, out_stdout, out_stderr, &error);
  g_object_unref (wait.result);

  if (error != NULL)
    {
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      g_error ("The server did not exit: %s", error->message);
    }

  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static void
test_version (void)
{
  const char *args[] = { "--version", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (args, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "balena-accounts-server " PACKAGE_VERSION "\n");
}

static void
test_missing_data_dir (void)
{
  const char *args[] = { "--listen", "127.0.0.1:0", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (args, &out, &err), !=, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "--data-dir"));
}

static void
test_non_loopback_refused (void)
{
  g_autofree char *dir = make_data_dir ();
  const char *addresses[] = { "0.0.0.0:0", "[::]:0", "192.0.2.1:0" };

  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      const char *args[] = { "--listen", addresses[i], "--data-dir", dir, NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_test_message ("%s", addresses[i]);
      g_assert_cmpint (run (args, &out, &err), ==, 1);
      g_assert_cmpstr (out, ==, "");
      g_assert_nonnull (strstr (err, "TLS"));
    }

  remove_data_dir (dir);
}

static void
test_bad_arguments (void)
{
  g_autofree char *dir = make_data_dir ();
  const char *addresses[] = { "nonsense", "127.0.0.1", "127.0.0.1:99999", "127.0.0.1:x",
                              "example.com:80", ":80" };

  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      const char *args[] = { "--listen", addresses[i], "--data-dir", dir, NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_test_message ("%s", addresses[i]);
      g_assert_cmpint (run (args, &out, &err), !=, 0);
      g_assert_cmpstr (out, ==, "");
      g_assert_cmpstr (err, !=, "");
    }

  {
    const char *args[] = { "--data-dir", dir, "--tls-cert", "/nonexistent.pem", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    /* A certificate without its key. */
    g_assert_cmpint (run (args, &out, &err), !=, 0);
    g_assert_nonnull (strstr (err, "--tls-key"));
  }

  {
    const char *args[] = { "--data-dir", dir, "--no-such-option", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (run (args, &out, &err), !=, 0);
  }

  remove_data_dir (dir);
}

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *stdout_stream;
  char             *data_dir;
} Running;

static char *
read_line (Running *running)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };
  char *line;

  g_data_input_stream_read_line_async (running->stdout_stream, G_PRIORITY_DEFAULT,
                                       cancellable, wait_cb, &wait);
  run_until_done (&wait, cancellable);
  line = g_data_input_stream_read_line_finish_utf8 (running->stdout_stream, wait.result,
                                                    NULL, &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);

  return line;
}

static void
start_running (Running     *running,
               const char **extra_args,
               gboolean     disable_leak_check)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  running->data_dir = make_data_dir ();

  /* Debug logging on: it must never reach stdout ahead of the URL. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  if (disable_leak_check)
    {
      const char *asan = g_getenv ("ASAN_OPTIONS");
      g_autofree char *options = g_strconcat (asan != NULL ? asan : "",
                                              asan != NULL ? ":" : "",
                                              "detect_leaks=0", NULL);

      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", options, TRUE);
    }

  g_ptr_array_add (argv, (char *) g_getenv ("BA_SERVER_PATH"));
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, running->data_dir);
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  running->process = g_subprocess_launcher_spawnv (launcher,
                                                   (const char * const *) argv->pdata,
                                                   &error);
  g_assert_no_error (error);
  running->stdout_stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (running->process));
}

static int
stop_running (Running *running,
              int      signum)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Wait wait = { 0 };
  int status;

  g_subprocess_send_signal (running->process, signum);
  g_subprocess_wait_async (running->process, cancellable, wait_cb, &wait);
  run_until_done (&wait, cancellable);
  g_subprocess_wait_finish (running->process, wait.result, &error);
  g_object_unref (wait.result);
  if (error != NULL)
    {
      g_subprocess_force_exit (running->process);
      g_subprocess_wait (running->process, NULL, NULL);
      g_error ("The server ignored signal %d: %s", signum, error->message);
    }

  g_assert_true (g_subprocess_get_if_exited (running->process));
  status = g_subprocess_get_exit_status (running->process);

  g_clear_object (&running->stdout_stream);
  g_clear_object (&running->process);
  remove_data_dir (running->data_dir);
  g_clear_pointer (&running->data_dir, g_free);

  return status;
}

static void
test_stdout_contract (void)
{
  const char *args[] = { "--seed-demo", NULL };
  Running running = { 0 };
  g_autofree char *url = NULL;
  g_autofree char *email = NULL;
  g_autofree char *username = NULL;
  g_autofree char *password = NULL;
  g_autofree char *outbox = NULL;
  g_autofree char *expected_outbox = NULL;

  start_running (&running, args, FALSE);

  url = read_line (&running);
  g_assert_true (g_regex_match_simple ("^http://127\\.0\\.0\\.1:[1-9][0-9]*$", url, 0, 0));
  email = read_line (&running);
  g_assert_cmpstr (email, ==, "email: demo@example.com");
  username = read_line (&running);
  g_assert_cmpstr (username, ==, "username: demo");
  password = read_line (&running);
  g_assert_true (g_regex_match_simple ("^password: [A-Za-z0-9]{16}$", password, 0, 0));
  outbox = read_line (&running);
  expected_outbox = g_strdup_printf ("outbox: %s/outbox", running.data_dir);
  g_assert_cmpstr (outbox, ==, expected_outbox);

  g_assert_cmpint (stop_running (&running, SIGTERM), ==, 0);
}

static void
test_sigint (void)
{
  Running running = { 0 };
  g_autofree char *url = NULL;

  start_running (&running, NULL, FALSE);
  url = read_line (&running);
  g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));

  g_assert_cmpint (stop_running (&running, SIGINT), ==, 0);
}

static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  GTlsCertificate *expected = user_data;

  /* Self-signed, so only accept exactly the certificate we made. */
  return g_tls_certificate_is_same (certificate, expected);
}

static void
test_tls (void)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *cert_dir = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autofree char *url = NULL;
  g_autofree char *ping_url = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  Running running = { 0 };
  int status = -1;

  if (openssl == NULL)
    {
      g_test_skip ("openssl is not installed; cannot make a test certificate");
      return;
    }

  cert_dir = make_data_dir ();
  cert = g_build_filename (cert_dir, "cert.pem", NULL);
  key = g_build_filename (cert_dir, "key.pem", NULL);
  {
    const char *argv[] = { openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                           "-keyout", key, "-out", cert, "-days", "1",
                           "-subj", "/CN=127.0.0.1", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL |
                                 G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                                 &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
  }

  {
    const char *args[] = { "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key, NULL };

    /* In sanitizer builds LeakSanitizer's tracer crashes ("Tracer caught
     * signal 11") on the threads GLib's TLS backend leaves after a
     * handshake, so this one run skips the leak check. Every other test
     * runs the same server code with it. */
    start_running (&running, args, TRUE);
  }

  url = read_line (&running);
  g_assert_true (g_regex_match_simple ("^https://127\\.0\\.0\\.1:[1-9][0-9]*$", url, 0, 0));

  certificate = g_tls_certificate_new_from_file (cert, &error);
  g_assert_no_error (error);

  session = soup_session_new_with_options ("timeout", 10, NULL);
  ping_url = g_strconcat (url, "/ping", NULL);
  msg = soup_message_new ("GET", ping_url);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), certificate);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "OK", 2);

  g_clear_object (&session);
  g_assert_cmpint (stop_running (&running, SIGTERM), ==, 0);
  remove_data_dir (cert_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/server/cli/version", test_version);
  g_test_add_func ("/ba/server/cli/missing-data-dir", test_missing_data_dir);
  g_test_add_func ("/ba/server/cli/non-loopback-refused", test_non_loopback_refused);
  g_test_add_func ("/ba/server/cli/bad-arguments", test_bad_arguments);
  g_test_add_func ("/ba/server/cli/stdout-contract", test_stdout_contract);
  g_test_add_func ("/ba/server/cli/sigint", test_sigint);
  g_test_add_func ("/ba/server/cli/tls", test_tls);

  return g_test_run ();
}
