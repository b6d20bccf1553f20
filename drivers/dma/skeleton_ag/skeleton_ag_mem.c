/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

/*
 * Memory the data path may touch. DPDK shared memory is what every vchan may reach: the
 * backed segments of the EAL memory, which every process of the group maps at the same
 * address. This file keeps the process's map of it up to date with the memory events of the
 * allocator and gives the data path copies of it; a local vchan may also reach the private
 * mappings of its process, checked against the kernel's list of them.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "skeleton_ag.h"

#define SKAG_MEM_CB_NAME	"skeleton_ag_mem"

/* The process's map: every VA-contiguous run of backed segments, sorted, merged. */
static struct {
	pthread_mutex_t lock;
	unsigned int refcnt;
	bool callback;
	uint32_t nb;
	uint32_t size;
	struct skag_range *r;
} skag_mem = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/* Bumped when the map changes, read by the data path once per burst. */
RTE_ATOMIC(uint32_t) skag_mem_gen = 1;
int32_t skag_mem_pid;

static int
skag_mem_run_add(const struct rte_memseg_list *msl, const struct rte_memseg *ms, size_t len,
		 void *arg)
{
	struct skag_range *r;
	uint32_t *nb = arg;

	/* Memory registered by the application is not mapped in the other processes. */
	if (msl->external)
		return 0;
	if (*nb == skag_mem.size) {
		uint32_t size = RTE_MAX(2 * skag_mem.size, 64u);

		r = realloc(skag_mem.r, size * sizeof(*r));
		if (r == NULL)
			return -1;
		skag_mem.r = r;
		skag_mem.size = size;
	}
	r = &skag_mem.r[(*nb)++];
	r->start = (uintptr_t)ms->addr;
	r->end = r->start + len;
	return 0;
}

