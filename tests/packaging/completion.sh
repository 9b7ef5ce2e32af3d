#!/bin/bash
# The bash completion against the binary it completes: every option of
# `congo-launch --help`, every key `--print` prints, and the values, profile
# names and files a user expects. Runs twice when bash-completion is
# installed: on its own (as after `source completion/congo-launch`) and with
# bash-completion's helpers (as installed). TAP; no root needed.

set -u

CONGO=${CONGO_LAUNCH:-$(pwd)/congo-launch}
COMPLETION=${CONGO_COMPLETION:-$(pwd)/completion/congo-launch}
BASH_COMPLETION=${BASH_COMPLETION_SCRIPT:-/usr/share/bash-completion/bash_completion}

if [ ! -x "$CONGO" ] || [ ! -f "$COMPLETION" ]; then
    echo "1..0 # SKIP no congo-launch or completion/congo-launch in $(pwd)"
    exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/congo-completion.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

n=0
failed=0
ok() { # ok NAME STATUS OUTPUT
    n=$((n + 1))
    if [ "$2" = 0 ]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1"
        printf '%s\n' "$3" | sed 's/^/# /'
        failed=$((failed + 1))
    fi
}

# complete LINE: the candidates bash would offer for LINE (cursor at the
# end), one per line, sorted. COMP_WORDS is split as readline splits it:
# at blanks and, by COMP_WORDBREAKS, around `=`.
complete_line() {
    local line=$1 w
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMP_WORDS=()
    for w in $line; do
        while [[ $w == *=* ]]; do
            [[ -n ${w%%=*} ]] && COMP_WORDS+=("${w%%=*}")
            COMP_WORDS+=("=")
            w=${w#*=}
        done
        [[ -n $w ]] && COMP_WORDS+=("$w")
    done
    [[ $line == *" " || $line == *= ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _congo_launch congo-launch "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    [[ ${#COMPREPLY[@]} == 0 ]] || printf '%s\n' "${COMPREPLY[@]}" | sort -u
}

# same WANT GOT: two sorted lists, with a diff when they differ.
same() {
    [ "$1" = "$2" ] && return 0
    diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") | sed -n 's/^[<>]/&/p' |
        sed 's/^</want:/; s/^>/got: /'
    return 1
}
# has WORD LIST
has() { printf '%s\n' "$2" | grep -qxF -- "$1" || { echo "no [$1] in: $2" | tr '\n' ' '; return 1; }; }
hasnt() { ! printf '%s\n' "$2" | grep -qxF -- "$1" || { echo "[$1] offered: $2" | tr '\n' ' '; return 1; }; }

# What the binary says: options from --help, keys from --print.
help=$("$CONGO" --help)
# An entry may name several options: `--exec, --stop ... ID|NAME   what they do`.
global_opts=$(printf '%s\n' "$help" |
    sed -n '/^Modes:/,/^$/s/^ *\(-[a-zA-Z], \)\{0,1\}\(--[a-z-]*\(, --[a-z-]*\)*\).*/\2/p' |
    tr -d ',' | tr ' ' '\n' | sort)
run_opts=$(printf '%s\n' "$help" | sed -n '/^run options/,/^$/p' | grep -o -- '--[a-z][a-z-]*' | sort)
mkdir -p "$WORK/p"
printf 'rootfs: /\ncommand: /bin/true\n' >"$WORK/p/all.yaml"
printed=$("$CONGO" --print "$WORK/p/all.yaml")
# The keys --print prints: top-level ones and, indented below, the keys of a
# group (limits.memory) or the names of a map (namespaces.net); an unset
# key is printed as a comment.
keys=$(printf '%s\n' "$printed" | sed 's/^\( *\)# /\1/' | awk '
    /^[a-z_]+:/ { top = $1; sub(/:.*/, "", top); print top; next }
    /^  [a-z_]+:/ { k = $1; sub(/:.*/, "", k); print top "." k }
' | sort)

# covers: every key --print prints is offered by `--reset `, or a dotted
# one by `--reset GROUP.`.
covers() {
    local top more k missing=
    top=$(complete_line "congo-launch --reset ")
    for k in $keys; do
        printf '%s\n' "$top" | grep -qxF "$k" && continue
        if [[ $k == *.* ]]; then
            more=$(complete_line "congo-launch --reset ${k%%.*}.")
            printf '%s\n' "$more" | grep -qxF "$k" && continue
        fi
        missing+=" $k"
    done
    [[ -z $missing ]] || { echo "not offered:$missing"; return 1; }
}

# sound: every key offered, and every name behind a GROUP. prefix, is one
# that `congo-launch --reset` accepts.
sound() {
    local k p bad= offered
    offered=$(complete_line "congo-launch --reset ")
    for p in $(printf '%s\n' "$offered" | grep '\.$'); do
        offered+=$'\n'$(complete_line "congo-launch --reset $p")
    done
    for k in $(printf '%s\n' "$offered" | grep -v '\.$'); do
        "$CONGO" --check --fragment --reset "$k" "$WORK/p/all.yaml" >/dev/null 2>&1 || bad+=" $k"
    done
    [[ -z $bad ]] || { echo "congo-launch --reset refuses:$bad"; return 1; }
}

# Profiles in XDG_CONFIG_HOME, and profile files in the current directory.
export XDG_CONFIG_HOME="$WORK/config"
mkdir -p "$XDG_CONFIG_HOME/congo/profiles" "$WORK/cwd/subdir"
touch "$XDG_CONFIG_HOME/congo/profiles/mine.yaml" "$XDG_CONFIG_HOME/congo/profiles/other.conf" \
    "$XDG_CONFIG_HOME/congo/profiles/notes.txt"
touch "$WORK/cwd/a.yaml" "$WORK/cwd/b.yml" "$WORK/cwd/c.conf" "$WORK/cwd/d.cfg" "$WORK/cwd/e.txt"
cd "$WORK/cwd" || exit 1

checks() { # checks MODE
    local m=$1 got want
    got=$(complete_line "congo-launch --")
    ok "$m: options are those of --help" "$(same "$global_opts" "$got"; echo $?)" "$(same "$global_opts" "$got")"
    got=$(complete_line "congo-launch run / - - - - --")
    ok "$m: run options are those of --help" "$(same "$run_opts" "$got"; echo $?)" "$(same "$run_opts" "$got")"

    ok "$m: --reset offers every key --print prints" "$(covers >/dev/null; echo $?)" "$(covers)"
    ok "$m: --reset offers only keys congo-launch accepts" "$(sound >/dev/null; echo $?)" "$(sound)"
    want=$(complete_line "congo-launch --reset " | sed '/\.$/!s/$/=/' | sort)
    got=$(complete_line "congo-launch --set " | sort)
    ok "$m: --set offers the keys of --reset, with =" "$(same "$want" "$got"; echo $?)" "$(same "$want" "$got")"
    got=$(complete_line "congo-launch --reset na")
    want=$(printf '%s\n' name namespaces namespaces.)
    ok "$m: --reset offers namespaces. too" "$(same "$want" "$got"; echo $?)" "$(same "$want" "$got")"
    got=$(complete_line "congo-launch --set env.")
    ok "$m: --set env. leaves the name to the user" "$(same "" "$got"; echo $?)" "$(same "" "$got")"
    got=$(complete_line "congo-launch --set sysctl.kernel.shmm")
    want=$(printf '%s\n' sysctl.kernel.shmmax= sysctl.kernel.shmmni=)
    ok "$m: --set sysctl. offers the namespaced parameters" "$(same "$want" "$got"; echo $?)" \
        "$(same "$want" "$got")"
    got=$(complete_line "congo-launch --set annotations.")
    ok "$m: --set annotations. leaves the key to the user" "$(same "" "$got"; echo $?)" "$(same "" "$got")"
    got=$(complete_line "congo-launch --set namespaces.net=")
    ok "$m: --set namespaces.net= offers true, false and files" \
        "$(has true "$got" && has false "$got" && has a.yaml "$got"; echo $?)" \
        "$(has true "$got"; has false "$got"; has a.yaml "$got")"
    got=$(complete_line "congo-launch --set readonly_rootfs=")
    ok "$m: --set BOOL= offers true and false" "$(same "$(printf 'false\ntrue')" "$got"; echo $?)" \
        "$(same "$(printf 'false\ntrue')" "$got")"
    got=$(complete_line "congo-launch --set limits.memory=u")
    ok "$m: --set limits.memory= offers unlimited" "$(same unlimited "$got"; echo $?)" "$(same unlimited "$got")"
    got=$(complete_line "congo-launch --set=cgroup_parent=")
    ok "$m: --set=KEY= works too" "$(same auto "$got"; echo $?)" "$(same auto "$got")"

    got=$(complete_line "congo-launch --print --format ")
    want=$(printf 'conf\noci\nyaml')
    ok "$m: --format offers yaml, conf and oci" "$(same "$want" "$got"; echo $?)" "$(same "$want" "$got")"
    got=$(complete_line "congo-launch --print --format=")
    ok "$m: --format= offers yaml, conf and oci" "$(same "$want" "$got"; echo $?)" "$(same "$want" "$got")"
    got=$(complete_line "congo-launch --bundle ")
    ok "$m: --bundle offers directories" "$(same subdir "$got"; echo $?)" "$(same subdir "$got")"
    got=$(complete_line "congo-launch --bundle subdir ")
    ok "$m: after --bundle DIR comes PROFILE" "$(has mine "$got" && has a.yaml "$got" && has run "$got"; echo $?)" \
        "$(has mine "$got"; has a.yaml "$got"; has run "$got")"

    # (Installed stock profiles and /etc/congo/profiles may add more names.)
    got=$(complete_line "congo-launch ")
    profile_offers() {
        local w r=0
        for w in a.yaml b.yml c.conf d.cfg mine other run subdir; do has "$w" "$got" || r=1; done
        for w in e.txt notes notes.txt; do hasnt "$w" "$got" || r=1; done
        return $r
    }
    ok "$m: PROFILE offers profile names, profile files, directories and run" \
        "$(profile_offers >/dev/null; echo $?)" "$(profile_offers)"
    got=$(complete_line "congo-launch --check a.yaml ")
    ok "$m: --check takes more profiles" "$(has mine "$got" && has c.conf "$got" && hasnt run "$got"; echo $?)" \
        "$(has mine "$got"; has c.conf "$got"; hasnt run "$got")"
    got=$(complete_line "congo-launch a.yaml -")
    ok "$m: after PROFILE comes --" "$(same -- "$got"; echo $?)" "$(same -- "$got")"
    got=$(complete_line "congo-launch a.yaml ")
    ok "$m: one PROFILE only" "$(same "" "$got"; echo $?)" "$(same "" "$got")"

    got=$(complete_line "congo-launch run ")
    ok "$m: run ROOTFS offers directories" "$(same subdir "$got"; echo $?)" "$(same subdir "$got")"
    got=$(complete_line "congo-launch run subdir 10 ")
    ok "$m: the number slots offer nothing" "$(same "" "$got"; echo $?)" "$(same "" "$got")"
    got=$(complete_line "congo-launch --set name=x run subdir --upper ")
    ok "$m: --upper offers tmpfs, none and directories" \
        "$(same "$(printf 'none\nsubdir\ntmpfs')" "$got"; echo $?)" \
        "$(same "$(printf 'none\nsubdir\ntmpfs')" "$got")"
    got=$(complete_line "congo-launch run subdir --user app - ")
    ok "$m: option values do not count as slots" "$(same "" "$got"; echo $?)" "$(same "" "$got")"
    got=$(complete_line "congo-launch run --init ")
    ok "$m: a flag takes no value word" "$(same subdir "$got"; echo $?)" "$(same subdir "$got")"
    got=$(complete_line "congo-launch run subdir --init=")
    ok "$m: --init= offers true and false" "$(same "$(printf 'false\ntrue')" "$got"; echo $?)" \
        "$(same "$(printf 'false\ntrue')" "$got")"
    got=$(complete_line "congo-launch run subdir --namespaces n")
    ok "$m: --namespaces offers NAME=" "$(same net= "$got"; echo $?)" "$(same net= "$got")"
    got=$(complete_line "congo-launch run subdir --namespaces net=false,p")
    ok "$m: --namespaces completes the name after a comma" "$(same net=false,pid= "$got"; echo $?)" \
        "$(same net=false,pid= "$got")"
    got=$(complete_line "congo-launch run subdir --hook stage=post")
    ok "$m: --hook stage= offers the stages" \
        "$(same "$(printf 'stage=poststart\nstage=poststop')" "$got"; echo $?)" \
        "$(same "$(printf 'stage=poststart\nstage=poststop')" "$got")"
    got=$(complete_line "congo-launch run subdir --hook stage=prestart,a")
    ok "$m: --hook completes the field after a comma" \
        "$(same stage=prestart,arg= "$got"; echo $?)" "$(same stage=prestart,arg= "$got")"
    got=$(complete_line "congo-launch --set seccomp=")
    ok "$m: --set seccomp= offers default, unconfined and files" \
        "$(has default "$got" && has unconfined "$got" && has e.txt "$got"; echo $?)" \
        "$(has default "$got"; has unconfined "$got"; has e.txt "$got")"
    got=$(complete_line "congo-launch run subdir - - - - -- ")
    ok "$m: nothing is guessed for the container's command" "$(same "" "$got"; echo $?)" "$(same "" "$got")"
}

# shellcheck source=/dev/null
. "$COMPLETION"
checks plain
if [ -f "$BASH_COMPLETION" ]; then
    # shellcheck source=/dev/null
    . "$BASH_COMPLETION"
    # bash-completion loads completions lazily; ours is the one under test.
    # shellcheck source=/dev/null
    . "$COMPLETION"
    checks bash-completion
fi
echo "1..$n"
exit "$((failed > 0))"
