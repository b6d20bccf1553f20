/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_memzone.h>
#include <rte_tailq.h>
#include <rte_telemetry.h>

#include "skeleton_ag_compat.h"
#include "skeleton_ag_ctrl.h"

RTE_LOG_REGISTER_SUFFIX(skag_ctrl_logtype, ctrl, INFO);
#define RTE_LOGTYPE_SKAG_CTRL skag_ctrl_logtype
#define SKAG_CTRL_LOG(level, ...) \
	RTE_LOG_LINE_PREFIX(level, SKAG_CTRL, "%s(): ", __func__, __VA_ARGS__)

/* Watcher period: bounds death detection latency and the latency of a detach. */
#define SKAG_CTRL_WAIT_MS	10

/*
 * Callback registration of one membership of this process. Function pointers are only valid in
 * the process that registered them, so the registry is process-local; the shared table only
 * says which member an event is for.
 */
struct skag_ctrl_reg {
	TAILQ_ENTRY(skag_ctrl_reg) next;
	rte_dma_access_pair_group_event_cb_t cb;
	int16_t dev_id;
	int16_t group_id;
	uint16_t member_idx;
	uint32_t member_gen;
	/* Membership ended before it could be resolved: match on (dev_id, group_id) only. */
	bool unresolved;
};

TAILQ_HEAD(skag_ctrl_reg_list, skag_ctrl_reg);

static struct {
	pthread_mutex_t lock;		/* attach/detach */
	unsigned int refcnt;
	RTE_ATOMIC(struct skag_tbl *) tbl;
	int proc;			/* process slot, owned by the watcher thread */
	skag_thread_t watcher;
	RTE_ATOMIC(bool) stop;
	bool telemetry_done;
	/*
	 * Held across a group op and the registration of its callback, and while an event is
	 * matched, so the watcher never sees an event of a membership that is half registered.
	 */
	pthread_mutex_t reg_lock;
	/*
	 * Registrations by group id: leave, destroy and events look at one group's list, so
	 * they cost the same however many groups this process is in. Initialized on the first
	 * attach, before anything is inserted; a zeroed list iterates as empty.
	 */
	struct skag_ctrl_reg_list regs[SKAG_MAX_GROUPS];
	bool regs_ready;
	/* attach handshake with the watcher */
	pthread_cond_t started_cond;
	bool started;
	int attach_rc;
} skag_ctrl = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.reg_lock = PTHREAD_MUTEX_INITIALIZER,
	.started_cond = PTHREAD_COND_INITIALIZER,
	.proc = -1,
};

struct skag_tbl *
skag_ctrl_table(void)
{
	return rte_atomic_load_explicit(&skag_ctrl.tbl, rte_memory_order_acquire);
}

static const char *
skag_ctrl_role_str(uint8_t role)
{
	return role == SKAG_ROLE_CREATOR ? "creator" : "joiner";
}

/* Registrations of a group, NULL for an id no table can hold. */
static struct skag_ctrl_reg_list *
skag_ctrl_regs(int16_t group_id)
{
	if (group_id < 0 || group_id >= SKAG_MAX_GROUPS)
		return NULL;
	return &skag_ctrl.regs[group_id];
}

/* Call with reg_lock held. */
static void
skag_ctrl_reg_remove_list(struct skag_ctrl_reg_list *l, int16_t dev_id)
{
	struct skag_ctrl_reg *r, *tmp;

	RTE_TAILQ_FOREACH_SAFE(r, l, next, tmp) {
		if (r->dev_id == dev_id) {
			TAILQ_REMOVE(l, r, next);
			free(r);
		}
	}
}

/* Call with reg_lock held; group_id < 0: every group (device close). */
static void
skag_ctrl_reg_remove(int16_t dev_id, int16_t group_id)
{
	struct skag_ctrl_reg_list *l = skag_ctrl_regs(group_id);
	int g;

	if (l != NULL) {
		skag_ctrl_reg_remove_list(l, dev_id);
		return;
	}
	if (group_id >= 0)
		return;
	for (g = 0; g < SKAG_MAX_GROUPS; g++)
		skag_ctrl_reg_remove_list(&skag_ctrl.regs[g], dev_id);
}

