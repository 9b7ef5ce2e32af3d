/*
 * cgroup v2: one directory in the unified hierarchy. A controller works in
 * a cgroup only when its parent lists it in cgroup.subtree_control, and a
 * cgroup other than the root that holds processes cannot list any (the
 * no-internal-processes rule): that decides where the run's cgroup can go.
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/cgroup-devices.h"
#include "runtime/cgroup-internal.h"
#include "util/util.h"

/* Where `auto` goes when no ancestor of the launcher's cgroup can hold controllers. */
#define CONGO_CGROUP "/congo"

/* Does the cgroup at rel hold processes of its own? Unreadable counts as yes. */
static bool holds_processes(const struct cgroup_fs *fs, const char *root, const char *rel)
{
    _cleanup_free_ char *dir = cgroup_path_join(root, rel);
    _cleanup_free_ char *procs = NULL;
    if (cgroup_read(fs, dir, "cgroup.procs", &procs) < 0)
        return true;
    return procs[strspn(procs, " \n")] != '\0';
}

/* "/a/b" -> "/a", "/a" -> "/". */
static void cut_last(char *rel)
{
    char *slash = strrchr(rel, '/');
    if (slash == rel)
        slash[1] = '\0';
    else
        *slash = '\0';
}

/* The caller may make cgroups in rel, and move processes in and out of it. */
static bool writable(const struct cgroup_host *h, const char *rel)
{
    _cleanup_free_ char *dir = cgroup_path_join(h->v2_mount, rel);
    _cleanup_free_ char *procs = cgroup_path_join(dir, "cgroup.procs");
    _cleanup_free_ char *control = cgroup_path_join(dir, "cgroup.subtree_control");
    return access(dir, W_OK) == 0 && access(procs, W_OK) == 0 && access(control, W_OK) == 0;
}

/*
 * A caller other than root: the nearest ancestor-or-self of its cgroup
 * that holds no processes, within what is delegated to it (writable, as
 * systemd chowns a unit's directory, cgroup.procs and
 * cgroup.subtree_control with Delegate=yes): with `systemd-run --user
 * --scope -p Delegate=yes`, the scope holds the launcher alone and its
 * parent, the user's own slice, takes the container. Never above what it
 * was given, nor /congo.
 */
static char *delegated_parent(const struct cgroup_host *h, char *own, struct congo_error *e)
{
    _cleanup_free_ char *c = xstrdup(own);
    while (strcmp(c, "/") != 0 && writable(h, c)) {
        if (!holds_processes(h->fs, h->v2_mount, c))
            return steal_pointer(&c);
        cut_last(c);
    }
    error_set(e, 0,
              "no cgroup delegated to this user holds no processes: `%s` and its ancestors "
              "up to `%s` are not this user's, or hold processes",
              own, c);
    return NULL;
}

/*
 * The parent of the run's cgroup, below the v2 root. auto: the launcher's
 * own cgroup when it is the root; else the nearest ancestor-or-self without
 * processes of its own (the launcher's cgroup holds at least the launcher,
 * so in practice an ancestor); else /congo rather than the root itself, so
 * runs do not litter the top of the hierarchy.
 */
static char *parent_rel(const struct cgroup_host *h, const struct cgroup_request *req,
                        struct congo_error *e)
{
    if (req->parent)
        return cgroup_parent_rel(req, "/", e);
    _cleanup_free_ char *c = cgroup_parent_rel(req, h->v2_own, e);
    if (!c)
        return NULL;
    if (geteuid() != 0)
        return delegated_parent(h, c, e);
    if (strcmp(c, "/") == 0)
        return steal_pointer(&c);
    while (strcmp(c, "/") != 0) {
        if (!holds_processes(h->fs, h->v2_mount, c))
            return steal_pointer(&c);
        cut_last(c);
    }
    return xstrdup(CONGO_CGROUP);
}

/* A controller the run needs, and the key that asked for it (NULL: pids, always needed). */
struct need {
    const char *controller, *key;
};

/* pids always (its cgroup.procs finds leftovers), memory and cpu for their limits. */
static size_t needed_controllers(const struct cgroup_request *req, struct need need[3])
{
    size_t n = 0;
    need[n++] = (struct need){"pids", req->pids_key};
    if (req->need_memory)
        need[n++] = (struct need){"memory", req->memory_key};
    if (req->need_cpu)
        need[n++] = (struct need){"cpu", req->cpu_key};
    return n;
}

