/*
 * The key table and everything it drives: reading a tree into a layer with
 * precise errors, merging layers, `reset`, defaults and checks across keys.
 */
#include "schema.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "seccomp-file.h"
#include "util/names.h"
#include "util/units.h"
#include "util/util.h"
#include "value.h"

#define PIDS_MAX 4194304 /* the kernel's PID_MAX_LIMIT */
#define MEMORY_MIN (4 * 1024 * 1024)
#define CPUS_MAX_QUOTA (1024LL * CPU_PERIOD_US)

static const char *const mount_fields[] = {"target", "type", "source", "readonly", "options"};

/* ---- value readers: each records its own error and returns -1 ---- */

static const char *kind_name(const struct node *n)
{
    return n->kind == NODE_MAP ? "a map" : n->kind == NODE_SEQ ? "a list" : "a value";
}

static const char *scalar(const struct node *n, const char *what, struct diags *d)
{
    if (n->flags & NODE_REPORTED)
        return NULL; /* its error is counted already */
    if (n->kind != NODE_SCALAR) {
        diags_node(d, DIAG_ERROR, n, "expected %s, got %s", what, kind_name(n));
        return NULL;
    }
    if (n->flags & NODE_NULL) {
        diags_node(d, DIAG_ERROR, n, "empty value; expected %s", what);
        return NULL;
    }
    return n->text;
}

static int read_bool(const struct node *n, bool *out, struct diags *d)
{
    const char *s = scalar(n, "true or false", d);
    if (!s)
        return -1;
    if (strcmp(s, "true") == 0) {
        *out = true;
        return 0;
    }
    if (strcmp(s, "false") == 0) {
        *out = false;
        return 0;
    }
    static const char *const yaml11[] = {"yes", "no", "on", "off", "y", "n"};
    for (size_t i = 0; i < ARRAY_SIZE(yaml11); i++)
        if (strcasecmp(s, yaml11[i]) == 0) {
            diags_node(d, DIAG_ERROR, n, "`%s` is not a boolean here; use true or false", s);
            return -1;
        }
    diags_node(d, DIAG_ERROR, n, "expected true or false, got `%s`", s);
    return -1;
}


static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || !isalnum((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
            return false;
    return true;
}

static bool valid_hostname(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    size_t label = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = s[i];
        if (c == '.' || c == '\0') {
            if (label == 0 || label > 63 || s[i - 1] == '-')
                return false;
            label = 0;
            continue;
        }
        if (!isalnum((unsigned char)c) && c != '-')
            return false;
        if (label == 0 && c == '-')
            return false;
        label++;
    }
    return true;
}

/* A user or group: a number, or a portable POSIX name. */
static bool valid_id(const char *s, size_t n)
{
    _cleanup_free_ char *t = xstrndup(s, n);
    uint64_t v;
    if (all_digits(t))
        return parse_uint(t, UINT32_MAX - 1, &v) == 0;
    if (n == 0 || n > 32 || !(isalpha((unsigned char)t[0]) || t[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++) {
        if (t[i] == '$' && i == n - 1)
            break;
        if (!isalnum((unsigned char)t[i]) && !strchr("_.-", t[i]))
            return false;
    }
    return true;
}

static bool valid_env_name(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return false;
    return true;
}

/*
 * Lexical clean-up of an absolute path: no "//", no "/./", no trailing "/",
 * and ".." climbs one component. Relative paths start at a directory whose
 * symlinks are already resolved, so this names the file the user means
 * without looking at the disk (--check never does).
 */
static char *path_normalize(const char *path)
{
    struct strbuf sb = {0};
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        const char *end = strchrnul(p, '/');
        size_t len = (size_t)(end - p);
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            char *slash = sb.len ? strrchr(sb.buf, '/') : NULL;
            if (slash) {
                sb.len = (size_t)(slash - sb.buf);
                sb.buf[sb.len] = '\0';
            }
        } else if (len && !(len == 1 && p[0] == '.')) {
            strbuf_putc(&sb, '/');
            strbuf_add(&sb, p, len);
        }
        p = end;
    }
    if (!sb.len)
        strbuf_putc(&sb, '/');
    return strbuf_steal(&sb);
}

/* A host path as written in a file (relative to its directory) or on the command line. */
static char *read_host_path(const struct node *n, struct diags *d)
{
    const char *s = scalar(n, "a path", d);
    if (!s)
        return NULL;
    if (!*s) {
        diags_node(d, DIAG_ERROR, n, "empty path");
        return NULL;
    }
    if (s[0] == '/')
        return path_normalize(s);
    _cleanup_free_ char *joined = xasprintf("%s/%s", n->src->dir ? n->src->dir : ".", s);
    return path_normalize(joined);
}

static bool has_dotdot(const char *path)
{
    for (const char *p = path; (p = strstr(p, "..")); p += 2)
        if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
            return true;
    return false;
}

/* An absolute path inside the container. */
static char *read_container_path(const struct node *n, struct diags *d)
{
    const char *s = scalar(n, "an absolute path", d);
    if (!s)
        return NULL;
    if (s[0] != '/') {
        diags_node(d, DIAG_ERROR, n, "`%s` is not an absolute path", s);
        return NULL;
    }
    if (has_dotdot(s)) {
        diags_node(d, DIAG_ERROR, n, "`%s` contains `..`; write the path without it", s);
        return NULL;
    }
    return path_normalize(s);
}

static bool path_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}


/* ---- per-key readers ---- */

static bool from_file(const struct node *n) { return n->src && n->src->is_file; }

static struct origin origin_of(const struct node *n, const struct layer_ctx *ctx)
{
    return (struct origin){
        .file = profile_intern(ctx->pool, n->src ? n->src->name : "<command line>"),
        .line = n->key_line ? n->key_line : n->line,
        .seq = ctx->seq,
    };
}

