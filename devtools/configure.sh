#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Configure the meson build directory (build/) for the prepared tree.
# Sets it up once, and reconfigures it when the DPDK tree was re-prepared
# since the last configuration, so that no stale path survives.

set -euo pipefail
. "$(dirname "$0")/series.sh"

STAMP=$ROOT/subprojects/dpdk.stamp
[ -f "$STAMP" ] || die "DPDK tree not prepared, run devtools/prepare.sh"

cd "$ROOT"
if [ ! -f "$BUILD/build.ninja" ] || [ ! -f "$BUILD/meson-private/coredata.dat" ]; then
	rm -rf "$BUILD/meson-private" "$BUILD/meson-info" "$BUILD/meson-logs" \
		"$BUILD/build.ninja" "$BUILD/subprojects"
	meson setup "$BUILD" ${MESON_OPTS:-}
elif [ "$STAMP" -nt "$BUILD/build.ninja" ]; then
	meson setup --reconfigure "$BUILD" ${MESON_OPTS:-}
fi
