#!/bin/sh
# Running containers: --detach, --list, --exec, --stop, --kill, --stats,
# --logs, the state directory behind them, and what a joining process must
# never show a container (runc's CVE-2016-9962).
. "$(dirname "$0")/lib.sh"

plan 23

# Every container of this file has its entry here, away from other tests'.
CONGO_STATE_DIR=$WORK/state
export CONGO_STATE_DIR

trap 'kill_detached; cleanup_work' EXIT

ATTACK=$SRCDIR/tests/integration/attack
LAYER=$WORK/attack-layer
mkdir -p "$LAYER/usr/local/bin"
watch_missing=
command -v gcc >/dev/null &&
    gcc -static -O1 -o "$LAYER/usr/local/bin/joinwatch" "$ATTACK/joinwatch.c" >"$WORK/gcc.log" 2>&1 ||
    watch_missing="cannot build the attack program joinwatch.c: $(head -n 2 "$WORK/gcc.log" 2>/dev/null)"

# detached NAME [RUN OPTIONS] -- CMD...: start one; prints its id.
detached() {
    name=$1
    shift
    "$CONGO" --detach --name "$name" run "$ROOTFS" - - - - "$@"
}

# json_field JSON-ARRAY ID FIELD: one field of one entry of --list --format json.
json_field() {
    printf '%s' "$1" | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["id"] == sys.argv[1]:
        print(e[sys.argv[2]])' "$2" "$3"
}

# gone ID: no entry, no process of it (the launcher removes both before it exits).
gone() {
    [ ! -e "$CONGO_STATE_DIR/$1" ] || { echo "the entry of $1 is still there"; return 1; }
}

# wait_gone ID: up to 10 s.
wait_gone() {
    i=0
    while [ -e "$CONGO_STATE_DIR/$1" ] && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    gone "$1"
}

detach_list_logs_stop() {
    id=$(detached web -- /bin/sh -c 'echo hello; echo oops >&2; exec sleep 100') || return 1
    case $id in *[!0-9a-f]* | '') echo "not an id: [$id]"; return 1 ;; esac
    expect_eq 12 "${#id}" "id length" || return 1
    list=$("$CONGO" --list --format json) || return 1
    expect_eq web "$(json_field "$list" "$id" name)" "name" || return 1
    expect_eq running "$(json_field "$list" "$id" status)" "status" || return 1
    pid=$(json_field "$list" "$id" pid)
    [ -d "/proc/$pid" ] || { echo "pid $pid is not running"; return 1; }
    for f in created profile memory pids detached; do
        json_field "$list" "$id" "$f" >/dev/null || { echo "no $f in: $list"; return 1; }
    done
    "$CONGO" --list | grep -q "^$id  web " || { "$CONGO" --list; return 1; }
    logs=$("$CONGO" --logs "$id")
    expect_eq "hello
oops" "$logs" "logs" || return 1
    # The state directory is root's alone.
    expect_eq 700 "$(stat -c %a "$CONGO_STATE_DIR")" "mode of the state directory" || return 1
    expect_status 0 "$CONGO" --stop web || return 1
    gone "$id" || return 1
    [ ! -d "/proc/$pid" ] || { echo "pid $pid still runs"; return 1; }
}
t "--detach prints an id; --list shows it; --logs has its output; --stop ends it" detach_list_logs_stop

logs_follow() {
    id=$(detached talk -- /bin/sh -c 'for i in 1 2 3; do echo line $i; sleep 0.3; done') || return 1
    out=$(timeout 10 "$CONGO" --logs "$id" --follow) || { echo "status $?: $out"; return 1; }
    expect_eq "line 1
line 2
line 3" "$out" "followed" || return 1
    wait_gone "$id"
}
t "--logs --follow follows the output until the container is gone" logs_follow

logs_capped() {
    # 3 MiB of output: the log keeps the last, in two files of at most 1 MiB.
    id=$(detached chatty -- /bin/sh -c 'head -c 3145728 /dev/zero | tr "\0" x; echo; echo END; exec sleep 100') ||
        return 1
    i=0
    while ! "$CONGO" --logs "$id" 2>/dev/null | tail -n 1 | grep -q END && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    size=$(du -cb "$CONGO_STATE_DIR/$id"/log* | tail -n 1 | cut -f1)
    "$CONGO" --stop "$id" || return 1
    [ "$size" -le 2097152 ] || { echo "the logs take $size bytes"; return 1; }
    [ "$size" -ge 1048576 ] || { echo "the logs take only $size bytes"; return 1; }
}
t "a detached container's log is capped at 2 MiB, its last output kept" logs_capped

