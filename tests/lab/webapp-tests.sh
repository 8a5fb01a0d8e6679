# webapp-tests.sh - sourced by tests/lab/run.sh last: the third cause of an
# outbreak, a compromised web application sending through sendmail as its
# own user (www-data, uid 33), beside the outbreak of the plain lab.

$lab up
$lab outbreak
$lab webapp 40
log=$($lab log)

webapp_queued() { postqueue -j | jq -s '[.[] | select(.sender=="noreply@lab.example")] | length'; }

report_names_the_web_app_uid_with_its_exact_count() {
	[ "$(grep -c 'postfix/pickup\[[0-9]*\]: [0-9A-F]*: uid=33 from=<noreply@lab.example>' "$log")" = 40 ]
	"$san" --report --json "$log" > "$tmp/r.json"
	jq -e '[.suspects[] | select(.kind=="web_app")] | length == 1' "$tmp/r.json" >/dev/null
	jq -e '.suspects[] | select(.kind=="web_app") | .key == "33" and .messages == 40' "$tmp/r.json" >/dev/null
	jq -e '.local_uids[0].key == "33" and .local_uids[0].messages == 40 and .local_uids[0].deferred == 40' \
		"$tmp/r.json" >/dev/null
	jq -e '.totals.local_submissions == 40 and .totals.messages == 80' "$tmp/r.json" >/dev/null
	"$san" --report "$log" > "$tmp/r.txt"
	grep -q '^  web_app        33 ' "$tmp/r.txt"
	grep -q -- '- 40 messages submitted locally (sendmail) in its busiest minute (threshold 10)' "$tmp/r.txt"
}

check_and_metrics_see_the_web_app() {
	local rc=0
	"$san" check --log "$log" > "$tmp/c.out" || rc=$?
	cat "$tmp/c.out"
	[ $rc -eq 2 ]
	grep -q 'messages a minute submitted locally by one uid 40 33 >= 30' "$tmp/c.out"
	grep -q ' local_rate=40;10;30;0;' "$tmp/c.out"
	"$san" metrics --log "$log" > "$tmp/m.out"
	grep -q '^spamtop_local_uid_messages_total{uid="33"} 40$' "$tmp/m.out"
	grep -q '^spamtop_alert_state{check="local_rate"} 2$' "$tmp/m.out"
}

delete_by_uid_is_confirmed_by_pickups_received_header() {
	# a stale log says one of alice's queued messages came from uid 33
	local id; id=$(postqueue -j | jq -r 'select(.sender=="alice@lab.example") | .queue_id' | head -1)
	{ grep -v "$id: client=" "$log"; printf '%s mail postfix/pickup[1]: %s: uid=33 from=<alice@lab.example>\n' \
		"$(tail -1 "$log" | cut -c1-15)" "$id"; } > "$tmp/stale.log"
	"$san" delete --uid 33 --log "$tmp/stale.log" --yes > "$tmp/o" 2>&1
	cat "$tmp/o"
	grep -q '^Delete 40 messages: local uid 33$' "$tmp/o"
	grep -q '^Selected from the log: 41; confirmed by their queue files: 40; dropped: 1$' "$tmp/o"
	[ "$(webapp_queued)" = 0 ]
	[ "$(postqueue -j | jq -s '[.[] | select(.sender=="alice@lab.example")] | length')" = 3 ]
}

console_local_tab_marks_the_web_app() {
	tui_start 110x30 "$bin" --no-queue "$log"
	tui_wait "web app uid 33"
	tui_keys 7
	tui_wait "1 rows, sorted by Msgs"
	tui_screen | grep -qE '^! 33 +40 +40 +40 '
	tui_keys w
	tui_wait "web_app 33: 40 messages"
}

check "a web application's uid is named with its exact count" report_names_the_web_app_uid_with_its_exact_count
check "check and metrics see the web application" check_and_metrics_see_the_web_app
CHECK_AFTER=tui_stop check "the console's Local uids tab marks the web application" console_local_tab_marks_the_web_app
check "delete by uid is confirmed by pickup's Received header (a stale log's claim is dropped)" \
	delete_by_uid_is_confirmed_by_pickups_received_header

# containment of the web application: its user kept from sendmail by the real
# sendmail and postdrop (authorized_submit_users; no reload), and let back
submit_users_before=$(postconf -h authorized_submit_users)
submit_users_restore() { postconf -e "authorized_submit_users = $submit_users_before"; }

block_local_user_keeps_the_web_app_from_sendmail_and_unblock_lets_it_back() {
	local j=$tmp/submit-journal.jsonl rc=0
	rm -f "$j"
	"$san" block --local-user 33 --dry-run --journal "$j" > "$tmp/sb.out" || rc=$?
	[ $rc = 3 ]
	grep -qx "authorized_submit_users after: !www-data, $submit_users_before" "$tmp/sb.out"
	[ "$(postconf -h authorized_submit_users)" = "$submit_users_before" ]
	"$san" block --local-user 33 --yes --journal "$j" > "$tmp/sb.out"
	grep -q '^Done; read back; main.cf as it was: /etc/postfix/main.cf.spamtop-' "$tmp/sb.out"
	[ "$(postconf -h authorized_submit_users)" = "!www-data, $submit_users_before" ]
	# the script's next message: refused by sendmail itself, nothing queued
	if printf 'Subject: again\n\nhello\n' | setpriv --reuid=33 --regid=33 --clear-groups \
		/usr/sbin/sendmail -f "noreply@lab.example" "lead@prospects.example" 2> "$tmp/sm.err"; then
		echo "sendmail took the message"; return 1
	fi
	cat "$tmp/sm.err"
	grep -q 'not allowed to submit mail' "$tmp/sm.err"
	"$san" block --local-user www-data --yes --journal "$j" > "$tmp/sb.out"	# once is enough
	grep -qx 'Nothing to change: www-data is kept from sendmail already.' "$tmp/sb.out"
	"$san" unblock --local-user www-data --yes --journal "$j" > "$tmp/sb.out"
	[ "$(postconf -h authorized_submit_users)" = "$submit_users_before" ]
	printf 'Subject: fixed\n\nhello\n' | setpriv --reuid=33 --regid=33 --clear-groups \
		/usr/sbin/sendmail -f "noreply@lab.example" "lead@prospects.example"
	jq -es 'map(select((.action == "submit-block" or .action == "submit-unblock") and .phase == "done"
		and .exit_status == 0)) | length == 2' "$j"
	jq -es --arg b "$submit_users_before" 'map(select(.action == "submit-block" and .phase == "done"))
		| .[0].previous == $b and .[0].value == "!www-data, " + $b and .[0].local_user == "www-data"' "$j"
}

CHECK_AFTER=submit_users_restore check "block --local-user keeps the web application's user from the real sendmail; unblock lets it back" \
	block_local_user_keeps_the_web_app_from_sendmail_and_unblock_lets_it_back
