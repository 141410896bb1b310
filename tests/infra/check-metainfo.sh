#!/bin/sh
# check-metainfo.sh METAINFO
#
# Copyright 2026 The Balena Accounts authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Validates the merged AppStream metainfo with both validators that stores
# use: appstreamcli (the reference) and appstream-util (which software
# centres' build pipelines still run, and which is stricter about style,
# for example screenshot captions). Also checks that every untranslated
# screenshot caption is at most 50 characters, the limit appstream-util
# sets, so the check does not depend on its style rules staying the same.
# A missing validator is a failure: every data file is validated.

set -u

metainfo=${1:?usage: check-metainfo.sh METAINFO}
status=0

for tool in appstreamcli appstream-util python3; do
  if ! command -v $tool >/dev/null 2>&1; then
    echo "FAIL: $tool is not installed (build-aux/install-deps --tests installs it)"
    status=1
  fi
done
[ $status -eq 0 ] || exit 1

if ! appstreamcli validate --no-net --explain "$metainfo"; then
  echo "FAIL: appstreamcli validate"
  status=1
fi
if ! appstream-util validate --nonet "$metainfo"; then
  echo "FAIL: appstream-util validate"
  status=1
fi

# Translations are exempt: a translator can only follow the English length.
python3 - "$metainfo" <<'PY' || status=1
import sys
import xml.etree.ElementTree as ET
LANG = '{http://www.w3.org/XML/1998/namespace}lang'
captions = [c for c in ET.parse(sys.argv[1]).getroot().iter('caption')
            if c.get(LANG) is None]
bad = [c.text or '' for c in captions if len(c.text or '') > 50]
for text in bad:
    print(f'FAIL: caption longer than 50 characters ({len(text)}): {text}')
if not captions:
    print('FAIL: no screenshot captions found')
sys.exit(1 if bad or not captions else 0)
PY

[ $status -eq 0 ] && echo "ok: $metainfo"
exit $status
