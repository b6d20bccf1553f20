#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Obtain the pristine DPDK 22.11.11 source tarball and cache it under build/dl/.
#
# If DPDK_TARBALL is set, that file is used (any copy of the upstream tarball).
# Otherwise the Debian source package is downloaded with apt-get, using private
# apt state under build/apt/ derived at run time from the machine's own apt
# sources: the system apt configuration is never modified.
# The tarball's sha256 is always verified.

set -euo pipefail

. "$(dirname "$0")/common.sh"

DEB_VERSION=$DPDK_VERSION-0+deb12u1
DL=$BUILD/dl
OUT=$TARBALL

sha_ok() {
	[ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$TARBALL_SHA256" ]
}

check_or_die() {
	local sum
	sum=$(sha256sum "$1" | cut -d' ' -f1)
	if [ "$sum" != "$TARBALL_SHA256" ]; then
		die "sha256 mismatch for $1
  expected $TARBALL_SHA256
  got      $sum
  This is not the upstream DPDK $DPDK_VERSION tarball."
	fi
}

mkdir -p "$DL"

if [ -n "${DPDK_TARBALL:-}" ]; then
	[ -f "$DPDK_TARBALL" ] || die "DPDK_TARBALL=$DPDK_TARBALL does not exist"
	check_or_die "$DPDK_TARBALL"
	if ! sha_ok "$OUT"; then
		cp "$DPDK_TARBALL" "$OUT.tmp"
		mv "$OUT.tmp" "$OUT"
		note "using $DPDK_TARBALL"
	fi
	exit 0
fi

if sha_ok "$OUT"; then
	exit 0
fi
if [ -e "$OUT" ]; then
	note "cached $OUT has a wrong checksum, downloading again" >&2
	rm -f "$OUT"
fi

command -v apt-get >/dev/null || die "apt-get not found; set DPDK_TARBALL=/path/to/$TARBALL_NAME"

# Private apt state: sources derived from the system's, nothing written to /etc.
APT=$BUILD/apt
rm -rf "$APT"
mkdir -p "$APT/sources.list.d" "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/work"
: > "$APT/sources.list"

nsrc=0
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	# deb822: every stanza that has "deb" in Types also gets deb-src
	sed -E 's/^(Types:.*[[:space:]])deb([[:space:]]|$)/\1deb-src\2/; s/^Types:[[:space:]]*deb([[:space:]]|$)/Types: deb-src\1/' \
		"$f" | sed -E '/^Types:/ s/deb-src([[:space:]]+deb-src)+/deb-src/' \
		> "$APT/sources.list.d/$(basename "$f")"
	nsrc=$((nsrc + 1))
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	grep -E '^[[:space:]]*deb[[:space:]]' "$f" | sed -E 's/^[[:space:]]*deb[[:space:]]/deb-src /' \
		>> "$APT/sources.list" || true
	nsrc=$((nsrc + 1))
done
[ "$nsrc" -gt 0 ] || die "no apt sources found in /etc/apt; set DPDK_TARBALL=/path/to/$TARBALL_NAME"

APT_OPTS=(
	-o "Dir::Etc::SourceList=$APT/sources.list"
	-o "Dir::Etc::SourceParts=$APT/sources.list.d"
	-o "Dir::State::Lists=$APT/lists"
	-o "Dir::Cache=$APT/cache"
)

note "downloading Debian source package dpdk=$DEB_VERSION"
apt-get "${APT_OPTS[@]}" update >"$APT/update.log" 2>&1 ||
	{ cat "$APT/update.log" >&2; die "apt-get update (private deb-src lists) failed"; }
(cd "$APT/work" && apt-get "${APT_OPTS[@]}" source --download-only "dpdk=$DEB_VERSION") ||
	die "apt-get source dpdk=$DEB_VERSION failed; set DPDK_TARBALL=/path/to/$TARBALL_NAME"
[ -f "$APT/work/$TARBALL_NAME" ] || die "apt-get source did not produce $TARBALL_NAME"
check_or_die "$APT/work/$TARBALL_NAME"
mv "$APT/work/$TARBALL_NAME" "$OUT"
rm -rf "$APT"
note "$OUT ok"
