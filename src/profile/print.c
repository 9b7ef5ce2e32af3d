/*
 * --print: the effective profile, every key, with defaults spelled as
 * literals that load back to the same profile, in YAML or libconfig syntax.
 */
#include "print.h"

#include <string.h>

#include "schema.h"
#include "util/util.h"

struct printer {
    struct strbuf sb;
    enum print_format fmt;
    bool show_origin;
};

/* A value read from a file is interpolated: a literal `$` goes back as `$$`. */
static char *escape_dollars(const char *s)
{
    struct strbuf sb = {0};
    for (; *s; s++) {
        if (*s == '$')
            strbuf_putc(&sb, '$');
        strbuf_putc(&sb, *s);
    }
    return strbuf_steal(&sb);
}

static bool yaml_plain_ok(const char *s)
{
    static const char *const keywords[] = {"true", "false", "null", "yes", "no",
                                           "on",   "off",   "y",    "n",   "~"};
    if (!*s || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./", *s))
        return false;
    for (const char *c = s; *c; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./@%+=-",
                    *c))
            return false;
    for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
        if (strcasecmp(s, keywords[i]) == 0)
            return false;
    return true;
}

/*
 * The code point of the UTF-8 sequence at c and its length; a byte that
 * starts no valid sequence stands for itself.
 */
static size_t utf8_next(const unsigned char *c, uint32_t *cp)
{
    size_t n = c[0] >= 0xf0 ? 4 : c[0] >= 0xe0 ? 3 : c[0] >= 0xc0 ? 2 : 1;
    uint32_t v = n == 1 ? c[0] : c[0] & (0x7fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((c[i] & 0xc0) != 0x80) {
            *cp = c[0];
            return 1;
        }
        v = (v << 6) | (c[i] & 0x3f);
    }
    *cp = v;
    return n;
}

static void put_quoted(struct strbuf *sb, const char *s, bool yaml)
{
    strbuf_putc(sb, '"');
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (yaml && *c >= 0x80) {
            uint32_t cp;
            size_t n = utf8_next(c, &cp);
            /*
             * YAML reads NEL, LS and PS in a quoted scalar as line breaks
             * (folded to a space), and refuses the C1 controls, U+FFFE and
             * U+FFFF outright: written raw they would not load back.
             */
            if (cp == 0x85)
                strbuf_puts(sb, "\\N");
            else if (cp == 0x2028)
                strbuf_puts(sb, "\\L");
            else if (cp == 0x2029)
                strbuf_puts(sb, "\\P");
            else if (cp >= 0x80 && cp < 0xa0)
                strbuf_printf(sb, "\\x%02x", (unsigned)cp);
            else if (cp == 0xfffe || cp == 0xffff)
                strbuf_printf(sb, "\\u%04x", (unsigned)cp);
            else
                strbuf_add(sb, (const char *)c, n);
            c += n - 1;
            continue;
        }
        switch (*c) {
        case '"':
            strbuf_puts(sb, "\\\"");
            break;
        case '\\':
            strbuf_puts(sb, "\\\\");
            break;
        case '\n':
            strbuf_puts(sb, "\\n");
            break;
        case '\t':
            strbuf_puts(sb, "\\t");
            break;
        case '\r':
            strbuf_puts(sb, "\\r");
            break;
        default:
            if (*c < 0x20 || *c == 0x7f)
                strbuf_printf(sb, "\\x%02x", *c);
            else
                strbuf_putc(sb, (char)*c);
        }
    }
    strbuf_putc(sb, '"');
}

/* A string value, in the syntax of the format. */
static void put_string(struct printer *pr, const char *s)
{
    _cleanup_free_ char *e = escape_dollars(s);
    if (pr->fmt == PRINT_YAML && yaml_plain_ok(e))
        strbuf_puts(&pr->sb, e);
    else
        put_quoted(&pr->sb, e, pr->fmt == PRINT_YAML);
}

