/*
 * Keys whose value is a list: paths (layers; masked_paths and
 * readonly_paths), maps of NAME=value (env, sysctl, annotations), and
 * command. A row gives the list's field and, as its companion, the count
 * (command: whether it was one string).
 */
#include "value.h"

#include <ctype.h>
#include <string.h>
#include <sys/stat.h>

/* ---- paths: layers on the host, masked and read-only paths in the container ---- */

void paths_push(struct profile *p, const struct key_def *k, char *path, struct origin origin)
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

void container_paths_merge(struct profile *into, const struct profile *layer,
                                  const struct key_def *k)
{
    paths_merge_by(into, layer, k, str_eq);
}

static void path_clear(void *entry)
{
    free(((struct profile_layer *)entry)->path);
}

void paths_reset(struct profile *p, const struct key_def *k)
{
    key_list_reset(p, k, sizeof(struct profile_layer), path_clear);
}

void paths_free(struct profile *p, const struct key_def *k)
{
    key_list_free(p, k, sizeof(struct profile_layer), path_clear);
}

bool paths_equal(const struct profile *a, const struct profile *b, const struct key_def *k)
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
void paths_print(struct printer *pr, const struct profile *p, const struct key_def *k,
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

void paths_cli(struct strbuf *line, const struct profile *p, const struct key_def *k)
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

/* ---- maps of NAME to a string, merged by NAME: env, sysctl, annotations ---- */

/*
 * What names (and values) the map of a type takes. Each check records its
 * error, located at n, and fails. pattern is a name as a JSON Schema
 * regular expression, without anchors.
 */
struct map_names {
    const char *word; /* what a name is called in messages: NAME, KEY */
    int (*check)(const struct node *n, const char *name, size_t len, struct diags *d);
    int (*check_value)(const struct node *n, const char *name, const char *value,
                       struct diags *d); /* NULL: any string */
    const char *pattern;
};

static int check_env_name(const struct node *n, const char *name, size_t len, struct diags *d)
{
    if (valid_env_name(name, len))
        return 0;
    diags_node(d, DIAG_ERROR, n, "`%.*s` is not a variable name: [A-Za-z_][A-Za-z0-9_]*",
               (int)len, name);
    return -1;
}

/* The ipc namespace's kernel parameters besides fs.mqueue.* (ipc/ipc_sysctl.c), as runc has them. */
static const char *const ipc_sysctls[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",  "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

int profile_sysctl_ns(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(ipc_sysctls); i++)
        if (strcmp(name, ipc_sysctls[i]) == 0)
            return NS_IPC;
    if (strncmp(name, "fs.mqueue.", 10) == 0)
        return NS_IPC;
    if (strncmp(name, "net.", 4) == 0)
        return NS_NET;
    return -1;
}

/*
 * Dot-separated words of letters, digits, `_` and `-`, where `/` stands
 * for a dot inside a word, as sysctl(8) writes net.ipv4.conf.eth0/100.rp_filter.
 * A word of nothing but `/` would climb out of /proc/sys once turned into dots.
 */
static bool sysctl_name_valid(const char *s)
{
    size_t word = 0;
    bool only_slashes = true;
    for (const char *c = s;; c++) {
        if (*c == '.' || *c == '\0') {
            if (word == 0 || only_slashes)
                return false;
            if (*c == '\0')
                return true;
            word = 0;
            only_slashes = true;
            continue;
        }
        if (!isalnum((unsigned char)*c) && !strchr("_-/", *c))
            return false;
        only_slashes = only_slashes && *c == '/';
        word++;
    }
}

static int check_sysctl_name(const struct node *n, const char *name, size_t len, struct diags *d)
{
    _cleanup_free_ char *s = xstrndup(name, len);
    if (!sysctl_name_valid(s)) {
        diags_node(d, DIAG_ERROR, n,
                   "`%s` is not a kernel parameter: dot-separated words of letters, digits, "
                   "`_` and `-`, as in net.ipv4.ip_forward",
                   s);
        return -1;
    }
    /* Both are the uts namespace's, and each has a key of its own. */
    if (strcmp(s, "kernel.hostname") == 0 || strcmp(s, "kernel.domainname") == 0) {
        diags_node(d, DIAG_ERROR, n, "set `%s` instead of `%s`", s + strlen("kernel."), s);
        return -1;
    }
    if (profile_sysctl_ns(s) < 0) {
        diags_node(d, DIAG_ERROR, n,
                   "`%s` is not isolated by a namespace of the container: setting it would "
                   "change the host; only the ipc namespace's (kernel.msgmax, kernel.msgmnb, "
                   "kernel.msgmni, kernel.sem, kernel.shmall, kernel.shmmax, kernel.shmmni, "
                   "kernel.shm_rmid_forced, fs.mqueue.*) and the net namespace's (net.*) can "
                   "be set",
                   s);
        return -1;
    }
    return 0;
}

static int check_sysctl_value(const struct node *n, const char *name, const char *value,
                              struct diags *d)
{
    if (*value)
        return 0;
    diags_node(d, DIAG_ERROR, n, "`%s` has an empty value; a kernel parameter takes one", name);
    return -1;
}

/* Not empty, printable (no C0 or C1 control character, no DEL), without `=`. */
static bool annotation_key_valid(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == '=')
            return false;
        /* U+0080 ... U+009F: 0xc2 0x80 ... 0xc2 0x9f */
        if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] < 0xa0)
            return false;
    }
    return true;
}

