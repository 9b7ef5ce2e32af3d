/*
 * rtnetlink through libmnl; see rtnl.h. libmnl (LGPL-2.1+, in Debian as
 * libmnl0) builds and parses the messages and nothing more, so the
 * requests below are what the kernel reads, with no daemon or cache in
 * between, as nspawn and crun's network helpers do.
 */
#include "runtime/rtnl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <string.h>
#include <time.h>

#include "util/netaddr.h"
#include "util/util.h"

int rtnl_open(struct rtnl *r, struct congo_error *e)
{
    r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
    if (!r->nl)
        return error_set(e, errno, "open a netlink socket");
    if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        int err = errno;
        rtnl_close(r);
        return error_set(e, err, "bind the netlink socket");
    }
    r->portid = mnl_socket_get_portid(r->nl);
    r->seq = (unsigned)time(NULL);
    return 0;
}

void rtnl_close(struct rtnl *r)
{
    if (r->nl)
        mnl_socket_close(r->nl);
    r->nl = NULL;
}

static struct nlmsghdr *request(struct rtnl *r, char *buf, uint16_t type, uint16_t flags)
{
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    nlh->nlmsg_seq = ++r->seq;
    return nlh;
}

/* Send nlh and read the answers until the ack; cb sees each data message. 0, or -errno. */
static int talk(struct rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
    if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
        return -errno;
    char buf[MNL_SOCKET_BUFFER_SIZE];
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
        if (n < 0)
            return -errno;
        int ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, r->portid, cb, data);
        if (ret < 0)
            return -errno;
        if (ret == MNL_CB_STOP)
            return 0;
    }
}

struct link_info {
    int index;
    char *kind;
};

static int link_attr(const struct nlattr *a, void *data)
{
    struct link_info *li = data;
    if (mnl_attr_get_type(a) != IFLA_LINKINFO)
        return MNL_CB_OK;
    const struct nlattr *in;
    mnl_attr_for_each_nested(in, a) {
        if (mnl_attr_get_type(in) == IFLA_INFO_KIND &&
            mnl_attr_validate(in, MNL_TYPE_STRING) == 0)
            snprintf(li->kind, 16, "%s", mnl_attr_get_str(in));
    }
    return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
    struct link_info *li = data;
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    li->index = ifi->ifi_index;
    mnl_attr_parse(nlh, sizeof(*ifi), link_attr, li);
    return MNL_CB_OK;
}

int rtnl_link_get(struct rtnl *r, const char *name, int *index, char kind[16],
                  struct congo_error *e)
{
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = request(r, buf, RTM_GETLINK, 0);
    struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
    ifi->ifi_family = AF_UNSPEC;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
    struct link_info li = {.kind = kind};
    kind[0] = '\0';
    int err = talk(r, nlh, link_cb, &li);
    *index = 0;
    if (err == -ENODEV)
        return 0;
    if (err < 0)
        return error_set(e, -err, "look up link `%s`", name);
    *index = li.index;
    return 0;
}

static struct nlmsghdr *link_request(struct rtnl *r, char *buf, uint16_t type, uint16_t flags,
                                     int index)
{
    struct nlmsghdr *nlh = request(r, buf, type, flags);
    struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = index;
    return nlh;
}

