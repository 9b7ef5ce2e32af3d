/*
 * An OCI seccomp policy written back: as a YAML map or a libconfig group
 * for --print, as one line of JSON for --print-cli, and its JSON Schema
 * for --print-schema. Each loads back (seccomp-oci.c) to the same policy.
 */
#include "seccomp-oci.h"

#include <jansson.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "value.h"

#define FLAG_BITS 32

/* The names of the flags set in flags, in the order of their bits; how many. */
static size_t flag_names(unsigned flags, const char **names)
{
    size_t n = 0;
    for (unsigned b = 0; b < FLAG_BITS; b++)
        if ((flags & (1u << b)) && seccomp_policy_flag_name(1u << b))
            names[n++] = seccomp_policy_flag_name(1u << b);
    return n;
}

/* A number as the format reads it: libconfig wants an L past 32 bits. */
static void put_number(struct printer *pr, uint64_t v)
{
    strbuf_printf(&pr->sb, "%llu%s", (unsigned long long)v,
                  pr->fmt == PRINT_CONF && v > INT32_MAX ? "L" : "");
}

static void field_close(struct printer *pr)
{
    if (pr->fmt == PRINT_CONF)
        strbuf_putc(&pr->sb, ';');
    strbuf_putc(&pr->sb, '\n');
}

static void put_text_field(struct printer *pr, int level, const char *key, const char *value)
{
    key_open(pr, level, key);
    put_string(pr, value);
    field_close(pr);
}

static void put_number_field(struct printer *pr, int level, const char *key, uint64_t v)
{
    key_open(pr, level, key);
    put_number(pr, v);
    field_close(pr);
}

/* `[a, b]` in YAML, `[ "a", "b" ]` in libconfig (an array: values of one type). */
static void put_words(struct printer *pr, const char *const *words, size_t n)
{
    bool yaml = pr->fmt == PRINT_YAML;
    strbuf_puts(&pr->sb, yaml ? "[" : "[ ");
    for (size_t i = 0; i < n; i++) {
        if (i)
            strbuf_puts(&pr->sb, ", ");
        put_string(pr, words[i]);
    }
    strbuf_puts(&pr->sb, yaml ? "]" : " ]");
}

static void put_words_field(struct printer *pr, int level, const char *key,
                            const char *const *words, size_t n)
{
    key_open(pr, level, key);
    put_words(pr, words, n);
    field_close(pr);
}

static void put_arg(struct printer *pr, const struct seccomp_policy_arg *a)
{
    bool yaml = pr->fmt == PRINT_YAML;
    const char *sep = yaml ? ": " : " = ", *end = yaml ? ", " : "; ";
    strbuf_printf(&pr->sb, "%sindex%s%u%s", yaml ? "{" : "{ ", sep, a->index, end);
    strbuf_printf(&pr->sb, "value%s", sep);
    put_number(pr, a->value);
    if (a->value_two || a->op == POLICY_OP_MASKED_EQ) {
        strbuf_printf(&pr->sb, "%svalueTwo%s", end, sep);
        put_number(pr, a->value_two);
    }
    strbuf_printf(&pr->sb, "%sop%s", end, sep);
    put_string(pr, seccomp_policy_op_name(a->op));
    strbuf_puts(&pr->sb, yaml ? "}" : "; }");
}

static void put_rule(struct printer *pr, const struct seccomp_policy_rule *r, int level, bool last)
{
    bool yaml = pr->fmt == PRINT_YAML;
    /* YAML: `- names: ...` with the other fields under it; libconfig: a group in the list. */
    int in = level + 1;
    put_indent(pr, level);
    if (yaml) {
        strbuf_puts(&pr->sb, "- ");
    } else {
        strbuf_puts(&pr->sb, "{\n");
        put_indent(pr, in);
    }
    strbuf_printf(&pr->sb, yaml ? "names: " : "names = ");
    put_words(pr, (const char *const *)r->names, strv_len(r->names));
    field_close(pr);
    put_text_field(pr, in, "action", seccomp_policy_action_name(r->action));
    if (seccomp_policy_action_has_errno(r->action))
        put_number_field(pr, in, "errnoRet", r->errno_ret);
    if (r->n_args) {
        put_indent(pr, in);
        strbuf_puts(&pr->sb, yaml ? "args:\n" : "args = (\n");
        for (size_t i = 0; i < r->n_args; i++) {
            put_indent(pr, in + 1);
            if (yaml)
                strbuf_puts(&pr->sb, "- ");
            put_arg(pr, &r->args[i]);
            strbuf_puts(&pr->sb, !yaml && i + 1 < r->n_args ? ",\n" : "\n");
        }
        if (!yaml) {
            put_indent(pr, in);
            strbuf_puts(&pr->sb, ");\n");
        }
    }
    if (!yaml) {
        put_indent(pr, level);
        strbuf_puts(&pr->sb, last ? "}\n" : "},\n");
    }
}

