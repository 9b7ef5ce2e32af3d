/* A plan's seccomp filter as OCI's linux.seccomp; see export-seccomp.h. */
#include "oci/export-seccomp.h"

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "profile/seccomp-file.h"
#include "profile/seccomp-oci.h"
#include "util/util.h"

/* The architectures congo's filter covers: the native one and its 32-bit ABIs. */
static json_t *architectures_json(void)
{
    switch (seccomp_arch_native()) {
    case SCMP_ARCH_X86_64:
        return json_pack("[s, s, s]", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");
    case SCMP_ARCH_AARCH64:
        return json_pack("[s, s]", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM");
    default:
        /* None listed: runc's filter then covers the native one alone, as congo's does. */
        return NULL;
    }
}

static json_t *syscall_rule(const char *name, int err, json_t *args)
{
    json_t *rule = json_pack("{s:[s], s:s, s:I}", "names", name, "action", "SCMP_ACT_ERRNO",
                             "errnoRet", (json_int_t)err);
    if (args)
        json_object_set_new(rule, "args", args);
    return rule;
}

/*
 * congo's deny-list as an OCI policy: allow by default, each rule an
 * errno. Whole calls denied with the same errno share an entry; an ioctl
 * request or a clone flag becomes a masked comparison of the argument,
 * as src/plan/security.c compiles it: the request's low 32 bits (the
 * kernel reads an unsigned int), and the flag set whatever else is.
 */
static json_t *seccomp_json(const struct run_plan *plan, struct diags *d)
{
    const struct seccomp_rules *rules = plan->seccomp_rules;
    json_t *syscalls = json_array();
    json_t *by_errno = json_object(); /* "EPERM" -> its entry's names */
    int nr_ioctl = seccomp_syscall_resolve_name("ioctl");
    int nr_clone = seccomp_syscall_resolve_name("clone");
    for (size_t i = 0; i < rules->n; i++) {
        const struct seccomp_rule *r = &rules->v[i];
        _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, r->syscall);
        if (!name) {
            diags_add(d, DIAG_ERROR, NULL, 0, 0, "seccomp",
                      "libseccomp has no name for system call %d", r->syscall);
            continue;
        }
        if (!r->has_arg) {
            _cleanup_free_ char *key = xasprintf("%d", r->err);
            json_t *names = json_object_get(by_errno, key);
            if (names) {
                json_array_append_new(names, json_string(name));
                continue;
            }
            json_t *rule = syscall_rule(name, r->err, NULL);
            json_object_set(by_errno, key, json_object_get(rule, "names"));
            json_array_append_new(syscalls, rule);
            continue;
        }
        /* A whole-call rule covers every argument already (the plan skips these too). */
        bool whole = false;
        for (size_t j = 0; j < rules->n; j++)
            whole |= rules->v[j].syscall == r->syscall && !rules->v[j].has_arg;
        if (whole)
            continue;
        json_t *arg;
        if (r->syscall == nr_ioctl) {
            arg = json_pack("{s:i, s:I, s:I, s:s}", "index", 1, "value", (json_int_t)0xffffffff,
                            "valueTwo", (json_int_t)(r->arg1 & 0xffffffff), "op",
                            "SCMP_CMP_MASKED_EQ");
        } else if (r->syscall == nr_clone) {
#if defined(__s390__) || defined(__s390x__)
            int index = 1; /* s390 swaps clone's first two arguments */
#else
            int index = 0;
#endif
            arg = json_pack("{s:i, s:I, s:I, s:s}", "index", index, "value", (json_int_t)r->arg1,
                            "valueTwo", (json_int_t)r->arg1, "op", "SCMP_CMP_MASKED_EQ");
        } else {
            diags_add(d, DIAG_ERROR, NULL, 0, 0, "seccomp",
                      "a rule on an argument of `%s` has no OCI form", name);
            continue;
        }
        json_array_append_new(syscalls, syscall_rule(name, r->err, json_pack("[o]", arg)));
    }
    json_decref(by_errno);
    json_t *s = json_pack("{s:s}", "defaultAction", "SCMP_ACT_ALLOW");
    json_t *arches = architectures_json();
    if (arches)
        json_object_set_new(s, "architectures", arches);
    json_object_set_new(s, "syscalls", syscalls);
    return s;
}

/*
 * An OCI policy of the profile's (the seccomp key's inline map, or its
 * .json file) is already in runtime-spec's words: written back as it is,
 * flags, default errno and architectures included, through the same
 * printer --print-cli uses.
 */
static json_t *policy_json(const struct seccomp_policy *pol)
{
    _cleanup_free_ char *text = seccomp_policy_json(pol);
    json_t *v = json_loads(text, 0, NULL);
    if (!v)
        abort(); /* the printer's own JSON: only out of memory fails it */
    return v;
}

json_t *oci_export_seccomp(const struct run_plan *plan, struct diags *d)
{
    if (plan->seccomp_policy)
        return policy_json(plan->seccomp_policy);
    if (plan->seccomp_rules)
        return seccomp_json(plan, d);
    return NULL;
}
