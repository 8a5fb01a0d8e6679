#!/usr/bin/env bash
# lab.sh - a real Postfix on loopback, for spamtop's tests.
#
# SYNOPSIS
#   tests/lab/lab.sh install | up | outbreak | burst N [no-message-id] | forged-auth [N] | out-burst N | mx2-burst N | ssh-dir | webapp N |
#                    blocklisted N | gateway N [transport] | mailbox-pipe N | milter-burst H R D | dovecot-burst N | imap-break-in | imap-old-password |
#                    down | log
#
# DESCRIPTION
#   install   apt-installs postfix, sasl2-bin, libsasl2-modules, swaks, python3
#             (the content filter stand-in), openssh-server (the fleet's
#             sshd; the lab starts its own), and dovecot-core,
#             dovecot-submissiond, dovecot-imapd and rsyslog (LAB_PROFILE=dovecot)
#             if missing;
#             no package's service is started by the install (policy-rc.d).
#   up        configures the system Postfix for the lab (a copy of main.cf and
#             master.cf is kept and restored by `down`), empties its queue and
#             log, creates SASL users, and starts it.
#   outbreak  plays an incident against it: normal mail, a compromised SASL
#             account sending from several addresses, a trusted relay host in
#             mynetworks relaying unauthenticated (some with from=<>), brute
#             force, a rejected relay attempt; waits until Postfix has logged it.
#   burst N [no-message-id]  N more messages from the compromised account, as
#             fast as swaks sends them (a queue big enough to meet every ID
#             shape); with no-message-id, headers without a Message-ID.
#   forged-auth  an outsider that never authenticates sends mail with a MAIL
#             FROM AUTH= value that names another account (alice).
#   out-burst N  N messages of the compromised account through the second
#             instance (LAB_PROFILE=instances), deferred in its queue.
#   mx2-burst N  N messages of the compromised account through the other
#             server (LAB_PROFILE=fleet), deferred in its queue.
#   ssh-dir   prints the directory of the fleet's ssh client: bin/ssh there is
#             ssh with the lab's key and known host (ssh -F ssh_config).
#   webapp N  a compromised web application: N messages submitted with
#             sendmail -t as www-data (uid 33), as a PHP script's mail() does.
#   blocklisted N  remote sites refuse the server for its reputation: mail to
#             gmail.example, outlook.example and dnsbl.example goes (by
#             transport_maps) to tests/lab/refuser.py on 127.0.0.1:$LAB_REFUSER_PORT,
#             which answers as Gmail, Microsoft and a Spamhaus user do; the
#             compromised account sends N messages to each.
#   gateway N [transport]  the server as a gateway for gateway.example
#             (relay_domains, whose mail leaves by the relay transport); an
#             outside MX, 127.0.0.80, sends N messages for its users, deferred
#             at the dead relayhost. With "transport": for inside.example (a
#             relay_domains hash table), handed by transport_maps over smtp to
#             the refuser, from 127.0.0.81.
#   mailbox-pipe N  mail for mbox.example goes by transport_maps to a pipe(8)
#             service whose program takes it as dovecot-lda would; an outside
#             MX, 127.0.0.82, sends N messages.
#   dovecot-burst N  (LAB_PROFILE=dovecot) the compromised account sends N
#             messages through Dovecot's submission service from five
#             addresses, alice two, and 127.0.0.67 fails its AUTH there three
#             times; waits until Dovecot logged each relay and failure.
#   imap-break-in  (LAB_PROFILE=dovecot) 127.0.0.68 guesses the compromised
#             account's password at Dovecot's IMAP login three times, then
#             logs in with it; waits until Dovecot logged the four.
#   imap-old-password  (LAB_PROFILE=dovecot) alice logs in at IMAP from
#             127.0.0.69 (her laptop), then her phone there tries an old
#             password three times; waits until Dovecot logged the four.
#   down      stops Postfix, deletes its queue, restores the configuration.
#   log       prints the path of the lab's mail log.
#
#   Network: every connection goes to 127.0.0.0/8. Postfix listens on
#   loopback only, its relayhost is [127.0.0.1]:$LAB_DEAD_PORT where nothing
#   listens (outbound mail is deferred and stays queued), and it never looks
#   anything up in DNS.
#
#   LAB_PROFILE (for `up`): words naming how real servers differ from the
#   plain lab, any of:
#     long-ids         enable_long_queue_ids = yes
#     filter           content_filter = scan:[127.0.0.1]:10024, an amavis-style
#                      filter there (tests/lab/filter.py) passing each message
#                      to a re-injection smtpd on 127.0.0.1:10025 (master.cf,
#                      syslog_name postfix/10025, -o content_filter=;
#                      LAB_REINJECT_NAME=postfix-reinject names it so, an
#                      admin's own name that is no instance's)
#     filter-xforward  the same, with XFORWARD from Postfix to the filter and
#                      from the filter to the re-injection smtpd (amavis's
#                      default): the copy's client= line names orig_queue_id
#     proxy-filter     a before-queue content filter (SMTPD_PROXY_README:
#                      smtpd_proxy_filter = 127.0.0.1:10024 on the smtp
#                      service): tests/lab/filter.py as the SMTP proxy,
#                      with XFORWARD, passing each message to the smtpd on
#                      127.0.0.1:10025, which queues it; the front smtpd logs
#                      "NOQUEUE: client=..." and "proxy-accept: ... queued as"
#     filter-pipe      FILTER_README's simple content filter, as spamc -e
#                      sendmail is run: smtpd's mail goes through pipe(8)
#                      (master.cf pipefilter, user=nobody) to
#                      tests/lab/pipe-filter.sh, which re-injects it with
#                      sendmail (a local submission of uid 65534 under a new ID)
#     milter           smtpd_milters = inet:127.0.0.1:$LAB_MILTER_PORT, a content
#                      milter there on libmilter (tests/lab/lab_milter.py): it adds
#                      a header to every message, quarantines those whose
#                      Subject holds "[hold]" (milter-hold: the hold queue) and
#                      refuses "[reject]" at the end of DATA (milter-reject),
#                      drops "[discard]" (milter-discard); `milter-burst H R D`
#                      sends the compromised account's H, R and D of them
#     instances        a second Postfix instance made by postmulti
#                      (postfix-out, /etc/postfix-out, its own queue), its
#                      smtpd on 127.0.0.1:$LAB_OUT_PORT with SASL, logging as
#                      postfix-out/... into the same mail log; `out-burst N`
#                      sends the compromised account's mail through it
#     fleet            another server, mx2, reached over ssh: a Postfix with its
#                      own config_directory (/etc/postfix-mx2, not a postmulti
#                      instance: this machine's spamtop does not see its
#                      queue), its own queue and log ($LAB_LOG_DIR/mx2.log),
#                      smtpd on 127.0.0.1:$LAB_MX2_PORT with SASL; and an sshd
#                      on 127.0.0.1:$LAB_SSH_PORT taking root with a key made
#                      here, whose sessions are mx2's (MAIL_CONFIG, a PATH
#                      holding this tree's spamtop, SPAMTOP_JOURNAL=
#                      $LAB_SSH_DIR/mx2-journal.jsonl)
#     dovecot          Dovecot's submission service (dovecot-submissiond, its own
#                      configuration under $LAB_DOVECOT_DIR) on
#                      127.0.0.1:$LAB_SUBMISSION_PORT, and its IMAP on
#                      127.0.0.1:$LAB_IMAP_PORT, against the same passwords,
#                      after a deny passdb ($LAB_DOVECOT_DIR/deny-users, empty,
#                      as Debian's auth-deny.conf.ext); submission takes AUTH itself,
#                      relaying to Postfix's 127.0.0.1:25 without XCLIENT, as
#                      a mynetworks client; it logs through syslog, which an
#                      rsyslogd of the lab's (on /dev/log, Debian's default
#                      file format) writes into the lab's mail log; a system
#                      syslog's /dev/log is set aside meanwhile, put back by down
#     dovecot-logfile  (with dovecot) Dovecot writes its own log file
#                      (log_path = $LAB_LOG_DIR/dovecot.log, the default
#                      log_timestamp), not syslog: its lines are not in the
#                      mail log
#     dovecot-xclient  (with dovecot) Dovecot relays with XCLIENT
#                      (submission_relay_trusted = yes, Postfix's
#                      smtpd_authorized_xclient_hosts = 127.0.0.1): Postfix
#                      logs the client and the account itself
#
#   Requires root. Every wait polls for a condition with a deadline.
set -euo pipefail

