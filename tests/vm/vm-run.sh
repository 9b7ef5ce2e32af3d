#!/bin/sh
# Boot a throwaway Linux VM around one guest script and exit with its status.
#
#   tests/vm/vm-run.sh [OPTIONS] GUEST_SCRIPT
#
#   --file HOST[:GUEST]  put HOST (a file or a directory) into the VM at GUEST
#                        (default: the same absolute path); an ELF program
#                        brings the shared libraries ldd finds for it
#   --module NAME        load the kernel module NAME (and what it depends on)
#                        before the script, e.g. overlay
#   --controllers LIST   write LIST ("+cpu +memory +pids") to the root
#                        cgroup's cgroup.subtree_control before the script, as
#                        systemd would; by default none is enabled
#   --timeout SECONDS    how long the VM may run (default 180)
#   --memory MIB         guest memory (default 1024)
#   --append ARGS        more kernel command line
#   --log FILE           keep the serial console there (default: in the cache)
#
# The guest is Debian's own kernel (linux-image-amd64, downloaded with
# apt-get download and unpacked, never installed) and busybox-static, in an
# initramfs that first moves itself to a tmpfs root (pivot_root, which
# congo-launch needs, refuses the initial ramfs). There the init mounts proc,
# sys, devtmpfs, devpts, /tmp and cgroup2 at /sys/fs/cgroup (the only
# hierarchy), loads the modules, runs GUEST_SCRIPT with busybox sh as root,
# prints a marker line with its status and powers off.
#
# Exit status: the guest script's; 77 (skip) when qemu or the kernel cannot be
# had here, with the reason on stderr; 1 when the VM ended without a status
# (timeout, kernel panic).
#
# Environment: CONGO_VM_CACHE (default build/vm-cache in the source tree, or
# $TMPDIR/congo-vm-cache when that is not writable) keeps the kernel between
# runs; CONGO_VM_ACCEL (default tcg: software emulation, since nested KVM is
# not to be relied on) is passed to qemu's -accel; CONGO_VM_SKIP=1 skips.
set -eu

me=vm-run
top=$(cd "$(dirname "$0")/../.." && pwd)

usage() {
    sed -n '2,30s/^# \{0,1\}//p' "$0" >&2
    exit 2
}
skip() {
    echo "$me: SKIP: $*" >&2
    exit 77
}
say() { echo "$me: $*" >&2; }

files=
modules=
controllers=
timeout=180
memory=1024
append=
log=
while [ $# -gt 0 ]; do
    case $1 in
    --file) files="$files$2
"; shift 2 ;;
    --module) modules="$modules $2"; shift 2 ;;
    --controllers) controllers=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --memory) memory=$2; shift 2 ;;
    --append) append="$append $2"; shift 2 ;;
    --log) log=$2; shift 2 ;;
    -h | --help) usage ;;
    --) shift; break ;;
    -*) usage ;;
    *) break ;;
    esac
done
[ $# -eq 1 ] || usage
script=$1
[ -z "${CONGO_VM_SKIP:-}" ] || skip "CONGO_VM_SKIP is set"
[ -f "$script" ] || { say "no guest script \`$script'"; exit 2; }

cache=${CONGO_VM_CACHE:-}
if [ -z "$cache" ]; then
    cache=$top/build/vm-cache
    mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache=${TMPDIR:-/tmp}/congo-vm-cache
fi
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# ---- what the VM needs on the host ------------------------------------------

apt_updated=
apt_update() {
    [ -n "$apt_updated" ] && return 0
    apt_updated=1
    apt-get update -q >/dev/null 2>&1 || true
}

if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        skip "qemu-system-x86_64 is missing, and only root with apt-get could install it"
    fi
    say "installing qemu-system-x86"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        qemu-system-x86 >/dev/null 2>&1 ||
        { apt_update && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends qemu-system-x86 >/dev/null 2>&1; } ||
        skip "apt-get cannot install qemu-system-x86"
fi
command -v apt-get >/dev/null 2>&1 || skip "no apt-get to fetch Debian's kernel with"

# A package is downloaded into the cache once and unpacked beside it.
fetch() { # PACKAGE -> prints the directory it is unpacked in
    deb=$(ls "$cache/$1"_*.deb 2>/dev/null | tail -n 1 || true)
    if [ -z "$deb" ]; then
        say "downloading $1"
        # -o APT::Sandbox::User=root: the cache may not be readable by _apt.
        (cd "$cache" && apt-get download -q -o APT::Sandbox::User=root "$1" >/dev/null 2>&1) ||
            { apt_update && (cd "$cache" && apt-get download -q -o APT::Sandbox::User=root \
                "$1" >/dev/null 2>&1); } || return 1
        deb=$(ls "$cache/$1"_*.deb | tail -n 1)
    fi
    dir=${deb%.deb}
    if [ ! -e "$dir/.unpacked" ]; then
        rm -rf "$dir"
        dpkg-deb -x "$deb" "$dir"
        touch "$dir/.unpacked"
    fi
    echo "$dir"
}

# linux-image-amd64 is a metapackage: its dependency is the real, versioned image.
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1)
if [ -z "$kpkg" ]; then
    apt_update
    kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1)
