#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run the dma_access_group demo between two independent primaries, as two OS
# instances would: the creator (dma_skag0) and the joiner (dma_skag1) each
# have their own --file-prefix and hugepages, and their devices name the same
# rendezvous directory (under the build directory), where the demo's own
# socket carries the group id, token, domains and buffer addresses. Exit with
# the demo's status (0 only if both processes verified the data).
#
# Usage: devtools/run-demo-os.sh [demo options, see: dpdk-dma_access_group -- --help]
# Environment: DEMO_APP  binary (default: the one of the superproject build)
#              DEMO_EAL  more EAL options for both processes (e.g. -d <driver plugin>)
#              DEMO_RDV  rendezvous directory (default: <build>/demo-os, at most 80 chars)
#              DEMO_PAGES=1G  both primaries on one 1 GiB page each (reserved and mounted
#                        at <build>/huge-1g if needed): an exporter's pages larger than the
#                        alignment the kernel gives a mapping by itself (root)
#              BUILD_DIR build directory (default: build)

set -uo pipefail

. "$(dirname "$0")/common.sh"

APP=${DEMO_APP:-$BUILD/subprojects/dpdk/examples/dpdk-dma_access_group}
PREFIX_C=dma_ag_os_creator_$$
PREFIX_J=dma_ag_os_joiner_$$
RDV=${DEMO_RDV:-$(realpath -m "$BUILD")/demo-os}

[ -x "$APP" ] || die "$APP not found: build it first (make)"
[ ${#RDV} -le 80 ] || die "rendezvous $RDV longer than 80 characters: set DEMO_RDV"
"$ROOT/devtools/hugepages.sh" 256 >/dev/null || exit 1
mkdir -p "$RDV" && chmod 700 "$RDV" || die "cannot create $RDV"

RUNBASE=$DPDK_RUNBASE
HUGEDIR=$(hugetlbfs_dir)
if [ "$(nproc)" -gt 1 ]; then J_LCORE=1; else J_LCORE=0; fi
EAL=(--no-pci --log-level=lib.eal:error ${DEMO_EAL:-})

if [ "${DEMO_PAGES:-}" = 1G ]; then
	sys=/sys/kernel/mm/hugepages/hugepages-1048576kB
	[ -d "$sys" ] || die "1 GiB hugepages not supported by this kernel"
	free=$(cat "$sys/free_hugepages")
	if [ "$free" -lt 2 ]; then
		echo $(($(cat "$sys/nr_hugepages") + 2 - free)) > "$sys/nr_hugepages" ||
			die "cannot reserve 1 GiB hugepages (root?)"
		free=$(cat "$sys/free_hugepages")
		[ "$free" -ge 2 ] || die "could reserve only $free free 1 GiB hugepages, need 2"
	fi
	HUGEDIR=$(realpath -m "$BUILD")/huge-1g
	mkdir -p "$HUGEDIR" || die "cannot create $HUGEDIR"
	if ! grep -qs "^[^ ]* $HUGEDIR hugetlbfs " /proc/mounts; then
		mount -t hugetlbfs -o pagesize=1G nodev "$HUGEDIR" ||
			die "cannot mount 1 GiB hugetlbfs on $HUGEDIR"
		# Unmounted at the end, so that the build directory stays removable.
		trap 'umount "$HUGEDIR"' EXIT
	fi
	EAL+=(--huge-dir="$HUGEDIR" -m 1024)
	echo "run-demo-os: 1 GiB pages, hugetlbfs on $HUGEDIR"
elif [ -n "${DEMO_PAGES:-}" ]; then
	die "DEMO_PAGES=$DEMO_PAGES: only 1G is known"
fi

creator=0
joiner=0
cleanup() {
	local p
	for p in "$PREFIX_C" "$PREFIX_J"; do
		rm -rf "${RUNBASE:?}/$p"
		[ -n "$HUGEDIR" ] && rm -f "$HUGEDIR/${p}map_"*
	done
}
forward() {
	[ "$creator" -gt 0 ] && kill -INT "$creator" 2>/dev/null
	[ "$joiner" -gt 0 ] && kill -INT "$joiner" 2>/dev/null
}
trap forward INT TERM

echo "run-demo-os: rendezvous $RDV"
echo "run-demo-os: starting the creator (primary, dma_skag0), file prefix $PREFIX_C"
"$APP" -l 0 "${EAL[@]}" --file-prefix="$PREFIX_C" --vdev="dma_skag0,rendezvous=$RDV" -- \
	--role creator --rendezvous "$RDV" "$@" &
creator=$!
# No wait: the joiner says HELLO until the creator listens.
echo "run-demo-os: starting the joiner (another primary, dma_skag1), file prefix $PREFIX_J"
"$APP" -l "$J_LCORE" "${EAL[@]}" --file-prefix="$PREFIX_J" \
	--vdev="dma_skag1,rendezvous=$RDV" -- --role joiner --rendezvous "$RDV" "$@" &
joiner=$!

demo_finish "$creator" "$joiner" "creator and joiner, two independent primaries, verified the data"
