/* bench-common.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Times the hot paths of src/common: TOTP generation (the server checks
 * three steps per login challenge) and JWT encode + verified decode (the
 * server does one decode per authenticated request). Run it with
 * `meson test --benchmark -C BUILDDIR common` or directly. It only prints
 * figures; it never fails on speed, so it has no place in the tests. */

#define G_LOG_DOMAIN "bench-common"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ba-jwt.h"
#include "ba-totp.h"

#define TOTP_ITERATIONS 100000
#define JWT_ITERATIONS  10000

static void
report (const char *name,
        guint       iterations,
        gint64      elapsed_usec)
{
  double seconds = elapsed_usec / (double) G_USEC_PER_SEC;

  /* A zero reading only happens on a clock far coarser than the work. */
  if (elapsed_usec <= 0)
    elapsed_usec = 1;

  printf ("%-28s %8u ops in %8.3f s  %12.0f ops/s  %8.3f µs/op\n",
          name,
          iterations,
          seconds,
          iterations / (elapsed_usec / (double) G_USEC_PER_SEC),
          elapsed_usec / (double) iterations);
}

static gboolean
bench_totp (BaTotpAlgorithm  algorithm,
            const char      *name,
            const char      *seed)
{
  guint64 checksum = 0;
  gint64 start;
  gint64 elapsed;

  start = g_get_monotonic_time ();
  for (guint i = 0; i < TOTP_ITERATIONS; i++)
    {
      g_autofree char *code = NULL;

      code = ba_totp_generate (algorithm, (const guint8 *) seed, strlen (seed),
                               1700000000 + (gint64) i * 30, 30, 6);
      if (code == NULL)
        {
          fprintf (stderr, "%s: generation failed\n", name);
          return FALSE;
        }

      /* Using every result keeps the work from looking dead to the
       * compiler. */
      checksum += (guint8) code[5];
    }
  elapsed = g_get_monotonic_time () - start;

  report (name, TOTP_ITERATIONS, elapsed);
  return checksum > 0;
}

static gboolean
bench_jwt (void)
{
  static const guint8 secret[] = "bench-secret-of-thirty-two-bytes";
  g_autoptr(JsonObject) claims = json_object_new ();
  gint64 start;
  gint64 elapsed;

  /* The claims a session token of this project carries. */
  json_object_set_int_member (claims, "id", 42);
  json_object_set_string_member (claims, "jwt_secret", "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
  json_object_set_int_member (claims, "authTime", G_GINT64_CONSTANT (1700000000123));
  json_object_set_int_member (claims, "iat", 1700000000);
  json_object_set_int_member (claims, "exp", 1700604800);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < JWT_ITERATIONS; i++)
    {
      g_autoptr(JsonObject) decoded = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *token = NULL;

      json_object_set_int_member (claims, "iat", 1700000000 + i);
      token = ba_jwt_encode_hs256 (claims, secret, sizeof secret - 1);
      decoded = ba_jwt_decode (token, secret, sizeof secret - 1, &error);

      if (decoded == NULL ||
          json_object_get_int_member (decoded, "iat") != 1700000000 + i)
        {
          fprintf (stderr, "jwt: round trip failed: %s\n",
                   error != NULL ? error->message : "wrong claims");
          return FALSE;
        }
    }
  elapsed = g_get_monotonic_time () - start;

  report ("jwt hs256 encode+verify", JWT_ITERATIONS, elapsed);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  gboolean ok = TRUE;

  ok &= bench_totp (BA_TOTP_SHA1, "totp sha1 6 digits",
                    "12345678901234567890");
  ok &= bench_totp (BA_TOTP_SHA256, "totp sha256 6 digits",
                    "12345678901234567890123456789012");
  ok &= bench_totp (BA_TOTP_SHA512, "totp sha512 6 digits",
                    "1234567890123456789012345678901234567890123456789012345678901234");
  ok &= bench_jwt ();

  return ok ? 0 : 1;
}
