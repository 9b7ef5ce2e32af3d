/* Host programs, run clean; see program.h. */
#include "runtime/program.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/child.h"
#include "util/util.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

static _Noreturn void exec_clean(const struct program *p, int in, int out)
{
    sigset_t none;
    sigemptyset(&none);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Never outlive the caller unseen; a setuid program clears this, which is its right. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* A group of its own, which a timeout kills whole. */
    setpgid(0, 0);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
        _exit(127);
    /* Linux < 5.11 has no CLOSE_RANGE_CLOEXEC: the fds one by one. */
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
        for (int fd = 3, max = (int)sysconf(_SC_OPEN_MAX); fd < max; fd++)
            fcntl(fd, F_SETFD, FD_CLOEXEC);
    for (size_t i = 0; i < p->n_keep; i++)
        fcntl(p->keep[i], F_SETFD, 0);
    if (p->prepare && p->prepare(p->arg) < 0) {
        dprintf(2, "prepare to run %s: %s", p->path, strerror(errno));
        _exit(126);
    }
    execve(p->path, p->argv, p->envp ? p->envp : environ);
    int err = errno;
    dprintf(2, "exec %s: %s", p->path, strerror(err));
    /* The shell's convention: 127 for a program that is not there, 126 for one that cannot run. */
    _exit(err == ENOENT || err == ENOTDIR ? 127 : 126);
}

/*
 * The input in a memfd: any size, written before the program starts, so
 * that neither side waits for the other.
 */
static int input_fd(const char *input)
{
    int fd = (int)syscall(SYS_memfd_create, "input", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = input ? strlen(input) : 0;
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, input + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int err = errno;
            close(fd);
            errno = err;
            return -1;
        }
        off += (size_t)w;
    }
    if (lseek(fd, 0, SEEK_SET) < 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

/* What is in the pipe now, into out; false at its end. */
static bool drain(int fd, char *out, size_t size, size_t *got)
{
    char sink[256];
    for (;;) {
        bool room = *got + 1 < size;
        ssize_t n = read(fd, room ? out + *got : sink, room ? size - 1 - *got : sizeof(sink));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == EAGAIN;
        if (n == 0)
            return false;
        if (room)
            *got += (size_t)n;
    }
}

static int reap(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : PROGRAM_SIGNALED + WTERMSIG(status);
}

int program_exec(const struct program *p, char *out, size_t size)
{
    if (size)
        out[0] = '\0';
    _cleanup_close_ int in = input_fd(p->input);
    if (in < 0)
        return -1;
    int res[2];
    if (pipe2(res, O_CLOEXEC) < 0)
        return -1;
    _cleanup_close_ int r_end = res[0];
    _cleanup_close_ int w_end = res[1];
    pid_t pid = fork();
    if (pid == 0)
        exec_clean(p, in, w_end);
    if (pid < 0)
        return -1;
    close(take_fd(&w_end));
    fcntl(r_end, F_SETFL, O_NONBLOCK);
    _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    uint64_t deadline = p->timeout_ms ? now_us() + (uint64_t)p->timeout_ms * 1000 : 0;
    size_t got = 0;
    bool open_out = true;
    int why = 0;
    for (;;) {
        struct pollfd pfd[3] = {{.fd = pidfd, .events = POLLIN},
                                {.fd = open_out ? r_end : -1, .events = POLLIN},
                                {.fd = p->cancel_fd, .events = POLLIN}};
        int wait_ms = -1;
        if (deadline) {
            uint64_t now = now_us();
            wait_ms = now >= deadline ? 0 : (int)((deadline - now + 999) / 1000);
        }
        /* Without a pidfd (Linux < 5.3), the output's end stands for the program's. */
        if (pidfd < 0 && !open_out)
            break;
        int n = poll(pfd, 3, wait_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            why = errno;
            break;
        }
        if (n == 0) {
            why = ETIME;
            break;
        }
        if (pfd[2].revents) {
            why = ECANCELED;
            break;
        }
        if (pfd[1].revents)
            open_out = drain(r_end, out, size, &got);
        if (pfd[0].revents) {
            drain(r_end, out, size, &got);
            break;
        }
    }
    if (size)
        out[got] = '\0';
    if (why) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL); /* in case its setpgid had not run yet */
        reap(pid);
        errno = why;
        return -1;
    }
    return reap(pid);
}

int program_run(const char *const *argv, const char *input, const int *keep, size_t n_keep,
                char *out, size_t size)
{
    const struct program p = {.path = argv[0],
                              .argv = (char *const *)argv,
                              .input = input,
                              .cancel_fd = -1,
                              .keep = keep,
                              .n_keep = n_keep};
    return program_exec(&p, out, size);
}
