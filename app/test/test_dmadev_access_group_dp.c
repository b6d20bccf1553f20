/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#ifdef RTE_EXEC_ENV_WINDOWS

static int
test_dmadev_access_group_dp(void)
{
	printf("skeleton_ag data path tests not supported on Windows, skipping\n");
	return TEST_SKIPPED;
}

static int
test_dmadev_access_group_telemetry(void)
{
	return test_dmadev_access_group_dp();
}

#else

#include <sys/mman.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_uuid.h>
#include <rte_version.h>

#include "test_dmadev_access_group.h"
#include "test_dmadev_access_group_leak.h"

/*
 * Data path of dma_skag in one process: scatter-gather and error cases of local vchans
 * (which dmadev_autotest does not cover), and inter-domain vchans end to end. Both domains live
 * in this process: domain A creates a group on dma_skag0 and domain B joins it through
 * dma_skag1, which the table allows as device and domain differ. Last, the devargs of a
 * third device, probed and removed with rte_vdev_init()/rte_vdev_uninit(), are checked.
 * Needs --vdev=dma_skag0 --vdev=dma_skag1.
 */

#define DP_DEV0		"dma_skag0"
#define DP_DEV1		"dma_skag1"
#define DP_DEV_NEW	"dma_skag7"	/* probed and removed by test_devargs */
#define DP_VCHAN_LOCAL	0
#define DP_VCHAN_INTER	1
#define DP_NB_DESC	64
#define DP_LEN		4096
#define DP_SRC_BYTE	0x5a
#define DP_DST_BYTE	0xc3

static int16_t dev0 = -1, dev1 = -1;
static uint8_t *src_buf, *dst_buf;	/* DPDK shared memory */
static uint8_t *heap_buf;		/* process private memory */
static int16_t group = -1;
static bool dev1_joined;
static uint16_t handler_a, handler_b;

static rte_uuid_t domain_a = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0x46, 0xa7,
	0x88, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf
};
static rte_uuid_t domain_b = {
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0x46, 0xb7,
	0x88, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf
};
static rte_uuid_t domain_c = {
	0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0x46, 0xc7,
	0x88, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf
};
static rte_uuid_t token = {
	0x7e, 0x57, 0x70, 0x4b, 0xe2, 0x11, 0x46, 0x09,
	0x9d, 0x3c, 0x21, 0x5a, 0x6e, 0x0f, 0x88, 0x31
};

/* Submit and collect exactly one op, which must be id, and return its status. */
static int
dp_complete_one(int16_t dev, uint16_t vchan, int id, enum rte_dma_status_code *st)
{
	uint16_t last = 0;
	uint16_t n;

	TEST_ASSERT(id >= 0, "enqueue failed: %d", id);
	TEST_ASSERT_SUCCESS(rte_dma_submit(dev, vchan), "submit failed");
	n = rte_dma_completed_status(dev, vchan, 4, &last, st);
	TEST_ASSERT_EQUAL(n, 1, "%u ops completed, expected 1", n);
	TEST_ASSERT_EQUAL(last, (uint16_t)id, "last_idx %u, expected %d", last, id);
	return TEST_SUCCESS;
}

static void
dp_reset_bufs(void)
{
	memset(src_buf, DP_SRC_BYTE, DP_LEN);
	memset(dst_buf, DP_DST_BYTE, DP_LEN);
	memset(heap_buf, DP_DST_BYTE, DP_LEN);
}

static int
dp_vchan_local(int16_t dev, uint16_t vchan)
{
	const struct rte_dma_vchan_conf conf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
		.nb_desc = DP_NB_DESC,
	};

	return rte_dma_vchan_setup(dev, vchan, &conf);
}

static int
dp_vchan_inter(int16_t dev, uint16_t vchan, uint16_t src_h, uint16_t dst_h)
{
	const struct rte_dma_vchan_conf conf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
		.nb_desc = DP_NB_DESC,
		.domain = {
			.type = RTE_DMA_INTER_PROCESS_DOMAIN,
			.src_handler = src_h,
			.dst_handler = dst_h,
		},
	};

	return rte_dma_vchan_setup(dev, vchan, &conf);
}

/* Suite: both devices are there. */
static int
dp_suite_setup(void)
{
	dev0 = rte_dma_get_dev_id_by_name(DP_DEV0);
	dev1 = rte_dma_get_dev_id_by_name(DP_DEV1);
	if (dev0 < 0 || dev1 < 0) {
		printf("skipped: needs --vdev=%s --vdev=%s\n", DP_DEV0, DP_DEV1);
		return TEST_SKIPPED;
	}
	return TEST_SUCCESS;
}

/* Case: buffers, ag0 configured with two local vchans (the second may become inter-domain). */
static int
dp_fx_setup(void)
{
	const struct rte_dma_conf conf = { .nb_vchans = 2 };

	group = -1;
	dev1_joined = false;
	src_buf = rte_malloc("dp_src", DP_LEN, 64);
	dst_buf = rte_malloc("dp_dst", DP_LEN, 64);
	heap_buf = malloc(DP_LEN);
	TEST_ASSERT(src_buf != NULL && dst_buf != NULL && heap_buf != NULL, "no memory");

	TEST_ASSERT_SUCCESS(rte_dma_configure(dev0, &conf), "configure %s", DP_DEV0);
	TEST_ASSERT_SUCCESS(rte_dma_configure(dev1, &conf), "configure %s", DP_DEV1);
	TEST_ASSERT_SUCCESS(dp_vchan_local(dev0, DP_VCHAN_LOCAL), "local vchan setup");
	/* Both vchans must be set up to start: the second is local until a test needs it. */
	TEST_ASSERT_SUCCESS(dp_vchan_local(dev0, DP_VCHAN_INTER), "vchan 1 setup");
	return TEST_SUCCESS;
}

static void
dp_fx_teardown(void)
{
	rte_dma_stop(dev0);
	rte_dma_stop(dev1);
	if (dev1_joined)
		rte_dma_access_pair_group_leave(dev1, group);
	if (group >= 0)
		rte_dma_access_pair_group_destroy(dev0, group);
	group = -1;
	dev1_joined = false;
	rte_free(src_buf);
	rte_free(dst_buf);
	free(heap_buf);
	src_buf = NULL;
	dst_buf = NULL;
	heap_buf = NULL;
}

