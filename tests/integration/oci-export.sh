#!/bin/sh
# congo and runc run the same container: every example profile and every
# stock profile, run by congo and, exported with --bundle, by runc, shows
# its command the same user, groups, host name, environment, capabilities,
# limits, mounts and masked paths, and the same answer to a write to /;
# the assembled root holds what congo's overlay shows; and after runc,
# rootfs, the layers and an upper are as they were.
#
# What must differ, and is filtered from the comparison (congo-launch(1),
# OCI BUNDLES, says why):
#   - the flags of / beyond ro/rw: congo mounts its overlay nodev, runc binds
#     root.path with the flags of its file system (the device cgroup then
#     keeps device nodes there closed); the same for a read-only path that
#     lies in the root, a bind of the root's own;
#   - the mount flags of masked directories: runc's mask is a plain
#     read-only tmpfs; masks are compared by what they show (nothing);
#   - /sys/fs/cgroup and below: runc binds every v1 hierarchy there, on a
#     writable tmpfs, congo the ones it limits; the limits themselves are
#     compared, as the command reads them.
# And two things of the caller's are made alike for both: TERM is unset (a
# bundle's environment is fixed and leaves it out), and the soft limit of
# open files is raised to the hard one (runc 1.1, a Go program, raises its
# own, and its command inherits that).
#
# The stock profiles use the host's root as rootfs; here their rootfs is the
# test root (the host's is far too big to copy for a test), everything else
# is theirs.
. "$(dirname "$0")/lib.sh"

command -v runc >/dev/null 2>&1 || skip_all "runc is not installed (apt-get install runc)"

# The examples, with their rootfs the test root; never run from the source
# tree. stack/dev.yaml binds `../..`: that is $WORK/src, which holds no bundle.
EX=$WORK/src/examples
mkdir -p "$EX"
(cd "$SRCDIR/examples" && tar cf - --exclude=./rootfs .) | (cd "$EX" && tar xf -)
ln -s "$ROOTFS" "$EX/rootfs"
PROFILES=$(ls "$EX"/*.yaml "$EX"/*.conf "$EX"/*/*.yaml "$EX"/*/*.conf "$SRCDIR"/profiles/*.yaml)

plan $(($(printf '%s\n' "$PROFILES" | wc -l) + 11))

unset TERM
ulimit -Sn "$(ulimit -Hn)" 2>/dev/null

# runc's containers are named after this test, and all deleted on exit, with
# any cgroup runc left below this shell's own.
RUNC_ROOT=$WORK/runc
RUNC_PREFIX=congo-oci-it-$$
mkdir -p "$RUNC_ROOT"
cleanup_runc() {
    for c in "$RUNC_ROOT"/"$RUNC_PREFIX"-*; do
        [ -e "$c" ] && runc --root "$RUNC_ROOT" delete -f "${c##*/}" >/dev/null 2>&1
    done
    while IFS=: read -r _ hier path; do
        if [ -z "$hier" ]; then
            dir=/sys/fs/cgroup/unified$path
            [ -d "$dir" ] || dir=/sys/fs/cgroup$path
        else
            dir=/sys/fs/cgroup/${hier#name=}$path
        fi
        for c in "${dir%/}"/"$RUNC_PREFIX"-*; do
            [ -d "$c" ] && rmdir "$c" 2>/dev/null
        done
    done </proc/self/cgroup
}
trap 'cleanup_runc; cleanup_work' EXIT

# What the command sees. Masks (a read-only tmpfs over a directory of /proc
# or /sys, /dev/null over a file) are named, without their flags.
PROBE='
limit() { v=$(cat "$@" 2>/dev/null | head -n 1); case $v in "" | max | -1 | 9223372036854771712) echo unlimited ;; *) echo "$v" ;; esac; }
echo "id: $(id)"
echo "hostname: $(hostname)"
echo "cwd: $(pwd)"
echo "network devices: $(ls /sys/class/net | tr "\n" " ")"
echo "pid namespace: $(if [ "$(ls /proc | grep -c "^[0-9]")" -lt 20 ]; then echo own; else echo host; fi)"
echo "cgroup namespace: $(awk -F: "\$3 != \"/\" { h = 1 } END { print h ? \"host\" : \"own\" }" /proc/self/cgroup)"
env | sort | sed "s/^/env: /"
grep -e "^Cap" -e "^NoNewPrivs" -e "^Seccomp:" /proc/self/status
echo "umask: $(umask)"
echo "domainname: $(cat /proc/sys/kernel/domainname)"
echo "oom_score_adj: $(cat /proc/self/oom_score_adj)"
for s in net/ipv4/ip_forward net/ipv4/ping_group_range kernel/msgmax kernel/shmmni; do
    echo "sysctl $s: $(cat /proc/sys/$s)"
