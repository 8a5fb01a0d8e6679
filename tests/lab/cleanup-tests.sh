# cleanup-tests.sh - sourced by tests/lab/run.sh last: the guided cleanup,
# driven in tmux through all six steps against a fresh outbreak on the real
# Postfix, then `spamtop report --incident` and `cleanup --resume`.
. tests/tmux-lib.sh

wizard_state=$tmp/cleanup.json
wizard_report=$tmp/incident.md
wizard_journal=$tmp/wizard-journal.jsonl

# wizard_start: the console, opened on the cleanup, as root
wizard_start() {
	tui_start 120x45 "$bin" cleanup "$@" --state "$wizard_state" --incident "$wizard_report" \
		--journal "$wizard_journal" --disable-cmd "echo kicked {user}" "$log"
}

# log_ticker: a connection to the real Postfix every second (its log keeps
# being written, and the console redraws, while the wizard is driven)
log_ticker_start() {
	touch "$tmp/ticking"
	( while [ -e "$tmp/ticking" ]; do
		swaks --server 127.0.0.1:25 --quit-after CONNECT --silent 2 >/dev/null 2>&1 || true
		sleep 1
	done ) &
	ticker=$!
}
log_ticker_stop() { rm -f "$tmp/ticking"; wait "${ticker:-}" 2>/dev/null || true; }

cleanup_wizard_walks_all_six_steps_on_the_real_outbreak() {
	local others before_ids
	others=$(postqueue -j | jq -r 'select(.sender=="alice@lab.example") | .queue_id' | sort)
	[ "$(echo "$others" | wc -l)" = 3 ]
	log_ticker_start
	wizard_start
	# 1. hold
	tui_wait "Cleanup step 1 of 6: Hold the queue"
	tui_wait "Queue now: 39 messages: incoming 0, active 0, deferred 39, hold 0"
	tui_keys Enter
	tui_wait "Hold 39 messages: all queued messages"
	tui_keys y
	tui_wait "postsuper: 39 messages changed (exit status 0)"
	[ "$(count_queue '.queue_name=="hold"')" = 39 ]
	tui_keys Escape
	# 2. read the log
	tui_wait "Cleanup step 2 of 6: Read the log"
	tui_wait "24 messages  cheap-pills.example"
	tui_screen | grep -q "with the null sender from=<>: 4 (10%)"
	tui_keys Enter
	# 3. identify: the account and the trusted relay are the top two, marked
	tui_wait "Cleanup step 3 of 6: Identify the source"
	tui_screen | grep -qE '^> \[x\] sasl_user victim@lab.example$'
	tui_screen | grep -qE '^  \[x\] trusted_relay 127.0.0.2$'
	tui_screen | grep -qE '^  \[ \] brute_force 127.0.0.66$'
	tui_screen | grep -q "trusted: in mynetworks as 127.0.0.2/32"
	sleep 2	# two connections logged, the page redrawn: each suspect still listed once
	[ "$(tui_screen | grep -c '\] sasl_user victim@lab.example$')" = 1 ]
	tui_keys Enter
	# 4. contain
	tui_wait "Cleanup step 4 of 6: Contain"
	tui_wait "mynetworks after: 127.0.0.1/32"
	tui_keys Enter
	tui_wait "Confirm the containment (journaled)"
	tui_keys y
	tui_wait "127.0.0.2 dropped from mynetworks"
	tui_screen | grep -q "victim@lab.example blocked in Postfix"
	[ "$(postconf -h mynetworks)" = "127.0.0.1/32" ]
	# the account is blocked by Postfix itself: a real AUTH send is refused
	[ "$(postconf -h smtpd_sender_restrictions)" = "check_sasl_access texthash:/etc/postfix/spamtop/sasl_access" ]
	if swaks --server 127.0.0.1:25 --from victim@lab.example --to x@remote.example --auth LOGIN \
		--auth-user victim@lab.example --auth-password victim-secret --silent 2 >/dev/null; then
		echo "the blocked account could still send"; return 1
	fi
	ls /etc/postfix/main.cf.spamtop-* > "$tmp/backups"
	grep -q '^mynetworks = 127.0.0.1/32 127.0.0.2/32$' "$(head -1 "$tmp/backups")"
	tui_keys Escape
	# 5. clean: the two culprits' 36 messages go, alice's 3 stay
	tui_wait "Cleanup step 5 of 6: Clean the queue"
	tui_wait "queued messages (from the log;"
	tui_keys Enter
	tui_wait "Delete 36 messages"
	tui_keys y
	tui_wait "Done: 36 changed, 0 already gone from the queue, 0 not changed (exit status 0)"
	[ "$(postqueue -j | jq -r .queue_id | sort)" = "$others" ]
	tui_keys Escape
	# 6. release and watch
	tui_wait "Cleanup step 6 of 6: Release and watch"
	tui_keys Enter
	tui_wait "Release 3 messages: all queued messages"
	tui_keys y
	tui_wait "postsuper: 3 messages changed (exit status 0)"
	[ "$(count_queue '.queue_name=="hold"')" = 0 ]
	tui_keys Escape
	tui_wait "Cleanup: watching after the release"
	tui_wait "sasl_user victim@lab.example: quiet, 0 message(s) since the release"
	# the report is written at the release and again when the queue is read after it
	local deadline=$((SECONDS + 10))
	until grep -q '^- After the release: 3 messages' "$wizard_report" 2>/dev/null; do
		[ $SECONDS -lt $deadline ] || { cat "$wizard_report"; return 1; }
		sleep 0.1
	done
	grep -q '^### sasl_user victim@lab.example (acted on)$' "$wizard_report"
	grep -q '^### trusted_relay 127.0.0.2 (acted on)$' "$wizard_report"
	grep -qE '^\| [0-9T:-]+ \| root \| hold \| all \| postsuper \\-h ALL \| 39 \| 39 \| 0 \| 0 \| 0 \|$' "$wizard_report"
	grep -qE '\| delete \| SASL user victim@lab.example; client IP 127.0.0.2 \| postsuper \\-d \\- \| 36 \| 36 \| 0 \| 0 \| 0 \|$' "$wizard_report"
	grep -qE '\| mynetworks \| mynetworks = 127.0.0.1/32 \| postconf \\-e mynetworks = 127.0.0.1/32 \|' "$wizard_report"
	grep -qE '\| disable\\-account \| victim@lab.example \| echo kicked victim@lab.example \|' "$wizard_report"
	grep -qE '\| block\\-account \| victim@lab.example \| ' "$wizard_report"
	grep -qE '\| release \| all \| postsuper \\-H ALL \| 3 \| 3 \|' "$wizard_report"
	grep -q '^- Before the cleanup: 39 messages (incoming 0, active 0, deferred 39, hold 0)$' "$wizard_report"
	jq -e '.step == 7 and .released > 0' "$wizard_state"
	log_ticker_stop
}

