#!/bin/sh
# check-flatpak-manifest.sh MANIFEST
#
# Copyright 2026 The Balena Accounts authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Parses the Flatpak manifest with flatpak-builder. A syntax error makes it
# exit non-zero, but a wrong field type or an unknown property only prints a
# WARNING and still exits 0, so stderr is checked as well. Nothing is built:
# the GNOME runtime is not reachable from the build machines.

set -u

manifest=${1:?usage: check-flatpak-manifest.sh MANIFEST}

# Missing is a failure, not a skip: the manifest is a data file too, and
# every data file is checked.
if ! command -v flatpak-builder >/dev/null 2>&1; then
  echo "FAIL: flatpak-builder is not installed (build-aux/install-deps --tests installs it)"
  exit 1
fi

if [ ! -f "$manifest" ]; then
  echo "FAIL: no manifest at $manifest"
  exit 1
fi
# Absolute, because flatpak-builder runs from the temp dir below.
manifest=$(cd "$(dirname "$manifest")" && pwd)/$(basename "$manifest")

err=$(mktemp)
out=$(mktemp)
trap 'rm -f "$err" "$out"' EXIT

# flatpak-builder wants a writable state dir only for builds; run from the
# temp dir anyway so nothing can land in the source tree.
(cd "${TMPDIR:-/tmp}" && flatpak-builder --show-manifest "$manifest") >"$out" 2>"$err"
rc=$?

cat "$err" >&2
if [ $rc -ne 0 ]; then
  echo "FAIL: flatpak-builder --show-manifest exited with $rc"
  exit 1
fi
if grep -q WARNING "$err"; then
  echo "FAIL: flatpak-builder printed warnings for $manifest"
  exit 1
fi
if [ ! -s "$out" ]; then
  echo "FAIL: flatpak-builder printed no manifest"
  exit 1
fi
echo "ok: $manifest"
