#!/bin/bash
# `congo-oci run` against `crun run` and `runc run` on a pure cgroup v2
# kernel, where crun runs (it refuses this host's hybrid cgroups): the VM
# of tests/vm/vm-run.sh (Debian's kernel under software emulation, cgroup2
# as the only hierarchy with pids, memory and cpu enabled), one bundle of
# `runc spec` over the benchmark's busybox root, read-only, running
# /bin/true; N interleaved rounds (bench/timeit.c, default 60).
#
#   bench/oci-v2.sh [--runs N] [--congo PATH]
#
# As root. Emulation makes every start slower than on the host; the
# runtimes are slowed alike, so what counts is their ratio. Prints the
# medians and congo-oci's against crun's (target: no slower) and runc's,
# and writes them to bench/results/oci-v2.txt.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/fixtures.sh"
bench_args 60 "$@"
[ "$(id -u)" = 0 ] || { echo "oci-v2.sh: run as root" >&2; exit 1; }
for p in runc crun; do
    command -v $p >/dev/null || { echo "oci-v2.sh: $p is not installed (apt-get install $p)" >&2; exit 1; }
done
say() { printf '== %s\n' "$*" >&2; }

[ -n "$congo" ] || congo=$(bench_congo "$repo")
oci=$(cd "$(dirname "$congo")" && pwd)/congo-oci
[ -x "$oci" ] || { echo "oci-v2.sh: no congo-oci beside $congo" >&2; exit 1; }
work=$repo/build/bench/oci-v2
rm -rf "$work"
mkdir -p "$work/bundle"
gcc -O2 -Wall -o "$work/timeit" "$here/timeit.c"
bench_root "$work" "$repo"
cp -a "$work/rootfs" "$work/bundle/rootfs"
(cd "$work/bundle" && runc spec)
python3 - "$work/bundle/config.json" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["root"] = {"path": "rootfs", "readonly": True}
c["process"]["args"] = ["/bin/true"]
c["process"]["terminal"] = False
json.dump(c, open(sys.argv[1], "w"), indent=2)
EOF

cat >"$work/guest.sh" <<EOF
exec </dev/null
mkdir -p /tmp/logs
cd /test/bundle
# One of each first: a runtime that cannot run here says why.
for r in congo-oci crun runc; do
    /test/\$r --root /tmp/\$r run --bundle /test/bundle probe-\$r >/tmp/logs/probe-\$r 2>&1 ||
        { echo "\$r fails: \$(cat /tmp/logs/probe-\$r)"; exit 1; }
done
/test/timeit -n $runs -w 3 -l /tmp/logs -- \\
    congo-oci /test/congo-oci --root /tmp/congo-oci run --bundle /test/bundle 'c-{}' -- \\
    crun /test/crun --root /tmp/crun run --bundle /test/bundle 'x-{}' -- \\
    runc /test/runc --root /tmp/runc run --bundle /test/bundle 'r-{}' | sed 's/^/result: /'
EOF

say "$runs interleaved runs of /bin/true per runtime, in the cgroup v2 VM (minutes)"
"$repo/tests/vm/vm-run.sh" --module overlay --controllers "+cpu +memory +pids" \
    --file "$oci:/test/congo-oci" --file "$(command -v crun):/test/crun" \
    --file "$(command -v runc):/test/runc" --file "$work/timeit:/test/timeit" \
    --file "$work/bundle:/test/bundle" --timeout 1500 --memory 1536 "$work/guest.sh" \
    >"$work/vm.log" 2>&1 || { tail -n 20 "$work/vm.log" >&2; exit 1; }
sed -n 's/^result: //p' "$work/vm.log" >"$work/run.txt"

ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }
med() { awk -v t="$1" '$1 == t { print $4 }' "$work/run.txt"; }
mkdir -p "$here/results"
{
    echo "run --bundle, /bin/true, $runs interleaved rounds, cgroup v2 VM (software emulation)"
    printf '%-10s %6s %10s %10s %10s %10s\n' '' 'fails' 'median ms' 'p10 ms' 'p90 ms' 'cpu ms'
    while read -r t _ f m a b _ _ _ _ c; do
        printf '%-10s %6s %10s %10s %10s %10s\n' "$t" "$f" "$(ms "$m")" "$(ms "$a")" "$(ms "$b")" "$(ms "$c")"
    done <"$work/run.txt"
    echo "crun / congo-oci: $(awk -v a="$(med crun)" -v b="$(med congo-oci)" \
        'BEGIN { printf "%.2f", a / b }') (target >= 1: congo-oci no slower)"
    echo "runc / congo-oci: $(awk -v a="$(med runc)" -v b="$(med congo-oci)" 'BEGIN { printf "%.2f", a / b }')"
    echo "crun: $(crun --version | head -n 1); runc: $(runc --version | head -n 1)"
} | tee "$here/results/oci-v2.txt"
