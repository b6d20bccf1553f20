/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_memzone.h>
#include <rte_string_fns.h>
#include <rte_tailq.h>
#include <rte_telemetry.h>

#include "skeleton_ag_compat.h"
#include "skeleton_ag_ctrl.h"
#include "skeleton_ag_os.h"

RTE_LOG_REGISTER_SUFFIX(skag_ctrl_logtype, ctrl, INFO);
#define RTE_LOGTYPE_SKAG_CTRL skag_ctrl_logtype
#define SKAG_CTRL_LOG(level, ...) \
	RTE_LOG_LINE_PREFIX(level, SKAG_CTRL, "%s(): ", __func__, __VA_ARGS__)

/*
 * Longest sleep of the death waiter and of the reaper when deaths are seen at once otherwise:
 * the death waiter is woken by deaths, attaches and detach, the reaper by pidfds and kicks.
 * Each wake-up of these threads in every process takes a CPU from the threads that work.
 */
#define SKAG_CTRL_WAIT_MS	1000
/*
 * Period of the reaper without the death waiter (see skag_ctrl_death_waiter()), or with an
 * attached process it has no pidfd for (an old kernel, or a process gone before it was
 * watched): such a death is seen after this long at the latest. It also finds a process whose
 * pid was reused before its pidfd was opened, which only the death waiter sees at once.
 */
#define SKAG_CTRL_REAP_MS	10
/* What the reaper's epoll watches: the tag in the upper half of the data, a value below. */
enum skag_ctrl_watch {
	SKAG_CTRL_KICK,		/* the eventfd */
	SKAG_CTRL_PIDFD,	/* pidfd of the process in slot value */
	SKAG_CTRL_LISTEN,	/* inter-OS: our export socket */
	SKAG_CTRL_SERVED,	/* inter-OS: connection fd of an export we serve */
	SKAG_CTRL_IMPORT,	/* inter-OS: connection fd of an import of ours */
};
#define SKAG_CTRL_DATA(tag, v)	((uint64_t)(tag) << 32 | (uint32_t)(v))
/* Exports of our memory served at a time (vchan ends of other processes reaching us). */
#define SKAG_CTRL_MAX_SERVED	256

/*
 * Callback registration of one membership of this process, in the list of its group. Function
 * pointers are only valid in the process that registered them, so the registry is
 * process-local; the shared table only says which member an event is for.
 */
struct skag_ctrl_reg {
	TAILQ_ENTRY(skag_ctrl_reg) next;
	rte_dma_access_pair_group_event_cb_t cb;
	int16_t dev_id;
	struct skag_member_ref member;
};

TAILQ_HEAD(skag_ctrl_reg_list, skag_ctrl_reg);

