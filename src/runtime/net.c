/* The container's network beyond `lo`; see net.h. */
#include "runtime/net-internal.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/netns.h"
#include "runtime/nft.h"
#include "runtime/program.h"
#include "runtime/rtnl.h"
#include "runtime/runtime.h"
#include "runtime/sync.h"
#include "state/state.h"
#include "util/util.h"

#define TABLE "congo"

/* ---- nftables ---- */

/* The element keys of a lease's ports (its `port` lines), added or deleted, as nft script. */
static void port_elements(struct strbuf *sb, const char *verb, uint32_t address,
                          const struct port_map *pm)
{
    char host[16], addr[16];
    ipv4_format(address, addr);
    const char *proto = pm->udp ? "udp" : "tcp";
    bool del = strcmp(verb, "delete") == 0;
    if (pm->host_addr)
        strbuf_printf(sb, "%s element ip " TABLE " ports_at { %s . %s . %u", verb,
                      ipv4_format(pm->host_addr, host), proto, pm->host_port);
    else
        strbuf_printf(sb, "%s element ip " TABLE " ports { %s . %u", verb, proto, pm->host_port);
    if (!del)
        strbuf_printf(sb, " : %s . %u", addr, pm->container_port);
    strbuf_puts(sb, " }\n");
}

/*
 * Remove a lease's port elements. Each is first added with the lease's
 * value, a no-op when it is there, so that the deletes cannot fail on one
 * already gone; if another container's mapping holds the key, the add
 * fails and nothing is deleted, which is right: it is not this one's.
 */
static void remove_ports(uint32_t address, const struct port_map *ports, size_t n)
{
    if (n == 0)
        return;
    struct strbuf sb = {0};
    for (size_t i = 0; i < n; i++)
        port_elements(&sb, "add", address, &ports[i]);
    for (size_t i = 0; i < n; i++)
        port_elements(&sb, "delete", address, &ports[i]);
    struct congo_error e = {0};
    nft_apply(sb.buf, &e);
    error_clear(&e);
    strbuf_free(&sb);
}

/* The `port` lines of a lease back into port maps. */
static size_t lease_ports(const char *text, struct port_map **out)
{
    size_t n = 0;
    *out = NULL;
    for (const char *line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        char spec[64];
        if (sscanf(line + 1, "port %63s", spec) != 1)
            continue;
        struct port_map pm;
        _cleanup_free_ char *why = NULL;
        if (port_map_parse(spec, &pm, &why) < 0)
            continue;
        *out = xrealloc(*out, (n + 1) * sizeof(**out));
        (*out)[n++] = pm;
    }
    return n;
}

/*
 * The host's end of a container's veth: the bridge's index and the
 * launcher's pid, so no two live containers share one, nor a new one the
 * name of the one before it on the address, which the kernel may not have
 * removed yet (see net_release).
 */
static void veth_name(int bridge_index, pid_t launcher, char name[16])
{
    snprintf(name, 16, "cg%x.%x", (unsigned)bridge_index & 0xffff, (unsigned)launcher);
}

/* A dead launcher's lease on a bridge: its veth, its port rules, the file. Under the lock. */
static void reclaim_bridge_lease(int dirfd, const char *name, const char *text, int bridge_index,
                                 struct rtnl *host)
{
    uint32_t address;
    _cleanup_free_ char *why = NULL;
    if (ipv4_parse(name, &address, &why) == 0) {
        struct port_map *ports;
        size_t n = lease_ports(text, &ports);
        remove_ports(address, ports, n);
        free(ports);
        char veth[16];
        int pid = atoi(text);
        veth_name(bridge_index, pid, veth);
        struct congo_error e = {0};
        rtnl_link_del(host, veth, &e);
        error_clear(&e);
    }
    unlinkat(dirfd, name, 0);
}

/* ---- the bridge ---- */

