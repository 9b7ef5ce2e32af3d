/*
 * Keys whose value is a set or a map of fixed names: namespaces (each
 * also a namespace to join), capabilities, rlimits; and seccomp, a name, a
 * file or an OCI policy.
 */
#include "value.h"

#include <string.h>
#include <sys/resource.h>

#include "seccomp-file.h"
#include "seccomp-oci.h"
#include "util/names.h"
#include "util/units.h"

/* An alternation of names for a JSON Schema pattern: (a|b|c). Caller frees. */
static char *names_pattern(const char *const *names, size_t n)
{
    struct strbuf sb = {0};
    strbuf_putc(&sb, '(');
    for (size_t i = 0; i < n; i++)
        strbuf_printf(&sb, "%s%s", i ? "|" : "", names[i]);
    strbuf_putc(&sb, ')');
    return strbuf_steal(&sb);
}

/* ---- namespaces: a bool or a namespace to join each, merged by name ---- */

static bool *ns_of(struct profile *p, const struct key_def *k)
{
    return key_field(p, k);
}

static const bool *ns_v(const struct profile *p, const struct key_def *k)
{
    return key_value(p, k);
}

static struct origin *ns_origins(struct profile *p, const struct key_def *k)
{
    return key_aux(p, k);
}

/* The paths ride along with the bools: the table has room for one companion field only. */
static char **ns_paths(struct profile *p)
{
    return p->ns_path;
}

static char *const *ns_paths_v(const struct profile *p)
{
    return p->ns_path;
}

static bool ns_default(const struct key_def *k, int ns)
{
    return k->def.i & (1 << ns);
}

static int ns_by_name(const char *name)
{
    for (int i = 0; i < NS__MAX; i++)
        if (strcmp(ns_names[i], name) == 0)
            return i;
    return -1;
}

static void ns_set(struct profile *p, const struct key_def *k, int ns, bool on, const char *path)
{
    ns_of(p, k)[ns] = on;
    free(ns_paths(p)[ns]);
    ns_paths(p)[ns] = path ? xstrdup(path) : NULL;
}

/*
 * true, false, or the absolute path of a namespace file to join
 * (/run/netns/NAME, /proc/PID/ns/net): whether it is one, and of the
 * type, is known only at run time, when the engine opens it.
 */
static int read_ns_value(const struct node *item, int ns, bool *on, char **path, struct diags *d)
{
    const char *s = read_scalar(item, "true, false or the path of a namespace", d);
    if (!s)
        return -1;
    if (!strchr(s, '/'))
        return read_bool(item, on, d);
    if (s[0] != '/') {
        diags_node(d, DIAG_ERROR, item,
                   "`%s` is not an absolute path; a namespace to join is named by one, such as "
                   "/run/netns/NAME or /proc/PID/ns/%s",
                   s, ns_names[ns]);
        return -1;
    }
    if (ns == NS_MOUNT) {
        diags_node(d, DIAG_ERROR, item,
                   "joining a mount namespace by path is not supported: the container's root is "
                   "assembled in a mount namespace of its own");
        return -1;
    }
    *on = true;
    *path = path_normalize(s);
    return 0;
}

static int read_namespaces(struct profile *layer, const struct key_def *k, const struct node *n,
                           const struct layer_ctx *ctx, struct diags *d)
{
    if (n->kind != NODE_MAP) {
        diags_node(d, DIAG_ERROR, n, "expected a map of namespace: bool or path, got %s",
                   node_kind_name(n));
        return -1;
    }
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const struct node *item = n->items[i];
        int ns = ns_by_name(item->key);
        if (ns < 0) {
            if (strcmp(item->key, "user") == 0) {
                diags_key(d, DIAG_ERROR, item,
                          "the user namespace is the user_namespace key's: host, auto, or "
                          "mappings");
            } else if (strcmp(item->key, "time") == 0) {
                diags_key(d, DIAG_ERROR, item, "the %s namespace is not supported yet", item->key);
            } else {
                const char *hint = suggest_from(ns_names, NS__MAX, item->key);
                diags_key(d, DIAG_ERROR, item,
                          "unknown namespace%s%s%s; known: cgroup, ipc, mount, net, pid, uts",
                          hint ? "; did you mean `" : "", hint ? hint : "", hint ? "`?" : "");
            }
            r = -1;
            continue;
        }
        bool on;
        _cleanup_free_ char *path = NULL;
        if (read_ns_value(item, ns, &on, &path, d) < 0) {
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
        ns_set(layer, k, ns, on, path);
        ns_origins(layer, k)[ns] = origin_of(item, ctx);
    }
    return r;
}

