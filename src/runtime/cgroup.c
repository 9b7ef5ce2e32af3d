/*
 * Cgroups, the part every mode shares: detecting the host's layout (which
 * picks its manager), the entry points that go through the manager, and
 * collecting the cgroups of launchers that died. The leaf readers and
 * writers are in cgroup-util.c.
 */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/cgroup-internal.h"
#include "util/util.h"

/* mountinfo of a host with thousands of mounts is still well below this. */
#define PROC_FILE_MAX (16 * 1024 * 1024)

/* Same controllers in any order: mountinfo and /proc/self/cgroup need not agree on it. */
static bool same_set(const char *a, const char *b)
{
    for (int pass = 0; pass < 2; pass++) {
        const char *x = pass ? b : a, *y = pass ? a : b;
        for (const char *p = x; *p;) {
            size_t len = strcspn(p, ",");
            _cleanup_free_ char *w = xstrndup(p, len);
            if (!cgroup_list_has(y, w))
                return false;
            p += len;
            p += strspn(p, ",");
        }
    }
    return true;
}

/* ---- launchers' start times --------------------------------------------- */

/* -ENOENT when the process is gone; another -errno when /proc will not tell. */
static int read_starttime(const char *proc, pid_t pid, unsigned long long *out)
{
    char state = 0;
    int r = proc_stat_field(proc, pid, 22, out, &state);
    /* A zombie (a killed launcher its parent has not reaped yet) is gone, too. */
    if (r == 0 && (state == 'Z' || state == 'X'))
        return -ENOENT;
    return r;
}

unsigned long long proc_starttime(const char *proc, pid_t pid)
{
    unsigned long long v = 0;
    return read_starttime(proc, pid, &v) < 0 ? 0 : v;
}

/* ---- detection ---------------------------------------------------------- */

/* Super options of a v1 mount that are not controllers (the kernel's cgroup1_show_options). */
static bool is_v1_option(const char *o)
{
    static const char *const options[] = {
        "rw",           "ro",   "noprefix", "clone_children", "xattr", "cpuset_v2_mode",
        "favordynmods", "none", "all"};
    for (size_t i = 0; i < ARRAY_SIZE(options); i++)
        if (strcmp(o, options[i]) == 0)
            return true;
    return strncmp(o, "release_agent=", 14) == 0;
}

static char *v1_controllers(const char *super)
{
    struct strbuf sb = {0};
    for (const char *p = super; *p;) {
        size_t len = strcspn(p, ",");
        _cleanup_free_ char *o = xstrndup(p, len);
        if (len && !is_v1_option(o)) {
            if (sb.len)
                strbuf_putc(&sb, ',');
            strbuf_puts(&sb, o);
        }
        p += len;
        p += strspn(p, ",");
    }
    return sb.len ? strbuf_steal(&sb) : NULL;
}

/* One cgroup mount from mountinfo. root: the hierarchy's path the mount shows. */
struct mount_entry {
    char *root, *mount, *controllers;
    bool v2;
};

static void mount_entries_free(struct mount_entry *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(m[i].root);
        free(m[i].mount);
        free(m[i].controllers);
    }
    free(m);
}

static int parse_mountinfo(const char *text, struct mount_entry **out, size_t *n_out)
{
    struct mount_entry *v = NULL;
    size_t n = 0;
    _cleanup_free_ char *copy = xstrdup(text);
    for (char *line = copy; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        /* The optional fields end at a lone "-"; fstype, source and super options follow. */
        char *sep = strstr(line, " - ");
        char *f[6] = {0};
        size_t nf = 0;
        char *save = NULL;
        if (sep) {
            *sep = '\0';
            for (char *t = strtok_r(line, " ", &save); t && nf < 6; t = strtok_r(NULL, " ", &save))
                f[nf++] = t;
        }
        char *fstype = NULL, *super = NULL;
        if (sep && nf >= 5) {
            save = NULL;
            fstype = strtok_r(sep + 3, " ", &save);
            strtok_r(NULL, " ", &save); /* source */
            super = strtok_r(NULL, " ", &save);
        }
        bool v2 = str_eq(fstype, "cgroup2");
        _cleanup_free_ char *controllers =
            str_eq(fstype, "cgroup") && super ? v1_controllers(super) : NULL;
        if (v2 || controllers) {
            v = xrealloc(v, (n + 1) * sizeof(*v));
            v[n++] = (struct mount_entry){.root = mountinfo_unescape(f[3]),
                                          .mount = mountinfo_unescape(f[4]),
                                          .controllers = steal_pointer(&controllers),
                                          .v2 = v2};
        }
        line = next;
    }
    *out = v;
    *n_out = n;
    return 0;
}

