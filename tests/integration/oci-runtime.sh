#!/bin/sh
# congo-oci as engines drive it, with runc's command line: the create/start
# split, state, kill, delete, run, the pid file, the console socket, the
# error log, and nothing left on the host after delete.

# Engines are subreapers (conmon, containerd's shim): a container's first
# process, left to them, is reaped as it dies. This file runs under one too
# (lib.sh's SUBREAPER), not under whatever the host's PID 1 makes of orphans.
SUBREAPER=1
. "$(dirname "$0")/lib.sh"

plan 25

OCI=$(dirname "$CONGO")/congo-oci
ROOT=$WORK/oci-root
oci() { "$OCI" --root "$ROOT" "$@"; }

# Whatever a failed test left running is deleted on the way out.
delete_left() {
    for id in $(oci list -q 2>/dev/null); do oci delete --force "$id" 2>/dev/null; done
}
trap 'delete_left; cleanup_work' EXIT

# field ID NAME: a field of `state`.
field() {
    oci state "$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}

# wait_status ID STATUS: up to 5 s.
wait_status() {
    i=0
    while [ "$(field "$1" status)" != "$2" ] && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    expect_eq "$2" "$(field "$1" status)" "status of $1"
}

lifecycle() {
    b=$(oci_bundle life "c['process']['args'] = ['/bin/sh', '-c', 'touch /started; exec sleep 100']
c['root']['readonly'] = False
c['annotations'] = {'org.example.team': 'db'}") || return 1
    oci create --bundle "$b" --pid-file "$WORK/life.pid" life || return 1
    pid=$(cat "$WORK/life.pid")
    expect_eq created "$(field life status)" "status after create" || return 1
    # state prints runc's fields, and nothing else on stdout.
    got=$(oci state life | python3 -c '
import json, re, sys
s = json.load(sys.stdin)
print(sorted(s), s["ociVersion"], s["id"], s["owner"] == "", s["annotations"],
      bool(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", s["created"])))')
    expect_eq "['annotations', 'bundle', 'created', 'id', 'ociVersion', 'owner', 'pid', 'rootfs', 'status'] 1.0.2 life True {'org.example.team': 'db'} True" \
        "$got" "state's fields" || return 1
    expect_eq "$pid" "$(field life pid)" "the pid file and state's pid" || return 1
    [ -d "/proc/$pid" ] || { echo "the created container's process $pid is not there"; return 1; }
    [ ! -e "$b/rootfs/started" ] || { echo "the command ran before start"; return 1; }
    oci start life || return 1
    i=0
    while [ ! -e "$b/rootfs/started" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    [ -e "$b/rootfs/started" ] || { echo "the command did not run after start"; return 1; }
    expect_eq running "$(field life status)" "status after start" || return 1
    expect_eq "$b" "$(field life bundle)" "bundle" || return 1
    expect_eq "$b/rootfs" "$(field life rootfs)" "rootfs" || return 1
    oci kill life KILL || return 1
    wait_status life stopped || return 1
    expect_eq 0 "$(field life pid)" "pid of a stopped container" || return 1
    # containerd's shim takes runc's words for a process already gone.
    err=$(oci kill life TERM 2>&1)
    expect_eq 1 $? "kill of a stopped container" || return 1
    case $err in *"container not running"*) ;; *) echo "$err"; return 1 ;; esac
    oci delete life || return 1
    err=$(oci state life 2>&1)
    expect_eq 1 $? "state after delete" || return 1
    case $err in *"does not exist"*) ;; *) echo "$err"; return 1 ;; esac
    # Gone: reaped by this file's subreaper, as an engine reaps it.
    i=0
    while [ -d "/proc/$pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    [ ! -d "/proc/$pid" ] || { echo "process $pid is still there"; return 1; }
}
t "create leaves the command waiting; start runs it; kill, state and delete" lifecycle

refusals() {
    b=$(oci_bundle refuse "c['process']['args'] = ['sleep', '100']") || return 1
    oci create --bundle "$b" twice || return 1
    err=$(oci create --bundle "$b" twice 2>&1)
    expect_eq 1 $? "a second create of one id" || return 1
    case $err in *"exists already"*) ;; *) echo "$err"; return 1 ;; esac
    err=$(oci delete twice 2>&1)
    expect_eq 1 $? "delete of a created container" || return 1
    case $err in *"not stopped"*) ;; *) echo "$err"; return 1 ;; esac
    oci start twice || return 1
    err=$(oci start twice 2>&1)
    expect_eq 1 $? "a second start" || return 1
    case $err in *"it is running, not created"*) ;; *) echo "$err"; return 1 ;; esac
    oci delete --force twice || return 1
    err=$(oci kill nosuch 2>&1)
    expect_eq 1 $? "kill of an unknown id" || return 1
    case $err in *"does not exist"*) ;; *) echo "$err"; return 1 ;; esac
    oci delete --force nosuch || { echo "delete --force of an unknown id failed"; return 1; }
    err=$(oci --systemd-cgroup create --bundle "$b" sd 2>&1)
    expect_eq 1 $? "--systemd-cgroup" || return 1
    case $err in *"congo manages cgroups itself"*) ;; *) echo "$err"; return 1 ;; esac
}
t "a second create, start of a running one, delete of a live one, unknown ids, systemd: refused" \
    refusals

