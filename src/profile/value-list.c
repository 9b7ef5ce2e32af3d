/*
 * Keys whose value is a list: paths (layers; masked_paths and
 * readonly_paths), env, and command. A row gives the list's field and, as
 * its companion, the count (command: whether it was one string).
 */
#include "value.h"

#include <string.h>
#include <sys/stat.h>

/* ---- paths: layers on the host, masked and read-only paths in the container ---- */

static void paths_push(struct profile *p, const struct key_def *k, char *path, struct origin origin)
{
    struct profile_layer *l = key_list_push(p, k, sizeof(*l));
    *l = (struct profile_layer){.path = path, .origin = origin};
}

static int read_host_paths(struct profile *layer, const struct key_def *k, const struct node *n,
                           const struct layer_ctx *ctx, struct diags *d)
{
    if (n->kind != NODE_SEQ) {
        diags_node(d, DIAG_ERROR, n, "expected a list of paths, got %s", node_kind_name(n));
        return -1;
    }
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        char *path = read_host_path(n->items[i], d);
        if (!path)
            r = -1;
        else
            paths_push(layer, k, path, origin_of(n->items[i], ctx));
    }
    return r;
}

static int read_container_paths(struct profile *layer, const struct key_def *k,
                                const struct node *n, const struct layer_ctx *ctx, struct diags *d)
{
    if (n->kind != NODE_SEQ) {
        diags_node(d, DIAG_ERROR, n, "expected a list of absolute paths, got %s",
                   node_kind_name(n));
        return -1;
    }
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const struct node *item = n->items[i];
        /* !PATH: a built-in path taken back, kept with its `!`. */
        bool back = item->kind == NODE_SCALAR && item->text && item->text[0] == '!';
        struct node path_node = *item;
        if (back)
            path_node.text = item->text + 1;
        char *path = read_container_path(&path_node, d);
        if (!path) {
            r = -1;
            continue;
        }
        if (strcmp(path, "/") == 0) {
            diags_node(d, DIAG_ERROR, item, "cannot cover the whole root");
            free(path);
            r = -1;
            continue;
        }
        if (back) {
            bool builtin = false;
            for (size_t b = 0; k->builtin && k->builtin[b] && !builtin; b++)
                builtin = strcmp(k->builtin[b], path) == 0;
            if (!builtin) {
                diags_node(d, DIAG_ERROR, item,
                           "`%s` is not one of congo's own %s, so `!` has nothing to take back",
                           path, k->name);
                free(path);
                r = -1;
                continue;
            }
            char *marked = xasprintf("!%s", path);
            free(path);
            path = marked;
        }
        paths_push(layer, k, path, origin_of(item, ctx));
    }
    return r;
}

/* Layers are files of the host: the same directory by another name is still the same layer. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    return strcmp(a, b) == 0;
}

/* Appended; a path already present keeps its first position. */
static void paths_merge_by(struct profile *into, const struct profile *layer,
                           const struct key_def *k, bool (*same)(const char *, const char *))
{
    const struct profile_layer *add = KEY_CLIST(struct profile_layer, layer, k);
    for (size_t i = 0; i < key_count(layer, k); i++) {
        bool present = false;
        for (size_t j = 0; j < key_count(into, k) && !present; j++)
            present = same(KEY_LIST(struct profile_layer, into, k)[j].path, add[i].path);
        if (!present)
            paths_push(into, k, xstrdup(add[i].path), add[i].origin);
    }
}

static void host_paths_merge(struct profile *into, const struct profile *layer,
                             const struct key_def *k)
{
    paths_merge_by(into, layer, k, same_file);
}

static void container_paths_merge(struct profile *into, const struct profile *layer,
                                  const struct key_def *k)
{
    paths_merge_by(into, layer, k, str_eq);
}

static void path_clear(void *entry)
{
    free(((struct profile_layer *)entry)->path);
}

static void paths_reset(struct profile *p, const struct key_def *k)
{
    key_list_reset(p, k, sizeof(struct profile_layer), path_clear);
}

static void paths_free(struct profile *p, const struct key_def *k)
{
    key_list_free(p, k, sizeof(struct profile_layer), path_clear);
}

