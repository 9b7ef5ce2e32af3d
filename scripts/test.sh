#!/bin/sh
# Every test congo has: the unit tests and the command-line tests under
# AddressSanitizer and UndefinedBehaviorSanitizer, then `make distcheck`.
# Installs what is missing first, so a fresh Debian 12 machine needs nothing.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

scripts/deps.sh
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi

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

status=0
make -j"$(nproc)" check || status=$?
if [ "$status" != 0 ] && [ -f test-suite.log ]; then
    cat test-suite.log
fi

pass=$(sed -n 's/^# PASS: *//p' test-suite.log 2>/dev/null || echo 0)
fail=$(sed -n 's/^# FAIL: *//p' test-suite.log 2>/dev/null || echo 0)
errors=$(sed -n 's/^# ERROR: *//p' test-suite.log 2>/dev/null || echo 0)
skip=$(sed -n 's/^# SKIP: *//p' test-suite.log 2>/dev/null || echo 0)

if [ "$status" = 0 ]; then
    cd "$top"
    dist="$top/build/dist"
    rm -rf "$dist"
    mkdir -p "$dist"
    cd "$dist"
    "$top/configure" >configure.log 2>&1 || { cat configure.log; exit 1; }
    if make -j"$(nproc)" distcheck >distcheck.log 2>&1; then
        echo "make distcheck: ok"
    else
        tail -n 60 distcheck.log
        echo "make distcheck: FAILED"
        status=1
    fi
fi

echo "$((pass)) passed, $((fail + errors)) failed, $((skip)) skipped"
exit "$status"
