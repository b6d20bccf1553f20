#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The demo's joiner when no creator answers and the primary then exits: a DPDK primary that
# never answers HELLO (dpdk-test at its prompt) runs while the joiner says HELLO, then quits.
# The joiner must stop at once, saying why, with a short log: it used to retry without pause
# once its requests failed at once, printing two EAL errors each time (millions of lines).
# Exits with 0 only if the joiner stopped that way.
#
# Usage: devtools/check-demo-gone.sh
# Environment: DEMO_APP     the example (default: the one of the superproject build)
#              DEMO_EAL     more EAL options for both processes (e.g. -d <driver plugin>)
#              PRIMARY_APP  the silent primary (default: dpdk-test of the superproject build)
#              BUILD_DIR    build directory (default: build)

set -uo pipefail

. "$(dirname "$0")/common.sh"

APP=${DEMO_APP:-$BUILD/subprojects/dpdk/examples/dpdk-dma_access_group}
PRIMARY=${PRIMARY_APP:-$BUILD/subprojects/dpdk/app/test/dpdk-test}
PREFIX=dma_ag_gone_$$
# The joiner's own limit, far above what stopping at once takes.
JOINER_TIMEOUT=20
MAX_STOP_S=5
MAX_LINES=50

[ -x "$APP" ] || die "$APP not found: build it first (make)"
[ -x "$PRIMARY" ] || die "$PRIMARY not found: build it first (make)"
"$ROOT/devtools/hugepages.sh" 256 >/dev/null || exit 1

RUNDIR=$DPDK_RUNBASE/$PREFIX
HUGEDIR=$(hugetlbfs_dir)
EAL=(--no-pci --file-prefix="$PREFIX" --log-level=lib.eal:error ${DEMO_EAL:-})
TMP=$(mktemp -d)
primary=0
joiner=0
cleanup() {
	exec 3>&- 2>/dev/null
	[ "$joiner" -gt 0 ] && kill -KILL "$joiner" 2>/dev/null
	[ "$primary" -gt 0 ] && kill -KILL "$primary" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$RUNDIR" "$TMP"
	[ -n "$HUGEDIR" ] && rm -f "$HUGEDIR/${PREFIX}map_"*
}
trap cleanup EXIT
fail() {
	echo "check-demo-gone: FAILED: $*" >&2
	echo "--- joiner's log ($(wc -l < "$TMP/joiner.log") lines), first 20 lines:" >&2
	head -n 20 "$TMP/joiner.log" >&2
	exit 1
}

# The primary reads its commands from a pipe kept open by this script.
mkfifo "$TMP/in"
"$PRIMARY" -l 0 "${EAL[@]}" --vdev=dma_skag0 --vdev=dma_skag1 < "$TMP/in" \
	> "$TMP/primary.log" 2>&1 &
primary=$!
exec 3> "$TMP/in"
for _ in $(seq 300); do
	[ -e "$RUNDIR/config" ] && break
	kill -0 "$primary" 2>/dev/null || break
	sleep 0.1
done
[ -e "$RUNDIR/config" ] || { cat "$TMP/primary.log" >&2; die "the primary did not start"; }

echo "check-demo-gone: primary $primary (never answers), starting the joiner"
"$APP" -l 0 "${EAL[@]}" --proc-type=secondary -- --timeout "$JOINER_TIMEOUT" \
	> "$TMP/joiner.log" 2>&1 &
joiner=$!
for _ in $(seq 300); do
	grep -q "saying HELLO" "$TMP/joiner.log" && break
	kill -0 "$joiner" 2>/dev/null || fail "the joiner stopped before saying HELLO"
	sleep 0.1
done
grep -q "saying HELLO" "$TMP/joiner.log" || fail "the joiner did not say HELLO"
# Two of its requests time out unanswered, then the primary quits cleanly.
sleep 2.5
kill -0 "$joiner" 2>/dev/null || fail "the joiner stopped while the primary ran"
echo "check-demo-gone: the primary quits"
start=$(date +%s%N)
echo quit >&3
exec 3>&-
wait "$primary"
primary=0
stopped=
for _ in $(seq $((JOINER_TIMEOUT * 10))); do
	if ! kill -0 "$joiner" 2>/dev/null; then
		stopped=$(( ($(date +%s%N) - start) / 1000000 ))
		break
	fi
	sleep 0.1
done
[ -n "$stopped" ] || fail "the joiner still runs $JOINER_TIMEOUT s after the primary quit"
wait "$joiner"
rc=$?
joiner=0
lines=$(wc -l < "$TMP/joiner.log")
echo "check-demo-gone: the joiner stopped $stopped ms after the primary quit, status $rc," \
	"$lines log lines"
[ "$rc" != 0 ] || fail "the joiner exited with status 0"
grep -q "creator's process is gone" "$TMP/joiner.log" || fail "the joiner did not say why"
[ "$stopped" -le $((MAX_STOP_S * 1000)) ] || fail "the joiner took more than $MAX_STOP_S s"
[ "$lines" -le "$MAX_LINES" ] || fail "the joiner printed $lines lines (at most $MAX_LINES)"
echo "check-demo-gone: SUCCESS (the joiner stopped at once, saying why)"
