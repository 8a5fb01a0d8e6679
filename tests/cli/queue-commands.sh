# queue-commands.sh - sourced by tests/cli/run.sh: every queue command against
# stand-in postqueue, postcat and postsuper that check what they are given
# and fail loudly on anything else (no root needed for the dry runs; as root,
# which CI is, the actions run too). The queue: victim's A1, B2 (held) and
# F6; alice's C3, which a stale log says is victim's; the trusted relay's D4
# (null sender) and E5 (held), E5's file naming another client.

qc_setup() {
	local b=$tmp/qcbin
	mkdir -p "$b"
	cat > "$b/postqueue" <<'EOS'
#!/bin/sh
[ "$*" = "-j" ] || { echo "UNEXPECTED postqueue ARGV: $*" >&2; exit 99; }
for m in A1B2C3D4E1:deferred:promo@x.example A1B2C3D4E2:hold:promo@x.example A1B2C3D4E6:deferred:promo@x.example \
	 A1B2C3D4E3:deferred:alice@lab.example A1B2C3D4E4:deferred: A1B2C3D4E5:hold:offers@bulk.example; do
	id=${m%%:*} rest=${m#*:}
	printf '{"queue_name": "%s", "queue_id": "%s", "arrival_time": 1, "message_size": 100, "sender": "%s", "recipients": [{"address": "r@y.example"}]}\n' \
		"${rest%%:*}" "$id" "${rest#*:}"
done
EOS
	cat > "$b/postcat" <<'EOS'
#!/bin/sh
case "$1" in -eq|-ehq) shift ;; *) echo "UNEXPECTED postcat ARGV: $*" >&2; exit 99 ;; esac
for id; do
	echo "*** ENVELOPE RECORDS deferred/A/$id ***"
	case $id in
	A1B2C3D4E1|A1B2C3D4E2|A1B2C3D4E6) echo "named_attribute: sasl_username=victim@lab.example"; echo "named_attribute: client_address=192.0.2.10" ;;
	A1B2C3D4E3) echo "named_attribute: sasl_username=alice@lab.example"; echo "named_attribute: client_address=192.0.2.20" ;;
	A1B2C3D4E4) echo "named_attribute: client_address=127.0.0.2" ;;
	A1B2C3D4E5) echo "named_attribute: client_address=127.0.0.9"; echo "named_attribute: server_address=127.0.0.2" ;;
	*) echo "UNEXPECTED postcat ID: $id" >&2; exit 99 ;;
	esac
done
EOS
	cat > "$b/postsuper" <<EOS
#!/bin/sh
case "\$*" in "-d -"|"-h -"|"-H -"|"-r -"|"-h ALL"|"-H ALL") ;; *) echo "UNEXPECTED postsuper ARGV: \$*" >&2; exit 99 ;; esac
echo "\$*" >> "$tmp/qc-postsuper.argv"
verb=removed; case "\$1" in -h) verb="placed on hold" ;; -H) verb="released from hold" ;; -r) verb=requeued ;; esac
n=0
if [ "\$2" = - ]; then
	while read -r id; do
		case \$id in A1B2C3D4E[1-6]) ;; *) echo "UNEXPECTED postsuper ID: \$id" >&2; exit 99 ;; esac
		echo "\$id" >> "$tmp/qc-postsuper.ids"; echo "postsuper: \$id: \$verb" >&2; n=\$((n + 1))
	done
