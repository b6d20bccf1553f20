# SPDX-License-Identifier: BSD-3-Clause
#
# Helpers shared by the devtools scripts; source this file, do not run it.
#
# patches/series holds one line per patch, in order:
#     NNNN-name.patch [new path ...]
# Lines starting with # and blank lines are ignored. The new paths are files
# or directories of this repository (same path as in the DPDK tree) that the
# patch introduces.

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SERIES=$ROOT/patches/series

# Print the series entries, one per line, whitespace normalised; validate them.
series_lines() {
	[ -f "$SERIES" ] || die "$SERIES not found"
	awk '
		/^[[:space:]]*#/ || NF == 0 { next }
		{ line = $1; for (i = 2; i <= NF; i++) line = line " " $i; print line }
	' "$SERIES"
}

# Validate the series: patch files exist, new paths exist, no path twice.
series_validate() {
	local patch paths p q seen=()
	while read -r patch paths; do
		case "$patch" in
		*/* | *..*) die "series: bad patch name '$patch'" ;;
		*.patch) ;;
		*) die "series: '$patch' does not end in .patch" ;;
		esac
		[ -f "$ROOT/patches/$patch" ] || die "series: patches/$patch not found"
		for p in $paths; do
			case "$p" in
			/* | *..* | ./*) die "series: $patch: new path '$p' must be relative to the DPDK root" ;;
			esac
			[ -e "$ROOT/$p" ] || die "series: $patch: new path '$p' not found in $ROOT"
			for q in "${seen[@]}"; do
				case "$p/" in "$q/"*) die "series: new path '$p' is already covered by '$q'" ;; esac
				case "$q/" in "$p/"*) die "series: new path '$q' is already covered by '$p'" ;; esac
			done
			seen+=("${p%/}")
		done
	done < <(series_lines)
}

# All new paths of the series, one per line.
series_new_paths() {
	local patch paths p
	while read -r patch paths; do
		for p in $paths; do
			echo "${p%/}"
		done
	done < <(series_lines)
}

# Git identity of this repository, exported for commits in generated trees.
export_git_identity() {
	local name email
	name=$(git -C "$ROOT" config user.name || true)
	email=$(git -C "$ROOT" config user.email || true)
	[ -n "$name" ] && [ -n "$email" ] ||
		die "set git user.name and user.email (git -C $ROOT config user.name ...)"
	export GIT_AUTHOR_NAME="$name" GIT_AUTHOR_EMAIL="$email"
	export GIT_COMMITTER_NAME="$name" GIT_COMMITTER_EMAIL="$email"
}

# Extract the pristine tarball into $1 (must not exist).
extract_pristine() {
	[ -f "$TARBALL" ] || die "$TARBALL missing, run devtools/fetch-dpdk.sh"
	mkdir -p "$1"
	tar -xJf "$TARBALL" -C "$1" --strip-components=1 ||
		die "cannot extract $TARBALL"
}

# Create a git work tree of patched DPDK in $1 (removed first): base commit
# tagged $DPDK_TAG, then one commit per series entry made by `git am` of the
# patch amended with the entry's new files (real copies). Commit dates are
# taken from the patches so the result is reproducible.
make_series_tree() {
	local dir=$1 patch paths p date
	rm -rf "$dir"
	extract_pristine "$dir"
	export_git_identity
	(
		cd "$dir"
		git init -q -b main .
		git config core.autocrlf false
		git config user.name "$GIT_COMMITTER_NAME"
		git config user.email "$GIT_COMMITTER_EMAIL"
		git add -A -f .
		GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
			git commit -q -m "$DPDK_TAG"
		git tag "$DPDK_TAG"
	) || die "cannot create git tree $dir"
	unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL
	while read -r patch paths; do
		(cd "$dir" && git am -q --committer-date-is-author-date "$ROOT/patches/$patch") || {
			(cd "$dir" && git am --abort) >/dev/null 2>&1 || true
			die "patch $patch does not apply with git am on $DPDK_TAG + previous patches"
		}
		[ -n "$paths" ] || continue
		for p in $paths; do
			p=${p%/}
			[ ! -e "$dir/$p" ] || die "$patch: new path $p already exists in the DPDK tree"
			mkdir -p "$dir/$(dirname "$p")"
			cp -a "$ROOT/$p" "$dir/$p"
			(cd "$dir" && git add -f -- "$p")
		done
		date=$(cd "$dir" && git log -1 --format=%aI)
		(cd "$dir" && GIT_COMMITTER_DATE="$date" git commit -q --amend --no-edit) ||
			die "cannot amend $patch with its new files"
	done < <(series_lines)
}

# Kernel checkpatch.pl (Debian's linux-source-6.1) and the environment DPDK's
# check scripts need: exports DPDK_CHECKPATCH_PATH, DPDK_CHECKPATCH_CODESPELL
# and a PATH where awk is gawk.
checkpatch_setup() {
	local cp=$BUILD/checkpatch ksrc=/usr/src/linux-source-6.1.tar.xz
	local dict=/usr/lib/python3/dist-packages/codespell_lib/data/dictionary.txt
	command -v gawk >/dev/null || die "gawk is required by DPDK's check scripts (mawk fails); apt-get install gawk"
	if [ ! -x "$cp/checkpatch.pl" ]; then
		[ -f "$ksrc" ] || die "$ksrc missing: apt-get install linux-source-6.1"
		note "extracting checkpatch.pl from $ksrc"
		rm -rf "$cp" "$cp.tmp"
		mkdir -p "$cp.tmp"
		tar -xJf "$ksrc" -C "$cp.tmp" --strip-components=2 \
			linux-source-6.1/scripts/checkpatch.pl \
			linux-source-6.1/scripts/spelling.txt \
			linux-source-6.1/scripts/const_structs.checkpatch ||
			die "cannot extract checkpatch.pl from $ksrc"
		chmod +x "$cp.tmp/checkpatch.pl"
		mv "$cp.tmp" "$cp"
	fi
	# DPDK scripts call plain awk: make it gawk for them.
	mkdir -p "$BUILD/bin"
	ln -sf "$(command -v gawk)" "$BUILD/bin/awk"
	export PATH=$BUILD/bin:$PATH
	export DPDK_CHECKPATCH_PATH=$cp/checkpatch.pl
	if [ -z "${DPDK_CHECKPATCH_CODESPELL:-}" ]; then
		if [ -f "$dict" ]; then
			export DPDK_CHECKPATCH_CODESPELL=$dict
		else
			export DPDK_CHECKPATCH_CODESPELL=disable
		fi
	fi
}
