# fleet-tests.sh - sourced by tests/lab/run.sh last: two servers, this one and
# mx2 (lab.sh LAB_PROFILE=fleet: a Postfix of its own config_directory, queue
# and log, reached over a real ssh on 127.0.0.1 with a key the lab made, whose
# sessions run this tree's spamtop on mx2's queue and journal). The
# compromised account sent from both; the console reads mx2's log over ssh.

LAB_PROFILE=fleet $lab up
$lab outbreak
$lab mx2-burst 5
log=$($lab log)
ssh_dir=$($lab ssh-dir)
mx2_log=$(dirname "$log")/mx2.log
mx2_conf=/etc/postfix-mx2
mx2_journal=$ssh_dir/mx2-journal.jsonl

# queued CONF JQ-FILTER - how many of that server's queued messages match
queued() { postqueue -c "$1" -j | jq -s "[.[] | select($2)] | length"; }

fleet_console() {
	tui_start 120x35 env PATH="$ssh_dir/bin:$PATH" "$bin" --journal "$tmp/fleet-journal.jsonl" \
		--source "here=$log" --source "mx2=ssh://root@127.0.0.1:2222$mx2_log"
	tui_wait "hosts here, mx2"
	tui_wait "crit 200  on here"	# the queue line says whose queue it counts
	tui_keys @ @	# mx2's rows only
	tui_wait "Host mx2 only"
	tui_wait_line "^Queue +5 .* deferred 5 .* on mx2 \(over ssh" 20	# its queue, not this one's
	tui_wait_line '^  mx2 +victim@lab.example +5 ' 20	# its lines came over ssh
}

report_metrics_and_check_read_the_other_servers_log_over_ssh_as_if_it_were_here() {
	local far="mx2=ssh://root@127.0.0.1:2222$mx2_log" near="mx2=$mx2_log"
	PATH="$ssh_dir/bin:$PATH" "$san" --report --json --source "here=$log" --source "$far" > "$tmp/fleet-r.json"
	"$san" --report --json --source "here=$log" --source "$near" > "$tmp/local-r.json"
	[ "$(jq -c '.sasl_users' "$tmp/fleet-r.json")" = "$(jq -c '.sasl_users' "$tmp/local-r.json")" ]
	jq -e '.sasl_users[] | select(.host == "mx2" and .key == "victim@lab.example") | .messages == 5' \
		"$tmp/fleet-r.json" > /dev/null
	PATH="$ssh_dir/bin:$PATH" "$san" metrics --source "here=$log" --source "$far" | grep -vE '^spamtop_(queue|alert_state)' > "$tmp/m-far"
	"$san" metrics --source "here=$log" --source "$near" | grep -vE '^spamtop_(queue|alert_state)' > "$tmp/m-near"
	grep -q "^spamtop_sasl_user_messages_total{user=\"victim@lab.example\",host=\"mx2\"} 5$" "$tmp/m-far"
	cmp "$tmp/m-far" "$tmp/m-near" || return 1
	# check asks for the log's end (tail -c) through the real sshd: the same verdict
	PATH="$ssh_dir/bin:$PATH" "$san" check --no-queue --source "here=$log" --source "$far" > "$tmp/c-far" || true
	"$san" check --no-queue --source "here=$log" --source "$near" > "$tmp/c-near" || true
	grep -q '^SPAMTOP ' "$tmp/c-near" && cmp "$tmp/c-far" "$tmp/c-near"
}

the_console_shows_both_servers_and_a_refused_remote_plan_changes_nothing() {
	fleet_console
	tui_keys d
	tui_wait "On mx2, its own spamtop planned (over ssh; exit status 3):" 20
	tui_wait "Delete 5 messages: SASL user victim@lab.example"
	tui_wait "'delete' '--sasl-user=victim@lab.example' '--log=$mx2_log' '--yes'"
	tui_wait "y: run it on mx2"
	tui_keys n
	tui_wait "Cancelled: nothing was changed"
	[ "$(queued $mx2_conf 'true')" = 5 ]
	[ ! -s "$tmp/fleet-journal.jsonl" ] || return 1	# a dry run changes nothing and is not journaled
	[ ! -s "$mx2_journal" ] || return 1
	tui_keys 5	# the Queue tab lists queue files read here: said, not an empty mx2 queue
	tui_wait "0 rows: this tab lists here's queue, read here; mx2's is counted on the queue line"
}

