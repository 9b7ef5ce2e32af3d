#!/bin/sh
# What a hostile container cannot do (issue 5): each test is an attack made
# from inside a container that runs as root, or from the host side of a
# layer, and asserts what the attacker sees and that the host is untouched.
# The behaviours, in the issue's order: 1 fds, 2 bind targets, 3 symlinked
# /proc and /dev, 4 masked and read-only paths and devices, 5 the launcher's
# binary and the init, 6 capabilities and setuid, 7 the caller's terminal,
# 8 seccomp, 9 rlimits; and 10, what a bind lets through (setuid programs
# and device nodes).
#
# System calls busybox cannot make come from small static programs in
# tests/integration/attack/, compiled here into a layer of their own.
. "$(dirname "$0")/lib.sh"

plan 44

ATTACK=$SRCDIR/tests/integration/attack

# --- the attack programs, in a layer (static: the busybox root has no libc) ---

LAYER=$WORK/attack-layer
helpers_missing=$(attack_programs "$LAYER/usr/local/bin" probe euid exewrite)
[ -n "$helpers_missing" ] || gcc -O1 -o "$WORK/swap" "$ATTACK/swap.c" >"$WORK/gcc.log" 2>&1 ||
    helpers_missing="gcc cannot build swap.c: $(head -n 3 "$WORK/gcc.log")"
if [ -z "$helpers_missing" ]; then
    # A setuid-root program in the image, as an attacker would ship one.
    cp "$LAYER/usr/local/bin/euid" "$LAYER/usr/local/bin/su-test"
    chown 0:0 "$LAYER/usr/local/bin/su-test"
    chmod 4755 "$LAYER/usr/local/bin/su-test"
fi

# tc NAME CMD...: a test that needs the attack programs; SKIP without them.
tc() {
    t_unless "$helpers_missing" "$@"
}

# A fingerprint of a tree on the host: every path, type, size, mode and mtime.
tree_sum() {
    find "$@" -printf '%p %y %s %m %T@ %l\n' | sort | md5sum
}

# The launcher's pid -> its child (the container's init, or its only process).
child_of() {
    ps -e -o pid= -o ppid= | awk -v p="$1" '$2 == p {print $1; exit}'
}

# wait_for FILE PATTERN: poll up to 20 s (a loaded machine) for PATTERN in FILE.
wait_for() {
    i=0
    while ! grep -q "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -le 400 ] || { echo "no \"$2\" in $1 after 20 s:"; cat "$1"; return 1; }
        sleep 0.05
    done
}

# A host directory the caller holds open by accident, with a secret in it.
LEAK=$WORK/leak-dir
mkdir -p "$LEAK"
echo host-secret >"$LEAK/host-secret"

# ===== 1. file descriptors =====

fds_leaked_root() {
    out=$(
        exec 9</ 8<"$LEAK"
        ctr -- /bin/sh -c '
            ls /proc/self/fd | tr "\n" " "
            for n in 8 9; do
                [ -e /proc/self/fd/$n ] && echo "fd $n is open"
                cat /proc/self/fd/$n/host-secret /proc/self/fd/$n/etc/hostname 2>/dev/null
            done
            exit 0'
    ) || return 1
    # 3 is ls's own handle on the directory.
    expect_eq "0 1 2 3 " "$out" "the command's fds, with the caller leaking fds 8 and 9 (/ of the host)"
}
t "only fds 0-2 reach the command when the caller leaks an fd to the host's /" fds_leaked_root

fds_via_init() {
    out=$(
        exec 9<"$LEAK"
        ctr -- /bin/sh -c '
            cat /proc/1/fd/9/host-secret 2>/dev/null
            cd /proc/1/fd/9 2>/dev/null && echo "entered /proc/1/fd/9"
            readlink /proc/1/fd/9 2>/dev/null
            exit 0'
    ) || return 1
    expect_eq "" "$out" "what the command reached through the init's /proc/1/fd"
}
t "the command cannot reach a leaked fd through the init (/proc/1/fd/9)" fds_via_init

# CVE-2024-21626: a workdir through /proc/self/fd/N of a fd the launcher
# still holds would start the command, or make the workdir, on the host.
# workdir_refused WORKDIR [STDIN]: 125, nothing runs, the host directory unchanged.
workdir_refused() {
    before=$(tree_sum "$LEAK")
    out=$(
        exec 9<"$LEAK"
        ctr --workdir "$1" -- /bin/sh -c 'echo escaped >escaped; echo "ran in $(pwd)"' <"${2:-/dev/null}" 2>&1
    )
    status=$?
    expect_eq "$before" "$(tree_sum "$LEAK")" "the host directory behind the fd, after --workdir $1" || { echo "$out"; return 1; }
    expect_eq 125 "$status" "status with --workdir $1" || { echo "$out"; return 1; }
    case $out in
    *ran*) echo "the command ran: $out"; return 1 ;;
    *workdir*) ;;
    *) echo "the message does not name the workdir: $out"; return 1 ;;
    esac
}

workdir_fd9() {
    workdir_refused /proc/self/fd/9 || return 1
    workdir_refused /proc/self/fd/9/made-by-the-container
}
t "a workdir through /proc/self/fd/9 (a leaked host dir), or below it, is refused: 125, the host dir untouched" workdir_fd9

workdir_fd0() {
    workdir_refused /proc/self/fd/0 "$LEAK" || return 1
    workdir_refused /proc/self/fd/0/made-by-the-container "$LEAK"
}
t "a workdir through /proc/self/fd/0 (stdin a host dir), or below it, is refused: 125, the host dir untouched" workdir_fd0

# ===== 2. bind targets =====
# A layer holds symlinks that lead out of the root when followed on the host,
# in each shape: absolute, relative, dangling, and aimed at the host's tree as
# congo's own setup sees it (/oldroot). A bind on LINK/made-here must land
# where the link leads inside the container (so the container sees it there),
# or be refused; the host's directories and mounts never change.

