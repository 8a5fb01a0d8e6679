# real-setup-tests.sh - sourced by tests/lab/run.sh after the plain lab's tests:
# the same outbreak on Postfix configured like real servers (lab.sh LAB_PROFILE):
# long queue IDs, an amavis-style content filter with and without XFORWARD, a
# before-queue filter, a pipe filter re-injecting through sendmail, a milter,
# Dovecot's submission service with and without XCLIENT, an outsider's forged
# MAIL FROM AUTH= value. Each block starts Postfix anew.

# setup PROFILE - the lab with that profile, the outbreak and the forged AUTH=
setup() {
	LAB_PROFILE=$1 $lab up
	LAB_PROFILE=$1 $lab outbreak
	[ -z "${2:-}" ] || LAB_PROFILE=$1 $lab burst "$2"
	LAB_PROFILE=$1 $lab forged-auth 2
	log=$($lab log)
}

# victim_queued - the compromised account's queued messages, by their envelope
victim_queued() { postqueue -j | jq -r 'select(.sender | startswith("promo")) | .queue_id' | sort; }


real_setup_queue_is_read_whole() {
	local ids; ids=$(postqueue -j | jq -r .queue_id | sort)
	echo "$ids" | grep -q 'z.*z'	# several z: the shape once dropped
	"$san" queue --json > "$tmp/q.json"
	[ "$(jq -r '.messages[].queue_id' "$tmp/q.json" | sort)" = "$ids" ]
	"$san" --report --json "$log" > "$tmp/r.json"
	[ "$(jq '.totals.open_records' "$tmp/r.json")" = "$(echo "$ids" | wc -l)" ]
}

filter_copies_belong_to_their_sender_and_the_filter_is_no_suspect() {
	local msgs=$1
	"$san" --report --json "$log" > "$tmp/r.json"
	[ "$(jq '.totals.messages' "$tmp/r.json")" = "$msgs" ]
	[ "$(jq '.totals.filter_copies' "$tmp/r.json")" = "$msgs" ]
	[ "$(jq -r '.suspects[0].key' "$tmp/r.json")" = victim@lab.example ]
	[ "$(jq -r '[.suspects[] | select(.kind=="trusted_relay") | .key] | join(" ")' "$tmp/r.json")" = 127.0.0.2 ]
	# the deferrals are the copies': charged to the account that sent them
	[ "$(jq '.sasl_users[] | select(.key=="victim@lab.example") | .deferred' "$tmp/r.json")" -gt 0 ]
}

forged_auth_value_charges_no_account() {
	"$san" --report --json "$log" > "$tmp/r.json"
	grep -q 'sasl_sender="x, sasl_method=LOGIN, sasl_username=alice@lab.example, y"' "$log"
	[ "$(jq '.sasl_users[] | select(.key=="alice@lab.example") | .messages' "$tmp/r.json")" = 4 ]
	[ "$(jq '.client_ips[] | select(.key=="127.0.0.99") | .unauthenticated' "$tmp/r.json")" = 2 ]
	[ "$(jq '[.sasl_users[] | select(.key | test("sasl|, "))] | length' "$tmp/r.json")" = 0 ]
}

delete_by_user_removes_every_queued_copy() {
	local want; want=$(victim_queued)
	[ -n "$want" ]
	"$san" delete --sasl-user victim@lab.example --log "$log" --yes > "$tmp/o" 2>&1
	cat "$tmp/o"
	grep -q "^Delete $(echo "$want" | wc -l) messages: SASL user victim@lab.example$" "$tmp/o"
	[ -z "$(victim_queued)" ]
	[ "$(postqueue -j | jq -r 'select(.sender=="alice@lab.example") | .queue_id' | wc -l)" = 3 ]
}

delete_by_trusted_ip_removes_the_relays_copies() {
	"$san" delete --client-ip 127.0.0.2 --log "$log" --yes > "$tmp/o" 2>&1
	cat "$tmp/o"
	grep -q '^Delete 12 messages: client IP 127.0.0.2$' "$tmp/o"
	[ "$(postqueue -j | jq -r 'select(.sender=="offers@bulk-mailer.example" or .sender=="MAILER-DAEMON") | .queue_id' | wc -l)" = 0 ]
}