/*
 * The launcher's cgroup as a path below the mount: /proc/self/cgroup gives
 * it from the hierarchy's root, and a mount may show only a subtree of it
 * (a container's bind mount). NULL when the mount does not reach it.
 */
static char *own_below_mount(const char *own, const char *mount_root)
{
    if (str_eq(mount_root, "/"))
        return xstrdup(own);
    size_t n = strlen(mount_root);
    if (strncmp(own, mount_root, n) != 0 || (own[n] != '/' && own[n] != '\0'))
        return NULL;
    return xstrdup(own[n] ? own + n : "/");
}

/* The path of "ID:CONTROLLERS:PATH" in /proc/self/cgroup whose controllers match. */
static const char *self_cgroup_path(char **lines, const char *controllers, bool v2)
{
    for (size_t i = 0; lines && lines[i]; i++) {
        char *c1 = strchr(lines[i], ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        _cleanup_free_ char *ctl = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
        bool match =
            v2 ? strncmp(lines[i], "0:", 2) == 0 && !*ctl : *ctl && same_set(ctl, controllers);
        if (match)
            return c2 + 1;
    }
    return NULL;
}

static bool has_controllers(const char *controllers)
{
    for (const char *p = controllers; *p;) {
        size_t len = strcspn(p, ",");
        if (len && strncmp(p, "name=", 5) != 0)
            return true;
        p += len;
        p += strspn(p, ",");
    }
    return false;
}

void cgroup_host_free(struct cgroup_host *h)
{
    for (size_t i = 0; i < h->n_v1; i++) {
        free(h->v1[i].controllers);
        free(h->v1[i].mount);
        free(h->v1[i].own);
    }
    free(h->v1);
    free(h->v2_mount);
    free(h->v2_own);
    free(h->proc);
    memset(h, 0, sizeof(*h));
}

static char **split_lines(char *text)
{
    char **v = NULL;
    for (char *line = text; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (*line)
            strv_push(&v, xstrdup(line));
        line = next;
    }
    return v;
}

int cgroup_detect(struct cgroup_host *h, const struct cgroup_sources *src, struct congo_error *e)
{
    memset(h, 0, sizeof(*h));
    _cleanup_free_ char *mountinfo = NULL, *self = NULL;
    size_t len;
    int r = read_file_max(src->mountinfo, PROC_FILE_MAX, &mountinfo, &len);
    if (r < 0)
        return error_set(e, -r, "read `%s`", src->mountinfo);
    r = read_file_max(src->self_cgroup, PROC_FILE_MAX, &self, &len);
    if (r < 0)
        return error_set(e, -r, "read `%s`", src->self_cgroup);
    _cleanup_strv_ char **lines = split_lines(self);

    struct mount_entry *m = NULL;
    size_t n = 0;
    parse_mountinfo(mountinfo, &m, &n);
    bool v2_seen = false, v1_seen = false;
    struct cgroup_host host = {.proc = xstrdup(src->proc),
                               .fs = src->fs ? src->fs : &cgroup_kernel_fs};
    for (size_t i = 0; i < n; i++) {
        if (m[i].v2) {
            v2_seen = true;
            const char *own = self_cgroup_path(lines, NULL, true);
            _cleanup_free_ char *below = own ? own_below_mount(own, m[i].root) : NULL;
            /* The first mount that reaches our cgroup; later ones are bind mounts of it. */
            if (!host.v2_mount && below) {
                host.v2_mount = xstrdup(m[i].mount);
                host.v2_own = steal_pointer(&below);
            }
            continue;
        }
        v1_seen = true;
        bool dup = false;
        for (size_t j = 0; j < host.n_v1 && !dup; j++)
            dup = same_set(host.v1[j].controllers, m[i].controllers);
        const char *own = self_cgroup_path(lines, m[i].controllers, false);
        _cleanup_free_ char *below = own ? own_below_mount(own, m[i].root) : NULL;
        /*
         * A hierarchy mounted twice is used through its first mount; one that
         * does not reach our own cgroup (mounted from another namespace) is
         * of no use to us.
         */
        if (dup || !below)
            continue;
        host.v1 = xrealloc(host.v1, (host.n_v1 + 1) * sizeof(*host.v1));
        host.v1[host.n_v1++] = (struct cgroup_hierarchy){
            .controllers = xstrdup(m[i].controllers),
            .mount = xstrdup(m[i].mount),
            .own = steal_pointer(&below),
        };
    }
    mount_entries_free(m, n);

    bool v1_controllers_present = false;
    for (size_t i = 0; i < host.n_v1; i++)
        v1_controllers_present |= has_controllers(host.v1[i].controllers);

    if (!v2_seen && !v1_seen) {
        cgroup_host_free(&host);
        return error_set(e, 0, "no cgroup file system is mounted (read `%s`)", src->mountinfo);
    }
    if (v1_controllers_present) {
        host.mode = host.v2_mount ? CGROUP_HYBRID : CGROUP_V1;
        host.manager = &cgroup_v1_manager;
    } else if (host.v2_mount) {
        /* A named v1 hierarchy (name=systemd) next to cgroup2 holds no controller: pure v2. */
        host.mode = CGROUP_V2;
        host.manager = &cgroup_v2_manager;
        for (size_t i = 0; i < host.n_v1; i++) {
            free(host.v1[i].controllers);
            free(host.v1[i].mount);
            free(host.v1[i].own);
        }
        free(host.v1);
        host.v1 = NULL;
        host.n_v1 = 0;
    } else {
        cgroup_host_free(&host);
        if (v2_seen)
            return error_set(e, 0,
                             "a cgroup2 file system is mounted, but `%s` names no cgroup v2 "
                             "path for this process below it",
                             src->self_cgroup);
        return error_set(e, 0,
                         "no cgroup controller hierarchy is mounted that holds this process "
                         "(read `%s` and `%s`)",
                         src->mountinfo, src->self_cgroup);
    }
    *h = host;
    return 0;
}

/* ---- entry points ------------------------------------------------------- */

/* Empty, and of the host's kind; what it was made from stays when it is released. */
static void cgroup_clear(struct cgroup *cg, enum cgroup_mode mode,
                         const struct cgroup_manager *manager, const struct cgroup_fs *fs)
{
    memset(cg, 0, sizeof(*cg));
    cg->mode = mode;
    cg->manager = manager;
    cg->v2_fd = -1;
    cg->fs = fs;
}

/* Release cg's memory and fd, leaving the directories (they are already gone or kept). */
static void cgroup_release(struct cgroup *cg)
{
    if (cg->v2_fd >= 0)
        close(cg->v2_fd);
    free(cg->name);
    strv_free(cg->paths);
    free(cg->in_container);
    cgroup_clear(cg, cg->mode, cg->manager, cg->fs);
}

int cgroup_plan(const struct cgroup_host *h, const struct cgroup_request *req, const char *name,
                struct cgroup *cg, struct congo_error *e)
{
    cgroup_clear(cg, h->mode, h->manager, h->fs);
    cg->name = xstrdup(name);
    if (h->manager->plan(h, req, cg, e) < 0) {
        cgroup_release(cg);
        return -1;
    }
    return 0;
}

/* For CLONE_INTO_CGROUP: the child starts inside, under the limits, with no moment outside them. */
static int open_clone_fd(struct cgroup *cg, struct congo_error *e)
{
    if (!cg->manager->clone_into)
        return 0;
    cg->v2_fd = open(cg->paths[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cg->v2_fd < 0)
        return error_set(e, errno, "open cgroup `%s`", cg->paths[0]);
    return 0;
}

size_t cgroup_writes(const struct cgroup *cg, const struct cgroup_request *req,
                     struct cgroup_write *out, size_t max)
{
    struct cgroup_writes w = {.out = out, .max = max};
    cg->manager->writes(cg, req, &w);
    return w.n;
}

/* In order; the first that fails names its key. */
static int write_limits(const struct cgroup_write *w, size_t n, struct congo_error *e)
{
    for (size_t i = 0; i < n; i++) {
        if (w[i].absent && !cgroup_file_exists(w[i].dir, w[i].file))
            return error_set(e, 0, "%s: %s", w[i].key, w[i].absent);
        if (cgroup_write(w[i].dir, w[i].file, w[i].value, e) < 0)
            return error_wrap(e, "%s", w[i].key);
    }
    return 0;
}

int cgroup_make(const struct cgroup_host *h, const struct cgroup_request *req, struct cgroup *cg,
                struct congo_error *e)
{
    size_t n = cgroup_writes(cg, req, NULL, 0);
    _cleanup_free_ struct cgroup_write *writes = xcalloc(n, sizeof(*writes));
    /* Fewer when a device node went away between the two: the rest is not filled. */
    size_t filled = cgroup_writes(cg, req, writes, n);
    if (filled < n)
        n = filled;
    /* Every directory is made before any limit is written: a refused limit undoes them all. */
    if (cg->manager->make(h, req, cg, e) < 0 || write_limits(writes, n, e) < 0 ||
        open_clone_fd(cg, e) < 0 ||
        (req->n_devices && cg->manager->devices && cg->manager->devices(cg, req, e) < 0)) {
        /* Nothing is left behind: the directories are empty, so removal is quick. */
        struct congo_error ignored = {0};
        long budget = CGROUP_REMOVE_BUDGET_MS;
        for (size_t i = cg->n_made; i > 0; i--)
            cgroup_remove(cg->fs, cg->paths[i - 1], &budget, &ignored);
        error_clear(&ignored);
        cgroup_release(cg);
        return -1;
    }
    return 0;
}

int cgroup_create(const struct cgroup_host *h, const struct cgroup_request *req, pid_t launcher,
                  unsigned long long starttime, struct cgroup *cg, struct congo_error *e)
{
    _cleanup_free_ char *name = cgroup_name(req, launcher, starttime);
    if (!name) {
        cgroup_clear(cg, h->mode, h->manager, h->fs);
        return error_set(e, 0, "cgroup for launcher %d: its start time is unknown", (int)launcher);
    }
    if (cgroup_plan(h, req, name, cg, e) < 0)
        return -1;
    return cgroup_make(h, req, cg, e);
}

int cgroup_attach(const struct cgroup *cg, pid_t pid, struct congo_error *e)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%d", (int)pid);
    for (size_t i = 0; cg->paths && cg->paths[i]; i++)
        if (cgroup_write(cg->paths[i], "cgroup.procs", buf, e) < 0)
            return error_wrap(e, "move process %d into cgroup `%s`", (int)pid, cg->name);
    return 0;
}

int cgroup_open_attach_fds(const struct cgroup *cg, int *fds, int max, struct congo_error *e)
{
    if (!cg->paths || !cg->manager->attach_file)
        return 0;
    const char *file = cg->manager->attach_file;
    int n = 0;
    for (size_t i = 0; cg->paths[i]; i++) {
        if (n == max) {
            while (n > 0)
                close(fds[--n]);
            return 0; /* more hierarchies than expected: attach by pid */
        }
        _cleanup_free_ char *path = cgroup_path_join(cg->paths[i], file);
        int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
            int err = errno;
            while (n > 0)
                close(fds[--n]);
            if (err == ENOENT)
                return 0;
            return error_set(e, err, "open `%s`", path);
        }
        fds[n++] = fd;
    }
    return n;
}

