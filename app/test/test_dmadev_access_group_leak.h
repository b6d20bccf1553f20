/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#ifndef TEST_DMADEV_ACCESS_GROUP_LEAK_H
#define TEST_DMADEV_ACCESS_GROUP_LEAK_H

/*
 * Search of a group token in captured output (logs, traces, dumps), for the tests which must
 * show that the token never leaks. Needs memmem(): _GNU_SOURCE, as DPDK builds with.
 */

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_uuid.h>

/* n bytes of p in hex, last byte first if reverse (a little-endian word printed). */
static inline void
ag_leak_hex(char *out, const uint8_t *p, size_t n, bool reverse, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t b = p[reverse ? n - 1 - i : i];

		out[2 * i] = digits[b >> 4];
		out[2 * i + 1] = digits[b & 0xf];
	}
	out[2 * n] = '\0';
}

/*
 * How a token shows in buf, or NULL if it does not: its bytes or either 8-byte half, in hex
 * (also a half printed as a 64-bit word) or as a uuid string, in either case.
 */
static inline const char *
ag_token_leak(const void *buf, size_t len, const rte_uuid_t t)
{
	static char what[64];
	char s[2 * sizeof(rte_uuid_t) + 1];
	unsigned int h, c, i;

	if (buf == NULL)
		return NULL;
	if (memmem(buf, len, t, sizeof(rte_uuid_t)) != NULL)
		return "raw bytes";
	for (h = 0; h < 2; h++) {
		if (memmem(buf, len, &t[8 * h], 8) != NULL) {
			snprintf(what, sizeof(what), "raw bytes of half %u", h);
			return what;
		}
	}
	for (c = 0; c < 2; c++) {
		rte_uuid_unparse(t, s, sizeof(s));
		for (i = 0; c == 1 && s[i] != '\0'; i++)
			s[i] = toupper((unsigned char)s[i]);
		if (memmem(buf, len, s, strlen(s)) != NULL)
			return "uuid string";
		ag_leak_hex(s, t, sizeof(rte_uuid_t), false, c == 1);
		if (memmem(buf, len, s, strlen(s)) != NULL)
			return "hex";
		for (h = 0; h < 4; h++) {
			ag_leak_hex(s, &t[8 * (h & 1)], 8, h >= 2, c == 1);
			if (memmem(buf, len, s, strlen(s)) != NULL) {
				snprintf(what, sizeof(what), "hex of half %u%s", h & 1,
					 h >= 2 ? " as a 64-bit word" : "");
				return what;
			}
		}
	}
	return NULL;
}

#endif /* TEST_DMADEV_ACCESS_GROUP_LEAK_H */
