/* Kernel parameters of the container's namespaces; see sysctl.h. */
#include "runtime/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/util.h"

/*
 * Below the directory fd, never through a symlink or out of it: the names
 * were checked by the profile, and this holds whatever they say.
 */
static int open_beneath(int dirfd, const char *path, int flags)
{
    struct open_how how = {
        .flags = (unsigned long long)flags | O_CLOEXEC,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
    };
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* net.ipv4.conf.eth0/100.rp_filter -> net/ipv4/conf/eth0.100/rp_filter, as sysctl(8) reads it. */
static char *sysctl_path(const char *name)
{
    char *path = xstrdup(name);
    for (char *c = path; *c; c++)
        *c = *c == '.' ? '/' : *c == '/' ? '.' : *c;
    return path;
}

int sysctl_write(int rootfd, const struct run_plan *plan, struct congo_error *e)
{
    if (plan->n_sysctls == 0)
        return 0;
    _cleanup_close_ int sys = open_beneath(rootfd, "proc/sys", O_PATH | O_DIRECTORY);
    if (sys < 0)
        return error_set(e, errno, "sysctl: open the container's /proc/sys");
    for (size_t i = 0; i < plan->n_sysctls; i++) {
        const struct plan_sysctl *s = &plan->sysctls[i];
        _cleanup_free_ char *path = sysctl_path(s->name);
        _cleanup_close_ int fd = open_beneath(sys, path, O_WRONLY | O_TRUNC);
        if (fd < 0 && errno == ENOENT)
            return error_set(e, 0, "sysctl %s: this kernel has no such parameter (/proc/sys/%s)",
                             s->name, path);
        if (fd < 0)
            return error_set(e, errno, "sysctl %s: open /proc/sys/%s", s->name, path);
        size_t len = strlen(s->value);
        ssize_t w = write(fd, s->value, len);
        if (w < 0)
            return error_set(e, errno, "sysctl %s: the kernel refuses `%s`", s->name, s->value);
        if ((size_t)w != len)
            return error_set(e, 0, "sysctl %s: the kernel took %zd bytes of `%s`", s->name, w,
                             s->value);
    }
    return 0;
}
