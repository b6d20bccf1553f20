#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Usage: make-tree.sh [series dir]   (default patches; patches/main needs DPDK_MAIN)
#
# Give the developer a git work tree of the series' base with one commit per
# series entry, holding real files (the new files of each entry are folded
# into its commit): build/tree for patches/ (DPDK 22.11.11, tag v22.11.11),
# build/tree-main for patches/main/ (a clone of DPDK_MAIN at the commit of
# patches/main/BASE). Work there with git (commit --fixup + rebase -i
# --autosquash <base>, ...), then write the result back to this repository
# with devtools/refresh-patches.sh [series dir].
#
# An existing tree with uncommitted changes or commits not in the series is
# kept unless FORCE=1.

set -euo pipefail
. "$(dirname "$0")/series.sh"

series_init "${1:-patches}"
TREE=$DEV_TREE

series_validate
if [ -d "$TREE/.git" ] && [ "${FORCE:-0}" != 1 ]; then
	if [ -n "$(git -C "$TREE" status --porcelain)" ]; then
		die "$TREE has uncommitted changes; commit them and run refresh-patches.sh, or FORCE=1"
	fi
	stale=$(git -C "$TREE" rev-list --count "$BASE_REF..HEAD")
	expect=$(series_lines | wc -l)
	if [ "$stale" != "$expect" ]; then
		die "$TREE has $stale commits over $BASE_REF but the series has $expect entries; run refresh-patches.sh $SERIES_REL first, or FORCE=1"
	fi
fi

make_series_tree "$TREE"
(cd "$TREE" && git log --oneline "$BASE_REF..HEAD")
note "$TREE ready on $BASE_DESC: commit your changes there, then run devtools/refresh-patches.sh $SERIES_REL"
