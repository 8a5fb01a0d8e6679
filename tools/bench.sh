#!/usr/bin/env bash
# bench.sh - spamtop's full parse against the pipeline admins type by hand.
#
# Generates (once, cached in bench-data/) a seeded, reproducible log of
# BENCH_LINES lines (default 10 million, about 1.5 GB) and times, on the
# same file: spamtop's report with every aggregate, and
#   grep sasl_username FILE | sed 's/.*sasl_username=//' | sort | uniq -c | sort -rn
# Prints wall time, MB/s, lines/s and peak memory of each (the median of
# BENCH_RUNS runs, default 3: the machine is noisy), and the ratios, in one run:
# against the pipeline with LC_ALL=C, its fastest form, with C.UTF-8, closer
# to an admin's usual locale, and against `wc -l`, the floor of reading the file;
# with valgrind, the instructions run on the first 300 000 lines (callgrind:
# not moved by the machine's noise).
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${BENCH_LINES:-10000000}
seed=${BENCH_SEED:-20261124}
dir=bench-data
log=$dir/mail-$lines-$seed.log
mkdir -p "$dir"
if [ ! -s "$log" ]; then
	echo "bench: generating $lines lines (seed $seed) into $log ..."
	build/genlog "$lines" "$seed" > "$log.tmp" && mv "$log.tmp" "$log"
fi
bytes=$(stat -c %s "$log")
cat "$log" > /dev/null	# both runs start from a warm page cache

runs=${BENCH_RUNS:-3}

# measure COMMAND...: prints "wall_seconds peak_kb", the median run's wall time
# and the largest peak memory of the runs
measure() {
	local i
	for i in $(seq "$runs"); do
		/usr/bin/time -f '%e %M' -o "$dir/time.out" "$@" > /dev/null
		cat "$dir/time.out"
	done | sort -n | awk -v n="$runs" '{ w[NR] = $1; if ($2 > kb) kb = $2 }
		END { print w[int((n + 1) / 2)], kb }'
}

read -r st_wall st_kb < <(measure ./spamtop --report --json --top 20 "$log")
pipeline="grep sasl_username '$log' | sed 's/.*sasl_username=//' | sort | uniq -c | sort -rn"
read -r pl_wall pl_kb < <(measure env LC_ALL=C sh -c "$pipeline")
read -r pu_wall pu_kb < <(measure env LC_ALL=C.UTF-8 sh -c "$pipeline")
read -r wc_wall wc_kb < <(measure wc -l "$log")

row() {	# name wall kb
	awk -v n="$1" -v w="$2" -v kb="$3" -v b="$bytes" -v l="$lines" 'BEGIN {
		if (w <= 0) w = 0.01
		printf "%-34s %8.2f s %9.1f MB/s %11.0f lines/s %8.1f MB peak\n", n, w, b / w / 1e6, l / w, kb / 1024 }'
}
echo
echo "bench: $lines lines, $(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1e6 }') MB, $(nproc) cores, median of $runs runs"
row "spamtop --report (all aggregates)" "$st_wall" "$st_kb"
row "grep|sed|sort|uniq -c|sort -rn, C" "$pl_wall" "$pl_kb"
row "the same pipeline, C.UTF-8" "$pu_wall" "$pu_kb"
row "wc -l" "$wc_wall" "$wc_kb"
awk -v a="$st_wall" -v b="$pl_wall" -v c="$pu_wall" -v w="$wc_wall" 'BEGIN { if (a <= 0) a = 0.01; if (w <= 0) w = 0.01
	printf "ratio: spamtop runs at %.2fx the speed of the C-locale pipeline, %.2fx of the UTF-8 one, %.2fx of wc -l\n",
		b / a, c / a, w / a }'

# instructions: a count the machine's noise does not move, of all threads
# together (the model's thread parses a block itself whenever the parser
# thread has none ready, so how they share the parse depends on timing, and
# callgrind runs the threads one at a time).
if command -v valgrind > /dev/null; then
	sample=$dir/first-300000.log
	[ -s "$sample" ] || head -n 300000 "$log" > "$sample"
	rm -f "$dir"/callgrind.out.*
	valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$dir/callgrind.out.%p" \
		./spamtop --report --json --top 20 "$sample" > /dev/null 2>&1
	awk '/^summary:/ { n[FILENAME] = $2 } END {
		for (f in n) all += n[f]
		printf "instructions on the first 300 000 lines (callgrind, all threads): %.1f M, %.0f a line\n",
			all / 1e6, all / 300000 }' "$dir"/callgrind.out.*-0*
	rm -f "$dir"/callgrind.out.*
else
	echo "instructions: skipped (valgrind is not installed)"
fi
[ -x tools/bench-queue.sh ] && tools/bench-queue.sh || true
