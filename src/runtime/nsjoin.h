/*
 * Namespaces the container joins by path (namespaces.net: /run/netns/blue)
 * instead of making them: opened and checked by the launcher before
 * anything of the run exists, entered by the child. The pid namespace is
 * the exception: setns only moves the children of its caller there, so
 * the launcher enters it for the clone alone.
 */
#pragma once

#include <stddef.h>

#include "plan/plan.h"
#include "util/error.h"

#define NSJOIN_MAX 8

struct ns_joins {
    int fd[NSJOIN_MAX]; /* one per plan->ns_joins, in its order */
    size_t n;
};

/*
 * Open every namespace the plan joins and check it: a namespace file
 * (nsfs), of the key's type (NS_GET_NSTYPE), and, where the container
 * writes into it (a host name or domain name into uts, kernel parameters
 * into net and ipc), not the launcher's own, which is the host's. -1 with
 * e naming the key and the path; j holds nothing then.
 */
int nsjoin_open(const struct run_plan *plan, struct ns_joins *j, struct congo_error *e);
void nsjoin_close(struct ns_joins *j);

/*
 * The launcher, around the clone: with a pid namespace to join, its next
 * child is born there. *restore is an fd of the launcher's own pid
 * namespace (-1 when there is nothing to join), for nsjoin_pid_leave,
 * which must follow even when the clone fails.
 */
int nsjoin_pid_enter(const struct run_plan *plan, const struct ns_joins *j, int *restore,
                     struct congo_error *e);
void nsjoin_pid_leave(int *restore);

/*
 * In the child: setns into every namespace joined by path, but the pid
 * one (the clone saw to it). Runs privileged in the child.
 */
int nsjoin_enter(const struct run_plan *plan, const struct ns_joins *j, struct congo_error *e);
