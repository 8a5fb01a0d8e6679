#!/usr/bin/env bash
# tests/e2e/run.sh SPAMTOP - the console in a real terminal (tmux), driven by
# keystrokes, its screens compared with expected text. Uses the recorded real
# capture; the queue comes from stand-in postqueue/postcat/postsuper scripts
# on PATH (the real ones are driven by the lab, tests/lab/console-tests.sh).
# Prints "e2e: N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
fixture=$(realpath tests/fixtures/lab-outbreak.log)
tmp=$(mktemp -d /tmp/spamtop-e2e.XXXXXX)
# the sanitizer build lives in build/san/, away from keymaps/; the lab checks
# that the installed layout (keymaps/ beside the binary) is found on its own
export SPAMTOP_KEYMAP_DIR=$PWD/keymaps
# ncurses keeps its terminal tables until exit by design; leaks are checked by the unit tests
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
. tests/tmux-lib.sh
trap 'tui_stop; rm -rf "$tmp"' EXIT

. tests/check-lib.sh
. tests/journal-lib.sh
CHECK_AFTER=tui_stop

# fake_postmulti DIR - one Postfix instance, whatever this machine runs
fake_postmulti() {
	printf '#!/bin/sh\necho "-               -               y         /etc/postfix"\n' > "$1/postmulti"
	chmod +x "$1/postmulti"
}

# A stand-in queue: two of the victim's messages and one of the trusted relay's.
fake_tools() {
	mkdir -p "$tmp/bin"
	cat > "$tmp/bin/postqueue" <<'EOS'
#!/bin/sh
[ "$1" = -j ] || exit 64
for m in 31C49102266:promo3@cheap-pills.example 11EEA102265:promo2@cheap-pills.example 67C62102268:offers@bulk-mailer.example; do
	printf '{"queue_name": "deferred", "queue_id": "%s", "arrival_time": 1795564536, "message_size": 448, "sender": "%s", "recipients": [{"address": "x@victims.example", "delay_reason": "connect to 127.0.0.1[127.0.0.1]:2599: Connection refused"}]}\n' "${m%%:*}" "${m#*:}"
done
EOS
	cat > "$tmp/bin/postcat" <<'EOS'
#!/bin/sh
shift
for id; do
	echo "*** ENVELOPE RECORDS deferred/3/$id ***"
	[ "$id" = 67C62102268 ] || echo "named_attribute: sasl_username=victim@lab.example"
done
EOS
	printf '#!/bin/sh\necho "$@" >> %s/postsuper.called\ncat >> %s/postsuper.called\n' "$tmp" "$tmp" > "$tmp/bin/postsuper"
	fake_postmulti "$tmp/bin"
	chmod +x "$tmp/bin/"*
}

opening_screen_names_the_suspects_of_the_real_capture() {
	tui_start 100x24 "$bin" --no-queue "$fixture"
	tui_wait "victim@lab.example"
	tui_screen | head -1 | grep -q "lab-outbreak.log - 325 lines"
	tui_screen | sed 1d > "$tmp/screen"
	diff -u tests/e2e/expected/opening-100x24.txt "$tmp/screen"
}

drill_down_goes_from_user_to_messages_to_a_log_trail() {
	tui_start 100x30 "$bin" --no-queue "$fixture"
	tui_wait "victim@lab.example"
	tui_keys Enter
	tui_wait "Messages of SASL user victim@lab.example - 24 rows"
	tui_keys End
	tui_wait "Messages of SASL user"
	tui_keys Enter
	tui_wait "Log trail: 5 line(s)"
	tui_screen | grep -q "postfix/smtpd\[8723\]: .*: client=unknown\[127.0.0.1[0-4]\],$"	# long lines break after a space
	tui_screen | grep -q "^sasl_method=LOGIN, sasl_username=victim@lab.example$"
	tui_screen | grep -q "not read: --no-queue"
	tui_keys Escape
	tui_wait "24 rows"
	tui_keys Escape
	tui_wait "2 rows, sorted by Msgs"
}

# Dovecot's submission service relaying without XCLIENT (the real lab capture):
# the account's messages are its own, and a message says how it came
a_message_dovecot_relayed_says_so_and_its_trail_holds_dovecots_line() {
	tui_start 110x34 "$bin" --no-queue tests/fixtures/lab-dovecot.log
	tui_wait "victim@lab.example"
	tui_keys Enter
	tui_wait "Messages of SASL user victim@lab.example - 54 rows"
	tui_keys / '127\.0\.0\.3[0-4]' Enter	# those that logged in to Dovecot
	tui_wait "Messages of SASL user victim@lab.example - 30 rows"
	tui_keys Enter
	tui_wait "Log trail: 5 line(s)"
	tui_screen | grep -q "^  Submitted    through Dovecot's submission service: its line names the account$"
	tui_screen | grep -q "^  Client IP    127.0.0.3[0-4]$"
	tui_screen | grep -q " dovecot: submission(victim@lab.example)<[0-9]*><[^>]*>:$"	# long lines break after a space
	tui_screen | grep -q "^Successfully relayed message: from=<promo[0-3]@cheap-pills.example>, "
}

# the same log followed as it is written (the console's path for new lines),
# then the IMAP break-in: the account's relays and the guessing address appear live
a_dovecot_log_followed_as_it_grows_is_charged_to_the_account() {
	: > "$tmp/dv-live.log"
	tui_start 120x30 "$bin" --no-queue --refresh 0.2 "$tmp/dv-live.log"
	tui_wait "0 rows"
	head -400 tests/fixtures/lab-dovecot.log >> "$tmp/dv-live.log"
	tui_wait "victim@lab.example"
	tail -n +401 tests/fixtures/lab-dovecot.log >> "$tmp/dv-live.log"
	cat tests/fixtures/lab-dovecot-imap.log >> "$tmp/dv-live.log"
	grep 'auth failed' tests/fixtures/lab-dovecot-imap.log | sed 's/rip=127.0.0.68,/rip=127.0.0.1,/' >> "$tmp/dv-live.log"
	# alice's phone with an old password where her laptop logged in: the laptop's login, then
	# (a minute later in log time: the rule goes by the lines' times) the phone's failures
	grep 'Login: ' tests/fixtures/lab-dovecot-imap.log | sed 's/victim@/alice@/; s/rip=127.0.0.68,/rip=127.0.0.69,/' >> "$tmp/dv-live.log"
	grep 'auth failed' tests/fixtures/lab-dovecot-imap.log |
		sed 's/victim@/alice@/; s/rip=127.0.0.68,/rip=127.0.0.69,/; s/T14:30:/T14:31:/' >> "$tmp/dv-live.log"
	tui_wait " 658 lines"
	tui_screen | grep -q "victim@lab.example  *54 "
	tui_keys 6	# Auth failures: 127.0.0.68's three, all at IMAP
	tui_wait "127.0.0.68"
	tui_screen | grep -Eq "127\.0\.0\.68 +3 +[0-9]+ +3 "
	tui_keys / '^127\.0\.0\.68$' Enter
	tui_wait "1 rows of 4"
	tui_keys d	# the firewall command that would block it, run by nobody
	tui_wait "nft add element inet filter blocklist { 127.0.0.68 timeout 20m }"
	tui_keys / C-u '^127\.0\.0\.1$' Enter
	tui_wait '0\.1$/, sorted'
	tui_keys d	# a webmail's failures, here: no address to block
	tui_wait "127.0.0.1 is this machine: a webmail or another local service"
	tui_keys / C-u '^127\.0\.0\.69$' Enter
	tui_wait '0\.69$/, sorted'
	tui_screen | grep -Eq "127\.0\.0\.69 +3 +[0-9]+ +3 +3 "	# all three its account's own
	tui_keys d	# no block offered: it would lock alice out
	tui_wait "127.0.0.69: its failed logins all name accounts that had logged in from there (the last: alice@lab.example)"
	tui_keys / C-u Enter 1 w	# the account's reasons end with the break-in
	tui_wait "logged in from 127.0.0.68 after 3 failed logins"
}

# the mail log and Dovecot's own file (log_path) in the console: their history is
# read in step by log time, so the IMAP failures come before the account's SMTP
# AUTH login as they happened, though the mail log is named first
console_reads_the_mail_log_and_dovecots_file_in_step() {
	local s
	for s in 50 55 59; do
		echo "Nov 24 23:34:$s imap-login: Info: Disconnected (auth failed, 1 attempts in 2 secs): user=<victim@lab.example>, method=PLAIN, rip=127.0.0.10, lip=127.0.0.1, session=<s$s>"
	done > "$tmp/dv-own.log"
	tui_start 120x30 "$bin" --no-queue "$fixture" "$tmp/dv-own.log"
	tui_wait " 328 lines"
	tui_keys w	# the first suspect's reasons: the account, with the break-in
	tui_wait "logged in from 127.0.0.10 after 3 failed logins"
}

# the real lab's Dovecot writing its own file (log_path), named before the mail
# log: read in step, its relay lines come a few lines ahead of Postfix's lines
# of the same messages; each is kept until its message's client= line comes
console_charges_dovecots_relays_read_ahead_of_the_mail_log() {
	tui_start 140x30 "$bin" --no-queue tests/fixtures/lab-dovecot-logfile.log tests/fixtures/lab-dovecot-logfile-mail.log
	tui_wait " 673 lines"
	tui_screen | grep -Eq "^! victim@lab\.example +54 "
}