fi
echo "postsuper: Deleted: \$n messages" >&2
EOS
	printf '#!/bin/sh\necho "-               -               y         /etc/postfix"\n' > "$b/postmulti"
	chmod +x "$b"/*
	{ for i in 1 2 3 6; do	# C3's line is stale: it says victim
		printf 'Nov 24 10:00:0%d mx postfix/smtpd[1]: A1B2C3D4E%d: client=u[192.0.2.10], sasl_method=LOGIN, sasl_username=victim@lab.example\n' "$i" "$i"
	  done
	  for i in 4 5; do
		printf 'Nov 24 10:00:0%d mx postfix/smtpd[1]: A1B2C3D4E%d: client=relay[127.0.0.2]\n' "$i" "$i"
	  done; } > "$tmp/qc.log"
	rm -f "$tmp/qc-postsuper.argv" "$tmp/qc-postsuper.ids"
}

# qc VERB ARGS... - a queue command with the stand-ins; output in $tmp/qc.out, status in $qc_rc
qc() {
	qc_rc=0
	PATH="$tmp/qcbin:$PATH" "$san" "$@" --log "$tmp/qc.log" --journal "$tmp/qc-journal.jsonl" > "$tmp/qc.out" 2>&1 || qc_rc=$?
	cat "$tmp/qc.out"
	! grep -q UNEXPECTED "$tmp/qc.out"
}

ids_given() { sort "$tmp/qc-postsuper.ids" | tr '\n' ' '; }

# a log that knows one of the account's messages (begun after the others were
# queued): the others are read from their files; the account's two join the
# plan, alice's and the relays' do not, and the run deletes exactly three
messages_the_log_does_not_know_are_read_from_their_files() {
	qc_setup
	head -1 "$tmp/qc.log" > "$tmp/qc-late.log"
	cp "$tmp/qc-late.log" "$tmp/qc.log"
	qc delete --sasl-user victim@lab.example --yes
	[ $qc_rc -eq 0 ]
	grep -qx 'Not in the log: 5 queued messages read from their files; 2 of them match' "$tmp/qc.out"
	grep -qx 'Delete 3 messages: SASL user victim@lab.example' "$tmp/qc.out"
	[ "$(ids_given)" = "A1B2C3D4E1 A1B2C3D4E2 A1B2C3D4E6 " ]
	[ "$(jq -cs '[.[] | select(.phase=="planned")][-1] | [.unlogged_read, .unlogged_kept]' "$tmp/qc-journal.jsonl")" = '[5,2]' ]
	# none of those files names another account: said, not just "nothing to do"
	qc delete --sasl-user nobody@lab.example --dry-run
	[ $qc_rc -eq 3 ]
	grep -qx 'No queued message that delete can change matches SASL user nobody@lab.example; nothing to do.' "$tmp/qc.out"
	grep -qx 'Not in the log: 5 queued messages read from their files; 0 of them match' "$tmp/qc.out"
	# the cleanup's step 5 says how many the log does not know
	printf '{"schema": "spamtop.cleanup/1", "step": 5, "started": 1795564000, "targets_set": true, "targets": [%s]}\n' \
		'{"kind": "sasl_user", "key": "victim@lab.example", "chosen": true}' > "$tmp/qc-cp.json"
	PATH="$tmp/qcbin:$PATH" "$san" cleanup --plan --state "$tmp/qc-cp.json" "$tmp/qc.log" > "$tmp/qc.out" 2>&1 || true
	grep -q '^  queued messages the log does not know: 5; their files are read when the plan is built' "$tmp/qc.out"
}

an_unknown_queue_id_selects_nothing_and_runs_nothing() {
	qc_setup
	qc delete --id FFFFFFFFFF --yes
	[ $qc_rc -eq 3 ]
	grep -q '^No queued message that delete can change matches queue ID FFFFFFFFFF; nothing to do.$' "$tmp/qc.out"
	[ ! -e "$tmp/qc-postsuper.argv" ]
}

delete_by_user_feeds_postsuper_exactly_the_confirmed_ids() {
	qc_setup
	qc delete --sasl-user victim@lab.example --yes
	[ $qc_rc -eq 0 ]
	grep -q '^Delete 3 messages: SASL user victim@lab.example$' "$tmp/qc.out"
	grep -q '^Selected from the log: 4; confirmed by their queue files: 3; dropped: 1$' "$tmp/qc.out"
	[ "$(cat "$tmp/qc-postsuper.argv")" = "-d -" ]
	[ "$(ids_given)" = "A1B2C3D4E1 A1B2C3D4E2 A1B2C3D4E6 " ]	# never alice's C3
	grep -q '^Done: 3 changed' "$tmp/qc.out"
}

delete_by_client_ip_is_confirmed_from_each_file() {
	qc_setup
	qc delete --client-ip 127.0.0.2 --yes
	grep -q '^Delete 1 message: client IP 127.0.0.2$' "$tmp/qc.out"
	[ "$(ids_given)" = "A1B2C3D4E4 " ]	# E5's file names another client (127.0.0.2 is its server address)
}

release_and_hold_count_only_what_they_change() {
	qc_setup
	qc release --sasl-user victim@lab.example --dry-run
	grep -q '^Release 1 message: SASL user victim@lab.example$' "$tmp/qc.out"	# B2 alone is held
	qc hold --sasl-user victim@lab.example --dry-run
	grep -q '^Hold 2 messages: SASL user victim@lab.example$' "$tmp/qc.out"	# A1, F6: B2 is held already
	qc hold --all --dry-run
	grep -q '^Hold 4 messages: all queued messages$' "$tmp/qc.out"
	grep -q '^Command: postsuper -h ALL$' "$tmp/qc.out"
	[ ! -e "$tmp/qc-postsuper.argv" ]	# dry runs run nothing
}

overlapping_criteria_count_each_message_once() {
	qc_setup
	qc delete --sasl-user victim@lab.example --sender promo@x.example --id A1B2C3D4E1 --id A1B2C3D4E6 --id A1B2C3D4E3 --yes
	grep -q '^Delete 2 messages: ' "$tmp/qc.out"
	[ "$(ids_given)" = "A1B2C3D4E1 A1B2C3D4E6 " ]
}

the_journal_is_appended_across_runs_never_truncated() {
	qc_setup
	rm -f "$tmp/qc-journal.jsonl"
	qc delete --id A1B2C3D4E1 --yes
	local first; first=$(head -1 "$tmp/qc-journal.jsonl")
	qc hold --id A1B2C3D4E6 --yes
	[ "$(wc -l < "$tmp/qc-journal.jsonl")" = 4 ]	# planned and done, twice
	[ "$(head -1 "$tmp/qc-journal.jsonl")" = "$first" ]
	[ "$(stat -c %a "$tmp/qc-journal.jsonl")" = 640 ]
	jq -e -s '[.[].phase] == ["planned", "done", "planned", "done"] and .[3].action == "hold"
		and .[1].changed == ["A1B2C3D4E1"]' "$tmp/qc-journal.jsonl" >/dev/null
}

check "an unknown queue ID selects nothing and runs nothing" an_unknown_queue_id_selects_nothing_and_runs_nothing
check "messages the log does not know are read from their files, and only the account's are deleted" \
	messages_the_log_does_not_know_are_read_from_their_files
if [ "$(id -u)" = 0 ]; then
	check "delete by user feeds postsuper exactly the IDs its files confirm (a stale log's is dropped)" \
		delete_by_user_feeds_postsuper_exactly_the_confirmed_ids
	check "delete by client IP is confirmed from each queue file" delete_by_client_ip_is_confirmed_from_each_file
	check "overlapping criteria count each message once" overlapping_criteria_count_each_message_once
	check "the journal is appended across runs, never truncated, mode 0640" \
		the_journal_is_appended_across_runs_never_truncated
fi
check "release and hold count only the messages they change; dry runs run nothing" \
	release_and_hold_count_only_what_they_change
