#!/bin/sh
# --print-plan tells the truth: the mounts a container gets are those the
# plan lists, in its order, and what it says of the process is what the
# command sees.
. "$(dirname "$0")/lib.sh"

plan 5

# The targets --print-plan lists as mounts, in order (symlinks are not mounts).
plan_targets() {
    "$CONGO" --print-plan "$1" |
        awk '/^mounts, in order:/ { on = 1; next }
             /^then pivot_root/ { on = 0 }
             on && $1 != "symlink" { print $2 }' | sed 's/,$//'
}

mounts_in_plan_order() {
    mkdir -p "$WORK/data/sub" "$WORK/other"
    p=$(profile mounts.yaml <<EOF
rootfs: $ROOTFS
mounts:
  - $WORK/data/sub:/srv/data/sub:ro
  - {target: /run/scratch, type: tmpfs, options: 'size=1m'}
  - $WORK/data:/srv/data
  - $WORK/other:/opt/other
masked_paths: [/srv/data/sub]
readonly_paths: [/opt/other]
command: [cat, /proc/self/mountinfo]
EOF
)
    plan_targets "$p" >"$WORK/plan" || return 1
    [ -s "$WORK/plan" ] || { echo "no mounts in the plan"; return 1; }
    "$CONGO" "$p" | awk '{ print $5 }' | sed 1d >"$WORK/actual" || return 1
    # Every mount the container has, in the order it was made, is the
    # plan's next one (masks of paths that do not exist are skipped, and
    # on v1 /sys/fs/cgroup holds one bind per hierarchy).
    awk 'NR == FNR { want[++n] = $1; next }
         $1 ~ "^/sys/fs/cgroup/" { next }
         {
             while (i < n && want[i + 1] != $1) i++
             if (i == n) { print "mounted but not planned, or out of order: " $1; bad = 1; exit }
             i++
         }
         END { exit bad }' "$WORK/plan" "$WORK/actual" || {
        echo "plan:"
        cat "$WORK/plan"
        echo "actual:"
        cat "$WORK/actual"
        return 1
    }
    # And the profile's own ones are all there.
    for m in /srv/data /srv/data/sub /run/scratch /opt/other; do
        grep -qx "$m" "$WORK/actual" || { echo "$m is not mounted"; return 1; }
    done
}
t "the container's mounts are the plan's, in the plan's order" mounts_in_plan_order

process_as_planned() {
    p=$(profile proc.yaml <<EOF
rootfs: $ROOTFS
hostname: planned
workdir: /var/tmp
env: {GREETING: hello}
command: [/bin/sh, -c, 'echo "\$(hostname) \$(pwd) \$GREETING"']
EOF
)
    text=$("$CONGO" --print-plan "$p") || return 1
    for want in '  hostname planned' '  workdir /var/tmp, made when missing' '    GREETING=hello'; do
        printf '%s\n' "$text" | grep -qxF -- "$want" || { echo "no [$want] in the plan"; return 1; }
    done
    expect_eq "planned /var/tmp hello" "$("$CONGO" "$p")"
}
t "the host name, workdir and environment are the plan's" process_as_planned

cgroup_as_planned() {
    p=$(profile limits.yaml <<EOF
name: limited
rootfs: $ROOTFS
limits: {pids: 37, memory: 48m, cpus: 0.25}
command: [/bin/sh, -c, 'cd /sys/fs/cgroup && while read -r f; do echo "\$f = \$(cat \$f)"; done </wanted']
mounts: ['$WORK/wanted:/wanted:ro']
EOF
)
    text=$("$CONGO" --print-plan "$p") || return 1
    # "    DIR/FILE = VALUE": the container sees FILE as /sys/fs/cgroup/FILE on v2, and
    # below its hierarchy's directory on v1 (the last component of its mount, as on the host).
    v2=$(printf '%s\n' "$text" | grep -c '^  on this host (cgroup v2)')
    printf '%s\n' "$text" | sed -n 's|^    \(/[^ ]*\) = \(.*\)$|\1 \2|p' >"$WORK/writes"
    [ -s "$WORK/writes" ] || { echo "no cgroup writes in the plan: $text"; return 1; }
    : >"$WORK/wanted"
    want=
    while read -r path value; do
        file=${path##*/}
        if [ "$v2" = 0 ]; then
            rest=${path#/sys/fs/cgroup/}
            file=${rest%%/*}/$file
        fi
        echo "$file" >>"$WORK/wanted"
        want="$want$file = $value
"
    done <"$WORK/writes"
    got=$("$CONGO" "$p") || return 1
    expect_eq "${want%
}" "$got" "the cgroup files, as the plan lists them and as the container reads them"
}
t "the cgroup files --print-plan lists hold, in the container, the values it lists" cgroup_as_planned

without_root() {
    p=$(profile noroot.yaml <<EOF
rootfs: $ROOTFS
command: [/bin/true]
EOF
)
    chmod 755 "$WORK"
    chmod 644 "$p"
    out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$CONGO" --print-plan "$p" 2>&1)
    status=$?
    expect_eq 0 "$status" "status as uid 65534" || { echo "$out"; return 1; }
    printf '%s\n' "$out" | grep -q '^mounts, in order:' || { echo "$out"; return 1; }
}
if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$CONGO"; then
    t "--print-plan needs no root" without_root
else
    n=$((n + 1))
    echo "ok $n - --print-plan needs no root # SKIP uid 65534 cannot run $CONGO here"
fi

statuses() {
    expect_status 0 "$CONGO" --print-plan run "$ROOTFS" 10 - - - -- /bin/true >/dev/null || return 1
    bad=$(profile bad.yaml <<EOF
rootfs: $ROOTFS
limits: {pids: lots}
EOF
)
    expect_status 1 "$CONGO" --print-plan "$bad" 2>/dev/null || return 1
    nocmd=$(profile nocmd.yaml <<EOF
rootfs: $ROOTFS
EOF
)
    err=$("$CONGO" --print-plan "$nocmd" 2>&1)
    expect_eq 1 $? "status without a command" || return 1
    expect_eq "congo-launch: no command: the profile has none; give one after \`--\`" "$err" || return 1
    expect_status 2 "$CONGO" --print-plan --check "$nocmd" 2>/dev/null
}
t "--print-plan exits 0 for a plan, 1 for a bad profile, 2 for a usage error" statuses

finish
