#!/bin/bash
# The OCI runtime face: `congo-oci run` against `runc run` (and `crun run`
# where crun takes this host) on one bundle.
#
#   bench/oci.sh [--runs N] [--congo PATH]
#
# As root. The bundle is `runc spec`'s config.json (namespaces, masked and
# read-only paths, capabilities, rlimits, no_new_privileges) over the
# benchmark's busybox root, read-only, running /bin/true without a
# terminal; every start gets a new container id. Starts are interleaved
# (bench/timeit.c) and each ends with the runtime's own clean-up (`run`
# without -d deletes the container). Prints medians and the target: runc
# at least 5x as long as congo-oci.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/fixtures.sh"
bench_args 200 "$@"
[ "$(id -u)" = 0 ] || { echo "oci.sh: run as root" >&2; exit 1; }
command -v runc >/dev/null || { echo "oci.sh: runc is not installed (apt-get install runc)" >&2; exit 1; }
say() { printf '== %s\n' "$*" >&2; }

[ -n "$congo" ] || congo=$(bench_congo "$repo")
oci=$(dirname "$congo")/congo-oci
[ -x "$oci" ] || { echo "oci.sh: no congo-oci beside $congo" >&2; exit 1; }
work=$repo/build/bench/oci
rm -rf "$work/bundle" "$work/congo-state" "$work/runc-state" "$work/crun-state"
mkdir -p "$work/bundle" "$work/logs"
gcc -O2 -Wall -o "$work/timeit" "$here/timeit.c"
bench_root "$work" "$repo"

bundle=$work/bundle
(cd "$bundle" && runc spec)
python3 - "$bundle/config.json" "$work/rootfs" <<'EOF'
import json, sys
path, root = sys.argv[1], sys.argv[2]
c = json.load(open(path))
c["root"] = {"path": root, "readonly": True}
c["process"]["args"] = ["/bin/true"]
c["process"]["terminal"] = False
json.dump(c, open(path, "w"), indent=2)
EOF
"$congo" --check "$bundle/config.json"

# Whatever a failed start left behind goes with the script.
cleanup() {
    local r id
    for r in congo-state runc-state crun-state; do
        [ -d "$work/$r" ] || continue
        for id in $(ls "$work/$r" 2>/dev/null); do
            case $r in
            congo-state) "$oci" --root "$work/$r" delete -f "$id" >/dev/null 2>&1 || true ;;
            runc-state) runc --root "$work/$r" delete -f "$id" >/dev/null 2>&1 || true ;;
            crun-state) crun --root "$work/$r" delete -f "$id" >/dev/null 2>&1 || true ;;
            esac
        done
    done
}
trap cleanup EXIT

tools=(congo-oci "$oci" --root "$work/congo-state" run --bundle "$bundle" 'cb-{}'
    -- runc "$(command -v runc)" --root "$work/runc-state" run --bundle "$bundle" 'rb-{}')
if command -v crun >/dev/null; then
    if crun --root "$work/crun-state" run --bundle "$bundle" crun-probe </dev/null >"$work/crun.err" 2>&1; then
        tools+=(-- crun "$(command -v crun)" --root "$work/crun-state" run --bundle "$bundle" 'xb-{}')
    else
        say "crun refuses this host, skipped: $(head -n 1 "$work/crun.err")"
    fi
fi
say "$runs interleaved runs of /bin/true per runtime"
"$work/timeit" -n "$runs" -w 5 -l "$work/logs" -- "${tools[@]}" >"$work/run.txt"

ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
med() { awk -v t="$1" '$1 == t { print $4 }' "$work/run.txt"; }
{
    printf '%-10s %6s %10s %10s %10s %10s\n' '' 'fails' 'median ms' 'p10 ms' 'p90 ms' 'cpu ms'
    while read -r t _ f m a b _ _ _ _ c; do
        printf '%-10s %6s %10s %10s %10s %10s\n' "$t" "$f" "$(ms "$m")" "$(ms "$a")" "$(ms "$b")" "$(ms "$c")"
    done <"$work/run.txt"
    echo "runc run / congo-oci run: $(awk -v a="$(med runc)" -v b="$(med congo-oci)" \
        'BEGIN { printf "%.2f", a / b }') (target >= 5)"
    if [ -n "$(med crun)" ]; then
        echo "crun run / congo-oci run: $(awk -v a="$(med crun)" -v b="$(med congo-oci)" \
            'BEGIN { printf "%.2f", a / b }')"
    fi
} | tee "$work/table.txt"
