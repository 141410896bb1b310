/* test-otpauth.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ba-base32.h"
#include "ba-error.h"
#include "ba-otpauth.h"

/* "Hello!\xde\xad\xbe\xef" is the key of Google's Key URI example. */
static const guint8 example_key[] = { 'H', 'e', 'l', 'l', 'o', '!', 0xde, 0xad, 0xbe, 0xef };

static void
test_build_example (void)
{
  g_autofree char *uri = NULL;

  uri = ba_otpauth_build ("Example", "alice@google.com", example_key, sizeof example_key,
                          BA_TOTP_SHA1, 6, 30);
  g_assert_cmpstr (uri, ==,
                   "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP"
                   "&issuer=Example&algorithm=SHA1&digits=6&period=30");
}

static void
test_build_escapes (void)
{
  g_autofree char *uri = NULL;

  /* A colon in the issuer must not read as the label's separator, and
   * spaces go out as %20, never "+". */
  uri = ba_otpauth_build ("Big Co: Cloud", "bob smith", example_key, sizeof example_key,
                          BA_TOTP_SHA256, 8, 60);
  g_assert_cmpstr (uri, ==,
                   "otpauth://totp/Big%20Co%3A%20Cloud:bob%20smith?secret=JBSWY3DPEHPK3PXP"
                   "&issuer=Big%20Co%3A%20Cloud&algorithm=SHA256&digits=8&period=60");
}

static void
test_build_without_issuer (void)
{
  g_autofree char *uri = NULL;

  uri = ba_otpauth_build (NULL, "carol", example_key, sizeof example_key, BA_TOTP_SHA512, 7, 30);
  g_assert_cmpstr (uri, ==,
                   "otpauth://totp/carol?secret=JBSWY3DPEHPK3PXP&algorithm=SHA512&digits=7&period=30");
}

static void
test_round_trip (void)
{
  static const char *issuers[] = { "balena", "Balena Accounts", "a:b:c", "Ünïcødé & co", "100% sure", NULL };
  static const char *accounts[] = { "demo", "demo@example.com", "x y", "a+b@c.d", "name:with:colons" };
  guint8 key[32];

  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8) (i * 37 + 11);

  for (guint i = 0; i < G_N_ELEMENTS (issuers); i++)
    for (guint j = 0; j < G_N_ELEMENTS (accounts); j++)
      /* 1 to 32 bytes: every base32 tail length, none padded. */
      for (gsize len = 1; len <= sizeof key; len += 3)
        {
          g_autofree char *uri = NULL;
          g_autoptr(BaOtpauth) parsed = NULL;
          g_autoptr(GError) error = NULL;
          const char *secret;

          uri = ba_otpauth_build (issuers[i], accounts[j], key, len, BA_TOTP_SHA256, 8, 45);
          /* No padding after the secret, and no raw spaces anywhere. */
          secret = strstr (uri, "secret=") + strlen ("secret=");
          g_assert_cmpuint (strcspn (secret, "&="), ==, strcspn (secret, "&"));
          g_assert_null (strchr (uri, ' '));

          parsed = ba_otpauth_parse (uri, &error);
          g_assert_no_error (error);
          /* Without an issuer parameter, a colon in the account is the
           * prefix separator (literal or %3A); that is the format. */
          if (issuers[i] != NULL || strchr (accounts[j], ':') == NULL)
            {
              g_assert_cmpstr (parsed->issuer, ==, issuers[i]);
              g_assert_cmpstr (parsed->account, ==, accounts[j]);
            }
          g_assert_cmpmem (parsed->secret, parsed->secret_len, key, len);
          g_assert_cmpint (parsed->algorithm, ==, BA_TOTP_SHA256);
          g_assert_cmpuint (parsed->digits, ==, 8);
          g_assert_cmpuint (parsed->period, ==, 45);
        }
}

static void
test_parse_defaults (void)
{
  g_autoptr(BaOtpauth) parsed = NULL;
  g_autoptr(GError) error = NULL;

  parsed = ba_otpauth_parse ("otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP", &error);
  g_assert_no_error (error);
  g_assert_null (parsed->issuer);
  g_assert_cmpstr (parsed->account, ==, "alice");
  g_assert_cmpmem (parsed->secret, parsed->secret_len, example_key, sizeof example_key);
  g_assert_cmpint (parsed->algorithm, ==, BA_TOTP_SHA1);
  g_assert_cmpuint (parsed->digits, ==, 6);
  g_assert_cmpuint (parsed->period, ==, 30);
}

