/*
 * A run with an entry in the state directory, in the foreground or
 * detached.
 *
 * Detached, the launcher forks a monitor and waits on a pipe: the monitor
 * leaves the caller's session (its own, no terminal, stdio to /dev/null
 * and the log), makes the entry and runs the container exactly as a
 * foreground launcher does, with the command's stdout and stderr drained
 * into the entry's log. When the command has been exec'd it writes `ok ID`
 * to the pipe; a start that fails writes `err STATUS` and the message.
 * Either way the caller returns then, and the monitor stays with the
 * container to the end: limits, stop_timeout and the clean-up are the same.
 */
#include "control/control.h"

#include <errno.h>
#include <linux/filter.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plan/plan.h"
#include "profile/print.h"
#include "runtime/log.h"
#include "runtime/runtime.h"
#include "state/state.h"
#include "util/util.h"

#define PROFILE_FILE "profile.yaml"
#define SECCOMP_FILE "seccomp.bpf"
#define SECCOMP_FLAGS_FILE "seccomp.flags"

struct run_ctx {
    const struct profile *p;
    const struct run_plan *plan;
    struct state_entry entry;
    int ready_fd; /* detached: the caller waiting for the start; else -1 */
};

int control_record(struct state_entry *s, const struct profile *p, const struct run_plan *plan,
                   pid_t pid, char *const *cgroups, struct congo_error *e)
{
    s->pid = pid;
    /* Without its start time the entry could never tell the process from a later one. */
    int r = proc_stat_field("/proc", pid, 22, &s->pid_start, NULL);
    if (r < 0)
        return error_set(e, -r, "the start time of the container's first process (%d)", (int)pid);
    strv_free(s->cgroups);
    s->cgroups = strv_copy(cgroups);
    /*
     * --exec's policy: the profile, and the filter as compiled now, which a
     * seccomp file changed or removed later must not alter. The profile is
     * kept without its seccomp key, so that reading it reads no such file.
     */
    struct profile unfiltered = *p;
    unfiltered.seccomp = (char *)"unconfined";
    unfiltered.seccomp_rules = NULL;
    unfiltered.seccomp_policy = NULL;
    _cleanup_free_ char *yaml = profile_print(&unfiltered, PRINT_YAML, false);
    /* A policy's flags (SECCOMP_FILTER_FLAG_LOG, ...) go with its filter, as a number. */
    _cleanup_free_ char *flags = xasprintf("%u\n", plan->seccomp_flags);
    if (state_save_file(s, PROFILE_FILE, yaml, strlen(yaml), e) < 0 ||
        (plan->seccomp && state_save_file(s, SECCOMP_FILE, plan->seccomp,
                                          plan->seccomp_len * sizeof(*plan->seccomp), e) < 0) ||
        (plan->seccomp_flags &&
         state_save_file(s, SECCOMP_FLAGS_FILE, flags, strlen(flags), e) < 0) ||
        state_save(s, e) < 0)
        return error_wrap(e, "record the container in the state directory");
    return 0;
}

/* The container exists: record its process and cgroup, and the profile --exec will need. */
static int on_created(void *arg, pid_t pid, char *const *cgroups, struct congo_error *e)
{
    struct run_ctx *ctx = arg;
    return control_record(&ctx->entry, ctx->p, ctx->plan, pid, cgroups, e);
}

/*
 * The word to the caller of a detached start. The caller may be gone
 * (interrupted, or under `timeout`): the container runs on all the same,
 * and the monitor must not die of the write (MSG_NOSIGNAL: a SIGPIPE
 * ignored for good would reach the command through execve).
 */
