/*
 * What cgroup.c shares with cgroup-v1.c and cgroup-v2.c: the leaf writers
 * and readers, the kill and remove loops, and the per-mode entry points.
 * Not for other modules.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "runtime/cgroup.h"
#include "util/error.h"

/* The error for a set limit whose controller the host lacks; key NULL: pids, always needed. */
int cgroup_missing_controller(const char *key, const char *controller, struct congo_error *e);

/* "dir/file", or "dir" + rel where rel starts with '/'; "/" adds nothing. */
char *cgroup_path_join(const char *dir, const char *rel);

/*
 * The parent this profile's cgroup goes under, below a hierarchy's root:
 * the explicit cgroup_parent, else own; normalised to "/" or "/a/b".
 */
char *cgroup_parent_rel(const struct cgroup_request *req, const char *own, struct congo_error *e);

/* cpu.shares (2..262144) as a v2 cpu.weight (1..10000). */
uint64_t cgroup_cpu_weight(uint64_t shares);

/* Write value to dir/file (O_TRUNC, as `echo >` does); the error names both. */
int cgroup_write(const char *dir, const char *file, const char *value, struct congo_error *e);
int cgroup_write_u64(const char *dir, const char *file, uint64_t value, struct congo_error *e);
/* Read dir/file; -errno on failure. */
int cgroup_read(const char *dir, const char *file, char **out);
bool cgroup_file_exists(const char *dir, const char *file);
/* Find "key N" in a flat keyed file (memory.events, memory.oom_control). */
int cgroup_read_keyed(const char *dir, const char *file, const char *key, uint64_t *value);
/* Does a space- or comma-separated list hold word? */
bool cgroup_list_has(const char *list, const char *word);

/*
 * mkdir one cgroup; the error names it and hints at the usual causes. fake:
 * the kernel would fill it with control files, so make empty ones named
 * like the parent's.
 */
int cgroup_mkdir(const char *path, bool fake, struct congo_error *e);
/*
 * Make rel below root and every missing directory on the way. These are the
 * explicit `cgroup_parent` directories: made once, then left in place for
 * the next run, as systemd leaves its slices; only the run's own cgroup is
 * removed after it.
 */
int cgroup_mkdir_parents(const char *root, const char *rel, bool fake, struct congo_error *e);

/*
 * SIGKILL every process in dir and in the cgroups below it, again until none
 * is left (bounded: about a second). Our own pid is never signalled.
 */
int cgroup_kill_all(const char *dir, bool fake, struct congo_error *e);
/*
 * Remove dir and the cgroups below it, deepest first, retrying on EBUSY
 * while killed processes are still leaving; *budget_ms bounds the waiting
 * over several calls.
 */
int cgroup_remove(const char *dir, bool fake, long *budget_ms, struct congo_error *e);

/* The parsed name of a run's cgroup: congo-NAME-PID-STARTTIME. */
bool cgroup_parse_name(const char *name, pid_t *pid, unsigned long long *starttime);

/*
 * The per-mode halves of cgroup_plan, cgroup_make and cgroup_collect_stale.
 * v1 plan: with cg->name set, fills paths and memory_path, makes nothing.
 * v1 make: makes the planned directories (counting them in n_made) and
 * writes the limits. v2 create: both at once, with cg->name set and
 * everything else empty. On failure the caller removes what was made.
 * parents: the directories (absolute) where this profile's cgroups live, for
 * the stale collection; NULL-terminated, missing ones left out.
 */
int cgroup_v1_plan(const struct cgroup_host *h, const struct cgroup_request *req, struct cgroup *cg,
                   struct congo_error *e);
int cgroup_v1_make(const struct cgroup_host *h, const struct cgroup_request *req, struct cgroup *cg,
                   struct congo_error *e);
int cgroup_v2_create(const struct cgroup_host *h, const struct cgroup_request *req, struct cgroup *cg,
                     struct congo_error *e);
char **cgroup_v1_parents(const struct cgroup_host *h, const struct cgroup_request *req);
char **cgroup_v2_parents(const struct cgroup_host *h, const struct cgroup_request *req);
