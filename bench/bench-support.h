/* bench-support.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Measuring how long the main loop is blocked: bench_stall_start() adds a
 * 1 ms timeout, bench_stall_reset() starts a new step, and
 * bench_stall_worst_usec() is the largest gap between two runs of that
 * timeout since, which is how long a user would see the app frozen. */
void          bench_stall_start       (void);
void          bench_stall_reset       (void);
gint64        bench_stall_worst_usec  (void);

/* The process's peak resident memory so far (ru_maxrss). */
long          bench_peak_rss_kib      (void);

/* For async calls: a GAsyncReadyCallback that keeps a reference to the
 * result in *@user_data, and a loop that waits for it. */
void          bench_store_result      (GObject       *object,
                                       GAsyncResult  *result,
                                       gpointer       user_data);
GAsyncResult *bench_wait_for          (GAsyncResult **slot);

G_END_DECLS
