/*
 * The sync socket between the launcher and its child: a SOCK_SEQPACKET
 * pair, one message whole or nothing, with fds passed as SCM_RIGHTS.
 *
 * The child cannot print reliably (its stderr may be the container's
 * terminal, and it runs in namespaces the caller cannot see), so its log
 * lines and its failure travel here, structured: the step that failed, the
 * errno and the message. The socket closing on exec (O_CLOEXEC) tells the
 * launcher the exec worked.
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

enum sync_kind {
    SYNC_LOG = 1, /* a set-up step's timing, for -v */
    SYNC_ERROR,   /* the child failed: its exit status, step, errno and message */
    SYNC_PTY,     /* the master of the container's terminal, as SCM_RIGHTS */
    SYNC_CGROUP,  /* to the child: its cgroup's tasks files (v1), as SCM_RIGHTS */
    SYNC_NETNS,   /* to the child: its network namespace, as SCM_RIGHTS */
    SYNC_PID,     /* --exec: the command's process, as the launcher sees its pid (in status) */
    SYNC_EXEC,    /* the command is about to be exec'd: the socket's end after it means it was */
    SYNC_READY,   /* created, not started: everything done but the exec, which waits */
    SYNC_IDMAPPED, /* to the child: id-mapped trees of rootfs, the layers and the upper */
    SYNC_HOOKS,    /* the root is assembled: the launcher's hooks may run; its answer: the pid */
    SYNC_NET_READY, /* to the child: its network namespace, sent before, is now wired */
};

/* The most fds one message carries: a tasks file per v1 hierarchy, an id-mapped tree per layer. */
#define SYNC_MAX_FDS 64

struct sync_msg {
    int32_t kind;
    int32_t status; /* SYNC_ERROR: the exit status the launcher reports */
    int32_t err;    /* SYNC_ERROR: errno, or 0 */
    char step[40];  /* SYNC_ERROR: the set-up step that failed */
    char text[1960];
};

/* A message of kind with nothing else in it (SYNC_EXEC). */
void sync_send_kind(int sock, enum sync_kind kind);
/* A log line (SYNC_LOG). */
void sync_send_log(int sock, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The child's failure (SYNC_ERROR): e's errno and message, and the step it failed in. */
void sync_send_error(int sock, int status, const char *step, const struct congo_error *e);
/* A message carrying n fds (n <= SYNC_MAX_FDS); the receiver gets its own copies. -1 on error. */
int sync_send_fds(int sock, enum sync_kind kind, const int *fds, int n);

/*
 * One message and the fds it carries (at most max; *n_fds of them, the
 * rest closed). Returns what recvmsg returned: 0 at the peer's end.
 */
ssize_t sync_recv_fds(int sock, struct sync_msg *m, int *fds, int max, int *n_fds, int flags);
/* The same with at most one fd: -1 in *passed_fd when there is none. */
ssize_t sync_recv(int sock, struct sync_msg *m, int *passed_fd, int flags);

/* A SYNC_ERROR message as an error: errno, message and step. */
void sync_error_of(const struct sync_msg *m, struct congo_error *e);
