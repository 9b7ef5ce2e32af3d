#!/bin/sh
# User namespaces: root's `user_namespace: auto` and explicit mappings, and
# runs by a user other than root, which always get one. Each test names
# what a user observes: the exact id maps, who owns what on the host, and
# what a hostile container root cannot do through a user namespace.
#
# Which protection each attack guards is said above it. Run as root with
# `user_namespace: host` (ATTACK_USERNS=host below) the root attacks must
# all fail: container root is then the host's root.
#
# The rootless tests make a user of their own (useradd) with a subordinate
# id range of its own, and remove both on the way out, even on failure.
# congo-oci's detached processes are reaped as an engine reaps them.
SUBREAPER=1
. "$(dirname "$0")/lib.sh"

[ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null)" != 0 ] ||
    skip_all "user namespaces are disabled on this host (user.max_user_namespaces is 0)"

plan 30

# The user namespace of the root attacks: auto. `host` shows every attack
# below go through (the check that these tests can fail at all).
ATTACK_USERNS=auto

# wait_for FILE PATTERN: poll up to 20 s (a loaded machine) for PATTERN in FILE.
wait_for() {
    i=0
    while ! grep -q "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -le 400 ] || { echo "no \"$2\" in $1 after 20 s:"; cat "$1" 2>/dev/null; return 1; }
        sleep 0.05
    done
}

# A fingerprint of a tree on the host: every path, type, size, mode, owner and mtime.
tree_sum() {
    find "$@" -printf '%p %y %s %m %U:%G %T@ %l\n' | sort | md5sum
}

# map_text INSIDE OUTSIDE COUNT...: the lines of /proc/PID/uid_map for these ranges.
map_text() {
    while [ $# -ge 3 ]; do
        printf '%10u %10u %10u\n' "$1" "$2" "$3"
        shift 3
    done
}

# --- the host ids auto gives: the `congo` user's subordinate range, or 2^31 up ---

# subid_first FILE NAME UID: "START COUNT" of the first entry of NAME (or UID).
subid_first() {
    awk -F: -v n="$2" -v u="$3" '($1 == n || $1 == u) && $3 > 0 {print $2, $3; exit}' "$1"
}
AUTO_UID=2147483648
AUTO_GID=2147483648
if congo_uid=$(id -u congo 2>/dev/null); then
    su=$(subid_first /etc/subuid congo "$congo_uid")
    sg=$(subid_first /etc/subgid congo "$congo_uid")
    if [ -n "$su" ] && [ -n "$sg" ] && [ "${su#* }" -ge 65536 ] && [ "${sg#* }" -ge 65536 ]; then
        AUTO_UID=${su% *}
        AUTO_GID=${sg% *}
    fi
fi
# Nothing else uses this file's state directory: its first auto range is the first of all.
AUTO_MAP=$(map_text 0 "$AUTO_UID" 65536)
AUTO_GMAP=$(map_text 0 "$AUTO_GID" 65536)
LEASES=$CONGO_STATE_DIR/userns

# --- the attack programs, in a layer ---

LAYER=$WORK/attack-layer
helpers_missing=$(attack_programs "$LAYER/usr/local/bin" euid nsparent)

# skip NAME REASON: a test that cannot run here, counted as skipped.
skip() {
    n=$((n + 1))
    echo "ok $n - $1 # SKIP $2"
}

# tc NAME CMD...: a test that needs the attack programs; SKIP without them.
tc() {
    if [ -z "$helpers_missing" ]; then t "$@"; else skip "$1" "$helpers_missing"; fi
}

# --- the test user: its own uid and gid, and a subordinate range of its own ---

# WORK (mktemp -d: 0700) is this file's scratch; the test user may pass through it.
chmod 0711 "$WORK"
TU=congout$$
SUB=524288
COUNT=65536
user_missing=
for tool in useradd usermod userdel setpriv unshare; do
    command -v "$tool" >/dev/null || { user_missing="no $tool on this host"; break; }
done

# remove_user: the test user, its processes (by pid), its home and its ranges.
remove_user() {
    test_user_remove "$TU" "$SUB" "$COUNT"
}
on_exit() {
    kill_detached
    remove_user
    cleanup_work
}
trap on_exit EXIT
# A test file stopped by a signal still removes its user (the EXIT trap runs on exit).
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "$user_missing" ]; then
    user_missing=$(test_user_add "$TU" "$SUB" "$COUNT")
fi
TUID=$(id -u "$TU" 2>/dev/null)
TGID=$(id -g "$TU" 2>/dev/null)

# Where the test user's runs keep their state, and a directory it owns to bind.
RL=$WORK/rootless
mkdir -p "$RL/state" "$RL/share"
if [ -z "$user_missing" ]; then
    chown "$TU:$TU" "$RL/state" "$RL/share"
    chmod 0700 "$RL/state"
    # app (container uid 1000) writes here too.
    chmod 0777 "$RL/share"
fi

# as_user CMD...: CMD as the test user, its groups, its own state directory.
as_user() {
    setpriv --reuid="$TU" --regid="$TU" --init-groups \
        env HOME="$WORK/home" CONGO_STATE_DIR="$RL/state" "$@"
}

# The launcher and the root as the test user reaches them, or copies it can reach.
RL_CONGO=$CONGO
RL_ROOTFS=$ROOTFS
if [ -z "$user_missing" ]; then
    if ! as_user test -x "$CONGO"; then
        RL_CONGO=$RL/congo-launch
        cp "$CONGO" "$RL_CONGO"
    fi
    if ! as_user test -r "$ROOTFS/etc/passwd" || ! as_user test -x "$ROOTFS/bin/busybox"; then
        RL_ROOTFS=$RL/rootfs
        cp -a "$ROOTFS" "$RL_ROOTFS"
    fi
fi

