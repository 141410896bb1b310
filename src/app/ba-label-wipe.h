/* ba-label-wipe.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef void (*BaLabelWipeHook) (GtkLabel *label,
                                 gboolean  zeroed,
                                 gpointer  user_data);

void ba_label_wipe               (GtkLabel        *label,
                                  const char      *replacement);
void ba_label_wipe_set_test_hook (BaLabelWipeHook  hook,
                                  gpointer         user_data);

G_END_DECLS
