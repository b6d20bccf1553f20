/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK inter-domain DMA authors
 */

/*
 * White-box checks of the inter-domain paths of the dmadev library which
 * need a device with an inter-domain capability: a fake driver, registered
 * here with the driver SDK, records the arguments of its ops and returns
 * what the case chose. The checks which hold on any device are in
 * app/test/test_dmadev_access_group_api.c.
 *
 * Usage: test_dmadev_fake_pmd <EAL args>
 * Prints one line per case, then "N passed, N failed"; exits non-zero if
 * any case failed. The trace case needs the trace points enabled and a
 * trace directory of its own: --trace=lib\.dmadev\..* --trace-dir=<dir>.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memmem() */
#endif

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_dmadev_pmd.h>
#include <rte_eal.h>
#include <rte_log.h>
#include <rte_memory.h>
#include <rte_trace.h>
#include <rte_trace_point.h>
#include <rte_uuid.h>

/* From app/test (include_directories of meson.build): shared with the data path autotest. */
#include "test_dmadev_access_group_leak.h"

#define FAKE_NAME	"test_ag_fake"
#define FAKE_MIN_DESC	32
#define FAKE_MAX_DESC	1024

/* Fail the current case with the location and a message. */
#define CHECK(cond, fmt, ...) do {						\
	if (!(cond)) {								\
		printf("  %s:%d: " fmt "\n", __func__, __LINE__, ##__VA_ARGS__);	\
		return -1;							\
	}									\
} while (0)

#define CHECK_RET(ret, exp, what) \
	CHECK((ret) == (exp), "%s: got %d, expected %d", what, (ret), (exp))

static struct rte_dma_dev *fake_dev;
static int16_t fake_id = -1;
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

/* Distinctive values of the trace and log cases, found nowhere else. */
static rte_uuid_t secret_tok = {
	0x9b, 0x3f, 0x51, 0xe2, 0x6c, 0xa4, 0x4d, 0x87,
	0xb1, 0x2e, 0x7f, 0xc0, 0x35, 0x98, 0xd6, 0x4a
};
static rte_uuid_t mark_dom = {
	0xd0, 0x3a, 0x1b, 0x8e, 0x52, 0xf7, 0x4c, 0x69,
	0xa3, 0x0d, 0xe6, 0x2b, 0x97, 0x14, 0x5c, 0xf1
};

/* From the command line, for the trace case: where EAL saves the trace. */
static const char *trace_dir;
static const char *file_prefix = "rte";
static time_t start_time;

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

	/* mem2dev too so that the domain rule on direction is seen alone. */
	dev_info->dev_capa = RTE_DMA_CAPA_MEM_TO_MEM | RTE_DMA_CAPA_MEM_TO_DEV |
			     RTE_DMA_CAPA_INTER_PROCESS_DOMAIN | RTE_DMA_CAPA_OPS_COPY;
	dev_info->max_vchans = 1;
	dev_info->min_desc = FAKE_MIN_DESC;
	dev_info->max_desc = FAKE_MAX_DESC;
	return 0;
}

