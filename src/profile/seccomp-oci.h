/*
 * An OCI seccomp policy (runtime-spec config-linux.md, "Seccomp"): the
 * second kind of source the `seccomp` key takes, beside congo's deny-lists
 * (seccomp-file.h). A policy is an allow-list or a deny-list with argument
 * conditions, as podman hands one over in config.json:
 *
 *   defaultAction: SCMP_ACT_ERRNO
 *   defaultErrnoRet: 1
 *   architectures: [SCMP_ARCH_X86_64, SCMP_ARCH_X86]
 *   syscalls:
 *     - names: [read, write, exit_group]
 *       action: SCMP_ACT_ALLOW
 *     - names: [personality]
 *       action: SCMP_ACT_ALLOW
 *       args: [{index: 0, value: 0, op: SCMP_CMP_EQ}]
 *
 * It is read from a node tree (a map written in a profile, or a `.json`
 * file, whose errors are located by JSON pointer) into the struct below,
 * once, with every field checked; plan/security.c compiles it with
 * libseccomp. System call names are kept as written, known or not: a name
 * this libseccomp or this architecture lacks is skipped when compiling, as
 * runc and crun do, and --print-plan says which.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "node.h"

enum seccomp_policy_action {
    POLICY_ACT_KILL, /* the thread, as runc and crun read SCMP_ACT_KILL */
    POLICY_ACT_KILL_PROCESS,
    POLICY_ACT_KILL_THREAD,
    POLICY_ACT_TRAP,
    POLICY_ACT_ERRNO,
    POLICY_ACT_TRACE,
    POLICY_ACT_ALLOW,
    POLICY_ACT_LOG,
    POLICY_ACT__MAX,
};

enum seccomp_policy_op {
    POLICY_OP_NE,
    POLICY_OP_LT,
    POLICY_OP_LE,
    POLICY_OP_EQ,
    POLICY_OP_GE,
    POLICY_OP_GT,
    POLICY_OP_MASKED_EQ, /* (arg & value) == valueTwo */
    POLICY_OP__MAX,
};

/* The largest number a policy may hold: JSON numbers beyond it do not load (jansson). */
#define POLICY_VALUE_MAX ((uint64_t)INT64_MAX)
/* The kernel returns at most MAX_ERRNO; SCMP_ACT_TRACE hands the tracer 16 bits. */
#define POLICY_ERRNO_MAX 4095
#define POLICY_TRACE_MAX 65535
/* System call arguments: a0 to a5. */
#define POLICY_ARG_MAX 5

struct seccomp_policy_arg {
    unsigned index; /* 0..5 */
    uint64_t value, value_two;
    enum seccomp_policy_op op;
};

/* Where a rule was written, for what the compile finds (a clash of two rules). */
struct seccomp_policy_where {
    char *file; /* as messages name it */
    int line;   /* 0: none (JSON) */
    char *key;  /* `seccomp.syscalls[3]` or `/syscalls/3` */
};

struct seccomp_policy_rule {
    char **names; /* as written, NULL-terminated, at least one */
    enum seccomp_policy_action action;
    unsigned errno_ret; /* ERRNO: the errno (EPERM unless given); TRACE: the tracer's value */
    struct seccomp_policy_arg *args;
    size_t n_args;
    struct seccomp_policy_where where;
};

struct seccomp_policy {
    enum seccomp_policy_action default_action;
    unsigned default_errno; /* as errno_ret, for the default action */
    unsigned *arches;       /* indexes of seccomp_policy_arch_name, in the order written */
    size_t n_arches;
    unsigned flags;      /* SECCOMP_FILTER_FLAG_* bits */
    char *listener_path; /* unused: no action notifies (SCMP_ACT_NOTIFY is refused) */
    char *listener_metadata;
    struct seccomp_policy_rule *rules;
    size_t n_rules;
};

/*
 * A policy from the map at n: every field checked, every error recorded in
 * d at its node. A string that starts with `{` is the policy as JSON text
 * (the form of the `run` command line). Returns -1 on errors, with out
 * untouched.
 */
int seccomp_policy_read(const struct node *n, struct seccomp_policy *out, struct diags *d);
/* A `.json` file holding one policy; its errors are located by JSON pointer in it. */
int seccomp_policy_read_file(const char *path, struct seccomp_policy *out, struct diags *d);
/* Is this scalar text a policy written as JSON (rather than a name or a path)? */
bool seccomp_policy_is_text(const char *s);

void seccomp_policy_free(struct seccomp_policy *p);
/* A deep copy into dst, which is overwritten. */
void seccomp_policy_copy(struct seccomp_policy *dst, const struct seccomp_policy *src);
/* The same policy (where rules were written does not count). */
bool seccomp_policy_equal(const struct seccomp_policy *a, const struct seccomp_policy *b);

/* What the `seccomp` key keeps for a policy written in the profile (a path is absolute). */
#define SECCOMP_POLICY_INLINE "inline"

/* The names of the spec: SCMP_ACT_ALLOW, SCMP_CMP_EQ, SCMP_ARCH_X86_64, SECCOMP_FILTER_FLAG_LOG. */
const char *seccomp_policy_action_name(enum seccomp_policy_action a);
const char *seccomp_policy_op_name(enum seccomp_policy_op op);
const char *seccomp_policy_arch_name(unsigned arch);
/* libseccomp's token of an architecture of the table (SCMP_ARCH_*), 0 when it has none. */
uint32_t seccomp_policy_arch_token(unsigned arch);
/* How many architectures the spec names: seccomp_policy_arch_name takes 0 to that, less one. */
size_t seccomp_policy_arch_count(void);
/* The name of the architecture of a libseccomp token, or "?". */
const char *seccomp_policy_arch_of_token(uint32_t token);
/* The name of one SECCOMP_FILTER_FLAG_* bit, or NULL. */
const char *seccomp_policy_flag_name(unsigned bit);
/* The flags a policy may name, one by one from 0; NULL past the last. */
const char *seccomp_policy_flag_name_at(size_t i);
/* Does the action take errnoRet (ERRNO, TRACE)? */
bool seccomp_policy_action_has_errno(enum seccomp_policy_action a);

/* seccomp-oci-print.c: */

/* The policy as one line of JSON, which seccomp_policy_read takes back. Caller frees. */
char *seccomp_policy_json(const struct seccomp_policy *p);

struct printer;
struct origin;
struct json;
/* --print: `key:` and the policy as a YAML map or a libconfig group, at level. */
void seccomp_policy_print(struct printer *pr, const struct seccomp_policy *p, int level,
                          const char *key, const struct origin *o);
/* --print-schema: the JSON Schema of a policy written in a profile, as one item of an anyOf. */
void seccomp_policy_schema(struct json *j);
