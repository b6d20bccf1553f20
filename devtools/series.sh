# SPDX-License-Identifier: BSD-3-Clause
#
# Helpers shared by the devtools scripts; source this file, do not run it.
#
# A series is a directory holding a file 'series' and its patches. Two
# series are made from the same new files:
#   patches/       against DPDK $DPDK_VERSION (the release tarball, tag $DPDK_TAG)
#   patches/main/  against DPDK main: the commit recorded in patches/main/BASE,
#                  taken from the git tree given as DPDK_MAIN=<DPDK main git tree>
# A series directory with a BASE file is based on that commit of DPDK main;
# without one, on the release. series_init selects a series (patches/ when
# this file is sourced); the scripts taking a series directory as argument
# call it again.
#
# 'series' holds one line per patch, in order:
#     NNNN-name.patch [new path ...]
# Lines starting with # and blank lines are ignored. The new paths are files
# or directories of this repository (same path as in the DPDK tree) that the
# patch introduces.

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Our transformations of new files, applied to the main series only (see
# main_transform): DPDK main needs no pre-23.11 branch in the driver's compat
# header (compat_strip_pre_23_11), and our guides hold text about this
# repository and the other DPDK releases that DPDK main has no use for
# (rst_strip_not_for_main).
MAIN_COMPAT_HEADER=drivers/dma/skeleton_ag/skeleton_ag_compat.h
RST_MAIN_BEGIN='.. Not for DPDK main: begin'
RST_MAIN_END='.. Not for DPDK main: end'

# series_init <series dir>: select the series of that directory (relative to
# this repository or absolute) and set:
#   SERIES_DIR SERIES   the directory and its 'series' file
#   SERIES_REL          the directory relative to this repository
#   SERIES_MAIN         1 for a series against DPDK main, else 0
#   BASE_REF            the base in generated trees: tag $DPDK_TAG or the commit id
#   BASE_DESC           the base, in words
#   SERIES_OUT          where generated trees and patches go (build/ or build/<name>/)
#   DEV_TREE            the developer tree of make-tree.sh (build/tree or build/tree-<name>)
series_init() {
	local dir=${1:-patches} name base
	dir=${dir%/}
	case "$dir" in
	/*) ;;
	*) dir=$ROOT/$dir ;;
	esac
	[ -f "$dir/series" ] || die "$dir/series not found"
	SERIES_DIR=$(cd "$dir" && pwd)
	SERIES=$SERIES_DIR/series
	SERIES_REL=${SERIES_DIR#"$ROOT"/}
	if [ -f "$SERIES_DIR/BASE" ]; then
		base=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$SERIES_DIR/BASE" | grep -v '^$' || true)
		[[ "$base" =~ ^[0-9a-f]{40}$ ]] ||
			die "$SERIES_REL/BASE must hold one full commit id of DPDK main (40 hex digits)"
		name=$(basename "$SERIES_DIR")
		SERIES_MAIN=1
		BASE_REF=$base
		BASE_DESC="DPDK main $base"
		SERIES_OUT=$BUILD/$name
		DEV_TREE=$BUILD/tree-$name
	else
		SERIES_MAIN=0
		BASE_REF=$DPDK_TAG
		BASE_DESC="DPDK $DPDK_VERSION ($DPDK_TAG)"
		SERIES_OUT=$BUILD
		DEV_TREE=$BUILD/tree
	fi
}

# Print the series entries, one per line, whitespace normalised.
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
		[ -f "$SERIES_DIR/$patch" ] || die "series: $SERIES_REL/$patch not found"
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

# The DPDK main git tree holding the base commit of a main series.
main_git_tree() {
	[ -n "${DPDK_MAIN:-}" ] ||
		die "$SERIES_REL is made against DPDK main commit $BASE_REF: give a git tree of DPDK main holding it, DPDK_MAIN=/path/to/dpdk"
	git -C "$DPDK_MAIN" rev-parse --git-dir >/dev/null 2>&1 ||
		die "DPDK_MAIN=$DPDK_MAIN is not a git tree"
	git -C "$DPDK_MAIN" cat-file -e "$BASE_REF^{commit}" 2>/dev/null ||
		die "DPDK_MAIN=$DPDK_MAIN lacks commit $BASE_REF (the base recorded in $SERIES_REL/BASE): fetch DPDK main into it (git -C $DPDK_MAIN fetch https://dpdk.org/git/dpdk main)"
	git -C "$DPDK_MAIN" cat-file -e "$BASE_REF:VERSION" 2>/dev/null ||
		die "commit $BASE_REF of DPDK_MAIN=$DPDK_MAIN is not a DPDK tree (no VERSION file)"
	echo "$DPDK_MAIN"
}

# Create in $1 (removed first) a git tree at the base of the series, on a
# branch of its own: the release tarball committed and tagged $DPDK_TAG (by
# the identity of export_git_identity), or a clone of DPDK_MAIN at the base
# commit (with DPDK's history and tags, which check-git-log.sh needs for
# Fixes: tags).
series_base_tree() {
	local dir=$1 src
	if [ "$SERIES_MAIN" = 1 ]; then
		# before removing anything: DPDK_MAIN must be there
		src=$(main_git_tree)
		rm -rf "$dir"
		git clone -q --no-checkout "$src" "$dir" ||
			die "cannot clone $src into $dir"
		(cd "$dir" && git checkout -q -b series "$BASE_REF") ||
			die "cannot check out $BASE_REF in $dir"
		(cd "$dir" && git config core.autocrlf false)
		return
	fi
	[ -f "$TARBALL" ] || die "$TARBALL missing, run devtools/fetch-dpdk.sh"
	rm -rf "$dir"
	extract_pristine "$dir"
	(
		cd "$dir"
		git init -q -b main .
		git config core.autocrlf false
		git add -A -f .
		GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
			git commit -q -m "$DPDK_TAG"
		git tag "$DPDK_TAG"
	) || die "cannot create git tree $dir"
}

# Like series_base_tree, but a main series' tree of an earlier run is reused:
# reset to the base commit, so that files the series does not change keep
# their mtimes and a build directory of the tree rebuilds only what changed.
series_base_tree_reuse() {
	local dir=$1
	if [ "$SERIES_MAIN" = 1 ] && [ -d "$dir/.git" ] &&
			git -C "$dir" cat-file -e "$BASE_REF^{commit}" 2>/dev/null; then
		main_git_tree >/dev/null
		git -C "$dir" am --abort >/dev/null 2>&1 || true
		git -C "$dir" checkout -q -f -B series "$BASE_REF" &&
			git -C "$dir" clean -q -f -f -d -x ||
			die "cannot reset $dir to $BASE_REF"
		return
	fi
	series_base_tree "$dir"
}

# compat_strip_pre_23_11 <file>: the only change made to our sources for the
# main series. The compat header lets the driver build with DPDK 22.11 by a
# branch '#if RTE_VERSION_NUM(23, 11, 0, 0) <= RTE_VERSION ... #else <pre-23.11
# definitions> #endif /* RTE_VERSION */'. DPDK main is never before 23.11:
# keep what the #if holds, drop the #if line, the #else branch (with the
# comment line just before the #else, which labels that branch) and the
# #endif and the then unused #include <rte_version.h>, then squeeze the blank
# lines left behind. Fails unless the header
# has that branch exactly once, or if anything of it is left.
compat_strip_pre_23_11() {
	local f=$1 out
	out=$(awk '
		BEGIN { state = 0; nif = 0; held = 0 }
		state == 0 && $0 == "#include <rte_version.h>" { next }
		function flush() { if (held) print line; held = 0 }
		state == 0 && $0 == "#if RTE_VERSION_NUM(23, 11, 0, 0) <= RTE_VERSION" {
			state = 1; depth = 0; nif++; next
		}
		state == 1 {
			if ($0 ~ /^#[[:space:]]*if/) {
				depth++
			} else if ($0 ~ /^#[[:space:]]*endif/) {
				depth--
			} else if (depth == 0 && $0 ~ /^#[[:space:]]*else/) {
				# a comment line just before the #else labels its branch
				if (!(held && line ~ /^\/\*.*\*\/$/))
					flush()
				held = 0; state = 2; next
			}
			flush(); line = $0; held = 1; next
		}
		state == 2 {
			if ($0 ~ /^#[[:space:]]*if/) {
				depth++
			} else if ($0 ~ /^#[[:space:]]*endif/) {
				if (depth == 0) { state = 0; next }
				depth--
			}
			next
		}
		{ print }
		END { if (state != 0 || nif != 1) exit 1 }
	' "$f") || die "$f: no single '#if RTE_VERSION_NUM(23, 11, 0, 0) <= RTE_VERSION ... #else ... #endif' branch to drop for DPDK main"
	out=$(cat -s <<< "$out")
	if grep -nE 'RTE_VERSION|^#[[:space:]]*else|__atomic|rte_ctrl_thread_create|pthread' <<< "$out"; then
		die "$f: pre-23.11 code left after dropping its branch (lines above)"
	fi
	printf '%s\n' "$out" > "$f"
}

# rst_strip_not_for_main <file>: drop from a guide the blocks between the
# comment lines '$RST_MAIN_BEGIN' and '$RST_MAIN_END' (indented as
# the text around them; comments, so invisible in the 22.11 guides), markers
# included. The blank lines before and after a block are merged: as many are
# kept as stood on the side that had more. Fails on a marker without its pair.
rst_strip_not_for_main() {
	local f=$1 out
	out=$(awk -v b="$RST_MAIN_BEGIN" -v e="$RST_MAIN_END" '
		{ t = $0; sub(/^[[:space:]]+/, "", t) }
		t == b { if (drop) exit 1; drop = 1; next }
		t == e { if (!drop) exit 1; drop = 0; skip = nb; next }
		drop { next }
		t == "" { if (skip > 0) { skip--; next } nb++; print; next }
		{ skip = 0; nb = 0; print }
		END { if (drop) exit 1 }
	' "$f") || die "$f: unpaired '$RST_MAIN_BEGIN' / '$RST_MAIN_END'"
	printf '%s\n' "$out" > "$f"
}

# main_transformed_files <dir> <path>: the files of new path <path> in the
# tree <dir> that main_transform changes (paths relative to <dir>).
main_transformed_files() {
	local dir=$1 p=${2%/}
	case "$MAIN_COMPAT_HEADER/" in
	"$p/"*) echo "$MAIN_COMPAT_HEADER" ;;
	esac
	(cd "$dir" && find "$p" -name '*.rst' -type f -print0 |
		xargs -0 -r grep -l -x -e "[[:space:]]*$RST_MAIN_BEGIN") || true
}

# main_transform <dir> <path>: the main series' transformation of new path
# <path> copied into the tree <dir>.
main_transform() {
	local dir=$1 f
	while read -r f; do
		case "$f" in
		"$MAIN_COMPAT_HEADER") compat_strip_pre_23_11 "$dir/$f" ;;
		*.rst) rst_strip_not_for_main "$dir/$f" ;;
		esac
	done < <(main_transformed_files "$dir" "$2")
}

# Copy new path $2 of the series from $ROOT into the tree $1, applying the
# main series' transformation.
series_copy_new_path() {
	local dir=$1 p=${2%/}
	mkdir -p "$dir/$(dirname "$p")"
	cp -a "$ROOT/$p" "$dir/$p"
	[ "$SERIES_MAIN" != 1 ] || main_transform "$dir" "$p"
}

# Create a git work tree of patched DPDK in $1 (removed first): the base (see
# series_base_tree), then one commit per series entry made by `git am` of the
# patch amended with the entry's new files (real copies). Commit dates are
# taken from the patches so the result is reproducible.
make_series_tree() {
	local dir=$1 patch paths p date
	export_git_identity
	series_base_tree "$dir"
	(cd "$dir" && git config user.name "$GIT_COMMITTER_NAME" &&
		git config user.email "$GIT_COMMITTER_EMAIL") || die "cannot configure $dir"
	unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL
	while read -r patch paths; do
		(cd "$dir" && git am -q --committer-date-is-author-date "$SERIES_DIR/$patch") || {
			(cd "$dir" && git am --abort) >/dev/null 2>&1 || true
			die "patch $patch does not apply with git am on $BASE_DESC + previous patches"
		}
		[ -n "$paths" ] || continue
		for p in $paths; do
			p=${p%/}
			[ ! -e "$dir/$p" ] || die "$patch: new path $p already exists in the DPDK tree"
			series_copy_new_path "$dir" "$p"
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

series_init patches
