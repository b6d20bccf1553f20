/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK inter-domain DMA authors
 */

/*
 * Benchmark of inter-domain DMA with dma_skag, run by the primary:
 *  - data path: rte_memcpy, stock dma_skeleton, dma_skag on a local
 *    channel and on an inter-domain channel, all from the same source buffer
 *    into the same buffer of a secondary process, same sizes, interleaved runs;
 *  - control plane: latency of create, destroy (primary) and join,
 *    handler_get, leave (secondary) with 1, 64 and the maximum of live groups;
 *  - events: MEMBER_LEFT delivery across processes after a leave and after a
 *    SIGKILL of a member.
 * The secondaries are this binary, spawned with fork + exec. Primary and
 * secondaries coordinate through a memzone (lock-free sequence numbers);
 * cross-process times use CLOCK_MONOTONIC, which all processes share.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uuid/uuid.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memcpy.h>
#include <rte_memzone.h>
#include <rte_uuid.h>

#include "dma_ag.h"

#define BENCH_MZ_NAME		"dma_ag_bench"
#define BENCH_SPAN		(4u << 20)	/* bytes of each buffer the copies walk over */
#define BENCH_REPS		5		/* interleaved runs per size, median kept */
#define BENCH_BURST		32
#define BENCH_POLL_US		20
#define BENCH_MAX_GROUPS	4096		/* bound of the table-filling loop */

enum bench_engine { ENG_MEMCPY, ENG_SKELETON, ENG_AG_LOCAL, ENG_AG_INTER, ENG_NB };
static const char *const bench_engine_names[ENG_NB] = {
	"rte_memcpy", "dma_skeleton", "skeleton_ag local", "skeleton_ag inter-domain",
};
static const char *const bench_engine_ids[ENG_NB] = {
	"memcpy", "skeleton", "ag_local", "ag_inter",
};
static const uint32_t bench_sizes[] = { 64, 256, 1024, 4096, 64 << 10, 1 << 20 };
#define BENCH_NB_SIZES RTE_DIM(bench_sizes)

enum bench_cmd {
	CMD_NONE,
	CMD_JOIN,	/* join group, allocate a BENCH_SPAN buffer */
	CMD_LEAVE,	/* leave group, free the buffer */
	CMD_CTRL,	/* time join / handler_get / leave */
	CMD_EVENT,	/* join + leave rounds for the MEMBER_LEFT latency */
	CMD_EXIT,
};

enum { CTRL_JOIN, CTRL_HANDLER_GET, CTRL_LEAVE, CTRL_NB_PEER };

/* Shared by the primary and its secondaries, in a memzone. */
struct bench_shm {
	uint32_t peer_ready;		/* pid of the peer once it runs its loop */
	uint32_t cmd_seq;		/* primary: bumped per command */
	uint32_t done_seq;		/* peer: cmd_seq of the last finished command */
	uint32_t cmd;
	int32_t status;
	int16_t group_id;
	uint32_t samples;
	rte_uuid_t token;
	rte_uuid_t creator_domain;
	/* results of the peer */
	rte_uuid_t peer_domain;
	uint64_t peer_iova;
	double med_us[CTRL_NB_PEER];
	double p99_us[CTRL_NB_PEER];
	/* CMD_EVENT handshake, per round */
	uint32_t ev_joined;		/* peer: joined for round k */
	uint32_t ev_go;			/* primary: ready for round k */
	uint64_t ev_t0;			/* peer: time just before the leave of round k */
	uint32_t ev_ack;		/* primary: got the event of round k */
	/* SIGKILL victim */
	int16_t victim_group;
	rte_uuid_t victim_token;
	uint32_t victim_pid;		/* victim: joined */
};

static struct bench_shm *shm;
static pid_t bench_peer_pid;
static int16_t bench_ev_group = -1;
static uint64_t bench_ev_t1;		/* time the watched MEMBER_LEFT arrived */
static uint32_t bench_events;

struct bench_lat {
	double med_us;
	double p99_us;
};

struct bench_tput {
	double mops;
	double gbps;
};

static inline uint32_t
bench_load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void
bench_store(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static int
bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static struct bench_lat
bench_stats(uint64_t *ns, uint32_t n)
{
	struct bench_lat l;

	qsort(ns, n, sizeof(*ns), bench_cmp_u64);
	l.med_us = ns[n / 2] / 1e3;
	l.p99_us = ns[RTE_MIN(n - 1, (uint32_t)((uint64_t)n * 99 / 100))] / 1e3;
	return l;
}

static void
bench_event_cb(int16_t dev_id, int16_t group_id, rte_uuid_t domain_id,
	       enum rte_dma_access_pair_group_event_type event)
{
	uint64_t t = dag_now_ns();

	RTE_SET_USED(dev_id);
	RTE_SET_USED(domain_id);
	__atomic_fetch_add(&bench_events, 1, __ATOMIC_RELAXED);
	if (event == RTE_DMA_GROUP_EVENT_MEMBER_LEFT &&
	    group_id == __atomic_load_n(&bench_ev_group, __ATOMIC_ACQUIRE))
		__atomic_store_n(&bench_ev_t1, t, __ATOMIC_RELEASE);
}

/* Is a spawned process still running? */
static bool
bench_alive(pid_t pid)
{
	int st;

	return pid > 0 && waitpid(pid, &st, WNOHANG) == 0;
}

/*
 * Reap a peer that was asked to exit. Killing a DPDK process in the middle of
 * its teardown could leave a shared heap lock taken: wait for it first.
 */
static void
bench_reap(pid_t pid, unsigned int timeout_ms)
{
	uint64_t deadline = dag_now_ns() + timeout_ms * 1000000ULL;
	int st;

	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (dag_now_ns() > deadline) {
			DAG_ERR("process %d does not exit, killing it", (int)pid);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return;
		}
		rte_delay_us_sleep(1000);
	}
}

