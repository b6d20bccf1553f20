#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
#
# Write the hand-made inputs of tests/fuzz/corpus: seeds, short scenarios in
# the input format of fuzz_skeleton_ag_table.c (read it for what each byte
# means), one per behaviour the fuzzer should start from, and the reproducers
# of the bugs it found. Usage: gen_seeds.py [DIR]

import os
import sys

OPS = ['attach', 'detach', 'die', 'reap', 'create', 'join', 'leave', 'destroy',
       'handler_get', 'dev_remove', 'link_resolve', 'link_check', 'pop', 'repair',
       'query', 'churn', 'crash']
CRASH_KINDS = ['create', 'join', 'leave', 'destroy', 'dev_remove', 'detach', 'reap',
               'stats']


def op(name, *args):
    return bytes([OPS.index(name)] + list(args))


def create(slot, dev, dom, tok=0, events=True):
    return op('create', slot, dev | (tok << 4), dom | (0 if events else 0x80))


def join(slot, dev, dom, group, events=True, token=0):
    # group: n-th live group; token < 0xc0: the group's own token
    return op('join', slot, dev | (dom << 3) | (0 if events else 0x80), group, token)


def crash(alive, kind, countdown, *args, chain=()):
    # chain: (alive, countdown) of processes that die in the repair that follows; a
    # countdown above 0x80 has the repair run by skag_tbl_repair()
    b = bytes([OPS.index('crash'), alive, CRASH_KINDS.index(kind), countdown - 1])
    b += bytes(args).ljust(4 if kind == 'join' else 3, b'\0')
    for a, c in chain:
        b += bytes([1, a, c - 1])
    return b + bytes([0])


def table(groups, members):
    return bytes([groups - 1, members - 2])


def group3():
    """Table of 4 groups of 5; slots 0..3 attached; group 0: creator 0, joiners 1, 2."""
    return (table(4, 5) + op('attach') * 4 + create(0, 0, 0) + join(1, 1, 1, 0) +
            join(2, 2, 2, 0) + join(3, 3, 3, 0, events=False))


SEEDS = {
    'lifecycle': group3() + op('handler_get', 1, 0, 2) + op('link_resolve', 0, 0, 0, 1) +
    op('link_check', 0) + op('leave', 0, 2, 0) + op('link_check', 0) + op('pop', 0, 7) +
    op('query', 0) + op('leave', 0, 1, 0) + op('leave', 0, 1, 0) + op('leave', 0, 0, 0) +
    create(1, 4, 4) + op('destroy', 0, 0, 0) + op('pop', 1, 7) + op('detach', 0),
    'errors': table(2, 2) + create(0x80, 0, 0) + op('attach') + create(0, 0, 0, tok=1) +
    create(0, 1, 1) + create(0, 2, 2) + join(0, 3, 3, 0, token=0xc2) +
    join(0, 0, 5, 0) + join(0, 5, 0, 0) + join(0, 5, 5, 0) + join(0, 4, 4, 0) +
    op('destroy', 0, 0x85, 1) + op('leave', 0, 0, 0) + op('handler_get', 0x81, 0, 3) +
    op('link_resolve', 0, 0, 0x80, 0x81) + op('dev_remove', 0x85, 3, 0x80),
    'death_reap': group3() + op('die', 1) + op('die', 0) + op('pop', 2, 7) + op('reap') +
    op('pop', 2, 7) + op('query', 0),
    'dev_remove': group3() + create(1, 1, 5) + join(0, 0, 6, 1) + op('dev_remove', 1, 1, 0x80) +
    op('dev_remove', 0, 0, 0x80) + op('pop', 2, 7),
    'churn_overflow': group3() + op('churn', 0, 0, 255) + op('pop', 1, 3) +
    op('churn', 0, 0, 10) + op('query', 0) + op('pop', 0, 7),
    'crash_create': table(4, 4) + op('attach') * 2 + crash(0, 'create', 1, 0, 1, 1) +
    create(0, 2, 2) + op('reap') + op('query', 0),
    'crash_join': table(4, 4) + op('attach') * 2 + create(0, 0, 0) +
    crash(1, 'join', 1, 0, 1 | (1 << 3), 0, 0) + join(0, 1, 1, 0) + op('reap'),
    'crash_detach_chain': group3() + crash(2, 'detach', 3, chain=((1, 2),)) + op('pop', 0, 7) +
    op('reap') + op('pop', 0, 7),
    'crash_reap_chain': group3() + op('die', 0) + crash(1, 'reap', 4, chain=((1, 3), (0, 1))) +
    op('reap') + op('query', 0),
    'crash_close_explicit_repair': group3() + crash(0, 'dev_remove', 4, chain=((0, 0x90),)) +
    op('pop', 1, 7) + op('reap'),
    'crash_close_explicit_repair_crash': group3() +
    crash(0, 'dev_remove', 4, chain=((0, 0x81), (0, 0x90))) + op('pop', 1, 7) + op('reap'),
}
# One process with two members in the group, a departure crashing after posting to both.
for n in (6, 7):
    SEEDS['crash_leave_two_members_%d' % n] = (
        table(4, 6) + op('attach') * 3 + create(0, 0, 0) + join(1, 1, 1, 0) + join(1, 4, 4, 0) +
        join(2, 2, 2, 0) + crash(2, 'leave', n, 0, 0, 0) + op('pop', 1, 7))
# A link whose submitting member, neither source nor destination, leaves.
SEEDS['link_self_leaves'] = (group3() + op('link_resolve', 3, 0, 1, 2) + op('link_check', 0) +
                             op('leave', 0, 3, 0) + op('link_check', 0))
for n in range(1, 9):
    SEEDS['crash_leave_%d' % n] = group3() + crash(1, 'leave', n, 0, 0, 0) + op('pop', 0, 7)
for n in range(1, 9):
    SEEDS['crash_close_creator_%d' % n] = (group3() + crash(0, 'dev_remove', n, 0, 0, 0) +
                                           op('pop', 1, 7))

# Reproducers of driver bugs the fuzzer found, kept until they pass (see README.md).
BUGS = {
    # A process dies right after an event to it was dropped (mailbox full): the repair posts
    # it again, drops it again and counts two drops.
    'ev_dropped_counted_twice': group3() + op('churn', 0, 0, 255) + crash(1, 'leave', 2, 0, 1, 0),
}

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'corpus')
os.makedirs(out, exist_ok=True)
for prefix, entries in (('seed-', SEEDS), ('bug-', BUGS)):
    for name, data in entries.items():
        with open(os.path.join(out, prefix + name), 'wb') as f:
            f.write(data)
