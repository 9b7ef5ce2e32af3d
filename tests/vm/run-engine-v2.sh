#!/bin/sh
# congo-launch itself on a pure cgroup v2 kernel: containers run in a VM
# (vm-run.sh) whose only hierarchy is cgroup2 with every controller, and the
# limits are read back from inside, held (fork loop, memory), and cleaned up;
# for root, and for a user other than root in a subtree delegated to it.
# Prints TAP, one line per behaviour; exits 0 pass, 1 fail, 77 skip.
#
#   tests/vm/run-engine-v2.sh [CONGO_LAUNCH [RAMFS_ROOT]]
#
# CONGO_LAUNCH defaults to $CONGO_LAUNCH, else ./congo-launch (the build
# directory, as scripts/test.sh runs it); RAMFS_ROOT to tests/vm/ramfs-root
# beside it (make check builds it, and ns-below beside that).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

bin=${1:-${CONGO_LAUNCH:-$(pwd)/congo-launch}}
[ -x "$bin" ] || { echo "run-engine-v2: no congo-launch at \`$bin'" >&2; exit 1; }
ramfs_root=${2:-$(dirname "$bin")/tests/vm/ramfs-root}
[ -x "$ramfs_root" ] || { echo "run-engine-v2: no ramfs-root at \`$ramfs_root' (make check builds it)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/congo-engine-v2.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
"$top/scripts/mkrootfs.sh" "$tmp/rootfs" >/dev/null
# Bundles of the busybox root for congo-oci: one lists its root, one sleeps,
# one unmounts its root (it has CAP_SYS_ADMIN), says so and sleeps.
# congo-oci is congo-launch called so: here, and in the VM.
mkdir -p "$tmp/host" "$tmp/oci"
ln -s "$bin" "$tmp/host/congo-oci"
ln -s /test/congo-launch "$tmp/oci/congo-oci"
for b in ls sleep umount; do
    mkdir -p "$tmp/bundle-$b"
    "$tmp/host/congo-oci" spec --bundle "$tmp/bundle-$b"
    python3 - "$tmp/bundle-$b/config.json" "$b" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["root"]["path"] = "/test/rootfs"
c["process"]["terminal"] = False
c["process"]["args"] = {
    "ls": ["sh", "-c", "ls /; touch /x 2>/dev/null || echo read-only"],
    "sleep": ["sleep", "100"],
    "umount": ["sh", "-c", "umount -l / && echo unmounted && exec sleep 100"],
}[sys.argv[2]]
if sys.argv[2] == "umount":
    for caps in c["process"]["capabilities"].values():
        caps.append("CAP_SYS_ADMIN")
json.dump(c, open(sys.argv[1], "w"))
EOF
done

cat >"$tmp/guest.sh" <<'EOF'
# The console is a terminal: without this every run would get a pseudo-terminal.
exec </dev/null
n=0
failed=0
t() { # t NAME WANT GOT
    n=$((n + 1))
    if [ "$2" = "$3" ]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1"
        printf '# want [%s]\n# got  [%s]\n' "$2" "$3"
        failed=$((failed + 1))
    fi
}
C=/test/congo-launch
R=/test/rootfs
echo "1..26"
export CONGO_STATE_DIR=/tmp/congo-state

out=$($C run $R 50 64m 1024 - --cpus 1.5 --memory-swap 96m -- /bin/sh -c \
    'cd /sys/fs/cgroup && cat pids.max memory.max memory.swap.max cpu.weight cpu.max' 2>&1)
t "the limits are the container's cgroup files (pids.max, memory.max, memory.swap.max, cpu.weight, cpu.max)" \
    "50
67108864
33554432
100
150000 100000" "$out"

out=$($C run $R - - 2 - -- /bin/cat /sys/fs/cgroup/cpu.weight 2>&1)
t "cpu_shares 2 is cpu.weight 1" "1" "$out"

out=$($C run $R - - - - -- /bin/cat /sys/fs/cgroup/cgroup.procs 2>&1 | wc -l)
t "the container's processes are in its cgroup from the start (init and command)" "2" "$out"

$C run $R - 32m - - --memory-swap 32m -- /bin/sh -c 'head -c 64m /dev/zero | tail >/dev/null' \
    >/dev/null 2>"/tmp/oom.err"
status=$?
t "a 64 MiB allocation under memory 32m ends with 137" "137" "$status"
t "and the message names limits.memory" "yes" \
    "$(grep -q 'limits.memory' /tmp/oom.err && echo yes || cat /tmp/oom.err)"

out=$($C run $R 20 - - - -- /bin/sh -c \
    '(i=0; while [ $i -lt 60 ]; do sleep 3 & i=$((i+1)); done) 2>/dev/null; cat /sys/fs/cgroup/pids.current' 2>&1)
cur=$(echo "$out" | tail -n 1)
t "a fork loop is held at pids.max 20" "held" "$([ "$cur" -ge 15 ] 2>/dev/null && [ "$cur" -le 20 ] && echo held || echo "$out")"

# The device cgroup on v2: a BPF program on the container's cgroup. The
# latency node opens with no capability, so only the program shuts it.
DEV='head -c 4 /dev/lat | wc -c; (echo 0 >/dev/lat) 2>/dev/null && echo written; echo end'
out=$($C run $R - - - - --devices /dev/cpu_dma_latency:/dev/lat:r -- /bin/sh -c "$DEV" 2>&1)
t "devices on v2: the node is read, and not written (BPF)" "4
end" "$out"
BIND=type=bind,source=/dev/cpu_dma_latency,target=/lat,dev=true
out=$($C run $R - - - - --devices /dev/zero:/dev/z2 --mount $BIND -- \
    /bin/sh -c '(: </lat) 2>/dev/null && echo opened; echo end' 2>&1)
t "devices on v2: a node not listed stays shut, even on a dev bind" "end" "$out"
out=$($C run $R - - - - --mount $BIND -- /bin/sh -c '(: </lat) 2>/dev/null && echo opened' 2>&1)
t "without devices, no device program: the dev bind opens" "opened" "$out"

# The launcher in a cgroup that holds processes: it may not hold
# controllers for children, so the container goes to the nearest ancestor
# that can, up to /congo.
mkdir -p /sys/fs/cgroup/busy
echo $$ >/sys/fs/cgroup/busy/cgroup.procs
out=$($C run $R 7 - - - -- /bin/cat /sys/fs/cgroup/pids.max 2>&1)
t "a launcher in a busy cgroup still gets its limits" "7" "$out"
echo $$ >/sys/fs/cgroup/cgroup.procs

# Running containers on v2: --exec is cloned into the container's cgroup, and joins
# its cgroup namespace after: with nsdelegate, as systemd mounts cgroup2, the kernel
# refuses a move into a cgroup namespace from a cgroup outside it.
mount -o remount,nsdelegate /sys/fs/cgroup
id=$($C --detach --name ns run $R 30 - - - --namespaces cgroup=true -- sleep 100 2>&1)
out=$($C --exec ns -- /bin/cat /proc/self/cgroup 2>&1)
t "--exec into a container with a cgroup namespace: in its cgroup, at its namespace's root"     "0::/" "$out"
out=$($C --exec "$id" -- /bin/sh -c 'cat /sys/fs/cgroup/pids.max; exit 5' 2>&1)
status=$?
t "--exec sees the container's limits and returns the command's status" "30 5" "$out $status"
$C --stop "$id" >/dev/null 2>&1
t "--stop ends it, and its entry goes" "" "$(ls /tmp/congo-state)"

# A user other than root, in a subtree delegated to it as systemd delegates
# user@.service and a Delegate=yes scope: /user and /user/scope are the
# user's (the directory, cgroup.procs, cgroup.subtree_control,
# cgroup.threads), and the launcher runs alone in the scope, as under
# `systemd-run --user --scope -p Delegate=yes`. The user has no subordinate
# ids here: its own uid is root inside.
echo "+pids +memory +cpu" >/sys/fs/cgroup/cgroup.subtree_control
mkdir -p /sys/fs/cgroup/user/scope /tmp/ustate
for d in /sys/fs/cgroup/user /sys/fs/cgroup/user/scope; do
    chown 1001:1001 $d $d/cgroup.procs $d/cgroup.subtree_control $d/cgroup.threads
done
chown 1001:1001 /tmp/ustate
chmod 700 /tmp/ustate
as_user() { # as_user CGROUP CMD...: CMD as uid 1001, alone in CGROUP
    cg=$1
    shift
    sh -c 'echo $$ >"$0/cgroup.procs"; exec /test/setpriv --reuid=1001 --regid=1001 --clear-groups \
        env CONGO_STATE_DIR=/tmp/ustate "$@"' "$cg" "$@"
}
out=$(as_user /sys/fs/cgroup/user/scope $C run $R 20 32m 512 - -- /bin/sh -c \
    'cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.weight; id -u; tr -s " " </proc/self/uid_map' 2>&1)
t "rootless in a delegated subtree: the limits are the container's cgroup files, root inside is uid 1001" \
    "20
33554432
58
0
 0 1001 1" "$out"
out=$(as_user /sys/fs/cgroup/user/scope $C run $R 20 - - - -- /bin/sh -c \
    '(i=0; while [ $i -lt 60 ]; do sleep 3 & i=$((i+1)); done) 2>/dev/null; cat /sys/fs/cgroup/pids.current' 2>&1)
cur=$(echo "$out" | tail -n 1)
t "rootless: a fork loop is held at pids.max 20" "held" "$([ "$cur" -ge 15 ] 2>/dev/null && [ "$cur" -le 20 ] && echo held || echo "$out")"
as_user /sys/fs/cgroup/user/scope $C run $R - 32m - - --memory-swap 32m -- /bin/sh -c \
    'head -c 64m /dev/zero | tail >/dev/null' >/dev/null 2>/tmp/uoom.err
t "rootless: a 64 MiB allocation under memory 32m ends with 137" "137" "$?"
left=$(find /sys/fs/cgroup/user -name 'congo-*' -type d | wc -l)
t "rootless: the containers' cgroups are gone from the delegated subtree" "0" "$left"
# Outside it (the launcher in the root cgroup, which is root's), a limit cannot hold.
err=$(as_user /sys/fs/cgroup $C run $R 20 - - - -- /bin/true 2>&1)
t "rootless without a delegated cgroup: a limit is refused (125), naming the key" \
    "125 yes" "$? $(echo "$err" | grep -q 'limits.pids: a limit cannot be enforced' && echo yes || echo "$err")"

# congo-oci on the initial ramfs, the root of a system that runs from its
# initramfs, which pivot_root cannot leave: ramfs-root runs it there.
O="/test/ramfs-root /test/oci/congo-oci --root /tmp/oci-state"
out=$($O run --bundle /test/bundle-ls np 2>&1)
t "on the initial ramfs, congo-oci run fails (1) and points at --no-pivot" "1 yes" \
    "$? $(echo "$out" | grep -q 'needs --no-pivot' && echo yes || echo "$out")"
out=$($O run --no-pivot --bundle /test/bundle-ls np 2>&1)
t "with --no-pivot, the command runs in its own root, read-only as asked" \
    "$(echo $(ls /test/rootfs)) read-only" "$(echo $out)"
$O create --no-pivot --bundle /test/bundle-sleep np >/dev/null 2>&1 && $O start np 2>&1
out=$($O exec np /bin/sh -c 'ls /; exit 3' 2>&1)
status=$?
$O delete --force np >/dev/null 2>&1
t "exec into a --no-pivot container: in its root, with the command's status" \
    "$(echo $(ls /test/rootfs)) 3" "$(echo $out) $status"
# setns gives the top of the namespace's root: below a root moved over it,
# once the container unmounted it, congo's scratch tmpfs. exec goes to the
# command's root.
$O create --no-pivot --bundle /test/bundle-umount np >/tmp/np-umount.out 2>&1 && $O start np 2>&1
i=0
while ! grep -q unmounted /tmp/np-umount.out && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
out=$($O exec np /bin/ls / 2>&1)
$O delete --force np >/dev/null 2>&1
t "a --no-pivot container that unmounts its / does not send exec below it" \
    "unmounted $(echo $(ls /test/rootfs))" "$(cat /tmp/np-umount.out) $(echo $out)"
# Layer by layer below the root: the container's, the scratch tmpfs, then
# the ramfs, whose /bin is empty: the VM's mounts were detached from it.
$O create --no-pivot --bundle /test/bundle-sleep np >/dev/null 2>&1 && $O start np 2>&1
pid=$($O state np | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
layers=$(ASAN_OPTIONS=detect_leaks=0 /test/ns-below "$pid" 2>&1)
$O delete --force np >/dev/null 2>&1
t "below a --no-pivot container's root: the scratch tmpfs, then the ramfs without the VM's mounts" \
    "3 0" "$(echo "$layers" | wc -l) $(echo "$layers" | tail -n 1 | sed 's|.*/bin ||')"
out=$(/test/ramfs-root $C run $R - - - - -- /bin/true 2>&1)
t "on the initial ramfs, congo-launch fails (125) and points at --no-pivot" "125 yes" \
    "$? $(echo "$out" | grep -q 'needs --no-pivot' && echo yes || echo "$out")"
out=$(/test/ramfs-root $C --no-pivot run $R 10 - - - -- /bin/sh -c 'cat /sys/fs/cgroup/pids.max; ls /' 2>&1)
t "congo-launch --no-pivot runs there, with its limits" "10 $(echo $(ls /test/rootfs))" "$(echo $out)"
left=$(find /sys/fs/cgroup -name 'congo-*' -type d | wc -l)
t "no congo cgroup is left after the runs" "0" "$left"
[ "$failed" = 0 ]
EOF

# util-linux's setpriv (busybox's cannot change the uid), with its libraries.
setpriv=$(command -v setpriv) || { echo "run-engine-v2: SKIP: no setpriv (util-linux)" >&2; exit 77; }
"$here/vm-run.sh" --module overlay --file "$bin:/test/congo-launch" --file "$setpriv:/test/setpriv" \
    --file "$tmp/rootfs:/test/rootfs" --file "$ramfs_root:/test/ramfs-root" \
    --file "$(dirname "$ramfs_root")/ns-below:/test/ns-below" \
    --file "$tmp/bundle-ls:/test/bundle-ls" --file "$tmp/bundle-sleep:/test/bundle-sleep" \
    --file "$tmp/bundle-umount:/test/bundle-umount" \
    --file "$tmp/oci:/test/oci" --timeout "${CONGO_VM_TIMEOUT:-240}" "$tmp/guest.sh"
