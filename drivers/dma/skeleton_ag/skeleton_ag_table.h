/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#ifndef SKELETON_AG_TABLE_H
#define SKELETON_AG_TABLE_H

/**
 * @file
 *
 * Access pair group table of the skeleton_ag DMA driver.
 *
 * One table lives in one shared memory block used by several processes. It holds the groups,
 * their members (one per domain and device), the handlers the data path uses to name a member,
 * and one event mailbox per attached process. It stores indexes, not pointers, so the block may
 * be mapped anywhere. The module is plain C11 + POSIX and knows nothing of EAL.
 *
 * Every operation takes the process-shared robust table lock internally. A departure (a member
 * leaving, a group ending) and its events are one transition recorded in the table: a process
 * that dies at any point of an operation leaves a table whose next locker finishes or undoes
 * the operation, so that every remaining member gets each event exactly once.
 *
 * A device is named by its id and the OS instance (the application) it belongs to: device ids
 * of different applications are unrelated.
 *
 * Unless stated otherwise, functions return 0 or a negative errno and leave the table unchanged
 * on error.
 */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Maximum number of groups in a table. */
#define SKAG_MAX_GROUPS		1024
/** Maximum number of members in a group (creator included). */
#define SKAG_MAX_MEMBERS	64
/** Smallest and default table sizes. */
#define SKAG_MIN_GROUPS		1
#define SKAG_MIN_MEMBERS	2
#define SKAG_DEF_GROUPS		64
#define SKAG_DEF_MEMBERS	8
/** Number of process slots in a table. */
#define SKAG_MAX_PROCS		32
/** Events a process mailbox holds before it drops. */
#define SKAG_EVQ_SIZE		256
/** Size of a domain id and of a token (UUID). */
#define SKAG_UUID_LEN		16

/** Member roles, see struct skag_member_info. */
#define SKAG_ROLE_CREATOR	1
#define SKAG_ROLE_JOINER	2

/** Event types; same values as enum rte_dma_access_pair_group_event_type. */
#define SKAG_EV_MEMBER_LEFT		0
#define SKAG_EV_GROUP_DESTROYED		1

/** Opaque table; it is the start of the shared memory block. */
struct skag_tbl;

/** Event delivered to the process that registered a member. */
struct skag_event {
	uint64_t seq;		/**< Departure the event reports; unique in the table. */
	int16_t dev_id;		/**< Device of the recipient member. */
	int16_t group_id;	/**< Group of the recipient member. */
	uint16_t member_idx;	/**< Slot of the recipient member in its group. */
	uint32_t member_gen;	/**< Generation of the recipient member slot when posted. */
	/** MEMBER_LEFT: the leaver's domain; GROUP_DESTROYED: the recipient's own domain. */
	uint8_t domain[SKAG_UUID_LEN];
	uint8_t type;		/**< SKAG_EV_*. */
};

/** Description of one member; never carries the group token. */
struct skag_member_info {
	uint8_t domain[SKAG_UUID_LEN];
	uint64_t instance;	/**< OS instance of the member's process. */
	int32_t pid;
	int16_t dev_id;
	uint16_t handler;
	uint8_t role;		/**< SKAG_ROLE_*. */
	uint8_t want_events;
};

/** Table counters. */
struct skag_tbl_stats {
	uint32_t live_groups;
	uint32_t live_members;
	uint32_t procs;		/**< Attached processes. */
	uint32_t repairs;	/**< Repairs run after a lock owner died. */
	uint32_t ev_dropped;	/**< Events dropped on full mailboxes of attached processes. */
	uint16_t max_groups;
	uint16_t max_members;
};

/**
 * A member as the process that made it knows it: it is the member as long as the slot keeps
 * its generation.
 */
struct skag_member_ref {
	int16_t group_id;
	uint16_t member_idx;
	uint32_t gen;
};

/**
 * What an inter-domain channel needs to check, lock-free, that it may still run: the source,
 * destination and submitting members of one group. Any departure from the group changes its
 * epoch, so one load tells that all three are still members; after a change,
 * skag_link_revalidate() looks at the three members themselves. The pointers are valid in the
 * process that resolved or last rebound the link (skag_link_rebind()).
 */
