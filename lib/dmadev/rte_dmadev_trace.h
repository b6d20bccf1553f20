/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK inter-domain DMA authors
 */

#ifndef RTE_DMADEV_TRACE_H
#define RTE_DMADEV_TRACE_H

/**
 * @file
 *
 * Trace points of the dmadev access pair group calls.
 *
 * Tokens are secrets: no trace point records them.
 */

#include <rte_trace_point.h>

#include "rte_dmadev.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A domain identifier is recorded as two 64-bit words (its first and last
 * eight bytes in memory order), computed by the caller.
 */
RTE_TRACE_POINT(
	rte_dma_trace_access_pair_group_create,
	RTE_TRACE_POINT_ARGS(int16_t dev_id, uint64_t domain_w0, uint64_t domain_w1,
			     int16_t group_id, const void *cb, int ret),
	rte_trace_point_emit_i16(dev_id);
	rte_trace_point_emit_u64(domain_w0);
	rte_trace_point_emit_u64(domain_w1);
	rte_trace_point_emit_i16(group_id);
	rte_trace_point_emit_ptr(cb);
	rte_trace_point_emit_int(ret);
)

RTE_TRACE_POINT(
	rte_dma_trace_access_pair_group_destroy,
	RTE_TRACE_POINT_ARGS(int16_t dev_id, int16_t group_id, int ret),
	rte_trace_point_emit_i16(dev_id);
	rte_trace_point_emit_i16(group_id);
	rte_trace_point_emit_int(ret);
)

RTE_TRACE_POINT(
	rte_dma_trace_access_pair_group_join,
	RTE_TRACE_POINT_ARGS(int16_t dev_id, uint64_t domain_w0, uint64_t domain_w1,
			     int16_t group_id, const void *cb, int ret),
	rte_trace_point_emit_i16(dev_id);
	rte_trace_point_emit_u64(domain_w0);
	rte_trace_point_emit_u64(domain_w1);
	rte_trace_point_emit_i16(group_id);
	rte_trace_point_emit_ptr(cb);
	rte_trace_point_emit_int(ret);
)

RTE_TRACE_POINT(
	rte_dma_trace_access_pair_group_leave,
	RTE_TRACE_POINT_ARGS(int16_t dev_id, int16_t group_id, int ret),
	rte_trace_point_emit_i16(dev_id);
	rte_trace_point_emit_i16(group_id);
	rte_trace_point_emit_int(ret);
)

RTE_TRACE_POINT(
	rte_dma_trace_access_pair_group_handler_get,
	RTE_TRACE_POINT_ARGS(int16_t dev_id, int16_t group_id,
			     uint64_t domain_w0, uint64_t domain_w1, uint16_t handler, int ret),
	rte_trace_point_emit_i16(dev_id);
	rte_trace_point_emit_i16(group_id);
	rte_trace_point_emit_u64(domain_w0);
	rte_trace_point_emit_u64(domain_w1);
	rte_trace_point_emit_u16(handler);
	rte_trace_point_emit_int(ret);
)

#ifdef __cplusplus
}
#endif

#endif /* RTE_DMADEV_TRACE_H */
