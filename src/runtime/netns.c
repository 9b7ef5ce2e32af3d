/* The container's network namespace; see netns.h. */
#include "runtime/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/util.h"

int netns_loopback_up(struct congo_error *e)
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
 * assembles the first part of its root on the other CPU; the child joins it
 * before it mounts /sys. The launcher itself goes back to the namespace it
 * came from.
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
    int made = fd < 0 ? error_set(e, errno, "open the new /proc/self/ns/net") : netns_loopback_up(e);
    /* Back whatever happened; a failure there matters less than the first one. */
    if (setns(own, CLONE_NEWNET) < 0 && made == 0)
        return error_set(e, errno, "return to the launcher's network namespace");
    return made < 0 ? -1 : take_fd(&fd);
}
