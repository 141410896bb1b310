/* test-password-strength.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ba-password-strength.h"

/* The strength hint of the sign-up and password forms, through the real
 * libpwquality. */

static void
test_levels (void)
{
  struct { const char *password; BaPasswordStrength at_least; BaPasswordStrength at_most; } cases[] = {
    { "", BA_PASSWORD_STRENGTH_EMPTY, BA_PASSWORD_STRENGTH_EMPTY },
    { "abc", BA_PASSWORD_STRENGTH_TOO_SHORT, BA_PASSWORD_STRENGTH_TOO_SHORT },
    { "pässwör", BA_PASSWORD_STRENGTH_TOO_SHORT, BA_PASSWORD_STRENGTH_TOO_SHORT },
    { "aaaaaaaaaa", BA_PASSWORD_STRENGTH_WEAK, BA_PASSWORD_STRENGTH_WEAK },
    { "password", BA_PASSWORD_STRENGTH_WEAK, BA_PASSWORD_STRENGTH_WEAK },
    { "12345678", BA_PASSWORD_STRENGTH_WEAK, BA_PASSWORD_STRENGTH_WEAK },
    { "qX7$vR2!mPz9#Lw4k", BA_PASSWORD_STRENGTH_GOOD, BA_PASSWORD_STRENGTH_STRONG },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *hint = NULL;
      BaPasswordStrength strength = ba_password_strength_check (cases[i].password, NULL, NULL, &hint);

      g_test_message ("“%s”: %d, %s", cases[i].password, strength, hint);
      g_assert_cmpint (strength, >=, cases[i].at_least);
      g_assert_cmpint (strength, <=, cases[i].at_most);
      g_assert_nonnull (hint);
      g_assert_true (g_utf8_validate (hint, -1, NULL));
    }
}

static void
test_user_names (void)
{
  g_autofree char *hint = NULL;
  const char *password = "Zq7!janedoe#Xv2";

  /* Strong on its own; weak once it is known to hold the user's name. */
  g_assert_cmpint (ba_password_strength_check (password, NULL, NULL, NULL), >=, BA_PASSWORD_STRENGTH_FAIR);
  g_assert_cmpint (ba_password_strength_check (password, "janedoe", NULL, &hint), ==,
                   BA_PASSWORD_STRENGTH_WEAK);
  g_assert_nonnull (hint);
  g_clear_pointer (&hint, g_free);
  g_assert_cmpint (ba_password_strength_check (password, NULL, "janedoe@example.com", &hint), ==,
                   BA_PASSWORD_STRENGTH_WEAK);
  g_assert_cmpint (ba_password_strength_check (password, "sam", "janedoe@example.com", NULL), ==,
                   BA_PASSWORD_STRENGTH_WEAK);
}

/* The rule a build without libpwquality (the Flatpak) uses. */
static void
test_basic (void)
{
  struct { const char *password; BaPasswordStrength expected; } cases[] = {
    { "", BA_PASSWORD_STRENGTH_EMPTY },
    { "1234567", BA_PASSWORD_STRENGTH_TOO_SHORT },
    { "password", BA_PASSWORD_STRENGTH_WEAK },
    { "12345678", BA_PASSWORD_STRENGTH_WEAK },
    { "abababababababab", BA_PASSWORD_STRENGTH_WEAK },
    { "horsebattery", BA_PASSWORD_STRENGTH_FAIR },
    { "Horse battery", BA_PASSWORD_STRENGTH_GOOD },
    { "qX7$vR2!mPz9#Lw4k", BA_PASSWORD_STRENGTH_STRONG },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *hint = NULL;

      g_test_message ("“%s”", cases[i].password);
      g_assert_cmpint (ba_password_strength_check_basic (cases[i].password, NULL, NULL, &hint), ==,
                       cases[i].expected);
      g_assert_nonnull (hint);
    }

  g_assert_cmpint (ba_password_strength_check_basic ("qX7$JaneDoe!mPz9", "janedoe", NULL, NULL), ==,
                   BA_PASSWORD_STRENGTH_WEAK);
  g_assert_cmpint (ba_password_strength_check_basic ("qX7$JaneDoe!mPz9", NULL, "JANEDOE@example.com", NULL), ==,
                   BA_PASSWORD_STRENGTH_WEAK);
  g_assert_cmpint (ba_password_strength_check_basic ("qX7$JaneDoe!mPz9", "sam", "sam@example.com", NULL), ==,
                   BA_PASSWORD_STRENGTH_STRONG);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ba/password-strength/levels", test_levels);
  g_test_add_func ("/ba/password-strength/user-names", test_user_names);
  g_test_add_func ("/ba/password-strength/basic", test_basic);

  return g_test_run ();
}
