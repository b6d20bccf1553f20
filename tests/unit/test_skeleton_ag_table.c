/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

/*
 * Unit tests of the skeleton_ag group table. The table lives in a MAP_SHARED anonymous mapping,
 * so forked children act as other processes (domains) of the driver.
 */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/wait.h>

#include <CUnit/Basic.h>

#include "skeleton_ag_table.h"

#define BOUND_MS	2000	/* bound for cross-process effects to show up */
#define DIM(a)		(sizeof(a) / sizeof((a)[0]))

static void *mem;
static size_t mem_len;
static struct skag_tbl *T;
static int procs[SKAG_MAX_PROCS];
static unsigned int nb_procs;

enum id_kind { DOMAIN = 0xd0, TOKEN = 0x70 };

static void
id_make(uint8_t id[SKAG_UUID_LEN], enum id_kind kind, uint32_t n)
{
	memset(id, kind, SKAG_UUID_LEN);
	memcpy(id, &n, sizeof(n));
}

static void
tbl_setup(uint16_t max_groups, uint16_t max_members)
{
	mem_len = skag_tbl_size(max_groups, max_members);
	CU_ASSERT_FATAL(mem_len != 0);
	mem = mmap(NULL, mem_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(mem != MAP_FAILED);
	CU_ASSERT_FATAL(skag_tbl_init(mem, mem_len, max_groups, max_members) == 0);
	T = skag_tbl_attach(mem, mem_len);
	CU_ASSERT_FATAL(T != NULL);
}

/* The rules the table keeps between operations (skag_tbl_check()). */
static void
tbl_check(void)
{
	char msg[256] = "";
	int rc = skag_tbl_check(T, msg, sizeof(msg));

	if (rc != 0)
		fprintf(stderr, "\ntable rule broken: %s\n", msg);
	CU_ASSERT_EQUAL(rc, 0);
}

/* Per-test teardown, also run after a fatal assertion; checks the table before and after. */
static void
tbl_teardown(void)
{
	if (T != NULL)
		tbl_check();
	/* Attached slots hold robust mutexes on this thread's list: release before unmapping. */
	while (nb_procs > 0)
		skag_proc_detach(T, procs[--nb_procs]);
	if (T != NULL)
		tbl_check();
	if (mem != NULL)
		munmap(mem, mem_len);
	mem = NULL;
	T = NULL;
	skag_test_crash_point = NULL;
}

static void
noop(void)
{
}

static int
proc_new(void)
{
	int p = skag_proc_attach(T, getpid(), 0);

	CU_ASSERT_FATAL(p >= 0);
	procs[nb_procs++] = p;
	return p;
}

/* Group id or negative errno; no CUnit calls, children use it too. */
static int
group_new(int proc, int16_t dev, uint32_t dom, uint32_t tok, bool want_events)
{
	uint8_t d[SKAG_UUID_LEN], k[SKAG_UUID_LEN];
	struct skag_member_ref self;
	int16_t gid = -1;
	int rc;

	id_make(d, DOMAIN, dom);
	id_make(k, TOKEN, tok);
	rc = skag_group_create(T, proc, getpid(), 0, dev, d, k, want_events, &gid, &self);
	return rc == 0 ? gid : rc;
}

static int
create(int proc, int16_t dev, uint32_t dom, uint32_t tok, bool want_events)
{
	int gid = group_new(proc, dev, dom, tok, want_events);

	CU_ASSERT_FATAL(gid >= 0);
	return gid;
}

static int
join(int proc, int16_t dev, uint32_t dom, uint32_t tok, int16_t gid, bool want_events)
{
	uint8_t d[SKAG_UUID_LEN], k[SKAG_UUID_LEN];
	struct skag_member_ref self;

	id_make(d, DOMAIN, dom);
	id_make(k, TOKEN, tok);
	return skag_group_join(T, proc, getpid(), 0, dev, d, k, gid, want_events, &self);
}

/* Whether a link may still run, as the data path decides, without changing it. */
static bool
link_ok(const struct skag_link *l)
{
	struct skag_link c = *l;

	return skag_link_fresh(&c) || skag_link_revalidate(&c);
}

static uint16_t
handler_of(int16_t dev, int16_t gid, uint32_t dom)
{
	uint8_t d[SKAG_UUID_LEN];
	uint16_t h = 0;

	id_make(d, DOMAIN, dom);
	CU_ASSERT_EQUAL(skag_handler_get(T, 0, dev, gid, d, &h), 0);
	return h;
}

static unsigned int
nb_members(int16_t gid)
{
	unsigned int nb = 0;

	CU_ASSERT_EQUAL(skag_group_info(T, gid, NULL, 0, &nb), 0);
	return nb;
}

static unsigned int
pop_all(int proc, struct skag_event *evs, unsigned int max)
{
	struct skag_event ev;
	unsigned int n = 0;

	while (skag_proc_event_pop(T, proc, &ev) == 1) {
		if (n < max)
			evs[n] = ev;
		n++;
	}
	return n;
}

static bool
block_has(uint32_t tok)
{
	uint8_t k[SKAG_UUID_LEN];

	id_make(k, TOKEN, tok);
	return memmem(mem, mem_len, k, sizeof(k)) != NULL;
}

static bool
domain_is(const uint8_t *d, uint32_t dom)
{
	uint8_t e[SKAG_UUID_LEN];

	id_make(e, DOMAIN, dom);
	return memcmp(d, e, SKAG_UUID_LEN) == 0;
}

/* Assert that call returns err and leaves every byte of the table as it was. */
#define CHECK_UNCHANGED(call, err) do { \
	uint8_t *before_ = malloc(mem_len); \
	CU_ASSERT_FATAL(before_ != NULL); \
	memcpy(before_, mem, mem_len); \
	CU_ASSERT_EQUAL(call, err); \
	CU_ASSERT(memcmp(before_, mem, mem_len) == 0); \
	free(before_); \
} while (0)

/*
 * Create groups until the table is full: they must get exactly ids[0..nb) in that order (the
 * free group FIFO), then -ENOSPC with the table unchanged.
 */
static void
check_free_order(int proc, const int16_t *ids, unsigned int nb)
{
	uint8_t d[SKAG_UUID_LEN], k[SKAG_UUID_LEN];
	struct skag_member_ref self;
	int16_t gid = -1;
	unsigned int i;

	for (i = 0; i < nb; i++)
		CU_ASSERT_EQUAL(group_new(proc, 100 + i, 100 + i, 500 + i, false), ids[i]);
	id_make(d, DOMAIN, 99);
	id_make(k, TOKEN, 99);
	CHECK_UNCHANGED(skag_group_create(T, proc, getpid(), 0, 99, d, k, false, &gid, &self),
			-ENOSPC);
	CU_ASSERT_EQUAL(gid, -1);
}

static void
test_init_attach(void)
{
	static uint64_t junk[1024];
	struct skag_tbl_stats st;
	size_t len;
	void *buf;

	CU_ASSERT_EQUAL(skag_tbl_size(0, 2), 0);
	CU_ASSERT_EQUAL(skag_tbl_size(SKAG_MAX_GROUPS + 1, 2), 0);
	CU_ASSERT_EQUAL(skag_tbl_size(1, 1), 0);
	CU_ASSERT_EQUAL(skag_tbl_size(1, SKAG_MAX_MEMBERS + 1), 0);
	len = skag_tbl_size(SKAG_MAX_GROUPS, SKAG_MAX_MEMBERS);
	CU_ASSERT(len > skag_tbl_size(1, 2));

	len = skag_tbl_size(4, 4);
	/* aligned_alloc() wants a multiple of the alignment (ASan checks it). */
	buf = aligned_alloc(64, (len + 64 + 63) & ~(size_t)63);
	CU_ASSERT_FATAL(buf != NULL);
	CU_ASSERT_EQUAL(skag_tbl_init(NULL, len, 4, 4), -EINVAL);
	CU_ASSERT_EQUAL(skag_tbl_init(buf, len - 1, 4, 4), -EINVAL);
	CU_ASSERT_EQUAL(skag_tbl_init(buf, len, 0, 4), -EINVAL);
	CU_ASSERT_EQUAL(skag_tbl_init(buf, len, 4, 1), -EINVAL);
	CU_ASSERT_EQUAL(skag_tbl_init((char *)buf + 1, len, 4, 4), -EINVAL);
	CU_ASSERT_PTR_NULL(skag_tbl_attach(junk, sizeof(junk)));
	CU_ASSERT_EQUAL(skag_tbl_init(buf, len + 64, 4, 4), 0);
	CU_ASSERT_PTR_EQUAL(skag_tbl_attach(buf, len), buf);
	CU_ASSERT_PTR_NULL(skag_tbl_attach(buf, len - 1));
	CU_ASSERT_PTR_NULL(skag_tbl_attach(NULL, len));
	skag_tbl_stats_get(skag_tbl_attach(buf, len), &st);
	CU_ASSERT_EQUAL(st.max_groups, 4);
	CU_ASSERT_EQUAL(st.max_members, 4);
	CU_ASSERT_EQUAL(st.live_groups + st.live_members + st.procs + st.repairs + st.ev_dropped,
			0);
	free(buf);
}

