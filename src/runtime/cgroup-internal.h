/*
 * What cgroup.c shares with cgroup-v1.c and cgroup-v2.c: the per-mode entry
 * points (the leaves they all use are in cgroup-util.h). Not for other
 * modules.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "runtime/cgroup.h"
#include "runtime/cgroup-util.h"
#include "util/error.h"

/* cpu.shares (2..262144) as a v2 cpu.weight (1..10000). */
uint64_t cgroup_cpu_weight(uint64_t shares);

/*
 * The per-mode halves of cgroup_plan, cgroup_make and cgroup_collect_stale.
 * v1 plan: with cg->name set, fills paths and memory_path, makes nothing.
 * v1 make: makes the planned directories (counting them in n_made) and
 * writes the limits. v2 create: both at once, with cg->name set and
 * everything else empty. On failure the caller removes what was made.
 * parents: the directories (absolute) where this request's cgroups live, for
 * the stale collection; NULL-terminated, missing ones left out.
 */
int cgroup_v1_plan(const struct cgroup_host *h, const struct cgroup_request *req, struct cgroup *cg,
                   struct congo_error *e);
int cgroup_v1_make(const struct cgroup_host *h, const struct cgroup_request *req, struct cgroup *cg,
                   struct congo_error *e);
int cgroup_v2_create(const struct cgroup_host *h, const struct cgroup_request *req,
                     struct cgroup *cg, struct congo_error *e);
char **cgroup_v1_parents(const struct cgroup_host *h, const struct cgroup_request *req);
char **cgroup_v2_parents(const struct cgroup_host *h, const struct cgroup_request *req);
