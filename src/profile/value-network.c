/*
 * network: a mode (none, host, bridge, pasta), or a map of the mode and its
 * fields. Each field is its own value with its own origin: a later layer's
 * field wins, ports are appended (a later port on the same host port
 * replacing the earlier one), and dns is replaced whole. Checks that need
 * the whole stack (a field of another mode, an address outside the subnet,
 * namespaces.net) are profile_finalize's.
 */
#include "value.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

const char *const net_mode_names[NET__MAX] = {
    [NET_NONE] = "none",
    [NET_HOST] = "host",
    [NET_BRIDGE] = "bridge",
    [NET_PASTA] = "pasta",
};

static const char *const network_fields[] = {"mode", "bridge", "subnet", "address", "ports", "dns"};

/* The kernel's: IFNAMSIZ with its NUL. */
#define IFNAME_MAX 15

static struct profile_network *net_of(struct profile *p, const struct key_def *k)
{
    return key_field(p, k);
}

static const struct profile_network *net_v(const struct profile *p, const struct key_def *k)
{
    return key_value(p, k);
}

/* ---- reading ---- */

static int read_mode(const struct node *n, enum net_mode *mode, struct diags *d)
{
    const char *s = read_scalar(n, "a network mode: none, host, bridge or pasta", d);
    if (!s)
        return -1;
    for (int m = 0; m < NET__MAX; m++)
        if (strcmp(s, net_mode_names[m]) == 0) {
            *mode = (enum net_mode)m;
            return 0;
        }
    const char *hint = suggest_from(net_mode_names, NET__MAX, s);
    diags_node(d, DIAG_ERROR, n, "`%s` is not a network mode: none, host, bridge or pasta%s%s%s", s,
               hint ? "; did you mean `" : "", hint ? hint : "", hint ? "`?" : "");
    return -1;
}

/*
 * What the kernel takes as an interface name (dev_valid_name), and no `%`,
 * which it would read as a template (br%d: the first free number).
 */
static bool valid_ifname(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > IFNAME_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    /* Stricter than the kernel: the name goes into nftables rules and iptables arguments. */
    for (const char *c = s; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '.' && *c != '-')
            return false;
    return s[0] != '-';
}

/* A bridge name; the default's literal is kept as the default. */
static int read_bridge(const struct node *n, char **out, struct diags *d)
{
    const char *s = read_scalar(n, "an interface name", d);
    if (!s)
        return -1;
    if (!valid_ifname(s)) {
        diags_node(d, DIAG_ERROR, n,
                   "`%s` is not a bridge name: 1 to %d of A-Z a-z 0-9 _ . -, not starting "
                   "with `-`, not `.` or `..`",
                   s, IFNAME_MAX);
        return -1;
    }
    *out = strcmp(s, NET_BRIDGE_DEFAULT) == 0 ? NULL : xstrdup(s);
    return 0;
}

static int read_subnet(const struct node *n, char **out, struct diags *d)
{
    const char *s = read_scalar(n, "a network such as " NET_SUBNET_DEFAULT, d);
    if (!s)
        return -1;
    struct ipv4_net net;
    _cleanup_free_ char *why = NULL;
    if (ipv4_net_parse(s, &net, &why) < 0) {
        diags_node(d, DIAG_ERROR, n, "%s", why);
        return -1;
    }
    char buf[16];
    _cleanup_free_ char *text = xasprintf("%s/%d", ipv4_format(net.addr, buf), net.prefix);
    *out = strcmp(text, NET_SUBNET_DEFAULT) == 0 ? NULL : steal_pointer(&text);
    return 0;
}

/* auto (NULL), or an IPv4 address; where it lies in the subnet is checked after the stack. */
static int read_address(const struct node *n, char **out, struct diags *d)
{
    const char *s = read_scalar(n, "auto or an IPv4 address", d);
    if (!s)
        return -1;
    if (strcmp(s, "auto") == 0) {
        *out = NULL;
        return 0;
    }
    uint32_t addr;
    _cleanup_free_ char *why = NULL;
    if (ipv4_parse(s, &addr, &why) < 0) {
        diags_node(d, DIAG_ERROR, n, "%s, or auto", why);
        return -1;
    }
    char buf[16];
    *out = xstrdup(ipv4_format(addr, buf));
    return 0;
}

