# SPDX-License-Identifier: BSD-3-Clause
#
# Definitions every devtools script uses; source this file, do not run it.

# The DPDK release the series is made against, and its upstream tarball.
DPDK_VERSION=22.11.11
DPDK_TAG=v$DPDK_VERSION
TARBALL_NAME=dpdk_${DPDK_VERSION}.orig.tar.xz
TARBALL_SHA256=27a3bb1f57e02eb68c7c0a6f8bbf9fb74ec198c5aab74ed602da5b71c492a476

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
TARBALL=$BUILD/dl/$TARBALL_NAME

# Where DPDK keeps the runtime directories of its file prefixes, for this user.
if [ "$(id -u)" = 0 ]; then
	DPDK_RUNBASE=/var/run/dpdk
else
	DPDK_RUNBASE=${XDG_RUNTIME_DIR:-/tmp}/dpdk
fi
# The hugetlbfs mount that holds DPDK's hugepage files ("" if none).
hugetlbfs_dir() { awk '$3 == "hugetlbfs" { print $2; exit }' /proc/mounts; }

# The devices of the perf test, with the rendezvous directory $1. Every
# dma_skag device sets the one group table: same explicit sizes, and the same
# rendezvous, which the test's remote application names too. Eight devices: the
# fan-out group has one member per process, max_members of them.
# Hugepages (2 MiB) the perf test needs: three 256 MiB buffers for its DRAM
# point (source, peer, remote application), and the rest of two applications.
PERF_HUGEPAGES=1024
perf_vdevs() {
	local v="--vdev=dma_skeleton" i

	for i in 0 1 2 3 4 5 6 7; do
		v="$v --vdev=dma_skag$i,max_groups=1024,max_members=8,rendezvous=$1"
	done
	echo "$v"
}

die() { echo "$(basename "$0"): ERROR: $*" >&2; exit 1; }
note() { echo "$(basename "$0"): $*"; }

# End of a demo: wait for its creator ($1) and joiner ($2), run the script's
# cleanup, say SUCCESS ($3 tells what) or FAILED, and exit with the first
# failing status. wait returns early (>128) when a trapped signal arrives: wait
# again while the process runs.
demo_finish() {
	local pid rc=() name
	name=$(basename "$0" .sh)
	for pid in "$1" "$2"; do
		while :; do
			wait "$pid"
			rc+=($?)
			kill -0 "$pid" 2>/dev/null || break
			unset 'rc[-1]'
		done
	done
	cleanup
	if [ "${rc[0]}" = 0 ] && [ "${rc[1]}" = 0 ]; then
		echo "$name: SUCCESS ($3)"
		exit 0
	fi
	echo "$name: FAILED (creator status ${rc[0]}, joiner status ${rc[1]})" >&2
	[ "${rc[0]}" != 0 ] && exit "${rc[0]}"
	exit "${rc[1]}"
}