LAB_LOG_DIR=${LAB_LOG_DIR:-/var/log/spamtop-lab}
LAB_LOG=$LAB_LOG_DIR/mail.log
LAB_DOVECOT_LOG=$LAB_LOG_DIR/dovecot.log
LAB_DEAD_PORT=${LAB_DEAD_PORT:-2599}
LAB_DOMAIN=lab.example
BACKUP=/etc/postfix/.spamtop-lab-backup
LAB_PROFILE=${LAB_PROFILE:-}
FILTER_PID=/run/spamtop-lab-filter.pid
LAB_OUT=postfix-out	# the second instance (LAB_PROFILE=instances)
LAB_OUT_CONF=/etc/$LAB_OUT
LAB_OUT_PORT=${LAB_OUT_PORT:-2526}
LAB_REFUSER_PORT=${LAB_REFUSER_PORT:-2600}
LAB_MILTER_PORT=${LAB_MILTER_PORT:-2601}
LAB_MX2_CONF=/etc/postfix-mx2	# the other server (LAB_PROFILE=fleet)
LAB_MX2_SPOOL=/var/spool/postfix-mx2
LAB_MX2_DATA=/var/lib/postfix-mx2
LAB_MX2_PORT=${LAB_MX2_PORT:-2527}
LAB_SSH_PORT=${LAB_SSH_PORT:-2222}
LAB_SSH_DIR=/run/spamtop-lab-ssh
REFUSER_PID=/run/spamtop-lab-refuser.pid
MILTER_PID=/run/spamtop-lab-milter.pid
LAB_SUBMISSION_PORT=${LAB_SUBMISSION_PORT:-2587}
LAB_IMAP_PORT=${LAB_IMAP_PORT:-2143}
LAB_DOVECOT_DIR=/run/spamtop-lab-dovecot
LAB_RSYSLOG_DIR=/run/spamtop-lab-rsyslog
LAB_DEVLOG_SAVED=/dev/log.spamtop-lab-saved	# a system syslog's /dev/log, while the lab's rsyslogd has it
LAB_PIPE_DIR=/run/spamtop-lab-pipe-filter
LAB_DIR=$(cd "$(dirname "$0")" && pwd)
# Accounts: alice is a normal user, victim's password was guessed.
LAB_PASS_ALICE=alice-secret
LAB_PASS_VICTIM=victim-secret

# What every lab instance shares: loopback only, the dead relayhost (nothing is
# ever delivered), no DNS, SASL, one mail log, retries far apart.
LAB_COMMON_SETTINGS=(
	"inet_interfaces = loopback-only"
	"inet_protocols = ipv4"
	"mydomain = $LAB_DOMAIN"
	"myorigin = $LAB_DOMAIN"
	"relayhost = [127.0.0.1]:$LAB_DEAD_PORT"
	"smtp_dns_support_level = disabled"
	"smtp_host_lookup = native"
	"smtpd_peername_lookup = no"
	"maillog_file = $LAB_LOG"
	"smtpd_sasl_auth_enable = yes"
	"smtpd_sasl_type = cyrus"
	"smtpd_sasl_path = smtpd"
	"smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated reject_unauth_destination"
	"smtpd_client_connection_rate_limit = 0"
	"smtpd_error_sleep_time = 0"
	"minimal_backoff_time = 3600s"
	"maximal_backoff_time = 7200s"
	"queue_run_delay = 3600s"
	"smtp_connect_timeout = 2s"
	"alias_maps = " "alias_database = "
)