/*
 * Appended to the layer's ports. Two of one file that claim the same host
 * port are an error; on the command line, as between layers, the later
 * replaces the earlier.
 */
static int read_ports(struct profile_network *net, const struct node *n,
                      const struct layer_ctx *ctx, struct diags *d)
{
    if (n->kind != NODE_SEQ) {
        diags_node(d, DIAG_ERROR, n,
                   "expected a list of published ports ([HOST_ADDRESS:]HOST_PORT:CONTAINER_PORT"
                   "[/udp]), got %s",
                   node_kind_name(n));
        return -1;
    }
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const struct node *item = n->items[i];
        const char *s =
            read_scalar(item, "a published port: [HOST_ADDRESS:]HOST_PORT:CONTAINER_PORT[/udp]", d);
        if (!s) {
            r = -1;
            continue;
        }
        struct port_map pm;
        _cleanup_free_ char *why = NULL;
        if (port_map_parse(s, &pm, &why) < 0) {
            diags_node(d, DIAG_ERROR, item, "%s", why);
            r = -1;
            continue;
        }
        struct profile_port port = {.map = pm, .origin = origin_of(item, ctx)};
        size_t j = 0;
        while (j < net->n_ports && !port_map_clash(&net->ports[j].map, &pm))
            j++;
        if (j < net->n_ports && from_file(item)) {
            _cleanup_free_ char *other = port_map_format(&net->ports[j].map);
            diags_node(d, DIAG_ERROR, item,
                       "duplicate host port: `%s` takes host port %u/%s as `%s` does", s,
                       pm.host_port, pm.udp ? "udp" : "tcp", other);
            diags_add(d, DIAG_NOTE, item->src ? item->src->name : NULL, net->ports[j].origin.line,
                      0, NULL, "the first is here");
            r = -1;
            continue;
        }
        if (j < net->n_ports) {
            net->ports[j] = port;
            continue;
        }
        net->ports = xrealloc(net->ports, (net->n_ports + 1) * sizeof(*net->ports));
        net->ports[net->n_ports++] = port;
    }
    return r;
}

static bool valid_ip(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static int read_dns(const struct node *n, char ***out, struct diags *d)
{
    if (n->kind != NODE_SEQ) {
        diags_node(d, DIAG_ERROR, n, "expected a list of name server addresses, got %s",
                   node_kind_name(n));
        return -1;
    }
    if (n->n_items == 0) {
        diags_node(d, DIAG_ERROR, n,
                   "no name server given; leave dns out for the host's, or name one");
        return -1;
    }
    _cleanup_strv_ char **list = NULL;
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        const char *s = read_scalar(n->items[i], "the address of a name server", d);
        if (!s) {
            r = -1;
            continue;
        }
        if (!valid_ip(s)) {
            diags_node(d, DIAG_ERROR, n->items[i],
                       "`%s` is not an IP address: IPv4 such as 192.0.2.53, or IPv6 such as "
                       "2001:db8::53",
                       s);
            r = -1;
            continue;
        }
        strv_push(&list, xstrdup(s));
    }
    if (r == 0)
        *out = steal_pointer(&list);
    return r;
}

static void net_clear(struct profile_network *net)
{
    free(net->bridge);
    free(net->subnet);
    free(net->address);
    free(net->ports);
    strv_free(net->dns);
    memset(net, 0, sizeof(*net));
}

