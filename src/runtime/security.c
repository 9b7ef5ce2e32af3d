/*
 * What a container that runs as root inside may not do.
 *
 * Everything that can fail for a reason the user can fix is decided in the
 * parent, before clone: the seccomp file is read and compiled to BPF, the
 * capabilities asked for are checked against what the launcher holds, the
 * rlimits against fs.nr_open and the launcher's hard limits. The child then
 * only makes system calls with values known to be acceptable; its errors
 * are a kernel refusing after all, reported with the key at fault.
 *
 * The order in the child is runc's: rlimits, bounding set, ambient and
 * inheritable sets as root; then the user switch; then the effective and
 * permitted sets, no_new_privileges, and the seccomp filter last, so the
 * filter never refuses a step of congo's own setup. Without
 * no_new_privileges the kernel only lets a process holding CAP_SYS_ADMIN
 * load a filter, so then it is loaded before the user switch instead.
 */
#include "runtime/security.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile/schema.h"
#include "profile/seccomp-file.h"
#include "util/util.h"

#define CAP_BIT(c) (UINT64_C(1) << (c))

const uint64_t security_default_caps =
    CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(CAP_FSETID) | CAP_BIT(CAP_FOWNER) |
    CAP_BIT(CAP_MKNOD) | CAP_BIT(CAP_NET_RAW) | CAP_BIT(CAP_SETGID) | CAP_BIT(CAP_SETUID) |
    CAP_BIT(CAP_SETFCAP) | CAP_BIT(CAP_SETPCAP) | CAP_BIT(CAP_NET_BIND_SERVICE) |
    CAP_BIT(CAP_SYS_CHROOT) | CAP_BIT(CAP_KILL) | CAP_BIT(CAP_AUDIT_WRITE);

struct plan_rlimit {
    int resource;
    struct rlimit lim;
};

struct security_plan {
    uint64_t caps; /* the kept set, limited to what the launcher holds */
    int last_cap;  /* the running kernel's highest capability */
    bool no_new_privileges;
    struct sock_filter *filter; /* compiled BPF; NULL: unconfined */
    unsigned short filter_len;
    struct plan_rlimit *rlimits;
    size_t n_rlimits;
};

/* ---- capability sets as 64-bit masks ---- */

/* The highest capability the running kernel knows (libcap probes it). */
static int kernel_last_cap(void)
{
    int n = (int)cap_max_bits();
    return n > 0 && n <= 64 ? n - 1 : CAP_LAST_CAP;
}

static uint64_t caps_upto(int last)
{
    return last >= 63 ? UINT64_MAX : CAP_BIT(last + 1) - 1;
}