done
echo "unshare -U: $(unshare -U true 2>&1)"
ulimit -a | sed "s/^/soft /"
ulimit -H -a | sed "s/^/hard /"
echo "memory: $(limit /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes)"
echo "memory+swap: $(limit /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes)"
echo "pids: $(limit /sys/fs/cgroup/pids.max /sys/fs/cgroup/pids/pids.max)"
echo "cpu quota: $(limit /sys/fs/cgroup/cpu/cpu.cfs_quota_us)"
awk "{ split(\$0, half, \" - \"); split(half[2], fs, \" \")
       n = split(\$6, o, \",\"); f = o[1]
       for (i = 2; i <= n; i++) if (o[i] ~ /^(nosuid|nodev|noexec)\$/) f = f \",\" o[i]
       if ((fs[1] == \"tmpfs\" && \$5 ~ /^\\/(proc|sys)\\//) || \$4 ~ /\\/null\$/) { m[\$5] = \"masked\" }
       else { m[\$5] = f }
     }
     END { for (t in m) print \"mount: \" t \" \" m[t] }" /proc/self/mountinfo | sort
for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/acpi /proc/scsi /sys/firmware; do
    if [ -d "$p" ]; then echo "$p: $(ls -A "$p" | wc -l) entries"
    elif [ -e "$p" ]; then echo "$p: $(wc -c <"$p") bytes"
    else echo "$p: absent"; fi
done
if touch /.probe-write 2>/dev/null; then echo "write to /: yes"; else echo "write to /: no"; fi
'

# What a user compares: the probe's lines, less what must differ (above).
# ROOT_PATHS: the read-only paths that lie in the root. runc before 1.2
# ignores config.json's domainname (the export says so in a note): that
# line is compared only with a runc that sets it.
ROOT_PATHS=
case $(runc --version | sed -n 's/^runc version \([0-9]*\.[0-9]*\).*/\1/p') in
1.0 | 1.1) NO_DOMAINNAME='/^domainname: /d' ;;
*) NO_DOMAINNAME= ;;
esac
normalize() {
    for path in / $ROOT_PATHS; do
        printf 's|^\\(mount: %s r[ow]\\).*|\\1|\n' "$path"
    done >"$WORK/root-paths.sed"
    echo "$NO_DOMAINNAME" >>"$WORK/root-paths.sed"
    sed -e '/^mount: \/sys\/fs\/cgroup[ /]/d' -f "$WORK/root-paths.sed" "$1"
}

# A fingerprint of host trees: every path with its type, size, mode, owner,
# times and link, and every file's content.
trees_sum() {
    find "$@" -printf '%p %y %s %m %U:%G %T@ %l\n' | sort | md5sum
    find "$@" -type f -exec md5sum {} + | sort | md5sum
}

# same_under_runc TREES COMMAND PROFILE [OPTIONS...]: congo runs PROFILE with
# COMMAND; so does runc, from --bundle; the outputs compare equal, and the
# host trees TREES (a space-separated list) are as they were after runc.
# $b.runc is what runc's ran printed.
same_under_runc() {
    trees=$1 cmd=$2 profile=$3
    shift 3
    run=$(mktemp -d "$WORK/run.XXXXXX")
    b=$run/bundle id=$RUNC_PREFIX-${run##*.}
    "$CONGO" "$@" "$profile" -- /bin/sh -c "$cmd" >"$b.congo" 2>"$b.congo-err"
    congo_status=$?
    "$CONGO" --bundle "$b" "$@" "$profile" -- /bin/sh -c "$cmd" 2>"$b.export-err" || {
        echo "--bundle failed:"
        cat "$b.export-err"
        return 1
    }
    # shellcheck disable=SC2086
    before=$(trees_sum $trees)
    (cd "$b" && runc --root "$RUNC_ROOT" run "$id") >"$b.runc" 2>"$b.runc-err"
    runc_status=$?
    runc --root "$RUNC_ROOT" delete -f "$id" >/dev/null 2>&1
    # shellcheck disable=SC2086
    after=$(trees_sum $trees)
    if [ "$congo_status" != "$runc_status" ]; then
        echo "status: congo $congo_status, runc $runc_status"
        cat "$b.congo-err" "$b.runc-err"
        return 1
    fi
    if ! normalize "$b.congo" >"$b.congo-n" || ! normalize "$b.runc" >"$b.runc-n" ||
        ! diff -u "$b.congo-n" "$b.runc-n" >"$b.diff"; then
        echo "congo (-) and runc (+) differ:"
        cat "$b.diff"
        return 1
    fi
    [ -s "$b.congo-n" ] || { echo "the probe printed nothing"; cat "$b.congo-err"; return 1; }
    expect_eq "$before" "$after" "rootfs and layers after runc ($trees)"
}

probe_matches() {
    same_under_runc "$ROOTFS $EX/layers" "$PROBE" "$@"
}

for p in $PROFILES; do
    case $p in
    "$EX"/*) t "${p#"$EX"/}: runc shows the command what congo shows it" probe_matches "$p" ;;
    *)
        name=${p##*/}
        t "stock ${name%.yaml} (on the test root): runc shows the command what congo shows it" \
            probe_matches "$p" --set "rootfs=$ROOTFS"
        ;;
    esac
done

# Every key OCI can say, at once: a user and group, capabilities both ways,
# a seccomp file with errnos of its own, rlimits, the mounts of each kind
# (binds with file systems mounted below their sources, which a read-only
# bind or path makes read-only too), masked and read-only paths over them,
# a namespace off. (Not `cgroup: true`: on a v1 or hybrid host congo's child
# enters its cgroup after the clone, so its cgroup namespace is rooted at the
# launcher's cgroup, runc's at the container's; congo-launch(1) says so.)
every_key() {
    mkdir -p "$WORK/data/rw/sub" "$WORK/data/ro/mnt" "$WORK/data/rw/mnt"
    echo secret >"$WORK/data/ro/secret"
    for m in ro rw; do
        mount -t tmpfs -o size=64k "congo-it-$m" "$WORK/data/$m/mnt" || return 1
    done
    printf '@default\nunshare ESRCH\nptrace ENOSYS\n!keyctl\n' >"$WORK/every.seccomp"
    p=$(profile every.yaml <<EOF
name: every_key
rootfs: $ROOTFS
hostname: every-key
workdir: /home/app/work
env: {ONE: '1', PATH: '/bin:/usr/bin'}
limits: {pids: 40, memory: 48m, memory_swap: 64m, cpu_shares: 256, cpus: 0.25}
mounts:
  - {target: /run/scratch, type: tmpfs, options: 'size=1m,mode=700,noexec'}
  - $WORK/data/ro:/srv/ro:ro
  - $WORK/data/rw:/srv/rw
namespaces: {ipc: false}
capabilities: {add: [NET_ADMIN, SYS_PTRACE], drop: [SETFCAP, NET_RAW]}
seccomp: $WORK/every.seccomp
rlimits: {nofile: 1000:2000, core: 0, nproc: 500, stack: unlimited}
no_new_privileges: false
masked_paths: [/srv/ro/secret]
readonly_paths: [/srv, /etc/motd]
init: false
stop_timeout: 3s
EOF
)
    ROOT_PATHS="/srv /etc/motd"
    probe_matches "$p" && probe_matches "$p" --set user=app:staff
    status=$?
    umount "$WORK/data/ro/mnt" "$WORK/data/rw/mnt"
    return $status
}
t "a profile of every key OCI can say: runc shows the command what congo shows it" every_key

# The keys the profile gained since: umask, groups, domainname,
# oom_score_adj, an ambient capability (the command runs as app, so it
# keeps that one alone), sysctl, annotations, base_env false, a network
# namespace joined by path, binds with flags of their own and without
# rbind, binds that say suid and dev, built-in mounts removed, built-in
# masks taken back, an OCI seccomp policy, and `upper: none` (on a copy of
# the root, which both write into). The same profile is written in YAML and in libconfig.
newer_keys() {
    fmt=$1
    mkdir -p "$WORK/data2/sub"
    echo two >"$WORK/data2/file"
    if [ ! -e "$WORK/netns" ]; then
        touch "$WORK/netns"
        unshare --net="$WORK/netns" true || return 1
    fi
    if [ ! -d "$WORK/direct-root" ]; then
        cp -a "$ROOTFS" "$WORK/direct-root" || return 1
    fi
    case $fmt in
    yaml) p=$(profile newer.yaml <<EOF
name: newer_keys
rootfs: $ROOTFS
hostname: newer
domainname: example.org
user: app
umask: '0027'
groups: [staff, 4242]
oom_score_adj: 300
capabilities: {ambient: [NET_BIND_SERVICE]}
sysctl: {net.ipv4.ip_forward: '1', net.ipv4.ping_group_range: '0 0', kernel.msgmax: '4096'}
annotations: {org.example.owner: ops}
namespaces: {net: $WORK/netns}
base_env: false
env: {PATH: '/bin:/usr/bin', ONE: '1'}
mounts:
  - {target: /dev/mqueue, type: none}
  - {target: /srv/plain, type: bind, source: $WORK/data2, options: 'bind,nosuid,noexec'}
  - {target: /srv/tree, source: $WORK/data2, suid: true, options: 'ro,nodev'}
  - {target: /srv/open, source: $WORK/data2, suid: true, dev: true}
  - {target: /proc, type: proc, options: 'hidepid=2'}
masked_paths: ['!/proc/acpi', '!/sys/firmware']
readonly_paths: ['!/proc/sysrq-trigger']
seccomp:
  defaultAction: SCMP_ACT_ALLOW
  syscalls:
    - {names: [unshare], action: SCMP_ACT_ERRNO, errnoRet: 3}
init: false
EOF
) ;;
    conf) p=$(profile newer.conf <<EOF
name = "newer_keys";
rootfs = "$ROOTFS";
hostname = "newer";
domainname = "example.org";
user = "app";
umask = "0027";
groups = [ "staff", "4242" ];
oom_score_adj = 300;
capabilities = { ambient = [ "NET_BIND_SERVICE" ]; };
sysctl = ( "net.ipv4.ip_forward=1", "net.ipv4.ping_group_range=0 0", "kernel.msgmax=4096" );
annotations = ( "org.example.owner=ops" );
namespaces = { net = "$WORK/netns"; };
base_env = false;
env = { PATH = "/bin:/usr/bin"; ONE = "1"; };
mounts = (
  { target = "/dev/mqueue"; type = "none"; },
  { target = "/srv/plain"; type = "bind"; source = "$WORK/data2"; options = "bind,nosuid,noexec"; },
  { target = "/srv/tree"; source = "$WORK/data2"; suid = true; options = "ro,nodev"; },
  { target = "/srv/open"; source = "$WORK/data2"; suid = true; dev = true; },
  { target = "/proc"; type = "proc"; options = "hidepid=2"; }
);
masked_paths = [ "!/proc/acpi", "!/sys/firmware" ];
readonly_paths = [ "!/proc/sysrq-trigger" ];
seccomp = {
  defaultAction = "SCMP_ACT_ALLOW";
  syscalls = ( { names = [ "unshare" ]; action = "SCMP_ACT_ERRNO"; errnoRet = 3; } );
};
init = false;
EOF
) ;;
    esac
    probe_matches "$p" || return 1
    # What it shows is the profile's, not a default (the probe would match those too).
    grep -q "^domainname: example.org\$" "$b.congo" || { echo "congo: no domain name"; return 1; }
    grep -q "note: domainname: runc before 1.2 ignores" "$b.export-err" ||
        { echo "no note on domainname:"; cat "$b.export-err"; return 1; }
    for want in "^umask: 0027\$" "^oom_score_adj: 300\$" \
        "^CapAmb:	0*400\$" "groups=50(staff),1000(app),4242\$" "^sysctl kernel/msgmax: 4096\$" \
        "^env: ONE=1\$" "^unshare -U: .*No such process\$" "^network devices: lo \$" \
        "^/sys/firmware: [1-9][0-9]* entries\$" \
        "^mount: /srv/plain rw,nosuid,nodev,noexec\$" \
        "^mount: /srv/tree ro,nodev\$" "^mount: /srv/open rw\$"; do
        grep -q "$want" "$b.runc" || { echo "no [$want] in:"; cat "$b.runc"; return 1; }
    done
    ! grep -q -e "^env: HOSTNAME=" -e "^mount: /dev/mqueue " -e "^mount: /proc/acpi " \
        -e "^mount: /sys/firmware " -e "^mount: /proc/sysrq-trigger " "$b.runc" ||
        { echo "a default came back:"; cat "$b.runc"; return 1; }
    # upper: none: both write into the root itself, given in place (as root, which may).
    rm -f "$WORK/direct-root/.probe-write"
    probe_matches "$p" --set "rootfs=$WORK/direct-root" --set upper=none --reset user || return 1
    grep -q "\"path\": \"$WORK/direct-root\"" "$b/config.json" ||
        { echo "not in place:"; grep '"path"' "$b/config.json"; return 1; }
    [ -e "$WORK/direct-root/.probe-write" ] || { echo "nothing was written into rootfs"; return 1; }
}
t "the newer keys in YAML: runc shows the command what congo shows it" newer_keys yaml
t "the newer keys in libconfig: runc shows the command what congo shows it" newer_keys conf

