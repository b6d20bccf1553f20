#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build DPDK with our patches, our driver and our tests with sanitizers in a
# build directory of their own (build/sanitize-<list>, the normal build/ stays)
# and run the 'interdomain' test suite there. Closes with one summary line,
# "sanitize: N passed, N failed".
# Usage: test-sanitize.sh [address,undefined | address | undefined]
#
# meson's b_sanitize applies to the superproject and to the dpdk subproject
# alike; UBSan findings stop the program (-fno-sanitize-recover=undefined).
# Every test of the suite runs; what some of them need under ASan:
#  - ASAN_OPTIONS=use_sigaltstack=0: DPDK's stock dma_skeleton (dmadev_autotest
#    and dmadev_autotest_skeleton_ag use it) ends its copy thread with
#    pthread_cancel(); the cancelled frames leave their stack redzones
#    poisoned, and ASan's own exit of that thread then reports a
#    stack-buffer-overflow in sigaltstack() (UnsetAlternateSignalStack). With
#    no alternate signal stack ASan makes no such call.
#  - tests/sanitize/lsan.supp: DPDK 22.11 secondaries never free the devargs
#    their vdev bus makes for the primary's devices (vdev_action), a leak
#    LeakSanitizer reports at every secondary's exit.
#  - the multi-process test (dmadev_access_group_autotest) gets
#    --base-virtaddr in ASan builds (tests/meson.build), see there.

set -euo pipefail
. "$(dirname "$0")/series.sh"

SAN=${1:-address,undefined}
case "$SAN" in
address | undefined | address,undefined) ;;
*) die "SANITIZE must be address, undefined or address,undefined, not '$SAN'" ;;
esac

SANBUILD=$BUILD/sanitize-${SAN/,/-}
opts="-Db_sanitize=$SAN"
case "$SAN" in
*undefined*)
	opts+=" -Dc_args=-fno-sanitize-recover=undefined"
	opts+=" -Dc_link_args=-fno-sanitize-recover=undefined"
	;;
esac

note "sanitizers $SAN, build directory $SANBUILD"
BUILD_DIR=$SANBUILD MESON_OPTS="$opts" "$ROOT/devtools/configure.sh"
# A directory set up by hand with other sanitizers would test the wrong thing.
got=$(sed -n 's/^b_sanitize = //p' "$SANBUILD/meson-private/cmd_line.txt")
[ "$got" = "$SAN" ] || die "$SANBUILD is set up with b_sanitize=$got, not $SAN: remove it"
ninja -C "$SANBUILD" -j "${NINJA_JOBS:-2}"

export ASAN_OPTIONS=use_sigaltstack=0:detect_leaks=1
export LSAN_OPTIONS=suppressions=$ROOT/tests/sanitize/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
note "ASAN_OPTIONS=$ASAN_OPTIONS"
note "LSAN_OPTIONS=$LSAN_OPTIONS"
note "UBSAN_OPTIONS=$UBSAN_OPTIONS"
"$ROOT/devtools/run-tests.sh" "$SANBUILD" sanitize