/* A literal that both formats read as is: numbers, booleans. */
static void put_literal(struct printer *pr, const char *s) { strbuf_puts(&pr->sb, s); }

static void put_origin(struct printer *pr, const struct origin *o)
{
    if (!pr->show_origin)
        return;
    if (!o || !o->file)
        strbuf_puts(&pr->sb, "  # default");
    else if (strcmp(o->file, "<command line>") == 0)
        strbuf_puts(&pr->sb, "  # command line");
    else if (o->line > 0)
        strbuf_printf(&pr->sb, "  # %s:%d", o->file, o->line);
    else
        strbuf_printf(&pr->sb, "  # %s", o->file);
}

static void indent(struct printer *pr, int level)
{
    for (int i = 0; i < level; i++)
        strbuf_puts(&pr->sb, "  ");
}

/* `key: ` or `key = `. */
static void key_open(struct printer *pr, int level, const char *key)
{
    indent(pr, level);
    strbuf_printf(&pr->sb, pr->fmt == PRINT_YAML ? "%s: " : "%s = ", key);
}

static void key_close(struct printer *pr, const struct origin *o)
{
    if (pr->fmt == PRINT_CONF)
        strbuf_putc(&pr->sb, ';');
    put_origin(pr, o);
    strbuf_putc(&pr->sb, '\n');
}

static void put_key_string(struct printer *pr, int level, const char *key, const char *value,
                           const struct origin *o)
{
    key_open(pr, level, key);
    put_string(pr, value);
    key_close(pr, o);
}

static void put_key_literal(struct printer *pr, int level, const char *key, const char *value,
                            const struct origin *o)
{
    key_open(pr, level, key);
    put_literal(pr, value);
    key_close(pr, o);
}

/* A key with no value to give: shown, but as a comment. */
static void put_key_unset(struct printer *pr, int level, const char *key, const char *why)
{
    indent(pr, level);
    strbuf_printf(&pr->sb, "# %s: %s\n", key, why);
}

/* A list of paths, one an entry with its origin; `[]` when empty. */
static void put_path_list(struct printer *pr, const char *key, const struct profile_layer *list,
                          size_t n, const struct origin *o)
{
    if (n == 0) {
        key_open(pr, 0, key);
        strbuf_puts(&pr->sb, "[]");
        key_close(pr, o);
        return;
    }
    if (pr->fmt == PRINT_YAML) {
        strbuf_printf(&pr->sb, "%s:\n", key);
        for (size_t i = 0; i < n; i++) {
            strbuf_puts(&pr->sb, "  - ");
            put_string(pr, list[i].path);
            put_origin(pr, &list[i].origin);
            strbuf_putc(&pr->sb, '\n');
        }
        return;
    }
    strbuf_printf(&pr->sb, "%s = [\n", key);
    for (size_t i = 0; i < n; i++) {
        strbuf_puts(&pr->sb, "  ");
        put_string(pr, list[i].path);
        if (i + 1 < n)
            strbuf_putc(&pr->sb, ',');
        put_origin(pr, &list[i].origin);
        strbuf_putc(&pr->sb, '\n');
    }
    strbuf_puts(&pr->sb, "];\n");
}

static uint64_t all_caps(void)
{
    int last = capability_last();
    return last >= 63 ? UINT64_MAX : (UINT64_C(1) << (last + 1)) - 1;
}

