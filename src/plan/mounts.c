/*
 * The mounts of a container, in the order the engine makes them, after the
 * root's overlay:
 *
 *   /proc, /dev (a tmpfs with the host's harmless device nodes, devpts,
 *   /dev/shm and the usual links), /tmp, /sys and the container's own
 *   cgroup, runc's masked and read-only /proc and /sys paths, the profile's
 *   mounts (parents first), then the profile's masked and read-only paths.
 *
 * The order is the engine's contract: /dev before the masks (a masked file
 * is covered with /dev/null), the profile's mounts after the built-in ones
 * (they may replace /tmp and /dev/shm), and the profile's masks after its
 * mounts (so they can cover them). bubblewrap's SetupOp list is the model:
 * what to do is decided here, and src/runtime/rootfs.c only does it.
 */
#include <string.h>
#include <sys/mount.h>

#include "plan/plan-internal.h"
#include "util/util.h"

/* The /proc and /sys paths a container must not read (masked) or write (read-only), after runc. */
static const char *const masked_paths[] = {
    "/proc/acpi",        "/proc/asound",          "/proc/interrupts", "/proc/kcore",
    "/proc/keys",        "/proc/latency_stats",   "/proc/timer_list", "/proc/timer_stats",
    "/proc/sched_debug", "/proc/scsi",            "/sys/firmware",
    "/sys/devices/virtual/powercap",
};

static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

/* Device nodes a process expects, bound from the host's (no mknod, no trust in the image). */
static const char *const devices[] = {"null", "zero", "full", "random", "urandom", "tty"};

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

static void add_builtin(struct run_plan *plan)
{
    add_fs(plan, "/proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    /* nodev: a node made here with mknod opens nothing; the bound ones keep their own mounts' flags. */
    add_fs(plan, "/dev", "tmpfs", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV,
           "mode=0755,size=65536k");
    for (size_t i = 0; i < ARRAY_SIZE(devices); i++) {
        _cleanup_free_ char *path = xasprintf("/dev/%s", devices[i]);
        add(plan, PLAN_MOUNT_DEVICE, path, NULL, NULL)->source = xstrdup(path);
    }
    /* The container's own devpts instance: `tty` inside names its terminal. */
    add_fs(plan, "/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
           "newinstance,ptmxmode=0666,mode=0620");
    add_fs(plan, "/dev/shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777");
    for (size_t i = 0; i < ARRAY_SIZE(dev_links); i++) {
        _cleanup_free_ char *path = xasprintf("/dev/%s", dev_links[i].name);
        add(plan, PLAN_MOUNT_SYMLINK, path, NULL, NULL)->source = xstrdup(dev_links[i].target);
    }
    add_fs(plan, "/tmp", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
    /* The engine binds the host's /sys read-only where a new sysfs is refused. */
    add_fs(plan, "/sys", "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    add(plan, PLAN_MOUNT_CGROUP, "/sys/fs/cgroup", NULL, NULL);
    for (size_t i = 0; i < ARRAY_SIZE(masked_paths); i++)
        add(plan, PLAN_MOUNT_MASK, masked_paths[i], NULL, NULL);
    for (size_t i = 0; i < ARRAY_SIZE(readonly_paths); i++)
        add(plan, PLAN_MOUNT_READONLY, readonly_paths[i], NULL, NULL);
}

/*
 * A tmpfs mount's options: the mount flags among them (noexec, nosuid,
 * nodev and their opposites) as MS_* flags, the rest for tmpfs itself.
 * The schema has checked every option already.
 */
static void tmpfs_options(const char *options, unsigned long *flags, char **data)
{
    static const struct {
        const char *name;
        unsigned long flag;
        bool set;
    } mount_flags[] = {
        {"noexec", MS_NOEXEC, true}, {"exec", MS_NOEXEC, false}, {"nosuid", MS_NOSUID, true},
        {"suid", MS_NOSUID, false},  {"nodev", MS_NODEV, true},  {"dev", MS_NODEV, false},
    };
    struct strbuf sb = {0};
    for (const char *o = options; o && *o;) {
        const char *end = strchrnul(o, ',');
        size_t len = (size_t)(end - o);
        bool flag = false;
        for (size_t i = 0; i < ARRAY_SIZE(mount_flags) && !flag; i++) {
            if (strlen(mount_flags[i].name) != len || strncmp(o, mount_flags[i].name, len) != 0)
                continue;
            flag = true;
            if (mount_flags[i].set)
                *flags |= mount_flags[i].flag;
            else
                *flags &= ~mount_flags[i].flag;
        }
        if (!flag) {
            if (sb.len)
                strbuf_putc(&sb, ',');
            strbuf_add(&sb, o, len);
        }
        o = *end ? end + 1 : end;
    }
    *data = sb.len ? strbuf_steal(&sb) : NULL;
}

static size_t depth(const char *path)
{
    size_t n = 0;
    for (; *path; path++)
        n += *path == '/';
    return n;
}

/* The profile's mounts, parents first: by target depth, stable within a depth. */
static void add_profile_mounts(const struct profile *p, struct run_plan *plan)
{
    size_t max_depth = 0;
    for (size_t i = 0; i < p->n_mounts; i++)
        if (depth(p->mounts[i].target) > max_depth)
            max_depth = depth(p->mounts[i].target);
    for (size_t level = 1; level <= max_depth; level++) {
        for (size_t i = 0; i < p->n_mounts; i++) {
            const struct profile_mount *pm = &p->mounts[i];
            if (depth(pm->target) != level || pm->type == MOUNT_NONE)
                continue;
            _cleanup_free_ char *origin = plan_origin_text(&pm->origin);
            if (pm->type == MOUNT_BIND) {
                struct plan_mount *m = add(plan, PLAN_MOUNT_BIND, pm->target, "mounts", origin);
                m->source = xstrdup(pm->source);
                m->readonly = pm->readonly;
                continue;
            }
            struct plan_mount *m = add(plan, PLAN_MOUNT_FS, pm->target, "mounts", origin);
            m->source = xstrdup("tmpfs");
            m->fstype = xstrdup("tmpfs");
            m->flags = MS_NOSUID | MS_NODEV | (pm->readonly ? MS_RDONLY : 0);
            tmpfs_options(pm->options, &m->flags, &m->data);
        }
    }
}

static void add_paths(struct run_plan *plan, enum plan_mount_kind kind, const char *key,
                      const struct profile_layer *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *origin = plan_origin_text(&list[i].origin);
        add(plan, kind, list[i].path, key, origin);
    }
}

int plan_mounts_build(const struct profile *p, struct run_plan *plan, struct diags *d)
{
    (void)d; /* every mount was checked as the profile was read */
    add_builtin(plan);
    add_profile_mounts(p, plan);
    add_paths(plan, PLAN_MOUNT_MASK, "masked_paths", p->masked_paths, p->n_masked_paths);
    add_paths(plan, PLAN_MOUNT_READONLY, "readonly_paths", p->readonly_paths, p->n_readonly_paths);
    return 0;
}
