/*
 * Assembling the container's root.
 *
 * The plan, after bubblewrap: make the whole tree rprivate, mount a scratch
 * tmpfs on /tmp and pivot_root into it with the host's root below at
 * /oldroot. Host paths are then reached as /oldroot/PATH, the overlay is
 * mounted at /newroot, and everything inside the new root is reached by
 * file descriptor (openat2 RESOLVE_IN_ROOT), never by joining strings, so a
 * symlink in the container can never point a mount at the host. A last
 * pivot_root into /newroot and a lazy unmount of the scratch root leave
 * nothing of the host reachable.
 */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/util.h"

#define SCRATCH "/tmp"
#define OLDROOT "/oldroot"

const char *const rootfs_masked_paths[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
    NULL,
};

const char *const rootfs_readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* ---- checks the parent makes, with the key that named the path ---- */

static int check_dir(const char *key, const char *path, struct congo_error *e)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return error_set(e, errno, "%s `%s`", key, path);
    if (!S_ISDIR(st.st_mode))
        return error_set(e, 0, "%s `%s` is not a directory", key, path);
    return 0;
}

int rootfs_preflight(const struct profile *p, struct congo_error *e)
{
    if (check_dir("rootfs", p->rootfs, e) < 0)
        return -1;
    for (size_t i = 0; i < p->n_layers; i++) {
        _cleanup_free_ char *key = xasprintf("layers[%zu]", i);
        if (check_dir(key, p->layers[i].path, e) < 0)
            return -1;
    }
    if (p->upper) {
        if (check_dir("upper", p->upper, e) < 0)
            return -1;
        /* The upper keeps changes in diff/ and needs overlay's work/ beside it. */
        static const char *const subdirs[] = {"diff", "work"};
        for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
            _cleanup_free_ char *sub = xasprintf("%s/%s", p->upper, subdirs[i]);
            if (mkdir(sub, 0755) < 0 && errno != EEXIST)
                return error_set(e, errno, "upper: cannot make `%s`", sub);
            /* Overlay says only EINVAL for an upper it cannot write: say why here. */
            if (access(sub, W_OK) < 0)
                return error_set(e, errno, "upper `%s` is not writable%s", p->upper,
                                 errno == EROFS ? " (its file system is mounted read-only)" : "");
        }
    }
    for (size_t i = 0; i < p->n_mounts; i++) {
        const struct profile_mount *m = &p->mounts[i];
        struct stat st;
        if (m->type == MOUNT_BIND && stat(m->source, &st) < 0)
            return error_set(e, errno, "mounts: source `%s` for `%s`", m->source, m->target);
    }
    return 0;
}

/* ---- helpers for the child ---- */

static int sys_pivot_root(const char *new_root, const char *put_old)
{
    return (int)syscall(SYS_pivot_root, new_root, put_old);
}

static int sys_openat2(int dirfd, const char *path, int flags, unsigned long long resolve)
{
    struct open_how how = {.flags = (unsigned long long)flags | O_CLOEXEC, .resolve = resolve};
    /*
     * RESOLVE_IN_ROOT fails with EAGAIN when a rename or mount anywhere on
     * the system races the lookup through `..`: the kernel cannot vouch the
     * walk stayed inside. Trying again is the documented answer.
     */
    for (int tries = 0;; tries++) {
        int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
        if (fd >= 0 || errno != EAGAIN || tries == 1000)
            return fd;
    }
}

/* The fd's path for calls that only take paths (mount(2)): through the host's /proc. */
static char *fd_path(int fd)
{
    return xasprintf(OLDROOT "/proc/self/fd/%d", fd);
}

/*
 * A host path as seen from the scratch root. Below OLDROOT an absolute
 * symlink on the way (a rootfs at /var/lib/machines/web -> /srv/web) would
 * point into the scratch root, so the path is resolved with the host's root
 * as its root, and the kernel names where it led. A path that cannot be
 * resolved is given as it is, for the mount to report.
 */
