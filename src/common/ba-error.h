/* ba-error.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BA_ERROR (ba_error_quark ())

/* One error domain for both programs. The client maps every protocol
 * failure to one of these codes with a translatable, user-facing message;
 * the raw detail goes to g_debug(), never into the message. */
typedef enum
{
  BA_ERROR_FAILED,                 /* anything not covered below */
  BA_ERROR_INVALID_INPUT,          /* 400, or rejected before sending */
  BA_ERROR_WRONG_CREDENTIALS,      /* 401 from /login_ or a wrong password */
  BA_ERROR_NOT_LOGGED_IN,          /* 401 elsewhere: session over or revoked */
  BA_ERROR_FRESH_AUTH_REQUIRED,    /* "Fresh authentication token required" */
  BA_ERROR_TWO_FACTOR_REQUIRED,    /* partial token: a TOTP challenge is due */
  BA_ERROR_PERMISSION_DENIED,      /* 403, or 401 for an action not allowed */
  BA_ERROR_NOT_FOUND,              /* 404 on a resource */
  BA_ERROR_NOT_SUPPORTED,          /* 404 on an extension endpoint */
  BA_ERROR_CONFLICT,               /* 409 */
  BA_ERROR_TOO_MANY_ATTEMPTS,      /* 429, with the wait from Retry-After */
  BA_ERROR_OFFLINE,                /* no connection, DNS failure, refused */
  BA_ERROR_TIMEOUT,                /* the server did not answer in time */
  BA_ERROR_SERVER,                 /* 5xx */
  BA_ERROR_INVALID_RESPONSE,       /* the server answered something unparsable */
  BA_ERROR_INSECURE_URL,           /* plain http:// to a non-loopback host */
  BA_ERROR_INVALID_TOKEN,          /* a token that is not a JWT/API key or fails verification */
  BA_ERROR_TOKEN_EXPIRED,          /* exp is in the past */
  BA_ERROR_WEAK_PASSWORD,          /* password policy */
  BA_ERROR_VAULT,                  /* the encrypted cache could not be opened */
  BA_ERROR_KEYRING,                /* the keyring is missing or refused */
} BaError;

GQuark ba_error_quark (void);

G_END_DECLS
