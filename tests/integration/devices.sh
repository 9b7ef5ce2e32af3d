#!/bin/sh
# The devices and device_rules keys: each mistake refused at its file, line
# and key in both formats; the forms printed back; and a container given a
# device: its node bound with the host's numbers, read as allowed and
# written only when allowed, while a node it was not given stays shut even
# on a bind that allows nodes (the device cgroup, here the v1 devices
# controller; tests/vm/run-engine-v2.sh does v2's BPF program). An OCI
# config's linux.devices and allow rules run through congo-oci the same.
SUBREAPER=1
. "$(dirname "$0")/lib.sh"

plan 10

OCI=$(dirname "$CONGO")/congo-oci
oci() { "$OCI" --root "$WORK/oci-root" "$@"; }
trap 'for id in $(oci list -q 2>/dev/null); do oci delete --force "$id"; done; cleanup_work' EXIT

# Nodes of this host that every Linux has, harmless to open: a latency
# request (c 10:259) and the loop devices' control (c 10:237).
LAT=/dev/cpu_dma_latency
LOOPCTL=/dev/loop-control
have=
[ -c "$LAT" ] && [ -c "$LOOPCTL" ] || have="no $LAT or $LOOPCTL here"
[ -d /sys/fs/cgroup/devices ] || [ -f /sys/fs/cgroup/cgroup.controllers ] ||
    have="${have:-no devices controller and no cgroup v2 here}"