static int write_proc(const char *path, const char *value, struct congo_error *e)
{
    _cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC);
    char now[8] = {0};
    if (fd < 0 || read(fd, now, sizeof(now) - 1) < 0)
        return error_set(e, errno, "read %s", path);
    if (now[0] == value[0])
        return 0;
    if (pwrite(fd, value, strlen(value), 0) < 0)
        return error_set(e, errno, "write %s", path);
    return 0;
}

/*
 * A host whose iptables FORWARD policy is DROP (Docker sets it) would drop
 * what the bridge forwards, whatever congo's own table accepts: every
 * table's hooks see the packet. congo then inserts two rules into that
 * chain, once, when it sets the bridge up: what leaves the bridge, and
 * what answers it. Through iptables(8), so that either backend is served.
 */
static int open_forward(const char *bridge, struct congo_error *e)
{
    _cleanup_free_ char *ipt = program_find("iptables", "/usr/sbin:/sbin");
    if (!ipt)
        return 0;
    char out[4096];
    const char *list[] = {ipt, "-w", "-S", "FORWARD", NULL};
    if (program_run(list, NULL, NULL, 0, out, sizeof(out)) != 0 || !strstr(out, "-P FORWARD DROP"))
        return 0;
    const char *rules[][12] = {
        {"FORWARD", "-i", bridge, "-j", "ACCEPT", NULL},
        {"FORWARD", "-o", bridge, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED,DNAT", "-j",
         "ACCEPT", NULL},
    };
    for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
        const char *argv[16] = {ipt, "-w", "-C"};
        size_t k = 3;
        for (size_t j = 0; rules[i][j]; j++)
            argv[k++] = rules[i][j];
        argv[k] = NULL;
        if (program_run(argv, NULL, NULL, 0, out, sizeof(out)) == 0)
            continue;
        argv[2] = "-I";
        if (program_run(argv, NULL, NULL, 0, out, sizeof(out)) != 0) {
            char *nl = strchr(out, '\n');
            if (nl)
                *nl = '\0';
            return error_set(e, 0,
                             "network: the host's iptables FORWARD policy is DROP, and opening it "
                             "for bridge `%s` failed: %s",
                             bridge, out);
        }
    }
    return 0;
}

/*
 * congo's table and the bridge's chains. Idempotent: chains are flushed
 * and filled, maps added only when missing, so running it again (after
 * `nft flush ruleset`, say) restores the same state.
 */
