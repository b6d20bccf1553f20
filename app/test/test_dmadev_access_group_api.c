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
#include <rte_dmadev_pmd.h>
#include <rte_log.h>
#include <rte_memory.h>
#include <rte_uuid.h>

#include "test.h"

/*
 * Checks done by the library for the inter-domain API: the argument and
 * capability checks of the access pair group calls, the inter-domain
 * vchan parameters, and that driver results are passed through unchanged.
 *
 * The stock dma_skeleton has no inter-domain capability. For the paths
 * which need one, a fake device is registered here: its ops only record
 * their arguments and return what the test chose.
 */

#define SKELETON_NAME	"dma_skeleton"
#define FAKE_NAME	"test_ag_fake"
#define FAKE_MIN_DESC	32
#define FAKE_MAX_DESC	1024

static int16_t skel_id = -1;
static int16_t fake_id = -1;
static struct rte_dma_dev *fake_dev;
static struct rte_device fake_rte_dev = {
	.name = FAKE_NAME,
	.numa_node = SOCKET_ID_ANY,
};

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

/* What the fake driver saw in its last call, and what it must return. */
enum fake_op {
	FAKE_OP_CREATE,
	FAKE_OP_DESTROY,
	FAKE_OP_JOIN,
	FAKE_OP_LEAVE,
	FAKE_OP_HANDLER_GET,
	FAKE_OP_VCHAN_SETUP,
	FAKE_OP_MAX
};

static struct {
	unsigned int calls[FAKE_OP_MAX];
	const struct rte_dma_dev *dev;
	rte_uuid_t domain_id;
	rte_uuid_t token;
	int16_t group_id;
	int16_t *group_id_out;
	uint16_t *handler_out;
	rte_dma_access_pair_group_event_cb_t cb;
	uint16_t vchan;
	struct rte_dma_vchan_conf vchan_conf;
	/* Result to return and values written on success. */
	int ret;
	int16_t out_group_id;
	uint16_t out_handler;
} fake;

static void
fake_reset(int ret)
{
	memset(&fake, 0, sizeof(fake));
	fake.ret = ret;
}

static unsigned int
fake_total_calls(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < FAKE_OP_MAX; i++)
		n += fake.calls[i];
	return n;
}

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
fake_info_get(const struct rte_dma_dev *dev, struct rte_dma_info *dev_info,
	      uint32_t info_sz)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(info_sz);

	/* mem2dev only so that the direction rule can be checked alone. */
	dev_info->dev_capa = RTE_DMA_CAPA_MEM_TO_MEM | RTE_DMA_CAPA_MEM_TO_DEV |
			     RTE_DMA_CAPA_INTER_PROCESS_DOMAIN | RTE_DMA_CAPA_OPS_COPY;
	dev_info->max_vchans = 1;
	dev_info->min_desc = FAKE_MIN_DESC;
	dev_info->max_desc = FAKE_MAX_DESC;
	return 0;
}

static int
fake_configure(struct rte_dma_dev *dev, const struct rte_dma_conf *conf, uint32_t conf_sz)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(conf);
	RTE_SET_USED(conf_sz);
	return 0;
}

static int
fake_vchan_setup(struct rte_dma_dev *dev, uint16_t vchan,
		 const struct rte_dma_vchan_conf *conf, uint32_t conf_sz)
{
	RTE_SET_USED(conf_sz);

	fake.calls[FAKE_OP_VCHAN_SETUP]++;
	fake.dev = dev;
	fake.vchan = vchan;
	fake.vchan_conf = *conf;
	return fake.ret;
}

static int
fake_close(struct rte_dma_dev *dev)
{
	RTE_SET_USED(dev);
	return 0;
}

