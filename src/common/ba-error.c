/* ba-error.c
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ba-error"

#include "config.h"

#include "ba-error.h"

G_DEFINE_QUARK (ba-error-quark, ba_error)
