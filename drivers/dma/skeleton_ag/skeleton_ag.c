/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

/*
 * skeleton_ag: software DMA device with inter-process domain transfers. This file holds the
 * device: probe/remove, devargs, the control operations and the dump. The fast path is in
 * skeleton_ag_dp.c, the access pair groups in skeleton_ag_ctrl.c and skeleton_ag_table.c.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_kvargs.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "skeleton_ag.h"
#include "skeleton_ag_ctrl.h"
#include "skeleton_ag_os.h"

RTE_LOG_REGISTER_DEFAULT(skag_logtype, INFO);

static const char *const skag_valid_args[] = {
	SKAG_ARG_MAX_GROUPS,
	SKAG_ARG_MAX_MEMBERS,
	SKAG_ARG_RENDEZVOUS,
	NULL
};

static int
skag_info_get(const struct rte_dma_dev *dev, struct rte_dma_info *info, uint32_t info_sz)
{
	const struct skag_dev *sd = dev->data->dev_private;

	RTE_SET_USED(info_sz);

	info->dev_capa = RTE_DMA_CAPA_MEM_TO_MEM | RTE_DMA_CAPA_SVA | RTE_DMA_CAPA_OPS_COPY |
			 RTE_DMA_CAPA_OPS_COPY_SG | RTE_DMA_CAPA_OPS_FILL |
			 RTE_DMA_CAPA_HANDLES_ERRORS | RTE_DMA_CAPA_INTER_PROCESS_DOMAIN;
	if (sd->inter_os)
		info->dev_capa |= RTE_DMA_CAPA_INTER_OS_DOMAIN;
	info->max_vchans = SKAG_MAX_VCHANS;
	info->max_desc = SKAG_MAX_DESC;
	info->min_desc = SKAG_MIN_DESC;
	info->max_sges = SKAG_MAX_SGES;
	return 0;
}

/* Imports are mappings of the process that set the vchan up: only it can release them. */
static void
skag_vchan_imports_release(struct skag_os_import *imp[2], int32_t owner)
{
	if (owner == skag_mem_pid) {
		skag_os_import_release(imp[0]);
		skag_os_import_release(imp[1]);
	}
}

/* This process's mappings for the device's vchans end with it, even where it cannot close. */
static void
skag_dev_imports_release(struct skag_dev *sd)
{
	uint16_t i;

	for (i = 0; i < SKAG_MAX_VCHANS; i++) {
		struct skag_vchan *vc = &sd->vchan[i];

		if (vc->owner != skag_mem_pid)
			continue;
		skag_vchan_imports_release(vc->imp, vc->owner);
		vc->imp[0] = NULL;
		vc->imp[1] = NULL;
	}
}

static void
skag_vchan_release(struct skag_vchan *vc)
{
	skag_vchan_imports_release(vc->imp, vc->owner);
	rte_free(vc->ring);
	rte_free(vc->sg_buf);
	memset(vc, 0, sizeof(*vc));
}

/*
 * An end of an inter-domain vchan: memory of this OS instance is reached through the map of
 * DPDK shared memory; memory of another instance is imported from the member's process, and
 * *delta turns its addresses into those of the mapping here.
 */
static int
skag_vchan_end_setup(const char *name, uint16_t vchan, const struct skag_link *link,
		     enum skag_link_member which, struct skag_os_import **imp,
		     struct skag_vchan_end *end, uintptr_t *delta)
{
	int ret;

	if (link->instance[which] == skag_os_instance())
		return 0;
	ret = skag_os_import(skag_ctrl_rendezvous(), link->group_id, link->pid[which], imp);
	if (ret == 0)
		ret = skag_ctrl_watch_import(skag_os_import_fd(*imp));
	if (ret != 0) {
		SKAG_LOG(ERR, "%s: vchan %u: cannot map the memory of pid %d: %s", name, vchan,
			 (int)link->pid[which], strerror(-ret));
		skag_os_import_release(*imp);
		*imp = NULL;
		return ret;
	}
	end->imported = true;
	end->nb = skag_os_import_windows(*imp, end->w, SKAG_VCHAN_RANGES);
	*delta = skag_os_import_delta(*imp);
	return 0;
}

