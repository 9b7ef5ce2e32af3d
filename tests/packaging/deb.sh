#!/bin/sh
# The Debian package, as a packager and then a user meet it: a release
# tarball from a copy of the source tree, `dpkg-buildpackage -us -uc -b`,
# lintian, the .deb unpacked into a throw-away root, then installed on this
# machine, its stock profiles checked and run, and purged again.
#
# TAP. It installs a package and runs containers, so the second half needs
# root and a machine that may be changed (it is purged at the end, even on
# failure). Without root only the build, lint and unpack steps run. It takes
# about 40 s (2 CPUs): run it by hand (tests/packaging/deb.sh) or from CI,
# not from `make check`. Missing build tools are installed with apt-get as root.
# CONGO_KEEP=1 keeps the scratch directory.

set -u

SRCDIR=$(cd "$(dirname "$0")/../.." && pwd)
START=$(date +%s)
n=0
failed=0
planned=21

skip_all() {
    echo "1..0 # SKIP $*"
    exit 0
}

# t NAME CMD...: one behaviour; a failing command's output goes to the log.
t() {
    name=$1
    shift
    n=$((n + 1))
    out=$("$@" 2>&1)
    status=$?
    if [ "$status" = 0 ]; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name"
        printf '%s\n' "$out" | sed 's/^/# /'
        failed=$((failed + 1))
    fi
}

# skip NAME REASON: a test that cannot run here says why.
skip() {
    n=$((n + 1))
    echo "ok $n - $1 # SKIP $2"
}

# bail REASON: a step everything after it needs failed.
bail() {
    echo "Bail out! $*"
    exit 1
}

ROOT_USER=false
[ "$(id -u)" = 0 ] && ROOT_USER=true

# What building the package needs besides its Build-Depends.
missing=
for tool in dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian autoreconf:autoconf \
    make:make; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing="$missing ${tool#*:}"
done
if [ -n "$missing" ]; then
    $ROOT_USER || skip_all "missing:$missing (run as root to install them)"
    echo "# installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } \
        >/dev/null 2>&1 || skip_all "cannot install$missing"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/congo-deb.XXXXXX")