static struct {
	pthread_mutex_t lock;		/* attach/detach */
	unsigned int refcnt;
	RTE_ATOMIC(struct skag_tbl *) tbl;
	int proc;			/* process slot, owned by the watcher thread */
	int32_t pid;			/* this process, as the slot names it */
	skag_thread_t watcher;
	skag_thread_t reaper;
	skag_thread_t death;
	bool death_started;
	RTE_ATOMIC(bool) death_waiting;	/* the death waiter sees deaths (futex_waitv) */
	int reap_fd;			/* eventfd: processes attached, or stop */
	int reap_ep;			/* epoll of the reaper */
	/*
	 * Inter-OS: the rendezvous directory ("" for the memzone table), our export socket and
	 * the connections of the exports we serve, owned by the reaper.
	 */
	char dir[SKAG_OS_DIR_MAX + 1];
	int listen_fd;
	int served[SKAG_CTRL_MAX_SERVED];
	unsigned int nb_served;
	RTE_ATOMIC(bool) stop;
	bool telemetry_done;
	/*
	 * Held across a group op and the registration of its callback, and while an event is
	 * matched, so the watcher never sees an event of a membership that is half registered.
	 */
	pthread_mutex_t reg_lock;
	/* Taken to run callbacks: they run in the order of the mailbox, never two at once. */
	pthread_mutex_t cb_lock;
	/*
	 * Registrations by group id: leave, destroy and events look at one group's list, so
	 * they cost the same however many groups this process is in. Initialized on the first
	 * attach, before anything is inserted.
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
	.cb_lock = PTHREAD_MUTEX_INITIALIZER,
	.started_cond = PTHREAD_COND_INITIALIZER,
	.proc = -1,
	.reap_fd = -1,
	.reap_ep = -1,
	.listen_fd = -1,
};

struct skag_tbl *
skag_ctrl_table(void)
{
	return rte_atomic_load_explicit(&skag_ctrl.tbl, rte_memory_order_acquire);
}

const char *
skag_ctrl_rendezvous(void)
{
	return skag_ctrl.dir;
}

static bool
skag_ctrl_stopping(void)
{
	return rte_atomic_load_explicit(&skag_ctrl.stop, rte_memory_order_acquire);
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

/* Drop the registrations of dev_id in list l (of every device if dev_id < 0). reg_lock held. */
static void
skag_ctrl_reg_drop(struct skag_ctrl_reg_list *l, int16_t dev_id)
{
	struct skag_ctrl_reg *r, *tmp;

	RTE_TAILQ_FOREACH_SAFE(r, l, next, tmp) {
		if (dev_id < 0 || r->dev_id == dev_id) {
			TAILQ_REMOVE(l, r, next);
			free(r);
		}
	}
}

/* The membership of dev_id in group_id ended. reg_lock held. */
static void
skag_ctrl_reg_remove_group(int16_t dev_id, int16_t group_id)
{
	struct skag_ctrl_reg_list *l = skag_ctrl_regs(group_id);

	if (l != NULL)
		skag_ctrl_reg_drop(l, dev_id);
}

/* Every membership of dev_id in this process ended (dev_id < 0: of every device). */
static void
skag_ctrl_reg_remove_dev(int16_t dev_id)
{
	unsigned int g;

	for (g = 0; g < SKAG_MAX_GROUPS; g++)
		skag_ctrl_reg_drop(&skag_ctrl.regs[g], dev_id);
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
		if (r->dev_id != ev->dev_id || r->member.member_idx != ev->member_idx ||
		    r->member.gen != ev->member_gen)
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

/*
 * Run the callbacks of the events in this process's mailbox, in order, one thread at a time.
 * The watcher waits for its turn. A thread that reaped (without waking the watcher) runs them
 * if it gets the turn at once, which saves a wake-up on the way from a death to its events;
 * otherwise it wakes the watcher.
 */
static void
skag_ctrl_events_run(struct skag_tbl *t, bool wait)
{
	struct skag_event ev;

	if (wait) {
		pthread_mutex_lock(&skag_ctrl.cb_lock);
	} else if (pthread_mutex_trylock(&skag_ctrl.cb_lock) != 0) {
		skag_proc_wake(t, skag_ctrl.proc);
		return;
	}
	while (skag_proc_event_pop(t, skag_ctrl.proc, &ev) == 1)
		skag_ctrl_event_dispatch(&ev);
	pthread_mutex_unlock(&skag_ctrl.cb_lock);
}

/* Reap dead processes; this process's events of their departures run here at once. */
static int
skag_ctrl_reap(struct skag_tbl *t)
{
	int rc = skag_proc_reap(t, skag_ctrl.proc);

	if (rc > 0)
		skag_ctrl_events_run(t, false);
	return rc;
}

/*
 * Event delivery. The thread holds the process slot's alive mutex: it must live as long as the
 * process, and its end (or the process's death) makes the slot reapable.
 */
/* Make the reaper look at once: a process attached, or the threads stop. */
static void
skag_ctrl_reaper_kick(void)
{
	uint64_t one = 1;

	if (write(skag_ctrl.reap_fd, &one, sizeof(one)) != sizeof(one))
		SKAG_CTRL_LOG(DEBUG, "cannot kick the reaper: %s", strerror(errno));
}

static skag_thread_ret_t
skag_ctrl_watcher(void *arg)
{
	struct skag_tbl *t = arg;
	uint32_t seq, attach_seq = 0;
	int proc;

	proc = skag_proc_attach(t, skag_ctrl.pid, skag_os_instance());
	pthread_mutex_lock(&skag_ctrl.lock);
	skag_ctrl.attach_rc = proc < 0 ? proc : 0;
	skag_ctrl.proc = proc;
	skag_ctrl.started = true;
	pthread_cond_signal(&skag_ctrl.started_cond);
	pthread_mutex_unlock(&skag_ctrl.lock);
	if (proc < 0)
		return 0;

	while (!skag_ctrl_stopping()) {
		/* Sequence first: a post after it makes the wait below return at once. */
		seq = skag_proc_seq(t, proc);
		skag_ctrl_events_run(t, true);
		if (attach_seq != skag_tbl_attach_seq(t)) {
			attach_seq = skag_tbl_attach_seq(t);
			skag_ctrl_reaper_kick();
		}
		/*
		 * Without a timeout: woken by every post, by the reap of a process that died
		 * between a post and its wake-up, by attaches and by detach.
		 */
		skag_proc_wait(t, proc, seq, SKAG_WAIT_FOREVER);
	}

	skag_proc_detach(t, proc);
	return 0;
}

static int
skag_ctrl_pidfd_open(int32_t pid)
{
#ifdef SYS_pidfd_open
	return syscall(SYS_pidfd_open, pid, 0);
#else
	RTE_SET_USED(pid);
	errno = ENOSYS;
	return -1;
#endif
}

/*
 * Watch the pidfds of the other attached processes: fds[p] watches the process in slot p,
 * pids[p] is the pid it was opened for. A process that exits makes its pidfd readable.
 * Whether every other attached process has a pidfd.
 */
static bool
skag_ctrl_pidfds_update(struct skag_tbl *t, int ep, int *fds, int32_t *pids)
{
	struct epoll_event e = { .events = EPOLLIN };
	bool all = true, watch;
	int32_t pid;
	int p;

	for (p = 0; p < SKAG_MAX_PROCS; p++) {
		pid = skag_proc_pid(t, p);
		/* A free slot, and ours, have nothing to watch. */
		watch = pid != 0 && pid != skag_ctrl.pid;
		if (pid != pids[p]) {
			if (fds[p] >= 0)
				close(fds[p]);
			fds[p] = -1;
			pids[p] = pid;
			/* Without a pidfd (old kernel, process gone), the period finds it. */
			if (watch)
				fds[p] = skag_ctrl_pidfd_open(pid);
			e.data.u64 = SKAG_CTRL_DATA(SKAG_CTRL_PIDFD, p);
			if (fds[p] >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fds[p], &e) != 0) {
				close(fds[p]);
				fds[p] = -1;
			}
		}
		all &= !watch || fds[p] >= 0;
	}
	return all;
}

static int
skag_ctrl_watch(int fd, enum skag_ctrl_watch tag, uint32_t value)
{
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = SKAG_CTRL_DATA(tag, value) };