int cgroup_attach_self(const int *fds, int n, struct congo_error *e)
{
    /* "0" is the writing thread itself; the child has only the one. */
    for (int i = 0; i < n; i++)
        if (write(fds[i], "0", 1) != 1)
            return error_set(e, errno, "move into the container's cgroup");
    return 0;
}

int cgroup_oom_kills(const struct cgroup *cg, uint64_t *count)
{
    if (!cg->memory_path)
        return -1;
    /* v1 has the count since Linux 4.13; older kernels have none to give. */
    return cgroup_read_keyed(cg->fs, cg->memory_path, cg->manager->oom_file, "oom_kill", count) < 0
               ? -1
               : 0;
}

/* Keep the first error, count the rest: destroy goes on past each one. */
static void keep_first(struct congo_error *first, struct congo_error *now)
{
    if (!first->msg) {
        *first = *now;
        *now = (struct congo_error){0};
    } else {
        error_clear(now);
    }
}

/*
 * Kill what is in dir and the cgroups below it: at once where the kernel
 * can (the manager's kill_file), then the loop, which there only waits for
 * the processes to be gone. Goes on past an error, keeping the first in
 * *first; -1 after one.
 */
static int kill_tree(const struct cgroup_manager *m, const struct cgroup_fs *fs, const char *dir,
                     struct congo_error *first)
{
    struct congo_error now = {0};
    int r = 0;
    if (m->kill_file && cgroup_file_exists(dir, m->kill_file) &&
        cgroup_write(dir, m->kill_file, "1", &now) < 0) {
        keep_first(first, &now);
        r = -1;
    }
    if (cgroup_kill_all(fs, dir, &now) < 0) {
        keep_first(first, &now);
        r = -1;
    }
    return r;
}

