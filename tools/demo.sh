#!/usr/bin/env bash
# demo.sh - spamtop on the bundled real outbreak capture, replayed live.
#
# tests/fixtures/lab-outbreak.log was recorded from a real Postfix (the test
# lab): a compromised SASL account, a trusted relay host, brute force. The
# replay writes its lines into a temporary log with the original pauses
# compressed (DEMO_SPEED, default 4x), so the view moves like an incident.
set -euo pipefail
cd "$(dirname "$0")/.."
capture=tests/fixtures/lab-outbreak.log
speed=${DEMO_SPEED:-4}
tmp=$(mktemp -d /tmp/spamtop-demo.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
log=$tmp/mail.log
: > "$log"
tools/replay.sh "$capture" "$log" "$speed" &
if ./spamtop --help | grep -q -- '--follow'; then
	exec ./spamtop --follow "$log"
fi
# No console in this build: refresh the report while the replay runs.
for _ in $(seq 1 40); do
	clear 2>/dev/null || true
	echo "spamtop demo: replaying $capture (${speed}x) into $log"
	./spamtop --report --top 5 "$log" | head -40
	jobs %1 >/dev/null 2>&1 || break
	sleep 0.5
done
