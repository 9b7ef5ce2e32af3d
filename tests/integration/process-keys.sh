#!/bin/sh
# The process keys as the container's command sees them: its umask, its
# supplementary groups, its oom_score_adj (the init's too, and that of a
# command run by --exec) and the ambient capabilities a user other than
# root keeps and can use; each in a YAML and in a libconfig profile, and
# the same container again from --print and from --print-cli.
. "$(dirname "$0")/lib.sh"

plan 17

# The detached containers of this file have their entries here; whatever
# a failing test leaves running is killed on the way out, before WORK goes.
CONGO_STATE_DIR=$WORK/state
export CONGO_STATE_DIR
# stop ID: kill a detached container and wait (up to 5 s) for its launcher to remove its entry.
stop() {
    "$CONGO" --kill "$1" 2>/dev/null
    i=0
    while [ -e "$CONGO_STATE_DIR/$1" ] && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
}
kill_detached() {
    for entry in "$CONGO_STATE_DIR"/*; do
        [ -d "$entry" ] && stop "${entry##*/}"
    done
    cleanup_work
}
trap kill_detached EXIT

# A layer of this file's own with a group the busybox root lacks: the host's
# /etc/group and the shared root stay as they are.
GROUP_LAYER=$WORK/group-layer
mkdir -p "$GROUP_LAYER/etc"
cp "$ROOTFS/etc/group" "$GROUP_LAYER/etc/group"
echo "congo-it:x:4321:" >>"$GROUP_LAYER/etc/group"

# The launcher's own oom_score_adj; the tests raise it (lowering needs CAP_SYS_RESOURCE).
OWN_OOM=$(cat /proc/self/oom_score_adj)
RAISED=$((OWN_OOM + 100))
[ "$RAISED" -le 1000 ] || RAISED=1000

# --- umask ---

umask_default_not_callers() {
    got=$(umask 077 && ctr -- /bin/sh -c 'umask') || return 1
    expect_eq 0022 "$got" "the umask with the caller's 077 and no umask key"
}
t "without the key the command's umask is 0022, not the caller's (077)" umask_default_not_callers

umask_both_formats() {
    y=$(profile umask.yaml <<EOF
rootfs: $ROOTFS
umask: "0027"
command: [/bin/sh, -c, 'umask; touch /tmp/f; mkdir /tmp/d; stat -c %a /tmp/f /tmp/d']
EOF
)
    # libconfig's integer 0027 is its decimal 27: the digits congo reads as octal.
    c=$(profile umask.conf <<EOF
rootfs = "$ROOTFS";
umask = 0027;
command = ["/bin/sh", "-c", "umask; touch /tmp/f; mkdir /tmp/d; stat -c %a /tmp/f /tmp/d"];
EOF
)
    for p in "$y" "$c"; do
        got=$(umask 0 && "$CONGO" "$p" | tr '\n' ' ') || return 1
        expect_eq "0027 640 750 " "$got" "umask, then the modes of a new file and directory ($p)" ||
            return 1
    done
}
t "umask: \"0027\" (YAML) and umask = 0027 (libconfig): the command's umask and the modes it makes" \
    umask_both_formats

# --- groups ---

groups_both_formats() {
    y=$(profile groups.yaml <<EOF
rootfs: $ROOTFS
layers: [$GROUP_LAYER]
user: app
groups: [congo-it, 777, staff]
command: [id, -G]
EOF
)
    c=$(profile groups.conf <<EOF
rootfs = "$ROOTFS";
layers = ["$GROUP_LAYER"];
user = "app";
groups = ("congo-it", 777, "staff");
command = ["id", "-G"];
EOF
)
    # app's own 1000 and staff (50, which it is in already), then congo-it and 777.
    for p in "$y" "$c"; do
        got=$("$CONGO" "$p" | tr ' ' '\n' | sort -n | tr '\n' ' ') || return 1
        expect_eq "50 777 1000 4321 " "$got" "id -G with groups ($p)" || return 1
    done
    # Without the key: the groups /etc/group gives app, no more.
    got=$(ctr --user app -- id -G) || return 1
    expect_eq "1000 50" "$got" "id -G without groups"
}
t "groups (YAML and libconfig): names from the container's /etc/group, numbers as they are" \
    groups_both_formats