int rtnl_bridge_add(struct rtnl *r, const char *name, uint32_t gateway, struct congo_error *e)
{
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh =
        link_request(r, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
    /* A fixed address: a bridge otherwise takes its ports' lowest, which changes under ARP caches. */
    uint8_t mac[6] = {0x02, 0x43, (uint8_t)(gateway >> 24), (uint8_t)(gateway >> 16),
                      (uint8_t)(gateway >> 8), (uint8_t)gateway};
    mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
    struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
    mnl_attr_nest_end(nlh, info);
    int err = talk(r, nlh, NULL, NULL);
    if (err < 0 && err != -EEXIST)
        return error_set(e, -err, "create bridge `%s`", name);
    return 0;
}

int rtnl_link_up(struct rtnl *r, int index, const char *name, struct congo_error *e)
{
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = link_request(r, buf, RTM_NEWLINK, 0, index);
    struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    int err = talk(r, nlh, NULL, NULL);
    if (err < 0)
        return error_set(e, -err, "bring `%s` up", name);
    return 0;
}

int rtnl_addr_add(struct rtnl *r, int index, const char *name, uint32_t addr, int prefix,
                  struct congo_error *e)
{
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = request(r, buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
    struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
    ifa->ifa_family = AF_INET;
    ifa->ifa_prefixlen = (unsigned char)prefix;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = (unsigned)index;
    uint32_t a = htonl(addr);
    mnl_attr_put_u32(nlh, IFA_LOCAL, a);
    mnl_attr_put_u32(nlh, IFA_ADDRESS, a);
    if (prefix < 31)
        mnl_attr_put_u32(nlh, IFA_BROADCAST, htonl(addr | ~(~0u << (32 - prefix))));
    int err = talk(r, nlh, NULL, NULL);
    if (err < 0 && err != -EEXIST) {
        char text[16];
        return error_set(e, -err, "add address %s/%d to `%s`", ipv4_format(addr, text),
                         prefix, name);
    }
    return 0;
}

struct addr_found {
    int index;
    uint32_t addr;
    int prefix;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
    struct addr_found *f = data;
    const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
    if (f->addr || ifa->ifa_family != AF_INET || (int)ifa->ifa_index != f->index)
        return MNL_CB_OK;
    const struct nlattr *a;
    mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
        if (mnl_attr_get_type(a) == IFA_LOCAL && mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
            f->addr = ntohl(mnl_attr_get_u32(a));
            f->prefix = ifa->ifa_prefixlen;
        }
    }
    return MNL_CB_OK;
}

int rtnl_addr_first(struct rtnl *r, int index, uint32_t *addr, int *prefix,
                    struct congo_error *e)
{
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = request(r, buf, RTM_GETADDR, NLM_F_DUMP);
    struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
    ifa->ifa_family = AF_INET;
    struct addr_found f = {.index = index};
    int err = talk(r, nlh, addr_cb, &f);
    if (err < 0)
        return error_set(e, -err, "list the addresses of link %d", index);
    *addr = f.addr;
    *prefix = f.prefix;
    return 0;
}

int rtnl_veth_add(struct rtnl *r, const char *name, int master, const char *peer, int netns_fd,
                  struct congo_error *e)
{
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = link_request(r, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
    struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
    mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
    struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
    struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
    struct nlattr *peer_info = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
    struct ifinfomsg *pi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pi));
    pi->ifi_family = AF_UNSPEC;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
    mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
    mnl_attr_nest_end(nlh, peer_info);
    mnl_attr_nest_end(nlh, data);
    mnl_attr_nest_end(nlh, info);
    int err = talk(r, nlh, NULL, NULL);
    if (err < 0)
        return error_set(e, -err, "create the veth pair `%s`", name);
    return 0;
}

int rtnl_route_default(struct rtnl *r, uint32_t gateway, struct congo_error *e)
{
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = request(r, buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
    struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
    rtm->rtm_family = AF_INET;
    rtm->rtm_table = RT_TABLE_MAIN;
    rtm->rtm_protocol = RTPROT_BOOT;
    rtm->rtm_scope = RT_SCOPE_UNIVERSE;
    rtm->rtm_type = RTN_UNICAST;
    mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(gateway));
    int err = talk(r, nlh, NULL, NULL);
    if (err < 0) {
        char text[16];
        return error_set(e, -err, "add the default route via %s", ipv4_format(gateway, text));
    }
    return 0;
}

int rtnl_link_del(struct rtnl *r, const char *name, struct congo_error *e)
{
    char buf[MNL_SOCKET_BUFFER_SIZE];
    struct nlmsghdr *nlh = link_request(r, buf, RTM_DELLINK, 0, 0);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
    int err = talk(r, nlh, NULL, NULL);
    if (err < 0 && err != -ENODEV)
        return error_set(e, -err, "remove link `%s`", name);
    return 0;
}