tabs_show_ips_senders_domains_and_auth_failures() {
	tui_start 100x30 "$bin" --no-queue "$fixture"
	tui_wait "victim@lab.example"
	tui_keys 2
	tui_wait "9 rows, sorted by Msgs"
	tui_screen | grep -qE '^! 127\.0\.0\.2 +12 +0 +12 +4 '
	tui_keys 3
	tui_wait "Envelope sender"
	tui_screen | grep -qE '^  offers@bulk-mailer\.example +8 '
	tui_keys 4
	tui_wait "cheap-pills.example"
	tui_keys 6
	tui_wait "Last SASL user tried"
	tui_screen | grep -qE '^! 127\.0\.0\.66 +4 +4 .* victim@lab\.example'
	tui_keys 7
	tui_wait "Local uid"
	tui_keys Tab
	tui_wait "2 rows, sorted by Msgs"	# the last tab wraps around to the first
}

filter_keeps_matching_rows_and_a_bad_pattern_is_a_message() {
	tui_start 100x30 "$bin" --no-queue "$fixture"
	tui_wait "victim@lab.example"
	tui_keys 2 /
	tui_wait "Filter (PCRE2"
	tui_keys '127\.0\.0\.1[0-4]' Enter
	tui_wait "5 rows of 9, filter /127\\.0\\.0\\.1[0-4]/"
	tui_keys / C-u '(' Enter
	tui_wait "bad pattern at offset 1: missing closing parenthesis"
	tui_screen | grep -q "5 rows of 9"	# the old filter stays
	tui_keys / C-u Enter
	tui_wait "9 rows, sorted"
}

sorting_follows_the_keys_and_the_cursor_stays_on_its_row() {
	tui_start 100x30 "$bin" --no-queue "$fixture"
	tui_wait "victim@lab.example"
	tui_keys 2
	tui_wait "9 rows, sorted by Msgs"
	tui_screen | sed -n 7p | grep -q '^! 127.0.0.2 '	# the most mail first, under the cursor
	tui_keys '>'
	tui_wait "sorted by Auth"
	tui_keys I
	tui_wait "sorted by Auth (reversed)"
	tui_keys '<' '<'
	tui_wait "sorted by Client IP"
	tui_screen | sed -n 7p | grep -q '^  127.0.0.1 '	# now first; 127.0.0.2 is 7th
	tui_keys Enter	# the cursor followed its row through every sort
	tui_wait "Messages of Client IP 127.0.0.2 - 12 rows"
}

hostile_log_text_is_shown_escaped_and_never_reaches_the_terminal() {
	{
		cat "$fixture"
		printf 'Nov 24 23:40:00 mail postfix/smtpd[9000]: 9AB12102300: client=unknown[127.0.0.9], sasl_method=LOGIN, sasl_username=evil\033]0;PWNED\007\033[2J\342\200\256user\n'
		printf 'Nov 24 23:40:00 mail postfix/qmgr[8719]: 9AB12102300: from=<a\033[31mred@x.example>, size=1, nrcpt=1 (queue active)\n'
		printf 'Nov 24 23:40:01 mail postfix/qmgr[8719]: 9AB12102301: from=<\377\376bad-utf8@x.example>, size=1, nrcpt=1 (queue active)\n'
	} > "$tmp/hostile.log"
	tui_start 160x30 "$bin" --no-queue "$tmp/hostile.log"
	tui_wait "victim@lab.example"
	tui_screen | grep -qF 'evil\x1b]0;PWNED\x07\x1b[2J\u202euser'
	[ "$(tui display-message -p -t main '#{pane_title}')" != PWNED ]
	tui_keys 3
	tui_wait 'a\x1b[31mred@x.example'
	tui_screen | grep -qF $'\xef\xbf\xbd\xef\xbf\xbdbad-utf8@x.example'
}

# raw_bytes_are_safe FILE - what the console wrote to the terminal has none of the
# hostile table's sequences: no OSC, DCS, APC, PM, SOS or reset, no query or window
# CSI, no BEL or other raw control, no C1 and no bidi or invisible code point (ncurses'
# own CSI sequences are fine)
raw_bytes_are_safe() {
	local raw=$1
	[ -s "$raw" ]
	if LC_ALL=C grep -aqP '\x1b[\]P_^Xc]' "$raw"; then echo "OSC/DCS/APC/PM/SOS/RIS written"; return 1; fi
	if LC_ALL=C grep -aqP '\x1b\[(6n|21t|8;1;1t)' "$raw"; then echo "a hostile CSI written"; return 1; fi
	if LC_ALL=C grep -aqP '\xc2[\x80-\x9f]|\xe2\x80[\x8b-\x8f\xa8-\xae]|\xe2\x81[\xa0-\xa9]|\xef\xbb\xbf|\xd8\x9c' "$raw"; then
		echo "C1 or a bidi/invisible code point written"; return 1
	fi
	if LC_ALL=C grep -aqP '[\x00-\x07\x10-\x1a\x1c-\x1f\x7f]' "$raw"; then echo "a raw control byte written"; return 1; fi
}

hostile_table_through_every_view_writes_no_hostile_bytes() {
	build/hostile-log > "$tmp/hostile-table.log"
	tui_start 160x40 "$bin" --no-queue "$tmp/hostile-table.log"
	tui_wait "SASL users"
	tui pipe-pane -o -t main "cat >> $tmp/raw"
	tui_keys 3
	tui_wait "Envelope sender"
	tui_wait 'x1b]0;PWNED\x07title@hostile.example'
	tui_keys 2
	tui_wait "Client IP"
	tui_keys 4
	tui_wait "  Domain "
	tui_keys 6
	tui_wait "AuthFail"
	tui_keys 3 / 'PWNED' Enter	# the filter: its line echoes the pattern
	tui_wait "filter /PWNED/"
	tui_keys Enter
	tui_wait "Messages of Envelope sender"
	tui_keys Enter	# the message: its log trail is the hostile lines themselves
	tui_wait "Log trail: 2 line(s)"
	tui_wait 'sasl_username=\x1b]0;PWNED\x07title'
	tui_keys Escape Escape / Enter 1 / 'dcs$' Enter
	tui_wait "filter /dcs$/"
	tui_keys Enter
	tui_wait "Messages of SASL user"
	tui_keys Enter
	tui_wait 'sasl_username=\x1bP+q544e\x1b\dcs'
	tui_keys '?'
	tui_wait "Help: keys of the active keymap"
	tui pipe-pane -t main
	[ "$(tui display-message -p -t main '#{pane_title}')" != PWNED ]
	raw_bytes_are_safe "$tmp/raw"
}

help_is_generated_from_the_active_keymap() {
	tui_start 100x80 "$bin" --no-queue "$fixture"
	tui_wait "victim@lab.example"
	tui_keys '?'
	tui_wait "Help: keys of the active keymap"
	tui_screen | grep -qE '^  H +hold-all +Step 1: hold the whole queue'
	tui_screen | grep -qE '^  d, F9 +delete '
	tui_keys q
	tui_wait "2 rows, sorted by Msgs"
}

vim_keymap_and_user_overrides_apply_and_bad_lines_are_reported() {
	mkdir -p "$tmp/xdg/spamtop"
	printf 'bind table X tab-queue\nbind table x explode\n' > "$tmp/xdg/spamtop/keys"
	tui_start 100x50 env XDG_CONFIG_HOME="$tmp/xdg" "$bin" --keymap vim --no-queue "$fixture"
	tui_wait "1 key-binding warning(s): see help (?)"
	tui_keys l
	tui_wait "Messages of SASL user victim@lab.example"
	tui_keys h
	tui_wait "2 rows, sorted by Msgs"
	tui_keys X
	tui_wait "Delay reason"
	tui_keys '?'
	tui_wait "Help: keys of the active keymap"
	tui_screen | grep -qE '^  Enter, Right, l +enter '
	tui_keys G
	tui_wait "keys:2: unknown action 'explode'"
}

dry_run_actions_show_the_plan_and_never_run_postsuper() {
	fake_tools
	tui_start 100x30 env PATH="$tmp/bin:$PATH" "$bin" --dry-run --journal "$tmp/journal" "$fixture"
	tui_wait "hold 0  deferred 3"
	tui_wait "[DRY RUN]"
	tui_keys H
	tui_wait "Hold 3 messages: all queued messages"
	tui_screen | grep -q "Command: postsuper -h ALL"
	tui_keys y
	tui_wait "Dry run: nothing was changed"
	tui_keys Escape
	tui_keys d
	tui_wait "Delete 2 messages: SASL user victim@lab.example"
	tui_screen | grep -q "Command: postsuper -d -   (queue IDs on standard input)"
	tui_keys n
	tui_wait "Cancelled: nothing was changed"
	tui_keys 5
	tui_wait "3 rows, sorted by Age"
	tui_keys Space Space h
	tui_wait "Hold 2 messages"
	tui_keys y
	tui_wait "Dry run: nothing was changed"
	[ ! -e "$tmp/postsuper.called" ]
	[ ! -e "$tmp/journal" ]
}

