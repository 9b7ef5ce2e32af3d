#!/bin/sh
# Under load: many short runs at once of a profile with every limit and an
# overlay, each command exiting with a known status; the launcher's fd count
# sampled mid-run; concurrent runs of one profile that must not collide; and
# afterwards nothing of any run left on the host (cgroup, mount, /tmp entry,
# process). Speaks TAP, prints the figures as `#` lines and ends with
# `N passed, N failed`.
#
#   tests/reliability/load.sh [--long] [--runs N] [--parallel P] [--timeout S]
#
# CI tier: 300 runs, 20 at a time. --long: 20,000 runs, 200 at a time.
# Needs root; CONGO_LAUNCH names the binary (see common.sh).
set -u

# One run, started by xargs: load.sh --worker I. Reads its settings from
# the environment the main script exports; prints nothing, appends one line
# "I LAUNCHER_PID WANT GOT FDS" to $LOAD_DIR/results (O_APPEND, one write).
if [ "${1:-}" = --worker ]; then
    i=$2
    d=$LOAD_DIR
    want=$((i % 7))
    out=$d/out/$i
    fds=-
    # The layer's file must show through the overlay, or the run fails with 99.
    check='read l </etc/congo-layer && [ "$l" = layer ] || exit 99'
    if [ $((i % LOAD_SAMPLE)) = 0 ]; then
        # A sampled run waits on a FIFO while its launcher's fds are counted.
        fifo=$d/out/$i.fifo
        mkfifo "$fifo"
        "$LOAD_CONGO" "$LOAD_PROFILE" -- /bin/sh -c \
            ": $LOAD_MARK; $check; echo ready; read x; exit $want" <"$fifo" >"$out" 2>&1 &
        pid=$!
        echo "start $i $pid" >>"$d/started"
        exec 3>"$fifo"
        n=0
        while ! grep -q ready "$out" 2>/dev/null; do
            n=$((n + 1))
            # The launcher may fail before the command runs: stop waiting then.
            [ "$n" -le 6000 ] || break
            read -r _ _ state _ 2>/dev/null <"/proc/$pid/stat" || break
            [ "$state" != Z ] || break
            sleep 0.01
        done
        # The command runs; the launcher may still be on its way to its
        # supervising loop (collecting stale cgroups, say). Count its fds
        # once it waits there, in poll(2), where every run must look alike.
        wchan=
        if grep -q ready "$out" 2>/dev/null; then
            n=0
            # (wchan has no newline: read would fail on it.)
            while wchan=$(cat "/proc/$pid/wchan" 2>/dev/null); do
                case $wchan in *poll*) break ;; esac
                n=$((n + 1))
                [ "$n" -le 1000 ] || break
                sleep 0.01
            done
        fi
        case $wchan in
        *poll*)
            # Each fd as NUMBER:KIND, without inode numbers or paths; an fd
            # above 2 that this shell holds too is the caller's, inherited.
            fds=$(for f in /proc/$pid/fd/*; do
                fd=${f##*/}
                l=$(readlink "$f") || continue
                if [ "$fd" -gt 2 ] && [ "$(readlink "/proc/$$/fd/$fd" 2>/dev/null)" = "$l" ]; then
                    l=inherited
                fi
                case $l in
                /*) l=file ;;
                anon_inode:*) l=${l#anon_inode:} ;;
                *:\[*) l=${l%%:\[*} ;;
                esac
                printf '%s:%s,' "$fd" "$l"
            done) ;;
        *) echo "run $i: launcher $pid not seen waiting in poll (wchan ${wchan:-?})" >>"$d/unsampled" ;;
        esac
        echo >&3
        exec 3>&-
        rm -f "$fifo"
    else
        "$LOAD_CONGO" "$LOAD_PROFILE" -- /bin/sh -c ": $LOAD_MARK; $check; exit $want" \
            </dev/null >"$out" 2>&1 &
        pid=$!
        echo "start $i $pid" >>"$d/started"
    fi
    wait "$pid"
    got=$?
    echo "$i $pid $want $got $fds" >>"$d/results"
    # Keep the output of a wrong run only.
    [ "$got" = "$want" ] && rm -f "$out"
    exit 0
fi

runs=300
parallel=20
timeout=
while [ $# -gt 0 ]; do
    case $1 in
    --long) runs=20000 parallel=200 ;;
    --runs) runs=$2; shift ;;
    --parallel) parallel=$2; shift ;;
    --timeout) timeout=$2; shift ;;
    -h | --help)
        sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
        exit 0 ;;
    *) echo "load.sh: unknown argument \`$1\`" >&2; exit 2 ;;
    esac
    shift
done
# A hung run must not hang the test: the whole load gets this long.
timeout=${timeout:-$((120 + runs / 20))}

. "$(dirname "$0")/common.sh"
# Every launcher runs with TMPDIR at an empty directory of ours (check_tmp).
TMPDIR=$LAUNCHER_TMPDIR
export TMPDIR

echo "1..7"
mounts_before=$(host_mounts)
memcg_before=$(awk '$1 == "memory" {print $3}' /proc/cgroups)
MARK=congo-load-mark-$$
PIDS=$WORK/launchers
: >"$PIDS"

# The overlay's one layer, and the barrier the concurrent runs meet at.
mkdir -p "$WORK/layer/etc" "$WORK/barrier" "$WORK/load/out"
echo layer >"$WORK/layer/etc/congo-layer"

# Every limit there is, an overlay of one layer. The name is the same for
# every run: the cgroup name (with the launcher's pid and start time) is what
# keeps runs apart.
profile load.yaml >/dev/null <<EOF
name: load
rootfs: $ROOTFS
layers: [$WORK/layer]
limits:
  pids: 64
  memory: 64m
  memory_swap: 128m
  cpu_shares: 512
  cpus: 0.5
command: [/bin/true]
EOF

# --- concurrent runs of one profile never collide ---

# Each run takes its cgroup's name as its identity, writes it into /tmp and
# into its upper under the same file names as every other run, waits until
# all have written (the barrier, a bind of one host directory), then reads
# back: it must find only its own marker.
CONCURRENT=20
profile same.yaml >/dev/null <<EOF
name: same
rootfs: $ROOTFS
layers: [$WORK/layer]
limits:
  pids: 64
  memory: 64m
  memory_swap: 128m
  cpu_shares: 512
  cpus: 0.5
mounts: ['$WORK/barrier:/barrier']
command:
  - /bin/sh
  - -c
  - |
    : $MARK
    id=\$(sed -n 's/^[0-9]*:pids://p' /proc/self/cgroup)
    id=\$\${id##*/}
    echo "\$id" >/tmp/mark && echo "\$id" >/mark && echo "\$id" >/etc/congo-layer || exit 3
    touch "/barrier/\$id"
    n=0
    while [ "\$(ls /barrier | wc -l)" -lt $CONCURRENT ] && [ \$n -lt 600 ]; do sleep 0.05; n=\$((n+1)); done
    echo "id=\$id met=\$(ls /barrier | wc -l) tmp=\$(cat /tmp/mark) upper=\$(cat /mark) layer=\$(cat /etc/congo-layer) tmpls=\$(ls /tmp | tr '\n' ' ')"