exec_runs_inside() {
    p=$(profile web.yaml <<EOF
name: inside
rootfs: $ROOTFS
hostname: box
env: {FROM_PROFILE: yes}
rlimits: {nofile: 200}
command: [sleep, '100']
EOF
)
    id=$("$CONGO" --detach "$p") || return 1
    out=$("$CONGO" --exec inside -- /bin/sh -c 'echo $(hostname) $FROM_PROFILE $(id -u) $(pwd); ulimit -n') ||
        return 1
    expect_eq "box yes 0 /
200" "$out" "inside" || return 1
    # Its PID namespace (the container's init is 1) and its cgroup.
    out=$("$CONGO" --exec inside -- /bin/sh -c 'cat /proc/1/comm')
    expect_eq congo-init "$out" "pid 1" || return 1
    pid=$(json_field "$("$CONGO" --list --format json)" "$id" pid)
    want=$(cat "/proc/$pid/cgroup")
    got=$("$CONGO" --exec "$id" -- cat /proc/self/cgroup)
    # The cgroup namespace is off by default: the paths are the host's, the same for both.
    expect_eq "$want" "$got" "cgroup" || return 1
    out=$("$CONGO" --exec "$id" --user nobody --workdir /tmp --env FOO=bar --env FROM_PROFILE=no -- \
        /bin/sh -c 'echo $(id -un) $(pwd) $FOO $FROM_PROFILE')
    expect_eq "nobody /tmp bar no" "$out" "options" || return 1
    expect_status 42 "$CONGO" --exec "$id" -- /bin/sh -c 'exit 42' || return 1
    expect_status 127 "$CONGO" --exec "$id" -- /no/such/command 2>/dev/null || return 1
    expect_status 125 "$CONGO" --exec "$id" ls 2>/dev/null || return 1
    "$CONGO" --stop "$id"
}
t "--exec runs in the container: its namespaces, cgroup, environment; options; statuses" exec_runs_inside

exec_same_policy() {
    id=$(detached policy --cap-drop ALL --cap-add KILL,NET_BIND_SERVICE -- sleep 100) || return 1
    want=$("$CONGO" run "$ROOTFS" - - - - --cap-drop ALL --cap-add KILL,NET_BIND_SERVICE -- \
        /bin/sh -c 'grep -E "^(CapEff|CapBnd|CapPrm|CapInh|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status')
    got=$("$CONGO" --exec "$id" -- \
        /bin/sh -c 'grep -E "^(CapEff|CapBnd|CapPrm|CapInh|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status')
    "$CONGO" --stop "$id"
    expect_eq "$want" "$got" "capabilities, no_new_privileges and seccomp"
}
t "--exec drops what the container's command drops: capabilities, seccomp, no_new_privileges" exec_same_policy

exec_terminal() {
    command -v script >/dev/null || { echo "no script(1) to give --exec a terminal"; return 1; }
    id=$(detached tty -- sleep 100) || return 1
    # stdin a terminal: the command gets one of its own, from the container's devpts.
    out=$(script -qec "'$CONGO' --exec $id -- /bin/sh -c 'tty; exit 3'" /dev/null </dev/null)
    status=$?
    "$CONGO" --stop "$id"
    case $out in *"/dev/pts/"*) ;; *) echo "no terminal of its own: $out"; return 1 ;; esac
    expect_eq 3 "$status" "status through the terminal"
}
t "--exec with a terminal on stdin gives the command one of the container's own" exec_terminal

exec_same_filter() {
    printf 'chdir ENOSYS\n' >"$WORK/filter.seccomp"
    id=$(detached filtered --seccomp "$WORK/filter.seccomp" -- sleep 100) || return 1
    # The file changes, then goes: --exec keeps the filter the container runs under.
    printf '@default\n' >"$WORK/filter.seccomp"
    out=$("$CONGO" --exec "$id" -- /bin/sh -c 'cd /tmp && echo moved' 2>&1)
    rm "$WORK/filter.seccomp"
    out2=$("$CONGO" --exec "$id" -- /bin/sh -c 'cd /tmp && echo moved' 2>&1)
    "$CONGO" --stop "$id"
    case $out in *moved*) echo "--exec ran under the file's new rules: $out"; return 1 ;; esac
    case $out in *"not implemented"*) ;; *) echo "cd was not refused: $out"; return 1 ;; esac
    case $out2 in *"not implemented"*) ;; *) echo "without the file: $out2"; return 1 ;; esac
}
t "--exec keeps the seccomp filter the container started with, whatever became of its file" exec_same_filter