mkdir -p "$WORK/bind-src" "$WORK/hostdir/sub"
echo "marker-$$" >"$WORK/bind-src/marker"
echo host-file >"$WORK/hostdir/host-file"
EVIL=$WORK/evil-layer
mkdir -p "$EVIL/oldroot$WORK/hostdir" "$EVIL/deep/er"
ln -s "$WORK/hostdir" "$EVIL/abs-host"
ln -s "/oldroot$WORK/hostdir" "$EVIL/abs-oldroot"
ln -s "../../../../../../../../../..$WORK/hostdir" "$EVIL/rel-host"
ln -s "../../../../../../../../../../oldroot$WORK/hostdir" "$EVIL/rel-oldroot"
ln -s "../../../../../../../../../../oldroot$WORK/hostdir" "$EVIL/deep/er/rel-oldroot"
ln -s "$WORK/nowhere" "$EVIL/dangling"
ln -s "../../../../../../../../../../oldroot$WORK/nowhere" "$EVIL/dangling-rel"

# bind_inside LINK: the bind on /LINK/made-here is refused, or seen there inside.
bind_inside() {
    before=$(tree_sum "$WORK/hostdir")
    out=$(ctr --layers "$EVIL" --mount "$WORK/bind-src:/$1/made-here" -- /bin/cat "/$1/made-here/marker" 2>&1)
    status=$?
    expect_eq "$before" "$(tree_sum "$WORK/hostdir")" "the host directory $WORK/hostdir after a bind on /$1/made-here" || return 1
    [ ! -e "$WORK/nowhere" ] || { echo "$WORK/nowhere was made on the host"; return 1; }
    case $status:$out in
    0:"marker-$$") ;;
    125:*) ;;
    *) echo "/$1/made-here: status $status, the container sees [$out] instead of the bind"; return 1 ;;
    esac
}

binds_through_links() {
    mounts=$(host_mounts)
    for link in abs-host abs-oldroot rel-host rel-oldroot deep/er/rel-oldroot; do
        bind_inside "$link" || return 1
    done
    # Where the link leads inside exists (the layer has it): the bind must be there.
    out=$(ctr --layers "$EVIL" --mount "$WORK/bind-src:/rel-oldroot/made-here" -- \
        /bin/cat "/oldroot$WORK/hostdir/made-here/marker") || return 1
    expect_eq "marker-$$" "$out" "the bind, seen where the link leads inside the container" || return 1
    expect_eq "$mounts" "$(host_mounts)" "the host's mount table"
}
t "binds through absolute and relative symlinks out of the root land inside (or are refused)" binds_through_links

binds_dangling() {
    for link in dangling dangling-rel; do
        bind_inside "$link" || return 1
    done
}
t "binds through dangling symlinks never make the missing host path" binds_dangling

binds_dotdot() {
    before=$(tree_sum "$WORK/hostdir")
    for target in "/../../../..$WORK/hostdir/dotdot" "/home/../../..$WORK/hostdir/dotdot" "/oldroot/..$WORK/hostdir/dotdot"; do
        out=$(ctr --mount "$WORK/bind-src:$target" -- /bin/cat "$target/marker" 2>&1)
        status=$?
        case $status:$out in
        0:"marker-$$" | 125:*) ;;
        *) echo "$target: status $status, output [$out]"; return 1 ;;
        esac
    done
    expect_eq "$before" "$(tree_sum "$WORK/hostdir")" "the host directory $WORK/hostdir"
}
t "bind targets with .. never leave the root" binds_dotdot

# CVE-2021-30465: while containers start, the host swaps a directory with
# symlinks out of the root, atomically and as fast as it can, in two places:
# a layer (whose lookups the overlay caches per container) and a shared
# volume bound into the container (live: the shape of the CVE), with a second
# bind whose target goes through the volume. Every one of 200 launches must
# mount inside (the container sees both binds) or refuse; the host directory
# the symlinks lead to and the host's mounts never change.
RACE_RUNS=200
bind_race() {
    RACE=$WORK/race-layer
    SHARED=$WORK/shared-volume
    mkdir -p "$RACE/vol/sub" "$SHARED/d" "$WORK/race-host/sub/new"
    echo host-file >"$WORK/race-host/sub/new/host-file"
    ln -s "../../../../../../../../../../oldroot$WORK/race-host" "$RACE/vol-rel"
    ln -s "/oldroot$WORK/race-host" "$RACE/vol-abs"
    ln -s "$WORK/race-host" "$RACE/vol-host"
    ln -s "../../../../../../../../../../oldroot$WORK/race-host/sub" "$SHARED/d-rel"
    ln -s "/oldroot$WORK/race-host/sub" "$SHARED/d-abs"
    before=$(tree_sum "$WORK/race-host")
    mounts=$(host_mounts)
    "$WORK/swap" 120 "$RACE" vol vol-rel vol-abs vol-host >"$WORK/swap-layer.out" 2>&1 &
    swap_layer=$!
    "$WORK/swap" 120 "$SHARED" d d-rel d-abs >"$WORK/swap-volume.out" 2>&1 &
    swap_volume=$!
    i=0 inside=0 refused=0 bad=
    while [ "$i" -lt "$RACE_RUNS" ]; do
        i=$((i + 1))
        # The volume keeps changing while the command runs: it looks until it finds the directory.
        out=$(ctr --layers "$RACE" --mount "$WORK/bind-src:/vol/sub/new" --mount "$SHARED:/shared" \
            --mount "$WORK/bind-src:/shared/d/new" -- /bin/sh -c '
                cat /vol/sub/new/marker
                i=0
                until cat /shared/d/new/marker 2>/dev/null; do
                    i=$((i + 1))
                    [ $i -lt 300 ] || { echo "no bind at /shared/d/new"; exit 1; }
                done' 2>&1)
        status=$?
        case $status:$out in
        0:"marker-$$
marker-$$") inside=$((inside + 1)) ;;
        125:*) refused=$((refused + 1)) ;;
        *) bad="run $i: status $status, the container sees [$out] instead of the binds"; break ;;
        esac
    done
    kill "$swap_layer" "$swap_volume" 2>/dev/null
    wait "$swap_layer" "$swap_volume" 2>/dev/null
    echo "runs: $i, binds inside: $inside, refused: $refused"
    [ -z "$bad" ] || { echo "$bad"; return 1; }
    expect_eq "$before" "$(tree_sum "$WORK/race-host")" "the host directory the symlinks lead to" || return 1
    expect_eq "$mounts" "$(host_mounts)" "the host's mount table" || return 1
    # The race was real: both states were met.
    if [ "$inside" = 0 ] || [ "$refused" = 0 ]; then
        echo "the launches met only one state: the race did not happen"
        return 1
    fi
}
tc "dirs swapped with symlinks to the host (in a layer, in a shared volume) during $RACE_RUNS launches never mount outside" bind_race

