/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK inter-domain DMA authors
 */

/*
 * dma_access_group example: two DPDK processes agree on inter-process DMA
 * through an access pair group and move data between their memories.
 * See doc/guides/sample_app_ug/dma_access_group.rst.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "dma_ag.h"

struct dag_opts dag_opts = {
	.role = DAG_ROLE_AUTO,
	.size = 16 << 20,
	.iterations = 4,
	.chunk = 64 << 10,
	.nb_desc = 1024,
	.timeout_ms = 10000,
};

volatile sig_atomic_t dag_quit;

static const char *const dag_role_names[] = {
	[DAG_ROLE_AUTO] = "auto",
	[DAG_ROLE_CREATOR] = "creator",
	[DAG_ROLE_JOINER] = "joiner",
};

const char *
dag_role_name(void)
{
	return dag_role_names[dag_opts.role];
}

static void
dag_usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [options]\n"
	       "\n"
	       "Demo (run the primary with --vdev=dma_skag0 --vdev=dma_skag1, then the\n"
	       "same binary with --proc-type=secondary and the same --file-prefix):\n"
	       "  --role creator|joiner  role; default: creator in the primary, joiner in a secondary\n"
	       "  --size BYTES           data moved each way per iteration, K/M/G suffixes (16M)\n"
	       "  --iterations N         round trips creator -> joiner -> creator (4)\n"
	       "  --chunk BYTES          bytes per DMA copy operation (64K)\n"
	       "  --desc N               descriptors per virtual channel (1024)\n"
	       "  --timeout SECONDS      limit of any wait for the peer (10)\n"
	       "  --dev NAME             DMA device (dma_skag0 creator, dma_skag1 joiner)\n"
	       "  --rendezvous DIR       independent primaries (own --file-prefix, --role given):\n"
	       "                         meet in DIR, the rendezvous of their dma_skag devices,\n"
	       "                         and copy over an inter-OS vchan\n"
	       "  --help                 this text\n",
	       prog);
}

/*
 * Parse a decimal number in [min, max]; with bytes, an optional binary K/M/G suffix
 * multiplies it (saturating, so an overflow fails the range check).
 */
static int
dag_parse_num(const char *arg, bool bytes, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	errno = 0;
	if (arg[0] < '0' || arg[0] > '9')
		return -EINVAL;
	v = strtoull(arg, &end, 10);
	if (errno != 0)
		return -EINVAL;
	if (bytes) {
		switch (*end) {
		case 'G': case 'g':
			shift = 30;
			break;
		case 'M': case 'm':
			shift = 20;
			break;
		case 'K': case 'k':
			shift = 10;
			break;
		}
		if (shift != 0) {
			v = v > (ULLONG_MAX >> shift) ? ULLONG_MAX : v << shift;
			end++;
		}
	}
	if (*end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

enum {
	OPT_ROLE = 256, OPT_SIZE, OPT_ITER, OPT_CHUNK, OPT_DESC, OPT_TIMEOUT, OPT_DEV, OPT_RDV,
	OPT_HELP,
};

static int
dag_parse_role(const char *prog, const char *arg)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(dag_role_names); i++)
		if (i != DAG_ROLE_AUTO && strcmp(arg, dag_role_names[i]) == 0)
			break;
	if (i == RTE_DIM(dag_role_names)) {
		fprintf(stderr, "%s: --role must be creator or joiner, not '%s'\n", prog, arg);
		return -EINVAL;
	}
	dag_opts.role = i;
	return 0;
}

/* A number option in [min, max]; range is how the error message names the bounds. */
static int
dag_parse_value(const char *prog, const char *name, const char *arg, bool bytes, uint64_t min,
		uint64_t max, const char *range, uint64_t *out)
{
	if (dag_parse_num(arg, bytes, min, max, out) != 0) {
		fprintf(stderr, "%s: %s must be %s, not '%s'\n", prog, name, range, arg);
		return -EINVAL;
	}
	return 0;
}

