#!/bin/sh
# The network key as a profile says it, in YAML and libconfig: every mistake
# refused before anything runs, at its file, line and key, with status 1;
# good profiles accepted; the layers merged; --print and --print-cli giving
# back the same profile; network host and namespaces.net one thing; and an
# OCI export refused for the networks congo sets up itself. Nothing here
# starts a container: no network of the host is touched.
. "$(dirname "$0")/lib.sh"

plan 19

unknown_field() {
    both field "rootfs: /r
network:
  mode: bridge
  subnett: 10.0.0.0/8
" 'rootfs = "/r";
network = {
  mode = "bridge";
  sbunet = "10.0.0.0/8";
};
' "%s:4:3: error: network.subnett: unknown network field; did you mean \`subnet\`?" \
        "%s:4: error: network.sbunet: unknown network field; did you mean \`subnet\`?"
}
t "an unknown field of network, with a suggestion" unknown_field

unknown_mode() {
    both mode "rootfs: /r
network: bridged
" 'rootfs = "/r";
network = { mode = "slirp"; };
' "%s:2:10: error: network: \`bridged\` is not a network mode: none, host, bridge or pasta; did you mean \`bridge\`?" \
        "%s:2: error: network.mode: \`slirp\` is not a network mode: none, host, bridge or pasta"
}
t "an unknown mode, with a suggestion for a near miss" unknown_mode

