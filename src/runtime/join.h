/* --exec: a command in a running container, under the policy of its own command. */
#pragma once

#include <sys/types.h>

#include "plan/plan.h"
#include "runtime/runtime.h"

enum join_terminal {
    JOIN_TERMINAL_AUTO, /* one of its own when stdin is a terminal, relayed to it */
    JOIN_TERMINAL_NONE, /* the caller's stdio, whatever it is */
    JOIN_TERMINAL_NEW,  /* one of its own: relayed, or its master in the result when detached */
};

struct join_request {
    pid_t pid;                    /* the container's first process */
    unsigned long long pid_start; /* and its start time, as the state recorded it */
    /*
     * Its root was moved over `/` (--no-pivot), not pivoted into: setns
     * gives whatever is stacked on the namespace's root, which is the
     * container's only until it unmounts it. Entered by its process's root.
     */
    bool moved_root;
    char *const *cgroups;         /* the container's cgroup directories */
    char *const *argv;            /* the command */
    const char *user;             /* --user, or NULL: the plan's */
    const char *workdir;          /* --workdir, or NULL: the plan's */
    char *const *env;             /* --env NAME=value, after the plan's; may be NULL */
    enum join_terminal terminal;
    /*
     * Return once the command has been exec'd, its pid in r->pid (and its
     * terminal's master in r->pty_master): it is not the caller's child but
     * goes, when the helper exits, to the caller's nearest subreaper.
     */
    bool detach;
    int preserve_fds; /* fds 3 to 2 + preserve_fds go to the command (OCI --preserve-fds) */
};

/*
 * Run x's command in the container whose first process is x->pid, with
 * the plan it was started from: every namespace it has, its cgroup, and
 * the same capabilities, rlimits, seccomp filter, no_new_privileges and
 * user resolution as its command; a terminal of its own when stdin is
 * one, the caller's stdio otherwise. Fills r as runtime_run does: the
 * command's status, 125 when congo-launch failed, 126/127 when the command
 * could not be executed or found; 1 when the container is gone. Detached,
 * status 0 once the command has been exec'd.
 */
void runtime_join(const struct run_plan *plan, const struct join_request *x,
                  const struct run_opts *o, struct run_result *r);