static int
fake_group_create(const struct rte_dma_dev *dev, rte_uuid_t domain_id, rte_uuid_t token,
		  int16_t *group_id, rte_dma_access_pair_group_event_cb_t cb)
{
	fake.calls[FAKE_OP_CREATE]++;
	fake.dev = dev;
	rte_uuid_copy(fake.domain_id, domain_id);
	rte_uuid_copy(fake.token, token);
	fake.group_id_out = group_id;
	fake.cb = cb;
	if (fake.ret == 0)
		*group_id = fake.out_group_id;
	return fake.ret;
}

static int
fake_group_destroy(const struct rte_dma_dev *dev, int16_t group_id)
{
	fake.calls[FAKE_OP_DESTROY]++;
	fake.dev = dev;
	fake.group_id = group_id;
	return fake.ret;
}

static int
fake_group_join(const struct rte_dma_dev *dev, rte_uuid_t domain_id, rte_uuid_t token,
		int16_t group_id, rte_dma_access_pair_group_event_cb_t cb)
{
	fake.calls[FAKE_OP_JOIN]++;
	fake.dev = dev;
	rte_uuid_copy(fake.domain_id, domain_id);
	rte_uuid_copy(fake.token, token);
	fake.group_id = group_id;
	fake.cb = cb;
	return fake.ret;
}

static int
fake_group_leave(const struct rte_dma_dev *dev, int16_t group_id)
{
	fake.calls[FAKE_OP_LEAVE]++;
	fake.dev = dev;
	fake.group_id = group_id;
	return fake.ret;
}

static int
fake_group_handler_get(const struct rte_dma_dev *dev, int16_t group_id,
		       rte_uuid_t domain_id, uint16_t *handler)
{
	fake.calls[FAKE_OP_HANDLER_GET]++;
	fake.dev = dev;
	fake.group_id = group_id;
	rte_uuid_copy(fake.domain_id, domain_id);
	fake.handler_out = handler;
	if (fake.ret == 0)
		*handler = fake.out_handler;
	return fake.ret;
}

/* A driver with inter-domain capability but no group ops. */
static const struct rte_dma_dev_ops fake_ops_no_group = {
	.dev_info_get = fake_info_get,
	.dev_configure = fake_configure,
	.dev_close = fake_close,
	.vchan_setup = fake_vchan_setup,
};

static const struct rte_dma_dev_ops fake_ops_group = {
	.dev_info_get = fake_info_get,
	.dev_configure = fake_configure,
	.dev_close = fake_close,
	.vchan_setup = fake_vchan_setup,
	.access_pair_group_create = fake_group_create,
	.access_pair_group_destroy = fake_group_destroy,
	.access_pair_group_join = fake_group_join,
	.access_pair_group_leave = fake_group_leave,
	.access_pair_group_handler_get = fake_group_handler_get,
};

static int
testsuite_setup(void)
{
	int id;

	rte_log_set_level_pattern("lib.dmadev", RTE_LOG_CRIT);

	/* May fail because the vdev was given on the command line already. */
	rte_vdev_init(SKELETON_NAME, NULL);
	id = rte_dma_get_dev_id_by_name(SKELETON_NAME);
	skel_id = id < 0 ? -1 : id;
	if (skel_id < 0)
		printf("%s not available, skipping its cases\n", SKELETON_NAME);

	fake_dev = rte_dma_pmd_allocate(FAKE_NAME, SOCKET_ID_ANY, sizeof(uint64_t));
	if (fake_dev == NULL) {
		printf("Cannot allocate the %s device\n", FAKE_NAME);
		return TEST_FAILED;
	}
	fake_dev->device = &fake_rte_dev;
	fake_dev->dev_ops = &fake_ops_no_group;
	fake_dev->state = RTE_DMA_DEV_READY;
	fake_id = fake_dev->data->dev_id;

	return TEST_SUCCESS;
}

static void
testsuite_teardown(void)
{
	int ret;

	if (fake_dev != NULL) {
		ret = rte_dma_pmd_release(FAKE_NAME);
		if (ret != 0)
			printf("Cannot release %s: %d\n", FAKE_NAME, ret);
		fake_dev = NULL;
		fake_id = -1;
	}
	rte_log_set_level_pattern("lib.dmadev", RTE_LOG_INFO);
}

