/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#ifndef SKELETON_AG_H
#define SKELETON_AG_H

/**
 * @file
 *
 * Private definitions of the skeleton_ag DMA driver shared by its files: the device private data
 * (in DPDK shared memory, so every process sees the same vchans) and the data path entry points.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_dmadev_pmd.h>
#include <rte_log.h>

#include "skeleton_ag_compat.h"
#include "skeleton_ag_table.h"

extern int skag_logtype;
#define RTE_LOGTYPE_SKAG skag_logtype
#define SKAG_LOG(level, ...) \
	RTE_LOG_LINE_PREFIX(level, SKAG, "%s(): ", __func__, __VA_ARGS__)

/** Number of vchans of a device. */
#define SKAG_MAX_VCHANS		8
/** Descriptor ring limits per vchan. */
#define SKAG_MIN_DESC		32
#define SKAG_MAX_DESC		8192
/** Maximum number of source or destination entries of one copy_sg. */
#define SKAG_MAX_SGES		32
/**
 * Scatter-gather entries a vchan stores for enqueued but not yet executed copy_sg ops; when
 * full, the pending ops are executed early to free it (holds at least 32 maximal copy_sg).
 */
#define SKAG_SG_BUF_ENTRIES	(SKAG_MAX_SGES * 2 * 32)
/** Cached address ranges of DPDK shared memory (memseg lists). */
#define SKAG_MAX_RANGES		RTE_MAX_MEMSEG_LISTS

/** Devargs. */
#define SKAG_ARG_MAX_GROUPS	"max_groups"
#define SKAG_ARG_MAX_MEMBERS	"max_members"
#define SKAG_DEF_MAX_GROUPS	64
#define SKAG_DEF_MAX_MEMBERS	8

/** Descriptor operations. */
enum skag_op {
	SKAG_OP_COPY,
	SKAG_OP_FILL,
	SKAG_OP_COPY_SG,
};

/**
 * One ring entry. The meaning of src/dst/len depends on op:
 * COPY: addresses and length; FILL: src is the pattern; COPY_SG: src is the index of the first
 * entry in the vchan's sg buffer, len the number of source entries, dst the number of
 * destination entries (which follow the source entries).
 */
struct skag_desc {
	uint64_t src;
	uint64_t dst;
	uint32_t len;
	uint16_t status;	/**< enum rte_dma_status_code, set when executed. */
	uint8_t op;		/**< enum skag_op. */
	uint8_t rsvd;
};

/** [start, end) virtual address range of DPDK shared memory (memseg lists, merged). */
struct skag_range {
	uintptr_t start;
	uintptr_t end;
};

/** One vchan; hot fields first, used only by the lcore driving the vchan. */
struct __rte_cache_aligned skag_vchan {
	struct skag_desc *ring;		/**< Power-of-two ring, NULL if not set up. */
	struct rte_dma_sge *sg_buf;	/**< Entries of pending copy_sg ops. */
	uint16_t mask;			/**< Ring size - 1. */
	uint16_t nb_desc;		/**< Ops in flight allowed (enqueued, not yet reported). */
	uint16_t enq_idx;		/**< ring_idx of the next op enqueued. */
	uint16_t run_idx;		/**< First op not executed yet. */
	uint16_t sub_idx;		/**< First op not submitted yet. */
	uint16_t cmp_idx;		/**< First op not reported yet. */
	uint16_t sg_used;		/**< Entries used in sg_buf. */
	bool inter;			/**< Inter-domain vchan. */
	uint64_t submitted;
	uint64_t completed;
	uint64_t errors;

	/*
	 * Inter-domain only: liveness of both members and shared memory ranges, sorted by start
	 * address, merged when they touch, with the ranges the last source and destination hit.
	 */
	struct skag_live_ref src_ref;
	struct skag_live_ref dst_ref;
	uint16_t nb_ranges;
	uint16_t src_hint;
	uint16_t dst_hint;
	struct skag_range ranges[SKAG_MAX_RANGES];

	/* Configuration, for the dump. */
	struct rte_dma_vchan_conf conf;
};

/** Device private data, in DPDK shared memory. */
struct skag_dev {
	int16_t dev_id;
	uint16_t nb_vchans;		/**< Configured vchans. */
	uint16_t max_groups;		/**< Table sizes from devargs (or defaults). */
	uint16_t max_members;
	bool explicit_sizes;
	struct skag_vchan vchan[SKAG_MAX_VCHANS];
};

/** Set the fast path functions of a device in the calling process's fp object. */
void skag_dp_fp_set(struct rte_dma_fp_object *fp, void *dev_private);

/** Reset the indexes of a vchan (device start): pending and unreported ops are dropped. */
void skag_dp_vchan_reset(struct skag_vchan *vc);

#endif /* SKELETON_AG_H */
