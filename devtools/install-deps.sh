#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Install the Debian packages needed to build, test and check this project.
# Only missing packages are installed, `apt-get update` runs at most once.
# Without root, missing packages are reported and the script fails.

set -euo pipefail

PKGS=(
	# build
	build-essential meson ninja-build pkg-config python3-pyelftools
	libnuma-dev uuid-dev libcunit1-dev ccache
	# make fuzz: clang 14 with libFuzzer and the sanitizer runtimes, llvm-cov
	clang-14 libclang-rt-14-dev llvm-14
	# fetch and patch handling
	xz-utils git ca-certificates dpkg-dev
	# checks: checkpatch.pl from the kernel sources, DPDK scripts need gawk
	linux-source-6.1 gawk perl codespell
	# make doc: DPDK's guides with the system python's sphinx
	python3-sphinx python3-sphinx-rtd-theme rsync
	# make test-dpdk25: a Debian sid chroot with Debian's DPDK 25.11
	debootstrap
	# make bench: the plot
	gnuplot-nox
)

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = "installed" ] || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: ERROR: missing packages (run as root or install them): ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
