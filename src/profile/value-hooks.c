/*
 * hooks: programs run at the stages of a container's life (OCI's hooks),
 * written as a map of stage to a list of programs. A program is its path,
 * or a map of path, args, env and timeout. Each layer's programs are
 * appended to those of the layers below, stage by stage; `reset:
 * [hooks.poststop]` empties one stage.
 *
 * The path of a program the launcher runs on the host may be relative: to
 * the file that names it, as every host path of a profile is. A
 * start_container program runs in the container, so its path is one of the
 * container's, absolute.
 */
#include "value.h"

#include <string.h>

#include "util/names.h"
#include "util/units.h"

static const char *const hook_fields[] = {"path", "args", "env", "timeout"};

/* A day: OCI's timeout is any positive number of seconds, and a hook is not a service. */
#define HOOK_TIMEOUT_MAX (24LL * 3600 * 1000)

static int stage_of(const char *name)
{
    for (int s = 0; s < HOOK__MAX; s++)
        if (strcmp(name, hook_stage_names[s]) == 0)
            return s;
    return -1;
}

static void hook_clear(void *entry)
{
    struct profile_hook *h = entry;
    free(h->path);
    strv_free(h->args);
    strv_free(h->env);
    memset(h, 0, sizeof(*h));
}

/* ---- reading ---- */

static char *read_hook_path(enum hook_stage stage, const struct node *n, struct diags *d)
{
    if (stage == HOOK_START_CONTAINER)
        return read_container_path(n, d);
    return read_host_path(n, d);
}

/* A list of strings; env's must be KEY=VALUE. NULL-ended, into *out. */
static int read_strings(const struct node *n, bool env, char ***out, struct diags *d)
{
    if (n->kind != NODE_SEQ) {
        diags_node(d, DIAG_ERROR, n, "expected a list of %s, got %s",
                   env ? "KEY=VALUE strings" : "arguments", node_kind_name(n));
        return -1;
    }
    _cleanup_strv_ char **list = xcalloc(1, sizeof(char *));
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const char *s = read_scalar(n->items[i], env ? "KEY=VALUE" : "an argument", d);
        if (!s) {
            r = -1;
            continue;
        }
        const char *eq = strchr(s, '=');
        if (env && (!eq || !valid_env_name(s, (size_t)(eq - s)))) {
            diags_node(d, DIAG_ERROR, n->items[i],
                       "`%s` is not KEY=VALUE with KEY of letters, digits and _, not starting "
                       "with a digit",
                       s);
            r = -1;
            continue;
        }
        strv_push(&list, xstrdup(s));
    }
    if (r == 0)
        *out = steal_pointer(&list);
    return r;
}

static int read_timeout(const struct node *n, int64_t *ms, struct diags *d)
{
    const char *s = read_scalar(n, "a duration", d);
    if (!s)
        return -1;
    if (parse_duration(s, ms) < 0 || *ms <= 0 || *ms > HOOK_TIMEOUT_MAX) {
        diags_node(d, DIAG_ERROR, n,
                   "`%s` is not a hook's timeout: seconds (10, 10s, 1.5s, 500ms), above 0 and "
                   "at most a day",
                   s);
        return -1;
    }
    return 0;
}

/* One program: its path alone, or a map. */
static int read_hook(struct profile_hook *h, const struct node *n, struct diags *d)
{
    if (n->kind == NODE_SCALAR) {
        h->path = read_hook_path(h->stage, n, d);
        return h->path ? 0 : -1;
    }
    if (n->kind != NODE_MAP) {
        diags_node(d, DIAG_ERROR, n,
                   "expected a hook: a path, or a map of path, args, env and "
                   "timeout; got a list");
        return -1;
    }
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const struct node *f = n->items[i];
        if (strcmp(f->key, "path") == 0) {
            free(h->path);
            if (!(h->path = read_hook_path(h->stage, f, d)))
                r = -1;
        } else if (strcmp(f->key, "args") == 0) {
            if (read_strings(f, false, &h->args, d) < 0)
                r = -1;
        } else if (strcmp(f->key, "env") == 0) {
            if (read_strings(f, true, &h->env, d) < 0)
                r = -1;
        } else if (strcmp(f->key, "timeout") == 0) {
            if (read_timeout(f, &h->timeout_ms, d) < 0)
                r = -1;
        } else {
            const char *hint = suggest_from(hook_fields, ARRAY_SIZE(hook_fields), f->key);
            if (hint)
                diags_key(d, DIAG_ERROR, f, "unknown hook field; did you mean `%s`?", hint);
            else
                diags_key(d, DIAG_ERROR, f, "unknown hook field; known: path, args, env, timeout");
            r = -1;
        }
    }
    if (r == 0 && !h->path) {
        diags_node(d, DIAG_ERROR, n, "a hook needs a path: the program to run");
        r = -1;
    }
    if (r == 0 && h->args && !h->args[0]) {
        /* execve with an empty argv: the program would not even know its own name. */
        diags_node(d, DIAG_ERROR, n,
                   "args is empty: its first item is the program's argv[0]; "
                   "leave args out for the path alone");
        r = -1;
    }
    return r;
}