installed=false
cleanup() {
    if $installed; then
        dpkg --purge congo >/dev/null 2>&1 || echo "# dpkg --purge congo failed: remove it by hand"
    fi
    if [ "${CONGO_KEEP:-}" = 1 ]; then
        echo "# kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "1..$planned"

# ---- a release tarball from a copy of the tree (never touching the tree) ----

make_dist() {
    mkdir "$WORK/tree" &&
        (cd "$SRCDIR" && tar -cf - --exclude=./build --exclude=./.git \
            --exclude=./examples/rootfs --exclude=./tests/integration/rootfs .) |
        (cd "$WORK/tree" && tar -xf -) &&
        cd "$WORK/tree" &&
        autoreconf -fi >"$WORK/dist.log" 2>&1 &&
        ./configure >>"$WORK/dist.log" 2>&1 &&
        make dist >>"$WORK/dist.log" 2>&1 || {
        tail -n 30 "$WORK/dist.log"
        return 1
    }
}
t "make dist builds a release tarball from a copy of the tree" make_dist
cd "$WORK" || bail "no $WORK"
tarball=$(ls "$WORK"/tree/congo-*.tar.gz 2>/dev/null | head -n 1)
[ -n "$tarball" ] || bail "no release tarball"
tar -xzf "$tarball" -C "$WORK" || bail "cannot unpack $tarball"
pkgsrc=$WORK/$(basename "$tarball" .tar.gz)
version=${pkgsrc##*/congo-}

# ---- build and lint ----

build_deps() {
    cd "$pkgsrc" || return 1
    dpkg-checkbuilddeps >/dev/null 2>&1 && return 0
    if ! $ROOT_USER; then
        dpkg-checkbuilddeps
        return 1
    fi
    echo "installing the build dependencies"
    DEBIAN_FRONTEND=noninteractive apt-get build-dep -y -qq ./ >/dev/null 2>&1 &&
        dpkg-checkbuilddeps
}
t "the build dependencies of debian/control are installed" build_deps

build_deb() {
    cd "$pkgsrc" && dpkg-buildpackage -us -uc -b >"$WORK/build.log" 2>&1 || {
        tail -n 40 "$WORK/build.log"
        return 1
    }
}
t "dpkg-buildpackage -us -uc -b builds from the release tarball" build_deb
deb=$(ls "$WORK"/congo_"$version"_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || bail "no .deb built"
echo "# built $(basename "$deb") in $(($(date +%s) - START)) s"

depends() {
    d=$(dpkg-deb -f "$deb" Depends)
    echo "Depends: $d"
    for lib in libc6 libconfig9 libyaml-0-2; do
        echo "$d" | grep -q "$lib" || return 1
    done
    # Every library the binary links comes from a package it depends on.
    for so in $(objdump -p "$pkgsrc/debian/congo/usr/bin/congo-launch" | awk '/NEEDED/ {print $2}'); do
        # The soname is ldconfig's symlink; the package holds the file it names.
        real=$(ldconfig -p | awk -v so="$so" '$1 == so {print $NF; exit}')
        [ -n "$real" ] && real=$(readlink -f "$real")
        pkgs=$(dpkg -S "*/${real##*/}" 2>/dev/null | cut -d: -f1 | sort -u)
        found=false
        for p in $pkgs; do
            echo "$d" | grep -q "\(^\|, \)$p\( \|,\|$\)" && found=true
        done
        $found || {
            echo "$so (from:" $pkgs") is not in Depends"
            return 1
        }
    done
}
t "the package depends on libc6, libconfig9, libyaml-0-2 and every library it links" depends
tests_ran() {
    # dh_auto_test's make check: the unit tests pass, no integration test ran.
    grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' "$WORK/build.log"
    grep -q '^PASS: tests/unit/' "$WORK/build.log" &&
        ! grep -qE '^(FAIL|ERROR): ' "$WORK/build.log" &&
        ! grep -qE '^[A-Z]+: tests/integration/' "$WORK/build.log"
}
t "the package build runs the unit tests and no container" tests_ran

lint() {
    lintian --fail-on error --display-info "$deb" >"$WORK/lintian.log" 2>&1
    status=$?
    cat "$WORK/lintian.log"
    [ "$status" = 0 ]
}
t "lintian reports no errors" lint
# Warnings and notes are the packager's to read, passed or not.
sed 's/^/# lintian: /' "$WORK/lintian.log"

# ---- unpacked into a throw-away root ----

ROOT=$WORK/root
dpkg -x "$deb" "$ROOT" || bail "dpkg -x failed"

ships() {
    for f in usr/bin/congo-launch usr/bin/congo-oci usr/share/man/man1/congo-launch.1.gz \
        usr/share/man/man1/congo-oci.1.gz usr/share/man/man5/congo-profile.5.gz \
        usr/share/bash-completion/completions/congo-launch \
        usr/share/bash-completion/completions/congo-oci \
        usr/share/congo/profiles/minimal.yaml usr/share/congo/profiles/host-net.yaml \
        usr/share/congo/profiles/readonly.yaml usr/share/doc/congo/copyright; do
        [ -e "$ROOT/$f" ] || {
            echo "missing /$f"
            return 1
        }
    done
}
t "the package ships the binary, man pages, completion, stock profiles, copyright" ships

unpacked_version() {
    got=$("$ROOT/usr/bin/congo-launch" --version)
    [ "$got" = "congo-launch $version" ] || {
        echo "want [congo-launch $version], got [$got]"
        return 1
    }
}
t "the unpacked congo-launch --version says $version" unpacked_version

unpacked_man() {
    got=$(MANPATH=$ROOT/usr/share/man man -w congo-profile)
    [ "$got" = "$ROOT/usr/share/man/man5/congo-profile.5.gz" ] || {
        echo "man -w congo-profile: [$got]"
        return 1
    }
}
t "man -w congo-profile finds the unpacked page" unpacked_man

man_clean() {
    for page in "$ROOT"/usr/share/man/man1/congo-launch.1.gz "$ROOT"/usr/share/man/man5/congo-profile.5.gz; do
        warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
        [ -z "$warnings" ] || {
            echo "$page: $warnings"
            return 1
        }
    done
}
t "both man pages render without warnings" man_clean

# ---- installed on this machine ----

if ! $ROOT_USER; then
    while [ "$n" -lt "$planned" ]; do skip "installed package" "needs root"; done
    exit "$((failed > 0))"
fi
if dpkg-query -W -f='${Status}' congo 2>/dev/null | grep -q 'ok installed'; then
    while [ "$n" -lt "$planned" ]; do skip "installed package" "congo is installed already"; done
    exit "$((failed > 0))"
fi

install_deb() {
    dpkg -i "$deb"
}
installed=true
t "dpkg -i installs the package" install_deb

# A clean user: no profile of our own may shadow the stock ones.
export XDG_CONFIG_HOME="$WORK/config"
mkdir -p "$XDG_CONFIG_HOME" "$WORK/cwd"
cd "$WORK/cwd" || bail "no $WORK/cwd"

t "congo-launch --version says $version" sh -c \
    "[ \"\$(/usr/bin/congo-launch --version)\" = 'congo-launch $version' ]"
t "congo-oci, installed beside it, says $version too" sh -c \
    "[ \"\$(/usr/bin/congo-oci --version | head -n 1)\" = 'congo-oci version $version' ]"

installed_man() {
    got=$(man -w congo-profile)
    [ "$got" = /usr/share/man/man5/congo-profile.5.gz ] || {
        echo "man -w congo-profile: [$got]"
        return 1
    }
}
t "man -w congo-profile finds the installed page" installed_man

t "every stock profile passes --check" sh -c 'congo-launch --check /usr/share/congo/profiles/*'

print_minimal() {
    out=$(congo-launch -v --print minimal 2>"$WORK/print.err") || {
        cat "$WORK/print.err"
        return 1
    }
    grep -q /usr/share/congo/profiles/minimal.yaml "$WORK/print.err" || {
        echo "-v did not name /usr/share/congo/profiles/minimal.yaml:"
        cat "$WORK/print.err"
        return 1
    }
    echo "$out" | grep -qx 'rootfs: /' && echo "$out" | grep -qx '  memory: 1g'
}
t "--print minimal finds the stock profile by its bare name" print_minimal

t "congo-launch minimal -- /bin/true exits 0" congo-launch minimal -- /bin/true

minimal_sandbox() {
    marker=/etc/congo-deb-test.$$
    got=$(congo-launch minimal -- /bin/sh -c "echo written >$marker && cat $marker") || return 1
    [ "$got" = written ] || return 1
    [ ! -e "$marker" ] || {
        rm -f "$marker"
        echo "a write inside minimal reached the host's $marker"
        return 1
    }
}
t "minimal writes to a throwaway layer, never to the host" minimal_sandbox

host_net() {
    want=$(ls /sys/class/net)
    got=$(congo-launch host-net -- /bin/ls /sys/class/net) || return 1
    [ "$got" = "$want" ] || {
        echo "want [$want], got [$got]"
        return 1
    }
    got=$(congo-launch minimal -- /bin/ls /sys/class/net) || return 1
    [ "$got" = lo ] || {
        echo "minimal: want [lo], got [$got]"
        return 1
    }
}
t "host-net sees the host's interfaces, minimal only lo" host_net

readonly_profile() {
    congo-launch readonly -- /bin/sh -c 'touch /tmp/ok && ! touch /etc/congo-deb-test 2>/dev/null'
}
t "readonly refuses writes but to /tmp" readonly_profile

completion() {
    got=$(bash -c '
        [ -f /usr/share/bash-completion/bash_completion ] &&
            . /usr/share/bash-completion/bash_completion
        . /usr/share/bash-completion/completions/congo-launch
        COMP_LINE="congo-launch mini" COMP_POINT=17
        COMP_WORDS=(congo-launch mini) COMP_CWORD=1
        _congo_launch congo-launch mini congo-launch
        printf "%s\n" "${COMPREPLY[@]}"')
    echo "$got" | grep -qx minimal || {
        echo "congo-launch mini<TAB>: [$got]"
        return 1
    }
}
t "bash completion offers the stock profiles by name" completion

purge() {
    dpkg --purge congo || return 1
    installed=false
    for f in /usr/bin/congo-launch /usr/bin/congo-oci /usr/share/congo \
        /usr/share/man/man5/congo-profile.5.gz /usr/share/man/man1/congo-oci.1.gz \
        /usr/share/bash-completion/completions/congo-launch /usr/share/doc/congo; do
        [ ! -e "$f" ] || {
            echo "left behind: $f"
            return 1
        }
    done
}
t "dpkg --purge removes every file" purge
dpkg-query -W -f='${Status}' congo 2>/dev/null | grep -q 'ok installed' || installed=false

echo "# took $(($(date +%s) - START)) s"
exit "$((failed > 0))"
