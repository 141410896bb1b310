/* ba-test-server.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-test-server"

#include "config.h"

#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "ba-test-server.h"

/* How long a server may take to print its URL (argon2 hashing of the demo
 * password and sanitizer builds make start-up slower than one expects). */
#define START_TIMEOUT_SECONDS 20
#define STOP_TIMEOUT_SECONDS  10
#define REQUEST_TIMEOUT_SECONDS 10

struct _BaTestServer
{
  GSubprocess      *process;
  GDataInputStream *stdout_stream;
  GMainContext     *context;
  SoupSession      *session;

  char             *url;
  char             *data_dir;
  gboolean          owns_data_dir;
  char             *demo_email;
  char             *demo_username;
  char             *demo_password;

  char             *log_path;
  GString          *stdout_rest;
  gboolean          terminated;
};

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
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Runs the private main context until @wait is done. The timeout cancels
 * @cancellable, which makes the pending operation finish with
 * G_IO_ERROR_CANCELLED. */
static void
run_until_done (BaTestServer *self,
                Wait         *wait,
                GCancellable *cancellable,
                guint         timeout_seconds)
{
  g_autoptr(GSource) timeout = g_timeout_source_new_seconds (timeout_seconds);

  g_source_set_callback (timeout, cancel_cb, cancellable, NULL);
  g_source_attach (timeout, self->context);

  while (!wait->done)
    g_main_context_iteration (self->context, TRUE);

  g_source_destroy (timeout);
}

static char *
read_line (BaTestServer  *self,
           GError       **error)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) local_error = NULL;
  Wait wait = { 0 };
  char *line;

  g_main_context_push_thread_default (self->context);
  g_data_input_stream_read_line_async (self->stdout_stream, G_PRIORITY_DEFAULT,
                                       cancellable, wait_cb, &wait);
  run_until_done (self, &wait, cancellable, START_TIMEOUT_SECONDS);
  g_main_context_pop_thread_default (self->context);

  line = g_data_input_stream_read_line_finish_utf8 (self->stdout_stream, wait.result,
                                                    NULL, &local_error);
  g_object_unref (wait.result);

  if (line == NULL && local_error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                         "balena-accounts-server exited before printing its start-up lines");
  else if (line == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                 "balena-accounts-server printed nothing for %d s", START_TIMEOUT_SECONDS);
  else if (line == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));

  return line;
}

/* Reads "<prefix><value>" and returns the value. */
static char *
read_prefixed_line (BaTestServer  *self,
                    const char    *prefix,
                    GError       **error)
{
  g_autofree char *line = read_line (self, error);

  if (line == NULL)
    return NULL;

  if (!g_str_has_prefix (line, prefix))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Expected a line starting with “%s” from the server, got “%s”",
                   prefix, line);
      return NULL;
    }

  return g_strdup (line + strlen (prefix));
}

/* Runs in the child between fork and exec. If the test process dies (a
 * failed assertion aborts it), the server gets SIGTERM instead of living
 * on as an orphan that holds a port. */
static void
child_setup (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

static gboolean
remove_recursively (GFile   *file,
                    GError **error)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children != NULL)
    {
      GFileInfo *info;
      GFile *child;

      while (g_file_enumerator_iterate (children, &info, &child, NULL, error) && info != NULL)
        {
          if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
            {
              if (!remove_recursively (child, error))
                return FALSE;
            }
          else if (!g_file_delete (child, NULL, error))
            return FALSE;
        }
    }

  return g_file_delete (file, NULL, error);
}

static void
free_server (BaTestServer *self)
{
  g_clear_object (&self->session);
  g_clear_object (&self->stdout_stream);
  g_clear_object (&self->process);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->demo_email, g_free);
  g_clear_pointer (&self->demo_username, g_free);
  g_clear_pointer (&self->demo_password, g_free);
  g_clear_pointer (&self->log_path, g_free);
  if (self->stdout_rest != NULL)
    g_string_free (self->stdout_rest, TRUE);
  g_free (self);
}

