/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#ifdef RTE_EXEC_ENV_WINDOWS

static int
test_dmadev_access_group_storm(void)
{
	printf("dmadev access pair group storm not supported on Windows, skipping\n");
	return TEST_SKIPPED;
}

#else

#include <rte_common.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_random.h>
#include <rte_seqcount.h>
#include <rte_stdatomic.h>
#include <rte_thread.h>
#include <rte_uuid.h>

#include "test_dmadev_access_group.h"

/*
 * Storm: ST_WORKERS secondaries, worker i on dma_skag<i + 1>, create, join, leave and copy at
 * random, each membership with a domain of its own, while the primary SIGKILLs one of them
 * now and then and starts it again. Departures are recorded in shared memory before they
 * happen (a leave by the leaver, a kill by the primary, an exit by the exiting worker), so a
 * worker can tell of every event whether a departure explains it, and of every op whether
 * it succeeded after its end was known gone. Needs --vdev=dma_skag0 to dma_skag4; a small
 * table (max_groups=20 for at most 16 groups) gives a group's id to a new group while members
 * that have not seen GROUP_DESTROYED yet still hold it.
 */

#define ST_CMD			RTE_STR(dmadev_access_group_storm_autotest)
#define ST_MZ			"ag_storm_ctl"
#define ST_TIME_ENV		"DPDK_TEST_DMADEV_AG_STORM_S"
#define ST_TIME_DEFAULT_S	20
#define ST_TIME_MAX_S		60
#define ST_WORKERS		4
#define ST_MEMB			4	/* memberships a worker holds at most */
#define ST_DEPS			65536
#define ST_GROUPS		1024
#define ST_HIST			8192
#define ST_KEEP_NS		(10ull * NS_PER_S)	/* no event comes later than that */
#define ST_LEN			2048
#define ST_CANARY		64
#define ST_CANARY_BYTE		0xc3
#define ST_HANG_MS		5000	/* a worker silent that long hangs */
#define ST_WATCHDOG_S		120	/* after the planned end: killed workers must be gone */

/* The primary kills a worker only outside in_unsafe (a Dekker-like handshake): all seq_cst. */
#define ST_LOAD(p)		rte_atomic_load_explicit(p, rte_memory_order_seq_cst)
#define ST_STORE(p, v)		rte_atomic_store_explicit(p, v, rte_memory_order_seq_cst)

/* A departure, recorded before it happens; done_ns once a leave returned. */
struct st_dep {
	rte_uuid_t domain;
	RTE_ATOMIC(uint64_t) done_ns;
	RTE_ATOMIC(uint32_t) valid;		/* 0: cancelled (the leave failed) */
};

/* A membership of a worker, recorded before the create or join: the primary's kill list. */
struct st_memb {
	RTE_ATOMIC(uint32_t) used;
	int16_t g;
	rte_uuid_t domain;
};

/* What workers publish of a group so that others may join it. */
struct st_board {
	RTE_ATOMIC(uint32_t) live;
	rte_seqcount_t sc;	/* pid, token and creator come from one group */
	int32_t pid;		/* creator's */
	rte_uuid_t token;
	rte_uuid_t creator;
	rte_uuid_t members[ST_WORKERS];
};

struct st_worker {
	int32_t pid;
	RTE_ATOMIC(uint32_t) ready;
	RTE_ATOMIC(uint32_t) failed;
	char msg[192];
	RTE_ATOMIC(uint64_t) heartbeat_ns;
	RTE_ATOMIC(uint32_t) in_unsafe;	/* in the DPDK allocator: not to be killed */
	RTE_ATOMIC(uint32_t) kill_pending;
	struct st_memb memb[ST_MEMB];
	/* Totals over the worker's lives. */
	RTE_ATOMIC(uint64_t) events;
	RTE_ATOMIC(uint64_t) copies;
	RTE_ATOMIC(uint64_t) link_errors;
};

struct st_ctl {
	RTE_ATOMIC(uint32_t) stop;
	uint32_t max_groups;
	RTE_ATOMIC(uint32_t) nb_dep;
	struct st_dep dep[ST_DEPS];
	struct st_worker w[ST_WORKERS];
	struct st_board board[ST_GROUPS];
};

static struct st_ctl *st;

/* --- worker --- */

/* A membership of this life of the worker; kept after it ends, for the event checks. */
struct st_hist {
	bool live;
	bool creator_self;
	int16_t g;
	rte_uuid_t me;
	rte_uuid_t creator;
	uint64_t destroyed_ns;	/* GROUP_DESTROYED received */
	uint64_t ended_ns;	/* left or destroyed */
};

/* A MEMBER_LEFT received. */
struct st_left {
	int16_t g;
	rte_uuid_t domain;
	uint64_t ns;
};

static struct {
	pthread_mutex_t lock;
	unsigned int id;
	int16_t dev;
	struct st_worker *w;
	struct st_hist hist[ST_HIST];
	unsigned int nb_hist;
	struct st_left left[ST_HIST];
	unsigned int nb_left;
	uint8_t *src;
	uint8_t *dst;		/* canary, area, canary */
	int16_t vchan_g;	/* group of the vchan's handlers, -1 if none */
} sw = { .lock = PTHREAD_MUTEX_INITIALIZER, .vchan_g = -1 };

