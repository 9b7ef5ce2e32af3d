#!/bin/sh
# What an OCI config says that congo's profiles say too: kernel parameters
# (sysctl) set inside and never on the host, the NIS domain name,
# annotations kept with a running container, and namespaces joined by path
# instead of made. The namespaces joined here are made by the test itself,
# kept by bind mounts below its scratch directory; no packet leaves them.
. "$(dirname "$0")/lib.sh"

command -v unshare >/dev/null && command -v nsenter >/dev/null && command -v ip >/dev/null ||
    skip_all "unshare, nsenter and ip (util-linux, iproute2) make the namespaces to join"

CONGO_STATE_DIR=$WORK/state
export CONGO_STATE_DIR

# The processes that hold a namespace of the test's: killed on the way out,
# with the detached containers, even when a test fails half-way.
HOLDERS=
kill_holders() {
    for pid in $HOLDERS; do
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
}
trap 'kill_detached; kill_holders; cleanup_work' EXIT

NS=$WORK/ns
mkdir -p "$NS"

# make_ns TYPE NAME [COMMAND...]: a new namespace of TYPE kept at $NS/NAME by
# a bind mount (unshare --TYPE=FILE); COMMAND runs in it first.
make_ns() {
    type=$1 name=$2
    shift 2
    [ $# -gt 0 ] || set -- true
    touch "$NS/$name"
    unshare "--$type=$NS/$name" "$@"
}

# wait_ns PID TYPE FILE: until process PID is in the namespace FILE holds (up to 5 s).
wait_ns() {
    i=0
    while [ "$(stat -L -c %i "/proc/$1/ns/$2" 2>/dev/null)" != "$(inode "$3")" ] && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
}

# inode FILE: the namespace's inode, as /proc/PID/ns/* links name it.
inode() {
    stat -L -c %i "$1"
}

# A network namespace of the test's own, with an address on its loopback.
make_ns net blue ip addr add 10.77.0.1/32 dev lo || skip_all "cannot make a network namespace"
nsenter --net="$NS/blue" ip link set lo up

plan 15

# --- sysctl ---

sysctl_inside_not_host() {
    port=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
    shmmax=$(cat /proc/sys/kernel/shmmax)
    msg_max=$(cat /proc/sys/fs/mqueue/msg_max)
    out=$(ctr --sysctl net.ipv4.ip_unprivileged_port_start=0,kernel.shmmax=65536,fs.mqueue.msg_max=20 \
        -- /bin/sh -c 'sysctl -n net.ipv4.ip_unprivileged_port_start; cat /proc/sys/kernel/shmmax /proc/sys/fs/mqueue/msg_max') ||
        return 1
    expect_eq "0
65536
20" "$out" "the parameters inside" || return 1
    expect_eq "$port" "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" "the host's port start" || return 1
    expect_eq "$shmmax" "$(cat /proc/sys/kernel/shmmax)" "the host's shmmax" || return 1
    expect_eq "$msg_max" "$(cat /proc/sys/fs/mqueue/msg_max)" "the host's msg_max"
}
t "sysctl sets the container's net and ipc parameters; the host's stay as they were" sysctl_inside_not_host

sysctl_from_conf_then_readonly() {
    p=$(profile sysctl.conf <<EOF
rootfs = "$ROOTFS";
sysctl = ( "net.ipv4.ping_group_range=0 0", "kernel.msgmax=4096" );
command = [ "/bin/sh", "-c", "cat /proc/sys/net/ipv4/ping_group_range /proc/sys/kernel/msgmax; echo 1 >/proc/sys/kernel/msgmax && echo written" ];
EOF
)
    out=$("$CONGO" "$p" 2>&1)
    expect_eq "0	0
4096
/bin/sh: can't create /proc/sys/kernel/msgmax: Read-only file system" "$out" "a .conf profile's parameters, then a write"
}
t "sysctl from a .conf profile; /proc/sys is read-only once the command runs" sysctl_from_conf_then_readonly

sysctl_refused() {
    before=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
    out=$(ctr --sysctl net.ipv4.ip_unprivileged_port_start=lots -- /bin/true 2>&1)
    status=$?
    expect_eq 125 "$status" "status of a refused value" || return 1
    case $out in
    *"sysctl net.ipv4.ip_unprivileged_port_start: the kernel refuses \`lots\`"*) ;;
    *) echo "message: $out"; return 1 ;;
    esac
    out=$(ctr --sysctl net.ipv4.no_such_thing=1 -- /bin/true 2>&1)
    status=$?
    expect_eq 125 "$status" "status of an unknown parameter" || return 1
    case $out in
    *"sysctl net.ipv4.no_such_thing: this kernel has no such parameter"*) ;;
    *) echo "message: $out"; return 1 ;;
    esac
    expect_eq "$before" "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" "the host's value"
}
t "a value the kernel refuses, or a parameter it lacks, is status 125 naming it" sysctl_refused

