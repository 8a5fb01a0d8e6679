#!/usr/bin/env bash
# soak.sh - SOAK_LINES (default 30 million) generated lines, every spam
# message with a new sender and client IP, through follow mode (with a
# copytruncate every million); prints resident memory every million lines.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${SOAK_LINES:-30000000}
tmp=$(mktemp -d /tmp/spamtop-soak.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
echo "soak: $lines lines, ever-new senders and client IPs, through core/logs/follow"
GENLOG_FRESH=1 build/genlog "$lines" 7 | build/soak "$tmp/mail.log"