/* Poll *p until it equals v; -ETIMEDOUT, -EINTR, or -ECHILD if pid died. */
static int
bench_wait_eq(const uint32_t *p, uint32_t v, pid_t pid, unsigned int timeout_ms)
{
	uint64_t deadline = dag_now_ns() + timeout_ms * 1000000ULL;
	unsigned int n = 0;

	while (bench_load(p) != v) {
		if (dag_quit)
			return -EINTR;
		if ((++n & 255) == 0) {
			if (pid > 0 && !bench_alive(pid))
				return -ECHILD;
			if (dag_now_ns() > deadline)
				return -ETIMEDOUT;
		}
		rte_delay_us_sleep(BENCH_POLL_US);
	}
	return 0;
}

/* The EAL option of ours named opt ("--file-prefix"), in either form, or NULL. */
static const char *
bench_eal_opt(const char *opt)
{
	size_t len = strlen(opt);
	int i;

	for (i = 1; i < dag_eal_argc; i++) {
		if (strncmp(dag_eal_argv[i], opt, len) != 0)
			continue;
		if (dag_eal_argv[i][len] == '=')
			return dag_eal_argv[i] + len + 1;
		if (dag_eal_argv[i][len] == '\0' && i + 1 < dag_eal_argc)
			return dag_eal_argv[i + 1];
	}
	return NULL;
}

/*
 * Append our driver options (-d) to argv: with a shared DPDK, a secondary needs the driver
 * plugins of the primary. Returns the new count, keeping room for the arguments that follow.
 */
static int
bench_driver_opts(const char **argv, int n, int max)
{
	int i;

	for (i = 1; i < dag_eal_argc && n + 2 < max; i++) {
		if (strncmp(dag_eal_argv[i], "-d", 2) != 0)
			continue;
		argv[n++] = dag_eal_argv[i];
		if (dag_eal_argv[i][2] == '\0' && i + 1 < dag_eal_argc)
			argv[n++] = dag_eal_argv[++i];
	}
	return n;
}

