#!/usr/bin/env bash
# replay.sh CAPTURE OUT [SPEED] - append CAPTURE's lines to OUT with the pauses
# between their time stamps, divided by SPEED (a 2 s pause at 4x is 0.5 s;
# pauses are capped at 2 s so a quiet hour does not stall the demo).
set -euo pipefail
capture=$1 out=$2 speed=${3:-4}
prev=""
while IFS= read -r line; do
	now=$(date -d "${line:0:15}" +%s 2>/dev/null || echo "")
	if [ -n "$prev" ] && [ -n "$now" ] && [ "$now" -gt "$prev" ]; then
		sleep "$(awk -v d=$((now - prev)) -v s="$speed" 'BEGIN { p = d / s; if (p > 2) p = 2; printf "%.2f", p }')"
	fi
	[ -n "$now" ] && prev=$now
	printf '%s\n' "$line" >> "$out"
done < "$capture"
