/* ba-secure-clipboard.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BA_TYPE_SECURE_CLIPBOARD (ba_secure_clipboard_get_type ())

G_DECLARE_FINAL_TYPE (BaSecureClipboard, ba_secure_clipboard, BA, SECURE_CLIPBOARD, GObject)

/* The one way the app copies a secret (token, API key, recovery code).
 *
 * The text goes on @widget's display clipboard as text/plain;charset=utf-8,
 * text/plain and UTF8_STRING, together with x-kde-passwordManagerHint
 * "secret" so clipboard managers do not keep it in their history. After
 * the GSettings delay clipboard-clear-seconds the clipboard is cleared,
 * but only if it still holds this content: something copied meanwhile is
 * left alone. The helper's own copy of the secret is wiped when the
 * clipboard is cleared or taken over.
 *
 * Returns the toast text to show ("Copied. The clipboard will be cleared
 * in 30 seconds."). */
char              *ba_secure_clipboard_copy        (GtkWidget  *widget,
                                                    const char *secret);

/* The clipboard helper of @display (created on first use). */
BaSecureClipboard *ba_secure_clipboard_get_default (GdkDisplay *display);

/* The content provider now on the clipboard, or NULL once it was cleared
 * or replaced; for tests. */
GdkContentProvider *ba_secure_clipboard_get_content (BaSecureClipboard *self);

G_END_DECLS
