#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# make patches-main DPDK_MAIN=<DPDK main git tree>
#
# Write the series for DPDK main (patches/main/, against the commit recorded
# in patches/main/BASE) with our new files to build/main/patches/ and verify
# it as `make patches` and `make check` verify the 22.11 series:
#  1. gen-patches.sh patches/main: the series, then `git am` of it on the
#     base commit checked out from DPDK_MAIN (build/main/verify-tree), which
#     must give the series tree;
#  2. every patch builds on its own: each commit of the verify tree is built
#     in turn in build/main/build (kept for reuse: later runs rebuild what
#     changed), with main's flags and warnings as errors;
#  3. main's dpdk-test of the full series runs the tests of the fixes
#     (vdev_autotest, dmadev_group_trace_autotest), DPDK's dmadev_autotest on
#     the stock skeleton and on dma_skag0, and all our autotests (API, data
#     path, telemetry, multi-process, revoke, storm, inter-OS, and perf with
#     less measuring) with the EAL arguments tests/meson.build gives them
#     (hugepages needed: as root);
#  4. check-series.sh patches/main: main's checkpatches.sh (with the kernel
#     checkpatch.pl of check-series.sh; the findings listed in
#     patches/main/checkpatches-waivers are kept on purpose) and
#     check-git-log.sh.
# Ends with a summary, one line per check, and fails if one failed. A check
# which cannot run fails. DPDK_MAIN is needed (CI has no DPDK main: this is
# run by hand). Logs are in build/main/logs/.
#
# Environment: DPDK_MAIN   git tree of DPDK main holding the BASE commit
#              NINJA_JOBS  build parallelism (default 2)

set -euo pipefail
. "$(dirname "$0")/series.sh"

series_init patches/main
if [ -z "${DPDK_MAIN:-}" ]; then
	echo "patches-main.sh: ERROR: needs a git tree of DPDK main holding commit $BASE_REF" >&2
	echo "  (recorded in $SERIES_REL/BASE): make patches-main DPDK_MAIN=/path/to/dpdk" >&2
	exit 1
fi
[ -d "$DPDK_MAIN" ] || die "DPDK_MAIN=$DPDK_MAIN: no such directory"
DPDK_MAIN=$(cd "$DPDK_MAIN" && pwd)
export DPDK_MAIN
main_git_tree >/dev/null

VERIFY_TREE=$SERIES_OUT/verify-tree
BUILDDIR=$SERIES_OUT/build
LOGS=$SERIES_OUT/logs
JOBS=${NINJA_JOBS:-2}
# The drivers and apps the series needs (net/null: vdev_autotest), nothing more.
MESON_OPTS=(
	-Denable_drivers=bus/vdev,bus/pci,mempool/ring,dma/skeleton,dma/skeleton_ag,net/null
	-Denable_libs=dmadev
	-Denable_apps=test
	-Denable_docs=false
	-Dwerror=true
)
EXAMPLE=dma_access_group

rm -rf "$LOGS"
mkdir -p "$LOGS"
results=()
fail=0
result() { # <PASS|FAIL> <what>
	results+=("$1  $2")
	[ "$1" = PASS ] || fail=1
}
summary() {
	echo
	echo "=== patches-main: $BASE_DESC"
	for r in "${results[@]}"; do
		echo "patches-main: $r"
	done
	local n_pass n_fail
	n_pass=$(printf '%s\n' "${results[@]}" | grep -c '^PASS' || true)
	n_fail=$(printf '%s\n' "${results[@]}" | grep -c -v '^PASS' || true)
	echo "patches-main: $n_pass passed, $n_fail failed (logs in $LOGS)"
}

# 1. The series and its git am verification.
if "$ROOT/devtools/gen-patches.sh" "$SERIES_REL" 2>&1 | tee "$LOGS/gen-patches.log"; then
	result PASS "series written to $SERIES_OUT/patches, git am on $BASE_REF verified"
else
	result FAIL "series generation or git am verification (see $LOGS/gen-patches.log)"
	summary
	exit 1
fi

