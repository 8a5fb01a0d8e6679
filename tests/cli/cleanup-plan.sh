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
"-hx mynetworks") echo '127.0.0.1/32, 127.0.0.2/32 !127.0.0.9 10.9.9.9/32' ;;
"-hx config_directory") echo /etc/postfix ;;
"-hx mydomain") echo lab.example ;;
"-hx "*) echo ;;
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

check "cleanup --plan prints every step's findings and commands and runs nothing" cleanup_plan_prints_every_step_and_runs_nothing
check "cleanup --plan refuses a trusted relay that enters mynetworks through a variable" \
	cleanup_plan_refuses_a_relay_that_comes_from_a_variable
check "cleanup --plan counts the marked suspects' queued messages" cleanup_plan_counts_the_marked_suspects_queued_messages