cleanup_wizard_in_dry_run_walks_the_steps_and_changes_nothing() {
	fake_tools
	printf '#!/bin/sh\n[ "$2" = mynetworks ] && echo "127.0.0.1/32 127.0.0.2/32"\n[ "$2" = config_directory ] && echo /etc/postfix\n[ "$2" = mydomain ] && echo lab.example\nexit 0\n' > "$tmp/bin/postconf"
	chmod +x "$tmp/bin/postconf"
	tui_start 110x40 env PATH="$tmp/bin:$PATH" "$bin" --dry-run --journal "$tmp/journal" --state "$tmp/state.json" \
		--incident "$tmp/incident.md" "$fixture"
	tui_wait "hold 0  deferred 3"
	tui_keys c
	tui_wait "Cleanup step 1 of 6: Hold the queue"
	tui_keys Enter
	tui_wait "DRY RUN: nothing will be changed"
	tui_keys y
	tui_wait "Dry run: nothing was changed"
	tui_keys Escape
	tui_wait "Cleanup step 2 of 6"
	tui_screen | grep -q "done: 1. Hold the queue: dry run: would hold 3 messages"
	tui_wait "cheap-pills.example"
	if tui_screen | grep -qE "messages +lab\.example$"; then echo "our own domain listed as foreign"; return 1; fi
	tui_keys Enter
	tui_wait "Cleanup step 3 of 6"
	tui_keys Down Down Space
	tui_wait "> [x] brute_force 127.0.0.66"
	tui_keys Space
	tui_wait "> [ ] brute_force 127.0.0.66"
	tui_keys Enter
	tui_wait "mynetworks after: 127.0.0.1/32"
	tui_keys Enter
	tui_wait "Read-only: these are for you to run"
	tui_keys Escape n
	tui_wait "Cleanup step 5 of 6"
	tui_keys Escape
	tui_wait "1 SASL users"
	[ ! -e "$tmp/postsuper.called" ]
	[ ! -e "$tmp/journal" ]
	jq -e '.step == 5 and .targets[0].key == "victim@lab.example" and .targets[2].chosen == false' "$tmp/state.json"
}

# wizard_at_step_4_on_the_web_app NAME - the console, dry run, on the recorded web
# application (stand-ins in $tmp/bin first on PATH; journal and state named by
# NAME), walked by keys to the cleanup's step 4 with the web application marked
wizard_at_step_4_on_the_web_app() {
	tui_start 110x40 env PATH="$tmp/bin:$PATH" "$bin" --dry-run --journal "$tmp/journal-$1" --state "$tmp/state-$1.json" \
		--no-queue tests/fixtures/lab-webapp.log
	tui_wait "web app uid 33"
	tui_keys c
	tui_wait "Cleanup step 1 of 6"
	tui_keys n n
	tui_wait "Cleanup step 3 of 6"
	tui_wait "[x] web_app 33"
	tui_keys n
	tui_wait "Cleanup step 4 of 6"
}

# a web application's uid marked in step 3: step 4 shows its user's exclusion
# put first in authorized_submit_users as the server has it (a restrictive
# list stays restrictive), and a dry run changes nothing
cleanup_wizard_shows_the_web_applications_user_kept_from_sendmail() {
	fake_tools
	printf '#!/bin/sh\necho "postconf $*" >> %s/postconf.calls\ncase "$1 $2" in\n"-h authorized_submit_users") echo "root, static:anyone" ;;\n"-hx config_directory") echo /etc/postfix ;;\n"-hx mydomain") echo lab.example ;;\n-e*) exit 99 ;;\nesac\nexit 0\n' "$tmp" > "$tmp/bin/postconf"
	chmod +x "$tmp/bin/postconf"
	rm -f "$tmp/postconf.calls"
	wizard_at_step_4_on_the_web_app web
	tui_wait "web application uid 33: find and stop the script"
	tui_wait "its user here: www-data; find the script: ps -u 33 -f"
	tui_wait "authorized_submit_users now:   root, static:anyone"
	tui_wait "authorized_submit_users after: !www-data, root, static:anyone"
	if grep -q -- "-e" "$tmp/postconf.calls"; then echo "postconf -e was run"; return 1; fi
}

# two Postfix instances (postmulti): step 4 shows each instance's own
# authorized_submit_users, as each postconf -c DIR says it, and runs no edit
cleanup_wizard_shows_each_instances_value_on_two_instances() {
	fake_tools
	printf '#!/bin/sh\necho "-  -  y  /etc/postfix"\necho "postfix-out  mta  y  /etc/postfix-out"\n' > "$tmp/bin/postmulti"
	cat > "$tmp/bin/postconf" <<EOS
#!/bin/sh
echo "postconf \$*" >> $tmp/postconf.calls
dir=/etc/postfix
[ "\$1" = -c ] && { dir=\$2; shift 2; }
[ \$# = 2 ] || exit 0	# one parameter at a time: spamtop asks so when a batch does not answer line for line
case "\$dir \$1 \$2" in
"/etc/postfix -h authorized_submit_users") echo "root, static:anyone" ;;
"/etc/postfix-out -h authorized_submit_users") echo "static:anyone" ;;
*" -hx config_directory") echo "\$dir" ;;
"/etc/postfix-out -hx syslog_name") echo postfix-out ;;
*" -hx syslog_name") echo postfix ;;
*" -e"*) exit 99 ;;
esac
exit 0
EOS
	chmod +x "$tmp/bin/postconf" "$tmp/bin/postmulti"
	rm -f "$tmp/postconf.calls"
	wizard_at_step_4_on_the_web_app two
	tui_wait "default: authorized_submit_users now:   root, static:anyone"
	tui_wait "postfix-out: authorized_submit_users now:   static:anyone"
	tui_wait "postfix-out: authorized_submit_users after: !www-data, static:anyone"
	tui_wait "postfix-out: commands: copy /etc/postfix-out/main.cf aside"
	tui_screen | grep -q "^account victim@lab\.example"	# a marked account: its line of its own
	grep -q "^postconf -c /etc/postfix-out -h authorized_submit_users$" "$tmp/postconf.calls"
	if grep -q -- "-e" "$tmp/postconf.calls"; then echo "postconf -e was run"; return 1; fi
}

# the log keeps being written while the wizard is open (a line every 0.1 s,
# each one redrawing): step 3 lists each suspect once, the admin's unmark
# holds, and step 4 plans only what is still marked
cleanup_wizard_on_a_log_still_written_lists_each_suspect_once() {
	fake_tools
	printf '#!/bin/sh\n[ "$2" = mynetworks ] && echo "127.0.0.1/32 127.0.0.2/32"\n[ "$2" = config_directory ] && echo /etc/postfix\nexit 0\n' > "$tmp/bin/postconf"
	chmod +x "$tmp/bin/postconf"
	cp "$fixture" "$tmp/live.log"
	( i=0; while [ $i -lt 300 ] && [ -e "$tmp/live.log" ]; do
		printf 'Nov 24 23:59:%02d mail postfix/smtpd[9%03d]: connect from unknown[192.0.2.%d]\n' $((i % 60)) $i $((i % 200 + 1)) >> "$tmp/live.log"
		i=$((i + 1)); sleep 0.1; done ) &
	local writer=$!
	tui_start 110x40 env PATH="$tmp/bin:$PATH" "$bin" --dry-run --journal "$tmp/journal" --state "$tmp/state.json" \
		--incident "$tmp/incident.md" "$tmp/live.log"
	tui_wait "hold 0  deferred 3"
	tui_keys c
	tui_wait "Cleanup step 1 of 6"
	tui_keys n n
	tui_wait "Cleanup step 3 of 6"
	sleep 1.5	# 15 lines and their redraws later
	local n
	n=$(tui_screen | grep -c "sasl_user victim@lab.example")
	[ "$n" = 1 ] || { echo "victim listed $n times"; tui_screen; kill $writer; return 1; }
	tui_keys Space
	tui_wait "> [ ] sasl_user victim@lab.example"
	sleep 1
	tui_screen | grep -q "> \[ \] sasl_user victim@lab.example"
	tui_keys Enter
	tui_wait "Cleanup step 4 of 6"
	tui_wait "mynetworks after: 127.0.0.1/32"
	# step 4 names an account it contains on a line of its own (the alert line names it too)
	if tui_screen | grep -q "^account victim@lab\.example"; then echo "an unmarked account is planned"; kill $writer; return 1; fi
	kill $writer 2>/dev/null
	wait $writer 2>/dev/null || true
	jq -e '(.targets | length) == 3 and .targets[0].chosen == false' "$tmp/state.json"
}

