/*
 * What a command running as root inside may do: the capabilities it keeps,
 * its resource limits and the seccomp filter, decided from the profile.
 *
 * The filter is compiled to BPF here, before anything is cloned: the child
 * then loads it with one prctl, and a rule libseccomp refuses is an error
 * located at the `seccomp` key, not a failed start. Whether the launcher
 * itself holds what the plan asks for (a capability, a hard limit above its
 * own) is the host's business: the engine checks that just before it
 * clones (src/runtime/security.c).
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan/plan-internal.h"
#include "profile/schema.h"
#include "profile/seccomp-file.h"
#include "profile/seccomp-oci.h"
#include "util/names.h"
#include "util/util.h"

#define CAP_BIT(c) (UINT64_C(1) << (c))

/*
 * docker's default set without MKNOD, as podman 4 keeps it: congo has no
 * device cgroup, so a node a container makes is kept shut only by the
 * nodev of the file system it is made on; without MKNOD it cannot make one
 * (`capabilities.add: [MKNOD]` gives it back).
 */
const uint64_t plan_default_caps =
    CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(CAP_FSETID) | CAP_BIT(CAP_FOWNER) |
    CAP_BIT(CAP_NET_RAW) | CAP_BIT(CAP_SETGID) | CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETFCAP) |
    CAP_BIT(CAP_SETPCAP) | CAP_BIT(CAP_NET_BIND_SERVICE) | CAP_BIT(CAP_SYS_CHROOT) |
    CAP_BIT(CAP_KILL) | CAP_BIT(CAP_AUDIT_WRITE);

static uint64_t caps_upto(int last)
{
    return last >= 63 ? UINT64_MAX : CAP_BIT(last + 1) - 1;
}

/* The highest capability the running kernel knows (libcap probes it). */
static int kernel_last_cap(void)
{
    int n = (int)cap_max_bits();
    return n > 0 && n <= 64 ? n - 1 : CAP_LAST_CAP;
}

/* ---- seccomp ---- */

static void cleanup_seccomp_ctx(scmp_filter_ctx *c)
{
    if (*c)
        seccomp_release(*c);
}
#define _cleanup_seccomp_ _cleanup_(cleanup_seccomp_ctx)

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