uint64_t security_kept_caps(const struct profile *p)
{
    return (security_default_caps | p->cap_add) & ~p->cap_drop & caps_upto(kernel_last_cap());
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

static uint64_t bounding_set(int last)
{
    uint64_t set = 0;
    for (int c = 0; c <= last; c++)
        if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
            set |= CAP_BIT(c);
    return set;
}

/* "NET_ADMIN, SYS_ADMIN" */
static char *caps_names(uint64_t set)
{
    struct strbuf sb = {0};
    for (int c = 0; c < 64; c++) {
        if (!(set & CAP_BIT(c)))
            continue;
        _cleanup_free_ char *name = capability_name(c);
        strbuf_printf(&sb, "%s%s", sb.len ? ", " : "", name);
    }
    return strbuf_steal(&sb);
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

/* ---- the plan ---- */

static void cleanup_seccomp_ctx(scmp_filter_ctx *c)
{
    if (*c)
        seccomp_release(*c);
}
#define _cleanup_seccomp_ _cleanup_(cleanup_seccomp_ctx)

static void cleanup_rules(struct seccomp_rules *r)
{
    seccomp_rules_free(r);
}

static void cleanup_diags(struct diags *d)
{
    diags_free(d);
}

static int rule_add(scmp_filter_ctx ctx, const struct seccomp_rule *r)
{
    uint32_t action = SCMP_ACT_ERRNO((uint32_t)r->err);
    if (!r->has_arg)
        return seccomp_rule_add(ctx, action, r->syscall, 0);
    if (r->syscall == seccomp_syscall_resolve_name("ioctl")) {
        /*
         * The kernel reads the request as an unsigned int: a caller can set
         * any of the upper 32 bits of the register and still mean TIOCSTI.
         * So compare the low 32 bits only.
         */
        return seccomp_rule_add(
            ctx, action, r->syscall, 1,
            SCMP_A1(SCMP_CMP_MASKED_EQ, UINT64_C(0xffffffff), r->arg1 & UINT64_C(0xffffffff)));
    }
    if (r->syscall == seccomp_syscall_resolve_name("clone")) {
        /* Denied when the flag is set, whatever else is; s390 swaps clone's first two arguments. */
#if defined(__s390__) || defined(__s390x__)
        return seccomp_rule_add(ctx, action, r->syscall, 1,
                                SCMP_A1(SCMP_CMP_MASKED_EQ, r->arg1, r->arg1));
#else
        return seccomp_rule_add(ctx, action, r->syscall, 1,
                                SCMP_A0(SCMP_CMP_MASKED_EQ, r->arg1, r->arg1));
#endif
    }
    return -EINVAL;
}

/*
 * The 32-bit ABIs a 64-bit kernel also runs: the same rules apply to them
 * (libseccomp translates each call by name), so a 32-bit binary in the
 * container neither dies nor slips past the list. Any other architecture
 * is killed.
 */
static int add_compat_arches(scmp_filter_ctx ctx)
{
    static const struct {
        uint32_t native, compat;
    } compat[] = {
        {SCMP_ARCH_X86_64, SCMP_ARCH_X86},
        {SCMP_ARCH_X86_64, SCMP_ARCH_X32},
        {SCMP_ARCH_AARCH64, SCMP_ARCH_ARM},
    };
    uint32_t native = seccomp_arch_native();
    for (size_t i = 0; i < ARRAY_SIZE(compat); i++) {
        if (compat[i].native != native)
            continue;
        int r = seccomp_arch_add(ctx, compat[i].compat);
        if (r < 0 && r != -EEXIST)
            return r;
    }
    return 0;
}

static bool has_unconditional(const struct seccomp_rules *rules, int syscall)
{
    for (size_t i = 0; i < rules->n; i++)
        if (rules->v[i].syscall == syscall && !rules->v[i].has_arg)
            return true;
    return false;
}

/* Compile the rules to BPF in the parent: the child then loads it with one prctl. */
static int build_filter(const struct seccomp_rules *rules, struct sock_filter **filter,
                        unsigned short *filter_len, struct congo_error *e)
{
    _cleanup_seccomp_ scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        return seccomp_error(e, 0, "cannot make a filter (libseccomp)");
    /* A thread killed alone would leave a half-dead process behind. */
    int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (r < 0)
        return seccomp_error(e, -r, "set the action for foreign architectures");
    r = add_compat_arches(ctx);
    if (r < 0)
        return seccomp_error(e, -r, "add the compatibility architectures");
    for (size_t i = 0; i < rules->n; i++) {
        const struct seccomp_rule *rule = &rules->v[i];
        /* A whole-call rule already covers every argument; libseccomp would drop one of the two. */
        if (rule->has_arg && has_unconditional(rules, rule->syscall))
            continue;
        if (rule->err <= 0 || rule->err > 4095)
            return seccomp_error(e, 0, "errno %d of a rule is out of range", rule->err);
        r = rule_add(ctx, rule);
        if (r < 0) {
            _cleanup_free_ char *name =
                seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, rule->syscall);
            return seccomp_error(e, -r, "add the rule for `%s`", name ? name : "?");
        }
    }

    /*
     * Rules as a binary tree over the syscall number, not a chain: when the
     * filter is loaded the kernel runs it once for every syscall number of
     * every architecture (to cache the ones it always allows), and a chain
     * of 100 rules made that load take 190 us against 70 us for the tree.
     * Not for an empty list: libseccomp before 2.5.4 then drops the default
     * action and the filter kills every call.
     */
    if (rules->n > 0) {
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r < 0)
            return seccomp_error(e, -r, "ask for a binary-tree filter");
    }

    _cleanup_close_ int fd = memfd_create("congo-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return seccomp_error(e, errno, "memfd_create");
    r = seccomp_export_bpf(ctx, fd);
    if (r < 0)
        return seccomp_error(e, -r, "compile the filter");
    struct stat st;
    if (fstat(fd, &st) < 0)
        return seccomp_error(e, errno, "compile the filter: fstat");
    size_t n = (size_t)st.st_size / sizeof(struct sock_filter);
    if (n == 0 || n > BPF_MAXINSNS || (size_t)st.st_size % sizeof(struct sock_filter))
        return seccomp_error(e, 0, "the compiled filter has %zu bytes: too many rules?",
                             (size_t)st.st_size);
    _cleanup_free_ struct sock_filter *insns = xcalloc(n, sizeof(*insns));
    if (pread(fd, insns, (size_t)st.st_size, 0) != st.st_size)
        return seccomp_error(e, errno, "compile the filter: read it back");
    *filter = steal_pointer(&insns);
    *filter_len = (unsigned short)n;
    return 0;
}

static const struct sock_filter *prebuilt_default;
static unsigned short prebuilt_default_len;

void security_use_prebuilt_default(const struct sock_filter *insns, unsigned short len,
                                   uint32_t arch)
{
    /* A table built for another architecture would check the wrong numbers. */
    if (arch != seccomp_arch_native())
        return;
    prebuilt_default = insns;
    prebuilt_default_len = len;
}

int security_default_filter(struct sock_filter **insns, unsigned short *len, struct congo_error *e)
{
    _cleanup_(cleanup_rules) struct seccomp_rules rules = {0};
    seccomp_rules_default(&rules);
    return build_filter(&rules, insns, len, e);
}

static int plan_seccomp(const struct profile *p, struct security_plan *plan, struct congo_error *e)
{
    if (str_eq(p->seccomp, "unconfined"))
        return 0;
    _cleanup_(cleanup_rules) struct seccomp_rules rules = {0};
    if ((!p->seccomp || str_eq(p->seccomp, "default")) && prebuilt_default_len) {
        size_t size = prebuilt_default_len * sizeof(*prebuilt_default);
        plan->filter = xmalloc(size);
        memcpy(plan->filter, prebuilt_default, size);
        plan->filter_len = prebuilt_default_len;
        return 0;
    }
    if (!p->seccomp || str_eq(p->seccomp, "default")) {
        seccomp_rules_default(&rules);
    } else {
        /* Read again: the file may have changed since the profile was checked. */
        _cleanup_(cleanup_diags) struct diags d = {0};
        if (seccomp_rules_read(p->seccomp, &rules, &d) < 0) {
            const struct diag *g = NULL;
            for (size_t i = 0; i < d.n && !g; i++)
                if (d.v[i].level == DIAG_ERROR)
                    g = &d.v[i];
            if (!g)
                return seccomp_error(e, 0, "%s: cannot read", p->seccomp);
            if (g->line > 0)
                return seccomp_error(e, 0, "%s:%d: %s", g->file ? g->file : p->seccomp, g->line,
                                     g->msg);
            return seccomp_error(e, 0, "%s: %s", g->file ? g->file : p->seccomp, g->msg);
        }
    }
    return build_filter(&rules, &plan->filter, &plan->filter_len, e);
}

static int plan_caps(const struct profile *p, struct security_plan *plan, struct congo_error *e)
{
    plan->last_cap = kernel_last_cap();
    struct capsets cur;
    if (caps_get(&cur) < 0)
        return caps_error(e, errno, "read the launcher's capabilities");
    uint64_t held = cur.prm & bounding_set(plan->last_cap);

    /*
     * A capability asked for by name that the launcher does not hold is an
     * error rather than silently missing (capset would refuse it later, in
     * the child). `ALL` means all it holds; the default set is kept as far
     * as the launcher has it.
     */
    uint64_t all = caps_upto(capability_last());
    uint64_t missing = p->cap_add & ~p->cap_drop & ~held;
    if (missing && (p->cap_add & all) != all) {
        _cleanup_free_ char *names = caps_names(missing);
        return caps_error(e, 0,
                          "cannot add %s: congo-launch does not hold %s itself (not in its "
                          "bounding set, or unknown to this kernel)",
                          names, missing & (missing - 1) ? "them" : "it");
    }
    plan->caps = security_kept_caps(p) & held;
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

static int plan_rlimits(const struct profile *p, struct security_plan *plan, struct congo_error *e)
{
    if (!p->n_rlimits)
        return 0;
    struct capsets cur;
    bool sys_resource = caps_get(&cur) == 0 && (cur.eff & CAP_BIT(CAP_SYS_RESOURCE));
    plan->rlimits = xcalloc(p->n_rlimits, sizeof(*plan->rlimits));
    for (size_t i = 0; i < p->n_rlimits; i++) {
        const struct profile_rlimit *l = &p->rlimits[i];
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
        plan->rlimits[plan->n_rlimits++] = (struct plan_rlimit){l->resource, lim};
    }
    return 0;
}

int security_plan_new(const struct profile *p, struct security_plan **out, struct congo_error *e)
{
    struct security_plan *plan = xcalloc(1, sizeof(*plan));
    plan->no_new_privileges = p->no_new_privileges;
    if (plan_caps(p, plan, e) < 0 || plan_rlimits(p, plan, e) < 0 || plan_seccomp(p, plan, e) < 0) {
        security_plan_free(plan);
        return -1;
    }
    *out = plan;
    return 0;
}

void security_plan_free(struct security_plan *plan)
{
    if (!plan)
        return;
    free(plan->filter);
    free(plan->rlimits);
    free(plan);
}

/* ---- in the child ---- */

/*
 * Runs in the child, possibly as root. The filter was compiled in the
 * parent; loading it is one system call, which needs no_new_privileges or
 * CAP_SYS_ADMIN.
 */
static int load_filter(const struct security_plan *plan, struct congo_error *e)
{
    if (!plan->filter)
        return 0;
    struct sock_fprog prog = {.len = plan->filter_len, .filter = plan->filter};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
        return seccomp_error(e, errno, "load the filter%s",
                             errno == EACCES ? " (without no_new_privileges this needs "
                                               "CAP_SYS_ADMIN)"
                                             : "");
    return 0;
}

/*
 * Runs privileged in the child, before the user switch: setrlimit may
 * still raise a hard limit (CAP_SYS_RESOURCE), and the bounding set can
 * only be reduced while CAP_SETPCAP is effective.
 */
static int apply_rlimits(const struct security_plan *plan, struct congo_error *e)
{
    for (size_t i = 0; i < plan->n_rlimits; i++) {
        const struct plan_rlimit *l = &plan->rlimits[i];
        if (setrlimit(l->resource, &l->lim) == 0)
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
 * Runs privileged in the child, before the user switch. The bounding set
 * caps what any later execve can grant, setuid-root binaries and file
 * capabilities included, so it is reduced first; the inheritable and
 * ambient sets would carry capabilities across execve to a non-root user,
 * so they are emptied.
 */
int security_apply_before_user(const struct security_plan *plan, struct congo_error *e)
{
    if (apply_rlimits(plan, e) < 0)
        return -1;
    for (int c = 0; c <= plan->last_cap; c++) {
        if (plan->caps & CAP_BIT(c))
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
    if (!plan->no_new_privileges && load_filter(plan, e) < 0)
        return -1;
    return 0;
}

/*
 * Runs in the child right after setgroups/setgid/setuid; for uid 0 still
 * privileged. Root keeps exactly the kept set. Any other uid must hold
 * nothing: setuid from root to another uid clears the permitted and
 * effective sets unless SECBIT_KEEP_CAPS or PR_SET_KEEPCAPS was set, and
 * a permitted capability left behind could be made effective again by the
 * command itself, so both are checked, never assumed.
 */
int security_apply_after_user(const struct security_plan *plan, uid_t uid, struct congo_error *e)
{
    struct capsets s;
    if (caps_get(&s) < 0)
        return caps_error(e, errno, "capget");
    if (uid == 0) {
        uint64_t keep = plan->caps & s.prm;
        struct capsets want = {.eff = keep, .prm = keep, .inh = 0};
        if (caps_set(&want) < 0)
            return caps_error(e, errno, "set the effective and permitted sets");
        if (caps_get(&s) < 0)
            return caps_error(e, errno, "capget");
        if (s.eff != keep || s.prm != keep || s.inh != 0)
            return caps_error(e, 0,
                              "the kernel left CapEff %#llx, CapPrm %#llx, CapInh %#llx where "
                              "%#llx was set",
                              (unsigned long long)s.eff, (unsigned long long)s.prm,
                              (unsigned long long)s.inh, (unsigned long long)keep);
    } else if (s.eff || s.prm || s.inh) {
        return caps_error(e, 0,
                          "the switch to uid %u left CapEff %#llx, CapPrm %#llx, CapInh %#llx: "
                          "a user switch must leave no capability",
                          (unsigned)uid, (unsigned long long)s.eff, (unsigned long long)s.prm,
                          (unsigned long long)s.inh);
    }
    if (plan->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return error_set(e, errno, "no_new_privileges: prctl(PR_SET_NO_NEW_PRIVS)");
    if (plan->no_new_privileges && load_filter(plan, e) < 0)
        return -1;
    return 0;
}
