#!/bin/sh
# The man pages render without a warning: groff's own checks (-ww), and
# mandoc's lint where mandoc is installed. TAP; no root needed.
set -u
SRCDIR=${CONGO_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
pages="congo-launch.1 congo-oci.1 congo-profile.5"
echo "1..6"
n=0
for page in $pages; do
    n=$((n + 1))
    out=$(LC_ALL=C.UTF-8 groff -man -ww -z "$SRCDIR/man/$page" 2>&1)
    if [ -z "$out" ]; then
        echo "ok $n - $page renders with groff -ww without a warning"
    else
        echo "not ok $n - $page renders with groff -ww without a warning"
        printf '%s\n' "$out" | sed 's/^/# /'
    fi
    n=$((n + 1))
    if ! command -v mandoc >/dev/null 2>&1; then
        echo "ok $n - $page passes mandoc -T lint # SKIP mandoc is not installed"
        continue
    fi
    out=$(mandoc -T lint -W warning "$SRCDIR/man/$page" 2>&1)
    if [ -z "$out" ]; then
        echo "ok $n - $page passes mandoc -T lint"
    else
        echo "not ok $n - $page passes mandoc -T lint"
        printf '%s\n' "$out" | sed 's/^/# /'
    fi
done