static BaTestServer *
start (const char          *data_dir,
       gboolean             seed_demo,
       gboolean             logged,
       const char * const  *extra_args,
       GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *server_path = g_getenv ("BA_SERVER_PATH");
  BaTestServer *self;
  GInputStream *stdout_pipe;

  if (server_path == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "BA_SERVER_PATH is not set; run the tests through meson test");
      return NULL;
    }

  self = g_new0 (BaTestServer, 1);
  self->context = g_main_context_new ();

  if (data_dir != NULL)
    self->data_dir = g_strdup (data_dir);
  else
    {
      self->data_dir = g_dir_make_tmp ("ba-test-server-XXXXXX", error);
      if (self->data_dir == NULL)
        goto failed;
      self->owns_data_dir = TRUE;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  if (logged)
    {
      int fd = g_file_open_tmp ("ba-test-server-log-XXXXXX", &self->log_path, error);

      if (fd < 0)
        goto failed;
      g_close (fd, NULL);

      g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
      g_subprocess_launcher_set_stderr_file_path (launcher, self->log_path);
      self->stdout_rest = g_string_new (NULL);
    }

  g_ptr_array_add (argv, (char *) server_path);
  g_ptr_array_add (argv, (char *) "--listen");
  g_ptr_array_add (argv, (char *) "127.0.0.1:0");
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, self->data_dir);
  if (seed_demo)
    g_ptr_array_add (argv, (char *) "--seed-demo");
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  self->process = g_subprocess_launcher_spawnv (launcher,
                                                (const char * const *) argv->pdata,
                                                error);
  if (self->process == NULL)
    goto failed;

  stdout_pipe = g_subprocess_get_stdout_pipe (self->process);
  self->stdout_stream = g_data_input_stream_new (stdout_pipe);

  /* The output contract: the URL first, then the demo credentials. */
  self->url = read_line (self, error);
  if (self->url == NULL)
    goto failed;
  if (!g_str_has_prefix (self->url, "http://") && !g_str_has_prefix (self->url, "https://"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The server's first line is not a URL: “%s”", self->url);
      goto failed;
    }

  if (seed_demo)
    {
      if ((self->demo_email = read_prefixed_line (self, "email: ", error)) == NULL ||
          (self->demo_username = read_prefixed_line (self, "username: ", error)) == NULL ||
          (self->demo_password = read_prefixed_line (self, "password: ", error)) == NULL)
        goto failed;
    }

  self->session = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_SECONDS,
                                                 "user-agent", "ba-test-server",
                                                 NULL);

  return self;

failed:
  ba_test_server_stop (self);
  return NULL;
}

BaTestServer *
ba_test_server_start (gboolean   seed_demo,
                      GError   **error)
{
  return start (NULL, seed_demo, FALSE, NULL, error);
}

BaTestServer *
ba_test_server_start_in (const char  *data_dir,
                         gboolean     seed_demo,
                         GError     **error)
{
  g_return_val_if_fail (data_dir != NULL, NULL);

  return start (data_dir, seed_demo, FALSE, NULL, error);
}

BaTestServer *
ba_test_server_start_logged (gboolean   seed_demo,
                             GError   **error)
{
  return start (NULL, seed_demo, TRUE, NULL, error);
}

BaTestServer *
ba_test_server_start_with_args (gboolean             seed_demo,
                                const char * const  *extra_args,
                                GError             **error)
{
  return start (NULL, seed_demo, FALSE, extra_args, error);
}

gboolean
ba_test_server_terminate (BaTestServer  *self,
                          GError       **error)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) local_error = NULL;
  Wait wait = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->process == NULL || self->terminated)
    return TRUE;

  self->terminated = TRUE;

  /* Drop idle keep-alive connections first so the server's shutdown does
   * not race with them. */
  if (self->session != NULL)
    soup_session_abort (self->session);

  g_subprocess_send_signal (self->process, SIGTERM);

  g_main_context_push_thread_default (self->context);
  g_subprocess_wait_async (self->process, cancellable, wait_cb, &wait);
  run_until_done (self, &wait, cancellable, STOP_TIMEOUT_SECONDS);
  g_main_context_pop_thread_default (self->context);

  if (!g_subprocess_wait_finish (self->process, wait.result, &local_error))
    {
      g_object_unref (wait.result);

      /* It did not stop on SIGTERM in time: kill it so no test leaves a
       * server behind, and report the hang. */
      g_subprocess_force_exit (self->process);
      g_subprocess_wait (self->process, NULL, NULL);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "balena-accounts-server did not exit within %d s of SIGTERM",
                   STOP_TIMEOUT_SECONDS);
      return FALSE;
    }
  g_object_unref (wait.result);

  /* The process is gone, so this read ends at EOF. */
  if (self->stdout_rest != NULL)
    {
      char buffer[4096];
      gssize n;

      while ((n = g_input_stream_read (G_INPUT_STREAM (self->stdout_stream),
                                       buffer, sizeof buffer, NULL, NULL)) > 0)
        g_string_append_len (self->stdout_rest, buffer, n);
    }

  if (!g_subprocess_get_if_exited (self->process))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "balena-accounts-server died on signal %d",
                   g_subprocess_get_term_sig (self->process));
      return FALSE;
    }

  if (g_subprocess_get_exit_status (self->process) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "balena-accounts-server exited with status %d",
                   g_subprocess_get_exit_status (self->process));
      return FALSE;
    }

  return TRUE;
}