exec_container_exits() {
    id=$(detached brief -- sleep 1) || return 1
    start=$(date +%s)
    "$CONGO" --exec "$id" -- sleep 30
    status=$?
    [ $(($(date +%s) - start)) -lt 10 ] || { echo "the exec outlived its container"; return 1; }
    expect_eq 137 "$status" "status of the exec'd command when the container ended" || return 1
    wait_gone "$id"
}
t "a command run by --exec ends with its container (137)" exec_container_exits

stop_ignoring_term() {
    p=$(profile stubborn.yaml <<EOF
name: stubborn
rootfs: $ROOTFS
stop_timeout: 1s
command: [/bin/sh, -c, 'trap "" TERM; while :; do sleep 0.1; done']
EOF
)
    id=$("$CONGO" --detach "$p") || return 1
    start=$(date +%s%N)
    expect_status 0 "$CONGO" --stop stubborn 2>/dev/null || return 1
    ms=$((($(date +%s%N) - start) / 1000000))
    [ $ms -ge 900 ] && [ $ms -lt 5000 ] || { echo "--stop took $ms ms for stop_timeout 1s"; return 1; }
    gone "$id" || return 1
    id=$("$CONGO" --detach "$p") || return 1
    start=$(date +%s%N)
    "$CONGO" --stop "$id" --timeout 200ms 2>/dev/null || return 1
    ms=$((($(date +%s%N) - start) / 1000000))
    [ $ms -lt 900 ] || { echo "--stop --timeout 200ms took $ms ms"; return 1; }
    gone "$id"
}
t "--stop of a command that ignores SIGTERM: SIGKILL after stop_timeout, or --timeout" stop_ignoring_term

kill_signals() {
    mkdir -p "$WORK/sig"
    id=$(detached sig --mount "$WORK/sig:/out" -- /bin/sh -c \
        'trap "echo usr1 >>/out/got" USR1; trap "echo hup >>/out/got" HUP; while :; do sleep 0.1; done') ||
        return 1
    "$CONGO" --kill sig USR1 || return 1
    "$CONGO" --kill "$id" 1 || return 1
    i=0
    while [ "$(wc -l <"$WORK/sig/got" 2>/dev/null)" != 2 ] && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    # The shell runs its traps in signal order once its sleep is over.
    expect_eq "hup
usr1" "$(sort "$WORK/sig/got" 2>/dev/null)" "signals received" || return 1
    expect_status 2 "$CONGO" --kill sig NOTASIGNAL 2>/dev/null || return 1
    expect_status 0 "$CONGO" --kill sig || return 1
    wait_gone "$id"
}
t "--kill sends a signal by name or number, SIGKILL by default" kill_signals

stats() {
    id=$("$CONGO" --detach --name stats run "$ROOTFS" 50 64m - - -- /bin/sh -c \
        'i=0; while [ $i -lt 100000 ]; do i=$((i + 1)); done; touch /tmp/busy-done; exec sleep 100') ||
        return 1
    i=0
    while ! "$CONGO" --exec "$id" -- test -e /tmp/busy-done 2>/dev/null && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    json=$("$CONGO" --stats "$id" --format json) || return 1
    printf '%s' "$json" | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["pids"] >= 2, s
assert s["pids_limit"] == 50, s
assert s["memory"] > 0 and s["memory_peak"] >= s["memory"], s
assert s["memory_limit"] == 64 * 1024 * 1024, s
assert s["cpu_usec"] >= 20000, s
' || { echo "$json"; return 1; }
    "$CONGO" --stats stats | grep -q '^pids: *[0-9]* (limit 50)$' || { "$CONGO" --stats stats; return 1; }
    "$CONGO" --stop "$id"
}
t "--stats reads memory, peak, CPU time, pids and their limits from the cgroup" stats