/* One field of the map form into the layer; its origin marks it as set. */
static int read_field(struct profile_network *net, const struct node *f,
                      const struct layer_ctx *ctx, struct diags *d)
{
    struct origin o = origin_of(f, ctx);
    char *s = NULL;
    if (strcmp(f->key, "mode") == 0) {
        if (read_mode(f, &net->mode, d) < 0)
            return -1;
        net->mode_origin = o;
    } else if (strcmp(f->key, "bridge") == 0) {
        if (read_bridge(f, &s, d) < 0)
            return -1;
        free(net->bridge);
        net->bridge = s;
        net->bridge_origin = o;
    } else if (strcmp(f->key, "subnet") == 0) {
        if (read_subnet(f, &s, d) < 0)
            return -1;
        free(net->subnet);
        net->subnet = s;
        net->subnet_origin = o;
    } else if (strcmp(f->key, "address") == 0) {
        if (read_address(f, &s, d) < 0)
            return -1;
        free(net->address);
        net->address = s;
        net->address_origin = o;
    } else if (strcmp(f->key, "ports") == 0) {
        return read_ports(net, f, ctx, d);
    } else if (strcmp(f->key, "dns") == 0) {
        char **list = NULL;
        if (read_dns(f, &list, d) < 0)
            return -1;
        strv_free(net->dns);
        net->dns = list;
        net->dns_origin = o;
    } else {
        const char *hint = suggest_from(network_fields, ARRAY_SIZE(network_fields), f->key);
        if (hint)
            diags_key(d, DIAG_ERROR, f, "unknown network field; did you mean `%s`?", hint);
        else
            diags_key(d, DIAG_ERROR, f,
                      "unknown network field; known: mode, bridge, subnet, address, ports, dns");
        return -1;
    }
    return 0;
}

static int read_network(struct profile *layer, const struct key_def *k, const struct node *n,
                        const struct layer_ctx *ctx, struct diags *d)
{
    struct profile_network *net = net_of(layer, k);
    if (n->kind == NODE_SEQ) {
        diags_node(d, DIAG_ERROR, n,
                   "expected a network mode (none, host, bridge, pasta) or a map of mode, "
                   "bridge, subnet, address, ports and dns, got a list");
        return -1;
    }
    if (n->kind == NODE_SCALAR) {
        if (read_mode(n, &net->mode, d) < 0)
            return -1;
        net->mode_origin = origin_of(n, ctx);
        return 0;
    }
    int r = 0;
    for (size_t i = 0; i < n->n_items; i++)
        if (read_field(net, n->items[i], ctx, d) < 0)
            r = -1;
    return r;
}

/* ---- the rest ---- */

static void set_string(char **dst, const char *src)
{
    free(*dst);
    *dst = src ? xstrdup(src) : NULL;
}

static void network_merge(struct profile *into, const struct profile *layer,
                          const struct key_def *k)
{
    struct profile_network *to = net_of(into, k);
    const struct profile_network *from = net_v(layer, k);
    if (from->mode_origin.file) {
        to->mode = from->mode;
        to->mode_origin = from->mode_origin;
    }
    if (from->bridge_origin.file) {
        set_string(&to->bridge, from->bridge);
        to->bridge_origin = from->bridge_origin;
    }
    if (from->subnet_origin.file) {
        set_string(&to->subnet, from->subnet);
        to->subnet_origin = from->subnet_origin;
    }
    if (from->address_origin.file) {
        set_string(&to->address, from->address);
        to->address_origin = from->address_origin;
    }
    if (from->dns_origin.file) {
        strv_free(to->dns);
        to->dns = strv_copy(from->dns);
        to->dns_origin = from->dns_origin;
    }
    /* A later port replaces every earlier one it clashes with, at the first one's place. */
    for (size_t a = 0; a < from->n_ports; a++) {
        const struct profile_port *add = &from->ports[a];
        bool placed = false;
        for (size_t i = 0; i < to->n_ports;) {
            if (!port_map_clash(&to->ports[i].map, &add->map)) {
                i++;
            } else if (!placed) {
                to->ports[i++] = *add;
                placed = true;
            } else {
                memmove(&to->ports[i], &to->ports[i + 1],
                        (to->n_ports - i - 1) * sizeof(*to->ports));
                to->n_ports--;
            }
        }
        if (placed)
            continue;
        to->ports = xrealloc(to->ports, (to->n_ports + 1) * sizeof(*to->ports));
        to->ports[to->n_ports++] = *add;
    }
}

