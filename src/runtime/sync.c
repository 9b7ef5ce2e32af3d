/* The sync socket's messages; see sync.h. */
#include "runtime/sync.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/util.h"

static void send_msg(int sock, const struct sync_msg *m)
{
    /* SOCK_SEQPACKET: one message, whole, or nothing. */
    while (send(sock, m, sizeof(*m), MSG_NOSIGNAL) < 0 && errno == EINTR)
        ;
}

void sync_send_kind(int sock, enum sync_kind kind)
{
    struct sync_msg m = {.kind = kind};
    send_msg(sock, &m);
}

void sync_send_log(int sock, const char *fmt, ...)
{
    struct sync_msg m = {.kind = SYNC_LOG};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m.text, sizeof(m.text), fmt, ap);
    va_end(ap);
    send_msg(sock, &m);
}

void sync_send_error(int sock, int status, const char *step, const struct congo_error *e)
{
    struct sync_msg m = {.kind = SYNC_ERROR, .status = status, .err = e->err};
    snprintf(m.step, sizeof(m.step), "%s", step ? step : "");
    snprintf(m.text, sizeof(m.text), "%s", e->msg ? e->msg : "unknown error");
    send_msg(sock, &m);
}

int sync_send_fds(int sock, enum sync_kind kind, const int *fds, int n)
{
    struct sync_msg m = {.kind = kind};
    char control[CMSG_SPACE(sizeof(int) * SYNC_MAX_FDS)] = {0};
    struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (n > 0) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
        memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)n);
    }
    return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

ssize_t sync_recv_fds(int sock, struct sync_msg *m, int *fds, int max, int *n_fds, int flags)
{
    char control[CMSG_SPACE(sizeof(int) * SYNC_MAX_FDS)];
    struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = control,
        .msg_controllen = sizeof(control),
    };
    /*
     * ECONNRESET: the peer closed while a message to it lay unread (a child
     * that failed before it read the launcher's next message). The kernel
     * reports that once, ahead of the messages still queued here, such as
     * the child's own error: read on.
     */
    ssize_t n;
    while ((n = recvmsg(sock, &msg, flags | MSG_CMSG_CLOEXEC)) < 0 &&
           (errno == EINTR || errno == ECONNRESET))
        ;
    *n_fds = 0;
    if (n <= 0)
        return n;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        int got = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < got; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
            if (*n_fds < max)
                fds[(*n_fds)++] = fd;
            else
                close(fd);
        }
    }
    /* Whatever the peer sent, the strings end here. */
    m->step[sizeof(m->step) - 1] = '\0';
    m->text[sizeof(m->text) - 1] = '\0';
    return n;
}

ssize_t sync_recv(int sock, struct sync_msg *m, int *passed_fd, int flags)
{
    int n_fds;
    ssize_t n = sync_recv_fds(sock, m, passed_fd, 1, &n_fds, flags);
    if (n_fds == 0)
        *passed_fd = -1;
    return n;
}

void sync_error_of(const struct sync_msg *m, struct congo_error *e)
{
    error_clear(e);
    e->err = m->err;
    e->msg = xstrdup(m->text);
    if (m->step[0])
        e->step = xstrdup(m->step);
}
