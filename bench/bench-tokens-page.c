/* bench-tokens-page.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Shows whether the "Access tokens" list stays smooth with 10,000 API keys
 * (BA_BENCH_KEYS to change the number). It logs in to a spawned
 * balena-accounts-server through the login form, creates the keys over
 * HTTP, opens the tab, and prints how long it takes until the list is
 * first drawn with every key in its model; then it scrolls the list from
 * top to bottom in 200 steps, one frame each, and prints the frame
 * intervals and the peak memory. It needs a display (xvfb-run) and only
 * prints figures; it never fails on speed. Run it with
 * `meson test --benchmark -C BUILDDIR tokens-page`. */

#define G_LOG_DOMAIN "bench-tokens-page"

#include "config.h"

#include <stdio.h>

#include "ba-account.h"
#include "ba-account-page-private.h"
#include "ba-app-test-utils.h"
#include "ba-login-page-private.h"
#include "ba-test-server.h"
#include "ba-tokens-page-private.h"
#include "bench-support.h"
#include "ba-window-private.h"
#include "ba-wipe.h"

#define DEFAULT_KEYS     10000
#define IN_FLIGHT        16
#define SCROLL_STEPS     200
#define SLOW_FRAME_USEC  33000
/* Creating and syncing 10,000 keys takes far longer than the UI tests'
 * 30 s wait, so the bench waits on its own. */
#define LONG_WAIT_USEC   (300 * G_USEC_PER_SEC)

static void
iterate_until (gint64      deadline,
               const char *what)
{
  if (g_get_monotonic_time () > deadline)
    g_error ("Timed out waiting for %s", what);
  g_main_context_iteration (NULL, TRUE);
}

/* Bulk creation, IN_FLIGHT requests at a time, as bench-api-keys does. */
typedef struct
{
  BaApiClient *client;
  guint        total;
  guint        started;
  guint        done;
  guint        failed;
} Creator;

static void create_next (Creator *creator);

static void
created_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Creator *creator = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(BaSecretString) key = NULL;

  key = ba_api_client_create_api_key_finish (BA_API_CLIENT (object), result, &error);
  if (key == NULL && creator->failed++ == 0)
    g_printerr ("Creating a key failed: %s\n", error->message);

  creator->done++;
  create_next (creator);
}

static void
create_next (Creator *creator)
{
  g_autofree char *name = NULL;
  guint i;

  if (creator->started >= creator->total)
    return;

  i = creator->started++;
  /* Names in an order unlike creation's, so sorting has work to do, and
   * some rows with a description or an expiry date, as real lists have. */
  name = g_strdup_printf ("bench key %05u", (i * 7919) % creator->total);
  ba_api_client_create_api_key_async (creator->client, name,
                                      i % 3 == 0 ? "created by bench-tokens-page" : NULL,
                                      i % 5 == 0 ? g_get_real_time () / G_USEC_PER_SEC + 86400 : 0,
                                      NULL, created_cb, creator);
}

/* Every paint of the window's frame clock, timestamped. */
typedef struct
{
  guint  n_paints;
  gint64 last_paint;
} Painter;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  Painter *painter = user_data;

  painter->n_paints++;
  painter->last_paint = g_get_monotonic_time ();
}

/* Waits for the next paint; FALSE if none came within a second, which
 * happens when nothing needed drawing. */
