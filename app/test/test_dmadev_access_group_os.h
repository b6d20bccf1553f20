/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#ifndef TEST_DMADEV_ACCESS_GROUP_OS_H
#define TEST_DMADEV_ACCESS_GROUP_OS_H

/*
 * Helpers of the autotests that run independent primaries (other OS instances for dma_skag):
 * a test re-runs its binary as a primary with a file prefix of its own and the --vdev and -d
 * options of the calling process, so that its devices name the same rendezvous directory.
 * The processes coordinate through a file the test maps in every process, not through DPDK
 * multi-process IPC, which does not reach other applications.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_memory.h>
#include <rte_string_fns.h>

#include "test_dmadev_access_group.h"

#define AG_OS_DEVARG		"rendezvous="
#define AG_OS_MAX_ARGS		48

/* The command line of this process, NUL separated; its length in *len. */
static inline const char *
ag_os_cmdline(size_t *len)
{
	static char cmdline[8192];
	static size_t cmdline_len;
	ssize_t rd;
	int fd;

	if (cmdline_len == 0) {
		fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return NULL;
		while (cmdline_len < sizeof(cmdline) - 1 &&
		       (rd = read(fd, cmdline + cmdline_len,
				  sizeof(cmdline) - 1 - cmdline_len)) > 0)
			cmdline_len += rd;
		close(fd);
		cmdline[cmdline_len] = '\0';
	}
	*len = cmdline_len;
	return cmdline;
}

/*
 * Rendezvous directory given to the dma_skag devices of this process (devarg rendezvous=).
 * Returns 0, or -ENOENT if no device of the command line has one.
 */
static inline int
ag_os_rendezvous(char *dir, size_t len)
{
	const char *cmd, *s, *e;
	size_t n, i;

	cmd = ag_os_cmdline(&n);
	for (i = 0; cmd != NULL && i < n; i += strlen(cmd + i) + 1) {
		if (strstr(cmd + i, "dma_skag") == NULL)
			continue;
		s = strstr(cmd + i, AG_OS_DEVARG);
		if (s == NULL)
			continue;
		s += strlen(AG_OS_DEVARG);
		e = strchr(s, ',');
		if (e == NULL)
			e = s + strlen(s);
		if ((size_t)(e - s) >= len)
			return -ENAMETOOLONG;
		memcpy(dir, s, e - s);
		dir[e - s] = '\0';
		return 0;
	}
	return -ENOENT;
}

/*
 * Append to argv the options of this process's command line that an independent primary of
 * the same test repeats: the driver plugins (-d) and the devices (--vdev), so that its
 * devices have the same devargs, rendezvous included. Returns the new argument count.
 */
static inline size_t
ag_os_inherited_args(const char **argv, size_t n, size_t max)
{
	const char *cmd, *a;
	size_t len, i;
	bool opt;

	cmd = ag_os_cmdline(&len);
	for (i = 0; cmd != NULL && i < len && n + 2 < max; i += strlen(cmd + i) + 1) {
		a = cmd + i;
		opt = strncmp(a, "-d", 2) == 0 || strncmp(a, "--vdev", 6) == 0;
		if (!opt)
			continue;
		argv[n++] = a;
		/* "-d X" or "--vdev X": the value is the next argument. */
		if ((strcmp(a, "-d") == 0 || strcmp(a, "--vdev") == 0) && i + strlen(a) + 1 < len) {
			i += strlen(a) + 1;
			argv[n++] = cmd + i;
		}
	}
	return n;
}

/* The file prefix of this process's application. */
static inline const char *
ag_os_prefix(void)
{
	static char rundir[PATH_MAX];

	strlcpy(rundir, rte_eal_get_runtime_dir(), sizeof(rundir));
	return basename(rundir);
}

/*
 * Remove what the application with file prefix "prefix" leaves behind when it is killed: its
 * runtime directory and its hugepage files (the memory stays for the processes that map it).
 */
static inline void
ag_os_prefix_cleanup(const char *prefix)
{
	char path[PATH_MAX], mnt[PATH_MAX], type[64], line[1024];
	struct dirent *de;
	size_t plen = strlen(prefix);
	FILE *f;
	DIR *d;

	/* Never every application's files. */
	if (prefix[0] == '\0' ||
	    snprintf(path, sizeof(path), "/var/run/dpdk/%s", prefix) >= (int)sizeof(path))
		return;
	d = opendir(path);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			char file[PATH_MAX * 2];

			if (de->d_name[0] == '.')
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
			unlink(file);
		}
		closedir(d);
		rmdir(path);
	}
	f = fopen("/proc/mounts", "re");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%*s %1023s %63s", mnt, type) != 2 ||
		    strcmp(type, "hugetlbfs") != 0)
			continue;
		d = opendir(mnt);
		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			char file[PATH_MAX * 2];

			/* <prefix>map_<n>: not a longer prefix of another application. */
			if (strncmp(de->d_name, prefix, plen) != 0 ||
			    strncmp(de->d_name + plen, "map_", 4) != 0)
				continue;
			snprintf(file, sizeof(file), "%s/%s", mnt, de->d_name);
			unlink(file);
		}
		closedir(d);
	}
	fclose(f);
}

