#!/bin/sh
# Under faults: the launcher SIGKILLed at random points, the memory limit
# hit again and again, a fork bomb, stop signals and stop_timeout, a full or
# read-only upper, a missing layer, a rootfs deleted under a running
# container, a cgroup controller missing. Each ends with a clear status and
# leaves nothing on the host. TAP; ends with `N passed, N failed`.
#
#   tests/reliability/faults.sh
#
# FAULTS_KILLS (default 200) sets how many times the launcher is killed.
# Needs root and a C compiler (for the small killer helper); CONGO_LAUNCH
# names the binary (see common.sh).
set -u
. "$(dirname "$0")/common.sh"

KILLS=${FAULTS_KILLS:-200}
MARK=congo-faults-mark-$$

mounts_before=$(host_mounts)

# Every cgroup of this file's runs goes below a parent of its own, so the
# stale cgroups of the launchers it kills are collected by its own next run,
# never by another test's, and everything left there at the end is ours. It
# is deeper than lib.sh's check looks (find -maxdepth 8): integration tests
# running beside this file do not count the deliberately stale cgroups
# against themselves. The name does not start with congo-, so no run takes
# it for a run's cgroup.
CG_TOP=/reliability-faults-$$
CG_PARENT=$CG_TOP/deep/1/2/3/4/5/6
# The cgroups the controller-missing tests put a shell into (see without_controller).
ns_cgroup() {
    own=$(awk -F: -v c="$1" '$2 == c {print $3}' /proc/self/cgroup)
    echo "/sys/fs/cgroup/$1${own%/}/reliability-ns-$$"
}
NS_CGROUPS="$(ns_cgroup memory) $(ns_cgroup pids)"

# Figures, printed as TAP comments at the end (t shows a test's output only when it fails).
: >"$WORK/figures" 2>/dev/null || true
figure() { echo "$*" >>"$WORK/figures"; }