static void __rte_format_printf(1, 2)
st_fail(const char *fmt, ...)
{
	va_list ap;

	if (rte_atomic_exchange_explicit(&sw.w->failed, 1, rte_memory_order_seq_cst) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(sw.w->msg, sizeof(sw.w->msg), fmt, ap);
	va_end(ap);
	printf("storm worker %u (pid %d): %s\n", sw.id, getpid(), sw.w->msg);
}

static struct st_dep *
st_dep_add(const rte_uuid_t domain, uint64_t done_ns)
{
	uint32_t i = rte_atomic_fetch_add_explicit(&st->nb_dep, 1, rte_memory_order_seq_cst);
	struct st_dep *d;

	if (i >= ST_DEPS)
		return NULL;
	d = &st->dep[i];
	rte_uuid_copy(d->domain, domain);
	d->done_ns = done_ns;
	ST_STORE(&d->valid, 1);
	return d;
}

/* The recorded departure of a domain, NULL if none. */
static const struct st_dep *
st_dep_find(const rte_uuid_t domain)
{
	uint32_t n = RTE_MIN(ST_LOAD(&st->nb_dep), (uint32_t)ST_DEPS);
	uint32_t i;

	for (i = 0; i < n; i++)
		if (ST_LOAD(&st->dep[i].valid) &&
		    rte_uuid_compare(st->dep[i].domain, domain) == 0)
			return &st->dep[i];
	return NULL;
}

/* Latest membership of this life in group g, NULL if none. */
static struct st_hist *
st_hist_find(int16_t g)
{
	unsigned int i;

	for (i = sw.nb_hist; i-- > 0; )
		if (sw.hist[i].g == g)
			return &sw.hist[i];
	return NULL;
}

/* Forget what ended long ago: memberships and the departures seen; lock held. */
static void
st_forget(void)
{
	uint64_t old = ag_now_ns() - ST_KEEP_NS;
	unsigned int i, n;

	for (i = 0, n = 0; i < sw.nb_hist; i++)
		if (sw.hist[i].live || sw.hist[i].ended_ns == 0 || sw.hist[i].ended_ns > old)
			sw.hist[n++] = sw.hist[i];
	sw.nb_hist = n;
	for (i = 0, n = 0; i < sw.nb_left; i++)
		if (sw.left[i].ns > old)
			sw.left[n++] = sw.left[i];
	sw.nb_left = n;
}

/* Our membership in group g with domain me, NULL if none. */
static struct st_hist *
st_hist_mine(int16_t g, const rte_uuid_t me)
{
	unsigned int i;

	for (i = sw.nb_hist; i-- > 0; )
		if (sw.hist[i].g == g && rte_uuid_compare(sw.hist[i].me, me) == 0)
			return &sw.hist[i];
	return NULL;
}

/* On the watcher thread: every event must be explained by a departure, and come once. */
static void
st_event_cb(int16_t dev_id, int16_t g, rte_uuid_t domain,
	    enum rte_dma_access_pair_group_event_type type)
{
	const struct st_dep *dep;
	struct st_hist *h;
	unsigned int i;

	pthread_mutex_lock(&sw.lock);
	rte_atomic_fetch_add_explicit(&sw.w->events, 1, rte_memory_order_relaxed);
	h = type == RTE_DMA_GROUP_EVENT_GROUP_DESTROYED ? st_hist_mine(g, domain) :
		st_hist_find(g);
	if (dev_id != sw.dev || h == NULL) {
		st_fail("event %d for group %d on dmadev %d: not a membership of ours", type, g,
			dev_id);
		goto out;
	}
	if (type == RTE_DMA_GROUP_EVENT_GROUP_DESTROYED) {
		if (h->destroyed_ns != 0)
			st_fail("GROUP_DESTROYED of group %d twice", g);
		else if (st_dep_find(h->creator) == NULL)
			st_fail("GROUP_DESTROYED of group %d, its creator did not depart", g);
		h->destroyed_ns = ag_now_ns();
		h->ended_ns = h->destroyed_ns;
		h->live = false;
		goto out;
	}
	if (type != RTE_DMA_GROUP_EVENT_MEMBER_LEFT) {
		st_fail("unknown event %d", type);
		goto out;
	}
	for (i = 0; i < sw.nb_hist; i++) {
		if (rte_uuid_compare(sw.hist[i].me, domain) == 0) {
			st_fail("MEMBER_LEFT about our own departure from group %d", g);
			goto out;
		}
	}
	dep = st_dep_find(domain);
	if (dep == NULL) {
		st_fail("MEMBER_LEFT in group %d of a domain that did not depart", g);
		goto out;
	}
	for (i = 0; i < sw.nb_left; i++) {
		if (sw.left[i].g == g && rte_uuid_compare(sw.left[i].domain, domain) == 0) {
			st_fail("MEMBER_LEFT in group %d twice for one departure", g);
			goto out;
		}
	}
	if (sw.nb_left == ST_HIST)
		st_forget();
	if (sw.nb_left < ST_HIST) {
		sw.left[sw.nb_left].g = g;
		rte_uuid_copy(sw.left[sw.nb_left].domain, domain);
		sw.left[sw.nb_left++].ns = ag_now_ns();
	}
out:
	pthread_mutex_unlock(&sw.lock);
}

/* Enter a section the primary must not kill us in (the DPDK allocator is not robust). */
static void
st_unsafe_enter(void)
{
	ST_STORE(&sw.w->in_unsafe, 1);
	if (ST_LOAD(&sw.w->kill_pending)) {
		ST_STORE(&sw.w->in_unsafe, 0);
		for (;;)
			rte_delay_us_sleep(1000);
	}
}

static void
st_unsafe_leave(void)
{
	ST_STORE(&sw.w->in_unsafe, 0);
}

static struct st_memb *
st_memb_slot(void)
{
	unsigned int i;

	for (i = 0; i < ST_MEMB; i++)
		if (!sw.w->memb[i].used)
			return &sw.w->memb[i];
	return NULL;
}

/* Record a membership about to be made; the primary counts it departed if it kills us. */
static struct st_memb *
st_memb_intent(const rte_uuid_t me)
{
	struct st_memb *m = st_memb_slot();

	if (m == NULL)
		return NULL;
	m->g = -1;
	rte_uuid_copy(m->domain, me);
	ST_STORE(&m->used, 1);
	/* The primary lists our memberships once it decided to kill us: none after that. */
	if (ST_LOAD(&sw.w->kill_pending)) {
		for (;;)
			rte_delay_us_sleep(1000);
	}
	return m;
}

static void
st_hist_add(int16_t g, const rte_uuid_t me, const rte_uuid_t creator, bool creator_self)
{
	struct st_hist *h;

	pthread_mutex_lock(&sw.lock);
	if (sw.nb_hist == ST_HIST || sw.nb_left == ST_HIST)
		st_forget();
	if (sw.nb_hist == ST_HIST) {
		st_fail("membership history full");
	} else {
		h = &sw.hist[sw.nb_hist++];
		memset(h, 0, sizeof(*h));
		h->live = true;
		h->creator_self = creator_self;
		h->g = g;
		rte_uuid_copy(h->me, me);
		rte_uuid_copy(h->creator, creator);
	}
	pthread_mutex_unlock(&sw.lock);
}

static void
st_create(void)
{
	struct st_board *b;
	rte_uuid_t me, tok;
	struct st_memb *m;
	int16_t g;
	int ret;

	ag_uuid_random(me);
	ag_uuid_random(tok);
	m = st_memb_intent(me);
	if (m == NULL)
		return;
	ret = rte_dma_access_pair_group_create(sw.dev, me, tok, &g, st_event_cb);
	if (ret != 0) {
		if (ret != -ENOSPC)
			st_fail("create: %d", ret);
		ST_STORE(&m->used, 0);
		return;
	}
	m->g = g;
	st_hist_add(g, me, me, true);
	b = &st->board[g];
	ST_STORE(&b->live, 0);
	memset(b->members, 0, sizeof(b->members));
	/* Not killed inside: a write left half done would stay odd for the next creator. */
	st_unsafe_enter();
	rte_seqcount_write_begin(&b->sc);
	rte_uuid_copy(b->token, tok);
	rte_uuid_copy(b->creator, me);
	b->pid = getpid();
	rte_seqcount_write_end(&b->sc);
	st_unsafe_leave();
	rte_uuid_copy(b->members[sw.id], me);
	ST_STORE(&b->live, 1);
}

/* Whether a membership of ours in group g may still be live (its end not seen yet). */
static bool
st_member_of(int16_t g)
{
	unsigned int i;
	bool ret = false;

	pthread_mutex_lock(&sw.lock);
	for (i = 0; i < sw.nb_hist && !ret; i++)
		ret = sw.hist[i].live && sw.hist[i].g == g;
	pthread_mutex_unlock(&sw.lock);
	return ret;
}

static void
st_join(uint16_t max_groups)
{
	int16_t g = rte_rand_max(max_groups);
	struct st_board *b = &st->board[g];
	rte_uuid_t me, tok, creator;
	uint32_t sn = rte_seqcount_read_begin(&b->sc);
	struct st_memb *m;
	int ret;

	if (!ST_LOAD(&b->live) || b->pid == getpid() ||
	    st_member_of(g))
		return;
	rte_uuid_copy(tok, b->token);
	rte_uuid_copy(creator, b->creator);
	/* A new group with this id being published: a token of one and creator of another. */
	if (rte_seqcount_read_retry(&b->sc, sn))
		return;
	ag_uuid_random(me);
	m = st_memb_intent(me);
	if (m == NULL)
		return;
	ret = rte_dma_access_pair_group_join(sw.dev, me, tok, g, st_event_cb);
	if (ret != 0) {
		/* The board may be stale: the group ended, its id went to another group, full. */
		if (ret != -ENOENT && ret != -EACCES && ret != -ENOSPC)
			st_fail("join of group %d: %d", g, ret);
		ST_STORE(&m->used, 0);
		return;
	}
	m->g = g;
	st_hist_add(g, me, creator, false);
	rte_uuid_copy(b->members[sw.id], me);
}

/*
 * A live membership at random, copied out; false if none. A membership is known by its group
 * and domain: once GROUP_DESTROYED ended it, its group id may name another group.
 */
static bool
st_pick(struct st_hist *out, struct st_memb **slot)
{
	unsigned int i, n = 0, k;

	for (i = 0; i < ST_MEMB; i++)
		n += sw.w->memb[i].used && sw.w->memb[i].g >= 0;
	if (n == 0)
		return false;
	k = rte_rand_max(n);
	for (i = 0; i < ST_MEMB; i++) {
		struct st_memb *m = &sw.w->memb[i];
		struct st_hist *h;
		bool live;

		if (!m->used || m->g < 0 || k-- != 0)
			continue;
		pthread_mutex_lock(&sw.lock);
		h = st_hist_mine(m->g, m->domain);
		live = h != NULL && h->live;
		if (live)
			*out = *h;
		pthread_mutex_unlock(&sw.lock);
		/* Ended by its creator's departure: nothing left to leave or copy in. */
		if (!live)
			ST_STORE(&m->used, 0);
		*slot = m;
		return live;
	}
	return false;
}

static void
st_drop(struct st_memb *m)
{
	rte_uuid_t *board = &st->board[m->g].members[sw.id];
	struct st_hist *h;

	pthread_mutex_lock(&sw.lock);
	h = st_hist_mine(m->g, m->domain);
	if (h != NULL && h->live) {
		h->live = false;
		h->ended_ns = ag_now_ns();
	}
	pthread_mutex_unlock(&sw.lock);
	if (rte_uuid_compare(*board, m->domain) == 0)
		memset(*board, 0, sizeof(*board));
	ST_STORE(&m->used, 0);
}

static void
st_reset_dst(void)
{
	memset(sw.dst, ST_CANARY_BYTE, ST_LEN + 2 * ST_CANARY);
}

/* An op on a vchan whose right is gone: a link error, nothing written. */
static void
st_expect_revoked(const char *why)
{
	enum rte_dma_status_code st_code;
	int ret;

	st_reset_dst();
	ret = ag_copy(sw.dev, sw.src, sw.dst + ST_CANARY, ST_LEN, &st_code);
	if (ret != 0 || st_code != RTE_DMA_STATUS_DEV_LINK_ERROR)
		st_fail("copy %s: %d status %d, expected DEV_LINK_ERROR", why, ret, st_code);
	else if (!ag_all_bytes(sw.dst, ST_LEN + 2 * ST_CANARY, ST_CANARY_BYTE))
		st_fail("copy %s wrote", why);
	rte_atomic_fetch_add_explicit(&sw.w->link_errors, 1, rte_memory_order_relaxed);
}

static void
st_leave(void)
{
	struct st_memb *m;
	struct st_hist h;
	struct st_dep *dep;
	int ret;

	if (!st_pick(&h, &m))
		return;
	/*
	 * A leave names the group by its id, which the group's end frees for another group:
	 * wait for GROUP_DESTROYED once the creator is known to go. Departures are recorded
	 * before they happen, so a group can end after this check only by a departure our
	 * leave races with.
	 */
	if (!h.creator_self && st_dep_find(h.creator) != NULL)
		return;
	dep = st_dep_add(h.me, 0);
	if (dep == NULL) {
		st_fail("departure log full");
		return;
	}
	ret = rte_dma_access_pair_group_leave(sw.dev, h.g);
	if (ret == 0) {
		ST_STORE(&dep->done_ns, ag_now_ns());
		if (h.creator_self)
			ST_STORE(&st->board[h.g].live, 0);
		st_drop(m);
		if (sw.vchan_g == h.g)
			st_expect_revoked("after our own leave");
		sw.vchan_g = -1;
		return;
	}
	ST_STORE(&dep->valid, 0);
	if ((ret == -ENOENT || ret == -EPERM) && !h.creator_self &&
	    st_dep_find(h.creator) != NULL) {
		/* Ended meanwhile, its id unused or given to a group we are not in. */
		st_drop(m);
	} else if (ret != -EBUSY || !h.creator_self) {
		st_fail("leave of group %d: %d", h.g, ret);
	}
}

/* Whether the departure of domain in group g was known before t. */
static bool
st_known_gone(int16_t g, const rte_uuid_t domain, uint64_t t)
{
	const struct st_dep *dep = st_dep_find(domain);
	uint64_t done = dep != NULL ? ST_LOAD(&dep->done_ns) : 0;
	bool known = done != 0 && done < t;
	unsigned int i;

	pthread_mutex_lock(&sw.lock);
	for (i = 0; !known && i < sw.nb_left; i++)
		known = sw.left[i].g == g && sw.left[i].ns < t &&
			rte_uuid_compare(sw.left[i].domain, domain) == 0;
	pthread_mutex_unlock(&sw.lock);
	return known;
}

/* Whether our membership got GROUP_DESTROYED before t. */
static bool
st_destroyed_before(int16_t g, const rte_uuid_t me, uint64_t t)
{
	struct st_hist *h;
	bool ret;

	pthread_mutex_lock(&sw.lock);
	h = st_hist_mine(g, me);
	ret = h != NULL && h->destroyed_ns != 0 && h->destroyed_ns < t;
	pthread_mutex_unlock(&sw.lock);
	return ret;
}

/* A copy on a vchan from our handler to another member's, into our own buffer. */
static void
st_copy(void)
{
	enum rte_dma_status_code code;
	const struct st_board *b;
	uint16_t h_me, h_peer;
	rte_uuid_t peer;
	struct st_memb *m;
	struct st_hist h;
	uint64_t t;
	uint8_t seed;
	int ret, j;

	if (!st_pick(&h, &m))
		return;
	b = &st->board[h.g];
	j = rte_rand_max(ST_WORKERS);
	rte_uuid_copy(peer, j == (int)sw.id ? b->creator : b->members[j]);
	if (rte_uuid_is_null(peer) || rte_uuid_compare(peer, h.me) == 0 ||
	    rte_dma_access_pair_group_handler_get(sw.dev, h.g, h.me, &h_me) != 0 ||
	    rte_dma_access_pair_group_handler_get(sw.dev, h.g, peer, &h_peer) != 0)
		return;
	st_unsafe_enter();
	ret = ag_dev_setup(sw.dev, h_me, h_peer);
	st_unsafe_leave();
	if (ret != 0) {
		sw.vchan_g = -1;
		if (ret != -EPERM)
			st_fail("vchan setup in group %d: %d", h.g, ret);
		return;
	}
	sw.vchan_g = h.g;
	seed = (uint8_t)rte_rand();
	ag_pattern(sw.src, ST_LEN, seed);
	st_reset_dst();
	t = ag_now_ns();
	ret = ag_copy(sw.dev, sw.src, sw.dst + ST_CANARY, ST_LEN, &code);
	if (ret != 0) {
		st_fail("copy in group %d: %d", h.g, ret);
	} else if (code == RTE_DMA_STATUS_SUCCESSFUL) {
		if (!ag_all_bytes(sw.dst, ST_CANARY, ST_CANARY_BYTE) ||
		    !ag_all_bytes(sw.dst + ST_CANARY + ST_LEN, ST_CANARY, ST_CANARY_BYTE) ||
		    ag_pattern_check(sw.dst + ST_CANARY, ST_LEN, seed) != 0)
			st_fail("copy in group %d: data or canaries wrong", h.g);
		else if (st_known_gone(h.g, peer, t))
			st_fail("copy in group %d succeeded after its peer was known gone", h.g);
		else if (st_destroyed_before(h.g, h.me, t))
			st_fail("copy in group %d succeeded after the group ended", h.g);
		rte_atomic_fetch_add_explicit(&sw.w->copies, 1, rte_memory_order_relaxed);
	} else if (code == RTE_DMA_STATUS_DEV_LINK_ERROR) {
		if (!ag_all_bytes(sw.dst, ST_LEN + 2 * ST_CANARY, ST_CANARY_BYTE))
			st_fail("failed copy in group %d wrote", h.g);
		else if (st_dep_find(peer) == NULL && st_dep_find(h.creator) == NULL)
			st_fail("link error in group %d without a departure", h.g);
		rte_atomic_fetch_add_explicit(&sw.w->link_errors, 1, rte_memory_order_relaxed);
	} else {
		st_fail("copy in group %d: status %d", h.g, code);
	}
}

static int
st_worker_run(unsigned int id)
{
	char name[32];
	const struct rte_memzone *mz;
	uint16_t max_groups;
	unsigned int i;

	mz = rte_memzone_lookup(ST_MZ);
	if (mz == NULL)
		return TEST_FAILED;
	st = mz->addr;
	sw.id = id;
	sw.w = &st->w[id];
	snprintf(name, sizeof(name), "dma_skag%u", id + 1);
	sw.dev = rte_dma_get_dev_id_by_name(name);
	max_groups = st->max_groups;
	sw.src = rte_malloc("st_src", ST_LEN, 0);
	sw.dst = rte_malloc("st_dst", ST_LEN + 2 * ST_CANARY, 0);
	if (sw.dev < 0 || sw.src == NULL || sw.dst == NULL) {
		st_fail("no device %s or no memory", name);
		return TEST_FAILED;
	}
	ST_STORE(&sw.w->heartbeat_ns, ag_now_ns());
	ST_STORE(&sw.w->ready, 1);

	while (!ST_LOAD(&st->stop) &&
	       !ST_LOAD(&sw.w->failed)) {
		ST_STORE(&sw.w->heartbeat_ns, ag_now_ns());
		switch (rte_rand_max(8)) {
		case 0:
			st_create();
			break;
		case 1:
		case 2:
			st_join(max_groups);
			break;
		case 3:
			st_leave();
			break;
		default:
			st_copy();
			break;
		}
		rte_delay_us_sleep(200 + rte_rand_max(1800));
	}
	/* Our exit ends our memberships: recorded first, as any departure. */
	for (i = 0; i < ST_MEMB; i++)
		if (sw.w->memb[i].used)
			st_dep_add(sw.w->memb[i].domain, ag_now_ns());
	rte_dma_stop(sw.dev);
	return ST_LOAD(&sw.w->failed) ? TEST_FAILED : TEST_SUCCESS;
}

/* --- primary --- */

static struct ag_child st_child[ST_WORKERS];
/* Killed workers not reaped yet: the kernel may take seconds to end a killed process. */
#define ST_DEAD			256
static struct {
	struct ag_child c;
	uint64_t kill_ns;
} st_dead[ST_DEAD];
static unsigned int st_nb_dead;
static pid_t st_zombies[ST_DEAD];	/* killed workers that died, not reaped yet */
static unsigned int st_nb_zombies;
static uint64_t st_exit_max_ns;
static RTE_ATOMIC(bool) st_done;
static const char *volatile st_phase = "start";	/* for the watchdog */

/* Print the threads of a process with their kernel stacks: where a hang waits. */
static void
st_dump_tasks(pid_t pid)
{
	char path[PATH_MAX], line[256];
	struct dirent *e;
	DIR *d;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid,
			     e->d_name) >= (int)sizeof(path))
			continue;
		f = fopen(path, "r");
		if (f != NULL && fgets(line, sizeof(line), f) != NULL)
			printf("storm: task %s", line);
		if (f != NULL)
			fclose(f);
		if (snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", (int)pid,
			     e->d_name) >= (int)sizeof(path))
			continue;
		f = fopen(path, "r");
		while (f != NULL && fgets(line, sizeof(line), f) != NULL)
			printf("storm:   %s", line);
		if (f != NULL)
			fclose(f);
	}
	closedir(d);
}