# step 6's throttled release against stand-in postqueue/postsuper: five held
# messages go one every 2 s, oldest first, each batch's ID on postsuper's
# stdin; when the contained account logs a message again (a line appended to
# the live log) the release stops and the queue is held again. Needs root (a
# real change, not a dry run): CI runs as root.
throttled_release_goes_in_batches_and_stops_when_a_contained_account_sends_again() {
	[ "$(id -u)" = 0 ] || { echo "needs root"; return 1; }
	mkdir -p "$tmp/tbin"
	cat > "$tmp/tbin/postqueue" <<'EOS'
#!/bin/sh
[ "$1" = -j ] || exit 64
for m in AAAA000005:500 AAAA000001:100 AAAA000004:400 AAAA000002:200 AAAA000003:300; do
	printf '{"queue_name": "hold", "queue_id": "%s", "arrival_time": %s, "message_size": 400, "sender": "s@x.example", "recipients": [{"address": "r@y.example"}]}\n' "${m%%:*}" "${m#*:}"
done
EOS
	cat > "$tmp/tbin/postsuper" <<EOS
#!/bin/sh
echo "\$*" >> "$tmp/t-argv"
[ "\$2" = - ] && { touch "$tmp/t-busy"; sleep 1; }	# a batch takes its time, as 10 000 IDs do
[ "\$2" = - ] && while read -r id; do echo "\$id" >> "$tmp/t-ids"; echo "postsuper: \$id: released from hold" >&2; done
rm -f "$tmp/t-busy"
exit 0
EOS
	printf '#!/bin/sh\n[ "$2" = config_directory ] && echo /etc/postfix\nexit 0\n' > "$tmp/tbin/postconf"
	fake_postmulti "$tmp/tbin"
	chmod +x "$tmp/tbin"/*
	cp "$fixture" "$tmp/tlive.log"
	rm -f "$tmp/t-argv" "$tmp/t-ids"
	tui_start 110x40 env PATH="$tmp/tbin:$PATH" "$bin" cleanup --throttle 1/2 --journal "$tmp/tjournal" \
		--state "$tmp/tstate.json" --incident "$tmp/tincident.md" "$tmp/tlive.log"
	tui_wait "Cleanup step 1 of 6"
	tui_keys n n n n n
	tui_wait "Cleanup step 6 of 6: Release and watch"
	tui_wait "Or t: release the held queue in batches of 1 every 2 s"
	tui_keys t
	tui_wait "Release 5 held messages in 5 batches of up to 1, one every 2 s, oldest first"
	tui_keys y
	tui_wait "Cleanup: watching after the release"
	local deadline=$((SECONDS + 10)) ms
	until [ -e "$tmp/t-busy" ]; do	# a batch is running: the screen still answers, at once
		[ $SECONDS -lt $deadline ] || { echo "no batch began"; return 1; }; sleep 0.02
	done
	ms=$(tui_answer_ms "A batch of the throttled release is running" n)
	[ -e "$tmp/t-busy" ] && [ "$ms" -lt 250 ] || { echo "answered in $ms ms (batch running: $([ -e "$tmp/t-busy" ] && echo yes))"; return 1; }
	deadline=$((SECONDS + 10))
	until [ "$(wc -l < "$tmp/t-ids" 2>/dev/null || echo 0)" -ge 2 ]; do
		[ $SECONDS -lt $deadline ] || { echo "no second batch"; return 1; }; sleep 0.1
	done
	[ "$(head -2 "$tmp/t-ids" | tr '\n' ' ')" = "AAAA000001 AAAA000002 " ]	# oldest first, one a batch
	printf 'Nov 24 23:59:59 mail postfix/smtpd[9999]: 7F7F7F7F7F: client=unknown[192.0.2.99], sasl_method=LOGIN, sasl_username=victim@lab.example\n' >> "$tmp/tlive.log"
	tui_wait "STOPPED: sasl_user victim@lab.example sent again: the queue is held again"
	grep -qx -- "-h ALL" "$tmp/t-argv"
	[ "$(wc -l < "$tmp/t-ids")" -lt 5 ]	# the rest stayed held
	grep -c -- "-H -" "$tmp/t-argv" | grep -qv '^0$'
	jq -es 'map(select(.action == "release" and .phase == "done")) | length >= 2' "$tmp/tjournal"
}

# answered_within_100ms FILE: key answer times (ms, one a line) measured from
# outside (tmux send-keys to the screen showing it, tmux's own time included):
# the median under 100 ms, none over 250 (a blocked loop takes seconds);
# ANSWERS_LOG=FILE keeps the figures
answered_within_100ms() {
	local median worst
	median=$(sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	worst=$(sort -n "$1" | tail -1)
	echo "key answers (ms): $(tr '\n' ' ' < "$1")median $median, slowest $worst" | tee -a "${ANSWERS_LOG:-/dev/null}"
	[ "$median" -lt 100 ] && [ "$worst" -lt 250 ]
}

# an outbreak-sized queue (100 000 messages, a third of them the account's,
# each confirmed from its queue file by a stand-in postcat that takes its
# time): while the plan is built the screen answers keys (a tab switch),
# Esc stops it with nothing changed, and built to the end it offers the
# exact count
# big_queue: the stand-ins of a 100 000-message queue (made once)
big_queue() {
	[ -x "$tmp/bigbin/postqueue" ] && return 0
	mkdir -p "$tmp/bigbin"
	awk -v q="$tmp/big.jsonl" -v lg="$tmp/big.log" 'BEGIN { for (i = 0; i < 100000; i++) {
		id = sprintf("%011X", 1048576 + i * 7919)
		printf "{\"queue_name\": \"deferred\", \"queue_id\": \"%s\", \"arrival_time\": 1795561949, \"message_size\": 500, \"sender\": \"promo%d@deals.example\", \"recipients\": [{\"address\": \"b%d@victims.example\"}]}\n", id, i % 50, i > q
		if (i % 3 == 1)
			printf "Nov 24 10:%02d:%02d mail postfix/smtpd[1]: %s: client=unknown[192.0.2.%d], sasl_method=LOGIN, sasl_username=victim@x.example\n", (i / 60) % 60, i % 60, id, i % 250 > lg
		else	# the log knows every message (local submissions of many users): only the account is confirmed from files
			printf "Nov 24 10:%02d:%02d mail postfix/pickup[2]: %s: uid=%d from=<promo%d@deals.example>\n", (i / 60) % 60, i % 60, id, 2000 + i % 1000, i % 50 > lg
	} }'
	printf '#!/bin/sh\nexec cat "%s"\n' "$tmp/big.jsonl" > "$tmp/bigbin/postqueue"
	printf '#!/bin/sh\nsleep 0.02\nshift\nprintf "%%s\\n" "$@" | awk '"'"'{ print "*** ENVELOPE RECORDS deferred/0/" $1 " ***"; print "named_attribute: sasl_username=victim@x.example" }'"'"'\n' > "$tmp/bigbin/postcat"
	printf '#!/bin/sh\ntouch "%s/big-postsuper.called"\n' "$tmp" > "$tmp/bigbin/postsuper"
	chmod +x "$tmp/bigbin"/*
	fake_postmulti "$tmp/bigbin"
}

a_big_plan_is_built_off_the_key_handler_keys_are_answered_and_esc_cancels() {
	big_queue
	tui_start 120x30 env PATH="$tmp/bigbin:$PATH" "$bin" --dry-run --journal "$tmp/bigj" "$tmp/big.log"
	tui_wait "deferred 100000" 30
	tui_wait "victim@x.example"
	tui_keys d
	tui_wait "confirmed from their queue files (Esc cancels)"
	tui_keys 2	# a tab, while the plan is being built
	tui_wait "192.0.2."	# answered: the other tab, while ...
	tui_wait "confirmed from their queue files (Esc cancels)"	# ... the plan is still being built
	local i
	for i in 1 2 3; do	# how fast: tabs back and forth while it is built
		tui_answer_ms "SASL user   " 1
		tui_answer_ms "Client IP   " 2
	done > "$tmp/answers"
	tui_wait "confirmed from their queue files (Esc cancels)"	# all of it while the plan was built
	answered_within_100ms "$tmp/answers"
	tui_keys Escape
	tui_wait "Cancelled while the plan was built: nothing was changed"
	tui_keys 1
	tui_wait "victim@x.example"
	tui_keys d
	tui_wait "Delete 33333 messages: SASL user victim@x.example" 60
	tui_keys n
	tui_wait "Cancelled: nothing was changed"
	[ ! -e "$tmp/big-postsuper.called" ]
	[ ! -e "$tmp/bigj" ]
}

# the cleanup's step 5 on the same queue: its plan too is built off the key
# handler (the wizard's page answers Esc while 33 333 files are confirmed)
the_cleanup_step_5_plan_is_built_off_the_key_handler() {
	big_queue
	printf '#!/bin/sh\n[ "$2" = config_directory ] && echo /etc/postfix\nexit 0\n' > "$tmp/bigbin/postconf"
	chmod +x "$tmp/bigbin/postconf"
	tui_start 120x30 env PATH="$tmp/bigbin:$PATH" "$bin" cleanup --dry-run --journal "$tmp/bigj" \
		--state "$tmp/big-state.json" --incident "$tmp/big-incident.md" "$tmp/big.log"
	tui_wait "deferred 100000" 30
	tui_keys n n n n
	tui_wait "Cleanup step 5 of 6: Clean the queue"
	tui_keys Enter
	tui_wait "confirmed from their queue files (Esc cancels)"
	tui_keys Escape
	tui_wait "Cancelled while the plan was built: nothing was changed"
	tui_keys Enter
	tui_wait "Delete 33333 messages: SASL user victim@x.example" 60
	tui_keys n
	tui_wait "Cancelled: nothing was changed"
	[ ! -e "$tmp/big-postsuper.called" ]
}

# a confirmed action runs off the key handler: a postsuper that takes 3 s
# (tens of thousands of IDs do) leaves the screen answering keys, and its
# result comes in a dialog when it is done. Needs root (a real change, not
# a dry run): CI runs as root.
a_running_action_leaves_the_screen_answering_keys() {
	[ "$(id -u)" = 0 ] || { echo "needs root"; return 1; }
	fake_tools
	mkdir -p "$tmp/slowbin"
	cp "$tmp/bin/"* "$tmp/slowbin/"
	printf '#!/bin/sh\nsleep 3\necho "$@" >> %s/slow-postsuper.called\necho "postsuper: Placed on hold: 3 messages" >&2\n' "$tmp" > "$tmp/slowbin/postsuper"
	chmod +x "$tmp/slowbin/"*
	tui_start 110x30 env PATH="$tmp/slowbin:$PATH" "$bin" --journal "$tmp/slow-journal" "$fixture"
	tui_wait "hold 0  deferred 3"
	tui_keys H
	tui_wait "Hold 3 messages: all queued messages"
	tui_keys y
	tui_wait "Running: hold 3 messages (journaled; the screen keeps answering)"
	tui_keys 2	# a tab, while postsuper runs
	tui_wait "sorted by Msgs"
	tui_screen | grep -q "127.0.0.2"
	[ ! -e "$tmp/slow-postsuper.called" ] || { echo "postsuper was done before the key"; return 1; }
	tui_wait "Done (any key closes)"
	grep -qx -- "-h ALL" "$tmp/slow-postsuper.called"
	jq -es 'map(select(.phase == "done" and .action == "hold")) | length == 1' "$tmp/slow-journal"
}

threshold_crossed_shows_a_banner_and_runs_the_alert_command_once_journaled() {
	mkdir -p "$tmp/bin250"
	printf '#!/bin/sh\ni=0\nwhile [ $i -lt 250 ]; do printf '"'"'{"queue_name": "deferred", "queue_id": "%%05X1A2B3", "arrival_time": 1, "message_size": 400, "sender": "s@x.example", "recipients": [{"address": "r@y.example"}]}\\n'"'"' $i; i=$((i+1)); done\n' > "$tmp/bin250/postqueue"
	chmod +x "$tmp/bin250/postqueue"
	fake_postmulti "$tmp/bin250"
	printf '#!/bin/sh\necho "$1:$2:$3" >> %s/alerts\n' "$tmp" > "$tmp/alert.sh"
	chmod +x "$tmp/alert.sh"
	tui_start 110x30 env PATH="$tmp/bin250:$PATH" "$bin" --refresh 0.2 --journal "$tmp/alert-journal" \
		--alert-cmd "$tmp/alert.sh {check} {state} {value}" "$fixture"
	tui_wait "CRIT queue WARN deferred"
	tui_screen | grep -q "Queue    250"
	local deadline=$((SECONDS + 5))
	until [ -s "$tmp/alerts" ]; do [ $SECONDS -lt $deadline ] || { echo "the alert command did not run"; return 1; }; sleep 0.05; done
	sleep 1	# several refreshes later: still one run (once per crossing, rate-limited)
	[ "$(cat "$tmp/alerts")" = "queue:CRITICAL:250" ] || return 1
	# journaled as every change is: planned, then done (started), with its argv
	[ "$(jq -r 'select(.action == "alert") | "\(.phase) \(.selection) \(.state) \(.command[1])"' "$tmp/alert-journal" |
		paste -sd '|')" = "planned queue CRITICAL queue|done queue CRITICAL queue" ] &&
	[ "$(jq -r 'select(.phase == "done") | .started' "$tmp/alert-journal")" = true ]
}

queue_message_detail_has_recipients_and_headers() {
	fake_tools
	printf '#!/bin/sh\nprintf "Subject: Cheap pills 23\\nFrom: promo3@cheap-pills.example\\n"\n' > "$tmp/bin/postcat"
	tui_start 100x40 env PATH="$tmp/bin:$PATH" "$bin" --dry-run "$fixture"
	tui_wait "hold 0  deferred 3"
	tui_keys 5
	tui_wait "3 rows, sorted by Age"
	tui_keys / 31C49 Enter
	tui_wait "1 rows of 3"
	tui_keys Enter
	tui_wait "Headers (postcat -hq)"
	tui_screen | grep -q "Subject: Cheap pills 23"
	tui_screen | grep -q "x@victims.example"
	tui_screen | grep -q "SASL user    victim@lab.example"
}

follows_a_growing_log_and_its_rotation() {
	: > "$tmp/live.log"
	tui_start 100x30 "$bin" --no-queue --refresh 0.2 "$tmp/live.log"
	tui_wait "0 rows"
	head -150 "$fixture" >> "$tmp/live.log"
	tui_wait "victim@lab.example"
	mv "$tmp/live.log" "$tmp/live.log.1"
	tail -n +151 "$fixture" > "$tmp/live.log"
	tui_keys 2
	tui_wait "9 rows"
	tui_screen | head -1 | grep -q " 325 lines"
}

a_log_replaced_by_a_directory_is_said_and_following_resumes() {
	cp "$fixture" "$tmp/gone.log"
	tui_start 120x30 "$bin" --no-queue --refresh 0.2 "$tmp/gone.log"
	tui_wait "victim@lab.example"
	rm "$tmp/gone.log"
	mkdir "$tmp/gone.log"
	tui_wait "cannot follow $tmp/gone.log: not a regular file"
	rmdir "$tmp/gone.log"
	tail -5 "$fixture" > "$tmp/gone.log"
	tui_gone "not a regular file"
	tui_screen | head -1 | grep -q " 330 lines"
}

# journal_of FILE JOURNAL: a real systemd journal file holding FILE's syslog lines
# (journal export format -> systemd-journal-remote), all of 2026-11-24, UTC

journald_is_read_through_the_real_journalctl() {
	journal_of "$fixture" "$tmp/mail.journal"
	fake_journalctl "$tmp/jbin" "$tmp/mail.journal"
	tui_start 110x30 env PATH="$tmp/jbin:$PATH" "$bin" --no-queue --journald
	tui_wait "victim@lab.example"
	tui_screen | head -1 | grep -q "spamtop on .* - journald - 325 lines, .* - log time 2026-11-24 23:35:37"
	# the history, then the entries after its last one followed: one written now is read once
	grep -q -- '--show-cursor' "$tmp/jbin/journalctl.args"
	local deadline=$((SECONDS + 10))
	until grep -q -- '--follow --no-tail --no-pager --output=short-iso SYSLOG_FACILITY=2 --after-cursor=s=' \
		"$tmp/jbin/journalctl.args"; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
	printf '__REALTIME_TIMESTAMP=%s\n__MONOTONIC_TIMESTAMP=999999\n_BOOT_ID=0123456789abcdef0123456789abcdef\n' \
		1795563400000000 > "$tmp/more.txt"
	printf '_HOSTNAME=mail\nSYSLOG_FACILITY=2\nSYSLOG_IDENTIFIER=postfix/smtpd\n_PID=9\nMESSAGE=%s\n\n' \
		'connect from unknown[192.0.2.200]' >> "$tmp/more.txt"
	/lib/systemd/systemd-journal-remote --output="$tmp/mail.journal" "$tmp/more.txt" 2>/dev/null	# appends
	tui_wait "journald - 326 lines"
	tui_screen | grep -q "compromised account victim@lab.example | trusted relay 127.0.0.2 | brute force 127.0.0.66"
	tui_keys Enter
	tui_wait "Messages of SASL user victim@lab.example - 24 rows"
	tui_keys Enter
	tui_wait "Log trail: 0 line(s)"	# the journal is not a file to search: said, not hidden
}

journalctl_that_fails_is_said_on_the_alert_line() {
	mkdir -p "$tmp/jbin2"
	printf '#!/bin/sh\necho "No journal files were found." >&2\nexit 1\n' > "$tmp/jbin2/journalctl"
	chmod +x "$tmp/jbin2/journalctl"
	tui_start 110x30 env PATH="$tmp/jbin2:$PATH" "$bin" --no-queue --journald
	tui_wait "journalctl ended with status 1: No journal files were found."
}

resizes_to_80x24_and_says_when_the_terminal_is_too_small() {
	tui_start 120x40 "$bin" --no-queue "$fixture"
	tui_wait "victim@lab.example"
	tui resize-window -t main -x 80 -y 24
	tui_wait "1 SASL users"
	sleep 0.3
	[ "$(tui_screen | sed 's/\xe2\x80\xa6/./g' | awk '{ if (length($0) > 80) n++ } END { print n+0 }')" = 0 ]
	tui resize-window -t main -x 30 -y 8
	tui_wait "terminal too small: 40x10 min"
	tui resize-window -t main -x 100 -y 30
	tui_wait "victim@lab.example"
}

no_color_and_monochrome_draw_without_colour() {
	tui_start 100x24 env NO_COLOR=1 "$bin" --no-queue "$fixture"
	tui_wait "victim@lab.example"
	if tui capture-pane -p -e -t main | grep -qE $'\e\\[(3|4)[0-7]m'; then echo "colour with NO_COLOR"; return 1; fi
	tui_stop
	tui_start 100x24 "$bin" --no-queue "$fixture"
	tui_wait "victim@lab.example"
	tui capture-pane -p -e -t main | grep -qE $'\e\\[[0-9;]*(3|4)[0-7]'
}

quits_on_q_and_restores_the_terminal() {
	tui_start 100x24 sh -c "\"\$0\" --no-queue \"\$1\"; echo exit=\$?; exec sleep 10" "$bin" "$fixture"
	tui_wait "victim@lab.example"
	tui_keys q
	tui_wait "exit=0"
	[ "$(tui display-message -p -t main '#{alternate_on}')" = 0 ]
}

ctrl_c_quits_with_130_and_restores_the_terminal() {
	tui_start 100x24 sh -c "trap '' INT; \"\$0\" --no-queue \"\$1\"; echo exit=\$?; exec sleep 10" "$bin" "$fixture"
	tui_wait "victim@lab.example"
	tui_keys C-c
	tui_wait "exit=130"
	[ "$(tui display-message -p -t main '#{alternate_on}')" = 0 ]
}

crash_signal_restores_the_terminal() {
	tui_start 100x24 sh -c "\"\$0\" --no-queue \"\$1\" & pid=\$!; echo \$pid > $tmp/pid; wait \$pid; echo exit=\$?; exec sleep 10" "$bin" "$fixture"
	tui_wait "victim@lab.example"
	[ "$(tui display-message -p -t main '#{alternate_on}')" = 1 ]
	kill -SEGV "$(cat "$tmp/pid")"
	tui_wait "exit=139"
	[ "$(tui display-message -p -t main '#{alternate_on}')" = 0 ]
}

hangup_during_an_action_lets_it_finish_and_journal_before_leaving() {
	if [ "$(id -u)" != 0 ]; then echo "skipped: queue actions need root"; return 0; fi
	fake_tools
	# a slow postsuper: the hangup arrives while it works
	printf '#!/bin/sh\nsleep 1\nwhile read id; do echo "postsuper: $id: placed on hold" >&2; done\necho ran > %s/postsuper.called\n' "$tmp" > "$tmp/bin/postsuper"
	chmod +x "$tmp/bin/postsuper"
	tui_start 110x30 env PATH="$tmp/bin:$PATH" sh -c "\"\$0\" --journal $tmp/journal \"\$1\" & pid=\$!; echo \$pid > $tmp/pid; wait \$pid; echo exit=\$?; exec sleep 10" "$bin" "$fixture"
	tui_wait "hold 0  deferred 3"
	tui_keys 5
	tui_wait "3 rows, sorted by Age"
	tui_keys / 31C49 Enter
	tui_wait "1 rows of 3"
	tui_keys h
	tui_wait "Hold 1 message: queue ID 31C49102266"
	tui_keys y
	sleep 0.3	# postsuper is sleeping now
	kill -HUP "$(cat "$tmp/pid")"
	tui_wait "exit=129"
	[ "$(tui display-message -p -t main '#{alternate_on}')" = 0 ]
	[ -e "$tmp/postsuper.called" ]
	[ "$(jq -s length "$tmp/journal")" = 2 ]
	jq -s -e '.[0].phase == "planned" and .[1].phase == "done" and .[1].changed == ["31C49102266"]' "$tmp/journal"
}

# 80x24, the terminal of a phone's ssh client: the names keep their width
# before the least needed numbers (/15m first), the help's first page names
# the incident keys, and once anything is held "R release all" is in the
# footer whatever else has to go
an_80x24_screen_keeps_names_the_incident_keys_and_release_all() {
	fake_tools
	sed -i 's/"queue_name": "deferred"/"queue_name": "hold"/' "$tmp/bin/postqueue"
	tui_start 80x24 env PATH="$tmp/bin:$PATH" "$bin" --dry-run "$fixture"
	tui_wait "victim@lab.example"
	tui_screen | grep -qE '^! victim@lab\.example +24 +48 '
	if tui_screen | grep -q "/15m"; then return 1; fi
	tui_screen | grep -qE '^  SASL user .* /1m +/5m$'
	tui_wait "] hold 3  deferred 0"	# the held count first on the queue line
	tui_screen | tail -1 | grep -q "^ R release all "
	tui_keys "?"
	tui_wait "In an incident"
	local first
	first=$(tui_screen)
	for action in hold-all delete release-all cleanup why; do
		grep -qE "^  [^ ].* +$action " <<< "$first" || { echo "not on the first page: $action"; return 1; }
	done
}

# one file a central syslog wrote for two servers: no --source, yet the
# same view as two sources (each line belongs to the host it names)
a_central_syslog_file_shows_its_hosts_without_sources() {
	sed 's/^\(.\{15\}\) mail /\1 mail1 /' "$fixture" > "$tmp/c1.log"
	grep -v victim "$fixture" | sed 's/^\(.\{15\}\) mail /\1 mail2 /' > "$tmp/c2.log"
	paste -d '\n' "$tmp/c1.log" "$tmp/c2.log" | grep -v '^$' > "$tmp/central.log"
	tui_start 140x30 "$bin" --no-queue "$tmp/central.log"
	tui_wait "hosts mail1, mail2"
	tui_wait "victim@lab.example on mail1"
	tui_screen | grep -qE '^  Host +SASL user +Msgs'
	tui_screen | grep -qE '^! mail1 +victim@lab\.example +24 +48 '
	tui_screen | grep -qE '^  mail2 +alice@lab\.example +4 +4 '
	if tui_screen | grep -qE 'mail2 +victim'; then return 1; fi
	tui_keys @ @
	tui_wait "1 rows on host mail2 only"
	tui_keys @
	tui_wait "Every host shown"
	# a line mail2 logs now counts for mail2 alone
	echo "Nov 24 23:40:00 mail2 postfix/smtpd[9]: 4B2C1102300: client=unknown[192.0.2.77], sasl_method=LOGIN, sasl_username=bob@lab.example" >> "$tmp/central.log"
	tui_wait "bob@lab.example"
	tui_screen | grep -qE '^  mail2 +bob@lab\.example +1 '
}

two_hosts_show_in_one_view_with_a_host_column() {
	# the same capture on both hosts, without the victim on mail2: the same queue IDs stay apart
	cp "$fixture" "$tmp/mail1.log"
	grep -v victim "$fixture" > "$tmp/mail2.log"
	tui_start 140x30 "$bin" --no-queue --source "mail1=$tmp/mail1.log" --source "mail2=$tmp/mail2.log"
	tui_wait "hosts mail1, mail2"
	tui_wait "victim@lab.example on mail1"
	tui_screen | grep -qE '^  Host +SASL user +Msgs'
	tui_screen | grep -qE '^! mail1 +victim@lab\.example +24 +48 '
	tui_screen | grep -qE '^  mail1 +alice@lab\.example +4 +4 '
	tui_screen | grep -qE '^  mail2 +alice@lab\.example +4 +4 '
	if tui_screen | grep -qE 'mail2 +victim'; then return 1; fi
	tui_keys w	# why: the row's own suspect, of its own host
	tui_wait "sasl_user victim@lab.example on mail1: 24 messages"
	tui_screen | grep -q -- "- 5 client IPs (an IPv6 /64 as one) within 60 minutes in which it sent 10+ messages (threshold 3)"
	tui_keys Escape End w
	tui_wait "This row is not a suspect."
	tui_keys Escape Space	# tags are for actions here: not on mail2's rows
	tui_wait "That row is on mail2; spamtop acts on this machine, mail1, only"
	tui_keys Home Down Space	# mail1's alice: tagged, and mail2's alice is not
	tui_wait "1 tagged"
	tui_screen | grep -qE '^\* mail1 +alice@lab\.example '
	tui_screen | grep -qE '^  mail2 +alice@lab\.example '
	tui_keys U Home
	tui_keys @
	tui_wait "2 rows on host mail1 only"
	tui_keys @
	tui_wait "1 rows on host mail2 only"
	tui_keys Enter
	tui_wait "Messages of SASL user alice@lab.example - 4 rows"
	tui_screen | grep -cE '^  mail2 +[0-9A-F]{11} ' | grep -qx 4
	tui_keys Enter
	tui_wait "Host: mail2"
	tui_wait "Log trail: 5 line(s)"	# searched off the key handler: it comes a moment later
	tui_keys Escape Escape
	# a line written to mail2's log now counts for mail2 alone
	echo "Nov 24 23:40:00 mx2 postfix/smtpd[9]: 4B2C1102300: client=unknown[192.0.2.77], sasl_method=LOGIN, sasl_username=bob@lab.example" >> "$tmp/mail2.log"
	tui_wait "bob@lab.example"
	tui_screen | grep -qE '^  mail2 +bob@lab\.example +1 '
	tui_keys @
	tui_wait "Every host shown"
	tui_keys End
	tui_keys d	# refused, with what to run there instead
	tui_wait "That row is on mail2; spamtop acts on this machine, mail1, only; there: spamtop delete --sasl-user 'bob@lab.example'"
}

a_message_on_another_host_never_takes_this_machines_queue_state() {
	fake_tools
	sed -i 's/"queue_name": "deferred"/"queue_name": "hold"/' "$tmp/bin/postqueue"	# held here
	cp "$fixture" "$tmp/here.log"
	cp "$fixture" "$tmp/there.log"	# the same queue IDs on the other host
	tui_start 120x30 env PATH="$tmp/bin:$PATH" "$bin" --dry-run --source "here=$tmp/here.log" \
		--source "there=$tmp/there.log"
	tui_wait "hold 3"
	tui_keys 3 / '^offers@' Enter
	tui_wait "2 rows of"
	tui_keys Enter	# here's row first (host order breaks the tie)
	tui_wait "Messages of Envelope sender offers@bulk-mailer.example"
	tui_screen | grep -qE '^. here +67C62102268 .* hold '
	tui_keys Escape Down Enter
	tui_wait "Messages of Envelope sender offers@bulk-mailer.example"
	tui_screen | grep -qE '^. there +67C62102268 .* deferred '
	if tui_screen | grep -qE '^. there .* hold '; then return 1; fi
}

an_ssh_source_is_read_through_ssh_and_tail_with_the_path_quoted() {
	mkdir -p "$tmp/sshbin"
	# stands in for ssh: records its argv, then runs the remote command through a shell as sshd does
	cat > "$tmp/sshbin/ssh" <<'EOS'
#!/bin/sh
printf '%s\n' "$@" > "$SSH_ARGV_FILE"
while [ "$1" != -- ]; do shift; done
shift 2
exec sh -c "$*"
EOS
	chmod +x "$tmp/sshbin/ssh"
	cp "$fixture" "$tmp/it's mail.log"
	grep -v victim "$fixture" > "$tmp/here.log"
	tui_start 120x30 env PATH="$tmp/sshbin:$PATH" SSH_ARGV_FILE="$tmp/ssh.argv" "$bin" --no-queue \
		--source "here=$tmp/here.log" --source "far=ssh://admin@mx2.example.org$tmp/it's mail.log"
	tui_wait "victim@lab.example on far"
	tui_screen | grep -qE '^! far +victim@lab\.example +24 '
	[ "$(sed -n '/^--$/{n;p;q}' "$tmp/ssh.argv")" = admin@mx2.example.org ]
	[ "$(tail -1 "$tmp/ssh.argv")" = "'$tmp/it'\''s mail.log'" ]
	grep -qx BatchMode=yes "$tmp/ssh.argv"
	# the session drops: said on the alert line, then connected again for new lines
	pkill -f -- "-n \\+1 -- $tmp/it's mail.log"
	tui_wait "ssh connected again" 15
	local deadline=$((SECONDS + 10)) pid
	until pid=$(pgrep -f -- "-n 0 -- $tmp/it's mail.log") && ls -l /proc/$pid/fd | grep -q "it's mail.log"; do
		[ $SECONDS -lt $deadline ]; sleep 0.05
	done
	echo "Nov 24 23:40:00 mx2 postfix/smtpd[9]: 4B2C1102300: client=unknown[192.0.2.77], sasl_method=LOGIN, sasl_username=carol@lab.example" >> "$tmp/it's mail.log"
	tui_wait "carol@lab.example"
}

an_action_on_a_host_over_ssh_says_when_ssh_fails_and_esc_ends_a_slow_one() {
	mkdir -p "$tmp/sshbin2"
	# stands in for ssh to a server whose log it reads (tail through a shell, as sshd runs
	# it) but whose spamtop it cannot reach: refused, or no answer at all while $SSH_SLOW exists
	cat > "$tmp/sshbin2/ssh" <<'EOS'
#!/bin/sh
while [ "$1" != -- ]; do shift; done
shift 2
if [ "$1" = "'spamtop'" ]; then
	[ -e "$SSH_SLOW" ] && exec sleep 61
	if [ -e "$SSH_SLOW.none" ]; then
		echo "bash: line 1: spamtop: command not found" >&2
		exit 127
	fi
	echo "ssh: connect to host mx2.example.org port 22: Connection refused" >&2
	exit 255
fi
exec sh -c "$*"
EOS
	chmod +x "$tmp/sshbin2/ssh"
	cp "$fixture" "$tmp/far.log"
	grep -v victim "$fixture" > "$tmp/here.log"
	tui_start 120x30 env PATH="$tmp/sshbin2:$PATH" SSH_SLOW="$tmp/slow" "$bin" --no-queue \
		--journal "$tmp/fleet.jsonl" --source "here=$tmp/here.log" --source "far=ssh://admin@mx2.example.org$tmp/far.log"
	tui_wait_line '^! far +victim@lab\.example +24 ' 15
	tui_keys Home d	# the first row (the cursor stayed on the row it was on as far's came)
	tui_wait "exit status 255: ssh failed"
	tui_wait "Connection refused"
	tui_wait "Nothing to run on far."
	[ ! -e "$tmp/fleet.jsonl" ]	# nothing was run: nothing journaled
	tui_keys q
	tui_gone "Nothing to run on far."
	touch "$tmp/slow"
	tui_keys d
	tui_wait "Asking far's spamtop over ssh what delete would change (Esc leaves it)"
	pgrep -fx "sleep 61" > /dev/null
	local ms
	ms=$(tui_answer_ms "Left before far answered: nothing was changed" Escape)
	[ "$ms" -lt 1000 ]
	not pgrep -fx "sleep 61" > /dev/null	# its ssh was ended, not left running
	[ ! -e "$tmp/fleet.jsonl" ]
	rm "$tmp/slow"
	touch "$tmp/slow.none"	# reached, but spamtop is not installed there
	tui_keys d
	tui_wait "exit status 127: no spamtop on that server's PATH"
	tui_wait "Nothing to run on far."
}

the_cleanup_names_the_suspects_of_other_hosts_it_does_not_act_on() {
	fake_tools
	printf '#!/bin/sh\n[ "$2" = mynetworks ] && echo "127.0.0.1/32 127.0.0.2/32"\n[ "$2" = config_directory ] && echo /etc/postfix\n[ "$2" = mydomain ] && echo lab.example\nexit 0\n' > "$tmp/bin/postconf"
	chmod +x "$tmp/bin/postconf"
	grep -v victim "$fixture" > "$tmp/here.log"
	tui_start 110x40 env PATH="$tmp/bin:$PATH" "$bin" --dry-run --journal "$tmp/journal" --state "$tmp/state2.json" \
		--incident "$tmp/incident2.md" --source "here=$tmp/here.log" --source "far=$fixture"
	tui_wait "hold 0  deferred 3"
	tui_keys c
	tui_wait "Cleanup step 1 of 6"
	tui_keys n
	tui_wait "Cleanup step 2 of 6"
	tui_keys n
	tui_wait "Cleanup step 3 of 6"
	tui_wait "On other hosts (this cleanup acts on here only):"
	tui_wait "sasl_user victim@lab.example on far"
	if tui_screen | grep -q "\[.\] sasl_user victim@lab.example"; then
		echo "another host's account offered as this machine's target"; return 1
	fi
}

since_skips_the_older_history_and_says_how_much() {
	{ echo "$(date -d '-3 hours' '+%b %e %H:%M:%S') mx postfix/smtpd[1]: 1A2B3C4D5E: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=old@x.example"
	  echo "$(date -d '-10 minutes' '+%b %e %H:%M:%S') mx postfix/smtpd[1]: 2B3C4D5E6F: client=unknown[192.0.2.2], sasl_method=LOGIN, sasl_username=new@x.example"
	} > "$tmp/since.log"
	tui_start 120x30 "$bin" --no-queue --since 1h "$tmp/since.log"
	tui_wait "2 lines, "
	tui_wait "(1 before --since)"
	tui_wait "new@x.example"
	if tui_screen | grep -q "old@x.example"; then return 1; fi
}

a_key_limit_drops_cold_senders_while_following_and_keeps_the_culprits() {
	cp "$fixture" "$tmp/flood.log"
	tui_start 120x30 "$bin" --no-queue --max-keys 16 "$tmp/flood.log"
	tui_wait "victim@lab.example"
	tui_keys Enter
	tui_wait "Messages of SASL user victim@lab.example - 24 rows"
	# 2000 one-off messages, each from a new sender and IP, while the drill-down is open
	for i in $(seq 1000 2999); do
		printf 'Nov 24 23:41:%02d mail postfix/smtpd[9]: 5C%09X: client=unknown[198.51.%d.%d]\n' $((i % 60)) $i $((i / 250)) $((i % 250))
		printf 'Nov 24 23:41:%02d mail postfix/qmgr[2]: 5C%09X: from=<once%d@one%d.example>, size=100, nrcpt=1 (queue active)\n' $((i % 60)) $i $i $i
		printf 'Nov 24 23:41:%02d mail postfix/qmgr[2]: 5C%09X: removed\n' $((i % 60)) $i
	done >> "$tmp/flood.log"
	tui_wait "6325 lines"
	tui_wait "Messages of SASL user victim@lab.example - 24 rows"
	tui_keys Escape 3
	tui_wait "Envelope sender"
	local rows
	rows=$(tui_screen | sed -n 's/^\([0-9]*\) rows, sorted by.*/\1/p')
	[ "$rows" -le 16 ]
	tui_keys 1
	tui_wait_line '^! victim@lab\.example +24 +48 '
}

