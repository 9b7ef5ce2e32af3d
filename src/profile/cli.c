#include "cli.h"

#include <stdarg.h>
#include <string.h>

#include "schema.h"
#include "util/util.h"

/*
 * The five slots of the original runtime's command line, word for word.
 * They are taken literally (no escapes), except ENV_VARS, which is a list.
 */
static const char *const positional_keys[] = {
    "rootfs", "limits.pids", "limits.memory", "limits.cpu_shares", "env",
};
#define N_POSITIONALS ((int)ARRAY_SIZE(positional_keys))

/* The fields that make a --mount value the map form rather than SRC:DEST[:ro]. */
static bool mount_is_map_form(const char *value)
{
    static const char *const fields[] = {"type=", "target=", "source=", "readonly=", "options="};
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
        if (strncmp(value, fields[i], strlen(fields[i])) == 0)
            return true;
    return false;
}

struct run_parser {
    const struct source *src;
    struct diags *d;
    struct node *root;
};

static void run_error(struct run_parser *rp, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Command-line values have no line: messages read
 * `<command line>: error: KEY: ...` and name the option in the text.
 */
static void run_error(struct run_parser *rp, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diags_vadd(rp->d, DIAG_ERROR, rp->src->name, 0, 0, key, fmt, ap);
    va_end(ap);
}

/* Quoted: a command-line value is a string as typed; the schema reads it by the key's type. */
static struct node *new_scalar(const struct run_parser *rp, const char *text)
{
    return node_new_scalar(rp->src, 0, 0, text, strlen(text), NODE_QUOTED);
}

/* A later value replaces the node in place, so the tree never holds a key twice. */
static void map_set(struct node *map, const char *key, struct node *child)
{
    struct node *old = node_map_get(map, key);
    if (!old) {
        node_map_append(map, key, 0, 0, child);
        return;
    }
    free(child->key);
    child->key = xstrdup(key);
    child->parent = map;
    child->index = old->index;
    map->items[old->index] = child;
    node_free(old);
}

static struct node *map_container(const struct run_parser *rp, struct node *map, const char *key,
                                  enum node_kind kind)
{
    struct node *n = node_map_get(map, key);
    if (n && n->kind == kind)
        return n;
    n = node_new(kind, rp->src, 0, 0);
    map_set(map, key, n);
    return n;
}

/* Dotted names nest as a file would write them: limits.memory is memory in the limits map. */
static struct node *key_parent(const struct run_parser *rp, const char *dotted, const char **leaf)
{
    struct node *map = rp->root;
    const char *part = dotted;
    const char *dot;
    while ((dot = strchr(part, '.'))) {
        _cleanup_free_ char *name = xstrndup(part, (size_t)(dot - part));
        map = map_container(rp, map, name, NODE_MAP);
        part = dot + 1;
    }
    *leaf = part;
    return map;
}

static void key_set(const struct run_parser *rp, const struct key_def *k, struct node *value)
{
    const char *leaf;
    struct node *map = key_parent(rp, k->name, &leaf);
    map_set(map, leaf, value);
}

static struct node *key_container(const struct run_parser *rp, const struct key_def *k,
                                  enum node_kind kind)
{
    const char *leaf;
    struct node *map = key_parent(rp, k->name, &leaf);
    return map_container(rp, map, leaf, kind);
}

/* A whole UTF-8 character, so that a message never cuts one in half. */
static int char_len(const char *s)
{
    int n = 1;
    if ((unsigned char)s[0] >= 0x80)
        while (((unsigned char)s[n] & 0xc0) == 0x80)
            n++;
    return n;
}

/*
 * Undo `\,` and `\\` and, when split, cut at the other commas. `what` names
 * the value in messages ("--layers value", "ENV_VARS"). Returns NULL after
 * an error.
 */
static char **unescape_items(struct run_parser *rp, const char *key, const char *what,
                             const char *value, bool split)
{
    _cleanup_strv_ char **items = NULL;
    _cleanup_(strbuf_free) struct strbuf sb = {0};
    for (const char *s = value;; s++) {
        if (*s == '\\') {
            if (s[1] == ',' || s[1] == '\\') {
                strbuf_putc(&sb, *++s);
                continue;
            }
            if (s[1] == '\0')
                run_error(rp, key, "`\\` at the end of %s; only \\, and \\\\ are escapes", what);
            else
                run_error(rp, key, "unknown escape `\\%.*s` in %s; only \\, and \\\\ are escapes",
                          char_len(s + 1), s + 1, what);
            return NULL;
        }
        if (*s != '\0' && !(split && *s == ',')) {
            strbuf_putc(&sb, *s);
            continue;
        }
        if (sb.len == 0) {
            run_error(rp, key, "empty item in %s", what);
            return NULL;
        }
        strv_push(&items, strbuf_steal(&sb));
        if (*s == '\0')
            return steal_pointer(&items);
    }
}

static void add_list(struct run_parser *rp, const struct key_def *k, const char *what,
                     const char *value)
{
    _cleanup_strv_ char **items = unescape_items(rp, k->name, what, value, true);
    if (!items)
        return;
    struct node *seq = key_container(rp, k, NODE_SEQ);
    for (size_t i = 0; items[i]; i++)
        node_seq_append(seq, new_scalar(rp, items[i]));
}

/* NAME=VALUE items merge into the key's map: a later NAME replaces an earlier one. */
static void add_map(struct run_parser *rp, const struct key_def *k, const char *what,
                    const char *value)
{
    _cleanup_strv_ char **items = unescape_items(rp, k->name, what, value, true);
    if (!items)
        return;
    struct node *map = key_container(rp, k, NODE_MAP);
    for (size_t i = 0; items[i]; i++) {
        char *eq = strchr(items[i], '=');
        if (!eq || eq == items[i]) {
            run_error(rp, k->name, "`%s` in %s is not NAME=VALUE", items[i], what);
            continue;
        }
        *eq = '\0';
        map_set(map, items[i], new_scalar(rp, eq + 1));
    }
}

/*
 * One --mount is one entry of mounts: the map form's fields go into a map
 * as written (the schema rejects unknown ones), the string form stays one
 * scalar for the schema to split.
 */
static void add_mount(struct run_parser *rp, const struct key_def *k, const char *what,
                      const char *value)
{
    struct node *seq = key_container(rp, k, NODE_SEQ);
    _cleanup_free_ char *path = xasprintf("%s[%zu]", k->name, seq->n_items);
    bool map_form = mount_is_map_form(value);
    _cleanup_strv_ char **items = unescape_items(rp, path, what, value, map_form);
    if (!items)
        return;
    if (!map_form) {
        node_seq_append(seq, new_scalar(rp, items[0]));
        return;
    }
    struct node *map = node_new(NODE_MAP, rp->src, 0, 0);
    node_seq_append(seq, map);
    for (size_t i = 0; items[i]; i++) {
        char *eq = strchr(items[i], '=');
        if (!eq || eq == items[i]) {
            run_error(rp, path, "`%s` in %s is not FIELD=VALUE", items[i], what);
            continue;
        }
        *eq = '\0';
        if (node_map_get(map, items[i])) {
            run_error(rp, path, "duplicate field `%s` in %s", items[i], what);
            continue;
        }
        node_map_append(map, items[i], 0, 0, new_scalar(rp, eq + 1));
    }
}

static void run_option(struct run_parser *rp, const struct key_def *k, const char *value)
{
    _cleanup_free_ char *what = xasprintf("--%s value", k->option);
    switch (k->shape) {
    case SHAPE_FLAG:
        if (!str_eq(value, "true") && !str_eq(value, "false")) {
            run_error(rp, k->name, "option --%s takes =true or =false, not `%s`", k->option, value);
            return;
        }
        key_set(rp, k, new_scalar(rp, value));
        return;
    case SHAPE_SCALAR: {
        /* Commas are literal here; only the escapes are undone, so every value reads alike. */
        _cleanup_strv_ char **items = unescape_items(rp, k->name, what, value, false);
        if (items)
            key_set(rp, k, new_scalar(rp, items[0]));
        return;
    }
    case SHAPE_LIST:
        add_list(rp, k, what, value);
        return;
    case SHAPE_MAP:
        add_map(rp, k, what, value);
        return;
    case SHAPE_MOUNT:
        add_mount(rp, k, what, value);
        return;
    case SHAPE_NONE:
        return;
    }
}

/* The option a misspelt one most likely meant, or NULL. */
static const char *option_suggest(const char *opt)
{
    /* A key written as in a file (`cpu_shares`, `limits.memory`, `mounts`) names its option. */
    const struct key_def *k = key_by_name(opt);
    if (k && k->option && k->shape != SHAPE_NONE)
        return k->option;
    const char *best = NULL;
    size_t best_dist = 3;
    for (size_t i = 0; i < KEY__MAX; i++) {
        if (!profile_keys[i].option || profile_keys[i].shape == SHAPE_NONE)
            continue;
        size_t dist = str_distance(opt, profile_keys[i].option);
        if (dist < best_dist) {
            best = profile_keys[i].option;
            best_dist = dist;
        }
    }
    return best;
}

static void unknown_option(struct run_parser *rp, const char *dashes, const char *opt)
{
    const struct key_def *k = key_by_name(opt);
    if (k && k->id == KEY_RESET) {
        run_error(rp, NULL,
                  "unknown option %s%s; --reset KEY is a global option, given before `run`", dashes,
                  opt);
        return;
    }
    if (k && k->id == KEY_INCLUDE) {
        run_error(rp, NULL, "unknown option %s%s; include cannot be set on the command line",
                  dashes, opt);
        return;
    }
    const char *hint = option_suggest(opt);
    if (hint)
        run_error(rp, NULL, "unknown option %s%s; did you mean --%s?", dashes, opt, hint);
    else
        run_error(rp, NULL, "unknown option %s%s", dashes, opt);
}

/*
 * The option at argv[i] and its value; returns the index of the last word
 * used. A value is never taken from a word that starts with `--`: that is
 * the next option or the command, and a value that really starts so is
 * written --KEY=VALUE. A flag never takes the next word.
 */
static int run_option_word(struct run_parser *rp, int argc, char **argv, int i, bool *unknown)
{
    const char *w = argv[i];
    bool long_opt = w[1] == '-';
    const char *name = w + (long_opt ? 2 : 1);
    const char *eq = strchr(name, '=');
    _cleanup_free_ char *opt = eq ? xstrndup(name, (size_t)(eq - name)) : xstrdup(name);
    const struct key_def *k = long_opt ? key_by_option(opt) : NULL;
    if (!k || !k->option || k->shape == SHAPE_NONE) {
        unknown_option(rp, long_opt ? "--" : "-", opt);
        *unknown = true;
        return i;
    }
    const char *value = NULL;
    if (k->shape == SHAPE_FLAG)
        value = eq ? eq + 1 : "true";
    else if (eq)
        value = eq + 1;
    else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
        value = argv[++i];
    if (!value || (k->shape != SHAPE_FLAG && !*value)) {
        run_error(rp, k->name, "option --%s needs a value", k->option);
        return i;
    }
    run_option(rp, k, value);
    return i;
}

static void run_positional(struct run_parser *rp, int slot, const char *word)
{
    if (strcmp(word, "-") == 0)
        return;
    const struct key_def *k = key_by_name(positional_keys[slot]);
    if (k->shape == SHAPE_LIST) {
        /* The original runtime took an empty ENV_VARS as "no variables". */
        if (*word)
            add_list(rp, k, "ENV_VARS", word);
        return;
    }
    key_set(rp, k, new_scalar(rp, word));
}

struct node *cli_parse_run(int argc, char **argv, const struct source *src, struct diags *d)
{
    _cleanup_node_ struct node *root = node_new(NODE_MAP, src, 0, 0);
    struct run_parser rp = {.src = src, .d = d, .root = root};
    size_t errors = d->n_errors;
    int n_positionals = 0;
    bool unknown = false;
    int i;
    for (i = 0; i < argc; i++) {
        const char *w = argv[i];
        if (strcmp(w, "--") == 0)
            break;
        if (w[0] == '-' && w[1] != '\0') {
            i = run_option_word(&rp, argc, argv, i, &unknown);
            continue;
        }
        if (n_positionals < N_POSITIONALS)
            run_positional(&rp, n_positionals, w);
        n_positionals++;
    }
    /* An unknown option's value may have been counted as a slot: the count would mislead. */
    if (n_positionals != N_POSITIONALS && !unknown)
        run_error(&rp, NULL,
                  "run needs ROOTFS PROCESS_LIMIT MEMORY_LIMIT CPU_SHARES ENV_VARS (%d given); "
                  "`-` leaves a slot unset%s",
                  n_positionals,
                  n_positionals > N_POSITIONALS ? " and the command goes after `--`" : "");
    /* `-- COMMAND` replaces a --command as it replaces a profile's; a bare `--` sets nothing. */
    if (i + 1 < argc) {
        struct node *cmd = node_new(NODE_SEQ, src, 0, 0);
        for (int j = i + 1; j < argc; j++)
            node_seq_append(cmd, new_scalar(&rp, argv[j]));
        key_set(&rp, key_by_name("command"), cmd);
    }
    if (d->n_errors != errors)
        return NULL;
    return steal_pointer(&root);
}

static bool shell_safe(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("_./:=,+@%^-", c);
}

char *shell_quote(const char *s)
{
    bool safe = *s != '\0';
    for (const char *c = s; *c && safe; c++)
        safe = shell_safe((unsigned char)*c);
    if (safe)
        return xstrdup(s);
    _cleanup_(strbuf_free) struct strbuf sb = {0};
    strbuf_putc(&sb, '\'');
    for (const char *c = s; *c; c++) {
        if (*c == '\'')
            strbuf_puts(&sb, "'\\''");
        else
            strbuf_putc(&sb, *c);
    }
    strbuf_putc(&sb, '\'');
    return strbuf_steal(&sb);
}

static void put_word(struct strbuf *sb, const char *word)
{
    _cleanup_free_ char *q = shell_quote(word);
    if (sb->len)
        strbuf_putc(sb, ' ');
    strbuf_puts(sb, q);
}

/* The inverse of unescape_items for one item. */
static void put_escaped(struct strbuf *sb, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == ',')
            strbuf_putc(sb, '\\');
        strbuf_putc(sb, *s);
    }
}

