#!/bin/bash
# Networks: what network: bridge costs a start, and how fast its containers
# and pasta's talk.
#
#   bench/network.sh [--runs N] [--congo PATH]
#
# As root. Every packet stays inside network namespaces this script makes:
# congo, podman, iperf3, pasta and slirp4netns all run in a namespace of its
# own ("main", with its own loopback, bridges, nftables and iptables rules),
# whose default route leads by a veth pair to one more namespace ("ext")
# that has no route anywhere. The namespaces live as long as the sleeps that
# hold them; the script kills those, and everything else it started, by pid.
#
# 1. Start to exit of the full benchmark profile (fixtures.sh) with
#    network: none (the default) against the same profile with network:
#    bridge, N interleaved rounds (bench/timeit.c); the bridge congo0 and its
#    nftables table are made by the first start and stay, as docker0 does.
#    Then `podman run --rm` with runc (named: Debian's podman picks crun
#    when both are installed), --network none against --network
#    bridge (podman's default network), 20 rounds (fewer if N is), on an
#    image imported from the same busybox root. podman runs in a mount
#    namespace of its own where /run and /var/lib are bound to directories
#    of the script's, so its network namespaces, runc's state and CNI's
#    leases stay there; its storage (vfs), configuration and containers.conf
#    are the script's too, and its containers' cgroups are below a parent of
#    the script's own, removed at the end. Target: bridge at most 1.5 ms
#    more than none (the medians).
# 2. TCP from a congo container (network: bridge, no limits) to its gateway,
#    10.89.0.1, with iperf3 (5 s, the client in the container's namespace,
#    the server in main), against a plain veth pair between two namespaces
#    of their own; 5 of each, interleaved, median. Target: >= 90%.
# 3. User-mode networking, run as root in namespaces of the script's:
#    pasta (--config-net, copying main's address and route; its gateway is
#    mapped to main's loopback) at its own MTU (65520) and at 1500, and
#    slirp4netns (--configure --mtu=65520; 10.0.2.2 is main's loopback);
#    the iperf3 server on 127.0.0.1 of main. 3 of each, interleaved, median.
#
# Prints the figures and writes them to bench/results/network.txt.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
. "$here/fixtures.sh"
runs=200
congo=

while [ $# -gt 0 ]; do
    case $1 in
    --runs) runs=${2:?}; shift ;;
    --congo) congo=${2:?}; shift ;;
    -h | --help) sed -n '5,5p' "$0" | sed 's/^# //' >&2; exit 2 ;;
    *) echo "network.sh: unknown option \`$1'" >&2; exit 2 ;;
    esac
    shift
done
case $runs in '' | *[!0-9]* | 0) echo "network.sh: --runs wants a positive number" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "network.sh: run as root (network namespaces, bridges)" >&2; exit 1; }
for tool in nsenter unshare ip nft ss iperf3 python3; do
    command -v $tool >/dev/null || { echo "network.sh: $tool is not installed" >&2; exit 1; }
done
say() { printf '== %s\n' "$*" >&2; }
started=$(date +%s)

[ -n "$congo" ] || congo=$(bench_congo "$repo") ||
    { echo "network.sh: cannot build congo-launch; name one with --congo" >&2; exit 1; }
congo=$(cd "$(dirname "$congo")" && echo "$(pwd)/$(basename "$congo")")
[ -x "$congo" ] || { echo "network.sh: $congo is not executable" >&2; exit 1; }

work=$(mktemp -d /tmp/congo-bench-network.XXXXXX)
export CONGO_STATE_DIR=$work/state
cgp=/congo-bench-network.$$
holders=() # the sleeps holding the namespaces
bg=()      # servers, pasta, slirp4netns: each under timeout, which passes a TERM on
cid=       # the detached congo container
podman_used=

