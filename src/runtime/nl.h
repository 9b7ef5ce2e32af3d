/*
 * Netlink messages, the few pieces congo's networks need: a request built
 * in a buffer (header, family header, attributes, nests), sent on a
 * socket of one protocol, and its answers read until the kernel's
 * acknowledgement or the end of a dump. Requests are synchronous: one at a
 * time on a socket, each answered before the next.
 */
#pragma once

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

#define NL_BUFSIZE 8192

struct nl {
    int fd;
    uint32_t seq;
};

/* A socket of protocol (NETLINK_ROUTE, NETLINK_NETFILTER) in the thread's network namespace. */
int nl_open(struct nl *nl, int protocol);
void nl_close(struct nl *nl);

/* A request of type in buf (NL_BUFSIZE bytes), its next sequence number set. */
struct nlmsghdr *nl_request(struct nl *nl, char *buf, uint16_t type, uint16_t flags);
/* Room for a family header (ifinfomsg, ...) after the message's header, zeroed. */
void *nl_extra(struct nlmsghdr *h, size_t len);
void nl_put(struct nlmsghdr *h, uint16_t type, const void *data, size_t len);
void nl_put_str(struct nlmsghdr *h, uint16_t type, const char *s);
void nl_put_u32(struct nlmsghdr *h, uint16_t type, uint32_t v);
struct nlattr *nl_nest_start(struct nlmsghdr *h, uint16_t type);
void nl_nest_end(struct nlmsghdr *h, struct nlattr *nest);

/* The family header of a message (ifinfomsg, ...), right after its netlink header. */
static inline void *nl_payload(const struct nlmsghdr *h)
{
    return (char *)h + NLMSG_HDRLEN;
}

/* Calls f on each attribute from start to end; stops when f returns nonzero. */
void nl_attrs(const void *start, const void *end, int (*f)(const struct nlattr *a, void *arg),
              void *arg);
static inline const void *nl_attr_data(const struct nlattr *a)
{
    return (const char *)a + NLA_HDRLEN;
}
static inline size_t nl_attr_len(const struct nlattr *a)
{
    return a->nla_len - NLA_HDRLEN;
}
static inline uint16_t nl_attr_type(const struct nlattr *a)
{
    return a->nla_type & NLA_TYPE_MASK;
}

/*
 * Send h and read its answers: cb (may be NULL) sees each message that is
 * neither the acknowledgement nor the end of a dump. 0, or -errno (the
 * kernel's error for the request, or the socket's).
 */
int nl_talk(struct nl *nl, struct nlmsghdr *h, int (*cb)(const struct nlmsghdr *m, void *arg),
            void *arg);
