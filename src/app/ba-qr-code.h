/* ba-qr-code.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BA_TYPE_QR_CODE (ba_qr_code_get_type ())

G_DECLARE_FINAL_TYPE (BaQrCode, ba_qr_code, BA, QR_CODE, GObject)

/* A QR code (libqrencode, error correction M) as a GdkPaintable. It draws
 * one rectangle per dark module with a whole number of pixels per module
 * and a four-module quiet zone, so it stays crisp at any size (GTK 4.8
 * cannot scale a texture without smoothing it). Its intrinsic size gives
 * six pixels per module. The text may be a secret (an otpauth URI): the
 * copy in libqrencode's output is wiped when the paintable goes. */
BaQrCode   *ba_qr_code_new               (const char *text,
                                          GError    **error);
/* Modules per side, without the quiet zone. */
int         ba_qr_code_get_size          (BaQrCode   *self);
/* The code as an RGB texture, @module_pixels per module, quiet zone
 * included (for tests and screenshots). */
GdkTexture *ba_qr_code_render_texture    (BaQrCode   *self,
                                          int         module_pixels);

G_END_DECLS