/* Local vchan: scatter-gather copies split differently on both sides, checked before writing. */
static int
test_local_copy_sg(void)
{
	struct rte_dma_sge src[3], dst[2];
	enum rte_dma_status_code st;
	int id;

	TEST_ASSERT_SUCCESS(rte_dma_start(dev0), "start");
	dp_reset_bufs();
	src_buf[0] = 1;
	src_buf[999] = 2;
	src_buf[1000] = 3;
	src_buf[2999] = 4;
	src[0] = (struct rte_dma_sge){ (rte_iova_t)(uintptr_t)src_buf, 1000 };
	src[1] = (struct rte_dma_sge){ (rte_iova_t)(uintptr_t)(src_buf + 1000), 2000 };
	src[2] = (struct rte_dma_sge){ (rte_iova_t)(uintptr_t)(src_buf + 3000), 96 };
	dst[0] = (struct rte_dma_sge){ (rte_iova_t)(uintptr_t)dst_buf, 1500 };
	dst[1] = (struct rte_dma_sge){ (rte_iova_t)(uintptr_t)(dst_buf + 2000), 1596 };

	id = rte_dma_copy_sg(dev0, DP_VCHAN_LOCAL, src, dst, 3, 2, 0);
	TEST_ASSERT_SUCCESS(dp_complete_one(dev0, DP_VCHAN_LOCAL, id, &st), "copy_sg");
	TEST_ASSERT_EQUAL(st, RTE_DMA_STATUS_SUCCESSFUL, "copy_sg status %d", st);
	TEST_ASSERT(memcmp(dst_buf, src_buf, 1500) == 0, "first dst segment differs");
	TEST_ASSERT(ag_all_bytes(dst_buf + 1500, 500, DP_DST_BYTE), "gap written");
	TEST_ASSERT(memcmp(dst_buf + 2000, src_buf + 1500, 1596) == 0,
		    "second dst segment differs");

	/* Lengths differ: nothing written. */
	dp_reset_bufs();
	dst[1].length = 1595;
	id = rte_dma_copy_sg(dev0, DP_VCHAN_LOCAL, src, dst, 3, 2, 0);
	TEST_ASSERT_SUCCESS(dp_complete_one(dev0, DP_VCHAN_LOCAL, id, &st), "copy_sg");
	TEST_ASSERT_EQUAL(st, RTE_DMA_STATUS_INVALID_LENGTH, "status %d", st);
	TEST_ASSERT(ag_all_bytes(dst_buf, DP_LEN, DP_DST_BYTE), "dst written");

	/* A bad last source entry: nothing written, not even the good entries. */
	dst[1].length = 1596;
	src[2].addr = 0;
	id = rte_dma_copy_sg(dev0, DP_VCHAN_LOCAL, src, dst, 3, 2, 0);
	TEST_ASSERT_SUCCESS(dp_complete_one(dev0, DP_VCHAN_LOCAL, id, &st), "copy_sg");
	TEST_ASSERT_EQUAL(st, RTE_DMA_STATUS_INVALID_SRC_ADDR, "status %d", st);
	TEST_ASSERT(ag_all_bytes(dst_buf, DP_LEN, DP_DST_BYTE), "dst written");

	/* Entry counts are checked at enqueue. */
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev0, DP_VCHAN_LOCAL, src, dst, 0, 2, 0), -EINVAL,
			  "no source entry accepted");
	TEST_ASSERT_EQUAL(rte_dma_copy_sg(dev0, DP_VCHAN_LOCAL, src, dst, 3, 33, 0), -EINVAL,
			  "33 destination entries accepted");

	/* Local vchans accept any process memory, and report a 0 destination. */
	dp_reset_bufs();
	id = rte_dma_copy(dev0, DP_VCHAN_LOCAL, (rte_iova_t)(uintptr_t)src_buf,
			  (rte_iova_t)(uintptr_t)heap_buf, DP_LEN, 0);
	TEST_ASSERT_SUCCESS(dp_complete_one(dev0, DP_VCHAN_LOCAL, id, &st), "copy");
	TEST_ASSERT_EQUAL(st, RTE_DMA_STATUS_SUCCESSFUL, "copy to heap status %d", st);
	TEST_ASSERT(memcmp(heap_buf, src_buf, DP_LEN) == 0, "heap copy differs");
	id = rte_dma_fill(dev0, DP_VCHAN_LOCAL, 0x1122334455667788ULL, 0, 64, 0);
	TEST_ASSERT_SUCCESS(dp_complete_one(dev0, DP_VCHAN_LOCAL, id, &st), "fill");
	TEST_ASSERT_EQUAL(st, RTE_DMA_STATUS_INVALID_DST_ADDR, "fill to 0 status %d", st);

	/* Ops are reported only after the doorbell, and capacity counts them until then. */
	id = rte_dma_copy(dev0, DP_VCHAN_LOCAL, (rte_iova_t)(uintptr_t)src_buf,
			  (rte_iova_t)(uintptr_t)dst_buf, 64, 0);
	TEST_ASSERT(id >= 0, "copy enqueue");
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev0, DP_VCHAN_LOCAL), DP_NB_DESC - 1,
			  "capacity");
	TEST_ASSERT_EQUAL(rte_dma_completed(dev0, DP_VCHAN_LOCAL, 4, NULL, NULL), 0,
			  "op completed before submit");
	TEST_ASSERT_SUCCESS(dp_complete_one(dev0, DP_VCHAN_LOCAL, id, &st), "copy");
	TEST_ASSERT_EQUAL(rte_dma_burst_capacity(dev0, DP_VCHAN_LOCAL), DP_NB_DESC,
			  "capacity after completion");

	TEST_ASSERT_SUCCESS(rte_dma_stop(dev0), "stop");
	return TEST_SUCCESS;
}

/* Create on ag0 as domain A, join from ag1 as domain B, get both handlers. */
static int
dp_group_up(void)
{
	uint16_t h;

	TEST_ASSERT_SUCCESS(rte_dma_access_pair_group_create(dev0, domain_a, token, &group, NULL),
			    "create");
	TEST_ASSERT_SUCCESS(rte_dma_access_pair_group_join(dev1, domain_b, token, group, NULL),
			    "join");
	dev1_joined = true;
	TEST_ASSERT_SUCCESS(rte_dma_access_pair_group_handler_get(dev0, group, domain_a,
								  &handler_a), "handler A");
	TEST_ASSERT_SUCCESS(rte_dma_access_pair_group_handler_get(dev0, group, domain_b,
								  &handler_b), "handler B");
	TEST_ASSERT_SUCCESS(rte_dma_access_pair_group_handler_get(dev1, group, domain_a, &h),
			    "handler A from ag1");
	TEST_ASSERT_EQUAL(h, handler_a, "handlers of A differ between members");
	TEST_ASSERT(handler_a != 0 && handler_b != 0 && handler_a != handler_b,
		    "bad handlers %u %u", handler_a, handler_b);
	return TEST_SUCCESS;
}

/* Inter-domain vchan setup accepts only both handlers of one group the device is in. */
static int
test_inter_setup(void)
{
	uint16_t handler_c, bogus;
	int16_t group_c;
	int ret;

	TEST_ASSERT_SUCCESS(dp_group_up(), "group");

	TEST_ASSERT_EQUAL(dp_vchan_inter(dev0, DP_VCHAN_INTER, 0, handler_b), -EINVAL,
			  "src handler 0 accepted");
	TEST_ASSERT_EQUAL(dp_vchan_inter(dev0, DP_VCHAN_INTER, handler_a, 0), -EINVAL,
			  "dst handler 0 accepted");
	for (bogus = 1; bogus == handler_a || bogus == handler_b; bogus++)
		;
	TEST_ASSERT_EQUAL(dp_vchan_inter(dev0, DP_VCHAN_INTER, handler_a, bogus), -EPERM,
			  "unknown handler accepted");

	/* A second group with ag1 only: ag0 may not use it, nor mix handlers of two groups. */
	TEST_ASSERT_SUCCESS(rte_dma_access_pair_group_create(dev1, domain_c, token, &group_c,
							     NULL), "create C");
	ret = rte_dma_access_pair_group_handler_get(dev1, group_c, domain_c, &handler_c);
	if (ret == 0)
		ret = dp_vchan_inter(dev0, DP_VCHAN_INTER, handler_c, handler_c);
	TEST_ASSERT_EQUAL(ret, -EPERM, "handler of a foreign group accepted (%d)", ret);
	ret = dp_vchan_inter(dev1, 0 /* configured, not started */, handler_a, handler_c);
	TEST_ASSERT_EQUAL(ret, -EPERM, "handlers of two groups accepted (%d)", ret);
	TEST_ASSERT_SUCCESS(rte_dma_access_pair_group_destroy(dev1, group_c), "destroy C");
	TEST_ASSERT_EQUAL(dp_vchan_inter(dev1, 0, handler_c, handler_c), -EPERM,
			  "handler of a destroyed group accepted");

	TEST_ASSERT_SUCCESS(dp_vchan_inter(dev0, DP_VCHAN_INTER, handler_a, handler_b),
			    "A -> B setup");
	return TEST_SUCCESS;
}