# DPDK's build needs pyelftools, which Debian installs for /usr/bin/python3:
# a python3 found first in PATH (pyenv, venv) may lack it.
if ! python3 -c 'import elftools' 2>/dev/null; then
	/usr/bin/python3 -c 'import elftools' 2>/dev/null ||
		die "no python3 with pyelftools: apt-get install python3-pyelftools"
	mkdir -p "$SERIES_OUT/bin"
	ln -sf /usr/bin/python3 "$SERIES_OUT/bin/python3"
	export PATH=$SERIES_OUT/bin:$PATH
fi

# 2. Build every patch on its own, in order.
# The example can be built from its own patch on only.
examples_opt() {
	if [ -d "$VERIFY_TREE/examples/$EXAMPLE" ]; then echo "$EXAMPLE"; fi
}
set_examples() {
	local want
	want=$(examples_opt)
	[ "$(cat "$BUILDDIR/.examples" 2>/dev/null || echo unset)" != "$want" ] || return 0
	meson configure "$BUILDDIR" -Dexamples="$want" && echo "$want" > "$BUILDDIR/.examples"
}
mapfile -t commits < <(git -C "$VERIFY_TREE" rev-list --reverse "$BASE_REF..HEAD")
head=$(git -C "$VERIFY_TREE" rev-parse HEAD)
built_head=0
build_start=$(date +%s)
if [ ! -f "$BUILDDIR/build.ninja" ]; then
	rm -rf "$BUILDDIR"
	git -C "$VERIFY_TREE" checkout -q --detach "${commits[0]}"
	meson setup "$BUILDDIR" "$VERIFY_TREE" "${MESON_OPTS[@]}" -Dexamples="$(examples_opt)" \
		> "$LOGS/meson-setup.log" 2>&1 ||
		{ cat "$LOGS/meson-setup.log"; die "meson setup of $VERIFY_TREE failed"; }
	examples_opt > "$BUILDDIR/.examples"
fi
for i in "${!commits[@]}"; do
	c=${commits[$i]}
	subject=$(git -C "$VERIFY_TREE" log -1 --format=%s "$c")
	log=$LOGS/build-$(printf '%04d' $((i + 1))).log
	git -C "$VERIFY_TREE" checkout -q --detach "$c"
	note "building patch $((i + 1))/${#commits[@]}: $subject"
	t0=$(date +%s)
	if set_examples > "$log" 2>&1 && nice ninja -C "$BUILDDIR" -j "$JOBS" >> "$log" 2>&1; then
		warn=$(grep -c 'warning:' "$log" || true)
		result PASS "build of patch $((i + 1)) ($(($(date +%s) - t0)) s, $warn warnings): $subject"
		[ "$c" != "$head" ] || built_head=1
	else
		grep -E 'error:|warning:|ERROR' "$log" | head -n 20 || true
		result FAIL "build of patch $((i + 1)): $subject (see $log)"
	fi
done
git -C "$VERIFY_TREE" checkout -q series
note "builds took $(($(date +%s) - build_start)) s"

