#!/bin/sh
# Rebuild the fuzzer's seed corpus, fuzz/corpus/yaml/ and fuzz/corpus/conf/,
# from every profile the tree holds (examples/, profiles/, tests/data/).
# Each seed is the file with fuzz-profile's mode byte in front
# (fuzz/profile-check.h): `Y`/`C` a whole profile, `y`/`c` a fragment.
#
#   fuzz/make-corpus.sh [OUTDIR]     default: fuzz/corpus in the source tree
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/fuzz/corpus}

rm -rf "$out/yaml" "$out/conf"
mkdir -p "$out/yaml" "$out/conf"

n=0
# examples/rootfs is a built busybox tree, not profiles.
for f in $(cd "$top" && find examples profiles tests/data -path examples/rootfs -prune -o \
             -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.conf' -o -name '*.cfg' \) \
             -print | LC_ALL=C sort); do
    case $f in
    tests/data/fuzz-regressions/*) continue ;; # already inputs, mode byte and all
    *.yaml | *.yml) dir=yaml whole=Y fragment=y ;;
    *) dir=conf whole=C fragment=c ;;
    esac
    name=$(printf '%s' "$f" | tr '/' '-')
    { printf '%s' "$whole"; cat "$top/$f"; } >"$out/$dir/$name"
    { printf '%s' "$fragment"; cat "$top/$f"; } >"$out/$dir/fragment-$name"
    n=$((n + 1))
done
echo "make-corpus.sh: $n profiles, $((2 * n)) seeds in $out"
