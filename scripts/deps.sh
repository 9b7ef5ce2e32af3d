#!/bin/sh
# Install what building and testing congo needs on Debian 12, and nothing
# when it is all there already (so a second run costs no network).
set -eu

packages="gcc make autoconf automake pkgconf libconfig-dev libyaml-dev \
libcmocka-dev libseccomp-dev libcap-dev libjansson-dev nftables passt iperf3 slirp4netns busybox-static groff-base man-db tmux procps \
qemu-system-x86 dpkg-dev debhelper lintian fakeroot mandoc strace \
clang-14 libclang-rt-14-dev llvm-14 valgrind python3 python3-jsonschema python3-yaml \
podman conmon containerd uidmap runc slurmctld slurmd slurm-client munge curl"

missing=
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: missing packages:$missing; run as root to install them" >&2
    exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
