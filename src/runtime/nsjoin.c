/* Namespaces joined by path; see nsjoin.h. */
#include "runtime/nsjoin.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/names.h"
#include "util/util.h"

void nsjoin_close(struct ns_joins *j)
{
    for (size_t i = 0; i < j->n; i++)
        if (j->fd[i] >= 0)
            close(j->fd[i]);
    j->n = 0;
}

/*
 * What the container writes into a namespace of this type, or NULL for
 * nothing: done in the launcher's own namespace, it would change the
 * host's. Caller frees.
 */
static char *writes_into(const struct run_plan *plan, uint64_t flag)
{
    if (flag == CLONE_NEWUTS && plan->hostname)
        return xasprintf("its host name (`%s`)", plan->hostname);
    if (flag == CLONE_NEWUTS && plan->domainname)
        return xasprintf("its domain name (`%s`)", plan->domainname);
    for (size_t i = 0; i < plan->n_sysctls; i++)
        if (plan->sysctls[i].ns == flag)
            return xasprintf("sysctl %s", plan->sysctls[i].name);
    return NULL;
}

/* Is fd the namespace the launcher itself is in, of that type? */
static bool is_own(int fd, uint64_t flag)
{
    _cleanup_free_ char *own = xasprintf("/proc/self/ns/%s", namespace_name(flag));
    struct stat a, b;
    return fstat(fd, &a) == 0 && stat(own, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * A namespace file, opened for setns. It is looked at through O_PATH first:
 * opening a FIFO or a device the profile named would block or act on it.
 */
static int open_one(const struct run_plan *plan, const struct plan_ns_join *n,
                    struct congo_error *e)
{
    _cleanup_close_ int path_fd = open(n->path, O_PATH | O_CLOEXEC);
    if (path_fd < 0)
        return error_set(e, errno, "%s: `%s`", n->key, n->path);
    struct statfs sfs;
    if (fstatfs(path_fd, &sfs) < 0)
        return error_set(e, errno, "%s: `%s`", n->key, n->path);
    if (sfs.f_type != NSFS_MAGIC)
        return error_set(e, 0,
                         "%s: `%s` is not a namespace file; name one such as /run/netns/NAME or "
                         "/proc/PID/ns/%s",
                         n->key, n->path, namespace_name(n->flag));
    _cleanup_free_ char *reopen = xasprintf("/proc/self/fd/%d", path_fd);
    _cleanup_close_ int fd = open(reopen, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return error_set(e, errno, "%s: open `%s`", n->key, n->path);
    int type = ioctl(fd, NS_GET_NSTYPE);
    if (type < 0)
        return error_set(e, errno, "%s: `%s`: NS_GET_NSTYPE", n->key, n->path);
    if ((uint64_t)type != n->flag)
        return error_set(e, 0, "%s: `%s` is a %s namespace, not a %s one", n->key, n->path,
                         namespace_name((unsigned long)type), namespace_name(n->flag));
    _cleanup_free_ char *what = writes_into(plan, n->flag);
    if (what && is_own(fd, n->flag))
        return error_set(e, 0,
                         "%s: `%s` is the launcher's own %s namespace, the host's: setting %s "
                         "there would change the host's",
                         n->key, n->path, namespace_name(n->flag), what);
    return take_fd(&fd);
}

int nsjoin_open(const struct run_plan *plan, struct ns_joins *j, struct congo_error *e)
{
    j->n = 0;
    if (plan->n_ns_joins > NSJOIN_MAX)
        return error_set(e, 0, "namespaces: %zu to join, more than the %d there are",
                         plan->n_ns_joins, NSJOIN_MAX);
    for (size_t i = 0; i < plan->n_ns_joins; i++) {
        int fd = open_one(plan, &plan->ns_joins[i], e);
        if (fd < 0) {
            nsjoin_close(j);
            return -1;
        }
        j->fd[j->n++] = fd;
    }
    return 0;
}

int nsjoin_pid_enter(const struct run_plan *plan, const struct ns_joins *j, int *restore,
                     struct congo_error *e)
{
    *restore = -1;
    for (size_t i = 0; i < j->n; i++) {
        const struct plan_ns_join *n = &plan->ns_joins[i];
        if (n->flag != CLONE_NEWPID)
            continue;
        _cleanup_close_ int own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
        if (own < 0)
            return error_set(e, errno, "open /proc/self/ns/pid");
        if (setns(j->fd[i], CLONE_NEWPID) < 0)
            return error_set(e, errno, "%s: join `%s`%s", n->key, n->path,
                             errno == EINVAL ? " (a pid namespace is joined only from one of "
                                               "its ancestors)"
                                             : "");
        *restore = take_fd(&own);
    }
    return 0;
}

void nsjoin_pid_leave(int *restore)
{
    if (*restore < 0)
        return;
    /* Back to the launcher's own: it is its active namespace, which setns always takes. */
    setns(*restore, CLONE_NEWPID);
    close(take_fd(restore));
}

int nsjoin_enter(const struct run_plan *plan, const struct ns_joins *j, struct congo_error *e)
{
    for (size_t i = 0; i < j->n; i++) {
        const struct plan_ns_join *n = &plan->ns_joins[i];
        if (n->flag == CLONE_NEWPID)
            continue;
        if (setns(j->fd[i], (int)n->flag) < 0)
            return error_set(e, errno, "%s: join `%s`", n->key, n->path);
    }
    return 0;
}
