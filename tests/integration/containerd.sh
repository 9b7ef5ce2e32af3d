#!/bin/sh
# congo-oci driven by containerd through its runc shim (containerd-shim-runc-v2),
# as a ctr user sees it: output and exit status of `ctr run --rm`, the
# environment, working directory and memory limit ctr asks for, a detached
# task listed, killed and deleted, a terminal; nothing left on the host after.
# containerd is the test's own: its config, sockets and state are in WORK.
. "$(dirname "$0")/lib.sh"

for tool in containerd ctr containerd-shim-runc-v2; do
    command -v "$tool" >/dev/null ||
        skip_all "no $tool: containerd is not installed (Debian: apt-get install containerd)"
done

OCI=$(dirname "$CONGO")/congo-oci
C=$WORK/containerd
SOCK=$C/containerd.sock
# The containerd namespace, and so the parent cgroup ctr gives its containers.
NS=congo-it-ctrd-$$
ROOTFS_COPY=$WORK/rootfs
mkdir -p "$C" "$WORK/fifo"
cp -a "$ROOTFS" "$ROOTFS_COPY"

# Nothing that needs the network or a kernel feature this host may lack: no
# CRI, no snapshotters but the plain ones, no tracing exporter.
cat >"$C/config.toml" <<EOF
version = 2
root = "$C/root"
state = "$C/state"
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
]
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$SOCK.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$C/opt"
EOF

# The shims put their sockets in /run/containerd/s whatever the config says
# (containerd 1.6): made for this file, that directory goes at the end.
run_dir_before=
[ -e /run/containerd ] && run_dir_before=1

containerd --config "$C/config.toml" --log-level debug >"$C/containerd.log" 2>&1 &
containerd_pid=$!

