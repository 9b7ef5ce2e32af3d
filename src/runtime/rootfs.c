/*
 * Assembling the container's root, as the run plan lists it.
 *
 * The method, after bubblewrap: make the whole tree rprivate, mount a scratch
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

#include "copy.h"
#include "util/util.h"

#define SCRATCH "/tmp"
#define OLDROOT ROOTFS_HOST_ROOT

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

int rootfs_preflight(const struct run_plan *plan, struct congo_error *e)
{
    const struct plan_root *root = &plan->root;
    if (check_dir("rootfs", root->rootfs, e) < 0)
        return -1;
    for (size_t i = 0; root->layers && root->layers[i]; i++) {
        _cleanup_free_ char *key = xasprintf("layers[%zu]", i);
        if (check_dir(key, root->layers[i], e) < 0)
            return -1;
    }
    if (root->upper) {
        if (check_dir("upper", root->upper, e) < 0)
            return -1;
        /* The upper keeps changes in diff/ and needs overlay's work/ beside it. */
        static const char *const subdirs[] = {"diff", "work"};
        for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
            _cleanup_free_ char *sub = xasprintf("%s/%s", root->upper, subdirs[i]);
            /* Its diff/ is the container's `/`: 0755 whatever the caller's umask. */
            if (mkdir(sub, 0755) == 0) {
                if (chmod(sub, 0755) < 0)
                    return error_set(e, errno, "upper: cannot make `%s` 0755", sub);
            } else if (errno != EEXIST) {
                return error_set(e, errno, "upper: cannot make `%s`", sub);
            }
            /* Overlay says only EINVAL for an upper it cannot write: say why here. */
            if (access(sub, W_OK) < 0)
                return error_set(e, errno, "upper `%s` is not writable%s", root->upper,
                                 errno == EROFS ? " (its file system is mounted read-only)" : "");
        }
    }
    for (size_t i = 0; i < plan->n_mounts; i++) {
        const struct plan_mount *m = &plan->mounts[i];
        struct stat st;
        if (m->kind == PLAN_MOUNT_BIND && stat(m->source, &st) < 0)
            return error_set(e, errno, "mounts: source `%s` for `%s`", m->source, m->target);
        /* The profile's devices (congo's own are the kernel's, always there). */
        if (m->kind == PLAN_MOUNT_DEVICE && m->key) {
            if (stat(m->source, &st) < 0)
                return error_set(e, errno, "devices: `%s` (%s)", m->source, m->origin);
            if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                return error_set(e, 0, "devices: `%s` (%s) is not a device node", m->source,
                                 m->origin);
        }
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
char *rootfs_host_path(const char *path)
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
    if (parent < 0)
        return error_set(e, errno, "`/%s`", path);
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

/* The mount attributes of MS_* flags: what a bind can change of its copy. */
static void attrs_of(unsigned long flags, struct mount_attr *attr)
{
    static const struct {
        unsigned long flag;
        uint64_t attr;
    } map[] = {
        {MS_RDONLY, MOUNT_ATTR_RDONLY},   {MS_NOSUID, MOUNT_ATTR_NOSUID},
        {MS_NODEV, MOUNT_ATTR_NODEV},     {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
        {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME},
    };
    for (size_t i = 0; i < ARRAY_SIZE(map); i++)
        if (flags & map[i].flag)
            attr->attr_set |= map[i].attr;
    /* The atime mode is one field: setting one clears the others. */
    uint64_t atime = flags & MS_NOATIME       ? MOUNT_ATTR_NOATIME
                     : flags & MS_STRICTATIME ? MOUNT_ATTR_STRICTATIME
                     : flags & MS_RELATIME    ? MOUNT_ATTR_RELATIME
                                              : UINT64_MAX;
    if (atime != UINT64_MAX) {
        attr->attr_set |= atime;
        attr->attr_clr |= MOUNT_ATTR__ATIME;
    }
}

/*
 * Attach a copy of the tree at dirfd/path onto the object fd refers to,
 * recursive unless told otherwise, with the attributes of flags (MS_RDONLY
 * and the like) through the whole copy (mount_setattr with AT_RECURSIVE: a
 * plain remount would leave submounts writable).
 */
static int attach_tree(int dirfd, const char *path, unsigned open_flags, int fd, bool recursive,
                       unsigned long flags, const char *what, struct congo_error *e)
{
    _cleanup_close_ int tree = open_tree(dirfd, path,
                                         OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | open_flags |
                                             (recursive ? AT_RECURSIVE : 0));
    if (tree < 0)
        return error_set(e, errno, "open_tree `%s`", what);
    struct mount_attr attr = {0};
    attrs_of(flags, &attr);
    if ((attr.attr_set || attr.attr_clr) &&
        mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
        return error_set(e, errno, "set the flags of `%s`%s", what,
                         flags & MS_RDONLY ? " (read-only)" : "");
    if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return error_set(e, errno, "move_mount `%s`", what);
    return 0;
}

/* A host tree bound onto fd, recursively, read-only when asked. */
static int bind_tree_on_fd(const char *src, int fd, bool readonly, struct congo_error *e)
{
    return attach_tree(AT_FDCWD, src, 0, fd, true, readonly ? MS_RDONLY : 0, src, e);
}

/* Re-mount a path inside the new root read-only, in place, with what is below it. */
static int make_readonly(int rootfd, const char *path, struct congo_error *e)
{
    _cleanup_close_ int fd = open_in_root(rootfd, path, CREATE_NONE, e);
    if (fd < 0)
        return e->err == ENOENT ? (error_clear(e), 0) : -1;
    return attach_tree(fd, "", AT_EMPTY_PATH, fd, true, MS_RDONLY, path, e);
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
 * The id-mapped trees the launcher made, attached at /idmapped/N of the
 * scratch root, where overlay's options can name them. Runs privileged in
 * the child, after the pivot into the scratch root.
 */
static int attach_idmapped(const struct rootfs_steps *steps, struct congo_error *e)
{
    if (!steps || steps->n_idmapped == 0)
        return 0;
    if (mkdir("/idmapped", 0700) < 0)
        return error_set(e, errno, "mkdir /idmapped");
    for (size_t i = 0; i < steps->n_idmapped; i++) {
        char path[32];
        snprintf(path, sizeof(path), "/idmapped/%zu", i);
        if (mkdir(path, 0755) < 0)
            return error_set(e, errno, "mkdir %s", path);
        if (syscall(SYS_move_mount, steps->idmapped[i], "", AT_FDCWD, path,
                    MOVE_MOUNT_F_EMPTY_PATH) < 0)
            return error_set(e, errno, "attach the id-mapped layer at %s", path);
    }
    return 0;
}

/* Layer i (0 rootfs, then the layers bottom to top, then the upper) as the scratch root sees it. */
static char *layer_path(const struct rootfs_steps *steps, size_t i, const char *host)
{
    if (steps && steps->n_idmapped_layers)
        return xasprintf("/idmapped/%zu", i);
    return rootfs_host_path(host);
}

/*
 * The root overlay at /newroot: layers top-down, then rootfs; an upper on
 * the scratch tmpfs (gone with the container) or the profile's directory.
 * Runs privileged in the child, after the pivot into the scratch root.
 */
static int mount_overlay(const struct plan_root *r, const struct rootfs_steps *steps,
                         struct congo_error *e)
{
    if (attach_idmapped(steps, e) < 0)
        return -1;
    if (r->direct) {
        /* upper: none. nodev as the overlay is: device nodes in the image open nothing. */
        _cleanup_free_ char *root = layer_path(steps, 0, r->rootfs);
        if (mkdir("/newroot", 0755) < 0)
            return error_set(e, errno, "mkdir /newroot");
        _cleanup_close_ int fd = open("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return error_set(e, errno, "open /newroot");
        if (attach_tree(AT_FDCWD, root, 0, fd, true, MS_NODEV, r->rootfs, e) < 0)
            return error_wrap(e, "bind rootfs at `/`");
        return 0;
    }
    struct strbuf opts = {0};
    strbuf_puts(&opts, "lowerdir=");
    size_t n_layers = strv_len(r->layers);
    for (size_t i = n_layers; i > 0; i--) {
        _cleanup_free_ char *l = layer_path(steps, i, r->layers[i - 1]);
        put_overlay_path(&opts, l);
        strbuf_putc(&opts, ':');
    }
    _cleanup_free_ char *root = layer_path(steps, 0, r->rootfs);
    put_overlay_path(&opts, root);
    /* nodev: device nodes in an image, or made in the container, open nothing. */
    unsigned long flags = MS_NODEV;
    if (r->readonly) {
        /* Overlay wants two lowers when there is no upper: an empty one on top. */
        if (n_layers == 0) {
            if (mkdir("/empty", 0755) < 0)
                return error_set(e, errno, "mkdir /empty");
            strbuf_free(&opts);
            strbuf_puts(&opts, "lowerdir=/empty:");
            put_overlay_path(&opts, root);
        }
        flags |= MS_RDONLY;
    } else if (r->upper) {
        _cleanup_free_ char *up = layer_path(steps, n_layers + 1, r->upper);
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
    int mounted = mount("overlay", "/newroot", "overlay", flags, opts.buf);
    int err = errno;
    strbuf_free(&opts);
    if (mounted < 0) {
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
    if (!r->readonly && statvfs("/newroot", &sv) == 0 && (sv.f_flag & ST_RDONLY)) {
        umount2("/newroot", MNT_DETACH);
        return error_set(e, ENOSPC,
                         "mount overlay at `/`: the kernel made it read-only, as upper `%s` "
                         "cannot hold overlay's work directory (is its file system full?)",
                         r->upper ? r->upper : "tmpfs");
    }
    return 0;
}

/*
 * /sys/fs/cgroup: the container's own cgroup, so the limits can be read
 * from inside; read-only unless the profile's mount says rw. On v2 its one
 * directory; on v1 a read-only tmpfs holding a directory per hierarchy,
 * named as on the host.
 */
static int mount_cgroup(int rootfd, int fd, const struct cgroup_host *h, const struct cgroup *cg,
                        bool readonly, struct congo_error *e)
{
    if (!cg || !cg->paths || !cg->paths[0])
        return 0;
    if (cg->mode == CGROUP_V2) {
        _cleanup_free_ char *src = rootfs_host_path(cg->paths[0]);
        if (bind_tree_on_fd(src, fd, readonly, e) < 0)
            return error_wrap(e, "bind the container's cgroup at /sys/fs/cgroup");
        return 0;
    }
    if (mount_on_fd("cgroup", fd, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755") < 0)
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
        _cleanup_free_ char *src = rootfs_host_path(cg->paths[i]);
        if (bind_tree_on_fd(src, dir, readonly, e) < 0)
            return error_wrap(e, "bind the container's cgroup at /%s", rel);
    }
    /* The tmpfs itself goes read-only now that it is filled; the binds are as asked. */
    _cleanup_close_ int top = open_in_root(rootfd, "sys/fs/cgroup", CREATE_NONE, e);
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
    if (top < 0 || mount_setattr(top, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
        return top < 0 ? -1 : error_set(e, errno, "make /sys/fs/cgroup read-only");
    return 0;
}

/*
 * tmpcopyup: the new tmpfs gets the files, mode and owner of the directory
 * it covers, read through `under`, opened before the mount hid it. Runs
 * privileged in the child.
 */
static int copy_up(int rootfd, const struct plan_mount *m, int under, struct congo_error *e)
{
    _cleanup_close_ int top_path = open_in_root(rootfd, m->target + 1, CREATE_NONE, e);
    _cleanup_close_ int top =
        top_path < 0 ? -1 : openat(top_path, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top < 0) {
        if (top_path >= 0)
            error_set(e, errno, "`%s`", m->target);
        return error_wrap(e, "mounts: tmpcopyup");
    }
    if (copy_tree(under, top, e) < 0)
        return error_wrap(e, "mounts: tmpcopyup of `%s`", m->target);
    /* Mounted writable for the copy: read-only now, when the mount asks it. */
    struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY};
    if ((m->flags & MS_RDONLY) && mount_setattr(top, "", AT_EMPTY_PATH, &ro, sizeof(ro)) < 0)
        return error_set(e, errno, "mounts: `%s` read-only after tmpcopyup", m->target);
    return 0;
}

/*
 * A mount's target that cannot be had in the root, said with where the
 * mount was written: FILE:LINE of a profile, FILE:/mounts/N of a config.json.
 */
static int target_error(const struct plan_mount *m, struct congo_error *e)
{
    if (!m->key)
        return error_wrap(e, "%s", m->target);
    if (m->origin && strcmp(m->origin, "built-in") != 0)
        return error_wrap(e, "%s: %s: target", m->origin, m->key);
    return error_wrap(e, "%s: target", m->key);
}

/* A new file system on a directory; a sysfs the kernel refuses becomes a bind of the host's. */
static int mount_fs(int rootfd, const struct plan_mount *m, struct congo_error *e)
{
    _cleanup_close_ int fd = open_in_root(rootfd, m->target + 1, CREATE_DIR, e);
    if (fd < 0)
        return target_error(m, e);
    _cleanup_close_ int under = -1;
    if (m->copy_up && (under = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return error_set(e, errno, "mounts: tmpcopyup: `%s`", m->target);
    unsigned long flags = m->copy_up ? m->flags & ~(unsigned long)MS_RDONLY : m->flags;
    if (mount_on_fd(m->source, fd, m->fstype, flags, m->data ? m->data : "") == 0)
        return m->copy_up ? copy_up(rootfd, m, under, e) : 0;
    int err = errno;
    /* Without a new network namespace sysfs may refuse a new instance: bind the host's. */
    if (strcmp(m->fstype, "sysfs") == 0) {
        _cleanup_free_ char *sys = rootfs_host_path("/sys");
        if (bind_tree_on_fd(sys, fd, true, e) < 0)
            return error_wrap(e, "mount /sys (a new sysfs: %s; the host's, bound)", strerror(err));
        return 0;
    }
    if (m->key)
        return error_set(e, err, "mounts: %s at `%s`", m->fstype, m->target);
    return error_set(e, err, "mount %s at %s", m->fstype, m->target);
}

/* A host path bound in; its target is made as a directory or a file, like the source. */
/* idmapped: the launcher's id-mapped tree of the source, attached in the scratch root; else NULL. */
static int mount_bind(int rootfd, const struct plan_mount *m, const char *idmapped,
                      struct congo_error *e)
{
    _cleanup_free_ char *src = idmapped ? xstrdup(idmapped) : rootfs_host_path(m->source);
    struct stat st;
    if (stat(src, &st) < 0)
        return error_set(e, errno, "mounts: source `%s` for `%s`", m->source, m->target);
    enum create_kind kind = S_ISDIR(st.st_mode) ? CREATE_DIR : CREATE_FILE;
    _cleanup_close_ int fd = open_in_root(rootfd, m->target + 1, kind, e);
    if (fd < 0)
        return target_error(m, e);
    unsigned long flags = m->flags | (m->readonly ? MS_RDONLY : 0);
    if (attach_tree(AT_FDCWD, src, 0, fd, m->recursive, flags, m->source, e) < 0)
        return error_wrap(e, "mounts: bind `%s` at `%s`", m->source, m->target);
    return 0;
}

int rootfs_bind_text(int rootfd, const char *target, const char *text, const char *fixed,
                     struct congo_error *e)
{
    /* The file lives in the scratch tmpfs, the child's `/` until the pivot; the mount keeps it. */
    const char *name = strrchr(target, '/') + 1;
    _cleanup_free_ char *src = xasprintf("/congo-%s", name);
    _cleanup_close_ int out = open(src, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    size_t len = strlen(text);
    if (out < 0 || write(out, text, len) != (ssize_t)len)
        return error_set(e, errno, "write `%s` for the container", src);
    _cleanup_free_ char *dir = xstrndup(target + 1, (size_t)(name - 1 - (target + 1)));
    _cleanup_close_ int parent = open_in_root(rootfd, dir, fixed ? CREATE_NONE : CREATE_DIR, e);
    if (parent < 0)
        return error_wrap(e, "network");
    /*
     * A symbolic link (systemd images point resolv.conf at a resolver's
     * file that is not there) or nothing: in an overlay, a file of the
     * upper's takes its place, and the image stays as it is. Never
     * followed: it could lead to a bind source, or onto /dev/null.
     */
    struct stat st;
    bool there = fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (there && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
        return error_set(e, 0, "network: `%s` in the root is not a file", target);
    if (!there || S_ISLNK(st.st_mode)) {
        if (fixed)
            return error_set(e, 0,
                             "network: `%s` in %s is %s: congo binds its own over a file of the "
                             "root's, and cannot make one there",
                             target, fixed, there ? "a symbolic link" : "missing");
        if (there && unlinkat(parent, name, 0) < 0)
            return error_set(e, errno, "network: replace the symbolic link `%s`", target);
        _cleanup_close_ int made =
            openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (made < 0)
            return error_set(e, errno, "network: make `%s`", target);
    }
    _cleanup_close_ int fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return error_set(e, errno, "network: open `%s`", target);
    if (attach_tree(AT_FDCWD, src, 0, fd, false, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                    target, e) < 0)
        return error_wrap(e, "network: bind `%s`", target);
    return 0;
}

/* A host device node bound onto a file of the container's /dev. */
static int mount_device(int rootfd, const struct plan_mount *m, struct congo_error *e)
{
    /*
     * A profile's node may be named through a link (/dev/disk/by-id/...).
     * Opened once and bound from that fd, which is checked to be a device
     * node: a file put in its place since the launcher looked is not bound.
     */
    _cleanup_free_ char *path = rootfs_host_path(m->source);
    _cleanup_close_ int node = open(path, O_PATH | O_CLOEXEC);
    struct stat st;
    if (node < 0 || fstat(node, &st) < 0)
        return error_set(e, errno, "%s `%s`", m->key ? m->key : "device", m->source);
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
        return error_set(e, 0, "%s: `%s` is not a device node", m->key ? m->key : "device",
                         m->source);
    _cleanup_free_ char *src = fd_path(node);
    _cleanup_close_ int fd = open_in_root(rootfd, m->target + 1, CREATE_FILE, e);
    if (fd < 0)
        return error_wrap(e, "%s", m->target);
    if (mount_on_fd(src, fd, NULL, MS_BIND, NULL) < 0)
        return error_set(e, errno, "bind %s", m->target);
    return 0;
}

/* A symbolic link, made in its parent directory as the container resolves it. */
static int make_symlink(int rootfd, const struct plan_mount *m, struct congo_error *e)
{
    const char *slash = strrchr(m->target, '/');
    _cleanup_free_ char *parent = xstrndup(m->target + 1, (size_t)(slash - m->target - 1));
    _cleanup_close_ int dir = rootfs_open_dir(rootfd, parent, false, e);
    if (dir < 0)
        return error_wrap(e, "%s", m->target);
    if (symlinkat(m->source, dir, slash + 1) < 0)
        return error_set(e, errno, "symlink %s", m->target);
    return 0;
}

static int do_mount(int rootfd, const struct plan_mount *m, const struct cgroup_host *h,
                    const struct cgroup *cg, const char *idmapped, struct congo_error *e)
{
    switch (m->kind) {
    case PLAN_MOUNT_FS:
        return mount_fs(rootfd, m, e);
    case PLAN_MOUNT_DEVICE:
        return mount_device(rootfd, m, e);
    case PLAN_MOUNT_BIND:
        return mount_bind(rootfd, m, idmapped, e);
    case PLAN_MOUNT_SYMLINK:
        return make_symlink(rootfd, m, e);
    case PLAN_MOUNT_CGROUP: {
        _cleanup_close_ int fd = open_in_root(rootfd, m->target + 1, CREATE_NONE, e);
        if (fd < 0)
            return error_wrap(e, "%s", m->target);
        return mount_cgroup(rootfd, fd, h, cg, m->readonly, e);
    }
    case PLAN_MOUNT_MASK:
        if (mask_path(rootfd, m->target + 1, e) < 0)
            return m->key ? error_wrap(e, "%s", m->key) : -1;
        return 0;
    case PLAN_MOUNT_READONLY:
        if (make_readonly(rootfd, m->target + 1, e) < 0)
            return m->key ? error_wrap(e, "%s", m->key) : -1;
        return 0;
    }
    return error_set(e, EINVAL, "unknown mount step for `%s`", m->target);
}

/* What -v calls the steps: /proc, /dev, ..., then the masks, then the profile's own. */
static const char *step_of(const struct plan_mount *m)
{
    if (m->key)
        return "the profile's mounts";
    if (m->kind == PLAN_MOUNT_MASK || m->kind == PLAN_MOUNT_READONLY)
        return "masked and read-only paths";
    if (strncmp(m->target, "/dev", 4) == 0)
        return "/dev";
    if (strncmp(m->target, "/sys", 4) == 0)
        return "/sys and the cgroup";
    return m->target;
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

static void step_done(const struct rootfs_steps *steps, const char *step)
{
    if (steps && steps->done)
        steps->done(steps->arg, step);
}

/* ---- --no-pivot: a root pivot_root cannot leave ---- */

struct mount_point {
    long id;
    char *path;
};

/*
 * The mounts this process sees, as mountinfo lists them: their ids and mount
 * points. Read through host, the copy of the tree taken first: the host's
 * own /proc is among the mounts detached.
 */
static int read_mount_points(int host, struct mount_point **list, size_t *n, struct congo_error *e)
{
    *list = NULL;
    *n = 0;
    int fd = openat(host, "proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
    _cleanup_fclose_ FILE *f = fd < 0 ? NULL : fdopen(fd, "re");
    if (!f) {
        if (fd >= 0)
            close(fd);
        return error_set(e, errno, "open /proc/self/mountinfo");
    }
    _cleanup_free_ char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        long id, parent;
        _cleanup_free_ char *path = NULL;
        if (sscanf(line, "%ld %ld %*s %*s %ms", &id, &parent, &path) != 3)
            continue;
        *list = xrealloc(*list, (*n + 1) * sizeof(**list));
        (*list)[(*n)++] = (struct mount_point){.id = id, .path = mountinfo_unescape(path)};
    }
    return 0;
}

static void free_mount_points(struct mount_point *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i].path);
    free(list);
}

/*
 * Every mount below the launcher's root detached, newest first, so the
 * container's root can later be moved over it with nothing of the host's
 * beneath but the root's own file system: no /proc or /sys of the host's
 * that a container could reveal or remount. The launcher has no user
 * namespace here (runtime_run refuses one with --no-pivot), so no mount is
 * locked; one that will not go (EINVAL: its path leads elsewhere for now,
 * or it is gone already) is tried again after a round that detached any.
 */
static int detach_host_mounts(int host, struct congo_error *e)
{
    for (bool progress = true; progress;) {
        progress = false;
        struct mount_point *list;
        size_t n;
        if (read_mount_points(host, &list, &n, e) < 0)
            return -1;
        for (size_t i = n; i-- > 0;) {
            if (strcmp(list[i].path, "/") == 0)
                continue;
            if (umount2(list[i].path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0) {
                progress = true;
                continue;
            }
            if (errno != EINVAL && errno != EPERM && errno != ENOENT) {
                error_set(e, errno, "detach the host's mount at `%s`", list[i].path);
                free_mount_points(list, n);
                return -1;
            }
        }
        free_mount_points(list, n);
    }
    return 0;
}

/*
 * The scratch root without pivot_root: a copy of the host's tree is taken,
 * the host's mounts are detached, and the scratch tmpfs, with the copy at
 * /oldroot, is moved over the launcher's root and chrooted into.
 */
static int scratch_by_move(struct congo_error *e)
{
    _cleanup_close_ int host =
        open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (host < 0)
        return error_set(e, errno, "copy the host's mount tree");
    if (detach_host_mounts(host, e) < 0)
        return -1;
    if (mount("congo", SCRATCH, "tmpfs", 0, "mode=0700") < 0)
        return error_set(e, errno, "mount the scratch tmpfs at " SCRATCH);
    if (mkdir(SCRATCH OLDROOT, 0700) < 0)
        return error_set(e, errno, "mkdir " SCRATCH OLDROOT);
    if (move_mount(host, "", AT_FDCWD, SCRATCH OLDROOT, MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return error_set(e, errno, "attach the host's tree at " SCRATCH OLDROOT);
    if (chdir(SCRATCH) < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
        chdir("/") < 0)
        return error_set(e, errno, "move the scratch tmpfs over the root");
    return 0;
}

/*
 * The new root moved over the scratch one and chrooted into, the host's
 * tree and the id-mapped sources detached first. The working directory is
 * the new root.
 */
static int enter_by_move(const struct rootfs_steps *steps, struct congo_error *e)
{
    if (umount2(OLDROOT, MNT_DETACH) < 0)
        return error_set(e, errno, "detach the host's tree");
    for (size_t i = 0; i < steps->n_idmapped; i++) {
        char path[32];
        snprintf(path, sizeof(path), "/idmapped/%zu", i);
        if (umount2(path, MNT_DETACH) < 0)
            return error_set(e, errno, "detach %s", path);
    }
    if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
        return error_set(e, errno, "move the new root over /");
    if (chroot(".") < 0)
        return error_set(e, errno, "chroot into the new root");
    return 0;
}

/*
 * The whole sequence. Runs privileged in the child, in a new mount
 * namespace. The order matters: rprivate first (nothing may propagate to
 * the host), the scratch pivot before any host path is used, then the
 * plan's mounts in the plan's order (src/plan/mounts.c says why it is what
 * it is), with the caller's before_sys just before the sysfs mount (sysfs
 * shows its mounter's network devices, and the cgroup bound below it must
 * exist; what needs neither comes first, to overlap with the caller's
 * work), and the final pivot last.
 */
int rootfs_setup(const struct run_plan *plan, const struct cgroup_host *h, const struct cgroup *cg,
                 const struct rootfs_steps *steps, struct congo_error *e)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return error_set(e, errno, "make the mount tree private%s",
                         errno == EINVAL ? " (the launcher's root is not a mount point: congo "
                                           "cannot run containers from a chroot)"
                                         : "");
    if (steps && steps->no_pivot) {
        if (scratch_by_move(e) < 0)
            return -1;
    } else {
        if (mount("congo", SCRATCH, "tmpfs", 0, "mode=0700") < 0)
            return error_set(e, errno, "mount the scratch tmpfs at " SCRATCH);
        if (mkdir(SCRATCH OLDROOT, 0700) < 0)
            return error_set(e, errno, "mkdir " SCRATCH OLDROOT);
        if (sys_pivot_root(SCRATCH, SCRATCH OLDROOT) < 0)
            return error_set(e, errno, "pivot_root into the scratch tmpfs%s",
                             errno == EINVAL ? " (the launcher's root is the initial ramfs, "
                                               "which pivot_root cannot leave: such a root "
                                               "needs --no-pivot)"
                                             : "");
        if (chdir("/") < 0)
            return error_set(e, errno, "chdir /");
    }
    step_done(steps, "scratch root");

    if (mount_overlay(&plan->root, steps, e) < 0)
        return -1;
    step_done(steps, "overlay");
    _cleanup_close_ int rootfd = open("/newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return error_set(e, errno, "open the new root");
    if (refuse_symlinks(rootfd, e) < 0)
        return -1;
    size_t next_idmapped = steps ? steps->n_idmapped_layers : 0;
    for (size_t i = 0; i < plan->n_mounts; i++) {
        const struct plan_mount *m = &plan->mounts[i];
        bool sysfs = m->kind == PLAN_MOUNT_FS && strcmp(m->fstype, "sysfs") == 0;
        if (sysfs && steps && steps->before_sys && steps->before_sys(steps->arg, rootfd, e) < 0)
            return -1;
        /* The id-mapped sources follow the layers', in the plan's order. */
        char idmapped[32];
        bool mapped = m->kind == PLAN_MOUNT_BIND && m->idmap;
        if (mapped) {
            if (!steps || next_idmapped >= steps->n_idmapped)
                return error_set(e, 0, "mounts: `%s`: no id-mapped source was made for it",
                                 m->target);
            snprintf(idmapped, sizeof(idmapped), "/idmapped/%zu", next_idmapped++);
        }
        if (do_mount(rootfd, m, h, cg, mapped ? idmapped : NULL, e) < 0)
            return -1;
        const char *step = step_of(m);
        if (i + 1 == plan->n_mounts || strcmp(step, step_of(&plan->mounts[i + 1])) != 0)
            step_done(steps, step);
    }

    if (steps && steps->before_pivot && steps->before_pivot(steps->arg, rootfd, e) < 0)
        return -1;
    /*
     * rootfs itself, read-only: only now, since the mounts made their
     * targets in it; the root's own mount alone, not the mounts on it.
     */
    if (plan->root.direct && plan->root.readonly) {
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
        if (mount_setattr(rootfd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
            return error_set(e, errno, "make the root read-only");
    }

    /* pivot_root(".", ".") stacks the old root on the new one; the lazy unmount drops it. */
    if (fchdir(rootfd) < 0)
        return error_set(e, errno, "chdir into the new root");
    if (steps && steps->no_pivot) {
        if (enter_by_move(steps, e) < 0)
            return -1;
    } else {
        if (sys_pivot_root(".", ".") < 0)
            return error_set(e, errno, "pivot_root into the new root");
        if (umount2(".", MNT_DETACH) < 0)
            return error_set(e, errno, "detach the old root");
    }
    if (chdir("/") < 0)
        return error_set(e, errno, "chdir /");
    step_done(steps, steps && steps->no_pivot ? "move root" : "pivot_root");
    return 0;
}

/*
 * The working directory, opened inside the pivoted root and made when
 * missing. Resolved from the root's fd without magic links: a workdir of
 * /proc/self/fd/N would otherwise reach whatever the launcher's fd N is on
 * the host (CVE-2024-21626). Runs privileged in the child.
 */
int rootfs_open_workdir(const char *path, bool readonly, struct congo_error *e)
{
    _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return error_set(e, errno, "open /");
    int fd = rootfs_open_dir(root, path, false, e);
    if (fd < 0 && e->err == ELOOP)
        return error_set(e, 0,
                         "workdir `%s` leads through a magic link such as /proc/self/fd/N; "
                         "it must be a directory of the container",
                         path);
    if (fd >= 0 || e->err != ENOENT)
        return fd < 0 ? error_wrap(e, "workdir") : fd;
    error_clear(e);
    if (readonly)
        return error_set(e, 0, "workdir `%s` does not exist, and readonly_rootfs forbids making it",
                         path);
    fd = rootfs_open_dir(root, path, true, e);
    return fd < 0 ? error_wrap(e, "workdir") : fd;
}
