/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

#ifdef RTE_EXEC_ENV_WINDOWS

static int
test_dmadev_access_group_os(void)
{
	printf("dmadev access pair group inter-OS tests not supported on Windows, skipping\n");
	return TEST_SKIPPED;
}

#else

#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_stdatomic.h>
#include <rte_thread.h>
#include <rte_uuid.h>

#include "test_dmadev_access_group_os.h"

/*
 * Access pair groups between independent primaries on dma_skag devices with a rendezvous
 * (other OS instances for the driver: each application has its own file prefix, hugepages and
 * device ids). The process run by the test runner is app A: it starts apps B and C (and
 * victims to kill) as primaries of their own, which execute the commands A writes into a file
 * they all map, and record their events there. Every app has dma_skag0 and dma_skag1 with the
 * same devargs, rendezvous=<dir> and max_members=3 (a group is full with the three apps).
 */

#define AGOS_TEST_NAME		"dmadev_access_group_os_autotest"
#define AGOS_ROLE_ENV		"DPDK_TEST_DMADEV_AG_OS_ROLE"
#define AGOS_CTL_ENV		"DPDK_TEST_DMADEV_AG_OS_CTL"
#define AGOS_ROLE_WORKER	"worker"	/* "worker<slot>" */

#define AGOS_MAX_MEMBERS	3
#define AGOS_NB_DEVS		2
#define AGOS_A			0		/* this process */
#define AGOS_B			1
#define AGOS_C			2
#define AGOS_V			3		/* victims, started by the cases that end them */
#define AGOS_NB_PROCS		4
#define AGOS_MAX_EVENTS		64
#define AGOS_MAX_SGE		4
#define AGOS_CANARY_LEN		64
#define AGOS_CANARY		0xa5
#define AGOS_BUF_LEN		4096
#define AGOS_START_MS		30000		/* a worker's EAL start-up */
#define AGOS_CMD_MS		10000
#define AGOS_EVENT_MS		1000		/* required death/leave detection */
#define AGOS_QUIET_MS		200		/* wait for events that must not come */
#define AGOS_IDLE_MS		120000		/* a worker without commands gives up */
#define AGOS_COUNT_MS		5000		/* fds and mappings hold still (/proc reads) */

/* The driver's export protocol, as the socket of a member speaks it. */
#define AGOS_WIRE_MAGIC		0x31707865676b6173ULL
struct agos_wire_req {
	uint64_t magic;
	int16_t group_id;
};
struct agos_wire_msg {
	uint64_t magic;
	uint64_t va;
	uint64_t len;
	uint64_t offset;
	uint32_t count;
	uint8_t last;
	int32_t status;
};

enum agos_op {
	AGOS_NOP,
	AGOS_CREATE,
	AGOS_JOIN,
	AGOS_LEAVE,
	AGOS_DESTROY,
	AGOS_HANDLER,
	AGOS_VCHAN,		/* stop, one vchan of domain type, start */
	AGOS_COPY,
	AGOS_FILL,
	AGOS_COPY_SG,
	AGOS_ALLOC,		/* rte_malloc */
	AGOS_FREE,
	AGOS_SET,		/* memset */
	AGOS_CHECK_SET,		/* first byte that differs, -1 if none */
	AGOS_PATTERN,
	AGOS_CHECK_PATTERN,
	AGOS_COUNT,		/* open fds and mappings */
	AGOS_FAKE_SERVER,	/* answer one import in place of the driver, badly */
	AGOS_MEM_END,		/* end of the run of backed DPDK memory holding dst */
	AGOS_EXIT,
};

/* Bad replies of the fake server. */
enum agos_bad_reply {
	AGOS_BAD_SHORT,		/* a message cut short */
	AGOS_BAD_MAGIC,		/* a last message of another protocol */
	AGOS_BAD_NO_FD,		/* a region without its descriptor */
	AGOS_BAD_UNALIGNED,	/* a region at an address not page aligned, with a descriptor */
	AGOS_BAD_COUNT,		/* one region, the last message says two */
	AGOS_BAD_HANGUP,	/* one region, then the connection closes */
	AGOS_BAD_OVERLAP,	/* two regions over the same addresses */
	AGOS_BAD_REFUSED,	/* a refusal: -EPERM expected, not -EPROTO */
	AGOS_BAD_CUT,		/* a region, a region cut short (the end of it missing), the end */
	AGOS_BAD_WRAP,		/* a region past the end of the address space */
	AGOS_BAD_TWO_FDS,	/* a region with two descriptors */
	AGOS_BAD_THREE_FDS,	/* a region with three: more than the importer takes */
	AGOS_BAD_LAST_FD,	/* a region, then the end with a descriptor */
	AGOS_BAD_IMPOSTOR,	/* a good reply, from another process at the member's path */
	AGOS_NB_BAD,
};

static const char *const agos_bad_names[AGOS_NB_BAD] = {
	"short message", "wrong magic", "region without fd", "unaligned region",
	"region count mismatch", "hang-up before the end", "overlapping regions", "refusal",
	"region cut short", "region wrapping around", "region with two fds",
	"region with three fds", "end with an fd", "impostor at the member's path",
};

struct agos_cmd {
	uint32_t op;
	int16_t dev;			/* index of the device: dma_skag<dev> */
	int16_t group;
	uint16_t h_src;
	uint16_t h_dst;
	int32_t type;			/* domain type of AGOS_VCHAN */
	int32_t variant;		/* enum agos_bad_reply */
	uint8_t byte;			/* SET/CHECK_SET value, PATTERN seed */
	uint32_t len;
	uint64_t src;
	uint64_t dst;
	uint64_t pattern;		/* FILL */
	uint32_t nb_src;
	uint32_t nb_dst;
	struct rte_dma_sge sg_src[AGOS_MAX_SGE];
	struct rte_dma_sge sg_dst[AGOS_MAX_SGE];
	rte_uuid_t domain;
	rte_uuid_t token;
};

struct agos_res {
	int32_t ret;			/* 0 or a negative errno of the call */
	int32_t status;			/* DMA op status */
	int16_t group;
	uint16_t handler;
	uint64_t addr;
	int64_t off;
	int32_t fds;
	int32_t maps;
};

struct agos_event {
	uint64_t ns;			/* CLOCK_MONOTONIC: comparable between processes */
	int16_t dev_id;
	int16_t group_id;
	int32_t type;
	rte_uuid_t domain;
};

/* One process of the test, in the file they all map. */
struct agos_slot {
	RTE_ATOMIC(uint32_t) cmd_seq;	/* written by A */
	RTE_ATOMIC(uint32_t) done_seq;	/* written by the process */
	RTE_ATOMIC(int32_t) pid;
	RTE_ATOMIC(uint32_t) fake_ready;	/* the fake server listens */
	uint64_t heap_addr;		/* memory of the process outside DPDK's */
	struct agos_cmd cmd;
	struct agos_res res;
	RTE_ATOMIC(uint32_t) nb_events;
	struct agos_event ev[AGOS_MAX_EVENTS];
};

struct agos_ctl {
	struct agos_slot p[AGOS_NB_PROCS];
};

static struct agos_ctl *agos_ctl;
static int agos_self = -1;
static int16_t agos_devs[AGOS_NB_DEVS] = { -1, -1 };
static char agos_dir[128];
static char agos_ctl_path[PATH_MAX];
static struct ag_child agos_kids[AGOS_NB_PROCS];
static char agos_prefixes[AGOS_NB_PROCS][64];
static rte_uuid_t agos_dom[AGOS_NB_PROCS][AGOS_NB_DEVS];

/* Runs on the driver's control thread: only record, in the shared file. */
static void
agos_event_cb(int16_t dev_id, int16_t group_id, rte_uuid_t domain_id,
	      enum rte_dma_access_pair_group_event_type event)
{
	struct agos_slot *s = &agos_ctl->p[agos_self];
	uint32_t n = ag_load(&s->nb_events);
	struct agos_event *ev;

	if (n >= AGOS_MAX_EVENTS)
		return;
	ev = &s->ev[n];
	ev->ns = ag_now_ns();
	ev->dev_id = dev_id;
	ev->group_id = group_id;
	ev->type = event;
	rte_uuid_copy(ev->domain, domain_id);
	ag_store(&s->nb_events, n + 1);
}

static void
agos_pattern(uint8_t *buf, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed + i * 13 + (i >> 7));
}

static int64_t
agos_pattern_check(const uint8_t *buf, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != (uint8_t)(seed + i * 13 + (i >> 7)))
			return i;
	return -1;
}

static int64_t
agos_set_check(const uint8_t *buf, size_t len, uint8_t byte)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != byte)
			return i;
	return -1;
}

/* Submitted op ring_idx: wait for its completion, return its status (or -ETIMEDOUT). */
static int
agos_dma_wait(int16_t dev_id, int idx)
{
	uint64_t deadline = ag_now_ns() + NS_PER_S;
	enum rte_dma_status_code st;
	uint16_t last;

	if (idx < 0)
		return idx;
	do {
		if (rte_dma_completed_status(dev_id, 0, 1, &last, &st) == 1)
			return last == (uint16_t)idx ? (int)st : -EIO;
	} while (ag_now_ns() < deadline);
	return -ETIMEDOUT;
}

static int
agos_vchan(int16_t dev_id, int type, uint16_t h_src, uint16_t h_dst)
{
	struct rte_dma_conf conf = { .nb_vchans = 1 };
	struct rte_dma_vchan_conf vconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
		.nb_desc = 32,
	};
	int ret;

	vconf.domain.type = type;
	vconf.domain.src_handler = h_src;
	vconf.domain.dst_handler = h_dst;
	ret = rte_dma_stop(dev_id);
	if (ret == 0)
		ret = rte_dma_configure(dev_id, &conf);
	if (ret == 0)
		ret = rte_dma_vchan_setup(dev_id, 0, &vconf);
	if (ret == 0)
		ret = rte_dma_start(dev_id);
	return ret;
}

static int agos_fake_server(int variant);

/* End of the run of backed DPDK memory, contiguous in VA, that holds addr; 0 if none. */
static uint64_t
agos_mem_end(uint64_t addr)
{
	const struct rte_memseg *ms;
	uint64_t end = 0, at = addr;

	while ((ms = rte_mem_virt2memseg((void *)(uintptr_t)at, NULL)) != NULL && ms->len != 0 &&
	       (uintptr_t)ms->addr <= at && (uintptr_t)ms->addr + ms->len > at) {
		end = (uintptr_t)ms->addr + ms->len;
		at = end;
	}
	return end;
}

/* Execute a command in this process. */
static void
agos_exec(const struct agos_cmd *c, struct agos_res *r)
{
	int16_t dev = c->dev >= 0 && c->dev < AGOS_NB_DEVS ? agos_devs[c->dev] : -1;
	uint8_t *p = (uint8_t *)(uintptr_t)c->dst;
	int16_t g = c->group;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	switch (c->op) {
	case AGOS_NOP:
		break;
	case AGOS_CREATE:
		/* domain and token are only read */
		ret = rte_dma_access_pair_group_create(dev, (uint8_t *)(uintptr_t)c->domain,
				(uint8_t *)(uintptr_t)c->token, &g, agos_event_cb);
		r->group = g;
		break;
	case AGOS_JOIN:
		ret = rte_dma_access_pair_group_join(dev, (uint8_t *)(uintptr_t)c->domain,
				(uint8_t *)(uintptr_t)c->token, g, agos_event_cb);
		break;
	case AGOS_LEAVE:
		ret = rte_dma_access_pair_group_leave(dev, g);
		break;
	case AGOS_DESTROY:
		ret = rte_dma_access_pair_group_destroy(dev, g);
		break;
	case AGOS_HANDLER:
		ret = rte_dma_access_pair_group_handler_get(dev, g,
				(uint8_t *)(uintptr_t)c->domain, &r->handler);
		break;
	case AGOS_VCHAN:
		ret = agos_vchan(dev, c->type, c->h_src, c->h_dst);
		break;
	case AGOS_COPY:
		r->status = agos_dma_wait(dev, rte_dma_copy(dev, 0, c->src, c->dst, c->len,
							     RTE_DMA_OP_FLAG_SUBMIT));
		break;
	case AGOS_FILL:
		r->status = agos_dma_wait(dev, rte_dma_fill(dev, 0, c->pattern, c->dst, c->len,
							     RTE_DMA_OP_FLAG_SUBMIT));
		break;
	case AGOS_COPY_SG: {
		struct rte_dma_sge src[AGOS_MAX_SGE], dst[AGOS_MAX_SGE];

		memcpy(src, c->sg_src, sizeof(src));
		memcpy(dst, c->sg_dst, sizeof(dst));
		r->status = agos_dma_wait(dev, rte_dma_copy_sg(dev, 0, src, dst, c->nb_src,
							       c->nb_dst, RTE_DMA_OP_FLAG_SUBMIT));
		break;
	}
	case AGOS_ALLOC:
		r->addr = (uintptr_t)rte_malloc("agos_buf", c->len, RTE_CACHE_LINE_SIZE);
		ret = r->addr == 0 ? -ENOMEM : 0;
		break;
	case AGOS_FREE:
		rte_free(p);
		break;
	case AGOS_SET:
		memset(p, c->byte, c->len);
		break;
	case AGOS_CHECK_SET:
		r->off = agos_set_check(p, c->len, c->byte);
		break;
	case AGOS_PATTERN:
		agos_pattern(p, c->len, c->byte);
		break;
	case AGOS_CHECK_PATTERN:
		r->off = agos_pattern_check(p, c->len, c->byte);
		break;
	case AGOS_COUNT:
		r->fds = ag_os_fd_count();
		r->maps = ag_os_maps_count();
		break;
	case AGOS_MEM_END:
		r->addr = agos_mem_end(c->dst);
		ret = r->addr == 0 ? -ENOENT : 0;
		break;
	case AGOS_FAKE_SERVER:
		ret = agos_fake_server(c->variant);
		r->off = ret > 0;
		ret = ret < 0 ? ret : 0;
		break;
	case AGOS_EXIT:
		break;
	default:
		ret = -ENOTSUP;
	}
	r->ret = ret;
}

/* --- the other applications --- */

