#!/bin/sh
# An OCI bundle's config.json run by congo-launch: what the command sees is
# what the config says (user, host name, environment, capabilities,
# mounts, limits), the root is written directly or read-only as the config
# says, and a bad config is refused at its JSON pointer with nothing run.
. "$(dirname "$0")/lib.sh"

plan 7

# bundle NAME [PYTHON]: WORK/NAME with a copy of the test root and a
# config.json like `runc spec` makes, changed by the Python statements
# (on the dict c) given; prints the config's path.
bundle() {
    dir=$WORK/$1
    mkdir -p "$dir"
    [ -d "$dir/rootfs" ] || cp -a "$ROOTFS" "$dir/rootfs"
    python3 - "$dir/config.json" "${2:-pass}" <<'EOF'
import json, sys
c = {
    "ociVersion": "1.0.2",
    "process": {
        "user": {"uid": 4242, "gid": 4242, "additionalGids": []},
        "args": ["/bin/sh", "-c", "true"],
        "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "FROM_CONFIG=yes"],
        "cwd": "/tmp",
        "capabilities": {k: ["CAP_KILL", "CAP_NET_BIND_SERVICE"]
                         for k in ("bounding", "effective", "permitted")},
        "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 512, "soft": 256}],
        "noNewPrivileges": True,
    },
    "root": {"path": "rootfs", "readonly": True},
    "hostname": "from-config",
    "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs",
         "options": ["nosuid", "noexec", "nodev", "ro"]},
        {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]},
        {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
         "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
    ],
    "linux": {
        "resources": {"devices": [{"allow": False, "access": "rwm"}],
                      "pids": {"limit": 32}, "memory": {"limit": 33554432}},
        "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
        "maskedPaths": ["/proc/keys"],
        "readonlyPaths": ["/proc/sys"],
    },
}
exec(sys.argv[2])
json.dump(c, open(sys.argv[1], "w"), indent=1)
EOF
    echo "$dir/config.json"
}

as_configured() {
    cfg=$(bundle seen "c['process']['args'] = ['/bin/sh', '/probe.sh']") || return 1
    cat >"$WORK/seen/rootfs/probe.sh" <<'EOF'
id; hostname; pwd
env | sort | grep -v "^PWD=\|^SHLVL=\|^HOME=\|^HOSTNAME="
grep -E "^Cap(Bnd|Eff)|^NoNewPrivs" /proc/self/status
ulimit -n
cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/pids/pids.max 2>/dev/null
for t in /tmp /dev/shm /dev/mqueue; do
    echo $t $(awk -v t=$t '$5 == t' /proc/self/mountinfo | wc -l)
done
awk '$5 == "/proc/keys"' /proc/self/mountinfo | wc -l
awk '$5 == "/proc/kcore" || $5 == "/proc/interrupts"' /proc/self/mountinfo | wc -l
echo x 2>/dev/null >/written && echo root-writable || echo root-read-only
exit 7
EOF
    out=$("$CONGO" "$cfg")
    status=$?
    expect_eq 7 "$status" "the command's exit status" || { echo "$out"; return 1; }
    expect_eq "uid=4242 gid=4242
from-config
/tmp
FROM_CONFIG=yes
PATH=/usr/sbin:/usr/bin:/sbin:/bin
CapEff:	0000000000000000
CapBnd:	0000000000000420
NoNewPrivs:	1
256
32
/tmp 1
/dev/shm 0
/dev/mqueue 0
1
0
root-read-only" "$out" "what the command sees"
}
t "a config.json runs as configured: user, host name, env, caps, rlimits, limits, mounts, masks" \
    as_configured

