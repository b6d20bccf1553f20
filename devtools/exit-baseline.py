#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The kernel's share of death detection, for make bench.

Time from SIGKILL to the process's pidfd becoming readable (what the
driver's reaper waits for: the process and all its threads are gone, its
memory and files released), for processes that use no group at all: a
sleep(1), and an idle dpdk-test primary with 64 and 768 MiB of hugepage
memory. Prints one table, median / max of the kills, in us.

Usage: exit-baseline.py DPDK_TEST FILE_PREFIX [KILLS]
"""

import os
import select
import signal
import statistics
import subprocess
import sys
import time


def kill_to_pidfd(cmd, settle_s, kills):
    """Median and max, in us, of kill() to pidfd readable over kills runs of cmd."""
    us = []
    for _ in range(kills):
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(settle_s)
        if proc.poll() is not None:
            sys.exit(f"exit-baseline: {cmd[0]} ended before the kill (status {proc.returncode})")
        fd = os.pidfd_open(proc.pid)
        ep = select.epoll()
        ep.register(fd, select.EPOLLIN)
        t0 = time.monotonic_ns()
        os.kill(proc.pid, signal.SIGKILL)
        if not ep.poll(5):
            sys.exit("exit-baseline: no pidfd event within 5 s of the kill")
        us.append((time.monotonic_ns() - t0) / 1000)
        ep.close()
        os.close(fd)
        proc.wait()
    return statistics.median(us), max(us)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    test, prefix = sys.argv[1], sys.argv[2]
    kills = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    rows = [("sleep(1)", ["sleep", "100"], 0.05)]
    for mem in (64, 768):
        rows.append((f"dpdk-test primary, -m {mem}",
                     [test, "--no-pci", "-l", "0", "-m", str(mem),
                      f"--file-prefix={prefix}", "--log-level=lib.eal:error"], 1.5))
    print(f"Kernel exit baseline, us: SIGKILL -> pidfd readable, median / max of {kills} kills;"
          " processes without groups")
    for name, cmd, settle in rows:
        med, worst = kill_to_pidfd(cmd, settle, kills)
        print(f"{name:<36} {med:10.1f} / {worst:10.1f}")


if __name__ == "__main__":
    main()
