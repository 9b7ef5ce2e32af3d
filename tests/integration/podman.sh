#!/bin/sh
# podman with congo-oci as its OCI runtime, as a podman user sees it: run
# and its exit status, detached containers with ps, logs, stop, kill and
# rm, a terminal, the process's environment, user, host name and limits,
# volumes, a read-only root, and nothing left after rm. Everything podman keeps is
# under WORK (storage, run and tmp directories, congo-oci's --root); the
# image is imported from the test root, offline; no container has a network.
. "$(dirname "$0")/lib.sh"

command -v podman >/dev/null || skip_all "podman is not installed (scripts/deps.sh installs it)"
command -v conmon >/dev/null || skip_all "conmon is not installed (scripts/deps.sh installs it)"

plan 16

OCI=$(dirname "$CONGO")/congo-oci
IMG=localhost/congo-it:latest
# A cgroup parent of this file's own, removed at the end with what podman
# makes below it (conmon's cgroup, on v1 in every hierarchy).
CGP=/congo-podman.$$

# podman passes its --runtime-flag to the runtime calls it makes, but not
# to its cleanup process's (the exit command conmon runs): this runtime
# keeps every call on one --root, under WORK.
cat >"$WORK/congo-oci" <<EOF
#!/bin/sh
exec "$OCI" --root "$WORK/oci-root" "\$@"
EOF
chmod +x "$WORK/congo-oci"

# The machine's own limits are lower than podman's default ulimits
# (nofile and nproc 1048576), and raising a hard limit needs
# CAP_SYS_RESOURCE: the test's containers ask for less.
cat >"$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
log_driver = "k8s-file"
netns = "none"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
pull_policy = "never"
EOF
: >"$WORK/registries.conf"
export CONTAINERS_CONF="$WORK/containers.conf" CONTAINERS_REGISTRIES_CONF="$WORK/registries.conf"

podman_here() {
    timeout --signal=KILL 30 podman --root "$WORK/storage" --runroot "$WORK/run" \
        --tmpdir "$WORK/tmp" --runtime "$WORK/congo-oci" --cgroup-manager cgroupfs \
        --events-backend file --storage-driver vfs "$@"
}
# podman waits for ever on a container that never starts or never stops:
# each call gets 30 s, and after one has run out the others fail at once.
pm() {
    if [ -e "$WORK/hung" ]; then
        echo "not run: an earlier podman call hung ($(cat "$WORK/hung"))" >&2
        return 1
    fi
    start=$(date +%s)
    podman_here "$@"
    st=$?
    if [ $st = 137 ] && [ $(($(date +%s) - start)) -ge 30 ]; then
        echo "podman $*" >"$WORK/hung"
        echo "podman $*: no answer in 30 s" >&2
    fi
    return $st
}
# pm_run RUN-OPTIONS... IMAGE CMD...: a container in this file's cgroup parent.
pm_run() { pm run --cgroup-parent "$CGP" "$@"; }