/* A controller the root does not offer cannot be enabled anywhere below it. */
static int check_controllers(const struct cgroup_host *h, const struct need *need, size_t n_need,
                             struct congo_error *e)
{
    _cleanup_free_ char *available = NULL;
    int r = cgroup_read(h->fs, h->v2_mount, "cgroup.controllers", &available);
    if (r < 0)
        return error_set(e, -r, "read `%s/cgroup.controllers`", h->v2_mount);
    for (size_t i = 0; i < n_need; i++)
        if (!cgroup_list_has(available, need[i].controller))
            return cgroup_missing_controller(need[i].key, need[i].controller, e);
    return 0;
}

/* List the needed controllers in dir's cgroup.subtree_control, writing only what is missing. */
static int enable_controllers(const struct cgroup_fs *fs, const char *dir, const struct need *need,
                              size_t n_need, struct congo_error *e)
{
    _cleanup_free_ char *enabled = NULL;
    int r = cgroup_read(fs, dir, "cgroup.subtree_control", &enabled);
    if (r < 0)
        return error_set(e, -r, "read `%s/cgroup.subtree_control`", dir);
    struct strbuf sb = {0};
    for (size_t i = 0; i < n_need; i++)
        if (!cgroup_list_has(enabled, need[i].controller))
            strbuf_printf(&sb, "%s+%s", sb.len ? " " : "", need[i].controller);
    if (!sb.len)
        return 0;
    _cleanup_free_ char *add = strbuf_steal(&sb);
    if (cgroup_write(dir, "cgroup.subtree_control", add, e) == 0)
        return 0;
    if (e->err == EBUSY)
        return error_wrap(e,
                          "`%s` holds processes, and a cgroup other than the root that holds "
                          "processes cannot pass controllers to its children; set "
                          "cgroup_parent to a cgroup without processes",
                          dir);
    if (e->err == ENOENT)
        return error_wrap(e, "`%s` does not get these controllers from its parent", dir);
    return -1;
}

/* Controllers reach rel only through every ancestor: enable them from the root down. */
static int enable_path(const struct cgroup_fs *fs, const char *root, const char *rel,
                       const struct need *need, size_t n_need, struct congo_error *e)
{
    if (enable_controllers(fs, root, need, n_need, e) < 0)
        return -1;
    _cleanup_free_ char *path = cgroup_path_join(root, rel);
    size_t skip = strlen(root);
    if (strlen(path) <= skip)
        return 0; /* rel is the root */
    for (char *p = path + skip + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int r = enable_controllers(fs, path, need, n_need, e);
        *p = '/';
        if (r < 0)
            return -1;
    }
    return enable_controllers(fs, path, need, n_need, e);
}

/*
 * The run's directory below the parent parent_rel picks, and whether it
 * will have the memory controller. Reads the hierarchy; makes nothing.
 */
static int v2_plan(const struct cgroup_host *h, const struct cgroup_request *req, struct cgroup *cg,
                   struct congo_error *e)
{
    struct need need[3];
    size_t n_need = needed_controllers(req, need);
    if (check_controllers(h, need, n_need, e) < 0)
        return -1;
    _cleanup_free_ char *rel = parent_rel(h, req, e);
    if (!rel)
        return -1;
    _cleanup_free_ char *parent = cgroup_path_join(h->v2_mount, rel);
    strv_push(&cg->paths, cgroup_path_join(parent, cg->name));
    cg->in_container = cgroup_path_join(rel, cg->name);
    /*
     * Without a memory limit the controller may still be on (systemd enables
     * it); its memory.events then gives the OOM count all the same. make
     * enables only what the request needs, so what the parent passes down
     * now is what the run's cgroup gets.
     */
    _cleanup_free_ char *enabled = NULL;
    if (req->need_memory || (cgroup_read(h->fs, parent, "cgroup.subtree_control", &enabled) == 0 &&
                             cgroup_list_has(enabled, "memory")))
        cg->memory_path = cg->paths[0];
    if (req->need_cpu)
        cg->cpu_path = cg->paths[0];
    return 0;
}

