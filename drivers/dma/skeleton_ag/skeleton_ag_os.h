/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The skeleton_ag authors
 */

#ifndef SKELETON_AG_OS_H
#define SKELETON_AG_OS_H

/**
 * @file
 *
 * Domains of other OS instances: independent DPDK applications on one machine, each with its
 * own memory, meeting in a rendezvous directory. It holds the group table shared by every
 * process of every application (file "table") and one UNIX socket per attached process
 * ("skag.<pid>.sock"), through which a process exports its DPDK memory, as file descriptors of
 * its memory segments, to the processes of its groups that ask for it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skeleton_ag_table.h"

/** Largest rendezvous path: the socket path must fit in a sockaddr_un. */
#define SKAG_OS_DIR_MAX		80

struct skag_window;

/** OS instance of this process: a hash of its EAL runtime directory. */
uint64_t skag_os_instance(void);

/**
 * Map the group table of a rendezvous directory, made anew if no live process maps it (every
 * mapping process holds a shared lock on the file while it maps it).
 *
 * @return
 *   0, -EINVAL on a bad directory or a file holding no table, or a negative errno.
 */
int skag_os_table_map(const char *dir, uint16_t max_groups, uint16_t max_members,
		struct skag_tbl **t);

/** Unmap a table mapped by skag_os_table_map(). */
void skag_os_table_unmap(struct skag_tbl *t);

/**
 * Listen on the socket of this process in the rendezvous directory.
 *
 * @return
 *   The listening socket, or a negative errno.
 */
int skag_os_listen(const char *dir);

/** Close the listening socket and remove its path. */
void skag_os_unlisten(const char *dir, int fd);

/**
 * Accept and serve one export request on the listening socket: the peer gets this process's
 * DPDK memory if both are members of the group it names, nothing otherwise.
 *
 * @return
 *   The connection to keep open while the peer maps the memory (its closing tells the peer
 *   this process is gone), or -1 if none.
 */
int skag_os_serve(struct skag_tbl *t, int listen_fd);

/** Memory of another process, mapped in this one. */
struct skag_os_import;

/**
 * Import the DPDK memory exported by process pid, a member of group_id with this process.
 *
 * @return
 *   0, -EPERM if the peer refused, -EPROTO on a malformed reply, -ENOTSUP if the peer cannot
 *   export, or another negative errno; nothing stays mapped or open on error.
 */
int skag_os_import(const char *dir, int16_t group_id, int32_t pid, struct skag_os_import **imp);

/** Connection of an import: it closes when the exporting process is gone. */
int skag_os_import_fd(const struct skag_os_import *imp);

/**
 * Windows of an import, as mapped in this process: what the exporting process exported at
 * address a is at a + skag_os_import_delta() here.
 *
 * @return
 *   Number of windows (at most max; more exist if it equals max).
 */
unsigned int skag_os_import_windows(const struct skag_os_import *imp, struct skag_window *w,
		unsigned int max);

/** What turns an address of the exporting process into one of its mapping here. */
uintptr_t skag_os_import_delta(const struct skag_os_import *imp);

/** Unmap an import and close its connection. */
void skag_os_import_release(struct skag_os_import *imp);

#endif /* SKELETON_AG_OS_H */
