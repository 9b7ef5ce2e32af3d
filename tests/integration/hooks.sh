#!/bin/sh
# Hooks as a run meets them: each stage once, in order, where it belongs
# (the host, the container's namespaces, the container as its user), with
# the state on its stdin, its args and env; a failing, hanging or stopped
# hook stops the run with 125 and why, and poststop still runs; a failing
# poststart or poststop only warns. congo-oci runs the same for an engine:
# create runs the first three, start waits for startContainer and runs
# poststart, delete runs poststop.

# congo-oci's containers are left to the caller, which must reap them.
SUBREAPER=1
. "$(dirname "$0")/lib.sh"

plan 16

OCI=$(dirname "$CONGO")/congo-oci
oci() { "$OCI" --root "$WORK/oci-root" "$@"; }
delete_left() {
    for id in $(oci list -q 2>/dev/null); do oci delete --force "$id" 2>/dev/null; done
}
trap 'delete_left; cleanup_work' EXIT

# A host hook: `log.sh STAGE` appends "STAGE STATE" to WORK/log.
cat >"$WORK/log.sh" <<EOF
#!/bin/sh
printf '%s %s\n' "\$1" "\$(cat)" >>"$WORK/log"
EOF
chmod +x "$WORK/log.sh"

# stages: the first word of each line of the log.
stages() { cut -d' ' -f1 "$WORK/log" | tr '\n' ' ' | sed 's/ $//'; }
# states FIELD: that field of each line's state.
states() { sed "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/" "$WORK/log" | tr '\n' ' ' | sed 's/ $//'; }

every_stage() {
    rm -f "$WORK/log"
    mkdir -p "$WORK/all/share"
    # start_container runs in the container: its script comes through a bind.
    printf '#!/bin/sh\nprintf "start_container %%s\\n" "$(cat)" >>/share/log\n' >"$WORK/all/share/start.sh"
    chmod +x "$WORK/all/share/start.sh"
    ln -sf "$WORK/all/share/log" "$WORK/log"
    p=$(profile all/p.yaml <<EOF
rootfs: $ROOTFS
annotations: {team: web}
mounts: ["$WORK/all/share:/share"]
command: [/bin/sh, -c, 'cut -d" " -f1 /share/log']
hooks:
  poststop: [{path: $WORK/log.sh, args: [log, poststop]}]
  poststart: [{path: $WORK/log.sh, args: [log, poststart]}]
  start_container: [/share/start.sh]
  create_container: [{path: $WORK/log.sh, args: [log, create_container]}]
  create_runtime: [{path: $WORK/log.sh, args: [log, create_runtime]}]
  prestart: [{path: $WORK/log.sh, args: [log, prestart]}]
EOF
)
    out=$("$CONGO" "$p" | tr '\n' ' ' | sed 's/ $//') || return 1
    expect_eq "prestart create_runtime create_container start_container" "$out" \
        "what the command saw, right before it ran" || return 1
    expect_eq "prestart create_runtime create_container start_container poststart poststop" \
        "$(stages)" "every stage, once, in order" || return 1
    expect_eq "creating creating creating created running stopped" "$(states status)" \
        "the status each was told" || return 1
    expect_eq "$WORK/all $WORK/all $WORK/all $WORK/all $WORK/all $WORK/all" "$(states bundle)" \
        "bundle: the profile's directory" || return 1
    expect_eq 1 "$(states id | tr ' ' '\n' | sort -u | grep -c '^[0-9a-f]\{12\}$')" \
        "one id, the run's, told to all" || return 1
    expect_eq 1 "$(states pid | tr ' ' '\n' | sort -u | grep -c '^[1-9][0-9]*$')" \
        "one pid told to all" || return 1
    expect_eq 6 "$(grep -c '"annotations":{"team":"web"}' "$WORK/log")" "the annotations"
}
t "all six stages run once, in order, with the state: status, bundle, id, pid, annotations" every_stage

