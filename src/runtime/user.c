/*
 * The command's user and environment. The user is looked up in the
 * container's own /etc/passwd and /etc/group, parsed here as plain files:
 * NSS would consult the host's databases (and load the host's modules), and
 * the host's users mean nothing inside the container. The files belong to the
 * container, so they are treated as hostile input: opened without leaving the
 * root, size-capped, and parsed without trusting a single field.
 */
#include "runtime/user.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/units.h"
#include "util/util.h"

/* The same default as exec_command's, so a PATH-less lookup and env agree. */

/*
 * Caps against a hostile container: a real passwd or group file is far below
 * them, and without them a multi-gigabyte file or a line with no newline would
 * be read into the launcher's memory while it still runs as root.
 */
#define DB_MAX_FILE (16u << 20)
#define DB_MAX_LINE (64u << 10)
#define MAX_GROUPS 65536 /* the kernel's NGROUPS_MAX */

#define PASSWD_FIELDS 7 /* name:passwd:uid:gid:gecos:home:shell */
#define GROUP_FIELDS 4  /* name:passwd:gid:member,member */

/* One of the two databases, read whole. */
struct db {
    const char *name; /* the path inside the container, for messages */
    char *buf;        /* NUL-terminated; NULL when the container has no such file */
    size_t len;
};

static void db_free(struct db *db)
{
    free(db->buf);
    db->buf = NULL;
}
#define _cleanup_db_ _cleanup_(db_free)

struct field {
    const char *s;
    size_t n;
};

/* A passwd entry, copied out of the file. */
struct pw_entry {
    char *name;
    uint32_t uid, gid;
    char *home;
};

static void pw_entry_free(struct pw_entry *pw)
{
    free(pw->name);
    free(pw->home);
}

/*
 * RESOLVE_IN_ROOT makes the container's root the root of the lookup, so an
 * absolute symlink (etc/passwd -> /etc/passwd-) and any number of ".." stay
 * inside it, exactly as they resolve for the command after pivot_root.
 * RESOLVE_NO_MAGICLINKS closes the /proc/self/root kind of jump, which the
 * kernel only happens to refuse under RESOLVE_IN_ROOT today. O_NONBLOCK keeps
 * a FIFO planted at etc/passwd from hanging the launcher in open(); the
 * regular-file check then refuses it. EAGAIN means a concurrent rename raced
 * the lookup of ".."; the kernel asks us to retry.
 */
static int open_in_root(int rootfd, const char *rel)
{
    struct open_how how = {
        .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    for (int tries = 0; tries < 32; tries++) {
        int fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
        if (fd >= 0 || errno != EAGAIN)
            return fd;
    }
    return -1;
}

/*
 * Runs in the child, as root, before the user is switched and after the
 * container's root is assembled: reads rel (relative to rootfd) into db. A
 * file that does not exist is not an error (db->buf stays NULL): a minimal
 * image need not have one, and a name lookup then fails with a clear message.
 */
static int db_read(int rootfd, const char *rel, struct db *db, struct congo_error *e)
{
    _cleanup_close_ int fd = open_in_root(rootfd, rel);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return 0;
        if (errno == ENOSYS)
            return error_set(e, errno, "open the container's `%s` (openat2 needs Linux 5.6)",
                             db->name);
        return error_set(e, errno, "open the container's `%s`", db->name);
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
        return error_set(e, errno, "stat the container's `%s`", db->name);
    if (!S_ISREG(st.st_mode))
        return error_set(e, 0, "the container's `%s` is not a regular file", db->name);
    if ((uint64_t)st.st_size > DB_MAX_FILE)
        return error_set(e, 0, "the container's `%s` is larger than %u MiB", db->name,
                         DB_MAX_FILE >> 20);

    /* The size is checked again while reading: the file may grow meanwhile. */
    _cleanup_(strbuf_free) struct strbuf sb = {0};
    char chunk[16384];
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof(chunk));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return error_set(e, errno, "read the container's `%s`", db->name);
        if (r == 0)
            break;
        if (sb.len + (size_t)r > DB_MAX_FILE)
            return error_set(e, 0, "the container's `%s` is larger than %u MiB", db->name,
                             DB_MAX_FILE >> 20);
        strbuf_add(&sb, chunk, (size_t)r);
    }
    db->len = sb.len;
    db->buf = strbuf_steal(&sb);
    return 0;
}

