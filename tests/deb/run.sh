#!/usr/bin/env bash
# tests/deb/run.sh - the Debian package the way an admin meets it: installed
# with apt-get from build/deb/, used (version, man page, a check against
# the lab's real Postfix, the keymaps it was built to find, completion, the
# metrics timer disabled but valid, conffiles), then purged: nothing left
# but the audit journal, which is kept on purpose (a record of actions must
# outlive the tool). Root only; prints "deb: N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ]; then
	echo "deb: skipped (needs root to install a package)"
	exit 0
fi
tmp=$(mktemp -d /tmp/spamtop-deb-test.XXXXXX)
trap 'apt-get purge -y -qq spamtop >/dev/null 2>&1; rm -rf "$tmp"' EXIT
. tests/check-lib.sh
deb=$(ls build/deb/spamtop_*_*.deb | head -1)
export DEBIAN_FRONTEND=noninteractive

installs_with_apt_and_runs() {
	apt-get install -y -qq "./$deb" >/dev/null
	[ "$(dpkg-query -W -f='${Status}' spamtop)" = "install ok installed" ]
	[ "$(/usr/bin/spamtop --version)" = "spamtop $(dpkg-query -W -f='${Version}' spamtop)" ]
	man -w spamtop | grep -qx /usr/share/man/man1/spamtop.1.gz
	# against the lab's real Postfix: its live log and its (empty) queue through postqueue -j
	tests/lab/lab.sh up >/dev/null
	local rc=0
	/usr/bin/spamtop check --log "$(tests/lab/lab.sh log)" > "$tmp/check.out" || rc=$?
	tests/lab/lab.sh down >/dev/null 2>&1
	cat "$tmp/check.out"
	[ $rc = 0 ] && grep -q '^SPAMTOP OK - 0 queued, nothing over its threshold | queue=0;100;200;0; ' "$tmp/check.out"
}

finds_its_files_where_the_package_put_them() {
	[ -f /usr/share/spamtop/keymaps/vim.keys ]
	not grep -aq /usr/local/share/spamtop /usr/bin/spamtop	# built with PREFIX=/usr, not make's default
	bash -c '. /usr/share/bash-completion/completions/spamtop && complete -p spamtop' | grep -q _spamtop
	dpkg-query -W -f='${Conffiles}\n' spamtop | grep -q '/etc/spamtop.conf'
	dpkg-query -W -f='${Conffiles}\n' spamtop | grep -q '/etc/logrotate.d/spamtop'
	[ -f /usr/share/doc/spamtop/examples/nrpe-spamtop.cfg ]
	systemd-analyze verify /lib/systemd/system/spamtop-metrics.service /lib/systemd/system/spamtop-metrics.timer
	[ "$(systemctl is-enabled spamtop-metrics.timer 2>/dev/null || true)" = disabled ]
}

purge_leaves_only_the_audit_journal() {
	mkdir -p /var/log/spamtop
	[ -f /var/log/spamtop/journal.jsonl ] || echo '{}' > /var/log/spamtop/journal.jsonl
	apt-get purge -y -qq spamtop >/dev/null
	[ "$(dpkg-query -W -f='${Status}' spamtop 2>/dev/null)" != "install ok installed" ]
	for f in /usr/bin/spamtop /usr/share/spamtop /usr/share/man/man1/spamtop.1.gz /etc/spamtop.conf \
		 /etc/logrotate.d/spamtop /lib/systemd/system/spamtop-metrics.timer \
		 /usr/share/bash-completion/completions/spamtop /usr/share/doc/spamtop; do
		[ ! -e "$f" ] || { echo "left behind: $f"; return 1; }
	done
	[ -f /var/log/spamtop/journal.jsonl ]	# kept on purpose
}

check "the package installs with apt-get, runs, has its man page and checks a log" installs_with_apt_and_runs
check "its keymaps, completion, conffiles, NRPE example and a valid, disabled metrics timer" \
	finds_its_files_where_the_package_put_them
check "apt-get purge leaves nothing behind but the audit journal" purge_leaves_only_the_audit_journal
echo "deb: $passed passed, $failed failed"
[ $failed -eq 0 ]