/* Case: as dp_fx_setup(), with domain B joined and vchan 1 from A to B, ag0 started. */
static int
dp_fx_inter_setup(void)
{
	TEST_ASSERT_SUCCESS(dp_fx_setup(), "setup");
	TEST_ASSERT_SUCCESS(dp_group_up(), "group");
	TEST_ASSERT_SUCCESS(dp_vchan_inter(dev0, DP_VCHAN_INTER, handler_a, handler_b),
			    "A -> B setup");
	TEST_ASSERT_SUCCESS(rte_dma_start(dev0), "start");
	TEST_ASSERT_SUCCESS(rte_dma_stats_reset(dev0, DP_VCHAN_INTER), "stats reset");
	return TEST_SUCCESS;
}

/* Copies, fill and sg between the domains; private memory is refused without a write. */
static int
test_inter_ops(void)
{
	struct rte_dma_sge src[2], dst[1];
	enum rte_dma_status_code st;
	struct rte_dma_stats stats;
	int id;

	dp_reset_bufs();
	id = rte_dma_copy(dev0, DP_VCHAN_INTER, (rte_iova_t)(uintptr_t)src_buf,
			  (rte_iova_t)(uintptr_t)dst_buf, DP_LEN, 0);
	TEST_ASSERT_SUCCESS(dp_complete_one(dev0, DP_VCHAN_INTER, id, &st), "copy");
	TEST_ASSERT_EQUAL(st, RTE_DMA_STATUS_SUCCESSFUL, "copy status %d", st);
	TEST_ASSERT(ag_all_bytes(dst_buf, DP_LEN, DP_SRC_BYTE), "copy data differs");

	id = rte_dma_fill(dev0, DP_VCHAN_INTER, 0x0807060504030201ULL,
			  (rte_iova_t)(uintptr_t)dst_buf, 12, 0);
	TEST_ASSERT_SUCCESS(dp_complete_one(dev0, DP_VCHAN_INTER, id, &st), "fill");
	TEST_ASSERT_EQUAL(st, RTE_DMA_STATUS_SUCCESSFUL, "fill status %d", st);
	TEST_ASSERT(dst_buf[0] == 1 && dst_buf[7] == 8 && dst_buf[8] == 1 && dst_buf[11] == 4 &&
		    dst_buf[12] == DP_SRC_BYTE, "fill data wrong");

	dp_reset_bufs();
	src[0] = (struct rte_dma_sge){ (rte_iova_t)(uintptr_t)src_buf, 100 };
	src[1] = (struct rte_dma_sge){ (rte_iova_t)(uintptr_t)(src_buf + 200), 100 };
	dst[0] = (struct rte_dma_sge){ (rte_iova_t)(uintptr_t)dst_buf, 200 };
	id = rte_dma_copy_sg(dev0, DP_VCHAN_INTER, src, dst, 2, 1, 0);
	TEST_ASSERT_SUCCESS(dp_complete_one(dev0, DP_VCHAN_INTER, id, &st), "copy_sg");
	TEST_ASSERT_EQUAL(st, RTE_DMA_STATUS_SUCCESSFUL, "copy_sg status %d", st);
	TEST_ASSERT(ag_all_bytes(dst_buf, 200, DP_SRC_BYTE) &&
		    dst_buf[200] == DP_DST_BYTE, "copy_sg data wrong");

	/* malloc() memory is not shared with the other domain. */
	dp_reset_bufs();
	id = rte_dma_copy(dev0, DP_VCHAN_INTER, (rte_iova_t)(uintptr_t)src_buf,
			  (rte_iova_t)(uintptr_t)heap_buf, 64, 0);
	TEST_ASSERT_SUCCESS(dp_complete_one(dev0, DP_VCHAN_INTER, id, &st), "copy to heap");
	TEST_ASSERT_EQUAL(st, RTE_DMA_STATUS_INVALID_DST_ADDR, "copy to heap status %d", st);
	TEST_ASSERT(ag_all_bytes(heap_buf, DP_LEN, DP_DST_BYTE), "heap written");

	memset(heap_buf, DP_SRC_BYTE, DP_LEN);
	id = rte_dma_copy(dev0, DP_VCHAN_INTER, (rte_iova_t)(uintptr_t)heap_buf,
			  (rte_iova_t)(uintptr_t)dst_buf, 64, 0);
	TEST_ASSERT_SUCCESS(dp_complete_one(dev0, DP_VCHAN_INTER, id, &st), "copy from heap");
	TEST_ASSERT_EQUAL(st, RTE_DMA_STATUS_INVALID_SRC_ADDR, "copy from heap status %d", st);
	TEST_ASSERT(ag_all_bytes(dst_buf, DP_LEN, DP_DST_BYTE), "dst written");

	id = rte_dma_fill(dev0, DP_VCHAN_INTER, 0, (rte_iova_t)(uintptr_t)heap_buf, 8, 0);
	TEST_ASSERT_SUCCESS(dp_complete_one(dev0, DP_VCHAN_INTER, id, &st), "fill heap");
	TEST_ASSERT_EQUAL(st, RTE_DMA_STATUS_INVALID_DST_ADDR, "fill heap status %d", st);

	TEST_ASSERT_SUCCESS(rte_dma_stats_get(dev0, DP_VCHAN_INTER, &stats), "stats");
	TEST_ASSERT(stats.submitted == 6 && stats.completed == 6 && stats.errors == 3,
		    "stats %" PRIu64 "/%" PRIu64 "/%" PRIu64 ", expected 6/6/3",
		    stats.submitted, stats.completed, stats.errors);
	return TEST_SUCCESS;
}

/*
 * One submit mixing good copies, copies with private memory on either side and a fill: each
 * op gets its own status and the copies after a refused one still run, to the right place.
 */
static int
test_inter_burst(void)
{
	static const enum rte_dma_status_code want[] = {
		RTE_DMA_STATUS_SUCCESSFUL, RTE_DMA_STATUS_INVALID_SRC_ADDR,
		RTE_DMA_STATUS_INVALID_DST_ADDR, RTE_DMA_STATUS_SUCCESSFUL,
		RTE_DMA_STATUS_INVALID_SRC_ADDR, RTE_DMA_STATUS_SUCCESSFUL,
	};
	enum rte_dma_status_code st[RTE_DIM(want)];
	uintptr_t s = (uintptr_t)src_buf, d = (uintptr_t)dst_buf, h = (uintptr_t)heap_buf;
	uint16_t last, i;

	dp_reset_bufs();
	memset(heap_buf, DP_SRC_BYTE, DP_LEN);
	TEST_ASSERT(rte_dma_copy(dev0, DP_VCHAN_INTER, s, d, 64, 0) >= 0, "enqueue 0");
	TEST_ASSERT(rte_dma_copy(dev0, DP_VCHAN_INTER, h, d + 64, 64, 0) >= 0, "enqueue 1");
	TEST_ASSERT(rte_dma_copy(dev0, DP_VCHAN_INTER, s, h + 128, 64, 0) >= 0, "enqueue 2");
	/* A pattern that looks like a shared address: a fill is not a copy. */
	TEST_ASSERT(rte_dma_fill(dev0, DP_VCHAN_INTER, s, d + 128, 64, 0) >= 0, "enqueue 3");
	/* A source that wraps around the address space is refused. */
	TEST_ASSERT(rte_dma_copy(dev0, DP_VCHAN_INTER, UINT64_MAX - 63, d + 192, 64, 0) >= 0,
		    "enqueue 4");
	TEST_ASSERT(rte_dma_copy(dev0, DP_VCHAN_INTER, s + 256, d + 256, 64, 0) >= 0,
		    "enqueue 5");
	TEST_ASSERT_SUCCESS(rte_dma_submit(dev0, DP_VCHAN_INTER), "submit");
	TEST_ASSERT_EQUAL(rte_dma_completed_status(dev0, DP_VCHAN_INTER, RTE_DIM(st), &last, st),
			  RTE_DIM(st), "completions");
	for (i = 0; i < RTE_DIM(want); i++)
		TEST_ASSERT_EQUAL(st[i], want[i], "op %u: status %d, expected %d", i, st[i],
				  want[i]);
	TEST_ASSERT(ag_all_bytes(dst_buf, 64, DP_SRC_BYTE), "copy 0 data");
	TEST_ASSERT(ag_all_bytes(dst_buf + 64, 64, DP_DST_BYTE), "refused copy 1 wrote");
	TEST_ASSERT(ag_all_bytes(heap_buf + 128, 64, DP_SRC_BYTE), "refused copy 2 wrote");
	for (i = 0; i < 64; i++)
		TEST_ASSERT_EQUAL(dst_buf[128 + i], ((const uint8_t *)&s)[i % sizeof(s)],
				  "fill 3 byte %u", i);
	TEST_ASSERT(ag_all_bytes(dst_buf + 192, 64, DP_DST_BYTE), "refused copy 4 wrote");
	TEST_ASSERT(ag_all_bytes(dst_buf + 256, 64, DP_SRC_BYTE), "copy 5 data");
	TEST_ASSERT(ag_all_bytes(dst_buf + 320, DP_LEN - 320, DP_DST_BYTE), "dst written past");
	return TEST_SUCCESS;
}

