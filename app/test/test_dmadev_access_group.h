/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#ifndef TEST_DMADEV_ACCESS_GROUP_H
#define TEST_DMADEV_ACCESS_GROUP_H

/*
 * Helpers of the dma_skag autotests that start secondary processes (multi-process, storm) or
 * ask telemetry (all of them): clock, patterns, one-op copies, secondaries re-running the
 * current test command with a role, telemetry replies. Linux only, like the tests.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_random.h>
#include <rte_stdatomic.h>
#include <rte_string_fns.h>
#include <rte_uuid.h>

#include "test.h"

/* Role of a secondary, and the test command it runs: set by the primary that starts it. */
#define AG_ROLE_ENV		"DPDK_TEST_DMADEV_AG_ROLE"
/* Secondary start-up included. */
#define AG_STEP_TIMEOUT_MS	20000

static inline uint64_t
ag_now_ns(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC is system wide: comparable between processes. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* A typedef, so that checkpatch reads the parameters below as pointers. */
typedef RTE_ATOMIC(uint32_t) ag_atomic_u32_t;

/* Words that the processes of a test share: acquire loads, release stores. */
static inline uint32_t
ag_load(const ag_atomic_u32_t *p)
{
	return rte_atomic_load_explicit(p, rte_memory_order_acquire);
}

static inline void
ag_store(ag_atomic_u32_t *p, uint32_t v)
{
	rte_atomic_store_explicit(p, v, rte_memory_order_release);
}

static inline uint64_t
ag_ms_to_ns(uint64_t ms)
{
	return ms * NS_PER_S / MS_PER_S;
}

static inline void
ag_uuid_random(rte_uuid_t u)
{
	uint64_t a = rte_rand(), b = rte_rand();

	memcpy(u, &a, sizeof(a));
	memcpy(u + 8, &b, sizeof(b));
	u[0] |= 1;	/* never the null UUID */
}

static inline uint8_t
ag_pattern_byte(size_t i, uint8_t seed)
{
	return (uint8_t)(seed + i * 7 + (i >> 8));
}

static inline void
ag_pattern(uint8_t *buf, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = ag_pattern_byte(i, seed);
}

static inline int
ag_pattern_check(const uint8_t *buf, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] != ag_pattern_byte(i, seed)) {
			printf("byte %zu is 0x%02x, expected 0x%02x\n", i, buf[i],
			       ag_pattern_byte(i, seed));
			return -1;
		}
	}
	return 0;
}

/* Whether len bytes at p all equal v. */
static inline bool
ag_all_bytes(const uint8_t *p, size_t len, uint8_t v)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* One vchan, inter-process if handlers are given; the device is left stopped. */
static inline int
ag_dev_config(int16_t dev_id, uint16_t src_handler, uint16_t dst_handler)
{
	struct rte_dma_conf conf = { .nb_vchans = 1 };
	struct rte_dma_vchan_conf vconf = {
		.direction = RTE_DMA_DIR_MEM_TO_MEM,
		.nb_desc = 32,
	};
	int ret;

	if (src_handler != 0) {
		vconf.domain.type = RTE_DMA_INTER_PROCESS_DOMAIN;
		vconf.domain.src_handler = src_handler;
		vconf.domain.dst_handler = dst_handler;
	}
	ret = rte_dma_stop(dev_id);
	if (ret != 0)
		return ret;
	ret = rte_dma_configure(dev_id, &conf);
	if (ret != 0)
		return ret;
	return rte_dma_vchan_setup(dev_id, 0, &vconf);
}

/* As ag_dev_config(), then started. */
static inline int
ag_dev_setup(int16_t dev_id, uint16_t src_handler, uint16_t dst_handler)
{
	int ret;

	ret = ag_dev_config(dev_id, src_handler, dst_handler);
	if (ret != 0)
		return ret;
	ret = rte_dma_start(dev_id);
	if (ret != 0)
		return ret;
	return rte_dma_stats_reset(dev_id, 0);
}

/* Submit and collect the ops enqueued on vchan 0 up to last (returned by the enqueue). */
static inline int
ag_complete(int16_t dev_id, int last, uint16_t nb, enum rte_dma_status_code *status)
{
	uint64_t deadline = ag_now_ns() + NS_PER_S;
	uint16_t got = 0, last_idx = 0;

	if (last < 0)
		return last;
	if (rte_dma_submit(dev_id, 0) != 0)
		return -EIO;
	do {
		got += rte_dma_completed_status(dev_id, 0, nb - got, &last_idx, status + got);
		if (got == nb)
			return last_idx == (uint16_t)last ? 0 : -EIO;
	} while (ag_now_ns() < deadline);
	return -ETIMEDOUT;
}