# --no-pivot is for the initial ramfs (tests/vm/run-engine-v2.sh runs it
# there); on any root it gives the container the same root and mounts.
no_pivot() {
    b=$(oci_bundle nopivot "c['process']['args'] = ['/bin/sh', '-c', \
    'ls /; cut -d\" \" -f5 /proc/self/mountinfo; touch /x 2>/dev/null || echo read-only']") || return 1
    want=$(oci run --bundle "$b" pivot) || return 1
    got=$(oci run --no-pivot --bundle "$b" nopivot) || return 1
    expect_eq "$want" "$got" "what the command sees, without and with --no-pivot" || return 1
    b=$(oci_bundle nopivot-exec "c['process']['args'] = ['sleep', '100']") || return 1
    oci create --no-pivot --bundle "$b" np || return 1
    oci start np || return 1
    got=$(oci exec np /bin/sh -c 'ls /; exit 3')
    expect_eq 3 $? "exec's status" || return 1
    expect_eq "$(ls "$b/rootfs")" "$got" "exec's root" || return 1
    oci delete --force np || return 1
    # A user namespace's mounts are locked: they could not be detached.
    b=$(oci_bundle nopivot-userns "c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]") || return 1
    err=$(oci run --no-pivot --bundle "$b" npu 2>&1)
    expect_eq 1 $? "--no-pivot with a user namespace" || return 1
    case $err in *"--no-pivot does not go with a user namespace"*) ;; *) echo "$err"; return 1 ;; esac
    [ -z "$(oci list -q)" ] || { echo "the refused run left an entry"; return 1; }
}
t "--no-pivot: the same root and mounts as with pivot_root; exec into it; not with a user namespace" no_pivot

# features says what congo-oci takes: every mount option, seccomp action,
# operator, architecture and supported flag it lists passes congo-launch
# --check in a config.json, and one it leaves out (or makes up) does not.
features_honest() {
    oci features >"$WORK/features.json" || return 1
    b=$(oci_bundle feat) || return 1
    python3 - "$WORK/features.json" "$b" "$CONGO" <<'EOF'
import json, subprocess, sys
f, bundle, congo = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
base = json.load(open(bundle + "/config.json"))
assert f["hooks"] == ["prestart", "createRuntime", "createContainer", "startContainer",
                      "poststart", "poststop"], f["hooks"]
assert sorted(f["linux"]["namespaces"]) == ["cgroup", "ipc", "mount", "network", "pid", "user",
                                            "uts"], f["linux"]["namespaces"]
assert not f["linux"]["apparmor"]["enabled"] and not f["linux"]["selinux"]["enabled"]
def check(change, want_ok, what):
    c = json.loads(json.dumps(base))
    change(c)
    path = bundle + "/config.json"
    json.dump(c, open(path, "w"))
    r = subprocess.run([congo, "--check", path], capture_output=True, text=True)
    if (r.returncode == 0) != want_ok:
        sys.exit("%s: --check %s: %s" % (what, "refused" if want_ok else "took it", r.stdout + r.stderr))
def with_mount(opt):
    def change(c):
        bind = opt in ("bind", "rbind", "idmap") or opt.startswith("r") and opt[1:] in f["mountOptions"]
        m = {"destination": "/opt/m", "type": "bind" if bind else "tmpfs",
             "source": bundle if bind else "tmpfs", "options": [opt] + (["rbind"] if bind else [])}
        if opt == "idmap":
            c["linux"]["namespaces"].append({"type": "user"})
            c["linux"]["uidMappings"] = c["linux"]["gidMappings"] = [
                {"containerID": 0, "hostID": 100000, "size": 65536}]
        c["mounts"].append(m)
    return change
for opt in f["mountOptions"]:
    check(with_mount(opt), True, "mount option " + opt)
check(with_mount("nonsense"), False, "a mount option features leaves out")
sc = f["linux"]["seccomp"]
def with_rule(action="SCMP_ACT_ALLOW", op=None, arch=None, flag=None):
    def change(c):
        rule = {"names": ["getpid"], "action": action}
        if action in ("SCMP_ACT_ERRNO", "SCMP_ACT_TRACE"):
            rule["errnoRet"] = 1
        if op:
            rule["args"] = [{"index": 0, "value": 1, "valueTwo": 1, "op": op}]
        pol = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [rule]}
        if arch:
            pol["architectures"] = [arch]
        if flag:
            pol["flags"] = [flag]
        c["linux"]["seccomp"] = pol
    return change