static int
skag_configure(struct rte_dma_dev *dev, const struct rte_dma_conf *conf, uint32_t conf_sz)
{
	struct skag_dev *sd = dev->data->dev_private;
	uint16_t i;

	RTE_SET_USED(conf_sz);

	/* Channels beyond the new count are gone: free them so close has nothing stale. */
	for (i = conf->nb_vchans; i < SKAG_MAX_VCHANS; i++)
		skag_vchan_release(&sd->vchan[i]);
	sd->nb_vchans = conf->nb_vchans;
	return 0;
}

static int
skag_start(struct rte_dma_dev *dev)
{
	struct skag_dev *sd = dev->data->dev_private;
	uint16_t i;

	/* The fast path does not check vchans, so every configured one must be usable. */
	for (i = 0; i < sd->nb_vchans; i++) {
		if (sd->vchan[i].ring == NULL) {
			SKAG_LOG(ERR, "%s: vchan %u is not set up", dev->data->dev_name, i);
			return -EINVAL;
		}
	}
	for (i = 0; i < sd->nb_vchans; i++)
		skag_dp_vchan_reset(&sd->vchan[i]);
	return 0;
}

static int
skag_stop(struct rte_dma_dev *dev)
{
	/* Ops run at submit, nothing is in progress; ring_idx restarts at 0 on the next start. */
	RTE_SET_USED(dev);
	return 0;
}

static int
skag_close(struct rte_dma_dev *dev)
{
	struct skag_dev *sd = dev->data->dev_private;
	uint16_t i;

	skag_ctrl_dev_close(dev->data->dev_id);
	skag_dev_imports_release(sd);
	/* The vchans live in shared memory and belong to the primary's device. */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	for (i = 0; i < SKAG_MAX_VCHANS; i++)
		skag_vchan_release(&sd->vchan[i]);
	sd->nb_vchans = 0;
	return 0;
}

