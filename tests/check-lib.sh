# check-lib.sh - the test runner's one function, shared by tests/e2e and tests/lab.
#
#   check NAME FUNCTION [ARGS...]   runs FUNCTION in a subshell with set -e, so that
#                                   every line of a test counts, not only its last;
#                                   counts $passed and $failed, shows a failure's output
#   CHECK_AFTER                     a command run after each test (e.g. tui_stop)
#   TEST_TRACE=1                    traces each test (set -x) into its failure output
#   CHECK_ONLY=TEXT                 runs only the tests whose name contains TEXT
#   CHECK_TIMES=FILE                appends each test's seconds and name to FILE
#   not COMMAND...                  COMMAND must fail: "! COMMAND" cannot fail a test
#                                   (set -e passes over a negated command)
#
# Not "if ( set -e; ... )": bash ignores -e inside a condition. $tmp must be a
# scratch directory.
passed=0 failed=0

not() {
	if "$@"; then
		return 1
	fi
	return 0
}

check() {
	local name=$1 rc t0=$EPOCHREALTIME; shift
	case "$name" in *"${CHECK_ONLY:-}"*) ;; *) return 0 ;; esac
	( set -e; if [ -n "${TEST_TRACE:-}" ]; then set -x; fi; "$@" ) >"$tmp/out" 2>&1
	rc=$?
	if [ -n "${CHECK_TIMES:-}" ]; then
		awk -v a="$t0" -v b="$EPOCHREALTIME" -v n="$name" 'BEGIN { printf "%6.1f %s\n", b - a, n }' >>"$CHECK_TIMES"
	fi
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $name"; sed 's/^/    /' "$tmp/out" | tail -40
	fi
	${CHECK_AFTER:-true}
}
