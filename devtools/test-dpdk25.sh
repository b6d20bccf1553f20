#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build and check our work on stock DPDK 25.11 as Debian ships it, in a Debian sid chroot:
# the driver as a plugin (plugin/), the example and our checks built against Debian's libdpdk
# with DPDK's warning flags as errors, then run against Debian's librte_dmadev. Ends with
# "dpdk25: N passed, N failed" and fails if a check failed or none ran.
#
# Usage: DPDK_SDK_DIR=<dir with the 25.11 driver-SDK headers> devtools/test-dpdk25.sh
# Environment: DPDK25_CHROOT  chroot directory (default: build/dpdk25-chroot, reused)
#              DEBIAN_MIRROR  archive (default: the first URI of this machine's apt sources)
# Needs root (debootstrap, chroot, mounts) and hugepages (devtools/hugepages.sh).

set -uo pipefail
. "$(dirname "$0")/series.sh"

CHROOT=${DPDK25_CHROOT:-$BUILD/dpdk25-chroot}
LOGS=$BUILD/dpdk25
# Inside the chroot: a copy of our sources, the SDK headers, the plugin.
SRC=/src
SDK=/opt/dpdk-sdk
PLUGIN=$SRC/plugin/build/librte_dma_skeleton_ag.so
PKGS="gcc libc6-dev make pkgconf uuid-dev libdpdk-dev dpdk-dev"
SDK_HEADERS="rte_dmadev_pmd.h bus_vdev_driver.h dev_driver.h bus_driver.h"

[ "$(id -u)" = 0 ] || die "needs root: debootstrap, chroot and mounts"
[ -n "${DPDK_SDK_DIR:-}" ] || die "set DPDK_SDK_DIR to a directory holding the DPDK 25.11 \
driver-SDK headers ($SDK_HEADERS): Debian's libdpdk-dev does not install them"
for h in $SDK_HEADERS; do
	[ -f "$DPDK_SDK_DIR/$h" ] || die "DPDK_SDK_DIR=$DPDK_SDK_DIR has no $h"
done

mounts() {
	awk -v c="$CHROOT/" 'index($2, c) == 1 { print $2 }' /proc/mounts | sort -r
}
umount_all() {
	local m
	for m in $(mounts); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
}
# A run killed earlier may have left mounts: never remove or reuse a tree with mounts in it.
umount_all
trap umount_all EXIT

in_chroot() {
	chroot "$CHROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 /bin/bash -c "$1"
}

mirror() {
	local uri
	uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $2 !~ /^\[/ { print $2; exit }' \
		/etc/apt/sources.list 2>/dev/null)
	echo "${uri:-http://deb.debian.org/debian}"
}

make_chroot() {
	local m=${DEBIAN_MIRROR:-$(mirror)}

	command -v debootstrap >/dev/null || die "debootstrap missing (devtools/install-deps.sh)"
	note "creating a Debian sid chroot in $CHROOT from $m"
	rm -rf --one-file-system "$CHROOT"
	debootstrap --variant=minbase sid "$CHROOT" "$m" > "$LOGS/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$LOGS/debootstrap.log" >&2; die "debootstrap of sid failed"; }
	# The archive may be a frozen copy whose Release files are past their Valid-Until.
	echo 'Acquire::Check-Valid-Until "false";' > "$CHROOT/etc/apt/apt.conf.d/99interdomain"
	in_chroot "apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends $PKGS" > "$LOGS/apt.log" 2>&1 ||
		{ tail -n 20 "$LOGS/apt.log" >&2; die "installing $PKGS in the chroot failed"; }
	echo "$PKGS" > "$CHROOT/.interdomain-pkgs"
}

mkdir -p "$LOGS"
rm -f "$LOGS"/*.log
if [ "$(cat "$CHROOT/.interdomain-pkgs" 2>/dev/null)" != "$PKGS" ]; then
	make_chroot
else
	note "reusing the chroot $CHROOT"
fi

version=$(in_chroot "pkg-config --modversion libdpdk") || die "no libdpdk in the chroot"
case "$version" in
25.11.*) note "Debian's DPDK $version" ;;
*) die "the chroot has DPDK $version, not 25.11.x: remove $CHROOT to make it again" ;;
esac

# Our sources only: the tree at its current state, as a build would see it.
rm -rf "$CHROOT$SRC" "$CHROOT$SDK"
mkdir -p "$CHROOT$SRC" "$CHROOT$SDK"
(cd "$ROOT" && cp -a --parents app/test/test_dmadev_access_group.c \
	app/test/test_dmadev_access_group.h app/test/test_dmadev_access_group_dp.c \
	app/test/test_dmadev_access_group_leak.h app/test/test_dmadev_access_group_storm.c devtools drivers/dma/skeleton_ag \
	examples/dma_access_group plugin tests/api_compat tests/standalone "$CHROOT$SRC/") ||
	die "cannot copy the sources into the chroot"
for h in $SDK_HEADERS; do
	cp "$DPDK_SDK_DIR/$h" "$CHROOT$SDK/"
done

"$ROOT/devtools/hugepages.sh" 512 >/dev/null || die "hugepages needed"
mount -t proc proc "$CHROOT/proc" &&
	mount --bind /sys "$CHROOT/sys" &&
	mkdir -p "$CHROOT/dev/hugepages" &&
	mount --bind /dev/hugepages "$CHROOT/dev/hugepages" || die "cannot mount into $CHROOT"

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
	$DPDK_TEST_BIN $EAL -l 0 --vdev=dma_skag0 --vdev=dma_skag1 --vdev=dma_skag2 \
	--vdev=dma_skag3 --vdev=dma_skag4 --file-prefix=d25_storm"
check access_group_telemetry_autotest 300 "DPDK_TEST=dmadev_access_group_telemetry_autotest \
	$DPDK_TEST_BIN $EAL --vdev=dma_skag0,max_groups=1024 --vdev=dma_skag1,max_groups=1024 \
	--file-prefix=d25_tel"
# Whatever the order the drivers register in, dma_skag0 is ours: the stock skeleton's plugin
# is loaded before ours here, after ours (from Debian's plugin directory) above.
DP_EAL="-m 64 --vdev=dma_skag0 --vdev=dma_skag1"
check access_group_dp_autotest 300 "DPDK_TEST=dmadev_access_group_dp_autotest $DPDK_TEST_BIN \
	$EAL $DP_EAL --file-prefix=d25_dp"
check access_group_dp_autotest-skeleton-first 300 "DPDK_TEST=dmadev_access_group_dp_autotest \
	$DPDK_TEST_BIN --no-pci -d $SKELETON_PLUGIN -d $PLUGIN $DP_EAL --file-prefix=d25_dp2"

echo "dpdk25: $passed passed, $failed failed"
[ $((passed + failed)) -gt 0 ] || die "no check ran"
[ "$failed" = 0 ]
