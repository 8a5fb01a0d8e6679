#!/usr/bin/env bash
# screenshots.sh - PNG pictures of the real console, into screenshots/.
#
# Plays the lab's outbreak against a real Postfix on loopback (root only;
# see tests/lab/lab.sh), drives the console in tmux, captures each screen
# with its colours (tmux capture-pane -e), turns it into HTML (aha) and
# photographs that with headless Chromium. Needs: tmux aha chromium
# fonts-dejavu-core (installed here when missing, as root).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "screenshots: needs root (it runs the Postfix lab)" >&2; exit 1; }
for p in tmux aha chromium fonts-dejavu-core; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null
done
make -s spamtop
tmp=$(mktemp -d /tmp/spamtop-shots.XXXXXX)
. tests/tmux-lib.sh
trap 'tui_stop; tests/lab/lab.sh down >/dev/null 2>&1; rm -rf "$tmp"' EXIT
tests/lab/lab.sh up
tests/lab/lab.sh outbreak
log=$(tests/lab/lab.sh log)
mkdir -p screenshots

# shot NAME [WIDTHxHEIGHT]: the current screen as screenshots/NAME.png (the
# window fits 120x35 by default; 700x440 fits 80x24)
shot() {
	local size=${2:-1040x640}
	sleep 0.3
	tui capture-pane -p -e -t main > "$tmp/$1.ans"
	{
		echo '<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
		echo 'body{margin:0;background:#101010} pre{margin:8px;font:14px/1.25 "DejaVu Sans Mono",monospace;color:#d0d0d0}'
		echo '</style></head><body><pre>'
		aha --no-header --black < "$tmp/$1.ans"
		echo '</pre></body></html>'
	} > "$tmp/$1.html"
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="${size/x/,}" \
		--screenshot="$PWD/screenshots/$1.png" "file://$tmp/$1.html" >/dev/null 2>&1
	echo "screenshots/$1.png"
}

tui_start 120x35 ./spamtop --dry-run --journal "$tmp/journal" --state "$tmp/state.json" --incident "$tmp/incident.md" "$log"
tui_wait "hold 0  deferred 39" 20
shot 1-sasl-users
tui_keys 2
tui_wait "sorted by Msgs"
shot 2-client-ips
tui_keys 1 Enter
tui_wait "Messages of SASL user victim@lab.example"
shot 3-drill-down
tui_keys Enter
tui_wait "Headers (postcat -hq)"
shot 4-message-detail
tui_keys Escape Escape d
tui_wait "Delete 24 messages"
shot 5-delete-dialog
tui_keys n 5
tui_wait "39 rows"
shot 6-queue
tui_keys 6
tui_wait "Last SASL user tried"
shot 7-auth-failures
tui_keys '?'
tui_wait "Help: keys"
shot 8-help
tui_keys Escape c
tui_wait "Cleanup step 1 of 6"
tui_keys Enter
tui_wait "DRY RUN"
tui_keys y
tui_wait "Dry run: nothing was changed"
tui_keys Escape
tui_wait "Cleanup step 2 of 6"
shot 9-cleanup-read-the-log
tui_keys Enter
tui_wait "Cleanup step 3 of 6"
shot 10-cleanup-identify
tui_keys Enter
tui_wait "Cleanup step 4 of 6"
shot 11-cleanup-contain
tui_keys n n
tui_wait "Cleanup step 6 of 6"
tui_wait "Or t: release the held queue in batches of 100 every 60 s"
shot 13-cleanup-release
tui_keys q
tui_stop

# two hosts: this one's live log and queue, and a second server's log with the same account
tui_start 120x35 ./spamtop --dry-run --journal "$tmp/journal" --source "mx1=$log" \
	--source "mx2=tests/fixtures/lab-outbreak.log"
tui_wait "hosts mx1, mx2" 20
tui_wait "hold 0  deferred 39" 20
shot 12-two-hosts
tui_stop

# 80x24, a phone's ssh client: names keep their width, the help starts with the incident keys
tui_start 80x24 ./spamtop --dry-run --journal "$tmp/journal" "$log"
tui_wait "hold 0  deferred 39" 20
shot 14-80x24 700x440
tui_keys '?'
tui_wait "In an incident"
shot 15-80x24-help 700x440
tui_stop

# one central syslog file for two servers (this lab's log and the recorded capture as mx2): no --source
sed "s/^\(.\{15\}\) mail /\1 mx2 /" tests/fixtures/lab-outbreak.log > "$tmp/mx2.log"
paste -d '\n' "$log" "$tmp/mx2.log" | grep -v '^$' > "$tmp/central.log"
tui_start 120x35 ./spamtop --dry-run --no-queue --journal "$tmp/journal" "$tmp/central.log"
tui_wait "hosts mail, mx2" 20
tui_wait "mx2        victim@lab.example" 20
shot 16-central-log
tui_stop

# a fleet: this server and mx2 (the lab's second Postfix, its own config_directory), mx2's log
# read over a real ssh on loopback; d on mx2's account shows the plan mx2's own spamtop made
LAB_PROFILE=fleet tests/lab/lab.sh up
tests/lab/lab.sh outbreak
tests/lab/lab.sh mx2-burst 5
ssh_dir=$(tests/lab/lab.sh ssh-dir)
tui_start 120x35 env PATH="$ssh_dir/bin:$PATH" ./spamtop --journal "$tmp/journal" --source "here=$log" \
	--source "mx2=ssh://root@127.0.0.1:2222$(dirname "$log")/mx2.log"
tui_wait "hosts here, mx2" 20
tui_keys @ @
tui_wait_line '^  mx2 +victim@lab.example +5 ' 20
tui_keys d
tui_wait "y: run it on mx2" 20
shot 17-fleet-remote-plan
