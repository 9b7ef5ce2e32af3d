#!/bin/sh
# network: bridge and pasta. Every packet stays inside namespaces this file
# makes: the launcher runs in a network namespace of the test's own (its
# own loopback, bridge, nftables table and iptables chains), joined to one
# more, "ext", by a veth pair, and no namespace has a route anywhere else.
# The namespaces live as long as the sleeps that hold them; the file kills
# those (by pid) on its way out, and with them every link and rule.
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
in_ext ip link set ext1 up

# The launcher, in the test's namespace.
congo() { in_ns "$CONGO" "$@"; }
# A server in namespace NS (the holder's pid), in the background, its output
# in LOG; its pid (nsenter's, which execs it) in $srv.
serve_in() {
    ns=$1 log=$2
    shift 2
    nsenter -t "$ns" -n -- "$@" >"$log" 2>&1 &
    srv=$!
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
    serve_in "$NS" "$WORK/httpd.log" "$BB" httpd -f -p 10.89.0.1:8000 -h "$WORK/www"
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
    stop web2
    expect_eq web2 "$lo" "127.0.0.1:8080" && expect_eq web2 "$at" "127.0.0.1:8081" &&
        expect_eq web2 "$other" "192.0.2.1:8080" && expect_eq web2 "$ext" "from ext" &&
        expect_eq "" "$not" "192.0.2.1:8081 from ext"
}

# A container on NETWORK sends TEXT to ext's port PORT: ext has no route to
# any container's subnet, so only the masquerade lets the connection through.
send_out() { # NAME PORT NETWORK TEXT
    serve_in "$EXT" "$WORK/$1.out" "$BB" nc -l -p "$2"
    sleep 0.2
    p=$(profile "$1.yaml" <<EOF
include: $base
network: $3
command: [sh, -c, "echo $4 | nc 192.0.2.2 $2"]
EOF
)
    congo "$p"
    st=$?
    sleep 0.2
    kill "$srv" 2>/dev/null
    expect_eq 0 "$st" "status" && expect_eq "$4" "$(cat "$WORK/$1.out")" "what ext received"
}

test_masquerade() {
    send_out out 7000 bridge hello
}

# A host whose iptables FORWARD policy is DROP: the bridge's traffic still passes.
test_forward_drop() {
    command -v iptables >/dev/null || { echo "no iptables"; return 1; }
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

leftovers() {
    links=$(in_ns ip -o link show | awk -F': ' '{print $2}' | grep '^cg' || true)
    leases=$(ls "$CONGO_STATE_DIR/net/congo0" 2>/dev/null)
    elements=$(in_ns nft list table ip congo 2>/dev/null | grep -c 'elements = ' || true)
    echo "links=[$links] leases=[$leases] elements=$elements"
}

test_sigkill() {
    p=$(profile kill.yaml <<EOF
include: $base
network: {mode: bridge, ports: ["9090:80"]}
command: [sleep, "100"]
EOF
)
    congo "$p" >/dev/null 2>&1 &
    launcher=$!
    i=0
    while [ $i -lt 50 ] && ! in_ns ip -o link show | grep -q ': cg'; do
        sleep 0.1
        i=$((i + 1))
    done
    # nsenter runs the launcher as its child: kill the launcher itself.
    pid=$(pgrep -P "$launcher" -f congo-launch | head -n 1)
    [ -n "$pid" ] || { echo "no launcher found"; return 1; }
    kill -KILL "$pid"
    wait "$launcher" 2>/dev/null
    p2=$(profile after.yaml <<EOF
include: $base
network: bridge
command: ["true"]
EOF
)
    congo "$p2" || return 1
    # The killed one's veth may take the kernel a moment to free with its namespace.
    i=0
    while [ $i -lt 50 ] && [ "$(leftovers)" != "links=[] leases=[] elements=0" ]; do
        sleep 0.1
        i=$((i + 1))
    done
    expect_eq "links=[] leases=[] elements=0" "$(leftovers)" "left behind"
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
    echo "$out" | grep -q "network.subnet: 10.89.9.0/30 is full" || { echo "$out"; return 1; }
}

test_port_taken() {
    serve_in "$NS" /dev/null "$BB" nc -l -p 8082
    sleep 0.2
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
    expect_eq "links=[] leases=[] elements=0" "$(leftovers)" "left behind"
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

test_nothing_left() {
    expect_eq "links=[] leases=[] elements=0" "$(leftovers)" "left behind"
}

plan 13
t "bridge: the address, route, resolv.conf and hosts inside" test_inside
t "bridge: network.dns in libconfig's format" test_dns_conf
t "bridge: TCP from the container to the gateway" test_to_gateway
t "bridge: TCP from container to container" test_container_to_container
t "bridge: published ports from loopback, the host's address and another namespace" test_published_port
t "bridge: out through the masquerade" test_masquerade
t "bridge: a FORWARD policy of DROP is opened for the bridge" test_forward_drop
t "bridge: 20 concurrent starts get 20 addresses" test_concurrent
t "bridge: a launcher killed with SIGKILL leaves nothing after the next run" test_sigkill
t "bridge: a full subnet is 125 with a message" test_full
t "bridge: a host port already taken is 125 with a message" test_port_taken
t "bridge: a host link that is not a bridge is refused" test_not_a_bridge
t "bridge: no veth, lease or port rule is left" test_nothing_left
finish