static int v2_make(const struct cgroup_host *h, const struct cgroup_request *req, struct cgroup *cg,
                   struct congo_error *e)
{
    struct need need[3];
    size_t n_need = needed_controllers(req, need);
    /* The parent as planned: looking for it again could find another. */
    _cleanup_free_ char *rel = xstrdup(cg->in_container);
    cut_last(rel);
    /*
     * An explicit parent, or /congo, may not exist yet. What is made here
     * stays, as systemd's slices do: only the run's own cgroup is removed,
     * and the next run finds its parent ready.
     */
    if ((req->parent || strcmp(rel, CONGO_CGROUP) == 0) &&
        cgroup_mkdir_parents(h->fs, h->v2_mount, rel, e) < 0)
        return req->parent ? error_wrap(e, "%s `%s`", req->parent_key, req->parent) : -1;
    if (enable_path(h->fs, h->v2_mount, rel, need, n_need, e) < 0)
        return -1;
    if (cgroup_mkdir(h->fs, cg->paths[0], e) < 0)
        return -1;
    cg->n_made = 1;
    return 0;
}

/* crun's fit through 2 -> 1, 1024 -> 100 (both defaults) and 262144 -> 10000. */
uint64_t cgroup_cpu_weight(uint64_t shares)
{
    if (shares <= 2)
        return 1;
    if (shares >= 262144)
        return 10000;
    double l = log2((double)shares);
    double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
    /* Rounded, not ceil'ed: pow(10, 2.0 - tiny) must give exactly 100 for 1024. */
    return (uint64_t)llround(pow(10, exponent));
}

static void v2_writes(const struct cgroup *cg, const struct cgroup_request *req,
                      struct cgroup_writes *w)
{
    const char *dir = cg->paths[0];
    cgroup_writes_pids(w, dir, req->pids);
    if (req->memory != LIMIT_UNLIMITED)
        cgroup_writes_add(w, dir, "memory.max", "limits.memory", NULL, "%lld",
                          (long long)req->memory);
    if (req->memory_swap != LIMIT_UNLIMITED) {
        /* v2 limits swap alone; the request's memory_swap is memory plus swap, as on v1. */
        int64_t memory = req->memory != LIMIT_UNLIMITED ? req->memory : 0;
        int64_t swap = req->memory_swap > memory ? req->memory_swap - memory : 0;
        cgroup_writes_add(w, dir, "memory.swap.max", "limits.memory_swap",
                          "this kernel does not account swap (no memory.swap.max); boot with "
                          "swapaccount=1 or leave memory_swap unset",
                          "%lld", (long long)swap);
    }
    if (req->cpu_shares > 0)
        cgroup_writes_add(w, dir, "cpu.weight", "limits.cpu_shares", NULL, "%llu",
                          (unsigned long long)cgroup_cpu_weight((uint64_t)req->cpu_shares));
    if (req->cpu_quota > 0)
        cgroup_writes_add(w, dir, "cpu.max", "limits.cpus", NULL, "%lld %d",
                          (long long)req->cpu_quota, CPU_PERIOD_US);
}

static char **v2_parents(const struct cgroup_host *h, const struct cgroup_request *req)
{
    struct congo_error ignored = {0};
    _cleanup_free_ char *rel = parent_rel(h, req, &ignored);
    error_clear(&ignored);
    if (!rel)
        return NULL;
    char **v = NULL;
    char *dir = cgroup_path_join(h->v2_mount, rel);
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        strv_push(&v, dir);
    else
        free(dir);
    return v;
}

/* Root's: another user may not load the program (runtime_check_plan_caller says what it gets). */
static int v2_devices(const struct cgroup *cg, const struct cgroup_request *req,
                      struct congo_error *e)
{
    return geteuid() == 0 ? cgroup_device_attach(cg->v2_fd, req, e) : 0;
}

const struct cgroup_manager cgroup_v2_manager = {
    .devices = v2_devices,
    .plan = v2_plan,
    .make = v2_make,
    .writes = v2_writes,
    .parents = v2_parents,
    .oom_file = "memory.events",
    .kill_file = "cgroup.kill",
    .clone_into = true,
};
