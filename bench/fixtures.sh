# What the benchmarks start and check, shared by run.sh and compare.sh.
# Sourced; each function takes the work directory.

# bench_root WORK REPO: the busybox root (WORK/rootfs), one overlay layer
# (WORK/layer) and the full default profile (WORK/full.yaml); sets rootfs
# and layer. The profile: five namespaces (cgroup off, as by default), a
# cgroup with pids, memory and cpu limits, an overlay of one layer over the
# root with a tmpfs upper, /proc /dev /sys /tmp, pivot_root, the default
# seccomp filter, capabilities and no_new_privileges, init as PID 1.
bench_root() {
    rootfs=$1/rootfs
    if [ ! -x "$rootfs/bin/busybox" ] || [ /bin/busybox -nt "$rootfs/bin/busybox" ]; then
        printf '== %s\n' "making the busybox rootfs" >&2
        sh "$2/scripts/mkrootfs.sh" "$rootfs"
    fi
    layer=$1/layer
    mkdir -p "$layer/etc"
    echo "one overlay layer for the benchmark" >"$layer/etc/bench-layer"
    printf '%s\n' "name: bench" "rootfs: $rootfs" "layers: [$layer]" "limits:" "  pids: 64" \
        "  memory: 64m" "  cpus: 0.5" "command: [/bin/true]" >"$1/full.yaml"
}

# bench_check_stack WORK: a 16-deep include stack (WORK/stack/level00.yaml
# at the top) holding 200 mounts and 16 variables, and the same profile as
# one flat file (WORK/stack/flat.yaml). After bench_root.
bench_mount_line() { # mount number i, as the stack and the flat file both write it
    if [ $(($1 % 2)) = 0 ]; then
        printf '  - %s:/srv/m%03d:ro\n' "$layer" "$1"
    else
        printf '  - {target: /run/m%03d, type: tmpfs, options: "size=1m,mode=0755"}\n' "$1"
    fi
}

bench_check_stack() {
    local stack=$1/stack depth=16 n_mounts=200 l i f
    rm -rf "$stack"
    mkdir -p "$stack"
    {
        printf 'rootfs: %s\ncommand: [/bin/true]\nhostname: flat\n' "$rootfs"
        printf 'env:\n'
        for l in $(seq 0 $((depth - 1))); do printf '  LEVEL_%02d: "%d"\n' "$l" "$l"; done
        printf 'mounts:\n'
        for i in $(seq 0 $((n_mounts - 1))); do bench_mount_line "$i"; done
    } >"$stack/flat.yaml"
    for l in $(seq 0 $((depth - 1))); do
        f=$stack/level$(printf %02d "$l").yaml
        {
            if [ "$l" -lt $((depth - 1)) ]; then printf 'include: level%02d\n' $((l + 1)); fi
            if [ "$l" = 0 ]; then printf 'rootfs: %s\ncommand: [/bin/true]\nhostname: flat\n' "$rootfs"; fi
            printf 'env:\n  LEVEL_%02d: "%d"\nmounts:\n' "$l" "$l"
            # Mount i lives at level i % depth: every level holds 12 or 13.
            for i in $(seq 0 $((n_mounts - 1))); do
                if [ $((i % depth)) = "$l" ]; then bench_mount_line "$i"; fi
            done
        } >"$f"
    done
}

# bench_congo REPO: congo-launch built -O2 in REPO/build/bench (configured
# once, made every time, so that no benchmark measures stale sources); its path.
bench_congo() {
    if [ ! -f "$1/build/bench/Makefile" ]; then
        mkdir -p "$1/build/bench"
        (cd "$1/build/bench" && ../../configure -q CFLAGS='-O2 -g' >/dev/null)
    fi
    (cd "$1/build/bench" && make -s -j2 >/dev/null) || return 1
    echo "$1/build/bench/congo-launch"
}

# bench_args DEFAULT_RUNS "$@": the options every benchmark takes, --runs N
# and --congo PATH, into runs and congo; -h prints the script's usage line
# (its "#   bench/NAME.sh ..." comment). Anything else is an error (2).
bench_args() {
    local me
    me=$(basename "$0")
    runs=$1
    congo=
    shift
    while [ $# -gt 0 ]; do
        case $1 in
        --runs) runs=${2:?}; shift ;;
        --congo) congo=${2:?}; shift ;;
        -h | --help) grep -m1 '^#   bench/' "$0" | sed 's/^#   //' >&2; exit 2 ;;
        *) echo "$me: unknown option \`$1'" >&2; exit 2 ;;
        esac
        shift
    done
    case $runs in '' | *[!0-9]* | 0) echo "$me: --runs wants a positive number" >&2; exit 2 ;; esac
}
