/* ba-application.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The GSettings schema keeps the release id in every profile (see
 * data/meson.build). */
#define BA_SETTINGS_SCHEMA_ID "io.github.balena_accounts.Accounts"

#define BA_TYPE_APPLICATION (ba_application_get_type ())

G_DECLARE_FINAL_TYPE (BaApplication, ba_application, BA, APPLICATION, AdwApplication)

BaApplication *ba_application_new (void);

G_END_DECLS