static int
skeleton_setup(void)
{
	if (skel_id < 0)
		return TEST_SKIPPED;
	return TEST_SUCCESS;
}

static int
fake_no_group_setup(void)
{
	fake_dev->dev_ops = &fake_ops_no_group;
	fake_reset(0);
	return TEST_SUCCESS;
}

static int
fake_group_setup(void)
{
	fake_dev->dev_ops = &fake_ops_group;
	fake_reset(0);
	return TEST_SUCCESS;
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

	/* Driver ops present (see setup): a missing id check would reach them. */
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
	TEST_ASSERT_EQUAL(fake_total_calls(), 0, "Driver called for an invalid device");

	return TEST_SUCCESS;
}

static int
test_create_args(void)
{
	rte_uuid_t zero = { 0 };
	int16_t group_id = -1;
	int ret;

	ret = rte_dma_access_pair_group_create(fake_id, dom_a, tok, NULL, test_event_cb);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "NULL group_id: %d", ret);
	ret = rte_dma_access_pair_group_create(fake_id, NULL, tok, &group_id, test_event_cb);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "NULL domain_id: %d", ret);
	ret = rte_dma_access_pair_group_create(fake_id, dom_a, NULL, &group_id, test_event_cb);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "NULL token: %d", ret);
	ret = rte_dma_access_pair_group_create(fake_id, zero, tok, &group_id, test_event_cb);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "null domain_id: %d", ret);
	ret = rte_dma_access_pair_group_create(fake_id, dom_a, zero, &group_id, test_event_cb);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "null token: %d", ret);
	TEST_ASSERT_EQUAL(group_id, -1, "group_id written on failure");
	TEST_ASSERT_EQUAL(fake_total_calls(), 0, "Driver called with invalid arguments");

	return TEST_SUCCESS;
}

static int
test_join_args(void)
{
	rte_uuid_t zero = { 0 };
	int ret;

	ret = rte_dma_access_pair_group_join(fake_id, NULL, tok, 0, test_event_cb);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "NULL domain_id: %d", ret);
	ret = rte_dma_access_pair_group_join(fake_id, dom_b, NULL, 0, test_event_cb);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "NULL token: %d", ret);
	ret = rte_dma_access_pair_group_join(fake_id, zero, tok, 0, test_event_cb);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "null domain_id: %d", ret);
	ret = rte_dma_access_pair_group_join(fake_id, dom_b, zero, 0, test_event_cb);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "null token: %d", ret);
	ret = rte_dma_access_pair_group_join(fake_id, dom_b, tok, -1, test_event_cb);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "group_id -1: %d", ret);
	ret = rte_dma_access_pair_group_join(fake_id, dom_b, tok, INT16_MIN, test_event_cb);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "group_id INT16_MIN: %d", ret);
	TEST_ASSERT_EQUAL(fake_total_calls(), 0, "Driver called with invalid arguments");

	return TEST_SUCCESS;
}

static int
test_destroy_leave_args(void)
{
	int ret;

	ret = rte_dma_access_pair_group_destroy(fake_id, -1);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "destroy group_id -1: %d", ret);
	ret = rte_dma_access_pair_group_destroy(fake_id, INT16_MIN);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "destroy group_id INT16_MIN: %d", ret);
	ret = rte_dma_access_pair_group_leave(fake_id, -1);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "leave group_id -1: %d", ret);
	ret = rte_dma_access_pair_group_leave(fake_id, INT16_MIN);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "leave group_id INT16_MIN: %d", ret);
	TEST_ASSERT_EQUAL(fake_total_calls(), 0, "Driver called with invalid arguments");

	return TEST_SUCCESS;
}

