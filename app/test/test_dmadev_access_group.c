/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

#ifdef RTE_EXEC_ENV_WINDOWS

static int
test_dmadev_access_group(void)
{
	printf("dmadev access pair group tests not supported on Windows, skipping\n");
	return TEST_SKIPPED;
}

static int
test_dmadev_access_group_revoke(void)
{
	return test_dmadev_access_group();
}

#else

#include <rte_bus_vdev.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memzone.h>
#include <rte_stdatomic.h>
#include <rte_uuid.h>

#include "test_dmadev_access_group.h"

/*
 * Multi-process tests of the access pair group API on dma_skag devices. The primary drives
 * dma_skag0 (and ag2 for the single-process checks), secondaries it starts drive
 * dma_skag1. A secondary re-runs the primary's test command; AG_ROLE_ENV tells it its part.
 * dmadev_access_group_autotest expects max_members=2 (a group is full with two members);
 * dmadev_access_group_revoke_autotest needs groups of four.
 */

#define AG_ROLE_JOINER		"joiner"	/* join, copy both ways, leave */
#define AG_ROLE_VICTIM		"victim"	/* join, then wait to be killed */
#define AG_ROLE_CREATOR		"creator"	/* create, then wait to be killed */
#define AG_ROLE_MEMBER		"member"	/* join, then exit normally */
#define AG_ROLE_THIRD		"third"		/* join, move data between two others */
#define AG_CTL_MZ		"ag_test_ctl"

#define AG_DEV0			"dma_skag0"
#define AG_DEV1			"dma_skag1"
#define AG_DEV2			"dma_skag2"
#define AG_DEV_X		"dma_skag9"	/* probed and removed by the revocation cases */

#define AG_BUF_LEN		4096
#define AG_EVENT_LIMIT_MS	1000	/* required death/leave detection */
#define AG_QUIET_MS		100	/* time to wait for events that must not come */
#define AG_IDLE_CHECK_MS	500	/* how long control threads are watched idle */
#define AG_STEP_FAILED		UINT32_MAX

/* How the third party's vchan loses its right to run (revocation cases). */
enum ag_rv_mode {
	AG_RV_LEAVE,		/* the submitting member leaves */
	AG_RV_CLOSE,		/* its device is closed by its process */
	AG_RV_KILL,		/* its process dies */
	AG_RV_DESTROY,		/* the group ends: its creator's device is closed */
};

/* Shared between the primary and the secondary it runs. */
struct ag_ctl {
	RTE_ATOMIC(uint32_t) prim_step;
	RTE_ATOMIC(uint32_t) sec_step;
	int32_t sec_pid;
	int16_t group_id;
	uint16_t prim_handler;		/* primary's handler as seen by the secondary */
	uint16_t sec_handler;		/* secondary's own handler */
	rte_uuid_t token;
	rte_uuid_t prim_domain;
	rte_uuid_t sec_domain;
	uint8_t *sec_buf;		/* rte_malloc'ed by the secondary */
	uint8_t *prim_buf;		/* rte_malloc'ed by the primary */
	RTE_ATOMIC(uint64_t) leave_ns;	/* when the secondary called leave */
	uint32_t sec_nb_events;		/* events the secondary got */
	/* Revocation cases: the secondary moves data from member X to member Y. */
	uint32_t rv_mode;		/* enum ag_rv_mode */
	rte_uuid_t rv_x;
	rte_uuid_t rv_y;
	uint8_t *rv_src;		/* X's data */
	uint8_t *rv_dst;		/* Y's buffer: canary, area, canary */
	int32_t rv_last;		/* ring index of the last pending op */
};

struct ag_event {
	int16_t dev_id;
	int16_t group_id;
	rte_uuid_t domain;
	int type;
	uint64_t ns;
	pthread_t thread;
	char thread_name[32];
};

#define AG_MAX_EVENTS		64

static struct ag_event ag_events[AG_MAX_EVENTS];
static RTE_ATOMIC(uint32_t) ag_nb_events;
static pthread_t ag_main_thread;
static struct ag_ctl *ag_ctl;
static const char *ag_cmd;	/* test command the secondaries run */
static int16_t ag_dev0 = -1, ag_dev1 = -1, ag_dev2 = -1;

/* Runs on the driver's control thread: only record. */
static void
ag_event_cb(int16_t dev_id, int16_t group_id, rte_uuid_t domain_id,
	    enum rte_dma_access_pair_group_event_type event)
{
	uint32_t n = rte_atomic_load_explicit(&ag_nb_events, rte_memory_order_relaxed);
	struct ag_event *ev;

	if (n >= AG_MAX_EVENTS)
		return;
	ev = &ag_events[n];
	ev->ns = ag_now_ns();
	ev->dev_id = dev_id;
	ev->group_id = group_id;
	rte_uuid_copy(ev->domain, domain_id);
	ev->type = event;
	ev->thread = pthread_self();
	if (pthread_getname_np(ev->thread, ev->thread_name, sizeof(ev->thread_name)) != 0)
		ev->thread_name[0] = '\0';
	rte_atomic_store_explicit(&ag_nb_events, n + 1, rte_memory_order_release);
}

static uint32_t
ag_events_count(void)
{
	return rte_atomic_load_explicit(&ag_nb_events, rte_memory_order_acquire);
}

/* Wait for an event with index >= from matching all fields; returns its index or -1. */
static int
ag_event_wait(uint32_t from, int16_t dev_id, int16_t group_id, const rte_uuid_t domain,
	      int type, unsigned int timeout_ms)
{
	uint64_t deadline = ag_now_ns() + ag_ms_to_ns(timeout_ms);
	uint32_t i;

	do {
		for (i = from; i < ag_events_count(); i++) {
			const struct ag_event *ev = &ag_events[i];

			if (ev->dev_id == dev_id && ev->group_id == group_id &&
			    ev->type == type && rte_uuid_compare(ev->domain, domain) == 0)
				return i;
		}
		rte_delay_us_sleep(200);
	} while (ag_now_ns() < deadline);
	return -1;
}

/* Check an event ran on a control thread and no other event came since. */
static int
ag_event_check_once(int idx)
{
	const struct ag_event *ev = &ag_events[idx];

	if (pthread_equal(ev->thread, ag_main_thread)) {
		printf("event callback ran on the caller's thread\n");
		return -1;
	}
	rte_delay_us_sleep(AG_QUIET_MS * 1000);
	if (ag_events_count() != (uint32_t)idx + 1) {
		printf("%u unexpected extra event(s)\n", ag_events_count() - idx - 1);
		return -1;
	}
	return 0;
}

/*
 * Check an event of a death ran on the thread of this process that saw the death, not on the
 * watcher woken after it: one wake-up less.
 */
static int
ag_event_check_reaped(int idx)
{
	const char *name = ag_events[idx].thread_name;

	if (strstr(name, "skag-death") == NULL && strstr(name, "skag-reap") == NULL) {
		printf("event of a death ran on thread \"%s\"\n", name);
		return -1;
	}
	return 0;
}

/* --- secondary side --- */