static int
skag_vchan_setup(struct rte_dma_dev *dev, uint16_t vchan, const struct rte_dma_vchan_conf *conf,
		 uint32_t conf_sz)
{
	struct skag_dev *sd = dev->data->dev_private;
	struct skag_vchan *vc = &sd->vchan[vchan];
	const char *name = dev->data->dev_name;
	uint32_t size = rte_align32pow2(conf->nb_desc);
	struct skag_os_import *imp[2] = { NULL, NULL };
	struct skag_vchan_end src_end = { 0 }, dst_end = { 0 };
	uintptr_t delta[2] = { 0, 0 };
	struct skag_link link = { .epoch = NULL };
	struct rte_dma_sge *sg_buf;
	struct skag_desc *ring;
	bool inter;
	int ret;

	RTE_SET_USED(conf_sz);

	if (conf->direction != RTE_DMA_DIR_MEM_TO_MEM) {
		SKAG_LOG(ERR, "%s: vchan %u: only mem to mem is supported", name, vchan);
		return -EINVAL;
	}
	switch (conf->domain.type) {
	case RTE_DMA_INTER_DOMAIN_NONE:
		inter = false;
		break;
	case RTE_DMA_INTER_PROCESS_DOMAIN:
		inter = true;
		break;
	case RTE_DMA_INTER_OS_DOMAIN:
		inter = sd->inter_os;
		if (inter)
			break;
		/* fallthrough */
	default:
		SKAG_LOG(ERR, "%s: vchan %u: domain type %d not supported", name, vchan,
			 (int)conf->domain.type);
		return -EINVAL;
	}

	if (inter) {
		struct skag_tbl *tbl = skag_ctrl_table();

		if (tbl == NULL) {
			SKAG_LOG(ERR, "%s: group table not attached", name);
			return -ENODEV;
		}
		/*
		 * Both handlers must be live members of one group this device is in; the
		 * device may move data between two other members, as DSA-like engines do.
		 */
		ret = skag_link_resolve(tbl, skag_os_instance(), dev->data->dev_id,
					conf->domain.src_handler, conf->domain.dst_handler, &link);
		if (ret < 0) {
			SKAG_LOG(ERR, "%s: vchan %u: handlers %u -> %u %s (%d)", name, vchan,
				 conf->domain.src_handler, conf->domain.dst_handler,
				 ret == -EPERM ? "not authorised" : "invalid", ret);
			return ret;
		}
		if (conf->domain.type == RTE_DMA_INTER_PROCESS_DOMAIN &&
		    (link.instance[SKAG_LINK_SRC] != skag_os_instance() ||
		     link.instance[SKAG_LINK_DST] != skag_os_instance())) {
			SKAG_LOG(ERR, "%s: vchan %u: a handler names a domain of another OS "
				 "instance", name, vchan);
			return -EINVAL;
		}
		if (conf->domain.type == RTE_DMA_INTER_OS_DOMAIN) {
			ret = skag_vchan_end_setup(name, vchan, &link, SKAG_LINK_SRC, &imp[0],
						   &src_end, &delta[0]);
			if (ret == 0)
				ret = skag_vchan_end_setup(name, vchan, &link, SKAG_LINK_DST,
							   &imp[1], &dst_end, &delta[1]);
			if (ret != 0) {
				skag_vchan_imports_release(imp, skag_mem_pid);
				return ret;
			}
		}
	}

	ring = rte_zmalloc_socket("skag_ring", size * sizeof(*ring), RTE_CACHE_LINE_SIZE,
				  dev->data->numa_node);
	sg_buf = rte_zmalloc_socket("skag_sg", SKAG_SG_BUF_ENTRIES * sizeof(*sg_buf),
				    RTE_CACHE_LINE_SIZE, dev->data->numa_node);
	if (ring == NULL || sg_buf == NULL) {
		SKAG_LOG(ERR, "%s: vchan %u: cannot allocate %u descriptors", name, vchan, size);
		rte_free(ring);
		rte_free(sg_buf);
		skag_vchan_imports_release(imp, skag_mem_pid);
		return -ENOMEM;
	}

	/* Nothing can fail from here: the previous setup is replaced only now. */
	skag_vchan_release(vc);
	vc->ring = ring;
	vc->sg_buf = sg_buf;
	vc->delta[0] = delta[0];
	vc->delta[1] = delta[1];
	vc->mask = size - 1;
	vc->nb_desc = conf->nb_desc;
	vc->inter = inter;
	vc->link = link;
	if (!inter)
		vc->link.epoch = &vc->local_epoch;	/* zero, as link.epoch_seen */
	/* The next burst copies the map of DPDK shared memory into the other ends. */
	vc->mem.gen = 0;
	vc->mem.src = src_end;
	vc->mem.dst = dst_end;
	vc->owner = skag_mem_pid;
	vc->imp[0] = imp[0];
	vc->imp[1] = imp[1];
	vc->conf = *conf;
	return 0;
}

static int
skag_stats_get(const struct rte_dma_dev *dev, uint16_t vchan, struct rte_dma_stats *stats,
	       uint32_t stats_sz)
{
	const struct skag_dev *sd = dev->data->dev_private;
	uint16_t i, first = vchan, last = vchan;

	RTE_SET_USED(stats_sz);
	if (vchan == RTE_DMA_ALL_VCHAN) {
		first = 0;
		last = sd->nb_vchans - 1;
	}
	memset(stats, 0, sizeof(*stats));
	for (i = first; i <= last && i < SKAG_MAX_VCHANS; i++) {
		stats->submitted += sd->vchan[i].submitted;
		stats->completed += sd->vchan[i].completed;
		stats->errors += sd->vchan[i].errors;
	}
	return 0;
}

static int
skag_stats_reset(struct rte_dma_dev *dev, uint16_t vchan)
{
	struct skag_dev *sd = dev->data->dev_private;
	uint16_t i, first = vchan, last = vchan;

	if (vchan == RTE_DMA_ALL_VCHAN) {
		first = 0;
		last = sd->nb_vchans - 1;
	}
	for (i = first; i <= last && i < SKAG_MAX_VCHANS; i++) {
		sd->vchan[i].submitted = 0;
		sd->vchan[i].completed = 0;
		sd->vchan[i].errors = 0;
	}
	return 0;
}

