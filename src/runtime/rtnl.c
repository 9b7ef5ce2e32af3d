/*
 * rtnetlink requests; see rtnl.h. Each is one message the kernel reads
 * (nl.c), with no daemon or cache in between, as nspawn's network set-up
 * makes them.
 */
#include "runtime/rtnl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <string.h>

#include "runtime/nl.h"
#include "util/netaddr.h"
#include "util/util.h"

int rtnl_open(struct rtnl *r, struct congo_error *e)
{
    if (nl_open(&r->nl, NETLINK_ROUTE) < 0)
        return error_set(e, errno, "open a netlink socket");
    return 0;
}

void rtnl_close(struct rtnl *r)
{
    if (r->nl.fd > 0)
        nl_close(&r->nl);
}

/*
 * The MAC address of an IPv4 address, 02:43:A:B:C:D (locally
 * administered): the same address always has the same MAC, so the
 * neighbour caches of the host and the other containers stay right when a
 * new container takes the address of one that ended, as docker does.
 */
static void mac_of(uint32_t addr, uint8_t mac[6])
{
    mac[0] = 0x02;
    mac[1] = 0x43;
    mac[2] = (uint8_t)(addr >> 24);
    mac[3] = (uint8_t)(addr >> 16);
    mac[4] = (uint8_t)(addr >> 8);
    mac[5] = (uint8_t)addr;
}

static struct nlmsghdr *link_request(struct rtnl *r, char *buf, uint16_t type, uint16_t flags,
                                     int index)
{
    struct nlmsghdr *h = nl_request(&r->nl, buf, type, NLM_F_ACK | flags);
    struct ifinfomsg *ifi = nl_extra(h, sizeof(*ifi));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = index;
    return h;
}

struct link_info {
    int index;
    char *kind;
};

static int kind_attr(const struct nlattr *a, void *arg)
{
    struct link_info *li = arg;
    size_t len = nl_attr_len(a);
    if (nl_attr_type(a) == IFLA_INFO_KIND && len > 0 && len <= 16)
        snprintf(li->kind, 16, "%.*s", (int)len, (const char *)nl_attr_data(a));
    return 0;
}

static int link_attr(const struct nlattr *a, void *arg)
{
    if (nl_attr_type(a) == IFLA_LINKINFO)
        nl_attrs(nl_attr_data(a), (const char *)a + a->nla_len, kind_attr, arg);
    return 0;
}

