/*
 * devices and device_rules: lists of strings, each checked by its parser
 * (util/devices.c) and kept as that writes it back. devices merge by their
 * path in the container; device_rules as container paths do.
 */
#include "value.h"

#include <string.h>

#include "util/devices.h"

/*
 * What congo's /dev holds besides its own nodes (mounts.c): a device there
 * would fail or be hidden.
 */
static const char *const dev_reserved[] = {"/dev/pts", "/dev/shm",   "/dev/mqueue", "/dev/ptmx",
                                           "/dev/fd",  "/dev/stdin", "/dev/stdout", "/dev/stderr"};

/* One of those, or one of congo's own nodes, that path is, or is below; else NULL. */
static const char *reserved_under(const char *path)
{
    for (size_t i = 0; i < ARRAY_SIZE(dev_reserved); i++)
        if (path_under(path, dev_reserved[i]))
            return dev_reserved[i];
    for (size_t i = 0; i < dev_n_own_nodes; i++)
        if (strcmp(path, dev_own_nodes[i]) == 0)
            return dev_own_nodes[i];
    return NULL;
}

/* A device's path in the container, from its text as dev_spec_format writes it. Caller frees. */
static char *device_target(const char *text)
{
    struct dev_spec spec;
    _cleanup_free_ char *why = NULL;
    if (dev_spec_parse(text, &spec, &why) < 0)
        return xstrdup(text);
    char *t = steal_pointer(&spec.target);
    dev_spec_clear(&spec);
    return t;
}

/* A device whose path is one of an earlier device's, the later one's, in the earlier's place. */
static void devices_merge(struct profile *into, const struct profile *layer,
                          const struct key_def *k)
{
    const struct profile_layer *add = KEY_CLIST(struct profile_layer, layer, k);
    for (size_t i = 0; i < key_count(layer, k); i++) {
        _cleanup_free_ char *target = device_target(add[i].path);
        struct profile_layer *v = KEY_LIST(struct profile_layer, into, k);
        size_t j = 0;
        for (; j < key_count(into, k); j++) {
            _cleanup_free_ char *other = device_target(v[j].path);
            if (strcmp(other, target) == 0)
                break;
        }
        if (j == key_count(into, k)) {
            paths_push(into, k, xstrdup(add[i].path), add[i].origin);
            continue;
        }
        free(v[j].path);
        v[j] = (struct profile_layer){.path = xstrdup(add[i].path), .origin = add[i].origin};
    }
}

static int read_device_strings(struct profile *layer, const struct key_def *k, const struct node *n,
                               const struct layer_ctx *ctx, struct diags *d)
{
    bool rules = k->id == KEY_DEVICE_RULES;
    const char *what = rules ? "a device rule, TYPE MAJOR:MINOR ACCESS"
                             : "a device, HOST_PATH[:CONTAINER_PATH[:ACCESS]]";
    if (n->kind != NODE_SEQ) {
        diags_node(d, DIAG_ERROR, n, "expected a list of %s, got %s",
                   rules ? "device rules" : "devices", node_kind_name(n));
        return -1;
    }
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const char *s = read_scalar(n->items[i], what, d);
        if (!s) {
            r = -1;
            continue;
        }
        _cleanup_free_ char *why = NULL;
        char *text = NULL;
        if (rules) {
            struct dev_rule rule;
            if (dev_rule_parse(s, &rule, &why) == 0)
                text = dev_rule_format(&rule);
        } else {
            struct dev_spec spec;
            if (dev_spec_parse(s, &spec, &why) == 0) {
                const char *own = reserved_under(spec.target);
                if (own)
                    why = xasprintf("`%s` is congo's own in every container's /dev; a device "
                                    "goes elsewhere",
                                    own);
                for (size_t j = 0; j < key_count(layer, k) && !why; j++) {
                    const char *prev = KEY_CLIST(struct profile_layer, layer, k)[j].path;
                    _cleanup_free_ char *t = device_target(prev);
                    if (strcmp(t, spec.target) == 0)
                        why = xasprintf("`%s` is the path of `%s` too", spec.target, prev);
                }
                if (!why)
                    text = dev_spec_format(&spec);
                dev_spec_clear(&spec);
            }
        }
        if (!text) {
            diags_node(d, DIAG_ERROR, n->items[i], "%s", why);
            r = -1;
            continue;
        }
        paths_push(layer, k, text, origin_of(n->items[i], ctx));
    }
    return r;
}

static void schema_device_strings(struct json *j, const struct key_def *k)
{
    jsonw_string(j, "type", "array");
    jsonw_open(j, "items", '{');
    jsonw_open(j, "anyOf", '[');
    if (k->id == KEY_DEVICE_RULES)
        schema_pattern(j, "^[acb] ([0-9]+|\\*):([0-9]+|\\*) [rwm]{1,3}$");
    else
        schema_pattern(j, "^/[^:]+(:/dev/[^:]+)?(:[rwm]{1,3})?$");
    schema_variable(j);
    jsonw_close(j);
    jsonw_close(j);
}

static const struct value_ops devices_ops = {
    .read = read_device_strings,
    .merge = devices_merge,
    .reset = paths_reset,
    .equal = paths_equal,
    .free = paths_free,
    .print = paths_print,
    .cli = paths_cli,
};

static const struct value_ops device_rules_ops = {
    .read = read_device_strings,
    .merge = container_paths_merge,
    .reset = paths_reset,
    .equal = paths_equal,
    .free = paths_free,
    .print = paths_print,
    .cli = paths_cli,
};

const struct value_type type_devices = {.ops = &devices_ops, .schema = schema_device_strings};
const struct value_type type_device_rules = {.ops = &device_rules_ops,
                                             .schema = schema_device_strings};
