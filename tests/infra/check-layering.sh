#!/bin/sh
# check-layering.sh SOURCE_ROOT [BINARY…]
#
# Copyright 2026 The Balena Accounts authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Layers only point down: app -> client -> common, server -> common
# (docs/design.md section 3). The build already keeps GTK away from
# client and server; this also catches an include that happens to resolve
# through a system path. Then, on the built programs: libsqlcipher must be
# a direct NEEDED and libsqlite3 must not, because a plain sqlite3 loaded
# first silently turns encryption off.

set -u
export LC_ALL=C

root=${1:?usage: check-layering.sh SOURCE_ROOT [BINARY…]}
shift
status=0

# Prints "file:line: text" for #include lines in the given dirs that match
# the extended regex.
includes_matching () {
  pattern=$1
  shift
  for dir in "$@"; do
    [ -d "$root/$dir" ] || continue
    (cd "$root" && grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)" \
       --include='*.c' --include='*.h' "$dir")
  done
}

report () {
  what=$1
  found=$2
  if [ -n "$found" ]; then
    echo "FAIL: $what"
    echo "$found" | sed 's/^/  /'
    status=1
  fi
}

# No toolkit below the app layer.
found=$(includes_matching 'gtk/|gdk/|gsk/|adwaita\.h|libadwaita' src/client src/common src/server)
report "GTK or libadwaita included outside src/app:" "$found"

# Nothing of the client layer in the server or in common.
client_headers=$(cd "$root/src/client" 2>/dev/null && ls *.h 2>/dev/null | sed 's/\./\\./g' | paste -sd '|' -)
if [ -n "$client_headers" ]; then
  found=$(includes_matching "([^\">]*/)?($client_headers)[\">]" src/server src/common)
  report "client headers included from src/server or src/common:" "$found"
fi
# libsecret is the client's keyring; the server and common have no business with it.
found=$(includes_matching 'libsecret/' src/server src/common)
report "libsecret included from src/server or src/common:" "$found"

# common is the bottom layer: it includes no server or app headers either.
found=$(includes_matching '([^">]*/)?ba-server-[^">]*\.h|([^">]*/)?ba-(application|window)[^">]*\.h' src/common)
report "src/common includes a header from a higher layer:" "$found"

# Plain sqlite3 headers are never used: SQLCipher's sqlite3.h comes through
# the sqlcipher pkg-config include path.
found=$(includes_matching 'sqlite3/' src)
report "a sqlite3/ header path is included (use <sqlite3.h> from sqlcipher):" "$found"

for bin in "$@"; do
  if [ ! -f "$bin" ]; then
    echo "FAIL: $bin was not built"
    status=1
    continue
  fi
  needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  name=$(basename "$bin")
  bin_ok=1
  if ! echo "$needed" | grep -q '^libsqlcipher\.so'; then
    echo "FAIL: $name does not link libsqlcipher directly; NEEDED is:"
    echo "$needed" | sed 's/^/  /'
    bin_ok=0
  fi
  if echo "$needed" | grep -q '^libsqlite3\.so'; then
    echo "FAIL: $name links libsqlite3 directly, which can shadow SQLCipher"
    bin_ok=0
  fi
  if [ $bin_ok -eq 1 ]; then
    echo "ok: $name needs libsqlcipher and not libsqlite3"
  else
    status=1
  fi
done

[ $status -eq 0 ] && echo "ok: layering"
exit $status
