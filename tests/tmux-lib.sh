# tmux-lib.sh - drive the console in a real terminal (tmux) from the tests.
#
#   tui_start COLSxROWS COMMAND...   start COMMAND in a fresh tmux server
#   tui_keys KEY...                  type keys (tmux send-keys names: Enter, Escape, ...)
#   tui_screen                       the screen as text
#   tui_wait TEXT [SECONDS]          wait until the screen shows TEXT (fixed string)
#   tui_wait_line REGEX [SECONDS]    wait until a line of the screen matches REGEX (grep -E)
#   tui_gone TEXT [SECONDS]          wait until it no longer does
#   tui_answer_ms TEXT KEY...        type keys; the milliseconds until the screen shows TEXT
#                                    (polled without sleeping: a few ms of resolution)
#   tui_stop                         end the server
#
# Every wait polls for a condition with a deadline; nothing sleeps blindly.
# The tests source this file; $tmp must be a scratch directory.
TUI_SOCKET=spamtop-test-$$

tui() { tmux -L "$TUI_SOCKET" "$@"; }

tui_start() {
	local size=$1; shift
	tui_stop
	# remain-on-exit keeps the last screen of a program that ended, for the failure report
	tui -f /dev/null new-session -d -s main -x "${size%x*}" -y "${size#*x}" \
		"env TERM=screen-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC $(printf '%q ' "$@")"
	tui set-option -t main remain-on-exit on >/dev/null
}

tui_keys() { tui send-keys -t main "$@"; }

tui_screen() { tui capture-pane -p -t main; }

# wait_screen GREP-FLAG TEXT [SECONDS] - until grep FLAG finds TEXT on the screen
wait_screen() {
	local flag=$1 text=$2 limit=${3:-10} deadline
	deadline=$((SECONDS + limit))
	until tui_screen | grep -q "$flag" -- "$text"; do
		if [ $SECONDS -ge $deadline ]; then
			echo "timed out after ${limit}s waiting for: $text"; echo "--- screen:"; tui_screen; return 1
		fi
		sleep 0.05
	done
}

tui_wait() { wait_screen -F "$@"; }

tui_wait_line() { wait_screen -E "$@"; }

tui_gone() {
	local text=$1 limit=${2:-10} deadline
	deadline=$((SECONDS + limit))
	while tui_screen | grep -qF -- "$text"; do
		if [ $SECONDS -ge $deadline ]; then
			echo "timed out after ${limit}s waiting for this to go: $text"; tui_screen; return 1
		fi
		sleep 0.05
	done
}

tui_answer_ms() {
	local text=$1 start now; shift
	start=$(date +%s%N)
	tui_keys "$@"
	until tui_screen | grep -qF -- "$text"; do
		now=$(date +%s%N)
		[ $(( (now - start) / 1000000 )) -lt 10000 ] || { echo 10000; return 0; }
	done
	now=$(date +%s%N)
	echo $(( (now - start) / 1000000 ))
}

tui_stop() {
	tui kill-server 2>/dev/null || true
	local deadline=$((SECONDS + 5))
	while tui has-session 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
}