for a in sc["actions"]:
    check(with_rule(action=a), True, "seccomp action " + a)
for op in sc["operators"]:
    check(with_rule(op=op), True, "seccomp operator " + op)
for arch in sc["archs"]:
    check(with_rule(arch=arch), True, "seccomp architecture " + arch)
for flag in sc["supportedFlags"]:
    check(with_rule(flag=flag), True, "seccomp flag " + flag)
check(with_rule(action="SCMP_ACT_NOTIFY"), False, "SCMP_ACT_NOTIFY, which features leaves out")
for flag in set(sc["knownFlags"]) - set(sc["supportedFlags"]):
    check(with_rule(flag=flag), False, "the flag " + flag + ", known and not supported")
EOF
}
t "features: every mount option and seccomp action, operator, architecture and flag it lists is taken" \
    features_honest

run_statuses() {
    b=$(oci_bundle runs "c['process']['args'] = ['/bin/sh', '-c', 'echo out; exit 7']") || return 1
    out=$(oci run --bundle "$b" fg)
    expect_eq 7 $? "run's status: the command's" || return 1
    expect_eq out "$out" "run's output" || return 1
    expect_eq "" "$(oci list -q)" "containers after a foreground run" || return 1
    b=$(oci_bundle runs "c['process']['args'] = ['/no/such/command']") || return 1
    oci run --bundle "$b" fg2 2>/dev/null
    expect_eq 127 $? "a command that is not there" || return 1
    b=$(oci_bundle runs "c['process']['args'] = ['sleep', '100']") || return 1
    oci run -d --bundle "$b" bg || return 1
    expect_eq running "$(field bg status)" "run -d" || return 1
    oci delete -f bg || return 1
    # In the foreground too, --pid-file has the container's process while it runs.
    b=$(oci_bundle runs "c['process']['args'] = ['/bin/sh', '-c', 'read line; echo \"\$line\"']") ||
        return 1
    mkfifo "$WORK/run.in"
    oci run --pid-file "$WORK/run.pid" --bundle "$b" fgpid <"$WORK/run.in" >"$WORK/run.out" &
    runner=$!
    exec 7>"$WORK/run.in"
    i=0
    while [ ! -s "$WORK/run.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    pid=$(cat "$WORK/run.pid" 2>/dev/null)
    expect_eq "$pid" "$(field fgpid pid)" "the foreground run's pid file" || { exec 7>&-; return 1; }
    echo through >&7
    exec 7>&-
    wait $runner
    expect_eq "0 through" "$? $(cat "$WORK/run.out")" "status and output" || return 1
    err=$(oci run --console-socket "$WORK/none.sock" --bundle "$b" fgtty 2>&1)
    expect_eq 1 $? "run --console-socket without -d" || return 1
    case $err in *"--console-socket without --detach is not supported"*) ;; *) echo "$err"; return 1 ;; esac
}
t "run: the command's status (127 when missing), deleted after; run -d leaves it running; --pid-file" \
    run_statuses