struct skag_link {
	const _Atomic uint32_t *epoch;		/**< Departure count of the group. */
	uint32_t epoch_seen;			/**< Value when all three were last seen live. */
	const _Atomic uint32_t *gen[3];		/**< Generation words of src, dst, self. */
	uint32_t gen_live[3];			/**< Their values while live. */
	int16_t group_id;
	uint16_t member_idx[3];			/**< Slots of src, dst, self in the group. */
	int32_t pid[3];				/**< Their processes. */
	uint64_t instance[3];			/**< Their OS instances. */
};

/** Index in struct skag_link::gen of each member. */
enum skag_link_member {
	SKAG_LINK_SRC,
	SKAG_LINK_DST,
	SKAG_LINK_SELF,
};

/**
 * Points of the table's mutations where the unit tests kill the process (with the table lock
 * held) to check that the next locker repairs the table. Only built with SKAG_TABLE_CRASH_TEST.
 */
enum skag_crash_point {
	SKAG_CP_CREATE,		/**< Creator member live, group not yet live. */
	SKAG_CP_JOIN,		/**< Joiner member written, not yet live. */
	SKAG_CP_END_START,	/**< Departure recorded, nothing done yet. */
	SKAG_CP_POSTED,		/**< An event posted, not yet recorded as posted. */
	SKAG_CP_STEP,		/**< One recipient or member of a departure done. */
	SKAG_CP_END_DONE,	/**< Departure done but for its final commit. */
};

#ifdef SKAG_TABLE_CRASH_TEST
/** Called with the table lock held at each crash point; NULL by default. */
extern void (*skag_test_crash_point)(enum skag_crash_point cp);

/**
 * Check the rules the table keeps between operations (tests only): no slot departing, the
 * derived counts, the handler map and the free group id FIFO match the slot states, every live
 * group has its creator in slot 0, handlers, devices and domains are unique where they must be,
 * free groups hold no token, members belong to attached processes, and each mailbox holds
 * well-formed events, each departure at most once per recipient and none about the recipient.
 * Takes the table lock like any operation, so a repair pending after a crash runs first.
 *
 * @param msg
 *   Buffer for a description of the first broken rule (may be NULL).
 * @return
 *   0 if every rule holds, -EPROTO if one is broken, -EINVAL, or a negative errno of the
 *   table lock.
 */
int skag_tbl_check(struct skag_tbl *t, char *msg, size_t len);
#endif

/**
 * Size of the memory block for a table.
 *
 * @return
 *   Size in bytes, 0 if max_groups is not in SKAG_MIN_GROUPS..SKAG_MAX_GROUPS or
 *   max_members not in SKAG_MIN_MEMBERS..SKAG_MAX_MEMBERS.
 */
size_t skag_tbl_size(uint16_t max_groups, uint16_t max_members);

/**
 * Initialize a table in a memory block; done once, by the process that creates the block.
 *
 * @param mem
 *   Block, shared by all processes, aligned to at least 8 bytes.
 * @param len
 *   Block length, at least skag_tbl_size(max_groups, max_members).
 * @return
 *   0, -EINVAL on bad sizes or alignment, or a negative errno of pthread mutex init.
 */
int skag_tbl_init(void *mem, size_t len, uint16_t max_groups, uint16_t max_members);

/**
 * Attach to a table initialized by skag_tbl_init() (possibly by another process).
 *
 * @return
 *   The table (same address as mem), NULL if the block holds no table of a matching version
 *   and size.
 */
struct skag_tbl *skag_tbl_attach(void *mem, size_t len);

/**
 * Repair the table: recompute all derived state from the slot states, undo half-done inserts,
 * finish half-done departures. Runs by itself when a lock owner died; exported for tests.
 *
 * @return
 *   0 or a negative errno of the table lock.
 */
int skag_tbl_repair(struct skag_tbl *t);

/**
 * Attach the calling process. Must be called from a thread that lives as long as the
 * memberships of the process: the thread keeps the slot's robust "alive" mutex locked, so the
 * process is seen dead (skag_proc_reap()) when the thread is gone.
 *
 * @param instance
 *   The OS instance of the process: processes of one instance share their memory, and the
 *   members of other instances are reached through the memory they export.
 *
 * @return
 *   Process slot index >= 0, -ENOSPC if all SKAG_MAX_PROCS slots are used, -EINVAL.
 */
int skag_proc_attach(struct skag_tbl *t, int32_t pid, uint64_t instance);