static int read_hooks(struct profile *layer, const struct key_def *k, const struct node *n,
                      const struct layer_ctx *ctx, struct diags *d)
{
    if (n->kind != NODE_MAP) {
        diags_node(d, DIAG_ERROR, n,
                   "expected a map of stages (prestart, create_runtime, create_container, "
                   "start_container, poststart, poststop) to lists of hooks, got %s",
                   node_kind_name(n));
        return -1;
    }
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const struct node *st = n->items[i];
        int stage = stage_of(st->key);
        if (stage < 0) {
            const char *hint = suggest_from(hook_stage_names, HOOK__MAX, st->key);
            /* OCI's camelCase, written in a profile: name the profile's spelling. */
            for (int s = 0; s < HOOK__MAX && !hint; s++)
                if (strcmp(st->key, hook_stage_oci_names[s]) == 0)
                    hint = hook_stage_names[s];
            if (hint)
                diags_key(d, DIAG_ERROR, st, "unknown hook stage; did you mean `%s`?", hint);
            else
                diags_key(d, DIAG_ERROR, st,
                          "unknown hook stage; known: prestart, create_runtime, "
                          "create_container, start_container, poststart, poststop");
            r = -1;
            continue;
        }
        if (st->kind != NODE_SEQ) {
            diags_node(d, DIAG_ERROR, st, "expected a list of hooks for %s, got %s", st->key,
                       node_kind_name(st));
            r = -1;
            continue;
        }
        for (size_t j = 0; j < st->n_items; j++) {
            struct profile_hook h = {.stage = (enum hook_stage)stage,
                                     .origin = origin_of(st->items[j], ctx)};
            if (read_hook(&h, st->items[j], d) < 0) {
                hook_clear(&h);
                r = -1;
                continue;
            }
            struct profile_hook *slot = key_list_push(layer, k, sizeof(h));
            *slot = h;
        }
    }
    return r;
}

/* ---- the rest ---- */

/* A copy at the end of its stage's programs, so that the list stays in stage order. */
static void insert_copy(struct profile *p, const struct key_def *k, const struct profile_hook *h)
{
    key_list_push(p, k, sizeof(*h));
    struct profile_hook *v = KEY_LIST(struct profile_hook, p, k);
    size_t n = key_count(p, k);
    size_t at = n - 1;
    while (at > 0 && v[at - 1].stage > h->stage)
        at--;
    memmove(&v[at + 1], &v[at], (n - 1 - at) * sizeof(*v));
    v[at] = (struct profile_hook){.stage = h->stage,
                                  .path = xstrdup(h->path),
                                  .args = h->args ? strv_copy(h->args) : NULL,
                                  .env = h->env ? strv_copy(h->env) : NULL,
                                  .timeout_ms = h->timeout_ms,
                                  .origin = h->origin};
}

static void hooks_merge(struct profile *into, const struct profile *layer, const struct key_def *k)
{
    const struct profile_hook *v = KEY_CLIST(struct profile_hook, layer, k);
    for (size_t i = 0; i < key_count(layer, k); i++)
        insert_copy(into, k, &v[i]);
}

/* A layer's own list, read in the file's order of stages: into stage order too. */
static void hooks_finish(struct profile *layer, const struct key_def *k)
{
    size_t n = key_count(layer, k);
    if (n < 2)
        return;
    struct profile_hook *v = KEY_LIST(struct profile_hook, layer, k);
    /* Insertion sort: stable, and the lists are short. */
    for (size_t i = 1; i < n; i++) {
        struct profile_hook h = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1].stage > h.stage) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = h;
    }
}

static void hooks_reset(struct profile *p, const struct key_def *k)
{
    key_list_reset(p, k, sizeof(struct profile_hook), hook_clear);
}

