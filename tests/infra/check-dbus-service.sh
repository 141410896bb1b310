#!/bin/sh
# check-dbus-service.sh SERVICE APP_ID BINARY
#
# Copyright 2026 The Balena Accounts authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks the D-Bus session service file: D-Bus activates the app by its
# id, so Name= must be exactly the app id, and Exec= must start the
# installed binary (an absolute path) as a GApplication service, which
# registers on the bus and waits for the activation instead of opening a
# window of its own.

set -u

service=${1:?usage: check-dbus-service.sh SERVICE APP_ID BINARY}
app_id=${2:?usage: check-dbus-service.sh SERVICE APP_ID BINARY}
binary=${3:?usage: check-dbus-service.sh SERVICE APP_ID BINARY}
status=0

fail () { echo "FAIL: $*"; status=1; }

if [ ! -f "$service" ]; then
  echo "FAIL: no service file at $service"
  exit 1
fi

[ "$(head -n 1 "$service")" = "[D-BUS Service]" ] ||
  fail "the first line is not [D-BUS Service]"
[ "$(grep -c '^Name=' "$service")" -eq 1 ] || fail "not exactly one Name= line"
[ "$(grep -c '^Exec=' "$service")" -eq 1 ] || fail "not exactly one Exec= line"

name=$(sed -n 's/^Name=//p' "$service")
exec=$(sed -n 's/^Exec=//p' "$service")
[ "$name" = "$app_id" ] || fail "Name=$name, expected $app_id"
case "$binary" in
  /*) ;;
  *) fail "the expected binary $binary is not an absolute path" ;;
esac
[ "$exec" = "$binary --gapplication-service" ] ||
  fail "Exec=$exec, expected $binary --gapplication-service"

[ $status -eq 0 ] && echo "ok: $service"
exit $status
