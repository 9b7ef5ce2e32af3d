#!/bin/sh
# Every unit test and congo-launch itself under valgrind memcheck: no leak
# and no invalid access in congo's code.
#
#   tests/valgrind.sh [-b BUILDDIR] [-j JOBS]
#
# Builds without sanitizers (valgrind and ASan do not mix) in BUILDDIR
# (default build/valgrind, configured here when it is not), then runs
#   - every unit test program, tests/unit/test-*, with CONGO_LAUNCH pointing
#     at a wrapper so that the congo-launch the tests start runs under
#     valgrind too;
#   - congo-launch --check, --check --fragment, --print, --print --format conf
#     --show-origin and --print-cli on every profile of examples/, profiles/
#     and tests/data/ (failing profiles included: their error paths count);
#   - as root, a few real runs (--trace-children=no: the command the
#     container execs is not congo's code).
# A process forked without exec (the container child, a test's child) is
# not reported (--child-silent-after-fork): its heap is its parent's, so
# every leak report there would be noise.
# A leak of kind definite or indirect, an invalid read or write, a use of
# uninitialised memory or a bad syscall argument fails the run; each log is
# kept in BUILDDIR/valgrind-logs/. Only libraries' and valgrind's own known
# issues are suppressed (tests/valgrind.supp says why for each).
# Test cases that fail under valgrind only (valgrind 3.19 has no seccomp(2)
# or openat2(2), and runs exec in a forked child its own way) are listed,
# checked to pass without valgrind, and the leaks inside them ignored: cmocka
# leaves a failed case by longjmp. They run under ASan in scripts/test.sh.
# Exit status: 0 clean, 1 a finding, 77 valgrind is not installed (SKIP).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build/valgrind
jobs=$(nproc 2>/dev/null || echo 1)
while getopts b:j: opt; do
    case $opt in
    b) build=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *) echo "usage: tests/valgrind.sh [-b BUILDDIR] [-j JOBS]" >&2; exit 2 ;;
    esac
done
command -v valgrind >/dev/null || { echo "valgrind.sh: SKIP: valgrind is not installed" >&2; exit 77; }

start=$(date +%s)
mkdir -p "$build"
build=$(cd "$build" && pwd)
# Dynamically linked: in a static binary valgrind cannot replace malloc, and
# every allocation reads as an error.
if [ ! -f "$build/Makefile" ] || grep -q '^LAUNCHER_LDFLAGS = -static' "$build/Makefile"; then
    [ -x "$top/configure" ] || { echo "valgrind.sh: no configure; run autoreconf -fi first" >&2; exit 1; }
    (cd "$build" && "$top/configure" --disable-static-launcher >configure.log 2>&1) ||
        { cat "$build/configure.log"; exit 1; }
fi
if grep -q '^SANITIZER_CFLAGS = .*-fsanitize' "$build/Makefile"; then
    echo "valgrind.sh: $build is configured with sanitizers; give another build directory" >&2
    exit 1
fi
# `make check TESTS=` builds every check program and runs none.
(cd "$build" && make -j"$jobs" >make.log 2>&1 && make -j"$jobs" check TESTS= >>make.log 2>&1) ||
    { tail -n 40 "$build/make.log"; exit 1; }
built=$(date +%s)

logs=$build/valgrind-logs
rm -rf "$logs"
mkdir -p "$logs"
# 97: not a status congo or a test uses, so a valgrind finding is never mistaken for one.
# Every leak kind that counts is shown too: an indirect leak not shown as its own record
# would count in the error summary without a stack to tell where it came from.
vg="valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --error-exitcode=97
    --track-fds=no --trace-children=no --child-silent-after-fork=yes --num-callers=30
    --suppressions=$top/tests/valgrind.supp"

# The congo-launch the unit tests start, under valgrind; stderr stays the program's own.
wrapper=$build/valgrind-congo-launch
cat >"$wrapper" <<EOF
#!/bin/sh
exec $(echo $vg) --log-file='$logs/launch.%p.log' '$build/congo-launch' "\$@"
EOF
chmod +x "$wrapper"

# One job: NAME then the command. Writes NAME.out and NAME.%p.log, one log
# per process (a forked child gets its own), and NAME.status.
cat >"$logs/job.sh" <<EOF
#!/bin/sh
name=\$1; shift
cd '$build' || exit 1
$(echo $vg) --log-file='$logs/'"\$name"'.%p.log' "\$@" >'$logs/'"\$name"'.out' 2>&1 </dev/null
echo \$? >'$logs/'"\$name"'.status'
EOF
chmod +x "$logs/job.sh"
mkdir -p "$logs/tmp"