int cgroup_destroy(struct cgroup *cg, struct congo_error *e)
{
    struct congo_error first = {0}, now = {0};
    /*
     * The usual case: the init died, the PID namespace took every process
     * with it, and the directories are empty. Removing them is all there is
     * to do; only when one is busy is there something left to kill.
     */
    size_t n = cg->n_made; /* planned directories never made are not this run's */
    if (n > 0) {
        size_t removed = 0;
        for (size_t i = n; i > 0; i--, removed++) {
            int r = cg->fs->rmdir(cg->paths[i - 1]);
            if (r < 0 && r != -ENOENT)
                break;
        }
        if (removed == n) {
            cgroup_release(cg);
            return 0;
        }
    }
    /* v1 has the pids hierarchy first. */
    if (n > 0)
        kill_tree(cg->manager, cg->fs, cg->paths[0], &first);
    long budget = CGROUP_REMOVE_BUDGET_MS;
    for (size_t i = 0; i < n; i++)
        if (cgroup_remove(cg->fs, cg->paths[i], &budget, &now) < 0)
            keep_first(&first, &now);
    cgroup_release(cg);
    if (first.msg) {
        free(e->msg);
        *e = first;
        return -1;
    }
    return 0;
}

void cgroup_leave(struct cgroup *cg)
{
    cgroup_release(cg);
}

