/*
 * mounts: a list merged by target, where a later mount at the same target
 * replaces the earlier one in place and `type: none` removes it.
 */
#include "value.h"

#include <string.h>
#include <sys/mount.h>

#include "util/names.h"
#include "util/units.h"

static const char *const mount_fields[] = {"target", "type", "source", "readonly",
                                           "suid",   "dev",  "idmap",   "options"};

static const char *const mount_type_names[] = {
    [MOUNT_BIND] = "bind",     [MOUNT_TMPFS] = "tmpfs",   [MOUNT_NONE] = "none",
    [MOUNT_PROC] = "proc",     [MOUNT_SYSFS] = "sysfs",   [MOUNT_DEVPTS] = "devpts",
    [MOUNT_MQUEUE] = "mqueue", [MOUNT_CGROUP] = "cgroup",
};

const char *profile_mount_type_name(enum mount_type t)
{
    return (size_t)t < ARRAY_SIZE(mount_type_names) ? mount_type_names[t] : "?";
}

#define TYPE_BIT(t) (1u << (t))

/*
 * The targets of congo's built-in mounts, the types a profile may put there
 * in their place, and whether `none` may remove them: a container always
 * has its own /proc and /dev.
 */
static const struct {
    const char *target;
    unsigned types;
    bool removable;
} builtin_targets[] = {
    {"/proc", TYPE_BIT(MOUNT_PROC), false},
    {"/dev", TYPE_BIT(MOUNT_TMPFS), false},
    {"/dev/pts", TYPE_BIT(MOUNT_DEVPTS), true},
    {"/dev/shm", TYPE_BIT(MOUNT_TMPFS) | TYPE_BIT(MOUNT_BIND), true},
    {"/dev/mqueue", TYPE_BIT(MOUNT_MQUEUE), true},
    {"/tmp", TYPE_BIT(MOUNT_TMPFS) | TYPE_BIT(MOUNT_BIND), true},
    {"/sys", TYPE_BIT(MOUNT_SYSFS), true},
    {"/sys/fs/cgroup", TYPE_BIT(MOUNT_CGROUP), true},
};

bool profile_mount_target_is_builtin(const char *target)
{
    for (size_t i = 0; i < ARRAY_SIZE(builtin_targets); i++)
        if (strcmp(target, builtin_targets[i].target) == 0)
            return true;
    return false;
}

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
    dst->suid = src->suid;
    dst->dev = src->dev;
    dst->idmap = src->idmap;
    dst->options = src->options ? xstrdup(src->options) : NULL;
    dst->origin = src->origin;
}

/* ---- reading ---- */

/* The fields of a mount map that later checks point at, when the map has them. */
struct mount_nodes {
    const struct node *options, *suid, *dev, *idmap;
};

static bool octal_mode(const char *v)
{
    size_t vl = strlen(v);
    return vl >= 3 && vl <= 4 && strspn(v, "01234567") == vl;
}

/* One option of the file system's own (not a mount flag), as name=value or a bare word. */
static bool valid_data_option(enum mount_type t, char *o)
{
    static const char *const proc_hidepid[] = {"0",        "1",         "2",         "off",
                                               "noaccess", "invisible", "ptraceable"};
    static const char *const bind_words[] = {"bind", "rbind", "private", "rprivate"};
    if (t == MOUNT_BIND) {
        for (size_t i = 0; i < ARRAY_SIZE(bind_words); i++)
            if (strcmp(o, bind_words[i]) == 0)
                return true;
        return false;
    }
    if (t == MOUNT_DEVPTS && strcmp(o, "newinstance") == 0)
        return true;
    if (t == MOUNT_TMPFS && strcmp(o, "tmpcopyup") == 0)
        return true;
    char *eq = strchr(o, '=');
    if (!eq)
        return false;
    *eq = '\0';
    const char *v = eq + 1;
    int64_t size;
    uint64_t u;
    switch (t) {
    case MOUNT_TMPFS:
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
        if (strcmp(o, "mode") == 0)
            return octal_mode(v);
        return (strcmp(o, "uid") == 0 || strcmp(o, "gid") == 0) &&
               parse_uint(v, UINT32_MAX - 1, &u) == 0;
    case MOUNT_DEVPTS:
        if (strcmp(o, "mode") == 0 || strcmp(o, "ptmxmode") == 0)
            return octal_mode(v);
        return (strcmp(o, "uid") == 0 || strcmp(o, "gid") == 0 || strcmp(o, "max") == 0) &&
               parse_uint(v, UINT32_MAX - 1, &u) == 0;
    case MOUNT_PROC:
        if (strcmp(o, "subset") == 0)
            return strcmp(v, "pid") == 0;
        if (strcmp(o, "hidepid") == 0)
            for (size_t i = 0; i < ARRAY_SIZE(proc_hidepid); i++)
                if (strcmp(v, proc_hidepid[i]) == 0)
                    return true;
        return false;
    default:
        return false;
    }
}