# The containers' cgroups, the conmons' and the parent, deepest first;
# then podman's own processes still at work on WORK (the cleanup of a
# container that just exited) are waited for, and killed by pid after 10 s.
cleanup_podman() {
    podman_here rm --all --force --time 0 >/dev/null 2>&1
    find /sys/fs/cgroup/*"$CGP" -depth -type d 2>/dev/null | while read -r d; do rmdir "$d"; done
    i=0
    while [ -n "$(ours)" ] && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    for pid in $(ours); do kill -KILL "$pid" 2>/dev/null; done
}
# podman and conmon processes whose command line names WORK: this file's.
ours() {
    for p in /proc/[0-9]*; do
        case $(cat "$p/comm" 2>/dev/null) in podman | conmon) ;; *) continue ;; esac
        tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF "$WORK/" && echo "${p#/proc/}"
    done
}
trap 'cleanup_podman; cleanup_work' EXIT

tar -C "$ROOTFS" -cf "$WORK/rootfs.tar" . || skip_all "cannot make a tarball of the test root"
pm import --quiet "$WORK/rootfs.tar" "$IMG" >"$WORK/import.log" 2>&1 ||
    skip_all "podman import fails: $(tail -1 "$WORK/import.log")"

run_rm() {
    out=$(pm_run --rm "$IMG" echo hi) || return 1
    expect_eq hi "$out" "output of podman run --rm"
}
t "podman run --rm: the command's output, status 0" run_rm

statuses() {
    expect_status 7 pm_run --rm "$IMG" sh -c 'exit 7' || return 1
    err=$(pm_run --rm "$IMG" /no/such/command 2>&1)
    expect_eq 127 $? "status of a command that is not there" || return 1
    case $err in *"/no/such/command"*) ;; *) echo "$err"; return 1 ;; esac
    expect_status 126 pm_run --rm "$IMG" /etc 2>/dev/null
}
t "the command's exit status passes through; 127 and 126, with why, when it cannot run" statuses

# field NAME TEMPLATE: what podman inspect says.
field() { pm inspect --format "$2" "$1"; }

detached() {
    id=$(pm_run -d --name bg "$IMG" sh -c 'echo started; trap "echo stopping; exit 3" TERM
while :; do sleep 0.1; done') || return 1
    i=0
    while [ "$(pm logs bg 2>&1)" != started ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    expect_eq started "$(pm logs bg 2>&1)" "podman logs of the running container" || return 1
    expect_eq bg "$(pm ps --filter status=running --format '{{.Names}}')" "podman ps" || return 1
    expect_eq running "$(field bg '{{.State.Status}}')" "status" || return 1
    pid=$(field bg '{{.State.Pid}}')
    [ -d "/proc/$pid" ] || { echo "the container's process $pid is not there"; return 1; }
    [ -f "$WORK/oci-root/$id/state.json" ] || { echo "congo-oci has no entry for $id"; return 1; }
    # congo-launch --list reads congo-oci's --root (here WORK's, by CONGO_OCI_ROOT).
    listed=$(CONGO_OCI_ROOT="$WORK/oci-root" "$CONGO" --list --format json | python3 -c '
import json, sys
print(" ".join(e["id"] + ":" + e["status"] for e in json.load(sys.stdin)))')
    expect_eq "$id:running" "$listed" "congo-launch --list" || return 1
    pm stop --time 5 bg >/dev/null || return 1
    expect_eq "exited 3" "$(field bg '{{.State.Status}} {{.State.ExitCode}}')" \
        "after stop: the TERM handler's status" || return 1
    expect_eq "started
stopping" "$(pm logs bg 2>&1)" "podman logs after stop" || return 1
    expect_eq "" "$(pm ps --format '{{.Names}}')" "podman ps after stop" || return 1
    pm rm bg >/dev/null || return 1
    expect_eq "" "$(pm ps --all --format '{{.Names}}')" "podman ps --all after rm" || return 1
    [ ! -e "$WORK/oci-root/$id" ] || { echo "congo-oci's entry for $id is still there"; return 1; }
}
t "run -d, ps, logs, stop (the TERM handler runs), rm: gone from ps and congo-oci" detached

stop_kills() {
    # A PID 1 without a handler never sees TERM: stop sends KILL after the timeout.
    pm_run -d --name stubborn "$IMG" sleep 100 >/dev/null || return 1
    before=$(date +%s)
    pm stop --time 1 stubborn >/dev/null 2>&1 || return 1
    took=$(($(date +%s) - before))
    [ $took -lt 8 ] || { echo "stop --time 1 took $took s"; return 1; }
    expect_eq "exited 137" "$(field stubborn '{{.State.Status}} {{.State.ExitCode}}')" \
        "after stop" || return 1
    pm start stubborn >/dev/null || return 1
    expect_eq running "$(field stubborn '{{.State.Status}}')" "after start again" || return 1
    pm rm --force --time 0 stubborn >/dev/null
}
t "stop --time: KILL after the timeout; start again; rm --force" stop_kills

kill_signals() {
    pm_run -d --name victim "$IMG" sh -c 'trap "echo got-usr1" USR1; while :; do sleep 0.1; done' \
        >/dev/null || return 1
    pm kill --signal USR1 victim >/dev/null || return 1
    i=0
    while [ "$(pm logs victim 2>&1)" != got-usr1 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    expect_eq got-usr1 "$(pm logs victim 2>&1)" "the USR1 handler's word" || return 1
    pm kill victim >/dev/null || return 1
    i=0
    while [ "$(field victim '{{.State.Status}}')" = running ] && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    expect_eq "exited 137" "$(field victim '{{.State.Status}} {{.State.ExitCode}}')" \
        "after podman kill (KILL)" || return 1
    pm rm victim >/dev/null
}
t "podman kill: --signal USR1 reaches the handler; the default KILL ends it with 137" kill_signals

terminal() {
    out=$(pm_run --rm -t "$IMG" sh -c 'tty; echo on-the-terminal' | tr -d '\r') || return 1
    expect_eq "/dev/pts/0
on-the-terminal" "$out" "podman run -t"
}
t "run -t: the command on a terminal (conmon's console socket)" terminal

process() {
    out=$(pm_run --rm -e FOO=bar -w /tmp "$IMG" sh -c 'echo "$FOO $(pwd) $HOME"') || return 1
    expect_eq "bar /tmp /root" "$out" "environment and working directory" || return 1
    # app (1000) is in staff (50) in the image's /etc/group: podman asks for 1000 alone.
    out=$(pm_run --rm --user 1000:1000 "$IMG" id) || return 1
    expect_eq "uid=1000(app) gid=1000(app) groups=1000(app)" "$out" "--user" || return 1
    out=$(pm_run --rm --hostname boxy "$IMG" sh -c 'hostname; cat /etc/hostname; echo') || return 1
    expect_eq "boxy
boxy" "$out" "--hostname"
}
t "-e, -w, --user (its groups exactly), --hostname" process

limits() {
    out=$(pm_run --rm --memory 64m --pids-limit 50 "$IMG" sh -c '
        for f in memory/memory.limit_in_bytes memory.max pids/pids.max pids.max; do
            if [ -f /sys/fs/cgroup/$f ]; then cat /sys/fs/cgroup/$f; fi
        done') || return 1
    expect_eq "67108864
50" "$out" "the memory and pids limits, from inside" || return 1
    err=$(pm_run --rm --pids-limit 5 "$IMG" sh -c 'for i in 1 2 3 4 5 6; do sleep 1 & done; wait' 2>&1)
    case $err in *"can't fork"*) ;; *) echo "six sleeps under --pids-limit 5: $err"; return 1 ;; esac
    out=$(pm_run --rm --ulimit nofile=100:200 --ulimit nproc=300:400 "$IMG" \
        sh -c 'echo $(ulimit -n) $(ulimit -Hn) $(ulimit -u)') || return 1
    expect_eq "100 200 300" "$out" "--ulimit" || return 1
    # More than --memory allows, with no swap to spill into: the kernel kills it.
    # (conmon writes a file `oom` where it runs: in WORK.)
    (cd "$WORK" && pm_run --rm --memory 32m --memory-swap 32m "$IMG" sh -c \
        'head -c 64m /dev/zero | tail' >/dev/null 2>&1)
    expect_eq 137 $? "64 MiB under --memory 32m"
}
t "--memory (137 past it), --pids-limit (enforced) and --ulimit, seen from inside" limits

volumes() {
    mkdir -p "$WORK/vol"
    echo from-host >"$WORK/vol/f"
    out=$(pm_run --rm -v "$WORK/vol:/data:ro" "$IMG" sh -c \
        'cat /data/f; (echo x >/data/g) 2>/dev/null && echo written || echo refused') || return 1
    expect_eq "from-host
refused" "$out" "-v ro" || return 1
    [ ! -e "$WORK/vol/g" ] || { echo "a read-only volume was written"; return 1; }
    pm_run --rm -v "$WORK/vol:/data:rw" "$IMG" sh -c 'echo from-container >/data/g' || return 1
    expect_eq from-container "$(cat "$WORK/vol/g")" "-v rw: the file on the host"
}
t "-v ro and rw: a host directory read, refused a write, then written" volumes

readonly_root() {
    out=$(pm_run --rm --read-only "$IMG" sh -c '
        touch /file 2>/dev/null && echo root-written
        touch /tmp/a /run/b /var/tmp/c && echo tmp-written
        cat /etc/hostname >/dev/null && echo hostname-there') || return 1
    expect_eq "tmp-written
hostname-there" "$out" "--read-only: the root, /tmp, /run and /var/tmp"
}
t "--read-only: the root cannot be written, its tmpfs can" readonly_root

logs_after_exit() {
    pm_run --name done "$IMG" sh -c 'echo one; echo two >&2; exit 4' >/dev/null 2>&1
    expect_eq 4 $? "status" || return 1
    expect_eq "one
two" "$(pm logs done 2>&1)" "podman logs of an exited container" || return 1
    expect_eq "exited 4" "$(field done '{{.State.Status}} {{.State.ExitCode}}')" "status" || return 1
    pm rm done >/dev/null
}
t "run without --rm: logs (stdout and stderr) and status kept until rm" logs_after_exit

exec_in() {
    pm_run -d --name ex "$IMG" sleep 100 >/dev/null || return 1
    out=$(pm exec ex sh -c 'echo in-$(hostname); exit 5')
    exec_status=$? # (pm keeps its own status in `st`)
    host=$(field ex '{{.Config.Hostname}}')
    pm rm --force --time 0 ex >/dev/null
    expect_eq 5 "$exec_status" "podman exec's status: the command's" || return 1
    expect_eq "in-$host" "$out" "podman exec: the container's host name"
}
t "podman exec: a command in the running container, its output and status" exec_in

# podman chowns its copy of the image to the mapped ids; congo uses it as
# it is (upper: none), so the image is root's inside, and exec joins too.
user_namespace() {
    out=$(pm_run --rm --uidmap 0:200000:65536 --gidmap 0:300000:65536 "$IMG" sh -c '
        tr -s " " <"/proc/self/uid_map"; tr -s " " </proc/self/gid_map
        stat -c "%u:%g" /bin/busybox; touch /new && stat -c "%u:%g" /new; id -u') || return 1
    expect_eq " 0 200000 65536
 0 300000 65536
0:0
0:0
0" "$out" "the maps, the image's owner and a new file's, inside" || return 1
    pm_run -d --name uns --uidmap 0:200000:65536 --gidmap 0:300000:65536 "$IMG" sleep 100 >/dev/null ||
        return 1
    out=$(pm exec uns sh -c 'tr -s " " </proc/self/uid_map; id -u')
    pm rm --force --time 0 uns >/dev/null
    expect_eq " 0 200000 65536
0" "$out" "podman exec: in the container's user namespace"
}
t "--uidmap and --gidmap: a user namespace with podman's maps; exec joins it" user_namespace

# podman's hooks (--hooks-dir, a JSON file per hook) reach congo-oci in
# config.json, and run once each, in order, with the state on stdin.
# podman 4.3 hands the runtime prestart, createRuntime, createContainer and
# poststart; it runs poststop itself, and drops startContainer
# (oci-runtime.sh runs that one through congo-oci).
hooks_dir() {
    mkdir -p "$WORK/hooks.d" "$WORK/hk" || return 1
    printf '#!/bin/sh\n# STAGE LOG: a line of the stage and the state read from stdin.\nprintf "%%s %%s\\n" "$1" "$(cat)" >>"$2"\n' >"$WORK/hook.sh"
    chmod +x "$WORK/hook.sh"
    for stage in prestart createRuntime createContainer poststart poststop; do
        echo "{\"version\": \"1.0.0\", \"hook\": {\"path\": \"$WORK/hook.sh\"," \
            "\"args\": [\"hook.sh\", \"$stage\", \"$WORK/hk/log\"]}," \
            "\"when\": {\"always\": true}, \"stages\": [\"$stage\"]}" >"$WORK/hooks.d/$stage.json"
    done
    out=$(pm --hooks-dir "$WORK/hooks.d" run --rm --cgroup-parent "$CGP" -v "$WORK/hk:/hk" \
        "$IMG" cat /hk/log) || return 1
    expect_eq "prestart createRuntime createContainer" \
        "$(echo "$out" | head -3 | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')" \
        "the stages the command saw in the log" || return 1
    log=$(cat "$WORK/hk/log")
    expect_eq "prestart createRuntime createContainer poststart poststop" \
        "$(echo "$log" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')" "every stage, in order" ||
        return 1
    id=$(echo "$log" | sed -n 1p | sed 's/.*"id":"\([^"]*\)".*/\1/')
    [ ${#id} = 64 ] || { echo "no podman id in the state: $log"; return 1; }
    expect_eq "creating creating creating running" \
        "$(echo "$log" | head -4 | sed 's/.*"status":"\([a-z]*\)".*/\1/' | tr '\n' ' ' | sed 's/ $//')" \
        "the status each of congo-oci's stages was told" || return 1
    expect_eq 4 "$(head -4 "$WORK/hk/log" | grep -c "\"id\":\"$id\",")" "podman's id, told to each"
}
t "podman --hooks-dir: prestart, createRuntime, createContainer, poststart run once, in order, with the state" hooks_dir

# podman --device: linux.devices and an allow rule; congo binds the host's node under
# a device cgroup that gives it what the rule says (r here), and nothing unlisted.
device() {
    out=$(pm_run --rm --device /dev/cpu_dma_latency:/dev/lat:r "$IMG" sh -c \
        'head -c 4 /dev/lat | wc -c; (echo 0 >/dev/lat) 2>/dev/null || echo write-refused') ||
        return 1
    expect_eq "4
write-refused" "$out" "read, and not written"
}
lat_missing=
[ -c /dev/cpu_dma_latency ] || lat_missing="no /dev/cpu_dma_latency on this host"
t_unless "$lat_missing" "--device HOST:CONTAINER:r: the host's node, read and not written" device

nothing_left() {
    expect_eq "" "$(pm ps --all --format '{{.Names}}')" "podman's containers" || return 1
    expect_eq "" "$(ls -A "$WORK/oci-root" 2>/dev/null)" "congo-oci's entries" || return 1
    left=$(find /sys/fs/cgroup/*"$CGP" -mindepth 1 -type d -name 'libpod-*' 2>/dev/null)
    expect_eq "" "$left" "the containers' cgroups" || return 1
    left=$(grep -F " $WORK/" /proc/self/mountinfo)
    expect_eq "" "$left" "mounts under WORK"
}
t "after rm: no container, no congo-oci entry, no container cgroup" nothing_left

finish
