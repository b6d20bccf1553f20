/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK inter-domain DMA authors
 */

/*
 * Runner of the standalone autotest programs: like dpdk-test with DPDK_TEST set, it initializes
 * EAL with the command line, runs the autotest named by DPDK_TEST and exits with 0 only if it
 * passed. A secondary process started by a test runs the same way.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>

#include "test.h"

const char *prgname;
static struct test_command *commands;

void
add_test_command(struct test_command *t)
{
	t->next = commands;
	commands = t;
}

int
unit_test_suite_runner(struct unit_test_suite *suite)
{
	unsigned int total = 0, passed = 0;
	struct unit_test_case *tc;
	int rc;

	printf(" + Test Suite : %s\n", suite->suite_name);
	if (suite->setup != NULL && suite->setup() != TEST_SUCCESS) {
		printf(" + Test Suite setup failed\n");
		return TEST_FAILED;
	}
	for (tc = suite->unit_test_cases; tc->name != NULL; tc++) {
		total++;
		rc = tc->setup != NULL ? tc->setup() : TEST_SUCCESS;
		if (rc == TEST_SUCCESS)
			rc = tc->testcase != NULL ? tc->testcase() : tc->testcase_with_data(tc->data);
		/* As dpdk-test: the teardown undoes whatever a failed setup did. */
		if (tc->teardown != NULL)
			tc->teardown();
		/* A skip is a check that did not run: it fails too. */
		printf(" + TestCase [%2u] : %s %s\n", total - 1, tc->name,
		       rc == TEST_SUCCESS ? "succeeded" :
		       rc == TEST_SKIPPED ? "skipped (counted as failed)" : "failed");
		passed += rc == TEST_SUCCESS;
	}
	if (suite->teardown != NULL)
		suite->teardown();
	printf(" + Tests Total : %2u, Passed : %2u, Failed : %2u\n", total, passed,
	       total - passed);
	return total > 0 && passed == total ? TEST_SUCCESS : TEST_FAILED;
}

int
main(int argc, char **argv)
{
	const char *name = getenv("DPDK_TEST");
	struct test_command *t;
	int rc;

	prgname = argv[0];
	if (name == NULL) {
		fprintf(stderr, "%s: set DPDK_TEST to one of:", argv[0]);
		for (t = commands; t != NULL; t = t->next)
			fprintf(stderr, " %s", t->name);
		fprintf(stderr, "\n");
		return EXIT_FAILURE;
	}
	for (t = commands; t != NULL; t = t->next)
		if (strcmp(t->name, name) == 0)
			break;
	if (t == NULL) {
		fprintf(stderr, "%s: no test %s in this program\n", argv[0], name);
		return EXIT_FAILURE;
	}
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "%s: cannot initialize EAL\n", argv[0]);
		return EXIT_FAILURE;
	}
	rc = t->func();
	printf("%s\n", rc == TEST_SUCCESS ? "Test OK" : "Test Failed");
	rte_eal_cleanup();
	return rc == TEST_SUCCESS ? EXIT_SUCCESS : EXIT_FAILURE;
}
