/* ba-qr-code.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-qr-code"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <qrencode.h>
#include <sodium.h>

#include "ba-error.h"
#include "ba-qr-code.h"

#define QUIET_MODULES 4
#define INTRINSIC_MODULE_PIXELS 6

struct _BaQrCode
{
  GObject  parent_instance;

  int      size;      /* modules per side */
  guint8  *dark;      /* size * size booleans */
};

static void paintable_iface_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BaQrCode, ba_qr_code, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE, paintable_iface_init))

static void
ba_qr_code_snapshot (GdkPaintable *paintable,
                     GdkSnapshot  *snapshot,
                     double        width,
                     double        height)
{
  BaQrCode *self = BA_QR_CODE (paintable);
  static const GdkRGBA white = { 1, 1, 1, 1 };
  static const GdkRGBA black = { 0, 0, 0, 1 };
  int total = self->size + 2 * QUIET_MODULES;
  int module = (int) (MIN (width, height) / total);
  double x0;
  double y0;

  /* Whole pixels per module; below one the code could not be read. */
  if (module < 1)
    module = 1;

  x0 = floor ((width - (double) module * total) / 2);
  y0 = floor ((height - (double) module * total) / 2);

  /* The quiet zone is part of the code: scanners need it white even in
   * the dark style. */
  gtk_snapshot_append_color (snapshot, &white,
                             &GRAPHENE_RECT_INIT (x0, y0, module * total, module * total));

  for (int y = 0; y < self->size; y++)
    {
      int x = 0;

      /* One rectangle per horizontal run of dark modules. */
      while (x < self->size)
        {
          int start;

          if (!self->dark[y * self->size + x])
            {
              x++;
              continue;
            }

          start = x;
          while (x < self->size && self->dark[y * self->size + x])
            x++;

          gtk_snapshot_append_color (snapshot, &black,
                                     &GRAPHENE_RECT_INIT (x0 + (start + QUIET_MODULES) * module,
                                                          y0 + (y + QUIET_MODULES) * module,
                                                          (x - start) * module, module));
        }
    }
}

static int
ba_qr_code_get_intrinsic_width (GdkPaintable *paintable)
{
  BaQrCode *self = BA_QR_CODE (paintable);

  return (self->size + 2 * QUIET_MODULES) * INTRINSIC_MODULE_PIXELS;
}

static GdkPaintableFlags
ba_qr_code_get_flags (GdkPaintable *paintable)
{
  return GDK_PAINTABLE_STATIC_CONTENTS | GDK_PAINTABLE_STATIC_SIZE;
}

static void
paintable_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = ba_qr_code_snapshot;
  iface->get_intrinsic_width = ba_qr_code_get_intrinsic_width;
  iface->get_intrinsic_height = ba_qr_code_get_intrinsic_width;
  iface->get_flags = ba_qr_code_get_flags;
}

static void
ba_qr_code_finalize (GObject *object)
{
  BaQrCode *self = (BaQrCode *)object;

  /* The modules encode the secret. */
  if (self->dark != NULL)
    sodium_memzero (self->dark, (gsize) self->size * self->size);
  g_free (self->dark);

  G_OBJECT_CLASS (ba_qr_code_parent_class)->finalize (object);
}

static void
ba_qr_code_class_init (BaQrCodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ba_qr_code_finalize;
}

static void
ba_qr_code_init (BaQrCode *self)
{
}

BaQrCode *
ba_qr_code_new (const char  *text,
                GError     **error)
{
  BaQrCode *self;
  QRcode *qr;

  g_return_val_if_fail (text != NULL, NULL);

  qr = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (qr == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, BA_ERROR, BA_ERROR_FAILED,
                   "Could not make a QR code: %s", g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (BA_TYPE_QR_CODE, NULL);
  self->size = qr->width;
  self->dark = g_malloc ((gsize) qr->width * qr->width);
  for (int i = 0; i < qr->width * qr->width; i++)
    self->dark[i] = qr->data[i] & 1;   /* bit 0: dark module */

  sodium_memzero (qr->data, (gsize) qr->width * qr->width);
  QRcode_free (qr);

  return self;
}

int
ba_qr_code_get_size (BaQrCode *self)
{
  g_return_val_if_fail (BA_IS_QR_CODE (self), 0);

  return self->size;
}

GdkTexture *
ba_qr_code_render_texture (BaQrCode *self,
                           int       module_pixels)
{
  g_autoptr(GBytes) bytes = NULL;
  guint8 *pixels;
  int total;
  int side;
  gsize stride;

  g_return_val_if_fail (BA_IS_QR_CODE (self), NULL);
  g_return_val_if_fail (module_pixels > 0, NULL);

  total = self->size + 2 * QUIET_MODULES;
  side = total * module_pixels;
  stride = (gsize) side * 3;
  pixels = g_malloc (stride * side);
  memset (pixels, 0xff, stride * side);

  for (int y = 0; y < self->size; y++)
    for (int x = 0; x < self->size; x++)
      if (self->dark[y * self->size + x])
        for (int dy = 0; dy < module_pixels; dy++)
          memset (pixels + ((gsize) (y + QUIET_MODULES) * module_pixels + dy) * stride
                         + (gsize) (x + QUIET_MODULES) * module_pixels * 3,
                  0, (gsize) module_pixels * 3);

  bytes = g_bytes_new_take (pixels, stride * side);

  return gdk_memory_texture_new (side, side, GDK_MEMORY_R8G8B8, bytes, stride);
}
