/* ba-recovery-codes-dialog.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BA_TYPE_RECOVERY_CODES_DIALOG (ba_recovery_codes_dialog_get_type ())

G_DECLARE_FINAL_TYPE (BaRecoveryCodesDialog, ba_recovery_codes_dialog, BA, RECOVERY_CODES_DIALOG, AdwWindow)

/* Shows a new set of recovery codes, once: Copy (secure clipboard), Save
 * to File (mode 0600), Print, and a required "I have saved these codes"
 * before it can be closed. Takes @codes; they are wiped, and the label
 * emptied, when the dialog goes. */
BaRecoveryCodesDialog *ba_recovery_codes_dialog_new          (GtkWindow             *parent,
                                                              char                 **codes);
/* What Save to File does once a file is chosen (for tests). */
void                   ba_recovery_codes_dialog_save_to_file (BaRecoveryCodesDialog  *self,
                                                              GFile                  *file);
/* What Print draws, written to a PDF file instead (for tests). */
gboolean               ba_recovery_codes_dialog_export_pdf   (BaRecoveryCodesDialog  *self,
                                                              const char             *path,
                                                              GError                **error);
/* The codes as the file, the clipboard and the printout carry them. */
char                  *ba_recovery_codes_dialog_dup_text     (BaRecoveryCodesDialog  *self);

G_END_DECLS
