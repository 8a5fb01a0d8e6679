#!/usr/bin/env bash
# tests/cli/run.sh SPAMTOP [SANITIZER-SPAMTOP] - the command line, end to end, on
# the recorded real capture and on hostile input. Prints "cli: N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
bin=$1
san=${2:-$1}
fixture=tests/fixtures/lab-outbreak.log
tmp=$(mktemp -d /tmp/spamtop-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. tests/check-lib.sh	# check NAME FUNCTION: every line of a test counts (set -e)
. tests/journal-lib.sh

report_json_names_victim_first() {
	"$bin" --report --json "$fixture" > "$tmp/r.json" &&
	[ "$(jq -r '.suspects[0].key' "$tmp/r.json")" = victim@lab.example ] &&
	[ "$(jq -r '.suspects[] | select(.kind=="trusted_relay") | .key' "$tmp/r.json")" = 127.0.0.2 ] &&
	[ "$(jq '.sasl_users[0].messages' "$tmp/r.json")" = 24 ]
}

text_report_lists_suspects_and_tables() {
	"$bin" --report "$fixture" > "$tmp/r.txt" &&
	grep -q '^Suspects: 3$' "$tmp/r.txt" &&
	grep -q 'sasl_user *victim@lab.example' "$tmp/r.txt" &&
	grep -q '^SASL users (2 of 2' "$tmp/r.txt"
}

stdin_dash_reads_the_same_as_the_file() {
	"$bin" --report --json "$fixture" | jq -c .totals > "$tmp/a" &&
	"$bin" --report --json - < "$fixture" | jq -c .totals > "$tmp/b" &&
	cmp -s "$tmp/a" "$tmp/b"
}

gz_rotated_file_reads_the_same_as_plain() {
	gzip -c "$fixture" > "$tmp/mail.log.2.gz" &&
	"$bin" --report --json "$tmp/mail.log.2.gz" | jq -c .totals > "$tmp/b" &&
	"$bin" --report --json "$fixture" | jq -c .totals > "$tmp/a" &&
	cmp -s "$tmp/a" "$tmp/b"
}

missing_file_is_reported_and_the_rest_still_read() {
	local rc=0
	"$bin" --report --json "$tmp/nope.log" "$fixture" > "$tmp/r.json" 2> "$tmp/err" || rc=$?
	[ $rc -eq 1 ] && grep -q "cannot open $tmp/nope.log: No such file or directory" "$tmp/err" &&
	[ "$(jq .totals.messages "$tmp/r.json")" = 40 ]
}

bad_top_value_is_a_usage_error() {
	local rc=0
	"$bin" --report --top lots "$fixture" > /dev/null 2> "$tmp/err" || rc=$?
	[ $rc -eq 2 ] && grep -q -- '--top wants a number' "$tmp/err"
}

random_bytes_are_counted_not_fatal() {
	head -c 2000000 /dev/urandom > "$tmp/garbage" &&
	"$san" --report --json "$tmp/garbage" > "$tmp/r.json" &&
	[ "$(jq .input.malformed_lines "$tmp/r.json")" -gt 0 ] &&
	[ "$(jq .input.postfix_lines "$tmp/r.json")" = 0 ]
}

hostile_text_never_reaches_the_terminal_raw() {
	printf 'Nov 24 10:00:00 mx postfix/smtpd[1]: 1A2B3C4D5E: client=x[192.0.2.1], sasl_method=LOGIN, sasl_username=\033]0;pwn\007\033[2J\n' > "$tmp/hostile.log" &&
	printf 'Nov 24 10:00:01 mx postfix/qmgr[2]: 1A2B3C4D5E: from=<\342\200\256x\033[31m@evil.example>, size=1, nrcpt=1 (queue active)\n' >> "$tmp/hostile.log" &&
	"$san" --report "$tmp/hostile.log" > "$tmp/r.txt" &&
	! LC_ALL=C grep -q $'\033' "$tmp/r.txt" && ! LC_ALL=C grep -q $'\007' "$tmp/r.txt" &&
	! grep -q $'\342\200\256' "$tmp/r.txt" && grep -q '\\x1b\]0;pwn\\x07' "$tmp/r.txt"
}

one_megabyte_line_and_truncated_last_line_are_survived() {
	{ cat "$fixture"; printf 'Nov 24 10:00:01 mx postfix/qmgr[2]: 1A2B3C4D5E: from=<'; head -c 1100000 /dev/zero | tr '\0' a; printf '@x>, size=1, nrcpt=1 (queue active)\n'; printf 'Nov 24 10:00:02 mx postfix/smtpd[1]: conn'; } > "$tmp/long.log" &&
	"$san" --report --json "$tmp/long.log" > "$tmp/r.json" &&
	[ "$(jq .input.partial_last_lines "$tmp/r.json")" = 1 ] &&
	[ "$(jq .input.fields_cut "$tmp/r.json")" = 1 ] &&
	[ "$(jq .totals.messages "$tmp/r.json")" = 41 ]
}

help_and_version_describe_the_program() {
	"$bin" --help | grep -q -- '--report' && "$bin" --help | grep -q -- '--sasl-user' &&
	"$bin" --version | grep -q '^spamtop [0-9]' &&
	for cmd in cleanup block unblock check metrics queue hold release requeue delete report; do
		# each command's own help: its synopsis, not another command's
		"$bin" "$cmd" --help > "$tmp/h1" && "$bin" help "$cmd" > "$tmp/h2" && cmp -s "$tmp/h1" "$tmp/h2" &&
		grep -qE "^ +spamtop ([a-z|]*\\|)?$cmd(\\||\b)" "$tmp/h1" || { echo "$cmd --help"; cat "$tmp/h1"; return 1; }
		if [ "$cmd" != check ] && [ "$cmd" != metrics ] && grep -qE '^ +spamtop check ' "$tmp/h1"; then
			echo "$cmd --help shows check's synopsis"; return 1
		fi
	done
	# --help after other options too (git's way), and it runs nothing
	"$bin" queue --summary --help | grep -q 'spamtop queue' || { echo "queue --summary --help"; return 1; }
	"$bin" delete --sasl-user x --yes --help | grep -q 'spamtop hold|release' || { echo "delete ... --help"; return 1; }
	# spamtop --help lists every command of the table with a summary
	for cmd in cleanup report queue 'hold|release|requeue|delete' 'block|unblock' check metrics; do
		"$bin" --help | grep -qF "  $cmd " || { echo "not listed: $cmd"; return 1; }
	done
	local rc=0
	"$bin" help no-such-command 2> "$tmp/e" || rc=$?
	[ $rc -eq 2 ] && grep -q 'no command no-such-command' "$tmp/e"
}

# the shipped bash completion is the one the command table makes: every
# command and each one's options come from the words of its help
bash_completion_is_made_from_the_command_table() {
	"$bin" --bash-completion | cmp - contrib/spamtop.bash-completion
	bash -n contrib/spamtop.bash-completion
	grep -q '^	metrics) opts=".*--format.*--whole-log' contrib/spamtop.bash-completion
	grep -q '^	queue) opts="--json --summary --log --journald" ;;$' contrib/spamtop.bash-completion
	( . contrib/spamtop.bash-completion
	  COMP_WORDS=(spamtop del); COMP_CWORD=1; _spamtop; [ "${COMPREPLY[*]}" = delete ]
	  COMP_WORDS=(spamtop check --who); COMP_CWORD=2; _spamtop; [ "${COMPREPLY[*]}" = --whole-log ] )
}

# fake_postqueue N | fail: a stand-in postqueue -j listing N deferred messages, or failing
fake_postqueue() {
	mkdir -p "$tmp/bin"
	if [ "$1" = fail ]; then
		printf '#!/bin/sh\necho "postqueue: fatal: Queue report unavailable - mail system is down" >&2\nexit 69\n' > "$tmp/bin/postqueue"
	else
		printf '#!/bin/sh\ni=0\nwhile [ $i -lt %d ]; do printf '"'"'{"queue_name": "deferred", "queue_id": "%%05X1A2B3", "arrival_time": 1, "message_size": 400, "sender": "s@x.example", "recipients": [{"address": "r@y.example"}]}\\n'"'"' $i; i=$((i+1)); done\n' "$1" > "$tmp/bin/postqueue"
	fi
	printf '#!/bin/sh\necho "-               -               y         /etc/postfix"\n' > "$tmp/bin/postmulti"
	chmod +x "$tmp/bin/postqueue" "$tmp/bin/postmulti"	# one instance, whatever this machine runs
}

# check_status N EXPECTED-RC PATTERN ARGS...: spamtop check against a queue of N
check_status() {
	local n=$1 want=$2 pattern=$3 rc=0; shift 3
	fake_postqueue "$n"
	PATH="$tmp/bin:$PATH" "$san" check --log /dev/null "$@" > "$tmp/check.out" 2>&1 || rc=$?
	cat "$tmp/check.out"
	[ $rc -eq "$want" ] && [ "$(wc -l < "$tmp/check.out")" = 1 ] && grep -qE -- "$pattern" "$tmp/check.out"
}

check_plugin_returns_each_state() {
	check_status 10 0 '^SPAMTOP OK - 10 queued, nothing over its threshold \| queue=10;100;200;0; deferred=10;100;500;0; ' &&
	check_status 150 1 '^SPAMTOP WARNING - messages in the queue 150 >= 100; messages in the deferred queue 150 >= 100 \|' &&
	check_status 250 2 '^SPAMTOP CRITICAL - messages in the queue 250 >= 200; ' &&
	check_status fail 3 '^SPAMTOP UNKNOWN - cannot read the queue: postqueue -j failed: postqueue: fatal: Queue report unavailable' &&
	check_status 10 2 '^SPAMTOP CRITICAL - messages in the queue 10 >= 5 ' --set queue=2,5 &&
	check_status 10 3 '' --window 99m &&
	{ local rc=0; "$san" check --no-queue --log "$tmp/nope.log" > "$tmp/unk" || rc=$?	# never "OK" with status 3,
	  [ $rc = 3 ] && grep -qx 'SPAMTOP UNKNOWN - cannot open .*nope.log: No such file or directory' "$tmp/unk"; } &&
	# and no zeros graphed for a log not read: only the queue's values, which were read
	{ fake_postqueue 10; local rc=0
	  PATH="$tmp/bin:$PATH" "$san" check --log "$tmp/nope.log" > "$tmp/unk" || rc=$?
	  [ $rc = 3 ] && grep -qE '^SPAMTOP UNKNOWN - .*nope.log.* \| queue=10;100;200;0; deferred=10;100;500;0;$' "$tmp/unk"; }
}

# metrics of a log it could not read writes nothing (counters of nothing would fall to 0:
# a scraper sees a reset, then a burst) and keeps the last --output file as it was
metrics_of_an_unreadable_log_writes_nothing_and_keeps_the_last_file() {
	"$san" metrics --no-queue --log "$fixture" --output "$tmp/node.prom" || return 1
	grep -q '^spamtop_sasl_user_messages_total{user="victim@lab.example"} 24$' "$tmp/node.prom" || return 1
	cp "$tmp/node.prom" "$tmp/node.before"
	local rc=0
	"$san" metrics --no-queue --log "$tmp/nope.log" --output "$tmp/node.prom" 2> "$tmp/err" || rc=$?
	[ $rc = 1 ] && cmp "$tmp/node.prom" "$tmp/node.before" && grep -q 'no metrics written (the last file is kept)' "$tmp/err" &&
	[ -z "$("$san" metrics --no-queue --log "$tmp/nope.log" 2>/dev/null)" ]
}

check_reads_thresholds_from_the_config_file() {
	mkdir -p "$tmp/xdg/spamtop" &&
	printf 'queue = 5 8\nbogus = 1 2\n' > "$tmp/xdg/spamtop/config" &&
	fake_postqueue 10 &&
	{ XDG_CONFIG_HOME="$tmp/xdg" PATH="$tmp/bin:$PATH" "$san" check --log /dev/null > "$tmp/o" 2> "$tmp/e"; [ $? -eq 2 ]; } &&
	grep -q '^SPAMTOP CRITICAL - messages in the queue 10 >= 8' "$tmp/o" &&
	grep -q "spamtop/config:2: unknown threshold 'bogus'" "$tmp/e"
}

metrics_output_is_replaced_atomically() {
	fake_postqueue 3 &&
	PATH="$tmp/bin:$PATH" "$san" metrics --log "$fixture" --output "$tmp/spamtop.prom" &&
	grep -q '^spamtop_queue_messages{queue="deferred"} 3$' "$tmp/spamtop.prom" &&
	grep -q '^spamtop_sasl_user_messages_total{user="victim@lab.example"} 24$' "$tmp/spamtop.prom" &&
	[ -z "$(ls "$tmp" | grep '^spamtop\.prom\.')" ] &&
	PATH="$tmp/bin:$PATH" "$san" metrics --format influx --no-queue --log "$fixture" | grep -q '^spamtop_queue_up value=0i [0-9]*$'
}

since_keeps_only_the_recent_lines_and_counts_the_rest() {
	local old new
	old=$(date -d '-3 hours' '+%b %e %H:%M:%S') new=$(date -d '-10 minutes' '+%b %e %H:%M:%S')
	{ echo "$old mx postfix/smtpd[1]: 1A2B3C4D5E: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=old@x.example"
	  echo "$new mx postfix/smtpd[1]: 2B3C4D5E6F: client=unknown[192.0.2.2], sasl_method=LOGIN, sasl_username=new@x.example"
	} > "$tmp/since.log"
	"$bin" --report --json --since 1h "$tmp/since.log" > "$tmp/r.json"
	[ "$(jq -r '[.sasl_users[].key] | join(",")' "$tmp/r.json")" = new@x.example ]
	[ "$(jq .input.before_since_lines "$tmp/r.json")" = 1 ]
	"$bin" --report --since 4h "$tmp/since.log" | grep -q '^spamtop report: 2 lines (2 Postfix, 0 other, 0 malformed)$'
	"$bin" --report --since 1h "$tmp/since.log" | grep -q ', 1 before --since)$'
	if "$bin" --report --since 1week "$tmp/since.log" 2> "$tmp/err"; then return 1; fi
	grep -q -- '--since wants a duration' "$tmp/err"
}

check "--since keeps only the recent lines and counts the rest" since_keeps_only_the_recent_lines_and_counts_the_rest
ten_gigabyte_sparse_file_is_read_through_and_counted() {
	printf 'Nov 24 10:00:00 mx postfix/smtpd[1]: 1A2B3C4D5E: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=first@x.example\n' > "$tmp/sparse.log"
	truncate -s 10G "$tmp/sparse.log"	# 10 GB of NUL bytes, no newline: one over-long line
	printf '\nNov 24 10:00:01 mx postfix/smtpd[1]: 2B3C4D5E6F: client=unknown[192.0.2.2], sasl_method=LOGIN, sasl_username=last@x.example\n' >> "$tmp/sparse.log"
	"$bin" --report --json "$tmp/sparse.log" > "$tmp/r.json"
	rm -f "$tmp/sparse.log"
	jq -e '.input.bytes == 10737418365 and .input.long_lines == 1 and .input.lines == 3' "$tmp/r.json"
	[ "$(jq -r '[.sasl_users[].key] | sort | join(",")' "$tmp/r.json")" = first@x.example,last@x.example ]
}

check "a 10 GB sparse file is read through: both its lines found, every byte counted" ten_gigabyte_sparse_file_is_read_through_and_counted
check_reads_the_last_hour_of_a_big_log() {
	# two hours ago one user logs in from 8 IPs, ten minutes ago from one of them again;
	# between, ~10 MB of other lines: within the last hour the user has one IP
	local now start t stamp line
	now=$(date +%s) start=$((now - 7200))
	line=' mx postfix/anvil[2]: statistics: max connection rate 1/60s for (smtp:192.0.2.1) at Nov 24 09:00:00 padding'
	for t in $(seq "$start" "$now"); do
		printf -v stamp '%(%b %e %H:%M:%S)T' "$t"
		if [ "$t" = "$start" ] || [ "$t" = $((now - 600)) ]; then
			for i in 1 2 3 4 5 6 7 8; do
				[ "$t" = "$start" ] || [ $i = 1 ] || continue
				printf '%s mx postfix/smtpd[1]: %05X%05X: client=unknown[198.51.100.%d], sasl_method=LOGIN, sasl_username=roamer@x.example\n' "$stamp" $((t % 65536)) $i $i
			done
		fi
		printf '%s%s\n' "$stamp" "$line" "$stamp" "$line" "$stamp" "$line" "$stamp" "$line" "$stamp" "$line" \
			"$stamp" "$line" "$stamp" "$line" "$stamp" "$line" "$stamp" "$line" "$stamp" "$line"
	done > "$tmp/big.log"
	[ "$(stat -c %s "$tmp/big.log")" -gt $((8 << 20)) ]
	"$san" check --no-queue --log "$tmp/big.log" > "$tmp/c.out" || { cat "$tmp/c.out"; return 1; }
	grep -q '^SPAMTOP OK .* user_ips=1;3;5;0;' "$tmp/c.out"
	# the whole log: the 8 addresses of two hours ago are outside the hour the
	# spread is counted in, yet the report's table counts them over the log
	"$san" check --no-queue --whole-log --log "$tmp/big.log" > "$tmp/c.out" || { cat "$tmp/c.out"; return 1; }
	grep -q '^SPAMTOP OK .* user_ips=1;3;5;0;' "$tmp/c.out"
	"$san" --report --json "$tmp/big.log" > "$tmp/r.json"
	jq -e '.sasl_users[0].key == "roamer@x.example" and .sasl_users[0].client_ips == 8 and (.suspects | length) == 0' \
		"$tmp/r.json" >/dev/null
}

check "check reads the last hour of a big log; the whole log counts a user's IPs within an hour too" \
	check_reads_the_last_hour_of_a_big_log
report_of_two_hosts_has_a_host_column_and_field() {
	grep -v victim "$fixture" > "$tmp/mx2.log"
	"$san" --report --source "mx1=$fixture" --source "mx2=$tmp/mx2.log" > "$tmp/r.txt"
	grep -qE '^Host +SASL user +Msgs' "$tmp/r.txt"
	grep -qE '^mx1 +victim@lab\.example +24 ' "$tmp/r.txt"
	grep -qE '^mx2 +alice@lab\.example +4 ' "$tmp/r.txt"
	grep -qE '^  trusted_relay +127\.0\.0\.2 +on mx2$' "$tmp/r.txt"
	"$san" --report --json --source "mx1=$fixture" --source "mx2=$tmp/mx2.log" > "$tmp/r.json"
	[ "$(jq -c '[.sasl_users[] | [.host, .key, .messages]]' "$tmp/r.json")" = \
	  '[["mx1","victim@lab.example",24],["mx1","alice@lab.example",4],["mx2","alice@lab.example",4]]' ]
	"$san" report --incident "$tmp/incident.md" --journal /nonexistent --source "mx1=$fixture" --source "mx2=$tmp/mx2.log"
	grep -q '^### sasl_user victim@lab.example on mx1$' "$tmp/incident.md"
	grep -q '^### trusted_relay 127.0.0.2 on mx2$' "$tmp/incident.md"
	# one host: no Host column, no host field
	"$san" --report --json "$fixture" | jq -e '.sasl_users[0] | has("host") | not'
	# another server's log over ssh (a stand-in that runs the remote command through a shell,
	# as sshd does): the same tables as the file read here, under the name given
	mkdir -p "$tmp/sshbin"
	printf '#!/bin/sh\nwhile [ "$1" != -- ]; do shift; done\nshift 2\nexec sh -c "$*"\n' > "$tmp/sshbin/ssh"
	chmod +x "$tmp/sshbin/ssh"
	PATH="$tmp/sshbin:$PATH" "$san" --report --json --source "mx1=$fixture" --source "mx2=ssh://root@mx2$tmp/mx2.log" \
		> "$tmp/over-ssh.json"
	"$san" --report --json --source "mx1=$fixture" --source "mx2=$tmp/mx2.log" > "$tmp/local.json"
	[ "$(jq -c .sasl_users "$tmp/over-ssh.json")" = "$(jq -c .sasl_users "$tmp/local.json")" ]
	jq -e '[.sasl_users[] | select(.host == "mx2")] | length > 0' "$tmp/over-ssh.json" > /dev/null
	PATH="$tmp/sshbin:$PATH" "$san" check --source "mx1=$fixture" --source "mx2=ssh://root@mx2$tmp/mx2.log" \
		> "$tmp/check-ssh.out" || true
	"$san" check --source "mx1=$fixture" --source "mx2=$tmp/mx2.log" > "$tmp/check-local.out" || true
	cmp "$tmp/check-ssh.out" "$tmp/check-local.out"
	# the console's first source is this machine: not one over ssh (unless no queue is read)
	local rc=0
	"$san" --source "x=ssh://mx2/var/log/mail.log" --source "y=$fixture" < /dev/null > /dev/null 2> "$tmp/err" || rc=$?
	[ $rc -eq 2 ] && grep -q 'the first --source is this machine' "$tmp/err"
}

check "a report of two hosts has a Host column and a host field; the incident report names hosts" report_of_two_hosts_has_a_host_column_and_field

# check reads the last hour of another server's log without copying all of it over the
# network: tail -c of its end (32 MiB, then twice that until the piece starts before the
# hour), and measures exactly what it measures of the same file read here
check_over_ssh_reads_the_end_of_a_big_log_only() {
	# 95 MB, two hours up to now (an outbreak in its last hour): that hour is ~48 MB
	build/genlog 700000 7 $(($(date +%s) - 7110)) > "$tmp/big.log"
	mkdir -p "$tmp/sshlog"
	printf '#!/bin/sh\nwhile [ "$1" != -- ]; do shift; done\nshift 2\necho "$*" >> %s/remote-commands\nexec sh -c "$*"\n' \
		"$tmp" > "$tmp/sshlog/ssh"
	chmod +x "$tmp/sshlog/ssh"
	: > "$tmp/remote-commands"
	TZ=UTC PATH="$tmp/sshlog:$PATH" "$san" check --no-queue --source "mx2=ssh://root@mx2$tmp/big.log" \
		> "$tmp/tail-ssh.out" || true
	TZ=UTC "$san" check --no-queue --source "mx2=$tmp/big.log" > "$tmp/tail-local.out" || true
	cmp "$tmp/tail-ssh.out" "$tmp/tail-local.out" || return 1
	grep -qE '^SPAMTOP CRITICAL - ' "$tmp/tail-local.out" || return 1	# the outbreak, seen both ways
	[ "$(cut -d' ' -f1-3 "$tmp/remote-commands" | paste -sd '|')" = "tail -c 33554432|tail -c 67108864" ] || return 1
	# a small log comes whole at the first ask; metrics reads it all, as cat does
	: > "$tmp/remote-commands"
	PATH="$tmp/sshlog:$PATH" "$san" check --no-queue --source "mx2=ssh://root@mx2$PWD/$fixture" > /dev/null || true
	PATH="$tmp/sshlog:$PATH" "$san" metrics --no-queue --source "mx2=ssh://root@mx2$PWD/$fixture" > /dev/null
	[ "$(cut -d' ' -f1-3 "$tmp/remote-commands" | paste -sd '|')" = "tail -c 33554432|cat -- '$PWD/$fixture'" ]
}

check "check over ssh reads the end of a big log only (tail -c, doubled until it holds the hour), as check reads it here" \
	check_over_ssh_reads_the_end_of_a_big_log_only

# restamp FILE HOST: the capture's lines as HOST logged them two minutes ago
restamp() {
	local stamp line
	printf -v stamp '%(%b %d %H:%M:%S)T' $(($(date +%s) - 120))
	while IFS= read -r line; do
		printf '%s %s %s\n' "$stamp" "$2" "${line#* * * * }"
	done < "$1"
}

# one file written by a central syslog for three servers, and the same
# lines given as three --sources: the report, check and metrics agree host
# by host (a queue ID of the capture is reused on all three: never joined)
central_log_gives_the_figures_of_its_hosts_as_separate_sources() {
	restamp "$fixture" mx1 > "$tmp/c1.log"
	grep -v victim "$fixture" | restamp /dev/stdin mx2 > "$tmp/c2.log"
	sed 's/victim@/third@/g' "$fixture" | restamp /dev/stdin mx3 > "$tmp/c3.log"
	paste -d '\n' "$tmp/c1.log" "$tmp/c2.log" "$tmp/c3.log" | grep -v '^$' > "$tmp/central.log"
	local src=(--source "mx1=$tmp/c1.log" --source "mx2=$tmp/c2.log" --source "mx3=$tmp/c3.log")
	local tables='[.sasl_users, .client_ips, .senders] | map(map([.host, .key, .messages, .recipients]) | sort)'
	"$san" --report --json "$tmp/central.log" | jq -c "($tables), [.suspects[] | [.kind, .key, .host]]" > "$tmp/a"
	"$san" --report --json "${src[@]}" | jq -c "($tables), [.suspects[] | [.kind, .key, .host]]" > "$tmp/b"
	cmp "$tmp/a" "$tmp/b"
	grep -q '"mx1","victim@lab.example",24' "$tmp/a"
	grep -q '"mx3","third@lab.example",24' "$tmp/a"
	grep -q '\["sasl_user","victim@lab.example","mx1"\]' "$tmp/a"
	"$san" --report "$tmp/central.log" | grep -qx 'Hosts: mx1, mx2, mx3 (none is this machine)'
	"$san" --report --json "${src[@]}" | jq -e '.input.hosts == [{"name": "mx1", "this_machine": true},
		{"name": "mx2", "this_machine": false}, {"name": "mx3", "this_machine": false}]' > /dev/null
	local rc1=0 rc2=0
	"$san" check --no-queue --log "$tmp/central.log" > "$tmp/a" || rc1=$?
	"$san" check --no-queue "${src[@]}" > "$tmp/b" || rc2=$?
	[ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] && cmp "$tmp/a" "$tmp/b"
	grep -q '^SPAMTOP CRITICAL .*@lab.example on mx[13]' "$tmp/a"
	"$san" metrics --no-queue --log "$tmp/central.log" | grep -v '^spamtop_log_lines' > "$tmp/a"
	"$san" metrics --no-queue "${src[@]}" | grep -v '^spamtop_log_lines' > "$tmp/b"
	cmp "$tmp/a" "$tmp/b"
	grep -q '^spamtop_sasl_user_messages_total{user="third@lab.example",host="mx3"} 24$' "$tmp/a"
}

