/* test-qr-code.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "ba-otpauth.h"
#include "ba-qr-code.h"

/* The QR code decodes back to the exact otpauth URI: rendered to a PNG
 * and read by zbarimg (zbar-tools), an independent decoder. No display is
 * needed. */

static char *
decode (const char *png)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "zbarimg", "-q", "--raw", "--nodbus", png, NULL };
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("zbarimg failed on %s: %s", png, err);

  return g_strchomp (g_steal_pointer (&out));
}

static void
check_round_trip (const char *uri,
                  int         module_pixels)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BaQrCode) qr = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-qr-XXXXXX", &error);
  g_autofree char *png = NULL;
  g_autofree char *decoded = NULL;

  g_assert_no_error (error);
  png = g_build_filename (dir, "qr.png", NULL);

  qr = ba_qr_code_new (uri, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ba_qr_code_get_size (qr), >=, 21);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (qr)), ==,
                   (ba_qr_code_get_size (qr) + 8) * 6);

  texture = ba_qr_code_render_texture (qr, module_pixels);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, (ba_qr_code_get_size (qr) + 8) * module_pixels);
  g_assert_true (gdk_texture_save_to_png (texture, png));

  decoded = decode (png);
  g_assert_cmpstr (decoded, ==, uri);

  g_unlink (png);
  g_rmdir (dir);
}

static void
test_otpauth_uri (void)
{
  static const guint8 key[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
  g_autofree char *uri = NULL;

  /* What the server sends: an issuer with a space, an email account. */
  uri = ba_otpauth_build ("Balena Accounts", "demo@example.com", key, sizeof key,
                          BA_TOTP_SHA1, 6, 30);
  check_round_trip (uri, 4);
  check_round_trip (uri, 2);
}

static void
test_long_uri (void)
{
  g_autofree char *account = g_strnfill (120, 'x');
  guint8 key[64];
  g_autofree char *uri = NULL;

  for (guint i = 0; i < sizeof key; i++)
    key[i] = i * 7;

  uri = ba_otpauth_build ("Issuer: with colon", account, key, sizeof key, BA_TOTP_SHA512, 8, 60);
  check_round_trip (uri, 3);
}

/* What the widget draws, through GTK's own renderer-independent path:
 * snapshot → node → cairo, then decoded. */
static void
test_snapshot (void)
{
  const char *uri = "otpauth://totp/Balena%20Accounts:demo?secret=JBSWY3DPEHPK3PXP&issuer=Balena%20Accounts&algorithm=SHA1&digits=6&period=30";
  g_autoptr(GError) error = NULL;
  g_autoptr(BaQrCode) qr = ba_qr_code_new (uri, &error);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-qr-XXXXXX", &error);
  g_autofree char *png = g_build_filename (dir, "snapshot.png", NULL);
  g_autofree char *decoded = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;

  /* An odd size: the modules still get whole pixels. */
  gdk_paintable_snapshot (GDK_PAINTABLE (qr), snapshot, 333, 301);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 333, 301);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 0.2, 0.3, 0.8);
  cairo_paint (cr);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png (surface, png), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);

  decoded = decode (png);
  g_assert_cmpstr (decoded, ==, uri);
  g_unlink (png);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* Registers the render node types without needing a display. */
  g_type_ensure (GSK_TYPE_COLOR_NODE);

  g_test_add_func ("/ba/qr-code/otpauth-uri", test_otpauth_uri);
  g_test_add_func ("/ba/qr-code/long-uri", test_long_uri);
  g_test_add_func ("/ba/qr-code/snapshot", test_snapshot);

  return g_test_run ();
}
