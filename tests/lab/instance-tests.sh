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

# containment in both instances: each has a main.cf of its own, so a block
# made in the default one alone leaves postfix-out open
i_send() {	# PORT FROM-IP SENDER [SWAKS OPTIONS]: one message to a remote domain; swaks's status
	local port=$1 li=$2 from=$3; shift 3
	swaks --server "127.0.0.1:$port" --li "$li" --from "$from" --to someone@remote.example \
		--helo host.lab.example --silent 2 "$@" >/dev/null
}
victim_send() { i_send "$1" 127.0.0.16 victim@lab.example --auth LOGIN --auth-user victim@lab.example \
	--auth-password victim-secret; }
out_port=${LAB_OUT_PORT:-2526}

a_blocked_account_is_refused_by_both_instances_and_unblock_lets_it_send() {
	local j=$tmp/instances-contain.jsonl
	victim_send 25 && victim_send "$out_port"	# before: both take it
	"$san" block --sasl-user victim@lab.example --yes --journal "$j" > "$tmp/ib.out"
	cat "$tmp/ib.out"
	grep -qx 'Instance default (/etc/postfix):' "$tmp/ib.out"
	grep -qx "Instance postfix-out ($out_conf):" "$tmp/ib.out"
	[ "$(postconf -c $out_conf -h smtpd_sender_restrictions)" = \
		"check_sasl_access texthash:$out_conf/spamtop/sasl_access" ]
	[ "$(postconf -h smtpd_sender_restrictions)" = "check_sasl_access texthash:/etc/postfix/spamtop/sasl_access" ]
	if victim_send "$out_port"; then echo "postfix-out still takes the blocked account's mail"; return 1; fi
	if victim_send 25; then echo "the default instance still takes the blocked account's mail"; return 1; fi
	jq -es --arg c "$out_conf" 'map(select(.action == "reload" and .phase == "done" and .exit_status == 0)) |
		map(.command) | (map(select(. == ["postfix", "-c", $c, "reload"])) | length) == 1 and
		(map(select(. == ["postfix", "reload"])) | length) == 1' "$j"
	"$san" unblock --sasl-user victim@lab.example --yes --journal "$j" > "$tmp/ib.out"
	victim_send "$out_port" && victim_send 25	# after the undo: both take it again
}

a_relay_trusted_by_postfix_out_alone_leaves_its_mynetworks_and_no_other() {
	local j=$tmp/instances-contain.jsonl default_nets
	default_nets=$(postconf -h mynetworks)
	postconf -c $out_conf -e "mynetworks = 127.0.0.1/32, 127.0.0.23/32"
	postfix -c $out_conf reload >/dev/null 2>&1
	i_send "$out_port" 127.0.0.23 relay@lab.example	# trusted by postfix-out: relays
	"$san" block --trusted-ip 127.0.0.23 --yes --journal "$j" > "$tmp/ir.out"
	cat "$tmp/ir.out"
	grep -qx "Instance postfix-out ($out_conf):" "$tmp/ir.out"
	not grep -q '^Instance default' "$tmp/ir.out"	# it trusts no such relay: left as it is
	[ "$(postconf -c $out_conf -h mynetworks)" = "127.0.0.1/32" ]
	[ "$(postconf -h mynetworks)" = "$default_nets" ]
	if i_send "$out_port" 127.0.0.23 relay@lab.example; then echo "127.0.0.23 still relays"; return 1; fi
	jq -es --arg c "$out_conf" 'map(select(.action == "mynetworks" and .phase == "done")) |
		length == 1 and .[0].instance == $c' "$j"
	"$san" unblock --trusted-ip 127.0.0.23 --yes --journal "$j" > "$tmp/ir.out"
	[ "$(postconf -c $out_conf -h mynetworks)" = "127.0.0.1/32, 127.0.0.23/32" ]
	i_send "$out_port" 127.0.0.23 relay@lab.example	# restored: relays again
}

a_web_apps_user_is_kept_from_the_sendmail_of_every_instance() {
	local j=$tmp/instances-contain.jsonl
	"$san" block --local-user www-data --yes --journal "$j" > "$tmp/iw.out"
	cat "$tmp/iw.out"
	[ "$(postconf -c $out_conf -h authorized_submit_users)" = '!www-data, static:anyone' ]
	[ "$(postconf -h authorized_submit_users)" = '!www-data, static:anyone' ]
	# sendmail -C names the other instance (its directory is in multi_instance_directories)
	if printf 'Subject: via out\n\nhello\n' | setpriv --reuid=33 --regid=33 --clear-groups \
		/usr/sbin/sendmail -C $out_conf -f noreply@lab.example lead@prospects.example 2> "$tmp/sm.err"; then
		echo "the sendmail of postfix-out took the message"; return 1
	fi
	grep -q 'not allowed to submit mail' "$tmp/sm.err"
	"$san" unblock --local-user www-data --yes --journal "$j" > "$tmp/iw.out"
	[ "$(postconf -c $out_conf -h authorized_submit_users)" = 'static:anyone' ]
	[ "$(postconf -h authorized_submit_users)" = 'static:anyone' ]
}

