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

die() { echo "$(basename "$0"): ERROR: $*" >&2; exit 1; }
note() { echo "$(basename "$0"): $*"; }