# ===== 3. a rootfs whose /proc or /dev is a symlink =====

# A copy of the test root with one directory replaced by a symlink into itself.
link_root() { # link_root NAME DIR
    cp -a "$ROOTFS" "$WORK/$1"
    rm -rf "${WORK:?}/$1/$2"
    ln -s /run "$WORK/$1/$2"
}
link_root root-proc-link proc
link_root root-dev-link dev
mkdir -p "$WORK/layer-proc-link"
ln -s /run "$WORK/layer-proc-link/proc"

# refused_link ROOT [RUN OPTIONS]: 125, nothing runs, the message says symlink.
refused_link() {
    root=$1
    shift
    out=$("$CONGO" run "$root" - - - - "$@" -- /bin/echo ran 2>&1)
    status=$?
    expect_eq 125 "$status" "status" || { echo "$out"; return 1; }
    case $out in
    *ran*) echo "the command ran: $out"; return 1 ;;
    *symlink*) ;;
    *) echo "the message does not say symlink: $out"; return 1 ;;
    esac
}
t "a rootfs whose /proc is a symlink is refused (125, says symlink)" refused_link "$WORK/root-proc-link"
t "a rootfs whose /dev is a symlink is refused (125, says symlink)" refused_link "$WORK/root-dev-link"
t "a layer that turns /proc into a symlink is refused (125, says symlink)" refused_link "$ROOTFS" --layers "$WORK/layer-proc-link"

# ===== 4. masked and read-only paths, devices =====

