#!/bin/bash
# The bash completion of congo-oci against `congo-oci --help`: the commands,
# the global options and each command's options, plus signal names after
# `kill ID` and the IDs under --root. TAP; no root needed.

set -u

CONGO=${CONGO_LAUNCH:-$(pwd)/congo-launch}
OCI=$(dirname "$CONGO")/congo-oci
SRCDIR=${CONGO_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
COMPLETION=$SRCDIR/completion/congo-oci

if [ ! -x "$OCI" ]; then
    echo "1..0 # SKIP no congo-oci beside $CONGO"
    exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/congo-completion.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

n=0
failed=0
ok() { # ok NAME WANT GOT
    n=$((n + 1))
    if [ "$2" = "$3" ]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1"
        diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed -n 's/^</# want:/p; s/^>/# got: /p'
        failed=$((failed + 1))
    fi
}

# complete LINE: what bash would offer with the cursor at the end, sorted.
complete_line() {
    local line=$1
    read -ra COMP_WORDS <<<"$line"
    [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMPREPLY=()
    _congo_oci congo-oci "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    [[ ${#COMPREPLY[@]} == 0 ]] || printf '%s\n' "${COMPREPLY[@]}" | sort -u
}

# What the binary says.
help=$("$OCI" --help)
commands=$(printf '%s\n' "$help" | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z]*\).*/\1/p' | sort -u)
global=$( (printf '%s\n' "$help" | sed -n '/^Global options/,/^See/p' | grep -o -- '--[a-z][a-z-]*'
    echo --help; echo --version) | sort -u)
# command_opts CMD: the options on CMD's line of --help, long forms.
command_opts() {
    printf '%s\n' "$help" | sed -n "/^Commands:/,/^\$/{/^  $1 /p}" | grep -o -- '--[a-z][a-z-]*' | sort -u
}

# shellcheck source=/dev/null
. "$COMPLETION"
# congo-oci on PATH, as installed: the ID completion runs it.
PATH=$(dirname "$OCI"):$PATH

ok "the commands are those of --help" "$commands" "$(complete_line "congo-oci ")"
ok "the global options are those of --help" "$global" "$(complete_line "congo-oci --")"
for c in create run exec kill delete list ps spec; do
    want=$(command_opts "$c")
    got=$(complete_line "congo-oci $c --")
    # Options --help leaves out of a line may be completed too: every listed one must be.
    missing=$(comm -23 <(printf '%s\n' "$want") <(printf '%s\n' "$got"))
    ok "$c offers the options --help lists for it" "" "$missing"
done
ok "kill ID offers signal names" "yes" "$(complete_line "congo-oci kill abc " | grep -qx KILL && echo yes)"
ok "nothing is guessed for exec's command" "" "$(complete_line "congo-oci exec abc ")"
ok "--log-format offers text and json" "$(printf 'json\ntext')" "$(complete_line "congo-oci --log-format ")"
mkdir -p "$WORK/root"
ok "an empty --root offers no ID" "" "$(complete_line "congo-oci --root $WORK/root state ")"
echo "1..$n"
exit "$((failed > 0))"