static char *host_path(const char *path)
{
    _cleanup_close_ int root = open(OLDROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
    _cleanup_close_ int fd = root < 0 ? -1 : sys_openat2(root, path, O_PATH, RESOLVE_IN_ROOT);
    char buf[PATH_MAX];
    _cleanup_free_ char *link = fd < 0 ? NULL : fd_path(fd);
    ssize_t n = link ? readlink(link, buf, sizeof(buf) - 1) : -1;
    if (n <= 0 || buf[0] != '/')
        return xasprintf(OLDROOT "%s", path);
    buf[n] = '\0';
    return xstrdup(buf);
}

enum create_kind {
    CREATE_NONE,
    CREATE_DIR,
    CREATE_FILE,
};

/*
 * Open path inside the root rootfd refers to, making missing components
 * (directories, and the last one as `last`). Every step resolves with
 * RESOLVE_IN_ROOT, so `..` and symlinks, absolute or relative, stay inside
 * the root: a container cannot redirect a mount to the host. Runs privileged
 * in the child.
 */
static int open_in_root(int rootfd, const char *path, enum create_kind last, struct congo_error *e)
{
    const unsigned long long resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    int fd = sys_openat2(rootfd, path, O_PATH, resolve);
    if (fd >= 0)
        return fd;
    if (errno != ENOENT || last == CREATE_NONE)
        return error_set(e, errno, "`/%s`", path);
    /*
     * Walk from the root, making what is missing. Each prefix is opened from
     * the root again, so a symlink met on the way resolves as it would in
     * the container, and never outside it.
     */
    struct strbuf prefix = {0};
    int parent = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
    for (const char *comp = path; *comp;) {
        const char *end = strchrnul(comp, '/');
        _cleanup_free_ char *name = xstrndup(comp, (size_t)(end - comp));
        comp = *end ? end + 1 : end;
        if (!*name)
            continue;
        if (prefix.len)
            strbuf_putc(&prefix, '/');
        strbuf_puts(&prefix, name);
        int child = sys_openat2(rootfd, prefix.buf, O_PATH, resolve);
        if (child < 0 && errno == ENOENT) {
            int r;
            if (*comp || last == CREATE_DIR) {
                r = mkdirat(parent, name, 0755);
            } else {
                int f = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                               0644);
                r = f < 0 ? -1 : close(f);
            }
            if (r < 0) {
                int err = errno;
                close(parent);
                strbuf_free(&prefix);
                if (err == EEXIST)
                    return error_set(e, 0, "`/%s`: `%s` is a symlink to nowhere", path, name);
                return error_set(e, err, "`/%s`: cannot make `%s`", path, name);
            }
            child = sys_openat2(rootfd, prefix.buf, O_PATH, resolve);
        }
        close(parent);
        if (child < 0) {
            int err = errno;
            strbuf_free(&prefix);
            return error_set(e, err, "`/%s`", path);
        }
        parent = child;
    }
    strbuf_free(&prefix);
    return parent;
}

int rootfs_open_dir(int rootfd, const char *path, bool create, struct congo_error *e)
{
    while (*path == '/')
        path++;
    if (!*path)
        return fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
    int fd = open_in_root(rootfd, path, create ? CREATE_DIR : CREATE_NONE, e);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
        close(fd);
        return error_set(e, 0, "`/%s` is not a directory", path);
    }
    return fd;
}

static int mount_on_fd(const char *source, int fd, const char *fstype, unsigned long flags,
                       const char *data)
{
    _cleanup_free_ char *target = fd_path(fd);
    return mount(source, target, fstype, flags, data);
}

/*
 * Attach a copy of the tree at dirfd/path onto the object fd refers to,
 * recursive, read-only through the whole subtree when asked (mount_setattr
 * with AT_RECURSIVE: a plain remount would leave submounts writable).
 */
