#!/bin/sh
# The long tier, on demand (CI runs the short one through scripts/test.sh):
# 20,000 container runs 200 at a time, the fault tests with 1,000 random
# SIGKILLs, 20 minutes of fuzzing per format, valgrind over the suite.
# As root, after scripts/test.sh has built build/check; about 50 minutes on
# 2 cores. Ends with one `N passed, N failed` line for the whole tier.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
build=$top/build/check
[ -x "$build/congo-launch" ] || { echo "long-tests.sh: run scripts/test.sh first" >&2; exit 2; }
mkdir -p build/release
[ -f build/release/Makefile ] || (cd build/release && "$top/configure" >/dev/null)
make -C build/release -j"$(nproc)" >/dev/null || exit 1
pass=0
fail=0
stage() { # stage NAME CMD...: a TAP stage; its counts go into the total
    name=$1
    shift
    log="$top/build/long-$name.log"
    "$@" >"$log" 2>&1
    rc=$?
    p=$(grep -c '^ok ' "$log")
    f=$(grep -c '^not ok ' "$log")
    [ "$rc" = 0 ] || [ "$f" != 0 ] || f=1
    pass=$((pass + p))
    fail=$((fail + f))
    grep '^# ' "$log" | tail -n 8
    echo "$name: $p passed, $f failed (log: $log)"
}
stage load env CONGO_LAUNCH="$top/build/release/congo-launch" tests/reliability/load.sh --long
stage faults env CONGO_LAUNCH="$build/congo-launch" FAULTS_KILLS=1000 tests/reliability/faults.sh
stage fuzz sh -c "fuzz/run.sh -b build/fuzz-long 1200 && echo 'ok 1 - 20 minutes of fuzzing per format'"
stage valgrind sh -c "tests/valgrind.sh -b build/valgrind-long && echo 'ok 1 - valgrind memcheck'"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
