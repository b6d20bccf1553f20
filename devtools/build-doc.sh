#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the DPDK HTML guides (doc/guides) of the prepared tree, our pages
# included, with Debian's python3-sphinx, warnings as errors, into
# build/doc/html/ (log: build/doc/sphinx_html.out, warnings: build/doc/warnings.txt).
#
# This does what DPDK 22.11's doc/guides/meson.build and
# buildtools/call-sphinx-build.py do (DPDK_VERSION from the VERSION file,
# -W as with -Dwerror=true, -j, -b html; custom.css installed into
# _static/css) with two differences:
#  - the guides are built from a copy of doc/ under build/doc/src/: conf.py
#    writes the generated feature tables (*overview*_table.txt ...) into its
#    own source directory, which would leave files in the prepared tree that
#    `make patches` does not reproduce; the other top-level directories
#    (examples/, lib/, ... read by literalinclude) are symlinked;
#  - --keep-going reports every warning before failing, not only the first.
# Copies keep their mtimes, so a rerun only rebuilds the pages that changed.
#
# Usage: devtools/build-doc.sh [OUTDIR]   (default build/doc)
# Environment: DOC_JOBS sphinx parallelism (default 2)

set -euo pipefail
. "$(dirname "$0")/series.sh"

TREE=$ROOT/subprojects/dpdk
OUT=${1:-$BUILD/doc}
SRC=$OUT/src
PY=/usr/bin/python3
JOBS=${DOC_JOBS:-2}

[ -f "$ROOT/subprojects/dpdk.stamp" ] && [ -d "$TREE/doc/guides" ] ||
	die "DPDK tree not prepared, run devtools/prepare.sh (make prepare)"
# Debian's sphinx lives in the system python, not in a pyenv/venv python3.
$PY -c 'import sphinx, sphinx_rtd_theme' 2>/dev/null ||
	die "$PY cannot import sphinx and sphinx_rtd_theme: apt-get install python3-sphinx python3-sphinx-rtd-theme"
command -v rsync >/dev/null || die "rsync not found: apt-get install rsync"

mkdir -p "$SRC"
# Dereference our symlinked pages (-L); drop files no longer in the tree.
rsync -a -L --delete "$TREE/doc/" "$SRC/doc/"
for e in "$TREE"/*; do
	name=$(basename "$e")
	[ "$name" = doc ] && continue
	ln -sfn "$e" "$SRC/$name"
done
# Remove links to entries that left the tree.
find "$SRC" -mindepth 1 -maxdepth 1 -type l ! -exec test -e {} \; -delete

version=$(cat "$TREE/VERSION")
log=$OUT/sphinx_html.out
note "sphinx $($PY -m sphinx --version | awk '{print $NF}') -> $OUT/html (DPDK $version, log $log)"
warnings=$OUT/warnings.txt
rc=0
DPDK_VERSION=$version $PY -m sphinx -W --keep-going -j "$JOBS" -w "$warnings" -b html \
	-d "$OUT/doctrees" "$SRC/doc/guides" "$OUT/html" > "$log" 2>&1 || rc=$?
# Equivalent of DPDK's install_data(custom.css) into the html directory.
mkdir -p "$OUT/html/_static/css"
cp "$SRC/doc/guides/custom.css" "$OUT/html/_static/css/custom.css"
if [ "$rc" -ne 0 ]; then
	# Point at the prepared tree (whose doc files link to this repository),
	# not at the private copy.
	sed "s#$(cd "$SRC" && pwd)/#$TREE/#g" "$warnings" >&2
	die "sphinx failed (status $rc): warnings are errors, see $warnings and $log"
fi

# Our pages must be part of the result.
for page in dmadevs/skeleton_ag sample_app_ug/dma_access_group \
		dmadevs/skeleton_ag_perf prog_guide/dmadev rel_notes/release_22_11; do
	[ -s "$OUT/html/$page.html" ] || die "$OUT/html/$page.html was not generated"
done
note "done: $OUT/html/index.html"