shared_name() {
    a=$(detached twin -- sleep 100) || return 1
    b=$(detached twin -- sleep 100) || return 1
    err=$("$CONGO" --exec twin -- true 2>&1)
    expect_eq 1 $? "status of --exec on a shared name" || return 1
    case $err in *"$a"*"$b"* | *"$b"*"$a"*) ;; *) echo "the candidates are not listed: $err"; return 1 ;; esac
    expect_status 1 "$CONGO" --stop twin 2>/dev/null || return 1
    expect_status 0 "$CONGO" --exec "$a" -- true || return 1
    expect_status 0 "$CONGO" --stop "$a" || return 1
    # Now the name is unambiguous.
    expect_status 0 "$CONGO" --stop twin || return 1
    gone "$b"
}
t "a name two containers share: --exec and --stop list both and exit 1; ids work" shared_name

unknown() {
    err=$("$CONGO" --stop nosuch 2>&1)
    expect_eq 1 $? "status" || return 1
    case $err in *"no container \`nosuch\`"*) ;; *) echo "$err"; return 1 ;; esac
    for mode in --exec --kill --stats --logs; do
        if [ $mode = --exec ]; then
            expect_status 1 "$CONGO" $mode nosuch -- true 2>/dev/null || return 1
        else
            expect_status 1 "$CONGO" $mode nosuch 2>/dev/null || return 1
        fi
    done
}
t "an id or name that names no container: exit 1 and a clear message" unknown

foreground() {
    "$CONGO" --name fg run "$ROOTFS" - - - - -- sleep 100 &
    launcher=$!
    i=0
    while ! "$CONGO" --list | grep -q ' fg ' && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    "$CONGO" --list | grep -q ' fg .* running ' || { "$CONGO" --list; kill $launcher; return 1; }
    out=$("$CONGO" --exec fg -- cat /proc/1/comm)
    expect_eq congo-init "$out" "exec into a foreground container" || { kill $launcher; return 1; }
    expect_status 1 "$CONGO" --logs fg 2>/dev/null || { kill $launcher; return 1; }
    "$CONGO" --stop fg || return 1
    wait $launcher
    expect_eq 143 $? "status of the foreground launcher"
}
t "a foreground container is listed too, and reachable by --exec and --stop" foreground

launcher_killed() {
    id=$(detached orphan -- sleep 100) || return 1
    list=$("$CONGO" --list --format json)
    pid=$(json_field "$list" "$id" pid)
    launcher=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["launcher_pid"])' \
        "$CONGO_STATE_DIR/$id/state.json")
    kill -9 "$launcher"
    i=0
    while [ -d "/proc/$pid" ] && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ ! -d "/proc/$pid" ] || { echo "the container outlived its launcher"; return 1; }
    [ -e "$CONGO_STATE_DIR/$id" ] || { echo "the entry vanished by itself"; return 1; }
    "$CONGO" --list | grep -q "$id" && { echo "a dead container is listed"; return 1; }
    gone "$id"
}
t "a detached container's launcher SIGKILLed: it dies too, and the next --list cleans its entry" launcher_killed

# A dead launcher's entry, and entries a launcher is still making: --list
# removes the first kind only, and never one whose lock is held.
leftovers() {
    st=$CONGO_STATE_DIR
    mkdir -p "$st"
    sh -c 'exit 0' &
    dead=$!
    wait $dead
    for id in dead00000001 dead00000002; do
        mkdir "$st/$id"
        printf '{"id": "%s", "name": "x", "status": "running", "profile": "p", "launcher_pid": %d, "launcher_start": 1, "pid": %d, "pid_start": 1, "cgroups": [], "created": 1}\n' \
            "$id" "$dead" "$dead" >"$st/$id/state.json"
    done
    mkdir "$st/0000000fresh" "$st/0000000aged1" "$st/0000000aged2" "$st/.dead-000000000003"
    touch -d '2 minutes ago' "$st/0000000aged1" "$st/0000000aged2"
    # Held as a launcher holds its entry: flock(2) on the directory.
    python3 -c '
import fcntl, os, sys, time
for d in sys.argv[2:]:
    fcntl.flock(os.open(d, os.O_RDONLY | os.O_DIRECTORY), fcntl.LOCK_EX)
open(sys.argv[1], "w").close()
time.sleep(100)' "$WORK/locked" "$st/dead00000002" "$st/0000000aged2" &
    holder=$!
    i=0
    while [ ! -e "$WORK/locked" ] && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    "$CONGO" --list >"$WORK/leftovers.out" 2>&1
    status=$?
    left=$(ls -A "$st" | sort | tr '\n' ' ')
    kill "$holder"
    wait "$holder" 2>/dev/null
    expect_eq 0 "$status" "--list status" || { cat "$WORK/leftovers.out"; return 1; }
    expect_eq "0000000aged2 0000000fresh dead00000002 " "$left" "entries kept" || return 1
    # Their locks free, the dead launcher's entry goes; the fresh one stays until it is old.
    "$CONGO" --list >/dev/null || return 1
    expect_eq "0000000fresh" "$(ls -A "$st" | sort | tr '\n' ' ' | sed 's/ $//')" \
        "entries kept once the locks are free" || return 1
    rmdir "$st/0000000fresh"
}
t "stale entries: a dead launcher's and old half-made ones go; held or fresh ones stay" leftovers