# Every file of the root as the command finds it: name, type, mode, owner,
# link target, content.
LIST='find / -xdev ! -name ".probe-write" | sort | while read -r f; do
    stat -c "%N %F %a %u:%g" "$f"
    if [ -f "$f" ] && [ ! -L "$f" ]; then md5sum "$f"; fi
done'

layers_assembled() {
    # A layer's own root mode says nothing of the container's / (a tmpfs upper's):
    # 0555, as in a read-only checkout, must not reach the bundle.
    chmod 555 "$EX/layers/site"
    same_under_runc "$ROOTFS $EX/layers" "$LIST" "$EX/layered.yaml"
    r=$?
    chmod 755 "$EX/layers/site"
    return $r
}
t "the bundle's root holds what congo's overlay of the layers shows" layers_assembled

# An upper that congo wrote to: a file of rootfs removed (a whiteout), a
# directory of a layer replaced (opaque), a file changed.
upper_assembled() {
    up=$WORK/up
    mkdir -p "$up/upper" "$up/layer/opt/old/sub" "$up/layer/opt/keep"
    echo old >"$up/layer/opt/old/sub/file"
    echo kept >"$up/layer/opt/keep/file"
    p=$(profile upper.yaml <<EOF
rootfs: $ROOTFS
layers: [$up/layer]
upper: $up/upper
EOF
)
    "$CONGO" "$p" -- /bin/sh -c 'rm /etc/motd && rm -rf /opt/old && mkdir /opt/old &&
        echo new >/opt/old/new && echo changed >/etc/group' || return 1
    [ -c "$up/upper/diff/etc/motd" ] || { echo "congo made no whiteout of /etc/motd"; return 1; }
    same_under_runc "$ROOTFS $up/layer $up/upper" "$LIST; cat /etc/group" "$p" || return 1
    for gone in "/etc/motd " "/opt/old/sub "; do
        ! grep -q "^$gone" "$b.runc" || { echo "$gone is there: not honoured"; return 1; }
    done
    for want in "^/opt/old/new regular file " "^/opt/keep/file regular file " "^changed\$"; do
        grep -q "$want" "$b.runc" || { echo "no [$want] in:"; cat "$b.runc"; return 1; }
    done
}
t "an upper's whiteouts and opaque directories are honoured, and it stays as it was" upper_assembled