check "a central syslog file gives the figures of its three hosts read as three --sources" \
	central_log_gives_the_figures_of_its_hosts_as_separate_sources
report_check_and_metrics_read_journald() {
	journal_of "$fixture" "$tmp/mail.journal"
	fake_journalctl "$tmp/jbin" "$tmp/mail.journal"
	PATH="$tmp/jbin:$PATH" "$san" --report --json --journald > "$tmp/r.json"
	jq -e '.suspects[0].key == "victim@lab.example" and .input.lines == 325 and .input.sources == ["journald"]' "$tmp/r.json"
	PATH="$tmp/jbin:$PATH" "$san" metrics --journald --no-queue | grep -qx 'spamtop_sasl_user_messages_total{user="victim@lab.example"} 24'
	: > "$tmp/jbin/journalctl.args"
	local before
	before=$(date +%s)
	PATH="$tmp/jbin:$PATH" "$san" check --journald --no-queue > "$tmp/c.out"	# the capture is old: quiet now
	grep -q '^SPAMTOP OK' "$tmp/c.out"
	local since
	since=$(sed -n 's/.*--since=@\([0-9]*\).*/\1/p' "$tmp/jbin/journalctl.args")
	[ $((before - since)) -ge 3720 ] && [ $((before - since)) -le 3730 ]	# the last hour and its margin
	grep -q 'SYSLOG_FACILITY=2' "$tmp/jbin/journalctl.args"
	# a journalctl that fails is UNKNOWN with its words
	printf '#!/bin/sh\necho "No journal files were found." >&2\nexit 1\n' > "$tmp/jbin/journalctl"
	local rc=0
	PATH="$tmp/jbin:$PATH" "$san" check --journald --no-queue > "$tmp/c.out" || rc=$?
	[ $rc -eq 3 ] && grep -q 'journalctl ended with status 1: No journal files were found' "$tmp/c.out"
}

