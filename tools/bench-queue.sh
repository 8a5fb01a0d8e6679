#!/usr/bin/env bash
# bench-queue.sh - an outbreak's queue: reading it, and planning actions on it.
#
# Generates postqueue -j streams (the format Postfix 3.7 writes, as recorded
# in tests/fixtures/lab-postqueue.jsonl) of 25 000 and BENCH_QUEUE (100 000)
# messages, a log whose client= lines name a SASL user for a third of them
# (and a local submission for the others: a log that does not say
# where a message came from has its file read, see selection_collect_unlogged),
# and puts stand-in `postqueue` and `postcat` first on PATH, so that what is
# measured is spamtop's reading, selecting and confirming, not showq's. For
# each size: the queue read (`queue --summary`), and the dry runs of a
# pattern, a sender and a SASL user selection (the last with its per-message
# queue-file confirmation through postcat, in batches). Prints each time, its
# ratio to the queue read, and how 4x the messages scale. Median of 3 runs.
set -euo pipefail
cd "$(dirname "$0")/.."
big=${BENCH_QUEUE:-100000}
dir=bench-data
mkdir -p "$dir/bin"

# stream N - the queue listing and its log
stream() {
	local n=$1
	[ -s "$dir/postqueue-$n.jsonl" ] && [ -s "$dir/queue-$n.log" ] && return 0
	awk -v n="$n" -v out="$dir/postqueue-$n.jsonl" -v lg="$dir/queue-$n.log" 'BEGIN { srand(20261124); t = 1795561949
		for (i = 0; i < n; i++) {
			q = (i % 10 < 7) ? "deferred" : (i % 10 < 9) ? "hold" : "active"
			s = (i % 3) ? sprintf("promo%d@deals%d.example", i % 5000, i % 300) : "MAILER-DAEMON"
			id = sprintf("%011X", 1048576 + i * 7919)
			printf "{\"queue_name\": \"%s\", \"queue_id\": \"%s\", \"arrival_time\": %d, \"message_size\": %d, \"forced_expire\": false, \"sender\": \"%s\", \"recipients\": [{\"address\": \"buyer%d@victims%d.example\", \"delay_reason\": \"host mx.victims.example[198.51.100.7] said: 421 4.7.0 Try again later\"}, {\"address\": \"extra%d@victims%d.example\"}]}\n", q, id, t - (i % 5000) * 7, 400 + i % 40000, s, i, i % 97, i, i % 97 > out
			if (i % 3 == 1)
				printf "Nov 24 10:%02d:%02d mx postfix/smtpd[1]: %s: client=unknown[192.0.2.%d], sasl_method=LOGIN, sasl_username=victim@x.example\n", (i / 60) % 60, i % 60, id, i % 250 > lg
			else	# the log knows every message (local submissions of many users): only the files of the account are read
				printf "Nov 24 10:%02d:%02d mx postfix/pickup[2]: %s: uid=%d from=<%s>\n", (i / 60) % 60, i % 60, id, 2000 + i % 1000, s > lg
		} }'
}

printf '#!/bin/sh\n# stand-in postcat -eq: each file names the user the log names\nshift\nprintf "%%s\\n" "$@" | awk '"'"'{ print "*** ENVELOPE RECORDS deferred/0/" $1 " ***"; print "named_attribute: sasl_username=victim@x.example" }'"'"'\n' > "$dir/bin/postcat"
printf '#!/bin/sh\necho "-               -               y         /etc/postfix"\n' > "$dir/bin/postmulti"
chmod +x "$dir/bin/postcat" "$dir/bin/postmulti"

# median3 CMD... - the median wall time of three runs (seconds); peak KB of the last in $dir/kb
median3() {
	local t=()
	for _ in 1 2 3; do
		/usr/bin/time -f '%e %M' -o "$dir/time.out" env PATH="$PWD/$dir/bin:$PATH" "$@" > "$dir/out.txt" 2>&1 || true
		read -r w kb < <(tail -1 "$dir/time.out")	# after "Command exited with non-zero status 3"
		t+=("$w")
		echo "$kb" > "$dir/kb"
	done
	printf '%s\n' "${t[@]}" | sort -n | sed -n 2p
}

declare -A T
for n in 25000 "$big"; do
	stream "$n"
	printf '#!/bin/sh\nexec cat "%s"\n' "$PWD/$dir/postqueue-$n.jsonl" > "$dir/bin/postqueue"
	chmod +x "$dir/bin/postqueue"
	T[read,$n]=$(median3 ./spamtop queue --summary --log /dev/null)
	msgs=$(sed -n 's/^Queue (postqueue -j): \([0-9]*\) messages.*/\1/p' "$dir/out.txt")
	[ "$msgs" = "$n" ] || { echo "bench-queue: read $msgs of $n messages" >&2; exit 1; }
	kb=$(cat "$dir/kb")
	T[match,$n]=$(median3 ./spamtop hold --match 'deals1[0-9]\.example' --dry-run --log /dev/null)
	T[sender,$n]=$(median3 ./spamtop delete --sender promo7@deals7.example --dry-run --log /dev/null)
	T[user,$n]=$(median3 ./spamtop delete --sasl-user victim@x.example --dry-run --log "$dir/queue-$n.log")
	grep -q "^Delete $(awk -v n="$n" 'BEGIN { print int((n + 1) / 3) }') messages: SASL user" "$dir/out.txt" ||
		{ echo "bench-queue: the SASL user's dry run did not select its third of the queue" >&2; cat "$dir/out.txt" >&2; exit 1; }
	awk -v n="$n" -v w="${T[read,$n]}" -v kb="$kb" 'BEGIN { if (w <= 0) w = 0.01
		printf "queue: %d messages read and aggregated in %.2f s (%.0f messages/s), %.1f MB peak\n", n, w, n / w, kb / 1024 }'
done
for what in match sender user; do
	awk -v what="$what" -v n="$big" -v r25="${T[read,25000]}" -v rb="${T[read,$big]}" -v s="${T[$what,25000]}" -v b="${T[$what,$big]}" \
		'BEGIN { label = what == "user" ? "delete --sasl-user (confirmed by postcat)" : what == "match" ? "hold --match" : "delete --sender"
		printf "  %-42s 25 000: %.2f s (%.1fx the read)   %d: %.2f s (%.1fx the read)   4x messages: %.1fx the time\n",
			label " --dry-run", s, s / (r25 > 0 ? r25 : 0.01), n, b, b / (rb > 0 ? rb : 0.01), b / (s > 0 ? s : 0.01) }'
done
