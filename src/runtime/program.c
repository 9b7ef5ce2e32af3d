/* Host programs, run clean; see program.h. */
#include "runtime/program.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/util.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static _Noreturn void exec_clean(const char *const *argv, int in, int out, const int *keep,
                                 size_t n_keep)
{
    sigset_t none;
    sigemptyset(&none);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
        _exit(127);
    syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
    for (size_t i = 0; i < n_keep; i++)
        fcntl(keep[i], F_SETFD, 0);
    execv(argv[0], (char *const *)argv);
    dprintf(2, "exec %s: %s", argv[0], strerror(errno));
    _exit(127);
}

int program_run(const char *const *argv, const char *input, const int *keep, size_t n_keep,
                char *out, size_t size)
{
    int in[2] = {-1, -1}, res[2] = {-1, -1};
    if (pipe2(in, O_CLOEXEC) < 0 || pipe2(res, O_CLOEXEC) < 0) {
        int err = errno;
        for (int i = 0; i < 2; i++) {
            if (in[i] >= 0)
                close(in[i]);
            if (res[i] >= 0)
                close(res[i]);
        }
        errno = err;
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0)
        exec_clean(argv, in[0], res[1], keep, n_keep);
    int err = errno;
    close(in[0]);
    close(res[1]);
    if (pid < 0) {
        close(in[1]);
        close(res[0]);
        errno = err;
        return -1;
    }
    /* A script is a few hundred bytes: it fits the pipe, and the program reads it all first. */
    if (input) {
        void (*old)(int) = signal(SIGPIPE, SIG_IGN);
        ssize_t w = write(in[1], input, strlen(input));
        (void)w;
        signal(SIGPIPE, old);
    }
    close(in[1]);
    size_t got = 0;
    ssize_t n;
    char sink[256];
    for (;;) {
        bool room = got + 1 < size;
        n = read(res[0], room ? out + got : sink, room ? size - 1 - got : sizeof(sink));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (room)
            got += (size_t)n;
    }
    close(res[0]);
    if (size)
        out[got] = '\0';
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
