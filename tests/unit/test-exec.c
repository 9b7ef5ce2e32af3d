/*
 * exec_command and init_run, each in a forked process so the test runner
 * survives an exec or an init. No root needed. Waits are bounded only so a
 * regression fails instead of hanging; no assertion depends on timing.
 */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/exec.h"
#include "util/util.h"

#define LIMIT_SECONDS 60

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = test_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_rmrf(dir);
    free(dir);
    return 0;
}

/* waitpid with a generous limit; a process still running then is killed. */
static int wait_bounded(pid_t pid)
{
    int status = 0;
    for (int i = 0; i < LIMIT_SECONDS * 100; i++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        if (r < 0 && errno != EINTR)
            fail_msg("waitpid: %s", strerror(errno));
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    fail_msg("process %d still running after %d s", (int)pid, LIMIT_SECONDS);
    return -1;
}

/* Read until EOF (or the limit) from fd. */
static char *read_all(int fd)
{
    struct strbuf sb = {0};
    char buf[4096];
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, LIMIT_SECONDS * 1000);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            fail_msg("no EOF on the message pipe after %d s", LIMIT_SECONDS);
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        strbuf_add(&sb, buf, (size_t)n);
    }
    return strbuf_steal(&sb);
}

/* A real `true` of the host, to place in PATHs the launcher does not know. */
static const char *host_true(void)
{
    return access("/usr/bin/true", X_OK) == 0 ? "/usr/bin/true" : "/bin/true";
}

/*
 * exec_command(argv, envp) in a child (in cwd when not NULL). Returns the
 * child's exit status; *msg gets the error it reported ("" after a
 * successful exec: the pipe is O_CLOEXEC, so exec closes it unwritten).
 */
static int run_exec(char *const argv[], char *const envp[], const char *cwd, char **msg)
{
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        if (cwd && chdir(cwd) < 0)
            _exit(99);
        struct congo_error e = {0};
        int r = exec_command(argv, envp, &e);
        if (e.msg && write(p[1], e.msg, strlen(e.msg)) < 0)
            _exit(98);
        _exit(r);
    }
    close(p[1]);
    *msg = read_all(p[0]);
    close(p[0]);
    return wait_bounded(pid);
}

#define argv_of(...) ((char *const[]){__VA_ARGS__, NULL})

static void assert_contains(const char *s, const char *text)
{
    if (!strstr(s, text))
        fail_msg("\"%s\" does not contain \"%s\"", s, text);
}

/* dir/name with mode, holding content. */
static char *make_file(const char *name, const char *content, mode_t mode)
{
    char *path = test_write(dir, name, content);
    assert_int_equal(chmod(path, mode), 0);
    return path;
}

static char *make_dir(const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    assert_int_equal(mkdir(path, 0755), 0);
    return path;
}

/* dir/bin/mytrue -> the host's true: a name no launcher PATH has. */
static char *make_bin(void)
{
    char *bin = xasprintf("%s/bin", dir);
    mkdir(bin, 0755);
    _cleanup_free_ char *link = xasprintf("%s/mytrue", bin);
    if (access(link, F_OK) < 0)
        assert_int_equal(symlink(host_true(), link), 0);
    return bin;
}

static void test_not_found(void **state)
{
    (void)state;
    _cleanup_free_ char *empty = make_dir("empty");
    _cleanup_free_ char *path = xasprintf("PATH=/nonexistent:%s", empty);
    _cleanup_free_ char *msg = NULL;
    int r = run_exec(argv_of("congo-no-such-command", "x"), argv_of(path), NULL, &msg);
    assert_int_equal(r, 127);
    _cleanup_free_ char *want =
        xasprintf("`congo-no-such-command`: command not found in PATH (`/nonexistent:%s`)", empty);
    assert_string_equal(msg, want);
}

static void test_not_found_absolute(void **state)
{
    (void)state;
    _cleanup_free_ char *msg = NULL;
    int r = run_exec(argv_of("/nonexistent/prog"), argv_of("PATH=/bin"), NULL, &msg);
    assert_int_equal(r, 127);
    assert_string_equal(msg, "`/nonexistent/prog`: no such file or directory");
}