# A read-only root without layers is named in place: --bundle's config.json
# is --print --format oci's, and runc made nothing in it (checked above).
in_place() {
    "$CONGO" --print --format oci "$EX/stack/ci.conf" >"$WORK/ci.json" 2>/dev/null || return 1
    rm -rf "$WORK/ci-bundle"
    "$CONGO" --bundle "$WORK/ci-bundle" "$EX/stack/ci.conf" 2>/dev/null || return 1
    [ ! -e "$WORK/ci-bundle/rootfs" ] || { echo "the root was copied"; return 1; }
    cmp "$WORK/ci.json" "$WORK/ci-bundle/config.json" || return 1
    grep -q "\"path\": \"$(realpath "$ROOTFS")\"" "$WORK/ci.json"
}
t "a read-only root without layers is named in place, as --print --format oci names it" in_place

no_runc_left() {
    left=$(runc --root "$RUNC_ROOT" list -q)
    expect_eq "" "$left" "runc containers"
}
t "every runc container the test made is gone" no_runc_left

# --bundle fails whole: nothing of it is left, an existing DIR stays (empty).
not_empty() {
    mkdir -p "$WORK/full"
    echo mine >"$WORK/full/rootfs"
    expect_status 125 "$CONGO" --bundle "$WORK/full" "$EX/hello.yaml" 2>"$WORK/err" || return 1
    grep -qF "is not empty (it holds \`rootfs\`)" "$WORK/err" ||
        { cat "$WORK/err"; return 1; }
    expect_eq mine "$(cat "$WORK/full/rootfs")" "the file in DIR"
}
t "a DIR that holds anything is refused and left as it was" not_empty

