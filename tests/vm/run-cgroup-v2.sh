#!/bin/sh
# The cgroup module on a real cgroup v2 kernel. Hosts like the one congo is
# developed on mount v1 controllers and a v2 hierarchy without any, so v2 is
# tested in a VM (vm-run.sh) whose only hierarchy is cgroup2: limits written
# and read back, clone3 into the cgroup, a fork loop held by pids.max, an
# allocation OOM-killed under memory.max, destroy, stale collection, and the
# `auto` parent rule when the launcher sits in a cgroup that holds processes.
#
#   tests/vm/run-cgroup-v2.sh [CHECK_PROGRAM]
#
# CHECK_PROGRAM is the built tests/vm/cgroup-v2-check (default:
# $CONGO_VM_CHECK, else ./tests/vm/cgroup-v2-check when run from the build
# directory, as `make check` does, else compiled here from the sources).
# Exit status: 0 pass, 1 fail, 77 skip (no qemu or kernel to be had).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

bin=${1:-${CONGO_VM_CHECK:-}}
if [ -z "$bin" ] && [ -x tests/vm/cgroup-v2-check ]; then
    bin=$(pwd)/tests/vm/cgroup-v2-check
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/congo-cgroup-v2.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
if [ -z "$bin" ]; then
    bin=$tmp/cgroup-v2-check
    ${CC:-cc} -std=gnu11 -D_GNU_SOURCE -O1 -g -Wall -I"$top/src" \
        "$top/src/runtime/cgroup.c" "$top/src/runtime/cgroup-v1.c" \
        "$top/src/runtime/cgroup-v2.c" "$top/src/util/util.c" "$top/src/util/error.c" \
        "$top/src/profile/profile.c" "$here/cgroup-v2-check.c" -lm -o "$bin"
fi
[ -x "$bin" ] || { echo "run-cgroup-v2: no check program \`$bin'" >&2; exit 1; }

cat >"$tmp/cgroup-v2.sh" <<'EOF'
echo "guest: cgroup.controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
echo "guest: cgroup.subtree_control: '$(cat /sys/fs/cgroup/cgroup.subtree_control)'"
# The harness's module loading, which the container tests need for the root
# overlay: a broken harness must not go unnoticed here either.
if ! grep -qw overlay /proc/filesystems; then
    echo "guest: overlay is not available: vm-run.sh --module overlay failed"
    exit 1
fi
/test/cgroup-v2-check
EOF

status=0
"$here/vm-run.sh" --module overlay --file "$bin:/test/cgroup-v2-check" \
    --timeout "${CONGO_VM_TIMEOUT:-180}" "$tmp/cgroup-v2.sh" || status=$?
exit "$status"