static void test_launcher_path_not_used(void **state)
{
    (void)state;
    /* `true` is in the launcher's PATH, but not in the container's */
    assert_int_equal(access(host_true(), X_OK), 0);
    _cleanup_free_ char *empty = make_dir("empty");
    _cleanup_free_ char *path = xasprintf("PATH=%s", empty);
    _cleanup_free_ char *msg = NULL;
    assert_int_equal(run_exec(argv_of("true"), argv_of(path), NULL, &msg), 127);
    assert_contains(msg, "`true`: command not found in PATH");
}

static void test_found_in_custom_path(void **state)
{
    (void)state;
    _cleanup_free_ char *empty = make_dir("empty");
    _cleanup_free_ char *bin = make_bin();
    _cleanup_free_ char *path = xasprintf("PATH=/nonexistent:%s:%s", empty, bin);
    _cleanup_free_ char *msg = NULL;
    assert_int_equal(run_exec(argv_of("mytrue"), argv_of("FOO=1", path), NULL, &msg), 0);
    assert_string_equal(msg, "");
}

static void test_default_path(void **state)
{
    (void)state;
    /* no PATH in envp: the base PATH, where `true` lives on any host */
    _cleanup_free_ char *msg = NULL;
    assert_int_equal(run_exec(argv_of("true"), argv_of("FOO=1"), NULL, &msg), 0);
    free(msg);
    assert_int_equal(run_exec(argv_of("mytrue"), argv_of("FOO=1"), NULL, &msg), 127);
    free(msg);
    assert_int_equal(run_exec(argv_of("true"), (char *const[]){NULL}, NULL, &msg), 0);
}

static void test_empty_entry_is_cwd(void **state)
{
    (void)state;
    _cleanup_free_ char *bin = make_bin();
    _cleanup_free_ char *msg = NULL;
    assert_int_equal(run_exec(argv_of("mytrue"), argv_of("PATH=/nonexistent:"), bin, &msg), 0);
    free(msg);
    assert_int_equal(run_exec(argv_of("mytrue"), argv_of("PATH="), bin, &msg), 0);
    free(msg);
    assert_int_equal(run_exec(argv_of("mytrue"), argv_of("PATH=/nonexistent"), bin, &msg), 127);
}

static void test_not_executable(void **state)
{
    (void)state;
    /* no x bit at all: EACCES even for root */
    _cleanup_free_ char *file = make_file("noexec/prog", "#!/bin/sh\nexit 0\n", 0644);
    _cleanup_free_ char *path = xasprintf("PATH=/nonexistent:%s/noexec", dir);
    _cleanup_free_ char *msg = NULL;
    assert_int_equal(run_exec(argv_of("prog"), argv_of(path), NULL, &msg), 126);
    _cleanup_free_ char *want = xasprintf("`%s`: permission denied", file);
    assert_contains(msg, want);
    free(msg);
    assert_int_equal(run_exec(argv_of(file), argv_of(path), NULL, &msg), 126);
    assert_contains(msg, want);
}

static void test_denied_then_found(void **state)
{
    (void)state;
    /* a later PATH entry still wins over an earlier one that cannot run */
    free(make_file("first/mytrue", "", 0644));
    _cleanup_free_ char *bin = make_bin();
    _cleanup_free_ char *path = xasprintf("PATH=%s/first:%s", dir, bin);
    _cleanup_free_ char *msg = NULL;
    assert_int_equal(run_exec(argv_of("mytrue"), argv_of(path), NULL, &msg), 0);
    assert_string_equal(msg, "");
}

static void test_directory(void **state)
{
    (void)state;
    _cleanup_free_ char *sub = make_dir("prog");
    _cleanup_free_ char *path = xasprintf("PATH=%s", dir);
    _cleanup_free_ char *msg = NULL;
    assert_int_equal(run_exec(argv_of("prog"), argv_of(path), NULL, &msg), 126);
    _cleanup_free_ char *want = xasprintf("`%s/prog`: is a directory", dir);
    assert_string_equal(msg, want);
    free(msg);
    assert_int_equal(run_exec(argv_of(sub), argv_of(path), NULL, &msg), 126);
    assert_contains(msg, "is a directory");
}

static void test_exec_format_error(void **state)
{
    (void)state;
    /* executable, but neither a program for this machine nor a #! script */
    _cleanup_free_ char *file = make_file("junk/prog", "\x01\x02\x03 not a program\n", 0755);
    _cleanup_free_ char *path = xasprintf("PATH=%s/junk:/bin:/usr/bin", dir);
    _cleanup_free_ char *msg = NULL;
    /* and no fallback to /bin/sh, which would run the file as a script */
    assert_int_equal(run_exec(argv_of("prog"), argv_of(path), NULL, &msg), 126);
    _cleanup_free_ char *want = xasprintf("`%s`: exec format error", file);
    assert_contains(msg, want);
}