# no log named and no mail log file (a Debian 12 server without rsyslog):
# Postfix logs to the journal only, and that is where spamtop reads
no_mail_log_file_means_the_systemd_journal() {
	journal_of "$fixture" "$tmp/mail.journal"
	fake_journalctl "$tmp/jbin" "$tmp/mail.journal"
	printf '#!/bin/sh\n[ "$2" = maillog_file ] && exit 0\nexit 1\n' > "$tmp/jbin/postconf"	# maillog_file unset
	chmod +x "$tmp/jbin/postconf"
	PATH="$tmp/jbin:$PATH" SPAMTOP_SYSLOG_FILES="$tmp/none1:$tmp/none2" "$san" metrics --no-queue \
		| grep -qx 'spamtop_sasl_user_messages_total{user="victim@lab.example"} 24'
	PATH="$tmp/jbin:$PATH" SPAMTOP_SYSLOG_FILES="$tmp/none1:$tmp/none2" "$san" cleanup --plan --no-queue \
		| grep -qx '  \[x\] sasl_user victim@lab.example'
	# a syslog file that exists is read, and the journal is not asked
	: > "$tmp/jbin/journalctl.args"
	PATH="$tmp/jbin:$PATH" SPAMTOP_SYSLOG_FILES="$tmp/none1:$PWD/$fixture" "$san" metrics --no-queue \
		| grep -qx 'spamtop_sasl_user_messages_total{user="victim@lab.example"} 24'
	[ ! -s "$tmp/jbin/journalctl.args" ]
}

