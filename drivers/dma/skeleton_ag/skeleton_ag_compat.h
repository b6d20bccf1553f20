/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#ifndef SKELETON_AG_COMPAT_H
#define SKELETON_AG_COMPAT_H

/**
 * @file
 *
 * What skeleton_ag needs of the DPDK release it is built against beyond the dmadev API: its
 * control threads are started and joined through the wrappers below.
 */

#include <stdint.h>

#include <rte_common.h>
#include <rte_stdatomic.h>
#include <rte_version.h>

#if RTE_VERSION_NUM(23, 11, 0, 0) <= RTE_VERSION

#include <rte_thread.h>

typedef rte_thread_t skag_thread_t;
typedef uint32_t skag_thread_ret_t;

/* Returns 0 or a negative errno; name is at most RTE_THREAD_INTERNAL_NAME_SIZE - 1 long. */
static inline int
skag_thread_create(skag_thread_t *id, const char *name, skag_thread_ret_t (*fn)(void *),
		   void *arg)
{
	return rte_thread_create_internal_control(id, name, fn, arg);
}

static inline void
skag_thread_join(skag_thread_t id)
{
	rte_thread_join(id, NULL);
}

/* Before 23.11, DPDK 22.11 with the inter-domain series. */
#else

#include <pthread.h>

#include <rte_lcore.h>
#include <rte_log.h>

typedef pthread_t skag_thread_t;
typedef void *skag_thread_ret_t;

static inline int
skag_thread_create(skag_thread_t *id, const char *name, skag_thread_ret_t (*fn)(void *),
		   void *arg)
{
	return rte_ctrl_thread_create(id, name, NULL, fn, arg);
}

static inline void
skag_thread_join(skag_thread_t id)
{
	pthread_join(id, NULL);
}

#define RTE_LOG_LINE_PREFIX(l, t, prefix, args, ...) \
	RTE_LOG(l, t, RTE_FMT(prefix RTE_FMT_HEAD(__VA_ARGS__ ,) "\n", \
			      args, RTE_FMT_TAIL(__VA_ARGS__ ,)))

/* The old name of the device, documented for 22.11, where the vdev bus takes the longest match. */
#define SKAG_LEGACY_NAME dma_skeleton_ag

#endif /* RTE_VERSION */

#endif /* SKELETON_AG_COMPAT_H */