/* A device without inter-domain capability, for the refusal the library logs. */
static int
fake_info_get_no_capa(const struct rte_dma_dev *dev, struct rte_dma_info *dev_info,
		      uint32_t info_sz)
{
	int ret = fake_info_get(dev, dev_info, info_sz);

	dev_info->dev_capa &= ~(RTE_DMA_CAPA_INTER_PROCESS_DOMAIN | RTE_DMA_CAPA_INTER_OS_DOMAIN);
	return ret;
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

static const struct rte_dma_dev_ops fake_ops_no_capa = {
	.dev_info_get = fake_info_get_no_capa,
	.dev_configure = fake_configure,
	.dev_close = fake_close,
	.vchan_setup = fake_vchan_setup,
	.access_pair_group_create = fake_group_create,
	.access_pair_group_destroy = fake_group_destroy,
	.access_pair_group_join = fake_group_join,
	.access_pair_group_leave = fake_group_leave,
	.access_pair_group_handler_get = fake_group_handler_get,
};

/* Each of the five calls with valid arguments must return exp. */
static int
check_all_calls(int16_t dev_id, int exp)
{
	int16_t group_id = -1;
	uint16_t handler = 0;
	int ret;

	ret = rte_dma_access_pair_group_create(dev_id, dom_a, tok, &group_id, test_event_cb);
	CHECK_RET(ret, exp, "create");
	ret = rte_dma_access_pair_group_destroy(dev_id, 0);
	CHECK_RET(ret, exp, "destroy");
	ret = rte_dma_access_pair_group_join(dev_id, dom_b, tok, 0, test_event_cb);
	CHECK_RET(ret, exp, "join");
	ret = rte_dma_access_pair_group_leave(dev_id, 0);
	CHECK_RET(ret, exp, "leave");
	ret = rte_dma_access_pair_group_handler_get(dev_id, 0, dom_a, &handler);
	CHECK_RET(ret, exp, "handler_get");
	CHECK(group_id == -1, "create wrote group_id on failure");
	CHECK(handler == 0, "handler_get wrote handler on failure");

	return 0;
}

static int
test_no_driver_op(void)
{
	CHECK(check_all_calls(fake_id, -ENOTSUP) == 0, "without group ops");
	CHECK(fake_total_calls() == 0, "unexpected driver call");
	return 0;
}

/* The group ops are present: an argument not checked reaches them. */
static int
test_create_args(void)
{
	rte_uuid_t zero = { 0 };
	int16_t group_id = -1;
	int ret;

	ret = rte_dma_access_pair_group_create(fake_id, dom_a, tok, NULL, test_event_cb);
	CHECK_RET(ret, -EINVAL, "NULL group_id");
	ret = rte_dma_access_pair_group_create(fake_id, NULL, tok, &group_id, test_event_cb);
	CHECK_RET(ret, -EINVAL, "NULL domain_id");
	ret = rte_dma_access_pair_group_create(fake_id, dom_a, NULL, &group_id, test_event_cb);
	CHECK_RET(ret, -EINVAL, "NULL token");
	ret = rte_dma_access_pair_group_create(fake_id, zero, tok, &group_id, test_event_cb);
	CHECK_RET(ret, -EINVAL, "null domain_id");
	ret = rte_dma_access_pair_group_create(fake_id, dom_a, zero, &group_id, test_event_cb);
	CHECK_RET(ret, -EINVAL, "null token");
	CHECK(group_id == -1, "group_id written on failure");
	CHECK(fake_total_calls() == 0, "driver called with invalid arguments");

	return 0;
}

static int
test_join_args(void)
{
	rte_uuid_t zero = { 0 };
	int ret;

	ret = rte_dma_access_pair_group_join(fake_id, NULL, tok, 0, test_event_cb);
	CHECK_RET(ret, -EINVAL, "NULL domain_id");
	ret = rte_dma_access_pair_group_join(fake_id, dom_b, NULL, 0, test_event_cb);
	CHECK_RET(ret, -EINVAL, "NULL token");
	ret = rte_dma_access_pair_group_join(fake_id, zero, tok, 0, test_event_cb);
	CHECK_RET(ret, -EINVAL, "null domain_id");
	ret = rte_dma_access_pair_group_join(fake_id, dom_b, zero, 0, test_event_cb);
	CHECK_RET(ret, -EINVAL, "null token");
	ret = rte_dma_access_pair_group_join(fake_id, dom_b, tok, -1, test_event_cb);
	CHECK_RET(ret, -EINVAL, "group_id -1");
	ret = rte_dma_access_pair_group_join(fake_id, dom_b, tok, INT16_MIN, test_event_cb);
	CHECK_RET(ret, -EINVAL, "group_id INT16_MIN");
	CHECK(fake_total_calls() == 0, "driver called with invalid arguments");

	return 0;
}

static int
test_destroy_leave_args(void)
{
	int ret;

	ret = rte_dma_access_pair_group_destroy(fake_id, -1);
	CHECK_RET(ret, -EINVAL, "destroy group_id -1");
	ret = rte_dma_access_pair_group_destroy(fake_id, INT16_MIN);
	CHECK_RET(ret, -EINVAL, "destroy group_id INT16_MIN");
	ret = rte_dma_access_pair_group_leave(fake_id, -1);
	CHECK_RET(ret, -EINVAL, "leave group_id -1");
	ret = rte_dma_access_pair_group_leave(fake_id, INT16_MIN);
	CHECK_RET(ret, -EINVAL, "leave group_id INT16_MIN");
	CHECK(fake_total_calls() == 0, "driver called with invalid arguments");

	return 0;
}

static int
test_handler_get_args(void)
{
	rte_uuid_t zero = { 0 };
	uint16_t handler = 0;
	int ret;

	ret = rte_dma_access_pair_group_handler_get(fake_id, 0, dom_a, NULL);
	CHECK_RET(ret, -EINVAL, "NULL handler");
	ret = rte_dma_access_pair_group_handler_get(fake_id, 0, NULL, &handler);
	CHECK_RET(ret, -EINVAL, "NULL domain_id");
	ret = rte_dma_access_pair_group_handler_get(fake_id, 0, zero, &handler);
	CHECK_RET(ret, -EINVAL, "null domain_id");
	ret = rte_dma_access_pair_group_handler_get(fake_id, -1, dom_a, &handler);
	CHECK_RET(ret, -EINVAL, "group_id -1");
	CHECK(handler == 0, "handler written on failure");
	CHECK(fake_total_calls() == 0, "driver called with invalid arguments");

	return 0;
}

static int
test_create_passthrough(void)
{
	int16_t group_id = -1;
	int ret;

	fake.ret = -ENOSPC;
	ret = rte_dma_access_pair_group_create(fake_id, dom_a, tok, &group_id, test_event_cb);
	CHECK_RET(ret, -ENOSPC, "driver result");
	CHECK(fake.calls[FAKE_OP_CREATE] == 1, "driver op not called once");
	CHECK(fake.dev == fake_dev, "wrong device given to the driver");
	CHECK(memcmp(fake.domain_id, dom_a, sizeof(rte_uuid_t)) == 0, "domain_id changed");
	CHECK(memcmp(fake.token, tok, sizeof(rte_uuid_t)) == 0, "token changed");
	CHECK(fake.group_id_out == &group_id, "group_id pointer changed");
	CHECK(fake.cb == test_event_cb, "callback changed");
	CHECK(group_id == -1, "group_id written on failure");

	fake_reset(0);
	fake.out_group_id = 5;
	ret = rte_dma_access_pair_group_create(fake_id, dom_b, tok, &group_id, NULL);
	CHECK_RET(ret, 0, "create");
	CHECK(group_id == 5, "group_id not the driver's: %d", group_id);
	CHECK(memcmp(fake.domain_id, dom_b, sizeof(rte_uuid_t)) == 0, "domain_id changed");
	CHECK(fake.cb == NULL, "NULL callback changed");

	return 0;
}

static int
test_join_passthrough(void)
{
	int ret;

	fake.ret = -EACCES;
	ret = rte_dma_access_pair_group_join(fake_id, dom_b, tok, 3, test_event_cb);
	CHECK_RET(ret, -EACCES, "driver result");
	CHECK(fake.calls[FAKE_OP_JOIN] == 1, "driver op not called once");
	CHECK(fake.dev == fake_dev, "wrong device given to the driver");
	CHECK(memcmp(fake.domain_id, dom_b, sizeof(rte_uuid_t)) == 0, "domain_id changed");
	CHECK(memcmp(fake.token, tok, sizeof(rte_uuid_t)) == 0, "token changed");
	CHECK(fake.group_id == 3, "group_id changed: %d", fake.group_id);
	CHECK(fake.cb == test_event_cb, "callback changed");

	fake_reset(0);
	ret = rte_dma_access_pair_group_join(fake_id, dom_b, tok, INT16_MAX, NULL);
	CHECK_RET(ret, 0, "join");
	CHECK(fake.group_id == INT16_MAX, "group_id changed: %d", fake.group_id);
	CHECK(fake.cb == NULL, "NULL callback changed");

	return 0;
}

static int
test_destroy_leave_passthrough(void)
{
	int ret;

	fake.ret = -EBUSY;
	ret = rte_dma_access_pair_group_destroy(fake_id, 7);
	CHECK_RET(ret, -EBUSY, "destroy driver result");
	CHECK(fake.calls[FAKE_OP_DESTROY] == 1, "destroy op not called once");
	CHECK(fake.dev == fake_dev, "wrong device given to the driver");
	CHECK(fake.group_id == 7, "group_id changed: %d", fake.group_id);

	fake_reset(0);
	ret = rte_dma_access_pair_group_destroy(fake_id, 0);
	CHECK_RET(ret, 0, "destroy");
	CHECK(fake.calls[FAKE_OP_DESTROY] == 1, "destroy op not called once");
	CHECK(fake.group_id == 0, "group_id changed: %d", fake.group_id);

	fake_reset(-EPERM);
	ret = rte_dma_access_pair_group_leave(fake_id, 9);
	CHECK_RET(ret, -EPERM, "leave driver result");
	CHECK(fake.calls[FAKE_OP_LEAVE] == 1, "leave op not called once");
	CHECK(fake.dev == fake_dev, "wrong device given to the driver");
	CHECK(fake.group_id == 9, "group_id changed: %d", fake.group_id);

	fake_reset(0);
	ret = rte_dma_access_pair_group_leave(fake_id, 9);
	CHECK_RET(ret, 0, "leave");
	CHECK(fake_total_calls() == 1, "unexpected driver calls");

	return 0;
}

static int
test_handler_get_passthrough(void)
{
	uint16_t handler = 0;
	int ret;

	fake.ret = -ENOENT;
	ret = rte_dma_access_pair_group_handler_get(fake_id, 4, dom_b, &handler);
	CHECK_RET(ret, -ENOENT, "driver result");
	CHECK(fake.calls[FAKE_OP_HANDLER_GET] == 1, "driver op not called once");
	CHECK(fake.dev == fake_dev, "wrong device given to the driver");
	CHECK(fake.group_id == 4, "group_id changed: %d", fake.group_id);
	CHECK(memcmp(fake.domain_id, dom_b, sizeof(rte_uuid_t)) == 0, "domain_id changed");
	CHECK(fake.handler_out == &handler, "handler pointer changed");
	CHECK(handler == 0, "handler written on failure");

	fake_reset(0);
	fake.out_handler = 0xbeef;
	ret = rte_dma_access_pair_group_handler_get(fake_id, 4, dom_a, &handler);
	CHECK_RET(ret, 0, "handler_get");
	CHECK(handler == 0xbeef, "handler not the driver's: %#x", handler);

	return 0;
}

static int
test_vchan_domain(void)
{
	struct rte_dma_conf dev_conf = { .nb_vchans = 1 };
	struct rte_dma_vchan_conf conf;
	int ret;

	ret = rte_dma_configure(fake_id, &dev_conf);
	CHECK_RET(ret, 0, "configure");
	memset(&conf, 0, sizeof(conf));
	conf.direction = RTE_DMA_DIR_MEM_TO_MEM;
	conf.nb_desc = FAKE_MIN_DESC;

	/* Accepted by the library, reaches the driver unchanged. */
	conf.domain.type = RTE_DMA_INTER_PROCESS_DOMAIN;
	conf.domain.src_handler = 1;
	conf.domain.dst_handler = 2;
	ret = rte_dma_vchan_setup(fake_id, 0, &conf);
	CHECK_RET(ret, 0, "INTER_PROCESS vchan");
	CHECK(fake.calls[FAKE_OP_VCHAN_SETUP] == 1, "driver vchan_setup not called once");
	CHECK(fake.dev == fake_dev, "wrong device given to the driver");
	CHECK(fake.vchan == 0, "vchan changed: %u", fake.vchan);
	CHECK(fake.vchan_conf.domain.type == RTE_DMA_INTER_PROCESS_DOMAIN,
	      "domain type changed: %d", (int)fake.vchan_conf.domain.type);
	CHECK(fake.vchan_conf.domain.src_handler == 1, "src_handler changed");
	CHECK(fake.vchan_conf.domain.dst_handler == 2, "dst_handler changed");

	/* The driver result is returned. */
	fake_reset(-EPERM);
	ret = rte_dma_vchan_setup(fake_id, 0, &conf);
	CHECK_RET(ret, -EPERM, "driver vchan_setup result");

	/* The capability is per domain type. */
	fake_reset(0);
	conf.domain.type = RTE_DMA_INTER_OS_DOMAIN;
	ret = rte_dma_vchan_setup(fake_id, 0, &conf);
	CHECK_RET(ret, -EINVAL, "INTER_OS without its capability");

	conf.domain.type = (enum rte_dma_inter_domain_type)7;
	ret = rte_dma_vchan_setup(fake_id, 0, &conf);
	CHECK_RET(ret, -EINVAL, "unknown domain type");

	conf.domain.type = RTE_DMA_INTER_PROCESS_DOMAIN;
	conf.domain.reserved[1] = 1;
	ret = rte_dma_vchan_setup(fake_id, 0, &conf);
	CHECK_RET(ret, -EINVAL, "reserved[1] not zero");
	conf.domain.reserved[1] = 0;

	/* The fake supports mem2dev: only the domain rule refuses it. */
	conf.direction = RTE_DMA_DIR_MEM_TO_DEV;
	conf.dst_port.port_type = RTE_DMA_PORT_PCIE;
	ret = rte_dma_vchan_setup(fake_id, 0, &conf);
	CHECK_RET(ret, -EINVAL, "inter-domain mem2dev");
	CHECK(fake_total_calls() == 0, "driver called for a refused channel");

	conf.domain.type = RTE_DMA_INTER_DOMAIN_NONE;
	ret = rte_dma_vchan_setup(fake_id, 0, &conf);
	CHECK_RET(ret, 0, "local mem2dev");
	CHECK(fake.calls[FAKE_OP_VCHAN_SETUP] == 1, "driver vchan_setup not called once");

	return 0;
}

static int
test_dump_capability(void)
{
	bool process, os;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	f = open_memstream(&buf, &len);
	CHECK(f != NULL, "cannot open a memory stream");
	ret = rte_dma_dump(fake_id, f);
	fclose(f);
	process = buf != NULL && strstr(buf, "inter_process_domain") != NULL;
	os = buf != NULL && strstr(buf, "inter_os_domain") != NULL;
	free(buf);
	CHECK_RET(ret, 0, "dump");
	CHECK(process, "inter_process_domain missing from the dump");
	CHECK(!os, "inter_os_domain in the dump of a device lacking it");

	return 0;
}

/* The tokens this program passes to the library. */
static const char *
any_token_leak(const void *buf, size_t len)
{
	const char *what = ag_token_leak(buf, len, secret_tok);

	return what != NULL ? what : ag_token_leak(buf, len, tok);
}

/*
 * The log stream is redirected to memory at DEBUG level around group calls
 * which succeed, are refused by the library or the driver, or are refused
 * for want of capability (logged once per process: no other case may reach
 * it): something must be logged, never a token.
 */
static int
test_log_no_token(void)
{
	int dmadev_type = rte_log_register("lib.dmadev");
	uint32_t global_level = rte_log_get_global_level();
	FILE *prev = rte_log_get_stream();
	int got[8], exp[8], dmadev_level, i, n = 0;
	int16_t group_id = -1;
	uint16_t handler = 0;
	const char *leak;
	char *buf = NULL;
	size_t len = 0;
	bool capa;
	FILE *f;

	CHECK(dmadev_type >= 0, "no lib.dmadev log type: %d", dmadev_type);
	dmadev_level = rte_log_get_level(dmadev_type);
	f = open_memstream(&buf, &len);
	CHECK(f != NULL, "cannot open a memory stream");
	rte_openlog_stream(f);
	rte_log_set_global_level(RTE_LOG_DEBUG);
	rte_log_set_level(dmadev_type, RTE_LOG_DEBUG);

	fake.out_group_id = 2;
	got[n] = rte_dma_access_pair_group_create(fake_id, mark_dom, secret_tok, &group_id,
						  test_event_cb);
	exp[n++] = 0;
	got[n] = rte_dma_access_pair_group_join(fake_id, dom_b, secret_tok, 2, NULL);
	exp[n++] = 0;
	got[n] = rte_dma_access_pair_group_handler_get(fake_id, 2, dom_b, &handler);
	exp[n++] = 0;
	got[n] = rte_dma_access_pair_group_leave(fake_id, 2);
	exp[n++] = 0;
	got[n] = rte_dma_access_pair_group_destroy(fake_id, 2);
	exp[n++] = 0;
	fake.ret = -EACCES;
	got[n] = rte_dma_access_pair_group_join(fake_id, dom_b, secret_tok, 2, NULL);
	exp[n++] = -EACCES;
	got[n] = rte_dma_access_pair_group_join(fake_id, dom_b, secret_tok, -1, NULL);
	exp[n++] = -EINVAL;
	fake_dev->dev_ops = &fake_ops_no_capa;
	got[n] = rte_dma_access_pair_group_join(fake_id, dom_b, secret_tok, 2, NULL);
	exp[n++] = -EINVAL;
	fake_dev->dev_ops = &fake_ops_group;

	rte_log_set_level(dmadev_type, dmadev_level);
	rte_log_set_global_level(global_level);
	rte_openlog_stream(prev);
	fclose(f);

	leak = any_token_leak(buf, len);
	capa = buf != NULL && strstr(buf, "capability") != NULL;
	free(buf);
	for (i = 0; i < n; i++)
		CHECK(got[i] == exp[i], "call %d: got %d, expected %d", i, got[i], exp[i]);
	CHECK(len > 0, "nothing logged");
	CHECK(capa, "missing capability not logged");
	CHECK(leak == NULL, "token in the log (%s)", leak);

	return 0;
}

/* The session directory EAL made under trace_dir in this run, or NULL. */
static char *
trace_session_dir(void)
{
	char *path, *best = NULL;
	time_t best_mtime = 0;
	size_t plen = strlen(file_prefix);
	struct dirent *de;
	struct stat st;
	DIR *d;

	d = opendir(trace_dir);
	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		/* <file prefix>-<date>, see trace_session_name_generate() in EAL */
		if (strncmp(de->d_name, file_prefix, plen) != 0 || de->d_name[plen] != '-')
			continue;
		if (asprintf(&path, "%s/%s", trace_dir, de->d_name) < 0)
			break;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_mtime >= start_time &&
		    (best == NULL || st.st_mtime > best_mtime)) {
			free(best);
			best = path;
			best_mtime = st.st_mtime;
		} else {
			free(path);
		}
	}
	closedir(d);
	return best;
}