static uint32_t
st_watchdog(void *arg)
{
	uint64_t deadline = *(uint64_t *)arg;
	unsigned int i;

	while (!rte_atomic_load_explicit(&st_done, rte_memory_order_acquire)) {
		if (ag_now_ns() > deadline) {
			printf("storm: watchdog: the test hangs in %s, failing it\n", st_phase);
			st_dump_tasks(getpid());
			for (i = 0; i < ST_WORKERS; i++)
				if (st_child[i].pid > 0)
					st_dump_tasks(st_child[i].pid);
			for (i = 0; i < st_nb_dead; i++)
				st_dump_tasks(st_dead[i].c.pid);
			for (i = 0; i < ST_WORKERS; i++)
				if (st_child[i].pid > 0)
					kill(st_child[i].pid, SIGKILL);
			fflush(stdout);
			_exit(EXIT_FAILURE);
		}
		rte_delay_us_sleep(100 * 1000);
	}
	return 0;
}

static int
st_start(unsigned int i)
{
	char role[16];
	struct st_worker *w = &st->w[i];
	uint64_t deadline = ag_now_ns() + ag_ms_to_ns(AG_STEP_TIMEOUT_MS);

	w->pid = 0;
	w->ready = 0;
	w->in_unsafe = 0;
	w->kill_pending = 0;
	memset(w->memb, 0, sizeof(w->memb));
	snprintf(role, sizeof(role), "%u", i);
	TEST_ASSERT_SUCCESS(ag_spawn_role(&st_child[i], ST_CMD, role), "cannot start worker %u", i);
	while (!ST_LOAD(&w->ready)) {
		TEST_ASSERT(!ag_child_gone(&st_child[i]) && !w->failed,
			    "worker %u ended at start: %s", i, w->msg);
		TEST_ASSERT(ag_now_ns() < deadline, "worker %u does not start", i);
		rte_delay_us_sleep(1000);
	}
	return TEST_SUCCESS;
}

