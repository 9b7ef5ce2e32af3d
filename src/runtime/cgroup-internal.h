/*
 * The managers: one per kind of hierarchy, behind the same small table of
 * operations. cgroup_detect picks the host's once; the entry points in
 * cgroup.c go through it and never ask which kind it is. Not for other
 * modules.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "runtime/cgroup-util.h"
#include "runtime/cgroup.h"
#include "util/error.h"

struct cgroup_manager {
    /*
     * Name the run's directories (cg->name is set, the rest empty): paths,
     * memory_path, cpu_path, in_container; fail when the host lacks a controller req
     * needs. Reads the hierarchy; makes and writes nothing.
     */
    int (*plan)(const struct cgroup_host *h, const struct cgroup_request *req, struct cgroup *cg,
                struct congo_error *e);
    /*
     * Make the planned directories (counting them in n_made) and what they
     * need on the way (an explicit parent; v2: /congo, controllers enabled
     * down to the run's cgroup). On failure the caller removes what was made.
     */
    int (*make)(const struct cgroup_host *h, const struct cgroup_request *req, struct cgroup *cg,
                struct congo_error *e);
    /* cgroup_writes: the files and values of req's limits, in order. */
    void (*writes)(const struct cgroup *cg, const struct cgroup_request *req,
                   struct cgroup_writes *w);
    /*
     * The directories (absolute) where the request's cgroups live, for the
     * stale collection; NULL-terminated, missing ones left out.
     */
    char **(*parents)(const struct cgroup_host *h, const struct cgroup_request *req);

    /*
     * Optional: after the limits, the device cgroup of a request that lists
     * devices, where it is not files (v2: a BPF program on the directory).
     */
    int (*devices)(const struct cgroup *cg, const struct cgroup_request *req,
                   struct congo_error *e);
    /* Where the memory controller counts its kills ("oom_kill N"). */
    const char *oom_file;
    /*
     * Writing "1" there kills the whole subtree at once, so a fork racing
     * the kill cannot escape (v2's cgroup.kill, Linux 5.14); NULL: none.
     */
    const char *kill_file;
    /* The file a thread moves itself in through by writing "0" (v1's tasks); NULL: none. */
    const char *attach_file;
    /* The cgroup's directory fd can be cloned into (CLONE_INTO_CGROUP). */
    bool clone_into;
};

/* v1 serves v1 and hybrid hosts: every limit goes to the v1 hierarchies there. */
extern const struct cgroup_manager cgroup_v1_manager;
extern const struct cgroup_manager cgroup_v2_manager;

/* cpu.shares (2..262144) as a v2 cpu.weight (1..10000). */
uint64_t cgroup_cpu_weight(uint64_t shares);
