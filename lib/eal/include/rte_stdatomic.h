/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The DPDK inter-domain DMA authors
 */

#ifndef RTE_STDATOMIC_H
#define RTE_STDATOMIC_H

/**
 * @file
 *
 * Atomic operations with explicit memory order, under the names DPDK uses from 23.11 on.
 *
 * This release has no C11 atomics option: the operations map to the compiler's __atomic
 * built-ins and RTE_ATOMIC() leaves the type as it is. Code written with these names builds
 * unchanged with later releases, where they may map to C11 <stdatomic.h>.
 */

#ifdef __cplusplus
extern "C" {
#endif

/** The type of an object accessed with the operations below. */
#define RTE_ATOMIC(type) type

/** Qualifier of an atomic object, where a declaration cannot use RTE_ATOMIC(). */
#define __rte_atomic

/** Memory orders, as the C11 ones. */
#define rte_memory_order_relaxed __ATOMIC_RELAXED /**< No ordering. */
#define rte_memory_order_consume __ATOMIC_CONSUME /**< Dependency ordered load. */
#define rte_memory_order_acquire __ATOMIC_ACQUIRE /**< Acquire load. */
#define rte_memory_order_release __ATOMIC_RELEASE /**< Release store. */
#define rte_memory_order_acq_rel __ATOMIC_ACQ_REL /**< Acquire and release. */
#define rte_memory_order_seq_cst __ATOMIC_SEQ_CST /**< Sequentially consistent. */

/** Load *ptr. */
#define rte_atomic_load_explicit(ptr, memorder) \
	__atomic_load_n(ptr, memorder)

/** Store val to *ptr. */
#define rte_atomic_store_explicit(ptr, val, memorder) \
	__atomic_store_n(ptr, val, memorder)

/** Store val to *ptr; returns the previous value. */
#define rte_atomic_exchange_explicit(ptr, val, memorder) \
	__atomic_exchange_n(ptr, val, memorder)

/**
 * Store desired to *ptr if *ptr equals *expected, else load *ptr into *expected; returns
 * whether the store was made.
 */
#define rte_atomic_compare_exchange_strong_explicit(ptr, expected, desired, \
		succ_memorder, fail_memorder) \
	__atomic_compare_exchange_n(ptr, expected, desired, 0, succ_memorder, fail_memorder)

/** As rte_atomic_compare_exchange_strong_explicit(), but may fail spuriously. */
#define rte_atomic_compare_exchange_weak_explicit(ptr, expected, desired, \
		succ_memorder, fail_memorder) \
	__atomic_compare_exchange_n(ptr, expected, desired, 1, succ_memorder, fail_memorder)

/** Add val to *ptr; returns the previous value. */
#define rte_atomic_fetch_add_explicit(ptr, val, memorder) \
	__atomic_fetch_add(ptr, val, memorder)

/** Subtract val from *ptr; returns the previous value. */
#define rte_atomic_fetch_sub_explicit(ptr, val, memorder) \
	__atomic_fetch_sub(ptr, val, memorder)

/** And val into *ptr; returns the previous value. */
#define rte_atomic_fetch_and_explicit(ptr, val, memorder) \
	__atomic_fetch_and(ptr, val, memorder)

/** Or val into *ptr; returns the previous value. */
#define rte_atomic_fetch_or_explicit(ptr, val, memorder) \
	__atomic_fetch_or(ptr, val, memorder)

/** Xor val into *ptr; returns the previous value. */
#define rte_atomic_fetch_xor_explicit(ptr, val, memorder) \
	__atomic_fetch_xor(ptr, val, memorder)

#ifdef __cplusplus
}
#endif

#endif /* RTE_STDATOMIC_H */
