/* See copy.h. */
#include "copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

/* Deeper than this is an image built to exhaust the child's stack, not a /run. */
#define MAX_DEPTH 128

static int copy_data(int in, int out)
{
    for (;;) {
        ssize_t n = sendfile(out, in, NULL, 1 << 20);
        if (n == 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return -1;
    }
}

/* Owner, mode and times of st on fd (the mode after the owner: chown clears setuid). */
static int copy_attrs(int fd, const struct stat *st)
{
    const struct timespec times[2] = {st->st_atim, st->st_mtim};
    if (fchown(fd, st->st_uid, st->st_gid) < 0 || fchmod(fd, st->st_mode & 07777) < 0 ||
        futimens(fd, times) < 0)
        return -1;
    return 0;
}

static int copy_dir(int from, int to, int depth, struct congo_error *e);

static int copy_entry(int from, int to, const char *name, int depth, struct congo_error *e)
{
    struct stat st;
    if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return error_set(e, errno, "`%s`", name);
    if (S_ISDIR(st.st_mode)) {
        if (mkdirat(to, name, 0700) < 0)
            return error_set(e, errno, "mkdir `%s`", name);
        _cleanup_close_ int in = openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_close_ int out = openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (in < 0 || out < 0)
            return error_set(e, errno, "`%s`", name);
        if (copy_dir(in, out, depth + 1, e) < 0)
            return error_wrap(e, "%s", name);
        if (copy_attrs(out, &st) < 0)
            return error_set(e, errno, "`%s`", name);
        return 0;
    }
    if (S_ISREG(st.st_mode)) {
        /* Swapped for a FIFO since the lstat, it must not hold the set-up: no blocking open. */
        _cleanup_close_ int in =
            openat(from, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        struct stat now;
        if (in >= 0 && fstat(in, &now) < 0)
            return error_set(e, errno, "`%s`", name);
        if (in >= 0 && !S_ISREG(now.st_mode))
            return error_set(e, 0, "`%s` is no regular file any more: it changed under the copy",
                             name);
        _cleanup_close_ int out =
            openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (in < 0 || out < 0 || copy_data(in, out) < 0 || copy_attrs(out, &st) < 0)
            return error_set(e, errno, "`%s`", name);
        return 0;
    }
    if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(from, name, target, sizeof(target) - 1);
        if (n < 0)
            return error_set(e, errno, "readlink `%s`", name);
        target[n] = '\0';
        const struct timespec times[2] = {st.st_atim, st.st_mtim};
        if (symlinkat(target, to, name) < 0 ||
            fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
            utimensat(to, name, times, AT_SYMLINK_NOFOLLOW) < 0)
            return error_set(e, errno, "symlink `%s`", name);
        return 0;
    }
    /* Fifos, sockets' inodes and device nodes: made anew, never opened. */
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (mknodat(to, name, st.st_mode & (S_IFMT | 0600), st.st_rdev) < 0 ||
        fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
        fchmodat(to, name, st.st_mode & 07777, 0) < 0 ||
        utimensat(to, name, times, AT_SYMLINK_NOFOLLOW) < 0)
        return error_set(e, errno, "mknod `%s`", name);
    return 0;
}

static int copy_dir(int from, int to, int depth, struct congo_error *e)
{
    if (depth > MAX_DEPTH)
        return error_set(e, 0, "more than %d directories deep", MAX_DEPTH);
    _cleanup_close_ int fd = fcntl(from, F_DUPFD_CLOEXEC, 3);
    if (fd < 0)
        return error_set(e, errno, "dup");
    _cleanup_closedir_ DIR *d = fdopendir(fd);
    if (!d)
        return error_set(e, errno, "opendir");
    take_fd(&fd); /* the DIR owns it now */
    int r = 0;
    struct dirent *de;
    while (r == 0 && (errno = 0, de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        r = copy_entry(from, to, de->d_name, depth, e);
    }
    if (r == 0 && errno)
        r = error_set(e, errno, "readdir");
    return r;
}

int copy_tree(int from, int to, struct congo_error *e)
{
    struct stat st;
    if (fstat(from, &st) < 0)
        return error_set(e, errno, "stat");
    if (copy_dir(from, to, 0, e) < 0)
        return -1;
    if (fchown(to, st.st_uid, st.st_gid) < 0 || fchmod(to, st.st_mode & 07777) < 0)
        return error_set(e, errno, "chmod");
    return 0;
}
