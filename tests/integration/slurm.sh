#!/bin/sh
# Slurm 22.05 (Debian's) running congo-oci for `srun --container=BUNDLE`,
# as a Slurm user sees it: the command's output, its exit status, its
# standard input and the job's environment, in a rootless container of the
# user's own ids; a step cancelled by scancel leaves nothing behind.
#
# The cluster is the file's own, on this host alone: munged with a key of
# its own, slurmctld and slurmd with their own slurm.conf and oci.conf,
# every spool, state, log, pid file and socket under WORK, ports on
# 127.0.0.1 only (CommunicationParameters=NoInAddrAny,NoCtldInAddrAny binds
# to what the host name resolves to: the daemons and srun run in a UTS
# namespace whose host name is localhost). /etc/slurm and the host's munge
# are never read. No cgroup: proctrack/linuxproc and task/none.
#
# The test user is made (useradd) and removed by the file, as in userns.sh.
# Everything is stopped by pid on the way out, even on failure.
#
# oci.conf uses RunTimeRun, as Slurm's containers guide suggests. Slurm
# 22.05's create/start mode is not tested: slurmstepd reads RunTimeCreate's
# output until end of file, and the created container keeps create's
# standard output (runtime-spec), so the step hangs; runc does the same.
SUBREAPER=1
. "$(dirname "$0")/lib.sh"

for tool in slurmctld slurmd srun sinfo scancel squeue munged mungekey unshare useradd \
    usermod userdel setpriv; do
    command -v "$tool" >/dev/null ||
        skip_all "no $tool (Debian: slurmctld slurmd slurm-client munge; scripts/deps.sh installs them)"
done
case $(slurmd -V 2>/dev/null) in
"slurm 22.05."* | "slurm-wlm 22.05."*) ;;
*) skip_all "this file drives Slurm 22.05's oci.conf; here: $(slurmd -V 2>&1 | head -n 1)" ;;
esac
[ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null)" != 0 ] ||
    skip_all "user namespaces are disabled on this host (user.max_user_namespaces is 0)"

OCI=$(dirname "$CONGO")/congo-oci
S=$WORK/slurm
slurm_cgroups() {
    find /sys/fs/cgroup -maxdepth 3 -type d -name 'slurm*' 2>/dev/null | sort
}
slurm_cgroups_before=$(slurm_cgroups)
# WORK (mktemp -d: 0700) is this file's scratch; the test user and
# slurmstepd, as the user, pass through it.
chmod 0711 "$WORK"
mkdir -p "$S/etc" "$S/ctld" "$S/spool" "$S/log" "$S/run" "$S/munge-key" "$S/munge-run"
chmod 0755 "$S" "$S/etc" "$S/spool" "$S/munge-run"
chmod 0700 "$S/munge-key" "$S/ctld"

# ---- the test user: its own ids, and a subordinate range, as userns.sh ----

TU=congosl$$
SUB=589824
COUNT=65536
remove_user() {
    test_user_remove "$TU" "$SUB" "$COUNT"
}

# ---- stopping everything, by pid ----