# the report of this server's own log (the syslog file, as configured) asks
# Postfix which domains are ours; a postconf that cannot answer is said, and
# the admin's --our-domains still count
report_says_when_postfix_cannot_name_our_domains() {
	mkdir -p "$tmp/odbin"
	printf '#!/bin/sh\n[ "$2" = maillog_file ] && exit 0\necho "postconf: fatal: no main.cf" >&2\nexit 1\n' \
		> "$tmp/odbin/postconf"
	printf '#!/bin/sh\nexit 1\n' > "$tmp/odbin/postmulti"
	chmod +x "$tmp/odbin/postconf" "$tmp/odbin/postmulti"
	PATH="$tmp/odbin:$PATH" SPAMTOP_SYSLOG_FILES="$PWD/$fixture" "$san" --report --our-domains "a.example b.example" \
		"$PWD/$fixture" > "$tmp/od.out"
	grep -qx "Our domains: Postfix's configuration could not be read (postconf), 2 named; mail delivered over SMTP to them is mail for this server, not relayed" \
		"$tmp/od.out"
	PATH="$tmp/odbin:$PATH" SPAMTOP_SYSLOG_FILES="$PWD/$fixture" "$san" --report --json "$PWD/$fixture" > "$tmp/od.json"
	jq -e '.input.our_domains == {"configured": 0, "named": 0, "configuration_unread": true, "unread_tables": ""}' \
		"$tmp/od.json" >/dev/null
	# a copy elsewhere is not this server's: Postfix is not asked
	cp "$fixture" "$tmp/copy.log"
	PATH="$tmp/odbin:$PATH" SPAMTOP_SYSLOG_FILES="$PWD/$fixture" "$san" --report --json "$tmp/copy.log" > "$tmp/od.json"
	jq -e '.input.our_domains.configuration_unread == false' "$tmp/od.json" >/dev/null
}