/* Call with reg_lock held. */
static void
skag_ctrl_reg_clear(void)
{
	struct skag_ctrl_reg *r;
	int g;

	for (g = 0; g < SKAG_MAX_GROUPS; g++) {
		while ((r = TAILQ_FIRST(&skag_ctrl.regs[g])) != NULL) {
			TAILQ_REMOVE(&skag_ctrl.regs[g], r, next);
			free(r);
		}
	}
}

/*
 * Register a membership that was just created, with reg_lock held since before the table op.
 * The table does not return the member slot, so resolve our own handler to get it.
 */
static void
skag_ctrl_reg_insert(struct skag_ctrl_reg *r, int16_t dev_id, int16_t group_id,
		const uint8_t *domain, rte_dma_access_pair_group_event_cb_t cb)
{
	struct skag_tbl *t = skag_ctrl_table();
	struct skag_live_ref ref, ref2;
	uint16_t h;

	r->cb = cb;
	r->dev_id = dev_id;
	r->group_id = group_id;
	if (skag_handler_get(t, dev_id, group_id, domain, &h) == 0 &&
	    skag_handler_resolve(t, dev_id, h, h, &ref, &ref2) == 0) {
		r->member_idx = ref.member_idx;
		r->member_gen = ref.gen;
	} else {
		/*
		 * Already gone (the creator died right after our join): its GROUP_DESTROYED may
		 * be waiting in our mailbox with a generation we cannot learn any more.
		 */
		r->unresolved = true;
	}
	TAILQ_INSERT_TAIL(&skag_ctrl.regs[group_id], r, next);
}

static void
skag_ctrl_event_dispatch(const struct skag_event *ev)
{
	struct skag_ctrl_reg_list *l = skag_ctrl_regs(ev->group_id);
	rte_dma_access_pair_group_event_cb_t cb = NULL;
	struct skag_ctrl_reg *r;

	if (l == NULL)
		return;
	pthread_mutex_lock(&skag_ctrl.reg_lock);
	TAILQ_FOREACH(r, l, next) {
		if (r->dev_id != ev->dev_id || r->group_id != ev->group_id)
			continue;
		if (!r->unresolved &&
		    (r->member_idx != ev->member_idx || r->member_gen != ev->member_gen))
			continue;
		cb = r->cb;
		/* The membership is over: no further event can be for it. */
		if (ev->type == SKAG_EV_GROUP_DESTROYED) {
			TAILQ_REMOVE(l, r, next);
			free(r);
		}
		break;
	}
	pthread_mutex_unlock(&skag_ctrl.reg_lock);

	/* Outside the lock: the callback may call group ops of this process. */
	if (cb != NULL) {
		uint8_t domain[SKAG_UUID_LEN];

		memcpy(domain, ev->domain, sizeof(domain));
		cb(ev->dev_id, ev->group_id, domain,
		   (enum rte_dma_access_pair_group_event_type)ev->type);
	}
}

static skag_thread_ret_t
skag_ctrl_watcher(void *arg)
{
	struct skag_tbl *t = arg;
	struct skag_event ev;
	uint32_t seq;
	int proc, rc;

	/* The slot's alive mutex is held by this thread: it must live as long as the process. */
	proc = skag_proc_attach(t, getpid());
	pthread_mutex_lock(&skag_ctrl.lock);
	skag_ctrl.attach_rc = proc < 0 ? proc : 0;
	skag_ctrl.proc = proc;
	skag_ctrl.started = true;
	pthread_cond_signal(&skag_ctrl.started_cond);
	pthread_mutex_unlock(&skag_ctrl.lock);
	if (proc < 0)
		return 0;

	while (!rte_atomic_load_explicit(&skag_ctrl.stop, rte_memory_order_acquire)) {
		/* Sequence first: a post after it makes the wait below return at once. */
		seq = skag_proc_seq(t, proc);
		while (skag_proc_event_pop(t, proc, &ev) == 1)
			skag_ctrl_event_dispatch(&ev);
		rc = skag_proc_reap(t);
		if (rc > 0)
			SKAG_CTRL_LOG(INFO, "reaped %d dead process(es)", rc);
		skag_proc_wait(t, proc, seq, SKAG_CTRL_WAIT_MS);
	}

	skag_proc_detach(t, proc);
	return 0;
}