munged_pid=
slurmctld_pid=
slurmd_pid=
# stop_pid PID: SIGTERM, up to 10 s, then SIGKILL.
stop_pid() {
    [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
    kill -TERM "$1" 2>/dev/null
    i=0
    while kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ] &&
        [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -KILL "$1" 2>/dev/null
}
# The processes holding a file of the cluster's (logs, sockets, spool):
# slurmstepd and slurmscriptd, which the daemons fork, and any the daemons
# left; never this shell.
cluster_pids() {
    find /proc/[0-9]*/fd /proc/[0-9]*/cwd -maxdepth 1 \( -lname "$S/*" -o -lname "$S" \) \
        2>/dev/null | cut -d/ -f3 | sort -u | grep -vx "$$"
}
# Each pid is forgotten once stopped: a second call must not signal a pid
# the system has given to another process since.
stop_cluster() {
    stop_pid "$slurmd_pid"
    slurmd_pid=
    stop_pid "$slurmctld_pid"
    slurmctld_pid=
    for p in $(ps -u "$TU" -o pid= 2>/dev/null); do
        kill -KILL "$p" 2>/dev/null
    done
    for p in $(cluster_pids); do
        [ "$p" = "$munged_pid" ] || kill -KILL "$p" 2>/dev/null
    done
    stop_pid "$munged_pid"
    munged_pid=
    i=0
    while [ -n "$(cluster_pids)" ] && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done
}
on_exit() {
    stop_cluster
    remove_user
    cleanup_work
}
trap on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

why=$(test_user_add "$TU" "$SUB" "$COUNT") || skip_all "$why"
TUID=$(id -u "$TU")

# ---- what the user runs: congo-oci, a bundle, a --root of its own ----

# as_user CMD...: CMD as the test user, with a congo state directory of its own.
mkdir -p "$S/user-state"
chown "$TU:$TU" "$S/user-state"
chmod 0700 "$S/user-state"
# congo-oci's --root for each user, made by its first run as the user
# (0700): in a directory anyone may write, as /tmp. Slurm's own example,
# --root=/tmp/, is refused: a state directory must be the caller's alone.
mkdir -p "$S/oci"
chmod 1777 "$S/oci"
OCI_ROOT=$S/oci/$TU
as_user() {
    setpriv --reuid="$TU" --regid="$TU" --init-groups \
        env -u CONGO_OCI_ROOT HOME="$WORK/home" CONGO_STATE_DIR="$S/user-state" "$@"
}
if ! as_user test -x "$OCI"; then
    cp "$CONGO" "$S/congo-launch"
    ln -s congo-launch "$S/congo-oci"
    OCI=$S/congo-oci
fi

# Slurm 22.05 writes the step's config.json with root.path BUNDLE/rootfs,
# whatever the bundle says: the test root is copied there.
B=$WORK/bundle
mkdir -p "$B"
cp -a "$ROOTFS" "$B/rootfs"
chown "$TU:$TU" "$B"
as_user sh -c "cd '$B' && '$OCI' spec --rootless" >"$WORK/spec.log" 2>&1 ||
    skip_all "congo-oci spec --rootless failed: $(head -n 2 "$WORK/spec.log")"
chmod 0755 "$B"

# ---- the cluster ----

# Two ports for the daemons and 30 for srun, none in use on this host.
used_ports=$(awk 'NR > 1 {split($2, a, ":"); print a[2]}' /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u)
BASE=
for base in 46817 47817 48817 51817 53817 55817; do
    p=$base
    while [ $p -lt $((base + 32)) ] && ! printf '%s\n' "$used_ports" | grep -qx "$(printf '%04X' $p)"; do
        p=$((p + 1))
    done
    if [ $p = $((base + 32)) ]; then
        BASE=$base
        break
    fi
done
[ -n "$BASE" ] || skip_all "no 32 free TCP ports from 46817, 47817, 48817, 51817, 53817 or 55817"

mungekey --create --keyfile="$S/munge-key/munge.key" >"$WORK/mungekey.log" 2>&1 ||
    skip_all "mungekey failed: $(head -n 2 "$WORK/mungekey.log")"
munged -F --socket="$S/munge-run/munge.socket" --key-file="$S/munge-key/munge.key" \
    --pid-file="$S/munge-run/munged.pid" --seed-file="$S/munge-key/munged.seed" \
    --log-file="$S/log/munged.log" --origin=127.0.0.1 >"$S/log/munged.out" 2>&1 &
munged_pid=$!

# The node as slurmd finds it (CPUs, sockets, cores, threads), so that it is not drained.
hw=$(slurmd -C 2>/dev/null | sed -n '1s/^NodeName=[^ ]* \(.*\) RealMemory=.*/\1/p')
cat >"$S/etc/slurm.conf" <<EOF
ClusterName=congoit
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$BASE
SlurmdPort=$((BASE + 1))
SrunPortRange=$((BASE + 2))-$((BASE + 31))
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/munge-run/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$S/ctld
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/run/slurmctld.pid
SlurmdPidFile=$S/run/slurmd.pid
SlurmctldLogFile=$S/log/slurmctld.log
SlurmdLogFile=$S/log/slurmd.log
SlurmctldDebug=debug
SlurmdDebug=debug
PlugStackConfig=$S/etc/plugstack.conf
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
NodeName=congoit NodeHostname=localhost NodeAddr=127.0.0.1 ${hw:-CPUs=1} State=UNKNOWN
PartitionName=it Nodes=congoit Default=YES MaxTime=5 State=UP
EOF
: >"$S/etc/plugstack.conf"
# Slurm's containers guide, congo-oci in runc's place (--rootless=true
# included); slurmstepd runs each line with /bin/sh -c, Run as the user,
# the others at the step's end as root.
ID=%n.%u.%j.%s.%t
cat >"$S/etc/oci.conf" <<EOF
RunTimeQuery="$OCI --rootless=true --root=$S/oci/%u state $ID"
RunTimeKill="$OCI --rootless=true --root=$S/oci/%u kill -a $ID"
RunTimeDelete="$OCI --rootless=true --root=$S/oci/%u delete --force $ID"
RunTimeRun="$OCI --rootless=true --root=$S/oci/%u run $ID -b %b"
EOF
chmod 0644 "$S/etc/slurm.conf" "$S/etc/plugstack.conf" "$S/etc/oci.conf"
SLURM_CONF=$S/etc/slurm.conf
export SLURM_CONF

# unshare --uts sh -c "$LOCALHOST" sh CMD...: CMD where the host name is
# localhost (127.0.0.1), for NoInAddrAny. unshare and sh exec: a daemon's
# pid is that of the command started in the background.
LOCALHOST='hostname localhost && exec "$@"'
unshare --uts sh -c "$LOCALHOST" sh slurmctld -D -i -f "$SLURM_CONF" >"$S/log/slurmctld.out" 2>&1 &
slurmctld_pid=$!
unshare --uts sh -c "$LOCALHOST" sh slurmd -D -N congoit -f "$SLURM_CONF" >"$S/log/slurmd.out" 2>&1 &
slurmd_pid=$!

# Up when the node is idle: 30 s at most.
i=0
until [ "$(sinfo -h -n congoit -o %t 2>/dev/null)" = idle ]; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$slurmctld_pid" 2>/dev/null || ! kill -0 "$slurmd_pid" 2>/dev/null; then
        why=$(tail -n 3 "$S/log/slurmctld.out" "$S/log/slurmd.out" "$S/log/munged.out" 2>/dev/null | tr '\n' ' ')
        skip_all "the test's Slurm cluster did not come up in 30 s: sinfo says [$(sinfo -h -n congoit -o %t 2>&1)]; $why"
    fi
    sleep 0.1
done

plan 7

# srun_as_user [SRUN OPTIONS] -- CMD...: srun --container=B as the test user,
# 60 s at most, with a PATH and a variable of the caller's own.
srun_as_user() {
    opts=
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        opts="$opts $1"
        shift
    done
    shift
    # shellcheck disable=SC2086
    timeout -k 5 60 unshare --uts sh -c "$LOCALHOST" sh \
        setpriv --reuid="$TU" --regid="$TU" --init-groups \
        env -u CONGO_OCI_ROOT HOME="$WORK/home" CONGO_STATE_DIR="$S/user-state" \
        PATH=/usr/bin:/bin:/congo-slurm-it FROM_CALLER=given SLURM_CONF="$SLURM_CONF" \
        srun -t 1 $opts --container="$B" "$@"
}

# map_line INSIDE OUTSIDE COUNT: one line of /proc/PID/uid_map, spaces squeezed.
map_line() {
    printf '%10u %10u %10u\n' "$1" "$2" "$3" | tr -s ' '
}

# Nothing of congo-oci's under the user's --root, nor a bundle in the spool.
nothing_left_of_steps() {
    [ -d "$OCI_ROOT" ] || { echo "no --root $OCI_ROOT: congo-oci did not run"; return 1; }
    expect_eq "$TUID 700" "$(stat -c '%u %a' "$OCI_ROOT")" "owner and mode of --root $OCI_ROOT" || return 1
    expect_eq "" "$(ls -A "$OCI_ROOT")" "congo-oci entries under --root $OCI_ROOT" || return 1
    expect_eq "" "$(ls -d "$S"/spool/oci-job* 2>/dev/null)" "Slurm's step bundles in the spool"
}

uid_and_map() {
    out=$(srun_as_user -- /bin/sh -c 'id -u; tr -s " " </proc/self/uid_map; echo "pid $$"; hostname' 2>&1)
    expect_eq 0 $? "srun's status" || { echo "$out"; return 1; }
    expect_eq "0
$(map_line 0 "$TUID" 1)
pid 1
congo" "$out" "id -u, uid_map, the command's pid and host name, as $TU (uid $TUID)" || return 1
    nothing_left_of_steps
}
t "srun --container: the command is root (0) in a user namespace mapping 0 to the user's uid alone, PID 1, host name of the bundle" \
    uid_and_map

exit_status() {
    srun_as_user -- /bin/sh -c 'echo to-stdout; echo to-stderr >&2; exit 3' \
        >"$WORK/exit3.out" 2>"$WORK/exit3.err"
    expect_eq 3 $? "srun's status for sh -c 'exit 3'" || { cat "$WORK/exit3.err"; return 1; }
    expect_eq to-stdout "$(cat "$WORK/exit3.out")" "srun's standard output" || return 1
    grep -qx to-stderr "$WORK/exit3.err" || { echo "no to-stderr in srun's standard error:"; cat "$WORK/exit3.err"; return 1; }
    srun_as_user -- /bin/false >/dev/null 2>&1
    expect_eq 1 $? "srun's status for /bin/false" || return 1
    nothing_left_of_steps
}
t "the command's exit status is srun's (3, 1); its standard output and error reach srun's" exit_status

stdin_env() {
    # Slurm appends the job's environment to the bundle's, PATH and TERM
    # of the spec included: the job's PATH is the one the command sees.
    out=$(echo from-stdin | srun_as_user -- /bin/sh -c 'cat; echo "$FROM_CALLER $PATH $SLURM_JOB_ID"' 2>&1)
    expect_eq 0 $? "srun's status" || { echo "$out"; return 1; }
    job=$(echo "$out" | sed -n '2s/.* //p')
    case $job in '' | *[!0-9]*) echo "no SLURM_JOB_ID in: $out"; return 1 ;; esac
    expect_eq "from-stdin
given /usr/bin:/bin:/congo-slurm-it $job" "$out" "standard input, FROM_CALLER, PATH and SLURM_JOB_ID inside"
}
t "srun's standard input and the job's environment (the caller's variables and PATH, SLURM_JOB_ID) reach the command" \
    stdin_env

