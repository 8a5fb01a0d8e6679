#!/usr/bin/env bash
# fuzz-seeds.sh DIR - the seed corpus for tests/fuzz/targets.c, from the
# project's own real data: each seed is a target byte and that target's input.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1
mkdir -p "$dir"
seed() { local name=$1 target=$2; shift 2; { printf "\\x$(printf %02x "$target")"; cat "$@"; } > "$dir/$name"; }
seed log-lab 0 tests/fixtures/lab-outbreak.log
seed log-postsuper 0 tests/fixtures/lab-postsuper.log
# real setups: long queue IDs, a content filter's copies (orig_queue_id=, "queued as"),
# an outsider's forged AUTH= value in sasl_sender=
seed log-long-ids-xforward 0 tests/fixtures/lab-long-ids-xforward.log
seed log-filter 0 tests/fixtures/lab-filter.log
seed log-filter-pipe 0 tests/fixtures/lab-filter-pipe.log	# pipe(8) and sendmail: copies by pickup
seed log-proxy-filter 0 tests/fixtures/lab-proxy-filter.log	# smtpd_proxy_filter: NOQUEUE client=, proxy-accept
seed log-instances 0 tests/fixtures/lab-instances.log	# postfix-out/... and postfix/relay/smtp
seed log-webapp 0 tests/fixtures/lab-webapp.log	# pickup's uid= and orig_id=
seed log-blocklisted 0 tests/fixtures/lab-blocklisted.log	# refusals for reputation
seed log-dovecot 0 tests/fixtures/lab-dovecot.log	# Dovecot's submission lines in two stamp formats
seed log-dovecot-imap 0 tests/fixtures/lab-dovecot-imap.log	# Dovecot's IMAP failed logins and a login
seed log-dovecot-logfile 0 tests/fixtures/lab-dovecot-logfile.log	# Dovecot's own file: "PREFIX: Info: ", no host
printf '2016-08-19 15:01:05 imap-login: Info: Login: user=<a>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2, session=<s>\n' \
	> "$dir/.tmp" && seed log-dovecot-iso-stamp 0 "$dir/.tmp"	# its zone-less log_timestamp
# every published corpus file
for f in tests/fixtures/corpus/*.log; do seed "log-$(basename "$f")" 0 "$f"; done
for f in tests/fixtures/corpus/grok-patterns-messages/*.txt; do
	sed 's/^/Nov 24 23:35:36 mail postfix\/smtpd[1]: /' "$f" > "$dir/.tmp"
	seed "log-grok-$(basename "$f")" 0 "$dir/.tmp"
done
rm -f "$dir/.tmp"
seed queue-json 1 tests/fixtures/lab-postqueue.jsonl
seed queue-listing 1 tests/fixtures/lab-postqueue.txt
seed postcat 2 tests/fixtures/lab-postcat.txt
seed postcat-copies 2 tests/fixtures/lab-long-ids-xforward-postcat.txt tests/fixtures/lab-filter-postcat.txt \
	tests/fixtures/lab-filter-pipe-postcat.txt
seed postcat-webapp 2 tests/fixtures/lab-webapp-postcat.txt
seed postcat-dovecot 2 tests/fixtures/lab-dovecot-postcat.txt	# Dovecot's Received id
printf '\003a\033]0;x\007b\342\200\256c\300\257d\355\240\200e\377' > "$dir/text-hostile"
seed keys 4 keymaps/default.keys keymaps/vim.keys
printf '\004# thresholds\nqueue = 100 200\nuser_ips=3 5\nip_failures = 3\nnull_sender_pct = 30 60 extra\nbogus\n' > "$dir/thresholds"
printf '\005127.0.0.0/8 [::1]/128, 192.0.2.16/28 hash:/etc/postfix/n /etc/x 2001:db8::/32' > "$dir/lists"
printf '\006-  -  y  /etc/postfix\npostfix-out  mta  y  /etc/postfix-out\npostfix-in - n /srv/a b\nx\n' > "$dir/postmulti"
