# blocklist-tests.sh - sourced by tests/lab/run.sh before the fleet tests: remote sites answer
# the outbreak the way Gmail, Microsoft and a Spamhaus user do (lab.sh
# blocklisted: tests/lab/refuser.py behind transport_maps); the deferrals and
# bounces are the real Postfix's. Then the same server as a gateway for
# relay_domains (lab.sh gateway): by the relay transport, then by
# transport_maps over smtp, with a console already running that must read
# our domains again; and mail a pipe(8) program takes here (lab.sh
# mailbox-pipe).

$lab up
$lab outbreak
$lab blocklisted 3
log=$($lab log)

report_says_who_refuses_the_server_and_where_to_ask_for_removal() {
	grep -q 'unusual rate of 421-4.7.28 unsolicited mail' "$log"	# Postfix joins the reply's lines
	"$san" --report --json "$log" > "$tmp/r.json"
	jq -e '.reputation.refusals == 9 and (.reputation.domains | length) == 3' "$tmp/r.json" >/dev/null
	jq -e '[.reputation.domains[] | select(.refusals == 3)] | length == 3' "$tmp/r.json" >/dev/null
	jq -e '.reputation.domains[] | select(.domain == "gmail.example") | .causes[0].class == "provider"
		and (.causes[0].what | startswith("Gmail"))' "$tmp/r.json" >/dev/null
	jq -e '.reputation.domains[] | select(.domain == "dnsbl.example") | .causes[0].class == "dnsbl"
		and .causes[0].removal == "https://check.spamhaus.org/"' "$tmp/r.json" >/dev/null
	"$san" --report "$log" > "$tmp/r.txt"
	grep -q '^BLOCKLISTED: 9 deliveries refused for this server.s reputation by 3 destination domains$' "$tmp/r.txt"
	grep -q '^  ask for removal: Microsoft: the network is on its block list (S3150) at https://sender.office.com/$' "$tmp/r.txt"
	"$san" report --incident "$tmp/incident.md" --journal "$tmp/none.jsonl" "$log"
	grep -q '^## Blocklisting$' "$tmp/incident.md"
	grep -q 'Spamhaus.*https://check.spamhaus.org/' "$tmp/incident.md"
}

check_and_metrics_alert_on_blocklisting() {
	local rc=0
	"$san" check --no-queue --log "$log" > "$tmp/c.out" || rc=$?
	cat "$tmp/c.out"
	[ $rc -eq 2 ]
	grep -q 'destinations refusing this server for its reputation in the last hour 3 ' "$tmp/c.out"
	grep -q ' blocklisted=3;1;3;0;' "$tmp/c.out"
	"$san" metrics --no-queue --log "$log" > "$tmp/m.out"
	grep -q '^spamtop_reputation_refusals_total{domain="gmail.example"} 3$' "$tmp/m.out"
	grep -q '^spamtop_alert_state{check="blocklisted"} 2$' "$tmp/m.out"
}

console_alert_line_says_blocklisted() {
	tui_start 120x30 "$bin" --no-queue "$log"
	tui_wait "blocklisted"
	tui_screen | head -3 | grep -q 'CRIT .*blocklisted'
}

check "the report says who refuses the server, why, and where to ask for removal" \
	report_says_who_refuses_the_server_and_where_to_ask_for_removal
check "check and metrics alert when the server is blocklisted" check_and_metrics_alert_on_blocklisting
CHECK_AFTER=tui_stop check "the console's alert line says the server is blocklisted" console_alert_line_says_blocklisted

# the same server as a gateway: an outside MX's mail for relay_domains leaves
# by the relay transport to the server inside; it is mail for us, not relaying
$lab gateway 12

# outside_mx_sends_mail_for_us IP - the report and check on the lab's log:
# IP's 12 unauthenticated messages in a minute were all delivered here, IP is
# no suspect and raises no relay alert; the outbreak's relay still is one
# (the report stays in $tmp/r.json)
outside_mx_sends_mail_for_us() {
	local ip=$1 rc=0
	"$san" --report --json "$log" > "$tmp/r.json"
	jq -e --arg ip "$ip" '.client_ips[] | select(.key == $ip) | .unauthenticated == 12 and .delivered_here == 12
		and .peak_1m >= 12' "$tmp/r.json" >/dev/null
	jq -e --arg ip "$ip" '[.suspects[] | select(.key == $ip)] | length == 0' "$tmp/r.json" >/dev/null
	jq -e '[.suspects[] | select(.kind == "trusted_relay" and .key == "127.0.0.2")] | length == 1' "$tmp/r.json" >/dev/null
	"$san" check --no-queue --log "$log" > "$tmp/c.out" || rc=$?
	not grep -q "unauthenticated messages a minute from one IP [0-9]* ${ip//./\\.}" "$tmp/c.out"
}

