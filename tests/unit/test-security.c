/*
 * Capabilities, seccomp, rlimits and no_new_privileges. The arithmetic and
 * the plan's checks run in this process; everything that changes a
 * process's credentials or filter runs in a forked child, which reports
 * back over a pipe. Applying needs root: when the tests do not run as
 * root, the child becomes root of a new user namespace where it can (its
 * capabilities are then the namespace's), and the tests that switch to
 * another uid skip with the reason.
 */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plan/plan.h"
#include "profile/seccomp-file.h"
#include "runtime/security.h"
#include "util/util.h"

#include <linux/filter.h>
#include <seccomp.h>

#include "default-filter.h"

#define BIT(c) (UINT64_C(1) << (c))

/* ---- running a check in a forked child ---- */

/* A check returns NULL when it passed, "SKIP: why" to skip, or a failure message. */
typedef char *(*child_fn)(void *arg);

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return xasprintf(__VA_ARGS__);                                                         \
    } while (0)

static void run_in_child(child_fn fn, void *arg)
{
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        char *msg = fn(arg);
        if (msg) {
            ssize_t w = write(p[1], msg, strlen(msg));
            (void)w;
            _exit(strncmp(msg, "SKIP: ", 6) == 0 ? 77 : 1);
        }
        _exit(0);
    }
    close(p[1]);
    char buf[4096];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(p[0], buf + len, sizeof(buf) - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    close(p[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(status))
        fail_msg("the child was killed by signal %d (%s)", WTERMSIG(status), buf);
    if (WEXITSTATUS(status) == 77) {
        print_message("%s\n", buf);
        skip();
    }
    if (WEXITSTATUS(status) != 0)
        fail_msg("%s", len ? buf : "the child failed without a message");
}

/* A field of /proc/self/status: hex for the capability sets, decimal otherwise. */
static uint64_t status_field(const char *field)
{
    _cleanup_free_ char *text = NULL;
    size_t len;
    if (read_file_max("/proc/self/status", 1 << 20, &text, &len) < 0)
        return UINT64_MAX;
    size_t n = strlen(field);
    for (char *line = text; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            return strtoull(line + n + 1, NULL, strncmp(field, "Cap", 3) == 0 ? 16 : 10);
    }
    return UINT64_MAX;
}

static int write_text(const char *path, const char *text)
{
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    return write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
}

/* Root, or root of a new user namespace (mapped to the caller), or a reason to skip. */
static char *become_root(void)
{
    if (geteuid() == 0)
        return NULL;
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER) < 0)
        return xasprintf("SKIP: not root, and no user namespace to be root in: %s",
                         strerror(errno));
    _cleanup_free_ char *umap = xasprintf("0 %u 1", (unsigned)uid);
    _cleanup_free_ char *gmap = xasprintf("0 %u 1", (unsigned)gid);
    if (write_text("/proc/self/setgroups", "deny") < 0 ||
        write_text("/proc/self/uid_map", umap) < 0 || write_text("/proc/self/gid_map", gmap) < 0)
        return xasprintf("SKIP: cannot map root in a user namespace: %s", strerror(errno));
    return NULL;
}

static char *need_real_root(void)
{
    return geteuid() == 0 ? NULL : xstrdup("SKIP: needs root (switches to uid 65534)");
}

/*
 * The plan of p as a run builds it. p gets a root and a command when it
 * has none: the plan needs both, and these tests are about neither. NULL,
 * or the plan's errors.
 */
static char *plan_of(struct profile *p, struct run_plan *plan)
{
    if (!p->rootfs)
        p->rootfs = xstrdup("/");
    if (!p->command)
        strv_push(&p->command, xstrdup("/bin/true"));
    struct diags d = {0};
    int r = plan_build(p, plan, &d);
    char *text = r < 0 ? test_diags_text(&d) : NULL;
    diags_free(&d);
    return text;
}

static uint64_t kept_caps(struct profile *p)
{
    struct run_plan plan;
    _cleanup_free_ char *err = plan_of(p, &plan);
    if (err)
        fail_msg("plan: %s", err);
    uint64_t caps = plan.caps;
    plan_free(&plan);
    return caps;
}

/* The checks a run makes before clone: -1 with e filled when the launcher cannot grant p. */
static int prepare(struct profile *p, struct run_plan *plan, struct security_ctx *sec,
                   struct congo_error *e)
{
    _cleanup_free_ char *err = plan_of(p, plan);
    if (err)
        fail_msg("plan: %s", err);
    int r = security_prepare(plan, sec, e);
    if (r < 0)
        plan_free(plan);
    return r;
}

/*
 * Plan p, check it as the parent does, then apply what comes before the
 * user switch, as the child does; p is freed. NULL, or what failed.
 */
static char *prepare_before_user(struct profile *p, struct run_plan *plan, struct security_ctx *sec)
{
    struct congo_error e = {0};
    char *err = plan_of(p, plan);
    profile_free(p);
    if (err)
        return err;
    if (security_prepare(plan, sec, &e) < 0)
        return xasprintf("prepare: %s", e.msg);
    if (security_apply_before_user(sec, &e) < 0)
        return xasprintf("before user: %s", e.msg);
    return NULL;
}