static int
test_handler_get_args(void)
{
	rte_uuid_t zero = { 0 };
	uint16_t handler = 0;
	int ret;

	ret = rte_dma_access_pair_group_handler_get(fake_id, 0, dom_a, NULL);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "NULL handler: %d", ret);
	ret = rte_dma_access_pair_group_handler_get(fake_id, 0, NULL, &handler);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "NULL domain_id: %d", ret);
	ret = rte_dma_access_pair_group_handler_get(fake_id, 0, zero, &handler);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "null domain_id: %d", ret);
	ret = rte_dma_access_pair_group_handler_get(fake_id, -1, dom_a, &handler);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "group_id -1: %d", ret);
	TEST_ASSERT_EQUAL(handler, 0, "handler written on failure");
	TEST_ASSERT_EQUAL(fake_total_calls(), 0, "Driver called with invalid arguments");

	return TEST_SUCCESS;
}

static int
test_no_capability(void)
{
	return check_all_calls(skel_id, -EINVAL);
}

static int
test_no_driver_op(void)
{
	TEST_ASSERT_SUCCESS(check_all_calls(fake_id, -ENOTSUP), "Without group ops");
	TEST_ASSERT_EQUAL(fake_total_calls(), 0, "Unexpected driver call");
	return TEST_SUCCESS;
}

static int
test_create_passthrough(void)
{
	int16_t group_id = -1;
	int ret;

	fake.ret = -ENOSPC;
	ret = rte_dma_access_pair_group_create(fake_id, dom_a, tok, &group_id, test_event_cb);
	TEST_ASSERT_EQUAL(ret, -ENOSPC, "Driver result not returned: %d", ret);
	TEST_ASSERT_EQUAL(fake.calls[FAKE_OP_CREATE], 1, "Driver op not called once");
	TEST_ASSERT(fake.dev == fake_dev, "Wrong device given to the driver");
	TEST_ASSERT_BUFFERS_ARE_EQUAL(fake.domain_id, dom_a, sizeof(rte_uuid_t),
				      "domain_id changed");
	TEST_ASSERT_BUFFERS_ARE_EQUAL(fake.token, tok, sizeof(rte_uuid_t), "token changed");
	TEST_ASSERT(fake.group_id_out == &group_id, "group_id pointer changed");
	TEST_ASSERT(fake.cb == test_event_cb, "Callback changed");
	TEST_ASSERT_EQUAL(group_id, -1, "group_id written on failure");

	fake_reset(0);
	fake.out_group_id = 5;
	ret = rte_dma_access_pair_group_create(fake_id, dom_b, tok, &group_id, NULL);
	TEST_ASSERT_SUCCESS(ret, "Create failed: %d", ret);
	TEST_ASSERT_EQUAL(group_id, 5, "group_id not the driver's: %d", group_id);
	TEST_ASSERT_BUFFERS_ARE_EQUAL(fake.domain_id, dom_b, sizeof(rte_uuid_t),
				      "domain_id changed");
	TEST_ASSERT(fake.cb == NULL, "NULL callback changed");

	return TEST_SUCCESS;
}

static int
test_join_passthrough(void)
{
	int ret;

	fake.ret = -EACCES;
	ret = rte_dma_access_pair_group_join(fake_id, dom_b, tok, 3, test_event_cb);
	TEST_ASSERT_EQUAL(ret, -EACCES, "Driver result not returned: %d", ret);
	TEST_ASSERT_EQUAL(fake.calls[FAKE_OP_JOIN], 1, "Driver op not called once");
	TEST_ASSERT(fake.dev == fake_dev, "Wrong device given to the driver");
	TEST_ASSERT_BUFFERS_ARE_EQUAL(fake.domain_id, dom_b, sizeof(rte_uuid_t),
				      "domain_id changed");
	TEST_ASSERT_BUFFERS_ARE_EQUAL(fake.token, tok, sizeof(rte_uuid_t), "token changed");
	TEST_ASSERT_EQUAL(fake.group_id, 3, "group_id changed: %d", fake.group_id);
	TEST_ASSERT(fake.cb == test_event_cb, "Callback changed");

	fake_reset(0);
	ret = rte_dma_access_pair_group_join(fake_id, dom_b, tok, INT16_MAX, NULL);
	TEST_ASSERT_SUCCESS(ret, "Join failed: %d", ret);
	TEST_ASSERT_EQUAL(fake.group_id, INT16_MAX, "group_id changed: %d", fake.group_id);
	TEST_ASSERT(fake.cb == NULL, "NULL callback changed");

	return TEST_SUCCESS;
}

