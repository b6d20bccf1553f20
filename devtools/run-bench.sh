#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run the perf autotest dmadev_access_group_perf_autotest with dpdk-test of the superproject
# build (it starts its secondary processes and its remote application, an independent primary
# meeting it at the devices' rendezvous OUTDIR/rdv, itself) and write to OUTDIR:
#   bench.log    all the run printed
#   bench.txt    its report: the tables and every target with PASS or MISS, then the
#                kernel's exit time of processes without groups (devtools/exit-baseline.py),
#                the baseline of the death detection figures
#   bench.csv    the same figures as CSV
#   bench.png    throughput of every engine (local, inter-process and inter-OS vchans included)
#                per copy size, with the spread of the rounds
#   machine.txt  the machine and its load before the run
# With BENCH_DPDK25=1 the same test also runs on Debian's DPDK 25.11 in the chroot of make
# test-dpdk25 (into OUTDIR/dpdk25/), then the inter-domain / local ratios of both bases are
# (inter-process and inter-OS) printed side by side (OUTDIR/bases.txt).
#
# Usage: devtools/run-bench.sh [OUTDIR, default build/bench]
# Environment: BENCH_TEST      test binary (default: dpdk-test of the superproject build)
#              BENCH_DPDK25=1  also run on DPDK 25.11 (needs DPDK_SDK_DIR, root)
#              DMADEV_AG_PERF_ROUNDS, _MS, _SAMPLES, _KILLS, _FANOUT: see the test

set -uo pipefail
. "$(dirname "$0")/series.sh"
. "$(dirname "$0")/dpdk25-chroot.sh"

TEST=${BENCH_TEST:-$BUILD/subprojects/dpdk/app/test/dpdk-test}
OUT=${1:-$BUILD/bench}
NAME=dmadev_access_group_perf_autotest
HUGEPAGES=$PERF_HUGEPAGES

[ -x "$TEST" ] || die "$TEST not found: build it first (make)"
command -v gnuplot >/dev/null || die "gnuplot not found (devtools/install-deps.sh)"
mkdir -p "$OUT" || die "cannot create $OUT"
rm -f "$OUT"/bench.* "$OUT/bases.txt"

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
	for e in memcpy skeleton ag_local ag_inter ag_os pvw; do
		awk -F, -v e="$e" '$1 == "data" && $2 == e {
			s = $3 >= 1048576 ? $3 / 1048576 "M" : $3 >= 1024 ? $3 / 1024 "K" : $3
			if ($4 > 4194304)
				s = s " in " $4 / 1048576 "M"
			print n++, "\"" s "\"", $5, $6, $7
		}' "$OUT/bench.csv" > "$OUT/data.$e"
	done
}

plot() {
	local cpu e
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	plot_data
	for e in memcpy skeleton ag_local ag_inter ag_os pvw; do
		[ -s "$OUT/data.$e" ] || die "no figures of engine $e in $OUT/bench.csv"
	done
	gnuplot <<GP || die "gnuplot failed"
set terminal pngcairo size 960,640 noenhanced
set output '$OUT/bench.png'
set title 'dma_skag: GB/s per copy size, median and min..max of the rounds ($(nproc) x $cpu)'
set xlabel 'bytes per copy (4M buffers; last point: 256M buffers, above the LLC)'
set ylabel 'GB/s'
set logscale y
set grid
set offsets 0.3, 0.3, 0, 0
# Below the plot, out of the data's way.
set key outside below center horizontal maxrows 2
plot '$OUT/data.memcpy' using 1:3:4:5:xtic(2) with yerrorlines lw 2 title 'rte_memcpy loop', \\
     '$OUT/data.skeleton' using 1:3:4:5 with yerrorlines lw 2 title 'dma_skeleton (stock)', \\
     '$OUT/data.ag_local' using 1:3:4:5 with yerrorlines lw 2 title 'dma_skag local vchan', \\
     '$OUT/data.ag_inter' using 1:3:4:5 with yerrorlines lw 2 title 'dma_skag inter-process vchan', \\
     '$OUT/data.ag_os' using 1:3:4:5 with yerrorlines lw 2 dt 2 lc rgb '#d62728' title 'dma_skag inter-OS vchan', \\
     '$OUT/data.pvw' using 1:3:4:5 with yerrorlines lw 2 title 'process_vm_writev (32 iovecs)'
GP
	rm -f "$OUT"/data.*
}

