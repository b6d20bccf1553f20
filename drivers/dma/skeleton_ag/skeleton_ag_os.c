/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <poll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_eal_memconfig.h>
#include <rte_memory.h>

#include "skeleton_ag.h"
#include "skeleton_ag_os.h"

#define SKAG_OS_TABLE		"table"
#define SKAG_OS_TABLE_LOCK	"table.lock"
#define SKAG_OS_MAGIC		0x31707865676b6173ULL	/* "skagexp1" */
/* Regions an export may have: far above what a DPDK memory holds. */
#define SKAG_OS_MAX_REGIONS	65536
/* Longest wait for the other side of an export. */
#define SKAG_OS_TIMEOUT_S	2
/* Longest wait for a request after its connection: the control thread serving it waits. */
#define SKAG_OS_REQ_MS		100

/* Request of an export: the group both processes are members of. */
struct skag_os_req {
	uint64_t magic;
	int16_t group_id;
};

/*
 * Reply: one message per region, carrying the file descriptor of its memory, then one with
 * last set and no descriptor: status 0 and the number of regions, or a negative errno.
 */
struct skag_os_msg {
	uint64_t magic;
	uint64_t va;
	uint64_t len;
	uint64_t offset;
	uint32_t count;
	uint8_t last;
	int32_t status;
};

/* Alignment of an import's reservation: the largest hugepage size of x86 and arm64 (1 GiB). */
#define SKAG_OS_MAP_ALIGN	(UINT64_C(1) << 30)

/* A VA-contiguous run of the exporter's regions. */
struct skag_os_run {
	uint64_t va;
	uint64_t len;
};

/*
 * The exporter's regions, mapped at one offset from their addresses there (delta) in one
 * reservation that spans them all, gaps included (left PROT_NONE): an address of the
 * exporter becomes one here with one add, whatever run it is in.
 */
struct skag_os_import {
	int fd;
	uint8_t *base;
	size_t len;
	uintptr_t delta;
	unsigned int nb_runs;
	struct skag_os_run runs[];
};

/* Per process: the table file, with the shared lock its mapping holds. */
static struct {
	int fd;
	size_t len;
} skag_os_tbl = { .fd = -1 };

uint64_t
skag_os_instance(void)
{
	static uint64_t instance;
	const char *s;
	uint64_t h;

	if (instance != 0)
		return instance;
	/* FNV-1a; the runtime directory of an application does not change. */
	for (s = rte_eal_get_runtime_dir(), h = 0xcbf29ce484222325ULL; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	instance = h;
	return h;
}

static int
skag_os_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

int
skag_os_table_map(const char *dir, uint16_t max_groups, uint16_t max_members,
		  struct skag_tbl **tp)
{
	size_t len = skag_tbl_size(max_groups, max_members);
	char path[PATH_MAX], lock_path[PATH_MAX];
	int fd = -1, lock_fd, rc;
	struct skag_tbl *t;
	struct stat st;
	void *mem;

	if (len == 0 || strlen(dir) > SKAG_OS_DIR_MAX)
		return -EINVAL;
	rc = skag_os_path(path, sizeof(path), dir, SKAG_OS_TABLE);
	if (rc == 0)
		rc = skag_os_path(lock_path, sizeof(lock_path), dir, SKAG_OS_TABLE_LOCK);
	if (rc != 0)
		return rc;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	/* One mapper at a time decides whether the table must be made anew. */
	lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock_fd < 0)
		return -errno;
	if (flock(lock_fd, LOCK_EX) != 0) {
		rc = -errno;
		goto out;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	/*
	 * No live mapper holds its shared lock: whatever the file holds was left by dead
	 * processes (their robust mutexes may never have been released), start anew.
	 */
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		if (ftruncate(fd, 0) != 0 || ftruncate(fd, len) != 0) {
			rc = -errno;
			goto out;
		}
		mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (mem == MAP_FAILED) {
			rc = -errno;
			goto out;
		}
		rc = skag_tbl_init(mem, len, max_groups, max_members);
		munmap(mem, len);
		if (rc != 0)
			goto out;
	}
	if (flock(fd, LOCK_SH) != 0 || fstat(fd, &st) != 0) {
		rc = -errno;
		goto out;
	}
	mem = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED) {
		rc = -errno;
		goto out;
	}
	t = skag_tbl_attach(mem, st.st_size);
	if (t == NULL) {
		SKAG_LOG(ERR, "%s holds no compatible group table", path);
		munmap(mem, st.st_size);
		rc = -EINVAL;
		goto out;
	}
	skag_os_tbl.fd = fd;
	skag_os_tbl.len = st.st_size;
	fd = -1;
	*tp = t;
