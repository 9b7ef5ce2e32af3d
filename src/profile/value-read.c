/*
 * Reading one value of a tree, for every type: each reader records its own
 * error, located at the node, and fails; the caller goes on, so that every
 * mistake of a file is reported at once. Paths are checked and normalised
 * here without looking at the disk (--check never does).
 */
#include "value.h"

#include <ctype.h>
#include <string.h>

const char *node_kind_name(const struct node *n)
{
    return n->kind == NODE_MAP ? "a map" : n->kind == NODE_SEQ ? "a list" : "a value";
}

const char *read_scalar(const struct node *n, const char *what, struct diags *d)
{
    if (n->flags & NODE_REPORTED)
        return NULL; /* its error is counted already */
    if (n->kind != NODE_SCALAR) {
        diags_node(d, DIAG_ERROR, n, "expected %s, got %s", what, node_kind_name(n));
        return NULL;
    }
    if (n->flags & NODE_NULL) {
        diags_node(d, DIAG_ERROR, n, "empty value; expected %s", what);
        return NULL;
    }
    return n->text;
}

int read_bool(const struct node *n, bool *out, struct diags *d)
{
    const char *s = read_scalar(n, "true or false", d);
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

bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || !isalnum((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
            return false;
    return true;
}

bool valid_hostname(const char *s)
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

bool valid_env_name(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return false;
    return true;
}

bool valid_id(const char *s, size_t n)
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

/*
 * Relative paths start at a directory whose symlinks are already resolved,
 * so a lexical clean-up names the file the user means without looking at
 * the disk (--check never does).
 */
char *path_normalize(const char *path)
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

char *read_host_path(const struct node *n, struct diags *d)
{
    const char *s = read_scalar(n, "a path", d);
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

char *read_container_path(const struct node *n, struct diags *d)
{
    const char *s = read_scalar(n, "an absolute path", d);
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

bool path_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

bool from_file(const struct node *n)
{
    return n->src && n->src->is_file;
}

struct origin origin_of(const struct node *n, const struct layer_ctx *ctx)
{
    return (struct origin){
        .file = profile_intern(ctx->pool, n->src ? n->src->name : "<command line>"),
        .line = n->key_line ? n->key_line : n->line,
        .seq = ctx->seq,
        .where = n->where ? profile_intern(ctx->pool, n->where) : NULL,
    };
}
