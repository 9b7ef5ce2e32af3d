/*
 * The container's side of a run: everything the cloned child does, in
 * order, from the launcher's release to the exec of the command.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "plan/plan.h"
#include "runtime/cgroup.h"
#include "runtime/hooks.h"
#include "runtime/nsjoin.h"
#include "runtime/security.h"
#include "runtime/userns.h"

struct child_ctx {
    const struct run_plan *plan;
    const struct security_ctx *sec;
    const struct cgroup_host *host;
    const struct cgroup *cg;
    const struct ns_joins *joins; /* the namespaces named by path, opened by the launcher */
    int sync_fd;
    bool want_tty;    /* stdin is a terminal: the command gets one of its own */
    struct winsize winsize;
    bool late_cgroup; /* v1: the launcher makes the cgroup after the clone */
    bool verbose;     /* send each step's timing */
    int out_fd;       /* detached: the command's stdout and stderr (a pipe to the log); else -1 */
    /*
     * Created, not started (OCI create): the child outlives the launcher,
     * keeps the caller's stdio (or its own terminal), says SYNC_READY when
     * all but the exec is done, and execs once a byte can be read from
     * start_fd. -1: an ordinary run.
     */
    int start_fd;
    int started_fd; /* created: a byte once its start_container hooks have run; else -1 */
    int preserve_fds; /* fds 3 to 2 + preserve_fds: the command's (OCI --preserve-fds) */
    bool no_pivot;    /* OCI --no-pivot: rootfs_steps.no_pivot */
    /* The network namespace came before its veth: SYNC_NET_READY, awaited before any hook. */
    bool net_pending;
    const struct userns *userns; /* its user namespace's maps; inactive: the host's */
    /* The network's /etc/resolv.conf and /etc/hosts (net.c); NULL: the root's own. */
    const char *resolv_conf, *hosts;
    struct hook_state hook; /* its pid comes with SYNC_HOOKS, when the plan has such hooks */
    /* The child's own. */
    bool joined_late; /* the cgroup and network namespace were joined */
    char **envp;
    uid_t uid; /* the user the command runs as */
};

/*
 * Runs privileged in the new namespaces, and never returns: it execs the
 * command (through the init when the plan has one), or reports its failure
 * over the sync socket and exits with the status the launcher returns.
 */
_Noreturn void child_main(struct child_ctx *c);

uint64_t now_us(void);
