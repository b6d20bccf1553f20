/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

/*
 * Run a libFuzzer harness on stored inputs without libFuzzer: each argument is an input file
 * or a directory of them (not recursive). Each input runs in a child process, so that one
 * failing input does not hide the others; any failure, or no input at all, fails.
 */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned int nb_inputs;
static unsigned int nb_failed;

/* Run one input in a child; a crash or abort of the harness fails it. */
static int
run_input(const char *path, const uint8_t *buf, size_t len)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return -1;
	}
	if (pid == 0) {
		LLVMFuzzerTestOneInput(buf, len);
		exit(0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return -1;
	}
	nb_inputs++;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s: FAILED (%s %d)\n", path,
			WIFSIGNALED(status) ? "signal" : "exit status",
			WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		nb_failed++;
	}
	return 0;
}

static int
run_file(const char *path)
{
	uint8_t *buf = NULL;
	long len;
	FILE *f;
	int rc = -1;

	f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc(len > 0 ? len : 1);
		if (buf != NULL && fread(buf, 1, len, f) == (size_t)len)
			rc = run_input(path, buf, len);
	}
	if (rc != 0)
		fprintf(stderr, "%s: cannot run\n", path);
	free(buf);
	fclose(f);
	return rc;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* Files of a directory in name order, so runs are reproducible. */
static int
run_dir(const char *dir)
{
	struct dirent *de;
	char **names = NULL, path[4096];
	size_t nb = 0, i;
	int rc = 0;
	DIR *d;

	d = opendir(dir);
	if (d == NULL) {
		perror(dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char **n;

		if (de->d_name[0] == '.')
			continue;
		n = realloc(names, (nb + 1) * sizeof(*names));
		if (n == NULL) {
			rc = -1;
			break;
		}
		names = n;
		names[nb] = strdup(de->d_name);
		if (names[nb++] == NULL) {
			rc = -1;
			break;
		}
	}
	closedir(d);
	if (rc == 0)
		qsort(names, nb, sizeof(*names), name_cmp);
	for (i = 0; i < nb; i++) {
		if (rc == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			rc = run_file(path);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	struct stat st;
	int i, rc = 0;

	for (i = 1; i < argc && rc == 0; i++) {
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			rc = -1;
		} else {
			rc = S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]);
		}
	}
	printf("%s: %u inputs run, %u failed\n", argv[0], nb_inputs, nb_failed);
	if (rc != 0 || nb_inputs == 0) {
		fprintf(stderr, "%s: %s\n", argv[0], rc != 0 ? "cannot run" : "no input given");
		return 1;
	}
	return nb_failed == 0 ? 0 : 1;
}