static int
skag_mem_range_cmp(const void *a, const void *b)
{
	const struct skag_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Rebuild the map; lock held, and the memory hotplug lock (walk without taking it again). */
static int
skag_mem_rebuild(void)
{
	uint32_t i, nb = 0, n = 0;

	if (rte_memseg_contig_walk_thread_unsafe(skag_mem_run_add, &nb) != 0) {
		/* Out of memory: an empty map refuses everything, which is safe. */
		skag_mem.nb = 0;
		rte_atomic_fetch_add_explicit(&skag_mem_gen, 1, rte_memory_order_release);
		return -ENOMEM;
	}
	qsort(skag_mem.r, nb, sizeof(skag_mem.r[0]), skag_mem_range_cmp);
	for (i = 0; i < nb; i++) {
		if (n > 0 && skag_mem.r[i].start <= skag_mem.r[n - 1].end)
			skag_mem.r[n - 1].end = RTE_MAX(skag_mem.r[n - 1].end, skag_mem.r[i].end);
		else
			skag_mem.r[n++] = skag_mem.r[i];
	}
	skag_mem.nb = n;
	rte_atomic_fetch_add_explicit(&skag_mem_gen, 1, rte_memory_order_release);
	return 0;
}

/* Called with the hotplug lock held, before freed memory is unmapped. */
static void
skag_mem_event(enum rte_mem_event type, const void *addr, size_t len, void *arg)
{
	RTE_SET_USED(type);
	RTE_SET_USED(addr);
	RTE_SET_USED(len);
	RTE_SET_USED(arg);
	pthread_mutex_lock(&skag_mem.lock);
	if (skag_mem_rebuild() != 0)
		SKAG_LOG(ERR, "cannot rebuild the shared memory map");
	pthread_mutex_unlock(&skag_mem.lock);
}

int
skag_mem_attach(void)
{
	int rc = 0;

	pthread_mutex_lock(&skag_mem.lock);
	if (skag_mem.refcnt++ > 0)
		goto out;
	skag_mem_pid = getpid();
	rte_mcfg_mem_read_lock();
	rc = skag_mem_rebuild();
	rte_mcfg_mem_read_unlock();
	if (rc != 0) {
		skag_mem.refcnt = 0;
		goto out;
	}
	/* Unsupported in legacy memory mode, where memory never changes. */
	skag_mem.callback = rte_mem_event_callback_register(SKAG_MEM_CB_NAME, skag_mem_event,
							     NULL) == 0;
	if (!skag_mem.callback && rte_errno != ENOTSUP) {
		SKAG_LOG(ERR, "cannot follow memory events: %s", rte_strerror(rte_errno));
		skag_mem.refcnt = 0;
		rc = -rte_errno;
	}
out:
	pthread_mutex_unlock(&skag_mem.lock);
	return rc;
}

void
skag_mem_detach(void)
{
	pthread_mutex_lock(&skag_mem.lock);
	if (skag_mem.refcnt > 0 && --skag_mem.refcnt == 0 && skag_mem.callback) {
		pthread_mutex_unlock(&skag_mem.lock);
		/* Not under our lock: the callback takes it with the hotplug lock held. */
		rte_mem_event_callback_unregister(SKAG_MEM_CB_NAME, NULL);
		pthread_mutex_lock(&skag_mem.lock);
		skag_mem.callback = false;
	}
	pthread_mutex_unlock(&skag_mem.lock);
}

/* lock held */
static void
skag_mem_end_copy(struct skag_vchan_end *e)
{
	uint32_t i;

	if (e->imported)
		return;
	e->nb = RTE_MIN(skag_mem.nb, (uint32_t)SKAG_VCHAN_RANGES);
	e->partial = skag_mem.nb > SKAG_VCHAN_RANGES;
	for (i = 0; i < e->nb; i++) {
		e->w[i].start = skag_mem.r[i].start;
		e->w[i].span = skag_mem.r[i].end - skag_mem.r[i].start;
	}
	e->hint = 0;
}

void
skag_mem_copy(struct skag_vchan_mem *vm)
{
	pthread_mutex_lock(&skag_mem.lock);
	vm->gen = rte_atomic_load_explicit(&skag_mem_gen, rte_memory_order_acquire);
	vm->pid = skag_mem_pid;
	skag_mem_end_copy(&vm->src);
	skag_mem_end_copy(&vm->dst);
	pthread_mutex_unlock(&skag_mem.lock);
}

bool
skag_mem_shared_has(uint64_t addr, uint64_t len)
{
	uint32_t lo = 0, hi;
	bool found = false;

	pthread_mutex_lock(&skag_mem.lock);
	hi = skag_mem.nb;
	/* Last range starting at or below addr. */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (skag_mem.r[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0)
		found = addr + len >= addr && addr + len <= skag_mem.r[lo - 1].end;
	pthread_mutex_unlock(&skag_mem.lock);
	return found;
}

/*
 * Whether [addr, addr + len) is mapped in this process, readable (and writable if write),
 * by the kernel's list of the process's mappings, sorted by address.
 */
bool
skag_mem_private_ok(uint64_t addr, uint64_t len, bool write)
{
	uint64_t start, end, next = addr, last;
	char line[512], perms[5];
	bool ok = false;
	FILE *f;

	if (len == 0 || addr + len < addr)
		return len == 0 && addr != 0;
	last = addr + len;
	f = fopen("/proc/self/maps", "re");
	if (f == NULL)
		return false;
	while (!ok && fgets(line, sizeof(line), f) != NULL) {
		/* The rest of a line longer than the buffer (a long path) is of no use. */
		if (strchr(line, '\n') == NULL) {
			char rest[64];

			while (fgets(rest, sizeof(rest), f) != NULL && strchr(rest, '\n') == NULL)
				;
		}
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s", &start, &end, perms) != 3)
			break;
		if (end <= next)
			continue;
		/* A hole before the next byte, or a mapping without the access: refused. */
		if (start > next || perms[0] != 'r' || (write && perms[1] != 'w'))
			break;
		next = end;
		ok = next >= last;
	}
	fclose(f);
	return ok;
}