static bool paths_equal(const struct profile *a, const struct profile *b, const struct key_def *k)
{
    if (key_count(a, k) != key_count(b, k))
        return false;
    for (size_t i = 0; i < key_count(a, k); i++)
        if (!str_eq(KEY_CLIST(struct profile_layer, a, k)[i].path,
                    KEY_CLIST(struct profile_layer, b, k)[i].path))
            return false;
    return true;
}

/* One path an entry, each with its origin; `[]` when empty. */
static void paths_print(struct printer *pr, const struct profile *p, const struct key_def *k,
                        int level, const char *key)
{
    const struct profile_layer *list = KEY_CLIST(struct profile_layer, p, k);
    size_t n = key_count(p, k);
    if (n == 0) {
        key_open(pr, level, key);
        strbuf_puts(&pr->sb, "[]");
        key_close(pr, &p->origin[k->id]);
        return;
    }
    put_indent(pr, level);
    strbuf_printf(&pr->sb, pr->fmt == PRINT_YAML ? "%s:\n" : "%s = [\n", key);
    for (size_t i = 0; i < n; i++) {
        put_indent(pr, level + 1);
        if (pr->fmt == PRINT_YAML)
            strbuf_puts(&pr->sb, "- ");
        put_string(pr, list[i].path);
        if (pr->fmt == PRINT_CONF && i + 1 < n)
            strbuf_putc(&pr->sb, ',');
        put_origin(pr, &list[i].origin);
        strbuf_putc(&pr->sb, '\n');
    }
    if (pr->fmt == PRINT_CONF) {
        put_indent(pr, level);
        strbuf_puts(&pr->sb, "];\n");
    }
}

static void paths_cli(struct strbuf *line, const struct profile *p, const struct key_def *k)
{
    _cleanup_strv_ char **items = NULL;
    for (size_t i = 0; i < key_count(p, k); i++)
        strv_push(&items, xstrdup(KEY_CLIST(struct profile_layer, p, k)[i].path));
    cli_put_list(line, k, items);
}

static void schema_paths(struct json *j, const struct key_def *k, const char *pattern)
{
    (void)k;
    jsonw_string(j, "type", "array");
    jsonw_open(j, "items", '{');
    jsonw_open(j, "anyOf", '[');
    if (pattern)
        schema_pattern(j, pattern);
    else
        schema_text(j);
    schema_variable(j);
    jsonw_close(j);
    jsonw_close(j);
}

static void schema_host_paths(struct json *j, const struct key_def *k)
{
    schema_paths(j, k, NULL);
}

static void schema_container_paths(struct json *j, const struct key_def *k)
{
    schema_paths(j, k, "^!?/+[^/]");
}

static const struct value_ops host_paths_ops = {
    .read = read_host_paths,
    .merge = host_paths_merge,
    .reset = paths_reset,
    .equal = paths_equal,
    .free = paths_free,
    .print = paths_print,
    .cli = paths_cli,
};

static const struct value_ops container_paths_ops = {
    .read = read_container_paths,
    .merge = container_paths_merge,
    .reset = paths_reset,
    .equal = paths_equal,
    .free = paths_free,
    .print = paths_print,
    .cli = paths_cli,
};

const struct value_type type_paths = {.ops = &host_paths_ops, .schema = schema_host_paths};
const struct value_type type_cpaths = {.ops = &container_paths_ops,
                                       .schema = schema_container_paths};

/* ---- groups: names or gids, kept as written and merged as paths are ---- */

static int read_groups(struct profile *layer, const struct key_def *k, const struct node *n,
                       const struct layer_ctx *ctx, struct diags *d)
{
    if (n->kind != NODE_SEQ) {
        diags_node(d, DIAG_ERROR, n, "expected a list of group names or gids, got %s",
                   node_kind_name(n));
        return -1;
    }
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const char *s = read_scalar(n->items[i], "a group name or gid", d);
        if (!s) {
            r = -1;
            continue;
        }
        if (!valid_id(s, strlen(s))) {
            diags_node(d, DIAG_ERROR, n->items[i],
                       "`%s` is not a group: expected a name ([A-Za-z_][A-Za-z0-9_.-]*, at most "
                       "32 characters) or a gid (0 to 4294967294)",
                       s);
            r = -1;
            continue;
        }
        paths_push(layer, k, xstrdup(s), origin_of(n->items[i], ctx));
    }
    return r;
}

