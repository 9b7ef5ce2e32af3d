/*
 * Running containers, from the command line: a run that leaves an entry in
 * the state directory (in the foreground, or detached behind a monitor),
 * and the commands that find a container by id or name and act on it:
 * --list, --exec, --stop, --kill, --stats, --logs. Each prints its own
 * messages and returns congo-launch's exit status.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct congo_error;
struct profile;
struct run_plan;
struct state_entry;

/* Exit statuses of the commands that act on a container (a run's are the command's). */
enum {
    CONTROL_OK = 0,
    CONTROL_NOT_FOUND = 1, /* no such container, an ambiguous name, or it is gone */
    CONTROL_USAGE = 2,
};

struct control_run {
    const char *profile; /* what it was started from: an absolute path, or "run ..." */
    bool detach;         /* print the id once the command runs, and leave a monitor behind */
    bool no_pivot;       /* run_opts.no_pivot */
    FILE *verbose;
};

/*
 * Run the plan of p (p is recorded in the entry, for --exec). Returns the
 * command's status, or 125 and the reason on stderr; detached, 0 once the
 * command has been exec'd, with its id on stdout.
 */
int control_run(const struct profile *p, const struct run_plan *plan, const struct control_run *o);

int control_list(bool json);
int control_stats(const char *ref, bool json);

struct control_exec {
    char *const *argv;
    const char *user;
    const char *workdir;
    char *const *env;
    FILE *verbose;
};
/* The command's status; 1 when ref names no running container. */
int control_exec(const char *ref, const struct control_exec *x);

struct diags;
struct stack_op;

/* What is layered over a container's recorded profile for a command run in it. */
struct control_exec_layers {
    const char *process;         /* an OCI process.json (congo-oci exec --process), or NULL */
    const struct stack_op *ops;  /* --set KEY=VALUE, after it */
    size_t n_ops;
    FILE *verbose;
};
/*
 * The plan of a command run in the container s: the profile it was started
 * from, x's layers over it, and the seccomp filter its launcher compiled.
 * 0, or -1 with d saying why.
 */
int control_exec_plan(const struct state_entry *s, const struct control_exec_layers *x,
                      struct run_plan *plan, struct diags *d);

/* SIGTERM, then SIGKILL after timeout_ms (-1: the profile's stop_timeout); 0 once it is gone. */
int control_stop(const char *ref, int64_t timeout_ms);
/* One signal (a name, with or without SIG, or a number) to the container's first process. */
int control_kill(const char *ref, const char *signal);
/* A detached container's output; with follow, what it writes next too, until it is gone. */
int control_logs(const char *ref, bool follow);

/*
 * A container's process and cgroups into its entry, and the profile and the
 * compiled seccomp filter --exec will run under, beside it.
 */
int control_record(struct state_entry *s, const struct profile *p, const struct run_plan *plan,
                   pid_t pid, char *const *cgroups, struct congo_error *e);
