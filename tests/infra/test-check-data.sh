#!/bin/sh
# test-check-data.sh CHECKER_DIR METAINFO
#
# Copyright 2026 The Balena Accounts authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs the data file checkers (check-metainfo.sh, check-dbus-service.sh,
# check-icons.sh, check-pot.sh) on good and made-up bad input, so that a
# checker which always passes (or always fails) is caught. METAINFO is the
# build's merged metainfo, which passes and is spoilt for the bad case.
# Output is TAP.

set -u

dir=${1:?usage: test-check-data.sh CHECKER_DIR METAINFO}
metainfo=${2:?usage: test-check-data.sh CHECKER_DIR METAINFO}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; sed 's/^/# /' "$tmp/out"; }
passes () {
  what=$1; shift
  if "$@" >"$tmp/out" 2>&1; then ok "$what"; else not_ok "$what"; fi
}
# fails WHAT PATTERN COMMAND…: fails, and says PATTERN.
fails () {
  what=$1; pattern=$2; shift 2
  if ! "$@" >"$tmp/out" 2>&1 && grep -q "$pattern" "$tmp/out"; then
    ok "$what"
  else
    not_ok "$what"
  fi
}

# Metainfo
passes "the build's metainfo passes" "$dir/check-metainfo.sh" "$metainfo"
long='A caption that goes on and on for well over fifty characters'
sed "0,/<caption>[^<]*</s//<caption>$long</" "$metainfo" >"$tmp/long.metainfo.xml"
fails "a caption over 50 characters fails" "longer than 50" \
  "$dir/check-metainfo.sh" "$tmp/long.metainfo.xml"

# D-Bus service
printf '[D-BUS Service]\nName=org.example.App\nExec=/usr/bin/app --gapplication-service\n' >"$tmp/good.service"
passes "a matching service file passes" \
  "$dir/check-dbus-service.sh" "$tmp/good.service" org.example.App /usr/bin/app
fails "a wrong Name= fails" "Name=org.example.App, expected" \
  "$dir/check-dbus-service.sh" "$tmp/good.service" org.example.App.Devel /usr/bin/app
fails "a wrong Exec= binary fails" "Exec=" \
  "$dir/check-dbus-service.sh" "$tmp/good.service" org.example.App /usr/local/bin/app
printf '[D-BUS Service]\nName=org.example.App\nExec=/usr/bin/app\n' >"$tmp/noservice.service"
fails "Exec= without --gapplication-service fails" "gapplication-service" \
  "$dir/check-dbus-service.sh" "$tmp/noservice.service" org.example.App /usr/bin/app
printf 'Name=org.example.App\nExec=/usr/bin/app --gapplication-service\n' >"$tmp/nogroup.service"
fails "a missing [D-BUS Service] group fails" "D-BUS Service" \
  "$dir/check-dbus-service.sh" "$tmp/nogroup.service" org.example.App /usr/bin/app

# Icons
printf '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16"/></svg>\n' >"$tmp/good.svg"
printf '<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>\n' >"$tmp/broken.svg"
printf '<svg><rect/></svg>\n' >"$tmp/nons.svg"
printf '<html xmlns="http://www.w3.org/1999/xhtml"/>\n' >"$tmp/html.svg"
passes "a well-formed SVG passes" "$dir/check-icons.sh" "$tmp/good.svg"
fails "a malformed SVG fails" "not well-formed" "$dir/check-icons.sh" "$tmp/good.svg" "$tmp/broken.svg"
fails "an <svg> outside the SVG namespace fails" "not an SVG" "$dir/check-icons.sh" "$tmp/nons.svg"
fails "another XML document fails" "not an SVG" "$dir/check-icons.sh" "$tmp/html.svg"

# The translation template
mkdir -p "$tmp/tree/po" "$tmp/tree/src"
printf 'void f (void) { g_print ("%%s", _("Log In")); }\n' >"$tmp/tree/src/good.c"
printf 'src/good.c\n' >"$tmp/tree/po/POTFILES.in"
passes "a clean tree builds a template" "$dir/check-pot.sh" "$tmp/tree" demo
printf 'src/good.c\nsrc/missing.c\n' >"$tmp/tree/po/POTFILES.in"
fails "a missing source file fails" "missing.c" "$dir/check-pot.sh" "$tmp/tree" demo
# xgettext warns about an empty msgid (reserved for the header) but still
# exits 0.
printf 'void f (void) { g_print (_("")); }\n' >"$tmp/tree/src/warn.c"
printf 'src/warn.c\n' >"$tmp/tree/po/POTFILES.in"
fails "an xgettext warning fails" "warn" "$dir/check-pot.sh" "$tmp/tree" demo
printf 'void f (void) { }\n' >"$tmp/tree/src/empty.c"
printf 'src/empty.c\n' >"$tmp/tree/po/POTFILES.in"
fails "a template without messages fails" "no messages" "$dir/check-pot.sh" "$tmp/tree" demo

echo "1..$n"
exit $failed
