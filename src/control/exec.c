/*
 * --exec: the container's own profile, as it was recorded when it started
 * (profile.yaml in its entry), gives the plan, and the engine runs the
 * command in it with that plan's policy (runtime/join.c).
 */
#include <errno.h>
#include <limits.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>

#include "control/control-internal.h"
#include "control/control.h"
#include "plan/plan.h"
#include "profile/stack.h"
#include "runtime/join.h"
#include "util/util.h"

/*
 * The filter the container's command runs under, as its launcher compiled
 * it: a seccomp file read again now might say something else. None: the
 * container runs unconfined.
 */
static int load_filter(const struct state_entry *s, struct run_plan *plan, struct diags *d)
{
    _cleanup_free_ char *path = xasprintf("%s/seccomp.bpf", s->dir);
    _cleanup_free_ char *data = NULL;
    size_t len;
    int r = read_file_max(path, BPF_MAXINSNS * sizeof(struct sock_filter), &data, &len);
    if (r == -ENOENT)
        return 0;
    if (r < 0 || len == 0 || len % sizeof(struct sock_filter)) {
        diags_add(d, DIAG_ERROR, path, 0, 0, NULL, "not a seccomp filter");
        return -1;
    }
    free(plan->seccomp);
    plan->seccomp = xmalloc(len);
    memcpy(plan->seccomp, data, len);
    plan->seccomp_len = (unsigned short)(len / sizeof(struct sock_filter));
    /* And the flags it is loaded with, when its policy gave any. */
    _cleanup_free_ char *flags_path = xasprintf("%s/seccomp.flags", s->dir);
    _cleanup_free_ char *flags = NULL;
    r = read_file_max(flags_path, 32, &flags, &len);
    if (r == -ENOENT)
        return 0;
    char *end = NULL;
    unsigned long v = r < 0 ? 0 : strtoul(flags, &end, 10);
    if (r < 0 || end == flags || (*end && *end != '\n') || v > UINT_MAX) {
        fprintf(stderr, "congo-launch: `%s` is not a set of seccomp flags\n", flags_path);
        return -1;
    }
    plan->seccomp_flags = (unsigned)v;
    return 0;
}

int control_exec_plan(const struct state_entry *s, const struct control_exec_layers *x,
                      struct run_plan *plan, struct diags *d)
{
    _cleanup_free_ char *path = xasprintf("%s/profile.yaml", s->dir);
    struct profile p;
    profile_init(&p);
    struct stack_opts so = {.profile = path,
                            .process = x ? x->process : NULL,
                            .ops = x ? x->ops : NULL,
                            .n_ops = x ? x->n_ops : 0,
                            .verbose = x ? x->verbose : NULL};
    int r = profile_load(&p, &so, d) < 0 ? -1 : plan_build(&p, plan, d);
    if (r == 0 && load_filter(s, plan, d) < 0) {
        plan_free(plan);
        r = -1;
    }
    profile_free(&p);
    return r;
}

/*
 * The plan the container was started with, from the profile recorded in
 * its entry (kept without its seccomp key), and its seccomp filter.
 */
static int plan_of(const struct state_entry *s, struct run_plan *plan, FILE *verbose)
{
    struct diags d = {0};
    struct control_exec_layers x = {.verbose = verbose};
    int r = control_exec_plan(s, &x, plan, &d);
    if (r < 0) {
        diags_print(&d, stderr);
        fprintf(stderr,
                "congo-launch: the profile container `%s` (%s) was started from no longer loads\n",
                s->name, s->id);
    }
    diags_free(&d);
    return r;
}

int control_exec(const char *ref, const struct control_exec *x)
{
    struct state_entry s;
    int r = control_find(ref, &s, true);
    if (r)
        return r;
    if (s.status != STATE_RUNNING || s.pid <= 0) {
        fprintf(stderr, "congo-launch: container `%s` (%s) is still starting; try again\n", s.name,
                s.id);
        state_entry_free(&s);
        return CONTROL_NOT_FOUND;
    }
    struct run_plan plan;
    if (plan_of(&s, &plan, x->verbose) < 0) {
        state_entry_free(&s);
        return 125;
    }
    struct join_request jr = {
        .pid = s.pid,
        .pid_start = s.pid_start,
        .moved_root = s.no_pivot,
        .cgroups = s.cgroups,
        .argv = x->argv,
        .user = x->user,
        .workdir = x->workdir,
        .env = x->env,
    };
    struct run_opts ro = {.verbose = x->verbose};
    struct run_result rr;
    runtime_join(&plan, &jr, &ro, &rr);
    plan_free(&plan);
    state_entry_free(&s);
    if (rr.error.msg)
        fprintf(stderr, "congo-launch: %s\n", rr.error.msg);
    if (rr.warning.msg)
        fprintf(stderr, "congo-launch: warning: %s\n", rr.warning.msg);
    int status = rr.status;
    run_result_free(&rr);
    return status;
}