/* Once B left, ops fail with DEV_LINK_ERROR, including ops enqueued before it left. */
static int
test_inter_stale(void)
{
	enum rte_dma_status_code st[2];
	char tok[RTE_UUID_STRLEN];
	char *dump = NULL;
	size_t dump_len = 0;
	uint16_t last;
	FILE *f;
	int id;

	dp_reset_bufs();
	id = rte_dma_copy(dev0, DP_VCHAN_INTER, (rte_iova_t)(uintptr_t)src_buf,
			  (rte_iova_t)(uintptr_t)dst_buf, DP_LEN, 0);
	TEST_ASSERT(id >= 0, "enqueue");
	TEST_ASSERT_SUCCESS(rte_dma_access_pair_group_leave(dev1, group), "leave");
	dev1_joined = false;

	id = rte_dma_fill(dev0, DP_VCHAN_INTER, 0, (rte_iova_t)(uintptr_t)dst_buf, 64, 0);
	TEST_ASSERT(id >= 0, "enqueue");
	TEST_ASSERT_SUCCESS(rte_dma_submit(dev0, DP_VCHAN_INTER), "submit");
	TEST_ASSERT_EQUAL(rte_dma_completed_status(dev0, DP_VCHAN_INTER, 2, &last, st), 2,
			  "completions");
	TEST_ASSERT_EQUAL(last, (uint16_t)id, "last_idx");
	TEST_ASSERT(st[0] == RTE_DMA_STATUS_DEV_LINK_ERROR &&
		    st[1] == RTE_DMA_STATUS_DEV_LINK_ERROR, "statuses %d %d", st[0], st[1]);
	TEST_ASSERT(ag_all_bytes(dst_buf, DP_LEN, DP_DST_BYTE), "dst written after leave");

	/* The dump tells the vchan is stale and never shows the token. */
	f = open_memstream(&dump, &dump_len);
	TEST_ASSERT(f != NULL, "open_memstream");
	TEST_ASSERT_SUCCESS(rte_dma_dump(dev0, f), "dump");
	fclose(f);
	rte_uuid_unparse(token, tok, sizeof(tok));
	printf("%s", dump);
	TEST_ASSERT(strstr(dump, "link stale") != NULL, "dump does not show the stale link");
	TEST_ASSERT(strstr(dump, tok) == NULL && memmem(dump, dump_len, token, 4) == NULL,
		    "dump shows the token");
	free(dump);

	TEST_ASSERT_SUCCESS(rte_dma_stop(dev0), "stop");
	TEST_ASSERT_EQUAL(dp_vchan_inter(dev0, DP_VCHAN_INTER, handler_a, handler_b), -EPERM,
			  "setup with a departed member accepted");
	TEST_ASSERT_SUCCESS(rte_dma_access_pair_group_destroy(dev0, group), "destroy");
	group = -1;
	return TEST_SUCCESS;
}

/*
 * Group calls of both devices, with a refused join, logged at DEBUG level into memory: the
 * driver logs something (its failures), never the token nor the wrong one a joiner tried.
 */
static int
test_group_logs(void)
{
	static const char *const types[] = {
		"lib.dmadev", "pmd.dma.skeleton_ag", "pmd.dma.skeleton_ag.ctrl",
	};
	static rte_uuid_t log_token = {
		0x3c, 0x9e, 0x61, 0xd5, 0x0b, 0x72, 0x4a, 0xe8,
		0x95, 0x1f, 0xc7, 0x48, 0x2d, 0xb6, 0x5a, 0x03
	};
	static rte_uuid_t wrong_token = {
		0x3c, 0x9e, 0x61, 0xd5, 0x0b, 0x72, 0x4a, 0xe8,
		0x95, 0x1f, 0xc7, 0x48, 0x2d, 0xb6, 0x5a, 0x04
	};
	uint32_t global_level = rte_log_get_global_level();
	int type_id[RTE_DIM(types)], type_level[RTE_DIM(types)];
	int ret_create, ret_wrong = 0, ret_join = 0, ret_h0 = 0, ret_h1 = 0;
	int ret_leave = -1, ret_destroy = -1;
	FILE *prev = rte_log_get_stream();
	const char *leak, *wrong_leak;
	uint16_t h0 = 0, h1 = 0;
	int16_t g = -1;
	char *buf = NULL;
	bool from_driver;
	size_t len = 0;
	unsigned int i;
	FILE *f;

	for (i = 0; i < RTE_DIM(types); i++) {
		type_id[i] = rte_log_register(types[i]);
		TEST_ASSERT(type_id[i] >= 0, "log type %s: %d", types[i], type_id[i]);
		type_level[i] = rte_log_get_level(type_id[i]);
	}
	f = open_memstream(&buf, &len);
	TEST_ASSERT(f != NULL, "open_memstream");
	rte_openlog_stream(f);
	rte_log_set_global_level(RTE_LOG_DEBUG);
	for (i = 0; i < RTE_DIM(types); i++)
		rte_log_set_level(type_id[i], RTE_LOG_DEBUG);

	ret_create = rte_dma_access_pair_group_create(dev0, domain_a, log_token, &g, NULL);
	if (ret_create == 0) {
		ret_wrong = rte_dma_access_pair_group_join(dev1, domain_b, wrong_token, g, NULL);
		ret_join = rte_dma_access_pair_group_join(dev1, domain_b, log_token, g, NULL);
		ret_h0 = rte_dma_access_pair_group_handler_get(dev0, g, domain_b, &h0);
		ret_h1 = rte_dma_access_pair_group_handler_get(dev1, g, domain_a, &h1);
		if (ret_join == 0)
			ret_leave = rte_dma_access_pair_group_leave(dev1, g);
		ret_destroy = rte_dma_access_pair_group_destroy(dev0, g);
	}

	for (i = 0; i < RTE_DIM(types); i++)
		rte_log_set_level(type_id[i], type_level[i]);
	rte_log_set_global_level(global_level);
	rte_openlog_stream(prev);
	fclose(f);

	leak = ag_token_leak(buf, len, log_token);
	wrong_leak = ag_token_leak(buf, len, wrong_token);
	from_driver = buf != NULL && strstr(buf, "skag_") != NULL;
	printf("%zu bytes logged by the group calls\n", len);
	free(buf);
	TEST_ASSERT_SUCCESS(ret_create, "create");
	TEST_ASSERT_EQUAL(ret_wrong, -EACCES, "join with a wrong token returned %d", ret_wrong);
	TEST_ASSERT_SUCCESS(ret_join, "join");
	TEST_ASSERT_SUCCESS(ret_h0, "handler_get on %s", DP_DEV0);
	TEST_ASSERT_SUCCESS(ret_h1, "handler_get on %s", DP_DEV1);
	TEST_ASSERT_SUCCESS(ret_leave, "leave");
	TEST_ASSERT_SUCCESS(ret_destroy, "destroy");
	TEST_ASSERT(len > 0 && from_driver, "nothing logged by the driver");
	TEST_ASSERT(leak == NULL, "token in the log (%s)", leak);
	TEST_ASSERT(wrong_leak == NULL, "wrong token in the log (%s)", wrong_leak);
	return TEST_SUCCESS;
}