static int
skag_ctrl_tel_groups(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d);

static int
skag_ctrl_table_map(uint16_t max_groups, uint16_t max_members, bool explicit_sizes,
		struct skag_tbl **tp)
{
	const struct rte_memzone *mz;
	struct skag_tbl_stats st;
	struct skag_tbl *t;
	size_t len;
	int rc;

	len = skag_tbl_size(max_groups, max_members);
	if (len == 0) {
		SKAG_CTRL_LOG(ERR, "invalid table size max_groups=%u max_members=%u",
			      max_groups, max_members);
		return -EINVAL;
	}
	/* The primary may find it too: the table outlives a remove, secondaries may map it. */
	mz = rte_memzone_lookup(SKAG_CTRL_MZ_NAME);
	if (mz == NULL) {
		if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
			SKAG_CTRL_LOG(ERR, "no group table, primary process not probed");
			return -ENOENT;
		}
		mz = rte_memzone_reserve_aligned(SKAG_CTRL_MZ_NAME, len, SOCKET_ID_ANY, 0,
						 RTE_CACHE_LINE_SIZE);
		if (mz == NULL) {
			SKAG_CTRL_LOG(ERR, "cannot reserve memzone %s: %s", SKAG_CTRL_MZ_NAME,
				      rte_strerror(rte_errno));
			return -rte_errno;
		}
		rc = skag_tbl_init(mz->addr, mz->len, max_groups, max_members);
		if (rc != 0) {
			SKAG_CTRL_LOG(ERR, "cannot init group table: %s", strerror(-rc));
			rte_memzone_free(mz);
			return rc;
		}
	}
	t = skag_tbl_attach(mz->addr, mz->len);
	if (t == NULL) {
		SKAG_CTRL_LOG(ERR, "memzone %s holds no compatible group table",
			      SKAG_CTRL_MZ_NAME);
		return -EINVAL;
	}
	skag_tbl_stats_get(t, &st);
	if (explicit_sizes && (st.max_groups != max_groups || st.max_members != max_members)) {
		SKAG_CTRL_LOG(ERR,
			"group table exists with max_groups=%u max_members=%u, devargs ask %u/%u",
			st.max_groups, st.max_members, max_groups, max_members);
		return -EINVAL;
	}
	*tp = t;
	return 0;
}

/* Call with skag_ctrl.lock held. */
static int
skag_ctrl_start(struct skag_tbl *t)
{
	int rc;

	rte_atomic_store_explicit(&skag_ctrl.stop, false, rte_memory_order_relaxed);
	skag_ctrl.started = false;
	rc = skag_thread_create(&skag_ctrl.watcher, SKAG_CTRL_THREAD_NAME, skag_ctrl_watcher, t);
	if (rc != 0) {
		SKAG_CTRL_LOG(ERR, "cannot start watcher thread: %s", strerror(-rc));
		return rc;
	}
	while (!skag_ctrl.started)
		pthread_cond_wait(&skag_ctrl.started_cond, &skag_ctrl.lock);
	if (skag_ctrl.attach_rc != 0) {
		SKAG_CTRL_LOG(ERR, "cannot attach process to group table: %s",
			      strerror(-skag_ctrl.attach_rc));
		skag_thread_join(skag_ctrl.watcher);
		return skag_ctrl.attach_rc;
	}
	return 0;
}

