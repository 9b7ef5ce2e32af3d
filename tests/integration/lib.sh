# Shared by the integration tests: TAP output, a busybox root built once,
# and checks that the host is left as it was. Sourced by each test file.
#
# Each test file calls `plan`, then `t NAME COMMAND...` per behaviour, then
# `finish`. A test passes when its command exits 0; `skip_all REASON` skips
# a whole file (status 77 for the harness, "1..0 # SKIP" for TAP).

set -u

# SUBREAPER=1 before sourcing: the file runs again under a child subreaper,
# which reaps every orphan as an engine (conmon, containerd's shim) reaps
# a container's processes, whatever the host's PID 1 does with them.
if [ -n "${SUBREAPER:-}" ] && [ -z "${CONGO_IT_SUBREAPER:-}" ]; then
    CONGO_IT_SUBREAPER=1 exec python3 -c '
import ctypes, os, signal, sys
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
pid = os.fork()
if pid == 0:
    os.execvp("sh", ["sh"] + sys.argv[1:])
while True:
    p, st = os.waitpid(-1, 0)
    if p == pid:
        sys.exit(os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st))
' "$0" "$@"
fi

# A run whose stdin is a terminal gets a pseudo-terminal (\r\n endings, echo):
# the tests are not interactive even when `make check` runs from a terminal.
exec </dev/null

CONGO=${CONGO_LAUNCH:-$(pwd)/congo-launch}
SRCDIR=${CONGO_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
n=0
failed=0

skip_all() {
    echo "1..0 # SKIP $*"
    exit 0
}

[ "$(id -u)" = 0 ] || skip_all "integration tests run containers and need root"
[ -x "$CONGO" ] || skip_all "no congo-launch at $CONGO"

# A scratch directory per test file, removed on exit even when a test fails.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/congo-it.XXXXXX")
cleanup_work() {
    # Nothing of ours may stay mounted below WORK; then remove it.
    grep -F " $WORK" /proc/self/mountinfo | awk '{print $5}' | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup_work EXIT
# congo-oci's containers (which congo-launch --list shows too) live in the
# file's own directory unless a test says otherwise: never the host's.
CONGO_OCI_ROOT=$WORK/oci-default-root
export CONGO_OCI_ROOT
# So are congo-launch's entries: a launcher a test kills leaves its entry
# until a command reads the directory, which must not be the host's
# /run/congo (a test of the default says `env -u CONGO_STATE_DIR`).
CONGO_STATE_DIR=$WORK/state
export CONGO_STATE_DIR

# The busybox root, built once per build tree and shared read-only by every test.
ROOTFS=${CONGO_TEST_ROOTFS:-$(pwd)/tests/integration/rootfs}
# Test files start in parallel: one builds the root, the others wait for it.
mkdir -p "$(dirname "$ROOTFS")"
flock "$ROOTFS.lock" sh -c '[ -x "$1/bin/busybox" ] || "$2/scripts/mkrootfs.sh" "$1" >/dev/null' \
    sh "$ROOTFS" "$SRCDIR" || skip_all "cannot build the busybox root"

# A test that fails half-way may leave a detached container running: on the
# way out, whatever still has an entry in $CONGO_STATE_DIR is killed, and its
# launcher given 5 s to clean up, before WORK goes.
kill_detached() {
    for entry in "$CONGO_STATE_DIR"/*; do
        [ -f "$entry/state.json" ] || continue
        "$CONGO" --kill "${entry##*/}" 2>/dev/null
        launcher=$(sed -n 's/.*"launcher_pid": \([0-9]*\).*/\1/p' "$entry/state.json")
        i=0
        while [ -n "$launcher" ] && kill -0 "$launcher" 2>/dev/null && [ $i -lt 50 ]; do
            sleep 0.1
            i=$((i + 1))
        done
    done
}

# congo-launch run on the test root with no limits: ctr [RUN OPTIONS] -- CMD...
ctr() {
    "$CONGO" run "$ROOTFS" - - - - "$@"
}

# attack_programs DIR PROG...: tests/integration/attack/PROG.c built static
# into DIR (the busybox root has no libc). Prints why when it cannot, for
# the tests that need them to SKIP with: helpers_missing=$(attack_programs ...).
attack_programs() {
    dir=$1
    shift
    mkdir -p "$dir"
    command -v gcc >/dev/null || { echo "no gcc to build the attack programs"; return 1; }
    for prog in "$@"; do
        gcc -static -O1 -o "$dir/$prog" "$SRCDIR/tests/integration/attack/$prog.c" >"$WORK/gcc.log" 2>&1 || {
            echo "gcc -static cannot build $prog.c (no static libc?): $(head -n 3 "$WORK/gcc.log")"
            return 1
        }
    done
}

# Why a bind from WORK cannot show suid or dev, if it cannot: the host's own
# mount of WORK is nosuid or nodev (a bind keeps its source's flags), or its
# flags are unknown. Prints nothing when it can.
work_suid_dev_hidden() {
    flags=$(findmnt -n -o OPTIONS -T "$WORK" 2>/dev/null)
    case ,$flags, in
    ,,) echo "findmnt cannot tell the host's flags for $WORK" ;;
    *,nosuid,* | *,nodev,*) echo "the host mounts $WORK $flags: suid and dev cannot show" ;;
    esac
}

