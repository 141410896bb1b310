/* ba-date-format.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-date-format"

#include "config.h"

#include "ba-date-format.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#define INTERFACE_SCHEMA_ID "org.gnome.desktop.interface"

#define MINUTE (60)
#define HOUR   (60 * MINUTE)
#define DAY    (24 * HOUR)

/* The desktop's interface settings, or NULL outside GNOME where the schema
 * is not installed (g_settings_new() would abort then). Kept for the
 * life of the process, as GNOME apps do, so each call is only a read. */
static GSettings *
get_interface_settings (void)
{
  static gsize initialized = 0;
  static GSettings *settings = NULL;

  if (g_once_init_enter (&initialized))
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr(GSettingsSchema) schema = NULL;

      if (source != NULL)
        schema = g_settings_schema_source_lookup (source, INTERFACE_SCHEMA_ID, TRUE);

      /* An older schema without the key counts as not installed. */
      if (schema != NULL && g_settings_schema_has_key (schema, "clock-format"))
        settings = g_settings_new_full (schema, NULL, NULL);

      g_once_init_leave (&initialized, 1);
    }

  return settings;
}

BaClockFormat
ba_date_format_get_clock_format (void)
{
  GSettings *settings = get_interface_settings ();
  g_autofree char *value = NULL;

  if (settings == NULL)
    return BA_CLOCK_FORMAT_24H;

  /* Read as a string: the enum's numbering belongs to the schema. */
  value = g_settings_get_string (settings, "clock-format");

  return g_strcmp0 (value, "12h") == 0 ? BA_CLOCK_FORMAT_12H : BA_CLOCK_FORMAT_24H;
}

char *
ba_date_format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) date_time = g_date_time_new_from_unix_local (unix_time);

  if (date_time == NULL)
    return g_strdup (_("Unknown"));

  /* Translators: a short date, as in "11 Dec 2026"; see the
   * g_date_time_format() documentation for the codes. */
  return g_date_time_format (date_time, _("%-d %b %Y"));
}

char *
ba_date_format_date_time (gint64        unix_time,
                          BaClockFormat clock_format)
{
  g_autoptr(GDateTime) date_time = g_date_time_new_from_unix_local (unix_time);

  if (date_time == NULL)
    return g_strdup (_("Unknown"));

  if (clock_format == BA_CLOCK_FORMAT_12H)
    /* Translators: a date and time with a 12-hour clock, as in
     * "11 December 2026, 2:05 PM"; see the g_date_time_format()
     * documentation for the codes. */
    return g_date_time_format (date_time, _("%-d %B %Y, %-l:%M %p"));

  /* Translators: a date and time with a 24-hour clock, as in
   * "11 December 2026, 14:05"; see the g_date_time_format()
   * documentation for the codes. */
  return g_date_time_format (date_time, _("%-d %B %Y, %H:%M"));
}

char *
ba_date_format_since (gint64        unix_time,
                      gint64        now,
                      BaClockFormat clock_format)
{
  g_autoptr(GDateTime) then = g_date_time_new_from_unix_local (unix_time);
  g_autoptr(GDateTime) today = g_date_time_new_from_unix_local (now);

  if (then == NULL || today == NULL)
    return g_strdup (_("Unknown"));

  if (g_date_time_get_year (then) != g_date_time_get_year (today) ||
      g_date_time_get_day_of_year (then) != g_date_time_get_day_of_year (today))
    return ba_date_format_date_time (unix_time, clock_format);

  if (clock_format == BA_CLOCK_FORMAT_12H)
    /* Translators: a time of day with a 12-hour clock, as in "2:05 PM". */
    return g_date_time_format (then, _("%-l:%M %p"));

  /* Translators: a time of day with a 24-hour clock, as in "14:05". */
  return g_date_time_format (then, _("%H:%M"));
}

/* @distance rounded to the nearest whole @unit. */
static int
round_to (gint64 distance,
          gint64 unit)
{
  return (int) MIN ((distance + unit / 2) / unit, G_MAXINT);
}

typedef enum
{
  UNIT_MINUTE,
  UNIT_HOUR,
  UNIT_DAY,
} Unit;

/* @distance (at least a minute) as a count of the largest unit it has at
 * least one of. Rounded first, then the unit chosen: 3570 s is "1 hour",
 * not "60 minutes", and 23.5 h is "1 day", not "24 hours". */
static int
count_in_unit (gint64  distance,
               Unit   *unit)
{
  if (round_to (distance, HOUR) >= 24)
    {
      *unit = UNIT_DAY;
      return round_to (distance, DAY);
    }

  if (round_to (distance, MINUTE) >= 60)
    {
      *unit = UNIT_HOUR;
      return round_to (distance, HOUR);
    }

  *unit = UNIT_MINUTE;
  return MAX (1, round_to (distance, MINUTE));
}

char *
ba_date_format_expiry (gint64 expires_at,
                       gint64 now)
{
  gint64 diff = expires_at - now;
  gint64 distance = ABS (diff);
  Unit unit;
  int n;

  if (distance < MINUTE)
    return g_strdup (diff >= 0 ? _("in less than a minute") : _("expired just now"));

  n = count_in_unit (distance, &unit);

  switch (unit)
    {
    case UNIT_DAY:
      if (diff >= 0)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "in %d day", "in %d days", n), n);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "expired %d day ago", "expired %d days ago", n), n);

    case UNIT_HOUR:
      if (diff >= 0)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "in %d hour", "in %d hours", n), n);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "expired %d hour ago", "expired %d hours ago", n), n);

    case UNIT_MINUTE:
    default:
      if (diff >= 0)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "in %d minute", "in %d minutes", n), n);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "expired %d minute ago", "expired %d minutes ago", n), n);
    }
}

char *
ba_date_format_expires_in (gint64 expires_at,
                           gint64 now)
{
  gint64 diff = expires_at - now;
  Unit unit;
  int n;

  if (diff <= 0)
    return g_strdup (_("expired"));

  n = count_in_unit (diff, &unit);

  switch (unit)
    {
    case UNIT_DAY:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "expires in %d day", "expires in %d days", n), n);
    case UNIT_HOUR:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "expires in %d hour", "expires in %d hours", n), n);
    case UNIT_MINUTE:
    default:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "expires in %d minute", "expires in %d minutes", n), n);
    }
}

char *
ba_date_format_duration (gint64 seconds)
{
  Unit unit;
  int n;

  n = count_in_unit (MAX (seconds, 0), &unit);

  switch (unit)
    {
    case UNIT_DAY:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", n), n);
    case UNIT_HOUR:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour", "%d hours", n), n);
    case UNIT_MINUTE:
    default:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute", "%d minutes", n), n);
    }
}