/* Start this binary as a secondary process playing role. */
static pid_t
bench_spawn(const char *role)
{
	char exe[PATH_MAX], lcore[16], prefix[PATH_MAX + 16], huge[PATH_MAX + 16];
	const char *argv[32];
	const char *v;
	ssize_t len;
	long ncpu;
	pid_t pid;
	int n = 0;

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return -errno;
	exe[len] = '\0';
	/* Run next to the primary's main lcore when there is room. */
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	snprintf(lcore, sizeof(lcore), "%d",
		 ncpu > 1 ? (int)((rte_lcore_to_cpu_id(rte_get_main_lcore()) + 1) % ncpu) : 0);

	argv[n++] = exe;
	argv[n++] = "-l";
	argv[n++] = lcore;
	argv[n++] = "--proc-type=secondary";
	argv[n++] = "--no-pci";
	argv[n++] = "--log-level=lib.eal:error";
	v = bench_eal_opt("--file-prefix");
	if (v != NULL) {
		snprintf(prefix, sizeof(prefix), "--file-prefix=%s", v);
		argv[n++] = prefix;
	}
	v = bench_eal_opt("--huge-dir");
	if (v != NULL) {
		snprintf(huge, sizeof(huge), "--huge-dir=%s", v);
		argv[n++] = huge;
	}
	/* Room for the four arguments below. */
	n = bench_driver_opts(argv, n, (int)RTE_DIM(argv) - 4);
	argv[n++] = "--";
	argv[n++] = "--role";
	argv[n++] = role;
	argv[n] = NULL;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* Our hugepage and socket descriptors are no business of the child. */
		closefrom(3);
		execv(exe, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	return pid;
}

/* Run a command in the peer and wait for it. */
static int
bench_peer_cmd(enum bench_cmd cmd, unsigned int timeout_ms)
{
	uint32_t seq = shm->cmd_seq + 1;
	int ret;

	shm->cmd = cmd;
	shm->status = -EINPROGRESS;
	bench_store(&shm->cmd_seq, seq);
	ret = bench_wait_eq(&shm->done_seq, seq, bench_peer_pid, timeout_ms);
	if (ret != 0) {
		DAG_ERR("peer command %d: %s", cmd, ret == -ECHILD ? "peer died" :
			strerror(-ret));
		return ret;
	}
	return shm->status;
}

/* Throughput of rte_memcpy over the same offsets as the DMA runs. */
static int
bench_memcpy(uint8_t *src, uint8_t *dst, uint32_t size, uint64_t min_ns, struct bench_tput *r)
{
	uint32_t nb_offs = BENCH_SPAN / size, idx = 0, k;
	uint64_t t0 = dag_now_ns(), t, ops = 0;

	do {
		for (k = 0; k < 256; k++) {
			rte_memcpy(dst + (size_t)idx * size, src + (size_t)idx * size, size);
			if (++idx == nb_offs)
				idx = 0;
		}
		ops += k;
		t = dag_now_ns();
	} while (t - t0 < min_ns);
	r->mops = ops * 1e3 / (t - t0);
	r->gbps = (double)ops * size / (t - t0);
	return 0;
}

/* Throughput of a DMA channel: bursts of copies, submit, reap completions. */
static int
bench_dma(int16_t dev_id, uint16_t vchan, rte_iova_t src, rte_iova_t dst, uint32_t size,
	  uint64_t min_ns, struct bench_tput *r)
{
	uint32_t nb_offs = BENCH_SPAN / size, idx = 0, k, loops = 0;
	uint64_t t0 = dag_now_ns(), t, enq = 0, done = 0, off;
	bool err = false;
	uint16_t last;

	for (;;) {
		for (k = 0; k < BENCH_BURST; k++) {
			off = (uint64_t)idx * size;
			if (rte_dma_copy(dev_id, vchan, src + off, dst + off, size, 0) < 0)
				break;
			enq++;
			if (++idx == nb_offs)
				idx = 0;
		}
		rte_dma_submit(dev_id, vchan);
		done += rte_dma_completed(dev_id, vchan, 2 * BENCH_BURST, &last, &err);
		if (err)
			goto error;
		if ((++loops & 7) == 0 && dag_now_ns() - t0 >= min_ns)
			break;
	}
	while (done < enq) {
		done += rte_dma_completed(dev_id, vchan, 2 * BENCH_BURST, &last, &err);
		if (err)
			goto error;
		if (dag_now_ns() - t0 > min_ns + dag_opts.timeout_ms * 1000000ULL) {
			DAG_ERR("device %d vchan %u: %" PRIu64 " copies never completed", dev_id,
				vchan, enq - done);
			return -ETIMEDOUT;
		}
	}
	t = dag_now_ns();
	r->mops = done * 1e3 / (t - t0);
	r->gbps = (double)done * size / (t - t0);
	return 0;
error:
	{
		enum rte_dma_status_code st = RTE_DMA_STATUS_ERROR_UNKNOWN;

		rte_dma_completed_status(dev_id, vchan, 1, &last, &st);
		DAG_ERR("device %d vchan %u: copy of %u bytes failed: %s", dev_id, vchan, size,
			dag_status_name(st));
	}
	return -EIO;
}

static int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct bench_results {
	struct bench_tput tput[BENCH_NB_SIZES][ENG_NB];
	double inter_local[BENCH_NB_SIZES];	/* median of the paired inter/local ratios */
	uint32_t nb_ctrl;
	uint32_t ctrl_groups[3];
	struct bench_lat ctrl[3][5];	/* create, destroy, join, handler_get, leave */
	struct bench_lat ev_leave;
	struct bench_lat ev_kill;
	uint32_t kill_done;
};
static const char *const bench_ctrl_names[5] = {
	"create", "destroy", "join", "handler_get", "leave",
};

/*
 * Every engine copies into dst, the buffer of the peer: a local and an inter-domain copy then
 * differ only by the checks, not by where their destination lies in memory.
 */
static int
bench_data_path(int16_t skel, int16_t ag, uint8_t *src, uint8_t *dst, struct bench_results *res)
{
	uint64_t min_ns = (uint64_t)(dag_opts.min_time * 1e9);
	rte_iova_t src_iova = rte_malloc_virt2iova(src), dst_iova = shm->peer_iova;
	double mops[ENG_NB][BENCH_REPS], gbps[ENG_NB][BENCH_REPS], pair[BENCH_REPS];
	unsigned int s, i, e, rep;
	int ret;

	DAG_MSG("data path: %u B .. %u KiB, %u interleaved runs of %.2f s per engine and size",
		bench_sizes[0], bench_sizes[BENCH_NB_SIZES - 1] >> 10, BENCH_REPS,
		dag_opts.min_time);
	for (s = 0; s < BENCH_NB_SIZES; s++) {
		uint32_t size = bench_sizes[s];

		for (rep = 0; rep < BENCH_REPS; rep++) {
			for (i = 0; i < ENG_NB; i++) {
				struct bench_tput r;
				uint8_t *out = dst;

				/*
				 * Local and inter-domain copies swap places every run, so that
				 * neither gains from coming first or second.
				 */
				e = i;
				if ((rep & 1) && (e == ENG_AG_LOCAL || e == ENG_AG_INTER))
					e = e == ENG_AG_LOCAL ? ENG_AG_INTER : ENG_AG_LOCAL;

				memset(out, 0, size);
				switch (e) {
				case ENG_MEMCPY:
					ret = bench_memcpy(src, dst, size, min_ns, &r);
					break;
				case ENG_SKELETON:
					ret = bench_dma(skel, 0, src_iova, dst_iova, size, min_ns,
							&r);
					break;
				case ENG_AG_LOCAL:
					ret = bench_dma(ag, 0, src_iova, dst_iova, size, min_ns,
							&r);
					break;
				default:
					ret = bench_dma(ag, 1, src_iova, dst_iova, size, min_ns,
							&r);
					break;
				}
				if (ret != 0)
					return ret;
				if (dag_quit)
					return -EINTR;
				/* The first copy went to offset 0: it must be there. */
				if (memcmp(out, src, size) != 0) {
					DAG_ERR("%s copied wrong data at %u B",
						bench_engine_names[e], size);
					return -EIO;
				}
				mops[e][rep] = r.mops;
				gbps[e][rep] = r.gbps;
			}
			/* Runs next to each other in time share the machine's load. */
			pair[rep] = mops[ENG_AG_INTER][rep] / mops[ENG_AG_LOCAL][rep];
		}
		qsort(pair, BENCH_REPS, sizeof(double), bench_cmp_double);
		res->inter_local[s] = pair[BENCH_REPS / 2];
		for (e = 0; e < ENG_NB; e++) {
			qsort(mops[e], BENCH_REPS, sizeof(double), bench_cmp_double);
			qsort(gbps[e], BENCH_REPS, sizeof(double), bench_cmp_double);
			res->tput[s][e].mops = mops[e][BENCH_REPS / 2];
			res->tput[s][e].gbps = gbps[e][BENCH_REPS / 2];
		}
		DAG_MSG("  %7u B: memcpy %.2f, skeleton %.2f, ag local %.2f, ag inter %.2f Mops/s",
			size, res->tput[s][0].mops, res->tput[s][1].mops, res->tput[s][2].mops,
			res->tput[s][3].mops);
	}
	return 0;
}

/* Live groups kept around to load the table. */
static int16_t *bench_bg;
static uint32_t bench_nb_bg;

static int
bench_bg_create(int16_t ag, rte_uuid_t domain)
{
	rte_uuid_t token;
	int ret;

	if (bench_nb_bg == BENCH_MAX_GROUPS)
		return -ENOSPC;
	uuid_generate_random(token);
	/* With a callback, as applications would: the driver then tracks each group. */
	ret = rte_dma_access_pair_group_create(ag, domain, token, &bench_bg[bench_nb_bg],
					       bench_event_cb);
	if (ret == 0)
		bench_nb_bg++;
	return ret;
}

static int
bench_control(int16_t ag, rte_uuid_t domain, struct bench_results *res)
{
	uint32_t n = dag_opts.ctrl_samples, want[3] = { 1, 64, 0 }, i, p;
	uint64_t *create_ns, *destroy_ns, t0, t1;
	int16_t g;
	int ret = 0;

	create_ns = calloc(n, sizeof(*create_ns));
	destroy_ns = calloc(n, sizeof(*destroy_ns));
	bench_bg = calloc(BENCH_MAX_GROUPS, sizeof(*bench_bg));
	if (create_ns == NULL || destroy_ns == NULL || bench_bg == NULL) {
		ret = -ENOMEM;
		goto out;
	}

	for (p = 0; p < 3; p++) {
		if (want[p] == 0) {
			/* Fill the table to learn its size, then free one slot. */
			while ((ret = bench_bg_create(ag, domain)) == 0)
				;
			if (ret != -ENOSPC) {
				DAG_ERR("creating background groups: %s", strerror(-ret));
				goto out;
			}
			want[p] = bench_nb_bg;
			ret = rte_dma_access_pair_group_destroy(ag, bench_bg[--bench_nb_bg]);
			if (ret != 0) {
				DAG_ERR("destroy of group %d: %s", bench_bg[bench_nb_bg],
					strerror(-ret));
				bench_nb_bg++;
				goto out;
			}
		}
		while (bench_nb_bg + 1 < want[p]) {
			ret = bench_bg_create(ag, domain);
			if (ret != 0) {
				DAG_ERR("table holds %u groups only (%s): skipping %u",
					bench_nb_bg + 1, strerror(-ret), want[p]);
				goto out;
			}
		}
		res->ctrl_groups[p] = want[p];

		/* create with want-1 groups live (want after), destroy back. */
		for (i = 0; i < n && ret == 0; i++) {
			t0 = dag_now_ns();
			ret = rte_dma_access_pair_group_create(ag, domain, shm->token, &g,
							       bench_event_cb);
			t1 = dag_now_ns();
			if (ret != 0)
				break;
			create_ns[i] = t1 - t0;
			t0 = dag_now_ns();
			ret = rte_dma_access_pair_group_destroy(ag, g);
			destroy_ns[i] = dag_now_ns() - t0;
		}
		if (ret != 0) {
			DAG_ERR("create/destroy with %u groups: %s", want[p], strerror(-ret));
			goto out;
		}
		res->ctrl[p][0] = bench_stats(create_ns, n);
		res->ctrl[p][1] = bench_stats(destroy_ns, n);

		/* join / handler_get / leave by the peer, in a group of ours. */
		ret = rte_dma_access_pair_group_create(ag, domain, shm->token, &g, bench_event_cb);
		if (ret != 0) {
			DAG_ERR("create with %u groups: %s", want[p], strerror(-ret));
			goto out;
		}
		shm->group_id = g;
		shm->samples = n;
		ret = bench_peer_cmd(CMD_CTRL, dag_opts.timeout_ms + n);
		rte_dma_access_pair_group_destroy(ag, g);
		if (ret != 0) {
			DAG_ERR("peer join/handler_get/leave with %u groups: %s", want[p],
				strerror(-ret));
			goto out;
		}
		for (i = 0; i < CTRL_NB_PEER; i++) {
			res->ctrl[p][2 + i].med_us = shm->med_us[i];
			res->ctrl[p][2 + i].p99_us = shm->p99_us[i];
		}
		res->nb_ctrl = p + 1;
		DAG_MSG("control plane with %4u live groups: create %.2f, destroy %.2f, join %.2f, "
			"handler_get %.2f, leave %.2f us (median)", want[p],
			res->ctrl[p][0].med_us, res->ctrl[p][1].med_us, res->ctrl[p][2].med_us,
			res->ctrl[p][3].med_us, res->ctrl[p][4].med_us);
	}
out:
	while (bench_nb_bg > 0)
		rte_dma_access_pair_group_destroy(ag, bench_bg[--bench_nb_bg]);
	free(bench_bg);
	free(create_ns);
	free(destroy_ns);
	return ret;
}

/* MEMBER_LEFT latency: the peer leaves, our callback notes the time. */
static int
bench_event_leave(int16_t ag, rte_uuid_t domain, struct bench_results *res)
{
	uint32_t n = dag_opts.event_samples, k, seq;
	uint64_t *lat, t0, t1;
	int16_t g;
	int ret;

	lat = calloc(n, sizeof(*lat));
	if (lat == NULL)
		return -ENOMEM;
	ret = rte_dma_access_pair_group_create(ag, domain, shm->token, &g, bench_event_cb);
	if (ret != 0) {
		free(lat);
		return ret;
	}
	__atomic_store_n(&bench_ev_group, g, __ATOMIC_RELEASE);
	shm->group_id = g;
	shm->samples = n;
	shm->ev_joined = shm->ev_go = shm->ev_ack = 0;
	shm->cmd = CMD_EVENT;
	shm->status = -EINPROGRESS;
	seq = shm->cmd_seq + 1;
	bench_store(&shm->cmd_seq, seq);

	for (k = 1; k <= n; k++) {
		ret = bench_wait_eq(&shm->ev_joined, k, bench_peer_pid, dag_opts.timeout_ms);
		if (ret != 0)
			break;
		__atomic_store_n(&bench_ev_t1, 0, __ATOMIC_RELEASE);
		bench_store(&shm->ev_go, k);
		/* Sleep-poll: the callback thread must not compete with us for a core. */
		t1 = 0;
		t0 = dag_now_ns();
		while (t1 == 0 && !dag_quit && dag_now_ns() - t0 < 1000000000ULL) {
			rte_delay_us_sleep(BENCH_POLL_US);
			t1 = __atomic_load_n(&bench_ev_t1, __ATOMIC_ACQUIRE);
		}
		if (t1 == 0) {
			DAG_ERR("MEMBER_LEFT of round %u never came", k);
			ret = -ETIMEDOUT;
			break;
		}
		lat[k - 1] = t1 - __atomic_load_n(&shm->ev_t0, __ATOMIC_ACQUIRE);
		bench_store(&shm->ev_ack, k);
	}
	if (ret == 0)
		ret = bench_wait_eq(&shm->done_seq, seq, bench_peer_pid, dag_opts.timeout_ms);
	if (ret == 0)
		ret = shm->status;
	__atomic_store_n(&bench_ev_group, -1, __ATOMIC_RELEASE);
	rte_dma_access_pair_group_destroy(ag, g);
	if (ret == 0) {
		res->ev_leave = bench_stats(lat, n);
		DAG_MSG("MEMBER_LEFT after leave in the other process: median %.1f us, p99 %.1f us "
			"(%u samples)", res->ev_leave.med_us, res->ev_leave.p99_us, n);
	}
	free(lat);
	return ret;
}

/* MEMBER_LEFT latency after SIGKILL of a member process. */
static int
bench_event_kill(int16_t ag, rte_uuid_t domain, struct bench_results *res)
{
	uint32_t n = dag_opts.kill_samples, k;
	uint64_t *lat, t0, t1;
	pid_t pid;
	int16_t g;
	int ret = 0, st;

	lat = calloc(n, sizeof(*lat));
	if (lat == NULL)
		return -ENOMEM;
	for (k = 0; k < n && ret == 0; k++) {
		ret = rte_dma_access_pair_group_create(ag, domain, shm->token, &g, bench_event_cb);
		if (ret != 0)
			break;
		shm->victim_group = g;
		rte_uuid_copy(shm->victim_token, shm->token);
		bench_store(&shm->victim_pid, 0);
		pid = bench_spawn("bench-victim");
		if (pid < 0) {
			ret = pid;
			rte_dma_access_pair_group_destroy(ag, g);
			break;
		}
		/* EAL start of a secondary takes a while. */
		ret = bench_wait_eq(&shm->victim_pid, (uint32_t)pid, pid, 60000);
		if (ret != 0) {
			DAG_ERR("victim %d did not join: %s", (int)pid, strerror(-ret));
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			rte_dma_access_pair_group_destroy(ag, g);
			break;
		}
		__atomic_store_n(&bench_ev_t1, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&bench_ev_group, g, __ATOMIC_RELEASE);
		t0 = dag_now_ns();
		kill(pid, SIGKILL);
		t1 = 0;
		while (t1 == 0 && !dag_quit && dag_now_ns() - t0 < 5000000000ULL) {
			rte_delay_us_sleep(BENCH_POLL_US);
			t1 = __atomic_load_n(&bench_ev_t1, __ATOMIC_ACQUIRE);
		}
		waitpid(pid, &st, 0);
		__atomic_store_n(&bench_ev_group, -1, __ATOMIC_RELEASE);
		rte_dma_access_pair_group_destroy(ag, g);
		if (t1 == 0) {
			DAG_ERR("no MEMBER_LEFT within 5 s of SIGKILL of member %d", (int)pid);
			ret = -ETIMEDOUT;
			break;
		}
		lat[k] = t1 - t0;
		DAG_MSG("  SIGKILL of member pid %d -> MEMBER_LEFT in %.2f ms", (int)pid,
			lat[k] / 1e6);
	}
	if (ret == 0) {
		res->ev_kill = bench_stats(lat, n);
		res->kill_done = n;
	}
	free(lat);
	return ret;
}

static void
bench_report(const struct bench_results *res, FILE *csv)
{
	const struct bench_tput *t;
	double worst_inter = 1e9, ratio, ctrl_max = 0, flat = 0;
	unsigned int s, e, p, o, worst_size = 0;

	printf("\nData path (median of %u runs, %u MiB working set per buffer)\n", BENCH_REPS,
	       BENCH_SPAN >> 20);
	printf("%-8s  %-26s %10s %9s %10s\n", "size", "engine", "Mops/s", "GB/s", "x memcpy");
	if (csv != NULL)
		fprintf(csv, "section,name,param,mops,gbps,ratio_memcpy,median_us,p99_us\n");
	for (s = 0; s < BENCH_NB_SIZES; s++) {
		for (e = 0; e < ENG_NB; e++) {
			t = &res->tput[s][e];
			ratio = t->mops / res->tput[s][ENG_MEMCPY].mops;
			printf("%-8u  %-26s %10.3f %9.3f %10.3f\n", bench_sizes[s],
			       bench_engine_names[e], t->mops, t->gbps, ratio);
			if (csv != NULL)
				fprintf(csv, "data,%s,%u,%.4f,%.4f,%.4f,,\n", bench_engine_ids[e],
					bench_sizes[s], t->mops, t->gbps, ratio);
		}
		ratio = res->inter_local[s];
		printf("%-8u  %-26s %31.3f\n", bench_sizes[s], "inter-domain / local", ratio);
		if (csv != NULL)
			fprintf(csv, "data,inter_vs_local,%u,,,%.4f,,\n", bench_sizes[s], ratio);
		if (ratio < worst_inter) {
			worst_inter = ratio;
			worst_size = bench_sizes[s];
		}
	}

	printf("\nControl plane latency, us (median / p99)\n%-12s", "live groups");
	for (p = 0; p < res->nb_ctrl; p++)
		printf(" %18u", res->ctrl_groups[p]);
	printf("\n");
	for (o = 0; o < 5; o++) {
		double lo = 1e9, hi = 0;

		printf("%-12s", bench_ctrl_names[o]);
		for (p = 0; p < res->nb_ctrl; p++) {
			const struct bench_lat *l = &res->ctrl[p][o];

			printf("  %7.2f / %7.2f", l->med_us, l->p99_us);
			if (csv != NULL)
				fprintf(csv, "ctrl,%s,%u,,,,%.3f,%.3f\n", bench_ctrl_names[o],
					res->ctrl_groups[p], l->med_us, l->p99_us);
			ctrl_max = RTE_MAX(ctrl_max, l->med_us);
			lo = RTE_MIN(lo, l->med_us);
			hi = RTE_MAX(hi, l->med_us);
		}
		flat = RTE_MAX(flat, hi / lo);
		printf("\n");
	}

	printf("\nEvent delivery across processes, us (median / p99)\n");
	printf("%-28s %9.1f / %9.1f\n", "leave -> MEMBER_LEFT", res->ev_leave.med_us,
	       res->ev_leave.p99_us);
	printf("%-28s %9.1f / %9.1f  (%u kills)\n", "SIGKILL -> MEMBER_LEFT", res->ev_kill.med_us,
	       res->ev_kill.p99_us, res->kill_done);
	if (csv != NULL) {
		fprintf(csv, "event,leave_member_left,,,,,%.3f,%.3f\n", res->ev_leave.med_us,
			res->ev_leave.p99_us);
		fprintf(csv, "event,sigkill_member_left,,,,,%.3f,%.3f\n", res->ev_kill.med_us,
			res->ev_kill.p99_us);
	}

	printf("\nTargets\n");
	ratio = res->tput[0][ENG_AG_LOCAL].mops / res->tput[0][ENG_SKELETON].mops;
	printf("  %-4s ag local >= 2x stock skeleton ops/s at 64 B: %.2fx\n",
	       ratio >= 2 ? "PASS" : "MISS", ratio);
	for (s = 0; s < BENCH_NB_SIZES; s++) {
		if (bench_sizes[s] < (64u << 10))
			continue;
		ratio = res->tput[s][ENG_AG_LOCAL].mops / res->tput[s][ENG_MEMCPY].mops;
		printf("  %-4s ag local within 10%% of rte_memcpy at %u KiB: %.3f\n",
		       ratio >= 0.9 ? "PASS" : "MISS", bench_sizes[s] >> 10, ratio);
	}
	printf("  %-4s inter-domain >= 95%% of local at every size (median of paired runs): "
	       "worst %.3f at %u B\n",
	       worst_inter >= 0.95 ? "PASS" : "MISS", worst_inter, worst_size);
	printf("  %-4s control ops < 20 us median: worst %.2f us\n",
	       ctrl_max < 20 ? "PASS" : "MISS", ctrl_max);
	printf("  %-4s control ops flat from 1 to %u groups (max/min median <= 2): %.2f\n",
	       flat <= 2 ? "PASS" : "MISS", res->nb_ctrl ? res->ctrl_groups[res->nb_ctrl - 1] : 0,
	       flat);
	printf("  %-4s MEMBER_LEFT < 1 ms median across processes: %.1f us\n",
	       res->ev_leave.med_us < 1000 ? "PASS" : "MISS", res->ev_leave.med_us);
}

int
dag_bench_main(void)
{
	struct rte_dma_inter_domain_param dom[2] = {
		{ .type = RTE_DMA_INTER_DOMAIN_NONE },
		{ .type = RTE_DMA_INTER_PROCESS_DOMAIN },
	};
	const struct rte_memzone *mz;
	struct bench_results *res = NULL;
	uint8_t *src = NULL;
	int16_t skel, ag, other, g = -1;
	bool peer_joined = false;
	rte_uuid_t domain;
	FILE *csv = NULL;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		DAG_ERR("the benchmark runs in the primary process");
		return -EINVAL;
	}
	if (dag_dev_lookup("dma_skeleton", false, &skel) != 0 ||
	    dag_dev_lookup("dma_skag0", true, &ag) != 0 ||
	    dag_dev_lookup("dma_skag1", true, &other) != 0 ||
	    dag_dev_lookup("dma_skag2", true, &other) != 0)
		return -ENODEV;
	if (dag_opts.csv_path != NULL) {
		csv = fopen(dag_opts.csv_path, "w");
		if (csv == NULL) {
			DAG_ERR("cannot write %s: %s", dag_opts.csv_path, strerror(errno));
			return -errno;
		}
	}

	mz = rte_memzone_reserve(BENCH_MZ_NAME, sizeof(*shm), SOCKET_ID_ANY, 0);
	res = calloc(1, sizeof(*res));
	src = rte_malloc("bench_src", BENCH_SPAN, 4096);
	if (mz == NULL || res == NULL || src == NULL) {
		DAG_ERR("out of memory (hugepages reserved?)");
		ret = -ENOMEM;
		goto out;
	}
	shm = mz->addr;
	memset(shm, 0, sizeof(*shm));
	dag_pattern_fill(src, BENCH_SPAN, 42);
	uuid_generate_random(domain);
	uuid_generate_random(shm->token);
	rte_uuid_copy(shm->creator_domain, domain);

	bench_peer_pid = bench_spawn("bench-peer");
	if (bench_peer_pid < 0) {
		ret = bench_peer_pid;
		DAG_ERR("cannot start the peer process: %s", strerror(-ret));
		goto out;
	}
	ret = bench_wait_eq(&shm->peer_ready, (uint32_t)bench_peer_pid, bench_peer_pid, 60000);
	if (ret != 0) {
		DAG_ERR("peer process did not start: %s", strerror(-ret));
		goto out;
	}
	DAG_MSG("peer process %d ready", (int)bench_peer_pid);

	/* Data path: the peer joins and lends its buffer as destination. */
	ret = rte_dma_access_pair_group_create(ag, domain, shm->token, &g, bench_event_cb);
	if (ret != 0) {
		DAG_ERR("group create: %s", strerror(-ret));
		goto out;
	}
	shm->group_id = g;
	ret = bench_peer_cmd(CMD_JOIN, dag_opts.timeout_ms);
	if (ret != 0)
		goto out;
	peer_joined = true;
	ret = rte_dma_access_pair_group_handler_get(ag, g, domain, &dom[1].src_handler);
	if (ret == 0)
		ret = rte_dma_access_pair_group_handler_get(ag, g, shm->peer_domain,
							    &dom[1].dst_handler);
	if (ret == 0)
		ret = dag_dev_setup(ag, dom, 2, dag_opts.nb_desc);
	if (ret == 0)
		ret = dag_dev_setup(skel, dom, 1, dag_opts.nb_desc);
	if (ret != 0)
		goto out;
	ret = bench_data_path(skel, ag, src, (uint8_t *)(uintptr_t)shm->peer_iova, res);
	rte_dma_stop(ag);
	rte_dma_stop(skel);
	if (ret != 0)
		goto out;
	ret = bench_peer_cmd(CMD_LEAVE, dag_opts.timeout_ms);
	if (ret != 0)
		goto out;
	peer_joined = false;
	rte_dma_access_pair_group_destroy(ag, g);
	g = -1;

	ret = bench_control(ag, domain, res);
	if (ret == 0)
		ret = bench_event_leave(ag, domain, res);
	if (ret == 0)
		ret = bench_event_kill(ag, domain, res);
	if (ret == 0) {
		bench_report(res, csv);
		DAG_MSG("events received by the callback: %u",
			__atomic_load_n(&bench_events, __ATOMIC_RELAXED));
	}

out:
	if (bench_peer_pid > 0) {
		if (peer_joined)
			bench_peer_cmd(CMD_LEAVE, dag_opts.timeout_ms);
		if (bench_alive(bench_peer_pid))
			bench_peer_cmd(CMD_EXIT, dag_opts.timeout_ms);
		bench_reap(bench_peer_pid, dag_opts.timeout_ms);
	}
	if (g >= 0)
		rte_dma_access_pair_group_destroy(ag, g);
	if (csv != NULL && fclose(csv) != 0 && ret == 0)
		ret = -EIO;
	rte_free(src);
	free(res);
	if (ret != 0)
		DAG_ERR("benchmark failed: %s", ret == -EINTR ? "interrupted" : strerror(-ret));
	return ret;
}

