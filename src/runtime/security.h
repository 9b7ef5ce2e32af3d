/*
 * What a command running as root inside may do, applied: the capability
 * sets, rlimits, oom_score_adj, umask, no_new_privileges and the seccomp
 * filter the plan holds.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "plan/plan.h"
#include "util/error.h"

/* What the parent settled before clone, for the child. */
struct security_ctx {
    const struct run_plan *plan;
    uint64_t caps; /* the plan's kept set, limited to what the launcher holds */
    int last_cap;  /* the running kernel's highest capability */
};

/*
 * In the parent, before clone: can the launcher grant what the plan asks?
 * A capability added by name or ambient that it does not hold, a hard
 * limit above its own without CAP_SYS_RESOURCE, or a nofile limit above
 * fs.nr_open is an error naming the key. Fills ctx for the child.
 */
int security_prepare(const struct run_plan *plan, struct security_ctx *ctx,
                     struct congo_error *e);

/*
 * In the child, as root, after the root is assembled and before the user
 * switch: oom_score_adj, rlimits, the bounding set reduced to the kept set,
 * ambient and inheritable sets cleared (and the permitted set kept across
 * the switch when there are ambient capabilities to raise, or CAP_SYS_ADMIN
 * for the filter), and the umask. Runs privileged.
 */
int security_apply_before_user(const struct security_ctx *ctx, struct congo_error *e);

/*
 * In the child, right after setgroups/setgid/setuid: for uid 0 the
 * effective and permitted sets become the kept set (a user switch to
 * another uid leaves the ambient capabilities alone), the ambient ones are
 * raised, and no_new_privileges. Without no_new_privileges, CAP_SYS_ADMIN
 * stays besides, for the filter.
 */
int security_apply_after_user(const struct security_ctx *ctx, uid_t uid,
                              struct congo_error *e);

/*
 * In the command's process, the last step before its execve (after the
 * program is found: the execve is the first call the filter sees): the
 * seccomp filter, with the policy's flags.
 */
int security_load_filter(const struct security_ctx *ctx, struct congo_error *e);

/*
 * In the init, once the command's process has exec'd: the init drops the
 * CAP_SYS_ADMIN kept for the command's filter and takes a filter of its
 * own, which allows only its waiting, forwarding, reaping and exit. uid is
 * the user it runs as. Nothing when the plan has no filter.
 */
int security_confine_init(const struct security_ctx *ctx, uid_t uid, struct congo_error *e);
