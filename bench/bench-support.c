/* bench-support.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sys/resource.h>

#include "bench-support.h"

static gint64 tick_last;
static gint64 tick_worst;

static gboolean
tick_cb (gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();

  if (tick_last != 0 && now - tick_last > tick_worst)
    tick_worst = now - tick_last;
  tick_last = now;

  return G_SOURCE_CONTINUE;
}

void
bench_stall_start (void)
{
  g_timeout_add (1, tick_cb, NULL);
}

void
bench_stall_reset (void)
{
  tick_last = g_get_monotonic_time ();
  tick_worst = 0;
}

gint64
bench_stall_worst_usec (void)
{
  return tick_worst;
}

long
bench_peak_rss_kib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

void
bench_store_result (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GAsyncResult *
bench_wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}