/* What a type's options may hold besides the mount flags, for the message. */
static const char *data_options_doc(enum mount_type t)
{
    switch (t) {
    case MOUNT_TMPFS:
        return "; and size=SIZE|N%, nr_inodes=N, mode=OCTAL, uid=N, gid=N, tmpcopyup";
    case MOUNT_DEVPTS:
        return "; and newinstance, mode=OCTAL, ptmxmode=OCTAL, uid=N, gid=N, max=N";
    case MOUNT_PROC:
        return "; and hidepid=0|1|2|invisible|noaccess|ptraceable, subset=pid";
    case MOUNT_BIND:
        return "; and rbind (the default), bind (not recursive), private, rprivate";
    default:
        return "";
    }
}

static int check_options(const struct profile_mount *m, const struct node *f, struct diags *d)
{
    if (m->type == MOUNT_NONE) {
        diags_node(d, DIAG_ERROR, f, "a `none` mount takes no options");
        return -1;
    }
    for (const char *p = m->options;;) {
        const char *end = strchrnul(p, ',');
        _cleanup_free_ char *o = xstrndup(p, (size_t)(end - p));
        unsigned long flag;
        bool set;
        if (!mount_flag_word(o, strlen(o), &flag, &set) && !valid_data_option(m->type, o)) {
            diags_node(d, DIAG_ERROR, f,
                       "`%.*s` is not an option of a %s mount: ro, rw, nosuid, suid, nodev, dev, "
                       "noexec, exec and the atime flags (noatime, relatime, strictatime, ...)%s",
                       (int)(end - p), p, mount_type_names[m->type], data_options_doc(m->type));
            return -1;
        }
        if (!*end)
            return 0;
        p = end + 1;
    }
}

static int check_mount(const struct profile_mount *m, const struct node *n,
                       const struct mount_nodes *at, struct diags *d)
{
    if (strcmp(m->target, "/") == 0) {
        diags_node(d, DIAG_ERROR, n, "cannot mount over `/`; the root is rootfs and layers");
        return -1;
    }
    bool kernel_fs = m->type >= MOUNT_PROC;
    bool builtin = false;
    for (size_t i = 0; i < ARRAY_SIZE(builtin_targets); i++) {
        if (strcmp(m->target, builtin_targets[i].target) != 0)
            continue;
        builtin = true;
        if (m->type == MOUNT_NONE ? builtin_targets[i].removable
                                  : (builtin_targets[i].types & TYPE_BIT(m->type)) != 0)
            break;
        struct strbuf types = {0};
        for (size_t t = 0; t < ARRAY_SIZE(mount_type_names); t++)
            if (builtin_targets[i].types & TYPE_BIT(t))
                strbuf_printf(&types, "%s%s", types.len ? " or " : "", mount_type_names[t]);
        diags_node(d, DIAG_ERROR, n, "`%s` takes a %s mount in place of congo's own%s", m->target,
                   types.buf, builtin_targets[i].removable ? ", or `none` to go without" : "");
        strbuf_free(&types);
        return -1;
    }
    if (kernel_fs && !builtin) {
        for (size_t i = 0; i < ARRAY_SIZE(builtin_targets); i++)
            if (builtin_targets[i].types == TYPE_BIT(m->type))
                diags_node(d, DIAG_ERROR, n, "a %s mount goes at `%s` only", mount_type_names[m->type],
                           builtin_targets[i].target);
        return -1;
    }
    static const char *const kernel_dirs[] = {"/proc", "/sys", "/dev/pts", "/dev/mqueue"};
    for (size_t i = 0; i < ARRAY_SIZE(kernel_dirs) && !builtin; i++)
        if (path_under(m->target, kernel_dirs[i])) {
            diags_node(d, DIAG_ERROR, n,
                       "target `%s` is under %s, which the kernel fills; congo mounts nothing "
                       "there",
                       m->target, kernel_dirs[i]);
            return -1;
        }
    if (m->type == MOUNT_BIND && !m->source) {
        diags_node(d, DIAG_ERROR, n, "a bind mount needs a source");
        return -1;
    }
    if (m->type != MOUNT_BIND && m->source) {
        diags_node(d, DIAG_ERROR, n, "a %s mount takes no source",
                   m->type == MOUNT_NONE ? "`none`" : mount_type_names[m->type]);
        return -1;
    }
    const struct node *key = at->suid ? at->suid : at->dev ? at->dev : at->idmap;
    if (m->type != MOUNT_BIND && key) {
        if (m->type == MOUNT_NONE || key == at->idmap)
            diags_node(d, DIAG_ERROR, key, "only a bind mount takes `%s`", key->key);
        else
            diags_node(
                d, DIAG_ERROR, key,
                "only a bind mount takes `%s`; a %s mount says suid or dev among its options",
                key->key, mount_type_names[m->type]);
        return -1;
    }
    if (m->options && check_options(m, at->options ? at->options : n, d) < 0)
        return -1;
    return 0;
}