static gboolean
wait_for_paint (Painter *painter)
{
  guint before = painter->n_paints;
  gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC;

  while (painter->n_paints == before)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      if (painter->n_paints == before)
        g_usleep (200);
    }

  return TRUE;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmpdir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) intervals = NULL;
  BaTestServer *server;
  BaWindow *window;
  BaTokensPage *tokens;
  GtkAdjustment *vadjustment;
  GdkFrameClock *clock;
  GAsyncResult *sync_result = NULL;
  Painter painter = { 0 };
  Creator creator = { 0 };
  const char *env = g_getenv ("BA_BENCH_KEYS");
  guint n_keys = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : DEFAULT_KEYS;
  guint slow_frames = 0;
  guint missed_frames = 0;
  gulong handler;
  gint64 deadline;
  gint64 start;
  gint64 previous;
  double lower, upper, page_size;

  if (n_keys == 0)
    n_keys = DEFAULT_KEYS;

  /* The tests' environment logs every request; 10,000 of them through the
   * log handler would be timed along with the app. */
  g_unsetenv ("G_MESSAGES_DEBUG");

  tmpdir = ba_app_test_init (&argc, &argv, NULL);

  server = ba_test_server_start (TRUE, &error);
  if (server == NULL)
    g_error ("Could not start the server: %s", error->message);

  /* Logs in through the form, as a user does. */
  window = ba_app_test_open_window ();
  ba_app_test_fill_in (window->login_page,
                       ba_test_server_get_url (server),
                       ba_test_server_get_demo_username (server),
                       ba_test_server_get_demo_password (server));
  ba_app_test_press (GTK_WIDGET (window->login_page->login_button));
  BA_APP_TEST_WAIT_UNTIL (g_strcmp0 (ba_app_test_visible_page (window), "account") == 0);
  BA_APP_TEST_WAIT_UNTIL (ba_account_get_state (window->account) == BA_ACCOUNT_STATE_ONLINE);
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 768);

  printf ("API keys: %u, server %s, peak RSS before %.1f MiB\n",
          n_keys, ba_test_server_get_url (server), bench_peak_rss_kib () / 1024.0);
  fflush (stdout);

  /* The keys go straight to the server, so the tab finds them all in its
   * first sync, as after a restart with another device's keys. */
  creator.client = ba_account_get_api_client (window->account);
  creator.total = n_keys;
  start = g_get_monotonic_time ();
  deadline = start + LONG_WAIT_USEC;
  for (guint i = 0; i < IN_FLIGHT; i++)
    create_next (&creator);
  while (creator.done < creator.total)
    iterate_until (deadline, "the keys to be created");
  if (creator.failed > 0)
    g_error ("%u keys could not be created", creator.failed);
  printf ("created %u keys on the server in %.1f s\n",
          n_keys, (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  fflush (stdout);

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painter);

  /* The tab synced its (empty) list at login, and only syncs again when
   * the session is confirmed, so the bench opens it and then asks the
   * account to sync, as a revalidation would. Timed from there to the
   * first paint that has every key in the list's model: the sync (HTTP,
   * parse, model, vault) and the layout. */
  tokens = window->account_page->tokens_page;
  adw_view_stack_set_visible_child_name (window->account_page->view_stack, "tokens");
  BA_APP_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (tokens)));
  BA_APP_TEST_WAIT_UNTIL (!tokens->syncing);
  ba_app_test_run_for (300);
  start = g_get_monotonic_time ();
  deadline = start + LONG_WAIT_USEC;
  ba_account_sync_api_keys_async (window->account, NULL, ba_app_test_store_result, &sync_result);
  while (g_list_model_get_n_items (G_LIST_MODEL (tokens->selection)) < n_keys)
    iterate_until (deadline, "the keys to reach the list");
  printf ("sync to %u keys in the list model:        %8.1f ms\n",
          g_list_model_get_n_items (G_LIST_MODEL (tokens->selection)),
          (g_get_monotonic_time () - start) / 1000.0);
  if (!wait_for_paint (&painter))
    g_error ("The list was never drawn");
  printf ("sync to the list first drawn:              %8.1f ms\n",
          (painter.last_paint - start) / 1000.0);
  printf ("peak RSS with the list shown:              %8.1f MiB\n", bench_peak_rss_kib () / 1024.0);
  fflush (stdout);

  /* Lets the sync's tail (the vault) finish so it does not land in the
   * scroll figures. */
  while (sync_result == NULL)
    iterate_until (deadline, "the sync to finish");
  if (!ba_account_sync_api_keys_finish (window->account, sync_result, &error))
    g_error ("The sync failed: %s", error->message);
  g_clear_object (&sync_result);
  ba_app_test_run_for (500);

  /* Scrolls top to bottom, one step per frame. */
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (tokens->column_view));
  lower = gtk_adjustment_get_lower (vadjustment);
  upper = gtk_adjustment_get_upper (vadjustment);
  page_size = gtk_adjustment_get_page_size (vadjustment);
  printf ("scroll range %.0f px, page %.0f px, %d steps\n", upper - page_size - lower, page_size, SCROLL_STEPS);
  if (upper - page_size - lower <= 0)
    g_error ("The list does not scroll");

  intervals = g_array_sized_new (FALSE, FALSE, sizeof (gint64), SCROLL_STEPS);
  gtk_adjustment_set_value (vadjustment, lower);
  wait_for_paint (&painter);
  previous = painter.last_paint;
  for (guint i = 1; i <= SCROLL_STEPS; i++)
    {
      gint64 interval;

      gtk_adjustment_set_value (vadjustment, lower + (upper - page_size - lower) * i / SCROLL_STEPS);
      if (!wait_for_paint (&painter))
        {
          missed_frames++;
          continue;
        }
      interval = painter.last_paint - previous;
      previous = painter.last_paint;
      g_array_append_val (intervals, interval);
      if (interval > SLOW_FRAME_USEC)
        slow_frames++;
    }
  g_signal_handler_disconnect (clock, handler);

  printf ("scrolled to %.0f of %.0f px\n", gtk_adjustment_get_value (vadjustment), upper - page_size);
  if (intervals->len > 0)
    {
      gint64 *values = (gint64 *) (gpointer) intervals->data;
      guint p95 = (intervals->len * 95 + 99) / 100;

      g_array_sort (intervals, compare_gint64);
      printf ("frame intervals over %u frames: median %.1f ms, 95th percentile %.1f ms, max %.1f ms, "
              "%u over %d ms, %u steps without a frame\n",
              intervals->len,
              values[intervals->len / 2] / 1000.0,
              values[MAX (p95, 1) - 1] / 1000.0,
              values[intervals->len - 1] / 1000.0,
              slow_frames, SLOW_FRAME_USEC / 1000, missed_frames);
    }
  printf ("peak RSS at the end:                       %8.1f MiB\n", bench_peak_rss_kib () / 1024.0);
  fflush (stdout);

  ba_app_test_close_window (window);
  ba_test_server_stop (server);
  ba_app_test_cleanup (g_steal_pointer (&tmpdir));

  return 0;
}
