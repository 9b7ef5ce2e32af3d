/* The launcher while its container runs; see supervise.h. */
#include "runtime/supervise.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/log.h"
#include "runtime/sync.h"
#include "util/units.h"
#include "util/util.h"

const int supervise_forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
const size_t supervise_n_forwarded = ARRAY_SIZE(supervise_forwarded);

/* One message from the child: a log line, its failure, its terminal, or its exec. */
static void handle_sync(const struct sync_msg *m, int passed_fd, struct terminal *t,
                        const struct supervise_in *in, struct supervise_out *out, bool *exec_seen)
{
    if (m->kind == SYNC_EXEC) {
        *exec_seen = true;
        return;
    }
    if (m->kind == SYNC_PTY && passed_fd >= 0 && t->master < 0) {
        t->master = passed_fd;
        return;
    }
    if (passed_fd >= 0)
        close(passed_fd);
    if (m->kind == SYNC_LOG && in->verbose) {
        fprintf(in->verbose, "congo-launch: %s\n", m->text);
    } else if (m->kind == SYNC_ERROR && !out->child_failed) {
        sync_error_of(m, &out->error);
        out->status = m->status;
        out->child_failed = true;
    }
}

enum drained { DRAIN_DATA, DRAIN_AGAIN, DRAIN_END };

/*
 * One read of a detached command's output (a non-blocking pipe) into its
 * log. DRAIN_END when every copy of the write end is closed: the command
 * and whatever it started are gone.
 */
static enum drained drain(int fd, struct log *log)
{
    char buf[16384];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? DRAIN_AGAIN : DRAIN_END;
    if (n == 0)
        return DRAIN_END;
    log_write(log, buf, (size_t)n);
    return DRAIN_DATA;
}

/* SIGKILL once stop_timeout has passed since the first stop signal. */
static void arm_stop_timer(int timer, int64_t ms)
{
    struct itimerspec when = {
        .it_value = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000},
    };
    /* A zero it_value disarms: a timeout of 0 means at once, 1 ns. */
    if (ms == 0)
        when.it_value.tv_nsec = 1;
    timerfd_settime(timer, 0, &when, NULL);
}

void supervise(const struct supervise_in *in, struct terminal *t, struct supervise_out *out)
{
    memset(out, 0, sizeof(*out));
    bool sync_open = true, stdin_open = t->wanted, master_open = true, stopping = false;
    bool out_open = in->out_fd >= 0;
    /*
     * The command was exec'd when the child said it was about to, sent no
     * error after, and its end of the socket closed (O_CLOEXEC): a child
     * that died on the way closes it too, but never says SYNC_EXEC first.
     */
    bool exec_seen = false;
    /* Armed by the first stop signal: the command then has stop_timeout before SIGKILL. */
    _cleanup_close_ int stop_timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    for (;;) {
        bool relay = t->master >= 0;
        struct pollfd fds[6] = {
            {.fd = in->sigfd, .events = POLLIN},
            {.fd = sync_open ? in->sync_fd : -1, .events = POLLIN},
            {.fd = relay && stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
            {.fd = relay && master_open ? t->master : -1, .events = POLLIN},
            {.fd = stopping ? stop_timer : -1, .events = POLLIN},
            {.fd = out_open ? in->out_fd : -1, .events = POLLIN},
        };
        if (poll(fds, 6, -1) < 0) {
            if (errno == EINTR)
                continue;
            error_set(&out->warning, errno, "poll");
            break;
        }
        if (fds[1].revents) {
            struct sync_msg m;
            int passed;
            if (sync_recv(in->sync_fd, &m, &passed, 0) > 0) {
                handle_sync(&m, passed, t, in, out, &exec_seen);
            } else {
                sync_open = false;
                if (exec_seen && !out->child_failed && in->started)
                    in->started(in->arg);
            }
        }
        if (fds[5].revents && drain(in->out_fd, in->log) == DRAIN_END)
            out_open = false;
        if (fds[2].revents && !terminal_copy(STDIN_FILENO, t->master))
            stdin_open = false;
        if (fds[3].revents && !terminal_copy(t->master, STDOUT_FILENO))
            master_open = false;
        if (fds[4].revents) {
            uint64_t expirations;
            if (read(stop_timer, &expirations, sizeof(expirations)) > 0) {
                _cleanup_free_ char *d = format_duration(in->stop_timeout_ms);
                error_set(&out->warning, 0,
                          "the command did not stop within stop_timeout (%s): sent SIGKILL", d);
                kill(in->pid, SIGKILL);
            }
        }
        if (!fds[0].revents)
            continue;
        struct signalfd_siginfo si;
        while (read(in->sigfd, &si, sizeof(si)) == sizeof(si)) {
            /* The terminal inside follows the caller's size; its resize signals the command. */
            if (si.ssi_signo == SIGWINCH && t->master >= 0) {
                struct winsize ws;
                if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                    ioctl(t->master, TIOCSWINSZ, &ws);
            }
            if (si.ssi_signo == SIGCHLD)
                continue;
            kill(in->pid, (int)si.ssi_signo);
            bool stop = si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT || si.ssi_signo == SIGHUP;
            if (stop && !stopping && stop_timer >= 0) {
                arm_stop_timer(stop_timer, in->stop_timeout_ms);
                stopping = true;
            }
        }
        int status;
        if (waitpid(in->pid, &status, WNOHANG) != in->pid)
            continue;
        /* Drain what the command wrote last, and the child's last words. */
        while (t->master >= 0 && master_open && terminal_copy(t->master, STDOUT_FILENO))
            ;
        /* What is in the pipe now; a process of the container left with it (pid: false) may keep it open. */
        while (out_open && drain(in->out_fd, in->log) == DRAIN_DATA)
            ;
        struct sync_msg m;
        int passed;
        ssize_t got;
        while (sync_open && (got = sync_recv(in->sync_fd, &m, &passed, MSG_DONTWAIT)) > 0)
            handle_sync(&m, passed, t, in, out, &exec_seen);
        /* A command that ran and ended before its start was read: it started all the same. */
        if (sync_open && got == 0 && exec_seen && !out->child_failed && in->started)
            in->started(in->arg);
        out->wait_status = status;
        return;
    }
    int status = 0;
    waitpid(in->pid, &status, 0);
    out->wait_status = status;
}
