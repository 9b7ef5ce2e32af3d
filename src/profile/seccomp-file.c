/*
 * Seccomp deny-lists: the built-in default and the files the `seccomp` key
 * names. Names are resolved with libseccomp for the native architecture;
 * security.c turns the rules into a filter.
 *
 * A name libseccomp knows only for another architecture (vm86 on x86_64)
 * resolves to a negative "pseudo" number. Such a rule is kept, never an
 * error: libseccomp translates it for the compatibility architectures the
 * filter also covers (vm86 is real for 32-bit x86 processes on x86_64), and
 * it matches nothing natively. So one file serves every architecture.
 */
#include "seccomp-file.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "util/util.h"

#define SECCOMP_FILE_MAX (1024 * 1024)

static const struct {
    const char *name;
    int value;
} errno_names[] = {
    {"EPERM", EPERM},
    {"ENOENT", ENOENT},
    {"ESRCH", ESRCH},
    {"EINTR", EINTR},
    {"EIO", EIO},
    {"ENXIO", ENXIO},
    {"E2BIG", E2BIG},
    {"ENOEXEC", ENOEXEC},
    {"EBADF", EBADF},
    {"ECHILD", ECHILD},
    {"EAGAIN", EAGAIN},
    {"ENOMEM", ENOMEM},
    {"EACCES", EACCES},
    {"EFAULT", EFAULT},
    {"EBUSY", EBUSY},
    {"EEXIST", EEXIST},
    {"EXDEV", EXDEV},
    {"ENODEV", ENODEV},
    {"ENOTDIR", ENOTDIR},
    {"EISDIR", EISDIR},
    {"EINVAL", EINVAL},
    {"ENFILE", ENFILE},
    {"EMFILE", EMFILE},
    {"ENOTTY", ENOTTY},
    {"ETXTBSY", ETXTBSY},
    {"EFBIG", EFBIG},
    {"ENOSPC", ENOSPC},
    {"ESPIPE", ESPIPE},
    {"EROFS", EROFS},
    {"EMLINK", EMLINK},
    {"EPIPE", EPIPE},
    {"ERANGE", ERANGE},
    {"ENAMETOOLONG", ENAMETOOLONG},
    {"ENOSYS", ENOSYS},
    {"ENOTEMPTY", ENOTEMPTY},
    {"ELOOP", ELOOP},
    {"ENODATA", ENODATA},
    {"ENOTSOCK", ENOTSOCK},
    {"EPROTONOSUPPORT", EPROTONOSUPPORT},
    {"EOPNOTSUPP", EOPNOTSUPP},
    {"ENOTSUP", ENOTSUP},
    {"EAFNOSUPPORT", EAFNOSUPPORT},
    {"EADDRINUSE", EADDRINUSE},
    {"ENETUNREACH", ENETUNREACH},
    {"ECONNREFUSED", ECONNREFUSED},
    {"ETIMEDOUT", ETIMEDOUT},
    {"EDQUOT", EDQUOT},
};

/* Terminal and file ioctls worth naming; anything else is written as a number. */
static const struct {
    const char *name;
    unsigned long value;
} ioctl_names[] = {
    {"TIOCSTI", TIOCSTI},         {"TIOCLINUX", TIOCLINUX},     {"TIOCSETD", TIOCSETD},
    {"TIOCCONS", TIOCCONS},       {"TIOCSCTTY", TIOCSCTTY},     {"TIOCNOTTY", TIOCNOTTY},
    {"TIOCVHANGUP", TIOCVHANGUP}, {"TIOCSWINSZ", TIOCSWINSZ},   {"TIOCSPGRP", TIOCSPGRP},
    {"TIOCEXCL", TIOCEXCL},       {"TIOCSSERIAL", TIOCSSERIAL}, {"FIONREAD", FIONREAD},
    {"FIONBIO", FIONBIO},         {"FIOCLEX", FIOCLEX},         {"FIONCLEX", FIONCLEX},
};