groups_unknown_name() {
    # congo-it is in the layer's /etc/group only: the shared root does not know it.
    out=$(ctr --groups staff,congo-it -- /bin/sh -c 'echo ran' 2>&1)
    status=$?
    expect_eq 125 "$status" "status with an unknown group" || { echo "$out"; return 1; }
    case $out in
    *ran*) echo "the command ran: $out"; return 1 ;;
    *"groups: group \`congo-it\` is not in the container's /etc/group"*) ;;
    *) echo "the message does not name the group: $out"; return 1 ;;
    esac
}
t "a group name the container's /etc/group lacks stops the run: 125, the name in the message" \
    groups_unknown_name

# --- oom_score_adj ---

oom_both_formats() {
    y=$(profile oom.yaml <<EOF
rootfs: $ROOTFS
oom_score_adj: $RAISED
command: [/bin/sh, -c, 'cat /proc/self/oom_score_adj /proc/1/oom_score_adj | tr "\n" " "']
EOF
)
    c=$(profile oom.conf <<EOF
rootfs = "$ROOTFS";
oom_score_adj = $RAISED;
command = ["/bin/sh", "-c", "cat /proc/self/oom_score_adj /proc/1/oom_score_adj | tr '\\\\n' ' '"];
EOF
)
    for p in "$y" "$c"; do
        got=$("$CONGO" "$p") || return 1
        expect_eq "$RAISED $RAISED " "$got" "the command's and the init's oom_score_adj ($p)" ||
            return 1
    done
    # Unset: the launcher's, passed on.
    got=$(ctr -- cat /proc/self/oom_score_adj) || return 1
    expect_eq "$OWN_OOM" "$got" "oom_score_adj without the key"
}
t "oom_score_adj (YAML and libconfig) holds for the command and the init (PID 1)" oom_both_formats

oom_lowered_refused() {
    eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
    # CAP_SYS_RESOURCE is bit 24.
    if [ $((0x$eff >> 24 & 1)) = 1 ]; then
        echo "congo-launch would hold CAP_SYS_RESOURCE here: lowering is allowed"
        return 1
    fi
    low=$((OWN_OOM - 1))
    out=$(ctr --oom-score-adj "$low" -- /bin/sh -c 'echo ran' 2>&1)
    status=$?
    expect_eq 125 "$status" "status with oom_score_adj $low" || { echo "$out"; return 1; }
    want="congo-launch: oom_score_adj: cannot set $low: lowering it below congo-launch's own ($OWN_OOM) needs CAP_SYS_RESOURCE, which congo-launch does not hold"
    expect_eq "$want" "$out" "the message"
}
if [ "$OWN_OOM" -gt -1000 ]; then
    t "oom_score_adj below the launcher's without CAP_SYS_RESOURCE: 125, the key and the reason" \
        oom_lowered_refused
else
    n=$((n + 1))
    echo "ok $n - oom_score_adj below the launcher's # SKIP the launcher's is -1000 already"
fi

# --- capabilities.ambient ---

# A script, bound into the containers at /bind80.sh: it listens on port 80
# of the container's loopback, sends itself a line through it (again, should
# a connection under load bring nothing), and shows its capability sets.
cat >"$WORK/bind80.sh" <<'EOF'
listen() { nc -l -p 80 >/tmp/got & s=$!; }
listen
i=0
while [ $i -lt 100 ]; do
    if ! kill -0 $s 2>/dev/null; then
        wait $s || break         # it could not listen: its error says why
        [ -s /tmp/got ] && break # the line came through
        listen                   # a connection that brought nothing: again
    fi
    echo hello | nc 127.0.0.1 80 2>/dev/null
    sleep 0.05
    i=$((i + 1))
done
[ -s /tmp/got ] && echo "got $(cat /tmp/got)"
awk '/^Cap(Eff|Amb):/ {print $1, $2}' /proc/self/status
EOF
BIND80_MOUNT=$WORK/bind80.sh:/bind80.sh:ro

