/*
 * Netlink messages; see nl.h. What libmnl does for nspawn and others, cut
 * to the requests congo makes: Debian's libmnl has no static library, and
 * congo-launch is linked statically.
 */
#include "runtime/nl.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int nl_open(struct nl *nl, int protocol)
{
    nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
    if (nl->fd < 0)
        return -1;
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int err = errno;
        close(nl->fd);
        nl->fd = -1;
        errno = err;
        return -1;
    }
    nl->seq = (uint32_t)time(NULL);
    return 0;
}

void nl_close(struct nl *nl)
{
    if (nl->fd >= 0)
        close(nl->fd);
    nl->fd = -1;
}

struct nlmsghdr *nl_request(struct nl *nl, char *buf, uint16_t type, uint16_t flags)
{
    memset(buf, 0, NLMSG_HDRLEN);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    h->nlmsg_len = NLMSG_HDRLEN;
    h->nlmsg_type = type;
    h->nlmsg_flags = NLM_F_REQUEST | flags;
    h->nlmsg_seq = ++nl->seq;
    return h;
}

/* Every piece fits NL_BUFSIZE: the requests are a few hundred bytes at most. */
static void *grow(struct nlmsghdr *h, size_t len)
{
    char *at = (char *)h + NLMSG_ALIGN(h->nlmsg_len);
    size_t aligned = NLMSG_ALIGN(len);
    memset(at, 0, aligned);
    h->nlmsg_len = (uint32_t)(NLMSG_ALIGN(h->nlmsg_len) + aligned);
    return at;
}

void *nl_extra(struct nlmsghdr *h, size_t len)
{
    return grow(h, len);
}

void nl_put(struct nlmsghdr *h, uint16_t type, const void *data, size_t len)
{
    struct nlattr *a = grow(h, NLA_HDRLEN + len);
    a->nla_type = type;
    a->nla_len = (uint16_t)(NLA_HDRLEN + len);
    memcpy((char *)a + NLA_HDRLEN, data, len);
}

void nl_put_str(struct nlmsghdr *h, uint16_t type, const char *s)
{
    nl_put(h, type, s, strlen(s) + 1);
}

void nl_put_u32(struct nlmsghdr *h, uint16_t type, uint32_t v)
{
    nl_put(h, type, &v, sizeof(v));
}

struct nlattr *nl_nest_start(struct nlmsghdr *h, uint16_t type)
{
    struct nlattr *a = grow(h, NLA_HDRLEN);
    a->nla_type = NLA_F_NESTED | type;
    return a;
}

void nl_nest_end(struct nlmsghdr *h, struct nlattr *nest)
{
    nest->nla_len = (uint16_t)((char *)h + h->nlmsg_len - (char *)nest);
}

void nl_attrs(const void *start, const void *end, int (*f)(const struct nlattr *a, void *arg),
              void *arg)
{
    const char *p = start, *e = end;
    while (p + NLA_HDRLEN <= e) {
        const struct nlattr *a = (const void *)p;
        if (a->nla_len < NLA_HDRLEN || p + a->nla_len > e)
            return;
        if (f(a, arg))
            return;
        p += NLA_ALIGN(a->nla_len);
    }
}

int nl_talk(struct nl *nl, struct nlmsghdr *h, int (*cb)(const struct nlmsghdr *m, void *arg),
            void *arg)
{
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    uint32_t seq = h->nlmsg_seq;
    /* NLM_F_DUMP is two bits, and one of them is NLM_F_EXCL of a new object's request. */
    bool dump = (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP && !(h->nlmsg_flags & NLM_F_CREATE);
    if (sendto(nl->fd, h, h->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
        return -errno;
    /* Aligned for the headers read out of it. */
    static _Alignas(struct nlmsghdr) char buf[32768];
    for (;;) {
        ssize_t n = recv(nl->fd, buf, sizeof(buf), 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        size_t left = (size_t)n;
        for (struct nlmsghdr *m = (struct nlmsghdr *)buf; NLMSG_OK(m, left);
             m = NLMSG_NEXT(m, left)) {
            if (m->nlmsg_seq != seq)
                continue; /* an answer to an earlier request, abandoned */
            if (m->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *err = NLMSG_DATA(m);
                if (m->nlmsg_len < NLMSG_LENGTH(sizeof(*err)))
                    return -EBADMSG;
                /* 0: the acknowledgement; for a dump, only after its end. */
                if (err->error || !dump)
                    return err->error;
                continue;
            }
            if (m->nlmsg_type == NLMSG_DONE)
                return 0;
            if (cb && cb(m, arg))
                return -ECANCELED;
            /* A request without NLM_F_ACK whose answer is one message ends with it. */
            if (!dump && !(h->nlmsg_flags & NLM_F_ACK))
                return 0;
        }
    }
}
