/*
 * IPv4 networks, addresses and published ports as a profile writes them:
 * `10.89.0.0/24`, `10.89.0.7`, `8080:80`, `127.0.0.1:5353:53/udp`. Pure
 * functions: the profile checks the text with them, the plan and the
 * network engine use the parsed form. Addresses are in host byte order.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct ipv4_net {
    uint32_t addr; /* the network's first address */
    int prefix;    /* 0 ... 32 */
};

struct port_map {
    uint32_t host_addr; /* 0: every address of the host */
    uint16_t host_port, container_port;
    bool udp; /* else tcp */
};

/* A dotted quad. 0, or -1 with a message (caller frees). */
int ipv4_parse(const char *text, uint32_t *addr, char **why);

/*
 * ADDRESS/PREFIX naming a network: host bits zero, prefix 8 to 30 (a
 * bridge needs room for its gateway and one container). 0, or -1 with a
 * message saying what is wrong and, for host bits, the network meant.
 */
int ipv4_net_parse(const char *text, struct ipv4_net *net, char **why);

static inline uint32_t ipv4_net_mask(const struct ipv4_net *net)
{
    return net->prefix ? ~(uint32_t)0 << (32 - net->prefix) : 0;
}

static inline bool ipv4_net_contains(const struct ipv4_net *net, uint32_t addr)
{
    return (addr & ipv4_net_mask(net)) == net->addr;
}

/* The first and last addresses a container may have: after the gateway (.1), before broadcast. */
static inline uint32_t ipv4_net_first(const struct ipv4_net *net)
{
    return net->addr + 2;
}

static inline uint32_t ipv4_net_last(const struct ipv4_net *net)
{
    return (net->addr | ~ipv4_net_mask(net)) - 1;
}

static inline uint32_t ipv4_net_gateway(const struct ipv4_net *net)
{
    return net->addr + 1;
}

/* "a.b.c.d" into buf (at least 16 bytes); returns buf. */
char *ipv4_format(uint32_t addr, char *buf);

/*
 * [HOST_ADDRESS:]HOST_PORT:CONTAINER_PORT[/tcp|/udp], ports 1 ... 65535.
 * 0, or -1 with a message (caller frees).
 */
int port_map_parse(const char *text, struct port_map *pm, char **why);

/* The same text back, normalised (/tcp left out). Caller frees. */
char *port_map_format(const struct port_map *pm);

/* Two entries claim the same host port: same protocol and port, addresses equal or one any. */
bool port_map_clash(const struct port_map *a, const struct port_map *b);
