/*
 * mounts: a list merged by target, where a later mount at the same target
 * replaces the earlier one in place and `type: none` removes it.
 */
#include "value.h"

#include <string.h>

#include "util/units.h"

static const char *const mount_fields[] = {"target", "type", "source", "readonly", "options"};

static const char *const mount_type_names[] = {
    [MOUNT_BIND] = "bind",
    [MOUNT_TMPFS] = "tmpfs",
    [MOUNT_NONE] = "none",
};

static void mount_clear(void *entry)
{
    struct profile_mount *m = entry;
    free(m->target);
    free(m->source);
    free(m->options);
}

static void mount_copy(struct profile_mount *dst, const struct profile_mount *src)
{
    dst->target = xstrdup(src->target);
    dst->type = src->type;
    dst->source = src->source ? xstrdup(src->source) : NULL;
    dst->readonly = src->readonly;
    dst->options = src->options ? xstrdup(src->options) : NULL;
    dst->origin = src->origin;
}

/* ---- reading ---- */

static bool valid_tmpfs_option(const char *opt, size_t n)
{
    static const char *const flags[] = {"noexec", "nosuid", "nodev", "exec", "suid", "dev"};
    _cleanup_free_ char *o = xstrndup(opt, n);
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
        if (strcmp(o, flags[i]) == 0)
            return true;
    char *eq = strchr(o, '=');
    if (!eq)
        return false;
    *eq = '\0';
    const char *v = eq + 1;
    int64_t size;
    uint64_t u;
    if (strcmp(o, "size") == 0) {
        size_t vl = strlen(v);
        if (vl > 1 && v[vl - 1] == '%') {
            _cleanup_free_ char *pct = xstrndup(v, vl - 1);
            return parse_uint(pct, 100, &u) == 0 && u > 0;
        }
        return parse_size(v, &size) == 0 && size > 0;
    }
    if (strcmp(o, "nr_inodes") == 0)
        return parse_size(v, &size) == 0;
    if (strcmp(o, "mode") == 0) {
        size_t vl = strlen(v);
        return vl >= 3 && vl <= 4 && strspn(v, "01234567") == vl;
    }
    if (strcmp(o, "uid") == 0 || strcmp(o, "gid") == 0)
        return parse_uint(v, UINT32_MAX - 1, &u) == 0;
    return false;
}

static int check_mount(const struct profile_mount *m, const struct node *n, struct diags *d)
{
    if (strcmp(m->target, "/") == 0) {
        diags_node(d, DIAG_ERROR, n, "cannot mount over `/`; the root is rootfs and layers");
        return -1;
    }
    static const char *const kernel_dirs[] = {"/proc", "/sys", "/dev"};
    bool shm = path_under(m->target, "/dev/shm");
    for (size_t i = 0; i < ARRAY_SIZE(kernel_dirs); i++)
        if (path_under(m->target, kernel_dirs[i]) && !shm) {
            diags_node(d, DIAG_ERROR, n,
                       "target `%s` is under %s, which congo sets up itself (only /tmp and "
                       "/dev/shm may be replaced)",
                       m->target, kernel_dirs[i]);
            return -1;
        }
    if (m->type == MOUNT_BIND && !m->source) {
        diags_node(d, DIAG_ERROR, n, "a bind mount needs a source");
        return -1;
    }
    if (m->type != MOUNT_BIND && m->source) {
        diags_node(d, DIAG_ERROR, n, "a %s mount takes no source",
                   m->type == MOUNT_TMPFS ? "tmpfs" : "`none`");
        return -1;
    }
    if (m->options && m->type != MOUNT_TMPFS) {
        diags_node(d, DIAG_ERROR, n, "options apply to tmpfs mounts only");
        return -1;
    }
    return 0;
}

