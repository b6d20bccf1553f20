# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The DPDK inter-domain DMA authors
#
# Included by the Makefiles that build our code against an installed DPDK: finds it with
# pkg-config, as DPDK's examples do, and compiles with the warning flags of DPDK's own build.
#   PKGCONF  pkg-config program (PKG_CONFIG_PATH selects the installation)
#   OPT      optimization flags (default -O3 -g, DPDK's default release build plus symbols)
#   WERROR=1 makes warnings errors

PKGCONF ?= pkg-config
ifneq ($(shell $(PKGCONF) --exists libdpdk && echo 0),0)
$(error no installation of DPDK found: $(PKGCONF) does not know libdpdk (set PKG_CONFIG_PATH))
endif

DPDK_VERSION := $(shell $(PKGCONF) --modversion libdpdk)
DPDK_INCLUDEDIR := $(shell $(PKGCONF) --variable=includedir libdpdk)
DPDK_CFLAGS := $(shell $(PKGCONF) --cflags libdpdk)
DPDK_LIBS := $(shell $(PKGCONF) --libs libdpdk)

# -Wall -Wextra and the global warning flags of DPDK's config/meson.build.
DPDK_WARNINGS := -Wall -Wextra -Wcast-qual -Wdeprecated -Wformat -Wformat-nonliteral \
	-Wformat-security -Wmissing-declarations -Wmissing-prototypes -Wnested-externs \
	-Wold-style-definition -Wpointer-arith -Wsign-compare -Wstrict-prototypes -Wundef \
	-Wwrite-strings -Wvla -Wno-packed-not-aligned -Wno-missing-field-initializers \
	-Wno-address-of-packed-member
ifeq ($(WERROR),1)
DPDK_WARNINGS += -Werror
endif

OPT ?= -O3 -g
# As DPDK's own build: C11 with GNU extensions of the C library.
DPDK_BUILD_CFLAGS = $(OPT) -std=c11 -D_GNU_SOURCE $(DPDK_WARNINGS) $(DPDK_CFLAGS)
