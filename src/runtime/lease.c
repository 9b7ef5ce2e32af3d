/* Leases of running containers; see lease.h. */
#include "runtime/lease.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/state.h"
#include "util/util.h"

void lease_owner(pid_t pid, char owner[64])
{
    unsigned long long start = 0;
    proc_stat_field("/proc", pid, 22, &start, NULL);
    snprintf(owner, 64, "%d %llu", (int)pid, start);
}

bool lease_owner_alive(const char *text)
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

int lease_dir_lock(const char *dir, struct congo_error *e)
{
    const char *root = state_root();
    if (mkdir(root, 0711) < 0 && errno != EEXIST)
        return error_set(e, errno, "make the state directory `%s`", root);
    /* Each directory between the state root and dir, then dir. */
    _cleanup_free_ char *path = xstrdup(dir);
    size_t skip = strncmp(dir, root, strlen(root)) == 0 ? strlen(root) + 1 : 1;
    for (char *p = path + skip;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(path, 0700) < 0 && errno != EEXIST)
            return error_set(e, errno, "make the lease directory `%s`", path);
        *p = c;
        if (!c)
            break;
    }
    int fd = dir_lock(dir);
    if (fd < 0)
        error_set(e, errno, "lock `%s`", dir);
    return fd;
}

int lease_write(const char *path, const char *text, struct congo_error *e)
{
    _cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
    _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return error_set(e, errno, "lease `%s`", tmp);
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len || rename(tmp, path) < 0) {
        int err = errno;
        unlink(tmp);
        return error_set(e, err, "lease `%s`", path);
    }
    return 0;
}

char *lease_read(const char *dir, const char *name)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
    char *text = NULL;
    size_t len;
    /* A published port a line: room for every port a profile may have. */
    int r = read_file_max(path, 1 << 20, &text, &len);
    if (r == 0 && len > 0)
        return text;
    free(text);
    errno = r < 0 ? -r : EINVAL;
    return NULL;
}