static int bridge_rules(const struct plan_network *p, struct congo_error *e)
{
    char net[16];
    ipv4_format(p->subnet.addr, net);
    _cleanup_free_ char *script = xasprintf(
        "add table ip " TABLE "\n"
        "add map ip " TABLE
        " ports { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
        "add map ip " TABLE " ports_at { type ipv4_addr . inet_proto . inet_service : "
        "ipv4_addr . inet_service; }\n"
        /* Published ports: to any of the host's addresses, from outside and from the host. */
        "add chain ip " TABLE " prerouting { type nat hook prerouting priority dstnat; }\n"
        "flush chain ip " TABLE " prerouting\n"
        "add rule ip " TABLE " prerouting fib daddr type local dnat ip to ip daddr . meta l4proto "
        ". th dport map @ports_at\n"
        "add rule ip " TABLE " prerouting fib daddr type local dnat ip to meta l4proto . th dport "
        "map @ports\n"
        "add chain ip " TABLE " output { type nat hook output priority -100; }\n"
        "flush chain ip " TABLE " output\n"
        "add rule ip " TABLE " output fib daddr type local dnat ip to ip daddr . meta l4proto . "
        "th dport map @ports_at\n"
        "add rule ip " TABLE " output fib daddr type local dnat ip to meta l4proto . th dport map "
        "@ports\n"
        /*
         * The subnet's traffic out, masqueraded; and the host's loopback
         * traffic to a published port (route_localnet lets it out on the
         * bridge), given the gateway's address so the container can answer.
         */
        "add chain ip " TABLE " nat-%1$s { type nat hook postrouting priority srcnat; }\n"
        "flush chain ip " TABLE " nat-%1$s\n"
        "add rule ip " TABLE " nat-%1$s ip saddr %2$s/%3$d ip daddr != %2$s/%3$d masquerade\n"
        "add rule ip " TABLE " nat-%1$s oifname \"%1$s\" ip saddr 127.0.0.0/8 masquerade\n"
        /* A container to another's port published on the host: the answer must come back here. */
        "add rule ip " TABLE " nat-%1$s oifname \"%1$s\" ip saddr %2$s/%3$d ct status dnat "
        "masquerade\n"
        /*
         * Nothing but lo may reach 127.0.0.0/8, which a published port's
         * dnat would otherwise let through from the network; and with
         * route_localnet on the bridge, nothing from it may claim to come
         * from there either.
         */
        "add chain ip " TABLE " guard { type filter hook prerouting priority raw; }\n"
        "flush chain ip " TABLE " guard\n"
        "add rule ip " TABLE " guard iifname != \"lo\" ip daddr 127.0.0.0/8 drop\n"
        "add chain ip " TABLE " guard-%1$s { type filter hook prerouting priority raw; }\n"
        "flush chain ip " TABLE " guard-%1$s\n"
        "add rule ip " TABLE " guard-%1$s iifname \"%1$s\" ip saddr 127.0.0.0/8 drop\n"
        /*
         * Into the bridge from elsewhere, only answers and published ports:
         * with forwarding on, a neighbour routing the subnet through the host
         * would otherwise reach every container's every port.
         */
        "add chain ip " TABLE " forward-%1$s { type filter hook forward priority filter; }\n"
        "flush chain ip " TABLE " forward-%1$s\n"
        "add rule ip " TABLE " forward-%1$s oifname \"%1$s\" ct state established,related "
        "accept\n"
        "add rule ip " TABLE " forward-%1$s oifname \"%1$s\" ct status dnat accept\n"
        "add rule ip " TABLE " forward-%1$s oifname \"%1$s\" iifname != \"%1$s\" drop\n",
        p->bridge, net, p->subnet.prefix);
    return nft_apply(script, e);
}