/* Kill worker i at a point where it holds no DPDK allocator lock; its departures first. */
static int
st_kill(unsigned int i)
{
	struct st_worker *w = &st->w[i];
	uint64_t deadline = ag_now_ns() + ag_ms_to_ns(ST_HANG_MS);
	unsigned int k;
	int16_t g;

	ST_STORE(&w->kill_pending, 1);
	while (ST_LOAD(&w->in_unsafe))
		TEST_ASSERT(ag_now_ns() < deadline, "worker %u stuck in a vchan setup", i);
	for (k = 0; k < ST_MEMB; k++)
		if (ST_LOAD(&w->memb[k].used))
			TEST_ASSERT_NOT_NULL(st_dep_add(w->memb[k].domain, 0), "log full");
	TEST_ASSERT(st_nb_dead < ST_DEAD, "too many killed workers to follow");
	kill(st_child[i].pid, SIGKILL);
	st_dead[st_nb_dead].c = st_child[i];
	st_dead[st_nb_dead++].kill_ns = ag_now_ns();
	for (g = 0; g < ST_GROUPS; g++) {
		memset(st->board[g].members[i], 0, sizeof(rte_uuid_t));
		if (st->board[g].pid == st_child[i].pid)
			ST_STORE(&st->board[g].live, 0);
	}
	return TEST_SUCCESS;
}

