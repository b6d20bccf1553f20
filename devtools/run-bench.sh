#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run the dma_access_group benchmark (the example binary with --role bench;
# it starts its secondary processes itself) and write to OUTDIR:
#   bench.txt    the table printed on stdout, with the targets
#   bench.csv    the same figures as CSV
#   bench.png    throughput vs size of rte_memcpy, dma_skeleton and
#                dma_skag on a local and an inter-domain channel
#   machine.txt  the machine the figures come from
#
# Usage: devtools/run-bench.sh [OUTDIR, default build/bench]
# Environment: BENCH_APP  binary (default: the one of the superproject build)
#              BENCH_ARGS extra benchmark options (see: dpdk-dma_access_group -- --help)
#              BUILD_DIR  build directory (default: build)

set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
APP=${BENCH_APP:-$BUILD/subprojects/dpdk/examples/dpdk-dma_access_group}
OUT=${1:-$BUILD/bench}
PREFIX=dma_ag_bench_$$

die() { echo "run-bench: ERROR: $*" >&2; exit 1; }

[ -x "$APP" ] || die "$APP not found: build it first (make)"
command -v gnuplot >/dev/null || die "gnuplot not found (apt-get install gnuplot-nox)"
mkdir -p "$OUT" || die "cannot create $OUT"
"$ROOT/devtools/hugepages.sh" 256 >/dev/null || exit 1

if [ "$(id -u)" = 0 ]; then
	RUNDIR=/var/run/dpdk/$PREFIX
else
	RUNDIR=${XDG_RUNTIME_DIR:-/tmp}/dpdk/$PREFIX
fi
HUGEDIR=$(awk '$3 == "hugetlbfs" { print $2; exit }' /proc/mounts)
cleanup() {
	rm -rf "$RUNDIR"
	[ -n "$HUGEDIR" ] && rm -f "$HUGEDIR/${PREFIX}map_"*
}

{
	echo "date:   $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu:    $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "cores:  $(nproc) (nproc)"
	echo "memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "kernel: $(uname -r)"
	echo "load:   $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, before the run)"
} > "$OUT/machine.txt"

# Every skeleton_ag device sets the one group table: same explicit sizes.
AG=max_groups=1024
# shellcheck disable=SC2086
"$APP" -l 0 --no-pci --file-prefix="$PREFIX" --log-level=lib.eal:error \
	--vdev=dma_skeleton --vdev=dma_skag0,$AG --vdev=dma_skag1,$AG \
	--vdev=dma_skag2,$AG -- --role bench --csv "$OUT/bench.csv" ${BENCH_ARGS:-} |
	tee "$OUT/bench.txt"
rc=${PIPESTATUS[0]}
cleanup
[ "$rc" = 0 ] || die "benchmark failed (status $rc)"

for e in memcpy skeleton ag_local ag_inter; do
	awk -F, -v e="$e" '$1 == "data" && $2 == e { print $3, $5 }' "$OUT/bench.csv" > "$OUT/$e.dat"
done
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
gnuplot <<GP || die "gnuplot failed"
set terminal pngcairo size 900,560 noenhanced
set output '$OUT/bench.png'
set title 'dma_skag throughput vs copy size ($(nproc) x $cpu)'
set xlabel 'copy size (bytes)'
set ylabel 'GB/s'
set logscale x 2
set xtics ('64' 64, '256' 256, '1K' 1024, '4K' 4096, '64K' 65536, '1M' 1048576)
set key top left
set grid
plot '$OUT/memcpy.dat' using 1:2 with linespoints lw 2 title 'rte_memcpy loop', \\
     '$OUT/skeleton.dat' using 1:2 with linespoints lw 2 title 'dma_skeleton (stock)', \\
     '$OUT/ag_local.dat' using 1:2 with linespoints lw 2 title 'dma_skag local vchan', \\
     '$OUT/ag_inter.dat' using 1:2 with linespoints lw 2 title 'dma_skag inter-domain vchan'
GP
rm -f "$OUT"/*.dat
echo "run-bench: results in $OUT (bench.txt, bench.csv, bench.png, machine.txt)"