static int read_string_key(const struct key_def *k, const struct node *n, char **out,
                           struct diags *d)
{
    const char *s = scalar(n, k->type_doc, d);
    if (!s)
        return -1;
    switch (k->type) {
    case TYPE_NAME:
        if (!valid_name(s)) {
            diags_node(d, DIAG_ERROR, n,
                       "`%s` is not a valid name: [A-Za-z0-9][A-Za-z0-9_.-]*, at most 64", s);
            return -1;
        }
        break;
    case TYPE_HOSTNAME:
        if (!valid_hostname(s)) {
            diags_node(d, DIAG_ERROR, n,
                       "`%s` is not a valid host name: labels of letters, digits and `-`, "
                       "separated by dots, at most 64 characters",
                       s);
            return -1;
        }
        break;
    case TYPE_USER: {
        const char *colon = strchr(s, ':');
        size_t ulen = colon ? (size_t)(colon - s) : strlen(s);
        if (!valid_id(s, ulen) || (colon && !valid_id(colon + 1, strlen(colon + 1)))) {
            diags_node(d, DIAG_ERROR, n, "`%s` is not a user: expected %s", s, k->type_doc);
            return -1;
        }
        break;
    }
    case TYPE_CGROUP:
        if (strcmp(s, "auto") == 0)
            return *out = NULL, 0;
        if (s[0] != '/') {
            diags_node(d, DIAG_ERROR, n,
                       "`%s` is not absolute; a cgroup parent starts with `/` at the "
                       "hierarchy's root, or is auto",
                       s);
            return -1;
        }
        for (const char *p = s + 1; *p;) {
            const char *end = strchrnul(p, '/');
            size_t len = (size_t)(end - p);
            bool bad = len == 0 ? *end != '\0' : (len == 1 && p[0] == '.') ||
                                                     (len == 2 && p[0] == '.' && p[1] == '.');
            for (const char *c = p; c < end && !bad; c++)
                bad = !isalnum((unsigned char)*c) && !strchr("_.:@+-", *c);
            if (bad) {
                diags_node(d, DIAG_ERROR, n, "`%s` is not a valid cgroup path", s);
                return -1;
            }
            p = *end ? end + 1 : end;
        }
        *out = path_normalize(s);
        return 0;
    default:
        break;
    }
    *out = xstrdup(s);
    return 0;
}

static int read_int_key(const struct key_def *k, const struct node *n, int64_t *out,
                        struct diags *d)
{
    const char *s = scalar(n, k->type_doc, d);
    if (!s)
        return -1;
    uint64_t v;
    switch (k->type) {
    case TYPE_PIDS:
        if (strcmp(s, "unlimited") == 0)
            return *out = LIMIT_UNLIMITED, 0;
        if (parse_uint(s, PIDS_MAX, &v) < 0 || v < 1) {
            diags_node(d, DIAG_ERROR, n, "`%s` is not a process limit: expected %s", s,
                       k->type_doc);
            return -1;
        }
        *out = (int64_t)v;
        return 0;
    case TYPE_INT:
        if (parse_uint(s, 262144, &v) < 0 || v < 2) {
            diags_node(d, DIAG_ERROR, n, "`%s` is out of range: expected %s", s, k->type_doc);
            return -1;
        }
        *out = (int64_t)v;
        return 0;
    case TYPE_CPUS:
        if (parse_cpus(s, out) < 0 || *out < CPU_PERIOD_US / 100 || *out > CPUS_MAX_QUOTA) {
            diags_node(d, DIAG_ERROR, n,
                       "`%s` is not a CPU quota: expected a decimal from 0.01 to 1024 "
                       "with at most 5 decimals",
                       s);
            return -1;
        }
        return 0;
    case TYPE_SIZE:
        if (strcmp(s, "unlimited") == 0)
            return *out = LIMIT_UNLIMITED, 0;
        if (parse_size(s, out) < 0) {
            diags_node(d, DIAG_ERROR, n,
                       "`%s` is not a size: expected a number of bytes or one with a k, m or g "
                       "suffix (512m, 2g), or unlimited",
                       s);
            return -1;
        }
        if (k->id == KEY_MEMORY && *out < MEMORY_MIN) {
            if (all_digits(s))
                diags_node(d, DIAG_ERROR, n,
                           "`%s` is %s bytes, below the 4m minimum; did you mean `%sm`?", s, s,
                           s);
            else
                diags_node(d, DIAG_ERROR, n, "`%s` is below the 4m minimum", s);
            return -1;
        }
        return 0;
    default:
        return -1;
    }
}

static int read_env_entry(struct profile *layer, const struct node *n, const char *name,
                          size_t name_len, const char *value, const struct layer_ctx *ctx,
                          struct diags *d)
{
    if (!valid_env_name(name, name_len)) {
        diags_node(d, DIAG_ERROR, n,
                   "`%.*s` is not a variable name: [A-Za-z_][A-Za-z0-9_]*", (int)name_len,
                   name);
        return -1;
    }
    for (size_t i = 0; i < layer->n_env; i++) {
        if (strlen(layer->env[i].name) != name_len ||
            strncmp(layer->env[i].name, name, name_len) != 0)
            continue;
        /* On the command line a later --env overrides; in a file it is a slip. */
        if (!from_file(n)) {
            free(layer->env[i].value);
            layer->env[i].value = xstrdup(value);
            return 0;
        }
        diags_node(d, DIAG_ERROR, n, "`%.*s` is set twice (first at line %d)", (int)name_len,
                   name, layer->env[i].origin.line);
        return -1;
    }
    layer->env = xrealloc(layer->env, (layer->n_env + 1) * sizeof(*layer->env));
    layer->env[layer->n_env++] = (struct profile_env){
        .name = xstrndup(name, name_len),
        .value = xstrdup(value),
        .origin = origin_of(n, ctx),
    };
    return 0;
}

static int read_env(struct profile *layer, const struct node *n, const struct layer_ctx *ctx,
                    struct diags *d)
{
    int r = 0;
    if (n->kind == NODE_MAP) {
        for (size_t i = 0; i < n->n_items; i++) {
            const struct node *item = n->items[i];
            const char *v = scalar(item, "a string", d);
            if (!v || read_env_entry(layer, item, item->key, strlen(item->key), v, ctx, d) < 0)
                r = -1;
        }
    } else if (n->kind == NODE_SEQ) {
        for (size_t i = 0; i < n->n_items; i++) {
            const struct node *item = n->items[i];
            const char *s = scalar(item, "NAME=value", d);
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
            if (read_env_entry(layer, item, s, (size_t)(eq - s), eq + 1, ctx, d) < 0)
                r = -1;
        }
    } else {
        diags_node(d, DIAG_ERROR, n, "expected a map of NAME: value or a list of NAME=value");
        return -1;
    }
    return r;
}

