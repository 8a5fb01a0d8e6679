#!/usr/bin/env bash
# run-unit.sh - run cmocka test binaries, print a total line "unit: N passed, M failed".
# A binary that runs past UNIT_TIMEOUT seconds (default 300: the slowest, under
# ASan, takes a few) is stopped and counted as failed: a hang ends the run.
set -u
passed=0 failed=0 broken=0
for t in "$@"; do
	out=$(timeout "${UNIT_TIMEOUT:-300}" "$t" 2>&1); rc=$?
	[ $rc -eq 124 ] && out="$out
$(basename "$t"): stopped after ${UNIT_TIMEOUT:-300} s (a hang?)"
	printf '%s\n' "$out" | grep -E '^\[  (FAILED|PASSED|  ERROR) \]|^\[  FAILED  \]' | sed "s|^|$(basename "$t"): |"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
	if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		broken=$((broken + 1)); printf '%s\n' "$out" | tail -30
		echo "$(basename "$t"): exited with status $rc"
	elif [ $rc -ne 0 ]; then
		printf '%s\n' "$out" | grep -v '^\[ \+\(OK\|RUN\) \+\]' | tail -40
	fi
done
echo "unit: $passed passed, $((failed + broken)) failed"
[ $failed -eq 0 ] && [ $broken -eq 0 ]
