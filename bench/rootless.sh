#!/bin/bash
# A rootless start: congo-launch run by a user other than root against
# `bwrap --unshare-all` run by the same user, on the same busybox root.
#
#   bench/rootless.sh [--runs N] [--congo PATH]
#
# As root, which makes a user of its own for the benchmark (removed at the
# end) and runs every start as that user. Both make a user namespace and
# every other one bwrap's --unshare-all makes (pid, net, ipc, uts, cgroup),
# /proc, /dev and a tmpfs /tmp, and run /bin/true. congo also assembles its
# overlay root with a tmpfs upper, /sys, its masked and read-only paths,
# the default seccomp filter, the capability drop and its init; bwrap binds
# the root read-only and does none of those. congo is measured twice: with
# the user's own uid alone mapped, as bwrap maps it, and with a subordinate
# range written by newuidmap and newgidmap (two setuid programs run per
# start). No cgroup: this host's controllers are root's. Prints medians and
# the target: congo at most 1.0x bwrap, with the single mapping. The user's
# runtime directory, where congo keeps its containers' state, is a tmpfs, as
# /run/user/UID is in a login session.
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
    *) echo "rootless.sh: unknown option \`$1'" >&2; exit 2 ;;
    esac
    shift
done
[ "$(id -u)" = 0 ] || { echo "rootless.sh: run as root (it makes a user of its own)" >&2; exit 1; }
command -v bwrap >/dev/null || { echo "rootless.sh: bwrap is not installed (apt-get install bubblewrap)" >&2; exit 1; }
command -v newuidmap >/dev/null || { echo "rootless.sh: newuidmap is not installed (apt-get install uidmap)" >&2; exit 1; }
say() { printf '== %s\n' "$*" >&2; }

[ -n "$congo" ] || congo=$(bench_congo "$repo")

# Everything the user reads lives in a directory of its own, outside the
# repository (whose parents it may not be allowed to enter).
work=$(mktemp -d /tmp/congo-bench-rootless.XXXXXX)
user=cbench$$
cleanup() {
    pkill -KILL -u "$user" 2>/dev/null || true
    umount "$work/run" 2>/dev/null || true
    userdel "$user" 2>/dev/null || true
    sed -i "/^$user:/d" /etc/subuid /etc/subgid
    rm -rf "$work"
}
trap cleanup EXIT
useradd --no-create-home --home-dir "$work" --shell /bin/sh "$user"
uid=$(id -u "$user")
sed -i "/^$user:/d" /etc/subuid /etc/subgid
chmod 755 "$work"
mkdir -p "$work/bin" "$work/logs"
cp "$congo" "$work/bin/congo-launch"
gcc -O2 -Wall -o "$work/bin/timeit" "$here/timeit.c"
bench_root "$work" "$repo"
printf '%s\n' "rootfs: $work/rootfs" "command: [/bin/true]" >"$work/plain.yaml"
# The user's runtime directory is a tmpfs of its own, as pam_systemd makes
# /run/user/UID: its containers' state goes there ($XDG_RUNTIME_DIR/congo).
mkdir -p "$work/run"
mount -t tmpfs -o "mode=0700,uid=$uid,size=16m" congo-bench "$work/run"
chown -R "$user" "$work/logs"

# as_user CMD...: CMD as the benchmark's user, in its own session's environment.
as_user() {
    setpriv --reuid="$uid" --regid="$(id -g "$user")" --init-groups \
        env -i PATH=/usr/bin:/bin HOME="$work" XDG_RUNTIME_DIR="$work/run" "$@"
}
as_user "$work/bin/congo-launch" "$work/plain.yaml" || { echo "rootless.sh: congo cannot run rootless here" >&2; exit 1; }

bwrap_cmd=("$(command -v bwrap)" --unshare-all --die-with-parent --ro-bind "$work/rootfs" / --proc /proc
    --dev /dev --tmpfs /tmp /bin/true)
as_user "${bwrap_cmd[@]}" || { echo "rootless.sh: bwrap cannot run rootless here" >&2; exit 1; }

# Without a subordinate range first, then with one: each its own interleaved run.
measure() { # measure OUT-FILE
    say "$runs interleaved starts of /bin/true, as $user ($1)"
    as_user "$work/bin/timeit" -n "$runs" -w 5 -l "$work/logs" -- \
        congo "$work/bin/congo-launch" "$work/plain.yaml" -- \
        bwrap "${bwrap_cmd[@]}" >"$work/$1.txt"
}
measure single
usermod --add-subuids 3000000-3065535 --add-subgids 3000000-3065535 "$user"
as_user "$work/bin/congo-launch" run "$work/rootfs" - - - - --user 1000 -- /bin/true ||
    { echo "rootless.sh: the subordinate range does not map" >&2; exit 1; }
measure range

ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
med() { awk -v t="$2" '$1 == t { print $4 }' "$work/$1.txt"; }
{
    printf '%-24s %6s %10s %10s %10s %10s\n' '' 'fails' 'median ms' 'p10 ms' 'p90 ms' 'cpu ms'
    for f in single range; do
        while read -r t _ fails m a b _ _ _ _ c; do
            printf '%-24s %6s %10s %10s %10s %10s\n' "$t ($f)" "$fails" "$(ms "$m")" "$(ms "$a")" \
                "$(ms "$b")" "$(ms "$c")"
        done <"$work/$f.txt"
    done
    echo "congo / bwrap, own uid alone: $(awk -v a="$(med single congo)" -v b="$(med single bwrap)" \
        'BEGIN { printf "%.2f", a / b }') (target <= 1.0)"
    echo "congo / bwrap, with newuidmap: $(awk -v a="$(med range congo)" -v b="$(med range bwrap)" \
        'BEGIN { printf "%.2f", a / b }')"
} | { mkdir -p "$here/results"; tee "$here/results/rootless.txt"; }
