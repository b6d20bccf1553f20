#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build and check our work on stock DPDK 25.11 as Debian ships it, in a Debian sid chroot:
# the driver as a plugin (plugin/), the example and our checks built against Debian's libdpdk
# with DPDK's warning flags as errors, then run against Debian's librte_dmadev. Ends with
# "dpdk25: N passed, N failed" and fails if a check failed or none ran.
#
# Usage: DPDK_SDK_DIR=<dir with the 25.11 driver-SDK headers> devtools/test-dpdk25.sh
# Environment: see devtools/dpdk25-chroot.sh (chroot, mirror).

set -uo pipefail
. "$(dirname "$0")/series.sh"
. "$(dirname "$0")/dpdk25-chroot.sh"

LOGS=$BUILD/dpdk25
mkdir -p "$LOGS"
rm -f "$LOGS"/*.log
d25_setup

passed=0
failed=0
# check NAME TIMEOUT COMMAND: run COMMAND in the chroot, log it, count it.
check() {
	local name=$1 limit=$2 cmd=$3 log=$LOGS/$1.log rc

	printf 'dpdk25: %-40s ' "$name"
	timeout --kill-after=10 "$limit" chroot "$CHROOT" /usr/bin/env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		/bin/bash -c "cd $SRC && $cmd" > "$log" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		echo "OK"
		passed=$((passed + 1))
	else
		echo "FAIL (status $rc, log $log)"
		tail -n 30 "$log" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
}

EAL="--no-pci -d $PLUGIN"
DPDK_TEST_BIN=$SRC/tests/standalone/build/dpdk-test-interdomain
SKELETON_PLUGIN=$(in_chroot 'ls /usr/lib/*/dpdk/pmds-*/librte_dma_skeleton.so | head -n 1')
[ -n "$SKELETON_PLUGIN" ] || die "Debian's dma_skeleton plugin not found in the chroot"

check build-plugin 300 "make -C plugin WERROR=1 DPDK_SDK_DIR=$SDK"
check build-checks 300 "make -C tests/standalone WERROR=1"
check build-example 300 "make -C tests/standalone WERROR=1 example"

check example-demo 300 "DEMO_APP=$SRC/examples/dma_access_group/build/dma_access_group \
	DEMO_EAL='-d $PLUGIN' BUILD_DIR=$SRC/build devtools/run-demo.sh"
check example-demo-os 300 "DEMO_APP=$SRC/examples/dma_access_group/build/dma_access_group \
	DEMO_EAL='-d $PLUGIN' BUILD_DIR=$SRC/build devtools/run-demo-os.sh"
check example-creator-gone 120 "DEMO_APP=$SRC/examples/dma_access_group/build/dma_access_group \
	PRIMARY_APP=/usr/bin/dpdk-test DEMO_EAL='-d $PLUGIN' BUILD_DIR=$SRC/build \
	devtools/check-demo-gone.sh"
check api-compat 120 "tests/standalone/build/upstream_api_user --no-pci --no-huge -m 256 \
	--vdev=dma_skeleton --file-prefix=d25_api"
check dmadev_autotest-dma_skag0 300 "DPDK_TEST=dmadev_autotest dpdk-test $EAL \
	--vdev=dma_skag0 --iova-mode=va --file-prefix=d25_dmadev"
check access_group_autotest 300 "DPDK_TEST=dmadev_access_group_autotest $DPDK_TEST_BIN $EAL \
	-l 0 --vdev=dma_skag0,max_members=2 --vdev=dma_skag1,max_members=2 \
	--vdev=dma_skag2,max_members=2 --file-prefix=d25_mp"
check access_group_revoke_autotest 300 "DPDK_TEST=dmadev_access_group_revoke_autotest \
	$DPDK_TEST_BIN $EAL -l 0 --vdev=dma_skag0,max_members=4 --vdev=dma_skag1,max_members=4 \
	--vdev=dma_skag2,max_members=4 --file-prefix=d25_rv"
check access_group_storm_autotest 300 "DPDK_TEST=dmadev_access_group_storm_autotest \
	$DPDK_TEST_BIN $EAL -l 0 -m 128 --vdev=dma_skag0,max_groups=20 \
	--vdev=dma_skag1,max_groups=20 --vdev=dma_skag2,max_groups=20 \
	--vdev=dma_skag3,max_groups=20 --vdev=dma_skag4,max_groups=20 --file-prefix=d25_storm"
check access_group_telemetry_autotest 300 "DPDK_TEST=dmadev_access_group_telemetry_autotest \
	$DPDK_TEST_BIN $EAL --vdev=dma_skag0,max_groups=1024 --vdev=dma_skag1,max_groups=1024 \
	--file-prefix=d25_tel"
# Whatever the order the drivers register in, dma_skag0 is ours: the stock skeleton's plugin
# is loaded before ours here, after ours (from Debian's plugin directory) above.
# Independent primaries: the test starts the other applications with the same --vdev options,
# meeting in one rendezvous directory.
AG_OS_RDV=$SRC/build/ag-os
check access_group_os_autotest 300 "DPDK_TEST=dmadev_access_group_os_autotest $DPDK_TEST_BIN \
	$EAL -l 0 --vdev=dma_skag0,rendezvous=$AG_OS_RDV,max_members=3 \
	--vdev=dma_skag1,rendezvous=$AG_OS_RDV,max_members=3 --file-prefix=d25_os"
DP_EAL="-m 64 --vdev=dma_skag0 --vdev=dma_skag1"
check access_group_dp_autotest 300 "DPDK_TEST=dmadev_access_group_dp_autotest $DPDK_TEST_BIN \
	$EAL $DP_EAL --file-prefix=d25_dp"
check access_group_dp_autotest-skeleton-first 300 "DPDK_TEST=dmadev_access_group_dp_autotest \
	$DPDK_TEST_BIN --no-pci -d $SKELETON_PLUGIN -d $PLUGIN $DP_EAL --file-prefix=d25_dp2"

echo "dpdk25: $passed passed, $failed failed"
[ $((passed + failed)) -gt 0 ] || die "no check ran"
[ "$failed" = 0 ]