static int read_mount_string(const struct node *n, struct profile_mount *m, struct diags *d)
{
    const char *s = read_scalar(n, "SRC:DEST[:ro]", d);
    if (!s)
        return -1;
    const char *c1 = strchr(s, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    const char *mode = c2 ? c2 + 1 : NULL;
    if (!c1 || c1 == s || (c2 ? c2 == c1 + 1 : !c1[1]) || (mode && strchr(mode, ':')) ||
        (mode && strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0)) {
        diags_node(d, DIAG_ERROR, n,
                   "`%s` is not SRC:DEST or SRC:DEST:ro; a path holding `:` needs the map form", s);
        return -1;
    }
    /* Reuse the path readers on the two halves, located at this node. */
    struct node src = *n, dst = *n;
    src.text = xstrndup(s, (size_t)(c1 - s));
    dst.text = c2 ? xstrndup(c1 + 1, (size_t)(c2 - c1 - 1)) : xstrdup(c1 + 1);
    m->type = MOUNT_BIND;
    m->source = read_host_path(&src, d);
    m->target = read_container_path(&dst, d);
    m->readonly = mode && strcmp(mode, "ro") == 0;
    free(src.text);
    free(dst.text);
    return m->source && m->target ? 0 : -1;
}

static int read_tmpfs_options(const struct node *f, struct profile_mount *m, struct diags *d)
{
    const char *s = read_scalar(f, "tmpfs options", d);
    if (!s)
        return -1;
    for (const char *p = s;;) {
        const char *end = strchrnul(p, ',');
        if (!valid_tmpfs_option(p, (size_t)(end - p))) {
            diags_node(d, DIAG_ERROR, f,
                       "`%.*s` is not a tmpfs option: size=SIZE|N%%, nr_inodes=N, "
                       "mode=OCTAL, uid=N, gid=N, noexec, nosuid, nodev",
                       (int)(end - p), p);
            return -1;
        }
        if (!*end)
            break;
        p = end + 1;
    }
    m->options = xstrdup(s);
    return 0;
}

static int read_mount_type(const struct node *f, struct profile_mount *m, struct diags *d)
{
    const char *s = read_scalar(f, "bind, tmpfs or none", d);
    if (!s)
        return -1;
    for (size_t t = 0; t < ARRAY_SIZE(mount_type_names); t++)
        if (strcmp(s, mount_type_names[t]) == 0) {
            m->type = (enum mount_type)t;
            return 0;
        }
    diags_node(d, DIAG_ERROR, f, "`%s` is not a mount type: bind, tmpfs or none", s);
    return -1;
}

static int read_mount_map(const struct node *n, struct profile_mount *m, struct diags *d)
{
    int r = 0;
    const struct node *type = node_map_get(n, "type");
    m->type = MOUNT_BIND;
    for (size_t i = 0; i < n->n_items; i++) {
        const struct node *f = n->items[i];
        if (strcmp(f->key, "target") == 0) {
            if (!(m->target = read_container_path(f, d)))
                r = -1;
        } else if (strcmp(f->key, "source") == 0) {
            if (!(m->source = read_host_path(f, d)))
                r = -1;
        } else if (strcmp(f->key, "readonly") == 0) {
            if (read_bool(f, &m->readonly, d) < 0)
                r = -1;
        } else if (strcmp(f->key, "options") == 0) {
            if (read_tmpfs_options(f, m, d) < 0)
                r = -1;
        } else if (f == type) {
            if (read_mount_type(f, m, d) < 0)
                r = -1;
        } else {
            const char *hint = suggest_from(mount_fields, ARRAY_SIZE(mount_fields), f->key);
            if (hint)
                diags_key(d, DIAG_ERROR, f, "unknown mount field; did you mean `%s`?", hint);
            else
                diags_key(d, DIAG_ERROR, f,
                          "unknown mount field; known: target, type, source, readonly, options");
            r = -1;
        }
    }
    if (r == 0 && !m->target) {
        diags_node(d, DIAG_ERROR, n, "a mount needs a target");
        r = -1;
    }
    return r;
}

static int read_mounts(struct profile *layer, const struct key_def *k, const struct node *n,
                       const struct layer_ctx *ctx, struct diags *d)
{
    if (n->kind != NODE_SEQ) {
        diags_node(d, DIAG_ERROR, n, "expected a list of mounts, got %s", node_kind_name(n));
        return -1;
    }
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const struct node *item = n->items[i];
        struct profile_mount m = {.origin = origin_of(item, ctx)};
        int ok =
            item->kind == NODE_MAP ? read_mount_map(item, &m, d) : read_mount_string(item, &m, d);
        if (ok == 0)
            ok = check_mount(&m, item, d);
        for (size_t j = 0; ok == 0 && j < key_count(layer, k); j++) {
            struct profile_mount *other = &KEY_LIST(struct profile_mount, layer, k)[j];
            if (strcmp(other->target, m.target) != 0)
                continue;
            if (!from_file(item)) {
                /* A later --mount at the same target replaces the earlier one. */
                mount_clear(other);
                *other = m;
                ok = 1;
            } else {
                diags_node(d, DIAG_ERROR, item, "a second mount at `%s` in this file", m.target);
                diags_add(d, DIAG_NOTE, item->src ? item->src->name : NULL, other->origin.line, 0,
                          NULL, "the first is here");
                ok = -1;
            }
            break;
        }
        if (ok == 1)
            continue;
        if (ok < 0) {
            mount_clear(&m);
            r = -1;
            continue;
        }
        *(struct profile_mount *)key_list_push(layer, k, sizeof(m)) = m;
    }
    return r;
}