	return epoll_ctl(skag_ctrl.reap_ep, EPOLL_CTL_ADD, fd, &e) == 0 ? 0 : -errno;
}

int
skag_ctrl_watch_import(int fd)
{
	return skag_ctrl_watch(fd, SKAG_CTRL_IMPORT, fd);
}

/* One event of the reaper's epoll; whether it may tell a death. */
static bool
skag_ctrl_reaper_event(struct skag_tbl *t, uint64_t data)
{
	int value = (uint32_t)data, fd;
	uint64_t kicks;

	switch (data >> 32) {
	case SKAG_CTRL_KICK:
		if (read(skag_ctrl.reap_fd, &kicks, sizeof(kicks)) < 0)
			SKAG_CTRL_LOG(DEBUG, "kick: %s", strerror(errno));
		return false;
	case SKAG_CTRL_LISTEN:
		fd = skag_os_serve(t, skag_ctrl.listen_fd);
		if (fd < 0)
			return false;
		if (skag_ctrl.nb_served == SKAG_CTRL_MAX_SERVED ||
		    skag_ctrl_watch(fd, SKAG_CTRL_SERVED, fd) != 0) {
			SKAG_CTRL_LOG(ERR, "too many exports served, one closed");
			close(fd);
			return false;
		}
		skag_ctrl.served[skag_ctrl.nb_served++] = fd;
		return false;
	case SKAG_CTRL_SERVED:
		/* The importer closed, or died: its memberships are the table's business. */
		for (fd = 0; fd < (int)skag_ctrl.nb_served; fd++)
			if (skag_ctrl.served[fd] == value)
				skag_ctrl.served[fd] = skag_ctrl.served[--skag_ctrl.nb_served];
		close(value);
		return true;
	case SKAG_CTRL_IMPORT:
		/* The exporter closed: it is gone, or going. The import owns the fd. */
		epoll_ctl(skag_ctrl.reap_ep, EPOLL_CTL_DEL, value, NULL);
		return true;
	default:
		return true;
	}
}

/*
 * Death detection: the memberships of dead processes are removed, with their events. The
 * watcher kicks the reaper when a process attaches, so that it watches the new one at once.
 * In inter-OS mode the reaper also serves the exports of this process's memory.
 */
static skag_thread_ret_t
skag_ctrl_reaper(void *arg)
{
	struct epoll_event evs[SKAG_MAX_PROCS + 8];
	int fds[SKAG_MAX_PROCS], p, n, rc;
	int32_t pids[SKAG_MAX_PROCS];
	struct skag_tbl *t = arg;
	bool reap, watched;

	for (p = 0; p < SKAG_MAX_PROCS; p++) {
		fds[p] = -1;
		pids[p] = 0;
	}
	while (!skag_ctrl_stopping()) {
		watched = skag_ctrl_pidfds_update(t, skag_ctrl.reap_ep, fds, pids) &&
			  rte_atomic_load_explicit(&skag_ctrl.death_waiting,
						   rte_memory_order_acquire);
		n = epoll_wait(skag_ctrl.reap_ep, evs, RTE_DIM(evs),
			       watched ? SKAG_CTRL_WAIT_MS : SKAG_CTRL_REAP_MS);
		reap = n <= 0;
		for (p = 0; p < n; p++)
			reap |= skag_ctrl_reaper_event(t, evs[p].data.u64);
		rc = reap ? skag_ctrl_reap(t) : 0;
		if (rc > 0)
			SKAG_CTRL_LOG(INFO, "reaped %d dead process(es)", rc);
	}
	for (p = 0; p < SKAG_MAX_PROCS; p++)
		if (fds[p] >= 0)
			close(fds[p]);
	return 0;
}