incident_report_command_writes_the_same_story() {
	"$san" report --incident "$tmp/again.md" --journal "$wizard_journal" --state "$wizard_state" "$log"
	grep -q '^- step 5, Clean the queue: delete\\: 36 changed' "$tmp/again.md"
	grep -q '^### sasl_user victim@lab.example (acted on)$' "$tmp/again.md"
	grep -q '^- After the release: 3 messages' "$tmp/again.md"
}

cleanup_resume_goes_on_at_the_saved_step() {
	jq '.step = 5' "$wizard_state" > "$tmp/s" && mv "$tmp/s" "$wizard_state"
	wizard_start --resume
	tui_wait "Cleanup step 5 of 6: Clean the queue"
	tui_screen | grep -q "done: 4. Contain: victim@lab.example: echo ran, blocked in Postfix; 127.0.0.2 dropped from mynetworks"
	tui_keys Escape
	tui_wait "1 SASL users"
}

# a fresh outbreak: the tests before this one emptied the queue
$lab up >/dev/null
$lab outbreak
check "cleanup: the wizard walks all six steps on the real outbreak" cleanup_wizard_walks_all_six_steps_on_the_real_outbreak
check "cleanup: spamtop report --incident tells the same story" incident_report_command_writes_the_same_story
check "cleanup: --resume goes on at the saved step" cleanup_resume_goes_on_at_the_saved_step
tui_stop
rm -f "$tmp/ticking"	# the ticker of a test that failed half-way stops too

# throttle_from_step_one PACE - the wizard on the fresh outbreak: step 1 holds the
# queue, steps 2-5 are passed by, step 6 starts the throttled release (5 a batch)
throttle_from_step_one() {
	tui_wait "Queue now: 39 messages: incoming 0, active 0, deferred 39, hold 0"
	tui_keys Enter
	tui_wait "Hold 39 messages"
	tui_keys y
	tui_wait "postsuper: 39 messages changed"
	tui_keys Escape n n n n
	tui_wait "Cleanup step 6 of 6: Release and watch"
	tui_wait "Queue now: 39 messages: incoming 0, active 0, deferred 0, hold 39"
	tui_keys t
	tui_wait "Release 39 held messages in 8 batches of up to 5, $1"
	tui_keys y
	tui_wait "Throttled release: 5 of 39 held messages released"
}