static void network_reset(struct profile *p, const struct key_def *k)
{
    net_clear(net_of(p, k));
}

static bool network_equal(const struct profile *a, const struct profile *b, const struct key_def *k)
{
    const struct profile_network *x = net_v(a, k), *y = net_v(b, k);
    if (x->mode != y->mode || !str_eq(x->bridge, y->bridge) || !str_eq(x->subnet, y->subnet) ||
        !str_eq(x->address, y->address) || !strv_eq(x->dns, y->dns) || !x->dns != !y->dns ||
        x->n_ports != y->n_ports)
        return false;
    for (size_t i = 0; i < x->n_ports; i++) {
        const struct port_map *p = &x->ports[i].map, *q = &y->ports[i].map;
        if (p->host_addr != q->host_addr || p->host_port != q->host_port ||
            p->container_port != q->container_port || p->udp != q->udp)
            return false;
    }
    return true;
}

/* Nothing but the mode differs from the defaults: the scalar form says it all. */
static bool mode_only(const struct profile_network *net)
{
    return !net->bridge && !net->subnet && !net->address && !net->n_ports && !net->dns;
}

/*
 * The shortest form that loads back the same: the mode alone, or the map
 * with the mode and the fields that are not at their defaults.
 */
static void network_print(struct printer *pr, const struct profile *p, const struct key_def *k,
                          int level, const char *key)
{
    const struct profile_network *net = net_v(p, k);
    bool yaml = pr->fmt == PRINT_YAML;
    if (mode_only(net)) {
        put_key_string(pr, level, key, net_mode_names[net->mode], &net->mode_origin);
        return;
    }
    put_map_open(pr, level, key);
    put_key_string(pr, level + 1, "mode", net_mode_names[net->mode], &net->mode_origin);
    if (net->bridge)
        put_key_string(pr, level + 1, "bridge", net->bridge, &net->bridge_origin);
    if (net->subnet)
        put_key_string(pr, level + 1, "subnet", net->subnet, &net->subnet_origin);
    if (net->address)
        put_key_string(pr, level + 1, "address", net->address, &net->address_origin);
    if (net->n_ports) {
        /* One a line, each with the origin of its own. */
        put_indent(pr, level + 1);
        strbuf_puts(&pr->sb, yaml ? "ports:\n" : "ports = [\n");
        for (size_t i = 0; i < net->n_ports; i++) {
            _cleanup_free_ char *s = port_map_format(&net->ports[i].map);
            put_indent(pr, level + 2);
            if (yaml)
                strbuf_puts(&pr->sb, "- ");
            put_string(pr, s);
            if (!yaml && i + 1 < net->n_ports)
                strbuf_putc(&pr->sb, ',');
            put_origin(pr, &net->ports[i].origin);
            strbuf_putc(&pr->sb, '\n');
        }
        if (!yaml) {
            put_indent(pr, level + 1);
            strbuf_puts(&pr->sb, "];\n");
        }
    }
    if (net->dns) {
        key_open(pr, level + 1, "dns");
        strbuf_putc(&pr->sb, '[');
        for (size_t i = 0; net->dns[i]; i++) {
            strbuf_puts(&pr->sb, i ? ", " : "");
            put_string(pr, net->dns[i]);
        }
        strbuf_putc(&pr->sb, ']');
        key_close(pr, &net->dns_origin);
    }
    put_map_close(pr, level);
}

/* --network MODE, or --network mode=MODE,FIELD=VALUE,... with a port= per port, a dns= per server.
 */
