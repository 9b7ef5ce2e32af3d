#!/bin/bash
# The shell sessions of examples/README.md against what congo-launch prints
# today. A session is an indented block whose first line starts with `$ `;
# each `$ ` line is a command (a line ending in `\` goes on below), and the
# lines up to the next `$ ` or the end of the block are its output, stdout
# and stderr together (trailing blank lines do not count). A line that is
# exactly `...` in the document stands for any number of lines left out.
#
# The commands run in a copy of examples/ laid out as a checkout at
# WORK/congo, with the built congo-launch first in PATH, each block in one
# shell (so `echo $?` sees the command before it) and blocks in document
# order (so a file written by one is there for the next). The copy's path is
# printed as /home/me/congo, the checkout the document shows.
#
# A command that runs a container needs root and the busybox root
# (scripts/mkrootfs.sh, built once per build tree as for the integration
# tests); without them it is skipped, and so is the rest of its block. A
# `cat FILE` of a file that examples/stack does not have shows a file the
# reader writes: it is written from the document and skipped. TAP; one test
# per command.
#
# A fenced block under a line "`FILE`:" lists examples/stack/FILE, whole
# (the line numbers of --show-origin refer to it): one more test per
# listing, run first.

set -u
exec </dev/null

CONGO=${CONGO_LAUNCH:-$(pwd)/congo-launch}
SRCDIR=${CONGO_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
DOC=$SRCDIR/examples/README.md
SHOWN=/home/me/congo

if [ ! -x "$CONGO" ] || [ ! -f "$DOC" ]; then
    echo "1..0 # SKIP no congo-launch at $CONGO or no $DOC"
    exit 0
fi

# pwd -P: congo-launch prints absolute paths as given, and the copy's path
# is replaced in its output, so it must carry no symlink.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/congo-doc.XXXXXX") || exit 1
WORK=$(cd "$WORK" && pwd -P)
trap 'rm -rf "$WORK"' EXIT
CHECKOUT=$WORK/congo
mkdir -p "$CHECKOUT/examples" "$WORK/bin" "$WORK/home" "$WORK/out"
cp -R "$SRCDIR/examples/stack" "$CHECKOUT/examples/stack"
chmod -R u+w "$CHECKOUT"
ln -s "$CONGO" "$WORK/bin/congo-launch"
STACK=$CHECKOUT/examples/stack

# --- The sessions, in document order -------------------------------------
# Per command: its text, its expected output, its line in the document and
# the number of its block.
cmds=()
wants=()
where=()
block_of=()
nblocks=0
# Per listing: the file it names, its text and its line in the document.
list_files=()
list_texts=()
list_where=()
listing=
label=
mapfile -t doc <"$DOC"
fence=0
in_block=0 # 0 none, 1 a session, 2 another indented block
prev_blank=1
for ((i = 0; i < ${#doc[@]}; i++)); do
    line=${doc[i]}
    if [[ $line == '```'* ]]; then
        fence=$((!fence))
        in_block=0
        prev_blank=0
        if ((fence)) && [[ $label =~ ^\`([^\`/[:space:]]+)\`:$ ]]; then
            listing=${BASH_REMATCH[1]}
            list_files+=("$listing")
            list_texts+=("")
            list_where+=("$((i + 1))")
        else
            listing=
        fi
        label=
        continue
    fi
    if ((fence)); then
        [ -n "$listing" ] && list_texts[${#list_files[@]} - 1]+=$line$'\n'
        continue
    fi
    [[ -n $line ]] && label=$line
    if [[ $line == '    '* ]] && { ((in_block)) || ((prev_blank)); }; then
        body=${line:4}
        if ((!in_block)); then
            if [[ $body == '$ '* ]]; then
                in_block=1
                nblocks=$((nblocks + 1))
            else
                in_block=2
            fi
        fi
        if ((in_block == 1)); then
            if [[ $body == '$ '* ]]; then
                cmd=${body:2}
                at=$((i + 1))
                while [[ $cmd == *\\ ]] && ((i + 1 < ${#doc[@]})) && [[ ${doc[i + 1]} == '    '* ]]; do
                    i=$((i + 1))
                    cmd+=$'\n'${doc[i]:4}
                done
                cmds+=("$cmd")
                wants+=("")
                where+=("$at")
                block_of+=("$nblocks")
            else
                last=$((${#cmds[@]} - 1))
                wants[last]+=$body$'\n'
            fi
        fi
    elif [[ -z $line ]]; then
        ((in_block == 1)) && wants[${#cmds[@]} - 1]+=$'\n'
    else
        in_block=0
    fi
    [[ -z $line ]] && prev_blank=1 || prev_blank=0
done

total=${#cmds[@]}
if ((total == 0)); then
    echo "1..1"
    echo "not ok 1 - examples/README.md has shell sessions to check"
    exit 1
fi
echo "1..$((${#list_files[@]} + total))"
n=0
failed=0

# --- The listings -----------------------------------------------------------
for ((k = 0; k < ${#list_files[@]}; k++)); do
    n=$((n + 1))
    f=${list_files[k]}
    name="examples/stack/$f as listed (examples/README.md:${list_where[k]})"
    if [ ! -f "$SRCDIR/examples/stack/$f" ]; then
        echo "not ok $n - $name"
        echo "# no examples/stack/$f"
        failed=$((failed + 1))
    elif diff -u --label examples/README.md --label "examples/stack/$f" \
        <(printf '%s' "${list_texts[k]}") "$SRCDIR/examples/stack/$f" >"$WORK/diff"; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name"
        sed 's/^/# /' "$WORK/diff"
        failed=$((failed + 1))
    fi
done

# --- Running the sessions ---------------------------------------------------

# A command runs a container unless it only reads profiles.
runs_container() {
    [[ $1 == *congo-launch* ]] || return 1
    [[ $1 =~ (^|[[:space:]])(--check|--print|--print-cli|--help|-h|--version|-V)([[:space:]=]|$) ]] && return 1
    return 0
}

# The busybox root at examples/rootfs of the copy, made when first needed:
# a copy of the one the integration tests share (a symlink would do for
# --print, but a run wants the directory itself).
rootfs_tried=0
rootfs_problem=
need_rootfs() {
    if ((!rootfs_tried)); then
        local root=${CONGO_TEST_ROOTFS:-$(pwd)/tests/integration/rootfs}
        rootfs_tried=1
        mkdir -p "$(dirname "$root")"
        # shellcheck disable=SC2016 # expanded by sh -c
        if ! flock "$root.lock" sh -c '[ -x "$1/bin/busybox" ] || "$2/scripts/mkrootfs.sh" "$1" >/dev/null' \
            sh "$root" "$SRCDIR"; then
            rootfs_problem="cannot build the busybox root (scripts/mkrootfs.sh)"
        elif ! cp -a "$root" "$CHECKOUT/examples/rootfs"; then
            rootfs_problem="cannot copy the busybox root"
        fi
    fi
    [ -z "$rootfs_problem" ]
}

# matches WANT GOT: line by line, a WANT line `...` taking any run of lines.
matches() {
    local -a w g
    local i=0 j=0 star=-1 mark=0
    mapfile -t w <<<"$1"
    mapfile -t g <<<"$2"
    while ((i < ${#g[@]})); do
        if ((j < ${#w[@]})) && [[ ${w[j]} != ... && ${w[j]} == "${g[i]}" ]]; then
            i=$((i + 1))
            j=$((j + 1))
        elif ((j < ${#w[@]})) && [[ ${w[j]} == ... ]]; then
            star=$j
            mark=$i
            j=$((j + 1))
        elif ((star >= 0)); then
            j=$((star + 1))
            mark=$((mark + 1))
            i=$mark
        else
            return 1
        fi
    done
    while ((j < ${#w[@]})) && [[ ${w[j]} == ... ]]; do j=$((j + 1)); done
    ((j == ${#w[@]}))
}

trim() { # the text without its trailing newlines
    local s=$1
    while [[ $s == *$'\n' ]]; do s=${s%$'\n'}; done
    printf '%s' "$s"
}

# What the test names a command by: its text on one line, and where it is.
name_of() {
    local c=${cmds[$1]}
    c=${c//$'\\\n'/}
    c=$(printf '%s' "$c" | tr -s ' \n' '  ')
    printf '%s (examples/README.md:%s)' "$c" "${where[$1]}"
}

# run_block FIRST LAST: the commands FIRST..LAST, one block, in one shell.
run_block() {
    local first=$1 last=$2 k script=$WORK/block.sh skip_rest='' file
    local -a reason=()
    # shellcheck disable=SC2016 # the block's shell expands $1 and $2
    {
        echo 'cd "$1" || exit 1'
        for ((k = first; k <= last; k++)); do
            reason[k]=
            if [ -n "$skip_rest" ]; then
                reason[k]="follows a command that was skipped"
                if runs_container "${cmds[k]}"; then
                    [ "$(id -u)" = 0 ] && reason[k]="runs a container: $rootfs_problem" ||
                        reason[k]="runs a container, which needs root"
                fi
                continue
            fi
            if [[ ${cmds[k]} =~ ^cat\ ([^[:space:]/]+)$ ]] && [ ! -e "$STACK/${BASH_REMATCH[1]}" ]; then
                file=${BASH_REMATCH[1]}
                trim "${wants[k]}" >"$STACK/$file"
                echo >>"$STACK/$file"
                reason[k]="$file is not in examples/stack: written from the document for the commands below it"
                continue
            fi
            if runs_container "${cmds[k]}"; then
                if [ "$(id -u)" != 0 ]; then
                    reason[k]="runs a container, which needs root"
                elif ! need_rootfs; then
                    reason[k]="runs a container: $rootfs_problem"
                fi
                if [ -n "${reason[k]}" ]; then
                    skip_rest=1
                    continue
                fi
            fi
            printf '{ %s\n} >"$2/%d" 2>&1\n' "${cmds[k]}" "$k"
        done
    } >"$script"
    rm -f "$WORK/out/"*
    # A clean environment: no TZ or APP_MODE of the caller's, no profiles of
    # the caller's ~/.config; the sanitizers' settings of `make check` stay.
    local -a keep=()
    [ -n "${ASAN_OPTIONS+set}" ] && keep+=("ASAN_OPTIONS=$ASAN_OPTIONS")
    [ -n "${UBSAN_OPTIONS+set}" ] && keep+=("UBSAN_OPTIONS=$UBSAN_OPTIONS")
    timeout 300 env -i PATH="$WORK/bin:/usr/sbin:/usr/bin:/sbin:/bin" HOME="$WORK/home" "${keep[@]}" \
        bash --noprofile --norc "$script" "$STACK" "$WORK/out"
    local shell_status=$?
    for ((k = first; k <= last; k++)); do
        n=$((n + 1))
        if [ -n "${reason[k]}" ]; then
            echo "ok $n - $(name_of "$k") # SKIP ${reason[k]}"
            continue
        fi
        local want got
        want=$(trim "${wants[k]}")
        if [ -f "$WORK/out/$k" ]; then
            got=$(<"$WORK/out/$k")
            got=${got//"$CHECKOUT"/$SHOWN}
        else
            got="(not run: the block's shell exited with $shell_status)"
        fi
        if matches "$want" "$got"; then
            echo "ok $n - $(name_of "$k")"
        else
            echo "not ok $n - $(name_of "$k")"
            diff -u --label examples/README.md --label congo-launch \
                <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed 's/^/# /'
            failed=$((failed + 1))
        fi
    done
}

first=0
for ((k = 1; k <= total; k++)); do
    if ((k == total)) || [ "${block_of[k]}" != "${block_of[first]}" ]; then
        run_block "$first" "$((k - 1))"
        first=$k
    fi
done
exit "$((failed > 0))"