/* Dump of a device (table sizes, vchans, groups); NULL on failure, free() it. */
static char *
dp_dump(int16_t dev)
{
	char *dump = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	f = open_memstream(&dump, &len);
	if (f == NULL)
		return NULL;
	ret = rte_dma_dump(dev, f);
	fclose(f);
	if (ret != 0) {
		free(dump);
		return NULL;
	}
	return dump;
}

/* A probe with bad devargs fails with the driver's -EINVAL and creates no dmadev. */
static int __rte_format_printf(1, 2)
dp_devargs_bad(const char *fmt, ...)
{
	uint16_t avail = rte_dma_count_avail();
	char args[64];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	ret = rte_vdev_init(DP_DEV_NEW, args);
	if (ret == 0)
		rte_vdev_uninit(DP_DEV_NEW);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "devargs \"%s\": probe returned %d, expected -EINVAL",
			  args, ret);
	TEST_ASSERT(rte_dma_get_dev_id_by_name(DP_DEV_NEW) < 0, "devargs \"%s\": dmadev left",
		    args);
	TEST_ASSERT_EQUAL(rte_dma_count_avail(), avail, "devargs \"%s\": %u dmadevs, expected %u",
			  args, rte_dma_count_avail(), avail);
	return TEST_SUCCESS;
}

/* A probe with good devargs creates the dmadev; removing it restores the count. */
static int
dp_devargs_good(const char *args)
{
	uint16_t avail = rte_dma_count_avail();
	int ret, id;

	ret = rte_vdev_init(DP_DEV_NEW, args);
	TEST_ASSERT_SUCCESS(ret, "devargs \"%s\": probe returned %d", args ? args : "", ret);
	id = rte_dma_get_dev_id_by_name(DP_DEV_NEW);
	ret = rte_vdev_uninit(DP_DEV_NEW);
	TEST_ASSERT(id >= 0, "devargs \"%s\": no dmadev after probe", args ? args : "");
	TEST_ASSERT_EQUAL(ret, 0, "remove returned %d", ret);
	TEST_ASSERT(rte_dma_get_dev_id_by_name(DP_DEV_NEW) < 0, "dmadev left after remove");
	TEST_ASSERT_EQUAL(rte_dma_count_avail(), avail, "%u dmadevs after remove, expected %u",
			  rte_dma_count_avail(), avail);
	return TEST_SUCCESS;
}

/*
 * Devargs of a new device: every bad value is refused with -EINVAL (rte_vdev_init returns
 * what the probe returns), without a dmadev or a change to the existing table. The table
 * exists already (ag0 and ag1 made it), so explicit sizes must match it: the malformed values
 * below are built from its sizes where possible, so that only the syntax makes them fail.
 */
static int
test_devargs(void)
{
	unsigned int g, m, other_g, other_m, nb_fail = 0;
	char args[64], *before, *after, *p;
	int ret = TEST_FAILED;

	before = dp_dump(dev0);
	TEST_ASSERT(before != NULL, "dump of %s", DP_DEV0);
	p = strstr(before, "table max_groups ");
	if (p == NULL || sscanf(p, "table max_groups %u max_members %u", &g, &m) != 2) {
		printf("no table sizes in the dump of %s:\n%s", DP_DEV0, before);
		goto out;
	}
	other_g = g == 1 ? 2 : g - 1;
	other_m = m == 2 ? 3 : m - 1;

	nb_fail += dp_devargs_bad("max_groups=0") != 0;
	nb_fail += dp_devargs_bad("max_groups=1025") != 0;
	nb_fail += dp_devargs_bad("max_groups=%u", 65536 + g) != 0; /* the size if truncated */
	nb_fail += dp_devargs_bad("max_groups=abc") != 0;
	nb_fail += dp_devargs_bad("max_groups=-2") != 0;
	nb_fail += dp_devargs_bad("max_groups= %u", g) != 0;
	nb_fail += dp_devargs_bad("max_groups=+%u", g) != 0;
	nb_fail += dp_devargs_bad("max_groups=%ux", g) != 0;
	nb_fail += dp_devargs_bad("max_groups=%u ", g) != 0;
	nb_fail += dp_devargs_bad("max_groups=0x%x", g) != 0;
	nb_fail += dp_devargs_bad("max_groups=") != 0;
	nb_fail += dp_devargs_bad("max_groups") != 0;
	nb_fail += dp_devargs_bad("max_members=1") != 0;
	nb_fail += dp_devargs_bad("max_members=65") != 0;
	nb_fail += dp_devargs_bad("max_members=%u", 65536 + m) != 0;
	nb_fail += dp_devargs_bad("max_members=%ux", m) != 0;
	nb_fail += dp_devargs_bad("foo=1") != 0;
	nb_fail += dp_devargs_bad("max_groups=%u,foo=1", g) != 0;
	nb_fail += dp_devargs_bad("max_groups=%u,max_groups=%u", g, g) != 0;
	nb_fail += dp_devargs_bad("max_members=%u,max_members=%u", m, m) != 0;
	/* Valid values, but not the sizes of the existing table. */
	nb_fail += dp_devargs_bad("max_groups=%u", other_g) != 0;
	nb_fail += dp_devargs_bad("max_members=%u", other_m) != 0;
	nb_fail += dp_devargs_bad("max_groups=%u,max_members=%u", g, other_m) != 0;
	nb_fail += dp_devargs_bad("max_groups=%u,max_members=%u", other_g, m) != 0;
	if (nb_fail != 0) {
		printf("%u bad devargs not refused cleanly\n", nb_fail);
		goto out;
	}

	after = dp_dump(dev0);
	if (after == NULL || strcmp(before, after) != 0) {
		printf("%s changed by failed probes:\n%s---\n%s", DP_DEV0, before,
		       after ? after : "(no dump)\n");
		free(after);
		goto out;
	}
	free(after);

	/* The table's own sizes, or none, attach to it. */
	snprintf(args, sizeof(args), "max_groups=%u,max_members=%u", g, m);
	if (dp_devargs_good(args) != TEST_SUCCESS || dp_devargs_good(NULL) != TEST_SUCCESS ||
	    dp_devargs_good("") != TEST_SUCCESS)
		goto out;
	ret = TEST_SUCCESS;
out:
	free(before);
	return ret;
}

/*
 * An application may close a device before EAL removes it: the remove must still find the
 * device (rte_dma_close() zeroed the rte_dma_dev) and drop its reference on the control plane,
 * and a device probed again in the freed dmadev slot must be removable too.
 */
