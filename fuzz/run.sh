#!/bin/sh
# Fuzz the profile front-ends and the seccomp file reader: build
# fuzz/fuzz-profile and fuzz/fuzz-seccomp, then run them on each format
# (YAML and libconfig profiles, OCI config.json with its seccomp policies,
# seccomp files) for SECONDS with a dictionary and a copy of the seed corpus
# (fuzz/corpus/FORMAT; the json and seccomp seeds are written by hand). Fails on any crash, broken round trip or property, leak
# or timeout and prints the input that caused it.
#
#   fuzz/run.sh [-b BUILDDIR] [-t TARGET] [-f yaml|conf|json|seccomp] [SECONDS]
#                                        CI: 60 (the default); long: 1200
#
# BUILDDIR is a configured build directory (default build/fuzz, configured
# here when it is not); `make fuzz` builds the target in it, or, where the
# Makefile predates fuzz/fuzz.mk, make -f Makefile -f fuzz/fuzz.mk. The
# corpus, logs and any reproducer go to BUILDDIR/fuzz-run/, kept afterwards.
# -t runs a fuzz-profile built elsewhere (a patched tree) instead of building,
# on the profile formats (json included); -f runs one format only. FUZZ_TIMEOUT (default 5)
# is libFuzzer's -timeout, a wall-clock limit: raise it only on a host too
# loaded to keep time. The formats run side by side when there are two CPUs
# or more. A profile reproducer belongs in tests/data/fuzz-regressions/ once
# the bug is fixed; a seccomp one becomes a case in tests/unit/test-seccomp-file.c.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build/fuzz
target=
formats=
while getopts b:t:f: opt; do
    case $opt in
    b) build=$OPTARG ;;
    t) target=$OPTARG ;;
    f) case $OPTARG in yaml | conf | json | seccomp) formats=$OPTARG ;; *) echo "fuzz/run.sh: -f yaml, conf, json or seccomp" >&2; exit 2 ;; esac ;;
    *) echo "usage: fuzz/run.sh [-b BUILDDIR] [-t TARGET] [-f yaml|conf|json|seccomp] [SECONDS]" >&2; exit 2 ;;
    esac
done
if [ -z "$formats" ]; then
    formats="yaml conf json seccomp"
    [ -z "$target" ] || formats="yaml conf json"
fi
case "$target,$formats" in ?*,seccomp) echo "fuzz/run.sh: -t is a fuzz-profile, for yaml and conf" >&2; exit 2 ;; esac
shift $((OPTIND - 1))
seconds=${1:-60}
timeout=${FUZZ_TIMEOUT:-5}
case $seconds$timeout in '' | *[!0-9]*) echo "fuzz/run.sh: SECONDS and FUZZ_TIMEOUT are numbers" >&2; exit 2 ;; esac

# ---- build
mkdir -p "$build"
build=$(cd "$build" && pwd)
if [ -z "$target" ] && [ ! -f "$build/Makefile" ]; then
    [ -x "$top/configure" ] || { echo "fuzz/run.sh: no configure; run autoreconf -fi first" >&2; exit 1; }
    (cd "$build" && "$top/configure" >configure.log 2>&1) || { cat "$build/configure.log"; exit 1; }
fi
if [ -n "$target" ]; then
    [ -x "$target" ] || { echo "fuzz/run.sh: $target is not an executable" >&2; exit 1; }
elif grep -q '^fuzz:' "$build/Makefile"; then
    make -C "$build" fuzz >"$build/fuzz-build.log" 2>&1 || { cat "$build/fuzz-build.log"; exit 1; }
else
    make -C "$build" -f Makefile -f "$top/fuzz/fuzz.mk" fuzz >"$build/fuzz-build.log" 2>&1 ||
        { cat "$build/fuzz-build.log"; exit 1; }
fi
profile_bin=${target:-$build/fuzz/fuzz-profile}
seccomp_bin=$build/fuzz/fuzz-seccomp
bin_of() {
    case $1 in seccomp) echo "$seccomp_bin" ;; *) echo "$profile_bin" ;; esac
}