static int
test_destroy_leave_passthrough(void)
{
	int ret;

	fake.ret = -EBUSY;
	ret = rte_dma_access_pair_group_destroy(fake_id, 7);
	TEST_ASSERT_EQUAL(ret, -EBUSY, "destroy: driver result not returned: %d", ret);
	TEST_ASSERT_EQUAL(fake.calls[FAKE_OP_DESTROY], 1, "destroy op not called once");
	TEST_ASSERT(fake.dev == fake_dev, "Wrong device given to the driver");
	TEST_ASSERT_EQUAL(fake.group_id, 7, "group_id changed: %d", fake.group_id);

	fake_reset(0);
	ret = rte_dma_access_pair_group_destroy(fake_id, 0);
	TEST_ASSERT_SUCCESS(ret, "destroy failed: %d", ret);
	TEST_ASSERT_EQUAL(fake.group_id, 0, "group_id changed: %d", fake.group_id);

	fake_reset(-EPERM);
	ret = rte_dma_access_pair_group_leave(fake_id, 9);
	TEST_ASSERT_EQUAL(ret, -EPERM, "leave: driver result not returned: %d", ret);
	TEST_ASSERT_EQUAL(fake.calls[FAKE_OP_LEAVE], 1, "leave op not called once");
	TEST_ASSERT(fake.dev == fake_dev, "Wrong device given to the driver");
	TEST_ASSERT_EQUAL(fake.group_id, 9, "group_id changed: %d", fake.group_id);

	fake_reset(0);
	ret = rte_dma_access_pair_group_leave(fake_id, 9);
	TEST_ASSERT_SUCCESS(ret, "leave failed: %d", ret);
	TEST_ASSERT_EQUAL(fake_total_calls(), 1, "Unexpected driver calls");

	return TEST_SUCCESS;
}