sysctl_needs_namespace() {
    before=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
    p=$(profile hostnet.yaml <<EOF
rootfs: $ROOTFS
namespaces: {net: false}
sysctl: {net.ipv4.ip_unprivileged_port_start: "0"}
command: [/bin/true]
EOF
)
    out=$("$CONGO" "$p" 2>&1)
    status=$?
    expect_eq 125 "$status" "status" || return 1
    case $out in
    *"hostnet.yaml:3: error: sysctl.net.ipv4.ip_unprivileged_port_start: \`net.ipv4.ip_unprivileged_port_start\` needs the net namespace, which is off"*) ;;
    *) echo "message: $out"; return 1 ;;
    esac
    out=$(ctr --sysctl vm.swappiness=10 -- /bin/true 2>&1)
    expect_eq 125 "$?" "status of a parameter no namespace isolates" || return 1
    case $out in
    *"\`vm.swappiness\` is not isolated by a namespace of the container"*) ;;
    *) echo "message: $out"; return 1 ;;
    esac
    expect_eq "$before" "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" "the host's value"
}
t "a parameter the container's namespaces do not isolate is refused before the run" sysctl_needs_namespace

# --- domainname ---

domainname_inside() {
    before=$(cat /proc/sys/kernel/domainname)
    out=$(ctr --domainname "nis-$$.example" -- /bin/cat /proc/sys/kernel/domainname) || return 1
    expect_eq "nis-$$.example" "$out" "domain name inside" || return 1
    p=$(profile domain.conf <<EOF
rootfs = "$ROOTFS";
domainname = "conf.example";
command = "cat /proc/sys/kernel/domainname";
EOF
)
    out=$("$CONGO" "$p") || return 1
    expect_eq conf.example "$out" "domain name from a .conf profile" || return 1
    expect_eq "$before" "$(cat /proc/sys/kernel/domainname)" "the host's domain name afterwards"
}
t "domainname is the container's NIS domain name; the host's is unchanged" domainname_inside

# --- annotations ---

# annotations_of JSON-ARRAY ID: the annotations object of one entry of --list --format json.
annotations_of() {
    printf '%s' "$1" | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["id"] == sys.argv[1]:
        print(json.dumps(e["annotations"], sort_keys=True))' "$2"
}

annotations_listed() {
    id=$("$CONGO" --detach --name noted run "$ROOTFS" - - - - \
        --annotations 'org.example.owner=alice,org.example.note=a=b\, c' -- sleep 100) || return 1
    p=$(profile noted.conf <<EOF
rootfs = "$ROOTFS";
annotations = ( "io.example.from=conf" );
command = [ "sleep", "100" ];
EOF
)
    id2=$("$CONGO" --detach "$p") || return 1
    list=$("$CONGO" --list --format json) || return 1
    "$CONGO" --stop "$id" >/dev/null
    "$CONGO" --stop "$id2" >/dev/null
    expect_eq '{"org.example.note": "a=b, c", "org.example.owner": "alice"}' \
        "$(annotations_of "$list" "$id")" "the run form's annotations" || return 1
    expect_eq '{"io.example.from": "conf"}' "$(annotations_of "$list" "$id2")" \
        "a .conf profile's annotations"
}
t "annotations are kept with a detached container and shown by --list --format json" annotations_listed

# --- joining a namespace by path ---

join_net() {
    want=$(inode "$NS/blue")
    out=$(ctr --namespaces net="$NS/blue" -- /bin/sh -c \
        'stat -L -c %i /proc/self/ns/net; ip addr show dev lo | grep -o "10\.77\.0\.1"') || return 1
    expect_eq "$want
10.77.0.1" "$out" "the namespace inside, and its address" || return 1
    case $(readlink /proc/self/ns/net) in
    *"$want"*) echo "the test itself is in the joined namespace"; return 1 ;;
    esac
}
t "namespaces.net: PATH joins that network namespace, addresses and all" join_net

join_net_sysctl_conf() {
    p=$(profile join.conf <<EOF
rootfs = "$ROOTFS";
namespaces = { net = "$NS/blue"; };
sysctl = ( "net.ipv4.ip_unprivileged_port_start=42" );
command = [ "/bin/true" ];
EOF
)
    host=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
    "$CONGO" "$p" || return 1
    expect_eq 42 "$(nsenter --net="$NS/blue" cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" \
        "the joined namespace's parameter" || return 1
    expect_eq "$host" "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" "the host's"
}
t "a .conf profile's sysctl is written into the network namespace it joins" join_net_sysctl_conf

join_net_veth() {
    # A second namespace, held by a process, and a veth pair made inside the
    # first: the host's own network never sees either end.
    make_ns net green || return 1
    nsenter --net="$NS/green" sleep 100 &
    holder=$!
    HOLDERS="$HOLDERS $holder"
    wait_ns "$holder" net "$NS/green"
    nsenter --net="$NS/blue" sh -c "ip link add ct0 type veth peer name ct1 &&
        ip link set ct1 netns $holder && ip addr add 10.78.0.1/24 dev ct0 && ip link set ct0 up" ||
        return 1
    nsenter --net="$NS/green" sh -c 'ip addr add 10.78.0.2/24 dev ct1 && ip link set ct1 up' || return 1
    out=$(ctr --namespaces net="$NS/blue" -- /bin/ping -c 1 -W 2 10.78.0.2 2>&1) || { echo "$out"; return 1; }
    ip link show ct0 >/dev/null 2>&1 && { echo "ct0 is on the host"; return 1; }
    return 0
}
t "a container in a joined namespace reaches another one over the test's veth pair" join_net_veth

