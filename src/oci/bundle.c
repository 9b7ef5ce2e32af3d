/*
 * --bundle DIR: a directory an OCI runtime runs, DIR/config.json and the
 * root it names.
 *
 * runc binds root.path into the container and writes into it, so a root
 * the container may write to, or one made of layers, is assembled into
 * DIR/rootfs: rootfs, then each layer (and an upper directory's diff/)
 * applied in order as overlayfs shows them: a 0:0 character device hides
 * what is below it, a directory marked trusted.overlay.opaque replaces
 * the one below instead of merging with it, and overlay's own xattrs are
 * never shown. Each layer is read through a non-recursive clone of its
 * mount (open_tree), as overlay reads its lower directories, so what is
 * mounted below it is not copied; nothing is ever written to a layer.
 *
 * A read-only root without layers, with nothing mounted below it, is named
 * in place instead: runc then shows exactly what congo's overlay shows,
 * and cannot write to it.
 */
#include "oci/export.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/util.h"

#define OVERLAY_XATTR "trusted.overlay."

struct bundle {
    const char *dir;
    int dirfd;
    bool made_dir; /* DIR was made here, and goes whole on failure */
    dev_t dev;     /* DIR itself: never copied into its own rootfs */
    ino_t ino;
    const char *layer; /* the source being applied, for messages: "layers[1] `/srv/l1`" */
    struct strbuf rel; /* the path being copied, relative to that source */
    struct congo_error *e;
};

/* An error about the file being copied, with the layer and the path. */
static int copy_error(struct bundle *b, int err, const char *what)
{
    return error_set(b->e, err, "%s: `%s`: %s", b->layer, b->rel.len ? b->rel.buf : ".", what);
}

/* The caller blocks these; one pending means the user wants out. */
static int interrupted(struct bundle *b)
{
    static const int stop[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    sigset_t pending;
    if (sigpending(&pending) < 0)
        return 0;
    for (size_t i = 0; i < ARRAY_SIZE(stop); i++)
        if (sigismember(&pending, stop[i]))
            return error_set(b->e, 0, "interrupted by SIG%s", sigabbrev_np(stop[i]));
    return 0;
}

/*
 * For the calls that only take paths (the xattr ones), a name below a
 * directory fd; with no name, the directory itself, through a magic link
 * that only the calls that follow links follow.
 */
static char *fd_path(int dirfd, const char *name)
{
    return *name ? xasprintf("/proc/self/fd/%d/%s", dirfd, name)
                 : xasprintf("/proc/self/fd/%d", dirfd);
}

/* ---- removing ---- */

static int remove_at(int dirfd, const char *name);

static int empty_dir(int fd)
{
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    _cleanup_closedir_ DIR *dir = copy < 0 ? NULL : fdopendir(copy);
    if (!dir) {
        if (copy >= 0)
            close(copy);
        return -1;
    }
    struct dirent *de;
    while ((errno = 0, de = readdir(dir))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (remove_at(fd, de->d_name) < 0)
            return -1;
    }
    return errno ? -1 : 0;
}

/* Remove dirfd/name and everything below it; nothing there is fine. 0, or -1 with errno. */
static int remove_at(int dirfd, const char *name)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -1 : 0;
    _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || empty_dir(fd) < 0)
        return -1;
    return unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* ---- metadata ---- */

/*
 * Every extended attribute but overlay's own, which overlay never shows
 * (and some of which name features a copy cannot follow). *opaque: the
 * directory hides what the layers below hold there.
 */