EOF

no_collision() {
    for i in $(seq $CONCURRENT); do
        "$CONGO" "$WORK/same.yaml" >"$WORK/same.out.$i" 2>&1 &
        echo $! >>"$PIDS"
        eval "pid_$i=$!"
    done
    bad=0
    for i in $(seq $CONCURRENT); do
        eval "wait \$pid_$i"
        st=$?
        [ "$st" = 0 ] || { echo "run $i: status $st: $(cat "$WORK/same.out.$i")"; bad=1; }
    done
    [ "$bad" = 0 ] || return 1
    cat "$WORK"/same.out.* | awk -v want=$CONCURRENT '
        {
            for (f = 1; f <= NF; f++) { split($f, kv, "="); v[kv[1]] = kv[2] }
            ids[v["id"]]++
            if (v["id"] !~ /^congo-same-[0-9]+-[0-9]+$/) { print "bad cgroup name: " $0; bad = 1 }
            if (v["met"] != want) { print "the runs did not all overlap: " $0; bad = 1 }
            if (v["tmp"] != v["id"] || v["upper"] != v["id"] || v["layer"] != v["id"]) {
                print "another run'"'"'s marker: " $0; bad = 1
            }
            if (v["tmpls"] != "mark") { print "/tmp holds more than its own file: " $0; bad = 1 }
        }
        END {
            n = 0; for (i in ids) n++
            if (n != want) { print n " distinct cgroups for " want " runs"; bad = 1 }
            exit bad
        }' || { cat "$WORK"/same.out.*; return 1; }
    # The layer's file is unchanged on the host: writes went to each run's upper.
    expect_eq layer "$(cat "$WORK/layer/etc/congo-layer")" "the layer's file on the host"
}
t "$CONCURRENT concurrent runs of one profile never collide (cgroup, /tmp, upper)" no_collision