int
skag_ctrl_attach(uint16_t max_groups, uint16_t max_members, bool explicit_sizes)
{
	struct skag_tbl_stats st;
	struct skag_tbl *t = NULL;
	int rc = 0;

	pthread_mutex_lock(&skag_ctrl.lock);
	if (skag_ctrl.refcnt > 0) {
		skag_tbl_stats_get(skag_ctrl_table(), &st);
		if (explicit_sizes &&
		    (st.max_groups != max_groups || st.max_members != max_members)) {
			SKAG_CTRL_LOG(ERR,
				"group table exists with max_groups=%u max_members=%u, devargs ask %u/%u",
				st.max_groups, st.max_members, max_groups, max_members);
			rc = -EINVAL;
			goto out;
		}
		skag_ctrl.refcnt++;
		goto out;
	}

	rc = skag_ctrl_table_map(max_groups, max_members, explicit_sizes, &t);
	if (rc != 0)
		goto out;
	if (!skag_ctrl.regs_ready) {
		unsigned int g;

		/* Nothing registers before the table is published below. */
		for (g = 0; g < SKAG_MAX_GROUPS; g++)
			TAILQ_INIT(&skag_ctrl.regs[g]);
		skag_ctrl.regs_ready = true;
	}
	rc = skag_ctrl_start(t);
	if (rc != 0)
		goto out;
	if (!skag_ctrl.telemetry_done) {
		/* Cannot be unregistered: the command reports nothing while detached. */
		rte_telemetry_register_cmd(SKAG_CTRL_TELEMETRY_CMD, skag_ctrl_tel_groups,
			"Lists the live skeleton_ag access pair groups and their members. No parameters");
		skag_ctrl.telemetry_done = true;
	}
	rte_atomic_store_explicit(&skag_ctrl.tbl, t, rte_memory_order_release);
	skag_ctrl.refcnt = 1;
out:
	pthread_mutex_unlock(&skag_ctrl.lock);
	return rc;
}

void
skag_ctrl_detach(void)
{
	pthread_mutex_lock(&skag_ctrl.lock);
	if (skag_ctrl.refcnt == 0 || --skag_ctrl.refcnt > 0) {
		pthread_mutex_unlock(&skag_ctrl.lock);
		return;
	}
	/* The watcher removes the memberships of this process and frees its slot. */
	rte_atomic_store_explicit(&skag_ctrl.stop, true, rte_memory_order_release);
	skag_thread_join(skag_ctrl.watcher);
	pthread_mutex_lock(&skag_ctrl.reg_lock);
	rte_atomic_store_explicit(&skag_ctrl.tbl, NULL, rte_memory_order_release);
	skag_ctrl.proc = -1;
	skag_ctrl_reg_clear();
	pthread_mutex_unlock(&skag_ctrl.reg_lock);
	pthread_mutex_unlock(&skag_ctrl.lock);
}

/* Live members of a group, creator first; returns the count or a negative errno. */
static int
skag_ctrl_members(struct skag_tbl *t, int16_t group_id, struct skag_member_info *mi)
{
	unsigned int nb;
	int rc;

	rc = skag_group_info(t, group_id, mi, SKAG_MAX_MEMBERS, &nb);
	if (rc != 0)
		return rc;
	return RTE_MIN(nb, (unsigned int)SKAG_MAX_MEMBERS);
}

/*
 * Whether every membership held through dev_id belongs to this process. A secondary closes
 * every device on exit, including those the primary drives: memberships of other processes
 * must survive that.
 */
static bool
skag_ctrl_dev_only_local(struct skag_tbl *t, int16_t dev_id, bool *any)
{
	struct skag_member_info mi[SKAG_MAX_MEMBERS];
	int32_t pid = getpid();
	int g, i, n;

	*any = false;
	for (g = skag_group_next(t, -1); g >= 0; g = skag_group_next(t, g)) {
		n = skag_ctrl_members(t, g, mi);
		for (i = 0; i < n; i++) {
			if (mi[i].dev_id != dev_id)
				continue;
			if (mi[i].pid != pid)
				return false;
			*any = true;
		}
	}
	return true;
}

/* Mixed owners of one device: leave our groups one by one, as far as the rules allow. */
static void
skag_ctrl_dev_leave_local(struct skag_tbl *t, int16_t dev_id)
{
	struct skag_member_info mi[SKAG_MAX_MEMBERS];
	int32_t pid = getpid();
	int g, i, n, rc;

	for (g = skag_group_next(t, -1); g >= 0; g = skag_group_next(t, g)) {
		n = skag_ctrl_members(t, g, mi);
		for (i = 0; i < n; i++) {
			if (mi[i].dev_id != dev_id || mi[i].pid != pid)
				continue;
			rc = skag_group_leave(t, dev_id, g);
			if (rc != 0)
				SKAG_CTRL_LOG(WARNING,
					"dev %d: group %d kept until process exit: %s",
					dev_id, g, strerror(-rc));
			break;
		}
	}
}