/*
 * What the default list denies, after docker's default profile: calls that
 * reach host-wide state (kernel modules, kexec, the clock, swap, the kernel
 * keyring, the kernel log, accounting), the whole mount API, namespace
 * creation and entry (a user namespace would hand a root inside it every
 * capability again), old or obscure calls with a history of exploits
 * (userfaultfd, bpf, perf_event_open, io_uring, vm86), and handle-based
 * opens, which bypass the mount namespace (the "shocker" escape).
 *
 * Unlike docker, ptrace and its relatives (process_vm_*, pidfd_getfd) are
 * denied: containers rarely need a debugger, and together with a kept
 * CAP_SYS_PTRACE they read and write any process of the container, the
 * init included. A profile that needs them names its own file.
 *
 * personality is allowed (some programs set their own execution domain),
 * and so is chroot (CAP_SYS_CHROOT is kept by default).
 */
static const char *const default_denied[] = {
    /* host-wide state */
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "init_module",
    "finit_module",
    "delete_module",
    "create_module",
    "get_kernel_syms",
    "query_module",
    "swapon",
    "swapoff",
    "acct",
    "syslog",
    "settimeofday",
    "stime",
    "clock_settime",
    "clock_settime64",
    "clock_adjtime",
    "clock_adjtime64",
    "adjtimex",
    "quotactl",
    "quotactl_fd",
    "nfsservctl",
    "_sysctl",
    "lookup_dcookie",
    /* the kernel keyring is not namespaced */
    "keyctl",
    "add_key",
    "request_key",
    /* mounts: the container's root must stay as it was assembled */
    "mount",
    "umount",
    "umount2",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "pivot_root",
    /* namespaces: clone with CLONE_NEW* flags is denied below */
    "unshare",
    "setns",
    /* opens by file handle escape the mount namespace */
    "open_by_handle_at",
    "name_to_handle_at",
    /* attack surface */
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "iopl",
    "ioperm",
    "uselib",
    "vm86",
    "vm86old",
    /* other processes */
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "pidfd_getfd",
};

/* clone(2) flags that make a namespace; unshare and setns are denied whole. */
static const uint64_t default_clone_flags[] = {
    CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,    CLONE_NEWUSER,
    CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP,
};

/*
 * TIOCSTI pushes bytes into a terminal's input queue: a container holding
 * any fd of the caller's terminal could type commands into the caller's
 * shell. TIOCLINUX can paste a selection on a virtual console likewise.
 */
static const unsigned long default_ioctls[] = {TIOCSTI, TIOCLINUX};

/*
 * Calls a file may not deny. The filter is loaded right before the
 * command's execve, the first call it sees: denying execve would only turn
 * every run into a puzzling "permission denied", and a failed exec is
 * reported over the sync socket (sendto, close) before exit. The others
 * (clone, which vfork is, wait4, kill, the signal calls, prctl) no shell
 * or process manager in a container does without. congo's init does not
 * run under this filter but under one of its own (runtime/security.c).
 */
static const char *const protected_calls[] = {
    "execve",         "clone",           "wait4",        "kill", "rt_sigaction",
    "rt_sigprocmask", "rt_sigtimedwait", "rt_sigreturn", "exit", "exit_group",
    "prctl",          "close",           "sendto",
};

/* The same call, and the same argument when there is one: the errno does not count. */
static bool same_target(const struct seccomp_rule *a, const struct seccomp_rule *b)
{
    return a->syscall == b->syscall && a->has_arg == b->has_arg &&
           (!a->has_arg || a->arg1 == b->arg1);
}

static void rules_put(struct seccomp_rules *r, struct seccomp_rule rule)
{
    /* Denied again after a `!`: it is no longer taken back. */
    size_t kept = 0;
    for (size_t i = 0; i < r->n_removed; i++)
        if (!same_target(&r->removed[i].rule, &rule))
            r->removed[kept++] = r->removed[i];
    r->n_removed = kept;
    /* The same rule again: the later errno wins, as later values do everywhere in a profile. */
    for (size_t i = 0; i < r->n; i++) {
        struct seccomp_rule *o = &r->v[i];
        if (same_target(o, &rule)) {
            o->err = rule.err;
            return;
        }
    }
    r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
    r->v[r->n++] = rule;
}

