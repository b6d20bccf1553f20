#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run the 'interdomain' meson test suite and close with one summary line,
# "LABEL: N passed, N failed" (LABEL: interdomain unless given), read from
# meson's JSON test log. An empty suite is a failure: a run that tested
# nothing must not pass.
# Usage: run-tests.sh [BUILD_DIR [LABEL]]

set -uo pipefail

BUILD=${1:-build}
LABEL=${2:-interdomain}
LOG=$BUILD/meson-logs/testlog.json

rm -f "$LOG"
meson test -C "$BUILD" --suite interdomain --print-errorlogs
rc=$?

[ -f "$LOG" ] || { echo "run-tests.sh: no test log in $LOG" >&2; exit 1; }
read -r passed failed < <(python3 -c '
import json, sys
ok = bad = 0
for line in open(sys.argv[1]):
    if json.loads(line)["result"] in ("OK", "EXPECTEDFAIL"):
        ok += 1
    else:
        bad += 1
print(ok, bad)' "$LOG")
echo "$LABEL: $passed passed, $failed failed"
[ "$((passed + failed))" -gt 0 ] || { echo "run-tests.sh: no test ran" >&2; exit 1; }
[ "$failed" -eq 0 ] || exit 1
exit "$rc"
