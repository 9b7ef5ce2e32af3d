/*
 * The host programs congo runs (nft, iptables, pasta, the profile's hooks):
 * started clean, waited for, their words kept for the message.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Above any exit status: what program_exec adds to the number of the signal that killed it. */
#define PROGRAM_SIGNALED 256

struct program {
    const char *path;   /* absolute */
    char *const *argv;  /* argv[0] included */
    char *const *envp;  /* NULL: the caller's environment */
    const char *input;  /* on its stdin, whole; NULL: nothing */
    int64_t timeout_ms; /* 0: none; else SIGKILL after it */
    int cancel_fd;      /* readable: SIGKILL at once (a signalfd); -1 for none */
    const int *keep;    /* fds it keeps at their numbers, besides 0-2 */
    size_t n_keep;
    /* Optional: in the new process, right before the exec; -1 (errno set) fails it with 126. */
    int (*prepare)(void *arg);
    void *arg;
};

/*
 * Run p with its stdout and stderr together into out (NUL-terminated, the
 * first size-1 bytes). The program gets the default signal mask and
 * dispositions (the launcher blocks the ones it waits for), no fd of the
 * caller's but 0-2 and keep, and SIGKILL when the caller dies. Waits for
 * it to exit, not for its output's end: a daemon it leaves holding the
 * pipe does not hold the caller. Its exit status, PROGRAM_SIGNALED+N when
 * signal N killed it, or -1 with errno set: ETIME after the timeout,
 * ECANCELED when cancel_fd was readable (either way it was killed and
 * reaped, with its process group).
 */
int program_exec(const struct program *p, char *out, size_t size);

/* The same with argv[0] as the path, the caller's environment, no timeout. */
int program_run(const char *const *argv, const char *input, const int *keep, size_t n_keep,
                char *out, size_t size);