static int
test_handler_get_passthrough(void)
{
	uint16_t handler = 0;
	int ret;

	fake.ret = -ENOENT;
	ret = rte_dma_access_pair_group_handler_get(fake_id, 4, dom_b, &handler);
	TEST_ASSERT_EQUAL(ret, -ENOENT, "Driver result not returned: %d", ret);
	TEST_ASSERT_EQUAL(fake.calls[FAKE_OP_HANDLER_GET], 1, "Driver op not called once");
	TEST_ASSERT(fake.dev == fake_dev, "Wrong device given to the driver");
	TEST_ASSERT_EQUAL(fake.group_id, 4, "group_id changed: %d", fake.group_id);
	TEST_ASSERT_BUFFERS_ARE_EQUAL(fake.domain_id, dom_b, sizeof(rte_uuid_t),
				      "domain_id changed");
	TEST_ASSERT(fake.handler_out == &handler, "handler pointer changed");
	TEST_ASSERT_EQUAL(handler, 0, "handler written on failure");

	fake_reset(0);
	fake.out_handler = 0xbeef;
	ret = rte_dma_access_pair_group_handler_get(fake_id, 4, dom_a, &handler);
	TEST_ASSERT_SUCCESS(ret, "handler_get failed: %d", ret);
	TEST_ASSERT_EQUAL(handler, 0xbeef, "handler not the driver's: %#x", handler);

	return TEST_SUCCESS;
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

static int
test_skeleton_vchan_domain(void)
{
	struct rte_dma_vchan_conf conf;
	int ret;

	TEST_ASSERT_SUCCESS(vchan_prepare(skel_id, &conf), "vchan prepare");

	conf.domain.type = RTE_DMA_INTER_PROCESS_DOMAIN;
	ret = rte_dma_vchan_setup(skel_id, 0, &conf);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "INTER_PROCESS without capability: %d", ret);

	conf.domain.type = RTE_DMA_INTER_OS_DOMAIN;
	ret = rte_dma_vchan_setup(skel_id, 0, &conf);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "INTER_OS without capability: %d", ret);

	conf.domain.type = (enum rte_dma_inter_domain_type)7;
	ret = rte_dma_vchan_setup(skel_id, 0, &conf);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "Unknown domain type: %d", ret);

	conf.domain.type = RTE_DMA_INTER_DOMAIN_NONE;
	conf.domain.reserved[0] = 1;
	ret = rte_dma_vchan_setup(skel_id, 0, &conf);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "reserved[0] not zero: %d", ret);

	conf.domain.reserved[0] = 0;
	conf.domain.reserved[1] = UINT64_MAX;
	ret = rte_dma_vchan_setup(skel_id, 0, &conf);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "reserved[1] not zero: %d", ret);

	conf.domain.reserved[1] = 0;
	conf.direction = RTE_DMA_DIR_MEM_TO_DEV;
	conf.dst_port.port_type = RTE_DMA_PORT_PCIE;
	conf.domain.type = RTE_DMA_INTER_PROCESS_DOMAIN;
	ret = rte_dma_vchan_setup(skel_id, 0, &conf);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "Inter-domain mem2dev: %d", ret);

	/* A local channel, handlers ignored, still works. */
	conf.direction = RTE_DMA_DIR_MEM_TO_MEM;
	conf.dst_port.port_type = RTE_DMA_PORT_NONE;
	conf.domain.type = RTE_DMA_INTER_DOMAIN_NONE;
	conf.domain.src_handler = 1;
	conf.domain.dst_handler = 2;
	ret = rte_dma_vchan_setup(skel_id, 0, &conf);
	TEST_ASSERT_SUCCESS(ret, "Local channel refused: %d", ret);

	return TEST_SUCCESS;
}