ambient_both_formats() {
    y=$(profile ambient.yaml <<EOF
rootfs: $ROOTFS
user: nobody
capabilities:
  ambient: [NET_BIND_SERVICE]
mounts: ['$BIND80_MOUNT']
command: [/bin/sh, /bind80.sh]
EOF
)
    c=$(profile ambient.conf <<EOF
rootfs = "$ROOTFS";
user = "65534";
capabilities = { ambient = ["net_bind_service"]; };
mounts = ["$BIND80_MOUNT"];
command = ["/bin/sh", "/bind80.sh"];
EOF
)
    for p in "$y" "$c"; do
        got=$("$CONGO" "$p" 2>&1 | tr '\n' ' ') || { echo "$got"; return 1; }
        # NET_BIND_SERVICE is bit 10: 0x400.
        expect_eq "got hello CapEff: 0000000000000400 CapAmb: 0000000000000400 " "$got" \
            "nobody with an ambient NET_BIND_SERVICE ($p)" || return 1
    done
}
t "capabilities.ambient (YAML and libconfig): nobody holds NET_BIND_SERVICE and binds port 80" \
    ambient_both_formats

ambient_absent_cannot() {
    got=$(ctr --user nobody --mount "$BIND80_MOUNT" -- /bin/sh /bind80.sh 2>&1 | tr '\n' ' ')
    case $got in
    *"got hello"*) echo "nobody bound port 80 without the key: $got"; return 1 ;;
    *"Permission denied"*) ;;
    *) echo "no refusal: $got"; return 1 ;;
    esac
    expect_eq "CapEff: 0000000000000000 CapAmb: 0000000000000000 " "${got#*denied }" \
        "nobody's capability sets without the key"
}
t "without capabilities.ambient nobody cannot bind port 80 and holds no capability" \
    ambient_absent_cannot

ambient_chown() {
    # CAP_CHOWN lets nobody give its own file away; without it the kernel refuses.
    cmd='touch /tmp/f && chown 1000 /tmp/f && stat -c %u /tmp/f'
    got=$(ctr --user nobody --cap-ambient CHOWN -- /bin/sh -c "$cmd" 2>&1) || { echo "$got"; return 1; }
    expect_eq 1000 "$got" "the owner after chown by nobody with CHOWN" || return 1
    expect_status 1 ctr --user nobody -- /bin/sh -c "$cmd" 2>/dev/null
}
t "an ambient CHOWN lets nobody chown; without it chown fails" ambient_chown

ambient_without_nnp() {
    # Without no_new_privileges the seccomp filter needs CAP_SYS_ADMIN until the
    # execve: kept across the user switch with the ambient set, it must not
    # outlive the execve. NET_BIND_SERVICE is bit 10 (0x400).
    got=$(ctr --user nobody --cap-ambient NET_BIND_SERVICE --no-new-privileges=false -- \
        /bin/sh -c 'grep -E "^(Cap(Inh|Prm|Eff|Amb)|Seccomp):" /proc/self/status' 2>&1 | tr -s '\t\n' '  ')
    expect_eq "CapInh: 0000000000000400 CapPrm: 0000000000000400 CapEff: 0000000000000400 CapAmb: 0000000000000400 Seccomp: 2 " \
        "$got" "nobody's sets with an ambient NET_BIND_SERVICE and no_new_privileges false"
}
t "ambient with no_new_privileges false: nobody holds the ambient set alone, under the filter" \
    ambient_without_nnp

ambient_outside_kept() {
    p=$(profile ambient-bad.yaml <<EOF
rootfs: $ROOTFS
capabilities:
  drop: [NET_BIND_SERVICE]
  ambient: [NET_BIND_SERVICE]
command: [/bin/sh, -c, 'echo ran']
EOF
)
    out=$("$CONGO" "$p" 2>&1)
    status=$?
    expect_eq 125 "$status" "status" || { echo "$out"; return 1; }
    expect_eq "$p:4: error: capabilities.ambient: NET_BIND_SERVICE is not in the kept set, which bounds the ambient set: capabilities.drop takes it away
$p:3: note: capabilities.drop: set here" "$out" "the message"
}
t "an ambient capability the profile drops is an error at the key: 125, nothing runs" \
    ambient_outside_kept

