/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

#ifdef RTE_EXEC_ENV_WINDOWS

static int
test_dmadev_access_group_perf(void)
{
	printf("dmadev access pair group perf test not supported on Windows, skipping\n");
	return TEST_SKIPPED;
}

#else

#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memcpy.h>
#include <rte_memzone.h>
#include <rte_random.h>
#include <rte_stdatomic.h>
#include <rte_uuid.h>

#include "test_dmadev_access_group_os.h"

/*
 * Performance of inter-domain DMA with dma_skag, in one run of one primary, the secondaries it
 * starts and one independent primary it starts (this test again, the role in PF_ROLE_ENV):
 *  - data path: rte_memcpy, stock dma_skeleton, dma_skag on a local vchan, on an inter-process
 *    vchan and process_vm_writev(), all into the same buffer of a peer process, and dma_skag on
 *    an inter-OS vchan into a buffer of the remote application (an independent primary meeting
 *    the primary at the devices' rendezvous), in rounds that interleave engines and sizes,
 *    the three dma_skag vchans in slices of a few ms that alternate;
 *  - control ops: create and destroy (primary), join, handler_get and leave (peer) with 1, 64
 *    and 1024 live groups, the same five in the remote application, its join, handler_get and
 *    leave in groups of the primary's application, and leave again with the MEMBER_LEFT
 *    receiver placed elsewhere;
 *  - death detection: SIGKILL of a member or of a creator that keeps doing control ops and
 *    copies, at a random moment, until the survivor's callback;
 *  - MEMBER_LEFT fan-out to the members of a full group, one process each.
 * Figures are printed, with the targets they are held against; the test fails only when a
 * measurement cannot be made. Every dma_skag device needs the same rendezvous=<dir>: the
 * remote application names it too. Environment (all optional):
 *   DMADEV_AG_PERF_ROUNDS   data path rounds (7, at least 5)
 *   DMADEV_AG_PERF_MS       length of one data path measurement in ms (100)
 *   DMADEV_AG_PERF_SAMPLES  control op samples per op and group count (2000)
 *   DMADEV_AG_PERF_KILLS    SIGKILLs of each kind (200)
 *   DMADEV_AG_PERF_FANOUT   fan-out rounds (300)
 *   DMADEV_AG_PERF_CSV      file to write the figures to as CSV
 */

#define PF_TEST_NAME		"dmadev_access_group_perf_autotest"
#define PF_ROLE_ENV		"DPDK_TEST_DMADEV_AG_PERF_ROLE"
#define PF_ROLE_PEER		"peer"		/* lends its buffer, times join/handler_get/leave */
#define PF_ROLE_VICTIM		"victim"	/* loops on control ops and copies until killed */
#define PF_ROLE_FANOUT		"fanout"	/* "fanout<N>": member N of the fan-out group */
#define PF_ROLE_REMOTE		"remote"	/* other application: lends its buffer, times ops */
#define PF_CTL_ENV		"DPDK_TEST_DMADEV_AG_PERF_CTL"	/* the remote's command file */
#define PF_CTL_MZ		"ag_perf_ctl"

#define PF_NB_DEVS		8		/* dma_skag0..7: the fan-out group is full */
#define PF_PEER_DEV		1		/* also the remote application's device */
#define PF_VICTIM_DEV		2
#define PF_MAX_GROUPS		1024
#define PF_SPAN			(4u << 20)	/* per buffer: stays in the last-level cache */
#define PF_DRAM_SPAN		(256u << 20)	/* per buffer: well above the last-level cache */
#define PF_BURST		32
#define PF_SLICES		20		/* slices of each vchan per point and round */
#define PF_NB_DESC		1024
#define PF_MAX_ROUNDS		64
#define PF_MAX_SAMPLES		4096
#define PF_MAX_KILLS		1000
#define PF_MAX_FANOUT		1000
#define PF_COPY_LEN		4096		/* copies of a victim */
#define PF_TIMEOUT_MS		20000		/* secondary start-up included */
#define PF_EVENT_TIMEOUT_MS	5000
#define PF_IDLE_US		1000		/* poll period of idle secondaries */

/* Targets of the figures. */
#define PF_T_INTER_LOCAL	0.99
#define PF_T_INTER_MEMCPY	0.95
#define PF_T_OS_LOCAL		0.97
#define PF_T_CTRL_MED_US	1.0
#define PF_T_CTRL_P99_US	5.0
#define PF_T_OS_CTRL_MED_US	20.0
#define PF_T_OS_CTRL_P99_US	20.0
#define PF_T_KILL_MED_US	200.0
#define PF_T_KILL_P99_US	1000.0
#define PF_T_FANOUT_P99_US	100.0

enum pf_engine {
	PF_MEMCPY, PF_SKELETON, PF_AG_LOCAL, PF_AG_INTER, PF_AG_OS, PF_PVW, PF_NB_ENGINES
};

static const char *const pf_engine_names[PF_NB_ENGINES] = {
	"rte_memcpy", "dma_skeleton", "skag local", "skag inter-process", "skag inter-OS",
	"process_vm_writev",
};
static const char *const pf_engine_ids[PF_NB_ENGINES] = {
	"memcpy", "skeleton", "ag_local", "ag_inter", "ag_os", "pvw",
};
/* The vchans of dma_skag0 in the data path, by engine. */
static const enum pf_engine pf_vchan_engines[] = { PF_AG_LOCAL, PF_AG_INTER, PF_AG_OS };

struct pf_point {
	uint32_t size;		/* bytes per copy */
	uint32_t span;		/* bytes of each buffer the copies walk over */
};

static const struct pf_point pf_points[] = {
	{ 64, PF_SPAN }, { 256, PF_SPAN }, { 1024, PF_SPAN }, { 4096, PF_SPAN },
	{ 64 << 10, PF_SPAN }, { 1 << 20, PF_SPAN }, { 1 << 20, PF_DRAM_SPAN },
};
#define PF_NB_POINTS		RTE_DIM(pf_points)

/* Commands of the peer (secondary) and of the remote application (independent primary). */
enum pf_cmd {
	PF_CMD_NONE,
	PF_CMD_JOIN,		/* join the group, allocate the buffer */
	PF_CMD_LEAVE,		/* leave the group, free the buffer */
	PF_CMD_CTRL,		/* time join, handler_get and leave in a group of the primary */
	PF_CMD_CTRL_CD,		/* remote: time create and destroy of groups of its own */
	PF_CMD_CLEAR,		/* remote: zero the first len bytes of the buffer */
	PF_CMD_CHECK,		/* remote: check the first len bytes against the source pattern */
	PF_CMD_EXIT,
};
enum pf_fo_cmd { PF_FO_NONE, PF_FO_LEAVE, PF_FO_REJOIN, PF_FO_STOP };

/* Commands of the primary to a process, one at a time, and their result. */
struct pf_chan {
	RTE_ATOMIC(uint32_t) cmd_seq;
	RTE_ATOMIC(uint32_t) done_seq;
	uint32_t cmd;
	int32_t status;
};

/* Times of control ops in ns, written by the process that makes them. */
struct pf_ctrl_ns {
	uint64_t create[PF_MAX_SAMPLES];
	uint64_t destroy[PF_MAX_SAMPLES];
	uint64_t join[PF_MAX_SAMPLES];
	uint64_t hget[PF_MAX_SAMPLES];
	uint64_t leave[PF_MAX_SAMPLES];
	uint32_t leave_csw[PF_MAX_SAMPLES];	/* context switches during each leave */
};

/*
 * The remote application's part, in a file of the rendezvous directory that it and the
 * primary map: DPDK memory and IPC do not reach another application.
 */
struct pf_os_ctl {
	struct pf_chan chan;
	RTE_ATOMIC(int32_t) pid;	/* set once the remote application runs */
	int16_t group_id;
	uint32_t samples;
	uint32_t len;			/* CLEAR, CHECK */
	rte_uuid_t token;
	rte_uuid_t prim_domain;
	rte_uuid_t domain;		/* the remote's */
	uint64_t buf;			/* the remote's buffer, at its address */
	struct pf_ctrl_ns ns;
};

/* Shared by the primary and its secondaries, in a memzone. */
struct pf_ctl {
	/* peer: commands of the primary */
	struct pf_chan peer;
	RTE_ATOMIC(int32_t) peer_pid;	/* set once the peer runs */
	int32_t peer_cpu;
	int16_t group_id;
	uint32_t samples;
	rte_uuid_t token;
	rte_uuid_t prim_domain;
	rte_uuid_t peer_domain;
	uint64_t peer_buf;		/* the peer's buffer, same address in every process */
	struct pf_ctrl_ns peer_ns;	/* peer: CMD_CTRL samples (join, hget, leave) */
	/* victim */
	uint32_t victim_creator;	/* creates the group, else joins it */
	int16_t victim_group;
	rte_uuid_t victim_token;
	RTE_ATOMIC(int32_t) victim_ready;	/* pid, once in the group */
	RTE_ATOMIC(uint64_t) victim_loops;
	/* fan-out */
	int16_t fo_group;
	RTE_ATOMIC(uint32_t) fo_seq;
	uint32_t fo_cmd;
	uint32_t fo_target;		/* member index the command is for */
	RTE_ATOMIC(uint32_t) fo_ack[PF_NB_DEVS];
	RTE_ATOMIC(uint32_t) fo_joined;	/* bit per member index */
	RTE_ATOMIC(uint64_t) fo_leave_ns;
	RTE_ATOMIC(uint64_t) fo_cb_ns[PF_NB_DEVS];
};

struct pf_stat {
	double med_us;
	double p99_us;
	double max_us;
	uint32_t n;
};

struct pf_spread {
	double med;
	double min;
	double max;
};

struct pf_results {
	uint32_t rounds;
	double gbps[PF_NB_POINTS][PF_NB_ENGINES][PF_MAX_ROUNDS];
	double mops[PF_NB_POINTS][PF_NB_ENGINES][PF_MAX_ROUNDS];
	bool have_data;
	uint32_t ctrl_groups[3];
	struct pf_stat ctrl[3][5];	/* create, destroy, join, handler_get, leave */
	struct pf_stat os_ctrl[3][5];	/* the same, in the remote application */
	uint32_t nb_ctrl;
	struct pf_stat leave_diag[3];	/* no receiver, other process, same process */
	struct pf_stat leave_quiet[3];	/* the leaves without a context switch */
	uint32_t leave_switched[3];
	bool have_diag;
	int32_t watcher_cpu;		/* CPU of the primary's watcher, -1 if unknown */
	int32_t peer_cpu;
	struct pf_stat kill[2];		/* member, creator */
	int64_t repairs;		/* kills inside the table lock, -1 if not available */
	uint64_t victim_loops;
	bool have_kill;
	struct pf_stat fo_all;
	struct pf_stat fo_slowest;
	bool have_fanout;
};

static const char *const pf_ctrl_names[5] = {
	"create", "destroy", "join", "handler_get", "leave",
};
static const char *const pf_diag_names[3] = {
	"no receiver (creator has no callback)",
	"receiver in another process",
	"receiver in the leaver's process",
};

