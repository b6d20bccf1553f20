/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

/*
 * Fast path of skeleton_ag. Ops are recorded in a power-of-two descriptor ring and executed with
 * the CPU when submitted, by the lcore that submits them: no worker thread, no lock, no syscall,
 * no access to the group table beyond two generation loads per inter-domain op. The completion
 * calls only read the statuses the execution wrote into the ring.
 *
 * Inter-domain copies run in a loop of their own that keeps in registers what does not change
 * within a submit (ring, generations, the shared memory ranges the last copy hit), so their
 * checks cost a few compares more than the checks of a local copy.
 *
 * Indexes are uint16_t ring_idx values that wrap at 65536; since the ring size is a power of two
 * not above 65536, ring_idx & mask is the slot. Invariant: cmp_idx <= sub_idx <= run_idx <=
 * enq_idx (modulo 65536) and enq_idx - cmp_idx <= nb_desc.
 */

#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_memcpy.h>

#include "skeleton_ag.h"

/* Whether [addr, addr + len) lies in [start, start + span], without overflow. */
static __rte_always_inline bool
skag_range_has(uintptr_t start, uintptr_t span, uint64_t addr, uint64_t len)
{
	uint64_t off = addr - start;	/* huge if addr < start */

	return off <= span && len <= span - off;
}

/* Index of the cached shared memory range holding [addr, addr + len), -1 if none. */
static int
skag_range_find(const struct skag_vchan *vc, uint64_t addr, uint64_t len)
{
	uint16_t i;

	for (i = 0; i < vc->nb_ranges; i++) {
		const struct skag_range *r = &vc->ranges[i];

		if (skag_range_has(r->start, r->end - r->start, addr, len))
			return i;
	}
	return -1;
}

/* Whether [addr, addr + len) lies in one cached shared memory range. */
static __rte_always_inline bool
skag_in_shm(const struct skag_vchan *vc, uint64_t addr, uint64_t len)
{
	return skag_range_find(vc, addr, len) >= 0;
}

/* Local vchans take any VA but 0 (the error injection of DPDK's tests) or a wrapping range. */
static __rte_always_inline bool
skag_local_ok(uint64_t addr, uint64_t len)
{
	return addr != 0 && addr + len >= addr;
}

/* inter is vc->inter, passed in so that the loops of a local vchan fold it away. */
static __rte_always_inline bool
skag_addr_ok(const struct skag_vchan *vc, bool inter, uint64_t addr, uint64_t len)
{
	if (inter)
		return skag_in_shm(vc, addr, len);
	return skag_local_ok(addr, len);
}

/* Both members of an inter-domain vchan are still live: two acquire loads, no lock. */
static __rte_always_inline bool
skag_link_ok(const struct skag_vchan *vc, bool inter)
{
	return !inter || (skag_ref_live(&vc->src_ref) && skag_ref_live(&vc->dst_ref));
}

static __rte_always_inline void
skag_do_fill(uint8_t *dst, uint64_t pattern, uint32_t len)
{
	/* Byte j of the area is byte j % 8 of the pattern as laid out in memory. */
	for (; len >= sizeof(pattern); len -= sizeof(pattern), dst += sizeof(pattern))
		memcpy(dst, &pattern, sizeof(pattern));
	memcpy(dst, &pattern, len);
}

/* Check every entry before the first byte is written, then copy the src stream to dst. */
static uint16_t
skag_exec_sg(const struct skag_vchan *vc, const struct rte_dma_sge *src, uint16_t nb_src,
	     const struct rte_dma_sge *dst, uint16_t nb_dst)
{
	uint64_t src_len = 0, dst_len = 0;
	uint32_t soff = 0, doff = 0;
	uint16_t i, j;

	for (i = 0; i < nb_src; i++) {
		if (!skag_addr_ok(vc, vc->inter, src[i].addr, src[i].length))
			return RTE_DMA_STATUS_INVALID_SRC_ADDR;
		src_len += src[i].length;
	}
	for (j = 0; j < nb_dst; j++) {
		if (!skag_addr_ok(vc, vc->inter, dst[j].addr, dst[j].length))
			return RTE_DMA_STATUS_INVALID_DST_ADDR;
		dst_len += dst[j].length;
	}
	if (src_len != dst_len)
		return RTE_DMA_STATUS_INVALID_LENGTH;

	i = 0;
	j = 0;
	while (i < nb_src && j < nb_dst) {
		uint32_t chunk = RTE_MIN(src[i].length - soff, dst[j].length - doff);

		rte_memcpy((void *)(uintptr_t)(dst[j].addr + doff),
			   (const void *)(uintptr_t)(src[i].addr + soff), chunk);
		soff += chunk;
		doff += chunk;
		if (soff == src[i].length) {
			i++;
			soff = 0;
		}
		if (doff == dst[j].length) {
			j++;
			doff = 0;
		}
	}
	return RTE_DMA_STATUS_SUCCESSFUL;
}

