# console-tests.sh - sourced by tests/lab/run.sh after queue-tests.sh: the
# console, driven in tmux, against the real queue, postcat and postsuper.
# The queue now holds 15 messages: alice's 3 and the trusted relay's 12; the
# console deletes both sets, so these come last.
. tests/tmux-lib.sh

console_shows_the_live_queue_and_real_headers() {
	tui_start 110x32 "$bin" --journal "$journal" "$log"
	tui_wait "hold 0  deferred 15"
	tui_keys 5
	tui_wait "15 rows, sorted by Age"
	tui_keys / alice Enter
	tui_wait "3 rows of 15"
	tui_keys Enter
	tui_wait "Headers (postcat -hq)"
	tui_screen | grep -q "postfix/qmgr.*from=<alice@lab.example>"
	tui_keys G	# the headers end the page
	tui_wait "Subject: quarterly report"
}

console_cancelled_hold_all_changes_nothing() {
	tui_start 110x32 "$bin" --journal "$journal" "$log"
	tui_wait "hold 0  deferred 15"
	tui_keys H
	tui_wait "Hold 15 messages: all queued messages"
	tui_screen | grep -q "Command: postsuper -h ALL"
	tui_keys n
	tui_wait "Cancelled: nothing was changed"
	[ "$(count_queue '.queue_name=="hold"')" = 0 ]
}

console_drill_down_delete_is_confirmed_from_the_queue_file() {
	# a stale log says one of alice's queued messages is victim's
	local id; id=$(postqueue -j | jq -r 'select(.sender=="alice@lab.example") | .queue_id' | head -1)
	printf 'Nov 24 10:00:00 mail postfix/smtpd[1]: %s: client=unknown[127.0.0.99], sasl_method=LOGIN, sasl_username=victim@lab.example\n' "$id" > "$tmp/stale.log"
	tui_start 110x32 "$bin" --journal "$journal" "$tmp/stale.log"
	tui_wait "hold 0  deferred 15"
	tui_keys Enter	# victim's messages: the one the log names
	tui_wait "$id"
	tui_keys d
	tui_wait "No queued message that delete can change matches queue ID $id, SASL user victim@lab.example"
	postqueue -j | jq -r .queue_id | grep -qx "$id"
}

console_deletes_a_users_messages_and_the_queue_count_drops() {
	tui_start 110x32 "$bin" --journal "$journal" "$log"
	tui_wait "hold 0  deferred 15"
	tui_keys Down d
	tui_wait "Delete 3 messages: SASL user alice@lab.example"
	tui_keys y
	tui_wait "Done: 3 changed, 0 already gone from the queue, 0 not changed (exit status 0)"
	tui_keys Escape
	tui_wait "hold 0  deferred 12"
	[ "$(count_queue '.sender=="alice@lab.example"')" = 0 ]
	[ "$(count_queue true)" = 12 ]
}

console_deletes_the_trusted_relays_mail_with_the_real_postsuper() {
	local before
	before=$(jq -s length "$journal")
	tui_start 110x32 "$bin" --journal "$journal" "$log"
	tui_wait "hold 0  deferred 12"
	tui_keys 2
	tui_wait_line '^! 127\.0\.0\.2 +12 '
	tui_keys d
	tui_wait "Delete 12 messages: client IP 127.0.0.2"
	tui_keys y
	tui_wait "Done: 12 changed, 0 already gone from the queue, 0 not changed (exit status 0)"
	tui_keys Escape
	tui_wait "hold 0  deferred 0"
	[ "$(count_queue true)" = 0 ]
	[ "$(jq -s length "$journal")" = $((before + 2)) ]
	jq -s -e '.[-1] | .phase=="done" and .action=="delete" and .selection=="client IP 127.0.0.2" and (.changed|length)==12' "$journal"
}

console_as_non_root_is_read_only_and_says_why() {
	tui_start 110x32 setpriv --reuid=nobody --regid=nogroup --clear-groups "$bin" "$log"
	tui_wait "[READ-ONLY: not root]"
	tui_wait "hold 0  deferred 0"
	tui_keys d
	tui_wait "Changing the queue needs root (postsuper)"
}

check "console: the live queue and a message's real headers" console_shows_the_live_queue_and_real_headers
check "console: a cancelled hold-all changes nothing" console_cancelled_hold_all_changes_nothing
check "console: a delete from a user's message list is confirmed from the queue file" console_drill_down_delete_is_confirmed_from_the_queue_file
check "console: deletes a user's messages, and the queue count drops" console_deletes_a_users_messages_and_the_queue_count_drops
check "console: deletes the trusted relay's mail with the real postsuper, journaled" console_deletes_the_trusted_relays_mail_with_the_real_postsuper
check "console: not root, read-only and says why" console_as_non_root_is_read_only_and_says_why
tui_stop