/* A failure of libseccomp's, at the key that asked for the filter. */
static int filter_error(struct diags *d, const struct origin *o, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int filter_error(struct diags *d, const struct origin *o, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    diags_add(d, DIAG_ERROR, o ? o->file : NULL, o ? o->line : 0, 0, origin_key(o, "seccomp"),
              "%s%s%s", msg,
              err ? ": " : "", err ? strerror(err) : "");
    return -1;
}

/*
 * The filter of ctx, holding n_rules rules, as BPF. o locates errors (NULL:
 * a built-in filter).
 */
static int export_filter(scmp_filter_ctx ctx, size_t n_rules, const struct origin *o,
                         struct sock_filter **filter, unsigned short *filter_len, struct diags *d)
{
    /*
     * Rules as a binary tree over the syscall number, not a chain: when the
     * filter is loaded the kernel runs it once for every syscall number of
     * every architecture (to cache the ones it always allows), and a chain
     * of 100 rules made that load take 190 us against 70 us for the tree.
     * Not for an empty list: libseccomp before 2.5.4 then drops the default
     * action and the filter kills every call.
     */
    int r;
    if (n_rules > 0) {
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r < 0)
            return filter_error(d, o, -r, "ask for a binary-tree filter");
    }

    _cleanup_close_ int fd = memfd_create("congo-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return filter_error(d, o, errno, "memfd_create");
    r = seccomp_export_bpf(ctx, fd);
    if (r < 0)
        return filter_error(d, o, -r, "compile the filter");
    struct stat st;
    if (fstat(fd, &st) < 0)
        return filter_error(d, o, errno, "compile the filter: fstat");
    size_t n = (size_t)st.st_size / sizeof(struct sock_filter);
    if (n == 0 || n > BPF_MAXINSNS || (size_t)st.st_size % sizeof(struct sock_filter))
        return filter_error(d, o, 0, "the compiled filter has %zu bytes: too many rules?",
                            (size_t)st.st_size);
    _cleanup_free_ struct sock_filter *insns = xcalloc(n, sizeof(*insns));
    if (pread(fd, insns, (size_t)st.st_size, 0) != st.st_size)
        return filter_error(d, o, errno, "compile the filter: read it back");
    *filter = steal_pointer(&insns);
    *filter_len = (unsigned short)n;
    return 0;
}

/* Compile rules to BPF. o locates errors (NULL: the built-in list). */
static int build_filter(const struct seccomp_rules *rules, const struct origin *o,
                        struct sock_filter **filter, unsigned short *filter_len, struct diags *d)
{
    _cleanup_seccomp_ scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        return filter_error(d, o, 0, "cannot make a filter (libseccomp)");
    /* A thread killed alone would leave a half-dead process behind. */
    int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (r < 0)
        return filter_error(d, o, -r, "set the action for foreign architectures");
    r = add_compat_arches(ctx);
    if (r < 0)
        return filter_error(d, o, -r, "add the compatibility architectures");
    for (size_t i = 0; i < rules->n; i++) {
        const struct seccomp_rule *rule = &rules->v[i];
        /* A whole-call rule already covers every argument; libseccomp would drop one of the two. */
        if (rule->has_arg && has_unconditional(rules, rule->syscall))
            continue;
        if (rule->err <= 0 || rule->err > 4095)
            return filter_error(d, o, 0, "errno %d of a rule is out of range", rule->err);
        r = rule_add(ctx, rule);
        if (r < 0) {
            _cleanup_free_ char *name =
                seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, rule->syscall);
            return filter_error(d, o, -r, "add the rule for `%s`", name ? name : "?");
        }
    }
    return export_filter(ctx, rules->n, o, filter, filter_len, d);
}

/* ---- OCI policies ---- */

static uint32_t policy_action(enum seccomp_policy_action a, unsigned err)
{
    switch (a) {
    case POLICY_ACT_KILL:
    case POLICY_ACT_KILL_THREAD:
        return SCMP_ACT_KILL_THREAD;
    case POLICY_ACT_KILL_PROCESS:
        return SCMP_ACT_KILL_PROCESS;
    case POLICY_ACT_TRAP:
        return SCMP_ACT_TRAP;
    case POLICY_ACT_ERRNO:
        return SCMP_ACT_ERRNO(err);
    case POLICY_ACT_TRACE:
        return SCMP_ACT_TRACE(err);
    case POLICY_ACT_LOG:
        return SCMP_ACT_LOG;
    case POLICY_ACT_ALLOW:
    case POLICY_ACT__MAX:
        break;
    }
    return SCMP_ACT_ALLOW;
}

