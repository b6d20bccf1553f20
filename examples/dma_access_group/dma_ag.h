/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK inter-domain DMA authors
 */

#ifndef DMA_AG_H
#define DMA_AG_H

/*
 * Shared declarations of the dma_access_group example: options, logging
 * and the DMA helpers of the demo.
 */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <rte_dmadev.h>
#include <rte_uuid.h>

/* Roles a process of the example can play. */
enum dag_role {
	DAG_ROLE_AUTO,		/* creator in the primary, joiner in a secondary */
	DAG_ROLE_CREATOR,
	DAG_ROLE_JOINER,
};

struct dag_opts {
	enum dag_role role;
	uint64_t size;		/* demo: bytes moved each way per iteration */
	uint32_t iterations;	/* demo: number of round trips */
	uint32_t chunk;		/* demo: bytes per DMA operation */
	uint16_t nb_desc;	/* descriptors per virtual channel */
	unsigned int timeout_ms; /* limit for any wait on the peer */
	const char *dev_name;	/* device, NULL: dma_skag0 (creator) / ag1 (joiner) */
	const char *rendezvous;	/* independent primaries meet there, NULL: multi-process */
};

extern struct dag_opts dag_opts;
extern volatile sig_atomic_t dag_quit;	/* set by SIGINT/SIGTERM */

#define DAG_MSG(fmt, ...) printf("[%s] " fmt "\n", dag_role_name(), ##__VA_ARGS__)
#define DAG_ERR(fmt, ...) fprintf(stderr, "[%s] ERROR: " fmt "\n", dag_role_name(), ##__VA_ARGS__)

const char *dag_role_name(void);

static inline uint64_t
dag_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Text form of a UUID, for the logs (never used for tokens). */
struct dag_uuid_str {
	char s[37];
};
struct dag_uuid_str dag_uuid_str(const rte_uuid_t uuid);

const char *dag_event_name(enum rte_dma_access_pair_group_event_type ev);
const char *dag_status_name(enum rte_dma_status_code st);

/* Find a device by name and check it supports inter-process transfers (if asked). */
int dag_dev_lookup(const char *name, bool inter_process, int16_t *dev_id);

/*
 * Configure and start a device with one virtual channel per entry of domains
 * (an entry of type RTE_DMA_INTER_DOMAIN_NONE makes a local channel).
 */
int dag_dev_setup(int16_t dev_id, const struct rte_dma_inter_domain_param *domains,
		uint16_t nb_vchans, uint16_t nb_desc);

/*
 * Copy len bytes from src to dst in operations of at most chunk bytes and wait
 * for all of them. Returns 0 when every operation succeeded, -EIO if some
 * failed (*nb_failed, *first_status), -ETIMEDOUT if the device stopped making
 * progress, -EINTR on a quit request, or the enqueue error.
 */
int dag_dma_copy(int16_t dev_id, uint16_t vchan, rte_iova_t src, rte_iova_t dst, uint64_t len,
		uint32_t chunk, uint64_t *nb_failed, enum rte_dma_status_code *first_status);

/* Deterministic pattern of a seed, to check data without shipping it. */
void dag_pattern_fill(uint8_t *buf, uint64_t len, uint64_t seed);
/* Offset of the first byte differing from the pattern, or len if none. */
uint64_t dag_pattern_check(const uint8_t *buf, uint64_t len, uint64_t seed);

int dag_demo_creator(void);
int dag_demo_joiner(void);

#endif /* DMA_AG_H */
