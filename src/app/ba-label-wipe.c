/* ba-label-wipe.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-label-wipe"

#include "config.h"

#include "ba-label-wipe.h"

#include "ba-wipe.h"

static BaLabelWipeHook test_hook;
static gpointer test_hook_data;

/* Zeroes @text in place. GTK hands these strings out as const, but they
 * are the label's and the layout's own heap copies, about to be freed
 * without being overwritten: writing zeros over them is the only way to
 * keep the secret out of freed memory. Zeros keep each one a valid, empty
 * C string until GTK replaces it. */
static void
zero_in_place (const char *text)
{
  if (text != NULL)
    sodium_memzero ((char *) text, strlen (text));
}

/**
 * ba_label_wipe:
 * @label: a label that shows a secret
 * @replacement: what it shows afterwards
 *
 * Overwrites every copy of the text GTK keeps for @label (the label as
 * set, the text shown and its Pango layout's text), then sets
 * @replacement. What a screen reader already read over AT-SPI is out of
 * our hands.
 */
void
ba_label_wipe (GtkLabel   *label,
               const char *replacement)
{
  PangoLayout *layout;

  g_return_if_fail (GTK_IS_LABEL (label));
  g_return_if_fail (replacement != NULL);

  /* Nothing shown, nothing to wipe (a second wipe on dispose, say). */
  if (*gtk_label_get_label (label) == '\0')
    {
      gtk_label_set_text (label, replacement);
      return;
    }

  /* The layout first: asking for it may create it, one more copy, which
   * is then zeroed with the others. */
  layout = gtk_label_get_layout (label);

  /* The tests look at the strings before and after they are zeroed,
   * before GTK frees them. */
  if (test_hook != NULL)
    test_hook (label, FALSE, test_hook_data);

  zero_in_place (pango_layout_get_text (layout));
  zero_in_place (gtk_label_get_text (label));
  zero_in_place (gtk_label_get_label (label));

  if (test_hook != NULL)
    test_hook (label, TRUE, test_hook_data);

  /* An emptied layout first: when @replacement is "", GTK compares it
   * with the zeroed label, finds them equal and would keep drawing the
   * old lines of the layout. */
  pango_layout_set_text (layout, "", 0);
  gtk_label_set_text (label, replacement);
  gtk_widget_queue_resize (GTK_WIDGET (label));
}

/**
 * ba_label_wipe_set_test_hook:
 * @hook: (nullable): called before the label's strings are zeroed and
 *   again between zeroing and replacing them
 * @user_data: for @hook
 *
 * For the tests only.
 */
void
ba_label_wipe_set_test_hook (BaLabelWipeHook hook,
                             gpointer        user_data)
{
  test_hook = hook;
  test_hook_data = user_data;
}
