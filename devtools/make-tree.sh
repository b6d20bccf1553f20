#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Give the developer build/tree: a git work tree of DPDK 22.11.11 (tag
# v22.11.11) with one commit per series entry, holding real files (the new
# files of each entry are folded into its commit). Work there with git
# (commit --fixup + rebase -i --autosquash, ...), then write the result back
# to this repository with devtools/refresh-patches.sh.
#
# An existing build/tree with uncommitted changes or commits not in the
# series is kept unless FORCE=1.

set -euo pipefail
. "$(dirname "$0")/series.sh"

TREE=$BUILD/tree

series_validate
if [ -d "$TREE/.git" ] && [ "${FORCE:-0}" != 1 ]; then
	if [ -n "$(git -C "$TREE" status --porcelain)" ]; then
		die "$TREE has uncommitted changes; commit them and run refresh-patches.sh, or FORCE=1"
	fi
	stale=$(git -C "$TREE" rev-list --count "$DPDK_TAG..HEAD")
	expect=$(series_lines | wc -l)
	if [ "$stale" != "$expect" ]; then
		die "$TREE has $stale commits over $DPDK_TAG but the series has $expect entries; run refresh-patches.sh first, or FORCE=1"
	fi
fi

make_series_tree "$TREE"
(cd "$TREE" && git log --oneline "$DPDK_TAG..HEAD")
note "$TREE ready: commit your changes there, then run devtools/refresh-patches.sh"