/*
 * Check the killed workers that ended: each must have died of the SIGKILL. They are left
 * zombies until the teardown: reaping one can keep the reaper for minutes in the kernel's
 * /proc dentry invalidation (seen on Linux 6.18 with several processes exiting at once),
 * which the storm must not mistake for a hang of the driver.
 */
static int
st_reap(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < st_nb_dead; i++) {
		pid_t pid = st_dead[i].c.pid;
		siginfo_t si = { .si_pid = 0 };

		if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid == 0) {
			st_dead[n++] = st_dead[i];
			continue;
		}
		TEST_ASSERT(si.si_code == CLD_KILLED && si.si_status == SIGKILL,
			    "killed worker %d ended with code %d status %d", pid, si.si_code,
			    si.si_status);
		TEST_ASSERT(st_nb_zombies < ST_DEAD, "too many killed workers to keep");
		st_zombies[st_nb_zombies++] = pid;
		st_exit_max_ns = RTE_MAX(st_exit_max_ns, ag_now_ns() - st_dead[i].kill_ns);
	}
	st_nb_dead = n;
	return TEST_SUCCESS;
}

static int
st_check_workers(void)
{
	uint64_t now = ag_now_ns();
	unsigned int i;

	TEST_ASSERT_SUCCESS(st_reap(), "reap");
	for (i = 0; i < ST_WORKERS; i++) {
		struct st_worker *w = &st->w[i];

		TEST_ASSERT(!w->failed, "worker %u: %s", i, w->msg);
		TEST_ASSERT(!ag_child_gone(&st_child[i]), "worker %u exited (status 0x%x)", i,
			    st_child[i].status);
		TEST_ASSERT(now < ST_LOAD(&w->heartbeat_ns) +
			    ag_ms_to_ns(ST_HANG_MS), "worker %u hangs", i);
	}
	return TEST_SUCCESS;
}

