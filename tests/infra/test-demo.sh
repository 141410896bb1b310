#!/bin/bash
# test-demo.sh SOURCE_ROOT BUILD_DIR
#
# Copyright 2026 The Balena Accounts authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs build-aux/demo with a stand-in for the app (BA_DEMO_APP) against the
# real server of this build, and checks the script's promises: the app gets
# a live server URL and the demo credentials, a private data dir, a
# private keyring file and settings in memory (--keep: the user's own), and
# when the app exits the server is stopped, its temp dir removed and the
# app's exit status passed on. Output is TAP. bash for /dev/tcp.

# The checks are strings run by eval, which shellcheck cannot see into.
# shellcheck disable=SC2034

set -u

root=${1:?usage: test-demo.sh SOURCE_ROOT BUILD_DIR}
build=${2:?usage: test-demo.sh SOURCE_ROOT BUILD_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

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

# A GET over bash's /dev/tcp: curl and wget are not build dependencies.
http_get () {
  local hostport=${1#http://}
  hostport=${hostport%%/*}
  exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}" || return 1
  printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$2" "$hostport" >&3
  timeout 5 cat <&3
  exec 3<&-
}

cat >"$tmp/fake-app" <<FAKE
#!/bin/bash
{
  echo "url=\$BALENARC_API_URL"
  echo "hint=\$BALENA_ACCOUNTS_DEMO_HINT"
  echo "demo_email=\$BALENA_ACCOUNTS_DEMO_EMAIL"
  echo "demo_username=\$BALENA_ACCOUNTS_DEMO_USERNAME"
  echo "demo_password=\$BALENA_ACCOUNTS_DEMO_PASSWORD"
  echo "data=\${XDG_DATA_HOME:-}"
  echo "schemas=\$GSETTINGS_SCHEMA_DIR"
  echo "args=\$*"
  echo "secret_backend=\${SECRET_BACKEND:-}"
  echo "secret_path=\${SECRET_FILE_TEST_PATH:-}"
  echo "secret_password=\${SECRET_FILE_TEST_PASSWORD:-}"
  echo "gsettings_backend=\${GSETTINGS_BACKEND:-}"
  [ -d "\$(dirname "\${SECRET_FILE_TEST_PATH:-/nonexistent/x}")" ] && echo "secret_dir=yes"
} >"$tmp/env"
$(declare -f http_get)
http_get "\$BALENARC_API_URL" /ping >"$tmp/ping" 2>&1
exit 3
FAKE
chmod +x "$tmp/fake-app"

# The test suite's environment sets GSETTINGS_BACKEND=memory; the demo
# must set it itself, as a desktop session does not.
BA_DEMO_APP="$tmp/fake-app" BA_DEMO_BUILDDIR="$build" \
  env -u GSETTINGS_BACKEND "$root/build-aux/demo" --some-app-arg >"$tmp/out" 2>&1
status=$?
sed 's/^/# /' "$tmp/out"

value () { sed -n "s/^$1=//p" "$tmp/env"; }

check "the app ran" '[ -f "$tmp/env" ]'
check "the app's exit status is passed on" '[ $status -eq 3 ]'
url=$(value url)
check "the app got a loopback URL" '[[ $url =~ ^http://127\.0\.0\.1:[0-9]+/?$ ]]'
check "the server answered /ping while the app ran" 'grep -Eq "^HTTP/1\.[01] 200" "$tmp/ping" && grep -q "OK" "$tmp/ping"'
hint=$(value hint)
secret_password=$(value secret_password)
email=$(sed -n 's/^ *Email: *//p' "$tmp/out")
password=$(sed -n 's/^ *Password: *//p' "$tmp/out")
check "the terminal shows the demo credentials" '[ -n "$email" ] && [ -n "$password" ]'
check "the app got the demo hint" '[ "$hint" = "Demo server: $email / $password" ]'
username=$(sed -n 's/^ *Username: *//p' "$tmp/out")
check "the app got the demo credentials one by one" \
  '[ -n "$username" ] && [ "$(value demo_email)" = "$email" ] && [ "$(value demo_username)" = "$username" ] && [ "$(value demo_password)" = "$password" ]'
data=$(value data)
check "the app got a private data dir" '[ -n "$data" ] && [ "$data" != "${XDG_DATA_HOME:-$HOME/.local/share}" ]'
check "the app got the build's schema dir" '[ "$(value schemas)" = "$build/data" ]'
check "extra arguments reach the app" '[ "$(value args)" = "--some-app-arg" ]'
check "the app uses libsecret's file backend" '[ "$(value secret_backend)" = file ]'
secret_path=$(value secret_path)
check "the keyring file is in the demo's temp dir, next to the data dir" \
  '[ -n "$data" ] && [ "$(dirname "$(dirname "$secret_path")")" = "$(dirname "$data")" ]'
check "the keyring file's dir exists for the app" '[ "$(value secret_dir)" = yes ]'
check "the keyring file has a password" '[ ${#secret_password} -ge 16 ]'
check "the app keeps its settings in memory, not in the user's dconf" \
  '[ "$(value gsettings_backend)" = memory ]'
check "the temp dir is removed afterwards" '[ -n "$data" ] && [ ! -e "$(dirname "$data")" ]'
check "the keyring file is removed afterwards" '[ -n "$secret_path" ] && [ ! -e "$secret_path" ]'
check "the server is stopped afterwards" '! (http_get "$url" /ping) >/dev/null 2>&1'

# --keep leaves the app the caller's own settings backend (and data dir
# and keyring), as the script's help says.
rm -f "$tmp/env"
BA_DEMO_APP="$tmp/fake-app" BA_DEMO_BUILDDIR="$build" GSETTINGS_BACKEND=keyfile \
  XDG_DATA_HOME="$tmp/own-data" "$root/build-aux/demo" --keep >"$tmp/out-keep" 2>&1
sed 's/^/# --keep: /' "$tmp/out-keep"
check "--keep: the app gets the caller's settings backend" \
  '[ "$(value gsettings_backend)" = keyfile ]'
check "--keep: the app gets the caller's data dir" '[ "$(value data)" = "$tmp/own-data" ]'

echo "1..$n"
exit $failed
