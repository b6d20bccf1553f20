/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK inter-domain DMA authors
 */

/*
 * The demo: a creator (primary process, dma_skag0) and a joiner
 * (secondary process, dma_skag1) agree on an access pair group over
 * DPDK multi-process IPC, then move data creator -> joiner -> creator with
 * inter-domain virtual channels, each process using its own device.
 *
 * IPC: the joiner's requests (HELLO, JOINED) are synchronous; the creator's
 * (PUSHED, BYE) are asynchronous so that a peer dying while it works is seen
 * at once through the group events rather than after an IPC timeout. Every
 * message, request or reply, lands in a mailbox the main thread waits on
 * together with the group events and the quit flag.
 *
 * With --rendezvous DIR the two processes are independent primaries (other
 * OS instances for the driver) that DPDK IPC does not connect: the same
 * messages go over a UNIX socket in DIR, which the creator listens on and the
 * joiner connects to; a reader thread puts what arrives in the mailbox, and
 * the vchans are inter-OS.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <uuid/uuid.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_string_fns.h>
#include <rte_thread.h>
#include <rte_uuid.h>

#include "dma_ag.h"

#define DAG_MP_ACTION		"dma_access_group_demo"
#define DAG_OS_SOCK		"dma_access_group.sock"
#define DAG_HELLO_PERIOD_MS	1000
#define DAG_MBOX_SIZE		16
#define DAG_SEQ_ANY		UINT32_MAX
#define DAG_M(type)		(1u << (type))

enum dag_msg_type {
	DAG_MSG_HELLO = 1,	/* joiner -> creator request: here is my domain */
	DAG_MSG_WELCOME,	/* reply: group id, token, creator domain and buffer */
	DAG_MSG_JOINED,		/* joiner -> creator request: joined, here is my buffer */
	DAG_MSG_JOIN_ACK,	/* reply: creator's channel is ready */
	DAG_MSG_PUSHED,		/* creator -> joiner request: data is in your buffer */
	DAG_MSG_RETURNED,	/* reply: verified and copied back */
	DAG_MSG_BYE,		/* creator -> joiner request: leave the group */
	DAG_MSG_BYE_ACK,	/* reply: left */
	DAG_MSG_ABORT,		/* either way, no reply: stopping now */
	DAG_MSG_NO_REPLY,	/* local only: an asynchronous request got no reply */
};

static const char *const dag_msg_names[] = {
	[DAG_MSG_HELLO] = "HELLO", [DAG_MSG_WELCOME] = "WELCOME",
	[DAG_MSG_JOINED] = "JOINED", [DAG_MSG_JOIN_ACK] = "JOIN_ACK",
	[DAG_MSG_PUSHED] = "PUSHED", [DAG_MSG_RETURNED] = "RETURNED",
	[DAG_MSG_BYE] = "BYE", [DAG_MSG_BYE_ACK] = "BYE_ACK",
	[DAG_MSG_ABORT] = "ABORT", [DAG_MSG_NO_REPLY] = "NO_REPLY",
};

/* IPC payload; fits RTE_MP_MAX_PARAM_LEN. */
struct dag_msg {
	uint32_t type;
	uint32_t seq;
	int32_t status;		/* 0 or -errno of the sender's step */
	int16_t group_id;
	uint16_t reserved;
	int32_t pid;		/* the sender's process */
	rte_uuid_t domain;	/* the sender's domain */
	rte_uuid_t token;	/* WELCOME only */
	uint64_t iova;		/* WELCOME: creator's return buffer; JOINED: joiner's buffer */
	uint64_t len;
	uint64_t seed;		/* PUSHED: pattern of the data */
	uint64_t ns;		/* RETURNED: time of the copy back */
	uint64_t failed;	/* RETURNED: failed DMA operations */
};

struct dag_mbox_entry {
	struct dag_msg msg;
	char peer[PATH_MAX];	/* requests: where the reply goes */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct dag_mbox_entry q[DAG_MBOX_SIZE];
	unsigned int head, tail;
	unsigned int dropped;
	/* group events seen by the callback */
	unsigned int member_left;
	unsigned int group_destroyed;
	bool peer_gone;
} dag_mb = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct dag_mbox_entry dag_entry;	/* last message taken, main thread only */

static const char *
dag_msg_name(uint32_t type)
{
	if (type < RTE_DIM(dag_msg_names) && dag_msg_names[type] != NULL)
		return dag_msg_names[type];
	return "?";
}

static void
dag_mbox_push(const struct dag_msg *msg, const char *peer)
{
	struct dag_mbox_entry *e;

	pthread_mutex_lock(&dag_mb.lock);
	if (dag_mb.tail - dag_mb.head == DAG_MBOX_SIZE) {
		dag_mb.dropped++;
	} else {
		e = &dag_mb.q[dag_mb.tail++ % DAG_MBOX_SIZE];
		e->msg = *msg;
		if (peer != NULL)
			strlcpy(e->peer, peer, sizeof(e->peer));
		else
			e->peer[0] = '\0';
		pthread_cond_signal(&dag_mb.cond);
	}
	pthread_mutex_unlock(&dag_mb.lock);
}

/* Runs on the EAL multi-process thread. */
static int
dag_mp_action(const struct rte_mp_msg *mp, const void *peer)
{
	struct dag_msg msg;

	if (mp->len_param != sizeof(msg)) {
		DAG_ERR("IPC message of %d bytes ignored (peer runs another version?)",
			mp->len_param);
		return -EINVAL;
	}
	memcpy(&msg, mp->param, sizeof(msg));
	dag_mbox_push(&msg, peer);
	return 0;
}