# Processes and cgroups of ours left by a failing test are removed on exit:
# SIGKILL what is in our own cgroups (only ever below CG_TOP, or the memory
# and pids cgroups this file makes for the cgroup-namespace test), then rmdir
# them deepest first.
own_cgroup_dirs() {
    for root in /sys/fs/cgroup/*; do
        [ -d "$root$CG_TOP" ] && find "$root$CG_TOP" -depth -type d
    done
    for d in ${NS_CGROUPS:-}; do
        [ -d "$d" ] && find "$d" -depth -type d
    done
}
remove_own_cgroups() {
    for d in $(own_cgroup_dirs); do
        for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    done
    sleep 0.2
    for d in $(own_cgroup_dirs); do rmdir "$d" 2>/dev/null; done
}
on_exit() {
    remove_own_cgroups
    cleanup_work
}
trap on_exit EXIT

# The helper that kills a launcher and waits for its leftovers (see killer.c).
KILLER=$WORK/killer
cc -O2 -o "$KILLER" "$RELDIR/killer.c" 2>"$WORK/cc.log" || {
    cat "$WORK/cc.log" >&2
    echo "Bail out! cannot build the killer helper (a C compiler is needed)"
    echo "0 passed, 1 failed"
    exit 1
}

# The fork bomb, static, in a layer of its own (see fork_bomb).
mkdir -p "$WORK/bomb-layer/bin"
cc -static -O2 -o "$WORK/bomb-layer/bin/forkbomb" "$RELDIR/forkbomb.c" 2>"$WORK/cc-bomb.log" ||
    rm -f "$WORK/bomb-layer/bin/forkbomb"

# Every launcher of this file runs with TMPDIR at an empty directory of ours.
TMPDIR=$LAUNCHER_TMPDIR
export TMPDIR

# A run with every limit, below our cgroup parent: fctr [RUN OPTIONS] -- CMD...
fctr() {
    "$CONGO" run "$ROOTFS" 64 64m 512 - --cpus 1 --memory-swap 128m \
        --cgroup-parent "$CG_PARENT" "$@"
}
# The same, in the background: `fctr_bg ... &` (only so). The subshell that
# `&` forks execs the launcher, so $! is the launcher's pid, and a signal sent
# to it reaches congo-launch, not a shell.
fctr_bg() {
    exec "$CONGO" run "$ROOTFS" 64 64m 512 - --cpus 1 --memory-swap 128m \
        --cgroup-parent "$CG_PARENT" "$@"
}

# congo cgroups below our parent, in any hierarchy: congo_cgroups [PID]
congo_cgroups() {
    for root in /sys/fs/cgroup/*; do
        [ -d "$root$CG_PARENT" ] || continue
        find "$root$CG_PARENT" -mindepth 1 -maxdepth 1 -type d -name "congo-*${1:+-$1-*}"
    done
}

# A random number in [0, $1).
random_below() {
    echo $(($(od -An -N4 -tu4 /dev/urandom | tr -d ' ') % $1))
}

# nothing_left: no congo cgroup below our parent, no process of our runs.
nothing_left() {
    left=$(congo_cgroups)
    [ -z "$left" ] || { echo "congo cgroups left: $left"; return 1; }
    left=$(procs_with "$MARK")
    [ -z "$left" ] || { echo "processes left: $left"; return 1; }
}

# fails_cleanly WHAT PATTERN CMD...: status 125, a congo-launch message
# matching PATTERN (grep -E), and nothing left behind.
fails_cleanly() {
    what=$1 pattern=$2
    shift 2
    err=$("$@" 2>&1 </dev/null)
    st=$?
    echo "$what: status $st: $err"
    expect_eq 125 "$st" "status" || return 1
    printf '%s\n' "$err" | grep -qE "^congo-launch: .*($pattern)" ||
        { echo "the message does not match /$pattern/"; return 1; }
    nothing_left
}

# ---------------------------------------------------------------------------
# The launcher SIGKILLed at random points of set-up and of the run
# ---------------------------------------------------------------------------

# Each time: a launcher whose container leaves a grandchild running, killed
# after 0-50 ms (set-up takes about 10 ms, so both phases are hit); killer
# waits until no descendant of it is left. Then one normal run with the same
# cgroup parent, after which no cgroup of the dead launcher may be left.
: >"$WORK/kills"
random_kills() {
    i=0
    bad=0
    while [ $i -lt "$KILLS" ]; do
        i=$((i + 1))
        delay=$(random_below 50001)
        out=$WORK/kill.out
        "$KILLER" "$delay" 1000 "$CONGO" run "$ROOTFS" 64 64m 512 - --cpus 1 \
            --memory-swap 128m --cgroup-parent "$CG_PARENT" -- \
            /bin/sh -c ": $MARK; sleep 1000 & echo running; wait" 2>"$WORK/killer.err" >"$out"
        kst=$?
        line=$(grep '^pid=' "$out")
        phase=setup
        grep -q running "$out" && phase=run
        pid=${line#pid=}
        pid=${pid%% *}
        gone=${line##*gone_us=}
        early=${line#*exited_early=}
        early=${early%% *}
        # A stale cgroup exists when the launcher got as far as making it.
        stale=$(congo_cgroups "$pid" | grep -c .)
        fctr -- /bin/true >"$WORK/next.out" 2>&1
        nst=$?
        left=$(congo_cgroups "$pid")
        echo "$i $delay $pid $phase $kst $gone $early $stale $nst ${left:+left}" >>"$WORK/kills"
        if [ "$kst" != 0 ]; then
            echo "kill $i after ${delay}us ($phase): descendants of launcher $pid still there a second later"
            echo "(the race the PR_SET_PDEATHSIG BUG test below shows deterministically, if its init is left)"
            cat "$WORK/killer.err"
            bad=1
        fi
        if [ "$nst" != 0 ] || [ -n "$left" ]; then
            echo "kill $i: the next run (status $nst) left the dead launcher's cgroups: $left"
            cat "$WORK/next.out"
            bad=1
        fi
        [ "$bad" = 0 ] || return 1
    done
}
t "the launcher SIGKILLed $KILLS times at random in set-up or run: its container is gone within a second" random_kills

kills_figures() {
    [ -s "$WORK/kills" ] || { echo "no kill recorded"; return 1; }
    awk '
        { n++; ph[$4]++; if ($7 == 1) early++; if ($8 > 0) stale++
          if ($6 >= 0) { s += $6; if ($6 > mx) mx = $6 } }
        END {
            printf "kills: %d (in set-up %d, in the run %d, launcher already gone %d); ", n, ph["setup"], ph["run"], early
            printf "stale cgroups made %d, all collected; descendants gone after %.1f ms mean, %.1f ms max\n", stale, s / n / 1000, mx / 1000
        }' "$WORK/kills" >>"$WORK/figures"
    # Both phases must have been hit for the test to mean what it says.
    awk '{ ph[$4]++ } END { exit !(ph["setup"] > 0 && ph["run"] > 0) }' "$WORK/kills" ||
        { echo "the kills did not land in both set-up and the run"; return 1; }
    # And the launchers must mostly have got as far as a cgroup.
    awk '$8 > 0 { s++ } END { exit !(s > 0) }' "$WORK/kills" ||
        { echo "no killed launcher had made its cgroup yet"; return 1; }
}
t "the kills landed in set-up and in the run, and every stale cgroup was collected by the next run" kills_figures

# The race at the start: the child sets its parent-death signal first
# thing, but the launcher may have cloned it, released it with "g" and died
# before the child ran at all; a parent-death signal set after the parent's
# death never comes, and "g" is still there to read. strace makes the window
# wide: each process's first prctl(2) is delayed by half a second (the
# child's is PR_SET_PDEATHSIG), and the launcher is killed once it has
# cloned the child.
kill_before_pdeathsig() {
    out=$WORK/race.out
    strace -f -o /dev/null -e trace=prctl -e inject=prctl:delay_enter=500000:when=1 \
        "$CONGO" run "$ROOTFS" - - - - --cgroup-parent "$CG_PARENT" -- \
        /bin/sh -c ": $MARK; sleep 1000 & echo running; wait" >"$out" 2>&1 </dev/null &
    tracer=$!
    launcher= child=
    for _ in $(seq 100); do
        launcher=$(ps -o pid= --ppid "$tracer" | tr -d ' ')
        [ -n "$launcher" ] && child=$(ps -o pid= --ppid "$launcher" | tr -d ' ')
        [ -n "$child" ] && break
        sleep 0.05
    done
    [ -n "$child" ] || { echo "the launcher made no child within 5 s"; kill -KILL $launcher $tracer 2>/dev/null; wait $tracer; return 1; }
    sleep 0.1 # the launcher attaches the child and writes "g" meanwhile
    kill -KILL "$launcher"
    sleep 1.5 # past the child's delayed prctl, and a second more
    if [ -d "/proc/$child" ] && [ "$(awk '{print $3}' "/proc/$child/stat" 2>/dev/null)" != Z ]; then
        echo "the container's init $child still runs 1 s after its launcher $launcher was SIGKILLed"
        echo "its output: $(cat "$out")"
        kill -KILL "$child"
        wait "$tracer"
        fctr -- /bin/true
        return 1
    fi
    wait "$tracer"
    fctr -- /bin/true || return 1
    nothing_left
}
if command -v strace >/dev/null && strace -f -o /dev/null -e inject=prctl:delay_enter=1:when=1 /bin/true 2>/dev/null; then
    t "BUG: the launcher SIGKILLed after releasing its child but before the child's PR_SET_PDEATHSIG: the container is gone within a second" kill_before_pdeathsig
else
    skip "BUG: the launcher SIGKILLed before the child's PR_SET_PDEATHSIG: the container is gone" \
        "no strace with syscall delay injection here"
fi

# A launcher killed but not yet reaped by its parent is a zombie: it is
# dead, its /proc/PID/stat still shows its start time. Here its parent
# (`sleep`, which the launcher's shell became) never reaps it; the next run
# must still take its cgroup for stale.
zombie_launcher() {
    out=$WORK/zombie.out
    sh -c '"$@" & echo $! >"$0.pid"; exec sleep 5' "$out" \
        "$CONGO" run "$ROOTFS" - - - - --cgroup-parent "$CG_PARENT" -- \
        /bin/sh -c ": $MARK; echo running; sleep 1000" >"$out" 2>&1 </dev/null &
    parent=$!
    wait_for "$out" running || { kill -KILL "$parent"; return 1; }
    launcher=$(cat "$out.pid")
    kill -KILL "$launcher"
    sleep 0.2
    state=$(awk '{sub(/.*\) /, ""); print $1}' "/proc/$launcher/stat" 2>/dev/null)
    [ "$state" = Z ] || echo "(the launcher is in state [$state], not a zombie: the test proves less)"
    fctr -- /bin/true || return 1
    left=$(congo_cgroups "$launcher")
    kill -KILL "$parent"
    wait "$parent"
    [ -z "$left" ] || {
        echo "the next run kept the cgroup of the killed (zombie) launcher $launcher: $left"
        sleep 0.5 # reaped by now: then it is collected
        fctr -- /bin/true
        return 1
    }
    nothing_left
}
t "BUG: the cgroup of a killed launcher that is still a zombie (its parent has not reaped it) is collected by the next run" zombie_launcher

# The command as another user: the kernel clears the parent-death signal
# when the child changes its credentials (setuid/setgid), so unless congo
# sets it again after the user switch, nothing kills the container's init
# when the launcher dies.
kill_as_user() {
    for i in 1 2 3 4 5; do
        out=$WORK/kill-user.out
        "$KILLER" 300000 1000 "$CONGO" run "$ROOTFS" 64 64m 512 - --cpus 1 \
            --memory-swap 128m --cgroup-parent "$CG_PARENT" --user app -- \
            /bin/sh -c ": $MARK; sleep 1000 & echo running; wait" >"$out" 2>&1 ||
            { echo "run $i as user app:"; cat "$out"; fctr -- /bin/true; return 1; }
        fctr -- /bin/true || return 1
    done
    nothing_left
}
t "BUG: with user: app the container is gone within a second of a SIGKILL to the launcher" kill_as_user

# ---------------------------------------------------------------------------
# Memory and swap
# ---------------------------------------------------------------------------

swap_accounted() {
    err=$(fctr --memory 32m --memory-swap 32m -- /bin/true 2>&1) && return 0
    case $err in *swap*) return 1 ;; esac
    return 0
}

# dd reads 64 MiB into one buffer: every page is touched, past memory+swap.
oom_loop() {
    for i in $(seq 20); do
        err=$(fctr --memory 32m --memory-swap 32m -- /bin/sh -c \
            ": $MARK; exec dd if=/dev/zero of=/dev/null bs=64M count=1" 2>&1)
        st=$?
        expect_eq 137 "$st" "status of run $i" || { echo "$err"; return 1; }
        case $err in
        *"congo-launch: the command was killed for using more memory than limits.memory"*) ;;
        *) echo "run $i: no message naming limits.memory: $err"; return 1 ;;
        esac
    done
    nothing_left
}
if swap_accounted; then
    t "memory 32m, swap 32m, a 64 MiB allocation: 137 and the message naming limits.memory, 20 runs out of 20" oom_loop
else
    skip "memory 32m, swap 32m, a 64 MiB allocation: 137 and a message, 20 runs out of 20" \
        "this kernel does not account swap (memory_swap is refused)"
fi

# memory 32m, memory_swap 48m: 16 MiB of swap at most. The limits are what
# the cgroup says; a 40 MiB allocation then fits only when the host has swap
# (it is killed otherwise: memsw cannot make room without a swap device),
# and 64 MiB never fits.
SWAP_KB=$(awk '$1 == "SwapTotal:" {print $2}' /proc/meminfo)
swap_limits_written() {
    out=$(fctr --memory 32m --memory-swap 48m -- /bin/sh -c '
        for f in /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes \
                 /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max; do
            [ -f "$f" ] && echo "${f##*/}=$(cat "$f")"
        done; exit 0' | tr '\n' ' ') || return 1
    case $out in
    "memory.limit_in_bytes=33554432 memory.memsw.limit_in_bytes=50331648 ") ;; # v1: memory+swap
    "memory.max=33554432 memory.swap.max=16777216 ") ;;                       # v2: swap alone
    *) echo "the cgroup's limits: $out"; return 1 ;;
    esac
}
swap_40m() {
    err=$(fctr --memory 32m --memory-swap 48m -- /bin/sh -c \
        ": $MARK; exec dd if=/dev/zero of=/dev/null bs=40M count=1" 2>&1)
    st=$?
    if [ "${SWAP_KB:-0}" -gt 65536 ]; then
        expect_eq 0 "$st" "status with ${SWAP_KB} KiB of swap on the host" || { echo "$err"; return 1; }
    else
        expect_eq 137 "$st" "status with no swap on the host" || { echo "$err"; return 1; }
        case $err in *limits.memory*) ;; *) echo "no message: $err"; return 1 ;; esac
    fi
    err=$(fctr --memory 32m --memory-swap 48m -- /bin/sh -c \
        ": $MARK; exec dd if=/dev/zero of=/dev/null bs=64M count=1" 2>&1)
    expect_eq 137 "$?" "status of a 64 MiB allocation" || { echo "$err"; return 1; }
    nothing_left
}
if swap_accounted; then
    t "memory 32m, memory_swap 48m are the cgroup's limits (v1 memsw 48m, v2 swap.max 16m)" swap_limits_written
    if [ "${SWAP_KB:-0}" -gt 65536 ]; then
        t "memory 32m, memory_swap 48m: 40 MiB survives on swap ($SWAP_KB KiB here), 64 MiB is killed" swap_40m
    else
        t "memory 32m, memory_swap 48m, no swap on this host: 40 MiB is killed (137), as is 64 MiB" swap_40m
    fi