void
skag_ctrl_dev_close(int16_t dev_id)
{
	struct skag_tbl *t;
	bool any;
	int rc;

	pthread_mutex_lock(&skag_ctrl.reg_lock);
	t = skag_ctrl_table();
	if (t != NULL) {
		if (!skag_ctrl_dev_only_local(t, dev_id, &any)) {
			skag_ctrl_dev_leave_local(t, dev_id);
		} else if (any) {
			rc = skag_dev_remove(t, dev_id);
			if (rc < 0)
				SKAG_CTRL_LOG(ERR, "dev %d: cannot remove memberships: %s",
					      dev_id, strerror(-rc));
			else
				SKAG_CTRL_LOG(DEBUG, "dev %d: removed %d membership(s)",
					      dev_id, rc);
		}
	}
	skag_ctrl_reg_remove(dev_id, -1);
	pthread_mutex_unlock(&skag_ctrl.reg_lock);
}

int
skag_ctrl_group_create(const struct rte_dma_dev *dev, rte_uuid_t domain_id, rte_uuid_t token,
		int16_t *group_id, rte_dma_access_pair_group_event_cb_t cb)
{
	int16_t dev_id = dev->data->dev_id;
	struct skag_ctrl_reg *r = NULL;
	struct skag_tbl *t;
	int rc;

	/* Allocate first: once the group exists, failing would need an undo others may see. */
	if (cb != NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return -ENOMEM;
	}
	pthread_mutex_lock(&skag_ctrl.reg_lock);
	t = skag_ctrl_table();
	if (t == NULL) {
		rc = -ENODEV;
	} else {
		rc = skag_group_create(t, skag_ctrl.proc, dev_id, domain_id, token,
				       cb != NULL, group_id);
		if (rc == 0 && r != NULL) {
			skag_ctrl_reg_insert(r, dev_id, *group_id, domain_id, cb);
			r = NULL;
		}
	}
	pthread_mutex_unlock(&skag_ctrl.reg_lock);
	free(r);
	if (rc != 0)
		SKAG_CTRL_LOG(DEBUG, "dev %d: create failed: %s", dev_id, strerror(-rc));
	return rc;
}

int
skag_ctrl_group_join(const struct rte_dma_dev *dev, rte_uuid_t domain_id, rte_uuid_t token,
		int16_t group_id, rte_dma_access_pair_group_event_cb_t cb)
{
	int16_t dev_id = dev->data->dev_id;
	struct skag_ctrl_reg *r = NULL;
	struct skag_tbl *t;
	int rc;

	if (cb != NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return -ENOMEM;
	}
	pthread_mutex_lock(&skag_ctrl.reg_lock);
	t = skag_ctrl_table();
	if (t == NULL) {
		rc = -ENODEV;
	} else {
		rc = skag_group_join(t, skag_ctrl.proc, dev_id, domain_id, token,
				     group_id, cb != NULL);
		if (rc == 0 && r != NULL) {
			skag_ctrl_reg_insert(r, dev_id, group_id, domain_id, cb);
			r = NULL;
		}
	}
	pthread_mutex_unlock(&skag_ctrl.reg_lock);
	free(r);
	if (rc != 0)
		SKAG_CTRL_LOG(DEBUG, "dev %d: join of group %d failed: %s", dev_id, group_id,
			      strerror(-rc));
	return rc;
}

/* Leave or destroy: the membership ends, and with it the local callback registration. */
static int
skag_ctrl_group_end(const struct rte_dma_dev *dev, int16_t group_id,
		    int (*end)(struct skag_tbl *t, int16_t dev_id, int16_t group_id))
{
	int16_t dev_id = dev->data->dev_id;
	struct skag_tbl *t;
	int rc;

	pthread_mutex_lock(&skag_ctrl.reg_lock);
	t = skag_ctrl_table();
	if (t == NULL) {
		rc = -ENODEV;
	} else {
		rc = end(t, dev_id, group_id);
		if (rc == 0)
			skag_ctrl_reg_remove(dev_id, group_id);
	}
	pthread_mutex_unlock(&skag_ctrl.reg_lock);
	return rc;
}