# --- --exec into a detached container ---

ALL_KEYS=$(profile all.yaml <<EOF
rootfs: $ROOTFS
layers: [$GROUP_LAYER]
user: nobody
umask: "0077"
groups: [congo-it, 777]
oom_score_adj: $RAISED
capabilities:
  ambient: [NET_BIND_SERVICE]
command: [/bin/sh, -c, 'umask; id -G; cat /proc/self/oom_score_adj; grep CapAmb /proc/self/status']
EOF
)
# What the command of ALL_KEYS prints.
ALL_OUT="0077
65534 777 4321
$RAISED
CapAmb:	0000000000000400"

exec_same_process() {
    id=$("$CONGO" --detach --name keys "$ALL_KEYS" -- sleep 100) || return 1
    got=$("$CONGO" --exec "$id" -- /bin/sh -c \
        'umask; id -G; cat /proc/self/oom_score_adj /proc/1/oom_score_adj; grep CapAmb /proc/self/status')
    status=$?
    stop "$id"
    expect_eq 0 "$status" "--exec status" || return 1
    expect_eq "0077
65534 777 4321
$RAISED
$RAISED
CapAmb:	0000000000000400" "$got" "what --exec's command sees"
}
t "--exec into a detached container: the umask, groups, oom_score_adj and ambient set of its command" \
    exec_same_process

exec_other_user() {
    id=$("$CONGO" --detach --name keys-root "$ALL_KEYS" -- sleep 100) || return 1
    got=$("$CONGO" --exec "$id" --user root -- /bin/sh -c 'id -G; cat /proc/self/oom_score_adj')
    status=$?
    stop "$id"
    expect_eq 0 "$status" "--exec status" || return 1
    expect_eq "0 777 4321
$RAISED" "$got" "groups and oom_score_adj of --exec --user root"
}
t "--exec --user root gets the profile's groups and oom_score_adj too" exec_other_user

# --- the same container from --print and from --print-cli ---

from_print() {
    want=$("$CONGO" "$ALL_KEYS") || return 1
    expect_eq "$ALL_OUT" "$want" "the profile's own run" || return 1
    for fmt in yaml conf; do
        "$CONGO" --print --format "$fmt" "$ALL_KEYS" >"$WORK/printed.$fmt" || return 1
        got=$("$CONGO" "$WORK/printed.$fmt") || return 1
        expect_eq "$want" "$got" "a run of --print --format $fmt" || return 1
    done
}
t "--print (YAML and libconfig) of the four keys runs the same container" from_print

from_print_cli() {
    line=$("$CONGO" --print-cli "$ALL_KEYS") || return 1
    case $line in
    *"--umask 0077"*"--groups congo-it,777"*"--cap-ambient NET_BIND_SERVICE"*"--oom-score-adj $RAISED"*) ;;
    *) echo "--print-cli: $line"; return 1 ;;
    esac
    got=$(eval "\"\$CONGO\" ${line#congo-launch }") || return 1
    expect_eq "$ALL_OUT" "$got" "a run of --print-cli's command"
}
t "--print-cli's run command gives the same umask, groups, oom_score_adj and ambient set" \
    from_print_cli

print_plan_shows() {
    out=$("$CONGO" --print-plan "$ALL_KEYS") || return 1
    for line in "  groups congo-it, 777, added to the user's; names looked up in the container's /etc/group" \
        "  umask 0077" \
        "  oom_score_adj $RAISED, for the init, the command and --exec's commands" \
        "capabilities of a root command (another user gets the ambient ones alone):" \
        "  inheritable, ambient: NET_BIND_SERVICE"; do
        printf '%s\n' "$out" | grep -qxF -- "$line" || { echo "no [$line] in:"; echo "$out"; return 1; }
    done
}
t "--print-plan shows the groups, umask, oom_score_adj and ambient set" print_plan_shows

detached_gone() {
    left=$(ls "$CONGO_STATE_DIR" 2>/dev/null)
    expect_eq "" "$left" "entries left in the state directory"
}
t "no detached container of this file is left" detached_gone

finish
