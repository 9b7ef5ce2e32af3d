#include "stack.h"

#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "load.h"
#include "schema.h"
#include "oci/import.h"
#include "util/util.h"

#ifndef PROFILE_DATADIR
#define PROFILE_DATADIR "/usr/share/congo/profiles"
#endif

static const char *const extensions[] = {".yaml", ".yml", ".conf"};

struct file_id {
    dev_t dev;
    ino_t ino;
    char *name;
};

struct stack {
    struct profile *p;
    struct diags *d;
    const struct stack_opts *o;
    struct source **sources; /* every file read, freed at the end */
    size_t n_sources;
    struct file_id *applied; /* each file once: a diamond is fine */
    size_t n_applied;
    struct file_id *chain; /* the files being included right now */
    size_t n_chain;
    unsigned seq;
};

char **profile_search_path(void)
{
    char **v = NULL;
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg)
        strv_push(&v, xasprintf("%s/congo/profiles", xdg));
    else if (home && *home)
        strv_push(&v, xasprintf("%s/.config/congo/profiles", home));
    strv_push(&v, xstrdup("/etc/congo/profiles"));
    strv_push(&v, xstrdup(PROFILE_DATADIR));
    return v;
}

/* ---- ${NAME} interpolation ---- */

static int interpolate_scalar(struct node *n, struct diags *d)
{
    if (!strchr(n->text, '$'))
        return 0;
    struct strbuf sb = {0};
    const char *s = n->text;
    while (*s) {
        if (s[0] != '$') {
            strbuf_putc(&sb, *s++);
            continue;
        }
        if (s[1] == '$') {
            strbuf_putc(&sb, '$');
            s += 2;
            continue;
        }
        if (s[1] != '{') {
            strbuf_putc(&sb, *s++);
            continue;
        }
        const char *start = s + 2;
        const char *close = strchr(start, '}');
        if (!close) {
            diags_node(d, DIAG_ERROR, n, "unterminated `${`; write `$$` for a literal `$`");
            strbuf_free(&sb);
            return -1;
        }
        const char *def = strstr(start, ":-");
        if (def && def > close)
            def = NULL;
        size_t name_len = (size_t)((def ? def : close) - start);
        _cleanup_free_ char *name = xstrndup(start, name_len);
        bool ok = name_len > 0 && (name[0] == '_' || (name[0] >= 'A' && name[0] <= 'Z') ||
                                   (name[0] >= 'a' && name[0] <= 'z'));
        for (size_t i = 1; ok && i < name_len; i++)
            ok = name[i] == '_' || (name[i] >= 'A' && name[i] <= 'Z') ||
                 (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9');
        if (!ok) {
            diags_node(d, DIAG_ERROR, n,
                       "`${%.*s}` is not a variable reference; write `$$` for a literal `$`",
                       (int)(close - start), start);
            strbuf_free(&sb);
            return -1;
        }
        const char *value = getenv(name);
        if (def && (!value || !*value))
            strbuf_add(&sb, def + 2, (size_t)(close - def - 2));
        else if (value)
            strbuf_puts(&sb, value);
        else {
            diags_node(d, DIAG_ERROR, n,
                       "`%s` is not set in the environment; give a default with `${%s:-VALUE}`",
                       name, name);
            strbuf_free(&sb);
            return -1;
        }
        s = close + 1;
    }
    free(n->text);
    n->text = strbuf_steal(&sb);
    return 0;
}

int interpolate_tree(struct node *n, struct diags *d)
{
    if (n->kind == NODE_SCALAR) {
        if (interpolate_scalar(n, d) == 0)
            return 0;
        n->flags |= NODE_REPORTED;
        return -1;
    }
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++)
        if (interpolate_tree(n->items[i], d) < 0)
            r = -1;
    return r;
}

/* ---- finding files ---- */

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* A bare name in dir: as written when it has a known extension, else with each one. */
static char *find_in_dir(const char *dir, const char *name)
{
    bool known = format_from_path(name) != FORMAT_UNKNOWN;
    /* The current directory is left out of the name: `hello.yaml`, not `./hello.yaml`. */
    const char *sep = strcmp(dir, ".") == 0 ? "" : "/";
    if (strcmp(dir, ".") == 0)
        dir = "";
    if (!known)
        for (size_t i = 0; i < ARRAY_SIZE(extensions); i++) {
            char *path = xasprintf("%s%s%s%s", dir, sep, name, extensions[i]);
            if (is_file(path))
                return path;
            free(path);
        }
    /* Without a known extension only a file will do: a rootfs directory may share the name. */
    char *path = xasprintf("%s%s%s", dir, sep, name);
    struct stat st;
    if (stat(path, &st) == 0 && (known || !S_ISDIR(st.st_mode)))
        return path;
    free(path);
    return NULL;
}

