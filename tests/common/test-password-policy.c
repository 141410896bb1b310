/* test-password-policy.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ba-error.h"
#include "ba-password-policy.h"

static void
assert_weak (const char *password)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (ba_password_policy_check (password, &error));
  g_assert_error (error, BA_ERROR, BA_ERROR_WEAK_PASSWORD);
  g_assert_cmpstr (error->message, ==, "Password must be at least 8 characters");
}

static void
test_length (void)
{
  g_autoptr(GError) error = NULL;

  assert_weak ("");
  assert_weak ("1234567");

  g_assert_true (ba_password_policy_check ("12345678", &error));
  g_assert_no_error (error);
  g_assert_true (ba_password_policy_check ("a much longer passphrase", &error));
  g_assert_no_error (error);
}

static void
test_multibyte (void)
{
  g_autoptr(GError) error = NULL;

  /* 8 characters in 10 bytes: accepted. */
  g_assert_true (ba_password_policy_check ("pässwört", &error));
  g_assert_no_error (error);

  /* 6 characters in 8 bytes: refused, bytes are not characters. */
  assert_weak ("pässwö");

  /* 7 emoji are 28 bytes but still 7 characters. */
  assert_weak ("😀😀😀😀😀😀😀");
  g_assert_true (ba_password_policy_check ("😀😀😀😀😀😀😀😀", NULL));
}

static void
test_null (void)
{
  assert_weak (NULL);

  /* A NULL error is allowed, as everywhere in GLib. */
  g_assert_false (ba_password_policy_check (NULL, NULL));
}

static void
test_invalid_utf8 (void)
{
  /* Long enough in bytes, but not text. */
  assert_weak ("abcdefgh\xff");
  assert_weak ("\xc3\x28\xc3\x28\xc3\x28\xc3\x28\xc3\x28");
  g_assert_false (ba_password_policy_check ("abcdefgh\xff", NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/password-policy/length", test_length);
  g_test_add_func ("/ba/password-policy/multibyte", test_multibyte);
  g_test_add_func ("/ba/password-policy/null", test_null);
  g_test_add_func ("/ba/password-policy/invalid-utf8", test_invalid_utf8);

  return g_test_run ();
}