int cgroup_destroy_dirs(const struct cgroup_host *h, char *const *paths, struct congo_error *e)
{
    struct cgroup cg;
    cgroup_clear(&cg, h->mode, h->manager, h->fs);
    cg.name = xstrdup("");
    cg.paths = strv_copy(paths);
    cg.n_made = strv_len(cg.paths);
    return cgroup_destroy(&cg, e);
}

/* A congo-* directory of a launcher that is gone, or of another process that got its pid. */
static bool is_stale(const struct cgroup_host *h, const char *name)
{
    pid_t pid;
    unsigned long long recorded, now = 0;
    if (!cgroup_parse_name(name, &pid, &recorded))
        return false;
    int r = read_starttime(h->proc, pid, &now);
    /*
     * Only a launcher known to be gone makes its cgroup stale: when /proc
     * cannot say (hidepid, a read error), the cgroup may be alive; leave it.
     * A pid names a launcher in our pid namespace: a launcher in another one
     * that shares this parent would look dead here, so launchers in
     * different pid namespaces need different cgroup parents.
     */
    if (r == -ENOENT)
        return true;
    return r == 0 && now != recorded;
}

int cgroup_collect_stale(const struct cgroup_host *h, const struct cgroup_request *req,
                         struct congo_error *e)
{
    /* A cgroup_path's parent is someone else's: congo names nothing there. */
    if (req->exact)
        return 0;
    _cleanup_strv_ char **parents = h->manager->parents(h, req);
    _cleanup_strv_ char **stale = NULL;
    for (size_t i = 0; parents && parents[i]; i++) {
        _cleanup_closedir_ DIR *d = opendir(parents[i]);
        struct dirent *de;
        while (d && (de = readdir(d))) {
            if (de->d_type != DT_DIR || !is_stale(h, de->d_name))
                continue;
            bool known = false;
            for (size_t j = 0; stale && stale[j] && !known; j++)
                known = strcmp(stale[j], de->d_name) == 0;
            if (!known)
                strv_push(&stale, xstrdup(de->d_name));
        }
    }