/* Plan and apply p as uid 0: what the child of a run does, minus the mounts. */
static char *apply_as_root(struct profile *p)
{
    struct congo_error e = {0};
    struct run_plan plan;
    char *err = plan_of(p, &plan);
    if (err)
        return err;
    struct security_ctx sec;
    if (security_prepare(&plan, &sec, &e) < 0)
        return xasprintf("prepare: %s", e.msg);
    if (security_apply_before_user(&sec, &e) < 0)
        return xasprintf("before user: %s", e.msg);
    if (security_apply_after_user(&sec, 0, &e) < 0)
        return xasprintf("after user: %s", e.msg);
    if (security_load_filter(&sec, &e) < 0)
        return xasprintf("load the filter: %s", e.msg);
    plan_free(&plan);
    return NULL;
}

static long sys_keyctl_session(void)
{
    return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
}

/* ---- kept capabilities ---- */

static void test_default_caps(void **state)
{
    (void)state;
    /* podman 4's: docker's without MKNOD. */
    static const int podman[] = {CAP_CHOWN,      CAP_DAC_OVERRIDE,     CAP_FSETID,     CAP_FOWNER,
                                 CAP_NET_RAW,    CAP_SETGID,           CAP_SETUID,     CAP_SETFCAP,
                                 CAP_SETPCAP,    CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL,
                                 CAP_AUDIT_WRITE};
    uint64_t want = 0;
    for (size_t i = 0; i < ARRAY_SIZE(podman); i++)
        want |= BIT(podman[i]);
    assert_int_equal(plan_default_caps, want);
    assert_false(plan_default_caps & BIT(CAP_MKNOD));
    assert_false(plan_default_caps & BIT(CAP_SYS_ADMIN));
    assert_false(plan_default_caps & BIT(CAP_SYS_PTRACE));
    assert_false(plan_default_caps & BIT(CAP_DAC_READ_SEARCH));

    struct profile p;
    profile_init(&p);
    assert_int_equal(kept_caps(&p), plan_default_caps);
    profile_free(&p);
}

static void test_kept_add_drop(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    p.cap_add = BIT(CAP_SYS_ADMIN) | BIT(CAP_NET_ADMIN);
    assert_int_equal(kept_caps(&p),
                     plan_default_caps | BIT(CAP_SYS_ADMIN) | BIT(CAP_NET_ADMIN));
    p.cap_add = 0;
    p.cap_drop = BIT(CAP_CHOWN) | BIT(CAP_NET_RAW) | BIT(CAP_SYS_ADMIN);
    assert_int_equal(kept_caps(&p),
                     plan_default_caps & ~(BIT(CAP_CHOWN) | BIT(CAP_NET_RAW)));
    /* add and drop of different capabilities together */
    p.cap_add = BIT(CAP_SYS_PTRACE);
    p.cap_drop = BIT(CAP_SETFCAP);
    assert_int_equal(kept_caps(&p), (plan_default_caps | BIT(CAP_SYS_PTRACE)) & ~BIT(CAP_SETFCAP));
    /* MKNOD, out of the default set, comes back when added. */
    p.cap_add = BIT(CAP_MKNOD);
    p.cap_drop = 0;
    assert_int_equal(kept_caps(&p), plan_default_caps | BIT(CAP_MKNOD));
    profile_free(&p);
}

static void test_kept_drop_all(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    p.cap_drop = UINT64_MAX;
    assert_int_equal(kept_caps(&p), 0);
    /* drop ALL, add one back: the profile layer resolves the later one; a drop bit wins here */
    p.cap_drop = plan_default_caps & ~BIT(CAP_KILL);
    assert_int_equal(kept_caps(&p), BIT(CAP_KILL));
    profile_free(&p);
}

static void test_kept_limited_to_kernel(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    int last = (int)cap_max_bits() - 1;
    p.cap_add = UINT64_MAX; /* more than any kernel knows */
    uint64_t kept = kept_caps(&p);
    assert_int_equal(kept, last >= 63 ? UINT64_MAX : BIT(last + 1) - 1);
    assert_false(kept & BIT(63));
    profile_free(&p);
}

static void test_cap_add_not_held(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    /* The first capability the launcher (this test) does not hold, effective or bounding. */
    uint64_t held = status_field("CapPrm") & status_field("CapBnd");
    int missing = -1;
    for (int c = 0; c < (int)cap_max_bits() && missing < 0; c++)
        if (!(held & BIT(c)))
            missing = c;
    if (missing < 0) {
        profile_free(&p);
        print_message("the launcher holds every capability: nothing to refuse\n");
        skip();
    }
    p.cap_add = BIT(missing);
    struct run_plan plan;
    struct security_ctx sec;
    struct congo_error e = {0};
    assert_int_equal(prepare(&p, &plan, &sec, &e), -1);
    char *name = cap_to_name(missing);
    _cleanup_free_ char *upper = xstrdup(name + 4);
    cap_free(name);
    for (char *c = upper; *c; c++)
        *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    _cleanup_free_ char *want =
        xasprintf("capabilities: cannot add %s: congo-launch does not hold it itself", upper);
    if (!strstr(e.msg, want))
        fail_msg("`%s` does not contain `%s`", e.msg, want);
    error_clear(&e);

    /* ALL means all the launcher holds: no error. */
    p.cap_add = BIT(CAP_LAST_CAP + 1) - 1;
    assert_int_equal(prepare(&p, &plan, &sec, &e), 0);
    plan_free(&plan);
    profile_free(&p);
}