static int attach_tree(int dirfd, const char *path, unsigned flags, int fd, bool readonly,
                       const char *what, struct congo_error *e)
{
    _cleanup_close_ int tree =
        open_tree(dirfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | flags);
    if (tree < 0)
        return error_set(e, errno, "open_tree `%s`", what);
    if (readonly) {
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
        if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
            return error_set(e, errno, "make `%s` read-only", what);
    }
    if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return error_set(e, errno, "move_mount `%s`", what);
    return 0;
}

/* A host tree bound onto fd. */
static int bind_tree_on_fd(const char *src, int fd, bool readonly, struct congo_error *e)
{
    return attach_tree(AT_FDCWD, src, 0, fd, readonly, src, e);
}

/* Re-mount a path inside the new root read-only, in place, with what is below it. */
static int make_readonly(int rootfd, const char *path, struct congo_error *e)
{
    _cleanup_close_ int fd = open_in_root(rootfd, path, CREATE_NONE, e);
    if (fd < 0)
        return e->err == ENOENT ? (error_clear(e), 0) : -1;
    return attach_tree(fd, "", AT_EMPTY_PATH, fd, true, path, e);
}

/* Hide a path: /dev/null over a file, an empty read-only tmpfs over a directory. */
static int mask_path(int rootfd, const char *path, struct congo_error *e)
{
    _cleanup_close_ int fd = open_in_root(rootfd, path, CREATE_NONE, e);
    if (fd < 0)
        return e->err == ENOENT ? (error_clear(e), 0) : -1;
    struct stat st;
    if (fstat(fd, &st) < 0)
        return error_set(e, errno, "stat `%s`", path);
    int r = S_ISDIR(st.st_mode)
                ? mount_on_fd("tmpfs", fd, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                              "mode=0555")
                : mount_on_fd(OLDROOT "/dev/null", fd, NULL, MS_BIND, NULL);
    if (r < 0)
        return error_set(e, errno, "mask `%s`", path);
    return 0;
}

/* Overlay's mount options split at `,` and `:`; a path holding either is escaped. */
static void put_overlay_path(struct strbuf *sb, const char *path)
{
    for (const char *c = path; *c; c++) {
        if (*c == ',' || *c == ':' || *c == '\\')
            strbuf_putc(sb, '\\');
        strbuf_putc(sb, *c);
    }
}

/*
 * The root overlay at /newroot: layers top-down, then rootfs; an upper on
 * the scratch tmpfs (gone with the container) or the profile's directory.
 * Runs privileged in the child, after the pivot into the scratch root.
 */
