/* ba-challenge-page.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ba-login-challenge.h"
#include "ba-login-page.h"

G_BEGIN_DECLS

#define BA_TYPE_CHALLENGE_PAGE (ba_challenge_page_get_type ())

G_DECLARE_FINAL_TYPE (BaChallengePage, ba_challenge_page, BA, CHALLENGE_PAGE, AdwBin)

/* The second step of a login with two-factor authentication: the 6-digit
 * code from the authenticator app (sent as soon as it is complete), or a
 * recovery code instead. It takes the place of @login_page's form until
 * the login completes (then @login_page emits "logged-in") or the user
 * goes back (the form returns, password cleared). */
void ba_challenge_page_present (BaLoginPage      *login_page,
                                BaLoginChallenge *challenge);
/* Puts the form back if a challenge is showing. */
void ba_challenge_page_dismiss (BaLoginPage      *login_page);
/* The challenge page showing in @login_page, or NULL. */
BaChallengePage *ba_challenge_page_get_for (BaLoginPage *login_page);

G_END_DECLS
