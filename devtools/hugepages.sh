#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Make sure enough free 2 MiB hugepages are reserved and hugetlbfs is mounted
# at /dev/hugepages, as the tests run DPDK with hugepages (multi-process).
# Usage: hugepages.sh [free pages wanted, default 512]

set -euo pipefail

. "$(dirname "$0")/common.sh"

WANT=${1:-512}
SYS=/sys/kernel/mm/hugepages/hugepages-2048kB

[ -d "$SYS" ] || die "2 MiB hugepages not supported by this kernel"
free=$(cat "$SYS/free_hugepages")
if [ "$free" -lt "$WANT" ]; then
	[ "$(id -u)" = 0 ] || die "only $free free 2 MiB hugepages, need $WANT: run as root"
	total=$(cat "$SYS/nr_hugepages")
	echo $((total + WANT - free)) > "$SYS/nr_hugepages"
	free=$(cat "$SYS/free_hugepages")
	[ "$free" -ge "$WANT" ] ||
		die "could reserve only $free free 2 MiB hugepages, need $WANT (memory fragmented?)"
fi

if ! grep -qs '^[^ ]* /dev/hugepages hugetlbfs ' /proc/mounts; then
	[ "$(id -u)" = 0 ] || die "/dev/hugepages is not a hugetlbfs mount: run as root"
	mkdir -p /dev/hugepages
	mount -t hugetlbfs nodev /dev/hugepages || die "cannot mount hugetlbfs on /dev/hugepages"
fi
echo "hugepages: $free free 2 MiB pages, hugetlbfs on /dev/hugepages"