void
ba_test_server_stop (BaTestServer *self)
{
  g_autoptr(GError) error = NULL;

  if (self == NULL)
    return;

  if (self->process != NULL && !ba_test_server_terminate (self, &error))
    g_printerr ("ba-test-server: %s\n", error->message);
  g_clear_error (&error);

  if (self->owns_data_dir && self->data_dir != NULL)
    {
      g_autoptr(GFile) dir = g_file_new_for_path (self->data_dir);

      if (!remove_recursively (dir, &error))
        g_printerr ("ba-test-server: could not remove %s: %s\n",
                    self->data_dir, error->message);
    }

  if (self->log_path != NULL)
    g_unlink (self->log_path);

  free_server (self);
}

const char *
ba_test_server_get_url (BaTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->url;
}

const char *
ba_test_server_get_data_dir (BaTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->data_dir;
}

const char *
ba_test_server_get_demo_email (BaTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->demo_email;
}

const char *
ba_test_server_get_demo_username (BaTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->demo_username;
}

const char *
ba_test_server_get_demo_password (BaTestServer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->demo_password;
}

GBytes *
ba_test_server_get_jwt_secret (BaTestServer *self)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_return_val_if_fail (self != NULL, NULL);

  path = g_build_filename (self->data_dir, "jwt-secret", NULL);
  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      g_printerr ("ba-test-server: %s\n", error->message);
      return NULL;
    }

  return g_bytes_new_take (contents, len);
}

char *
ba_test_server_get_log (BaTestServer *self)
{
  g_autofree char *stderr_text = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->log_path == NULL)
    return g_strdup ("");

  if (!g_file_get_contents (self->log_path, &stderr_text, NULL, NULL))
    stderr_text = g_strdup ("");

  return g_strconcat (stderr_text, self->stdout_rest->str, NULL);
}

guint
ba_test_server_request (BaTestServer  *self,
                        const char    *method,
                        const char    *path_and_query,
                        const char    *token,
                        const char    *content_type,
                        const char    *body,
                        char         **out_body,
                        const char    *header_name,
                        char         **out_header)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  SoupMessageHeaders *request_headers;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (method != NULL, 0);
  g_return_val_if_fail (path_and_query != NULL && path_and_query[0] == '/', 0);

  if (out_body != NULL)
    *out_body = NULL;
  if (out_header != NULL)
    *out_header = NULL;

  url = g_strconcat (self->url, path_and_query, NULL);
  msg = soup_message_new (method, url);
  if (msg == NULL)
    {
      g_printerr ("ba-test-server: invalid URL %s\n", url);
      return 0;
    }

  request_headers = soup_message_get_request_headers (msg);
  if (token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (request_headers, "Authorization", authorization);
    }

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg,
                                                content_type != NULL ? content_type
                                                                     : "application/json",
                                                bytes);
    }
  else if (content_type != NULL)
    soup_message_headers_set_content_type (request_headers, content_type, NULL);

  response = soup_session_send_and_read (self->session, msg, NULL, &error);
  if (response == NULL)
    {
      g_printerr ("ba-test-server: %s %s failed: %s\n", method, path_and_query, error->message);
      return 0;
    }

  if (out_body != NULL)
    {
      gsize len;
      const char *data = g_bytes_get_data (response, &len);

      *out_body = g_strndup (data != NULL ? data : "", len);
    }

  if (header_name != NULL && out_header != NULL)
    *out_header = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                          header_name));

  /* Every rate limit of the server answers in full; libsoup alone would
   * say "Unknown Error". */
  if (soup_message_get_status (msg) == 429)
    g_assert_cmpstr (soup_message_get_reason_phrase (msg), ==, "Too Many Requests");

  return soup_message_get_status (msg);
}
