/* User namespace id maps; see idmap.h. */
#include "util/idmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static bool overlap(uint32_t a, uint32_t na, uint32_t b, uint32_t nb)
{
    return (uint64_t)a < (uint64_t)b + nb && (uint64_t)b < (uint64_t)a + na;
}

/* Adds r to a list, refusing a range that overlaps one there on either side. */
static int add_range(struct idmap_range *list, size_t *n, struct idmap_range r, const char *kind,
                     const char *entry, size_t len, char **why)
{
    for (size_t i = 0; i < *n; i++) {
        bool in = overlap(list[i].inside, list[i].count, r.inside, r.count);
        if (in || overlap(list[i].outside, list[i].count, r.outside, r.count)) {
            *why = xasprintf("`%.*s` maps %s %s ids already mapped by `%u:%u:%u`", (int)len, entry,
                             in ? "container" : "host", kind, list[i].inside, list[i].outside,
                             list[i].count);
            return -1;
        }
    }
    if (*n == IDMAP_MAX) {
        *why = xasprintf("more than %d %s ranges (the kernel's limit)", IDMAP_MAX, kind);
        return -1;
    }
    list[(*n)++] = r;
    return 0;
}

static int parse_entry(const char *s, size_t len, struct idmap *m, char **why)
{
    const char *p = s, *end = s + len;
    bool uid = true, gid = true;
    if (len > 4 && (memcmp(p, "uid:", 4) == 0 || memcmp(p, "gid:", 4) == 0)) {
        uid = p[0] == 'u';
        gid = !uid;
        p += 4;
    }
    uint32_t f[3];
    for (int i = 0; i < 3; i++) {
        const char *stop = i < 2 ? memchr(p, ':', (size_t)(end - p)) : end;
        if (!stop || !parse_u32(p, (size_t)(stop - p), &f[i]) || (i == 2 && memchr(p, ':', (size_t)(end - p)))) {
            *why = xasprintf("`%.*s` is not a mapping: expected [uid:|gid:]CONTAINER:HOST:COUNT, "
                             "three numbers from 0 to 4294967295",
                             (int)len, s);
            return -1;
        }
        p = stop + 1;
    }
    struct idmap_range r = {f[0], f[1], f[2]};
    /* 4294967295 is (uid_t)-1, no id: the kernel refuses a range that reaches it. */
    if (r.count == 0 || (uint64_t)r.inside + r.count > UINT32_MAX ||
        (uint64_t)r.outside + r.count > UINT32_MAX) {
        *why = xasprintf("`%.*s`: %s", (int)len, s,
                         r.count == 0 ? "a count of 0 maps nothing"
                                      : "the range goes past id 4294967294 (4294967295 is no id)");
        return -1;
    }
    if (uid && add_range(m->uid, &m->n_uid, r, "user", s, len, why) < 0)
        return -1;
    if (gid && add_range(m->gid, &m->n_gid, r, "group", s, len, why) < 0)
        return -1;
    return 0;
}

int idmap_parse(const char *text, struct idmap *m, char **why)
{
    memset(m, 0, sizeof(*m));
    *why = NULL;
    const char *p = text;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *end = strchrnul(p, ',');
        size_t len = (size_t)(end - p);
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == 0) {
            *why = xstrdup(*end || p != text ? "an empty mapping between commas"
                                             : "no mapping: expected [uid:|gid:]CONTAINER:HOST:COUNT");
            return -1;
        }
        if (parse_entry(p, len, m, why) < 0)
            return -1;
        if (!*end)
            break;
        p = end + 1;
    }
    if (m->n_uid == 0 || m->n_gid == 0) {
        *why = xasprintf("no %s mapping: `uid:` entries need `gid:` ones, and the other way round",
                         m->n_uid == 0 ? "uid" : "gid");
        return -1;
    }
    /* congo assembles the container as its root: container id 0 must be someone. */
    uint32_t host;
    if (!idmap_to_host(m->uid, m->n_uid, 0, &host) || !idmap_to_host(m->gid, m->n_gid, 0, &host)) {
        *why = xasprintf("container %s 0 is not mapped: congo sets the container up as its root; "
                         "map 0, as in 0:100000:65536",
                         idmap_to_host(m->uid, m->n_uid, 0, &host) ? "gid" : "uid");
        return -1;
    }
    return 0;
}

static bool same(const struct idmap_range *a, const struct idmap_range *b)
{
    return a->inside == b->inside && a->outside == b->outside && a->count == b->count;
}

char *idmap_format(const struct idmap *m)
{
    struct strbuf sb = {0};
    bool both = m->n_uid == m->n_gid;
    for (size_t i = 0; both && i < m->n_uid; i++)
        both = same(&m->uid[i], &m->gid[i]);
    for (int kind = 0; kind < (both ? 1 : 2); kind++) {
        const struct idmap_range *r = kind == 0 ? m->uid : m->gid;
        size_t n = kind == 0 ? m->n_uid : m->n_gid;
        for (size_t i = 0; i < n; i++)
            strbuf_printf(&sb, "%s%s%u:%u:%u", sb.len ? "," : "",
                          both ? "" : kind == 0 ? "uid:" : "gid:", r[i].inside, r[i].outside,
                          r[i].count);
    }
    return strbuf_steal(&sb);
}

bool idmap_to_host(const struct idmap_range *r, size_t n, uint32_t id, uint32_t *host)
{
    for (size_t i = 0; i < n; i++)
        if (id >= r[i].inside && (uint64_t)id < (uint64_t)r[i].inside + r[i].count) {
            *host = r[i].outside + (id - r[i].inside);
            return true;
        }
    return false;
}

char *idmap_proc_text(const struct idmap_range *r, size_t n)
{
    struct strbuf sb = {0};
    for (size_t i = 0; i < n; i++)
        strbuf_printf(&sb, "%u %u %u\n", r[i].inside, r[i].outside, r[i].count);
    return strbuf_steal(&sb);
}