static __rte_always_inline uint16_t
skag_exec(const struct skag_vchan *vc, bool inter, const struct skag_desc *d)
{
	/* Checked at execution time: a member that left since enqueue gets nothing written. */
	if (unlikely(!skag_link_ok(vc, inter)))
		return RTE_DMA_STATUS_DEV_LINK_ERROR;

	switch (d->op) {
	case SKAG_OP_COPY:
		if (unlikely(!skag_addr_ok(vc, inter, d->src, d->len)))
			return RTE_DMA_STATUS_INVALID_SRC_ADDR;
		if (unlikely(!skag_addr_ok(vc, inter, d->dst, d->len)))
			return RTE_DMA_STATUS_INVALID_DST_ADDR;
		rte_memcpy((void *)(uintptr_t)d->dst, (const void *)(uintptr_t)d->src, d->len);
		return RTE_DMA_STATUS_SUCCESSFUL;
	case SKAG_OP_FILL:
		if (unlikely(!skag_addr_ok(vc, inter, d->dst, d->len)))
			return RTE_DMA_STATUS_INVALID_DST_ADDR;
		skag_do_fill((uint8_t *)(uintptr_t)d->dst, d->src, d->len);
		return RTE_DMA_STATUS_SUCCESSFUL;
	case SKAG_OP_COPY_SG:
		return skag_exec_sg(vc, &vc->sg_buf[d->src], (uint16_t)d->len,
				    &vc->sg_buf[d->src + d->len], (uint16_t)d->dst);
	default:
		return RTE_DMA_STATUS_INVALID_OPCODE;
	}
}

/* Range the last source or destination of an inter-domain copy hit, kept in registers. */
struct skag_hint {
	uintptr_t start;
	uintptr_t span;
};

static __rte_always_inline void
skag_hint_load(const struct skag_vchan *vc, uint16_t idx, struct skag_hint *h)
{
	h->start = vc->ranges[idx].start;
	h->span = vc->ranges[idx].end - h->start;
}

/*
 * Inter-domain copy that failed a fast check: check again in full, in the order of
 * skag_exec(), and make the ranges hit the hints of the next copies.
 */
static __rte_noinline uint16_t
skag_exec_inter_slow(struct skag_vchan *vc, const struct skag_desc *d)
{
	int s, t;

	if (!skag_link_ok(vc, true))
		return RTE_DMA_STATUS_DEV_LINK_ERROR;
	s = skag_range_find(vc, d->src, d->len);
	if (s < 0)
		return RTE_DMA_STATUS_INVALID_SRC_ADDR;
	t = skag_range_find(vc, d->dst, d->len);
	if (t < 0)
		return RTE_DMA_STATUS_INVALID_DST_ADDR;
	vc->src_hint = s;
	vc->dst_hint = t;
	rte_memcpy((void *)(uintptr_t)d->dst, (const void *)(uintptr_t)d->src, d->len);
	return RTE_DMA_STATUS_SUCCESSFUL;
}

/*
 * Inter-domain execution. Both generations are loaded once per op, when it executes, and
 * compared together: a member that left since enqueue gets nothing written, and a member
 * that leaves during the submit stops the copies that follow. The addresses are checked
 * against the ranges the last copy hit. Compare-and-branch pairs, well predicted, cost fewer
 * instructions than combining the checks without branches; the rest (other ranges, errors,
 * other ops than COPY) is out of line.
 */
