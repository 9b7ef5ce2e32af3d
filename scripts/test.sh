#!/bin/sh
# Every test congo has, in one command. Installs what is missing first, so a
# fresh Debian 12 machine needs nothing else. As root (CI runs it so):
#
#   1. unit, command-line and integration tests under ASan+UBSan (make check),
#      the reliability tests' CI tier, 60 s of fuzzing per format, valgrind
#   2. make distcheck
#   3. cgroup v2 for real, in a VM: the cgroup module, then congo-launch
#   4. the Debian package: build, lintian, install, run, purge
#
# Each stage's log is in build/; the last line counts every test.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
pass=0
fail=0
skip=0
status=0

scripts/deps.sh || exit 1
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi || exit 1

# A stage that speaks TAP: its ok / not ok lines are counted, failures shown.
tap_stage() {
    name=$1
    shift
    log="$top/build/$name.log"
    echo "== $name"
    "$@" >"$log" 2>&1
    rc=$?
    p=$(grep -c '^ok ' "$log" | tr -d '\n')
    s=$(grep -c '^ok .*# SKIP' "$log" | tr -d '\n')
    f=$(grep -c '^not ok ' "$log" | tr -d '\n')
    if [ "$rc" = 77 ]; then
        echo "$name: skipped: $(grep -m1 'SKIP' "$log")"
        skip=$((skip + 1))
        return
    fi
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        f=1 # it failed without saying which test: count the stage
    fi
    pass=$((pass + p - s))
    skip=$((skip + s))
    fail=$((fail + f))
    if [ "$f" != 0 ]; then
        grep -A20 '^not ok ' "$log" | head -n 80
        tail -n 20 "$log"
        status=1
    fi
    echo "$name: $((p - s)) passed, $f failed, $s skipped"
}

# 1. make check, with the sanitizers.
build="$top/build/check"
rm -rf "$build"
mkdir -p "$build"
cd "$build"
"$top/configure" --enable-sanitizers >configure.log 2>&1 || { cat configure.log; exit 1; }
make -j"$(nproc)" >make.log 2>&1 || { cat make.log; exit 1; }
if grep -E 'warning:' make.log; then
    echo "test.sh: the build has compiler warnings" >&2
    exit 1
fi
echo "== make check"
make -j"$(nproc)" check >check.log 2>&1 || status=1
grep -E '^(FAIL|ERROR|XPASS)' check.log
if [ "$status" != 0 ] && [ -f test-suite.log ]; then
    cat test-suite.log
fi
p=$(sed -n 's/^# PASS: *//p' test-suite.log 2>/dev/null)
f=$(sed -n 's/^# FAIL: *//p' test-suite.log 2>/dev/null)
e=$(sed -n 's/^# ERROR: *//p' test-suite.log 2>/dev/null)
s=$(sed -n 's/^# SKIP: *//p' test-suite.log 2>/dev/null)
pass=$((pass + ${p:-0}))
fail=$((fail + ${f:-0} + ${e:-0}))
skip=$((skip + ${s:-0}))
echo "make check: ${p:-0} passed, $((${f:-0} + ${e:-0})) failed, ${s:-0} skipped"
[ -n "${p:-}" ] || { echo "make check ran no test" >&2; status=1; }

# The reliability tests' CI tier against the sanitizer build: 300 runs 20 at
# a time, and faults (the launcher killed at random points, limits hit,
# signals, a full or read-only upper, a missing layer or controller).
tap_stage reliability-load env CONGO_LAUNCH="$build/congo-launch" "$top/tests/reliability/load.sh"
tap_stage reliability-faults env CONGO_LAUNCH="$build/congo-launch" "$top/tests/reliability/faults.sh"

# Hostile profiles: 60 s of libFuzzer per format (the long run: fuzz/run.sh
# 1200), then the unit tests and congo-launch under valgrind memcheck.
tap_stage fuzz sh -c "'$top/fuzz/run.sh' -b '$top/build/fuzz' 60 && echo 'ok 1 - 60 s of fuzzing per format: no crash, leak or timeout'"
tap_stage valgrind sh -c "'$top/tests/valgrind.sh' -b '$top/build/valgrind' && echo 'ok 1 - unit tests and congo-launch under valgrind memcheck: no leak, no invalid access'"

# 2. make distcheck, without sanitizers, in its own tree.
cd "$top"
echo "== make distcheck"
dist="$top/build/dist"
rm -rf "$dist"
mkdir -p "$dist"
cd "$dist"
if "$top/configure" >configure.log 2>&1 && make -j"$(nproc)" distcheck >distcheck.log 2>&1; then
    echo "make distcheck: ok"
    pass=$((pass + 1))
else
    tail -n 60 distcheck.log configure.log 2>/dev/null
    echo "make distcheck: FAILED"
    fail=$((fail + 1))
    status=1
fi

# 3. cgroup v2 in a VM, with the sanitized build's programs.
cd "$build"
export CONGO_VM_CACHE="$top/build/vm-cache"
tap_stage vm-cgroup-v2 sh -c "$top/tests/vm/run-cgroup-v2.sh $build/tests/vm/cgroup-v2-check && echo 'ok 1 - the cgroup module on a cgroup v2 kernel'"
tap_stage vm-engine-v2 "$top/tests/vm/run-engine-v2.sh" "$build/congo-launch"

# 4. The Debian package.
cd "$top"
tap_stage deb "$top/tests/packaging/deb.sh"

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ] || status=1
exit "$status"
