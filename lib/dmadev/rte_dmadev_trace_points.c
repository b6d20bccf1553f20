/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK inter-domain DMA authors
 */

#include <rte_trace_point_register.h>

#include "rte_dmadev_trace.h"

RTE_TRACE_POINT_REGISTER(rte_dma_trace_access_pair_group_create,
	lib.dmadev.access_pair_group.create)

RTE_TRACE_POINT_REGISTER(rte_dma_trace_access_pair_group_destroy,
	lib.dmadev.access_pair_group.destroy)

RTE_TRACE_POINT_REGISTER(rte_dma_trace_access_pair_group_join,
	lib.dmadev.access_pair_group.join)

RTE_TRACE_POINT_REGISTER(rte_dma_trace_access_pair_group_leave,
	lib.dmadev.access_pair_group.leave)

RTE_TRACE_POINT_REGISTER(rte_dma_trace_access_pair_group_handler_get,
	lib.dmadev.access_pair_group.handler_get)
