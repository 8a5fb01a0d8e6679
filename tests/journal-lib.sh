# journal-lib.sh - a real systemd journal file from a syslog-format log, for the
# tests that read journald through the real journalctl.
#
#   journal_of LOG JOURNAL [DAY] writes JOURNAL (systemd-journal-remote, from the
#                                journal export format), each line at its time of day
#                                on DAY (epoch of its midnight, UTC; default 2026-11-24);
#                                $tmp must be a scratch directory
#   fake_journalctl DIR JOURNAL  DIR/journalctl: the real one over that file only,
#                                its arguments appended to DIR/journalctl.args
journal_of() {
	awk -v base="${3:-1795478400}" '{
		split($3, t, ":"); ts = base + t[1] * 3600 + t[2] * 60 + t[3]
		ident = $5; sub(/\[.*/, "", ident); pid = $5; sub(/.*\[/, "", pid); sub(/\].*/, "", pid)
		msg = $0; sub(/^[^:]*:[^:]*:[^:]*: /, "", msg)
		printf "__REALTIME_TIMESTAMP=%.0f\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=0123456789abcdef0123456789abcdef\n", ts * 1000000 + NR, NR
		printf "_HOSTNAME=%s\nSYSLOG_FACILITY=2\nSYSLOG_IDENTIFIER=%s\n_PID=%s\nMESSAGE=%s\n\n", $4, ident, pid, msg
	}' "$1" > "$tmp/export.txt"
	rm -f "$2"	# journal-remote appends to a file that exists
	/lib/systemd/systemd-journal-remote --output="$2" "$tmp/export.txt" 2>/dev/null
}

fake_journalctl() {
	mkdir -p "$1"
	printf '#!/bin/sh\necho "$@" >> %s/journalctl.args\nexec /usr/bin/journalctl --file=%s "$@"\n' "$1" "$2" > "$1/journalctl"
	chmod +x "$1/journalctl"
}
