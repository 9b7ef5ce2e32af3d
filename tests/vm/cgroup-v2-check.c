/*
 * The cgroup module on a real kernel, as root: written for the cgroup v2 VM
 * (tests/vm/run-cgroup-v2.sh), where it is the whole machine's only user of
 * cgroups. It also runs on a v1 or hybrid host, where it checks the v1 files
 * and skips the v2-only cases; there it only makes and removes its own
 * congo-check-* / congo-oom-* / congo-stale-* cgroups below its own.
 *
 * Prints TAP-like lines; exits 0 when every check passed, 1 when one failed,
 * 77 when it cannot run here (not root, no cgroups).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/cgroup.h"
#include "util/util.h"

static int n_checks, n_failed;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s %d - ", ok ? "ok" : "not ok", ++n_checks);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    n_failed += !ok;
}

static void die(const char *what, struct congo_error *e)
{
    printf("not ok %d - %s: %s\n", ++n_checks, what, e->msg ? e->msg : "?");
    printf("# aborted after %d checks\n", n_checks);
    exit(1);
}

/* The first of cg's directories that has file (v1 spreads them over hierarchies). */
static char *read_cg(const struct cgroup *cg, const char *file)
{
    for (size_t i = 0; cg->paths && cg->paths[i]; i++) {
        _cleanup_free_ char *path = xasprintf("%s/%s", cg->paths[i], file);
        char *text = NULL;
        size_t len;
        if (read_file_max(path, 1 << 20, &text, &len) == 0) {
            text[strcspn(text, "\n")] = '\0';
            return text;
        }
    }
    return NULL;
}

static void check_file(const struct cgroup *cg, const char *file, const char *want)
{
    _cleanup_free_ char *got = read_cg(cg, file);
    check(got && strcmp(got, want) == 0, "%s is `%s` (got `%s`)", file, want, got ? got : "<none>");
}

static bool dir_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * A child that waits until it has been moved into cg, then runs fn and
 * exits with its result. Returns its pid.
 */
static pid_t run_in(const struct cgroup *cg, int (*fn)(void))
{
    int go[2];
    if (pipe2(go, O_CLOEXEC) < 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* Not outliving a check program that gives up early. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(go[1]);
        char c;
        if (read(go[0], &c, 1) != 1)
            _exit(120);
        _exit(fn());
    }
    close(go[0]);
    struct congo_error e = {0};
    if (pid > 0 && cgroup_attach(cg, pid, &e) < 0) {
        printf("# attach: %s\n", e.msg);
        error_clear(&e);
        kill(pid, SIGKILL);
    }
    if (write(go[1], "x", 1) != 1)
        kill(pid, SIGKILL);
    close(go[1]);
    return pid;
}

static int sleep_forever(void)
{
    for (;;)
        pause();
    return 0;
}

/* Fork until the pids limit says no; the children stay behind for destroy to kill. */
static int fork_loop(void)
{
    int made = 0;
    for (int i = 0; i < 200; i++) {
        pid_t p = fork();
        if (p == 0)
            sleep_forever();
        if (p < 0)
            break;
        made++;
    }
    return made;
}

static int eat_128m(void)
{
    size_t n = 128u << 20;
    char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return 2;
    for (size_t i = 0; i < n; i += 4096)
        p[i] = 1;
    return 0; /* not killed: the limit did not hold */
}

