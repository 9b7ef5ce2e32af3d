/*
 * What a command running as root inside may do, applied: the plan decided
 * the capabilities, rlimits and seccomp filter (src/plan/security.c); this
 * checks, in the parent just before clone, that the launcher can grant them
 * (it holds the capabilities asked for by name or as ambient, the hard
 * limits are within its own and fs.nr_open), and applies them in the
 * child. The child then only makes system calls with values known to be
 * acceptable; its errors are a kernel refusing after all, reported with
 * the key at fault.
 *
 * The order in the child is runc's: rlimits, bounding set, ambient and
 * inheritable sets as root; then the user switch; then the effective,
 * permitted, inheritable and ambient sets and no_new_privileges; and the
 * seccomp filter last, right before the command's execve, which is the
 * first call it sees: the filter is the command's, and never refuses a
 * step of congo's own set-up (an OCI policy is an allow-list of what the
 * command needs, not of what congo does). Without no_new_privileges the
 * kernel only lets a process holding CAP_SYS_ADMIN load a filter: that one
 * capability is then kept until the execve, which drops it (see
 * security_load_filter). The init, which stays, gets a filter of its own
 * instead (security_confine_init).
 */
#include "runtime/security.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/names.h"
#include "util/util.h"

#define CAP_BIT(c) (UINT64_C(1) << (c))

/* ---- capability sets as 64-bit masks ---- */

/* The highest capability the running kernel knows (libcap probes it). */
static int kernel_last_cap(void)
{
    int n = (int)cap_max_bits();
    return n > 0 && n <= 64 ? n - 1 : CAP_LAST_CAP;
}

struct capsets {
    uint64_t eff, prm, inh;
};

static int caps_get(struct capsets *s)
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct d[2] = {0};
    if (capget(&h, d) < 0)
        return -1;
    s->eff = d[0].effective | (uint64_t)d[1].effective << 32;
    s->prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
    s->inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
    return 0;
}

static int caps_set(const struct capsets *s)
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct d[2] = {
        {(uint32_t)s->eff, (uint32_t)s->prm, (uint32_t)s->inh},
        {(uint32_t)(s->eff >> 32), (uint32_t)(s->prm >> 32), (uint32_t)(s->inh >> 32)},
    };
    return capset(&h, d);
}

/* The ambient set; empty on a kernel before 4.3, which has none. */
static uint64_t ambient_set(int last)
{
    uint64_t set = 0;
    for (int c = 0; c <= last; c++)
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) == 1)
            set |= CAP_BIT(c);
    return set;
}

static uint64_t bounding_set(int last)
{
    uint64_t set = 0;
    for (int c = 0; c <= last; c++)
        if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
            set |= CAP_BIT(c);
    return set;
}

/* ---- error messages that name the key at fault ---- */