static int
agos_worker(int slot)
{
	struct agos_slot *s = &agos_ctl->p[slot];
	uint64_t idle;
	uint32_t seq;
	void *heap;

	/* The log is a file: keep each line in it, however the process ends. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	agos_self = slot;
	heap = malloc(AGOS_BUF_LEN);
	if (heap == NULL)
		return TEST_FAILED;
	memset(heap, 0x5a, AGOS_BUF_LEN);
	s->heap_addr = (uintptr_t)heap;
	rte_atomic_store_explicit(&s->pid, getpid(), rte_memory_order_release);
	for (;;) {
		idle = ag_now_ns() + (uint64_t)AGOS_IDLE_MS * NS_PER_S / MS_PER_S;
		while ((seq = ag_load(&s->cmd_seq)) == ag_load(&s->done_seq)) {
			if (ag_now_ns() > idle) {
				printf("worker %d: no command for %d ms, exiting\n", slot,
				       AGOS_IDLE_MS);
				return TEST_FAILED;
			}
			rte_delay_us_sleep(100);
		}
		agos_exec(&s->cmd, &s->res);
		if (s->cmd.op == AGOS_EXIT) {
			ag_store(&s->done_seq, seq);
			free(heap);
			return TEST_SUCCESS;
		}
		ag_store(&s->done_seq, seq);
	}
}

#define AGOS_FAKE_REGION	(2u << 20)
#define AGOS_FAKE_MAX_FDS	3

/* Send len bytes of m with nb_fds copies of descriptor mfd; -EIO (errno set) on error. */
static int
agos_wire_send(int fd, const struct agos_wire_msg *m, size_t len, int mfd, int nb_fds)
{
	union {
		struct cmsghdr align;
		char b[CMSG_SPACE(AGOS_FAKE_MAX_FDS * sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)m, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	int i;

	if (nb_fds > 0) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.b;
		msg.msg_controllen = CMSG_SPACE(nb_fds * sizeof(int));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nb_fds * sizeof(int));
		for (i = 0; i < nb_fds; i++)
			memcpy(CMSG_DATA(cm) + i * sizeof(int), &mfd, sizeof(int));
	}
	return sendmsg(fd, &msg, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -EIO;
}

/*
 * The reply of a variant, of regions of the 4 MiB memfd mfd; the impostor's is a good one:
 * one region and the end.
 */
static int
agos_fake_reply(int fd, int variant, int mfd)
{
	struct agos_wire_msg r = { .magic = AGOS_WIRE_MAGIC, .va = 0x7e0000000000ULL,
				   .len = AGOS_FAKE_REGION };
	struct agos_wire_msg end = { .magic = AGOS_WIRE_MAGIC, .last = 1, .count = 1 };
	int ret, nb_fds = 1, end_fds = 0;

	switch (variant) {
	case AGOS_BAD_SHORT:
		return agos_wire_send(fd, &r, 12, -1, 0);
	case AGOS_BAD_MAGIC:
		end.magic = ~AGOS_WIRE_MAGIC;
		end.count = 0;
		return agos_wire_send(fd, &end, sizeof(end), -1, 0);
	case AGOS_BAD_NO_FD:
		return agos_wire_send(fd, &r, sizeof(r), -1, 0);
	case AGOS_BAD_UNALIGNED:
		r.va += 64;
		break;
	case AGOS_BAD_COUNT:
		end.count = 2;
		break;
	case AGOS_BAD_HANGUP:
		return agos_wire_send(fd, &r, sizeof(r), mfd, 1);
	case AGOS_BAD_OVERLAP:
		ret = agos_wire_send(fd, &r, sizeof(r), mfd, 1);
		if (ret != 0)
			return ret;
		r.offset = AGOS_FAKE_REGION / 2;
		end.count = 2;
		break;
	case AGOS_BAD_REFUSED:
		end.count = 0;
		end.status = -EPERM;
		return agos_wire_send(fd, &end, sizeof(end), -1, 0);
	case AGOS_BAD_CUT:
		/* What the cut leaves out (last, status) stays as the first region had it. */
		ret = agos_wire_send(fd, &r, sizeof(r), mfd, 1);
		if (ret != 0)
			return ret;
		r.va += AGOS_FAKE_REGION;
		r.offset = AGOS_FAKE_REGION;
		ret = agos_wire_send(fd, &r, offsetof(struct agos_wire_msg, last), mfd, 1);
		if (ret != 0)
			return ret;
		end.count = 2;
		return agos_wire_send(fd, &end, sizeof(end), -1, 0);
	case AGOS_BAD_WRAP:
		r.va = UINT64_MAX - AGOS_FAKE_REGION + 1;
		r.len = 2 * AGOS_FAKE_REGION;
		break;
	case AGOS_BAD_TWO_FDS:
		nb_fds = 2;
		break;
	case AGOS_BAD_THREE_FDS:
		nb_fds = 3;
		break;
	case AGOS_BAD_LAST_FD:
		end_fds = 1;
		break;
	case AGOS_BAD_IMPOSTOR:
		break;
	default:
		return -EINVAL;
	}
	ret = agos_wire_send(fd, &r, sizeof(r), mfd, nb_fds);
	return ret != 0 ? ret : agos_wire_send(fd, &end, sizeof(end), mfd, end_fds);
}

/*
 * The impostor, a child of this process (so SO_PEERCRED names the child) listening at the
 * member's path: system calls only. Its exit status: 1 if the importer closed without a
 * request (it refused the impostor), 0 if it asked (it was answered), 2 on error.
 */
static int
agos_impostor(const struct sockaddr_un *sa)
{
	struct agos_wire_req req;
	struct pollfd pfd;
	int lfd, fd, mfd;

	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (const struct sockaddr *)sa, sizeof(*sa)) != 0 ||
	    listen(lfd, 1) != 0)
		return 2;
	ag_store(&agos_ctl->p[agos_self].fake_ready, 1);
	pfd = (struct pollfd){ .fd = lfd, .events = POLLIN };
	if (poll(&pfd, 1, AGOS_CMD_MS / 2) != 1)
		return 2;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (fd < 0 || poll(&pfd, 1, AGOS_CMD_MS / 2) != 1)
		return 2;
	if (recv(fd, &req, sizeof(req), 0) <= 0)
		return 1;
	mfd = memfd_create("agos_impostor", MFD_CLOEXEC);
	if (mfd >= 0 && ftruncate(mfd, 2 * AGOS_FAKE_REGION) == 0)
		agos_fake_reply(fd, AGOS_BAD_IMPOSTOR, mfd);
	return 0;
}

/*
 * Answer the next import in place of the driver, at the socket path of this process: the
 * driver's own socket is moved aside meanwhile (a connected peer sees this process at both, as
 * SO_PEERCRED tells), or, for the impostor, a child of this process answers. Returns 1 if the
 * importer closed the connection after the reply, 0 if not, or a negative errno.
 */
static int
agos_fake_server(int variant)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char aside[sizeof(sa.sun_path) + 8];
	struct agos_wire_req req;
	struct pollfd pfd;
	int lfd = -1, fd = -1, mfd = -1, ret, closed = 0, st;
	char buf[64];
	ssize_t n;
	pid_t pid;

	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/skag.%d.sock", agos_dir, getpid()) >=
	    (int)sizeof(sa.sun_path) ||
	    snprintf(aside, sizeof(aside), "%s.real", sa.sun_path) >= (int)sizeof(aside))
		return -ENAMETOOLONG;
	if (rename(sa.sun_path, aside) != 0)
		return -errno;
	if (variant == AGOS_BAD_IMPOSTOR) {
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			_exit(agos_impostor(&sa));
		if (pid < 0)
			ret = -errno;
		else if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) > 1)
			ret = -EIO;
		else
			ret = WEXITSTATUS(st);
		goto out;
	}
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 1) != 0) {
		ret = -errno;
		goto out;
	}
	ag_store(&agos_ctl->p[agos_self].fake_ready, 1);
	pfd = (struct pollfd){ .fd = lfd, .events = POLLIN };
	if (poll(&pfd, 1, AGOS_CMD_MS / 2) != 1) {
		ret = -ETIMEDOUT;
		goto out;
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0 || recv(fd, &req, sizeof(req), 0) != sizeof(req) ||
	    req.magic != AGOS_WIRE_MAGIC) {
		ret = -EPROTO;
		goto out;
	}
	mfd = memfd_create("agos_fake", MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, 2 * AGOS_FAKE_REGION) != 0) {
		ret = -errno;
		goto out;
	}
	ret = agos_fake_reply(fd, variant, mfd);
	/* The importer gave up at the bad message, before the rest of the reply. */
	if (ret == -EIO && (errno == EPIPE || errno == ECONNRESET)) {
		ret = 1;
		goto out;
	}
	if (ret != 0 || variant == AGOS_BAD_HANGUP)
		goto out;
	/* The importer must give up: close, not wait for more. */
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&pfd, 1, AGOS_CMD_MS / 2) == 1) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		/* A close with our reply unread resets the connection. */
		closed = n == 0 || (n < 0 && errno == ECONNRESET);
	}
	ret = closed;
out:
	if (mfd >= 0)
		close(mfd);
	if (fd >= 0)
		close(fd);
	if (lfd >= 0)
		close(lfd);
	unlink(sa.sun_path);
	if (rename(aside, sa.sun_path) != 0 && ret >= 0)
		ret = -errno;
	ag_store(&agos_ctl->p[agos_self].fake_ready, 0);
	/* A hang-up: the importer's side is not looked at. */
	return variant == AGOS_BAD_HANGUP && ret == 0 ? 1 : ret;
}

/* --- app A: the test --- */

static const char *
agos_proc_name(int p)
{
	static const char *const names[AGOS_NB_PROCS] = { "A", "B", "C", "V" };

	return names[p];
}

static void
agos_log_dump(int p)
{
	char path[PATH_MAX + 16], line[512];
	FILE *f;

	if (agos_prefixes[p][0] == '\0')
		return;		/* a secondary of A: its output is A's */
	snprintf(path, sizeof(path), "%s/%s.log", agos_dir, agos_prefixes[p]);
	f = fopen(path, "re");
	if (f == NULL)
		return;
	printf("--- log of app %s (%s) ---\n", agos_proc_name(p), path);
	while (fgets(line, sizeof(line), f) != NULL)
		printf("  %s", line);
	printf("--- end of log of app %s ---\n", agos_proc_name(p));
	fclose(f);
}

/* Whether the log of app p has a line with text, within timeout_ms. */
static bool
agos_log_has(int p, const char *text, unsigned int timeout_ms)
{
	uint64_t deadline = ag_now_ns() + (uint64_t)timeout_ms * NS_PER_S / MS_PER_S;
	char path[PATH_MAX + 16], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.log", agos_dir, agos_prefixes[p]);
	do {
		f = fopen(path, "re");
		if (f == NULL)
			return false;
		while (!found && fgets(line, sizeof(line), f) != NULL)
			found = strstr(line, text) != NULL;
		fclose(f);
		if (!found)
			rte_delay_us_sleep(10 * 1000);
	} while (!found && ag_now_ns() < deadline);
	return found;
}

/*
 * Start app p (B, C or a victim), wait until it runs its command loop. A secondary victim is a
 * secondary process of A instead, with A's file prefix (none of its own to clean up) and its
 * output in A's.
 */
static int
agos_start_as(int p, bool secondary)
{
	struct agos_slot *s = &agos_ctl->p[p];
	char role[32], log[PATH_MAX + 16];
	uint64_t deadline;
	int ret;

	memset(s, 0, sizeof(*s));
	snprintf(role, sizeof(role), "%s%d", AGOS_ROLE_WORKER, p);
	if (secondary) {
		agos_prefixes[p][0] = '\0';
		/* It finds the file from its environment, as the others do. */
		ret = setenv(AGOS_CTL_ENV, agos_ctl_path, 1) == 0 ? 0 : -errno;
		if (ret == 0)
			ret = ag_spawn(&agos_kids[p], AGOS_TEST_NAME, AGOS_ROLE_ENV, role, "0");
		unsetenv(AGOS_CTL_ENV);
	} else {
		if (snprintf(agos_prefixes[p], sizeof(agos_prefixes[p]), "%s_%s", ag_os_prefix(),
			     agos_proc_name(p)) >= (int)sizeof(agos_prefixes[p])) {
			printf("file prefix %s too long\n", ag_os_prefix());
			return -1;
		}
		snprintf(log, sizeof(log), "%s/%s.log", agos_dir, agos_prefixes[p]);
		unlink(log);
		ret = ag_os_spawn(&agos_kids[p], AGOS_TEST_NAME, agos_prefixes[p], "0",
				  AGOS_ROLE_ENV, role, AGOS_CTL_ENV, agos_ctl_path, log);
	}
	if (ret != 0) {
		printf("cannot start app %s: %d\n", agos_proc_name(p), ret);
		return -1;
	}
	deadline = ag_now_ns() + (uint64_t)AGOS_START_MS * NS_PER_S / MS_PER_S;
	while (rte_atomic_load_explicit(&s->pid, rte_memory_order_acquire) != agos_kids[p].pid) {
		if (ag_os_child_gone(&agos_kids[p]) || ag_now_ns() > deadline) {
			printf("app %s did not start (status 0x%x)\n", agos_proc_name(p),
			       agos_kids[p].status);
			agos_log_dump(p);
			ag_os_child_kill(&agos_kids[p]);
			return -1;
		}
		rte_delay_us_sleep(1000);
	}
	return 0;
}

static int
agos_start(int p)
{
	return agos_start_as(p, false);
}

/* Issue a command to app p without waiting; the sequence number to wait for. */
static uint32_t
agos_post(int p, const struct agos_cmd *c)
{
	struct agos_slot *s = &agos_ctl->p[p];
	uint32_t seq = ag_load(&s->cmd_seq) + 1;

	s->cmd = *c;
	ag_store(&s->cmd_seq, seq);
	return seq;
}

static int
agos_done(int p, uint32_t seq, struct agos_res *r)
{
	struct agos_slot *s = &agos_ctl->p[p];
	uint64_t deadline = ag_now_ns() + (uint64_t)AGOS_CMD_MS * NS_PER_S / MS_PER_S;

	while (ag_load(&s->done_seq) != seq) {
		if (ag_os_child_gone(&agos_kids[p]) || ag_now_ns() > deadline) {
			printf("app %s: no answer to command %u (%s, status 0x%x)\n",
			       agos_proc_name(p), s->cmd.op,
			       agos_kids[p].reaped ? "exited" : "timeout", agos_kids[p].status);
			agos_log_dump(p);
			return -1;
		}
		rte_delay_us_sleep(50);
	}
	*r = s->res;
	return 0;
}

/* Run a command in app p (here for A); -1 if p did not answer. */
static int
agos_call(int p, const struct agos_cmd *c, struct agos_res *r)
{
	if (p == AGOS_A) {
		agos_exec(c, r);
		return 0;
	}
	return agos_done(p, agos_post(p, c), r);
}

/* The result of a group call or vchan setup of app p, INT_MIN if p did not answer. */
static int
agos_ret(int p, const struct agos_cmd *c, struct agos_res *r)
{
	struct agos_res tmp;

	if (r == NULL)
		r = &tmp;
	return agos_call(p, c, r) == 0 ? r->ret : INT_MIN;
}

static int
agos_create(int p, int dev, int16_t *g)
{
	struct agos_cmd c = { .op = AGOS_CREATE, .dev = dev };
	struct agos_res r;
	int ret;

	rte_uuid_copy(c.domain, agos_dom[p][dev]);
	/* The token of a group is the creator's domain with a bit flipped: only A knows it. */
	rte_uuid_copy(c.token, agos_dom[p][dev]);
	c.token[7] ^= 0x40;
	ret = agos_ret(p, &c, &r);
	*g = r.group;
	return ret;
}