not_root() {
    command -v setpriv >/dev/null || { echo "no setpriv (util-linux)"; return 1; }
    # The run form: nobody may read nothing of this test's.
    setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$CONGO" --bundle "$WORK/as-nobody" run "$ROOTFS" - - - - -- /bin/true 2>"$WORK/err"
    status=$?
    expect_eq 125 "$status" "status" || return 1
    grep -q "^congo-launch: --bundle needs root" "$WORK/err" || { cat "$WORK/err"; return 1; }
    [ ! -e "$WORK/as-nobody" ] || { echo "DIR was made"; return 1; }
}
t "--bundle without root says it needs root, and makes nothing" not_root

# Stopped while it copies a big layer: it stops, removes what it wrote, and
# dies of the signal. (TERM: a shell's background job ignores INT.)
interrupted() {
    big=$WORK/big
    mkdir -p "$big"
    i=0
    while [ $i -lt 200 ]; do
        mkdir "$big/d$i" && (cd "$big/d$i" && touch $(seq 1 150))
        i=$((i + 1))
    done
    p=$(profile big.yaml <<EOF
rootfs: $ROOTFS
layers: [$big]
command: /bin/true
EOF
)
    "$CONGO" --bundle "$WORK/big-bundle" "$p" 2>"$WORK/err" &
    pid=$!
    tries=0
    while [ ! -d "$WORK/big-bundle/rootfs/d1" ] && [ $tries -lt 500 ]; do
        sleep 0.01
        tries=$((tries + 1))
    done
    kill -TERM "$pid"
    wait "$pid"
    status=$?
    expect_eq 143 "$status" "status" || { cat "$WORK/err"; return 1; }
    grep -q "interrupted by SIGTERM" "$WORK/err" || { cat "$WORK/err"; return 1; }
    [ ! -e "$WORK/big-bundle" ] || { echo "left behind: $(ls -A "$WORK/big-bundle")"; return 1; }
}
t "a --bundle stopped by a signal leaves nothing and dies of it" interrupted

# A DIR on a file system too small for the root: the copy fails, what it
# wrote goes, and the DIR it was given (empty) stays.
no_space() {
    mkdir -p "$WORK/small"
    mount -t tmpfs -o size=256k congo-it-small "$WORK/small" || return 1
    mkdir "$WORK/small/b"
    "$CONGO" --bundle "$WORK/small/b" "$EX/hello.yaml" 2>"$WORK/err"
    status=$?
    left=$(ls -A "$WORK/small/b" 2>&1)
    umount "$WORK/small"
    expect_eq 125 "$status" "status" || { cat "$WORK/err"; return 1; }
    grep -q "No space left on device" "$WORK/err" || { cat "$WORK/err"; return 1; }
    expect_eq "" "$left" "what is left in DIR"
}
t "a --bundle that runs out of space leaves its DIR as it found it" no_space

finish
