#include "cli.h"

#include <stdarg.h>
#include <string.h>

#include "util/util.h"
#include "value.h"

/*
 * The five slots of the original runtime's command line, word for word.
 * They are taken literally (no escapes), except ENV_VARS, which is a list.
 */
static const char *const positional_keys[] = {
    "rootfs", "limits.pids", "limits.memory", "limits.cpu_shares", "env",
};
#define N_POSITIONALS ((int)ARRAY_SIZE(positional_keys))

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
 * An item FIELD=VALUE, cut at its `=`: the value, or NULL (the error said)
 * for an item that is not one.
 */
static const char *split_field(struct run_parser *rp, const char *path, const char *what,
                               char *item)
{
    char *eq = strchr(item, '=');
    if (!eq || eq == item) {
        run_error(rp, path, "`%s` in %s is not FIELD=VALUE", item, what);
        return NULL;
    }
    *eq = '\0';
    return eq + 1;
}

/* A field an option does not have, with the known ones and the nearest. */
static void unknown_field(struct run_parser *rp, const struct key_def *k, const char *what,
                          const char *field, const char *const *fields, size_t n)
{
    struct strbuf known = {0};
    for (size_t i = 0; i < n; i++)
        strbuf_printf(&known, "%s%s", i ? ", " : "", fields[i]);
    _cleanup_free_ char *list = strbuf_steal(&known);
    const char *hint = suggest_from(fields, n, field);
    run_error(rp, k->name, "unknown field `%s` in %s (%s)%s%s%s", field, what, list,
              hint ? "; did you mean `" : "", hint ? hint : "", hint ? "`?" : "");
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
        const char *v = split_field(rp, path, what, items[i]);
        if (!v)
            continue;
        if (node_map_get(map, items[i])) {
            run_error(rp, path, "duplicate field `%s` in %s", items[i], what);
            continue;
        }
        node_map_append(map, items[i], 0, 0, new_scalar(rp, v));
    }
}

/* The fields of --network FIELD=VALUE,...: the map form's, with port and dns one item each. */
static const char *const network_cli_fields[] = {"mode", "bridge", "subnet", "address", "port",
                                                 "dns"};

/*
 * --network MODE, or FIELD=VALUE items, into the one network map of the
 * tree: a later mode, bridge, subnet or address replaces an earlier one,
 * port= appends to ports, and the dns= of one option replace those of an
 * earlier one, as a later layer's would.
 */
static void add_network(struct run_parser *rp, const struct key_def *k, const char *what,
                        const char *value)
{
    bool map_form = strchr(value, '=') != NULL;
    _cleanup_strv_ char **items = unescape_items(rp, k->name, what, value, map_form);
    if (!items)
        return;
    struct node *map = key_container(rp, k, NODE_MAP);
    if (!map_form) {
        map_set(map, "mode", new_scalar(rp, items[0]));
        return;
    }
    struct node *dns = NULL;
    for (size_t i = 0; items[i]; i++) {
        const char *text = split_field(rp, k->name, what, items[i]);
        if (!text)
            continue;
        const char *field = items[i];
        struct node *v = new_scalar(rp, text);
        if (strcmp(field, "port") == 0) {
            node_seq_append(map_container(rp, map, "ports", NODE_SEQ), v);
        } else if (strcmp(field, "dns") == 0) {
            if (!dns) {
                dns = node_new(NODE_SEQ, rp->src, 0, 0);
                map_set(map, "dns", dns);
            }
            node_seq_append(dns, v);
        } else if (strcmp(field, "mode") == 0 || strcmp(field, "bridge") == 0 ||
                   strcmp(field, "subnet") == 0 || strcmp(field, "address") == 0) {
            map_set(map, field, v);
        } else {
            node_free(v);
            unknown_field(rp, k, what, field, network_cli_fields, ARRAY_SIZE(network_cli_fields));
        }
    }
}

/* The fields of --hook: the map form's, with an arg= per argument and an env= per variable. */
static const char *const hook_cli_fields[] = {"stage", "path", "arg", "env", "timeout"};

/*
 * One --hook is one program: stage=STAGE,path=PATH[,arg=A]...[,env=K=V]...
 * [,timeout=T], appended to its stage's list in the tree. A bare env= gives
 * the program an empty environment.
 */
