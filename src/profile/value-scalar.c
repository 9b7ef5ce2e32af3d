/*
 * Scalar keys: the types of one value (a name, a path, a size, ...) with
 * their precise errors, and the operations every scalar shares. A scalar's
 * row holds its field, kind, default and range, so storing, merging,
 * resetting, comparing, printing and freeing it is the same code for every
 * key; a scalar type only says what text it takes and how to write it back.
 */
#include "value.h"

#include <ctype.h>
#include <string.h>

#include "util/idmap.h"
#include "util/units.h"

#define UNLIMITED "unlimited"

/* ---- the scalar types: text to value ---- */

static int parse_name(const struct key_def *k, const struct node *n, void *out, struct diags *d)
{
    const char *s = read_scalar(n, k->type_doc, d);
    if (!s)
        return -1;
    if (!valid_name(s)) {
        diags_node(d, DIAG_ERROR, n,
                   "`%s` is not a valid name: [A-Za-z0-9][A-Za-z0-9_.-]*, at most 64", s);
        return -1;
    }
    *(char **)out = xstrdup(s);
    return 0;
}

static int parse_hostname(const struct key_def *k, const struct node *n, void *out, struct diags *d)
{
    const char *s = read_scalar(n, k->type_doc, d);
    if (!s)
        return -1;
    if (!valid_hostname(s)) {
        diags_node(d, DIAG_ERROR, n,
                   "`%s` is not a valid host name: labels of letters, digits and `-`, "
                   "separated by dots, at most 64 characters",
                   s);
        return -1;
    }
    *(char **)out = xstrdup(s);
    return 0;
}

/*
 * The kernel takes any 64 bytes; a NIS domain name is a word of printable
 * characters, which every format writes back as it was.
 */
static int parse_domainname(const struct key_def *k, const struct node *n, void *out,
                            struct diags *d)
{
    const char *s = read_scalar(n, k->type_doc, d);
    if (!s)
        return -1;
    size_t len = strlen(s);
    bool ok = len > 0 && len <= 64;
    for (size_t i = 0; i < len && ok; i++)
        ok = s[i] > ' ' && s[i] < 0x7f;
    if (!ok) {
        diags_node(d, DIAG_ERROR, n, "`%s` is not a domain name: expected %s", s, k->type_doc);
        return -1;
    }
    *(char **)out = xstrdup(s);
    return 0;
}

static int parse_user(const struct key_def *k, const struct node *n, void *out, struct diags *d)
{
    const char *s = read_scalar(n, k->type_doc, d);
    if (!s)
        return -1;
    const char *colon = strchr(s, ':');
    size_t ulen = colon ? (size_t)(colon - s) : strlen(s);
    if (!valid_id(s, ulen) || (colon && !valid_id(colon + 1, strlen(colon + 1)))) {
        diags_node(d, DIAG_ERROR, n, "`%s` is not a user: expected %s", s, k->type_doc);
        return -1;
    }
    *(char **)out = xstrdup(s);
    return 0;
}