join_others() {
    make_ns ipc ipc || return 1
    make_ns uts uts hostname joined-uts || return 1
    make_ns cgroup cgroup || return 1
    touch "$NS/pid"
    unshare --pid="$NS/pid" --fork sleep 100 &
    HOLDERS="$HOLDERS $!"
    # The namespace lives while its first process, the sleep, does.
    i=0
    while ! grep -qF " $NS/pid " /proc/self/mountinfo && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    want="$(inode "$NS/ipc") $(inode "$NS/uts") $(inode "$NS/cgroup") $(inode "$NS/pid")"
    out=$(ctr --namespaces ipc="$NS/ipc",uts="$NS/uts",cgroup="$NS/cgroup",pid="$NS/pid" \
        --sysctl kernel.shmmni=1024 --domainname joined.example -- /bin/sh -c \
        'echo $(stat -L -c %i /proc/self/ns/ipc /proc/self/ns/uts /proc/self/ns/cgroup /proc/self/ns/pid); hostname; ps -o comm | grep -c sleep') ||
        return 1
    expect_eq "$want
joined-uts
1" "$out" "the namespaces inside, the uts one's host name, the pid one's sleep" || return 1
    expect_eq "joined.example 1024" \
        "$(nsenter --uts="$NS/uts" --ipc="$NS/ipc" sh -c 'echo $(cat /proc/sys/kernel/domainname /proc/sys/kernel/shmmni)')" \
        "what the container set in the joined uts and ipc namespaces"
}
t "ipc, uts, cgroup and pid namespaces are joined by path too" join_others

join_wrong() {
    touch "$WORK/plain-file"
    for bad in "/proc/$$/ns/uts:is a uts namespace, not a net one" \
        "$WORK/plain-file:is not a namespace file" "$NS/missing:No such file or directory"; do
        path=${bad%%:*}
        want=${bad#*:}
        out=$(ctr --namespaces net="$path" -- /bin/true 2>&1)
        status=$?
        expect_eq 125 "$status" "status for $path" || return 1
        case $out in
        "congo-launch: namespaces.net: \`$path\`"*"$want"*) ;;
        *) echo "message for $path: $out"; return 1 ;;
        esac
    done
}
t "a path that is no namespace, or one of another type, is status 125 naming key and path" join_wrong

join_host_refused() {
    before=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
    out=$(ctr --namespaces net=/proc/$$/ns/net --sysctl net.ipv4.ip_unprivileged_port_start=7 -- /bin/true 2>&1)
    expect_eq 125 "$?" "status" || return 1
    case $out in
    *"namespaces.net: \`/proc/$$/ns/net\` is the launcher's own net namespace"*) ;;
    *) echo "message: $out"; return 1 ;;
    esac
    hostname=$(hostname)
    out=$(ctr --namespaces uts=/proc/$$/ns/uts --hostname not-the-host -- /bin/true 2>&1)
    expect_eq 125 "$?" "status of a host name" || return 1
    expect_eq "$hostname" "$(hostname)" "the host's name" || return 1
    expect_eq "$before" "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" "the host's parameter"
}
t "nothing is written into a joined namespace that is the host's own" join_host_refused

join_mount_refused() {
    out=$(ctr --namespaces mount=/proc/$$/ns/mnt -- /bin/true 2>&1)
    expect_eq 125 "$?" "status" || return 1
    case $out in
    *"namespaces.mount: joining a mount namespace by path is not supported"*) ;;
    *) echo "message: $out"; return 1 ;;
    esac
}
t "joining a mount namespace by path is an error" join_mount_refused

exec_joined() {
    id=$("$CONGO" --detach --name joined run "$ROOTFS" - - - - --namespaces net="$NS/blue" -- sleep 100) ||
        return 1
    out=$("$CONGO" --exec "$id" -- stat -L -c %i /proc/self/ns/net)
    status=$?
    "$CONGO" --stop "$id" >/dev/null
    expect_eq 0 "$status" "status of --exec" || return 1
    expect_eq "$(inode "$NS/blue")" "$out" "the namespace --exec joins"
}
t "--exec joins the namespace the container joined by path" exec_joined

print_plan_joined() {
    out=$("$CONGO" --print-plan run "$ROOTFS" - - - - --namespaces net="$NS/blue" \
        --sysctl net.ipv4.ip_forward=1 -- /bin/true) || return 1
    for want in "namespaces: ipc mount pid uts new; net joined; cgroup the host's" \
        "  join net $NS/blue (checked at the start to be a net namespace)  # command line" \
        "  net.ipv4.ip_forward = 1 (the net namespace's)  # command line"; do
        printf '%s\n' "$out" | grep -qxF "$want" || { echo "no [$want] in:"; echo "$out"; return 1; }
    done
}
t "--print-plan shows the namespace joined and the parameters written" print_plan_joined

finish