static void
skag_run_inter(struct skag_vchan *vc, uint16_t idx, const uint16_t end)
{
	struct skag_desc *const ring = vc->ring;
	const uint16_t mask = vc->mask;
	const _Atomic uint32_t *const src_gen = vc->src_ref.gen_ptr;
	const _Atomic uint32_t *const dst_gen = vc->dst_ref.gen_ptr;
	const uint32_t src_live = vc->src_ref.gen, dst_live = vc->dst_ref.gen;
	struct skag_hint sh, dh;

	skag_hint_load(vc, vc->src_hint, &sh);
	skag_hint_load(vc, vc->dst_hint, &dh);
	for (; idx != end; idx++) {
		struct skag_desc *d = &ring[idx & mask];
		const uint64_t src = d->src, dst = d->dst;
		const uint32_t len = d->len;

		if (likely(d->op == SKAG_OP_COPY &&
			   atomic_load_explicit(src_gen, memory_order_acquire) == src_live &&
			   atomic_load_explicit(dst_gen, memory_order_acquire) == dst_live &&
			   skag_range_has(sh.start, sh.span, src, len) &&
			   skag_range_has(dh.start, dh.span, dst, len))) {
			rte_memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, len);
			d->status = RTE_DMA_STATUS_SUCCESSFUL;
			continue;
		}
		if (d->op == SKAG_OP_COPY) {
			d->status = skag_exec_inter_slow(vc, d);
			skag_hint_load(vc, vc->src_hint, &sh);
			skag_hint_load(vc, vc->dst_hint, &dh);
		} else {
			d->status = skag_exec(vc, true, d);
		}
	}
}

static void
skag_run_local(struct skag_vchan *vc, uint16_t idx, const uint16_t end)
{
	struct skag_desc *const ring = vc->ring;
	const uint16_t mask = vc->mask;

	for (; idx != end; idx++) {
		struct skag_desc *d = &ring[idx & mask];

		d->status = skag_exec(vc, false, d);
	}
}

/* Execute every enqueued op not executed yet; the sg buffer is then free again. */
static void
skag_run(struct skag_vchan *vc)
{
	const uint16_t end = vc->enq_idx;

	if (vc->inter)
		skag_run_inter(vc, vc->run_idx, end);
	else
		skag_run_local(vc, vc->run_idx, end);
	vc->run_idx = end;
	vc->sg_used = 0;
}

static int
skag_submit(void *dev_private, uint16_t vchan)
{
	struct skag_vchan *vc = &((struct skag_dev *)dev_private)->vchan[vchan];

	skag_run(vc);
	vc->submitted += (uint16_t)(vc->enq_idx - vc->sub_idx);
	vc->sub_idx = vc->enq_idx;
	return 0;
}

/* Reserve the next slot; NULL if nb_desc ops are already in flight. */
static __rte_always_inline struct skag_desc *
skag_slot(struct skag_vchan *vc)
{
	if (unlikely((uint16_t)(vc->enq_idx - vc->cmp_idx) >= vc->nb_desc))
		return NULL;
	return &vc->ring[vc->enq_idx & vc->mask];
}

static __rte_always_inline int
skag_enqueued(void *dev_private, uint16_t vchan, struct skag_vchan *vc, uint64_t flags)
{
	uint16_t idx = vc->enq_idx++;

	if (flags & RTE_DMA_OP_FLAG_SUBMIT)
		skag_submit(dev_private, vchan);
	return idx;
}

/* Ops run in order, so RTE_DMA_OP_FLAG_FENCE holds by construction. */
static int
skag_copy(void *dev_private, uint16_t vchan, rte_iova_t src, rte_iova_t dst, uint32_t length,
	  uint64_t flags)
{
	struct skag_vchan *vc = &((struct skag_dev *)dev_private)->vchan[vchan];
	struct skag_desc *d = skag_slot(vc);

	if (unlikely(d == NULL))
		return -ENOSPC;
	d->src = src;
	d->dst = dst;
	d->len = length;
	d->op = SKAG_OP_COPY;
	return skag_enqueued(dev_private, vchan, vc, flags);
}

static int
skag_fill(void *dev_private, uint16_t vchan, uint64_t pattern, rte_iova_t dst, uint32_t length,
	  uint64_t flags)
{
	struct skag_vchan *vc = &((struct skag_dev *)dev_private)->vchan[vchan];
	struct skag_desc *d = skag_slot(vc);

	if (unlikely(d == NULL))
		return -ENOSPC;
	d->src = pattern;
	d->dst = dst;
	d->len = length;
	d->op = SKAG_OP_FILL;
	return skag_enqueued(dev_private, vchan, vc, flags);
}