/* One copy on vchan 0, submitted and completed; returns 0 and the op status, or an errno. */
static inline int
ag_copy(int16_t dev_id, const void *src, void *dst, uint32_t len,
	enum rte_dma_status_code *status)
{
	/* The driver works in IOVA as VA mode. */
	return ag_complete(dev_id, rte_dma_copy(dev_id, 0, (rte_iova_t)(uintptr_t)src,
						(rte_iova_t)(uintptr_t)dst, len, 0), 1, status);
}

/* --- threads of this process --- */

/*
 * Copy into val (len bytes) what follows key in /proc status of the thread of this process whose
 * name ends with name (a driver thread, whatever prefix the DPDK version adds). Returns 0, or
 * -ENOENT if there is no such thread or key.
 */
static inline int
ag_thread_status(const char *name, const char *key, char *val, size_t len)
{
	char path[300], line[256];
	size_t n, klen = strlen(key), nlen = strlen(name);
	int ret = -ENOENT;
	struct dirent *e;
	DIR *d;
	FILE *f;

	d = opendir("/proc/self/task");
	if (d == NULL)
		return -ENOENT;
	while (ret != 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		n = fgets(line, sizeof(line), f) != NULL ? strcspn(line, "\n") : 0;
		fclose(f);
		line[n] = '\0';
		if (n < nlen || strcmp(line + n - nlen, name) != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", e->d_name);
		f = fopen(path, "r");
		while (ret != 0 && f != NULL && fgets(line, sizeof(line), f) != NULL) {
			if (strncmp(line, key, klen) != 0)
				continue;
			/* Not strlcpy(): GCC warns when DPDK's, an snprintf(), may truncate. */
			n = RTE_MIN(strlen(line + klen), len - 1);
			memcpy(val, line + klen, n);
			val[n] = '\0';
			ret = 0;
		}
		if (f != NULL)
			fclose(f);
	}
	closedir(d);
	return ret;
}

/* --- secondary processes --- */

struct ag_child {
	pid_t pid;
	bool reaped;
	int status;
};

/*
 * Append the driver options (-d) of this process's command line to argv: a secondary of a
 * shared build loads the same driver plugins as the primary. Returns the new argument count.
 */
static inline size_t
ag_driver_args(const char **argv, size_t n, size_t max)
{
	static char cmdline[4096];
	size_t len = 0, i;
	ssize_t rd;
	int fd;

	fd = open("/proc/self/cmdline", O_RDONLY);
	if (fd < 0)
		return n;
	while (len < sizeof(cmdline) - 1 &&
	       (rd = read(fd, cmdline + len, sizeof(cmdline) - 1 - len)) > 0)
		len += rd;
	close(fd);
	cmdline[len] = '\0';
	for (i = 0; i < len && n + 2 < max; i += strlen(cmdline + i) + 1) {
		if (strncmp(cmdline + i, "-d", 2) != 0)
			continue;
		argv[n++] = cmdline + i;
		if (cmdline[i + 2] == '\0' && i + 3 < len) {
			i += 3;
			argv[n++] = cmdline + i;
		}
	}
	return n;
}

/*
 * Start a secondary that runs the autotest named test on lcores, with role_env=role in its
 * environment. Not process_dup(): that one waits for the child to exit and makes it run one
 * of test.c's fixed recursive actions, while these secondaries must run concurrently with the
 * primary and be killable.
 */
static inline int
ag_spawn(struct ag_child *c, const char *test, const char *role_env, const char *role,
	 const char *lcores)
{
	char prefix[PATH_MAX], rundir[PATH_MAX], test_env[128], role_str[128];
	size_t n, i, j, role_len = strlen(role_env);
	const char *argv[32];
	char **envp;
	pid_t pid;

	strlcpy(rundir, rte_eal_get_runtime_dir(), sizeof(rundir));
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s", basename(rundir));
	snprintf(test_env, sizeof(test_env), "DPDK_TEST=%s", test);
	snprintf(role_str, sizeof(role_str), "%s=%s", role_env, role);
	argv[0] = prgname;
	argv[1] = "--proc-type=secondary";
	argv[2] = prefix;
	argv[3] = "--no-pci";
	argv[4] = "-l";
	argv[5] = lcores;
	argv[6] = "--log-level=lib.eal:warning";
	n = ag_driver_args(argv, 7, RTE_DIM(argv));
	argv[n] = NULL;

	/* Built before fork: the child must only make async-signal-safe calls. */
	for (n = 0; environ[n] != NULL; n++)
		;
	envp = calloc(n + 3, sizeof(*envp));
	if (envp == NULL)
		return -ENOMEM;
	for (i = 0, j = 0; i < n; i++) {
		if (strncmp(environ[i], "DPDK_TEST=", 10) == 0 ||
		    (strncmp(environ[i], role_env, role_len) == 0 && environ[i][role_len] == '='))
			continue;
		envp[j++] = environ[i];
	}
	envp[j++] = test_env;
	envp[j++] = role_str;
	envp[j] = NULL;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		free(envp);
		return -errno;
	}
	if (pid == 0) {
		/* Dies with the primary; keeps none of its files (hugepage fds, sockets). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		syscall(SYS_close_range, 3U, ~0U, 0U);
		execve("/proc/self/exe", (char *const *)(uintptr_t)argv, envp);
		_exit(127);
	}
	free(envp);
	c->pid = pid;
	c->reaped = false;
	c->status = 0;
	return 0;
}

static inline bool
ag_child_gone(struct ag_child *c)
{
	if (!c->reaped && waitpid(c->pid, &c->status, WNOHANG) == c->pid)
		c->reaped = true;
	return c->reaped;
}

/* Of a child that ended: 0 if it exited with 0 (killed: if SIGKILL ended it). */
static inline int
ag_child_ended_as(const struct ag_child *c, bool killed)
{
	if (killed)
		return WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGKILL ? 0 : -1;
	if (!WIFEXITED(c->status) || WEXITSTATUS(c->status) != 0) {
		printf("child %d failed (status 0x%x)\n", c->pid, c->status);
		return -1;
	}
	return 0;
}

/* Wait up to timeout_ms for the child to exit; 0 if it exited with 0 (killed: by SIGKILL). */
static inline int
ag_child_wait(struct ag_child *c, bool killed, unsigned int timeout_ms)
{
	uint64_t deadline = ag_now_ns() + ag_ms_to_ns(timeout_ms);

	while (!ag_child_gone(c)) {
		if (ag_now_ns() > deadline) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, &c->status, 0);
			c->reaped = true;
			printf("secondary %d did not exit\n", c->pid);
			return -1;
		}
		rte_delay_us_sleep(1000);
	}
	return ag_child_ended_as(c, killed);
}