# step 6's throttled release on the real queue: the account is left
# uncontained (step 4 skipped), so when it sends again during the release
# the release stops and the whole queue is held again
throttled_release_stops_and_holds_again_when_the_account_sends_again() {
	tui_start 120x45 "$bin" cleanup --throttle 5/2 --state "$tmp/throttle.json" --incident "$tmp/throttle.md" \
		--journal "$tmp/throttle.jsonl" "$log"
	throttle_from_step_one "one every 2 s, oldest first"
	[ "$(count_queue '.queue_name=="hold"')" -le 34 ]
	swaks --server 127.0.0.1:25 --from victim@lab.example --to x@remote.example --auth LOGIN \
		--auth-user victim@lab.example --auth-password victim-secret --silent 2 >/dev/null
	tui_wait "STOPPED: sasl_user victim@lab.example sent again: the queue is held again"
	local deadline=$((SECONDS + 10))
	until [ "$(count_queue '.queue_name!="hold"')" = 0 ]; do	# everything held again, the new message too
		[ $SECONDS -lt $deadline ] || { postqueue -j | jq -c '[.queue_id, .queue_name]'; return 1; }
		sleep 0.2
	done
	[ "$(count_queue 'true')" = 40 ]
	jq -es 'map(select(.phase == "done" and .action == "release")) | length >= 1' "$tmp/throttle.jsonl"
	jq -es 'map(select(.phase == "done" and .action == "hold")) | length == 2' "$tmp/throttle.jsonl"
	tui_keys Escape q
}

$lab up >/dev/null
$lab outbreak
check "cleanup: a throttled release on the real queue stops and holds again when the account sends again" \
	throttled_release_stops_and_holds_again_when_the_account_sends_again
tui_stop

# cleanup --yes --throttle: no screen; step 6 releases in batches while the
# log is followed. The account is contained (step 4) and its messages deleted
# (step 5); the 15 others come back 5 a second, oldest first.
cleanup_yes_releases_in_batches() {
	local rc=0
	"$san" cleanup --yes --sasl-user victim@lab.example --throttle 5/1 --state "$tmp/yes-t.json" \
		--incident "$tmp/yes-t.md" --journal "$tmp/yes-t.jsonl" "$log" > "$tmp/o" 2>&1 || rc=$?
	cat "$tmp/o"
	[ $rc = 0 ]
	grep -q '^Step 6 of 6: Release and watch: 5 messages every 1 s, oldest first, the logs watched$' "$tmp/o"
	grep -q '^    batch 1: 5 of 15 released$' "$tmp/o"
	grep -q '^    batch 3: 15 of 15 released$' "$tmp/o"
	[ "$(count_queue '.queue_name=="hold"')" = 0 ]
	[ "$(count_queue 'true')" = 15 ]
	[ "$(jq -s 'map(select(.phase == "done" and .action == "release")) | length' "$tmp/yes-t.jsonl")" = 3 ]
}

# a contained trusted relay that sends again during the release (mail to a
# local address, which needs no relaying) stops it: the queue is held again
cleanup_yes_throttle_stops_when_a_contained_relay_sends_again() {
	local rc=0
	"$san" cleanup --yes --trusted-ip 127.0.0.2 --throttle 5/2 --state "$tmp/yes-s.json" \
		--incident "$tmp/yes-s.md" --journal "$tmp/yes-s.jsonl" "$log" > "$tmp/o" 2>&1 &
	local pid=$! deadline=$((SECONDS + 30))
	until grep -q '^    batch 1: 5 of 27 released$' "$tmp/o"; do
		[ $SECONDS -lt $deadline ] || { cat "$tmp/o"; return 1; }
		sleep 0.1
	done
	swaks --server 127.0.0.1:25 --li 127.0.0.2 --from offers@bulk-mailer.example --to "postmaster@lab.example" \
		--silent 2 >/dev/null
	wait "$pid" || rc=$?
	cat "$tmp/o"
	[ $rc = 1 ]
	grep -q 'Throttled release STOPPED: trusted_relay 127.0.0.2 sent again: the queue is held again' "$tmp/o"
	[ "$(count_queue '.queue_name!="hold"')" = 0 ]
	[ "$(jq -s 'map(select(.phase == "done" and .action == "hold")) | length' "$tmp/yes-s.jsonl")" = 2 ]
}

count_queue() { postqueue -j | jq -s "[.[] | select($1)] | length"; }
$lab up >/dev/null
$lab outbreak
check "cleanup --yes --throttle: the release goes in batches while the log is followed" \
	cleanup_yes_releases_in_batches
$lab up >/dev/null
$lab outbreak
check "cleanup --yes --throttle: a contained relay that sends again stops it and the queue is held again" \
	cleanup_yes_throttle_stops_when_a_contained_relay_sends_again