static int check_annotation_key(const struct node *n, const char *name, size_t len,
                                struct diags *d)
{
    if (annotation_key_valid(name, len))
        return 0;
    diags_node(d, DIAG_ERROR, n,
               "`%.*s` is not an annotation key: one that is not empty, printable, and "
               "without `=`",
               (int)len, name);
    return -1;
}

#define ENV_PATTERN "[A-Za-z_][A-Za-z0-9_]*"
#define SYSCTL_WORD "[A-Za-z0-9_/-]+"
#define SYSCTL_PATTERN                                                                             \
    "(kernel\\.(msgmax|msgmnb|msgmni|sem|shmall|shmmax|shmmni|shm_rmid_forced)"                   \
    "|fs\\.mqueue(\\." SYSCTL_WORD ")+|net(\\." SYSCTL_WORD ")+)"
#define ANNOTATION_PATTERN "[^=\\x00-\\x1f\\x7f-\\x9f]+"

static const struct map_names env_names = {
    .word = "NAME",
    .check = check_env_name,
    .pattern = ENV_PATTERN,
};

static const struct map_names sysctl_names = {
    .word = "NAME",
    .check = check_sysctl_name,
    .check_value = check_sysctl_value,
    .pattern = SYSCTL_PATTERN,
};

static const struct map_names annotation_names = {
    .word = "KEY",
    .check = check_annotation_key,
    .pattern = ANNOTATION_PATTERN,
};

static const struct map_names *names_of(const struct key_def *k)
{
    return k->type == TYPE_SYSCTL        ? &sysctl_names
           : k->type == TYPE_ANNOTATIONS ? &annotation_names
                                         : &env_names;
}

static void pair_push(struct profile *p, const struct key_def *k, char *name, char *value,
                      struct origin origin)
{
    struct profile_env *e = key_list_push(p, k, sizeof(*e));
    *e = (struct profile_env){.name = name, .value = value, .origin = origin};
}

static int read_pair(struct profile *layer, const struct key_def *k, const struct node *n,
                     const char *name, size_t name_len, const char *value,
                     const struct layer_ctx *ctx, struct diags *d)
{
    const struct map_names *names = names_of(k);
    if (names->check(n, name, name_len, d) < 0)
        return -1;
    _cleanup_free_ char *own = xstrndup(name, name_len);
    if (names->check_value && names->check_value(n, own, value, d) < 0)
        return -1;
    for (size_t i = 0; i < key_count(layer, k); i++) {
        struct profile_env *v = &KEY_LIST(struct profile_env, layer, k)[i];
        if (strcmp(v->name, own) != 0)
            continue;
        /* On the command line a later value overrides; in a file it is a slip. */
        if (!from_file(n)) {
            free(v->value);
            v->value = xstrdup(value);
            return 0;
        }
        diags_node(d, DIAG_ERROR, n, "`%s` is set twice (first at line %d)", own, v->origin.line);
        return -1;
    }
    pair_push(layer, k, steal_pointer(&own), xstrdup(value), origin_of(n, ctx));
    return 0;
}