/*
 * Resolve a PROFILE argument or an include. `near` is the directory to try
 * first for bare names (the including file's, or "."), and the base of
 * relative paths. Returns the path to open, or NULL.
 */
static char *find_profile(const char *name, const char *near, char ***tried)
{
    if (strchr(name, '/')) {
        if (name[0] == '/' || !near || strcmp(near, ".") == 0)
            return xstrdup(name);
        return xasprintf("%s/%s", near, name);
    }
    char *found = find_in_dir(near ? near : ".", name);
    strv_push(tried, xstrdup(near ? near : "."));
    if (found)
        return found;
    _cleanup_strv_ char **path = profile_search_path();
    for (size_t i = 0; path[i]; i++) {
        strv_push(tried, xstrdup(path[i]));
        if ((found = find_in_dir(path[i], name)))
            return found;
    }
    return NULL;
}

static char *dir_of(const char *path)
{
    _cleanup_free_ char *copy = xstrdup(path);
    return xstrdup(dirname(copy));
}

/* ---- applying files ---- */

static struct source *new_source(struct stack *st, const char *name, const char *dir,
                                 bool is_file_src)
{
    struct source *s = xcalloc(1, sizeof(*s));
    s->name = xstrdup(name);
    s->dir = xstrdup(dir);
    s->is_file = is_file_src;
    st->sources = xrealloc(st->sources, (st->n_sources + 1) * sizeof(*st->sources));
    st->sources[st->n_sources++] = s;
    return s;
}

static void apply_resets(struct stack *st, char **resets)
{
    for (size_t i = 0; resets && resets[i]; i++)
        profile_reset_key(st->p, resets[i]); /* validated when read */
}

static void apply_tree(struct stack *st, const struct node *root)
{
    struct profile layer;
    profile_init(&layer);
    _cleanup_strv_ char **resets = NULL;
    struct layer_ctx ctx = {.pool = st->p, .seq = ++st->seq};
    schema_apply_tree(&layer, &resets, root, &ctx, st->d);
    apply_resets(st, resets);
    profile_merge(st->p, &layer);
    profile_free(&layer);
}

static void apply_file(struct stack *st, const char *path, const char *display);

static void apply_include(struct stack *st, const struct node *item, const struct source *src)
{
    if (item->flags & NODE_REPORTED)
        return; /* a failed ${NAME}: already reported */
    const char *s = item->kind == NODE_SCALAR && !(item->flags & NODE_NULL) ? item->text : NULL;
    if (!s || !*s) {
        diags_node(st->d, DIAG_ERROR, item, "expected a profile path");
        return;
    }
    _cleanup_strv_ char **tried = NULL;
    _cleanup_free_ char *path = find_profile(s, src->dir, &tried);
    struct stat info;
    if (path && strchr(s, '/') && stat(path, &info) < 0) {
        diags_node(st->d, DIAG_ERROR, item, "profile `%s` not found: %s", s, strerror(errno));
        return;
    }
    if (!path) {
        diags_node(st->d, DIAG_ERROR, item, "profile `%s` not found next to %s or in the "
                   "profile path", s, src->name);
        return;
    }
    /*
     * Name an include as the user would: a file found next to the including
     * one is shown beside that file's own name.
     */
    _cleanup_free_ char *display = NULL;
    size_t dl = strlen(src->dir);
    if (strncmp(path, src->dir, dl) == 0 && path[dl] == '/') {
        _cleanup_free_ char *near = dir_of(src->name);
        display = strcmp(near, ".") == 0 ? xstrdup(path + dl + 1)
                                         : xasprintf("%s%s", near, path + dl);
    } else {
        display = xstrdup(path);
    }
    diags_push_include(st->d, src->name, item->line);
    apply_file(st, path, display);
    diags_pop_include(st->d);
}

static char *chain_text(const struct stack *st, const char *last)
{
    struct strbuf sb = {0};
    for (size_t i = 0; i < st->n_chain; i++) {
        strbuf_puts(&sb, st->chain[i].name);
        strbuf_puts(&sb, " -> ");
    }
    strbuf_puts(&sb, last);
    return strbuf_steal(&sb);
}

/*
 * An error about an include itself (a cycle, too deep): located at the
 * include line, with the chain above it as "included from".
 */
