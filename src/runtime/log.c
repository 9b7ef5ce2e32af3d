/* A detached container's output; see log.h. */
#include "runtime/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

int log_open(struct log *l, const char *dir, struct congo_error *e)
{
    l->fd = -1;
    l->size = 0;
    l->dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (l->dir_fd < 0)
        return error_set(e, errno, "open `%s`", dir);
    l->fd = openat(l->dir_fd, LOG_FILE, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
                   0600);
    if (l->fd < 0) {
        int err = errno;
        log_close(l);
        return error_set(e, err, "open `%s/%s`", dir, LOG_FILE);
    }
    struct stat st;
    if (fstat(l->fd, &st) == 0)
        l->size = (size_t)st.st_size;
    return 0;
}

/* log -> log.1, and a fresh log; on failure the old file goes on growing past the cap. */
static void rotate(struct log *l)
{
    if (renameat(l->dir_fd, LOG_FILE, l->dir_fd, LOG_FILE_OLD) < 0)
        return;
    int fd = openat(l->dir_fd, LOG_FILE,
                    O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return;
    close(l->fd);
    l->fd = fd;
    l->size = 0;
}

void log_write(struct log *l, const char *buf, size_t n)
{
    while (n > 0 && l->fd >= 0) {
        if (l->size >= LOG_MAX)
            rotate(l);
        size_t room = l->size < LOG_MAX ? LOG_MAX - l->size : n;
        size_t chunk = n < room ? n : room;
        ssize_t w = write(l->fd, buf, chunk);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        l->size += (size_t)w;
        buf += w;
        n -= (size_t)w;
    }
}

void log_close(struct log *l)
{
    if (l->fd >= 0)
        close(l->fd);
    if (l->dir_fd >= 0)
        close(l->dir_fd);
    l->fd = l->dir_fd = -1;
}
