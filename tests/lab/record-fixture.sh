#!/usr/bin/env bash
# record-fixture.sh - re-record the real-Postfix captures under tests/fixtures/.
#
#   lab-outbreak.log   the lab's outbreak scenario, as Postfix logged it
#   lab-postsuper.log  postsuper hold/release/requeue/delete lines on that queue
#   lab-postqueue.jsonl, lab-postqueue.txt  postqueue -j and -p of that queue
#   lab-postcat.txt    postcat -e of one victim message and one relayed bounce
#   lab-long-ids-xforward.log, lab-filter.log   the same outbreak on servers
#                      configured like real ones (LAB_PROFILE "long-ids
#                      filter-xforward" plus a burst, and "filter"), with the
#                      forged AUTH= values of an outsider
#   lab-filter-pipe.log  the same with FILTER_README's simple filter (pipe(8)
#                      and sendmail: LAB_PROFILE=filter-pipe), copies by pickup
#   lab-proxy-filter.log  the same behind a before-queue filter (smtpd_proxy_filter:
#                      LAB_PROFILE=proxy-filter): the front smtpd's NOQUEUE client= and
#                      proxy-accept lines
#   lab-long-ids-xforward-postcat.txt, lab-filter-postcat.txt, lab-filter-pipe-postcat.txt,
#   lab-proxy-filter-postcat.txt
#                      postcat -ehq of two re-injected copies of the victim's
#   lab-webapp.log     the outbreak, a web application's 40 messages through
#                      sendmail as www-data (uid 33), and one message
#                      requeued by postsuper -r (pickup's orig_id=)
#   lab-webapp-postcat.txt  postcat -ehq of one of the web application's
#                      messages and one of alice's
#   lab-blocklisted.log  the outbreak, then the account's mail refused by sites
#                      that answer as Gmail, Microsoft and a Spamhaus user do
#                      (tests/lab/refuser.py)
#   lab-dovecot.log    the outbreak, then the account's 30 messages and alice's 2
#                      through Dovecot's submission service (LAB_PROFILE=dovecot),
#                      Dovecot's lines written by syslog into the same log
#   lab-dovecot-postcat.txt  postcat -ehq of one of those messages of the account
#   lab-dovecot-imap.log  Dovecot's IMAP login lines of the break-in that
#                      follows (imap-break-in: three wrong passwords, then the
#                      account's, from 127.0.0.68)
#   lab-dovecot-logfile-mail.log, lab-dovecot-logfile.log  the same with Dovecot
#                      writing its own file (LAB_PROFILE="dovecot dovecot-logfile",
#                      log_path): the mail log, and Dovecot's file with the
#                      forged AUTH, the IMAP break-in and the 30 messages
#   lab-instances.log  the outbreak on a host with a second instance
#                      (LAB_PROFILE=instances: postfix-out), the account's
#                      mail also sent through it
#
# Needs root (it runs the lab). Unit tests and `make demo` use these files,
# so they work without root and without Postfix.
set -euo pipefail
cd "$(dirname "$0")/../.."
lab=tests/lab/lab.sh
trap '$lab down' EXIT

# record_setup PROFILE NAME [BURST] - a real-setup capture (see above)
record_setup() {
	LAB_PROFILE=$1 $lab up
	$lab outbreak
	[ -z "${3:-}" ] || $lab burst "$3"
	$lab forged-auth 2
	if [ "$1" = filter-pipe ]; then	# the filter re-injects after it: wait for the 42 copies
		for _ in $(seq 100); do
			[ "$(grep -c 'uid=65534 from=' "$($lab log)")" -ge 42 ] && [ "$(postqueue -j | jq -s length)" -ge 40 ] && break
			sleep 0.1
		done
	fi
	cp "$($lab log)" "tests/fixtures/lab-$2.log"
	postcat -ehq $(postqueue -j | jq -r 'select(.sender | startswith("promo")) | .queue_id' | head -2) \
		> "tests/fixtures/lab-$2-postcat.txt"
	$lab down
}
record_setup "long-ids filter-xforward" long-ids-xforward 60
record_setup filter filter
record_setup filter-pipe filter-pipe
record_setup proxy-filter proxy-filter
LAB_PROFILE=dovecot $lab up
$lab outbreak
LAB_PROFILE=dovecot $lab dovecot-burst 30
cp "$($lab log)" tests/fixtures/lab-dovecot.log
postcat -ehq "$(grep -o 'dovecot: submission(victim@lab.example).*queued as [0-9A-F]*' "$($lab log)" | head -1 |
	sed 's/.*queued as //')" > tests/fixtures/lab-dovecot-postcat.txt
