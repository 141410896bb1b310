/* ba-secure-clipboard.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-secure-clipboard"

#include "config.h"

#include "ba-secure-clipboard.h"

#include "ba-application.h"
#include "ba-wipe.h"

#include <glib/gi18n.h>

struct _BaSecureClipboard
{
  GObject             parent_instance;

  GdkClipboard       *clipboard;   /* borrowed: the display owns it */
  GdkContentProvider *content;     /* what we put on the clipboard */
  GSettings          *settings;
  guint               clear_source;
};

G_DEFINE_FINAL_TYPE (BaSecureClipboard, ba_secure_clipboard, G_TYPE_OBJECT)

/* The mime types a secret is offered as. The password-manager hint is what
 * KDE's Klipper and other clipboard managers read to skip the entry. */
static const char * const text_mime_types[] = {
  "text/plain;charset=utf-8",
  "text/plain",
  "UTF8_STRING",
};

static void
wipe_buffer (gpointer data)
{
  ba_wipe_string_free (data);
}

static void
forget_content (BaSecureClipboard *self)
{
  g_clear_handle_id (&self->clear_source, g_source_remove);
  /* Dropping the provider drops the GBytes, whose free function wipes the
   * copy, unless the clipboard is still reading from it. */
  g_clear_object (&self->content);
}

static gboolean
clear_cb (gpointer user_data)
{
  BaSecureClipboard *self = user_data;

  self->clear_source = 0;

  if (self->content != NULL &&
      gdk_clipboard_get_content (self->clipboard) == self->content)
    gdk_clipboard_set_content (self->clipboard, NULL);

  forget_content (self);

  return G_SOURCE_REMOVE;
}

static void
clipboard_changed_cb (BaSecureClipboard *self,
                      GdkClipboard      *clipboard)
{
  /* Someone else owns the clipboard now: our copy is not needed. */
  if (self->content != NULL &&
      gdk_clipboard_get_content (clipboard) != self->content)
    forget_content (self);
}

static void
ba_secure_clipboard_dispose (GObject *object)
{
  BaSecureClipboard *self = BA_SECURE_CLIPBOARD (object);

  forget_content (self);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ba_secure_clipboard_parent_class)->dispose (object);
}

static void
ba_secure_clipboard_class_init (BaSecureClipboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ba_secure_clipboard_dispose;
}

static void
ba_secure_clipboard_init (BaSecureClipboard *self)
{
  self->settings = g_settings_new (BA_SETTINGS_SCHEMA_ID);
}

BaSecureClipboard *
ba_secure_clipboard_get_default (GdkDisplay *display)
{
  BaSecureClipboard *self;

  g_return_val_if_fail (GDK_IS_DISPLAY (display), NULL);

  self = g_object_get_data (G_OBJECT (display), "ba-secure-clipboard");
  if (self != NULL)
    return self;

  self = g_object_new (BA_TYPE_SECURE_CLIPBOARD, NULL);
  self->clipboard = gdk_display_get_clipboard (display);
  g_signal_connect_object (self->clipboard, "changed",
                           G_CALLBACK (clipboard_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_object_set_data_full (G_OBJECT (display), "ba-secure-clipboard", self, g_object_unref);

  return self;
}

GdkContentProvider *
ba_secure_clipboard_get_content (BaSecureClipboard *self)
{
  g_return_val_if_fail (BA_IS_SECURE_CLIPBOARD (self), NULL);

  return self->content;
}

char *
ba_secure_clipboard_copy (GtkWidget  *widget,
                          const char *secret)
{
  BaSecureClipboard *self;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) hint = NULL;
  GdkContentProvider *providers[G_N_ELEMENTS (text_mime_types) + 1];
  char *copy;
  guint seconds;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);
  g_return_val_if_fail (secret != NULL, NULL);

  self = ba_secure_clipboard_get_default (gtk_widget_get_display (widget));
  forget_content (self);

  /* One copy of the secret, shared by every format and wiped when the
   * last reference to it goes. */
  copy = g_strdup (secret);
  bytes = g_bytes_new_with_free_func (copy, strlen (copy), wipe_buffer, copy);
  hint = g_bytes_new_static ("secret", strlen ("secret"));

  for (guint i = 0; i < G_N_ELEMENTS (text_mime_types); i++)
    providers[i] = gdk_content_provider_new_for_bytes (text_mime_types[i], bytes);
  providers[G_N_ELEMENTS (text_mime_types)] =
    gdk_content_provider_new_for_bytes ("x-kde-passwordManagerHint", hint);

  self->content = gdk_content_provider_new_union (providers, G_N_ELEMENTS (providers));
  gdk_clipboard_set_content (self->clipboard, self->content);

  seconds = g_settings_get_uint (self->settings, "clipboard-clear-seconds");
  self->clear_source = g_timeout_add_seconds (seconds, clear_cb, self);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Copied. The clipboard will be cleared in %u second.",
                                       "Copied. The clipboard will be cleared in %u seconds.",
                                       seconds),
                          seconds);
}
