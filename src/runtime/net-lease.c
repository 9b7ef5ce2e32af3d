/* The leases of congo's networks; see net-internal.h. */
#include "runtime/net-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/state.h"
#include "util/util.h"

/* "PID STARTTIME" of a process, the first line of a lease. */
void owner_of(pid_t pid, char owner[64])
{
    unsigned long long start = 0;
    proc_stat_field("/proc", pid, 22, &start, NULL);
    snprintf(owner, 64, "%d %llu", (int)pid, start);
}

bool owner_alive(const char *text)
{
    int pid = 0;
    unsigned long long start = 0;
    if (sscanf(text, "%d %llu", &pid, &start) != 2 || pid <= 0)
        return false;
    int fd = pidfd_of(pid, start);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

/* dir made (with the state root) and locked; -1 with e filled. */
int lock_dir(const char *dir, struct congo_error *e)
{
    _cleanup_free_ char *net = xasprintf("%s/net", state_root());
    if ((mkdir(state_root(), 0711) < 0 && errno != EEXIST) ||
        (mkdir(net, 0700) < 0 && errno != EEXIST) || (mkdir(dir, 0700) < 0 && errno != EEXIST))
        return error_set(e, errno, "make the lease directory `%s`", dir);
    int fd = dir_lock(dir);
    if (fd < 0)
        error_set(e, errno, "lock `%s`", dir);
    return fd;
}

int write_lease(const char *path, const char *text, struct congo_error *e)
{
    _cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
    _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return error_set(e, errno, "network lease `%s`", tmp);
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len || rename(tmp, path) < 0) {
        int err = errno;
        unlink(tmp);
        return error_set(e, err, "network lease `%s`", path);
    }
    return 0;
}

/* A lease's text; NULL when it cannot be read. */
char *read_lease(int dirfd, const char *name)
{
    _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return NULL;
    /* A port a line: room for every port a profile may publish. */
    char *text = xcalloc(1, 1 << 20);
    size_t got = 0;
    ssize_t n;
    while (got < (1 << 20) - 1 && (n = read(fd, text + got, (1 << 20) - 1 - got)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            free(text);
            return NULL;
        }
        got += (size_t)n;
    }
    if (got == 0) {
        free(text);
        errno = EINVAL;
        return NULL;
    }
    return text;
}