/* value is escaped already. */
static void put_option(struct strbuf *sb, const struct key_def *k, const char *value)
{
    /* The parser takes no value from a word that starts with `--`; `=` keeps it attached. */
    if (value[0] == '-') {
        _cleanup_free_ char *w = xasprintf("--%s=%s", k->option, value);
        put_word(sb, w);
        return;
    }
    _cleanup_free_ char *opt = xasprintf("--%s", k->option);
    put_word(sb, opt);
    put_word(sb, value);
}

static void put_option_escaped(struct strbuf *sb, const struct key_def *k, const char *value)
{
    _cleanup_(strbuf_free) struct strbuf v = {0};
    put_escaped(&v, value);
    _cleanup_free_ char *s = strbuf_steal(&v);
    put_option(sb, k, s);
}

/* A slot value that would read as `-` (unset) or as an option is written as an option instead. */
static bool slot_needs_option(const char *value)
{
    return value && value[0] == '-';
}

/* ENV_VARS, escaped; NULL when there are no variables. */
static char *env_value(const struct profile *p)
{
    if (p->n_env == 0)
        return NULL;
    _cleanup_(strbuf_free) struct strbuf env = {0};
    for (size_t i = 0; i < p->n_env; i++) {
        if (i)
            strbuf_putc(&env, ',');
        put_escaped(&env, p->env[i].name);
        strbuf_putc(&env, '=');
        put_escaped(&env, p->env[i].value);
    }
    return strbuf_steal(&env);
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
        put_escaped(&sb, m->source);
        strbuf_putc(&sb, ',');
    }
    strbuf_puts(&sb, "target=");
    put_escaped(&sb, m->target ? m->target : "");
    if (m->readonly)
        strbuf_puts(&sb, ",readonly=true");
    if (m->options) {
        strbuf_puts(&sb, ",options=");
        put_escaped(&sb, m->options);
    }
    return strbuf_steal(&sb);
}