/* ---- seccomp ---- */

static char *check_default_filter(void *arg)
{
    (void)arg;
    char *skip_why = become_root();
    if (skip_why)
        return skip_why;
    int pfd[2];
    CHECK(pipe2(pfd, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
    char c = 'x';
    unsigned long sti_high = (unsigned long)TIOCSTI | (UINT64_C(1) << 32);

    /* Without the filter, the same calls do not fail with EPERM: the filter makes the difference.
     */
    long before = sys_keyctl_session();
    CHECK(before >= 0 || errno != EPERM, "keyctl fails with EPERM before the filter");
    CHECK(syscall(SYS_ioctl, pfd[0], sti_high, &c) < 0 && errno == ENOTTY,
          "TIOCSTI on a pipe before the filter: %s", strerror(errno));

    struct profile p;
    profile_init(&p);
    char *msg = apply_as_root(&p);
    profile_free(&p);
    if (msg)
        return msg;
    CHECK(status_field("Seccomp") == 2, "Seccomp: %llu, want 2",
          (unsigned long long)status_field("Seccomp"));

    CHECK(sys_keyctl_session() < 0 && errno == EPERM, "keyctl: %s", strerror(errno));
    /* Arguments that do nothing should the filter be missing: 0x8000 is no valid flag. */
    CHECK(syscall(SYS_kexec_load, 0, 0, NULL, 0x8000UL) < 0 && errno == EPERM, "kexec_load: %s",
          strerror(errno));
    CHECK(syscall(SYS_ioctl, pfd[0], (unsigned long)TIOCSTI, &c) < 0 && errno == EPERM,
          "ioctl TIOCSTI: %s", strerror(errno));
    CHECK(syscall(SYS_ioctl, pfd[0], sti_high, &c) < 0 && errno == EPERM,
          "ioctl TIOCSTI with bit 32 set: %s", strerror(errno));
    CHECK(syscall(SYS_ioctl, pfd[0], (unsigned long)TIOCLINUX, &c) < 0 && errno == EPERM,
          "ioctl TIOCLINUX: %s", strerror(errno));
    /* Other ioctls pass: a pipe is still not a terminal. */
    struct winsize ws;
    CHECK(ioctl(pfd[0], TIOCGWINSZ, &ws) < 0 && errno == ENOTTY, "ioctl TIOCGWINSZ: %s",
          strerror(errno));
    CHECK(syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, O_RDONLY) < 0 && errno == EPERM,
          "open_by_handle_at: %s", strerror(errno));
    CHECK(mount(NULL, "/nonexistent/congo-test", NULL, MS_REMOUNT, NULL) < 0 && errno == EPERM,
          "mount: %s", strerror(errno));
    CHECK(unshare(CLONE_NEWNS) < 0 && errno == EPERM, "unshare: %s", strerror(errno));
    CHECK(syscall(SYS_clone3, NULL, 0) < 0 && errno == ENOSYS, "clone3: %s", strerror(errno));
    long r = syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), NULL, NULL, NULL, 0);
    if (r == 0)
        _exit(0);
    CHECK(r < 0 && errno == EPERM, "clone(CLONE_NEWUSER): %ld %s", r, strerror(errno));

    /* What the init and the command need still works. */
    CHECK(getpid() > 0, "getpid");
    CHECK(write(pfd[1], "ok", 2) == 2, "write: %s", strerror(errno));
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", "exit 7", (char *)NULL);
        _exit(99);
    }
    CHECK(pid > 0, "fork under the filter: %s", strerror(errno));
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7,
          "fork+exec under the filter: status %#x", st);
    /* posix_spawn tries clone3 first: ENOSYS must make it fall back. */
    char *argv[] = {"true", NULL};
    CHECK(posix_spawn(&pid, "/bin/true", NULL, NULL, argv, NULL) == 0, "posix_spawn");
    CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "posix_spawn'd true: status %#x", st);
    CHECK(kill(getpid(), 0) == 0, "kill: %s", strerror(errno));
    return NULL;
}

static void test_default_filter(void **state)
{
    (void)state;
    run_in_child(check_default_filter, NULL);
}

static char *check_unconfined(void *arg)
{
    (void)arg;
    char *skip_why = become_root();
    if (skip_why)
        return skip_why;
    uint64_t mode = status_field("Seccomp");
    long before = sys_keyctl_session();
    int before_err = before < 0 ? errno : 0;
    struct profile p;
    profile_init(&p);
    p.seccomp = xstrdup("unconfined");
    char *msg = apply_as_root(&p);
    profile_free(&p);
    if (msg)
        return msg;
    CHECK(status_field("Seccomp") == mode, "Seccomp: %llu, was %llu",
          (unsigned long long)status_field("Seccomp"), (unsigned long long)mode);
    long after = sys_keyctl_session();
    CHECK((after < 0 ? errno : 0) == before_err, "keyctl changed: %s", strerror(errno));
    return NULL;
}

static void test_unconfined(void **state)
{
    (void)state;
    run_in_child(check_unconfined, NULL);
}

