# instance-tests.sh - sourced by tests/lab/run.sh after the real-setup tests:
# two Postfix instances on one host (lab.sh LAB_PROFILE=instances: the
# default one and postfix-out, made by postmulti, each with its own queue).
# The compromised account sends through both.

LAB_PROFILE=instances $lab up
LAB_PROFILE=instances $lab outbreak
LAB_PROFILE=instances $lab out-burst 6
log=$($lab log)
out_conf=/etc/postfix-out

# in_queue CONF JQ-FILTER - how many of that instance's queued messages match
in_queue() { postqueue -c "$1" -j | jq -s "[.[] | select($2)] | length"; }

every_instance_queue_is_read_and_joined_to_the_log() {
	"$san" queue --json > "$tmp/q.json"
	[ "$(jq '.total' "$tmp/q.json")" = 45 ]
	[ "$(jq '[.messages[] | select(.instance=="postfix-out")] | length' "$tmp/q.json")" = 6 ]
	[ "$(jq -r '[.messages[] | select(.instance=="postfix-out") | .queue_id] | sort | join(" ")' "$tmp/q.json")" = \
		"$(postqueue -c $out_conf -j | jq -r .queue_id | sort | tr '\n' ' ' | sed 's/ $//')" ]
	# the log lines of postfix-out/smtpd named the account of each of them
	[ "$(jq '[.messages[] | select(.instance=="postfix-out" and .sasl_user=="victim@lab.example")] | length' \
		"$tmp/q.json")" = 6 ]
	"$san" queue > "$tmp/q.txt"
	grep -q '^Instances: default (default) 39, postfix-out (/etc/postfix-out) 6$' "$tmp/q.txt"
}

deliveries_logged_under_another_syslog_name_join_their_message() {
	grep -q 'postfix/relay/smtp\[[0-9]*\]: [0-9A-F]*: to=<out1@victims8.example>' "$log"
	"$san" --report --json "$log" > "$tmp/r.json"
	[ "$(jq '.totals.messages' "$tmp/r.json")" = 46 ]
	[ "$(jq '.totals.open_records' "$tmp/r.json")" = 45 ]
	# 24 messages of 2 recipients in the default instance, 6 of 1 in postfix-out
	[ "$(jq '.sasl_users[] | select(.key=="victim@lab.example") | .messages' "$tmp/r.json")" = 30 ]
	[ "$(jq '.sasl_users[] | select(.key=="victim@lab.example") | .deferred' "$tmp/r.json")" = 54 ]
}

hold_reaches_every_instance_or_the_one_named() {
	"$san" hold --instance postfix-out --log "$log" --yes > "$tmp/o" 2>&1
	cat "$tmp/o"
	grep -q '^Hold 6 messages: instance postfix-out$' "$tmp/o"
	grep -q '^Command: postsuper -c /etc/postfix-out -h -   (instance postfix-out: 6 queue IDs on standard input)$' "$tmp/o"
	[ "$(in_queue $out_conf '.queue_name=="hold"')" = 6 ]
	[ "$(postqueue -j | jq -s '[.[] | select(.queue_name=="hold")] | length')" = 0 ]
	"$san" release --all --yes > "$tmp/o" 2>&1
	"$san" hold --all --yes > "$tmp/o" 2>&1
	cat "$tmp/o"
	grep -q '^Command: postsuper -c /etc/postfix-out -h ALL   (instance postfix-out)$' "$tmp/o"
	[ "$(in_queue $out_conf '.queue_name!="hold"')" = 0 ]
	[ "$(postqueue -j | jq -s '[.[] | select(.queue_name!="hold")] | length')" = 0 ]
	"$san" release --all --yes > "$tmp/o" 2>&1
	[ "$(in_queue $out_conf '.queue_name=="hold"')" = 0 ]
}

console_queue_names_the_instance_and_acts_on_it() {
	tui_start 120x32 "$bin" --journal "$tmp/console-journal.jsonl" "$log"
	tui_wait "hold 0  deferred 45"
	tui_keys 5
	tui_wait "45 rows, sorted by Age"
	tui_screen | grep -q "Queue ID *Instance *Queue"
	tui_keys / 127.0.0.16 Enter	# the account's address of the out-burst
	tui_wait "6 rows of 45"
	[ "$(tui_screen | grep -c ' postfix-out  *deferred ')" = 6 ]
	tui_keys Enter
	tui_wait "Instance: postfix-out (/etc/postfix-out)"
	tui_keys G	# its headers, read by postcat -c /etc/postfix-out (pressed before the trail is found:
	#		  the view goes to the end when it comes)
	tui_wait "Subject: Out "
	tui_keys Escape d
	tui_wait "Command: postsuper -c /etc/postfix-out -d -"
	tui_keys n
	tui_wait "Cancelled: nothing was changed"
	[ "$(in_queue $out_conf 'true')" = 6 ]
}

delete_by_user_reaches_every_instance_confirmed_by_its_own_postcat() {
	"$san" delete --sasl-user victim@lab.example --log "$log" --yes --journal "$tmp/j.jsonl" > "$tmp/o" 2>&1
	cat "$tmp/o"
	grep -q '^Delete 30 messages: SASL user victim@lab.example$' "$tmp/o"
	grep -q '^Done: 30 changed, 0 already gone from the queue, 0 not changed (exit status 0)$' "$tmp/o"
	[ "$(in_queue $out_conf 'true')" = 0 ]
	[ "$(postqueue -j | jq -s '[.[] | select(.sender | startswith("promo"))] | length')" = 0 ]
	[ "$(postqueue -j | jq -s 'length')" = 15 ]	# alice's 3 and the relay's 12 stay
	tail -1 "$tmp/j.jsonl" | jq -e '.commands[1] == ["postsuper", "-c", "/etc/postfix-out", "-d", "-"]
		and ([.changed[] | select(startswith("postfix-out:"))] | length) == 6' >/dev/null
}

check "two instances: every instance's queue is read, each message joined to its log lines" \
	every_instance_queue_is_read_and_joined_to_the_log
check "two instances: deliveries logged under the default's syslog_name join their message" \
	deliveries_logged_under_another_syslog_name_join_their_message
check "two instances: hold reaches every instance, or the one --instance names" \
	hold_reaches_every_instance_or_the_one_named
CHECK_AFTER=tui_stop check "two instances: the console's queue names each message's instance and acts on it there" \
	console_queue_names_the_instance_and_acts_on_it
check "two instances: delete by user reaches every instance, confirmed by that instance's postcat" \
	delete_by_user_reaches_every_instance_confirmed_by_its_own_postcat
