#!/bin/sh
# The container's file system: layers and their precedence, writes that
# never reach the lower layers, the upper directory, a read-only root, bind
# and tmpfs mounts, symlinked mount targets that must not lead to the host,
# and the fixed /proc, /dev, /sys and /tmp.
. "$(dirname "$0")/lib.sh"

plan 33

# A fingerprint of a tree on the host: every path, type, size, mode and mtime.
tree_sum() {
    find "$@" -printf '%p %y %s %m %T@ %l\n' | sort | md5sum
}

# Two layers over the rootfs: /etc/motd in all three, /etc/only-l1 in the bottom layer.
mkdir -p "$WORK/l1/etc" "$WORK/l2/etc"
echo from-l1 >"$WORK/l1/etc/motd"
echo only-l1 >"$WORK/l1/etc/only-l1"
echo from-l2 >"$WORK/l2/etc/motd"
layers="$WORK/l1,$WORK/l2"

# --- layers ---

top_layer_wins() {
    out=$(ctr --layers "$layers" -- /bin/cat /etc/motd) || return 1
    expect_eq from-l2 "$out" "/etc/motd in rootfs, l1 and l2"
}
t "the top layer wins over the layer below and the rootfs" top_layer_wins

layer_over_rootfs() {
    out=$(ctr --layers "$WORK/l1" -- /bin/cat /etc/motd) || return 1
    expect_eq from-l1 "$out" "/etc/motd in rootfs and l1"
}
t "a layer wins over the rootfs" layer_over_rootfs

bottom_only_visible() {
    out=$(ctr --layers "$layers" -- /bin/sh -c 'cat /etc/only-l1; cat /etc/group | head -1') || return 1
    expect_eq "only-l1
root:x:0:" "$out" "a file only in l1, a file only in rootfs"
}
t "a file only in the bottom layer, or only in the rootfs, shows through" bottom_only_visible

# --- writes stay in the upper ---

writes_stay_up() {
    before=$(tree_sum "$ROOTFS" "$WORK/l1" "$WORK/l2")
    ctr --layers "$layers" -- /bin/sh -c '
        echo changed >/etc/motd && echo changed >/etc/only-l1 &&
        echo changed >>/etc/passwd && rm /etc/group && mkdir /new-dir &&
        echo new >/new-dir/file && echo new >/etc/new-file' || return 1
    after=$(tree_sum "$ROOTFS" "$WORK/l1" "$WORK/l2")
    expect_eq "$before" "$after" "rootfs and layers on the host (changed, removed and new files)" || return 1
    expect_eq "from-l1 only-l1 from-l2" "$(cat "$WORK/l1/etc/motd" "$WORK/l1/etc/only-l1" "$WORK/l2/etc/motd" | tr '\n' ' ' | sed 's/ $//')" "layer files"
}
t "writes, removals and new files never reach the rootfs or the layers" writes_stay_up

tmpfs_upper_ephemeral() {
    ctr --layers "$layers" -- /bin/sh -c 'echo first-run >/etc/motd; echo x >/first-run' || return 1
    out=$(ctr --layers "$layers" -- /bin/sh -c 'cat /etc/motd; [ -e /first-run ] || echo absent') || return 1
    expect_eq "from-l2
absent" "$out" "the second run"
}
t "with the default tmpfs upper a second run sees none of the first run's writes" tmpfs_upper_ephemeral

upper_dir_diff() {
    mkdir -p "$WORK/up1"
    ctr --layers "$layers" --upper "$WORK/up1" -- /bin/sh -c 'echo kept >/kept; echo changed >/etc/motd' || return 1
    expect_eq "kept" "$(cat "$WORK/up1/diff/kept" 2>&1)" "DIR/diff/kept on the host" || return 1
    expect_eq "changed" "$(cat "$WORK/up1/diff/etc/motd" 2>&1)" "DIR/diff/etc/motd on the host" || return 1
    expect_eq from-l2 "$(cat "$WORK/l2/etc/motd")" "the layer's file"
}
t "upper: DIR keeps the changes in DIR/diff on the host" upper_dir_diff

upper_dir_clean() {
    mkdir -p "$WORK/up2"
    ctr --upper "$WORK/up2" -- /bin/sh -c 'echo kept >/kept' || return 1
    out=$(cd "$WORK/up2/diff" && find . | sort | tr '\n' ' ')
    expect_eq ". ./kept " "$out" "DIR/diff after a run that wrote only /kept"
}
t "upper: DIR/diff holds only what the command changed" upper_dir_clean