# ---- the job list: NAME<TAB>ARGV (words separated by spaces; no path holds one)
list=$logs/jobs
: >"$list"
for t in "$build"/tests/unit/test-*; do
    [ -x "$t" ] && [ -f "$t" ] || continue
    case $t in *.o | *.log | *.trs) continue ;; esac
    printf 'unit-%s\t%s\n' "$(basename "$t")" "$t" >>"$list"
done
profiles=$(cd "$top" && find examples profiles tests/data -path examples/rootfs -prune -o \
    -path tests/data/fuzz-regressions -prune -o -type f \
    \( -name '*.yaml' -o -name '*.yml' -o -name '*.conf' -o -name '*.cfg' \) -print | LC_ALL=C sort)
for f in $profiles; do
    n=$(printf '%s' "$f" | tr '/.' '--')
    p=$top/$f
    printf 'check-%s\t%s --check %s\n' "$n" "$build/congo-launch" "$p" >>"$list"
    printf 'fragment-%s\t%s --check --fragment %s\n' "$n" "$build/congo-launch" "$p" >>"$list"
    printf 'print-%s\t%s --print %s\n' "$n" "$build/congo-launch" "$p" >>"$list"
    printf 'printconf-%s\t%s --print --format conf --show-origin %s\n' "$n" "$build/congo-launch" "$p" >>"$list"
    printf 'printcli-%s\t%s --print-cli %s\n' "$n" "$build/congo-launch" "$p" >>"$list"
done

# Real runs need root and a rootfs. valgrind 3.19 implements neither seccomp(2)
# nor openat2(2): the filter is left out (seccomp=unconfined), and the child
# fails where it first resolves a path in the root with openat2 (/proc). What
# is checked is the parent's whole life around a failing child (cgroup, clone,
# sync, error report, clean-up) and the child up to that point; the success
# path is the integration tests' under ASan (scripts/test.sh).
real_runs=0
if [ "$(id -u)" = 0 ]; then
    rootfs=$build/rootfs
    [ -x "$rootfs/bin/busybox" ] || "$top/scripts/mkrootfs.sh" "$rootfs" >"$logs/mkrootfs.log" 2>&1 ||
        { cat "$logs/mkrootfs.log"; exit 1; }
    set_root="--set rootfs=$rootfs --set seccomp=unconfined"
    printf 'run-hello\t%s %s %s\n' "$build/congo-launch" "$set_root" "$top/examples/hello.yaml" >>"$list"
    printf 'run-layered\t%s %s %s\n' "$build/congo-launch" "$set_root" "$top/examples/layered.yaml" >>"$list"
    printf 'run-pids\t%s %s %s\n' "$build/congo-launch" "$set_root" "$top/examples/limits/pids.yaml" >>"$list"
    printf 'run-positional\t%s run %s 20 64m 512 A=1,B=2 --seccomp unconfined -- /bin/true\n' \
        "$build/congo-launch" "$rootfs" >>"$list"
    printf 'run-missing-rootfs\t%s run %s/none - - - - --seccomp unconfined -- /bin/true\n' \
        "$build/congo-launch" "$build" >>"$list"
    real_runs=5
else
    echo "valgrind.sh: SKIP real runs: they need root"
fi

# ---- run, $jobs at a time (a test's own working files go to its $TMPDIR)
total=$(wc -l <"$list")
echo "valgrind.sh: $total programs under valgrind, $jobs at a time"
tr '\t' ' ' <"$list" | env CONGO_SRCDIR="$top" CONGO_LAUNCH="$wrapper" TMPDIR="$logs/tmp" \
    xargs -P "$jobs" -L 1 "$logs/job.sh"
finished=$(date +%s)