/**
 * Orderly detach: remove all memberships of the process as if it left or died (creator:
 * group destroyed), then free the slot. Must be called from the thread that attached.
 */
void skag_proc_detach(struct skag_tbl *t, int proc);

/**
 * Find processes that died, remove their memberships and free their slots. Events are posted
 * as for leaves and destroys. Cheap enough to be called periodically from any process.
 *
 * @param self
 *   The caller's process slot, or -1. If processes were reaped, its mailbox owner is not
 *   woken: the caller runs the events there itself (skag_proc_event_pop()), or wakes it
 *   (skag_proc_wake()).
 *
 * @return
 *   Number of processes reaped, or a negative errno.
 */
int skag_proc_reap(struct skag_tbl *t, int self);

/**
 * Wait until an attached process other than self may have died (the thread holding its slot
 * exited: the kernel marks that in the first steps of the exit, long before the process is
 * gone), a process attaches or detaches, this process's kick count differs from kicks_seen,
 * or timeout_ms passed; skag_proc_reap() tells what happened. Waking on a death needs
 * futex_waitv() (Linux 5.16) and glibc's robust mutexes.
 *
 * @return
 *   0 (woken, or the wait could not start), -ETIMEDOUT, -ENOTSUP where deaths cannot be
 *   waited for, or another negative errno.
 */
int skag_proc_death_wait(struct skag_tbl *t, int self, uint32_t kicks_seen,
			 unsigned int timeout_ms);

/** Kick count of this process's skag_proc_death_wait(), to read before a wait. */
uint32_t skag_proc_death_kicks(void);

/** Make skag_proc_death_wait() of this process return, e.g. to stop it. */
void skag_proc_death_kick(void);

/**
 * Attach sequence of the table: bumped each time a process attaches, whose attach also wakes
 * the waiters of skag_proc_wait() of the other processes.
 */
uint32_t skag_tbl_attach_seq(struct skag_tbl *t);

/**
 * Process id of an attached process slot.
 *
 * @return
 *   The pid, 0 if the slot is free or out of range.
 */
int32_t skag_proc_pid(struct skag_tbl *t, int proc);

/**
 * Create a group; the caller becomes its creator member with a fresh handler.
 *
 * @param proc
 *   Attached process slot of the caller.
 * @param pid, instance
 *   The caller, as it attached to proc: a slot freed and taken by another process since (the
 *   caller is dying) fails with -EINVAL.
 * @param want_events
 *   Whether events for this member are posted to the mailbox of proc.
 * @param[out] group_id
 *   Id of the new group: the free id freed longest ago (ids never used come first, in order),
 *   so an id comes back only after every id that was free when it was freed. Constant time.
 * @param[out] self
 *   The creator member.
 * @return
 *   0, -EINVAL, -ENOSPC if the table (or the handler space) is full.
 */
int skag_group_create(struct skag_tbl *t, int proc, int32_t pid, uint64_t instance,
		int16_t dev_id, const uint8_t domain[SKAG_UUID_LEN],
		const uint8_t token[SKAG_UUID_LEN], bool want_events, int16_t *group_id,
		struct skag_member_ref *self);

/**
 * Join a group as a joiner member with a fresh handler; proc, pid and instance as for
 * skag_group_create().
 *
 * @param[out] self
 *   The joiner member.
 * @return
 *   0, -EINVAL, -ENOENT unknown group, -EACCES wrong token, -EEXIST domain or dev_id already a
 *   member, -ENOSPC group (or handler space) full.
 */
int skag_group_join(struct skag_tbl *t, int proc, int32_t pid, uint64_t instance,
		int16_t dev_id, const uint8_t domain[SKAG_UUID_LEN],
		const uint8_t token[SKAG_UUID_LEN], int16_t group_id, bool want_events,
		struct skag_member_ref *self);

/**
 * Leave a group. A joiner leaves (MEMBER_LEFT to every other member that wants events); the
 * creator may leave only as the last member, which destroys the group.
 *
 * @return
 *   0, -EINVAL, -ENOENT unknown group, -EPERM dev_id not a member, -EBUSY creator with joiners.
 */
int skag_group_leave(struct skag_tbl *t, uint64_t instance, int16_t dev_id, int16_t group_id);

/**
 * Destroy a group that has no joiners left.
 *
 * @return
 *   0, -EINVAL, -ENOENT unknown group, -EPERM dev_id not the creator, -EBUSY joiners remain.
 */
