/* Device specs and rules; see devices.h. */
#include "util/devices.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

const struct dev_rule dev_own_rules[] = {
    {'c', 1, 3, DEV_RWM},         /* null */
    {'c', 1, 5, DEV_RWM},         /* zero */
    {'c', 1, 7, DEV_RWM},         /* full */
    {'c', 1, 8, DEV_RWM},         /* random */
    {'c', 1, 9, DEV_RWM},         /* urandom */
    {'c', 5, 0, DEV_RWM},         /* tty */
    {'c', 5, 2, DEV_RWM},         /* ptmx */
    {'c', 136, DEV_ANY, DEV_RWM}, /* pts/N */
};
const size_t dev_n_own_rules = sizeof(dev_own_rules) / sizeof(dev_own_rules[0]);

const char *const dev_own_nodes[] = {"/dev/null",   "/dev/zero",    "/dev/full",
                                     "/dev/random", "/dev/urandom", "/dev/tty"};
const size_t dev_n_own_nodes = sizeof(dev_own_nodes) / sizeof(dev_own_nodes[0]);

bool dev_rule_covers(const struct dev_rule *wide, const struct dev_rule *r)
{
    return (wide->type == 'a' || wide->type == r->type) &&
           (wide->major == DEV_ANY || wide->major == r->major) &&
           (wide->minor == DEV_ANY || wide->minor == r->minor) && (r->access & ~wide->access) == 0;
}

unsigned dev_access_parse(const char *s)
{
    unsigned bits = 0;
    if (!*s || strlen(s) > 3)
        return 0;
    for (const char *c = s; *c; c++) {
        unsigned b = *c == 'r' ? DEV_READ : *c == 'w' ? DEV_WRITE : *c == 'm' ? DEV_MKNOD : 0;
        if (!b || (bits & b))
            return 0;
        bits |= b;
    }
    return bits;
}

void dev_access_format(unsigned access, char out[4])
{
    size_t n = 0;
    if (access & DEV_READ)
        out[n++] = 'r';
    if (access & DEV_WRITE)
        out[n++] = 'w';
    if (access & DEV_MKNOD)
        out[n++] = 'm';
    out[n] = '\0';
}

static void put_access(struct strbuf *sb, unsigned access)
{
    char text[4];
    dev_access_format(access, text);
    strbuf_puts(sb, text);
}

/* A major or minor: digits below 2^32-1, or `*`. */
static bool parse_number(const char *s, size_t len, uint32_t *out)
{
    if (len == 1 && *s == '*') {
        *out = DEV_ANY;
        return true;
    }
    /* UINT32_MAX is DEV_ANY's, which only `*` says. */
    uint32_t v;
    if (!parse_u32(s, len, &v) || v == DEV_ANY)
        return false;
    *out = v;
    return true;
}

int dev_rule_parse(const char *s, struct dev_rule *r, char **why)
{
    static const char form[] = "TYPE MAJOR:MINOR ACCESS, as in `c 10:229 rwm` (TYPE a, c or b; "
                               "MAJOR and MINOR numbers or *; ACCESS of r, w and m)";
    const char *sp1 = strchr(s, ' ');
    const char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    const char *colon = sp1 ? memchr(sp1 + 1, ':', sp2 ? (size_t)(sp2 - sp1 - 1) : 0) : NULL;
    if (!sp1 || !sp2 || !colon || sp1 - s != 1 || strchr(sp2 + 1, ' ')) {
        *why = xasprintf("`%s` is not a device rule: expected %s", s, form);
        return -1;
    }
    r->type = s[0];
    if (r->type != 'a' && r->type != 'c' && r->type != 'b') {
        *why = xasprintf("`%s`: the type is a (any), c (character) or b (block), not `%c`", s,
                         r->type);
        return -1;
    }
    if (!parse_number(sp1 + 1, (size_t)(colon - sp1 - 1), &r->major) ||
        !parse_number(colon + 1, (size_t)(sp2 - colon - 1), &r->minor)) {
        *why = xasprintf("`%s`: a major and a minor are numbers below 4294967295, or *", s);
        return -1;
    }
    r->access = dev_access_parse(sp2 + 1);
    if (!r->access) {
        *why = xasprintf("`%s`: the access is some of r, w and m, each once", s);
        return -1;
    }
    /* `a` means any device: the numbers say nothing more, as the kernel reads it. */
    if (r->type == 'a' && (r->major != DEV_ANY || r->minor != DEV_ANY)) {
        *why = xasprintf("`%s`: type a is any device, with *:* for its numbers", s);
        return -1;
    }
    return 0;
}

