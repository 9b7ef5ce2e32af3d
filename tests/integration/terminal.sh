#!/bin/sh
# An interactive container driven through a real terminal (a tmux pane): the
# shell answers, sees a pseudo-terminal of the pane's size that follows a
# resize, gets Ctrl-C, and leaves the caller's terminal as it found it.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null || skip_all "tmux is not installed (scripts/deps.sh installs it)"

plan 11

SOCK=$WORK/tmux.sock
unset TMUX
tm() { tmux -S "$SOCK" "$@"; }
stop_tmux() {
    tm kill-server 2>/dev/null
    cleanup_work
}
trap stop_tmux EXIT

# The pane runs a plain shell that records the terminal settings and the
# launcher's status around one interactive container.
cat >"$WORK/outer.sh" <<EOF
stty -g >"$WORK/stty.before"
"$CONGO" run "$ROOTFS" - - - - --env 'PS1=CTR> ' -- /bin/sh
echo \$? >"$WORK/status.tmp"
stty -g >"$WORK/stty.after"
mv "$WORK/status.tmp" "$WORK/status"
EOF
tm new-session -d -s it -x 100 -y 30 "sh '$WORK/outer.sh'"

screen() { tm capture-pane -p -t it -S - 2>/dev/null; }

# wait_screen PATTERN: poll up to 5 s for a line matching PATTERN (grep -E).
wait_screen() {
    i=0
    while ! screen | grep -Eq "$1"; do
        i=$((i + 1))
        [ "$i" -le 100 ] || { echo "no line like /$1/ on the screen after 5 s:"; screen | grep -v '^$'; return 1; }
        sleep 0.05
    done
}

# wait_file FILE: poll up to 5 s for FILE.
wait_file() {
    i=0
    while [ ! -e "$1" ]; do
        i=$((i + 1))
        [ "$i" -le 100 ] || { echo "no $1 after 5 s"; return 1; }
        sleep 0.05
    done
}

# send CMD: type one line into the container's shell.
send() { tm send-keys -t it -l "$1" && tm send-keys -t it Enter; }

answers() {
    wait_screen '^CTR>' || return 1
    send 'echo $((6*7))'
    wait_screen '^42$'
}
t "an interactive shell answers through the pseudo-terminal" answers

stdin_is_tty() {
    send '[ -t 0 ] && [ -t 1 ] && echo "tty-$((1+1))"'
    wait_screen '^tty-2$'
}
t "the command's stdin and stdout are a terminal" stdin_is_tty

tty_names_pts() {
    send 'tty; echo "tty-done-$((2+2))"'
    wait_screen '^tty-done-4$' || return 1
    screen | grep -Eq '^/dev/pts/[0-9]+$' ||
        { echo "tty inside does not name a /dev/pts path:"; screen | grep -A1 '^CTR> tty;'; return 1; }
}
t "tty inside names the terminal, a /dev/pts path" tty_names_pts

size_passed() {
    want=$(tm display -p -t it '#{pane_height} #{pane_width}')
    send 'echo "size: $(stty size)"'
    wait_screen "^size: $want\$"
}
t "the window size is the pane's" size_passed

resize_follows() {
    tm resize-window -t it -x 120 -y 40 || return 1
    want=$(tm display -p -t it '#{pane_height} #{pane_width}')
    [ "$want" != "30 100" ] || { echo "the pane did not resize"; return 1; }
    send 'echo "resized: $(stty size)"'
    wait_screen "^resized: $want\$"
}
t "a resize of the caller's window reaches the container" resize_follows

ctrl_c() {
    # A sleep with a unique length, to find it among the host's processes.
    send "sleep 1$$"
    i=0
    until ps -e -o args= | grep -qx "sleep 1$$"; do
        i=$((i + 1))
        [ "$i" -le 100 ] || { echo "sleep 1$$ never started"; return 1; }
        sleep 0.05
    done
    tm send-keys -t it C-c
    send 'echo "alive-$((2+3))"'
    wait_screen '^alive-5$' || return 1
    ! ps -e -o args= | grep -qx "sleep 1$$" || { echo "the sleep survived Ctrl-C"; return 1; }
    [ ! -e "$WORK/status" ] || { echo "Ctrl-C ended the launcher"; return 1; }
}
t "Ctrl-C interrupts the container's foreground process, the shell stays" ctrl_c

exit_status() {
    send 'exit'
    wait_file "$WORK/status" || return 1
    expect_eq 0 "$(cat "$WORK/status")" "the launcher's status after exit"
}
t "exit ends the container and the launcher returns 0" exit_status

settings_restored() {
    [ -s "$WORK/stty.before" ] || { echo "no settings recorded before"; return 1; }
    expect_eq "$(cat "$WORK/stty.before")" "$(cat "$WORK/stty.after" 2>&1)" "stty -g before and after"
}
t "the caller's terminal settings are restored afterwards" settings_restored

# A second pane: the launcher's stdin is the terminal, its stdout a file.
cat >"$WORK/drain.sh" <<EOF
"$CONGO" run "$ROOTFS" - - - - -- /bin/sh -c 'seq 1 3000; exit 7' >"$WORK/drain.out" 2>&1
echo \$? >"$WORK/drain.tmp"
mv "$WORK/drain.tmp" "$WORK/drain.status"
EOF
tm new-session -d -s drain -x 100 -y 30 "sh '$WORK/drain.sh'"

drain_status() {
    wait_file "$WORK/drain.status" || return 1
    expect_eq 7 "$(cat "$WORK/drain.status")" "the launcher's status"
}
t "through the terminal the command's own status comes back (7)" drain_status

drain_output() {
    wait_file "$WORK/drain.status" || return 1
    lines=$(tr -d '\r' <"$WORK/drain.out" | grep -c '^[0-9]*$')
    last=$(tr -d '\r' <"$WORK/drain.out" | tail -n 1)
    expect_eq "3000 3000" "$lines $last" "lines relayed, and the last one"
}
t "everything the command wrote is relayed before the launcher returns" drain_output

# A third pane: the caller has a terminal, but stdin is not it.
cat >"$WORK/notty.sh" <<EOF
"$CONGO" run "$ROOTFS" - - - - -- /bin/sh -c '
    if (exec 3</dev/tty) 2>/dev/null; then echo has-ctty; else echo no-ctty; fi
    [ -t 0 ] || echo stdin-not-tty' </dev/null >"$WORK/notty.out" 2>&1
echo \$? >"$WORK/notty.tmp"
mv "$WORK/notty.tmp" "$WORK/notty.status"
EOF
tm new-session -d -s notty -x 100 -y 30 "sh '$WORK/notty.sh'"

no_ctty() {
    wait_file "$WORK/notty.status" || return 1
    expect_eq 0 "$(cat "$WORK/notty.status")" "the launcher's status" || return 1
    expect_eq "no-ctty
stdin-not-tty" "$(cat "$WORK/notty.out")" "the container's view"
}
t "without a terminal on stdin, the command cannot open the caller's terminal" no_ctty

finish