masked_empty() {
    out=$(ctr -- /bin/sh -c '
        for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats \
            /proc/timer_stats /proc/interrupts; do
            [ -e $f ] || continue
            if n=$(wc -c <$f 2>/dev/null); then echo "$f $n"; else echo "$f unreadable"; fi
        done
        for d in /proc/acpi /proc/scsi /sys/firmware; do
            [ -e $d ] && echo "$d $(ls -A $d | wc -l)"
        done
        exit 0') || return 1
    echo "$out" | grep -Eq '^/proc/(timer_list|interrupts) ' ||
        { echo "neither /proc/timer_list nor /proc/interrupts exists: $out"; return 1; }
    bad=$(echo "$out" | grep -v ' 0$')
    expect_eq "" "$bad" "masked paths that are not empty"
}
t "masked /proc files read empty (/proc/kcore, /proc/keys, /proc/timer_list...) and masked dirs are empty" masked_empty

proc_readonly() {
    for caps in "" "--cap-add SYS_ADMIN"; do
        # sysrq-trigger is opened for writing and never written: nothing is triggered even if it opens.
        # shellcheck disable=SC2086
        out=$(ctr $caps -- /bin/sh -c '
            { echo evil >/proc/sys/kernel/domainname; } 2>/dev/null && echo "wrote /proc/sys/kernel/domainname"
            (exec 3>>/proc/sysrq-trigger) 2>/dev/null && echo "opened /proc/sysrq-trigger for writing"
            mount -o remount,rw /proc/sys 2>/dev/null && echo "remounted /proc/sys"
            { echo evil >/proc/sys/kernel/domainname; } 2>/dev/null && echo "wrote /proc/sys/kernel/domainname"
            exit 0') || return 1
        expect_eq "" "$out" "writes to /proc/sys and /proc/sysrq-trigger${caps:+ with $caps}" || return 1
    done
}
t "/proc/sys and /proc/sysrq-trigger are read-only (even with SYS_ADMIN)" proc_readonly

umount_mask() {
    for caps in "" "--cap-add SYS_ADMIN"; do
        # shellcheck disable=SC2086
        out=$(ctr $caps -- /bin/sh -c '
            for f in /proc/kcore /proc/keys /proc/timer_list /proc/interrupts; do
                [ -e $f ] || continue
                umount $f 2>/dev/null && echo "unmounted $f"
                umount -l $f 2>/dev/null && echo "detached $f"
                n=$(wc -c <$f 2>/dev/null) || n=unreadable
                [ "$n" = 0 ] || echo "$f: $n bytes"
            done
            exit 0') || return 1
        expect_eq "" "$out" "umount of the masks${caps:+ with $caps}" || return 1
    done
}
t "umount of a mask is refused (even with SYS_ADMIN) and the file stays empty" umount_mask

# The first block device of the host: reading it from inside would read the host's disk.
blk=$(ls /sys/dev/block 2>/dev/null | head -n 1)
[ -n "$blk" ] || blk=8:0
DEVLAYER=$WORK/dev-layer
mkdir -p "$DEVLAYER/srv"
mknod "$DEVLAYER/srv/disk" b "${blk%:*}" "${blk#*:}"
devices_refused() {
    # With MKNOD (not in the default set) the nodes are made; nodev keeps them shut.
    out=$(ctr --layers "$DEVLAYER" --cap-add MKNOD -- /bin/sh -c "
        find /dev -type b | sed 's/^/visible: /'
        for d in /tmp /dev /dev/shm /; do
            mknod \$d/blk-x b ${blk%:*} ${blk#*:} 2>&1 || continue
            head -c 512 \$d/blk-x >/dev/null 2>&1 && echo \"read the host's disk through \$d/blk-x\"
        done
        head -c 512 /srv/disk >/dev/null 2>&1 && echo \"read the host's disk through a node in the image\"
        exit 0") || return 1
    expect_eq "" "$out" "block devices ($blk) seen or opened"
}
t "mknod'd block devices and device nodes in the image cannot be opened; /dev shows no block device" devices_refused

cgroup_readonly() {
    out=$(ctr -- /bin/sh -c '
        [ -n "$(ls /sys/fs/cgroup)" ] || echo "/sys/fs/cgroup is empty"
        for d in /sys/fs/cgroup /sys/fs/cgroup/*; do
            mkdir $d/congo-attack 2>/dev/null && { echo "made a cgroup in $d"; rmdir $d/congo-attack; }
        done
        for f in /sys/fs/cgroup/cgroup.procs /sys/fs/cgroup/*/cgroup.procs; do
            [ -e $f ] || continue
            { echo $$ >$f; } 2>/dev/null && echo "wrote $f"
        done
        exit 0') || return 1
    expect_eq "" "$out" "writes below /sys/fs/cgroup"
}
t "/sys/fs/cgroup is read-only" cgroup_readonly

# ===== 5. the launcher's binary (CVE-2019-5736) and the init =====
# The attacks run against a copy of congo-launch, so the build is never hurt.

LAUNCH=$WORK/congo-launch
cp "$CONGO" "$LAUNCH"
sum_before=$(sha256sum <"$LAUNCH")
lrun() { "$LAUNCH" run "$ROOTFS" - - - - "$@"; }

exe_shell_attack() {
    out=$(lrun -- /bin/sh -c '
        cat /proc/1/exe >/dev/null 2>&1 && echo "read /proc/1/exe"
        { echo x >/proc/1/exe; } 2>/dev/null && echo "wrote /proc/1/exe"
        { echo x >>/proc/1/exe; } 2>/dev/null && echo "appended to /proc/1/exe"
        readlink /proc/1/exe 2>/dev/null && echo "resolved /proc/1/exe"
        ls -l /proc/1/exe 2>/dev/null | grep -q -- "->" && echo "ls -l shows where /proc/1/exe leads"
        for f in /proc/1/fd/*; do readlink $f >/dev/null 2>&1 && echo "resolved $f"; done
        cat /proc/1/environ >/dev/null 2>&1 && echo "read /proc/1/environ"
        cp /bin/busybox /proc/1/exe 2>/dev/null && echo "copied over /proc/1/exe"
        exit 0') || return 1
    expect_eq "" "$out" "what root in the container did to /proc/1" || return 1
    expect_eq "$sum_before" "$(sha256sum <"$LAUNCH")" "sha256 of the launcher's binary"
}
t "root inside cannot read, resolve or write /proc/1/exe, nor resolve /proc/1/fd/*; the binary is unchanged" exe_shell_attack

exe_loop_attack() {
    # With the pid namespace, /proc/1 is the init; without it, the init and the
    # launcher itself are the command's parent and grandparent.
    for ns in "" "--namespaces pid=false"; do
        # shellcheck disable=SC2086
        out=$(lrun --layers "$LAYER" $ns -- /bin/sh -c '
            ppid() { sed "s/.*) //" /proc/$1/stat | cut -d" " -f2; }
            init=$(ppid $$)
            launcher=$(ppid "$init")
            set -- /proc/1/exe /proc/self/exe /proc/$init/exe
            [ "$launcher" != 0 ] && set -- "$@" /proc/$launcher/exe
            exewrite 700 "$@"') || return 1
        # Its own binary (/proc/self/exe) it may read; nothing may be written.
        bad=$(echo "$out" | grep -E 'WROTE|^/proc/[0-9]+/exe .*READ')
        [ -z "$bad" ] || { echo "${ns:-with the pid namespace}: $out"; return 1; }
    done
    expect_eq "$sum_before" "$(sha256sum <"$LAUNCH")" "sha256 of the launcher's binary"
}
tc "opening the launcher's binary for writing in a loop while the init lives fails (pid ns on and off); sha256 unchanged" exe_loop_attack

cmdline_hidden() {
    out=$(CONGO_HARDENING_SECRET=s3cr3t-$$ lrun --env VISIBLE=1 -- /bin/sh -c '
        tr "\0" " " </proc/1/cmdline; echo
        tr "\0" " " </proc/1/environ 2>/dev/null; echo' 2>&1) || { echo "$out"; return 1; }
    case $out in
    *"$ROOTFS"* | *s3cr3t* | *VISIBLE* | *run*)
        echo "/proc/1/cmdline or environ shows the launcher's arguments or environment: $out"
        return 1
        ;;
    esac
}
t "/proc/1/cmdline and /proc/1/environ hide the launcher's arguments and environment" cmdline_hidden

init_holds_no_host_fd() {
    (
        exec 9<"$LEAK" 8</
        exec "$LAUNCH" run "$ROOTFS" - - - - -- /bin/sh -c 'echo ready; exec sleep 30'
    ) >"$WORK/init-fds.out" 2>&1 </dev/null &
    pid=$!
    wait_for "$WORK/init-fds.out" ready || { kill "$pid"; wait "$pid"; return 1; }
    init=$(child_of "$pid")
    leak_id=$(stat -c '%d:%i' "$LEAK")
    root_id=$(stat -c '%d:%i' /)
    held=
    for f in /proc/"$init"/fd/*; do
        id=$(stat -L -c '%d:%i' "$f" 2>/dev/null) || continue
        [ "$id" = "$leak_id" ] || [ "$id" = "$root_id" ] || continue
        held="$held ${f##*/} -> $(readlink "$f")"
    done
    kill -TERM "$pid"
    wait "$pid"
    [ -n "$init" ] || { echo "no init found below the launcher $pid"; return 1; }
    expect_eq "" "$held" "fds of the init ($init) open on the caller's leaked directory or the host's /"
}
t "the init holds none of the caller's leaked fds (a host directory, the host's /)" init_holds_no_host_fd

# ===== 6. capabilities, no_new_privileges, setuid =====

# The default set (podman 4's: docker's a80425fb without MKNOD) as far as the launcher holds it.
prm=$(awk '/^CapPrm/ {print $2}' /proc/self/status)
bnd=$(awk '/^CapBnd/ {print $2}' /proc/self/status)
want_caps=$(printf '%016x' $((0xa00425fb & 0x$prm & 0x$bnd)))

caps_of() { # caps_of [RUN OPTIONS]: the Cap lines of a shell in the container, one line
    ctr "$@" -- /bin/sh -c 'grep "^Cap" /proc/self/status' | awk '{printf "%s%s=%s", sep, $1, $2; sep=" "}'
}

caps_default() {
    # The caller passes an inheritable and ambient NET_ADMIN: neither may reach the container.
    if command -v setpriv >/dev/null; then
        out=$(setpriv --inh-caps +net_admin --ambient-caps +net_admin sh -c '
            "$1" run "$2" - - - - -- /bin/sh -c "grep ^Cap /proc/self/status"' sh "$CONGO" "$ROOTFS" |
            awk '{printf "%s%s=%s", sep, $1, $2; sep=" "}')
    else
        out=$(caps_of)
    fi
    expect_eq "CapInh:=0000000000000000 CapPrm:=$want_caps CapEff:=$want_caps CapBnd:=$want_caps CapAmb:=0000000000000000" \
        "$out" "the container's capabilities (the launcher's CapPrm $prm, CapBnd $bnd)"
}
t "root inside has the default set (a00425fb & the launcher's) in CapPrm/CapEff/CapBnd; CapInh, CapAmb 0" caps_default

caps_kill_only() {
    out=$(caps_of --cap-drop ALL --cap-add KILL)
    k=0000000000000020
    expect_eq "CapInh:=0000000000000000 CapPrm:=$k CapEff:=$k CapBnd:=$k CapAmb:=0000000000000000" "$out" "capabilities with --cap-drop ALL --cap-add KILL"
}
t "--cap-drop ALL --cap-add KILL leaves exactly KILL in every set" caps_kill_only

mknod_needs_cap() {
    out=$(ctr -- /bin/sh -c 'mknod /tmp/null-x c 1 3; echo "status $?"' 2>&1)
    expect_eq "mknod: /tmp/null-x: Operation not permitted
status 1" "$out" "mknod as root without MKNOD" || return 1
    out=$(ctr --cap-add MKNOD -- /bin/sh -c 'mknod /tmp/null-x c 1 3 && stat -c %F /tmp/null-x' 2>&1)
    expect_eq "character special file" "$out" "mknod with --cap-add MKNOD"
}
t "root inside cannot mknod (MKNOD is not in the default set); --cap-add MKNOD gives it back" mknod_needs_cap

nnp() {
    out=$(ctr -- /bin/sh -c 'grep ^NoNewPrivs /proc/self/status' | awk '{print $2}')
    expect_eq 1 "$out" "NoNewPrivs by default" || return 1
    out=$(ctr --no-new-privileges=false -- /bin/sh -c 'grep ^NoNewPrivs /proc/self/status' | awk '{print $2}')
    expect_eq 0 "$out" "NoNewPrivs with --no-new-privileges=false"
}
t "NoNewPrivs is 1 by default, 0 with --no-new-privileges=false" nnp

setuid_gains_nothing() {
    out=$(ctr --layers "$LAYER" --user app -- /bin/sh -c 'ls -ln /usr/local/bin/su-test | cut -c1-10; su-test') || return 1
    expect_eq "-rwsr-xr-x
1000 0000000000000000" "$out" "euid and CapEff of a setuid-root program run by app"
}
tc "a setuid-root program run by app stays uid 1000 with no capability (no_new_privileges)" setuid_gains_nothing

setuid_bounded() {
    # Without no_new_privileges setuid works, but grants no more than the bounding set.
    out=$(ctr --layers "$LAYER" --user app --no-new-privileges=false -- su-test) || return 1
    expect_eq "0 $want_caps" "$out" "euid and CapEff of a setuid-root program without no_new_privileges"
}
tc "without no_new_privileges a setuid-root program gets no capability beyond the kept set" setuid_bounded

user_switch_no_caps() {
    zero=0000000000000000
    out=$(caps_of --user app)
    expect_eq "CapInh:=$zero CapPrm:=$zero CapEff:=$zero CapBnd:=$want_caps CapAmb:=$zero" "$out" \
        "capabilities of --user app" || return 1
    # NET_ADMIN (12) and SYS_ADMIN (21) join the bounding set, and still nothing is held.
    bnd_added=$(printf '%016x' $((0x$want_caps | (0x$prm & 0x$bnd & (1 << 12 | 1 << 21)))))
    out=$(caps_of --user app --cap-add NET_ADMIN,SYS_ADMIN)
    expect_eq "CapInh:=$zero CapPrm:=$zero CapEff:=$zero CapBnd:=$bnd_added CapAmb:=$zero" "$out" \
        "capabilities of --user app --cap-add NET_ADMIN,SYS_ADMIN"
}
t "a user switch (--user app) leaves no capability, even with --cap-add" user_switch_no_caps

# ===== 7. the caller's terminal =====

no_caller_session() {
    # Without a terminal on stdin the command runs in a session of its own.
    launcher_sid=$(sed 's/.*) //' /proc/$$/stat | cut -d' ' -f4)
    out=$(ctr --namespaces pid=false -- /bin/sh -c 'sed "s/.*) //" /proc/self/stat | cut -d" " -f4' </dev/null) || return 1
    [ "$out" != "$launcher_sid" ] || { echo "the command is in the launcher's session $launcher_sid"; return 1; }
    out=$(ctr -- /bin/sh -c 'sid=$(sed "s/.*) //" /proc/self/stat | cut -d" " -f4); [ "$sid" != 0 ] && [ -d /proc/$sid ] && echo inside' </dev/null)
    expect_eq inside "$out" "the session leader of the command (pid namespace on)"
}
t "without a terminal on stdin the command is in a new session, led inside the container" no_caller_session

tiocsti_filtered() {
    # On a file that is no terminal the driver would say ENOTTY: EPERM comes from the filter.
    out=$(ctr --layers "$LAYER" --cap-add SYS_ADMIN -- probe tiocsti:/dev/null tiocsti_hi:/dev/null) || return 1
    expect_eq "tiocsti:/dev/null EPERM
tiocsti_hi:/dev/null EPERM" "$out" "ioctl TIOCSTI, and TIOCSTI | 1 << 32"
}
tc "the default filter refuses ioctl TIOCSTI with EPERM, with the request's high bits set too" tiocsti_filtered

# Through a real terminal: tmux panes run the launcher.
tmux_missing=
command -v tmux >/dev/null || tmux_missing="tmux is not installed (scripts/deps.sh installs it)"
[ -n "$tmux_missing" ] || [ -z "$helpers_missing" ] || tmux_missing=$helpers_missing

# tt NAME CMD...: a test that needs tmux (and the attack programs); SKIP without.
tt() {
    if [ -z "$tmux_missing" ]; then
        t "$@"
    else
        n=$((n + 1))
        echo "ok $n - $1 # SKIP $tmux_missing"
    fi
}

SOCK=$WORK/tmux.sock
unset TMUX
tm() { tmux -S "$SOCK" "$@"; }
stop_tmux() {
    [ -n "$tmux_missing" ] || tm kill-server 2>/dev/null
    cleanup_work
}
trap stop_tmux EXIT

screen() { tm capture-pane -p -t "$1" -S - 2>/dev/null; }
# wait_screen PANE PATTERN: poll up to 20 s for a line matching PATTERN (grep -E).
wait_screen() {
    i=0
    while ! screen "$1" | grep -Eq "$2"; do
        i=$((i + 1))
        [ "$i" -le 400 ] || { echo "no line like /$2/ in $1 after 20 s:"; screen "$1" | grep -v '^$'; return 1; }
        sleep 0.05
    done
}
send() { tm send-keys -t "$1" -l "$2" && tm send-keys -t "$1" Enter; }

if [ -z "$tmux_missing" ]; then
    cat >"$WORK/shell.sh" <<EOF
"$CONGO" run "$ROOTFS" - - - - --layers "$LAYER" --env 'PS1=CTR> ' -- /bin/sh
echo \$? >"$WORK/shell.status"
EOF
    # The command's stderr is the pane's terminal; its stdin is not a terminal.
    cat >"$WORK/pipe.sh" <<EOF
"$CONGO" run "$ROOTFS" - - - - --layers "$LAYER" --cap-add SYS_ADMIN -- probe tiocsti:2 tiocsti_hi:2 </dev/null >"$WORK/pipe.tmp"
mv "$WORK/pipe.tmp" "$WORK/pipe.out"
sleep 1000
EOF
    # The server must not keep the TAP output open.
    tm new-session -d -s shell -x 100 -y 30 "sh '$WORK/shell.sh'" >/dev/null 2>&1
    tm new-session -d -s pipe -x 100 -y 30 "sh '$WORK/pipe.sh'" >/dev/null 2>&1
fi

tiocsti_own_tty() {
    wait_screen shell '^CTR>' || return 1
    send shell 'probe tiocsti:0 tiocsti_hi:0; echo "probed-$((3+4))"'
    wait_screen shell '^probed-7$' || return 1
    got=$(screen shell | grep -E '^tiocsti(_hi)?:0 ')
    expect_eq "tiocsti:0 EPERM
tiocsti_hi:0 EPERM" "$got" "TIOCSTI on the command's own terminal"
}
tt "TIOCSTI on the command's terminal (stdin a pty) is refused, high bits too" tiocsti_own_tty

# container_pids PID: processes below PID in another pid namespace than ours.
container_pids() {
    ours=$(readlink /proc/$$/ns/pid)
    ps -e -o pid= -o ppid= | awk -v root="$1" '
        { parent[$1] = $2 }
        END { for (p in parent) for (q = parent[p]; q > 1; q = parent[q]) if (q == root) { print p; break } }' |
        while read -r p; do
            [ "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" != "$ours" ] && echo "$p"
        done
}

not_callers_tty() {
    wait_screen shell '^CTR>' || return 1
    pane_tty=$(tm display -p -t shell '#{pane_tty}')
    pane_pid=$(tm display -p -t shell '#{pane_pid}')
    tty_id=$(stat -L -c '%d:%i' "$pane_tty") || return 1
    pids=$(container_pids "$pane_pid")
    [ -n "$pids" ] || { echo "no container process below the pane's $pane_pid"; return 1; }
    for p in $pids; do
        for f in /proc/"$p"/fd/*; do
            [ "$(stat -L -c '%d:%i' "$f" 2>/dev/null)" != "$tty_id" ] ||
                { echo "process $p holds the caller's terminal $pane_tty as fd ${f##*/}"; return 1; }
        done
    done
}
tt "no process of the container holds the caller's terminal (it has a pty of its own)" not_callers_tty

tiocsti_callers_tty() {
    i=0
    while [ ! -e "$WORK/pipe.out" ]; do
        i=$((i + 1))
        [ "$i" -le 400 ] || { echo "the pipe pane never finished in 20 s"; screen pipe; return 1; }
        sleep 0.05
    done
    expect_eq "tiocsti:2 EPERM
tiocsti_hi:2 EPERM" "$(cat "$WORK/pipe.out")" "TIOCSTI on stderr, the caller's terminal, with SYS_ADMIN"
}
tt "TIOCSTI into the caller's terminal (stderr, stdin a pipe) is refused even with SYS_ADMIN, high bits too" tiocsti_callers_tty

job_control() {
    wait_screen shell '^CTR>' || return 1
    send shell "sleep 77$$"
    i=0
    until ps -e -o args= | grep -qx "sleep 77$$"; do
        i=$((i + 1))
        [ "$i" -le 400 ] || { echo "sleep 77$$ never started in 20 s"; return 1; }
        sleep 0.05
    done
    tm send-keys -t shell C-z
    wait_screen shell "Stopped +sleep 77$$" || return 1
    send shell 'jobs; echo "jobs-$((4+4))"'
    wait_screen shell '^jobs-8$' || return 1
    send shell 'fg'
    # fg names the job it resumes; then it is in the foreground.
    wait_screen shell "^sleep 77$$\$" || return 1
    sleep 0.2
    tm send-keys -t shell C-c
    send shell 'echo "alive-$((5+5))"'
    wait_screen shell '^alive-10$' || return 1
    ! ps -e -o args= | grep -qx "sleep 77$$" || { echo "the sleep survived fg and Ctrl-C"; return 1; }
    send shell 'exit'
    i=0
    while [ ! -e "$WORK/shell.status" ]; do
        i=$((i + 1))
        [ "$i" -le 400 ] || { echo "the launcher did not return in 20 s after exit"; return 1; }
        sleep 0.05
    done
    expect_eq 0 "$(cat "$WORK/shell.status")" "the launcher's status after exit"
}
tt "job control (Ctrl-Z, jobs, fg) and Ctrl-C still work in an interactive shell" job_control

# ===== 8. seccomp =====

DANGEROUS="keyctl kexec_load open_by_handle_at mount:/tmp unshare clone_newns"
seccomp_default() {
    # With the capabilities each call needs, so only the filter can refuse them.
    # shellcheck disable=SC2086
    out=$(ctr --layers "$LAYER" --cap-add SYS_ADMIN,SYS_BOOT,DAC_READ_SEARCH -- probe $DANGEROUS) || return 1
    bad=$(echo "$out" | grep -v ' EPERM$')
    expect_eq "" "$bad" "calls the default filter let through (with SYS_ADMIN, SYS_BOOT, DAC_READ_SEARCH)"
}
tc "the default filter refuses kexec_load, open_by_handle_at, keyctl, mount, unshare, clone(NEWNS) with EPERM, even with the caps" seccomp_default

seccomp_unconfined() {
    # shellcheck disable=SC2086
    out=$(ctr --layers "$LAYER" --seccomp unconfined --cap-add SYS_ADMIN,SYS_BOOT,DAC_READ_SEARCH -- probe $DANGEROUS) || return 1
    bad=$(echo "$out" | grep ' EPERM$')
    expect_eq "" "$bad" "calls still refused with EPERM under --seccomp unconfined" || return 1
    if ! echo "$out" | grep -qx 'keyctl ok' || ! echo "$out" | grep -qx 'mount:/tmp ok'; then
        echo "keyctl and mount should work unconfined: $out"
        return 1
    fi
    out=$(ctr --seccomp unconfined -- /bin/sh -c 'grep ^Seccomp: /proc/self/status' | awk '{print $2}')
    expect_eq 0 "$out" "the Seccomp mode under --seccomp unconfined"
}
tc "--seccomp unconfined loads no filter: keyctl and mount (with SYS_ADMIN) work, nothing gives EPERM" seccomp_unconfined

seccomp_file_applies() {
    printf '@default\nmkdir EACCES\n' >"$WORK/own.seccomp"
    out=$(ctr --layers "$LAYER" --seccomp "$WORK/own.seccomp" -- /bin/sh -c 'mkdir /tmp/d 2>&1; probe keyctl')
    case $out in
    *"Permission denied"*"keyctl EPERM") ;;
    *) echo "mkdir should fail with EACCES and keyctl with EPERM: $out"; return 1 ;;
    esac
}
tc "a seccomp file's rules apply, @default included" seccomp_file_applies

seccomp_take_back() {
    printf '@default\n!mount\n' >"$WORK/mount.seccomp"
    out=$(ctr --layers "$LAYER" --seccomp "$WORK/mount.seccomp" --cap-add SYS_ADMIN -- probe mount:/tmp keyctl) || return 1
    expect_eq "mount:/tmp ok
keyctl EPERM" "$out" "with @default and !mount, and SYS_ADMIN"
}
tc "a seccomp file takes mount back from the default list (!mount): it works with SYS_ADMIN, keyctl stays refused" seccomp_take_back

seccomp_bad_file() {
    printf 'keyctl\n# a comment\nkexec_lod\n' >"$WORK/bad.seccomp"
    out=$(ctr --seccomp "$WORK/bad.seccomp" -- /bin/echo ran 2>&1)
    status=$?
    expect_eq 125 "$status" "status of a run with a bad seccomp file" || { echo "$out"; return 1; }
    case $out in
    *ran*) echo "the command ran: $out"; return 1 ;;
    *"$WORK/bad.seccomp:3"*) ;;
    *) echo "the message does not locate $WORK/bad.seccomp:3: $out"; return 1 ;;
    esac
    p=$(profile seccomp.yaml <<EOF
rootfs: $ROOTFS
command: [/bin/true]
seccomp: bad.seccomp
EOF
)
    out=$("$CONGO" --check "$p" 2>&1)
    status=$?
    expect_eq 1 "$status" "status of --check" || { echo "$out"; return 1; }
    case $out in
    *"$WORK/bad.seccomp:3"*) ;;
    *) echo "--check does not locate $WORK/bad.seccomp:3: $out"; return 1 ;;
    esac
}
t "a bad seccomp file is a profile error at FILE:LINE (125 when running, 1 with --check)" seccomp_bad_file