static char *check_seccomp_file(void *path)
{
    char *skip_why = become_root();
    if (skip_why)
        return skip_why;
    /* As a profile naming the file holds it: its path, and its rules as read. */
    struct profile p;
    profile_init(&p);
    p.seccomp = xstrdup(path);
    p.seccomp_rules = xcalloc(1, sizeof(*p.seccomp_rules));
    struct diags d = {0};
    CHECK(seccomp_rules_read(path, p.seccomp_rules, &d) == 0, "read %s", (char *)path);
    diags_free(&d);
    char *msg = apply_as_root(&p);
    profile_free(&p);
    if (msg)
        return msg;
    CHECK(syscall(SYS_getppid) < 0 && errno == ENOSYS, "getppid: %s", strerror(errno));
    CHECK(syscall(SYS_acct, NULL) < 0 && errno == EPERM, "acct: %s", strerror(errno));
    /* Not in this file, so not denied: the file replaces the default list. */
    int pfd[2];
    CHECK(pipe2(pfd, O_CLOEXEC) == 0, "pipe");
    char c = 'x';
    CHECK(ioctl(pfd[0], TIOCSTI, &c) < 0 && errno == ENOTTY, "TIOCSTI: %s", strerror(errno));
    CHECK(sys_keyctl_session() >= 0 || errno != EPERM, "keyctl is denied");
    return NULL;
}

static void test_seccomp_file_applied(void **state)
{
    (void)state;
    _cleanup_free_ char *dir = test_tmpdir();
    _cleanup_free_ char *path = test_write(dir, "filter", "getppid ENOSYS\nacct\n");
    run_in_child(check_seccomp_file, path);
    test_rmrf(dir);
}

/* A seccomp file with mistakes: the profile that names it is refused, every error located in the file. */
static void test_seccomp_file_errors(void **state)
{
    (void)state;
    _cleanup_free_ char *dir = test_tmpdir();
    _cleanup_free_ char *path = test_write(dir, "bad", "keyctl\nfrobnicate\nbar\n");
    _cleanup_free_ char *text = xasprintf("rootfs: /\ncommand: [/bin/true]\nseccomp: %s\n", path);
    _cleanup_free_ char *profile = test_write(dir, "p.yaml", text);
    struct profile p;
    struct diags d = {0};
    assert_int_equal(test_load_file(&p, profile, &d), -1);
    const struct diag *g = test_find_diag(&d, "unknown system call `frobnicate`");
    assert_non_null(g);
    assert_string_equal(g->file, path);
    assert_int_equal(g->line, 2);
    profile_free(&p);
    diags_free(&d);

    _cleanup_free_ char *missing = xasprintf("%s/missing", dir);
    _cleanup_free_ char *text2 = xasprintf("rootfs: /\ncommand: [/bin/true]\nseccomp: %s\n", missing);
    _cleanup_free_ char *profile2 = test_write(dir, "q.yaml", text2);
    assert_int_equal(test_load_file(&p, profile2, &d), -1);
    assert_non_null(test_find_diag(&d, "No such file or directory"));
    profile_free(&p);
    diags_free(&d);
    test_rmrf(dir);
}

/*
 * The command's side of an execve: a shell that exits 0 when its
 * capability sets are want (hex, as /proc shows them) and it runs under a
 * filter, else 1. Never returns.
 */
static _Noreturn void exec_and_check_caps(uint64_t want)
{
    _cleanup_free_ char *script =
        xasprintf("grep -qx 'CapEff:[[:space:]]*%016llx' /proc/self/status && "
                  "grep -qx 'CapPrm:[[:space:]]*%016llx' /proc/self/status && "
                  "grep -qx 'Seccomp:[[:space:]]*2' /proc/self/status",
                  (unsigned long long)want, (unsigned long long)want);
    char *argv[] = {"/bin/sh", "-c", script, NULL};
    char *envp[] = {"PATH=/usr/bin:/bin", NULL};
    execve(argv[0], argv, envp);
    _exit(127);
}

/* The default profile without no_new_privileges, up to the user switch; *kept, the set root keeps.
 */
static char *prepare_nnp_false(struct run_plan *plan, struct security_ctx *sec, uint64_t *kept)
{
    struct profile p;
    profile_init(&p);
    p.no_new_privileges = false;
    if (kept)
        *kept = kept_caps(&p) & status_field("CapBnd") & status_field("CapPrm");
    return prepare_before_user(&p, plan, sec);
}

/*
 * Without no_new_privileges the filter needs CAP_SYS_ADMIN to load: it is
 * kept until the filter is in, the last step, and the execve drops it.
 */
static char *check_nnp_false(void *arg)
{
    (void)arg;
    char *skip_why = become_root();
    if (skip_why)
        return skip_why;
    uint64_t want = 0;
    struct congo_error e = {0};
    struct run_plan plan;
    struct security_ctx sec;
    char *err = prepare_nnp_false(&plan, &sec, &want);
    if (err)
        return err;
    CHECK(security_apply_after_user(&sec, 0, &e) == 0, "after user: %s", e.msg);
    /* Nothing of congo's own set-up runs under the filter: it is not there yet. */
    CHECK(status_field("Seccomp") == 0, "Seccomp %llu before security_load_filter",
          (unsigned long long)status_field("Seccomp"));
    CHECK(status_field("CapEff") == (want | BIT(CAP_SYS_ADMIN)),
          "CapEff %#llx before the filter, want the kept set %#llx and CAP_SYS_ADMIN",
          (unsigned long long)status_field("CapEff"), (unsigned long long)want);
    CHECK(security_load_filter(&sec, &e) == 0, "load the filter: %s", e.msg);
    plan_free(&plan);
    CHECK(status_field("NoNewPrivs") == 0, "NoNewPrivs is set");
    CHECK(sys_keyctl_session() < 0 && errno == EPERM, "keyctl: %s", strerror(errno));
    exec_and_check_caps(want);
}