static void schema_groups(struct json *j, const struct key_def *k)
{
    (void)k;
    jsonw_string(j, "type", "array");
    jsonw_open(j, "items", '{');
    jsonw_open(j, "anyOf", '[');
    schema_pattern(j, "^([0-9]+|[A-Za-z_][A-Za-z0-9_.-]*\\$?)$");
    schema_range(j, "integer", "0", "4294967294");
    schema_variable(j);
    jsonw_close(j);
    jsonw_close(j);
}

static const struct value_ops groups_ops = {
    .read = read_groups,
    .merge = container_paths_merge,
    .reset = paths_reset,
    .equal = paths_equal,
    .free = paths_free,
    .print = paths_print,
    .cli = paths_cli,
};

const struct value_type type_groups = {.ops = &groups_ops, .schema = schema_groups};

/* ---- env: merged by NAME ---- */

static void env_push(struct profile *p, const struct key_def *k, char *name, char *value,
                     struct origin origin)
{
    struct profile_env *e = key_list_push(p, k, sizeof(*e));
    *e = (struct profile_env){.name = name, .value = value, .origin = origin};
}

static int read_env_entry(struct profile *layer, const struct key_def *k, const struct node *n,
                          const char *name, size_t name_len, const char *value,
                          const struct layer_ctx *ctx, struct diags *d)
{
    if (!valid_env_name(name, name_len)) {
        diags_node(d, DIAG_ERROR, n, "`%.*s` is not a variable name: [A-Za-z_][A-Za-z0-9_]*",
                   (int)name_len, name);
        return -1;
    }
    for (size_t i = 0; i < key_count(layer, k); i++) {
        struct profile_env *v = &KEY_LIST(struct profile_env, layer, k)[i];
        if (strlen(v->name) != name_len || strncmp(v->name, name, name_len) != 0)
            continue;
        /* On the command line a later --env overrides; in a file it is a slip. */
        if (!from_file(n)) {
            free(v->value);
            v->value = xstrdup(value);
            return 0;
        }
        diags_node(d, DIAG_ERROR, n, "`%.*s` is set twice (first at line %d)", (int)name_len, name,
                   v->origin.line);
        return -1;
    }
    env_push(layer, k, xstrndup(name, name_len), xstrdup(value), origin_of(n, ctx));
    return 0;
}

static int read_env(struct profile *layer, const struct key_def *k, const struct node *n,
                    const struct layer_ctx *ctx, struct diags *d)
{
    int r = 0;
    if (n->kind == NODE_MAP) {
        for (size_t i = 0; i < n->n_items; i++) {
            const struct node *item = n->items[i];
            const char *v = read_scalar(item, "a string", d);
            if (!v || read_env_entry(layer, k, item, item->key, strlen(item->key), v, ctx, d) < 0)
                r = -1;
        }
    } else if (n->kind == NODE_SEQ) {
        for (size_t i = 0; i < n->n_items; i++) {
            const struct node *item = n->items[i];
            const char *s = read_scalar(item, "NAME=value", d);
            if (!s) {
                r = -1;
                continue;
            }
            const char *eq = strchr(s, '=');
            if (!eq) {
                diags_node(d, DIAG_ERROR, item, "`%s` is not NAME=value", s);
                r = -1;
                continue;
            }
            if (read_env_entry(layer, k, item, s, (size_t)(eq - s), eq + 1, ctx, d) < 0)
                r = -1;
        }
    } else {
        diags_node(d, DIAG_ERROR, n, "expected a map of NAME: value or a list of NAME=value");
        return -1;
    }
    return r;
}

static void env_merge(struct profile *into, const struct profile *layer, const struct key_def *k)
{
    for (size_t i = 0; i < key_count(layer, k); i++) {
        const struct profile_env *add = &KEY_CLIST(struct profile_env, layer, k)[i];
        struct profile_env *v = KEY_LIST(struct profile_env, into, k);
        size_t j = 0;
        while (j < key_count(into, k) && strcmp(v[j].name, add->name) != 0)
            j++;
        if (j == key_count(into, k)) {
            env_push(into, k, xstrdup(add->name), xstrdup(add->value), add->origin);
            continue;
        }
        free(v[j].value);
        v[j].value = xstrdup(add->value);
        v[j].origin = add->origin;
    }
}

static void env_clear(void *entry)
{
    struct profile_env *e = entry;
    free(e->name);
    free(e->value);
}

static void env_reset(struct profile *p, const struct key_def *k)
{
    key_list_reset(p, k, sizeof(struct profile_env), env_clear);
}