static bool hooks_entry_valid(const char *name, char **hint)
{
    if (stage_of(name) >= 0)
        return true;
    const char *s = suggest_from(hook_stage_names, HOOK__MAX, name);
    if (s)
        *hint = xstrdup(s);
    return false;
}

static void hooks_reset_entry(struct profile *p, const struct key_def *k, const char *name)
{
    int stage = stage_of(name);
    struct profile_hook *v = KEY_LIST(struct profile_hook, p, k);
    for (size_t i = key_count(p, k); i-- > 0;)
        if ((int)v[i].stage == stage) {
            hook_clear(&v[i]);
            key_list_remove(p, k, i, sizeof(*v));
            v = KEY_LIST(struct profile_hook, p, k);
        }
}

static char *hooks_entry_pattern(void)
{
    return xstrdup("^(prestart|create_runtime|create_container|start_container|poststart|"
                   "poststop)$");
}

static bool hooks_equal(const struct profile *a, const struct profile *b, const struct key_def *k)
{
    size_t n = key_count(a, k);
    if (n != key_count(b, k))
        return false;
    const struct profile_hook *x = KEY_CLIST(struct profile_hook, a, k);
    const struct profile_hook *y = KEY_CLIST(struct profile_hook, b, k);
    for (size_t i = 0; i < n; i++)
        if (x[i].stage != y[i].stage || !str_eq(x[i].path, y[i].path) ||
            !strv_eq(x[i].args, y[i].args) || !x[i].args != !y[i].args ||
            !strv_eq(x[i].env, y[i].env) || !x[i].env != !y[i].env ||
            x[i].timeout_ms != y[i].timeout_ms)
            return false;
    return true;
}

static void hooks_free(struct profile *p, const struct key_def *k)
{
    key_list_free(p, k, sizeof(struct profile_hook), hook_clear);
}

static void put_strings(struct printer *pr, const char *field, char *const *list)
{
    bool yaml = pr->fmt == PRINT_YAML;
    strbuf_printf(&pr->sb, "%s%s%s", yaml ? ", " : " ", field, yaml ? ": [" : " = [");
    for (size_t i = 0; list[i]; i++) {
        strbuf_puts(&pr->sb, i ? ", " : "");
        put_string(pr, list[i]);
    }
    strbuf_printf(&pr->sb, "]%s", yaml ? "" : ";");
}

/* The path alone when that is all there is; else the map, on one line. */
static void put_hook(struct printer *pr, const struct profile_hook *h)
{
    bool yaml = pr->fmt == PRINT_YAML;
    if (!h->args && !h->env && !h->timeout_ms && yaml) {
        put_string(pr, h->path);
        return;
    }
    strbuf_puts(&pr->sb, yaml ? "{path: " : "{ path = ");
    put_string(pr, h->path);
    strbuf_puts(&pr->sb, yaml ? "" : ";");
    if (h->args)
        put_strings(pr, "args", h->args);
    if (h->env)
        put_strings(pr, "env", h->env);
    if (h->timeout_ms) {
        _cleanup_free_ char *t = format_duration(h->timeout_ms);
        strbuf_puts(&pr->sb, yaml ? ", timeout: " : " timeout = ");
        put_string(pr, t);
        strbuf_puts(&pr->sb, yaml ? "" : ";");
    }
    strbuf_puts(&pr->sb, yaml ? "}" : " }");
}

static void hooks_print(struct printer *pr, const struct profile *p, const struct key_def *k,
                        int level, const char *key)
{
    const struct profile_hook *v = KEY_CLIST(struct profile_hook, p, k);
    size_t n = key_count(p, k);
    bool yaml = pr->fmt == PRINT_YAML;
    if (n == 0) {
        key_open(pr, level, key);
        strbuf_puts(&pr->sb, "{}");
        key_close(pr, &p->origin[k->id]);
        return;
    }
    put_map_open(pr, level, key);
    for (size_t i = 0; i < n;) {
        enum hook_stage stage = v[i].stage;
        put_indent(pr, level + 1);
        strbuf_printf(&pr->sb, yaml ? "%s:\n" : "%s = (\n", hook_stage_names[stage]);
        for (; i < n && v[i].stage == stage; i++) {
            put_indent(pr, level + 2);
            if (yaml)
                strbuf_puts(&pr->sb, "- ");
            put_hook(pr, &v[i]);
            if (!yaml && i + 1 < n && v[i + 1].stage == stage)
                strbuf_putc(&pr->sb, ',');
            put_origin(pr, &v[i].origin);
            strbuf_putc(&pr->sb, '\n');
        }
        if (!yaml) {
            put_indent(pr, level + 1);
            strbuf_puts(&pr->sb, ");\n");
        }
    }
    put_map_close(pr, level);
}