static void network_cli(struct strbuf *line, const struct profile *p, const struct key_def *k)
{
    const struct profile_network *net = net_v(p, k);
    if (mode_only(net)) {
        if (net->mode != NET_NONE)
            cli_put_option(line, k, net_mode_names[net->mode]);
        return;
    }
    _cleanup_(strbuf_free) struct strbuf v = {0};
    cli_put_item(&v, "mode", net_mode_names[net->mode]);
    if (net->bridge)
        cli_put_item(&v, "bridge", net->bridge);
    if (net->subnet)
        cli_put_item(&v, "subnet", net->subnet);
    if (net->address)
        cli_put_item(&v, "address", net->address);
    for (size_t i = 0; i < net->n_ports; i++) {
        _cleanup_free_ char *s = port_map_format(&net->ports[i].map);
        cli_put_item(&v, "port", s);
    }
    for (size_t i = 0; net->dns && net->dns[i]; i++)
        cli_put_item(&v, "dns", net->dns[i]);
    _cleanup_free_ char *value = strbuf_steal(&v);
    cli_put_option(line, k, value);
}

static void network_free(struct profile *p, const struct key_def *k)
{
    net_clear(net_of(p, k));
}

#define IPV4_RE "([0-9]{1,3}\\.){3}[0-9]{1,3}"

/* A string of that pattern, or one holding ${NAME}. */
static void schema_field(struct json *j, const char *name, const char *description,
                         const char *pattern)
{
    jsonw_open(j, name, '{');
    jsonw_string(j, "description", description);
    jsonw_open(j, "anyOf", '[');
    schema_pattern(j, pattern);
    schema_variable(j);
    jsonw_close(j);
    jsonw_close(j);
}

static void schema_network(struct json *j, const struct key_def *k)
{
    (void)k;
    jsonw_open(j, "anyOf", '[');
    schema_words(j, net_mode_names, NET__MAX);
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", "object");
    jsonw_open(j, "properties", '{');
    jsonw_open(j, "mode", '{');
    jsonw_string(j, "description",
                 "none: loopback only; host: the host's network; bridge: a veth on a bridge of "
                 "the host, with NAT; pasta: pasta(1)'s user-mode networking");
    jsonw_string(j, "default", net_mode_names[NET_NONE]);
    jsonw_open(j, "anyOf", '[');
    schema_words(j, net_mode_names, NET__MAX);
    schema_variable(j);
    jsonw_close(j);
    jsonw_close(j);
    schema_field(j, "bridge", "bridge: the host's bridge, made when missing (default congo0)",
                 "^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,14}$");
    schema_field(j, "subnet", "bridge: the bridge's IPv4 network (default 10.89.0.0/24)",
                 "^" IPV4_RE "/[0-9]{1,2}$");
    schema_field(j, "address", "bridge: the container's address in the subnet, or auto",
                 "^(auto|" IPV4_RE ")$");
    jsonw_open(j, "ports", '{');
    jsonw_string(j, "description",
                 "bridge, pasta: published ports, [HOST_ADDRESS:]HOST_PORT:CONTAINER_PORT[/udp]");
    jsonw_string(j, "type", "array");
    jsonw_open(j, "items", '{');
    jsonw_open(j, "anyOf", '[');
    schema_pattern(j, "^(" IPV4_RE ":)?[0-9]{1,5}:[0-9]{1,5}(/(tcp|udp))?$");
    schema_variable(j);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_open(j, "dns", '{');
    jsonw_string(j, "description",
                 "bridge, pasta: the name servers, IPv4 or IPv6 (default: the host's but "
                 "loopback ones)");
    jsonw_string(j, "type", "array");
    jsonw_int(j, "minItems", 1);
    jsonw_open(j, "items", '{');
    jsonw_string(j, "type", "string");
    jsonw_int(j, "minLength", 1);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_raw(j, "additionalProperties", "false");
    jsonw_close(j);
    schema_variable(j);
    jsonw_close(j);
}

static const struct value_ops network_ops = {
    .read = read_network,
    .merge = network_merge,
    .reset = network_reset,
    .equal = network_equal,
    .free = network_free,
    .print = network_print,
    .cli = network_cli,
};

const struct value_type type_network = {.ops = &network_ops, .schema = schema_network};