/* Runs on the EAL interrupt thread when a reply came or the request timed out. */
static int
dag_mp_async_reply(const struct rte_mp_msg *request, const struct rte_mp_reply *reply)
{
	struct dag_msg msg;
	int i;

	for (i = 0; i < reply->nb_received; i++) {
		if (reply->msgs[i].len_param != sizeof(msg))
			continue;
		memcpy(&msg, reply->msgs[i].param, sizeof(msg));
		dag_mbox_push(&msg, NULL);
		return 0;
	}
	memcpy(&msg, request->param, sizeof(msg));
	msg.status = -ETIMEDOUT;
	msg.type = DAG_MSG_NO_REPLY;
	dag_mbox_push(&msg, NULL);
	return 0;
}

/*
 * Independent primaries: the connection between creator and joiner, and the
 * thread that reads it into the mailbox. The socket is in the rendezvous
 * directory, which only processes trusted with the group table reach.
 */
static struct {
	int listen_fd;
	int fd;
	rte_thread_t reader;
	bool reader_started;
	volatile bool stop;
} dag_os = { .listen_fd = -1, .fd = -1 };

static bool
dag_os_mode(void)
{
	return dag_opts.rendezvous != NULL;
}

static int
dag_os_path(struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if ((size_t)snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", dag_opts.rendezvous,
			     DAG_OS_SOCK) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	return 0;
}

