#!/bin/sh
# One command from a fresh Debian 12 machine to a built congo-launch: install
# what is missing, build, make the example root from busybox-static, and
# show an example profile.
set -eu
cd "$(dirname "$0")/.."

top=$(pwd)

scripts/deps.sh
[ -x configure ] || autoreconf -fi
# Built out of the source tree, in build/, so the test suite's builds stay apart.
mkdir -p build
cd build
[ -f Makefile ] || "$top/configure" --quiet
make -j"$(nproc)" >/dev/null
cd "$top"
[ -x examples/rootfs/bin/busybox ] || scripts/mkrootfs.sh examples/rootfs

congo="$top/build/congo-launch"
echo "== congo-launch --print examples/hello.yaml"
"$congo" --print examples/hello.yaml
echo
echo "== congo-launch --print-cli examples/hello.yaml"
"$congo" --print-cli examples/hello.yaml
echo
echo "== congo-launch examples/hello.yaml"
status=0
"$congo" examples/hello.yaml || status=$?
exit "$status"
