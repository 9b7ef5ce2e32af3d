/*
 * The last two steps of a container's process: finding and executing the
 * command in the container's PATH, and the minimal init that stands between
 * the kernel's PID 1 semantics and a command that was never written to be
 * PID 1.
 */
#include "runtime/exec.h"

#include "plan/plan.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/util.h"

/* The same default as env_build's: what a command sees when envp has no PATH. */

enum {
    EXIT_CANNOT_EXECUTE = 126,
    EXIT_NOT_FOUND = 127,
    EXIT_LAUNCHER = 125,
};

/* Like getenv, but in the command's environment, never the launcher's. */
static const char *envp_path(char *const envp[])
{
    for (size_t i = 0; envp && envp[i]; i++)
        if (strncmp(envp[i], "PATH=", 5) == 0)
            return envp[i] + 5;
    return PLAN_DEFAULT_PATH;
}

/* Whether execve's ENOENT is about the file itself or about what it needs. */
static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/*
 * The exit status and message for an execve(path) that failed with err. The
 * kernel's errno is ambiguous in two common cases, so the file is looked at
 * again: EACCES is also what a directory gives, and ENOENT is also what a
 * script whose #! interpreter (or a binary whose dynamic loader) is missing
 * gives. That last one is found but cannot be executed: 126, with a hint,
 * since "no such file" about a file that is there puzzles everyone.
 */
static int exec_failure(const char *path, int err, struct congo_error *e)
{
    struct stat st;
    int status = EXIT_CANNOT_EXECUTE;
    switch (err) {
    case ENOENT:
        if (exists(path)) {
            error_set(e, 0,
                      "`%s`: no such file or directory for its #! interpreter or dynamic loader",
                      path);
        } else {
            error_set(e, 0, "`%s`: no such file or directory", path);
            status = EXIT_NOT_FOUND;
        }
        break;
    case ENOTDIR:
    case ELOOP:
    case ENAMETOOLONG:
        error_set(e, err, "`%s`", path);
        status = EXIT_NOT_FOUND;
        break;
    case EACCES:
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            error_set(e, 0, "`%s`: is a directory", path);
        else
            error_set(e, 0, "`%s`: permission denied (not executable, or on a noexec mount)", path);
        break;
    case ENOEXEC:
        error_set(e, 0, "`%s`: exec format error (not a program for this machine, and no #! line)",
                  path);
        break;
    default:
        error_set(e, err, "execute `%s`", path);
        break;
    }
    e->err = err;
    return status;
}

/* The PATH entry from p to colon, joined with cmd (an empty entry is the working directory). */
static char *path_candidate(const char *p, const char *colon, const char *cmd)
{
    int n = (int)(colon - p);
    return n ? xasprintf("%.*s/%s", n, p, cmd) : xasprintf("./%s", cmd);
}

/*
 * Runs in the child as the container's user, after pivot_root. Only
 * looks: stat and access, never execve, so that a caller can make its last
 * step between finding the program and running it.
 */
char *exec_find(char *const argv[], char *const envp[])
{
    if (!argv || !argv[0] || !argv[0][0])
        return NULL;
    const char *cmd = argv[0];
    if (strchr(cmd, '/'))
        return xstrdup(cmd);
    const char *path = envp_path(envp);
    for (const char *p = path;;) {
        const char *colon = strchrnul(p, ':');
        _cleanup_free_ char *full = path_candidate(p, colon, cmd);
        struct stat st;
        if (stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0)
            return steal_pointer(&full);
        if (!*colon)
            return NULL;
        p = colon + 1;
    }
}