/* A counter of /dmadev/skeleton_ag/table, -1 if unknown. */
static int
st_table(const char *key)
{
	char reply[1024];
	int v;

	if (ag_telemetry("/dmadev/skeleton_ag/table", reply, sizeof(reply)) != 0 ||
	    ag_tel_int(reply, key, &v) != 0)
		return -1;
	return v;
}

static int
st_storm(void)
{
	static int16_t groups[ST_GROUPS];
	const char *env = getenv(ST_TIME_ENV);
	uint64_t seconds = env != NULL ? strtoull(env, NULL, 10) : ST_TIME_DEFAULT_S;
	static uint64_t deadline;
	uint64_t end, events = 0, copies = 0, link_errors = 0;
	unsigned int i, kills = 0, nb_dep, n;
	int max_groups, live = -1;
	rte_uuid_t dom, tok;
	rte_thread_t wd;
	int ret;

	seconds = RTE_MAX(RTE_MIN(seconds, (uint64_t)ST_TIME_MAX_S), 1ul);
	end = ag_now_ns() + seconds * NS_PER_S;
	deadline = end + (uint64_t)ST_WATCHDOG_S * NS_PER_S;
	TEST_ASSERT_SUCCESS(rte_thread_create(&wd, NULL, st_watchdog, &deadline), "watchdog");
	rte_thread_detach(wd);
	max_groups = st_table("max_groups");
	TEST_ASSERT(max_groups > 0 && max_groups <= ST_GROUPS, "table size %d", max_groups);
	st->max_groups = max_groups;
	printf("storm: %u workers for %" PRIu64 " s (%s)\n", ST_WORKERS, seconds, ST_TIME_ENV);
	for (i = 0; i < ST_WORKERS; i++)
		TEST_ASSERT_SUCCESS(st_start(i), "start");

	while (ag_now_ns() < end) {
		uint64_t pause = ag_now_ns() + ag_ms_to_ns(100 + rte_rand_max(300));

		st_phase = "checks";
		while (ag_now_ns() < pause) {
			TEST_ASSERT_SUCCESS(st_check_workers(), "storm");
			rte_delay_us_sleep(5000);
		}
		st_phase = "kill";
		i = rte_rand_max(ST_WORKERS);
		TEST_ASSERT_SUCCESS(st_kill(i), "kill");
		kills++;
		st_phase = "restart";
		TEST_ASSERT_SUCCESS(st_start(i), "restart");
	}
	TEST_ASSERT_SUCCESS(st_check_workers(), "storm");
	st_phase = "end";
	ST_STORE(&st->stop, 1);
	for (i = 0; i < ST_WORKERS; i++) {
		ret = ag_child_end(&st_child[i], false);
		TEST_ASSERT(ret == 0 && !st->w[i].failed, "worker %u: %s", i, st->w[i].msg);
	}
	st_phase = "reap";
	while (st_nb_dead > 0) {
		TEST_ASSERT_SUCCESS(st_reap(), "reap");
		rte_delay_us_sleep(10000);
	}

	/* Every process but this one is gone: so are all groups. */
	for (n = 0; n < 100 && live != 0; n++) {
		live = st_table("live_groups");
		rte_delay_us_sleep(10000);
	}
	TEST_ASSERT_EQUAL(live, 0, "%d groups left after the storm", live);
	TEST_ASSERT_EQUAL(st_table("live_members"), 0, "members left after the storm");
	TEST_ASSERT_EQUAL(st_table("processes"), 1, "processes left after the storm");
	TEST_ASSERT_EQUAL(st_table("events_dropped"), 0, "events dropped");
	/* No slot leaked: the whole table can be created again. */
	ag_uuid_random(dom);
	ag_uuid_random(tok);
	for (n = 0; n < (unsigned int)max_groups; n++) {
		ret = rte_dma_access_pair_group_create(0, dom, tok, &groups[n], NULL);
		if (ret != 0)
			break;
	}
	live = st_table("live_groups");
	for (i = 0; i < n; i++)
		rte_dma_access_pair_group_destroy(0, groups[i]);
	TEST_ASSERT_EQUAL(n, (unsigned int)max_groups, "only %u of %d groups created: %d", n,
			  max_groups, ret);
	TEST_ASSERT_EQUAL(live, max_groups, "live_groups %d with a full table", live);
	TEST_ASSERT_EQUAL(st_table("live_groups"), 0, "groups left");

	nb_dep = RTE_MIN(st->nb_dep, (uint32_t)ST_DEPS);
	for (i = 0; i < ST_WORKERS; i++) {
		events += st->w[i].events;
		copies += st->w[i].copies;
		link_errors += st->w[i].link_errors;
	}
	printf("storm: %u kills, %u departures, %" PRIu64 " events checked, %" PRIu64
	       " copies verified, %" PRIu64 " link errors checked, %d repairs, "
	       "slowest exit after SIGKILL %.1f s\n", kills, nb_dep, events, copies, link_errors,
	       st_table("repairs"), (double)st_exit_max_ns / NS_PER_S);
	TEST_ASSERT(kills > 0 && events > 0 && copies > 0, "the storm did too little");
	return TEST_SUCCESS;
}