else
    skip "memory 32m, memory_swap 48m are the cgroup's limits" "this kernel does not account swap"
    skip "memory_swap honoured" "this kernel does not account swap"
fi

# ---------------------------------------------------------------------------
# Fork bomb under limits.pids
# ---------------------------------------------------------------------------

# host_latency: milliseconds for 20 fork+exec of /bin/true on the host.
host_latency() {
    s=$(now_ms)
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do /bin/true || return 1; done
    echo $(($(now_ms) - s))
}

# The bomb is a static binary in a layer: every copy forks for ever and
# retries when fork fails (busybox sh would exit instead, and the bomb
# would die out). The command's shell forks its 3 s sleep before the bomb,
# since no fork succeeds afterwards, then waits for it and exits.
BOMB=": $MARK; sleep 3 & s=\$!; echo ready; /bin/forkbomb $MARK & wait \$s; exit 0"

# fork_bomb NAME MAX_MS RUN-OPTIONS...: the bomb under limits.pids 64 and
# the options; the host's latency must stay under MAX_MS for 20 forks.
fork_bomb() {
    name=$1 max=$2
    shift 2
    before=$(host_latency) || return 1
    start=$(now_ms)
    "$CONGO" run "$ROOTFS" 64 - - - --layers "$WORK/bomb-layer" --cgroup-parent "$CG_PARENT" "$@" \
        -- /bin/sh -c "$BOMB" >"$WORK/bomb.out" 2>&1 </dev/null &
    pid=$!
    wait_for "$WORK/bomb.out" ready || { kill -KILL "$pid"; wait "$pid"; return 1; }
    sleep 0.5
    during=$(host_latency) || { echo "the host could not fork"; kill -KILL "$pid"; wait "$pid"; return 1; }
    current=$(cat /sys/fs/cgroup/pids"$CG_PARENT"/congo-*-"$pid"-*/pids.current 2>/dev/null)
    wait "$pid"
    st=$?
    took=$(($(now_ms) - start))
    after=$(host_latency) || return 1
    figure "fork bomb ($name): 20 x /bin/true on the host took $before ms before, $during ms during (pids.current $current), $after ms after; the launcher returned after $took ms"
    expect_eq 0 "$st" "the launcher's status" || { cat "$WORK/bomb.out"; return 1; }
    [ "${current:-0}" -ge 60 ] || { echo "the bomb did not reach the limit: pids.current [$current]"; return 1; }
    [ "$took" -lt 10000 ] || { echo "the launcher took $took ms (the command lives 3 s)"; return 1; }
    [ "$during" -lt "$max" ] || { echo "20 forks on the host took $during ms during the bomb (bound: $max ms; $before ms before)"; return 1; }
    nothing_left
}
if [ -x "$WORK/bomb-layer/bin/forkbomb" ]; then
    # pids alone bounds the processes, not the CPU: 64 spinning processes on
    # this host's cores. The bound is loose: the host must fork, not stall.
    t "a fork bomb under limits.pids 64: the host still forks (within 10 s for 20) and the launcher returns" \
        fork_bomb "pids 64" 10000
    # With limits.cpus 1 as well, a core stays free for the host.
    t "the bomb under pids 64 and cpus 1: the host forks 20 times within 2 s" \
        fork_bomb "pids 64, cpus 1" 2000 --cpus 1
    # Without a PID namespace the init's death kills nothing: the launcher's
    # cgroup kill must catch every copy while they fork.
    t "the bomb without a PID namespace: the launcher still kills every copy and returns" \
        fork_bomb "pids 64, cpus 1, pid namespace off" 2000 --cpus 1 --namespaces pid=false
