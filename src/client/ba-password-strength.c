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
#include <pwquality.h>

#include "ba-password-policy.h"
#include "ba-password-strength.h"
#include "ba-wipe.h"

BaPasswordStrength
ba_password_strength_check (const char  *password,
                            const char  *username,
                            const char  *email,
                            char       **out_hint)
{
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
}