/*
 * Start an independent primary: this test binary again, running the autotest test on lcores,
 * with file prefix "prefix", the -d and --vdev options of this process, role_env=role and
 * ctl_env=ctl in its environment, and its output in log (appended), or this process's if NULL.
 */
static inline int
ag_os_spawn(struct ag_child *c, const char *test, const char *prefix, const char *lcores,
	    const char *role_env, const char *role, const char *ctl_env, const char *ctl,
	    const char *log)
{
	char prefix_arg[PATH_MAX], test_env[128], role_str[128], ctl_str[PATH_MAX];
	size_t n, i, j, role_len = strlen(role_env), ctl_len = strlen(ctl_env);
	const char *argv[AG_OS_MAX_ARGS];
	char **envp;
	int log_fd = -1;
	pid_t pid;

	ag_os_prefix_cleanup(prefix);
	if (snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=%s", prefix) >=
	    (int)sizeof(prefix_arg) ||
	    snprintf(test_env, sizeof(test_env), "DPDK_TEST=%s", test) >= (int)sizeof(test_env) ||
	    snprintf(role_str, sizeof(role_str), "%s=%s", role_env, role) >=
	    (int)sizeof(role_str) ||
	    snprintf(ctl_str, sizeof(ctl_str), "%s=%s", ctl_env, ctl) >= (int)sizeof(ctl_str))
		return -ENAMETOOLONG;
	argv[0] = prgname;
	argv[1] = prefix_arg;
	argv[2] = "--no-pci";
	argv[3] = "-l";
	argv[4] = lcores;
	argv[5] = "--log-level=lib.eal:warning";
	n = ag_os_inherited_args(argv, 6, RTE_DIM(argv));
	argv[n] = NULL;

	for (n = 0; environ[n] != NULL; n++)
		;
	envp = calloc(n + 4, sizeof(*envp));
	if (envp == NULL)
		return -ENOMEM;
	for (i = 0, j = 0; i < n; i++) {
		if (strncmp(environ[i], "DPDK_TEST=", 10) == 0 ||
		    (strncmp(environ[i], role_env, role_len) == 0 &&
		     environ[i][role_len] == '=') ||
		    (strncmp(environ[i], ctl_env, ctl_len) == 0 && environ[i][ctl_len] == '='))
			continue;
		envp[j++] = environ[i];
	}
	envp[j++] = test_env;
	envp[j++] = role_str;
	envp[j++] = ctl_str;
	envp[j] = NULL;
	if (log != NULL) {
		log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (log_fd < 0) {
			free(envp);
			return -errno;
		}
	}

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		free(envp);
		if (log_fd >= 0)
			close(log_fd);
		return -errno;
	}
	if (pid == 0) {
		/* Dies with the test; keeps none of its files (hugepage fds, sockets). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (log_fd >= 0) {
			dup2(log_fd, STDOUT_FILENO);
			dup2(log_fd, STDERR_FILENO);
		}
		syscall(SYS_close_range, 3U, ~0U, 0U);
		execve("/proc/self/exe", (char *const *)(uintptr_t)argv, envp);
		_exit(127);
	}
	free(envp);
	if (log_fd >= 0)
		close(log_fd);
	c->pid = pid;
	c->reaped = false;
	c->status = 0;
	return 0;
}

/*
 * Ends of the applications a test starts. Reaping one (waitpid()) can keep the kernel busy for
 * tens of seconds under load: on Linux 6.18, release_task() flushes the /proc dentries of the
 * child (proc_invalidate_siblings_dcache(), shrink_dcache_parent()), which stalls the reaping
 * thread and slows down what else reads /proc meanwhile. So the test only looks at how a child
 * ended (waitid() with WNOWAIT, which leaves the zombie as it is) and reaps the children that
 * ended once its cases are done.
 */
#define AG_OS_ZOMBIES		64
#define AG_OS_KILL_MS		30000

static struct {
	pid_t pid[AG_OS_ZOMBIES];
	unsigned int nb;
} ag_os_zombies;

/* Reap an ended child later; at once if too many wait. */
static inline void
ag_os_reap_later(pid_t pid)
{
	if (ag_os_zombies.nb < AG_OS_ZOMBIES)
		ag_os_zombies.pid[ag_os_zombies.nb++] = pid;
	else
		waitpid(pid, NULL, 0);
}

/* Reap the children that ended; returns the slowest reap in ms. */
static inline double
ag_os_reap_all(void)
{
	uint64_t t0, max = 0;

	while (ag_os_zombies.nb > 0) {
		t0 = ag_now_ns();
		waitpid(ag_os_zombies.pid[--ag_os_zombies.nb], NULL, 0);
		max = RTE_MAX(max, ag_now_ns() - t0);
	}
	return (double)max / 1e6;
}

/*
 * Whether child c ended; if so, its wait status is in c->status (c->reaped is set: the child is
 * the reaper's from then on).
 */
static inline bool
ag_os_child_gone(struct ag_child *c)
{
	siginfo_t si = { .si_pid = 0 };

	if (c->reaped || c->pid <= 0)
		return true;
	if (waitid(P_PID, c->pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid != c->pid)
		return false;
	if (si.si_code == CLD_EXITED)
		c->status = (si.si_status & 0xff) << 8;
	else
		c->status = (si.si_status & 0x7f) | (si.si_code == CLD_DUMPED ? 0x80 : 0);
	c->reaped = true;
	ag_os_reap_later(c->pid);
	return true;
}

/* Kill child c if it runs and wait until it ended; the reaper waits longer if need be. */
static inline void
ag_os_child_kill(struct ag_child *c)
{
	uint64_t deadline = ag_now_ns() + ag_ms_to_ns(AG_OS_KILL_MS);

	if (c->pid <= 0 || ag_os_child_gone(c))
		return;
	kill(c->pid, SIGKILL);
	while (!ag_os_child_gone(c)) {
		if (ag_now_ns() > deadline) {
			printf("child %d still there %d ms after SIGKILL\n", c->pid,
			       AG_OS_KILL_MS);
			c->reaped = true;
			ag_os_reap_later(c->pid);
			return;
		}
		rte_delay_us_sleep(1000);
	}
}

/*
 * Wait up to timeout_ms for child c to end; 0 if it exited with 0 (killed: by SIGKILL). Killed
 * when the time is up.
 */
static inline int
ag_os_child_wait(struct ag_child *c, bool killed, unsigned int timeout_ms)
{
	uint64_t deadline = ag_now_ns() + ag_ms_to_ns(timeout_ms);

	while (!ag_os_child_gone(c)) {
		if (ag_now_ns() > deadline) {
			printf("child %d did not exit within %u ms\n", c->pid, timeout_ms);
			ag_os_child_kill(c);
			return -1;
		}
		rte_delay_us_sleep(1000);
	}
	return ag_child_ended_as(c, killed);
}

/* Map len bytes of the file path shared by the processes of a test, zeroed if created. */
static inline void *
ag_os_shm_map(const char *path, size_t len, bool create)
{
	void *p;
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0), 0600);
	if (fd < 0)
		return NULL;
	if (create && ftruncate(fd, len) != 0) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* Open file descriptors of this process (entries of /proc/self/fd, the walk's own excluded). */
static inline int
ag_os_fd_count(void)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;
}

#define AG_OS_MAX_MSL	256

struct ag_os_msls {
	unsigned int nb;
	uintptr_t start[AG_OS_MAX_MSL];
	uintptr_t end[AG_OS_MAX_MSL];
};

static inline int
ag_os_msl_add(const struct rte_memseg_list *msl, void *arg)
{
	struct ag_os_msls *m = arg;

	if (m->nb == AG_OS_MAX_MSL)
		return -1;
	m->start[m->nb] = (uintptr_t)msl->base_va;
	m->end[m->nb] = (uintptr_t)msl->base_va + msl->len;
	m->nb++;
	return 0;
}

/*
 * Mappings of files by this process: lines of /proc/self/maps with an inode, but for those in
 * the address ranges EAL reserved for its own memory, which its allocator maps and unmaps page
 * by page as its heap grows and shrinks. What a process maps of the memory of another (or
 * leaks) is a file (memfd or hugetlbfs) outside them. Anonymous mappings come and go with
 * libc's and the sanitizers' allocators.
 */
static inline int
ag_os_maps_count(void)
{
	struct ag_os_msls m = { .nb = 0 };
	uint64_t inode;
	uintptr_t start, end;
	char line[512];
	unsigned int i;
	bool own;
	FILE *f;
	int n = 0;

	if (rte_memseg_list_walk(ag_os_msl_add, &m) != 0)
		return -1;
	f = fopen("/proc/self/maps", "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strchr(line, '\n') == NULL) {
			char rest[64];

			while (fgets(rest, sizeof(rest), f) != NULL && strchr(rest, '\n') == NULL)
				;
		}
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %*s %*s %*s %" SCNu64, &start, &end,
			   &inode) != 3) {
			n = -1;
			break;
		}
		for (i = 0, own = false; i < m.nb && !own; i++)
			own = start >= m.start[i] && end <= m.end[i];
		n += !own && inode != 0;
	}
	fclose(f);
	return n;
}

#endif /* TEST_DMADEV_ACCESS_GROUP_OS_H */
