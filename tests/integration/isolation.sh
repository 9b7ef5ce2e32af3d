#!/bin/sh
# What a container cannot see of the host, and what it sees of itself: host
# name, processes, network, mounts, IPC, environment, users, working directory.
. "$(dirname "$0")/lib.sh"

plan 19

# --- host name ---

hostname_inside() {
    before=$(hostname)
    out=$(ctr --hostname "it-box-$$" -- /bin/hostname) || return 1
    expect_eq "it-box-$$" "$out" "hostname inside" || return 1
    expect_eq "$before" "$(hostname)" "the host's hostname afterwards"
}
t "the profile's hostname is the container's, the host's is unchanged" hostname_inside

hostname_from_name() {
    p=$(profile it_web.yaml <<EOF
rootfs: $ROOTFS
command: [/bin/hostname]
EOF
)
    out=$("$CONGO" "$p") || return 1
    expect_eq "it-web" "$out" "hostname from the profile's name"
}
t "without hostname, the host name is the profile's name with _ as -" hostname_from_name

# --- processes ---

pid_with_init() {
    out=$(ctr -- /bin/sh -c 'echo $$') || return 1
    expect_eq 2 "$out" "the command's pid"
}
t "with init, the command is PID 2 of a new PID namespace" pid_with_init

pid_without_init() {
    out=$(ctr --init=false -- /bin/sh -c 'echo $$') || return 1
    expect_eq 1 "$out" "the command's pid"
}
t "with --init=false, the command is PID 1" pid_without_init

ps_only_container() {
    # The command is ps itself: the init and ps are all there is.
    out=$(ctr -- /bin/ps -o pid,comm | awk 'NR > 1 {printf "%s:%s ", $1, $2}') || return 1
    expect_eq "1:congo-init 2:ps " "$out" "ps inside"
}
t "ps inside shows only the container's processes" ps_only_container

proc_only_container() {
    # /proc itself, not only ps: no host pid is listed (the host has hundreds).
    out=$(ctr --init=false -- /bin/sh -c 'for d in /proc/[0-9]*; do echo "${d#/proc/}"; done') || return 1
    expect_eq 1 "$out" "pids in /proc"
}
t "/proc lists no host process" proc_only_container

# --- network ---

only_lo() {
    out=$(ctr -- /bin/ls /sys/class/net) || return 1
    expect_eq lo "$out" "interfaces inside"
}
t "a new network namespace holds only lo" only_lo

lo_up() {
    out=$(ctr -- /bin/sh -c 'cat /sys/class/net/lo/flags; ping -c 1 -W 2 127.0.0.1 >/dev/null && echo ping-ok') || return 1
    # 0x9 = IFF_UP | IFF_LOOPBACK
    expect_eq "0x9
ping-ok" "$out" "lo flags and a ping"
}
t "lo is up and answers a ping on 127.0.0.1" lo_up

net_off_sees_host() {
    host=$(ls /sys/class/net)
    out=$(ctr --namespaces net=false -- /bin/ls /sys/class/net) || return 1
    expect_eq "$host" "$out" "interfaces with net=false"
}
t "--namespaces net=false sees the host's interfaces" net_off_sees_host

# --- mounts ---

host_mount_invisible() {
    mkdir -p "$WORK/hostmnt-$$"
    mount -t tmpfs it-hostmnt "$WORK/hostmnt-$$" || return 1
    out=$(ctr -- /bin/cat /proc/self/mountinfo)
    status=$?
    umount "$WORK/hostmnt-$$"
    [ "$status" = 0 ] || return 1
    seen=$(printf '%s\n' "$out" | grep -e "hostmnt-$$" -e it-hostmnt)
    expect_eq "" "$seen" "the host's tmpfs in the container's mountinfo"
}
t "a mount made on the host does not appear in the container" host_mount_invisible