/* capabilities: {add: [..], drop: [..]}, by name, relative to the default set. */
static void put_caps(struct printer *pr, const struct profile *p)
{
    strbuf_puts(&pr->sb, pr->fmt == PRINT_YAML ? "capabilities:\n" : "capabilities = {\n");
    static const struct {
        const char *key;
        enum key_id id;
    } sets[] = {{"add", KEY_CAP_ADD}, {"drop", KEY_CAP_DROP}};
    for (size_t s = 0; s < ARRAY_SIZE(sets); s++) {
        uint64_t bits = sets[s].id == KEY_CAP_ADD ? p->cap_add : p->cap_drop;
        key_open(pr, 1, sets[s].key);
        strbuf_putc(&pr->sb, '[');
        /* Drops apply before adds, so "everything but the adds" is written ALL. */
        if (sets[s].id == KEY_CAP_DROP && bits && (bits | p->cap_add) == all_caps()) {
            put_string(pr, "ALL");
            bits = 0;
        }
        bool first = true;
        for (int c = 0; c < 64; c++) {
            if (!(bits & (UINT64_C(1) << c)))
                continue;
            _cleanup_free_ char *name = capability_name(c);
            strbuf_puts(&pr->sb, first ? "" : ", ");
            put_string(pr, name);
            first = false;
        }
        strbuf_putc(&pr->sb, ']');
        key_close(pr, &p->origin[sets[s].id]);
    }
    if (pr->fmt == PRINT_CONF)
        strbuf_puts(&pr->sb, "};\n");
}

static void put_rlimits(struct printer *pr, const struct profile *p)
{
    if (p->n_rlimits == 0) {
        key_open(pr, 0, "rlimits");
        strbuf_puts(&pr->sb, "{}");
        key_close(pr, &p->origin[KEY_RLIMITS]);
        return;
    }
    strbuf_puts(&pr->sb, pr->fmt == PRINT_YAML ? "rlimits:\n" : "rlimits = {\n");
    for (size_t i = 0; i < p->n_rlimits; i++) {
        const struct profile_rlimit *l = &p->rlimits[i];
        _cleanup_free_ char *soft = format_rlimit(l->soft);
        _cleanup_free_ char *hard = format_rlimit(l->hard);
        _cleanup_free_ char *v = l->soft == l->hard ? xstrdup(soft) : xasprintf("%s:%s", soft, hard);
        /* Strings in both formats: libconfig integers stop at 32 bits. */
        put_key_string(pr, 1, rlimit_name(l->resource), v, &l->origin);
    }
    if (pr->fmt == PRINT_CONF)
        strbuf_puts(&pr->sb, "};\n");
}

static void put_env(struct printer *pr, const struct profile *p)
{
    if (p->n_env == 0) {
        key_open(pr, 0, "env");
        strbuf_puts(&pr->sb, pr->fmt == PRINT_YAML ? "{}" : "()");
        key_close(pr, &p->origin[KEY_ENV]);
        return;
    }
    if (pr->fmt == PRINT_YAML) {
        strbuf_puts(&pr->sb, "env:\n");
        for (size_t i = 0; i < p->n_env; i++)
            put_key_string(pr, 1, p->env[i].name, p->env[i].value, &p->env[i].origin);
        return;
    }
    /* The list form: it holds every valid variable name, libconfig's setting names do not. */
    strbuf_puts(&pr->sb, "env = (\n");
    for (size_t i = 0; i < p->n_env; i++) {
        _cleanup_free_ char *item = xasprintf("%s=%s", p->env[i].name, p->env[i].value);
        strbuf_puts(&pr->sb, "  ");
        put_string(pr, item);
        if (i + 1 < p->n_env)
            strbuf_putc(&pr->sb, ',');
        put_origin(pr, &p->env[i].origin);
        strbuf_putc(&pr->sb, '\n');
    }
    strbuf_puts(&pr->sb, ");\n");
}

static void put_command(struct printer *pr, const struct profile *p)
{
    if (!p->command) {
        put_key_unset(pr, 0, "command", "none; give one after `--`");
        return;
    }
    if (p->command_shell && strv_len(p->command) == 3) {
        put_key_string(pr, 0, "command", p->command[2], &p->origin[KEY_COMMAND]);
        return;
    }
    key_open(pr, 0, "command");
    strbuf_putc(&pr->sb, '[');
    for (size_t i = 0; p->command[i]; i++) {
        if (i)
            strbuf_puts(&pr->sb, ", ");
        put_string(pr, p->command[i]);
    }
    strbuf_putc(&pr->sb, ']');
    key_close(pr, &p->origin[KEY_COMMAND]);
}