static void test_nnp_false(void **state)
{
    (void)state;
    run_in_child(check_nnp_false, NULL);
}

/* The same for another user: only CAP_SYS_ADMIN crosses the switch, and not the execve. */
static char *check_nnp_false_user(void *arg)
{
    (void)arg;
    char *skip_why = need_real_root();
    if (skip_why)
        return skip_why;
    struct congo_error e = {0};
    struct run_plan plan;
    struct security_ctx sec;
    char *err = prepare_nnp_false(&plan, &sec, NULL);
    if (err)
        return err;
    CHECK(setgroups(0, NULL) == 0 && setgid(65534) == 0 && setuid(65534) == 0, "setuid: %s",
          strerror(errno));
    CHECK(security_apply_after_user(&sec, 65534, &e) == 0, "after user: %s", e.msg);
    CHECK(status_field("CapEff") == BIT(CAP_SYS_ADMIN) &&
              status_field("CapPrm") == BIT(CAP_SYS_ADMIN),
          "CapEff %#llx, CapPrm %#llx before the filter: want CAP_SYS_ADMIN alone",
          (unsigned long long)status_field("CapEff"), (unsigned long long)status_field("CapPrm"));
    CHECK(security_load_filter(&sec, &e) == 0, "load the filter: %s", e.msg);
    plan_free(&plan);
    exec_and_check_caps(0);
}

static void test_nnp_false_user(void **state)
{
    (void)state;
    run_in_child(check_nnp_false_user, NULL);
}

/* ---- rlimits ---- */

static char *check_rlimits(void *arg)
{
    (void)arg;
    char *skip_why = become_root();
    if (skip_why)
        return skip_why;
    struct rlimit nofile, core;
    CHECK(getrlimit(RLIMIT_NOFILE, &nofile) == 0 && getrlimit(RLIMIT_CORE, &core) == 0,
          "getrlimit");
    struct profile p;
    profile_init(&p);
    p.n_rlimits = 2;
    p.rlimits = xcalloc(2, sizeof(*p.rlimits));
    p.rlimits[0] =
        (struct profile_rlimit){.resource = RLIMIT_NOFILE, .soft = 64, .hard = nofile.rlim_max};
    p.rlimits[1] = (struct profile_rlimit){.resource = RLIMIT_CORE, .soft = 0, .hard = 0};
    char *msg = apply_as_root(&p);
    profile_free(&p);
    if (msg)
        return msg;
    struct rlimit now;
    CHECK(getrlimit(RLIMIT_NOFILE, &now) == 0 && now.rlim_cur == 64 &&
              now.rlim_max == nofile.rlim_max,
          "nofile is %llu:%llu", (unsigned long long)now.rlim_cur,
          (unsigned long long)now.rlim_max);
    CHECK(getrlimit(RLIMIT_CORE, &now) == 0 && now.rlim_cur == 0 && now.rlim_max == 0,
          "core is %llu:%llu", (unsigned long long)now.rlim_cur, (unsigned long long)now.rlim_max);
    /* And the limit holds: fd 64 cannot be opened. */
    CHECK(fcntl(0, F_DUPFD_CLOEXEC, 64) < 0 && errno == EINVAL, "dup to fd 64: %s",
          strerror(errno));
    return NULL;
}

static void test_rlimits_applied(void **state)
{
    (void)state;
    run_in_child(check_rlimits, NULL);
}

static void test_rlimit_over_nr_open(void **state)
{
    (void)state;
    _cleanup_free_ char *text = NULL;
    size_t len;
    assert_int_equal(read_file_max("/proc/sys/fs/nr_open", 64, &text, &len), 0);
    unsigned long long nr_open = strtoull(text, NULL, 10);
    struct profile p;
    profile_init(&p);
    p.n_rlimits = 1;
    p.rlimits = xcalloc(1, sizeof(*p.rlimits));
    p.rlimits[0] =
        (struct profile_rlimit){.resource = RLIMIT_NOFILE, .soft = 64, .hard = nr_open + 1};
    struct run_plan plan;
    struct security_ctx sec;
    struct congo_error e = {0};
    assert_int_equal(prepare(&p, &plan, &sec, &e), -1);
    _cleanup_free_ char *want = xasprintf(
        "rlimits.nofile: the hard limit %llu exceeds fs.nr_open (%llu)", nr_open + 1, nr_open);
    if (!strstr(e.msg, want))
        fail_msg("`%s` does not contain `%s`", e.msg, want);
    error_clear(&e);
    p.rlimits[0].hard = RLIM_INFINITY;
    assert_int_equal(prepare(&p, &plan, &sec, &e), -1);
    assert_non_null(strstr(e.msg, "the hard limit unlimited exceeds fs.nr_open"));
    error_clear(&e);
    p.rlimits[0].soft = 100;
    p.rlimits[0].hard = 50;
    assert_int_equal(prepare(&p, &plan, &sec, &e), -1);
    assert_string_equal(e.msg, "rlimits.nofile: the soft limit exceeds the hard limit");
    error_clear(&e);
    profile_free(&p);
}