# On 22.11: the superproject build, -O2 -march=native.
run_2211() {
	local prefix=ag_bench_$$ rdv rc

	"$ROOT/devtools/hugepages.sh" "$HUGEPAGES" >/dev/null || exit 1
	rdv=$(cd "$OUT" && pwd)/rdv
	[ ${#rdv} -le 80 ] || die "rendezvous $rdv longer than 80 characters: give a shorter OUTDIR"
	rm -rf "$rdv"
	machine_info > "$OUT/machine.txt"
	note "running $NAME (DPDK 22.11), log $OUT/bench.log"
	# shellcheck disable=SC2046
	DPDK_TEST=$NAME DMADEV_AG_PERF_CSV=$OUT/bench.csv "$TEST" -l 0 --no-pci \
		--file-prefix=$prefix --log-level=lib.eal:error $(perf_vdevs "$rdv") > "$OUT/bench.log" 2>&1
	rc=$?
	cleanup_prefix $prefix
	cleanup_prefix ${prefix}_remote
	rm -rf "$rdv"
	report "$OUT/bench.log" > "$OUT/bench.txt"
	[ "$rc" = 0 ] || { cat "$OUT/bench.txt"; tail -n 20 "$OUT/bench.log" >&2; die "$NAME failed (status $rc)"; }
	# What the kernel takes before any death detector can know: the baseline of the
	# death detection figures (10 kills of each, fewer if the test makes fewer).
	note "measuring the kernel's exit of processes without groups"
	{ echo; "$ROOT/devtools/exit-baseline.py" "$TEST" "$prefix" \
		"$(( ${DMADEV_AG_PERF_KILLS:-10} < 10 ? ${DMADEV_AG_PERF_KILLS:-10} : 10 ))"; } \
		>> "$OUT/bench.txt" || die "exit-baseline.py failed"
	cleanup_prefix $prefix
	cat "$OUT/bench.txt"
	[ -s "$OUT/bench.csv" ] || die "$NAME wrote no CSV"
	plot
}

# On 25.11: Debian's packages, the plugin and the standalone test built with pkg-config's
# flags (-O3, Debian's -march), in the chroot of make test-dpdk25.
run_2511() {
	local out=$OUT/dpdk25 bin=$SRC/tests/standalone/build/dpdk-test-interdomain rc

	LOGS=$out
	D25_HUGEPAGES=$HUGEPAGES
	mkdir -p "$out"
	rm -f "$out"/*
	d25_setup
	note "building the plugin and the perf test against DPDK 25.11 (log $out/build.log)"
	in_chroot "cd $SRC && make -C plugin WERROR=1 DPDK_SDK_DIR=$SDK && \
		make -C tests/standalone WERROR=1 build/$(basename "$bin")" > "$out/build.log" 2>&1 ||
		{ tail -n 20 "$out/build.log" >&2; die "build against DPDK 25.11 failed"; }
	note "running $NAME (DPDK 25.11), log $out/bench.log"
	in_chroot "cd $SRC && rm -rf $SRC/bench-rdv && DPDK_TEST=$NAME \
		DMADEV_AG_PERF_CSV=$SRC/bench.csv \
		$(env | grep '^DMADEV_AG_PERF_[A-Z]*=' | grep -v _CSV= | tr '\n' ' ') \
		$bin -l 0 --no-pci -d $PLUGIN --file-prefix=ag_bench25 --log-level=lib.eal:error \
		$(perf_vdevs $SRC/bench-rdv)" > "$out/bench.log" 2>&1
	rc=$?
	in_chroot "rm -rf /var/run/dpdk/ag_bench25 /var/run/dpdk/ag_bench25_remote $SRC/bench-rdv; \
		rm -f /dev/hugepages/ag_bench25map_* /dev/hugepages/ag_bench25_remotemap_*"
	report "$out/bench.log" > "$out/bench.txt"
	[ "$rc" = 0 ] || { tail -n 20 "$out/bench.log" >&2; die "$NAME on DPDK 25.11 failed"; }
	cp "$CHROOT$SRC/bench.csv" "$out/bench.csv" || die "$NAME on DPDK 25.11 wrote no CSV"
	d25_umount_all
}

# The inter-domain / local ratios of both runs, side by side.
compare_bases() {
	echo "Inter-domain / local ops/s, median [min..max] of the rounds of each run"
	echo "(ratios only: the 22.11 build is -O2 -march=native, the 25.11 plugin and test are"
	echo "built with Debian's pkg-config flags, -O3 -march=corei7; absolute figures differ)"
	printf '%-12s %24s %24s %24s %24s\n' "" "inter-process" "inter-process" "inter-OS" \
		"inter-OS"
	printf '%-12s %24s %24s %24s %24s\n' "size" "DPDK 22.11" "DPDK 25.11" "DPDK 22.11" \
		"DPDK 25.11"
	awk -F, 'FNR == 1 { f++ }
		$1 == "ratio" && ($2 == "inter_local" || $2 == "os_local") {
			k = $3 " " $4
			v[f, $2, k] = sprintf("%.3f [%.3f..%.3f]", $5, $6, $7)
			if (f == 1 && $2 == "inter_local")
				order[n++] = k
		}
		END {
			for (i = 0; i < n; i++) {
				k = order[i]
				split(k, a, " ")
				s = a[1] >= 1048576 ? a[1] / 1048576 "M" : a[1] >= 1024 ? a[1] / 1024 "K" : a[1]
				if (a[2] > 4194304)
					s = s " in " a[2] / 1048576 "M"
				printf "%-12s %24s %24s %24s %24s\n", s, v[1, "inter_local", k],
					v[2, "inter_local", k], v[1, "os_local", k], v[2, "os_local", k]
			}
		}' "$OUT/bench.csv" "$OUT/dpdk25/bench.csv"
}

run_2211
if [ "${BENCH_DPDK25:-0}" = 1 ]; then
	run_2511
	compare_bases | tee "$OUT/bases.txt"
fi
note "results in $OUT (bench.txt, bench.csv, bench.png, machine.txt, bench.log)"