static void put_size(struct printer *pr, const char *key, int64_t v, const struct origin *o)
{
    _cleanup_free_ char *s = v == LIMIT_UNLIMITED ? xstrdup("unlimited") : format_size(v);
    /* libconfig ints are 32 bits: sizes go as strings there. */
    if (pr->fmt == PRINT_CONF)
        put_key_string(pr, 1, key, s, o);
    else
        put_key_literal(pr, 1, key, s, o);
}

static void put_limits(struct printer *pr, const struct profile *p)
{
    strbuf_puts(&pr->sb, pr->fmt == PRINT_YAML ? "limits:\n" : "limits = {\n");
    if (p->pids == LIMIT_UNLIMITED)
        put_size(pr, "pids", LIMIT_UNLIMITED, &p->origin[KEY_PIDS]);
    else {
        _cleanup_free_ char *s = xasprintf("%lld", (long long)p->pids);
        put_key_literal(pr, 1, "pids", s, &p->origin[KEY_PIDS]);
    }
    put_size(pr, "memory", p->memory, &p->origin[KEY_MEMORY]);
    put_size(pr, "memory_swap", p->memory_swap, &p->origin[KEY_MEMORY_SWAP]);
    if (p->cpu_shares) {
        _cleanup_free_ char *s = xasprintf("%lld", (long long)p->cpu_shares);
        put_key_literal(pr, 1, "cpu_shares", s, &p->origin[KEY_CPU_SHARES]);
    } else {
        put_key_unset(pr, 1, "cpu_shares", "unset");
    }
    if (p->cpu_quota) {
        _cleanup_free_ char *s = format_cpus(p->cpu_quota);
        put_key_literal(pr, 1, "cpus", s, &p->origin[KEY_CPUS]);
    } else {
        put_key_unset(pr, 1, "cpus", "unset");
    }
    if (pr->fmt == PRINT_CONF)
        strbuf_puts(&pr->sb, "};\n");
}

static const char *const mount_type_names[] = {
    [MOUNT_BIND] = "bind",
    [MOUNT_TMPFS] = "tmpfs",
    [MOUNT_NONE] = "none",
};

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

static void put_mounts(struct printer *pr, const struct profile *p)
{
    if (p->n_mounts == 0) {
        key_open(pr, 0, "mounts");
        strbuf_puts(&pr->sb, pr->fmt == PRINT_YAML ? "[]" : "()");
        key_close(pr, &p->origin[KEY_MOUNTS]);
        return;
    }
    strbuf_puts(&pr->sb, pr->fmt == PRINT_YAML ? "mounts:\n" : "mounts = (\n");
    for (size_t i = 0; i < p->n_mounts; i++) {
        strbuf_puts(&pr->sb, pr->fmt == PRINT_YAML ? "  - {" : "  { ");
        put_mount_fields(pr, &p->mounts[i]);
        strbuf_puts(&pr->sb, pr->fmt == PRINT_YAML ? "}" : " }");
        if (pr->fmt == PRINT_CONF && i + 1 < p->n_mounts)
            strbuf_putc(&pr->sb, ',');
        put_origin(pr, &p->mounts[i].origin);
        strbuf_putc(&pr->sb, '\n');
    }
    if (pr->fmt == PRINT_CONF)
        strbuf_puts(&pr->sb, ");\n");
}

static void put_namespaces(struct printer *pr, const struct profile *p)
{
    strbuf_puts(&pr->sb, pr->fmt == PRINT_YAML ? "namespaces:\n" : "namespaces = {\n");
    for (int i = 0; i < NS__MAX; i++)
        put_key_literal(pr, 1, ns_names[i], p->ns[i] ? "true" : "false", &p->ns_origin[i]);
    if (pr->fmt == PRINT_CONF)
        strbuf_puts(&pr->sb, "};\n");
}