static int
skag_vchan_status(const struct rte_dma_dev *dev, uint16_t vchan, enum rte_dma_vchan_status *status)
{
	RTE_SET_USED(dev);
	RTE_SET_USED(vchan);
	/* Submitted ops are executed by the submit call itself: the vchan is never busy. */
	*status = RTE_DMA_VCHAN_IDLE;
	return 0;
}

static const char *
skag_domain_name(enum rte_dma_inter_domain_type type)
{
	switch (type) {
	case RTE_DMA_INTER_DOMAIN_NONE:
		return "none";
	case RTE_DMA_INTER_PROCESS_DOMAIN:
		return "inter-process";
	case RTE_DMA_INTER_OS_DOMAIN:
		return "inter-os";
	default:
		return "unknown";
	}
}

static int
skag_dump(const struct rte_dma_dev *dev, FILE *f)
{
	const struct skag_dev *sd = dev->data->dev_private;
	uint16_t i;

	fprintf(f, "  skeleton_ag: dev_id %d, table max_groups %u max_members %u (%s)\n",
		dev->data->dev_id, sd->max_groups, sd->max_members,
		sd->explicit_sizes ? "devargs" : "defaults");
	fprintf(f, "  config: nb_vchans %u\n", sd->nb_vchans);
	for (i = 0; i < sd->nb_vchans; i++) {
		const struct skag_vchan *vc = &sd->vchan[i];

		if (vc->ring == NULL) {
			fprintf(f, "  vchan %u: not set up\n", i);
			continue;
		}
		fprintf(f, "  vchan %u: direction mem2mem, nb_desc %u, ring %u, domain %s",
			i, vc->nb_desc, vc->mask + 1u, skag_domain_name(vc->conf.domain.type));
		if (vc->inter) {
			/* A copy: the dump does not refresh the link of the lcore driving it. */
			struct skag_link link = vc->link;

			fprintf(f, ", src_handler %u, dst_handler %u, group %d, link %s",
				vc->conf.domain.src_handler, vc->conf.domain.dst_handler,
				link.group_id, skag_link_fresh(&link) ||
				skag_link_revalidate(&link) ? "live" : "stale");
		}
		fprintf(f, "\n    ring_idx: enqueued %u, submitted %u, completed %u\n",
			vc->enq_idx, vc->sub_idx, vc->cmp_idx);
		fprintf(f, "    stats: submitted %" PRIu64 ", completed %" PRIu64
			", errors %" PRIu64 "\n", vc->submitted, vc->completed, vc->errors);
	}
	skag_ctrl_dump_groups(dev->data->dev_id, f);
	return 0;
}

static const struct rte_dma_dev_ops skag_ops = {
	.dev_info_get = skag_info_get,
	.dev_configure = skag_configure,
	.dev_start = skag_start,
	.dev_stop = skag_stop,
	.dev_close = skag_close,
	.vchan_setup = skag_vchan_setup,
	.stats_get = skag_stats_get,
	.stats_reset = skag_stats_reset,
	.vchan_status = skag_vchan_status,
	.dev_dump = skag_dump,
	.access_pair_group_create = skag_ctrl_group_create,
	.access_pair_group_destroy = skag_ctrl_group_destroy,
	.access_pair_group_join = skag_ctrl_group_join,
	.access_pair_group_leave = skag_ctrl_group_leave,
	.access_pair_group_handler_get = skag_ctrl_group_handler_get,
};

struct skag_u16_arg {
	uint16_t *val;
	unsigned int min;
	unsigned int max;
};

static int
skag_parse_u16(const char *key, const char *value, void *opaque)
{
	const struct skag_u16_arg *a = opaque;
	unsigned long v;
	char *end;

	/* Plain decimal only: strtoul alone would take "-1", " 8" or "0x10". */
	if (value == NULL || value[0] < '0' || value[0] > '9')
		goto bad;
	errno = 0;
	v = strtoul(value, &end, 10);
	if (errno != 0 || *end != '\0' || v < a->min || v > a->max)
		goto bad;
	*a->val = (uint16_t)v;
	return 0;
bad:
	SKAG_LOG(ERR, "devarg %s=%s invalid: must be an integer in %u..%u", key,
		 value == NULL ? "" : value, a->min, a->max);
	return -EINVAL;
}

