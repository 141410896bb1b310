/* test-base32.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ba-base32.h"
#include "ba-error.h"

/* RFC 4648 section 10, with the padding left out as our encoder does. */
static const struct {
  const char *plain;
  const char *encoded;
} rfc4648_vectors[] = {
  { "", "" },
  { "f", "MY" },
  { "fo", "MZXQ" },
  { "foo", "MZXW6" },
  { "foob", "MZXW6YQ" },
  { "fooba", "MZXW6YTB" },
  { "foobar", "MZXW6YTBOI" },
};

static void
assert_decodes_to (const char *text,
                   const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = NULL;
  gsize len = G_MAXSIZE;

  data = ba_base32_decode (text, &len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (data);
  g_assert_cmpmem (data, len, expected, strlen (expected));
}

static void
assert_invalid (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = NULL;
  gsize len = 12345;

  data = ba_base32_decode (text, &len, &error);
  g_assert_null (data);
  g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
  g_assert_cmpuint (len, ==, 12345);
}

static void
test_encode_rfc4648 (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (rfc4648_vectors); i++)
    {
      const char *plain = rfc4648_vectors[i].plain;
      g_autofree char *encoded = NULL;

      encoded = ba_base32_encode ((const guint8 *) plain, strlen (plain));
      g_assert_cmpstr (encoded, ==, rfc4648_vectors[i].encoded);
    }

  /* The RFC 6238 SHA1 seed, as authenticator apps show it. */
  {
    g_autofree char *encoded = ba_base32_encode ((const guint8 *) "12345678901234567890", 20);
    g_assert_cmpstr (encoded, ==, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  }

  /* A NULL pointer is fine for zero bytes. */
  {
    g_autofree char *encoded = ba_base32_encode (NULL, 0);
    g_assert_cmpstr (encoded, ==, "");
  }
}

static void
test_decode_rfc4648 (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (rfc4648_vectors); i++)
    assert_decodes_to (rfc4648_vectors[i].encoded, rfc4648_vectors[i].plain);
}

static void
test_decode_lenient (void)
{
  /* Padding, as RFC 4648 writes it. */
  assert_decodes_to ("MY======", "f");
  assert_decodes_to ("MZXW6YQ=", "foob");
  assert_decodes_to ("MZXW6YTBOI======", "foobar");

  /* Lower and mixed case. */
  assert_decodes_to ("mzxw6ytboi", "foobar");
  assert_decodes_to ("MzXw6YtBoI", "foobar");

  /* Groups separated by spaces or dashes, as keys are shown and typed. */
  assert_decodes_to ("MZXW 6YTB OI", "foobar");
  assert_decodes_to ("mzxw-6ytb-oi", "foobar");
  assert_decodes_to ("  MZXW - 6YTB - OI = ", "foobar");
  assert_decodes_to ("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", "12345678901234567890");

  /* Nothing but separators is empty, not an error. */
  assert_decodes_to ("= - ", "");

  /* Non-zero bits in the last character are dropped, as authenticator
   * apps do: "MZ" differs from "MY" only in those bits. */
  assert_decodes_to ("MZ", "f");

  /* A lone character has no complete byte. */
  assert_decodes_to ("M", "");
}

static void
test_decode_invalid (void)
{
  /* 0, 1, 8 and 9 are not in the alphabet (people confuse them with O, I,
   * B and g), nor is anything outside ASCII letters and 2-7. */
  assert_invalid ("MZXW0");
  assert_invalid ("MZXW1");
  assert_invalid ("MZXW8");
  assert_invalid ("MZXW9");
  assert_invalid ("MZ!X");
  assert_invalid ("MZXW_6YTB");
  assert_invalid ("MZXW\t6YTB");
  assert_invalid ("MZXW\n");
  assert_invalid ("MZXW+");
  assert_invalid ("MZXWé");
  assert_invalid ("\xff\xfe");

  /* A NULL out_len is allowed. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree guint8 *data = ba_base32_decode ("MZXW1", NULL, &error);

    g_assert_null (data);
    g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
  }

  /* And so is a NULL error. */
  {
    g_autofree guint8 *data = ba_base32_decode ("MZXW1", NULL, NULL);

    g_assert_null (data);
  }
}

static void
test_round_trip (void)
{
  for (guint round = 0; round < 500; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree guint8 *data = NULL;
      g_autofree guint8 *decoded = NULL;
      g_autofree char *encoded = NULL;
      g_autofree char *lower = NULL;
      g_autofree guint8 *decoded_lower = NULL;
      gsize len = g_test_rand_int_range (0, 70);
      gsize decoded_len = G_MAXSIZE;

      data = g_malloc (len + 1);
      for (gsize i = 0; i < len; i++)
        data[i] = g_test_rand_int_range (0, 256);

      encoded = ba_base32_encode (data, len);
      g_assert_cmpuint (strlen (encoded), ==, (len * 8 + 4) / 5);
      g_assert_null (strchr (encoded, '='));

      decoded = ba_base32_decode (encoded, &decoded_len, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (decoded, decoded_len, data, len);

      lower = g_ascii_strdown (encoded, -1);
      decoded_lower = ba_base32_decode (lower, &decoded_len, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (decoded_lower, decoded_len, data, len);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/base32/encode-rfc4648", test_encode_rfc4648);
  g_test_add_func ("/ba/base32/decode-rfc4648", test_decode_rfc4648);
  g_test_add_func ("/ba/base32/decode-lenient", test_decode_lenient);
  g_test_add_func ("/ba/base32/decode-invalid", test_decode_invalid);
  g_test_add_func ("/ba/base32/round-trip", test_round_trip);

  return g_test_run ();
}