/* The bridge up with the subnet's gateway, forwarding on, its rules there. Under the lock. */
static int bridge_ready(const struct plan_network *p, struct rtnl *host, int *index,
                        struct congo_error *e)
{
    char kind[16];
    if (rtnl_link_get(host, p->bridge, index, kind, e) < 0)
        return -1;
    uint32_t gw = ipv4_net_gateway(&p->subnet);
    char a[16], b[16], c[16];
    bool made = false;
    if (*index == 0) {
        if (rtnl_bridge_add(host, p->bridge, gw, e) < 0 ||
            rtnl_link_get(host, p->bridge, index, kind, e) < 0)
            return -1;
        if (*index == 0)
            return error_set(e, 0, "network.bridge: `%s` vanished as it was made", p->bridge);
        made = true;
    } else if (strcmp(kind, "bridge") != 0) {
        return error_set(e, 0, "network.bridge: the host's link `%s` is not a bridge (it is %s)",
                         p->bridge, kind[0] ? kind : "a device of no kind");
    }
    uint32_t have = 0;
    int prefix = 0;
    if (!made && rtnl_addr_first(host, *index, &have, &prefix, e) < 0)
        return -1;
    if (have && (have != gw || prefix != p->subnet.prefix))
        return error_set(e, 0,
                         "network.subnet: bridge `%s` has address %s/%d, not the gateway %s/%d of "
                         "subnet %s/%d; give this subnet another bridge (network.bridge), or "
                         "this one's subnet",
                         p->bridge, ipv4_format(have, a), prefix, ipv4_format(gw, b),
                         p->subnet.prefix, ipv4_format(p->subnet.addr, c), p->subnet.prefix);
    if (!have && rtnl_addr_add(host, *index, p->bridge, gw, p->subnet.prefix, e) < 0)
        return -1;
    /* The guard first: route_localnet is safe only behind it. One script makes every chain. */
    _cleanup_free_ char *chain = xasprintf("guard-%s", p->bridge);
    if (made || !nft_chain_exists(TABLE, chain)) {
        if (bridge_rules(p, e) < 0)
            return error_wrap(e, "network: the rules of bridge `%s`", p->bridge);
        if (open_forward(p->bridge, e) < 0)
            return -1;
    }
    /*
     * Every run, as they cost a read each: a bridge half made by a launcher
     * that died is finished here. No IPv6 on the bridge: the host would take
     * a container's router advertisements.
     */
    _cleanup_free_ char *v6 = xasprintf("/proc/sys/net/ipv6/conf/%s/disable_ipv6", p->bridge);
    _cleanup_free_ char *localnet =
        xasprintf("/proc/sys/net/ipv4/conf/%s/route_localnet", p->bridge);
    if ((access(v6, F_OK) == 0 && write_proc(v6, "1", e) < 0) || write_proc(localnet, "1", e) < 0 ||
        rtnl_link_up(host, *index, p->bridge, e) < 0 ||
        write_proc("/proc/sys/net/ipv4/ip_forward", "1", e) < 0)
        return -1;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/*
 * Under the lock: the leases of dead launchers reclaimed, then the
 * profile's address or the first free one. 0, or -1 with e filled.
 */
/*
 * Under dirfd's lock: the leases of a bridge's directory, those of dead
 * launchers reclaimed, the addresses of live ones into *taken (caller
 * frees). Their count, or -1 with errno set.
 */
static ssize_t scan_leases(int dirfd, const char *dir, int bridge_index, struct rtnl *host,
                           uint32_t **taken)
{
    *taken = NULL;
    _cleanup_close_ int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d)
        return -1;
    fd = -1;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        uint32_t a;
        _cleanup_free_ char *why = NULL;
        if (de->d_name[0] == '.' || str_has_suffix(de->d_name, ".tmp") ||
            ipv4_parse(de->d_name, &a, &why) < 0)
            continue;
        _cleanup_free_ char *text = lease_read(dir, de->d_name);
        if (!text && errno == ENOENT)
            continue;
        /* Reclaimed only when it says whose it is, and that one is dead. */
        if (!text || lease_owner_alive(text)) {
            *taken = xrealloc(*taken, (n + 1) * sizeof(**taken));
            (*taken)[n++] = a;
        } else {
            reclaim_bridge_lease(dirfd, de->d_name, text, bridge_index, host);
        }
    }
    closedir(d);
    return (ssize_t)n;
}

/*
 * The other bridges' dead leases, reclaimed: their published ports are
 * elements of the same maps, and one left by a launcher that died would
 * refuse this run's. Each directory under its own lock, taken before this
 * bridge's: two launchers never wait for each other's.
 */
static void reclaim_other_bridges(const char *bridge, struct rtnl *host)
{
    _cleanup_free_ char *root = xasprintf("%s/net", state_root());
    DIR *d = opendir(root);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || strcmp(de->d_name, "pasta") == 0 ||
            strcmp(de->d_name, bridge) == 0)
            continue;
        _cleanup_free_ char *dir = xasprintf("%s/%s", root, de->d_name);
        _cleanup_close_ int dirfd = dir_lock(dir);
        if (dirfd < 0)
            continue;
        struct congo_error e = {0};
        int index = 0;
        char kind[16];
        rtnl_link_get(host, de->d_name, &index, kind, &e);
        error_clear(&e);
        _cleanup_free_ uint32_t *taken = NULL;
        scan_leases(dirfd, dir, index, host, &taken);
    }
    closedir(d);
}

