/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK inter-domain DMA authors
 */

/*
 * An application written against the inter-domain dmadev API of upstream
 * DPDK 25.11, with its spelling of every new symbol, type and field. It
 * must build unchanged against the patched 22.11; the compile-time checks
 * below pin the upstream values and signatures. At run time it checks the
 * library refuses the calls on the stock dma_skeleton device, which has no
 * inter-domain capability.
 *
 * Usage: upstream_api_user <EAL args, including --vdev=dma_skeleton>
 */

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_uuid.h>

#define SKELETON_NAME "dma_skeleton"

/* Values fixed by upstream DPDK 25.11. */
static_assert(RTE_DMA_CAPA_INTER_PROCESS_DOMAIN == RTE_BIT64(9),
	      "RTE_DMA_CAPA_INTER_PROCESS_DOMAIN value");
static_assert(RTE_DMA_CAPA_INTER_OS_DOMAIN == RTE_BIT64(10),
	      "RTE_DMA_CAPA_INTER_OS_DOMAIN value");
static_assert(RTE_DMA_INTER_DOMAIN_NONE == 0, "RTE_DMA_INTER_DOMAIN_NONE value");
static_assert(RTE_DMA_INTER_PROCESS_DOMAIN == 1, "RTE_DMA_INTER_PROCESS_DOMAIN value");
static_assert(RTE_DMA_INTER_OS_DOMAIN == 2, "RTE_DMA_INTER_OS_DOMAIN value");
static_assert(RTE_DMA_GROUP_EVENT_MEMBER_LEFT == 0, "RTE_DMA_GROUP_EVENT_MEMBER_LEFT value");
static_assert(RTE_DMA_GROUP_EVENT_GROUP_DESTROYED == 1,
	      "RTE_DMA_GROUP_EVENT_GROUP_DESTROYED value");

/* Field types of struct rte_dma_inter_domain_param. */
#define SAME_TYPE(a, b) __builtin_types_compatible_p(a, b)
static_assert(SAME_TYPE(__typeof__(((struct rte_dma_inter_domain_param *)0)->type),
			enum rte_dma_inter_domain_type), "type field");
static_assert(SAME_TYPE(__typeof__(((struct rte_dma_inter_domain_param *)0)->src_handler),
			uint16_t), "src_handler field");
static_assert(SAME_TYPE(__typeof__(((struct rte_dma_inter_domain_param *)0)->dst_handler),
			uint16_t), "dst_handler field");
static_assert(SAME_TYPE(__typeof__(((struct rte_dma_inter_domain_param *)0)->reserved),
			uint64_t[2]), "reserved field");
static_assert(SAME_TYPE(__typeof__(((struct rte_dma_vchan_conf *)0)->domain),
			struct rte_dma_inter_domain_param), "vchan domain field");

/* Signatures of the callback type and of the calls. */
static_assert(SAME_TYPE(rte_dma_access_pair_group_event_cb_t,
			void (*)(int16_t, int16_t, rte_uuid_t,
				 enum rte_dma_access_pair_group_event_type)),
	      "rte_dma_access_pair_group_event_cb_t");
static_assert(SAME_TYPE(__typeof__(&rte_dma_access_pair_group_create),
			int (*)(int16_t, rte_uuid_t, rte_uuid_t, int16_t *,
				rte_dma_access_pair_group_event_cb_t)),
	      "rte_dma_access_pair_group_create");
static_assert(SAME_TYPE(__typeof__(&rte_dma_access_pair_group_destroy),
			int (*)(int16_t, int16_t)),
	      "rte_dma_access_pair_group_destroy");
static_assert(SAME_TYPE(__typeof__(&rte_dma_access_pair_group_join),
			int (*)(int16_t, rte_uuid_t, rte_uuid_t, int16_t,
				rte_dma_access_pair_group_event_cb_t)),
	      "rte_dma_access_pair_group_join");
static_assert(SAME_TYPE(__typeof__(&rte_dma_access_pair_group_leave),
			int (*)(int16_t, int16_t)),
	      "rte_dma_access_pair_group_leave");
static_assert(SAME_TYPE(__typeof__(&rte_dma_access_pair_group_handler_get),
			int (*)(int16_t, int16_t, rte_uuid_t, uint16_t *)),
	      "rte_dma_access_pair_group_handler_get");

static unsigned int nb_events;

/* How an application reacts to group events; never called here. */
static void
group_event_cb(int16_t dev_id, int16_t group_id, rte_uuid_t domain_id,
	       enum rte_dma_access_pair_group_event_type event)
{
	char uuid[37];

	rte_uuid_unparse(domain_id, uuid, sizeof(uuid));
	switch (event) {
	case RTE_DMA_GROUP_EVENT_MEMBER_LEFT:
		printf("dev %d group %d: domain %s left\n", dev_id, group_id, uuid);
		break;
	case RTE_DMA_GROUP_EVENT_GROUP_DESTROYED:
		printf("dev %d group %d destroyed (we are %s)\n", dev_id, group_id, uuid);
		break;
	}
	nb_events++;
}

