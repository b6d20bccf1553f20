/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK inter-domain DMA authors
 */

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_uuid.h>

#include "dma_ag.h"

struct dag_uuid_str
dag_uuid_str(const rte_uuid_t uuid)
{
	struct dag_uuid_str s;

	rte_uuid_unparse(uuid, s.s, sizeof(s.s));
	return s;
}

const char *
dag_event_name(enum rte_dma_access_pair_group_event_type ev)
{
	switch (ev) {
	case RTE_DMA_GROUP_EVENT_MEMBER_LEFT:
		return "MEMBER_LEFT";
	case RTE_DMA_GROUP_EVENT_GROUP_DESTROYED:
		return "GROUP_DESTROYED";
	}
	return "UNKNOWN";
}

const char *
dag_status_name(enum rte_dma_status_code st)
{
	switch (st) {
	case RTE_DMA_STATUS_SUCCESSFUL:
		return "successful";
	case RTE_DMA_STATUS_USER_ABORT:
		return "user abort";
	case RTE_DMA_STATUS_NOT_ATTEMPTED:
		return "not attempted";
	case RTE_DMA_STATUS_INVALID_SRC_ADDR:
		return "invalid source address";
	case RTE_DMA_STATUS_INVALID_DST_ADDR:
		return "invalid destination address";
	case RTE_DMA_STATUS_INVALID_LENGTH:
		return "invalid length";
	case RTE_DMA_STATUS_DEV_LINK_ERROR:
		return "device link error (peer gone)";
	default:
		return "error";
	}
}

int
dag_dev_lookup(const char *name, bool inter_process, int16_t *dev_id)
{
	struct rte_dma_info info;
	int id;

	id = rte_dma_get_dev_id_by_name(name);
	if (id < 0) {
		DAG_ERR("DMA device %s not found (missing --vdev=%s in the primary?)", name, name);
		return -ENODEV;
	}
	if (rte_dma_info_get(id, &info) != 0) {
		DAG_ERR("cannot get info of DMA device %s", name);
		return -ENODEV;
	}
	if (inter_process && !(info.dev_capa & RTE_DMA_CAPA_INTER_PROCESS_DOMAIN)) {
		DAG_ERR("DMA device %s cannot do inter-process transfers", name);
		return -ENOTSUP;
	}
	if (inter_process && dag_opts.rendezvous != NULL &&
	    !(info.dev_capa & RTE_DMA_CAPA_INTER_OS_DOMAIN)) {
		DAG_ERR("DMA device %s cannot reach other OS instances (devarg rendezvous=%s "
			"missing?)", name, dag_opts.rendezvous);
		return -ENOTSUP;
	}
	*dev_id = id;
	return 0;
}

int
dag_dev_setup(int16_t dev_id, const struct rte_dma_inter_domain_param *domains,
	      uint16_t nb_vchans, uint16_t nb_desc)
{
	struct rte_dma_conf conf = { .nb_vchans = nb_vchans };
	struct rte_dma_info info;
	uint16_t i;
	int ret;

	ret = rte_dma_info_get(dev_id, &info);
	if (ret != 0)
		return ret;
	if (nb_vchans > info.max_vchans) {
		DAG_ERR("device %d has %u virtual channels, %u needed", dev_id, info.max_vchans,
			nb_vchans);
		return -ENOTSUP;
	}
	nb_desc = RTE_MAX(nb_desc, info.min_desc);
	nb_desc = RTE_MIN(nb_desc, info.max_desc);

	ret = rte_dma_configure(dev_id, &conf);
	if (ret != 0) {
		DAG_ERR("configure of device %d failed: %s", dev_id, strerror(-ret));
		return ret;
	}
	for (i = 0; i < nb_vchans; i++) {
		struct rte_dma_vchan_conf vc = {
			.direction = RTE_DMA_DIR_MEM_TO_MEM,
			.nb_desc = nb_desc,
			.domain = domains[i],
		};

		ret = rte_dma_vchan_setup(dev_id, i, &vc);
		if (ret != 0) {
			DAG_ERR("setup of device %d vchan %u (domain type %d, handlers %u -> %u) failed: %s",
				dev_id, i, (int)vc.domain.type, vc.domain.src_handler,
				vc.domain.dst_handler, strerror(-ret));
			return ret;
		}
	}
	ret = rte_dma_start(dev_id);
	if (ret != 0)
		DAG_ERR("start of device %d failed: %s", dev_id, strerror(-ret));
	return ret;
}

int
dag_dma_copy(int16_t dev_id, uint16_t vchan, rte_iova_t src, rte_iova_t dst, uint64_t len,
	     uint32_t chunk, uint64_t *nb_failed, enum rte_dma_status_code *first_status)
{
	enum rte_dma_status_code st[64];
	uint64_t off = 0, enq = 0, done = 0, failed = 0;
	uint64_t progress_ns = dag_now_ns();
	uint16_t last_idx, n, i;
	int ret = 0;

	*first_status = RTE_DMA_STATUS_SUCCESSFUL;
	while (done < enq || off < len) {
		while (off < len) {
			uint32_t n_bytes = (uint32_t)RTE_MIN((uint64_t)chunk, len - off);

			ret = rte_dma_copy(dev_id, vchan, src + off, dst + off, n_bytes, 0);
			if (ret == -ENOSPC)
				break;
			if (ret < 0)
				goto out;
			off += n_bytes;
			enq++;
		}
		ret = 0;
		rte_dma_submit(dev_id, vchan);

		n = rte_dma_completed_status(dev_id, vchan, RTE_DIM(st), &last_idx, st);
		for (i = 0; i < n; i++) {
			if (st[i] == RTE_DMA_STATUS_SUCCESSFUL)
				continue;
			if (failed++ == 0)
				*first_status = st[i];
		}
		done += n;
		if (n != 0) {
			progress_ns = dag_now_ns();
		} else if (dag_now_ns() - progress_ns > dag_opts.timeout_ms * 1000000ULL) {
			ret = -ETIMEDOUT;
			goto out;
		}
		if (dag_quit) {
			ret = -EINTR;
			goto out;
		}
	}
	if (failed != 0)
		ret = -EIO;
out:
	*nb_failed = failed;
	return ret;
}

/* A splitmix64 step over the word index: any word can be checked on its own. */
static inline uint64_t
dag_pattern_word(uint64_t seed, uint64_t idx)
{
	uint64_t x = seed + (idx + 1) * 0x9e3779b97f4a7c15ULL;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void
dag_pattern_fill(uint8_t *buf, uint64_t len, uint64_t seed)
{
	uint64_t i, w;

	for (i = 0; i + sizeof(w) <= len; i += sizeof(w)) {
		w = dag_pattern_word(seed, i / sizeof(w));
		memcpy(buf + i, &w, sizeof(w));
	}
	if (i < len) {
		w = dag_pattern_word(seed, i / sizeof(w));
		memcpy(buf + i, &w, len - i);
	}
}

uint64_t
dag_pattern_check(const uint8_t *buf, uint64_t len, uint64_t seed)
{
	uint8_t expect[sizeof(uint64_t)];
	uint64_t i, j, w, got;

	for (i = 0; i < len; i += sizeof(w)) {
		w = dag_pattern_word(seed, i / sizeof(w));
		if (i + sizeof(w) <= len) {
			memcpy(&got, buf + i, sizeof(got));
			if (got == w)
				continue;
		}
		memcpy(expect, &w, sizeof(w));
		for (j = 0; j < sizeof(w) && i + j < len; j++)
			if (buf[i + j] != expect[j])
				return i + j;
	}
	return len;
}
