/* ba-base32.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-base32"

#include "config.h"

#include <string.h>

#include "ba-base32.h"
#include "ba-error.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

char *
ba_base32_encode (const guint8 *data,
                  gsize         len)
{
  GString *out;
  guint32 buffer = 0;
  guint bits = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  out = g_string_sized_new ((len * 8 + 4) / 5 + 1);

  for (gsize i = 0; i < len; i++)
    {
      buffer = (buffer << 8) | data[i];
      bits += 8;

      while (bits >= 5)
        {
          bits -= 5;
          g_string_append_c (out, alphabet[(buffer >> bits) & 0x1f]);
        }
    }

  /* The last group is padded with zero bits on the right, as RFC 4648
   * section 6 describes; the '=' characters themselves are left out. */
  if (bits > 0)
    g_string_append_c (out, alphabet[(buffer << (5 - bits)) & 0x1f]);

  return g_string_free (out, FALSE);
}

static int
decode_char (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a';
  if (c >= '2' && c <= '7')
    return c - '2' + 26;
  return -1;
}

guint8 *
ba_base32_decode (const char  *text,
                  gsize       *out_len,
                  GError     **error)
{
  g_autofree guint8 *out = NULL;
  guint32 buffer = 0;
  guint bits = 0;
  gsize n = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Five bits per character never make more bytes than characters, and
   * the extra byte keeps the result non-NULL for empty input. */
  out = g_malloc (strlen (text) + 1);

  for (const char *p = text; *p != '\0'; p++)
    {
      int value;

      /* Authenticator apps show keys in groups and some add padding, so
       * these separators are skipped wherever they appear. */
      if (*p == '=' || *p == ' ' || *p == '-')
        continue;

      value = decode_char (*p);
      if (value < 0)
        {
          g_set_error_literal (error, BA_ERROR, BA_ERROR_INVALID_INPUT,
                               "Invalid character in base32 text");
          return NULL;
        }

      buffer = (buffer << 5) | (guint32) value;
      bits += 5;

      if (bits >= 8)
        {
          bits -= 8;
          out[n++] = (buffer >> bits) & 0xff;
        }
    }

  /* Leftover bits (fewer than 8) are the zero padding of the last group.
   * Like authenticator apps, we drop them without checking that they are
   * zero, so a key typed with a wrong final character still decodes. */

  if (out_len != NULL)
    *out_len = n;

  return g_steal_pointer (&out);
}