static int
read_file(const char *path, uint8_t **data, size_t *len)
{
	struct stat st;
	FILE *f;
	size_t n;

	f = fopen(path, "rb");
	if (f == NULL)
		return -errno;
	if (fstat(fileno(f), &st) != 0) {
		fclose(f);
		return -EIO;
	}
	*data = malloc(st.st_size > 0 ? st.st_size : 1);
	if (*data == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(*data, 1, st.st_size, f);
	fclose(f);
	if (n != (size_t)st.st_size) {
		free(*data);
		return -EIO;
	}
	*len = n;
	return 0;
}

/*
 * Every file of the saved trace: no token, while the domain words of the
 * trace points show they recorded. Counts what was found in the counters.
 */
static int
trace_files_check(const char *dir, unsigned int *nb_files, bool *metadata,
		  unsigned int dom_found[2])
{
	struct dirent *de;
	const char *leak;
	uint8_t *data = NULL;
	char *path;
	size_t len = 0;
	DIR *d;
	int ret = 0;

	d = opendir(dir);
	CHECK(d != NULL, "cannot open %s", dir);
	while (ret == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			ret = -ENOMEM;
			break;
		}
		ret = read_file(path, &data, &len);
		if (ret != 0) {
			printf("  cannot read %s: %d\n", path, ret);
			free(path);
			break;
		}
		(*nb_files)++;
		*metadata |= strcmp(de->d_name, "metadata") == 0;
		if (memmem(data, len, &mark_dom[0], 8) != NULL)
			dom_found[0]++;
		if (memmem(data, len, &mark_dom[8], 8) != NULL)
			dom_found[1]++;
		leak = any_token_leak(data, len);
		if (leak != NULL) {
			printf("  token in %s (%s)\n", path, leak);
			ret = -1;
		}
		free(data);
		free(path);
	}
	closedir(d);
	return ret;
}