static int caps_error(struct congo_error *e, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int caps_error(struct congo_error *e, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    return error_set(e, err, "capabilities: %s", msg);
}

static int seccomp_error(struct congo_error *e, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int seccomp_error(struct congo_error *e, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    return error_set(e, err, "seccomp: %s", msg);
}

/* ---- the checks before clone ---- */

/*
 * A capability asked for by name that the launcher does not hold is an
 * error rather than silently missing (capset would refuse it later, in the
 * child). `ALL` means all it holds; the default set is kept as far as the
 * launcher has it.
 */
static int check_caps(const struct run_plan *plan, struct security_ctx *ctx, struct congo_error *e)
{
    ctx->last_cap = kernel_last_cap();
    struct capsets cur;
    if (caps_get(&cur) < 0)
        return caps_error(e, errno, "read the launcher's capabilities");
    /*
     * With a user namespace of its own, the child holds every capability
     * within it that the bounding set allows, whatever the launcher holds
     * on the host (a caller other than root holds none there).
     */
    uint64_t held = (plan->userns != PLAN_USERNS_HOST ? ~0ULL : cur.prm) & bounding_set(ctx->last_cap);
    uint64_t missing = plan->caps_named & ~held;
    if (missing && !plan->caps_named_all) {
        _cleanup_free_ char *names = capability_list(missing);
        return caps_error(e, 0,
                          "cannot add %s: congo-launch does not hold %s itself (not in its "
                          "bounding set, or unknown to this kernel)",
                          names, missing & (missing - 1) ? "them" : "it");
    }
    uint64_t ambient_missing = plan->caps_ambient & ~held;
    if (ambient_missing) {
        _cleanup_free_ char *names = capability_list(ambient_missing);
        return error_set(e, 0,
                         "capabilities.ambient: cannot raise %s: congo-launch does not hold %s "
                         "itself",
                         names, ambient_missing & (ambient_missing - 1) ? "them" : "it");
    }
    ctx->caps = plan->caps & held;
    if (plan->seccomp && !plan->no_new_privileges && !(held & CAP_BIT(CAP_SYS_ADMIN)))
        return error_set(e, 0,
                         "seccomp: without no_new_privileges, loading the filter needs "
                         "CAP_SYS_ADMIN, which congo-launch does not hold");
    return 0;
}

static unsigned long long read_nr_open(void)
{
    _cleanup_free_ char *text = NULL;
    size_t len;
    if (read_file_max("/proc/sys/fs/nr_open", 64, &text, &len) < 0)
        return 1024 * 1024; /* the kernel's default */
    return strtoull(text, NULL, 10);
}

static char *limit_text(rlim_t v)
{
    return v == RLIM_INFINITY ? xstrdup("unlimited") : xasprintf("%llu", (unsigned long long)v);
}

static int check_rlimits(const struct run_plan *plan, struct congo_error *e)
{
    if (!plan->n_rlimits)
        return 0;
    struct capsets cur;
    bool sys_resource = caps_get(&cur) == 0 && (cur.eff & CAP_BIT(CAP_SYS_RESOURCE));
    for (size_t i = 0; i < plan->n_rlimits; i++) {
        const struct plan_rlimit *l = &plan->rlimits[i];
        const char *name = rlimit_name(l->resource);
        struct rlimit lim = {.rlim_cur = (rlim_t)l->soft, .rlim_max = (rlim_t)l->hard};
        if (lim.rlim_cur > lim.rlim_max)
            return error_set(e, 0, "rlimits.%s: the soft limit exceeds the hard limit", name);
        if (l->resource == RLIMIT_NOFILE) {
            unsigned long long nr_open = read_nr_open();
            if (lim.rlim_max == RLIM_INFINITY || lim.rlim_max > nr_open) {
                _cleanup_free_ char *hard = limit_text(lim.rlim_max);
                return error_set(e, 0,
                                 "rlimits.nofile: the hard limit %s exceeds fs.nr_open (%llu), "
                                 "the most the kernel allows",
                                 hard, nr_open);
            }
        }
        struct rlimit now;
        if (getrlimit(l->resource, &now) < 0)
            return error_set(e, errno, "rlimits.%s: getrlimit", name);
        if (lim.rlim_max > now.rlim_max && !sys_resource) {
            _cleanup_free_ char *want = limit_text(lim.rlim_max);
            _cleanup_free_ char *have = limit_text(now.rlim_max);
            return error_set(e, 0,
                             "rlimits.%s: the hard limit %s exceeds congo-launch's own (%s), and "
                             "raising it needs CAP_SYS_RESOURCE, which congo-launch does not hold",
                             name, want, have);
        }
    }
    return 0;
}

int security_prepare(const struct run_plan *plan, struct security_ctx *ctx, struct congo_error *e)
{
    *ctx = (struct security_ctx){.plan = plan};
    return check_caps(plan, ctx, e) < 0 || check_rlimits(plan, e) < 0 ? -1 : 0;
}

/* ---- in the child ---- */

/* Loading the filter without no_new_privileges needs CAP_SYS_ADMIN until then. */
static bool needs_admin_for_filter(const struct run_plan *plan)
{
    return plan->seccomp && !plan->no_new_privileges;
}

/*
 * Runs privileged in the child, before the user switch: setrlimit may
 * still raise a hard limit (CAP_SYS_RESOURCE), and the bounding set can
 * only be reduced while CAP_SETPCAP is effective.
 */
static int apply_rlimits(const struct run_plan *plan, struct congo_error *e)
{
    for (size_t i = 0; i < plan->n_rlimits; i++) {
        const struct plan_rlimit *l = &plan->rlimits[i];
        struct rlimit lim = {.rlim_cur = (rlim_t)l->soft, .rlim_max = (rlim_t)l->hard};
        if (setrlimit(l->resource, &lim) == 0)
            continue;
        int err = errno;
        const char *hint = "";
        if (err == EPERM && l->resource == RLIMIT_NOFILE)
            hint = " (the hard limit may not exceed fs.nr_open)";
        else if (err == EPERM)
            hint = " (raising a hard limit needs CAP_SYS_RESOURCE)";
        else if (err == EINVAL)
            hint = " (the soft limit may not exceed the hard limit)";
        error_set(e, err, "rlimits.%s: setrlimit", rlimit_name(l->resource));
        if (*hint) {
            char *msg = xasprintf("%s%s", e->msg, hint);
            free(e->msg);
            e->msg = msg;
        }
        return -1;
    }
    return 0;
}

/*
 * Runs privileged in the child (or --exec's command), before the user
 * switch and before anything of the command runs, so the init and the
 * command inherit the value. Without CAP_SYS_RESOURCE the kernel lets a
 * process go no lower than the value last written with it for the process
 * or an ancestor (oom_score_adj_min), normally the launcher's own: the one
 * reason it refuses (EACCES), which the message gives. A launcher that
 * holds CAP_SYS_RESOURCE makes the value written the container's floor.
 */
static int apply_oom_score_adj(const struct run_plan *plan, struct congo_error *e)
{
    if (!plan->oom_score_adj_set)
        return 0;
    char text[16];
    int n = snprintf(text, sizeof(text), "%d", plan->oom_score_adj);
    _cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd >= 0 && write(fd, text, (size_t)n) == n)
        return 0;
    int err = errno;
    if (err != EACCES)
        return error_set(e, err, "oom_score_adj: write %d to /proc/self/oom_score_adj",
                         plan->oom_score_adj);
    /* Still the launcher's: nothing was written. */
    _cleanup_free_ char *own = NULL;
    size_t len;
    if (read_file_max("/proc/self/oom_score_adj", 16, &own, &len) < 0)
        own = xstrdup("?");
    return error_set(e, 0,
                     "oom_score_adj: cannot set %d: lowering it below congo-launch's own (%d) "
                     "needs CAP_SYS_RESOURCE, which congo-launch does not hold",
                     plan->oom_score_adj, atoi(own));
}

/*
 * Runs privileged in the child, before the user switch. The bounding set
 * caps what any later execve can grant, setuid-root binaries and file
 * capabilities included, so it is reduced first; the inheritable and
 * ambient sets would carry capabilities across execve to a non-root user,
 * so they are emptied.
 */
int security_apply_before_user(const struct security_ctx *ctx, struct congo_error *e)
{
    const struct run_plan *plan = ctx->plan;
    if (apply_oom_score_adj(plan, e) < 0 || apply_rlimits(plan, e) < 0)
        return -1;
    for (int c = 0; c <= ctx->last_cap; c++) {
        if (ctx->caps & CAP_BIT(c))
            continue;
        if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 1)
            continue;
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
            _cleanup_free_ char *name = capability_name(c);
            return caps_error(e, errno, "drop %s from the bounding set%s", name,
                              errno == EPERM ? " (needs CAP_SETPCAP: are you root?)" : "");
        }
    }
    /* EINVAL: a kernel before 4.3 has no ambient set, so there is nothing to clear. */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        return caps_error(e, errno, "clear the ambient set");
    struct capsets s;
    if (caps_get(&s) < 0)
        return caps_error(e, errno, "capget");
    s.inh = 0;
    if (caps_set(&s) < 0)
        return caps_error(e, errno, "clear the inheritable set");
    /*
     * A switch from root to another uid empties the permitted set, and the
     * ambient set can only be raised from it, and the filter needs
     * CAP_SYS_ADMIN without no_new_privileges: keep it across the switch;
     * security_apply_after_user then narrows it to what is needed.
     */
    if ((plan->caps_ambient || needs_admin_for_filter(plan)) &&
        prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return caps_error(e, errno, "prctl(PR_SET_KEEPCAPS)");
    /* The command's umask, never the caller's: nothing congo makes from here on is a file. */
    umask(plan->umask);
    return 0;
}