static void
test_create_join_info(void)
{
	struct skag_member_info info[4];
	struct skag_tbl_stats st;
	unsigned int nb = 0;
	int p, q, g1, g2;

	struct skag_member_ref self;
	uint8_t d[SKAG_UUID_LEN], k[SKAG_UUID_LEN];
	int16_t gid;

	tbl_setup(8, 4);
	p = proc_new();
	q = proc_new();
	/* The member made is returned: the creator is slot 0, the first joiner slot 1. */
	id_make(d, DOMAIN, 3);
	id_make(k, TOKEN, 300);
	CU_ASSERT_EQUAL(skag_group_create(T, p, getpid(), 0, 3, d, k, false, &gid, &self), 0);
	CU_ASSERT_EQUAL(self.group_id, gid);
	CU_ASSERT_EQUAL(self.member_idx, 0);
	id_make(d, DOMAIN, 4);
	CU_ASSERT_EQUAL(skag_group_join(T, q, getpid(), 0, 4, d, k, gid, false, &self), 0);
	CU_ASSERT_EQUAL(self.group_id, gid);
	CU_ASSERT_EQUAL(self.member_idx, 1);
	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 4, gid), 0);
	CU_ASSERT_EQUAL(skag_group_destroy(T, 0, 3, gid), 0);
	g1 = create(p, 0, 1, 100, true);
	CU_ASSERT_EQUAL(join(q, 1, 2, 100, g1, false), 0);
	g2 = create(q, 1, 2, 200, true);
	CU_ASSERT_NOT_EQUAL(g1, g2);

	CU_ASSERT_EQUAL(skag_group_info(T, g1, info, 4, &nb), 0);
	CU_ASSERT_EQUAL_FATAL(nb, 2);
	CU_ASSERT(domain_is(info[0].domain, 1));
	CU_ASSERT_EQUAL(info[0].role, SKAG_ROLE_CREATOR);
	CU_ASSERT_EQUAL(info[0].dev_id, 0);
	CU_ASSERT_EQUAL(info[0].pid, getpid());
	CU_ASSERT_EQUAL(info[0].want_events, 1);
	CU_ASSERT(domain_is(info[1].domain, 2));
	CU_ASSERT_EQUAL(info[1].role, SKAG_ROLE_JOINER);
	CU_ASSERT_EQUAL(info[1].dev_id, 1);
	CU_ASSERT_EQUAL(info[1].want_events, 0);
	CU_ASSERT(info[0].handler != 0 && info[1].handler != 0);
	CU_ASSERT_NOT_EQUAL(info[0].handler, info[1].handler);
	/* Both members see both handlers. */
	CU_ASSERT_EQUAL(handler_of(0, g1, 2), info[1].handler);
	CU_ASSERT_EQUAL(handler_of(1, g1, 1), info[0].handler);
	/* A short array still reports the count. */
	CU_ASSERT_EQUAL(skag_group_info(T, g1, info, 1, &nb), 0);
	CU_ASSERT_EQUAL(nb, 2);

	CU_ASSERT(skag_dev_is_member(T, 0, 0, g1));
	CU_ASSERT(skag_dev_is_member(T, 0, 1, g1));
	CU_ASSERT(!skag_dev_is_member(T, 0, 0, g2));
	CU_ASSERT(!skag_dev_is_member(T, 0, 0, 7));
	CU_ASSERT(!skag_dev_is_member(T, 0, 0, -1));
	CU_ASSERT(!skag_dev_is_member(T, 0, 3, 0));

	/* Id 0 was freed above: it comes after the ids never used. */
	CU_ASSERT_EQUAL(g1, 1);
	CU_ASSERT_EQUAL(g2, 2);
	CU_ASSERT_EQUAL(skag_group_next(T, -1), g1);
	CU_ASSERT_EQUAL(skag_group_next(T, g1), g2);
	CU_ASSERT_EQUAL(skag_group_next(T, g2), -1);
	CU_ASSERT_EQUAL(skag_group_next(T, 7), -1);
	CU_ASSERT_EQUAL(skag_group_next(T, -2), -EINVAL);

	skag_tbl_stats_get(T, &st);
	CU_ASSERT_EQUAL(st.live_groups, 2);
	CU_ASSERT_EQUAL(st.live_members, 3);
	CU_ASSERT_EQUAL(st.procs, 2);
	CU_ASSERT_EQUAL(st.repairs, 0);
}

static void
test_invalid_args(void)
{
	uint8_t d[SKAG_UUID_LEN], k[SKAG_UUID_LEN];
	struct skag_member_ref self;
	struct skag_member_info info;
	struct skag_link l;
	struct skag_event ev;
	unsigned int nb;
	uint16_t h;
	int16_t gid;
	int p, g;

	tbl_setup(4, 4);
	p = proc_new();
	g = create(p, 0, 1, 100, true);
	id_make(d, DOMAIN, 5);
	id_make(k, TOKEN, 100);
	h = handler_of(0, g, 1);

	CHECK_UNCHANGED(skag_group_create(NULL, p, getpid(), 0, 0, d, k, true, &gid, &self),
			-EINVAL);
	CHECK_UNCHANGED(skag_group_create(T, -1, getpid(), 0, 0, d, k, true, &gid, &self), -EINVAL);
	CHECK_UNCHANGED(skag_group_create(T, SKAG_MAX_PROCS, getpid(), 0, 0, d, k, true, &gid,
					  &self), -EINVAL);
	/* Unattached. */
	CHECK_UNCHANGED(skag_group_create(T, p + 1, getpid(), 0, 0, d, k, true, &gid, &self),
			-EINVAL);
	CHECK_UNCHANGED(skag_group_create(T, p, getpid(), 0, -1, d, k, true, &gid, &self), -EINVAL);
	CHECK_UNCHANGED(skag_group_create(T, p, getpid(), 0, 0, NULL, k, true, &gid, &self),
			-EINVAL);
	CHECK_UNCHANGED(skag_group_create(T, p, getpid(), 0, 0, d, NULL, true, &gid, &self),
			-EINVAL);
	CHECK_UNCHANGED(skag_group_create(T, p, getpid(), 0, 0, d, k, true, NULL, &self), -EINVAL);
	CHECK_UNCHANGED(skag_group_create(T, p, getpid(), 0, 0, d, k, true, &gid, NULL), -EINVAL);
	CHECK_UNCHANGED(skag_group_join(T, p + 1, getpid(), 0, 3, d, k, g, true, &self), -EINVAL);
	CHECK_UNCHANGED(skag_group_join(T, p, getpid(), 0, -3, d, k, g, true, &self), -EINVAL);
	CHECK_UNCHANGED(skag_group_join(T, p, getpid(), 0, 3, NULL, k, g, true, &self), -EINVAL);
	CHECK_UNCHANGED(skag_group_join(T, p, getpid(), 0, 3, d, NULL, g, true, &self), -EINVAL);
	CHECK_UNCHANGED(skag_group_join(T, p, getpid(), 0, 3, d, k, g, true, NULL), -EINVAL);
	CHECK_UNCHANGED(skag_group_leave(T, 0, -1, g), -EINVAL);
	CHECK_UNCHANGED(skag_group_destroy(NULL, 0, 0, g), -EINVAL);
	CHECK_UNCHANGED(skag_handler_get(T, 0, 0, g, NULL, &h), -EINVAL);
	CHECK_UNCHANGED(skag_handler_get(T, 0, 0, g, d, NULL), -EINVAL);
	CHECK_UNCHANGED(skag_link_resolve(T, 0, 0, 0, h, &l), -EINVAL);
	CHECK_UNCHANGED(skag_link_resolve(T, 0, 0, h, 0, &l), -EINVAL);
	CHECK_UNCHANGED(skag_link_resolve(T, 0, -1, h, h, &l), -EINVAL);
	CHECK_UNCHANGED(skag_link_resolve(T, 0, 0, h, h, NULL), -EINVAL);
	CHECK_UNCHANGED(skag_dev_remove(T, p, -1), -EINVAL);
	CHECK_UNCHANGED(skag_dev_remove(T, -1, 0), -EINVAL);
	CHECK_UNCHANGED(skag_dev_remove(T, SKAG_MAX_PROCS, 0), -EINVAL);
	CHECK_UNCHANGED(skag_group_info(T, g, NULL, 1, &nb), -EINVAL);
	CHECK_UNCHANGED(skag_group_info(T, g, &info, 1, NULL), -EINVAL);
	CHECK_UNCHANGED(skag_proc_event_pop(T, p + 1, &ev), -EINVAL);
	CHECK_UNCHANGED(skag_proc_event_pop(T, p, NULL), -EINVAL);
	CHECK_UNCHANGED(skag_proc_wait(T, SKAG_MAX_PROCS, 0, 0), -EINVAL);
	CHECK_UNCHANGED(skag_proc_attach(T, 0, 0), -EINVAL);
	CHECK_UNCHANGED(skag_proc_reap(NULL, -1), -EINVAL);
}

static void
test_table_full(void)
{
	uint8_t d[SKAG_UUID_LEN], k[SKAG_UUID_LEN];
	struct skag_member_ref self;
	int16_t gid = -1;
	int p, i;

	tbl_setup(4, 2);
	p = proc_new();
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(create(p, i, i, i, false), i);
	id_make(d, DOMAIN, 9);
	id_make(k, TOKEN, 9);
	CHECK_UNCHANGED(skag_group_create(T, p, getpid(), 0, 9, d, k, false, &gid, &self), -ENOSPC);
	CU_ASSERT_EQUAL(gid, -1);
	/* A freed slot is usable again. */
	CU_ASSERT_EQUAL(skag_group_destroy(T, 0, 2, 2), 0);
	CU_ASSERT_EQUAL(create(p, 9, 9, 9, false), 2);
}

static void
test_group_full(void)
{
	int p, g;

	tbl_setup(2, 3);
	p = proc_new();
	g = create(p, 0, 0, 100, false);
	CU_ASSERT_EQUAL(join(p, 1, 1, 100, g, false), 0);
	CU_ASSERT_EQUAL(join(p, 2, 2, 100, g, false), 0);
	CHECK_UNCHANGED(join(p, 3, 3, 100, g, false), -ENOSPC);
	CU_ASSERT_EQUAL(nb_members(g), 3);
	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 1, g), 0);
	CU_ASSERT_EQUAL(join(p, 3, 3, 100, g, false), 0);
}

