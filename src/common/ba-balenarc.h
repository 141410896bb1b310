/* ba-balenarc.h
 *
 * Copyright 2026 The Balena Accounts authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BA_BALENARC_DEFAULT_BALENA_URL "balena-cloud.com"

/* The settings the balena CLI and SDK read through balena-settings-client
 * (account-api.md section 14) that matter here. Each field is NULL when no
 * source set it. */
typedef struct
{
  char *balena_url;       /* balenaUrl, e.g. "balena-cloud.com" */
  char *api_url;          /* apiUrl */
  char *dashboard_url;    /* dashboardUrl */
  char *data_directory;   /* dataDirectory, where the CLI keeps "token" */
} BaBalenarc;

BaBalenarc *ba_balenarc_new                   (void);
void        ba_balenarc_free                  (BaBalenarc          *self);

/* Reads the keys balenaUrl, apiUrl, dashboardUrl and dataDirectory from
 * the top level of a YAML document (the small part of YAML these files
 * use: "key: value" with plain, 'single' or "double" quoted scalars,
 * comments, blank lines, "---"; nested blocks under other keys are
 * skipped) and sets the ones it finds in @self, over what was there, so
 * sources are applied lowest precedence first. "~", "null" and an empty
 * value unset nothing. Returns FALSE with BA_ERROR_INVALID_INPUT (naming
 * the line) for text that is not such a document; @self is then left as
 * it was. */
gboolean    ba_balenarc_parse_yaml            (BaBalenarc          *self,
                                               const char          *text,
                                               gssize               length,
                                               GError             **error);

/* Applies BALENARC_<NAME> and RESINRC_<NAME> variables from @envp
 * ("NAME=value" strings, as g_get_environ() gives them), the highest
 * precedence source: the prefix (any case) is dropped, a RESIN word
 * becomes BALENA, the rest is camelCased (BALENARC_API_URL → apiUrl).
 * Empty values are ignored; BALENARC_ wins over RESINRC_. */
void        ba_balenarc_apply_environment     (BaBalenarc          *self,
                                               const char * const  *envp);

/* The resolved addresses, as balena-settings-client derives them:
 * apiUrl, else https://api.<balenaUrl>; dashboardUrl, else
 * https://dashboard.<balenaUrl>; balenaUrl defaults to balena-cloud.com. */
char       *ba_balenarc_dup_api_url           (const BaBalenarc    *self);
char       *ba_balenarc_dup_dashboard_url     (const BaBalenarc    *self);

/* TRUE when any source chose a server (balenaUrl or apiUrl). */
gboolean    ba_balenarc_has_server            (const BaBalenarc    *self);

/* The name balena-settings-client gives an environment variable, or NULL
 * when it is not a BALENARC_/RESINRC_ variable: "BALENARC_API_URL" →
 * "apiUrl", "RESINRC_RESIN_URL" → "balenaUrl". */
char       *ba_balenarc_setting_name          (const char          *variable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BaBalenarc, ba_balenarc_free)

G_END_DECLS
