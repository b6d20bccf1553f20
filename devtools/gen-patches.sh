#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Generate the full patch series, including our new files, in build/patches/
# so that `git am build/patches/*.patch` on a clean v22.11.11 tree gives the
# prepared tree (subprojects/dpdk) byte for byte.
#
# build/series-tree is a git tree of pristine DPDK (commit/tag v22.11.11); each
# series entry is applied with `git am`, its new paths are copied in and
# folded into that commit, then all commits are exported with format-patch.
# The result is verified by `git am` into another clean tree and `diff -r`
# against the prepared tree.

set -euo pipefail
. "$(dirname "$0")/series.sh"

SERIES_TREE=$BUILD/series-tree
VERIFY_TREE=$BUILD/verify-tree
OUT=$BUILD/patches
PREPARED=$ROOT/subprojects/dpdk

series_validate
"$ROOT/devtools/prepare.sh"

make_series_tree "$SERIES_TREE"

rm -rf "$OUT"
mkdir -p "$OUT"
n=$(cd "$SERIES_TREE" && git rev-list --count "$DPDK_TAG..HEAD")
if [ "$n" -gt 0 ]; then
	(cd "$SERIES_TREE" && git format-patch -q --no-signature -o "$OUT" "$DPDK_TAG..HEAD") ||
		die "git format-patch failed"
fi
note "$n patch(es) written to $OUT"

# Series rules: a patch file changes at least one existing DPDK file and
# creates none (new files are listed on its series line instead).
while read -r patch paths; do
	created=$(git apply --summary "$ROOT/patches/$patch" | grep -c '^ create mode' || true)
	[ "$created" -eq 0 ] ||
		die "patches/$patch creates files; list new files on its series line instead"
	changed=$(git apply --numstat "$ROOT/patches/$patch" | wc -l)
	[ "$changed" -gt 0 ] || die "patches/$patch changes no existing DPDK file"
done < <(series_lines)

# Verify by applying the output on another clean tree.
rm -rf "$VERIFY_TREE"
extract_pristine "$VERIFY_TREE"
(
	cd "$VERIFY_TREE"
	git init -q -b main .
	git add -A -f .
	git -c user.name=verify -c user.email=verify@localhost commit -q -m "$DPDK_TAG"
	if [ "$n" -gt 0 ]; then
		git -c user.name=verify -c user.email=verify@localhost am -q "$OUT"/*.patch
	fi
) || die "git am of $OUT/*.patch on a clean $DPDK_TAG tree failed"

if ! diff -r -q -x .git -x __pycache__ -x '*.pyc' "$VERIFY_TREE" "$PREPARED"; then
	die "$OUT does not reproduce the prepared tree $PREPARED (differences above)"
fi
rm -rf "$VERIFY_TREE"
note "verified: git am $OUT/*.patch on $DPDK_TAG == prepared tree"