out:
	if (fd >= 0)
		close(fd);
	close(lock_fd);
	return rc;
}

void
skag_os_table_unmap(struct skag_tbl *t)
{
	if (t == NULL || skag_os_tbl.fd < 0)
		return;
	munmap(t, skag_os_tbl.len);
	/* Releases the shared lock. */
	close(skag_os_tbl.fd);
	skag_os_tbl.fd = -1;
}

static int
skag_os_sockaddr(struct sockaddr_un *sa, const char *dir, int32_t pid)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/skag.%" PRId32 ".sock", dir, pid);
	return n > 0 && (size_t)n < sizeof(sa->sun_path) ? 0 : -ENAMETOOLONG;
}

static void
skag_os_timeout(int fd)
{
	struct timeval tv = { .tv_sec = SKAG_OS_TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Process at the other end of a connection, if it runs as our user; 0 otherwise. */
static int32_t
skag_os_peer_pid(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.uid != getuid())
		return 0;
	return cred.pid;
}

int
skag_os_listen(const char *dir)
{
	struct sockaddr_un sa;
	int fd, rc;

	rc = skag_os_sockaddr(&sa, dir, getpid());
	if (rc != 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* A socket of a dead process with our pid would be stale. */
	unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 16) != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

void
skag_os_unlisten(const char *dir, int fd)
{
	struct sockaddr_un sa;

	if (fd < 0)
		return;
	close(fd);
	if (skag_os_sockaddr(&sa, dir, getpid()) == 0)
		unlink(sa.sun_path);
}

static int
skag_os_send(int fd, const struct skag_os_msg *m, int mem_fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)(uintptr_t)m, .iov_len = sizeof(*m) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (mem_fd >= 0) {
		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &mem_fd, sizeof(int));
	}
	return sendmsg(fd, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(*m) ? 0 : -EIO;
}

struct skag_os_region {
	uint64_t va;
	uint64_t len;
	uint64_t offset;
	int fd;
};

static void
skag_os_regions_close(struct skag_os_region *r, unsigned int nb)
{
	unsigned int i;

	for (i = 0; i < nb; i++)
		close(r[i].fd);
	free(r);
}

/* Append a region; its fd is then the array's. */
static int
skag_os_region_add(struct skag_os_region **r, unsigned int *nb, unsigned int *size,
		   const struct skag_os_region *reg)
{
	struct skag_os_region *tmp;

	if (*nb == SKAG_OS_MAX_REGIONS)
		return -E2BIG;
	if (*nb == *size) {
		tmp = realloc(*r, RTE_MAX(2 * *size, 64u) * sizeof(*tmp));
		if (tmp == NULL)
			return -ENOMEM;
		*r = tmp;
		*size = RTE_MAX(2 * *size, 64u);
	}
	(*r)[(*nb)++] = *reg;
	return 0;
}

/*
 * Export walk, under the memory hotplug lock, which is shared with the other processes of the
 * application and does not survive the death of a holder: no I/O here, the regions are sent
 * after it. They are merged while VA, file and offset run on; each gets a dup of its fd, which
 * EAL closes if the memory is freed meanwhile.
 */
struct skag_os_walk {
	struct skag_os_region *r;
	unsigned int nb;
	unsigned int size;
	int cur_fd;	/* EAL's fd of the last region */
	int rc;
};

static int
skag_os_walk_seg(const struct rte_memseg_list *msl, const struct rte_memseg *ms, void *arg)
{
	struct skag_os_walk *w = arg;
	struct skag_os_region reg;
	struct skag_os_region *last = w->nb > 0 ? &w->r[w->nb - 1] : NULL;
	size_t offset;
	int fd;

	if (msl->external)
		return 0;
	fd = rte_memseg_get_fd_thread_unsafe(ms);
	if (fd < 0 || rte_memseg_get_fd_offset_thread_unsafe(ms, &offset) != 0) {
		w->rc = -ENOTSUP;
		return -1;
	}
	if (last != NULL && fd == w->cur_fd && last->va + last->len == (uintptr_t)ms->addr &&
	    last->offset + last->len == offset) {
		last->len += ms->len;
		return 0;
	}
	reg = (struct skag_os_region){ (uintptr_t)ms->addr, ms->len, offset,
				       fcntl(fd, F_DUPFD_CLOEXEC, 0) };
	w->rc = reg.fd < 0 ? -errno : skag_os_region_add(&w->r, &w->nb, &w->size, &reg);
	if (w->rc != 0) {
		if (reg.fd >= 0)
			close(reg.fd);
		return -1;
	}
	w->cur_fd = fd;
	return 0;
}

int
skag_os_serve(struct skag_tbl *t, int listen_fd)
{
	struct skag_os_walk w = { .cur_fd = -1 };
	struct skag_os_msg end = { .magic = SKAG_OS_MAGIC, .last = 1 };
	struct pollfd pfd = { .events = POLLIN };
	struct skag_os_req req;
	unsigned int i;
	int32_t pid;
	ssize_t n;
	int fd;

	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return -1;
	skag_os_timeout(fd);
	pid = skag_os_peer_pid(fd);
	pfd.fd = fd;
	n = poll(&pfd, 1, SKAG_OS_REQ_MS) == 1 ? recv(fd, &req, sizeof(req), 0) : -1;
	if (n != sizeof(req) || req.magic != SKAG_OS_MAGIC) {
		SKAG_LOG(ERR, "export: malformed request from pid %" PRId32 " (%zd bytes)", pid, n);
		close(fd);
		return -1;
	}
	/* A stranger learns nothing but the refusal. */
	if (pid == 0 || !skag_group_has_pid(t, req.group_id, pid) ||
	    !skag_group_has_pid(t, req.group_id, getpid())) {
		SKAG_LOG(INFO, "export: refused to pid %" PRId32 ", not with us in group %d", pid,
			 req.group_id);
		end.status = -EPERM;
		skag_os_send(fd, &end, -1);
		close(fd);
		return -1;
	}
	rte_mcfg_mem_read_lock();
	rte_memseg_walk_thread_unsafe(skag_os_walk_seg, &w);
	rte_mcfg_mem_read_unlock();
	for (i = 0; w.rc == 0 && i < w.nb; i++) {
		struct skag_os_msg m = {
			.magic = SKAG_OS_MAGIC, .va = w.r[i].va, .len = w.r[i].len,
			.offset = w.r[i].offset,
		};

		w.rc = skag_os_send(fd, &m, w.r[i].fd);
	}
	skag_os_regions_close(w.r, w.nb);
	end.status = w.rc;
	end.count = w.nb;
	if (skag_os_send(fd, &end, -1) != 0 || w.rc != 0) {
		SKAG_LOG(ERR, "export to pid %" PRId32 " failed: %s", pid, strerror(-w.rc));
		close(fd);
		return -1;
	}
	SKAG_LOG(DEBUG, "exported %u region(s) to pid %" PRId32, w.nb, pid);
	return fd;
}

/*
 * Receive one reply message and its descriptor (-1 if none); negative errno on error. Every
 * descriptor the message carried is closed but the one returned.
 */
static int
skag_os_recv(int fd, struct skag_os_msg *m, int *mem_fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	unsigned int i, nb, extra = 0;
	struct cmsghdr *c;
	ssize_t n;
	int rfd;

	*mem_fd = -1;
	n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	/* The control buffer, aligned, may hold more descriptors than the one expected. */
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nb = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nb; i++) {
			memcpy(&rfd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*mem_fd < 0) {
				*mem_fd = rfd;
			} else {
				close(rfd);
				extra++;
			}
		}
	}
	/* Truncated, more than one descriptor, or not ours. */
	if (n != sizeof(*m) || extra != 0 || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    m->magic != SKAG_OS_MAGIC) {
		if (*mem_fd >= 0)
			close(*mem_fd);
		*mem_fd = -1;
		return -EPROTO;
	}
	return 0;
}