int exec_check(char *const argv[], char *const envp[], struct congo_error *e)
{
    if (!argv || !argv[0] || !argv[0][0])
        return exec_command(argv, envp, e); /* says so without running anything */
    const char *cmd = argv[0];
    struct stat st;
    if (strchr(cmd, '/')) {
        if (stat(cmd, &st) < 0)
            return exec_failure(cmd, errno, e);
        if (S_ISDIR(st.st_mode) || access(cmd, X_OK) < 0)
            return exec_failure(cmd, EACCES, e);
        return 0;
    }
    const char *path = envp_path(envp);
    for (const char *p = path;;) {
        const char *colon = strchrnul(p, ':');
        _cleanup_free_ char *full = path_candidate(p, colon, cmd);
        /* Something of that name: exec_command, at the start, says what is wrong with it. */
        if (exists(full))
            return 0;
        if (!*colon)
            break;
        p = colon + 1;
    }
    error_set(e, 0, "`%s`: command not found in PATH (`%s`)", cmd, path);
    e->err = ENOENT;
    return EXIT_NOT_FOUND;
}

/*
 * Runs in the child as the container's user, after pivot_root, so every path
 * here is inside the container. Like execvpe, but: the PATH is envp's (the
 * container's), never the launcher's; ENOEXEC is reported, not retried with
 * /bin/sh (a runtime that guesses an interpreter hides a broken image); and a
 * candidate that exists but cannot be executed is remembered, so a later PATH
 * entry may still win and, if none does, the user hears about the one that
 * was found rather than "not found".
 */
int exec_command(char *const argv[], char *const envp[], struct congo_error *e)
{
    if (!argv || !argv[0] || !argv[0][0]) {
        error_set(e, 0, "empty command: argv[0] is an empty string");
        e->err = ENOENT;
        return EXIT_NOT_FOUND;
    }
    const char *cmd = argv[0];
    if (strchr(cmd, '/')) {
        execve(cmd, argv, envp);
        return exec_failure(cmd, errno, e);
    }

    const char *path = envp_path(envp);
    _cleanup_free_ char *found = NULL;
    int found_err = 0;
    for (const char *p = path;;) {
        const char *colon = strchrnul(p, ':');
        /* An empty entry means the working directory, as POSIX says. */
        _cleanup_free_ char *full = path_candidate(p, colon, cmd);
        execve(full, argv, envp);
        int err = errno;
        switch (err) {
        case ENOENT:
            if (!exists(full))
                break;
            /* found, but its interpreter is missing: keep looking, remember it */
            __attribute__((fallthrough));
        case EACCES:
            if (!found) {
                found = steal_pointer(&full);
                found_err = err;
            }
            break;
        case ENOTDIR:
        case ELOOP:
        case ENAMETOOLONG:
        case ESTALE:
        case ENODEV:
        case ETIMEDOUT:
            break;
        default:
            /* ENOEXEC, ETXTBSY, E2BIG, ENOMEM...: it is there and it is broken */
            return exec_failure(full, err, e);
        }
        if (!*colon)
            break;
        p = colon + 1;
    }
    if (found)
        return exec_failure(found, found_err, e);
    error_set(e, 0, "`%s`: command not found in PATH (`%s`)", cmd, path);
    e->err = ENOENT;
    return EXIT_NOT_FOUND;
}

static const int forwarded_signals[] = {SIGTERM, SIGINT,  SIGHUP,  SIGQUIT,
                                        SIGUSR1, SIGUSR2, SIGWINCH};

/*
 * Runs in the command's process before start(): the command must
 * begin with default dispositions and the caller's mask, not with the init's
 * blocked set (it would never see SIGTERM) nor with a SIG_IGN inherited from
 * whoever started the launcher (execve keeps SIG_IGN; `nohup` would leak into
 * the container). Dispositions go first, so a signal unblocked by the mask
 * finds no stale handler. sigaction fails for the two signals glibc keeps for
 * itself and for SIGKILL/SIGSTOP; nothing to do about those.
 */
static void reset_signals(const sigset_t *mask)
{
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &dfl, NULL);
    sigprocmask(SIG_SETMASK, mask, NULL);
}

/* The contract's status: the exit code, or 128+N for signal N, as shells report it. */
static int status_of(int wstatus)
{
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return WEXITSTATUS(wstatus);
}