static int lease_address(const struct plan_network *p, int dirfd, const char *dir, int bridge_index,
                         struct rtnl *host, uint32_t *address, struct congo_error *e)
{
    _cleanup_free_ uint32_t *taken = NULL;
    ssize_t found = scan_leases(dirfd, dir, bridge_index, host, &taken);
    if (found < 0)
        return error_set(e, errno, "read `%s`", dir);
    size_t n = (size_t)found;
    char a[16], b[16], c[16];
    int r = 0;
    if (p->address) {
        for (size_t i = 0; i < n; i++)
            if (taken[i] == p->address)
                r = error_set(e, 0,
                              "network.address: %s is taken by a running container (leases in "
                              "`%s`)",
                              ipv4_format(p->address, a), dir);
        *address = p->address;
    } else {
        if (n)
            qsort(taken, n, sizeof(*taken), cmp_u32);
        uint32_t want = ipv4_net_first(&p->subnet);
        for (size_t i = 0; i < n && want <= ipv4_net_last(&p->subnet); i++)
            if (taken[i] == want)
                want++;
            else if (taken[i] > want)
                break;
        if (want > ipv4_net_last(&p->subnet))
            r = error_set(e, 0,
                          "network.subnet: %s/%d is full: running containers hold each of its "
                          "container addresses, %s to %s (%u in all; leases in `%s`); give a "
                          "larger subnet",
                          ipv4_format(p->subnet.addr, a), p->subnet.prefix,
                          ipv4_format(ipv4_net_first(&p->subnet), b),
                          ipv4_format(ipv4_net_last(&p->subnet), c),
                          ipv4_net_last(&p->subnet) - ipv4_net_first(&p->subnet) + 1, dir);
        *address = want;
    }
    return r;
}

/* ---- the host's ports ---- */

/*
 * Each published port held by a socket of the launcher's for as long as
 * the container runs, as a listening program would: one already taken (by
 * a program, or another container) stops the run here, and none can take
 * it meanwhile. The DNAT rules see the connections first, so the sockets
 * never get one.
 */