void seccomp_policy_print(struct printer *pr, const struct seccomp_policy *p, int level,
                          const char *key, const struct origin *o)
{
    bool yaml = pr->fmt == PRINT_YAML;
    int in = level + 1;
    put_indent(pr, level);
    strbuf_printf(&pr->sb, yaml ? "%s:" : "%s = {", key);
    put_origin(pr, o);
    strbuf_putc(&pr->sb, '\n');
    put_text_field(pr, in, "defaultAction", seccomp_policy_action_name(p->default_action));
    if (seccomp_policy_action_has_errno(p->default_action))
        put_number_field(pr, in, "defaultErrnoRet", p->default_errno);
    if (p->n_arches) {
        _cleanup_free_ const char **names = xcalloc(p->n_arches, sizeof(*names));
        for (size_t i = 0; i < p->n_arches; i++)
            names[i] = seccomp_policy_arch_name(p->arches[i]);
        put_words_field(pr, in, "architectures", names, p->n_arches);
    }
    if (p->flags) {
        const char *names[FLAG_BITS];
        put_words_field(pr, in, "flags", names, flag_names(p->flags, names));
    }
    if (p->listener_path)
        put_text_field(pr, in, "listenerPath", p->listener_path);
    if (p->listener_metadata)
        put_text_field(pr, in, "listenerMetadata", p->listener_metadata);
    if (p->n_rules) {
        put_indent(pr, in);
        strbuf_puts(&pr->sb, yaml ? "syscalls:\n" : "syscalls = (\n");
        for (size_t i = 0; i < p->n_rules; i++)
            put_rule(pr, &p->rules[i], in + 1, i + 1 == p->n_rules);
        if (!yaml) {
            put_indent(pr, in);
            strbuf_puts(&pr->sb, ");\n");
        }
    }
    if (!yaml) {
        put_indent(pr, level);
        strbuf_puts(&pr->sb, "};\n");
    }
}

static json_t *string_array(const char *const *words, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(words[i]));
    return a;
}

static json_t *rule_json(const struct seccomp_policy_rule *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "names",
                        string_array((const char *const *)r->names, strv_len(r->names)));
    json_object_set_new(o, "action", json_string(seccomp_policy_action_name(r->action)));
    if (seccomp_policy_action_has_errno(r->action))
        json_object_set_new(o, "errnoRet", json_integer(r->errno_ret));
    if (!r->n_args)
        return o;
    json_t *args = json_array();
    for (size_t i = 0; i < r->n_args; i++) {
        const struct seccomp_policy_arg *a = &r->args[i];
        json_t *c = json_object();
        json_object_set_new(c, "index", json_integer(a->index));
        json_object_set_new(c, "value", json_integer((json_int_t)a->value));
        if (a->value_two || a->op == POLICY_OP_MASKED_EQ)
            json_object_set_new(c, "valueTwo", json_integer((json_int_t)a->value_two));
        json_object_set_new(c, "op", json_string(seccomp_policy_op_name(a->op)));
        json_array_append_new(args, c);
    }
    json_object_set_new(o, "args", args);
    return o;
}

char *seccomp_policy_json(const struct seccomp_policy *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "defaultAction",
                        json_string(seccomp_policy_action_name(p->default_action)));
    if (seccomp_policy_action_has_errno(p->default_action))
        json_object_set_new(o, "defaultErrnoRet", json_integer(p->default_errno));
    if (p->n_arches) {
        json_t *a = json_array();
        for (size_t i = 0; i < p->n_arches; i++)
            json_array_append_new(a, json_string(seccomp_policy_arch_name(p->arches[i])));
        json_object_set_new(o, "architectures", a);
    }
    if (p->flags) {
        const char *names[FLAG_BITS];
        json_object_set_new(o, "flags", string_array(names, flag_names(p->flags, names)));
    }
    if (p->listener_path)
        json_object_set_new(o, "listenerPath", json_string(p->listener_path));
    if (p->listener_metadata)
        json_object_set_new(o, "listenerMetadata", json_string(p->listener_metadata));
    if (p->n_rules) {
        json_t *rules = json_array();
        for (size_t i = 0; i < p->n_rules; i++)
            json_array_append_new(rules, rule_json(&p->rules[i]));
        json_object_set_new(o, "syscalls", rules);
    }
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!text)
        abort(); /* jansson fails only when out of memory */
    char *out = xstrdup(text);
    free(text);
    return out;
}

/* ---- --print-schema ---- */