setup "long-ids filter-xforward" 60
check "long IDs: every queued message is seen, IDs with several z included" real_setup_queue_is_read_whole
check "XFORWARD filter: copies belong to their sender, the filter is no suspect" \
	filter_copies_belong_to_their_sender_and_the_filter_is_no_suspect 102
check "a forged AUTH= value charges no account" forged_auth_value_charges_no_account
check "XFORWARD filter: delete by user removes every queued copy (log_ident proves it)" \
	delete_by_user_removes_every_queued_copy
setup filter
check "filter without XFORWARD: copies belong to their sender, the filter is no suspect" \
	filter_copies_belong_to_their_sender_and_the_filter_is_no_suspect 42
check "filter without XFORWARD: delete by trusted IP removes the relay's copies (Message-ID proves it)" \
	delete_by_trusted_ip_removes_the_relays_copies
check "filter without XFORWARD: delete by user removes every queued copy (Message-ID proves it)" \
	delete_by_user_removes_every_queued_copy

# a before-queue content filter (smtpd_proxy_filter): the front smtpd knows the
# client and the account and queues nothing ("NOQUEUE: client=..."); the smtpd
# behind the filter queues every message from 127.0.0.1, a mynetworks address
before_queue_filter_messages_are_the_front_clients() {
	[ "$(grep -c 'postfix/smtpd\[[0-9]*\]: NOQUEUE: client=unknown\[127.0.0.1[0-4]\], sasl_method=LOGIN, sasl_username=victim@lab.example$' "$log")" = 24 ]
	[ "$(grep -c 'postfix/10025/smtpd\[[0-9]*\]: [0-9A-F]*: client=unknown\[127.0.0.1\], orig_client=' "$log")" = 42 ]
	[ "$(grep -c 'postfix/smtpd\[[0-9]*\]: proxy-accept: END-OF-MESSAGE: 250 .* queued as [0-9A-F]*; from=<' "$log")" = 42 ]
	"$san" --report --json "$log" > "$tmp/r.json"
	[ "$(jq '.totals.messages' "$tmp/r.json")" = 42 ]
	[ "$(jq '.totals.before_queue_filter' "$tmp/r.json")" = 42 ]
	[ "$(jq -r '.suspects[0].key' "$tmp/r.json")" = victim@lab.example ]
	[ "$(jq '.suspects[0].client_ips' "$tmp/r.json")" = 5 ]
	[ "$(jq -r '[.suspects[] | select(.kind=="trusted_relay") | .key] | join(" ")' "$tmp/r.json")" = 127.0.0.2 ]
	[ "$(jq -r '[.suspects[] | select(.kind=="brute_force") | .key] | join(" ")' "$tmp/r.json")" = 127.0.0.66 ]
}

setup proxy-filter
check "before-queue filter: each message is its front smtpd's client's and account's, the filter is no trusted relay" \
	before_queue_filter_messages_are_the_front_clients
check "before-queue filter: a forged AUTH= value charges no account" forged_auth_value_charges_no_account
check "before-queue filter: delete by trusted IP removes the relay's messages" delete_by_trusted_ip_removes_the_relays_copies
check "before-queue filter: delete by user removes the account's messages (Message-ID proves each)" \
	delete_by_user_removes_every_queued_copy