/* The peer: runs the primary's commands until CMD_EXIT or the primary's death. */
int
dag_bench_peer(void)
{
	const struct rte_memzone *mz;
	uint64_t *ns[CTRL_NB_PEER] = { NULL }, t0, t1;
	pid_t parent = getppid();
	uint32_t seq = 0, cur, k, i;
	uint8_t *buf = NULL;
	int16_t dev_id, g = -1;
	uint16_t h;
	int ret;

	mz = rte_memzone_lookup(BENCH_MZ_NAME);
	if (mz == NULL) {
		DAG_ERR("no %s memzone: start the benchmark in the primary", BENCH_MZ_NAME);
		return -ENOENT;
	}
	shm = mz->addr;
	ret = dag_dev_lookup("dma_skag1", true, &dev_id);
	if (ret != 0)
		return ret;
	uuid_generate_random(shm->peer_domain);
	bench_store(&shm->peer_ready, getpid());

	for (;;) {
		cur = bench_load(&shm->cmd_seq);
		if (cur == seq) {
			if (getppid() != parent || dag_quit)
				break;
			rte_delay_us_sleep(BENCH_POLL_US);
			continue;
		}
		seq = cur;
		ret = 0;
		switch (shm->cmd) {
		case CMD_JOIN:
			ret = rte_dma_access_pair_group_join(dev_id, shm->peer_domain, shm->token,
							     shm->group_id, NULL);
			if (ret != 0)
				break;
			g = shm->group_id;
			buf = rte_malloc("bench_peer_dst", BENCH_SPAN, 4096);
			if (buf == NULL) {
				ret = -ENOMEM;
				break;
			}
			shm->peer_iova = rte_malloc_virt2iova(buf);
			break;
		case CMD_LEAVE:
			ret = rte_dma_access_pair_group_leave(dev_id, g);
			rte_free(buf);
			buf = NULL;
			break;
		case CMD_CTRL:
			for (i = 0; i < CTRL_NB_PEER; i++) {
				free(ns[i]);
				ns[i] = calloc(shm->samples, sizeof(uint64_t));
				if (ns[i] == NULL)
					ret = -ENOMEM;
			}
			for (k = 0; k < shm->samples && ret == 0; k++) {
				t0 = dag_now_ns();
				ret = rte_dma_access_pair_group_join(dev_id, shm->peer_domain,
						shm->token, shm->group_id, bench_event_cb);
				t1 = dag_now_ns();
				if (ret != 0)
					break;
				ns[CTRL_JOIN][k] = t1 - t0;
				t0 = dag_now_ns();
				ret = rte_dma_access_pair_group_handler_get(dev_id, shm->group_id,
						shm->creator_domain, &h);
				t1 = dag_now_ns();
				ns[CTRL_HANDLER_GET][k] = t1 - t0;
				t0 = dag_now_ns();
				if (rte_dma_access_pair_group_leave(dev_id, shm->group_id) != 0 &&
				    ret == 0)
					ret = -EIO;
				ns[CTRL_LEAVE][k] = dag_now_ns() - t0;
			}
			for (i = 0; i < CTRL_NB_PEER && ret == 0; i++) {
				struct bench_lat l = bench_stats(ns[i], shm->samples);

				shm->med_us[i] = l.med_us;
				shm->p99_us[i] = l.p99_us;
			}
			break;
		case CMD_EVENT:
			for (k = 1; k <= shm->samples && ret == 0; k++) {
				ret = rte_dma_access_pair_group_join(dev_id, shm->peer_domain,
						shm->token, shm->group_id, NULL);
				if (ret != 0)
					break;
				bench_store(&shm->ev_joined, k);
				ret = bench_wait_eq(&shm->ev_go, k, 0, dag_opts.timeout_ms);
				__atomic_store_n(&shm->ev_t0, dag_now_ns(), __ATOMIC_RELEASE);
				if (rte_dma_access_pair_group_leave(dev_id, shm->group_id) != 0 &&
				    ret == 0)
					ret = -EIO;
				if (ret == 0)
					ret = bench_wait_eq(&shm->ev_ack, k, 0,
							    dag_opts.timeout_ms);
			}
			break;
		case CMD_EXIT:
			bench_store(&shm->done_seq, seq);
			goto out;
		default:
			ret = -EINVAL;
			break;
		}
		shm->status = ret;
		bench_store(&shm->done_seq, seq);
	}
out:
	for (i = 0; i < CTRL_NB_PEER; i++)
		free(ns[i]);
	rte_free(buf);
	return 0;
}

/* Joins the group it is told and waits to be killed. */
int
dag_bench_victim(void)
{
	const struct rte_memzone *mz;
	rte_uuid_t domain;
	int16_t dev_id;
	uint64_t until;
	int ret;

	mz = rte_memzone_lookup(BENCH_MZ_NAME);
	if (mz == NULL)
		return -ENOENT;
	shm = mz->addr;
	ret = dag_dev_lookup("dma_skag2", true, &dev_id);
	if (ret != 0)
		return ret;
	uuid_generate_random(domain);
	ret = rte_dma_access_pair_group_join(dev_id, domain, shm->victim_token, shm->victim_group,
					     NULL);
	if (ret != 0) {
		DAG_ERR("join: %s", strerror(-ret));
		return ret;
	}
	bench_store(&shm->victim_pid, getpid());
	/* Not killed within a minute: the benchmark is gone, leave quietly. */
	until = dag_now_ns() + 60000000000ULL;
	while (!dag_quit && dag_now_ns() < until)
		rte_delay_us_sleep(10000);
	rte_dma_access_pair_group_leave(dev_id, shm->victim_group);
	return -ETIMEDOUT;
}
