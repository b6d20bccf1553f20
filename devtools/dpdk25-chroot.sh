# SPDX-License-Identifier: BSD-3-Clause
#
# The Debian sid chroot with Debian's DPDK 25.11 that make test-dpdk25 and make bench
# (BENCH_DPDK25=1) build and run our code in; source this file after series.sh, do not run it.
#   d25_setup   make the chroot (the first time) or reuse it, check it has DPDK 25.11.x, copy
#               our sources and DPDK_SDK_DIR's driver-SDK headers in, mount /proc, /sys and the
#               hugepages (unmounted at exit)
#   in_chroot   run a command in the chroot with a clean environment
# Environment: DPDK25_CHROOT  chroot directory (default: build/dpdk25-chroot, reused)
#              DEBIAN_MIRROR  archive (default: the first URI of this machine's apt sources)
#              DPDK_SDK_DIR   directory with the DPDK 25.11 driver-SDK headers
# Needs root (debootstrap, chroot, mounts) and hugepages (devtools/hugepages.sh).

CHROOT=${DPDK25_CHROOT:-$BUILD/dpdk25-chroot}
LOGS=${LOGS:-$BUILD/dpdk25}
# Inside the chroot: a copy of our sources, the SDK headers, the plugin.
SRC=/src
SDK=/opt/dpdk-sdk
PLUGIN=$SRC/plugin/build/librte_dma_skeleton_ag.so
PKGS="gcc libc6-dev make pkgconf uuid-dev libdpdk-dev dpdk-dev"
SDK_HEADERS="rte_dmadev_pmd.h bus_vdev_driver.h dev_driver.h bus_driver.h"
# Our sources the chroot builds from.
D25_SOURCES="app/test/test_dmadev_access_group.c app/test/test_dmadev_access_group.h
	app/test/test_dmadev_access_group_dp.c app/test/test_dmadev_access_group_leak.h
	app/test/test_dmadev_access_group_os.c app/test/test_dmadev_access_group_os.h
	app/test/test_dmadev_access_group_perf.c app/test/test_dmadev_access_group_storm.c devtools
	drivers/dma/skeleton_ag examples/dma_access_group plugin tests/api_compat tests/standalone"

d25_mounts() {
	awk -v c="$CHROOT/" 'index($2, c) == 1 { print $2 }' /proc/mounts | sort -r
}

d25_umount_all() {
	local m
	for m in $(d25_mounts); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
}

in_chroot() {
	chroot "$CHROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 /bin/bash -c "$1"
}

d25_mirror() {
	local uri
	uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $2 !~ /^\[/ { print $2; exit }' \
		/etc/apt/sources.list 2>/dev/null)
	echo "${uri:-http://deb.debian.org/debian}"
}

d25_make_chroot() {
	local m=${DEBIAN_MIRROR:-$(d25_mirror)}

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

d25_setup() {
	local version h

	[ "$(id -u)" = 0 ] || die "needs root: debootstrap, chroot and mounts"
	[ -n "${DPDK_SDK_DIR:-}" ] || die "set DPDK_SDK_DIR to a directory holding the DPDK 25.11 \
driver-SDK headers ($SDK_HEADERS): Debian's libdpdk-dev does not install them"
	for h in $SDK_HEADERS; do
		[ -f "$DPDK_SDK_DIR/$h" ] || die "DPDK_SDK_DIR=$DPDK_SDK_DIR has no $h"
	done
	# A run killed earlier may have left mounts: never remove or reuse a tree with mounts in it.
	d25_umount_all
	trap d25_umount_all EXIT

	mkdir -p "$LOGS"
	if [ "$(cat "$CHROOT/.interdomain-pkgs" 2>/dev/null)" != "$PKGS" ]; then
		d25_make_chroot
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
	# shellcheck disable=SC2086
	(cd "$ROOT" && cp -a --parents $D25_SOURCES "$CHROOT$SRC/") ||
		die "cannot copy the sources into the chroot"
	for h in $SDK_HEADERS; do
		cp "$DPDK_SDK_DIR/$h" "$CHROOT$SDK/"
	done

	"$ROOT/devtools/hugepages.sh" "${D25_HUGEPAGES:-512}" >/dev/null || die "hugepages needed"
	mount -t proc proc "$CHROOT/proc" &&
		mount --bind /sys "$CHROOT/sys" &&
		mkdir -p "$CHROOT/dev/hugepages" &&
		mount --bind /dev/hugepages "$CHROOT/dev/hugepages" || die "cannot mount into $CHROOT"
}