# FILTER_README's simple content filter: pipe(8) and sendmail, as spamc -e
# sendmail is run: each copy comes back through pickup as a local submission
# of the filter's uid (nobody); it is the original sender's, not a web application's
pipe_filter_copies_are_the_senders_and_the_filter_is_no_web_app() {
	[ "$(grep -c 'status=sent (delivered via pipefilter service)' "$log")" -ge 48 ]
	[ "$(grep -c 'postfix/pickup\[[0-9]*\]: [0-9A-F]*: uid=65534 from=' "$log")" = 48 ]
	"$san" --report --json "$log" > "$tmp/r.json"
	# the outsider's two and the account's six burst messages have no Message-ID:
	# message-id=<> for the original and for its copy (sendmail -G); their copies
	# are tied by the envelope sender the filter passes on, as the others by it and
	# their Message-ID
	[ "$(grep -c 'cleanup\[[0-9]*\]: [0-9A-F]*: message-id=<>$' "$log")" = 16 ]
	[ "$(jq '.totals.filter_copies' "$tmp/r.json")" = 48 ]
	[ "$(jq '.totals.messages' "$tmp/r.json")" = 48 ]
	[ "$(jq '.totals.local_submissions' "$tmp/r.json")" = 0 ]
	[ "$(jq -r '.suspects[0].key' "$tmp/r.json")" = victim@lab.example ]
	[ "$(jq '[.suspects[] | select(.kind=="web_app")] | length' "$tmp/r.json")" = 0 ]
	[ "$(jq '[.local_uids[] | select(.messages > 0)] | length' "$tmp/r.json")" = 0 ]
	# the hops to the filter are no delivery: sent are the local deliveries of the
	# outbreak's message and of the outsider's two copies
	[ "$(jq '.totals.sent' "$tmp/r.json")" = 3 ]
	[ "$(jq '.sasl_users[] | select(.key=="victim@lab.example") | .messages' "$tmp/r.json")" = 30 ]
	[ "$(jq '.sasl_users[] | select(.key=="victim@lab.example") | .deferred' "$tmp/r.json")" = 54 ]
}
setup filter-pipe
LAB_PROFILE=filter-pipe $lab burst 6 no-message-id
log=$($lab log)
copies_queued() { [ "$(grep -c 'uid=65534 from=' "$log")" -ge 48 ] && [ "$(postqueue -j | jq -s length)" -ge 46 ]; }
for _ in $(seq 100); do copies_queued && break; sleep 0.1; done
check "pipe filter (sendmail): copies belong to their sender, with or without a Message-ID; the filter is no web application" \
	pipe_filter_copies_are_the_senders_and_the_filter_is_no_web_app
check "pipe filter (sendmail): delete by user removes every queued copy (Message-ID, or the original's queue ID in smtpd's Received header, proves it)" \
	delete_by_user_removes_every_queued_copy

# a content milter (smtpd_milters, libmilter): it holds some of the account's
# messages, refuses others at the end of DATA and drops others
milter_holds_are_the_accounts_and_refused_messages_leave_no_open_record() {
	[ "$(grep -c 'milter-hold: END-OF-MESSAGE from unknown\[127.0.0.16\]: ' "$log")" = 4 ]
	[ "$(grep -c 'milter-reject: END-OF-MESSAGE from .*: 5.7.1 spam refused by the lab milter' "$log")" = 3 ]
	[ "$(grep -c 'milter-discard: END-OF-MESSAGE from unknown\[127.0.0.16\]: ' "$log")" = 2 ]
	local held; held=$(postqueue -j | jq -r 'select(.queue_name=="hold") | .queue_id' | sort)
	[ "$(echo "$held" | wc -l)" = 4 ]
	postcat -hq $(echo "$held" | head -1) | grep -q '^X-Lab-Milter: checked'	# the milter's own header
	"$san" --report --json "$log" > "$tmp/r.json"
	[ "$(jq '.sasl_users[] | select(.key=="victim@lab.example") | .held' "$tmp/r.json")" = 4 ]
	# the refused and dropped messages' queue files are gone and Postfix 3.7 logs no "removed":
	# no record stays open
	[ "$(jq '.totals.open_records' "$tmp/r.json")" = "$(postqueue -j | jq -s length)" ]
	"$san" queue --json --log "$log" > "$tmp/q.json"
	[ "$(jq -r '[.messages[] | select(.queue=="hold" and .sasl_user=="victim@lab.example") | .queue_id] | sort | .[]' \
		"$tmp/q.json")" = "$held" ]
}

