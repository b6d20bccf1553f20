#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run DPDK's own patch checks on our series:
#  - devtools/checkpatches.sh on build/patches/*.patch (make patches first),
#    with the kernel's checkpatch.pl taken from the Debian linux-source-6.1
#    tarball (extracted once into build/checkpatch/, see checkpatch_setup in
#    series.sh);
#  - devtools/check-git-log.sh and devtools/check-symbol-change.sh in
#    build/series-tree over the series' commits.
# check-git-log.sh wants every author in DPDK's .mailmap: the first patch of
# the series adds ours.

set -euo pipefail
. "$(dirname "$0")/series.sh"

SERIES_TREE=$BUILD/series-tree
PATCHES=$BUILD/patches

[ -d "$SERIES_TREE/.git" ] && [ -d "$PATCHES" ] || die "run devtools/gen-patches.sh (make patches) first"
checkpatch_setup

cd "$SERIES_TREE"
patches=("$PATCHES"/*.patch)
if [ ! -e "${patches[0]}" ]; then
	note "series is empty, nothing to check"
	exit 0
fi

fail=0
note "checkpatches.sh on ${#patches[@]} patch(es)"
./devtools/checkpatches.sh "${patches[@]}" || fail=1
echo
note "check-git-log.sh $DPDK_TAG..HEAD"
./devtools/check-git-log.sh -r "$DPDK_TAG..HEAD" || fail=1
echo
note "check-symbol-change.sh on $DPDK_TAG..HEAD"
diff=$(mktemp)
git diff "$DPDK_TAG..HEAD" > "$diff"
./devtools/check-symbol-change.sh "$diff" || fail=1
rm -f "$diff"

[ $fail -eq 0 ] || die "series checks failed (see above)"
note "all series checks passed"