# no log named, and Dovecot writes its own log file (log_path): its IMAP failures
# are read with the mail log (doveconf here is a stand-in printing the setting)
dovecots_own_log_file_is_read_with_the_default_mail_log() {
	mkdir -p "$tmp/dvbin"
	printf '#!/bin/sh\n[ "$2" = maillog_file ] && exit 0\nexit 1\n' > "$tmp/dvbin/postconf"
	printf '#!/bin/sh\ncase "$2" in info_log_path) echo ;; log_path) echo "%s" ;; *) exit 1 ;; esac\n' \
		"$tmp/dovecot.log" > "$tmp/dvbin/doveconf"
	chmod +x "$tmp/dvbin/postconf" "$tmp/dvbin/doveconf"
	for user in alice bob carol; do
		echo "Mar 13 08:32:19 imap-login: Info: Disconnected (auth failed, 1 attempts in 2 secs): user=<$user@lab.example>, method=PLAIN, rip=192.0.2.66, lip=192.0.2.1, TLS, session=<$user>"
	done > "$tmp/dovecot.log"
	PATH="$tmp/dvbin:$PATH" SPAMTOP_SYSLOG_FILES="$PWD/$fixture" "$san" metrics --no-queue > "$tmp/dv.prom" &&
	grep -qx 'spamtop_client_ip_sasl_failures_total{ip="192.0.2.66"} 3' "$tmp/dv.prom" &&
	grep -qx 'spamtop_sasl_user_messages_total{user="victim@lab.example"} 24' "$tmp/dv.prom" &&
	# Dovecot logging to syslog: nothing more is read
	printf '#!/bin/sh\necho syslog\n' > "$tmp/dvbin/doveconf" &&
	PATH="$tmp/dvbin:$PATH" SPAMTOP_SYSLOG_FILES="$PWD/$fixture" "$san" metrics --no-queue > "$tmp/dv.prom" &&
	! grep -q '192.0.2.66' "$tmp/dv.prom"
}
check "Dovecot's own log file is read with the default mail log" dovecots_own_log_file_is_read_with_the_default_mail_log