int skag_group_destroy(struct skag_tbl *t, uint64_t instance, int16_t dev_id,
		int16_t group_id);

/**
 * Get the handler of a domain in a group, for a member of that group.
 *
 * @return
 *   0, -EINVAL, -ENOENT unknown group or domain not in the group, -EPERM dev_id not a member.
 */
int skag_handler_get(struct skag_tbl *t, uint64_t instance, int16_t dev_id, int16_t group_id,
		const uint8_t domain[SKAG_UUID_LEN], uint16_t *handler);

/**
 * Remove the memberships a process holds through a device (device close), as if each left;
 * groups they created are destroyed with GROUP_DESTROYED to their joiners. Memberships of the
 * device held by other processes stay.
 *
 * @return
 *   Number of memberships removed, or a negative errno.
 */
int skag_dev_remove(struct skag_tbl *t, int proc, int16_t dev_id);

/**
 * Resolve the handlers of a transfer on dev_id into a link.
 *
 * @return
 *   0, -EINVAL on a zero handler or NULL argument, -EPERM unless both handlers are live members
 *   of one group of which dev_id is a live member.
 */
int skag_link_resolve(struct skag_tbl *t, uint64_t instance, int16_t dev_id, uint16_t src_handler,
		uint16_t dst_handler, struct skag_link *link);

/** Make the pointers of a link valid in the calling process, whose mapping of the table is t. */
void skag_link_rebind(struct skag_tbl *t, struct skag_link *l);

/** Lock-free check that no member left the group of a link since it was last validated. */
static inline bool
skag_link_fresh(const struct skag_link *l)
{
	return atomic_load_explicit(l->epoch, memory_order_acquire) == l->epoch_seen;
}

/**
 * Lock-free check, after skag_link_fresh() failed, that the three members of a link are still
 * live; if so the link is fresh again.
 *
 * @return
 *   true if the link may still be used.
 */
bool skag_link_revalidate(struct skag_link *l);

/**
 * Pop the oldest event of a process mailbox, without the table lock: one thread of the process
 * at a time.
 *
 * @return
 *   1 popped, 0 empty, -EINVAL.
 */
int skag_proc_event_pop(struct skag_tbl *t, int proc, struct skag_event *ev);

/** Event sequence of a process: bumped on every post (and drop) to its mailbox. */
uint32_t skag_proc_seq(struct skag_tbl *t, int proc);

/** timeout_ms of skag_proc_wait(): no timeout. */
#define SKAG_WAIT_FOREVER	UINT32_MAX

/**
 * Wait until the event sequence of a process differs from seen_seq, at most timeout_ms
 * (SKAG_WAIT_FOREVER: no bound; an armed timer costs every wait and wake-up).
 *
 * @return
 *   0 (changed, or woken), -ETIMEDOUT, -EINTR, -EINVAL.
 */
int skag_proc_wait(struct skag_tbl *t, int proc, uint32_t seen_seq, unsigned int timeout_ms);

/** Wake the waiters of skag_proc_wait() on a process, e.g. to stop them. */
void skag_proc_wake(struct skag_tbl *t, int proc);

/**
 * Describe the live members of a group, creator first.
 *
 * @param out
 *   Array of max entries (may be NULL if max is 0).
 * @param[out] nb
 *   Number of live members (may exceed max).
 * @return
 *   0, -EINVAL, -ENOENT unknown group.
 */
int skag_group_info(struct skag_tbl *t, int16_t group_id, struct skag_member_info *out,
		unsigned int max, unsigned int *nb);

/**
 * Iterate over live groups.
 *
 * @param prev
 *   -1 to start, else the previous id returned.
 * @return
 *   Next live group id, -1 at the end, -EINVAL.
 */
int skag_group_next(struct skag_tbl *t, int16_t prev);

/** Whether dev_id is a live member of group_id. */
bool skag_dev_is_member(struct skag_tbl *t, uint64_t instance, int16_t dev_id,
		int16_t group_id);

/** Whether process pid holds a live member of group_id. */
bool skag_group_has_pid(struct skag_tbl *t, int16_t group_id, int32_t pid);

/** Read the table counters (zeroed if t is NULL). */
void skag_tbl_stats_get(struct skag_tbl *t, struct skag_tbl_stats *s);

#ifdef __cplusplus
}
#endif

#endif /* SKELETON_AG_TABLE_H */