# ===== 9. rlimits =====

# ulimit -S is not POSIX, but dash, bash and busybox have it.
# shellcheck disable=SC3045
rlimits_nofile() {
    # The caller's own limits differ, so the profile's are what shows.
    out=$(ulimit -S -n 1500 2>/dev/null; ctr --rlimits nofile=1000 -- /bin/sh -c 'echo $(ulimit -n) $(ulimit -H -n)') || return 1
    expect_eq "1000 1000" "$out" "ulimit -n and -H -n with --rlimits nofile=1000" || return 1
    out=$(ulimit -S -n 1500 2>/dev/null; ctr --rlimits nofile=1000:2000 -- /bin/sh -c 'echo $(ulimit -n) $(ulimit -H -n)') || return 1
    expect_eq "1000 2000" "$out" "ulimit -n and -H -n with --rlimits nofile=1000:2000"
}
t "rlimits nofile=1000 gives ulimit -n 1000 (and SOFT:HARD both limits)" rlimits_nofile

# shellcheck disable=SC3045
rlimits_core() {
    hard=$(ulimit -H -c)
    [ "$hard" != 0 ] || echo "note: the caller's hard core limit is 0 already"
    out=$(ulimit -S -c "$hard" 2>/dev/null; ctr --rlimits core=0 -- /bin/sh -c 'ulimit -c') || return 1
    expect_eq 0 "$out" "ulimit -c with --rlimits core=0 (the caller's: $hard)"
}
t "rlimits core=0 gives ulimit -c 0" rlimits_core

