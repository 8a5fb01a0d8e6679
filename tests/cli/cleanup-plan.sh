# cleanup-plan.sh - sourced by tests/cli/run.sh: spamtop cleanup --plan against
# a stand-in postconf that answers -h/-hx and fails loudly on anything else
# (an edit above all): every step's findings and commands, nothing run.

cp_setup() {
	local b=$tmp/cpbin
	mkdir -p "$b"
	cat > "$b/postconf" <<EOS
#!/bin/sh
case "\$1 \$2" in
"-h mynetworks") echo '127.0.0.1/32, 127.0.0.2/32 !127.0.0.9 \$extra_nets' ;;
"-h authorized_submit_users") echo 'root, static:anyone' ;;
"-hx mynetworks") echo '127.0.0.1/32, 127.0.0.2/32 !127.0.0.9 10.9.9.9/32' ;;
"-hx config_directory") echo /etc/postfix ;;
"-hx mydomain") echo lab.example ;;
"-hx "*) echo ;;
"-h maillog_file") echo ;;	# is the log read this server's own? (our domains)
*) echo "UNEXPECTED postconf ARGV: \$*" >&2; echo "\$*" >> "$tmp/cp-unexpected"; exit 99 ;;
esac
EOS
	chmod +x "$b/postconf"
	# the admin's marks: two trusted relays (one not in mynetworks), the
	# victim, and two names from the log that must not reach a command
	cat > "$tmp/cp-state.json" <<'EOS'
{"schema": "spamtop.cleanup/1", "step": 4, "started": 1795564000, "targets_set": true, "targets": [
 {"kind": "sasl_user", "key": "victim@lab.example", "chosen": true},
 {"kind": "sasl_user", "key": "--all", "chosen": true},
 {"kind": "sasl_user", "key": "evil\u001b[2J*", "chosen": true},
 {"kind": "trusted_relay", "key": "127.0.0.2", "chosen": true},
 {"kind": "trusted_relay", "key": "127.0.0.3", "chosen": true},
 {"kind": "web_app", "key": "33", "chosen": true},
 {"kind": "web_app", "key": "3\u001b]0;x\u0007", "chosen": true},
 {"kind": "brute_force", "key": "127.0.0.66", "chosen": false}]}
EOS
	rm -f "$tmp/cp-unexpected"
}

cleanup_plan_prints_every_step_and_runs_nothing() {
	cp_setup
	PATH="$tmp/cpbin:$tmp/qcbin:$PATH" "$san" cleanup --plan --no-queue --state "$tmp/cp-state.json" \
		--disable-cmd 'doveadm kick {user}' "$fixture" > "$tmp/cp.out"
	for step in "Step 1 of 6: Hold the queue" "Step 2 of 6: Read the log" "Step 3 of 6: Identify the source" \
		    "Step 4 of 6: Contain" "Step 5 of 6: Clean the queue" "Step 6 of 6: Release and watch"; do
		grep -qx "$step" "$tmp/cp.out"
	done
	grep -qx '  sender domains that are not ours: 24 cheap-pills.example, 8 bulk-mailer.example' "$tmp/cp.out"
	grep -qx '    command: doveadm kick victim@lab.example' "$tmp/cp.out"
	grep -q "^    --disable-cmd not run: refusing to fill {user} with the text from the log: it begins with '-'" "$tmp/cp.out"
	grep -q '^    --disable-cmd not run: .*it holds a blank or a control character' "$tmp/cp.out"
	grep -qx '  trusted relays: 127.0.0.2 127.0.0.3' "$tmp/cp.out"
	grep -qx '    mynetworks after: 127.0.0.1/32 !127.0.0.9 $extra_nets' "$tmp/cp.out"
	grep -qx '    127.0.0.3: not in mynetworks: it relayed for another reason (smtpd_relay_restrictions)' "$tmp/cp.out"
	grep -qx '  \[ \] brute_force 127.0.0.66' "$tmp/cp.out"
	# the web application's user (uid 33: www-data) kept from sendmail, the list otherwise as it is
	grep -qx '  web application uid 33: find and stop the script; and keep its user from sendmail' "$tmp/cp.out"
	grep -qx '    authorized_submit_users now:   root, static:anyone' "$tmp/cp.out"
	grep -qx '    authorized_submit_users after: !www-data, root, static:anyone' "$tmp/cp.out"
	if LC_ALL=C grep -q $'\033' "$tmp/cp.out"; then echo "a raw escape was printed"; return 1; fi
	[ ! -e "$tmp/cp-unexpected" ]
}

# a relay that enters mynetworks only through $extra_nets cannot be edited in
# main.cf's text: the plan refuses it and says where to look
cleanup_plan_refuses_a_relay_that_comes_from_a_variable() {
	cp_setup
	jq '.targets = [{"kind": "trusted_relay", "key": "10.9.9.9", "chosen": true}]' "$tmp/cp-state.json" > "$tmp/cp-s2.json"
	PATH="$tmp/cpbin:$tmp/qcbin:$PATH" "$san" cleanup --plan --no-queue --state "$tmp/cp-s2.json" "$fixture" > "$tmp/cp.out"
	grep -qx '    10.9.9.9: enters mynetworks through a $variable: edit that by hand' "$tmp/cp.out"
	if grep -q 'mynetworks after' "$tmp/cp.out"; then echo "an edit was planned"; return 1; fi
	[ ! -e "$tmp/cp-unexpected" ]
}