struct cursor {
    const char *p, *end;
    unsigned line;
};

static bool field_eq(struct field f, const char *s)
{
    return f.n == strlen(s) && memcmp(f.s, s, f.n) == 0;
}

/*
 * A decimal id, 0 .. 2^32-2: (uid_t)-1 means "unchanged" to setresuid and
 * would silently keep root. No sign, no spaces, no hex: strtoul accepts all
 * of those.
 */
static bool parse_id(struct field f, uint32_t *out)
{
    if (f.n == 0 || f.n > 10)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < f.n; i++) {
        if (f.s[i] < '0' || f.s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(f.s[i] - '0');
    }
    if (v > UINT32_MAX - 1)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* Exactly n colon-separated fields, or false. */
static bool split_fields(const char *s, size_t len, struct field *f, size_t n)
{
    size_t i = 0;
    const char *end = s + len;
    for (;;) {
        const char *colon = memchr(s, ':', (size_t)(end - s));
        const char *stop = colon ? colon : end;
        if (i == n)
            return false;
        f[i++] = (struct field){s, (size_t)(stop - s)};
        if (!colon)
            return i == n;
        s = colon + 1;
    }
}

/*
 * The next entry of db with exactly nf fields, skipping what nss_files skips:
 * blank lines, `#` comments (after leading blanks), lines that do not parse.
 * Lines with a NUL byte are skipped too (they would compare differently here
 * and in C strings), and so are the NIS compat entries `+name`/`-name`, which
 * refer to a directory service the container does not have. A line over the
 * cap is an error rather than a skip: the user would otherwise hunt for an
 * entry that is visibly in the file. Returns 1 with f filled, 0 at the end,
 * negative on error.
 */
static int db_next(const struct db *db, struct cursor *c, struct field *f, size_t nf,
                   struct congo_error *e)
{
    while (c->p < c->end) {
        const char *s = c->p;
        const char *nl = memchr(s, '\n', (size_t)(c->end - s));
        size_t n = (size_t)((nl ? nl : c->end) - s);
        c->p = nl ? nl + 1 : c->end;
        c->line++;
        if (n > DB_MAX_LINE)
            return error_set(e, 0, "the container's `%s` line %u is longer than %u KiB", db->name,
                             c->line, DB_MAX_LINE >> 10);
        size_t i = 0;
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
            i++;
        if (i == n || s[i] == '#' || memchr(s, '\0', n))
            continue;
        if (!split_fields(s, n, f, nf))
            continue;
        if (f[0].n == 0 || f[0].s[0] == '+' || f[0].s[0] == '-')
            continue;
        return 1;
    }
    return 0;
}

static struct cursor db_cursor(const struct db *db)
{
    if (!db->buf)
        return (struct cursor){NULL, NULL, 0};
    return (struct cursor){db->buf, db->buf + db->len, 0};
}

static int bad_number(const struct db *db, unsigned line, const char *what, struct field f,
                      struct congo_error *e)
{
    return error_set(e, 0, "the container's `%s` line %u: %s `%.*s` is not a number", db->name,
                     line, what, (int)f.n, f.s);
}

/*
 * The first entry named name, or (name == NULL) the first with that uid, as
 * getpwnam/getpwuid would pick it. Returns 1 found, 0 not found, negative on
 * error: a matching entry whose ids are not numbers is an error, since
 * guessing an id for it could run the command as someone else.
 */
static int passwd_find(const struct db *db, const char *name, uint32_t uid, struct pw_entry *out,
                       struct congo_error *e)
{
    struct cursor c = db_cursor(db);
    struct field f[PASSWD_FIELDS];
    int r;
    while ((r = db_next(db, &c, f, PASSWD_FIELDS, e)) > 0) {
        uint32_t id, gid;
        if (name) {
            if (!field_eq(f[0], name))
                continue;
            if (!parse_id(f[2], &id))
                return bad_number(db, c.line, "uid", f[2], e);
        } else if (!parse_id(f[2], &id) || id != uid) {
            continue;
        }
        if (!parse_id(f[3], &gid))
            return bad_number(db, c.line, "gid", f[3], e);
        out->name = xstrndup(f[0].s, f[0].n);
        out->uid = id;
        out->gid = gid;
        out->home = f[5].n ? xstrndup(f[5].s, f[5].n) : xstrdup("/");
        return 1;
    }
    return r;
}

/* The gid of the first group called name: 1 found, 0 not, negative on error. */
static int group_find(const struct db *db, const char *name, uint32_t *gid, struct congo_error *e)
{
    struct cursor c = db_cursor(db);
    struct field f[GROUP_FIELDS];
    int r;
    while ((r = db_next(db, &c, f, GROUP_FIELDS, e)) > 0) {
        if (!field_eq(f[0], name))
            continue;
        if (!parse_id(f[2], gid))
            return bad_number(db, c.line, "gid", f[2], e);
        return 1;
    }
    return r;
}

static bool members_contain(struct field list, const char *name)
{
    const char *s = list.s, *end = list.s + list.n;
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *stop = comma ? comma : end;
        if (field_eq((struct field){s, (size_t)(stop - s)}, name))
            return true;
        s = comma ? comma + 1 : end;
    }
    return false;
}