# Each hook records its view: where it runs and what it was given.
views() {
    echo marker >"$WORK/host-marker"
    cat >"$WORK/view.sh" <<EOF
#!/bin/sh
# STAGE: the pid it was told, its network namespace and the container's,
# its host name, whether it sees a host file, its args and environment.
pid=\$(sed 's/.*"pid":\([0-9]*\).*/\1/')
{
    echo "\$1 args=\$* own=\$(readlink /proc/self/ns/net) container=\$(readlink /proc/\$pid/ns/net)"
    echo "\$1 host_file=\$(cat $WORK/host-marker 2>&1) HOOKVAR=\$HOOKVAR A=\$A B=\$B"
} >>"$WORK/views"
EOF
    chmod +x "$WORK/view.sh"
    rm -f "$WORK/views"
    p=$(profile views.yaml <<EOF
rootfs: $ROOTFS
hostname: boxed
user: "1000"
env: {X: from-the-profile}
command: [/bin/sh, -c, 'cat /tmp/started; cat /made-by-hook; cat /hookmnt/x']
hooks:
  prestart: [{path: $WORK/view.sh, args: [view, prestart, two], env: [A=1, "B=two words"]}]
  create_runtime: [{path: $WORK/view.sh, args: [view, create_runtime]}]
  create_container:
    - {path: $WORK/view.sh, args: [view, create_container]}
    - path: /bin/sh
      args: [sh, -c, 'echo made >./made-by-hook; mkdir ./hookmnt; mount -t tmpfs hk ./hookmnt; echo mounted >./hookmnt/x']
  start_container:
    - {path: /bin/sh, args: [sh, -c, 'echo "\$(id -u) \$(hostname) \$X" >/tmp/started']}
EOF
)
    out=$(HOOKVAR=launcher "$CONGO" "$p") || return 1
    expect_eq "1000 boxed from-the-profile
made
mounted" "$out" \
        "start_container: the user, host name and env of the command; create_container's file and mount" ||
        return 1
    host_ns=$(readlink /proc/self/ns/net)
    v=$WORK/views
    container=$(sed -n 's/^prestart args.* container=//p' "$v")
    [ "$container" != "$host_ns" ] || { echo "the pid told is not in a network namespace of its own"; return 1; }
    expect_eq "prestart args=prestart two own=$host_ns container=$container" "$(sed -n 1p "$v")" \
        "prestart: args, on the host, told the container's pid" || return 1
    expect_eq "prestart host_file=marker HOOKVAR= A=1 B=two words" "$(sed -n 2p "$v")" \
        "prestart: its env alone" || return 1
    expect_eq "create_runtime host_file=marker HOOKVAR=launcher A= B=" "$(sed -n 4p "$v")" \
        "create_runtime: without env, the launcher's" || return 1
    expect_eq "create_container args=create_container own=$container container=$container" \
        "$(sed -n 5p "$v")" "create_container: in the container's network namespace" || return 1
    expect_eq "create_container host_file=marker HOOKVAR=launcher A= B=" "$(sed -n 6p "$v")" \
        "create_container: the host's files at /" || return 1
    [ ! -e "$ROOTFS/made-by-hook" ] && [ ! -e "$ROOTFS/hookmnt" ] ||
        { echo "the hook wrote into the test root"; return 1; }
}
t "where each runs: host, the container's namespaces, the container as its user; args and env" views

# A prestart or create_runtime hook that enters the container's mount
# namespace (setns, as NVIDIA's does) finds the host's tree there, with the
# container's root at its rootfs path: what it writes and mounts there, the
# command finds, and the test root is untouched (the root is an overlay).
setns_view() {
    cat >"$WORK/enter.sh" <<EOF
#!/bin/sh
pid=\$(sed 's/.*"pid":\([0-9]*\).*/\1/')
exec nsenter -t "\$pid" -m /bin/sh -c 'echo "\$0" >$ROOTFS/etc/by-"\$0" &&
    mkdir -p $ROOTFS/mnt/"\$0" && mount -t tmpfs "\$0" $ROOTFS/mnt/"\$0" &&
    echo mounted >$ROOTFS/mnt/"\$0"/x' "\$1"
EOF
    chmod +x "$WORK/enter.sh"
    p=$(profile setns.yaml <<EOF
rootfs: $ROOTFS
command: [cat, /etc/by-prestart, /etc/by-create_runtime, /mnt/prestart/x, /mnt/create_runtime/x]
hooks:
  prestart: [{path: $WORK/enter.sh, args: [enter, prestart]}]
  create_runtime: [{path: $WORK/enter.sh, args: [enter, create_runtime]}]
EOF
)
    out=$("$CONGO" "$p" 2>&1)
    expect_eq "0 prestart
create_runtime
mounted
mounted" "$? $out" "what the command finds of the hooks'" || return 1
    [ ! -e "$ROOTFS/etc/by-prestart" ] && [ ! -e "$ROOTFS/mnt/prestart" ] ||
        { echo "the hook wrote into the test root"; return 1; }
}
t "prestart and create_runtime entering the mount namespace find the root at its rootfs path" \
    setns_view