static void announce(struct run_ctx *ctx, const char *text)
{
    if (ctx->ready_fd < 0)
        return;
    size_t len = strlen(text);
    for (size_t off = 0; off < len;) {
        ssize_t w = send(ctx->ready_fd, text + off, len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(ctx->ready_fd);
    ctx->ready_fd = -1;
}

static void on_started(void *arg)
{
    struct run_ctx *ctx = arg;
    ctx->entry.status = STATE_RUNNING;
    struct congo_error ignored = {0};
    /* A stale `creating` hurts no one: --list and --exec go by the process. */
    state_save(&ctx->entry, &ignored);
    error_clear(&ignored);
    _cleanup_free_ char *ok = xasprintf("ok %s\n", ctx->entry.id);
    announce(ctx, ok);
}

/*
 * The bundle a hook is told of: the directory of the profile the run was
 * started from, or the working directory of a `run` command line.
 */
static char *bundle_of(const struct control_run *o)
{
    if (o->profile && o->profile[0] == '/') {
        const char *slash = strrchr(o->profile, '/');
        return slash == o->profile ? xstrdup("/")
                                   : xstrndup(o->profile, (size_t)(slash - o->profile));
    }
    char *cwd = getcwd(NULL, 0);
    return cwd ? cwd : xstrdup("/");
}

static int report(const struct run_result *rr)
{
    if (rr->error.msg)
        fprintf(stderr, "congo-launch: %s\n", rr->error.msg);
    if (rr->warning.msg)
        fprintf(stderr, "congo-launch: warning: %s\n", rr->warning.msg);
    return rr->status;
}

static void what_of(const struct run_plan *plan, const struct control_run *o,
                    struct state_entry *what)
{
    memset(what, 0, sizeof(*what));
    what->name = plan->name;
    what->profile = (char *)o->profile;
    what->detached = o->detach;
    what->stop_timeout_ms = plan->stop_timeout_ms;
    what->annotations = plan->annotations;
    what->no_pivot = o->no_pivot;
}

/* The monitor: never returns. Its caller reads what the start came to from ready. */
static _Noreturn void monitor(const struct profile *p, const struct run_plan *plan,
                              const struct control_run *o, int ready)
{
    struct run_ctx ctx = {.p = p, .plan = plan, .ready_fd = ready};
    struct congo_error e = {0};
    /*
     * Out of the caller's session, stdio, other fds and working directory:
     * a pipe the caller reads must not wait for this process, nor a file
     * system it is on stay busy, for as long as the container runs.
     */
    /* Before the chdir below: a `run` command line's bundle is the caller's directory. */
    _cleanup_free_ char *bundle = bundle_of(o);
    _cleanup_close_ int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    int keep[] = {ready, null};
    if (setsid() < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 ||
        close_all_but(keep, ARRAY_SIZE(keep)) < 0 || chdir("/") < 0) {
        error_set(&e, errno, "detach from the caller");
        _cleanup_free_ char *msg = xasprintf("err 125\n%s", e.msg);
        announce(&ctx, msg);
        _exit(125);
    }
    struct state_entry what;
    what_of(plan, o, &what);
    struct log log = {.fd = -1, .dir_fd = -1};
    if (state_create(state_root(), &what, &ctx.entry, &e) < 0 ||
        log_open(&log, ctx.entry.dir, &e) < 0) {
        _cleanup_free_ char *msg = xasprintf("err 125\n%s", e.msg);
        announce(&ctx, msg);
        if (ctx.entry.dir)
            state_remove(&ctx.entry);
        _exit(125);
    }
    /* The monitor's own words after the start (warnings, -v) go to the log. */
    dup2(log.fd, 2);
    const struct run_events events = {.created = on_created, .started = on_started, .arg = &ctx};
    const struct run_opts ro = {.verbose = o->verbose ? stderr : NULL,
                                .events = &events,
                                .log = &log,
                                .no_pivot = o->no_pivot,
                                .id = ctx.entry.id,
                                .bundle = bundle};
    struct run_result rr;
    runtime_run(plan, &ro, &rr);
    if (ctx.ready_fd >= 0) {
        _cleanup_free_ char *msg =
            xasprintf("err %d\n%s", rr.status, rr.error.msg ? rr.error.msg : "the command did not start");
        announce(&ctx, msg);
    } else {
        report(&rr);
    }
    log_close(&log);
    state_remove(&ctx.entry);
    int status = rr.status;
    run_result_free(&rr);
    _exit(status);
}

/* The caller of a detached run: wait for the monitor's word, print the id or the error. */
static int await_start(int ready, pid_t monitor_pid)
{
    struct strbuf sb = {0};
    char buf[512];
    ssize_t n;
    while ((n = read(ready, buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        strbuf_add(&sb, buf, (size_t)n);
    }
    _cleanup_free_ char *text = strbuf_steal(&sb);
    if (strncmp(text, "ok ", 3) == 0) {
        fputs(text + 3, stdout);
        return 0;
    }
    int status = 125;
    const char *msg = "the monitor died before the command started";
    if (strncmp(text, "err ", 4) == 0) {
        status = atoi(text + 4);
        const char *nl = strchr(text, '\n');
        msg = nl ? nl + 1 : msg;
        /* It gave up: let it go (it exits at once) without leaving a zombie behind. */
        while (waitpid(monitor_pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    fprintf(stderr, "congo-launch: %s\n", msg);
    return status > 0 && status < 256 ? status : 125;
}

int control_run(const struct profile *p, const struct run_plan *plan, const struct control_run *o)
{
    if (o->detach) {
        int ready[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ready) < 0) {
            fprintf(stderr, "congo-launch: a socket to the monitor: %s\n", strerror(errno));
            return 125;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "congo-launch: fork the monitor: %s\n", strerror(errno));
            return 125;
        }
        if (pid == 0) {
            close(ready[0]);
            monitor(p, plan, o, ready[1]);
        }
        close(ready[1]);
        int status = await_start(ready[0], pid);
        close(ready[0]);
        return status;
    }
    struct run_ctx ctx = {.p = p, .plan = plan, .ready_fd = -1};
    struct state_entry what;
    what_of(plan, o, &what);
    struct congo_error e = {0};
    if (state_create(state_root(), &what, &ctx.entry, &e) < 0) {
        fprintf(stderr, "congo-launch: %s\n", e.msg);
        error_clear(&e);
        return 125;
    }
    const struct run_events events = {.created = on_created, .started = on_started, .arg = &ctx};
    _cleanup_free_ char *bundle = bundle_of(o);
    const struct run_opts ro = {
        .verbose = o->verbose,
        .events = &events,
        .no_pivot = o->no_pivot,
        .id = ctx.entry.id,
        .bundle = bundle};
    struct run_result rr;
    runtime_run(plan, &ro, &rr);
    state_remove(&ctx.entry);
    int status = report(&rr);
    run_result_free(&rr);
    return status;
}
