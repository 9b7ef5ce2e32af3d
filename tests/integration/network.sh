#!/bin/sh
# network: bridge and pasta. Every packet stays inside namespaces this file
# makes: the launcher runs in a network namespace of the test's own (its
# own loopback, bridge, nftables table and iptables chains), joined to one
# more, "ext", by a veth pair, and no namespace has a route anywhere else.
# The namespaces live as long as the sleeps that hold them; the file kills
# those (by pid) on its way out, and with them every link and rule.
# pasta goes to the background: the file's subreaper reaps it once stopped.
SUBREAPER=1
. "$(dirname "$0")/lib.sh"

command -v nft >/dev/null || skip_all "no nft(8) (apt-get install nftables)"
command -v nsenter >/dev/null || skip_all "no nsenter"
command -v curl >/dev/null || skip_all "no curl"

BB=$ROOTFS/bin/busybox

unshare -n sleep 100000 &
NS=$!
unshare -n sleep 100000 &
EXT=$!
cleanup_net() {
    kill "$NS" "$EXT" 2>/dev/null
    kill_detached
    cleanup_work
}
trap cleanup_net EXIT
sleep 0.1
in_ns() { nsenter -t "$NS" -n -- "$@"; }
in_ext() { nsenter -t "$EXT" -n -- "$@"; }
in_ns ip link set lo up
in_ext ip link set lo up
in_ns ip link add ext0 type veth peer name ext1 netns "$EXT"
in_ns ip addr add 192.0.2.1/24 dev ext0
in_ns ip link set ext0 up
in_ext ip addr add 192.0.2.2/24 dev ext1
# pasta maps its gateway (.2) to the host itself: its tests reach ext at .3.
in_ext ip addr add 192.0.2.3/24 dev ext1
in_ext ip link set ext1 up

# The launcher, in the test's namespace.
congo() { in_ns "$CONGO" "$@"; }
# A TCP server in namespace NS (the holder's pid), in the background, its
# output in LOG, listening on PORT on return; its pid (nsenter's, which
# execs it) in $srv.
serve_in() {
    ns=$1 log=$2 port=$3
    shift 3
    nsenter -t "$ns" -n -- "$@" >"$log" 2>&1 &
    srv=$!
    i=0
    until nsenter -t "$ns" -n ss -Hltn "sport = :$port" | grep -q .; do
        [ $i -lt 100 ] || { echo "nothing listens on port $port"; return 1; }
        sleep 0.05
        i=$((i + 1))
    done
}

base=$(profile base.yaml <<EOF
rootfs: $ROOTFS
hostname: web
EOF
)

# What the container's resolv.conf must say: the host's servers but loopback ones.
host_servers() {
    awk '$1 == "nameserver" && $2 !~ /^127\./ && $2 != "::1" {print "nameserver " $2}' /etc/resolv.conf
}

test_inside() {
    p=$(profile inside.yaml <<EOF
include: $base
network: bridge
command: [sh, -c, "ip -4 addr show eth0; ip route; echo ==; cat /etc/resolv.conf; echo ==; cat /etc/hosts"]
EOF
)
    out=$(congo "$p") || { echo "$out"; return 1; }
    echo "$out" | grep -q "inet 10.89.0.2/24" || { echo "no address 10.89.0.2/24: $out"; return 1; }
    echo "$out" | grep -q "^default via 10.89.0.1 dev eth0" || { echo "no default route: $out"; return 1; }
    resolv=$(echo "$out" | awk '/^==/{n++; next} n==1 && /^nameserver/')
    expect_eq "$(host_servers)" "$resolv" "resolv.conf's name servers" || return 1
    echo "$out" | grep -q "^10.89.0.2	web$" || { echo "/etc/hosts lacks 10.89.0.2 web: $out"; return 1; }
    # The root's own files are untouched: the container's are bound over them.
    [ ! -e "$ROOTFS/etc/resolv.conf" ] || ! grep -q "made by congo" "$ROOTFS/etc/resolv.conf"
}

# eth0 is wired while the container's root is assembled: a parameter of
# eth0's waits for it.
test_eth0_sysctl() {
    p=$(profile eth0-sysctl.yaml <<EOF
include: $base
network: bridge
sysctl: {net.ipv4.conf.eth0.accept_local: "1", net.ipv4.conf.eth0.arp_announce: "2"}
command: [cat, /proc/sys/net/ipv4/conf/eth0/accept_local, /proc/sys/net/ipv4/conf/eth0/arp_announce]
EOF
)
    out=$(congo "$p" 2>&1) || { echo "$out"; return 1; }
    expect_eq "1
2" "$out" "eth0's parameters"
}

