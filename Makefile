# SPDX-License-Identifier: BSD-3-Clause
#
# Thin entry point; the work is done by devtools/ scripts, meson and ninja.
#   make          install missing deps (as root), fetch, prepare, configure, build
#   make test     reserve hugepages and run the 'interdomain' meson test suite
#   make demo     run the dma_access_group example: creator + joiner processes
#   make bench    benchmark (table, CSV, PNG plot) into build/bench/
#   make patches  full series (with our new files) in build/patches/, verified
#   make tree     build/tree: git work tree of patched DPDK, one commit per patch
#   make check    DPDK checkpatches, check-git-log, check-symbol-change on the series
#   make doc      DPDK HTML guides with our pages (sphinx -W) into build/doc/html/
#   make clean    remove build outputs; make distclean: also downloads and the tree

NINJA_JOBS ?= 2
BUILD := build

.PHONY: all deps fetch prepare configure build test demo bench patches tree check doc clean distclean

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

test: build
	@devtools/hugepages.sh 512
	@devtools/run-tests.sh $(BUILD)

demo: build
	@devtools/run-demo.sh $(DEMO_ARGS)

bench: build
	@devtools/run-bench.sh $(BUILD)/bench

patches: prepare
	@devtools/gen-patches.sh

tree: fetch
	@devtools/make-tree.sh

check: patches
	@devtools/check-series.sh

doc: prepare
	@devtools/build-doc.sh $(BUILD)/doc

clean:
	@# keeps the download cache build/dl and the developer tree build/tree
	find $(BUILD) -mindepth 1 -maxdepth 1 ! -name dl ! -name tree -exec rm -rf {} + 2>/dev/null || true

distclean:
	rm -rf $(BUILD) subprojects/dpdk subprojects/dpdk.tmp subprojects/dpdk.stamp