upper_dir_second_run() {
    mkdir -p "$WORK/up3"
    ctr --upper "$WORK/up3" -- /bin/sh -c 'echo kept >/kept' || return 1
    out=$(ctr --upper "$WORK/up3" -- /bin/sh -c 'cat /kept; echo again >>/kept; cat /kept')
    status=$?
    expect_eq 0 "$status" "status of the second run" || { echo "$out"; return 1; }
    expect_eq "kept
kept
again" "$out" "the second run"
}
t "upper: DIR keeps changes across runs (a second run sees and extends them)" upper_dir_second_run

upper_none_direct() {
    cp -a "$ROOTFS" "$WORK/direct-root" || return 1
    out=$("$CONGO" run "$WORK/direct-root" - - - - --upper none -- /bin/sh -c '
        echo written >/direct-file && rm /etc/group &&
        awk "\$5 == \"/\" {print \$6}" /proc/self/mountinfo | tr , "\n" | grep -x nodev') || return 1
    expect_eq nodev "$out" "the root's flags" || return 1
    expect_eq written "$(cat "$WORK/direct-root/direct-file")" "a file written at / inside" || return 1
    [ ! -e "$WORK/direct-root/etc/group" ] || { echo "/etc/group removed inside is still on the host"; return 1; }
    [ -e "$ROOTFS/etc/group" ] || { echo "the shared rootfs lost /etc/group"; return 1; }
}
t "upper: none writes into rootfs itself (nodev), with no overlay" upper_none_direct

# --- a read-only root ---

readonly_refuses() {
    out=$(ctr --readonly-rootfs -- /bin/sh -c 'touch /x 2>&1; echo status=$?; touch /etc/motd 2>&1; echo status=$?')
    status=$?
    expect_eq 0 "$status" "status" || { echo "$out"; return 1; }
    case $out in
    *"Read-only file system"*status=1*"Read-only file system"*status=1) ;;
    *) echo "writes to / were not refused: $out"; return 1 ;;
    esac
}
t "readonly_rootfs: writes to / are refused (EROFS)" readonly_refuses

readonly_tmp_works() {
    out=$(ctr --readonly-rootfs -- /bin/sh -c 'echo ok >/tmp/f && cat /tmp/f') || { echo "$out"; return 1; }
    expect_eq ok "$out" "a write to /tmp"
}
t "readonly_rootfs: /tmp still takes writes" readonly_tmp_works

# --- binds ---

mkdir -p "$WORK/ro-src/sub" "$WORK/rw-src"
echo host >"$WORK/ro-src/file"

ro_bind_refuses() {
    out=$(ctr --mount "$WORK/ro-src:/data:ro" -- /bin/sh -c 'cat /data/file; { echo x >/data/file; } 2>&1; { echo x >/data/new; } 2>&1; exit 0') || return 1
    case $out in
    host*"Read-only file system"*"Read-only file system"*) ;;
    *) echo "writes were not refused: $out"; return 1 ;;
    esac
    expect_eq host "$(cat "$WORK/ro-src/file")" "the host file" || return 1
    [ ! -e "$WORK/ro-src/new" ] || { echo "a new file reached the host"; return 1; }
}
t "a read-only bind refuses writes; the host files are untouched" ro_bind_refuses

ro_bind_submount() {
    mount -t tmpfs it-sub "$WORK/ro-src/sub" || return 1
    out=$(ctr --mount "$WORK/ro-src:/data:ro" -- /bin/sh -c 'grep -q " /data/sub " /proc/self/mountinfo && echo submount; { echo x >/data/sub/new; } 2>&1; exit 0')
    status=$?
    ls=$(ls -A "$WORK/ro-src/sub")
    umount "$WORK/ro-src/sub"
    expect_eq 0 "$status" "status" || return 1
    case $out in
    submount*"Read-only file system"*) ;;
    *) echo "the submount is missing or writable: $out"; return 1 ;;
    esac
    expect_eq "" "$ls" "the host's submount"
}
t "a read-only bind stays read-only for a mount below its source" ro_bind_submount

rw_bind_reaches_host() {
    ctr --mount "$WORK/rw-src:/data" -- /bin/sh -c 'echo from-container >/data/new' || return 1
    expect_eq from-container "$(cat "$WORK/rw-src/new" 2>&1)" "the host file"
}
t "a read-write bind's writes reach the host" rw_bind_reaches_host

