#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Usage: refresh-patches.sh [series dir]   (default patches)
#
# Write the commits of the developer tree (see make-tree.sh: build/tree for
# patches/, build/tree-main for patches/main/) back to this repository:
#  - <series dir>/<name>.patch of each series entry is regenerated from the
#    matching commit with `git format-patch`, excluding the new paths of the
#    series (changes to existing DPDK files only);
#  - the new paths of each entry are copied back from the tree (HEAD).
# Commits map to series entries in order, so the number of commits over the
# base must equal the number of entries: to add a patch, add its line to the
# series file first. Old copies of the new paths are saved under
# build/refresh-backup/.
#
# In the main series' tree, drivers/dma/skeleton_ag/skeleton_ag_compat.h
# lacks its pre-23.11 branch and our guides their blocks marked not for DPDK
# main (see main_transform in series.sh): such files are never copied back; a
# change to them there is refused, make it in this repository.

set -euo pipefail
. "$(dirname "$0")/series.sh"

series_init "${1:-patches}"
TREE=$DEV_TREE
[ -d "$TREE/.git" ] || die "$TREE missing, run devtools/make-tree.sh $SERIES_REL"
cd "$TREE"
[ -z "$(git status --porcelain)" ] || die "$TREE has uncommitted changes, commit them first"

mapfile -t entries < <(series_lines)
mapfile -t commits < <(git rev-list --reverse "$BASE_REF..HEAD")
[ ${#commits[@]} -eq ${#entries[@]} ] ||
	die "$TREE has ${#commits[@]} commits over $BASE_REF, the series ${#entries[@]} entries"

# pathspec: everything except the series' new paths
excludes=(.)
while read -r p; do
	excludes+=(":(exclude)$p")
done < <(series_new_paths)

for i in "${!entries[@]}"; do
	read -r patch paths <<< "${entries[$i]}"
	c=${commits[$i]}
	# a new path must be in its final form in its own commit
	for p in $paths; do
		p=${p%/}
		later=$(git rev-list "$c..HEAD" -- "$p")
		[ -z "$later" ] ||
			die "$p (of $patch) changed by later commit(s) $(echo $later); squash them into $(git log -1 --format='%h %s' "$c")"
	done
	out=$SERIES_DIR/$patch
	git format-patch -1 --stdout --no-signature --zero-commit "$c" -- "${excludes[@]}" > "$out.tmp"
	grep -q '^diff --git ' "$out.tmp" ||
		{ rm -f "$out.tmp"; die "commit $(git log -1 --format='%h %s' "$c") changes no existing DPDK file"; }
	if cmp -s "$out.tmp" "$out"; then
		rm -f "$out.tmp"
	else
		mv "$out.tmp" "$out"
		note "updated $SERIES_REL/$patch"
	fi
done

backup=$BUILD/refresh-backup/$(date +%Y%m%d-%H%M%S)
while read -r p; do
	[ -n "$(git ls-tree HEAD -- "$p")" ] || die "new path $p is not in $TREE HEAD"
	tmp=$(mktemp -d "$BUILD/refresh.XXXXXX")
	git archive HEAD "$p" | tar -x -C "$tmp"
	# what make-tree.sh put there from this repository
	mine=$(mktemp -d "$BUILD/refresh.XXXXXX")
	[ ! -e "$ROOT/$p" ] || series_copy_new_path "$mine" "$p"
	if diff -r -q "$tmp/$p" "$mine/$p" >/dev/null 2>&1; then
		rm -rf "$tmp" "$mine"
		continue
	fi
	if [ "$SERIES_MAIN" = 1 ]; then
		while read -r f; do
			cmp -s "$tmp/$f" "$mine/$f" ||
				die "$f changed in $TREE, where it is transformed for DPDK main (see main_transform in series.sh): make the change in $ROOT/$f instead, then run make-tree.sh $SERIES_REL again"
			cp -a "$ROOT/$f" "$tmp/$f"
		done < <(main_transformed_files "$ROOT" "$p")
	fi
	rm -rf "$mine"
	if [ -e "$ROOT/$p" ]; then
		mkdir -p "$backup/$(dirname "$p")"
		mv "$ROOT/$p" "$backup/$p"
	fi
	mkdir -p "$ROOT/$(dirname "$p")"
	mv "$tmp/$p" "$ROOT/$p"
	rm -rf "$tmp"
	note "updated $p"
done < <(series_new_paths)
note "done; review with: git -C $ROOT status / diff"
