#!/bin/bash
# Start-up cost of congo against runc, crun, bubblewrap, firejail and the
# bare `unshare ... chroot` floor, on the same busybox root (issue 7).
#
#   bench/run.sh [--runs N] [--seq N] [--par N] [--out DIR] [--work DIR] [--congo PATH]
#                [--no-install] [--no-variants] [--profile]
#
# As root. Installs the peers from Debian's packages when missing, makes
# congo in build/bench (configured once, rebuilt as the sources change),
# the rootfs and one overlay layer, then measures, interleaved (each round
# every tool once, in a shuffled order: B A C, C B A, ...), the wall time of
# starting `/bin/true` in each, and also peak RSS, 100 sequential starts,
# throughput with 2 and 8 starts in parallel, and `congo-launch --check` of a
# 16-deep include stack against one flat file. Writes CSV files and a PNG
# chart into the output directory (bench/results) and prints a table.
# --profile then also profiles congo (-v steps, strace -c, perf, callgrind).
#
# Cgroups: congo makes its own below the launcher's cgroup and removes it;
# runc's cgroup is named after the container id (cbench-PID-...), below the
# launcher's cgroup too, and any runc leaves behind is removed by that name.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/fixtures.sh"
runs=200
seq_runs=100
par_total=100
out=$here/results
work=$repo/build/bench/work
congo=
install=1
variants=1
profile=0

usage() {
    sed -n '4,6p' "$0" | sed 's/^# \{0,3\}//' >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=${2:?}; shift ;;
    --seq) seq_runs=${2:?}; shift ;;
    --par) par_total=${2:?}; shift ;;
    --out) out=${2:?}; shift ;;
    --work) work=${2:?}; shift ;;
    --congo) congo=${2:?}; shift ;;
    --no-install) install=0 ;;
    --no-variants) variants=0 ;;
    --profile) profile=1 ;;
    -h | --help) usage ;;
    *) echo "run.sh: unknown option \`$1'" >&2; usage ;;
    esac
    shift
done
for n in "$runs" "$seq_runs" "$par_total"; do
    case $n in '' | *[!0-9]* | 0) echo "run.sh: --runs, --seq and --par want a positive number" >&2; exit 2 ;; esac
done
[ "$(id -u)" = 0 ] || { echo "run.sh: run as root (containers, cgroups)" >&2; exit 1; }

start_time=$(date +%s)
say() { printf '== %s\n' "$*" >&2; }

# ---- peers from Debian -------------------------------------------------------

# command:package; a command found on PATH (or as a path) means installed.
deps="runc:runc bwrap:bubblewrap firejail:firejail crun:crun gnuplot:gnuplot-nox
/usr/bin/time:time unshare:util-linux chroot:coreutils /bin/busybox:busybox-static
gcc:gcc make:make jq:jq"
if [ "$profile" = 1 ]; then
    deps="$deps strace:strace perf:linux-perf valgrind:valgrind"
fi
missing=
for d in $deps; do
    command -v "${d%%:*}" >/dev/null 2>&1 || missing="$missing ${d#*:}"
done
if [ -n "$missing" ]; then
    if [ "$install" = 0 ]; then
        say "missing:$missing (--no-install: those tools are skipped)"
    else
        say "installing$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # One by one: a package this release lacks must not stop the others.
        for p in $missing; do
            apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 ||
                say "apt-get could not install $p; what needs it is skipped"
        done
    fi
fi
command -v gcc >/dev/null || { echo "run.sh: gcc is needed for bench/timeit.c" >&2; exit 1; }

# ---- congo, the timer, the root ----------------------------------------------

if [ -z "$congo" ]; then
    congo=$repo/build/bench/congo-launch
    # Configured once; made every time, so a benchmark never measures stale sources.
    if [ ! -f "$repo/build/bench/Makefile" ]; then
        [ -x "$repo/configure" ] ||
            { echo "run.sh: no configure script; run \`autoreconf -fi' in $repo first" >&2; exit 1; }
        say "configuring congo in build/bench (-O2 -g)"
        mkdir -p "$repo/build/bench"
        (cd "$repo/build/bench" && ../../configure -q CFLAGS='-O2 -g' >/dev/null) ||
            { echo "run.sh: configure failed; scripts/deps.sh installs what the build needs" >&2; exit 1; }
    fi
    (cd "$repo/build/bench" && make -s -j2 >/dev/null) ||
        { echo "run.sh: building congo failed; scripts/deps.sh installs what the build needs" >&2; exit 1; }