fi
if [ -z "$kpkg" ]; then
    # Offline: whatever image an earlier run left in the cache.
    kpkg=$(ls "$cache" 2>/dev/null | sed -n 's/^\(linux-image-[0-9][^_]*\)_.*\.deb$/\1/p' | tail -n 1)
fi
[ -n "$kpkg" ] || skip "apt-cache cannot resolve linux-image-amd64 and the cache has no kernel"
kroot=$(fetch "$kpkg") || skip "apt-get download $kpkg failed"
vmlinuz=$(ls "$kroot"/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$vmlinuz" ] || skip "$kpkg has no /boot/vmlinuz-*"
kver=${vmlinuz##*/vmlinuz-}

busybox=/bin/busybox
if ! [ -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
    # Not there or not static: the package's own binary, unpacked, not installed.
    bbroot=$(fetch busybox-static) || skip "apt-get download busybox-static failed"
    busybox=$bbroot/bin/busybox
fi

# ---- the initramfs ----------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/congo-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
stage=$work/root
mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" "$stage/newroot" \
    "$stage/etc/vm-run" "$stage/root"
ln -s bin "$stage/sbin"
cp "$busybox" "$stage/bin/busybox"
for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"
done
# The kernel opens /dev/console for init before anything is mounted.
mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
echo "root:x:0:0:root:/root:/bin/sh" >"$stage/etc/passwd"
echo "root:x:0:" >"$stage/etc/group"

# An ELF program's libraries and its loader, at the paths ldd gives.
add_libs() {
    ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' |
        while read -r lib; do
            [ -e "$stage$lib" ] && continue
            mkdir -p "$stage$(dirname "$lib")"
            cp -L "$lib" "$stage$lib"
        done
}

printf '%s' "$files" | while IFS= read -r spec; do
    [ -n "$spec" ] || continue
    case $spec in
    *:*) host=${spec%%:*} guest=${spec#*:} ;;
    *) host=$spec guest= ;;
    esac
    [ -e "$host" ] || { say "no such file \`$host'"; exit 2; }
    [ -n "$guest" ] || guest=$(cd "$(dirname "$host")" && pwd)/$(basename "$host")
    mkdir -p "$stage$(dirname "$guest")"
    if [ -d "$host" ]; then
        cp -a "$host" "$stage$guest"
    else
        cp -L -p "$host" "$stage$guest"
        [ -x "$host" ] && add_libs "$host"
    fi
done

# Modules in the order they load, dependencies first, from the depends= of each .ko.
moddir=$kroot/lib/modules/$kver
modfile() { find "$moddir/kernel" -name "$1.ko*" 2>/dev/null | head -n 1; }
modlist=$work/modules
: >"$modlist"
# The state is in files, so the recursion runs in subshells and needs no locals.
add_module() {
    name=$(echo "$1" | tr - _)
    grep -qx "$name" "$work/seen" 2>/dev/null && return 0
    echo "$name" >>"$work/seen"
    ko=$(modfile "$name")
    [ -n "$ko" ] || ko=$(modfile "$(echo "$name" | tr _ -)")
    if [ -z "$ko" ]; then
        # Built in: nothing to load.
        grep -q "/$name\.ko\|/$(echo "$name" | tr _ -)\.ko" "$moddir/modules.builtin" 2>/dev/null &&
            return 0
        say "no module \`$1' in $kpkg"
        exit 2
    fi
    deps=$("$busybox" strings "$ko" | sed -n 's/^depends=//p' | head -n 1 | tr , ' ')
    for dep in $deps; do
        (add_module "$dep") || exit
    done
    rel=${ko#"$kroot"}
    mkdir -p "$stage$(dirname "$rel")"
    cp "$ko" "$stage$rel"
    echo "$rel" >>"$modlist"
}
for m in $modules; do
    add_module "$m"
done
cp "$modlist" "$stage/etc/vm-run/modules"

cp "$script" "$stage/etc/vm-run/script"
nonce=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
marker="vm-run-done-$nonce"
printf '%s\n' "$controllers" >"$stage/etc/vm-run/controllers"

# Stage 1: the initramfs is rootfs, which pivot_root refuses; copy everything
# into a tmpfs and let switch_root make that the root.
cat >"$stage/init" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
[ -c /dev/console ] && exec 0<>/dev/console 1>&0 2>&0
mount -t tmpfs -o mode=0755 tmpfs /newroot
for f in /*; do
    case $f in /newroot | /proc | /sys | /dev) ;; *) cp -a "$f" /newroot/ ;; esac
done
mkdir -p /newroot/proc /newroot/sys /newroot/dev
# The console stays open on it, so it moves rather than unmounts.
mount --move /dev /newroot/dev
exec switch_root /newroot /etc/vm-run/init2
EOF

# Stage 2: the tmpfs root. The marker line is the only thing the host trusts.
cat >"$stage/etc/vm-run/init2" <<EOF
#!/bin/sh
export PATH=/bin:/usr/bin:/sbin:/usr/sbin HOME=/root TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
[ -c /dev/null ] || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
controllers=\$(cat /etc/vm-run/controllers)
[ -n "\$controllers" ] && echo "\$controllers" >/sys/fs/cgroup/cgroup.subtree_control
for ko in \$(cat /etc/vm-run/modules); do
    insmod "\$ko" || echo "$me: insmod \$ko failed"
done
hostname congo-vm
echo "$me: guest up after \$(cut -d' ' -f1 /proc/uptime) s, kernel \$(uname -r)"
cd /root
sh /etc/vm-run/script
status=\$?
echo "$me: guest script done after \$(cut -d' ' -f1 /proc/uptime) s"
echo "$marker status=\$status"
sync
poweroff -f
EOF
chmod 755 "$stage/init" "$stage/etc/vm-run/init2"

initrd=$work/initrd.gz
(cd "$stage" && find . | "$busybox" cpio -o -H newc 2>/dev/null | gzip -1 >"$initrd")

# ---- boot -------------------------------------------------------------------

[ -n "$log" ] || log=$cache/$(basename "$script" .sh).log
: >"$log"
accel=${CONGO_VM_ACCEL:-tcg}
say "booting $kpkg ($accel, ${memory} MiB, timeout ${timeout}s); console: $log"
start=$(date +%s.%N)
qstatus=0
timeout -k 10 "$timeout" qemu-system-x86_64 -accel "$accel" -m "$memory" -smp 2 \
    -display none -monitor none -serial "file:$log" -no-reboot -nic none \
    -kernel "$vmlinuz" -initrd "$initrd" \
    -append "console=ttyS0 quiet panic=-1 systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all$append" \
    </dev/null >"$work/qemu.out" 2>&1 || qstatus=$?
end=$(date +%s.%N)
tr -d '\r' <"$log" >"$work/console" || true
cat "$work/console"
say "qemu ran $(echo "$end - $start" | awk '{printf "%.1f", $1 - $3}') s wall clock"

status=$(sed -n "s/^$marker status=\([0-9][0-9]*\)\$/\1/p" "$work/console" | tail -n 1)
if [ -z "$status" ]; then
    cat "$work/qemu.out" >&2
    if [ "$qstatus" = 124 ] || [ "$qstatus" = 137 ]; then
        say "the VM did not finish within ${timeout}s"
    else
        say "the VM ended without reporting a status (qemu exit $qstatus; a kernel panic?)"
    fi
    exit 1
fi
exit "$status"