static int
test_close_then_remove(void)
{
	uint16_t avail = rte_dma_count_avail();
	int id, ret, round;

	for (round = 0; round < 2; round++) {
		ret = rte_vdev_init(DP_DEV_NEW, NULL);
		TEST_ASSERT_SUCCESS(ret, "round %d: probe returned %d", round, ret);
		id = rte_dma_get_dev_id_by_name(DP_DEV_NEW);
		TEST_ASSERT(id >= 0, "round %d: no dmadev after probe", round);
		if (round == 0) {
			ret = rte_dma_close(id);
			TEST_ASSERT_SUCCESS(ret, "close returned %d", ret);
			TEST_ASSERT(rte_dma_get_dev_id_by_name(DP_DEV_NEW) < 0,
				    "dmadev left after close");
		}
		ret = rte_vdev_uninit(DP_DEV_NEW);
		TEST_ASSERT_EQUAL(ret, 0, "round %d: remove returned %d", round, ret);
		TEST_ASSERT(rte_dma_get_dev_id_by_name(DP_DEV_NEW) < 0,
			    "round %d: dmadev left after remove", round);
		TEST_ASSERT_EQUAL(rte_dma_count_avail(), avail, "round %d: %u dmadevs, expected %u",
				  round, rte_dma_count_avail(), avail);
	}
	return TEST_SUCCESS;
}

/*
 * Device names the driver gets whatever the order drivers registered in: the stock skeleton's
 * dma_skeleton prefixes no name of ours. Before 23.11 (the driver's backport to 22.11, whose vdev
 * bus takes the longest matching name) the driver also has its old name, documented there.
 */
static const char *const dp_probe_names[] = {
	"dma_skag8",
#if RTE_VERSION_NUM(23, 11, 0, 0) > RTE_VERSION
	"dma_skeleton_ag8",
#endif
};

static int
test_probe_names(void)
{
	struct rte_dma_info info;
	unsigned int i;
	int id, ret;

	for (i = 0; i < RTE_DIM(dp_probe_names); i++) {
		const char *name = dp_probe_names[i];

		ret = rte_vdev_init(name, NULL);
		TEST_ASSERT_SUCCESS(ret, "%s: probe returned %d", name, ret);
		id = rte_dma_get_dev_id_by_name(name);
		ret = id < 0 ? id : rte_dma_info_get(id, &info);
		rte_vdev_uninit(name);
		TEST_ASSERT_SUCCESS(ret, "%s: no dmadev or no info (%d)", name, ret);
		/* Of the two drivers, only skeleton_ag has the capability. */
		TEST_ASSERT(info.dev_capa & RTE_DMA_CAPA_INTER_PROCESS_DOMAIN,
			    "%s: probed by another driver", name);
	}
	return TEST_SUCCESS;
}

/* --- addresses a vchan must refuse without writing or faulting --- */

#define DP_HUGE_LEN	(512u << 20)
#define DP_PAGE		4096

struct dp_runs {
	unsigned int nb;
	struct rte_memseg_list *msl[256];
	uintptr_t start[256];
	uintptr_t end[256];
};

static int
dp_run_add(const struct rte_memseg_list *msl, const struct rte_memseg *ms, size_t len,
	   void *arg)
{
	struct dp_runs *runs = arg;

	if (msl->external || runs->nb == RTE_DIM(runs->start))
		return 0;
	runs->start[runs->nb] = (uintptr_t)ms->addr;
	runs->end[runs->nb++] = (uintptr_t)ms->addr + len;
	return 0;
}

/*
 * End of the backed DPDK memory holding addr: runs of backed segments that touch count as one,
 * since a device may not tell them apart. 0 if addr is not in backed memory.
 */
static uintptr_t
dp_backed_end(uintptr_t addr)
{
	struct dp_runs runs = { .nb = 0 };
	uintptr_t end = 0;
	unsigned int i;
	bool grown;

	rte_memseg_contig_walk(dp_run_add, &runs);
	for (i = 0; i < runs.nb; i++)
		if (runs.start[i] <= addr && addr < runs.end[i])
			end = runs.end[i];
	do {
		grown = false;
		for (i = 0; end != 0 && i < runs.nb; i++) {
			if (runs.start[i] <= end && runs.end[i] > end) {
				end = runs.end[i];
				grown = true;
			}
		}
	} while (grown);
	return end;
}

/* One op, submitted and completed: its status must be want. */
static int
dp_expect(int16_t dev, uint16_t vchan, int id, enum rte_dma_status_code want, const char *what)
{
	enum rte_dma_status_code st;

	TEST_ASSERT_SUCCESS(dp_complete_one(dev, vchan, id, &st), "%s", what);
	TEST_ASSERT_EQUAL(st, want, "%s: status %d, expected %d", what, st, want);
	return TEST_SUCCESS;
}

static int
dp_copy_expect(uint16_t vchan, uintptr_t src, uintptr_t dst, uint32_t len,
	       enum rte_dma_status_code want, const char *what)
{
	return dp_expect(dev0, vchan, rte_dma_copy(dev0, vchan, src, dst, len, 0), want, what);
}

static int
dp_fill_expect(uint16_t vchan, uintptr_t dst, uint32_t len, enum rte_dma_status_code want,
	       const char *what)
{
	return dp_expect(dev0, vchan, rte_dma_fill(dev0, vchan, 0x5a5a5a5a5a5a5a5aULL, dst, len,
						   0), want, what);
}

static int
dp_sg_expect(uint16_t vchan, uintptr_t src, uint32_t src_len, uintptr_t dst, uint32_t dst_len,
	     enum rte_dma_status_code want, const char *what)
{
	struct rte_dma_sge s[2] = { { (rte_iova_t)(uintptr_t)src_buf, 64 }, { src, src_len } };
	struct rte_dma_sge d[2] = { { (rte_iova_t)(uintptr_t)(dst_buf + DP_LEN - 64), 64 },
				    { dst, dst_len } };

	/* A good first entry on each side: refused as a whole, it writes nothing either. */
	return dp_expect(dev0, vchan, rte_dma_copy_sg(dev0, vchan, s, d, 2, 2, 0), want, what);
}

/*
 * The checks of one vchan, with buf4k a 4 KiB rte_malloc buffer: lengths running far past it
 * (0xFFFFFFFF and 512 MiB), a range straddling the end of backed memory and address 0, as
 * source and as destination, for copy, fill and copy_sg. A source is checked before its
 * destination, so a copy can only show a long destination with a source that long (local
 * vchans, below). dst_buf, buf4k and the backed bytes below the end must stay as they were.
 */
