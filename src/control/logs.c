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
#include <sys/stat.h>
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

/* Is *fd still the file called log? If not, a rotation made it log.1: *fd becomes the new log. */
static bool rotated(const char *dir, int *fd)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", dir, LOG_FILE);
    struct stat now, ours;
    if (stat(path, &now) < 0 || fstat(*fd, &ours) < 0 || now.st_ino == ours.st_ino)
        return false;
    int next = open_log(dir, LOG_FILE);
    if (next < 0)
        return false;
    close(*fd);
    *fd = next;
    return true;
}

/*
 * Until the launcher goes: what log gets is copied out as it comes. The
 * watch is made before the files are opened, so nothing written between
 * the two is missed; and each wake-up checks whether log is still the file
 * being read (the old one, now log.1, is read to its end first).
 */
static int follow(const struct state_entry *s, int in, int *fd)
{
    _cleanup_close_ int launcher = pidfd_of(s->launcher, s->launcher_start);
    if (launcher < 0)
        return copy_out(*fd), CONTROL_OK;
    for (;;) {
        if (!copy_out(*fd))
            return CONTROL_OK;
        if (rotated(s->dir, fd))
            continue;
        struct pollfd p[2] = {{.fd = in, .events = POLLIN}, {.fd = launcher, .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            return CONTROL_NOT_FOUND;
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        while (read(in, buf, sizeof(buf)) > 0)
            ;
        if (p[1].revents) {
            /* Gone: what it wrote last is in the files already. */
            while (copy_out(*fd) && rotated(s->dir, fd))
                ;
            return CONTROL_OK;
        }
    }
}

int control_logs(const char *ref, bool follow_it)
{
    struct state_entry s;
    int r = control_find(ref, &s, false);
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
    _cleanup_close_ int in = -1;
    if (follow_it) {
        in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (in < 0 || inotify_add_watch(in, s.dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0) {
            fprintf(stderr, "congo-launch: watch `%s`: %s\n", s.dir, strerror(errno));
            state_entry_free(&s);
            return CONTROL_NOT_FOUND;
        }
    }
    _cleanup_close_ int old = open_log(s.dir, LOG_FILE_OLD);
    _cleanup_close_ int cur = open_log(s.dir, LOG_FILE);
    int status = CONTROL_OK;
    if (old >= 0 && !copy_out(old)) {
        /* Whoever read the output is gone. */
        state_entry_free(&s);
        return CONTROL_OK;
    }
    if (cur >= 0 && follow_it)
        status = follow(&s, in, &cur);
    else if (cur >= 0)
        copy_out(cur);
    state_entry_free(&s);
    return status;
}