readonly_root() {
    out=$(srun_as_user -- /bin/sh -c 'touch /new 2>&1; echo $?; ls /' 2>&1)
    expect_eq 0 $? "srun's status" || { echo "$out"; return 1; }
    expect_eq "touch: /new: Read-only file system
1" "$(echo "$out" | head -n 2)" "touch / in the bundle's read-only root" || return 1
    expect_eq "$(ls "$B/rootfs")" "$(echo "$out" | tail -n +3)" "ls / inside against the bundle's rootfs" || return 1
    [ ! -e "$B/rootfs/new" ] || { echo "$B/rootfs/new was made"; return 1; }
}
t "the container's root is the bundle's rootfs, read-only as spec --rootless asks" readonly_root

# A step cancelled while its command runs: the command is the container's
# PID 1 and ignores SIGTERM (sleep), which Slurm sends first; congo-oci run
# gets it too, relays it, and kills the container after its stop timeout.
cancelled() {
    srun_as_user -J congo-cancel -- /bin/sh -c 'echo up; exec sleep 600' >"$WORK/cancel.out" 2>&1 &
    srun_pid=$!
    i=0
    until grep -qx up "$WORK/cancel.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 300 ] || { echo "the step did not start in 30 s:"; cat "$WORK/cancel.out"; return 1; }
        sleep 0.1
    done
    entry=$(ls -A "$OCI_ROOT")
    [ -n "$entry" ] || { echo "no congo-oci entry while the step runs"; return 1; }
    job=$(squeue -h -n congo-cancel -o %i)
    [ -n "$job" ] || { echo "squeue shows no job congo-cancel"; return 1; }
    scancel "$job" || return 1
    # Slurm's KillWait is 30 s: congo-oci's own stop timeout (10 s) ends it first.
    i=0
    while kill -0 "$srun_pid" 2>/dev/null && [ $i -lt 400 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if kill -0 "$srun_pid" 2>/dev/null; then
        echo "srun still waits 40 s after scancel $job:"
        ps -u "$TU" -o pid=,args=
        kill -KILL "$srun_pid"
        return 1
    fi
    wait "$srun_pid"
    left=$(ps -u "$TU" -o pid=,args=)
    expect_eq "" "$left" "processes of $TU after scancel" || return 1
    i=0
    while [ -n "$(ls -d "$S"/spool/oci-job* 2>/dev/null)" ] && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    nothing_left_of_steps
}
t "scancel of a running step whose PID 1 ignores SIGTERM: srun returns, no process of the user, no entry left" cancelled

# Slurm's last calls of a step (RunTimeQuery, then Kill and Delete) are
# made by slurmstepd itself, as root, on the user's --root: congo-oci run
# by root does not trust a state directory a user owns (its entries name
# the pids to signal), so they do nothing; with RunTimeRun that costs
# nothing, run removes its own entry. slurmd's log says so.
root_cleanup_refused() {
    grep -q "RunTimeQuery rc:256 output:congo-oci: .*state directory \`$OCI_ROOT\` is owned by uid $TUID" \
        "$S/log/slurmd.log" && return 0
    echo "slurmd's log has no RunTimeQuery refused on $OCI_ROOT:"
    grep RunTime "$S/log/slurmd.log" | tail -n 5
    return 1
}
t "Slurm's step-end calls run as root: congo-oci refuses to act on the user's --root, which root does not own" \
    root_cleanup_refused

all_stopped() {
    ports="$(printf '%04X' "$BASE") $(printf '%04X' $((BASE + 1)))"
    pids="$munged_pid $slurmctld_pid $slurmd_pid"
    stop_cluster
    left=$(cluster_pids)
    [ -z "$left" ] || { echo "processes still holding files under $S:"; ps -o pid=,args= -p "$(printf '%s\n' "$left" | paste -sd ,)"; return 1; }
    for p in $pids; do
        [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] || continue
        ! kill -0 "$p" 2>/dev/null || { echo "pid $p is alive"; return 1; }
    done
    for port in $ports; do
        ! awk 'NR > 1 && $4 == "0A" {split($2, a, ":"); print a[2]}' /proc/net/tcp /proc/net/tcp6 |
            grep -qx "$port" || { echo "port 0x$port still listens"; return 1; }
    done
    expect_eq "$slurm_cgroups_before" "$(slurm_cgroups)" "Slurm cgroups" || return 1
    remove_user
    id "$TU" >/dev/null 2>&1 && { echo "$TU is still there"; return 1; }
    left=$(grep -E "^($TU|$TUID):" /etc/subuid /etc/subgid)
    [ -z "$left" ] || { echo "ranges left: $left"; return 1; }
    left=$(ps -e -o uid=,pid=,args= | awk -v u="$TUID" '$1 == u')
    expect_eq "" "$left" "processes of uid $TUID"
}
t "slurmd, slurmctld, slurmstepd and munged stopped, their ports closed, no Slurm cgroup; the test user and its ranges gone" \
    all_stopped

finish