static void test_rlimit_raise_without_sys_resource(void **state)
{
    (void)state;
    if (status_field("CapEff") & BIT(CAP_SYS_RESOURCE)) {
        print_message("the launcher holds CAP_SYS_RESOURCE: raising a hard limit is allowed\n");
        skip();
    }
    struct rlimit now;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &now), 0);
    struct profile p;
    profile_init(&p);
    p.n_rlimits = 1;
    p.rlimits = xcalloc(1, sizeof(*p.rlimits));
    p.rlimits[0] =
        (struct profile_rlimit){.resource = RLIMIT_NOFILE, .soft = 64, .hard = now.rlim_max + 1};
    struct run_plan plan;
    struct security_ctx sec;
    struct congo_error e = {0};
    assert_int_equal(prepare(&p, &plan, &sec, &e), -1);
    _cleanup_free_ char *want = xasprintf(
        "rlimits.nofile: the hard limit %llu exceeds congo-launch's own (%llu), and raising it "
        "needs CAP_SYS_RESOURCE",
        (unsigned long long)now.rlim_max + 1, (unsigned long long)now.rlim_max);
    if (!strstr(e.msg, want))
        fail_msg("`%s` does not contain `%s`", e.msg, want);
    error_clear(&e);
    profile_free(&p);
}

/* ---- capabilities applied ---- */

struct caps_case {
    uint64_t add, drop;
};

static char *check_caps_as_root(void *arg)
{
    const struct caps_case *cc = arg;
    char *skip_why = become_root();
    if (skip_why)
        return skip_why;
    struct profile p;
    profile_init(&p);
    p.cap_add = cc->add;
    p.cap_drop = cc->drop;
    /* What can be kept: the kept set, as far as this process (the launcher) holds it. */
    uint64_t want = kept_caps(&p) & status_field("CapBnd") & status_field("CapPrm");
    /* Start from inherited inheritable and ambient capabilities, as a caller could leave them. */
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct d[2];
    CHECK(capget(&h, d) == 0, "capget: %s", strerror(errno));
    d[0].inheritable |= (uint32_t)BIT(CAP_NET_ADMIN);
    CHECK(capset(&h, d) == 0, "capset: %s", strerror(errno));
    CHECK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN, 0, 0) == 0,
          "raise an ambient capability: %s", strerror(errno));
    CHECK(status_field("CapAmb") == BIT(CAP_NET_ADMIN), "CapAmb not raised");
    struct congo_error e = {0};
    struct run_plan plan;
    struct security_ctx sec;
    char *err = prepare_before_user(&p, &plan, &sec);
    if (err)
        return err;
    /* Already before the user switch: a non-root user would inherit them across execve. */
    CHECK(status_field("CapInh") == 0, "CapInh %#llx before the user switch",
          (unsigned long long)status_field("CapInh"));
    CHECK(status_field("CapAmb") == 0, "CapAmb %#llx before the user switch",
          (unsigned long long)status_field("CapAmb"));
    CHECK(status_field("CapBnd") == want, "CapBnd %#llx before the user switch",
          (unsigned long long)status_field("CapBnd"));
    CHECK(security_apply_after_user(&sec, 0, &e) == 0, "after user: %s", e.msg);
    CHECK(security_load_filter(&sec, &e) == 0, "load the filter: %s", e.msg);
    plan_free(&plan);
    static const char *const fields[] = {"CapEff", "CapPrm", "CapBnd"};
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
        CHECK(status_field(fields[i]) == want, "%s %#llx, want %#llx", fields[i],
              (unsigned long long)status_field(fields[i]), (unsigned long long)want);
    CHECK(status_field("CapInh") == 0, "CapInh %#llx", (unsigned long long)status_field("CapInh"));
    CHECK(status_field("CapAmb") == 0, "CapAmb %#llx", (unsigned long long)status_field("CapAmb"));
    CHECK(status_field("NoNewPrivs") == 1, "NoNewPrivs is not set");
    CHECK(status_field("Seccomp") == 2, "no seccomp filter");
    return NULL;
}

static void test_caps_default_as_root(void **state)
{
    (void)state;
    struct caps_case cc = {0};
    run_in_child(check_caps_as_root, &cc);
}

static void test_caps_add_drop_as_root(void **state)
{
    (void)state;
    struct caps_case cc = {.add = BIT(CAP_NET_ADMIN) | BIT(CAP_SYS_PTRACE), .drop = BIT(CAP_CHOWN)};
    run_in_child(check_caps_as_root, &cc);
}

static void test_caps_drop_all_as_root(void **state)
{
    (void)state;
    struct caps_case cc = {.drop = UINT64_MAX};
    run_in_child(check_caps_as_root, &cc);
}