static int parse_cgroup(const struct key_def *k, const struct node *n, void *out, struct diags *d)
{
    const char *s = read_scalar(n, k->type_doc, d);
    if (!s)
        return -1;
    if (str_eq(s, k->def.s))
        return *(char **)out = NULL, 0;
    if (s[0] != '/') {
        diags_node(d, DIAG_ERROR, n,
                   "`%s` is not absolute; a cgroup path starts with `/` at the "
                   "hierarchy's root, or is auto",
                   s);
        return -1;
    }
    for (const char *p = s + 1; *p;) {
        const char *end = strchrnul(p, '/');
        size_t len = (size_t)(end - p);
        bool bad = len == 0 ? *end != '\0'
                            : (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.');
        for (const char *c = p; c < end && !bad; c++)
            bad = !isalnum((unsigned char)*c) && !strchr("_.:@+-", *c);
        if (bad) {
            diags_node(d, DIAG_ERROR, n, "`%s` is not a valid cgroup path", s);
            return -1;
        }
        p = *end ? end + 1 : end;
    }
    *(char **)out = path_normalize(s);
    return 0;
}

static int parse_path(const struct key_def *k, const struct node *n, void *out, struct diags *d)
{
    (void)k;
    return (*(char **)out = read_host_path(n, d)) ? 0 : -1;
}

/*
 * A path, the default's keyword (an ephemeral tmpfs), or none: the root is
 * rootfs itself, written directly (kept as the keyword, which no path is).
 */
static int parse_upper(const struct key_def *k, const struct node *n, void *out, struct diags *d)
{
    if (n->kind == NODE_SCALAR && str_eq(n->text, k->def.s))
        return *(char **)out = NULL, 0;
    if (n->kind == NODE_SCALAR && str_eq(n->text, PROFILE_UPPER_NONE))
        return *(char **)out = xstrdup(PROFILE_UPPER_NONE), 0;
    return parse_path(k, n, out, d);
}

/* host, auto, or id mappings, kept in idmap_format's form so that --print writes one text. */
static int parse_userns(const struct key_def *k, const struct node *n, void *out, struct diags *d)
{
    const char *s = read_scalar(n, k->type_doc, d);
    if (!s)
        return -1;
    if (str_eq(s, "host") || str_eq(s, "auto"))
        return *(char **)out = xstrdup(s), 0;
    struct idmap *m = xcalloc(1, sizeof(*m));
    _cleanup_free_ char *why = NULL;
    int r = idmap_parse(s, m, &why);
    if (r < 0)
        diags_node(d, DIAG_ERROR, n, "%s; expected %s", why, k->type_doc);
    else
        *(char **)out = idmap_format(m);
    free(m);
    return r;
}

static int parse_abspath(const struct key_def *k, const struct node *n, void *out, struct diags *d)
{
    (void)k;
    _cleanup_free_ char *s = read_container_path(n, d);
    if (!s)
        return -1;
    /* /proc/self/fd/N and its kin lead out of the container (CVE-2024-21626). */
    if (path_under(s, "/proc") || path_under(s, "/sys")) {
        diags_node(d, DIAG_ERROR, n,
                   "`%s` is under %s, which congo mounts itself; a working directory "
                   "there could lead out of the container",
                   s, path_under(s, "/proc") ? "/proc" : "/sys");
        return -1;
    }
    *(char **)out = steal_pointer(&s);
    return 0;
}

static int parse_bool(const struct key_def *k, const struct node *n, void *out, struct diags *d)
{
    (void)k;
    return read_bool(n, out, d);
}

static int parse_pids(const struct key_def *k, const struct node *n, void *out, struct diags *d)
{
    const char *s = read_scalar(n, k->type_doc, d);
    if (!s)
        return -1;
    uint64_t v;
    if (strcmp(s, UNLIMITED) == 0)
        return *(int64_t *)out = LIMIT_UNLIMITED, 0;
    if (parse_uint(s, (uint64_t)k->max, &v) < 0 || (int64_t)v < k->min) {
        diags_node(d, DIAG_ERROR, n, "`%s` is not a process limit: expected %s", s, k->type_doc);
        return -1;
    }
    *(int64_t *)out = (int64_t)v;
    return 0;
}

/* An integer in the row's range; a minus sign only where the range is negative. */
static int parse_int(const struct key_def *k, const struct node *n, void *out, struct diags *d)
{
    const char *s = read_scalar(n, k->type_doc, d);
    if (!s)
        return -1;
    bool minus = s[0] == '-' && k->min < 0;
    uint64_t v;
    if (parse_uint(s + minus, minus ? -(uint64_t)k->min : (uint64_t)k->max, &v) < 0 ||
        (minus ? -(int64_t)v : (int64_t)v) < k->min) {
        diags_node(d, DIAG_ERROR, n, "`%s` is out of range: expected %s", s, k->type_doc);
        return -1;
    }
    *(int64_t *)out = minus ? -(int64_t)v : (int64_t)v;
    return 0;
}

static int parse_cpus_value(const struct key_def *k, const struct node *n, void *out,
                            struct diags *d)
{
    const char *s = read_scalar(n, k->type_doc, d);
    if (!s)
        return -1;
    int64_t *quota = out;
    if (parse_cpus(s, quota) < 0 || *quota < k->min || *quota > k->max) {
        diags_node(d, DIAG_ERROR, n,
                   "`%s` is not a CPU quota: expected a decimal from 0.01 to 1024 "
                   "with at most 5 decimals",
                   s);
        return -1;
    }
    return 0;
}

static int parse_size_value(const struct key_def *k, const struct node *n, void *out,
                            struct diags *d)
{
    const char *s = read_scalar(n, k->type_doc, d);
    if (!s)
        return -1;
    int64_t *size = out;
    if (strcmp(s, UNLIMITED) == 0)
        return *size = LIMIT_UNLIMITED, 0;
    if (parse_size(s, size) < 0) {
        diags_node(d, DIAG_ERROR, n,
                   "`%s` is not a size: expected a number of bytes or one with a k, m or g "
                   "suffix (512m, 2g), or unlimited",
                   s);
        return -1;
    }
    if (*size < k->min) {
        _cleanup_free_ char *min = format_size(k->min);
        if (all_digits(s))
            diags_node(d, DIAG_ERROR, n,
                       "`%s` is %s bytes, below the %s minimum; did you mean `%sm`?", s, s, min, s);
        else
            diags_node(d, DIAG_ERROR, n, "`%s` is below the %s minimum", s, min);
        return -1;
    }
    return 0;
}

static int parse_duration_value(const struct key_def *k, const struct node *n, void *out,
                                struct diags *d)
{
    const char *s = read_scalar(n, k->type_doc, d);
    if (!s)
        return -1;
    int64_t *ms = out;
    if (parse_duration(s, ms) < 0 || *ms < k->min || *ms > k->max) {
        diags_node(d, DIAG_ERROR, n, "`%s` is not a duration: expected %s", s, k->type_doc);
        return -1;
    }
    return 0;
}

/*
 * Octal digits, as umask(1) and chmod(1) take them, in every format: YAML's
 * plain 0027 is read as text (not as YAML 1.1's octal integer), and the
 * libconfig integer 0027, which libconfig reads as decimal 27, arrives as the
 * digits 27, which mean the same mask. A decimal mask (OCI's 18 for 0022)
 * cannot be told from octal digits but by an 8 or a 9, which the message
 * points out; the man page asks for octal.
 */
static int parse_umask(const struct key_def *k, const struct node *n, void *out, struct diags *d)
{
    const char *s = read_scalar(n, k->type_doc, d);
    if (!s)
        return -1;
    int64_t v = 0;
    bool ok = *s != '\0';
    for (const char *c = s; ok && *c; c++) {
        ok = *c >= '0' && *c <= '7';
        v = v * 8 + (*c - '0');
        ok = ok && v <= k->max;
    }
    if (!ok) {
        diags_node(d, DIAG_ERROR, n,
                   "`%s` is not a umask: expected octal digits up to 0777, such as 0022 or "
                   "0027%s",
                   s, all_digits(s) && strpbrk(s, "89") ? " (8 and 9 are not octal digits)" : "");
        return -1;
    }
    *(int64_t *)out = v;
    return 0;
}

static char *format_int(int64_t v)
{
    return xasprintf("%lld", (long long)v);
}

static char *format_umask(int64_t v)
{
    return xasprintf("%04llo", (unsigned long long)v);
}

/*
 * The host name is the name's unless set; there is none without the uts
 * namespace, and a joined one keeps its own.
 */
static char *hostname_shown(const struct profile *p, const struct key_def *k, const char **why)
{
    char *h = profile_effective_hostname(p);
    if (!h)
        *why = !p->ns[NS_UTS]     ? "none; the uts namespace is off"
               : p->ns_path[NS_UTS] ? "none; the joined uts namespace keeps its own"
                                    : k->unset;
    return h;
}

static char *upper_shown(const struct profile *p, const struct key_def *k, const char **why)
{
    if (p->readonly_rootfs && !str_eq(p->upper, PROFILE_UPPER_NONE)) {
        *why = "none; the root is read-only";
        return NULL;
    }
    const char *v = *(char *const *)key_value(p, k);
    return xstrdup(v ? v : k->def.s);
}

/* ---- what every scalar shares ---- */

static int scalar_read(struct profile *layer, const struct key_def *k, const struct node *n,
                       const struct layer_ctx *ctx, struct diags *d)
{
    (void)ctx;
    union {
        char *s;
        bool b;
        int64_t i;
    } v = {0};
    if (key_type(k)->parse(k, n, &v, d) < 0)
        return -1;
    void *field = key_field(layer, k);
    if (k->kind == KIND_STRING) {
        free(*(char **)field);
        *(char **)field = v.s;
    } else if (k->kind == KIND_BOOL) {
        *(bool *)field = v.b;
    } else {
        *(int64_t *)field = v.i;
    }
    return 0;
}

static void scalar_reset(struct profile *p, const struct key_def *k)
{
    void *field = key_field(p, k);
    if (k->kind == KIND_STRING) {
        free(*(char **)field);
        *(char **)field = NULL;
    } else if (k->kind == KIND_BOOL) {
        *(bool *)field = k->def.b;
    } else {
        *(int64_t *)field = k->def.i;
    }
}

static void scalar_merge(struct profile *into, const struct profile *layer, const struct key_def *k)
{
    void *to = key_field(into, k);
    const void *from = key_value(layer, k);
    if (k->kind == KIND_STRING) {
        const char *s = *(char *const *)from;
        free(*(char **)to);
        *(char **)to = s ? xstrdup(s) : NULL;
    } else if (k->kind == KIND_BOOL) {
        *(bool *)to = *(const bool *)from;
    } else {
        *(int64_t *)to = *(const int64_t *)from;
    }
}

static void scalar_free(struct profile *p, const struct key_def *k)
{
    if (k->kind == KIND_STRING)
        free(*(char **)key_field(p, k));
}

/* The text --print shows for a scalar, or NULL with *why for a comment. Caller frees. */
static char *scalar_text(const struct profile *p, const struct key_def *k, const char **why,
                         enum print_style *style)
{
    const struct value_type *t = key_type(k);
    const void *field = key_value(p, k);
    *style = k->kind == KIND_STRING ? STYLE_STRING : STYLE_LITERAL;
    if (t->shown)
        return t->shown(p, k, why);
    if (k->kind == KIND_STRING) {
        const char *v = *(char *const *)field;
        if (!v && k->unset)
            return *why = k->unset, NULL;
        return xstrdup(v ? v : k->def.s);
    }
    if (k->kind == KIND_BOOL)
        return xstrdup(*(const bool *)field ? "true" : "false");
    int64_t v = *(const int64_t *)field;
    if (v == k->def.i && k->unset)
        return *why = k->unset, NULL;
    if (t->unlimited && v == LIMIT_UNLIMITED)
        return *style = STYLE_WORD, xstrdup(UNLIMITED);
    *style = t->style;
    return t->format(v);
}

/* Two profiles hold the same value where --print shows the same text. */
static bool scalar_equal(const struct profile *a, const struct profile *b, const struct key_def *k)
{
    const char *why;
    enum print_style style;
    _cleanup_free_ char *ta = scalar_text(a, k, &why, &style);
    _cleanup_free_ char *tb = scalar_text(b, k, &why, &style);
    return str_eq(ta, tb);
}

static void scalar_print(struct printer *pr, const struct profile *p, const struct key_def *k,
                         int level, const char *key)
{
    const char *why = NULL;
    enum print_style style;
    _cleanup_free_ char *text = scalar_text(p, k, &why, &style);
    if (!text) {
        put_key_unset(pr, level, key, why);
        return;
    }
    key_open(pr, level, key);
    if (style == STYLE_STRING || (style == STYLE_WORD && pr->fmt == PRINT_CONF))
        put_string(pr, text);
    else
        strbuf_puts(&pr->sb, text);
    key_close(pr, &p->origin[k->id]);
}

/* The value as the command line writes it, unescaped; NULL at the default. */
static char *scalar_slot(const struct profile *p, const struct key_def *k)
{
    const void *field = key_value(p, k);
    if (k->kind == KIND_STRING) {
        const char *v = *(char *const *)field;
        return v && !str_eq(v, k->def.s) ? xstrdup(v) : NULL;
    }
    if (k->kind == KIND_BOOL)
        return *(const bool *)field != k->def.b ? xstrdup(*(const bool *)field ? "true" : "false")
                                                : NULL;
    int64_t v = *(const int64_t *)field;
    if (v == k->def.i)
        return NULL;
    if (key_type(k)->unlimited && v == LIMIT_UNLIMITED)
        return xstrdup(UNLIMITED);
    return key_type(k)->format(v);
}

static void scalar_cli(struct strbuf *line, const struct profile *p, const struct key_def *k)
{
    _cleanup_free_ char *v = scalar_slot(p, k);
    if (!v)
        return;
    if (k->kind == KIND_BOOL) {
        /* A flag: on is the option alone, off must be said. */
        _cleanup_free_ char *w = xasprintf("--%s%s", k->option, str_eq(v, "true") ? "" : "=false");
        cli_put_word(line, w);
        return;
    }
    cli_put_option_escaped(line, k, v);
}

const struct value_ops scalar_ops = {
    .read = scalar_read,
    .init = scalar_reset,
    .merge = scalar_merge,
    .reset = scalar_reset,
    .equal = scalar_equal,
    .free = scalar_free,
    .print = scalar_print,
    .cli = scalar_cli,
    .slot = scalar_slot,
};

/* ---- --print-schema ---- */

/*
 * YAML hands congo every scalar as text, so `1000` is a user and `"100"` a
 * process limit; JSON Schema sees YAML's types, so each type lists the
 * forms an editor's YAML parser can produce.
 */
static void schema_text_or_number(struct json *j, const char *pattern, int64_t max_len)
{
    jsonw_open(j, "anyOf", '[');
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", "string");
    if (pattern)
        jsonw_string(j, "pattern", pattern);
    else
        jsonw_int(j, "minLength", 1);
    if (max_len)
        jsonw_int(j, "maxLength", max_len);
    jsonw_close(j);
    schema_type(j, "number");
    schema_variable(j);
    jsonw_close(j);
}

static void schema_name(struct json *j, const struct key_def *k)
{
    (void)k;
    schema_text_or_number(j, "^[A-Za-z0-9][A-Za-z0-9_.-]*$", 64);
}

static void schema_hostname(struct json *j, const struct key_def *k)
{
    (void)k;
    schema_text_or_number(j,
                          "^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
                          "(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$",
                          64);
}

static void schema_domainname(struct json *j, const struct key_def *k)
{
    (void)k;
    schema_text_or_number(j, "^[!-~]+$", 64);
}

static void schema_user(struct json *j, const struct key_def *k)
{
    (void)k;
    schema_text_or_number(j,
                          "^([0-9]+|[A-Za-z_][A-Za-z0-9_.-]*\\$?)"
                          "(:([0-9]+|[A-Za-z_][A-Za-z0-9_.-]*\\$?))?$",
                          0);
}

static void schema_path(struct json *j, const struct key_def *k)
{
    (void)k;
    schema_text_or_number(j, NULL, 0);
}

/* The default's keyword, or another value of the same shape. */
static void schema_keyword_or(struct json *j, const struct key_def *k, const char *pattern)
{
    jsonw_open(j, "anyOf", '[');
    schema_words(j, &k->def.s, 1);
    if (pattern)
        schema_pattern(j, pattern);
    else
        schema_type(j, "string");
    schema_variable(j);
    jsonw_close(j);
}

static void schema_upper(struct json *j, const struct key_def *k)
{
    /* tmpfs, none or a path: any string. */
    schema_keyword_or(j, k, NULL);
}

static void schema_cgroup(struct json *j, const struct key_def *k)
{
    schema_keyword_or(j, k, "^/");
}

static void schema_userns(struct json *j, const struct key_def *k)
{
    (void)k;
    static const char *const words[] = {"host", "auto"};
    jsonw_open(j, "anyOf", '[');
    schema_words(j, words, 2);
    schema_pattern(j, "^ *((uid:|gid:)?[0-9]+:[0-9]+:[0-9]+ *)(, *(uid:|gid:)?[0-9]+:[0-9]+:[0-9]+ *)*$");
    schema_variable(j);
    jsonw_close(j);
}

static void schema_abspath(struct json *j, const struct key_def *k)
{
    (void)k;
    jsonw_open(j, "anyOf", '[');
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", "string");
    jsonw_string(j, "pattern", "^/");
    jsonw_open(j, "not", '{');
    jsonw_string(j, "pattern", "^/+(proc|sys)(/|$)");
    jsonw_close(j);
    jsonw_close(j);
    schema_variable(j);
    jsonw_close(j);
}

static void schema_bool(struct json *j, const struct key_def *k)
{
    (void)k;
    jsonw_open(j, "anyOf", '[');
    schema_bool_value(j);
    schema_variable(j);
    jsonw_close(j);
}

/* An integer of the row's range, or the same written as a string (and maybe `unlimited`). */
static void schema_integer(struct json *j, const struct key_def *k, const char *pattern)
{
    _cleanup_free_ char *min = xasprintf("%lld", (long long)k->min);
    _cleanup_free_ char *max = k->max == INT64_MAX ? NULL : xasprintf("%lld", (long long)k->max);
    jsonw_open(j, "anyOf", '[');
    schema_range(j, "integer", min, max);
    if (key_type(k)->unlimited) {
        static const char *const unlimited[] = {UNLIMITED};
        schema_words(j, unlimited, 1);
    }
    schema_pattern(j, pattern);
    schema_variable(j);
    jsonw_close(j);
}

static void schema_pids(struct json *j, const struct key_def *k)
{
    schema_integer(j, k, "^[0-9]+$");
}

static void schema_int(struct json *j, const struct key_def *k)
{
    schema_integer(j, k, "^-?[0-9]+$");
}

static void schema_size(struct json *j, const struct key_def *k)
{
    schema_integer(j, k, "^[0-9]+[kKmMgG]?$");
}

static void schema_cpus(struct json *j, const struct key_def *k)
{
    _cleanup_free_ char *min = format_cpus(k->min);
    _cleanup_free_ char *max = format_cpus(k->max);
    jsonw_open(j, "anyOf", '[');
    schema_range(j, "number", min, max);
    schema_pattern(j, "^[0-9]+(\\.[0-9]{1,5})?$");
    schema_variable(j);
    jsonw_close(j);
}

/* The digits: a string, or what an editor's YAML parser makes of plain 0027 (an integer). */
static void schema_umask(struct json *j, const struct key_def *k)
{
    (void)k;
    jsonw_open(j, "anyOf", '[');
    schema_pattern(j, "^0*[0-7]{1,3}$");
    schema_range(j, "integer", "0", "777");
    schema_variable(j);
    jsonw_close(j);
}

static void schema_duration(struct json *j, const struct key_def *k)
{
    _cleanup_free_ char *max = xasprintf("%lld", (long long)k->max / 1000);
    jsonw_open(j, "anyOf", '[');
    schema_range(j, "number", "0", max);
    schema_pattern(j, "^[0-9]+((\\.[0-9]{1,3})?s?|ms)$");
    schema_variable(j);
    jsonw_close(j);
}

/* ---- the types ---- */

const struct value_type type_name = {
    .ops = &scalar_ops, .parse = parse_name, .schema = schema_name};
const struct value_type type_path = {
    .ops = &scalar_ops, .parse = parse_path, .schema = schema_path};
const struct value_type type_upper = {
    .ops = &scalar_ops, .parse = parse_upper, .shown = upper_shown, .schema = schema_upper};
const struct value_type type_bool = {
    .ops = &scalar_ops, .parse = parse_bool, .schema = schema_bool};
const struct value_type type_hostname = {.ops = &scalar_ops,
                                         .parse = parse_hostname,
                                         .shown = hostname_shown,
                                         .schema = schema_hostname};
const struct value_type type_domainname = {
    .ops = &scalar_ops, .parse = parse_domainname, .schema = schema_domainname};
const struct value_type type_user = {
    .ops = &scalar_ops, .parse = parse_user, .schema = schema_user};
const struct value_type type_abspath = {
    .ops = &scalar_ops, .parse = parse_abspath, .schema = schema_abspath};
const struct value_type type_cgroup = {
    .ops = &scalar_ops, .parse = parse_cgroup, .schema = schema_cgroup};
const struct value_type type_pids = {.ops = &scalar_ops,
                                     .parse = parse_pids,
                                     .format = format_int,
                                     .style = STYLE_LITERAL,
                                     .unlimited = true,
                                     .schema = schema_pids};
const struct value_type type_size = {
    .ops = &scalar_ops,
    .parse = parse_size_value,
    .format = format_size,
    /* libconfig integers stop at 32 bits: sizes are strings there. */
    .style = STYLE_WORD,
    .unlimited = true,
    .schema = schema_size};
const struct value_type type_int = {.ops = &scalar_ops,
                                    .parse = parse_int,
                                    .format = format_int,
                                    .style = STYLE_LITERAL,
                                    .schema = schema_int};
const struct value_type type_cpus = {.ops = &scalar_ops,
                                     .parse = parse_cpus_value,
                                     .format = format_cpus,
                                     .style = STYLE_LITERAL,
                                     .schema = schema_cpus};
const struct value_type type_duration = {.ops = &scalar_ops,
                                         .parse = parse_duration_value,
                                         .format = format_duration,
                                         .style = STYLE_STRING,
                                         .schema = schema_duration};
const struct value_type type_umask = {.ops = &scalar_ops,
                                      .parse = parse_umask,
                                      .format = format_umask,
                                      .style = STYLE_STRING,
                                      .schema = schema_umask};

const struct value_type type_userns = {
    .ops = &scalar_ops, .parse = parse_userns, .style = STYLE_WORD, .schema = schema_userns};