a_ten_gigabyte_sparse_log_is_read_at_once() {
	printf 'Nov 24 10:00:00 mx postfix/smtpd[1]: 1A2B3C4D5E: client=unknown[192.0.2.1], sasl_method=LOGIN, sasl_username=first@x.example\n' > "$tmp/sparse.log"
	truncate -s 10G "$tmp/sparse.log"	# the NUL hole a copytruncate without O_APPEND leaves
	printf '\nNov 24 10:00:01 mx postfix/smtpd[1]: 2B3C4D5E6F: client=unknown[192.0.2.2], sasl_method=LOGIN, sasl_username=last@x.example\n' >> "$tmp/sparse.log"
	tui_start 120x30 "$bin" --no-queue "$tmp/sparse.log"
	tui_wait "last@x.example" 20
	tui_screen | grep -q "first@x.example"
	rm -f "$tmp/sparse.log"
}

a_log_growing_faster_than_it_is_read_keeps_the_console_responsive() {
	: > "$tmp/fast.log"
	tui_start 120x30 "$bin" --no-queue "$tmp/fast.log"
	tui_wait "0 lines"
	build/genlog 1500000 > "$tmp/burst.log"
	local want
	want=$(wc -l < "$tmp/burst.log")
	cat "$tmp/burst.log" "$tmp/burst.log" "$tmp/burst.log" >> "$tmp/fast.log" &	# ~600 MB at once
	local writer=$! deadline
	tui_wait " MB behind" 5	# said while it catches up
	# keys are answered while the lines pour in
	tui_keys 2
	tui_wait "Client IP   " 5
	tui_keys 1
	tui_wait "SASL user   " 5
	wait $writer
	tui_wait "$((want * 3)) lines" 120
	tui_wait "victim@example.com" 10
	tui_gone " MB behind" 5
}