/* Token of the group created by app p with device dev. */
static void
agos_token(int p, int dev, rte_uuid_t tok)
{
	rte_uuid_copy(tok, agos_dom[p][dev]);
	tok[7] ^= 0x40;
}

static int
agos_join_as(int p, int dev, const rte_uuid_t domain, const rte_uuid_t tok, int16_t g)
{
	struct agos_cmd c = { .op = AGOS_JOIN, .dev = dev, .group = g };

	rte_uuid_copy(c.domain, domain);
	rte_uuid_copy(c.token, tok);
	return agos_ret(p, &c, NULL);
}

/* App p joins with dev the group g created by app cp with device cdev. */
static int
agos_join(int p, int dev, int16_t g, int cp, int cdev)
{
	rte_uuid_t tok;

	agos_token(cp, cdev, tok);
	return agos_join_as(p, dev, agos_dom[p][dev], tok, g);
}

static int
agos_leave(int p, int dev, int16_t g)
{
	struct agos_cmd c = { .op = AGOS_LEAVE, .dev = dev, .group = g };

	return agos_ret(p, &c, NULL);
}

static int
agos_destroy(int p, int dev, int16_t g)
{
	struct agos_cmd c = { .op = AGOS_DESTROY, .dev = dev, .group = g };

	return agos_ret(p, &c, NULL);
}

/* Handler of the domain of app dp's device ddev in g, as app p's device dev sees it. */
static int
agos_handler(int p, int dev, int16_t g, const rte_uuid_t domain, uint16_t *h)
{
	struct agos_cmd c = { .op = AGOS_HANDLER, .dev = dev, .group = g };
	struct agos_res r;
	int ret;

	rte_uuid_copy(c.domain, domain);
	ret = agos_ret(p, &c, &r);
	*h = r.handler;
	return ret;
}

static int
agos_setup(int p, int dev, int type, uint16_t h_src, uint16_t h_dst)
{
	struct agos_cmd c = { .op = AGOS_VCHAN, .dev = dev, .type = type, .h_src = h_src,
			      .h_dst = h_dst };

	return agos_ret(p, &c, NULL);
}

/* Status of one op of app p's device dev (or a negative errno, INT_MIN if no answer). */
static int
agos_op_status(int p, const struct agos_cmd *c)
{
	struct agos_res r;

	if (agos_call(p, c, &r) != 0)
		return INT_MIN;
	return r.status;
}

static int
agos_copy(int p, int dev, uint64_t src, uint64_t dst, uint32_t len)
{
	struct agos_cmd c = { .op = AGOS_COPY, .dev = dev, .src = src, .dst = dst, .len = len };

	return agos_op_status(p, &c);
}

static void
agos_free(int p, uint64_t addr)
{
	struct agos_cmd c = { .op = AGOS_FREE, .dst = addr };
	struct agos_res r;

	if (addr != 0)
		agos_call(p, &c, &r);
}

/* Buffers of the current case in A, B and C, freed by its teardown however it ends. */
static struct {
	int p;
	uint64_t addr;
} agos_case_bufs[16];
static unsigned int agos_nb_case_bufs;
/* Snapshots of the table by the current case, freed by its teardown too. */
static char *agos_case_snaps[2];

/* A buffer of app p (0 on failure); those of a victim go with it. */
static uint64_t
agos_alloc(int p, uint32_t len)
{
	struct agos_cmd c = { .op = AGOS_ALLOC, .len = len };
	struct agos_res r;

	if (p != AGOS_V && agos_nb_case_bufs == RTE_DIM(agos_case_bufs))
		return 0;
	if (agos_call(p, &c, &r) != 0 || r.ret != 0)
		return 0;
	if (p != AGOS_V) {
		agos_case_bufs[agos_nb_case_bufs].p = p;
		agos_case_bufs[agos_nb_case_bufs++].addr = r.addr;
	}
	return r.addr;
}

static int
agos_mem(int p, enum agos_op op, uint64_t addr, uint32_t len, uint8_t byte, int64_t *off)
{
	struct agos_cmd c = { .op = op, .dst = addr, .len = len, .byte = byte };
	struct agos_res r;

	if (agos_call(p, &c, &r) != 0)
		return -1;
	if (off != NULL)
		*off = r.off;
	return 0;
}

/* A destination buffer of app p: canaries, then len bytes of old, then canaries. */
static int
agos_dst_reset(int p, uint64_t buf, uint32_t len, uint8_t old)
{
	return agos_mem(p, AGOS_SET, buf, len + 2 * AGOS_CANARY_LEN, AGOS_CANARY, NULL) |
		agos_mem(p, AGOS_SET, buf + AGOS_CANARY_LEN, len, old, NULL);
}

/* Whether both canaries of a destination buffer of app p are intact. */
static bool
agos_canaries_ok(int p, uint64_t buf, uint32_t len)
{
	int64_t before = 0, after = 0;

	if (agos_mem(p, AGOS_CHECK_SET, buf, AGOS_CANARY_LEN, AGOS_CANARY, &before) != 0 ||
	    agos_mem(p, AGOS_CHECK_SET, buf + AGOS_CANARY_LEN + len, AGOS_CANARY_LEN,
		     AGOS_CANARY, &after) != 0)
		return false;
	if (before != -1 || after != -1)
		printf("app %s: canary %s the destination overwritten at byte %" PRId64 "\n",
		       agos_proc_name(p), before != -1 ? "before" : "after",
		       before != -1 ? before : after);
	return before == -1 && after == -1;
}

/* Whether app p's len bytes at addr hold the pattern of seed (byte for byte). */
static bool
agos_pattern_ok(int p, uint64_t addr, uint32_t len, uint8_t seed)
{
	int64_t off = 0;

	if (agos_mem(p, AGOS_CHECK_PATTERN, addr, len, seed, &off) != 0)
		return false;
	if (off != -1)
		printf("app %s: byte %" PRId64 " of 0x%" PRIx64 " differs\n", agos_proc_name(p),
		       off, addr);
	return off == -1;
}

static bool
agos_set_ok(int p, uint64_t addr, uint32_t len, uint8_t byte)
{
	int64_t off = 0;

	if (agos_mem(p, AGOS_CHECK_SET, addr, len, byte, &off) != 0)
		return false;
	if (off != -1)
		printf("app %s: byte %" PRId64 " of 0x%" PRIx64 " changed\n", agos_proc_name(p),
		       off, addr);
	return off == -1;
}

static int
agos_count(int p, int *fds, int *maps)
{
	struct agos_cmd c = { .op = AGOS_COUNT };
	struct agos_res r;

	if (agos_call(p, &c, &r) != 0 || r.fds < 0 || r.maps < 0)
		return -1;
	*fds = r.fds;
	*maps = r.maps;
	return 0;
}

/* Resources of a process before a case. */
struct agos_usage {
	int fds;
	int maps;
};

/*
 * Counts of app p once they hold still: connections of exports end a little after their
 * importers release them.
 */
static int
agos_usage_get(int p, struct agos_usage *u)
{
	uint64_t deadline = ag_now_ns() + (uint64_t)AGOS_COUNT_MS * NS_PER_S / MS_PER_S;
	struct agos_usage prev = { -1, -1 };
	int same = 0;

	while (ag_now_ns() < deadline) {
		if (agos_count(p, &u->fds, &u->maps) != 0)
			return -1;
		same = u->fds == prev.fds && u->maps == prev.maps ? same + 1 : 0;
		if (same == 3)
			return 0;
		prev = *u;
		rte_delay_us_sleep(20 * 1000);
	}
	return -1;
}

/*
 * Whether app p holds the same number of file descriptors and mappings as in u; the export
 * connections close when the reaper of the exporter sees the importer close: waited for.
 */
static bool
agos_usage_same(int p, const struct agos_usage *u)
{
	uint64_t deadline = ag_now_ns() + (uint64_t)AGOS_COUNT_MS * NS_PER_S / MS_PER_S;
	int fds = -1, maps = -1;

	do {
		if (agos_count(p, &fds, &maps) != 0)
			return false;
		if (fds == u->fds && maps == u->maps)
			return true;
		rte_delay_us_sleep(10 * 1000);
	} while (ag_now_ns() < deadline);
	printf("app %s: %d fds and %d mappings, %d and %d before\n", agos_proc_name(p), fds,
	       maps, u->fds, u->maps);
	return false;
}

static uint32_t
agos_nb_events(int p)
{
	return ag_load(&agos_ctl->p[p].nb_events);
}

/*
 * Whether app p got, from its event index from on, exactly one event of type about the domain
 * of app dp's device ddev in group g, on device dev, and no other event.
 */
static bool
agos_event_once(int p, uint32_t from, int dev, int16_t g, int type, int dp, int ddev)
{
	uint64_t deadline = ag_now_ns() + (uint64_t)AGOS_EVENT_MS * NS_PER_S / MS_PER_S;
	const struct agos_slot *s = &agos_ctl->p[p];
	const struct agos_event *ev;
	uint32_t n;

	while ((n = agos_nb_events(p)) == from && ag_now_ns() < deadline)
		rte_delay_us_sleep(200);
	if (n == from) {
		printf("app %s: no %s event within %d ms\n", agos_proc_name(p),
		       type == RTE_DMA_GROUP_EVENT_MEMBER_LEFT ? "MEMBER_LEFT" : "GROUP_DESTROYED",
		       AGOS_EVENT_MS);
		return false;
	}
	rte_delay_us_sleep(AGOS_QUIET_MS * 1000);
	n = agos_nb_events(p);
	ev = &s->ev[from];
	if (n != from + 1 || ev->type != type || ev->group_id != g ||
	    ev->dev_id != agos_devs[dev] || rte_uuid_compare(ev->domain, agos_dom[dp][ddev]) != 0) {
		printf("app %s: %u event(s), first type %d group %d device %d, expected one "
		       "event type %d group %d device %d\n", agos_proc_name(p), n - from,
		       ev->type, ev->group_id, ev->dev_id, type, g, agos_devs[dev]);
		return false;
	}
	return true;
}

/* Whether app p got no event since index from (after the quiet time). */
static bool
agos_no_event(int p, uint32_t from)
{
	rte_delay_us_sleep(AGOS_QUIET_MS * 1000);
	if (agos_nb_events(p) != from) {
		printf("app %s: %u unexpected event(s)\n", agos_proc_name(p),
		       agos_nb_events(p) - from);
		return false;
	}
	return true;
}

/* Groups the current case made, to leave behind none when it fails. */
static int16_t agos_case_groups[8];
static unsigned int agos_nb_case_groups;

static void
agos_case_group(int16_t g)
{
	if (agos_nb_case_groups < RTE_DIM(agos_case_groups))
		agos_case_groups[agos_nb_case_groups++] = g;
}

/* Every app back to a local vchan on both devices, without groups of the case; no victim. */
static void
agos_case_cleanup(void)
{
	unsigned int i;
	int p, d;

	if (agos_kids[AGOS_V].pid > 0) {
		ag_os_child_kill(&agos_kids[AGOS_V]);
		ag_os_prefix_cleanup(agos_prefixes[AGOS_V]);
		agos_kids[AGOS_V].pid = 0;
	}
	for (i = 0; i < agos_nb_case_groups; i++) {
		for (p = AGOS_A; p <= AGOS_C; p++) {
			/* Joiners first, then the creator whichever app it is. */
			for (d = 0; d < AGOS_NB_DEVS; d++)
				agos_leave(p, d, agos_case_groups[i]);
			for (d = 0; d < AGOS_NB_DEVS; d++)
				agos_leave(p, d, agos_case_groups[i]);
		}
	}
	agos_nb_case_groups = 0;
	for (p = AGOS_A; p <= AGOS_C; p++)
		for (d = 0; d < AGOS_NB_DEVS; d++)
			agos_setup(p, d, RTE_DMA_INTER_DOMAIN_NONE, 0, 0);
	for (i = 0; i < agos_nb_case_bufs; i++)
		agos_free(agos_case_bufs[i].p, agos_case_bufs[i].addr);
	agos_nb_case_bufs = 0;
	for (i = 0; i < RTE_DIM(agos_case_snaps); i++) {
		free(agos_case_snaps[i]);
		agos_case_snaps[i] = NULL;
	}
}

static int
agos_case_setup(void)
{
	agos_nb_case_groups = 0;
	agos_nb_case_bufs = 0;
	return TEST_SUCCESS;
}

static void
agos_case_teardown(void)
{
	agos_case_cleanup();
}

/* Handlers of the members (device 0) of g: h[p] for app p, as procs[0] sees it. */
static int
agos_handlers(int16_t g, const int *procs, unsigned int nb, uint16_t *h)
{
	unsigned int i, j;
	uint16_t seen;

	for (i = 0; i < nb; i++) {
		if (agos_handler(procs[0], 0, g, agos_dom[procs[i]][0], &h[procs[i]]) != 0 ||
		    h[procs[i]] == 0)
			return -1;
	}
	/* Every member sees the same handlers. */
	for (i = 0; i < nb; i++) {
		for (j = 0; j < nb; j++) {
			if (agos_handler(procs[i], 0, g, agos_dom[procs[j]][0], &seen) != 0 ||
			    seen != h[procs[j]]) {
				printf("app %s sees handler %u of app %s, A sees %u\n",
				       agos_proc_name(procs[i]), seen, agos_proc_name(procs[j]),
				       h[procs[j]]);
				return -1;
			}
		}
	}
	return 0;
}

/*
 * Copy AGOS_BUF_LEN bytes from app sp's buffer src to app dp's buffer dst (canaries around)
 * with app ep's device 0 (set up already): verified byte for byte, canaries intact.
 */
static int
agos_copy_checked(int ep, int sp, uint64_t src, int dp, uint64_t dst, uint8_t seed)
{
	int st;

	if (agos_mem(sp, AGOS_PATTERN, src, AGOS_BUF_LEN, seed, NULL) != 0 ||
	    agos_dst_reset(dp, dst, AGOS_BUF_LEN, 0) != 0)
		return -1;
	st = agos_copy(ep, 0, src, dst + AGOS_CANARY_LEN, AGOS_BUF_LEN);
	if (st != RTE_DMA_STATUS_SUCCESSFUL) {
		printf("copy by %s from %s to %s: status %d\n", agos_proc_name(ep),
		       agos_proc_name(sp), agos_proc_name(dp), st);
		return -1;
	}
	if (!agos_pattern_ok(dp, dst + AGOS_CANARY_LEN, AGOS_BUF_LEN, seed) ||
	    !agos_canaries_ok(dp, dst, AGOS_BUF_LEN))
		return -1;
	return 0;
}

