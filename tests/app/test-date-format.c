/* test-date-format.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app's date and time texts: both clock formats, the short form for
 * today, relative phrases and lengths of time, and GNOME's clock-format
 * setting read through GSettings (memory backend in the tests). Runs in
 * the C locale, so the month names are English.
 */

#define G_LOG_DOMAIN "test-date-format"

#include "config.h"

#include "ba-date-format.h"

#include <gio/gio.h>

/* 11 December 2026 at @hour:@minute local time, as a Unix time. */
static gint64
local_time (int hour,
            int minute)
{
  g_autoptr(GDateTime) date_time = g_date_time_new_local (2026, 12, 11, hour, minute, 0);

  return g_date_time_to_unix (date_time);
}

static void
assert_formatted (char       *text,
                  const char *expected)
{
  g_assert_cmpstr (text, ==, expected);
  g_free (text);
}

static void
test_date (void)
{
  assert_formatted (ba_date_format_date (local_time (14, 5)), "11 Dec 2026");
}

static void
test_date_time (void)
{
  assert_formatted (ba_date_format_date_time (local_time (14, 5), BA_CLOCK_FORMAT_24H),
                    "11 December 2026, 14:05");
  assert_formatted (ba_date_format_date_time (local_time (14, 5), BA_CLOCK_FORMAT_12H),
                    "11 December 2026, 2:05 PM");
  assert_formatted (ba_date_format_date_time (local_time (9, 30), BA_CLOCK_FORMAT_24H),
                    "11 December 2026, 09:30");
  assert_formatted (ba_date_format_date_time (local_time (9, 30), BA_CLOCK_FORMAT_12H),
                    "11 December 2026, 9:30 AM");
  assert_formatted (ba_date_format_date_time (local_time (0, 15), BA_CLOCK_FORMAT_12H),
                    "11 December 2026, 12:15 AM");

  /* Beyond what GDateTime can hold. */
  assert_formatted (ba_date_format_date_time (G_MAXINT64, BA_CLOCK_FORMAT_24H), "Unknown");
}

static void
test_since (void)
{
  gint64 then = local_time (9, 30);
  gint64 evening = local_time (23, 59);
  gint64 next_day = local_time (23, 59) + 60;

  /* The same day: only the time. */
  assert_formatted (ba_date_format_since (then, evening, BA_CLOCK_FORMAT_24H), "09:30");
  assert_formatted (ba_date_format_since (then, evening, BA_CLOCK_FORMAT_12H), "9:30 AM");

  /* Another day: the date too. */
  assert_formatted (ba_date_format_since (then, next_day, BA_CLOCK_FORMAT_24H), "11 December 2026, 09:30");
  assert_formatted (ba_date_format_since (then, next_day, BA_CLOCK_FORMAT_12H), "11 December 2026, 9:30 AM");
}

static void
test_expiry (void)
{
  gint64 now = local_time (12, 0);
  const gint64 minute = 60, hour = 60 * minute, day = 24 * hour;

  assert_formatted (ba_date_format_expiry (now + 7 * day, now), "in 7 days");
  /* Rounded to the nearest: a token a few seconds old still has 7 days. */
  assert_formatted (ba_date_format_expiry (now + 7 * day - 5, now), "in 7 days");
  assert_formatted (ba_date_format_expiry (now + 6 * day + 11 * hour, now), "in 6 days");
  assert_formatted (ba_date_format_expiry (now + day, now), "in 1 day");
  assert_formatted (ba_date_format_expiry (now + 3 * hour, now), "in 3 hours");
  assert_formatted (ba_date_format_expiry (now + hour, now), "in 1 hour");
  assert_formatted (ba_date_format_expiry (now + 1 * minute, now), "in 1 minute");
  assert_formatted (ba_date_format_expiry (now + 59 * minute, now), "in 59 minutes");
  assert_formatted (ba_date_format_expiry (now + 59, now), "in less than a minute");
  assert_formatted (ba_date_format_expiry (now, now), "in less than a minute");
  assert_formatted (ba_date_format_expiry (now - 1, now), "expired just now");
  assert_formatted (ba_date_format_expiry (now - minute, now), "expired 1 minute ago");
  assert_formatted (ba_date_format_expiry (now - 2 * hour, now), "expired 2 hours ago");
  assert_formatted (ba_date_format_expiry (now - day, now), "expired 1 day ago");
  assert_formatted (ba_date_format_expiry (now - 3 * day, now), "expired 3 days ago");

  /* Rounded first, then the unit chosen: never "60 minutes" or "24 hours". */
  assert_formatted (ba_date_format_expiry (now + hour - 31, now), "in 59 minutes");
  assert_formatted (ba_date_format_expiry (now + hour - 30, now), "in 1 hour");
  assert_formatted (ba_date_format_expiry (now + hour - 1, now), "in 1 hour");
  assert_formatted (ba_date_format_expiry (now + day - 30 * minute - 1, now), "in 23 hours");
  assert_formatted (ba_date_format_expiry (now + day - 30 * minute, now), "in 1 day");
  assert_formatted (ba_date_format_expiry (now + day - 1, now), "in 1 day");
  assert_formatted (ba_date_format_expiry (now - (hour - 1), now), "expired 1 hour ago");
  assert_formatted (ba_date_format_expiry (now - (day - 1), now), "expired 1 day ago");
}