static int
dp_bad_addrs(uint16_t vchan, uint8_t *buf4k)
{
	const enum rte_dma_status_code bad_src = RTE_DMA_STATUS_INVALID_SRC_ADDR;
	const enum rte_dma_status_code bad_dst = RTE_DMA_STATUS_INVALID_DST_ADDR;
	const uint32_t lens[] = { UINT32_MAX, DP_HUGE_LEN };
	uintptr_t b = (uintptr_t)buf4k, s = (uintptr_t)src_buf, d = (uintptr_t)dst_buf;
	uint8_t below[DP_PAGE / 2];
	uintptr_t end, edge;
	unsigned int i;

	end = dp_backed_end(b);
	TEST_ASSERT(end != 0, "4 KiB buffer not in backed memory");
	/* Else the long ranges would be valid: the run needs little memory (-m 64). */
	TEST_ASSERT(end - b < DP_HUGE_LEN, "%zu MiB backed after the buffer: run with -m 64",
		    (size_t)((end - b) >> 20));
	edge = end - sizeof(below);
	memset(buf4k, DP_DST_BYTE, DP_PAGE);
	dp_reset_bufs();
	memcpy(below, (void *)edge, sizeof(below));

	for (i = 0; i < RTE_DIM(lens); i++) {
		TEST_ASSERT_SUCCESS(dp_copy_expect(vchan, b, d, lens[i], bad_src, "long copy"),
				    "vchan %u, %u bytes from the buffer", vchan, lens[i]);
		TEST_ASSERT_SUCCESS(dp_fill_expect(vchan, b, lens[i], bad_dst, "long fill"),
				    "vchan %u, %u bytes to the buffer", vchan, lens[i]);
		TEST_ASSERT_SUCCESS(dp_sg_expect(vchan, b, lens[i], d, lens[i], bad_src,
						 "long sg source"), "vchan %u", vchan);
		TEST_ASSERT_SUCCESS(dp_sg_expect(vchan, s, 64, b, lens[i], bad_dst,
						 "long sg destination"), "vchan %u", vchan);
	}
	TEST_ASSERT_SUCCESS(dp_copy_expect(vchan, edge, d, DP_PAGE, bad_src, "edge copy"),
			    "vchan %u, source across the end of backed memory", vchan);
	TEST_ASSERT_SUCCESS(dp_copy_expect(vchan, s, edge, DP_PAGE, bad_dst, "edge copy"),
			    "vchan %u, destination across the end of backed memory", vchan);
	TEST_ASSERT_SUCCESS(dp_fill_expect(vchan, edge, DP_PAGE, bad_dst, "edge fill"),
			    "vchan %u", vchan);
	TEST_ASSERT_SUCCESS(dp_sg_expect(vchan, edge, DP_PAGE, d, DP_PAGE, bad_src,
					 "edge sg source"), "vchan %u", vchan);
	TEST_ASSERT_SUCCESS(dp_sg_expect(vchan, s, DP_PAGE, edge, DP_PAGE, bad_dst,
					 "edge sg destination"), "vchan %u", vchan);
	TEST_ASSERT_SUCCESS(dp_copy_expect(vchan, 0, d, 64, bad_src, "copy from 0"),
			    "vchan %u", vchan);
	TEST_ASSERT_SUCCESS(dp_copy_expect(vchan, s, 0, 64, bad_dst, "copy to 0"),
			    "vchan %u", vchan);
	TEST_ASSERT_SUCCESS(dp_fill_expect(vchan, 0, 64, bad_dst, "fill of 0"), "vchan %u", vchan);
	TEST_ASSERT_SUCCESS(dp_sg_expect(vchan, 0, 64, d, 64, bad_src, "sg from 0"),
			    "vchan %u", vchan);
	TEST_ASSERT_SUCCESS(dp_sg_expect(vchan, s, 64, 0, 64, bad_dst, "sg to 0"),
			    "vchan %u", vchan);

	TEST_ASSERT(ag_all_bytes(dst_buf, DP_LEN, DP_DST_BYTE), "vchan %u: destination written",
		    vchan);
	TEST_ASSERT(ag_all_bytes(buf4k, DP_PAGE, DP_DST_BYTE), "vchan %u: buffer written", vchan);
	TEST_ASSERT(memcmp(below, (void *)edge, sizeof(below)) == 0,
		    "vchan %u: backed memory below the end written", vchan);
	return TEST_SUCCESS;
}

/* Bad addresses on the inter-domain vchan (A to B) and on the local one of the same device. */
static int
test_bad_addresses(void)
{
	struct rte_dma_info info;
	uint8_t *buf4k;
	int ret;

	TEST_ASSERT_SUCCESS(rte_dma_info_get(dev0, &info), "info");
	TEST_ASSERT(info.dev_capa & RTE_DMA_CAPA_HANDLES_ERRORS, "no HANDLES_ERRORS capability");
	buf4k = rte_malloc("dp_buf4k", DP_PAGE, 0);
	TEST_ASSERT_NOT_NULL(buf4k, "rte_malloc");
	ret = dp_bad_addrs(DP_VCHAN_INTER, buf4k);
	if (ret == TEST_SUCCESS)
		ret = dp_bad_addrs(DP_VCHAN_LOCAL, buf4k);
	rte_free(buf4k);
	return ret;
}

/*
 * A local vchan also reaches private memory (SVA), as the process may access it: malloc()
 * memory both ways and a read-only page as source; a read-only page as destination, an
 * unmapped page either way, and a long destination behind a readable source are refused.
 */
