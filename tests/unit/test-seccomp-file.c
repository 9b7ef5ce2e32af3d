/*
 * The seccomp deny-lists: the built-in default and the file format, every
 * error located at FILE:LINE:COL. Nothing here loads a filter.
 */
#include "helpers.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "profile/seccomp-file.h"
#include "util/util.h"

static int nr(const char *name)
{
    int n = seccomp_syscall_resolve_name(name);
    if (n == __NR_SCMP_ERROR)
        fail_msg("libseccomp does not know `%s`", name);
    return n;
}

/* The rule for syscall (and argument), or NULL. */
static const struct seccomp_rule *find(const struct seccomp_rules *r, const char *name,
                                       bool has_arg, uint64_t arg)
{
    int n = nr(name);
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].syscall == n && r->v[i].has_arg == has_arg && (!has_arg || r->v[i].arg1 == arg))
            return &r->v[i];
    return NULL;
}

static void assert_denied(const struct seccomp_rules *r, const char *name, int err)
{
    const struct seccomp_rule *rule = find(r, name, false, 0);
    if (!rule)
        fail_msg("`%s` is not denied", name);
    if (rule->err != err)
        fail_msg("`%s` returns %s, want %s", name, strerror(rule->err), strerror(err));
}

static void assert_not_denied(const struct seccomp_rules *r, const char *name)
{
    int n = nr(name);
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].syscall == n)
            fail_msg("`%s` has a rule", name);
}

/* Each test gets a scratch directory. */
static int setup(void **state)
{
    *state = test_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    test_rmrf(*state);
    free(*state);
    return 0;
}

static void test_default_contents(void **state)
{
    (void)state;
    struct seccomp_rules r = {0};
    seccomp_rules_default(&r);
    static const char *const eperm[] = {
        "kexec_load",
        "kexec_file_load",
        "open_by_handle_at",
        "name_to_handle_at",
        "keyctl",
        "add_key",
        "request_key",
        "mount",
        "umount2",
        "move_mount",
        "open_tree",
        "fsopen",
        "fsconfig",
        "fsmount",
        "fspick",
        "mount_setattr",
        "pivot_root",
        "swapon",
        "swapoff",
        "reboot",
        "init_module",
        "finit_module",
        "delete_module",
        "bpf",
        "perf_event_open",
        "acct",
        "settimeofday",
        "clock_settime",
        "clock_adjtime",
        "adjtimex",
        "syslog",
        "userfaultfd",
        "lookup_dcookie",
        "quotactl",
        "quotactl_fd",
        "iopl",
        "ioperm",
        "uselib",
        "unshare",
        "setns",
        "ptrace",
        "create_module",
        "get_kernel_syms",
        "query_module",
        "nfsservctl",
        "_sysctl",
        "vm86",
        "vm86old",
        "io_uring_setup",
        "process_vm_writev",
    };
    for (size_t i = 0; i < ARRAY_SIZE(eperm); i++)
        assert_denied(&r, eperm[i], EPERM);
    /* clone3's flags are out of seccomp's sight: ENOSYS makes libc fall back to clone. */
    assert_denied(&r, "clone3", ENOSYS);
    static const uint64_t ns[] = {CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,   CLONE_NEWUSER,
                                  CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP};
    for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
        const struct seccomp_rule *rule = find(&r, "clone", true, ns[i]);
        assert_non_null(rule);
        assert_int_equal(rule->err, EPERM);
    }
    /* clone itself must stay: fork is clone without namespace flags. */
    assert_null(find(&r, "clone", false, 0));
    assert_non_null(find(&r, "ioctl", true, TIOCSTI));
    assert_non_null(find(&r, "ioctl", true, TIOCLINUX));
    assert_null(find(&r, "ioctl", false, 0));
    /* What the init and the exec need, and what ordinary programs use. */
    static const char *const allowed[] = {"execve",         "wait4",      "kill",  "rt_sigaction",
                                          "rt_sigprocmask", "exit_group", "prctl", "personality",
                                          "chroot",         "getpid",     "write"};
    for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
        assert_not_denied(&r, allowed[i]);
    seccomp_rules_free(&r);
    assert_null(r.v);
    assert_int_equal(r.n, 0);
}