/* The sg arrays belong to the caller: keep a copy until the op executes. */
static int
skag_copy_sg(void *dev_private, uint16_t vchan, const struct rte_dma_sge *src,
	     const struct rte_dma_sge *dst, uint16_t nb_src, uint16_t nb_dst, uint64_t flags)
{
	struct skag_vchan *vc = &((struct skag_dev *)dev_private)->vchan[vchan];
	uint16_t nb = nb_src + nb_dst;
	struct skag_desc *d;

	if (unlikely(src == NULL || dst == NULL || nb_src == 0 || nb_dst == 0 ||
		     nb_src > SKAG_MAX_SGES || nb_dst > SKAG_MAX_SGES))
		return -EINVAL;
	d = skag_slot(vc);
	if (unlikely(d == NULL))
		return -ENOSPC;
	/* Executing pending ops early is allowed and frees the whole sg buffer. */
	if (unlikely(vc->sg_used + nb > SKAG_SG_BUF_ENTRIES))
		skag_run(vc);

	memcpy(&vc->sg_buf[vc->sg_used], src, nb_src * sizeof(*src));
	memcpy(&vc->sg_buf[vc->sg_used + nb_src], dst, nb_dst * sizeof(*dst));
	d->src = vc->sg_used;
	d->dst = nb_dst;
	d->len = nb_src;
	d->op = SKAG_OP_COPY_SG;
	vc->sg_used += nb;
	return skag_enqueued(dev_private, vchan, vc, flags);
}

/* Report successful ops up to the first failed one, which completed_status() must collect. */
static uint16_t
skag_completed(void *dev_private, uint16_t vchan, const uint16_t nb_cpls, uint16_t *last_idx,
	       bool *has_error)
{
	struct skag_vchan *vc = &((struct skag_dev *)dev_private)->vchan[vchan];
	uint16_t avail = vc->sub_idx - vc->cmp_idx;
	uint16_t n = RTE_MIN(avail, nb_cpls);
	uint16_t idx = vc->cmp_idx;
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (unlikely(vc->ring[(uint16_t)(idx + i) & vc->mask].status !=
			     RTE_DMA_STATUS_SUCCESSFUL)) {
			*has_error = true;
			break;
		}
	}
	vc->cmp_idx = idx + i;
	vc->completed += i;
	*last_idx = vc->cmp_idx - 1;
	return i;
}

static uint16_t
skag_completed_status(void *dev_private, uint16_t vchan, const uint16_t nb_cpls,
		      uint16_t *last_idx, enum rte_dma_status_code *status)
{
	struct skag_vchan *vc = &((struct skag_dev *)dev_private)->vchan[vchan];
	uint16_t avail = vc->sub_idx - vc->cmp_idx;
	uint16_t n = RTE_MIN(avail, nb_cpls);
	uint16_t idx = vc->cmp_idx;
	uint16_t i, errors = 0;

	for (i = 0; i < n; i++) {
		status[i] = vc->ring[(uint16_t)(idx + i) & vc->mask].status;
		errors += status[i] != RTE_DMA_STATUS_SUCCESSFUL;
	}
	vc->cmp_idx = idx + n;
	vc->completed += n;
	vc->errors += errors;
	*last_idx = vc->cmp_idx - 1;
	return n;
}

static uint16_t
skag_burst_capacity(const void *dev_private, uint16_t vchan)
{
	const struct skag_vchan *vc = &((const struct skag_dev *)dev_private)->vchan[vchan];

	return vc->nb_desc - (uint16_t)(vc->enq_idx - vc->cmp_idx);
}

void
skag_dp_vchan_reset(struct skag_vchan *vc)
{
	vc->enq_idx = 0;
	vc->run_idx = 0;
	vc->sub_idx = 0;
	vc->cmp_idx = 0;
	vc->sg_used = 0;
}

void
skag_dp_fp_set(struct rte_dma_fp_object *fp, void *dev_private)
{
	fp->dev_private = dev_private;
	fp->copy = skag_copy;
	fp->copy_sg = skag_copy_sg;
	fp->fill = skag_fill;
	fp->submit = skag_submit;
	fp->completed = skag_completed;
	fp->completed_status = skag_completed_status;
	fp->burst_capacity = skag_burst_capacity;
}