static int
skag_os_region_cmp(const void *a, const void *b)
{
	const struct skag_os_region *x = a, *y = b;

	return x->va < y->va ? -1 : x->va > y->va;
}

/* Receive every region of the export; the reply is checked whole before anything is mapped. */
static int
skag_os_regions_recv(int fd, struct skag_os_region **rp, unsigned int *nbp)
{
	struct skag_os_region *r = NULL;
	unsigned int nb = 0, size = 0;
	uint64_t page = getpagesize();
	struct skag_os_msg m;
	int rc, mem_fd;

	for (;;) {
		rc = skag_os_recv(fd, &m, &mem_fd);
		if (rc != 0)
			break;
		if (m.last) {
			rc = mem_fd >= 0 ? -EPROTO : m.status < 0 ? m.status :
				m.count != nb ? -EPROTO : 0;
			if (mem_fd >= 0)
				close(mem_fd);
			break;
		}
		if (mem_fd < 0 || m.len == 0 || m.va % page != 0 || m.len % page != 0 ||
		    m.offset % page != 0 || m.va + m.len < m.va) {
			if (mem_fd >= 0)
				close(mem_fd);
			rc = -EPROTO;
			break;
		}
		rc = skag_os_region_add(&r, &nb, &size,
					&(struct skag_os_region){ m.va, m.len, m.offset, mem_fd });
		if (rc != 0) {
			close(mem_fd);
			rc = rc == -E2BIG ? -EPROTO : rc;
			break;
		}
	}
	if (rc != 0) {
		skag_os_regions_close(r, nb);
		return rc;
	}
	qsort(r, nb, sizeof(*r), skag_os_region_cmp);
	*rp = r;
	*nbp = nb;
	return 0;
}