#define AGOS_DST_LEN	(AGOS_BUF_LEN + 2 * AGOS_CANARY_LEN)

/*
 * App p sets up an inter-OS vchan on device 0 from its handler to app q's (handlers h) and
 * copies from its p_src into q's q_dst, checked; then q the other way, from q_src into p_dst.
 */
static int
agos_copy_both_ways(int p, uint64_t p_src, uint64_t p_dst, int q, uint64_t q_src,
		    uint64_t q_dst, const uint16_t *h, uint8_t seed_pq, uint8_t seed_qp)
{
	const struct {
		int from, to;
		uint64_t src, dst;
		uint8_t seed;
	} dir[2] = {
		{ p, q, p_src, q_dst, seed_pq },
		{ q, p, q_src, p_dst, seed_qp },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(dir); i++) {
		ret = agos_setup(dir[i].from, 0, RTE_DMA_INTER_OS_DOMAIN, h[dir[i].from],
				 h[dir[i].to]);
		if (ret != 0) {
			printf("inter-OS vchan %s -> %s: %d\n", agos_proc_name(dir[i].from),
			       agos_proc_name(dir[i].to), ret);
			return -1;
		}
		if (agos_copy_checked(dir[i].from, dir[i].from, dir[i].src, dir[i].to, dir[i].dst,
				      dir[i].seed) != 0) {
			printf("copy %s -> %s failed\n", agos_proc_name(dir[i].from),
			       agos_proc_name(dir[i].to));
			return -1;
		}
	}
	return 0;
}

/*
 * Two apps: A creates, B joins with the same device id; A copies into B's memory and B back
 * into A's, byte for byte with canaries; fill and copy_sg into B; a copy past B's DPDK memory
 * writes nothing; B leaves: A gets MEMBER_LEFT once, B nothing, A's copies then fail with
 * DEV_LINK_ERROR and write nothing, as does a vchan with B's old handler after B joins again.
 * No descriptor or mapping stays in either app.
 */
static int
test_agos_two_apps(void)
{
	uint64_t a_src = 0, a_dst = 0, b_src = 0, b_dst = 0, b_heap, b_end;
	struct agos_usage ua, ub;
	uint16_t h[AGOS_NB_PROCS], h_old;
	const int procs[] = { AGOS_A, AGOS_B };
	uint32_t ev_a, ev_b;
	struct agos_res r;
	struct agos_cmd c;
	int16_t g = -1;
	int rc;

	a_src = agos_alloc(AGOS_A, AGOS_BUF_LEN);
	a_dst = agos_alloc(AGOS_A, AGOS_DST_LEN);
	b_src = agos_alloc(AGOS_B, AGOS_BUF_LEN);
	b_dst = agos_alloc(AGOS_B, AGOS_DST_LEN);
	TEST_ASSERT(a_src && a_dst && b_src && b_dst, "rte_malloc failed");
	TEST_ASSERT(agos_usage_get(AGOS_A, &ua) == 0 && agos_usage_get(AGOS_B, &ub) == 0,
		    "cannot count fds and maps");

	rc = agos_create(AGOS_A, 0, &g);
	TEST_ASSERT_SUCCESS(rc, "create by A: %d", rc);
	agos_case_group(g);
	rc = agos_join(AGOS_B, 0, g, AGOS_A, 0);
	TEST_ASSERT_SUCCESS(rc, "join by B: %d", rc);
	TEST_ASSERT(agos_handlers(g, procs, RTE_DIM(procs), h) == 0 && h[AGOS_A] != h[AGOS_B],
		    "handlers differ between the apps");
	ev_a = agos_nb_events(AGOS_A);
	ev_b = agos_nb_events(AGOS_B);

	/* A -> B, then B -> A with B's own device. */
	TEST_ASSERT(agos_copy_both_ways(AGOS_A, a_src, a_dst, AGOS_B, b_src, b_dst, h, 0x11,
					0x22) == 0, "copies A -> B -> A");
	/* Sizes down to one byte, at odd offsets. */
	rc = agos_mem(AGOS_A, AGOS_PATTERN, a_src, AGOS_BUF_LEN, 0x33, NULL);
	TEST_ASSERT_SUCCESS(rc, "pattern: %d", rc);
	TEST_ASSERT(agos_dst_reset(AGOS_B, b_dst, AGOS_BUF_LEN, 0) == 0, "reset");
	rc = agos_copy(AGOS_A, 0, a_src + 1, b_dst + AGOS_CANARY_LEN + 1, 1);
	TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_SUCCESSFUL, "1-byte copy A -> B: %d", rc);
	TEST_ASSERT(agos_set_ok(AGOS_B, b_dst + AGOS_CANARY_LEN, 1, 0) &&
		    agos_set_ok(AGOS_B, b_dst + AGOS_CANARY_LEN + 2, AGOS_BUF_LEN - 2, 0) &&
		    agos_canaries_ok(AGOS_B, b_dst, AGOS_BUF_LEN),
		    "1-byte copy wrote elsewhere");

	/* Fill of B's buffer by A: byte j is byte j % 8 of the pattern in memory. */
	TEST_ASSERT(agos_dst_reset(AGOS_B, b_dst, AGOS_BUF_LEN, 0) == 0, "reset");
	c = (struct agos_cmd){ .op = AGOS_FILL, .dev = 0, .dst = b_dst + AGOS_CANARY_LEN,
			       .len = AGOS_BUF_LEN, .pattern = 0x3c3c3c3c3c3c3c3cULL };
	rc = agos_op_status(AGOS_A, &c);
	TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_SUCCESSFUL, "fill A -> B: %d", rc);
	TEST_ASSERT(agos_set_ok(AGOS_B, b_dst + AGOS_CANARY_LEN, AGOS_BUF_LEN, 0x3c) &&
		    agos_canaries_ok(AGOS_B, b_dst, AGOS_BUF_LEN), "fill A -> B data");

	/* copy_sg: three pieces of A's buffer into two of B's, in order. */
	TEST_ASSERT(agos_mem(AGOS_A, AGOS_PATTERN, a_src, AGOS_BUF_LEN, 0x44, NULL) == 0 &&
		    agos_dst_reset(AGOS_B, b_dst, AGOS_BUF_LEN, 0) == 0, "pattern");
	c = (struct agos_cmd){ .op = AGOS_COPY_SG, .dev = 0, .nb_src = 3, .nb_dst = 2 };
	c.sg_src[0] = (struct rte_dma_sge){ a_src, 1000 };
	c.sg_src[1] = (struct rte_dma_sge){ a_src + 1000, 96 };
	c.sg_src[2] = (struct rte_dma_sge){ a_src + 1096, AGOS_BUF_LEN - 1096 };
	c.sg_dst[0] = (struct rte_dma_sge){ b_dst + AGOS_CANARY_LEN, 2048 };
	c.sg_dst[1] = (struct rte_dma_sge){ b_dst + AGOS_CANARY_LEN + 2048, AGOS_BUF_LEN - 2048 };
	rc = agos_op_status(AGOS_A, &c);
	TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_SUCCESSFUL, "copy_sg A -> B: %d", rc);
	TEST_ASSERT(agos_pattern_ok(AGOS_B, b_dst + AGOS_CANARY_LEN, AGOS_BUF_LEN, 0x44) &&
		    agos_canaries_ok(AGOS_B, b_dst, AGOS_BUF_LEN), "copy_sg A -> B data");

	/*
	 * Outside B's DPDK memory (its libc heap), and across the end of the run of B's memory
	 * that holds its buffer: nothing written, not even the part inside.
	 */
	c = (struct agos_cmd){ .op = AGOS_MEM_END, .dst = b_dst };
	TEST_ASSERT(agos_call(AGOS_B, &c, &r) == 0 && r.ret == 0, "end of B's memory");
	b_end = r.addr;
	TEST_ASSERT(agos_mem(AGOS_B, AGOS_SET, b_end - 32, 32, 0x6b, NULL) == 0, "set");
	rc = agos_copy(AGOS_A, 0, a_src, b_end - 32, 64);
	TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_INVALID_DST_ADDR,
			  "copy across the end of B's memory: %d", rc);
	TEST_ASSERT(agos_set_ok(AGOS_B, b_end - 32, 32, 0x6b), "copy across the end wrote");
	/*
	 * A's driver maps B's memory at one offset from B's addresses: just past the run, and a
	 * range that wraps around the address space, are still no memory of B.
	 */
	rc = agos_copy(AGOS_A, 0, a_src, b_end, 64);
	TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_INVALID_DST_ADDR,
			  "copy past the end of B's memory: %d", rc);
	rc = agos_copy(AGOS_A, 0, a_src, UINT64_MAX - 31, 64);
	TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_INVALID_DST_ADDR, "copy that wraps around: %d", rc);
	b_heap = agos_ctl->p[AGOS_B].heap_addr;
	rc = agos_copy(AGOS_A, 0, a_src, b_heap, 64);
	TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_INVALID_DST_ADDR,
			  "copy into B's private memory: %d", rc);
	TEST_ASSERT(agos_set_ok(AGOS_B, b_heap, AGOS_BUF_LEN, 0x5a), "B's heap written");
	rc = agos_copy(AGOS_A, 0, b_heap, b_dst, 64);
	TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_INVALID_SRC_ADDR,
			  "copy from outside A's DPDK memory: %d", rc);

	/* A second device of B is no member: it cannot use the group. */
	rc = agos_setup(AGOS_B, 1, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_B], h[AGOS_A]);
	TEST_ASSERT_EQUAL(rc, -EPERM, "vchan of a non-member device: %d", rc);
	TEST_ASSERT(agos_no_event(AGOS_A, ev_a) && agos_no_event(AGOS_B, ev_b),
		    "events without departures");

	/* B leaves: A's vchan is stale. */
	rc = agos_leave(AGOS_B, 0, g);
	TEST_ASSERT_SUCCESS(rc, "leave by B: %d", rc);
	TEST_ASSERT(agos_event_once(AGOS_A, ev_a, 0, g, RTE_DMA_GROUP_EVENT_MEMBER_LEFT, AGOS_B,
				    0), "MEMBER_LEFT to A");
	TEST_ASSERT(agos_no_event(AGOS_B, ev_b), "event to the leaver");
	TEST_ASSERT(agos_dst_reset(AGOS_B, b_dst, AGOS_BUF_LEN, 0x77) == 0, "reset");
	rc = agos_copy(AGOS_A, 0, a_src, b_dst + AGOS_CANARY_LEN, AGOS_BUF_LEN);
	TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_DEV_LINK_ERROR, "copy after B left: %d", rc);
	TEST_ASSERT(agos_set_ok(AGOS_B, b_dst + AGOS_CANARY_LEN, AGOS_BUF_LEN, 0x77) &&
		    agos_canaries_ok(AGOS_B, b_dst, AGOS_BUF_LEN), "stale copy wrote");
	rc = agos_copy(AGOS_B, 0, b_src, a_dst + AGOS_CANARY_LEN, AGOS_BUF_LEN);
	TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_DEV_LINK_ERROR, "copy of the leaver: %d", rc);

	/* B again, with a new handler: the old one names nobody. */
	h_old = h[AGOS_B];
	rc = agos_join(AGOS_B, 0, g, AGOS_A, 0);
	TEST_ASSERT_SUCCESS(rc, "join again by B: %d", rc);
	rc = agos_handler(AGOS_A, 0, g, agos_dom[AGOS_B][0], &h[AGOS_B]);
	TEST_ASSERT_SUCCESS(rc, "handler_get: %d", rc);
	TEST_ASSERT(h[AGOS_B] != h_old, "handler %u reused at once", h_old);
	rc = agos_setup(AGOS_A, 0, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_A], h_old);
	TEST_ASSERT_EQUAL(rc, -EPERM, "vchan with a stale handler: %d", rc);
	rc = agos_copy(AGOS_A, 0, a_src, b_dst + AGOS_CANARY_LEN, AGOS_BUF_LEN);
	TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_DEV_LINK_ERROR, "copy on the stale vchan: %d", rc);
	TEST_ASSERT(agos_set_ok(AGOS_B, b_dst + AGOS_CANARY_LEN, AGOS_BUF_LEN, 0x77),
		    "stale handler's copy wrote");
	rc = agos_setup(AGOS_A, 0, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_A], h[AGOS_B]);
	TEST_ASSERT_SUCCESS(rc, "vchan with the new handler: %d", rc);
	TEST_ASSERT(agos_copy_checked(AGOS_A, AGOS_A, a_src, AGOS_B, b_dst, 0x55) == 0,
		    "copy A -> B after the join again");

	ev_a = agos_nb_events(AGOS_A);
	rc = agos_leave(AGOS_B, 0, g);
	TEST_ASSERT_SUCCESS(rc, "leave by B: %d", rc);
	TEST_ASSERT(agos_event_once(AGOS_A, ev_a, 0, g, RTE_DMA_GROUP_EVENT_MEMBER_LEFT, AGOS_B,
				    0), "MEMBER_LEFT to A");
	rc = agos_destroy(AGOS_A, 0, g);
	TEST_ASSERT_SUCCESS(rc, "destroy: %d", rc);
	TEST_ASSERT(agos_no_event(AGOS_B, ev_b), "event to B after it left");

	/* Imports go with the vchan setups. */
	rc = agos_setup(AGOS_A, 0, RTE_DMA_INTER_DOMAIN_NONE, 0, 0);
	TEST_ASSERT_SUCCESS(rc, "local vchan: %d", rc);
	rc = agos_setup(AGOS_B, 0, RTE_DMA_INTER_DOMAIN_NONE, 0, 0);
	TEST_ASSERT_SUCCESS(rc, "local vchan: %d", rc);
	TEST_ASSERT(agos_usage_same(AGOS_A, &ua) && agos_usage_same(AGOS_B, &ub),
		    "descriptors or mappings leaked");
	return TEST_SUCCESS;
}

/* Reply of a telemetry command of this app, -1 if there is none. */
static int
agos_telemetry(FILE *out, const char *cmd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static char buf[65536];
	ssize_t n;
	int fd;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* The first message is the server's own information. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    read(fd, buf, sizeof(buf)) <= 0 || write(fd, cmd, strlen(cmd)) < 0) {
		close(fd);
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	fprintf(out, "%s\n", buf);
	return 0;
}

/*
 * The state of the shared group table as A sees it: its devices' dumps, and what telemetry
 * says of the table, of the list of groups and of group g. Free with free().
 */