static void
test_join_errors(void)
{
	uint8_t d[SKAG_UUID_LEN], k[SKAG_UUID_LEN];
	struct skag_member_ref self;
	int p, g;

	tbl_setup(4, 4);
	p = proc_new();
	g = create(p, 0, 0, 100, false);
	CU_ASSERT_EQUAL(join(p, 1, 1, 100, g, false), 0);

	CHECK_UNCHANGED(join(p, 2, 2, 100, g + 1, false), -ENOENT);	/* free slot */
	CHECK_UNCHANGED(join(p, 2, 2, 100, 4, false), -ENOENT);	/* out of range */
	CHECK_UNCHANGED(join(p, 2, 2, 100, -1, false), -ENOENT);
	CHECK_UNCHANGED(join(p, 2, 2, 101, g, false), -EACCES);
	/* Only the last byte differs: every byte is compared. */
	id_make(d, DOMAIN, 2);
	id_make(k, TOKEN, 100);
	k[SKAG_UUID_LEN - 1] ^= 1;
	CHECK_UNCHANGED(skag_group_join(T, p, getpid(), 0, 2, d, k, g, false, &self), -EACCES);
	/* Wrong token wins over membership checks: no information leaks. */
	CHECK_UNCHANGED(join(p, 1, 1, 101, g, false), -EACCES);
	CHECK_UNCHANGED(join(p, 2, 1, 100, g, false), -EEXIST);	/* domain of a joiner */
	CHECK_UNCHANGED(join(p, 2, 0, 100, g, false), -EEXIST);	/* domain of the creator */
	CHECK_UNCHANGED(join(p, 1, 2, 100, g, false), -EEXIST);	/* device of a joiner */
	CHECK_UNCHANGED(join(p, 0, 2, 100, g, false), -EEXIST);	/* device of the creator */
	CU_ASSERT_EQUAL(nb_members(g), 2);
	CU_ASSERT_EQUAL(join(p, 2, 2, 100, g, false), 0);
}

static void
test_handler_get_errors(void)
{
	uint8_t d[SKAG_UUID_LEN];
	uint16_t h = 0;
	int p, g;

	tbl_setup(4, 4);
	p = proc_new();
	g = create(p, 0, 0, 100, false);
	CU_ASSERT_EQUAL(join(p, 1, 1, 100, g, false), 0);
	id_make(d, DOMAIN, 1);

	CHECK_UNCHANGED(skag_handler_get(T, 0, 0, g + 1, d, &h), -ENOENT);
	CHECK_UNCHANGED(skag_handler_get(T, 0, 0, 100, d, &h), -ENOENT);
	CHECK_UNCHANGED(skag_handler_get(T, 0, 5, g, d, &h), -EPERM);
	id_make(d, DOMAIN, 7);
	CHECK_UNCHANGED(skag_handler_get(T, 0, 0, g, d, &h), -ENOENT);
	CU_ASSERT_EQUAL(h, 0);
	CU_ASSERT_NOT_EQUAL(handler_of(0, g, 1), 0);
	/* After the leave the domain is gone, the leaver is no member. */
	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 1, g), 0);
	id_make(d, DOMAIN, 1);
	CHECK_UNCHANGED(skag_handler_get(T, 0, 0, g, d, &h), -ENOENT);
	id_make(d, DOMAIN, 0);
	CHECK_UNCHANGED(skag_handler_get(T, 0, 1, g, d, &h), -EPERM);
}

static void
test_leave(void)
{
	struct skag_tbl_stats st;
	int p, g;

	tbl_setup(4, 4);
	p = proc_new();
	g = create(p, 0, 0, 100, false);
	CU_ASSERT_EQUAL(join(p, 1, 1, 100, g, false), 0);
	CU_ASSERT_EQUAL(join(p, 2, 2, 100, g, false), 0);

	CHECK_UNCHANGED(skag_group_leave(T, 0, 0, g + 1), -ENOENT);
	CHECK_UNCHANGED(skag_group_leave(T, 0, 0, -5), -ENOENT);
	CHECK_UNCHANGED(skag_group_leave(T, 0, 3, g), -EPERM);
	CHECK_UNCHANGED(skag_group_leave(T, 0, 0, g), -EBUSY);

	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 1, g), 0);
	CU_ASSERT_EQUAL(nb_members(g), 2);
	CU_ASSERT(!skag_dev_is_member(T, 0, 1, g));
	CHECK_UNCHANGED(skag_group_leave(T, 0, 1, g), -EPERM);
	CHECK_UNCHANGED(skag_group_leave(T, 0, 0, g), -EBUSY);
	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 2, g), 0);

	/* The creator leaving as last member destroys the group. */
	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 0, g), 0);
	CU_ASSERT_EQUAL(skag_group_next(T, -1), -1);
	CU_ASSERT_EQUAL(skag_group_info(T, g, NULL, 0, &(unsigned int){0}), -ENOENT);
	CU_ASSERT(!block_has(100));
	skag_tbl_stats_get(T, &st);
	CU_ASSERT_EQUAL(st.live_groups, 0);
	CU_ASSERT_EQUAL(st.live_members, 0);
	CHECK_UNCHANGED(skag_group_leave(T, 0, 0, g), -ENOENT);
}

static void
test_destroy(void)
{
	struct skag_tbl_stats st;
	int p, g;

	tbl_setup(4, 4);
	p = proc_new();
	g = create(p, 0, 0, 100, false);
	CU_ASSERT_EQUAL(join(p, 1, 1, 100, g, false), 0);

	CHECK_UNCHANGED(skag_group_destroy(T, 0, 0, g + 1), -ENOENT);
	CHECK_UNCHANGED(skag_group_destroy(T, 0, 0, 4), -ENOENT);
	CHECK_UNCHANGED(skag_group_destroy(T, 0, 1, g), -EPERM);	/* joiner */
	CHECK_UNCHANGED(skag_group_destroy(T, 0, 2, g), -EPERM);	/* not a member */
	CHECK_UNCHANGED(skag_group_destroy(T, 0, 0, g), -EBUSY);
	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 1, g), 0);
	CU_ASSERT(block_has(100));
	CU_ASSERT_EQUAL(skag_group_destroy(T, 0, 0, g), 0);
	CU_ASSERT(!block_has(100));
	CU_ASSERT(!skag_dev_is_member(T, 0, 0, g));
	skag_tbl_stats_get(T, &st);
	CU_ASSERT_EQUAL(st.live_groups, 0);
	CU_ASSERT_EQUAL(st.live_members, 0);
	CHECK_UNCHANGED(skag_group_destroy(T, 0, 0, g), -ENOENT);
}

static void
test_handler_unique(void)
{
	static uint8_t seen[UINT16_MAX + 1];
	struct skag_link l;
	uint16_t h;
	int p, g, m, gids[64];

	tbl_setup(64, 8);
	p = proc_new();
	memset(seen, 0, sizeof(seen));
	for (g = 0; g < 64; g++) {
		gids[g] = create(p, 0, 0, g, false);
		for (m = 1; m < 8; m++)
			CU_ASSERT_EQUAL(join(p, m, m, g, gids[g], false), 0);
	}
	for (g = 0; g < 64; g++) {
		for (m = 0; m < 8; m++) {
			h = handler_of(0, gids[g], m);
			CU_ASSERT(h != 0);
			CU_ASSERT_EQUAL(seen[h], 0);
			seen[h] = 1;
		}
	}
	/* Handlers of two groups never resolve together, even for a member of both. */
	CHECK_UNCHANGED(skag_link_resolve(T, 0, 0, handler_of(0, gids[0], 1),
			handler_of(0, gids[1], 1), &l), -EPERM);
	/* A member may link two other members of its group. */
	CU_ASSERT_EQUAL(skag_link_resolve(T, 0, 3, handler_of(1, gids[0], 1),
			handler_of(1, gids[0], 2), &l), 0);
	CU_ASSERT_EQUAL(l.group_id, gids[0]);
	CU_ASSERT(link_ok(&l));
	/* A device resolves only in groups it belongs to. */
	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 3, gids[5]), 0);
	CHECK_UNCHANGED(skag_link_resolve(T, 0, 3, handler_of(0, gids[5], 1),
			handler_of(0, gids[5], 2), &l), -EPERM);
	CHECK_UNCHANGED(skag_link_resolve(T, 0, 9, handler_of(0, gids[5], 1),
			handler_of(0, gids[5], 2), &l), -EPERM);
}

static void
test_handler_stale(void)
{
	struct skag_member_info info[2];
	struct skag_link l;
	uint16_t hc, hj;
	unsigned int i, nb;
	int p, g;

	tbl_setup(1, 2);
	p = proc_new();
	g = create(p, 0, 0, 100, false);
	CU_ASSERT_EQUAL(join(p, 1, 1, 100, g, false), 0);
	hc = handler_of(0, g, 0);
	hj = handler_of(0, g, 1);
	CU_ASSERT_EQUAL(skag_link_resolve(T, 0, 0, hc, hj, &l), 0);
	CU_ASSERT(skag_link_fresh(&l));

	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 1, g), 0);
	CU_ASSERT(!skag_link_fresh(&l));
	CU_ASSERT(!link_ok(&l));
	CHECK_UNCHANGED(skag_link_resolve(T, 0, 0, hc, hj, &l), -EPERM);

	/* The same slot is reused at once, its handler is not. */
	for (i = 0; i < UINT16_MAX - 3; i++) {
		CU_ASSERT_EQUAL_FATAL(join(p, 1, 1, 100, g, false), 0);
		CU_ASSERT_EQUAL_FATAL(skag_group_info(T, g, info, 2, &nb), 0);
		if (info[1].handler == hj || info[1].handler == hc || info[1].handler == 0) {
			CU_FAIL("handler reused too early");
			break;
		}
		CU_ASSERT_EQUAL_FATAL(skag_group_leave(T, 0, 1, g), 0);
	}
	CU_ASSERT(!link_ok(&l));
	CHECK_UNCHANGED(skag_link_resolve(T, 0, 0, hc, hj, &l), -EPERM);
}

/*
 * A link runs while its source, destination and submitting members are live: a departure of
 * another member only makes it look again; the submitter leaving, or the group ending, stops it.
 */