/* Reader thread: messages of the peer into the mailbox, until the connection ends. */
static uint32_t
dag_os_reader(void *arg)
{
	struct pollfd pfd = { .events = POLLIN };
	struct dag_msg msg;
	ssize_t n;

	RTE_SET_USED(arg);
	/* The creator accepts its joiner first (the socket is the user's alone, mode 0600). */
	while (dag_os.fd < 0 && !dag_os.stop) {
		pfd.fd = dag_os.listen_fd;
		if (poll(&pfd, 1, 50) == 1)
			dag_os.fd = accept(dag_os.listen_fd, NULL, NULL);
	}
	while (!dag_os.stop) {
		pfd.fd = dag_os.fd;
		if (poll(&pfd, 1, 50) != 1)
			continue;
		n = recv(dag_os.fd, &msg, sizeof(msg), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (n != sizeof(msg)) {
			DAG_ERR("message of %zd bytes ignored (peer runs another version?)", n);
			continue;
		}
		dag_mbox_push(&msg, NULL);
		explicit_bzero(&msg, sizeof(msg));
	}
	return 0;
}

/* Creator: listen in the rendezvous directory. Joiner: connect when it first speaks. */
/* The thread that reads the peer's messages, once the socket is there. */
static int
dag_os_reader_start(void)
{
	int ret = rte_thread_create(&dag_os.reader, NULL, dag_os_reader, NULL);

	if (ret != 0)
		return -ret;
	dag_os.reader_started = true;
	return 0;
}

static int
dag_os_init(void)
{
	struct sockaddr_un sa;
	int ret;

	ret = dag_os_path(&sa);
	if (ret != 0 || dag_opts.role != DAG_ROLE_CREATOR)
		return ret;
	dag_os.listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (dag_os.listen_fd < 0)
		return -errno;
	/* A socket left by a creator that died: nobody listens on it any more. */
	unlink(sa.sun_path);
	if (bind(dag_os.listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    chmod(sa.sun_path, 0600) != 0 || listen(dag_os.listen_fd, 1) != 0) {
		ret = -errno;
		DAG_ERR("cannot listen on %s: %s", sa.sun_path, strerror(-ret));
		close(dag_os.listen_fd);
		dag_os.listen_fd = -1;
		return ret;
	}
	return dag_os_reader_start();
}

static int
dag_os_connect(void)
{
	struct sockaddr_un sa;
	int fd, ret;

	if (dag_os.fd >= 0)
		return 0;
	ret = dag_os_path(&sa);
	if (ret != 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	dag_os.fd = fd;
	return dag_os_reader_start();
}

static int
dag_os_send(const struct dag_msg *msg)
{
	if (dag_os.fd < 0)
		return -ENOTCONN;
	return send(dag_os.fd, msg, sizeof(*msg), MSG_NOSIGNAL) == sizeof(*msg) ? 0 : -errno;
}

static void
dag_os_fini(void)
{
	struct sockaddr_un sa;

	dag_os.stop = true;
	if (dag_os.reader_started)
		rte_thread_join(dag_os.reader, NULL);
	if (dag_os.fd >= 0)
		close(dag_os.fd);
	if (dag_os.listen_fd >= 0) {
		close(dag_os.listen_fd);
		if (dag_os_path(&sa) == 0)
			unlink(sa.sun_path);
	}
}

static void
dag_event_cb(int16_t dev_id, int16_t group_id, rte_uuid_t domain_id,
	     enum rte_dma_access_pair_group_event_type event)
{
	DAG_MSG("event %s: group %d, domain %s (device %d)", dag_event_name(event), group_id,
		dag_uuid_str(domain_id).s, dev_id);
	pthread_mutex_lock(&dag_mb.lock);
	if (event == RTE_DMA_GROUP_EVENT_MEMBER_LEFT)
		dag_mb.member_left++;
	else
		dag_mb.group_destroyed++;
	/* Two members only: any event means the peer is gone. */
	dag_mb.peer_gone = true;
	pthread_cond_signal(&dag_mb.cond);
	pthread_mutex_unlock(&dag_mb.lock);
}

static enum rte_dma_inter_domain_type
dag_domain_type(void)
{
	return dag_os_mode() ? RTE_DMA_INTER_OS_DOMAIN : RTE_DMA_INTER_PROCESS_DOMAIN;
}

static const char *
dag_domain_name(void)
{
	return dag_os_mode() ? "inter-OS" : "inter-process";
}

static int
dag_mbox_init(void)
{
	pthread_condattr_t attr;
	int ret;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	ret = pthread_cond_init(&dag_mb.cond, &attr);
	pthread_condattr_destroy(&attr);
	if (ret != 0)
		return -ret;
	if (dag_os_mode())
		return dag_os_init();
	if (rte_mp_action_register(DAG_MP_ACTION, dag_mp_action) != 0) {
		DAG_ERR("cannot register IPC action: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

static void
dag_mbox_fini(void)
{
	if (dag_os_mode())
		dag_os_fini();
	else
		rte_mp_action_unregister(DAG_MP_ACTION);
}

/*
 * Wait for a message of one of the types in mask (and sequence number) for up
 * to timeout_ms. Returns 0 with the message in dag_entry, -ETIMEDOUT,
 * -EINTR (Ctrl-C), -ECONNABORTED (peer sent ABORT), -ECONNRESET (the peer left
 * the group or the group went away; ignored if gone_ok).
 */
static int
dag_wait_msg(uint32_t mask, uint32_t seq, bool gone_ok, unsigned int timeout_ms)
{
	uint64_t deadline = dag_now_ns() + timeout_ms * 1000000ULL;
	struct dag_msg *m = &dag_entry.msg;
	struct timespec ts;
	uint64_t now, t;
	int ret;

	pthread_mutex_lock(&dag_mb.lock);
	for (;;) {
		while (dag_mb.head != dag_mb.tail) {
			dag_entry = dag_mb.q[dag_mb.head++ % DAG_MBOX_SIZE];
			if (m->type < 32 && (mask & DAG_M(m->type)) &&
			    (seq == DAG_SEQ_ANY || m->seq == seq)) {
				ret = 0;
				goto out;
			}
			if (m->type == DAG_MSG_ABORT) {
				DAG_MSG("peer sent ABORT (status %d)", m->status);
				ret = -ECONNABORTED;
				goto out;
			}
			if (m->type == DAG_MSG_NO_REPLY && m->seq == seq) {
				DAG_ERR("peer did not answer in time");
				ret = -ETIMEDOUT;
				goto out;
			}
			DAG_MSG("ignoring unexpected %s message", dag_msg_name(m->type));
		}
		if (dag_quit) {
			ret = -EINTR;
			goto out;
		}
		if (dag_mb.peer_gone && !gone_ok) {
			ret = -ECONNRESET;
			goto out;
		}
		now = dag_now_ns();
		if (now >= deadline) {
			ret = -ETIMEDOUT;
			goto out;
		}
		/* Short slices: a signal does not wake a condition variable. */
		t = RTE_MIN(deadline, now + 50 * 1000000ULL);
		ts.tv_sec = t / 1000000000ULL;
		ts.tv_nsec = t % 1000000000ULL;
		pthread_cond_timedwait(&dag_mb.cond, &dag_mb.lock, &ts);
	}
out:
	pthread_mutex_unlock(&dag_mb.lock);
	return ret;
}

/* Wait until the peer is reported gone by a group event. */
static int
dag_wait_gone(unsigned int timeout_ms)
{
	uint64_t deadline = dag_now_ns() + timeout_ms * 1000000ULL;
	bool gone;

	for (;;) {
		pthread_mutex_lock(&dag_mb.lock);
		gone = dag_mb.peer_gone;
		pthread_mutex_unlock(&dag_mb.lock);
		if (gone)
			return 0;
		if (dag_quit)
			return -EINTR;
		if (dag_now_ns() >= deadline)
			return -ETIMEDOUT;
		rte_delay_us_sleep(1000);
	}
}

/* Has a process exited? A zombie counts as exited: its parent is the launcher. */
static bool
dag_proc_gone(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return true;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (p == NULL)
		return true;
	p = strrchr(buf, ')');
	return p == NULL || p[1] == '\0' || p[2] == 'Z' || p[2] == 'X';
}

/*
 * A primary must outlive its secondaries: one exiting while a secondary still
 * tears down its memory (which talks to the primary) can leave the secondary
 * stuck in rte_eal_cleanup(). So the creator waits for the joiner to exit.
 */
static void
dag_wait_proc_exit(pid_t pid, unsigned int timeout_ms)
{
	uint64_t deadline = dag_now_ns() + timeout_ms * 1000000ULL;

	if (pid <= 0 || dag_proc_gone(pid))
		return;
	DAG_MSG("waiting for the joiner process %d to exit", (int)pid);
	while (!dag_proc_gone(pid)) {
		if (dag_now_ns() >= deadline) {
			DAG_ERR("joiner process %d still running after %u s, exiting anyway",
				(int)pid, timeout_ms / 1000);
			return;
		}
		rte_delay_us_sleep(10000);
	}
}

static void
dag_mp_prepare(struct rte_mp_msg *mp, const struct dag_msg *msg)
{
	memset(mp, 0, sizeof(*mp));
	strlcpy(mp->name, DAG_MP_ACTION, sizeof(mp->name));
	mp->len_param = sizeof(*msg);
	memcpy(mp->param, msg, sizeof(*msg));
}

/* Synchronous request (joiner -> creator); the reply is returned in *reply. */
static int
dag_request_sync(const struct dag_msg *msg, struct dag_msg *reply, unsigned int timeout_ms)
{
	struct timespec ts = {
		.tv_sec = timeout_ms / 1000, .tv_nsec = (timeout_ms % 1000) * 1000000L,
	};
	struct rte_mp_reply mp_reply = { 0 };
	struct rte_mp_msg mp;
	int ret = -ETIMEDOUT;

	if (dag_os_mode()) {
		/* The creator may not listen yet: the caller tries again. */
		ret = dag_os_connect();
		if (ret == 0)
			ret = dag_os_send(msg);
		/* The reply is the next type, through the mailbox. */
		if (ret == 0)
			ret = dag_wait_msg(DAG_M(msg->type + 1), DAG_SEQ_ANY, false, timeout_ms);
		if (ret == 0)
			*reply = dag_entry.msg;
		return ret;
	}
	dag_mp_prepare(&mp, msg);
	if (rte_mp_request_sync(&mp, &mp_reply, &ts) != 0)
		ret = rte_errno == 0 ? -ETIMEDOUT : -rte_errno;
	else if (mp_reply.nb_received >= 1 && mp_reply.msgs[0].len_param == sizeof(*reply)) {
		memcpy(reply, mp_reply.msgs[0].param, sizeof(*reply));
		ret = 0;
	}
	free(mp_reply.msgs);
	/* The request may carry the token: do not leave it on the stack. */
	explicit_bzero(&mp, sizeof(mp));
	return ret;
}

/* Asynchronous request (creator -> joiner); the reply comes through the mailbox. */
static int
dag_request_async(const struct dag_msg *msg, unsigned int timeout_ms)
{
	struct timespec ts = {
		.tv_sec = timeout_ms / 1000, .tv_nsec = (timeout_ms % 1000) * 1000000L,
	};
	struct rte_mp_msg mp;

	/* Independent primaries: the reply comes through the mailbox, or the wait times out. */
	if (dag_os_mode())
		return dag_os_send(msg);
	dag_mp_prepare(&mp, msg);
	if (rte_mp_request_async(&mp, &ts, dag_mp_async_reply) != 0)
		return -rte_errno;
	return 0;
}

/* Reply to the request in dag_entry. */
static int
dag_reply(const struct dag_msg *msg)
{
	struct rte_mp_msg mp;
	int ret = 0;

	if (dag_os_mode())
		return dag_os_send(msg);
	dag_mp_prepare(&mp, msg);
	if (rte_mp_reply(&mp, dag_entry.peer) != 0)
		ret = -rte_errno;
	explicit_bzero(&mp, sizeof(mp));
	return ret;
}

/* Tell the peer we stop; best effort, it also learns it from the group events. */
static void
dag_send_abort(int status)
{
	struct dag_msg msg = { .type = DAG_MSG_ABORT, .status = status, .pid = getpid() };
	struct rte_mp_msg mp;

	if (dag_os_mode()) {
		dag_os_send(&msg);
		return;
	}
	dag_mp_prepare(&mp, &msg);
	rte_mp_sendmsg(&mp);
}

static const char *
dag_why(int err)
{
	switch (err) {
	case -EINTR:
		return "interrupted (Ctrl-C / SIGTERM)";
	case -ETIMEDOUT:
		return "timed out waiting for the peer";
	case -ECONNABORTED:
		return "the peer aborted";
	case -ECONNRESET:
		return "the peer is gone (left the group or died)";
	case -ESRCH:
		return "the creator's process is gone";
	default:
		return strerror(-err);
	}
}

static double
dag_gbps(uint64_t bytes, uint64_t ns)
{
	return ns == 0 ? 0 : (double)bytes / (double)ns;
}

static double
dag_mib(uint64_t bytes)
{
	return (double)bytes / (1 << 20);
}

static void
dag_print_events(void)
{
	pthread_mutex_lock(&dag_mb.lock);
	DAG_MSG("events received: MEMBER_LEFT x%u, GROUP_DESTROYED x%u%s", dag_mb.member_left,
		dag_mb.group_destroyed, dag_mb.dropped != 0 ? " (IPC messages dropped!)" : "");
	pthread_mutex_unlock(&dag_mb.lock);
}

/* First differing offset of two buffers, or len. */
static uint64_t
dag_first_diff(const uint8_t *a, const uint8_t *b, uint64_t len)
{
	uint64_t i;

	if (memcmp(a, b, len) == 0)
		return len;
	for (i = 0; i < len && a[i] == b[i]; i++)
		;
	return i;
}

/* What the creator knows and holds, passed from step to step. */
struct dag_creator {
	const char *dev_name;
	int16_t dev_id;
	int16_t group_id;
	rte_uuid_t domain;
	rte_uuid_t peer_domain;
	rte_uuid_t token;
	uint64_t size;
	uint8_t *tx;
	uint8_t *rx;
	rte_iova_t tx_iova;
	rte_iova_t rx_iova;
	rte_iova_t peer_iova;
	pid_t peer_pid;
	uint64_t push_ns;
	uint64_t back_ns;
	uint64_t moved;
	uint64_t errors;
	bool group;
	bool joined;
	bool started;
	bool verified;
};

/* Steps 1-2: buffers, domain, token and the group. */
static int
dag_creator_open(struct dag_creator *c)
{
	int ret;

	c->tx = rte_malloc("dag_tx", c->size, RTE_CACHE_LINE_SIZE);
	c->rx = rte_malloc("dag_rx", c->size, RTE_CACHE_LINE_SIZE);
	if (c->tx == NULL || c->rx == NULL) {
		DAG_ERR("cannot allocate 2 x %" PRIu64 " bytes of hugepage memory", c->size);
		return -ENOMEM;
	}
	c->tx_iova = rte_malloc_virt2iova(c->tx);
	c->rx_iova = rte_malloc_virt2iova(c->rx);

	uuid_generate_random(c->domain);
	uuid_generate_random(c->token);
	DAG_MSG("step 1: my domain is %s, token generated (secret, not shown)",
		dag_uuid_str(c->domain).s);
	ret = rte_dma_access_pair_group_create(c->dev_id, c->domain, c->token, &c->group_id,
					       dag_event_cb);
	if (ret != 0) {
		DAG_ERR("cannot create the access pair group: %s", strerror(-ret));
		return ret;
	}
	c->group = true;
	DAG_MSG("step 2: created access pair group %d on %s", c->group_id, c->dev_name);
	return 0;
}

/* Answer the HELLO in dag_entry with the group id and token. */
static int
dag_creator_welcome_send(struct dag_creator *c)
{
	struct dag_msg msg;
	int ret;

	memset(&msg, 0, sizeof(msg));
	msg.type = DAG_MSG_WELCOME;
	msg.group_id = c->group_id;
	rte_uuid_copy(msg.domain, c->domain);
	rte_uuid_copy(msg.token, c->token);
	msg.iova = c->rx_iova;
	msg.len = c->size;
	ret = dag_reply(&msg);
	explicit_bzero(&msg, sizeof(msg));
	if (ret != 0)
		DAG_ERR("cannot answer the joiner: %s", strerror(-ret));
	return ret;
}

/* Steps 3-5: a joiner says HELLO, gets the group id and token, and joins. */
static int
dag_creator_welcome(struct dag_creator *c)
{
	uint64_t deadline, now;
	int ret;

	DAG_MSG("step 3: waiting up to %u s for a joiner (%s)", dag_opts.timeout_ms / 1000,
		dag_os_mode() ? "another application, at the rendezvous" :
		"same binary, --proc-type=secondary");
	ret = dag_wait_msg(DAG_M(DAG_MSG_HELLO), DAG_SEQ_ANY, false, dag_opts.timeout_ms);
	if (ret != 0) {
		/* A joiner that failed first: wait for its exit before freeing memory. */
		if (ret == -ECONNABORTED)
			c->peer_pid = dag_entry.msg.pid;
		DAG_ERR("no joiner: %s", dag_why(ret));
		return ret;
	}
	rte_uuid_copy(c->peer_domain, dag_entry.msg.domain);
	c->peer_pid = dag_entry.msg.pid;
	DAG_MSG("step 4: joiner (pid %d) with domain %s said HELLO, sending group id and token",
		(int)c->peer_pid, dag_uuid_str(c->peer_domain).s);
	ret = dag_creator_welcome_send(c);
	if (ret != 0)
		return ret;

	/*
	 * A HELLO again from the joiner: our answer came after its request had timed out (a
	 * loaded machine), answer again. Anything else of it is ignored.
	 */
	deadline = dag_now_ns() + dag_opts.timeout_ms * 1000000ULL;
	for (;;) {
		now = dag_now_ns();
		ret = now >= deadline ? -ETIMEDOUT :
			dag_wait_msg(DAG_M(DAG_MSG_JOINED) | DAG_M(DAG_MSG_HELLO), DAG_SEQ_ANY,
				     false, (deadline - now) / 1000000ULL);
		if (ret != 0 || dag_entry.msg.type == DAG_MSG_JOINED)
			break;
		if (rte_uuid_compare(dag_entry.msg.domain, c->peer_domain) != 0) {
			DAG_MSG("ignoring HELLO of another joiner (pid %d)",
				(int)dag_entry.msg.pid);
			continue;
		}
		DAG_MSG("joiner said HELLO again (our answer came too late), answering again");
		ret = dag_creator_welcome_send(c);
		if (ret != 0)
			return ret;
	}
	if (ret == 0 && dag_entry.msg.status != 0)
		ret = dag_entry.msg.status;
	if (ret != 0) {
		DAG_ERR("joiner did not join: %s", dag_why(ret));
		return ret;
	}
	c->joined = true;
	c->peer_iova = dag_entry.msg.iova;
	DAG_MSG("step 5: joiner joined; its %.1f MiB buffer is at 0x%" PRIx64, dag_mib(c->size),
		c->peer_iova);
	return 0;
}

/* Steps 6-7: handlers and the inter-process vchan; the joiner learns how it went. */
static int
dag_creator_channel(struct dag_creator *c)
{
	struct rte_dma_inter_domain_param dom_param = { .type = dag_domain_type() };
	uint16_t h_self, h_peer;
	struct dag_msg msg;
	int ret;

	ret = rte_dma_access_pair_group_handler_get(c->dev_id, c->group_id, c->domain, &h_self);
	if (ret == 0)
		ret = rte_dma_access_pair_group_handler_get(c->dev_id, c->group_id,
							    c->peer_domain, &h_peer);
	if (ret != 0) {
		DAG_ERR("cannot get the handlers: %s", strerror(-ret));
	} else {
		DAG_MSG("step 6: handlers: mine %u, joiner's %u", h_self, h_peer);
		dom_param.src_handler = h_self;
		dom_param.dst_handler = h_peer;
		ret = dag_dev_setup(c->dev_id, &dom_param, 1, dag_opts.nb_desc);
		if (ret == 0) {
			c->started = true;
			DAG_MSG("step 7: %s vchan 0 set up %s, handler %u -> %u",
				c->dev_name, dag_domain_name(), h_self, h_peer);
		}
	}
	memset(&msg, 0, sizeof(msg));
	msg.type = DAG_MSG_JOIN_ACK;
	msg.status = ret;
	rte_uuid_copy(msg.domain, c->domain);
	if (dag_reply(&msg) != 0 && ret == 0)
		ret = -ECOMM;
	return ret;
}

/* One round trip: to the joiner, which verifies and copies back, then checked here. */
static int
dag_creator_round_trip(struct dag_creator *c, uint32_t i)
{
	enum rte_dma_status_code st;
	uint64_t failed, off, t0, seed, it_ns;
	struct dag_msg msg;
	int ret;

	seed = rte_rand();
	dag_pattern_fill(c->tx, c->size, seed);
	memset(c->rx, 0, c->size);

	t0 = dag_now_ns();
	ret = dag_dma_copy(c->dev_id, 0, c->tx_iova, c->peer_iova, c->size, dag_opts.chunk,
			   &failed, &st);
	it_ns = dag_now_ns() - t0;
	c->push_ns += it_ns;
	c->errors += failed;
	if (ret != 0) {
		DAG_ERR("iteration %u: copy to the joiner failed: %s, %" PRIu64
			" ops failed (first: %s)", i + 1, dag_why(ret), failed,
			dag_status_name(st));
		return ret;
	}

	memset(&msg, 0, sizeof(msg));
	msg.type = DAG_MSG_PUSHED;
	msg.seq = i;
	msg.seed = seed;
	msg.len = c->size;
	ret = dag_request_async(&msg, dag_opts.timeout_ms);
	if (ret == 0)
		ret = dag_wait_msg(DAG_M(DAG_MSG_RETURNED), i, false, dag_opts.timeout_ms + 1000);
	if (ret != 0) {
		DAG_ERR("iteration %u: no answer from the joiner: %s", i + 1, dag_why(ret));
		return ret;
	}
	c->back_ns += dag_entry.msg.ns;
	c->errors += dag_entry.msg.failed;
	if (dag_entry.msg.status != 0) {
		c->errors += dag_entry.msg.failed == 0;
		ret = dag_entry.msg.status;
		DAG_ERR("iteration %u: joiner reports failure: %s", i + 1, strerror(-ret));
		return ret;
	}
	off = dag_first_diff(c->tx, c->rx, c->size);
	if (off != c->size) {
		c->errors++;
		DAG_ERR("iteration %u: data came back corrupted at offset %" PRIu64
			" (0x%02x instead of 0x%02x)", i + 1, off, c->rx[off], c->tx[off]);
		return -EIO;
	}
	c->moved += 2 * c->size;
	DAG_MSG("iteration %u/%u: %.1f MiB to joiner %.2f GB/s, joiner verified, back %.2f GB/s,"
		" round trip verified byte for byte", i + 1, dag_opts.iterations,
		dag_mib(c->size), dag_gbps(c->size, it_ns), dag_gbps(c->size, dag_entry.msg.ns));
	return 0;
}

/* Steps 8-9: the joiner leaves when asked, seen through MEMBER_LEFT. */
static int
dag_creator_bye(struct dag_creator *c)
{
	struct dag_msg msg;
	int ret;

	DAG_MSG("step 8: asking the joiner to leave");
	memset(&msg, 0, sizeof(msg));
	msg.type = DAG_MSG_BYE;
	msg.seq = dag_opts.iterations;
	ret = dag_request_async(&msg, dag_opts.timeout_ms);
	if (ret == 0)
		ret = dag_wait_msg(DAG_M(DAG_MSG_BYE_ACK), dag_opts.iterations, true,
				   dag_opts.timeout_ms + 1000);
	if (ret == 0)
		ret = dag_entry.msg.status;
	if (ret == 0)
		ret = dag_wait_gone(dag_opts.timeout_ms);
	if (ret != 0) {
		DAG_ERR("joiner did not leave cleanly: %s", dag_why(ret));
		return ret;
	}
	c->joined = false;
	DAG_MSG("step 9: joiner left (MEMBER_LEFT received)");
	return 0;
}

/* Step 10 and the summary, whatever step stopped with ret. */
static int
dag_creator_close(struct dag_creator *c, int ret)
{
	if (ret != 0 && c->joined && !dag_mb.peer_gone)
		dag_send_abort(ret);
	dag_wait_proc_exit(c->peer_pid, dag_opts.timeout_ms);
	if (c->started)
		rte_dma_stop(c->dev_id);
	if (c->group) {
		int r = rte_dma_access_pair_group_destroy(c->dev_id, c->group_id);
		uint64_t until = dag_now_ns() + 2000000000ULL;

		/* After an abort the joiner leaves on its own: give it a moment. */
		while (r == -EBUSY && dag_now_ns() < until) {
			rte_delay_us_sleep(10000);
			r = rte_dma_access_pair_group_destroy(c->dev_id, c->group_id);
		}
		if (r == 0) {
			DAG_MSG("step 10: group %d destroyed", c->group_id);
		} else {
			DAG_ERR("cannot destroy group %d: %s; closing %s removes it", c->group_id,
				strerror(-r), c->dev_name);
			if (ret == 0)
				ret = r;
		}
	}
	rte_dma_close(c->dev_id);
	explicit_bzero(c->token, sizeof(c->token));
	rte_free(c->tx);
	rte_free(c->rx);
	dag_mbox_fini();

	dag_print_events();
	DAG_MSG("summary: %s, %" PRIu64 " bytes moved and verified (%.1f MiB each way), "
		"to joiner %.2f GB/s, back %.2f GB/s, %" PRIu64 " errors",
		ret == 0 && c->verified ? "SUCCESS" : "FAILED", c->moved, dag_mib(c->moved / 2),
		dag_gbps(c->moved / 2, c->push_ns), dag_gbps(c->moved / 2, c->back_ns), c->errors);
	if (ret != 0)
		DAG_ERR("stopped: %s", dag_why(ret));
	return ret == 0 && c->verified ? 0 : (ret != 0 ? ret : -EIO);
}

int
dag_demo_creator(void)
{
	struct dag_creator c = {
		.dev_name = dag_opts.dev_name ? dag_opts.dev_name : "dma_skag0",
		.group_id = -1,
		.size = dag_opts.size,
	};
	uint32_t i;
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		DAG_ERR("the creator must be the primary process");
		return -EINVAL;
	}
	DAG_MSG("pid %d, device %s, %" PRIu64 " bytes x %u iterations, %u bytes per DMA op",
		getpid(), c.dev_name, c.size, dag_opts.iterations, dag_opts.chunk);
	ret = dag_dev_lookup(c.dev_name, true, &c.dev_id);
	if (ret != 0)
		return ret;
	ret = dag_mbox_init();
	if (ret != 0)
		return ret;

	ret = dag_creator_open(&c);
	if (ret == 0)
		ret = dag_creator_welcome(&c);
	if (ret == 0)
		ret = dag_creator_channel(&c);
	for (i = 0; i < dag_opts.iterations && ret == 0; i++)
		ret = dag_creator_round_trip(&c, i);
	if (ret == 0) {
		c.verified = true;
		ret = dag_creator_bye(&c);
	}
	return dag_creator_close(&c, ret);
}

/* What the joiner knows and holds, passed from step to step. */
struct dag_joiner {
	const char *dev_name;
	int16_t dev_id;
	int16_t group_id;
	rte_uuid_t domain;
	rte_uuid_t peer_domain;
	uint64_t size;
	uint8_t *buf;
	rte_iova_t buf_iova;
	rte_iova_t peer_iova;
	uint64_t verified_bytes;
	uint64_t back_ns;
	uint64_t errors;
	bool group;
	bool started;
	bool done;
};

/* Steps 1-2: HELLO until the creator answers with the group id and token. */
static int
dag_joiner_hello(struct dag_joiner *j, struct dag_msg *reply)
{
	uint64_t deadline, start, period, now;
	struct dag_msg msg;
	int ret;

	uuid_generate_random(j->domain);
	DAG_MSG("step 1: my domain is %s, saying HELLO to the creator",
		dag_uuid_str(j->domain).s);
	memset(&msg, 0, sizeof(msg));
	msg.type = DAG_MSG_HELLO;
	msg.pid = getpid();
	rte_uuid_copy(msg.domain, j->domain);
	/*
	 * The creator may still be starting: retry until the timeout, at most once a period
	 * (a request to a creator that is not there fails at once), and not after the creator
	 * is gone (its primary process exited: nobody will answer).
	 */
	deadline = dag_now_ns() + dag_opts.timeout_ms * 1000000ULL;
	for (;;) {
		start = dag_now_ns();
		ret = dag_request_sync(&msg, reply, DAG_HELLO_PERIOD_MS);
		if (ret == 0 && reply->type != DAG_MSG_WELCOME)
			ret = -EPROTO;
		if (ret == 0 || dag_quit || dag_now_ns() >= deadline)
			break;
		if (!dag_os_mode() && !rte_eal_primary_proc_alive(NULL)) {
			ret = -ESRCH;
			break;
		}
		period = start + DAG_HELLO_PERIOD_MS * 1000000ULL;
		now = dag_now_ns();
		if (now < period)
			rte_delay_us_sleep((RTE_MIN(period, deadline) - now) / 1000);
	}
	if (ret != 0) {
		ret = dag_quit ? -EINTR : ret;
		DAG_ERR("no answer from the creator: %s", dag_why(ret));
		return ret;
	}
	j->group_id = reply->group_id;
	j->size = reply->len;
	j->peer_iova = reply->iova;
	rte_uuid_copy(j->peer_domain, reply->domain);
	DAG_MSG("step 2: creator %s invites me to group %d, %.1f MiB per transfer",
		dag_uuid_str(j->peer_domain).s, j->group_id, dag_mib(j->size));
	return 0;
}

/* Steps 3-5: join with the token, buffer, handlers and the inter-process vchan. */
static int
dag_joiner_join(struct dag_joiner *j, struct dag_msg *welcome)
{
	struct rte_dma_inter_domain_param dom_param = { .type = dag_domain_type() };
	uint16_t h_self, h_peer;
	int ret;

	ret = rte_dma_access_pair_group_join(j->dev_id, j->domain, welcome->token, j->group_id,
					     dag_event_cb);
	explicit_bzero(welcome, sizeof(*welcome));
	if (ret != 0) {
		DAG_ERR("cannot join group %d: %s", j->group_id, strerror(-ret));
		return ret;
	}
	j->group = true;
	DAG_MSG("step 3: joined group %d on %s", j->group_id, j->dev_name);

	j->buf = rte_malloc("dag_joiner_buf", j->size, RTE_CACHE_LINE_SIZE);
	if (j->buf == NULL) {
		DAG_ERR("cannot allocate %" PRIu64 " bytes of hugepage memory", j->size);
		return -ENOMEM;
	}
	j->buf_iova = rte_malloc_virt2iova(j->buf);
	ret = rte_dma_access_pair_group_handler_get(j->dev_id, j->group_id, j->domain, &h_self);
	if (ret == 0)
		ret = rte_dma_access_pair_group_handler_get(j->dev_id, j->group_id,
							    j->peer_domain, &h_peer);
	if (ret != 0) {
		DAG_ERR("cannot get the handlers: %s", strerror(-ret));
		return ret;
	}
	DAG_MSG("step 4: allocated my %.1f MiB buffer at 0x%" PRIx64 "; handlers: mine %u, "
		"creator's %u", dag_mib(j->size), j->buf_iova, h_self, h_peer);
	dom_param.src_handler = h_self;
	dom_param.dst_handler = h_peer;
	ret = dag_dev_setup(j->dev_id, &dom_param, 1, dag_opts.nb_desc);
	if (ret != 0)
		return ret;
	j->started = true;
	DAG_MSG("step 5: %s vchan 0 set up %s, handler %u -> %u", j->dev_name,
		dag_domain_name(), h_self, h_peer);
	return 0;
}

/* Tell the creator how joining went (status) and wait until its side is ready. */
static int
dag_joiner_joined(struct dag_joiner *j, int status)
{
	struct dag_msg msg, reply = { 0 };
	int ret;

	memset(&msg, 0, sizeof(msg));
	msg.type = DAG_MSG_JOINED;
	msg.status = status;
	rte_uuid_copy(msg.domain, j->domain);
	msg.iova = status == 0 ? j->buf_iova : 0;
	if (dag_request_sync(&msg, &reply, dag_opts.timeout_ms) != 0)
		reply.status = -ETIMEDOUT;
	if (status != 0)
		return status;
	ret = reply.type == DAG_MSG_JOIN_ACK ? reply.status : -EPROTO;
	if (ret != 0) {
		DAG_ERR("creator could not set up its side: %s", dag_why(ret));
		return ret;
	}
	DAG_MSG("step 6: creator is ready, waiting for data");
	return 0;
}

/* Step 7: leave when the creator says BYE, done with the memory first. */
static int
dag_joiner_bye(struct dag_joiner *j, struct dag_msg *msg)
{
	int ret;

	/* Done with the memory before the creator may exit. */
	rte_dma_stop(j->dev_id);
	j->started = false;
	rte_free(j->buf);
	j->buf = NULL;
	ret = rte_dma_access_pair_group_leave(j->dev_id, j->group_id);
	if (ret == 0) {
		j->group = false;
		DAG_MSG("step 7: creator said BYE, left group %d", j->group_id);
	} else {
		DAG_ERR("cannot leave group %d: %s", j->group_id, strerror(-ret));
	}
	msg->type = DAG_MSG_BYE_ACK;
	msg->status = ret;
	dag_reply(msg);
	j->done = true;
	return ret;
}

/* Data pushed by the creator: verify it, copy it back, answer with the outcome. */
static int
dag_joiner_pushed(struct dag_joiner *j, struct dag_msg *msg)
{
	enum rte_dma_status_code st;
	uint64_t failed, off, t0;
	int ret;

	msg->type = DAG_MSG_RETURNED;
	if (dag_entry.msg.len != j->size) {
		msg->status = -EPROTO;
	} else {
		off = dag_pattern_check(j->buf, j->size, dag_entry.msg.seed);
		if (off != j->size) {
			DAG_ERR("iteration %u: data from the creator wrong at offset %" PRIu64,
				msg->seq + 1, off);
			msg->status = -EIO;
			j->errors++;
		}
	}
	if (msg->status == 0) {
		j->verified_bytes += j->size;
		t0 = dag_now_ns();
		msg->status = dag_dma_copy(j->dev_id, 0, j->buf_iova, j->peer_iova, j->size,
					   dag_opts.chunk, &failed, &st);
		msg->ns = dag_now_ns() - t0;
		msg->failed = failed;
		j->back_ns += msg->ns;
		j->errors += failed;
		if (msg->status != 0)
			DAG_ERR("iteration %u: copy back failed: %s, %" PRIu64
				" ops failed (first: %s)", msg->seq + 1,
				dag_why(msg->status), failed, dag_status_name(st));
		else
			DAG_MSG("iteration %u: %.1f MiB received and verified byte for "
				"byte, copied back in %.3f ms", msg->seq + 1, dag_mib(j->size),
				msg->ns / 1e6);
	}
	ret = dag_reply(msg);
	if (ret == 0)
		ret = msg->status;
	return ret;
}

/* Serve the creator's PUSHED requests until its BYE. */
static int
dag_joiner_serve(struct dag_joiner *j)
{
	struct dag_msg msg;
	int ret = 0;

	while (!j->done) {
		ret = dag_wait_msg(DAG_M(DAG_MSG_PUSHED) | DAG_M(DAG_MSG_BYE), DAG_SEQ_ANY, false,
				   dag_opts.timeout_ms);
		if (ret != 0) {
			DAG_ERR("waiting for the creator: %s", dag_why(ret));
			return ret;
		}
		memset(&msg, 0, sizeof(msg));
		msg.seq = dag_entry.msg.seq;
		rte_uuid_copy(msg.domain, j->domain);
		if (dag_entry.msg.type == DAG_MSG_BYE)
			return dag_joiner_bye(j, &msg);
		ret = dag_joiner_pushed(j, &msg);
		if (ret != 0)
			return ret;
	}
	return ret;
}

/* Leave if still a member and print the summary, whatever step stopped with ret. */
static int
dag_joiner_close(struct dag_joiner *j, int ret)
{
	if (ret != 0 && !dag_mb.peer_gone && ret != -ECONNABORTED)
		dag_send_abort(ret);
	if (j->started)
		rte_dma_stop(j->dev_id);
	if (j->group && !dag_mb.peer_gone) {
		int r = rte_dma_access_pair_group_leave(j->dev_id, j->group_id);

		if (r == 0)
			DAG_MSG("left group %d", j->group_id);
		else
			DAG_ERR("cannot leave group %d: %s", j->group_id, strerror(-r));
	}
	/* The primary owns the device (and closes it); only our membership was ours. */
	if (rte_eal_primary_proc_alive(NULL))
		rte_free(j->buf); /* else nobody could take the pages back */
	dag_mbox_fini();

	dag_print_events();
	DAG_MSG("summary: %s, %" PRIu64 " bytes received and verified, %" PRIu64
		" bytes copied back at %.2f GB/s, %" PRIu64 " errors",
		ret == 0 && j->done ? "SUCCESS" : "FAILED", j->verified_bytes,
		j->back_ns != 0 ? j->verified_bytes : 0, dag_gbps(j->verified_bytes, j->back_ns),
		j->errors);
	if (ret != 0)
		DAG_ERR("stopped: %s", dag_why(ret));
	return ret == 0 && j->done ? 0 : (ret != 0 ? ret : -EIO);
}

int
dag_demo_joiner(void)
{
	struct dag_joiner j = {
		.dev_name = dag_opts.dev_name ? dag_opts.dev_name : "dma_skag1",
		.group_id = -1,
	};
	struct dag_msg reply;
	int ret;

	if (!dag_os_mode() && rte_eal_process_type() != RTE_PROC_SECONDARY) {
		DAG_ERR("the joiner must be a secondary process (--proc-type=secondary)");
		return -EINVAL;
	}
	DAG_MSG("pid %d, device %s", getpid(), j.dev_name);
	ret = dag_dev_lookup(j.dev_name, true, &j.dev_id);
	if (ret == 0)
		ret = dag_mbox_init();
	if (ret != 0) {
		/* The creator would wait for a HELLO until its timeout: tell it now. */
		if (!dag_os_mode())
			dag_send_abort(ret);
		return ret;
	}

	ret = dag_joiner_hello(&j, &reply);
	if (ret == 0) {
		ret = dag_joiner_join(&j, &reply);
		ret = dag_joiner_joined(&j, ret);
	}
	if (ret == 0)
		ret = dag_joiner_serve(&j);
	return dag_joiner_close(&j, ret);
}