static char *check_user_switch(void *arg)
{
    bool keepcaps = arg != NULL;
    char *skip_why = need_real_root();
    if (skip_why)
        return skip_why;
    struct profile p;
    profile_init(&p);
    struct congo_error e = {0};
    struct run_plan plan;
    struct security_ctx sec;
    char *err = prepare_before_user(&p, &plan, &sec);
    if (err)
        return err;
    /* A bug (or a hostile library) that keeps capabilities across setuid. */
    if (keepcaps)
        CHECK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0, "PR_SET_KEEPCAPS");
    CHECK(setgroups(0, NULL) == 0 && setgid(65534) == 0 && setuid(65534) == 0, "setuid: %s",
          strerror(errno));
    int r = security_apply_after_user(&sec, 65534, &e);
    if (r == 0)
        r = security_load_filter(&sec, &e);
    plan_free(&plan);
    if (keepcaps) {
        CHECK(r < 0, "capabilities kept across setuid were accepted");
        CHECK(strstr(e.msg, "capabilities: the switch to uid 65534 left") &&
                  strstr(e.msg, "a user switch must leave no capability"),
              "message: %s", e.msg);
        return NULL;
    }
    CHECK(r == 0, "after user: %s", e.msg);
    static const char *const fields[] = {"CapEff", "CapPrm", "CapInh", "CapAmb"};
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
        CHECK(status_field(fields[i]) == 0, "%s %#llx", fields[i],
              (unsigned long long)status_field(fields[i]));
    CHECK(status_field("NoNewPrivs") == 1, "NoNewPrivs is not set");
    CHECK(status_field("Seccomp") == 2, "no seccomp filter");
    return NULL;
}

static void test_user_switch_leaves_nothing(void **state)
{
    (void)state;
    run_in_child(check_user_switch, NULL);
}

static void test_user_switch_keepcaps_refused(void **state)
{
    (void)state;
    run_in_child(check_user_switch, "keepcaps");
}

/* ---- ambient capabilities ---- */

#define AMBIENT (BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_CHOWN))

/*
 * The ambient set raised, as root (arg NULL) or after a switch to uid
 * 65534: inheritable and ambient hold it; another uid holds nothing else.
 */
static char *check_ambient(void *arg)
{
    uid_t uid = arg ? 65534 : 0;
    char *skip_why = uid ? need_real_root() : become_root();
    if (skip_why)
        return skip_why;
    struct profile p;
    profile_init(&p);
    p.cap_ambient = AMBIENT;
    uint64_t kept = kept_caps(&p) & status_field("CapBnd") & status_field("CapPrm");
    struct congo_error e = {0};
    struct run_plan plan;
    struct security_ctx sec;
    char *err = prepare_before_user(&p, &plan, &sec);
    if (err)
        return err;
    if (uid)
        CHECK(setgroups(0, NULL) == 0 && setgid(uid) == 0 && setuid(uid) == 0, "setuid: %s",
              strerror(errno));
    CHECK(security_apply_after_user(&sec, uid, &e) == 0, "after user: %s", e.msg);
    plan_free(&plan);
    uint64_t want = uid ? AMBIENT : kept;
    CHECK(status_field("CapEff") == want && status_field("CapPrm") == want,
          "CapEff %#llx, CapPrm %#llx, want %#llx", (unsigned long long)status_field("CapEff"),
          (unsigned long long)status_field("CapPrm"), (unsigned long long)want);
    CHECK(status_field("CapInh") == AMBIENT, "CapInh %#llx",
          (unsigned long long)status_field("CapInh"));
    CHECK(status_field("CapAmb") == AMBIENT, "CapAmb %#llx",
          (unsigned long long)status_field("CapAmb"));
    /* The switch kept the permitted set for this; nothing may keep doing so. */
    CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0, "PR_SET_KEEPCAPS is still set");
    CHECK(status_field("NoNewPrivs") == 1, "NoNewPrivs is not set");
    return NULL;
}

static void test_ambient_as_root(void **state)
{
    (void)state;
    run_in_child(check_ambient, NULL);
}

static void test_ambient_as_other_user(void **state)
{
    (void)state;
    run_in_child(check_ambient, "nobody");
}

/* An ambient capability the launcher lacks (KILL, dropped from its bounding set) is refused. */
static char *check_ambient_not_held(void *arg)
{
    (void)arg;
    char *skip_why = become_root();
    if (skip_why)
        return skip_why;
    CHECK(prctl(PR_CAPBSET_DROP, CAP_KILL, 0, 0, 0) == 0, "drop KILL: %s", strerror(errno));
    struct profile p;
    profile_init(&p);
    p.cap_ambient = BIT(CAP_KILL) | BIT(CAP_CHOWN);
    struct run_plan plan;
    _cleanup_free_ char *err = plan_of(&p, &plan);
    CHECK(!err, "plan: %s", err);
    struct security_ctx sec;
    struct congo_error e = {0};
    CHECK(security_prepare(&plan, &sec, &e) < 0, "an ambient KILL the launcher lacks was accepted");
    CHECK(strcmp(e.msg, "capabilities.ambient: cannot raise KILL: congo-launch does not hold it "
                        "itself") == 0,
          "message: %s", e.msg);
    plan_free(&plan);
    profile_free(&p);
    return NULL;
}

static void test_ambient_not_held(void **state)
{
    (void)state;
    run_in_child(check_ambient_not_held, NULL);
}

/* ---- the process: oom_score_adj and umask ---- */

static int own_oom_score_adj(void)
{
    _cleanup_free_ char *text = NULL;
    size_t len;
    if (read_file_max("/proc/self/oom_score_adj", 16, &text, &len) < 0)
        return INT32_MIN;
    return atoi(text);
}

