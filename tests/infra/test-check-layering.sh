#!/bin/sh
# test-check-layering.sh CHECKER
#
# Copyright 2026 The Balena Accounts authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs check-layering.sh on small made-up trees and binaries, so that a
# checker which always passes is caught. Output is TAP.

set -u

checker=${1:?usage: test-check-layering.sh CHECKER}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; sed 's/^/# /' "$tmp/out"; }
expect_pass () {
  if "$checker" "$@" >"$tmp/out" 2>&1; then ok "$what"; else not_ok "$what"; fi
}
expect_fail_naming () {
  needle=$1
  shift
  if ! "$checker" "$@" >"$tmp/out" 2>&1 && grep -q -- "$needle" "$tmp/out"; then
    ok "$what"
  else
    not_ok "$what"
  fi
}

tree=$tmp/tree
mkdir -p "$tree/src/app" "$tree/src/client" "$tree/src/common" "$tree/src/server"
echo '#include "ba-api-client.h"' >"$tree/src/client/ba-api-client.c"
: >"$tree/src/client/ba-api-client.h"
printf '#include <glib.h>\n#include "ba-jwt.h"\n' >"$tree/src/server/ba-server-auth.c"
printf '#include <gtk/gtk.h>\n#include <adwaita.h>\n#include "ba-api-client.h"\n' >"$tree/src/app/ba-window.c"
echo '#include <glib.h>' >"$tree/src/common/ba-jwt.c"

what="clean tree passes"; expect_pass "$tree"

echo '#include <gtk/gtk.h>' >"$tree/src/client/ba-bad.c"
what="GTK in src/client is named"; expect_fail_naming 'src/client/ba-bad.c' "$tree"
rm "$tree/src/client/ba-bad.c"

echo '  #  include <adwaita.h>' >"$tree/src/server/ba-server-bad.c"
what="libadwaita in src/server is named"; expect_fail_naming 'src/server/ba-server-bad.c' "$tree"
rm "$tree/src/server/ba-server-bad.c"

echo '#include "client/ba-api-client.h"' >"$tree/src/server/ba-server-bad.c"
what="client header in src/server is named"; expect_fail_naming 'src/server/ba-server-bad.c' "$tree"
rm "$tree/src/server/ba-server-bad.c"

echo '#include "ba-api-client.h"' >"$tree/src/common/ba-bad.c"
what="client header in src/common is named"; expect_fail_naming 'src/common/ba-bad.c' "$tree"
rm "$tree/src/common/ba-bad.c"

what="clean tree passes again"; expect_pass "$tree"

# A program that does not link SQLCipher at all.
what="binary without libsqlcipher fails"; expect_fail_naming 'does not link libsqlcipher' "$tree" /bin/sh
what="missing binary fails"; expect_fail_naming 'was not built' "$tree" "$tmp/nope"

echo "1..$n"
exit $failed
