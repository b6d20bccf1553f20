#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run DPDK's own patch checks on our series:
#  - devtools/checkpatches.sh on build/patches/*.patch (make patches first),
#    with the kernel's checkpatch.pl taken from the Debian linux-source-6.1
#    tarball (extracted once into build/checkpatch/);
#  - devtools/check-git-log.sh and devtools/check-symbol-change.sh in
#    build/series-tree over the series' commits.
# check-git-log.sh wants every author in DPDK's .mailmap: the first patch of
# the series adds ours.

set -euo pipefail
. "$(dirname "$0")/series.sh"

SERIES_TREE=$BUILD/series-tree
PATCHES=$BUILD/patches
CP=$BUILD/checkpatch
KSRC=/usr/src/linux-source-6.1.tar.xz

[ -d "$SERIES_TREE/.git" ] && [ -d "$PATCHES" ] || die "run devtools/gen-patches.sh (make patches) first"
command -v gawk >/dev/null || die "gawk is required by DPDK's check scripts (mawk fails); apt-get install gawk"

if [ ! -x "$CP/checkpatch.pl" ]; then
	[ -f "$KSRC" ] || die "$KSRC missing: apt-get install linux-source-6.1"
	note "extracting checkpatch.pl from $KSRC"
	rm -rf "$CP" "$CP.tmp"
	mkdir -p "$CP.tmp"
	tar -xJf "$KSRC" -C "$CP.tmp" --strip-components=2 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch ||
		die "cannot extract checkpatch.pl from $KSRC"
	chmod +x "$CP.tmp/checkpatch.pl"
	mv "$CP.tmp" "$CP"
fi

# DPDK scripts call plain awk: make it gawk for them.
mkdir -p "$BUILD/bin"
ln -sf "$(command -v gawk)" "$BUILD/bin/awk"
export PATH=$BUILD/bin:$PATH
export DPDK_CHECKPATCH_PATH=$CP/checkpatch.pl
dict=/usr/lib/python3/dist-packages/codespell_lib/data/dictionary.txt
if [ -z "${DPDK_CHECKPATCH_CODESPELL:-}" ]; then
	if [ -f "$dict" ]; then
		export DPDK_CHECKPATCH_CODESPELL=$dict
	else
		export DPDK_CHECKPATCH_CODESPELL=disable
	fi
fi

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