else
    for what in "pids 64" "pids 64, cpus 1" "no PID namespace"; do
        skip "a fork bomb ($what)" "cannot build a static binary: $(head -n 1 "$WORK/cc-bomb.log")"
    done
fi

# ---------------------------------------------------------------------------
# Stop signals and stop_timeout
# ---------------------------------------------------------------------------

# signal_reaches SIG: a trap for SIG in the command runs and its status comes back.
signal_reaches() {
    out=$WORK/sig-$1.out
    fctr_bg -- /bin/sh -c \
        ": $MARK; trap 'echo got $1; exit 3' $1; echo ready; while :; do sleep 0.1; done" \
        >"$out" 2>&1 </dev/null &
    pid=$!
    wait_for "$out" ready || { kill -KILL "$pid"; wait "$pid"; return 1; }
    kill -"$1" "$pid"
    wait "$pid"
    st=$?
    expect_eq 3 "$st" "the launcher's status" || { cat "$out"; return 1; }
    expect_eq "ready
got $1" "$(cat "$out")" "the command's output" || return 1
    nothing_left
}
for sig in TERM INT HUP; do
    t "SIG$sig to the launcher reaches the command's trap, which tells which" signal_reaches $sig
done

# stop_after TIMEOUT_OPTION...: a command that ignores SIGTERM; prints the
# milliseconds from the SIGTERM to the launcher's return, checks 137 and the
# launcher's message.
stop_after() {
    out=$WORK/stop.out
    fctr_bg "$@" -- /bin/sh -c ": $MARK; trap '' TERM; echo ready; while :; do sleep 0.1; done" \
        >"$out" 2>&1 </dev/null &
    pid=$!
    wait_for "$out" ready || { kill -KILL "$pid"; wait "$pid"; return 1; }
    s=$(now_ms)
    kill -TERM "$pid"
    wait "$pid"
    st=$?
    echo $(($(now_ms) - s)) >"$WORK/stop.ms"
    expect_eq 137 "$st" "the launcher's status" || { cat "$out"; return 1; }
    grep -q '^congo-launch: warning: the command did not stop within stop_timeout (.*): sent SIGKILL' "$out" ||
        { echo "no message about stop_timeout:"; cat "$out"; return 1; }
    nothing_left
}
stop_timeout_1s() {
    stop_after --stop-timeout 1s || return 1
    ms=$(cat "$WORK/stop.ms")
    figure "SIGTERM ignored, stop_timeout 1s: killed after $ms ms"
    [ "$ms" -ge 900 ] && [ "$ms" -lt 3000 ] || { echo "killed after $ms ms, not about 1 s"; return 1; }
}
t "a command that ignores SIGTERM is SIGKILLed after stop_timeout 1s (137, and the launcher says so)" stop_timeout_1s
stop_timeout_default() {
    stop_after || return 1
    ms=$(cat "$WORK/stop.ms")
    figure "SIGTERM ignored, default stop_timeout: killed after $ms ms"
    [ "$ms" -ge 9000 ] && [ "$ms" -le 12000 ] || { echo "killed after $ms ms, not 9-12 s"; return 1; }
}
t "the default stop_timeout is 10 s: killed between 9 and 12 s after SIGTERM" stop_timeout_default

