#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Write the commits of build/tree (see make-tree.sh) back to this repository:
#  - patches/<name>.patch of each series entry is regenerated from the
#    matching commit with `git format-patch`, excluding the new paths of the
#    series (changes to existing DPDK files only);
#  - the new paths of each entry are copied back from build/tree (HEAD).
# Commits map to series entries in order, so the number of commits over
# v22.11.11 must equal the number of entries: to add a patch, add its line to
# patches/series first. Old copies of the new paths are saved under
# build/refresh-backup/.

set -euo pipefail
. "$(dirname "$0")/series.sh"

TREE=$BUILD/tree
[ -d "$TREE/.git" ] || die "$TREE missing, run devtools/make-tree.sh"
cd "$TREE"
[ -z "$(git status --porcelain)" ] || die "$TREE has uncommitted changes, commit them first"

mapfile -t entries < <(series_lines)
mapfile -t commits < <(git rev-list --reverse "$DPDK_TAG..HEAD")
[ ${#commits[@]} -eq ${#entries[@]} ] ||
	die "$TREE has ${#commits[@]} commits over $DPDK_TAG, the series ${#entries[@]} entries"

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
	out=$ROOT/patches/$patch
	git format-patch -1 --stdout --no-signature --zero-commit "$c" -- "${excludes[@]}" > "$out.tmp"
	grep -q '^diff --git ' "$out.tmp" ||
		{ rm -f "$out.tmp"; die "commit $(git log -1 --format='%h %s' "$c") changes no existing DPDK file"; }
	if cmp -s "$out.tmp" "$out"; then
		rm -f "$out.tmp"
	else
		mv "$out.tmp" "$out"
		note "updated patches/$patch"
	fi
done

backup=$BUILD/refresh-backup/$(date +%Y%m%d-%H%M%S)
while read -r p; do
	[ -n "$(git ls-tree HEAD -- "$p")" ] || die "new path $p is not in $TREE HEAD"
	tmp=$(mktemp -d "$BUILD/refresh.XXXXXX")
	git archive HEAD "$p" | tar -x -C "$tmp"
	if [ -e "$ROOT/$p" ] && diff -r -q "$tmp/$p" "$ROOT/$p" >/dev/null 2>&1; then
		rm -rf "$tmp"
		continue
	fi
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