static int mount_overlay(const struct profile *p, struct congo_error *e)
{
    struct strbuf opts = {0};
    strbuf_puts(&opts, "lowerdir=");
    for (size_t i = p->n_layers; i > 0; i--) {
        _cleanup_free_ char *l = host_path(p->layers[i - 1].path);
        put_overlay_path(&opts, l);
        strbuf_putc(&opts, ':');
    }
    _cleanup_free_ char *root = host_path(p->rootfs);
    put_overlay_path(&opts, root);
    /* nodev: device nodes in an image, or made in the container, open nothing. */
    unsigned long flags = MS_NODEV;
    if (p->readonly_rootfs) {
        /* Overlay wants two lowers when there is no upper: an empty one on top. */
        if (p->n_layers == 0) {
            if (mkdir("/empty", 0755) < 0)
                return error_set(e, errno, "mkdir /empty");
            strbuf_free(&opts);
            strbuf_puts(&opts, "lowerdir=/empty:");
            put_overlay_path(&opts, root);
        }
        flags |= MS_RDONLY;
    } else if (p->upper) {
        _cleanup_free_ char *up = host_path(p->upper);
        strbuf_puts(&opts, ",upperdir=");
        put_overlay_path(&opts, up);
        strbuf_puts(&opts, "/diff,workdir=");
        put_overlay_path(&opts, up);
        strbuf_puts(&opts, "/work");
    } else {
        if (mkdir("/upper", 0755) < 0 || mkdir("/work", 0755) < 0)
            return error_set(e, errno, "make the tmpfs upper");
        strbuf_puts(&opts, ",upperdir=/upper,workdir=/work");
    }
    if (mkdir("/newroot", 0755) < 0)
        return error_set(e, errno, "mkdir /newroot");
    if (opts.len >= 4000) {
        strbuf_free(&opts);
        return error_set(e, 0,
                         "mount overlay at `/`: the layer paths are longer than the "
                         "kernel's 4 KiB of mount options; use fewer or shorter layers");
    }
    int r = mount("overlay", "/newroot", "overlay", flags, opts.buf);
    int err = errno;
    strbuf_free(&opts);
    if (r < 0) {
        const char *hint = err == ELOOP    ? " (layers may not overlap or nest)"
                           : err == EINVAL ? " (is the upper on a file system overlay accepts?)"
                           : err == ENODEV ? " (is the overlay module loaded?)"
                                           : "";
        return error_set(e, err, "mount overlay at `/`%s", hint);
    }
    /*
     * When it cannot make its work/work in the upper (no inode or block
     * left there), overlayfs mounts read-only and says so only in the
     * kernel log: a profile with a writable root must not run like that.
     */
    struct statvfs sv;
    if (!p->readonly_rootfs && statvfs("/newroot", &sv) == 0 && (sv.f_flag & ST_RDONLY)) {
        umount2("/newroot", MNT_DETACH);
        return error_set(e, ENOSPC,
                         "mount overlay at `/`: the kernel made it read-only, as upper `%s` "
                         "cannot hold overlay's work directory (is its file system full?)",
                         p->upper ? p->upper : "tmpfs");
    }
    return 0;
}

