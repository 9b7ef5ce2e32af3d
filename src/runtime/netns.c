/* The container's network namespace; see netns.h. */
#include "runtime/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/sync.h"
#include "util/util.h"

/* Bring `lo` up: the only interface of a new network namespace. */
static int loopback_up(struct congo_error *e)
{
    _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return error_set(e, errno, "socket for `lo`");
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        return error_set(e, errno, "read the flags of `lo`");
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        return error_set(e, errno, "bring `lo` up");
    return 0;
}

/*
 * Setting up a network namespace is the slowest part of a clone (every
 * network subsystem initialises its own state: 0.5 ms of a 4 ms start), so
 * the launcher makes it after releasing the child, while the child
 * assembles the first part of its root on the other CPU (a bridge's, with
 * no user namespace, is made by net.c's maker from before the clone); the
 * child joins it before it mounts /sys. The launcher itself goes back to
 * the namespace it came from.
 */
int netns_make(struct congo_error *e)
{
    _cleanup_close_ int own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (own < 0)
        return error_set(e, errno, "open /proc/self/ns/net");
    if (unshare(CLONE_NEWNET) < 0)
        return error_set(e, errno, "make the network namespace%s",
                         errno == EPERM ? " (are you root? is a namespace type disabled?)" : "");
    _cleanup_close_ int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int made = fd < 0 ? error_set(e, errno, "open the new /proc/self/ns/net") : loopback_up(e);
    /* Back whatever happened; a failure there matters less than the first one. */
    if (setns(own, CLONE_NEWNET) < 0 && made == 0)
        return error_set(e, errno, "return to the launcher's network namespace");
    return made < 0 ? -1 : take_fd(&fd);
}

int netns_make_in(int userns, struct congo_error *e)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return error_set(e, errno, "socketpair");
    _cleanup_close_ int ours = sv[0];
    _cleanup_close_ int theirs = sv[1];
    pid_t helper = fork();
    if (helper < 0)
        return error_set(e, errno, "fork the network namespace's maker");
    if (helper == 0) {
        /* Single-threaded and sharing no fs_struct: what setns into a user namespace asks. */
        struct congo_error err = {0};
        int fd = -1;
        if (setns(userns, CLONE_NEWUSER) < 0)
            error_set(&err, errno, "join the container's user namespace");
        else if (unshare(CLONE_NEWNET) < 0)
            error_set(&err, errno, "make the network namespace");
        else if ((fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
            error_set(&err, errno, "open the new /proc/self/ns/net");
        else
            loopback_up(&err);
        if (err.msg)
            sync_send_error(theirs, 1, "network", &err);
        else
            sync_send_fds(theirs, SYNC_NETNS, &fd, 1);
        _exit(0);
    }
    close(take_fd(&theirs));
    struct sync_msg m;
    int fd = -1;
    ssize_t n = sync_recv(ours, &m, &fd, 0);
    while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
        ;
    if (n > 0 && m.kind == SYNC_NETNS && fd >= 0)
        return fd;
    if (fd >= 0)
        close(fd);
    if (n > 0 && m.kind == SYNC_ERROR) {
        sync_error_of(&m, e);
        return -1;
    }
    return error_set(e, 0, "the network namespace's maker died");
}