delete_by_user_takes_the_messages_a_milter_held() {
	"$san" delete --sasl-user victim@lab.example --log "$log" --yes > "$tmp/o" 2>&1
	cat "$tmp/o"
	[ "$(postqueue -j | jq -s '[.[] | select(.queue_name=="hold")] | length')" = 0 ]
	[ -z "$(victim_queued)" ]
	[ "$(postqueue -j | jq -r 'select(.sender=="alice@lab.example") | .queue_id' | wc -l)" = 3 ]
}

setup milter
LAB_PROFILE=milter $lab milter-burst 4 3 2
check "milter: the messages it holds are the account's; those it refuses or drops leave no open record" \
	milter_holds_are_the_accounts_and_refused_messages_leave_no_open_record
check "milter: delete by user takes the messages the milter held" delete_by_user_takes_the_messages_a_milter_held

# Dovecot's submission service (dovecot-submissiond) takes AUTH and relays to
# Postfix without XCLIENT: Postfix logs client=...[127.0.0.1], a mynetworks
# client, and no account. Dovecot's own lines (through the lab's rsyslogd)
# name the account, the address that logged in and Postfix's queue ID.
dovecot_relays_are_the_accounts_and_the_proxy_is_no_trusted_relay() {
	[ "$(grep -c 'dovecot: submission(victim@lab.example)<[0-9]*><[^>]*>: Successfully relayed message: ' "$log")" = 30 ]
	# Postfix names no account: only the AUTH= value Dovecot passed (sasl_sender, not believed)
	[ "$(grep -c 'postfix/smtpd\[[0-9]*\]: [0-9A-F]*: client=unknown\[127.0.0.1\], sasl_sender=[a-z]*@lab.example$' "$log")" = 32 ]
	"$san" --report --json "$log" > "$tmp/r.json"
	[ "$(jq -r '.suspects[0].key' "$tmp/r.json")" = victim@lab.example ]
	[ "$(jq '.suspects[0].client_ips' "$tmp/r.json")" = 10 ]	# 5 to Postfix, 5 to Dovecot
	[ "$(jq '.sasl_users[] | select(.key=="victim@lab.example") | .messages' "$tmp/r.json")" = 54 ]
	[ "$(jq '.sasl_users[] | select(.key=="alice@lab.example") | .messages' "$tmp/r.json")" = 6 ]
	[ "$(jq -r '[.suspects[] | select(.kind=="trusted_relay") | .key] | join(" ")' "$tmp/r.json")" = 127.0.0.2 ]
	[ "$(jq '.totals.submission_proxy' "$tmp/r.json")" = 32 ]
	[ "$(jq '.client_ips[] | select(.key=="127.0.0.33") | .authenticated' "$tmp/r.json")" = 6 ]
	# the brute force through Dovecot, which Postfix never sees: at its submission
	# service (127.0.0.67) and at its IMAP login (127.0.0.68), the same passwords
	[ "$(jq -r '[.suspects[] | select(.kind=="brute_force") | .key] | sort | join(" ")' "$tmp/r.json")" = \
		"127.0.0.66 127.0.0.67 127.0.0.68" ]
	[ "$(jq '.auth_failures[] | select(.key=="127.0.0.67") | .sasl_failures' "$tmp/r.json")" = 3 ]
	[ "$(jq '.auth_failures[] | select(.key=="127.0.0.68") | .mailbox_failures' "$tmp/r.json")" = 3 ]
	[ "$(jq '.totals.mailbox_login_failures' "$tmp/r.json")" = 6 ]
	# alice's phone with an old password where her laptop logged in (127.0.0.69):
	# three failures of her own account there, no brute force
	[ "$(jq '.auth_failures[] | select(.key=="127.0.0.69") | .sasl_failures' "$tmp/r.json")" = 3 ]
	[ "$(jq '.auth_failures[] | select(.key=="127.0.0.69") | .own_account_failures' "$tmp/r.json")" = 3 ]
	[ "$(jq '.auth_failures[] | select(.key=="127.0.0.68") | .own_account_failures' "$tmp/r.json")" = 0 ]
	# and the break-in: the account logged in at IMAP from there, right after
	[ "$(jq -r '.suspects[0].reasons[-1]' "$tmp/r.json")" = \
		"logged in from 127.0.0.68 after 3 failed logins from there within 20 minutes (threshold 3)" ]
	[ "$(jq -r '.sasl_users[] | select(.key=="victim@lab.example") | .login_after_failures_from' "$tmp/r.json")" = 127.0.0.68 ]
	# step 4 says where Postfix's block of the account does not reach
	"$san" cleanup --plan --no-queue "$log" > "$tmp/plan"
	grep -q "^    it also sent 30 messages through Dovecot's submission service, which takes its AUTH:$" "$tmp/plan"
	grep -q "^    its password was probably guessed at 127.0.0.68 (3 failed logins there, then its login):$" "$tmp/plan"
}