/* Remove a session directory that passed, so runs do not pile up. */
static void
trace_session_remove(const char *dir)
{
	struct dirent *de;
	char *path;
	DIR *d;

	d = opendir(dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			break;
		unlink(path);
		free(path);
	}
	closedir(d);
	rmdir(dir);
}

/*
 * The five trace points record, and a saved trace holds no token: every
 * file EAL writes for it is searched. Runs after the other cases so that
 * their calls, with the other token, are in the trace too.
 */
static int
test_trace_no_token(void)
{
	static const char *const tp_names[] = {
		"lib.dmadev.access_pair_group.create",
		"lib.dmadev.access_pair_group.destroy",
		"lib.dmadev.access_pair_group.join",
		"lib.dmadev.access_pair_group.leave",
		"lib.dmadev.access_pair_group.handler_get",
	};
	unsigned int i, nb_files = 0, dom_found[2] = { 0, 0 };
	rte_trace_point_t *tp;
	int16_t group_id = -1;
	uint16_t handler = 0;
	bool metadata = false;
	char *dir;
	int ret;

	CHECK(trace_dir != NULL, "needs --trace-dir=<dir>");
	for (i = 0; i < RTE_DIM(tp_names); i++) {
		tp = rte_trace_point_lookup(tp_names[i]);
		CHECK(tp != NULL, "trace point %s not registered", tp_names[i]);
		CHECK(rte_trace_point_is_enabled(tp), "trace point %s not enabled (--trace)",
		      tp_names[i]);
	}

	fake.out_group_id = 6;
	fake.out_handler = 0x1234;
	ret = rte_dma_access_pair_group_create(fake_id, mark_dom, secret_tok, &group_id,
					       test_event_cb);
	CHECK_RET(ret, 0, "create");
	ret = rte_dma_access_pair_group_join(fake_id, mark_dom, secret_tok, group_id,
					     test_event_cb);
	CHECK_RET(ret, 0, "join");
	ret = rte_dma_access_pair_group_handler_get(fake_id, group_id, mark_dom, &handler);
	CHECK_RET(ret, 0, "handler_get");
	ret = rte_dma_access_pair_group_leave(fake_id, group_id);
	CHECK_RET(ret, 0, "leave");
	ret = rte_dma_access_pair_group_destroy(fake_id, group_id);
	CHECK_RET(ret, 0, "destroy");
	fake.ret = -EACCES;
	ret = rte_dma_access_pair_group_join(fake_id, mark_dom, secret_tok, group_id, NULL);
	CHECK_RET(ret, -EACCES, "refused join");

	ret = rte_trace_save();
	CHECK_RET(ret, 0, "rte_trace_save");
	dir = trace_session_dir();
	CHECK(dir != NULL, "no trace of this run under %s", trace_dir);
	ret = trace_files_check(dir, &nb_files, &metadata, dom_found);
	if (ret == 0 && (!metadata || nb_files < 2 || dom_found[0] == 0 || dom_found[1] == 0)) {
		printf("  %s: %u files%s, domain words found in %u and %u files\n", dir,
		       nb_files, metadata ? "" : " without metadata", dom_found[0], dom_found[1]);
		ret = -1;
	}
	if (ret == 0)
		trace_session_remove(dir);
	else
		printf("  trace kept in %s\n", dir);
	free(dir);
	CHECK(ret == 0, "trace check failed");

	return 0;
}

