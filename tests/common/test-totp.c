/* test-totp.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ba-totp.h"

/* RFC 6238 Appendix B uses a different seed for each hash, the ASCII digits
 * repeated to the hash's output length. */
#define SEED_SHA1   "12345678901234567890"
#define SEED_SHA256 "12345678901234567890123456789012"
#define SEED_SHA512 "1234567890123456789012345678901234567890123456789012345678901234"

static const guint8 *seed_sha1 = (const guint8 *) SEED_SHA1;

static const struct {
  gint64 time;
  BaTotpAlgorithm algorithm;
  const char *code;
} rfc6238_vectors[] = {
  { 59, BA_TOTP_SHA1, "94287082" },
  { 59, BA_TOTP_SHA256, "46119246" },
  { 59, BA_TOTP_SHA512, "90693936" },
  { 1111111109, BA_TOTP_SHA1, "07081804" },
  { 1111111109, BA_TOTP_SHA256, "68084774" },
  { 1111111109, BA_TOTP_SHA512, "25091201" },
  { 1111111111, BA_TOTP_SHA1, "14050471" },
  { 1111111111, BA_TOTP_SHA256, "67062674" },
  { 1111111111, BA_TOTP_SHA512, "99943326" },
  { 1234567890, BA_TOTP_SHA1, "89005924" },
  { 1234567890, BA_TOTP_SHA256, "91819424" },
  { 1234567890, BA_TOTP_SHA512, "93441116" },
  { 2000000000, BA_TOTP_SHA1, "69279037" },
  { 2000000000, BA_TOTP_SHA256, "90698825" },
  { 2000000000, BA_TOTP_SHA512, "38618901" },
  { G_GINT64_CONSTANT (20000000000), BA_TOTP_SHA1, "65353130" },
  { G_GINT64_CONSTANT (20000000000), BA_TOTP_SHA256, "77737706" },
  { G_GINT64_CONSTANT (20000000000), BA_TOTP_SHA512, "47863826" },
};

static void
get_seed (BaTotpAlgorithm   algorithm,
          const guint8    **out_key,
          gsize            *out_len)
{
  const char *seed = NULL;

  switch (algorithm)
    {
    case BA_TOTP_SHA1:
      seed = SEED_SHA1;
      break;

    case BA_TOTP_SHA256:
      seed = SEED_SHA256;
      break;

    case BA_TOTP_SHA512:
      seed = SEED_SHA512;
      break;

    default:
      g_assert_not_reached ();
    }

  *out_key = (const guint8 *) seed;
  *out_len = strlen (seed);
}

static void
test_rfc6238_vectors (void)
{
  g_assert_cmpuint (strlen (SEED_SHA256), ==, 32);
  g_assert_cmpuint (strlen (SEED_SHA512), ==, 64);

  for (gsize i = 0; i < G_N_ELEMENTS (rfc6238_vectors); i++)
    {
      g_autofree char *code = NULL;
      const guint8 *key;
      gsize key_len;
      gint64 step = -1;

      get_seed (rfc6238_vectors[i].algorithm, &key, &key_len);

      code = ba_totp_generate (rfc6238_vectors[i].algorithm, key, key_len,
                               rfc6238_vectors[i].time, 30, 8);
      g_assert_cmpstr (code, ==, rfc6238_vectors[i].code);

      g_assert_true (ba_totp_verify (rfc6238_vectors[i].algorithm, key, key_len,
                                     rfc6238_vectors[i].code,
                                     rfc6238_vectors[i].time, 30, 8, 0, &step));
      g_assert_cmpint (step, ==, rfc6238_vectors[i].time / 30);
    }
}

static void
test_six_digits (void)
{
  /* RFC 4226 Appendix D: HOTP with the SHA1 seed for counters 0 to 9.
   * A period of one second makes the time the counter. */
  static const char *hotp_codes[] = {
    "755224", "287082", "359152", "969429", "338314",
    "254676", "287922", "162583", "399871", "520489",
  };

  for (guint counter = 0; counter < G_N_ELEMENTS (hotp_codes); counter++)
    {
      g_autofree char *code = NULL;

      code = ba_totp_generate (BA_TOTP_SHA1, seed_sha1, 20, counter, 1, 6);
      g_assert_cmpstr (code, ==, hotp_codes[counter]);
    }

  /* Six digits are the last six of the eight-digit value, zero padded. */
  for (gsize i = 0; i < G_N_ELEMENTS (rfc6238_vectors); i++)
    {
      g_autofree char *code = NULL;
      const guint8 *key;
      gsize key_len;

      get_seed (rfc6238_vectors[i].algorithm, &key, &key_len);
      code = ba_totp_generate (rfc6238_vectors[i].algorithm, key, key_len,
                               rfc6238_vectors[i].time,
                               BA_TOTP_DEFAULT_PERIOD, BA_TOTP_DEFAULT_DIGITS);
      g_assert_cmpstr (code, ==, rfc6238_vectors[i].code + 2);
    }

  /* 1111111109 with SHA1 has a leading zero in 8 digits: "07081804". */
  {
    g_autofree char *code = ba_totp_generate (BA_TOTP_SHA1, seed_sha1, 20, 1111111109, 30, 7);
    g_assert_cmpstr (code, ==, "7081804");
  }
}

static void
test_period (void)
{
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  g_autofree char *next = NULL;

  /* Every second of a step gives the same code; the next step another. */
  start = ba_totp_generate (BA_TOTP_SHA1, seed_sha1, 20, 1234567890 - 1234567890 % 30, 30, 6);
  end = ba_totp_generate (BA_TOTP_SHA1, seed_sha1, 20, 1234567890 - 1234567890 % 30 + 29, 30, 6);
  next = ba_totp_generate (BA_TOTP_SHA1, seed_sha1, 20, 1234567890 - 1234567890 % 30 + 30, 30, 6);
  g_assert_cmpstr (start, ==, end);
  g_assert_cmpstr (start, !=, next);
}