/* A number as YAML or libconfig may write it: a number, or a string of digits (0x hex too). */
static void schema_number(struct json *j, const char *key, uint64_t max)
{
    jsonw_open(j, key, '{');
    jsonw_open(j, "anyOf", '[');
    _cleanup_free_ char *top = xasprintf("%llu", (unsigned long long)max);
    schema_range(j, "integer", "0", top);
    schema_pattern(j, "^(0[xX][0-9A-Fa-f]+|[0-9]+)$");
    schema_variable(j);
    jsonw_close(j);
    jsonw_close(j);
}

/* A member whose value is one of words. */
static void schema_enum(struct json *j, const char *key, const char *const *words, size_t n)
{
    jsonw_open(j, key, '{');
    jsonw_open(j, "anyOf", '[');
    schema_words(j, words, n);
    jsonw_close(j);
    jsonw_close(j);
}

static void schema_enum_list(struct json *j, const char *key, const char *const *words, size_t n)
{
    jsonw_open(j, key, '{');
    jsonw_string(j, "type", "array");
    schema_enum(j, "items", words, n);
    jsonw_close(j);
}

static void schema_required(struct json *j, const char *const *fields, size_t n)
{
    jsonw_open(j, "required", '[');
    for (size_t i = 0; i < n; i++)
        jsonw_string(j, NULL, fields[i]);
    jsonw_close(j);
    jsonw_raw(j, "additionalProperties", "false");
}

void seccomp_policy_schema(struct json *j)
{
    size_t n_arches = seccomp_policy_arch_count();
    _cleanup_free_ const char **arches = xcalloc(n_arches, sizeof(*arches));
    for (size_t i = 0; i < n_arches; i++)
        arches[i] = seccomp_policy_arch_name((unsigned)i);
    /* Those congo can load: not WAIT_KILLABLE_RECV, which needs an agent. */
    const char *flags[FLAG_BITS];
    size_t n_flags = flag_names(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG |
                                    SECCOMP_FILTER_FLAG_SPEC_ALLOW,
                                flags);
    const char *actions[POLICY_ACT__MAX], *ops[POLICY_OP__MAX];
    for (int i = 0; i < POLICY_ACT__MAX; i++)
        actions[i] = seccomp_policy_action_name((enum seccomp_policy_action)i);
    for (int i = 0; i < POLICY_OP__MAX; i++)
        ops[i] = seccomp_policy_op_name((enum seccomp_policy_op)i);

    jsonw_open(j, NULL, '{');
    jsonw_string(j, "description", "an OCI seccomp policy (runtime-spec config-linux.md)");
    jsonw_string(j, "type", "object");
    jsonw_open(j, "properties", '{');
    schema_enum(j, "defaultAction", actions, POLICY_ACT__MAX);
    schema_number(j, "defaultErrnoRet", POLICY_TRACE_MAX);
    schema_enum_list(j, "architectures", arches, n_arches);
    schema_enum_list(j, "flags", flags, n_flags);
    jsonw_open(j, "listenerPath", '{');
    jsonw_string(j, "type", "string");
    jsonw_int(j, "minLength", 1);
    jsonw_close(j);
    jsonw_open(j, "listenerMetadata", '{');
    jsonw_string(j, "type", "string");
    jsonw_close(j);
    jsonw_open(j, "syscalls", '{');
    jsonw_string(j, "type", "array");
    jsonw_open(j, "items", '{');
    jsonw_string(j, "type", "object");
    jsonw_open(j, "properties", '{');
    jsonw_open(j, "names", '{');
    jsonw_string(j, "type", "array");
    jsonw_int(j, "minItems", 1);
    jsonw_open(j, "items", '{');
    jsonw_string(j, "type", "string");
    jsonw_int(j, "minLength", 1);
    jsonw_close(j);
    jsonw_close(j);
    schema_enum(j, "action", actions, POLICY_ACT__MAX);
    schema_number(j, "errnoRet", POLICY_TRACE_MAX);
    jsonw_open(j, "args", '{');
    jsonw_string(j, "type", "array");
    jsonw_open(j, "items", '{');
    jsonw_string(j, "type", "object");
    jsonw_open(j, "properties", '{');
    schema_number(j, "index", POLICY_ARG_MAX);
    schema_number(j, "value", POLICY_VALUE_MAX);
    schema_number(j, "valueTwo", POLICY_VALUE_MAX);
    schema_enum(j, "op", ops, POLICY_OP__MAX);
    jsonw_close(j);
    static const char *const arg_required[] = {"index", "value", "op"};
    schema_required(j, arg_required, ARRAY_SIZE(arg_required));
    jsonw_close(j);
    jsonw_close(j);
    jsonw_close(j);
    static const char *const rule_required[] = {"names", "action"};
    schema_required(j, rule_required, ARRAY_SIZE(rule_required));
    jsonw_close(j);
    jsonw_close(j);
    jsonw_close(j);
    static const char *const policy_required[] = {"defaultAction"};
    schema_required(j, policy_required, ARRAY_SIZE(policy_required));
    jsonw_close(j);
}