static int read_command(struct profile *layer, const struct node *n, struct diags *d)
{
    if (n->kind == NODE_SCALAR) {
        const char *s = scalar(n, "a command", d);
        if (!s)
            return -1;
        if (!*s) {
            diags_node(d, DIAG_ERROR, n, "empty command");
            return -1;
        }
        strv_push(&layer->command, xstrdup("/bin/sh"));
        strv_push(&layer->command, xstrdup("-c"));
        strv_push(&layer->command, xstrdup(s));
        layer->command_shell = true;
        return 0;
    }
    if (n->kind != NODE_SEQ) {
        diags_node(d, DIAG_ERROR, n, "expected a list of strings or one string, got a map");
        return -1;
    }
    if (n->n_items == 0) {
        diags_node(d, DIAG_ERROR, n,
                   "empty command; leave `command` out to give one after `--`");
        return -1;
    }
    _cleanup_strv_ char **argv = NULL;
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const char *s = scalar(n->items[i], "a string", d);
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
        layer->command = steal_pointer(&argv);
        layer->command_shell = false;
    }
    return r;
}

static int read_paths(struct profile *layer, const struct node *n, const struct layer_ctx *ctx,
                      struct diags *d)
{
    if (n->kind != NODE_SEQ) {
        diags_node(d, DIAG_ERROR, n, "expected a list of paths, got %s", kind_name(n));
        return -1;
    }
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        char *path = read_host_path(n->items[i], d);
        if (!path) {
            r = -1;
            continue;
        }
        layer->layers = xrealloc(layer->layers, (layer->n_layers + 1) * sizeof(*layer->layers));
        layer->layers[layer->n_layers++] = (struct profile_layer){
            .path = path,
            .origin = origin_of(n->items[i], ctx),
        };
    }
    return r;
}

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
    const char *s = scalar(n, "SRC:DEST[:ro]", d);
    if (!s)
        return -1;
    const char *c1 = strchr(s, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    const char *mode = c2 ? c2 + 1 : NULL;
    if (!c1 || c1 == s || (c2 ? c2 == c1 + 1 : !c1[1]) || (mode && strchr(mode, ':')) ||
        (mode && strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0)) {
        diags_node(d, DIAG_ERROR, n,
                   "`%s` is not SRC:DEST or SRC:DEST:ro; a path holding `:` needs the map form",
                   s);
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

static int read_mount_map(const struct node *n, struct profile_mount *m, struct diags *d)
{
    int r = 0;
    const struct node *type = node_map_get(n, "type");
    m->type = MOUNT_BIND;
    for (size_t i = 0; i < n->n_items; i++) {
        const struct node *f = n->items[i];
        const char *s;
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
            if (!(s = scalar(f, "tmpfs options", d))) {
                r = -1;
                continue;
            }
            for (const char *p = s;;) {
                const char *end = strchrnul(p, ',');
                if (!valid_tmpfs_option(p, (size_t)(end - p))) {
                    diags_node(d, DIAG_ERROR, f,
                               "`%.*s` is not a tmpfs option: size=SIZE|N%%, nr_inodes=N, "
                               "mode=OCTAL, uid=N, gid=N, noexec, nosuid, nodev",
                               (int)(end - p), p);
                    r = -1;
                    break;
                }
                if (!*end)
                    break;
                p = end + 1;
            }
            if (r == 0)
                m->options = xstrdup(s);
        } else if (f == type) {
            if (!(s = scalar(f, "bind, tmpfs or none", d)))
                r = -1;
            else if (strcmp(s, "bind") == 0)
                m->type = MOUNT_BIND;
            else if (strcmp(s, "tmpfs") == 0)
                m->type = MOUNT_TMPFS;
            else if (strcmp(s, "none") == 0)
                m->type = MOUNT_NONE;
            else {
                diags_node(d, DIAG_ERROR, f, "`%s` is not a mount type: bind, tmpfs or none",
                           s);
                r = -1;
            }
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

static int read_mounts(struct profile *layer, const struct node *n, const struct layer_ctx *ctx,
                       struct diags *d)
{
    if (n->kind != NODE_SEQ) {
        diags_node(d, DIAG_ERROR, n, "expected a list of mounts, got %s", kind_name(n));
        return -1;
    }
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const struct node *item = n->items[i];
        struct profile_mount m = {.origin = origin_of(item, ctx)};
        int ok = item->kind == NODE_MAP ? read_mount_map(item, &m, d)
                                        : read_mount_string(item, &m, d);
        if (ok == 0)
            ok = check_mount(&m, item, d);
        for (size_t j = 0; ok == 0 && j < layer->n_mounts; j++) {
            if (strcmp(layer->mounts[j].target, m.target) != 0)
                continue;
            if (!from_file(item)) {
                /* A later --mount at the same target replaces the earlier one. */
                free(layer->mounts[j].target);
                free(layer->mounts[j].source);
                free(layer->mounts[j].options);
                layer->mounts[j] = m;
                ok = 1;
            } else {
                diags_node(d, DIAG_ERROR, item, "a second mount at `%s` in this file",
                           m.target);
                diags_add(d, DIAG_NOTE, item->src ? item->src->name : NULL,
                          layer->mounts[j].origin.line, 0, NULL, "the first is here");
                ok = -1;
            }
            break;
        }
        if (ok == 1)
            continue;
        if (ok < 0) {
            free(m.target);
            free(m.source);
            free(m.options);
            r = -1;
            continue;
        }
        layer->mounts = xrealloc(layer->mounts, (layer->n_mounts + 1) * sizeof(*layer->mounts));
        layer->mounts[layer->n_mounts++] = m;
    }
    return r;
}

static int ns_by_name(const char *name)
{
    for (int i = 0; i < NS__MAX; i++)
        if (strcmp(ns_names[i], name) == 0)
            return i;
    return -1;
}

static int read_namespaces(struct profile *layer, const struct node *n,
                           const struct layer_ctx *ctx, struct diags *d)
{
    if (n->kind != NODE_MAP) {
        diags_node(d, DIAG_ERROR, n, "expected a map of namespace: bool, got %s", kind_name(n));
        return -1;
    }
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const struct node *item = n->items[i];
        int ns = ns_by_name(item->key);
        if (ns < 0) {
            if (strcmp(item->key, "user") == 0 || strcmp(item->key, "time") == 0) {
                diags_key(d, DIAG_ERROR, item, "the %s namespace is not supported yet",
                          item->key);
            } else {
                const char *hint = suggest_from((const char *const *)ns_names, NS__MAX,
                                                item->key);
                diags_key(d, DIAG_ERROR, item,
                          "unknown namespace%s%s%s; known: cgroup, ipc, mount, net, pid, uts",
                          hint ? "; did you mean `" : "", hint ? hint : "", hint ? "`?" : "");
            }
            r = -1;
            continue;
        }
        bool on;
        if (read_bool(item, &on, d) < 0) {
            r = -1;
            continue;
        }
        if (ns == NS_MOUNT && !on) {
            diags_node(d, DIAG_ERROR, item,
                       "the mount namespace cannot be turned off: the container's root lives "
                       "in it");
            r = -1;
            continue;
        }
        layer->ns[ns] = on;
        layer->ns_origin[ns] = origin_of(item, ctx);
    }
    return r;
}

static int read_reset(char ***resets, const struct node *n, struct diags *d)
{
    if (n->kind != NODE_SEQ && n->kind != NODE_SCALAR) {
        diags_node(d, DIAG_ERROR, n, "expected a list of dotted keys, got a map");
        return -1;
    }
    size_t count = n->kind == NODE_SEQ ? n->n_items : 1;
    int r = 0;
    for (size_t i = 0; i < count; i++) {
        const struct node *item = n->kind == NODE_SEQ ? n->items[i] : n;
        const char *s = scalar(item, "a dotted key", d);
        if (!s) {
            r = -1;
            continue;
        }
        _cleanup_free_ char *hint = NULL;
        if (!reset_key_valid(s, &hint)) {
            diags_node(d, DIAG_ERROR, item, "`%s` cannot be reset%s%s", s, hint ? "; " : "",
                       hint ? hint : "");
            r = -1;
            continue;
        }
        strv_push(resets, xstrdup(s));
    }
    return r;
}

static int read_caps(struct profile *layer, const struct key_def *k, const struct node *n,
                     struct diags *d)
{
    if (n->kind != NODE_SEQ) {
        diags_node(d, DIAG_ERROR, n, "expected a list of capability names, got %s",
                   kind_name(n));
        return -1;
    }
    uint64_t set = 0;
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const char *s = scalar(n->items[i], "a capability name", d);
        if (!s) {
            r = -1;
            continue;
        }
        if (strcasecmp(s, "ALL") == 0) {
            for (int c = 0; c <= capability_last(); c++)
                set |= UINT64_C(1) << c;
            continue;
        }
        int cap = capability_from_name(s);
        if (cap < 0) {
            diags_node(d, DIAG_ERROR, n->items[i],
                       "`%s` is not a capability: write a name such as NET_ADMIN, or ALL", s);
            r = -1;
            continue;
        }
        set |= UINT64_C(1) << cap;
    }
    if (k->id == KEY_CAP_ADD)
        layer->cap_add = set;
    else
        layer->cap_drop = set;
    return r;
}

static int read_seccomp(struct profile *layer, const struct node *n, struct diags *d)
{
    const char *s = scalar(n, "default, unconfined or a path", d);
    if (!s)
        return -1;
    free(layer->seccomp);
    layer->seccomp = NULL;
    if (strcmp(s, "default") == 0)
        return 0;
    if (strcmp(s, "unconfined") == 0) {
        layer->seccomp = xstrdup("unconfined");
        return 0;
    }
    _cleanup_free_ char *path = read_host_path(n, d);
    if (!path)
        return -1;
    /* The file is part of the profile: its mistakes are profile errors, located in it. */
    struct seccomp_rules rules = {0};
    int r = seccomp_rules_read(path, &rules, d);
    seccomp_rules_free(&rules);
    if (r < 0)
        return -1;
    layer->seccomp = steal_pointer(&path);
    return 0;
}

static int read_rlimit_value(const struct node *n, uint64_t *out, struct diags *d)
{
    const char *s = scalar(n, "a number, a size or unlimited", d);
    if (!s)
        return -1;
    int64_t v;
    if (strcmp(s, "unlimited") == 0) {
        *out = RLIM_INFINITY;
        return 0;
    }
    if (parse_size(s, &v) < 0) {
        diags_node(d, DIAG_ERROR, n, "`%s` is not a limit: a number, a size (64m) or unlimited",
                   s);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

static int read_rlimits(struct profile *layer, const struct node *n, const struct layer_ctx *ctx,
                        struct diags *d)
{
    if (n->kind != NODE_MAP) {
        diags_node(d, DIAG_ERROR, n, "expected a map of resource limits, got %s", kind_name(n));
        return -1;
    }
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const struct node *item = n->items[i];
        int res = rlimit_from_name(item->key);
        if (res < 0) {
            const char *names[32];
            size_t n_names = 0;
            for (size_t j = 0; j < rlimit_count() && n_names < ARRAY_SIZE(names); j++)
                names[n_names++] = rlimit_name_at(j);
            const char *hint = suggest_from(names, n_names, item->key);
            if (hint)
                diags_key(d, DIAG_ERROR, item, "unknown resource limit; did you mean `%s`?", hint);
            else
                diags_key(d, DIAG_ERROR, item, "unknown resource limit");
            r = -1;
            continue;
        }
        uint64_t soft, hard;
        int ok;
        if (item->kind == NODE_MAP) {
            const struct node *sn = node_map_get(item, "soft"), *hn = node_map_get(item, "hard");
            ok = sn && hn ? 0 : -1;
            for (size_t j = 0; j < item->n_items; j++)
                if (strcmp(item->items[j]->key, "soft") && strcmp(item->items[j]->key, "hard")) {
                    diags_key(d, DIAG_ERROR, item->items[j], "unknown field; use soft and hard");
                    ok = -2;
                }
            if (ok == -1)
                diags_node(d, DIAG_ERROR, item, "needs both soft and hard");
            if (ok == 0 && (read_rlimit_value(sn, &soft, d) < 0 || read_rlimit_value(hn, &hard, d) < 0))
                ok = -1;
        } else if (item->kind == NODE_SCALAR && !(item->flags & NODE_NULL) &&
                   strchr(item->text, ':')) {
            /* SOFT:HARD, as ulimit and docker write it. */
            const char *colon = strchr(item->text, ':');
            struct node half = *item;
            half.text = xstrndup(item->text, (size_t)(colon - item->text));
            ok = read_rlimit_value(&half, &soft, d);
            free(half.text);
            half.text = xstrdup(colon + 1);
            if (ok == 0)
                ok = read_rlimit_value(&half, &hard, d);
            free(half.text);
        } else {
            ok = read_rlimit_value(item, &soft, d);
            hard = soft;
        }
        if (ok < 0) {
            r = -1;
            continue;
        }
        if (soft > hard) {
            diags_node(d, DIAG_ERROR, item, "the soft limit is above the hard limit");
            r = -1;
            continue;
        }
        layer->rlimits = xrealloc(layer->rlimits, (layer->n_rlimits + 1) * sizeof(*layer->rlimits));
        layer->rlimits[layer->n_rlimits++] = (struct profile_rlimit){
            .resource = res, .soft = soft, .hard = hard, .origin = origin_of(item, ctx)};
    }
    return r;
}

static int read_container_paths(struct profile *layer, const struct key_def *k,
                                const struct node *n, const struct layer_ctx *ctx,
                                struct diags *d)
{
    if (n->kind != NODE_SEQ) {
        diags_node(d, DIAG_ERROR, n, "expected a list of absolute paths, got %s", kind_name(n));
        return -1;
    }
    struct profile_layer **list =
        k->id == KEY_MASKED_PATHS ? &layer->masked_paths : &layer->readonly_paths;
    size_t *count = k->id == KEY_MASKED_PATHS ? &layer->n_masked_paths : &layer->n_readonly_paths;
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        char *path = read_container_path(n->items[i], d);
        if (!path) {
            r = -1;
            continue;
        }
        if (strcmp(path, "/") == 0) {
            diags_node(d, DIAG_ERROR, n->items[i], "cannot cover the whole root");
            free(path);
            r = -1;
            continue;
        }
        *list = xrealloc(*list, (*count + 1) * sizeof(**list));
        (*list)[(*count)++] = (struct profile_layer){.path = path, .origin = origin_of(n->items[i], ctx)};
    }
    return r;
}

static int apply_key(struct profile *layer, char ***resets, const struct key_def *k,
                     const struct node *n, const struct layer_ctx *ctx, struct diags *d)
{
    int r = 0;
    char *s = NULL;
    switch (k->type) {
    case TYPE_INCLUDE:
    case TYPE__MAX:
        return 0; /* the stack reads it */
    case TYPE_RESET:
        return read_reset(resets, n, d);
    case TYPE_NAME:
    case TYPE_HOSTNAME:
    case TYPE_USER:
    case TYPE_CGROUP:
        if ((r = read_string_key(k, n, &s, d)) < 0)
            return r;
        char **field = k->id == KEY_NAME       ? &layer->name
                       : k->id == KEY_HOSTNAME ? &layer->hostname
                       : k->id == KEY_USER     ? &layer->user
                                               : &layer->cgroup_parent;
        free(*field);
        *field = s;
        break;
    case TYPE_PATH:
        if (!(s = read_host_path(n, d)))
            return -1;
        free(layer->rootfs);
        layer->rootfs = s;
        break;
    case TYPE_UPPER:
        if (n->kind == NODE_SCALAR && str_eq(n->text, "tmpfs")) {
            free(layer->upper);
            layer->upper = NULL;
        } else if ((s = read_host_path(n, d))) {
            free(layer->upper);
            layer->upper = s;
        } else {
            return -1;
        }
        break;
    case TYPE_ABSPATH:
        if (!(s = read_container_path(n, d)))
            return -1;
        /* /proc/self/fd/N and its kin lead out of the container (CVE-2024-21626). */
        if (path_under(s, "/proc") || path_under(s, "/sys")) {
            diags_node(d, DIAG_ERROR, n,
                       "`%s` is under %s, which congo mounts itself; a working directory "
                       "there could lead out of the container",
                       s, path_under(s, "/proc") ? "/proc" : "/sys");
            free(s);
            return -1;
        }
        free(layer->workdir);
        layer->workdir = s;
        break;
    case TYPE_BOOL: {
        bool *flag = k->id == KEY_INIT                ? &layer->init
                     : k->id == KEY_NO_NEW_PRIVILEGES ? &layer->no_new_privileges
                                                      : &layer->readonly_rootfs;
        if (read_bool(n, flag, d) < 0)
            return -1;
        break;
    }
    case TYPE_CAPS:
        r = read_caps(layer, k, n, d);
        break;
    case TYPE_SECCOMP:
        r = read_seccomp(layer, n, d);
        break;
    case TYPE_RLIMITS:
        r = read_rlimits(layer, n, ctx, d);
        break;
    case TYPE_CPATHS:
        r = read_container_paths(layer, k, n, ctx, d);
        break;
    case TYPE_DURATION: {
        const char *text = scalar(n, k->type_doc, d);
        if (!text)
            return -1;
        if (parse_duration(text, &layer->stop_timeout_ms) < 0 ||
            layer->stop_timeout_ms > 3600 * 1000) {
            diags_node(d, DIAG_ERROR, n, "`%s` is not a duration: expected %s", text,
                       k->type_doc);
            return -1;
        }
        break;
    }
    case TYPE_PIDS:
    case TYPE_SIZE:
    case TYPE_INT:
    case TYPE_CPUS: {
        int64_t *limit = k->id == KEY_PIDS          ? &layer->pids
                         : k->id == KEY_MEMORY      ? &layer->memory
                         : k->id == KEY_MEMORY_SWAP ? &layer->memory_swap
                         : k->id == KEY_CPU_SHARES  ? &layer->cpu_shares
                                                    : &layer->cpu_quota;
        if (read_int_key(k, n, limit, d) < 0)
            return -1;
        break;
    }
    case TYPE_PATHS:
        r = read_paths(layer, n, ctx, d);
        break;
    case TYPE_ENV:
        r = read_env(layer, n, ctx, d);
        break;
    case TYPE_COMMAND:
        r = read_command(layer, n, d);
        break;
    case TYPE_MOUNTS:
        r = read_mounts(layer, n, ctx, d);
        break;
    case TYPE_NAMESPACES:
        r = read_namespaces(layer, n, ctx, d);
        break;
    }
    layer->origin[k->id] = origin_of(n, ctx);
    return r;
}

static void unknown_key(const struct node *n, const char *prefix, struct diags *d)
{
    const char *hint = key_suggest(prefix, n->key);
    if (hint)
        diags_key(d, DIAG_ERROR, n, "unknown key; did you mean `%s`?", hint);
    else
        diags_key(d, DIAG_ERROR, n, "unknown key");
}

int schema_apply_tree(struct profile *layer, char ***resets, const struct node *root,
                      const struct layer_ctx *ctx, struct diags *d)
{
    size_t before = d->n_errors;
    if (root->kind != NODE_MAP) {
        diags_node(d, DIAG_ERROR, root, "a profile must be a map of keys");
        return -1;
    }
    for (size_t i = 0; i < root->n_items; i++) {
        const struct node *n = root->items[i];
        if (strchr(n->key, '.')) {
            diags_key(d, DIAG_ERROR, n,
                      "dotted keys are for --set; in a file, nest the key: `limits: "
                      "{memory: 1g}`");
            continue;
        }
        if (key_is_group(n->key)) {
            if (n->kind != NODE_MAP) {
                diags_node(d, DIAG_ERROR, n, "expected a map of %s, got %s", n->key,
                           kind_name(n));
                continue;
            }
            for (size_t j = 0; j < n->n_items; j++) {
                const struct node *sub = n->items[j];
                _cleanup_free_ char *dotted = xasprintf("%s.%s", n->key, sub->key);
                const struct key_def *k = key_by_name(dotted);
                if (!k)
                    unknown_key(sub, n->key, d);
                else
                    apply_key(layer, resets, k, sub, ctx, d);
            }
            continue;
        }
        const struct key_def *k = key_by_name(n->key);
        if (!k)
            unknown_key(n, NULL, d);
        else
            apply_key(layer, resets, k, n, ctx, d);
    }
    /* In one file the drops apply first, then the adds: `drop: [ALL]` with `add: [KILL]` keeps KILL. */
    layer->cap_drop &= ~layer->cap_add;
    return d->n_errors > before ? -1 : 0;
}

/* ---- merging ---- */

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    return strcmp(a, b) == 0;
}