    struct congo_error first = {0}, now = {0};
    int removed = 0;
    long budget = CGROUP_REMOVE_BUDGET_MS;
    for (size_t s = 0; stale && stale[s]; s++) {
        bool ok = true;
        /* Kill in every hierarchy first: on v1 a process sits in all of them. */
        for (size_t i = 0; parents[i]; i++) {
            _cleanup_free_ char *dir = cgroup_path_join(parents[i], stale[s]);
            if (kill_tree(h->manager, h->fs, dir, &first) < 0)
                ok = false;
        }
        for (size_t i = 0; parents[i]; i++) {
            _cleanup_free_ char *dir = cgroup_path_join(parents[i], stale[s]);
            if (cgroup_remove(h->fs, dir, &budget, &now) < 0) {
                keep_first(&first, &now);
                ok = false;
            }
        }
        removed += ok;
    }
    if (first.msg) {
        free(e->msg);
        *e = first;
        return error_wrap(e, "remove the cgroup of an earlier run");
    }
    return removed;
}

/*
 * A caller other than root has no cgroup to write on a v1 or hybrid host,
 * nor on a v2 one that delegated it nothing: its container then runs
 * without one (its pid namespace still takes every process with it), and
 * a limit it asks for, which nothing would hold, stops the run. 1 with cg
 * planned, 0 without a cgroup, -1 with e filled.
 */
int cgroup_plan_caller(const struct cgroup_host *h, const struct cgroup_request *req,
                       const char *name, struct cgroup *cg, struct congo_error *e)
{
    if (geteuid() == 0)
        return cgroup_plan(h, req, name, cg, e) < 0 ? -1 : 1;
    struct congo_error why = {0};
    if (h->mode != CGROUP_V2)
        error_set(&why, 0, "%s",
                  h->mode == CGROUP_V1 ? "this host has cgroup v1, which only root can write"
                                       : "this host's controllers are on cgroup v1 (a hybrid "
                                         "host), which only root can write");
    else if (cgroup_plan(h, req, name, cg, &why) == 0)
        return 1;
    const char *key = req->pids_key      ? req->pids_key
                      : req->need_memory ? req->memory_key
                      : req->need_cpu    ? req->cpu_key
                                         : NULL;
    if (!key) {
        error_clear(&why);
        return 0;
    }
    error_set(e, 0,
              "%s: a limit cannot be enforced for a caller other than root here: %s; run "
              "congo-launch as root, or without the limits (--reset limits), or on a cgroup v2 "
              "host in a cgroup delegated to this user (with systemd: systemd-run --user "
              "--scope -p Delegate=yes congo-launch ...)",
              key, why.msg);
    error_clear(&why);
    return -1;
}
