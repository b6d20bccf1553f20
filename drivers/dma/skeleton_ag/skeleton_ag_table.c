/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <assert.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/futex.h>
#include <sys/syscall.h>

#ifdef SKAG_TABLE_CRASH_TEST
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#endif

#include "skeleton_ag_table.h"

#define SKAG_MAGIC		0x32626174676b6173ULL	/* "skagtab2" */
#define SKAG_VERSION		4
#define SKAG_NB_HANDLERS	(UINT16_MAX + 1)
/* Free group FIFO capacity: a power of two not below any max_groups. */
#define SKAG_FREE_FIFO_SIZE	SKAG_MAX_GROUPS
#define SKAG_FREE_FIFO_MASK	(SKAG_FREE_FIFO_SIZE - 1)
#define DIM(a)			(sizeof(a) / sizeof((a)[0]))

/*
 * Slot states, the commit points of every transition: written last when a slot is filled and
 * first when it starts to be emptied, so that repair can rebuild or finish everything else.
 * ENDING: a member or group is departing; its events are being posted, in slot order from
 * post_next, each post recorded before the next one.
 *
 * The data path relies on one more rule: a member's generation changes only when it stops
 * being live, and each such change is followed by an increment of its group's epoch.
 */
#define SKAG_FREE	0
#define SKAG_LIVE	1
#define SKAG_ENDING	2

struct skag_member {
	_Atomic uint32_t state;
	_Atomic uint32_t gen;	/* bumped when the member stops being live */
	uint64_t seq;		/* ENDING: the departure, carried by its events */
	uint8_t domain[SKAG_UUID_LEN];
	int32_t pid;
	int16_t dev_id;
	uint16_t handler;
	uint8_t proc;
	uint8_t role;
	uint8_t want_events;
	uint8_t post_next;	/* ENDING: next slot to post MEMBER_LEFT to */
	uint64_t instance;	/* OS instance of the process */
};

struct skag_group {
	_Atomic uint32_t state;
	_Atomic uint32_t epoch;	/* bumped by every departure, read by the data path */
	uint64_t seq;		/* ENDING: the destruction, carried by its events */
	uint32_t nb_members;	/* derived */
	uint16_t post_next;	/* ENDING: next member slot to remove */
	uint8_t token[SKAG_UUID_LEN];
};

struct skag_proc {
	pthread_mutex_t alive;	/* held by the attaching thread while the process lives */
	_Atomic uint32_t state;
	int32_t pid;
	uint64_t instance;
	_Atomic uint32_t ev_seq;	/* futex word, bumped on each post */
	_Atomic uint32_t waiters;	/* threads in skag_proc_wait() */
	_Atomic uint32_t ev_head;	/* moved by the owner only, without the lock */
	_Atomic uint32_t ev_tail;	/* commit point of a post */
	uint32_t ev_dropped;
	/* The last drop, so that a repeated post (see ev_post()) does not count it again. */
	struct {
		uint32_t dropped;	/* ev_dropped with it; written first */
		int16_t group_id;
		uint16_t member_idx;
		uint64_t seq;		/* written last */
	} last_drop;
	struct skag_event evq[SKAG_EVQ_SIZE];
};

/*
 * The block holds this header, then max_groups groups, then max_groups * max_members members.
 * It may be mapped at different addresses by different processes, so it stores indexes.
 */
struct skag_tbl {
	_Atomic uint64_t magic;
	uint32_t version;
	uint16_t max_groups;
	uint16_t max_members;
	pthread_mutex_t lock;
	uint32_t repairs;
	uint32_t live_groups;	/* derived */
	uint32_t live_members;	/* derived */
	uint16_t handler_cursor; /* last handler handed out */
	_Atomic uint32_t attach_seq;	/* bumped when a process attaches */
	/*
	 * Futex word of the mailbox owners: each waits with the bit of its process slot, so that
	 * one system call wakes all the owners a departure posted to.
	 */
	_Atomic uint32_t ev_wake;
	uint64_t last_seq;	/* last departure sequence handed out */
	/*
	 * Derived: free group ids, oldest freed first, so create is O(1) and an id comes back
	 * only after every id that was free when it was freed. Indexes run free (& mask).
	 */
	uint32_t free_head;
	uint32_t free_tail;
	uint16_t free_ids[SKAG_FREE_FIFO_SIZE];
	struct skag_proc procs[SKAG_MAX_PROCS];
	/* derived: handler -> group * max_members + member + 1, 0 if unused */
	uint32_t handler_map[SKAG_NB_HANDLERS];
	struct skag_group groups[];
};

#ifdef SKAG_TABLE_CRASH_TEST
void (*skag_test_crash_point)(enum skag_crash_point cp);

static inline void
crash_point(enum skag_crash_point cp)
{
	if (skag_test_crash_point != NULL)
		skag_test_crash_point(cp);
}
#else
#define crash_point(cp) do { } while (0)
#endif

/*
 * A crash is a process death, so a commit must not be reordered by the compiler with the
 * stores around it; the next locker synchronizes through the robust mutex.
 */
static inline void
commit(_Atomic uint32_t *word, uint32_t v)
{
	atomic_signal_fence(memory_order_seq_cst);
	atomic_store_explicit(word, v, memory_order_release);
	atomic_signal_fence(memory_order_seq_cst);
}

static inline struct skag_member *
member_get(struct skag_tbl *t, unsigned int g, unsigned int m)
{
	struct skag_member *base = (struct skag_member *)&t->groups[t->max_groups];

	return &base[g * t->max_members + m];
}

static inline bool
proc_valid(int proc)
{
	return proc >= 0 && proc < SKAG_MAX_PROCS;
}

/* Live group by id, NULL if out of range or not live. */
static struct skag_group *
group_live(struct skag_tbl *t, int16_t group_id)
{
	if (group_id < 0 || group_id >= t->max_groups)
		return NULL;
	if (t->groups[group_id].state != SKAG_LIVE)
		return NULL;
	return &t->groups[group_id];
}

static inline bool
member_is_dev(const struct skag_member *mb, uint64_t instance, int16_t dev_id)
{
	return mb->dev_id == dev_id && mb->instance == instance;
}

/* Slot of the live member of group g using the device, -1 if none. */
static int
member_find_dev(struct skag_tbl *t, unsigned int g, uint64_t instance, int16_t dev_id)
{
	unsigned int m;

	for (m = 0; m < t->max_members; m++) {
		const struct skag_member *mb = member_get(t, g, m);

		if (mb->state == SKAG_LIVE && member_is_dev(mb, instance, dev_id))
			return m;
	}
	return -1;
}