static char *
agos_snapshot(int16_t g)
{
	char cmd[64], *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	f = open_memstream(&buf, &len);
	if (f == NULL)
		return NULL;
	snprintf(cmd, sizeof(cmd), "/dmadev/skeleton_ag/group,%d", g);
	ret = rte_dma_dump(agos_devs[0], f) | rte_dma_dump(agos_devs[1], f) |
		agos_telemetry(f, "/dmadev/skeleton_ag/table") |
		agos_telemetry(f, "/dmadev/skeleton_ag/groups") | agos_telemetry(f, cmd);
	fclose(f);
	if (ret != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* A snapshot of the table (i: 0 before, 1 after), freed by the case's teardown. */
static const char *
agos_case_snapshot(int16_t g, unsigned int i)
{
	free(agos_case_snaps[i]);
	agos_case_snaps[i] = agos_snapshot(g);
	return agos_case_snaps[i];
}

/* A group id that names no group: one just destroyed (ids are not reused at once). */
static int16_t
agos_unknown_group(void)
{
	int16_t g;

	if (agos_create(AGOS_A, 1, &g) != 0 || agos_destroy(AGOS_A, 1, g) != 0)
		return -1;
	return g;
}

/*
 * Every error of the group calls, made by an app other than the group's creator, and the
 * vchan errors: -EINVAL for an inter-process vchan naming a domain of another app, -EPERM for
 * a device outside the group. None changes the table or raises an event.
 */
static int
test_agos_errnos(void)
{
	uint16_t h[AGOS_NB_PROCS], hx;
	const int procs[] = { AGOS_A, AGOS_B, AGOS_C };
	const char *before, *after;
	rte_uuid_t tok, bad_tok, fresh;
	uint32_t ev[AGOS_NB_PROCS];
	int16_t g = -1, unknown;
	int p;
	int rc;

	unknown = agos_unknown_group();
	TEST_ASSERT(unknown >= 0, "no unknown group id");
	rc = agos_create(AGOS_B, 0, &g);
	TEST_ASSERT_SUCCESS(rc, "create by B: %d", rc);
	agos_case_group(g);
	agos_token(AGOS_B, 0, tok);
	rte_uuid_copy(bad_tok, tok);
	bad_tok[15] ^= 0x01;
	ag_uuid_random(fresh);

	/* Joins refused, then A in. */
	rc = agos_join_as(AGOS_A, 0, agos_dom[AGOS_A][0], bad_tok, g);
	TEST_ASSERT_EQUAL(rc, -EACCES, "A joins B's group with a wrong token: %d", rc);
	rc = agos_join_as(AGOS_A, 0, agos_dom[AGOS_A][0], tok, unknown);
	TEST_ASSERT_EQUAL(rc, -ENOENT, "A joins an unknown group: %d", rc);
	rc = agos_join_as(AGOS_A, 0, agos_dom[AGOS_B][0], tok, g);
	TEST_ASSERT_EQUAL(rc, -EEXIST, "A joins with B's domain: %d", rc);
	rc = agos_join(AGOS_A, 0, g, AGOS_B, 0);
	TEST_ASSERT_SUCCESS(rc, "A joins: %d", rc);
	rc = agos_join_as(AGOS_A, 1, agos_dom[AGOS_A][0], tok, g);
	TEST_ASSERT_EQUAL(rc, -EEXIST, "A's second device joins with A's domain: %d", rc);
	rc = agos_join_as(AGOS_A, 0, fresh, tok, g);
	TEST_ASSERT_EQUAL(rc, -EEXIST, "A's member device joins again: %d", rc);
	rc = agos_join(AGOS_C, 0, g, AGOS_B, 0);
	TEST_ASSERT_SUCCESS(rc, "C joins: %d", rc);
	TEST_ASSERT(agos_handlers(g, procs, RTE_DIM(procs), h) == 0, "handlers");

	for (p = AGOS_A; p <= AGOS_C; p++)
		ev[p] = agos_nb_events(p);
	before = agos_case_snapshot(g, 0);
	TEST_ASSERT(before != NULL, "snapshot");
	TEST_ASSERT(strstr(before, "role=joiner") != NULL, "no member in telemetry:\n%s", before);

	rc = agos_join_as(AGOS_A, 1, fresh, tok, g);
	TEST_ASSERT_EQUAL(rc, -ENOSPC, "A's second device joins the full group: %d", rc);
	rc = agos_join_as(AGOS_C, 1, fresh, bad_tok, g);
	TEST_ASSERT_EQUAL(rc, -EACCES, "wrong token checked before the full group: %d", rc);
	rc = agos_destroy(AGOS_A, 0, g);
	TEST_ASSERT_EQUAL(rc, -EPERM, "A destroys B's group: %d", rc);
	rc = agos_destroy(AGOS_C, 1, g);
	TEST_ASSERT_EQUAL(rc, -EPERM, "C's non-member device destroys: %d", rc);
	rc = agos_leave(AGOS_A, 1, g);
	TEST_ASSERT_EQUAL(rc, -EPERM, "A's non-member device leaves: %d", rc);
	rc = agos_handler(AGOS_A, 1, g, agos_dom[AGOS_B][0], &hx);
	TEST_ASSERT_EQUAL(rc, -EPERM, "handler_get by A's non-member device: %d", rc);
	rc = agos_destroy(AGOS_B, 0, g);
	TEST_ASSERT_EQUAL(rc, -EBUSY, "B destroys with joiners: %d", rc);
	rc = agos_leave(AGOS_B, 0, g);
	TEST_ASSERT_EQUAL(rc, -EBUSY, "B leaves with joiners: %d", rc);
	rc = agos_handler(AGOS_C, 0, g, fresh, &hx);
	TEST_ASSERT_EQUAL(rc, -ENOENT, "handler_get of a domain not in the group: %d", rc);
	rc = agos_handler(AGOS_C, 0, unknown, agos_dom[AGOS_C][0], &hx);
	TEST_ASSERT_EQUAL(rc, -ENOENT, "handler_get in an unknown group: %d", rc);
	rc = agos_leave(AGOS_A, 0, unknown);
	TEST_ASSERT_EQUAL(rc, -ENOENT, "A leaves an unknown group: %d", rc);
	rc = agos_destroy(AGOS_C, 0, unknown);
	TEST_ASSERT_EQUAL(rc, -ENOENT, "C destroys an unknown group: %d", rc);

	/* An inter-process vchan reaches this app only. */
	rc = agos_setup(AGOS_A, 0, RTE_DMA_INTER_PROCESS_DOMAIN, h[AGOS_A], h[AGOS_B]);
	TEST_ASSERT_EQUAL(rc, -EINVAL, "inter-process vchan from A to B: %d", rc);
	rc = agos_setup(AGOS_A, 0, RTE_DMA_INTER_PROCESS_DOMAIN, h[AGOS_B], h[AGOS_A]);
	TEST_ASSERT_EQUAL(rc, -EINVAL, "inter-process vchan from B to A: %d", rc);
	rc = agos_setup(AGOS_C, 0, RTE_DMA_INTER_PROCESS_DOMAIN, h[AGOS_A], h[AGOS_B]);
	TEST_ASSERT_EQUAL(rc, -EINVAL, "inter-process vchan of C from A to B: %d", rc);
	rc = agos_setup(AGOS_A, 1, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_A], h[AGOS_B]);
	TEST_ASSERT_EQUAL(rc, -EPERM, "inter-OS vchan of A's non-member device: %d", rc);
	rc = agos_setup(AGOS_A, 0, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_A], 0);
	TEST_ASSERT_EQUAL(rc, -EINVAL, "inter-OS vchan with handler 0: %d", rc);

	/* The failed setups stopped A's devices: their local vchans back, as before. */
	TEST_ASSERT(agos_setup(AGOS_A, 0, RTE_DMA_INTER_DOMAIN_NONE, 0, 0) == 0 &&
		    agos_setup(AGOS_A, 1, RTE_DMA_INTER_DOMAIN_NONE, 0, 0) == 0, "local vchans");
	after = agos_case_snapshot(g, 1);
	TEST_ASSERT(after != NULL, "snapshot");
	TEST_ASSERT(strcmp(before, after) == 0, "table changed by failed calls:\n%s\n---\n%s",
		    before, after);
	for (p = AGOS_A; p <= AGOS_C; p++)
		TEST_ASSERT(agos_no_event(p, ev[p]), "failed calls raised events");

	/* The creator is alone at last: its leave destroys the group, without events. */
	rc = agos_leave(AGOS_C, 0, g);
	TEST_ASSERT_SUCCESS(rc, "C leaves: %d", rc);
	TEST_ASSERT(agos_event_once(AGOS_A, ev[AGOS_A], 0, g, RTE_DMA_GROUP_EVENT_MEMBER_LEFT,
				    AGOS_C, 0) &&
		    agos_event_once(AGOS_B, ev[AGOS_B], 0, g, RTE_DMA_GROUP_EVENT_MEMBER_LEFT,
				    AGOS_C, 0), "MEMBER_LEFT of C");
	rc = agos_leave(AGOS_A, 0, g);
	TEST_ASSERT_SUCCESS(rc, "A leaves: %d", rc);
	TEST_ASSERT(agos_event_once(AGOS_B, ev[AGOS_B] + 1, 0, g,
				    RTE_DMA_GROUP_EVENT_MEMBER_LEFT, AGOS_A, 0),
		    "MEMBER_LEFT of A");
	ev[AGOS_A] = agos_nb_events(AGOS_A);
	ev[AGOS_C] = agos_nb_events(AGOS_C);
	rc = agos_leave(AGOS_B, 0, g);
	TEST_ASSERT_SUCCESS(rc, "B, alone, leaves: %d", rc);
	rc = agos_handler(AGOS_B, 0, g, agos_dom[AGOS_B][0], &hx);
	TEST_ASSERT_EQUAL(rc, -ENOENT, "group left by its last member: %d", rc);
	TEST_ASSERT(agos_no_event(AGOS_A, ev[AGOS_A]) && agos_no_event(AGOS_C, ev[AGOS_C]),
		    "events after the last member left");
	return TEST_SUCCESS;
}

/*
 * Three apps: A creates, B and C join. A copies into B, B into C, and C's device copies from
 * A's memory into B's (it maps both); C fills A's buffer. C leaves: A and B get MEMBER_LEFT
 * once, C's and B's vchans fail and write nothing. Then B leaves, A destroys. No descriptor or
 * mapping stays in any app.
 */
static int
test_agos_three_apps(void)
{
	uint64_t src[AGOS_NB_PROCS] = { 0 }, dst[AGOS_NB_PROCS] = { 0 };
	struct agos_usage u[AGOS_NB_PROCS];
	const int procs[] = { AGOS_A, AGOS_B, AGOS_C };
	uint16_t h[AGOS_NB_PROCS];
	uint32_t ev[AGOS_NB_PROCS];
	struct agos_cmd c;
	int16_t g = -1;
	int p;
	int rc;

	for (p = AGOS_A; p <= AGOS_C; p++) {
		src[p] = agos_alloc(p, AGOS_BUF_LEN);
		dst[p] = agos_alloc(p, AGOS_DST_LEN);
		TEST_ASSERT(src[p] != 0 && dst[p] != 0, "rte_malloc in %s", agos_proc_name(p));
		TEST_ASSERT(agos_usage_get(p, &u[p]) == 0, "count");
	}
	rc = agos_create(AGOS_A, 0, &g);
	TEST_ASSERT_SUCCESS(rc, "create by A: %d", rc);
	agos_case_group(g);
	rc = agos_join(AGOS_B, 0, g, AGOS_A, 0);
	TEST_ASSERT_SUCCESS(rc, "join by B: %d", rc);
	rc = agos_join(AGOS_C, 0, g, AGOS_A, 0);
	TEST_ASSERT_SUCCESS(rc, "join by C: %d", rc);
	TEST_ASSERT(agos_handlers(g, procs, RTE_DIM(procs), h) == 0, "handlers");
	for (p = AGOS_A; p <= AGOS_C; p++)
		ev[p] = agos_nb_events(p);

	rc = agos_setup(AGOS_A, 0, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_A], h[AGOS_B]);
	TEST_ASSERT_SUCCESS(rc, "vchan A -> B: %d", rc);
	TEST_ASSERT(agos_copy_checked(AGOS_A, AGOS_A, src[AGOS_A], AGOS_B, dst[AGOS_B], 0x61) == 0,
		    "copy A -> B");
	rc = agos_setup(AGOS_B, 0, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_B], h[AGOS_C]);
	TEST_ASSERT_SUCCESS(rc, "vchan B -> C: %d", rc);
	TEST_ASSERT(agos_copy_checked(AGOS_B, AGOS_B, src[AGOS_B], AGOS_C, dst[AGOS_C], 0x62) == 0,
		    "copy B -> C");
	rc = agos_setup(AGOS_C, 0, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_A], h[AGOS_B]);
	TEST_ASSERT_SUCCESS(rc, "vchan of C from A to B: %d", rc);
	TEST_ASSERT(agos_copy_checked(AGOS_C, AGOS_A, src[AGOS_A], AGOS_B, dst[AGOS_B], 0x63) == 0,
		    "copy by C from A to B");
	/* A's source is intact: C's vchan only reads it. */
	TEST_ASSERT(agos_pattern_ok(AGOS_A, src[AGOS_A], AGOS_BUF_LEN, 0x63), "A's source changed");
	rc = agos_setup(AGOS_C, 1, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_C], h[AGOS_A]);
	TEST_ASSERT_EQUAL(rc, -EPERM, "vchan of C's non-member device: %d", rc);
	rc = agos_setup(AGOS_B, 0, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_C], h[AGOS_A]);
	TEST_ASSERT_SUCCESS(rc, "vchan of B from C to A: %d", rc);
	TEST_ASSERT(agos_dst_reset(AGOS_A, dst[AGOS_A], AGOS_BUF_LEN, 0) == 0, "reset");
	c = (struct agos_cmd){ .op = AGOS_COPY_SG, .dev = 0, .nb_src = 2, .nb_dst = 3 };
	TEST_ASSERT(agos_mem(AGOS_C, AGOS_PATTERN, src[AGOS_C], AGOS_BUF_LEN, 0x64, NULL) == 0,
		    "pattern");
	c.sg_src[0] = (struct rte_dma_sge){ src[AGOS_C], 3000 };
	c.sg_src[1] = (struct rte_dma_sge){ src[AGOS_C] + 3000, AGOS_BUF_LEN - 3000 };
	c.sg_dst[0] = (struct rte_dma_sge){ dst[AGOS_A] + AGOS_CANARY_LEN, 7 };
	c.sg_dst[1] = (struct rte_dma_sge){ dst[AGOS_A] + AGOS_CANARY_LEN + 7, 2000 };
	c.sg_dst[2] = (struct rte_dma_sge){ dst[AGOS_A] + AGOS_CANARY_LEN + 2007,
					    AGOS_BUF_LEN - 2007 };
	rc = agos_op_status(AGOS_B, &c);
	TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_SUCCESSFUL, "copy_sg by B from C to A: %d", rc);
	TEST_ASSERT(agos_pattern_ok(AGOS_A, dst[AGOS_A] + AGOS_CANARY_LEN, AGOS_BUF_LEN, 0x64) &&
		    agos_canaries_ok(AGOS_A, dst[AGOS_A], AGOS_BUF_LEN), "copy_sg C -> A data");
	TEST_ASSERT(agos_dst_reset(AGOS_A, dst[AGOS_A], AGOS_BUF_LEN, 0) == 0, "reset");
	c = (struct agos_cmd){ .op = AGOS_FILL, .dev = 0, .dst = dst[AGOS_A] + AGOS_CANARY_LEN,
			       .len = AGOS_BUF_LEN, .pattern = 0xc9c9c9c9c9c9c9c9ULL };
	rc = agos_op_status(AGOS_B, &c);
	TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_SUCCESSFUL, "fill by B of A: %d", rc);
	TEST_ASSERT(agos_set_ok(AGOS_A, dst[AGOS_A] + AGOS_CANARY_LEN, AGOS_BUF_LEN, 0xc9) &&
		    agos_canaries_ok(AGOS_A, dst[AGOS_A], AGOS_BUF_LEN), "fill of A data");
	rc = agos_setup(AGOS_B, 0, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_B], h[AGOS_C]);
	TEST_ASSERT_SUCCESS(rc, "vchan B -> C: %d", rc);
	for (p = AGOS_A; p <= AGOS_C; p++)
		TEST_ASSERT(agos_no_event(p, ev[p]), "events without departures");

	/* The third member leaves. */
	rc = agos_leave(AGOS_C, 0, g);
	TEST_ASSERT_SUCCESS(rc, "leave by C: %d", rc);
	TEST_ASSERT(agos_event_once(AGOS_A, ev[AGOS_A], 0, g, RTE_DMA_GROUP_EVENT_MEMBER_LEFT,
				    AGOS_C, 0) &&
		    agos_event_once(AGOS_B, ev[AGOS_B], 0, g, RTE_DMA_GROUP_EVENT_MEMBER_LEFT,
				    AGOS_C, 0), "MEMBER_LEFT of C");
	TEST_ASSERT(agos_no_event(AGOS_C, ev[AGOS_C]), "event to the leaver");
	TEST_ASSERT(agos_dst_reset(AGOS_B, dst[AGOS_B], AGOS_BUF_LEN, 0x70) == 0 &&
		    agos_dst_reset(AGOS_C, dst[AGOS_C], AGOS_BUF_LEN, 0x71) == 0, "reset");
	rc = agos_copy(AGOS_C, 0, src[AGOS_A], dst[AGOS_B] + AGOS_CANARY_LEN, AGOS_BUF_LEN);
	TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_DEV_LINK_ERROR, "copy of C after it left: %d", rc);
	rc = agos_copy(AGOS_B, 0, src[AGOS_B], dst[AGOS_C] + AGOS_CANARY_LEN, AGOS_BUF_LEN);
	TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_DEV_LINK_ERROR,
			  "copy of B into C after C left: %d", rc);
	TEST_ASSERT(agos_set_ok(AGOS_B, dst[AGOS_B] + AGOS_CANARY_LEN, AGOS_BUF_LEN, 0x70) &&
		    agos_set_ok(AGOS_C, dst[AGOS_C] + AGOS_CANARY_LEN, AGOS_BUF_LEN, 0x71) &&
		    agos_canaries_ok(AGOS_B, dst[AGOS_B], AGOS_BUF_LEN) &&
		    agos_canaries_ok(AGOS_C, dst[AGOS_C], AGOS_BUF_LEN), "stale copies wrote");
	/* A -> B does not involve C: still fine. */
	TEST_ASSERT(agos_copy_checked(AGOS_A, AGOS_A, src[AGOS_A], AGOS_B, dst[AGOS_B], 0x65) == 0,
		    "copy A -> B after C left");

	ev[AGOS_A] = agos_nb_events(AGOS_A);
	ev[AGOS_B] = agos_nb_events(AGOS_B);
	rc = agos_leave(AGOS_B, 0, g);
	TEST_ASSERT_SUCCESS(rc, "leave by B: %d", rc);
	TEST_ASSERT(agos_event_once(AGOS_A, ev[AGOS_A], 0, g, RTE_DMA_GROUP_EVENT_MEMBER_LEFT,
				    AGOS_B, 0), "MEMBER_LEFT of B");
	rc = agos_destroy(AGOS_A, 0, g);
	TEST_ASSERT_SUCCESS(rc, "destroy: %d", rc);
	TEST_ASSERT(agos_no_event(AGOS_B, ev[AGOS_B]) && agos_no_event(AGOS_C, ev[AGOS_C]),
		    "events after leaving");

	for (p = AGOS_A; p <= AGOS_C; p++) {
		rc = agos_setup(p, 0, RTE_DMA_INTER_DOMAIN_NONE, 0, 0);
		TEST_ASSERT_SUCCESS(rc, "local vchan: %d", rc);
	}
	for (p = AGOS_A; p <= AGOS_C; p++)
		TEST_ASSERT(agos_usage_same(p, &u[p]), "descriptors or mappings leaked");
	return TEST_SUCCESS;
}