# the mail log and Dovecot's own file are read merged by time: the IMAP failures
# (Dovecot's file) come before the account's SMTP AUTH login (the mail log), as
# they happened, and the break-in is seen whatever order the files are named in
mail_log_and_dovecots_file_are_read_in_time_order() {
	for s in 50 55 59; do
		echo "Nov 24 23:34:$s imap-login: Info: Disconnected (auth failed, 1 attempts in 2 secs): user=<victim@lab.example>, method=PLAIN, rip=127.0.0.10, lip=127.0.0.1, session=<s$s>"
	done > "$tmp/dv2.log"
	local order
	for order in "$fixture $tmp/dv2.log" "$tmp/dv2.log $fixture"; do
		# shellcheck disable=SC2086
		"$san" --report --json $order > "$tmp/m.json" || return 1
		[ "$(jq -r '.suspects[0].reasons[-1]' "$tmp/m.json")" = \
			"logged in from 127.0.0.10 after 3 failed logins from there within 20 minutes (threshold 3)" ] || return 1
		[ "$(jq '.sasl_users[] | select(.key=="victim@lab.example") | .messages' "$tmp/m.json")" = 24 ] || return 1
	done
	# the real lab's Dovecot with its own file: its relays charged in either order
	local dv=tests/fixtures/lab-dovecot-logfile.log mail=tests/fixtures/lab-dovecot-logfile-mail.log
	for order in "$mail $dv" "$dv $mail"; do
		# shellcheck disable=SC2086
		"$san" --report --json $order > "$tmp/m.json" || return 1
		[ "$(jq '.sasl_users[] | select(.key=="victim@lab.example") | .messages' "$tmp/m.json")" = 54 ] || return 1
		[ "$(jq '.totals.submission_proxy' "$tmp/m.json")" = 32 ] || return 1
	done
}

check "the mail log and Dovecot's file are read merged in time order" mail_log_and_dovecots_file_are_read_in_time_order

# Postfix logging to the journal and Dovecot to its own file (a Debian 12 server
# without rsyslog, Dovecot's log_path set): the real journalctl's output is one
# more stream of the history read (core/logs/program_lines.c), merged with the
# file's by time as two files are; named, or found by default
journal_and_dovecots_file_are_read_together() {
	local dv=tests/fixtures/lab-dovecot-logfile.log mail=tests/fixtures/lab-dovecot-logfile-mail.log
	local first day
	first=$("$san" --report --json "$mail" | jq -r .input.first_time) || return 1
	day=$(( $(date -d "$first" +%s) / 86400 * 86400 ))	# the journal on the day spamtop dates the file's lines
	journal_of "$mail" "$tmp/pair.journal" "$day"
	fake_journalctl "$tmp/pjbin" "$tmp/pair.journal"
	printf '#!/bin/sh\n[ "$2" = maillog_file ] && exit 0\nexit 1\n' > "$tmp/pjbin/postconf"
	printf '#!/bin/sh\ncase "$2" in info_log_path) echo ;; log_path) echo "%s" ;; *) exit 1 ;; esac\n' \
		"$PWD/$dv" > "$tmp/pjbin/doveconf"
	chmod +x "$tmp/pjbin/postconf" "$tmp/pjbin/doveconf"
	PATH="$tmp/pjbin:$PATH" "$san" --report --json --journald "$dv" > "$tmp/j1.json"
	jq -e '.input.sources == ["'"$dv"'", "journald"] and .input.lines == 673' "$tmp/j1.json" >/dev/null
	[ "$(jq '.sasl_users[] | select(.key=="victim@lab.example") | .messages' "$tmp/j1.json")" = 54 ]
	[ "$(jq '.totals.submission_proxy' "$tmp/j1.json")" = 32 ]
	jq -e '.suspects[] | select(.key=="victim@lab.example") | .reasons[]
		| select(. == "logged in from 127.0.0.68 after 3 failed logins from there within 20 minutes (threshold 3)")' \
		"$tmp/j1.json" >/dev/null
	# no log named: the journal (no mail log file) and the file doveconf names
	PATH="$tmp/pjbin:$PATH" SPAMTOP_SYSLOG_FILES="$tmp/none1:$tmp/none2" "$san" metrics --no-queue > "$tmp/j2.prom"
	grep -qx 'spamtop_log_lines_total 673' "$tmp/j2.prom"
	grep -qx 'spamtop_sasl_user_messages_total{user="victim@lab.example"} 54' "$tmp/j2.prom"
	# a journalctl that fails is told, and the file is read all the same
	printf '#!/bin/sh\necho "No journal files were found." >&2\nexit 1\n' > "$tmp/pjbin/journalctl"
	local rc=0
	PATH="$tmp/pjbin:$PATH" "$san" --report --json --journald "$dv" > "$tmp/j3.json" 2> "$tmp/j3.err" || rc=$?
	[ $rc -ne 0 ] && grep -q 'journalctl ended with status 1: No journal files were found' "$tmp/j3.err" &&
		[ "$(jq '.input.lines' "$tmp/j3.json")" = 107 ]
}
check "the journal and Dovecot's own file are read together: the account's relays and break-in found" \
	journal_and_dovecots_file_are_read_together

# ---- output and file safety (the program runs as root and prints attackers' text) ----

metrics_output_follows_no_planted_symlink() {
	# a textfile-collector directory the exporter's user can write: symlinks planted
	# at every temporary name a predictable scheme (OUT.PID.tmp) would use next
	local dir=$tmp/collector
	mkdir -p "$dir"
	echo "precious" > "$tmp/victim.txt"
	fake_postqueue 3
	ln -s "$tmp/victim.txt" "$dir/spamtop.prom"	# and at the final name
	python3 -c 'import os, sys
last = int(open("/proc/sys/kernel/ns_last_pid").read())
for p in range(last + 1, last + 200):	# one process plants them all: the pids stay free
    os.symlink(sys.argv[1], "%s/spamtop.prom.%d.tmp" % (sys.argv[2], p))' "$tmp/victim.txt" "$dir"
	PATH="$tmp/bin:$PATH" "$san" metrics --log "$fixture" --output "$dir/spamtop.prom"
	[ "$(cat "$tmp/victim.txt")" = precious ]
	[ -f "$dir/spamtop.prom" ] && [ ! -L "$dir/spamtop.prom" ]
	[ "$(stat -c %a "$dir/spamtop.prom")" = 644 ]
	grep -q '^spamtop_queue_messages{queue="deferred"} 3$' "$dir/spamtop.prom"
	[ "$(ls "$dir" | grep -vc '\.tmp$')" = 1 ]	# no temporary file left
}

