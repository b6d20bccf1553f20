#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Configure the meson build directory (build/) for the prepared tree.
#
# The options given to the dpdk subproject (drivers, examples) are computed
# from the prepared tree and our options, but meson applies subproject()
# default_options only at the first setup. So whenever one of these inputs
# changed (tree re-prepared, top-level meson files, -D options), the directory
# is set up anew: the user's -D options (recorded by meson in cmd_line.txt)
# and ninja's state are kept, so unchanged objects are not rebuilt.
# Extra options for a first setup can be given in MESON_OPTS.

set -euo pipefail
. "$(dirname "$0")/series.sh"

STAMP=$ROOT/subprojects/dpdk.stamp
[ -f "$STAMP" ] || die "DPDK tree not prepared, run devtools/prepare.sh"
KEYFILE=$BUILD/.setup-key
CMDLINE=$BUILD/meson-private/cmd_line.txt

cd "$ROOT"

setup_key() {
	{
		cat "$STAMP"
		cat meson.build meson_options.txt
		sed -n '/^\[options\]/,/^\[/p' "$CMDLINE" 2>/dev/null || true
		# options a caller asks for (test-sanitize.sh): a change sets the build up again
		echo "${MESON_OPTS:-}"
	} | sha256sum | cut -d' ' -f1
}

if [ -f "$BUILD/build.ninja" ] && [ -f "$CMDLINE" ] && [ -f "$KEYFILE" ] &&
		[ "$(cat "$KEYFILE")" = "$(setup_key)" ]; then
	exit 0
fi

opts=()
if [ -f "$CMDLINE" ]; then
	while IFS= read -r l; do
		# MESON_OPTS gives the new value of an option it names
		case " ${MESON_OPTS:-} " in
		*" -D${l%% = *}="*) continue ;;
		esac
		opts+=("-D${l/ = /=}")
	done < <(sed -n '/^\[options\]/,/^\[/{/ = /p}' "$CMDLINE")
	note "inputs changed, setting up $BUILD again ${opts[*]:-}"
fi
rm -rf "$BUILD/meson-private" "$BUILD/meson-info" "$BUILD/meson-logs" \
	"$BUILD/build.ninja" "$BUILD/compile_commands.json" "$KEYFILE"
# shellcheck disable=SC2086
meson setup "$BUILD" "${opts[@]}" ${MESON_OPTS:-}
setup_key > "$KEYFILE"