enum agos_role { AGOS_ROLE_CREATOR, AGOS_ROLE_JOINER, AGOS_ROLE_THIRD };

static const char *const agos_role_names[] = { "creator", "joiner", "third member" };

/*
 * App V plays role in a group of A, B and V, with a vchan of A (or of B) reaching V's memory
 * and one of the other app reaching the other member; V is then SIGKILLed (kill) or ends
 * (exit for the creator: its devices close, leave for the others). The survivors get
 * GROUP_DESTROYED (creator) or MEMBER_LEFT once each, their vchans fail and write nothing, and
 * they hold no more descriptors or mappings than before once their vchans are set up anew.
 */
static int
agos_departure(enum agos_role role, bool killed)
{
	uint64_t src[AGOS_NB_PROCS] = { 0 }, dst[AGOS_NB_PROCS] = { 0 };
	struct agos_usage u[AGOS_NB_PROCS];
	int order[3], i, p, type, ep;
	uint16_t h[AGOS_NB_PROCS];
	uint32_t ev[AGOS_NB_PROCS];
	struct agos_cmd c = { .op = AGOS_EXIT };
	struct agos_res r;
	uint64_t t0;
	int16_t g = -1;
	int rc, status;

	/* Before V: the survivors watch its process while it lives (a pidfd). */
	for (p = AGOS_A; p <= AGOS_B; p++) {
		src[p] = agos_alloc(p, AGOS_BUF_LEN);
		dst[p] = agos_alloc(p, AGOS_DST_LEN);
		TEST_ASSERT(src[p] != 0 && dst[p] != 0, "rte_malloc in %s", agos_proc_name(p));
		TEST_ASSERT(agos_usage_get(p, &u[p]) == 0, "count");
	}
	TEST_ASSERT(agos_start(AGOS_V) == 0, "start V");
	ag_uuid_random(agos_dom[AGOS_V][0]);
	ag_uuid_random(agos_dom[AGOS_V][1]);
	src[AGOS_V] = agos_alloc(AGOS_V, AGOS_BUF_LEN);
	TEST_ASSERT(src[AGOS_V] != 0, "rte_malloc in V");
	/* Creator first, then the joiners in order. */
	order[0] = role == AGOS_ROLE_CREATOR ? AGOS_V : AGOS_A;
	order[1] = role == AGOS_ROLE_JOINER ? AGOS_V : role == AGOS_ROLE_CREATOR ? AGOS_A : AGOS_B;
	order[2] = role == AGOS_ROLE_THIRD ? AGOS_V : AGOS_B;
	rc = agos_create(order[0], 0, &g);
	TEST_ASSERT_SUCCESS(rc, "create: %d", rc);
	agos_case_group(g);
	for (i = 1; i < 3; i++) {
		rc = agos_join(order[i], 0, g, order[0], 0);
		TEST_ASSERT_SUCCESS(rc, "join: %d", rc);
	}
	TEST_ASSERT(agos_handlers(g, order, 3, h) == 0, "handlers");

	/* Whichever is first of A and B imports V, the other one the other survivor. */
	ep = role == AGOS_ROLE_THIRD ? AGOS_B : AGOS_A;
	rc = agos_setup(ep, 0, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_V], h[ep]);
	TEST_ASSERT_SUCCESS(rc, "vchan from V: %d", rc);
	TEST_ASSERT(agos_copy_checked(ep, AGOS_V, src[AGOS_V], ep, dst[ep], 0x81) == 0,
		    "copy from V");
	p = ep == AGOS_A ? AGOS_B : AGOS_A;
	rc = agos_setup(p, 0, RTE_DMA_INTER_OS_DOMAIN, h[p], h[ep]);
	TEST_ASSERT_SUCCESS(rc, "vchan between the survivors: %d", rc);
	TEST_ASSERT(agos_copy_checked(p, p, src[p], ep, dst[ep], 0x82) == 0,
		    "copy between the survivors");
	ev[AGOS_A] = agos_nb_events(AGOS_A);
	ev[AGOS_B] = agos_nb_events(AGOS_B);

	t0 = ag_now_ns();
	if (killed) {
		kill(agos_kids[AGOS_V].pid, SIGKILL);
		TEST_ASSERT(ag_os_child_wait(&agos_kids[AGOS_V], true, AGOS_CMD_MS) == 0,
			    "V not killed");
	} else if (role == AGOS_ROLE_CREATOR) {
		/* EAL cleanup closes its devices: its group goes with them. */
		TEST_ASSERT(agos_call(AGOS_V, &c, &r) == 0 &&
			    ag_os_child_wait(&agos_kids[AGOS_V], false, AGOS_CMD_MS) == 0,
			    "V did not exit cleanly");
	} else {
		rc = agos_leave(AGOS_V, 0, g);
		TEST_ASSERT_SUCCESS(rc, "leave by V: %d", rc);
	}
	type = role == AGOS_ROLE_CREATOR ? RTE_DMA_GROUP_EVENT_GROUP_DESTROYED :
		RTE_DMA_GROUP_EVENT_MEMBER_LEFT;
	/* GROUP_DESTROYED names the recipient's own domain, MEMBER_LEFT the leaver's. */
	for (p = AGOS_A; p <= AGOS_B; p++)
		TEST_ASSERT(agos_event_once(p, ev[p], 0, g, type,
					    type == RTE_DMA_GROUP_EVENT_MEMBER_LEFT ?
					    AGOS_V : p, 0),
			    "event of the %s's departure", agos_role_names[role]);
	printf("%s %s: event to A %.3f ms, to B %.3f ms after the %s\n",
	       agos_role_names[role],
	       killed ? "killed" : role == AGOS_ROLE_CREATOR ? "exited" : "left",
	       (double)(agos_ctl->p[AGOS_A].ev[ev[AGOS_A]].ns - t0) / 1e6,
	       (double)(agos_ctl->p[AGOS_B].ev[ev[AGOS_B]].ns - t0) / 1e6,
	       killed ? "SIGKILL" : "departure");

	/* Both vchans are stale (the group is gone, or V is): nothing written. */
	TEST_ASSERT(agos_dst_reset(ep, dst[ep], AGOS_BUF_LEN, 0x90) == 0, "reset");
	rc = agos_copy(ep, 0, src[AGOS_V], dst[ep] + AGOS_CANARY_LEN, AGOS_BUF_LEN);
	TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_DEV_LINK_ERROR, "copy from the departed V: %d", rc);
	p = ep == AGOS_A ? AGOS_B : AGOS_A;
	rc = agos_copy(p, 0, src[p], dst[ep] + AGOS_CANARY_LEN, AGOS_BUF_LEN);
	/* The creator's departure ends the group: nothing flows between the others either. */
	status = role == AGOS_ROLE_CREATOR ? RTE_DMA_STATUS_DEV_LINK_ERROR :
		RTE_DMA_STATUS_SUCCESSFUL;
	TEST_ASSERT_EQUAL(rc, status, "copy between the survivors: %d", rc);
	if (role == AGOS_ROLE_CREATOR)
		TEST_ASSERT(agos_set_ok(ep, dst[ep] + AGOS_CANARY_LEN, AGOS_BUF_LEN, 0x90),
			    "stale copy wrote");
	TEST_ASSERT(agos_canaries_ok(ep, dst[ep], AGOS_BUF_LEN), "canaries");
	if (role == AGOS_ROLE_CREATOR) {
		rc = agos_handler(AGOS_A, 0, g, agos_dom[AGOS_A][0], &h[AGOS_A]);
		TEST_ASSERT_EQUAL(rc, -ENOENT, "group of the departed creator: %d", rc);
	} else {
		rc = agos_handler(AGOS_A, 0, g, agos_dom[AGOS_V][0], &h[AGOS_V]);
		TEST_ASSERT_EQUAL(rc, -ENOENT, "departed member still in the group: %d", rc);
		rc = agos_leave(AGOS_B, 0, g);
		TEST_ASSERT_SUCCESS(rc, "leave by B: %d", rc);
		rc = agos_destroy(AGOS_A, 0, g);
		TEST_ASSERT_SUCCESS(rc, "destroy: %d", rc);
	}
	if (!killed && role != AGOS_ROLE_CREATOR) {
		c.op = AGOS_EXIT;
		TEST_ASSERT(agos_call(AGOS_V, &c, &r) == 0 &&
			    ag_os_child_wait(&agos_kids[AGOS_V], false, AGOS_CMD_MS) == 0,
			    "V did not exit cleanly");
	}
	agos_kids[AGOS_V].pid = 0;
	ag_os_prefix_cleanup(agos_prefixes[AGOS_V]);
	/* Exports end when their importers release them: all first. */
	for (p = AGOS_A; p <= AGOS_B; p++) {
		rc = agos_setup(p, 0, RTE_DMA_INTER_DOMAIN_NONE, 0, 0);
		TEST_ASSERT_SUCCESS(rc, "local vchan: %d", rc);
	}
	for (p = AGOS_A; p <= AGOS_B; p++)
		TEST_ASSERT(agos_usage_same(p, &u[p]), "descriptors or mappings leaked");
	return TEST_SUCCESS;
}

/* The departures the cases try: each role, leaving (or exiting) or SIGKILLed. */
static const struct agos_departure_case {
	enum agos_role role;
	bool killed;
} agos_departures[] = {
	{ AGOS_ROLE_CREATOR, false },
	{ AGOS_ROLE_JOINER, false },
	{ AGOS_ROLE_THIRD, false },
	{ AGOS_ROLE_CREATOR, true },
	{ AGOS_ROLE_JOINER, true },
	{ AGOS_ROLE_THIRD, true },
};

static int
test_agos_departure(const void *data)
{
	const struct agos_departure_case *dc = data;

	return agos_departure(dc->role, dc->killed);
}

/* What a raw client of a member's socket got. */
struct agos_raw {
	int connected;		/* 0, or the errno of connect */
	int msgs;		/* messages received before the end */
	int fds;		/* descriptors received with them */
	int closed;		/* the server closed the connection */
	int truncated;		/* a message or its control data was cut */
	bool exported;		/* the reply was the memory: regions, then the end */
	int32_t last_status;
	struct agos_wire_msg first;
	int fds_after;		/* this process's fds after closing, minus before */
	int maps_after;		/* this process's mappings after, minus before */
};