static void error_at_include(struct stack *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void error_at_include(struct stack *st, const char *fmt, ...)
{
    struct diags *d = st->d;
    struct diag_frame at = d->ctx[--d->n_ctx];
    va_list ap;
    va_start(ap, fmt);
    diags_vadd(d, DIAG_ERROR, at.file, at.line, 0, "include", fmt, ap);
    va_end(ap);
    d->ctx[d->n_ctx++] = at;
}

static void apply_file(struct stack *st, const char *path, const char *display)
{
    struct stat stbuf;
    if (stat(path, &stbuf) < 0) {
        diags_add(st->d, DIAG_ERROR, display, 0, 0, NULL, "cannot open: %s", strerror(errno));
        return;
    }
    for (size_t i = 0; i < st->n_chain; i++)
        if (st->chain[i].dev == stbuf.st_dev && st->chain[i].ino == stbuf.st_ino) {
            _cleanup_free_ char *chain = chain_text(st, display);
            error_at_include(st, "include cycle: %s", chain);
            return;
        }
    for (size_t i = 0; i < st->n_applied; i++)
        if (st->applied[i].dev == stbuf.st_dev && st->applied[i].ino == stbuf.st_ino)
            return;
    if (st->n_chain > INCLUDE_MAX_DEPTH) {
        error_at_include(st, "includes nest deeper than %d files", INCLUDE_MAX_DEPTH);
        return;
    }
    st->applied = xrealloc(st->applied, (st->n_applied + 1) * sizeof(*st->applied));
    st->applied[st->n_applied++] =
        (struct file_id){.dev = stbuf.st_dev, .ino = stbuf.st_ino, .name = NULL};

    char real[PATH_MAX];
    _cleanup_free_ char *dir = NULL;
    if (realpath(path, real))
        dir = dir_of(real);
    else
        dir = dir_of(path);
    struct source *src = new_source(st, display, dir, true);
    src->json = format_from_path(path) == FORMAT_JSON;
    src->dev = stbuf.st_dev;
    src->ino = stbuf.st_ino;
    if (st->o->verbose)
        fprintf(st->o->verbose, "congo-launch: reading %s\n", display);

    _cleanup_node_ struct node *root = load_file(path, src, st->d);
    if (!root)
        return;
    if (src->json) {
        /* An OCI config.json: its own language, made a profile tree; no ${NAME} in it. */
        struct node *profile = oci_import(root, st->d);
        node_free(root);
        root = profile;
    } else {
        interpolate_tree(root, st->d);
    }

    st->chain = xrealloc(st->chain, (st->n_chain + 1) * sizeof(*st->chain));
    st->chain[st->n_chain++] =
        (struct file_id){.dev = stbuf.st_dev, .ino = stbuf.st_ino, .name = src->name};
    const struct node *inc = node_map_get(root, "include");
    if (inc && inc->kind == NODE_SEQ) {
        for (size_t i = 0; i < inc->n_items; i++)
            apply_include(st, inc->items[i], src);
    } else if (inc && inc->kind == NODE_MAP) {
        diags_node(st->d, DIAG_ERROR, inc, "expected a path or a list of paths, got a map");
    } else if (inc) {
        apply_include(st, inc, src);
    }
    st->n_chain--;
    apply_tree(st, root);
}

/*
 * --set KEY=VALUE: VALUE is a YAML flow node placed at the dotted KEY. Keys
 * nest one level deep (limits.memory, env.FOO), so only the first dot
 * splits: the rest names an entry of a map, dots and all
 * (sysctl.net.ipv4.ip_forward, annotations.org.example.owner).
 */
static void apply_set(struct stack *st, const char *arg, const struct source *cli)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        diags_add(st->d, DIAG_ERROR, cli->name, 0, 0, NULL,
                  "--set `%s`: expected KEY=VALUE, such as limits.memory=1g", arg);
        return;
    }
    _cleanup_free_ char *key = xstrndup(arg, (size_t)(eq - arg));
    if (strcmp(key, "include") == 0 || strncmp(key, "include.", 8) == 0) {
        diags_add(st->d, DIAG_ERROR, cli->name, 0, 0, "include",
                  "include cannot be set from the command line");
        return;
    }
    if (key[0] == '.' || str_has_suffix(key, ".") || strstr(key, "..")) {
        diags_add(st->d, DIAG_ERROR, cli->name, 0, 0, NULL, "--set `%s`: empty key part", arg);
        return;
    }
    struct node *value = load_yaml_value(eq + 1, cli, st->d);
    if (!value)
        return;
    _cleanup_node_ struct node *root = node_new(NODE_MAP, cli, 0, 0);
    struct node *parent = root;
    for (char *part = key, *dot; part; part = dot ? dot + 1 : NULL) {
        dot = part == key ? strchr(part, '.') : NULL;
        if (dot)
            *dot = '\0';
        struct node *child = dot ? node_new(NODE_MAP, cli, 0, 0) : value;
        node_map_append(parent, part, 0, 0, child);
        parent = child;
    }
    apply_tree(st, root);
}

