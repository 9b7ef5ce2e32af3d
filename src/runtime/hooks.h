/*
 * The profile's hooks (OCI's): each stage's programs in order, each with
 * the container's state on its stdin, as the runtime-spec gives it.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "plan/plan.h"
#include "util/error.h"

/* What a hook is told of its container. */
struct hook_state {
    const char *id;           /* the state entry's id: the OCI id, or congo-launch's */
    const char *bundle;       /* the bundle's directory; congo-launch: the profile's */
    char *const *annotations; /* KEY=value, or NULL */
    pid_t pid;                /* the container's first process, as the host sees it */
};

/* The state as JSON, with the status a hook of that stage sees. Caller frees. */
char *hook_state_json(const struct hook_state *s, enum hook_stage stage);

/* Where a stage's programs run, besides what the plan says. */
struct hooks_how {
    char *const *default_env;  /* for a hook without env; NULL: the caller's environment */
    int cancel_fd;             /* readable: the running program is killed, and fails; -1: none */
    int (*prepare)(void *arg); /* optional, in each program's process before its exec */
    void *arg;
};

/*
 * Run the stage's programs in order, each with state_json on its stdin.
 * Stops at the first that fails (exits non-zero, is killed, outlives its
 * timeout), with e naming it and holding what it wrote. 0 when all
 * succeeded.
 */
int hooks_run(const struct run_plan *plan, enum hook_stage stage, const char *state_json,
              const struct hooks_how *how, struct congo_error *e);

/*
 * Does the plan have hooks that need the container's pid before it is
 * started: prestart, create_runtime, create_container or start_container?
 * The child then stops before its last pivot for the launcher's (SYNC_HOOKS).
 */
bool hooks_before_start(const struct run_plan *plan);

/*
 * The poststart and poststop programs of a plan as JSON, for a created
 * container's `start` and `delete`, which run them; NULL when it has none.
 * Caller frees.
 */
char *hooks_save(const struct run_plan *plan);
/* Those programs back into plan->hooks (the rest of it untouched); -1 for a text not so made. */
int hooks_load(const char *text, struct run_plan *plan);

/*
 * Run a stage's programs the same way, all of them, each failure only a
 * warning appended to w. cancel_fd as in hooks_how.
 */
void hooks_run_warn(const struct run_plan *plan, enum hook_stage stage, const char *state_json,
                    int cancel_fd, struct congo_error *w);