/*
 * Early death detection: the thread holding a process slot takes its robust mutex, which the
 * kernel marks owner-dead in the first steps of the thread's exit, long before the process's
 * pidfd tells (after its memory is torn down). Where that cannot be waited for, the reaper's
 * pidfds and period remain, as they do for what this thread misses.
 */
static skag_thread_ret_t
skag_ctrl_death_waiter(void *arg)
{
	struct skag_tbl *t = arg;
	uint32_t kicks;
	int rc;

	rte_atomic_store_explicit(&skag_ctrl.death_waiting, true, rte_memory_order_release);
	for (;;) {
		kicks = skag_proc_death_kicks();
		if (skag_ctrl_stopping())
			break;
		rc = skag_proc_death_wait(t, skag_ctrl.proc, kicks, SKAG_CTRL_WAIT_MS);
		if (rc == -ETIMEDOUT)
			continue;
		/* A failing wait or reap would fail again at once: leave it to the reaper. */
		if (rc == 0 && !skag_ctrl_stopping())
			rc = skag_ctrl_reap(t);
		if (rc < 0) {
			SKAG_CTRL_LOG(INFO, "deaths are seen through pidfds only: %s",
				      strerror(-rc));
			rte_atomic_store_explicit(&skag_ctrl.death_waiting, false,
						  rte_memory_order_release);
			skag_ctrl_reaper_kick();
			break;
		}
		if (rc > 0)
			SKAG_CTRL_LOG(INFO, "reaped %d dead process(es)", rc);
	}
	return 0;
}

/* Devargs sizes given for a table of t's sizes: either none given, or both equal. */
static int
skag_ctrl_sizes_check(struct skag_tbl *t, uint16_t max_groups, uint16_t max_members,
		      bool explicit_sizes)
{
	struct skag_tbl_stats st;

	skag_tbl_stats_get(t, &st);
	if (explicit_sizes && (st.max_groups != max_groups || st.max_members != max_members)) {
		SKAG_CTRL_LOG(ERR,
			"group table exists with max_groups=%u max_members=%u, devargs ask %u/%u",
			st.max_groups, st.max_members, max_groups, max_members);
		return -EINVAL;
	}
	return 0;
}

static int
skag_ctrl_table_map(uint16_t max_groups, uint16_t max_members, struct skag_tbl **tp)
{
	const struct rte_memzone *mz;
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
	*tp = t;
	return 0;
}

/* The descriptors of the control threads, and in inter-OS mode the export socket. */
static void
skag_ctrl_fds_close(void)
{
	while (skag_ctrl.nb_served > 0)
		close(skag_ctrl.served[--skag_ctrl.nb_served]);
	skag_os_unlisten(skag_ctrl.dir, skag_ctrl.listen_fd);
	skag_ctrl.listen_fd = -1;
	if (skag_ctrl.reap_ep >= 0)
		close(skag_ctrl.reap_ep);
	if (skag_ctrl.reap_fd >= 0)
		close(skag_ctrl.reap_fd);
	skag_ctrl.reap_ep = -1;
	skag_ctrl.reap_fd = -1;
}

static int
skag_ctrl_fds_open(void)
{
	int rc;

	skag_ctrl.reap_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	skag_ctrl.reap_ep = epoll_create1(EPOLL_CLOEXEC);
	if (skag_ctrl.reap_fd < 0 || skag_ctrl.reap_ep < 0) {
		rc = -errno;
		goto fail;
	}
	rc = skag_ctrl_watch(skag_ctrl.reap_fd, SKAG_CTRL_KICK, 0);
	if (rc != 0)
		goto fail;
	if (skag_ctrl.dir[0] != '\0') {
		rc = skag_ctrl.listen_fd = skag_os_listen(skag_ctrl.dir);
		if (rc >= 0)
			rc = skag_ctrl_watch(skag_ctrl.listen_fd, SKAG_CTRL_LISTEN, 0);
		if (rc < 0)
			goto fail;
	}
	return 0;
fail:
	SKAG_CTRL_LOG(ERR, "cannot set up the control threads' descriptors: %s", strerror(-rc));
	skag_ctrl_fds_close();
	return rc;
}