/*
 * Connect to app p's export socket, send len bytes of req (nothing if 0), read until the
 * connection ends, or until the last message of a reply that is no refusal (the exporter keeps
 * the connection of an export open). Only system calls: it runs in a child forked by A, which
 * is no member of anything, or in a thread of A.
 */
static void
agos_raw_client(int p, const void *req, size_t len, struct agos_raw *out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, fds0 = ag_os_fd_count(), maps0 = ag_os_maps_count();
	struct pollfd pfd;

	memset(out, 0, sizeof(*out));
	fd = -1;
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/skag.%d.sock", agos_dir,
		     (int)agos_ctl->p[p].pid) >= (int)sizeof(sa.sun_path)) {
		out->connected = ENAMETOOLONG;
		goto out;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		out->connected = errno;
		goto out;
	}
	if (len > 0 && send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) {
		out->connected = errno;
		goto out;
	}
	for (;;) {
		union {
			struct cmsghdr align;
			char b[CMSG_SPACE(4 * sizeof(int))];
		} ctl;
		struct agos_wire_msg m;
		struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl.b, .msg_controllen = sizeof(ctl.b),
		};
		struct cmsghdr *cm;
		ssize_t n;

		pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, AGOS_CMD_MS / 2) != 1)
			break;
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
		if (n <= 0) {
			out->closed = n == 0;
			break;
		}
		for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
				int i, nb = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int), rfd;

				for (i = 0; i < nb; i++) {
					memcpy(&rfd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
					close(rfd);
				}
				out->fds += nb;
			}
		}
		out->truncated |= n != sizeof(m) || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC));
		if (out->msgs++ == 0)
			memcpy(&out->first, &m, RTE_MIN((size_t)n, sizeof(m)));
		if (n == sizeof(m) && m.last == 1 && m.status == 0) {
			out->last_status = m.status;
			out->exported = true;
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	out->fds_after = ag_os_fd_count() - fds0;
	out->maps_after = ag_os_maps_count() - maps0;
}

/* agos_raw_client() in a child of A, a process of the same user in no group. */
static int
agos_stranger(int p, const void *req, size_t len, struct agos_raw *out)
{
	struct agos_raw *shared;
	int status;
	pid_t pid;

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (shared == MAP_FAILED)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		munmap(shared, sizeof(*shared));
		return -1;
	}
	if (pid == 0) {
		agos_raw_client(p, req, len, shared);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		munmap(shared, sizeof(*shared));
		return -1;
	}
	*out = *shared;
	munmap(shared, sizeof(*shared));
	return 0;
}

#define AGOS_OTHER_UID	65534	/* nobody */

struct agos_other {
	int p;
	const void *req;
	size_t len;
	struct agos_raw out;
	int ret;
};

/*
 * agos_raw_client() in a thread of A whose effective user is another one: SO_PEERCRED then
 * names A's pid and that user. Raw system calls: the libc wrappers would change the user of
 * every thread. The files of the client are still reached as root (fsuid), only the peer
 * credentials differ.
 */
static uint32_t
agos_other_main(void *arg)
{
	struct agos_other *o = arg;

	if (syscall(SYS_setresuid, -1, AGOS_OTHER_UID, -1) != 0) {
		o->ret = -errno;
		return 0;
	}
	syscall(SYS_setfsuid, 0);
	agos_raw_client(o->p, o->req, o->len, &o->out);
	if (syscall(SYS_setresuid, -1, 0, -1) != 0)
		o->ret = -errno;
	return 0;
}

static int
agos_as_other_user(int p, const void *req, size_t len, struct agos_raw *out)
{
	struct agos_other o = { .p = p, .req = req, .len = len };
	rte_thread_t t;

	if (geteuid() != 0) {
		printf("asking as another user needs root\n");
		return -EPERM;
	}
	if (rte_thread_create(&t, NULL, agos_other_main, &o) != 0 || rte_thread_join(t, NULL) != 0)
		return -EIO;
	*out = o.out;
	return o.ret;
}

/* Who asks B for the memory of a group in test_agos_stranger(). */
enum agos_ask {
	AGOS_ASK_STRANGER,	/* a process of the same user in no group, for B's group */
	AGOS_ASK_OTHER_GROUP,	/* A, member of another group only, for B's group */
	AGOS_ASK_NOT_B,		/* A, for A's own group, which B is not in */
	AGOS_ASK_OTHER_USER,	/* A, now in B's group, from a thread of another user */
	AGOS_ASK_MEMBER,	/* the same as its own user: the memory */
	AGOS_NB_ASK,
};

static const char *const agos_ask_names[AGOS_NB_ASK] = {
	"stranger", "A (other group)", "A (group without B)", "A (member, as another user)",
	"A (member)",
};

/*
 * A process of the same user without the token, member of no group, asks B's socket for the
 * memory of B's group: it gets one message, the refusal (-EPERM, no region, no descriptor),
 * then the connection closes; it maps nothing. So does a member of another group (A), a member
 * of a group B is not in (A, for its own group), and a member of B's group that connects as
 * another user (a thread of A): the exporter checks both ends of the request against the
 * group, and the credentials of the peer. As its own user, that member gets the memory. B
 * still exports to the members.
 */
static int
test_agos_stranger(void)
{
	struct agos_wire_req req = { .magic = AGOS_WIRE_MAGIC };
	uint64_t c_src = 0, b_dst = 0;
	uint16_t h[AGOS_NB_PROCS];
	const int procs[] = { AGOS_B, AGOS_C };
	struct agos_raw raw;
	int16_t g = -1, ga = -1;
	int round;
	int rc;

	c_src = agos_alloc(AGOS_C, AGOS_BUF_LEN);
	b_dst = agos_alloc(AGOS_B, AGOS_DST_LEN);
	TEST_ASSERT(c_src != 0 && b_dst != 0, "rte_malloc");
	rc = agos_create(AGOS_B, 0, &g);
	TEST_ASSERT_SUCCESS(rc, "create by B: %d", rc);
	agos_case_group(g);
	rc = agos_join(AGOS_C, 0, g, AGOS_B, 0);
	TEST_ASSERT_SUCCESS(rc, "join by C: %d", rc);
	TEST_ASSERT(agos_handlers(g, procs, RTE_DIM(procs), h) == 0, "handlers");
	rc = agos_create(AGOS_A, 1, &ga);
	TEST_ASSERT_SUCCESS(rc, "create by A: %d", rc);
	agos_case_group(ga);

	for (round = 0; round < AGOS_NB_ASK; round++) {
		req.group_id = round == AGOS_ASK_NOT_B ? ga : g;
		if (round == AGOS_ASK_OTHER_USER) {
			rc = agos_join(AGOS_A, 0, g, AGOS_B, 0);
			TEST_ASSERT_SUCCESS(rc, "join by A: %d", rc);
		}
		if (round == AGOS_ASK_STRANGER) {
			TEST_ASSERT(agos_stranger(AGOS_B, &req, sizeof(req), &raw) == 0,
				    "stranger process failed");
		} else if (round == AGOS_ASK_OTHER_USER) {
			rc = agos_as_other_user(AGOS_B, &req, sizeof(req), &raw);
			TEST_ASSERT_SUCCESS(rc, "thread of A as another user: %d", rc);
		} else {
			agos_raw_client(AGOS_B, &req, sizeof(req), &raw);
		}
		printf("%s asks B for group %d: connect %d, %d message(s), %d fd(s), status %d, "
		       "count %u, closed %d\n", agos_ask_names[round], req.group_id,
		       raw.connected, raw.msgs, raw.fds, raw.first.status, raw.first.count,
		       raw.closed);
		TEST_ASSERT(raw.connected == 0, "connect: %s", strerror(raw.connected));
		if (round == AGOS_ASK_MEMBER) {
			/* The same request as the right user: the memory, as a control. */
			TEST_ASSERT(raw.exported && raw.msgs >= 2 && raw.fds == raw.msgs - 1 &&
				    !raw.truncated, "%s: got %d message(s), %d fd(s), expected the "
				    "memory", agos_ask_names[round], raw.msgs, raw.fds);
			continue;
		}
		TEST_ASSERT(raw.msgs == 1 && raw.fds == 0 && !raw.truncated && raw.closed,
			    "%s: got %d message(s), %d fd(s), expected one refusal then the end",
			    agos_ask_names[round], raw.msgs, raw.fds);
		TEST_ASSERT(raw.first.magic == AGOS_WIRE_MAGIC && raw.first.last == 1 &&
			    raw.first.status == -EPERM && raw.first.count == 0 &&
			    raw.first.va == 0 && raw.first.len == 0 && raw.first.offset == 0,
			    "the refusal says more than -EPERM");
		TEST_ASSERT(raw.fds_after == 0 && raw.maps_after == 0,
			    "the client gained %d fds and %d mappings", raw.fds_after,
			    raw.maps_after);
	}
	rc = agos_leave(AGOS_A, 0, g);
	TEST_ASSERT_SUCCESS(rc, "leave by A: %d", rc);
	TEST_ASSERT(agos_log_has(AGOS_B, "refused to pid", AGOS_EVENT_MS), "B did not log it");

	/* Members still get the memory. */
	rc = agos_setup(AGOS_C, 0, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_C], h[AGOS_B]);
	TEST_ASSERT_SUCCESS(rc, "vchan C -> B: %d", rc);
	TEST_ASSERT(agos_copy_checked(AGOS_C, AGOS_C, c_src, AGOS_B, b_dst, 0x91) == 0,
		    "copy C -> B");
	rc = agos_leave(AGOS_C, 0, g);
	TEST_ASSERT_SUCCESS(rc, "leave: %d", rc);
	rc = agos_destroy(AGOS_B, 0, g);
	TEST_ASSERT_SUCCESS(rc, "destroy: %d", rc);
	rc = agos_destroy(AGOS_A, 1, ga);
	TEST_ASSERT_SUCCESS(rc, "destroy: %d", rc);
	return TEST_SUCCESS;
}

/*
 * A fake client sends B's socket what is no request: too short, of another protocol, cut
 * after the magic, or nothing at all. Each time B logs it and closes the connection without a
 * word or a descriptor; B's groups, the table and B's exports to members are unaffected.
 */
static int
test_agos_malformed_request(void)
{
	struct agos_wire_req req = { .magic = AGOS_WIRE_MAGIC };
	uint64_t a_src = 0, b_dst = 0;
	const char *before, *after;
	const int procs[] = { AGOS_A, AGOS_B };
	uint16_t h[AGOS_NB_PROCS];
	uint32_t ev_a, ev_b;
	struct agos_raw raw;
	char garbage[sizeof(req)];
	struct {
		const char *name;
		const void *data;
		size_t len;
	} bad[] = {
		{ "3 bytes", "abc", 3 },
		{ "another protocol", garbage, sizeof(garbage) },
		{ "the magic alone", &req, sizeof(req.magic) },
		{ "nothing", NULL, 0 },
	};
	unsigned int i;
	int16_t g = -1;
	int rc;

	memset(garbage, 0xe7, sizeof(garbage));
	a_src = agos_alloc(AGOS_A, AGOS_BUF_LEN);
	b_dst = agos_alloc(AGOS_B, AGOS_DST_LEN);
	TEST_ASSERT(a_src != 0 && b_dst != 0, "rte_malloc");
	rc = agos_create(AGOS_A, 0, &g);
	TEST_ASSERT_SUCCESS(rc, "create by A: %d", rc);
	agos_case_group(g);
	rc = agos_join(AGOS_B, 0, g, AGOS_A, 0);
	TEST_ASSERT_SUCCESS(rc, "join by B: %d", rc);
	TEST_ASSERT(agos_handlers(g, procs, RTE_DIM(procs), h) == 0, "handlers");
	req.group_id = g;
	ev_a = agos_nb_events(AGOS_A);
	ev_b = agos_nb_events(AGOS_B);
	before = agos_case_snapshot(g, 0);
	TEST_ASSERT(before != NULL, "snapshot");

	for (i = 0; i < RTE_DIM(bad); i++) {
		TEST_ASSERT(agos_stranger(AGOS_B, bad[i].data, bad[i].len, &raw) == 0,
			    "fake client failed");
		printf("fake client sends %s to B: connect %d, %d message(s), %d fd(s), "
		       "closed %d\n", bad[i].name, raw.connected, raw.msgs, raw.fds, raw.closed);
		TEST_ASSERT(raw.connected == 0 && raw.msgs == 0 && raw.fds == 0 && raw.closed,
			    "%s: expected the connection closed without a reply", bad[i].name);
		TEST_ASSERT(kill(agos_kids[AGOS_B].pid, 0) == 0, "B is gone");
	}
	TEST_ASSERT(agos_log_has(AGOS_B, "malformed request", AGOS_EVENT_MS),
		    "B did not log the malformed requests");

	after = agos_case_snapshot(g, 1);
	TEST_ASSERT(after != NULL, "snapshot");
	TEST_ASSERT(strcmp(before, after) == 0, "table changed:\n%s\n---\n%s", before, after);
	TEST_ASSERT(agos_no_event(AGOS_A, ev_a) && agos_no_event(AGOS_B, ev_b), "events");
	rc = agos_setup(AGOS_A, 0, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_A], h[AGOS_B]);
	TEST_ASSERT_SUCCESS(rc, "vchan A -> B: %d", rc);
	TEST_ASSERT(agos_copy_checked(AGOS_A, AGOS_A, a_src, AGOS_B, b_dst, 0xa1) == 0,
		    "copy A -> B");
	rc = agos_leave(AGOS_B, 0, g);
	TEST_ASSERT_SUCCESS(rc, "leave: %d", rc);
	rc = agos_destroy(AGOS_A, 0, g);
	TEST_ASSERT_SUCCESS(rc, "destroy: %d", rc);
	return TEST_SUCCESS;
}

/*
 * The importer's side: B answers A's import itself, at its socket path (so SO_PEERCRED names
 * B), with a bad reply. A's vchan setup fails with -EPROTO (-EPERM for a refusal), A closes
 * the connection at once and keeps no descriptor or mapping; the vchan A had stays usable,
 * and a real import works afterwards.
 */
