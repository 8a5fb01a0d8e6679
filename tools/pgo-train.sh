#!/usr/bin/env bash
# pgo-train.sh - the training run of the profile-guided build (see Makefile, PGO).
#
# Usage: tools/pgo-train.sh PGOBUILD BUILD GENLOG
#
# Runs the instrumented spamtop (PGOBUILD/spamtop, built with -fprofile-generate)
# on a generated log of its own seed (not the bench's: the bench must not
# measure the log it was trained on) and on every log captured from the real
# Postfix lab (tests/fixtures), as a report and as JSON; then copies each
# object's profile (PGOBUILD/BUILD/x.gcda) to where the optimized build's
# object of the same source looks for it (BUILD/x.gcda), and leaves
# PGOBUILD/trained.
set -euo pipefail
cd "$(dirname "$0")/.."
pgo=$1 build=$2 genlog=$3
find "$pgo/$build" -name '*.gcda' -delete 2>/dev/null || true
"$genlog" "${PGO_TRAIN_LINES:-400000}" 7 > "$pgo/train.log"
"$pgo/spamtop" --report --json --top 20 "$pgo/train.log" > /dev/null
"$pgo/spamtop" --report "$pgo/train.log" > /dev/null
for log in tests/fixtures/*.log; do
	"$pgo/spamtop" --report --json "$log" > /dev/null
done
rm -f "$pgo/train.log"
(cd "$pgo/$build" && find . -name '*.gcda' -print0) | while IFS= read -r -d '' f; do
	mkdir -p "$build/$(dirname "$f")"
	cp "$pgo/$build/$f" "$build/$f"
done
touch "$pgo/trained"
