#!/bin/sh
# check-icons.sh ICON…
#
# Copyright 2026 The Balena Accounts authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks that each icon is well-formed XML whose root is an SVG <svg>
# element: the icon theme and GTK's SVG loader ignore anything else, and
# the app then shows image-missing.

set -u

[ $# -gt 0 ] || { echo "usage: check-icons.sh ICON…"; exit 2; }
if ! command -v xmllint >/dev/null 2>&1; then
  echo "FAIL: xmllint is not installed (build-aux/install-deps --tests installs libxml2-utils)"
  exit 1
fi

status=0
for icon in "$@"; do
  if ! xmllint --noout --nonet "$icon"; then
    echo "FAIL: $icon is not well-formed XML"
    status=1
    continue
  fi
  root=$(xmllint --nonet --xpath 'concat(namespace-uri(/*), " ", local-name(/*))' "$icon")
  if [ "$root" != "http://www.w3.org/2000/svg svg" ]; then
    echo "FAIL: $icon: the root element is '$root', not an SVG <svg>"
    status=1
    continue
  fi
  echo "ok: $icon"
done
exit $status
