# queue-tests.sh - sourced by tests/lab/run.sh after the outbreak was played:
# the queue commands against the real Postfix queue and real postsuper.
# Order matters: the destructive tests come last.

journal=$tmp/journal.jsonl
export SPAMTOP_JOURNAL=$journal

in_queue() { postqueue -j | jq -r "select($1) | .queue_id" | sort; }
count_queue() { postqueue -j | jq -s "[.[] | select($1)] | length"; }

stale_log_attribution_is_dropped_and_the_unlogged_are_read_from_their_files() {
	# a log that wrongly says one of alice's queued messages was sent by victim,
	# and says nothing of the other 38 (as a log begun after they were queued)
	local id; id=$(postqueue -j | jq -r 'select(.sender=="alice@lab.example") | .queue_id' | head -1)
	[ -n "$id" ]
	printf 'Nov 24 10:00:00 mail postfix/smtpd[1]: %s: client=unknown[127.0.0.99], sasl_method=LOGIN, sasl_username=victim@lab.example\n' "$id" > "$tmp/stale.log"
	local rc=0 before; before=$(in_queue true)
	"$san" delete --sasl-user victim@lab.example --log "$tmp/stale.log" --dry-run > "$tmp/o" 2>&1 || rc=$?
	cat "$tmp/o"
	[ $rc -eq 3 ]
	grep -qx 'Selected from the log: 1; confirmed by their queue files: 0; dropped: 1' "$tmp/o"
	# the real postcat names the account in each of its 24 files
	grep -qx 'Not in the log: 38 queued messages read from their files; 24 of them match' "$tmp/o"
	grep -qx 'Delete 24 messages: SASL user victim@lab.example' "$tmp/o"
	if grep -q "$id" "$tmp/o"; then echo "alice's message was in the plan"; return 1; fi
	[ "$(in_queue true)" = "$before" ]
	# no log at all: the same 24
	: > "$tmp/empty.log"
	rc=0
	"$san" delete --sasl-user victim@lab.example --log "$tmp/empty.log" --dry-run > "$tmp/o" 2>&1 || rc=$?
	grep -qx 'Delete 24 messages: SASL user victim@lab.example' "$tmp/o"
	local listed victims q; listed=$(sed -n 's/^  \([0-9A-Za-z]\{6,\}\) .*/\1/p' "$tmp/o")
	victims=$(in_queue '.sender | startswith("promo")')
	[ -n "$listed" ]
	for q in $listed; do echo "$victims" | grep -qx "$q"; done	# each one the account's
}

dry_run_shows_command_and_count_and_changes_nothing() {
	local before; before=$(in_queue true)
	local rc=0
	"$san" delete --sasl-user victim@lab.example --log "$log" --dry-run > "$tmp/o" || rc=$?
	cat "$tmp/o"
	[ $rc -eq 3 ]
	grep -q '^Delete 24 messages: SASL user victim@lab.example$' "$tmp/o"
	grep -q '^Command: postsuper -d -' "$tmp/o"
	grep -q 'Dry run: nothing was changed' "$tmp/o"
	[ "$(in_queue true)" = "$before" ]
}

hold_by_client_ip_holds_the_trusted_relays_mail_only() {
	"$san" hold --client-ip 127.0.0.2 --log "$log" --yes
	[ "$(count_queue '.queue_name=="hold"')" = 12 ]
	[ "$(postqueue -j | jq -r 'select(.queue_name=="hold") | .sender' | sort -u | tr '\n' ' ')" = "MAILER-DAEMON offers@bulk-mailer.example " ]
}

release_all_leaves_nothing_held() {
	"$san" release --all --yes
	[ "$(count_queue '.queue_name=="hold"')" = 0 ]
	[ "$(count_queue true)" = 39 ]
}

hold_all_puts_every_message_on_hold() {
	"$san" hold --all --yes > "$tmp/o"
	cat "$tmp/o"
	grep -q '^Hold 39 messages: all queued messages$' "$tmp/o"
	[ "$(count_queue '.queue_name=="hold"')" = 39 ]
	"$san" release --all --yes
	[ "$(count_queue '.queue_name=="hold"')" = 0 ]
}

queue_id_with_shell_metacharacters_is_refused() {
	local rc=0 before; before=$(in_queue true)
	"$san" delete --id 'ABCDE;rm -rf /' --yes 2> "$tmp/e" || rc=$?
	cat "$tmp/e"
	[ $rc -eq 2 ]
	grep -q "is not a Postfix queue ID" "$tmp/e"
	[ "$(in_queue true)" = "$before" ]
}

unknown_queue_id_and_empty_selection_change_nothing() {
	local rc=0
	"$san" delete --id ABCDEF12345 --yes > "$tmp/o" || rc=$?
	[ $rc -eq 3 ] && grep -q 'nothing to do' "$tmp/o"
	rc=0
	"$san" hold --sender nobody@nowhere.example --yes > "$tmp/o" || rc=$?
	[ $rc -eq 3 ] && grep -q 'nothing to do' "$tmp/o"
	rc=0
	"$san" hold --yes 2> "$tmp/e" || rc=$?
	[ $rc -eq 2 ] && grep -q 'needs either --all or a selection' "$tmp/e"
	[ "$(count_queue true)" = 39 ]
}

