/*
 * The mounts of a container, in the order the engine makes them, after the
 * root's overlay:
 *
 *   /proc, /dev (a tmpfs with the host's harmless device nodes, devpts,
 *   /dev/shm, /dev/mqueue and the usual links), /tmp, /sys and the
 *   container's own cgroup, runc's masked and read-only /proc and /sys
 *   paths, the profile's mounts (parents first), then the profile's masked
 *   and read-only paths.
 *
 * The order is the engine's contract: /dev before the masks (a masked file
 * is covered with /dev/null), the profile's mounts after the built-in ones,
 * and the profile's masks after its mounts (so they can cover them). A
 * profile mount at a built-in one's target takes its place in that order
 * (or removes it, with `none`). bubblewrap's SetupOp list is the model:
 * what to do is decided here, and src/runtime/rootfs.c only does it.
 */
#include <string.h>
#include <sys/mount.h>

#include "plan/plan-internal.h"
#include "profile/schema.h"
#include "util/devices.h"
#include "util/names.h"
#include "util/util.h"


static const struct {
    const char *name, *target;
} dev_links[] = {
    {"ptmx", "pts/ptmx"},          {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"},
    {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
};

void plan_mount_clear(struct plan_mount *m)
{
    free(m->target);
    free(m->source);
    free(m->fstype);
    free(m->data);
    free(m->origin);
}

static struct plan_mount *add(struct run_plan *plan, enum plan_mount_kind kind, const char *target,
                              const char *key, const char *origin)
{
    plan->mounts = xrealloc(plan->mounts, (plan->n_mounts + 1) * sizeof(*plan->mounts));
    struct plan_mount *m = &plan->mounts[plan->n_mounts++];
    *m = (struct plan_mount){
        .kind = kind,
        .target = xstrdup(target),
        .key = key,
        .origin = xstrdup(origin ? origin : "built-in"),
    };
    return m;
}

static void add_fs(struct run_plan *plan, const char *target, const char *source,
                   const char *fstype, unsigned long flags, const char *data)
{
    struct plan_mount *m = add(plan, PLAN_MOUNT_FS, target, NULL, NULL);
    m->source = xstrdup(source);
    m->fstype = xstrdup(fstype);
    m->flags = flags;
    m->data = data ? xstrdup(data) : NULL;
}

/*
 * A mount's options: the mount flags among them (ro, nosuid, relatime and
 * their opposites) applied to *flags, bind's `bind` (not recursive) to
 * *recursive, the rest kept for the file system itself. The schema has
 * checked every option already.
 */
static void split_options(const char *options, unsigned long *flags, bool *recursive,
                          bool *copy_up, char **data)
{
    struct strbuf sb = {0};
    for (const char *o = options; o && *o;) {
        const char *end = strchrnul(o, ',');
        size_t len = (size_t)(end - o);
        unsigned long flag;
        bool set;
        if (mount_flag_word(o, len, &flag, &set)) {
            /* One atime mode at a time, as mount(8) does. */
            if (set && (flag & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)))
                *flags &= ~(unsigned long)(MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
            *flags = set ? *flags | flag : *flags & ~flag;
        } else if (len == 4 && strncmp(o, "bind", 4) == 0) {
            *recursive = false;
        } else if (len == 5 && strncmp(o, "rbind", 5) == 0) {
            *recursive = true;
        } else if (len == 9 && strncmp(o, "tmpcopyup", 9) == 0) {
            *copy_up = true;
        } else if (!(len == 7 && strncmp(o, "private", 7) == 0) &&
                   !(len == 8 && strncmp(o, "rprivate", 8) == 0)) {
            /* (private and rprivate: every mount of the container is private already.) */
            if (sb.len)
                strbuf_putc(&sb, ',');
            strbuf_add(&sb, o, len);
        }
        o = *end ? end + 1 : end;
    }
    *data = sb.len ? strbuf_steal(&sb) : NULL;
}

/* The profile's own mount at a built-in target, in its place; NULL for none. */
static const struct profile_mount *replacing(const struct profile *p, const char *target)
{
    for (size_t i = 0; i < p->n_mounts; i++)
        if (strcmp(p->mounts[i].target, target) == 0)
            return &p->mounts[i];
    return NULL;
}

/*
 * One of the profile's mounts, its options applied to base_flags; base_data
 * stands for the file system's own options when the profile gives none.
 */
static void add_profile_mount(struct run_plan *plan, const struct profile_mount *pm,
                              unsigned long base_flags, const char *base_data)
{
    _cleanup_free_ char *origin = plan_origin_text(&pm->origin);
    unsigned long flags = base_flags | (pm->readonly ? MS_RDONLY : 0);
    /*
     * A bind is nosuid,nodev unless its suid and dev keys say otherwise (the
     * profile reader took those words out of its options).
     */
    if (pm->type == MOUNT_BIND)
        flags |= (pm->suid ? 0 : MS_NOSUID) | (pm->dev ? 0 : MS_NODEV);
    bool recursive = true, copy_up = false;
    char *data = NULL;
    split_options(pm->options, &flags, &recursive, &copy_up, &data);
    if (!data && base_data)
        data = xstrdup(base_data);
    enum plan_mount_kind kind = pm->type == MOUNT_BIND     ? PLAN_MOUNT_BIND
                                : pm->type == MOUNT_CGROUP ? PLAN_MOUNT_CGROUP
                                                           : PLAN_MOUNT_FS;
    struct plan_mount *m = add(plan, kind, pm->target, "mounts", origin);
    m->flags = flags;
    m->idmap = pm->idmap;
    m->readonly = (flags & MS_RDONLY) != 0;
    /* An id-mapped tree is the source's own mount alone: the mounts below may not map. */
    m->recursive = recursive && !m->idmap;
    m->copy_up = copy_up;
    if (kind == PLAN_MOUNT_BIND) {
        m->source = xstrdup(pm->source);
        free(data);
        return;
    }
    if (kind == PLAN_MOUNT_CGROUP) {
        free(data);
        return;
    }
    const char *fstype = profile_mount_type_name(pm->type);
    m->source = xstrdup(strcmp(pm->target, "/dev/shm") == 0 ? "shm" : fstype);
    m->fstype = xstrdup(fstype);
    m->data = data;
}

/* A built-in file system, unless the profile mounts something else there or removes it. */
static void builtin_fs(struct run_plan *plan, const struct profile *p, const char *target,
                       const char *source, const char *fstype, unsigned long flags,
                       const char *data)
{
    const struct profile_mount *pm = replacing(p, target);
    if (!pm) {
        add_fs(plan, target, source, fstype, flags, data);
    } else if (pm->type == MOUNT_BIND) {
        add_profile_mount(plan, pm, 0, NULL);
    } else if (pm->type == MOUNT_TMPFS && strcmp(target, "/dev") != 0) {
        /* /tmp and /dev/shm as any tmpfs of the profile's (whose defaults are the kernel's). */
        add_profile_mount(plan, pm, MS_NOSUID | MS_NODEV, NULL);
    } else if (pm->type != MOUNT_NONE) {
        add_profile_mount(plan, pm, flags, data);
    }
}

/*
 * The /proc and /sys paths a container must not read (masked) or write
 * (read-only), after runc: the key's built-in ones (keys.def), but those
 * the profile took back with `!PATH` (and did not name again after).
 */
static void add_builtin_paths(const struct profile *p, struct run_plan *plan,
                              enum plan_mount_kind kind, enum key_id id)
{
    const struct key_def *k = &profile_keys[id];
    const struct profile_layer *list = id == KEY_MASKED_PATHS ? p->masked_paths : p->readonly_paths;
    size_t n = id == KEY_MASKED_PATHS ? p->n_masked_paths : p->n_readonly_paths;
    for (size_t b = 0; k->builtin[b]; b++) {
        bool taken_back = false;
        for (size_t i = 0; i < n; i++) {
            const char *path = list[i].path;
            if (strcmp(path + (path[0] == '!'), k->builtin[b]) == 0)
                taken_back = path[0] == '!';
        }
        if (!taken_back)
            add(plan, kind, k->builtin[b], NULL, NULL);
    }
}

static void add_builtin(const struct profile *p, struct run_plan *plan)
{
    builtin_fs(plan, p, "/proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    /* nodev: a node made here with mknod opens nothing; the bound ones keep their own mounts' flags. */
    builtin_fs(plan, p, "/dev", "tmpfs", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV,
               "mode=0755,size=65536k");
    /* Device nodes a process expects, bound from the host's (no mknod, no trust in the image). */
    for (size_t i = 0; i < dev_n_own_nodes; i++)
        add(plan, PLAN_MOUNT_DEVICE, dev_own_nodes[i], NULL, NULL)->source =
            xstrdup(dev_own_nodes[i]);
    /* The profile's devices: the host's nodes, bound as congo's own are. */
    for (size_t i = 0; i < p->n_devices; i++) {
        struct dev_spec spec;
        _cleanup_free_ char *why = NULL;
        if (dev_spec_parse(p->devices[i].path, &spec, &why) < 0)
            continue; /* checked as the profile was read */
        _cleanup_free_ char *origin = plan_origin_text(&p->devices[i].origin);
        add(plan, PLAN_MOUNT_DEVICE, spec.target, "devices", origin)->source =
            steal_pointer(&spec.source);
        dev_spec_clear(&spec);
    }
    /* The container's own devpts instance: `tty` inside names its terminal. */
    builtin_fs(plan, p, "/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
               "newinstance,ptmxmode=0666,mode=0620");
    builtin_fs(plan, p, "/dev/shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777");
    /* POSIX message queues: the ipc namespace's own. */
    builtin_fs(plan, p, "/dev/mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++) {
        _cleanup_free_ char *path = xasprintf("/dev/%s", dev_links[i].name);
        add(plan, PLAN_MOUNT_SYMLINK, path, NULL, NULL)->source = xstrdup(dev_links[i].target);
    }
    builtin_fs(plan, p, "/tmp", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
    /* The engine binds the host's /sys read-only where a new sysfs is refused. */
    builtin_fs(plan, p, "/sys", "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
               NULL);
    const struct profile_mount *cgroup = replacing(p, "/sys/fs/cgroup");
    if (!cgroup)
        add(plan, PLAN_MOUNT_CGROUP, "/sys/fs/cgroup", NULL, NULL)->readonly = true;
    else if (cgroup->type != MOUNT_NONE)
        add_profile_mount(plan, cgroup, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    add_builtin_paths(p, plan, PLAN_MOUNT_MASK, KEY_MASKED_PATHS);
    add_builtin_paths(p, plan, PLAN_MOUNT_READONLY, KEY_READONLY_PATHS);
}

static size_t depth(const char *path)
{
    size_t n = 0;
    for (; *path; path++)
        n += *path == '/';
    return n;
}

/* The profile's other mounts, parents first: by target depth, stable within a depth. */
static void add_profile_mounts(const struct profile *p, struct run_plan *plan)
{
    size_t max_depth = 0;
    for (size_t i = 0; i < p->n_mounts; i++)
        if (depth(p->mounts[i].target) > max_depth)
            max_depth = depth(p->mounts[i].target);
    for (size_t level = 1; level <= max_depth; level++) {
        for (size_t i = 0; i < p->n_mounts; i++) {
            const struct profile_mount *pm = &p->mounts[i];
            if (depth(pm->target) != level || pm->type == MOUNT_NONE ||
                profile_mount_target_is_builtin(pm->target))
                continue;
            add_profile_mount(plan, pm, pm->type == MOUNT_TMPFS ? MS_NOSUID | MS_NODEV : 0, NULL);
        }
    }
}

static void add_paths(struct run_plan *plan, enum plan_mount_kind kind, const char *key,
                      const struct profile_layer *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i].path[0] == '!')
            continue; /* a built-in one taken back */
        _cleanup_free_ char *origin = plan_origin_text(&list[i].origin);
        add(plan, kind, list[i].path, key, origin);
    }
}

int plan_mounts_build(const struct profile *p, struct run_plan *plan, struct diags *d)
{
    (void)d; /* every mount was checked as the profile was read */
    add_builtin(p, plan);
    add_profile_mounts(p, plan);
    add_paths(plan, PLAN_MOUNT_MASK, "masked_paths", p->masked_paths, p->n_masked_paths);
    add_paths(plan, PLAN_MOUNT_READONLY, "readonly_paths", p->readonly_paths, p->n_readonly_paths);
    return 0;
}