static struct pf_ctl *pf_ctl;
static struct pf_os_ctl *pf_os;
static char pf_os_path[PATH_MAX];	/* the file of pf_os */
static char pf_os_prefix[64];		/* file prefix of the remote application */
static struct pf_results pf_res;
static int16_t pf_dev[PF_NB_DEVS] = { -1, -1, -1, -1, -1, -1, -1, -1 };
static int16_t pf_skel = -1;
static int pf_fo_index = -1;		/* fan-out member index of this process */
static char pf_lcore[16];		/* lcore of the secondaries */
static struct {
	uint32_t rounds, ms, samples, kills, fanout;
} pf_cfg;

/* The event the primary waits for, and when its callback ran. */
static RTE_ATOMIC(int16_t) pf_watch_group = -1;
static int pf_watch_type;
static RTE_ATOMIC(uint64_t) pf_watch_ns;

/* Runs on the driver's watcher thread: only record the time. */
static void
pf_event_cb(int16_t dev_id, int16_t group_id, rte_uuid_t domain_id,
	    enum rte_dma_access_pair_group_event_type event)
{
	uint64_t t = ag_now_ns(), zero = 0;

	RTE_SET_USED(dev_id);
	RTE_SET_USED(domain_id);
	if (pf_fo_index >= 0 && event == RTE_DMA_GROUP_EVENT_MEMBER_LEFT &&
	    group_id == pf_ctl->fo_group)
		rte_atomic_compare_exchange_strong_explicit(&pf_ctl->fo_cb_ns[pf_fo_index], &zero,
				t, rte_memory_order_release, rte_memory_order_relaxed);
	if (group_id == rte_atomic_load_explicit(&pf_watch_group, rte_memory_order_acquire) &&
	    (int)event == pf_watch_type) {
		zero = 0;
		rte_atomic_compare_exchange_strong_explicit(&pf_watch_ns, &zero, t,
				rte_memory_order_release, rte_memory_order_relaxed);
	}
}

static void
pf_watch_arm(int16_t group_id, int type)
{
	rte_atomic_store_explicit(&pf_watch_ns, 0, rte_memory_order_release);
	pf_watch_type = type;
	rte_atomic_store_explicit(&pf_watch_group, group_id, rte_memory_order_release);
}

/* Time the watched event came, 0 if not within timeout_ms. */
static uint64_t
pf_watch_wait(unsigned int timeout_ms)
{
	uint64_t deadline = ag_now_ns() + (uint64_t)timeout_ms * 1000000;
	uint64_t t;

	/*
	 * The callback timed itself: look seldom, so that this thread keeps off the CPUs while
	 * the threads measured need them.
	 */
	while ((t = rte_atomic_load_explicit(&pf_watch_ns, rte_memory_order_acquire)) == 0 &&
	       ag_now_ns() < deadline)
		rte_delay_us_sleep(PF_IDLE_US);
	rte_atomic_store_explicit(&pf_watch_group, -1, rte_memory_order_release);
	return t;
}

static int
pf_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
pf_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median, 99th percentile (nearest rank) and maximum of n samples in ns; sorts them. */
static struct pf_stat
pf_stats(uint64_t *ns, uint32_t n)
{
	struct pf_stat s = { .n = n };
	uint32_t rank;

	if (n == 0)
		return s;
	qsort(ns, n, sizeof(*ns), pf_cmp_u64);
	rank = (uint32_t)(((uint64_t)n * 99 + 99) / 100);
	s.med_us = ns[n / 2] / 1e3;
	s.p99_us = ns[RTE_MAX(rank, 1u) - 1] / 1e3;
	s.max_us = ns[n - 1] / 1e3;
	return s;
}

static struct pf_spread
pf_spread_of(const double *v, uint32_t n)
{
	double s[PF_MAX_ROUNDS];
	struct pf_spread r;

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), pf_cmp_double);
	r.med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	r.min = s[0];
	r.max = s[n - 1];
	return r;
}

/* Per round ratio a/b of one point, so that both runs of a round share the machine's load. */
static struct pf_spread
pf_ratio(unsigned int p, enum pf_engine a, enum pf_engine b)
{
	double v[PF_MAX_ROUNDS];
	uint32_t r;

	for (r = 0; r < pf_res.rounds; r++)
		v[r] = pf_res.mops[p][a][r] / pf_res.mops[p][b][r];
	return pf_spread_of(v, pf_res.rounds);
}

static uint32_t
pf_env_u32(const char *name, uint32_t def, uint32_t min, uint32_t max)
{
	const char *s = getenv(name);
	unsigned long v;
	char *end;

	if (s == NULL || s[0] == '\0')
		return def;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v < min || v > max) {
		printf("%s=%s ignored: not in %u..%u, using %u\n", name, s, min, max, def);
		return def;
	}
	return v;
}

/* Wait for a command of the primary: the next value of its sequence number *p after seen. */
static uint32_t
pf_next_cmd(const ag_atomic_u32_t *p, uint32_t seen)
{
	const struct timespec bound = { .tv_nsec = PF_IDLE_US * 1000 };
	uint32_t cur;

	/* Asleep until pf_cmd_post(): no wake-up of its own among the threads measured. */
	while ((cur = ag_load(p)) == seen)
		syscall(SYS_futex, p, FUTEX_WAIT, seen, &bound, NULL, 0);
	return cur;
}

