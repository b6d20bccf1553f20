/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK inter-domain DMA authors
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_log.h>
#include <rte_uuid.h>

#include "test.h"

/*
 * Checks done by the library for the inter-domain API which hold on any
 * device, tested through the public API on the stock dma_skeleton: invalid
 * devices, a device without inter-domain capability, the inter-domain vchan
 * parameters and the capability names in the dump.
 *
 * The skeleton has no inter-domain capability, and a device with one is
 * needed to see the argument checks, the -ENOTSUP of a driver without the
 * group ops and the pass-through of driver results. These need a fake
 * driver registered through the driver interface, which an application
 * must not include, so they are not tested here.
 */

#define SKELETON_NAME	"dma_skeleton"

static int16_t skel_id = -1;

static rte_uuid_t dom_a = {
	0x0a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f
};
static rte_uuid_t dom_b = {
	0x0b, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f
};
static rte_uuid_t tok = {
	0x5e, 0xc7, 0xe7, 0x00, 0xde, 0xad, 0xbe, 0xef,
	0xca, 0xfe, 0xf0, 0x0d, 0x12, 0x34, 0x56, 0x78
};

static void
test_event_cb(int16_t dev_id, int16_t group_id, rte_uuid_t domain_id,
	      enum rte_dma_access_pair_group_event_type event)
{
	RTE_SET_USED(dev_id);
	RTE_SET_USED(group_id);
	RTE_SET_USED(domain_id);
	RTE_SET_USED(event);
}