# ---------------------------------------------------------------------------
# The upper: full or read-only
# ---------------------------------------------------------------------------

# A tmpfs of 1 MiB under WORK holds the uppers (cleanup_work unmounts it).
mkdir -p "$WORK/full" "$WORK/inodes" "$WORK/ro-src" "$WORK/ro"
mount -t tmpfs -o size=1m,mode=0755 congo-test-full "$WORK/full"
mkdir -p "$WORK/full/up/diff" "$WORK/full/up/work"
dd if=/dev/zero of="$WORK/full/fill" bs=64k 2>/dev/null
# A tmpfs with no inode left: nothing can even be made there.
mount -t tmpfs -o size=1m,nr_inodes=16,mode=0755 congo-test-inodes "$WORK/inodes"
mkdir -p "$WORK/inodes/kept/diff" "$WORK/inodes/kept/work" "$WORK/inodes/new"
i=0
while touch "$WORK/inodes/f$i" 2>/dev/null; do i=$((i + 1)); done
# A read-only bind of an upper that has its diff/ and work/, and of one that has not.
mkdir -p "$WORK/ro-src/kept/diff" "$WORK/ro-src/kept/work" "$WORK/ro-src/new"
mount --bind "$WORK/ro-src" "$WORK/ro"
mount -o remount,bind,ro "$WORK/ro"