static int link_cb(const struct nlmsghdr *m, void *arg)
{
    struct link_info *li = arg;
    const struct ifinfomsg *ifi = nl_payload(m);
    if (m->nlmsg_type != RTM_NEWLINK || m->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
        return 0;
    li->index = ifi->ifi_index;
    nl_attrs((const char *)ifi + NLMSG_ALIGN(sizeof(*ifi)), (const char *)m + m->nlmsg_len,
             link_attr, li);
    return 0;
}

int rtnl_link_get(struct rtnl *r, const char *name, int *index, char kind[16],
                  struct congo_error *e)
{
    char buf[NL_BUFSIZE];
    struct nlmsghdr *h = link_request(r, buf, RTM_GETLINK, 0, 0);
    nl_put_str(h, IFLA_IFNAME, name);
    struct link_info li = {.kind = kind};
    kind[0] = '\0';
    int err = nl_talk(&r->nl, h, link_cb, &li);
    *index = 0;
    if (err == -ENODEV)
        return 0;
    if (err < 0)
        return error_set(e, -err, "look up link `%s`", name);
    *index = li.index;
    return 0;
}

int rtnl_bridge_add(struct rtnl *r, const char *name, uint32_t gateway, struct congo_error *e)
{
    char buf[NL_BUFSIZE];
    struct nlmsghdr *h = link_request(r, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
    nl_put_str(h, IFLA_IFNAME, name);
    /* A fixed address: a bridge otherwise takes its ports' lowest, which changes under ARP caches.
     */
    uint8_t mac[6];
    mac_of(gateway, mac);
    nl_put(h, IFLA_ADDRESS, mac, sizeof(mac));
    struct nlattr *info = nl_nest_start(h, IFLA_LINKINFO);
    nl_put_str(h, IFLA_INFO_KIND, "bridge");
    nl_nest_end(h, info);
    int err = nl_talk(&r->nl, h, NULL, NULL);
    if (err < 0 && err != -EEXIST)
        return error_set(e, -err, "create bridge `%s`", name);
    return 0;
}

int rtnl_link_up(struct rtnl *r, int index, const char *name, struct congo_error *e)
{
    char buf[NL_BUFSIZE];
    struct nlmsghdr *h = link_request(r, buf, RTM_NEWLINK, 0, index);
    struct ifinfomsg *ifi = nl_payload(h);
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    int err = nl_talk(&r->nl, h, NULL, NULL);
    if (err < 0)
        return error_set(e, -err, "bring `%s` up", name);
    return 0;
}

int rtnl_addr_add(struct rtnl *r, int index, const char *name, uint32_t addr, int prefix,
                  struct congo_error *e)
{
    char buf[NL_BUFSIZE];
    struct nlmsghdr *h =
        nl_request(&r->nl, buf, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    struct ifaddrmsg *ifa = nl_extra(h, sizeof(*ifa));
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = (unsigned char)prefix;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = (unsigned)index;
    uint32_t a = htonl(addr);
    nl_put_u32(h, IFA_LOCAL, a);
    nl_put_u32(h, IFA_ADDRESS, a);
    if (prefix < 31)
        nl_put_u32(h, IFA_BROADCAST, htonl(addr | ~(~0u << (32 - prefix))));
    int err = nl_talk(&r->nl, h, NULL, NULL);
    if (err < 0 && err != -EEXIST) {
        char text[16];
        return error_set(e, -err, "add address %s/%d to `%s`", ipv4_format(addr, text), prefix,
                         name);
    }
    return 0;
}

struct addr_found {
    int index;
    uint32_t addr;
    int prefix;
};

static int local_attr(const struct nlattr *a, void *arg)
{
    uint32_t *out = arg;
    if (nl_attr_type(a) == IFA_LOCAL && nl_attr_len(a) == 4) {
        memcpy(out, nl_attr_data(a), 4);
        *out = ntohl(*out);
        return 1;
    }
    return 0;
}

static int addr_cb(const struct nlmsghdr *m, void *arg)
{
    struct addr_found *f = arg;
    const struct ifaddrmsg *ifa = nl_payload(m);
    if (m->nlmsg_type != RTM_NEWADDR || m->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) || f->addr ||
        ifa->ifa_family != AF_INET || (int)ifa->ifa_index != f->index)
        return 0;
    nl_attrs((const char *)ifa + NLMSG_ALIGN(sizeof(*ifa)), (const char *)m + m->nlmsg_len,
             local_attr, &f->addr);
    if (f->addr)
        f->prefix = ifa->ifa_prefixlen;
    return 0;
}

int rtnl_addr_first(struct rtnl *r, int index, uint32_t *addr, int *prefix, struct congo_error *e)
{
    char buf[NL_BUFSIZE];
    /* A dump: no NLM_F_ACK, it ends with NLMSG_DONE. */
    struct nlmsghdr *h = nl_request(&r->nl, buf, RTM_GETADDR, NLM_F_DUMP);
    struct ifaddrmsg *ifa = nl_extra(h, sizeof(*ifa));
    ifa->ifa_family = AF_INET;
    struct addr_found f = {.index = index};
    int err = nl_talk(&r->nl, h, addr_cb, &f);
    if (err < 0)
        return error_set(e, -err, "list the addresses of link %d", index);
    *addr = f.addr;
    *prefix = f.prefix;
    return 0;
}

int rtnl_veth_add(struct rtnl *r, const char *name, int master, const char *peer,
                  uint32_t peer_addr, int netns_fd, struct congo_error *e)
{
    char buf[NL_BUFSIZE];
    struct nlmsghdr *h = link_request(r, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
    struct ifinfomsg *ifi = nl_payload(h);
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    nl_put_str(h, IFLA_IFNAME, name);
    nl_put_u32(h, IFLA_MASTER, (uint32_t)master);
    struct nlattr *info = nl_nest_start(h, IFLA_LINKINFO);
    nl_put_str(h, IFLA_INFO_KIND, "veth");
    struct nlattr *data = nl_nest_start(h, IFLA_INFO_DATA);
    struct nlattr *peer_info = nl_nest_start(h, VETH_INFO_PEER);
    struct ifinfomsg *pi = nl_extra(h, sizeof(*pi));
    pi->ifi_family = AF_UNSPEC;
    nl_put_str(h, IFLA_IFNAME, peer);
    uint8_t mac[6];
    mac_of(peer_addr, mac);
    nl_put(h, IFLA_ADDRESS, mac, sizeof(mac));
    nl_put_u32(h, IFLA_NET_NS_FD, (uint32_t)netns_fd);
    nl_nest_end(h, peer_info);
    nl_nest_end(h, data);
    nl_nest_end(h, info);
    int err = nl_talk(&r->nl, h, NULL, NULL);
    if (err < 0)
        return error_set(e, -err, "create the veth pair `%s`", name);
    return 0;
}

int rtnl_route_default(struct rtnl *r, uint32_t gateway, struct congo_error *e)
{
    char buf[NL_BUFSIZE];
    struct nlmsghdr *h =
        nl_request(&r->nl, buf, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    struct rtmsg *rtm = nl_extra(h, sizeof(*rtm));
    rtm->rtm_family = AF_INET;
    rtm->rtm_table = RT_TABLE_MAIN;
    rtm->rtm_protocol = RTPROT_BOOT;
    rtm->rtm_scope = RT_SCOPE_UNIVERSE;
    rtm->rtm_type = RTN_UNICAST;
    nl_put_u32(h, RTA_GATEWAY, htonl(gateway));
    int err = nl_talk(&r->nl, h, NULL, NULL);
    if (err < 0) {
        char text[16];
        return error_set(e, -err, "add the default route via %s", ipv4_format(gateway, text));
    }
    return 0;
}

int rtnl_link_del(struct rtnl *r, const char *name, struct congo_error *e)
{
    char buf[NL_BUFSIZE];
    struct nlmsghdr *h = link_request(r, buf, RTM_DELLINK, 0, 0);
    nl_put_str(h, IFLA_IFNAME, name);
    int err = nl_talk(&r->nl, h, NULL, NULL);
    if (err < 0 && err != -ENODEV)
        return error_set(e, -err, "remove link `%s`", name);
    return 0;
}