static int wait_status(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

static bool killed(int status)
{
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

/* Is pid in a cgroup whose path ends with name (any hierarchy)? */
static bool proc_in(pid_t pid, const char *name)
{
    _cleanup_free_ char *path = xasprintf("/proc/%d/cgroup", (int)pid);
    _cleanup_free_ char *text = NULL;
    size_t len;
    if (read_file_max(path, 1 << 20, &text, &len) < 0)
        return false;
    _cleanup_free_ char *needle = xasprintf("/%s\n", name);
    return strstr(text, needle) != NULL;
}

/* clone3 straight into the cgroup: the way the launcher starts a container on v2. */
struct clone_args_v2 {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
};
#define CLONE_INTO_CGROUP_FLAG 0x200000000ULL

static void test_clone_into(const struct cgroup *cg)
{
    struct clone_args_v2 args = {
        .flags = CLONE_INTO_CGROUP_FLAG, .exit_signal = SIGCHLD, .cgroup = (uint64_t)cg->v2_fd};
    fflush(NULL);
    long pid = syscall(SYS_clone3, &args, sizeof(args));
    if (pid == 0) {
        _cleanup_free_ char *self = NULL;
        size_t len;
        if (read_file_max("/proc/self/cgroup", 4096, &self, &len) < 0)
            _exit(2);
        _cleanup_free_ char *want = xasprintf("0::%s\n", cg->in_container);
        _exit(strstr(self, want) ? 0 : 1);
    }
    int status = pid > 0 ? wait_status((pid_t)pid) : -1;
    check(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "clone3(CLONE_INTO_CGROUP, v2_fd) starts a child in %s (pid %ld: %s)", cg->in_container,
          pid, pid < 0 ? strerror(errno) : "ran");
}

/* A request for name with no limit set, as the run plan makes it. */
static struct cgroup_request request(char *name)
{
    return (struct cgroup_request){.name = name,
                                   .pids = LIMIT_UNLIMITED,
                                   .memory = LIMIT_UNLIMITED,
                                   .memory_swap = LIMIT_UNLIMITED,
                                   .memory_key = "limits.memory",
                                   .cpu_key = "limits.cpus"};
}

static void test_limits(const struct cgroup_host *h, pid_t self, unsigned long long st)
{
    struct cgroup_request req = request("check");
    req.pids = 50;
    req.pids_key = "limits.pids";
    req.memory = 64LL << 20;
    req.memory_swap = 96LL << 20;
    req.need_memory = true;
    req.cpu_shares = 1024;
    req.cpu_quota = 150000;
    req.need_cpu = true;
    req.cpu_key = "limits.cpu_shares";
    struct cgroup cg;
    struct congo_error e = {0};
    if (cgroup_create(h, &req, self, st, &cg, &e) < 0)
        die("create with every limit", &e);
    for (size_t i = 0; cg.paths[i]; i++)
        printf("# made %s\n", cg.paths[i]);
    check_file(&cg, "pids.max", "50");
    if (h->mode == CGROUP_V2) {
        check_file(&cg, "memory.max", "67108864");
        check_file(&cg, "memory.swap.max", "33554432");
        check_file(&cg, "cpu.weight", "100");
        check_file(&cg, "cpu.max", "150000 100000");
        check(cg.v2_fd >= 0, "v2_fd is open");
        test_clone_into(&cg);
    } else {
        check_file(&cg, "memory.limit_in_bytes", "67108864");
        check_file(&cg, "memory.memsw.limit_in_bytes", "100663296");
        check_file(&cg, "cpu.shares", "1024");
        check_file(&cg, "cpu.cfs_period_us", "100000");
        check_file(&cg, "cpu.cfs_quota_us", "150000");
    }

    pid_t sleeper = run_in(&cg, sleep_forever);
    usleep(20000);
    check(proc_in(sleeper, cg.name), "an attached child is in %s", cg.name);
    _cleanup_free_ char *procs = read_cg(&cg, "cgroup.procs");
    char want[24];
    snprintf(want, sizeof(want), "%d", (int)sleeper);
    check(procs && strstr(procs, want), "cgroup.procs lists it (%s)", procs ? procs : "<none>");

    pid_t bomb = run_in(&cg, fork_loop);
    int status = wait_status(bomb);
    int made = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    /* 50 in all: the sleeper and the loop itself count, so at most 48 more. */
    check(made >= 40 && made <= 48, "a fork loop inside is held by pids.max=50 (it made %d)", made);
    _cleanup_free_ char *current = read_cg(&cg, "pids.current");
    printf("# pids.current %s\n", current ? current : "?");

    _cleanup_strv_ char **paths = strv_copy(cg.paths);
    if (cgroup_destroy(&cg, &e) < 0) {
        check(false, "destroy: %s", e.msg);
        error_clear(&e);
    }
    bool gone = true;
    for (size_t i = 0; paths[i]; i++)
        gone &= !dir_exists(paths[i]);
    check(gone, "destroy removes every directory made");
    check(killed(wait_status(sleeper)), "destroy SIGKILLs what was left inside");
}

static void test_oom(const struct cgroup_host *h, pid_t self, unsigned long long st)
{
    struct cgroup_request req = request("oom");
    req.memory = 64LL << 20;
    /* memory_swap = memory: no swap at all (v2 memory.swap.max 0). */
    req.memory_swap = 64LL << 20;
    req.need_memory = true;
    struct cgroup cg;
    struct congo_error e = {0};
    if (cgroup_create(h, &req, self, st, &cg, &e) < 0)
        die("create with memory=64m memory_swap=64m", &e);
    if (h->mode == CGROUP_V2)
        check_file(&cg, "memory.swap.max", "0");
    uint64_t before = 0, after = 0;
    int r = cgroup_oom_kills(&cg, &before);
    check(r == 0 && before == 0, "oom_kill starts at 0 (%d, %llu)", r, (unsigned long long)before);
    pid_t eater = run_in(&cg, eat_128m);
    int status = wait_status(eater);
    check(killed(status), "a 128 MiB allocation under memory.max=64m is SIGKILLed (status %#x)",
          status);
    r = cgroup_oom_kills(&cg, &after);
    check(r == 0 && after > 0, "cgroup_oom_kills counts it (%d, %llu)", r,
          (unsigned long long)after);
    if (cgroup_destroy(&cg, &e) < 0) {
        check(false, "destroy: %s", e.msg);
        error_clear(&e);
    }
}

/* A dead launcher's cgroup, with a process still in it, goes; a live one stays. */
static void test_stale(const struct cgroup_host *h, pid_t self, unsigned long long st)
{
    struct cgroup_request req = request("stale");
    struct congo_error e = {0};
    /* Our own run's cgroup: its parent is where stale ones would be. */
    struct cgroup live;
    if (cgroup_create(h, &req, self, st, &live, &e) < 0)
        die("create the live cgroup", &e);
    /* A pid just used and freed: pids are not reused until they wrap. */
    pid_t gone = fork();
    if (gone == 0)
        _exit(0);
    wait_status(gone);
    struct cgroup dead;
    if (cgroup_create(h, &req, gone, 12345, &dead, &e) < 0)
        die("create the dead launcher's cgroup", &e);
    pid_t orphan = run_in(&dead, sleep_forever);
    usleep(20000);
    _cleanup_strv_ char **dead_paths = strv_copy(dead.paths);
    /* Forget it the way a SIGKILLed launcher would: no destroy. */
    if (dead.v2_fd >= 0)
        close(dead.v2_fd);
    free(dead.name);
    strv_free(dead.paths);
    free(dead.in_container);

    int n = cgroup_collect_stale(h, &req, &e);
    if (n < 0) {
        printf("# collect: %s\n", e.msg);
        error_clear(&e);
    }
    check(n == 1, "cgroup_collect_stale removes one cgroup (returned %d)", n);
    check(killed(wait_status(orphan)), "and kills the process left in it");
    bool gone_all = true;
    for (size_t i = 0; dead_paths[i]; i++)
        gone_all &= !dir_exists(dead_paths[i]);
    check(gone_all, "the dead launcher's directories are gone");
    bool kept = true;
    for (size_t i = 0; live.paths[i]; i++)
        kept &= dir_exists(live.paths[i]);
    check(kept, "the live launcher's cgroup is kept");
    if (cgroup_destroy(&live, &e) < 0) {
        check(false, "destroy: %s", e.msg);
        error_clear(&e);
    }
}

static int write_str(const char *path, const char *s)
{
    FILE *f = fopen(path, "we");
    if (!f)
        return -1;
    int r = fputs(s, f) < 0 ? -1 : 0;
    return fclose(f) < 0 ? -1 : r;
}

static void move_self(const char *dir)
{
    _cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", dir);
    char buf[24];
    snprintf(buf, sizeof(buf), "%d", (int)getpid());
    if (write_str(procs, buf) < 0)
        printf("# move into %s: %s\n", dir, strerror(errno));
}

static void redetect(struct cgroup_host *h)
{
    struct cgroup_sources src = {
        .mountinfo = "/proc/self/mountinfo", .self_cgroup = "/proc/self/cgroup", .proc = "/proc"};
    struct congo_error e = {0};
    cgroup_host_free(h);
    if (cgroup_detect(h, &src, &e) < 0)
        die("detect", &e);
}

/*
 * v2 `auto` when the launcher sits in a non-root cgroup with processes: the
 * nearest ancestor without processes is used, else /congo.
 */
static void test_auto_parent(struct cgroup_host *h, pid_t self, unsigned long long st)
{
    _cleanup_free_ char *outer = xasprintf("%s/congo-check-outer", h->v2_mount);
    _cleanup_free_ char *inner = xasprintf("%s/inner", outer);
    _cleanup_free_ char *root = xstrdup(h->v2_mount);
    if (mkdir(outer, 0755) < 0 || mkdir(inner, 0755) < 0) {
        check(false, "mkdir %s: %s", inner, strerror(errno));
        return;
    }
    /* Another process in the outer cgroup too: no ancestor below the root can take controllers. */
    pid_t other = fork();
    if (other == 0)
        sleep_forever();
    _cleanup_free_ char *outer_procs = xasprintf("%s/cgroup.procs", outer);
    char buf[24];
    snprintf(buf, sizeof(buf), "%d", (int)other);
    write_str(outer_procs, buf);
    move_self(inner);
    redetect(h);
    check(strcmp(h->v2_own, "/congo-check-outer/inner") == 0, "the launcher now sits in %s",
          h->v2_own);

    struct cgroup_request req = request("check");
    req.memory = 64LL << 20;
    req.need_memory = true;
    req.pids = 20;
    req.pids_key = "limits.pids";
    struct cgroup cg;
    struct congo_error e = {0};
    if (cgroup_create(h, &req, self, st, &cg, &e) < 0)
        die("create with every ancestor holding processes", &e);
    _cleanup_free_ char *want = xasprintf("/congo/%s", cg.name);
    check(strcmp(cg.in_container, want) == 0, "every ancestor holds processes: %s (got %s)", want,
          cg.in_container);
    check_file(&cg, "memory.max", "67108864");
    check_file(&cg, "pids.max", "20");
    test_clone_into(&cg);
    if (cgroup_destroy(&cg, &e) < 0)
        die("destroy", &e);

    /* The other process leaves: the outer cgroup is the nearest that can. */
    _cleanup_free_ char *root_procs = xasprintf("%s/cgroup.procs", root);
    write_str(root_procs, buf);
    if (cgroup_create(h, &req, self, st, &cg, &e) < 0)
        die("create with an empty parent", &e);
    free(want);
    want = xasprintf("/congo-check-outer/%s", cg.name);
    check(strcmp(cg.in_container, want) == 0, "the nearest ancestor without processes: %s (got %s)",
          want, cg.in_container);
    check_file(&cg, "memory.max", "67108864");
    test_clone_into(&cg);
    if (cgroup_destroy(&cg, &e) < 0)
        die("destroy", &e);

    kill(other, SIGKILL);
    wait_status(other);
    move_self(root);
    rmdir(inner);
    rmdir(outer);
    redetect(h);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (geteuid() != 0) {
        printf("# SKIP: needs root\n");
        return 77;
    }
    struct cgroup_host h;
    struct cgroup_sources src = {
        .mountinfo = "/proc/self/mountinfo", .self_cgroup = "/proc/self/cgroup", .proc = "/proc"};
    struct congo_error e = {0};
    if (cgroup_detect(&h, &src, &e) < 0) {
        printf("# SKIP: %s\n", e.msg);
        error_clear(&e);
        return 77;
    }
    static const char *const modes[] = {"v1", "v2", "hybrid"};
    printf("# mode %s, v2 mount %s, own %s\n", modes[h.mode], h.v2_mount ? h.v2_mount : "-",
           h.v2_own ? h.v2_own : "-");
    for (size_t i = 0; i < h.n_v1; i++)
        printf("# v1 %s at %s, own %s\n", h.v1[i].controllers, h.v1[i].mount, h.v1[i].own);
    pid_t self = getpid();
    unsigned long long st = proc_starttime("/proc", self);
    check(st > 0, "proc_starttime of ourselves is %llu", st);

    test_limits(&h, self, st);
    test_oom(&h, self, st);
    test_stale(&h, self, st);
    if (h.mode == CGROUP_V2)
        test_auto_parent(&h, self, st);
    else
        printf("# SKIP v2 auto parent: this host is not cgroup v2\n");

    cgroup_host_free(&h);
    printf("# %d checks, %d failed\n", n_checks, n_failed);
    return n_failed ? 1 : 0;
}
