# contain-tests.sh - sourced by tests/lab/run.sh: containment that the real
# Postfix enforces. An account blocked by spamtop's check_sasl_access table
# is refused on a real SMTP AUTH send, other accounts are not, and unblock
# lets it send again; two trusted relays go from a mynetworks with a
# negation, a $variable and 200 entries (over 3 KB) in one verified edit,
# after which one of them can no longer relay; a relay inside a wider block
# is refused by a check_client_access line while its neighbours still relay.

$lab up >/dev/null
lab_domain=lab.example
log=$($lab log)

# c_send FROM-IP SENDER [SWAKS OPTIONS] - one message to a remote domain; swaks's status
c_send() {
	local li=$1 from=$2; shift 2
	swaks --server 127.0.0.1:25 --li "$li" --from "$from" --to someone@remote.example \
		--helo "host.$lab_domain" --silent 2 "$@" >/dev/null
}
auth_send() { c_send 127.0.0.1 "$1" --auth LOGIN --auth-user "$1" --auth-password "$2"; }
# c_wait_log PATTERN N - until the log has N lines matching PATTERN (10 s at most)
c_wait_log() {
	local deadline=$((SECONDS + 10))
	until [ "$(grep -c -- "$1" "$log")" -ge "$2" ]; do
		[ $SECONDS -lt $deadline ] || { echo "not in the log: $1"; return 1; }
		sleep 0.1
	done
}

blocked_account_is_refused_by_postfix_and_unblock_lets_it_send() {
	auth_send "victim@$lab_domain" victim-secret	# before: accepted
	"$san" block --sasl-user "victim@$lab_domain" --yes --journal "$tmp/contain.jsonl" > "$tmp/block.out"
	grep -q "^Block victim@lab.example in Postfix: add its line in /etc/postfix/spamtop/sasl_access" "$tmp/block.out"
	[ "$(postconf -h smtpd_sender_restrictions)" = "check_sasl_access texthash:/etc/postfix/spamtop/sasl_access" ]
	local before
	before=$(grep -c "account blocked by spamtop" "$log" || true)
	if auth_send "victim@$lab_domain" victim-secret; then echo "the blocked account could still send"; return 1; fi
	c_wait_log "account blocked by spamtop" $((before + 1))
	grep "account blocked by spamtop" "$log" | tail -1 | grep -q 'reject: RCPT from .*554 5.7.1 <victim@lab.example>'
	auth_send "alice@$lab_domain" alice-secret	# another account: not blocked
	"$san" unblock --sasl-user "victim@$lab_domain" --yes --journal "$tmp/contain.jsonl" > "$tmp/unblock.out"
	auth_send "victim@$lab_domain" victim-secret	# after the undo: accepted again
	jq -es 'map(select((.action == "block-account" or .action == "unblock-account") and .phase == "done" and .exit_status == 0)) | length == 2' "$tmp/contain.jsonl"
	jq -es 'map(select(.action == "block-account")) | .[0].phase == "planned" and .[1].phase == "done"' "$tmp/contain.jsonl"	# its record first
	jq -es 'map(select(.action == "reload" and .phase == "done" and .exit_status == 0)) | length == 2' "$tmp/contain.jsonl"
}

two_trusted_relays_go_in_one_verified_edit_of_a_long_mynetworks() {
	local long="" i
	for i in $(seq 1 200); do long+="10.$((i / 100)).$((i % 100)).$i/32, "; done
	postconf -e "extra_nets = [::1]/128" "mynetworks = 127.0.0.1/32, 127.0.0.2/32 !127.0.0.9 ${long}127.0.0.3 \$extra_nets"
	postfix reload >/dev/null 2>&1
	[ "$(postconf -h mynetworks | wc -c)" -gt 3000 ]
	c_send 127.0.0.2 "relay@$lab_domain"	# trusted: relays
	local edits_before
	edits_before=$(ls /etc/postfix/main.cf.spamtop-* 2>/dev/null | wc -l)
	"$san" block --trusted-ip 127.0.0.2 --trusted-ip 127.0.0.3 --yes --journal "$tmp/contain.jsonl" > "$tmp/relays.out"
	[ "$(postconf -h mynetworks)" = "127.0.0.1/32 !127.0.0.9 ${long%, } \$extra_nets" ] ||
		{ echo "mynetworks is now: $(postconf -h mynetworks | cut -c1-200)..."; return 1; }
	[ "$(ls /etc/postfix/main.cf.spamtop-* | wc -l)" -eq $((edits_before + 1)) ]	# one backup: one edit
	jq -es 'map(select(.action == "mynetworks" and .phase == "done")) | length == 1' "$tmp/contain.jsonl"
	if c_send 127.0.0.2 "relay@$lab_domain"; then echo "127.0.0.2 still relays"; return 1; fi
	c_wait_log "Relay access denied" 1
	# the undo: the exact value before the edit, and the relay relays again
	"$san" unblock --trusted-ip 127.0.0.3 --yes --journal "$tmp/contain.jsonl" > "$tmp/unrelay.out"
	[ "$(postconf -h mynetworks)" = "127.0.0.1/32, 127.0.0.2/32 !127.0.0.9 ${long}127.0.0.3 \$extra_nets" ]
	c_send 127.0.0.2 "relay@$lab_domain"
}

# the relay sits inside a wider block (127.0.0.0/8): mynetworks stays as it
# is and a check_client_access line refuses that one host, not its neighbours
a_relay_inside_a_wider_block_is_refused_by_a_client_access_line() {
	postconf -e "mynetworks = 127.0.0.0/8"
	postfix reload >/dev/null 2>&1
	c_send 127.0.0.2 "relay@$lab_domain"	# trusted: relays
	"$san" block --trusted-ip 127.0.0.2 --yes --journal "$tmp/contain.jsonl" > "$tmp/wider.out"
	grep -q '^  127.0.0.2: inside 127.0.0.0/8: blocked by a check_client_access entry' "$tmp/wider.out"
	[ "$(postconf -h mynetworks)" = "127.0.0.0/8" ]
	[ "$(postconf -h smtpd_client_restrictions)" = "check_client_access cidr:/etc/postfix/spamtop/client_access" ]
	local before
	before=$(grep -c "host blocked by spamtop" "$log" || true)
	if c_send 127.0.0.2 "relay@$lab_domain"; then echo "127.0.0.2 still relays"; return 1; fi
	c_wait_log "host blocked by spamtop" $((before + 1))
	c_send 127.0.0.3 "relay@$lab_domain"	# its neighbour in the block still relays
	"$san" unblock --client-ip 127.0.0.2 --yes --journal "$tmp/contain.jsonl" > /dev/null
	c_send 127.0.0.2 "relay@$lab_domain"	# undone
}

check "contain: a blocked account is refused by Postfix on a real AUTH send; unblock lets it send" \
	blocked_account_is_refused_by_postfix_and_unblock_lets_it_send
check "contain: two trusted relays leave a 200-entry mynetworks in one verified edit" \
	two_trusted_relays_go_in_one_verified_edit_of_a_long_mynetworks
check "contain: a relay inside a wider mynetworks block is refused by a client access line, its neighbour not" \
	a_relay_inside_a_wider_block_is_refused_by_a_client_access_line
rm -rf /etc/postfix/spamtop /etc/postfix/main.cf.spamtop-*