static int copy_xattrs(struct bundle *b, const char *src, const char *dst, bool follow,
                       bool *opaque)
{
    ssize_t (*list)(const char *, char *, size_t) = follow ? listxattr : llistxattr;
    ssize_t (*get)(const char *, const char *, void *, size_t) = follow ? getxattr : lgetxattr;
    int (*set)(const char *, const char *, const void *, size_t, int) =
        follow ? setxattr : lsetxattr;
    ssize_t n = list(src, NULL, 0);
    if (n < 0)
        return errno == ENOTSUP ? 0 : copy_error(b, errno, "list its extended attributes");
    if (n == 0)
        return 0;
    _cleanup_free_ char *names = xmalloc((size_t)n);
    n = list(src, names, (size_t)n);
    if (n < 0)
        return copy_error(b, errno, "list its extended attributes");
    for (char *name = names; name < names + n; name += strlen(name) + 1) {
        char value[65536];
        ssize_t len = get(src, name, value, sizeof(value));
        if (len < 0)
            return copy_error(b, errno, name);
        if (strncmp(name, OVERLAY_XATTR, strlen(OVERLAY_XATTR)) != 0) {
            if (dst && set(dst, name, value, (size_t)len, 0) < 0) {
                _cleanup_free_ char *what = xasprintf("keep the extended attribute %s", name);
                return copy_error(b, errno, what);
            }
            continue;
        }
        const char *feature = name + strlen(OVERLAY_XATTR);
        if (strcmp(feature, "opaque") == 0 && len == 1 && value[0] == 'y') {
            if (opaque)
                *opaque = true;
        } else if (strcmp(feature, "opaque") == 0 || strcmp(feature, "redirect") == 0 ||
                   strcmp(feature, "metacopy") == 0 || strcmp(feature, "whiteout") == 0 ||
                   strcmp(feature, "whiteouts") == 0) {
            _cleanup_free_ char *what = xasprintf(
                "marked %s: a feature of overlayfs (renamed directories, metadata-only copies, "
                "xattr whiteouts) the bundle cannot follow",
                name);
            return copy_error(b, 0, what);
        }
    }
    return 0;
}

/*
 * Owner, then mode (a chown clears set-id bits), then extended attributes
 * (a chown clears security.capability too), then times, last of all, as
 * making the entries below a directory changed its own.
 */
static int copy_metadata(struct bundle *b, const char *src, const struct stat *st, int dstfd,
                         const char *name)
{
    int flags = *name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH;
    if (fchownat(dstfd, name, st->st_uid, st->st_gid, flags) < 0)
        return copy_error(b, errno, "chown");
    if (!S_ISLNK(st->st_mode) && fchmodat(dstfd, *name ? name : ".", st->st_mode & 07777, 0) < 0)
        return copy_error(b, errno, "chmod");
    _cleanup_free_ char *dst = fd_path(dstfd, name);
    if (copy_xattrs(b, src, dst, !*name, NULL) < 0)
        return -1;
    const struct timespec times[2] = {st->st_atim, st->st_mtim};
    if (utimensat(dstfd, *name ? name : ".", times, *name ? AT_SYMLINK_NOFOLLOW : 0) < 0)
        return copy_error(b, errno, "set its times");
    return 0;
}

/* ---- copying ---- */

static int copy_data(struct bundle *b, int in, int out)
{
    bool plain = false;
    for (;;) {
        ssize_t n;
        if (!plain) {
            n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
            if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
                          errno == EOPNOTSUPP)) {
                plain = true;
                continue;
            }
        } else {
            char buf[65536];
            n = read(in, buf, sizeof(buf));
            for (ssize_t done = 0, w; n > 0 && done < n; done += w)
                if ((w = write(out, buf + done, (size_t)(n - done))) < 0)
                    return copy_error(b, errno, "write");
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return copy_error(b, errno, "copy");
        if (n == 0)
            return 0;
    }
}