static const enum scmp_compare policy_ops[POLICY_OP__MAX] = {
    [POLICY_OP_NE] = SCMP_CMP_NE,
    [POLICY_OP_LT] = SCMP_CMP_LT,
    [POLICY_OP_LE] = SCMP_CMP_LE,
    [POLICY_OP_EQ] = SCMP_CMP_EQ,
    [POLICY_OP_GE] = SCMP_CMP_GE,
    [POLICY_OP_GT] = SCMP_CMP_GT,
    [POLICY_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

/* One name of one rule, resolved: what the filter gets. */
struct policy_call {
    size_t rule;
    const char *name;
    int nr;
    uint32_t action;
};

static void note_add(struct run_plan *plan, struct plan_seccomp_note note)
{
    plan->seccomp_notes =
        xrealloc(plan->seccomp_notes, (plan->n_seccomp_notes + 1) * sizeof(*plan->seccomp_notes));
    plan->seccomp_notes[plan->n_seccomp_notes++] = note;
}

/*
 * The calls of the policy's rules, in order, without those that would add
 * nothing (each noted in the plan): a name this libseccomp does not know
 * (skipped, as runc and crun skip it: the same policy serves every kernel),
 * a rule whose action is the default, and a call an unconditional rule
 * already decided. That last is libseccomp's own reading, made explicit:
 * a call's first unconditional rule wins over any later one and over every
 * conditional rule, before or after it.
 */
static struct policy_call *policy_calls(const struct seccomp_policy *pol, uint32_t def,
                                        struct run_plan *plan, size_t *n_calls)
{
    struct policy_call *calls = NULL;
    size_t n = 0;
    for (size_t i = 0; i < pol->n_rules; i++) {
        const struct seccomp_policy_rule *r = &pol->rules[i];
        uint32_t action = policy_action(r->action, r->errno_ret);
        if (action == def) {
            note_add(plan, (struct plan_seccomp_note){.rule = i, .why = PLAN_SECCOMP_DEFAULT});
            continue;
        }
        for (size_t j = 0; r->names[j]; j++) {
            int nr = seccomp_syscall_resolve_name(r->names[j]);
            if (nr == __NR_SCMP_ERROR) {
                note_add(plan, (struct plan_seccomp_note){
                                   .rule = i, .name = r->names[j], .why = PLAN_SECCOMP_UNKNOWN});
                continue;
            }
            calls = xrealloc(calls, (n + 1) * sizeof(*calls));
            calls[n++] =
                (struct policy_call){.rule = i, .name = r->names[j], .nr = nr, .action = action};
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        const struct policy_call *first = NULL;
        for (size_t j = 0; j < n && !first; j++)
            if (calls[j].nr == calls[i].nr && !pol->rules[calls[j].rule].n_args)
                first = &calls[j];
        if (first && first != &calls[i] && first->action != calls[i].action) {
            note_add(plan, (struct plan_seccomp_note){.rule = calls[i].rule,
                                                      .name = calls[i].name,
                                                      .why = PLAN_SECCOMP_DECIDED,
                                                      .by = first->rule});
            continue;
        }
        calls[kept++] = calls[i];
    }
    *n_calls = kept;
    return calls;
}

/* A rule's error, located where the policy wrote the rule. */
static int rule_error(struct diags *d, const struct seccomp_policy_rule *r, const char *name,
                      int err)
{
    const char *why = err == EEXIST ? "another rule for it has the same conditions and another "
                                      "action"
                                    : strerror(err);
    diags_add(d, DIAG_ERROR, r->where.file, r->where.line, 0, r->where.key,
              "libseccomp refuses the rule for `%s`: %s", name, why);
    return -1;
}

/*
 * One call's rule. Conditions on distinct arguments must all hold; two on
 * the same argument make a rule each, either of which matches (runc's and
 * crun's reading, from before libseccomp allowed one rule to compare an
 * argument twice).
 */
static int add_policy_call(scmp_filter_ctx ctx, const struct seccomp_policy_rule *r,
                           const struct policy_call *c)
{
    /* Without a repeated argument there are at most six: a0 to a5. */
    struct scmp_arg_cmp cmp[6];
    bool repeated = false;
    unsigned seen = 0;
    for (size_t k = 0; k < r->n_args; k++) {
        const struct seccomp_policy_arg *a = &r->args[k];
        repeated |= (seen & (1u << a->index)) != 0;
        seen |= 1u << a->index;
    }
    if (!repeated) {
        for (size_t k = 0; k < r->n_args; k++)
            cmp[k] = (struct scmp_arg_cmp){.arg = r->args[k].index,
                                           .op = policy_ops[r->args[k].op],
                                           .datum_a = r->args[k].value,
                                           .datum_b = r->args[k].value_two};
        return seccomp_rule_add_array(ctx, c->action, c->nr, (unsigned)r->n_args, cmp);
    }
    for (size_t k = 0; k < r->n_args; k++) {
        cmp[0] = (struct scmp_arg_cmp){.arg = r->args[k].index,
                                       .op = policy_ops[r->args[k].op],
                                       .datum_a = r->args[k].value,
                                       .datum_b = r->args[k].value_two};
        int e = seccomp_rule_add_array(ctx, c->action, c->nr, 1, cmp);
        if (e < 0)
            return e;
    }
    return 0;
}

/*
 * Compile an OCI policy. Another architecture than those listed is killed,
 * the whole process, as with the deny-lists.
 */
static int build_policy_filter(const struct seccomp_policy *pol, const struct origin *o,
                               struct run_plan *plan, struct diags *d)
{
    uint32_t def = policy_action(pol->default_action, pol->default_errno);
    _cleanup_seccomp_ scmp_filter_ctx ctx = seccomp_init(def);
    if (!ctx)
        return filter_error(d, o, 0,
                            "libseccomp cannot make a filter whose default action is %s (is it "
                            "too old, or the kernel?)",
                            seccomp_policy_action_name(pol->default_action));
    int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    if (r < 0)
        return filter_error(d, o, -r, "set the action for foreign architectures");
    for (size_t i = 0; i < pol->n_arches; i++) {
        r = seccomp_arch_add(ctx, seccomp_policy_arch_token(pol->arches[i]));
        if (r == -EEXIST)
            continue;
        if (r == -EDOM)
            return filter_error(d, o, 0,
                                "architectures: %s cannot share a filter with this machine's "
                                "(another byte order or word size)",
                                seccomp_policy_arch_name(pol->arches[i]));
        if (r < 0)
            return filter_error(d, o, -r, "architectures: add %s",
                                seccomp_policy_arch_name(pol->arches[i]));
    }
    size_t n_calls;
    _cleanup_free_ struct policy_call *calls = policy_calls(pol, def, plan, &n_calls);
    for (size_t i = 0; i < n_calls; i++) {
        const struct seccomp_policy_rule *rule = &pol->rules[calls[i].rule];
        r = add_policy_call(ctx, rule, &calls[i]);
        if (r < 0)
            return rule_error(d, rule, calls[i].name, -r);
    }
    /* One thread runs when it is loaded: there is nothing for TSYNC to synchronise. */
    plan->seccomp_flags = pol->flags & ~(unsigned)SECCOMP_FILTER_FLAG_TSYNC;
    return export_filter(ctx, n_calls, o, &plan->seccomp, &plan->seccomp_len, d);
}

static const struct sock_filter *prebuilt_default;
static unsigned short prebuilt_default_len;

void plan_use_prebuilt_default(const struct sock_filter *insns, unsigned short len, uint32_t arch)
{
    /* A table built for another architecture would check the wrong numbers. */
    if (arch != seccomp_arch_native())
        return;
    prebuilt_default = insns;
    prebuilt_default_len = len;
}

void plan_seccomp_free(struct run_plan *plan)
{
    if (plan->seccomp_rules)
        seccomp_rules_free(plan->seccomp_rules);
    free(plan->seccomp_rules);
    if (plan->seccomp_policy)
        seccomp_policy_free(plan->seccomp_policy);
    free(plan->seccomp_policy);
    free(plan->seccomp_notes);
}

int plan_default_filter(struct sock_filter **insns, unsigned short *len, struct diags *d)
{
    struct seccomp_rules rules = {0};
    seccomp_rules_default(&rules);
    int r = build_filter(&rules, NULL, insns, len, d);
    seccomp_rules_free(&rules);
    return r;
}

/*
 * The rules come with the profile: the loader read the seccomp file or the
 * policy, and its mistakes were the profile's, located in it. It is not
 * read again.
 */
static int plan_seccomp(const struct profile *p, struct run_plan *plan, struct diags *d)
{
    const char *source = profile_str(p, KEY_SECCOMP);
    const struct origin *o = &p->origin[KEY_SECCOMP];
    plan->seccomp_source =
        strcmp(source, SECCOMP_POLICY_INLINE) == 0 ? plan_origin_text(o) : xstrdup(source);
    if (strcmp(source, "unconfined") == 0)
        return 0;
    if (p->seccomp_policy) {
        plan->seccomp_policy = xmalloc(sizeof(*plan->seccomp_policy));
        seccomp_policy_copy(plan->seccomp_policy, p->seccomp_policy);
        return build_policy_filter(plan->seccomp_policy, o, plan, d);
    }
    plan->seccomp_rules = xcalloc(1, sizeof(*plan->seccomp_rules));
    if (strcmp(source, "default") == 0) {
        seccomp_rules_default(plan->seccomp_rules);
        if (prebuilt_default_len) {
            size_t size = prebuilt_default_len * sizeof(*prebuilt_default);
            plan->seccomp = xmalloc(size);
            memcpy(plan->seccomp, prebuilt_default, size);
            plan->seccomp_len = prebuilt_default_len;
            return 0;
        }
    } else if (p->seccomp_rules) {
        seccomp_rules_copy(plan->seccomp_rules, p->seccomp_rules);
    } else {
        diags_add(d, DIAG_ERROR, p->origin[KEY_SECCOMP].file, p->origin[KEY_SECCOMP].line, 0,
                  origin_key(&p->origin[KEY_SECCOMP], "seccomp"), "`%s` was never read", source);
        return -1;
    }
    return build_filter(plan->seccomp_rules, &p->origin[KEY_SECCOMP], &plan->seccomp,
                        &plan->seccomp_len, d);
}

/* An error at capabilities.ambient for the capabilities of set, if any, saying why. */
static void ambient_outside(const struct profile *p, uint64_t set, const char *why,
                            struct diags *d)
{
    if (!set)
        return;
    const struct origin *o = &p->origin[KEY_CAP_AMBIENT];
    _cleanup_free_ char *names = capability_list(set);
    diags_add(d, DIAG_ERROR, o->file, o->line, 0, "capabilities.ambient",
              "%s %s not in the kept set, which bounds the ambient set: %s", names,
              set & (set - 1) ? "are" : "is", why);
}

/*
 * The kernel raises an ambient capability only when it is also permitted
 * and inheritable, and neither can hold what the bounding set lacks; so
 * each must be in the kept set, which is the bounding set. Said here,
 * at the key, rather than as a refused prctl in the child.
 */
static int plan_ambient(const struct profile *p, struct run_plan *plan, struct diags *d)
{
    uint64_t outside = p->cap_ambient & ~plan->caps;
    if (!outside) {
        plan->caps_ambient = p->cap_ambient;
        return 0;
    }
    uint64_t unknown = outside & ~caps_upto(kernel_last_cap());
    uint64_t dropped = outside & ~unknown & p->cap_drop;
    uint64_t not_added = outside & ~unknown & ~dropped;
    ambient_outside(p, dropped, "capabilities.drop takes it away", d);
    if (dropped) {
        const struct origin *o = &p->origin[KEY_CAP_DROP];
        diags_add(d, DIAG_NOTE, o->file, o->line, 0, "capabilities.drop", "set here");
    }
    ambient_outside(p, not_added, "not in the default set, nor in capabilities.add", d);
    ambient_outside(p, unknown, "unknown to the running kernel", d);
    return -1;
}

int plan_security_build(const struct profile *p, struct run_plan *plan, struct diags *d)
{
    /* What the running kernel knows: a capability it lacks cannot be kept, nor dropped. */
    plan->caps = (plan_default_caps | p->cap_add) & ~p->cap_drop & caps_upto(kernel_last_cap());
    plan->caps_named = p->cap_add & ~p->cap_drop;
    uint64_t all = caps_upto(capability_last());
    plan->caps_named_all = (p->cap_add & all) == all;
    plan->no_new_privileges = p->no_new_privileges;
    if (p->n_rlimits) {
        plan->rlimits = xcalloc(p->n_rlimits, sizeof(*plan->rlimits));
        for (size_t i = 0; i < p->n_rlimits; i++)
            plan->rlimits[i] = (struct plan_rlimit){
                .resource = p->rlimits[i].resource,
                .soft = p->rlimits[i].soft,
                .hard = p->rlimits[i].hard,
            };
        plan->n_rlimits = p->n_rlimits;
    }
    int r = plan_ambient(p, plan, d);
    return plan_seccomp(p, plan, d) < 0 ? -1 : r;
}
