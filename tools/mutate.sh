#!/usr/bin/env bash
# mutate.sh - does the fast test layer notice the bugs that matter?
#
# For each line of tests/mutation/mutants.txt: plants the bug (an exact text
# replaced once), rebuilds what changed, runs `make unit` and the cli layer,
# and puts the file back. A mutant is killed when a test fails. Prints each
# verdict, the score, and the survivors with what a user would meet.
# Not part of `make check` (a few minutes); `make mutate` runs it.
set -uo pipefail
cd "$(dirname "$0")/.."
list=${MUTANTS:-tests/mutation/mutants.txt}	# MUTANTS=FILE: another list (new mutants alone)
work=$(mktemp -d /tmp/spamtop-mutate.XXXXXX)
killed=0 total=0 survivors=()
# restore - the file as it was, with a new time: make must rebuild what the mutant compiled
restore() { [ -n "${file:-}" ] && [ -f "$work/orig" ] && cp "$work/orig" "$file" && touch "$file"; }
trap 'restore; rm -rf "$work"' EXIT
make -s spamtop build/san/spamtop build/hostile-log build/genlog >/dev/null 2>&1 ||
	{ echo "mutate: the tree does not build" >&2; exit 1; }
# the baseline: without a mutant every test passes, or a failure would count as a kill
if ! make -s unit >"$work/unit.log" 2>&1 || ! timeout 300 tests/cli/run.sh ./spamtop build/san/spamtop >"$work/cli.log" 2>&1; then
	echo "mutate: the tests fail without any mutant; nothing can be measured:" >&2
	grep -h 'FAIL' "$work/unit.log" "$work/cli.log" >&2
	exit 1
fi
while IFS=$'\t' read -r file from to what; do
	case "$file" in ''|'#'*) continue ;; esac
	total=$((total + 1))
	cp -p "$file" "$work/orig"
	if ! python3 - "$file" "$from" "$to" <<'PY'
import sys
path, a, b = sys.argv[1], sys.argv[2].replace("\\t", "\t"), sys.argv[3].replace("\\t", "\t")
s = open(path).read()
if s.count(a) != 1:
    sys.exit("mutate: %r occurs %d times in %s" % (a, s.count(a), path))
open(path, "w").write(s.replace(a, b))
PY
	then
		echo "MISSING  $file: $what"
		survivors+=("(not planted) $file: $what")
		rm -f "$work/orig"; file=
		continue
	fi
	verdict=survived
	if ! make -s spamtop build/san/spamtop >"$work/build.log" 2>&1; then
		verdict="killed (does not build)"
	elif ! make -s unit >"$work/unit.log" 2>&1; then
		verdict="killed by unit"
	elif ! timeout 300 tests/cli/run.sh ./spamtop build/san/spamtop >"$work/cli.log" 2>&1; then
		verdict="killed by cli"
	fi
	restore; rm -f "$work/orig"; file=
	case "$verdict" in killed*) killed=$((killed + 1)) ;; *) survivors+=("$what") ;; esac
	printf '%-28s %s\n' "$verdict" "$what"
done < "$list"
make -s spamtop build/san/spamtop >/dev/null 2>&1
echo "mutate: $killed of $total killed ($((total ? killed * 100 / total : 0)) %)"
for s in "${survivors[@]}"; do echo "  survived: $s"; done