the_cleanups_step_4_contains_each_target_in_both_instances() {
	local j=$tmp/instances-cleanup.jsonl
	postconf -c $out_conf -e "mynetworks = 127.0.0.1/32, 127.0.0.23/32"
	postfix -c $out_conf reload >/dev/null 2>&1
	"$san" cleanup --yes --sasl-user victim@lab.example --trusted-ip 127.0.0.23 --uid 33 --journal "$j" \
		--state "$tmp/ic-state.json" --incident "$tmp/ic-incident.md" "$log" > "$tmp/ic.out" 2>&1
	cat "$tmp/ic.out"
	grep -q 'postfix-out: victim@lab.example blocked in Postfix' "$tmp/ic.out"
	grep -q 'default: victim@lab.example blocked in Postfix' "$tmp/ic.out"
	grep -q 'postfix-out: 127.0.0.23 dropped from mynetworks (now: 127.0.0.1/32, read back)' "$tmp/ic.out"
	grep -q 'postfix-out: uid 33 (www-data) kept from sendmail' "$tmp/ic.out"
	grep -q 'default: uid 33 (www-data) kept from sendmail' "$tmp/ic.out"
	[ "$(postconf -c $out_conf -h mynetworks)" = "127.0.0.1/32" ]
	[ "$(postconf -c $out_conf -h authorized_submit_users)" = '!www-data, static:anyone' ]
	if victim_send "$out_port"; then echo "postfix-out still takes the blocked account's mail"; return 1; fi
	# the plan of the same marks, read afterwards: each instance's value, nothing left to edit
	"$san" cleanup --plan --no-queue --state "$tmp/ic-state.json" "$log" > "$tmp/ic-plan.out"
	grep -qx '    postfix-out: authorized_submit_users now:   !www-data, static:anyone' "$tmp/ic-plan.out"
	grep -qx '    postfix-out: www-data is kept from sendmail already' "$tmp/ic-plan.out"
	grep -q "^    postfix-out: block in Postfix: a line in $out_conf/spamtop/sasl_access" "$tmp/ic-plan.out"
}

instances_contain_restore() {
	postconf -c $out_conf -e "mynetworks = 127.0.0.1/32"
	postconf -c $out_conf -X smtpd_sender_restrictions authorized_submit_users
	postconf -X smtpd_sender_restrictions authorized_submit_users
	postfix -c $out_conf reload >/dev/null 2>&1; postfix reload >/dev/null 2>&1
	rm -rf /etc/postfix/spamtop $out_conf/spamtop /etc/postfix/main.cf.spamtop-* $out_conf/main.cf.spamtop-*
}

CHECK_AFTER=instances_contain_restore check "two instances: a blocked account is refused by both on a real AUTH send; unblock lets it send" \
	a_blocked_account_is_refused_by_both_instances_and_unblock_lets_it_send
CHECK_AFTER=instances_contain_restore check "two instances: a relay trusted by postfix-out alone leaves its mynetworks, not the default's" \
	a_relay_trusted_by_postfix_out_alone_leaves_its_mynetworks_and_no_other
CHECK_AFTER=instances_contain_restore check "two instances: a web application's user is kept from the sendmail of each" \
	a_web_apps_user_is_kept_from_the_sendmail_of_every_instance
CHECK_AFTER=instances_contain_restore check "two instances: the cleanup's step 4 contains each target in both instances" \
	the_cleanups_step_4_contains_each_target_in_both_instances

# a content filter in the default instance whose re-injection smtpd logs under
# an admin's own syslog_name, postfix-reinject, which is no instance's: the
# copies it queues are still the account's
LAB_PROFILE="instances filter" LAB_REINJECT_NAME=postfix-reinject $lab up
LAB_PROFILE="instances filter" $lab outbreak
log=$($lab log)

copies_under_a_stray_syslog_name_join_their_queued_message_and_go_with_the_account() {
	grep -q 'postfix-reinject/smtpd\[[0-9]*\]: [0-9A-F]*: client=unknown\[127.0.0.1\]' "$log"
	local want; want=$(postqueue -j | jq -r 'select(.sender | startswith("promo")) | .queue_id' | sort)
	[ -n "$want" ]
	"$san" queue --json --log "$log" > "$tmp/q.json"
	[ "$(jq -r '[.messages[] | select(.sasl_user=="victim@lab.example") | .queue_id] | sort | .[]' "$tmp/q.json")" = "$want" ]
	"$san" delete --sasl-user victim@lab.example --log "$log" --yes > "$tmp/o" 2>&1
	cat "$tmp/o"
	grep -q "^Delete $(echo "$want" | wc -l) messages: SASL user victim@lab.example$" "$tmp/o"
	[ "$(postqueue -j | jq -s '[.[] | select(.sender | startswith("promo"))] | length')" = 0 ]
	[ "$(postqueue -j | jq -s '[.[] | select(.sender=="alice@lab.example")] | length')" = 3 ]
}

check "two instances and a filter re-injecting as postfix-reinject: its copies are the account's, deleted with it" \
	copies_under_a_stray_syslog_name_join_their_queued_message_and_go_with_the_account
