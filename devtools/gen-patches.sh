#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Usage: gen-patches.sh [series dir]   (default patches; patches/main needs DPDK_MAIN)
#
# Generate the full patch series, including our new files, in
# <out>/patches/ (build/patches/ for patches/, build/main/patches/ for
# patches/main/) and verify it with `git am` on a clean tree of the base.
#
# <out>/series-tree is a git tree of the base (see series_base_tree in
# series.sh); each series entry is applied with `git am`, its new paths are
# copied in and folded into that commit, then all commits are exported with
# format-patch. The output is applied with `git am` on another clean tree of
# the base, <out>/verify-tree, which must then equal:
#  - for the 22.11 series, the prepared tree (subprojects/dpdk) byte for byte;
#  - for the main series, the series tree (same git tree object). The verify
#    tree is kept for patches-main.sh, which builds and tests it.

set -euo pipefail
. "$(dirname "$0")/series.sh"

series_init "${1:-patches}"
SERIES_TREE=$SERIES_OUT/series-tree
VERIFY_TREE=$SERIES_OUT/verify-tree
OUT=$SERIES_OUT/patches
PREPARED=$ROOT/subprojects/dpdk

series_validate
[ "$SERIES_MAIN" = 1 ] || "$ROOT/devtools/prepare.sh"

make_series_tree "$SERIES_TREE"

rm -rf "$OUT"
mkdir -p "$OUT"
n=$(cd "$SERIES_TREE" && git rev-list --count "$BASE_REF..HEAD")
if [ "$n" -gt 0 ]; then
	(cd "$SERIES_TREE" && git format-patch -q --no-signature -o "$OUT" "$BASE_REF..HEAD") ||
		die "git format-patch failed"
fi
note "$n patch(es) of $SERIES_REL written to $OUT"

# Series rules: a patch file changes at least one existing DPDK file and
# creates none (new files are listed on its series line instead).
while read -r patch paths; do
	created=$(git apply --summary "$SERIES_DIR/$patch" | grep -c '^ create mode' || true)
	[ "$created" -eq 0 ] ||
		die "$SERIES_REL/$patch creates files; list new files on its series line instead"
	changed=$(git apply --numstat "$SERIES_DIR/$patch" | wc -l)
	[ "$changed" -gt 0 ] || die "$SERIES_REL/$patch changes no existing DPDK file"
done < <(series_lines)

# Verify by applying the output on another clean tree of the base.
export_git_identity
series_base_tree_reuse "$VERIFY_TREE"
if [ "$n" -gt 0 ]; then
	(cd "$VERIFY_TREE" && git am -q "$OUT"/*.patch) ||
		die "git am of $OUT/*.patch on a clean tree of $BASE_DESC failed"
fi

if [ "$SERIES_MAIN" = 1 ]; then
	want=$(git -C "$SERIES_TREE" rev-parse "HEAD^{tree}")
	got=$(git -C "$VERIFY_TREE" rev-parse "HEAD^{tree}")
	[ "$want" = "$got" ] ||
		die "git am of $OUT/*.patch does not give the series tree $SERIES_TREE (tree $got, expected $want)"
	[ -z "$(git -C "$VERIFY_TREE" status --porcelain)" ] ||
		die "$VERIFY_TREE has changes git am did not commit"
	note "verified: git am $OUT/*.patch on $BASE_DESC == series tree (in $VERIFY_TREE)"
	exit 0
fi

if ! diff -r -q -x .git -x __pycache__ -x '*.pyc' "$VERIFY_TREE" "$PREPARED"; then
	die "$OUT does not reproduce the prepared tree $PREPARED (differences above)"
fi
rm -rf "$VERIFY_TREE"
note "verified: git am $OUT/*.patch on $DPDK_TAG == prepared tree"