static void
test_parse_label_forms (void)
{
  static const struct {
    const char *uri;
    const char *issuer;
    const char *account;
  } cases[] = {
    /* The separator escaped, spaces after it, and a prefix only. */
    { "otpauth://totp/ACME%3Ajohn@example.com?secret=JBSWY3DPEHPK3PXP", "ACME", "john@example.com" },
    { "otpauth://totp/ACME:%20%20john?secret=JBSWY3DPEHPK3PXP", "ACME", "john" },
    { "otpauth://totp/ACME%20Co:john?secret=JBSWY3DPEHPK3PXP&issuer=ACME+Co", "ACME Co", "john" },
    /* The parameter wins and tells where an issuer with a colon ends. */
    { "otpauth://totp/A%3AB:john?secret=JBSWY3DPEHPK3PXP&issuer=A%3AB", "A:B", "john" },
    { "otpauth://totp/A:B:john?secret=JBSWY3DPEHPK3PXP&issuer=A%3AB", "A:B", "john" },
    /* A label prefix that disagrees with the parameter: the parameter is the issuer. */
    { "otpauth://totp/Old:john?issuer=New&secret=JBSWY3DPEHPK3PXP", "New", "john" },
    /* Case of scheme, type and parameter names does not matter; unknown parameters are skipped. */
    { "OTPAUTH://TOTP/x?SECRET=jbswy3dpehpk3pxp&image=http%3A%2F%2Fa&Issuer=Y#frag", "Y", "x" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(BaOtpauth) parsed = NULL;
      g_autoptr(GError) error = NULL;

      parsed = ba_otpauth_parse (cases[i].uri, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (parsed->issuer, ==, cases[i].issuer);
      g_assert_cmpstr (parsed->account, ==, cases[i].account);
      g_assert_cmpmem (parsed->secret, parsed->secret_len, example_key, sizeof example_key);
    }
}

static void
test_parse_padding (void)
{
  static const char *secrets[] = {
    "GEZDGNBVGY3TQOJQ",            /* 10 bytes, no padding needed */
    "GEZDGNBVGY3TQOJQGE======",    /* 11 bytes, padded */
    "GEZDGNBVGY3TQOJQGE%3D%3D%3D%3D%3D%3D",
    "GEZDGNBVGY3TQOJQGE",          /* the same, unpadded */
    "gezd gnbv gy3t qojq ge",      /* grouped and lower case, as typed */
  };

  for (guint i = 0; i < G_N_ELEMENTS (secrets); i++)
    {
      g_autofree char *uri = g_strdup_printf ("otpauth://totp/Issuer:acct?secret=%s&issuer=Issuer", secrets[i]);
      g_autoptr(BaOtpauth) parsed = NULL;
      g_autoptr(GError) error = NULL;

      /* The grouped form needs its spaces escaped to be a URI at all. */
      if (strchr (uri, ' ') != NULL)
        {
          char **parts = g_strsplit (uri, " ", -1);

          g_free (uri);
          uri = g_strjoinv ("%20", parts);
          g_strfreev (parts);
        }

      parsed = ba_otpauth_parse (uri, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (parsed->secret, parsed->secret_len,
                       "12345678901", i == 0 ? 10 : 11);
    }
}

static void
test_parse_invalid (void)
{
  static const char *bad[] = {
    "",
    "http://totp/a?secret=JBSWY3DPEHPK3PXP",
    "otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=1",
    "otpauth://totp/a",
    "otpauth://totp/a?issuer=x",
    "otpauth://totp/a?secret=",
    "otpauth://totp/a?secret=JBSWY3DPEHPK3PX1",
    "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=5",
    "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=9",
    "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=six",
    "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=0",
    "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&algorithm=MD5",
    "otpauth://totp/a%zz?secret=JBSWY3DPEHPK3PXP",
    "otpauth://totp/a%00b?secret=JBSWY3DPEHPK3PXP",
    "otpauth://totp/a%ff?secret=JBSWY3DPEHPK3PXP",
    "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&issuer=%e2%28",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(BaOtpauth) parsed = NULL;
      g_autoptr(GError) error = NULL;

      parsed = ba_otpauth_parse (bad[i], &error);
      if (parsed != NULL)
        g_error ("Accepted %s", bad[i]);
      g_assert_error (error, BA_ERROR, BA_ERROR_INVALID_INPUT);
    }
}

static void
test_group_key (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "JBSWY3DPEHPK3PXP", "JBSW Y3DP EHPK 3PXP" },
    { "jbswy3dpehpk3pxpa", "JBSW Y3DP EHPK 3PXP A" },
    { "GEZDGNBVGY3TQOJQGE======", "GEZD GNBV GY3T QOJQ GE" },
    { "AB", "AB" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *grouped = ba_otpauth_group_key (cases[i].in);

      g_assert_cmpstr (grouped, ==, cases[i].out);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/otpauth/build/example", test_build_example);
  g_test_add_func ("/ba/otpauth/build/escapes", test_build_escapes);
  g_test_add_func ("/ba/otpauth/build/without-issuer", test_build_without_issuer);
  g_test_add_func ("/ba/otpauth/round-trip", test_round_trip);
  g_test_add_func ("/ba/otpauth/parse/defaults", test_parse_defaults);
  g_test_add_func ("/ba/otpauth/parse/label-forms", test_parse_label_forms);
  g_test_add_func ("/ba/otpauth/parse/padding", test_parse_padding);
  g_test_add_func ("/ba/otpauth/parse/invalid", test_parse_invalid);
  g_test_add_func ("/ba/otpauth/group-key", test_group_key);

  return g_test_run ();
}