# podman and conmon processes whose command line names the work directory: ours.
ours() {
    local p
    for p in /proc/[0-9]*; do
        case $(cat "$p/comm" 2>/dev/null) in podman | conmon) ;; *) continue ;; esac
        tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF "$work/" && echo "${p#/proc/}"
    done
}
cleanup() {
    set +e
    local p i
    if [ -n "$cid" ]; then
        nsenter -t "${holders[0]}" -n timeout 20 "$congo" --kill "$cid" KILL >/dev/null 2>&1
        i=0
        while [ $i -lt 50 ] && nsenter -t "${holders[0]}" -n "$congo" --list 2>/dev/null | grep -q "^$cid "; do
            sleep 0.1
            i=$((i + 1))
        done
    fi
    if [ -n "$podman_used" ]; then
        pm rm --all --force --time 0 >/dev/null 2>&1
        i=0
        while [ -n "$(ours)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        for p in $(ours); do kill -KILL "$p" 2>/dev/null; done
    fi
    for p in "${bg[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${holders[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    for i in 1 2 3 4 5 6 7 8 9 10; do
        find /sys/fs/cgroup/*"$cgp" -depth -type d 2>/dev/null | while read -r d; do rmdir "$d" 2>/dev/null; done
        ls -d /sys/fs/cgroup/*"$cgp" >/dev/null 2>&1 || break
        sleep 0.5
    done
    # Nothing of the script's is mounted in the host's namespace; if something is, keep the files.
    if grep -qF " $work" /proc/self/mountinfo; then
        echo "network.sh: something is mounted under $work: left in place" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# hold: a new network namespace, held by a sleep; its pid in $held.
hold() {
    unshare -n sleep 100000 &
    held=$!
    holders+=("$held")
    local i=0
    until [ "$(readlink "/proc/$held/ns/net" 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ]; do
        [ $i -lt 100 ] || { echo "network.sh: unshare -n did not make a namespace" >&2; exit 1; }
        sleep 0.02
        i=$((i + 1))
    done
    nsenter -t "$held" -n ip link set lo up
}
hold
main=$held
hold
ext=$held
in_main() { nsenter -t "$main" -n -- "$@"; }
in_main ip link add ext0 type veth peer name ext1 netns "$ext"
in_main ip addr add 192.0.2.1/24 dev ext0
in_main ip link set ext0 up
nsenter -t "$ext" -n ip addr add 192.0.2.2/24 dev ext1
nsenter -t "$ext" -n ip link set ext1 up
# pasta copies a default route; this one leads to ext, which has none.
in_main ip route add default via 192.0.2.2

mkdir -p "$work/logs" "$work/state"
gcc -O2 -Wall -o "$work/timeit" "$here/timeit.c"
bench_root "$work" "$repo"
{ cat "$work/full.yaml"; echo "network: bridge"; } >"$work/bridge.yaml"
in_main "$congo" "$work/full.yaml" || { echo "network.sh: the full profile does not start" >&2; exit 1; }
in_main "$congo" "$work/bridge.yaml" ||
    { echo "network.sh: the full profile with network: bridge does not start" >&2; exit 1; }

# ---- 1. start to exit ----
say "$runs interleaved starts of the full profile, network: none and bridge"
in_main timeout 1800 "$work/timeit" -n "$runs" -w 5 -l "$work/logs" -- \
    none "$congo" "$work/full.yaml" -- bridge "$congo" "$work/bridge.yaml" >"$work/starts.txt"

# podman, with everything it keeps under the work directory; each call in
# main, in a mount namespace of its own (see the top of this file).
prun=20
[ "$runs" -ge $prun ] || prun=$runs
podman_why=
mkdir -p "$work/pm/run" "$work/pm/varlib" "$work/pm/storage" "$work/pm/runroot" "$work/pm/tmp" \
    "$work/pm/cni"
# This host lacks CAP_SYS_RESOURCE: podman sets no ulimits of its own.
cat >"$work/pm/containers.conf" <<EOF
[containers]
default_ulimits = []
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
pull_policy = "never"

[network]
network_config_dir = "$work/pm/cni"
EOF
: >"$work/pm/registries.conf"
cat >"$work/pm/ns.sh" <<EOF
#!/bin/sh
mount --bind "$work/pm/run" /run && mount --bind "$work/pm/varlib" /var/lib || exit 125
exec "\$@"
EOF
chmod +x "$work/pm/ns.sh"
export CONTAINERS_CONF=$work/pm/containers.conf CONTAINERS_REGISTRIES_CONF=$work/pm/registries.conf
in_pm() { in_main unshare -m --propagation private "$work/pm/ns.sh" "$@"; }
podman_cmd=(podman --root "$work/pm/storage" --runroot "$work/pm/runroot" --tmpdir "$work/pm/tmp"
    --cgroup-manager cgroupfs --events-backend file --storage-driver vfs)
pm() { in_pm timeout -s KILL 60 "${podman_cmd[@]}" "$@"; }
img=localhost/congo-bench-network:latest
podman_run=(run --rm --runtime runc --cgroup-parent "$cgp")
if ! command -v podman >/dev/null; then
    podman_why="podman is not installed"
elif ! command -v runc >/dev/null; then
    podman_why="runc is not installed"
else
    podman_used=1
    podman_cmd[0]=$(command -v podman)
    say "podman: importing the busybox root"
    backend=$(pm info --format '{{.Host.NetworkBackend}}' 2>"$work/pm/info.err") ||
        backend="unknown ($(tail -n 1 "$work/pm/info.err"))"
    tar -C "$work/rootfs" -cf "$work/pm/rootfs.tar" .
    if ! pm import --quiet "$work/pm/rootfs.tar" "$img" >"$work/pm/import.log" 2>&1; then
        podman_why="podman import fails: $(tail -n 1 "$work/pm/import.log")"
    elif ! pm "${podman_run[@]}" --network none "$img" /bin/true >"$work/pm/none.log" 2>&1; then
        podman_why="podman run --network none fails: $(tail -n 1 "$work/pm/none.log")"
    elif ! pm "${podman_run[@]}" --network bridge "$img" /bin/true >"$work/pm/bridge.log" 2>&1; then
        podman_why="podman run --network bridge fails in the namespace: $(tail -n 1 "$work/pm/bridge.log")"
    fi
fi
if [ -z "$podman_why" ]; then
    say "$prun interleaved podman run --rm (runc), --network none and bridge ($backend)"
    to=$(command -v timeout)
    in_pm timeout 1800 "$work/timeit" -n "$prun" -w 2 -l "$work/logs" -- \
        podman-none "$to" -s KILL 60 "${podman_cmd[@]}" "${podman_run[@]}" --network none "$img" /bin/true -- \
        podman-bridge "$to" -s KILL 60 "${podman_cmd[@]}" "${podman_run[@]}" --network bridge "$img" /bin/true \
        >"$work/podman.txt" || podman_why="timeit over podman failed"
else
    say "podman is not measured: $podman_why"
fi

# ---- iperf3 ----
# serve NS ADDRESS: an iperf3 server for one test, in the namespace held by
# NS, listening on ADDRESS:5201 on return; its timeout's pid in $srv.
serve() {
    timeout 60 nsenter -t "$1" -n iperf3 -s -B "$2" -1 >>"$work/logs/iperf3-server.log" 2>&1 &
    srv=$!
    bg+=("$srv")
    local i=0
    until nsenter -t "$1" -n ss -Hltn "sport = :5201" | grep -qF "$2:5201"; do
        [ $i -lt 100 ] || { echo "nothing listens on $2:5201" >&2; return 1; }
        sleep 0.05
        i=$((i + 1))
    done
}
# gbits LABEL SERVER-NS SERVER-ADDRESS CLIENT-NS CLIENT-ADDRESS: one 5 s test, the
# client connecting to CLIENT-ADDRESS (SERVER-ADDRESS unless given); prints
# the receiver's Gbit/s, or `fail`.
gbits() {
    local out=$work/logs/$1.$RANDOM.json
    if serve "$2" "$3" && timeout 60 nsenter -t "$4" -n iperf3 -c "${5:-$3}" -t 5 -J >"$out" 2>&1; then
        python3 -c 'import json, sys
print("%.2f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9))' "$out" ||
            echo fail
    else
        echo fail
    fi
    wait "$srv" 2>/dev/null || true
}
median() { tr ' ' '\n' | grep -v '^fail$' | grep . | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) print "fail"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---- 2. TCP through the bridge ----
say "TCP: a congo container on the bridge against a plain veth pair (5 x 5 s each)"
printf '%s\n' "rootfs: $work/rootfs" "name: iperf" "network: bridge" 'command: [sleep, "600"]' >"$work/iperf.yaml"
cid=$(in_main timeout 30 "$congo" --detach "$work/iperf.yaml")
cpid=$(in_main "$congo" --list --format json | python3 -c 'import json, sys
print([c["pid"] for c in json.load(sys.stdin) if c["id"] == sys.argv[1]][0])' "$cid")
hold
va=$held
hold
vb=$held
nsenter -t "$va" -n ip link add veth0 type veth peer name veth1 netns "$vb"
nsenter -t "$va" -n ip addr add 10.90.0.1/24 dev veth0
nsenter -t "$va" -n ip link set veth0 up
nsenter -t "$vb" -n ip addr add 10.90.0.2/24 dev veth1
nsenter -t "$vb" -n ip link set veth1 up
bridge_g=() veth_g=()
for i in 1 2 3 4 5; do
    bridge_g+=("$(gbits bridge "$main" 10.89.0.1 "$cpid")")
    veth_g+=("$(gbits veth "$va" 10.90.0.1 "$vb")")
done
nsenter -t "$main" -n timeout 20 "$congo" --kill "$cid" KILL >/dev/null 2>&1 || true

# ---- 3. pasta and slirp4netns ----
# Each in the background under timeout, in the foreground of its own; pasta
# gets the target namespace as a descriptor (it may not open another
# process's /proc/PID/ns/net once it has dropped its capabilities).
say "TCP: pasta and slirp4netns, as root, to main's loopback (3 x 5 s each)"
ready() { # ready NS: wait up to 5 s for a default route in it
    local i=0
    until [ -n "$(nsenter -t "$1" -n ip route show default 2>/dev/null)" ]; do
        [ $i -lt 100 ] || return 1
        sleep 0.05
        i=$((i + 1))
    done
}
um_why=
hold
upasta=$held
timeout 600 nsenter -t "$main" -n pasta -f --config-net --quiet -t none -u none -T none -U none \
    --runas 0 --netns /proc/self/fd/3 3<"/proc/$upasta/ns/net" >"$work/logs/pasta.log" 2>&1 &
bg+=("$!")
hold
upasta1500=$held
timeout 600 nsenter -t "$main" -n pasta -f --config-net --quiet -m 1500 -t none -u none -T none -U none \
    --runas 0 --netns /proc/self/fd/3 3<"/proc/$upasta1500/ns/net" >"$work/logs/pasta-1500.log" 2>&1 &
bg+=("$!")
hold
uslirp=$held
timeout 600 nsenter -t "$main" -n slirp4netns --configure --mtu=65520 "$uslirp" tap0 \
    >"$work/logs/slirp4netns.log" 2>&1 &
bg+=("$!")
pasta_g=() pasta1500_g=() slirp_g=()
ready "$upasta" || um_why+=" pasta did not configure its namespace ($(tail -n 1 "$work/logs/pasta.log"));"
ready "$upasta1500" || um_why+=" pasta -m 1500 did not configure its namespace;"
ready "$uslirp" ||
    um_why+=" slirp4netns did not configure its namespace ($(tail -n 1 "$work/logs/slirp4netns.log"));"
# pasta's gateway is main's own (192.0.2.2), mapped to main's loopback.
gw=$(nsenter -t "$upasta" -n ip route show default | awk '{ print $3; exit }')
gw=${gw:-192.0.2.2}
for i in 1 2 3; do
    pasta_g+=("$(gbits pasta "$main" 127.0.0.1 "$upasta" "$gw")")
    pasta1500_g+=("$(gbits pasta-1500 "$main" 127.0.0.1 "$upasta1500" "$gw")")
    slirp_g+=("$(gbits slirp4netns "$main" 127.0.0.1 "$uslirp" 10.0.2.2)")
done

# ---- the figures ----
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
med() { awk -v t="$1" '$1 == t { print $4 }' "$2"; }
ratio() { # A B: A/B, or - when either failed
    case "$1$2" in *fail*) echo - ;; *) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' ;; esac
}
{
    echo "start to exit, full profile, $runs interleaved rounds (podman: $prun)"
    printf '%-32s %6s %10s %10s %10s %10s\n' '' 'fails' 'median ms' 'p10 ms' 'p90 ms' 'cpu ms'
    for f in starts podman; do
        [ -s "$work/$f.txt" ] || continue
        while read -r t _ fails m a b _ _ _ _ c; do
            case $t in
            none | bridge) t="congo network: $t" ;;
            podman-*) t="podman runc --network ${t#podman-}" ;;
            esac
            printf '%-32s %6s %10s %10s %10s %10s\n' "$t" "$fails" "$(ms "$m")" "$(ms "$a")" "$(ms "$b")" \
                "$(ms "$c")"
        done <"$work/$f.txt"
    done
    echo "congo bridge - none: $(awk -v a="$(med bridge "$work/starts.txt")" -v b="$(med none "$work/starts.txt")" \
        'BEGIN { printf "%.2f", (a - b) / 1000 }') ms (target <= 1.5 ms)"
    if [ -s "$work/podman.txt" ]; then
        echo "podman bridge - none: $(awk -v a="$(med podman-bridge "$work/podman.txt")" \
            -v b="$(med podman-none "$work/podman.txt")" 'BEGIN { printf "%.2f", (a - b) / 1000 }') ms" \
            "(network backend: $backend)"
    else
        echo "podman: not measured: $podman_why"
    fi
    echo
    echo "TCP, iperf3 -t 5, median of 5 (each run's Gbit/s in brackets)"
    b=$(echo "${bridge_g[*]}" | median) v=$(echo "${veth_g[*]}" | median)
    printf '%-40s %8s Gbit/s  [%s]\n' "veth pair, namespace to namespace" "$v" "${veth_g[*]}"
    printf '%-40s %8s Gbit/s  [%s]\n' "congo bridge, container to gateway" "$b" "${bridge_g[*]}"
    r=$(ratio "$b" "$v")
    [ "$r" = - ] || r=$(awk -v r="$r" 'BEGIN { printf "%.0f%%", r * 100 }')
    echo "congo bridge / veth: $r (target >= 90%)"
    echo
    echo "user-mode networking as root, to the namespace's loopback, median of 3"
    p=$(echo "${pasta_g[*]}" | median) p15=$(echo "${pasta1500_g[*]}" | median) s=$(echo "${slirp_g[*]}" | median)
    printf '%-40s %8s Gbit/s  [%s]\n' "pasta (MTU 65520, via $gw)" "$p" "${pasta_g[*]}"
    printf '%-40s %8s Gbit/s  [%s]\n' "pasta -m 1500" "$p15" "${pasta1500_g[*]}"
    printf '%-40s %8s Gbit/s  [%s]\n' "slirp4netns --mtu=65520 (via 10.0.2.2)" "$s" "${slirp_g[*]}"
    echo "pasta / slirp4netns: $(ratio "$p" "$s"); pasta -m 1500 / slirp4netns: $(ratio "$p15" "$s")"
    [ -z "$um_why" ] || echo "not all set up:$um_why"
    echo
    echo "congo: $congo"
    echo "podman: $(podman --version 2>/dev/null || echo none); runc: $(runc --version 2>/dev/null | head -n 1 || echo none)"
    echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg); took $(($(date +%s) - started)) s"
} | { mkdir -p "$here/results"; tee "$here/results/network.txt"; }