file_bind() {
    echo file-on-host >"$WORK/single"
    out=$(ctr --mount "$WORK/single:/etc/single:ro" -- /bin/cat /etc/single) || return 1
    expect_eq file-on-host "$out" "a bound file"
}
t "a single file can be bound" file_bind

target_created() {
    out=$(ctr --mount "$WORK/rw-src:/srv/it/deep/data" -- /bin/ls /srv/it/deep/data) || return 1
    expect_eq new "$out" "the new target's content" || return 1
    [ ! -e "$ROOTFS/srv" ] || { echo "the target was made in the rootfs on the host"; return 1; }
}
t "a missing mount target is created (in the writable layer, not the rootfs)" target_created

# Host paths reached through absolute symlinks, as /var/lib/machines/NAME -> /srv/NAME often is.
host_symlinks() {
    ln -sfn "$ROOTFS" "$WORK/root-link"
    ln -sfn "$WORK/l2" "$WORK/layer-link"
    ln -sfn "$WORK/rw-src" "$WORK/src-link"
    ln -sfn "$WORK/single" "$WORK/file-link"
    out=$("$CONGO" run "$WORK/root-link" - - - - --layers "$WORK/layer-link" \
        --mount "$WORK/src-link:/data:ro" --mount "$WORK/file-link:/etc/single:ro" \
        -- /bin/sh -c 'cat /etc/motd /etc/single; ls /data') || return 1
    expect_eq "from-l2
file-on-host
new" "$out" "the layer's motd, the bound file and the bound directory"
}
t "a rootfs, a layer and bind sources behind absolute host symlinks work" host_symlinks

# --- tmpfs mounts ---

