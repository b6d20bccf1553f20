#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Compile again the C files of this repository that the superproject build compiles into DPDK
# (driver, autotests, example), with DPDK main's optimization and warnings: -O3, and without the
# -Wno-format-truncation that DPDK 22.11 gives every file and main dropped. So a warning only
# main's build shows (an snprintf() of DPDK's strlcpy() that may truncate, say) fails every CI
# run, not only make patches-main, which the CI cannot run. Objects go to a temporary directory.
#
# Usage: devtools/check-warnings.sh (after make, which writes build/compile_commands.json)

set -euo pipefail
. "$(dirname "$0")/common.sh"

DB=$BUILD/compile_commands.json
[ -f "$DB" ] || die "$DB not found: build first (make)"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# One line per file of ours in the database: the file, then its command changed as said above.
commands() {
	local ours

	mapfile -t ours < <(cd "$ROOT" && git ls-files 'drivers/*.c' 'app/*.c' 'examples/*.c')
	[ ${#ours[@]} -gt 0 ] || return 1
	python3 - "$DB" "$OUT" "${ours[@]}" <<'PY'
import json, re, shlex, sys

db, out, ours = sys.argv[1], sys.argv[2], sys.argv[3:]
seen = set()
for i, c in enumerate(json.load(open(db))):
    f = next((o for o in ours if c['file'].endswith('/subprojects/dpdk/' + o)), None)
    if f is None or f in seen:
        continue
    seen.add(f)
    args = [a for a in shlex.split(c['command'])
            if a not in ('-Wno-format-truncation', '-fdiagnostics-color=always')]
    args = [a for a in args if not re.fullmatch(r'-O[0-3sgz]?', a)] + ['-O3']
    o = args.index('-o')
    args[o + 1] = '%s/%d.o' % (out, i)
    for opt in ('-MD', '-MQ', '-MF'):
        while opt in args:
            k = args.index(opt)
            del args[k:k + (1 if opt == '-MD' else 2)]
    print(f, 'cd %s && %s' % (shlex.quote(c['directory']), shlex.join(args)))
missing = sorted(set(ours) - seen)
if missing:
    sys.exit('not in the build: ' + ' '.join(missing))
PY
}

list=$(commands) || die "cannot read $DB"
n=0
fail=0
while read -r file cmd; do
	n=$((n + 1))
	if ! (eval "$cmd"); then
		echo "check-warnings: FAIL  $file" >&2
		fail=1
	fi
done <<< "$list"
[ $fail -eq 0 ] || die "our sources do not build with DPDK main's warnings (see above)"
note "$n files build with -O3 and -Wformat-truncation, as DPDK main builds them"
