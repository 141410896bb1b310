#!/bin/bash
# test-demo-instance.sh SOURCE_ROOT BUILD_DIR APP APP_ID
#
# Copyright 2026 The Balena Accounts authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# build-aux/demo while Balena Accounts is already open: the real app is
# started first (it owns APP_ID on the session bus), then the demo, whose
# app must open its own window instead of raising the first one and
# exiting. Checks that the demo's app stays up, that the demo server keeps
# answering while it does, and that the demo ends with it. Needs a display
# and a session bus (suite "ui"). Output is TAP. bash for /dev/tcp.

# The checks are strings run by eval, which shellcheck cannot see into.
# shellcheck disable=SC2034

set -u

root=${1:?usage: test-demo-instance.sh SOURCE_ROOT BUILD_DIR APP APP_ID}
build=${2:?}
app=${3:?}
app_id=${4:?}
tmp=$(mktemp -d)
first_pid=""
demo_pid=""
cleanup () {
  for pid in $demo_pid $first_pid; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

n=0
failed=0
check () {
  n=$((n + 1))
  if eval "$2"; then
    echo "ok $n - $1"
  else
    failed=1
    echo "not ok $n - $1"
  fi
}

http_get () {
  local hostport=${1#http://}
  hostport=${hostport%%/*}
  exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}" || return 1
  printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$2" "$hostport" >&3
  timeout 5 cat <&3
  exec 3<&-
}

# Waits up to $1 tenths of a second for the command in $2 to succeed.
wait_for () {
  local tries=$1
  shift
  while [ "$tries" -gt 0 ]; do
    eval "$1" && return 0
    tries=$((tries - 1))
    sleep 0.1
  done
  return 1
}

owns_name () {
  gdbus call --session --dest org.freedesktop.DBus \
    --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner "$app_id" 2>/dev/null |
    grep -q true
}

# Everything the app writes stays in the temp dir.
export XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"
export SECRET_BACKEND=file SECRET_FILE_TEST_PATH="$tmp/first.keyring"
export SECRET_FILE_TEST_PASSWORD=first-instance GSETTINGS_BACKEND=memory
export GSETTINGS_SCHEMA_DIR="$build/data"
unset BALENA_ACCOUNTS_DEMO_HINT BALENARC_API_URL

"$app" >"$tmp/first.log" 2>&1 &
first_pid=$!
check "the first instance owns the app id on the bus" 'wait_for 200 owns_name'

# The demo's "app" starts the real one and reports its pid, so that this
# test can watch it and end it.
cat >"$tmp/demo-app" <<WRAPPER
#!/bin/sh
"$app" "\$@" &
echo \$! >"$tmp/demo-app.pid.tmp"
mv "$tmp/demo-app.pid.tmp" "$tmp/demo-app.pid"
wait \$!
WRAPPER
chmod +x "$tmp/demo-app"

BA_DEMO_APP="$tmp/demo-app" BA_DEMO_BUILDDIR="$build" \
  "$root/build-aux/demo" >"$tmp/out" 2>&1 &
demo_pid=$!

check "the demo started its app" 'wait_for 300 "[ -s \"$tmp/demo-app.pid\" ]"'
app_pid=$(cat "$tmp/demo-app.pid" 2>/dev/null)
url=$(sed -n 's/^ *Server: *\([^ ]*\).*/\1/p' "$tmp/out")
check "the demo printed its server URL" '[[ $url =~ ^http://127\.0\.0\.1:[0-9]+/?$ ]]'

# A unique app hands its launch to the first instance and exits within a
# fraction of a second; give it time to.
sleep 3
check "the demo's app is still running" '[ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null'
check "the demo is still running" 'kill -0 "$demo_pid" 2>/dev/null'
check "the demo server still answers /ping" \
  'http_get "$url" /ping 2>/dev/null | grep -Eq "^HTTP/1\.[01] 200"'
check "the first instance is still running" 'kill -0 "$first_pid" 2>/dev/null'

[ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
check "the demo ends when its app quits" 'wait_for 100 "! kill -0 $demo_pid 2>/dev/null"'
wait "$demo_pid" 2>/dev/null
demo_pid=""
check "the server is stopped afterwards" '[ -n "$url" ] && ! (http_get "$url" /ping) >/dev/null 2>&1'

sed 's/^/# demo: /' "$tmp/out"
sed 's/^/# first instance: /' "$tmp/first.log"
echo "1..$n"
exit $failed