# tu NAME CMD...: a test that needs the test user; SKIP without it.
tu() {
    if [ -z "$user_missing" ]; then t "$@"; else skip "$1" "$user_missing"; fi
}

# host_dir NAME: a fresh host directory owned by root, 0755, holding a file
# only root may read, secret; sets HOSTDIR. One per test: an attack that
# works spoils it for no other.
host_dir() {
    HOSTDIR=$WORK/$1
    rm -rf "$HOSTDIR"
    mkdir -m 0755 "$HOSTDIR"
    echo "host-secret-$$" >"$HOSTDIR/secret"
    chmod 0600 "$HOSTDIR/secret"
}

# A fresh directory anyone may write, to bind into a container: fresh_share NAME.
fresh_share() {
    rm -rf "${WORK:?}/$1"
    mkdir -m 0777 "$WORK/$1"
    echo "$WORK/$1"
}

# ===== root: explicit mappings and auto =====

explicit_map() {
    out=$(ctr --user-namespace 0:200000:65536 -- /bin/sh -c '
        cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --
        id; stat -c "%u %g %n" /bin/busybox /etc/passwd /') || { echo "$out"; return 1; }
    expect_eq "$(map_text 0 200000 65536)
--
$(map_text 0 200000 65536)
--
uid=0(root) gid=0(root) groups=0(root)
0 0 /bin/busybox
0 0 /etc/passwd
0 0 /" "$out" "uid_map, gid_map, id and the image's owners with --user-namespace 0:200000:65536"
}
t "user_namespace 0:200000:65536: uid_map and gid_map are exactly that, id is root, the image is root's inside" explicit_map

split_map() {
    share=$(fresh_share split-share)
    out=$(ctr --user-namespace 'uid:0:200000:1, gid:0:210000:1, 1:300000:65535' --user app \
        --mount "$share:/share" -- /bin/sh -c '
        cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; id -u; id -g; touch /share/by-app') ||
        { echo "$out"; return 1; }
    expect_eq "$(map_text 0 200000 1 1 300000 65535)
--
$(map_text 0 210000 1 1 300000 65535)
--
1000
1000" "$out" "the maps and app's ids with uid:0:200000:1, gid:0:210000:1, 1:300000:65535" || return 1
    expect_eq 300999:300999 "$(stat -c %u:%g "$share/by-app")" "the host owner of a file app made through a bind"
}
t "uid:/gid: entries map user and group ids apart; app (1000) writes through a bind as host 300999" split_map

auto_map() {
    out=$(ctr --user-namespace auto -- /bin/sh -c '
        cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --
        id; stat -c "%u %g %n" /bin/busybox /etc/passwd') || { echo "$out"; return 1; }
    expect_eq "$AUTO_MAP
--
$AUTO_GMAP
--
uid=0(root) gid=0(root) groups=0(root)
0 0 /bin/busybox
0 0 /etc/passwd" "$out" "uid_map, gid_map, id and the image's owners with auto" || return 1
    expect_eq "" "$(ls -A "$LEASES")" "leases left in $LEASES"
}
t "user_namespace auto: one line 0 $AUTO_UID 65536 in uid_map and gid_map, root inside, the image root's" auto_map

# The first container's first process, as its lease names it, is alive and in that container.
auto_concurrent() {
    share=$(fresh_share concurrent-share)
    "$CONGO" run "$ROOTFS" - - - - --user-namespace auto --mount "$share:/share" -- /bin/sh -c '
        cat /proc/self/uid_map /proc/self/gid_map >/share/a.tmp && mv /share/a.tmp /share/a.map
        while [ ! -e /share/stop ]; do sleep 0.05; done' >"$WORK/concurrent.out" 2>&1 &
    first=$!
    if ! wait_for "$share/a.map" .; then
        kill "$first"
        wait "$first"
        cat "$WORK/concurrent.out"
        return 1
    fi
    leases=$(ls -A "$LEASES")
    owner=$(cut -d' ' -f1 "$LEASES/$AUTO_UID" 2>/dev/null)
    owner_map=$(cat "/proc/$owner/uid_map" 2>/dev/null)
    second=$(ctr --user-namespace auto -- /bin/sh -c 'cat /proc/self/uid_map /proc/self/gid_map')
    touch "$share/stop"
    wait "$first"
    status=$?
    expect_eq 0 "$status" "the first container's status" || { cat "$WORK/concurrent.out"; return 1; }
    expect_eq "$AUTO_MAP
$AUTO_GMAP" "$(cat "$share/a.map")" "the first container's maps" || return 1
    expect_eq "$(map_text 0 $((AUTO_UID + 65536)) 65536 0 $((AUTO_GID + 65536)) 65536)" "$second" \
        "the maps of a second container, while the first runs" || return 1
    expect_eq "$AUTO_UID" "$leases" "the leases while the first container runs" || return 1
    expect_eq "$AUTO_MAP" "$owner_map" "the uid_map of the process the lease names ($owner)" || return 1
    expect_eq "" "$(ls -A "$LEASES")" "leases left after both ended"
}
t "two auto containers at once get different ranges; after both, no lease is left" auto_concurrent

auto_stale_lease() {
    share=$(fresh_share killed-share)
    "$CONGO" run "$ROOTFS" - - - - --user-namespace auto --mount "$share:/share" -- /bin/sh -c '
        cat /proc/self/uid_map >/share/k.tmp && mv /share/k.tmp /share/k.map
        sleep 600' >"$WORK/killed.out" 2>&1 &
    launcher=$!
    wait_for "$share/k.map" . || { kill "$launcher"; wait "$launcher"; return 1; }
    lease=$LEASES/$AUTO_UID
    read -r owner start <"$lease"
    kill -KILL "$launcher"
    wait "$launcher"
    # The container dies with its launcher: the lease's owner goes.
    i=0
    while [ "$(awk '{sub(/.*\) /, ""); print $20}' "/proc/$owner/stat" 2>/dev/null)" = "$start" ]; do
        i=$((i + 1))
        [ "$i" -le 400 ] || { echo "the container's first process $owner outlived its launcher by 20 s"; return 1; }
        sleep 0.05
    done
    [ -f "$lease" ] || { echo "no stale lease $lease after the launcher was killed: nothing to take over"; return 1; }
    out=$(ctr --user-namespace auto -- /bin/cat /proc/self/uid_map) || { echo "$out"; return 1; }
    expect_eq "$(cat "$share/k.map")" "$out" "the range of the next auto run" || return 1
    expect_eq "$AUTO_MAP" "$out" "the range of the killed one" || return 1
    expect_eq "" "$(ls -A "$LEASES")" "leases left after the next run"
}
t "a launcher killed with SIGKILL leaves a stale lease; the next auto run takes its range, and none is left" auto_stale_lease

# ===== root: attacks from container root with auto (every capability, no seccomp filter) =====

# actr [RUN OPTIONS] -- CMD...: a run in ATTACK_USERNS with every capability
# and no seccomp filter: only the user namespace stands between container
# root and the host.
actr() {
    ctr --user-namespace "$ATTACK_USERNS" --cap-add ALL --seccomp unconfined "$@"
}

# Guards: writable binds are not id-mapped, so container root's chown 0 is the
# mapped uid's on the host. With host, the copy is a setuid-root busybox on the host.
bind_setuid() {
    share=$(fresh_share setuid-share)
    out=$(actr --mount "$share:/share" -- /bin/sh -c '
        cp /bin/busybox /share/bb && chown 0:0 /share/bb && chmod 4755 /share/bb &&
            stat -c "%A %u %g" /share/bb') || { echo "$out"; return 1; }
    expect_eq "-rwsr-xr-x 0 0" "$out" "the copy, inside" || return 1
    expect_eq "$AUTO_UID:$AUTO_GID 4755" "$(stat -c '%u:%g %a' "$share/bb")" \
        "owner and mode on the host of busybox that container root made setuid and chowned to 0:0"
}
t "ATTACK: a setuid busybox chowned to 0:0 through a rw bind is owned by $AUTO_UID on the host, not root" bind_setuid

# Guards: CAP_MKNOD of a user namespace is not the host's (no device node on the host).
bind_mknod() {
    share=$(fresh_share mknod-share)
    out=$(actr --mount "$share:/share" -- /bin/sh -c '
        mknod /share/mem c 1 1 2>&1 && echo "made /share/mem"
        mknod /share/sda b 8 0 2>&1 && echo "made /share/sda"
        exit 0') || { echo "$out"; return 1; }
    expect_eq "mknod: /share/mem: Operation not permitted
mknod: /share/sda: Operation not permitted" "$out" "mknod of /dev/mem and a disk in a rw bind" || return 1
    expect_eq "" "$(ls -A "$share")" "what the bind holds on the host"
}
t "ATTACK: mknod of a char or block device in a rw bind fails (EPERM), nothing appears on the host" bind_mknod

# Guards: CAP_DAC_OVERRIDE of a user namespace covers only its own ids; the host's root is not one.
bind_read_secret() {
    host_dir host-read
    out=$(actr --mount "$HOSTDIR:/hostdir" -- /bin/sh -c '
        stat -c "%A %u %g" /hostdir/secret
        cat /hostdir/secret 2>&1
        exit 0') || { echo "$out"; return 1; }
    expect_eq "-rw------- 65534 65534
cat: can't open '/hostdir/secret': Permission denied" "$out" \
        "a 0600 file of the host's root through a rw bind, by container root with every capability"
}
t "ATTACK: a 0600 file of the host's root, bound rw, shows as nobody's and cannot be read (EACCES)" bind_read_secret

# Guards: the same, for writing: container root is no owner of a root-owned 0755 directory.
bind_write_rootdir() {
    host_dir host-write
    before=$(tree_sum "$HOSTDIR")
    out=$(actr --mount "$HOSTDIR:/hostdir" -- /bin/sh -c '
        touch /hostdir/new 2>/dev/null && echo "made /hostdir/new"
        mkdir /hostdir/newdir 2>/dev/null && echo "made /hostdir/newdir"
        { echo evil >/hostdir/secret; } 2>/dev/null && echo "overwrote /hostdir/secret"
        rm -f /hostdir/secret 2>/dev/null && echo "removed /hostdir/secret"
        chmod 0777 /hostdir 2>/dev/null && echo "chmod /hostdir"
        chown 0:0 /hostdir/secret 2>/dev/null && echo "chown /hostdir/secret"
        exit 0') || { echo "$out"; return 1; }
    expect_eq "" "$out" "what container root did to a root-owned 0755 host directory bound rw" || return 1
    expect_eq "$before" "$(tree_sum "$HOSTDIR")" "the host directory"
}
t "ATTACK: nothing can be made, overwritten, removed or chmod'ed in a root-owned 0755 host dir bound rw" bind_write_rootdir

# Guards: a user namespace's maps are written once, by the launcher.
rewrite_maps() {
    out=$(actr -- /bin/sh -c '
        for m in "0 0 4294967295" "0 0 1"; do
            for f in /proc/self/uid_map /proc/self/gid_map /proc/1/uid_map; do
                { echo "$m" >$f; } 2>/dev/null && echo "wrote $m to $f"
            done
        done
        { echo deny >/proc/self/setgroups; } 2>/dev/null && echo "wrote deny to /proc/self/setgroups"
        cat /proc/self/uid_map /proc/self/gid_map') || { echo "$out"; return 1; }
    expect_eq "$AUTO_MAP
$AUTO_GMAP" "$out" "writes to the container's own uid_map and gid_map, and the maps after"
}
t "ATTACK: container root cannot write or change its uid_map, gid_map or setgroups" rewrite_maps

# Guards: a nested namespace's maps may only name ids of the container's;
# host root is none of them. With host, 0 65536 1 is accepted and the nested
# root's file is the host root's.
nested_userns() {
    share=$(fresh_share nested-share)
    out=$(actr --mount "$share:/share" -- /bin/sh -c '
        unshare -U /bin/sh -c "
            i=0
            until grep -q . /proc/self/uid_map; do
                i=\$((i + 1)); [ \$i -lt 400 ] || exit 1; sleep 0.05
            done
            exec /bin/sh -c \"touch /share/nested; cat /proc/self/uid_map\"" &
        p=$!
        i=0
        until [ "$(readlink /proc/$p/ns/user)" != "$(readlink /proc/self/ns/user)" ]; do
            i=$((i + 1)); [ $i -lt 400 ] || { echo "unshare -U made no namespace"; exit 1; }; sleep 0.05
        done
        for m in "0 65536 1" "0 0 65537" "0 4294967294 1"; do
            { echo "$m" >/proc/$p/uid_map; } 2>/dev/null && echo "mapped $m"
        done
        echo "0 0 1" >/proc/$p/uid_map || echo "could not map 0 0 1"
        wait $p') || { echo "$out"; return 1; }
    expect_eq "$(map_text 0 0 1)" "$out" "maps written for a nested namespace, and its uid_map" || return 1
    expect_eq "$AUTO_UID" "$(stat -c %u "$share/nested")" "the host owner of a file the nested namespace's root made"
}
t "ATTACK: unshare -U inside: no map beyond the container's ids (host root is none); nested root is still $AUTO_UID" nested_userns

# Guards: the container's user namespace is its own, and its parent (the
# host's) cannot be reached from it. With host they are the host's.
own_userns() {
    host_ns=$(readlink /proc/self/ns/user)
    out=$(actr --layers "$LAYER" -- /bin/sh -c '
        for f in /proc/[0-9]*/ns/user; do readlink $f; done | sort -u
        nsparent') || { echo "$out"; return 1; }
    seen=$(echo "$out" | grep '^user:')
    [ "$(echo "$seen" | wc -l)" = 1 ] || { echo "more than one user namespace in the container: $seen"; return 1; }
    [ "$seen" != "$host_ns" ] || { echo "the container's processes are in the host's user namespace $host_ns"; return 1; }
    expect_eq "parent EPERM" "$(echo "$out" | grep -v '^user:')" "NS_GET_PARENT on /proc/self/ns/user"
}
tc "ATTACK: every process in the container is in its own user namespace; NS_GET_PARENT to the host's is refused" own_userns

upper_idmapped() {
    upper=$WORK/upper
    rm -rf "$upper"
    mkdir -m 0700 "$upper"
    out=$(ctr --user-namespace auto --upper "$upper" -- /bin/sh -c '
        echo kept >/kept && mkdir /appdir && chown 1000:1000 /appdir && stat -c "%u %g" /kept') ||
        { echo "$out"; return 1; }
    expect_eq "0 0" "$out" "the owner inside of a file container root wrote" || return 1
    expect_eq "0:0 1000:1000" "$(stat -c %u:%g "$upper/diff/kept" "$upper/diff/appdir" | tr '\n' ' ' | sed 's/ $//')" \
        "host owners in the upper of /kept and of /appdir chowned to 1000" || return 1
    # Another range, the same files.
    out=$(ctr --user-namespace 0:300000:65536 --upper "$upper" -- /bin/sh -c '
        echo again >>/kept && cat /kept && stat -c "%u %g" /kept /appdir') || { echo "$out"; return 1; }
    expect_eq "kept
again
0 0
1000 1000" "$out" "the upper from another run with 0:300000:65536"
}
t "upper DIR with auto is id-mapped: what root writes is 0 on the host in DIR/diff, and the next run, any range, sees it as 0" upper_idmapped

# A bind that says idmap is id-mapped as the image is: the host's root file
# is root's inside and readable, and what root writes there is the host's
# root's; the same directory bound without it (upper_idmapped's neighbours)
# shows the file as nobody's, unreadable.
idmap_bind() {
    d=$WORK/idmap-src
    rm -rf "$d"
    mkdir -m 0755 "$d"
    echo secret >"$d/root-only"
    chmod 0600 "$d/root-only"
    out=$(ctr --user-namespace auto --mount "source=$d,target=/mapped,idmap=true" \
        --mount "$d:/plain" -- /bin/sh -c '
        stat -c %u /mapped/root-only; cat /mapped/root-only; touch /mapped/new && stat -c %u /mapped/new
        stat -c %u /plain/root-only; cat /plain/root-only 2>/dev/null || echo unreadable') ||
        { echo "$out"; return 1; }
    expect_eq "0
secret
0
65534
unreadable" "$out" "inside: the file through the id-mapped bind, a new file, and the plain bind" || return 1
    expect_eq 0:0 "$(stat -c %u:%g "$d/new")" "the host owner of the file root wrote through idmap"
}
t "a bind with idmap: true is id-mapped to the container (the host's root file root's inside); without, nobody's" idmap_bind

# Guards: an id-mapped upper stores container root's files as the host's
# root, setuid bits included: no host user may run one of them as root.
# An upper others can reach is refused before anything runs; in one closed
# to them (root's, 0700), the planted program is out of their reach.
upper_setuid() {
    upper=$WORK/upper-setuid
    rm -rf "$upper"
    mkdir -m 0755 "$upper"
    out=$(ctr --user-namespace auto --layers "$LAYER" --upper "$upper" -- /bin/sh -c '
        cp /usr/local/bin/euid /planted && chmod 4755 /planted' 2>&1)
    status=$?
    expect_eq 125 "$status" "status with an upper others can reach" || { echo "$out"; return 1; }
    case $out in
    *"chmod 0700"*) ;;
    *) echo "the refusal does not say how to close the upper: $out"; return 1 ;;
    esac
    [ ! -e "$upper/diff/planted" ] || { echo "the refused run planted $upper/diff/planted"; return 1; }
    chmod 0700 "$upper"
    out=$(ctr --user-namespace auto --layers "$LAYER" --upper "$upper" -- /bin/sh -c '
        cp /usr/local/bin/euid /planted && chmod 4755 /planted') || { echo "$out"; return 1; }
    [ -u "$upper/diff/planted" ] || { echo "nothing was planted: the attack did not happen"; return 1; }
    got=$(as_user "$upper/diff/planted" 2>&1)
    case $got in
    *"Permission denied"*) ;;
    *) echo "$TU reached the setuid program container root planted in $upper/diff: $got"; return 1 ;;
    esac
}
name="ATTACK: a setuid program container root plants in an upper DIR does not run as root for a host user"
if [ -n "$helpers_missing" ]; then skip "$name" "$helpers_missing"; else tu "$name" upper_setuid; fi

# Guards: --exec joins the container's user namespace too; without it the
# command would run as the host's root in the container's other namespaces.
exec_userns() {
    host_dir host-exec
    "$CONGO" --detach --name userns-exec run "$ROOTFS" - - - - --user-namespace auto \
        --mount "$HOSTDIR:/hostdir" -- /bin/sleep 600 >"$WORK/exec.id" 2>&1 ||
        { cat "$WORK/exec.id"; return 1; }
    before=$(tree_sum "$HOSTDIR")
    out=$("$CONGO" --exec userns-exec -- /bin/sh -c '
        cat /proc/self/uid_map
        cat /hostdir/secret 2>/dev/null && echo "read /hostdir/secret"
        touch /hostdir/by-exec 2>/dev/null && echo "made /hostdir/by-exec"
        exit 0' 2>&1)
    status=$?
    launcher=$(sed -n 's/.*"launcher_pid": \([0-9]*\).*/\1/p' "$CONGO_STATE_DIR/$(cat "$WORK/exec.id")/state.json")
    "$CONGO" --kill userns-exec >/dev/null 2>&1
    i=0
    while [ -n "$launcher" ] && kill -0 "$launcher" 2>/dev/null && [ "$i" -lt 100 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    expect_eq 0 "$status" "status of --exec" || { echo "$out"; return 1; }
    expect_eq "$AUTO_MAP" "$out" "uid_map of the --exec command, and what it did to a root-only host dir" || return 1
    expect_eq "$before" "$(tree_sum "$HOSTDIR")" "the host directory bound into the container"
}
t "ATTACK: --exec into an auto container runs in its user namespace: same map, no root over the host's files" exec_userns

# A pid namespace is what lets a user namespace's root mount /proc: without
# one of its own the run is refused before anything is made, naming the key.
pid_off() {
    out=$(ctr --user-namespace auto --namespaces pid=false -- /bin/true 2>&1)
    status=$?
    case $status:$out in
    125:*namespaces.pid*) ;;
    *) echo "status $status, and the message does not name namespaces.pid: $out"; return 1 ;;
    esac
    expect_eq "" "$(ls -A "$LEASES")" "leases left"
}
t "auto with the pid namespace off is refused (125), naming namespaces.pid" pid_off

# ===== rootless: a user other than root =====

rl_profile() { # rl_profile NAME <<EOF...: a profile the test user can read, on its root
    p=$(profile "$1")
    chmod 0644 "$p"
    echo "$p"
}

rl_subids() {
    p=$(rl_profile rl-app.yaml <<EOF
rootfs: $RL_ROOTFS
user: app
mounts: ["$RL/share:/share"]
command: ["/bin/sh", "-c", "cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; cat /proc/self/setgroups; id -u; touch /share/by-app"]
EOF
)
    out=$(as_user "$RL_CONGO" "$p" 2>&1) || { echo "$out"; return 1; }
    expect_eq "$(map_text 0 "$TUID" 1 1 "$SUB" "$COUNT")
--
$(map_text 0 "$TGID" 1 1 "$SUB" "$COUNT")
--
allow
1000" "$out" "maps, setgroups and app's uid as $TU (uid $TUID, subordinate $SUB:$COUNT)" || return 1
    expect_eq "$((SUB + 999)):$((SUB + 999))" "$(stat -c %u:%g "$RL/share/by-app")" \
        "the host owner of a file app made in $TU's directory"
}
name="rootless with a subordinate range: uid_map 0 UID 1 + 1 SUB COUNT, setgroups allow, app's file is SUB+999's"
if [ -u /usr/bin/newuidmap ] && [ -u /usr/bin/newgidmap ]; then
    tu "$name" rl_subids
else
    skip "$name" "newuidmap and newgidmap are not setuid root (package uidmap; scripts/deps.sh installs it)"
fi

# A range in /etc/subuid, but newuidmap unusable (missing, or not setuid
# root): only the user's own id is mapped, and a user that needs another
# stops the run with the package to install. The helper is hidden in a
# mount namespace of the test's own, by a bind of an empty file over it.
rl_helper_missing() {
    p=$(rl_profile rl-nohelper.yaml <<EOF
rootfs: $RL_ROOTFS
user: app
command: ["/bin/echo", "ran"]
EOF
)
    : >"$WORK/not-newuidmap"
    chmod 0755 "$WORK/not-newuidmap"
    out=$(unshare -m --propagation private sh -c '
        mount --bind "$1" /usr/bin/newuidmap || exit 99
        shift
        exec "$@"' sh "$WORK/not-newuidmap" setpriv --reuid="$TU" --regid="$TU" --init-groups \
        env HOME="$WORK/home" CONGO_STATE_DIR="$RL/state" "$RL_CONGO" "$p" 2>&1)
    status=$?
    expect_eq 125 "$status" "status with newuidmap hidden" || { echo "$out"; return 1; }
    case $out in
    *"newuidmap is missing or not setuid root"*"apt-get install uidmap"*) ;;
    *) echo "the message does not name newuidmap and its package: $out"; return 1 ;;
    esac
}
name="rootless with a range but no usable newuidmap: 125 for user app, naming the helper and its package"
if [ -u /usr/bin/newuidmap ] && [ -u /usr/bin/newgidmap ]; then
    tu "$name" rl_helper_missing
else
    skip "$name" "newuidmap and newgidmap are not setuid root (package uidmap; scripts/deps.sh installs it)"
fi

# without_range CMD...: CMD while the test user has no subordinate range.
without_range() {
    range=$SUB-$((SUB + COUNT - 1))
    usermod --del-subuids "$range" --del-subgids "$range" "$TU" || return 1
    "$@"
    r=$?
    usermod --add-subuids "$range" --add-subgids "$range" "$TU" || return 1
    return $r
}

rl_no_range() {
    if grep -q "^$TU:" /etc/subuid /etc/subgid; then
        echo "$TU still has ranges:"
        grep "^$TU:" /etc/subuid /etc/subgid
        return 1
    fi
    p=$(rl_profile rl-plain.yaml <<EOF
rootfs: $RL_ROOTFS
command: ["/bin/sh", "-c", "cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; cat /proc/self/setgroups; id -u"]
EOF
)
    out=$(as_user "$RL_CONGO" "$p" 2>&1) || { echo "$out"; return 1; }
    expect_eq "$(map_text 0 "$TUID" 1)
--
$(map_text 0 "$TGID" 1)
--
deny
0" "$out" "maps, setgroups and uid without a subordinate range" || return 1
    out=$(as_user "$RL_CONGO" --set user=app "$p" 2>&1)
    status=$?
    expect_eq 125 "$status" "status of user: app without a range" || { echo "$out"; return 1; }
    case $out in
    *"usermod --add-subuids"*) ;;
    *) echo "the message does not give the usermod command: $out"; return 1 ;;
    esac
}
tu "rootless without a range: uid_map 0 UID 1 only, setgroups deny; user: app is 125 naming usermod --add-subuids" \
    without_range rl_no_range

# runs_all N PROFILE: N rootless runs of PROFILE in a row, every one 0.
runs_all() {
    i=0
    while [ "$i" -lt "$1" ]; do
        i=$((i + 1))
        out=$(as_user "$RL_CONGO" "$2" 2>&1) || { echo "run $i of $1: $out"; return 1; }
    done
}

# Without a range the launcher writes setgroups and the maps itself, with
# newuidmap the helpers do: both need the child's /proc/PID to be the
# user's, which it is not once the child is non-dumpable. The child stays
# dumpable until then; were it not, about one run in three failed with
# "open /proc/PID/setgroups: Permission denied".
rl_every_time() {
    p=$(rl_profile rl-true.yaml <<EOF
rootfs: $RL_ROOTFS
command: [/bin/true]
EOF
)
    if [ -u /usr/bin/newuidmap ] && [ -u /usr/bin/newgidmap ]; then
        runs_all 20 "$p" || { echo "(with a range)"; return 1; }
    fi
    without_range runs_all 20 "$p" || { echo "(without a range)"; return 1; }
}
tu "rootless runs start every time: 20 in a row with a range, 20 without" rl_every_time

rl_limits() {
    p=$(rl_profile rl-limit.yaml <<EOF
rootfs: $RL_ROOTFS
command: [/bin/true]
EOF
)
    out=$(as_user "$RL_CONGO" --set limits.pids=20 "$p" 2>&1)
    status=$?
    expect_eq 125 "$status" "status with limits.pids" || { echo "$out"; return 1; }
    case $out in
    *limits.pids*delegated*) ;;
    *) echo "the message does not name limits.pids and delegation: $out"; return 1 ;;
    esac
    out=$(as_user "$RL_CONGO" "$p" 2>&1) || { echo "without limits: $out"; return 1; }
}
name="rootless on a v1/hybrid host: limits.pids is 125 naming the key and delegation; without limits it runs"
if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
    tu "$name" rl_limits
else
    skip "$name" "a cgroup v2 host, where delegation decides whether a limit holds"
fi

# user.max_user_namespaces is per user namespace: 0 is set in one the test
# makes (ids mapped to themselves), never on the host, and the test user
# runs congo-launch in there.
cat >"$WORK/nested-wait.sh" <<'EOF'
# In a new user namespace: wait for the maps, then become its root (the exec).
i=0
until grep -q . /proc/self/uid_map && grep -q . /proc/self/gid_map; do
    i=$((i + 1))
    [ $i -lt 400 ] || exit 99
    sleep 0.05
done
exec sh "$@"
EOF
cat >"$WORK/nested-run.sh" <<'EOF'
echo 0 >/proc/sys/user/max_user_namespaces || exit 98
[ "$(cat /proc/sys/user/max_user_namespaces)" = 0 ] || exit 97
[ $# = 0 ] && exit 0
exec "$@"
EOF
# in_nested_ns CMD...: CMD in a user namespace whose user.max_user_namespaces is 0.
in_nested_ns() {
    unshare --user sh "$WORK/nested-wait.sh" "$WORK/nested-run.sh" "$@" &
    pid=$!
    i=0
    until [ "$(readlink "/proc/$pid/ns/user" 2>/dev/null)" != "$(readlink /proc/self/ns/user)" ]; do
        i=$((i + 1))
        if [ "$i" -gt 400 ] || [ ! -d "/proc/$pid" ]; then break; fi
        sleep 0.05
    done
    echo '0 0 4294967295' >"/proc/$pid/uid_map" 2>/dev/null
    echo '0 0 4294967295' >"/proc/$pid/gid_map" 2>/dev/null
    wait "$pid"
}
nested_missing=
if [ -z "$user_missing" ]; then
    in_nested_ns >"$WORK/nested.out" 2>&1 ||
        nested_missing="this kernel does not let the test set user.max_user_namespaces in a user namespace of its own: $(head -n 2 "$WORK/nested.out")"
fi

rl_userns_disabled() {
    host_max=$(cat /proc/sys/user/max_user_namespaces)
    p=$(rl_profile rl-disabled.yaml <<EOF
rootfs: $RL_ROOTFS
command: ["/bin/echo", "ran"]
EOF
)
    out=$(in_nested_ns setpriv --reuid="$TU" --regid="$TU" --init-groups \
        env HOME="$WORK/home" CONGO_STATE_DIR="$RL/state" "$RL_CONGO" "$p" 2>&1)
    status=$?
    expect_eq "$host_max" "$(cat /proc/sys/user/max_user_namespaces)" "the host's user.max_user_namespaces" || return 1
    expect_eq 125 "$status" "status with user.max_user_namespaces 0" || { echo "$out"; return 1; }
    case $out in
    *ran*) echo "the command ran: $out"; return 1 ;;
    *user.max_user_namespaces*) ;;
    *) echo "the message does not name user.max_user_namespaces: $out"; return 1 ;;
    esac
}
name="rootless with user.max_user_namespaces 0: 125 naming the sysctl"
if [ -n "$nested_missing" ]; then skip "$name" "$nested_missing"; else tu "$name" rl_userns_disabled; fi

# congo-oci as a user other than root, as Slurm runs it: a bundle from
# `congo-oci spec --rootless` (as runc's: a user namespace of the caller's
# own ids alone, the host's /sys bound in, no network namespace) through run, then
# create, start, state, exec, ps, kill and delete; the entries are in the
# --root the user gave, and nothing is left.
rl_oci() {
    b=$RL/bundle
    rm -rf "$b" "$RL/oci"
    mkdir -p "$b" "$RL/oci"
    chown "$TU:$TU" "$b" "$RL/oci"
    ln -sf "$RL_CONGO" "$RL/congo-oci"
    as_user sh -c "cd '$b' && '$RL/congo-oci' spec --rootless" || return 1
    python3 - "$b/config.json" "$RL_ROOTFS" <<'EOF' || return 1
import json, sys
path, root = sys.argv[1], sys.argv[2]
c = json.load(open(path))
c["root"] = {"path": root, "readonly": True}
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sh", "-c", "id -u; tr -s ' ' </proc/self/uid_map; cat /proc/self/setgroups"]
json.dump(c, open(path, "w"))
EOF
    oci() { as_user "$RL/congo-oci" --root "$RL/oci" "$@"; }
    out=$(oci run --bundle "$b" r1 </dev/null 2>&1) || { echo "run: $out"; return 1; }
    expect_eq "0
$(map_text 0 "$TUID" 1 | tr -s ' ')
deny" "$out" "the command's uid, uid_map and setgroups under congo-oci run" || return 1
    python3 - "$b/config.json" <<'EOF' || return 1
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["args"] = ["/bin/sleep", "60"]
json.dump(c, open(sys.argv[1], "w"))
EOF
    oci create --bundle "$b" c1 </dev/null >/dev/null 2>&1 || { echo "create failed"; return 1; }
    st=$(oci state c1 | sed -n 's/.*"status": "\([a-z]*\)".*/\1/p')
    expect_eq created "$st" "status after create" || return 1
    oci start c1 || return 1
    st=$(oci state c1 | sed -n 's/.*"status": "\([a-z]*\)".*/\1/p')
    expect_eq running "$st" "status after start" || return 1
    out=$(oci exec c1 /bin/sh -c 'id -u; tr -s " " </proc/self/uid_map' 2>&1)
    expect_eq "0
$(map_text 0 "$TUID" 1 | tr -s ' ')" "$out" "congo-oci exec: in the container's user namespace" || return 1
    first=$(oci state c1 | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
    oci exec -d c1 /bin/sleep 60 || return 1
    n=$(oci ps c1 | tail -n +2 | wc -l)
    expect_eq 2 "$n" "congo-oci ps: the command and the exec'd process, without a cgroup" || return 1
    oci kill --all c1 KILL || return 1
    i=0
    while kill -0 "$first" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$first/stat" 2>/dev/null)" != Z ] &&
        [ $i -lt 100 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    oci delete --force c1 || return 1
    expect_eq "" "$(ls -A "$RL/oci")" "congo-oci entries left"
}
tu "congo-oci rootless, as Slurm runs it: spec --rootless, run, create/start/exec/ps/kill/delete" rl_oci

# The rootless attacks: container root is the test user, asking for every
# capability of its namespace (see rl_root_caps) and no
# seccomp filter. What guards the host is the user namespace: the host's
# root and its files are unmapped, and capabilities there are the
# namespace's. Run as root with `user_namespace: host`, the same profile
# reads the secret, writes in the directory and makes device nodes.
RL_ATTACK=$(rl_profile rl-attack.yaml <<EOF
rootfs: $RL_ROOTFS
capabilities: {add: [ALL]}
seccomp: unconfined
command: [/bin/true]
EOF
)

rl_write_rootdir() {
    host_dir rl-host-write
    before=$(tree_sum "$HOSTDIR")
    out=$(as_user "$RL_CONGO" --set "mounts=[\"$HOSTDIR:/hostdir\"]" "$RL_ATTACK" -- /bin/sh -c '
        touch /hostdir/new 2>/dev/null && echo "made /hostdir/new"
        mkdir /hostdir/newdir 2>/dev/null && echo "made /hostdir/newdir"
        { echo evil >/hostdir/secret; } 2>/dev/null && echo "overwrote /hostdir/secret"
        rm -f /hostdir/secret 2>/dev/null && echo "removed /hostdir/secret"
        chmod 0777 /hostdir 2>/dev/null && echo "chmod /hostdir"
        exit 0' 2>&1) || { echo "$out"; return 1; }
    expect_eq "" "$out" "what rootless container root did to a root-owned 0755 host dir bound rw" || return 1
    expect_eq "$before" "$(tree_sum "$HOSTDIR")" "the host directory"
}
tu "ROOTLESS ATTACK: nothing can be written in a root-owned 0755 host dir bound rw" rl_write_rootdir

rl_read_secret() {
    host_dir rl-host-read
    out=$(as_user "$RL_CONGO" --set "mounts=[\"$HOSTDIR:/hostdir\"]" "$RL_ATTACK" -- /bin/sh -c 'cat /hostdir/secret 2>&1; exit 0' 2>&1) || { echo "$out"; return 1; }
    expect_eq "cat: can't open '/hostdir/secret': Permission denied" "$out" "reading a root-only 0600 host file"
}
tu "ROOTLESS ATTACK: a root-only 0600 host file bound in cannot be read (EACCES)" rl_read_secret

rl_mknod() {
    share=$RL/share
    out=$(as_user "$RL_CONGO" --set "mounts=[\"$share:/share\"]" "$RL_ATTACK" -- /bin/sh -c '
        for d in /share /tmp /; do mknod $d/mem c 1 1 2>/dev/null && echo "made $d/mem"; done
        exit 0' 2>&1) || { echo "$out"; return 1; }
    expect_eq "" "$out" "device nodes rootless container root made" || return 1
    [ ! -e "$share/mem" ] || { echo "$share/mem is on the host"; return 1; }
}
tu "ROOTLESS ATTACK: mknod fails in a bind, /tmp and the root; no node reaches the host" rl_mknod

# Root of a rootless container holds the default capability set in its own
# namespace (podman's rootless root does): chown and the like work there,
# although the launcher itself holds no capability on the host.
rl_root_caps() {
    bnd=$(as_user awk '/^CapBnd/ {print $2}' /proc/self/status)
    want=$(printf '%016x' $((0xa00425fb & 0x$bnd)))
    p=$(rl_profile rl-caps.yaml <<EOF
rootfs: $RL_ROOTFS
command: ["/bin/sh", "-c", "grep ^CapEff /proc/self/status | cut -f2; touch /tmp/f && chown 1000:1000 /tmp/f && stat -c %u:%g /tmp/f"]
EOF
)
    out=$(as_user "$RL_CONGO" "$p" 2>&1) || { echo "$out"; return 1; }
    expect_eq "$want
1000:1000" "$out" "CapEff of rootless container root, and a chown to app"
}
tu "rootless container root holds the default capabilities in its namespace: chown to app works" rl_root_caps

# Hooks and devices for a user other than root: the host's hooks run as the
# user, create_container as the container's root in its user namespace,
# start_container as its user; device_rules need a device cgroup, root's alone.
rl_hooks() {
    share=$(fresh_share rl-hooks)
    printf '#!/bin/sh\nprintf "%%s %%s\\n" "$1" "$(id -u)" >>%s/log\n' "$share" >"$share/log.sh"
    chmod 0755 "$share/log.sh"
    p=$(rl_profile rl-hooks.yaml <<EOF
rootfs: $RL_ROOTFS
user: app
command: [/bin/sh, -c, 'cat /made; cat /tmp/started']
hooks:
  create_runtime: [{path: $share/log.sh, args: [log, create_runtime]}]
  create_container: [{path: /bin/sh, args: [sh, -c, 'id -u >./made']}]
  start_container: [{path: /bin/sh, args: [sh, -c, 'id -u >/tmp/started']}]
  poststop: [{path: $share/log.sh, args: [log, poststop]}]
EOF
)
    out=$(as_user "$RL_CONGO" "$p" 2>&1) || { echo "$out"; return 1; }
    expect_eq "0
1000" "$out" "create_container as the container's root, start_container as app" || return 1
    expect_eq "create_runtime $TUID
poststop $TUID" "$(cat "$share/log")" "the host's hooks, as $TU" || return 1
    printf 'device_rules: ["c 10:200 rwm"]\n' >>"$p"
    out=$(as_user "$RL_CONGO" "$p" 2>&1)
    expect_eq 125 $? "status with device_rules" || return 1
    expect_eq "congo-launch: device_rules: a device cgroup is root's alone to make: a user's container gets its devices' nodes whole (access rwm) and no device_rules" \
        "$out"
}
tu "rootless: hooks run as the user, in the container as its root and as app; device_rules refused" \
    rl_hooks

user_removed() {
    [ -n "$TUID" ] || { echo "no test user was made"; return 0; }
    remove_user
    id "$TU" >/dev/null 2>&1 && { echo "$TU is still there"; return 1; }
    left=$(grep -E "^($TU|$TUID):" /etc/subuid /etc/subgid)
    [ -z "$left" ] || { echo "ranges left: $left"; return 1; }
    [ ! -e "$WORK/home" ] || { echo "$WORK/home is left"; return 1; }
    left=$(ps -e -o uid=,pid=,args= | awk -v u="$TUID" '$1 == u')
    [ -z "$left" ] || { echo "processes of uid $TUID left: $left"; return 1; }
}
t "the test user, its home, processes and subordinate ranges are gone" user_removed

finish
