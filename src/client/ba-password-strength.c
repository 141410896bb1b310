/* ba-password-strength.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-password-strength"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#if HAVE_PWQUALITY
# include <pwquality.h>
#endif

#include "ba-password-policy.h"
#include "ba-password-strength.h"
#include "ba-wipe.h"

static const char *
hint_for (BaPasswordStrength strength)
{
  switch (strength)
    {
    case BA_PASSWORD_STRENGTH_EMPTY:
      return _("Use at least 8 characters.");
    case BA_PASSWORD_STRENGTH_TOO_SHORT:
      return _("Too short: use at least 8 characters.");
    case BA_PASSWORD_STRENGTH_WEAK:
      return _("Weak: this password is easy to guess.");
    case BA_PASSWORD_STRENGTH_FAIR:
      return _("Fair: a longer password would be safer.");
    case BA_PASSWORD_STRENGTH_GOOD:
      return _("Good password.");
    case BA_PASSWORD_STRENGTH_STRONG:
    default:
      return _("Strong password.");
    }
}

/* TRUE if @password contains @name (at least 3 characters), ignoring
 * case. */
static gboolean
contains_name (const char *password,
               const char *name,
               gssize      name_len)
{
  g_autofree char *folded_password = NULL;
  g_autofree char *folded_name = NULL;

  if (name == NULL)
    return FALSE;
  if (name_len < 0)
    name_len = strlen (name);
  if (name_len < 3)
    return FALSE;

  folded_password = g_utf8_casefold (password, -1);
  folded_name = g_utf8_casefold (name, name_len);

  return strstr (folded_password, folded_name) != NULL;
}

BaPasswordStrength
ba_password_strength_check_basic (const char  *password,
                                  const char  *username,
                                  const char  *email,
                                  char       **out_hint)
{
  gboolean lower = FALSE, upper = FALSE, digit = FALSE, other = FALSE;
  BaPasswordStrength strength;
  glong length;
  guint classes;
  guint distinct = 0;
  guint points;
  GHashTable *seen;

  if (password == NULL || *password == '\0')
    strength = BA_PASSWORD_STRENGTH_EMPTY;
  else if (!ba_password_policy_check (password, NULL))
    strength = BA_PASSWORD_STRENGTH_TOO_SHORT;
  else if (contains_name (password, username, -1) ||
           (email != NULL && strchr (email, '@') != NULL &&
            contains_name (password, email, strchr (email, '@') - email)))
    {
      strength = BA_PASSWORD_STRENGTH_WEAK;
      if (out_hint != NULL)
        *out_hint = g_strdup (_("Weak: it contains your user name or email."));
      return strength;
    }
  else
    {
      seen = g_hash_table_new (NULL, NULL);
      for (const char *p = password; *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          lower |= g_unichar_islower (c);
          upper |= g_unichar_isupper (c);
          digit |= g_unichar_isdigit (c);
          other |= !g_unichar_isalnum (c);
          g_hash_table_add (seen, GUINT_TO_POINTER (c));
        }
      distinct = g_hash_table_size (seen);
      g_hash_table_unref (seen);

      length = g_utf8_strlen (password, -1);
      classes = lower + upper + digit + other;
      points = MIN (length, 20) * 3 + (classes - 1) * 10;

      /* One kind of character, or a handful of distinct ones, is easy
       * to guess however long it is. */
      if ((classes == 1 && length < 12) || distinct < 4)
        strength = BA_PASSWORD_STRENGTH_WEAK;
      else if (points < 45)
        strength = BA_PASSWORD_STRENGTH_FAIR;
      else if (points < 65)
        strength = BA_PASSWORD_STRENGTH_GOOD;
      else
        strength = BA_PASSWORD_STRENGTH_STRONG;
    }

  if (out_hint != NULL)
    *out_hint = g_strdup (hint_for (strength));

  return strength;
}