/* Constant time, so a wrong token does not reveal how many leading bytes matched. */
static bool
token_eq(const uint8_t *a, const uint8_t *b)
{
	volatile uint8_t diff = 0;
	unsigned int i;

	for (i = 0; i < SKAG_UUID_LEN; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

/*
 * Bump the sequences of the mailboxes of mask, then wake those where a thread waits, all in one
 * system call: woken first, a watcher could take the CPU of this thread before the next one is
 * woken. A waiter registers before it reads its sequence (both sequentially consistent), so
 * either it sees the new sequence or it is seen; and it reads ev_wake before its sequence, so
 * the bump of ev_wake fails its wait if it has not started.
 */
static void
procs_wake(struct skag_tbl *t, uint32_t mask)
{
	uint32_t waiting = 0;
	unsigned int p;

	for (p = 0; mask != 0; p++, mask >>= 1) {
		if (!(mask & 1))
			continue;
		atomic_fetch_add(&t->procs[p].ev_seq, 1);
		if (atomic_load(&t->procs[p].waiters) != 0)
			waiting |= UINT32_C(1) << p;
	}
	if (waiting == 0)
		return;
	atomic_fetch_add(&t->ev_wake, 1);
	/* Shared futex: the waiters are in other processes. */
	syscall(SYS_futex, &t->ev_wake, FUTEX_WAKE_BITSET, INT_MAX, NULL, NULL, waiting);
}

/*
 * Mailboxes posted to by the operation of this thread, woken once the table lock is released:
 * a watcher woken under the lock would only block on it. A death before the wake-up leaves the
 * events to the reap of the dead process, which wakes every mailbox owner.
 */
static _Thread_local uint32_t wake_mask;
static_assert(SKAG_MAX_PROCS <= 32, "wake_mask and ev_wake have a bit per process slot");

static void
tbl_unlock(struct skag_tbl *t)
{
	uint32_t mask = wake_mask;

	wake_mask = 0;
	pthread_mutex_unlock(&t->lock);
	procs_wake(t, mask);
}

/*
 * Wake every mailbox owner but the one of slot except (-1: none) once, at the unlock: after a
 * death, whose process may have posted without its wake-up (repair, reap; a reaper runs its
 * own events), or so that the others watch a process that attached.
 */
static void
owners_wake_all(struct skag_tbl *t, int except)
{
	unsigned int p;

	for (p = 0; p < SKAG_MAX_PROCS; p++)
		if (t->procs[p].state == SKAG_LIVE)
			wake_mask |= UINT32_C(1) << p;
	if (proc_valid(except))
		wake_mask &= ~(UINT32_C(1) << except);
}

/* Count a drop of the event of departure seq to member m of group g, once. */
static void
ev_drop(struct skag_proc *p, uint64_t seq, unsigned int g, unsigned int m)
{
	if (p->last_drop.seq != seq || p->last_drop.group_id != (int16_t)g ||
	    p->last_drop.member_idx != m) {
		/* Whatever the instant of a death, a record that matches holds its count. */
		p->last_drop.dropped = p->ev_dropped + 1;
		atomic_signal_fence(memory_order_seq_cst);
		p->last_drop.group_id = g;
		p->last_drop.member_idx = m;
		p->last_drop.seq = seq;
		atomic_signal_fence(memory_order_seq_cst);
	}
	p->ev_dropped = p->last_drop.dropped;
}

/*
 * Post an event of departure seq to member m of group g, unless it is posted already: a
 * departure interrupted between a post and its record is finished by the repair, which posts
 * again to that member. The lock was held since the interrupted post, so the event is then
 * still the last one written to the mailbox, or the last one dropped.
 */
static void
ev_post(struct skag_tbl *t, uint64_t seq, unsigned int g, unsigned int m, uint8_t type,
	const uint8_t domain[SKAG_UUID_LEN])
{
	const struct skag_member *to = member_get(t, g, m);
	struct skag_proc *p = &t->procs[to->proc];
	struct skag_event *ev = &p->evq[p->ev_tail % SKAG_EVQ_SIZE];
	const struct skag_event *last = &p->evq[(p->ev_tail - 1) % SKAG_EVQ_SIZE];

	if (!to->want_events)
		return;
	/* Posted before a death: only wake again, harmless if the owner was woken. */
	if (last->seq != seq || last->group_id != (int16_t)g || last->member_idx != m) {
		/* Acquire: the owner has read the events it popped before they are overwritten. */
		if (p->ev_tail - atomic_load_explicit(&p->ev_head, memory_order_acquire) >=
		    SKAG_EVQ_SIZE) {
			ev_drop(p, seq, g, m);
		} else {
			ev->seq = seq;
			ev->dev_id = to->dev_id;
			ev->group_id = g;
			ev->member_idx = m;
			ev->member_gen = to->gen;
			ev->type = type;
			memcpy(ev->domain, domain, SKAG_UUID_LEN);
			atomic_store_explicit(&p->ev_tail, p->ev_tail + 1, memory_order_release);
		}
	}
	crash_point(SKAG_CP_POSTED);
	/* Wake on drops too, so the owner notices them. */
	wake_mask |= UINT32_C(1) << to->proc;
}

/*
 * Walk on from the last handler handed out, so a freed value comes back only after the whole
 * 16-bit space has been cycled through. 0 means the space is full.
 */
static uint16_t
handler_alloc(struct skag_tbl *t)
{
	uint16_t h = t->handler_cursor;
	unsigned int n;

	for (n = 0; n < SKAG_NB_HANDLERS; n++) {
		h++;
		if (h != 0 && t->handler_map[h] == 0) {
			t->handler_cursor = h;
			return h;
		}
	}
	return 0;
}

/* Fill a free member slot; it becomes live on member_commit(). */
static void
member_write(struct skag_tbl *t, unsigned int g, unsigned int m, int proc, int16_t dev_id,
	     const uint8_t *domain, uint8_t role, bool want_events, uint16_t handler)
{
	struct skag_member *mb = member_get(t, g, m);

	memcpy(mb->domain, domain, SKAG_UUID_LEN);
	mb->pid = t->procs[proc].pid;
	mb->instance = t->procs[proc].instance;
	mb->dev_id = dev_id;
	mb->handler = handler;
	mb->proc = proc;
	mb->role = role;
	mb->want_events = want_events;
	mb->post_next = 0;
	t->handler_map[handler] = g * t->max_members + m + 1;
}

static void
member_commit(struct skag_tbl *t, unsigned int g, unsigned int m, struct skag_member_ref *self)
{
	struct skag_member *mb = member_get(t, g, m);

	commit(&mb->state, SKAG_LIVE);
	t->groups[g].nb_members++;
	t->live_members++;
	self->group_id = g;
	self->member_idx = m;
	self->gen = mb->gen;
}

/*
 * A member of group g stops being live for the data path: its generation, then the group epoch
 * (see skag_link_revalidate()). Done again by a repair that finishes the departure: harmless.
 */
static void
member_revoke(struct skag_tbl *t, unsigned int g, struct skag_member *mb)
{
	atomic_fetch_add_explicit(&mb->gen, 1, memory_order_release);
	atomic_fetch_add_explicit(&t->groups[g].epoch, 1, memory_order_release);
}

/* Empty a member slot; its generation was bumped when its departure started. */
static void
member_free(struct skag_tbl *t, unsigned int g, unsigned int m)
{
	struct skag_member *mb = member_get(t, g, m);

	commit(&mb->state, SKAG_FREE);
	t->handler_map[mb->handler] = 0;
	t->groups[g].nb_members--;
	t->live_members--;
}

/* Post MEMBER_LEFT of departing member m to the live members from post_next on, then free it. */
static void
member_end_finish(struct skag_tbl *t, unsigned int g, unsigned int m)
{
	struct skag_member *leaver = member_get(t, g, m);
	unsigned int i;

	member_revoke(t, g, leaver);
	for (i = leaver->post_next; i < t->max_members; i++) {
		if (member_get(t, g, i)->state == SKAG_LIVE)
			ev_post(t, leaver->seq, g, i, SKAG_EV_MEMBER_LEFT, leaver->domain);
		leaver->post_next = i + 1;
		crash_point(SKAG_CP_STEP);
	}
	crash_point(SKAG_CP_END_DONE);
	member_free(t, g, m);
}

/* A joiner departs: it left, its device was closed or its process died. */
static void
member_end(struct skag_tbl *t, unsigned int g, unsigned int m)
{
	struct skag_member *mb = member_get(t, g, m);

	mb->post_next = 0;
	mb->seq = ++t->last_seq;
	commit(&mb->state, SKAG_ENDING);
	crash_point(SKAG_CP_END_START);
	member_end_finish(t, g, m);
}

/* The caller has checked the FIFO is not empty. */
static inline uint16_t
free_peek(const struct skag_tbl *t)
{
	return t->free_ids[t->free_head & SKAG_FREE_FIFO_MASK];
}

/* Holds at most max_groups ids, one per free group: a push never overwrites. */
static inline void
free_push(struct skag_tbl *t, uint16_t g)
{
	t->free_ids[t->free_tail & SKAG_FREE_FIFO_MASK] = g;
	t->free_tail++;
}

/*
 * Remove the members of departing group g from post_next on, GROUP_DESTROYED first to each
 * joiner, then free the group: token wiped, id back on the free FIFO.
 */
static void
group_end_finish(struct skag_tbl *t, unsigned int g)
{
	struct skag_group *grp = &t->groups[g];
	unsigned int m;

	for (m = grp->post_next; m < t->max_members; m++) {
		struct skag_member *mb = member_get(t, g, m);

		if (mb->state == SKAG_LIVE) {
			if (mb->role == SKAG_ROLE_JOINER)
				ev_post(t, grp->seq, g, m, SKAG_EV_GROUP_DESTROYED, mb->domain);
			member_revoke(t, g, mb);
			member_free(t, g, m);
		}
		grp->post_next = m + 1;
		crash_point(SKAG_CP_STEP);
	}
	crash_point(SKAG_CP_END_DONE);
	explicit_bzero(grp->token, sizeof(grp->token));
	commit(&grp->state, SKAG_FREE);
	free_push(t, g);
}

/* The creator departs: the group is destroyed, with GROUP_DESTROYED to its joiners. */
static void
group_end(struct skag_tbl *t, unsigned int g)
{
	struct skag_group *grp = &t->groups[g];

	grp->post_next = 0;
	grp->seq = ++t->last_seq;
	commit(&grp->state, SKAG_ENDING);
	t->live_groups--;
	crash_point(SKAG_CP_END_START);
	group_end_finish(t, g);
}

/* The departure of member m of live group g: a joiner leaves, a creator ends the group. */
static void
departure(struct skag_tbl *t, unsigned int g, unsigned int m)
{
	if (member_get(t, g, m)->role == SKAG_ROLE_CREATOR)
		group_end(t, g);
	else
		member_end(t, g, m);
}

/* Drop every membership of process slot p (and dev_id if >= 0); returns how many. */
static int
memberships_drop(struct skag_tbl *t, unsigned int p, int16_t dev_id)
{
	unsigned int g, m;
	int n = 0;

	for (g = 0; g < t->max_groups; g++) {
		for (m = 0; m < t->max_members && t->groups[g].state == SKAG_LIVE; m++) {
			const struct skag_member *mb = member_get(t, g, m);

			if (mb->state != SKAG_LIVE || mb->proc != p ||
			    (dev_id >= 0 && mb->dev_id != dev_id))
				continue;
			departure(t, g, m);
			n++;
		}
	}
	return n;
}

/* Drop every membership of a process (it left or died) and free its slot. */
static void
proc_drop(struct skag_tbl *t, unsigned int p)
{
	memberships_drop(t, p, -1);
	commit(&t->procs[p].state, SKAG_FREE);
}

/* Rebuild derived state from the slot states. */
static void
tbl_recount(struct skag_tbl *t)
{
	unsigned int g, m;

	memset(t->handler_map, 0, sizeof(t->handler_map));
	t->live_groups = 0;
	t->live_members = 0;
	for (g = 0; g < t->max_groups; g++) {
		struct skag_group *grp = &t->groups[g];

		grp->nb_members = 0;
		for (m = 0; m < t->max_members; m++) {
			const struct skag_member *mb = member_get(t, g, m);

			/* A departing member keeps its handler until it is freed. */
			if (mb->state == SKAG_FREE)
				continue;
			t->handler_map[mb->handler] = g * t->max_members + m + 1;
			grp->nb_members++;
			t->live_members++;
		}
		if (grp->state == SKAG_LIVE)
			t->live_groups++;
	}
}

/*
 * Rebuild the free FIFO from the group states after a crash: keep the order of the ids it
 * still validly holds, then append the free groups it lost (a create that crashed after the
 * pop, a destroy that crashed before the push) or never had, in id order.
 */
static void
free_rebuild(struct skag_tbl *t)
{
	uint16_t ids[SKAG_FREE_FIFO_SIZE];
	bool seen[SKAG_MAX_GROUPS] = { false };
	uint32_t i, nb = t->free_tail - t->free_head, n = 0;
	unsigned int g;

	if (nb > t->max_groups)
		nb = 0;	/* not a FIFO any more: only the group states count */
	for (i = 0; i < nb; i++) {
		g = t->free_ids[(t->free_head + i) & SKAG_FREE_FIFO_MASK];
		if (g < t->max_groups && !seen[g] && t->groups[g].state == SKAG_FREE) {
			seen[g] = true;
			ids[n++] = g;
		}
	}
	for (g = 0; g < t->max_groups; g++) {
		if (!seen[g] && t->groups[g].state == SKAG_FREE)
			ids[n++] = g;
	}
	memcpy(t->free_ids, ids, n * sizeof(ids[0]));
	t->free_head = 0;
	t->free_tail = n;
}

/*
 * Finish or undo what the dead lock owner was doing, then check the table rules. At most one
 * transition is half done: every transition runs to its end under the lock.
 */
static void
tbl_repair_locked(struct skag_tbl *t)
{
	unsigned int g, m;

	tbl_recount(t);
	/* Before finishing a destruction, which pushes its id. */
	free_rebuild(t);
	for (g = 0; g < t->max_groups; g++) {
		struct skag_group *grp = &t->groups[g];

		for (m = 0; m < t->max_members; m++)
			if (member_get(t, g, m)->state == SKAG_ENDING)
				member_end_finish(t, g, m);
		if (grp->state == SKAG_ENDING) {
			group_end_finish(t, g);
		} else if (grp->state == SKAG_FREE) {
			/*
			 * A create that died before the group went live: nobody else knew the
			 * group, the creator is dropped without events.
			 */
			if (member_get(t, g, 0)->state != SKAG_FREE) {
				member_free(t, g, 0);
				explicit_bzero(grp->token, sizeof(grp->token));
			}
		} else if (member_get(t, g, 0)->state != SKAG_LIVE) {
			/* The creator is always slot 0; without it the group must go. */
			group_end(t, g);
		}
	}
	owners_wake_all(t, -1);
	t->repairs++;
}

static int
tbl_lock(struct skag_tbl *t)
{
	int rc = pthread_mutex_lock(&t->lock);

	if (rc == EOWNERDEAD) {
		/* The previous owner died, possibly in the middle of a mutation. */
		tbl_repair_locked(t);
		pthread_mutex_consistent(&t->lock);
		rc = 0;
	}
	return -rc;
}

size_t
skag_tbl_size(uint16_t max_groups, uint16_t max_members)
{
	if (max_groups < SKAG_MIN_GROUPS || max_groups > SKAG_MAX_GROUPS ||
	    max_members < SKAG_MIN_MEMBERS || max_members > SKAG_MAX_MEMBERS)
		return 0;
	return sizeof(struct skag_tbl) + max_groups * sizeof(struct skag_group) +
		(size_t)max_groups * max_members * sizeof(struct skag_member);
}

int
skag_tbl_init(void *mem, size_t len, uint16_t max_groups, uint16_t max_members)
{
	size_t size = skag_tbl_size(max_groups, max_members);
	struct skag_tbl *t = mem;
	pthread_mutexattr_t attr;
	unsigned int p, g;
	int rc;

	if (mem == NULL || size == 0 || len < size ||
	    (uintptr_t)mem % alignof(struct skag_tbl) != 0)
		return -EINVAL;

	memset(mem, 0, size);
	rc = pthread_mutexattr_init(&attr);
	if (rc != 0)
		return -rc;
	rc = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	if (rc == 0)
		rc = pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	for (p = 0; rc == 0 && p < SKAG_MAX_PROCS; p++)
		rc = pthread_mutex_init(&t->procs[p].alive, &attr);
	/* Error checking: a relock from the same thread fails instead of deadlocking. */
	if (rc == 0)
		rc = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	if (rc == 0)
		rc = pthread_mutex_init(&t->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	if (rc != 0)
		return -rc;

	t->version = SKAG_VERSION;
	t->max_groups = max_groups;
	t->max_members = max_members;
	for (g = 0; g < max_groups; g++)
		free_push(t, g);
	/* Magic last: an attacher never sees a half-initialized table. */
	atomic_store_explicit(&t->magic, SKAG_MAGIC, memory_order_release);
	return 0;
}

struct skag_tbl *
skag_tbl_attach(void *mem, size_t len)
{
	struct skag_tbl *t = mem;
	size_t size;

	if (mem == NULL || len < sizeof(*t) || (uintptr_t)mem % alignof(struct skag_tbl) != 0)
		return NULL;
	if (atomic_load_explicit(&t->magic, memory_order_acquire) != SKAG_MAGIC ||
	    t->version != SKAG_VERSION)
		return NULL;
	size = skag_tbl_size(t->max_groups, t->max_members);
	if (size == 0 || len < size)
		return NULL;
	return t;
}

int
skag_tbl_repair(struct skag_tbl *t)
{
	int rc;

	if (t == NULL)
		return -EINVAL;
	rc = pthread_mutex_lock(&t->lock);
	if (rc != 0 && rc != EOWNERDEAD)
		return -rc;
	tbl_repair_locked(t);
	if (rc == EOWNERDEAD)
		pthread_mutex_consistent(&t->lock);
	tbl_unlock(t);
	return 0;
}

int
skag_proc_attach(struct skag_tbl *t, int32_t pid, uint64_t instance)
{
	unsigned int p;
	int rc;

	if (t == NULL || pid <= 0)
		return -EINVAL;
	rc = tbl_lock(t);
	if (rc != 0)
		return rc;
	rc = -ENOSPC;
	for (p = 0; p < SKAG_MAX_PROCS; p++) {
		struct skag_proc *sp = &t->procs[p];
		int lrc;

		if (sp->state != SKAG_FREE)
			continue;
		/* Busy: freed by a detach from another thread than the one still holding it. */
		lrc = pthread_mutex_trylock(&sp->alive);
		if (lrc == EOWNERDEAD)
			pthread_mutex_consistent(&sp->alive);
		else if (lrc != 0)
			continue;
		sp->pid = pid;
		sp->instance = instance;
		sp->ev_head = 0;
		sp->ev_tail = 0;
		sp->ev_dropped = 0;
		memset(&sp->last_drop, 0, sizeof(sp->last_drop));
		/* A process that died waiting left its count. */
		atomic_store(&sp->waiters, 0);
		commit(&sp->state, SKAG_LIVE);
		rc = p;
		break;
	}
	if (rc >= 0) {
		/* The other processes start watching this one. */
		atomic_fetch_add_explicit(&t->attach_seq, 1, memory_order_release);
		owners_wake_all(t, rc);
	}
	tbl_unlock(t);
	/* Their skag_proc_death_wait() too: a shared futex. */
	if (rc >= 0)
		syscall(SYS_futex, &t->attach_seq, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
	return rc;
}

void
skag_proc_detach(struct skag_tbl *t, int proc)
{
	if (t == NULL || !proc_valid(proc) || tbl_lock(t) != 0)
		return;
	if (t->procs[proc].state == SKAG_LIVE) {
		proc_drop(t, proc);
		pthread_mutex_unlock(&t->procs[proc].alive);
	}
	tbl_unlock(t);
}

int
skag_proc_reap(struct skag_tbl *t, int self)
{
	unsigned int p;
	int rc, n = 0;

	if (t == NULL)
		return -EINVAL;
	rc = tbl_lock(t);
	if (rc != 0)
		return rc;
	for (p = 0; p < SKAG_MAX_PROCS; p++) {
		struct skag_proc *sp = &t->procs[p];

		if (sp->state != SKAG_LIVE)
			continue;
		/*
		 * Busy (or our own slot): its owner thread lives. Otherwise the owner is gone:
		 * the kernel marked the mutex owner-dead when the thread exited.
		 */
		rc = pthread_mutex_trylock(&sp->alive);
		if (rc == EOWNERDEAD)
			pthread_mutex_consistent(&sp->alive);
		else if (rc != 0)
			continue;
		proc_drop(t, p);
		pthread_mutex_unlock(&sp->alive);
		n++;
	}
	if (n > 0)
		owners_wake_all(t, self);
	tbl_unlock(t);
	return n;
}

/* The CLOCK_MONOTONIC time timeout_ms from now. */
static void
deadline_in(struct timespec *deadline, unsigned int timeout_ms)
{
	long nsec;

	clock_gettime(CLOCK_MONOTONIC, deadline);
	nsec = deadline->tv_nsec + (long)(timeout_ms % 1000) * 1000000;
	deadline->tv_sec += timeout_ms / 1000 + nsec / 1000000000;
	deadline->tv_nsec = nsec % 1000000000;
}

/* Kicks of skag_proc_death_wait() in this process: a private futex word. */
static _Atomic uint32_t death_kicks;

#if defined(SYS_futex_waitv) && defined(__GLIBC__)
/*
 * The futex word of a process's alive mutex: glibc's lock word, which holds the owner's tid and
 * which the kernel marks FUTEX_OWNER_DIED when the owner thread exits holding it.
 */
static _Atomic uint32_t *
proc_alive_word(struct skag_proc *sp)
{
	return (_Atomic uint32_t *)&sp->alive.__data.__lock;
}

/*
 * Ask the kernel to wake a waiter of the alive mutex of sp when its owner dies; glibc's unlock
 * wakes one too, as for any lock with waiters. *val is what to wait for.
 *
 * @return
 *   1 to wait on the word, 0 if the mutex has no owner, -EOWNERDEAD if it died already.
 */
static int
proc_alive_arm(struct skag_proc *sp, uint32_t *val)
{
	_Atomic uint32_t *w = proc_alive_word(sp);
	uint32_t v = atomic_load(w);

	for (;;) {
		if (v & FUTEX_OWNER_DIED)
			return -EOWNERDEAD;
		if ((v & FUTEX_TID_MASK) == 0)
			return 0;
		if ((v & FUTEX_WAITERS) ||
		    atomic_compare_exchange_weak(w, &v, v | FUTEX_WAITERS)) {
			*val = v | FUTEX_WAITERS;
			return 1;
		}
	}
}

int
skag_proc_death_wait(struct skag_tbl *t, int self, uint32_t kicks_seen, unsigned int timeout_ms)
{
	struct futex_waitv w[SKAG_MAX_PROCS + 2];
	struct timespec deadline;
	unsigned int n = 0, p;
	uint32_t val;
	int rc;

	if (t == NULL)
		return -EINVAL;
	/* Values first, the words then: a change in between makes the wait return at once. */
	w[n++] = (struct futex_waitv){ .val = atomic_load(&t->attach_seq),
		.uaddr = (uintptr_t)&t->attach_seq, .flags = FUTEX_32 };
	w[n++] = (struct futex_waitv){ .val = kicks_seen, .uaddr = (uintptr_t)&death_kicks,
		.flags = FUTEX_32 | FUTEX_PRIVATE_FLAG };
	for (p = 0; p < SKAG_MAX_PROCS; p++) {
		if ((int)p == self || atomic_load(&t->procs[p].state) != SKAG_LIVE)
			continue;
		rc = proc_alive_arm(&t->procs[p], &val);
		if (rc < 0)
			return 0;
		if (rc == 1)
			w[n++] = (struct futex_waitv){ .val = val,
				.uaddr = (uintptr_t)proc_alive_word(&t->procs[p]),
				.flags = FUTEX_32 };
	}
	deadline_in(&deadline, timeout_ms);
	if (syscall(SYS_futex_waitv, w, n, 0, &deadline, CLOCK_MONOTONIC) >= 0 ||
	    errno == EAGAIN || errno == EINTR)
		return 0;
	return errno == ENOSYS ? -ENOTSUP : -errno;
}
#else
int
skag_proc_death_wait(struct skag_tbl *t, int self, uint32_t kicks_seen, unsigned int timeout_ms)
{
	(void)t;
	(void)self;
	(void)kicks_seen;
	(void)timeout_ms;
	return -ENOTSUP;
}
#endif

uint32_t
skag_proc_death_kicks(void)
{
	return atomic_load(&death_kicks);
}

void
skag_proc_death_kick(void)
{
	atomic_fetch_add(&death_kicks, 1);
	syscall(SYS_futex, &death_kicks, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

uint32_t
skag_tbl_attach_seq(struct skag_tbl *t)
{
	return t == NULL ? 0 : atomic_load_explicit(&t->attach_seq, memory_order_acquire);
}

int32_t
skag_proc_pid(struct skag_tbl *t, int proc)
{
	const struct skag_proc *sp;

	if (t == NULL || !proc_valid(proc))
		return 0;
	sp = &t->procs[proc];
	return atomic_load_explicit(&sp->state, memory_order_acquire) == SKAG_LIVE ? sp->pid : 0;
}

/* Whether proc is the live slot of the process pid of instance, not one taken again since. */
static bool
proc_is(const struct skag_tbl *t, int proc, int32_t pid, uint64_t instance)
{
	const struct skag_proc *sp = &t->procs[proc];

	return sp->state == SKAG_LIVE && sp->pid == pid && sp->instance == instance;
}

int
skag_group_create(struct skag_tbl *t, int proc, int32_t pid, uint64_t instance, int16_t dev_id,
		  const uint8_t domain[SKAG_UUID_LEN], const uint8_t token[SKAG_UUID_LEN],
		  bool want_events, int16_t *group_id, struct skag_member_ref *self)
{
	uint16_t handler, g;
	int rc;

	if (t == NULL || !proc_valid(proc) || dev_id < 0 || domain == NULL || token == NULL ||
	    group_id == NULL || self == NULL)
		return -EINVAL;
	rc = tbl_lock(t);
	if (rc != 0)
		return rc;
	if (!proc_is(t, proc, pid, instance)) {
		rc = -EINVAL;
		goto out;
	}
	/* Oldest freed id first, so ids are not reused right away. */
	if (t->free_head == t->free_tail) {
		rc = -ENOSPC;
		goto out;
	}
	handler = handler_alloc(t);
	if (handler == 0) {
		rc = -ENOSPC;
		goto out;
	}
	/* Popped before the commit: a crash in between leaves the id to repair. */
	g = free_peek(t);
	t->free_head++;
	memcpy(t->groups[g].token, token, SKAG_UUID_LEN);
	member_write(t, g, 0, proc, dev_id, domain, SKAG_ROLE_CREATOR, want_events, handler);
	member_commit(t, g, 0, self);
	crash_point(SKAG_CP_CREATE);
	commit(&t->groups[g].state, SKAG_LIVE);
	t->live_groups++;
	*group_id = g;
out:
	tbl_unlock(t);
	return rc;
}

int
skag_group_join(struct skag_tbl *t, int proc, int32_t pid, uint64_t instance, int16_t dev_id,
		const uint8_t domain[SKAG_UUID_LEN], const uint8_t token[SKAG_UUID_LEN],
		int16_t group_id, bool want_events, struct skag_member_ref *self)
{
	struct skag_group *grp;
	unsigned int m, slot;
	uint16_t handler;
	int rc;

	if (t == NULL || !proc_valid(proc) || dev_id < 0 || domain == NULL || token == NULL ||
	    self == NULL)
		return -EINVAL;
	rc = tbl_lock(t);
	if (rc != 0)
		return rc;
	if (!proc_is(t, proc, pid, instance)) {
		rc = -EINVAL;
		goto out;
	}
	grp = group_live(t, group_id);
	if (grp == NULL) {
		rc = -ENOENT;
		goto out;
	}
	/* Token first: without it, nothing about the members is revealed. */
	if (!token_eq(grp->token, token)) {
		rc = -EACCES;
		goto out;
	}
	slot = t->max_members;
	for (m = 0; m < t->max_members; m++) {
		const struct skag_member *mb = member_get(t, group_id, m);

		if (mb->state != SKAG_LIVE) {
			if (slot == t->max_members)
				slot = m;
		} else if (member_is_dev(mb, t->procs[proc].instance, dev_id) ||
			   memcmp(mb->domain, domain, SKAG_UUID_LEN) == 0) {
			rc = -EEXIST;
			goto out;
		}
	}
	if (slot == t->max_members) {
		rc = -ENOSPC;
		goto out;
	}
	handler = handler_alloc(t);
	if (handler == 0) {
		rc = -ENOSPC;
		goto out;
	}
	member_write(t, group_id, slot, proc, dev_id, domain, SKAG_ROLE_JOINER, want_events,
		     handler);
	crash_point(SKAG_CP_JOIN);
	member_commit(t, group_id, slot, self);
out:
	tbl_unlock(t);
	return rc;
}

int
skag_group_leave(struct skag_tbl *t, uint64_t instance, int16_t dev_id, int16_t group_id)
{
	struct skag_group *grp;
	int rc, m;

	if (t == NULL || dev_id < 0)
		return -EINVAL;
	rc = tbl_lock(t);
	if (rc != 0)
		return rc;
	grp = group_live(t, group_id);
	if (grp == NULL) {
		rc = -ENOENT;
		goto out;
	}
	m = member_find_dev(t, group_id, instance, dev_id);
	if (m < 0)
		rc = -EPERM;
	else if (m == 0 && grp->nb_members > 1)
		rc = -EBUSY;
	else
		departure(t, group_id, m);
out:
	tbl_unlock(t);
	return rc;
}

int
skag_group_destroy(struct skag_tbl *t, uint64_t instance, int16_t dev_id, int16_t group_id)
{
	struct skag_group *grp;
	int rc;

	if (t == NULL || dev_id < 0)
		return -EINVAL;
	rc = tbl_lock(t);
	if (rc != 0)
		return rc;
	grp = group_live(t, group_id);
	if (grp == NULL)
		rc = -ENOENT;
	else if (member_find_dev(t, group_id, instance, dev_id) != 0)
		rc = -EPERM;
	else if (grp->nb_members > 1)
		rc = -EBUSY;
	else
		group_end(t, group_id);
	tbl_unlock(t);
	return rc;
}

int
skag_handler_get(struct skag_tbl *t, uint64_t instance, int16_t dev_id, int16_t group_id,
		 const uint8_t domain[SKAG_UUID_LEN], uint16_t *handler)
{
	unsigned int m;
	int rc;

	if (t == NULL || dev_id < 0 || domain == NULL || handler == NULL)
		return -EINVAL;
	rc = tbl_lock(t);
	if (rc != 0)
		return rc;
	if (group_live(t, group_id) == NULL) {
		rc = -ENOENT;
		goto out;
	}
	if (member_find_dev(t, group_id, instance, dev_id) < 0) {
		rc = -EPERM;
		goto out;
	}
	rc = -ENOENT;
	for (m = 0; m < t->max_members; m++) {
		const struct skag_member *mb = member_get(t, group_id, m);

		if (mb->state == SKAG_LIVE && memcmp(mb->domain, domain, SKAG_UUID_LEN) == 0) {
			*handler = mb->handler;
			rc = 0;
			break;
		}
	}
out:
	tbl_unlock(t);
	return rc;
}

int
skag_dev_remove(struct skag_tbl *t, int proc, int16_t dev_id)
{
	int rc;

	if (t == NULL || !proc_valid(proc) || dev_id < 0)
		return -EINVAL;
	rc = tbl_lock(t);
	if (rc != 0)
		return rc;
	rc = memberships_drop(t, proc, dev_id);
	tbl_unlock(t);
	return rc;
}

/* Live member named by a handler, -1 if none; the map also holds departing members. */
static int
handler_member(struct skag_tbl *t, uint16_t handler)
{
	uint32_t idx = t->handler_map[handler];

	if (idx == 0 || member_get(t, (idx - 1) / t->max_members,
				   (idx - 1) % t->max_members)->state != SKAG_LIVE)
		return -1;
	return idx - 1;
}

static void
link_member(struct skag_tbl *t, struct skag_link *l, enum skag_link_member which,
	    unsigned int g, unsigned int m)
{
	struct skag_member *mb = member_get(t, g, m);

	l->member_idx[which] = m;
	l->gen_live[which] = atomic_load_explicit(&mb->gen, memory_order_relaxed);
	l->pid[which] = mb->pid;
	l->instance[which] = mb->instance;
}

void
skag_link_rebind(struct skag_tbl *t, struct skag_link *l)
{
	unsigned int i;

	l->epoch = &t->groups[l->group_id].epoch;
	for (i = 0; i < DIM(l->gen); i++)
		l->gen[i] = &member_get(t, l->group_id, l->member_idx[i])->gen;
}

int
skag_link_resolve(struct skag_tbl *t, uint64_t instance, int16_t dev_id, uint16_t src_handler,
		  uint16_t dst_handler, struct skag_link *link)
{
	int rc, si, di, self, g;

	if (t == NULL || dev_id < 0 || src_handler == 0 || dst_handler == 0 || link == NULL)
		return -EINVAL;
	rc = tbl_lock(t);
	if (rc != 0)
		return rc;
	/* Live members are only in live groups. */
	si = handler_member(t, src_handler);
	di = handler_member(t, dst_handler);
	g = si / (int)t->max_members;
	self = si < 0 || di < 0 || g != di / (int)t->max_members ? -1 :
		member_find_dev(t, g, instance, dev_id);
	if (self < 0) {
		rc = -EPERM;
		goto out;
	}
	link->group_id = g;
	link->epoch_seen = atomic_load_explicit(&t->groups[g].epoch, memory_order_relaxed);
	link_member(t, link, SKAG_LINK_SRC, g, si % t->max_members);
	link_member(t, link, SKAG_LINK_DST, g, di % t->max_members);
	link_member(t, link, SKAG_LINK_SELF, g, self);
	skag_link_rebind(t, link);
out:
	tbl_unlock(t);
	return rc;
}

/*
 * Each generation change is followed by an epoch change: if an epoch read here includes the
 * departure of one of the three, its generation change is seen below; if it does not, the
 * departure changes the epoch again later.
 */
bool
skag_link_revalidate(struct skag_link *l)
{
	uint32_t epoch = atomic_load_explicit(l->epoch, memory_order_acquire);
	unsigned int i;

	for (i = 0; i < DIM(l->gen); i++)
		if (atomic_load_explicit(l->gen[i], memory_order_acquire) != l->gen_live[i])
			return false;
	l->epoch_seen = epoch;
	return true;
}

int
skag_proc_event_pop(struct skag_tbl *t, int proc, struct skag_event *ev)
{
	struct skag_proc *p;
	uint32_t head;

	if (t == NULL || !proc_valid(proc) || ev == NULL)
		return -EINVAL;
	p = &t->procs[proc];
	if (atomic_load_explicit(&p->state, memory_order_acquire) != SKAG_LIVE)
		return -EINVAL;
	/*
	 * Without the table lock, so that the watchers a departure wakes do not queue on it:
	 * the owner is the mailbox's only reader, and a post publishes its event with ev_tail.
	 */
	head = atomic_load_explicit(&p->ev_head, memory_order_relaxed);
	if (head == atomic_load_explicit(&p->ev_tail, memory_order_acquire))
		return 0;
	*ev = p->evq[head % SKAG_EVQ_SIZE];
	atomic_store_explicit(&p->ev_head, head + 1, memory_order_release);
	return 1;
}

uint32_t
skag_proc_seq(struct skag_tbl *t, int proc)
{
	if (t == NULL || !proc_valid(proc))
		return 0;
	return atomic_load_explicit(&t->procs[proc].ev_seq, memory_order_acquire);
}

int
skag_proc_wait(struct skag_tbl *t, int proc, uint32_t seen_seq, unsigned int timeout_ms)
{
	struct timespec deadline;
	struct skag_proc *p;
	uint32_t wake;
	int rc = 0;

	if (t == NULL || !proc_valid(proc))
		return -EINVAL;
	p = &t->procs[proc];
	if (timeout_ms != SKAG_WAIT_FOREVER)
		deadline_in(&deadline, timeout_ms);
	atomic_fetch_add(&p->waiters, 1);
	/*
	 * WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline. Posts to other mailboxes move
	 * ev_wake too: the wait then fails or returns, and loops.
	 */
	for (;;) {
		wake = atomic_load(&t->ev_wake);
		if (atomic_load(&p->ev_seq) != seen_seq)
			break;
		if (syscall(SYS_futex, &t->ev_wake, FUTEX_WAIT_BITSET, wake,
			    timeout_ms == SKAG_WAIT_FOREVER ? NULL : &deadline, NULL,
			    UINT32_C(1) << proc) != 0 && errno != EAGAIN) {
			rc = -errno;
			break;
		}
	}
	atomic_fetch_sub(&p->waiters, 1);
	return rc;
}

void
skag_proc_wake(struct skag_tbl *t, int proc)
{
	if (t != NULL && proc_valid(proc))
		procs_wake(t, UINT32_C(1) << proc);
}

int
skag_group_info(struct skag_tbl *t, int16_t group_id, struct skag_member_info *out,
		unsigned int max, unsigned int *nb)
{
	unsigned int m, n = 0;
	int rc;

	if (t == NULL || nb == NULL || (out == NULL && max > 0))
		return -EINVAL;
	rc = tbl_lock(t);
	if (rc != 0)
		return rc;
	if (group_live(t, group_id) == NULL) {
		rc = -ENOENT;
		goto out;
	}
	for (m = 0; m < t->max_members; m++) {
		const struct skag_member *mb = member_get(t, group_id, m);

		if (mb->state != SKAG_LIVE)
			continue;
		if (n < max) {
			memcpy(out[n].domain, mb->domain, SKAG_UUID_LEN);
			out[n].pid = mb->pid;
			out[n].instance = mb->instance;
			out[n].dev_id = mb->dev_id;
			out[n].handler = mb->handler;
			out[n].role = mb->role;
			out[n].want_events = mb->want_events;
		}
		n++;
	}
	*nb = n;
out:
	tbl_unlock(t);
	return rc;
}

int
skag_group_next(struct skag_tbl *t, int16_t prev)
{
	int rc, g;

	if (t == NULL || prev < -1)
		return -EINVAL;
	rc = tbl_lock(t);
	if (rc != 0)
		return rc;
	rc = -1;
	for (g = prev + 1; g < t->max_groups; g++) {
		if (t->groups[g].state == SKAG_LIVE) {
			rc = g;
			break;
		}
	}
	tbl_unlock(t);
	return rc;
}

bool
skag_dev_is_member(struct skag_tbl *t, uint64_t instance, int16_t dev_id, int16_t group_id)
{
	bool ret;

	if (t == NULL || dev_id < 0 || tbl_lock(t) != 0)
		return false;
	ret = group_live(t, group_id) != NULL &&
		member_find_dev(t, group_id, instance, dev_id) >= 0;
	tbl_unlock(t);
	return ret;
}

bool
skag_group_has_pid(struct skag_tbl *t, int16_t group_id, int32_t pid)
{
	bool ret = false;
	unsigned int m;

	if (t == NULL || pid <= 0 || tbl_lock(t) != 0)
		return false;
	for (m = 0; group_live(t, group_id) != NULL && m < t->max_members && !ret; m++) {
		const struct skag_member *mb = member_get(t, group_id, m);

		ret = mb->state == SKAG_LIVE && mb->pid == pid;
	}
	tbl_unlock(t);
	return ret;
}

void
skag_tbl_stats_get(struct skag_tbl *t, struct skag_tbl_stats *s)
{
	unsigned int p;

	if (s == NULL)
		return;
	memset(s, 0, sizeof(*s));
	if (t == NULL || tbl_lock(t) != 0)
		return;
	s->live_groups = t->live_groups;
	s->live_members = t->live_members;
	s->repairs = t->repairs;
	s->max_groups = t->max_groups;
	s->max_members = t->max_members;
	for (p = 0; p < SKAG_MAX_PROCS; p++) {
		if (t->procs[p].state != SKAG_LIVE)
			continue;
		s->procs++;
		s->ev_dropped += t->procs[p].ev_dropped;
	}
	tbl_unlock(t);
}

#ifdef SKAG_TABLE_CRASH_TEST

/* Describe a broken rule in msg and return -EPROTO. */
static int
check_fail(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (msg != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(msg, len, fmt, ap);
		va_end(ap);
	}
	return -EPROTO;
}

/* Live members of group g: roles, handlers, owners, unique devices and domains. */
static int
check_members(struct skag_tbl *t, unsigned int g, uint32_t *nb, char *msg, size_t len)
{
	unsigned int m, i;

	*nb = 0;
	for (m = 0; m < t->max_members; m++) {
		const struct skag_member *mb = member_get(t, g, m);
		const struct skag_proc *sp;

		if (mb->state == SKAG_FREE)
			continue;
		if (mb->state != SKAG_LIVE)
			return check_fail(msg, len, "group %u member %u: state %u outside the lock",
					  g, m, (unsigned int)mb->state);
		if (t->groups[g].state != SKAG_LIVE)
			return check_fail(msg, len, "group %u: free, member %u live", g, m);
		if (mb->role != (m == 0 ? SKAG_ROLE_CREATOR : SKAG_ROLE_JOINER))
			return check_fail(msg, len, "group %u member %u: role %u", g, m, mb->role);
		if (mb->handler == 0 ||
		    t->handler_map[mb->handler] != g * t->max_members + m + 1)
			return check_fail(msg, len, "group %u member %u: handler %u not mapped",
					  g, m, mb->handler);
		if (mb->proc >= SKAG_MAX_PROCS)
			return check_fail(msg, len, "group %u member %u: process slot %u",
					  g, m, mb->proc);
		sp = &t->procs[mb->proc];
		if (sp->state != SKAG_LIVE || sp->pid != mb->pid)
			return check_fail(msg, len, "group %u member %u: process %u gone",
					  g, m, mb->proc);
		for (i = 0; i < m; i++) {
			const struct skag_member *o = member_get(t, g, i);

			if (o->state == SKAG_LIVE && (o->dev_id == mb->dev_id ||
			    memcmp(o->domain, mb->domain, SKAG_UUID_LEN) == 0))
				return check_fail(msg, len,
						  "group %u: %u, %u share a device or domain",
						  g, i, m);
		}
		(*nb)++;
	}
	return 0;
}

/* Groups, members, counts, tokens and the free group id FIFO. */
static int
check_groups(struct skag_tbl *t, char *msg, size_t len)
{
	static const uint8_t zero[SKAG_UUID_LEN];
	bool seen[SKAG_MAX_GROUPS] = { false };
	uint32_t live_groups = 0, live_members = 0, nb_free = 0, nb, i;
	unsigned int g;
	int rc;

	for (g = 0; g < t->max_groups; g++) {
		const struct skag_group *grp = &t->groups[g];

		if (grp->state != SKAG_FREE && grp->state != SKAG_LIVE)
			return check_fail(msg, len, "group %u: state %u outside the lock",
					  g, (unsigned int)grp->state);
		rc = check_members(t, g, &nb, msg, len);
		if (rc != 0)
			return rc;
		if (grp->nb_members != nb)
			return check_fail(msg, len, "group %u: %u members counted, %u live",
					  g, grp->nb_members, nb);
		if (grp->state == SKAG_LIVE) {
			if (member_get(t, g, 0)->state != SKAG_LIVE)
				return check_fail(msg, len, "group %u: no creator", g);
			live_groups++;
		} else {
			if (memcmp(grp->token, zero, SKAG_UUID_LEN) != 0)
				return check_fail(msg, len, "group %u: free, token not wiped", g);
			nb_free++;
		}
		live_members += nb;
	}
	if (t->live_groups != live_groups)
		return check_fail(msg, len, "%u live groups counted, %u live",
				  t->live_groups, live_groups);
	if (t->live_members != live_members)
		return check_fail(msg, len, "%u live members counted, %u live",
				  t->live_members, live_members);

	nb = t->free_tail - t->free_head;
	if (nb != nb_free)
		return check_fail(msg, len, "free group FIFO holds %u ids, %u groups are free",
				  nb, nb_free);
	for (i = 0; i < nb; i++) {
		g = t->free_ids[(t->free_head + i) & SKAG_FREE_FIFO_MASK];
		if (g >= t->max_groups || t->groups[g].state != SKAG_FREE || seen[g])
			return check_fail(msg, len, "free group FIFO: entry %u, id %u bad",
					  i, g);
		seen[g] = true;
	}
	return 0;
}

/* No handler mapped but those of live members (checked one by one before). */
static int
check_handler_map(struct skag_tbl *t, char *msg, size_t len)
{
	static const uint32_t zero[256];
	uint32_t h, i, mapped = 0;

	for (h = 0; h < SKAG_NB_HANDLERS; h += DIM(zero)) {
		if (memcmp(&t->handler_map[h], zero, sizeof(zero)) == 0)
			continue;
		for (i = h; i < h + DIM(zero); i++)
			mapped += t->handler_map[i] != 0;
	}
	if (t->handler_map[0] != 0)
		return check_fail(msg, len, "handler 0 is mapped");
	if (mapped != t->live_members)
		return check_fail(msg, len, "%u handlers mapped, %u live members",
				  mapped, t->live_members);
	return 0;
}

/* Whether event b may follow event a in a mailbox. */
static bool
check_ev_order(const struct skag_event *a, const struct skag_event *b)
{
	return a->seq < b->seq ||
		(a->seq == b->seq && a->group_id == b->group_id && a->member_idx < b->member_idx);
}

/*
 * Mailboxes: the events of one departure are posted in slot order and departures one after
 * the other, so a mailbox is ordered by (seq, member slot): a repeat breaks the order. A
 * recipient still live in the same generation never gets GROUP_DESTROYED (its group would be
 * gone) nor a MEMBER_LEFT carrying its own domain.
 */
static int
check_mailboxes(struct skag_tbl *t, char *msg, size_t len)
{
	unsigned int p;
	uint32_t i;

	for (p = 0; p < SKAG_MAX_PROCS; p++) {
		const struct skag_proc *sp = &t->procs[p];
		const struct skag_event *prev = NULL;

		if (sp->state != SKAG_FREE && sp->state != SKAG_LIVE)
			return check_fail(msg, len, "process slot %u: state %u",
					  p, (unsigned int)sp->state);
		if (sp->state != SKAG_LIVE)
			continue;
		if (sp->pid <= 0)
			return check_fail(msg, len, "process slot %u: pid %d", p, sp->pid);
		if (sp->ev_tail - sp->ev_head > SKAG_EVQ_SIZE)
			return check_fail(msg, len, "process slot %u: %u events queued",
					  p, sp->ev_tail - sp->ev_head);
		for (i = sp->ev_head; i != sp->ev_tail; i++) {
			const struct skag_event *ev = &sp->evq[i % SKAG_EVQ_SIZE];
			const struct skag_member *to;

			if (ev->seq == 0 || ev->seq > t->last_seq ||
			    ev->type > SKAG_EV_GROUP_DESTROYED || ev->group_id < 0 ||
			    ev->group_id >= t->max_groups || ev->member_idx >= t->max_members)
				return check_fail(msg, len, "process slot %u: event %u malformed",
						  p, i);
			if (prev != NULL && !check_ev_order(prev, ev))
				return check_fail(msg, len,
						  "process slot %u: event %u (departure %" PRIu64
						  ") repeated or out of order", p, i, ev->seq);
			to = member_get(t, ev->group_id, ev->member_idx);
			if (to->state == SKAG_LIVE && to->gen == ev->member_gen) {
				if (to->proc != p || to->dev_id != ev->dev_id)
					return check_fail(msg, len, "process %u: event %u: owner",
							  p, i);
				if (ev->type != SKAG_EV_MEMBER_LEFT ||
				    memcmp(ev->domain, to->domain, SKAG_UUID_LEN) == 0)
					return check_fail(msg, len, "process %u: event %u: self",
							  p, i);
			}
			prev = ev;
		}
	}
	return 0;
}

int
skag_tbl_check(struct skag_tbl *t, char *msg, size_t len)
{
	int rc;

	if (t == NULL)
		return -EINVAL;
	rc = tbl_lock(t);
	if (rc != 0)
		return rc;
	rc = check_groups(t, msg, len);
	if (rc == 0)
		rc = check_handler_map(t, msg, len);
	if (rc == 0)
		rc = check_mailboxes(t, msg, len);
	tbl_unlock(t);
	return rc;
}

#endif /* SKAG_TABLE_CRASH_TEST */