static const struct {
	const char *name;
	const struct rte_dma_dev_ops *ops;
	int (*run)(void);
} cases[] = {
	{ "no_driver_op", &fake_ops_no_group, test_no_driver_op },
	{ "create_args", &fake_ops_group, test_create_args },
	{ "join_args", &fake_ops_group, test_join_args },
	{ "destroy_leave_args", &fake_ops_group, test_destroy_leave_args },
	{ "handler_get_args", &fake_ops_group, test_handler_get_args },
	{ "create_passthrough", &fake_ops_group, test_create_passthrough },
	{ "join_passthrough", &fake_ops_group, test_join_passthrough },
	{ "destroy_leave_passthrough", &fake_ops_group, test_destroy_leave_passthrough },
	{ "handler_get_passthrough", &fake_ops_group, test_handler_get_passthrough },
	{ "vchan_domain", &fake_ops_group, test_vchan_domain },
	{ "dump_capability", &fake_ops_no_group, test_dump_capability },
	{ "log_no_token", &fake_ops_group, test_log_no_token },
	{ "trace_no_token", &fake_ops_group, test_trace_no_token },
};

/* The trace case needs --trace-dir and --file-prefix, which EAL keeps to itself. */
static void
eal_args_save(int argc, char **argv)
{
	const char *v;
	int i;

	for (i = 1; i < argc; i++) {
		v = argv[i];
		if (strncmp(v, "--trace-dir=", 12) == 0)
			trace_dir = v + 12;
		else if (strcmp(v, "--trace-dir") == 0 && i + 1 < argc)
			trace_dir = argv[++i];
		else if (strncmp(v, "--file-prefix=", 14) == 0)
			file_prefix = v + 14;
		else if (strcmp(v, "--file-prefix") == 0 && i + 1 < argc)
			file_prefix = argv[++i];
	}
}

