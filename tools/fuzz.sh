#!/usr/bin/env bash
# fuzz.sh - run the fuzz targets (tests/fuzz/targets.c) with libFuzzer under
# ASan and UBSan for FUZZ_SECONDS (default 60) per job, FUZZ_JOBS jobs
# (default: the cores), from the seed corpus; prints the executions reached.
# FUZZ_TARGET=lines fuzzes only the log-line parser and model (its own corpus).
# A crash is copied into tests/fuzz/regressions/, which `make check` replays.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-$(nproc)}
if ! command -v clang >/dev/null; then
	[ "$(id -u)" = 0 ] || { echo "fuzz: needs clang (apt-get install clang)" >&2; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang >/dev/null
fi
bin=fuzz
[ "${FUZZ_TARGET:-all}" = lines ] && bin=fuzz-lines
make -s "build/fuzz/$bin"
work=build/fuzz
tools/fuzz-seeds.sh "$work/seeds"
rm -rf "$work/crashes"
mkdir -p "$work/corpus-$bin" "$work/crashes"
rm -f "$work"/fuzz-*.log
status=0
(cd "$work" && "./$bin" -jobs="$jobs" -workers="$jobs" -max_total_time="$seconds" -print_final_stats=1 \
	-artifact_prefix=crashes/ -max_len=1100000 "corpus-$bin" seeds > run.log 2>&1) || status=$?
execs=$(cat "$work"/fuzz-*.log 2>/dev/null | sed -n 's/^stat::number_of_executed_units: *//p' | awk '{ s += $1 } END { print s + 0 }')
rate=$(cat "$work"/fuzz-*.log 2>/dev/null | sed -n 's/^stat::average_exec_per_sec: *//p' | awk '{ s += $1 } END { print s + 0 }')
echo "fuzz ($bin): $jobs job(s) x ${seconds}s: $execs executions ($rate/s), corpus $(ls "$work/corpus-$bin" | wc -l) inputs"
found=$(ls "$work/crashes" 2>/dev/null | wc -l)
if [ "$found" -gt 0 ] || [ $status -ne 0 ]; then
	mkdir -p tests/fuzz/regressions
	cp "$work"/crashes/* tests/fuzz/regressions/ 2>/dev/null || true
	echo "fuzz: $found crash(es), copied to tests/fuzz/regressions/; see $work/fuzz-*.log" >&2
	exit 1
fi
echo "fuzz: no crash, no sanitizer report"