# --- the load ---

LOAD_DIR=$WORK/load
LOAD_CONGO=$CONGO
LOAD_PROFILE=$WORK/load.yaml
LOAD_MARK=$MARK
# About 30 sampled runs in CI, one in ten at most.
LOAD_SAMPLE=10
export LOAD_DIR LOAD_CONGO LOAD_PROFILE LOAD_MARK LOAD_SAMPLE
: >"$LOAD_DIR/results"
: >"$LOAD_DIR/started"

start=$(now_ms)
seq "$runs" | xargs -P "$parallel" -n 1 sh "$RELDIR/load.sh" --worker \
    >"$LOAD_DIR/xargs.out" 2>&1 &
xargs_pid=$!
hung=
while read -r _ _ state _ 2>/dev/null <"/proc/$xargs_pid/stat" && [ "$state" != Z ]; do
    if [ $(($(now_ms) - start)) -gt $((timeout * 1000)) ]; then
        # Runs that started and never ended: SIGKILL their launchers (ours).
        hung=$(awk 'NR == FNR { done[$1] = 1; next } !($2 in done) { print $3 }' \
            "$LOAD_DIR/results" "$LOAD_DIR/started")
        for p in $hung; do kill -KILL "$p" 2>/dev/null; done
        break
    fi
    sleep 0.2
done
wait "$xargs_pid"
took=$(($(now_ms) - start))
awk '{print $3}' "$LOAD_DIR/started" >>"$PIDS"

statuses_right() {
    [ -z "$hung" ] || { echo "runs still going after ${timeout}s (launchers SIGKILLed): $hung"; }
    [ -s "$LOAD_DIR/xargs.out" ] && { echo "worker output:"; head -20 "$LOAD_DIR/xargs.out"; }
    done_runs=$(wc -l <"$LOAD_DIR/results")
    wrong=$(awk '$3 != $4' "$LOAD_DIR/results")
    nwrong=$(printf '%s' "$wrong" | grep -c .)
    echo "$done_runs $nwrong" >"$WORK/figures.runs"
    if [ -n "$wrong" ]; then
        echo "$nwrong runs with a wrong status (run pid want got):"
        printf '%s\n' "$wrong" | head -20 | while read -r i p w g rest; do
            echo "$i $p $w $g: $(head -3 "$LOAD_DIR/out/$i" 2>/dev/null | tr '\n' ' ')"
        done
        summary=$(printf '%s\n' "$wrong" | awk '{print $4}' | sort | uniq -c | tr '\n' ' ')
        echo "wrong statuses (count status): $summary"
    fi
    [ -z "$hung" ] && [ ! -s "$LOAD_DIR/xargs.out" ] && [ "$done_runs" = "$runs" ] && [ -z "$wrong" ]
}
t "$runs runs, $parallel at a time: every exit status is the command's (i % 7)" statuses_right

