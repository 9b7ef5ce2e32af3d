#!/bin/sh
# Limits that hold: a fork bomb stopped by limits.pids, an allocation killed
# by limits.memory, the CPU and other limits readable in the container's own
# cgroup, and no cgroup left once the launcher returns.
. "$(dirname "$0")/lib.sh"

plan 11

# skip NAME REASON: a TAP skip, for what this host cannot show.
skip() {
    n=$((n + 1))
    echo "ok $n - $1 # SKIP $2"
}

# Milliseconds since the epoch (GNU date).
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_for FILE PATTERN: poll up to 5 s for PATTERN in FILE.
wait_for() {
    i=0
    while ! grep -q "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -le 100 ] || { echo "no \"$2\" in $1 after 5 s:"; cat "$1"; return 1; }
        sleep 0.05
    done
}

# A unique sleep length marks this file's processes among everyone's.
mark=7$$

# --- pids ---

# busybox ash exits when a fork fails: the loop runs in a subshell, so the
# command's own shell survives to report (with builtins only: no pid is free).
bomb='(i=0; while [ $i -lt 100 ]; do sleep '$mark' </dev/null >/dev/null 2>&1 & i=$((i+1)); done)'

fork_bomb_held() {
    out=$(ctr --pids 20 -- /bin/sh -c "$bomb; echo looped" 2>&1)
    case $out in
    *"can't fork"* | *"Resource temporarily unavailable"*) ;;
    *) echo "no fork failure in: $out"; return 1 ;;
    esac
    case $out in
    *looped*) ;;
    *) echo "the shell itself did not survive the loop: $out"; return 1 ;;
    esac
}
t "a fork loop under limits.pids 20 gets \"can't fork\"" fork_bomb_held

pids_current_capped() {
    # The shell counts itself and the init; nothing gets past 20.
    out=$(ctr --pids 20 -- /bin/sh -c "$bomb 2>/dev/null
        for f in /sys/fs/cgroup/pids/pids.current /sys/fs/cgroup/pids.current; do
            [ -f \$f ] && read c <\$f && echo \$c
        done
        exit 0") || return 1
    [ "$out" -le 20 ] 2>/dev/null || { echo "pids.current: $out"; return 1; }
    [ "$out" -ge 18 ] || { echo "pids.current: $out (the loop did not fill the limit?)"; return 1; }
}
t "pids.current stays at or below limits.pids while the loop runs" pids_current_capped

bomb_cleaned_up() {
    # The command exits at once; what it left must die with the run, long
    # before the sleeps would end by themselves.
    start=$(now_ms)
    ctr --pids 20 -- /bin/sh -c "$bomb 2>/dev/null; exit 0" || return 1
    took=$(($(now_ms) - start))
    [ "$took" -lt 5000 ] || { echo "the launcher took $took ms"; return 1; }
    left=$(ps -e -o args= | grep -c "^sleep $mark\$")
    expect_eq 0 "$left" "sleeps of the fork loop left on the host"
}
t "the launcher returns when the command does, killing what the fork loop left" bomb_cleaned_up

host_forks_meanwhile() {
    # The container's shell then blocks opening a FIFO nobody writes: no fork.
    "$CONGO" run "$ROOTFS" 20 - - - -- /bin/sh -c \
        "mkfifo /tmp/hold; $bomb 2>/dev/null; echo full; read x </tmp/hold" \
        >"$WORK/bomb.out" 2>&1 </dev/null &
    pid=$!
    wait_for "$WORK/bomb.out" full || { kill -KILL "$pid"; wait "$pid"; return 1; }
    current=$(find /sys/fs/cgroup -maxdepth 8 -type f -name pids.current \
        -path "*/congo-*-$pid-*/pids.current" -exec cat {} + 2>/dev/null | head -n 1)
    # The container sits at its limit; the host forks 50 times meanwhile.
    start=$(now_ms)
    ok=0
    for i in $(seq 50); do /bin/true && ok=$((ok + 1)); done
    took=$(($(now_ms) - start))
    kill -TERM "$pid"
    wait "$pid"
    [ "${current:-0}" -ge 18 ] || { echo "the container was not at its limit: pids.current [$current]"; return 1; }
    expect_eq 50 "$ok" "host forks that worked" || return 1
    [ "$took" -lt 5000 ] || { echo "50 host forks took $took ms"; return 1; }
}
t "the host still forks while a container sits at its pids limit" host_forks_meanwhile

# --- memory ---

swap_accounted() {
    err=$(ctr --memory 32m --memory-swap 32m -- /bin/true 2>&1) && return 0
    case $err in *swap*) return 1 ;; esac
    return 0
}

