/*
 * congo-oci exec: a command in a running container, as runc's exec, for
 * `podman exec` (through conmon), `kubectl exec` and probes (through
 * containerd's shim).
 *
 * The command is congo-launch --exec's: it joins every namespace of the
 * container and its cgroup, and runs under the policy of the container's
 * own command, from the profile recorded in its entry; a process.json is
 * one more layer of that profile (src/profile/stack.c), so its args, env,
 * cwd, user, capabilities, rlimits and noNewPrivileges go through the same
 * checks as config.json's. Detached, congo-oci returns once the command has
 * been exec'd and leaves it to the engine's subreaper, as create leaves the
 * container's first process.
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "oci/oci-internal.h"
#include "plan/plan.h"
#include "profile/stack.h"
#include "runtime/join.h"
#include "runtime/runtime.h"
#include "util/util.h"

/* process.terminal, when the file says it; the profile's reading of the file reports the rest. */
static bool process_terminal(const char *path)
{
    json_error_t jerr;
    json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    bool t = json_is_true(json_object_get(o, "terminal"));
    json_decref(o);
    return t;
}

/* Where the command's terminal may go, as runc allows it. 0, or 1 with the reason. */
static int check_terminal(const struct oci_args *a, bool terminal)
{
    if (terminal && a->detach && !a->console_socket)
        return oci_fail("exec: a detached command's terminal goes to --console-socket, and none "
                        "was given");
    if (a->console_socket && !terminal)
        return oci_fail("exec: --console-socket is for a terminal, and the command has none "
                        "(--tty or process.terminal)");
    if (a->console_socket && !a->detach)
        return oci_fail("exec: --console-socket without --detach is not supported: congo-oci "
                        "relays the terminal itself when it waits for the command");
    return 0;
}

/* --cap and --no-new-privs: profile settings over the container's, as `--set` gives them. */
static struct stack_op *policy_ops(const struct oci_args *a, size_t *n, char ***texts)
{
    /* A --set per --cap, and one for no_new_privileges. */
    struct stack_op *ops = xcalloc(strv_len(a->caps) + 2, sizeof(*ops));
    *n = 0;
    for (size_t i = 0; a->caps && a->caps[i]; i++) {
        const char *name = a->caps[i];
        if (strncasecmp(name, "CAP_", 4) == 0)
            name += 4;
        strv_push(texts, xasprintf("capabilities.add=[\"%s\"]", name));
    }
    if (a->no_new_privs)
        strv_push(texts, xstrdup("no_new_privileges=true"));

    for (size_t i = 0; *texts && (*texts)[i]; i++)
        ops[(*n)++] = (struct stack_op){.kind = STACK_SET, .arg = (*texts)[i]};
    return ops;
}

static int write_pid_file(void *arg, pid_t pid, char *const *cgroups, struct congo_error *e)
{
    (void)cgroups;
    const char *path = arg;
    if (oci_write_pid_file(path, pid) < 0)
        return error_set(e, errno, "--pid-file `%s`", path);
    return 0;
}

/* The detached command's pid to --pid-file, its terminal to --console-socket. */
static int hand_over(const struct oci_args *a, const struct run_result *rr)
{
    int r = 0;
    if (a->pid_file && oci_write_pid_file(a->pid_file, rr->pid) < 0)
        r = oci_fail("--pid-file `%s`: %s", a->pid_file, strerror(errno));
    else if (rr->pty_master >= 0 && oci_send_console(a->console_socket, rr->pty_master) < 0)
        r = oci_fail("--console-socket `%s`: %s", a->console_socket, strerror(errno));
    if (r)
        kill(rr->pid, SIGKILL);
    return r;
}

static int exec_in(const struct oci_args *a, const struct state_entry *s, bool terminal,
                   int passed)
{
    _cleanup_strv_ char **texts = NULL;
    size_t n_ops;
    _cleanup_free_ struct stack_op *ops = policy_ops(a, &n_ops, &texts);
    struct control_exec_layers layers = {.process = a->process,
                                         .ops = ops,
                                         .n_ops = n_ops,
                                         .verbose = a->debug ? stderr : NULL};
    struct run_plan plan;
    struct diags d = {0};
    if (control_exec_plan(s, &layers, &plan, &d) < 0) {
        int r = oci_fail_diags(&d);
        diags_free(&d);
        return r;
    }
    diags_free(&d);
    /* runc's -g: added to the command's supplementary groups (the config's, for a bundle). */
    for (size_t i = 0; a->additional_gids && a->additional_gids[i]; i++)
        strv_push(&plan.groups, xstrdup(a->additional_gids[i]));
    struct join_request jr = {
        .pid = s->pid,
        .pid_start = s->pid_start,
        .moved_root = s->no_pivot,
        .cgroups = s->cgroups,
        .argv = a->process ? plan.argv : (char *const *)a->exec_argv,
        .user = a->user,
        .workdir = a->cwd,
        .env = a->env,
        .terminal = terminal ? JOIN_TERMINAL_NEW : JOIN_TERMINAL_NONE,
        .detach = a->detach,
        .preserve_fds = passed,
    };
    /* In the foreground, the pid file is written once the command's process is there. */
    const struct run_events events = {.created = write_pid_file, .arg = (void *)a->pid_file};
    struct run_opts ro = {.verbose = a->debug ? stderr : NULL,
                          .events = a->pid_file && !a->detach ? &events : NULL};
    struct run_result rr;
    runtime_join(&plan, &jr, &ro, &rr);
    plan_free(&plan);
    int status = rr.status;
    if (rr.error.msg)
        oci_fail("exec in container `%s`: %s", a->id, rr.error.msg);
    else if (status == 0 && a->detach)
        status = hand_over(a, &rr);
    if (rr.warning.msg)
        oci_warn(rr.warning.msg);
    run_result_free(&rr);
    return status;
}

int oci_exec(const struct oci_args *a)
{
    int passed = oci_passed_fds(a);
    if (passed < 0)
        return 1;
    bool terminal = a->tty || (a->process && process_terminal(a->process));
    if (check_terminal(a, terminal))
        return 1;
    for (size_t i = 0; a->additional_gids && a->additional_gids[i]; i++) {
        uint32_t gid;
        const char *g = a->additional_gids[i];
        if (!parse_u32(g, strlen(g), &gid))
            return oci_fail("exec: --additional-gids `%s` is not a group id (a number)", g);
    }
    struct state_entry s;
    if (oci_find(a, &s))
        return 1;
    enum state_status st = oci_status_of(&s);
    int r = st == STATE_RUNNING ? exec_in(a, &s, terminal, passed)
                                : oci_fail("cannot exec in container `%s`: it is %s, not running",
                                           a->id, state_status_name(st));
    state_entry_free(&s);
    return r;
}