static void
test_link_members(void)
{
	struct skag_link l;
	int p, g;

	tbl_setup(2, 8);
	p = proc_new();
	g = create(p, 0, 0, 100, false);
	CU_ASSERT_EQUAL(join(p, 1, 1, 100, g, false), 0);
	CU_ASSERT_EQUAL(join(p, 2, 2, 100, g, false), 0);
	CU_ASSERT_EQUAL(join(p, 3, 3, 100, g, false), 0);
	/* Device 2 moves data from member 0 to member 1. */
	CU_ASSERT_EQUAL(skag_link_resolve(T, 0, 2, handler_of(2, g, 0), handler_of(2, g, 1), &l), 0);
	CU_ASSERT(skag_link_fresh(&l));
	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 3, g), 0);
	CU_ASSERT(!skag_link_fresh(&l));
	CU_ASSERT(skag_link_revalidate(&l));
	CU_ASSERT(skag_link_fresh(&l));
	/* The submitter leaves: the link stops, although both ends are still there. */
	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 2, g), 0);
	CU_ASSERT(!skag_link_fresh(&l));
	CU_ASSERT(!skag_link_revalidate(&l));
	CU_ASSERT(!skag_link_revalidate(&l));
	/* The group ends: every link of it stops. */
	CU_ASSERT_EQUAL(skag_link_resolve(T, 0, 1, handler_of(1, g, 0), handler_of(1, g, 1), &l), 0);
	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 1, g), 0);
	CU_ASSERT(!link_ok(&l));
	CU_ASSERT_EQUAL(skag_link_resolve(T, 0, 0, handler_of(0, g, 0), handler_of(0, g, 0), &l), 0);
	CU_ASSERT(link_ok(&l));
	CU_ASSERT_EQUAL(skag_group_destroy(T, 0, 0, g), 0);
	CU_ASSERT(!link_ok(&l));
}

/* Fill the 16-bit handler space: the last member cannot get one. */
static void
test_handler_space_full(void)
{
	uint8_t d[SKAG_UUID_LEN], k[SKAG_UUID_LEN];
	struct skag_member_ref self;
	int p, g, m, gid;

	tbl_setup(SKAG_MAX_GROUPS, SKAG_MAX_MEMBERS);
	p = proc_new();
	for (g = 0; g < SKAG_MAX_GROUPS; g++) {
		gid = create(p, 0, 0, g, false);
		for (m = 1; m < SKAG_MAX_MEMBERS; m++) {
			if (g == SKAG_MAX_GROUPS - 1 && m == SKAG_MAX_MEMBERS - 1)
				break;
			CU_ASSERT_EQUAL_FATAL(join(p, m, m, g, gid, false), 0);
		}
	}
	id_make(d, DOMAIN, 99);
	id_make(k, TOKEN, SKAG_MAX_GROUPS - 1);
	CHECK_UNCHANGED(skag_group_join(T, p, getpid(), 0, 99, d, k,
					SKAG_MAX_GROUPS - 1, false, &self),
			-ENOSPC);
	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 1, 0), 0);
	CU_ASSERT_EQUAL(skag_group_join(T, p, getpid(), 0, 99, d, k,
					SKAG_MAX_GROUPS - 1, false, &self), 0);
}

static void
test_group_id_reuse(void)
{
	int p, g0, g, i;

	tbl_setup(4, 2);
	p = proc_new();
	g0 = create(p, 0, 0, 100, false);
	CU_ASSERT_EQUAL(skag_group_destroy(T, 0, 0, g0), 0);
	/* Round robin: the id comes back only after the others were handed out. */
	for (i = 1; i < 4; i++) {
		g = create(p, i, i, 200 + i, false);
		CU_ASSERT_NOT_EQUAL(g, g0);
		CU_ASSERT_EQUAL(skag_group_destroy(T, 0, i, g), 0);
	}
	CU_ASSERT_EQUAL(create(p, 5, 5, 300, false), g0);
	CHECK_UNCHANGED(join(p, 6, 6, 100, g0, false), -EACCES);
	CU_ASSERT_EQUAL(join(p, 6, 6, 300, g0, false), 0);
}

/* Freed ids come back oldest freed first, whatever their value; the FIFO wraps. */
static void
test_group_id_fifo(void)
{
	static const int16_t freed[] = { 2, 0, 3 };
	static const int16_t cycle[] = { 2, 0, 3, 1 };
	int p, i;

	tbl_setup(4, 2);
	p = proc_new();
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(create(p, i, i, i, false), i);
	for (i = 0; i < (int)DIM(freed); i++)
		CU_ASSERT_EQUAL(skag_group_destroy(T, 0, freed[i], freed[i]), 0);
	check_free_order(p, freed, DIM(freed));
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(skag_group_destroy(T, 0, i < 3 ? 100 + i : 1, i < 3 ? freed[i] : 1),
				0);

	/* Free order is now 2 0 3 1; the FIFO indexes run far past its size. */
	for (i = 0; i < 3 * SKAG_MAX_GROUPS + 3; i++) {
		int16_t g = (int16_t)group_new(p, 9, 9, 9, false);

		CU_ASSERT_EQUAL_FATAL(g, cycle[i % 4]);
		CU_ASSERT_EQUAL_FATAL(skag_group_destroy(T, 0, 9, g), 0);
	}
	check_free_order(p, (const int16_t[]){ 1, 2, 0, 3 }, 4);
}

static void
test_token_wiped(void)
{
	int p, g;

	tbl_setup(4, 4);
	p = proc_new();
	g = create(p, 0, 0, 0x1234, false);
	CU_ASSERT_EQUAL(join(p, 1, 1, 0x1234, g, false), 0);
	CU_ASSERT(block_has(0x1234));
	/* Every destruction path wipes: device close of the creator here. */
	CU_ASSERT_EQUAL(skag_dev_remove(T, p, 0), 1);
	CU_ASSERT(!block_has(0x1234));
	/* Detach of the creator's process. */
	g = create(p, 0, 0, 0x5678, false);
	CU_ASSERT(block_has(0x5678));
	skag_proc_detach(T, procs[--nb_procs]);
	CU_ASSERT(!block_has(0x5678));
}

static void
test_events_member_left(void)
{
	struct skag_event ev[4];
	int pc, pj, pn, pl, g;
	uint32_t seq;

	tbl_setup(4, 8);
	pc = proc_new();	/* creator */
	pj = proc_new();	/* joiners with events */
	pn = proc_new();	/* joiner without events */
	pl = proc_new();	/* the leaver */
	g = create(pc, 0, 0, 100, true);
	CU_ASSERT_EQUAL(join(pj, 1, 1, 100, g, true), 0);
	CU_ASSERT_EQUAL(join(pn, 2, 2, 100, g, false), 0);
	CU_ASSERT_EQUAL(join(pl, 3, 3, 100, g, true), 0);
	CU_ASSERT_EQUAL(join(pj, 4, 4, 100, g, true), 0);
	/* Joins post nothing. */
	CU_ASSERT_EQUAL(pop_all(pc, ev, 4), 0);
	seq = skag_proc_seq(T, pc);

	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 3, g), 0);
	CU_ASSERT_EQUAL(skag_proc_seq(T, pc), seq + 1);
	CU_ASSERT_EQUAL_FATAL(pop_all(pc, ev, 4), 1);
	CU_ASSERT_EQUAL(ev[0].type, SKAG_EV_MEMBER_LEFT);
	CU_ASSERT_EQUAL(ev[0].dev_id, 0);
	CU_ASSERT_EQUAL(ev[0].group_id, g);
	CU_ASSERT_EQUAL(ev[0].member_idx, 0);
	CU_ASSERT(domain_is(ev[0].domain, 3));
	/* One event per registration of the process, each for its own member. */
	CU_ASSERT_EQUAL_FATAL(pop_all(pj, ev, 4), 2);
	CU_ASSERT(ev[0].type == SKAG_EV_MEMBER_LEFT && ev[1].type == SKAG_EV_MEMBER_LEFT);
	CU_ASSERT(domain_is(ev[0].domain, 3) && domain_is(ev[1].domain, 3));
	CU_ASSERT((ev[0].dev_id == 1 && ev[1].dev_id == 4) ||
		  (ev[0].dev_id == 4 && ev[1].dev_id == 1));
	CU_ASSERT_EQUAL(pop_all(pn, ev, 4), 0);
	CU_ASSERT_EQUAL(pop_all(pl, ev, 4), 0);
	/* Exactly once. */
	CU_ASSERT_EQUAL(pop_all(pc, ev, 4), 0);
	CU_ASSERT_EQUAL(pop_all(pj, ev, 4), 0);
}

/* The owner's pop while a departure holds the table lock, at the point it posted. */
static struct {
	int proc;
	int rc;
	struct skag_event ev;
	pthread_t th;
	bool started;
	bool unlocked;		/* the pop returned while the lock was held */
} pop_under;

static void *
pop_under_run(void *arg)
{
	(void)arg;
	pop_under.rc = skag_proc_event_pop(T, pop_under.proc, &pop_under.ev);
	return NULL;
}

static void
pop_under_hook(enum skag_crash_point cp)
{
	struct timespec deadline;

	if (cp != SKAG_CP_POSTED || pop_under.started)
		return;
	pop_under.started = pthread_create(&pop_under.th, NULL, pop_under_run, NULL) == 0;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += BOUND_MS / 1000 + 1;
	pop_under.unlocked = pop_under.started &&
			     pthread_timedjoin_np(pop_under.th, NULL, &deadline) == 0;
}

/* Watchers woken by a departure do not queue on the table lock to read their events. */
static void
test_events_pop_unlocked(void)
{
	int pc, pl, g;

	tbl_setup(4, 4);
	pc = proc_new();
	pl = proc_new();
	g = create(pc, 0, 0, 100, true);
	CU_ASSERT_EQUAL(join(pl, 1, 1, 100, g, true), 0);
	memset(&pop_under, 0, sizeof(pop_under));
	pop_under.proc = pc;
	skag_test_crash_point = pop_under_hook;
	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 1, g), 0);
	skag_test_crash_point = NULL;
	CU_ASSERT_FATAL(pop_under.started);
	if (!pop_under.unlocked)
		pthread_join(pop_under.th, NULL);
	CU_ASSERT(pop_under.unlocked);
	CU_ASSERT_EQUAL(pop_under.rc, 1);
	CU_ASSERT_EQUAL(pop_under.ev.type, SKAG_EV_MEMBER_LEFT);
	CU_ASSERT(domain_is(pop_under.ev.domain, 1));
}