# step 5 counts the marked suspects' queued messages from the queue the
# stand-in postqueue lists, joined with the log
cleanup_plan_counts_the_marked_suspects_queued_messages() {
	qc_setup
	cp_setup
	jq '.targets = [{"kind": "sasl_user", "key": "victim@lab.example", "chosen": true}]' "$tmp/cp-state.json" > "$tmp/cp-s3.json"
	PATH="$tmp/cpbin:$tmp/qcbin:$PATH" "$san" cleanup --plan --state "$tmp/cp-s3.json" "$tmp/qc.log" > "$tmp/cp.out"
	grep -qx '  queue: 6 messages: incoming 0, active 0, deferred 4, hold 2' "$tmp/cp.out"
	grep -qx "  the marked suspects' queued messages (by the log): 4, 400 bytes" "$tmp/cp.out"
	[ ! -e "$tmp/qc-postsuper.argv" ]
}

# the account's password guessed at Dovecot's IMAP (the real lab's lines):
# step 4 names the address that guessed it, to block as well
cleanup_plan_names_the_address_that_guessed_the_accounts_password() {
	cp_setup
	cat tests/fixtures/lab-dovecot.log tests/fixtures/lab-dovecot-imap.log > "$tmp/cp-imap.log"
	jq '.targets = [{"kind": "sasl_user", "key": "victim@lab.example", "chosen": true}]' "$tmp/cp-state.json" > "$tmp/cp-s4.json"
	PATH="$tmp/cpbin:$tmp/qcbin:$PATH" "$san" cleanup --plan --no-queue --state "$tmp/cp-s4.json" "$tmp/cp-imap.log" > "$tmp/cp.out"
	grep -qx '    its password was probably guessed at 127.0.0.68 (3 failed logins there, then its login):' "$tmp/cp.out"
	grep -qx '    block that address too (spamtop block --host 127.0.0.68; at Dovecot and the firewall for IMAP)' "$tmp/cp.out"
	# guessed through a webmail on this machine: no address of its own to block
	sed 's/rip=127.0.0.68,/rip=127.0.0.1,/' tests/fixtures/lab-dovecot-imap.log | cat tests/fixtures/lab-dovecot.log - \
		> "$tmp/cp-webmail.log"
	PATH="$tmp/cpbin:$tmp/qcbin:$PATH" "$san" cleanup --plan --no-queue --state "$tmp/cp-s4.json" "$tmp/cp-webmail.log" \
		> "$tmp/cp.out"
	grep -qx '    its password was probably guessed through 127.0.0.1, this machine (3 failed logins, then its login):' \
		"$tmp/cp.out"
	if grep -q 'block --host 127.0.0.1' "$tmp/cp.out"; then echo "the loopback was to be blocked"; return 1; fi
	# without the failures, the same login names nobody
	grep -v 'auth failed' "$tmp/cp-imap.log" > "$tmp/cp-login.log"
	PATH="$tmp/cpbin:$tmp/qcbin:$PATH" "$san" cleanup --plan --no-queue --state "$tmp/cp-s4.json" "$tmp/cp-login.log" > "$tmp/cp.out"
	if grep -q 'probably guessed' "$tmp/cp.out"; then echo "a login without failures was named"; return 1; fi
	[ ! -e "$tmp/cp-unexpected" ]
}

# 127.0.0.1 as a trusted relay is a process on this machine speaking SMTP:
# the plan keeps it trusted (webmail and Dovecot's submission relay through
# it) and says how to find the process; the other relay is still untrusted
cleanup_plan_keeps_this_machines_loopback_trusted_and_says_what_to_do() {
	cp_setup
	jq '.targets = [{"kind": "trusted_relay", "key": "127.0.0.1", "chosen": true},
		{"kind": "trusted_relay", "key": "127.0.0.2", "chosen": true}]' "$tmp/cp-state.json" > "$tmp/cp-s5.json"
	PATH="$tmp/cpbin:$tmp/qcbin:$PATH" "$san" cleanup --plan --no-queue --state "$tmp/cp-s5.json" "$fixture" > "$tmp/cp.out"
	grep -qx "    127.0.0.1: this machine's own loopback: the mail comes from a process here (a web application's SMTP library, a script), not from a host to untrust" "$tmp/cp.out"
	grep -qx "    127.0.0.1: find the process while it sends (ss -tnp '( dport = :25 )'), stop it; keep the queue held meanwhile" "$tmp/cp.out"
	grep -qx '    mynetworks after: 127.0.0.1/32 !127.0.0.9 $extra_nets' "$tmp/cp.out"
	# the loopback alone: no edit at all
	jq '.targets = [{"kind": "trusted_relay", "key": "::1", "chosen": true}]' "$tmp/cp-state.json" > "$tmp/cp-s6.json"
	PATH="$tmp/cpbin:$tmp/qcbin:$PATH" "$san" cleanup --plan --no-queue --state "$tmp/cp-s6.json" "$fixture" > "$tmp/cp.out"
	grep -q "^    ::1: kept trusted: " "$tmp/cp.out"
	if grep -q 'mynetworks after\|check_client_access' "$tmp/cp.out"; then echo "an edit was planned"; return 1; fi
	# nor does block --trusted-ip: it says why, changes nothing, fails
	local rc=0
	PATH="$tmp/cpbin:$PATH" SPAMTOP_JOURNAL="$tmp/cp-j.jsonl" "$san" block --trusted-ip 127.0.0.1 --yes \
		> "$tmp/cp.out" 2>&1 < /dev/null || rc=$?
	[ $rc = 1 ]
	grep -q "^  127.0.0.1: kept trusted: " "$tmp/cp.out"
	grep -qx 'Nothing to drop from mynetworks.' "$tmp/cp.out"
	[ ! -e "$tmp/cp-unexpected" ]
}