# A user of the test file's own, with a subordinate range it knows (userns.sh,
# slurm.sh). test_user_add NAME SUB COUNT: the user, home WORK/home, and the
# range SUB..SUB+COUNT-1; or prints why not and returns 1. test_user_remove
# NAME SUB COUNT: its processes (by pid), its range, the user and its home.
test_user_add() {
    # No range of useradd's choosing (login.defs): the tests give it one they know.
    if ! useradd -d "$WORK/home" -m -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$1" \
        >"$WORK/useradd.log" 2>&1; then
        echo "useradd $1 failed: $(head -n 2 "$WORK/useradd.log")"
        return 1
    fi
    if ! usermod --add-subuids "$2-$(($2 + $3 - 1))" --add-subgids "$2-$(($2 + $3 - 1))" "$1" \
        >"$WORK/usermod.log" 2>&1; then
        echo "usermod --add-subuids failed: $(head -n 2 "$WORK/usermod.log")"
        return 1
    fi
}
test_user_remove() {
    id "$1" >/dev/null 2>&1 || return 0
    for p in $(ps -u "$1" -o pid= 2>/dev/null); do
        kill -KILL "$p" 2>/dev/null
    done
    usermod --del-subuids "$2-$(($2 + $3 - 1))" --del-subgids "$2-$(($2 + $3 - 1))" "$1" 2>/dev/null
    userdel -r "$1" 2>/dev/null
}

# Write a profile into WORK: profile NAME <<EOF ... EOF; prints its path.
profile() {
    cat >"$WORK/$1"
    echo "$WORK/$1"
}

# refused FILE WANT: `--check FILE` fails with status 1 and prints exactly WANT.
refused() {
    out=$("$CONGO" --check "$1" 2>&1)
    status=$?
    expect_eq 1 "$status" "status of --check $1" || return 1
    expect_eq "$2" "$out" "the message for $1"
}

# both NAME YAML CONF WANT_YAML WANT_CONF: the same mistake in each format;
# in WANT, %s stands for the file's path and %% for a %.
both() {
    y=$(printf '%s' "$2" | profile "$1.yaml")
    c=$(printf '%s' "$3" | profile "$1.conf")
    refused "$y" "$(printf '%s' "$4" | sed "s|%s|$y|g; s|%%|%|g")" || return 1
    refused "$c" "$(printf '%s' "$5" | sed "s|%s|$c|g; s|%%|%|g")"
}

# oci_bundle NAME [PYTHON]: WORK/NAME with a copy of the test root and a config
# from `congo-oci spec`, changed by the Python statements (on the dict c).
oci_bundle() {
    dir=$WORK/$1
    mkdir -p "$dir"
    [ -d "$dir/rootfs" ] || cp -a "$ROOTFS" "$dir/rootfs"
    rm -f "$dir/config.json"
    "$(dirname "$CONGO")/congo-oci" spec --bundle "$dir" || return 1
    python3 - "$dir/config.json" "c['process']['terminal'] = False
${2:-pass}" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(c, open(sys.argv[1], "w"), indent=1)
EOF
    echo "$dir"
}

# Every file ends with one more test: the host is left as it was.
plan() {
    echo "1..$(($1 + 1))"
    mounts_before=$(host_mounts)
    stale_before=$(stale_cgroups)
}

# t NAME CMD...: one behaviour. Output of a failing test goes to the TAP log.
t() {
    name=$1
    shift
    n=$((n + 1))
    out=$("$@" 2>&1)
    status=$?
    if [ "$status" = 0 ]; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name"
        printf '%s\n' "$out" | sed 's/^/# /'
        failed=$((failed + 1))
    fi
}

# t_unless REASON NAME CMD...: t NAME CMD..., or SKIP with REASON when there is one.
t_unless() {
    reason=$1
    shift
    if [ -z "$reason" ]; then
        t "$@"
    else
        n=$((n + 1))
        echo "ok $n - $1 # SKIP $reason"
    fi
}

# Assertions for use inside test functions: print why, return 1.
expect_eq() { # expect_eq WANT GOT [WHAT]
    [ "$1" = "$2" ] && return 0
    echo "${3:-value}: want [$1], got [$2]"
    return 1
}
expect_status() { # expect_status WANT CMD...
    want=$1
    shift
    "$@"
    got=$?
    [ "$got" = "$want" ] && return 0
    echo "status of $*: want $want, got $got"
    return 1
}

# The host's mount table. Containers live in their own mount namespaces, so
# it must not change at all while the tests run; only the test files' own
# scratch directories (this one's, or another's running beside it) may.
host_mounts() {
    awk '{print $5, $9}' /proc/self/mountinfo | grep -v "^${WORK%/*}/congo-it\." | sort
}

# congo cgroups whose launcher is gone: none may be left once a run returns.
# (Other test files may have containers running right now; those are alive.)
stale_cgroups() {
    find /sys/fs/cgroup -maxdepth 8 -type d -name 'congo-*' 2>/dev/null | while read -r d; do
        base=${d##*/}
        start=${base##*-}
        rest=${base%-*}
        pid=${rest##*-}
        # Only congo's own names, congo-NAME-PID-STARTTIME, are a run's cgroup.
        case $pid$start in *[!0-9]* | '') continue ;; esac
        now=$(awk '{sub(/.*\) /, ""); print $20}' "/proc/$pid/stat" 2>/dev/null)
        # A launcher that exited since find listed it removed its cgroup first.
        [ "$now" = "$start" ] || [ ! -d "$d" ] || echo "$d"
    done
}

host_unchanged() {
    mounts_after=$(host_mounts)
    if [ "$mounts_before" != "$mounts_after" ]; then
        echo "the host's mount table changed:"
        printf 'before:\n%s\nafter:\n%s\n' "$mounts_before" "$mounts_after"
        return 1
    fi
    # A stale cgroup already there when the file started is not this file's:
    # another run on the machine, killed, left it; only new ones count.
    left=$(stale_cgroups | grep -vxF -e "${stale_before:-/}")
    if [ -n "$left" ]; then
        echo "congo cgroups left behind: $left"
        return 1
    fi
}

finish() {
    t "the host's mounts and cgroups are as before" host_unchanged
    exit "$((failed > 0))"
}