static void
test_events_group_destroyed(void)
{
	struct skag_event ev[4];
	int pc, pj, pn, g, g2;

	tbl_setup(4, 8);
	pc = proc_new();
	pj = proc_new();
	pn = proc_new();
	g = create(pc, 0, 0, 100, true);
	CU_ASSERT_EQUAL(join(pj, 1, 1, 100, g, true), 0);
	CU_ASSERT_EQUAL(join(pn, 2, 2, 100, g, false), 0);
	/* dev 0 is also a joiner elsewhere: that membership is a plain leave. */
	g2 = create(pj, 5, 5, 200, true);
	CU_ASSERT_EQUAL(join(pc, 0, 0, 200, g2, true), 0);

	CU_ASSERT_EQUAL(skag_dev_remove(T, pc, 0), 2);
	CU_ASSERT_EQUAL(skag_group_next(T, -1), g2);
	CU_ASSERT_EQUAL(nb_members(g2), 1);
	CU_ASSERT_EQUAL_FATAL(pop_all(pj, ev, 4), 2);
	CU_ASSERT_EQUAL(ev[0].type + ev[1].type, SKAG_EV_MEMBER_LEFT + SKAG_EV_GROUP_DESTROYED);
	if (ev[0].type != SKAG_EV_GROUP_DESTROYED)
		ev[0] = ev[1];
	CU_ASSERT_EQUAL(ev[0].type, SKAG_EV_GROUP_DESTROYED);
	CU_ASSERT_EQUAL(ev[0].dev_id, 1);
	CU_ASSERT_EQUAL(ev[0].group_id, g);
	CU_ASSERT(domain_is(ev[0].domain, 1));	/* the recipient's own domain */
	CU_ASSERT_EQUAL(pop_all(pn, ev, 4), 0);
	CU_ASSERT_EQUAL(pop_all(pc, ev, 4), 0);
	CU_ASSERT_EQUAL(skag_dev_remove(T, pc, 0), 0);
	CU_ASSERT_EQUAL(pop_all(pj, ev, 4), 0);
}

/* Devices are shared by the processes: a close removes the memberships of its process only. */
static void
test_dev_remove_per_process(void)
{
	struct skag_event ev[2];
	int p, q, g1, g2;

	tbl_setup(4, 4);
	p = proc_new();
	q = proc_new();
	g1 = create(p, 0, 0, 100, true);
	g2 = create(q, 1, 1, 200, true);
	CU_ASSERT_EQUAL(join(q, 0, 2, 200, g2, false), 0);
	CHECK_UNCHANGED(skag_dev_remove(T, p, 5), 0);
	CU_ASSERT_EQUAL(skag_dev_remove(T, p, 0), 1);
	CU_ASSERT_EQUAL(skag_group_info(T, g1, NULL, 0, &(unsigned int){0}), -ENOENT);
	CU_ASSERT(skag_dev_is_member(T, 0, 0, g2));
	CU_ASSERT_EQUAL(pop_all(q, ev, 2), 0);
	CU_ASSERT_EQUAL(skag_dev_remove(T, q, 0), 1);
	CU_ASSERT(!skag_dev_is_member(T, 0, 0, g2));
	CU_ASSERT_EQUAL_FATAL(pop_all(q, ev, 2), 1);
	CU_ASSERT_EQUAL(ev[0].type, SKAG_EV_MEMBER_LEFT);
	CU_ASSERT(domain_is(ev[0].domain, 2));
}

static void
test_mailbox_overflow(void)
{
	struct skag_tbl_stats st;
	struct skag_event ev;
	uint32_t seq;
	int pc, pj, g, i;

	tbl_setup(1, 2);
	pc = proc_new();
	pj = proc_new();
	g = create(pc, 0, 0, 100, true);
	seq = skag_proc_seq(T, pc);
	for (i = 0; i < SKAG_EVQ_SIZE + 5; i++) {
		CU_ASSERT_EQUAL_FATAL(join(pj, 1, 1, 100, g, true), 0);
		CU_ASSERT_EQUAL_FATAL(skag_group_leave(T, 0, 1, g), 0);
	}
	CU_ASSERT_EQUAL(skag_proc_seq(T, pc), seq + SKAG_EVQ_SIZE + 5);
	skag_tbl_stats_get(T, &st);
	CU_ASSERT_EQUAL(st.ev_dropped, 5);
	CU_ASSERT_EQUAL(pop_all(pc, &ev, 1), SKAG_EVQ_SIZE);
	CU_ASSERT_EQUAL(ev.type, SKAG_EV_MEMBER_LEFT);
	/* Room again after popping. */
	CU_ASSERT_EQUAL(join(pj, 1, 1, 100, g, true), 0);
	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 1, g), 0);
	CU_ASSERT_EQUAL(pop_all(pc, &ev, 1), 1);
	skag_tbl_stats_get(T, &st);
	CU_ASSERT_EQUAL(st.ev_dropped, 5);
}

/* Create and join through slot p, which the caller's pid no longer holds, fail. */
static void
slot_reused(int p, int other)
{
	uint8_t d[SKAG_UUID_LEN], k[SKAG_UUID_LEN];
	struct skag_member_ref self;
	int16_t gid;
	int g;

	g = create(other, 5, 5, 101, false);
	id_make(d, DOMAIN, 6);
	id_make(k, TOKEN, 101);
	CHECK_UNCHANGED(skag_group_create(T, p, getpid(), 0, 6, d, k, false, &gid, &self),
			-EINVAL);
	CHECK_UNCHANGED(skag_group_join(T, p, getpid(), 0, 6, d, k, g, false, &self), -EINVAL);
	/* The slot's own process, of its own instance only. */
	CHECK_UNCHANGED(skag_group_join(T, p, getpid() + 1, 1, 6, d, k, g, false, &self),
			-EINVAL);
	CU_ASSERT_EQUAL(skag_group_join(T, p, getpid() + 1, 0, 6, d, k, g, false, &self), 0);
}

static void
test_proc_slots(void)
{
	struct skag_tbl_stats st;
	struct skag_event ev[2];
	int i, p, pc, pj, g;

	tbl_setup(4, 4);
	for (i = 0; i < SKAG_MAX_PROCS; i++)
		proc_new();
	CHECK_UNCHANGED(skag_proc_attach(T, getpid(), 0), -ENOSPC);
	skag_tbl_stats_get(T, &st);
	CU_ASSERT_EQUAL(st.procs, SKAG_MAX_PROCS);
	/* Our own slots are alive: reap leaves them. */
	CU_ASSERT_EQUAL(skag_proc_reap(T, -1), 0);
	p = procs[--nb_procs];
	skag_proc_detach(T, p);
	CU_ASSERT_EQUAL(skag_proc_attach(T, getpid(), 0), p);
	procs[nb_procs++] = p;

	/* Detach removes memberships: a joiner leaves, a creator's group goes. */
	pc = procs[0];
	pj = procs[1];
	g = create(pc, 0, 0, 100, true);
	CU_ASSERT_EQUAL(join(pj, 1, 1, 100, g, true), 0);
	skag_proc_detach(T, pj);
	CU_ASSERT_EQUAL_FATAL(pop_all(pc, ev, 2), 1);
	CU_ASSERT_EQUAL(ev[0].type, SKAG_EV_MEMBER_LEFT);
	CU_ASSERT_EQUAL(skag_proc_attach(T, getpid(), 0), pj);
	CU_ASSERT_EQUAL(join(pj, 1, 1, 100, g, true), 0);
	skag_proc_detach(T, pc);
	CU_ASSERT_EQUAL(skag_group_next(T, -1), -1);
	CU_ASSERT_EQUAL_FATAL(pop_all(pj, ev, 2), 1);
	CU_ASSERT_EQUAL(ev[0].type, SKAG_EV_GROUP_DESTROYED);
	CU_ASSERT_EQUAL(skag_proc_attach(T, getpid(), 0), pc);
	CU_ASSERT_EQUAL(pop_all(pc, ev, 2), 0);	/* a new slot starts empty */

	/*
	 * A slot another process took since is not the caller's: a dying process whose slot was
	 * reaped and taken at once creates and joins nothing through it.
	 */
	skag_proc_detach(T, pc);
	CU_ASSERT_EQUAL(skag_proc_attach(T, getpid() + 1, 0), pc);
	slot_reused(pc, pj);
}

static void
test_repair_consistent(void)
{
	struct skag_tbl_stats st;
	struct skag_member_info a[4], b[4];
	struct skag_event ev;
	unsigned int na, nb;
	int p, g;

	tbl_setup(4, 4);
	p = proc_new();
	g = create(p, 0, 0, 100, true);
	CU_ASSERT_EQUAL(join(p, 1, 1, 100, g, true), 0);
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	CU_ASSERT_EQUAL(skag_group_info(T, g, a, 4, &na), 0);
	CU_ASSERT_EQUAL(skag_tbl_repair(T), 0);
	CU_ASSERT_EQUAL(skag_group_info(T, g, b, 4, &nb), 0);
	CU_ASSERT_EQUAL(na, nb);
	CU_ASSERT(memcmp(a, b, sizeof(a)) == 0);
	skag_tbl_stats_get(T, &st);
	CU_ASSERT_EQUAL(st.repairs, 1);
	CU_ASSERT_EQUAL(st.live_groups, 1);
	CU_ASSERT_EQUAL(st.live_members, 2);
	CU_ASSERT_EQUAL(skag_proc_event_pop(T, p, &ev), 0);

	/* The free group FIFO keeps its order across a repair: 2 3 1 here, not id order. */
	CU_ASSERT_EQUAL(create(p, 5, 5, 200, false), 1);
	CU_ASSERT_EQUAL(skag_group_destroy(T, 0, 5, 1), 0);
	CU_ASSERT_EQUAL(skag_tbl_repair(T), 0);
	check_free_order(p, (const int16_t[]){ 2, 3, 1 }, 3);
}