static int
testsuite_setup(void)
{
	int id;

	rte_log_set_level_pattern("lib.dmadev", RTE_LOG_CRIT);

	/* May fail because the vdev was given on the command line already. */
	rte_vdev_init(SKELETON_NAME, NULL);
	id = rte_dma_get_dev_id_by_name(SKELETON_NAME);
	skel_id = id < 0 ? -1 : id;
	if (skel_id < 0) {
		printf("%s not available\n", SKELETON_NAME);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static void
testsuite_teardown(void)
{
	rte_log_set_level_pattern("lib.dmadev", RTE_LOG_INFO);
}

/* Each of the five calls with valid arguments must return exp on dev_id. */
static int
check_all_calls(int16_t dev_id, int exp)
{
	int16_t group_id = -1;
	uint16_t handler = 0;
	int ret;

	ret = rte_dma_access_pair_group_create(dev_id, dom_a, tok, &group_id, test_event_cb);
	TEST_ASSERT_EQUAL(ret, exp, "dev %d create: %d, expected %d", dev_id, ret, exp);
	ret = rte_dma_access_pair_group_destroy(dev_id, 0);
	TEST_ASSERT_EQUAL(ret, exp, "dev %d destroy: %d, expected %d", dev_id, ret, exp);
	ret = rte_dma_access_pair_group_join(dev_id, dom_b, tok, 0, test_event_cb);
	TEST_ASSERT_EQUAL(ret, exp, "dev %d join: %d, expected %d", dev_id, ret, exp);
	ret = rte_dma_access_pair_group_leave(dev_id, 0);
	TEST_ASSERT_EQUAL(ret, exp, "dev %d leave: %d, expected %d", dev_id, ret, exp);
	ret = rte_dma_access_pair_group_handler_get(dev_id, 0, dom_a, &handler);
	TEST_ASSERT_EQUAL(ret, exp, "dev %d handler_get: %d, expected %d", dev_id, ret, exp);
	TEST_ASSERT_EQUAL(group_id, -1, "create wrote group_id on failure");
	TEST_ASSERT_EQUAL(handler, 0, "handler_get wrote handler on failure");

	return TEST_SUCCESS;
}

static int
test_invalid_dev_id(void)
{
	int16_t unused = -1;
	int16_t i;

	for (i = 0; i < RTE_DMADEV_DEFAULT_MAX; i++) {
		if (!rte_dma_is_valid(i)) {
			unused = i;
			break;
		}
	}
	TEST_ASSERT(unused >= 0, "No unused device id");

	TEST_ASSERT_SUCCESS(check_all_calls(-1, -EINVAL), "dev_id -1");
	TEST_ASSERT_SUCCESS(check_all_calls(RTE_DMADEV_DEFAULT_MAX, -EINVAL), "dev_id max");
	TEST_ASSERT_SUCCESS(check_all_calls(INT16_MAX, -EINVAL), "dev_id INT16_MAX");
	TEST_ASSERT_SUCCESS(check_all_calls(unused, -EINVAL), "unused dev_id %d", unused);

	return TEST_SUCCESS;
}

/* The skeleton has no group ops: a missing capability check gives -ENOTSUP. */
static int
test_no_capability(void)
{
	return check_all_calls(skel_id, -EINVAL);
}

/* Configure one vchan and return a mem2mem configuration valid for dev_id. */
static int
vchan_prepare(int16_t dev_id, struct rte_dma_vchan_conf *conf)
{
	struct rte_dma_conf dev_conf = { .nb_vchans = 1 };
	struct rte_dma_info info;
	int ret;

	ret = rte_dma_stop(dev_id);
	TEST_ASSERT_SUCCESS(ret, "Cannot stop dev %d: %d", dev_id, ret);
	ret = rte_dma_info_get(dev_id, &info);
	TEST_ASSERT_SUCCESS(ret, "Cannot get info of dev %d: %d", dev_id, ret);
	ret = rte_dma_configure(dev_id, &dev_conf);
	TEST_ASSERT_SUCCESS(ret, "Cannot configure dev %d: %d", dev_id, ret);

	memset(conf, 0, sizeof(*conf));
	conf->direction = RTE_DMA_DIR_MEM_TO_MEM;
	conf->nb_desc = info.min_desc;
	return TEST_SUCCESS;
}

/*
 * Domain parameters that DPDK main's dmadev_api_autotest leaves out (it checks the unknown
 * type, the first reserved word and both types without their capability): the second reserved
 * word, and handlers ignored on a local channel. The skeleton accepts any mem2mem channel, so
 * the refusal comes from the library.
 */
static int
test_skeleton_vchan_domain(void)
{
	struct rte_dma_vchan_conf conf;
	int ret;

	TEST_ASSERT_SUCCESS(vchan_prepare(skel_id, &conf), "vchan prepare");

	conf.domain.reserved[1] = UINT64_MAX;
	ret = rte_dma_vchan_setup(skel_id, 0, &conf);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "reserved[1] not zero: %d", ret);

	/* A local channel, handlers ignored, still works. */
	conf.domain.reserved[1] = 0;
	conf.domain.src_handler = 1;
	conf.domain.dst_handler = 2;
	ret = rte_dma_vchan_setup(skel_id, 0, &conf);
	TEST_ASSERT_SUCCESS(ret, "Local channel refused: %d", ret);

	return TEST_SUCCESS;
}

/* Dump dev_id into a string; the caller frees it. */
static char *
dump_to_string(int16_t dev_id)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	f = open_memstream(&buf, &len);
	if (f == NULL)
		return NULL;
	ret = rte_dma_dump(dev_id, f);
	fclose(f);
	if (ret != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int
test_dump_capability(void)
{
	bool process, os, copy;
	char *dump;

	dump = dump_to_string(skel_id);
	TEST_ASSERT_NOT_NULL(dump, "Cannot dump %s", SKELETON_NAME);
	process = strstr(dump, "inter_process_domain") != NULL;
	os = strstr(dump, "inter_os_domain") != NULL;
	copy = strstr(dump, " copy") != NULL;
	free(dump);
	/* The capabilities the skeleton has are listed. */
	TEST_ASSERT(copy, "copy missing from the dump of %s", SKELETON_NAME);
	TEST_ASSERT(!process, "inter_process_domain in the dump of %s", SKELETON_NAME);
	TEST_ASSERT(!os, "inter_os_domain in the dump of %s", SKELETON_NAME);

	return TEST_SUCCESS;
}

static struct unit_test_suite dmadev_access_group_api_testsuite = {
	.suite_name = "dmadev access pair group API unit test suite",
	.setup = testsuite_setup,
	.teardown = testsuite_teardown,
	.unit_test_cases = {
		TEST_CASE(test_invalid_dev_id),
		TEST_CASE(test_no_capability),
		TEST_CASE(test_skeleton_vchan_domain),
		TEST_CASE(test_dump_capability),
		TEST_CASES_END()
	}
};

static int
test_dmadev_access_group_api(void)
{
	return unit_test_suite_runner(&dmadev_access_group_api_testsuite);
}

REGISTER_FAST_TEST(dmadev_access_group_api_autotest, NOHUGE_OK, ASAN_OK,
		test_dmadev_access_group_api);