static void ns_init(struct profile *p, const struct key_def *k)
{
    for (int i = 0; i < NS__MAX; i++)
        ns_set(p, k, i, ns_default(k, i), NULL);
}

static void ns_merge(struct profile *into, const struct profile *layer, const struct key_def *k)
{
    const struct origin *from = key_aux_value(layer, k);
    for (int i = 0; i < NS__MAX; i++)
        if (from[i].file) {
            ns_set(into, k, i, ns_v(layer, k)[i], ns_paths_v(layer)[i]);
            ns_origins(into, k)[i] = from[i];
        }
}

static void ns_reset(struct profile *p, const struct key_def *k)
{
    ns_init(p, k);
    memset(ns_origins(p, k), 0, NS__MAX * sizeof(struct origin));
}

static void ns_free(struct profile *p, const struct key_def *k)
{
    (void)k;
    for (int i = 0; i < NS__MAX; i++)
        free(ns_paths(p)[i]);
}

static bool ns_entry_valid(const char *name, char **hint)
{
    if (ns_by_name(name) >= 0)
        return true;
    *hint = xstrdup("known namespaces: cgroup, ipc, mount, net, pid, uts");
    return false;
}

static void ns_reset_entry(struct profile *p, const struct key_def *k, const char *name)
{
    int ns = ns_by_name(name);
    ns_set(p, k, ns, ns_default(k, ns), NULL);
    ns_origins(p, k)[ns] = (struct origin){0};
}

static char *ns_entry_pattern(void)
{
    return names_pattern(ns_names, NS__MAX);
}

static bool ns_equal(const struct profile *a, const struct profile *b, const struct key_def *k)
{
    for (int i = 0; i < NS__MAX; i++)
        if (ns_v(a, k)[i] != ns_v(b, k)[i] || !str_eq(ns_paths_v(a)[i], ns_paths_v(b)[i]))
            return false;
    return true;
}

/* The value as written: a path, or true or false. */
static const char *ns_text(const struct profile *p, const struct key_def *k, int ns)
{
    if (ns_paths_v(p)[ns])
        return ns_paths_v(p)[ns];
    return ns_v(p, k)[ns] ? "true" : "false";
}

static void ns_print(struct printer *pr, const struct profile *p, const struct key_def *k,
                     int level, const char *key)
{
    const struct origin *origins = key_aux_value(p, k);
    put_map_open(pr, level, key);
    for (int i = 0; i < NS__MAX; i++) {
        if (ns_paths_v(p)[i])
            put_key_string(pr, level + 1, ns_names[i], ns_paths_v(p)[i], &origins[i]);
        else
            put_key_literal(pr, level + 1, ns_names[i], ns_text(p, k, i), &origins[i]);
    }
    put_map_close(pr, level);
}

/* Only the namespaces that differ from the default: `--namespaces` merges into it. */
static void ns_cli(struct strbuf *line, const struct profile *p, const struct key_def *k)
{
    _cleanup_strv_ char **items = NULL;
    for (int i = 0; i < NS__MAX; i++)
        if (ns_v(p, k)[i] != ns_default(k, i) || ns_paths_v(p)[i])
            strv_push(&items, xasprintf("%s=%s", ns_names[i], ns_text(p, k, i)));
    cli_put_list(line, k, items);
}

static void schema_namespaces(struct json *j, const struct key_def *k)
{
    jsonw_string(j, "type", "object");
    jsonw_open(j, "properties", '{');
    for (int i = 0; i < NS__MAX; i++) {
        jsonw_open(j, ns_names[i], '{');
        jsonw_raw(j, "default", ns_default(k, i) ? "true" : "false");
        jsonw_open(j, "anyOf", '[');
        if (i == NS_MOUNT) {
            /* It cannot be turned off, nor joined. */
            jsonw_open(j, NULL, '{');
            jsonw_open(j, "enum", '[');
            jsonw_raw(j, NULL, "true");
            jsonw_string(j, NULL, "true");
            jsonw_close(j);
            jsonw_close(j);
        } else {
            schema_bool_value(j);
            schema_pattern(j, "^/");
        }
        schema_variable(j);
        jsonw_close(j);
        jsonw_close(j);
    }
    jsonw_close(j);
    jsonw_raw(j, "additionalProperties", "false");
}