/* Post command sequence v to a process waiting in pf_next_cmd(). */
static void
pf_cmd_post(ag_atomic_u32_t *p, uint32_t v)
{
	ag_store(p, v);
	syscall(SYS_futex, p, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Wait until *p == v; fails if the child is gone or after timeout_ms. */
static int
pf_wait_eq(const ag_atomic_u32_t *p, uint32_t v, struct ag_child *c, unsigned int timeout_ms)
{
	uint64_t deadline = ag_now_ns() + (uint64_t)timeout_ms * 1000000;

	while (ag_load(p) != v) {
		if (c != NULL && ag_child_gone(c)) {
			printf("process %d exited (status 0x%x)\n", c->pid, c->status);
			return -ECHILD;
		}
		if (ag_now_ns() > deadline) {
			printf("timeout waiting for process %d\n", c != NULL ? c->pid : -1);
			return -ETIMEDOUT;
		}
		rte_delay_us_sleep(PF_IDLE_US);
	}
	return 0;
}

static int
pf_spawn(struct ag_child *c, const char *role)
{
	int ret = ag_spawn(c, PF_TEST_NAME, PF_ROLE_ENV, role, pf_lcore);

	if (ret != 0)
		printf("cannot start a secondary (%s): %s\n", role, strerror(-ret));
	return ret;
}

/* One vchan per entry of dom (type 0: local), device left stopped. */
static int
pf_dev_config(int16_t dev_id, const struct rte_dma_inter_domain_param *dom, uint16_t nb)
{
	struct rte_dma_conf conf = { .nb_vchans = nb };
	struct rte_dma_vchan_conf vconf;
	uint16_t i;
	int ret;

	ret = rte_dma_stop(dev_id);
	if (ret == 0)
		ret = rte_dma_configure(dev_id, &conf);
	for (i = 0; i < nb && ret == 0; i++) {
		memset(&vconf, 0, sizeof(vconf));
		vconf.direction = RTE_DMA_DIR_MEM_TO_MEM;
		vconf.nb_desc = PF_NB_DESC;
		vconf.domain = dom[i];
		ret = rte_dma_vchan_setup(dev_id, i, &vconf);
	}
	return ret;
}

/* Run a command in the process c serving ch and wait for it; its status. */
static int
pf_chan_cmd(struct pf_chan *ch, struct ag_child *c, enum pf_cmd cmd, unsigned int timeout_ms)
{
	uint32_t seq = ag_load(&ch->cmd_seq) + 1;
	int ret;

	ch->cmd = cmd;
	ch->status = -EINPROGRESS;
	pf_cmd_post(&ch->cmd_seq, seq);
	ret = pf_wait_eq(&ch->done_seq, seq, c, timeout_ms);
	if (ret != 0)
		return ret;
	if (ch->status != 0)
		printf("command %d of process %d failed: %d\n", cmd, c->pid, ch->status);
	return ch->status;
}

/* Serve the commands of ch with exec until PF_CMD_EXIT. */
static int
pf_chan_serve(struct pf_chan *ch, int (*exec)(uint32_t cmd))
{
	uint32_t seq = 0;

	for (;;) {
		seq = pf_next_cmd(&ch->cmd_seq, seq);
		if (ch->cmd == PF_CMD_EXIT) {
			ch->status = 0;
			ag_store(&ch->done_seq, seq);
			return TEST_SUCCESS;
		}
		ch->status = exec(ch->cmd);
		ag_store(&ch->done_seq, seq);
	}
}

/* n creates and destroys of a group of dev's own, timed in ns. */
static int
pf_time_create_destroy(int16_t dev, uint8_t *domain, uint32_t n, struct pf_ctrl_ns *ns)
{
	uint64_t t0, t1;
	rte_uuid_t tok;
	uint32_t i;
	int16_t g;
	int ret;

	ag_uuid_random(tok);
	for (i = 0; i < n; i++) {
		t0 = ag_now_ns();
		ret = rte_dma_access_pair_group_create(dev, domain, tok, &g, pf_event_cb);
		t1 = ag_now_ns();
		if (ret != 0)
			return ret;
		ns->create[i] = t1 - t0;
		ret = rte_dma_access_pair_group_destroy(dev, g);
		ns->destroy[i] = ag_now_ns() - t1;
		if (ret != 0)
			return ret;
	}
	return 0;
}

/*
 * n times: join group g with token, get the handler of the creator's domain, leave; each
 * timed in ns, with the context switches of the calling thread during each leave.
 */
static int
pf_time_join_leave(int16_t dev, uint8_t *domain, uint8_t *token, int16_t g, uint8_t *creator,
		   uint32_t n, struct pf_ctrl_ns *ns)
{
	struct rusage ru0, ru1;
	uint64_t t0, t1, t2, t3;
	uint32_t k;
	uint16_t h;
	int ret = 0;

	for (k = 0; k < n && ret == 0; k++) {
		t0 = ag_now_ns();
		ret = rte_dma_access_pair_group_join(dev, domain, token, g, pf_event_cb);
		t1 = ag_now_ns();
		if (ret != 0)
			break;
		ret = rte_dma_access_pair_group_handler_get(dev, g, creator, &h);
		t2 = ag_now_ns();
		getrusage(RUSAGE_THREAD, &ru0);
		t3 = ag_now_ns();
		if (rte_dma_access_pair_group_leave(dev, g) != 0 && ret == 0)
			ret = -EIO;
		ns->leave[k] = ag_now_ns() - t3;
		getrusage(RUSAGE_THREAD, &ru1);
		ns->join[k] = t1 - t0;
		ns->hget[k] = t2 - t1;
		ns->leave_csw[k] = (ru1.ru_nvcsw - ru0.ru_nvcsw) + (ru1.ru_nivcsw - ru0.ru_nivcsw);
	}
	return ret;
}

/* --- secondaries --- */

static void *pf_peer_buf;
static int16_t pf_peer_group = -1;

static int
pf_peer_exec(uint32_t cmd)
{
	int16_t dev = pf_dev[PF_PEER_DEV];
	int ret;

	switch (cmd) {
	case PF_CMD_JOIN:
		pf_peer_group = pf_ctl->group_id;
		ret = rte_dma_access_pair_group_join(dev, pf_ctl->peer_domain, pf_ctl->token,
						     pf_peer_group, pf_event_cb);
		if (ret != 0)
			return ret;
		pf_peer_buf = rte_malloc("ag_perf_peer", PF_DRAM_SPAN, 4096);
		pf_ctl->peer_buf = (uintptr_t)pf_peer_buf;
		return pf_peer_buf == NULL ? -ENOMEM : 0;
	case PF_CMD_LEAVE:
		ret = rte_dma_access_pair_group_leave(dev, pf_peer_group);
		rte_free(pf_peer_buf);
		pf_peer_buf = NULL;
		return ret;
	case PF_CMD_CTRL:
		return pf_time_join_leave(dev, pf_ctl->peer_domain, pf_ctl->token,
					  pf_ctl->group_id, pf_ctl->prim_domain, pf_ctl->samples,
					  &pf_ctl->peer_ns);
	default:
		return -EINVAL;
	}
}

/* Run the primary's commands until PF_CMD_EXIT. */
static int
pf_peer(void)
{
	ag_uuid_random(pf_ctl->peer_domain);
	pf_ctl->peer_cpu = sched_getcpu();
	rte_atomic_store_explicit(&pf_ctl->peer_pid, getpid(), rte_memory_order_release);
	return pf_chan_serve(&pf_ctl->peer, pf_peer_exec);
}

/*
 * Join the primary's group (or create one for it to join), then loop on control ops and local
 * copies until killed. Nothing in the loop takes a lock of DPDK's shared memory (no rte_malloc):
 * only the driver's table lock, which is robust.
 */
static int
pf_victim(void)
{
	int16_t dev = pf_dev[PF_VICTIM_DEV], g = pf_ctl->victim_group, sg;
	uint64_t deadline = ag_now_ns() + (uint64_t)PF_TIMEOUT_MS * 1000000;
	const struct rte_dma_inter_domain_param local = { .type = RTE_DMA_INTER_DOMAIN_NONE };
	enum rte_dma_status_code st;
	uint8_t *src, *dst;
	rte_uuid_t domain, tok;
	uint16_t h, last;
	uint64_t loops = 0;
	int ret;

	ag_uuid_random(domain);
	ag_uuid_random(tok);
	src = rte_zmalloc("ag_perf_victim", 2 * PF_COPY_LEN, 4096);
	if (src == NULL)
		return TEST_FAILED;
	dst = src + PF_COPY_LEN;
	ret = pf_dev_config(dev, &local, 1);
	if (ret == 0)
		ret = rte_dma_start(dev);
	if (ret != 0) {
		printf("victim: local vchan setup: %d\n", ret);
		return TEST_FAILED;
	}
	if (pf_ctl->victim_creator) {
		ret = rte_dma_access_pair_group_create(dev, domain, pf_ctl->victim_token, &g,
						       pf_event_cb);
		pf_ctl->victim_group = g;
	} else {
		ret = rte_dma_access_pair_group_join(dev, domain, pf_ctl->victim_token, g,
						     pf_event_cb);
	}
	if (ret != 0) {
		printf("victim: %s: %d\n", pf_ctl->victim_creator ? "create" : "join", ret);
		return TEST_FAILED;
	}
	rte_atomic_store_explicit(&pf_ctl->victim_ready, getpid(), rte_memory_order_release);
	while (ag_now_ns() < deadline) {
		/* Mostly control ops, so that some kills land inside the table lock. */
		if (rte_dma_access_pair_group_create(dev, domain, tok, &sg, NULL) == 0) {
			rte_dma_access_pair_group_handler_get(dev, sg, domain, &h);
			rte_dma_access_pair_group_destroy(dev, sg);
		}
		rte_dma_access_pair_group_handler_get(dev, g, domain, &h);
		if ((loops & 3) == 0 &&
		    rte_dma_copy(dev, 0, (uintptr_t)src, (uintptr_t)dst, PF_COPY_LEN,
				 RTE_DMA_OP_FLAG_SUBMIT) >= 0) {
			while (rte_dma_completed_status(dev, 0, 1, &last, &st) == 0)
				;
		}
		rte_atomic_store_explicit(&pf_ctl->victim_loops, ++loops, rte_memory_order_relaxed);
	}
	printf("victim %d: not killed\n", getpid());
	return TEST_FAILED;
}

/* Member of the fan-out group: leave or join again when told, until told to stop. */
static int
pf_fanout_member(int idx)
{
	int16_t dev = pf_dev[idx], g = pf_ctl->fo_group;
	uint32_t seq = 0, cmd;
	rte_uuid_t domain;
	bool joined;
	int ret;

	pf_fo_index = idx;
	ag_uuid_random(domain);
	ret = rte_dma_access_pair_group_join(dev, domain, pf_ctl->token, g, pf_event_cb);
	if (ret != 0) {
		printf("fan-out member %d: join: %d\n", idx, ret);
		return TEST_FAILED;
	}
	joined = true;
	rte_atomic_fetch_or_explicit(&pf_ctl->fo_joined, 1u << idx, rte_memory_order_acq_rel);
	for (;;) {
		seq = pf_next_cmd(&pf_ctl->fo_seq, seq);
		cmd = pf_ctl->fo_cmd;
		if (cmd == PF_FO_STOP) {
			if (joined)
				rte_dma_access_pair_group_leave(dev, g);
			ag_store(&pf_ctl->fo_ack[idx], seq);
			return TEST_SUCCESS;
		}
		if (pf_ctl->fo_target != (uint32_t)idx)
			continue;
		if (cmd == PF_FO_LEAVE && joined) {
			rte_atomic_store_explicit(&pf_ctl->fo_leave_ns, ag_now_ns(),
						  rte_memory_order_release);
			ret = rte_dma_access_pair_group_leave(dev, g);
			joined = ret != 0;
		} else if (cmd == PF_FO_REJOIN && !joined) {
			ret = rte_dma_access_pair_group_join(dev, domain, pf_ctl->token, g,
							     pf_event_cb);
			joined = ret == 0;
		} else {
			ret = -EINVAL;
		}
		if (ret != 0) {
			printf("fan-out member %d: command %u: %d\n", idx, cmd, ret);
			return TEST_FAILED;
		}
		ag_store(&pf_ctl->fo_ack[idx], seq);
	}
}

static int
pf_secondary(const char *role)
{
	const struct rte_memzone *mz = rte_memzone_lookup(PF_CTL_MZ);
	size_t len = strlen(PF_ROLE_FANOUT);
	int idx;

	if (mz == NULL) {
		printf("secondary: no memzone %s\n", PF_CTL_MZ);
		return TEST_FAILED;
	}
	pf_ctl = mz->addr;
	if (strcmp(role, PF_ROLE_PEER) == 0)
		return pf_peer();
	if (strcmp(role, PF_ROLE_VICTIM) == 0)
		return pf_victim();
	if (strncmp(role, PF_ROLE_FANOUT, len) == 0) {
		idx = atoi(role + len);
		if (idx > 0 && idx < PF_NB_DEVS)
			return pf_fanout_member(idx);
	}
	printf("secondary: unknown role %s\n", role);
	return TEST_FAILED;
}

/* --- remote application: an independent primary, another OS instance for dma_skag --- */

static void *pf_os_buf;

static int
pf_remote_exec(uint32_t cmd)
{
	int16_t dev = pf_dev[PF_PEER_DEV];
	int ret;

	switch (cmd) {
	case PF_CMD_JOIN:
		/* Allocated first: the primary's vchan imports the memory there is at its setup. */
		pf_os_buf = rte_malloc("ag_perf_remote", PF_DRAM_SPAN, 4096);
		if (pf_os_buf == NULL)
			return -ENOMEM;
		pf_os->buf = (uintptr_t)pf_os_buf;
		return rte_dma_access_pair_group_join(dev, pf_os->domain, pf_os->token,
						      pf_os->group_id, pf_event_cb);
	case PF_CMD_LEAVE:
		ret = rte_dma_access_pair_group_leave(dev, pf_os->group_id);
		rte_free(pf_os_buf);
		pf_os_buf = NULL;
		return ret;
	case PF_CMD_CLEAR:
		if (pf_os_buf == NULL || pf_os->len > PF_DRAM_SPAN)
			return -EINVAL;
		memset(pf_os_buf, 0, pf_os->len);
		return 0;
	case PF_CMD_CHECK:
		if (pf_os_buf == NULL || pf_os->len > PF_DRAM_SPAN)
			return -EINVAL;
		return ag_pattern_check(pf_os_buf, pf_os->len, 0) == 0 ? 0 : -EIO;
	case PF_CMD_CTRL:
		return pf_time_join_leave(dev, pf_os->domain, pf_os->token, pf_os->group_id,
					  pf_os->prim_domain, pf_os->samples, &pf_os->ns);
	case PF_CMD_CTRL_CD:
		return pf_time_create_destroy(dev, pf_os->domain, pf_os->samples, &pf_os->ns);
	default:
		return -EINVAL;
	}
}

/* Run the commands of the primary of another application, in the file ctl, until EXIT. */
static int
pf_remote(const char *ctl)
{
	int ret;

	if (ctl == NULL) {
		printf("remote: no %s\n", PF_CTL_ENV);
		return TEST_FAILED;
	}
	pf_os = ag_os_shm_map(ctl, sizeof(*pf_os), false);
	if (pf_os == NULL) {
		printf("remote: cannot map %s: %s\n", ctl, strerror(errno));
		return TEST_FAILED;
	}
	rte_atomic_store_explicit(&pf_os->pid, getpid(), rte_memory_order_release);
	ret = pf_chan_serve(&pf_os->chan, pf_remote_exec);
	rte_free(pf_os_buf);
	munmap(pf_os, sizeof(*pf_os));
	return ret;
}

/* --- primary: data path --- */

static int
pf_run_memcpy(const struct pf_point *pt, uint8_t *src, uint8_t *dst, uint64_t min_ns,
	      uint64_t *ops, uint64_t *ns)
{
	uint32_t nb_offs = pt->span / pt->size, idx = 0, k;
	uint32_t batch = pt->size >= 4096 ? 1 : 64;
	uint64_t t0 = ag_now_ns(), t, n = 0;

	do {
		for (k = 0; k < batch; k++) {
			rte_memcpy(dst + (size_t)idx * pt->size, src + (size_t)idx * pt->size,
				   pt->size);
			if (++idx == nb_offs)
				idx = 0;
		}
		n += batch;
		t = ag_now_ns();
	} while (t - t0 < min_ns);
	*ops = n;
	*ns = t - t0;
	return 0;
}

/* process_vm_writev() into the peer, PF_BURST iovecs per call. */
static int
pf_run_pvw(const struct pf_point *pt, uint8_t *src, uint8_t *dst, uint64_t min_ns,
	   uint64_t *ops, uint64_t *ns)
{
	uint32_t nb_offs = pt->span / pt->size, idx = 0, k;
	struct iovec liov[PF_BURST], riov[PF_BURST];
	uint64_t t0 = ag_now_ns(), t, n = 0;
	ssize_t len;

	do {
		for (k = 0; k < PF_BURST; k++) {
			liov[k].iov_base = src + (size_t)idx * pt->size;
			liov[k].iov_len = pt->size;
			riov[k].iov_base = dst + (size_t)idx * pt->size;
			riov[k].iov_len = pt->size;
			if (++idx == nb_offs)
				idx = 0;
		}
		len = process_vm_writev(pf_ctl->peer_pid, liov, PF_BURST, riov, PF_BURST, 0);
		if (len != (ssize_t)PF_BURST * pt->size) {
			printf("process_vm_writev: %zd of %u bytes: %s\n", len,
			       PF_BURST * pt->size, strerror(errno));
			return -EIO;
		}
		n += PF_BURST;
		t = ag_now_ns();
	} while (t - t0 < min_ns);
	*ops = n;
	*ns = t - t0;
	return 0;
}

/*
 * Bursts of copies on a DMA vchan from buffer offset *cursor on (kept for the next call), submit,
 * reap completions. The clock is read every 8 bursts of small copies, every burst of big ones.
 */
static int
pf_run_dma(int16_t dev_id, uint16_t vchan, const struct pf_point *pt, uint8_t *src,
	   uint8_t *dst, uint64_t min_ns, uint32_t *cursor, uint64_t *ops, uint64_t *ns)
{
	uint32_t nb_offs = pt->span / pt->size, idx = *cursor, k, loops = 0;
	uint32_t clock_mask = pt->size >= 4096 ? 0 : 7;
	uint64_t t0 = ag_now_ns(), enq = 0, done = 0, off;
	enum rte_dma_status_code st = RTE_DMA_STATUS_SUCCESSFUL;
	bool err = false;
	uint16_t last;

	for (;;) {
		for (k = 0; k < PF_BURST; k++) {
			off = (uint64_t)idx * pt->size;
			if (rte_dma_copy(dev_id, vchan, (uintptr_t)(src + off),
					 (uintptr_t)(dst + off), pt->size, 0) < 0)
				break;
			enq++;
			if (++idx == nb_offs)
				idx = 0;
		}
		rte_dma_submit(dev_id, vchan);
		done += rte_dma_completed(dev_id, vchan, 2 * PF_BURST, &last, &err);
		if (err)
			break;
		if ((++loops & clock_mask) == 0 && ag_now_ns() - t0 >= min_ns)
			break;
	}
	while (!err && done < enq) {
		done += rte_dma_completed(dev_id, vchan, 2 * PF_BURST, &last, &err);
		if (ag_now_ns() - t0 > min_ns + (uint64_t)PF_TIMEOUT_MS * 1000000) {
			printf("dmadev %d vchan %u: %" PRIu64 " copies never completed\n", dev_id,
			       vchan, enq - done);
			return -ETIMEDOUT;
		}
	}
	if (err) {
		rte_dma_completed_status(dev_id, vchan, 1, &last, &st);
		printf("dmadev %d vchan %u: copy of %u bytes failed, status %d\n", dev_id, vchan,
		       pt->size, st);
		return -EIO;
	}
	*cursor = idx;
	*ops = done;
	*ns = ag_now_ns() - t0;
	return 0;
}

/* Zero the first len bytes of the buffer of the remote application, or check them. */
static int
pf_remote_mem(struct ag_child *remote, enum pf_cmd cmd, uint32_t len)
{
	pf_os->len = len;
	return pf_chan_cmd(&pf_os->chan, remote, cmd, PF_TIMEOUT_MS);
}

/* Whether the first copy of a run (to offset 0) copied the right data (ok), said if not. */
static int
pf_check(enum pf_engine e, unsigned int p, bool ok)
{
	if (ok)
		return 0;
	printf("%s copied wrong data (%u B)\n", pf_engine_names[e], pf_points[p].size);
	return -EIO;
}

static void
pf_record(enum pf_engine e, unsigned int p, uint32_t round, uint64_t ops, uint64_t ns)
{
	pf_res.mops[p][e][round] = ops * 1e3 / ns;
	pf_res.gbps[p][e][round] = (double)ops * pf_points[p].size / ns;
}

/* One run of engine e (rte_memcpy, dma_skeleton or process_vm_writev) at point p into dst. */
static int
pf_run_engine(enum pf_engine e, unsigned int p, uint32_t round, uint8_t *src, uint8_t *dst)
{
	const struct pf_point *pt = &pf_points[p];
	uint64_t min_ns = (uint64_t)pf_cfg.ms * 1000000, ops = 0, ns = 1;
	uint32_t cursor = 0;
	int ret;

	memset(dst, 0, pt->size);
	switch (e) {
	case PF_MEMCPY:
		ret = pf_run_memcpy(pt, src, dst, min_ns, &ops, &ns);
		break;
	case PF_SKELETON:
		/* Started for its runs only: its worker thread polls while started. */
		ret = rte_dma_start(pf_skel);
		if (ret == 0)
			ret = pf_run_dma(pf_skel, 0, pt, src, dst, min_ns, &cursor, &ops, &ns);
		rte_dma_stop(pf_skel);
		break;
	default:
		ret = pf_run_pvw(pt, src, dst, min_ns, &ops, &ns);
		break;
	}
	if (ret == 0)
		ret = pf_check(e, p, memcmp(dst, src, pt->size) == 0);
	if (ret == 0)
		pf_record(e, p, round, ops, ns);
	return ret;
}

/* Where vchan v copies to: the remote application's buffer (its addresses) for inter-OS. */
static uint8_t *
pf_vchan_dst(unsigned int v, uint8_t *dst)
{
	return pf_vchan_engines[v] == PF_AG_OS ? (uint8_t *)(uintptr_t)pf_os->buf : dst;
}

/*
 * One burst of vchan v from offset 0 into a cleared buffer: the slices of the vchans share the
 * buffers, this tells that each of them copies. Inter-OS copies go to the remote application's
 * buffer, at its addresses; it checks them.
 */
static int
pf_check_vchan(unsigned int v, unsigned int p, uint8_t *src, uint8_t *dst,
	       struct ag_child *remote)
{
	const enum pf_engine e = pf_vchan_engines[v];
	const uint32_t size = pf_points[p].size;
	uint64_t ops, ns;
	uint32_t cursor = 0;
	int ret = 0;

	if (e == PF_AG_OS)
		ret = pf_remote_mem(remote, PF_CMD_CLEAR, size);
	else
		memset(dst, 0, size);
	if (ret == 0)
		ret = pf_run_dma(pf_dev[0], v, &pf_points[p], src, pf_vchan_dst(v, dst), 0,
				 &cursor, &ops, &ns);
	if (ret != 0)
		return ret;
	return pf_check(e, p, e == PF_AG_OS ? pf_remote_mem(remote, PF_CMD_CHECK, size) == 0 :
					      memcmp(dst, src, size) == 0);
}

/*
 * The local, inter-process and inter-OS vchans of dma_skag0 (vchan v is pf_vchan_engines[v])
 * at point p, in PF_SLICES slices each, their order rotating by slice: the runs a ratio of two
 * of them compares are a few ms apart, so that the machine's drift and any other load hit both
 * alike. Each vchan goes on over its buffers where its last slice stopped: the DRAM point
 * stays above the cache.
 */
static int
pf_run_vchans(unsigned int p, uint32_t round, uint8_t *src, uint8_t *dst,
	      struct ag_child *remote)
{
	const unsigned int nb_vc = RTE_DIM(pf_vchan_engines);
	const uint64_t slice_ns = (uint64_t)pf_cfg.ms * 1000000 / PF_SLICES;
	uint64_t ops[RTE_DIM(pf_vchan_engines)] = { 0 }, ns[RTE_DIM(pf_vchan_engines)] = { 0 };
	uint32_t cursor[RTE_DIM(pf_vchan_engines)] = { 0 };
	unsigned int s, i, v;
	uint64_t o, t;
	int ret = 0;

	for (s = 0; ret == 0 && s < PF_SLICES; s++) {
		for (i = 0; ret == 0 && i < nb_vc; i++) {
			v = (i + s + round) % nb_vc;
			ret = pf_run_dma(pf_dev[0], v, &pf_points[p], src, pf_vchan_dst(v, dst),
					 slice_ns, &cursor[v], &o, &t);
			ops[v] += o;
			ns[v] += t;
		}
	}
	for (v = 0; ret == 0 && v < nb_vc; v++) {
		ret = pf_check_vchan(v, p, src, dst, remote);
		if (ret == 0)
			pf_record(pf_vchan_engines[v], p, round, ops[v], ns[v]);
	}
	return ret;
}

/*
 * Rounds over every point, every engine at each point; the three vchans of dma_skag0 run as
 * one interleaved block. The order rotates by round, so that no engine gains from its place;
 * rounds go over all points so that a drift of the machine hits every point alike.
 */
static int
pf_data_rounds(uint8_t *src, uint8_t *dst, struct ag_child *remote)
{
	static const enum pf_engine order[] = { PF_MEMCPY, PF_SKELETON, PF_AG_LOCAL, PF_PVW };
	enum pf_engine e;
	unsigned int p, i;
	uint32_t r;
	int ret;

	for (r = 0; r < pf_cfg.rounds; r++) {
		for (p = 0; p < PF_NB_POINTS; p++) {
			for (i = 0; i < RTE_DIM(order); i++) {
				e = order[(i + r) % RTE_DIM(order)];
				if (e == PF_AG_LOCAL)
					ret = pf_run_vchans(p, r, src, dst, remote);
				else
					ret = pf_run_engine(e, p, r, src, dst);
				if (ret != 0)
					return ret;
			}
		}
		printf("data path round %u/%u done\n", r + 1, pf_cfg.rounds);
	}
	pf_res.rounds = pf_cfg.rounds;
	pf_res.have_data = true;
	return 0;
}

static int
pf_data_path(struct ag_child *peer, struct ag_child *remote)
{
	const struct rte_dma_inter_domain_param local = { .type = RTE_DMA_INTER_DOMAIN_NONE };
	struct rte_dma_inter_domain_param vc[RTE_DIM(pf_vchan_engines)];
	uint16_t h_prim = 0, h_peer = 0, h_remote = 0;
	bool remote_in = false;
	uint8_t *src = NULL;
	int16_t g = -1;
	int ret;

	printf("data path: %u rounds of %u ms per engine and point\n", pf_cfg.rounds, pf_cfg.ms);
	ret = rte_dma_access_pair_group_create(pf_dev[0], pf_ctl->prim_domain, pf_ctl->token,
					       &g, pf_event_cb);
	if (ret != 0) {
		printf("create: %d\n", ret);
		return ret;
	}
	pf_ctl->group_id = g;
	pf_os->group_id = g;
	ret = pf_chan_cmd(&pf_ctl->peer, peer, PF_CMD_JOIN, PF_TIMEOUT_MS);
	if (ret != 0)
		goto out;
	ret = pf_chan_cmd(&pf_os->chan, remote, PF_CMD_JOIN, PF_TIMEOUT_MS);
	remote_in = ret == 0;
	if (ret == 0)
		ret = rte_dma_access_pair_group_handler_get(pf_dev[0], g, pf_ctl->prim_domain,
							    &h_prim);
	if (ret == 0)
		ret = rte_dma_access_pair_group_handler_get(pf_dev[0], g, pf_ctl->peer_domain,
							    &h_peer);
	if (ret == 0)
		ret = rte_dma_access_pair_group_handler_get(pf_dev[0], g, pf_os->domain,
							    &h_remote);
	/* vchan 0 local, 1 to the peer's process, 2 to the remote application. */
	vc[0] = local;
	vc[1] = local;
	vc[1].type = RTE_DMA_INTER_PROCESS_DOMAIN;
	vc[1].src_handler = h_prim;
	vc[1].dst_handler = h_peer;
	vc[2] = vc[1];
	vc[2].type = RTE_DMA_INTER_OS_DOMAIN;
	vc[2].dst_handler = h_remote;
	if (ret == 0)
		ret = pf_dev_config(pf_dev[0], vc, RTE_DIM(vc));
	if (ret == 0)
		ret = rte_dma_start(pf_dev[0]);
	if (ret == 0)
		ret = pf_dev_config(pf_skel, &local, 1);
	if (ret != 0) {
		printf("vchan setup: %d\n", ret);
		goto leave;
	}
	src = rte_malloc("ag_perf_src", PF_DRAM_SPAN, 4096);
	if (src == NULL) {
		printf("cannot allocate %u MiB (hugepages reserved?)\n", PF_DRAM_SPAN >> 20);
		ret = -ENOMEM;
		goto leave;
	}
	/* The pattern the remote application checks its copies against. */
	ag_pattern(src, PF_DRAM_SPAN, 0);
	ret = pf_data_rounds(src, (uint8_t *)(uintptr_t)pf_ctl->peer_buf, remote);
	rte_dma_stop(pf_dev[0]);
	rte_free(src);
leave:
	if (remote_in && pf_chan_cmd(&pf_os->chan, remote, PF_CMD_LEAVE, PF_TIMEOUT_MS) != 0 &&
	    ret == 0)
		ret = -EIO;
	if (pf_chan_cmd(&pf_ctl->peer, peer, PF_CMD_LEAVE, PF_TIMEOUT_MS) != 0 && ret == 0)
		ret = -EIO;
out:
	rte_dma_access_pair_group_destroy(pf_dev[0], g);
	return ret;
}

/* --- primary: control ops --- */

/* Create background groups until n are live. */
static int
pf_bg_fill(int16_t *bg, uint32_t *nb, uint32_t n)
{
	rte_uuid_t tok;
	int ret;

	while (*nb < n) {
		ag_uuid_random(tok);
		/* With a callback, as applications would: the driver then tracks each group. */
		ret = rte_dma_access_pair_group_create(pf_dev[0], pf_ctl->prim_domain, tok,
						       &bg[*nb], pf_event_cb);
		if (ret != 0) {
			printf("background group %u: %d (needs max_groups=%u)\n", *nb + 1, ret,
			       PF_MAX_GROUPS);
			return ret;
		}
		(*nb)++;
	}
	return 0;
}

/*
 * Process c (serving ch) joins, gets the creator's handler and leaves a group of ours, samples
 * times: join, handler_get and leave into st[0..2], with the leaves it was switched out in.
 */
static int
pf_member_ctrl(struct pf_chan *ch, struct ag_child *c, int16_t *group_id, uint32_t *samples,
	       struct pf_ctrl_ns *ns, bool creator_cb, struct pf_stat *st, uint32_t *switched,
	       struct pf_stat *quiet)
{
	uint64_t *quiet_ns = calloc(pf_cfg.samples, sizeof(uint64_t));
	uint32_t n = pf_cfg.samples, k, nq = 0;
	int16_t g;
	int ret;

	if (quiet_ns == NULL)
		return -ENOMEM;
	ret = rte_dma_access_pair_group_create(pf_dev[0], pf_ctl->prim_domain, pf_ctl->token,
					       &g, creator_cb ? pf_event_cb : NULL);
	if (ret != 0) {
		free(quiet_ns);
		return ret;
	}
	*group_id = g;
	*samples = n;
	ret = pf_chan_cmd(ch, c, PF_CMD_CTRL, PF_TIMEOUT_MS + n);
	rte_dma_access_pair_group_destroy(pf_dev[0], g);
	if (ret == 0) {
		for (k = 0; k < n; k++)
			if (ns->leave_csw[k] == 0)
				quiet_ns[nq++] = ns->leave[k];
		*switched = n - nq;
		*quiet = pf_stats(quiet_ns, nq);
		st[0] = pf_stats(ns->join, n);
		st[1] = pf_stats(ns->hget, n);
		st[2] = pf_stats(ns->leave, n);
	}
	free(quiet_ns);
	return ret;
}

static int
pf_peer_ctrl(struct ag_child *peer, bool creator_cb, struct pf_stat *st, uint32_t *switched,
	     struct pf_stat *quiet)
{
	return pf_member_ctrl(&pf_ctl->peer, peer, &pf_ctl->group_id, &pf_ctl->samples,
			      &pf_ctl->peer_ns, creator_cb, st, switched, quiet);
}

/*
 * The five control ops in the remote application, st[0..4] as in pf_res.ctrl: create and
 * destroy of groups of its own, join, handler_get and leave in a group of the primary.
 */
static int
pf_remote_ctrl(struct ag_child *remote, struct pf_stat *st)
{
	struct pf_stat quiet;
	uint32_t switched;
	int ret;

	pf_os->samples = pf_cfg.samples;
	ret = pf_chan_cmd(&pf_os->chan, remote, PF_CMD_CTRL_CD, PF_TIMEOUT_MS + pf_cfg.samples);
	if (ret != 0)
		return ret;
	st[0] = pf_stats(pf_os->ns.create, pf_cfg.samples);
	st[1] = pf_stats(pf_os->ns.destroy, pf_cfg.samples);
	return pf_member_ctrl(&pf_os->chan, remote, &pf_os->group_id, &pf_os->samples,
			      &pf_os->ns, true, &st[2], &switched, &quiet);
}

/* Join and leave in this process, the creator's callback on this process's watcher. */
static int
pf_local_leave(struct pf_stat *st, uint32_t *switched, struct pf_stat *quiet)
{
	uint32_t n = pf_cfg.samples, k, nq = 0;
	uint64_t *ns, *quiet_ns, t0;
	struct rusage ru0, ru1;
	rte_uuid_t d2;
	int16_t g;
	int ret;

	ns = calloc(n, sizeof(*ns));
	quiet_ns = calloc(n, sizeof(*quiet_ns));
	if (ns == NULL || quiet_ns == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	ag_uuid_random(d2);
	ret = rte_dma_access_pair_group_create(pf_dev[0], pf_ctl->prim_domain, pf_ctl->token,
					       &g, pf_event_cb);
	if (ret != 0)
		goto out;
	for (k = 0; k < n && ret == 0; k++) {
		ret = rte_dma_access_pair_group_join(pf_dev[PF_VICTIM_DEV], d2, pf_ctl->token, g,
						     pf_event_cb);
		if (ret != 0)
			break;
		getrusage(RUSAGE_THREAD, &ru0);
		t0 = ag_now_ns();
		ret = rte_dma_access_pair_group_leave(pf_dev[PF_VICTIM_DEV], g);
		ns[k] = ag_now_ns() - t0;
		getrusage(RUSAGE_THREAD, &ru1);
		if (ru1.ru_nvcsw == ru0.ru_nvcsw && ru1.ru_nivcsw == ru0.ru_nivcsw)
			quiet_ns[nq++] = ns[k];
	}
	rte_dma_access_pair_group_destroy(pf_dev[0], g);
	if (ret == 0) {
		*st = pf_stats(ns, n);
		*switched = n - nq;
		*quiet = pf_stats(quiet_ns, nq);
	}
out:
	free(ns);
	free(quiet_ns);
	return ret;
}

/* CPU the driver's watcher thread of this process may run on, -1 if not a single one. */
static int
pf_watcher_cpu(void)
{
	char val[256], *end;
	int a, b;

	if (ag_thread_status("skag-watch", "Cpus_allowed_list:", val, sizeof(val)) != 0)
		return -1;
	if (sscanf(val, "%d-%d", &a, &b) == 2)
		return a == b ? a : -1;
	a = strtol(val, &end, 10);
	return end != val ? a : -1;
}

static int
pf_control(struct ag_child *peer, struct ag_child *remote)
{
	static const uint32_t levels[3] = { 1, 64, PF_MAX_GROUPS };
	uint32_t n = pf_cfg.samples, nb_bg = 0, p;
	struct pf_stat peer_st[3], quiet;
	struct pf_ctrl_ns *ns;
	uint32_t switched;
	int16_t *bg;
	int ret = 0;

	ns = calloc(1, sizeof(*ns));
	bg = calloc(PF_MAX_GROUPS, sizeof(*bg));
	if (ns == NULL || bg == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	printf("control ops: %u samples per op with 1, 64 and %u live groups, in this "
	       "application and in the remote one\n", n, PF_MAX_GROUPS);
	for (p = 0; p < RTE_DIM(levels) && ret == 0; p++) {
		/* The measured group makes the count. */
		ret = pf_bg_fill(bg, &nb_bg, levels[p] - 1);
		if (ret == 0)
			ret = pf_time_create_destroy(pf_dev[0], pf_ctl->prim_domain, n, ns);
		if (ret == 0)
			ret = pf_peer_ctrl(peer, true, peer_st, &switched, &quiet);
		if (ret == 0)
			ret = pf_remote_ctrl(remote, pf_res.os_ctrl[p]);
		if (ret != 0)
			break;
		pf_res.ctrl_groups[p] = levels[p];
		pf_res.ctrl[p][0] = pf_stats(ns->create, n);
		pf_res.ctrl[p][1] = pf_stats(ns->destroy, n);
		memcpy(&pf_res.ctrl[p][2], peer_st, sizeof(peer_st));
		pf_res.nb_ctrl = p + 1;
		if (p == 0) {
			pf_res.leave_diag[1] = peer_st[2];
			pf_res.leave_switched[1] = switched;
			pf_res.leave_quiet[1] = quiet;
		}
	}
	while (nb_bg > 0)
		rte_dma_access_pair_group_destroy(pf_dev[0], bg[--nb_bg]);
	if (ret != 0) {
		printf("control ops: %d\n", ret);
		goto out;
	}

	/* Where the MEMBER_LEFT of a leave goes, with one live group. */
	ret = pf_peer_ctrl(peer, false, peer_st, &pf_res.leave_switched[0],
			   &pf_res.leave_quiet[0]);
	pf_res.leave_diag[0] = peer_st[2];
	if (ret == 0)
		ret = pf_local_leave(&pf_res.leave_diag[2], &pf_res.leave_switched[2],
				     &pf_res.leave_quiet[2]);
	if (ret != 0) {
		printf("leave diagnosis: %d\n", ret);
		goto out;
	}
	pf_res.watcher_cpu = pf_watcher_cpu();
	pf_res.peer_cpu = pf_ctl->peer_cpu;
	pf_res.have_diag = true;
out:
	free(bg);
	free(ns);
	return ret;
}

/* --- primary: death detection --- */

/* The table's repairs counter from the dump of dma_skag0, -1 if the dump does not show it. */
static int64_t
pf_repairs(void)
{
	char *dump = NULL, *s;
	size_t len = 0;
	int64_t v = -1;
	FILE *f;

	f = open_memstream(&dump, &len);
	if (f == NULL)
		return -1;
	rte_dma_dump(pf_dev[0], f);
	fclose(f);
	s = dump != NULL ? strstr(dump, "repairs ") : NULL;
	if (s != NULL)
		v = strtoll(s + 8, NULL, 10);
	free(dump);
	return v;
}

/* Start a victim, let it loop for a random while, SIGKILL it, time the survivor's event. */
static int
pf_kill_once(bool creator, uint64_t *lat)
{
	struct ag_child c = { .pid = -1 };
	uint64_t t0, t1, loops;
	int16_t g = -1;
	int ret;

	ag_uuid_random(pf_ctl->victim_token);
	pf_ctl->victim_creator = creator;
	rte_atomic_store_explicit(&pf_ctl->victim_ready, 0, rte_memory_order_release);
	rte_atomic_store_explicit(&pf_ctl->victim_loops, 0, rte_memory_order_release);
	if (!creator) {
		ret = rte_dma_access_pair_group_create(pf_dev[0], pf_ctl->prim_domain,
						       pf_ctl->victim_token, &g, pf_event_cb);
		if (ret != 0) {
			printf("create: %d\n", ret);
			return ret;
		}
		pf_ctl->victim_group = g;
	}
	ret = pf_spawn(&c, PF_ROLE_VICTIM);
	if (ret != 0)
		goto out;
	ret = pf_wait_eq((const uint32_t *)&pf_ctl->victim_ready, (uint32_t)c.pid, &c,
			 PF_TIMEOUT_MS);
	if (ret != 0)
		goto out;
	if (creator) {
		g = pf_ctl->victim_group;
		ret = rte_dma_access_pair_group_join(pf_dev[0], pf_ctl->prim_domain,
						     pf_ctl->victim_token, g, pf_event_cb);
		if (ret != 0) {
			printf("join of the victim's group: %d\n", ret);
			g = -1;
			goto out;
		}
	}
	/* A random moment of its loop, not right after it joined. */
	rte_delay_us_sleep(2000 + rte_rand_max(28000));
	loops = rte_atomic_load_explicit(&pf_ctl->victim_loops, rte_memory_order_acquire);
	if (loops == 0 || ag_child_gone(&c)) {
		printf("victim %d is not looping\n", c.pid);
		ret = -EIO;
		goto out;
	}
	pf_watch_arm(g, creator ? RTE_DMA_GROUP_EVENT_GROUP_DESTROYED :
		     RTE_DMA_GROUP_EVENT_MEMBER_LEFT);
	t0 = ag_now_ns();
	kill(c.pid, SIGKILL);
	t1 = pf_watch_wait(PF_EVENT_TIMEOUT_MS);
	if (ag_child_wait(&c, true, PF_TIMEOUT_MS) != 0)
		ret = -EIO;
	if (t1 == 0) {
		printf("no %s within %u ms of SIGKILL of %s %d\n",
		       creator ? "GROUP_DESTROYED" : "MEMBER_LEFT", PF_EVENT_TIMEOUT_MS,
		       creator ? "creator" : "member", c.pid);
		ret = -ETIMEDOUT;
	}
	*lat = t1 - t0;
	pf_res.victim_loops += rte_atomic_load_explicit(&pf_ctl->victim_loops,
							rte_memory_order_acquire);
	if (creator)
		g = -1;
out:
	ag_child_kill(&c);
	if (g >= 0 && rte_dma_access_pair_group_destroy(pf_dev[0], g) != 0 && ret == 0) {
		printf("group %d of a killed member not destroyable\n", g);
		ret = -EIO;
	}
	return ret;
}

static int
pf_kills(void)
{
	uint32_t n = pf_cfg.kills, k, kind;
	int64_t before, after;
	uint64_t *lat;
	int ret = 0;

	lat = calloc(n, sizeof(*lat));
	if (lat == NULL)
		return -ENOMEM;
	printf("death detection: %u SIGKILLs of a member, %u of a creator\n", n, n);
	before = pf_repairs();
	for (kind = 0; kind < 2 && ret == 0; kind++) {
		for (k = 0; k < n && ret == 0; k++)
			ret = pf_kill_once(kind == 1, &lat[k]);
		if (ret == 0)
			pf_res.kill[kind] = pf_stats(lat, n);
	}
	after = pf_repairs();
	pf_res.repairs = before >= 0 && after >= 0 ? after - before : -1;
	pf_res.have_kill = ret == 0;
	free(lat);
	return ret;
}

/* --- primary: fan-out --- */

static int
pf_fo_cmd(struct ag_child *kids, enum pf_fo_cmd cmd, uint32_t target)
{
	uint32_t seq = pf_ctl->fo_seq + 1, i;
	int ret;

	pf_ctl->fo_cmd = cmd;
	pf_ctl->fo_target = target;
	pf_cmd_post(&pf_ctl->fo_seq, seq);
	for (i = 1; i < PF_NB_DEVS; i++) {
		if (kids[i].pid <= 0 || (cmd != PF_FO_STOP && i != target))
			continue;
		ret = pf_wait_eq(&pf_ctl->fo_ack[i], seq, &kids[i], PF_TIMEOUT_MS);
		if (ret != 0)
			return ret;
	}
	return 0;
}

/* One member leaves; the time until each other member's callback, per member. */
static int
pf_fo_round(struct ag_child *kids, uint32_t leaver, uint64_t *lat, uint64_t *slowest)
{
	uint64_t deadline, t, t0;
	uint32_t i, got;
	int ret;

	for (i = 0; i < PF_NB_DEVS; i++)
		rte_atomic_store_explicit(&pf_ctl->fo_cb_ns[i], 0, rte_memory_order_release);
	ret = pf_fo_cmd(kids, PF_FO_LEAVE, leaver);
	if (ret != 0)
		return ret;
	deadline = ag_now_ns() + (uint64_t)PF_EVENT_TIMEOUT_MS * 1000000;
	do {
		got = 0;
		for (i = 0; i < PF_NB_DEVS; i++)
			got += i != leaver && rte_atomic_load_explicit(&pf_ctl->fo_cb_ns[i],
							      rte_memory_order_acquire) != 0;
		if (got == PF_NB_DEVS - 1)
			break;
		/* As pf_watch_wait(): the callbacks timed themselves. */
		rte_delay_us_sleep(PF_IDLE_US);
	} while (ag_now_ns() < deadline);
	if (got != PF_NB_DEVS - 1) {
		printf("MEMBER_LEFT reached %u of %u members\n", got, PF_NB_DEVS - 1);
		return -ETIMEDOUT;
	}
	t0 = rte_atomic_load_explicit(&pf_ctl->fo_leave_ns, rte_memory_order_acquire);
	*slowest = 0;
	for (i = 0; i < PF_NB_DEVS; i++) {
		if (i == leaver)
			continue;
		t = rte_atomic_load_explicit(&pf_ctl->fo_cb_ns[i], rte_memory_order_acquire) - t0;
		*lat++ = t;
		*slowest = RTE_MAX(*slowest, t);
	}
	return pf_fo_cmd(kids, PF_FO_REJOIN, leaver);
}

static int
pf_fanout(void)
{
	struct ag_child kids[PF_NB_DEVS];
	uint32_t n = pf_cfg.fanout, r, i;
	uint64_t *all, *slowest;
	char role[32];
	int16_t g = -1;
	int ret;

	memset(kids, 0, sizeof(kids));
	for (i = 0; i < PF_NB_DEVS; i++)
		kids[i].pid = -1;
	all = calloc((size_t)n * (PF_NB_DEVS - 1), sizeof(*all));
	slowest = calloc(n, sizeof(*slowest));
	if (all == NULL || slowest == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	printf("MEMBER_LEFT fan-out: %u members in %u processes, %u leaves\n", PF_NB_DEVS,
	       PF_NB_DEVS, n);
	ret = rte_dma_access_pair_group_create(pf_dev[0], pf_ctl->prim_domain, pf_ctl->token,
					       &g, pf_event_cb);
	if (ret != 0) {
		printf("create: %d\n", ret);
		goto out;
	}
	pf_ctl->fo_group = g;
	pf_ctl->fo_joined = 0;
	pf_fo_index = 0;
	for (i = 1; i < PF_NB_DEVS && ret == 0; i++) {
		snprintf(role, sizeof(role), "%s%u", PF_ROLE_FANOUT, i);
		ret = pf_spawn(&kids[i], role);
	}
	if (ret != 0)
		goto stop;
	for (i = 1; i < PF_NB_DEVS && ret == 0; i++) {
		uint64_t deadline = ag_now_ns() + (uint64_t)PF_TIMEOUT_MS * 1000000;

		while (!(ag_load(&pf_ctl->fo_joined) & (1u << i)) && ret == 0) {
			if (ag_child_gone(&kids[i]) || ag_now_ns() > deadline) {
				printf("fan-out member %u did not join (needs max_members=%u)\n",
				       i, PF_NB_DEVS);
				ret = -EIO;
			}
			rte_delay_us_sleep(PF_IDLE_US);
		}
	}
	/* Each secondary in turn is the one that leaves. */
	for (r = 0; r < n && ret == 0; r++)
		ret = pf_fo_round(kids, 1 + r % (PF_NB_DEVS - 1), &all[r * (PF_NB_DEVS - 1)],
				  &slowest[r]);
	if (ret == 0) {
		pf_res.fo_all = pf_stats(all, n * (PF_NB_DEVS - 1));
		pf_res.fo_slowest = pf_stats(slowest, n);
		pf_res.have_fanout = true;
	}
stop:
	if (pf_fo_cmd(kids, PF_FO_STOP, 0) != 0 && ret == 0)
		ret = -EIO;
	for (i = 1; i < PF_NB_DEVS; i++) {
		if (kids[i].pid > 0 && ag_child_wait(&kids[i], false, PF_TIMEOUT_MS) != 0 &&
		    ret == 0)
			ret = -EIO;
	}
out:
	pf_fo_index = -1;
	if (g >= 0)
		rte_dma_access_pair_group_destroy(pf_dev[0], g);
	free(all);
	free(slowest);
	return ret;
}

/* --- report --- */

static const char *
pf_verdict(bool pass)
{
	return pass ? "PASS" : "MISS";
}

static const char *
pf_size_str(uint32_t v, char *buf, size_t len)
{
	if (v >= (1u << 20) && v % (1u << 20) == 0)
		snprintf(buf, len, "%uM", v >> 20);
	else if (v >= 1024 && v % 1024 == 0)
		snprintf(buf, len, "%uK", v >> 10);
	else
		snprintf(buf, len, "%u", v);
	return buf;
}

static void
pf_target(FILE *csv, bool pass, const char *name, double v, int prec, const char *note)
{
	printf("  %s  %-64s %.*f%s\n", pf_verdict(pass), name, prec, v, note);
	if (csv != NULL)
		fprintf(csv, "target,%s,%s,%.4f\n", name, pf_verdict(pass), v);
}

static void
pf_report_data(FILE *csv)
{
	char sz[16], sp[16];
	struct pf_spread s, il, ol, pi, im;
	unsigned int p, e;

	printf("\nData path: GB/s, median [min..max] of %u rounds of %u ms, into the peer's "
	       "buffer (inter-OS: the remote application's)\n", pf_res.rounds, pf_cfg.ms);
	printf("(skag local, inter-process and inter-OS: %u slices of %.1f ms each per round, "
	       "alternating)\n", PF_SLICES, (double)pf_cfg.ms / PF_SLICES);
	printf("%-6s %-5s", "size", "span");
	for (e = 0; e < PF_NB_ENGINES; e++)
		printf(" %21s", pf_engine_names[e]);
	printf("\n");
	for (p = 0; p < PF_NB_POINTS; p++) {
		printf("%-6s %-5s", pf_size_str(pf_points[p].size, sz, sizeof(sz)),
		       pf_size_str(pf_points[p].span, sp, sizeof(sp)));
		for (e = 0; e < PF_NB_ENGINES; e++) {
			s = pf_spread_of(pf_res.gbps[p][e], pf_res.rounds);
			printf(" %6.2f [%5.2f..%5.2f]", s.med, s.min, s.max);
			if (csv != NULL)
				fprintf(csv, "data,%s,%u,%u,%.4f,%.4f,%.4f,%.4f\n",
					pf_engine_ids[e], pf_points[p].size, pf_points[p].span,
					s.med, s.min, s.max,
					pf_spread_of(pf_res.mops[p][e], pf_res.rounds).med);
		}
		printf("\n");
	}

	printf("\nRatios of the runs of one round (ops/s), median [min..max] of %u rounds\n",
	       pf_res.rounds);
	printf("%-6s %-5s %25s %25s %25s %25s\n", "size", "span", "inter-process / local",
	       "inter-OS / local", "process_vm_writev / inter", "inter-process / memcpy");
	for (p = 0; p < PF_NB_POINTS; p++) {
		il = pf_ratio(p, PF_AG_INTER, PF_AG_LOCAL);
		ol = pf_ratio(p, PF_AG_OS, PF_AG_LOCAL);
		pi = pf_ratio(p, PF_PVW, PF_AG_INTER);
		im = pf_ratio(p, PF_AG_INTER, PF_MEMCPY);
		printf("%-6s %-5s      %6.3f [%5.3f..%5.3f]      %6.3f [%5.3f..%5.3f]"
		       "      %6.3f [%5.3f..%5.3f]      %6.3f [%5.3f..%5.3f]\n",
		       pf_size_str(pf_points[p].size, sz, sizeof(sz)),
		       pf_size_str(pf_points[p].span, sp, sizeof(sp)),
		       il.med, il.min, il.max, ol.med, ol.min, ol.max, pi.med, pi.min, pi.max,
		       im.med, im.min, im.max);
		if (csv != NULL) {
			fprintf(csv, "ratio,inter_local,%u,%u,%.4f,%.4f,%.4f\n", pf_points[p].size,
				pf_points[p].span, il.med, il.min, il.max);
			fprintf(csv, "ratio,os_local,%u,%u,%.4f,%.4f,%.4f\n", pf_points[p].size,
				pf_points[p].span, ol.med, ol.min, ol.max);
			fprintf(csv, "ratio,pvw_inter,%u,%u,%.4f,%.4f,%.4f\n", pf_points[p].size,
				pf_points[p].span, pi.med, pi.min, pi.max);
			fprintf(csv, "ratio,inter_memcpy,%u,%u,%.4f,%.4f,%.4f\n",
				pf_points[p].size, pf_points[p].span, im.med, im.min, im.max);
		}
	}
}

/* One table of control op latencies by live group count; CSV lines of section sec. */
static void
pf_report_ctrl_table(FILE *csv, const char *sec, struct pf_stat (*st)[5])
{
	const struct pf_stat *s;
	unsigned int p, o;

	printf("%-12s", "live groups");
	for (p = 0; p < pf_res.nb_ctrl; p++)
		printf(" %26u", pf_res.ctrl_groups[p]);
	printf("\n");
	for (o = 0; o < 5; o++) {
		printf("%-12s", pf_ctrl_names[o]);
		for (p = 0; p < pf_res.nb_ctrl; p++) {
			s = &st[p][o];
			printf("      %6.2f / %6.2f (%6.1f)", s->med_us, s->p99_us, s->max_us);
			if (csv != NULL)
				fprintf(csv, "%s,%s,%u,%.3f,%.3f,%.3f\n", sec, pf_ctrl_names[o],
					pf_res.ctrl_groups[p], s->med_us, s->p99_us, s->max_us);
		}
		printf("\n");
	}
}

static void
pf_report_ctrl(FILE *csv)
{
	const struct pf_stat *s;
	unsigned int o;

	printf("\nControl ops, us: median / p99 (max) of %u samples\n", pf_cfg.samples);
	pf_report_ctrl_table(csv, "ctrl", pf_res.ctrl);
	printf("\nControl ops between independent primaries, us: median / p99 (max) of %u "
	       "samples, in the remote application (create and destroy: groups of its own; join,"
	       " handler_get and leave: in a group of the primary's application)\n",
	       pf_cfg.samples);
	pf_report_ctrl_table(csv, "ctrl_os", pf_res.os_ctrl);
	if (!pf_res.have_diag)
		return;
	printf("\nleave with 1 live group, by where MEMBER_LEFT goes (primary's watcher on CPU %d,"
	       " leaving peer on CPU %d)\n", pf_res.watcher_cpu, pf_res.peer_cpu);
	printf("%-40s %8s %8s %8s %12s %16s\n", "receiver", "median", "p99", "max",
	       "switched", "p99 unswitched");
	for (o = 0; o < 3; o++) {
		s = &pf_res.leave_diag[o];
		printf("%-40s %8.2f %8.2f %8.1f %5u/%-6u %16.2f\n", pf_diag_names[o], s->med_us,
		       s->p99_us, s->max_us, pf_res.leave_switched[o], s->n,
		       pf_res.leave_quiet[o].p99_us);
		if (csv != NULL)
			fprintf(csv, "leave,%u,%.3f,%.3f,%.3f,%u,%.3f\n", o, s->med_us,
				s->p99_us, s->max_us, pf_res.leave_switched[o],
				pf_res.leave_quiet[o].p99_us);
	}
	printf("(switched: leaves during which the leaving thread was switched out, "
	       "voluntarily or not)\n");
}

static void
pf_report_events(FILE *csv)
{
	static const char *const names[2] = {
		"SIGKILL of a member -> MEMBER_LEFT", "SIGKILL of a creator -> GROUP_DESTROYED",
	};
	const struct pf_stat *s;
	unsigned int k;

	if (pf_res.have_kill) {
		printf("\nDeath detection, us: median / p99 (max); victims loop on control ops and"
		       " copies, killed 2..30 ms after joining\n");
		for (k = 0; k < 2; k++) {
			s = &pf_res.kill[k];
			printf("%-40s %9.1f / %9.1f (%9.1f), %u kills\n", names[k], s->med_us,
			       s->p99_us, s->max_us, s->n);
			if (csv != NULL)
				fprintf(csv, "event,%s,%u,%.3f,%.3f,%.3f\n",
					k == 0 ? "kill_member" : "kill_creator", s->n, s->med_us,
					s->p99_us, s->max_us);
		}
		if (pf_res.repairs >= 0)
			printf("kills inside the table lock (repairs): %" PRId64 " of %u\n",
			       pf_res.repairs, 2 * pf_cfg.kills);
		else
			printf("kills inside the table lock (repairs): not available (the dump "
			       "shows no repairs counter)\n");
		printf("victim loops in all: %" PRIu64 "\n", pf_res.victim_loops);
	}
	if (pf_res.have_fanout) {
		printf("\nMEMBER_LEFT fan-out, us: median / p99 (max); %u members in %u processes, "
		       "one leaves, %u rounds\n", PF_NB_DEVS, PF_NB_DEVS, pf_res.fo_slowest.n);
		printf("%-40s %9.1f / %9.1f (%9.1f)\n", "each other member", pf_res.fo_all.med_us,
		       pf_res.fo_all.p99_us, pf_res.fo_all.max_us);
		printf("%-40s %9.1f / %9.1f (%9.1f)\n", "slowest member of a round",
		       pf_res.fo_slowest.med_us, pf_res.fo_slowest.p99_us,
		       pf_res.fo_slowest.max_us);
		if (csv != NULL) {
			fprintf(csv, "event,fanout_each,%u,%.3f,%.3f,%.3f\n", pf_res.fo_all.n,
				pf_res.fo_all.med_us, pf_res.fo_all.p99_us, pf_res.fo_all.max_us);
			fprintf(csv, "event,fanout_slowest,%u,%.3f,%.3f,%.3f\n",
				pf_res.fo_slowest.n, pf_res.fo_slowest.med_us,
				pf_res.fo_slowest.p99_us, pf_res.fo_slowest.max_us);
		}
	}
}

/* The worst median and p99 over the group counts of each control op, against the targets. */
static void
pf_target_ctrl(FILE *csv, const char *what, struct pf_stat (*st)[5], double med_us,
	       double p99_us)
{
	double worst_med, worst_p99;
	unsigned int o, l;
	char name[80];

	for (o = 0; o < 5 && pf_res.nb_ctrl > 0; o++) {
		worst_med = 0;
		worst_p99 = 0;
		for (l = 0; l < pf_res.nb_ctrl; l++) {
			worst_med = RTE_MAX(worst_med, st[l][o].med_us);
			worst_p99 = RTE_MAX(worst_p99, st[l][o].p99_us);
		}
		snprintf(name, sizeof(name), "%s%s median < %.0f us (worst of 1..%u groups)",
			 what, pf_ctrl_names[o], med_us, PF_MAX_GROUPS);
		pf_target(csv, worst_med < med_us, name, worst_med, 2, " us");
		snprintf(name, sizeof(name), "%s%s p99 < %.0f us (worst of 1..%u groups)",
			 what, pf_ctrl_names[o], p99_us, PF_MAX_GROUPS);
		pf_target(csv, worst_p99 < p99_us, name, worst_p99, 2, " us");
	}
}

static void
pf_report_targets(FILE *csv)
{
	char name[80], sz[16], sp[16];
	struct pf_spread s;
	unsigned int p, o;

	printf("\nTargets\n");
	for (p = 0; p < PF_NB_POINTS && pf_res.have_data; p++) {
		s = pf_ratio(p, PF_AG_INTER, PF_AG_LOCAL);
		if (pf_points[p].span == PF_DRAM_SPAN)
			continue;
		snprintf(name, sizeof(name), "inter-process/local >= %.2f at %s B",
			 PF_T_INTER_LOCAL, pf_size_str(pf_points[p].size, sz, sizeof(sz)));
		pf_target(csv, s.med >= PF_T_INTER_LOCAL, name, s.med, 3, " (median of rounds)");
	}
	for (p = 0; p < PF_NB_POINTS && pf_res.have_data; p++) {
		if (pf_points[p].span != PF_DRAM_SPAN)
			continue;
		s = pf_ratio(p, PF_AG_INTER, PF_MEMCPY);
		snprintf(name, sizeof(name), "inter-process/rte_memcpy >= %.2f at %s in %s",
			 PF_T_INTER_MEMCPY, pf_size_str(pf_points[p].size, sz, sizeof(sz)),
			 pf_size_str(pf_points[p].span, sp, sizeof(sp)));
		pf_target(csv, s.med >= PF_T_INTER_MEMCPY, name, s.med, 3, " (median of rounds)");
	}
	/* Every point, the one above the last-level cache included. */
	for (p = 0; p < PF_NB_POINTS && pf_res.have_data; p++) {
		s = pf_ratio(p, PF_AG_OS, PF_AG_LOCAL);
		snprintf(name, sizeof(name), "inter-OS/local >= %.2f at %s B in %s",
			 PF_T_OS_LOCAL, pf_size_str(pf_points[p].size, sz, sizeof(sz)),
			 pf_size_str(pf_points[p].span, sp, sizeof(sp)));
		pf_target(csv, s.med >= PF_T_OS_LOCAL, name, s.med, 3, " (median of rounds)");
	}
	pf_target_ctrl(csv, "", pf_res.ctrl, PF_T_CTRL_MED_US, PF_T_CTRL_P99_US);
	pf_target_ctrl(csv, "inter-OS ", pf_res.os_ctrl, PF_T_OS_CTRL_MED_US,
		       PF_T_OS_CTRL_P99_US);
	for (o = 0; o < 2 && pf_res.have_kill; o++) {
		const struct pf_stat *k = &pf_res.kill[o];
		const char *what = o == 0 ? "SIGKILL member -> MEMBER_LEFT" :
				   "SIGKILL creator -> GROUP_DESTROYED";

		snprintf(name, sizeof(name), "%s median < %.0f us", what, PF_T_KILL_MED_US);
		pf_target(csv, k->med_us < PF_T_KILL_MED_US, name, k->med_us, 1, " us");
		snprintf(name, sizeof(name), "%s p99 < %.0f us", what, PF_T_KILL_P99_US);
		pf_target(csv, k->p99_us < PF_T_KILL_P99_US, name, k->p99_us, 1, " us");
	}
	if (pf_res.have_fanout) {
		snprintf(name, sizeof(name), "MEMBER_LEFT to all %u members p99 < %.0f us",
			 PF_NB_DEVS - 1, PF_T_FANOUT_P99_US);
		pf_target(csv, pf_res.fo_slowest.p99_us < PF_T_FANOUT_P99_US, name,
			  pf_res.fo_slowest.p99_us, 1, " us (slowest member of a round)");
	}
}

static void
pf_report(void)
{
	const char *path = getenv("DMADEV_AG_PERF_CSV");
	FILE *csv = NULL;

	if (path != NULL && path[0] != '\0') {
		csv = fopen(path, "w");
		if (csv == NULL)
			printf("cannot write %s: %s\n", path, strerror(errno));
	}
	if (csv != NULL)
		fprintf(csv, "section,name,a,b,c,d,e,f\n");
	if (pf_res.have_data)
		pf_report_data(csv);
	if (pf_res.nb_ctrl > 0)
		pf_report_ctrl(csv);
	pf_report_events(csv);
	pf_report_targets(csv);
	if (csv != NULL)
		fclose(csv);
}

/* --- main --- */

static int
pf_lookup_devs(void)
{
	char name[32];
	int i;

	pf_skel = rte_dma_get_dev_id_by_name("dma_skeleton");
	for (i = 0; i < PF_NB_DEVS; i++) {
		snprintf(name, sizeof(name), "dma_skag%d", i);
		pf_dev[i] = rte_dma_get_dev_id_by_name(name);
		if (pf_dev[i] < 0)
			return -ENODEV;
	}
	return 0;
}

/*
 * Start the remote application: an independent primary of its own file prefix with the
 * devices of this one (so the same rendezvous), driven through a file in the rendezvous.
 */
static int
pf_remote_start(struct ag_child *remote, const char *dir)
{
	int ret;

	if (snprintf(pf_os_path, sizeof(pf_os_path), "%s/%s.perf", dir, ag_os_prefix()) >=
	    (int)sizeof(pf_os_path) ||
	    snprintf(pf_os_prefix, sizeof(pf_os_prefix), "%s_remote", ag_os_prefix()) >=
	    (int)sizeof(pf_os_prefix)) {
		printf("file prefix %s too long\n", ag_os_prefix());
		return -ENAMETOOLONG;
	}
	pf_os = ag_os_shm_map(pf_os_path, sizeof(*pf_os), true);
	if (pf_os == NULL) {
		printf("cannot map %s: %s\n", pf_os_path, strerror(errno));
		return -errno;
	}
	memcpy(pf_os->token, pf_ctl->token, sizeof(rte_uuid_t));
	memcpy(pf_os->prim_domain, pf_ctl->prim_domain, sizeof(rte_uuid_t));
	ag_uuid_random(pf_os->domain);
	/* Its output goes to this process's. */
	ret = ag_os_spawn(remote, PF_TEST_NAME, pf_os_prefix, pf_lcore, PF_ROLE_ENV,
			  PF_ROLE_REMOTE, PF_CTL_ENV, pf_os_path, NULL);
	if (ret != 0) {
		printf("cannot start the remote application: %s\n", strerror(-ret));
		return ret;
	}
	ret = pf_wait_eq((const uint32_t *)&pf_os->pid, (uint32_t)remote->pid, remote,
			 PF_TIMEOUT_MS);
	if (ret != 0)
		printf("the remote application (file prefix %s) did not start\n", pf_os_prefix);
	return ret;
}

/* Stop the remote application; 0 if it exited cleanly. */
static int
pf_remote_stop(struct ag_child *remote)
{
	int ret = 0;

	if (remote->pid > 0) {
		if (!ag_child_gone(remote))
			ret = pf_chan_cmd(&pf_os->chan, remote, PF_CMD_EXIT, PF_TIMEOUT_MS);
		if (ag_child_wait(remote, false, PF_TIMEOUT_MS) != 0 && ret == 0)
			ret = -EIO;
		ag_os_prefix_cleanup(pf_os_prefix);
	}
	if (pf_os != NULL) {
		munmap(pf_os, sizeof(*pf_os));
		pf_os = NULL;
		unlink(pf_os_path);
	}
	return ret;
}

static int
pf_primary(void)
{
	struct ag_child peer = { .pid = -1 }, remote = { .pid = -1 };
	const struct rte_memzone *mz;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct rte_dma_info info;
	char dir[128];
	int ret;

	if (pf_lookup_devs() != 0 || pf_skel < 0) {
		printf("skipped: needs --vdev=dma_skeleton and --vdev=dma_skag<N>,max_groups=%u,"
		       "max_members=%u,rendezvous=<dir> for N = 0..%u\n", PF_MAX_GROUPS,
		       PF_NB_DEVS, PF_NB_DEVS - 1);
		return TEST_SKIPPED;
	}
	if (!rte_eal_has_hugepages() || rte_eal_iova_mode() != RTE_IOVA_VA) {
		printf("needs hugepages (secondary processes) and IOVA as VA\n");
		return TEST_FAILED;
	}
	/* The inter-OS runs need the remote application to meet this one. */
	if (ag_os_rendezvous(dir, sizeof(dir)) != 0 || rte_dma_info_get(pf_dev[0], &info) != 0 ||
	    !(info.dev_capa & RTE_DMA_CAPA_INTER_OS_DOMAIN)) {
		printf("needs rendezvous=<dir> on every dma_skag device: the inter-OS runs start an"
		       " independent primary that meets this one there\n");
		return TEST_FAILED;
	}
	pf_cfg.rounds = pf_env_u32("DMADEV_AG_PERF_ROUNDS", 7, 5, PF_MAX_ROUNDS);
	pf_cfg.ms = pf_env_u32("DMADEV_AG_PERF_MS", 100, 10, 10000);
	pf_cfg.samples = pf_env_u32("DMADEV_AG_PERF_SAMPLES", 2000, 100, PF_MAX_SAMPLES);
	pf_cfg.kills = pf_env_u32("DMADEV_AG_PERF_KILLS", 200, 1, PF_MAX_KILLS);
	pf_cfg.fanout = pf_env_u32("DMADEV_AG_PERF_FANOUT", 300, 1, PF_MAX_FANOUT);
	/* Secondaries next to the main lcore, when there is a CPU for them. */
	snprintf(pf_lcore, sizeof(pf_lcore), "%d",
		 ncpu > 1 ? (int)((rte_lcore_to_cpu_id(rte_get_main_lcore()) + 1) % ncpu) : 0);

	mz = rte_memzone_lookup(PF_CTL_MZ);
	if (mz == NULL)
		mz = rte_memzone_reserve(PF_CTL_MZ, sizeof(struct pf_ctl), SOCKET_ID_ANY, 0);
	if (mz == NULL) {
		printf("cannot reserve memzone %s\n", PF_CTL_MZ);
		return TEST_FAILED;
	}
	pf_ctl = mz->addr;
	memset(pf_ctl, 0, sizeof(*pf_ctl));
	memset(&pf_res, 0, sizeof(pf_res));
	pf_ctl->fo_group = -1;
	ag_uuid_random(pf_ctl->prim_domain);
	ag_uuid_random(pf_ctl->token);

	ret = pf_spawn(&peer, PF_ROLE_PEER);
	if (ret == 0)
		ret = pf_remote_start(&remote, dir);
	if (ret == 0)
		ret = pf_wait_eq((const uint32_t *)&pf_ctl->peer_pid, (uint32_t)peer.pid, &peer,
				 PF_TIMEOUT_MS);
	if (ret == 0)
		ret = pf_data_path(&peer, &remote);
	if (ret == 0)
		ret = pf_control(&peer, &remote);
	if (pf_remote_stop(&remote) != 0 && ret == 0)
		ret = -EIO;
	if (peer.pid > 0) {
		if (!ag_child_gone(&peer) &&
		    pf_chan_cmd(&pf_ctl->peer, &peer, PF_CMD_EXIT, PF_TIMEOUT_MS) != 0)
			ret = ret != 0 ? ret : -EIO;
		if (ag_child_wait(&peer, false, PF_TIMEOUT_MS) != 0 && ret == 0)
			ret = -EIO;
	}
	if (ret == 0)
		ret = pf_kills();
	if (ret == 0)
		ret = pf_fanout();
	pf_report();
	if (ret != 0) {
		printf("perf test stopped: %s\n", strerror(-ret));
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static int
test_dmadev_access_group_perf(void)
{
	const char *role = getenv(PF_ROLE_ENV);

	if (pf_lookup_devs() != 0 && role != NULL) {
		printf("%s: dma_skag0..%u not found\n", role, PF_NB_DEVS - 1);
		return TEST_FAILED;
	}
	if (rte_eal_process_type() == RTE_PROC_PRIMARY && role != NULL) {
		if (strcmp(role, PF_ROLE_REMOTE) != 0) {
			printf("independent primary with role %s, not %s\n", role,
			       PF_ROLE_REMOTE);
			return TEST_FAILED;
		}
		return pf_remote(getenv(PF_CTL_ENV));
	}
	if (rte_eal_process_type() == RTE_PROC_SECONDARY) {
		if (role == NULL) {
			printf("secondary without a role\n");
			return TEST_FAILED;
		}
		return pf_secondary(role);
	}
	return pf_primary();
}

#endif /* !RTE_EXEC_ENV_WINDOWS */

REGISTER_PERF_TEST(dmadev_access_group_perf_autotest, test_dmadev_access_group_perf);