static int read_pairs(struct profile *layer, const struct key_def *k, const struct node *n,
                      const struct layer_ctx *ctx, struct diags *d)
{
    const char *word = names_of(k)->word;
    _cleanup_free_ char *form = xasprintf("%s=value", word);
    int r = 0;
    if (n->kind == NODE_MAP) {
        for (size_t i = 0; i < n->n_items; i++) {
            const struct node *item = n->items[i];
            const char *v = read_scalar(item, "a string", d);
            if (!v || read_pair(layer, k, item, item->key, strlen(item->key), v, ctx, d) < 0)
                r = -1;
        }
    } else if (n->kind == NODE_SEQ) {
        for (size_t i = 0; i < n->n_items; i++) {
            const struct node *item = n->items[i];
            const char *s = read_scalar(item, form, d);
            if (!s) {
                r = -1;
                continue;
            }
            const char *eq = strchr(s, '=');
            if (!eq) {
                diags_node(d, DIAG_ERROR, item, "`%s` is not %s", s, form);
                r = -1;
                continue;
            }
            if (read_pair(layer, k, item, s, (size_t)(eq - s), eq + 1, ctx, d) < 0)
                r = -1;
        }
    } else {
        diags_node(d, DIAG_ERROR, n, "expected a map of %s: value or a list of %s", word, form);
        return -1;
    }
    return r;
}

static void pairs_merge(struct profile *into, const struct profile *layer, const struct key_def *k)
{
    for (size_t i = 0; i < key_count(layer, k); i++) {
        const struct profile_env *add = &KEY_CLIST(struct profile_env, layer, k)[i];
        struct profile_env *v = KEY_LIST(struct profile_env, into, k);
        size_t j = 0;
        while (j < key_count(into, k) && strcmp(v[j].name, add->name) != 0)
            j++;
        if (j == key_count(into, k)) {
            pair_push(into, k, xstrdup(add->name), xstrdup(add->value), add->origin);
            continue;
        }
        free(v[j].value);
        v[j].value = xstrdup(add->value);
        v[j].origin = add->origin;
    }
}

static void pair_clear(void *entry)
{
    struct profile_env *e = entry;
    free(e->name);
    free(e->value);
}

static void pairs_reset(struct profile *p, const struct key_def *k)
{
    key_list_reset(p, k, sizeof(struct profile_env), pair_clear);
}

static void pairs_free(struct profile *p, const struct key_def *k)
{
    key_list_free(p, k, sizeof(struct profile_env), pair_clear);
}

/* `reset: [KEY.NAME]` takes a name its map could hold. */
static bool env_entry_valid(const char *name, char **hint)
{
    (void)hint;
    return valid_env_name(name, strlen(name));
}

static bool sysctl_entry_valid(const char *name, char **hint)
{
    (void)hint;
    return sysctl_name_valid(name) && profile_sysctl_ns(name) >= 0;
}

static bool annotation_entry_valid(const char *name, char **hint)
{
    (void)hint;
    return annotation_key_valid(name, strlen(name));
}

static void pairs_reset_entry(struct profile *p, const struct key_def *k, const char *name)
{
    for (size_t i = 0; i < key_count(p, k); i++)
        if (strcmp(KEY_LIST(struct profile_env, p, k)[i].name, name) == 0) {
            pair_clear(&KEY_LIST(struct profile_env, p, k)[i]);
            key_list_remove(p, k, i, sizeof(struct profile_env));
            return;
        }
}

static char *env_entry_pattern(void)
{
    return xstrdup(env_names.pattern);
}

static char *sysctl_entry_pattern(void)
{
    return xstrdup(sysctl_names.pattern);
}

static char *annotation_entry_pattern(void)
{
    return xstrdup(annotation_names.pattern);
}

static bool pairs_equal(const struct profile *a, const struct profile *b, const struct key_def *k)
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

/* A name that a YAML block map holds as it is, unquoted: as a key it is never interpolated. */
static bool plain_name(const char *s)
{
    if (!isalnum((unsigned char)s[0]) && s[0] != '_')
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("_./-", *s))
            return false;
    return true;
}

/*
 * YAML: a map, when every name can be a plain key. Otherwise, and always in
 * libconfig (whose setting names hold no dots), the list of NAME=value
 * strings, which holds any name.
 */