concurrent() {
    : >"$WORK/ids"
    i=0
    while [ $i -lt 20 ]; do
        (
            "$CONGO" --name busy run "$ROOTFS" - - - - -- sleep 0.$((i % 5 + 1)) >/dev/null \
                2>"$WORK/run$i.err"
            echo $? >>"$WORK/statuses"
        ) &
        i=$((i + 1))
    done
    bad=0
    rounds=0
    while [ "$(wc -l <"$WORK/statuses" 2>/dev/null || echo 0)" -lt 20 ] && [ $rounds -lt 200 ]; do
        "$CONGO" --list --format json >"$WORK/list.json" 2>"$WORK/list.err" || bad=1
        python3 -c '
import json, sys
for e in json.load(open(sys.argv[1])):
    assert e["name"] == "busy", e
    assert len(e["id"]) == 12, e
' "$WORK/list.json" 2>>"$WORK/list.err" || bad=1
        rounds=$((rounds + 1))
    done
    wait
    [ $bad = 0 ] || { echo "a --list failed or did not parse:"; cat "$WORK/list.err"; return 1; }
    expect_eq 20 "$(grep -c '^0$' "$WORK/statuses")" "runs that exited 0" || {
        cat "$WORK"/run*.err
        return 1
    }
    expect_eq "[]" "$("$CONGO" --list --format json)" "list afterwards" || return 1
    left=$(ls -A "$CONGO_STATE_DIR")
    expect_eq "" "$left" "entries left"
}
t "20 containers start and stop while --list runs: every list parses, nothing is left" concurrent

state_unusable() {
    mkdir -p "$WORK/ro" "$WORK/full"
    mount -t tmpfs -o ro,mode=700 tmpfs "$WORK/ro" || return 1
    err=$(CONGO_STATE_DIR=$WORK/ro/state "$CONGO" run "$ROOTFS" - - - - -- /bin/true 2>&1)
    status=$?
    umount "$WORK/ro"
    expect_eq 125 "$status" "status with a read-only state directory" || return 1
    case $err in *"$WORK/ro/state"*"Read-only file system"*) ;; *) echo "$err"; return 1 ;; esac
    mount -t tmpfs -o size=8k,mode=700 tmpfs "$WORK/full" || return 1
    head -c 8192 /dev/zero >"$WORK/full/filler" 2>/dev/null
    err=$(CONGO_STATE_DIR=$WORK/full "$CONGO" --detach run "$ROOTFS" - - - - -- sleep 100 2>&1)
    status=$?
    left=$(ls -A "$WORK/full")
    umount "$WORK/full"
    expect_eq 125 "$status" "status with a full state directory" || return 1
    case $err in *"No space left on device"*) ;; *) echo "$err"; return 1 ;; esac
    expect_eq filler "$left" "what is left in the full state directory"
}
t "a read-only or full state directory: exit 125 with the reason, nothing half-written" state_unusable

detach_fails() {
    err=$("$CONGO" --detach run "$ROOTFS" - - - - -- /no/such/command 2>&1)
    expect_eq 127 $? "status" || return 1
    case $err in *"/no/such/command"*) ;; *) echo "$err"; return 1 ;; esac
    err=$("$CONGO" --detach run "$WORK/no-root" - - - - -- /bin/true 2>&1)
    expect_eq 125 $? "status without a root" || return 1
    expect_eq "" "$(ls -A "$CONGO_STATE_DIR")" "entries left"
}
t "--detach of a start that fails: its status and message, nothing left" detach_fails

