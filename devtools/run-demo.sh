#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run the dma_access_group demo: the primary process (group creator on
# dma_skag0), then a secondary (joiner on dma_skag1), both from
# the same binary with their own --file-prefix; exit with the demo's status
# (0 only if both processes verified the data).
#
# Usage: devtools/run-demo.sh [demo options, see: dpdk-dma_access_group -- --help]
# Environment: DEMO_APP    binary (default: the one of the superproject build)
#              DEMO_EAL    more EAL options for both processes (e.g. -d <driver plugin>)
#              DEMO_MEM_MB memory the primary reserves at start (-m), default 128
#              BUILD_DIR   build directory (default: build)

set -uo pipefail

. "$(dirname "$0")/common.sh"

APP=${DEMO_APP:-$BUILD/subprojects/dpdk/examples/dpdk-dma_access_group}
PREFIX=dma_ag_demo_$$

[ -x "$APP" ] || die "$APP not found: build it first (make)"
"$ROOT/devtools/hugepages.sh" 256 >/dev/null || exit 1

RUNDIR=$DPDK_RUNBASE/$PREFIX
HUGEDIR=$(hugetlbfs_dir)

# One lcore each, on different CPUs when there are two.
if [ "$(nproc)" -gt 1 ]; then SEC_LCORE=1; else SEC_LCORE=0; fi
EAL=(--no-pci --file-prefix="$PREFIX" --log-level=lib.eal:error ${DEMO_EAL:-})

primary=0
secondary=0
cleanup() {
	# Both processes are gone here: drop their runtime files and hugepage files.
	rm -rf "$RUNDIR"
	[ -n "$HUGEDIR" ] && rm -f "$HUGEDIR/${PREFIX}map_"*
}
forward() {
	# Ctrl-C reaches the demo processes by themselves; a TERM to this script
	# is passed on so that they stop just as cleanly.
	[ "$primary" -gt 0 ] && kill -INT "$primary" 2>/dev/null
	[ "$secondary" -gt 0 ] && kill -INT "$secondary" 2>/dev/null
}
trap forward INT TERM

echo "run-demo: starting the creator (primary, dma_skag0), file prefix $PREFIX"
# -m: the memory of both processes is reserved at start, so that the joiner's allocations
# need no memory hotplug request to the primary, an IPC that times out on a loaded machine.
"$APP" -l 0 "${EAL[@]}" -m "${DEMO_MEM_MB:-128}" --vdev=dma_skag0 --vdev=dma_skag1 -- "$@" &
primary=$!

# The secondary needs the primary's runtime config; EAL then waits for the
# primary to finish its initialisation by itself.
for _ in $(seq 300); do
	[ -e "$RUNDIR/config" ] && break
	kill -0 "$primary" 2>/dev/null || break
	sleep 0.1
done
if [ ! -e "$RUNDIR/config" ]; then
	wait "$primary"
	rc=$?
	cleanup
	echo "run-demo: the primary did not start (status $rc)" >&2
	exit $((rc == 0 ? 1 : rc))
fi

echo "run-demo: starting the joiner (secondary, dma_skag1)"
"$APP" -l "$SEC_LCORE" "${EAL[@]}" --proc-type=secondary -- "$@" &
secondary=$!

demo_finish "$primary" "$secondary" "creator and joiner verified the data"