/* --hook stage=STAGE,path=PATH, then an arg= per argument, an env= per variable, timeout=. */
static void hooks_cli(struct strbuf *line, const struct profile *p, const struct key_def *k)
{
    const struct profile_hook *v = KEY_CLIST(struct profile_hook, p, k);
    for (size_t i = 0; i < key_count(p, k); i++) {
        _cleanup_(strbuf_free) struct strbuf sb = {0};
        cli_put_item(&sb, "stage", hook_stage_names[v[i].stage]);
        cli_put_item(&sb, "path", v[i].path);
        for (size_t j = 0; v[i].args && v[i].args[j]; j++)
            cli_put_item(&sb, "arg", v[i].args[j]);
        for (size_t j = 0; v[i].env && v[i].env[j]; j++)
            cli_put_item(&sb, "env", v[i].env[j]);
        if (v[i].env && !v[i].env[0])
            cli_put_item(&sb, "env", "");
        if (v[i].timeout_ms) {
            _cleanup_free_ char *t = format_duration(v[i].timeout_ms);
            cli_put_item(&sb, "timeout", t);
        }
        _cleanup_free_ char *value = strbuf_steal(&sb);
        cli_put_option(line, k, value);
    }
}

static void schema_strings(struct json *j, const char *name, const char *description,
                           const char *pattern)
{
    jsonw_open(j, name, '{');
    jsonw_string(j, "description", description);
    jsonw_string(j, "type", "array");
    jsonw_open(j, "items", '{');
    jsonw_open(j, "anyOf", '[');
    if (pattern) {
        schema_pattern(j, pattern);
    } else {
        jsonw_open(j, NULL, '{');
        schema_any_scalar(j);
        jsonw_close(j);
    }
    schema_variable(j);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_close(j);
}

static void schema_hooks(struct json *j, const struct key_def *k)
{
    (void)k;
    jsonw_string(j, "type", "object");
    jsonw_open(j, "propertyNames", '{');
    jsonw_open(j, "enum", '[');
    for (int s = 0; s < HOOK__MAX; s++)
        jsonw_string(j, NULL, hook_stage_names[s]);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_open(j, "additionalProperties", '{');
    jsonw_string(j, "type", "array");
    jsonw_open(j, "items", '{');
    jsonw_open(j, "anyOf", '[');
    schema_text(j);
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", "object");
    jsonw_open(j, "required", '[');
    jsonw_string(j, NULL, "path");
    jsonw_close(j);
    jsonw_open(j, "properties", '{');
    jsonw_open(j, "path", '{');
    jsonw_string(j, "description",
                 "the program: absolute, or relative to this file's directory "
                 "(in the container, and absolute, for start_container)");
    jsonw_string(j, "type", "string");
    jsonw_int(j, "minLength", 1);
    jsonw_close(j);
    schema_strings(j, "args", "its argv, argv[0] included (default: the path alone)", NULL);
    schema_strings(j, "env", "its environment, KEY=VALUE", "^[A-Za-z_][A-Za-z0-9_]*=");
    jsonw_open(j, "timeout", '{');
    jsonw_string(j, "description", "killed, and failed, after this long (default: none)");
    jsonw_open(j, "anyOf", '[');
    schema_pattern(j, "^[0-9]+(\\.[0-9]+)?(ms|s)?$");
    schema_range(j, "number", "0", NULL);
    schema_variable(j);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_raw(j, "additionalProperties", "false");
    jsonw_close(j);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_close(j);
}

static const struct value_ops hooks_ops = {
    .read = read_hooks,
    .merge = hooks_merge,
    .reset = hooks_reset,
    .equal = hooks_equal,
    .free = hooks_free,
    .print = hooks_print,
    .cli = hooks_cli,
    .finish = hooks_finish,
    .entry_valid = hooks_entry_valid,
    .reset_entry = hooks_reset_entry,
    .entry_pattern = hooks_entry_pattern,
};

const struct value_type type_hooks = {.ops = &hooks_ops, .schema = schema_hooks};