queue_listing_and_plans_print_log_text_sanitized() {
	fake_postqueue 2
	{ printf 'Nov 24 10:00:00 mx postfix/smtpd[1]: 000001A2B3: client=x[192.0.2.1\033[2J\033[6n], sasl_method=LOGIN, sasl_username=u\033]0;pwn\007\n'
	  printf 'Nov 24 10:00:01 mx postfix/qmgr[2]: 000001A2B3: from=<s@x.example>, size=1, nrcpt=1 (queue active)\n'; } > "$tmp/hq.log"
	PATH="$tmp/bin:$PATH" "$san" queue --log "$tmp/hq.log" > "$tmp/q.txt"
	PATH="$tmp/bin:$PATH" "$san" queue --summary --log "$tmp/hq.log" >> "$tmp/q.txt"
	PATH="$tmp/bin:$PATH" "$san" hold --id 000001A2B3 --dry-run --log "$tmp/hq.log" >> "$tmp/q.txt" 2>&1 || true
	grep -q '000001A2B3' "$tmp/q.txt"
	grep -q '192.0.2.1\\x1b\[2J' "$tmp/q.txt"	# shown, escaped
	! LC_ALL=C grep -q $'\033' "$tmp/q.txt" && ! LC_ALL=C grep -q $'\007' "$tmp/q.txt"
}

check_status_line_takes_no_pipe_from_log_text() {
	# a user named so that its name writes performance data
	local i now
	now=$(date '+%b %e %H:%M')
	for i in $(seq 10 45); do
		printf '%s:%02d mx postfix/smtpd[1]: %05XABC: client=x[192.0.2.1], sasl_method=LOGIN, sasl_username=all quiet | queue=0;100;200;0;\n' "$now" $((i % 60)) "$i"
	done > "$tmp/pipe.log"
	local rc=0
	"$san" check --no-queue --log "$tmp/pipe.log" > "$tmp/c.out" || rc=$?
	cat "$tmp/c.out"
	[ $rc -eq 2 ]
	[ "$(tr -cd '|' < "$tmp/c.out" | wc -c)" = 1 ]	# the perfdata separator alone
	grep -q 'all quiet / queue=0;100;200;0;' "$tmp/c.out"
}

hostile_table_through_the_command_line_printers() {
	# tests/hostile/hostile.h's every string in every field, through every
	# command-line printer: the queue listing, its summary, a plan, check
	local now; now=$(date '+%b %e %H:%M')
	build/hostile-log | sed "s/^Nov 24 23:40:/$now:/" > "$tmp/ht.log"	# now: check measures it
	local n; n=$(grep -ac 'postfix/qmgr' "$tmp/ht.log")
	mkdir -p "$tmp/hbin"
	printf '#!/bin/sh\ni=0\nwhile [ $i -lt %d ]; do printf '"'"'{"queue_name": "deferred", "queue_id": "9AB%%08X", "arrival_time": 1, "message_size": 100, "sender": "\\u001b]0;T\\u0007s\\u009b2J@x.example", "recipients": [{"address": "r@y.example", "delay_reason": "\\u001b[6n"}]}\\n'"'"' $i; i=$((i+1)); done\n' "$n" > "$tmp/hbin/postqueue"
	printf '#!/bin/sh\necho "-               -               y         /etc/postfix"\n' > "$tmp/hbin/postmulti"
	chmod +x "$tmp/hbin/postqueue" "$tmp/hbin/postmulti"
	{ PATH="$tmp/hbin:$PATH" "$san" queue --log "$tmp/ht.log"
	  PATH="$tmp/hbin:$PATH" "$san" queue --summary --log "$tmp/ht.log"
	  PATH="$tmp/hbin:$PATH" "$san" hold --id 9AB00000004 --id 9AB00000005 --id 9AB0000000C --dry-run --log "$tmp/ht.log"
	  PATH="$tmp/hbin:$PATH" "$san" check --log "$tmp/ht.log" --whole-log --set user_rate=1,1; } > "$tmp/ht.out" 2>&1 || true
	grep -q '^Hold 3 messages' "$tmp/ht.out"
	grep -q 'SPAMTOP CRITICAL' "$tmp/ht.out"
	[ "$(grep -c '^9AB' "$tmp/ht.out")" -ge "$n" ]
	if LC_ALL=C grep -anP '[\x00-\x08\x0b-\x1f\x7f]' "$tmp/ht.out" | head -3 | grep -a .; then
		echo "a raw control byte was printed"; return 1
	fi
	if LC_ALL=C grep -aP '\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae\xa8\xa9]|\xe2\x81[\xa6-\xa9]' "$tmp/ht.out" | head -3 | grep -a .; then
		echo "a C1 control or a bidi or line-separator character was printed"; return 1
	fi
	if LC_ALL=C.UTF-8 grep -naxv '.*' "$tmp/ht.out" | head -3 | grep -a .; then
		echo "invalid UTF-8 was printed"; return 1
	fi
}

check "report, check and metrics read journald through the real journalctl" report_check_and_metrics_read_journald
check "the report of this server's own log says when Postfix cannot name our domains" \
	report_says_when_postfix_cannot_name_our_domains
check "no log named and no mail log file: the systemd journal is read (Debian 12 without rsyslog)" \
	no_mail_log_file_means_the_systemd_journal
check "report --json names the victim first and the trusted relay" report_json_names_victim_first
check "text report lists suspects and tables" text_report_lists_suspects_and_tables
check "stdin (-) reads the same as the file" stdin_dash_reads_the_same_as_the_file
check "a .gz rotated file reads the same as plain" gz_rotated_file_reads_the_same_as_plain
check "a missing file is reported and the rest still read" missing_file_is_reported_and_the_rest_still_read
check "a bad --top is a usage error" bad_top_value_is_a_usage_error
check "random bytes are counted, not fatal (sanitizers)" random_bytes_are_counted_not_fatal
check "hostile text never reaches the terminal raw (sanitizers)" hostile_text_never_reaches_the_terminal_raw
check "1 MB field and a cut last line are survived (sanitizers)" one_megabyte_line_and_truncated_last_line_are_survived
check "--help and --version describe the program; each command has its own help" help_and_version_describe_the_program
check "the bash completion is made from the command table" bash_completion_is_made_from_the_command_table
check "check returns OK, WARNING, CRITICAL and UNKNOWN as a plugin must" check_plugin_returns_each_state
# a log that stopped being written: every rate is 0 against the clock, and check says how
# old its newest line is instead of a bare OK (not a state: a quiet relay may log nothing
# for hours); a fresh log says nothing of it
check_says_how_old_a_logs_newest_line_is_when_it_is_over_an_hour() {
	"$san" check --no-queue --log "$fixture" > "$tmp/old.out" || true
	grep -qE '^SPAMTOP OK - nothing over its threshold; newest Postfix line [0-9]+ (days|h) old \(is Postfix still logging there\?\) \|' \
		"$tmp/old.out" || return 1
	restamp "$fixture" mx > "$tmp/fresh.log"
	"$san" check --no-queue --log "$tmp/fresh.log" > "$tmp/fresh.out" || true
	! grep -q 'newest Postfix line' "$tmp/fresh.out" || return 1
	# one server gone quiet among live ones: named
	"$san" check --no-queue --source "mx1=$tmp/fresh.log" --source "mx2=$fixture" > "$tmp/two.out" || true
	grep -qE '; newest Postfix line of mx2 [0-9]+ (days|h) old \(is Postfix still logging there\?\)' "$tmp/two.out" &&
		! grep -q 'line of mx1' "$tmp/two.out"
}