/*
 * A bind is nosuid and nodev unless it says `suid: true` or `dev: true`,
 * as bubblewrap's --bind is: a setuid program or a device node in a host
 * directory gives nothing inside. The options may say it too (suid, nosuid,
 * dev, nodev; the last word wins, as in mount(8)) when the key is not
 * given; the words then leave the options, so that the keys alone say it.
 * A word that says the opposite of its key is an error at the key.
 */
static int bind_flags(struct profile_mount *m, const struct mount_nodes *at, struct diags *d)
{
    unsigned long named_set = 0, named_clear = 0, last = 0;
    if (m->options) {
        last = mount_flags_take(m->options, MS_NOSUID | MS_NODEV, &named_set, &named_clear);
        if (!*m->options) {
            free(m->options);
            m->options = NULL;
        }
    }
    const struct {
        unsigned long flag;
        bool *value;
        const struct node *key;
        const char *on, *off;
    } keys[] = {
        {MS_NOSUID, &m->suid, at->suid, "suid", "nosuid"},
        {MS_NODEV, &m->dev, at->dev, "dev", "nodev"},
    };
    int r = 0;
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        unsigned long flag = keys[i].flag;
        if (!keys[i].key) {
            *keys[i].value = (named_clear & flag) && !(last & flag);
        } else if (*keys[i].value ? named_set & flag : named_clear & flag) {
            diags_node(d, DIAG_ERROR, keys[i].key, "`%s` contradicts `%s` among the options",
                       *keys[i].value ? "true" : "false",
                       *keys[i].value ? keys[i].off : keys[i].on);
            r = -1;
        }
    }
    return r;
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

static int read_mount_type(const struct node *f, struct profile_mount *m, struct diags *d)
{
    const char *s = read_scalar(f, "a mount type", d);
    if (!s)
        return -1;
    for (size_t t = 0; t < ARRAY_SIZE(mount_type_names); t++)
        if (strcmp(s, mount_type_names[t]) == 0) {
            m->type = (enum mount_type)t;
            return 0;
        }
    diags_node(d, DIAG_ERROR, f,
               "`%s` is not a mount type: bind, tmpfs, none, proc, sysfs, devpts, mqueue or cgroup",
               s);
    return -1;
}

