/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

/*
 * Fuzzing harness of the skeleton_ag group table: a libFuzzer entry point, also run on stored
 * inputs without libFuzzer by replay.c.
 *
 * An input gives a table size, then a sequence of operations on one table: attach, detach,
 * process death, reap, create, join, leave, destroy, handler_get, device close, link resolve
 * and revalidation, event pops, repair, queries, and crashes: an operation run with a crash
 * point armed. Each process of the table is a thread here: it attaches a slot, which keeps the
 * slot's robust "alive" mutex locked, and dies by exiting without detaching. A crash makes the
 * thread exit at its crash point, holding the table lock, as a process killed there would; the
 * crash may be followed by crashes of other processes in the repair the next locker runs.
 *
 * After every operation the table's own rules are checked (skag_tbl_check()) and every result
 * is compared with a model of the table kept here: return codes, group ids (free id FIFO),
 * member slots, the members of groups, handlers, links, counters and each event of each
 * mailbox, in order. A departure interrupted by a crash must end up done exactly once or, if
 * it had not started, not at all (observed through the table's API once it is repaired). At
 * the end of an input every mailbox is drained, so that every member that wants events got
 * exactly one event per departure it saw. Any difference aborts.
 *
 * Set SKAG_FUZZ_TRACE=1 to print the operations of an input as they run.
 */

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skeleton_ag_table.h"

#define FZ_MAX_GROUPS	8	/* table sizes fuzzed: 1..8 groups of 2..8 members */
#define FZ_MAX_MEMBERS	8
#define NB_DEVS		6	/* device ids used by the operations */
#define NB_DOMAINS	8	/* domain ids used by the operations */
#define NB_TOKENS	4
#define CHURN_DEV	NB_DEVS	/* device and domain of the joiners that churn */
#define CHURN_DOM	NB_DOMAINS
#define MAX_LINKS	8
#define NB_SEEN		16	/* handlers remembered, live or not, for link resolves */
#define PID_BASE	1000
/* Departures of every member, then one slot free per process. */
#define MAX_ACTIONS	(FZ_MAX_GROUPS * FZ_MAX_MEMBERS + SKAG_MAX_PROCS)
#define DIM(a)		(sizeof(a) / sizeof((a)[0]))

enum id_kind { DOMAIN = 0xd0, TOKEN = 0x70 };

/* ---- model ---- */

struct m_member {
	bool live;
	uint8_t proc;
	int16_t dev;
	uint8_t dom;
	bool want;
	uint16_t handler;	/* 0 until read from the table */
	uint32_t gen;		/* generation while live, from the member reference */
	uint32_t id;		/* incarnation, names the member in links */
};

struct m_group {
	bool live;
	uint8_t tok;
	struct m_member mb[FZ_MAX_MEMBERS];
};

struct m_event {
	uint64_t seq;
	int16_t dev_id;
	int16_t group_id;
	uint16_t member_idx;
	uint32_t member_gen;
	uint8_t dom;
	uint8_t type;
};

/* A process slot: free, attached by a live thread, or attached by a thread gone (dead). */
enum p_state { P_FREE, P_ALIVE, P_DEAD };

struct worker;

struct m_proc {
	enum p_state st;
	int32_t pid;
	struct worker *w;	/* P_ALIVE: its thread */
	uint32_t head;
	uint32_t tail;
	uint32_t dropped;
	struct m_event q[SKAG_EVQ_SIZE];
};

struct m_link {
	struct skag_link l;
	uint32_t id[3];		/* src, dst, self */
};

static struct {
	struct skag_tbl *t;
	uint16_t max_groups;
	uint16_t max_members;
	struct m_group grp[FZ_MAX_GROUPS];
	struct m_proc proc[SKAG_MAX_PROCS];
	uint16_t fifo[FZ_MAX_GROUPS];	/* free group ids, oldest freed first */
	unsigned int fifo_nb;
	uint64_t last_seq;
	uint32_t repairs;
	uint32_t next_id;
	int32_t next_pid;
	struct m_link links[MAX_LINKS];
	unsigned int nb_links;
	uint16_t seen[NB_SEEN];
	unsigned int nb_seen;
} M;

static void *tbl_mem;
static size_t tbl_mem_len;
static unsigned int step;
static bool tracing;

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_skeleton_ag_table: step %u: ", step);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define EXPECT(cond, ...) do { \
	if (!(cond)) \
		fail(__VA_ARGS__); \
} while (0)