fds_stable() {
    awk '$5 != "-" {print $5}' "$LOAD_DIR/results" | sort | uniq -c | sort -rn >"$WORK/figures.fds"
    samples=$(awk '{s += $1} END {print s + 0}' "$WORK/figures.fds")
    kinds=$(wc -l <"$WORK/figures.fds")
    want=$(((runs + LOAD_SAMPLE - 1) / LOAD_SAMPLE))
    [ "$kinds" = 1 ] || { echo "the launchers' fds differ between runs (count, fds):"; cat "$WORK/figures.fds"; return 1; }
    # A sample is missed only when its run failed before the command ran.
    [ "$samples" -gt $((want / 2)) ] || {
        echo "only $samples of $want sampled runs were counted"
        head -5 "$LOAD_DIR/unsampled" 2>/dev/null
        return 1
    }
}
t "the launcher's fds are the same in every sampled run" fds_stable

no_cgroup_left() {
    left=$(cgroups_of_pids "$PIDS")
    [ -z "$left" ] || { echo "$(echo "$left" | wc -l) congo cgroups of our launchers left:"; echo "$left" | head -20; return 1; }
}
t "no congo cgroup of our launchers is left" no_cgroup_left

no_mount_left() {
    after=$(host_mounts)
    [ "$mounts_before" = "$after" ] && return 0
    echo "the host's mount table changed:"
    printf '%s\n' "$mounts_before" >"$WORK/m.before"
    printf '%s\n' "$after" >"$WORK/m.after"
    diff "$WORK/m.before" "$WORK/m.after" | head -20
    return 1
}
t "no mount is left on the host" no_mount_left

t "no temporary file or directory is left (/tmp, the launchers' TMPDIR)" check_tmp

no_process_left() {
    left=$(procs_with "$MARK")
    [ -z "$left" ] || { echo "processes of the runs still there:"; echo "$left" | head -20; return 1; }
}
t "no process of any run is left" no_process_left

# --- figures ---
read -r done_runs nwrong <"$WORK/figures.runs" 2>/dev/null || { done_runs=0; nwrong=0; }
echo "# runs: $runs ($parallel at a time), finished: $done_runs, wrong status: $nwrong"
echo "# wall time: $((took / 1000)).$(printf '%03d' $((took % 1000))) s, $(awk -v n="$done_runs" -v t="$took" 'BEGIN {printf "%.1f", t ? n * 1000 / t : 0}') runs/s"
awk '{n = split($2, f, ","); printf "# launcher fds: %d fds (%s) in %d sampled runs\n", n - 1, $2, $1}' \
    "$WORK/figures.fds" 2>/dev/null
[ -s "$LOAD_DIR/unsampled" ] && echo "# fds not counted in $(wc -l <"$LOAD_DIR/unsampled") sampled runs, e.g. $(head -n 1 "$LOAD_DIR/unsampled")"
echo "# memory cgroups on the host (/proc/cgroups, dying ones included): $memcg_before before, $(awk '$1 == "memory" {print $3}' /proc/cgroups) after"
echo "# leftovers: cgroups $(cgroups_of_pids "$PIDS" | grep -c .), mounts $([ "$mounts_before" = "$(host_mounts)" ] && echo 0 || echo changed), /tmp entries $(cat "$WORK/tmp.new" 2>/dev/null | grep -c .), processes $(procs_with "$MARK" | grep -c .)"
[ -s "$WORK/tmp.note" ] && echo "# /tmp: $(cat "$WORK/tmp.note")"
echo "$((n - failed)) passed, $failed failed"
exit "$((failed > 0))"