static void replace_str(char **dst, const char *src)
{
    free(*dst);
    *dst = src ? xstrdup(src) : NULL;
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

static void mount_clear(struct profile_mount *m)
{
    free(m->target);
    free(m->source);
    free(m->options);
}

static void merge_mount(struct profile *into, const struct profile_mount *m)
{
    for (size_t i = 0; i < into->n_mounts; i++) {
        if (strcmp(into->mounts[i].target, m->target) != 0)
            continue;
        mount_clear(&into->mounts[i]);
        if (m->type == MOUNT_NONE) {
            memmove(&into->mounts[i], &into->mounts[i + 1],
                    (into->n_mounts - i - 1) * sizeof(*into->mounts));
            into->n_mounts--;
        } else {
            mount_copy(&into->mounts[i], m);
        }
        return;
    }
    if (m->type == MOUNT_NONE)
        return;
    into->mounts = xrealloc(into->mounts, (into->n_mounts + 1) * sizeof(*into->mounts));
    mount_copy(&into->mounts[into->n_mounts++], m);
}

static void merge_env(struct profile *into, const struct profile_env *e)
{
    for (size_t i = 0; i < into->n_env; i++)
        if (strcmp(into->env[i].name, e->name) == 0) {
            replace_str(&into->env[i].value, e->value);
            into->env[i].origin = e->origin;
            return;
        }
    into->env = xrealloc(into->env, (into->n_env + 1) * sizeof(*into->env));
    into->env[into->n_env++] = (struct profile_env){
        .name = xstrdup(e->name),
        .value = xstrdup(e->value),
        .origin = e->origin,
    };
}

static void merge_layer_path(struct profile *into, const struct profile_layer *l)
{
    for (size_t i = 0; i < into->n_layers; i++)
        if (same_file(into->layers[i].path, l->path))
            return;
    into->layers = xrealloc(into->layers, (into->n_layers + 1) * sizeof(*into->layers));
    into->layers[into->n_layers++] = (struct profile_layer){
        .path = xstrdup(l->path),
        .origin = l->origin,
    };
}

static void merge_paths(struct profile_layer **list, size_t *n, const struct profile_layer *add,
                        size_t n_add)
{
    for (size_t i = 0; i < n_add; i++) {
        bool present = false;
        for (size_t j = 0; j < *n && !present; j++)
            present = strcmp((*list)[j].path, add[i].path) == 0;
        if (present)
            continue;
        *list = xrealloc(*list, (*n + 1) * sizeof(**list));
        (*list)[(*n)++] = (struct profile_layer){.path = xstrdup(add[i].path), .origin = add[i].origin};
    }
}

static void merge_rlimit(struct profile *into, const struct profile_rlimit *l)
{
    for (size_t i = 0; i < into->n_rlimits; i++)
        if (into->rlimits[i].resource == l->resource) {
            into->rlimits[i] = *l;
            return;
        }
    into->rlimits = xrealloc(into->rlimits, (into->n_rlimits + 1) * sizeof(*into->rlimits));
    into->rlimits[into->n_rlimits++] = *l;
}

void profile_merge(struct profile *into, const struct profile *layer)
{
    for (int id = 0; id < KEY__MAX; id++) {
        if (!layer->origin[id].file)
            continue;
        switch ((enum key_id)id) {
        case KEY_INCLUDE:
        case KEY_RESET:
            continue;
        case KEY_NAME:
            replace_str(&into->name, layer->name);
            break;
        case KEY_ROOTFS:
            replace_str(&into->rootfs, layer->rootfs);
            break;
        case KEY_LAYERS:
            for (size_t i = 0; i < layer->n_layers; i++)
                merge_layer_path(into, &layer->layers[i]);
            break;
        case KEY_UPPER:
            replace_str(&into->upper, layer->upper);
            break;
        case KEY_READONLY_ROOTFS:
            into->readonly_rootfs = layer->readonly_rootfs;
            break;
        case KEY_HOSTNAME:
            replace_str(&into->hostname, layer->hostname);
            break;
        case KEY_USER:
            replace_str(&into->user, layer->user);
            break;
        case KEY_WORKDIR:
            replace_str(&into->workdir, layer->workdir);
            break;
        case KEY_ENV:
            for (size_t i = 0; i < layer->n_env; i++)
                merge_env(into, &layer->env[i]);
            break;
        case KEY_COMMAND:
            strv_free(into->command);
            into->command = strv_copy(layer->command);
            into->command_shell = layer->command_shell;
            break;
        case KEY_PIDS:
            into->pids = layer->pids;
            break;
        case KEY_MEMORY:
            into->memory = layer->memory;
            break;
        case KEY_MEMORY_SWAP:
            into->memory_swap = layer->memory_swap;
            break;
        case KEY_CPU_SHARES:
            into->cpu_shares = layer->cpu_shares;
            break;
        case KEY_CPUS:
            into->cpu_quota = layer->cpu_quota;
            break;
        case KEY_MOUNTS:
            for (size_t i = 0; i < layer->n_mounts; i++)
                merge_mount(into, &layer->mounts[i]);
            break;
        case KEY_NAMESPACES:
            for (int ns = 0; ns < NS__MAX; ns++)
                if (layer->ns_origin[ns].file) {
                    into->ns[ns] = layer->ns[ns];
                    into->ns_origin[ns] = layer->ns_origin[ns];
                }
            break;
        case KEY_INIT:
            into->init = layer->init;
            break;
        case KEY_CGROUP_PARENT:
            replace_str(&into->cgroup_parent, layer->cgroup_parent);
            break;
        case KEY_CAP_ADD:
            into->cap_add |= layer->cap_add;
            into->cap_drop &= ~layer->cap_add;
            break;
        case KEY_CAP_DROP:
            into->cap_drop |= layer->cap_drop;
            into->cap_add &= ~layer->cap_drop;
            break;
        case KEY_SECCOMP:
            replace_str(&into->seccomp, layer->seccomp);
            break;
        case KEY_RLIMITS:
            for (size_t i = 0; i < layer->n_rlimits; i++)
                merge_rlimit(into, &layer->rlimits[i]);
            break;
        case KEY_NO_NEW_PRIVILEGES:
            into->no_new_privileges = layer->no_new_privileges;
            break;
        case KEY_MASKED_PATHS:
            merge_paths(&into->masked_paths, &into->n_masked_paths, layer->masked_paths,
                        layer->n_masked_paths);
            break;
        case KEY_READONLY_PATHS:
            merge_paths(&into->readonly_paths, &into->n_readonly_paths, layer->readonly_paths,
                        layer->n_readonly_paths);
            break;
        case KEY_STOP_TIMEOUT:
            into->stop_timeout_ms = layer->stop_timeout_ms;
            break;
        case KEY__MAX:
            break;
        }
        into->origin[id] = layer->origin[id];
    }
}

/* ---- reset ---- */

bool reset_key_valid(const char *dotted, char **hint)
{
    if (key_is_group(dotted))
        return true;
    const char *dot = strchr(dotted, '.');
    if (dot && strncmp(dotted, "rlimits.", 8) == 0) {
        if (rlimit_from_name(dot + 1) >= 0)
            return true;
        *hint = xstrdup("not a resource limit");
        return false;
    }
    if (dot && strncmp(dotted, "env.", 4) == 0)
        return valid_env_name(dot + 1, strlen(dot + 1));
    if (dot && strncmp(dotted, "namespaces.", 11) == 0) {
        if (ns_by_name(dot + 1) >= 0)
            return true;
        *hint = xstrdup("known namespaces: cgroup, ipc, mount, net, pid, uts");
        return false;
    }
    const struct key_def *k = key_by_name(dotted);
    if (k && k->type != TYPE_INCLUDE && k->type != TYPE_RESET)
        return true;
    if (!k) {
        const char *near = NULL;
        _cleanup_free_ char *group = dot ? xstrndup(dotted, (size_t)(dot - dotted)) : NULL;
        if (group && key_is_group(group))
            near = key_suggest(group, dot + 1);
        else if (!dot)
            near = key_suggest(NULL, dotted);
        if (near)
            *hint = xasprintf("did you mean `%s%s%s`?", group && near ? group : "",
                              group && near ? "." : "", near);
        else
            *hint = xstrdup("not a key");
    }
    return false;
}

static void reset_one(struct profile *p, enum key_id id)
{
    struct profile def;
    profile_init(&def);
    switch (id) {
    case KEY_NAME:
        replace_str(&p->name, NULL);
        break;
    case KEY_ROOTFS:
        replace_str(&p->rootfs, NULL);
        break;
    case KEY_LAYERS:
        for (size_t i = 0; i < p->n_layers; i++)
            free(p->layers[i].path);
        p->n_layers = 0;
        break;
    case KEY_UPPER:
        replace_str(&p->upper, NULL);
        break;
    case KEY_READONLY_ROOTFS:
        p->readonly_rootfs = def.readonly_rootfs;
        break;
    case KEY_HOSTNAME:
        replace_str(&p->hostname, NULL);
        break;
    case KEY_USER:
        replace_str(&p->user, NULL);
        break;
    case KEY_WORKDIR:
        replace_str(&p->workdir, NULL);
        break;
    case KEY_ENV:
        for (size_t i = 0; i < p->n_env; i++) {
            free(p->env[i].name);
            free(p->env[i].value);
        }
        p->n_env = 0;
        break;
    case KEY_COMMAND:
        strv_free(p->command);
        p->command = NULL;
        p->command_shell = false;
        break;
    case KEY_PIDS:
        p->pids = def.pids;
        break;
    case KEY_MEMORY:
        p->memory = def.memory;
        break;
    case KEY_MEMORY_SWAP:
        p->memory_swap = def.memory_swap;
        break;
    case KEY_CPU_SHARES:
        p->cpu_shares = def.cpu_shares;
        break;
    case KEY_CPUS:
        p->cpu_quota = def.cpu_quota;
        break;
    case KEY_MOUNTS:
        for (size_t i = 0; i < p->n_mounts; i++)
            mount_clear(&p->mounts[i]);
        p->n_mounts = 0;
        break;
    case KEY_NAMESPACES:
        memcpy(p->ns, def.ns, sizeof(p->ns));
        memset(p->ns_origin, 0, sizeof(p->ns_origin));
        break;
    case KEY_INIT:
        p->init = def.init;
        break;
    case KEY_CGROUP_PARENT:
        replace_str(&p->cgroup_parent, NULL);
        break;
    case KEY_CAP_ADD:
        p->cap_add = 0;
        break;
    case KEY_CAP_DROP:
        p->cap_drop = 0;
        break;
    case KEY_SECCOMP:
        replace_str(&p->seccomp, NULL);
        break;
    case KEY_RLIMITS:
        p->n_rlimits = 0;
        break;
    case KEY_NO_NEW_PRIVILEGES:
        p->no_new_privileges = def.no_new_privileges;
        break;
    case KEY_MASKED_PATHS:
        for (size_t i = 0; i < p->n_masked_paths; i++)
            free(p->masked_paths[i].path);
        p->n_masked_paths = 0;
        break;
    case KEY_READONLY_PATHS:
        for (size_t i = 0; i < p->n_readonly_paths; i++)
            free(p->readonly_paths[i].path);
        p->n_readonly_paths = 0;
        break;
    case KEY_STOP_TIMEOUT:
        p->stop_timeout_ms = def.stop_timeout_ms;
        break;
    case KEY_INCLUDE:
    case KEY_RESET:
    case KEY__MAX:
        break;
    }
    p->origin[id] = (struct origin){0};
}

int profile_reset_key(struct profile *p, const char *dotted)
{
    _cleanup_free_ char *hint = NULL;
    if (!reset_key_valid(dotted, &hint))
        return -1;
    if (key_is_group(dotted)) {
        size_t n = strlen(dotted);
        for (int id = 0; id < KEY__MAX; id++)
            if (strncmp(profile_keys[id].name, dotted, n) == 0 && profile_keys[id].name[n] == '.')
                reset_one(p, (enum key_id)id);
    } else if (strncmp(dotted, "rlimits.", 8) == 0) {
        int res = rlimit_from_name(dotted + 8);
        for (size_t i = 0; i < p->n_rlimits; i++)
            if (p->rlimits[i].resource == res) {
                memmove(&p->rlimits[i], &p->rlimits[i + 1],
                        (p->n_rlimits - i - 1) * sizeof(*p->rlimits));
                p->n_rlimits--;
                break;
            }
    } else if (strncmp(dotted, "env.", 4) == 0) {
        for (size_t i = 0; i < p->n_env; i++)
            if (strcmp(p->env[i].name, dotted + 4) == 0) {
                free(p->env[i].name);
                free(p->env[i].value);
                memmove(&p->env[i], &p->env[i + 1], (p->n_env - i - 1) * sizeof(*p->env));
                p->n_env--;
                break;
            }
    } else if (strncmp(dotted, "namespaces.", 11) == 0) {
        int ns = ns_by_name(dotted + 11);
        p->ns[ns] = ns != NS_CGROUP;
        p->ns_origin[ns] = (struct origin){0};
    } else {
        reset_one(p, key_by_name(dotted)->id);
    }
    return 0;
}

/* ---- after the stack ---- */

static void diag_origin(struct diags *d, enum diag_level level, const struct origin *o,
                        const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void diag_origin(struct diags *d, enum diag_level level, const struct origin *o,
                        const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diags_vadd(d, level, o->file, o->line, 0, key, fmt, ap);
    va_end(ap);
}

/* Two keys that clash: the error cites the one set later, a note the other. */
static void clash(struct diags *d, const struct origin *a, const char *ka, const struct origin *b,
                  const char *kb, const char *msg)
{
    bool a_later = a->seq > b->seq || (a->seq == b->seq && a->line >= b->line);
    const struct origin *later = a_later ? a : b, *earlier = a_later ? b : a;
    const char *kl = a_later ? ka : kb, *ke = a_later ? kb : ka;
    diag_origin(d, DIAG_ERROR, later, kl, "%s", msg);
    diag_origin(d, DIAG_NOTE, earlier, ke, "set here");
}

int profile_finalize(struct profile *p, const char *default_name, const char *top, bool fragment,
                     struct diags *d)
{
    size_t before = d->n_errors;
    if (!p->name && default_name) {
        if (valid_name(default_name))
            p->name = xstrdup(default_name);
        else if (!fragment)
            diags_add(d, DIAG_ERROR, top, 0, 0, "name",
                      "the file name `%s` is not a valid container name; set `name`",
                      default_name);
    }
    if (!p->rootfs && !fragment)
        diags_add(d, DIAG_ERROR, top, 0, 0, "rootfs", "required key is missing");
    if (p->readonly_rootfs && p->upper)
        clash(d, &p->origin[KEY_READONLY_ROOTFS], "readonly_rootfs", &p->origin[KEY_UPPER],
              "upper", "a read-only root has no upper layer; drop one of the two");
    if (p->hostname && !p->ns[NS_UTS])
        clash(d, &p->origin[KEY_HOSTNAME], "hostname", &p->ns_origin[NS_UTS], "namespaces.uts",
              "a host name needs the uts namespace");
    if (!p->hostname && p->ns[NS_UTS] && p->name) {
        _cleanup_free_ char *h = profile_effective_hostname(p);
        if (!valid_hostname(h))
            diags_add(d, DIAG_ERROR, p->origin[KEY_NAME].file ? p->origin[KEY_NAME].file : top,
                      p->origin[KEY_NAME].line, 0, "name",
                      "no host name can be made from `%s`; set `hostname`", p->name);
    }
    if (p->memory_swap != LIMIT_UNLIMITED) {
        if (p->memory == LIMIT_UNLIMITED && p->origin[KEY_MEMORY].file) {
            clash(d, &p->origin[KEY_MEMORY_SWAP], "limits.memory_swap", &p->origin[KEY_MEMORY],
                  "limits.memory", "limits.memory_swap needs limits.memory");
        } else if (p->memory == LIMIT_UNLIMITED) {
            diag_origin(d, DIAG_ERROR, &p->origin[KEY_MEMORY_SWAP], "limits.memory_swap",
                        "needs limits.memory");
        } else if (p->memory_swap < p->memory) {
            _cleanup_free_ char *sw = format_size(p->memory_swap);
            _cleanup_free_ char *mem = format_size(p->memory);
            _cleanup_free_ char *msg =
                xasprintf("`%s` is less than limits.memory (`%s`); memory_swap counts memory "
                          "plus swap",
                          sw, mem);
            clash(d, &p->origin[KEY_MEMORY_SWAP], "limits.memory_swap", &p->origin[KEY_MEMORY],
                  "limits.memory", msg);
        }
    }
    return d->n_errors > before ? -1 : 0;
}