fi
congo=$(cd "$(dirname "$congo")" && pwd)/$(basename "$congo")

mkdir -p "$work" "$out"
work=$(cd "$work" && pwd)
out=$(cd "$out" && pwd)
logs=$work/logs
rm -rf "$logs"
mkdir -p "$logs"
gcc -O2 -Wall -o "$work/timeit" "$here/timeit.c"
timeit=$work/timeit

# The busybox root, one overlay layer and the full default profile (fixtures.sh).
bench_root "$work" "$repo"

# The OCI bundle: `runc spec`'s defaults (pid, net, ipc, uts, mount
# namespaces, a read-only root, its masked and read-only paths, no seccomp)
# with the same limits, /tmp, and /bin/true. No cgroupsPath: runc then names
# the cgroup after the container id, below its own cgroup in each hierarchy.
bundle=$work/bundle
rm -rf "$bundle"
mkdir -p "$bundle"
oci_edit() {
    if command -v jq >/dev/null; then
        jq --arg root "$rootfs" '
            .root = {path: $root, readonly: true}
          | .process.args = ["/bin/true"] | .process.terminal = false
          | .mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs",
                         options: ["nosuid", "nodev", "mode=1777"]}]
          | .linux.resources.pids = {limit: 64}
          | .linux.resources.memory = {limit: 67108864}
          | .linux.resources.cpu = {quota: 50000, period: 100000}
          | .linux.namespaces = [{type: "pid"}, {type: "network"}, {type: "ipc"},
                                {type: "uts"}, {type: "mount"}]'
    else
        python3 -c '
import json, sys
c = json.load(sys.stdin)
c["root"] = {"path": sys.argv[1], "readonly": True}
c["process"]["args"] = ["/bin/true"]
c["process"]["terminal"] = False
c["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                    "options": ["nosuid", "nodev", "mode=1777"]})
r = c["linux"].setdefault("resources", {})
r["pids"] = {"limit": 64}
r["memory"] = {"limit": 67108864}
r["cpu"] = {"quota": 50000, "period": 100000}
c["linux"]["namespaces"] = [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")]
json.dump(c, sys.stdout, indent=2)' "$rootfs"
    fi
}
if command -v runc >/dev/null; then
    (cd "$bundle" && runc spec && oci_edit <config.json >config.json.new && mv config.json.new config.json)
elif command -v crun >/dev/null; then
    (cd "$bundle" && crun spec && oci_edit <config.json >config.json.new && mv config.json.new config.json)
fi
runc_state=$work/runc-state
crun_state=$work/crun-state
mkdir -p "$runc_state" "$crun_state"

# Whatever runc or crun leave (a killed run): their containers, then their
# cgroups, found by our id prefix below the launcher's own cgroups.
id_prefix=cbench-$$
cleanup() {
    local st
    for st in "$runc_state" "$crun_state"; do
        for c in "$st"/"$id_prefix"-*; do
            [ -e "$c" ] || continue
            case $st in
            "$runc_state") runc --root "$st" delete -f "$(basename "$c")" >/dev/null 2>&1 || true ;;
            *) crun --root "$st" delete -f "$(basename "$c")" >/dev/null 2>&1 || true ;;
            esac
        done
    done
    local hier path dir
    while IFS=: read -r _ hier path; do
        if [ -z "$hier" ]; then
            dir=/sys/fs/cgroup/unified$path
            [ -d "$dir" ] || dir=/sys/fs/cgroup$path
        else
            dir=/sys/fs/cgroup/${hier#name=}$path
        fi
        for c in "${dir%/}"/"$id_prefix"-*; do
            if [ -d "$c" ]; then rmdir "$c" 2>/dev/null || true; fi
        done
    done </proc/self/cgroup
}
trap cleanup EXIT

# ---- the tools ------------------------------------------------------------------

# name | note | command... (`{}`: a unique token per start)
names=()
declare -A cmd note skip
add_tool() {
    local name=$1 n=$2
    shift 2
    names+=("$name")
    note[$name]=$n
    cmd[$name]=$(printf '%q ' "$@")
}
bin() { command -v "$1" 2>/dev/null || echo "/nonexistent/$1"; }