/*
 * Runs in the child as the container's PID 1 (or, with `pid: false`, as a
 * child subreaper), after the container is set up and the user switched:
 * start() only execs, in the command's process.
 *
 * Signals are handled synchronously with sigwaitinfo on a blocked set, never
 * with handlers: the kernel drops any signal sent to a namespace's PID 1 from
 * inside the namespace unless PID 1 has a handler for it, but it never drops
 * a blocked signal (the handler could change before it is unblocked), so a
 * blocked signal is always queued for sigwaitinfo. Blocking happens before
 * the vfork, so a SIGCHLD of a command that dies at once, or a SIGTERM that
 * arrives during the vfork, waits in the queue instead of being lost. The set
 * stays blocked on return: the caller exits with the status, and a signal
 * arriving now must not kill the init with a different one.
 *
 * The init is made non-dumpable before the vfork (so there is no window): a
 * container process without CAP_SYS_PTRACE, root in the container or not,
 * then cannot ptrace it or open its /proc/1/{exe,fd,mem,environ}, which lead
 * back to the host's binary and whatever the launcher gave it (the
 * CVE-2019-5736 route). CAP_SYS_PTRACE overrides the flag, so the command's
 * capability set must not hold it. The command inherits the flag only until
 * execve, which resets it for an ordinary binary.
 *
 * Once the command's process has exec'd (or died), started(arg) runs in
 * the init, when not NULL: its last set-up, for itself alone (the command
 * no longer shares its memory or credentials). When it fails the init
 * kills the command: a PID 1 that is not as the plan says must not stay.
 *
 * Returns 125 (a failure of congo-launch itself) when vfork or started
 * fails: the interface has no error channel, and no status of the command
 * exists yet.
 */
int init_run(int (*start)(void *arg), int (*started)(void *arg), void *arg, int close_after_start)
{
    sigset_t waitset, oldmask;
    sigemptyset(&waitset);
    for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
        sigaddset(&waitset, forwarded_signals[i]);
    sigaddset(&waitset, SIGCHLD);
    sigprocmask(SIG_BLOCK, &waitset, &oldmask);

    /*
     * SIGCHLD set to SIG_IGN (which survives execve, so whoever started the
     * launcher may have left it) makes the kernel reap children by itself:
     * the command's status would be lost to waitpid.
     */
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigaction(SIGCHLD, &dfl, NULL);

    /*
     * PID 1 of a PID namespace inherits every orphan there. Without one
     * (`pid: false`) orphans would go to the host's init; as a subreaper we
     * reap them ourselves and the caller's cgroup cleanup finds no zombies.
     */
    if (getpid() != 1)
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

    /*
     * vfork: the command's process borrows the init's memory until it execs
     * instead of fork copying the init's page tables for execve to throw
     * away, as posix_spawn does. The init sleeps meanwhile, so nothing of its
     * state changes under it.
     */
    pid_t child = vfork();
    if (child == 0) {
        reset_signals(&oldmask);
        _exit(start(arg));
    }
    if (close_after_start >= 0)
        close(close_after_start);
    if (child < 0)
        return EXIT_LAUNCHER;
    if (started && started(arg) < 0) {
        kill(child, SIGKILL);
        return EXIT_LAUNCHER;
    }

    for (;;) {
        siginfo_t si;
        int sig = sigwaitinfo(&waitset, &si);
        if (sig < 0)
            continue; /* EINTR: a stop and SIGCONT of the init itself */
        if (sig != SIGCHLD) {
            /* ESRCH is fine: the command is gone and its SIGCHLD is queued. */
            kill(child, sig);
            continue;
        }
        /*
         * One SIGCHLD may stand for many exits (standard signals do not
         * queue), so reap until nothing is left, the command's own status
         * included, whenever it comes.
         */
        bool done = false;
        int result = 0;
        for (;;) {
            int wstatus;
            pid_t r = waitpid(-1, &wstatus, WNOHANG);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            if (r == child) {
                done = true;
                result = status_of(wstatus);
            }
        }
        if (done)
            return result;
    }
}