static bool ns_default(enum ns_id ns)
{
    return ns != NS_CGROUP;
}

/* One key's options, when its value differs from the default; the positional slots are done. */
static void put_key(struct strbuf *sb, const struct key_def *k, const struct profile *p)
{
    switch (k->id) {
    case KEY_NAME:
        /* congo is what `run` names a container anyway. */
        if (p->name && !str_eq(p->name, "congo"))
            put_option_escaped(sb, k, p->name);
        break;
    case KEY_ROOTFS:
        if (slot_needs_option(p->rootfs))
            put_option_escaped(sb, k, p->rootfs);
        break;
    case KEY_ENV: {
        _cleanup_free_ char *env = env_value(p);
        if (slot_needs_option(env))
            put_option(sb, k, env);
        break;
    }
    case KEY_LAYERS: {
        if (!p->n_layers)
            break;
        _cleanup_(strbuf_free) struct strbuf v = {0};
        for (size_t i = 0; i < p->n_layers; i++) {
            if (i)
                strbuf_putc(&v, ',');
            put_escaped(&v, p->layers[i].path);
        }
        put_option(sb, k, v.buf);
        break;
    }
    case KEY_UPPER:
        if (p->upper)
            put_option_escaped(sb, k, p->upper);
        break;
    case KEY_READONLY_ROOTFS:
        if (p->readonly_rootfs) {
            _cleanup_free_ char *w = xasprintf("--%s", k->option);
            put_word(sb, w);
        }
        break;
    case KEY_HOSTNAME:
        if (p->hostname)
            put_option_escaped(sb, k, p->hostname);
        break;
    case KEY_USER:
        if (p->user)
            put_option_escaped(sb, k, p->user);
        break;
    case KEY_WORKDIR:
        if (p->workdir && !str_eq(p->workdir, "/"))
            put_option_escaped(sb, k, p->workdir);
        break;
    case KEY_MEMORY_SWAP:
        if (p->memory_swap != LIMIT_UNLIMITED) {
            _cleanup_free_ char *size = format_size(p->memory_swap);
            put_option(sb, k, size);
        }
        break;
    case KEY_CPUS:
        if (p->cpu_quota) {
            _cleanup_free_ char *cpus = format_cpus(p->cpu_quota);
            put_option(sb, k, cpus);
        }
        break;
    case KEY_MOUNTS:
        for (size_t i = 0; i < p->n_mounts; i++) {
            /* A removal only means something against a lower layer, and there is none. */
            if (p->mounts[i].type == MOUNT_NONE)
                continue;
            _cleanup_free_ char *value = mount_value(&p->mounts[i]);
            put_option(sb, k, value);
        }
        break;
    case KEY_NAMESPACES: {
        _cleanup_(strbuf_free) struct strbuf v = {0};
        for (int ns = 0; ns < NS__MAX; ns++) {
            if (p->ns[ns] == ns_default(ns))
                continue;
            if (v.len)
                strbuf_putc(&v, ',');
            put_escaped(&v, ns_names[ns]);
            strbuf_puts(&v, p->ns[ns] ? "=true" : "=false");
        }
        if (v.len)
            put_option(sb, k, v.buf);
        break;
    }
    case KEY_INIT:
        if (!p->init) {
            _cleanup_free_ char *w = xasprintf("--%s=false", k->option);
            put_word(sb, w);
        }
        break;
    case KEY_CGROUP_PARENT:
        if (p->cgroup_parent)
            put_option_escaped(sb, k, p->cgroup_parent);
        break;
    case KEY_CAP_ADD:
    case KEY_CAP_DROP: {
        uint64_t bits = k->id == KEY_CAP_ADD ? p->cap_add : p->cap_drop;
        _cleanup_(strbuf_free) struct strbuf v = {0};
        int last = capability_last();
        uint64_t all = last >= 63 ? UINT64_MAX : (UINT64_C(1) << (last + 1)) - 1;
        /* Drops apply before adds in one layer: "all but the adds" is ALL. */
        if (k->id == KEY_CAP_DROP && bits && (bits | p->cap_add) == all) {
            strbuf_puts(&v, "ALL");
            bits = 0;
        }
        for (int c = 0; c < 64; c++) {
            if (!(bits & (UINT64_C(1) << c)))
                continue;
            _cleanup_free_ char *name = capability_name(c);
            if (v.len)
                strbuf_putc(&v, ',');
            strbuf_puts(&v, name);
        }
        if (v.len)
            put_option(sb, k, v.buf);
        break;
    }
    case KEY_SECCOMP:
        if (p->seccomp)
            put_option_escaped(sb, k, p->seccomp);
        break;
    case KEY_RLIMITS: {
        _cleanup_(strbuf_free) struct strbuf v = {0};
        for (size_t i = 0; i < p->n_rlimits; i++) {
            const struct profile_rlimit *l = &p->rlimits[i];
            _cleanup_free_ char *soft = format_rlimit(l->soft);
            _cleanup_free_ char *hard = format_rlimit(l->hard);
            if (v.len)
                strbuf_putc(&v, ',');
            strbuf_printf(&v, "%s=%s", rlimit_name(l->resource), soft);
            if (l->soft != l->hard)
                strbuf_printf(&v, ":%s", hard);
        }
        if (v.len)
            put_option(sb, k, v.buf);
        break;
    }
    case KEY_NO_NEW_PRIVILEGES:
        if (!p->no_new_privileges) {
            _cleanup_free_ char *w = xasprintf("--%s=false", k->option);
            put_word(sb, w);
        }
        break;
    case KEY_MASKED_PATHS:
    case KEY_READONLY_PATHS: {
        const struct profile_layer *list =
            k->id == KEY_MASKED_PATHS ? p->masked_paths : p->readonly_paths;
        size_t n = k->id == KEY_MASKED_PATHS ? p->n_masked_paths : p->n_readonly_paths;
        _cleanup_(strbuf_free) struct strbuf v = {0};
        for (size_t i = 0; i < n; i++) {
            if (i)
                strbuf_putc(&v, ',');
            put_escaped(&v, list[i].path);
        }
        if (n)
            put_option(sb, k, v.buf);
        break;
    }
    case KEY_STOP_TIMEOUT:
        if (p->stop_timeout_ms != 10000) {
            _cleanup_free_ char *v = format_duration(p->stop_timeout_ms);
            put_option(sb, k, v);
        }
        break;
    case KEY_INCLUDE:
    case KEY_RESET:
    case KEY_COMMAND:
    case KEY_PIDS:
    case KEY_MEMORY:
    case KEY_CPU_SHARES:
    case KEY__MAX:
        break;
    }
}

