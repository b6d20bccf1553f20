/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#ifndef SKELETON_AG_CTRL_H
#define SKELETON_AG_CTRL_H

/**
 * @file
 *
 * Control plane of the skeleton_ag DMA driver.
 *
 * Glue between EAL/dmadev and the pure group table (skeleton_ag_table.h): the one global table
 * in a named memzone shared by every skeleton_ag device of every process, the per-process
 * control threads (event delivery, death detection), the process-local registry of event
 * callbacks, the five access pair group dev_ops, the group dump and the telemetry commands.
 * Tokens never leave the table.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_dmadev.h>
#include <rte_dmadev_pmd.h>
#include <rte_uuid.h>

#include "skeleton_ag_table.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Name of the memzone holding the group table. */
#define SKAG_CTRL_MZ_NAME	"skeleton_ag_tbl"
/** Name of the memzone holding the rendezvous of the primary process ("" for none). */
#define SKAG_CTRL_RDV_MZ_NAME	"skeleton_ag_rdv"
/** Names of the control threads; short enough for DPDK's internal thread prefix. */
#define SKAG_CTRL_WATCH_NAME	"skag-watch"
#define SKAG_CTRL_REAP_NAME	"skag-reap"
#define SKAG_CTRL_DEATH_NAME	"skag-death"
/** Telemetry commands. */
#define SKAG_CTRL_TEL_TABLE	"/dmadev/skeleton_ag/table"
#define SKAG_CTRL_TEL_GROUPS	"/dmadev/skeleton_ag/groups"
#define SKAG_CTRL_TEL_GROUP	"/dmadev/skeleton_ag/group"
/** Group ids per page of SKAG_CTRL_TEL_GROUPS. */
#define SKAG_CTRL_TEL_PAGE	256

/**
 * Attach the calling process to the group table; called by probe for every device, in every
 * process (refcounted).
 *
 * The first call of a process maps the table (the primary reserves the memzone
 * SKAG_CTRL_MZ_NAME and initializes it, a secondary looks it up and attaches) and starts the
 * control threads: the watcher takes a process slot and delivers the events of the process to
 * the registered callbacks, the reaper removes the memberships of dead processes.
 *
 * @param max_groups
 *   Number of groups of the table (1..SKAG_MAX_GROUPS); used when the table is created.
 * @param max_members
 *   Members per group (2..SKAG_MAX_MEMBERS); used when the table is created.
 * @param explicit_sizes
 *   True if the sizes were given as devargs: they must then match an existing table.
 * @param dir
 *   Rendezvous directory of a table shared with other OS instances, NULL or "" for the table
 *   of the processes of this application (a memzone). Every device of a process gives the same.
 *   The primary publishes its own in the memzone SKAG_CTRL_RDV_MZ_NAME; a secondary that gives
 *   none (the vdev bus gives it no devargs) uses the primary's.
 * @return
 *   0, -EINVAL on bad or mismatching sizes, -ENOENT if a secondary finds no table, -ENOSPC
 *   if no process slot is free, or another negative errno.
 */
int skag_ctrl_attach(uint16_t max_groups, uint16_t max_members, bool explicit_sizes,
		const char *dir);

/** Rendezvous directory of the process's table, "" for the memzone table. */
const char *skag_ctrl_rendezvous(void);

/**
 * Watch the connection of an import: when the exporting process closes it (it died or is
 * going), dead processes are looked for at once. The import keeps the descriptor.
 */
int skag_ctrl_watch_import(int fd);

/**
 * Drop one reference taken by skag_ctrl_attach(); called by remove. The last one stops the
 * control threads and detaches the process slot (memberships of the process are removed).
 */
void skag_ctrl_detach(void);

/**
 * Get the group table of this process.
 *
 * @return
 *   The table, NULL if the process is not attached.
 */
struct skag_tbl *skag_ctrl_table(void);

/**
 * Remove the memberships this process holds through a device and its callback registrations;
 * called by dev_close. Other members get MEMBER_LEFT or GROUP_DESTROYED as for a leave.
 * Memberships of the device held by other processes stay.
 *
 * @param dev_id
 *   Device being closed.
 */
void skag_ctrl_dev_close(int16_t dev_id);

/** dev_ops access_pair_group_create, see rte_dma_access_pair_group_create(). */
int skag_ctrl_group_create(const struct rte_dma_dev *dev, rte_uuid_t domain_id,
		rte_uuid_t token, int16_t *group_id, rte_dma_access_pair_group_event_cb_t cb);

/** dev_ops access_pair_group_destroy, see rte_dma_access_pair_group_destroy(). */
int skag_ctrl_group_destroy(const struct rte_dma_dev *dev, int16_t group_id);

/** dev_ops access_pair_group_join, see rte_dma_access_pair_group_join(). */
int skag_ctrl_group_join(const struct rte_dma_dev *dev, rte_uuid_t domain_id,
		rte_uuid_t token, int16_t group_id, rte_dma_access_pair_group_event_cb_t cb);

/** dev_ops access_pair_group_leave, see rte_dma_access_pair_group_leave(). */
int skag_ctrl_group_leave(const struct rte_dma_dev *dev, int16_t group_id);

/** dev_ops access_pair_group_handler_get, see rte_dma_access_pair_group_handler_get(). */
int skag_ctrl_group_handler_get(const struct rte_dma_dev *dev, int16_t group_id,
		rte_uuid_t domain_id, uint16_t *handler);

/**
 * Print the table counters and the groups a device belongs to: per group its id and members
 * with domain (UUID text), role, handler, device and pid. Never prints tokens.
 *
 * @param dev_id
 *   Device whose groups are printed.
 * @param f
 *   Output stream.
 */
void skag_ctrl_dump_groups(int16_t dev_id, FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* SKELETON_AG_CTRL_H */