char *dev_rule_format(const struct dev_rule *r)
{
    struct strbuf sb = {0};
    strbuf_printf(&sb, "%c ", r->type);
    if (r->major == DEV_ANY)
        strbuf_putc(&sb, '*');
    else
        strbuf_printf(&sb, "%u", r->major);
    strbuf_putc(&sb, ':');
    if (r->minor == DEV_ANY)
        strbuf_putc(&sb, '*');
    else
        strbuf_printf(&sb, "%u", r->minor);
    strbuf_putc(&sb, ' ');
    put_access(&sb, r->access);
    return strbuf_steal(&sb);
}

static bool has_dotdot(const char *p)
{
    for (const char *c = p; (c = strstr(c, "..")); c += 2)
        if ((c == p || c[-1] == '/') && (c[2] == '/' || !c[2]))
            return true;
    return false;
}

/* An absolute path without `//`, `/./` or a trailing `/` (`..` is refused before). */
static char *normalize(const char *p)
{
    struct strbuf sb = {0};
    for (const char *c = p; *c;) {
        while (*c == '/')
            c++;
        const char *end = strchrnul(c, '/');
        size_t len = (size_t)(end - c);
        if (len && !(len == 1 && *c == '.')) {
            strbuf_putc(&sb, '/');
            strbuf_add(&sb, c, len);
        }
        c = end;
    }
    if (!sb.len)
        strbuf_putc(&sb, '/');
    return strbuf_steal(&sb);
}

int dev_spec_parse(const char *s, struct dev_spec *d, char **why)
{
    memset(d, 0, sizeof(*d));
    _cleanup_strv_ char **parts = NULL;
    const char *start = s;
    for (const char *c = s;; c++)
        if (*c == ':' || !*c) {
            strv_push(&parts, xstrndup(start, (size_t)(c - start)));
            if (!*c)
                break;
            start = c + 1;
        }
    size_t n = strv_len(parts);
    if (n > 3 || !*parts[0]) {
        *why = xasprintf("`%s` is not a device: expected HOST_PATH[:CONTAINER_PATH[:ACCESS]], as "
                         "in /dev/fuse or /dev/zero:/dev/zero2:r",
                         s);
        return -1;
    }
    /* HOST:ACCESS, docker's short form, when the second part is an access and not a path. */
    const char *target = n >= 2 ? parts[1] : parts[0];
    const char *access = n == 3 ? parts[2] : NULL;
    if (n == 2 && parts[1][0] != '/') {
        target = parts[0];
        access = parts[1];
    }
    if (parts[0][0] != '/' || has_dotdot(parts[0])) {
        *why = xasprintf("`%s`: the host's node is an absolute path without `..`", parts[0]);
        return -1;
    }
    _cleanup_free_ char *norm = normalize(target);
    if (target[0] != '/' || strncmp(norm, "/dev/", 5) != 0 || has_dotdot(target)) {
        *why =
            xasprintf("`%s`: a device's path in the container is below /dev, without `..`", target);
        return -1;
    }
    d->access = access ? dev_access_parse(access) : DEV_RWM;
    if (!d->access) {
        *why = xasprintf("`%s`: the access is some of r, w and m, each once", access);
        return -1;
    }
    d->source = normalize(parts[0]);
    d->target = steal_pointer(&norm);
    return 0;
}

char *dev_spec_format(const struct dev_spec *d)
{
    struct strbuf sb = {0};
    strbuf_puts(&sb, d->source);
    if (strcmp(d->source, d->target) != 0) {
        strbuf_putc(&sb, ':');
        strbuf_puts(&sb, d->target);
    }
    if (d->access != DEV_RWM) {
        strbuf_putc(&sb, ':');
        put_access(&sb, d->access);
    }
    return strbuf_steal(&sb);
}

void dev_spec_clear(struct dev_spec *d)
{
    free(d->source);
    free(d->target);
    memset(d, 0, sizeof(*d));
}