static const struct value_ops namespaces_ops = {
    .read = read_namespaces,
    .init = ns_init,
    .merge = ns_merge,
    .reset = ns_reset,
    .equal = ns_equal,
    .free = ns_free,
    .print = ns_print,
    .cli = ns_cli,
    .entry_valid = ns_entry_valid,
    .reset_entry = ns_reset_entry,
    .entry_pattern = ns_entry_pattern,
};

const struct value_type type_namespaces = {.ops = &namespaces_ops, .schema = schema_namespaces};

/*
 * ---- capabilities: a set, cancelled by its peer (add by drop, drop by add);
 * the ambient set has none ----
 */

static uint64_t *caps_of(struct profile *p, const struct key_def *k)
{
    return key_field(p, k);
}

static uint64_t caps_v(const struct profile *p, const struct key_def *k)
{
    return *(const uint64_t *)key_value(p, k);
}

static uint64_t all_caps(void)
{
    int last = capability_last();
    return last >= 63 ? UINT64_MAX : (UINT64_C(1) << (last + 1)) - 1;
}

static int read_caps(struct profile *layer, const struct key_def *k, const struct node *n,
                     const struct layer_ctx *ctx, struct diags *d)
{
    (void)ctx;
    if (n->kind != NODE_SEQ) {
        diags_node(d, DIAG_ERROR, n, "expected a list of capability names, got %s",
                   node_kind_name(n));
        return -1;
    }
    uint64_t set = 0;
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const char *s = read_scalar(n->items[i], "a capability name", d);
        if (!s) {
            r = -1;
            continue;
        }
        if (strcasecmp(s, "ALL") == 0) {
            set |= all_caps();
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
    *caps_of(layer, k) = set;
    return r;
}

static void caps_finish(struct profile *layer, const struct key_def *k)
{
    if (k->peer_wins)
        *caps_of(layer, k) &= ~caps_v(layer, &profile_keys[k->peer]);
}

static void caps_merge(struct profile *into, const struct profile *layer, const struct key_def *k)
{
    uint64_t add = caps_v(layer, k);
    *caps_of(into, k) |= add;
    if (k->peer != k->id)
        *caps_of(into, &profile_keys[k->peer]) &= ~add;
}

static void caps_reset(struct profile *p, const struct key_def *k)
{
    *caps_of(p, k) = 0;
}

static bool caps_equal(const struct profile *a, const struct profile *b, const struct key_def *k)
{
    return caps_v(a, k) == caps_v(b, k);
}

/* The names of the set, by number. */
static char **caps_names(const struct profile *p, const struct key_def *k)
{
    char **names = NULL;
    uint64_t bits = caps_v(p, k);
    /* The peer's entries apply after this set's, so "all but the peer's" is ALL. */
    if (k->peer_wins && bits && (bits | caps_v(p, &profile_keys[k->peer])) == all_caps()) {
        strv_push(&names, xstrdup("ALL"));
        bits = 0;
    }
    for (int c = 0; c < 64; c++)
        if (bits & (UINT64_C(1) << c))
            strv_push(&names, capability_name(c));
    return names;
}

static void caps_print(struct printer *pr, const struct profile *p, const struct key_def *k,
                       int level, const char *key)
{
    _cleanup_strv_ char **names = caps_names(p, k);
    key_open(pr, level, key);
    strbuf_putc(&pr->sb, '[');
    for (size_t i = 0; names && names[i]; i++) {
        strbuf_puts(&pr->sb, i ? ", " : "");
        put_string(pr, names[i]);
    }
    strbuf_putc(&pr->sb, ']');
    key_close(pr, &p->origin[k->id]);
}

static void caps_cli(struct strbuf *line, const struct profile *p, const struct key_def *k)
{
    _cleanup_strv_ char **names = caps_names(p, k);
    cli_put_list(line, k, names);
}

static void schema_caps(struct json *j, const struct key_def *k)
{
    (void)k;
    /* The names as the man page writes them, for completion; any case and CAP_ are read too. */
    _cleanup_strv_ char **names = NULL;
    struct strbuf any_case = {0};
    strv_push(&names, xstrdup("ALL"));
    strbuf_puts(&any_case, "^([Cc][Aa][Pp]_)?(");
    for (int c = 0; c <= capability_last(); c++)
        strv_push(&names, capability_name(c));
    for (size_t i = 0; names[i]; i++) {
        strbuf_puts(&any_case, i ? "|" : "");
        for (const char *s = names[i]; *s; s++)
            if (*s >= 'A' && *s <= 'Z')
                strbuf_printf(&any_case, "[%c%c]", *s, *s - 'A' + 'a');
            else
                strbuf_putc(&any_case, *s);
    }
    strbuf_puts(&any_case, ")$");
    _cleanup_free_ char *pattern = strbuf_steal(&any_case);
    jsonw_string(j, "type", "array");
    jsonw_open(j, "items", '{');
    jsonw_open(j, "anyOf", '[');
    schema_words(j, (const char *const *)names, strv_len(names));
    schema_pattern(j, pattern);
    schema_variable(j);
    jsonw_close(j);
    jsonw_close(j);
}

static const struct value_ops caps_ops = {
    .read = read_caps,
    .merge = caps_merge,
    .reset = caps_reset,
    .equal = caps_equal,
    .print = caps_print,
    .cli = caps_cli,
    .finish = caps_finish,
};

const struct value_type type_caps = {.ops = &caps_ops, .schema = schema_caps};

/* ---- rlimits: merged by name ---- */

static int read_rlimit_value(const struct node *n, uint64_t *out, struct diags *d)
{
    const char *s = read_scalar(n, "a number, a size or unlimited", d);
    if (!s)
        return -1;
    int64_t v;
    if (strcmp(s, "unlimited") == 0) {
        *out = RLIM_INFINITY;
        return 0;
    }
    if (parse_size(s, &v) < 0) {
        diags_node(d, DIAG_ERROR, n, "`%s` is not a limit: a number, a size (64m) or unlimited", s);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

/* LIMIT, SOFT:HARD (as ulimit and docker write it), or {soft, hard}. */
static int read_rlimit(const struct node *item, uint64_t *soft, uint64_t *hard, struct diags *d)
{
    if (item->kind == NODE_MAP) {
        const struct node *sn = node_map_get(item, "soft"), *hn = node_map_get(item, "hard");
        int ok = sn && hn ? 0 : -1;
        for (size_t j = 0; j < item->n_items; j++)
            if (strcmp(item->items[j]->key, "soft") && strcmp(item->items[j]->key, "hard")) {
                diags_key(d, DIAG_ERROR, item->items[j], "unknown field; use soft and hard");
                ok = -2;
            }
        if (ok == -1)
            diags_node(d, DIAG_ERROR, item, "needs both soft and hard");
        if (ok == 0 && (read_rlimit_value(sn, soft, d) < 0 || read_rlimit_value(hn, hard, d) < 0))
            ok = -1;
        return ok;
    }
    if (item->kind == NODE_SCALAR && !(item->flags & NODE_NULL) && strchr(item->text, ':')) {
        const char *colon = strchr(item->text, ':');
        struct node half = *item;
        half.text = xstrndup(item->text, (size_t)(colon - item->text));
        int ok = read_rlimit_value(&half, soft, d);
        free(half.text);
        half.text = xstrdup(colon + 1);
        if (ok == 0)
            ok = read_rlimit_value(&half, hard, d);
        free(half.text);
        return ok;
    }
    int ok = read_rlimit_value(item, soft, d);
    *hard = *soft;
    return ok;
}

static int read_rlimits(struct profile *layer, const struct key_def *k, const struct node *n,
                        const struct layer_ctx *ctx, struct diags *d)
{
    if (n->kind != NODE_MAP) {
        diags_node(d, DIAG_ERROR, n, "expected a map of resource limits, got %s",
                   node_kind_name(n));
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
        if (read_rlimit(item, &soft, &hard, d) < 0) {
            r = -1;
            continue;
        }
        if (soft > hard) {
            diags_node(d, DIAG_ERROR, item, "the soft limit is above the hard limit");
            r = -1;
            continue;
        }
        struct profile_rlimit *l = key_list_push(layer, k, sizeof(*l));
        *l = (struct profile_rlimit){
            .resource = res, .soft = soft, .hard = hard, .origin = origin_of(item, ctx)};
    }
    return r;
}

static void rlimits_merge(struct profile *into, const struct profile *layer,
                          const struct key_def *k)
{
    for (size_t a = 0; a < key_count(layer, k); a++) {
        const struct profile_rlimit *add = &KEY_CLIST(struct profile_rlimit, layer, k)[a];
        size_t i = 0;
        while (i < key_count(into, k) &&
               KEY_LIST(struct profile_rlimit, into, k)[i].resource != add->resource)
            i++;
        if (i == key_count(into, k))
            key_list_push(into, k, sizeof(*add));
        KEY_LIST(struct profile_rlimit, into, k)[i] = *add;
    }
}

static void rlimits_reset(struct profile *p, const struct key_def *k)
{
    key_list_reset(p, k, sizeof(struct profile_rlimit), NULL);
}

static void rlimits_free(struct profile *p, const struct key_def *k)
{
    key_list_free(p, k, sizeof(struct profile_rlimit), NULL);
}

static bool rlimits_entry_valid(const char *name, char **hint)
{
    if (rlimit_from_name(name) >= 0)
        return true;
    *hint = xstrdup("not a resource limit");
    return false;
}

static void rlimits_reset_entry(struct profile *p, const struct key_def *k, const char *name)
{
    int res = rlimit_from_name(name);
    for (size_t i = 0; i < key_count(p, k); i++)
        if (KEY_LIST(struct profile_rlimit, p, k)[i].resource == res) {
            key_list_remove(p, k, i, sizeof(struct profile_rlimit));
            return;
        }
}

static char *rlimits_entry_pattern(void)
{
    const char *names[32];
    size_t n = 0;
    for (size_t i = 0; i < rlimit_count() && n < ARRAY_SIZE(names); i++)
        names[n++] = rlimit_name_at(i);
    return names_pattern(names, n);
}

static bool rlimits_equal(const struct profile *a, const struct profile *b, const struct key_def *k)
{
    if (key_count(a, k) != key_count(b, k))
        return false;
    for (size_t i = 0; i < key_count(a, k); i++) {
        const struct profile_rlimit *x = &KEY_CLIST(struct profile_rlimit, a, k)[i];
        const struct profile_rlimit *y = &KEY_CLIST(struct profile_rlimit, b, k)[i];
        if (x->resource != y->resource || x->soft != y->soft || x->hard != y->hard)
            return false;
    }
    return true;
}

/* LIMIT, or SOFT:HARD when they differ. Caller frees. */
static char *rlimit_text(const struct profile_rlimit *l)
{
    _cleanup_free_ char *soft = format_rlimit(l->soft);
    _cleanup_free_ char *hard = format_rlimit(l->hard);
    return l->soft == l->hard ? xstrdup(soft) : xasprintf("%s:%s", soft, hard);
}

static void rlimits_print(struct printer *pr, const struct profile *p, const struct key_def *k,
                          int level, const char *key)
{
    size_t n = key_count(p, k);
    if (n == 0) {
        key_open(pr, level, key);
        strbuf_puts(&pr->sb, "{}");
        key_close(pr, &p->origin[k->id]);
        return;
    }
    put_map_open(pr, level, key);
    for (size_t i = 0; i < n; i++) {
        const struct profile_rlimit *l = &KEY_CLIST(struct profile_rlimit, p, k)[i];
        _cleanup_free_ char *v = rlimit_text(l);
        /* Strings in both formats: libconfig integers stop at 32 bits. */
        put_key_string(pr, level + 1, rlimit_name(l->resource), v, &l->origin);
    }
    put_map_close(pr, level);
}

static void rlimits_cli(struct strbuf *line, const struct profile *p, const struct key_def *k)
{
    _cleanup_strv_ char **items = NULL;
    for (size_t i = 0; i < key_count(p, k); i++) {
        const struct profile_rlimit *l = &KEY_CLIST(struct profile_rlimit, p, k)[i];
        _cleanup_free_ char *v = rlimit_text(l);
        strv_push(&items, xasprintf("%s=%s", rlimit_name(l->resource), v));
    }
    cli_put_list(line, k, items);
}

static void schema_rlimit_value(struct json *j)
{
    static const char *const limit = "(unlimited|[0-9]+[kKmMgG]?)";
    _cleanup_free_ char *pattern = xasprintf("^%s(:%s)?$", limit, limit);
    _cleanup_free_ char *one = xasprintf("^%s$", limit);
    jsonw_open(j, "anyOf", '[');
    schema_range(j, "integer", "0", NULL);
    schema_pattern(j, pattern);
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", "object");
    jsonw_open(j, "properties", '{');
    static const char *const fields[] = {"soft", "hard"};
    for (size_t f = 0; f < ARRAY_SIZE(fields); f++) {
        jsonw_open(j, fields[f], '{');
        jsonw_open(j, "anyOf", '[');
        schema_range(j, "integer", "0", NULL);
        schema_pattern(j, one);
        schema_variable(j);
        jsonw_close(j);
        jsonw_close(j);
    }
    jsonw_close(j);
    jsonw_open(j, "required", '[');
    for (size_t f = 0; f < ARRAY_SIZE(fields); f++)
        jsonw_string(j, NULL, fields[f]);
    jsonw_close(j);
    jsonw_raw(j, "additionalProperties", "false");
    jsonw_close(j);
    schema_variable(j);
    jsonw_close(j);
}

static void schema_rlimits(struct json *j, const struct key_def *k)
{
    (void)k;
    jsonw_string(j, "type", "object");
    jsonw_open(j, "properties", '{');
    for (size_t i = 0; i < rlimit_count(); i++) {
        jsonw_open(j, rlimit_name_at(i), '{');
        schema_rlimit_value(j);
        jsonw_close(j);
    }
    jsonw_close(j);
    jsonw_raw(j, "additionalProperties", "false");
}

static const struct value_ops rlimits_ops = {
    .read = read_rlimits,
    .merge = rlimits_merge,
    .reset = rlimits_reset,
    .equal = rlimits_equal,
    .free = rlimits_free,
    .print = rlimits_print,
    .cli = rlimits_cli,
    .entry_valid = rlimits_entry_valid,
    .reset_entry = rlimits_reset_entry,
    .entry_pattern = rlimits_entry_pattern,
};

const struct value_type type_rlimits = {.ops = &rlimits_ops, .schema = schema_rlimits};

/* ---- seccomp: the default list, unconfined, a deny-list file, or an OCI policy ---- */

#define UNCONFINED "unconfined"

static char **seccomp_of(struct profile *p, const struct key_def *k)
{
    return key_field(p, k);
}

static const char *seccomp_v(const struct profile *p, const struct key_def *k)
{
    return *(char *const *)key_value(p, k);
}

static struct seccomp_rules **rules_of(struct profile *p, const struct key_def *k)
{
    return key_aux(p, k);
}

static const struct seccomp_rules *rules_v(const struct profile *p, const struct key_def *k)
{
    return *(struct seccomp_rules *const *)key_aux_value(p, k);
}

static void seccomp_reset(struct profile *p, const struct key_def *k)
{
    free(*seccomp_of(p, k));
    *seccomp_of(p, k) = NULL;
    if (*rules_of(p, k))
        seccomp_rules_free(*rules_of(p, k));
    free(*rules_of(p, k));
    *rules_of(p, k) = NULL;
    if (p->seccomp_policy)
        seccomp_policy_free(p->seccomp_policy);
    free(p->seccomp_policy);
    p->seccomp_policy = NULL;
}

/* A policy written in the profile: a map, or its JSON text (the run form's). */
static bool is_inline_policy(const struct node *n)
{
    return n->kind == NODE_MAP ||
           (n->kind == NODE_SCALAR && !(n->flags & (NODE_NULL | NODE_REPORTED)) &&
            seccomp_policy_is_text(n->text));
}

static int read_seccomp(struct profile *layer, const struct key_def *k, const struct node *n,
                        const struct layer_ctx *ctx, struct diags *d)
{
    (void)ctx;
    _cleanup_free_ struct seccomp_policy *policy = NULL;
    if (is_inline_policy(n)) {
        policy = xcalloc(1, sizeof(*policy));
        if (seccomp_policy_read(n, policy, d) < 0)
            return -1;
        seccomp_reset(layer, k);
        *seccomp_of(layer, k) = xstrdup(SECCOMP_POLICY_INLINE);
        layer->seccomp_policy = steal_pointer(&policy);
        return 0;
    }
    const char *s = read_scalar(n, "default, unconfined, a path, or a policy (a map)", d);
    if (!s)
        return -1;
    seccomp_reset(layer, k);
    if (str_eq(s, k->def.s))
        return 0;
    if (strcmp(s, UNCONFINED) == 0) {
        *seccomp_of(layer, k) = xstrdup(UNCONFINED);
        return 0;
    }
    _cleanup_free_ char *path = read_host_path(n, d);
    if (!path)
        return -1;
    /*
     * The file is part of the profile: its mistakes are profile errors,
     * located in it, and its rules are kept, so that nothing reads it again.
     * A .json file holds an OCI policy; any other, congo's deny-list.
     */
    if (str_has_suffix(path, ".json")) {
        policy = xcalloc(1, sizeof(*policy));
        if (seccomp_policy_read_file(path, policy, d) < 0)
            return -1;
        *seccomp_of(layer, k) = steal_pointer(&path);
        layer->seccomp_policy = steal_pointer(&policy);
        return 0;
    }
    _cleanup_free_ struct seccomp_rules *rules = xcalloc(1, sizeof(*rules));
    if (seccomp_rules_read(path, rules, d) < 0)
        return -1;
    *seccomp_of(layer, k) = steal_pointer(&path);
    *rules_of(layer, k) = steal_pointer(&rules);
    return 0;
}

static void seccomp_merge(struct profile *into, const struct profile *layer,
                          const struct key_def *k)
{
    seccomp_reset(into, k);
    const char *s = seccomp_v(layer, k);
    *seccomp_of(into, k) = s ? xstrdup(s) : NULL;
    if (rules_v(layer, k)) {
        *rules_of(into, k) = xmalloc(sizeof(struct seccomp_rules));
        seccomp_rules_copy(*rules_of(into, k), rules_v(layer, k));
    }
    if (layer->seccomp_policy) {
        into->seccomp_policy = xmalloc(sizeof(*into->seccomp_policy));
        seccomp_policy_copy(into->seccomp_policy, layer->seccomp_policy);
    }
}

static bool seccomp_equal(const struct profile *a, const struct profile *b, const struct key_def *k)
{
    const struct seccomp_rules *ra = rules_v(a, k), *rb = rules_v(b, k);
    const struct seccomp_policy *pa = a->seccomp_policy, *pb = b->seccomp_policy;
    return str_eq(profile_str(a, k->id), profile_str(b, k->id)) && !ra == !rb &&
           (!ra || seccomp_rules_equal(ra, rb)) && !pa == !pb &&
           (!pa || seccomp_policy_equal(pa, pb));
}

/* The policy itself when the profile wrote it; the file's path, default or unconfined else. */
static const struct seccomp_policy *inline_policy(const struct profile *p, const struct key_def *k)
{
    return str_eq(seccomp_v(p, k), SECCOMP_POLICY_INLINE) ? p->seccomp_policy : NULL;
}

static void seccomp_print(struct printer *pr, const struct profile *p, const struct key_def *k,
                          int level, const char *key)
{
    const struct seccomp_policy *policy = inline_policy(p, k);
    if (policy)
        seccomp_policy_print(pr, policy, level, key, &p->origin[k->id]);
    else
        put_key_string(pr, level, key, profile_str(p, k->id), &p->origin[k->id]);
}

/*
 * A policy written in the profile goes on the command line as its JSON
 * text: commas are literal in a one-value option, so only `\` is escaped.
 */
static void seccomp_cli(struct strbuf *line, const struct profile *p, const struct key_def *k)
{
    const struct seccomp_policy *policy = inline_policy(p, k);
    if (!policy) {
        if (seccomp_v(p, k))
            cli_put_option_escaped(line, k, seccomp_v(p, k));
        return;
    }
    _cleanup_free_ char *json = seccomp_policy_json(policy);
    _cleanup_(strbuf_free) struct strbuf v = {0};
    for (const char *c = json; *c; c++) {
        if (*c == '\\')
            strbuf_putc(&v, '\\');
        strbuf_putc(&v, *c);
    }
    _cleanup_free_ char *value = strbuf_steal(&v);
    cli_put_option(line, k, value);
}

static void schema_seccomp(struct json *j, const struct key_def *k)
{
    const char *const words[] = {k->def.s, UNCONFINED};
    jsonw_open(j, "anyOf", '[');
    schema_words(j, words, ARRAY_SIZE(words));
    schema_text(j);
    seccomp_policy_schema(j);
    jsonw_close(j);
}

static const struct value_ops seccomp_ops = {
    .read = read_seccomp,
    .merge = seccomp_merge,
    .reset = seccomp_reset,
    .equal = seccomp_equal,
    .free = seccomp_reset,
    .print = seccomp_print,
    .cli = seccomp_cli,
};

const struct value_type type_seccomp = {.ops = &seccomp_ops, .schema = schema_seccomp};
