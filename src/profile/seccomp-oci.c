/*
 * OCI seccomp policies: reading one from a node tree, checking every field
 * as the spec defines it. seccomp-oci-print.c writes one back (--print,
 * --print-cli, --print-schema); the compile is plan/security.c's.
 *
 * Where the spec leaves a choice, congo takes the strict one, as it does
 * everywhere in a profile: an unknown field, action, operator,
 * architecture or flag is an error, never ignored, and so is a number
 * written as a string in JSON (`"value": "1"`). System call names are the
 * exception, as in runc and crun: the same policy serves every
 * architecture and kernel, so a name this libseccomp does not know is kept
 * and skipped when the filter is compiled.
 *
 * What congo cannot honour is refused, located: SCMP_ACT_NOTIFY hands
 * calls to a seccomp agent listening at listenerPath, which congo does not
 * run (listenerPath alone, which the spec says is ignored without such a
 * rule, is kept); SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV only concerns
 * such an agent.
 */
#include "seccomp-oci.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "util/util.h"
#include "value.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static const char *const action_names[POLICY_ACT__MAX] = {
    [POLICY_ACT_KILL] = "SCMP_ACT_KILL",
    [POLICY_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
    [POLICY_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
    [POLICY_ACT_TRAP] = "SCMP_ACT_TRAP",
    [POLICY_ACT_ERRNO] = "SCMP_ACT_ERRNO",
    [POLICY_ACT_TRACE] = "SCMP_ACT_TRACE",
    [POLICY_ACT_ALLOW] = "SCMP_ACT_ALLOW",
    [POLICY_ACT_LOG] = "SCMP_ACT_LOG",
};

static const char *const op_names[POLICY_OP__MAX] = {
    [POLICY_OP_NE] = "SCMP_CMP_NE",
    [POLICY_OP_LT] = "SCMP_CMP_LT",
    [POLICY_OP_LE] = "SCMP_CMP_LE",
    [POLICY_OP_EQ] = "SCMP_CMP_EQ",
    [POLICY_OP_GE] = "SCMP_CMP_GE",
    [POLICY_OP_GT] = "SCMP_CMP_GT",
    [POLICY_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

/* The spec's architectures, and libseccomp's names for them in the same order. */
static const char *const arch_names[] = {
    "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     "SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",    "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",
};
static const char *const arch_scmp[ARRAY_SIZE(arch_names)] = {
    "x86",    "x86_64",   "x32",         "arm",         "aarch64", "mips",    "mips64", "mips64n32",
    "mipsel", "mipsel64", "mipsel64n32", "ppc",         "ppc64",   "ppc64le", "s390",   "s390x",
    "parisc", "parisc64", "riscv64",     "loongarch64", "m68k",    "sh",      "sheb",
};

static const char *const flag_names[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};
static const unsigned flag_bits[ARRAY_SIZE(flag_names)] = {
    SECCOMP_FILTER_FLAG_TSYNC,
    SECCOMP_FILTER_FLAG_LOG,
    SECCOMP_FILTER_FLAG_SPEC_ALLOW,
    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
};

static const char *const policy_fields[] = {
    "defaultAction", "defaultErrnoRet",  "architectures", "flags",
    "listenerPath",  "listenerMetadata", "syscalls",
};
static const char *const rule_fields[] = {"names", "action", "errnoRet", "args"};
static const char *const arg_fields[] = {"index", "value", "valueTwo", "op"};

const char *seccomp_policy_action_name(enum seccomp_policy_action a)
{
    return a < POLICY_ACT__MAX ? action_names[a] : "?";
}

const char *seccomp_policy_op_name(enum seccomp_policy_op op)
{
    return op < POLICY_OP__MAX ? op_names[op] : "?";
}

const char *seccomp_policy_arch_name(unsigned arch)
{
    return arch < ARRAY_SIZE(arch_names) ? arch_names[arch] : "?";
}

uint32_t seccomp_policy_arch_token(unsigned arch)
{
    return arch < ARRAY_SIZE(arch_scmp) ? seccomp_arch_resolve_name(arch_scmp[arch]) : 0;
}

const char *seccomp_policy_arch_of_token(uint32_t token)
{
    for (unsigned i = 0; i < ARRAY_SIZE(arch_names); i++)
        if (token && seccomp_policy_arch_token(i) == token)
            return arch_names[i];
    return "?";
}

size_t seccomp_policy_arch_count(void)
{
    return ARRAY_SIZE(arch_names);
}

const char *seccomp_policy_flag_name_at(size_t i)
{
    return i < ARRAY_SIZE(flag_names) ? flag_names[i] : NULL;
}

const char *seccomp_policy_flag_name(unsigned bit)
{
    for (size_t i = 0; i < ARRAY_SIZE(flag_bits); i++)
        if (flag_bits[i] == bit)
            return flag_names[i];
    return NULL;
}

bool seccomp_policy_action_has_errno(enum seccomp_policy_action a)
{
    return a == POLICY_ACT_ERRNO || a == POLICY_ACT_TRACE;
}

bool seccomp_policy_is_text(const char *s)
{
    return s && s[0] == '{';
}

/* ---- freeing, copying, comparing ---- */

static void rule_free(struct seccomp_policy_rule *r)
{
    strv_free(r->names);
    free(r->args);
    free(r->where.file);
    free(r->where.key);
}

void seccomp_policy_free(struct seccomp_policy *p)
{
    for (size_t i = 0; i < p->n_rules; i++)
        rule_free(&p->rules[i]);
    free(p->rules);
    free(p->arches);
    free(p->listener_path);
    free(p->listener_metadata);
    *p = (struct seccomp_policy){0};
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void *dup_array(const void *v, size_t n, size_t size)
{
    if (!n)
        return NULL;
    void *c = xmalloc(n * size);
    memcpy(c, v, n * size);
    return c;
}

void seccomp_policy_copy(struct seccomp_policy *dst, const struct seccomp_policy *src)
{
    *dst = *src;
    dst->arches = dup_array(src->arches, src->n_arches, sizeof(*src->arches));
    dst->listener_path = dup_or_null(src->listener_path);
    dst->listener_metadata = dup_or_null(src->listener_metadata);
    dst->rules = src->n_rules ? xcalloc(src->n_rules, sizeof(*src->rules)) : NULL;
    for (size_t i = 0; i < src->n_rules; i++) {
        const struct seccomp_policy_rule *s = &src->rules[i];
        struct seccomp_policy_rule *r = &dst->rules[i];
        *r = *s;
        r->names = strv_copy(s->names);
        r->args = dup_array(s->args, s->n_args, sizeof(*s->args));
        r->where.file = dup_or_null(s->where.file);
        r->where.key = dup_or_null(s->where.key);
    }
}

static bool arg_equal(const struct seccomp_policy_arg *a, const struct seccomp_policy_arg *b)
{
    return a->index == b->index && a->value == b->value && a->value_two == b->value_two &&
           a->op == b->op;
}

static bool rule_equal(const struct seccomp_policy_rule *a, const struct seccomp_policy_rule *b)
{
    if (!strv_eq(a->names, b->names) || a->action != b->action || a->errno_ret != b->errno_ret ||
        a->n_args != b->n_args)
        return false;
    for (size_t i = 0; i < a->n_args; i++)
        if (!arg_equal(&a->args[i], &b->args[i]))
            return false;
    return true;
}

bool seccomp_policy_equal(const struct seccomp_policy *a, const struct seccomp_policy *b)
{
    if (a->default_action != b->default_action || a->default_errno != b->default_errno ||
        a->n_arches != b->n_arches || a->flags != b->flags || a->n_rules != b->n_rules ||
        !str_eq(a->listener_path, b->listener_path) ||
        !str_eq(a->listener_metadata, b->listener_metadata))
        return false;
    if (a->n_arches && memcmp(a->arches, b->arches, a->n_arches * sizeof(*a->arches)) != 0)
        return false;
    for (size_t i = 0; i < a->n_rules; i++)
        if (!rule_equal(&a->rules[i], &b->rules[i]))
            return false;
    return true;
}

/* ---- reading ---- */

static bool json_source(const struct node *n)
{
    return n->src && n->src->json;
}

/* A string field. JSON keeps numbers and booleans apart from strings, and so does this. */
static const char *read_text(const struct node *n, const char *what, struct diags *d)
{
    const char *s = read_scalar(n, what, d);
    if (s && json_source(n) && !(n->flags & NODE_QUOTED)) {
        diags_node(d, DIAG_ERROR, n, "expected %s (a JSON string), got %s", what, s);
        return NULL;
    }
    return s;
}

/* Decimal digits, or (outside JSON, which has no such numbers) 0x and hex digits. */
static bool parse_number(const char *s, bool hex_ok, uint64_t *out)
{
    unsigned base = 10;
    if (hex_ok && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2]) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        unsigned digit;
        if (*s >= '0' && *s <= '9')
            digit = (unsigned)(*s - '0');
        else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
            digit = (unsigned)((*s | 0x20) - 'a' + 10);
        else
            return false;
        if (v > (UINT64_MAX - digit) / base)
            return false;
        v = v * base + digit;
    }
    *out = v;
    return true;
}

/*
 * A whole number from 0 to max. JSON wants a number (`"1"` is a string
 * there, as it is to runc); YAML and libconfig read either, as they read
 * every value of a profile by its key's type.
 */
static int read_number(const struct node *n, const char *what, uint64_t max, uint64_t *out,
                       struct diags *d)
{
    const char *s = read_scalar(n, what, d);
    if (!s)
        return -1;
    if (json_source(n) && (n->flags & NODE_QUOTED)) {
        diags_node(d, DIAG_ERROR, n, "expected %s as a JSON number, got the string \"%s\"", what,
                   s);
        return -1;
    }
    uint64_t v;
    if (!parse_number(s, !json_source(n), &v) || v > max) {
        diags_node(d, DIAG_ERROR, n, "expected %s, a whole number from 0 to %llu, got `%s`", what,
                   (unsigned long long)max, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* Every key of map is one of fields; each other is an error with a suggestion. */
static bool check_fields(const struct node *map, const char *const *fields, size_t n,
                         const char *what, struct diags *d)
{
    bool ok = true;
    for (size_t i = 0; i < map->n_items; i++) {
        const char *key = map->items[i]->key;
        bool known = false;
        for (size_t j = 0; j < n && !known; j++)
            known = strcmp(key, fields[j]) == 0;
        if (known)
            continue;
        const char *hint = suggest_from(fields, n, key);
        if (hint)
            diags_key(d, DIAG_ERROR, map->items[i], "unknown key `%s` in %s (did you mean `%s`?)",
                      key, what, hint);
        else
            diags_key(d, DIAG_ERROR, map->items[i], "unknown key `%s` in %s", key, what);
        ok = false;
    }
    return ok;
}

/* A node of that kind, or an error that says what it should hold. */
static bool expect(const struct node *n, enum node_kind kind, const char *what, struct diags *d)
{
    if (n->flags & NODE_REPORTED)
        return false;
    if (n->kind == kind)
        return true;
    diags_node(d, DIAG_ERROR, n, "expected %s, got %s", what, node_kind_name(n));
    return false;
}

/* A required field of map, or an error at the map. */
static const struct node *required(const struct node *map, const char *field, const char *why,
                                   struct diags *d)
{
    const struct node *n = node_map_get(map, field);
    if (!n)
        diags_node(d, DIAG_ERROR, map, "missing `%s`: %s", field, why);
    return n;
}

/* One of words, by name; -1 after an error that suggests the nearest. */
static int read_word(const struct node *n, const char *what, const char *const *words, size_t count,
                     struct diags *d)
{
    const char *s = read_text(n, what, d);
    if (!s)
        return -1;
    for (size_t i = 0; i < count; i++)
        if (words[i] && strcmp(words[i], s) == 0)
            return (int)i;
    const char *hint = suggest_from(words, count, s);
    if (hint)
        diags_node(d, DIAG_ERROR, n, "unknown %s `%s` (did you mean `%s`?)", what, s, hint);
    else
        diags_node(d, DIAG_ERROR, n, "unknown %s `%s`", what, s);
    return -1;
}

static int read_action(const struct node *n, enum seccomp_policy_action *out, struct diags *d)
{
    const char *s = read_text(n, "an action", d);
    if (!s)
        return -1;
    if (strcmp(s, "SCMP_ACT_NOTIFY") == 0) {
        diags_node(d, DIAG_ERROR, n,
                   "SCMP_ACT_NOTIFY hands the call to a seccomp agent listening at "
                   "listenerPath; congo does not support seccomp agents (user notification)");
        return -1;
    }
    int a = read_word(n, "action", action_names, POLICY_ACT__MAX, d);
    if (a < 0)
        return -1;
    *out = (enum seccomp_policy_action)a;
    return 0;
}

/*
 * errnoRet or defaultErrnoRet at n (NULL: not given) for action a. Only
 * ERRNO and TRACE take one (the spec: any other is an error); ERRNO
 * returns EPERM without one, and TRACE hands EPERM to the tracer, as in
 * runc.
 */
static int read_errno(const struct node *n, enum seccomp_policy_action a, const char *field,
                      unsigned *out, struct diags *d)
{
    *out = seccomp_policy_action_has_errno(a) ? EPERM : 0;
    if (!n)
        return 0;
    if (!seccomp_policy_action_has_errno(a)) {
        diags_node(d, DIAG_ERROR, n, "%s is for SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not %s", field,
                   action_names[a]);
        return -1;
    }
    uint64_t v;
    if (read_number(n, a == POLICY_ACT_ERRNO ? "an errno" : "a value for the tracer",
                    a == POLICY_ACT_ERRNO ? POLICY_ERRNO_MAX : POLICY_TRACE_MAX, &v, d) < 0)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int read_arg(const struct node *n, struct seccomp_policy_arg *arg, struct diags *d)
{
    if (!expect(n, NODE_MAP, "a map of index, value, valueTwo and op", d))
        return -1;
    bool ok = check_fields(n, arg_fields, ARRAY_SIZE(arg_fields), "an argument condition", d);
    uint64_t v;
    const struct node *f = required(n, "index", "which argument, 0 to 5", d);
    if (!f || read_number(f, "an argument index", POLICY_ARG_MAX, &v, d) < 0)
        ok = false;
    else
        arg->index = (unsigned)v;
    f = required(n, "value", "the value compared", d);
    if (!f || read_number(f, "a value", POLICY_VALUE_MAX, &arg->value, d) < 0)
        ok = false;
    f = node_map_get(n, "valueTwo");
    if (f && read_number(f, "a value", POLICY_VALUE_MAX, &arg->value_two, d) < 0)
        ok = false;
    f = required(n, "op", "the comparison, such as SCMP_CMP_EQ", d);
    int op = f ? read_word(f, "operator", op_names, POLICY_OP__MAX, d) : -1;
    if (op < 0)
        ok = false;
    else
        arg->op = (enum seccomp_policy_op)op;
    return ok ? 0 : -1;
}

static int read_names(const struct node *n, char ***out, struct diags *d)
{
    if (!expect(n, NODE_SEQ, "a list of system call names", d))
        return -1;
    if (n->n_items == 0) {
        diags_node(d, DIAG_ERROR, n, "no system call names; a rule names at least one");
        return -1;
    }
    bool ok = true;
    _cleanup_strv_ char **names = NULL;
    for (size_t i = 0; i < n->n_items; i++) {
        const char *s = read_text(n->items[i], "a system call name", d);
        if (s && !*s) {
            diags_node(d, DIAG_ERROR, n->items[i], "empty system call name");
            s = NULL;
        }
        if (!s)
            ok = false;
        else if (ok)
            strv_push(&names, xstrdup(s));
    }
    if (!ok)
        return -1;
    *out = steal_pointer(&names);
    return 0;
}

static int read_rule(const struct node *n, struct seccomp_policy_rule *r, struct diags *d)
{
    if (!expect(n, NODE_MAP, "a map of names, action, errnoRet and args", d))
        return -1;
    bool ok = check_fields(n, rule_fields, ARRAY_SIZE(rule_fields), "a seccomp rule", d);
    r->where = (struct seccomp_policy_where){
        .file = n->src ? xstrdup(n->src->name) : NULL,
        .line = n->line,
        .key = node_path(n),
    };
    const struct node *f = required(n, "names", "the system calls the rule is for", d);
    if (!f || read_names(f, &r->names, d) < 0)
        ok = false;
    f = required(n, "action", "what the rule does, such as SCMP_ACT_ALLOW", d);
    /* Without an action, there is no telling whether errnoRet belongs. */
    if (!f || read_action(f, &r->action, d) < 0 ||
        read_errno(node_map_get(n, "errnoRet"), r->action, "errnoRet", &r->errno_ret, d) < 0)
        ok = false;
    f = node_map_get(n, "args");
    if (f && !expect(f, NODE_SEQ, "a list of argument conditions", d)) {
        ok = false;
    } else if (f && f->n_items) {
        r->args = xcalloc(f->n_items, sizeof(*r->args));
        r->n_args = f->n_items;
        for (size_t i = 0; i < f->n_items; i++)
            if (read_arg(f->items[i], &r->args[i], d) < 0)
                ok = false;
    }
    return ok ? 0 : -1;
}

static int read_arches(const struct node *n, struct seccomp_policy *p, struct diags *d)
{
    if (!expect(n, NODE_SEQ, "a list of architectures", d))
        return -1;
    bool ok = true;
    p->arches = n->n_items ? xcalloc(n->n_items, sizeof(*p->arches)) : NULL;
    for (size_t i = 0; i < n->n_items; i++) {
        int a = read_word(n->items[i], "architecture", arch_names, ARRAY_SIZE(arch_names), d);
        if (a < 0) {
            ok = false;
            continue;
        }
        if (!seccomp_policy_arch_token((unsigned)a)) {
            const struct scmp_version *v = seccomp_version();
            diags_node(d, DIAG_ERROR, n->items[i],
                       "%s is unknown to this libseccomp (%u.%u.%u), so no filter can cover it",
                       arch_names[a], v->major, v->minor, v->micro);
            ok = false;
            continue;
        }
        p->arches[p->n_arches++] = (unsigned)a;
    }
    return ok ? 0 : -1;
}

static int read_flags(const struct node *n, struct seccomp_policy *p, struct diags *d)
{
    if (!expect(n, NODE_SEQ, "a list of flags", d))
        return -1;
    bool ok = true;
    for (size_t i = 0; i < n->n_items; i++) {
        int f = read_word(n->items[i], "flag", flag_names, ARRAY_SIZE(flag_names), d);
        if (f < 0) {
            ok = false;
        } else if (flag_bits[f] == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) {
            diags_node(d, DIAG_ERROR, n->items[i],
                       "%s concerns a seccomp agent (SCMP_ACT_NOTIFY), which congo does not "
                       "support",
                       flag_names[f]);
            ok = false;
        } else {
            p->flags |= flag_bits[f];
        }
    }
    return ok ? 0 : -1;
}

static int read_listener(const struct node *map, struct seccomp_policy *p, struct diags *d)
{
    bool ok = true;
    const struct node *path = node_map_get(map, "listenerPath");
    const struct node *meta = node_map_get(map, "listenerMetadata");
    if (path) {
        const char *s = read_text(path, "the path of a socket", d);
        if (s && !*s) {
            diags_node(d, DIAG_ERROR, path, "empty path");
            s = NULL;
        }
        if (s)
            p->listener_path = xstrdup(s);
        else
            ok = false;
    }
    if (meta) {
        const char *s = read_text(meta, "a string", d);
        if (s && !path) {
            diags_node(d, DIAG_ERROR, meta, "listenerMetadata without listenerPath");
            s = NULL;
        }
        if (s)
            p->listener_metadata = xstrdup(s);
        else
            ok = false;
    }
    return ok ? 0 : -1;
}

/* The policy at map; every error recorded. */
static int read_policy_map(const struct node *map, struct seccomp_policy *out, struct diags *d)
{
    if (!expect(map, NODE_MAP,
                "a seccomp policy (a map with defaultAction), default, unconfined or a path", d))
        return -1;
    struct seccomp_policy p = {0};
    bool ok = check_fields(map, policy_fields, ARRAY_SIZE(policy_fields), "a seccomp policy", d);
    const struct node *f =
        required(map, "defaultAction", "the action for every call no rule matches", d);
    if (!f || read_action(f, &p.default_action, d) < 0 ||
        read_errno(node_map_get(map, "defaultErrnoRet"), p.default_action, "defaultErrnoRet",
                   &p.default_errno, d) < 0)
        ok = false;
    if ((f = node_map_get(map, "architectures")) && read_arches(f, &p, d) < 0)
        ok = false;
    if ((f = node_map_get(map, "flags")) && read_flags(f, &p, d) < 0)
        ok = false;
    if (read_listener(map, &p, d) < 0)
        ok = false;
    f = node_map_get(map, "syscalls");
    if (f && !expect(f, NODE_SEQ, "a list of rules", d)) {
        ok = false;
    } else if (f && f->n_items) {
        p.rules = xcalloc(f->n_items, sizeof(*p.rules));
        p.n_rules = f->n_items;
        for (size_t i = 0; i < f->n_items; i++)
            if (read_rule(f->items[i], &p.rules[i], d) < 0)
                ok = false;
    }
    if (!ok) {
        seccomp_policy_free(&p);
        return -1;
    }
    *out = p;
    return 0;
}

static void set_lines(struct node *n, int line)
{
    n->line = line;
    for (size_t i = 0; i < n->n_items; i++)
        set_lines(n->items[i], line);
}

/*
 * The policy as JSON text in a string (`--seccomp '{...}'`): parsed as a
 * JSON document, whose errors name a JSON pointer below the key that held
 * it (`seccomp/syscalls/0/action`), at that key's line.
 */
static int read_policy_text(const struct node *n, struct seccomp_policy *out, struct diags *d)
{
    struct source src = {.name = n->src ? n->src->name : (char *)"<command line>", .json = true};
    _cleanup_node_ struct node *root = load_json(n->text, strlen(n->text), &src, d);
    if (!root)
        return -1;
    root->where = node_path(n);
    set_lines(root, n->line);
    return read_policy_map(root, out, d);
}

int seccomp_policy_read(const struct node *n, struct seccomp_policy *out, struct diags *d)
{
    if (n->kind == NODE_SCALAR && !(n->flags & (NODE_NULL | NODE_REPORTED)) &&
        seccomp_policy_is_text(n->text))
        return read_policy_text(n, out, d);
    return read_policy_map(n, out, d);
}

int seccomp_policy_read_file(const char *path, struct seccomp_policy *out, struct diags *d)
{
    struct source src = {.name = (char *)path, .json = true};
    _cleanup_node_ struct node *root = load_file(path, &src, d);
    if (!root)
        return -1;
    return read_policy_map(root, out, d);
}