static void add_hook(struct run_parser *rp, const struct key_def *k, const char *what,
                     const char *value)
{
    _cleanup_strv_ char **items = unescape_items(rp, k->name, what, value, true);
    if (!items)
        return;
    const char *stage = NULL;
    struct node *hook = node_new(NODE_MAP, rp->src, 0, 0);
    for (size_t i = 0; items[i]; i++) {
        const char *v = split_field(rp, k->name, what, items[i]);
        if (!v)
            continue;
        const char *field = items[i];
        if (strcmp(field, "stage") == 0) {
            stage = v;
        } else if (strcmp(field, "arg") == 0 || strcmp(field, "env") == 0) {
            struct node *list = map_container(rp, hook, field[0] == 'a' ? "args" : "env", NODE_SEQ);
            /* A bare env= is an empty environment, which env: [] says in a file. */
            if (field[0] == 'a' || *v)
                node_seq_append(list, new_scalar(rp, v));
        } else if (strcmp(field, "path") == 0 || strcmp(field, "timeout") == 0) {
            map_set(hook, field, new_scalar(rp, v));
        } else {
            unknown_field(rp, k, what, field, hook_cli_fields, ARRAY_SIZE(hook_cli_fields));
        }
    }
    if (!stage) {
        run_error(rp, k->name, "%s names no stage: stage=STAGE,path=PATH,...", what);
        node_free(hook);
        return;
    }
    struct node *stages = key_container(rp, k, NODE_MAP);
    node_seq_append(map_container(rp, stages, stage, NODE_SEQ), hook);
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
    case SHAPE_NETWORK:
        add_network(rp, k, what, value);
        return;
    case SHAPE_HOOK:
        add_hook(rp, k, what, value);
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

void cli_put_word(struct strbuf *line, const char *word)
{
    _cleanup_free_ char *q = shell_quote(word);
    if (line->len)
        strbuf_putc(line, ' ');
    strbuf_puts(line, q);
}

void cli_put_item(struct strbuf *sb, const char *field, const char *value)
{
    if (sb->len)
        strbuf_putc(sb, ',');
    strbuf_printf(sb, "%s=", field);
    cli_escape(sb, value);
}

/* The inverse of unescape_items for one item. */
void cli_escape(struct strbuf *sb, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == ',')
            strbuf_putc(sb, '\\');
        strbuf_putc(sb, *s);
    }
}

char *cli_list(char *const *items)
{
    if (!items || !items[0])
        return NULL;
    struct strbuf v = {0};
    for (size_t i = 0; items[i]; i++) {
        if (i)
            strbuf_putc(&v, ',');
        cli_escape(&v, items[i]);
    }
    return strbuf_steal(&v);
}

void cli_put_option(struct strbuf *line, const struct key_def *k, const char *value)
{
    /* The parser takes no value from a word that starts with `--`; `=` keeps it attached. */
    if (value[0] == '-') {
        _cleanup_free_ char *w = xasprintf("--%s=%s", k->option, value);
        cli_put_word(line, w);
        return;
    }
    _cleanup_free_ char *opt = xasprintf("--%s", k->option);
    cli_put_word(line, opt);
    cli_put_word(line, value);
}

void cli_put_list(struct strbuf *line, const struct key_def *k, char *const *items)
{
    _cleanup_free_ char *v = cli_list(items);
    if (v)
        cli_put_option(line, k, v);
}

void cli_put_option_escaped(struct strbuf *line, const struct key_def *k, const char *value)
{
    _cleanup_(strbuf_free) struct strbuf v = {0};
    cli_escape(&v, value);
    _cleanup_free_ char *s = strbuf_steal(&v);
    cli_put_option(line, k, s);
}

/* A slot value that would read as `-` (unset) or as an option is written as an option instead. */
static bool slot_needs_option(const char *value)
{
    return value && value[0] == '-';
}

static bool is_positional(const struct key_def *k)
{
    for (int i = 0; i < N_POSITIONALS; i++)
        if (strcmp(positional_keys[i], k->name) == 0)
            return true;
    return false;
}

char *profile_print_cli(const struct profile *p)
{
    _cleanup_(strbuf_free) struct strbuf sb = {0};
    cli_put_word(&sb, "congo-launch");
    cli_put_word(&sb, "run");
    for (int i = 0; i < N_POSITIONALS; i++) {
        const struct key_def *k = key_by_name(positional_keys[i]);
        _cleanup_free_ char *v = key_ops(k)->slot(p, k);
        cli_put_word(&sb, v && !slot_needs_option(v) ? v : "-");
    }
    /* Every other key with an option; a slot's key only when its slot could not hold it. */
    for (size_t id = 0; id < KEY__MAX; id++) {
        const struct key_def *k = &profile_keys[id];
        if (!k->option || !key_ops(k) || !key_ops(k)->cli)
            continue;
        if (is_positional(k)) {
            _cleanup_free_ char *v = key_ops(k)->slot(p, k);
            if (!slot_needs_option(v))
                continue;
        }
        key_ops(k)->cli(&sb, p, k);
    }
    /* The command last, after `--`: it replaces a --command. */
    if (p->command && p->command[0]) {
        cli_put_word(&sb, "--");
        for (size_t i = 0; p->command[i]; i++)
            cli_put_word(&sb, p->command[i]);
    }
    strbuf_putc(&sb, '\n');
    return strbuf_steal(&sb);
}