die() { echo "lab: $*" >&2; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root (it configures the system Postfix)"; }

# wait_for DESCRIPTION SECONDS COMMAND...: poll COMMAND until it succeeds.
wait_for() {
	local what=$1 limit=$2; shift 2
	local deadline=$((SECONDS + limit))
	until "$@"; do
		[ $SECONDS -lt $deadline ] || die "timed out after ${limit}s waiting for $what"
		sleep 0.1
	done
}

cmd_install() {
	need_root
	local missing=()
	for p in postfix sasl2-bin libsasl2-modules swaks python3 python3-milter openssh-server \
		dovecot-core dovecot-submissiond dovecot-imapd rsyslog; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
	echo "postfix postfix/mailname string $LAB_DOMAIN" | debconf-set-selections
	# no service of these packages starts: Dovecot's would listen on every address
	local policy=/usr/sbin/policy-rc.d added=
	[ -e "$policy" ] || { printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && added=1; }
	[ -n "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ] || apt-get update -qq
	local rc=0
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
		rc=$?
	[ -z "$added" ] || rm -f "$policy"
	return $rc
}

postfix_running() { postfix status >/dev/null 2>&1; }

cmd_up() {
	need_root
	command -v postconf >/dev/null || cmd_install
	postfix_running && postfix stop >/dev/null 2>&1 || true
	wait_for "postfix to stop" 20 bash -c '! postfix status >/dev/null 2>&1'
	instance_remove
	mx2_remove
	sshd_stop
	dovecot_stop
	if [ ! -d "$BACKUP" ]; then
		mkdir -p "$BACKUP"
		cp -p /etc/postfix/main.cf /etc/postfix/master.cf "$BACKUP/"
	fi
	cp -p "$BACKUP/main.cf" "$BACKUP/master.cf" /etc/postfix/
	mkdir -p "$LAB_LOG_DIR"
	: > "$LAB_LOG"
	rm -f "$LAB_DOVECOT_LOG"
	postconf -e "${LAB_COMMON_SETTINGS[@]}" \
		"myhostname = mail.$LAB_DOMAIN" \
		"mydestination = $LAB_DOMAIN, mail.$LAB_DOMAIN, localhost" \
		"mynetworks = 127.0.0.1/32 127.0.0.2/32" \
		"default_transport = smtp" \
		"relay_transport = relay" \
		"smtpd_sasl_authenticated_header = no" \
		"smtpd_soft_error_limit = 100" \
		"smtpd_hard_error_limit = 100" \
		"smtpd_junk_command_limit = 1000" \
		"anvil_rate_time_unit = 60s" \
		"local_recipient_maps = "
	postconf -F 'smtp/inet/chroot = n'
	apply_profile
	mkdir -p /etc/postfix/sasl
	printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\n' > /etc/postfix/sasl/smtpd.conf
	rm -f /etc/sasldb2
	echo "$LAB_PASS_ALICE" | saslpasswd2 -p -c -u "$LAB_DOMAIN" alice
	echo "$LAB_PASS_VICTIM" | saslpasswd2 -p -c -u "$LAB_DOMAIN" victim
	chown root:postfix /etc/sasldb2
	chmod 640 /etc/sasldb2
	queue_empty
	postfix check
	postfix start >/dev/null 2>&1
	wait_for "postfix to listen on 127.0.0.1:25" 20 bash -c 'exec 3<>/dev/tcp/127.0.0.1/25' 2>/dev/null
	wait_for "the mail log to appear" 10 test -s "$LAB_LOG"
	if has_profile instances; then
		instance_create
		postfix -c "$LAB_OUT_CONF" start >/dev/null 2>&1
		wait_for "$LAB_OUT to listen on 127.0.0.1:$LAB_OUT_PORT" 20 \
			bash -c "exec 3<>/dev/tcp/127.0.0.1/$LAB_OUT_PORT" 2>/dev/null
	fi
	if has_profile fleet; then
		mx2_create
		postfix -c "$LAB_MX2_CONF" start >/dev/null 2>&1
		wait_for "mx2 to listen on 127.0.0.1:$LAB_MX2_PORT" 20 \
			bash -c "exec 3<>/dev/tcp/127.0.0.1/$LAB_MX2_PORT" 2>/dev/null
		sshd_start
	fi
	if has_profile dovecot; then
		rsyslog_start
		dovecot_start
	fi
}

# mx2_create - the other server: a Postfix of its own config_directory, queue
# and log, configured like the lab. The default instance lists it in
# alternate_config_directories only (so that postqueue, set-group-ID, takes
# MAIL_CONFIG=$LAB_MX2_CONF): not a postmulti instance of this machine.
mx2_create() {
	mkdir -p "$LAB_MX2_CONF" "$LAB_MX2_SPOOL" "$LAB_MX2_DATA"
	chown postfix "$LAB_MX2_DATA"
	cp -p "$BACKUP/main.cf" "$BACKUP/master.cf" "$LAB_MX2_CONF/"
	postconf -c "$LAB_MX2_CONF" -e "${LAB_COMMON_SETTINGS[@]}" \
		"queue_directory = $LAB_MX2_SPOOL" \
		"data_directory = $LAB_MX2_DATA" \
		"myhostname = mx2.$LAB_DOMAIN" \
		"mydestination =" \
		"mynetworks = 127.0.0.1/32" \
		"default_transport = smtp" \
		"relay_transport = relay" \
		"cyrus_sasl_config_path = /etc/postfix/sasl"
	postconf -c "$LAB_MX2_CONF" -e "maillog_file = $LAB_LOG_DIR/mx2.log"	# its own log
	smtpd_on_loopback "$LAB_MX2_CONF" "$LAB_MX2_PORT"
	postconf -e "alternate_config_directories = $LAB_MX2_CONF"
	: > "$LAB_LOG_DIR/mx2.log"
	postfix -c "$LAB_MX2_CONF" check
}

mx2_remove() {
	[ -d "$LAB_MX2_CONF" ] || return 0
	stop_postfix "$LAB_MX2_CONF" mx2
	rm -rf "$LAB_MX2_CONF" "$LAB_MX2_SPOOL" "$LAB_MX2_DATA"
}

# sshd_start - an sshd on 127.0.0.1:$LAB_SSH_PORT for root with a key made
# here (no password), whose sessions act on mx2; and an ssh client config
# that knows that key and that host key, nothing else
sshd_start() {
	sshd_stop
	local d=$LAB_SSH_DIR bin
	[ -n "$d" ] || die "no ssh directory"
	bin=$(cd "$LAB_DIR/../.." && pwd)
	mkdir -p "$d/bin" /run/sshd
	chmod 700 "$d"
	ssh-keygen -q -t ed25519 -N '' -f "$d/host_key"
	ssh-keygen -q -t ed25519 -N '' -f "$d/id_ed25519"
	cp "$d/id_ed25519.pub" "$d/authorized_keys"
	{
		echo "ListenAddress 127.0.0.1:$LAB_SSH_PORT"
		echo "HostKey $d/host_key"
		echo "PidFile $d/sshd.pid"
		echo "AuthorizedKeysFile $d/authorized_keys"
		echo "PermitRootLogin prohibit-password"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "UsePAM no"
		echo "StrictModes no"
		echo "SetEnv PATH=$bin:/usr/sbin:/usr/bin:/sbin:/bin MAIL_CONFIG=$LAB_MX2_CONF SPAMTOP_JOURNAL=$d/mx2-journal.jsonl"
	} > "$d/sshd_config"
	printf '[127.0.0.1]:%s %s\n' "$LAB_SSH_PORT" "$(cut -d' ' -f1,2 "$d/host_key.pub")" > "$d/known_hosts"
	{
		echo "Host *"
		echo "	IdentityFile $d/id_ed25519"
		echo "	IdentitiesOnly yes"
		echo "	UserKnownHostsFile $d/known_hosts"
		echo "	GlobalKnownHostsFile /dev/null"
		echo "	StrictHostKeyChecking yes"
	} > "$d/ssh_config"
	printf '#!/bin/sh\nexec /usr/bin/ssh -F %s "$@"\n' "$d/ssh_config" > "$d/bin/ssh"
	chmod +x "$d/bin/ssh"
	/usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log"
	wait_for "sshd to listen on 127.0.0.1:$LAB_SSH_PORT" 10 \
		bash -c "exec 3<>/dev/tcp/127.0.0.1/$LAB_SSH_PORT" 2>/dev/null
}

sshd_stop() {
	[ -s "$LAB_SSH_DIR/sshd.pid" ] && kill "$(cat "$LAB_SSH_DIR/sshd.pid")" 2>/dev/null
	rm -rf "$LAB_SSH_DIR"
	return 0
}

# smtpd_on_loopback CONF PORT - that Postfix's smtpd on 127.0.0.1:PORT only
# (instead of port 25), nothing chrooted
smtpd_on_loopback() {
	postconf -c "$1" -MX smtp/inet
	postconf -c "$1" -M "127.0.0.1:$2/inet=127.0.0.1:$2 inet n - n - - smtpd"
	postconf -c "$1" -F '*/*/chroot = n'
}

# stop_postfix CONF NAME - stops the Postfix of CONF and waits until it has
stop_postfix() {
	postfix -c "$1" stop >/dev/null 2>&1 || true
	wait_for "$2 to stop" 20 bash -c "! postfix -c '$1' status >/dev/null 2>&1"
}

# instance_create - the second instance, as MULTI_INSTANCE_README makes one,
# configured like the lab (loopback, dead relayhost, no DNS, SASL). Its mail
# leaves through the relay transport, whose master.cf entry (copied from
# Debian's) says -o syslog_name=postfix/$service_name: its deliveries are
# logged as postfix/relay, not postfix-out/relay, as on real Debian servers.
instance_create() {
	postmulti -e init
	postmulti -I "$LAB_OUT" -G mta -e create
	postconf -c "$LAB_OUT_CONF" -e "${LAB_COMMON_SETTINGS[@]}" \
		"master_service_disable =" \
		"myhostname = out.$LAB_DOMAIN" \
		"mydestination =" \
		"mynetworks = 127.0.0.1/32" \
		"default_transport = relay" \
		"cyrus_sasl_config_path = /etc/postfix/sasl"
	smtpd_on_loopback "$LAB_OUT_CONF" "$LAB_OUT_PORT"
	postmulti -i "$LAB_OUT" -e enable
	postfix -c "$LAB_OUT_CONF" check
}

# instance_remove - stop and delete the second instance (its registration in
# main.cf goes with the restored copy)
instance_remove() {
	[ -d "$LAB_OUT_CONF" ] || return 0
	stop_postfix "$LAB_OUT_CONF" "$LAB_OUT"
	rm -rf "$LAB_OUT_CONF" "/var/spool/$LAB_OUT" "/var/lib/$LAB_OUT"
}

has_profile() { case " $LAB_PROFILE " in *" $1 "*) return 0 ;; esac; return 1; }

# apply_profile - the LAB_PROFILE settings (see the header)
apply_profile() {
	filter_stop
	has_profile long-ids && postconf -e "enable_long_queue_ids = yes"
	has_profile milter && milter_start
	has_profile filter-pipe && pipe_filter_add
	# Dovecot's submission service may pass its client and account by XCLIENT
	has_profile dovecot-xclient && postconf -e "smtpd_authorized_xclient_hosts = 127.0.0.1"
	local xf=""
	if has_profile proxy-filter; then	# before the queue: the same filter, as an SMTP proxy
		postconf -P "smtp/inet/smtpd_proxy_filter=127.0.0.1:10024"
		filter_start --xforward
		return 0
	elif has_profile filter-xforward; then
		xf=--xforward
	elif ! has_profile filter; then
		return 0
	fi
	postconf -e "content_filter = scan:[127.0.0.1]:10024"
	postconf -M "scan/unix=scan unix - - n - 4 smtp"
	postconf -P "scan/unix/smtp_send_xforward_command=$([ -n "$xf" ] && echo yes || echo no)" \
		"scan/unix/disable_mime_output_conversion=yes"
	filter_start $xf
}

# filter_start [--xforward] - the re-injection smtpd on 127.0.0.1:10025 and
# tests/lab/filter.py on 127.0.0.1:10024 passing mail to it
filter_start() {
	local xf=${1:-}
	postconf -M "127.0.0.1:10025/inet=127.0.0.1:10025 inet n - n - - smtpd"
	postconf -P "127.0.0.1:10025/inet/syslog_name=${LAB_REINJECT_NAME:-postfix/10025}" \
		"127.0.0.1:10025/inet/content_filter=" \
		"127.0.0.1:10025/inet/receive_override_options=no_unknown_recipient_checks,no_header_body_checks" \
		"127.0.0.1:10025/inet/smtpd_sasl_auth_enable=no" \
		"127.0.0.1:10025/inet/mynetworks=127.0.0.0/8" \
		"127.0.0.1:10025/inet/smtpd_relay_restrictions=permit_mynetworks,reject" \
		"127.0.0.1:10025/inet/smtpd_authorized_xforward_hosts=$([ -n "$xf" ] && echo 127.0.0.0/8)"
	python3 "$LAB_DIR/filter.py" 10024 10025 $xf --pidfile "$FILTER_PID" </dev/null >/dev/null 2>&1 &
	wait_for "the content filter to listen on 127.0.0.1:10024" 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/10024' 2>/dev/null
}

# milter_start - the lab's milter (Debian's python3-milter: libmilter), and smtpd_milters naming it
milter_start() {
	/usr/bin/python3 "$LAB_DIR/lab_milter.py" "$LAB_MILTER_PORT" --pidfile "$MILTER_PID" </dev/null >/dev/null 2>&1 &
	wait_for "the milter to listen on 127.0.0.1:$LAB_MILTER_PORT" 10 \
		bash -c "exec 3<>/dev/tcp/127.0.0.1/$LAB_MILTER_PORT" 2>/dev/null
	postconf -e "smtpd_milters = inet:127.0.0.1:$LAB_MILTER_PORT" "milter_default_action = tempfail"
}

# pipe_filter_add - FILTER_README's simple content filter: smtpd's mail goes
# through pipe(8) to tests/lab/pipe-filter.sh (a copy the filter's uid, nobody,
# may run), which re-injects it with sendmail; pickup's mail is not filtered
pipe_filter_add() {
	mkdir -p "$LAB_PIPE_DIR"
	install -m 755 "$LAB_DIR/pipe-filter.sh" "$LAB_PIPE_DIR/pipe-filter.sh"
	postconf -M "pipefilter/unix=pipefilter unix - n n - 10 pipe flags=Rq user=nobody null_sender= \
argv=$LAB_PIPE_DIR/pipe-filter.sh -f \${sender} -- \${recipient}"
	postconf -P "smtp/inet/content_filter=pipefilter:dummy"
}

# rsyslog_start - the lab's syslog daemon on /dev/log, writing mail.* into the
# lab's log in its default file format (Debian 12's /etc/rsyslog.conf sets none)
rsyslog_start() {
	mkdir -p "$LAB_RSYSLOG_DIR"
	# a system syslog's socket (or journald's link) is set aside for the test, and put back by down
	if [ -e /dev/log ] || [ -L /dev/log ]; then
		[ ! -e "$LAB_DEVLOG_SAVED" ] && [ ! -L "$LAB_DEVLOG_SAVED" ] || die "$LAB_DEVLOG_SAVED exists already"
		mv /dev/log "$LAB_DEVLOG_SAVED"
	fi
	cat > "$LAB_RSYSLOG_DIR/rsyslog.conf" <<-EOF
	global(workDirectory="$LAB_RSYSLOG_DIR")
	module(load="imuxsock" SysSock.Name="/dev/log")
	mail.* action(type="omfile" file="$LAB_LOG")
	EOF
	rsyslogd -f "$LAB_RSYSLOG_DIR/rsyslog.conf" -i "$LAB_RSYSLOG_DIR/rsyslogd.pid"
	wait_for "rsyslogd to open /dev/log" 10 test -S /dev/log
}

# dovecot_start - Dovecot's submission service alone, on loopback, relaying to
# Postfix without XCLIENT (submission_relay_trusted = no): Postfix sees
# 127.0.0.1, a mynetworks client, and no account; with it (dovecot-xclient)
# Postfix logs the client and the account
dovecot_start() {
	local d=$LAB_DOVECOT_DIR
	mkdir -p "$d/home"
	chown nobody:nogroup "$d/home"
	printf '%s:{PLAIN}%s\n' "victim@$LAB_DOMAIN" "$LAB_PASS_VICTIM" "alice@$LAB_DOMAIN" "$LAB_PASS_ALICE" > "$d/users"
	chmod 640 "$d/users"
	chgrp dovecot "$d/users"
	: > "$d/deny-users"	# the deny passdb's file, as Debian's auth-deny.conf.ext has it
	chmod 640 "$d/deny-users"
	chgrp dovecot "$d/deny-users"
	cat > "$d/dovecot.conf" <<-EOF
	protocols = submission imap
	listen = 127.0.0.1
	base_dir = $d/run
	state_dir = $d/state
	log_path = $(has_profile dovecot-logfile && echo "$LAB_DOVECOT_LOG" || echo syslog)
	syslog_facility = mail
	ssl = no
	disable_plaintext_auth = no
	auth_mechanisms = plain login
	mail_location = maildir:~/Maildir
	hostname = mail.$LAB_DOMAIN
	submission_relay_host = 127.0.0.1
	submission_relay_port = 25
	submission_relay_trusted = $(has_profile dovecot-xclient && echo yes || echo no)
	passdb {
	  driver = passwd-file
	  deny = yes
	  args = $d/deny-users
	}
	passdb {
	  driver = passwd-file
	  args = scheme=PLAIN username_format=%u $d/users
	}
	userdb {
	  driver = static
	  args = uid=nobody gid=nogroup home=$d/home
	}
	service submission-login {
	  inet_listener submission {
	    address = 127.0.0.1
	    port = $LAB_SUBMISSION_PORT
	  }
	}
	service imap-login {
	  inet_listener imap {
	    address = 127.0.0.1
	    port = $LAB_IMAP_PORT
	  }
	  inet_listener imaps {
	    port = 0
	  }
	}
	EOF
	dovecot -c "$d/dovecot.conf"
	wait_for "Dovecot's submission service on 127.0.0.1:$LAB_SUBMISSION_PORT" 20 \
		bash -c "exec 3<>/dev/tcp/127.0.0.1/$LAB_SUBMISSION_PORT" 2>/dev/null
}

dovecot_stop() {
	local f pid
	for f in "$LAB_DOVECOT_DIR/run/master.pid" "$LAB_RSYSLOG_DIR/rsyslogd.pid"; do
		[ -s "$f" ] || continue
		pid=$(cat "$f")
		kill "$pid" 2>/dev/null || true
		wait_for "process $pid to end" 20 bash -c "! kill -0 $pid 2>/dev/null"
	done
	[ ! -d "$LAB_RSYSLOG_DIR" ] || rm -f /dev/log	# the lab's rsyslogd made it
	if [ -e "$LAB_DEVLOG_SAVED" ] || [ -L "$LAB_DEVLOG_SAVED" ]; then
		rm -f /dev/log
		mv "$LAB_DEVLOG_SAVED" /dev/log
	fi
	rm -rf "$LAB_DOVECOT_DIR" "$LAB_RSYSLOG_DIR"
}

# dovecot-burst N - the compromised account through Dovecot's submission
# service from five addresses, alice twice
cmd_dovecot_burst() {
	need_root
	local n=$1 i before
	before=$(log_count 'Successfully relayed message')
	for i in $(seq 1 "$n"); do
		LAB_SEND_SERVER=127.0.0.1:$LAB_SUBMISSION_PORT spread send "127.0.0.$((30 + i % 5))" \
			"promo$((i % 4))@cheap-pills.example" "buyer$i@victims$((i % 3)).example" \
			--auth PLAIN --auth-user "victim@$LAB_DOMAIN" --auth-password "$LAB_PASS_VICTIM" \
			--header "Subject: Cheap pills $i"
	done
	gather
	for i in 1 2; do
		LAB_SEND_SERVER=127.0.0.1:$LAB_SUBMISSION_PORT send 127.0.0.40 "alice@$LAB_DOMAIN" \
			"partner$i@remote.example" \
			--auth LOGIN --auth-user "alice@$LAB_DOMAIN" --auth-password "$LAB_PASS_ALICE" \
			--header "Subject: minutes $i"
	done
	# brute force against the account's password, through Dovecot: Postfix never sees it.
	# At once, as a bot does: Dovecot delays an address's next try after a failure.
	for i in 1 2 3; do
		LAB_SEND_SERVER=127.0.0.1:$LAB_SUBMISSION_PORT send 127.0.0.67 "x@$LAB_DOMAIN" "y@remote.example" \
			--quit-after AUTH --auth PLAIN --auth-user "victim@$LAB_DOMAIN" --auth-password "guess$i" \
			2>/dev/null &
	done
	wait
	wait_for "Dovecot to log $((n + 2)) relays" 30 log_has 'Successfully relayed message' $((before + n + 2))
	wait_for "Dovecot to log 3 failed logins" 30 log_has 'submission-login: .*Disconnected.*auth failed.*rip=127.0.0.67' 3
}

# imap_login FROM USER PASSWORD HOW - one IMAP LOGIN to Dovecot from address
# FROM; HOW: logout (LOGOUT after the answer) or close (just hang up).
# Exit 0 when the password was taken.
imap_login() {
	/usr/bin/python3 - "$@" "$LAB_IMAP_PORT" <<-'EOF'
	import imaplib, socket, sys
	src, user, password, how, port = sys.argv[1:6]
	class Client(imaplib.IMAP4):
	    def _create_socket(self, timeout):
	        return socket.create_connection((self.host, self.port), timeout, source_address=(src, 0))
	c = Client("127.0.0.1", int(port), timeout=60)
	try:
	    c.login(user, password)
	    taken = True
	except imaplib.IMAP4.error:
	    taken = False
	if how == "logout":
	    c.logout()
	else:
	    c.shutdown()
	sys.exit(0 if taken else 1)
	EOF
}

# imap-break-in - a password guessed at IMAP: three wrong ones at once, as a
# bot tries them, then the right one, from the same address
cmd_imap_break_in() {
	need_root
	local ip=127.0.0.68 i before
	before=$(log_count "imap-login: .*rip=$ip,")
	for i in 1 2 3; do
		imap_login "$ip" "victim@$LAB_DOMAIN" "guess$i" "$([ "$i" = 1 ] && echo logout || echo close)" &
	done
	wait
	wait_for "Dovecot to log 3 failed IMAP logins" 30 log_has "imap-login: .*auth failed.*rip=$ip," $((before + 3))
	imap_login "$ip" "victim@$LAB_DOMAIN" "$LAB_PASS_VICTIM" logout
	wait_for "Dovecot to log the IMAP login" 30 log_has "imap-login: .*Login: user=<victim@$LAB_DOMAIN>.*rip=$ip," 1
}

# imap-old-password - a phone with an old password where its account logs in
# (no one guesses): alice's laptop logs in from 127.0.0.69, then her phone
# there fails three times
cmd_imap_old_password() {
	need_root
	local ip=127.0.0.69 i before
	before=$(log_count "imap-login: .*auth failed.*rip=$ip,")
	imap_login "$ip" "alice@$LAB_DOMAIN" "$LAB_PASS_ALICE" logout
	wait_for "Dovecot to log alice's IMAP login" 30 log_has "imap-login: .*Login: user=<alice@$LAB_DOMAIN>.*rip=$ip," 1
	for i in 1 2 3; do
		imap_login "$ip" "alice@$LAB_DOMAIN" "alice-old-secret" close &
	done
	wait
	wait_for "Dovecot to log 3 failed IMAP logins" 30 log_has "imap-login: .*auth failed.*rip=$ip," $((before + 3))
}

filter_stop() {
	local f
	for f in "$FILTER_PID" "$REFUSER_PID" "$MILTER_PID"; do
		[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null
		rm -f "$f"
	done
	return 0
}

# send FROM-IP ENVELOPE-FROM RCPT [swaks options...] - to the default instance's
# smtpd, or to LAB_SEND_SERVER
send() {
	local li=$1 from=$2 to=$3; shift 3
	swaks --server "${LAB_SEND_SERVER:-127.0.0.1:25}" --li "$li" --from "$from" --to "$to" \
		--helo "host-${li//./-}.$LAB_DOMAIN" --silent 2 "$@" >/dev/null
}

# send_as_victim FROM-IP ENVELOPE-FROM RCPT [swaks options...] - send, over SMTP
# AUTH LOGIN as the compromised account, with its guessed password
send_as_victim() {
	local li=$1 from=$2 to=$3; shift 3
	send "$li" "$from" "$to" --auth LOGIN --auth-user "victim@$LAB_DOMAIN" --auth-password "$LAB_PASS_VICTIM" "$@"
}

# spread CMD... - CMD in the background, at most three at a time (swaks is
# mostly Perl's start: two cores send a burst in half the time); gather
# waits for the rest. A failed send fails the gathering.
SPREAD_PIDS=()
spread() {
	"$@" &
	SPREAD_PIDS+=($!)
	[ ${#SPREAD_PIDS[@]} -lt 3 ] || gather
}
gather() {
	local pid rc=0
	for pid in "${SPREAD_PIDS[@]}"; do
		wait "$pid" || rc=1
	done
	SPREAD_PIDS=()
	return $rc
}

# log_count PATTERN - the lines of the lab's logs (the mail log, Dovecot's own file) matching it
log_count() { cat "$LAB_LOG" "$LAB_DOVECOT_LOG" 2>/dev/null | grep -c -- "$1" || true; }
# log_has PATTERN N - the lab's logs hold N lines matching PATTERN (for wait_for)
log_has() { [ "$(log_count "$1")" -ge "$2" ]; }

cmd_outbreak() {
	need_root
	local i
	# Normal traffic: alice (authenticated) to a remote and a local recipient.
	for i in 1 2 3; do
		send 127.0.0.1 "alice@$LAB_DOMAIN" "partner$i@remote.example" \
			--auth LOGIN --auth-user "alice@$LAB_DOMAIN" --auth-password "$LAB_PASS_ALICE" \
			--header "Subject: quarterly report $i"
	done
	# Brute force against victim's password from one address: 3 failures ...
	for i in 1 2 3 4; do
		send 127.0.0.66 "x@$LAB_DOMAIN" "y@remote.example" --quit-after AUTH \
			--auth LOGIN --auth-user "victim@$LAB_DOMAIN" --auth-password "guess$i" 2>/dev/null || true
	done
	# ... then the compromised account sends a burst from several addresses,
	# with sender domains that are not ours and many recipients.
	for i in $(seq 1 24); do
		spread send_as_victim "127.0.0.$((10 + i % 5))" "promo$((i % 4))@cheap-pills.example" \
			"buyer$i@victims$((i % 3)).example,extra$i@victims$((i % 3)).example" \
			--header "Subject: Cheap pills $i"
	done
	gather
	# A trusted relay host (127.0.0.2 is in mynetworks) relays without AUTH,
	# some of it with the null sender.
	for i in $(seq 1 12); do
		local from="offers@bulk-mailer.example"
		[ $((i % 3)) -eq 0 ] && from="<>"
		spread send 127.0.0.2 "$from" "target$i@elsewhere.example" --header "Subject: Winner $i"
	done
	gather
	# A rejected relay attempt from an outsider.
	send 127.0.0.77 "spam@outside.example" "someone@elsewhere.example" || true
	# Mail to a local user, delivered at once.
	send 127.0.0.1 "alice@$LAB_DOMAIN" "postmaster@$LAB_DOMAIN" \
		--auth LOGIN --auth-user "alice@$LAB_DOMAIN" --auth-password "$LAB_PASS_ALICE"
	# 3 + 24 + 12 + 1 = 40 messages accepted; 39 are deferred at the dead relayhost.
	wait_settled 40 39
}

# wait_settled MESSAGES DEFERRED - until Postfix has logged them all (with a
# content filter, each message is logged twice: the original, then its copy)
wait_settled() {
	local msgs=$1 deferred=$2 n=$1
	if has_profile filter || has_profile filter-xforward; then
		n=$((msgs * 2))
		wait_for "$msgs re-injections in the log" 60 log_has 'status=sent.*queued as' "$msgs"
	fi
	wait_for "$n messages in the log" 30 log_has 'qmgr.*: from=' "$n"
	wait_for "$deferred deferrals in the log" 60 log_has 'status=deferred' "$deferred"
	wait_for "the local delivery" 30 bash -c "grep -q 'relay=local, .*status=sent' '$LAB_LOG'"
}

# burst N [no-message-id] - N more messages of the compromised account, from one
# address; with no-message-id, their headers have no Message-ID (as much spam's)
cmd_burst() {
	need_root
	local n=$1 i before
	before=$(log_count 'status=deferred')
	for i in $(seq 1 "$n"); do
		if [ "${2:-}" = no-message-id ]; then
			spread send_as_victim 127.0.0.15 "promo@cheap-pills.example" "bulk$i@victims9.example" \
				--no-data-fixup --data "$(printf 'From: <promo@cheap-pills.example>\r\nSubject: Burst %s\r\n\r\nNo Message-ID here.\r\n.\r\n' "$i")"
		else
			spread send_as_victim 127.0.0.15 "promo@cheap-pills.example" "bulk$i@victims9.example" \
				--header "Subject: Burst $i"
		fi
	done
	gather
	wait_for "$n more deferrals" 120 log_has 'status=deferred' $((before + n))
}

# forged-auth [N] - an outsider (127.0.0.99), never authenticated, whose MAIL FROM AUTH= value
# reads like fields of the client= line (Postfix logs it as sasl_sender=)
cmd_forged_auth() {
	need_root
	local n=${1:-3} i before
	before=$(log_count 'relay=local, .*status=sent')
	python3 - "$n" "$LAB_DOMAIN" <<'PY'
import smtplib, sys
n, domain = int(sys.argv[1]), sys.argv[2]
for i in range(1, n + 1):
    s = smtplib.SMTP("127.0.0.1", 25, source_address=("127.0.0.99", 0))
    s.ehlo("framer.example")
    s.mail("framer%d@outside.example" % i,
           ['AUTH="x, sasl_method=LOGIN, sasl_username=alice@%s, y"' % domain])
    s.rcpt("postmaster@" + domain)
    s.data("Subject: framed %d\r\n\r\nhi\r\n" % i)
    s.quit()
PY
	wait_for "$n framed messages delivered" 30 log_has 'relay=local, .*status=sent' $((before + n))
}

# out-burst N - N messages of the compromised account through the second
# instance, from one address; they wait in that instance's queue
cmd_out_burst() {
	need_root
	local n=$1 i before
	before=$(log_count 'relay=none.*status=deferred')
	for i in $(seq 1 "$n"); do
		LAB_SEND_SERVER="127.0.0.1:$LAB_OUT_PORT" spread send_as_victim 127.0.0.16 "promo@cheap-pills.example" "out$i@victims8.example" \
			--header "Subject: Out $i"
	done
	gather
	wait_for "$n more deferrals from $LAB_OUT" 60 log_has 'relay=none.*status=deferred' $((before + n))
}

# mx2-burst N - N messages of the compromised account through the other
# server, from one address; they wait in its queue
cmd_mx2_burst() {
	need_root
	local n=$1 i before mx2_log=$LAB_LOG_DIR/mx2.log
	before=$(grep -c 'status=deferred' "$mx2_log" || true)
	for i in $(seq 1 "$n"); do
		LAB_SEND_SERVER="127.0.0.1:$LAB_MX2_PORT" spread send_as_victim 127.0.0.17 "promo@cheap-pills.example" "far$i@victims7.example" \
			--header "Subject: Far $i"
	done
	gather
	wait_for "$n more deferrals on mx2" 60 bash -c "[ \$(grep -c 'status=deferred' '$mx2_log') -ge $((before + n)) ]"
}

# webapp N - N messages from a web application's user through sendmail
cmd_webapp() {
	need_root
	local n=$1 i before deferred
	before=$(log_count 'postfix/pickup.*: uid=33 ') deferred=$(log_count 'to=<lead.*status=deferred')
	for i in $(seq 1 "$n"); do
		printf 'To: lead%d@prospects%d.example\nSubject: Your invoice %d\nX-PHP-Originating-Script: 33:wp-content/uploads/x.php\n\nhello\n' \
			"$i" $((i % 4)) "$i" |
			setpriv --reuid=33 --regid=33 --clear-groups /usr/sbin/sendmail -t -f "noreply@$LAB_DOMAIN"
	done
	wait_for "$n pickups from uid 33" 30 log_has 'postfix/pickup.*: uid=33 ' $((before + n))
	wait_for "$n of them deferred" 60 log_has 'to=<lead.*status=deferred' $((deferred + n))
}

# refuser_up - tests/lab/refuser.py listening (started once)
refuser_up() {
	if ! bash -c "exec 3<>/dev/tcp/127.0.0.1/$LAB_REFUSER_PORT" 2>/dev/null; then
		python3 "$LAB_DIR/refuser.py" "$LAB_REFUSER_PORT" --pidfile "$REFUSER_PID" </dev/null >/dev/null 2>&1 &
	fi
	wait_for "the refuser to listen on 127.0.0.1:$LAB_REFUSER_PORT" 10 \
		bash -c "exec 3<>/dev/tcp/127.0.0.1/$LAB_REFUSER_PORT" 2>/dev/null
}

# blocklisted N - the compromised account's mail to providers that refuse it
cmd_blocklisted() {
	need_root
	local n=$1 i d before
	refuser_up
	local to="smtp:[127.0.0.1]:$LAB_REFUSER_PORT"
	postconf -e "transport_maps = inline:{gmail.example=$to, outlook.example=$to, dnsbl.example=$to}"
	postfix reload >/dev/null 2>&1
	before=$(log_count "relay=127.0.0.1\\[127.0.0.1\\]:$LAB_REFUSER_PORT")
	for i in $(seq 1 "$n"); do
		for d in gmail.example outlook.example dnsbl.example; do
			spread send_as_victim 127.0.0.14 "promo@cheap-pills.example" "lead$i@$d" \
				--header "Subject: Offer $i"
		done
	done
	gather
	wait_for "$((n * 3)) refusals" 60 log_has "relay=127.0.0.1\\[127.0.0.1\\]:$LAB_REFUSER_PORT" $((before + n * 3))
}

# gateway N [transport] - the server as a gateway for gateway.example
# (relay_domains: its mail leaves by the relay transport, to the dead
# relayhost here, where a real gateway has its server inside); an outside MX,
# 127.0.0.80, sends N messages for the domain's users, unauthenticated as
# every MX does. With "transport", a spam-filter gateway's setup: the domain
# is inside.example, listed in a relay_domains hash table, and transport_maps
# hand its mail over smtp to the server inside (the refuser, which answers
# 450 "mailbox busy"); the outside MX is 127.0.0.81.
cmd_gateway() {
	need_root
	local n=$1 how=${2:-relay} i before dom=gateway.example mx=127.0.0.80
	if [ "$how" = transport ]; then
		dom=inside.example mx=127.0.0.81
		refuser_up
		printf '%s OK\n' "$dom" > "$LAB_LOG_DIR/relay-domains"
		postmap "hash:$LAB_LOG_DIR/relay-domains"
		postconf -e "relay_domains = gateway.example, hash:$LAB_LOG_DIR/relay-domains" \
			"transport_maps = $(postconf -h transport_maps) inline:{$dom=smtp:[127.0.0.1]:$LAB_REFUSER_PORT}"
	else
		postconf -e "relay_domains = gateway.example"
	fi
	postfix reload >/dev/null 2>&1
	before=$(log_count "to=<user[0-9]*@${dom//./\\.}>.*status=deferred")
	for i in $(seq 1 "$n"); do
		spread send "$mx" "news@bigsender.example" "user$i@$dom"
	done
	gather
	wait_for "$n deferrals of $dom's mail" 30 \
		log_has "to=<user[0-9]*@${dom//./\\.}>.*status=deferred" $((before + n))
}

# mailbox-pipe N - mail for mbox.example (a relay domain here) goes by
# transport_maps to a pipe(8) service, mboxprog, whose program takes it as
# dovecot-lda or maildrop would (dd into /dev/null, as nobody); an outside
# MX, 127.0.0.82, sends N messages, each logged "delivered via mboxprog service"
cmd_mailbox_pipe() {
	need_root
	local n=$1 i before
	postconf -M mboxprog/unix='mboxprog unix - n n - - pipe user=nobody argv=/bin/dd of=/dev/null status=none'
	postconf -e "relay_domains = $(postconf -h relay_domains) mbox.example" \
		"transport_maps = $(postconf -h transport_maps) inline:{mbox.example=mboxprog:}"
	postfix reload >/dev/null 2>&1
	before=$(log_count 'status=sent (delivered via mboxprog service)')
	for i in $(seq 1 "$n"); do
		spread send 127.0.0.82 "news@bigsender.example" "user$i@mbox.example"
	done
	gather
	wait_for "$n deliveries through the pipe" 30 log_has 'status=sent (delivered via mboxprog service)' $((before + n))
}

# milter-burst H R D - the compromised account's H messages the milter holds, R it refuses, D it drops
cmd_milter_burst() {
	need_root
	local h=$1 r=$2 d=$3 i held refused dropped
	held=$(log_count 'milter-hold: END-OF-MESSAGE')
	refused=$(log_count 'milter-reject: END-OF-MESSAGE')
	dropped=$(log_count 'milter-discard: END-OF-MESSAGE')
	for i in $(seq 1 "$h"); do
		send_as_victim 127.0.0.16 "promo@cheap-pills.example" "held$i@victims9.example" \
			--header "Subject: [hold] Offer $i"
	done
	for i in $(seq 1 "$r"); do	# refused at the end of DATA: swaks says so, as it should
		send_as_victim 127.0.0.16 "promo@cheap-pills.example" "refused$i@victims9.example" \
			--header "Subject: [reject] Offer $i" || true
	done
	for i in $(seq 1 "$d"); do
		send_as_victim 127.0.0.16 "promo@cheap-pills.example" "dropped$i@victims9.example" \
			--header "Subject: [discard] Offer $i"
	done
	wait_for "$h milter holds" 30 log_has 'milter-hold: END-OF-MESSAGE' $((held + h))
	wait_for "$d milter discards" 30 log_has 'milter-discard: END-OF-MESSAGE' $((dropped + d))
	wait_for "$r milter refusals" 30 log_has 'milter-reject: END-OF-MESSAGE' $((refused + r))
}

# queue_empty - the stopped Postfix's queue files removed (postsuper -d ALL
# with Postfix stopped waits a second for postlogd, twice, to log it)
queue_empty() {
	local q
	for q in incoming active deferred hold maildrop defer bounce trace corrupt; do
		rm -rf "/var/spool/postfix/$q"/*
	done
}

cmd_down() {
	need_root
	postfix stop >/dev/null 2>&1 || true
	instance_remove
	mx2_remove
	sshd_stop
	filter_stop
	dovecot_stop
	rm -rf "$LAB_PIPE_DIR"
	wait_for "postfix to stop" 20 bash -c '! postfix status >/dev/null 2>&1'
	queue_empty
	if [ -d "$BACKUP" ]; then
		cp -p "$BACKUP/main.cf" "$BACKUP/master.cf" /etc/postfix/
		rm -rf "$BACKUP"
	fi
	rm -f /etc/postfix/main.cf.spamtop-*	# the cleanup wizard's copies
}

case "${1:-}" in
install) cmd_install ;;
up) cmd_up ;;
outbreak) cmd_outbreak ;;
burst) cmd_burst "${2:?burst N}" "${3:-}" ;;
forged-auth) cmd_forged_auth "${2:-3}" ;;
out-burst) cmd_out_burst "${2:?out-burst N}" ;;
mx2-burst) cmd_mx2_burst "${2:?mx2-burst N}" ;;
ssh-dir) echo "$LAB_SSH_DIR" ;;
webapp) cmd_webapp "${2:?webapp N}" ;;
blocklisted) cmd_blocklisted "${2:?blocklisted N}" ;;
gateway) cmd_gateway "${2:?gateway N [transport]}" "${3:-relay}" ;;
mailbox-pipe) cmd_mailbox_pipe "${2:?mailbox-pipe N}" ;;
milter-burst) cmd_milter_burst "${2:?milter-burst H R D}" "${3:?milter-burst H R D}" "${4:?milter-burst H R D}" ;;
dovecot-burst) cmd_dovecot_burst "${2:?dovecot-burst N}" ;;
imap-break-in) cmd_imap_break_in ;;
imap-old-password) cmd_imap_old_password ;;
down) cmd_down ;;
log) echo "$LAB_LOG" ;;
*) echo "usage: $0 install|up|outbreak|burst N|forged-auth [N]|out-burst N|mx2-burst N|ssh-dir|webapp N|blocklisted N|gateway N [transport]|mailbox-pipe N|milter-burst H R D|dovecot-burst N|imap-break-in|imap-old-password|down|log" >&2; exit 2 ;;
esac