no_oldroot() {
    out=$(ctr -- /bin/cat /proc/self/mountinfo) || return 1
    [ -n "$out" ] || { echo "empty mountinfo"; return 1; }
    seen=$(printf '%s\n' "$out" | awk '$5 ~ /^\/oldroot/ || $5 ~ /^\/newroot/')
    expect_eq "" "$seen" "mount points under /oldroot or /newroot" || return 1
    out=$(ctr -- /bin/sh -c 'ls -d /oldroot /newroot 2>/dev/null')
    expect_eq "" "$out" "/oldroot or /newroot inside"
}
t "the container's mount table holds nothing of the old root" no_oldroot

# --- IPC ---
# busybox has no ipcmk: make a SysV segment with util-linux on the launcher's
# side, in an IPC namespace of the test's own (unshare), so the host's real
# IPC namespace is never touched.

ipc_isolated() {
    if ! command -v unshare >/dev/null || ! command -v ipcmk >/dev/null; then
        echo "needs unshare and ipcmk (util-linux)"
        return 1
    fi
    out=$(unshare --ipc sh -c '
        ipcmk -M 4096 >/dev/null || exit 1
        echo "outside: $(($(wc -l </proc/sysvipc/shm) - 1))"
        "$1" run "$2" - - - - -- /bin/sh -c "echo inside: \$((\$(wc -l </proc/sysvipc/shm) - 1))"
        "$1" run "$2" - - - - --namespaces ipc=false -- /bin/sh -c "echo shared: \$((\$(wc -l </proc/sysvipc/shm) - 1))"
    ' sh "$CONGO" "$ROOTFS") || return 1
    expect_eq "outside: 1
inside: 0
shared: 1" "$out" "shm segments"
}
t "a SysV shm segment of the caller is invisible inside (visible with ipc=false)" ipc_isolated

# --- environment ---

env_clean() {
    out=$(SECRET=hunter2 TERM=it-term "$CONGO" run "$ROOTFS" - - - FOO=bar --env BAZ=qux -- /bin/env | sort) || return 1
    expect_eq "BAZ=qux
FOO=bar
HOME=/root
HOSTNAME=congo
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
TERM=it-term" "$out" "env inside"
}
t "only PATH, HOME, HOSTNAME, TERM and the profile's env reach the command" env_clean

env_no_term() {
    out=$(env -u TERM SECRET=hunter2 "$CONGO" run "$ROOTFS" - - - - -- /bin/env | sort) || return 1
    expect_eq "HOME=/root
HOSTNAME=congo
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "$out" "env inside"
}
t "without TERM in the launcher, none inside" env_no_term

# --- users ---

container_only_user() {
    out=$(ctr --user app -- /bin/sh -c 'id -u; id -g; id -un; id -gn; echo $HOME') || return 1
    expect_eq "1000
1000
app
app
/home/app" "$out" "ids of app"
}
t "--user app (only in the container's passwd) runs as uid 1000, gid 1000, HOME /home/app" container_only_user

container_only_groups() {
    out=$(ctr --user app -- /bin/id -G) || return 1
    # The kernel's list: supplementary groups from the container's /etc/group.
    sorted=$(echo "$out" | tr ' ' '\n' | sort -n | tr '\n' ' ')
    expect_eq "50 1000 " "$sorted" "groups of app"
}
t "--user app gets its supplementary group staff (50) from the container's /etc/group" container_only_groups

numeric_user() {
    out=$(ctr --user 4242 -- /bin/sh -c 'id -u; echo $HOME') || return 1
    expect_eq "4242
/" "$out" "an unknown numeric uid"
}
t "an unknown numeric uid runs, with HOME=/" numeric_user

unknown_user() {
    err=$(ctr --user no-such-user -- /bin/true 2>&1)
    status=$?
    expect_eq 125 "$status" "status" || return 1
    case $err in
    *no-such-user*) ;;
    *) echo "the message does not name the user: $err"; return 1 ;;
    esac
}
t "an unknown user name is a launcher error (125) naming it" unknown_user

# --- workdir ---

workdir_created() {
    out=$(ctr --user app --workdir /srv/it/deep -- /bin/pwd) || return 1
    expect_eq /srv/it/deep "$out" "pwd" || return 1
    [ ! -e "$ROOTFS/srv" ] || { echo "the workdir reached the rootfs on the host"; return 1; }
}
t "a missing workdir is created (in the writable layer, not the rootfs)" workdir_created

finish
