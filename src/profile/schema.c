/*
 * What the key table drives: reading a tree into a layer with precise
 * errors, merging layers, `reset`, and the checks across keys after the
 * stack. Every loop here runs over the rows and leaves the values to their
 * types (value.h), so no key has code of its own.
 */
#include "schema.h"

#include <string.h>

#include "util/units.h"
#include "util/util.h"
#include "value.h"

/* ---- reading a tree ---- */

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
        const char *s = read_scalar(item, "a dotted key", d);
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

static void unknown_key(const struct node *n, const char *prefix, struct diags *d)
{
    const char *hint = key_suggest(prefix, n->key);
    if (hint)
        diags_key(d, DIAG_ERROR, n, "unknown key; did you mean `%s`?", hint);
    else
        diags_key(d, DIAG_ERROR, n, "unknown key");
}

static void apply_key(struct profile *layer, char ***resets, const struct key_def *k,
                      const struct node *n, const struct layer_ctx *ctx, struct diags *d)
{
    if (k->type == TYPE_RESET) {
        read_reset(resets, n, d);
        return;
    }
    if (!key_ops(k))
        return; /* include: the stack reads it */
    /* A list or map keeps the entries that were read well; a scalar with a bad value, nothing. */
    if (key_ops(k)->read(layer, k, n, ctx, d) == 0 || k->kind == KIND_COMPLEX)
        layer->origin[k->id] = origin_of(n, ctx);
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
                           node_kind_name(n));
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
    for (size_t i = 0; i < KEY__MAX; i++)
        if (key_ops(&profile_keys[i]) && key_ops(&profile_keys[i])->finish)
            key_ops(&profile_keys[i])->finish(layer, &profile_keys[i]);
    return d->n_errors > before ? -1 : 0;
}

/* ---- merging ---- */

void profile_merge(struct profile *into, const struct profile *layer)
{
    for (size_t id = 0; id < KEY__MAX; id++) {
        const struct key_def *k = &profile_keys[id];
        if (!layer->origin[id].file || !key_ops(k))
            continue;
        key_ops(k)->merge(into, layer, k);
        into->origin[id] = layer->origin[id];
    }
}

/* ---- reset ---- */

/* The key of KEY.NAME whose entries `reset` can drop one by one (env.FOO), or NULL. */
static const struct key_def *entry_key(const char *dotted, const char **name)
{
    const char *dot = strchr(dotted, '.');
    if (!dot)
        return NULL;
    _cleanup_free_ char *head = xstrndup(dotted, (size_t)(dot - dotted));
    const struct key_def *k = key_by_name(head);
    if (!k || !key_ops(k) || !key_ops(k)->reset_entry)
        return NULL;
    *name = dot + 1;
    return k;
}