static int hold_ports(const struct plan_network *p, struct net *n, struct congo_error *e)
{
    if (p->n_ports)
        n->port_fds = xcalloc(p->n_ports, sizeof(int));
    for (size_t i = 0; i < p->n_ports; i++) {
        const struct port_map *pm = &p->ports[i];
        int fd = socket(AF_INET, (pm->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return error_set(e, errno, "network.ports: a socket");
        n->port_fds[n->n_port_fds++] = fd;
        int one = 1;
        /* TCP: a port in TIME_WAIT is free; listen() below still refuses two holders. */
        if (!pm->udp)
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        struct sockaddr_in sa = {.sin_family = AF_INET,
                                 .sin_port = htons(pm->host_port),
                                 .sin_addr.s_addr = htonl(pm->host_addr)};
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || (!pm->udp && listen(fd, 1) < 0)) {
            int err = errno;
            _cleanup_free_ char *spec = port_map_format(pm);
            char a[16];
            if (err == EADDRINUSE)
                return error_set(e, 0,
                                 "network.ports: `%s`: host port %u/%s is taken: another "
                                 "program or container listens on it",
                                 spec, pm->host_port, pm->udp ? "udp" : "tcp");
            if (err == EADDRNOTAVAIL)
                return error_set(e, 0, "network.ports: `%s`: %s is not an address of this host",
                                 spec, ipv4_format(pm->host_addr, a));
            return error_set(e, err, "network.ports: `%s`: hold host port %u", spec, pm->host_port);
        }
    }
    return 0;
}

/* ---- /etc/resolv.conf and /etc/hosts ---- */

static bool loopback_server(const char *addr)
{
    return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

/* The name server lines of a resolv.conf but loopback ones, and its search and options. */
static size_t host_servers(const char *path, struct strbuf *out)
{
    _cleanup_free_ char *text = NULL;
    size_t len, servers = 0;
    if (read_file_max(path, 64 * 1024, &text, &len) < 0)
        return 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char word[16], addr[64];
        if (sscanf(line, "%15s %63s", word, addr) != 2)
            continue;
        if (strcmp(word, "nameserver") == 0 && !loopback_server(addr)) {
            strbuf_printf(out, "nameserver %s\n", addr);
            servers++;
        } else if (strcmp(word, "search") == 0 || strcmp(word, "domain") == 0 ||
                   strcmp(word, "options") == 0) {
            strbuf_printf(out, "%s\n", line);
        }
    }
    return servers;
}

static void compose_files(const struct plan_network *p, const char *hostname, struct net *n)
{
    struct strbuf sb = {0};
    strbuf_puts(&sb, "# made by congo-launch for this container\n");
    if (p->dns) {
        for (size_t i = 0; p->dns[i]; i++)
            strbuf_printf(&sb, "nameserver %s\n", p->dns[i]);
    } else {
        struct strbuf host = {0};
        /* systemd-resolved's stub (127.0.0.53) is out of reach: its upstream servers are not. */
        if (host_servers("/etc/resolv.conf", &host) == 0) {
            strbuf_free(&host);
            host = (struct strbuf){0};
            host_servers("/run/systemd/resolve/resolv.conf", &host);
        }
        if (host.buf)
            strbuf_puts(&sb, host.buf);
        strbuf_free(&host);
    }
    n->resolv = strbuf_steal(&sb);
    strbuf_puts(&sb, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    if (hostname) {
        char a[16];
        strbuf_printf(&sb, "%s\t%s\n", n->address ? ipv4_format(n->address, a) : "127.0.1.1",
                      hostname);
    }
    n->hosts = strbuf_steal(&sb);
}

/* ---- the three steps ---- */

int net_prepare(const struct run_plan *plan, struct net *n, struct congo_error *e)
{
    const char *hostname = plan->hostname;
    memset(n, 0, sizeof(*n));
    n->pasta_pidfd = -1;
    n->maker_sock = -1;
    n->launcher = getpid();
    n->plan = &plan->net;
    const struct plan_network *p = &plan->net;
    if (p->mode == PLAN_NET_NONE)
        return 0;
    if (p->mode == PLAN_NET_BRIDGE && geteuid() != 0)
        return error_set(e, 0,
                         "network: bridge needs root (it adds links and NAT rules to the host); "
                         "other users' containers get a network with network: pasta");
    lease_owner(getpid(), n->owner);
    if (p->mode == PLAN_NET_BRIDGE && p->n_ports) {
        struct rtnl host = {0};
        if (rtnl_open(&host, e) < 0)
            return -1;
        reclaim_other_bridges(p->bridge, &host);
        rtnl_close(&host);
    }
    _cleanup_free_ char *dir =
        xasprintf("%s/net/%s", state_root(), p->mode == PLAN_NET_BRIDGE ? p->bridge : "pasta");
    _cleanup_close_ int dirfd = lease_dir_lock(dir, e);
    if (dirfd < 0)
        return -1;
    /* A dead launcher's pasta still holds its ports: it goes first. */
    if (p->mode == PLAN_NET_PASTA)
        pasta_reclaim(dirfd, dir);
    if (hold_ports(p, n, e) < 0)
        return -1;
    if (p->mode == PLAN_NET_PASTA) {
        /* pasta binds them itself: held only to say clearly which one is taken. */
        for (size_t i = 0; i < n->n_port_fds; i++)
            close(n->port_fds[i]);
        n->n_port_fds = 0;
        n->lease = xasprintf("%s/%d", dir, (int)getpid());
        _cleanup_free_ char *text = xasprintf("%s\n", n->owner);
        if (lease_write(n->lease, text, e) < 0) {
            free(n->lease);
            n->lease = NULL;
            return -1;
        }
        compose_files(p, hostname, n);
        return 0;
    }
    struct rtnl host = {0};
    if (rtnl_open(&host, e) < 0)
        return -1;
    int r = bridge_ready(p, &host, &n->bridge_index, e);
    if (r == 0)
        r = lease_address(p, dirfd, dir, n->bridge_index, &host, &n->address, e);
    rtnl_close(&host);
    if (r < 0)
        return -1;
    char a[16];
    n->lease = xasprintf("%s/%s", dir, ipv4_format(n->address, a));
    struct strbuf text = {0};
    strbuf_printf(&text, "%s\n", n->owner);
    for (size_t i = 0; i < p->n_ports; i++) {
        _cleanup_free_ char *spec = port_map_format(&p->ports[i]);
        strbuf_printf(&text, "port %s\n", spec);
    }
    r = lease_write(n->lease, text.buf, e);
    strbuf_free(&text);
    if (r < 0) {
        free(n->lease);
        n->lease = NULL;
        return -1;
    }
    compose_files(p, hostname, n);
    return 0;
}

/* Inside the container's namespace: eth0 up with its address, the default route. */
static int configure_inside(const struct net *n, int netns, struct congo_error *e)
{
    _cleanup_close_ int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (own < 0)
        return error_set(e, errno, "open /proc/self/ns/net");
    if (setns(netns, CLONE_NEWNET) < 0)
        return error_set(e, errno, "enter the container's network namespace");
    struct rtnl in = {0};
    int index = 0;
    char kind[16];
    const struct plan_network *p = n->plan;
    int r = rtnl_open(&in, e);
    /* The socket keeps the namespace it was opened in: the launcher can go back at once. */
    if (setns(own, CLONE_NEWNET) < 0) {
        /* Nothing more may run here: what follows would act on the container's namespace. */
        fprintf(stderr, "congo-launch: return to the launcher's network namespace: %s\n",
                strerror(errno));
        _exit(STATUS_LAUNCHER);
    }
    if (r < 0)
        return -1;
    r = rtnl_link_get(&in, "eth0", &index, kind, e);
    if (r == 0 && index == 0)
        r = error_set(e, 0, "the container's eth0 is missing");
    if (r == 0)
        r = rtnl_addr_add(&in, index, "eth0", n->address, p->subnet.prefix, e);
    if (r == 0)
        r = rtnl_link_up(&in, index, "eth0", e);
    if (r == 0)
        r = rtnl_route_default(&in, ipv4_net_gateway(&p->subnet), e);
    rtnl_close(&in);
    return r;
}

/*
 * A bridge's veth into the namespace netns: the pair, eth0's address and
 * route, then the published ports' elements.
 */
static int wire(struct net *n, int netns, struct congo_error *e)
{
    const struct plan_network *p = n->plan;
    struct rtnl host = {0};
    if (rtnl_open(&host, e) < 0)
        return -1;
    char veth[16];
    veth_name(n->bridge_index, n->launcher, veth);
    int r = rtnl_veth_add(&host, veth, n->bridge_index, "eth0", n->address, netns, e);
    if (r < 0 && e->err == EEXIST) {
        /* A launcher of the same pid before this one, whose namespace the kernel has not freed. */
        error_clear(e);
        r = rtnl_link_del(&host, veth, e);
        if (r == 0)
            r = rtnl_veth_add(&host, veth, n->bridge_index, "eth0", n->address, netns, e);
    }
    rtnl_close(&host);
    if (r < 0)
        return -1;
    if (configure_inside(n, netns, e) < 0)
        return error_wrap(e, "network");
    if (p->n_ports) {
        struct strbuf sb = {0};
        for (size_t i = 0; i < p->n_ports; i++)
            port_elements(&sb, "add", n->address, &p->ports[i]);
        r = nft_apply(sb.buf, e);
        strbuf_free(&sb);
        if (r < 0)
            return error_wrap(e, "network.ports");
    }
    return 0;
}

int net_start(struct net *n, struct congo_error *e)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return error_set(e, errno, "socketpair");
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        struct congo_error err = {0};
        /* The namespace as soon as it is there: the child joins it, and wires nothing itself. */
        int fd = netns_make(&err);
        if (fd >= 0 && sync_send_fds(sv[1], SYNC_NETNS, &fd, 1) < 0)
            error_set(&err, errno, "network: hand the namespace to the launcher");
        if (err.msg)
            sync_send_error(sv[1], STATUS_LAUNCHER, "network", &err);
        else if (wire(n, fd, &err) == 0)
            sync_send_kind(sv[1], SYNC_NET_READY);
        else
            sync_send_error(sv[1], STATUS_LAUNCHER, "network", &err);
        _exit(0);
    }
    close(sv[1]);
    if (pid < 0) {
        int err = errno;
        close(sv[0]);
        return error_set(e, err, "fork the network's maker");
    }
    n->maker = pid;
    n->maker_sock = sv[0];
    /* From here its elements may exist: net_release removes them, whatever the maker said. */
    n->ports_added = n->plan->n_ports > 0;
    return 0;
}