a_message_trail_in_a_big_log_is_searched_while_keys_answer() {
	build/genlog 6000000 > "$tmp/big.log"	# ~810 MB of history, skipped by --from-end: a search of seconds
	tui_start 120x30 "$bin" --no-queue --from-end "$tmp/big.log"
	tui_wait "0 lines"
	cat "$fixture" >> "$tmp/big.log"
	tui_wait "victim@lab.example"
	tui_keys Enter
	tui_wait "Messages of SASL user victim@lab.example - 24 rows"
	tui_keys End Enter
	tui_wait "Searching the logs for" 5	# the facts are shown at once, the trail is being looked for
	tui_screen | grep -q "SASL user *victim@lab.example"
	tui_wait " MB (Esc leaves)" 5	# its progress, said while the screen keeps answering
	# keys during the search: the help over the message view and back
	local i
	for i in 1 2 3; do
		tui_answer_ms "Help: keys" "?"
		tui_answer_ms "Message " Escape
	done > "$tmp/answers"
	tui_screen | grep -q "Searching the logs for"	# all of it while the search ran
	answered_within_100ms "$tmp/answers"
	tui_keys Escape	# leaving the view stops the search
	tui_wait "24 rows" 2
	tui_keys Enter	# again, and let it finish: every line of the message, from the end of the log
	tui_wait "Log trail: 5 line(s)" 60
	tui_screen | grep -q "Headers (postcat -hq)"
}