static void
skag_ctrl_threads_stop(struct skag_tbl *t, bool reaper)
{
	rte_atomic_store_explicit(&skag_ctrl.stop, true, rte_memory_order_release);
	if (skag_ctrl.death_started) {
		skag_proc_death_kick();
		skag_thread_join(skag_ctrl.death);
		skag_ctrl.death_started = false;
	}
	if (reaper) {
		skag_ctrl_reaper_kick();
		skag_thread_join(skag_ctrl.reaper);
	}
	/* The watcher detaches the process slot, removing the memberships of the process. */
	skag_proc_wake(t, skag_ctrl.proc);
	skag_thread_join(skag_ctrl.watcher);
	skag_ctrl_fds_close();
}

/* Call with skag_ctrl.lock held. */
static int
skag_ctrl_threads_start(struct skag_tbl *t)
{
	int rc;

	rte_atomic_store_explicit(&skag_ctrl.stop, false, rte_memory_order_relaxed);
	skag_ctrl.started = false;
	skag_ctrl.pid = getpid();
	rc = skag_ctrl_fds_open();
	if (rc != 0)
		return rc;
	rc = skag_thread_create(&skag_ctrl.watcher, SKAG_CTRL_WATCH_NAME, skag_ctrl_watcher, t);
	if (rc != 0) {
		SKAG_CTRL_LOG(ERR, "cannot start the watcher thread: %s", strerror(-rc));
		skag_ctrl_fds_close();
		return rc;
	}
	while (!skag_ctrl.started)
		pthread_cond_wait(&skag_ctrl.started_cond, &skag_ctrl.lock);
	if (skag_ctrl.attach_rc != 0) {
		SKAG_CTRL_LOG(ERR, "cannot attach process to group table: %s",
			      strerror(-skag_ctrl.attach_rc));
		skag_thread_join(skag_ctrl.watcher);
		skag_ctrl_fds_close();
		return skag_ctrl.attach_rc;
	}
	rc = skag_thread_create(&skag_ctrl.reaper, SKAG_CTRL_REAP_NAME, skag_ctrl_reaper, t);
	if (rc != 0) {
		SKAG_CTRL_LOG(ERR, "cannot start the reaper thread: %s", strerror(-rc));
		skag_ctrl_threads_stop(t, false);
		return rc;
	}
	rc = skag_thread_create(&skag_ctrl.death, SKAG_CTRL_DEATH_NAME, skag_ctrl_death_waiter, t);
	if (rc != 0) {
		SKAG_CTRL_LOG(ERR, "cannot start the death waiter thread: %s", strerror(-rc));
		skag_ctrl_threads_stop(t, true);
		return rc;
	}
	skag_ctrl.death_started = true;
	return 0;
}

static int skag_ctrl_tel_table(const char *cmd, const char *params, struct rte_tel_data *d);
static int skag_ctrl_tel_groups(const char *cmd, const char *params, struct rte_tel_data *d);
static int skag_ctrl_tel_group(const char *cmd, const char *params, struct rte_tel_data *d);

/*
 * Once per process: the commands cannot be unregistered, they report nothing while detached.
 * Help texts stay under RTE_TEL_MAX_STRING_LEN, or the library refuses the command.
 */
static void
skag_ctrl_telemetry_register(void)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{ SKAG_CTRL_TEL_TABLE, skag_ctrl_tel_table,
		  "Returns the sizes and counters of the skeleton_ag group table. No parameters" },
		{ SKAG_CTRL_TEL_GROUPS, skag_ctrl_tel_groups,
		  "Returns up to 256 group ids from a first one (default 0) and the next to ask "
		  "(-1: none). Parameters: int first" },
		{ SKAG_CTRL_TEL_GROUP, skag_ctrl_tel_group,
		  "Returns the members of a skeleton_ag group. Parameters: int group id" },
	};
	unsigned int i;
	int rc;

	if (skag_ctrl.telemetry_done)
		return;
	/* Diagnostics only: a command that fails to register is logged, the device still works. */
	for (i = 0; i < RTE_DIM(cmds); i++) {
		rc = rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help);
		if (rc != 0)
			SKAG_CTRL_LOG(ERR, "cannot register telemetry command %s: %s", cmds[i].cmd,
				      strerror(-rc));
	}
	skag_ctrl.telemetry_done = true;
}

/*
 * The rendezvous of the primary process, for its secondaries: the vdev bus probes the devices
 * of a secondary without devargs, so they cannot name it themselves.
 */