/* First copy of an id in the table block, NULL if none. */
static uint8_t *
block_find(enum id_kind kind, uint32_t n)
{
	uint8_t id[SKAG_UUID_LEN];

	id_make(id, kind, n);
	return memmem(mem, mem_len, id, sizeof(id));
}

/* The rules checker itself must see a broken table. */
static void
test_checker(void)
{
	uint8_t *dom1, *tok;
	char msg[256] = "";
	int p, g;

	tbl_setup(4, 4);
	p = proc_new();
	g = create(p, 0, 0, 100, false);
	CU_ASSERT_EQUAL(join(p, 1, 1, 100, g, false), 0);
	CU_ASSERT_EQUAL(skag_tbl_check(T, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(skag_tbl_check(NULL, msg, sizeof(msg)), -EINVAL);

	/* Two members of one group with one domain: the joiner's domain (no event holds one). */
	dom1 = block_find(DOMAIN, 1);
	CU_ASSERT_FATAL(dom1 != NULL);
	id_make(dom1, DOMAIN, 0);
	CU_ASSERT_EQUAL(skag_tbl_check(T, msg, sizeof(msg)), -EPROTO);
	CU_ASSERT(strstr(msg, "share a device or domain") != NULL);
	CU_ASSERT_EQUAL(skag_tbl_check(T, NULL, 0), -EPROTO);
	id_make(dom1, DOMAIN, 1);
	CU_ASSERT_EQUAL(skag_tbl_check(T, msg, sizeof(msg)), 0);

	/* A free group that kept its token. */
	tok = block_find(TOKEN, 100);
	CU_ASSERT_FATAL(tok != NULL);
	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 1, g), 0);
	CU_ASSERT_EQUAL(skag_group_destroy(T, 0, 0, g), 0);
	CU_ASSERT_EQUAL(skag_tbl_check(T, msg, sizeof(msg)), 0);
	id_make(tok, TOKEN, 100);
	CU_ASSERT_EQUAL(skag_tbl_check(T, msg, sizeof(msg)), -EPROTO);
	CU_ASSERT(strstr(msg, "token not wiped") != NULL);
	memset(tok, 0, SKAG_UUID_LEN);
	CU_ASSERT_EQUAL(skag_tbl_check(T, msg, sizeof(msg)), 0);
}

/* A mailbox owner waiting, as a watcher thread does. */
struct owner_wait {
	int proc;
	uint32_t seq;
	unsigned int timeout_ms;
	int rc;
	pthread_t th;
};

static void *
owner_wait_run(void *arg)
{
	struct owner_wait *w = arg;

	w->rc = skag_proc_wait(T, w->proc, w->seq, w->timeout_ms);
	return NULL;
}

static void
test_wait_timeout(void)
{
	struct timespec t0, t1;
	int p;
	long ms;

	tbl_setup(1, 2);
	p = proc_new();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT_EQUAL(skag_proc_wait(T, p, skag_proc_seq(T, p), 50), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CU_ASSERT(ms >= 50);
	/* A stale seen value returns at once. */
	CU_ASSERT_EQUAL(skag_proc_wait(T, p, skag_proc_seq(T, p) + 1, 10000), 0);
}

/* A wait without timeout returns when woken. */
static void
test_wait_forever(void)
{
	struct owner_wait w;
	struct timespec deadline;
	int p, rc;

	tbl_setup(1, 2);
	p = proc_new();
	w = (struct owner_wait){ .proc = p, .timeout_ms = SKAG_WAIT_FOREVER };
	w.seq = skag_proc_seq(T, p);
	CU_ASSERT_EQUAL(skag_proc_wait(T, p, w.seq + 1, SKAG_WAIT_FOREVER), 0);
	w.rc = 1;
	CU_ASSERT_FATAL(pthread_create(&w.th, NULL, owner_wait_run, &w) == 0);
	usleep(50 * 1000);
	CU_ASSERT_EQUAL(w.rc, 1);	/* still waiting */
	skag_proc_wake(T, p);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += BOUND_MS / 1000;
	rc = pthread_timedjoin_np(w.th, NULL, &deadline);
	CU_ASSERT_EQUAL(rc, 0);
	if (rc != 0) {
		skag_proc_wake(T, p);
		pthread_join(w.th, NULL);
	}
	CU_ASSERT_EQUAL(w.rc, 0);
}

/*
 * A departure wakes the waiting owner of each mailbox it posted to (one wake-up for all of
 * them), and no other owner.
 */
static void
test_wait_departure_wakes_all(void)
{
	struct owner_wait w[4];
	int pc, pa, pb, px, pl, g, i;

	tbl_setup(4, 8);
	pc = proc_new();
	pa = proc_new();
	pb = proc_new();
	px = proc_new();	/* in another group only */
	pl = proc_new();	/* the leaver */
	g = create(pc, 0, 0, 100, true);
	CU_ASSERT_EQUAL(join(pa, 1, 1, 100, g, true), 0);
	CU_ASSERT_EQUAL(join(pb, 2, 2, 100, g, true), 0);
	create(px, 3, 3, 200, true);
	CU_ASSERT_EQUAL(join(pl, 4, 4, 100, g, true), 0);
	w[0] = (struct owner_wait){ .proc = pc, .timeout_ms = BOUND_MS };
	w[1] = (struct owner_wait){ .proc = pa, .timeout_ms = BOUND_MS };
	w[2] = (struct owner_wait){ .proc = pb, .timeout_ms = BOUND_MS };
	w[3] = (struct owner_wait){ .proc = px, .timeout_ms = 300 };
	for (i = 0; i < 4; i++) {
		w[i].seq = skag_proc_seq(T, w[i].proc);
		CU_ASSERT_FATAL(pthread_create(&w[i].th, NULL, owner_wait_run, &w[i]) == 0);
	}
	usleep(50 * 1000);	/* let them sleep: one that has not yet gets 0 as well */
	CU_ASSERT_EQUAL(skag_group_leave(T, 0, 4, g), 0);
	for (i = 0; i < 4; i++)
		pthread_join(w[i].th, NULL);
	CU_ASSERT_EQUAL(w[0].rc, 0);
	CU_ASSERT_EQUAL(w[1].rc, 0);
	CU_ASSERT_EQUAL(w[2].rc, 0);
	CU_ASSERT_EQUAL(w[3].rc, -ETIMEDOUT);
	CU_ASSERT_EQUAL(skag_proc_seq(T, px), w[3].seq);
}

/* ---- multi-process: children are other domains on the same shared table ---- */

static long
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Exit status of a child, -1 if it did not exit within the bound (it is then killed). */
static int
child_wait(pid_t pid)
{
	struct timespec t0;
	int status;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (ms_since(&t0) > 5 * BOUND_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(1000);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

/* Read a note of a child; false if none came within the bound. */
static bool
child_read(int fd, void *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 5 * BOUND_MS) == 1 && read(fd, buf, len) == (ssize_t)len;
}

static bool
child_ready(int fd)
{
	char c;

	return child_read(fd, &c, 1);
}

static void
child_note(int fd)
{
	char c = 0;

	if (write(fd, &c, 1) != 1)
		_exit(2);
}

/* Reap as slot self until a process is found dead; milliseconds it took, -1 past the bound. */
static long
reap_one(int self)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (skag_proc_reap(T, self) == 1)
			return ms_since(&t0);
		usleep(1000);
	} while (ms_since(&t0) <= BOUND_MS);
	return -1;
}

/* Child: attach, join g as dev 7 (domain 7), tell the parent, wait for a go, then exit. */
static void
child_join(int fd_note, int fd_go, int16_t g)
{
	int p = skag_proc_attach(T, getpid(), 0);
	char c;

	if (p < 0 || join(p, 7, 7, 100, g, true) != 0)
		_exit(1);
	child_note(fd_note);
	_exit(read(fd_go, &c, 1) == 1 ? 0 : 1);
}