static int
ag_sec_fail(int line, const char *fmt, ...)
{
	va_list ap;

	printf("secondary %d line %d: ", getpid(), line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	rte_atomic_store_explicit(&ag_ctl->sec_step, AG_STEP_FAILED, rte_memory_order_release);
	return TEST_FAILED;
}

#define SEC_FAIL(...) ag_sec_fail(__LINE__, __VA_ARGS__)

static void
ag_sec_step(uint32_t step)
{
	rte_atomic_store_explicit(&ag_ctl->sec_step, step, rte_memory_order_release);
}

static int
ag_sec_wait(uint32_t step)
{
	uint64_t deadline = ag_now_ns() + ag_ms_to_ns(AG_STEP_TIMEOUT_MS);

	while (rte_atomic_load_explicit(&ag_ctl->prim_step, rte_memory_order_acquire) < step) {
		if (ag_now_ns() > deadline)
			return -ETIMEDOUT;
		rte_delay_us_sleep(200);
	}
	return 0;
}

/* Join the primary's group with ag1, copy both ways, leave. */
static int
ag_sec_joiner(void)
{
	enum rte_dma_status_code st;
	uint16_t h_sec, h_prim, h;
	int16_t g = ag_ctl->group_id;
	int ret;

	ag_uuid_random(ag_ctl->sec_domain);
	ret = rte_dma_access_pair_group_join(ag_dev1, ag_ctl->sec_domain, ag_ctl->token, g,
					     ag_event_cb);
	if (ret != 0)
		return SEC_FAIL("join: %d", ret);
	ret = rte_dma_access_pair_group_handler_get(ag_dev1, g, ag_ctl->sec_domain, &h_sec);
	if (ret != 0 || h_sec == 0)
		return SEC_FAIL("own handler_get: %d", ret);
	ret = rte_dma_access_pair_group_handler_get(ag_dev1, g, ag_ctl->prim_domain, &h_prim);
	if (ret != 0 || h_prim == 0 || h_prim == h_sec)
		return SEC_FAIL("primary handler_get: %d", ret);
	/* Only the creator may destroy. */
	ret = rte_dma_access_pair_group_destroy(ag_dev1, g);
	if (ret != -EPERM)
		return SEC_FAIL("destroy by joiner: %d, expected -EPERM", ret);

	ag_ctl->sec_buf = rte_zmalloc("ag_sec_buf", AG_BUF_LEN, 0);
	if (ag_ctl->sec_buf == NULL)
		return SEC_FAIL("rte_zmalloc failed");
	ag_ctl->sec_handler = h_sec;
	ag_ctl->prim_handler = h_prim;
	ag_sec_step(1);

	/* The primary copies into our buffer. */
	if (ag_sec_wait(1) != 0)
		return SEC_FAIL("timeout waiting for the primary's copy");
	if (ag_pattern_check(ag_ctl->sec_buf, AG_BUF_LEN, 0x11) != 0)
		return SEC_FAIL("data copied by the primary differs");

	/* Copy back with our own device. */
	ag_pattern(ag_ctl->sec_buf, AG_BUF_LEN, 0x22);
	ret = ag_dev_setup(ag_dev1, h_sec, h_prim);
	if (ret != 0)
		return SEC_FAIL("inter-process vchan setup on ag1: %d", ret);
	ret = ag_copy(ag_dev1, ag_ctl->sec_buf, ag_ctl->prim_buf, AG_BUF_LEN, &st);
	if (ret != 0 || st != RTE_DMA_STATUS_SUCCESSFUL)
		return SEC_FAIL("copy back: %d status %d", ret, st);
	ag_sec_step(2);

	if (ag_sec_wait(2) != 0)
		return SEC_FAIL("timeout waiting for leave request");
	rte_atomic_store_explicit(&ag_ctl->leave_ns, ag_now_ns(), rte_memory_order_release);
	ret = rte_dma_access_pair_group_leave(ag_dev1, g);
	if (ret != 0)
		return SEC_FAIL("leave: %d", ret);
	ret = rte_dma_access_pair_group_handler_get(ag_dev1, g, ag_ctl->prim_domain, &h);
	if (ret != -EPERM)
		return SEC_FAIL("handler_get after leave: %d, expected -EPERM", ret);
	ret = rte_dma_access_pair_group_leave(ag_dev1, g);
	if (ret != -EPERM)
		return SEC_FAIL("second leave: %d, expected -EPERM", ret);
	ag_sec_step(3);

	/* The primary tried a copy on its stale vchan: nothing may have been written. */
	if (ag_sec_wait(3) != 0)
		return SEC_FAIL("timeout waiting for the stale copy");
	if (ag_pattern_check(ag_ctl->sec_buf, AG_BUF_LEN, 0x22) != 0)
		return SEC_FAIL("a copy on a stale vchan wrote into our buffer");
	rte_dma_stop(ag_dev1);
	rte_free(ag_ctl->sec_buf);
	ag_ctl->sec_buf = NULL;
	/* No event for our own departure, none for the group destroyed after it. */
	ag_ctl->sec_nb_events = ag_events_count();
	ag_sec_step(4);
	return TEST_SUCCESS;
}

/* Join the primary's group, then hang until killed. */
static int
ag_sec_victim(void)
{
	int ret;

	ag_uuid_random(ag_ctl->sec_domain);
	ret = rte_dma_access_pair_group_join(ag_dev1, ag_ctl->sec_domain, ag_ctl->token,
					     ag_ctl->group_id, ag_event_cb);
	if (ret != 0)
		return SEC_FAIL("join: %d", ret);
	ag_sec_step(1);
	rte_delay_us_sleep(AG_STEP_TIMEOUT_MS * 1000);
	printf("secondary %d: not killed\n", getpid());
	return TEST_FAILED;
}

/* Create a group with ag1, then hang until killed. */
static int
ag_sec_creator(void)
{
	int16_t g;
	int ret;

	ag_uuid_random(ag_ctl->sec_domain);
	ag_uuid_random(ag_ctl->token);
	ret = rte_dma_access_pair_group_create(ag_dev1, ag_ctl->sec_domain, ag_ctl->token, &g,
					       ag_event_cb);
	if (ret != 0)
		return SEC_FAIL("create: %d", ret);
	ag_ctl->group_id = g;
	ag_sec_step(1);
	rte_delay_us_sleep(AG_STEP_TIMEOUT_MS * 1000);
	printf("secondary %d: not killed\n", getpid());
	return TEST_FAILED;
}

/* Join the primary's group with ag1, then exit normally while still a member. */
static int
ag_sec_member(void)
{
	int ret;

	ag_uuid_random(ag_ctl->sec_domain);
	ret = rte_dma_access_pair_group_join(ag_dev1, ag_ctl->sec_domain, ag_ctl->token,
					     ag_ctl->group_id, ag_event_cb);
	if (ret != 0)
		return SEC_FAIL("join: %d", ret);
	ag_sec_step(1);
	if (ag_sec_wait(1) != 0)
		return SEC_FAIL("timeout waiting for the exit request");
	return TEST_SUCCESS;
}

/* --- revocation: ops of a third party between members X and Y --- */

#define AG_RV_CANARY	64	/* bytes of canary on each side of Y's area */
#define AG_RV_CANARY_BYTE 0xc3
#define AG_RV_NB_OPS	3
#define AG_RV_FILL	0x0123456789abcdefULL

static uint8_t *
ag_rv_area(void)
{
	return ag_ctl->rv_dst + AG_RV_CANARY;
}

static void
ag_rv_reset(void)
{
	memset(ag_ctl->rv_dst, AG_RV_CANARY_BYTE, AG_BUF_LEN + 2 * AG_RV_CANARY);
}

/*
 * A copy, a fill and a scatter-gather copy from X's data into Y's area, each on a quarter of
 * it (the last quarter stays canary); not submitted. Returns the last ring index or < 0.
 */
static int
ag_rv_enqueue(int16_t dev_id)
{
	uintptr_t s = (uintptr_t)ag_ctl->rv_src, d = (uintptr_t)ag_rv_area();
	const uint32_t q = AG_BUF_LEN / 4;
	struct rte_dma_sge src[2] = { { s + 2 * q, q / 2 }, { s + 2 * q + q / 2, q / 2 } };
	struct rte_dma_sge dst[1] = { { d + 2 * q, q } };
	int ret;

	ret = rte_dma_copy(dev_id, 0, s, d, q, 0);
	if (ret >= 0)
		ret = rte_dma_fill(dev_id, 0, AG_RV_FILL, d + q, q, 0);
	if (ret >= 0)
		ret = rte_dma_copy_sg(dev_id, 0, src, dst, 2, 1, 0);
	return ret;
}

/* Y's buffer after the three ops succeeded. */
static int
ag_rv_check_done(void)
{
	const uint8_t *a = ag_rv_area(), *s = ag_ctl->rv_src;
	const uint64_t fill = AG_RV_FILL;
	const uint32_t q = AG_BUF_LEN / 4;
	uint32_t i;

	if (!ag_all_bytes(ag_ctl->rv_dst, AG_RV_CANARY, AG_RV_CANARY_BYTE) ||
	    !ag_all_bytes(a + 3 * q, q + AG_RV_CANARY, AG_RV_CANARY_BYTE)) {
		printf("written outside the ops' ranges\n");
		return -1;
	}
	if (memcmp(a, s, q) != 0 || memcmp(a + 2 * q, s + 2 * q, q) != 0) {
		printf("copied data differs\n");
		return -1;
	}
	for (i = 0; i < q; i++) {
		if (a[q + i] != ((const uint8_t *)&fill)[i % sizeof(fill)]) {
			printf("fill byte %u differs\n", i);
			return -1;
		}
	}
	return 0;
}

/* Complete the ops up to last; each must have status want. */
static int
ag_rv_complete(int16_t dev_id, int last, enum rte_dma_status_code want)
{
	enum rte_dma_status_code st[AG_RV_NB_OPS];
	int i, ret;

	ret = ag_complete(dev_id, last, AG_RV_NB_OPS, st);
	if (ret != 0) {
		printf("dmadev %d: ops up to %d not completed: %d\n", dev_id, last, ret);
		return -1;
	}
	for (i = 0; i < AG_RV_NB_OPS; i++) {
		if (st[i] != want) {
			printf("dmadev %d: op %d status %d, expected %d\n", dev_id, i, st[i], want);
			return -1;
		}
	}
	return 0;
}

/* Ops run, data checked, Y's buffer reset. */
static int
ag_rv_run_ok(int16_t dev_id)
{
	ag_rv_reset();
	if (ag_rv_complete(dev_id, ag_rv_enqueue(dev_id), RTE_DMA_STATUS_SUCCESSFUL) != 0 ||
	    ag_rv_check_done() != 0)
		return -1;
	ag_rv_reset();
	return 0;
}

/* The pending ops, then three later ones, fail with a link error; nothing written. */
static int
ag_rv_run_revoked(int16_t dev_id)
{
	if (ag_rv_complete(dev_id, ag_ctl->rv_last, RTE_DMA_STATUS_DEV_LINK_ERROR) != 0 ||
	    ag_rv_complete(dev_id, ag_rv_enqueue(dev_id), RTE_DMA_STATUS_DEV_LINK_ERROR) != 0)
		return -1;
	if (!ag_all_bytes(ag_ctl->rv_dst, AG_BUF_LEN + 2 * AG_RV_CANARY, AG_RV_CANARY_BYTE)) {
		printf("an op of a revoked vchan wrote into Y's buffer\n");
		return -1;
	}
	return 0;
}

/*
 * Third party Z: join the group with ag1, move data from X to Y with ag1, and again once an
 * unrelated member left; leave pending ops, then lose the right as the mode says.
 */
static int
ag_sec_third(void)
{
	int16_t g;
	uint16_t hx, hy;
	int ret;

	ag_sec_step(1);
	if (ag_sec_wait(1) != 0)
		return SEC_FAIL("timeout waiting for the group");
	g = ag_ctl->group_id;
	ag_uuid_random(ag_ctl->sec_domain);
	ret = rte_dma_access_pair_group_join(ag_dev1, ag_ctl->sec_domain, ag_ctl->token, g,
					     ag_event_cb);
	if (ret != 0)
		return SEC_FAIL("join: %d", ret);
	if (rte_dma_access_pair_group_handler_get(ag_dev1, g, ag_ctl->rv_x, &hx) != 0 ||
	    rte_dma_access_pair_group_handler_get(ag_dev1, g, ag_ctl->rv_y, &hy) != 0)
		return SEC_FAIL("handlers of X and Y");
	ret = ag_dev_setup(ag_dev1, hx, hy);
	if (ret != 0)
		return SEC_FAIL("third-party vchan X -> Y on ag1: %d", ret);
	if (ag_rv_run_ok(ag_dev1) != 0)
		return SEC_FAIL("ops X -> Y");
	ag_sec_step(2);

	/* Another member left meanwhile: the vchan still runs. */
	if (ag_sec_wait(2) != 0)
		return SEC_FAIL("timeout waiting for the unrelated leave");
	if (ag_rv_run_ok(ag_dev1) != 0)
		return SEC_FAIL("ops X -> Y after an unrelated member left");
	ag_ctl->rv_last = ag_rv_enqueue(ag_dev1);
	if (ag_ctl->rv_last < 0)
		return SEC_FAIL("enqueue of the pending ops: %d", ag_ctl->rv_last);
	ag_sec_step(3);

	if (ag_sec_wait(3) != 0)
		return SEC_FAIL("timeout waiting for the departure");
	switch (ag_ctl->rv_mode) {
	case AG_RV_LEAVE:
		ret = rte_dma_access_pair_group_leave(ag_dev1, g);
		if (ret != 0)
			return SEC_FAIL("leave: %d", ret);
		if (ag_rv_run_revoked(ag_dev1) != 0)
			return SEC_FAIL("ops after the leave");
		break;
	case AG_RV_CLOSE:
		/* The library closes stopped devices only; the primary runs the ops. */
		ret = rte_dma_stop(ag_dev1);
		if (ret == 0)
			ret = rte_dma_close(ag_dev1);
		if (ret != 0)
			return SEC_FAIL("close: %d", ret);
		break;
	case AG_RV_DESTROY:
		if (ag_event_wait(0, ag_dev1, g, ag_ctl->sec_domain,
				  RTE_DMA_GROUP_EVENT_GROUP_DESTROYED, AG_EVENT_LIMIT_MS) < 0)
			return SEC_FAIL("no GROUP_DESTROYED");
		if (ag_rv_run_revoked(ag_dev1) != 0)
			return SEC_FAIL("ops after the group ended");
		break;
	default:
		return SEC_FAIL("mode %u", ag_ctl->rv_mode);
	}
	ag_sec_step(4);
	if (ag_sec_wait(4) != 0)
		return SEC_FAIL("timeout waiting for the end");
	if (ag_ctl->rv_mode != AG_RV_CLOSE)
		rte_dma_stop(ag_dev1);
	return TEST_SUCCESS;
}

static int
ag_secondary(const char *role)
{
	const struct rte_memzone *mz = rte_memzone_lookup(AG_CTL_MZ);

	if (mz == NULL) {
		printf("secondary: no memzone %s\n", AG_CTL_MZ);
		return TEST_FAILED;
	}
	ag_ctl = mz->addr;
	ag_ctl->sec_pid = getpid();
	if (ag_dev1 < 0)
		return SEC_FAIL("no device %s", AG_DEV1);
	if (strcmp(role, AG_ROLE_JOINER) == 0)
		return ag_sec_joiner();
	if (strcmp(role, AG_ROLE_VICTIM) == 0)
		return ag_sec_victim();
	if (strcmp(role, AG_ROLE_CREATOR) == 0)
		return ag_sec_creator();
	if (strcmp(role, AG_ROLE_MEMBER) == 0)
		return ag_sec_member();
	if (strcmp(role, AG_ROLE_THIRD) == 0)
		return ag_sec_third();
	return SEC_FAIL("unknown role %s", role);
}

/* --- primary side --- */

/* Wait for the secondary to reach a step; fails early if it failed or exited. */
static int
ag_prim_wait(struct ag_child *c, uint32_t step)
{
	uint64_t deadline = ag_now_ns() + ag_ms_to_ns(AG_STEP_TIMEOUT_MS);
	uint32_t s;

	for (;;) {
		s = rte_atomic_load_explicit(&ag_ctl->sec_step, rte_memory_order_acquire);
		if (s == AG_STEP_FAILED) {
			printf("secondary failed before step %u\n", step);
			return -1;
		}
		if (s >= step)
			return 0;
		if (ag_child_gone(c)) {
			printf("secondary exited (status 0x%x) before step %u\n", c->status, step);
			return -1;
		}
		if (ag_now_ns() > deadline) {
			printf("timeout waiting for secondary step %u\n", step);
			return -1;
		}
		rte_delay_us_sleep(500);
	}
}

static void
ag_prim_step(uint32_t step)
{
	rte_atomic_store_explicit(&ag_ctl->prim_step, step, rte_memory_order_release);
}

static void
ag_ctl_reset(void)
{
	memset(ag_ctl, 0, sizeof(*ag_ctl));
	ag_ctl->group_id = -1;
}

/* Reply of a telemetry command appended to f; -1 if there is none. */
#define AG_SNAP_LEN	65536

static int
ag_telemetry_to(FILE *f, const char *cmd)
{
	static char tel[AG_SNAP_LEN];

	if (ag_telemetry(cmd, tel, sizeof(tel)) != 0)
		return -1;
	fprintf(f, "%s\n", tel);
	return 0;
}

/*
 * What must not change: the dumps of the three devices and what telemetry says of the table,
 * of the list of groups and of group g.
 */
static int
ag_snapshot(char *snap, size_t len, int16_t g)
{
	char cmd[64];
	size_t sz = 0;
	char *buf = NULL;
	FILE *f;
	int ret;

	f = open_memstream(&buf, &sz);
	if (f == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "/dmadev/skeleton_ag/group,%d", g);
	ret = rte_dma_dump(ag_dev0, f) | rte_dma_dump(ag_dev1, f) | rte_dma_dump(ag_dev2, f) |
		ag_telemetry_to(f, "/dmadev/skeleton_ag/table") |
		ag_telemetry_to(f, "/dmadev/skeleton_ag/groups") | ag_telemetry_to(f, cmd);
	fclose(f);
	/* A cut snapshot could hide a change past the cut. */
	if (ret == 0)
		ret = snprintf(snap, len, "%s", buf) < (int)len ? 0 : -1;
	free(buf);
	return ret;
}

/*
 * What a case made, undone by its teardown whatever happened: its secondary, the groups of
 * this process (left through every device, joiners first, so the creator's leave ends them),
 * the devices' state and the buffers.
 */
#define AG_FX_GROUPS	4

static struct {
	struct ag_child child;
	int16_t groups[AG_FX_GROUPS];
	unsigned int nb_groups;
	uint8_t *src;
	uint32_t nb_ev;			/* events before the case's own */
	int16_t dev_x;			/* revocation: creator X's device */
} fx;

static void
ag_fx_group_add(int16_t g)
{
	if (fx.nb_groups < AG_FX_GROUPS)
		fx.groups[fx.nb_groups++] = g;
}

static int
ag_fx_setup(void)
{
	memset(&fx, 0, sizeof(fx));
	fx.child.pid = -1;
	fx.dev_x = -1;
	if (!rte_eal_has_hugepages()) {
		printf("multi-process needs hugepages and shared memory\n");
		return TEST_FAILED;
	}
	ag_ctl_reset();
	ag_uuid_random(ag_ctl->prim_domain);
	ag_uuid_random(ag_ctl->token);
	ag_ctl->prim_buf = rte_zmalloc("ag_prim_buf", AG_BUF_LEN, 0);
	fx.src = rte_malloc("ag_prim_src", AG_BUF_LEN, 0);
	if (ag_ctl->prim_buf == NULL || fx.src == NULL) {
		printf("rte_malloc failed\n");
		return TEST_FAILED;
	}
	fx.nb_ev = ag_events_count();
	return TEST_SUCCESS;
}

static void
ag_fx_teardown(void)
{
	const int16_t devs[] = { ag_dev1, ag_dev2, ag_dev0, fx.dev_x };
	unsigned int i, j;

	ag_child_kill(&fx.child);
	for (i = fx.nb_groups; i-- > 0; )
		for (j = 0; j < RTE_DIM(devs); j++)
			if (devs[j] >= 0)
				rte_dma_access_pair_group_leave(devs[j], fx.groups[i]);
	fx.nb_groups = 0;
	if (fx.dev_x >= 0)
		rte_vdev_uninit(AG_DEV_X);
	fx.dev_x = -1;
	for (j = 0; j < RTE_DIM(devs) - 1; j++)
		rte_dma_stop(devs[j]);
	rte_free(fx.src);
	fx.src = NULL;
	if (ag_ctl != NULL) {
		/* The secondary is gone: what it did not free is ours to free. */
		rte_free(ag_ctl->sec_buf);
		rte_free(ag_ctl->prim_buf);
		rte_free(ag_ctl->rv_src);
		rte_free(ag_ctl->rv_dst);
		ag_ctl_reset();
	}
}

/* The primary's group on ag0, and a secondary in role that reached its first step. */
static int
ag_fx_group_with(const char *role)
{
	int16_t g;
	int ret;

	ret = rte_dma_access_pair_group_create(ag_dev0, ag_ctl->prim_domain, ag_ctl->token, &g,
					       ag_event_cb);
	TEST_ASSERT_SUCCESS(ret, "create: %d", ret);
	ag_fx_group_add(g);
	ag_ctl->group_id = g;
	fx.nb_ev = ag_events_count();
	TEST_ASSERT_SUCCESS(ag_spawn_role(&fx.child, ag_cmd, role), "cannot start a secondary");
	return ag_prim_wait(&fx.child, 1);
}

/* Create on ag0, join on ag1 (both in this process); every rule violation fails cleanly. */
static int
test_ag_bad_inputs(void)
{
	rte_uuid_t d0, d1, d2, tok, bad_tok;
	char tok_str[RTE_UUID_STRLEN], d_str[RTE_UUID_STRLEN], tel_str[64];
	static char before[AG_SNAP_LEN], after[AG_SNAP_LEN];
	uint16_t h0, h1, h;
	uint32_t nb_ev;
	int16_t g, g2, unknown;
	int ret, idx;

	ag_uuid_random(d0);
	ag_uuid_random(d1);
	ag_uuid_random(d2);
	ag_uuid_random(tok);
	rte_uuid_copy(bad_tok, tok);
	bad_tok[15] ^= 0x80;

	ret = rte_dma_access_pair_group_create(ag_dev0, d0, tok, &g, ag_event_cb);
	TEST_ASSERT_SUCCESS(ret, "create: %d", ret);
	ag_fx_group_add(g);
	ret = rte_dma_access_pair_group_join(ag_dev1, d1, tok, g, ag_event_cb);
	TEST_ASSERT_SUCCESS(ret, "join: %d", ret);
	ret = rte_dma_access_pair_group_handler_get(ag_dev0, g, d1, &h1);
	TEST_ASSERT_SUCCESS(ret, "handler_get: %d", ret);
	ret = rte_dma_access_pair_group_handler_get(ag_dev1, g, d0, &h0);
	TEST_ASSERT_SUCCESS(ret, "handler_get: %d", ret);
	TEST_ASSERT(h0 != 0 && h1 != 0 && h0 != h1, "bad handlers %u %u", h0, h1);

	TEST_ASSERT_SUCCESS(ag_snapshot(before, sizeof(before), g), "snapshot failed");
	rte_uuid_unparse(tok, tok_str, sizeof(tok_str));
	TEST_ASSERT(strstr(before, tok_str) == NULL, "token shown in dump or telemetry");
	rte_uuid_unparse(d1, d_str, sizeof(d_str));
	TEST_ASSERT(strstr(before, d_str) != NULL, "member domain missing in dump:\n%s", before);
	snprintf(tel_str, sizeof(tel_str), "domain=%s role=joiner", d_str);
	TEST_ASSERT(strstr(before, tel_str) != NULL, "member missing in telemetry:\n%s", before);
	nb_ev = ag_events_count();

	ret = rte_dma_access_pair_group_join(ag_dev2, d2, bad_tok, g, ag_event_cb);
	TEST_ASSERT_EQUAL(ret, -EACCES, "join with wrong token: %d", ret);
	unknown = g + 1;	/* no other group is live: any other id is free */
	ret = rte_dma_access_pair_group_join(ag_dev2, d2, tok, unknown, ag_event_cb);
	TEST_ASSERT_EQUAL(ret, -ENOENT, "join unknown group %d: %d", unknown, ret);
	ret = rte_dma_access_pair_group_join(ag_dev2, d0, tok, g, ag_event_cb);
	TEST_ASSERT_EQUAL(ret, -EEXIST, "join with a member's domain: %d", ret);
	ret = rte_dma_access_pair_group_join(ag_dev1, d2, tok, g, ag_event_cb);
	TEST_ASSERT_EQUAL(ret, -EEXIST, "join from a member device: %d", ret);
	ret = rte_dma_access_pair_group_join(ag_dev2, d2, tok, g, ag_event_cb);
	TEST_ASSERT_EQUAL(ret, -ENOSPC, "join full group (max_members=2): %d", ret);
	ret = rte_dma_access_pair_group_handler_get(ag_dev2, g, d0, &h);
	TEST_ASSERT_EQUAL(ret, -EPERM, "handler_get from non-member: %d", ret);
	ret = rte_dma_access_pair_group_handler_get(ag_dev0, g, d2, &h);
	TEST_ASSERT_EQUAL(ret, -ENOENT, "handler_get of unknown domain: %d", ret);
	ret = rte_dma_access_pair_group_handler_get(ag_dev0, unknown, d0, &h);
	TEST_ASSERT_EQUAL(ret, -ENOENT, "handler_get in unknown group: %d", ret);
	ret = rte_dma_access_pair_group_leave(ag_dev2, g);
	TEST_ASSERT_EQUAL(ret, -EPERM, "leave by non-member: %d", ret);
	ret = rte_dma_access_pair_group_leave(ag_dev0, g);
	TEST_ASSERT_EQUAL(ret, -EBUSY, "creator leave with a joiner: %d", ret);
	ret = rte_dma_access_pair_group_destroy(ag_dev1, g);
	TEST_ASSERT_EQUAL(ret, -EPERM, "destroy by joiner: %d", ret);
	ret = rte_dma_access_pair_group_destroy(ag_dev2, g);
	TEST_ASSERT_EQUAL(ret, -EPERM, "destroy by non-member: %d", ret);
	ret = rte_dma_access_pair_group_destroy(ag_dev0, g);
	TEST_ASSERT_EQUAL(ret, -EBUSY, "destroy with a joiner: %d", ret);
	ret = rte_dma_access_pair_group_destroy(ag_dev0, unknown);
	TEST_ASSERT_EQUAL(ret, -ENOENT, "destroy unknown group: %d", ret);

	TEST_ASSERT_SUCCESS(ag_snapshot(after, sizeof(after), g), "snapshot failed");
	TEST_ASSERT(strcmp(before, after) == 0, "table changed by failed ops:\n%s\n---\n%s",
		    before, after);
	ret = rte_dma_access_pair_group_handler_get(ag_dev1, g, d0, &h);
	TEST_ASSERT(ret == 0 && h == h0, "creator handler changed: %d %u", ret, h);
	rte_delay_us_sleep(AG_QUIET_MS * 1000);
	TEST_ASSERT_EQUAL(ag_events_count(), nb_ev, "failed ops raised events");

	/* A joiner leaves: the creator's callback only, once, with the leaver's domain. */
	ret = rte_dma_access_pair_group_leave(ag_dev1, g);
	TEST_ASSERT_SUCCESS(ret, "leave: %d", ret);
	idx = ag_event_wait(nb_ev, ag_dev0, g, d1, RTE_DMA_GROUP_EVENT_MEMBER_LEFT,
			    AG_EVENT_LIMIT_MS);
	TEST_ASSERT(idx >= 0, "no MEMBER_LEFT event");
	TEST_ASSERT_SUCCESS(ag_event_check_once(idx), "bad event delivery");
	ret = rte_dma_access_pair_group_handler_get(ag_dev0, g, d1, &h);
	TEST_ASSERT_EQUAL(ret, -ENOENT, "handler_get of the leaver: %d", ret);

	/* Creator alone: leave destroys the group. */
	ret = rte_dma_access_pair_group_leave(ag_dev0, g);
	TEST_ASSERT_SUCCESS(ret, "last creator leave: %d", ret);
	ret = rte_dma_access_pair_group_handler_get(ag_dev0, g, d0, &h);
	TEST_ASSERT_EQUAL(ret, -ENOENT, "group still there: %d", ret);
	ret = rte_dma_access_pair_group_join(ag_dev1, d1, tok, g, ag_event_cb);
	TEST_ASSERT_EQUAL(ret, -ENOENT, "join of a destroyed group: %d", ret);

	/* No callback registered: no event. */
	nb_ev = ag_events_count();
	ret = rte_dma_access_pair_group_create(ag_dev0, d0, tok, &g2, NULL);
	TEST_ASSERT_SUCCESS(ret, "create: %d", ret);
	ag_fx_group_add(g2);
	TEST_ASSERT(g2 != g, "group id %d reused at once", g2);
	ret = rte_dma_access_pair_group_join(ag_dev2, d2, tok, g2, NULL);
	TEST_ASSERT_SUCCESS(ret, "join: %d", ret);
	ret = rte_dma_access_pair_group_leave(ag_dev2, g2);
	TEST_ASSERT_SUCCESS(ret, "leave: %d", ret);
	ret = rte_dma_access_pair_group_destroy(ag_dev0, g2);
	TEST_ASSERT_SUCCESS(ret, "destroy: %d", ret);
	rte_delay_us_sleep(AG_QUIET_MS * 1000);
	TEST_ASSERT_EQUAL(ag_events_count(), nb_ev, "event without a callback");
	return TEST_SUCCESS;
}

/* Secondary joins the primary's group: copies both ways, leave, stale vchan. */
static int
test_ag_mp_join_copy_leave(void)
{
	struct rte_dma_stats stats;
	enum rte_dma_status_code st;
	uint16_t h_prim, h_sec, h;
	rte_uuid_t d_keep;
	int16_t g, g_keep;
	uint64_t errors;
	int ret, idx;

	/* A group of ours on a device the secondary does not use: its exit must keep it. */
	ag_uuid_random(d_keep);
	ret = rte_dma_access_pair_group_create(ag_dev2, d_keep, d_keep, &g_keep, NULL);
	TEST_ASSERT_SUCCESS(ret, "create: %d", ret);
	ag_fx_group_add(g_keep);
	TEST_ASSERT_SUCCESS(ag_fx_group_with(AG_ROLE_JOINER), "joiner not started");
	g = ag_ctl->group_id;

	/* Both processes see the same handlers. */
	TEST_ASSERT(rte_dma_access_pair_group_handler_get(ag_dev0, g, ag_ctl->prim_domain,
							  &h_prim) == 0 &&
		    rte_dma_access_pair_group_handler_get(ag_dev0, g, ag_ctl->sec_domain,
							  &h_sec) == 0 &&
		    h_prim == ag_ctl->prim_handler && h_sec == ag_ctl->sec_handler,
		    "handlers differ between processes");
	ret = rte_dma_access_pair_group_destroy(ag_dev0, g);
	TEST_ASSERT_EQUAL(ret, -EBUSY, "destroy with a joiner: %d", ret);

	/* Primary memory -> buffer the secondary allocated. */
	ag_pattern(fx.src, AG_BUF_LEN, 0x11);
	ret = ag_dev_setup(ag_dev0, h_prim, h_sec);
	TEST_ASSERT_SUCCESS(ret, "inter-process vchan setup: %d", ret);
	ret = ag_copy(ag_dev0, fx.src, ag_ctl->sec_buf, AG_BUF_LEN, &st);
	TEST_ASSERT(ret == 0 && st == RTE_DMA_STATUS_SUCCESSFUL,
		    "copy to the secondary: %d status %d", ret, st);
	ag_prim_step(1);

	/* The secondary verified, then copied back with its device. */
	TEST_ASSERT_SUCCESS(ag_prim_wait(&fx.child, 2), "secondary's copy");
	TEST_ASSERT_SUCCESS(ag_pattern_check(ag_ctl->prim_buf, AG_BUF_LEN, 0x22),
			    "data copied by the secondary differs");

	ag_prim_step(2);
	TEST_ASSERT_SUCCESS(ag_prim_wait(&fx.child, 3), "secondary's leave");
	idx = ag_event_wait(fx.nb_ev, ag_dev0, g, ag_ctl->sec_domain,
			    RTE_DMA_GROUP_EVENT_MEMBER_LEFT, AG_EVENT_LIMIT_MS);
	TEST_ASSERT(idx >= 0, "no MEMBER_LEFT event for the secondary's leave");
	printf("MEMBER_LEFT delivered %.3f ms after the secondary's leave\n",
	       (double)(ag_events[idx].ns - ag_ctl->leave_ns) / 1e6);
	TEST_ASSERT_SUCCESS(ag_event_check_once(idx), "bad event delivery");
	ret = rte_dma_access_pair_group_handler_get(ag_dev0, g, ag_ctl->sec_domain, &h);
	TEST_ASSERT_EQUAL(ret, -ENOENT, "leaver still in the group: %d", ret);

	/* The vchan still names the leaver: the op fails, nothing written. */
	TEST_ASSERT_SUCCESS(rte_dma_stats_get(ag_dev0, 0, &stats), "stats_get");
	errors = stats.errors;
	ag_pattern(fx.src, AG_BUF_LEN, 0x33);
	ret = ag_copy(ag_dev0, fx.src, ag_ctl->sec_buf, AG_BUF_LEN, &st);
	TEST_ASSERT(ret == 0 && st == RTE_DMA_STATUS_DEV_LINK_ERROR,
		    "copy on a stale vchan: %d status %d, expected DEV_LINK_ERROR", ret, st);
	ret = rte_dma_stats_get(ag_dev0, 0, &stats);
	TEST_ASSERT(ret == 0 && stats.errors == errors + 1,
		    "stats: %d errors %" PRIu64 ", expected %" PRIu64, ret, stats.errors,
		    errors + 1);
	TEST_ASSERT_SUCCESS(ag_pattern_check(ag_ctl->sec_buf, AG_BUF_LEN, 0x22),
			    "stale copy wrote into the secondary's buffer");
	ret = rte_dma_access_pair_group_destroy(ag_dev0, g);
	TEST_ASSERT_SUCCESS(ret, "destroy without joiners: %d", ret);
	ag_prim_step(3);
	TEST_ASSERT(ag_prim_wait(&fx.child, 4) == 0 && ag_child_end(&fx.child, false) == 0,
		    "secondary did not end well");
	TEST_ASSERT_EQUAL(ag_ctl->sec_nb_events, 0, "secondary got %u event(s), expected none",
			  ag_ctl->sec_nb_events);
	/* The secondary closed all devices on exit. */
	ret = rte_dma_access_pair_group_handler_get(ag_dev2, g_keep, d_keep, &h);
	TEST_ASSERT_SUCCESS(ret, "primary's group lost when the secondary exited: %d", ret);
	return TEST_SUCCESS;
}

/*
 * A primary's device still works: the dump shows it in its state with vchan 0, the vchan is
 * idle and a local copy completes with the right data. A stopped device is started for the
 * copy and stopped again.
 */
static int
ag_dev_check_local(int16_t dev_id, bool started, uint8_t *src, uint8_t *dst)
{
	enum rte_dma_vchan_status vst;
	enum rte_dma_status_code st;
	char *dump = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	f = open_memstream(&dump, &len);
	if (f == NULL)
		return -ENOMEM;
	ret = rte_dma_dump(dev_id, f);
	fclose(f);
	/* Checked before any op: the fast path does not check for a freed ring. */
	if (ret != 0 || strstr(dump, started ? "[started]" : "[stopped]") == NULL ||
	    strstr(dump, "config: nb_vchans 1\n") == NULL ||
	    strstr(dump, "vchan 0: direction mem2mem") == NULL) {
		printf("dmadev %d: dump (%d) does not show it %s with vchan 0:\n%s", dev_id, ret,
		       started ? "started" : "stopped", dump);
		free(dump);
		return -1;
	}
	free(dump);
	ret = rte_dma_vchan_status(dev_id, 0, &vst);
	if (ret != 0 || vst != RTE_DMA_VCHAN_IDLE) {
		printf("dmadev %d: vchan_status %d status %d\n", dev_id, ret, vst);
		return -1;
	}
	if (!started) {
		ret = rte_dma_start(dev_id);
		if (ret != 0) {
			printf("dmadev %d: start %d\n", dev_id, ret);
			return -1;
		}
	}
	ag_pattern(src, AG_BUF_LEN, (uint8_t)(0x44 + dev_id));
	memset(dst, 0, AG_BUF_LEN);
	ret = ag_copy(dev_id, src, dst, AG_BUF_LEN, &st);
	if (!started)
		rte_dma_stop(dev_id);
	if (ret != 0 || st != RTE_DMA_STATUS_SUCCESSFUL) {
		printf("dmadev %d: local copy %d status %d\n", dev_id, ret, st);
		return -1;
	}
	if (ag_pattern_check(dst, AG_BUF_LEN, (uint8_t)(0x44 + dev_id)) != 0) {
		printf("dmadev %d: local copy data differs\n", dev_id);
		return -1;
	}
	return 0;
}

/*
 * A secondary that joined a group exits normally: its EAL cleanup removes its view of every
 * skeleton_ag device, which must leave the primary's devices alone, the started ag0 as the
 * configured but stopped ag2 (whose vchans the secondary once freed in shared memory).
 */
static int
test_ag_mp_secondary_exit_keeps_devs(void)
{
	uint8_t *dst = ag_ctl->prim_buf;
	int16_t g;
	uint16_t h;
	int ret;

	ret = ag_dev_setup(ag_dev0, 0, 0);
	if (ret == 0)
		ret = ag_dev_config(ag_dev2, 0, 0);
	TEST_ASSERT_SUCCESS(ret, "local vchan setup: %d", ret);
	TEST_ASSERT_SUCCESS(ag_fx_group_with(AG_ROLE_MEMBER), "member not started");
	g = ag_ctl->group_id;
	ret = rte_dma_access_pair_group_handler_get(ag_dev0, g, ag_ctl->sec_domain, &h);
	TEST_ASSERT_SUCCESS(ret, "secondary not in the group: %d", ret);
	ag_prim_step(1);
	TEST_ASSERT_SUCCESS(ag_child_end(&fx.child, false), "secondary did not end well");
	/* Its membership went with it, the group stays. */
	TEST_ASSERT(ag_event_wait(fx.nb_ev, ag_dev0, g, ag_ctl->sec_domain,
				  RTE_DMA_GROUP_EVENT_MEMBER_LEFT, AG_EVENT_LIMIT_MS) >= 0,
		    "no MEMBER_LEFT for the secondary's exit");
	ret = rte_dma_access_pair_group_handler_get(ag_dev0, g, ag_ctl->prim_domain, &h);
	TEST_ASSERT_SUCCESS(ret, "primary's group lost when the secondary exited: %d", ret);

	TEST_ASSERT_SUCCESS(ag_dev_check_local(ag_dev0, true, fx.src, dst), "ag0 broken");
	TEST_ASSERT_SUCCESS(ag_dev_check_local(ag_dev2, false, fx.src, dst), "ag2 broken");
	return TEST_SUCCESS;
}

/* A joining secondary is SIGKILLed: the creator gets MEMBER_LEFT within the limit. */
static int
test_ag_mp_member_killed(void)
{
	uint64_t t0;
	uint16_t h;
	int16_t g;
	int ret, idx;

	TEST_ASSERT_SUCCESS(ag_fx_group_with(AG_ROLE_VICTIM), "victim not started");
	g = ag_ctl->group_id;
	ret = rte_dma_access_pair_group_handler_get(ag_dev0, g, ag_ctl->sec_domain, &h);
	TEST_ASSERT_SUCCESS(ret, "secondary not in the group: %d", ret);

	t0 = ag_now_ns();
	kill(fx.child.pid, SIGKILL);
	idx = ag_event_wait(fx.nb_ev, ag_dev0, g, ag_ctl->sec_domain,
			    RTE_DMA_GROUP_EVENT_MEMBER_LEFT, AG_EVENT_LIMIT_MS);
	TEST_ASSERT(idx >= 0, "no MEMBER_LEFT within %d ms of SIGKILL", AG_EVENT_LIMIT_MS);
	printf("killed member detected, MEMBER_LEFT %.3f ms after SIGKILL\n",
	       (double)(ag_events[idx].ns - t0) / 1e6);
	TEST_ASSERT_SUCCESS(ag_event_check_reaped(idx), "event not run where the death was seen");
	TEST_ASSERT_SUCCESS(ag_event_check_once(idx), "bad event delivery");
	TEST_ASSERT_SUCCESS(ag_child_end(&fx.child, true), "secondary not killed");
	ret = rte_dma_access_pair_group_handler_get(ag_dev0, g, ag_ctl->sec_domain, &h);
	TEST_ASSERT_EQUAL(ret, -ENOENT, "dead member still in the group: %d", ret);
	ret = rte_dma_access_pair_group_destroy(ag_dev0, g);
	TEST_ASSERT_SUCCESS(ret, "destroy after the member died: %d", ret);
	return TEST_SUCCESS;
}

/* Voluntary switches of the thread of this process named name (any prefix); -1 if none. */
static int64_t
ag_thread_sleeps(const char *name)
{
	char val[64];
	int64_t n;

	if (ag_thread_status(name, "voluntary_ctxt_switches:", val, sizeof(val)) != 0 ||
	    sscanf(val, "%" SCNd64, &n) != 1)
		return -1;
	return n;
}

/*
 * With another process attached and nothing happening, the threads that look for deaths stay
 * asleep: each wake-up takes a CPU from the processes' work. Only where the death waiter cannot
 * run (no futex_waitv) does the reaper look every 10 ms.
 */
static int
test_ag_mp_threads_idle(void)
{
	int64_t reap0, death0, reap, death;

	TEST_ASSERT_SUCCESS(ag_fx_group_with(AG_ROLE_VICTIM), "secondary not started");
	rte_delay_us_sleep(AG_QUIET_MS * 1000);
	reap0 = ag_thread_sleeps("skag-reap");
	death0 = ag_thread_sleeps("skag-death");
	TEST_ASSERT(reap0 >= 0, "no skag-reap thread");
	rte_delay_us_sleep(AG_IDLE_CHECK_MS * 1000);
	reap = ag_thread_sleeps("skag-reap") - reap0;
	death = ag_thread_sleeps("skag-death") - death0;
	printf("in %d ms: skag-reap woke %" PRId64 " times, skag-death %" PRId64 "\n",
	       AG_IDLE_CHECK_MS, reap, death0 >= 0 ? death : -1);
	if (death0 < 0) {
		TEST_ASSERT(reap >= AG_IDLE_CHECK_MS / 20, "no death waiter, and no reaper period");
		return TEST_SUCCESS;
	}
	TEST_ASSERT(reap <= 2 && death <= 2,
		    "woken while idle: skag-reap %" PRId64 ", skag-death %" PRId64, reap, death);
	return TEST_SUCCESS;
}

/* The creator is a secondary that is SIGKILLed: the joiner gets GROUP_DESTROYED. */
static int
test_ag_mp_creator_killed(void)
{
	uint32_t nb_ev;
	uint64_t t0;
	uint16_t h;
	int16_t g;
	int ret, idx;

	TEST_ASSERT_SUCCESS(ag_spawn_role(&fx.child, ag_cmd, AG_ROLE_CREATOR),
			    "cannot start a secondary");
	TEST_ASSERT_SUCCESS(ag_prim_wait(&fx.child, 1), "creator not started");
	g = ag_ctl->group_id;
	nb_ev = ag_events_count();
	ret = rte_dma_access_pair_group_join(ag_dev0, ag_ctl->prim_domain, ag_ctl->token, g,
					     ag_event_cb);
	TEST_ASSERT_SUCCESS(ret, "join the secondary's group: %d", ret);
	ag_fx_group_add(g);
	ret = rte_dma_access_pair_group_handler_get(ag_dev0, g, ag_ctl->sec_domain, &h);
	TEST_ASSERT_SUCCESS(ret, "handler_get of the creator: %d", ret);
	ret = rte_dma_access_pair_group_destroy(ag_dev0, g);
	TEST_ASSERT_EQUAL(ret, -EPERM, "destroy by joiner: %d, expected -EPERM", ret);

	t0 = ag_now_ns();
	kill(fx.child.pid, SIGKILL);
	/* GROUP_DESTROYED carries the recipient's own domain. */
	idx = ag_event_wait(nb_ev, ag_dev0, g, ag_ctl->prim_domain,
			    RTE_DMA_GROUP_EVENT_GROUP_DESTROYED, AG_EVENT_LIMIT_MS);
	TEST_ASSERT(idx >= 0, "no GROUP_DESTROYED within %d ms of SIGKILL", AG_EVENT_LIMIT_MS);
	printf("killed creator detected, GROUP_DESTROYED %.3f ms after SIGKILL\n",
	       (double)(ag_events[idx].ns - t0) / 1e6);
	TEST_ASSERT_SUCCESS(ag_event_check_reaped(idx), "event not run where the death was seen");
	TEST_ASSERT_SUCCESS(ag_event_check_once(idx), "bad event delivery");
	TEST_ASSERT_SUCCESS(ag_child_end(&fx.child, true), "secondary not killed");
	ret = rte_dma_access_pair_group_handler_get(ag_dev0, g, ag_ctl->prim_domain, &h);
	TEST_ASSERT_EQUAL(ret, -ENOENT, "group of the dead creator still there: %d", ret);
	ret = rte_dma_access_pair_group_leave(ag_dev0, g);
	TEST_ASSERT_EQUAL(ret, -ENOENT, "leave of the destroyed group: %d, expected -ENOENT", ret);
	return TEST_SUCCESS;
}

/*
 * Revocation: device Z (ag1, in a secondary) is a member of the group of X (creator, on a
 * device of its own) and Y (ag0), with W (ag2) as a fourth member; it runs ops from X's data
 * into Y's buffer. The setup brings it to its first verified ops.
 */
static int
ag_rv_setup(void)
{
	rte_uuid_t w;
	int16_t g;
	int ret;

	if (ag_fx_setup() != TEST_SUCCESS)
		return TEST_FAILED;
	ag_ctl->rv_src = rte_malloc("ag_rv_src", AG_BUF_LEN, 0);
	ag_ctl->rv_dst = rte_malloc("ag_rv_dst", AG_BUF_LEN + 2 * AG_RV_CANARY, 0);
	TEST_ASSERT(ag_ctl->rv_src != NULL && ag_ctl->rv_dst != NULL, "rte_malloc failed");
	ag_pattern(ag_ctl->rv_src, AG_BUF_LEN, 0x5a);
	ag_rv_reset();
	ag_uuid_random(ag_ctl->rv_x);
	ag_uuid_random(ag_ctl->rv_y);
	ag_uuid_random(w);

	/* X's device is probed once the secondary runs, which then never sees it. */
	TEST_ASSERT_SUCCESS(ag_spawn_role(&fx.child, ag_cmd, AG_ROLE_THIRD), "cannot start Z");
	TEST_ASSERT_SUCCESS(ag_prim_wait(&fx.child, 1), "Z not started");
	ret = rte_vdev_init(AG_DEV_X, NULL);
	TEST_ASSERT_SUCCESS(ret, "probe of %s: %d", AG_DEV_X, ret);
	fx.dev_x = rte_dma_get_dev_id_by_name(AG_DEV_X);
	TEST_ASSERT(fx.dev_x >= 0, "no dmadev %s", AG_DEV_X);

	ret = rte_dma_access_pair_group_create(fx.dev_x, ag_ctl->rv_x, ag_ctl->token, &g,
					       ag_event_cb);
	TEST_ASSERT_SUCCESS(ret, "create by X: %d", ret);
	ag_fx_group_add(g);
	ret = rte_dma_access_pair_group_join(ag_dev0, ag_ctl->rv_y, ag_ctl->token, g,
					     ag_event_cb);
	TEST_ASSERT_SUCCESS(ret, "join of Y: %d", ret);
	ret = rte_dma_access_pair_group_join(ag_dev2, w, ag_ctl->token, g, ag_event_cb);
	TEST_ASSERT_SUCCESS(ret, "join of W: %d", ret);
	ag_ctl->group_id = g;
	ag_prim_step(1);
	/* Z joined and moved data from X to Y: the allowed third-party case. */
	TEST_ASSERT_SUCCESS(ag_prim_wait(&fx.child, 2), "Z's first ops");
	fx.nb_ev = ag_events_count();
	return TEST_SUCCESS;
}

/* Every pending and later op of Z's vchan fails once Z or the group is gone. */
static int
ag_rv_case(enum ag_rv_mode mode)
{
	int16_t g = ag_ctl->group_id;
	int ret, idx;

	ag_ctl->rv_mode = mode;
	/* An unrelated member leaves: Z's vchan runs on. */
	ret = rte_dma_access_pair_group_leave(ag_dev2, g);
	TEST_ASSERT_SUCCESS(ret, "leave of W: %d", ret);
	ag_prim_step(2);
	TEST_ASSERT_SUCCESS(ag_prim_wait(&fx.child, 3),
			    "Z's ops after an unrelated leave, or its pending ops");

	switch (mode) {
	case AG_RV_LEAVE:
		ag_prim_step(3);
		TEST_ASSERT_SUCCESS(ag_prim_wait(&fx.child, 4), "Z's ops after its leave");
		break;
	case AG_RV_CLOSE:
		ag_prim_step(3);
		TEST_ASSERT_SUCCESS(ag_prim_wait(&fx.child, 4), "Z's close");
		idx = ag_event_wait(fx.nb_ev, fx.dev_x, g, ag_ctl->sec_domain,
				    RTE_DMA_GROUP_EVENT_MEMBER_LEFT, AG_EVENT_LIMIT_MS);
		TEST_ASSERT(idx >= 0, "no MEMBER_LEFT for the close of Z's device");
		/*
		 * The device Z's process closed is still the primary's: its pending ops run at
		 * this submit (the device was stopped for the close), later ops once restarted.
		 */
		TEST_ASSERT_SUCCESS(ag_rv_complete(ag_dev1, ag_ctl->rv_last,
						   RTE_DMA_STATUS_DEV_LINK_ERROR), "pending ops");
		TEST_ASSERT_SUCCESS(rte_dma_start(ag_dev1), "restart of %s", AG_DEV1);
		TEST_ASSERT_SUCCESS(ag_rv_complete(ag_dev1, ag_rv_enqueue(ag_dev1),
						   RTE_DMA_STATUS_DEV_LINK_ERROR), "later ops");
		break;
	case AG_RV_KILL:
		kill(fx.child.pid, SIGKILL);
		TEST_ASSERT_SUCCESS(ag_child_end(&fx.child, true), "Z not killed");
		idx = ag_event_wait(fx.nb_ev, fx.dev_x, g, ag_ctl->sec_domain,
				    RTE_DMA_GROUP_EVENT_MEMBER_LEFT, AG_EVENT_LIMIT_MS);
		TEST_ASSERT(idx >= 0, "no MEMBER_LEFT for Z's death");
		/* Z's ring is in shared memory: its pending ops run at the primary's submit. */
		TEST_ASSERT_SUCCESS(ag_rv_run_revoked(ag_dev1), "ops after Z died");
		break;
	case AG_RV_DESTROY:
		/* The creator's device closed with joiners left: the group ends. */
		ret = rte_dma_close(fx.dev_x);
		TEST_ASSERT_SUCCESS(ret, "close of X's device: %d", ret);
		idx = ag_event_wait(fx.nb_ev, ag_dev0, g, ag_ctl->rv_y,
				    RTE_DMA_GROUP_EVENT_GROUP_DESTROYED, AG_EVENT_LIMIT_MS);
		TEST_ASSERT(idx >= 0, "no GROUP_DESTROYED for Y");
		ag_prim_step(3);
		TEST_ASSERT_SUCCESS(ag_prim_wait(&fx.child, 4), "Z's ops after the group ended");
		break;
	}
	TEST_ASSERT(ag_all_bytes(ag_ctl->rv_dst, AG_BUF_LEN + 2 * AG_RV_CANARY,
				 AG_RV_CANARY_BYTE), "Y's buffer written after the revocation");
	ag_prim_step(4);
	if (mode != AG_RV_KILL)
		TEST_ASSERT_SUCCESS(ag_child_end(&fx.child, false), "Z did not end well");
	return TEST_SUCCESS;
}

static int
test_ag_rv_leave(void)
{
	return ag_rv_case(AG_RV_LEAVE);
}

static int
test_ag_rv_close(void)
{
	return ag_rv_case(AG_RV_CLOSE);
}

static int
test_ag_rv_kill(void)
{
	return ag_rv_case(AG_RV_KILL);
}

static int
test_ag_rv_destroy(void)
{
	return ag_rv_case(AG_RV_DESTROY);
}

/* Groups of X, Y, Z and W need four members. */
static int
ag_rv_suite_setup(void)
{
	char reply[1024];
	int max_members;

	if (ag_telemetry("/dmadev/skeleton_ag/table", reply, sizeof(reply)) != 0 ||
	    ag_tel_int(reply, "max_members", &max_members) != 0) {
		printf("no table sizes from telemetry: %s\n", reply);
		return TEST_FAILED;
	}
	if (max_members < 4) {
		printf("needs max_members=4 or more on every device, not %d\n", max_members);
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static struct unit_test_suite ag_suite = {
	.suite_name = "dmadev access pair group",
	.setup = NULL,
	.teardown = NULL,
	.unit_test_cases = {
		TEST_CASE_ST(ag_fx_setup, ag_fx_teardown, test_ag_bad_inputs),
		TEST_CASE_ST(ag_fx_setup, ag_fx_teardown, test_ag_mp_join_copy_leave),
		TEST_CASE_ST(ag_fx_setup, ag_fx_teardown, test_ag_mp_secondary_exit_keeps_devs),
		TEST_CASE_ST(ag_fx_setup, ag_fx_teardown, test_ag_mp_member_killed),
		TEST_CASE_ST(ag_fx_setup, ag_fx_teardown, test_ag_mp_creator_killed),
		TEST_CASE_ST(ag_fx_setup, ag_fx_teardown, test_ag_mp_threads_idle),
		TEST_CASES_END()
	}
};

static struct unit_test_suite ag_rv_suite = {
	.suite_name = "dmadev access pair group revocation",
	.setup = ag_rv_suite_setup,
	.teardown = NULL,
	.unit_test_cases = {
		TEST_CASE_ST(ag_rv_setup, ag_fx_teardown, test_ag_rv_leave),
		TEST_CASE_ST(ag_rv_setup, ag_fx_teardown, test_ag_rv_close),
		TEST_CASE_ST(ag_rv_setup, ag_fx_teardown, test_ag_rv_kill),
		TEST_CASE_ST(ag_rv_setup, ag_fx_teardown, test_ag_rv_destroy),
		TEST_CASES_END()
	}
};

/* A secondary plays its role; the primary runs the suite of the command. */
static int
ag_main(const char *cmd, struct unit_test_suite *suite)
{
	const char *role = getenv(AG_ROLE_ENV);
	const struct rte_memzone *mz;

	ag_cmd = cmd;
	ag_dev0 = rte_dma_get_dev_id_by_name(AG_DEV0);
	ag_dev1 = rte_dma_get_dev_id_by_name(AG_DEV1);
	ag_dev2 = rte_dma_get_dev_id_by_name(AG_DEV2);
	ag_main_thread = pthread_self();

	if (rte_eal_process_type() == RTE_PROC_SECONDARY) {
		if (role == NULL) {
			printf("secondary without a role\n");
			return TEST_FAILED;
		}
		return ag_secondary(role);
	}
	if (ag_dev0 < 0 || ag_dev1 < 0 || ag_dev2 < 0) {
		printf("skipped: needs --vdev=%s --vdev=%s --vdev=%s\n", AG_DEV0, AG_DEV1,
		       AG_DEV2);
		return TEST_SKIPPED;
	}
	mz = rte_memzone_lookup(AG_CTL_MZ);
	if (mz == NULL)
		mz = rte_memzone_reserve(AG_CTL_MZ, sizeof(struct ag_ctl), SOCKET_ID_ANY, 0);
	if (mz == NULL) {
		printf("cannot reserve memzone %s\n", AG_CTL_MZ);
		return TEST_FAILED;
	}
	ag_ctl = mz->addr;
	ag_ctl_reset();
	return unit_test_suite_runner(suite);
}

/* Needs max_members=2 on every device: a group is full with two members. */
static int
test_dmadev_access_group(void)
{
	return ag_main(RTE_STR(dmadev_access_group_autotest), &ag_suite);
}

/* Needs max_members=4 or more. */
static int
test_dmadev_access_group_revoke(void)
{
	return ag_main(RTE_STR(dmadev_access_group_revoke_autotest), &ag_rv_suite);
}

#endif /* !RTE_EXEC_ENV_WINDOWS */

REGISTER_DRIVER_TEST(dmadev_access_group_autotest, test_dmadev_access_group);
REGISTER_DRIVER_TEST(dmadev_access_group_revoke_autotest, test_dmadev_access_group_revoke);
