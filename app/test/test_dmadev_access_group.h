/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#ifndef TEST_DMADEV_ACCESS_GROUP_H
#define TEST_DMADEV_ACCESS_GROUP_H

/*
 * Helpers of the access pair group autotests that run secondary processes: a secondary re-runs
 * the test binary with the same file prefix and driver plugins, and learns its part from an
 * environment variable. Static inline, so that each test file takes only what it uses.
 */

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
#include <sys/syscall.h>
#include <sys/wait.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_random.h>
#include <rte_string_fns.h>
#include <rte_uuid.h>

#include "test.h"

static inline uint64_t
ag_now_ns(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC is system wide: comparable between processes. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static inline void
ag_uuid_random(rte_uuid_t u)
{
	uint64_t a = rte_rand(), b = rte_rand();

	memcpy(u, &a, sizeof(a));
	memcpy(u + 8, &b, sizeof(b));
	u[0] |= 1;	/* never the null UUID */
}

/* A secondary started by ag_spawn(). */
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

/* Wait up to timeout_ms for the child to exit; 0 if it exited with 0 (killed: by SIGKILL). */
static inline int
ag_child_wait(struct ag_child *c, bool killed, unsigned int timeout_ms)
{
	uint64_t deadline = ag_now_ns() + (uint64_t)timeout_ms * NS_PER_S / MS_PER_S;

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
	if (killed)
		return WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGKILL ? 0 : -1;
	if (!WIFEXITED(c->status) || WEXITSTATUS(c->status) != 0) {
		printf("secondary %d failed (status 0x%x)\n", c->pid, c->status);
		return -1;
	}
	return 0;
}

static inline void
ag_child_kill(struct ag_child *c)
{
	if (c->pid > 0 && !ag_child_gone(c)) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, &c->status, 0);
		c->reaped = true;
	}
}

#endif /* TEST_DMADEV_ACCESS_GROUP_H */