# ===== 10. what a bind lets through: setuid programs and device nodes =====
# A bind is nosuid and nodev unless the mount says suid: true or dev: true,
# so what container root writes into a writable host directory gives it
# nothing more on the next run; and without MKNOD it cannot make a node.

BINDRW=$WORK/bind-rw
# What suid: true and dev: true give shows only where the host's own mount of WORK allows it.
work_flagged=$(work_suid_dev_hidden)

fresh_bind() {
    rm -rf "$BINDRW" && mkdir -p "$BINDRW"
}

# The mount options of /srv/rw as the container's mountinfo shows them, one word a line.
SRV_RW_FLAGS='awk "\$5 == \"/srv/rw\" {print \$6}" /proc/self/mountinfo | tr , "\n"'
bind_flags() { # bind_flags RUN OPTIONS...
    ctr "$@" -- /bin/sh -c "$SRV_RW_FLAGS"
}
# expect_flags WHAT WANT-WORD... (a word with ! before it must be missing) < the words
expect_flags() {
    what=$1
    shift
    words=$(cat)
    for w in "$@"; do
        case $w in
        !*) ! printf '%s\n' "$words" | grep -qx "${w#!}" || { echo "$what: ${w#!} in [$(echo $words)]"; return 1; } ;;
        *) printf '%s\n' "$words" | grep -qx "$w" || { echo "$what: no $w in [$(echo $words)]"; return 1; } ;;
        esac
    done
}

