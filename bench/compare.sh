#!/bin/bash
# Two builds of congo side by side: did a change cost start-up time, memory
# or --check time?
#
#   bench/compare.sh [--runs N] [--work DIR] OLD NEW
#
# OLD and NEW are congo-launch binaries, or git revisions of this repository
# (built in build/compare/REV, -O2 -g, static, as bench/run.sh builds). As
# root. Interleaved rounds (each round both, in a shuffled order) of the
# full default profile starting /bin/true, then peak RSS (median of 5), then
# interleaved --check of the 16-deep include stack. Prints medians, p10,
# p90 and NEW/OLD for each.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/fixtures.sh"
runs=400
work=$repo/build/compare/work

usage() {
    sed -n '5,5p' "$0" | sed 's/^# \{0,3\}//' >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=${2:?}; shift ;;
    --work) work=${2:?}; shift ;;
    -h | --help) usage ;;
    -*) echo "compare.sh: unknown option \`$1'" >&2; usage ;;
    *) break ;;
    esac
    shift
done
[ $# = 2 ] || usage
case $runs in '' | *[!0-9]* | 0) echo "compare.sh: --runs wants a positive number" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "compare.sh: run as root (containers, cgroups)" >&2; exit 1; }
say() { printf '== %s\n' "$*" >&2; }

# A binary as given, or the congo-launch of a revision, built once in its own tree.
binary_of() {
    if [ -x "$1" ] && [ -f "$1" ]; then
        (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")")
        return
    fi
    local rev dir
    rev=$(git -C "$repo" rev-parse --verify --quiet "$1^{commit}") ||
        { echo "compare.sh: \`$1' is neither a binary nor a revision" >&2; exit 2; }
    dir=$repo/build/compare/${rev:0:12}
    if [ ! -x "$dir/build/congo-launch" ]; then
        say "building $1 (${rev:0:12}) in $dir"
        rm -rf "$dir"
        mkdir -p "$dir"
        git -C "$repo" archive "$rev" | tar -x -C "$dir"
        (cd "$dir" && autoreconf -fi >/dev/null 2>&1 && mkdir -p build && cd build &&
            ../configure -q CFLAGS='-O2 -g' >/dev/null && make -s -j2 >/dev/null) ||
            { echo "compare.sh: building $1 failed" >&2; exit 1; }
    fi
    echo "$dir/build/congo-launch"
}
old=$(binary_of "$1")
new=$(binary_of "$2")

mkdir -p "$work"
work=$(cd "$work" && pwd)
gcc -O2 -Wall -o "$work/timeit" "$here/timeit.c"
bench_root "$work" "$repo"
bench_check_stack "$work"

say "$runs interleaved starts of each"
"$work/timeit" -n "$runs" -w 10 -- old "$old" "$work/full.yaml" -- new "$new" "$work/full.yaml" \
    >"$work/starts.txt"
say "$runs interleaved --check of the 16-deep stack"
"$work/timeit" -n "$runs" -w 10 -- old "$old" --check "$work/stack/level00.yaml" \
    -- new "$new" --check "$work/stack/level00.yaml" >"$work/check.txt"

rss() { # the median of 5 peak RSS readings of a command, KiB
    local i
    for i in 1 2 3 4 5; do
        /usr/bin/time -f %M -o "$work/rss.txt" "$@" </dev/null >/dev/null 2>&1 || true
        tail -n 1 "$work/rss.txt"
    done | sort -n | sed -n 3p
}

ms() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1000 }'; }
field() { awk -v t="$1" -v f="$2" '$1 == t { print $f }' "$3"; }
{
    printf '%-24s %9s %9s %9s %9s\n' '' 'median ms' 'p10 ms' 'p90 ms' 'RSS KiB'
    for what in starts check; do
        for t in old new; do
            if [ $what = starts ]; then r=$(rss "${!t}" "$work/full.yaml"); else
                r=$(rss "${!t}" --check "$work/stack/level00.yaml"); fi
            printf '%-24s %9s %9s %9s %9s\n' "$what: $t" "$(ms "$(field $t 4 "$work/$what.txt")")" \
                "$(ms "$(field $t 5 "$work/$what.txt")")" "$(ms "$(field $t 6 "$work/$what.txt")")" "$r"
            eval "rss_${what}_$t=$r"
        done
        printf '%-24s %9s %29s\n' "$what: new/old" \
            "$(awk -v a="$(field new 4 "$work/$what.txt")" -v b="$(field old 4 "$work/$what.txt")" \
                'BEGIN { printf "%.3f", a / b }')" ''
    done
    echo "old: $old"
    echo "new: $new"
    echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$work/table.txt"