writable_root() {
    cfg=$(bundle direct "c['root']['readonly'] = False
c['process']['user'] = {'uid': 0, 'gid': 0}
c['process']['args'] = ['/bin/sh', '-c', 'echo from-container >/written-by-container']") ||
        return 1
    "$CONGO" "$cfg" || return 1
    expect_eq from-container "$(cat "$WORK/direct/rootfs/written-by-container")" \
        "a file the container wrote at / (root.readonly false: written directly)"
}
t "a root that is not read-only is written directly, with no overlay" writable_root

# A hostile bundle: symbolic links in its root that lead out, absolute and
# by `..`. A mount's destination through them stays in the root; one to a
# path the root lacks is refused at its JSON pointer, before anything runs.
symlink_destinations() {
    p=$(bundle hostile "c['root']['readonly'] = False
c['process']['user'] = {'uid': 0, 'gid': 0}
c['process']['args'] = ['/bin/sh', '-c', 'ls -d /in-root-a /in-root-b']
c['mounts'] += [{'destination': '/abs/in-root-a', 'type': 'tmpfs', 'source': 'tmpfs'},
                {'destination': '/dots/in-root-b', 'type': 'tmpfs', 'source': 'tmpfs'}]") || return 1
    r=$(dirname "$p")/rootfs
    ln -sfn / "$r/abs"
    ln -sfn ../../../../../.. "$r/dots"
    out=$("$CONGO" "$p" 2>&1)
    expect_eq "0 /in-root-a
/in-root-b" "$? $out" "the mounts, inside the root" || return 1
    [ ! -e /in-root-a ] && [ ! -e /in-root-b ] || { echo "a mount target was made on the host"; return 1; }
    p=$(bundle hostile2 "c['mounts'] += [{'destination': '/gone/x', 'type': 'tmpfs', 'source': 'tmpfs'}]") ||
        return 1
    ln -sfn "$WORK/outside" "$(dirname "$p")/rootfs/gone"
    mkdir -p "$WORK/outside"
    err=$("$CONGO" "$p" 2>&1)
    expect_eq 125 $? "a destination through a link to a path the root lacks" || return 1
    expect_eq "congo-launch: $p:/mounts/6: mounts: target: \`/gone/x\`: \`gone\` is a symlink to nowhere" \
        "$err" || return 1
    expect_eq "" "$(ls -A "$WORK/outside")" "the host's directory the link names"
}
t "config.json destinations through symbolic links that lead out: kept in the root, or refused at /mounts/N" \
    symlink_destinations

check_located() {
    cfg=$(bundle bad "c['linux']['resources']['memory']['limit'] = 1000
c['hooks'] = {'prestart': [{'path': 'bin/true'}]}") || return 1
    err=$("$CONGO" --check "$cfg" 2>&1)
    expect_eq 1 $? "--check status" || return 1
    case $err in
    *"config.json: error: /hooks/prestart/0/path: \`bin/true\` is not an absolute path"*) ;;
    *) echo "$err"; return 1 ;;
    esac
    case $err in
    *"config.json: error: /linux/resources/memory/limit: "*4m*) ;;
    *) echo "$err"; return 1 ;;
    esac
}
t "--check of a bad config.json: exit 1, each error at its JSON pointer" check_located

run_refused() {
    cfg=$(bundle refused "c['linux']['namespaces'].append({'type': 'time'})
c['process']['args'] = ['/bin/sh', '-c', 'echo ran >/written']
c['root']['readonly'] = False") || return 1
    err=$("$CONGO" "$cfg" 2>&1)
    expect_eq 125 $? "status" || return 1
    case $err in *"/linux/namespaces/5/type: time namespaces are not supported yet"*) ;; *) echo "$err"; return 1 ;; esac
    [ ! -e "$WORK/refused/rootfs/written" ] || { echo "the command ran"; return 1; }
}
t "a config congo cannot honour is refused before anything runs (125)" run_refused

print_converts() {
    cfg=$(bundle printed) || return 1
    "$CONGO" --print "$cfg" >"$WORK/printed.yaml" || return 1
    out=$("$CONGO" "$WORK/printed.yaml" -- /bin/sh -c 'id -u; hostname') || return 1
    expect_eq "4242
from-config" "$out" "the printed profile, run"
}
t "--print turns a config.json into a profile that runs the same container" print_converts

# runc sets no flag a bind's options do not name: a bind without nosuid
# keeps setuid bits working, and so does congo's reading of it (suid: true),
# where its own binds are nosuid. Device nodes on it stay shut under runc by
# the config's device rules, which congo does not have: its binds stay nodev.
binds_as_runc() {
    mkdir -p "$WORK/vol"
    cfg=$(bundle binds "c['process']['args'] = ['/bin/sh', '/probe-binds.sh']
c['mounts'] += [
    {'destination': '/srv/a', 'type': 'bind', 'source': '$WORK/vol', 'options': ['rbind']},
    {'destination': '/srv/b', 'type': 'bind', 'source': '$WORK/vol',
     'options': ['rbind', 'nosuid', 'nodev']},
    {'destination': '/srv/c', 'type': 'bind', 'source': '$WORK/vol', 'options': ['bind', 'nodev']}]") ||
        return 1
    mkdir -p "$WORK/binds/rootfs/srv/a" "$WORK/binds/rootfs/srv/b" "$WORK/binds/rootfs/srv/c"
    cat >"$WORK/binds/rootfs/probe-binds.sh" <<'EOF'
awk '$5 ~ /^\/srv\// {
    n = split($6, o, ","); f = ""
    for (i = 1; i <= n; i++) if (o[i] ~ /^no(suid|dev)$/) f = f " " o[i]
    print $5 f
}' /proc/self/mountinfo | sort
EOF
    out=$("$CONGO" "$cfg") || { echo "$out"; return 1; }
    expect_eq "/srv/a nodev
/srv/b nosuid nodev
/srv/c nodev" "$out" "the binds' nosuid and nodev in the container" || return 1
    "$CONGO" --print "$cfg" >"$WORK/binds.yaml" || return 1
    grep -qF "{target: /srv/a, type: bind, source: $WORK/vol, readonly: false, suid: true, dev: false}" \
        "$WORK/binds.yaml" || { grep /srv/ "$WORK/binds.yaml"; return 1; }
}
t_unless "$(work_suid_dev_hidden)" \
    "config.json binds are nosuid as their options say, as under runc, and always nodev" binds_as_runc

finish