full_data() {
    out=$(fctr --upper "$WORK/full/up" -- /bin/sh -c \
        ": $MARK; echo data >/new-file && exit 0; exit 7" 2>&1)
    st=$?
    expect_eq 7 "$st" "the command's status" || { echo "$out"; return 1; }
    case $out in
    *"No space left on device"*) ;;
    *) echo "the write did not fail with ENOSPC: $out"; return 1 ;;
    esac
    nothing_left
}
t "an upper whose file system is full: the command's write fails (ENOSPC), its own status comes back" full_data

t "an upper on a file system with no inode left: 125, naming the upper" \
    fails_cleanly "no inode" 'upper.*No space left' fctr --upper "$WORK/inodes/new" -- /bin/true

# diff/ and work/ exist (an earlier run made them), but overlay cannot make
# its work/work there: the kernel then mounts the overlay read-only and says
# so only in dmesg. A profile with a writable upper must not run read-only.
full_kept() {
    fails_cleanly "no inode, diff/ and work/ kept" 'upper|overlay' \
        fctr --upper "$WORK/inodes/kept" -- /bin/sh -c ": $MARK; touch /x"
}
t "BUG: an upper with diff/ and work/ but no inode left: 125, not a silently read-only root" full_kept

t "a read-only upper without diff/: 125, naming the upper and read-only" \
    fails_cleanly "read-only" 'upper.*Read-only file system' fctr --upper "$WORK/ro/new" -- /bin/true