binds_nosuid_nodev() {
    fresh_bind
    bind_flags --mount "$BINDRW:/srv/rw" | expect_flags "SRC:DEST" rw nosuid nodev || return 1
    bind_flags --mount "source=$BINDRW,target=/srv/rw,options=noexec" |
        expect_flags "a map, options=noexec" rw nosuid nodev noexec || return 1
    p=$(profile bind-default.conf <<EOF
rootfs = "$ROOTFS";
mounts = ( { source = "$BINDRW"; target = "/srv/rw"; } );
EOF
)
    "$CONGO" "$p" -- /bin/sh -c "$SRV_RW_FLAGS" | expect_flags "a .conf profile's bind" rw nosuid nodev
}
t "a bind (SRC:DEST, a map, a profile's) is nosuid,nodev in the container's mountinfo" binds_nosuid_nodev

binds_suid_dev() {
    fresh_bind
    bind_flags --mount "source=$BINDRW,target=/srv/rw,suid=true" |
        expect_flags "suid=true" rw !nosuid nodev || return 1
    bind_flags --mount "source=$BINDRW,target=/srv/rw,dev=true" |
        expect_flags "dev=true" rw nosuid !nodev || return 1
    p=$(profile bind-suid-dev.yaml <<EOF
rootfs: $ROOTFS
mounts:
  - {source: $BINDRW, target: /srv/rw, suid: true, dev: true}
EOF
)
    "$CONGO" "$p" -- /bin/sh -c "$SRV_RW_FLAGS" |
        expect_flags "a profile's suid: true, dev: true" rw !nosuid !nodev
}
t_unless "$work_flagged" "suid: true and dev: true take nosuid and nodev off the bind in mountinfo" \
    binds_suid_dev

