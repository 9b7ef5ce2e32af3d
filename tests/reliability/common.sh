# Shared by the reliability tests (load.sh, faults.sh): where the binary and
# the test root are, then tests/integration/lib.sh (TAP, WORK, ROOTFS, ctr),
# then the checks that the host keeps nothing of the runs this script started.
#
# Runnable from the source tree or a build tree:
#   CONGO_LAUNCH  the binary; default ./build/rel/congo-launch, then
#                 ./congo-launch, then build/rel/congo-launch of the sources
#   CONGO_TEST_ROOTFS  the busybox root; default tests/integration/rootfs
#                 next to the binary (where `make check` builds it)

RELDIR=$(cd "$(dirname "$0")" && pwd)
CONGO_SRCDIR=${CONGO_SRCDIR:-$(cd "$RELDIR/../.." && pwd)}
if [ -z "${CONGO_LAUNCH:-}" ]; then
    for c in "$(pwd)/build/rel/congo-launch" "$(pwd)/congo-launch" \
        "$CONGO_SRCDIR/build/rel/congo-launch"; do
        if [ -x "$c" ]; then
            CONGO_LAUNCH=$c
            break
        fi
    done
fi
CONGO_LAUNCH=${CONGO_LAUNCH:-$(pwd)/congo-launch}
CONGO_TEST_ROOTFS=${CONGO_TEST_ROOTFS:-$(cd "$(dirname "$CONGO_LAUNCH")" 2>/dev/null && pwd)/tests/integration/rootfs}
export CONGO_SRCDIR CONGO_LAUNCH CONGO_TEST_ROOTFS

. "$CONGO_SRCDIR/tests/integration/lib.sh"

# Milliseconds since an arbitrary point (GNU date).
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# What is in /tmp, but the scratch directories of integration test files
# (this one's, or another's running beside it). congo-launch itself must
# never add anything: its scratch space lives in the container's own mount
# namespace.
tmp_entries() {
    ls -A /tmp | grep -v '^congo-it\.' | sort
}

# The launchers run with TMPDIR set to an empty directory of ours, which
# must stay empty; /tmp is compared with a snapshot taken at the start.
LAUNCHER_TMPDIR=$WORK/launcher-tmp
mkdir -p "$LAUNCHER_TMPDIR"
tmp_entries >"$WORK/tmp.before"

# check_tmp: nothing new in /tmp nor in the launchers' TMPDIR. On a host
# shared with other work (CONGO_SHARED_HOST=1), /tmp changes under our feet
# and a new entry cannot be told apart from ours: then only the names of
# congo's own scratch root (oldroot, newroot, upper, work, empty) or a
# congo-launch* name fail, and the count of the others is noted in
# $WORK/tmp.note. Leaves the new entries in $WORK/tmp.new.
check_tmp() {
    tmp_entries >"$WORK/tmp.after"
    comm -13 "$WORK/tmp.before" "$WORK/tmp.after" >"$WORK/tmp.new"
    own=$(ls -A "$LAUNCHER_TMPDIR")
    [ -z "$own" ] || { echo "left in the launchers' TMPDIR $LAUNCHER_TMPDIR: $own"; return 1; }
    [ -s "$WORK/tmp.new" ] || return 0
    if [ "${CONGO_SHARED_HOST:-0}" = 1 ]; then
        ours=$(grep -xE 'oldroot|newroot|upper|work|empty|congo-launch.*' "$WORK/tmp.new")
        [ -z "$ours" ] || { echo "congo's scratch names in /tmp: $ours"; return 1; }
        echo "$(wc -l <"$WORK/tmp.new") new entries in /tmp, none with a name congo uses (CONGO_SHARED_HOST=1: not checked further)" >"$WORK/tmp.note"
        return 0
    fi
    echo "new in /tmp (set CONGO_SHARED_HOST=1 on a host where other work writes to /tmp):"
    cat "$WORK/tmp.new"
    return 1
}

# The start time of a process (field 22 of /proc/PID/stat), or nothing.
starttime_of() {
    awk '{sub(/.*\) /, ""); print $20}' "/proc/$1/stat" 2>/dev/null
}

# cgroups_of_pids FILE: every congo-NAME-PID-STARTTIME cgroup on the host
# whose PID is listed in FILE (one launcher pid a line, the launchers this
# script started) and whose launcher is gone. A live process that got the
# same pid since has another start time, so it is told apart.
cgroups_of_pids() {
    find /sys/fs/cgroup -maxdepth 16 -type d -name 'congo-*' 2>/dev/null |
        awk -v pidfile="$1" '
            BEGIN { while ((getline p < pidfile) > 0) mine[p] = 1 }
            {
                n = split($0, part, "/"); base = part[n]
                m = split(base, f, "-")
                if (m >= 4 && (f[m - 1] in mine)) print $0 " " f[m - 1] " " f[m]
            }' |
        while read -r dir pid start; do
            [ "$(starttime_of "$pid")" = "$start" ] || [ ! -d "$dir" ] || echo "$dir"
        done
}

# procs_with MARK: processes whose command line holds MARK (a string only
# this script's runs carry), as "PID ARGS" lines. The pattern is written so
# that grep's own command line does not match it.
procs_with() {
    first=$(printf '%s' "$1" | cut -c1)
    rest=$(printf '%s' "$1" | cut -c2-)
    for f in $(grep -l -a -- "[$first]$rest" /proc/[0-9]*/cmdline 2>/dev/null); do
        p=${f#/proc/}
        p=${p%/cmdline}
        [ "$p" = "$$" ] && continue
        args=$(tr '\0' ' ' <"$f" 2>/dev/null) || continue
        [ -n "$args" ] && echo "$p $args"
    done
}

# A TAP skip, for what this host cannot show.
skip() {
    n=$((n + 1))
    echo "ok $n - $1 # SKIP $2"
}

# wait_for FILE PATTERN [SECONDS]: poll for PATTERN in FILE (default 5 s).
wait_for() {
    i=0
    limit=$((${3:-5} * 20))
    while ! grep -q "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -le "$limit" ] || { echo "no \"$2\" in $1 after ${3:-5} s:"; cat "$1"; return 1; }
        sleep 0.05
    done
}