char *profile_print(const struct profile *p, enum print_format fmt, bool show_origin)
{
    struct printer pr = {.fmt = fmt, .show_origin = show_origin};
    const struct origin *o = p->origin;
    for (int id = 0; id < KEY__MAX; id++) {
        switch ((enum key_id)id) {
        case KEY_INCLUDE:
        case KEY_RESET:
            break; /* the stack is flattened */
        case KEY_NAME:
            if (p->name)
                put_key_string(&pr, 0, "name", p->name, &o[id]);
            else
                put_key_unset(&pr, 0, "name", "none");
            break;
        case KEY_ROOTFS:
            if (p->rootfs)
                put_key_string(&pr, 0, "rootfs", p->rootfs, &o[id]);
            else
                put_key_unset(&pr, 0, "rootfs", "none; required to run");
            break;
        case KEY_LAYERS:
            put_path_list(&pr, "layers", p->layers, p->n_layers, &o[id]);
            break;
        case KEY_UPPER:
            if (p->readonly_rootfs)
                put_key_unset(&pr, 0, "upper", "none; the root is read-only");
            else
                put_key_string(&pr, 0, "upper", p->upper ? p->upper : "tmpfs", &o[id]);
            break;
        case KEY_READONLY_ROOTFS:
            put_key_literal(&pr, 0, "readonly_rootfs", p->readonly_rootfs ? "true" : "false",
                            &o[id]);
            break;
        case KEY_HOSTNAME: {
            _cleanup_free_ char *h = profile_effective_hostname(p);
            if (h)
                put_key_string(&pr, 0, "hostname", h, &o[id]);
            else
                put_key_unset(&pr, 0, "hostname",
                              p->ns[NS_UTS] ? "none" : "none; the uts namespace is off");
            break;
        }
        case KEY_USER:
            put_key_string(&pr, 0, "user", p->user ? p->user : "root", &o[id]);
            break;
        case KEY_WORKDIR:
            put_key_string(&pr, 0, "workdir", p->workdir ? p->workdir : "/", &o[id]);
            break;
        case KEY_ENV:
            put_env(&pr, p);
            break;
        case KEY_COMMAND:
            put_command(&pr, p);
            break;
        case KEY_PIDS:
            put_limits(&pr, p);
            break;
        case KEY_MEMORY:
        case KEY_MEMORY_SWAP:
        case KEY_CPU_SHARES:
        case KEY_CPUS:
            break; /* printed with limits */
        case KEY_MOUNTS:
            put_mounts(&pr, p);
            break;
        case KEY_NAMESPACES:
            put_namespaces(&pr, p);
            break;
        case KEY_INIT:
            put_key_literal(&pr, 0, "init", p->init ? "true" : "false", &o[id]);
            break;
        case KEY_CGROUP_PARENT:
            put_key_string(&pr, 0, "cgroup_parent", p->cgroup_parent ? p->cgroup_parent : "auto",
                           &o[id]);
            break;
        case KEY_CAP_ADD:
            put_caps(&pr, p);
            break;
        case KEY_CAP_DROP:
            break; /* printed with capabilities.add */
        case KEY_SECCOMP:
            put_key_string(&pr, 0, "seccomp", p->seccomp ? p->seccomp : "default", &o[id]);
            break;
        case KEY_RLIMITS:
            put_rlimits(&pr, p);
            break;
        case KEY_NO_NEW_PRIVILEGES:
            put_key_literal(&pr, 0, "no_new_privileges", p->no_new_privileges ? "true" : "false",
                            &o[id]);
            break;
        case KEY_MASKED_PATHS:
            put_path_list(&pr, "masked_paths", p->masked_paths, p->n_masked_paths, &o[id]);
            break;
        case KEY_READONLY_PATHS:
            put_path_list(&pr, "readonly_paths", p->readonly_paths, p->n_readonly_paths, &o[id]);
            break;
        case KEY_STOP_TIMEOUT: {
            _cleanup_free_ char *v = format_duration(p->stop_timeout_ms);
            put_key_string(&pr, 0, "stop_timeout", v, &o[id]);
            break;
        }
        case KEY__MAX:
            break;
        }
    }
    return strbuf_steal(&pr.sb);
}