a_compressed_history_is_read_at_full_speed() {
	build/genlog 1000000 | gzip -1 > "$tmp/old.log.2.gz"
	local want
	want=$(gzip -dc "$tmp/old.log.2.gz" | wc -l)
	tui_start 120x30 "$bin" --no-queue "$tmp/old.log.2.gz"
	tui_wait "$want lines" 8	# it took 15 s when a .gz was read a slice a second
	tui_wait "victim@example.com"
}

standard_input_is_read_as_it_comes_and_never_freezes_the_screen() {
	mkfifo "$tmp/in"
	exec 7<>"$tmp/in"	# held open: the console's standard input stays quiet, not ended
	tui_start 120x30 sh -c 'exec "$0" --no-queue - < "$1"' "$bin" "$tmp/in"
	cat "$fixture" >&7
	tui_wait "victim@lab.example"
	tui_keys 2	# nothing more comes in: keys are still answered
	tui_wait "Client IP   "
	tui_keys 1
	echo "Nov 24 23:40:00 mail postfix/smtpd[9000]: 9AB12102300: client=unknown[127.0.0.9], sasl_method=LOGIN, sasl_username=late@lab.example" >&7
	tui_wait "late@lab.example"
	exec 7>&-	# the end of the stream is no error
	tui_keys 3
	tui_wait "Envelope sender"
	tui_screen | sed -n 3p | grep -qv "standard input"
}

