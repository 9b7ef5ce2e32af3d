#!/bin/sh
# congo-launch itself on a pure cgroup v2 kernel: containers run in a VM
# (vm-run.sh) whose only hierarchy is cgroup2 with every controller, and the
# limits are read back from inside, held (fork loop, memory), and cleaned up.
# Prints TAP, one line per behaviour; exits 0 pass, 1 fail, 77 skip.
#
#   tests/vm/run-engine-v2.sh [CONGO_LAUNCH]
#
# CONGO_LAUNCH defaults to $CONGO_LAUNCH, else ./congo-launch (the build
# directory, as scripts/test.sh runs it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

bin=${1:-${CONGO_LAUNCH:-$(pwd)/congo-launch}}
[ -x "$bin" ] || { echo "run-engine-v2: no congo-launch at \`$bin'" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/congo-engine-v2.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
"$top/scripts/mkrootfs.sh" "$tmp/rootfs" >/dev/null

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
echo "1..11"
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

left=$(find /sys/fs/cgroup -name 'congo-*' -type d | wc -l)
t "no congo cgroup is left after the runs" "0" "$left"
[ "$failed" = 0 ]
EOF

"$here/vm-run.sh" --module overlay --file "$bin:/test/congo-launch" \
    --file "$tmp/rootfs:/test/rootfs" --timeout "${CONGO_VM_TIMEOUT:-240}" "$tmp/guest.sh"