t "a read-only upper with diff/ and work/: 125" \
    fails_cleanly "read-only, kept" 'upper|overlay' fctr --upper "$WORK/ro/kept" -- /bin/true
t "BUG: a read-only upper with diff/ and work/: the message names the upper and says read-only" \
    fails_cleanly "read-only, kept" "$WORK/ro/kept.*[Rr]ead-only" fctr --upper "$WORK/ro/kept" -- /bin/true

# ---------------------------------------------------------------------------
# Layers and rootfs
# ---------------------------------------------------------------------------

t "a missing layer: 125, naming layers[0] and its path" \
    fails_cleanly "missing layer" "layers\\[0\\] \`$WORK/no-such-layer\`" \
    fctr --layers "$WORK/no-such-layer" -- /bin/true

# A copy of the root, deleted while the command runs. (Overlay's behaviour
# when a lower layer changes under it is undefined: a file it looked up
# before may still show. The command only reads files after the deletion,
# and its shell is already in memory.) The run must end, with the
# command's own status, as soon as the command does, and leave nothing.
rootfs_deleted_running() {
    rm -rf "$WORK/root-copy"
    cp -a "$ROOTFS" "$WORK/root-copy" || return 1
    out=$WORK/deleted.out
    rm -f "$WORK/go"
    mkfifo "$WORK/go"
    "$CONGO" run "$WORK/root-copy" 64 64m 512 - --cgroup-parent "$CG_PARENT" -- /bin/sh -c \
        ": $MARK; echo ready; read x; cat /etc/motd || echo motd-gone; exit 5" \
        >"$out" 2>&1 <"$WORK/go" &
    pid=$!
    exec 3>"$WORK/go"
    wait_for "$out" ready || { exec 3>&-; kill -KILL "$pid"; wait "$pid"; return 1; }
    rm -rf "$WORK/root-copy" || return 1
    echo go >&3
    exec 3>&-
    s=$(now_ms)
    while [ -d "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
        [ $(($(now_ms) - s)) -lt 5000 ] || { echo "the run still goes 5 s after its rootfs was deleted"; kill -KILL "$pid"; break; }
        sleep 0.05
    done
    wait "$pid"
    st=$?
    expect_eq 5 "$st" "the command's status" || { cat "$out"; return 1; }
    grep -q motd-gone "$out" || { echo "the command still read /etc/motd: $(cat "$out")"; return 1; }
    nothing_left
}
t "the rootfs deleted under a running command: the run ends with the command's status" rootfs_deleted_running

# The copy deleted at a random point of set-up (0-10 ms after the start):
# each run either fails with 125 and a message (the overlay found no root),
# or gets as far as exec (127 when /bin/sh is gone by then, with congo's
# message), or runs the command (its own status, 5).
rootfs_deleted_setup() {
    : >"$WORK/deleted.figures"
    for i in $(seq 20); do
        rm -rf "$WORK/root-copy"
        cp -a "$ROOTFS" "$WORK/root-copy" || return 1
        "$CONGO" run "$WORK/root-copy" 64 64m 512 - --cgroup-parent "$CG_PARENT" -- /bin/sh -c \
            ": $MARK; exit 5" >"$WORK/deleted.out" 2>&1 </dev/null &
        pid=$!
        sleep "0.00$(random_below 10)"
        rm -rf "$WORK/root-copy"
        wait "$pid"
        st=$?
        echo "$st" >>"$WORK/deleted.figures"
        case $st in
        5) ;;
        125 | 126 | 127)
            grep -q '^congo-launch: ' "$WORK/deleted.out" ||
                { echo "run $i: status $st without a message: $(cat "$WORK/deleted.out")"; return 1; } ;;
        *) echo "run $i: status $st: $(cat "$WORK/deleted.out")"; return 1 ;;
        esac
        [ "$st" = 5 ] || cat "$WORK/deleted.out" >>"$WORK/deleted.messages"
    done
    figure "rootfs deleted 0-10 ms after the start, statuses of 20 runs (count status): $(sort "$WORK/deleted.figures" | uniq -c | tr -s ' \n' ' ')"
    [ -s "$WORK/deleted.messages" ] && figure "  messages: $(sort "$WORK/deleted.messages" | uniq -c | tr -s ' \n' ' ')"
    nothing_left
}
t "the rootfs deleted at a random point of set-up: 125/127 with a message, or the command's status" rootfs_deleted_setup