LAB_PROFILE=dovecot $lab imap-break-in
grep ' dovecot: imap-login: ' "$($lab log)" > tests/fixtures/lab-dovecot-imap.log
$lab down
LAB_PROFILE="dovecot dovecot-logfile" $lab up
$lab outbreak
$lab forged-auth 2
LAB_PROFILE="dovecot dovecot-logfile" $lab imap-break-in &
LAB_PROFILE="dovecot dovecot-logfile" $lab dovecot-burst 30
wait $!
cp "$($lab log)" tests/fixtures/lab-dovecot-logfile-mail.log
cp "$(dirname "$($lab log)")/dovecot.log" tests/fixtures/lab-dovecot-logfile.log
chmod 644 tests/fixtures/lab-dovecot-logfile.log
$lab down
LAB_PROFILE=instances $lab up
LAB_PROFILE=instances $lab outbreak
LAB_PROFILE=instances $lab out-burst 6
cp "$($lab log)" tests/fixtures/lab-instances.log
$lab down
$lab up
$lab outbreak
$lab blocklisted 3
cp "$($lab log)" tests/fixtures/lab-blocklisted.log
$lab down
$lab up
$lab outbreak
$lab webapp 40
requeued=$(postqueue -j | jq -r 'select(.sender=="promo1@cheap-pills.example") | .queue_id' | head -1)
echo "$requeued" | postsuper -r - 2>/dev/null
postkick public pickup W
for _ in $(seq 100); do grep -q "orig_id=$requeued" "$($lab log)" && break; sleep 0.1; done
sleep 1	# its deferral
cp "$($lab log)" tests/fixtures/lab-webapp.log
postcat -ehq "$(postqueue -j | jq -r 'select(.sender=="noreply@lab.example") | .queue_id' | head -1)" \
	"$(postqueue -j | jq -r 'select(.sender=="alice@lab.example") | .queue_id' | head -1)" \
	> tests/fixtures/lab-webapp-postcat.txt
$lab down
$lab up
$lab outbreak
log=$($lab log)
cp "$log" tests/fixtures/lab-outbreak.log
postqueue -j > tests/fixtures/lab-postqueue.jsonl
postqueue -p > tests/fixtures/lab-postqueue.txt
victim=$(postqueue -j | jq -r 'select(.sender | startswith("promo")) | .queue_id' | head -1)
relay=$(postqueue -j | jq -r 'select(.sender == "MAILER-DAEMON") | .queue_id' | head -1)
postcat -eq "$victim" "$relay" > tests/fixtures/lab-postcat.txt
start=$(wc -l < "$log")
ids=$(postqueue -j | head -3 | sed 's/.*"queue_id": "\([0-9A-Za-z]*\)".*/\1/')
postsuper -h ALL 2>/dev/null
first=$(echo "$ids" | head -1)
echo "$first" | postsuper -H - 2>/dev/null
echo "$first" | postsuper -h - 2>/dev/null
postsuper -H ALL 2>/dev/null
echo "$ids" | sed -n 2p | postsuper -r - 2>/dev/null
echo "$ids" | sed -n 3p | postsuper -d - 2>/dev/null
want=$((start + 9))
for _ in $(seq 100); do [ "$(wc -l < "$log")" -ge $want ] && break; sleep 0.1; done
tail -n +$((start + 1)) "$log" | grep postsuper > tests/fixtures/lab-postsuper.log
wc -l tests/fixtures/lab-outbreak.log tests/fixtures/lab-postsuper.log