add_tool congo "full default profile: 5 ns, cgroup pids+memory+cpu, overlay of 1 layer, seccomp, init" \
    "$congo" "$work/full.yaml"
add_tool runc "OCI bundle from runc spec: same 5 ns and limits, ro root, no seccomp" \
    "$(bin runc)" --root "$runc_state" run --bundle "$bundle" "$id_prefix-{}"
add_tool crun "the same bundle" \
    "$(bin crun)" --root "$crun_state" run --bundle "$bundle" "$id_prefix-{}"
add_tool bwrap "--unshare-all, ro-bind root, /proc /dev /tmp, ro /sys; no cgroup, no overlay" \
    "$(bin bwrap)" --unshare-all --ro-bind "$rootfs" / --proc /proc --dev /dev --tmpfs /tmp \
    --ro-bind /sys /sys /bin/true
# Debian's firejail refuses --chroot (disabled in /etc/firejail/firejail.config),
# so it runs the root's busybox on the host's own tree, read-only, with a
# private home, /tmp and /dev, and new mount, pid, net, ipc and uts namespaces.
add_tool firejail "no chroot: host tree + private home,/tmp,/dev; mnt pid net ipc uts ns; no cgroup" \
    "$(bin firejail)" --noprofile --quiet --private --private-dev --private-tmp --net=none \
    --ipc-namespace --hostname=bench "$rootfs/bin/true"
add_tool unshare "floor: unshare --uts --pid --net --mount --ipc --fork chroot ROOT /bin/true" \
    "$(bin unshare)" --uts --pid --net --mount --ipc --fork "$(bin chroot)" "$rootfs" /bin/true