key_errors() {
    both dev "rootfs: /r
devices: [dev/fuse, \"/dev/zero:/tmp/z\", \"/dev/zero:/dev/z:rx\"]
device_rules: [\"c 10:229\", \"a 1:2 r\"]
" 'rootfs = "/r";
devices = [ "/dev/a:/dev/b:r:w" ];
device_rules = [ "x 1:2 r" ];
' "%s:2:11: error: devices[0]: \`dev/fuse\`: the host's node is an absolute path without \`..\`
%s:2:21: error: devices[1]: \`/tmp/z\`: a device's path in the container is below /dev, without \`..\`
%s:2:41: error: devices[2]: \`rx\`: the access is some of r, w and m, each once
%s:3:16: error: device_rules[0]: \`c 10:229\` is not a device rule: expected TYPE MAJOR:MINOR ACCESS, as in \`c 10:229 rwm\` (TYPE a, c or b; MAJOR and MINOR numbers or *; ACCESS of r, w and m)
%s:3:28: error: device_rules[1]: \`a 1:2 r\`: type a is any device, with *:* for its numbers" \
        "%s:2: error: devices[0]: \`/dev/a:/dev/b:r:w\` is not a device: expected HOST_PATH[:CONTAINER_PATH[:ACCESS]], as in /dev/fuse or /dev/zero:/dev/zero2:r
%s:3: error: device_rules[0]: \`x 1:2 r\`: the type is a (any), c (character) or b (block), not \`x\`"
}
t "a malformed device or rule, at its file, line and key, in both formats" key_errors

printed() {
    mkdir -p "$WORK/p"
    printf 'rootfs: /r\ndevices: [/dev/fuse, "/dev//zero:/dev/./z:wr"]\ndevice_rules: ["b 8:* mr"]\n' \
        >"$WORK/p/base.yaml"
    printf 'include = "base.yaml";\ndevices = [ "/dev/kmsg:r", "/dev/fuse:/dev/fuse:r" ];\ndevice_rules = [ "a *:* m" ];\n' \
        >"$WORK/p/top.conf"
    out=$("$CONGO" --print "$WORK/p/top.conf" | sed -n '/^devices:/,/^namespaces:/p') || return 1
    expect_eq "devices:
  - \"/dev/fuse:r\"
  - \"/dev/zero:/dev/z:rw\"
  - \"/dev/kmsg:r\"
device_rules:
  - \"b 8:* rm\"
  - \"a *:* m\"
namespaces:" "$out" "--print: merged by path (the later fuse replacing), each as its parser writes it" ||
        return 1
    cli=$("$CONGO" --print-cli "$WORK/p/top.conf") || return 1
    case $cli in
    *" --devices /dev/fuse:r,/dev/zero:/dev/z:rw,/dev/kmsg:r --device-rules 'b 8:* rm,a *:* m'"*) ;;
    *) echo "--print-cli: $cli"; return 1 ;;
    esac
    eval "set -- ${cli#congo-launch }"
    expect_eq "$("$CONGO" --print "$WORK/p/top.conf" | sed -n '/^devices:/,/^namespaces:/p')" \
        "$("$CONGO" --print "$@" | sed -n '/^devices:/,/^namespaces:/p')" "--print of --print-cli's"
}
t "devices merge by their path; --print and --print-cli give them and the rules back" printed

reserved() {
    both reserved "rootfs: /r
devices: [\"/dev/zero:/dev/pts/0\", \"/dev/zero:/dev/z\", \"/dev/null:/dev/z\"]
" 'rootfs = "/r";
devices = [ "/dev/null:/dev/stdout", "/dev/cpu_dma_latency:/dev/null" ];
' "%s:2:11: error: devices[0]: \`/dev/pts\` is congo's own in every container's /dev; a device goes elsewhere
%s:2:55: error: devices[2]: \`/dev/z\` is the path of \`/dev/zero:/dev/z\` too" \
        "%s:2: error: devices[0]: \`/dev/stdout\` is congo's own in every container's /dev; a device goes elsewhere
%s:2: error: devices[1]: \`/dev/null\` is congo's own in every container's /dev; a device goes elsewhere"
}
t "a device on congo's own /dev paths, or two on one path in a file, refused" reserved

# box NAME DEVICES RULES: a profile with a bind of loop-control that lets nodes open (dev: true).
box() {
    printf '%s\n' "rootfs: $ROOTFS" "$2" "$3" \
        "mounts: [{type: bind, source: $LOOPCTL, target: /loopctl, dev: true}]" \
        "command: [/bin/sh, -c, 'head -c 4 /dev/lat | wc -c; [ -c /dev/lat ] && (echo 0 >/dev/lat) 2>/dev/null && echo written; (: </loopctl) 2>/dev/null && echo loopctl-opened; head -c 1 /dev/zero | wc -c']" |
        profile "$1.yaml"
}

given_read() {
    p=$(box read "devices: [\"$LAT:/dev/lat:r\"]" "") || return 1
    out=$("$CONGO" "$p" 2>&1) || { echo "$out"; return 1; }
    expect_eq "4
1" "$out" "read allowed, written and an unlisted node refused, congo's own open"
}
t_unless "$have" "devices r: the node is read, not written; another node stays shut, even on a dev bind" \
    given_read

rules_open() {
    p=$(box rules "devices: [\"$LAT:/dev/lat\"]" "device_rules: [\"c 10:237 r\"]") || return 1
    out=$("$CONGO" "$p" 2>&1) || { echo "$out"; return 1; }
    expect_eq "4
written
loopctl-opened
1" "$out" "rwm on the device, and the rule opens loop-control"
}
t_unless "$have" "device_rules let a node on a dev bind open; rwm lets the device be written" rules_open

# The device cgroup is what shuts loop-control: without devices, the bind opens it.
without() {
    p=$(box none "" "") || return 1
    out=$("$CONGO" "$p" 2>/dev/null)
    expect_eq "0
loopctl-opened
1" "$out" "no device cgroup: no /dev/lat, and a dev bind opens what it holds"
}
t_unless "$have" "without devices there is no device cgroup (a dev: true bind is the profile's word)" \
    without

plan_shows() {
    [ -d /sys/fs/cgroup/devices ] || { echo "not a v1 host"; return 0; }
    p=$(box plan "devices: [\"$LAT:/dev/lat:r\"]" "device_rules: [\"a *:* m\"]") || return 1
    out=$("$CONGO" --print-plan "$p" | grep -E "  device |devices\.(allow|deny)" |
        sed 's|^ *.*/sys/fs/cgroup/devices/[^/]*/||')
    expect_eq "  device   /dev/null, the host's node
  device   /dev/zero, the host's node
  device   /dev/full, the host's node
  device   /dev/random, the host's node
  device   /dev/urandom, the host's node
  device   /dev/tty, the host's node
  device   /dev/lat, the host's $LAT  # $p:2
devices.deny = a
devices.allow = c 1:3 rwm
devices.allow = c 1:5 rwm
devices.allow = c 1:7 rwm
devices.allow = c 1:8 rwm
devices.allow = c 1:9 rwm
devices.allow = c 5:0 rwm
devices.allow = c 5:2 rwm
devices.allow = c 136:* rwm
devices.allow = c $((0x$(stat -c %t "$LAT"))):$((0x$(stat -c %T "$LAT"))) r
devices.allow = c *:* m
devices.allow = b *:* m" "$out" "--print-plan (a *:* m as a rule per type)"
}
t_unless "$have" "--print-plan: the node's bind and the devices controller's list" plan_shows

missing() {
    p=$(box missing "devices: [/dev/no-such-node, \"$ROOTFS/bin/busybox:/dev/bb\"]" "") || return 1
    out=$("$CONGO" "$p" 2>&1)
    expect_eq 125 $? "status" || return 1
    expect_eq "congo-launch: devices: \`/dev/no-such-node\` ($p:2): No such file or directory" \
        "$out" || return 1
    sed -i 's|/dev/no-such-node, ||' "$p"
    out=$("$CONGO" "$p" 2>&1)
    expect_eq "congo-launch: devices: \`$ROOTFS/bin/busybox\` ($p:2) is not a device node" "$out"
}
t "a device that is not there, or not a device: 125, naming it and where it was asked for" missing

exported() {
    p=$(printf '%s\n' "rootfs: $ROOTFS" "readonly_rootfs: true" "init: false" \
        "devices: [\"$LAT:/dev/lat:r\"]" "device_rules: [\"b 8:* m\"]" \
        "command: [/bin/sh, -c, 'head -c 4 /dev/lat | wc -c; (echo 0 >/dev/lat) 2>/dev/null && echo written; echo end']" |
        profile export.yaml)
    mkdir -p "$WORK/exp"
    "$CONGO" --print --format oci "$p" >"$WORK/exp/config.json" 2>/dev/null || return 1
    out=$(python3 -c '
import json, os, sys
c = json.load(open(sys.argv[1]))
st = os.stat(sys.argv[2])
d = c["linux"]["devices"]
print(len(d), d[0]["path"], d[0]["type"], d[0]["major"] == os.major(st.st_rdev),
      d[0]["minor"] == os.minor(st.st_rdev), d[0]["fileMode"] == st.st_mode & 0o7777)
print([m["destination"] for m in c["mounts"] if m["destination"] == "/dev/lat"])
for r in c["linux"]["resources"]["devices"]:
    if r.get("minor") == os.minor(st.st_rdev) and r.get("major") == os.major(st.st_rdev):
        print("the node:", r["type"], r["access"])
    if r.get("type") == "b":
        print(r)' "$WORK/exp/config.json" "$LAT") || return 1
    expect_eq "1 /dev/lat c True True True
[]
the node: c r
{'allow': True, 'access': 'm', 'type': 'b', 'major': 8}" "$out" "config.json's linux.devices and rules" ||
        return 1
    # And back: congo-oci runs the bundle, the node bound from the host's with its access.
    out=$(oci run --bundle "$WORK/exp" exported 2>&1) || { echo "$out"; return 1; }
    expect_eq "4
end" "$out" "the exported bundle, run back"
}
t_unless "$have" "the OCI export: linux.devices, its rule with its access, device_rules; and run back" exported

oci_devices() {
    b=$WORK/bundle
    mkdir -p "$b"
    cp -a "$ROOTFS" "$b/rootfs"
    "$OCI" spec --bundle "$b" || return 1
    python3 - "$b/config.json" "$LAT" <<'PY'
import json, os, sys
c = json.load(open(sys.argv[1]))
st = os.stat(sys.argv[2])
c["process"]["terminal"] = False
c["root"]["readonly"] = False
c["process"]["args"] = ["/bin/sh", "-c", "head -c 4 /dev/lat | wc -c; (echo 0 >/dev/lat) 2>/dev/null && echo written; ls /dev/lat"]
c["linux"]["devices"] = [{"path": "/dev/lat", "type": "c", "major": os.major(st.st_rdev),
                          "minor": os.minor(st.st_rdev), "fileMode": st.st_mode & 0o7777,
                          "uid": 0, "gid": 0}]
c["linux"]["resources"]["devices"] = [{"allow": False, "access": "rwm"},
    {"allow": True, "type": "c", "major": os.major(st.st_rdev), "minor": os.minor(st.st_rdev),
     "access": "r"}]
json.dump(c, open(sys.argv[1], "w"))
PY
    out=$(oci run --bundle "$b" devs 2>&1) || { echo "$out"; return 1; }
    expect_eq "4
/dev/lat" "$out" "the node, read and not written, as the config's rule says"
}
t_unless "$have" "config.json: linux.devices bound from the host, its allow rule the only access" \
    oci_devices

finish