# cleanup --yes --throttle where Postfix logs to the systemd journal (Debian 12
# without rsyslog): the real journalctl, over a journal file of the lab's log,
# gives the history and then follows new entries during the release
. tests/journal-lib.sh
lab_journal() {
	local first day
	first=$("$san" --report --json "$log" | jq -r .input.first_time)
	day=$(( $(date -d "$first" +%s) / 86400 * 86400 ))	# dated as spamtop dates the log's lines
	journal_of "$log" "$tmp/lab.journal" "$day"
	rm -rf "$tmp/jbin"
	fake_journalctl "$tmp/jbin" "$tmp/lab.journal"
}
cleanup_yes_throttle_follows_the_journal() {
	local rc=0
	lab_journal
	PATH="$tmp/jbin:$PATH" "$san" cleanup --yes --sasl-user victim@lab.example --throttle 5/1 --journald \
		--state "$tmp/yes-j.json" --incident "$tmp/yes-j.md" --journal "$tmp/yes-j.jsonl" > "$tmp/o" 2>&1 || rc=$?
	cat "$tmp/o"
	[ $rc = 0 ]
	grep -q '^    batch 3: 15 of 15 released$' "$tmp/o"
	grep -q -- '--follow --lines=0' "$tmp/jbin/journalctl.args"
	[ "$(count_queue '.queue_name=="hold"')" = 0 ]
}

# a journalctl that ends during the release (journald restarted, the process
# killed): nothing more is released blind, the rest stays held
cleanup_yes_throttle_stops_when_the_journal_is_lost() {
	local rc=0
	lab_journal
	printf '#!/bin/sh\ncase " $* " in *" --follow "*) sleep 2; echo "journal gone" >&2; exit 1 ;; esac\n' \
		> "$tmp/jbin/journalctl"
	printf 'exec /usr/bin/journalctl --file=%s "$@"\n' "$tmp/lab.journal" >> "$tmp/jbin/journalctl"
	PATH="$tmp/jbin:$PATH" "$san" cleanup --yes --sasl-user victim@lab.example --throttle 5/5 --journald \
		--state "$tmp/yes-l.json" --incident "$tmp/yes-l.md" --journal "$tmp/yes-l.jsonl" > "$tmp/o" 2>&1 || rc=$?
	cat "$tmp/o"
	[ $rc = 1 ]
	grep -q '^    batch 1: 5 of 15 released$' "$tmp/o"
	grep -q '^    Throttled release STOPPED: journalctl ended with status 1: journal gone: the log is watched no more; the 10 not released stay held$' "$tmp/o"
	[ "$(count_queue '.queue_name=="hold"')" = 10 ]
}
$lab up >/dev/null
$lab outbreak
check "cleanup --yes --throttle --journald: the release goes in batches while the journal is followed" \
	cleanup_yes_throttle_follows_the_journal
$lab up >/dev/null
$lab outbreak
check "cleanup --yes --throttle --journald: a journalctl that ends stops the release, the rest held" \
	cleanup_yes_throttle_stops_when_the_journal_is_lost

# the console's throttled release where the journal is the log: the history and
# the new entries come through one journalctl --follow; when it ends, nothing
# more is released blind and the rest stays held
console_throttle_stops_when_the_journal_is_lost() {
	lab_journal
	touch "$tmp/jalive"
	{
		printf '#!/bin/sh\ncase " $* " in *" --follow "*)\n'
		printf '\targs=""; for a in "$@"; do [ "$a" = --follow ] || args="$args $a"; done\n'
		printf '\t/usr/bin/journalctl --file=%s $args\n' "$tmp/lab.journal"
		printf '\twhile [ -e %s ]; do sleep 0.2; done; echo "journal gone" >&2; exit 1 ;;\nesac\n' "$tmp/jalive"
		printf 'exec /usr/bin/journalctl --file=%s "$@"\n' "$tmp/lab.journal"
	} > "$tmp/jbin/journalctl"
	tui_start 120x45 env PATH="$tmp/jbin:$PATH" "$bin" cleanup --throttle 5/60 --journald \
		--state "$tmp/throttle-j.json" --incident "$tmp/throttle-j.md" --journal "$tmp/throttle-j.jsonl"
	throttle_from_step_one "one every 60 s, oldest first"
	rm "$tmp/jalive"
	tui_wait "STOPPED: journalctl ended with status 1: journal gone: the log is watched no more; the rest stays"
	tui_wait "trusted_relay 127.0.0.2: quiet, 0 message(s) since the release"
	[ "$(count_queue '.queue_name=="hold"')" = 34 ]
	tui_keys Escape q
}
$lab up >/dev/null
$lab outbreak
check "cleanup in the console, the journal as the log: a journalctl that ends stops the release, the rest held" \
	console_throttle_stops_when_the_journal_is_lost
tui_stop
