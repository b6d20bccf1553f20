#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Prepare the DPDK source tree used by meson as subproject: subprojects/dpdk.
# Extracts the pristine tarball, applies patches/ in series order and links
# (absolute symlinks) the new paths of each series entry from this repository
# into the tree, so editing them is seen by an incremental ninja build.
#
# A stamp records what the tree was made from; a rerun with the same inputs
# does nothing, any change to them re-prepares the tree from scratch.

set -euo pipefail
. "$(dirname "$0")/series.sh"

TREE=$ROOT/subprojects/dpdk
STAMP=$ROOT/subprojects/dpdk.stamp

series_validate

compute_stamp() {
	{
		echo "tarball $TARBALL_SHA256"
		sha256sum "$ROOT/devtools/prepare.sh" "$ROOT/devtools/series.sh" \
			"$ROOT/devtools/common.sh"
		series_lines | while read -r patch paths; do
			echo "patch $patch $(sha256sum "$ROOT/patches/$patch" | cut -d' ' -f1)"
			for p in $paths; do
				echo "new ${p%/}"
			done
		done
	} | sha256sum | cut -d' ' -f1
}

stamp=$(compute_stamp)
if [ -d "$TREE" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$stamp" ]; then
	exit 0
fi

note "preparing $TREE"
rm -f "$STAMP"
rm -rf "$TREE.tmp"
extract_pristine "$TREE.tmp"

n=0
while read -r patch paths; do
	# Keep git from discovering this repository above the tree: it would
	# silently skip paths outside the current directory.
	(cd "$TREE.tmp" && GIT_CEILING_DIRECTORIES="$ROOT/subprojects" \
		git apply --whitespace=nowarn "$ROOT/patches/$patch") ||
		die "patch $patch does not apply on $DPDK_TAG + previous patches"
	for p in $paths; do
		p=${p%/}
		[ ! -e "$TREE.tmp/$p" ] && [ ! -L "$TREE.tmp/$p" ] ||
			die "$patch: new path $p already exists in the DPDK tree"
		mkdir -p "$TREE.tmp/$(dirname "$p")"
		ln -s "$ROOT/$p" "$TREE.tmp/$p"
	done
	n=$((n + 1))
done < <(series_lines)

# tar restores the upstream mtimes, so a file whose content changed since
# the previous tree (e.g. a patch dropped or modified) could look older than
# its object in build/: give every differing or new file a fresh mtime so that
# the incremental build recompiles exactly what changed. Links (our new paths)
# that are new or point elsewhere get their files touched.
if [ -d "$TREE" ]; then
	(cd "$TREE.tmp" && find . \( -type f -o -type l \) -print0) |
	while IFS= read -r -d '' f; do
		if [ -L "$TREE.tmp/$f" ]; then
			if [ "$(readlink "$TREE.tmp/$f")" != "$(readlink "$TREE/$f" || true)" ]; then
				find -L "$TREE.tmp/$f" -type f -exec touch -c {} +
			fi
		elif ! cmp -s "$TREE/$f" "$TREE.tmp/$f"; then
			touch -c "$TREE.tmp/$f"
		fi
	done
fi
rm -rf "$TREE"
mv "$TREE.tmp" "$TREE"
echo "$stamp" > "$STAMP"
note "applied $n patch(es) on DPDK $DPDK_VERSION"