/* Devargs of a device. */
struct skag_args {
	uint16_t max_groups;
	uint16_t max_members;
	bool explicit_sizes;		/**< A size was given. */
	char rendezvous[SKAG_OS_DIR_MAX + 1];	/**< "" if not given. */
};

static int
skag_parse_dir(const char *key, const char *value, void *opaque)
{
	char *dir = opaque;

	/* An absolute path, short enough for the socket paths made in it. */
	if (value == NULL || value[0] != '/' || strlen(value) > SKAG_OS_DIR_MAX) {
		SKAG_LOG(ERR, "devarg %s=%s invalid: must be an absolute path of at most %d "
			 "characters", key, value == NULL ? "" : value, SKAG_OS_DIR_MAX);
		return -EINVAL;
	}
	strcpy(dir, value);
	return 0;
}

static int
skag_parse_args(struct rte_vdev_device *vdev, struct skag_args *a)
{
	const char *name = rte_vdev_device_name(vdev);
	const char *params = rte_vdev_device_args(vdev);
	struct skag_u16_arg groups = { &a->max_groups, SKAG_MIN_GROUPS, SKAG_MAX_GROUPS };
	struct skag_u16_arg members = { &a->max_members, SKAG_MIN_MEMBERS, SKAG_MAX_MEMBERS };
	struct rte_kvargs *kvlist;
	unsigned int i;
	int ret = 0;

	memset(a, 0, sizeof(*a));
	a->max_groups = SKAG_DEF_GROUPS;
	a->max_members = SKAG_DEF_MEMBERS;
	if (params == NULL || params[0] == '\0')
		return 0;

	kvlist = rte_kvargs_parse(params, skag_valid_args);
	if (kvlist == NULL) {
		SKAG_LOG(ERR, "%s: invalid devargs \"%s\": valid keys are %s, %s and %s", name,
			 params, SKAG_ARG_MAX_GROUPS, SKAG_ARG_MAX_MEMBERS, SKAG_ARG_RENDEZVOUS);
		return -EINVAL;
	}
	for (i = 0; skag_valid_args[i] != NULL; i++) {
		if (rte_kvargs_count(kvlist, skag_valid_args[i]) > 1) {
			SKAG_LOG(ERR, "%s: devargs \"%s\": %s is given more than once", name,
				 params, skag_valid_args[i]);
			ret = -EINVAL;
			goto out;
		}
	}
	if (rte_kvargs_count(kvlist, SKAG_ARG_MAX_GROUPS) == 1) {
		ret = rte_kvargs_process(kvlist, SKAG_ARG_MAX_GROUPS, skag_parse_u16, &groups);
		if (ret < 0)
			goto out;
		a->explicit_sizes = true;
	}
	if (rte_kvargs_count(kvlist, SKAG_ARG_MAX_MEMBERS) == 1) {
		ret = rte_kvargs_process(kvlist, SKAG_ARG_MAX_MEMBERS, skag_parse_u16, &members);
		if (ret < 0)
			goto out;
		a->explicit_sizes = true;
	}
	if (rte_kvargs_count(kvlist, SKAG_ARG_RENDEZVOUS) == 1)
		ret = rte_kvargs_process(kvlist, SKAG_ARG_RENDEZVOUS, skag_parse_dir,
					 a->rendezvous);
out:
	rte_kvargs_free(kvlist);
	return ret < 0 ? -EINVAL : 0;
}