/* One option of getopt_long(); returns 0, 1 for --help, or -EINVAL with the error printed. */
static int
dag_parse_opt(int opt, const char *prog, char **argv)
{
	uint64_t v = 0;
	int ret;

	switch (opt) {
	case OPT_ROLE:
		return dag_parse_role(prog, optarg);
	case OPT_SIZE:
		return dag_parse_value(prog, "--size", optarg, true, 1, 1ULL << 30, "1..1G bytes",
				       &dag_opts.size);
	case OPT_ITER:
		ret = dag_parse_value(prog, "--iterations", optarg, false, 1, 1000000,
				      "1..1000000", &v);
		dag_opts.iterations = ret == 0 ? v : dag_opts.iterations;
		return ret;
	case OPT_CHUNK:
		ret = dag_parse_value(prog, "--chunk", optarg, true, 1, 16 << 20, "1..16M bytes",
				      &v);
		dag_opts.chunk = ret == 0 ? v : dag_opts.chunk;
		return ret;
	case OPT_DESC:
		if (dag_parse_num(optarg, false, 2, UINT16_MAX, &v) != 0 ||
		    !rte_is_power_of_2(v)) {
			fprintf(stderr, "%s: --desc must be a power of 2 in 2..32768, not '%s'\n",
				prog, optarg);
			return -EINVAL;
		}
		dag_opts.nb_desc = v;
		return 0;
	case OPT_TIMEOUT:
		ret = dag_parse_value(prog, "--timeout", optarg, false, 1, 3600,
				      "1..3600 seconds", &v);
		dag_opts.timeout_ms = ret == 0 ? v * 1000 : dag_opts.timeout_ms;
		return ret;
	case OPT_DEV:
		if (optarg[0] == '\0') {
			fprintf(stderr, "%s: --dev needs a device name\n", prog);
			return -EINVAL;
		}
		dag_opts.dev_name = optarg;
		return 0;
	case OPT_RDV:
		/* The driver's limit: its socket paths must fit in a sockaddr_un. */
		if (optarg[0] != '/' || strlen(optarg) > 80) {
			fprintf(stderr, "%s: --rendezvous needs an absolute path of at most 80 "
				"characters\n", prog);
			return -EINVAL;
		}
		dag_opts.rendezvous = optarg;
		return 0;
	case OPT_HELP:
		dag_usage(prog);
		return 1;
	default:
		if (optopt != 0)
			fprintf(stderr, "%s: option %s needs a value\n", prog, argv[optind - 1]);
		else
			fprintf(stderr, "%s: unknown option %s\n", prog, argv[optind - 1]);
		fprintf(stderr, "Try '%s -- --help'.\n", prog);
		return -EINVAL;
	}
}

/* Returns 0, 1 for --help, or -EINVAL with the error printed. */
static int
dag_parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, OPT_ROLE },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "iterations", required_argument, NULL, OPT_ITER },
		{ "chunk", required_argument, NULL, OPT_CHUNK },
		{ "desc", required_argument, NULL, OPT_DESC },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "dev", required_argument, NULL, OPT_DEV },
		{ "rendezvous", required_argument, NULL, OPT_RDV },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *prog = argv[0];
	int opt, ret;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		ret = dag_parse_opt(opt, prog, argv);
		if (ret != 0)
			return ret;
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\nTry '%s -- --help'.\n", prog,
			argv[optind], prog);
		return -EINVAL;
	}
	/* Both processes are primaries: nothing tells the roles apart. */
	if (dag_opts.rendezvous != NULL && dag_opts.role == DAG_ROLE_AUTO) {
		fprintf(stderr, "%s: --rendezvous needs --role creator or --role joiner\n", prog);
		return -EINVAL;
	}
	return 0;
}

static void
dag_signal(int sig)
{
	RTE_SET_USED(sig);
	dag_quit = 1;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	char **app_argv;
	int app_argc, sep, ret, i;

	/* Lines reach the launcher as they are printed, even through a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Application options first: --help and mistakes need no hugepages. */
	for (sep = 1; sep < argc; sep++)
		if (strcmp(argv[sep], "--") == 0)
			break;
	app_argc = sep < argc ? argc - sep : 1;
	app_argv = calloc(app_argc + 1, sizeof(*app_argv));
	if (app_argv == NULL) {
		fprintf(stderr, "%s: out of memory\n", argv[0]);
		return EXIT_FAILURE;
	}
	app_argv[0] = argv[0];
	for (i = 1; i < app_argc; i++)
		app_argv[i] = argv[sep + i];

	ret = dag_parse_args(app_argc, app_argv);
	free(app_argv);
	if (ret != 0)
		return ret > 0 ? EXIT_SUCCESS : EXIT_FAILURE;

	ret = rte_eal_init(sep, argv);
	if (ret < 0) {
		fprintf(stderr, "%s: EAL initialization failed: %s\n", argv[0],
			rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = dag_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a wait interrupted by Ctrl-C returns at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (dag_opts.role == DAG_ROLE_AUTO)
		dag_opts.role = rte_eal_process_type() == RTE_PROC_PRIMARY ?
				DAG_ROLE_CREATOR : DAG_ROLE_JOINER;

	switch (dag_opts.role) {
	case DAG_ROLE_CREATOR:
		ret = dag_demo_creator();
		break;
	case DAG_ROLE_JOINER:
		ret = dag_demo_joiner();
		break;
	default:
		ret = -EINVAL;
		break;
	}

	rte_eal_cleanup();
	return ret == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
