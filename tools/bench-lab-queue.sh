#!/usr/bin/env bash
# bench-lab-queue.sh - a real outbreak-sized queue: the lab's Postfix (see
# tests/lab/lab.sh: loopback only, a dead relayhost, nothing delivered)
# filled by Postfix's own smtp-source with BENCH_LAB_QUEUE (20 000) messages
# from a trusted relay, then spamtop timed on it with the real postqueue,
# postcat and postsuper: the queue read, the dry run of a delete by client
# IP (each message confirmed from its queue file; then with no log, every
# file read to find the client's), hold and release of the
# whole queue, and the delete itself. Root only (it runs the lab).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "bench-lab-queue: needs root (it runs the Postfix lab)" >&2; exit 1; }
n=${BENCH_LAB_QUEUE:-20000}
lab=tests/lab/lab.sh
make -s spamtop
$lab up >/dev/null
trap '$lab down >/dev/null 2>&1' EXIT
postconf -e "defer_transports = smtp"	# queued, not tried: the queue stays whole while it is timed
postfix reload >/dev/null 2>&1
log=$($lab log)
t0=$(date +%s.%N)
smtp-source -s 20 -m "$n" -l 600 -f promo@cheap-pills.example -t buyer@victims.example \
	-S "Cheap pills" 127.0.0.1:25
until [ "$(postqueue -j | wc -l)" -ge "$n" ]; do sleep 0.5; done
fill=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
printf 'bench-lab-queue: %d messages queued by smtp-source in %.1f s\n' "$n" "$fill"

# timed LABEL CMD... - wall seconds of one run (the queue changes: no repeats)
timed() {
	local label=$1; shift
	/usr/bin/time -f '%e %M' -o /tmp/bench-lab.time "$@" > /tmp/bench-lab.out 2>&1 || true
	read -r w kb < <(tail -1 /tmp/bench-lab.time)
	printf '  %-48s %6.2f s  %6d MB\n' "$label" "$w" "$((kb / 1024))"
}
echo "spamtop on the real queue ($n messages; wall time, peak memory):"
timed "queue --summary (postqueue -j)" ./spamtop queue --summary --log /dev/null
grep -q "Queue (postqueue -j): $n messages" /tmp/bench-lab.out || { cat /tmp/bench-lab.out; exit 1; }
timed "delete --client-ip 127.0.0.1 --dry-run (postcat)" ./spamtop delete --client-ip 127.0.0.1 --dry-run \
	--log "$log" --journal /tmp/bench-lab.jsonl
grep -q "^Delete $n messages: client IP 127.0.0.1$" /tmp/bench-lab.out || { cat /tmp/bench-lab.out; exit 1; }
# no log at all (it began after the outbreak): every file is read to find the relay's
timed "the same, no log: every file read (postcat)" ./spamtop delete --client-ip 127.0.0.1 --dry-run \
	--log /dev/null --journal /tmp/bench-lab.jsonl
grep -q "^Not in the log: $n queued messages read from their files; $n of them match$" /tmp/bench-lab.out ||
	{ cat /tmp/bench-lab.out; exit 1; }
timed "hold --all --yes (postsuper -h ALL)" ./spamtop hold --all --yes --journal /tmp/bench-lab.jsonl --log /dev/null
timed "release --all --yes (postsuper -H ALL)" ./spamtop release --all --yes --journal /tmp/bench-lab.jsonl --log /dev/null
timed "delete --client-ip 127.0.0.1 --yes (postsuper -d -)" ./spamtop delete --client-ip 127.0.0.1 --yes \
	--log "$log" --journal /tmp/bench-lab.jsonl
left=$(postqueue -j | wc -l)
echo "  left in the queue after the delete: $left"
rm -f /tmp/bench-lab.time /tmp/bench-lab.out /tmp/bench-lab.jsonl
