#!/usr/bin/env bash
# bench-queue.sh - read and aggregate a 100 000-message queue.
#
# Generates a postqueue -j stream (the format Postfix 3.7 writes, as recorded
# in tests/fixtures/lab-postqueue.jsonl) and puts a stand-in `postqueue` that
# prints it first on PATH, so the measurement is spamtop's reading, parsing
# and aggregation of the stream, not showq's.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${BENCH_QUEUE:-100000}
dir=bench-data
mkdir -p "$dir/bin"
stream=$dir/postqueue-$n.jsonl
if [ ! -s "$stream" ]; then
	awk -v n="$n" 'BEGIN { srand(20261124); t = 1795561949
		for (i = 0; i < n; i++) {
			q = (i % 10 < 7) ? "deferred" : (i % 10 < 9) ? "hold" : "active"
			s = (i % 3) ? sprintf("promo%d@deals%d.example", i % 5000, i % 300) : "MAILER-DAEMON"
			printf "{\"queue_name\": \"%s\", \"queue_id\": \"%011X\", \"arrival_time\": %d, \"message_size\": %d, \"forced_expire\": false, \"sender\": \"%s\", \"recipients\": [{\"address\": \"buyer%d@victims%d.example\", \"delay_reason\": \"host mx.victims.example[198.51.100.7] said: 421 4.7.0 Try again later\"}, {\"address\": \"extra%d@victims%d.example\"}]}\n", q, 1048576 + i * 7919, t - (i % 5000) * 7, 400 + i % 40000, s, i, i % 97, i, i % 97 } }' > "$stream"
fi
printf '#!/bin/sh\nexec cat "%s"\n' "$PWD/$stream" > "$dir/bin/postqueue"
chmod +x "$dir/bin/postqueue"
/usr/bin/time -f '%e %M' -o "$dir/time.out" env PATH="$PWD/$dir/bin:$PATH" ./spamtop queue --summary --log /dev/null > "$dir/queue-summary.txt"
read -r wall kb < "$dir/time.out"
msgs=$(sed -n 's/^Queue (postqueue -j): \([0-9]*\) messages.*/\1/p' "$dir/queue-summary.txt")
[ "$msgs" = "$n" ] || { echo "bench-queue: read $msgs of $n messages" >&2; exit 1; }
awk -v n="$n" -v w="$wall" -v kb="$kb" 'BEGIN { if (w <= 0) w = 0.01
	printf "queue: %d messages read and aggregated in %.2f s (%.0f messages/s), %.1f MB peak\n", n, w, n / w, kb / 1024 }'