static void env_free(struct profile *p, const struct key_def *k)
{
    key_list_free(p, k, sizeof(struct profile_env), env_clear);
}

static bool env_entry_valid(const char *name, char **hint)
{
    (void)hint;
    return valid_env_name(name, strlen(name));
}

static void env_reset_entry(struct profile *p, const struct key_def *k, const char *name)
{
    for (size_t i = 0; i < key_count(p, k); i++)
        if (strcmp(KEY_LIST(struct profile_env, p, k)[i].name, name) == 0) {
            env_clear(&KEY_LIST(struct profile_env, p, k)[i]);
            key_list_remove(p, k, i, sizeof(struct profile_env));
            return;
        }
}

static char *env_entry_pattern(void)
{
    return xstrdup("[A-Za-z_][A-Za-z0-9_]*");
}

static bool env_equal(const struct profile *a, const struct profile *b, const struct key_def *k)
{
    const struct profile_env *va = KEY_CLIST(struct profile_env, a, k);
    const struct profile_env *vb = KEY_CLIST(struct profile_env, b, k);
    if (key_count(a, k) != key_count(b, k))
        return false;
    for (size_t i = 0; i < key_count(a, k); i++)
        if (!str_eq(va[i].name, vb[i].name) || !str_eq(va[i].value, vb[i].value))
            return false;
    return true;
}

static void env_print(struct printer *pr, const struct profile *p, const struct key_def *k,
                      int level, const char *key)
{
    const struct profile_env *v = KEY_CLIST(struct profile_env, p, k);
    size_t n = key_count(p, k);
    if (n == 0) {
        key_open(pr, level, key);
        strbuf_puts(&pr->sb, pr->fmt == PRINT_YAML ? "{}" : "()");
        key_close(pr, &p->origin[k->id]);
        return;
    }
    if (pr->fmt == PRINT_YAML) {
        put_map_open(pr, level, key);
        for (size_t i = 0; i < n; i++)
            put_key_string(pr, level + 1, v[i].name, v[i].value, &v[i].origin);
        return;
    }
    /* The list form: it holds every valid variable name, libconfig's setting names do not. */
    put_indent(pr, level);
    strbuf_printf(&pr->sb, "%s = (\n", key);
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *item = xasprintf("%s=%s", v[i].name, v[i].value);
        put_indent(pr, level + 1);
        put_string(pr, item);
        if (i + 1 < n)
            strbuf_putc(&pr->sb, ',');
        put_origin(pr, &v[i].origin);
        strbuf_putc(&pr->sb, '\n');
    }
    put_indent(pr, level);
    strbuf_puts(&pr->sb, ");\n");
}

/* ENV_VARS: NAME=VALUE items, escaped; NULL when there are none. */
static char *env_slot(const struct profile *p, const struct key_def *k)
{
    _cleanup_strv_ char **items = NULL;
    const struct profile_env *v = KEY_CLIST(struct profile_env, p, k);
    for (size_t i = 0; i < key_count(p, k); i++)
        strv_push(&items, xasprintf("%s=%s", v[i].name, v[i].value));
    return cli_list(items);
}

static void env_cli(struct strbuf *line, const struct profile *p, const struct key_def *k)
{
    _cleanup_free_ char *v = env_slot(p, k);
    if (v)
        cli_put_option(line, k, v);
}

static void schema_env(struct json *j, const struct key_def *k)
{
    (void)k;
    jsonw_open(j, "anyOf", '[');
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", "object");
    jsonw_open(j, "propertyNames", '{');
    jsonw_string(j, "pattern", "^[A-Za-z_][A-Za-z0-9_]*$");
    jsonw_close(j);
    jsonw_open(j, "additionalProperties", '{');
    schema_any_scalar(j);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", "array");
    jsonw_open(j, "items", '{');
    jsonw_string(j, "type", "string");
    jsonw_string(j, "pattern", "^[A-Za-z_][A-Za-z0-9_]*=");
    jsonw_close(j);
    jsonw_close(j);
    jsonw_close(j);
}

static const struct value_ops env_ops = {
    .read = read_env,
    .merge = env_merge,
    .reset = env_reset,
    .equal = env_equal,
    .free = env_free,
    .print = env_print,
    .cli = env_cli,
    .slot = env_slot,
    .entry_valid = env_entry_valid,
    .reset_entry = env_reset_entry,
    .entry_pattern = env_entry_pattern,
};

