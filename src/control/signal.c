/*
 * --stop and --kill. Signals go through a pidfd opened on the container's
 * first process and checked against the start time the state recorded, so
 * a pid the kernel has since given to another process is never signalled.
 * --stop returns when the container's launcher is gone: it has then reaped
 * the container and removed its cgroup and its entry.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "control/control-internal.h"
#include "control/control.h"
#include "util/units.h"
#include "util/names.h"
#include "util/util.h"

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

static int send_signal(int pidfd, int sig)
{
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* Wait up to ms for the process behind pidfd to exit; true when it has. */
static bool wait_exit(int pidfd, int64_t ms)
{
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t deadline = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 + ms;
    for (;;) {
        int r = poll(&p, 1, ms > INT32_MAX ? INT32_MAX : (int)ms);
        if (r >= 0 || errno != EINTR)
            return r > 0;
        /* Interrupted: on with what is left of the time, not all of it again. */
        clock_gettime(CLOCK_MONOTONIC, &now);
        ms = deadline - ((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000);
        if (ms < 0)
            ms = 0;
    }
}

/* "TERM", "SIGTERM", "term", "15": the signal, or -1. */
int control_kill(const char *ref, const char *signal)
{
    int sig = signal ? signal_from_name(signal) : SIGKILL;
    if (sig < 0) {
        fprintf(stderr, "congo-launch: `%s` is not a signal: write a name such as TERM or a number\n",
                signal);
        return CONTROL_USAGE;
    }
    struct state_entry s;
    int r = control_find(ref, &s, true);
    if (r)
        return r;
    _cleanup_close_ int fd = pidfd_of(s.pid, s.pid_start);
    if (fd < 0 || send_signal(fd, sig) < 0) {
        fprintf(stderr, "congo-launch: container `%s` (%s): %s\n", s.name, s.id,
                fd < 0 || errno == ESRCH ? "its first process is gone" : strerror(errno));
        state_entry_free(&s);
        return CONTROL_NOT_FOUND;
    }
    state_entry_free(&s);
    return CONTROL_OK;
}

int control_stop(const char *ref, int64_t timeout_ms)
{
    struct state_entry s;
    int r = control_find(ref, &s, false);
    if (r)
        return r;
    if (timeout_ms < 0)
        timeout_ms = s.stop_timeout_ms >= 0 ? s.stop_timeout_ms : 10000;
    _cleanup_close_ int launcher = pidfd_of(s.launcher, s.launcher_start);
    _cleanup_close_ int first = pidfd_of(s.pid, s.pid_start);
    if (launcher < 0) {
        /* Gone between the lookup and now: what --stop wanted. */
        state_entry_free(&s);
        return CONTROL_OK;
    }
    /*
     * SIGTERM to the container's first process; one still being set up has
     * none yet, and its launcher gets it instead (it forwards it, or dies
     * and takes the child with it). SIGKILL only ever goes to the
     * container: the launcher must live to clean up after it.
     */
    send_signal(first >= 0 ? first : launcher, SIGTERM);
    if (!wait_exit(launcher, timeout_ms)) {
        _cleanup_free_ char *d = format_duration(timeout_ms);
        fprintf(stderr, "congo-launch: container `%s` (%s) did not stop within %s: SIGKILL\n",
                s.name, s.id, d);
        if (first < 0) {
            /* Its first process may exist by now. */
            struct state_entry again;
            struct congo_error ignored = {0};
            if (state_find(state_root(), s.id, &again, &ignored) == 0) {
                first = pidfd_of(again.pid, again.pid_start);
                state_entry_free(&again);
            }
            error_clear(&ignored);
        }
        if (first >= 0)
            send_signal(first, SIGKILL);
        /* The kernel tears the PID namespace down at once; the launcher then cleans up. */
        if (!wait_exit(launcher, 30000)) {
            fprintf(stderr,
                    "congo-launch: container `%s` (%s): its launcher (%d) is still there\n",
                    s.name, s.id, (int)s.launcher);
            state_entry_free(&s);
            return CONTROL_NOT_FOUND;
        }
    }
    state_entry_free(&s);
    return CONTROL_OK;
}
