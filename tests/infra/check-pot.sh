#!/bin/sh
# check-pot.sh SOURCE_ROOT PACKAGE
#
# Copyright 2026 The Balena Accounts authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds the translation template the way the PACKAGE-pot target does
# (meson 1.0's i18n.gettext with preset 'glib': xgettext over
# po/POTFILES.in, with the same keywords and flags), but into a temp dir:
# the real target writes po/PACKAGE.pot into the source tree. Fails if
# xgettext fails or warns (a warning is usually a string it could not
# extract properly, or a wrong c-format), or if the template has no
# messages. Keep the arguments in step with meson's glib preset.

set -u

root=${1:?usage: check-pot.sh SOURCE_ROOT PACKAGE}
package=${2:?usage: check-pot.sh SOURCE_ROOT PACKAGE}

if ! command -v xgettext >/dev/null 2>&1; then
  echo "FAIL: xgettext is not installed (build-aux/install-deps installs gettext)"
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

xgettext --package-name="$package" -p "$tmp" -f "$root/po/POTFILES.in" \
  -D "$root" -k_ -o "$package.pot" \
  --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format \
  --flag=NC_:2:pass-c-format --flag=g_dngettext:2:pass-c-format \
  --flag=g_strdup_printf:1:c-format --flag=g_string_printf:2:c-format \
  --flag=g_string_append_printf:2:c-format --flag=g_error_new:3:c-format \
  --flag=g_set_error:4:c-format --flag=g_markup_printf_escaped:1:c-format \
  --flag=g_log:3:c-format --flag=g_print:1:c-format \
  --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
  --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format \
  --flag=g_snprintf:3:c-format \
  2>"$tmp/err"
rc=$?

cat "$tmp/err"
if [ $rc -ne 0 ]; then
  echo "FAIL: xgettext exited with $rc"
  exit 1
fi
if [ -s "$tmp/err" ]; then
  echo "FAIL: xgettext printed warnings"
  exit 1
fi
# xgettext writes no file at all when it finds no messages.
count=$(grep -c '^msgid "[^"]' "$tmp/$package.pot" 2>/dev/null || true)
if [ "${count:-0}" -eq 0 ]; then
  echo "FAIL: the template has no messages"
  exit 1
fi
echo "ok: $count messages"
