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

struct skag_os_import;

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
/** Ranges of DPDK shared memory a vchan keeps; more are looked up in the process's map. */
#define SKAG_VCHAN_RANGES	64

/** Devargs. */
#define SKAG_ARG_MAX_GROUPS	"max_groups"
#define SKAG_ARG_MAX_MEMBERS	"max_members"
#define SKAG_ARG_RENDEZVOUS	"rendezvous"

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

/** [start, end) virtual address range of backed DPDK shared memory. */
struct skag_range {
	uintptr_t start;
	uintptr_t end;
};

/** A range as the data path checks it: [start, start + span) in this process. */
struct skag_window {
	uintptr_t start;
	uintptr_t span;
};

/** Whether [addr, addr + len) lies in w; a span is below 2^63, so off + len cannot wrap. */
static inline bool
skag_window_has(const struct skag_window *w, uint64_t addr, uint32_t len)
{
	uint64_t off = addr - w->start;	/* huge if addr < start */

	return off <= w->span && off + len <= w->span;
}

/**
 * The memory one end (source or destination) of a vchan may reach, sorted, with the window
 * the last op hit: a copy of the process's map of DPDK shared memory, or the mapping here of
 * the memory another OS instance exported (imported, fixed for the life of the vchan setup).
 */
struct skag_vchan_end {
	uint16_t nb;
	uint16_t hint;
	bool partial;		/**< The map has more ranges than the copy. */
	bool imported;
	struct skag_window w[SKAG_VCHAN_RANGES];
};

/**
 * Memory the ends of a vchan may reach. The copies of the map are made again at the next burst
 * once the process's map changed (gen), or when another process drives the vchan.
 */
struct skag_vchan_mem {
	uint32_t gen;
	int32_t pid;
	struct skag_vchan_end src;
	struct skag_vchan_end dst;
};

/** One vchan; hot fields first, used only by the lcore driving the vchan. */
struct __rte_cache_aligned skag_vchan {
	struct skag_desc *ring;		/**< Power-of-two ring, NULL if not set up. */
	struct rte_dma_sge *sg_buf;	/**< Entries of pending copy_sg ops. */
	/**
	 * Added to the source and destination addresses of each op when enqueued: 0, or for an
	 * end in memory of another OS instance, the offset of its mapping here, so that
	 * execution checks and copies addresses of this process only.
	 */
	uintptr_t delta[2];
	uint16_t mask;			/**< Ring size - 1. */
	uint16_t nb_desc;		/**< Ops in flight allowed (enqueued, not yet reported). */
	uint16_t enq_idx;		/**< ring_idx of the next op enqueued. */
	uint16_t run_idx;		/**< First op not executed yet. */
	uint16_t sub_idx;		/**< First op not submitted yet. */
	uint16_t cmp_idx;		/**< First op not reported yet. */
	uint16_t sg_used;		/**< Entries used in sg_buf. */
	bool inter;			/**< Inter-domain vchan. */
	bool foreign;			/**< Imported memory not mapped in this process. */
	uint64_t submitted;
	uint64_t completed;
	uint64_t errors;		/**< Second cache line, as what follows. */
	/**
	 * The epoch of a local vchan, which no departure can stop: nothing writes it. The link
	 * of a local vchan points here, so that every vchan runs the same loop.
	 */
	_Atomic uint32_t local_epoch;

	/* Inter-domain only: the source, destination and submitting members. */
	struct skag_link link;
	struct skag_vchan_mem mem;
	/* Inter-OS only: memory of other instances, mapped in the process that set it up. */
	int32_t owner;
	struct skag_os_import *imp[2];

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
	bool inter_os;			/**< A rendezvous: domains of other OS instances. */
	struct skag_vchan vchan[SKAG_MAX_VCHANS];
};

/** Generation of the process's map of DPDK shared memory, bumped by memory events. */
extern RTE_ATOMIC(uint32_t) skag_mem_gen;
/** This process, as the copy of the map in a vchan names it: getpid() is a system call. */
extern int32_t skag_mem_pid;

/** Take a reference on the map of DPDK shared memory (probe): the first one builds it. */
int skag_mem_attach(void);

/** Drop a reference taken by skag_mem_attach() (remove). */
void skag_mem_detach(void);

/** Copy the process's map into the ends of a vchan that reach the local memory. */
void skag_mem_copy(struct skag_vchan_mem *vm);

/** Whether [addr, addr + len) lies in backed DPDK shared memory (the whole map). */
bool skag_mem_shared_has(uint64_t addr, uint64_t len);

/** Whether [addr, addr + len) is mapped in this process with read (and write) access. */
bool skag_mem_private_ok(uint64_t addr, uint64_t len, bool write);

/** Set the fast path functions of a device in the calling process's fp object. */
void skag_dp_fp_set(struct rte_dma_fp_object *fp, void *dev_private);

/** Reset the indexes of a vchan (device start): pending and unreported ops are dropped. */
void skag_dp_vchan_reset(struct skag_vchan *vc);

#endif /* SKELETON_AG_H */
