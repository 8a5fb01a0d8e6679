#!/usr/bin/env bash
# deb.sh - the Debian package, built by debhelper (dpkg-buildpackage -us -uc
# -b) in a copy of the tree (its clean step would empty this one's build/),
# then checked by lintian. The .deb lands in build/deb/.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(dpkg-parsechangelog -S Version)
work=$(mktemp -d /tmp/spamtop-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/spamtop-$version"
tar --exclude=./build --exclude=./bench-data --exclude=./.git --exclude=./spamtop -cf - . |
	tar -xf - -C "$work/spamtop-$version"
(cd "$work/spamtop-$version" && dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1) ||
	{ tail -40 "$work/build.log"; exit 1; }
mkdir -p build/deb
rm -f build/deb/*.deb
cp "$work"/spamtop_"$version"_*.deb build/deb/
deb=$(ls build/deb/spamtop_"$version"_*.deb)
echo "deb: $deb"
lintian --tag-display-limit 0 "$deb" > build/deb/lintian.txt 2>&1 || true
sed 's/^/  lintian: /' build/deb/lintian.txt
if grep -q '^E:' build/deb/lintian.txt; then echo "deb: lintian found errors" >&2; exit 1; fi