static int
st_setup(void)
{
	const struct rte_memzone *mz;
	unsigned int i;

	if (!rte_eal_has_hugepages()) {
		printf("the storm needs hugepages and shared memory\n");
		return TEST_FAILED;
	}
	for (i = 0; i <= ST_WORKERS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "dma_skag%u", i);
		if (rte_dma_get_dev_id_by_name(name) != (int)i) {
			printf("skipped: needs --vdev=dma_skag0 to --vdev=dma_skag%u, in order\n",
			       ST_WORKERS);
			return TEST_SKIPPED;
		}
	}
	mz = rte_memzone_lookup(ST_MZ);
	if (mz == NULL)
		mz = rte_memzone_reserve(ST_MZ, sizeof(*st), SOCKET_ID_ANY, 0);
	if (mz == NULL) {
		printf("cannot reserve memzone %s\n", ST_MZ);
		return TEST_FAILED;
	}
	st = mz->addr;
	memset(st, 0, sizeof(*st));
	for (i = 0; i < ST_WORKERS; i++)
		st_child[i].pid = -1;
	return TEST_SUCCESS;
}

static void
st_teardown(void)
{
	unsigned int i;

	rte_atomic_store_explicit(&st_done, true, rte_memory_order_release);
	for (i = 0; i < st_nb_dead; i++)
		ag_child_kill(&st_dead[i].c);
	st_nb_dead = 0;
	for (i = 0; i < st_nb_zombies; i++)
		waitpid(st_zombies[i], NULL, 0);
	st_nb_zombies = 0;
	for (i = 0; i < ST_WORKERS; i++) {
		ag_child_kill(&st_child[i]);
		/* Started by a worker that was killed. */
		rte_dma_stop(i + 1);
	}
}

static struct unit_test_suite st_suite = {
	.suite_name = "dmadev access pair group storm",
	.setup = NULL,
	.teardown = NULL,
	.unit_test_cases = {
		TEST_CASE_ST(st_setup, st_teardown, st_storm),
		TEST_CASES_END()
	}
};

static int
test_dmadev_access_group_storm(void)
{
	const char *role = getenv(AG_ROLE_ENV);

	if (rte_eal_process_type() == RTE_PROC_SECONDARY) {
		if (role == NULL || atoi(role) < 0 || atoi(role) >= ST_WORKERS) {
			printf("storm secondary without a worker number\n");
			return TEST_FAILED;
		}
		return st_worker_run(atoi(role));
	}
	return unit_test_suite_runner(&st_suite);
}

#endif /* !RTE_EXEC_ENV_WINDOWS */

REGISTER_DRIVER_TEST(dmadev_access_group_storm_autotest, test_dmadev_access_group_storm);
