#!/bin/sh
# check-potfiles.sh SOURCE_ROOT
#
# Copyright 2026 The Balena Accounts authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# po/POTFILES.in must name every file under src/ and data/ that has
# translatable strings, or those strings silently never reach translators.
# Every file it names must also exist, or xgettext (and the pot target) fails.

set -u
export LC_ALL=C

root=${1:?usage: check-potfiles.sh SOURCE_ROOT}
potfiles="$root/po/POTFILES.in"

if [ ! -f "$potfiles" ]; then
  echo "FAIL: $potfiles does not exist"
  exit 1
fi

listed=$(mktemp)
needed=$(mktemp)
trap 'rm -f "$listed" "$needed"' EXIT

# POTFILES.in: one path per line, relative to the source root; '#' starts a
# comment; surrounding blanks do not count.
sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$potfiles" \
  | grep -v '^$' | sort -u >"$listed"

status=0

missing_files=$(while IFS= read -r f; do
                  [ -f "$root/$f" ] || echo "$f"
                done <"$listed")
if [ -n "$missing_files" ]; then
  echo "FAIL: po/POTFILES.in lists files that do not exist:"
  echo "$missing_files" | sed 's/^/  /'
  status=1
fi

cd "$root" || exit 1

# The markers a file is translatable by, per kind of file:
#  - C: _(), N_(), C_(), NC_(), Q_(), g_dngettext, ngettext and friends.
#    The character before the marker must not be part of an identifier, so
#    that names such as G_DEFINE_TYPE_() or foo_bar_() do not count.
#  - GtkBuilder .ui: translatable="yes".
#  - desktop and AppStream files are translatable as a whole; a GSettings
#    schema is once it has a summary or description.
c_marker='(^|[^A-Za-z0-9_])(N|C|NC|Q)?_[[:space:]]*\(|(g_d?n?p?gettext|g_dngettext|g_dpgettext2?|ngettext|dngettext|dgettext)[[:space:]]*\('

find src data -type f 2>/dev/null | LC_ALL=C sort | while IFS= read -r f; do
  case "$f" in
    *.c|*.h)
      grep -Eq "$c_marker" "$f" && echo "$f" ;;
    *.ui|*.ui.in)
      grep -q 'translatable="yes"' "$f" && echo "$f" ;;
    *.desktop.in|*.desktop.in.in|*.metainfo.xml.in|*.metainfo.xml.in.in|*.appdata.xml.in|*.appdata.xml.in.in)
      echo "$f" ;;
    *.gschema.xml|*.gschema.xml.in)
      grep -Eq '<(summary|description)>' "$f" && echo "$f" ;;
  esac
done | sort -u >"$needed"

unlisted=$(comm -23 "$needed" "$listed")
if [ -n "$unlisted" ]; then
  echo "FAIL: files with translatable strings missing from po/POTFILES.in:"
  echo "$unlisted" | sed 's/^/  /'
  status=1
fi

if [ $status -eq 0 ]; then
  echo "ok: po/POTFILES.in names all $(wc -l <"$needed") translatable files and nothing missing"
fi
exit $status
