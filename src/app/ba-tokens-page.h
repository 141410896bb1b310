/* ba-tokens-page.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ba-account.h"

G_BEGIN_DECLS

#define BA_TYPE_TOKENS_PAGE (ba_tokens_page_get_type ())

G_DECLARE_FINAL_TYPE (BaTokensPage, ba_tokens_page, BA, TOKENS_PAGE, AdwBin)

/* The "Access tokens" tab: the session token and the account's API keys. */
BaAccount *ba_tokens_page_get_account (BaTokensPage *self);
void       ba_tokens_page_set_account (BaTokensPage *self,
                                       BaAccount    *account);

G_END_DECLS