/* The maker gone and reaped. */
static void maker_reap(struct net *n)
{
    if (n->maker_sock >= 0)
        close(n->maker_sock);
    n->maker_sock = -1;
    while (n->maker > 0 && waitpid(n->maker, NULL, 0) < 0 && errno == EINTR)
        ;
    n->maker = 0;
}

/* The maker's next message: kind, its fd in *fd when fd is not NULL; or its failure. */
static int maker_says(struct net *n, enum sync_kind kind, int *fd, struct congo_error *e)
{
    struct sync_msg m;
    int passed = -1;
    ssize_t got = sync_recv(n->maker_sock, &m, &passed, 0);
    if (got > 0 && m.kind == (int32_t)kind && (passed >= 0) == (fd != NULL)) {
        if (fd)
            *fd = passed;
        return 0;
    }
    if (passed >= 0)
        close(passed);
    maker_reap(n);
    if (got > 0 && m.kind == SYNC_ERROR) {
        sync_error_of(&m, e);
        return -1;
    }
    return error_set(e, 0, "network: the network's maker died");
}

int net_finish(struct net *n, struct congo_error *e)
{
    int fd;
    return maker_says(n, SYNC_NETNS, &fd, e) < 0 ? -1 : fd;
}

int net_wired(struct net *n, struct congo_error *e)
{
    int r = maker_says(n, SYNC_NET_READY, NULL, e);
    maker_reap(n);
    return r;
}