bad_values() {
    both subnet "rootfs: /r
network:
  mode: bridge
  subnet: 10.89.0.1/24
" 'rootfs = "/r";
network = {
  mode = "bridge";
  subnet = "10.89.0.0/31";
};
' "%s:4:11: error: network.subnet: \`10.89.0.1/24\` is an address inside a network, not the network: did you mean 10.89.0.0/24?" \
        "%s:4: error: network.subnet: /31 in \`10.89.0.0/31\`: a bridge's subnet is /8 to /30 (room for its gateway and at least one container)" ||
        return 1
    both bridge "rootfs: /r
network: {mode: bridge, bridge: \"x;reboot\"}
" 'rootfs = "/r";
network = { mode = "bridge"; bridge = "a-bridge-name-too-long"; };
' "%s:2:33: error: network.bridge: \`x;reboot\` is not a bridge name: 1 to 15 of A-Z a-z 0-9 _ . -, not starting with \`-\`, not \`.\` or \`..\`" \
        "%s:2: error: network.bridge: \`a-bridge-name-too-long\` is not a bridge name: 1 to 15 of A-Z a-z 0-9 _ . -, not starting with \`-\`, not \`.\` or \`..\`" ||
        return 1
    both address "rootfs: /r
network:
  mode: bridge
  address: 10.89.0.256
" 'rootfs = "/r";
network = {
  mode = "bridge";
  address = "automatic";
};
' "%s:4:12: error: network.address: \`10.89.0.256\` is not an IPv4 address (four numbers 0-255, such as 10.89.0.7), or auto" \
        "%s:4: error: network.address: \`automatic\` is not an IPv4 address (four numbers 0-255, such as 10.89.0.7), or auto"
}
t "a subnet that is not a network, a bad bridge name, an address that is not one" bad_values

address_in_subnet() {
    both outside "rootfs: /r
network:
  mode: bridge
  address: 10.90.0.3
" 'rootfs = "/r";
network = {
  mode = "bridge";
  subnet = "10.90.0.0/24";
  address = "10.90.0.1";
};
' "%s:4: error: network.address: \`10.90.0.3\` is outside the subnet 10.89.0.0/24 (the default); a container's address is one of 10.89.0.2 to 10.89.0.254" \
        "%s:5: error: network.address: \`10.90.0.1\` is the gateway, the bridge's own address in the subnet 10.90.0.0/24; a container's address is one of 10.90.0.2 to 10.90.0.254
%s:4: note: network.subnet: set here" || return 1
    both edges "rootfs: /r
network:
  mode: bridge
  address: 10.89.0.0
" 'rootfs = "/r";
network = {
  mode = "bridge";
  address = "10.89.0.255";
};
' "%s:4: error: network.address: \`10.89.0.0\` is the network address of the subnet 10.89.0.0/24 (the default); a container's address is one of 10.89.0.2 to 10.89.0.254" \
        "%s:4: error: network.address: \`10.89.0.255\` is the broadcast address of the subnet 10.89.0.0/24 (the default); a container's address is one of 10.89.0.2 to 10.89.0.254"
}
t "an address outside the subnet, or its network, gateway or broadcast address" address_in_subnet

bad_ports() {
    both port "rootfs: /r
network:
  mode: bridge
  ports:
    - \"8080:80\"
    - \"70000:80\"
" 'rootfs = "/r";
network = {
  mode = "pasta";
  ports = [ "8080:80",
    "8080" ];
};
' "%s:6:7: error: network.ports[1]: host port \`70000\` in \`70000:80\` is not a port 1-65535" \
        "%s:5: error: network.ports[1]: \`8080\` is not a published port: write HOST_PORT:CONTAINER_PORT, optionally HOST_ADDRESS: in front and /udp after" ||
        return 1
    both proto "rootfs: /r
network: {mode: bridge, ports: [\"0.0.0.0:80:80\"]}
" 'rootfs = "/r";
network = { mode = "bridge"; ports = [ "53:53/sctp" ]; };
' "%s:2:33: error: network.ports[0]: 0.0.0.0 in \`0.0.0.0:80:80\`: leave the host address out to publish on every address" \
        "%s:2: error: network.ports[0]: \`/sctp\` in \`53:53/sctp\` is not a protocol: /tcp or /udp"
}
t "a port that does not parse or is out of range" bad_ports

duplicate_port() {
    both dup "rootfs: /r
network:
  mode: bridge
  ports:
    - \"8080:80\"
    - \"53:53/udp\"
    - \"127.0.0.1:8080:81\"
" 'rootfs = "/r";
network = {
  mode = "pasta";
  ports = [ "10.0.0.1:53:53/udp",
    "53:5353/udp" ];
};
' "%s:7:7: error: network.ports[2]: duplicate host port: \`127.0.0.1:8080:81\` takes host port 8080/tcp as \`8080:80\` does
%s:5: note: the first is here" \
        "%s:5: error: network.ports[1]: duplicate host port: \`53:5353/udp\` takes host port 53/udp as \`10.0.0.1:53:53/udp\` does
%s:4: note: the first is here" || return 1
    # tcp and udp, or two host addresses, are different host ports.
    p=$(profile nodup.yaml <<EOF
rootfs: /r
network:
  mode: bridge
  ports: ["53:53", "53:53/udp", "127.0.0.1:80:80", "127.0.0.2:80:80/tcp"]
EOF
)
    "$CONGO" --check "$p"
}
t "two ports of one file on the same host port are an error; tcp and udp are not" duplicate_port

bad_dns() {
    both dns "rootfs: /r
network:
  mode: bridge
  dns: [192.0.2.53, 1.1.1]
" 'rootfs = "/r";
network = {
  mode = "bridge";
  dns = [ "2001:db8::53", "ns1.example" ];
};
' "%s:4:21: error: network.dns[1]: \`1.1.1\` is not an IP address: IPv4 such as 192.0.2.53, or IPv6 such as 2001:db8::53" \
        "%s:4: error: network.dns[1]: \`ns1.example\` is not an IP address: IPv4 such as 192.0.2.53, or IPv6 such as 2001:db8::53"
}
t "a name server that is not an IP address" bad_dns

fields_of_another_mode() {
    both pasta "rootfs: /r
network:
  mode: pasta
  subnet: 10.90.0.0/24
" 'rootfs = "/r";
network = {
  mode = "host";
  bridge = "br1";
};
' "%s:4: error: network.subnet: a subnet is for network bridge only; network is pasta
%s:3: note: network: set here" \
        "%s:4: error: network.bridge: a bridge is for network bridge only; network is host
%s:3: note: network: set here" || return 1
    p=$(profile address-none.yaml <<EOF
rootfs: /r
network: {address: 10.89.0.9}
EOF
)
    refused "$p" "$p:2: error: network.address: an address is for network bridge only; network is none (the default)"
}
t "bridge, subnet and address with another mode than bridge" fields_of_another_mode

ports_need_a_network() {
    both publish "rootfs: /r
network:
  ports: [\"8080:80\"]
" 'rootfs = "/r";
network = {
  mode = "host";
  ports = [ "8080:80" ];
};
' "%s:3: error: network.ports: publishing a port needs network bridge or pasta; network is none (the default)" \
        "%s:4: error: network.ports: publishing a port needs network bridge or pasta; network is host
%s:3: note: network: set here"
}
t "published ports with network none or host" ports_need_a_network

host_and_namespace() {
    both hostns "rootfs: /r
network: host
namespaces: {net: true}
" 'rootfs = "/r";
namespaces = { net = "/run/netns/blue"; };
network = "host";
' "%s:3: error: namespaces.net: network host is the host's network namespace, and namespaces.net asks for a new one; drop one of the two
%s:2: note: network: set here" \
        "%s:3: error: network: network host is the host's network namespace, and namespaces.net joins another; drop one of the two
%s:2: note: namespaces.net: set here" || return 1
    both bridgens "rootfs: /r
namespaces: {net: false}
network: bridge
" 'rootfs = "/r";
network = "pasta";
namespaces = { net = "/run/netns/blue"; };
' "%s:3: error: network: network bridge needs a network namespace of the container's own, and namespaces.net false is the host's; drop one of the two, or write network host
%s:2: note: namespaces.net: set here" \
        "%s:3: error: namespaces.net: network pasta sets up a network namespace of the container's own, and namespaces.net joins \`/run/netns/blue\`, which is set up already; drop one of the two
%s:2: note: network: set here"
}
t "network and namespaces.net that contradict each other name both keys" host_and_namespace

layers_across_files() {
    base=$(profile base.conf <<EOF
rootfs = "$ROOTFS";
network = {
  mode = "bridge";
  subnet = "10.90.0.0/24";
  ports = [ "8080:80", "53:53/udp" ];
  dns = [ "192.0.2.1", "192.0.2.2" ];
};
EOF
)
    top=$(profile top.yaml <<EOF
include: base.conf
network:
  address: 10.90.0.9
  ports: ["127.0.0.1:8080:81", "9000:90"]
  dns: ["2001:db8::53"]
EOF
)
    out=$("$CONGO" --print --show-origin "$top" | sed -n '/^network:/,/^[a-z#]/p') || return 1
    expect_eq "network:
  mode: bridge  # $base:3
  subnet: 10.90.0.0/24  # $base:4
  address: 10.90.0.9  # $top:3
  ports:
    - \"127.0.0.1:8080:81\"  # $top:4
    - \"53:53/udp\"  # $base:5
    - \"9000:90\"  # $top:4
  dns: [\"2001:db8::53\"]  # $top:5
# user_namespace: host for root; for another user, its own uid as root and its subordinate ids" "$out" "the merged network" ||
        return 1
    reset=$(profile reset.yaml <<EOF
include: top.yaml
reset: [network]
EOF
)
    out=$("$CONGO" --print --show-origin "$reset" | grep '^network') || return 1
    expect_eq "network: none  # default" "$out" "after reset"
}
t "layers merge by field: later wins, ports added or replaced, dns whole; reset" layers_across_files

good_profiles() {
    y=$(profile good.yaml <<EOF
rootfs: $ROOTFS
network:
  mode: bridge
  bridge: br-web.1
  subnet: 10.90.8.0/22
  address: 10.90.9.200
  ports: ["8080:80", "127.0.0.1:5353:53/udp", "443:8443/tcp"]
  dns: [192.0.2.53, "2001:db8::53"]
EOF
)
    c=$(profile good.conf <<EOF
rootfs = "$ROOTFS";
network = {
  mode = "pasta";
  ports = [ "8080:80", "10.0.0.1:8081:80" ];
};
EOF
)
    h=$(profile good-host.yaml <<EOF
rootfs: $ROOTFS
network: host
namespaces: {net: false}
EOF
)
    n=$(profile good-none.conf <<EOF
rootfs = "$ROOTFS";
network = { mode = "none"; };
namespaces = { net = "/run/netns/blue"; };
EOF
)
    "$CONGO" --check "$y" "$c" "$h" "$n" || return 1
    "$CONGO" --check run "$ROOTFS" - - - - --network mode=bridge,port=8080:80 --network port=9090:90
}
t "--check accepts every mode and field in both formats, and the run form" good_profiles

# round_trip FILE: --print in each format and --print-cli load back to what --print shows.
round_trip() {
    want=$("$CONGO" --print "$1") || return 1
    for fmt in yaml conf; do
        "$CONGO" --print --format $fmt "$1" >"$WORK/copy.$fmt" || return 1
        got=$("$CONGO" --print "$WORK/copy.$fmt" | sed '/^name:/d; /^hostname:/d') || return 1
        expect_eq "$(printf '%s\n' "$want" | sed '/^name:/d; /^hostname:/d')" "$got" "--print --format $fmt of $1, loaded back" ||
            return 1
    done
    cli=$("$CONGO" --print-cli "$1") || return 1
    case $cli in
    *" --network "*) ;;
    *) echo "no --network in: $cli"; return 1 ;;
    esac
    got=$(eval "\"\$CONGO\" --print ${cli#congo-launch }") || return 1
    expect_eq "$want" "$got" "--print of: $cli"
}

print_round_trip() {
    round_trip "$WORK/good.yaml" && round_trip "$WORK/good.conf" && round_trip "$WORK/top.yaml" &&
        round_trip "$WORK/good-host.yaml"
}
t "--print (yaml, conf) and --print-cli load back to the same profile" print_round_trip

print_forms() {
    out=$("$CONGO" --print --format conf "$WORK/good.conf" | sed -n '/^network/,/^};/p')
    expect_eq 'network = {
  mode = "pasta";
  ports = [
    "8080:80",
    "10.0.0.1:8081:80"
  ];
};' "$out" "the map in libconfig" || return 1
    out=$("$CONGO" --print-cli "$WORK/good.yaml")
    case $out in
    *" --network mode=bridge,bridge=br-web.1,subnet=10.90.8.0/22,address=10.90.9.200,port=8080:80,port=127.0.0.1:5353:53/udp,port=443:8443,dns=192.0.2.53,dns=2001:db8::53") ;;
    *) echo "--print-cli: $out"; return 1 ;;
    esac
    p=$(profile scalar.conf <<EOF
rootfs = "$ROOTFS";
network = { mode = "bridge"; subnet = "10.89.0.0/24"; address = "auto"; bridge = "congo0"; };
EOF
)
    expect_eq 'network = "bridge";' "$("$CONGO" --print --format conf "$p" | grep '^network')" "the defaults' literals" ||
        return 1
    expect_eq "congo-launch run $ROOTFS - - - - --name scalar --network bridge" "$("$CONGO" --print-cli "$p")"
}
t "the mode alone when no field differs from its default; the map with the others" print_forms

host_is_no_namespace() {
    out=$("$CONGO" --print --show-origin run "$ROOTFS" - - - - --network host | grep -E '^  net:|^network:')
    expect_eq "  net: false  # command line
network: host  # command line" "$out" "network host" || return 1
    p=$(profile nonet.yaml <<EOF
rootfs: $ROOTFS
namespaces:
  net: false
EOF
)
    out=$("$CONGO" --print --show-origin "$p" | grep -E '^  net:|^network:')
    expect_eq "  net: false  # $p:3
network: host  # $p:3" "$out" "namespaces.net false" || return 1
    out=$("$CONGO" --print-cli "$p")
    expect_eq "congo-launch run $ROOTFS - - - - --name nonet --namespaces net=false --network host" "$out"
}
t "network host is namespaces.net false, and the other way round" host_is_no_namespace

cli_errors() {
    out=$("$CONGO" --check run "$ROOTFS" - - - - --network mode=bridge,ports=80:80 2>&1)
    expect_eq 1 "$?" "status" || return 1
    expect_eq "<command line>: error: network: unknown field \`ports\` in --network value (mode, bridge, subnet, address, port, dns); did you mean \`port\`?" "$out" || return 1
    out=$("$CONGO" --check run "$ROOTFS" - - - - --network port=8080:80,port=abc:80 2>&1)
    expect_eq 1 "$?" "status" || return 1
    expect_eq "<command line>: error: network.ports[1]: host port \`abc\` in \`abc:80\` is not a port 1-65535" "$out"
}
t "--network errors name the field" cli_errors

oci_export() {
    for mode in bridge pasta; do
        p=$(profile "oci-$mode.yaml" <<EOF
rootfs: $ROOTFS
readonly_rootfs: true
init: false
command: [/bin/true]
network: $mode
EOF
)
        out=$("$CONGO" --print --format oci "$p" 2>&1)
        expect_eq 1 "$?" "status of --print --format oci with network $mode" || return 1
        expect_eq "$p:5: error: network: network $mode is set up by congo when the container starts, which config.json cannot say: give the bundle's engine its network (podman --network, a CNI plugin), and export network none (a network namespace of its own) or host" "$out" ||
            return 1
        out=$("$CONGO" --bundle "$WORK/bundle-$mode" "$p" 2>&1)
        expect_eq 1 "$?" "status of --bundle with network $mode" || return 1
        [ ! -e "$WORK/bundle-$mode" ] || { echo "--bundle wrote $WORK/bundle-$mode"; return 1; }
    done
}
t "an OCI export of network bridge or pasta is refused, naming the key" oci_export

# The types of /linux/namespaces in the config.json --print --format oci writes for network MODE.
oci_namespaces() {
    p=$(profile "ns-$1.yaml" <<EOF
rootfs: $ROOTFS
readonly_rootfs: true
init: false
command: [/bin/true]
network: $1
EOF
)
    "$CONGO" --print --format oci "$p" 2>/dev/null |
        python3 -c 'import json, sys; print(" ".join(sorted(n["type"] for n in json.load(sys.stdin)["linux"]["namespaces"])))'
}

oci_host_none() {
    expect_eq "ipc mount network pid uts" "$(oci_namespaces none)" "network none" || return 1
    expect_eq "ipc mount pid uts" "$(oci_namespaces host)" "network host"
}
t "an OCI export of network none has a network namespace, of host none" oci_host_none

# --print-plan says what a run will do to the host and inside.
print_plan() {
    p=$(profile plan.yaml <<EOF
rootfs: $ROOTFS
command: [/bin/true]
network: {mode: bridge, bridge: br9, subnet: 10.90.0.0/16, address: 10.90.3.4, ports: ["127.0.0.1:53:5353/udp"]}
EOF
)
    out=$("$CONGO" --print-plan "$p") || return 1
    want="network: bridge br9, subnet 10.90.0.0/16, gateway 10.90.0.1  # $p:3
  the bridge made when missing; IPv4 forwarding on; nftables table ip congo masquerades the subnet
  eth0 10.90.3.4/16, a veth whose other end is on the bridge; default route via the gateway
  publish 127.0.0.1:53/udp to the container's port 5353
  /etc/resolv.conf: the host's name servers but loopback ones; /etc/hosts: localhost and the host name"
    expect_eq "$want" "$(echo "$out" | sed -n '/^network:/,/^  \/etc\/resolv.conf/p')" "--print-plan"
}
t "--print-plan shows the bridge, the address, the ports and the files" print_plan

finish