static void test_missing_interpreter(void **state)
{
    (void)state;
    _cleanup_free_ char *file = make_file("interp/prog", "#!/nonexistent/sh\nexit 0\n", 0755);
    _cleanup_free_ char *path = xasprintf("PATH=%s/interp", dir);
    _cleanup_free_ char *msg = NULL;
    assert_int_equal(run_exec(argv_of("prog"), argv_of(path), NULL, &msg), 126);
    _cleanup_free_ char *want =
        xasprintf("`%s`: no such file or directory for its #! interpreter", file);
    assert_contains(msg, want);
}

static void test_script_status_and_env(void **state)
{
    (void)state;
    /* the command's own status passes; it sees envp and nothing else */
    setenv("CONGO_TEST_LEAK", "1", 1);
    free(make_file("scripts/check",
                   "#!/bin/sh\n"
                   "[ \"$FOO\" = bar ] || exit 10\n"
                   "[ -z \"$CONGO_TEST_LEAK\" ] || exit 11\n"
                   "[ \"$1\" = arg ] || exit 12\n"
                   "exit 42\n",
                   0755));
    _cleanup_free_ char *path = xasprintf("PATH=%s/scripts:/usr/bin:/bin", dir);
    _cleanup_free_ char *msg = NULL;
    int r = run_exec(argv_of("check", "arg"), argv_of(path, "FOO=bar"), NULL, &msg);
    unsetenv("CONGO_TEST_LEAK");
    assert_int_equal(r, 42);
    assert_string_equal(msg, "");
}

static void test_empty_command(void **state)
{
    (void)state;
    _cleanup_free_ char *msg = NULL;
    assert_int_equal(run_exec(argv_of(""), argv_of("PATH=/bin"), NULL, &msg), 127);
    assert_contains(msg, "empty command");
}

/* init_run */

/*
 * Runs init_run in a forked test process (not PID 1, so init_run makes it a
 * subreaper) and returns its result. The test process first makes the
 * signal state hostile (SIGCHLD and SIGHUP ignored, which execve keeps) as
 * a careless caller could leave it; after init_run it checks the promises
 * that are not the status: 201 the init is dumpable, 202 close_after_start
 * is still open, 203 a child is left, 204 not a subreaper.
 */
static pid_t start_init(int (*start)(void *), void *arg, int close_after_start)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid > 0)
        return pid;
    signal(SIGCHLD, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    int r = init_run(start, NULL, arg, close_after_start);
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
        _exit(201);
    if (close_after_start >= 0 && fcntl(close_after_start, F_GETFD) != -1)
        _exit(202);
    if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD)
        _exit(203);
    int reaper = 0;
    if (prctl(PR_GET_CHILD_SUBREAPER, &reaper, 0, 0, 0) != 0 || reaper != 1)
        _exit(204);
    _exit(r);
}

static int run_init(int (*start)(void *), void *arg)
{
    return wait_bounded(start_init(start, arg, -1));
}

/* Wait for one byte on fd, bounded; false at EOF or after the limit. */
static bool wait_byte(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r;
    while ((r = poll(&p, 1, LIMIT_SECONDS * 1000)) < 0 && errno == EINTR)
        ;
    char c;
    return r > 0 && read(fd, &c, 1) == 1;
}

static int start_exit42(void *arg)
{
    (void)arg;
    return 42;
}

static int start_exec42(void *arg)
{
    (void)arg;
    struct congo_error e = {0};
    return exec_command(argv_of("sh", "-c", "exit 42"), argv_of("PATH=/usr/bin:/bin"), &e);
}

static void test_init_exit_status(void **state)
{
    (void)state;
    assert_int_equal(run_init(start_exit42, NULL), 42);
    assert_int_equal(run_init(start_exec42, NULL), 42);
}

static int start_killed(void *arg)
{
    (void)arg;
    kill(getpid(), SIGKILL);
    return 0;
}

static void test_init_killed(void **state)
{
    (void)state;
    assert_int_equal(run_init(start_killed, NULL), 128 + SIGKILL);
}