static void test_comments_and_blank_lines(void **state)
{
    _cleanup_free_ char *path = test_write(*state, "comments",
                                           "# a deny-list\n"
                                           "\n"
                                           "   \n"
                                           "\t# indented comment\n"
                                           "keyctl   # trailing comment\n"
                                           "  ptrace\tENOSYS  \n"
                                           "#ioctl nonsense that is commented out\n"
                                           "acct EACCES"); /* no final newline */
    struct seccomp_rules r = {0};
    struct diags d = {0};
    assert_int_equal(seccomp_rules_read(path, &r, &d), 0);
    assert_int_equal(d.n, 0);
    assert_int_equal(r.n, 3);
    assert_denied(&r, "keyctl", EPERM);
    assert_denied(&r, "ptrace", ENOSYS);
    assert_denied(&r, "acct", EACCES);
    seccomp_rules_free(&r);
    diags_free(&d);
}

static void test_empty_file(void **state)
{
    _cleanup_free_ char *path = test_write(*state, "empty", "");
    struct seccomp_rules r = {0};
    struct diags d = {0};
    assert_int_equal(seccomp_rules_read(path, &r, &d), 0);
    assert_int_equal(d.n, 0);
    assert_int_equal(r.n, 0);
    diags_free(&d);
}

static void test_crlf(void **state)
{
    _cleanup_free_ char *path = test_write(*state, "crlf", "keyctl\r\nptrace ENOSYS\r\n");
    struct seccomp_rules r = {0};
    struct diags d = {0};
    assert_int_equal(seccomp_rules_read(path, &r, &d), 0);
    assert_int_equal(r.n, 2);
    assert_denied(&r, "ptrace", ENOSYS);
    seccomp_rules_free(&r);
    diags_free(&d);
}

static void test_default_inclusion(void **state)
{
    struct seccomp_rules def = {0};
    seccomp_rules_default(&def);
    /* A later rule for the same call replaces the errno, in place. */
    _cleanup_free_ char *path = test_write(*state, "inc",
                                           "@default\n"
                                           "ptrace ENOSYS\n"
                                           "personality\n"
                                           "@default\n"); /* twice is harmless */
    struct seccomp_rules r = {0};
    struct diags d = {0};
    assert_int_equal(seccomp_rules_read(path, &r, &d), 0);
    assert_int_equal(d.n, 0);
    assert_int_equal(r.n, def.n + 1);
    assert_denied(&r, "keyctl", EPERM);
    assert_denied(&r, "clone3", ENOSYS);
    assert_denied(&r, "personality", EPERM);
    /* The second @default put EPERM back: later wins. */
    assert_denied(&r, "ptrace", EPERM);
    assert_non_null(find(&r, "ioctl", true, TIOCSTI));
    seccomp_rules_free(&r);
    seccomp_rules_free(&def);
    diags_free(&d);
}

static void test_ioctl_rules(void **state)
{
    _cleanup_free_ char *path = test_write(*state, "ioctl",
                                           "ioctl TIOCSTI\n"
                                           "ioctl 0x5413 EACCES\n"
                                           "ioctl 21524\n"
                                           "ioctl TIOCSETD ENOTTY\n"
                                           "ioctl 0XFFFFFFFF\n");
    struct seccomp_rules r = {0};
    struct diags d = {0};
    assert_int_equal(seccomp_rules_read(path, &r, &d), 0);
    assert_int_equal(d.n, 0);
    assert_int_equal(r.n, 5);
    const struct seccomp_rule *sti = find(&r, "ioctl", true, TIOCSTI);
    assert_non_null(sti);
    assert_int_equal(sti->err, EPERM);
    assert_int_equal(find(&r, "ioctl", true, 0x5413)->err, EACCES);
    assert_non_null(find(&r, "ioctl", true, 21524));
    assert_int_equal(find(&r, "ioctl", true, TIOCSETD)->err, ENOTTY);
    assert_non_null(find(&r, "ioctl", true, 0xffffffff));
    seccomp_rules_free(&r);
    diags_free(&d);
}

/* The diagnostic at line, or a failure that shows them all. */
static const struct diag *at_line(const struct diags *d, int line)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].line == line)
            return &d->v[i];
    _cleanup_free_ char *all = test_diags_text(d);
    fail_msg("no error at line %d; got:\n%s", line, all);
    return NULL;
}

static void assert_diag(const struct diags *d, const char *path, int line, int col,
                        const char *text)
{
    const struct diag *g = at_line(d, line);
    assert_int_equal(g->level, DIAG_ERROR);
    assert_string_equal(g->file, path);
    assert_null(g->key);
    if (!strstr(g->msg, text))
        fail_msg("line %d: `%s` does not contain `%s`", line, g->msg, text);
    assert_int_equal(g->col, col);
}