gateway_mail_for_relay_domains_is_no_trusted_relay() {
	# Postfix 3.7 logs the relay transport as postfix/relay/smtp; once the
	# destination is held back, error(8) defers the rest
	grep -q 'postfix/relay/smtp\[[0-9]*\]: [0-9A-F]*: to=<user[0-9]*@gateway\.example>' "$log"
	[ "$(grep -c 'postfix/\(relay/smtp\|error\)\[[0-9]*\]: [0-9A-F]*: to=<user[0-9]*@gateway\.example>' "$log")" -eq 12 ]
	outside_mx_sends_mail_for_us 127.0.0.80
}

check "a gateway's mail for relay_domains (the relay transport) from an outside MX is no trusted relay" \
	gateway_mail_for_relay_domains_is_no_trusted_relay

# a spam-filter gateway: transport_maps hand inside.example (a relay_domains
# hash table) to the server inside over smtp; Postfix's configuration says
# the domain is ours when the log read is this server's own. A console
# already running when the gateway is set up reads it again.

# console_has_read_the_log - until the console's title counts every line of the log
console_has_read_the_log() {
	local deadline=$((SECONDS + 20))
	until tui_screen | grep -q " - $(wc -l < "$log") lines"; do
		[ $SECONDS -lt $deadline ] || { echo "the console did not read to the log's end"; tui_screen; return 1; }
		sleep 0.2
	done
}

console_reads_our_domains_again_when_the_gateway_is_set_up() {
	tui_start 250x30 "$bin" --no-queue "$log"	# wide: the alert line names every suspect
	tui_wait "trusted relay 127.0.0.2"
	$lab gateway 12 transport	# main.cf and a relay_domains table change, then the mail comes
	console_has_read_the_log
	tui_screen > "$tmp/screen"
	head -3 "$tmp/screen" | grep -q "trusted relay 127.0.0.2"
	not grep -q "127\.0\.0\.81" "$tmp/screen"	# no suspect, no alert (the first tab lists SASL users)
}

CHECK_AFTER=tui_stop check "a console running when main.cf and a domain table change reads our domains again: the gateway's mail for them is no trusted relay" \
	console_reads_our_domains_again_when_the_gateway_is_set_up

gateway_transport_mail_for_our_domains_is_no_trusted_relay() {
	[ "$(grep -c 'postfix/smtp\[[0-9]*\]: [0-9A-F]*: to=<user[0-9]*@inside\.example>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:[0-9]*, .*status=deferred' "$log")" -eq 12 ]
	outside_mx_sends_mail_for_us 127.0.0.81
	jq -e '.input.our_domains.configured >= 5 and .input.our_domains.unread_tables == ""' "$tmp/r.json" >/dev/null
	# a copy of the log is not this server's own: its configuration is not
	# applied, the admin names the domain
	cp "$log" "$tmp/copied.log"
	"$san" --report --json "$tmp/copied.log" > "$tmp/r.json"
	jq -e '.input.our_domains.configured == 0' "$tmp/r.json" >/dev/null
	jq -e '[.suspects[] | select(.kind == "trusted_relay" and .key == "127.0.0.81")] | length == 1' "$tmp/r.json" >/dev/null
	"$san" --report --json --our-domains inside.example "$tmp/copied.log" > "$tmp/r.json"
	jq -e '.input.our_domains.named == 1 and ([.suspects[] | select(.key == "127.0.0.81")] | length == 0)' \
		"$tmp/r.json" >/dev/null
}

check "a gateway's transport_maps mail over smtp for a domain Postfix's configuration says is ours is no trusted relay" \
	gateway_transport_mail_for_our_domains_is_no_trusted_relay

# mail that pipe(8) hands to a mailbox program here (dovecot-lda, maildrop)
# stayed on this server, whatever the configuration says of its domain
$lab mailbox-pipe 12

mailbox_program_mail_is_no_trusted_relay() {
	[ "$(grep -c 'postfix/pipe\[[0-9]*\]: [0-9A-F]*: to=<user[0-9]*@mbox\.example>, relay=mboxprog, .*status=sent (delivered via mboxprog service)' "$log")" -eq 12 ]
	cp "$log" "$tmp/copied.log"	# not this server's: no domain from postconf
	local save=$log
	log=$tmp/copied.log
	outside_mx_sends_mail_for_us 127.0.0.82
	log=$save
	jq -e '.input.our_domains.configured == 0' "$tmp/r.json" >/dev/null
}

check "mail pipe(8) hands to a mailbox program here (as dovecot-lda) is no trusted relay" \
	mailbox_program_mail_is_no_trusted_relay