/*
 * The commands of the init tests. init_run wants a command that execs at
 * once, so the test binary runs itself again: `test-exec command NAME ARG...`
 * (see main). An fd handed to it must survive the exec. The binary's path is
 * read once at the start: under valgrind /proc/self/exe is valgrind's own
 * binary, while readlink of it gives the program's.
 */
static char self_path[4096];

static int exec_test_command(const char *name, int a, int b, int c)
{
    char sa[16], sb[16], sc[16];
    snprintf(sa, sizeof(sa), "%d", a);
    snprintf(sb, sizeof(sb), "%d", b);
    snprintf(sc, sizeof(sc), "%d", c);
    execl(self_path, "test-exec", "command", name, sa, sb, sc, (char *)NULL);
    return 70;
}

static int inherit_fd(int fd)
{
    return fcntl(fd, F_SETFD, 0);
}

/*
 * The command: checks its signal state, then waits for sig with a handler
 * that exits with exit_status (or, when that is -1, with the signal's number).
 */
struct forward_arg {
    int sig;
    int ready_w;
    int exit_status;
};

static int handler_exit_status;

static void exit_with_signal(int sig)
{
    _exit(handler_exit_status >= 0 ? handler_exit_status : sig);
}

static int command_wait_signal(int sig, int ready_w, int exit_status)
{
    alarm(2 * LIMIT_SECONDS); /* never outlive a failed test, but let the test's bound fire first */
    /* init_run's promise: nothing blocked, and SIGHUP (which the caller ignores) not ignored */
    sigset_t mask;
    sigprocmask(SIG_SETMASK, NULL, &mask);
    if (sigismember(&mask, sig) || sigismember(&mask, SIGCHLD))
        return 50;
    struct sigaction sa;
    if (sigaction(SIGHUP, NULL, &sa) < 0 || sa.sa_handler != SIG_DFL)
        return 51;
    handler_exit_status = exit_status;
    signal(sig, exit_with_signal);
    if (write(ready_w, "r", 1) != 1)
        return 53;
    for (;;)
        pause();
}

static int start_wait_signal(void *p)
{
    const struct forward_arg *a = p;
    if (inherit_fd(a->ready_w) < 0)
        return 54;
    return exec_test_command("wait-signal", a->sig, a->ready_w, a->exit_status);
}

static void test_init_forwards_signals(void **state)
{
    (void)state;
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
    for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        struct forward_arg a = {.sig = sigs[i], .ready_w = p[1], .exit_status = -1};
        pid_t init = start_init(start_wait_signal, &a, -1);
        close(p[1]);
        bool ready = wait_byte(p[0]);
        close(p[0]);
        if (!ready)
            fail_msg("signal %d: the command ended before it was ready: %d", sigs[i],
                     wait_bounded(init));
        /* to the init, as the launcher's parent or `docker kill` would */
        assert_int_equal(kill(init, sigs[i]), 0);
        int r = wait_bounded(init);
        if (r != sigs[i])
            fail_msg("signal %d (%s): status %d", sigs[i], strsignal(sigs[i]), r);
    }
}

static void test_init_sigterm_exit7(void **state)
{
    (void)state;
    /* `docker stop` in short: the command's SIGTERM handler decides the status */
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    struct forward_arg a = {.sig = SIGTERM, .ready_w = p[1], .exit_status = 7};
    pid_t init = start_init(start_wait_signal, &a, -1);
    close(p[1]);
    bool ready = wait_byte(p[0]);
    close(p[0]);
    if (!ready)
        fail_msg("the command ended before it was ready: %d", wait_bounded(init));
    assert_int_equal(kill(init, SIGTERM), 0);
    assert_int_equal(wait_bounded(init), 7);
}

/*
 * The command makes an orphan: it forks a child that forks a grandchild and
 * exits. The grandchild reports its pid and exits, and is reparented to the
 * init (the nearest subreaper) as a zombie. The command then waits for the
 * test to say go, so the init must reap that zombie while the command still
 * runs.
 */
struct zombie_arg {
    int pid_w;
    int go_r;
};

static int command_orphan_maker(int pid_w, int go_r)
{
    alarm(2 * LIMIT_SECONDS);
    pid_t child = fork();
    if (child < 0)
        return 60;
    if (child == 0) {
        pid_t grandchild = fork();
        if (grandchild == 0) {
            pid_t me = getpid();
            _exit(write(pid_w, &me, sizeof(me)) == sizeof(me) ? 0 : 1);
        }
        _exit(grandchild > 0 ? 0 : 1);
    }
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 61;
    char c;
    if (read(go_r, &c, 1) != 1)
        return 62;
    return 0;
}

