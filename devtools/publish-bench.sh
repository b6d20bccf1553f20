#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Make the output of make bench the committed set: copy bench.txt, bench.csv, bench.png and
# machine.txt (and bases.txt of a BENCH_DPDK25=1 run) into doc/bench/, and bench.png into the
# performance guide as doc/guides/dmadevs/img/skeleton_ag_perf.png. Review and commit them,
# with the figures quoted in doc/guides/dmadevs/skeleton_ag_perf.rst brought in line.
#
# Usage: devtools/publish-bench.sh [DIR, default build/bench]

set -euo pipefail
. "$(dirname "$0")/series.sh"

DIR=${1:-$BUILD/bench}
FILES="bench.txt bench.csv bench.png machine.txt"

for f in $FILES; do
	[ -s "$DIR/$f" ] || die "$DIR/$f missing: run make bench first"
done
rm -f "$ROOT/doc/bench/bases.txt"
for f in $FILES bases.txt; do
	[ -e "$DIR/$f" ] && cp "$DIR/$f" "$ROOT/doc/bench/$f"
done
cp "$DIR/bench.png" "$ROOT/doc/guides/dmadevs/img/skeleton_ag_perf.png"
note "copied $DIR into doc/bench/ and doc/guides/dmadevs/img/skeleton_ag_perf.png"
git -C "$ROOT" status --short -- doc/bench doc/guides/dmadevs/img
