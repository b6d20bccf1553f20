/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK inter-domain DMA authors
 */

#ifndef STANDALONE_TEST_H
#define STANDALONE_TEST_H

/*
 * The part of dpdk-test's harness (app/test/test.h) that our autotests use, written for
 * standalone programs: the same autotest sources then run on an installed DPDK, which ships
 * dpdk-test without them. Stricter than dpdk-test on purpose: a case that is skipped, or whose
 * setup does not succeed, fails its suite.
 */

#include <stdio.h>

#include <rte_common.h>

#define TEST_SUCCESS	0
#define TEST_FAILED	(-1)
#define TEST_SKIPPED	77

#define TEST_ASSERT(cond, ...) do { \
	if (!(cond)) { \
		printf("TestCase %s() line %d failed: ", __func__, __LINE__); \
		printf(__VA_ARGS__); \
		printf("\n"); \
		return TEST_FAILED; \
	} \
} while (0)

#define TEST_ASSERT_EQUAL(a, b, ...) TEST_ASSERT((a) == (b), __VA_ARGS__)
#define TEST_ASSERT_SUCCESS(val, ...) TEST_ASSERT((val) == 0, __VA_ARGS__)
#define TEST_ASSERT_NOT_NULL(val, ...) TEST_ASSERT((val) != NULL, __VA_ARGS__)

/* A case runs testcase(), or testcase_with_data(data). */
struct unit_test_case {
	int (*setup)(void);
	void (*teardown)(void);
	int (*testcase)(void);
	int (*testcase_with_data)(const void *data);
	const char *name;
	const void *data;
};

#define TEST_CASE_ST(st, td, fn) \
	{ .setup = st, .teardown = td, .testcase = fn, .name = #fn }
#define TEST_CASE(fn) TEST_CASE_ST(NULL, NULL, fn)
#define TEST_CASE_NAMED_WITH_DATA(nm, st, td, fn, dt) \
	{ .setup = st, .teardown = td, .testcase_with_data = fn, .name = nm, .data = dt }
#define TEST_CASES_END() { .name = NULL }

struct unit_test_suite {
	const char *suite_name;
	int (*setup)(void);
	void (*teardown)(void);
	struct unit_test_case unit_test_cases[];
};

/* Runs every case; TEST_SUCCESS only if every case succeeded. */
int unit_test_suite_runner(struct unit_test_suite *suite);

/* argv[0] of the program, for the processes a test starts. */
extern const char *prgname;

struct test_command {
	const char *name;
	int (*func)(void);
	struct test_command *next;
};

void add_test_command(struct test_command *t);

#define REGISTER_TEST_COMMAND(cmd, func) \
	static struct test_command test_command_ ## cmd = { RTE_STR(cmd), func, NULL }; \
	RTE_INIT(test_register_ ## cmd) \
	{ \
		add_test_command(&test_command_ ## cmd); \
	}

#define REGISTER_FAST_TEST(cmd, no_huge, asan, func) REGISTER_TEST_COMMAND(cmd, func)
#define REGISTER_DRIVER_TEST(cmd, func) REGISTER_TEST_COMMAND(cmd, func)
#define REGISTER_PERF_TEST(cmd, func) REGISTER_TEST_COMMAND(cmd, func)

#endif /* STANDALONE_TEST_H */