static void
mp_joiner_dies(bool sigkill)
{
	struct skag_tbl_stats st;
	struct skag_event ev[2];
	int p, pz, g, fds[2], go[2];
	uint32_t seq, seq_z;
	pid_t pid;

	tbl_setup(4, 4);
	p = proc_new();
	pz = proc_new();	/* in no group */
	g = create(p, 0, 0, 100, true);
	CU_ASSERT_FATAL(pipe(fds) == 0 && pipe(go) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		child_join(fds[1], go[0], g);
	CU_ASSERT_FATAL(child_ready(fds[0]));
	CU_ASSERT_EQUAL(nb_members(g), 2);
	CU_ASSERT_EQUAL(skag_proc_reap(T, -1), 0);	/* the child still lives */
	seq = skag_proc_seq(T, p);
	seq_z = skag_proc_seq(T, pz);
	if (sigkill)
		kill(pid, SIGKILL);
	else
		child_note(go[1]);
	CU_ASSERT_EQUAL(child_wait(pid), sigkill ? 128 + SIGKILL : 0);
	/* A reaper's own mailbox is not woken: it runs the events itself. */
	CU_ASSERT(reap_one(sigkill ? p : -1) >= 0);
	CU_ASSERT_EQUAL(skag_proc_seq(T, p) != seq, !sigkill);
	/* The dead may have posted without waking: every other owner is woken. */
	CU_ASSERT_NOT_EQUAL(skag_proc_seq(T, pz), seq_z);
	CU_ASSERT_EQUAL(nb_members(g), 1);
	skag_tbl_stats_get(T, &st);
	CU_ASSERT_EQUAL(st.procs, 2);
	CU_ASSERT_EQUAL(st.repairs, 0);
	CU_ASSERT_EQUAL_FATAL(pop_all(p, ev, 2), 1);
	CU_ASSERT_EQUAL(ev[0].type, SKAG_EV_MEMBER_LEFT);
	CU_ASSERT(domain_is(ev[0].domain, 7));
	CU_ASSERT_EQUAL(skag_proc_reap(T, -1), 0);
	close(fds[0]);
	close(fds[1]);
	close(go[0]);
	close(go[1]);
}

static void
test_mp_joiner_exit(void)
{
	mp_joiner_dies(false);
}

static void
test_mp_joiner_killed(void)
{
	mp_joiner_dies(true);
}

/* Pipes of a child whose thread holds the child's process slot. */
struct slot_holder {
	int fd_note;
	int fd_go;
};

/* Attach, tell the parent, exit on a go (a little later, so that the parent waits by then). */
static void *
slot_holder_run(void *arg)
{
	const struct slot_holder *sh = arg;
	char c;

	if (skag_proc_attach(T, getpid(), 0) < 0)
		_exit(1);
	child_note(sh->fd_note);
	if (read(sh->fd_go, &c, 1) != 1)
		_exit(1);
	usleep(100 * 1000);
	return NULL;
}

static void *
death_kicker(void *arg)
{
	(void)arg;
	usleep(50 * 1000);
	skag_proc_death_kick();
	return NULL;
}

/*
 * skag_proc_death_wait() returns when the thread holding a slot exits, before anything else of
 * its process ends (here the process lives on), and the reap then finds the slot; it times out
 * without a death and returns on a kick.
 */
static void
test_mp_death_wait(void)
{
	struct slot_holder sh;
	int p, fds[2], go[2];
	struct timespec t0;
	pthread_t th;
	pid_t pid;
	char c;

	tbl_setup(4, 4);
	p = proc_new();
	CU_ASSERT_FATAL(pipe(fds) == 0 && pipe(go) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		sh = (struct slot_holder){ fds[1], go[0] };
		if (pthread_create(&th, NULL, slot_holder_run, &sh) != 0 ||
		    pthread_join(th, NULL) != 0)
			_exit(1);
		child_note(fds[1]);
		_exit(read(go[0], &c, 1) == 1 ? 0 : 1);
	}
	CU_ASSERT_FATAL(child_ready(fds[0]));
	CU_ASSERT_EQUAL(skag_proc_death_wait(T, p, skag_proc_death_kicks(), 20), -ETIMEDOUT);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, death_kicker, NULL) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT_EQUAL(skag_proc_death_wait(T, p, skag_proc_death_kicks(), 5 * BOUND_MS), 0);
	CU_ASSERT(ms_since(&t0) < BOUND_MS);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(skag_proc_reap(T, -1), 0);

	child_note(go[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT_EQUAL(skag_proc_death_wait(T, p, skag_proc_death_kicks(), 5 * BOUND_MS), 0);
	CU_ASSERT(ms_since(&t0) < BOUND_MS);
	/* The thread is gone, its process is not. */
	CU_ASSERT_FATAL(child_ready(fds[0]));
	CU_ASSERT_EQUAL(waitpid(pid, NULL, WNOHANG), 0);
	CU_ASSERT_EQUAL(skag_proc_reap(T, -1), 1);
	child_note(go[1]);
	CU_ASSERT_EQUAL(child_wait(pid), 0);
	close(fds[0]);
	close(fds[1]);
	close(go[0]);
	close(go[1]);
}

static void
test_mp_creator_killed(void)
{
	struct skag_event ev[2];
	struct skag_link l;
	int p, fds[2];
	int16_t g = -1;
	pid_t pid;

	tbl_setup(4, 4);
	p = proc_new();
	CU_ASSERT_FATAL(pipe(fds) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		int cp = skag_proc_attach(T, getpid(), 0);

		g = cp < 0 ? -1 : group_new(cp, 7, 7, 0xabcd, true);
		if (g < 0 || write(fds[1], &g, sizeof(g)) != sizeof(g))
			_exit(1);
		for (;;)
			pause();
	}
	CU_ASSERT_FATAL(child_read(fds[0], &g, sizeof(g)));
	CU_ASSERT_EQUAL_FATAL(join(p, 0, 0, 0xabcd, g, true), 0);
	CU_ASSERT_EQUAL(skag_link_resolve(T, 0, 0, handler_of(0, g, 7), handler_of(0, g, 0), &l),
			0);
	kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(child_wait(pid), 128 + SIGKILL);
	CU_ASSERT(reap_one(-1) >= 0);
	CU_ASSERT_EQUAL(skag_group_next(T, -1), -1);
	CU_ASSERT(!link_ok(&l));
	CU_ASSERT(!block_has(0xabcd));
	CU_ASSERT_EQUAL_FATAL(pop_all(p, ev, 2), 1);
	CU_ASSERT_EQUAL(ev[0].type, SKAG_EV_GROUP_DESTROYED);
	CU_ASSERT_EQUAL(ev[0].group_id, g);
	CU_ASSERT_EQUAL(ev[0].dev_id, 0);
	CU_ASSERT(domain_is(ev[0].domain, 0));
	close(fds[0]);
	close(fds[1]);
}

static void
test_mp_wait_wakeup(void)
{
	struct timespec t0;
	struct skag_event ev;
	int p, g, fds[2];
	uint32_t seq;
	pid_t pid;
	long ms;

	tbl_setup(4, 4);
	p = proc_new();
	g = create(p, 0, 0, 100, true);
	CU_ASSERT_FATAL(pipe(fds) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		int cp = skag_proc_attach(T, getpid(), 0);

		if (cp < 0 || join(cp, 7, 7, 100, g, true) != 0)
			_exit(1);
		child_note(fds[1]);
		usleep(200 * 1000);
		_exit(skag_group_leave(T, 0, 7, g) == 0 ? 0 : 1);
	}
	CU_ASSERT_FATAL(child_ready(fds[0]));
	seq = skag_proc_seq(T, p);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT_EQUAL(skag_proc_wait(T, p, seq, 10 * BOUND_MS), 0);
	ms = ms_since(&t0);
	CU_ASSERT(ms >= 100 && ms < BOUND_MS);
	CU_ASSERT_NOT_EQUAL(skag_proc_seq(T, p), seq);
	CU_ASSERT_EQUAL(skag_proc_event_pop(T, p, &ev), 1);
	CU_ASSERT_EQUAL(ev.type, SKAG_EV_MEMBER_LEFT);
	CU_ASSERT(domain_is(ev.domain, 7));
	CU_ASSERT_EQUAL(child_wait(pid), 0);
	CU_ASSERT(reap_one(-1) >= 0);
	close(fds[0]);
	close(fds[1]);
}

/* ---- crashes: a child is SIGKILLed at a crash point, holding the table lock ---- */

static int crash_countdown;	/* the child stops at the crash point reached this many-th */
static int crash_only = -1;	/* if >= 0, counts only points of this kind */

static void
crash_hook(enum skag_crash_point cp)
{
	if ((crash_only < 0 || (int)cp == crash_only) && --crash_countdown == 0) {
		/* Stopped right here with the lock held, the parent SIGKILLs us. */
		raise(SIGSTOP);
		for (;;)
			pause();
	}
}

static void
crash_arm(int countdown, int only)
{
	crash_countdown = countdown;
	crash_only = only;
	skag_test_crash_point = crash_hook;
}

/*
 * Kill a child stopped at its crash point. Returns true if it was killed there, false if it
 * exited without reaching it (status in *rc), and fails the test if it did neither in time.
 */
static bool
child_kill_at_crash(pid_t pid, int *rc)
{
	struct timespec t0;
	int status;

	*rc = -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (waitpid(pid, &status, WNOHANG | WUNTRACED) == 0) {
		if (ms_since(&t0) > 5 * BOUND_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			CU_FAIL("child neither crashed nor exited");
			return false;
		}
		usleep(100);
	}
	if (WIFSTOPPED(status)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return true;
	}
	*rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return false;
}

/* Crash a child in create or join (at that point only); the parent repairs on its next op. */
static void
crash_child_insert(int16_t g, enum skag_crash_point cp)
{
	pid_t pid = fork();
	int rc;

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		int p = skag_proc_attach(T, getpid(), 0);

		if (p < 0)
			_exit(1);
		crash_arm(1, cp);
		if (cp == SKAG_CP_CREATE)
			group_new(p, 7, 7, 0xdead, true);
		else
			join(p, 7, 7, 100, g, true);
		_exit(0);
	}
	CU_ASSERT(child_kill_at_crash(pid, &rc));
}

static void
check_repaired(uint32_t repairs)
{
	struct skag_tbl_stats st;

	skag_tbl_stats_get(T, &st);
	CU_ASSERT_EQUAL(st.repairs, repairs + 1);
	/* Only the parent's process is left once the dead child is reaped. */
	CU_ASSERT(reap_one(-1) >= 0);
	skag_tbl_stats_get(T, &st);
	CU_ASSERT_EQUAL(st.procs, 1);
	CU_ASSERT_EQUAL(st.repairs, repairs + 1);
	tbl_check();
}

static void
test_mp_crash_create(void)
{
	struct skag_tbl_stats st;
	struct skag_link l;
	int p, g;

	tbl_setup(4, 4);
	p = proc_new();
	skag_tbl_stats_get(T, &st);
	crash_child_insert(0, SKAG_CP_CREATE);
	check_repaired(st.repairs);
	skag_tbl_stats_get(T, &st);
	CU_ASSERT_EQUAL(st.live_groups, 0);
	CU_ASSERT_EQUAL(st.live_members, 0);
	CU_ASSERT_EQUAL(skag_group_next(T, -1), -1);
	CU_ASSERT(!block_has(0xdead));
	g = create(p, 7, 7, 100, false);
	CU_ASSERT_EQUAL(nb_members(g), 1);
	/* Handlers are handed out in sequence: 1 was the dead creator's, it is gone. */
	CU_ASSERT_EQUAL(handler_of(7, g, 7), 2);
	CU_ASSERT_EQUAL(skag_link_resolve(T, 0, 7, 1, 2, &l), -EPERM);
	/*
	 * The child had taken id 0 off the free FIFO: repair put it back last, so it is not the
	 * next id handed out, and every free id is there once.
	 */
	CU_ASSERT_EQUAL(g, 1);
	check_free_order(p, (const int16_t[]){ 2, 3, 0 }, 3);
}

static void
test_mp_crash_join(void)
{
	struct skag_tbl_stats st;
	struct skag_event ev;
	struct skag_link l;
	uint16_t h;
	int p, g;

	tbl_setup(4, 4);
	p = proc_new();
	g = create(p, 0, 0, 100, true);
	skag_tbl_stats_get(T, &st);
	crash_child_insert(g, SKAG_CP_JOIN);
	check_repaired(st.repairs);
	CU_ASSERT_EQUAL(nb_members(g), 1);
	skag_tbl_stats_get(T, &st);
	CU_ASSERT_EQUAL(st.live_members, 1);
	/* The member never became live: nothing to announce, its handler (h + 1) unknown. */
	CU_ASSERT_EQUAL(skag_proc_event_pop(T, p, &ev), 0);
	h = handler_of(0, g, 0);
	CU_ASSERT_EQUAL(skag_link_resolve(T, 0, 0, h, (uint16_t)(h + 1), &l), -EPERM);
	/* Its domain and device are free. */
	CU_ASSERT_EQUAL(join(p, 7, 7, 100, g, false), 0);
	CU_ASSERT_EQUAL(nb_members(g), 2);
}

/* How the child's departure happens. */
enum departure_kind {
	DEP_LEAVE,	/* the child, a joiner, leaves */
	DEP_CLOSE,	/* the child, the creator, closes its device */
	DEP_REAP,	/* a dead joiner is reaped by the child */
};

/* Members of the parent in the departure tests: proc, device (= domain), wants events. */
static const struct {
	int16_t dev;
	bool events;
} dep_members[] = { { 0, true }, { 1, true }, { 2, true }, { 3, false } };

/*
 * Child of a departure test: joins g as device 7 (DEP_LEAVE, DEP_REAP) or has created it
 * (DEP_CLOSE, group made before the parent joined), then runs the departure with a crash at
 * the countdown-th crash point. fd_go: the parent says go.
 */
static void
dep_child(enum departure_kind kind, int16_t g, int countdown, int fd_note, int fd_go)
{
	int p = skag_proc_attach(T, getpid(), 0);
	char c;

	if (p < 0)
		_exit(1);
	if (kind == DEP_CLOSE) {
		if (group_new(p, 7, 7, 0xc105e, true) != g)
			_exit(1);
	} else if (kind == DEP_LEAVE && join(p, 7, 7, 100, g, true) != 0) {
		_exit(1);
	}
	child_note(fd_note);
	if (read(fd_go, &c, 1) != 1)
		_exit(1);
	crash_arm(countdown, -1);
	switch (kind) {
	case DEP_LEAVE:
		skag_group_leave(T, 0, 7, g);
		break;
	case DEP_CLOSE:
		skag_dev_remove(T, p, 7);
		break;
	case DEP_REAP:
		skag_proc_reap(T, -1);
		break;
	}
	_exit(0);
}

/* A joiner, device 7, in its own process, that dies (SIGKILL) without holding the lock. */
static void
dep_victim(int16_t g)
{
	int fds[2], rc;
	pid_t pid;

	CU_ASSERT_FATAL(pipe(fds) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		int p = skag_proc_attach(T, getpid(), 0);

		if (p < 0 || join(p, 7, 7, 100, g, true) != 0)
			_exit(1);
		child_note(fds[1]);
		for (;;)
			pause();
	}
	CU_ASSERT_FATAL(child_ready(fds[0]));
	kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(child_wait(pid), 128 + SIGKILL);
	rc = close(fds[0]) | close(fds[1]);
	CU_ASSERT_EQUAL(rc, 0);
}

/*
 * One run of a departure whose runner is SIGKILLed at its countdown-th crash point: every
 * remaining member must then get its event exactly once, never one about itself, and the table
 * must hold exactly the members that stay. Returns false once the departure ran through.
 */
static bool
dep_run(enum departure_kind kind, int countdown)
{
	const uint8_t ev_type = kind == DEP_CLOSE ? SKAG_EV_GROUP_DESTROYED : SKAG_EV_MEMBER_LEFT;
	struct skag_tbl_stats st;
	struct skag_event ev[8];
	int16_t g = 0;
	int procs_[DIM(dep_members)], fds[2], go[2], rc;
	unsigned int i, n;
	bool crashed;
	pid_t pid;

	tbl_setup(4, 8);
	for (i = 0; i < DIM(dep_members); i++)
		procs_[i] = proc_new();
	if (kind != DEP_CLOSE)
		g = create(procs_[0], 0, 0, 100, true);
	CU_ASSERT_FATAL(pipe(fds) == 0 && pipe(go) == 0);
	if (kind == DEP_REAP)
		dep_victim(g);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		dep_child(kind, g, countdown, fds[1], go[0]);
	CU_ASSERT_FATAL(child_ready(fds[0]));
	for (i = kind == DEP_CLOSE ? 0 : 1; i < DIM(dep_members); i++)
		CU_ASSERT_EQUAL_FATAL(join(procs_[i], dep_members[i].dev, dep_members[i].dev,
					   kind == DEP_CLOSE ? 0xc105e : 100, g,
					   dep_members[i].events), 0);
	child_note(go[1]);
	crashed = child_kill_at_crash(pid, &rc);
	if (!crashed)
		CU_ASSERT_EQUAL(rc, 0);
	/* The next locker repairs; the dead child (and victim) are reaped. */
	while (skag_proc_reap(T, -1) > 0)
		;
	skag_tbl_stats_get(T, &st);
	CU_ASSERT_EQUAL(st.procs, DIM(dep_members));
	CU_ASSERT_EQUAL(st.repairs, crashed ? 1u : 0u);
	for (i = 0; i < DIM(dep_members); i++) {
		n = pop_all(procs_[i], ev, DIM(ev));
		CU_ASSERT_EQUAL(n, dep_members[i].events ? 1u : 0u);
		if (n != 1)
			continue;
		CU_ASSERT_EQUAL(ev[0].type, ev_type);
		CU_ASSERT_EQUAL(ev[0].dev_id, dep_members[i].dev);
		CU_ASSERT_EQUAL(ev[0].group_id, g);
		CU_ASSERT(domain_is(ev[0].domain, kind == DEP_CLOSE ? dep_members[i].dev : 7));
	}
	if (kind == DEP_CLOSE) {
		CU_ASSERT_EQUAL(skag_group_next(T, -1), -1);
		CU_ASSERT(!block_has(0xc105e));
		check_free_order(procs_[0], (const int16_t[]){ 1, 2, 3, 0 }, 4);
	} else {
		CU_ASSERT_EQUAL(nb_members(g), DIM(dep_members));
		CU_ASSERT(!skag_dev_is_member(T, 0, 7, g));
		/* The domain is free again. */
		CU_ASSERT_EQUAL(join(procs_[1], 7, 7, 100, g, false), 0);
	}
	close(fds[0]);
	close(fds[1]);
	close(go[0]);
	close(go[1]);
	tbl_teardown();
	return crashed;
}

static void
dep_all(enum departure_kind kind)
{
	int countdown;

	/* A crash at each point in turn, until the departure runs through without one. */
	for (countdown = 1; countdown < 100 && dep_run(kind, countdown); countdown++)
		;
	CU_ASSERT(countdown > 4 && countdown < 100);
}

static void
test_mp_crash_leave(void)
{
	dep_all(DEP_LEAVE);
}

static void
test_mp_crash_close(void)
{
	dep_all(DEP_CLOSE);
}

static void
test_mp_crash_reap(void)
{
	dep_all(DEP_REAP);
}

struct test {
	const char *name;
	CU_TestFunc fn;
};

static const struct test unit_tests[] = {
	{ "init and attach", test_init_attach },
	{ "create, join, info", test_create_join_info },
	{ "invalid arguments", test_invalid_args },
	{ "table full", test_table_full },
	{ "group full", test_group_full },
	{ "join errors", test_join_errors },
	{ "handler_get errors", test_handler_get_errors },
	{ "leave", test_leave },
	{ "destroy", test_destroy },
	{ "handler uniqueness", test_handler_unique },
	{ "handler staleness", test_handler_stale },
	{ "link members", test_link_members },
	{ "handler space full", test_handler_space_full },
	{ "group id reuse", test_group_id_reuse },
	{ "group id free FIFO", test_group_id_fifo },
	{ "token wiped", test_token_wiped },
	{ "events: member left", test_events_member_left },
	{ "events: popped while the table is locked", test_events_pop_unlocked },
	{ "events: group destroyed", test_events_group_destroyed },
	{ "device close per process", test_dev_remove_per_process },
	{ "mailbox overflow", test_mailbox_overflow },
	{ "process slots", test_proc_slots },
	{ "repair of a consistent table", test_repair_consistent },
	{ "table rules checker", test_checker },
	{ "wait timeout", test_wait_timeout },
	{ "wait: a departure wakes every owner it posted to", test_wait_departure_wakes_all },
	{ "wait: without timeout, until woken", test_wait_forever },
};

static const struct test mp_tests[] = {
	{ "joiner exits", test_mp_joiner_exit },
	{ "joiner killed", test_mp_joiner_killed },
	{ "creator killed", test_mp_creator_killed },
	{ "wait woken by another process", test_mp_wait_wakeup },
	{ "death of a slot's thread waited for", test_mp_death_wait },
	{ "crash in create", test_mp_crash_create },
	{ "crash in join", test_mp_crash_join },
	{ "crash at each point of a leave", test_mp_crash_leave },
	{ "crash at each point of a creator's close", test_mp_crash_close },
	{ "crash at each point of a reap", test_mp_crash_reap },
};

static bool
suite_add(const char *name, const struct test *tests, unsigned int nb)
{
	CU_pSuite s = CU_add_suite_with_setup_and_teardown(name, NULL, NULL, noop, tbl_teardown);
	unsigned int i;

	if (s == NULL)
		return false;
	for (i = 0; i < nb; i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			return false;
	return true;
}

int
main(void)
{
	unsigned int failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (!suite_add("skag_table", unit_tests, DIM(unit_tests)) ||
	    !suite_add("skag_table_multiprocess", mp_tests, DIM(mp_tests))) {
		fprintf(stderr, "cannot register tests: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failures == 0 ? 0 : 1;
}