char *profile_print_cli(const struct profile *p)
{
    _cleanup_(strbuf_free) struct strbuf sb = {0};
    put_word(&sb, "congo-launch");
    put_word(&sb, "run");

    put_word(&sb, p->rootfs && !slot_needs_option(p->rootfs) ? p->rootfs : "-");
    if (p->pids == LIMIT_UNLIMITED) {
        put_word(&sb, "-");
    } else {
        _cleanup_free_ char *pids = xasprintf("%lld", (long long)p->pids);
        put_word(&sb, pids);
    }
    if (p->memory == LIMIT_UNLIMITED) {
        put_word(&sb, "-");
    } else {
        _cleanup_free_ char *memory = format_size(p->memory);
        put_word(&sb, memory);
    }
    if (p->cpu_shares == 0) {
        put_word(&sb, "-");
    } else {
        _cleanup_free_ char *shares = xasprintf("%lld", (long long)p->cpu_shares);
        put_word(&sb, shares);
    }
    _cleanup_free_ char *env = env_value(p);
    put_word(&sb, env && !slot_needs_option(env) ? env : "-");

    for (size_t i = 0; i < KEY__MAX; i++)
        if (profile_keys[i].option)
            put_key(&sb, &profile_keys[i], p);

    if (p->command && p->command[0]) {
        put_word(&sb, "--");
        for (size_t i = 0; p->command[i]; i++)
            put_word(&sb, p->command[i]);
    }
    strbuf_putc(&sb, '\n');
    return strbuf_steal(&sb);
}
