#!/bin/bash
# podman end to end: `podman run --rm IMAGE /bin/true` with congo-oci as its
# runtime against the same with runc.
#
#   bench/podman.sh [--runs N] [--congo PATH]
#
# As root. The image is imported from the benchmark's busybox root; podman
# keeps everything under the work directory (vfs storage, run and tmp
# directories, containers.conf) and runs in a mount namespace of its own
# where /run and /var/lib are bound to directories of the script's, so
# runc's state stays there too; --network none, cgroupfs, its containers'
# cgroups below a parent of the script's, removed at the end. N rounds
# (default 20), interleaved (bench/timeit.c). Prints the medians and their
# ratio, and writes them to bench/results/podman.txt.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/fixtures.sh"
bench_args 20 "$@"
[ "$(id -u)" = 0 ] || { echo "podman.sh: run as root" >&2; exit 1; }
for p in podman conmon runc; do
    command -v $p >/dev/null || { echo "podman.sh: $p is not installed (scripts/deps.sh)" >&2; exit 1; }
done
say() { printf '== %s\n' "$*" >&2; }

[ -n "$congo" ] || congo=$(bench_congo "$repo")
oci=$(cd "$(dirname "$congo")" && pwd)/congo-oci
[ -x "$oci" ] || { echo "podman.sh: no congo-oci beside $congo" >&2; exit 1; }
work=$(mktemp -d /tmp/congo-bench-podman.XXXXXX)
cgp=/congo-bench-podman.$$
gcc -O2 -Wall -o "$work/timeit" "$here/timeit.c"
bench_root "$work" "$repo"

mkdir -p "$work/run" "$work/varlib" "$work/storage" "$work/runroot" "$work/tmp" "$work/logs"
# This host lacks CAP_SYS_RESOURCE: podman sets no ulimits of its own.
cat >"$work/containers.conf" <<EOF
[containers]
default_ulimits = []
log_driver = "k8s-file"
netns = "none"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
pull_policy = "never"
EOF
: >"$work/registries.conf"
export CONTAINERS_CONF=$work/containers.conf CONTAINERS_REGISTRIES_CONF=$work/registries.conf
# congo-oci on one --root of the work directory's, whoever calls it (conmon's cleanup too).
printf '#!/bin/sh\nexec "%s" --root "%s" "$@"\n' "$oci" "$work/oci-root" >"$work/congo-oci"
chmod +x "$work/congo-oci"
printf '#!/bin/sh\nmount --bind "%s" /run && mount --bind "%s" /var/lib || exit 125\nexec "$@"\n' \
    "$work/run" "$work/varlib" >"$work/ns.sh"
chmod +x "$work/ns.sh"
podman=("$(command -v unshare)" -m --propagation private "$work/ns.sh" timeout -s KILL 60 "$(command -v podman)"
    --root "$work/storage" --runroot "$work/runroot" --tmpdir "$work/tmp" --cgroup-manager cgroupfs
    --events-backend file --storage-driver vfs)
img=localhost/congo-bench-podman:latest

ours() {
    local p
    for p in /proc/[0-9]*; do
        case $(cat "$p/comm" 2>/dev/null) in podman | conmon) ;; *) continue ;; esac
        tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF "$work/" && echo "${p#/proc/}"
    done
}
cleanup() {
    set +e
    local i p
    "${podman[@]}" rm --all --force --time 0 >/dev/null 2>&1
    i=0
    while [ -n "$(ours)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    for p in $(ours); do kill -KILL "$p" 2>/dev/null; done
    for i in 1 2 3 4 5 6 7 8 9 10; do
        find /sys/fs/cgroup/*"$cgp" -depth -type d 2>/dev/null | while read -r d; do rmdir "$d" 2>/dev/null; done
        ls -d /sys/fs/cgroup/*"$cgp" >/dev/null 2>&1 || break
        sleep 0.5
    done
    if grep -qF " $work/" /proc/self/mountinfo; then
        echo "podman.sh: something is still mounted under $work; left in place" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

say "podman: importing the busybox root"
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
"${podman[@]}" import --quiet "$work/rootfs.tar" "$img" >/dev/null
run=(run --rm --network none --cgroup-parent "$cgp")
for r in "$work/congo-oci" runc; do
    "${podman[@]}" "${run[@]}" --runtime "$r" "$img" /bin/true ||
        { echo "podman.sh: podman run with $r fails" >&2; exit 1; }
done
say "$runs interleaved podman run --rm, congo-oci and runc"
"$work/timeit" -n "$runs" -w 2 -l "$work/logs" -- \
    congo-oci "${podman[@]}" "${run[@]}" --runtime "$work/congo-oci" "$img" /bin/true -- \
    runc "${podman[@]}" "${run[@]}" --runtime runc "$img" /bin/true >"$work/run.txt"

ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }
med() { awk -v t="$1" '$1 == t { print $4 }' "$work/run.txt"; }
mkdir -p "$here/results"
{
    echo "podman run --rm IMAGE /bin/true, --network none, $runs interleaved rounds"
    printf '%-10s %6s %10s %10s %10s\n' 'runtime' 'fails' 'median ms' 'p10 ms' 'p90 ms'
    while read -r t _ f m a b _; do
        printf '%-10s %6s %10s %10s %10s\n' "$t" "$f" "$(ms "$m")" "$(ms "$a")" "$(ms "$b")"
    done <"$work/run.txt"
    echo "runc - congo-oci: $(awk -v a="$(med runc)" -v b="$(med congo-oci)" \
        'BEGIN { printf "%.1f", (a - b) / 1000 }') ms a container"
    echo "podman: $(podman --version); runc: $(runc --version | head -n 1)"
} | tee "$here/results/podman.txt"