static int
test_fake_vchan_domain(void)
{
	struct rte_dma_vchan_conf conf;
	int ret;

	TEST_ASSERT_SUCCESS(vchan_prepare(fake_id, &conf), "vchan prepare");

	/* Accepted by the library, reaches the driver unchanged. */
	conf.domain.type = RTE_DMA_INTER_PROCESS_DOMAIN;
	conf.domain.src_handler = 1;
	conf.domain.dst_handler = 2;
	ret = rte_dma_vchan_setup(fake_id, 0, &conf);
	TEST_ASSERT_SUCCESS(ret, "INTER_PROCESS refused: %d", ret);
	TEST_ASSERT_EQUAL(fake.calls[FAKE_OP_VCHAN_SETUP], 1, "Driver vchan_setup not called");
	TEST_ASSERT_EQUAL(fake.vchan_conf.domain.type, RTE_DMA_INTER_PROCESS_DOMAIN,
			  "Domain type changed");
	TEST_ASSERT_EQUAL(fake.vchan_conf.domain.src_handler, 1, "src_handler changed");
	TEST_ASSERT_EQUAL(fake.vchan_conf.domain.dst_handler, 2, "dst_handler changed");

	/* Driver result is returned. */
	fake_reset(-EPERM);
	ret = rte_dma_vchan_setup(fake_id, 0, &conf);
	TEST_ASSERT_EQUAL(ret, -EPERM, "Driver vchan_setup result not returned: %d", ret);

	/* The capability is per domain type. */
	fake_reset(0);
	conf.domain.type = RTE_DMA_INTER_OS_DOMAIN;
	ret = rte_dma_vchan_setup(fake_id, 0, &conf);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "INTER_OS without its capability: %d", ret);

	conf.domain.type = (enum rte_dma_inter_domain_type)7;
	ret = rte_dma_vchan_setup(fake_id, 0, &conf);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "Unknown domain type: %d", ret);

	conf.domain.type = RTE_DMA_INTER_PROCESS_DOMAIN;
	conf.domain.reserved[1] = 1;
	ret = rte_dma_vchan_setup(fake_id, 0, &conf);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "reserved[1] not zero: %d", ret);
	conf.domain.reserved[1] = 0;

	/* The fake supports mem2dev: only the domain rule refuses it. */
	conf.direction = RTE_DMA_DIR_MEM_TO_DEV;
	conf.dst_port.port_type = RTE_DMA_PORT_PCIE;
	ret = rte_dma_vchan_setup(fake_id, 0, &conf);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "Inter-domain mem2dev: %d", ret);
	TEST_ASSERT_EQUAL(fake_total_calls(), 0, "Driver called for a refused channel");

	conf.domain.type = RTE_DMA_INTER_DOMAIN_NONE;
	ret = rte_dma_vchan_setup(fake_id, 0, &conf);
	TEST_ASSERT_SUCCESS(ret, "Local mem2dev refused: %d", ret);
	TEST_ASSERT_EQUAL(fake.calls[FAKE_OP_VCHAN_SETUP], 1, "Driver vchan_setup not called");

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
	char *dump;
	bool process, os;

	dump = dump_to_string(fake_id);
	TEST_ASSERT_NOT_NULL(dump, "Cannot dump %s", FAKE_NAME);
	process = strstr(dump, "inter_process_domain") != NULL;
	os = strstr(dump, "inter_os_domain") != NULL;
	free(dump);
	TEST_ASSERT(process, "inter_process_domain missing from the dump");
	TEST_ASSERT(!os, "inter_os_domain in the dump of a device lacking it");

	if (skel_id < 0)
		return TEST_SUCCESS;
	dump = dump_to_string(skel_id);
	TEST_ASSERT_NOT_NULL(dump, "Cannot dump %s", SKELETON_NAME);
	process = strstr(dump, "inter_process_domain") != NULL;
	free(dump);
	TEST_ASSERT(!process, "inter_process_domain in the dump of %s", SKELETON_NAME);

	return TEST_SUCCESS;
}

static struct unit_test_suite dmadev_access_group_api_testsuite = {
	.suite_name = "dmadev access pair group API unit test suite",
	.setup = testsuite_setup,
	.teardown = testsuite_teardown,
	.unit_test_cases = {
		TEST_CASE_ST(fake_group_setup, NULL, test_invalid_dev_id),
		TEST_CASE_ST(fake_group_setup, NULL, test_create_args),
		TEST_CASE_ST(fake_group_setup, NULL, test_join_args),
		TEST_CASE_ST(fake_group_setup, NULL, test_destroy_leave_args),
		TEST_CASE_ST(fake_group_setup, NULL, test_handler_get_args),
		TEST_CASE_ST(skeleton_setup, NULL, test_no_capability),
		TEST_CASE_ST(fake_no_group_setup, NULL, test_no_driver_op),
		TEST_CASE_ST(fake_group_setup, NULL, test_create_passthrough),
		TEST_CASE_ST(fake_group_setup, NULL, test_join_passthrough),
		TEST_CASE_ST(fake_group_setup, NULL, test_destroy_leave_passthrough),
		TEST_CASE_ST(fake_group_setup, NULL, test_handler_get_passthrough),
		TEST_CASE_ST(skeleton_setup, NULL, test_skeleton_vchan_domain),
		TEST_CASE_ST(fake_group_setup, NULL, test_fake_vchan_domain),
		TEST_CASE_ST(fake_no_group_setup, NULL, test_dump_capability),
		TEST_CASES_END()
	}
};

static int
test_dmadev_access_group_api(void)
{
	return unit_test_suite_runner(&dmadev_access_group_api_testsuite);
}

REGISTER_TEST_COMMAND(dmadev_access_group_api_autotest, test_dmadev_access_group_api);