/*
 * Before the user switch: oom_score_adj raised (always allowed) when set
 * (arg not NULL), else the launcher's kept; the umask the profile's, or
 * 0022, never the caller's.
 */
static char *check_oom_umask(void *arg)
{
    bool set = arg != NULL;
    char *skip_why = become_root();
    if (skip_why)
        return skip_why;
    int own = own_oom_score_adj();
    int want = !set ? own : own <= 900 ? own + 100 : 1000;
    mode_t want_mask = set ? 0027 : 0022;
    umask(0077);
    struct profile p;
    profile_init(&p);
    if (set) {
        p.oom_score_adj = want;
        p.umask = want_mask;
    }
    struct run_plan plan;
    struct security_ctx sec;
    char *err = prepare_before_user(&p, &plan, &sec);
    if (err)
        return err;
    plan_free(&plan);
    CHECK(own_oom_score_adj() == want, "oom_score_adj %d, want %d (was %d)", own_oom_score_adj(),
          want, own);
    mode_t mask = umask(0);
    CHECK(mask == want_mask, "umask %04o, want %04o (the caller's was 0077)", (unsigned)mask,
          (unsigned)want_mask);
    return NULL;
}

static void test_oom_score_adj_and_umask(void **state)
{
    (void)state;
    run_in_child(check_oom_umask, "set");
}

static void test_oom_score_adj_unset(void **state)
{
    (void)state;
    run_in_child(check_oom_umask, NULL);
}

/* Lowering it needs CAP_SYS_RESOURCE: without it, an error that names the key and says so. */
static char *check_oom_lowered(void *arg)
{
    (void)arg;
    if (status_field("CapEff") & BIT(CAP_SYS_RESOURCE))
        return xstrdup("SKIP: the launcher holds CAP_SYS_RESOURCE: lowering is allowed");
    int own = own_oom_score_adj();
    if (own == -1000)
        return xstrdup("SKIP: oom_score_adj is -1000 already: nothing is lower");
    char *skip_why = become_root();
    if (skip_why)
        return skip_why;
    struct profile p;
    profile_init(&p);
    p.oom_score_adj = -1000;
    struct run_plan plan;
    _cleanup_free_ char *err = plan_of(&p, &plan);
    CHECK(!err, "plan: %s", err);
    struct security_ctx sec;
    struct congo_error e = {0};
    CHECK(security_prepare(&plan, &sec, &e) == 0, "prepare: %s", e.msg);
    CHECK(security_apply_before_user(&sec, &e) < 0, "oom_score_adj -1000 was written");
    _cleanup_free_ char *want = xasprintf(
        "oom_score_adj: cannot set -1000: lowering it below congo-launch's own (%d) needs "
        "CAP_SYS_RESOURCE, which congo-launch does not hold",
        own);
    CHECK(strcmp(e.msg, want) == 0, "message: %s", e.msg);
    CHECK(own_oom_score_adj() == own, "oom_score_adj %d, was %d", own_oom_score_adj(), own);
    plan_free(&plan);
    profile_free(&p);
    return NULL;
}

static void test_oom_score_adj_lowered(void **state)
{
    (void)state;
    run_in_child(check_oom_lowered, NULL);
}

/* The filter compiled at build time is the one libseccomp compiles now, instruction for instruction. */
static void test_prebuilt_default_filter(void **state)
{
    (void)state;
    struct sock_filter *insns = NULL;
    unsigned short len = 0;
    struct diags d = {0};
    assert_int_equal(plan_default_filter(&insns, &len, &d), 0);
    assert_int_equal(CONGO_DEFAULT_FILTER_ARCH, seccomp_arch_native());
    assert_int_equal(len, ARRAY_SIZE(congo_default_filter));
    assert_memory_equal(insns, congo_default_filter, len * sizeof(*insns));
    free(insns);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prebuilt_default_filter),
        cmocka_unit_test(test_default_caps),
        cmocka_unit_test(test_kept_add_drop),
        cmocka_unit_test(test_kept_drop_all),
        cmocka_unit_test(test_kept_limited_to_kernel),
        cmocka_unit_test(test_cap_add_not_held),
        cmocka_unit_test(test_default_filter),
        cmocka_unit_test(test_unconfined),
        cmocka_unit_test(test_seccomp_file_applied),
        cmocka_unit_test(test_seccomp_file_errors),
        cmocka_unit_test(test_nnp_false),
        cmocka_unit_test(test_nnp_false_user),
        cmocka_unit_test(test_rlimits_applied),
        cmocka_unit_test(test_rlimit_over_nr_open),
        cmocka_unit_test(test_rlimit_raise_without_sys_resource),
        cmocka_unit_test(test_caps_default_as_root),
        cmocka_unit_test(test_caps_add_drop_as_root),
        cmocka_unit_test(test_caps_drop_all_as_root),
        cmocka_unit_test(test_user_switch_leaves_nothing),
        cmocka_unit_test(test_user_switch_keepcaps_refused),
        cmocka_unit_test(test_ambient_as_root),
        cmocka_unit_test(test_ambient_as_other_user),
        cmocka_unit_test(test_ambient_not_held),
        cmocka_unit_test(test_oom_score_adj_and_umask),
        cmocka_unit_test(test_oom_score_adj_unset),
        cmocka_unit_test(test_oom_score_adj_lowered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
