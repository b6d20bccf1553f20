#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run the perf autotest dmadev_access_group_perf_autotest with dpdk-test of the superproject
# build (it starts its secondary processes itself) and write to OUTDIR:
#   bench.log    all the run printed
#   bench.txt    its report: the tables and every target with PASS or MISS
#   bench.csv    the same figures as CSV
#   bench.png    throughput of every engine per copy size, with the spread of the rounds
#   machine.txt  the machine and its load before the run
#
# Usage: devtools/run-bench.sh [OUTDIR, default build/bench]
# Environment: BENCH_TEST      test binary (default: dpdk-test of the superproject build)
#              DMADEV_AG_PERF_ROUNDS, _MS, _SAMPLES, _KILLS, _FANOUT: see the test

set -uo pipefail
. "$(dirname "$0")/series.sh"

TEST=${BENCH_TEST:-$BUILD/subprojects/dpdk/app/test/dpdk-test}
OUT=${1:-$BUILD/bench}
NAME=dmadev_access_group_perf_autotest
# Every dma_skag device sets the one group table: same explicit sizes. Eight devices: the
# fan-out group has one member per process, max_members of them.
VDEVS="--vdev=dma_skeleton"
for i in 0 1 2 3 4 5 6 7; do
	VDEVS="$VDEVS --vdev=dma_skag$i,max_groups=1024,max_members=8"
done
# Two 256 MiB buffers for the DRAM point, and the rest.
HUGEPAGES=768

[ -x "$TEST" ] || die "$TEST not found: build it first (make)"
command -v gnuplot >/dev/null || die "gnuplot not found (devtools/install-deps.sh)"
mkdir -p "$OUT" || die "cannot create $OUT"
rm -f "$OUT"/bench.*

machine_info() {
	echo "date:   $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu:    $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "cores:  $(nproc) (nproc)"
	echo "llc:    $(lscpu 2>/dev/null | awk -F: '/^L3 cache/ { gsub(/^ +/, "", $2); print $2 }')"
	echo "memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "kernel: $(uname -r)"
	echo "load:   $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, before the run)"
}

# Lines of the report: from the first table to the targets, secondaries' lines left out.
report() {
	awk '/^Data path: GB\/s/ { on = 1 } on && /^(Test OK|Test Failed|RTE>>)/ { exit }
		on' "$1"
}

# Remove the run-time files of a file prefix (a killed run may leave them).
cleanup_prefix() {
	local hugedir

	rm -rf "/var/run/dpdk/$1"
	hugedir=$(awk '$3 == "hugetlbfs" { print $2; exit }' /proc/mounts)
	[ -n "$hugedir" ] && rm -f "$hugedir/$1map_"*
}

# data.ENGINE files for gnuplot: point index, label, median, min, max.
plot_data() {
	local e
	for e in memcpy skeleton ag_local ag_inter pvw; do
		awk -F, -v e="$e" '$1 == "data" && $2 == e {
			s = $3 >= 1048576 ? $3 / 1048576 "M" : $3 >= 1024 ? $3 / 1024 "K" : $3
			if ($4 > 4194304)
				s = s " in " $4 / 1048576 "M"
			print n++, "\"" s "\"", $5, $6, $7
		}' "$OUT/bench.csv" > "$OUT/data.$e"
	done
}

plot() {
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	plot_data
	gnuplot <<GP || die "gnuplot failed"
set terminal pngcairo size 960,640 noenhanced
set output '$OUT/bench.png'
set title 'dma_skag: GB/s per copy size, median and min..max of the rounds ($(nproc) x $cpu)'
set xlabel 'bytes per copy (4M buffers; last point: 256M buffers, above the LLC)'
set ylabel 'GB/s'
set logscale y
set grid
set offsets 0.3, 0.3, 0, 0
set key outside below horizontal
plot '$OUT/data.memcpy' using 1:3:4:5:xtic(2) with yerrorlines lw 2 title 'rte_memcpy loop', \\
     '$OUT/data.skeleton' using 1:3:4:5 with yerrorlines lw 2 title 'dma_skeleton (stock)', \\
     '$OUT/data.ag_local' using 1:3:4:5 with yerrorlines lw 2 title 'dma_skag local vchan', \\
     '$OUT/data.ag_inter' using 1:3:4:5 with yerrorlines lw 2 title 'dma_skag inter-domain vchan', \\
     '$OUT/data.pvw' using 1:3:4:5 with yerrorlines lw 2 title 'process_vm_writev (32 iovecs)'
GP
	rm -f "$OUT"/data.*
}

run_2211() {
	local prefix=ag_bench_$$ rc

	"$ROOT/devtools/hugepages.sh" "$HUGEPAGES" >/dev/null || exit 1
	machine_info > "$OUT/machine.txt"
	note "running $NAME (DPDK 22.11), log $OUT/bench.log"
	# shellcheck disable=SC2086
	DPDK_TEST=$NAME DMADEV_AG_PERF_CSV=$OUT/bench.csv "$TEST" -l 0 --no-pci \
		--file-prefix=$prefix --log-level=lib.eal:error $VDEVS > "$OUT/bench.log" 2>&1
	rc=$?
	cleanup_prefix $prefix
	report "$OUT/bench.log" > "$OUT/bench.txt"
	cat "$OUT/bench.txt"
	[ "$rc" = 0 ] || { tail -n 20 "$OUT/bench.log" >&2; die "$NAME failed (status $rc)"; }
	[ -s "$OUT/bench.csv" ] || die "$NAME wrote no CSV"
	plot
}

run_2211
note "results in $OUT (bench.txt, bench.csv, bench.png, machine.txt, bench.log)"