static void rules_take_back(struct seccomp_rules *r, const struct seccomp_rule *rule, int line)
{
    r->removed = xrealloc(r->removed, (r->n_removed + 1) * sizeof(*r->removed));
    r->removed[r->n_removed++] = (struct seccomp_removal){.rule = *rule, .line = line};
}

static void rules_append_default(struct seccomp_rules *r)
{
    for (size_t i = 0; i < ARRAY_SIZE(default_denied); i++) {
        int nr = seccomp_syscall_resolve_name(default_denied[i]);
        /* A libseccomp too old to know a recent call: nothing to deny by number. */
        if (nr == __NR_SCMP_ERROR)
            continue;
        rules_put(r, (struct seccomp_rule){.syscall = nr, .err = EPERM});
    }
    /*
     * clone3 passes its flags in memory, which seccomp cannot read, so it is
     * refused whole; ENOSYS makes glibc fall back to clone, whose flags the
     * rules below can see (docker does the same).
     */
    int clone3 = seccomp_syscall_resolve_name("clone3");
    if (clone3 != __NR_SCMP_ERROR)
        rules_put(r, (struct seccomp_rule){.syscall = clone3, .err = ENOSYS});
    int clone = seccomp_syscall_resolve_name("clone");
    for (size_t i = 0; i < ARRAY_SIZE(default_clone_flags); i++)
        rules_put(r, (struct seccomp_rule){.syscall = clone,
                                           .err = EPERM,
                                           .has_arg = true,
                                           .arg1 = default_clone_flags[i]});
    int ioctl_nr = seccomp_syscall_resolve_name("ioctl");
    for (size_t i = 0; i < ARRAY_SIZE(default_ioctls); i++)
        rules_put(
            r, (struct seccomp_rule){
                   .syscall = ioctl_nr, .err = EPERM, .has_arg = true, .arg1 = default_ioctls[i]});
}

void seccomp_rules_default(struct seccomp_rules *r)
{
    rules_append_default(r);
}

void seccomp_rules_free(struct seccomp_rules *r)
{
    free(r->v);
    free(r->removed);
    *r = (struct seccomp_rules){0};
}

void seccomp_rules_copy(struct seccomp_rules *dst, const struct seccomp_rules *src)
{
    *dst = (struct seccomp_rules){.n = src->n, .n_removed = src->n_removed};
    if (src->n) {
        dst->v = xmalloc(src->n * sizeof(*src->v));
        memcpy(dst->v, src->v, src->n * sizeof(*src->v));
    }
    if (src->n_removed) {
        dst->removed = xmalloc(src->n_removed * sizeof(*src->removed));
        memcpy(dst->removed, src->removed, src->n_removed * sizeof(*src->removed));
    }
}

static bool rule_equal(const struct seccomp_rule *a, const struct seccomp_rule *b)
{
    return same_target(a, b) && a->err == b->err;
}

bool seccomp_rules_equal(const struct seccomp_rules *a, const struct seccomp_rules *b)
{
    if (a->n != b->n || a->n_removed != b->n_removed)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (!rule_equal(&a->v[i], &b->v[i]))
            return false;
    for (size_t i = 0; i < a->n_removed; i++)
        if (!rule_equal(&a->removed[i].rule, &b->removed[i].rule) ||
            a->removed[i].line != b->removed[i].line)
            return false;
    return true;
}

const char *seccomp_errno_name(int err)
{
    for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
        if (errno_names[i].value == err)
            return errno_names[i].name;
    return NULL;
}