static void
test_invalid_arguments (void)
{
  g_assert_null (ba_totp_generate (BA_TOTP_SHA1, seed_sha1, 20, 59, 30, 5));
  g_assert_null (ba_totp_generate (BA_TOTP_SHA1, seed_sha1, 20, 59, 30, 9));
  g_assert_null (ba_totp_generate (BA_TOTP_SHA1, seed_sha1, 20, 59, 30, 0));
  g_assert_null (ba_totp_generate (BA_TOTP_SHA1, seed_sha1, 20, 59, 0, 6));
  g_assert_null (ba_totp_generate (BA_TOTP_SHA1, seed_sha1, 20, -1, 30, 6));
  g_assert_null (ba_totp_generate (BA_TOTP_SHA1, NULL, 0, 59, 30, 6));
  g_assert_null (ba_totp_generate (BA_TOTP_SHA1, seed_sha1, 0, 59, 30, 6));
  g_assert_null (ba_totp_generate ((BaTotpAlgorithm) 42, seed_sha1, 20, 59, 30, 6));

  g_assert_false (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, "287082", 59, 0, 6, 1, NULL));
  g_assert_false (ba_totp_verify (BA_TOTP_SHA1, NULL, 0, "287082", 59, 30, 6, 1, NULL));
  g_assert_false (ba_totp_verify ((BaTotpAlgorithm) 42, seed_sha1, 20, "287082", 59, 30, 6, 1, NULL));
}

static void
test_verify_window (void)
{
  const gint64 now = 1700000000;
  const gint64 now_step = now / 30;
  g_autofree char *code = NULL;
  gint64 step = -1;

  code = ba_totp_generate (BA_TOTP_SHA1, seed_sha1, 20, now, 30, 6);
  g_assert_nonnull (code);

  g_assert_true (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, code, now, 30, 6, 1, &step));
  g_assert_cmpint (step, ==, now_step);

  /* Checked one step later or earlier, the code is still within ±1 and
   * out_step names the step the code was made for, not the current one. */
  step = -1;
  g_assert_true (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, code, now + 30, 30, 6, 1, &step));
  g_assert_cmpint (step, ==, now_step);
  step = -1;
  g_assert_true (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, code, now - 30, 30, 6, 1, &step));
  g_assert_cmpint (step, ==, now_step);

  /* Two steps away it is refused, and out_step is left alone. */
  step = -1;
  g_assert_false (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, code, now + 60, 30, 6, 1, &step));
  g_assert_false (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, code, now - 60, 30, 6, 1, &step));
  g_assert_cmpint (step, ==, -1);

  /* A wider window takes it, a zero window only takes the current step. */
  g_assert_true (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, code, now + 60, 30, 6, 2, &step));
  g_assert_cmpint (step, ==, now_step);
  g_assert_false (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, code, now + 30, 30, 6, 0, NULL));

  /* The same code under another key or hash is refused. */
  g_assert_false (ba_totp_verify (BA_TOTP_SHA1, (const guint8 *) SEED_SHA256, 32, code, now, 30, 6, 1, NULL));
  g_assert_false (ba_totp_verify (BA_TOTP_SHA256, seed_sha1, 20, code, now, 30, 6, 1, NULL));

  /* Near the epoch the window is cut at step 0 instead of going negative. */
  {
    g_autofree char *first = ba_totp_generate (BA_TOTP_SHA1, seed_sha1, 20, 0, 30, 6);

    g_assert_true (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, first, 10, 30, 6, 5, &step));
    g_assert_cmpint (step, ==, 0);
  }
}

static void
test_verify_malformed (void)
{
  const gint64 now = 1700000000;
  g_autofree char *code = NULL;
  g_autofree char *longer = NULL;
  g_autofree char *spaced = NULL;
  char letter[8];

  code = ba_totp_generate (BA_TOTP_SHA1, seed_sha1, 20, now, 30, 6);

  /* The right digits with one replaced by a letter. */
  g_strlcpy (letter, code, sizeof letter);
  letter[3] = 'a';
  g_assert_false (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, letter, now, 30, 6, 1, NULL));

  /* Too short, too long, padded, signed, empty, NULL. */
  g_assert_false (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, code + 1, now, 30, 6, 1, NULL));
  longer = g_strconcat (code, "0", NULL);
  g_assert_false (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, longer, now, 30, 6, 1, NULL));
  spaced = g_strconcat (" ", code, NULL);
  g_assert_false (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, spaced, now, 30, 6, 1, NULL));
  g_assert_false (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, "+12345", now, 30, 6, 1, NULL));
  g_assert_false (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, "", now, 30, 6, 1, NULL));
  g_assert_false (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, NULL, now, 30, 6, 1, NULL));

  /* Arabic-Indic digits are digits to Unicode, not to us. */
  g_assert_false (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, "١٢٣", now, 30, 6, 1, NULL));

  /* The real code still works after all that. */
  g_assert_true (ba_totp_verify (BA_TOTP_SHA1, seed_sha1, 20, code, now, 30, 6, 1, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/totp/rfc6238-vectors", test_rfc6238_vectors);
  g_test_add_func ("/ba/totp/six-digits", test_six_digits);
  g_test_add_func ("/ba/totp/period", test_period);
  g_test_add_func ("/ba/totp/invalid-arguments", test_invalid_arguments);
  g_test_add_func ("/ba/totp/verify-window", test_verify_window);
  g_test_add_func ("/ba/totp/verify-malformed", test_verify_malformed);

  return g_test_run ();
}