no_terminal_without_yes_changes_nothing() {
	local rc=0
	setsid "$san" hold --all < /dev/null > "$tmp/o" 2> "$tmp/e" || rc=$?
	cat "$tmp/e"
	[ $rc -eq 3 ]
	grep -q 'no terminal to confirm on' "$tmp/e"
	[ "$(count_queue '.queue_name=="hold"')" = 0 ]
}

unwritable_journal_refuses_the_action() {
	local rc=0
	SPAMTOP_JOURNAL=/proc/spamtop/journal.jsonl "$san" hold --all --yes > "$tmp/o" 2> "$tmp/e" || rc=$?
	cat "$tmp/e"
	[ $rc -eq 1 ]
	grep -q 'refusing to act without an audit record' "$tmp/e"
	[ "$(count_queue '.queue_name=="hold"')" = 0 ]
}

non_root_is_told_why_and_nothing_changes() {
	local rc=0
	mkdir -p "$tmp/nobody" && chown nobody "$tmp/nobody" && chmod 755 "$tmp"
	SPAMTOP_JOURNAL=$tmp/nobody/journal.jsonl setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$bin" hold --all --yes > "$tmp/o" 2> "$tmp/e" || rc=$?
	cat "$tmp/o" "$tmp/e"
	[ $rc -eq 1 ]
	grep -q 'hold needs root: postsuper is reserved for the superuser. Nothing was changed' "$tmp/e"
	[ "$(count_queue '.queue_name=="hold"')" = 0 ]
	# read-only use still works: the queue listing and a dry run
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$bin" queue --log /dev/null > "$tmp/o"
	grep -q '^Queue (postqueue -j): 39 messages' "$tmp/o"
	rc=0
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$bin" hold --all --dry-run > "$tmp/o" || rc=$?
	[ $rc -eq 3 ] && grep -q '^Hold 39 messages' "$tmp/o"
}

delete_by_sasl_user_removes_exactly_that_users_messages() {
	local victims others_before
	victims=$(for id in $(in_queue true); do postcat -eq "$id" 2>/dev/null | grep -q '^named_attribute: sasl_username=victim@lab.example$' && echo "$id"; done | sort)
	[ "$(echo "$victims" | wc -l)" = 24 ]
	others_before=$(comm -23 <(in_queue true) <(echo "$victims"))
	"$san" delete --sasl-user victim@lab.example --log "$log" --yes > "$tmp/o"
	cat "$tmp/o"
	grep -q '^Done: 24 changed, 0 already gone from the queue, 0 not changed' "$tmp/o"
	[ "$(in_queue true)" = "$others_before" ]
	[ "$(count_queue true)" = 15 ]
}

every_action_is_in_the_journal() {
	# hold by IP, release all, hold all, release all, delete: 5 planned + 5 done
	[ "$(jq -s '[.[] | select(.phase=="planned")] | length' "$journal")" = 5 ]
	[ "$(jq -s '[.[] | select(.phase=="done")] | length' "$journal")" = 5 ]
	jq -s -e '.[-1] | .action=="delete" and .operator=="root" and .exit_status==0 and (.changed|length)==24 and .selection=="SASL user victim@lab.example"' "$journal"
	jq -s -e 'all(.[]; has("time") and has("host") and has("command"))' "$journal"
}

deleted_messages_show_in_the_log_model() {
	"$san" --report --json "$log" > "$tmp/r.json"
	[ "$(jq .totals.deleted "$tmp/r.json")" = 24 ]
	[ "$(jq '.sasl_users[] | select(.key=="victim@lab.example") | .deleted' "$tmp/r.json")" = 24 ]
}

check "a stale log attribution is dropped by the queue file's own record; messages the log does not know are read from their files" \
	stale_log_attribution_is_dropped_and_the_unlogged_are_read_from_their_files
check "a dry run shows command and count and changes nothing" dry_run_shows_command_and_count_and_changes_nothing
check "hold by client IP holds the trusted relay's mail only" hold_by_client_ip_holds_the_trusted_relays_mail_only
check "release --all leaves nothing held" release_all_leaves_nothing_held
check "hold --all puts every message on hold" hold_all_puts_every_message_on_hold
check "a queue ID with shell metacharacters is refused" queue_id_with_shell_metacharacters_is_refused
check "an unknown queue ID and an empty selection change nothing" unknown_queue_id_and_empty_selection_change_nothing
check "without a terminal and without --yes nothing changes" no_terminal_without_yes_changes_nothing
check "an unwritable journal refuses the action" unwritable_journal_refuses_the_action
check "not root: told why, nothing changes" non_root_is_told_why_and_nothing_changes
check "delete --sasl-user removes exactly that user's messages" delete_by_sasl_user_removes_exactly_that_users_messages
check "every action is in the journal" every_action_is_in_the_journal
check "deleted messages show in the log model" deleted_messages_show_in_the_log_model