/* A file that is not a directory, made anew at dstfd/name like src's. */
static int copy_node(struct bundle *b, int srcfd, const char *name, const struct stat *st,
                     int dstfd)
{
    if (S_ISREG(st->st_mode)) {
        _cleanup_close_ int in =
            openat(srcfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (in < 0)
            return copy_error(b, errno, "open");
        _cleanup_close_ int out =
            openat(dstfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (out < 0)
            return copy_error(b, errno, "create");
        return copy_data(b, in, out);
    }
    if (S_ISLNK(st->st_mode)) {
        _cleanup_free_ char *target = xmalloc((size_t)st->st_size + 1);
        ssize_t n = readlinkat(srcfd, name, target, (size_t)st->st_size + 1);
        if (n < 0 || n > st->st_size)
            return copy_error(b, n < 0 ? errno : 0, n < 0 ? "readlink" : "changed while copied");
        target[n] = '\0';
        if (symlinkat(target, dstfd, name) < 0)
            return copy_error(b, errno, "symlink");
        return 0;
    }
    /* Devices, FIFOs and sockets, as nodes: their owners and modes follow. */
    if (mknodat(dstfd, name, (st->st_mode & S_IFMT) | 0600, st->st_rdev) < 0)
        return copy_error(b, errno, "mknod");
    return 0;
}

static int apply_dir(struct bundle *b, int srcfd, int dstfd);

/* One entry of a layer over what the layers below made of dstfd/name. */
static int apply_entry(struct bundle *b, int srcfd, const char *name, int dstfd)
{
    struct stat st;
    if (fstatat(srcfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return copy_error(b, errno, "stat");
    if (st.st_dev == b->dev && st.st_ino == b->ino)
        return 0;
    /* A whiteout: what the layers below have here is gone, and so is the whiteout. */
    if (S_ISCHR(st.st_mode) && st.st_rdev == 0)
        return remove_at(dstfd, name) < 0 ? copy_error(b, errno, "remove") : 0;
    _cleanup_free_ char *src = fd_path(srcfd, name);
    if (!S_ISDIR(st.st_mode)) {
        if (remove_at(dstfd, name) < 0)
            return copy_error(b, errno, "replace");
        if (copy_node(b, srcfd, name, &st, dstfd) < 0)
            return -1;
        return copy_metadata(b, src, &st, dstfd, name);
    }
    bool opaque = false;
    if (copy_xattrs(b, src, NULL, false, &opaque) < 0)
        return -1;
    /* A directory merges with a directory below, unless it is opaque; it replaces anything else. */
    struct stat below;
    bool merge = fstatat(dstfd, name, &below, AT_SYMLINK_NOFOLLOW) == 0 &&
                 S_ISDIR(below.st_mode) && !opaque;
    if (!merge && remove_at(dstfd, name) < 0)
        return copy_error(b, errno, "replace");
    if (!merge && mkdirat(dstfd, name, 0700) < 0)
        return copy_error(b, errno, "mkdir");
    _cleanup_close_ int in = openat(srcfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (in < 0)
        return copy_error(b, errno, "open");
    _cleanup_close_ int out = openat(dstfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (out < 0)
        return copy_error(b, errno, "open the copy");
    if (apply_dir(b, in, out) < 0)
        return -1;
    return copy_metadata(b, src, &st, dstfd, name);
}

static int apply_dir(struct bundle *b, int srcfd, int dstfd)
{
    int copy = fcntl(srcfd, F_DUPFD_CLOEXEC, 3);
    _cleanup_closedir_ DIR *dir = copy < 0 ? NULL : fdopendir(copy);
    if (!dir) {
        if (copy >= 0)
            close(copy);
        return copy_error(b, errno, "read the directory");
    }
    size_t len = b->rel.len;
    struct dirent *de;
    while ((errno = 0, de = readdir(dir))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (interrupted(b) < 0)
            return -1;
        if (len)
            strbuf_putc(&b->rel, '/');
        strbuf_puts(&b->rel, de->d_name);
        int r = apply_entry(b, srcfd, de->d_name, dstfd);
        b->rel.len = len;
        b->rel.buf[len] = '\0';
        if (r < 0)
            return -1;
    }
    return errno ? copy_error(b, errno, "read the directory") : 0;
}

/*
 * One layer over the root made so far. *tree gets the layer's clone,
 * whose root the caller gives to the bundle's rootfs when it is the top.
 */
static int apply_layer(struct bundle *b, const char *key, const char *path, int rootfd,
                       int *tree)
{
    _cleanup_free_ char *layer = xasprintf("%s `%s`", key, path);
    b->layer = layer;
    if (*tree >= 0)
        close(*tree);
    /* Not AT_RECURSIVE: the layer's own file system, as overlay sees a lower directory. */
    *tree = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (*tree < 0)
        return error_set(b->e, errno, "%s: open_tree", layer);
    _cleanup_close_ int dir = openat(*tree, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return error_set(b->e, errno, "%s", layer);
    int r = apply_dir(b, dir, rootfd);
    b->layer = NULL;
    return r;
}

/* rootfs, the layers and an upper's diff/, bottom to top, into DIR/rootfs. */
static int assemble(struct bundle *b, const struct plan_root *r, int rootfd)
{
    _cleanup_close_ int tree = -1;
    if (apply_layer(b, "rootfs", r->rootfs, rootfd, &tree) < 0)
        return -1;
    for (size_t i = 0; r->layers && r->layers[i]; i++) {
        _cleanup_free_ char *key = xasprintf("layers[%zu]", i);
        if (apply_layer(b, key, r->layers[i], rootfd, &tree) < 0)
            return -1;
    }
    if (r->upper) {
        _cleanup_free_ char *diff = xasprintf("%s/diff", r->upper);
        /* An upper never used yet has no diff/: it adds nothing. */
        if (access(diff, F_OK) == 0 && apply_layer(b, "upper", diff, rootfd, &tree) < 0)
            return -1;
    }
    /* A tmpfs upper is the container's `/`, which congo makes 0755 and root's (child.c). */
    if (!r->readonly && !r->upper) {
        if (fchmod(rootfd, 0755) < 0 || fchown(rootfd, 0, 0) < 0)
            return error_set(b->e, errno, "--bundle: the root's mode and owner");
        return 0;
    }
    /* Otherwise the root directory itself is the top layer's (or the upper's diff/). */
    struct stat st;
    if (fstat(tree, &st) < 0)
        return error_set(b->e, errno, "stat the top layer");
    _cleanup_free_ char *src = fd_path(tree, "");
    b->layer = "the top layer";
    return copy_metadata(b, src, &st, rootfd, "");
}

/* ---- the bundle directory ---- */

static int bundle_open(struct bundle *b)
{
    if (mkdir(b->dir, 0755) == 0)
        b->made_dir = true;
    else if (errno != EEXIST)
        return error_set(b->e, errno, "--bundle: cannot make `%s`", b->dir);
    b->dirfd = open(b->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (b->dirfd < 0 || fstat(b->dirfd, &st) < 0) {
        error_set(b->e, errno, "--bundle `%s`", b->dir);
        if (b->made_dir)
            rmdir(b->dir);
        return -1;
    }
    b->dev = st.st_dev;
    b->ino = st.st_ino;
    if (b->made_dir)
        return 0;
    int copy = fcntl(b->dirfd, F_DUPFD_CLOEXEC, 3);
    _cleanup_closedir_ DIR *dir = copy < 0 ? NULL : fdopendir(copy);
    if (!dir) {
        if (copy >= 0)
            close(copy);
        return error_set(b->e, errno, "--bundle: read `%s`", b->dir);
    }
    for (struct dirent *de; (de = readdir(dir));)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            return error_set(b->e, 0,
                             "--bundle: `%s` is not empty (it holds `%s`); give a new directory",
                             b->dir, de->d_name);
    return 0;
}

/* Everything this run put in DIR, and DIR itself when it made it. */
static void bundle_remove(struct bundle *b)
{
    if (b->dirfd < 0)
        return;
    int err = 0;
    if (remove_at(b->dirfd, "rootfs") < 0 || remove_at(b->dirfd, "config.json") < 0)
        err = errno;
    if (!err && b->made_dir && rmdir(b->dir) < 0)
        err = errno;
    if (!err)
        return;
    char *msg = xasprintf("%s (and what was written to `%s` could not be removed: %s)",
                          b->e->msg ? b->e->msg : "--bundle failed", b->dir, strerror(err));
    free(b->e->msg);
    b->e->msg = msg;
}

static int write_config(struct bundle *b, const char *text)
{
    _cleanup_close_ int fd =
        openat(b->dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return error_set(b->e, errno, "--bundle: create `%s/config.json`", b->dir);
    size_t len = strlen(text);
    for (size_t done = 0; done < len;) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return error_set(b->e, errno, "--bundle: write `%s/config.json`", b->dir);
        done += (size_t)w;
    }
    if (close(take_fd(&fd)) < 0)
        return error_set(b->e, errno, "--bundle: write `%s/config.json`", b->dir);
    return 0;
}

static int bundle_fill(struct bundle *b, const struct profile *p, const struct run_plan *plan,
                       struct diags *d)
{
    const struct plan_root *r = &plan->root;
    _cleanup_free_ char *real = realpath(r->rootfs, NULL);
    if (!real)
        return error_set(b->e, errno, "rootfs `%s`", r->rootfs);
    _cleanup_free_ char *below = r->readonly && !r->layers && !r->direct
                                     ? oci_mounted_below(real) : NULL;
    /* upper: none writes into rootfs itself: so does runc, given it in place. */
    bool in_place = r->direct || (r->readonly && !r->layers && !below);

    _cleanup_free_ char *bundle = realpath(b->dir, NULL);
    struct oci_root root = {.path = in_place ? real : "rootfs", .fd = -1, .bundle = bundle};
    _cleanup_close_ int rootfd = -1;
    if (in_place) {
        rootfd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
            return error_set(b->e, errno, "rootfs `%s`", real);
    } else {
        if (mkdirat(b->dirfd, "rootfs", 0700) < 0)
            return error_set(b->e, errno, "--bundle: mkdir `%s/rootfs`", b->dir);
        rootfd = openat(b->dirfd, "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (rootfd < 0 || assemble(b, r, rootfd) < 0) {
            if (rootfd < 0)
                error_set(b->e, errno, "--bundle: open `%s/rootfs`", b->dir);
            return -1;
        }
        if (r->upper)
            diags_add(d, DIAG_NOTE, p->origin[KEY_UPPER].file, p->origin[KEY_UPPER].line, 0,
                      "upper",
                      "the bundle's rootfs starts from `%s/diff` and keeps what the container "
                      "writes; `%s` itself is left as it is",
                      r->upper, r->upper);
        else if (!r->readonly)
            diags_add(d, DIAG_NOTE, NULL, 0, 0, NULL,
                      "note: upper: the container writes into the bundle's rootfs, which keeps "
                      "it from one run of the bundle to the next (congo's tmpfs upper goes with "
                      "each container); a new bundle is a fresh root");
    }
    root.fd = rootfd;
    _cleanup_free_ char *text = oci_config(p, plan, &root, d);
    if (!text)
        return -1;
    return write_config(b, text);
}

int oci_bundle_write(const struct profile *p, const struct run_plan *plan, const char *dir,
                     struct diags *d, struct congo_error *e)
{
    if (oci_check_network(p, d) < 0)
        return -1;
    if (geteuid() != 0)
        return error_set(e, 0,
                         "--bundle needs root: the bundle's root keeps its files' owners and "
                         "device nodes");
    struct bundle b = {.dir = dir, .dirfd = -1, .e = e};
    /* What was in DIR before (nothing, but a failed check found something) is never touched. */
    if (bundle_open(&b) < 0) {
        if (b.dirfd >= 0)
            close(b.dirfd);
        return -1;
    }
    int r = bundle_fill(&b, p, plan, d);
    if (r < 0)
        bundle_remove(&b);
    close(b.dirfd);
    strbuf_free(&b.rel);
    return r;
}