# Container root makes a setuid-root program in a writable bind; a user of a
# later run executes it without no_new_privileges (which alone would stop it).
setuid_in_bind() {
    fresh_bind
    ctr --layers "$LAYER" --mount "$BINDRW:/srv/rw" -- /bin/sh -c \
        'cp /usr/local/bin/euid /srv/rw/su-euid && chmod 4755 /srv/rw/su-euid' || return 1
    expect_eq "-rwsr-xr-x 0" "$(stat -c '%A %u' "$BINDRW/su-euid")" \
        "the program container root made, seen from the host" || return 1
    out=$(ctr --mount "$BINDRW:/srv/rw" --user app --no-new-privileges=false -- /srv/rw/su-euid)
    expect_eq "1000 0000000000000000" "$out" "euid and CapEff of the setuid-root program in the bind" || return 1
    out=$(ctr --mount "source=$BINDRW,target=/srv/rw,suid=true" --user app \
        --no-new-privileges=false -- /srv/rw/su-euid)
    expect_eq "0 $want_caps" "$out" "the same with suid=true"
}
t_unless "$helpers_missing${helpers_missing:+; }$work_flagged" \
    "a setuid-root program container root writes into a bind gives nothing; with suid=true it does" \
    setuid_in_bind

devices_in_bind() {
    fresh_bind
    out=$(ctr --mount "$BINDRW:/srv/rw" -- /bin/sh -c 'mknod /srv/rw/null-x c 1 3; echo "status $?"' 2>&1)
    expect_eq "mknod: /srv/rw/null-x: Operation not permitted
status 1" "$out" "mknod in a writable bind, without MKNOD" || return 1
    [ ! -e "$BINDRW/null-x" ] || { echo "the node is on the host all the same"; return 1; }
    # With MKNOD the node is made, and the bind's nodev keeps it shut.
    out=$(ctr --cap-add MKNOD --mount "$BINDRW:/srv/rw" -- /bin/sh -c '
        mknod /srv/rw/null-x c 1 3 && stat -c %t:%T /srv/rw/null-x
        { echo x >/srv/rw/null-x; } 2>&1; echo "status $?"')
    expect_eq "1:3
/bin/sh: can't create /srv/rw/null-x: Permission denied
status 1" "$out" "a null device made with MKNOD in a nodev bind, opened for writing" || return 1
    # capabilities.add: [MKNOD] and dev: true: a node made there opens.
    p=$(profile bind-dev.yaml <<EOF
rootfs: $ROOTFS
capabilities: {add: [MKNOD]}
mounts:
  - {source: $BINDRW, target: /srv/rw, dev: true}
EOF
)
    out=$("$CONGO" "$p" -- /bin/sh -c 'mknod /srv/rw/null-y c 1 3 && echo x >/srv/rw/null-y && echo written' 2>&1)
    expect_eq written "$out" "a null device made in a bind with dev: true, opened for writing"
}
t_unless "$work_flagged" "mknod in a bind needs MKNOD; the node opens only where the bind says dev: true" \
    devices_in_bind

finish
