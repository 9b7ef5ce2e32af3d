/*
 * The leaves of the cgroup module (cgroup-util.c): paths, control files,
 * making, killing and removing directories, the names of runs' cgroups.
 * cgroup.c, cgroup-v1.c and cgroup-v2.c call down into these, never up
 * into each other. Not for other modules.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/cgroup.h"
#include "util/error.h"

/* The real cgroupfs: what cgroup_detect uses unless its sources name another. */
extern const struct cgroup_fs cgroup_kernel_fs;

/* How long removing a run's directories may wait for killed processes to leave. */
#define CGROUP_REMOVE_BUDGET_MS 1000

/* The error for a set limit whose controller the host lacks; key NULL: pids, always needed. */
int cgroup_missing_controller(const char *key, const char *controller, struct congo_error *e);

/* "dir/file", or "dir" + rel where rel starts with '/'; "/" adds nothing. */
char *cgroup_path_join(const char *dir, const char *rel);

/*
 * The parent the request's cgroup goes under, below a hierarchy's root:
 * the explicit req->parent, else own; normalised to "/" or "/a/b".
 */
char *cgroup_parent_rel(const struct cgroup_request *req, const char *own, struct congo_error *e);

/* Write value to dir/file (O_TRUNC, as `echo >` does); the error names both. */
int cgroup_write(const char *dir, const char *file, const char *value, struct congo_error *e);
/* Read dir/file through fs; -errno on failure. */
int cgroup_read(const struct cgroup_fs *fs, const char *dir, const char *file, char **out);
bool cgroup_file_exists(const char *dir, const char *file);
/* Find "key N" in a flat keyed file (memory.events, memory.oom_control). */
int cgroup_read_keyed(const struct cgroup_fs *fs, const char *dir, const char *file,
                      const char *key, uint64_t *value);

/* A list of limit writes being built: out[0..max) filled, n counting all, even past max. */
struct cgroup_writes {
    struct cgroup_write *out;
    size_t max, n;
};

/* Add one write; absent: see struct cgroup_write. */
void cgroup_writes_add(struct cgroup_writes *w, const char *dir, const char *file, const char *key,
                       const char *absent, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* pids.max, the same in v1 and v2: "max" when unlimited. */
void cgroup_writes_pids(struct cgroup_writes *w, const char *dir, int64_t pids);

/* Does a space- or comma-separated list hold word? */
bool cgroup_list_has(const char *list, const char *word);

/* mkdir one cgroup; the error names it and hints at the usual causes. */
int cgroup_mkdir(const struct cgroup_fs *fs, const char *path, struct congo_error *e);
/*
 * Make rel below root and every missing directory on the way. These are the
 * explicit `cgroup_parent` directories: made once, then left in place for
 * the next run, as systemd leaves its slices; only the run's own cgroup is
 * removed after it.
 */
int cgroup_mkdir_parents(const struct cgroup_fs *fs, const char *root, const char *rel,
                         struct congo_error *e);

/*
 * SIGKILL every process in dir and in the cgroups below it, again until none
 * is left (bounded: about a second). Our own pid is never signalled.
 */
int cgroup_kill_all(const struct cgroup_fs *fs, const char *dir, struct congo_error *e);
/*
 * Remove dir and the cgroups below it, deepest first, retrying on EBUSY
 * while killed processes are still leaving; *budget_ms bounds the waiting
 * over several calls.
 */
int cgroup_remove(const struct cgroup_fs *fs, const char *dir, long *budget_ms,
                  struct congo_error *e);

/* The parsed name of a run's cgroup: congo-NAME-PID-STARTTIME. */
bool cgroup_parse_name(const char *name, pid_t *pid, unsigned long long *starttime);
