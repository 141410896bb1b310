/* ba-api-key-dialog.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ba-account.h"
#include "ba-api-key.h"

G_BEGIN_DECLS

#define BA_TYPE_API_KEY_DIALOG (ba_api_key_dialog_get_type ())

G_DECLARE_FINAL_TYPE (BaApiKeyDialog, ba_api_key_dialog, BA, API_KEY_DIALOG, AdwWindow)

/* A modal dialog that creates an API key of @account (@key NULL) and shows
 * it once, or edits the name, description and expiry of @key. */
BaApiKeyDialog *ba_api_key_dialog_new          (GtkWindow      *parent,
                                                BaAccount      *account,
                                                BaApiKey       *key);

/* Writes the shown key to @file, readable by its owner only (mode 0600);
 * what "Save to File…" does once a file is chosen. */
void            ba_api_key_dialog_save_to_file (BaApiKeyDialog *self,
                                                GFile          *file);

G_END_DECLS
