/* IPv4 networks, addresses and published ports; see netaddr.h. */
#include "util/netaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

int ipv4_parse(const char *text, uint32_t *addr, char **why)
{
    struct in_addr a;
    /* inet_pton takes only the four-part dotted decimal form, no octal or short forms. */
    if (inet_pton(AF_INET, text, &a) != 1) {
        *why =
            xasprintf("`%s` is not an IPv4 address (four numbers 0-255, such as 10.89.0.7)", text);
        return -1;
    }
    *addr = ntohl(a.s_addr);
    return 0;
}

char *ipv4_format(uint32_t addr, char *buf)
{
    snprintf(buf, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
             addr & 0xff);
    return buf;
}

/* A decimal number of at most max, all digits, no sign or leading zero; -1 if not. */
static long parse_number(const char *s, size_t len, long max)
{
    if (len == 0 || len > 5 || (len > 1 && s[0] == '0'))
        return -1;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v <= max ? v : -1;
}

int ipv4_net_parse(const char *text, struct ipv4_net *net, char **why)
{
    const char *slash = strchr(text, '/');
    if (!slash) {
        *why = xasprintf("`%s` is not a network: write ADDRESS/PREFIX, such as 10.89.0.0/24", text);
        return -1;
    }
    _cleanup_free_ char *addr_text = xstrndup(text, (size_t)(slash - text));
    uint32_t addr;
    if (ipv4_parse(addr_text, &addr, why) < 0)
        return -1;
    long prefix = parse_number(slash + 1, strlen(slash + 1), 32);
    if (prefix < 0) {
        *why = xasprintf("`%s` in `%s` is not a prefix length 0-32", slash + 1, text);
        return -1;
    }
    if (prefix < 8 || prefix > 30) {
        *why = xasprintf("/%ld in `%s`: a bridge's subnet is /8 to /30 (room for its gateway and "
                         "at least one container)",
                         prefix, text);
        return -1;
    }
    net->prefix = (int)prefix;
    net->addr = addr & ipv4_net_mask(net);
    if (net->addr != addr) {
        char buf[16];
        *why = xasprintf("`%s` is an address inside a network, not the network: did you mean "
                         "%s/%ld?",
                         text, ipv4_format(net->addr, buf), prefix);
        return -1;
    }
    return 0;
}

static int port_part(const char *s, size_t len, const char *text, const char *what, uint16_t *out,
                     char **why)
{
    long v = parse_number(s, len, 65535);
    if (v < 1) {
        *why = xasprintf("%s `%.*s` in `%s` is not a port 1-65535", what, (int)len, s, text);
        return -1;
    }
    *out = (uint16_t)v;
    return 0;
}

int port_map_parse(const char *text, struct port_map *pm, char **why)
{
    *pm = (struct port_map){0};
    _cleanup_free_ char *s = xstrdup(text);
    char *proto = strchr(s, '/');
    if (proto) {
        *proto++ = '\0';
        if (strcmp(proto, "udp") == 0)
            pm->udp = true;
        else if (strcmp(proto, "tcp") != 0) {
            *why = xasprintf("`/%s` in `%s` is not a protocol: /tcp or /udp", proto, text);
            return -1;
        }
    }
    char *last = strrchr(s, ':');
    if (!last) {
        *why = xasprintf("`%s` is not a published port: write HOST_PORT:CONTAINER_PORT, "
                         "optionally HOST_ADDRESS: in front and /udp after",
                         text);
        return -1;
    }
    if (port_part(last + 1, strlen(last + 1), text, "container port", &pm->container_port, why) < 0)
        return -1;
    *last = '\0';
    char *host_port = strrchr(s, ':');
    if (host_port) {
        *host_port++ = '\0';
        if (ipv4_parse(s, &pm->host_addr, why) < 0)
            return -1;
        if (pm->host_addr == 0) {
            *why = xasprintf("0.0.0.0 in `%s`: leave the host address out to publish on every "
                             "address",
                             text);
            return -1;
        }
    } else {
        host_port = s;
    }
    return port_part(host_port, strlen(host_port), text, "host port", &pm->host_port, why);
}

char *port_map_format(const struct port_map *pm)
{
    char buf[16];
    return xasprintf("%s%s%u:%u%s", pm->host_addr ? ipv4_format(pm->host_addr, buf) : "",
                     pm->host_addr ? ":" : "", pm->host_port, pm->container_port,
                     pm->udp ? "/udp" : "");
}

bool port_map_clash(const struct port_map *a, const struct port_map *b)
{
    return a->udp == b->udp && a->host_port == b->host_port &&
           (a->host_addr == b->host_addr || !a->host_addr || !b->host_addr);
}