static int
skag_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_dma_dev *dev;
	struct skag_args args;
	struct skag_dev *sd;
	int ret;

	if (name == NULL)
		return -EINVAL;
	ret = skag_parse_args(vdev, &args);
	if (ret < 0)
		return ret;

	ret = skag_mem_attach();
	if (ret < 0) {
		SKAG_LOG(ERR, "%s: cannot map DPDK shared memory (%d)", name, ret);
		return ret;
	}
	ret = skag_ctrl_attach(args.max_groups, args.max_members, args.explicit_sizes,
			       args.rendezvous);
	if (ret < 0) {
		SKAG_LOG(ERR, "%s: cannot attach the group table (%d)", name, ret);
		skag_mem_detach();
		return ret;
	}

	/* In a secondary this binds to the device data the primary allocated. */
	dev = rte_dma_pmd_allocate(name, rte_socket_id(), sizeof(struct skag_dev));
	if (dev == NULL) {
		SKAG_LOG(ERR, "%s: cannot %s dmadev", name,
			 rte_eal_process_type() == RTE_PROC_PRIMARY ?
			 "allocate" : "attach to the primary's");
		skag_ctrl_detach();
		skag_mem_detach();
		return rte_eal_process_type() == RTE_PROC_PRIMARY ? -ENOMEM : -ENODEV;
	}

	dev->device = &vdev->device;
	dev->dev_ops = &skag_ops;
	/* fp objects are per process: each process sets its own. */
	skag_dp_fp_set(dev->fp_obj, dev->data->dev_private);

	sd = dev->data->dev_private;
	if (rte_eal_process_type() == RTE_PROC_PRIMARY) {
		sd->dev_id = dev->data->dev_id;
		sd->max_groups = args.max_groups;
		sd->max_members = args.max_members;
		sd->explicit_sizes = args.explicit_sizes;
		sd->inter_os = args.rendezvous[0] != '\0';
	}
	dev->state = RTE_DMA_DEV_READY;

	SKAG_LOG(INFO, "%s: dmadev %d %s", name, dev->data->dev_id,
		 rte_eal_process_type() == RTE_PROC_PRIMARY ? "created" : "attached");
	return 0;
}

static int
skag_remove(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	int dev_id, ret = 0;

	if (name == NULL)
		return -EINVAL;
	/* Not found: the application closed the device already, rte_dma_close() released it. */
	dev_id = rte_dma_get_dev_id_by_name(name);
	if (dev_id >= 0) {
		if (rte_eal_process_type() == RTE_PROC_PRIMARY)
			rte_dma_stop(dev_id);
		/* In a secondary, dev_close leaves the device's shared state alone. */
		ret = rte_dma_close(dev_id);
		if (ret == -EBUSY && rte_eal_process_type() != RTE_PROC_PRIMARY) {
			/*
			 * Started by the primary: the library refuses to close it. The vchans
			 * this process set up stay refused to others (foreign imports).
			 */
			SKAG_LOG(DEBUG, "%s: left to the primary", name);
			skag_dev_imports_release(rte_dma_fp_objs[dev_id].dev_private);
			ret = 0;
		} else if (ret < 0) {
			SKAG_LOG(ERR, "%s: cannot close dmadev %d (%d)", name, dev_id, ret);
		}
	}
	/* This process's memberships go with the last detach. */
	skag_ctrl_detach();
	skag_mem_detach();
	return ret;
}

static struct rte_vdev_driver skag_pmd_drv = {
	.probe = skag_probe,
	.remove = skag_remove,
	.drv_flags = RTE_VDEV_DRV_NEED_IOVA_AS_VA,
};

/*
 * No other driver name prefixes dma_skag: DPDK's vdev bus gives a device to the first
 * registered driver whose name prefixes the device name, so dma_skeleton_ag0 could go to
 * dma_skeleton. The old name works where the bus takes the longest match.
 */
#ifdef SKAG_LEGACY_NAME
RTE_PMD_REGISTER_ALIAS(dma_skag, SKAG_LEGACY_NAME);
#endif
RTE_PMD_REGISTER_VDEV(dma_skag, skag_pmd_drv);
RTE_PMD_REGISTER_PARAM_STRING(dma_skag,
		SKAG_ARG_MAX_GROUPS "=<" RTE_STR(SKAG_MIN_GROUPS) ".." RTE_STR(SKAG_MAX_GROUPS) "> "
		SKAG_ARG_MAX_MEMBERS "=<" RTE_STR(SKAG_MIN_MEMBERS) ".." RTE_STR(SKAG_MAX_MEMBERS)
		"> " SKAG_ARG_RENDEZVOUS "=<absolute directory path>");