/* A fresh /proc for the new PID namespace, with runc's masked and read-only paths. */
static int setup_proc(int rootfd, struct congo_error *e)
{
    _cleanup_close_ int fd = open_in_root(rootfd, "proc", CREATE_DIR, e);
    if (fd < 0)
        return error_wrap(e, "/proc");
    if (mount_on_fd("proc", fd, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        return error_set(e, errno, "mount /proc");
    return 0;
}

/* Devices a process expects; bound from the host's nodes (mknod needs no trust in the image). */
static int setup_dev(int rootfd, struct congo_error *e)
{
    _cleanup_close_ int fd = open_in_root(rootfd, "dev", CREATE_DIR, e);
    if (fd < 0)
        return error_wrap(e, "/dev");
    /*
     * nodev: a node made here with mknod cannot be opened; the devices bound
     * below keep their own mounts' flags.
     */
    if (mount_on_fd("tmpfs", fd, "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV,
                    "mode=0755,size=65536k") < 0)
        return error_set(e, errno, "mount tmpfs at /dev");
    static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
    for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
        _cleanup_free_ char *rel = xasprintf("dev/%s", nodes[i]);
        _cleanup_free_ char *src = xasprintf(OLDROOT "/dev/%s", nodes[i]);
        _cleanup_close_ int node = open_in_root(rootfd, rel, CREATE_FILE, e);
        if (node < 0)
            return error_wrap(e, "/dev/%s", nodes[i]);
        if (mount_on_fd(src, node, NULL, MS_BIND, NULL) < 0)
            return error_set(e, errno, "bind /dev/%s", nodes[i]);
    }
    _cleanup_close_ int pts = open_in_root(rootfd, "dev/pts", CREATE_DIR, e);
    if (pts < 0)
        return error_wrap(e, "/dev/pts");
    if (mount_on_fd("devpts", pts, "devpts", MS_NOSUID | MS_NOEXEC,
                    "newinstance,ptmxmode=0666,mode=0620") < 0)
        return error_set(e, errno, "mount devpts at /dev/pts");
    _cleanup_close_ int shm = open_in_root(rootfd, "dev/shm", CREATE_DIR, e);
    if (shm < 0)
        return error_wrap(e, "/dev/shm");
    if (mount_on_fd("shm", shm, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777") < 0)
        return error_set(e, errno, "mount tmpfs at /dev/shm");
    /* The fd above names the directory under the tmpfs: the links go into the tmpfs. */
    close(fd);
    fd = open_in_root(rootfd, "dev", CREATE_NONE, e);
    if (fd < 0)
        return error_wrap(e, "/dev");
    static const struct {
        const char *name, *target;
    } links[] = {
        {"ptmx", "pts/ptmx"},          {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"},
        {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(links); i++)
        if (symlinkat(links[i].target, fd, links[i].name) < 0)
            return error_set(e, errno, "symlink /dev/%s", links[i].name);
    return 0;
}

/*
 * /sys read-only, and at /sys/fs/cgroup the container's own cgroup, also
 * read-only, so the limits can be read from inside.
 */
static int setup_sys(int rootfd, const struct cgroup_host *h, const struct cgroup *cg,
                     struct congo_error *e)
{
    _cleanup_close_ int fd = open_in_root(rootfd, "sys", CREATE_DIR, e);
    if (fd < 0)
        return error_wrap(e, "/sys");
    if (mount_on_fd("sysfs", fd, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
        /* Without a new network namespace sysfs may refuse a new instance: bind the host's. */
        _cleanup_free_ char *sys = host_path("/sys");
        if (bind_tree_on_fd(sys, fd, true, e) < 0)
            return error_wrap(e, "mount /sys");
    }
    if (!cg || !cg->paths || !cg->paths[0])
        return 0;
    _cleanup_close_ int cgfd = open_in_root(rootfd, "sys/fs/cgroup", CREATE_NONE, e);
    if (cgfd < 0)
        return error_wrap(e, "/sys/fs/cgroup");
    if (cg->mode == CGROUP_V2) {
        _cleanup_free_ char *src = host_path(cg->paths[0]);
        if (bind_tree_on_fd(src, cgfd, true, e) < 0)
            return error_wrap(e, "bind the container's cgroup at /sys/fs/cgroup");
        return 0;
    }
    /* v1: a directory per hierarchy, named as on the host, holding the container's cgroup. */
    if (mount_on_fd("cgroup", cgfd, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") < 0)
        return error_set(e, errno, "mount tmpfs at /sys/fs/cgroup");
    for (size_t i = 0; cg->paths[i]; i++) {
        const char *slash = NULL;
        for (size_t j = 0; j < h->n_v1; j++) {
            size_t n = strlen(h->v1[j].mount);
            if (strncmp(cg->paths[i], h->v1[j].mount, n) == 0 && cg->paths[i][n] == '/')
                slash = strrchr(h->v1[j].mount, '/');
        }
        if (!slash)
            continue;
        _cleanup_free_ char *rel = xasprintf("sys/fs/cgroup/%s", slash + 1);
        _cleanup_close_ int dir = open_in_root(rootfd, rel, CREATE_DIR, e);
        if (dir < 0)
            return error_wrap(e, "/%s", rel);
        _cleanup_free_ char *src = host_path(cg->paths[i]);
        if (bind_tree_on_fd(src, dir, true, e) < 0)
            return error_wrap(e, "bind the container's cgroup at /%s", rel);
    }
    /* The tmpfs itself goes read-only now that it is filled; the binds already are. */
    _cleanup_close_ int top = open_in_root(rootfd, "sys/fs/cgroup", CREATE_NONE, e);
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
    if (top < 0 || mount_setattr(top, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
        return top < 0 ? -1 : error_set(e, errno, "make /sys/fs/cgroup read-only");
    return 0;
}

static int setup_tmp(int rootfd, struct congo_error *e)
{
    _cleanup_close_ int fd = open_in_root(rootfd, "tmp", CREATE_DIR, e);
    if (fd < 0)
        return error_wrap(e, "/tmp");
    if (mount_on_fd("tmpfs", fd, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
        return error_set(e, errno, "mount tmpfs at /tmp");
    return 0;
}

static size_t depth(const char *path)
{
    size_t n = 0;
    for (; *path; path++)
        n += *path == '/';
    return n;
}

/* The profile's mounts, parents first (by target depth, stable within a depth). */
static int setup_mounts(int rootfd, const struct profile *p, struct congo_error *e)
{
    size_t max_depth = 0;
    for (size_t i = 0; i < p->n_mounts; i++)
        if (depth(p->mounts[i].target) > max_depth)
            max_depth = depth(p->mounts[i].target);
    for (size_t d = 1; d <= max_depth; d++) {
        for (size_t i = 0; i < p->n_mounts; i++) {
            const struct profile_mount *m = &p->mounts[i];
            if (depth(m->target) != d || m->type == MOUNT_NONE)
                continue;
            enum create_kind kind = CREATE_DIR;
            _cleanup_free_ char *src = m->source ? host_path(m->source) : NULL;
            if (src) {
                struct stat st;
                if (stat(src, &st) < 0)
                    return error_set(e, errno, "mounts: source `%s` for `%s`", m->source,
                                     m->target);
                kind = S_ISDIR(st.st_mode) ? CREATE_DIR : CREATE_FILE;
            }
            _cleanup_close_ int fd = open_in_root(rootfd, m->target + 1, kind, e);
            if (fd < 0)
                return error_wrap(e, "mounts: target");
            if (m->type == MOUNT_BIND) {
                if (bind_tree_on_fd(src, fd, m->readonly, e) < 0)
                    return error_wrap(e, "mounts: bind `%s` at `%s`", m->source, m->target);
                continue;
            }
            unsigned long flags = MS_NOSUID | MS_NODEV | (m->readonly ? MS_RDONLY : 0);
            struct strbuf data = {0};
            /* Flags in the options are mount flags, the rest tmpfs's own. */
            for (const char *o = m->options; o && *o;) {
                const char *end = strchrnul(o, ',');
                size_t len = (size_t)(end - o);
                if (len == 6 && !strncmp(o, "noexec", 6))
                    flags |= MS_NOEXEC;
                else if (len == 4 && !strncmp(o, "exec", 4))
                    flags &= ~(unsigned long)MS_NOEXEC;
                else if (len == 6 && !strncmp(o, "nosuid", 6))
                    flags |= MS_NOSUID;
                else if (len == 4 && !strncmp(o, "suid", 4))
                    flags &= ~(unsigned long)MS_NOSUID;
                else if (len == 5 && !strncmp(o, "nodev", 5))
                    flags |= MS_NODEV;
                else if (len == 3 && !strncmp(o, "dev", 3))
                    flags &= ~(unsigned long)MS_NODEV;
                else {
                    if (data.len)
                        strbuf_putc(&data, ',');
                    strbuf_add(&data, o, len);
                }
                o = *end ? end + 1 : end;
            }
            int r = mount_on_fd("tmpfs", fd, "tmpfs", flags, data.buf ? data.buf : "");
            int err = errno;
            strbuf_free(&data);
            if (r < 0)
                return error_set(e, err, "mounts: tmpfs at `%s`", m->target);
        }
    }
    return 0;
}

/* A rootfs whose /proc or /dev is a symlink could aim the kernel's files anywhere. */
static int refuse_symlinks(int rootfd, struct congo_error *e)
{
    static const char *const dirs[] = {"proc", "dev", "sys", "tmp"};
    for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
        struct stat st;
        if (fstatat(rootfd, dirs[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
            return error_set(e, 0,
                             "the root's /%s is a symlink; congo mounts its own /%s there and "
                             "refuses to follow it",
                             dirs[i], dirs[i]);
    }
    return 0;
}

/*
 * The whole sequence. Runs privileged in the child, in a new mount
 * namespace. The order matters: rprivate first (nothing may propagate to
 * the host), the scratch pivot before any host path is used, the caller's
 * before_sys just before /sys (sysfs shows its mounter's network devices,
 * and the cgroup bound below it must exist; what needs neither comes first,
 * to overlap with the caller's work), /dev before the masks (they bind
 * /dev/null), the profile's mounts after the fixed ones (so they may replace
 * /tmp and /dev/shm), and the final pivot last.
 */
static void step_done(const struct rootfs_steps *steps, const char *step)
{
    if (steps && steps->done)
        steps->done(steps->arg, step);
}

int rootfs_setup(const struct profile *p, const struct cgroup_host *h, const struct cgroup *cg,
                 const struct rootfs_steps *steps, struct congo_error *e)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return error_set(e, errno, "make the mount tree private");
    if (mount("congo", SCRATCH, "tmpfs", 0, "mode=0700") < 0)
        return error_set(e, errno, "mount the scratch tmpfs at " SCRATCH);
    if (mkdir(SCRATCH OLDROOT, 0700) < 0)
        return error_set(e, errno, "mkdir " SCRATCH OLDROOT);
    if (sys_pivot_root(SCRATCH, SCRATCH OLDROOT) < 0)
        return error_set(e, errno, "pivot_root into the scratch tmpfs");
    if (chdir("/") < 0)
        return error_set(e, errno, "chdir /");
    step_done(steps, "scratch root");

    if (mount_overlay(p, e) < 0)
        return -1;
    step_done(steps, "overlay");
    _cleanup_close_ int rootfd = open("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return error_set(e, errno, "open the new root");
    if (refuse_symlinks(rootfd, e) < 0 || setup_proc(rootfd, e) < 0)
        return -1;
    step_done(steps, "/proc");
    if (setup_dev(rootfd, e) < 0)
        return -1;
    if (setup_tmp(rootfd, e) < 0)
        return -1;
    step_done(steps, "/dev and /tmp");
    if (steps && steps->before_sys && steps->before_sys(steps->arg, e) < 0)
        return -1;
    if (setup_sys(rootfd, h, cg, e) < 0)
        return -1;
    step_done(steps, "/sys and the cgroup");
    for (size_t i = 0; rootfs_masked_paths[i]; i++)
        if (mask_path(rootfd, rootfs_masked_paths[i] + 1, e) < 0)
            return -1;
    for (size_t i = 0; rootfs_readonly_paths[i]; i++)
        if (make_readonly(rootfd, rootfs_readonly_paths[i] + 1, e) < 0)
            return -1;
    step_done(steps, "masked and read-only paths");
    if (setup_mounts(rootfd, p, e) < 0)
        return -1;
    /* The profile's own masks and read-only paths, after its mounts so they can cover them. */
    for (size_t i = 0; i < p->n_masked_paths; i++)
        if (mask_path(rootfd, p->masked_paths[i].path + 1, e) < 0)
            return error_wrap(e, "masked_paths");
    for (size_t i = 0; i < p->n_readonly_paths; i++)
        if (make_readonly(rootfd, p->readonly_paths[i].path + 1, e) < 0)
            return error_wrap(e, "readonly_paths");
    step_done(steps, "the profile's mounts");

    /* pivot_root(".", ".") stacks the old root on the new one; the lazy unmount drops it. */
    if (fchdir(rootfd) < 0)
        return error_set(e, errno, "chdir into the new root");
    if (sys_pivot_root(".", ".") < 0)
        return error_set(e, errno, "pivot_root into the new root");
    if (umount2(".", MNT_DETACH) < 0)
        return error_set(e, errno, "detach the old root");
    if (chdir("/") < 0)
        return error_set(e, errno, "chdir /");
    step_done(steps, "pivot_root");
    return 0;
}