/* The Access tokens tab's "expires in …", at each unit's edges. */
static void
test_expires_in (void)
{
  gint64 now = local_time (12, 0);
  const gint64 minute = 60, hour = 60 * minute, day = 24 * hour;

  assert_formatted (ba_date_format_expires_in (now + 7 * day - 5, now), "expires in 7 days");
  assert_formatted (ba_date_format_expires_in (now + day, now), "expires in 1 day");
  assert_formatted (ba_date_format_expires_in (now + 3 * hour, now), "expires in 3 hours");
  assert_formatted (ba_date_format_expires_in (now + 2 * minute, now), "expires in 2 minutes");
  assert_formatted (ba_date_format_expires_in (now + 1, now), "expires in 1 minute");
  assert_formatted (ba_date_format_expires_in (now, now), "expired");
  assert_formatted (ba_date_format_expires_in (now - day, now), "expired");

  /* 3570–3599 s were "60 minutes", 84600–86399 s "24 hours". */
  assert_formatted (ba_date_format_expires_in (now + hour - 31, now), "expires in 59 minutes");
  assert_formatted (ba_date_format_expires_in (now + hour - 30, now), "expires in 1 hour");
  assert_formatted (ba_date_format_expires_in (now + hour - 1, now), "expires in 1 hour");
  assert_formatted (ba_date_format_expires_in (now + hour, now), "expires in 1 hour");
  assert_formatted (ba_date_format_expires_in (now + 90 * minute - 1, now), "expires in 1 hour");
  assert_formatted (ba_date_format_expires_in (now + 90 * minute, now), "expires in 2 hours");
  assert_formatted (ba_date_format_expires_in (now + day - 30 * minute - 1, now), "expires in 23 hours");
  assert_formatted (ba_date_format_expires_in (now + day - 30 * minute, now), "expires in 1 day");
  assert_formatted (ba_date_format_expires_in (now + day - 1, now), "expires in 1 day");
  assert_formatted (ba_date_format_expires_in (now + day + 12 * hour - 1, now), "expires in 1 day");
  assert_formatted (ba_date_format_expires_in (now + day + 12 * hour, now), "expires in 2 days");
}

static void
test_duration (void)
{
  const gint64 minute = 60, hour = 60 * minute, day = 24 * hour;

  assert_formatted (ba_date_format_duration (7 * day), "7 days");
  assert_formatted (ba_date_format_duration (day), "1 day");
  assert_formatted (ba_date_format_duration (30 * day + 3 * hour), "30 days");
  assert_formatted (ba_date_format_duration (12 * hour), "12 hours");
  assert_formatted (ba_date_format_duration (hour), "1 hour");
  assert_formatted (ba_date_format_duration (30 * minute), "30 minutes");
  assert_formatted (ba_date_format_duration (minute), "1 minute");
  assert_formatted (ba_date_format_duration (hour - 30), "1 hour");
  assert_formatted (ba_date_format_duration (day - 30 * minute), "1 day");
  /* Never "0 minutes". */
  assert_formatted (ba_date_format_duration (10), "1 minute");
}

static void
test_clock_format_setting (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "clock-format"))
    {
      /* Without the schema there is nothing to read: 24h. */
      g_assert_cmpint (ba_date_format_get_clock_format (), ==, BA_CLOCK_FORMAT_24H);
      g_test_skip ("org.gnome.desktop.interface is not installed");
      return;
    }

  g_assert_cmpstr (g_getenv ("GSETTINGS_BACKEND"), ==, "memory");
  settings = g_settings_new_full (schema, NULL, NULL);

  g_assert_true (g_settings_set_string (settings, "clock-format", "12h"));
  g_assert_cmpint (ba_date_format_get_clock_format (), ==, BA_CLOCK_FORMAT_12H);

  g_assert_true (g_settings_set_string (settings, "clock-format", "24h"));
  g_assert_cmpint (ba_date_format_get_clock_format (), ==, BA_CLOCK_FORMAT_24H);

  g_settings_reset (settings, "clock-format");
  g_assert_cmpint (ba_date_format_get_clock_format (), ==, BA_CLOCK_FORMAT_24H);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/date-format/date", test_date);
  g_test_add_func ("/ba/date-format/date-time", test_date_time);
  g_test_add_func ("/ba/date-format/since", test_since);
  g_test_add_func ("/ba/date-format/expiry", test_expiry);
  g_test_add_func ("/ba/date-format/expires-in", test_expires_in);
  g_test_add_func ("/ba/date-format/duration", test_duration);
  g_test_add_func ("/ba/date-format/clock-format-setting", test_clock_format_setting);

  return g_test_run ();
}