static void pairs_print(struct printer *pr, const struct profile *p, const struct key_def *k,
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
    bool map = pr->fmt == PRINT_YAML;
    for (size_t i = 0; i < n && map; i++)
        map = plain_name(v[i].name);
    if (map) {
        put_map_open(pr, level, key);
        for (size_t i = 0; i < n; i++)
            put_key_string(pr, level + 1, v[i].name, v[i].value, &v[i].origin);
        return;
    }
    put_indent(pr, level);
    strbuf_printf(&pr->sb, pr->fmt == PRINT_YAML ? "%s:\n" : "%s = (\n", key);
    for (size_t i = 0; i < n; i++) {
        _cleanup_free_ char *item = xasprintf("%s=%s", v[i].name, v[i].value);
        put_indent(pr, level + 1);
        if (pr->fmt == PRINT_YAML)
            strbuf_puts(&pr->sb, "- ");
        put_string(pr, item);
        if (pr->fmt == PRINT_CONF && i + 1 < n)
            strbuf_putc(&pr->sb, ',');
        put_origin(pr, &v[i].origin);
        strbuf_putc(&pr->sb, '\n');
    }
    if (pr->fmt == PRINT_CONF) {
        put_indent(pr, level);
        strbuf_puts(&pr->sb, ");\n");
    }
}

/* ENV_VARS, and the value of each map's option: NAME=VALUE items, escaped; NULL for none. */
static char *pairs_slot(const struct profile *p, const struct key_def *k)
{
    _cleanup_strv_ char **items = NULL;
    const struct profile_env *v = KEY_CLIST(struct profile_env, p, k);
    for (size_t i = 0; i < key_count(p, k); i++)
        strv_push(&items, xasprintf("%s=%s", v[i].name, v[i].value));
    return cli_list(items);
}

static void pairs_cli(struct strbuf *line, const struct profile *p, const struct key_def *k)
{
    _cleanup_free_ char *v = pairs_slot(p, k);
    if (v)
        cli_put_option(line, k, v);
}

static void schema_pairs(struct json *j, const char *name)
{
    _cleanup_free_ char *whole = xasprintf("^%s$", name);
    _cleanup_free_ char *item = xasprintf("^%s=", name);
    jsonw_open(j, "anyOf", '[');
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", "object");
    jsonw_open(j, "propertyNames", '{');
    jsonw_string(j, "pattern", whole);
    jsonw_close(j);
    jsonw_open(j, "additionalProperties", '{');
    schema_any_scalar(j);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", "array");
    jsonw_open(j, "items", '{');
    jsonw_string(j, "type", "string");
    jsonw_string(j, "pattern", item);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_close(j);
}

static void schema_env(struct json *j, const struct key_def *k)
{
    (void)k;
    schema_pairs(j, env_names.pattern);
}

static void schema_sysctl(struct json *j, const struct key_def *k)
{
    (void)k;
    schema_pairs(j, sysctl_names.pattern);
}

static void schema_annotations(struct json *j, const struct key_def *k)
{
    (void)k;
    schema_pairs(j, annotation_names.pattern);
}

#define PAIRS_OPS                                                                                  \
    .read = read_pairs, .merge = pairs_merge, .reset = pairs_reset, .equal = pairs_equal,          \
    .free = pairs_free, .print = pairs_print, .cli = pairs_cli, .reset_entry = pairs_reset_entry

static const struct value_ops env_ops = {
    PAIRS_OPS,
    .slot = pairs_slot,
    .entry_valid = env_entry_valid,
    .entry_pattern = env_entry_pattern,
};

static const struct value_ops sysctl_ops = {
    PAIRS_OPS,
    .entry_valid = sysctl_entry_valid,
    .entry_pattern = sysctl_entry_pattern,
};

static const struct value_ops annotations_ops = {
    PAIRS_OPS,
    .entry_valid = annotation_entry_valid,
    .entry_pattern = annotation_entry_pattern,
};

const struct value_type type_env = {.ops = &env_ops, .schema = schema_env};
const struct value_type type_sysctl = {.ops = &sysctl_ops, .schema = schema_sysctl};
const struct value_type type_annotations = {.ops = &annotations_ops, .schema = schema_annotations};

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