/* The functional tests' forms: a role of AG_ROLE_ENV on lcore 0, a step's timeout. */
static inline int
ag_spawn_role(struct ag_child *c, const char *test, const char *role)
{
	return ag_spawn(c, test, AG_ROLE_ENV, role, "0");
}

static inline int
ag_child_end(struct ag_child *c, bool killed)
{
	return ag_child_wait(c, killed, AG_STEP_TIMEOUT_MS);
}

/* Kill and reap the child if it runs; safe on a child never started (pid <= 0). */
static inline void
ag_child_kill(struct ag_child *c)
{
	if (c->pid > 0 && !ag_child_gone(c)) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, &c->status, 0);
		c->reaped = true;
	}
}

/* --- telemetry --- */

/* Reply of a telemetry command of this (primary) process, -1 if there is none. */
static inline int
ag_telemetry(const char *cmd, char *out, size_t len)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[1024];
	ssize_t n;
	int fd;

	out[0] = '\0';
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		close(fd);
		return -1;
	}
	/* First message is the server's info. */
	if (read(fd, buf, sizeof(buf)) <= 0 || write(fd, cmd, strlen(cmd)) < 0) {
		close(fd);
		return -1;
	}
	n = read(fd, out, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	out[n] = '\0';
	return 0;
}

/* The integer after "key": in a telemetry reply: 0 and *val if found, else -1. */
static inline int
ag_tel_int(const char *reply, const char *key, int *val)
{
	char pat[64];
	const char *p;
	char *end;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(reply, pat);
	if (p == NULL)
		return -1;
	*val = (int)strtol(p + strlen(pat), &end, 10);
	return end == p + strlen(pat) ? -1 : 0;
}

#endif /* TEST_DMADEV_ACCESS_GROUP_H */
