#!/usr/bin/env bash
# tests/lab/run.sh - tests against a real Postfix on loopback (see lab.sh).
#
# Starts the lab, plays the outbreak, and proves spamtop's behaviour on the
# real log and the real queue. Needs root; without it the lab tests are
# reported as skipped (CI runs as root, so there they always run).
# Prints "lab: N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ]; then
	echo "lab: skipped (needs root to run a real Postfix)"
	echo "lab: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
lab=tests/lab/lab.sh
bin=./spamtop
san=build/san/spamtop
tmp=$(mktemp -d /tmp/spamtop-lab.XXXXXX)
cleanup() { $lab down >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT

. tests/check-lib.sh

t0=$SECONDS
$lab install
t1=$SECONDS
$lab up
t2=$SECONDS
$lab outbreak
t3=$SECONDS
echo "lab: packages ready in $((t1 - t0))s, Postfix up in $((t2 - t1))s, outbreak played in $((t3 - t2))s"
log=$($lab log)

# queue_json FIELD... - the live queue through postqueue -j
queue_count() { postqueue -j | jq -s "$1" ; }

live_log_names_victim_and_trusted_relay() {
	"$san" --report --json "$log" > "$tmp/r.json"
	[ "$(jq -r '.suspects[0].key' "$tmp/r.json")" = victim@lab.example ]
	[ "$(jq -r '.suspects[0].kind' "$tmp/r.json")" = sasl_user ]
	[ "$(jq '.suspects[0].client_ips' "$tmp/r.json")" = 5 ]
	[ "$(jq -r '[.suspects[] | select(.kind=="trusted_relay")][0].key' "$tmp/r.json")" = 127.0.0.2 ]
	[ "$(jq -r '[.suspects[] | select(.kind=="brute_force")][0].key' "$tmp/r.json")" = 127.0.0.66 ]
	[ "$(jq '.totals.messages' "$tmp/r.json")" = 40 ]
}

live_queue_matches_the_log() {
	[ "$(queue_count 'length')" = 39 ]
	"$san" --report --json "$log" > "$tmp/r.json"
	[ "$(jq '.totals.open_records' "$tmp/r.json")" = 39 ]
}

check_is_critical_after_the_burst() {
	local rc=0
	"$san" check --log "$log" --set queue=10,30 > "$tmp/check.out" || rc=$?
	cat "$tmp/check.out"
	[ $rc -eq 2 ]
	grep -q '^SPAMTOP CRITICAL - ' "$tmp/check.out"
	grep -q 'messages in the queue 39 >= 30' "$tmp/check.out"
	grep -q 'messages a minute from one SASL user [0-9]* victim@lab.example >= 20' "$tmp/check.out"
	grep -q '| queue=39;10;30;0; deferred=39;100;500;0;' "$tmp/check.out"
	"$san" metrics --log "$log" | grep -q '^spamtop_queue_messages{queue="deferred"} 39$'
}

check "the real log names the victim, the trusted relay and the brute-force IP" live_log_names_victim_and_trusted_relay
check "the live queue holds what the log says is open" live_queue_matches_the_log
check "check is CRITICAL after the burst, with the culprit named" check_is_critical_after_the_burst
. tests/lab/queue-tests.sh
. tests/lab/console-tests.sh
. tests/lab/cleanup-tests.sh
. tests/lab/real-setup-tests.sh
. tests/lab/instance-tests.sh
. tests/lab/webapp-tests.sh
. tests/lab/contain-tests.sh
. tests/lab/blocklist-tests.sh
. tests/lab/fleet-tests.sh
echo "lab: $passed passed, $failed failed"
[ $failed -eq 0 ]
