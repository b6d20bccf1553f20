#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Make the output of make bench the committed set: copy bench.txt, bench.csv, bench.png and
# machine.txt (and bases.txt of a BENCH_DPDK25=1 run) into doc/bench/, bench.png into the
# performance guide as doc/guides/dmadevs/img/skeleton_ag_perf.png, and write the table of
# targets of the guide (between its bench-targets-begin and -end comments) from the targets of
# bench.csv, inter-OS ones included. Review and commit them, with the text around the table
# brought in line.
#
# Usage: devtools/publish-bench.sh [DIR, default build/bench]

set -euo pipefail
. "$(dirname "$0")/series.sh"

DIR=${1:-$BUILD/bench}
FILES="bench.txt bench.csv bench.png machine.txt"
GUIDE=$ROOT/doc/guides/dmadevs/skeleton_ag_perf.rst

# The targets of a bench.csv as an RST simple table: target, verdict, measured figure (us for
# the latencies, else a ratio).
targets_table() {
	awk -F, '$1 == "target" {
			n++
			name[n] = $2
			verdict[n] = $3
			fig[n] = $2 ~ / us/ ? sprintf("%.2f us", $4) : sprintf("%.3f", $4)
			if (length($2) > w1)
				w1 = length($2)
			if (length(fig[n]) > w3)
				w3 = length(fig[n])
		}
		function rule(  s, i) {
			s = ""
			for (i = 0; i < w1; i++)
				s = s "="
			s = s " ======= "
			for (i = 0; i < w3; i++)
				s = s "="
			return s
		}
		END {
			if (n == 0)
				exit 1
			if (w3 < 8)
				w3 = 8
			print rule()
			printf "%-*s %-7s %s\n", w1, "Target", "Verdict", "Measured"
			print rule()
			for (i = 1; i <= n; i++)
				printf "%-*s %-7s %s\n", w1, name[i], verdict[i], fig[i]
			print rule()
		}' "$1"
}

for f in $FILES; do
	[ -s "$DIR/$f" ] || die "$DIR/$f missing: run make bench first"
done
rm -f "$ROOT/doc/bench/bases.txt"
for f in $FILES bases.txt; do
	[ -e "$DIR/$f" ] && cp "$DIR/$f" "$ROOT/doc/bench/$f"
done
cp "$DIR/bench.png" "$ROOT/doc/guides/dmadevs/img/skeleton_ag_perf.png"
grep -q '^\.\. bench-targets-begin' "$GUIDE" && grep -q '^\.\. bench-targets-end' "$GUIDE" ||
	die "$GUIDE has no bench-targets-begin/-end comments around its table of targets"
table=$(mktemp)
trap 'rm -f "$table" "$table.rst"' EXIT
targets_table "$DIR/bench.csv" > "$table" || die "$DIR/bench.csv has no target"
awk -v t="$table" '/^\.\. bench-targets-end/ { skip = 0 }
	!skip { print }
	/^\.\. bench-targets-begin/ {
		skip = 1
		print ""
		while ((getline l < t) > 0)
			print l
		print ""
	}' "$GUIDE" > "$table.rst"
cp "$table.rst" "$GUIDE"
note "copied $DIR into doc/bench/ and doc/guides/dmadevs/img/skeleton_ag_perf.png, table of" \
	"targets written into $GUIDE"
git -C "$ROOT" status --short -- doc/bench doc/guides/dmadevs
