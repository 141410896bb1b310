/* ba-otpauth.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ba-totp.h"

G_BEGIN_DECLS

/* One TOTP account as an authenticator app sees it: the Key URI format
 * otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=…&digits=…&period=…
 * that Google Authenticator, Authy and 1Password scan from a QR code. */
typedef struct
{
  char            *issuer;       /* NULL when the URI names none */
  char            *account;      /* the label's account part, never NULL */
  guint8          *secret;       /* the raw key (wiped by ba_otpauth_free()) */
  gsize            secret_len;
  BaTotpAlgorithm  algorithm;
  guint            digits;
  guint            period;
} BaOtpauth;

void       ba_otpauth_free          (BaOtpauth        *otpauth);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaOtpauth, ba_otpauth_free)

/* Builds the URI. @issuer may be NULL; both it and @account are
 * percent-encoded (a colon or a space in either survives the round trip),
 * and the issuer goes into both the label prefix and the issuer parameter,
 * as the format recommends. The secret is base32 without '=' padding,
 * which every authenticator accepts. The result holds the secret: free it
 * with ba_wipe_string_free() in layers that have it, or wipe it. */
char      *ba_otpauth_build         (const char       *issuer,
                                     const char       *account,
                                     const guint8     *secret,
                                     gsize             secret_len,
                                     BaTotpAlgorithm   algorithm,
                                     guint             digits,
                                     guint             period);

/* Parses an otpauth://totp/ URI. Missing parameters take the format's
 * defaults (SHA1, 6 digits, 30 s). The issuer parameter wins over the
 * label's prefix; the prefix is split off at the first colon (literal or
 * %3A) when there is no parameter. A padded secret ("…====", also as
 * %3D) is accepted. hotp://, a missing or undecodable secret, and digits
 * or periods out of range are BA_ERROR_INVALID_INPUT. */
BaOtpauth *ba_otpauth_parse         (const char       *uri,
                                     GError          **error);

/* The base32 setup key in blocks of four for typing by hand:
 * "JBSW Y3DP EHPK 3PXP". Upper case, no padding. */
char      *ba_otpauth_group_key     (const char       *base32_key);

G_END_DECLS