static void __attribute__((format(printf, 1, 2)))
trace(const char *fmt, ...)
{
	va_list ap;

	if (!tracing)
		return;
	fprintf(stderr, "[%u] ", step);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
id_make(uint8_t id[SKAG_UUID_LEN], enum id_kind kind, uint8_t n)
{
	memset(id, kind, SKAG_UUID_LEN);
	id[0] = n;
}

/* ---- input ---- */

struct input {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

static uint8_t
in_byte(struct input *in)
{
	return in->pos < in->len ? in->p[in->pos++] : 0;
}

/* ---- processes as threads ---- */

enum op_kind {
	OP_ATTACH,
	OP_DETACH,
	OP_DIE,
	OP_REAP,
	OP_CREATE,
	OP_JOIN,
	OP_LEAVE,
	OP_DESTROY,
	OP_HANDLER_GET,
	OP_DEV_REMOVE,
	OP_LINK_RESOLVE,
	OP_LINK_CHECK,
	OP_POP,
	OP_REPAIR,
	OP_QUERY,
	OP_CHURN,
	OP_CRASH,
	OP_STATS,	/* only run by crashes: any locking operation */
	NB_OPS = OP_STATS,
};

static const char * const op_names[] = {
	"attach", "detach", "die", "reap", "create", "join", "leave", "destroy", "handler_get",
	"dev_remove", "link_resolve", "link_check", "pop", "repair", "query", "churn", "crash",
	"stats",
};

static const char * const cp_names[] = {
	[SKAG_CP_CREATE] = "CREATE", [SKAG_CP_JOIN] = "JOIN", [SKAG_CP_END_START] = "END_START",
	[SKAG_CP_POSTED] = "POSTED", [SKAG_CP_STEP] = "STEP", [SKAG_CP_END_DONE] = "END_DONE",
};

/* An operation on the table with its arguments and results. */
struct op {
	enum op_kind kind;
	int proc;
	int16_t dev;
	int16_t gid;
	uint8_t dom;
	uint8_t tok;
	bool want;
	uint16_t src;
	uint16_t dst;
	int rc;
	int16_t new_gid;
	struct skag_member_ref self;
	uint16_t handler;
	struct skag_link link;
	struct skag_tbl_stats st;
};

enum w_cmd { W_ATTACH, W_RUN, W_DETACH, W_DIE };

struct worker {
	pthread_t th;
	sem_t go;
	sem_t done;
	enum w_cmd cmd;
	int32_t pid;
	int slot;		/* W_ATTACH: attached slot or negative errno */
	struct op *op;		/* W_RUN: operation to run */
	int countdown;		/* W_RUN: crash at this crash point reached, 0 never */
	bool crashed;
	enum skag_crash_point cp;
};

/* Worker of this thread while it runs an operation with a crash point armed. */
static _Thread_local struct worker *armed;

/* Crash: the thread exits here, holding the table lock (and its slot's alive mutex). */
static void
crash_hook(enum skag_crash_point cp)
{
	struct worker *w = armed;

	if (w == NULL || --w->countdown > 0)
		return;
	w->crashed = true;
	w->cp = cp;
	sem_post(&w->done);
	pthread_exit(NULL);
}

/* The pid that attached slot proc, as the model has it: ops come from that process. */
static int32_t
proc_pid(int proc)
{
	return proc >= 0 && proc < SKAG_MAX_PROCS ? M.proc[proc].pid : 0;
}

static void
op_exec(struct op *o)
{
	uint8_t d[SKAG_UUID_LEN], k[SKAG_UUID_LEN];

	id_make(d, DOMAIN, o->dom);
	id_make(k, TOKEN, o->tok);
	o->rc = 0;
	switch (o->kind) {
	case OP_CREATE:
		o->rc = skag_group_create(M.t, o->proc, proc_pid(o->proc), 0, o->dev, d, k, o->want,
					  &o->new_gid, &o->self);
		break;
	case OP_JOIN:
		o->rc = skag_group_join(M.t, o->proc, proc_pid(o->proc), 0, o->dev, d, k, o->gid,
					o->want, &o->self);
		break;
	case OP_LEAVE:
		o->rc = skag_group_leave(M.t, 0, o->dev, o->gid);
		break;
	case OP_DESTROY:
		o->rc = skag_group_destroy(M.t, 0, o->dev, o->gid);
		break;
	case OP_HANDLER_GET:
		o->rc = skag_handler_get(M.t, 0, o->dev, o->gid, d, &o->handler);
		break;
	case OP_DEV_REMOVE:
		o->rc = skag_dev_remove(M.t, o->proc, o->dev);
		break;
	case OP_LINK_RESOLVE:
		o->rc = skag_link_resolve(M.t, 0, o->dev, o->src, o->dst, &o->link);
		break;
	case OP_REAP:
		o->rc = skag_proc_reap(M.t, o->proc);
		break;
	case OP_REPAIR:
		o->rc = skag_tbl_repair(M.t);
		break;
	case OP_DETACH:
		skag_proc_detach(M.t, o->proc);
		break;
	default:
		skag_tbl_stats_get(M.t, &o->st);
		break;
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	for (;;) {
		while (sem_wait(&w->go) != 0)
			;
		switch (w->cmd) {
		case W_ATTACH:
			w->slot = skag_proc_attach(M.t, w->pid, 0);
			break;
		case W_RUN:
			armed = w->countdown > 0 ? w : NULL;
			op_exec(w->op);
			armed = NULL;
			break;
		case W_DETACH:
			skag_proc_detach(M.t, w->slot);
			break;
		case W_DIE:
			/* Exits with the slot's alive mutex locked: the process died. */
			return NULL;
		}
		sem_post(&w->done);
	}
}

/*
 * Threads not attached, kept across inputs: creating a thread costs more than most operations.
 * A thread ends only when its process dies.
 */
static struct worker *idle[SKAG_MAX_PROCS + 1];
static unsigned int nb_idle;

static struct worker *
worker_get(int32_t pid)
{
	struct worker *w;

	if (nb_idle > 0) {
		w = idle[--nb_idle];
	} else {
		w = calloc(1, sizeof(*w));
		EXPECT(w != NULL, "out of memory");
		EXPECT(sem_init(&w->go, 0, 0) == 0 && sem_init(&w->done, 0, 0) == 0,
		       "sem_init");
		EXPECT(pthread_create(&w->th, NULL, worker_main, w) == 0, "pthread_create");
	}
	w->pid = pid;
	return w;
}

/* A thread back from its process' detach, or that never attached. */
static void
worker_put(struct worker *w)
{
	EXPECT(nb_idle < DIM(idle), "too many idle threads");
	idle[nb_idle++] = w;
}

/* A thread that ended (died, or crashed). */
static void
worker_join(struct worker *w)
{
	EXPECT(pthread_join(w->th, NULL) == 0, "pthread_join");
	sem_destroy(&w->go);
	sem_destroy(&w->done);
	free(w);
}

/* Send a command and wait for it, or for the thread's end (W_DIE). */
static void
worker_cmd(struct worker *w, enum w_cmd cmd)
{
	w->cmd = cmd;
	sem_post(&w->go);
	if (cmd == W_DIE) {
		worker_join(w);
		return;
	}
	while (sem_wait(&w->done) != 0)
		;
}

/* ---- model helpers ---- */

static struct m_member *
m_member(unsigned int g, unsigned int m)
{
	return &M.grp[g].mb[m];
}

static bool
m_group_live(int16_t g)
{
	return g >= 0 && g < M.max_groups && M.grp[g].live;
}

/* Slot of the live member of group g using dev, -1 if none. */
static int
m_find_dev(int16_t g, int16_t dev)
{
	unsigned int m;

	for (m = 0; m < M.max_members; m++)
		if (M.grp[g].mb[m].live && M.grp[g].mb[m].dev == dev)
			return m;
	return -1;
}

static unsigned int
m_nb_members(unsigned int g)
{
	unsigned int m, n = 0;

	for (m = 0; m < M.max_members; m++)
		n += M.grp[g].mb[m].live;
	return n;
}

static bool
m_id_live(uint32_t id)
{
	unsigned int g, m;

	for (g = 0; g < M.max_groups; g++)
		for (m = 0; m < M.max_members; m++)
			if (M.grp[g].mb[m].live && M.grp[g].mb[m].id == id)
				return true;
	return false;
}

/* Live member named by handler h, NULL if none. */
static struct m_member *
m_by_handler(uint16_t h, unsigned int *gp)
{
	unsigned int g, m;

	for (g = 0; g < M.max_groups; g++) {
		for (m = 0; m < M.max_members; m++) {
			struct m_member *mb = m_member(g, m);

			if (mb->live && mb->handler == h && h != 0) {
				*gp = g;
				return mb;
			}
		}
	}
	return NULL;
}

static void
seen_add(uint16_t h)
{
	M.seen[M.nb_seen++ % NB_SEEN] = h;
}

static void
m_post(unsigned int g, unsigned int m, uint64_t seq, uint8_t type, uint8_t dom)
{
	const struct m_member *to = m_member(g, m);
	struct m_proc *p = &M.proc[to->proc];
	struct m_event *ev;

	if (!to->want)
		return;
	if (p->tail - p->head >= SKAG_EVQ_SIZE) {
		p->dropped++;
		return;
	}
	ev = &p->q[p->tail++ % SKAG_EVQ_SIZE];
	ev->seq = seq;
	ev->dev_id = to->dev;
	ev->group_id = g;
	ev->member_idx = m;
	ev->member_gen = to->gen;
	ev->dom = dom;
	ev->type = type;
}

/* The departure of member m of live group g, as the table runs it. */
static void
m_depart(unsigned int g, unsigned int m)
{
	struct m_group *grp = &M.grp[g];
	uint64_t seq = ++M.last_seq;
	unsigned int i;

	if (m == 0) {
		for (i = 0; i < M.max_members; i++) {
			if (!grp->mb[i].live)
				continue;
			if (i != 0)
				m_post(g, i, seq, SKAG_EV_GROUP_DESTROYED, grp->mb[i].dom);
			grp->mb[i].live = false;
		}
		grp->live = false;
		M.fifo[M.fifo_nb++] = g;
	} else {
		grp->mb[m].live = false;
		for (i = 0; i < M.max_members; i++)
			if (grp->mb[i].live)
				m_post(g, i, seq, SKAG_EV_MEMBER_LEFT, grp->mb[m].dom);
	}
}

/* What an operation does to the table: departures and process slots freed, in order. */
enum act_kind { ACT_DEPART, ACT_FREE_PROC };

struct action {
	enum act_kind kind;
	uint8_t g;
	uint8_t m;
	uint8_t proc;
};

struct plan {
	int rc;
	unsigned int nb;
	struct action act[MAX_ACTIONS];
	bool gone[FZ_MAX_GROUPS][FZ_MAX_MEMBERS];	/* planned to depart */
	int16_t gid;					/* create, join: group and slot */
	uint16_t slot;
};

static void
plan_add(struct plan *pl, enum act_kind kind, unsigned int g, unsigned int m, unsigned int p)
{
	EXPECT(pl->nb < MAX_ACTIONS, "too many actions");
	pl->act[pl->nb].kind = kind;
	pl->act[pl->nb].g = g;
	pl->act[pl->nb].m = m;
	pl->act[pl->nb].proc = p;
	pl->nb++;
}

static void
plan_depart(struct plan *pl, unsigned int g, unsigned int m)
{
	unsigned int i;

	plan_add(pl, ACT_DEPART, g, m, 0);
	if (m != 0) {
		pl->gone[g][m] = true;
		return;
	}
	for (i = 0; i < M.max_members; i++)
		pl->gone[g][i] = true;
}

/* Memberships of process p (and dev, if >= 0) depart: groups in order, slots in order. */
static int
plan_drop(struct plan *pl, unsigned int p, int16_t dev)
{
	unsigned int g, m;
	int n = 0;

	for (g = 0; g < M.max_groups; g++) {
		if (!M.grp[g].live)
			continue;
		for (m = 0; m < M.max_members && !pl->gone[g][0]; m++) {
			const struct m_member *mb = m_member(g, m);

			if (!mb->live || pl->gone[g][m] || mb->proc != p ||
			    (dev >= 0 && mb->dev != dev))
				continue;
			plan_depart(pl, g, m);
			n++;
		}
	}
	return n;
}

static void
m_proc_free(unsigned int p)
{
	memset(&M.proc[p], 0, sizeof(M.proc[p]));
}

static void
plan_apply_one(const struct action *a)
{
	if (a->kind == ACT_DEPART)
		m_depart(a->g, a->m);
	else
		m_proc_free(a->proc);
}

/* ---- checks against the table ---- */

static void
check_table(void)
{
	struct skag_tbl_stats st;
	unsigned int p, procs = 0, dropped = 0, groups = 0, members = 0, g;
	char msg[256] = "";
	int rc;

	rc = skag_tbl_check(M.t, msg, sizeof(msg));
	EXPECT(rc == 0, "table rule broken (%d): %s", rc, msg);
	for (p = 0; p < SKAG_MAX_PROCS; p++) {
		if (M.proc[p].st == P_FREE)
			continue;
		procs++;
		dropped += M.proc[p].dropped;
	}
	for (g = 0; g < M.max_groups; g++) {
		groups += M.grp[g].live;
		members += m_nb_members(g);
	}
	skag_tbl_stats_get(M.t, &st);
	EXPECT(st.live_groups == groups && st.live_members == members && st.procs == procs &&
	       st.repairs == M.repairs && st.ev_dropped == dropped,
	       "stats: groups %u/%u members %u/%u procs %u/%u repairs %u/%u dropped %u/%u "
	       "(table/model)", st.live_groups, groups, st.live_members, members, st.procs,
	       procs, st.repairs, M.repairs, st.ev_dropped, dropped);
}

/* Members of group g as the table describes them; learns the handlers of new members. */
static void
check_group(int16_t g)
{
	struct skag_member_info info[FZ_MAX_MEMBERS + 1];
	uint8_t d[SKAG_UUID_LEN];
	unsigned int nb = 0, n = 0, m;
	int rc;

	rc = skag_group_info(M.t, g, info, DIM(info), &nb);
	if (!m_group_live(g)) {
		EXPECT(rc == -ENOENT, "group_info(%d): %d, group not live", g, rc);
		return;
	}
	EXPECT(rc == 0, "group_info(%d): %d", g, rc);
	for (m = 0; m < M.max_members; m++) {
		struct m_member *mb = m_member(g, m);

		if (!mb->live)
			continue;
		EXPECT(n < nb, "group %d: member %u missing", g, m);
		id_make(d, DOMAIN, mb->dom);
		EXPECT(memcmp(info[n].domain, d, SKAG_UUID_LEN) == 0 &&
		       info[n].pid == M.proc[mb->proc].pid && info[n].dev_id == mb->dev &&
		       info[n].role == (m == 0 ? SKAG_ROLE_CREATOR : SKAG_ROLE_JOINER) &&
		       info[n].want_events == mb->want,
		       "group %d: member %u described as dev %d pid %d role %u", g, m,
		       info[n].dev_id, info[n].pid, info[n].role);
		if (mb->handler == 0) {
			EXPECT(info[n].handler != 0, "group %d member %u: handler 0", g, m);
			mb->handler = info[n].handler;
			seen_add(mb->handler);
		}
		EXPECT(info[n].handler == mb->handler, "group %d member %u: handler %u, was %u",
		       g, m, info[n].handler, mb->handler);
		n++;
	}
	EXPECT(nb == n, "group %d: %u members, model %u", g, nb, n);
}

/* Pop up to max events of slot p, each must be the model's next one. */
static void
check_pops(unsigned int p, unsigned int max)
{
	struct m_proc *mp = &M.proc[p];
	const struct m_event *e;
	struct skag_event ev;
	uint8_t d[SKAG_UUID_LEN];
	unsigned int i;
	int rc;

	for (i = 0; i < max; i++) {
		memset(&ev, 0, sizeof(ev));
		rc = skag_proc_event_pop(M.t, p, &ev);
		if (mp->st == P_FREE) {
			EXPECT(rc == -EINVAL, "pop on free slot %u: %d", p, rc);
			return;
		}
		if (mp->head == mp->tail) {
			EXPECT(rc == 0, "slot %u: event (departure %llu, group %d, member %u) not "
			       "expected", p, (unsigned long long)ev.seq, ev.group_id,
			       ev.member_idx);
			return;
		}
		e = &mp->q[mp->head++ % SKAG_EVQ_SIZE];
		EXPECT(rc == 1, "slot %u: %d, expected the event of departure %llu to group %d "
		       "member %u", p, rc, (unsigned long long)e->seq, e->group_id,
		       e->member_idx);
		id_make(d, DOMAIN, e->dom);
		EXPECT(ev.seq == e->seq && ev.type == e->type && ev.dev_id == e->dev_id &&
		       ev.group_id == e->group_id && ev.member_idx == e->member_idx &&
		       ev.member_gen == e->member_gen &&
		       memcmp(ev.domain, d, SKAG_UUID_LEN) == 0,
		       "slot %u: event type %u departure %llu group %d member %u gen %u dev %d, "
		       "expected type %u departure %llu group %d member %u gen %u dev %d domain %u",
		       p, ev.type, (unsigned long long)ev.seq, ev.group_id, ev.member_idx,
		       ev.member_gen, ev.dev_id, e->type, (unsigned long long)e->seq,
		       e->group_id, e->member_idx, e->member_gen, e->dev_id, e->dom);
	}
}

/* ---- operations: model plan, run, result ---- */

/* Expected result of an operation, from the model before it runs. */
static void
op_plan(struct op *o, struct plan *pl)
{
	unsigned int m, p, sg, dg;
	struct m_member *s, *d;
	int fm;
	bool attached = o->proc >= 0 && o->proc < SKAG_MAX_PROCS &&
		M.proc[o->proc].st != P_FREE;

	memset(pl, 0, sizeof(*pl));
	switch (o->kind) {
	case OP_CREATE:
		if (!attached || o->dev < 0)
			pl->rc = -EINVAL;
		else if (M.fifo_nb == 0)
			pl->rc = -ENOSPC;
		else
			pl->gid = M.fifo[0];
		break;
	case OP_JOIN:
		if (!attached || o->dev < 0) {
			pl->rc = -EINVAL;
			break;
		}
		if (!m_group_live(o->gid)) {
			pl->rc = -ENOENT;
			break;
		}
		if (M.grp[o->gid].tok != o->tok) {
			pl->rc = -EACCES;
			break;
		}
		pl->rc = -ENOSPC;
		for (m = M.max_members; m-- > 0;) {
			const struct m_member *mb = m_member(o->gid, m);

			if (!mb->live) {
				pl->slot = m;
				if (pl->rc == -ENOSPC)
					pl->rc = 0;
			}
		}
		for (m = 0; m < M.max_members; m++) {
			const struct m_member *mb = m_member(o->gid, m);

			if (mb->live && (mb->dev == o->dev || mb->dom == o->dom))
				pl->rc = -EEXIST;
		}
		pl->gid = o->gid;
		break;
	case OP_LEAVE:
	case OP_DESTROY:
		if (o->dev < 0) {
			pl->rc = -EINVAL;
			break;
		}
		if (!m_group_live(o->gid)) {
			pl->rc = -ENOENT;
			break;
		}
		fm = m_find_dev(o->gid, o->dev);
		if (o->kind == OP_LEAVE ? fm < 0 : fm != 0)
			pl->rc = -EPERM;
		else if (fm == 0 && m_nb_members(o->gid) > 1)
			pl->rc = -EBUSY;
		else
			plan_depart(pl, o->gid, fm);
		break;
	case OP_HANDLER_GET:
		if (o->dev < 0) {
			pl->rc = -EINVAL;
			break;
		}
		if (!m_group_live(o->gid)) {
			pl->rc = -ENOENT;
			break;
		}
		if (m_find_dev(o->gid, o->dev) < 0) {
			pl->rc = -EPERM;
			break;
		}
		pl->rc = -ENOENT;
		for (m = 0; m < M.max_members; m++)
			if (m_member(o->gid, m)->live && m_member(o->gid, m)->dom == o->dom)
				pl->rc = 0;
		break;
	case OP_DEV_REMOVE:
		if (o->proc < 0 || o->proc >= SKAG_MAX_PROCS || o->dev < 0)
			pl->rc = -EINVAL;
		else
			pl->rc = plan_drop(pl, o->proc, o->dev);
		break;
	case OP_LINK_RESOLVE:
		if (o->dev < 0 || o->src == 0 || o->dst == 0) {
			pl->rc = -EINVAL;
			break;
		}
		s = m_by_handler(o->src, &sg);
		d = m_by_handler(o->dst, &dg);
		pl->rc = s != NULL && d != NULL && sg == dg && m_find_dev(sg, o->dev) >= 0 ?
			0 : -EPERM;
		break;
	case OP_REAP:
		for (p = 0; p < SKAG_MAX_PROCS; p++) {
			if (M.proc[p].st != P_DEAD)
				continue;
			plan_drop(pl, p, -1);
			plan_add(pl, ACT_FREE_PROC, 0, 0, p);
			pl->rc++;
		}
		break;
	case OP_DETACH:
		plan_drop(pl, o->proc, -1);
		plan_add(pl, ACT_FREE_PROC, 0, 0, o->proc);
		break;
	default:
		break;
	}
}

/* A successful create or join: the new member. */
static void
m_insert(const struct op *o, const struct plan *pl)
{
	struct m_group *grp = &M.grp[pl->gid];
	struct m_member *mb = &grp->mb[pl->slot];

	if (o->kind == OP_CREATE) {
		EXPECT(M.fifo_nb > 0 && M.fifo[0] == pl->gid, "free FIFO");
		memmove(&M.fifo[0], &M.fifo[1], (M.fifo_nb - 1) * sizeof(M.fifo[0]));
		M.fifo_nb--;
		grp->live = true;
		grp->tok = o->tok;
	}
	memset(mb, 0, sizeof(*mb));
	mb->live = true;
	mb->proc = o->proc;
	mb->dev = o->dev;
	mb->dom = o->dom;
	mb->want = o->want;
	mb->gen = o->self.gen;
	mb->id = ++M.next_id;
}

/* Results of an operation that ran to its end, then its effects on the model. */
static void
op_result(struct op *o, const struct plan *pl)
{
	unsigned int i, sg = 0, dg = 0;

	if (o->kind == OP_DETACH || o->kind == OP_STATS)
		o->rc = pl->rc;
	EXPECT(o->rc == pl->rc, "%s: returned %d, expected %d", op_names[o->kind], o->rc, pl->rc);
	switch (o->kind) {
	case OP_CREATE:
	case OP_JOIN:
		if (o->rc != 0)
			return;
		if (o->kind == OP_CREATE)
			EXPECT(o->new_gid == pl->gid, "create: group %d, expected %d (free FIFO)",
			       o->new_gid, pl->gid);
		EXPECT(o->self.group_id == pl->gid && o->self.member_idx == pl->slot,
		       "%s: member %d/%u, expected %d/%u", op_names[o->kind], o->self.group_id,
		       o->self.member_idx, pl->gid, pl->slot);
		m_insert(o, pl);
		check_group(pl->gid);
		return;
	case OP_HANDLER_GET:
		if (o->rc != 0)
			return;
		for (i = 0; i < M.max_members; i++) {
			const struct m_member *mb = m_member(o->gid, i);

			if (mb->live && mb->dom == o->dom && mb->handler != 0)
				EXPECT(o->handler == mb->handler, "handler_get: %u, expected %u",
				       o->handler, mb->handler);
		}
		return;
	case OP_LINK_RESOLVE: {
		struct m_link *l;
		int self;

		if (o->rc != 0)
			return;
		l = &M.links[M.nb_links < MAX_LINKS ? M.nb_links++ : o->src % MAX_LINKS];
		l->l = o->link;
		l->id[0] = m_by_handler(o->src, &sg)->id;
		l->id[1] = m_by_handler(o->dst, &dg)->id;
		self = m_find_dev(sg, o->dev);
		l->id[2] = m_member(sg, self)->id;
		EXPECT(o->link.group_id == (int16_t)sg, "link_resolve: group %d, expected %u",
		       o->link.group_id, sg);
		return;
	}
	default:
		break;
	}
	for (i = 0; i < pl->nb; i++)
		plan_apply_one(&pl->act[i]);
}

/* Whether an action of a crashed operation was done, seen through the repaired table. */
static bool
action_done(const struct action *a)
{
	struct skag_member_info info[FZ_MAX_MEMBERS + 1];
	unsigned int nb = 0, i;
	const struct m_member *mb;

	if (a->kind == ACT_FREE_PROC)
		return skag_proc_pid(M.t, a->proc) == 0;
	if (skag_group_info(M.t, a->g, info, DIM(info), &nb) == -ENOENT)
		return true;
	if (a->m == 0)
		return false;
	mb = m_member(a->g, a->m);
	for (i = 0; i < nb && i < DIM(info); i++)
		if (info[i].dev_id == mb->dev)
			return false;
	return true;
}

/*
 * An operation crashed (its thread is gone, the table lock owner-dead), then maybe more in the
 * repairs that followed. Once the table is repaired, the actions of the operation done must be
 * a prefix of those planned: the departure under way is finished, no later one started.
 */
static void
crash_resolve(struct op *o, const struct plan *pl)
{
	struct skag_member_info info[FZ_MAX_MEMBERS + 1];
	struct skag_tbl_stats st;
	unsigned int i, nb = 0;
	bool done = true;

	skag_tbl_stats_get(M.t, &st);
	EXPECT(st.repairs == M.repairs + 1, "crash: %u repairs, expected %u", st.repairs,
	       M.repairs + 1);
	M.repairs++;
	switch (o->kind) {
	case OP_CREATE:
		/* Undone, its id put back last on the free FIFO. */
		EXPECT(pl->rc == 0, "create crashed but should fail with %d", pl->rc);
		EXPECT(skag_group_info(M.t, pl->gid, info, DIM(info), &nb) == -ENOENT,
		       "crashed create of group %d not undone", pl->gid);
		memmove(&M.fifo[0], &M.fifo[1], (M.fifo_nb - 1) * sizeof(M.fifo[0]));
		M.fifo[M.fifo_nb - 1] = pl->gid;
		return;
	case OP_JOIN:
		EXPECT(pl->rc == 0, "join crashed but should fail with %d", pl->rc);
		EXPECT(skag_group_info(M.t, pl->gid, info, DIM(info), &nb) == 0,
		       "group %d gone after a crashed join", pl->gid);
		for (i = 0; i < nb && i < DIM(info); i++)
			EXPECT(info[i].dev_id != o->dev, "crashed join to group %d not undone",
			       pl->gid);
		return;
	default:
		break;
	}
	for (i = 0; i < pl->nb; i++) {
		bool d = action_done(&pl->act[i]);

		EXPECT(!d || done, "crash: action %u of %s done after action %u was not", i,
		       op_names[o->kind], i - 1);
		if (!d)
			done = false;
		else
			plan_apply_one(&pl->act[i]);
	}
}

/* ---- argument picking, biased to what exists ---- */

static unsigned int
nb_attached(void)
{
	unsigned int p, n = 0;

	for (p = 0; p < SKAG_MAX_PROCS; p++)
		n += M.proc[p].st != P_FREE;
	return n;
}

/* Any slot with the top bit, else the n-th attached one (alive or dead). */
static int
pick_slot(uint8_t b)
{
	unsigned int p, n, nb = nb_attached();

	if ((b & 0x80) || nb == 0)
		return b % SKAG_MAX_PROCS;
	n = b % nb;
	for (p = 0; p < SKAG_MAX_PROCS; p++)
		if (M.proc[p].st != P_FREE && n-- == 0)
			return p;
	return 0;
}

/* The n-th process slot with a live thread, -1 if none. */
static int
pick_alive(uint8_t b)
{
	unsigned int p, n, nb = 0;

	for (p = 0; p < SKAG_MAX_PROCS; p++)
		nb += M.proc[p].st == P_ALIVE;
	if (nb == 0)
		return -1;
	n = b % nb;
	for (p = 0; p < SKAG_MAX_PROCS; p++)
		if (M.proc[p].st == P_ALIVE && n-- == 0)
			return p;
	return -1;
}

/* Any id from -1 to max_groups with the top bit, else the n-th live group. */
static int16_t
pick_group(uint8_t b)
{
	unsigned int g, n, nb = 0;

	for (g = 0; g < M.max_groups; g++)
		nb += M.grp[g].live;
	if ((b & 0x80) || nb == 0)
		return (int16_t)(b % (M.max_groups + 2)) - 1;
	n = b % nb;
	for (g = 0; g < M.max_groups; g++)
		if (M.grp[g].live && n-- == 0)
			return g;
	return 0;
}

/*
 * A live member (of process proc if >= 0) into dev and group, from the n-th one; with the top
 * bit or none, any device and group.
 */
static void
pick_member(uint8_t b, uint8_t b2, int proc, int16_t *dev, int16_t *gid)
{
	unsigned int g, m, n, nb = 0;

	for (g = 0; g < M.max_groups; g++)
		for (m = 0; m < M.max_members; m++)
			nb += m_member(g, m)->live && (proc < 0 || m_member(g, m)->proc == proc);
	if ((b & 0x80) || nb == 0) {
		*dev = b2 % NB_DEVS;
		*gid = pick_group(b);
		return;
	}
	n = b % nb;
	for (g = 0; g < M.max_groups; g++) {
		for (m = 0; m < M.max_members; m++) {
			const struct m_member *mb = m_member(g, m);

			if (mb->live && (proc < 0 || mb->proc == proc) && n-- == 0) {
				*dev = mb->dev;
				*gid = g;
				return;
			}
		}
	}
}

/* A handler: of the n-th live member of group g, or with the top bit one seen before. */
static uint16_t
pick_handler(uint8_t b, int16_t g)
{
	unsigned int m, n, nb = 0;

	if (m_group_live(g))
		for (m = 0; m < M.max_members; m++)
			nb += m_member(g, m)->live && m_member(g, m)->handler != 0;
	if ((b & 0x80) || nb == 0) {
		if (M.nb_seen == 0)
			return b & 0x7f;
		return M.seen[b % (M.nb_seen < NB_SEEN ? M.nb_seen : NB_SEEN)];
	}
	n = b % nb;
	for (m = 0; m < M.max_members; m++) {
		const struct m_member *mb = m_member(g, m);

		if (mb->live && mb->handler != 0 && n-- == 0)
			return mb->handler;
	}
	return 0;
}

/* Token: the group's own one unless b says which of NB_TOKENS. */
static uint8_t
pick_token(uint8_t b, int16_t g)
{
	if (b < 0xc0 && m_group_live(g))
		return M.grp[g].tok;
	return b % NB_TOKENS;
}

/* Arguments of the operations that can crash; proc: the process running it. */
static void
op_parse(struct op *o, struct input *in, int proc)
{
	uint8_t b0 = in_byte(in), b1 = in_byte(in), b2 = in_byte(in);

	o->proc = proc >= 0 ? proc : pick_slot(b0);
	switch (o->kind) {
	case OP_CREATE:
		o->dev = (b1 & 7) % NB_DEVS;
		o->tok = (b1 >> 4) % NB_TOKENS;
		o->dom = (b2 & 0x7f) % NB_DOMAINS;
		o->want = !(b2 & 0x80);
		break;
	case OP_JOIN:
		o->dev = (b1 & 7) % NB_DEVS;
		o->dom = (b1 >> 3) % NB_DOMAINS;
		o->gid = pick_group(b2);
		o->tok = pick_token(in_byte(in), o->gid);
		o->want = !(b1 & 0x80);
		break;
	case OP_LEAVE:
	case OP_DESTROY:
		pick_member(b1, b2, proc, &o->dev, &o->gid);
		break;
	case OP_DEV_REMOVE:
		o->dev = b1 % NB_DEVS;
		if (!(b2 & 0x80)) {
			int16_t g;

			pick_member(b2, b1, o->proc, &o->dev, &g);
		}
		break;
	default:
		break;
	}
}

/* Run an operation on the main thread, check its result. */
static void
op_run_main(struct op *o)
{
	struct plan pl;

	op_plan(o, &pl);
	op_exec(o);
	op_result(o, &pl);
}

static void
do_attach(void)
{
	struct worker *w;
	int p, expect = -ENOSPC;

	for (p = SKAG_MAX_PROCS - 1; p >= 0; p--)
		if (M.proc[p].st == P_FREE)
			expect = p;
	w = worker_get(PID_BASE + M.next_pid++);
	worker_cmd(w, W_ATTACH);
	trace("attach: slot %d (pid %d)", w->slot, w->pid);
	EXPECT(w->slot == expect, "attach: slot %d, expected %d", w->slot, expect);
	if (w->slot < 0) {
		worker_put(w);
		return;
	}
	m_proc_free(w->slot);
	M.proc[w->slot].st = P_ALIVE;
	M.proc[w->slot].pid = w->pid;
	M.proc[w->slot].w = w;
}

/* Orderly detach (on the process' own thread) or death of process p. */
static void
do_exit(int p, bool detach)
{
	struct worker *w = M.proc[p].w;
	struct op o = { .kind = OP_DETACH, .proc = p };
	struct plan pl;

	trace("%s: slot %d", detach ? "detach" : "die", p);
	if (!detach) {
		worker_cmd(w, W_DIE);
		M.proc[p].st = P_DEAD;
		M.proc[p].w = NULL;
		return;
	}
	op_plan(&o, &pl);
	worker_cmd(w, W_DETACH);
	worker_put(w);
	op_result(&o, &pl);
}

static void
do_link_check(uint8_t b)
{
	struct m_link *l;
	bool ok, expect;

	if (M.nb_links == 0)
		return;
	l = &M.links[b % M.nb_links];
	expect = m_id_live(l->id[0]) && m_id_live(l->id[1]) && m_id_live(l->id[2]);
	ok = skag_link_fresh(&l->l) || skag_link_revalidate(&l->l);
	trace("link_check: group %d, %s", l->l.group_id, ok ? "valid" : "revoked");
	EXPECT(ok == expect, "link of group %d: %s, its members are %s", l->l.group_id,
	       ok ? "valid" : "revoked", expect ? "live" : "not all live");
	if (ok) {
		EXPECT(skag_link_fresh(&l->l), "link not fresh after revalidation");
	} else {
		*l = M.links[--M.nb_links];
	}
}

static void
do_query(uint8_t b)
{
	int16_t g;
	int next = -1, rc;
	unsigned int p;

	/* Live groups in order. */
	for (g = 0; g < M.max_groups; g++) {
		if (!M.grp[g].live)
			continue;
		rc = skag_group_next(M.t, next);
		EXPECT(rc == g, "group_next(%d): %d, expected %d", next, rc, g);
		next = g;
	}
	rc = skag_group_next(M.t, next);
	EXPECT(rc == -1, "group_next(%d): %d, expected the end", next, rc);
	for (g = -1; g <= M.max_groups; g++)
		check_group(g);
	g = pick_group(b);
	for (p = 0; p < NB_DEVS; p++)
		EXPECT(skag_dev_is_member(M.t, 0, p, g) == (m_group_live(g) && m_find_dev(g, p) >= 0),
		       "dev_is_member(%u, %d)", p, g);
	for (p = 0; p < SKAG_MAX_PROCS; p++)
		EXPECT(skag_proc_pid(M.t, p) == (M.proc[p].st == P_FREE ? 0 : M.proc[p].pid),
		       "proc_pid(%u): %d", p, skag_proc_pid(M.t, p));
}

/* Joiners of group g come and go n times: events for every member, full mailboxes. */
static void
do_churn(int proc, int16_t g, unsigned int n)
{
	struct op o;
	unsigned int i;

	trace("churn: slot %d group %d x%u", proc, g, n);
	for (i = 0; i < n; i++) {
		memset(&o, 0, sizeof(o));
		o.kind = OP_JOIN;
		o.proc = proc;
		o.dev = CHURN_DEV;
		o.dom = CHURN_DOM;
		o.gid = g;
		o.tok = m_group_live(g) ? M.grp[g].tok : 0;
		op_run_main(&o);
		if (o.rc != 0)
			return;
		memset(&o, 0, sizeof(o));
		o.kind = OP_LEAVE;
		o.dev = CHURN_DEV;
		o.gid = g;
		op_run_main(&o);
	}
}

/*
 * Run an operation on the thread of process p with a crash at its countdown-th crash point,
 * then maybe crash other processes in the repair that follows; check the outcome.
 */
static void
do_crash(struct input *in)
{
	static const enum op_kind kinds[] = {
		OP_CREATE, OP_JOIN, OP_LEAVE, OP_DESTROY, OP_DEV_REMOVE, OP_DETACH, OP_REAP,
		OP_STATS,
	};
	int p = pick_alive(in_byte(in));
	uint8_t kb = in_byte(in), cb = in_byte(in);
	struct worker *w;
	struct op o;
	struct plan pl;

	if (p < 0)
		return;
	memset(&o, 0, sizeof(o));
	o.kind = kinds[kb % DIM(kinds)];
	op_parse(&o, in, p);
	op_plan(&o, &pl);
	w = M.proc[p].w;
	w->op = &o;
	w->countdown = 1 + cb % 32;
	w->crashed = false;
	trace("crash: slot %d runs %s (dev %d group %d) to crash point %d", p,
	      op_names[o.kind], o.dev, o.gid, w->countdown);
	worker_cmd(w, W_RUN);
	if (!w->crashed) {
		trace("crash: %s ran through, %d", op_names[o.kind], o.rc);
		if (o.kind == OP_DETACH)
			worker_put(w);
		op_result(&o, &pl);
		return;
	}
	trace("crash: slot %d died at crash point %s", p, cp_names[w->cp]);
	worker_join(w);
	M.proc[p].st = P_DEAD;
	M.proc[p].w = NULL;
	/*
	 * More processes die in the repair, each at its countdown-th crash point. The repair is
	 * run by the next locker (any operation, here skag_tbl_stats_get()) or by
	 * skag_tbl_repair().
	 */
	while (in_byte(in) & 1) {
		struct op so = { .kind = OP_STATS };
		int q = pick_alive(in_byte(in));

		if (q < 0)
			break;
		cb = in_byte(in);
		if (cb & 0x80)
			so.kind = OP_REPAIR;
		w = M.proc[q].w;
		w->op = &so;
		w->countdown = 1 + (cb & 0x7f) % 16;
		w->crashed = false;
		worker_cmd(w, W_RUN);
		if (!w->crashed) {
			trace("crash: slot %d repaired (%s)", q, op_names[so.kind]);
			EXPECT(so.rc == 0, "%s after a crash: %d", op_names[so.kind], so.rc);
			break;
		}
		trace("crash: slot %d died in the repair at crash point %s", q, cp_names[w->cp]);
		worker_join(w);
		M.proc[q].st = P_DEAD;
		M.proc[q].w = NULL;
	}
	crash_resolve(&o, &pl);
}

static void
tbl_setup(struct input *in)
{
	uint8_t b0 = in_byte(in), b1 = in_byte(in);
	size_t len;
	unsigned int g;

	if (tbl_mem == NULL) {
		tbl_mem_len = skag_tbl_size(FZ_MAX_GROUPS, FZ_MAX_MEMBERS);
		tbl_mem = aligned_alloc(64, (tbl_mem_len + 63) & ~(size_t)63);
		EXPECT(tbl_mem != NULL, "out of memory");
		skag_test_crash_point = crash_hook;
	}
	memset(&M, 0, sizeof(M));
	M.max_groups = 1 + b0 % FZ_MAX_GROUPS;
	M.max_members = 2 + b1 % (FZ_MAX_MEMBERS - 1);
	len = skag_tbl_size(M.max_groups, M.max_members);
	EXPECT(len != 0 && len <= tbl_mem_len, "table size");
	EXPECT(skag_tbl_init(tbl_mem, len, M.max_groups, M.max_members) == 0, "init");
	M.t = skag_tbl_attach(tbl_mem, len);
	EXPECT(M.t != NULL, "attach");
	for (g = 0; g < M.max_groups; g++)
		M.fifo[M.fifo_nb++] = g;
	trace("table: %u groups of %u members", M.max_groups, M.max_members);
}

/* Drain every mailbox, end every process, check the table is empty. */
static void
tbl_teardown(void)
{
	struct op o = { .kind = OP_REAP };
	unsigned int p, g;

	step++;
	for (p = 0; p < SKAG_MAX_PROCS; p++)
		if (M.proc[p].st != P_FREE)
			check_pops(p, SKAG_EVQ_SIZE + 1);
	for (p = 0; p < SKAG_MAX_PROCS; p++)
		if (M.proc[p].st == P_ALIVE)
			do_exit(p, true);
	op_run_main(&o);
	check_table();
	for (g = 0; g < M.max_groups; g++)
		EXPECT(!M.grp[g].live, "group %u left", g);
}

static void
op_step(struct input *in)
{
	enum op_kind kind = in_byte(in) % NB_OPS;
	struct op o;
	uint8_t b;
	int p;

	memset(&o, 0, sizeof(o));
	o.kind = kind;
	switch (kind) {
	case OP_ATTACH:
		do_attach();
		break;
	case OP_DETACH:
	case OP_DIE:
		p = pick_alive(in_byte(in));
		if (p >= 0)
			do_exit(p, kind == OP_DETACH);
		break;
	case OP_REAP:
	case OP_REPAIR:
		trace("%s", op_names[kind]);
		op_run_main(&o);
		if (kind == OP_REPAIR)
			M.repairs++;
		break;
	case OP_CREATE:
	case OP_JOIN:
	case OP_LEAVE:
	case OP_DESTROY:
	case OP_DEV_REMOVE:
		op_parse(&o, in, -1);
		trace("%s: slot %d dev %d group %d domain %u token %u events %d", op_names[kind],
		      o.proc, o.dev, o.gid, o.dom, o.tok, o.want);
		op_run_main(&o);
		break;
	case OP_HANDLER_GET:
		pick_member(in_byte(in), in_byte(in), -1, &o.dev, &o.gid);
		o.dom = in_byte(in) % NB_DOMAINS;
		trace("handler_get: dev %d group %d domain %u", o.dev, o.gid, o.dom);
		op_run_main(&o);
		break;
	case OP_LINK_RESOLVE:
		pick_member(in_byte(in), in_byte(in), -1, &o.dev, &o.gid);
		o.src = pick_handler(in_byte(in), o.gid);
		o.dst = pick_handler(in_byte(in), o.gid);
		trace("link_resolve: dev %d handlers %u -> %u", o.dev, o.src, o.dst);
		op_run_main(&o);
		break;
	case OP_LINK_CHECK:
		do_link_check(in_byte(in));
		break;
	case OP_POP:
		p = pick_slot(in_byte(in));
		b = in_byte(in);
		trace("pop: slot %d x%u", p, 1 + b % 8);
		check_pops(p, 1 + b % 8);
		break;
	case OP_QUERY:
		do_query(in_byte(in));
		break;
	case OP_CHURN:
		p = pick_slot(in_byte(in));
		b = in_byte(in);
		do_churn(p, pick_group(b), 1 + in_byte(in));
		break;
	case OP_CRASH:
		do_crash(in);
		break;
	default:
		break;
	}
	check_table();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { .p = data, .len = size };

	tracing = getenv("SKAG_FUZZ_TRACE") != NULL;
	step = 0;
	tbl_setup(&in);
	check_table();
	while (in.pos < in.len) {
		step++;
		op_step(&in);
	}
	tbl_teardown();
	return 0;
}
