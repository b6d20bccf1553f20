# SPDX-License-Identifier: BSD-3-Clause
#
# Thin entry point; the work is done by devtools/ scripts, meson and ninja.
#   make          install missing deps (as root), fetch, prepare, configure, build
#   make test     reserve hugepages and run the 'interdomain' meson test suite
#   make test SANITIZE=address,undefined  the same in build/sanitize-*, built with
#                 ASan and UBSan (also SANITIZE=address or undefined)
#   make fuzz     fuzz the skeleton_ag group table for FUZZ_SECONDS (120) with libFuzzer
#   make test-dpdk25  build the driver plugin, the example and our checks against Debian's
#                 DPDK 25.11 in a sid chroot and run them (DPDK_SDK_DIR: 25.11 SDK headers)
#   make demo     run the dma_access_group example: creator + joiner processes
#   make demo-os  the same between two independent primaries meeting at a rendezvous
#   make bench    perf test dmadev_access_group_perf_autotest: table, CSV, PNG plot into
#                 build/bench/; BENCH_DPDK25=1 (with DPDK_SDK_DIR) also on DPDK 25.11
#   make patches  full series (with our new files) in build/patches/, verified
#   make tree     build/tree: git work tree of patched DPDK, one commit per patch
#   make check    DPDK checkpatches, check-git-log, check-symbol-change on the series; our C
#                 files of the build compiled again with DPDK main's -O3 and warnings
#   make patches-main DPDK_MAIN=<DPDK main git tree>
#                 the series for DPDK main (patches/main/) in build/main/patches/, verified:
#                 git am on patches/main/BASE, each patch built, autotests, main's checks
#   make tree-main DPDK_MAIN=<DPDK main git tree>
#                 build/tree-main: git work tree of DPDK main + patches/main, one commit per patch
#   make doc      DPDK HTML guides with our pages (sphinx -W) into build/doc/html/
#   make clean    remove build outputs; make distclean: also downloads and the tree

NINJA_JOBS ?= 2
BUILD := build
SANITIZE ?=
FUZZ_SECONDS ?= 120
export NINJA_JOBS

.PHONY: all deps fetch prepare configure build test test-dpdk25 fuzz demo demo-os bench patches \
	tree check doc patches-main tree-main clean distclean

all: build

deps:
	@devtools/install-deps.sh

fetch: deps
	@devtools/fetch-dpdk.sh

prepare: fetch
	@devtools/prepare.sh

configure: prepare
	@devtools/configure.sh

build: configure
	ninja -C $(BUILD) -j $(NINJA_JOBS)

ifeq ($(SANITIZE),)
test: build
	@devtools/hugepages.sh 512
	@devtools/run-tests.sh $(BUILD)
else
# Own build directory, configured and built by the script; build/ stays as it is.
test: prepare
	@devtools/hugepages.sh 512
	@devtools/test-sanitize.sh $(SANITIZE)
endif

# Needs no DPDK: the group table and the harness only.
fuzz: deps
	@devtools/run-fuzz.sh $(FUZZ_SECONDS)

# Needs no 22.11 build: only our sources and Debian's packages.
test-dpdk25: deps
	@devtools/test-dpdk25.sh

demo: build
	@devtools/run-demo.sh $(DEMO_ARGS)

demo-os: build
	@devtools/run-demo-os.sh $(DEMO_ARGS)

bench: build
	@devtools/run-bench.sh $(BUILD)/bench

patches: prepare
	@devtools/gen-patches.sh

tree: fetch
	@devtools/make-tree.sh

check: patches build
	@devtools/check-series.sh
	@BUILD_DIR=$(BUILD) devtools/check-warnings.sh

# Run by hand: DPDK main is not available to the CI. Needs no 22.11 build.
patches-main: deps
	@DPDK_MAIN="$(DPDK_MAIN)" devtools/patches-main.sh

tree-main:
	@DPDK_MAIN="$(DPDK_MAIN)" devtools/make-tree.sh patches/main

doc: prepare
	@devtools/build-doc.sh $(BUILD)/doc

clean:
	@# keeps the download cache build/dl, the developer trees build/tree and build/tree-main
	@# and the 25.11 chroot
	find $(BUILD) -mindepth 1 -maxdepth 1 ! -name dl ! -name tree ! -name tree-main ! -name dpdk25-chroot \
		-exec rm -rf --one-file-system {} + 2>/dev/null || true

distclean:
	@! grep -qs " $(abspath $(BUILD))/" /proc/mounts || \
		{ echo "distclean: mounts under $(BUILD), not removing it" >&2; exit 1; }
	rm -rf --one-file-system $(BUILD) subprojects/dpdk subprojects/dpdk.tmp subprojects/dpdk.stamp