static int cmp_gid(const void *a, const void *b)
{
    gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;
    return (x > y) - (x < y);
}

/*
 * What initgroups(name, primary) would give: primary first, then every group
 * whose member list names the user, each once. The kernel sorts the list
 * anyway, so sorting here to de-duplicate in O(n log n) loses nothing; a
 * hostile file can name the user in millions of lines.
 */
static int group_memberships(const struct db *db, const char *name, gid_t primary,
                             struct user_ids *u, struct congo_error *e)
{
    struct cursor c = db_cursor(db);
    struct field f[GROUP_FIELDS];
    _cleanup_free_ gid_t *v = NULL;
    size_t n = 0, cap = 0;
    int r;
    while ((r = db_next(db, &c, f, GROUP_FIELDS, e)) > 0) {
        if (!members_contain(f[3], name))
            continue;
        uint32_t gid;
        if (!parse_id(f[2], &gid))
            return bad_number(db, c.line, "gid", f[2], e);
        if (gid == primary)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            v = xrealloc(v, cap * sizeof(*v));
        }
        v[n++] = gid;
    }
    if (r < 0)
        return r;
    if (n)
        qsort(v, n, sizeof(*v), cmp_gid);
    size_t uniq = 0;
    for (size_t i = 0; i < n; i++)
        if (uniq == 0 || v[uniq - 1] != v[i])
            v[uniq++] = v[i];
    if (uniq + 1 > MAX_GROUPS)
        return error_set(e, 0, "user `%s` is in more than %d groups in the container's `%s`", name,
                         MAX_GROUPS, db->name);
    u->groups = xcalloc(uniq + 1, sizeof(gid_t));
    u->groups[0] = primary;
    if (uniq)
        memcpy(u->groups + 1, v, uniq * sizeof(gid_t));
    u->n_groups = uniq + 1;
    return 0;
}

static int invalid_spec(const char *spec, struct congo_error *e)
{
    return error_set(e, 0,
                     "`%s` is not a user: expected NAME, UID, NAME:GROUP, UID:GID, NAME:GID or "
                     "UID:GROUP",
                     spec);
}

static const char *missing_hint(const struct db *db)
{
    return db->buf ? "" : " (the container has none)";
}

/*
 * Runs in the child as root, after the root is assembled and before the
 * switch to the user (the files are read from rootfd, not from "/", so it
 * works before or after pivot_root). Nothing here trusts the container's
 * files beyond taking the ids they state for the user that was asked for.
 *
 * NULL means root. `root` that is not in the passwd file (an image without
 * one) still means uid 0: the default must run anything. An unknown numeric
 * UID gets the same number as its group unless one is given (docker gives
 * gid 0 there, which hands an unprivileged uid root's group and every file
 * that group may write) and no supplementary groups, since there is no name
 * to look up memberships by.
 */