# Whatever a failed test left is deleted, then containerd stopped (by its
# pid), then the cgroups ctr's cgroupsPath made for the namespace removed.
stop_containerd() {
    if kill -0 "$containerd_pid" 2>/dev/null; then
        for id in $(c container ls -q 2>/dev/null); do
            c task delete --force "$id" >/dev/null 2>&1
            c container delete "$id" >/dev/null 2>&1
        done
        kill "$containerd_pid"
        i=0
        while kill -0 "$containerd_pid" 2>/dev/null && [ $i -lt 100 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -9 "$containerd_pid" 2>/dev/null
    fi
    # Last resort when a runtime or a shim did not answer: congo-oci's own
    # entries, then this containerd's shims (their command line names its socket).
    for id in $("$OCI" --root "$C/runc/$NS" list -q 2>/dev/null); do
        "$OCI" --root "$C/runc/$NS" delete --force "$id"
    done
    for p in /proc/[0-9]*; do
        tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "-address $SOCK " && kill "${p#/proc/}"
    done
    [ -n "$run_dir_before" ] || rmdir /run/containerd/s /run/containerd 2>/dev/null
    # Only the namespace's own directories, and only when empty (rmdir).
    for d in /sys/fs/cgroup/*/"$NS" /sys/fs/cgroup/"$NS"; do
        [ -d "$d" ] && rmdir "$d" 2>/dev/null
    done
}
trap 'stop_containerd; cleanup_work' EXIT
# A test file killed (by the harness's timeout, ^C) cleans up as well.
trap 'exit 1' HUP INT TERM

# ctr on this containerd, 20 s at most: a runtime that never starts the
# command must fail the test, not hang it. ctr forwards SIGTERM to the task
# (which may never have started): SIGKILL follows. (lib.sh's own ctr
# function runs congo-launch on the test root.)
c() { timeout -k 2 20 ctr --address "$SOCK" --namespace "$NS" "$@"; }

i=0
until c version >/dev/null 2>&1; do
    kill -0 "$containerd_pid" 2>/dev/null && [ $i -lt 100 ] ||
        skip_all "containerd does not start here: $(c version 2>&1 | tail -n 1)"
    sleep 0.1
    i=$((i + 1))
done

plan 9

# ctr run [OPTIONS] ID CMD...: on the test root, with congo-oci as the shim's runtime.
crun() {
    c run --rootfs --runc-binary "$OCI" --runc-root "$C/runc" --fifo-dir "$WORK/fifo" "$@"
}

# run_rm ID [OPTIONS --] CMD...: ctr run --rm ... ROOTFS ID CMD...
run_rm() {
    id=$1
    shift
    opts=
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        opts="$opts $1"
        shift
    done
    [ "${1-}" = -- ] && shift
    # shellcheck disable=SC2086
    c run --rm --rootfs --runc-binary "$OCI" --runc-root "$C/runc" --fifo-dir "$WORK/fifo" \
        $opts "$ROOTFS_COPY" "$id" "$@"
}

# task_status ID: what `ctr task ls` says of it.
task_status() {
    c task ls | awk -v id="$1" '$1 == id {print $3}'
}

output_and_status() {
    out=$(run_rm rm1 -- echo hello from congo)
    expect_eq 0 $? "status of echo" || return 1
    expect_eq "hello from congo" "$out" "output" || return 1
    run_rm rm2 -- /bin/sh -c 'echo before; exit 7' >"$WORK/rm2.out"
    expect_eq 7 $? "status of sh -c 'exit 7'" || return 1
    expect_eq before "$(cat "$WORK/rm2.out")" "output before exit 7"
}
t "ctr run --rm: the command's output, and its exit status (0, 7)" output_and_status

env_and_cwd() {
    out=$(run_rm env1 --env FOO=bar --env EMPTY= --cwd /tmp -- \
        /bin/sh -c 'echo "$FOO:$EMPTY:$(pwd):$(id -u)"')
    expect_eq 0 $? "status" || return 1
    expect_eq "bar::/tmp:0" "$out" "FOO, EMPTY, the working directory, the user"
}
t "ctr run --env, --cwd: seen by the command" env_and_cwd

memory_limit() {
    # The host's cgroup tree, bound read-only, is where the container finds
    # its own cgroup (ctr's spec gives it no /sys/fs/cgroup and no cgroup
    # namespace: /proc/self/cgroup has the host's paths).
    out=$(run_rm mem1 --memory-limit 67108864 \
        --mount type=bind,src=/sys/fs/cgroup,dst=/hostcg,options=rbind:ro -- /bin/sh -c '
p=$(sed -n "s/^[0-9]*:memory:\(.*\)/\1/p" /proc/self/cgroup)
if [ -n "$p" ]; then
    cat "/hostcg/memory$p/memory.limit_in_bytes"
else
    cat "/hostcg$(sed -n "s/^0:://p" /proc/self/cgroup)/memory.max"
fi
echo "$p"')
    expect_eq 0 $? "status" || return 1
    expect_eq "67108864" "$(echo "$out" | head -n 1)" "the memory limit read from inside" || {
        echo "$out"
        return 1
    }
    case $(echo "$out" | tail -n 1) in
    /"$NS"/mem1 | '') ;;
    *) echo "the container's memory cgroup: $out" && return 1 ;;
    esac
}
t "ctr run --memory-limit: the limit in the container's own cgroup, read from inside" memory_limit

detached() {
    crun -d "$ROOTFS_COPY" d1 /bin/sh -c 'echo up >/tmp/up; exec sleep 100' || return 1
    expect_eq RUNNING "$(task_status d1)" "ctr task ls after run -d" || return 1
    pid=$(c task ls | awk '$1 == "d1" {print $2}')
    [ -d "/proc/$pid" ] || { echo "the task's pid $pid is not there"; return 1; }
    expect_eq "$pid" "$(c task ps d1 | awk 'NR == 2 {print $1}')" "ctr task ps" || return 1
    # What congo-oci does not do, ctr reports in congo-oci's words (from its
    # --log), not as "unable to retrieve OCI runtime error".
    if err=$(c task pause d1 2>&1); then
        c task resume d1 || return 1
    else
        case $err in
        *"unable to retrieve OCI runtime error"* | *"did not terminate successfully"*)
            echo "task pause: $err" && return 1
            ;;
        esac
    fi
    c task kill -s KILL d1 || return 1
    i=0
    while [ "$(task_status d1)" != STOPPED ] && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    expect_eq STOPPED "$(task_status d1)" "ctr task ls after task kill -s KILL" || return 1
    c task delete d1 >/dev/null || return 1
    expect_eq "" "$(task_status d1)" "ctr task ls after task delete" || return 1
    c container delete d1 || return 1
    expect_eq "" "$(c container ls -q)" "ctr container ls after container delete" || return 1
    expect_eq "" "$(ls -A "$C/runc/$NS" 2>/dev/null)" "congo-oci entries after delete"
}
t "ctr run -d: RUNNING in ctr task ls; task pause refused in congo-oci's words; task kill -s KILL: STOPPED; task and container delete" \
    detached

sigterm() {
    # A shell as PID 1 with a trap: SIGTERM reaches it and its status is the task's.
    crun -d "$ROOTFS_COPY" d2 /bin/sh -c 'trap "exit 3" TERM; while :; do sleep 0.1; done' ||
        return 1
    expect_eq RUNNING "$(task_status d2)" "status" || return 1
    c task kill d2 || return 1
    i=0
    while [ "$(task_status d2)" != STOPPED ] && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    expect_eq STOPPED "$(task_status d2)" "status after task kill (SIGTERM)" || return 1
    # ctr reports a task's non-zero status as a warning when it deletes it.
    out=$(c task delete d2 2>&1)
    c container delete d2 || return 1
    case $out in *"exit code 3"*) ;; *) echo "task delete said: $out" && return 1 ;; esac
}
t "ctr task kill: SIGTERM to the task's process, its exit status in task delete" sigterm

# tt NAME CMD...: a test that needs util-linux's script for a terminal on ctr's stdin.
tt() {
    if command -v script >/dev/null; then
        t "$@"
    else
        n=$((n + 1))
        echo "ok $n - $1 # SKIP no script(1) to give ctr a terminal"
    fi
}

tty_run() {
    # ctr --tty needs a terminal on its stdin: script(1) gives it one. At
    # the end of its /dev/null stdin script sends a NUL, which the
    # container's terminal echoes as ^@: that and the \r go.
    timeout -k 2 20 script -qec "ctr --address '$SOCK' --namespace '$NS' run --rm --tty --rootfs \
        --runc-binary '$OCI' --runc-root '$C/runc' --fifo-dir '$WORK/fifo' '$ROOTFS_COPY' tty1 \
        /bin/sh -c 'tty; echo on-the-terminal; exit 5'" /dev/null >"$WORK/tty.out" 2>&1
    expect_eq 5 $? "status through the terminal" || return 1
    expect_eq "/dev/pts/0
on-the-terminal" "$(tr -d '\r' <"$WORK/tty.out" | sed 's/^^@//')" "what the terminal showed"
}
tt "ctr run --tty: the command on a terminal, its output and status" tty_run

exec_in_task() {
    crun -d "$ROOTFS_COPY" e1 sleep 100 || return 1
    out=$(c task exec --exec-id x1 e1 /bin/sh -c 'echo in-e1; exit 4')
    st=$?
    c task kill -s KILL e1
    sleep 0.3
    c task delete e1 >/dev/null
    c container delete e1
    expect_eq 4 "$st" "status of the exec" || return 1
    expect_eq in-e1 "$out" "output of the exec"
}
t "ctr task exec: output and status of a process in a running task" exec_in_task

failed_create() {
    # A bundle congo refuses: ctr says congo-oci's own words, from its --log.
    err=$(run_rm bad1 --memory-limit 1000 -- true 2>&1)
    [ $? != 0 ] || { echo "a 1000-byte memory limit ran"; return 1; }
    case $err in *"/linux/resources/memory/limit"*) ;; *) echo "ctr said: $err" && return 1 ;; esac
    c container delete bad1 >/dev/null 2>&1
    expect_eq "" "$(ls -A "$C/runc/$NS" 2>/dev/null)" "congo-oci entries after a refused create"
}
t "a config congo refuses: ctr run fails with congo-oci's message" failed_create

nothing_left() {
    expect_eq "" "$(c task ls -q)" "tasks" || return 1
    expect_eq "" "$(c container ls -q)" "containers" || return 1
    expect_eq "" "$(ls -A "$C/runc/$NS" 2>/dev/null)" "entries under the shim's --root" || return 1
    left=$(find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -path "*/$NS/*" 2>/dev/null)
    expect_eq "" "$left" "the containers' cgroups" || return 1
    left=$(grep -F " $WORK/" /proc/self/mountinfo | awk '{print $5}')
    expect_eq "" "$left" "mounts under WORK"
}
t "after delete: no task, container, congo-oci entry, cgroup or mount of these" nothing_left

finish