delete_by_user_takes_the_accounts_dovecot_relays_by_their_received_id() {
	local ids; ids=$(victim_queued)
	[ "$(echo "$ids" | wc -l)" = 54 ]
	# the queue files name no user: Dovecot's Received header carries the ID it logged
	postcat -hq $(echo "$ids" | head -1) > /dev/null
	"$san" delete --sasl-user victim@lab.example --log "$log" --yes > "$tmp/o" 2>&1
	cat "$tmp/o"
	grep -q '^Delete 54 messages: SASL user victim@lab.example$' "$tmp/o"
	[ -z "$(victim_queued)" ]
	[ "$(postqueue -j | jq -r 'select(.sender=="alice@lab.example") | .queue_id' | wc -l)" = 5 ]
}

setup dovecot
LAB_PROFILE=dovecot $lab imap-break-in &	# Dovecot delays each retry from the address: meanwhile
break_in=$!
LAB_PROFILE=dovecot $lab imap-old-password &
old_password=$!
LAB_PROFILE=dovecot $lab dovecot-burst 30
wait $break_in || echo "lab: imap-break-in failed"
wait $old_password || echo "lab: imap-old-password failed"
check "Dovecot without XCLIENT: its relays are the account's, the proxy is no trusted relay, failed submission and IMAP logins are brute force, the IMAP break-in is evidence, a phone's old password where its account logs in is not" \
	dovecot_relays_are_the_accounts_and_the_proxy_is_no_trusted_relay
check "Dovecot submission: delete by user takes the account's relayed messages (Dovecot's Received id proves each)" \
	delete_by_user_takes_the_accounts_dovecot_relays_by_their_received_id

# the account blocked at Dovecot too: its deny passdb's file (lab.sh's, as
# Debian's auth-deny.conf.ext), then the auth cache flushed and its sessions kicked
# each login from an address of its own: Dovecot delays the logins of an
# address that failed before (its auth penalty), seconds each
submission_auth() {	# FROM USER PASSWORD: Dovecot's submission service takes the AUTH
	swaks --server 127.0.0.1:2587 --li "$1" --quit-after AUTH --auth PLAIN --auth-user "$2" \
		--auth-password "$3" --silent 2 >/dev/null 2>&1
}
imap_auth() {	# FROM USER PASSWORD [SIGNAL]: Dovecot's IMAP takes the login; with SIGNAL, the
	# session is kept (SIGNAL made once in): 0 once Dovecot ends it, 1 if it lasts 20 s
	python3 -c 'import imaplib, socket, sys, time
src, user, password, signal = (sys.argv[1:] + [""])[:4]
class Client(imaplib.IMAP4):
    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=(src, 0))
c = Client("127.0.0.1", 2143)
c.login(user, password)
if not signal:
    c.logout()
    sys.exit(0)
open(signal, "w").close()
for _ in range(100):
    time.sleep(0.2)
    try:
        c.noop()
    except (imaplib.IMAP4.abort, OSError):
        sys.exit(0)
sys.exit(1)' "$@" >/dev/null 2>&1
}