int user_resolve(int rootfd, const char *spec, struct user_ids *u, struct congo_error *e)
{
    memset(u, 0, sizeof(*u));
    const char *s = spec ? spec : "root";
    const char *colon = strchr(s, ':');
    _cleanup_free_ char *user = colon ? xstrndup(s, (size_t)(colon - s)) : xstrdup(s);
    const char *group = colon ? colon + 1 : NULL;
    if (!*user || (group && (!*group || strchr(group, ':'))))
        return invalid_spec(s, e);

    _cleanup_db_ struct db passwd = {.name = "/etc/passwd"};
    _cleanup_db_ struct db groupdb = {.name = "/etc/group"};
    if (db_read(rootfd, "etc/passwd", &passwd, e) < 0 ||
        db_read(rootfd, "etc/group", &groupdb, e) < 0)
        return -1;

    _cleanup_(pw_entry_free) struct pw_entry pw = {0};
    uint32_t id = 0;
    int r;
    if (all_digits(user)) {
        if (!parse_id((struct field){user, strlen(user)}, &id))
            return error_set(e, 0, "uid `%s` is out of range (0 to 4294967294)", user);
        r = passwd_find(&passwd, NULL, id, &pw, e);
    } else {
        r = passwd_find(&passwd, user, 0, &pw, e);
        if (r == 0 && strcmp(user, "root") == 0)
            r = passwd_find(&passwd, NULL, 0, &pw, e);
        else if (r == 0)
            return error_set(e, 0, "user `%s` is not in the container's /etc/passwd%s", user,
                             missing_hint(&passwd));
    }
    if (r < 0)
        return r;
    bool known = r > 0;

    uint32_t gid = known ? pw.gid : id;
    if (group && all_digits(group)) {
        if (!parse_id((struct field){group, strlen(group)}, &gid))
            return error_set(e, 0, "gid `%s` is out of range (0 to 4294967294)", group);
    } else if (group) {
        r = group_find(&groupdb, group, &gid, e);
        if (r < 0)
            return r;
        if (r == 0)
            return error_set(e, 0, "group `%s` is not in the container's /etc/group%s", group,
                             missing_hint(&groupdb));
    }

    struct user_ids out = {.uid = known ? pw.uid : id, .gid = gid};
    if (known && group_memberships(&groupdb, pw.name, gid, &out, e) < 0)
        return -1;
    out.name = known ? steal_pointer(&pw.name) : NULL;
    out.home = known ? steal_pointer(&pw.home) : xstrdup("/");
    *u = out;
    return 0;
}

void user_drop_memberships(struct user_ids *u)
{
    free(u->groups);
    u->groups = NULL;
    u->n_groups = 0;
    u->exact = true;
}

/*
 * Runs in the child as root, after user_resolve, like it. Each group once:
 * one the user has already (its primary group too) is not added again.
 */
int user_add_groups(int rootfd, char *const *groups, struct user_ids *u, struct congo_error *e)
{
    if (!groups || !groups[0])
        return 0;
    _cleanup_db_ struct db groupdb = {.name = "/etc/group"};
    if (db_read(rootfd, "etc/group", &groupdb, e) < 0)
        return -1;
    for (size_t i = 0; groups[i]; i++) {
        uint32_t gid;
        if (all_digits(groups[i])) {
            if (!parse_id((struct field){groups[i], strlen(groups[i])}, &gid))
                return error_set(e, 0, "gid `%s` is out of range (0 to 4294967294)", groups[i]);
        } else {
            int r = group_find(&groupdb, groups[i], &gid, e);
            if (r < 0)
                return r;
            if (r == 0)
                return error_set(e, 0, "group `%s` is not in the container's /etc/group%s",
                                 groups[i], missing_hint(&groupdb));
        }
        bool present = !u->exact && gid == u->gid;
        for (size_t j = 0; j < u->n_groups && !present; j++)
            present = u->groups[j] == gid;
        if (present)
            continue;
        if (u->n_groups + 1 > MAX_GROUPS)
            return error_set(e, 0, "more than %d groups", MAX_GROUPS);
        u->groups = xrealloc(u->groups, (u->n_groups + 1) * sizeof(gid_t));
        u->groups[u->n_groups++] = gid;
    }
    return 0;
}

void user_ids_free(struct user_ids *u)
{
    if (!u)
        return;
    free(u->groups);
    free(u->name);
    free(u->home);
    memset(u, 0, sizeof(*u));
}

char **user_env(const struct run_plan *plan, const char *home)
{
    char **env = strv_copy(plan->env);
    if (plan->env_home >= 0) {
        free(env[plan->env_home]);
        env[plan->env_home] = xasprintf("HOME=%s", home && *home ? home : "/");
    }
    return env;
}
