#!/usr/bin/env bash
# demo.sh - the console on the bundled real outbreak capture, replayed live.
#
# tests/fixtures/lab-outbreak.log was recorded from a real Postfix (the test
# lab): a compromised SASL account, a trusted relay host, brute force. The
# replay writes its lines into a temporary log with the original pauses
# compressed (DEMO_SPEED, default 4x), so the view moves like an incident.
# The console runs with --no-queue (this machine's queue has nothing to do
# with the capture) and --dry-run (the action keys show, never change).
set -euo pipefail
cd "$(dirname "$0")/.."
capture=tests/fixtures/lab-outbreak.log
speed=${DEMO_SPEED:-4}
tmp=$(mktemp -d /tmp/spamtop-demo.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
log=$tmp/mail.log
: > "$log"
if [ ! -t 1 ]; then
	echo "demo: needs a terminal; for a report without one: ./spamtop --report $capture" >&2
	exit 2
fi
tools/replay.sh "$capture" "$log" "$speed" &
echo "spamtop demo: replaying $capture at ${speed}x; q quits, ? shows the keys"
sleep 1
./spamtop --no-queue --dry-run --refresh 0.5 "$log"