static const rte_dma_access_pair_group_event_cb_t event_cb = group_event_cb;

static int nb_failed;

static void
check(const char *what, int ret, int expected)
{
	if (ret == expected) {
		printf("upstream_api_compat: %s: %d as expected\n", what, ret);
		return;
	}
	printf("upstream_api_compat: %s: got %d, expected %d\n", what, ret, expected);
	nb_failed++;
}

/* The inter-domain calls as an application would issue them. */
static void
check_group_calls(int16_t dev_id)
{
	rte_uuid_t my_domain = RTE_UUID_INIT(0x6f1c1b2aU, 0x0d1e, 0x4a7b, 0x9c3d, 0x1234567890abULL);
	rte_uuid_t peer_domain = RTE_UUID_INIT(0x2b8e5d10U, 0x44aa, 0x4c01, 0x8e22, 0xfedcba098765ULL);
	rte_uuid_t token = RTE_UUID_INIT(0x9a0b7c6dU, 0x5e4f, 0x4321, 0xa1b2, 0xc3d4e5f60718ULL);
	int16_t group_id = -1;
	uint16_t handler = 0;

	check("rte_dma_access_pair_group_create",
	      rte_dma_access_pair_group_create(dev_id, my_domain, token, &group_id, event_cb),
	      -EINVAL);
	check("rte_dma_access_pair_group_join",
	      rte_dma_access_pair_group_join(dev_id, peer_domain, token, 0, event_cb), -EINVAL);
	check("rte_dma_access_pair_group_handler_get",
	      rte_dma_access_pair_group_handler_get(dev_id, 0, peer_domain, &handler),
	      -EINVAL);
	check("rte_dma_access_pair_group_leave",
	      rte_dma_access_pair_group_leave(dev_id, 0), -EINVAL);
	check("rte_dma_access_pair_group_destroy",
	      rte_dma_access_pair_group_destroy(dev_id, 0), -EINVAL);
	if (group_id != -1) {
		printf("upstream_api_compat: group_id written by a failed create\n");
		nb_failed++;
	}
}

static void
check_vchan(int16_t dev_id, const struct rte_dma_info *info)
{
	struct rte_dma_conf dev_conf = { .nb_vchans = 1 };
	struct rte_dma_vchan_conf conf;
	int ret;

	ret = rte_dma_configure(dev_id, &dev_conf);
	check("rte_dma_configure", ret, 0);
	if (ret != 0)
		return;

	memset(&conf, 0, sizeof(conf));
	conf.direction = RTE_DMA_DIR_MEM_TO_MEM;
	conf.nb_desc = info->min_desc;
	conf.domain.type = RTE_DMA_INTER_PROCESS_DOMAIN;
	conf.domain.src_handler = 1;
	conf.domain.dst_handler = 2;
	conf.domain.reserved[0] = 0;
	conf.domain.reserved[1] = 0;
	check("vchan setup RTE_DMA_INTER_PROCESS_DOMAIN",
	      rte_dma_vchan_setup(dev_id, 0, &conf), -EINVAL);

	conf.domain.type = RTE_DMA_INTER_OS_DOMAIN;
	check("vchan setup RTE_DMA_INTER_OS_DOMAIN",
	      rte_dma_vchan_setup(dev_id, 0, &conf), -EINVAL);

	conf.domain.type = RTE_DMA_INTER_DOMAIN_NONE;
	check("vchan setup RTE_DMA_INTER_DOMAIN_NONE",
	      rte_dma_vchan_setup(dev_id, 0, &conf), 0);
}

int
main(int argc, char **argv)
{
	struct rte_dma_info info;
	int dev_id;
	int ret;

	/* Keep the result lines in order with the EAL log lines. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		printf("upstream_api_compat: FAIL: cannot initialise EAL: %d\n", ret);
		return EXIT_FAILURE;
	}

	dev_id = rte_dma_get_dev_id_by_name(SKELETON_NAME);
	if (dev_id < 0) {
		printf("upstream_api_compat: FAIL: no %s device (use --vdev=%s)\n",
		       SKELETON_NAME, SKELETON_NAME);
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}

	ret = rte_dma_info_get(dev_id, &info);
	check("rte_dma_info_get", ret, 0);
	if (ret == 0) {
		if (info.dev_capa & (RTE_DMA_CAPA_INTER_PROCESS_DOMAIN |
				     RTE_DMA_CAPA_INTER_OS_DOMAIN)) {
			printf("upstream_api_compat: %s unexpectedly has an inter-domain capability\n",
			       SKELETON_NAME);
			nb_failed++;
		}
		check_group_calls(dev_id);
		check_vchan(dev_id, &info);
	}

	if (nb_events != 0) {
		printf("upstream_api_compat: %u unexpected group events\n", nb_events);
		nb_failed++;
	}

	rte_eal_cleanup();

	if (nb_failed != 0) {
		printf("upstream_api_compat: FAIL (%d checks failed)\n", nb_failed);
		return EXIT_FAILURE;
	}
	printf("upstream_api_compat: PASS\n");
	return EXIT_SUCCESS;
}