non_utf8_locale_shows_question_marks_for_non_ascii() {
	printf 'Nov 24 23:40:00 mail postfix/qmgr[8719]: 9AB12102301: from=<caf\303\251@x.example>, size=1, nrcpt=1 (queue active)\n' > "$tmp/latin.log"
	tui_start 100x24 env LANG=C LC_ALL=C "$bin" --no-queue "$tmp/latin.log"
	tui_wait "Queue: not read"
	tui_keys 3
	tui_wait "caf?@x.example"
}

check "the opening screen names the suspects of the real capture" opening_screen_names_the_suspects_of_the_real_capture
check "drill-down goes from a user to its messages to a log trail" drill_down_goes_from_user_to_messages_to_a_log_trail
check "a message Dovecot relayed says so, and its trail holds Dovecot's line" \
	a_message_dovecot_relayed_says_so_and_its_trail_holds_dovecots_line
check "tabs show IPs, senders, domains, auth failures and local uids" tabs_show_ips_senders_domains_and_auth_failures
check "the filter keeps matching rows; a bad pattern is a message" filter_keeps_matching_rows_and_a_bad_pattern_is_a_message
check "sorting follows the keys, and the cursor stays on its row" sorting_follows_the_keys_and_the_cursor_stays_on_its_row
check "hostile log text is shown escaped and never reaches the terminal" hostile_log_text_is_shown_escaped_and_never_reaches_the_terminal
check "the hostile table through every view writes no hostile byte to the terminal" hostile_table_through_every_view_writes_no_hostile_bytes
check "help is generated from the active keymap" help_is_generated_from_the_active_keymap
check "vim keymap and user overrides apply; bad lines are reported" vim_keymap_and_user_overrides_apply_and_bad_lines_are_reported
children_inherit_no_terminal_and_no_file_of_spamtop() {
	# every descriptor spamtop opens is close-on-exec: a child (here the queue
	# reader; postsuper, postcat, ssh and --alert-cmd alike) sees only its pipes
	mkdir -p "$tmp/fdbin"
	printf '#!/bin/sh\nls -l /proc/$$/fd > %s/child-fds.tmp && mv %s/child-fds.tmp %s/child-fds\n' "$tmp" "$tmp" "$tmp" > "$tmp/fdbin/postqueue"
	chmod +x "$tmp/fdbin/postqueue"
	fake_postmulti "$tmp/fdbin"
	tui_start 100x30 env PATH="$tmp/fdbin:$PATH" "$bin" --journal "$tmp/fd-journal" "$fixture"
	local deadline=$((SECONDS + 10))
	until [ -s "$tmp/child-fds" ]; do [ $SECONDS -lt $deadline ] || { echo "postqueue never ran"; return 1; }; sleep 0.05; done
	cat "$tmp/child-fds"
	if grep -E '/dev/(pts|tty)' "$tmp/child-fds"; then echo "the terminal leaked into a child"; return 1; fi
	if grep -F "$fixture" "$tmp/child-fds"; then echo "the log leaked into a child"; return 1; fi
	# what is left: /dev/null, pipes, the file the script writes and the script itself
	! grep ' -> ' "$tmp/child-fds" | grep -vE " -> (/dev/null|pipe:\[[0-9]+\]|$tmp/child-fds.tmp|$tmp/fdbin/postqueue)\$"
}

check "dry-run actions show the plan and never run postsuper" dry_run_actions_show_the_plan_and_never_run_postsuper
check "children inherit no terminal and no file of spamtop (close-on-exec)" children_inherit_no_terminal_and_no_file_of_spamtop
check "the cleanup wizard in a dry run walks the steps and changes nothing" cleanup_wizard_in_dry_run_walks_the_steps_and_changes_nothing
check "the cleanup wizard's step 4 shows the web application's user kept from sendmail" \
	cleanup_wizard_shows_the_web_applications_user_kept_from_sendmail
check "the cleanup wizard on two Postfix instances shows each one's value and edits nothing in a dry run" \
	cleanup_wizard_shows_each_instances_value_on_two_instances
check "cleanup wizard on a log still written: each suspect once, the unmark holds" cleanup_wizard_on_a_log_still_written_lists_each_suspect_once
check "a plan on a 100 000-message queue is built off the key handler: keys answered, Esc cancels" \
	a_big_plan_is_built_off_the_key_handler_keys_are_answered_and_esc_cancels
check "the cleanup's step 5 plan on that queue is built off the key handler too" \
	the_cleanup_step_5_plan_is_built_off_the_key_handler
check "a running action leaves the screen answering keys; its result comes when done" \
	a_running_action_leaves_the_screen_answering_keys
check "a throttled release goes in batches, oldest first, and stops when a contained account sends again" \
	throttled_release_goes_in_batches_and_stops_when_a_contained_account_sends_again
check "a crossed threshold shows a banner and runs the alert command once, journaled" threshold_crossed_shows_a_banner_and_runs_the_alert_command_once_journaled
check "a queued message's detail has recipients and headers" queue_message_detail_has_recipients_and_headers
check "follows a growing log and its rotation" follows_a_growing_log_and_its_rotation
check "a Dovecot log followed as it grows is charged to the account, its IMAP break-in shown, a phone's old password not taken for one" \
	a_dovecot_log_followed_as_it_grows_is_charged_to_the_account
check "the console reads the mail log and Dovecot's own file in step by log time: the IMAP break-in is seen" \
	console_reads_the_mail_log_and_dovecots_file_in_step
check "the console charges the account the relays of Dovecot's own file read ahead of the mail log (the real lab's files)" \
	console_charges_dovecots_relays_read_ahead_of_the_mail_log
check "a log replaced by a directory is said, and following resumes when it is back" a_log_replaced_by_a_directory_is_said_and_following_resumes
check "journald is read through the real journalctl (a journal file the test writes)" journald_is_read_through_the_real_journalctl
check "a journalctl that fails is said on the alert line" journalctl_that_fails_is_said_on_the_alert_line
check "resizes to 80x24; says when the terminal is too small" resizes_to_80x24_and_says_when_the_terminal_is_too_small
check "NO_COLOR draws without colour" no_color_and_monochrome_draw_without_colour
check "q quits with status 0 and restores the terminal" quits_on_q_and_restores_the_terminal
check "Ctrl-C quits with status 130 and restores the terminal" ctrl_c_quits_with_130_and_restores_the_terminal
check "a crash signal restores the terminal" crash_signal_restores_the_terminal
check "a hangup during an action lets it finish and journal before leaving" hangup_during_an_action_lets_it_finish_and_journal_before_leaving
check "two hosts' logs show in one view with a Host column, filtered by host" two_hosts_show_in_one_view_with_a_host_column
check "a central syslog file shows its hosts with no --source" a_central_syslog_file_shows_its_hosts_without_sources
check "80x24: names keep their width, the help starts with the incident keys, R release all once held" \
	an_80x24_screen_keeps_names_the_incident_keys_and_release_all
check "a message on another host never takes this machine's queue state" a_message_on_another_host_never_takes_this_machines_queue_state
check "an ssh source is read through ssh and tail, the path quoted" an_ssh_source_is_read_through_ssh_and_tail_with_the_path_quoted
check "the cleanup names the suspects of other hosts it does not act on" \
	the_cleanup_names_the_suspects_of_other_hosts_it_does_not_act_on
check "an action on a host over ssh says when ssh fails or spamtop is missing there; Esc ends a slow one" \
	an_action_on_a_host_over_ssh_says_when_ssh_fails_and_esc_ends_a_slow_one
check "--since skips the older history and says how much" since_skips_the_older_history_and_says_how_much
check "a key limit drops cold senders while following and keeps the culprits" a_key_limit_drops_cold_senders_while_following_and_keeps_the_culprits
check "a 10 GB sparse log is read at once (its hole is skipped, not read)" a_ten_gigabyte_sparse_log_is_read_at_once
check "a log growing faster than it is read keeps the console responsive, no line lost" a_log_growing_faster_than_it_is_read_keeps_the_console_responsive
check "a message's trail in a big log is searched while keys answer; Esc stops it" \
	a_message_trail_in_a_big_log_is_searched_while_keys_answer
check "a compressed history is read at full speed" a_compressed_history_is_read_at_full_speed
check "standard input is read as it comes and never freezes the screen" standard_input_is_read_as_it_comes_and_never_freezes_the_screen
check "a non-UTF-8 locale shows non-ASCII as ?" non_utf8_locale_shows_question_marks_for_non_ascii
echo "e2e: $passed passed, $failed failed"
[ $failed -eq 0 ]