check "cleanup --plan prints every step's findings and commands and runs nothing" cleanup_plan_prints_every_step_and_runs_nothing
check "cleanup --plan refuses a trusted relay that enters mynetworks through a variable" \
	cleanup_plan_refuses_a_relay_that_comes_from_a_variable
check "cleanup --plan counts the marked suspects' queued messages" cleanup_plan_counts_the_marked_suspects_queued_messages
check "cleanup --plan keeps this machine's loopback trusted and says how to find the local sender" \
	cleanup_plan_keeps_this_machines_loopback_trusted_and_says_what_to_do
check "cleanup --plan names the address that guessed the account's password (IMAP failures, then its login)" \
	cleanup_plan_names_the_address_that_guessed_the_accounts_password

# cleanup --yes with named targets, against the queue-command stand-ins and a
# postconf that keeps main.cf's values in files: hold, contain (the account
# blocked in its table, the relay out of mynetworks), delete only what each
# queue file confirms, release; journaled, the state saved, the report written
cleanup_yes_runs_the_acting_steps_for_the_named_targets() {
	qc_setup
	local c=$tmp/cy
	mkdir -p "$c" "$tmp/cybin"
	echo "# main.cf" > "$c/main.cf"
	echo "127.0.0.1/32 127.0.0.2/32" > "$c/p.mynetworks"
	cat > "$tmp/cybin/postconf" <<EOS
#!/bin/sh
echo "postconf \$*" >> "$c/ran"
case "\$1" in
-h|-hx) [ "\$2" = config_directory ] && echo "$c" || cat "$c/p.\$2" 2>/dev/null || echo ;;
-e) n=\${2%% = *}; printf '%s\n' "\${2#* = }" > "$c/p.\$n" ;;
-P) ;;
*) echo "UNEXPECTED postconf ARGV: \$*" >&2; exit 99 ;;
esac
EOS
	printf '#!/bin/sh\necho "postfix $*" >> %s/ran\n' "$c" > "$tmp/cybin/postfix"
	chmod +x "$tmp/cybin"/*
	rm -f "$tmp/cy-journal"
	PATH="$tmp/cybin:$tmp/qcbin:$PATH" "$san" cleanup --yes --sasl-user victim@lab.example --trusted-ip 127.0.0.2 \
		--journal "$tmp/cy-journal" --state "$tmp/cy-state.json" --incident "$tmp/cy-incident.md" "$tmp/qc.log" \
		> "$tmp/cy.out"
	grep -qx 'Step 1 of 6: Hold the queue: postsuper -h ALL' "$tmp/cy.out"
	grep -qx '    victim@lab.example blocked in Postfix (spamtop unblock --sasl-user victim@lab.example undoes it)' "$tmp/cy.out"
	grep -q '^    127.0.0.2 dropped from mynetworks (now: 127.0.0.1/32, read back)' "$tmp/cy.out"
	grep -qx '    4 messages deleted' "$tmp/cy.out"
	[ "$(sort "$tmp/qc-postsuper.ids" | tr '\n' ' ')" = "A1B2C3D4E1 A1B2C3D4E2 A1B2C3D4E4 A1B2C3D4E6 " ]
	[ "$(cat "$tmp/qc-postsuper.argv" | tr '\n' ',')" = "-h ALL,-d -,-H ALL," ]
	grep -q '^victim@lab.example REJECT 5.7.1' "$c/spamtop/sasl_access"
	[ "$(cat "$c/p.mynetworks")" = "127.0.0.1/32" ]
	jq -e '.step == 7 and (.targets | length) == 2' "$tmp/cy-state.json"
	grep -q '^- step 5, Clean the queue: delete\\: 4 changed' "$tmp/cy-incident.md"
	jq -es 'map(select(.phase == "done")) | map(.action) | index("hold") < index("delete")' "$tmp/cy-journal"
}

check "cleanup --yes runs hold, containment, the confirmed delete and the release for the named targets" \
	cleanup_yes_runs_the_acting_steps_for_the_named_targets