static void apply_command(struct stack *st, char **command, const struct source *cli)
{
    struct profile layer;
    profile_init(&layer);
    layer.command = strv_copy(command);
    layer.origin[KEY_COMMAND] =
        (struct origin){.file = profile_intern(st->p, cli->name), .seq = ++st->seq};
    profile_merge(st->p, &layer);
    profile_free(&layer);
}

/*
 * exec's process.json over the container's profile. Its environment is the
 * whole of the command's (the runtime spec's word), so the container's goes;
 * its capabilities and rlimits, when it has them, replace the container's
 * rather than merge with them, as runc takes them.
 */
static void apply_process(struct stack *st, const char *path)
{
    struct stat stbuf;
    if (stat(path, &stbuf) < 0) {
        diags_add(st->d, DIAG_ERROR, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
        return;
    }
    struct source *src = new_source(st, path, ".", true);
    src->json = true;
    _cleanup_node_ struct node *root = load_file(path, src, st->d);
    if (!root)
        return;
    _cleanup_node_ struct node *tree = oci_import_process(root, st->d);
    /* Its environment and groups are the whole of the command's, given or not. */
    static const char *const replaced[] = {"env", "groups", "capabilities", "rlimits"};
    for (size_t i = 0; i < ARRAY_SIZE(replaced); i++)
        if (i < 2 || node_map_get(tree, replaced[i]))
            profile_reset_key(st->p, replaced[i]);
    apply_tree(st, tree);
}

static char *name_from_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    return xstrndup(base, n);
}

int profile_load(struct profile *p, const struct stack_opts *o, struct diags *d)
{
    struct stack st = {.p = p, .d = d, .o = o};
    size_t before = d->n_errors;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof(cwd)))
        strcpy(cwd, ".");
    const struct source *cli = new_source(&st, "<command line>", cwd, false);
    _cleanup_free_ char *default_name = NULL;
    _cleanup_free_ char *top = NULL;

    if (o->profile) {
        _cleanup_strv_ char **tried = NULL;
        _cleanup_free_ char *path = find_profile(o->profile, ".", &tried);
        if (!path) {
            _cleanup_free_ char *where = NULL;
            struct strbuf sb = {0};
            for (size_t i = 0; tried[i]; i++)
                strbuf_printf(&sb, "%s%s", i ? ", " : "", tried[i]);
            where = strbuf_steal(&sb);
            diags_add(d, DIAG_ERROR, o->profile, 0, 0, NULL,
                      "profile not found (looked in %s)", where);
        } else {
            top = xstrdup(path);
            default_name = name_from_path(path);
            apply_file(&st, path, path);
        }
    } else {
        top = xstrdup(cli->name);
        default_name = xstrdup(profile_keys[KEY_NAME].def.s); /* congo */
        _cleanup_node_ struct node *root = cli_parse_run(o->run_argc, o->run_argv, cli, d);
        if (root)
            apply_tree(&st, root);
    }

    if (o->process)
        apply_process(&st, o->process);
    for (size_t i = 0; i < o->n_ops; i++) {
        if (o->ops[i].kind == STACK_SET) {
            apply_set(&st, o->ops[i].arg, cli);
        } else if (profile_reset_key(p, o->ops[i].arg) < 0) {
            _cleanup_free_ char *hint = NULL;
            reset_key_valid(o->ops[i].arg, &hint);
            diags_add(d, DIAG_ERROR, cli->name, 0, 0, NULL, "--reset `%s`: cannot be reset%s%s",
                      o->ops[i].arg, hint ? "; " : "", hint ? hint : "");
        }
    }
    if (o->command && o->command[0])
        apply_command(&st, o->command, cli);

    if (d->n_errors == before)
        profile_finalize(p, default_name, top ? top : cli->name, o->fragment, d);

    for (size_t i = 0; i < st.n_sources; i++) {
        free(st.sources[i]->name);
        free(st.sources[i]->dir);
        free(st.sources[i]);
    }
    free(st.sources);
    free(st.applied);
    free(st.chain);
    return d->n_errors > before ? -1 : 0;
}
