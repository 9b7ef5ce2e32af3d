#!/bin/bash
# Running containers: what --exec and --list cost.
#
#   bench/containers.sh [--runs N] [--many N] [--congo PATH]
#
# As root. Starts one detached container of the full default profile
# running `sleep`, then times, interleaved (bench/timeit.c), `/bin/true`
# started in it by `congo-launch --exec`, by `nsenter --all` (namespaces
# only: no cgroup, capabilities or seccomp) and, in a runc container made
# from the same root, by `runc exec`. Then starts N (100) detached
# containers and times `congo-launch --list` and `--list --format json`
# over them. Prints medians and the targets: --exec at least 5x faster than
# runc exec, --list of 100 under 20 ms.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/fixtures.sh"
runs=200
many=100
congo=

while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=${2:?}; shift ;;
    --many) many=${2:?}; shift ;;
    --congo) congo=${2:?}; shift ;;
    -h | --help) sed -n '4,4p' "$0" | sed 's/^# //' >&2; exit 2 ;;
    *) echo "containers.sh: unknown option \`$1'" >&2; exit 2 ;;
    esac
    shift
done
[ "$(id -u)" = 0 ] || { echo "containers.sh: run as root" >&2; exit 1; }
say() { printf '== %s\n' "$*" >&2; }

[ -n "$congo" ] || congo=$(bench_congo "$repo")
work=$repo/build/bench/containers
mkdir -p "$work"
gcc -O2 -Wall -o "$work/timeit" "$here/timeit.c"
bench_root "$work" "$repo"
export CONGO_STATE_DIR=$work/state
sed 's|command: \[/bin/true\]|command: [sleep, "100000"]|' "$work/full.yaml" >"$work/service.yaml"

ids=()
runc_id=cbench-exec-$$
cleanup() {
    local id
    for id in "${ids[@]}"; do "$congo" --kill "$id" >/dev/null 2>&1 || true; done
    if command -v runc >/dev/null; then
        runc --root "$work/runc-state" delete -f "$runc_id" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

say "one detached container"
id=$("$congo" --detach "$work/service.yaml")
ids+=("$id")
pid=$("$congo" --list --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["pid"])')

tools=(congo-exec "$congo" --exec "$id" '\--' /bin/true -- nsenter "$(command -v nsenter)" --all -t "$pid" /bin/true)
if command -v runc >/dev/null; then
    bundle=$work/bundle
    rm -rf "$bundle"
    mkdir -p "$bundle"
    (cd "$bundle" && runc spec)
    python3 - "$bundle/config.json" "$work/rootfs" <<'EOF'
import json, sys
path, root = sys.argv[1], sys.argv[2]
c = json.load(open(path))
c["root"] = {"path": root, "readonly": True}
c["process"]["args"] = ["sleep", "100000"]
c["process"]["terminal"] = False
json.dump(c, open(path, "w"), indent=2)
EOF
    runc --root "$work/runc-state" run -d --bundle "$bundle" "$runc_id" </dev/null >/dev/null 2>&1
    tools+=(-- runc-exec "$(command -v runc)" --root "$work/runc-state" exec "$runc_id" /bin/true)
else
    say "runc is not installed: runc exec is skipped"
fi
say "$runs interleaved starts of /bin/true in a running container"
"$work/timeit" -n "$runs" -w 5 -- "${tools[@]}" >"$work/exec.txt"

say "$many detached containers"
for i in $(seq 1 "$many"); do
    ids+=("$("$congo" --detach --name "many$i" "$work/service.yaml")")
done
"$work/timeit" -n "$runs" -w 5 -- list "$congo" --list -- list-json "$congo" --list --format json \
    >"$work/list.txt"

ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
med() { awk -v t="$1" '$1 == t { print $4 }' "$2"; }
{
    printf '%-12s %10s %10s %10s\n' '' 'median ms' 'p10 ms' 'p90 ms'
    while read -r t _ _ m a b _; do
        printf '%-12s %10s %10s %10s\n' "$t" "$(ms "$m")" "$(ms "$a")" "$(ms "$b")"
    done <"$work/exec.txt"
    while read -r t _ _ m a b _; do
        printf '%-12s %10s %10s %10s  (%s running containers)\n' "$t" "$(ms "$m")" "$(ms "$a")" \
            "$(ms "$b")" "$((many + 1))"
    done <"$work/list.txt"
    if [ -n "$(med runc-exec "$work/exec.txt")" ]; then
        echo "runc exec / congo --exec: $(awk -v a="$(med runc-exec "$work/exec.txt")" \
            -v b="$(med congo-exec "$work/exec.txt")" 'BEGIN { printf "%.2f", a / b }') (target >= 5)"
    fi
    echo "--list of $((many + 1)): $(ms "$(med list "$work/list.txt")") ms (target < 20 ms)"
} | tee "$work/table.txt"