/* ---- the rest ---- */

static void mounts_merge(struct profile *into, const struct profile *layer, const struct key_def *k)
{
    for (size_t a = 0; a < key_count(layer, k); a++) {
        const struct profile_mount *m = &KEY_CLIST(struct profile_mount, layer, k)[a];
        struct profile_mount *v = KEY_LIST(struct profile_mount, into, k);
        size_t i = 0;
        while (i < key_count(into, k) && strcmp(v[i].target, m->target) != 0)
            i++;
        if (i < key_count(into, k)) {
            mount_clear(&v[i]);
            if (m->type == MOUNT_NONE)
                key_list_remove(into, k, i, sizeof(*v));
            else
                mount_copy(&v[i], m);
        } else if (m->type != MOUNT_NONE) {
            mount_copy(key_list_push(into, k, sizeof(*v)), m);
        }
    }
}

static void mounts_reset(struct profile *p, const struct key_def *k)
{
    key_list_reset(p, k, sizeof(struct profile_mount), mount_clear);
}

static void mounts_free(struct profile *p, const struct key_def *k)
{
    key_list_free(p, k, sizeof(struct profile_mount), mount_clear);
}

static bool mount_equal(const struct profile_mount *a, const struct profile_mount *b)
{
    return str_eq(a->target, b->target) && a->type == b->type && str_eq(a->source, b->source) &&
           a->readonly == b->readonly && str_eq(a->options, b->options);
}

static bool mounts_equal(const struct profile *a, const struct profile *b, const struct key_def *k)
{
    if (key_count(a, k) != key_count(b, k))
        return false;
    for (size_t i = 0; i < key_count(a, k); i++)
        if (!mount_equal(&KEY_CLIST(struct profile_mount, a, k)[i],
                         &KEY_CLIST(struct profile_mount, b, k)[i]))
            return false;
    return true;
}

static void put_mount_fields(struct printer *pr, const struct profile_mount *m)
{
    bool yaml = pr->fmt == PRINT_YAML;
    const char *sep = yaml ? ", " : " ";
    const char *end = yaml ? "" : ";";
    strbuf_puts(&pr->sb, yaml ? "target: " : "target = ");
    put_string(pr, m->target);
    strbuf_printf(&pr->sb, "%s%stype%s", end, sep, yaml ? ": " : " = ");
    put_string(pr, mount_type_names[m->type]);
    if (m->source) {
        strbuf_printf(&pr->sb, "%s%ssource%s", end, sep, yaml ? ": " : " = ");
        put_string(pr, m->source);
    }
    strbuf_printf(&pr->sb, "%s%sreadonly%s%s", end, sep, yaml ? ": " : " = ",
                  m->readonly ? "true" : "false");
    if (m->options) {
        strbuf_printf(&pr->sb, "%s%soptions%s", end, sep, yaml ? ": " : " = ");
        put_string(pr, m->options);
    }
    strbuf_puts(&pr->sb, end);
}

static void mounts_print(struct printer *pr, const struct profile *p, const struct key_def *k,
                         int level, const char *key)
{
    const struct profile_mount *v = KEY_CLIST(struct profile_mount, p, k);
    size_t n = key_count(p, k);
    bool yaml = pr->fmt == PRINT_YAML;
    if (n == 0) {
        key_open(pr, level, key);
        strbuf_puts(&pr->sb, yaml ? "[]" : "()");
        key_close(pr, &p->origin[k->id]);
        return;
    }
    put_indent(pr, level);
    strbuf_printf(&pr->sb, yaml ? "%s:\n" : "%s = (\n", key);
    for (size_t i = 0; i < n; i++) {
        put_indent(pr, level + 1);
        strbuf_puts(&pr->sb, yaml ? "- {" : "{ ");
        put_mount_fields(pr, &v[i]);
        strbuf_puts(&pr->sb, yaml ? "}" : " }");
        if (!yaml && i + 1 < n)
            strbuf_putc(&pr->sb, ',');
        put_origin(pr, &v[i].origin);
        strbuf_putc(&pr->sb, '\n');
    }
    if (!yaml) {
        put_indent(pr, level);
        strbuf_puts(&pr->sb, ");\n");
    }
}