tmpfs_size() {
    out=$(ctr --mount 'type=tmpfs,target=/small,options=size=1m' -- /bin/sh -c '
        dd if=/dev/zero of=/small/a bs=1k count=512 2>/dev/null && echo 512k-ok
        rm /small/a
        dd if=/dev/zero of=/small/b bs=1k count=2048 2>/dev/null || echo 2m-refused') || return 1
    expect_eq "512k-ok
2m-refused" "$out" "writes to a 1m tmpfs"
}
t "a tmpfs mount with size=1m takes 512 KiB and refuses 2 MiB" tmpfs_size

# --- symlinked targets ---
# A layer holds symlinks that point out of the container if followed on the
# host: the bind must land inside the container, or be refused; never on the host.

mkdir -p "$WORK/evil/home" "$WORK/bind-src" "$WORK/x"
ln -s /home/app "$WORK/evil/abs"
ln -s "../../../../../../../../home/app" "$WORK/evil/home/rel"
ln -s "$WORK/x" "$WORK/evil/to-work"
ln -s "../../../../../../../..$WORK/x" "$WORK/evil/to-work-rel"
echo marker-$$ >"$WORK/bind-src/marker-$$"
echo host-x >"$WORK/x/host-file"

symlink_abs_inside() {
    out=$(ctr --layers "$WORK/evil" --mount "$WORK/bind-src:/abs" -- /bin/cat /home/app/marker-$$) || return 1
    expect_eq marker-$$ "$out" "the bind seen at the container's /home/app" || return 1
    [ ! -e "/home/app/marker-$$" ] || { echo "the bind landed on the host's /home/app"; return 1; }
}
t "a bind on an absolute symlink (/abs -> /home/app) lands inside the container" symlink_abs_inside

symlink_rel_inside() {
    out=$(ctr --layers "$WORK/evil" --mount "$WORK/bind-src:/home/rel" -- /bin/cat /home/app/marker-$$) || return 1
    expect_eq marker-$$ "$out" "the bind seen at the container's /home/app"
}
t "a bind on a ../../.. symlink lands inside the container" symlink_rel_inside

symlink_to_host_path() {
    mounts=$(awk '{print $5}' /proc/self/mountinfo | sort)
    for target in /to-work /to-work-rel; do
        ctr --layers "$WORK/evil" --mount "$WORK/bind-src:$target" -- /bin/true >/dev/null 2>&1
        expect_eq "host-file" "$(ls "$WORK/x")" "the host directory $WORK/x after a bind on $target" || return 1
    done
    expect_eq "$mounts" "$(awk '{print $5}' /proc/self/mountinfo | sort)" "the host's mount points"
}
t "a bind on a symlink naming a host path never mounts on that host path" symlink_to_host_path

symlink_upper_inside() {
    # The same through the upper, which a previous run of the container wrote.
    mkdir -p "$WORK/up-evil/diff" "$WORK/up-evil/work"
    ln -s /home/app "$WORK/up-evil/diff/abs"
    out=$(ctr --upper "$WORK/up-evil" --mount "$WORK/bind-src:/abs" -- /bin/cat /home/app/marker-$$) || return 1
    expect_eq marker-$$ "$out" "the bind seen at the container's /home/app"
}
t "a bind on a symlink planted in the upper lands inside the container" symlink_upper_inside

symlink_rel_while_renaming() {
    # openat2(RESOLVE_IN_ROOT) fails with EAGAIN when any rename on the
    # system races the lookup of "..", and the kernel asks the caller to
    # retry; other containers starting, or any program renaming a file, do
    # that. Here a renaming loop (perl, bounded to 30 s) runs meanwhile.
    command -v perl >/dev/null || { echo "no perl to rename files"; return 1; }
    touch "$WORK/rename-me"
    perl -e 'my ($f, $g) = @ARGV; my $end = time + 30;
        while (time < $end) { rename $f, $g; rename $g, $f; }' \
        "$WORK/rename-me" "$WORK/renamed" &
    renamer=$!
    i=0
    while [ "$i" -lt 40 ]; do
        i=$((i + 1))
        out=$(ctr --layers "$WORK/evil" --mount "$WORK/bind-src:/home/rel" -- /bin/cat /home/app/marker-$$ 2>&1)
        [ "$out" = marker-$$ ] || break
    done
    kill "$renamer"
    wait "$renamer" 2>/dev/null
    expect_eq marker-$$ "$out" "run $i of 40 while files are renamed"
}
t "a bind on a ../ symlink works while the host renames files (EAGAIN retried)" symlink_rel_while_renaming

# --- the fixed mounts ---

proc_fresh() {
    out=$(ctr -- /bin/sh -c '
        awk "\$5 == \"/proc\" {print \$(NF-2)}" /proc/self/mountinfo
        echo x >/proc/sys/kernel/domainname 2>/dev/null || echo proc-sys-ro
        wc -c </proc/keys') || return 1
    expect_eq "proc
proc-sys-ro
0" "$out" "/proc's type, /proc/sys, the masked /proc/keys"
}
t "/proc is a fresh proc with /proc/sys read-only and /proc/keys masked" proc_fresh

taken_back() {
    probe='awk "\$5 == \"/proc/keys\"" /proc/self/mountinfo | wc -l
        echo x 2>/dev/null >/proc/sys/kernel/domainname && echo sys-writable || echo sys-ro'
    out=$(ctr -- /bin/sh -c "$probe") || return 1
    back=$(ctr --masked-paths '!/proc/keys' --readonly-paths '!/proc/sys' -- /bin/sh -c "$probe") || return 1
    expect_eq "1 sys-ro | 0 sys-writable" "$(echo $out) | $(echo $back)" "/proc/keys and /proc/sys, by default and taken back"
}
t "!PATH takes a built-in masked or read-only path back" taken_back

dev_minimal() {
    out=$(ctr -- /bin/ls /dev | tr '\n' ' ') || return 1
    expect_eq "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero " "$out" "/dev"
}
t "/dev holds null zero full random urandom tty pts ptmx shm mqueue fd stdin stdout stderr" dev_minimal

dev_links_work() {
    out=$(ctr -- /bin/sh -c 'echo via-stdout >/dev/stdout; ls /dev/fd/ | tr "\n" " "') || return 1
    expect_eq "via-stdout
0 1 2 3 " "$out" "/dev/stdout and /dev/fd"
}
t "/dev/stdout and /dev/fd lead to the process's own fds" dev_links_work

sys_readonly() {
    out=$(ctr -- /bin/sh -c '
        awk "\$5 == \"/sys\" {print \$6}" /proc/self/mountinfo | cut -d, -f1
        echo 1 >/sys/kernel/profiling 2>/dev/null || echo write-refused') || return 1
    expect_eq "ro
write-refused" "$out" "/sys"
}
t "/sys is mounted read-only" sys_readonly

tmp_tmpfs() {
    out=$(ctr --user app -- /bin/sh -c '
        awk "\$5 == \"/tmp\" {print \$(NF-2)}" /proc/self/mountinfo
        echo x >/tmp/by-app && echo app-writes') || return 1
    expect_eq "tmpfs
app-writes" "$out" "/tmp"
}
t "/tmp is a tmpfs any user can write to" tmp_tmpfs

# --- a profile's own kernel file systems and mount options ---

# A layer holding `mountopts TARGET...`: each target's file system type and
# mount flags as the container's mountinfo shows them, or `none`.
mkdir -p "$WORK/probe/bin"
cat >"$WORK/probe/bin/mountopts" <<'EOF'
#!/bin/sh
for t in "$@"; do
    awk -v t="$t" 'BEGIN { found = 0 }
        $5 == t { for (i = 7; $i != "-"; i++) ; print t, $(i + 1), $6; found = 1 }
        END { if (!found) print t, "none" }' /proc/self/mountinfo | tail -n 1
done
EOF
chmod 755 "$WORK/probe/bin/mountopts"

kernel_mounts_in_place() {
    p=$(profile kernel.yaml <<EOF
rootfs: $ROOTFS
layers: [$WORK/probe]
mounts:
  - {target: /proc, type: proc, options: 'hidepid=invisible'}
  - {target: /tmp, type: none}
  - {target: /dev/mqueue, type: mqueue, options: 'nosuid,ro'}
  - {target: /srv, source: $WORK/l1, options: 'nosuid,noexec,nodev,ro,noatime'}
EOF
)
    out=$("$CONGO" "$p" -- /bin/sh -c '
        mountopts /proc /tmp /dev/mqueue /srv
        awk "\$5 == \"/proc\"" /proc/self/mountinfo | grep -c "hidepid=invisible"') || return 1
    expect_eq "/proc proc rw,nosuid,nodev,noexec,relatime
/tmp none
/dev/mqueue mqueue ro,nosuid,nodev,noexec,relatime
/srv $(stat -f -c %T "$WORK/l1" | sed 's/ext2\/ext3/ext4/') ro,nosuid,nodev,noexec,noatime
1" "$out" "/proc, /tmp, /dev/mqueue and a bind with options"
}
t "proc, mqueue and bind options of a profile, and /tmp removed with type none" kernel_mounts_in_place

bind_not_recursive() {
    mkdir -p "$WORK/tree/sub"
    mount -t tmpfs tmpfs "$WORK/tree/sub" || return 1
    echo below >"$WORK/tree/sub/marker"
    rec=$(ctr --mount "$WORK/tree:/data" -- /bin/sh -c 'cat /data/sub/marker 2>/dev/null || echo absent')
    flat=$(ctr --mount "type=bind,source=$WORK/tree,target=/data,options=bind" -- \
        /bin/sh -c 'cat /data/sub/marker 2>/dev/null || echo absent')
    umount "$WORK/tree/sub"
    expect_eq "below" "$rec" "a bind (recursive by default)" || return 1
    expect_eq "absent" "$flat" "a bind with options=bind"
}
t "a bind is recursive unless its options say bind" bind_not_recursive

cgroup_rw() {
    # One directory of the container's cgroup: on v1 one per hierarchy, on v2 the mount itself.
    probe='mountopts /sys/fs/cgroup/pids /sys/fs/cgroup | grep -v " none$" | head -n 1 | cut -d" " -f3 | cut -d, -f1'
    ro=$(ctr --layers "$WORK/probe" -- /bin/sh -c "$probe") || return 1
    rw=$(ctr --layers "$WORK/probe" --mount "type=cgroup,target=/sys/fs/cgroup,options=rw" -- \
        /bin/sh -c "$probe") || return 1
    expect_eq "ro rw" "$ro $rw" "the container's cgroup, by default and with options=rw"
}
t "the container's cgroup is read-only unless its mount says rw" cgroup_rw

caller_umask() {
    # The set-up's modes are congo's: 077 once made `/` 0700, closed to any user but root.
    got=$( (umask 077 && ctr -- /bin/stat -c %a /) 2>&1)
    expect_eq 755 "$got" "the container's / under a caller's umask 077" || return 1
    got=$( (umask 077 && ctr --user nobody -- /bin/sh -c 'cd / && echo in') 2>&1)
    expect_eq in "$got" "nobody in / under a caller's umask 077" || return 1
    mkdir "$WORK/umask-upper"
    got=$( (umask 077 && ctr --upper "$WORK/umask-upper" -- /bin/stat -c %a /) 2>&1)
    expect_eq 755 "$got" "a new upper's diff/ as / under a caller's umask 077"
}
t "a caller's umask 077 leaves the container's / 0755, tmpfs upper or a new upper" caller_umask

finish
