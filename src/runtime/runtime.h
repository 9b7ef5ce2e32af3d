/* Running a plan: the one entry point of the engine. */
#pragma once

#include <stdio.h>

#include "plan/plan.h"
#include "util/error.h"

/* Statuses congo-launch itself returns (PROFILE.md section 1). */
enum {
    STATUS_LAUNCHER = 125, /* congo-launch failed */
    STATUS_CANNOT_EXEC = 126,
    STATUS_NOT_FOUND = 127,
};

struct log;

/* What a run tells its caller as it goes: the state directory listens. */
struct run_events {
    /*
     * The container exists: its first process and its cgroup directories.
     * Called in the parent while the child assembles its root; -1 (with e
     * filled) stops the run: the container is killed, the status is 125.
     */
    int (*created)(void *arg, pid_t pid, char *const *cgroups, struct congo_error *e);
    /* The command has been exec'd (the child's end of the sync socket closed cleanly). */
    void (*started)(void *arg);
    void *arg;
};

/*
 * OCI create: the container is made, its command ready but not exec'd, and
 * the launcher returns and leaves it: no supervision, no relay, no
 * clean-up (that is the engine's delete). The command keeps the launcher's
 * stdio, or gets a terminal of its own whose master the result hands over.
 */
struct run_create {
    int start_fd; /* the child execs once it can read a byte from it (`start` writes one) */
    /* It writes a byte here once its start_container hooks have run, then closes both. */
    int started_fd;
    bool terminal;
};

struct run_opts {
    FILE *verbose;                   /* -v: each setup step and its duration; NULL for none */
    const struct run_events *events; /* NULL: none */
    /*
     * A detached run's log: the command's stdout and stderr are a pipe the
     * launcher drains into it, its stdin /dev/null. NULL: the launcher's own.
     */
    struct log *log;
    const struct run_create *create; /* NULL: the run lasts as long as the command */
    /* An engine's --preserve-fds: fds 3 to 2 + preserve_fds go to the command as they are. */
    int preserve_fds;
    /* An engine's --no-pivot: the root is entered by moving it over /, not by pivot_root. */
    bool no_pivot;
    /* What the plan's hooks are told: the state entry's id, the bundle, annotations. */
    const char *id;
    const char *bundle;
};

struct run_result {
    int status;                 /* the exit status congo-launch returns */
    struct congo_error error;   /* why, when congo-launch failed or the limit killed the command */
    struct congo_error warning; /* a cleanup failure after the command ran: reported, status kept */
    /* Created (status 0): the container's first process, and its terminal's master or -1. */
    pid_t pid;
    int pty_master;
};

/*
 * Can this caller run this plan? Anyone but root needs a user namespace of
 * the container's own. Checked before anything is made, the state entry
 * included. 0, or -1 with e filled.
 */
int runtime_check_plan_caller(const struct run_plan *plan, struct congo_error *e);

/*
 * Run the plan's command in a new container and wait for it. Always fills
 * r: status is the command's own, 128+N for a signal, 125 when congo-launch
 * failed, 126/127 when the command could not be executed or found, 137
 * with an error naming the memory limit when the limit killed it. The host
 * keeps no process, mount or cgroup of the run afterwards.
 */
void runtime_run(const struct run_plan *plan, const struct run_opts *o, struct run_result *r);
void run_result_free(struct run_result *r);

/*
 * --print-plan: the run's cgroup on this host, as text: the layout, every
 * directory and every file and value a run would write. Changes nothing.
 */
char *runtime_describe_cgroup(const struct cgroup_request *req);

/*
 * main()'s argv and environment, which the container's init (a copy of the
 * launcher) overwrites so that /proc/1/cmdline and /proc/1/environ show
 * nothing of the host. Call before anything copies environ.
 */
void runtime_set_title_area(int argc, char **argv);