static int
fake_register(void)
{
	fake_dev = rte_dma_pmd_allocate(FAKE_NAME, SOCKET_ID_ANY, sizeof(uint64_t));
	if (fake_dev == NULL) {
		printf("cannot allocate the %s device\n", FAKE_NAME);
		return -1;
	}
	fake_dev->device = &fake_rte_dev;
	fake_dev->dev_ops = &fake_ops_no_group;
	fake_dev->state = RTE_DMA_DEV_READY;
	fake_id = fake_dev->data->dev_id;
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned int i, passed = 0, failed = 0;
	int ret;

	/* Keep the result lines in order with the EAL log lines. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Saved before EAL may reorder argv; the trace session is newer than this. */
	eal_args_save(argc, argv);
	start_time = time(NULL);
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		printf("cannot initialise EAL: %d\n", ret);
		printf("0 passed, 1 failed\n");
		return EXIT_FAILURE;
	}
	/* The refusals of the library are expected here. */
	rte_log_set_level_pattern("lib.dmadev", RTE_LOG_CRIT);

	if (fake_register() != 0) {
		failed++;
	} else {
		for (i = 0; i < RTE_DIM(cases); i++) {
			fake_dev->dev_ops = cases[i].ops;
			fake_reset(0);
			if (cases[i].run() == 0) {
				printf("%s: passed\n", cases[i].name);
				passed++;
			} else {
				printf("%s: FAILED\n", cases[i].name);
				failed++;
			}
		}

		ret = rte_dma_pmd_release(FAKE_NAME);
		if (ret != 0) {
			printf("cannot release %s: %d\n", FAKE_NAME, ret);
			failed++;
		}
	}

	rte_eal_cleanup();
	printf("%u passed, %u failed\n", passed, failed);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