static void test_errors_located(void **state)
{
    _cleanup_free_ char *path = test_write(*state, "bad",
                                           "# every line below but the comments is wrong\n"
                                           "foo\n"                /* 2 */
                                           "keyctl EFOO\n"        /* 3 */
                                           "ioctl\n"              /* 4 */
                                           "  ioctl TIOCFOO\n"    /* 5 */
                                           "@x\n"                 /* 6 */
                                           "# fine\n"             /* 7 */
                                           "keyctl EPERM extra\n" /* 8 */
                                           "wait4\n"              /* 9 */
                                           "ioctl 0x100005412\n"  /* 10 */
                                           "@default now\n"       /* 11 */
                                           "keyct\n"              /* 12 */
                                           "acct CLONE_NEWUSER\n" /* 13 */
                                           "ioctl EPERM\n"        /* 14 */
                                           "ioctl 12abc\n"        /* 15 */
                                           "clone\n"              /* 16 */
                                           "acct\n");             /* 17: fine */
    struct seccomp_rules r = {0};
    seccomp_rules_default(&r);
    struct seccomp_rules before = {0};
    seccomp_rules_default(&before);
    struct diags d = {0};
    assert_int_equal(seccomp_rules_read(path, &r, &d), -1);
    assert_int_equal(d.n_errors, 14);
    assert_diag(&d, path, 2, 1, "unknown system call `foo`");
    assert_diag(&d, path, 3, 8, "unknown errno `EFOO`");
    assert_diag(&d, path, 4, 1, "`ioctl` takes a request name or number");
    assert_diag(&d, path, 5, 9, "`ioctl` takes a request name or number, found `TIOCFOO`");
    assert_diag(&d, path, 6, 1, "unknown directive `@x`");
    assert_diag(&d, path, 8, 14, "unexpected `extra`");
    assert_diag(&d, path, 9, 1, "`wait4` cannot be denied");
    assert_diag(&d, path, 10, 7, "ioctl request `0x100005412` does not fit in 32 bits");
    assert_diag(&d, path, 11, 10, "`@default` takes no argument");
    assert_diag(&d, path, 12, 1, "unknown system call `keyct` (did you mean `keyctl`?)");
    assert_diag(&d, path, 13, 6, "unknown errno `CLONE_NEWUSER` (only `ioctl` takes an argument)");
    assert_diag(&d, path, 14, 7, "`ioctl` takes a request name or number, found `EPERM`");
    assert_diag(&d, path, 15, 7, "`ioctl` takes a request name or number, found `12abc`");
    assert_diag(&d, path, 16, 1,
                "`clone` cannot be denied: congo's init and the start of the "
                "command need it (`@default` denies clone with namespace flags");
    /* Line 1 is a comment, 17 is fine: no error there, and none at line 0. */
    for (size_t i = 0; i < d.n; i++)
        assert_true(d.v[i].line != 1 && d.v[i].line != 7 && d.v[i].line != 17 && d.v[i].line != 0);
    /* A file with errors leaves the rules as they were. */
    assert_int_equal(r.n, before.n);
    assert_memory_equal(r.v, before.v, r.n * sizeof(*r.v));
    seccomp_rules_free(&r);
    seccomp_rules_free(&before);
    diags_free(&d);
}

static void test_printed_error(void **state)
{
    _cleanup_free_ char *path = test_write(*state, "one", "\n\nfoo\n");
    struct seccomp_rules r = {0};
    struct diags d = {0};
    assert_int_equal(seccomp_rules_read(path, &r, &d), -1);
    _cleanup_free_ char *text = test_diags_text(&d);
    _cleanup_free_ char *want = xasprintf("%s:3:1: error: unknown system call `foo`", path);
    if (!strstr(text, want))
        fail_msg("printed:\n%s\nwant: %s", text, want);
    assert_int_equal(r.n, 0);
    diags_free(&d);
}

static void assert_unreadable(const char *path, const char *text)
{
    struct seccomp_rules r = {0};
    struct diags d = {0};
    assert_int_equal(seccomp_rules_read(path, &r, &d), -1);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.v[0].line, 0);
    assert_string_equal(d.v[0].file, path);
    if (!strstr(d.v[0].msg, text))
        fail_msg("`%s` does not contain `%s`", d.v[0].msg, text);
    assert_int_equal(r.n, 0);
    diags_free(&d);
}

static void test_missing_file(void **state)
{
    _cleanup_free_ char *path = xasprintf("%s/nope", (char *)*state);
    assert_unreadable(path, "cannot read: No such file or directory");
}