int net_attach(struct net *n, int netns, int userns, struct congo_error *e)
{
    const struct plan_network *p = n->plan;
    if (!p || p->mode == PLAN_NET_NONE)
        return 0;
    if (p->mode == PLAN_NET_PASTA)
        return pasta_start(n, netns, userns, e);
    n->ports_added = p->n_ports > 0;
    return wire(n, netns, e);
}

void net_release(struct net *n)
{
    const struct plan_network *p = n->plan;
    if (!p)
        return;
    maker_reap(n);
    if (n->ports_added)
        remove_ports(n->address, p->ports, p->n_ports);
    /*
     * The veth goes with the container's network namespace, which the
     * kernel frees once its last process is gone: removing it here would
     * wait for that (20 ms and more) at the end of every run.
     */
    if (n->pasta_pidfd >= 0) {
        pasta_stop(n->pasta_pidfd);
        close(n->pasta_pidfd);
    }
    for (size_t i = 0; i < n->n_port_fds; i++)
        close(n->port_fds[i]);
    free(n->port_fds);
    /* Only while the lease is still this run's: read under the directory's lock. */
    if (n->lease) {
        _cleanup_free_ char *dir = xstrdup(n->lease);
        *strrchr(dir, '/') = '\0';
        struct congo_error e = {0};
        _cleanup_close_ int dirfd = lease_dir_lock(dir, &e);
        error_clear(&e);
        _cleanup_free_ char *text = dirfd >= 0 ? lease_read(dir, strrchr(n->lease, '/') + 1) : NULL;
        size_t len = strlen(n->owner);
        if (text && strncmp(text, n->owner, len) == 0 && text[len] == '\n')
            unlink(n->lease);
    }
    free(n->lease);
    free(n->resolv);
    free(n->hosts);
    memset(n, 0, sizeof(*n));
    n->pasta_pidfd = -1;
    n->maker_sock = -1;
}