BaPasswordStrength
ba_password_strength_check (const char  *password,
                            const char  *username,
                            const char  *email,
                            char       **out_hint)
{
#if !HAVE_PWQUALITY
  return ba_password_strength_check_basic (password, username, email, out_hint);
#else
  pwquality_settings_t *settings;
  g_autofree char *local_part = NULL;
  const char *hint = NULL;
  void *auxerror = NULL;
  BaPasswordStrength strength;
  int score;

  if (password == NULL || *password == '\0')
    {
      if (out_hint != NULL)
        *out_hint = g_strdup (_("Use at least 8 characters."));
      return BA_PASSWORD_STRENGTH_EMPTY;
    }

  if (!ba_password_policy_check (password, NULL))
    {
      if (out_hint != NULL)
        *out_hint = g_strdup (_("Too short: use at least 8 characters."));
      return BA_PASSWORD_STRENGTH_TOO_SHORT;
    }

  /* Like GNOME Settings: libpwquality's score (0–100), or an error code
   * for passwords it considers bad (a dictionary word, the user name…).
   * Its length rule is ours, not the system's pwquality.conf, so the
   * hint never contradicts what the server accepts. */
  settings = pwquality_default_settings ();
  pwquality_set_int_value (settings, PWQ_SETTING_MIN_LENGTH, BA_PASSWORD_MIN_LENGTH);

  if (email != NULL && strchr (email, '@') != NULL)
    local_part = g_strndup (email, strchr (email, '@') - email);

  score = pwquality_check (settings, password, NULL,
                           username != NULL ? username : local_part, &auxerror);

  /* Without cracklib's dictionary (cracklib-runtime) every password
   * "fails the dictionary check"; rate it on the other rules instead of
   * calling everything weak. */
  if (score == PWQ_ERROR_CRACKLIB_CHECK && auxerror != NULL &&
      g_str_has_prefix (auxerror, "error loading dictionary"))
    {
      auxerror = NULL;   /* cracklib's own static text */
      g_debug ("cracklib's dictionary is missing; rating without it");
      pwquality_set_int_value (settings, PWQ_SETTING_DICT_CHECK, 0);
      score = pwquality_check (settings, password, NULL,
                               username != NULL ? username : local_part, &auxerror);
    }
  if (score >= 0 && local_part != NULL && username != NULL)
    {
      int second = pwquality_check (settings, password, NULL, local_part, NULL);

      if (second < 0)
        score = second;
    }

  if (score < 0)
    {
      char message[PWQ_MAX_ERROR_MESSAGE_LEN];

      /* libpwquality's message may quote the password; it is not shown
       * or logged, only used to choose our own wording. */
      pwquality_strerror (message, sizeof message, score, auxerror);
      sodium_memzero (message, sizeof message);
      strength = BA_PASSWORD_STRENGTH_WEAK;
      if (score == PWQ_ERROR_USER_CHECK)
        hint = _("Weak: it contains your user name or email.");
      else if (score == PWQ_ERROR_CRACKLIB_CHECK)
        hint = _("Weak: it is based on a dictionary word.");
      else if (score == PWQ_ERROR_MIN_CLASSES || score == PWQ_ERROR_MAX_CONSECUTIVE ||
               score == PWQ_ERROR_MAX_SEQUENCE || score == PWQ_ERROR_MAX_CLASS_REPEAT)
        hint = _("Weak: it repeats characters or follows a simple pattern.");
      else
        hint = _("Weak: this password is easy to guess.");
    }
  else if (score < 50)
    {
      strength = BA_PASSWORD_STRENGTH_FAIR;
      hint = _("Fair: a longer password would be safer.");
    }
  else if (score < 75)
    {
      strength = BA_PASSWORD_STRENGTH_GOOD;
      hint = _("Good password.");
    }
  else
    {
      strength = BA_PASSWORD_STRENGTH_STRONG;
      hint = _("Strong password.");
    }

  pwquality_free_settings (settings);

  if (out_hint != NULL)
    *out_hint = g_strdup (hint);

  return strength;
#endif
}