static void test_directory(void **state)
{
    assert_unreadable(*state, "cannot read: Is a directory");
}

static void test_too_large(void **state)
{
    /* 1 MiB of comments is fine; one byte more is refused. */
    size_t n = 1024 * 1024;
    _cleanup_free_ char *big = xmalloc(n + 2);
    memset(big, '#', n);
    big[n - 1] = '\n';
    big[n] = '\0';
    _cleanup_free_ char *ok = test_write(*state, "ok", big);
    struct seccomp_rules r = {0};
    struct diags d = {0};
    assert_int_equal(seccomp_rules_read(ok, &r, &d), 0);
    diags_free(&d);
    big[n] = '\n';
    big[n + 1] = '\0';
    _cleanup_free_ char *path = test_write(*state, "big", big);
    assert_unreadable(path, "cannot read: larger than 1 MiB");
}

static void test_nul_byte(void **state)
{
    _cleanup_free_ char *path = xasprintf("%s/nul", (char *)*state);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fwrite("keyctl\nacct\0x\n", 1, 14, f);
    fclose(f);
    struct seccomp_rules r = {0};
    struct diags d = {0};
    assert_int_equal(seccomp_rules_read(path, &r, &d), -1);
    assert_diag(&d, path, 2, 5, "a NUL byte");
    assert_int_equal(r.n, 0);
    diags_free(&d);
}

static void test_appends_to_existing(void **state)
{
    _cleanup_free_ char *path = test_write(*state, "more", "personality ENOSYS\nkeyctl EACCES\n");
    struct seccomp_rules def = {0}, r = {0};
    seccomp_rules_default(&def);
    seccomp_rules_default(&r);
    struct diags d = {0};
    assert_int_equal(seccomp_rules_read(path, &r, &d), 0);
    assert_int_equal(r.n, def.n + 1);
    assert_denied(&r, "personality", ENOSYS);
    assert_denied(&r, "keyctl", EACCES);
    seccomp_rules_free(&r);
    seccomp_rules_free(&def);
    diags_free(&d);
}

static void test_other_arch_names_accepted(void **state)
{
    /* vm86 is a 32-bit x86 call: a portable file may name it on any architecture. */
    _cleanup_free_ char *path = test_write(*state, "arch", "vm86\nvm86old\n");
    struct seccomp_rules r = {0};
    struct diags d = {0};
    assert_int_equal(seccomp_rules_read(path, &r, &d), 0);
    assert_int_equal(d.n, 0);
    assert_int_equal(r.n, 2);
    seccomp_rules_free(&r);
    diags_free(&d);
}

/* `!` takes back what the lines above denied, and only that. */
static void test_removal(void **state)
{
    struct seccomp_rules def = {0};
    seccomp_rules_default(&def);
    _cleanup_free_ char *path = test_write(*state, "take-back",
                                           "@default\n"
                                           "!mount\n"
                                           "!umount2\n"
                                           "!clone\n"
                                           "!ioctl TIOCLINUX\n"
                                           "personality\n"
                                           "!personality\n");
    struct seccomp_rules r = {0};
    struct diags d = {0};
    assert_int_equal(seccomp_rules_read(path, &r, &d), 0);
    assert_int_equal(d.n, 0);
    assert_not_denied(&r, "mount");
    assert_not_denied(&r, "umount2");
    assert_not_denied(&r, "personality");
    /* clone's namespace-flag rules are gone; clone3 stays refused, so libc falls back to clone */
    assert_null(find(&r, "clone", true, CLONE_NEWNS));
    assert_null(find(&r, "clone", true, CLONE_NEWUSER));
    assert_denied(&r, "clone3", ENOSYS);
    assert_null(find(&r, "ioctl", true, TIOCLINUX));
    assert_non_null(find(&r, "ioctl", true, TIOCSTI));
    assert_denied(&r, "keyctl", EPERM);
    assert_denied(&r, "move_mount", EPERM);
    /* 7 clone rules, 1 ioctl rule and the two calls are gone, nothing else */
    assert_int_equal(r.n, def.n - 10);
    seccomp_rules_free(&r);
    seccomp_rules_free(&def);
    diags_free(&d);
}

