/*
 * --logs: a detached container's output, log.1 then log (runtime/log.h).
 * --follow then waits, with inotify on the entry's directory, for what it
 * writes next, follows the log across a rotation, and ends when the
 * container's launcher does (a pidfd on it says when): the container has
 * exited then, and all it wrote is in the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "control/control-internal.h"
#include "control/control.h"
#include "runtime/log.h"
#include "util/util.h"

/* Copy what fd holds from its offset on to stdout. false when stdout is gone. */
static bool copy_out(int fd)
{
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return true;
        if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
            return false;
    }
    return fflush(stdout) == 0;
}

static int open_log(const char *dir, const char *name)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
    return open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

/* Until the launcher goes: each change of log is copied out as it comes. */
static int follow(const struct state_entry *s, int *fd)
{
    _cleanup_close_ int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (in < 0 || inotify_add_watch(in, s->dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0) {
        fprintf(stderr, "congo-launch: watch `%s`: %s\n", s->dir, strerror(errno));
        return CONTROL_NOT_FOUND;
    }
    _cleanup_close_ int launcher = pidfd_of(s->launcher, s->launcher_start);
    /* What came between the first copy and the watch. */
    if (!copy_out(*fd) || launcher < 0)
        return CONTROL_OK;
    for (;;) {
        struct pollfd p[2] = {{.fd = in, .events = POLLIN}, {.fd = launcher, .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            return CONTROL_NOT_FOUND;
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        ssize_t n = read(in, buf, sizeof(buf));
        bool gone = p[1].revents != 0, rotated = false;
        for (char *c = buf; n > 0 && c < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)c;
            if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) && ev->len && strcmp(ev->name, LOG_FILE) == 0)
                rotated = true;
            c += sizeof(*ev) + ev->len;
        }
        /* The old file first (now log.1, the same inode), then the new one from its start. */
        if (!copy_out(*fd))
            return CONTROL_OK;
        if (rotated) {
            int next = open_log(s->dir, LOG_FILE);
            if (next >= 0) {
                close(*fd);
                *fd = next;
                if (!copy_out(*fd))
                    return CONTROL_OK;
            }
        }
        if (gone)
            return CONTROL_OK;
    }
}

int control_logs(const char *ref, bool follow_it)
{
    struct state_entry s;
    int r = control_find(ref, &s);
    if (r)
        return r;
    if (!s.detached) {
        fprintf(stderr,
                "congo-launch: container `%s` (%s) runs in the foreground: its output goes to "
                "its launcher's terminal, and only a detached container's is kept\n",
                s.name, s.id);
        state_entry_free(&s);
        return CONTROL_NOT_FOUND;
    }
    _cleanup_close_ int old = open_log(s.dir, LOG_FILE_OLD);
    _cleanup_close_ int cur = open_log(s.dir, LOG_FILE);
    if (old >= 0 && !copy_out(old)) {
        state_entry_free(&s);
        return CONTROL_OK;
    }
    if (cur < 0) {
        /* The container is gone, or has written nothing yet and never will: nothing to show. */
        state_entry_free(&s);
        return CONTROL_OK;
    }
    int status = CONTROL_OK;
    if (follow_it)
        status = follow(&s, &cur);
    else
        copy_out(cur);
    state_entry_free(&s);
    return status;
}