# ---- scratch: the corpus grows here, never in the source tree
scratch=$build/fuzz-run
rm -rf "$scratch"
for fmt in yaml conf json seccomp; do
    mkdir -p "$scratch/$fmt/corpus" "$scratch/$fmt/artifacts" "$scratch/$fmt/tmp"
    cp "$top/fuzz/corpus/$fmt/"* "$scratch/$fmt/corpus/"
    [ "$fmt" != seccomp ] && [ "$fmt" != json ] || continue
    # Earlier finds of either profile format: the mode byte is in each file.
    for f in "$top/tests/data/fuzz-regressions/"*; do
        case $f in *.md | */README*) continue ;; esac
        [ -f "$f" ] && cp "$f" "$scratch/$fmt/corpus/"
    done
done
cp "$top/fuzz/profile.dict" "$top/fuzz/seccomp.dict" "$top/fuzz/oci.dict" "$scratch/"
dict_of() {
    case $1 in
    seccomp) echo "$scratch/seccomp.dict" ;;
    json) echo "$scratch/oci.dict" ;;
    *) echo "$scratch/profile.dict" ;;
    esac
}

run_one() {
    fmt=$1
    rc=0
    date +%s >"$scratch/$fmt/start"
    # Its own TMPDIR: the target's private directory lands in the scratch dir.
    TMPDIR=$scratch/$fmt/tmp \
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        "$(bin_of "$fmt")" -dict="$(dict_of "$fmt")" -max_len=65536 -timeout="$timeout" -rss_limit_mb=2048 \
        -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$scratch/$fmt/artifacts/" \
        "$scratch/$fmt/corpus" </dev/null >"$scratch/$fmt/log" 2>&1 || rc=$?
    date +%s >"$scratch/$fmt/end"
    return "$rc"
}

# Source lines in reports: Debian installs the symbolizer under a versioned name.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
    for s in /usr/lib/llvm-14/bin/llvm-symbolizer "$(command -v llvm-symbolizer || true)"; do
        if [ -n "$s" ] && [ -x "$s" ]; then
            ASAN_SYMBOLIZER_PATH=$s
            export ASAN_SYMBOLIZER_PATH
            break
        fi
    done
fi

start=$(date +%s)
yaml_status=0
conf_status=0
json_status=0
seccomp_status=0
if [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ]; then
    for fmt in $formats; do
        run_one "$fmt" &
        eval "${fmt}_pid=\$!"
    done
    for fmt in $formats; do
        eval "wait \$${fmt}_pid" || eval "${fmt}_status=\$?"
    done
else
    for fmt in $formats; do
        run_one "$fmt" || eval "${fmt}_status=\$?"
    done
fi
elapsed=$(($(date +%s) - start))

# ---- figures
status=0
for fmt in $formats; do
    log=$scratch/$fmt/log
    eval "rc=\$${fmt}_status"
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    added=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
    took=$(($(cat "$scratch/$fmt/end") - $(cat "$scratch/$fmt/start")))
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
    cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corp=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\)\/\([^ ]*\).*/\1 inputs, \2/p')
    artifacts=$(find "$scratch/$fmt/artifacts" -type f | LC_ALL=C sort)
    crashes=$(printf '%s' "$artifacts" | grep -c . || true)
    echo "fuzz $fmt: ${execs:-0} executions in ${took} s, ${rate:-0} exec/s, cov: ${cov:-?}" \
        "ft: ${ft:-?}, corpus: ${corp:-?} (${added:-0} new), peak rss ${rss:-?} MB, crashes: $crashes"
    if [ "$rc" != 0 ] || [ "$crashes" != 0 ]; then
        status=1
        echo "fuzz $fmt: FAILED (libFuzzer exit status $rc); its report:" >&2
        grep -a -E -A40 '^==[0-9]+==ERROR|^fuzz-(profile|seccomp): |runtime error|^SUMMARY|Test unit written' \
            "$log" | head -n 120 >&2 || tail -n 60 "$log" >&2
        for a in $artifacts; do
            echo "fuzz $fmt: reproducer: $a" >&2
            echo "  replay: $(bin_of "$fmt") $a" >&2
        done
        [ -n "$artifacts" ] || echo "fuzz $fmt: no reproducer written; see $log" >&2
    fi
done
echo "fuzz: ${elapsed} s in all; logs and corpora in $scratch"
exit "$status"