/* The effective and permitted sets become want, the inheritable set empty: checked, not assumed. */
static int caps_set_exactly(uint64_t want, const char *what, struct congo_error *e)
{
    struct capsets s = {.eff = want, .prm = want, .inh = 0};
    if (caps_set(&s) < 0)
        return caps_error(e, errno, "%s", what);
    if (caps_get(&s) < 0)
        return caps_error(e, errno, "capget");
    if (s.eff != want || s.prm != want || s.inh != 0)
        return caps_error(e, 0,
                          "the kernel left CapEff %#llx, CapPrm %#llx, CapInh %#llx where %#llx "
                          "was set",
                          (unsigned long long)s.eff, (unsigned long long)s.prm,
                          (unsigned long long)s.inh, (unsigned long long)want);
    return 0;
}

/*
 * Runs in the child right after setgroups/setgid/setuid; for uid 0 still
 * privileged. Root keeps exactly the kept set, with the ambient
 * capabilities also inheritable and ambient. Any other uid keeps the
 * ambient capabilities alone (effective, permitted, inheritable and
 * ambient, so that they survive its execve), and nothing when there are
 * none: setuid from root to another uid clears the permitted and effective
 * sets unless SECBIT_KEEP_CAPS or PR_SET_KEEPCAPS was set (before_user sets
 * it only for the ambient set and the filter), and a permitted capability
 * left behind could be made effective again by the command itself, so
 * every set is checked, never assumed. The one exception is CAP_SYS_ADMIN
 * when a filter must be loaded without no_new_privileges: it is held until
 * the execve, which drops it (it is in neither the ambient nor, for a user
 * other than root, the bounding set the execve grants from).
 */
