/*
 * The few rtnetlink requests congo's networks make: links (a bridge, a
 * veth pair), IPv4 addresses and the default route, through nl.c. Each
 * request waits for the kernel's answer; errors name the link and the
 * step. A socket talks to the network namespace it was opened in.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "runtime/nl.h"
#include "util/error.h"

struct rtnl {
    struct nl nl; /* fd 0 (zeroed): not open */
};

/* A socket in the calling thread's network namespace. */
int rtnl_open(struct rtnl *r, struct congo_error *e);
void rtnl_close(struct rtnl *r);

/* A link by name: its index (0 when there is none) and its kind ("bridge", "veth", "" if none). */
int rtnl_link_get(struct rtnl *r, const char *name, int *index, char kind[16],
                  struct congo_error *e);

/*
 * A new bridge, its MAC address made of gateway's (02:43:a:b:c:d); an
 * existing link of that name is left alone (0).
 */
int rtnl_bridge_add(struct rtnl *r, const char *name, uint32_t gateway, struct congo_error *e);

/* Up. */
int rtnl_link_up(struct rtnl *r, int index, const char *name, struct congo_error *e);

/* addr/prefix on link index; already there is 0. Host byte order. */
int rtnl_addr_add(struct rtnl *r, int index, const char *name, uint32_t addr, int prefix,
                  struct congo_error *e);

/* The first IPv4 address on link index and its prefix; *addr 0 when it has none. */
int rtnl_addr_first(struct rtnl *r, int index, uint32_t *addr, int *prefix, struct congo_error *e);

/*
 * A veth pair: name here, up and enslaved to master; peer, down, in the
 * network namespace netns_fd, its MAC address made of peer_addr's
 * (02:43:A:B:C:D). -1 with e->err EEXIST when name is taken.
 */
int rtnl_veth_add(struct rtnl *r, const char *name, int master, const char *peer,
                  uint32_t peer_addr, int netns_fd, struct congo_error *e);

/* The default route via gateway. */
int rtnl_route_default(struct rtnl *r, uint32_t gateway, struct congo_error *e);

/* Remove a link by name; none of that name is 0. */
int rtnl_link_del(struct rtnl *r, const char *name, struct congo_error *e);