static int
skag_ctrl_rdv_publish(const char *dir)
{
	const struct rte_memzone *mz = rte_memzone_lookup(SKAG_CTRL_RDV_MZ_NAME);

	if (mz == NULL)
		mz = rte_memzone_reserve(SKAG_CTRL_RDV_MZ_NAME, SKAG_OS_DIR_MAX + 1, SOCKET_ID_ANY,
					 0);
	if (mz == NULL) {
		SKAG_CTRL_LOG(ERR, "cannot reserve memzone %s: %s", SKAG_CTRL_RDV_MZ_NAME,
			      rte_strerror(rte_errno));
		return -rte_errno;
	}
	/* Written before any secondary can attach: they attach after the primary's probe. */
	strlcpy(mz->addr, dir, SKAG_OS_DIR_MAX + 1);
	return 0;
}

/* The rendezvous the primary published, "" if none. */
static const char *
skag_ctrl_rdv_primary(void)
{
	const struct rte_memzone *mz = rte_memzone_lookup(SKAG_CTRL_RDV_MZ_NAME);

	return mz != NULL ? mz->addr : "";
}

int
skag_ctrl_attach(uint16_t max_groups, uint16_t max_members, bool explicit_sizes,
		 const char *dir)
{
	struct skag_tbl *t = NULL;
	unsigned int g;
	int rc = 0;

	if (dir == NULL)
		dir = "";
	if (dir[0] == '\0' && rte_eal_process_type() != RTE_PROC_PRIMARY)
		dir = skag_ctrl_rdv_primary();
	pthread_mutex_lock(&skag_ctrl.lock);
	if (skag_ctrl.refcnt > 0) {
		/* One table per process: every device names the same rendezvous, or none. */
		if (strcmp(dir, skag_ctrl.dir) != 0) {
			SKAG_CTRL_LOG(ERR, "devices use the rendezvous \"%s\", not \"%s\"",
				      skag_ctrl.dir, dir);
			rc = -EINVAL;
		} else {
			rc = skag_ctrl_sizes_check(skag_ctrl_table(), max_groups, max_members,
						   explicit_sizes);
		}
		if (rc == 0)
			skag_ctrl.refcnt++;
		goto out;
	}
	if (strlen(dir) > SKAG_OS_DIR_MAX) {
		SKAG_CTRL_LOG(ERR, "rendezvous path longer than %d", SKAG_OS_DIR_MAX);
		rc = -EINVAL;
		goto out;
	}
	if (rte_eal_process_type() == RTE_PROC_PRIMARY) {
		rc = skag_ctrl_rdv_publish(dir);
		if (rc != 0)
			goto out;
	}
	strcpy(skag_ctrl.dir, dir);
	if (dir[0] != '\0') {
		rc = skag_os_table_map(dir, max_groups, max_members, &t);
		if (rc != 0)
			SKAG_CTRL_LOG(ERR, "cannot map the group table of %s: %s", dir,
				      strerror(-rc));
	} else {
		rc = skag_ctrl_table_map(max_groups, max_members, &t);
	}
	if (rc == 0) {
		rc = skag_ctrl_sizes_check(t, max_groups, max_members, explicit_sizes);
		if (rc != 0 && dir[0] != '\0')
			skag_os_table_unmap(t);
	}
	if (rc != 0)
		goto out;
	if (!skag_ctrl.regs_ready) {
		/* Nothing registers before the table is published below. */
		for (g = 0; g < SKAG_MAX_GROUPS; g++)
			TAILQ_INIT(&skag_ctrl.regs[g]);
		skag_ctrl.regs_ready = true;
	}
	rc = skag_ctrl_threads_start(t);
	if (rc != 0) {
		if (dir[0] != '\0')
			skag_os_table_unmap(t);
		goto out;
	}
	skag_ctrl_telemetry_register();
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
	skag_ctrl_threads_stop(skag_ctrl_table(), true);
	pthread_mutex_lock(&skag_ctrl.reg_lock);
	if (skag_ctrl.dir[0] != '\0')
		skag_os_table_unmap(skag_ctrl_table());
	rte_atomic_store_explicit(&skag_ctrl.tbl, NULL, rte_memory_order_release);
	skag_ctrl.proc = -1;
	skag_ctrl_reg_remove_dev(-1);
	pthread_mutex_unlock(&skag_ctrl.reg_lock);
	pthread_mutex_unlock(&skag_ctrl.lock);
}

void
skag_ctrl_dev_close(int16_t dev_id)
{
	struct skag_tbl *t;
	int rc;

	pthread_mutex_lock(&skag_ctrl.reg_lock);
	t = skag_ctrl_table();
	if (t != NULL) {
		rc = skag_dev_remove(t, skag_ctrl.proc, dev_id);
		if (rc < 0)
			SKAG_CTRL_LOG(ERR, "dev %d: cannot remove memberships: %s", dev_id,
				      strerror(-rc));
		else if (rc > 0)
			SKAG_CTRL_LOG(DEBUG, "dev %d: removed %d membership(s)", dev_id, rc);
	}
	skag_ctrl_reg_remove_dev(dev_id);
	pthread_mutex_unlock(&skag_ctrl.reg_lock);
}