static int start_orphan_maker(void *p)
{
    const struct zombie_arg *a = p;
    if (inherit_fd(a->pid_w) < 0 || inherit_fd(a->go_r) < 0)
        return 63;
    return exec_test_command("orphan-maker", a->pid_w, a->go_r, 0);
}

static bool process_exists(pid_t pid)
{
    /* a zombie still exists (kill succeeds); a reaped process does not */
    return kill(pid, 0) == 0 || errno != ESRCH;
}

static void test_init_reaps_orphans(void **state)
{
    (void)state;
    int pid_pipe[2], go_pipe[2];
    assert_int_equal(pipe2(pid_pipe, O_CLOEXEC), 0);
    assert_int_equal(pipe2(go_pipe, O_CLOEXEC), 0);
    struct zombie_arg a = {.pid_w = pid_pipe[1], .go_r = go_pipe[0]};
    pid_t init = start_init(start_orphan_maker, &a, -1);
    close(pid_pipe[1]);
    close(go_pipe[0]);

    struct pollfd pf = {.fd = pid_pipe[0], .events = POLLIN};
    assert_int_equal(poll(&pf, 1, LIMIT_SECONDS * 1000), 1);
    pid_t orphan;
    assert_int_equal(read(pid_pipe[0], &orphan, sizeof(orphan)), sizeof(orphan));
    close(pid_pipe[0]);

    /* the command is still running: only the init can have reaped the orphan */
    bool gone = false;
    for (int i = 0; i < LIMIT_SECONDS * 100 && !gone; i++) {
        gone = !process_exists(orphan);
        if (!gone)
            usleep(10000);
    }
    _cleanup_free_ char *proc = xasprintf("/proc/%d", (int)orphan);
    bool in_proc = access(proc, F_OK) == 0;

    /* (EPIPE if the command is already gone: the status below says why) */
    if (write(go_pipe[1], "g", 1) < 0)
        print_error("write go: %s\n", strerror(errno));
    close(go_pipe[1]);
    int status = wait_bounded(init);
    if (!gone || in_proc)
        fail_msg("the orphan %d was not reaped while the command ran (init: %d)", (int)orphan,
                 status);
    /* 0: the command finished and init left no child behind (else 203) */
    assert_int_equal(status, 0);
}

static void test_init_closes_fd(void **state)
{
    (void)state;
    /* the sync socket: once the init closed its copy, only the command's remains */
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    pid_t init = start_init(start_exec42, NULL, p[1]);
    close(p[1]);
    /* EOF proves every copy is gone: the init's and (by exec) the command's */
    _cleanup_free_ char *got = read_all(p[0]);
    close(p[0]);
    assert_string_equal(got, "");
    assert_int_equal(wait_bounded(init), 42); /* not 202 */
}

/* `test-exec command NAME A B C`: one of the commands above, run by an init under test. */
static int run_test_command(int argc, char **argv)
{
    if (argc != 5)
        return 71;
    int a = atoi(argv[2]), b = atoi(argv[3]), c = atoi(argv[4]);
    if (strcmp(argv[1], "wait-signal") == 0)
        return command_wait_signal(a, b, c);
    if (strcmp(argv[1], "orphan-maker") == 0)
        return command_orphan_maker(a, b);
    return 72;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "command") == 0)
        return run_test_command(argc - 1, argv + 1);
    ssize_t n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
    if (n <= 0) {
        perror("test-exec: readlink /proc/self/exe");
        return 1;
    }
    self_path[n] = '\0';
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found_absolute, setup, teardown),
        cmocka_unit_test_setup_teardown(test_launcher_path_not_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_found_in_custom_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_entry_is_cwd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_executable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_denied_then_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_format_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_interpreter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_script_status_and_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_command, setup, teardown),
        cmocka_unit_test(test_init_exit_status),
        cmocka_unit_test(test_init_killed),
        cmocka_unit_test(test_init_forwards_signals),
        cmocka_unit_test(test_init_sigterm_exit7),
        cmocka_unit_test(test_init_reaps_orphans),
        cmocka_unit_test(test_init_closes_fd),
    };
    /* a test writes to a pipe whose reader may have died: fail, do not vanish */
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
