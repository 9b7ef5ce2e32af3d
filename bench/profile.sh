#!/bin/bash
# Where the time of one congo start goes. Run by `bench/run.sh --profile`
# (which makes the work dir: the rootfs, full.yaml, the include stack):
#
#   bench/profile.sh CONGO WORKDIR OUTDIR
#
# Writes OUTDIR/profile/*.txt: the -v step timings (median of many runs),
# strace -c -f of a run and its slowest system calls, perf stat (and perf
# record's hottest kernel and user functions, when perf can sample here), and
# callgrind's instruction counts for --check of the 16-deep stack and the flat
# file. Prints a summary.
set -euo pipefail

congo=${1:?usage: profile.sh CONGO WORKDIR OUTDIR}
work=${2:?}
out=${3:?}/profile
mkdir -p "$out"
full=$work/full.yaml
runs=${PROFILE_RUNS:-60}
say() { printf '== %s\n' "$*" >&2; }

# median p10 p90 of numbers on stdin
stats() {
    sort -n | awk '{ a[NR] = $1 }
        END { if (!NR) exit; hi = int(NR * 0.9); if (hi < 1) hi = 1
              printf "%8.3f %8.3f %8.3f", a[int((NR + 1) / 2)], a[int(NR * 0.1) + 1], a[hi] }'
}

# ---- -v step timings -----------------------------------------------------------

say "-v step timings over $runs runs"
: >"$out/steps.raw"
for _ in $(seq "$runs"); do
    "$congo" -v "$full" </dev/null 2>&1 >/dev/null | sed -n 's/^congo-launch: \(.*\): \([0-9.]*\) ms$/\1|\2/p' >>"$out/steps.raw"
done
{
    printf '%-34s %8s %8s %8s\n' step median p10 p90
    # Steps in the order a run logs them.
    awk -F'|' '!seen[$1]++ { print $1 }' "$out/steps.raw" | while IFS= read -r s; do
        printf '%-34s %s\n' "$s" "$(awk -F'|' -v s="$s" '$1 == s { print $2 }' "$out/steps.raw" | stats)"
    done
    echo "(ms; the parent logs cgroup, clone, exit and cleanup; the child logs its own steps)"
} | tee "$out/steps.txt"

# ---- strace --------------------------------------------------------------------

if command -v strace >/dev/null; then
    say "strace -c -f of one run"
    strace -c -f -o "$out/strace-c.txt" "$congo" "$full" </dev/null >/dev/null 2>&1 || true
    head -n 25 "$out/strace-c.txt"
    say "strace -f -T: system calls over 0.2 ms (5 runs)"
    : >"$out/strace-slow.txt"
    for i in 1 2 3 4 5; do
        strace -f -T -o "$work/strace-T.$i.txt" "$congo" "$full" </dev/null >/dev/null 2>&1 || true
        # Resumed calls carry their time too; the name is on the "unfinished" line.
        perl -ne 'if (/^\d+\s+(?:<\.\.\. )?(\w+)(?: resumed>|\().*<([0-9.]+)>$/ && $2 > 0.0002) { printf "%-16s %.3f ms\n", $1, $2 * 1000 }' \
            "$work/strace-T.$i.txt" >>"$out/strace-slow.txt"
    done
    awk '{ n[$1]++; s[$1] += $2 } END { for (k in n) printf "%-16s %3d calls over 0.2 ms, %8.3f ms in all (5 runs)\n", k, n[k], s[k] }' \
        "$out/strace-slow.txt" | sort -k7 -rn | tee "$out/strace-slow-summary.txt"
fi

# ---- perf ----------------------------------------------------------------------

if command -v perf >/dev/null; then
    if perf stat -e instructions true 2>&1 | grep -q 'not supported'; then
        events=task-clock,context-switches,cpu-migrations,page-faults
        say "perf: no hardware counters here (a VM); software events only"
    else
        events=task-clock,instructions,cycles,context-switches,page-faults
    fi
    perf stat -e "$events" -r 30 "$congo" "$full" </dev/null 2>"$out/perf-stat.txt" >/dev/null || true
    grep -v '^$' "$out/perf-stat.txt" | tail -n 8
    # CPU time per start counts every task the tool made (bwrap does not reap its pid 1,
    # so wait4's rusage would leave that out); other load disturbs it far less than wall time.
    say "CPU per start (perf stat task-clock, 30 runs each)"
    rootfs=$work/rootfs
    {
        for t in congo bwrap unshare; do
            case $t in
            congo) set -- "$congo" "$full" ;;
            bwrap) set -- bwrap --unshare-all --ro-bind "$rootfs" / --proc /proc --dev /dev \
                --tmpfs /tmp --ro-bind /sys /sys /bin/true ;;
            unshare) set -- unshare --uts --pid --net --mount --ipc --fork chroot "$rootfs" /bin/true ;;
            esac
            command -v "$1" >/dev/null || continue
            perf stat -x, -e task-clock,page-faults -r 30 "$@" </dev/null 2>&1 >/dev/null |
                awk -F, -v t="$t" '$3 == "task-clock" { c = $1 } $3 == "page-faults" { f = $1 }
                    END { printf "%-8s %7.2f ms CPU %6d page faults\n", t, c, f }'
        done
    } | tee "$out/cpu.txt"
    say "perf record -g of $runs runs (the launcher and its children)"
    cat >"$work/loop.sh" <<EOF
#!/bin/sh
for i in \$(seq $runs); do "$congo" "$full" </dev/null >/dev/null; done
EOF
    chmod +x "$work/loop.sh"
    if perf record -q -g -F 4999 -e cpu-clock -o "$work/perf.data" -- "$work/loop.sh" 2>/dev/null; then
        perf report -i "$work/perf.data" --stdio --no-children --sort comm -g none 2>/dev/null |
            grep '%' | head -n 8 >"$out/perf-comm.txt" || true
        perf report -i "$work/perf.data" --stdio --children --sort sym -g none 2>/dev/null |
            grep '%' | head -n 60 >"$out/perf-children.txt" || true
        perf report -i "$work/perf.data" --stdio --no-children --sort dso,sym -g none 2>/dev/null |
            grep '%' | head -n 40 >"$out/perf-self.txt" || true
        cat "$out/perf-comm.txt"
        head -n 30 "$out/perf-children.txt"
    fi
fi

# ---- callgrind on --check ------------------------------------------------------

if command -v valgrind >/dev/null; then
    for f in level00 flat; do
        say "callgrind: --check $f.yaml"
        valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.$f" \
            "$congo" --check "$work/stack/$f.yaml" >/dev/null 2>"$out/callgrind-$f.log" || true
        callgrind_annotate --inclusive=yes "$work/callgrind.$f" 2>/dev/null | head -n 45 >"$out/callgrind-$f-inclusive.txt" || true
        callgrind_annotate "$work/callgrind.$f" 2>/dev/null | head -n 40 >"$out/callgrind-$f-self.txt" || true
        grep -m1 'Collected' "$out/callgrind-$f.log" || true
        # The hottest functions by their own instructions (inclusive counts: the .txt file).
        sed -n '/file:function/,$p' "$out/callgrind-$f-self.txt" | sed -n '3,17p' | cut -c1-140
    done
fi
say "profile written to $out"