static int
test_local_private_memory(void)
{
	const enum rte_dma_status_code ok = RTE_DMA_STATUS_SUCCESSFUL;
	const enum rte_dma_status_code bad_src = RTE_DMA_STATUS_INVALID_SRC_ADDR;
	const enum rte_dma_status_code bad_dst = RTE_DMA_STATUS_INVALID_DST_ADDR;
	const uint16_t v = DP_VCHAN_LOCAL;
	uintptr_t ro, gone, big, h = (uintptr_t)heap_buf, d = (uintptr_t)dst_buf;
	uint8_t *pages, *longsrc;
	int ret = TEST_FAILED;

	TEST_ASSERT_SUCCESS(rte_dma_start(dev0), "start");
	pages = mmap(NULL, 2 * DP_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		     0);
	TEST_ASSERT(pages != MAP_FAILED, "mmap");
	/* Never backed: reserved only. */
	longsrc = mmap(NULL, DP_HUGE_LEN, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	if (longsrc == MAP_FAILED) {
		munmap(pages, 2 * DP_PAGE);
		TEST_ASSERT(false, "mmap of %u bytes", DP_HUGE_LEN);
	}
	memset(pages, 0x77, DP_PAGE);
	ro = (uintptr_t)pages;
	gone = ro + DP_PAGE;
	big = (uintptr_t)longsrc;
	if (mprotect(pages, DP_PAGE, PROT_READ) != 0 || munmap((void *)gone, DP_PAGE) != 0) {
		printf("mprotect or munmap failed\n");
		goto out;
	}

	dp_reset_bufs();
	memset(heap_buf, DP_SRC_BYTE, DP_LEN);
	if (dp_copy_expect(v, h, d, DP_LEN, ok, "copy from malloc memory") != 0 ||
	    !ag_all_bytes(dst_buf, DP_LEN, DP_SRC_BYTE))
		goto out;
	if (dp_fill_expect(v, h, DP_LEN, ok, "fill of malloc memory") != 0 ||
	    !ag_all_bytes(heap_buf, DP_LEN, 0x5a))
		goto out;
	if (dp_copy_expect(v, ro, d, DP_PAGE, ok, "copy from a read-only page") != 0 ||
	    !ag_all_bytes(dst_buf, DP_PAGE, 0x77))
		goto out;
	dp_reset_bufs();
	if (dp_copy_expect(v, (uintptr_t)src_buf, ro, 64, bad_dst, "copy to a read-only page") ||
	    dp_fill_expect(v, ro, 64, bad_dst, "fill of a read-only page") ||
	    dp_sg_expect(v, (uintptr_t)src_buf, 64, ro, 64, bad_dst, "sg to a read-only page") ||
	    dp_copy_expect(v, gone, d, 64, bad_src, "copy from an unmapped page") ||
	    dp_copy_expect(v, (uintptr_t)src_buf, gone, 64, bad_dst, "copy to an unmapped page") ||
	    dp_fill_expect(v, gone, 64, bad_dst, "fill of an unmapped page") ||
	    dp_sg_expect(v, gone, 64, d, 64, bad_src, "sg from an unmapped page") ||
	    dp_copy_expect(v, big, (uintptr_t)heap_buf, DP_HUGE_LEN, bad_dst,
			   "512 MiB to a malloc buffer") ||
	    dp_copy_expect(v, big, d, UINT32_MAX, bad_src, "4 GiB from a 512 MiB mapping"))
		goto out;
	if (!ag_all_bytes(pages, DP_PAGE, 0x77) || !ag_all_bytes(dst_buf, DP_LEN, DP_DST_BYTE) ||
	    !ag_all_bytes(heap_buf, DP_LEN, DP_DST_BYTE)) {
		printf("a refused op wrote\n");
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	munmap(pages, DP_PAGE);
	munmap(longsrc, DP_HUGE_LEN);
	return ret;
}

/* --- telemetry of a full table --- */

#define DP_TEL_LEN	16384

/* Group ids of one page of /dmadev/skeleton_ag/groups from first; their count, -1 if none. */
static int
dp_tel_groups(int first, int *ids, int max, int *next)
{
	char cmd[64], reply[DP_TEL_LEN];
	const char *p;
	char *end;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "/dmadev/skeleton_ag/groups,%d", first);
	if (ag_telemetry(cmd, reply, sizeof(reply)) != 0 ||
	    ag_tel_int(reply, "next", next) != 0) {
		printf("%s: %.200s\n", cmd, reply);
		return -1;
	}
	p = strstr(reply, "\"groups\":[");
	if (p == NULL)
		return -1;
	p += strlen("\"groups\":[");
	while (*p != ']') {
		if (n == max)
			return -1;
		ids[n++] = (int)strtol(p, &end, 10);
		if (end == p)
			return -1;
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

/* live_groups of /dmadev/skeleton_ag/table, -1 if unknown. */
static int
dp_tel_live_groups(void)
{
	char reply[1024];
	int v;

	if (ag_telemetry("/dmadev/skeleton_ag/table", reply, sizeof(reply)) != 0 ||
	    ag_tel_int(reply, "live_groups", &v) != 0)
		return -1;
	return v;
}

#define DP_MAX_GROUPS	1024

static int16_t dp_groups[DP_MAX_GROUPS];
static unsigned int dp_nb_groups;

/* Create groups on ag0 until the table is full; returns how many. */
static unsigned int
dp_fill_table(void)
{
	int16_t g;

	while (dp_nb_groups < DP_MAX_GROUPS &&
	       rte_dma_access_pair_group_create(dev0, domain_a, token, &g, NULL) == 0)
		dp_groups[dp_nb_groups++] = g;
	return dp_nb_groups;
}

static void
dp_groups_teardown(void)
{
	while (dp_nb_groups > 0)
		rte_dma_access_pair_group_destroy(dev0, dp_groups[--dp_nb_groups]);
}

/*
 * The largest table (max_groups=1024) full: paging through the groups lists each live id
 * exactly once, "next" leading from page to page and to -1 after the last. Destroyed, all of
 * them can be created again: no slot leaked.
 */
static int
test_telemetry_full_table(void)
{
	static int ids[DP_MAX_GROUPS];
	static uint8_t seen[DP_MAX_GROUPS];
	char reply[1024];
	int max_groups, first = 0, next;
	unsigned int total = 0, pages = 0, i;
	int n, ret;
	int16_t g;

	TEST_ASSERT(ag_telemetry("/dmadev/skeleton_ag/table", reply, sizeof(reply)) == 0 &&
		    ag_tel_int(reply, "max_groups", &max_groups) == 0, "table: %s", reply);
	TEST_ASSERT_EQUAL(max_groups, DP_MAX_GROUPS, "needs max_groups=%d, table has %d",
			  DP_MAX_GROUPS, max_groups);
	TEST_ASSERT_EQUAL(dp_tel_live_groups(), 0, "groups live before the case");
	TEST_ASSERT_EQUAL(dp_fill_table(), DP_MAX_GROUPS, "%u groups created", dp_nb_groups);
	ret = rte_dma_access_pair_group_create(dev0, domain_a, token, &g, NULL);
	TEST_ASSERT_EQUAL(ret, -ENOSPC, "create in a full table: %d", ret);

	memset(seen, 0, sizeof(seen));
	do {
		n = dp_tel_groups(first, ids, RTE_DIM(ids), &next);
		TEST_ASSERT(n > 0, "page from %d: no reply or no group (%d)", first, n);
		TEST_ASSERT(n <= 256, "%d ids on a page", n);
		for (i = 0; i < (unsigned int)n; i++) {
			TEST_ASSERT(ids[i] >= first && ids[i] < DP_MAX_GROUPS,
				    "id %d on the page from %d", ids[i], first);
			TEST_ASSERT(!seen[ids[i]], "id %d listed twice", ids[i]);
			seen[ids[i]] = 1;
		}
		total += n;
		pages++;
		TEST_ASSERT(next == -1 || next > ids[n - 1], "next %d after %d", next,
			    ids[n - 1]);
		first = next;
	} while (next != -1 && pages <= DP_MAX_GROUPS);
	TEST_ASSERT_EQUAL(total, DP_MAX_GROUPS, "%u ids listed", total);
	for (i = 0; i < dp_nb_groups; i++)
		TEST_ASSERT(seen[dp_groups[i]], "group %d not listed", dp_groups[i]);
	printf("%u groups listed in %u pages\n", total, pages);

	dp_groups_teardown();
	TEST_ASSERT_EQUAL(dp_tel_live_groups(), 0, "groups left after destroying all");
	TEST_ASSERT_EQUAL(dp_tel_groups(0, ids, RTE_DIM(ids), &next), 0, "ids of an empty table");
	TEST_ASSERT_EQUAL(next, -1, "next of an empty table: %d", next);
	TEST_ASSERT_EQUAL(dp_fill_table(), DP_MAX_GROUPS, "only %u groups created again",
			  dp_nb_groups);
	TEST_ASSERT_EQUAL(dp_tel_live_groups(), DP_MAX_GROUPS, "live groups of a full table");
	return TEST_SUCCESS;
}

static struct unit_test_suite dp_suite = {
	.suite_name = "skeleton_ag data path",
	.setup = dp_suite_setup,
	.teardown = NULL,
	.unit_test_cases = {
		TEST_CASE_ST(dp_fx_setup, dp_fx_teardown, test_local_copy_sg),
		TEST_CASE_ST(dp_fx_setup, dp_fx_teardown, test_inter_setup),
		TEST_CASE_ST(dp_fx_inter_setup, dp_fx_teardown, test_inter_ops),
		TEST_CASE_ST(dp_fx_inter_setup, dp_fx_teardown, test_inter_burst),
		TEST_CASE_ST(dp_fx_inter_setup, dp_fx_teardown, test_inter_stale),
		TEST_CASE_ST(dp_fx_inter_setup, dp_fx_teardown, test_bad_addresses),
		TEST_CASE_ST(dp_fx_setup, dp_fx_teardown, test_local_private_memory),
		TEST_CASE(test_group_logs),
		TEST_CASE(test_devargs),
		TEST_CASE(test_close_then_remove),
		TEST_CASE(test_probe_names),
		TEST_CASES_END()
	}
};

/* The telemetry case needs max_groups=1024 on both devices: a run of its own. */
static struct unit_test_suite dp_tel_suite = {
	.suite_name = "skeleton_ag telemetry",
	.setup = dp_suite_setup,
	.teardown = NULL,
	.unit_test_cases = {
		TEST_CASE_ST(NULL, dp_groups_teardown, test_telemetry_full_table),
		TEST_CASES_END()
	}
};

static int
test_dmadev_access_group_dp(void)
{
	return unit_test_suite_runner(&dp_suite);
}

static int
test_dmadev_access_group_telemetry(void)
{
	return unit_test_suite_runner(&dp_tel_suite);
}

#endif /* !RTE_EXEC_ENV_WINDOWS */

REGISTER_DRIVER_TEST(dmadev_access_group_dp_autotest, test_dmadev_access_group_dp);
REGISTER_DRIVER_TEST(dmadev_access_group_telemetry_autotest, test_dmadev_access_group_telemetry);