/*
 * Reserve len bytes of address space at an address congruent to va modulo SKAG_OS_MAP_ALIGN,
 * so that what is mapped there at its offset from va is as aligned as in the exporter: a
 * hugetlbfs file maps only at a multiple of its page size.
 */
static uint8_t *
skag_os_reserve(uint64_t va, size_t len)
{
	const size_t align = SKAG_OS_MAP_ALIGN;
	uintptr_t start, base;
	void *p;

	if (len > SIZE_MAX - align) {
		errno = ENOMEM;
		return NULL;
	}
	p = mmap(NULL, len + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	start = (uintptr_t)p;
	base = start + ((va - start) & (align - 1));
	if (base != start)
		munmap(p, base - start);
	munmap((void *)(base + len), align - (base - start));
	return (uint8_t *)base;
}

/*
 * Map the sorted regions in one reservation from the first to the end of the last, and list
 * their VA-contiguous runs; the caller closes the fds.
 */
static int
skag_os_map(struct skag_os_import *imp, const struct skag_os_region *r, unsigned int nb)
{
	struct skag_os_run *run = NULL;
	unsigned int i;
	void *p;

	for (i = 1; i < nb; i++) {
		/* Regions overlapping: malformed. */
		if (r[i].va < r[i - 1].va + r[i - 1].len)
			return -EPROTO;
	}
	if (nb == 0)
		return 0;
	imp->len = r[nb - 1].va + r[nb - 1].len - r[0].va;
	imp->base = skag_os_reserve(r[0].va, imp->len);
	if (imp->base == NULL)
		return -errno;
	imp->delta = (uintptr_t)imp->base - r[0].va;
	for (i = 0; i < nb; i++) {
		p = mmap((void *)(uintptr_t)(r[i].va + imp->delta), r[i].len,
			 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, r[i].fd, r[i].offset);
		if (p == MAP_FAILED)
			return -errno;
		if (run == NULL || r[i].va != run->va + run->len) {
			run = &imp->runs[imp->nb_runs++];
			run->va = r[i].va;
			run->len = 0;
		}
		run->len += r[i].len;
	}
	return 0;
}

int
skag_os_import(const char *dir, int16_t group_id, int32_t pid, struct skag_os_import **impp)
{
	struct skag_os_req req = { .magic = SKAG_OS_MAGIC, .group_id = group_id };
	struct skag_os_region *r = NULL;
	struct skag_os_import *imp;
	struct sockaddr_un sa;
	unsigned int nb = 0;
	int fd, rc;

	rc = skag_os_sockaddr(&sa, dir, pid);
	if (rc != 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	skag_os_timeout(fd);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = -errno;
		goto fail;
	}
	/* Only the member itself may answer for it. */
	if (skag_os_peer_pid(fd) != pid) {
		rc = -EPERM;
		goto fail;
	}
	if (send(fd, &req, sizeof(req), MSG_NOSIGNAL) != sizeof(req)) {
		rc = -EIO;
		goto fail;
	}
	rc = skag_os_regions_recv(fd, &r, &nb);
	if (rc != 0)
		goto fail;
	imp = calloc(1, sizeof(*imp) + nb * sizeof(imp->runs[0]));
	if (imp == NULL) {
		skag_os_regions_close(r, nb);
		rc = -ENOMEM;
		goto fail;
	}
	imp->fd = fd;
	rc = skag_os_map(imp, r, nb);
	skag_os_regions_close(r, nb);
	if (rc != 0) {
		skag_os_import_release(imp);
		return rc;
	}
	*impp = imp;
	return 0;
fail:
	close(fd);
	return rc;
}

int
skag_os_import_fd(const struct skag_os_import *imp)
{
	return imp->fd;
}

unsigned int
skag_os_import_windows(const struct skag_os_import *imp, struct skag_window *w,
		       unsigned int max)
{
	unsigned int i;

	for (i = 0; i < imp->nb_runs && i < max; i++) {
		w[i].start = imp->runs[i].va + imp->delta;
		w[i].span = imp->runs[i].len;
	}
	return i;
}

uintptr_t
skag_os_import_delta(const struct skag_os_import *imp)
{
	return imp->delta;
}

void
skag_os_import_release(struct skag_os_import *imp)
{
	if (imp == NULL)
		return;
	if (imp->base != NULL)
		munmap(imp->base, imp->len);
	close(imp->fd);
	free(imp);
}
