#!/bin/sh
# deps.sh - make sure the Debian packages spamtop needs are installed.
#
#   tools/deps.sh build   compiler, pkg-config and the libraries
#   tools/deps.sh check   build + what the tests drive (jq, tmux, GNU time, journalctl
#                         and systemd-journal-remote to write a real journal file)
#   tools/deps.sh deb     build + the Debian packaging tools (debhelper, lintian)
#
# As root, installs what is missing with apt-get (non-interactive); otherwise
# prints the exact apt-get line to run and fails. The real-Postfix lab
# installs its own packages (tests/lab/lab.sh install).
set -eu
build="gcc make pkg-config libncurses-dev libpcre2-dev libjansson-dev zlib1g-dev libcmocka-dev"
check="$build jq tmux time gzip systemd systemd-journal-remote"
deb="$build debhelper dpkg-dev lintian man-db"
case "${1:-build}" in
build) want=$build ;;
check) want=$check ;;
deb) want=$deb ;;
*) echo "usage: $0 build|check|deb" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "spamtop needs these Debian packages; as root run:" >&2
	echo "  apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq $missing >/dev/null 2>&1 || {
	apt-get update -qq && apt-get install -y -qq $missing >/dev/null
}