check "check says how old a log's newest line is when it is over an hour (a syslog that stopped)" \
	check_says_how_old_a_logs_newest_line_is_when_it_is_over_an_hour
check "metrics of a log it cannot read writes nothing and keeps the last file (no false counter reset)" \
	metrics_of_an_unreadable_log_writes_nothing_and_keeps_the_last_file
check "check reads thresholds from the config file and warns of bad lines" check_reads_thresholds_from_the_config_file
check "metrics --output replaces the file atomically; influx too" metrics_output_is_replaced_atomically
check "metrics --output follows no symlink planted at its temporary or final name" metrics_output_follows_no_planted_symlink
check "the queue listing, its summary and a plan print log text sanitized" queue_listing_and_plans_print_log_text_sanitized
check "check's status line takes no '|' from log text (no forged perfdata)" check_status_line_takes_no_pipe_from_log_text
check "the hostile table through the queue listing, its summary, a plan and check prints no control" \
	hostile_table_through_the_command_line_printers
. tests/cli/queue-commands.sh
. tests/cli/cleanup-plan.sh
# the design the README draws, checked: core/ includes nothing of the screen
# or the front ends, and only core/ starts programs (every argv is built and
# run there; tui/ and the command-line front ends in cli/ ask core/)
only_core_runs_programs_and_core_includes_no_front_end() {
	if grep -nE '#include "(tui/|cli/|\.\./)|#include "[a-z_]+_cmd\.h"' core/*/*.c core/*/*.h; then return 1; fi
	if grep -nE '\b(fork|vfork|execv|execvp|execve|posix_spawnp?|popen|system|spawn_run|spawn_lines|spawn_detached|pipe_source_start)[[:space:]]*\(' \
		tui/*.c tui/*.h cli/*.c; then return 1; fi
	grep -q 'posix_spawn(' core/base/spawn.c	# the check looks where programs are run
}

check "only core/ runs programs; core/ includes nothing of tui/ or the front ends" \
	only_core_runs_programs_and_core_includes_no_front_end

# core/'s folders, bottom up; a file may include headers of its own folder and
# of the folders below it, never above (README: Design)
core_layers="base logs model queue incident"

core_folders_include_only_their_own_and_lower_folders() {
	local i=0 layer allowed f bad=0 seen
	[ "$(ls -d core/*/ | wc -l)" = 5 ] || { echo "core/ has folders not in the layering: $(ls -d core/*/)"; return 1; }
	for layer in $core_layers; do
		allowed=$(echo $core_layers | cut -d' ' -f1-$((i + 1)) | tr ' ' '|')
		for f in core/$layer/*; do
			seen=$(grep -oE '#include "core/[a-z_]+/' "$f" | sed 's|#include "core/||; s|/$||' | sort -u)
			for dir in $seen; do
				echo "$dir" | grep -qxE "$allowed" || { echo "$f includes core/$dir/ (above core/$layer/)"; bad=1; }
			done
		done
		i=$((i + 1))
	done
	grep -q '#include "core/base/' core/incident/cleanup.c	# the check sees includes
	return $bad
}

check "core/'s folders include only their own and lower folders (base, logs, model, queue, incident)" \
	core_folders_include_only_their_own_and_lower_folders

# calls_between FILE... - "A B" for each pair of the files where A calls a function B
# defines (its non-static definitions at the start of a line, as this code writes them)
calls_between() {
	local a b names
	for b in "$@"; do
		names=$(grep -oE '^[a-z][a-z_0-9 ]*[ *][a-z_0-9]+\(' "$b" | grep -v '^static' | grep -oE '[a-z_0-9]+\($' |
			tr -d '(' | sort -u | paste -sd '|')
		[ -n "$names" ] || continue
		for a in "$@"; do
			[ "$a" != "$b" ] && grep -qE "\b($names)\(" "$a" && echo "$a $b"
		done
	done
	return 0
}

# the console's files call each other in no circle (the state and its services at
# the bottom, the dialog and the prompt above them, the loop on top; the wizard is
# called by cleanup_view.c and calls none of them), and
# neither do core/'s: tsort fails on a loop
no_file_of_tui_or_core_calls_back_into_a_file_that_calls_it() {
	calls_between tui/*.c > "$tmp/tui.calls"
	grep -q '^tui/cleanup_view.c tui/wizard.c$' "$tmp/tui.calls"	# the check sees calls
	tsort "$tmp/tui.calls" > /dev/null || return 1
	calls_between core/*/*.c > "$tmp/core.calls"
	tsort "$tmp/core.calls" > /dev/null
}

check "no file of tui/ or core/ calls back into a file that calls it (no circle)" \
	no_file_of_tui_or_core_calls_back_into_a_file_that_calls_it

# the wizard sees the console only through its narrow interface (wizard.h: what the
# console shows it, the services it lends): neither it nor anything it includes reads
# the console's state header; the preprocessor's own list of what it includes says so
the_wizard_sees_the_console_only_through_its_narrow_interface() {
	local deps
	deps=$(cc -std=c11 -D_DEFAULT_SOURCE -I. -MM tui/wizard.c) || return 1
	echo "$deps" | grep -q 'tui/wizard.h'	# the check reads the real list
	! echo "$deps" | grep -q 'console_state\.h' && ! grep -qE '\bc->' tui/wizard.c
}

check "the cleanup wizard sees the console only through its narrow interface (no console_state.h)" \
	the_wizard_sees_the_console_only_through_its_narrow_interface

# one journaled run (core/base/run.c): no change writes its own journal entries, so
# none can run before its "planned" record or skip its "done" one
every_change_is_journaled_through_the_one_run() {
	if grep -nE '\bjournal_(open|append)[[:space:]]*\(' core/*/*.c tui/*.c cli/*.c |
		grep -vE '^core/base/(run|journal)\.c:'; then
		return 1
	fi
	grep -q 'journal_append(&j, op->planned_entry' core/base/run.c	# the check looks where entries are written
}

check "every change is journaled through the one run (core/base/run.c), nowhere else" \
	every_change_is_journaled_through_the_one_run

echo "cli: $passed passed, $failed failed"
[ $failed -eq 0 ]