/*
 * Create a group (group_id NULL on input: *group_id is set) or join *group_id, and register
 * cb for the new membership.
 */
static int
skag_ctrl_member_add(const struct rte_dma_dev *dev, rte_uuid_t domain_id, rte_uuid_t token,
		     bool create, int16_t *group_id, rte_dma_access_pair_group_event_cb_t cb)
{
	int16_t dev_id = dev->data->dev_id;
	struct skag_ctrl_reg *r = NULL;
	struct skag_member_ref self;
	struct skag_tbl *t;
	int rc;

	/* Allocate first: once the membership exists, failing would need an undo. */
	if (cb != NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return -ENOMEM;
	}
	pthread_mutex_lock(&skag_ctrl.reg_lock);
	t = skag_ctrl_table();
	if (t == NULL)
		rc = -ENODEV;
	else if (create)
		rc = skag_group_create(t, skag_ctrl.proc, skag_ctrl.pid, skag_os_instance(), dev_id,
				       domain_id, token, cb != NULL, group_id, &self);
	else
		rc = skag_group_join(t, skag_ctrl.proc, skag_ctrl.pid, skag_os_instance(), dev_id,
				     domain_id, token, *group_id, cb != NULL, &self);
	if (rc == 0 && r != NULL) {
		r->cb = cb;
		r->dev_id = dev_id;
		r->member = self;
		TAILQ_INSERT_TAIL(&skag_ctrl.regs[self.group_id], r, next);
		r = NULL;
	}
	pthread_mutex_unlock(&skag_ctrl.reg_lock);
	free(r);
	if (rc != 0)
		SKAG_CTRL_LOG(DEBUG, "dev %d: %s failed: %s", dev_id, create ? "create" : "join",
			      strerror(-rc));
	return rc;
}

int
skag_ctrl_group_create(const struct rte_dma_dev *dev, rte_uuid_t domain_id, rte_uuid_t token,
		int16_t *group_id, rte_dma_access_pair_group_event_cb_t cb)
{
	return skag_ctrl_member_add(dev, domain_id, token, true, group_id, cb);
}

int
skag_ctrl_group_join(const struct rte_dma_dev *dev, rte_uuid_t domain_id, rte_uuid_t token,
		int16_t group_id, rte_dma_access_pair_group_event_cb_t cb)
{
	return skag_ctrl_member_add(dev, domain_id, token, false, &group_id, cb);
}

