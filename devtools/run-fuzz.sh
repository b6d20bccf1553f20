#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Fuzz the skeleton_ag group table for a bounded time: the libFuzzer harness
# tests/fuzz/fuzz_skeleton_ag_table.c, built with clang 14, ASan and UBSan
# (no recovery), starting from the seeds in tests/fuzz/corpus and from what
# earlier runs found (build/fuzz/corpus). Fails on any crash, table rule or
# model difference, UBSan finding, leak or timeout; the failing input is left
# in build/fuzz/artifacts/ with the command that replays it. Then measures the
# source coverage of skeleton_ag_table.c reached by the whole corpus.
# Usage: run-fuzz.sh [seconds]   (default: FUZZ_SECONDS, else 120)

set -euo pipefail
. "$(dirname "$0")/series.sh"

SECONDS_WANTED=${1:-${FUZZ_SECONDS:-120}}
CC=clang-14
PROFDATA=llvm-profdata-14
COV=llvm-cov-14
OUT=$BUILD/fuzz
NAME=fuzz_skeleton_ag_table
SEEDS=$ROOT/tests/fuzz/corpus
TABLE=$ROOT/drivers/dma/skeleton_ag/skeleton_ag_table.c
SRCS=("$ROOT/tests/fuzz/$NAME.c" "$TABLE")
CFLAGS=(-g -O1 -fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Werror
	-D_GNU_SOURCE -DSKAG_TABLE_CRASH_TEST -I"$ROOT/drivers/dma/skeleton_ag")

case "$SECONDS_WANTED" in
'' | *[!0-9]*) die "FUZZ_SECONDS must be a number of seconds, not '$SECONDS_WANTED'" ;;
esac
[ "$SECONDS_WANTED" -gt 0 ] || die "FUZZ_SECONDS must be at least 1"
for tool in "$CC" "$PROFDATA" "$COV"; do
	command -v "$tool" > /dev/null || die "$tool not found (devtools/install-deps.sh installs it)"
done
[ -d "$SEEDS" ] && [ -n "$(ls -A "$SEEDS")" ] || die "no seed corpus in $SEEDS"

mkdir -p "$OUT/corpus" "$OUT/artifacts" "$OUT/cov"
rm -f "$OUT"/artifacts/*
note "building $NAME with $CC, libFuzzer, ASan and UBSan"
"$CC" "${CFLAGS[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	"${SRCS[@]}" -o "$OUT/$NAME" -lpthread

# libFuzzer: -timeout catches a hang (a deadlock in the table), -rss_limit_mb a runaway.
LOG=$OUT/fuzz.log
note "fuzzing for $SECONDS_WANTED s, log in $LOG"
set +e
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$OUT/$NAME" -max_total_time="$SECONDS_WANTED" -timeout=30 -rss_limit_mb=4096 \
	-max_len=4096 -print_final_stats=1 -artifact_prefix="$OUT/artifacts/" \
	"$OUT/corpus" "$SEEDS" > "$LOG" 2>&1
rc=$?
set -e
if [ "$rc" -ne 0 ] || ! grep -q '^Done [0-9]* runs' "$LOG"; then
	tail -n 60 "$LOG" >&2
	echo >&2
	echo "run-fuzz: FAILED (libFuzzer exit status $rc), full log: $LOG" >&2
	for a in "$OUT"/artifacts/*; do
		[ -f "$a" ] || continue
		echo "run-fuzz: failing input $a, replay it with:" >&2
		echo "  SKAG_FUZZ_TRACE=1 $OUT/$NAME $a" >&2
	done
	exit 1
fi

stat_of() { sed -n "s/^stat::$1: *//p" "$LOG"; }
execs=$(stat_of number_of_executed_units)
rate=$(stat_of average_exec_per_sec)
final=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$LOG" | tail -n 1)
cov=$(sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/cov: \1, ft: \2, corpus: \3 inputs/p' \
	<<< "$final")

# Source coverage of the table by the corpus (seeds and what was found), without sanitizers.
note "measuring the coverage of the corpus"
"$CC" "${CFLAGS[@]}" -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping \
	"${SRCS[@]}" -o "$OUT/$NAME-cov" -lpthread
rm -f "$OUT"/cov/*.profraw
LLVM_PROFILE_FILE="$OUT/cov/%p.profraw" "$OUT/$NAME-cov" -runs=0 "$OUT/corpus" "$SEEDS" \
	> "$OUT/cov.log" 2>&1 || { tail -n 20 "$OUT/cov.log" >&2; die "coverage run failed"; }
"$PROFDATA" merge -sparse -o "$OUT/cov/$NAME.profdata" "$OUT"/cov/*.profraw
"$COV" report "$OUT/$NAME-cov" -instr-profile="$OUT/cov/$NAME.profdata" "$TABLE" \
	> "$OUT/cov-report.txt"
"$COV" show "$OUT/$NAME-cov" -instr-profile="$OUT/cov/$NAME.profdata" "$TABLE" \
	-show-line-counts-or-regions > "$OUT/cov-table.txt"
# Columns: file, regions (total missed cover), functions (total missed executed),
# lines (total missed cover), branches (total missed cover).
read -r regions functions lines branches < <(awk '$1 ~ /skeleton_ag_table\.c$/ {
	print $4, $7, $10, $13 }' "$OUT/cov-report.txt")
[ -n "${lines:-}" ] || die "no coverage figures for skeleton_ag_table.c in $OUT/cov-report.txt"

echo "fuzz: $execs executions in $SECONDS_WANTED s ($rate/s), no failure; libFuzzer $cov"
echo "fuzz: skeleton_ag_table.c covered: lines $lines, regions $regions," \
	"branches $branches, functions $functions (annotated source: $OUT/cov-table.txt)"