# --no-pivot is for the initial ramfs (tests/vm/run-engine-v2.sh runs it
# there); on any root it gives the container the same root and mounts.
no_pivot() {
    look='ls /; cut -d" " -f5 /proc/self/mountinfo'
    want=$("$CONGO" run "$ROOTFS" - - - - -- /bin/sh -c "$look") || return 1
    got=$("$CONGO" --no-pivot run "$ROOTFS" - - - - -- /bin/sh -c "$look") || return 1
    expect_eq "$want" "$got" "what the command sees, without and with --no-pivot" || return 1
    id=$("$CONGO" --no-pivot --detach run "$ROOTFS" - - - - -- sleep 100) || return 1
    got=$("$CONGO" --exec "$id" -- ls /)
    "$CONGO" --stop "$id" >/dev/null
    expect_eq "$(ls "$ROOTFS")" "$got" "--exec's root" || return 1
    err=$("$CONGO" --no-pivot --list 2>&1)
    expect_eq 2 $? "--no-pivot --list" || return 1
    case $err in *"--no-pivot does not go with --list"*) ;; *) echo "$err"; return 1 ;; esac
}
t "--no-pivot: the same root and mounts as with pivot_root, detached and --exec; only for a run" no_pivot

default_state_dir() {
    id=$(env -u CONGO_STATE_DIR "$CONGO" --detach --name default-dir run "$ROOTFS" - - - - -- sleep 100) ||
        return 1
    [ -f "/run/congo/$id/state.json" ] || { echo "no /run/congo/$id/state.json"; return 1; }
    expect_eq 700 "$(stat -c %a /run/congo)" "mode of /run/congo" || return 1
    env -u CONGO_STATE_DIR "$CONGO" --stop "$id" || return 1
    [ ! -e "/run/congo/$id" ] || { echo "/run/congo/$id is left"; return 1; }
}
t "the state directory is /run/congo, mode 0700, unless CONGO_STATE_DIR says otherwise" default_state_dir

# ---- what a joining process shows the container: nothing of the host ----

# tw NAME CMD...: a test that needs joinwatch.c; SKIP without it.
tw() {
    if [ -z "$watch_missing" ]; then
        t "$@"
    else
        n=$((n + 1))
        echo "ok $n - $1 # SKIP $watch_missing"
    fi
}

# The watcher's verdict comes from its log, read before the container ends.
exec_shows_nothing_logged() {
    marker=congo-host-$$-marker
    mkdir -p "$WORK/$marker"
    echo secret >"$WORK/$marker/file"
    id=$(detached watched --layers "$LAYER" -- /bin/sh -c "joinwatch $marker 6; sleep 100") || return 1
    long=$(i=0; while [ $i -lt 400 ]; do printf '/no/%d:' $i; i=$((i + 1)); done)
    n_exec=0
    while [ $n_exec -lt 25 ]; do
        (cd "$WORK/$marker" && SECRET=$marker "$CONGO" --exec "$id" --env "PATH=${long}/bin" -- true \
            7<"$WORK/$marker/file") || { echo "exec $n_exec failed"; "$CONGO" --kill "$id"; return 1; }
        n_exec=$((n_exec + 1))
    done
    i=0
    while ! grep -qE 'clean|LEAK' "$CONGO_STATE_DIR/$id/log" 2>/dev/null && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    out=$("$CONGO" --logs "$id")
    "$CONGO" --kill "$id"
    case $out in
    *LEAK*) echo "the container saw the host in a joining process: $out"; return 1 ;;
    *clean*) ;;
    *) echo "the watcher said nothing: $out"; return 1 ;;
    esac
}
tw "--exec: before its command runs, a joining process shows the container no host environment, cwd or fd" \
    exec_shows_nothing_logged

exec_no_host_fd() {
    id=$(detached fds -- sleep 100) || return 1
    echo host-secret >"$WORK/host-secret"
    out=$(cd "$WORK" && "$CONGO" --exec "$id" -- /bin/sh -c 'ls /proc/self/fd; cat <&7; pwd' \
        7<"$WORK/host-secret" 2>&1)
    "$CONGO" --kill "$id"
    case $out in *host-secret*) echo "the command read the caller's fd 7: $out"; return 1 ;; esac
    fds=$(printf '%s\n' "$out" | grep -E '^[0-9]+$' | tr '\n' ' ')
    expect_eq "0 1 2 3 " "$fds" "the command's fds (3 is ls's own)" || return 1
    printf '%s\n' "$out" | tail -n 1 | grep -qx / || { echo "cwd: $out"; return 1; }
}
t "--exec: the command holds no fd of the caller's but stdio, and starts in the container's workdir" exec_no_host_fd

finish