# console_reader SOCKET OUT: an engine's end of a console socket, in the
# background (its pid in $reader), returning once it listens: it takes the
# master, and writes the fds its one message held and what the container
# wrote to OUT.
console_reader() {
    python3 - "$1" >"$2" 2>&1 <<'EOF' &
import array, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
fds = array.array("i")
msg, anc, flags, addr = c.recvmsg(64, socket.CMSG_SPACE(fds.itemsize))
for level, kind, data in anc:
    fds.frombytes(data[:fds.itemsize])
print("messages-fds", len(fds))
# Nothing after the one message: the socket's end comes next.
c.settimeout(10)
print("then", len(c.recv(4096)))
out = b""
while True:
    try:
        chunk = os.read(fds[0], 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
print(out.decode().replace("\r", ""), end="")
EOF
    reader=$!
    i=0
    while [ ! -S "$1" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

console_socket() {
    b=$(oci_bundle tty "c['process']['terminal'] = True
c['process']['args'] = ['/bin/sh', '-c', 'tty; echo on-the-terminal']") || return 1
    console_reader "$WORK/console.sock" "$WORK/console.out"
    err=$(oci create --bundle "$b" ttyc 2>&1)
    expect_eq 1 $? "create with a terminal and no console socket" || return 1
    case $err in *"--console-socket"*) ;; *) echo "$err"; return 1 ;; esac
    oci create --bundle "$b" --console-socket "$WORK/console.sock" ttyc || return 1
    oci start ttyc || return 1
    wait_status ttyc stopped || return 1
    oci delete ttyc
    wait "$reader"
    expect_eq "messages-fds 1
then 0
/dev/pts/0
on-the-terminal" "$(cat "$WORK/console.out")" "what the engine's end of the console socket got"
}
t "a terminal: its master to --console-socket, one SCM_RIGHTS message" console_socket

error_log() {
    b=$(oci_bundle badlog "c['linux']['resources']['memory'] = {'limit': 1000}") || return 1
    oci --log "$WORK/log.json" --log-format json create --bundle "$b" bad 2>/dev/null
    expect_eq 1 $? "status" || return 1
    python3 - "$WORK/log.json" <<'EOF' || return 1
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines and all(l["level"] == "error" and "time" in l for l in lines), lines
assert any("/linux/resources/memory/limit" in l["msg"] for l in lines), lines
EOF
    [ ! -e "$ROOT/bad" ] || { echo "the failed create left an entry"; return 1; }
    # A command congo-oci lacks is an error the engine reads in its log too.
    oci --log "$WORK/log2.json" --log-format json pause bad 2>/dev/null
    expect_eq 2 $? "status of a command congo-oci lacks" || return 1
    python3 - "$WORK/log2.json" <<'EOF' || return 1
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 1 and "`pause` is not a command" in lines[0]["msg"], lines
EOF
}
t "--log --log-format json: one error object a line, located in config.json, usage errors too; nothing left" \
    error_log

cgroups_path() {
    own=$(awk -F: '$2 == "pids" || $2 == "" {print $3; exit}' /proc/self/cgroup)
    path=${own%/}/oci-it-$$
    b=$(oci_bundle cgp "c['linux']['cgroupsPath'] = '$path'
c['process']['args'] = ['sleep', '100']") || return 1
    oci create --bundle "$b" cgp || return 1
    pid=$(field cgp pid)
    grep -q ":$path\$" "/proc/$pid/cgroup" || { cat "/proc/$pid/cgroup"; return 1; }
    oci delete --force cgp || return 1
    left=$(find /sys/fs/cgroup/*"$path" /sys/fs/cgroup"$path" -maxdepth 0 2>/dev/null)
    expect_eq "" "$left" "the container's cgroup after delete"
}
t "cgroupsPath: the container's cgroup is exactly there, and goes with delete" cgroups_path

outlives_other_runs() {
    b=$(oci_bundle keep "c['process']['args'] = ['sleep', '100']") || return 1
    oci create --bundle "$b" keep || return 1
    oci start keep || return 1
    # Other runs collect the cgroups of dead launchers: not a created container's.
    ctr -- /bin/true || return 1
    expect_eq running "$(field keep status)" "a started container after another run" || return 1
    oci delete -f keep
}
t "a container whose launcher is gone is not taken for stale by the next congo-launch run" \
    outlives_other_runs

list_and_ps() {
    b=$(oci_bundle lp "c['process']['args'] = ['/bin/sh', '-c', 'sleep 100 & exec sleep 101']") ||
        return 1
    oci run -d --bundle "$b" lp || return 1
    sleep 0.3
    expect_eq 2 "$(oci ps --format json lp | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
        "processes of lp" || return 1
    oci list --format json | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert [e["id"] for e in v] == ["lp"] and v[0]["status"] == "running", v' || return 1
    oci kill --all lp KILL || return 1
    wait_status lp stopped || return 1
    oci delete lp
}
t "list and ps; kill --all reaches every process of the container" list_and_ps

# A running container for exec: its own hostname, its init a sleep.
exec_box() {
    b=$(oci_bundle ex "c['process']['args'] = ['/bin/sh', '-c', 'exec sleep 100']
c['hostname'] = 'exbox'") || return 1
    oci run -d --bundle "$b" "$1"
}

exec_joins() {
    exec_box ex1 || return 1
    expect_eq exbox "$(oci exec ex1 hostname)" "hostname seen by exec" || return 1
    expect_eq "sleep100" "$(oci exec ex1 cat /proc/1/cmdline | tr -d '\0')" \
        "the container's init as exec's pid 1" || return 1
    ino=$(stat -L -c %i "/proc/$(field ex1 pid)/ns/pid")
    expect_eq "$ino" "$(oci exec ex1 stat -L -c %i /proc/self/ns/pid)" "pid namespace" || return 1
    oci exec ex1 /bin/sh -c 'exit 3'
    expect_eq 3 $? "exec's status: the command's" || return 1
    oci exec ex1 /no/such 2>/dev/null
    expect_eq 127 $? "a command that is not there" || return 1
    expect_eq "/tmp A=1" "$(oci exec --cwd /tmp --env A=1 ex1 /bin/sh -c 'echo $PWD A=$A')" \
        "--cwd and --env" || return 1
    expect_eq "1000:1000" "$(oci exec --user 1000:1000 ex1 /bin/sh -c 'echo $(id -u):$(id -g)')" \
        "--user" || return 1
    expect_eq "1000 1002 1003" "$(oci exec --user 1000:1000 -g 1002 --additional-gids=1003 ex1 id -G)" \
        "-g and --additional-gids: added to the config's (none)" || return 1
    err=$(oci exec -g staff ex1 true 2>&1)
    expect_eq 1 $? "-g of a name" || return 1
    case $err in *"--additional-gids \`staff\` is not a group id"*) ;; *) echo "$err"; return 1 ;; esac
    # --pid-file in the foreground: the exec'd process's pid, from the host, while it runs.
    oci exec --pid-file "$WORK/exec.pid" ex1 sleep 2 &
    execer=$!
    i=0
    while [ ! -s "$WORK/exec.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    pid=$(cat "$WORK/exec.pid" 2>/dev/null)
    expect_eq "sleep2 $(readlink "/proc/$(field ex1 pid)/ns/pid")" \
        "$(tr -d '\0' <"/proc/$pid/cmdline") $(readlink "/proc/$pid/ns/pid")" \
        "the pid file's process: exec's command, in the container" || return 1
    wait $execer
    expect_eq 0 $? "exec's status" || return 1
    oci delete -f ex1
}
t "exec: the container's hostname, pid namespace and init; the command's status; --pid-file" exec_joins

exec_process_json() {
    exec_box ex2 || return 1
    # Engines name the file as they like (podman: exec-process-NNN), with no .json.
    cat >"$WORK/exec-process-1" <<'EOF'
{"args": ["/bin/sh", "-c", "echo $(id -u):$(id -g):$(id -G) $PWD $ONLY $(tr '\\0' '\\n' </proc/$$/environ | grep -vc -e ^ONLY= -e ^HOME=)"],
 "env": ["ONLY=this"], "cwd": "/etc", "terminal": false,
 "user": {"uid": 1000, "gid": 1001, "additionalGids": [1002]},
 "noNewPrivileges": true}
EOF
    out=$(oci exec --process "$WORK/exec-process-1" ex2) || { echo "$out"; return 1; }
    # The shell's own environment: ONLY and HOME, nothing of the container's (no PATH).
    expect_eq "1000:1001:1001 1002 /etc this 0" "$out" \
        "args, env (the whole of it), cwd and user of process.json" || return 1
    oci delete -f ex2
}
t "exec --process: process.json's args, env, cwd and user, observed inside" exec_process_json

exec_detach() {
    exec_box ex3 || return 1
    printf '{"args": ["sleep", "77"], "env": ["PATH=/bin"], "cwd": "/", "user": {"uid": 0, "gid": 0}}' \
        >"$WORK/sleep.json"
    oci exec --detach --pid-file "$WORK/exec.pid" --process "$WORK/sleep.json" ex3 || return 1
    pid=$(cat "$WORK/exec.pid")
    expect_eq "sleep77" "$(tr -d '\0' <"/proc/$pid/cmdline")" "the pid file's process" || return 1
    expect_eq "$(cat "/proc/$(field ex3 pid)/cgroup")" "$(cat "/proc/$pid/cgroup")" \
        "its cgroup: the container's" || return 1
    oci ps --format json ex3 |
        python3 -c 'import json, sys; assert int(sys.argv[1]) in json.load(sys.stdin)' "$pid" ||
        { echo "ps does not list $pid"; return 1; }
    oci delete -f ex3
}
t "exec --detach --pid-file: a live process in the container's cgroup" exec_detach

exec_refused() {
    b=$(oci_bundle exc "c['process']['args'] = ['sleep', '100']") || return 1
    oci create --bundle "$b" exc || return 1
    err=$(oci exec exc true 2>&1)
    expect_eq 1 $? "exec into a created container" || return 1
    case $err in *"it is created, not running"*) ;; *) echo "$err"; return 1 ;; esac
    oci start exc || return 1
    printf '{"args": ["true"], "cwd": "/", "user": {"uid": "root", "gid": 0}}' >"$WORK/bad.json"
    err=$(oci exec --process "$WORK/bad.json" exc 2>&1)
    expect_eq 1 $? "a bad process.json" || return 1
    case $err in *"bad.json"*"/user/uid"*) ;; *) echo "$err"; return 1 ;; esac
    err=$(oci exec --preserve-fds 1 exc true 3<&- 2>&1)
    expect_eq 1 $? "--preserve-fds with fd 3 closed" || return 1
    expect_eq "congo-oci: --preserve-fds 1: fd 3 is not open" "$err" || return 1
    err=$(oci exec -d -t exc true 2>&1)
    expect_eq 1 $? "a detached terminal without a console socket" || return 1
    case $err in *"--console-socket"*) ;; *) echo "$err"; return 1 ;; esac
    oci delete -f exc
}
t "exec refused: a created container, a bad process.json at its pointer, an fd not open" \
    exec_refused

exec_tty() {
    exec_box ex4 || return 1
    console_reader "$WORK/exec-console.sock" "$WORK/exec-console.out"
    printf '{"args": ["/bin/sh", "-c", "tty; hostname"], "env": ["PATH=/bin"], "cwd": "/", "terminal": true, "user": {"uid": 0, "gid": 0}}' \
        >"$WORK/tty.json"
    oci exec -d --console-socket "$WORK/exec-console.sock" --process "$WORK/tty.json" ex4 ||
        { kill $reader; return 1; }
    wait "$reader"
    oci delete -f ex4
    expect_eq "messages-fds 1
then 0
/dev/pts/0
exbox" "$(cat "$WORK/exec-console.out")" "what the engine's end of the console socket got"
}
t "exec -d with a terminal: its master to --console-socket, the terminal in the container" exec_tty

exec_leaves_nothing() {
    exec_box ex5 || return 1
    oci exec ex5 /no/such 2>/dev/null
    oci exec --user nobody-here ex5 true 2>/dev/null
    expect_eq 125 $? "an unknown user" || return 1
    expect_eq 1 "$(oci ps --format json ex5 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" \
        "processes of the container after failed execs" || return 1
    oci delete -f ex5
}
t "failed execs leave no process in the container" exec_leaves_nothing

exec_cap() {
    exec_box ex6 || return 1
    bounding() { oci exec "$@" ex6 /bin/sh -c 'grep CapBnd /proc/self/status' | awk '{print $2}'; }
    without=$(bounding) || return 1
    with=$(bounding --cap CAP_SYS_ADMIN) || return 1
    [ "$without" != "$with" ] || { echo "--cap CAP_SYS_ADMIN changed nothing: $with"; return 1; }
    expect_eq 1 "$(oci exec --no-new-privs ex6 /bin/sh -c 'grep NoNewPrivs /proc/self/status' | awk '{print $2}')" \
        "--no-new-privs" || return 1
    oci delete -f ex6
}
t "exec --cap adds a capability; --no-new-privs sets it" exec_cap

seen_by_congo_launch() {
    b=$(oci_bundle seen "c['process']['args'] = ['sleep', '100']
c['annotations'] = {'org.example.owner': 'ci'}") || return 1
    oci run -d --bundle "$b" seen || return 1
    # congo-launch's own directory is empty: only congo-oci's containers show (a test runs
    # in a subshell of its own: the variables go with it).
    mkdir -p "$WORK/launch-state"
    export CONGO_OCI_ROOT=$ROOT CONGO_STATE_DIR=$WORK/launch-state
    out=$("$CONGO" --list --format json) || { echo "$out"; return 1; }
    printf '%s' "$out" | python3 -c '
import json, sys
v = [e for e in json.load(sys.stdin) if e["id"] == "seen"]
assert len(v) == 1, v
e = v[0]
assert e["status"] == "running" and e["oci"] is True and e["bundle"].endswith("/seen"), e
assert e["annotations"] == {"org.example.owner": "ci"}, e' || return 1
    "$CONGO" --list | grep -q '^seen .* running ' || { "$CONGO" --list; return 1; }
    "$CONGO" --stats seen --format json | grep -q '"pids": 1' || { "$CONGO" --stats seen; return 1; }
    got=$("$CONGO" --exec seen -- /bin/cat /proc/1/cmdline | tr '\0' ' ')
    expect_eq "sleep 100 " "$got" "--exec: the container's first process" || return 1
    err=$("$CONGO" --stop seen 2>&1)
    expect_eq 1 $? "--stop of an engine's container" || return 1
    case $err in *"runs under an OCI engine"*) ;; *) echo "$err"; return 1 ;; esac
    "$CONGO" --kill seen KILL || return 1
    wait_status seen stopped || return 1
    out=$("$CONGO" --list --format json)
    case $out in *'"status": "stopped"'*) ;; *) echo "$out"; return 1 ;; esac
    oci delete seen
}
t "congo-launch --list, --stats, --exec and --kill see congo-oci's containers; --stop names the engine" \
    seen_by_congo_launch

exact_groups() {
    # app (1000) is a member of staff (50) in the test root's /etc/group.
    b=$(oci_bundle groups "c['process']['user'] = {'uid': 1000, 'gid': 1000, 'additionalGids': [1000, 2000]}
c['process']['args'] = ['id', '-G']") || return 1
    out=$(oci run --bundle "$b" groups) || return 1
    expect_eq "1000 2000" "$out" "the process's groups: the config's alone, as runc gives them"
}
t "process.user: uid, gid and additionalGids exactly, not the user's /etc/group memberships" exact_groups

tmpcopyup() {
    # podman's --read-only puts such a tmpfs on /run, /tmp and /var/tmp.
    b=$(oci_bundle copyup "c['mounts'].append({'destination': '/etc', 'type': 'tmpfs', 'source': 'tmpfs',
    'options': ['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup']})
c['process']['args'] = ['/bin/sh', '-c', 'grep -c ^staff: /etc/group && touch /etc/new && stat -c %a /etc && grep \" /etc \" /proc/mounts | cut -d\" \" -f3']") || return 1
    out=$(oci run --bundle "$b" copyup) || { echo "$out"; return 1; }
    expect_eq "1
755
tmpfs" "$out" "the image's /etc/group in the tmpfs on /etc, written, its mode kept" || return 1
    [ ! -e "$b/rootfs/etc/new" ] || { echo "the write went through to the root"; return 1; }
    # ro too: filled first, then read-only.
    b=$(oci_bundle copyup "c['mounts'].append({'destination': '/etc', 'type': 'tmpfs', 'source': 'tmpfs',
    'options': ['ro', 'nosuid', 'nodev', 'tmpcopyup']})
c['process']['args'] = ['/bin/sh', '-c', 'grep -c ^staff: /etc/group; touch /etc/new 2>/dev/null || echo refused']") ||
        return 1
    out=$(oci run --bundle "$b" copyup) || { echo "$out"; return 1; }
    expect_eq "1
refused" "$out" "a read-only tmpfs with tmpcopyup: the files, and no write"
}
t "a tmpfs with tmpcopyup starts with the files of the directory it covers; ro after the copy" \
    tmpcopyup

readonly_root() {
    # podman binds /etc/hosts and /run/.containerenv, which an image may lack.
    b=$(oci_bundle rodirect "c['mounts'].append({'destination': '/etc/made-here', 'type': 'bind',
    'source': '$SRCDIR/README.md', 'options': ['bind', 'ro']})
c['process']['args'] = ['/bin/sh', '-c', 'head -c 7 /etc/made-here; echo; touch /x || echo read-only']") ||
        return 1
    rm -f "$b/rootfs/etc/made-here"
    out=$(oci run --bundle "$b" rodirect 2>&1) || { echo "$out"; return 1; }
    case $out in "# congo"*read-only) ;; *) echo "$out"; return 1 ;; esac
    [ -f "$b/rootfs/etc/made-here" ] || { echo "the target was not made in the bundle's root"; return 1; }
}
t "root.readonly: the bundle's root, mounts' missing targets made in it, then read-only" readonly_root

create_missing_command() {
    b=$(oci_bundle missing "c['process']['args'] = ['/no/such/command']") || return 1
    err=$(oci create --bundle "$b" missing 2>&1)
    expect_eq 1 $? "create of a command that is not there" || return 1
    case $err in *"/no/such/command"*"no such file or directory"*) ;; *) echo "$err"; return 1 ;; esac
    [ ! -e "$ROOT/missing" ] || { echo "the failed create left an entry"; return 1; }
    b=$(oci_bundle missing "c['process']['args'] = ['no-such-command']") || return 1
    err=$(oci create --bundle "$b" missing 2>&1)
    case $err in *"no-such-command"*"not found in PATH"*) ;; *) echo "$err"; return 1 ;; esac
}
t "create: a command that is not there fails the create, where the engine hears it" \
    create_missing_command

created_not_dumpable() {
    b=$(oci_bundle nd "c['process']['args'] = ['sleep', '100']") || return 1
    oci create --bundle "$b" --pid-file "$WORK/nd.pid" nd || return 1
    pid=$(cat "$WORK/nd.pid")
    # Root with the container's own capabilities (no SYS_PTRACE), as a process of a
    # container that shares its pid namespace has them, reads another root process's
    # environ only when that process is dumpable.
    caps=$(capsh --decode="$(awk '$1 == "CapPrm:" {print $2}' "/proc/$pid/status")" |
        sed 's/.*=//; s/cap_//g; s/,/,+/g')
    case ,$caps, in *,sys_ptrace,*) echo "the container holds SYS_PTRACE: $caps"; return 1 ;; esac
    if out=$(setpriv --bounding-set="-all,+$caps" -- cat "/proc/$pid/environ" 2>&1); then
        oci delete -f nd
        echo "the created container's waiting process is readable: $out"
        return 1
    fi
    case $out in *"Permission denied"*) ;; *) echo "$out"; oci delete -f nd; return 1 ;; esac
    oci delete -f nd
}
t "a created container's waiting process is not dumpable: no /proc/PID/environ without SYS_PTRACE" \
    created_not_dumpable

# Which of fds 3 to 8 the command's shell has open (its builtins, no child): "open: 3 4".
FDS='o=; for f in 3 4 5 6 7 8; do [ -e /proc/self/fd/$f ] && o="$o $f"; done; echo "open:$o"'

preserve_fds() {
    b=$(oci_bundle pf "c['process']['args'] = ['/bin/sh', '-c', '$FDS; cat <&3; echo out >&4']") ||
        return 1
    echo in >"$WORK/in3"
    out=$(oci run --bundle "$b" --preserve-fds 2 pf 3<"$WORK/in3" 4>"$WORK/out4" 5</dev/null) ||
        return 1
    expect_eq "open: 3 4
in" "$out" "the fds, not 5, and what fd 3 reads" || return 1
    expect_eq out "$(cat "$WORK/out4")" "what the command wrote to fd 4" || return 1
    out=$(oci run --bundle "$b" pf 3<"$WORK/in3" 2>/dev/null)
    expect_eq "open:" "$(echo "$out" | head -1)" "without --preserve-fds" || return 1
    out=$(oci run --bundle "$b" --preserve-fds 2 pf 3<"$WORK/in3" 2>&1)
    expect_eq 1 $? "status with fd 4 closed" || return 1
    expect_eq "congo-oci: --preserve-fds 2: fd 4 is not open" "$out" || return 1
    # systemd's socket activation: LISTEN_FDS counts too, as runc counts it.
    out=$(LISTEN_FDS=1 oci run --bundle "$b" --preserve-fds 1 pf 3<"$WORK/in3" 4>"$WORK/out4")
    expect_eq "open: 3 4" "$(echo "$out" | head -1)" "--preserve-fds 1 and LISTEN_FDS=1" ||
        return 1
    exec_box pfx || return 1
    out=$(oci exec --preserve-fds 1 pfx sh -c "$FDS; cat <&3" 3<"$WORK/in3")
    oci delete --force pfx
    expect_eq "open: 3
in" "$out" "exec --preserve-fds 1"
}
t "--preserve-fds N (and LISTEN_FDS): fds 3 to 2+N reach the command, run and exec; a gap refused" \
    preserve_fds

nothing_left() {
    expect_eq "" "$(ls -A "$ROOT" 2>/dev/null)" "entries under --root" || return 1
    # The containers of this file (others may run beside it: theirs are not looked at).
    left=$(find /sys/fs/cgroup -maxdepth 6 -type d \( -name oci-life -o -name oci-twice \
        -o -name oci-fg -o -name oci-fg2 -o -name oci-bg -o -name oci-ttyc -o -name oci-bad \
        -o -name oci-keep -o -name oci-lp -o -name oci-seen -o -name oci-nd -o -name oci-pf \
        -o -name oci-pfx \) 2>/dev/null)
    expect_eq "" "$left" "the cgroups of this file's containers"
}
t "after delete: no entry, no cgroup" nothing_left

finish
