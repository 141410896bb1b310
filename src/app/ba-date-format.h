/* ba-date-format.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How times of day are written: GNOME's clock-format setting. */
typedef enum
{
  BA_CLOCK_FORMAT_24H,
  BA_CLOCK_FORMAT_12H,
} BaClockFormat;

/* The one place where the app turns Unix times into text, in local time.
 * The functions that format a point in time return "Unknown" for one
 * GDateTime cannot hold; the relative ones work on differences only. */

/* org.gnome.desktop.interface clock-format when that schema is installed,
 * else 24h. */
BaClockFormat  ba_date_format_get_clock_format (void);

/* "11 Dec 2026" */
char          *ba_date_format_date             (gint64         unix_time);
/* "11 December 2026, 14:05" or "11 December 2026, 2:05 PM" */
char          *ba_date_format_date_time        (gint64         unix_time,
                                                BaClockFormat  clock_format);
/* Only the time of day ("14:05") when @unix_time is on the same day as
 * @now, else the date and time. */
char          *ba_date_format_since            (gint64         unix_time,
                                                gint64         now,
                                                BaClockFormat  clock_format);
/* "in 6 days", "in 3 hours", "expired 2 days ago": how far @expires_at is
 * from @now, rounded to the nearest whole unit first and then given in
 * the largest unit that leaves at least one (59 min 30 s is "in 1 hour"). */
char          *ba_date_format_expiry           (gint64         expires_at,
                                                gint64         now);
/* "expires in 6 days", "expires in 3 hours", or "expired": the same
 * rounding as ba_date_format_expiry(), for a time still to come. */
char          *ba_date_format_expires_in       (gint64         expires_at,
                                                gint64         now);
/* "7 days", "12 hours", "30 minutes": a length of time in the largest
 * unit it has at least one of, rounded to the nearest. */
char          *ba_date_format_duration         (gint64         seconds);

G_END_DECLS
