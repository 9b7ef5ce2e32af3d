#!/bin/sh
# Build a small container root from Debian's busybox-static: one static
# binary, its applets as symlinks, and the files a run reads (/etc/passwd,
# /etc/group). Usage: scripts/mkrootfs.sh DIR
set -eu

dir=${1:?usage: mkrootfs.sh DIR}
# A user other than root makes the root in a user namespace of its own ids
# (its uid as 0, its subordinate ids from 1: what congo-launch maps for it),
# so that app's home is app's inside its containers.
if [ "$(id -u)" != 0 ] && [ -z "${MKROOTFS_MAPPED:-}" ]; then
    if ! unshare --help 2>/dev/null | grep -q -- --map-auto; then
        echo "mkrootfs.sh: as a user other than root this needs unshare --map-auto (util-linux 2.38)" >&2
        exit 1
    fi
    MKROOTFS_MAPPED=1 exec unshare --map-auto --map-root-user sh "$0" "$@"
fi
busybox=/bin/busybox
if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
    echo "mkrootfs.sh: $busybox is missing or not static; apt-get install busybox-static" >&2
    exit 1
fi

tmp="$dir.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
for d in bin sbin usr/bin usr/sbin etc root home/app proc sys dev tmp run var/tmp; do
    mkdir -p "$tmp/$d"
done
chmod 1777 "$tmp/tmp" "$tmp/var/tmp"
cp "$busybox" "$tmp/bin/busybox"
for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$tmp/bin/$applet"
done
cat >"$tmp/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:only in the container:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$tmp/etc/group" <<'GROUP'
root:x:0:
app:x:1000:
staff:x:50:app
nogroup:x:65534:
GROUP
chown 1000:1000 "$tmp/home/app"
echo "congo example root" >"$tmp/etc/motd"

rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
