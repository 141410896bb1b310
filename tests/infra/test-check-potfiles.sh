#!/bin/sh
# test-check-potfiles.sh CHECKER
#
# Copyright 2026 The Balena Accounts authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs check-potfiles.sh on small made-up trees, so that a checker which
# always passes (or always fails) is caught. Output is TAP.

set -u

checker=${1:?usage: test-check-potfiles.sh CHECKER}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
ok () { n=$((n + 1)); echo "ok $n - $1"; }
not_ok () { n=$((n + 1)); failed=1; echo "not ok $n - $1"; sed 's/^/# /' "$tmp/out"; }

mkdir -p "$tmp/src/app" "$tmp/src/common" "$tmp/data" "$tmp/po"
cat >"$tmp/src/app/ba-window.c" <<'C'
static const char *title = N_("Accounts");
void f (void) { g_print ("%s", _("Log In")); }
C
cat >"$tmp/src/app/ba-plural.c" <<'C'
void g (int n) { g_print (g_dngettext (NULL, "%d key", "%d keys", n), n); }
C
# Identifiers that merely end in an underscore are not gettext markers.
cat >"$tmp/src/common/ba-plain.c" <<'C'
#define CALL_(x) x
int h (int x) { return CALL_(x) + my_func_ (x); }
C
cat >"$tmp/data/ba-window.ui" <<'UI'
<interface><object class="GtkLabel"><property name="label" translatable="yes">Hi</property></object></interface>
UI
cat >"$tmp/data/plain.ui" <<'UI'
<interface><object class="GtkBox"/></interface>
UI
printf '[Desktop Entry]\nName=Balena Accounts\n' >"$tmp/data/app.desktop.in"

complete='# comment line
data/app.desktop.in
data/ba-window.ui
src/app/ba-plural.c
src/app/ba-window.c
'

printf '%s' "$complete" >"$tmp/po/POTFILES.in"
if "$checker" "$tmp" >"$tmp/out" 2>&1; then ok "complete list passes"; else not_ok "complete list passes"; fi

printf '%s' "$complete" | grep -v ba-plural >"$tmp/po/POTFILES.in"
if ! "$checker" "$tmp" >"$tmp/out" 2>&1 && grep -q 'src/app/ba-plural.c' "$tmp/out" \
   && ! grep -q 'ba-window.c' "$tmp/out"; then
  ok "missing plural file is named"
else
  not_ok "missing plural file is named"
fi

printf '%s' "$complete" | grep -v 'ba-window.ui' >"$tmp/po/POTFILES.in"
if ! "$checker" "$tmp" >"$tmp/out" 2>&1 && grep -q 'data/ba-window.ui' "$tmp/out"; then
  ok "missing .ui file is named"
else
  not_ok "missing .ui file is named"
fi

printf '%s' "$complete" | grep -v 'desktop' >"$tmp/po/POTFILES.in"
if ! "$checker" "$tmp" >"$tmp/out" 2>&1 && grep -q 'data/app.desktop.in' "$tmp/out"; then
  ok "missing desktop file is named"
else
  not_ok "missing desktop file is named"
fi

printf '%ssrc/app/gone.c\n' "$complete" >"$tmp/po/POTFILES.in"
if ! "$checker" "$tmp" >"$tmp/out" 2>&1 && grep -q 'src/app/gone.c' "$tmp/out"; then
  ok "listed file that does not exist is named"
else
  not_ok "listed file that does not exist is named"
fi

rm "$tmp/po/POTFILES.in"
if ! "$checker" "$tmp" >"$tmp/out" 2>&1; then ok "no POTFILES.in fails"; else not_ok "no POTFILES.in fails"; fi

echo "1..$n"
exit $failed