dovecot_block_refuses_the_accounts_logins_and_unblock_lets_it_back() {
	local conf=/run/spamtop-lab-dovecot/dovecot.conf deny=/run/spamtop-lab-dovecot/deny-users session
	submission_auth 127.0.0.90 victim@lab.example victim-secret
	imap_auth 127.0.0.91 victim@lab.example victim-secret "$tmp/in" &	# the thief's open session
	session=$!
	for _ in $(seq 50); do [ -e "$tmp/in" ] || sleep 0.2; done
	[ -e "$tmp/in" ]
	"$san" block --sasl-user victim@lab.example --dovecot-config "$conf" --journal "$tmp/dj.jsonl" --yes > "$tmp/o" 2>&1
	cat "$tmp/o"
	grep -q "^Block victim@lab.example at Dovecot (IMAP, POP3, submission): add its line in $deny, " "$tmp/o"
	grep -q '^Done at Dovecot.$' "$tmp/o"
	wait $session	# kicked
	[ "$(cat "$deny")" = victim@lab.example ]
	[ "$(stat -c %a:%U:%G "$deny")" = 640:root:dovecot ]	# still readable by Dovecot's auth
	not submission_auth 127.0.0.92 victim@lab.example victim-secret
	not imap_auth 127.0.0.93 victim@lab.example victim-secret
	submission_auth 127.0.0.94 alice@lab.example alice-secret
	imap_auth 127.0.0.95 alice@lab.example alice-secret
	for a in block-account-dovecot dovecot-auth-cache-flush dovecot-kick; do
		[ "$(jq -r "select(.action == \"$a\") | .phase" "$tmp/dj.jsonl" | tr '\n' ' ')" = "planned done " ]
	done
	"$san" unblock --sasl-user victim@lab.example --dovecot-config "$conf" --journal "$tmp/dj.jsonl" --yes > "$tmp/o" 2>&1
	cat "$tmp/o"
	[ ! -s "$deny" ]
	submission_auth 127.0.0.96 victim@lab.example victim-secret
	imap_auth 127.0.0.97 victim@lab.example victim-secret
	# the cleanup's step 4 does the same (cleanup_session), and the incident report says so
	"$san" cleanup --yes --sasl-user victim@lab.example --dovecot-config "$conf" --journal "$tmp/dj.jsonl" \
		--state "$tmp/st.json" --incident "$tmp/inc.md" "$log" > "$tmp/o" 2>&1
	grep -q "^    victim@lab.example blocked at Dovecot, its line in $deny " "$tmp/o"
	grep -q '^- step 4, Contain: victim@lab.example\\: blocked in Postfix, blocked at Dovecot$' "$tmp/inc.md"
	not submission_auth 127.0.0.98 victim@lab.example victim-secret
	"$san" unblock --sasl-user victim@lab.example --dovecot-config "$conf" --journal "$tmp/dj.jsonl" --yes >/dev/null
	submission_auth 127.0.0.99 victim@lab.example victim-secret
}

check "Dovecot: block --sasl-user (and the cleanup's step 4) refuse the account's submission and IMAP logins (deny passdb) and kick its session; unblock lets it back" \
	dovecot_block_refuses_the_accounts_logins_and_unblock_lets_it_back

# the same with XCLIENT (Dovecot's submission_relay_trusted = yes): Postfix names
# the account and the client itself; Dovecot's line must not count them again
dovecot_xclient_relays_are_counted_once() {
	[ "$(grep -c 'client=unknown\[127.0.0.3[0-4]\], sasl_method=XCLIENT, sasl_username=victim@lab.example' "$log")" = 30 ]
	"$san" --report --json "$log" > "$tmp/r.json"
	[ "$(jq -r '.suspects[0].key' "$tmp/r.json")" = victim@lab.example ]
	[ "$(jq '.suspects[0].client_ips' "$tmp/r.json")" = 10 ]
	[ "$(jq '.sasl_users[] | select(.key=="victim@lab.example") | .messages' "$tmp/r.json")" = 54 ]
	[ "$(jq '.totals.submission_proxy' "$tmp/r.json")" = 0 ]
	[ "$(jq -r '[.suspects[] | select(.kind=="trusted_relay") | .key] | join(" ")' "$tmp/r.json")" = 127.0.0.2 ]
}

setup "dovecot dovecot-xclient"
LAB_PROFILE="dovecot dovecot-xclient" $lab dovecot-burst 30
check "Dovecot submission with XCLIENT: Postfix names the account, Dovecot's line adds nothing" \
	dovecot_xclient_relays_are_counted_once

# Dovecot writing a log file of its own (log_path): none of its lines reach the
# mail log. Read with it, merged by time in either order, its file gives what
# the syslog setup above gave: the relays charged, the IMAP break-in seen
dovecot_log_file_is_read_with_the_mail_log() {
	local dvlog; dvlog="$(dirname "$log")/dovecot.log"
	[ "$(grep -c 'dovecot' "$log")" = 0 ]
	# Dovecot's form (failures.c): the default log_timestamp, the prefix, the type
	grep -Eq '^[A-Z][a-z]{2} [0-9]{2} [0-9:]{8} imap-login: Info: Login: user=<victim@lab\.example>, .*rip=127\.0\.0\.68,' "$dvlog"
	grep -Eq '^[A-Z][a-z]{2} [0-9]{2} [0-9:]{8} submission\(victim@lab\.example\)<[0-9]+><[^>]+>: Info: Successfully relayed message: ' "$dvlog"
	# the setting spamtop asks doveconf for, as the real doveconf prints it
	[ "$(doveconf -c /run/spamtop-lab-dovecot/dovecot.conf -h log_path)" = "$dvlog" ]
	# the mail log alone: Dovecot's relays are 127.0.0.1's, unauthenticated, and
	# delete by user finds only the account's messages Postfix took AUTH for
	local rc=0
	"$san" --report --json "$log" > "$tmp/r.json"
	[ "$(jq '.totals.submission_proxy' "$tmp/r.json")" = 0 ]
	"$san" delete --sasl-user victim@lab.example --log "$log" --dry-run > "$tmp/o" 2>&1 || rc=$?
	[ $rc -eq 3 ] && grep -q '^Delete 24 messages: SASL user victim@lab.example$' "$tmp/o"
	local order
	for order in "$log $dvlog" "$dvlog $log"; do
		# shellcheck disable=SC2086
		"$san" --report --json $order > "$tmp/r.json"
		[ "$(jq -r '.suspects[0].key' "$tmp/r.json")" = victim@lab.example ]
		[ "$(jq '.sasl_users[] | select(.key=="victim@lab.example") | .messages' "$tmp/r.json")" = 54 ]
		[ "$(jq '.totals.submission_proxy' "$tmp/r.json")" = 32 ]
		[ "$(jq -r '[.suspects[] | select(.kind=="brute_force") | .key] | sort | join(" ")' "$tmp/r.json")" = \
			"127.0.0.66 127.0.0.67 127.0.0.68" ]
		[ "$(jq -r '.suspects[0].reasons[-1]' "$tmp/r.json")" = \
			"logged in from 127.0.0.68 after 3 failed logins from there within 20 minutes (threshold 3)" ]
	done
	# and delete by user finds the account's relayed messages through it
	rc=0
	"$san" delete --sasl-user victim@lab.example --log "$log" --log "$dvlog" --dry-run > "$tmp/o" 2>&1 || rc=$?
	cat "$tmp/o"
	[ $rc -eq 3 ]	# a dry run's status
	grep -q '^Delete 54 messages: SASL user victim@lab.example$' "$tmp/o"
}

setup "dovecot dovecot-logfile"
LAB_PROFILE="dovecot dovecot-logfile" $lab imap-break-in &
break_in=$!
LAB_PROFILE="dovecot dovecot-logfile" $lab dovecot-burst 30
wait $break_in || echo "lab: imap-break-in failed"
check "Dovecot with its own log file (log_path): read with the mail log, in either order, its relays are the account's and the IMAP break-in is seen" \
	dovecot_log_file_is_read_with_the_mail_log
