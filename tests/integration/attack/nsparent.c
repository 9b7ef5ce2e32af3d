/*
 * nsparent: climb out of the user namespace the process is in. Prints the
 * errno name (or `ok`) of ioctl(NS_GET_PARENT) on /proc/self/ns/user as
 * "parent ERRNO"; when that gave a namespace, also "setns ERRNO" for
 * joining it and, joined, the uid_map there. userns.sh runs it as root of
 * a container with a user namespace of its own: its parent is the host's,
 * which must stay out of reach.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char *errname(int err)
{
    switch (err) {
    case EPERM:
        return "EPERM";
    case EACCES:
        return "EACCES";
    case EINVAL:
        return "EINVAL";
    case ENOTTY:
        return "ENOTTY";
    default:
        return strerror(err);
    }
}

int main(void)
{
    int own = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
    if (own < 0) {
        printf("open /proc/self/ns/user %s\n", errname(errno));
        return 1;
    }
    int parent = ioctl(own, NS_GET_PARENT);
    printf("parent %s\n", parent < 0 ? errname(errno) : "ok");
    if (parent < 0)
        return 0;
    printf("setns %s\n", setns(parent, CLONE_NEWUSER) < 0 ? errname(errno) : "ok");
    char map[256] = {0};
    int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && read(fd, map, sizeof(map) - 1) > 0)
        printf("uid_map %s", map);
    return 0;
}
