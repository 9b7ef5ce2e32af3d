/*
 * cgroup v1 (and the v1 half of a hybrid host, which is where every limit
 * goes there): one directory per hierarchy the run needs, each under the
 * launcher's own cgroup in that hierarchy or the explicit cgroup_parent.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "runtime/cgroup-devices.h"
#include "runtime/cgroup-internal.h"
#include "util/util.h"

static const struct cgroup_hierarchy *find_hierarchy(const struct cgroup_host *h,
                                                     const char *controller)
{
    for (size_t i = 0; i < h->n_v1; i++)
        if (cgroup_list_has(h->v1[i].controllers, controller))
            return &h->v1[i];
    return NULL;
}

/* The hierarchies a run uses, pids first; co-mounted controllers share one. */
struct v1_plan {
    const struct cgroup_hierarchy *used[4];
    size_t n;
    const struct cgroup_hierarchy *pids, *memory, *cpu, *devices;
};

static void plan_add(struct v1_plan *plan, const struct cgroup_hierarchy *hi)
{
    if (!hi)
        return;
    for (size_t i = 0; i < plan->n; i++)
        if (plan->used[i] == hi)
            return;
    plan->used[plan->n++] = hi;
}

static int plan_of(const struct cgroup_host *h, const struct cgroup_request *req,
                   struct v1_plan *plan, struct congo_error *e)
{
    *plan = (struct v1_plan){0};
    /* pids always: its cgroup.procs is how every leftover process is found and killed. */
    plan->pids = find_hierarchy(h, "pids");
    if (!plan->pids)
        return cgroup_missing_controller(req->pids_key, "pids", e);
    /* memory whenever the host has it, for the OOM-kill count, even without a limit. */
    plan->memory = find_hierarchy(h, "memory");
    if (req->need_memory && !plan->memory)
        return cgroup_missing_controller(req->memory_key, "memory", e);
    if (req->need_cpu) {
        plan->cpu = find_hierarchy(h, "cpu");
        if (!plan->cpu)
            return cgroup_missing_controller(req->cpu_key, "cpu", e);
    }
    if (req->n_devices) {
        plan->devices = find_hierarchy(h, "devices");
        if (!plan->devices)
            return cgroup_missing_controller("devices, device_rules", "devices", e);
    }
    plan_add(plan, plan->pids);
    plan_add(plan, plan->memory);
    plan_add(plan, plan->cpu);
    plan_add(plan, plan->devices);
    return 0;
}

/* The directory of cg in hierarchy hi: cg->paths holds them in plan order. */
static const char *dir_of(const struct v1_plan *plan, const struct cgroup *cg,
                          const struct cgroup_hierarchy *hi)
{
    for (size_t i = 0; i < plan->n; i++)
        if (plan->used[i] == hi)
            return cg->paths[i];
    return NULL;
}

static int v1_plan(const struct cgroup_host *h, const struct cgroup_request *req, struct cgroup *cg,
                   struct congo_error *e)
{
    struct v1_plan plan;
    if (plan_of(h, req, &plan, e) < 0)
        return -1;
    for (size_t i = 0; i < plan.n; i++) {
        _cleanup_free_ char *rel = cgroup_parent_rel(req, plan.used[i]->own, e);
        if (!rel)
            return -1;
        _cleanup_free_ char *parent = cgroup_path_join(plan.used[i]->mount, rel);
        strv_push(&cg->paths, cgroup_path_join(parent, cg->name));
    }
    cg->memory_path = dir_of(&plan, cg, plan.memory);
    cg->cpu_path = dir_of(&plan, cg, plan.cpu);
    cg->devices_path = dir_of(&plan, cg, plan.devices);
    return 0;
}