oom_killed() {
    # dd reads 64 MiB of zeros into one buffer: every page is really touched.
    err=$(ctr --memory 32m --memory-swap 32m -- /bin/dd if=/dev/zero of=/dev/null bs=64M count=1 2>&1)
    status=$?
    expect_eq 137 "$status" "status" || { echo "$err"; return 1; }
    case $err in
    *limits.memory*) ;;
    *) echo "the message does not name limits.memory: $err"; return 1 ;;
    esac
}
if swap_accounted; then
    t "a 64 MiB allocation under memory 32m (swap 32m) is killed: 137, limits.memory named" oom_killed
else
    skip "a 64 MiB allocation under memory 32m (swap 32m) is killed: 137, limits.memory named" \
        "this kernel does not account swap (memory_swap is refused)"
fi

under_limit_fine() {
    out=$(ctr --memory 32m -- /bin/sh -c 'dd if=/dev/zero of=/dev/null bs=8M count=1 2>/dev/null && echo ok') || return 1
    expect_eq ok "$out" "an 8 MiB allocation"
}
t "an 8 MiB allocation under memory 32m runs" under_limit_fine

# --- the cgroup's files, seen from inside ---

# cg_read V1FILE V2FILE [OPTIONS]: the first that exists inside the container.
cg_read() {
    v1=$1 v2=$2
    shift 2
    ctr "$@" -- /bin/sh -c '
        for f in /sys/fs/cgroup/*/'"$v1"' /sys/fs/cgroup/'"$v2"'; do
            [ -f "$f" ] && { echo "${f#/sys/fs/cgroup/}=$(cat "$f")"; exit 0; }
        done
        echo "no '"$v1"' nor '"$v2"'"; ls -R /sys/fs/cgroup; exit 1'
}

cpu_shares_visible() {
    out=$(cg_read cpu.shares cpu.weight --cpu-shares 512) || { echo "$out"; return 1; }
    case $out in
    cpu/cpu.shares=512 | */cpu.shares=512) ;;
    cpu.weight=58) ;; # 512 shares on the 2..262144 -> 1..10000 map
    *) echo "got $out"; return 1 ;;
    esac
}
t "cpu_shares 512 is the container's cpu.shares (v1) or cpu.weight (v2)" cpu_shares_visible

cpu_quota_visible() {
    out=$(cg_read cpu.cfs_quota_us cpu.max --cpus 1.5) || { echo "$out"; return 1; }
    case $out in
    */cpu.cfs_quota_us=150000) ;;
    "cpu.max=150000 100000") ;;
    *) echo "got $out"; return 1 ;;
    esac
    case $out in
    */cpu.cfs_quota_us=*)
        period=$(cg_read cpu.cfs_period_us cpu.max --cpus 1.5)
        expect_eq 100000 "${period#*=}" "cpu.cfs_period_us" || return 1
        ;;
    esac
}
t "cpus 1.5 is a 150 ms quota per 100 ms period in the container's cgroup" cpu_quota_visible

pids_max_visible() {
    out=$(cg_read pids.max pids.max --pids 37) || { echo "$out"; return 1; }
    expect_eq 37 "${out#*=}" "pids.max"
}
t "limits.pids is the container's pids.max" pids_max_visible

memory_visible() {
    out=$(cg_read memory.limit_in_bytes memory.max --memory 48m) || { echo "$out"; return 1; }
    expect_eq 50331648 "${out#*=}" "the memory limit"
}
t "limits.memory 48m is the container's memory limit (50331648 bytes)" memory_visible

cgroup_gone() {
    "$CONGO" run "$ROOTFS" - 64m - - -- /bin/sh -c 'echo ready; sleep 0.3' >"$WORK/cg.out" 2>&1 </dev/null &
    pid=$!
    wait_for "$WORK/cg.out" ready || { kill -KILL "$pid"; wait "$pid"; return 1; }
    during=$(find /sys/fs/cgroup -maxdepth 8 -type d -name "congo-*-$pid-*" 2>/dev/null | wc -l)
    wait "$pid" || { echo "the run failed"; cat "$WORK/cg.out"; return 1; }
    after=$(find /sys/fs/cgroup -maxdepth 8 -type d -name "congo-*-$pid-*" 2>/dev/null)
    [ "$during" -ge 1 ] || { echo "no congo-*-$pid-* cgroup while the container ran"; return 1; }
    expect_eq "" "$after" "the run's cgroups after it returned"
}
t "the run's cgroup exists while it runs and is gone after it returns" cgroup_gone

finish
