#!/bin/sh
# asan-wrapper.sh TEST [ARGS…]
#
# Copyright 2026 The Balena Accounts authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# .ci/run's sanitizer run uses this as `meson test --wrapper`. It runs the
# test with ASan's reports written to files in a temp dir (log_path; child
# processes such as the spawned server write there too), then reads them:
#
# - a leak whose stack is exactly the known libsecret 0.20.5 etag leak is
#   ignored (see KNOWN below and docs/decisions.md);
# - any other leak, and any other report (AddressSanitizer, UBSan), fails
#   the test;
# - all reports are copied to stderr, so they are in meson's log.
#
# LeakSanitizer ends a leaking process with exit code 23 (set here), which
# replaces the test's own status; the test's TAP output still shows its
# own failures to meson. Exit 23 with only known leaks becomes 0.

set -u

[ $# -gt 0 ] || { echo "usage: asan-wrapper.sh TEST [ARGS…]" >&2; exit 2; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

ASAN_OPTIONS="${ASAN_OPTIONS:-}:exitcode=23:log_path=$dir/asan"
export ASAN_OPTIONS
"$@"
status=$?

python3 - "$status" "$dir" <<'PY'
import glob, re, sys

status = int(sys.argv[1])
files = sorted(glob.glob(sys.argv[2] + '/asan.*'))

# libsecret 0.20.5's file backend: SecretFileCollection stores the etag that
# g_file_replace_contents_finish() returns without freeing the previous one.
# The string is g_strdup'ed inside GIO's async replace machinery, in a frame
# without a symbol, called back from the main loop. The stack has no symbol
# of libsecret's, so it is matched by its shape: malloc, g_malloc, g_strdup,
# then an unnamed libgio frame, and no frame of our src/ anywhere. Our own
# code would only leak the same way by passing an etag out-argument to
# g_file_replace_contents_finish() and not freeing it; it passes NULL.
def known(frames):
    if len(frames) < 4:
        return False
    if 'malloc' not in frames[0]:
        return False
    if ' in g_malloc ' not in frames[1] or ' in g_strdup ' not in frames[2]:
        return False
    if not re.fullmatch(r'\s*#3 0x[0-9a-f]+\s+\([^()]*/libgio-2\.0\.so\.0\+0x[0-9a-f]+\)\s*',
                        frames[3]):
        return False
    ours = re.compile(r'(^|[ /])src/(common|client|app|server)/')
    return not any(ours.search(f) for f in frames)

ignored = 0
unknown = 0
other = []
for path in files:
    text = open(path, encoding='utf-8', errors='replace').read()
    sys.stderr.write(text)
    for line in text.splitlines():
        if re.search(r'ERROR: (?!LeakSanitizer: detected memory leaks)|runtime error:', line):
            other.append(line.strip())
    for m in re.finditer(r'^(Direct|Indirect) leak of [^\n]*\n((?:[ \t]+#\d+[^\n]*\n?)+)',
                         text, re.M):
        if known(m.group(2).splitlines()):
            ignored += 1
        else:
            unknown += 1

if other:
    print(f'asan-wrapper: FAIL: {len(other)} sanitizer error(s): {other[0]}', file=sys.stderr)
    sys.exit(status if status != 0 else 1)
if unknown:
    print(f'asan-wrapper: FAIL: {unknown} leak(s) not known to be libsecret\'s'
          f' ({ignored} known ones ignored)', file=sys.stderr)
    sys.exit(1)
if ignored:
    print(f'asan-wrapper: ignored {ignored} known libsecret etag leak(s)', file=sys.stderr)
    if status == 23:
        sys.exit(0)
sys.exit(status)
PY