static int v1_make(const struct cgroup_host *h, const struct cgroup_request *req, struct cgroup *cg,
                   struct congo_error *e)
{
    struct v1_plan plan;
    if (plan_of(h, req, &plan, e) < 0)
        return -1;
    for (size_t i = 0; i < plan.n; i++) {
        if (req->parent) {
            _cleanup_free_ char *rel = cgroup_parent_rel(req, plan.used[i]->own, e);
            if (!rel || cgroup_mkdir_parents(h->fs, plan.used[i]->mount, rel, e) < 0)
                return rel ? error_wrap(e, "%s `%s`", req->parent_key, req->parent) : -1;
        }
        if (cgroup_mkdir(h->fs, cg->paths[i], e) < 0)
            return -1;
        cg->n_made = i + 1;
    }
    return 0;
}

/* The devices controller's list: everything denied, then each rule allowed. */
static void v1_device_writes(const struct cgroup *cg, const struct cgroup_request *req,
                             struct cgroup_writes *w)
{
    size_t n;
    const char **keys;
    _cleanup_free_ struct dev_rule *rules = cgroup_device_rules(req, &n, &keys);
    cgroup_writes_add(w, cg->devices_path, "devices.deny", "devices", NULL, "a");
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *text = dev_rule_format(&rules[i]);
        cgroup_writes_add(w, cg->devices_path, "devices.allow", keys[i], NULL, "%s", text);
    }
    free(keys);
}

static void v1_writes(const struct cgroup *cg, const struct cgroup_request *req,
                      struct cgroup_writes *w)
{
    cgroup_writes_pids(w, cg->paths[0], req->pids);
    if (cg->memory_path) {
        /* The kernel wants memsw >= memory at every moment: memory first. */
        if (req->memory != LIMIT_UNLIMITED)
            cgroup_writes_add(w, cg->memory_path, "memory.limit_in_bytes", "limits.memory", NULL,
                              "%lld", (long long)req->memory);
        if (req->memory_swap != LIMIT_UNLIMITED)
            cgroup_writes_add(w, cg->memory_path, "memory.memsw.limit_in_bytes",
                              "limits.memory_swap",
                              "this kernel does not account swap (no "
                              "memory.memsw.limit_in_bytes); boot with swapaccount=1 or leave "
                              "memory_swap unset",
                              "%lld", (long long)req->memory_swap);
    }
    if (cg->cpu_path) {
        if (req->cpu_shares > 0)
            cgroup_writes_add(w, cg->cpu_path, "cpu.shares", "limits.cpu_shares", NULL, "%lld",
                              (long long)req->cpu_shares);
        /* The period first: the kernel checks the quota against it. */
        if (req->cpu_quota > 0) {
            cgroup_writes_add(w, cg->cpu_path, "cpu.cfs_period_us", "limits.cpus", NULL, "%d",
                              CPU_PERIOD_US);
            cgroup_writes_add(w, cg->cpu_path, "cpu.cfs_quota_us", "limits.cpus", NULL, "%lld",
                              (long long)req->cpu_quota);
        }
    }
    if (cg->devices_path)
        v1_device_writes(cg, req, w);
}

static char **v1_parents(const struct cgroup_host *h, const struct cgroup_request *req)
{
    /*
     * Every hierarchy, not only those this request needs: an earlier run of
     * another container under the same parent may have used more. Only names
     * of the form congo-NAME-PID-STARTTIME are ever touched there.
     */
    char **v = NULL;
    for (size_t i = 0; i < h->n_v1; i++) {
        struct congo_error ignored = {0};
        _cleanup_free_ char *rel = cgroup_parent_rel(req, h->v1[i].own, &ignored);
        error_clear(&ignored);
        if (!rel)
            continue;
        char *dir = cgroup_path_join(h->v1[i].mount, rel);
        struct stat st;
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            strv_push(&v, dir);
        else
            free(dir);
    }
    return v;
}

const struct cgroup_manager cgroup_v1_manager = {
    .plan = v1_plan,
    .make = v1_make,
    .writes = v1_writes,
    .parents = v1_parents,
    .oom_file = "memory.oom_control",
    .attach_file = "tasks",
};
