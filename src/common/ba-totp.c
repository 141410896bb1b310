/* ba-totp.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-totp"

#include "config.h"

#include <string.h>

#include "ba-totp.h"

#define MIN_DIGITS 6
#define MAX_DIGITS 8

static const guint32 powers_of_ten[] = {
  1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
};

static gboolean
get_checksum_type (BaTotpAlgorithm  algorithm,
                   GChecksumType   *out_type)
{
  switch (algorithm)
    {
    case BA_TOTP_SHA1:
      *out_type = G_CHECKSUM_SHA1;
      return TRUE;

    case BA_TOTP_SHA256:
      *out_type = G_CHECKSUM_SHA256;
      return TRUE;

    case BA_TOTP_SHA512:
      *out_type = G_CHECKSUM_SHA512;
      return TRUE;

    default:
      return FALSE;
    }
}

static gboolean
arguments_valid (BaTotpAlgorithm  algorithm,
                 const guint8    *key,
                 gsize            key_len,
                 gint64           unix_time,
                 guint            period,
                 guint            digits)
{
  GChecksumType type;

  /* An empty key would make every code public, and time before the epoch
   * has no step in RFC 6238 (T0 = 0), so both count as invalid. */
  return get_checksum_type (algorithm, &type) &&
         key != NULL &&
         key_len > 0 &&
         unix_time >= 0 &&
         period > 0 &&
         digits >= MIN_DIGITS &&
         digits <= MAX_DIGITS;
}

/* The HOTP value of RFC 4226 section 5.3 for @counter, written into @out
 * as @digits digits and a terminating nul. */
static void
hotp (BaTotpAlgorithm  algorithm,
      const guint8    *key,
      gsize            key_len,
      guint64          counter,
      guint            digits,
      char             out[MAX_DIGITS + 1])
{
  g_autoptr(GHmac) hmac = NULL;
  GChecksumType type = G_CHECKSUM_SHA1;
  guint8 message[8];
  guint8 digest[64];
  gsize digest_len = sizeof digest;
  guint offset;
  guint32 binary;

  get_checksum_type (algorithm, &type);

  for (int i = 7; i >= 0; i--)
    {
      message[i] = counter & 0xff;
      counter >>= 8;
    }

  hmac = g_hmac_new (type, key, key_len);
  g_hmac_update (hmac, message, sizeof message);
  g_hmac_get_digest (hmac, digest, &digest_len);

  /* Dynamic truncation: the low nibble of the last byte picks where the
   * 31-bit value starts. */
  offset = digest[digest_len - 1] & 0x0f;
  binary = ((guint32) (digest[offset] & 0x7f) << 24) |
           ((guint32) digest[offset + 1] << 16) |
           ((guint32) digest[offset + 2] << 8) |
           (guint32) digest[offset + 3];

  g_snprintf (out, MAX_DIGITS + 1, "%0*u",
              (int) digits, binary % powers_of_ten[digits]);

  /* The digest is key material for as long as the code is valid. */
  memset (digest, 0, sizeof digest);
}

char *
ba_totp_generate (BaTotpAlgorithm  algorithm,
                  const guint8    *key,
                  gsize            key_len,
                  gint64           unix_time,
                  guint            period,
                  guint            digits)
{
  char code[MAX_DIGITS + 1];

  if (!arguments_valid (algorithm, key, key_len, unix_time, period, digits))
    return NULL;

  hotp (algorithm, key, key_len, (guint64) (unix_time / period), digits, code);

  return g_strdup (code);
}

/* Compares two strings of the same length without stopping at the first
 * difference, so the time taken says nothing about how much matched. */
static gboolean
equal_constant_time (const char *a,
                     const char *b,
                     gsize       len)
{
  guint8 diff = 0;

  for (gsize i = 0; i < len; i++)
    diff |= (guint8) a[i] ^ (guint8) b[i];

  return diff == 0;
}

gboolean
ba_totp_verify (BaTotpAlgorithm  algorithm,
                const guint8    *key,
                gsize            key_len,
                const char      *code,
                gint64           unix_time,
                guint            period,
                guint            digits,
                guint            window,
                gint64          *out_step)
{
  gint64 now_step;
  gint64 matched_step = -1;
  guint64 matched_distance = G_MAXUINT64;

  if (code == NULL ||
      !arguments_valid (algorithm, key, key_len, unix_time, period, digits))
    return FALSE;

  /* The length and the digit check only look at what the user typed, not
   * at the secret, so they may return early. */
  if (strlen (code) != digits)
    return FALSE;

  for (guint i = 0; i < digits; i++)
    {
      if (!g_ascii_isdigit (code[i]))
        return FALSE;
    }

  now_step = unix_time / period;

  /* Every step in the window is checked, even after a match, so the time
   * taken does not tell which step matched. When two steps give the same
   * code, the one closest to now wins. */
  for (gint64 offset = -(gint64) window; offset <= (gint64) window; offset++)
    {
      char expected[MAX_DIGITS + 1];
      gint64 step;
      guint64 distance;

      if (offset < 0 && now_step < -offset)
        continue;
      if (offset > 0 && now_step > G_MAXINT64 - offset)
        break;

      step = now_step + offset;
      hotp (algorithm, key, key_len, (guint64) step, digits, expected);

      distance = offset < 0 ? (guint64) -offset : (guint64) offset;
      if (equal_constant_time (code, expected, digits) &&
          distance < matched_distance)
        {
          matched_step = step;
          matched_distance = distance;
        }

      memset (expected, 0, sizeof expected);
    }

  if (matched_step < 0)
    return FALSE;

  if (out_step != NULL)
    *out_step = matched_step;

  return TRUE;
}