const struct value_type type_env = {.ops = &env_ops, .schema = schema_env};

/* ---- command: replaced whole; its run option is the words after `--` ---- */

static char ***command_of(struct profile *p, const struct key_def *k)
{
    return key_field(p, k);
}

static char *const *command_v(const struct profile *p, const struct key_def *k)
{
    return *(char **const *)key_value(p, k);
}

static bool *command_shell(struct profile *p, const struct key_def *k)
{
    return key_aux(p, k);
}

static int read_command(struct profile *layer, const struct key_def *k, const struct node *n,
                        const struct layer_ctx *ctx, struct diags *d)
{
    (void)ctx;
    char ***command = command_of(layer, k);
    if (n->kind == NODE_SCALAR) {
        const char *s = read_scalar(n, "a command", d);
        if (!s)
            return -1;
        if (!*s) {
            diags_node(d, DIAG_ERROR, n, "empty command");
            return -1;
        }
        strv_push(command, xstrdup("/bin/sh"));
        strv_push(command, xstrdup("-c"));
        strv_push(command, xstrdup(s));
        *command_shell(layer, k) = true;
        return 0;
    }
    if (n->kind != NODE_SEQ) {
        diags_node(d, DIAG_ERROR, n, "expected a list of strings or one string, got a map");
        return -1;
    }
    if (n->n_items == 0) {
        diags_node(d, DIAG_ERROR, n, "empty command; leave `command` out to give one after `--`");
        return -1;
    }
    _cleanup_strv_ char **argv = NULL;
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const char *s = read_scalar(n->items[i], "a string", d);
        if (!s)
            r = -1;
        else
            strv_push(&argv, xstrdup(s));
    }
    if (r == 0 && !*argv[0]) {
        diags_node(d, DIAG_ERROR, n->items[0], "the program name is empty");
        r = -1;
    }
    if (r == 0) {
        *command = steal_pointer(&argv);
        *command_shell(layer, k) = false;
    }
    return r;
}

static void command_merge(struct profile *into, const struct profile *layer,
                          const struct key_def *k)
{
    strv_free(*command_of(into, k));
    *command_of(into, k) = strv_copy(command_v(layer, k));
    *command_shell(into, k) = *(const bool *)key_aux_value(layer, k);
}

static void command_reset(struct profile *p, const struct key_def *k)
{
    strv_free(*command_of(p, k));
    *command_of(p, k) = NULL;
    *command_shell(p, k) = false;
}

static void command_free(struct profile *p, const struct key_def *k)
{
    strv_free(*command_of(p, k));
}

static bool command_equal(const struct profile *a, const struct profile *b, const struct key_def *k)
{
    char *const *ca = command_v(a, k), *const *cb = command_v(b, k);
    return strv_eq(ca, cb) && (ca == NULL) == (cb == NULL);
}

static void command_print(struct printer *pr, const struct profile *p, const struct key_def *k,
                          int level, const char *key)
{
    char *const *argv = command_v(p, k);
    if (!argv) {
        put_key_unset(pr, level, key, k->unset);
        return;
    }
    if (*(const bool *)key_aux_value(p, k) && strv_len(argv) == 3) {
        put_key_string(pr, level, key, argv[2], &p->origin[k->id]);
        return;
    }
    key_open(pr, level, key);
    strbuf_putc(&pr->sb, '[');
    for (size_t i = 0; argv[i]; i++) {
        if (i)
            strbuf_puts(&pr->sb, ", ");
        put_string(pr, argv[i]);
    }
    strbuf_putc(&pr->sb, ']');
    key_close(pr, &p->origin[k->id]);
}

static void schema_command(struct json *j, const struct key_def *k)
{
    (void)k;
    jsonw_open(j, "anyOf", '[');
    schema_text(j);
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", "array");
    jsonw_int(j, "minItems", 1);
    jsonw_open(j, "items", '{');
    schema_any_scalar(j);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_close(j);
}

/* No .cli: --print-cli writes the command after `--`, where it replaces a --command. */
static const struct value_ops command_ops = {
    .read = read_command,
    .merge = command_merge,
    .reset = command_reset,
    .equal = command_equal,
    .free = command_free,
    .print = command_print,
};

const struct value_type type_command = {.ops = &command_ops, .schema = schema_command};