# One start of each, alone, so that a tool that cannot run here is skipped
# with its own words rather than spoiling the interleaved rounds.
say "checking that each tool runs here"
for t in "${names[@]}"; do
    eval "set -- ${cmd[$t]}"
    if [ ! -x "$1" ]; then
        skip[$t]="not installed"
        continue
    fi
    case $t in
    firejail)
        case $rootfs in /tmp/* | /var/tmp/* | /home/* | /root/*)
            skip[$t]="the work dir $work is under a path firejail replaces; use --work elsewhere"
            continue ;;
        esac ;;
    esac
    read -r _ _ f _ < <("$timeit" -n 1 -w 0 -l "$logs" -- "$t" "$@")
    if [ "$f" != 0 ]; then
        reason=$(grep -v '^$' "$logs/$t.err" 2>/dev/null | tail -n 1 || true)
        skip[$t]=${reason:-"exited with an error"}
    fi
done
measured=()
for t in "${names[@]}"; do
    if [ -n "${skip[$t]:-}" ]; then
        say "skipped $t: ${skip[$t]}"
    else
        measured+=("$t")
    fi
done
case " ${measured[*]} " in *" congo "*) ;; *)
    echo "run.sh: congo itself does not run here: ${skip[congo]}" >&2; exit 1 ;;
esac

groups_of() { # the timeit argument list for the tools named
    local t first=1
    for t in "$@"; do
        [ $first = 1 ] || printf -- '-- '
        first=0
        printf '%q %s' "$t" "${cmd[$t]}"
    done
}

# ---- 1: interleaved start-to-exit --------------------------------------------

say "$runs interleaved starts of each: ${measured[*]}"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A med p10 p90 q1 q3 nfail
eval "\"$timeit\" -n $runs -w 5 -l \"$logs\" -r \"$out/raw.csv\" -- $(groups_of "${measured[@]}")" \
    >"$work/starts.txt"
while read -r t n f m a b c d _; do
    med[$t]=$m p10[$t]=$a p90[$t]=$b q1[$t]=$c q3[$t]=$d nfail[$t]=$f
    [ "$f" = 0 ] || say "$t: $f of $((n + f)) starts failed (see $logs/$t.err)"
done <"$work/starts.txt"

# ---- 2: congo variants: where the floor is -----------------------------------

declare -A vmed vp10 vp90 vcpu
vnames=()
if [ "$variants" = 1 ]; then
    add_variant() {
        local name=$1
        shift
        vnames+=("$name")
        cmd[$name]=$(printf '%q ' "$congo" "$@" "$work/full.yaml")
    }
    add_variant full
    add_variant seccomp-unconfined --set seccomp=unconfined
    add_variant init-false --set init=false
    add_variant no-limits --reset limits
    add_variant no-net-ns --set namespaces.net=false
    add_variant no-layer --reset layers
    add_variant bare --set seccomp=unconfined --set init=false --reset limits \
        --set namespaces.net=false --reset layers
    # References: the peers, and the busybox binary started bare (the timer's own floor).
    vnames+=(bwrap unshare exec)
    cmd[exec]=$(printf '%q ' "$rootfs/bin/true")
    vrun=()
    for v in "${vnames[@]}"; do
        case " ${measured[*]} " in *" $v "*) vrun+=("$v") ;; *)
            case $v in bwrap | unshare) ;; *) vrun+=("$v") ;; esac ;;
        esac
    done
    vruns=$(((runs + 1) / 2))
    say "$vruns interleaved starts of each congo variant"
    eval "\"$timeit\" -n $vruns -w 3 -l \"$logs\" -- $(groups_of "${vrun[@]}")" >"$work/variants.txt"
    while read -r t n f m a b _ _ _ _ u; do
        vmed[$t]=$m vp10[$t]=$a vp90[$t]=$b vcpu[$t]=$u
        [ "$f" = 0 ] || say "variant $t: $f of $((n + f)) starts failed (see $logs/$t.err)"
    done <"$work/variants.txt"
    vnames=("${vrun[@]}")
fi

# ---- 3: peak RSS ---------------------------------------------------------------

declare -A rss
if [ -x /usr/bin/time ]; then
    say "peak RSS (/usr/bin/time -f %M, median of 5)"
    for t in "${measured[@]}"; do
        eval "set -- ${cmd[$t]}"
        vals=()
        for i in 1 2 3 4 5; do
            a=("${@//\{\}/rss-$i}")
            /usr/bin/time -f %M -o "$work/rss.txt" "${a[@]}" </dev/null >/dev/null 2>>"$logs/$t.err" || true
            vals+=("$(tail -n 1 "$work/rss.txt")")
        done
        rss[$t]=$(printf '%s\n' "${vals[@]}" | sort -n | sed -n 3p)
    done
    # /usr/bin/time's own floor: what it reports for a static busybox alone.
    /usr/bin/time -f %M -o "$work/rss.txt" "$rootfs/bin/true"
    rss_floor=$(tail -n 1 "$work/rss.txt")
fi

# ---- 4: sequential and parallel throughput -----------------------------------

declare -A seq_s par2 par8
say "$seq_runs sequential starts, then $par_total starts 2 and 8 at a time, per tool"
for t in "${measured[@]}"; do
    eval "set -- ${cmd[$t]}"
    read -r _ _ _ f wall _ < <("$timeit" -j 1 -n "$seq_runs" -l "$logs" -- "$t" "$@")
    seq_s[$t]=$wall
    [ "$f" = 0 ] || say "$t: $f of $seq_runs sequential starts failed"
    read -r _ _ _ f _ ps < <("$timeit" -j 2 -n "$par_total" -l "$logs" -- "$t" "$@")
    par2[$t]=$ps
    [ "$f" = 0 ] || say "$t: $f of $par_total starts failed 2 at a time"
    read -r _ _ _ f _ ps < <("$timeit" -j 8 -n "$par_total" -l "$logs" -- "$t" "$@")
    par8[$t]=$ps
    [ "$f" = 0 ] || say "$t: $f of $par_total starts failed 8 at a time"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 5: --check of a 16-deep include stack against one flat file -------------

bench_check_stack "$work"
stack=$work/stack
# Same effective profile, whatever the order the stack lists its mounts in.
"$congo" --print "$stack/level00.yaml" | sort >"$work/stack.print"
"$congo" --print "$stack/flat.yaml" | grep -v '^name:' | sort >"$work/flat.print"
grep -v '^name:' "$work/stack.print" | cmp -s - "$work/flat.print" ||
    say "note: the stack's and the flat file's --print differ (see $work/*.print)"
say "$runs interleaved --check of the 16-deep stack and of the flat file"
"$timeit" -n "$runs" -w 5 -l "$logs" -- check-stack "$congo" --check "$stack/level00.yaml" \
    -- check-flat "$congo" --check "$stack/flat.yaml" >"$work/check.txt"
declare -A cmed cp10 cp90
while read -r t n f m a b _; do
    cmed[$t]=$m cp10[$t]=$a cp90[$t]=$b
done <"$work/check.txt"
for t in check-stack check-flat; do
    rss_c=$(/usr/bin/time -f %M "$congo" --check "$stack/$([ $t = check-stack ] && echo level00 || echo flat).yaml" 2>&1 >/dev/null | tail -n 1)
    rss[$t]=$rss_c
done

# ---- results -------------------------------------------------------------------

ms() { awk -v u="${1:-}" 'BEGIN { if (u == "") print ""; else printf "%.2f", u / 1000 }'; }
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "" || b == 0) print ""; else printf "%.2f", a / b }'; }

csv=$out/starts.csv
echo "tool,status,runs,fails,median_ms,p10_ms,p90_ms,q1_ms,q3_ms,median_over_congo,peak_rss_kib,seq${seq_runs}_s,par2_starts_per_s,par8_starts_per_s,what" >"$csv"
for t in "${names[@]}"; do
    if [ -n "${skip[$t]:-}" ]; then
        printf '%s,"skipped: %s",,,,,,,,,,,,,"%s"\n' "$t" "${skip[$t]//\"/\'}" "${note[$t]}" >>"$csv"
        continue
    fi
    printf '%s,ok,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,"%s"\n' "$t" "$runs" "${nfail[$t]}" \
        "$(ms "${med[$t]}")" "$(ms "${p10[$t]}")" "$(ms "${p90[$t]}")" "$(ms "${q1[$t]}")" \
        "$(ms "${q3[$t]}")" "$(ratio "${med[$t]}" "${med[congo]}")" "${rss[$t]:-}" \
        "${seq_s[$t]}" "${par2[$t]}" "${par8[$t]}" "${note[$t]}" >>"$csv"
done
if [ "${#vnames[@]}" -gt 0 ]; then
    echo "variant,median_ms,p10_ms,p90_ms,cpu_ms,median_over_full" >"$out/variants.csv"
    for v in "${vnames[@]}"; do
        printf '%s,%s,%s,%s,%s,%s\n' "$v" "$(ms "${vmed[$v]}")" "$(ms "${vp10[$v]}")" \
            "$(ms "${vp90[$v]}")" "$(ms "${vcpu[$v]}")" "$(ratio "${vmed[$v]}" "${vmed[full]}")" >>"$out/variants.csv"
    done
fi
{
    echo "profile,median_ms,p10_ms,p90_ms,peak_rss_kib"
    for t in check-stack check-flat; do
        printf '%s,%s,%s,%s,%s\n' "$t" "$(ms "${cmed[$t]}")" "$(ms "${cp10[$t]}")" \
            "$(ms "${cp90[$t]}")" "${rss[$t]}"
    done
} >"$out/check.csv"
{
    echo "date: $(date -u +%FT%TZ)"
    echo "kernel: $(uname -r); cpus: $(nproc); load before: $load_before; after: $load_after"
    echo "cgroups: $(stat -fc %T /sys/fs/cgroup) at /sys/fs/cgroup$([ -d /sys/fs/cgroup/unified ] && echo ', cgroup2 at /sys/fs/cgroup/unified')"
    echo "congo: $congo ($("$congo" --version 2>&1 | head -n 1))"
    for p in runc crun bubblewrap firejail util-linux; do
        echo "$p: $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo none)"
    done
    echo "peak RSS floor (/usr/bin/time on a static busybox true): ${rss_floor:-?} KiB"
} >"$out/env.txt"

# ---- chart ---------------------------------------------------------------------

if command -v gnuplot >/dev/null; then
    dat=$work/chart.dat
    : >"$dat"
    for t in "${measured[@]}"; do
        printf '%s %s %s %s %s %s %s %s\n' "$t" "$(ms "${med[$t]}")" "$(ms "${p10[$t]}")" \
            "$(ms "${p90[$t]}")" "$(awk -v s="${seq_s[$t]}" -v n="$seq_runs" 'BEGIN{printf "%.1f", n / s}')" \
            "${par2[$t]}" "${par8[$t]}" "$(awk -v k="${rss[$t]:-0}" 'BEGIN{printf "%.2f", k / 1024}')" >>"$dat"
    done
    gnuplot <<EOF
set terminal pngcairo size 1500,480 font ",10" noenhanced
set output "$out/chart.png"
set multiplot layout 1,3 title "start /bin/true (busybox): congo and its peers, $(nproc) cores, $runs runs each, interleaved"
set style fill solid 0.6 border -1
set boxwidth 0.6
set grid ytics
set xtics rotate by -30
set title "start to exit: median, p10-p90 (ms)"
set yrange [0:*]
plot "$dat" using 0:2:xtic(1) with boxes lc rgb "#4682b4" notitle, \
     "" using 0:2:3:4 with yerrorbars lc rgb "black" pt -1 notitle, \
     "" using 0:(\$2):(sprintf("%.1f", \$2)) with labels offset 2.2,0.6 notitle
set title "throughput (starts/s)"
set style data histograms
set style histogram clustered gap 1
set key top left
plot "$dat" using 5:xtic(1) title "1 at a time", "" using 6 title "2 in parallel", "" using 7 title "8 in parallel"
set style data boxes
set title "peak RSS (MiB, /usr/bin/time %M)"
plot "$dat" using 0:8:xtic(1) with boxes lc rgb "#8fbc8f" notitle, \
     "" using 0:(\$8):(sprintf("%.2f", \$8)) with labels offset 0,1 notitle
unset multiplot
EOF
fi

# ---- the table -----------------------------------------------------------------

{
    printf '\n%-9s %8s %8s %8s %8s %8s %9s %8s %8s\n' tool median p10 p90 'x congo' 'RSS KiB' \
        "${seq_runs} seq s" '2-par /s' '8-par /s'
    for t in "${names[@]}"; do
        if [ -n "${skip[$t]:-}" ]; then
            printf '%-9s skipped: %s\n' "$t" "${skip[$t]}"
            continue
        fi
        printf '%-9s %8s %8s %8s %8s %8s %9s %8s %8s\n' "$t" "$(ms "${med[$t]}")" \
            "$(ms "${p10[$t]}")" "$(ms "${p90[$t]}")" "$(ratio "${med[$t]}" "${med[congo]}")" \
            "${rss[$t]:-}" "${seq_s[$t]}" "${par2[$t]}" "${par8[$t]}"
    done
    echo "(ms per start, wall; x congo: the tool's median over congo's, above 1 is slower than congo)"
    if [ "${#vnames[@]}" -gt 0 ]; then
        # CPU: user + system of what the launcher reaped (wait4); bwrap's pid 1 is not
        # reaped by bwrap, so its figure leaves that process out.
        printf '\n%-20s %9s %9s %9s %9s %9s\n' 'congo variant' median p10 p90 CPU 'x full'
        for v in "${vnames[@]}"; do
            printf '%-20s %9s %9s %9s %9s %9s\n' "$v" "$(ms "${vmed[$v]}")" "$(ms "${vp10[$v]}")" \
                "$(ms "${vp90[$v]}")" "$(ms "${vcpu[$v]}")" "$(ratio "${vmed[$v]}" "${vmed[full]}")"
        done
    fi
    printf '\n%-20s %9s %9s %9s %9s\n' '--check' median p10 p90 'RSS KiB'
    for t in check-stack check-flat; do
        printf '%-20s %9s %9s %9s %9s\n' "$t" "$(ms "${cmed[$t]}")" "$(ms "${cp10[$t]}")" \
            "$(ms "${cp90[$t]}")" "${rss[$t]}"
    done
    echo
    echo "targets: congo <= 1.0x bwrap: $(ratio "${med[congo]}" "${med[bwrap]:-}")x;" \
        "runc/congo >= 5: $(ratio "${med[runc]:-}" "${med[congo]}");" \
        "congo RSS <= 2048 KiB: ${rss[congo]:-?};" \
        "--check of the stack < 5 ms: $(ms "${cmed[check-stack]}")"
    echo "load average before: $load_before, after: $load_after (other work on the machine skews every tool alike, interleaved)"
    echo "results: $out/{starts,variants,check,raw}.csv, $out/chart.png, $out/env.txt"
} | tee "$out/table.txt"

if [ "$profile" = 1 ]; then
    bash "$here/profile.sh" "$congo" "$work" "$out"
fi
say "done in $(($(date +%s) - start_time)) s"