/* Leave or destroy: the membership ends, and with it the local callback registration. */
static int
skag_ctrl_group_end(const struct rte_dma_dev *dev, int16_t group_id,
		    int (*end)(struct skag_tbl *t, uint64_t instance, int16_t dev_id,
			       int16_t group_id))
{
	int16_t dev_id = dev->data->dev_id;
	struct skag_tbl *t;
	int rc;

	pthread_mutex_lock(&skag_ctrl.reg_lock);
	t = skag_ctrl_table();
	rc = t == NULL ? -ENODEV : end(t, skag_os_instance(), dev_id, group_id);
	if (rc == 0)
		skag_ctrl_reg_remove_group(dev_id, group_id);
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
	return skag_handler_get(t, skag_os_instance(), dev->data->dev_id, group_id, domain_id,
				handler);
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

/* One member as text: what the dump and telemetry show of it, never the token. */
static void
skag_ctrl_member_str(const struct skag_member_info *mi, char *buf, size_t len)
{
	char uuid[RTE_UUID_STRLEN];

	rte_uuid_unparse(mi->domain, uuid, sizeof(uuid));
	snprintf(buf, len, "domain=%s role=%s handler=%u dev=%d pid=%" PRId32, uuid,
		 skag_ctrl_role_str(mi->role), mi->handler, mi->dev_id, mi->pid);
}

void
skag_ctrl_dump_groups(int16_t dev_id, FILE *f)
{
	struct skag_member_info mi[SKAG_MAX_MEMBERS];
	char buf[RTE_TEL_MAX_STRING_LEN];
	struct skag_tbl *t = skag_ctrl_table();
	struct skag_tbl_stats st;
	int g, i, n;

	if (t == NULL) {
		fprintf(f, "  access pair groups: table not attached\n");
		return;
	}
	skag_tbl_stats_get(t, &st);
	fprintf(f, "  group table: groups %u/%u, members %u, processes %u, repairs %u, "
		"events dropped %u\n", st.live_groups, st.max_groups, st.live_members, st.procs,
		st.repairs, st.ev_dropped);
	fprintf(f, "  access pair groups:\n");
	for (g = skag_group_next(t, -1); g >= 0; g = skag_group_next(t, g)) {
		if (!skag_dev_is_member(t, skag_os_instance(), dev_id, g))
			continue;
		n = skag_ctrl_members(t, g, mi);
		if (n < 0)	/* destroyed meanwhile */
			continue;
		fprintf(f, "    group %d: %d member(s)\n", g, n);
		for (i = 0; i < n; i++) {
			skag_ctrl_member_str(&mi[i], buf, sizeof(buf));
			fprintf(f, "      %s%s\n", buf, mi[i].dev_id == dev_id ? " (self)" : "");
		}
	}
}

/* Telemetry parameter: an int in [0, max), or def if none is given; -1 if invalid. */
static int
skag_ctrl_tel_param(const char *params, int def, int max)
{
	unsigned long v;
	char *end;

	if (params == NULL || params[0] == '\0')
		return def;
	if (params[0] < '0' || params[0] > '9')
		return -1;
	errno = 0;
	v = strtoul(params, &end, 10);
	return errno == 0 && *end == '\0' && v < (unsigned long)max ? (int)v : -1;
}

/* { "max_groups": n, "max_members": n, "live_groups": n, ... } */
static int
skag_ctrl_tel_table(const char *cmd __rte_unused, const char *params __rte_unused,
		    struct rte_tel_data *d)
{
	struct skag_tbl *t = skag_ctrl_table();
	struct skag_tbl_stats st;

	rte_tel_data_start_dict(d);
	if (t == NULL)
		return 0;
	skag_tbl_stats_get(t, &st);
	rte_tel_data_add_dict_int(d, "max_groups", st.max_groups);
	rte_tel_data_add_dict_int(d, "max_members", st.max_members);
	rte_tel_data_add_dict_int(d, "live_groups", st.live_groups);
	rte_tel_data_add_dict_int(d, "live_members", st.live_members);
	rte_tel_data_add_dict_int(d, "processes", st.procs);
	rte_tel_data_add_dict_int(d, "repairs", st.repairs);
	rte_tel_data_add_dict_int(d, "events_dropped", st.ev_dropped);
	return 0;
}

/* { "groups": [ ids ], "next": id or -1 }: one page of live group ids from the given one. */
static int
skag_ctrl_tel_groups(const char *cmd __rte_unused, const char *params,
		     struct rte_tel_data *d)
{
	struct skag_tbl *t = skag_ctrl_table();
	int first = skag_ctrl_tel_param(params, 0, SKAG_MAX_GROUPS);
	struct rte_tel_data *ids;
	int g, n = 0;

	if (first < 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	ids = rte_tel_data_alloc();
	if (ids == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(ids, RTE_TEL_INT_VAL);
	g = t == NULL ? -1 : skag_group_next(t, first - 1);
	for (; g >= 0 && n < SKAG_CTRL_TEL_PAGE; g = skag_group_next(t, g), n++)
		rte_tel_data_add_array_int(ids, g);
	if (rte_tel_data_add_dict_container(d, "groups", ids, 0) != 0) {
		rte_tel_data_free(ids);
		return -ENOMEM;
	}
	rte_tel_data_add_dict_int(d, "next", g < 0 ? -1 : g);
	return 0;
}

/* { "group_id": n, "nb_members": n, "members": [ "domain=... role=... ..." ] } */
static int
skag_ctrl_tel_group(const char *cmd __rte_unused, const char *params,
		    struct rte_tel_data *d)
{
	struct skag_member_info mi[SKAG_MAX_MEMBERS];
	char buf[RTE_TEL_MAX_STRING_LEN];
	struct skag_tbl *t = skag_ctrl_table();
	int g = skag_ctrl_tel_param(params, -1, SKAG_MAX_GROUPS);
	struct rte_tel_data *members;
	int i, n;

	if (g < 0)
		return -EINVAL;
	n = t == NULL ? -ENODEV : skag_ctrl_members(t, g, mi);
	if (n < 0)
		return n;
	members = rte_tel_data_alloc();
	if (members == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "group_id", g);
	rte_tel_data_add_dict_int(d, "nb_members", n);
	rte_tel_data_start_array(members, RTE_TEL_STRING_VAL);
	for (i = 0; i < n; i++) {
		skag_ctrl_member_str(&mi[i], buf, sizeof(buf));
		rte_tel_data_add_array_string(members, buf);
	}
	if (rte_tel_data_add_dict_container(d, "members", members, 0) != 0) {
		rte_tel_data_free(members);
		return -ENOMEM;
	}
	return 0;
}