fails_at() {
    mkdir -p "$WORK/fail"
    rm -f "$WORK/fail/ran" "$WORK/log"
    p=$(profile fail/failing-hook.yaml <<EOF
rootfs: $ROOTFS
mounts: ["$WORK/fail:/out"]
command: [touch, /out/ran]
hooks:
  create_runtime: [{path: /bin/sh, args: [sh, -c, 'echo "no address left" >&2; exit 3']}]
  poststop: [{path: $WORK/log.sh, args: [log, poststop]}]
EOF
)
    out=$("$CONGO" "$p" 2>&1)
    expect_eq 125 $? "status" || return 1
    expect_eq "congo-launch: hooks.create_runtime[0] \`/bin/sh\` failed with status 3: no address left" \
        "$out" || return 1
    [ ! -e "$WORK/fail/ran" ] || { echo "the command ran"; return 1; }
    expect_eq poststop "$(stages)" "poststop after the failure" || return 1
    expect_eq "" "$("$CONGO" --list | grep failing-hook)" "the container in --list"
}
t "a failing create_runtime hook: 125 with its words, the command never runs, poststop does" fails_at

start_fails() {
    rm -f "$WORK/fail/ran"
    p=$(profile start-fail.yaml <<EOF
rootfs: $ROOTFS
mounts: ["$WORK/fail:/out"]
command: [touch, /out/ran]
hooks:
  start_container: [{path: /bin/sh, args: [sh, -c, 'echo "not ready" >&2; exit 9']}]
EOF
)
    out=$("$CONGO" "$p" 2>&1)
    expect_eq 125 $? "status" || return 1
    expect_eq "congo-launch: hooks.start_container[0] \`/bin/sh\` failed with status 9: not ready" \
        "$out" || return 1
    [ ! -e "$WORK/fail/ran" ] || { echo "the command ran"; return 1; }
}
t "a failing start_container hook: 125 with its words, and no command" start_fails

# hung PATTERN: processes whose command line has it.
hung() { pgrep -f "$1"; }

timeout_kills() {
    p=$(profile timeout.yaml <<EOF
rootfs: $ROOTFS
command: [/bin/true]
hooks:
  create_container: [{path: /bin/sh, args: [sh, -c, 'echo waiting; exec sleep 31.25'], timeout: 300ms}]
EOF
)
    start=$(date +%s)
    out=$("$CONGO" "$p" 2>&1)
    expect_eq 125 $? "status" || return 1
    [ $(($(date +%s) - start)) -lt 5 ] || { echo "the run took more than 5 s"; return 1; }
    expect_eq "congo-launch: hooks.create_container[0] \`/bin/sh\` was killed after its timeout of 300ms: waiting" \
        "$out" || return 1
    expect_eq "" "$(hung 'sleep 31.25')" "the hook's process after the run"
}
t "a hook past its timeout is killed: 125, and nothing of it left" timeout_kills