static int read_mount_map(const struct node *n, struct profile_mount *m, struct mount_nodes *at,
                          struct diags *d)
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
        } else if (strcmp(f->key, "idmap") == 0) {
            if (read_bool(f, &m->idmap, d) < 0)
                r = -1;
            at->idmap = f;
        } else if (strcmp(f->key, "suid") == 0 || strcmp(f->key, "dev") == 0) {
            bool suid = strcmp(f->key, "suid") == 0;
            if (read_bool(f, suid ? &m->suid : &m->dev, d) < 0)
                r = -1;
            *(suid ? &at->suid : &at->dev) = f;
        } else if (strcmp(f->key, "options") == 0) {
            const char *o = read_scalar(f, "mount options", d);
            if (!o)
                r = -1;
            else if (*o)
                m->options = xstrdup(o);
            at->options = f;
        } else if (f == type) {
            if (read_mount_type(f, m, d) < 0)
                r = -1;
        } else {
            const char *hint = suggest_from(mount_fields, ARRAY_SIZE(mount_fields), f->key);
            if (hint)
                diags_key(d, DIAG_ERROR, f, "unknown mount field; did you mean `%s`?", hint);
            else
                diags_key(d, DIAG_ERROR, f,
                          "unknown mount field; known: target, type, source, readonly, suid, "
                          "dev, idmap, options");
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
        struct mount_nodes at = {0};
        int ok = item->kind == NODE_MAP ? read_mount_map(item, &m, &at, d)
                                        : read_mount_string(item, &m, d);
        if (ok == 0)
            ok = check_mount(&m, item, &at, d);
        if (ok == 0 && m.type == MOUNT_BIND)
            ok = bind_flags(&m, &at, d);
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
        /* A removal of a built-in mount stays: it means something without a lower layer too. */
        bool keep = m->type != MOUNT_NONE || profile_mount_target_is_builtin(m->target);
        if (i < key_count(into, k)) {
            mount_clear(&v[i]);
            if (keep)
                mount_copy(&v[i], m);
            else
                key_list_remove(into, k, i, sizeof(*v));
        } else if (keep) {
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
           a->readonly == b->readonly && a->suid == b->suid && a->dev == b->dev &&
           a->idmap == b->idmap &&
           str_eq(a->options, b->options);
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

/* A bool field after the ones before it: `, NAME: BOOL` in YAML, `; NAME = BOOL` in libconfig. */
static void put_bool_field(struct printer *pr, const char *name, bool v)
{
    bool yaml = pr->fmt == PRINT_YAML;
    strbuf_printf(&pr->sb, "%s%s%s%s", yaml ? ", " : "; ", name, yaml ? ": " : " = ",
                  v ? "true" : "false");
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
    put_bool_field(pr, "readonly", m->readonly);
    if (m->type == MOUNT_BIND) {
        put_bool_field(pr, "suid", m->suid);
        put_bool_field(pr, "dev", m->dev);
        /* Only when set: a bind without a user namespace has nothing to map to. */
        if (m->idmap)
            put_bool_field(pr, "idmap", true);
    }
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
    if (m->type == MOUNT_BIND && m->source && *m->source && m->target && !m->options && !m->suid &&
        !m->dev && !m->idmap && !strpbrk(m->source, ":,\\") && !strpbrk(m->target, ":,\\")) {
        _cleanup_free_ char *s =
            xasprintf("%s:%s%s", m->source, m->target, m->readonly ? ":ro" : "");
        if (!mount_is_map_form(s))
            return steal_pointer(&s);
    }
    _cleanup_(strbuf_free) struct strbuf sb = {0};
    if (m->type != MOUNT_BIND)
        strbuf_printf(&sb, "type=%s,", mount_type_names[m->type]);
    if (m->type == MOUNT_BIND && m->source) {
        strbuf_puts(&sb, "source=");
        cli_escape(&sb, m->source);
        strbuf_putc(&sb, ',');
    }
    strbuf_puts(&sb, "target=");
    cli_escape(&sb, m->target ? m->target : "");
    if (m->readonly)
        strbuf_puts(&sb, ",readonly=true");
    if (m->suid)
        strbuf_puts(&sb, ",suid=true");
    if (m->dev)
        strbuf_puts(&sb, ",dev=true");
    if (m->idmap)
        strbuf_puts(&sb, ",idmap=true");
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
        /* A removal only means something against a lower layer or a built-in mount. */
        if (v[i].type == MOUNT_NONE && !profile_mount_target_is_builtin(v[i].target))
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
                "bind (the default), tmpfs, none to remove an inherited or built-in mount, or "
                "the kernel's proc, sysfs, devpts, mqueue or cgroup in place of congo's own");
    jsonw_open(j, "enum", '[');
    for (size_t t = 0; t < ARRAY_SIZE(mount_type_names); t++)
        jsonw_string(j, NULL, mount_type_names[t]);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_open(j, "source", '{');
    jsonw_string(j, "description", "bind: the host path");
    jsonw_string(j, "type", "string");
    jsonw_close(j);
    static const char *const flags[][2] = {
        {"readonly", "read-only, with everything below it"},
        {"suid", "bind: setuid and setgid bits take effect (else nosuid)"},
        {"dev", "bind: device nodes can be opened (else nodev)"},
        {"idmap", "bind: id-mapped to the container's user namespace (root's, auto or mappings)"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
        jsonw_open(j, flags[i][0], '{');
        jsonw_string(j, "description", flags[i][1]);
        jsonw_open(j, "anyOf", '[');
        schema_bool_value(j);
        schema_variable(j);
        jsonw_close(j);
        jsonw_close(j);
    }
    jsonw_open(j, "options", '{');
    jsonw_string(j, "description",
                 "mount flags (ro, nosuid, nodev, noexec, relatime, ...) and the file system's "
                 "own: tmpfs size=SIZE|N%, nr_inodes=N, mode=OCTAL, uid=N, gid=N; devpts "
                 "newinstance, mode, ptmxmode, uid, gid, max; proc hidepid, subset; bind rbind, "
                 "bind, private, rprivate");
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