# 3. Tests with main's dpdk-test of the full series. Each run has a file
# prefix of its own (parallel runs of `make test` use others); the EAL
# arguments of our autotests are those of tests/meson.build (the inter-OS
# test's rendezvous under build/main/), those of the perf test of
# devtools/run-bench.sh, with less measuring: it checks that the test runs,
# its figures are not kept. An entry is "name|EAL arguments[|environment]".
AG_OS_RDV=$SERIES_OUT/ag-os
AG_PERF_VDEVS=$(perf_vdevs "$SERIES_OUT/ag-perf")
AG_PERF_ENV="DMADEV_AG_PERF_ROUNDS=5 DMADEV_AG_PERF_MS=20 DMADEV_AG_PERF_SAMPLES=200 DMADEV_AG_PERF_KILLS=5 DMADEV_AG_PERF_FANOUT=10"
TESTS=(
	"vdev_autotest|--no-pci --no-huge -m 512 --file-prefix=main_vdev"
	"dmadev_group_trace_autotest|--no-pci --no-huge -m 512 --file-prefix=main_trace"
	"dmadev_autotest|--no-pci --vdev=dma_skeleton --iova-mode=va --file-prefix=main_dmadev"
	"dmadev_autotest|--no-pci --vdev=dma_skag0 --file-prefix=main_ag_dmadev"
	"dmadev_access_group_api_autotest|--no-pci --no-huge -m 512 --vdev=dma_skeleton --file-prefix=main_ag_api"
	"dmadev_access_group_dp_autotest|--no-pci --vdev=dma_skag0 --vdev=dma_skag1 --file-prefix=main_ag_dp"
	"dmadev_access_group_telemetry_autotest|--no-pci --vdev=dma_skag0,max_groups=1024 --vdev=dma_skag1,max_groups=1024 --file-prefix=main_ag_tel"
	"dmadev_access_group_autotest|--no-pci -l 0 --vdev=dma_skag0,max_members=2 --vdev=dma_skag1,max_members=2 --vdev=dma_skag2,max_members=2 --file-prefix=main_ag_mp"
	"dmadev_access_group_revoke_autotest|--no-pci -l 0 --vdev=dma_skag0,max_members=4 --vdev=dma_skag1,max_members=4 --vdev=dma_skag2,max_members=4 --file-prefix=main_ag_rv"
	"dmadev_access_group_storm_autotest|--no-pci -l 0 -m 128 --vdev=dma_skag0,max_groups=20 --vdev=dma_skag1,max_groups=20 --vdev=dma_skag2,max_groups=20 --vdev=dma_skag3,max_groups=20 --vdev=dma_skag4,max_groups=20 --file-prefix=main_ag_storm"
	"dmadev_access_group_os_autotest|--no-pci -l 0 --vdev=dma_skag0,rendezvous=$AG_OS_RDV,max_members=3 --vdev=dma_skag1,rendezvous=$AG_OS_RDV,max_members=3 --file-prefix=main_ag_os"
	"dmadev_access_group_perf_autotest|-l 0 --no-pci $AG_PERF_VDEVS --file-prefix=main_ag_perf|$AG_PERF_ENV"
)
TEST_BIN=$BUILDDIR/app/dpdk-test
if [ $built_head = 0 ] || [ ! -x "$TEST_BIN" ]; then
	for t in "${TESTS[@]}"; do
		result FAIL "test ${t%%|*}: not run, the full series did not build"
	done
elif ! "$ROOT/devtools/hugepages.sh" "$PERF_HUGEPAGES" > "$LOGS/hugepages.log" 2>&1; then
	cat "$LOGS/hugepages.log"
	for t in "${TESTS[@]}"; do
		result FAIL "test ${t%%|*}: not run, no hugepages (run as root)"
	done
else
	mkdir -p "$AG_OS_RDV" "$SERIES_OUT/ag-perf"
	for t in "${TESTS[@]}"; do
		IFS='|' read -r name args tenv <<< "$t"
		log=$LOGS/test-${args##*--file-prefix=}.log
		note "running $name $args${tenv:+ ($tenv)}"
		t0=$(date +%s)
		rc=0
		# shellcheck disable=SC2086
		env DPDK_TEST="$name" $tenv timeout 600 "$TEST_BIN" $args > "$log" 2>&1 < /dev/null || rc=$?
		if [ $rc -eq 0 ] && grep -q '^Test OK' "$log"; then
			result PASS "test $name ($(($(date +%s) - t0)) s, log $log)"
		else
			tail -n 15 "$log"
			result FAIL "test $name: exit $rc, $(grep -E -m1 '^Test (OK|Failed|Skipped)' "$log" || echo 'no result') (see $log)"
		fi
	done
fi

# 4. Main's checks on the series.
if "$ROOT/devtools/check-series.sh" "$SERIES_REL" > "$LOGS/check-series.log" 2>&1; then
	:
fi
cat "$LOGS/check-series.log"
nchecks=0
while read -r line; do
	r=${line#check-series: }
	nchecks=$((nchecks + 1))
	case "$r" in
	*": PASS") result PASS "main's ${r%: PASS}" ;;
	*) result FAIL "main's ${r%: FAIL} (see $LOGS/check-series.log)" ;;
	esac
done < <(grep '^check-series: ' "$LOGS/check-series.log" || true)
[ $nchecks -gt 0 ] || result FAIL "main's checks did not run (see $LOGS/check-series.log)"

summary
[ $fail -eq 0 ]