int
skag_ctrl_group_leave(const struct rte_dma_dev *dev, int16_t group_id)
{
	return skag_ctrl_group_end(dev, group_id, skag_group_leave);
}

int
skag_ctrl_group_destroy(const struct rte_dma_dev *dev, int16_t group_id)
{
	return skag_ctrl_group_end(dev, group_id, skag_group_destroy);
}

int
skag_ctrl_group_handler_get(const struct rte_dma_dev *dev, int16_t group_id,
		rte_uuid_t domain_id, uint16_t *handler)
{
	struct skag_tbl *t = skag_ctrl_table();

	if (t == NULL)
		return -ENODEV;
	return skag_handler_get(t, dev->data->dev_id, group_id, domain_id, handler);
}

void
skag_ctrl_dump_groups(int16_t dev_id, FILE *f)
{
	struct skag_member_info mi[SKAG_MAX_MEMBERS];
	char uuid[RTE_UUID_STRLEN];
	struct skag_tbl *t = skag_ctrl_table();
	int g, i, n;

	if (t == NULL) {
		fprintf(f, "  access pair groups: table not attached\n");
		return;
	}
	fprintf(f, "  access pair groups:\n");
	for (g = skag_group_next(t, -1); g >= 0; g = skag_group_next(t, g)) {
		if (!skag_dev_is_member(t, dev_id, g))
			continue;
		n = skag_ctrl_members(t, g, mi);
		if (n < 0)	/* destroyed meanwhile */
			continue;
		fprintf(f, "    group %d: %d member(s)\n", g, n);
		for (i = 0; i < n; i++) {
			rte_uuid_unparse(mi[i].domain, uuid, sizeof(uuid));
			fprintf(f, "      domain %s role %s handler %u dev %d pid %" PRId32 "%s\n",
				uuid, skag_ctrl_role_str(mi[i].role), mi[i].handler,
				mi[i].dev_id, mi[i].pid, mi[i].dev_id == dev_id ? " (self)" : "");
		}
	}
}

/* Telemetry: { "<group id>": { "group_id": n, "nb_members": n, "members": [ "..." ] } } */
static int
skag_ctrl_tel_groups(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	struct skag_member_info mi[SKAG_MAX_MEMBERS];
	char uuid[RTE_UUID_STRLEN];
	char buf[RTE_TEL_MAX_STRING_LEN];
	struct skag_tbl *t = skag_ctrl_table();
	struct rte_tel_data *grp, *members;
	int g, i, n;

	rte_tel_data_start_dict(d);
	if (t == NULL)
		return 0;
	for (g = skag_group_next(t, -1); g >= 0; g = skag_group_next(t, g)) {
		n = skag_ctrl_members(t, g, mi);
		if (n < 0)
			continue;
		grp = rte_tel_data_alloc();
		members = rte_tel_data_alloc();
		if (grp == NULL || members == NULL) {
			rte_tel_data_free(grp);
			rte_tel_data_free(members);
			return -ENOMEM;
		}
		rte_tel_data_start_dict(grp);
		rte_tel_data_add_dict_int(grp, "group_id", g);
		rte_tel_data_add_dict_int(grp, "nb_members", n);
		rte_tel_data_start_array(members, RTE_TEL_STRING_VAL);
		for (i = 0; i < n; i++) {
			rte_uuid_unparse(mi[i].domain, uuid, sizeof(uuid));
			snprintf(buf, sizeof(buf),
				 "domain=%s role=%s handler=%u dev=%d pid=%" PRId32, uuid,
				 skag_ctrl_role_str(mi[i].role), mi[i].handler, mi[i].dev_id,
				 mi[i].pid);
			rte_tel_data_add_array_string(members, buf);
		}
		snprintf(buf, sizeof(buf), "%d", g);
		/* Freeing a dict does not free its containers: free both on failure. */
		if (rte_tel_data_add_dict_container(grp, "members", members, 0) != 0 ||
		    rte_tel_data_add_dict_container(d, buf, grp, 0) != 0) {
			/* More groups than a telemetry dict holds: report what fits. */
			rte_tel_data_free(members);
			rte_tel_data_free(grp);
			break;
		}
	}
	return 0;
}