static int
test_agos_bad_reply(void)
{
	uint64_t a_src = 0, b_dst = 0, deadline;
	const int procs[] = { AGOS_A, AGOS_B };
	struct agos_cmd c = { .op = AGOS_FAKE_SERVER };
	uint16_t h[AGOS_NB_PROCS];
	struct agos_usage ua;
	struct agos_res r;
	uint32_t seq;
	int16_t g = -1;
	int v, ret;
	int rc;

	a_src = agos_alloc(AGOS_A, AGOS_BUF_LEN);
	b_dst = agos_alloc(AGOS_B, AGOS_DST_LEN);
	TEST_ASSERT(a_src != 0 && b_dst != 0, "rte_malloc");
	rc = agos_create(AGOS_A, 0, &g);
	TEST_ASSERT_SUCCESS(rc, "create by A: %d", rc);
	agos_case_group(g);
	rc = agos_join(AGOS_B, 0, g, AGOS_A, 0);
	TEST_ASSERT_SUCCESS(rc, "join by B: %d", rc);
	TEST_ASSERT(agos_handlers(g, procs, RTE_DIM(procs), h) == 0, "handlers");
	rc = agos_setup(AGOS_A, 0, RTE_DMA_INTER_DOMAIN_NONE, 0, 0);
	TEST_ASSERT_SUCCESS(rc, "local vchan: %d", rc);
	TEST_ASSERT(agos_usage_get(AGOS_A, &ua) == 0, "count");

	for (v = 0; v < AGOS_NB_BAD; v++) {
		c.variant = v;
		ag_store(&agos_ctl->p[AGOS_B].fake_ready, 0);
		seq = agos_post(AGOS_B, &c);
		deadline = ag_now_ns() + (uint64_t)AGOS_CMD_MS * NS_PER_S / MS_PER_S;
		while (ag_load(&agos_ctl->p[AGOS_B].fake_ready) == 0 &&
		       ag_load(&agos_ctl->p[AGOS_B].done_seq) != seq && ag_now_ns() < deadline)
			rte_delay_us_sleep(100);
		ret = agos_setup(AGOS_A, 0, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_A], h[AGOS_B]);
		TEST_ASSERT(agos_done(AGOS_B, seq, &r) == 0, "fake server");
		printf("bad reply \"%s\": vchan setup %d, A closed the connection: %s\n",
		       agos_bad_names[v], ret, r.off ? "yes" : "no");
		TEST_ASSERT(r.ret == 0, "fake server of B: %d", r.ret);
		TEST_ASSERT(ret == (v == AGOS_BAD_REFUSED || v == AGOS_BAD_IMPOSTOR ?
				    -EPERM : -EPROTO),
			    "\"%s\": vchan setup %d", agos_bad_names[v], ret);
		TEST_ASSERT(r.off == 1, "\"%s\": A kept the connection open", agos_bad_names[v]);
		TEST_ASSERT(agos_usage_same(AGOS_A, &ua), "\"%s\": A keeps descriptors or mappings",
			    agos_bad_names[v]);
		/* The previous setup, local, still works. */
		rc = agos_copy(AGOS_A, 0, a_src, a_src + 64, 64);
		TEST_ASSERT_EQUAL(rc, RTE_DMA_STATUS_SUCCESSFUL,
				  "local copy after the failed setup: %d", rc);
	}
	rc = agos_setup(AGOS_A, 0, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_A], h[AGOS_B]);
	TEST_ASSERT_SUCCESS(rc, "vchan A -> B: %d", rc);
	TEST_ASSERT(agos_copy_checked(AGOS_A, AGOS_A, a_src, AGOS_B, b_dst, 0xb1) == 0,
		    "copy A -> B");
	rc = agos_leave(AGOS_B, 0, g);
	TEST_ASSERT_SUCCESS(rc, "leave: %d", rc);
	rc = agos_destroy(AGOS_A, 0, g);
	TEST_ASSERT_SUCCESS(rc, "destroy: %d", rc);
	rc = agos_setup(AGOS_A, 0, RTE_DMA_INTER_DOMAIN_NONE, 0, 0);
	TEST_ASSERT_SUCCESS(rc, "local vchan: %d", rc);
	TEST_ASSERT(agos_usage_same(AGOS_A, &ua), "A keeps descriptors or mappings");
	return TEST_SUCCESS;
}

/*
 * One import of each app by each other, undone: what stays is no leak but what a first use
 * leaves in a process (the allocator arena of a control thread that first allocates), which
 * the counts of the cases must not see.
 */
static int
agos_warm_up(void)
{
	const int procs[] = { AGOS_A, AGOS_B, AGOS_C };
	uint16_t h[AGOS_NB_PROCS];
	int16_t g = -1;
	int p, ret = -1;

	if (agos_create(AGOS_A, 0, &g) != 0 || agos_join(AGOS_B, 0, g, AGOS_A, 0) != 0 ||
	    agos_join(AGOS_C, 0, g, AGOS_A, 0) != 0 ||
	    agos_handlers(g, procs, RTE_DIM(procs), h) != 0)
		goto out;
	if (agos_setup(AGOS_A, 0, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_B], h[AGOS_C]) != 0 ||
	    agos_setup(AGOS_B, 0, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_C], h[AGOS_A]) != 0 ||
	    agos_setup(AGOS_C, 0, RTE_DMA_INTER_OS_DOMAIN, h[AGOS_A], h[AGOS_B]) != 0)
		goto out;
	ret = 0;
out:
	for (p = AGOS_A; p <= AGOS_C; p++)
		agos_setup(p, 0, RTE_DMA_INTER_DOMAIN_NONE, 0, 0);
	agos_leave(AGOS_C, 0, g);
	agos_leave(AGOS_B, 0, g);
	agos_destroy(AGOS_A, 0, g);
	return ret;
}

/* Start B and C; every app has a local vchan on both devices. */
static int
agos_suite_setup(void)
{
	int p, d;

	for (p = AGOS_A; p < AGOS_NB_PROCS; p++)
		for (d = 0; d < AGOS_NB_DEVS; d++)
			ag_uuid_random(agos_dom[p][d]);
	if (agos_start(AGOS_B) != 0 || agos_start(AGOS_C) != 0)
		return TEST_FAILED;
	for (p = AGOS_A; p <= AGOS_C; p++) {
		for (d = 0; d < AGOS_NB_DEVS; d++) {
			if (agos_setup(p, d, RTE_DMA_INTER_DOMAIN_NONE, 0, 0) != 0) {
				printf("app %s: local vchan on device %d failed\n",
				       agos_proc_name(p), d);
				return TEST_FAILED;
			}
		}
	}
	if (agos_warm_up() != 0) {
		printf("inter-OS vchans between A, B and C failed\n");
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static void
agos_suite_teardown(void)
{
	struct agos_cmd c = { .op = AGOS_EXIT };
	struct agos_res r;
	int p;

	for (p = AGOS_B; p < AGOS_NB_PROCS; p++) {
		if (agos_kids[p].pid <= 0)
			continue;
		if (agos_ctl->p[p].pid == agos_kids[p].pid && !ag_os_child_gone(&agos_kids[p]) &&
		    agos_call(p, &c, &r) == 0)
			ag_os_child_wait(&agos_kids[p], false, AGOS_CMD_MS);
		ag_os_child_kill(&agos_kids[p]);
		ag_os_prefix_cleanup(agos_prefixes[p]);
	}
	printf("slowest reap of an application: %.1f ms\n", ag_os_reap_all());
}

/*
 * A secondary process of app A (as victim V): the vdev bus probes its devices without devargs,
 * so they take A's rendezvous from A. It joins a group of app B with A's device 0, copies into
 * B's memory and B into its own, byte for byte with canaries; it leaves, B gets MEMBER_LEFT
 * once; it exits cleanly.
 */
static int
test_agos_secondary(void)
{
	const int procs[] = { AGOS_B, AGOS_V };
	uint64_t v_src = 0, v_dst = 0, b_src = 0, b_dst = 0;
	struct agos_cmd c = { .op = AGOS_EXIT };
	uint16_t h[AGOS_NB_PROCS];
	struct agos_res r;
	int16_t g = -1;
	uint32_t ev;
	int rc;

	TEST_ASSERT(agos_start_as(AGOS_V, true) == 0, "start V as a secondary of A");
	v_src = agos_alloc(AGOS_V, AGOS_BUF_LEN);
	v_dst = agos_alloc(AGOS_V, AGOS_DST_LEN);
	b_src = agos_alloc(AGOS_B, AGOS_BUF_LEN);
	b_dst = agos_alloc(AGOS_B, AGOS_DST_LEN);
	TEST_ASSERT(v_src != 0 && v_dst != 0 && b_src != 0 && b_dst != 0, "rte_malloc");
	rc = agos_create(AGOS_B, 0, &g);
	TEST_ASSERT_SUCCESS(rc, "create by B: %d", rc);
	agos_case_group(g);
	rc = agos_join(AGOS_V, 0, g, AGOS_B, 0);
	TEST_ASSERT_SUCCESS(rc, "join by V: %d", rc);
	TEST_ASSERT(agos_handlers(g, procs, RTE_DIM(procs), h) == 0, "handlers");
	TEST_ASSERT(agos_copy_both_ways(AGOS_V, v_src, v_dst, AGOS_B, b_src, b_dst, h, 0x71,
					0x72) == 0, "copies V -> B -> V");
	ev = agos_nb_events(AGOS_B);
	rc = agos_leave(AGOS_V, 0, g);
	TEST_ASSERT_SUCCESS(rc, "leave by V: %d", rc);
	TEST_ASSERT(agos_event_once(AGOS_B, ev, 0, g, RTE_DMA_GROUP_EVENT_MEMBER_LEFT, AGOS_V, 0),
		    "MEMBER_LEFT of V at B");
	TEST_ASSERT(agos_call(AGOS_V, &c, &r) == 0 &&
		    ag_os_child_wait(&agos_kids[AGOS_V], false, AGOS_CMD_MS) == 0, "exit of V");
	agos_kids[AGOS_V].pid = 0;
	return TEST_SUCCESS;
}

static struct unit_test_suite agos_suite = {
	.suite_name = "dmadev access pair group between independent primaries",
	.setup = agos_suite_setup,
	.teardown = agos_suite_teardown,
	.unit_test_cases = {
		TEST_CASE_ST(agos_case_setup, agos_case_teardown, test_agos_two_apps),
		TEST_CASE_ST(agos_case_setup, agos_case_teardown, test_agos_errnos),
		TEST_CASE_ST(agos_case_setup, agos_case_teardown, test_agos_three_apps),
		TEST_CASE_NAMED_WITH_DATA("creator exits",
					  agos_case_setup, agos_case_teardown,
					  test_agos_departure, &agos_departures[0]),
		TEST_CASE_NAMED_WITH_DATA("joiner leaves",
					  agos_case_setup, agos_case_teardown,
					  test_agos_departure, &agos_departures[1]),
		TEST_CASE_NAMED_WITH_DATA("third member leaves",
					  agos_case_setup, agos_case_teardown,
					  test_agos_departure, &agos_departures[2]),
		TEST_CASE_NAMED_WITH_DATA("creator killed",
					  agos_case_setup, agos_case_teardown,
					  test_agos_departure, &agos_departures[3]),
		TEST_CASE_NAMED_WITH_DATA("joiner killed",
					  agos_case_setup, agos_case_teardown,
					  test_agos_departure, &agos_departures[4]),
		TEST_CASE_NAMED_WITH_DATA("third member killed",
					  agos_case_setup, agos_case_teardown,
					  test_agos_departure, &agos_departures[5]),
		TEST_CASE_ST(agos_case_setup, agos_case_teardown, test_agos_stranger),
		TEST_CASE_ST(agos_case_setup, agos_case_teardown, test_agos_malformed_request),
		TEST_CASE_ST(agos_case_setup, agos_case_teardown, test_agos_bad_reply),
		TEST_CASE_ST(agos_case_setup, agos_case_teardown, test_agos_secondary),
		TEST_CASES_END()
	}
};

static int
test_dmadev_access_group_os(void)
{
	const char *role = getenv(AGOS_ROLE_ENV);
	struct rte_dma_info info;
	char name[32];
	int d, ret;

	for (d = 0; d < AGOS_NB_DEVS; d++) {
		snprintf(name, sizeof(name), "dma_skag%d", d);
		agos_devs[d] = rte_dma_get_dev_id_by_name(name);
		if (agos_devs[d] < 0 || rte_dma_info_get(agos_devs[d], &info) != 0 ||
		    !(info.dev_capa & RTE_DMA_CAPA_INTER_OS_DOMAIN)) {
			printf("skipped: needs --vdev=dma_skag0,rendezvous=<dir>,max_members=%d "
			       "and the same for dma_skag1: %s missing or without inter-OS "
			       "domains\n",
			       AGOS_MAX_MEMBERS, name);
			return TEST_SKIPPED;
		}
	}
	/*
	 * A thread allocating for the first time would map an arena of its own, which the
	 * counts of mappings would see: threads share the main one.
	 */
	mallopt(M_ARENA_MAX, 1);
	ret = ag_os_rendezvous(agos_dir, sizeof(agos_dir));
	/* A secondary has no --vdev: its devices use its primary's rendezvous. */
	if (ret != 0 && rte_eal_process_type() == RTE_PROC_PRIMARY) {
		printf("no rendezvous directory in the devargs: %d\n", ret);
		return TEST_FAILED;
	}
	if (role != NULL) {
		const char *ctl = getenv(AGOS_CTL_ENV);
		int slot;

		if (ctl == NULL || strncmp(role, AGOS_ROLE_WORKER, strlen(AGOS_ROLE_WORKER)) != 0)
			return TEST_FAILED;
		slot = atoi(role + strlen(AGOS_ROLE_WORKER));
		strlcpy(agos_ctl_path, ctl, sizeof(agos_ctl_path));
		agos_ctl = ag_os_shm_map(agos_ctl_path, sizeof(*agos_ctl), false);
		if (agos_ctl == NULL || slot <= AGOS_A || slot >= AGOS_NB_PROCS) {
			printf("worker: cannot map %s\n", agos_ctl_path);
			return TEST_FAILED;
		}
		return agos_worker(slot);
	}
	if (!rte_eal_has_hugepages()) {
		printf("independent primaries need hugepages\n");
		return TEST_FAILED;
	}
	if (snprintf(agos_ctl_path, sizeof(agos_ctl_path), "%s/%s.ctl", agos_dir,
		     ag_os_prefix()) >= (int)sizeof(agos_ctl_path)) {
		printf("file prefix %s too long\n", ag_os_prefix());
		return TEST_FAILED;
	}
	agos_ctl = ag_os_shm_map(agos_ctl_path, sizeof(*agos_ctl), true);
	if (agos_ctl == NULL) {
		printf("cannot map %s\n", agos_ctl_path);
		return TEST_FAILED;
	}
	agos_self = AGOS_A;
	agos_ctl->p[AGOS_A].pid = getpid();
	strlcpy(agos_prefixes[AGOS_A], ag_os_prefix(), sizeof(agos_prefixes[AGOS_A]));
	ret = unit_test_suite_runner(&agos_suite);
	munmap(agos_ctl, sizeof(*agos_ctl));
	unlink(agos_ctl_path);
	return ret;
}

#endif /* !RTE_EXEC_ENV_WINDOWS */

REGISTER_DRIVER_TEST(dmadev_access_group_os_autotest, test_dmadev_access_group_os);