# ---- verdict
# A log's findings: errors other than leaks always count; a definite or
# indirect leak counts unless its stack runs through a test case that failed
# (cmocka leaves a failed case by longjmp, so its locals are never freed).
# Prints the findings that count and returns 1 when there are any.
findings() {
    awk -v failed=" $2 " '
    function flush() {
        if (rec != "" && !artifact) { real++; print rec }
        rec = ""; artifact = 0; inleak = 0
    }
    /^==[0-9]+== ERROR SUMMARY: / { total = $4 }
    /bytes in [0-9,]+ blocks are (definitely|indirectly) lost/ { flush(); inleak = 1; leaks++; rec = $0; next }
    inleak && /^==[0-9]+== *$/ { flush(); next }
    inleak {
        rec = rec "\n" $0
        for (i = 1; i <= NF; i++) if (index(failed, " " $i " ")) artifact = 1
        next
    }
    END {
        flush()
        if (total - leaks > 0) {
            printf "%d error(s) other than leaks: see %s\n", total - leaks, FILENAME
            real++
        }
        exit real > 0
    }' "$1"
}

status=0
limited=
while IFS='	' read -r name argv; do
    s=$(cat "$logs/$name.status" 2>/dev/null || echo missing)
    failed_cases=
    case $name in
    unit-*)
        if [ "$s" != 0 ]; then
            failed_cases=$(sed -n 's/^\[  FAILED  \] \(test_[A-Za-z0-9_]*\)$/\1/p' "$logs/$name.out" |
                sort -u | tr '\n' ' ')
            # Failing under valgrind only: a process-level case valgrind cannot run.
            if (cd "$build" && env CONGO_SRCDIR="$top" CONGO_LAUNCH="$build/congo-launch" \
                    TMPDIR="$logs/tmp" $argv >"$logs/$name.native.out" 2>&1 </dev/null); then
                limited="$limited
  ${name#unit-}: $failed_cases"
            else
                status=1
                echo "valgrind.sh: FAIL: $name fails without valgrind too:" >&2
                tail -n 30 "$logs/$name.native.out" >&2
            fi
        fi
        ;;
    check-* | fragment-* | print*-*)
        case $s in 0 | 1) ;; *) status=1; echo "valgrind.sh: FAIL: $name exited $s: $argv" >&2
            tail -n 20 "$logs/$name.out" >&2 ;; esac
        ;;
    run-*)
        case $s in 0 | 125) ;; *) status=1; echo "valgrind.sh: FAIL: $name exited $s: $argv" >&2
            tail -n 20 "$logs/$name.out" >&2 ;; esac
        ;;
    esac
    for log in "$logs/$name".[0-9]*.log; do
        [ -f "$log" ] || continue
        if ! out=$(findings "$log" "$failed_cases"); then
            status=1
            echo "valgrind.sh: FAIL: $name: $log" >&2
            grep -m1 'Command:' "$log" >&2 || true
            printf '%s\n' "$out" | head -n 80 >&2
        fi
    done
done <"$list"
# A wrapper log (a congo-launch a unit test started) has no job of its own.
for log in "$logs"/launch.*.log; do
    [ -f "$log" ] || continue
    if ! out=$(findings "$log" ""); then
        status=1
        echo "valgrind.sh: FAIL: congo-launch started by a unit test: $log" >&2
        grep -m1 'Command:' "$log" >&2 || true
        printf '%s\n' "$out" | head -n 80 >&2
    fi
done
if [ -n "$limited" ]; then
    echo "valgrind.sh: cases that fail under valgrind only (they pass natively; run them under ASan"
    echo "  with scripts/test.sh): exec in a forked child, seccomp(2) and openat2(2) are beyond valgrind:$limited"
fi
# Which real runs got how far: under valgrind 3.19 the child stops at openat2.
for name in $(sed -n 's/^\(run-[^	]*\)	.*/\1/p' "$list"); do
    s=$(cat "$logs/$name.status" 2>/dev/null || echo missing)
    echo "valgrind.sh: $name: status $s: $(tail -n 1 "$logs/$name.out")"
done
# Unhandled syscalls are valgrind's limits, worth knowing, not congo's errors.
unhandled=$(grep -h 'unhandled amd64-linux syscall' "$logs"/*.log 2>/dev/null | sed 's/.*syscall: //' |
    sort -n | uniq -c | awk '{printf "%s%s (x%s)", (NR > 1 ? ", " : ""), $2, $1}')
[ -z "$unhandled" ] || echo "valgrind.sh: note: syscalls valgrind does not implement: $unhandled"

processes=$(ls "$logs"/*.log | wc -l)
echo "valgrind.sh: $total programs ($real_runs real runs), $processes processes checked," \
    "build $((built - start)) s, valgrind $((finished - built)) s"
if [ "$status" = 0 ]; then
    echo "valgrind.sh: no leak and no invalid access in congo's code"
fi
exit "$status"