bool reset_key_valid(const char *dotted, char **hint)
{
    if (key_is_group(dotted))
        return true;
    const char *entry;
    const struct key_def *k = entry_key(dotted, &entry);
    if (k)
        return key_ops(k)->entry_valid(entry, hint);
    k = key_by_name(dotted);
    if (k && key_ops(k))
        return true;
    if (!k) {
        const char *dot = strchr(dotted, '.');
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

static void reset_one(struct profile *p, const struct key_def *k)
{
    if (key_ops(k))
        key_ops(k)->reset(p, k);
    p->origin[k->id] = (struct origin){0};
}

int profile_reset_key(struct profile *p, const char *dotted)
{
    _cleanup_free_ char *hint = NULL;
    if (!reset_key_valid(dotted, &hint))
        return -1;
    const char *entry;
    const struct key_def *k = entry_key(dotted, &entry);
    if (key_is_group(dotted)) {
        size_t n = strlen(dotted);
        for (size_t id = 0; id < KEY__MAX; id++)
            if (strncmp(profile_keys[id].name, dotted, n) == 0 && profile_keys[id].name[n] == '.')
                reset_one(p, &profile_keys[id]);
    } else if (k) {
        key_ops(k)->reset_entry(p, k, entry);
    } else {
        reset_one(p, key_by_name(dotted));
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
    diags_vadd(d, level, o->file, o->line, 0, origin_key(o, key), fmt, ap);
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

/* A field of the network map that only some modes have, set with another mode. */
static void network_field_clash(const struct profile *p, const struct origin *o, const char *key,
                                const char *msg, struct diags *d)
{
    const struct origin *mode = &p->network.mode_origin;
    _cleanup_free_ char *text =
        xasprintf("%s; network is %s", msg, net_mode_names[p->network.mode]);
    if (mode->file)
        clash(d, o, key, mode, "network", text);
    else
        diag_origin(d, DIAG_ERROR, o, key, "%s (the default)", text);
}

/* network.address: inside the subnet, and none of the addresses a container cannot have. */
static void check_network_address(const struct profile *p, struct diags *d)
{
    const struct profile_network *net = &p->network;
    struct ipv4_net subnet;
    uint32_t addr;
    _cleanup_free_ char *why = NULL;
    if (ipv4_net_parse(net->subnet ? net->subnet : NET_SUBNET_DEFAULT, &subnet, &why) < 0 ||
        ipv4_parse(net->address, &addr, &why) < 0)
        abort(); /* both checked when read */
    const char *what = NULL;
    if (!ipv4_net_contains(&subnet, addr))
        what = "is outside the subnet";
    else if (addr == subnet.addr)
        what = "is the network address of the subnet";
    else if (addr == ipv4_net_gateway(&subnet))
        what = "is the gateway, the bridge's own address in the subnet";
    else if (addr > ipv4_net_last(&subnet))
        what = "is the broadcast address of the subnet";
    if (!what)
        return;
    char sub[16], first[16], last[16];
    _cleanup_free_ char *full = xasprintf(
        "`%s` %s %s/%d%s; a container's address is one of %s to %s", net->address, what,
        ipv4_format(subnet.addr, sub), subnet.prefix, net->subnet ? "" : " (the default)",
        ipv4_format(ipv4_net_first(&subnet), first), ipv4_format(ipv4_net_last(&subnet), last));
    if (net->subnet)
        clash(d, &net->address_origin, "network.address", &net->subnet_origin, "network.subnet",
              full);
    else
        diag_origin(d, DIAG_ERROR, &net->address_origin, "network.address", "%s", full);
}

/*
 * network and namespaces.net say one thing: host is no network namespace,
 * the other modes one of the container's own (none may join one by path
 * instead). What one of them leaves unsaid follows from the other, so that
 * whatever reads the profile finds mode NET_HOST exactly when ns[NS_NET] is
 * false. Then the fields of a mode that is not the profile's are errors.
 * Returns the key that turned the net namespace off, for later messages.
 */
static const char *check_network(struct profile *p, struct diags *d)
{
    struct profile_network *net = &p->network;
    const struct origin *ns = &p->ns_origin[NS_NET];
    const char *mode = net_mode_names[net->mode];
    const char *ns_key = "namespaces.net";
    if (net->mode == NET_HOST) {
        if (ns->file && p->ns[NS_NET]) {
            _cleanup_free_ char *msg = xasprintf(
                "network host is the host's network namespace, and namespaces.net %s; drop "
                "one of the two",
                p->ns_path[NS_NET] ? "joins another" : "asks for a new one");
            clash(d, &net->mode_origin, "network", ns, ns_key, msg);
        } else if (p->ns[NS_NET]) {
            p->ns[NS_NET] = false;
            p->ns_origin[NS_NET] = net->mode_origin;
            ns_key = "network";
        }
    } else if (!p->ns[NS_NET] || (p->ns_path[NS_NET] && net->mode != NET_NONE)) {
        _cleanup_free_ char *msg =
            !p->ns[NS_NET]
                ? xasprintf("network %s %s, and namespaces.net false is the host's; drop one of "
                            "the two, or write network host",
                            mode,
                            net->mode == NET_NONE ? "is a network namespace with only lo"
                                                  : "needs a network namespace of the container's "
                                                    "own")
                : xasprintf("network %s sets up a network namespace of the container's own, and "
                            "namespaces.net joins `%s`, which is set up already; drop one of the "
                            "two",
                            mode, p->ns_path[NS_NET]);
        if (net->mode_origin.file) {
            clash(d, &net->mode_origin, "network", ns, ns_key, msg);
        } else {
            /* Nothing said none: no network namespace means network host. */
            net->mode = NET_HOST;
            net->mode_origin = *ns;
        }
    }

    /* Written at all, even as a default's literal (auto): with another mode it means nothing. */
    const struct {
        const struct origin *o;
        const char *key, *what;
    } bridge_only[] = {
        {&net->bridge_origin, "network.bridge", "a bridge"},
        {&net->subnet_origin, "network.subnet", "a subnet"},
        {&net->address_origin, "network.address", "an address"},
    };
    bool ok = true;
    for (size_t i = 0; i < ARRAY_SIZE(bridge_only) && net->mode != NET_BRIDGE; i++)
        if (bridge_only[i].o->file) {
            _cleanup_free_ char *msg =
                xasprintf("%s is for network bridge only", bridge_only[i].what);
            network_field_clash(p, bridge_only[i].o, bridge_only[i].key, msg, d);
            ok = false;
        }
    if (net->mode == NET_NONE || net->mode == NET_HOST) {
        if (net->n_ports) {
            network_field_clash(p, &net->ports[0].origin, "network.ports",
                                "publishing a port needs network bridge or pasta", d);
            ok = false;
        }
        if (net->dns) {
            network_field_clash(p, &net->dns_origin, "network.dns",
                                "name servers are for network bridge or pasta (host: the "
                                "root's /etc/resolv.conf is the container's)",
                                d);
            ok = false;
        }
    }
    if (ok && net->mode == NET_BRIDGE && net->address)
        check_network_address(p, d);
    return ns_key;
}

/* Each kernel parameter needs the namespace that isolates it: otherwise it is the host's. */
static void check_sysctl(const struct profile *p, const char *net_key, struct diags *d)
{
    for (size_t i = 0; i < p->n_sysctl; i++) {
        const struct profile_env *s = &p->sysctl[i];
        int ns = profile_sysctl_ns(s->name);
        if (ns < 0 || p->ns[ns])
            continue;
        _cleanup_free_ char *key = xasprintf("sysctl.%s", s->name);
        _cleanup_free_ char *ns_key =
            ns == NS_NET ? xstrdup(net_key) : xasprintf("namespaces.%s", ns_names[ns]);
        _cleanup_free_ char *msg = xasprintf(
            "`%s` needs the %s namespace, which is off: it would set the host's", s->name,
            ns_names[ns]);
        clash(d, &s->origin, key, &p->ns_origin[ns], ns_key, msg);
    }
}

/*
 * The state entry keeps the annotations of a running container, and a
 * reader takes a state file of a bounded size: the same 256 KiB in all
 * that Kubernetes allows an object's annotations.
 */
#define ANNOTATIONS_MAX (256 * 1024)

static void check_annotations(const struct profile *p, struct diags *d)
{
    size_t total = 0;
    for (size_t i = 0; i < p->n_annotations; i++)
        total += strlen(p->annotations[i].name) + strlen(p->annotations[i].value);
    if (total > ANNOTATIONS_MAX)
        diag_origin(d, DIAG_ERROR, &p->origin[KEY_ANNOTATIONS], "annotations",
                    "%zu bytes of keys and values in all; at most %d are kept", total,
                    ANNOTATIONS_MAX);
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
    /* upper: none with it is rootfs itself, read-only (an OCI bundle's readonly root). */
    if (p->readonly_rootfs && p->upper && !str_eq(p->upper, PROFILE_UPPER_NONE))
        clash(d, &p->origin[KEY_READONLY_ROOTFS], "readonly_rootfs", &p->origin[KEY_UPPER],
              "upper", "a read-only root has no upper layer; drop one of the two");
    if (p->n_layers && str_eq(p->upper, PROFILE_UPPER_NONE))
        clash(d, &p->origin[KEY_LAYERS], "layers", &p->origin[KEY_UPPER], "upper",
              "layers need an overlay, and `upper: none` writes into rootfs itself, without "
              "one; drop one of the two");
    if (p->cgroup_parent && p->cgroup_path)
        clash(d, &p->origin[KEY_CGROUP_PARENT], "cgroup_parent", &p->origin[KEY_CGROUP_PATH],
              "cgroup_path", "cgroup_path names the container's cgroup itself, parent included; "
              "drop one of the two");
    if (p->cgroup_path && strcmp(p->cgroup_path, "/") == 0)
        diag_origin(d, DIAG_ERROR, &p->origin[KEY_CGROUP_PATH], "cgroup_path",
                    "the root cgroup holds the whole host; name a cgroup below it");
    if (p->hostname && !p->ns[NS_UTS])
        clash(d, &p->origin[KEY_HOSTNAME], "hostname", &p->ns_origin[NS_UTS], "namespaces.uts",
              "a host name needs the uts namespace");
    if (p->domainname && !p->ns[NS_UTS])
        clash(d, &p->origin[KEY_DOMAINNAME], "domainname", &p->ns_origin[NS_UTS],
              "namespaces.uts", "a domain name needs the uts namespace");
    if (!p->hostname && p->ns[NS_UTS] && p->name) {
        _cleanup_free_ char *h = profile_effective_hostname(p);
        if (h && !valid_hostname(h))
            diags_add(d, DIAG_ERROR, p->origin[KEY_NAME].file ? p->origin[KEY_NAME].file : top,
                      p->origin[KEY_NAME].line, 0, "name",
                      "no host name can be made from `%s`; set `hostname`", p->name);
    }
    /* The plan says the same of the default user namespace of a caller other than root. */
    static const struct {
        int ns;
        const char *key, *msg;
    } owned[] = {{NS_PID, "namespaces.pid",
                  "a container with a user namespace mounts /proc only for a pid namespace it "
                  "owns: give it a new one"},
                 {NS_IPC, "namespaces.ipc",
                  "a container with a user namespace mounts /dev/mqueue only for an ipc "
                  "namespace it owns: give it a new one"}};
    for (size_t i = 0; i < ARRAY_SIZE(owned); i++)
        if (p->user_namespace && !str_eq(p->user_namespace, "host") &&
            (!p->ns[owned[i].ns] || p->ns_path[owned[i].ns]))
            clash(d, &p->ns_origin[owned[i].ns], owned[i].key, &p->origin[KEY_USER_NAMESPACE],
                  "user_namespace", owned[i].msg);
    /* The plan says the same of auto asked by a user other than root, which is its own ids. */
    for (size_t i = 0; i < p->n_mounts; i++)
        if (p->mounts[i].idmap && (!p->user_namespace || str_eq(p->user_namespace, "host")))
            clash(d, &p->mounts[i].origin, "mounts", &p->origin[KEY_USER_NAMESPACE],
                  "user_namespace",
                  "idmap maps a bind to the container's user namespace: set user_namespace "
                  "to auto or mappings");
    const char *net_key = check_network(p, d);
    check_sysctl(p, net_key, d);
    check_annotations(p, d);
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