/* The fields that make a --mount value the map form rather than SRC:DEST[:ro]. */
bool mount_is_map_form(const char *value)
{
    for (size_t i = 0; i < ARRAY_SIZE(mount_fields); i++) {
        size_t n = strlen(mount_fields[i]);
        if (strncmp(value, mount_fields[i], n) == 0 && value[n] == '=')
            return true;
    }
    return false;
}

/*
 * SRC:DEST[:ro] where the schema can split it unambiguously, else the map
 * form, which holds any path.
 */
static char *mount_value(const struct profile_mount *m)
{
    if (m->type == MOUNT_BIND && m->source && *m->source && m->target && !m->options &&
        !strpbrk(m->source, ":,\\") && !strpbrk(m->target, ":,\\")) {
        _cleanup_free_ char *s =
            xasprintf("%s:%s%s", m->source, m->target, m->readonly ? ":ro" : "");
        if (!mount_is_map_form(s))
            return steal_pointer(&s);
    }
    _cleanup_(strbuf_free) struct strbuf sb = {0};
    if (m->type == MOUNT_TMPFS)
        strbuf_puts(&sb, "type=tmpfs,");
    if (m->type == MOUNT_BIND && m->source) {
        strbuf_puts(&sb, "source=");
        cli_escape(&sb, m->source);
        strbuf_putc(&sb, ',');
    }
    strbuf_puts(&sb, "target=");
    cli_escape(&sb, m->target ? m->target : "");
    if (m->readonly)
        strbuf_puts(&sb, ",readonly=true");
    if (m->options) {
        strbuf_puts(&sb, ",options=");
        cli_escape(&sb, m->options);
    }
    return strbuf_steal(&sb);
}

/* One --mount a mount. */
static void mounts_cli(struct strbuf *line, const struct profile *p, const struct key_def *k)
{
    const struct profile_mount *v = KEY_CLIST(struct profile_mount, p, k);
    for (size_t i = 0; i < key_count(p, k); i++) {
        /* A removal only means something against a lower layer, and there is none. */
        if (v[i].type == MOUNT_NONE)
            continue;
        _cleanup_free_ char *value = mount_value(&v[i]);
        cli_put_option(line, k, value);
    }
}

static void schema_mounts(struct json *j, const struct key_def *k)
{
    (void)k;
    jsonw_string(j, "type", "array");
    jsonw_open(j, "items", '{');
    jsonw_open(j, "anyOf", '[');
    schema_pattern(j, "^[^:]+:[^:]+(:(ro|rw))?$");
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", "object");
    jsonw_open(j, "properties", '{');
    jsonw_open(j, "target", '{');
    jsonw_string(j, "description", "where, inside the container");
    jsonw_string(j, "type", "string");
    jsonw_close(j);
    jsonw_open(j, "type", '{');
    jsonw_string(j, "description",
                "bind (the default), tmpfs, or none to remove an inherited mount");
    jsonw_open(j, "enum", '[');
    for (size_t t = 0; t < ARRAY_SIZE(mount_type_names); t++)
        jsonw_string(j, NULL, mount_type_names[t]);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_open(j, "source", '{');
    jsonw_string(j, "description", "bind: the host path");
    jsonw_string(j, "type", "string");
    jsonw_close(j);
    jsonw_open(j, "readonly", '{');
    jsonw_open(j, "anyOf", '[');
    schema_bool_value(j);
    schema_variable(j);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_open(j, "options", '{');
    jsonw_string(
        j, "description",
        "tmpfs: size=SIZE|N%, nr_inodes=N, mode=OCTAL, uid=N, gid=N, noexec, nosuid, nodev");
    jsonw_string(j, "type", "string");
    jsonw_close(j);
    jsonw_close(j);
    jsonw_open(j, "required", '[');
    jsonw_string(j, NULL, "target");
    jsonw_close(j);
    jsonw_raw(j, "additionalProperties", "false");
    jsonw_close(j);
    jsonw_close(j);
    jsonw_close(j);
}

static const struct value_ops mounts_ops = {
    .read = read_mounts,
    .merge = mounts_merge,
    .reset = mounts_reset,
    .equal = mounts_equal,
    .free = mounts_free,
    .print = mounts_print,
    .cli = mounts_cli,
};

const struct value_type type_mounts = {.ops = &mounts_ops, .schema = schema_mounts};
