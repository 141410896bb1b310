/* ba-server-rate-limiter.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-server-rate-limiter"

#include "config.h"

#include "ba-server-rate-limiter.h"

/* Prune expired entries once the table holds this many keys, so that a
 * client cycling through usernames cannot grow memory without bound. */
#define PRUNE_THRESHOLD 4096

typedef struct
{
  guint  count;
  gint64 window_end;    /* monotonic µs */
  gint64 blocked_until; /* monotonic µs, 0 when not blocked */
} Entry;

struct _BaServerRateLimiter
{
  GObject     parent_instance;

  guint       points;
  gint64      window_usec;
  gint64      block_usec;
  GHashTable *entries;
};

G_DEFINE_FINAL_TYPE (BaServerRateLimiter, ba_server_rate_limiter, G_TYPE_OBJECT)

static gboolean
entry_expired_cb (gpointer key,
                  gpointer value,
                  gpointer user_data)
{
  Entry *entry = value;
  gint64 now = *(gint64 *) user_data;

  return entry->window_end <= now && entry->blocked_until <= now;
}

static void
ba_server_rate_limiter_finalize (GObject *object)
{
  BaServerRateLimiter *self = (BaServerRateLimiter *)object;

  g_clear_pointer (&self->entries, g_hash_table_unref);

  G_OBJECT_CLASS (ba_server_rate_limiter_parent_class)->finalize (object);
}

static void
ba_server_rate_limiter_class_init (BaServerRateLimiterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_server_rate_limiter_finalize;
}

static void
ba_server_rate_limiter_init (BaServerRateLimiter *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

BaServerRateLimiter *
ba_server_rate_limiter_new (guint points,
                            guint window_seconds,
                            guint block_seconds)
{
  BaServerRateLimiter *self = g_object_new (BA_TYPE_SERVER_RATE_LIMITER, NULL);

  self->points = points;
  self->window_usec = (gint64) window_seconds * G_USEC_PER_SEC;
  self->block_usec = (gint64) block_seconds * G_USEC_PER_SEC;

  return self;
}

gboolean
ba_server_rate_limiter_consume (BaServerRateLimiter *self,
                                const char          *key,
                                gint64              *retry_after)
{
  gint64 now = g_get_monotonic_time ();
  Entry *entry;

  g_return_val_if_fail (BA_IS_SERVER_RATE_LIMITER (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (g_hash_table_size (self->entries) >= PRUNE_THRESHOLD)
    g_hash_table_foreach_remove (self->entries, entry_expired_cb, &now);

  entry = g_hash_table_lookup (self->entries, key);
  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      g_hash_table_insert (self->entries, g_strdup (key), entry);
    }

  if (entry->blocked_until > now)
    goto blocked;

  if (entry->window_end <= now)
    {
      entry->count = 0;
      entry->window_end = now + self->window_usec;
      entry->blocked_until = 0;
    }

  entry->count++;
  if (entry->count <= self->points)
    return TRUE;

  entry->blocked_until = now + self->block_usec;

  /* The block outlives the window it started in; keep the entry until
   * the block ends and start counting afresh after it. */
  entry->window_end = entry->blocked_until;

blocked:
  if (retry_after != NULL)
    *retry_after = MAX (1, (entry->blocked_until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);

  return FALSE;
}

void
ba_server_rate_limiter_reset (BaServerRateLimiter *self,
                              const char          *key)
{
  g_return_if_fail (BA_IS_SERVER_RATE_LIMITER (self));
  g_return_if_fail (key != NULL);

  g_hash_table_remove (self->entries, key);
}

char *
ba_server_rate_limiter_login_key (const char *host,
                                  const char *username,
                                  gint64      user_id)
{
  g_autofree char *folded = NULL;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (username != NULL, NULL);

  /* The real API keys on the raw typed name (account-api.md section 3),
   * which gives an account one budget per way of naming it: ten tries as
   * "demo", then ten more as "demo@example.com". Keying on the account
   * gives it one. The prefixes keep a typed name from ever matching an
   * account's key. */
  if (user_id > 0)
    return g_strdup_printf ("%s$user:%" G_GINT64_FORMAT, host, user_id);

  /* An unknown name still gets its own budget, the same size, so that the
   * answers do not tell which names exist. Logins match usernames
   * case-insensitively, so "DEMO" and "demo" share one: one key for every
   * spelling is stricter. A form body may hold any bytes, which
   * g_utf8_casefold() must not see. */
  if (g_utf8_validate (username, -1, NULL))
    folded = g_utf8_casefold (username, -1);
  else
    folded = g_ascii_strdown (username, -1);

  return g_strconcat (host, "$name:", folded, NULL);
}

void
ba_server_rate_limiter_refuse (SoupServerMessage *msg,
                               gint64             retry_after)
{
  g_autofree char *seconds = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (retry_after, 1));

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Retry-After", seconds);
  /* libsoup 3.2 has no phrase for 429 and would send "Unknown Error". */
  soup_server_message_set_status (msg, 429, "Too Many Requests");
}