const char *seccomp_ioctl_name(uint64_t request)
{
    for (size_t i = 0; i < ARRAY_SIZE(ioctl_names); i++)
        if ((ioctl_names[i].value & 0xffffffffUL) == (request & 0xffffffffUL))
            return ioctl_names[i].name;
    return NULL;
}

const char *seccomp_clone_flag_name(uint64_t flag)
{
    static const struct {
        uint64_t flag;
        const char *name;
    } names[] = {
        {CLONE_NEWNS, "CLONE_NEWNS"},   {CLONE_NEWUTS, "CLONE_NEWUTS"},
        {CLONE_NEWIPC, "CLONE_NEWIPC"}, {CLONE_NEWUSER, "CLONE_NEWUSER"},
        {CLONE_NEWPID, "CLONE_NEWPID"}, {CLONE_NEWNET, "CLONE_NEWNET"},
        {CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (names[i].flag == flag)
            return names[i].name;
    return NULL;
}

static int errno_from_name(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
        if (strcmp(errno_names[i].name, name) == 0)
            return errno_names[i].value;
    return -1;
}

static bool is_protected(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(protected_calls); i++)
        if (strcmp(protected_calls[i], name) == 0)
            return true;
    return false;
}

/* The nearest native system call name, for "did you mean"; NULL if none is close. */
static char *suggest_syscall(const char *misspelt)
{
    /* The native names, listed once: a file may misspell thousands of lines. */
    static char *names[1024];
    static bool listed;
    if (!listed) {
        /* Native numbers are dense and below 1024 on every architecture libseccomp knows. */
        for (int nr = 0; nr < 1024; nr++)
            names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
        listed = true;
    }
    const char *best = NULL;
    size_t best_d = 3, len = strlen(misspelt);
    for (int nr = 0; nr < 1024; nr++) {
        if (!names[nr])
            continue;
        /* The distance is at least the difference in length. */
        size_t n = strlen(names[nr]);
        if ((n > len ? n - len : len - n) >= best_d)
            continue;
        size_t d = str_distance(misspelt, names[nr]);
        if (d < best_d) {
            best_d = d;
            best = names[nr];
        }
    }
    return best ? xstrdup(best) : NULL;
}

/* An ioctl request: a name of the table, or a decimal or 0x hex number of at most 32 bits. */
static int parse_request(const char *word, uint64_t *out)
{
    for (size_t i = 0; i < ARRAY_SIZE(ioctl_names); i++)
        if (strcmp(ioctl_names[i].name, word) == 0) {
            *out = ioctl_names[i].value;
            return 0;
        }
    if (word[0] < '0' || word[0] > '9')
        return -EINVAL;
    char *end;
    errno = 0;
    unsigned long long v =
        strtoull(word, &end, word[0] == '0' && (word[1] == 'x' || word[1] == 'X') ? 16 : 10);
    if (*end || end == word)
        return -EINVAL;
    if (errno == ERANGE || v > UINT32_MAX)
        return -ERANGE;
    *out = v;
    return 0;
}

struct word {
    const char *s;
    int col; /* 1-based */
};

#define LINE_WORDS_MAX 4

/* Split one line (NUL-terminated, modified) into words; a word starting with `#` ends it. */
static size_t split_words(char *line, struct word *w, size_t max, size_t *n_all)
{
    size_t n = 0;
    *n_all = 0;
    char *c = line;
    for (;;) {
        while (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\v' || *c == '\f')
            c++;
        if (!*c || *c == '#')
            break;
        char *start = c;
        while (*c && *c != ' ' && *c != '\t' && *c != '\r' && *c != '\v' && *c != '\f')
            c++;
        if (n < max)
            w[n++] = (struct word){start, (int)(start - line) + 1};
        (*n_all)++;
        if (!*c)
            break;
        *c++ = '\0';
    }
    return n;
}

/*
 * libseccomp's number for a system call named at path:lineno:col (negative
 * for a call of another architecture only), or false with the error in d.
 */
static bool resolve_syscall(const char *path, int lineno, int col, const char *name, int *nr,
                            struct diags *d)
{
    *nr = seccomp_syscall_resolve_name(name);
    if (*nr != __NR_SCMP_ERROR)
        return true;
    /* A hint only for a message that will be shown: the rest are counted, not printed. */
    _cleanup_free_ char *hint = d->n < DIAGS_MAX ? suggest_syscall(name) : NULL;
    if (hint)
        diags_add(d, DIAG_ERROR, path, lineno, col, NULL,
                  "unknown system call `%s` (did you mean `%s`?)", name, hint);
    else
        diags_add(d, DIAG_ERROR, path, lineno, col, NULL, "unknown system call `%s`", name);
    return false;
}

/*
 * `!SYSCALL` takes back the rules of the lines above for that call, and
 * `!ioctl REQUEST` the one for that request: `@default` then `!mount` is
 * the default list with mount allowed. Taking back a rule no line above
 * made is an error, as a misspelt or misplaced line would be.
 */
static int read_removal(const char *path, int lineno, const struct word *w, size_t n_all,
                        struct seccomp_rules *r, struct diags *d)
{
    const char *name = w[0].s + 1;
    if (!*name) {
        diags_add(d, DIAG_ERROR, path, lineno, w[0].col, NULL,
                  "`!` takes a system call, as in `!mount`");
        return -1;
    }
    int nr;
    if (!resolve_syscall(path, lineno, w[0].col + 1, name, &nr, d))
        return -1;
    bool ioctl = strcmp(name, "ioctl") == 0;
    uint64_t request = 0;
    if (ioctl && n_all > 1 && parse_request(w[1].s, &request) < 0) {
        diags_add(d, DIAG_ERROR, path, lineno, w[1].col, NULL,
                  "`!ioctl` takes a request name or number, found `%s`", w[1].s);
        return -1;
    }
    size_t max_words = ioctl ? 2 : 1;
    if (n_all > max_words) {
        diags_add(d, DIAG_ERROR, path, lineno, w[max_words].col, NULL,
                  "unexpected `%s`: taking back is `!SYSCALL` or `!ioctl [REQUEST]`",
                  w[max_words].s);
        return -1;
    }
    size_t kept = 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct seccomp_rule *rule = &r->v[i];
        bool match = rule->syscall == nr && (!ioctl || n_all == 1 || rule->arg1 == request);
        if (match)
            rules_take_back(r, rule, lineno);
        else
            r->v[kept++] = *rule;
    }
    if (kept == r->n) {
        diags_add(d, DIAG_ERROR, path, lineno, w[0].col, NULL,
                  "`%s`: no line above denies %s%s%s; `!` takes back what lines above it "
                  "deny (`@default` first)",
                  w[0].s, name, ioctl && n_all > 1 ? " " : "", ioctl && n_all > 1 ? w[1].s : "");
        return -1;
    }
    r->n = kept;
    return 0;
}

/* One line of a seccomp file; errors go to d. Returns -1 when the line is wrong. */
static int read_line(const char *path, int lineno, char *line, struct seccomp_rules *r,
                     struct diags *d)
{
    struct word w[LINE_WORDS_MAX];
    size_t n_all;
    size_t n = split_words(line, w, LINE_WORDS_MAX, &n_all);
    if (n == 0)
        return 0;

    if (w[0].s[0] == '@') {
        if (strcmp(w[0].s, "@default") != 0) {
            diags_add(d, DIAG_ERROR, path, lineno, w[0].col, NULL,
                      "unknown directive `%s` (the only one is `@default`)", w[0].s);
            return -1;
        }
        if (n_all > 1) {
            diags_add(d, DIAG_ERROR, path, lineno, w[1].col, NULL,
                      "`@default` takes no argument, found `%s`", w[1].s);
            return -1;
        }
        rules_append_default(r);
        return 0;
    }

    if (w[0].s[0] == '!')
        return read_removal(path, lineno, w, n_all, r, d);

    const char *name = w[0].s;
    int nr;
    if (!resolve_syscall(path, lineno, w[0].col, name, &nr, d))
        return -1;
    if (is_protected(name)) {
        diags_add(d, DIAG_ERROR, path, lineno, w[0].col, NULL,
                  "`%s` cannot be denied: congo's init and the start of the command need it%s",
                  name,
                  strcmp(name, "clone") == 0
                      ? " (`@default` denies clone with namespace flags, which vfork never uses)"
                      : "");
        return -1;
    }

    struct seccomp_rule rule = {.syscall = nr, .err = EPERM};
    size_t next = 1;
    if (strcmp(name, "ioctl") == 0) {
        if (n_all < 2) {
            diags_add(d, DIAG_ERROR, path, lineno, w[0].col, NULL,
                      "`ioctl` takes a request name or number (`ioctl TIOCSTI`); denying every "
                      "ioctl would break every terminal");
            return -1;
        }
        int pr = parse_request(w[1].s, &rule.arg1);
        if (pr == -ERANGE) {
            diags_add(d, DIAG_ERROR, path, lineno, w[1].col, NULL,
                      "ioctl request `%s` does not fit in 32 bits (requests are compared on "
                      "their low 32 bits)",
                      w[1].s);
            return -1;
        }
        if (pr < 0) {
            diags_add(d, DIAG_ERROR, path, lineno, w[1].col, NULL,
                      "`ioctl` takes a request name or number, found `%s` (known names: TIOCSTI, "
                      "TIOCLINUX, TIOCSETD, ...; others as a decimal or 0x hex number)",
                      w[1].s);
            return -1;
        }
        rule.has_arg = true;
        next = 2;
    }
    if (n_all > next) {
        rule.err = errno_from_name(w[next].s);
        if (rule.err < 0) {
            diags_add(d, DIAG_ERROR, path, lineno, w[next].col, NULL, "unknown errno `%s`%s",
                      w[next].s,
                      next == 1 && w[next].s[0] != 'E' ? " (only `ioctl` takes an argument)" : "");
            return -1;
        }
    }
    if (n_all > next + 1) {
        diags_add(d, DIAG_ERROR, path, lineno, w[next + 1].col, NULL,
                  "unexpected `%s`: a rule is `SYSCALL [ERRNO]` or `ioctl REQUEST [ERRNO]`",
                  w[next + 1].s);
        return -1;
    }
    rules_put(r, rule);
    return 0;
}

int seccomp_rules_read(const char *path, struct seccomp_rules *r, struct diags *d)
{
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    int rr = read_file_max(path, SECCOMP_FILE_MAX, &text, &len);
    if (rr == -EFBIG) {
        diags_add(d, DIAG_ERROR, path, 0, 0, NULL, "cannot read: larger than 1 MiB");
        return -1;
    }
    if (rr == -EINVAL) {
        diags_add(d, DIAG_ERROR, path, 0, 0, NULL, "cannot read: not a regular file");
        return -1;
    }
    if (rr < 0) {
        diags_add(d, DIAG_ERROR, path, 0, 0, NULL, "cannot read: %s", strerror(-rr));
        return -1;
    }

    /* Build apart, so a file with errors leaves r as it was. */
    struct seccomp_rules local;
    seccomp_rules_copy(&local, r);
    bool failed = false;
    int lineno = 1;
    for (char *line = text; line < text + len; lineno++) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        char *end = nl ? nl : text + len;
        *end = '\0';
        if (strlen(line) != (size_t)(end - line)) {
            diags_add(d, DIAG_ERROR, path, lineno, (int)strlen(line) + 1, NULL,
                      "a NUL byte: this is not a text file");
            failed = true;
            break;
        }
        if (read_line(path, lineno, line, &local, d) < 0)
            failed = true;
        line = end + 1;
    }
    if (failed) {
        seccomp_rules_free(&local);
        return -1;
    }
    seccomp_rules_free(r);
    *r = local;
    return 0;
}