test_dns_conf() {
    # The same key in libconfig's format, with servers of the profile's own.
    p=$(profile dns.conf <<EOF
include = "$base";
network = { mode = "bridge"; dns = ["192.0.2.53", "2001:db8::53"]; };
command = ["cat", "/etc/resolv.conf"];
EOF
)
    out=$(congo "$p") || { echo "$out"; return 1; }
    expect_eq "nameserver 192.0.2.53
nameserver 2001:db8::53" "$(echo "$out" | grep nameserver)" "resolv.conf"
}

# A web server of the test namespace, on the bridge's gateway.
test_to_gateway() {
    mkdir -p "$WORK/www"
    echo "from the gateway" >"$WORK/www/index.html"
    serve_in "$NS" "$WORK/httpd.log" 8000 "$BB" httpd -f -p 10.89.0.1:8000 -h "$WORK/www"
    p=$(profile gw.yaml <<EOF
include: $base
network: bridge
command: [wget, -qO-, http://10.89.0.1:8000/]
EOF
)
    out=$(congo "$p")
    st=$?
    kill "$srv"
    expect_eq 0 "$st" "status" && expect_eq "from the gateway" "$out" "page"
}

# A detached server container; waits until its port answers. NAME ADDRESS PORTS CMD
serve() {
    name=$1 address=$2 ports=$3
    shift 3
    p=$(profile "$name.yaml" <<EOF
include: $base
name: $name
network: {mode: bridge, address: $address, ports: [$ports]}
command: [sh, -c, "mkdir -p /www && echo $name >/www/index.html && exec httpd -f -p 80 -h /www"]
EOF
)
    congo --detach "$p" >/dev/null || return 1
}

stop() {
    in_ns "$CONGO" --stop "$1" >/dev/null 2>&1
}

wait_http() { # URL: wait up to 5 s for a page, print it
    i=0
    while [ $i -lt 50 ]; do
        page=$(in_ns curl -sf -m 1 "$1" 2>/dev/null) && { echo "$page"; return 0; }
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

test_container_to_container() {
    serve web1 10.89.0.50 "" || return 1
    wait_http http://10.89.0.50/ >/dev/null || { stop web1; echo "web1 never answered"; return 1; }
    p=$(profile client.yaml <<EOF
include: $base
network: bridge
command: [wget, -qO-, http://10.89.0.50/]
EOF
)
    out=$(congo "$p")
    st=$?
    stop web1
    expect_eq 0 "$st" "status" && expect_eq web1 "$out" "page"
}

test_published_port() {
    serve web2 auto '"8080:80", "127.0.0.1:8081:80"' || return 1
    lo=$(wait_http http://127.0.0.1:8080/) || { stop web2; echo "not on 127.0.0.1:8080"; return 1; }
    at=$(wait_http http://127.0.0.1:8081/)
    other=$(wait_http http://192.0.2.1:8080/)
    # From the other namespace: through prerouting, as from another machine.
    ext=$(in_ext curl -sf -m 2 http://192.0.2.1:8080/ 2>&1)
    # 8081 is published on 127.0.0.1 alone.
    not=$(in_ext curl -sf -m 2 http://192.0.2.1:8081/ 2>&1) && not=reached || not=
    # Another container through the host's address: its answer must come back by the host.
    p=$(profile hairpin.yaml <<EOF
include: $base
network: bridge
command: [timeout, "5", wget, -qO-, "http://192.0.2.1:8080/"]
EOF
)
    hairpin=$(congo "$p" 2>&1)
    stop web2
    expect_eq web2 "$lo" "127.0.0.1:8080" && expect_eq web2 "$at" "127.0.0.1:8081" &&
        expect_eq web2 "$other" "192.0.2.1:8080" && expect_eq web2 "$ext" "from ext" &&
        expect_eq "" "$not" "192.0.2.1:8081 from ext" &&
        expect_eq web2 "$hairpin" "192.0.2.1:8080 from another container"
}

# A neighbour that routes the subnet through the host reaches no
# container's port that is not published.
test_forward_filter() {
    serve web3 10.89.0.60 "" || return 1
    wait_http http://10.89.0.60/ >/dev/null || { stop web3; echo "web3 never answered"; return 1; }
    in_ext ip route add 10.89.0.0/24 via 192.0.2.1
    got=$(in_ext curl -sf -m 2 http://10.89.0.60/ 2>&1) && got="reached: $got" || got=
    in_ext ip route del 10.89.0.0/24 via 192.0.2.1
    stop web3
    expect_eq "" "$got" "an unpublished port from ext"
}

# An image whose /etc/resolv.conf is a symbolic link to nowhere (as
# systemd's point at the resolver's): the container gets congo's file, and
# the layer keeps its link.
test_resolv_symlink() {
    mkdir -p "$WORK/layer/etc"
    ln -sf ../run/systemd/resolve/stub-resolv.conf "$WORK/layer/etc/resolv.conf"
    p=$(profile symlink.yaml <<EOF
include: $base
layers: [$WORK/layer]
network: {mode: bridge, dns: [192.0.2.53]}
command: [cat, /etc/resolv.conf]
EOF
)
    out=$(congo "$p" 2>&1) || { echo "$out"; return 1; }
    echo "$out" | grep -qx "nameserver 192.0.2.53" || { echo "$out"; return 1; }
    expect_eq ../run/systemd/resolve/stub-resolv.conf "$(readlink "$WORK/layer/etc/resolv.conf")" \
        "the layer's link"
}

# A container on NETWORK fetches TEXT from a web server in ext, on PORT: ext
# has no route to any container's subnet, so only the masquerade lets the
# connection through.
send_out() { # NAME PORT NETWORK TEXT
    mkdir -p "$WORK/$1.www"
    echo "$4" >"$WORK/$1.www/index.html"
    serve_in "$EXT" "$WORK/$1.log" "$2" "$BB" httpd -f -p "$2" -h "$WORK/$1.www" || return 1
    p=$(profile "$1.yaml" <<EOF
include: $base
network: $3
command: [wget, -qO-, "http://192.0.2.2:$2/"]
EOF
)
    run=$(congo "$p" 2>&1)
    st=$?
    kill "$srv" 2>/dev/null
    expect_eq 0 "$st" "status" && expect_eq "$4" "$run" "the page from ext"
}

test_masquerade() {
    send_out out 7000 bridge hello
}

# A host whose iptables FORWARD policy is DROP: the bridge's traffic still passes.
test_forward_drop() {
    in_ns iptables -w -P FORWARD DROP || return 1
    # A new bridge, set up under that policy (as on a host where Docker started first).
    send_out fwd 7001 "{mode: bridge, bridge: congo-fwd, subnet: 10.89.7.0/24}" through
    st=$?
    rules=$(in_ns iptables -w -S FORWARD)
    in_ns iptables -w -P FORWARD ACCEPT
    [ $st = 0 ] && echo "$rules" | grep -q -- "-A FORWARD -i congo-fwd -j ACCEPT"
}

# Twenty launchers at once, each container holding its address until all
# twenty have said theirs: then none has ended and given its address back.
test_concurrent() {
    mkdir -p "$WORK/bar"
    p=$(profile many.yaml <<EOF
include: $base
network: bridge
mounts:
  - $WORK/bar:/bar:ro
command: [sh, -c, "ip -4 -o addr show eth0; while [ ! -e /bar/go ]; do sleep 0.1; done"]
EOF
)
    i=0
    while [ $i -lt 20 ]; do
        congo "$p" >"$WORK/out-many.$i" 2>&1 &
        i=$((i + 1))
    done
    i=0
    while [ $i -lt 600 ] && [ "$(cat "$WORK"/out-many.* | grep -c inet)" -lt 20 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    addrs=$(cat "$WORK"/out-many.* | awk '/inet/ {print $4}' | sort -u | wc -l)
    touch "$WORK/bar/go"
    wait
    expect_eq 20 "$addrs" "distinct addresses" || { cat "$WORK"/out-many.*; return 1; }
}

# Nothing of the containers left: the kernel removes a veth with its
# container's namespace, a moment after the container ends.
nothing_left() {
    i=0
    while [ $i -lt 50 ] && [ "$(leftovers)" != "links=[] leases=[] elements=0" ]; do
        sleep 0.1
        i=$((i + 1))
    done
    expect_eq "links=[] leases=[] elements=0" "$(leftovers)" "left behind"
}

leftovers() {
    links=$(in_ns ip -o link show | awk -F': ' '{print $2}' | grep '^cg' || true)
    leases=$(ls "$CONGO_STATE_DIR/net/congo0" 2>/dev/null)
    elements=$(in_ns nft list table ip congo 2>/dev/null | grep -c 'elements = ' || true)
    echo "links=[$links] leases=[$leases] elements=$elements"
}

# kill_launcher PROFILE PORT: a run of PROFILE, its launcher killed with
# SIGKILL once the container's published PORT is in the maps.
kill_launcher() {
    congo "$1" >/dev/null 2>&1 &
    runner=$!
    i=0
    while [ $i -lt 50 ] && ! in_ns nft list map ip congo ports 2>/dev/null | grep -q "$2"; do
        sleep 0.1
        i=$((i + 1))
    done
    # nsenter runs the launcher as its child: kill the launcher itself.
    pid=$(pgrep -P "$runner" -f congo-launch | head -n 1)
    [ -n "$pid" ] || { echo "no launcher found"; return 1; }
    kill -KILL "$pid"
    wait "$runner" 2>/dev/null
    return 0
}

test_sigkill() {
    p=$(profile kill.yaml <<EOF
include: $base
network: {mode: bridge, ports: ["9090:80"]}
command: [sleep, "100"]
EOF
)
    kill_launcher "$p" 9090 || return 1
    p2=$(profile after.yaml <<EOF
include: $base
network: bridge
command: ["true"]
EOF
)
    congo "$p2" || return 1
    nothing_left
}

# A launcher killed on one bridge leaves its published port in the maps all
# bridges share: a run on another bridge that publishes it takes it over.
test_sigkill_other_bridge() {
    p=$(profile kill-a.yaml <<EOF
include: $base
network: {mode: bridge, bridge: congo-a, subnet: 10.89.5.0/24, ports: ["9091:80"]}
command: [sleep, "100"]
EOF
)
    kill_launcher "$p" 9091 || return 1
    p2=$(profile take.yaml <<EOF
include: $base
network: {mode: bridge, ports: ["9091:80"]}
command: ["true"]
EOF
)
    out=$(congo "$p2" 2>&1) || { echo "$out"; return 1; }
    expect_eq "" "$(ls "$CONGO_STATE_DIR/net/congo-a")" "congo-a's leases" && nothing_left
}

test_full() {
    p=$(profile full.yaml <<EOF
include: $base
network: {mode: bridge, bridge: congo-full, subnet: 10.89.9.0/30}
command: [sleep, "100"]
EOF
)
    congo --detach "$p" >/dev/null || return 1
    out=$(congo "$p" 2>&1)
    st=$?
    in_ns "$CONGO" --stop full >/dev/null 2>&1
    expect_eq 125 "$st" "status" || return 1
    echo "$out" | grep -qF "network.subnet: 10.89.9.0/30 is full: running containers hold each of its container addresses, 10.89.9.2 to 10.89.9.2 (1 in all; leases in \`$CONGO_STATE_DIR/net/congo-full\`); give a larger subnet" ||
        { echo "$out"; return 1; }
}

test_port_taken() {
    serve_in "$NS" /dev/null 8082 "$BB" nc -l -p 8082 || return 1
    p=$(profile taken.yaml <<EOF
include: $base
network: {mode: bridge, ports: ["8082:80"]}
command: ["true"]
EOF
)
    out=$(congo "$p" 2>&1)
    st=$?
    kill "$srv" 2>/dev/null
    expect_eq 125 "$st" "status" || return 1
    echo "$out" | grep -q "host port 8082/tcp is taken" || { echo "$out"; return 1; }
    nothing_left
}

test_not_a_bridge() {
    p=$(profile notbr.yaml <<EOF
include: $base
network: {mode: bridge, bridge: ext0, subnet: 10.89.8.0/24}
command: ["true"]
EOF
)
    out=$(congo "$p" 2>&1)
    st=$?
    expect_eq 125 "$st" "status" || return 1
    echo "$out" | grep -q "the host's link \`ext0\` is not a bridge" || { echo "$out"; return 1; }
}

# A read-only root cannot take a file where the image has none: a clear
# refusal, and nothing of the run left.
test_readonly_root() {
    p=$(profile ro.yaml <<EOF
include: $base
readonly_rootfs: true
network: bridge
command: ["true"]
EOF
)
    [ ! -e "$ROOTFS/etc/resolv.conf" ] || { echo "the test root has an /etc/resolv.conf"; return 1; }
    out=$(congo "$p" 2>&1)
    st=$?
    expect_eq 125 "$st" "status" || { echo "$out"; return 1; }
    echo "$out" | grep -q "network: \`/etc/resolv.conf\` in a read-only root (readonly_rootfs) is missing" ||
        { echo "$out"; return 1; }
    nothing_left
}

test_nothing_left() {
    nothing_left
}

# --- pasta, for a user other than root ---
# A test user of this file's own, with a subordinate range. pasta opens
# /dev/net/tun; where the host's is root's alone (mode 0600), the launcher
# runs in a mount namespace of the test's own, where a node of the test's
# making (on a tmpfs in WORK) is bound over it.
TU=congont$$
SUB=720896
COUNT=65536
pasta_missing=
for tool in pasta useradd usermod userdel setpriv unshare; do
    command -v "$tool" >/dev/null || { pasta_missing="no $tool on this host"; break; }
done
[ -n "$pasta_missing" ] || pasta_missing=$(test_user_add "$TU" "$SUB" "$COUNT")
on_exit() {
    kill "$NS" "$EXT" 2>/dev/null
    kill_detached
    test_user_remove "$TU" "$SUB" "$COUNT"
    cleanup_work
}
trap on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
RL=$WORK/rootless
if [ -z "$pasta_missing" ]; then
    chmod 0711 "$WORK"
    mkdir -p "$RL/state" "$WORK/tundev"
    chown "$TU:$TU" "$RL/state"
    chmod 0700 "$RL/state"
    cp "$CONGO" "$RL/congo-launch"
    cp -a "$ROOTFS" "$RL/rootfs"
    # The user's own root, as scripts/mkrootfs.sh run by a user makes it.
    chown -R "$TU:$TU" "$RL/rootfs"
    chmod 0755 "$RL"
fi
# The test namespace's default route leads to ext, which has none: pasta
# needs one to copy, and nothing can leave through it.
in_ns ip route add default via 192.0.2.2

# as_user_pasta PROFILE: the launcher as the test user, in the test's network namespace.
as_user_pasta() {
    in_ns unshare -m sh -c '
        mount -t tmpfs -o mode=0755 tmpfs "$1" && mknod -m 0666 "$1/tun" c 10 200 &&
            mount --bind "$1/tun" /dev/net/tun || exit 125
        shift
        exec setpriv --reuid="$TU" --regid="$TU" --init-groups \
            env CONGO_STATE_DIR="$RL/state" "$RL/congo-launch" "$@"' sh "$WORK/tundev" "$@"
}
export TU RL

test_pasta() {
    p=$(profile pasta.yaml <<EOF
rootfs: $RL/rootfs
network: {mode: pasta, ports: ["8090:80", "127.0.0.1:8092:80"]}
command: [sh, -c, "ip -4 addr show; ip route; mkdir -p /www && echo pasta >/www/index.html && (echo out | nc 192.0.2.3 7003); httpd -f -p 80 -h /www & sleep 3"]
EOF
)
    chmod 0644 "$p"
    serve_in "$EXT" "$WORK/pasta-ext.out" 7003 "$BB" nc -l -p 7003 || return 1
    as_user_pasta "$p" >"$WORK/pasta.out" 2>&1 &
    runner=$!
    page=$(wait_http http://127.0.0.1:8090/)
    at=$(wait_http http://127.0.0.1:8092/)
    not=$(in_ns curl -sf -m 1 http://192.0.2.1:8092/ 2>&1) && not=reached || not=
    wait "$runner"
    st=$?
    kill "$srv" 2>/dev/null
    out=$(cat "$WORK/pasta.out")
    expect_eq 0 "$st" "status" || { echo "$out"; return 1; }
    echo "$out" | grep -q "inet 192.0.2.1/24" || { echo "no address copied: $out"; return 1; }
    echo "$out" | grep -q "^default via 192.0.2.2" || { echo "no default route: $out"; return 1; }
    expect_eq out "$(cat "$WORK/pasta-ext.out")" "what ext received" || { echo "$out"; return 1; }
    expect_eq pasta "$page" "the published port" &&
        expect_eq pasta "$at" "the port published on 127.0.0.1" &&
        expect_eq "" "$not" "that port on another address" || return 1
    # pasta ran as the user, and is gone with the container.
    left=$(pgrep -u "$TU" pasta)
    expect_eq "" "$left" "pasta left running" &&
        expect_eq "" "$(ls "$RL/state/net/pasta" 2>/dev/null)" "pasta leases"
}

# A user's launcher killed with SIGKILL leaves its pasta running, holding
# the published port: the user's next pasta run stops it and takes the port.
test_pasta_sigkill() {
    p=$(profile pasta-kill.yaml <<EOF
rootfs: $RL/rootfs
network: {mode: pasta, ports: ["8091:80"]}
command: [sleep, "100"]
EOF
)
    chmod 0644 "$p"
    as_user_pasta "$p" >"$WORK/pasta-kill.out" 2>&1 &
    runner=$!
    i=0
    until old=$(pgrep -u "$TU" -f 'pasta --config-net'); do
        [ $i -lt 100 ] || { echo "no pasta started: $(cat "$WORK/pasta-kill.out")"; return 1; }
        sleep 0.1
        i=$((i + 1))
    done
    launcher=$(pgrep -u "$TU" -x congo-launch)
    [ -n "$launcher" ] || { echo "no launcher found"; return 1; }
    kill -KILL "$launcher"
    wait "$runner" 2>/dev/null
    kill -0 "$old" 2>/dev/null || { echo "pasta $old died with its launcher: nothing to test"; return 1; }
    p2=$(profile pasta-next.yaml <<EOF
rootfs: $RL/rootfs
network: {mode: pasta, ports: ["8091:80"]}
command: ["true"]
EOF
)
    chmod 0644 "$p2"
    out=$(as_user_pasta "$p2" 2>&1) || { echo "$out"; return 1; }
    expect_eq "" "$(pgrep -u "$TU" pasta)" "pasta left running" &&
        expect_eq "" "$(ls "$RL/state/net/pasta" 2>/dev/null)" "pasta leases"
}

test_bridge_rootless() {
    p=$(profile rl-bridge.yaml <<EOF
rootfs: $RL/rootfs
network: bridge
command: ["true"]
EOF
)
    chmod 0644 "$p"
    out=$(as_user_pasta "$p" 2>&1)
    st=$?
    expect_eq 125 "$st" "status" || return 1
    echo "$out" | grep -q "network: bridge needs root" || { echo "$out"; return 1; }
}

plan 21
t "bridge: the address, route, resolv.conf and hosts inside" test_inside
t "bridge: network.dns in libconfig's format" test_dns_conf
t "bridge: sysctl of eth0's parameters" test_eth0_sysctl
t "bridge: TCP from the container to the gateway" test_to_gateway
t "bridge: TCP from container to container" test_container_to_container
t "bridge: published ports from loopback, the host's address and another namespace" test_published_port
t "bridge: out through the masquerade" test_masquerade
t "bridge: an unpublished port is not reached by routing through the host" test_forward_filter
t "bridge: resolv.conf over an image's symbolic link, the image untouched" test_resolv_symlink
iptables_missing=
command -v iptables >/dev/null || iptables_missing="no iptables on this host"
t_unless "$iptables_missing" "bridge: a FORWARD policy of DROP is opened for the bridge" test_forward_drop
t "bridge: 20 concurrent starts get 20 addresses" test_concurrent
t "bridge: a launcher killed with SIGKILL leaves nothing after the next run" test_sigkill
t "bridge: a port of a launcher killed on another bridge is taken over" test_sigkill_other_bridge
t "bridge: a full subnet is 125 with a message" test_full
t "bridge: a host port already taken is 125 with a message" test_port_taken
t "bridge: a host link that is not a bridge is refused" test_not_a_bridge
t_unless "$pasta_missing" "pasta: a user's container reaches out and publishes a port" test_pasta
t_unless "$pasta_missing" "pasta: a killed launcher's pasta is stopped by the next run" test_pasta_sigkill
t_unless "$pasta_missing" "bridge: refused to a user other than root, pointing at pasta" test_bridge_rootless
t "bridge: a read-only root without /etc/resolv.conf is refused" test_readonly_root
t "bridge: no veth, lease or port rule is left" test_nothing_left
finish