# ---------------------------------------------------------------------------
# Cgroups: a controller missing, a cgroup that cannot be made
# ---------------------------------------------------------------------------

# In a cgroup namespace rooted below a hierarchy's root, that hierarchy's
# mount shows a root of `/..` in mountinfo: it does not reach the launcher's
# cgroup, so congo cannot use it, as on a host without that controller. The
# launcher's shell goes into a cgroup of ours in that hierarchy first.
# without_controller CONTROLLER CMD...: run CMD so.
without_controller() {
    ctl=$1
    shift
    dir=$(ns_cgroup "$ctl")
    mkdir "$dir" || return 1
    sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec unshare --cgroup "$@"' sh "$dir" "$@"
    st=$?
    rmdir "$dir"
    return $st
}
memory_missing() {
    fails_cleanly "no memory hierarchy" 'limits.memory needs the memory cgroup controller' \
        without_controller memory "$CONGO" run "$ROOTFS" 64 64m - - --cgroup-parent "$CG_PARENT" -- /bin/true
}
pids_missing() {
    fails_cleanly "no pids hierarchy" 'needs the pids cgroup controller' \
        without_controller pids "$CONGO" run "$ROOTFS" - - - - --cgroup-parent "$CG_PARENT" -- /bin/true
}
if command -v unshare >/dev/null && [ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/pids ]; then
    t "the memory controller missing (a cgroup namespace hides it): limits.memory names it, 125" memory_missing
    t "the pids controller missing: congo says it needs pids, 125" pids_missing
else
    skip "the memory controller missing: 125" "no unshare, or not cgroup v1"
    skip "the pids controller missing: 125" "no unshare, or not cgroup v1"
fi

# A cgroup parent that cannot hold cgroups: it names a control file.
cgroup_mkdir_fails() {
    fctr -- /bin/true || return 1 # makes CG_PARENT
    fails_cleanly "cgroup parent is a file" "cgroup_parent \`$CG_PARENT/cgroup.procs\`.*create cgroup" \
        "$CONGO" run "$ROOTFS" 64 64m - - --cgroup-parent "$CG_PARENT/cgroup.procs" -- /bin/true
}
t "a cgroup that cannot be made: 125, naming cgroup_parent and the cgroup" cgroup_mkdir_fails

# ---------------------------------------------------------------------------
# Nothing left
# ---------------------------------------------------------------------------

host_clean() {
    # The file's own mounts go first: cleanup_work would remove them at exit.
    for m in "$WORK/ro" "$WORK/inodes" "$WORK/full"; do umount "$m" || return 1; done
    after=$(host_mounts)
    [ "$mounts_before" = "$after" ] || {
        echo "the host's mount table changed:"
        printf '%s\n' "$mounts_before" >"$WORK/m.before"
        printf '%s\n' "$after" >"$WORK/m.after"
        diff "$WORK/m.before" "$WORK/m.after"
        return 1
    }
    check_tmp || return 1
    nothing_left
}
t "the host's mounts and /tmp are as before, no congo cgroup or process of ours is left" host_clean

[ -s "$WORK/tmp.note" ] && figure "/tmp: $(cat "$WORK/tmp.note")"
sed 's/^/# /' "$WORK/figures"
# The plan comes last (TAP allows it): which tests run depends on the host.
echo "1..$n"
echo "$((n - failed)) passed, $failed failed"
exit "$((failed > 0))"