int security_apply_after_user(const struct security_ctx *ctx, uid_t uid, struct congo_error *e)
{
    const struct run_plan *plan = ctx->plan;
    uint64_t ambient = plan->caps_ambient;
    struct capsets s;
    if (caps_get(&s) < 0)
        return caps_error(e, errno, "capget");
    /* Held for loading the filter, and dropped by the execve after it. */
    uint64_t admin = needs_admin_for_filter(plan) ? CAP_BIT(CAP_SYS_ADMIN) & s.prm : 0;
    bool kept = ambient || needs_admin_for_filter(plan); /* PR_SET_KEEPCAPS was set */
    if (uid != 0 && !kept && (s.eff || s.prm || s.inh))
        return caps_error(e, 0,
                          "the switch to uid %u left CapEff %#llx, CapPrm %#llx, CapInh %#llx: "
                          "a user switch must leave no capability",
                          (unsigned)uid, (unsigned long long)s.eff, (unsigned long long)s.prm,
                          (unsigned long long)s.inh);
    if (uid != 0 && (s.prm & ambient) != ambient)
        return caps_error(e, 0, "the switch to uid %u lost the ambient capabilities (CapPrm %#llx)",
                          (unsigned)uid, (unsigned long long)s.prm);
    if (uid == 0 || kept) {
        uint64_t keep = (uid == 0 ? ctx->caps & s.prm : ambient) | admin;
        struct capsets want = {.eff = keep, .prm = keep, .inh = ambient};
        if (kept && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
            return caps_error(e, errno, "prctl(PR_SET_KEEPCAPS)");
        if (caps_set(&want) < 0)
            return caps_error(e, errno, "set the effective, permitted and inheritable sets");
        for (int c = 0; c <= ctx->last_cap; c++)
            if ((ambient & CAP_BIT(c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0) {
                _cleanup_free_ char *name = capability_name(c);
                return caps_error(e, errno, "raise %s in the ambient set", name);
            }
        if (caps_get(&s) < 0)
            return caps_error(e, errno, "capget");
        uint64_t amb = ambient_set(ctx->last_cap);
        if (s.eff != keep || s.prm != keep || s.inh != ambient || amb != ambient)
            return caps_error(e, 0,
                              "the kernel left CapEff %#llx, CapPrm %#llx, CapInh %#llx, CapAmb "
                              "%#llx where %#llx and ambient %#llx were set",
                              (unsigned long long)s.eff, (unsigned long long)s.prm,
                              (unsigned long long)s.inh, (unsigned long long)amb,
                              (unsigned long long)keep, (unsigned long long)ambient);
    }
    if (plan->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return error_set(e, errno, "no_new_privileges: prctl(PR_SET_NO_NEW_PRIVS)");
    return 0;
}

/*
 * Runs in the command's process, possibly privileged (CAP_SYS_ADMIN
 * without no_new_privileges), as the very last step before its execve.
 * The filter was compiled in the parent; loading it is one system call.
 *
 * The CAP_SYS_ADMIN kept for it goes with the execve: the kernel computes
 * the command's capabilities afresh from the bounding set, which holds
 * the kept set only, for root, and from nothing (no ambient, no
 * inheritable set) for another user.
 */
int security_load_filter(const struct security_ctx *ctx, struct congo_error *e)
{
    const struct run_plan *plan = ctx->plan;
    if (!plan->seccomp)
        return 0;
    struct sock_fprog prog = {.len = plan->seccomp_len, .filter = plan->seccomp};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, plan->seccomp_flags, &prog) == 0)
        return 0;
    int err = errno;
    const char *hint = "";
    if (err == EACCES)
        hint = " (without no_new_privileges this needs CAP_SYS_ADMIN)";
    else if (err == EINVAL && plan->seccomp_flags)
        hint = " (does this kernel know the policy's flags?)";
    return seccomp_error(e, err, "load the filter%s", hint);
}

/*
 * The init never runs the command's code, and a policy written for the
 * command need not let it wait or forward signals. Its own filter allows
 * exactly what init_run does once the command started, on this machine's
 * architecture; any other call (ptrace put it there, or a bug) kills it,
 * and with it, as PID 1, the container: loud, not a silent spin.
 */
static int load_init_filter(struct congo_error *e)
{
    static const long calls[] = {
        SYS_rt_sigtimedwait,        SYS_kill, SYS_wait4, SYS_exit_group, SYS_exit, SYS_rt_sigreturn,
        SYS_restart_syscall,
#ifdef SYS_rt_sigtimedwait_time64
        SYS_rt_sigtimedwait_time64,
#endif
    };
    struct sock_filter f[ARRAY_SIZE(calls) + 6];
    size_t n = 0, m = ARRAY_SIZE(calls);
    f[n++] =
        (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_arch_native(), 1, 0);
    f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    f[n++] =
        (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    for (size_t i = 0; i < m; i++)
        f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)calls[i],
                                              (uint8_t)(m - i), 0);
    f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog prog = {.len = (unsigned short)n, .filter = f};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
        return seccomp_error(e, errno, "load the init's filter");
    return 0;
}

/*
 * Runs in the init, once the command's process was started (it shared the
 * init's credentials until its execve): the init gives up the
 * CAP_SYS_ADMIN kept for the command's filter, and takes a filter of its
 * own. no_new_privileges lets it load one without privilege; the init
 * never execs, so the flag changes nothing else for it.
 */
int security_confine_init(const struct security_ctx *ctx, uid_t uid, struct congo_error *e)
{
    const struct run_plan *plan = ctx->plan;
    if (!plan->seccomp)
        return 0;
    if (needs_admin_for_filter(plan)) {
        struct capsets s;
        if (caps_get(&s) < 0)
            return caps_error(e, errno, "capget");
        if (caps_set_exactly(uid == 0 ? ctx->caps & s.prm : 0, "drop CAP_SYS_ADMIN in the init",
                             e) < 0)
            return -1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return error_set(e, errno, "the init: prctl(PR_SET_NO_NEW_PRIVS)");
    return load_init_filter(e);
}