stopped_while_hooked() {
    p=$(profile hang.yaml <<EOF
rootfs: $ROOTFS
command: [/bin/true]
hooks:
  create_runtime: [{path: /bin/sleep, args: [sleep, "32.5"]}]
EOF
)
    "$CONGO" "$p" >"$WORK/hang.out" 2>&1 &
    launcher=$!
    i=0
    while [ -z "$(hung 'sleep 32.5')" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    [ -n "$(hung 'sleep 32.5')" ] || { echo "the hook never ran"; kill -KILL $launcher; return 1; }
    kill -TERM $launcher
    wait $launcher
    expect_eq 125 $? "status after SIGTERM" || return 1
    expect_eq "congo-launch: hooks.create_runtime[0] \`/bin/sleep\` was killed: the launcher was told to stop" \
        "$(cat "$WORK/hang.out")" || return 1
    expect_eq "" "$(hung 'sleep 32.5')" "the hook's process after the run"
}
t "SIGTERM to a launcher waiting for a hook: the hook is killed, 125" stopped_while_hooked

after_start_warns() {
    p=$(profile warn.yaml <<EOF
rootfs: $ROOTFS
command: [/bin/sh, -c, 'exit 7']
hooks:
  poststart: [{path: /bin/sh, args: [sh, -c, 'echo cannot notify; exit 1']}]
  poststop: [/bin/false, {path: $WORK/log.sh, args: [log, poststop]}]
EOF
)
    rm -f "$WORK/log"
    out=$("$CONGO" "$p" 2>&1)
    expect_eq 7 $? "the command's status" || return 1
    # Every failure said, in the order they ran.
    expect_eq "congo-launch: warning: hooks.poststart[0] \`/bin/sh\` failed with status 1: cannot notify; hooks.poststop[0] \`/bin/false\` failed with status 1" \
        "$out" || return 1
    expect_eq poststop "$(stages)" "the poststop after the failing one"
}
t "failing poststart and poststop hooks each warn; the command's status and the other hooks stay" after_start_warns

user_namespace() {
    p=$(profile userns.yaml <<EOF
rootfs: $ROOTFS
user_namespace: auto
command: [/bin/sh, -c, 'cat /made-by-hook; id -u']
hooks:
  create_container: [{path: /bin/sh, args: [sh, -c, 'echo made >./made-by-hook']}]
  start_container: [{path: /bin/sh, args: [sh, -c, 'id -u >/tmp/id']}]
EOF
)
    out=$("$CONGO" "$p" 2>&1) || { echo "$out"; return 1; }
    expect_eq "made
0" "$out" "with a user namespace"
}
t "with a user namespace of its own: create_container writes into the root" user_namespace

# start_container runs code of the container's: under its seccomp filter,
# which refuses a user namespace (unshare -U) to a root without SYS_ADMIN.
start_filtered() {
    p=$(profile filtered.yaml <<EOF
rootfs: $ROOTFS
command: [/bin/true]
hooks:
  start_container: [{path: /bin/sh, args: [sh, -c, 'unshare -U true 2>/dev/null && exit 5; exit 0']}]
  poststart: [{path: /bin/sh, args: [sh, -c, 'exit 130']}]
EOF
)
    out=$("$CONGO" "$p" 2>&1)
    expect_eq 0 $? "status" || return 1
    # The hook said nothing: its unshare was refused. 130 is a status, not a signal.
    expect_eq "congo-launch: warning: hooks.poststart[0] \`/bin/sh\` failed with status 130" "$out"
}
t "start_container runs under the command's seccomp filter; a status above 128 is a status" \
    start_filtered

# What a create_container hook leaves running would keep the host's root in the container.
leftovers_killed() {
    p=$(profile leftover.yaml <<EOF
rootfs: $ROOTFS
command: [/bin/sleep, "2"]
hooks:
  create_container: [{path: /bin/sh, args: [sh, -c, 'sleep 33.75 >/dev/null 2>&1 &']}]
EOF
)
    "$CONGO" "$p" &
    launcher=$!
    sleep 1
    left=$(hung 'sleep 33.75')
    wait $launcher
    expect_eq 0 $? "status" || return 1
    expect_eq "" "$left" "the hook's background process, while the container ran"
}
t "what a create_container hook leaves running is killed before the command starts" leftovers_killed

oci_lifecycle() {
    rm -f "$WORK/log"
    b=$(oci_bundle life "c['root']['readonly'] = False
log = '$WORK/log.sh'
c['process']['args'] = ['/bin/sh', '-c', 'cat /started-by-hook; sleep 100']
c['hooks'] = {s: [{'path': log, 'args': ['log', s]}]
              for s in ['prestart', 'createRuntime', 'createContainer', 'poststart', 'poststop']}
c['hooks']['startContainer'] = [{'path': '/bin/sh',
    'args': ['sh', '-c', 'sleep 0.5; echo started >/started-by-hook']}]") || return 1
    oci create --bundle "$b" life >"$WORK/life.out" 2>&1 || { cat "$WORK/life.out"; return 1; }
    expect_eq "prestart createRuntime createContainer" "$(stages)" "after create" || return 1
    oci start life || return 1
    # start returns once startContainer has run: poststart comes after it.
    expect_eq "prestart createRuntime createContainer poststart" "$(stages)" "after start" || return 1
    expect_eq started "$(cat "$WORK/life.out")" "the command, after startContainer" || return 1
    expect_eq "life life life life" "$(states id)" "the engine's id" || return 1
    oci delete --force life || return 1
    expect_eq "prestart createRuntime createContainer poststart poststop" "$(stages)" "after delete"
}
t "congo-oci: create, start (after startContainer), delete --force each run theirs" oci_lifecycle

oci_start_fails() {
    rm -f "$WORK/log"
    b=$(oci_bundle sfail "c['root']['readonly'] = False
c['process']['args'] = ['/bin/sh', '-c', 'echo ran']
c['hooks'] = {'startContainer': [{'path': '/bin/sh', 'args': ['sh', '-c', 'sleep 1; exit 4']}],
    'poststart': [{'path': '$WORK/log.sh', 'args': ['log', 'poststart']}]}") || return 1
    oci create --bundle "$b" sfail >"$WORK/sfail.out" 2>&1 || return 1
    oci start sfail >"$WORK/start1.out" 2>&1 &
    first=$!
    sleep 0.3
    # A second start while the first waits for the hook finds nothing to start.
    out=$(oci start sfail 2>&1)
    expect_eq 1 $? "status of a second start" || return 1
    wait $first
    expect_eq 1 $? "status of start" || return 1
    expect_eq "congo-oci: cannot start container \`sfail\`: it failed before its command (its start_container hooks, whose words are on its stderr)" \
        "$(cat "$WORK/start1.out")" || return 1
    expect_eq "congo-oci: hooks.start_container[0] \`/bin/sh\` failed with status 4" \
        "$(cat "$WORK/sfail.out")" "the container's stderr" || return 1
    [ ! -e "$WORK/log" ] || { echo "poststart ran: $(cat "$WORK/log")"; return 1; }
    oci delete --force sfail
}
t "congo-oci start of a container whose startContainer fails: status 1, no poststart, once" \
    oci_start_fails

oci_create_fails() {
    rm -f "$WORK/log"
    b=$(oci_bundle fails "c['root']['readonly'] = False
c['hooks'] = {'createRuntime': [{'path': '/bin/false'}],
    'poststop': [{'path': '$WORK/log.sh', 'args': ['log', 'poststop']}]}") || return 1
    out=$(oci create --bundle "$b" failing 2>&1)
    expect_eq 1 $? "status of create" || return 1
    expect_eq "congo-oci: hooks.create_runtime[0] \`/bin/false\` failed with status 1" "$out" ||
        return 1
    expect_eq poststop "$(stages)" "poststop, after the failed create" || return 1
    expect_eq "" "$(oci list -q)" "containers left"
}
t "congo-oci create with a failing createRuntime: refused with why, poststop run, no entry" oci_create_fails

# run and a failed create have no delete after them: their poststop's failure is theirs to say.
oci_run_warns() {
    b=$(oci_bundle runwarn "c['root']['readonly'] = False
c['process']['args'] = ['/bin/sh', '-c', 'exit 5']
c['hooks'] = {'poststop': [{'path': '/bin/false'}]}") || return 1
    out=$(oci run --bundle "$b" runwarn 2>&1)
    expect_eq 5 $? "the command's status" || return 1
    expect_eq "congo-oci: warning: hooks.poststop[0] \`/bin/false\` failed with status 1" "$out" ||
        return 1
    b=$(oci_bundle createwarn "c['root']['readonly'] = False
c['hooks'] = {'createRuntime': [{'path': '/bin/false'}], 'poststop': [{'path': '/bin/false'}]}") ||
        return 1
    out=$(oci create --bundle "$b" createwarn 2>&1)
    expect_eq 1 $? "status of create" || return 1
    expect_eq "congo-oci: hooks.create_runtime[0] \`/bin/false\` failed with status 1
congo-oci: warning: hooks.poststop[0] \`/bin/false\` failed with status 1" "$out"
}
t "congo-oci run, and a failed create: a failing poststop is a warning on stderr" oci_run_warns

# Without the hooks, every run above would pass their checks of absence: one
# hook that only writes shows they are not skipped when a stage has one alone.
single_stage() {
    rm -f "$WORK/log"
    p=$(profile single.yaml <<EOF
rootfs: $ROOTFS
command: [/bin/true]
hooks:
  poststart: [{path: $WORK/log.sh, args: [log, poststart]}]
EOF
)
    "$CONGO" "$p" || return 1
    expect_eq poststart "$(stages)" "the only stage with a hook"
}
t "a stage alone runs its hook (poststart without any before the start)" single_stage

finish