# a message of mx2: its trail is searched in mx2's log, there (grep over the real ssh)
a_message_of_the_other_server_shows_its_log_trail_found_there() {
	fleet_console
	tui_keys Home Enter	# victim's messages on mx2
	tui_wait_line "5 rows" 10
	tui_keys Enter	# the first of them
	tui_wait_line "Log trail: [4-9] line\(s\)" 20
	tui_wait_line "mx2 postfix/smtpd\[[0-9]+\]: [0-9A-F]+: client=unknown\\[127\\.0\\.0\\.[0-9]+\\], sasl_method=LOGIN" 5
}


hold_and_release_all_while_the_other_server_is_shown_act_on_its_queue_only() {
	fleet_console
	tui_keys H
	tui_wait "Hold 5 messages: all queued messages" 20
	tui_wait "'hold' '--all' '--yes'"
	tui_keys y
	tui_wait "mx2 answered (exit status 0):" 30
	[ "$(queued $mx2_conf '.queue_name == "hold"')" = 5 ]
	[ "$(queued /etc/postfix '.queue_name == "hold"')" = 0 ]	# this server's queue is not touched
	tui_keys q	# the queue line is mx2's, counted there (again within 15 s)
	tui_wait_line "^Queue +5 .* hold 5  deferred 0 .* on mx2 \(over ssh, [0-9]+s ago\)" 25
	tui_keys R
	tui_wait "Release 5 messages: all queued messages" 20
	tui_keys y
	tui_wait "mx2 answered (exit status 0):" 30
	[ "$(queued $mx2_conf '.queue_name == "hold"')" = 0 ]
	[ "$(jq -s '[.[] | select(.phase == "done" and .remote_host == "mx2")] | length' "$tmp/fleet-journal.jsonl")" = 2 ]
}

deleting_a_users_mail_on_the_other_server_changes_exactly_those_journaled_on_both_sides() {
	local here_before; here_before=$(queued /etc/postfix 'true')
	fleet_console
	tui_keys d
	tui_wait "y: run it on mx2" 20
	tui_keys y
	tui_wait "mx2 answered (exit status 0):" 30
	tui_wait "Done: 5 changed, 0 already gone from the queue, 0 not changed"
	[ "$(queued $mx2_conf 'true')" = 0 ]
	[ "$(queued /etc/postfix 'true')" = "$here_before" ]	# this server's 24 of victim's stay
	[ "$(queued /etc/postfix '.sender | startswith("promo")')" = 24 ]
	# here: what was asked of mx2 and what it answered
	jq -s -e '[.[] | select(.action == "delete")] | length == 2 and .[0].phase == "planned" and .[1].phase == "done"
		and all(.[]; .remote_host == "mx2" and .command[0] == "ssh"
			and (.command | index("'"'"'--sasl-user=victim@lab.example'"'"'")) != null)
		and .[1].exit_status == 0 and (.[1].output | contains("Done: 5 changed"))' \
		"$tmp/fleet-journal.jsonl" >/dev/null
	# there: mx2's own spamtop journaled its postsuper run, each message
	jq -s -e '.[-1].phase == "done" and (.[-1].changed | length) == 5
		and .[-1].command == ["postsuper", "-d", "-"]' "$mx2_journal" >/dev/null
}

check "fleet: report, metrics and check read the other server's log over a real ssh as if it were here" \
	report_metrics_and_check_read_the_other_servers_log_over_ssh_as_if_it_were_here
CHECK_AFTER=tui_stop check "fleet: the console shows both servers; a remote plan declined changes nothing" \
	the_console_shows_both_servers_and_a_refused_remote_plan_changes_nothing
CHECK_AFTER=tui_stop check "fleet: a message of the other server shows its log trail, found there over ssh" \
	a_message_of_the_other_server_shows_its_log_trail_found_there
CHECK_AFTER=tui_stop check "fleet: hold and release all while the other server is shown alone act on its queue only" \
	hold_and_release_all_while_the_other_server_is_shown_act_on_its_queue_only
CHECK_AFTER=tui_stop check "fleet: deleting a user's mail on the other server over ssh changes exactly those, journaled on both sides" \
	deleting_a_users_mail_on_the_other_server_changes_exactly_those_journaled_on_both_sides