/* What a file took back is kept with its line, for --print-plan; denying it again forgets it. */
static void test_removal_recorded(void **state)
{
    _cleanup_free_ char *path = test_write(*state, "recorded",
                                           "@default\n"
                                           "!mount\n"          /* 2 */
                                           "# a comment\n"
                                           "!ioctl TIOCSTI\n"  /* 4 */
                                           "!umount2\n"        /* 5 */
                                           "umount2 ENOSYS\n"); /* 6: denied again */
    struct seccomp_rules r = {0};
    struct diags d = {0};
    assert_int_equal(seccomp_rules_read(path, &r, &d), 0);
    assert_int_equal(r.n_removed, 2);
    assert_int_equal(r.removed[0].rule.syscall, nr("mount"));
    assert_false(r.removed[0].rule.has_arg);
    assert_int_equal(r.removed[0].rule.err, EPERM);
    assert_int_equal(r.removed[0].line, 2);
    assert_int_equal(r.removed[1].rule.syscall, nr("ioctl"));
    assert_true(r.removed[1].rule.has_arg);
    assert_int_equal(r.removed[1].rule.arg1, TIOCSTI);
    assert_int_equal(r.removed[1].line, 4);
    assert_denied(&r, "umount2", ENOSYS);

    /* A copy is equal and owns its memory; another file is not equal. */
    struct seccomp_rules copy;
    seccomp_rules_copy(&copy, &r);
    assert_true(seccomp_rules_equal(&copy, &r));
    seccomp_rules_free(&r);
    assert_int_equal(copy.n_removed, 2);
    struct seccomp_rules def = {0};
    seccomp_rules_default(&def);
    assert_int_equal(def.n_removed, 0);
    assert_false(seccomp_rules_equal(&copy, &def));
    seccomp_rules_free(&def);
    seccomp_rules_free(&copy);
    diags_free(&d);
}

static void test_removal_errors(void **state)
{
    _cleanup_free_ char *path = test_write(*state, "bad-take-back",
                                           "keyctl\n"
                                           "!mount\n"         /* 2: nothing above denies it */
                                           "!\n"              /* 3 */
                                           "!mountt\n"        /* 4 */
                                           "!keyctl EPERM\n"  /* 5 */
                                           "!ioctl TIOCFOO\n" /* 6 */
                                           "!ioctl TIOCSTI\n" /* 7: nothing above denies it */
                                           "!keyctl\n");      /* 8: fine */
    struct seccomp_rules r = {0};
    struct diags d = {0};
    assert_int_equal(seccomp_rules_read(path, &r, &d), -1);
    assert_int_equal(d.n_errors, 6);
    assert_diag(&d, path, 2, 1, "`!mount`: no line above denies mount");
    assert_diag(&d, path, 3, 1, "`!` takes a system call");
    assert_diag(&d, path, 4, 2, "unknown system call `mountt` (did you mean `mount`?)");
    assert_diag(&d, path, 5, 9, "unexpected `EPERM`");
    assert_diag(&d, path, 6, 8, "`!ioctl` takes a request name or number, found `TIOCFOO`");
    assert_diag(&d, path, 7, 1, "`!ioctl`: no line above denies ioctl TIOCSTI");
    assert_int_equal(r.n, 0);
    diags_free(&d);
}

/* Thousands of misspelt lines: every one counted, the shown ones with a hint. */
static void test_many_errors(void **state)
{
    struct strbuf sb = {0};
    for (int i = 0; i < 5000; i++)
        strbuf_puts(&sb, "keyct\n");
    _cleanup_free_ char *path = test_write(*state, "many", sb.buf);
    strbuf_free(&sb);
    struct seccomp_rules r = {0};
    struct diags d = {0};
    assert_int_equal(seccomp_rules_read(path, &r, &d), -1);
    assert_int_equal(d.n_errors, 5000);
    assert_int_equal(d.n, DIAGS_MAX);
    assert_int_equal(d.n_dropped, 5000 - DIAGS_MAX);
    assert_diag(&d, path, 1, 1, "unknown system call `keyct` (did you mean `keyctl`?)");
    assert_diag(&d, path, DIAGS_MAX, 1, "(did you mean `keyctl`?)");
    assert_int_equal(r.n, 0);
    diags_free(&d);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_default_contents),
        T(test_comments_and_blank_lines),
        T(test_empty_file),
        T(test_crlf),
        T(test_default_inclusion),
        T(test_ioctl_rules),
        T(test_errors_located),
        T(test_printed_error),
        T(test_missing_file),
        T(test_directory),
        T(test_too_large),
        T(test_nul_byte),
        T(test_appends_to_existing),
        T(test_other_arch_names_accepted),
        T(test_removal),
        T(test_removal_recorded),
        T(test_removal_errors),
        T(test_many_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
