/*
 * user_resolve against fake container roots (a directory with etc/passwd and
 * etc/group). No root needed: nothing here switches users.
 */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/user.h"
#include "util/util.h"

static const char passwd_std[] = "root:x:0:0:root:/root:/bin/sh\n"
                                 "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                                 "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
                                 "bob:x:1001:1001::/home/bob:/bin/sh\n"
                                 "nohome:x:1002:1002:::/bin/sh\n";

static const char group_std[] = "root:x:0:\n"
                                "wheel:x:10:root,alice\n"
                                "audio:x:29:bob,alice\n"
                                "video:x:44:bob\n"
                                "alice:x:1000:\n"
                                "bob:x:1001:\n"
                                "staff:x:50:\n";

/* A fake root: a temporary directory and an O_PATH fd on it. */
struct root {
    char *dir;
    int fd;
};

static void root_open(struct root *r)
{
    r->fd = open(r->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    assert_true(r->fd >= 0);
}

/* passwd or group NULL: that file is not written. */
static struct root root_make(const char *passwd, const char *group)
{
    struct root r = {.dir = test_tmpdir(), .fd = -1};
    _cleanup_free_ char *etc = xasprintf("%s/etc", r.dir);
    assert_int_equal(mkdir(etc, 0755), 0);
    if (passwd)
        free(test_write(r.dir, "etc/passwd", passwd));
    if (group)
        free(test_write(r.dir, "etc/group", group));
    root_open(&r);
    return r;
}

static void root_free(struct root *r)
{
    if (r->fd >= 0)
        close(r->fd);
    test_rmrf(r->dir);
    free(r->dir);
}

static void assert_groups(const struct user_ids *u, const gid_t *want, size_t n)
{
    if (u->n_groups != n) {
        for (size_t i = 0; i < u->n_groups; i++)
            print_error("group[%zu] = %u\n", i, (unsigned)u->groups[i]);
        fail_msg("%zu groups, want %zu", u->n_groups, n);
    }
    for (size_t i = 0; i < n; i++)
        assert_int_equal(u->groups[i], want[i]);
}
#define assert_groups_are(u, ...)                                                                  \
    assert_groups(u, (const gid_t[]){__VA_ARGS__},                                                 \
                  sizeof((const gid_t[]){__VA_ARGS__}) / sizeof(gid_t))

/* Resolve spec in r; it must succeed. */
static void resolve_ok(const struct root *r, const char *spec, struct user_ids *u)
{
    struct congo_error e = {0};
    int rc = user_resolve(r->fd, spec, u, &e);
    if (rc < 0)
        fail_msg("user_resolve(%s): %s", spec ? spec : "NULL", e.msg);
    error_clear(&e);
}

/* Resolve spec in r; it must fail with a message containing text. */
static void resolve_fails(const struct root *r, const char *spec, const char *text)
{
    struct congo_error e = {0};
    struct user_ids u;
    int rc = user_resolve(r->fd, spec, &u, &e);
    if (rc >= 0)
        fail_msg("user_resolve(%s) succeeded (uid %u), want an error with \"%s\"",
                 spec ? spec : "NULL", (unsigned)u.uid, text);
    if (!e.msg || !strstr(e.msg, text))
        fail_msg("user_resolve(%s): got \"%s\", want \"%s\"", spec ? spec : "NULL", e.msg, text);
    user_ids_free(&u); /* zeroed on failure: freeing is safe */
    error_clear(&e);
}

static void test_default_is_root(void **state)
{
    (void)state;
    struct root r = root_make(passwd_std, group_std);
    for (int i = 0; i < 2; i++) {
        struct user_ids u;
        resolve_ok(&r, i ? "root" : NULL, &u);
        assert_int_equal(u.uid, 0);
        assert_int_equal(u.gid, 0);
        assert_string_equal(u.name, "root");
        assert_string_equal(u.home, "/root");
        assert_groups_are(&u, 0, 10);
        user_ids_free(&u);
    }
    root_free(&r);
}

static void test_name(void **state)
{
    (void)state;
    struct root r = root_make(passwd_std, group_std);
    struct user_ids u;
    resolve_ok(&r, "alice", &u);
    assert_int_equal(u.uid, 1000);
    assert_int_equal(u.gid, 1000);
    assert_string_equal(u.name, "alice");
    assert_string_equal(u.home, "/home/alice");
    /* primary first, then the member lists that name alice (sorted) */
    assert_groups_are(&u, 1000, 10, 29);
    user_ids_free(&u);

    resolve_ok(&r, "bob", &u);
    assert_int_equal(u.uid, 1001);
    assert_groups_are(&u, 1001, 29, 44);
    user_ids_free(&u);

    /* an empty home field means "/" */
    resolve_ok(&r, "nohome", &u);
    assert_string_equal(u.home, "/");
    assert_groups_are(&u, 1002);
    user_ids_free(&u);
    root_free(&r);
}

static void test_uid_known(void **state)
{
    (void)state;
    struct root r = root_make(passwd_std, group_std);
    struct user_ids u;
    resolve_ok(&r, "1000", &u);
    assert_int_equal(u.uid, 1000);
    assert_int_equal(u.gid, 1000);
    assert_string_equal(u.name, "alice");
    assert_string_equal(u.home, "/home/alice");
    assert_groups_are(&u, 1000, 10, 29);
    user_ids_free(&u);

    /* uid 0 written as a number finds root's entry too */
    resolve_ok(&r, "0", &u);
    assert_string_equal(u.name, "root");
    assert_string_equal(u.home, "/root");
    user_ids_free(&u);
    root_free(&r);
}

static void test_name_group(void **state)
{
    (void)state;
    struct root r = root_make(passwd_std, group_std);
    struct user_ids u;
    resolve_ok(&r, "alice:staff", &u);
    assert_int_equal(u.uid, 1000);
    assert_int_equal(u.gid, 50);
    assert_string_equal(u.home, "/home/alice");
    /* initgroups(name, gid): the given group, then memberships */
    assert_groups_are(&u, 50, 10, 29);
    user_ids_free(&u);

    /* a group that is also a membership is listed once */
    resolve_ok(&r, "alice:wheel", &u);
    assert_int_equal(u.gid, 10);
    assert_groups_are(&u, 10, 29);
    user_ids_free(&u);
    root_free(&r);
}

static void test_uid_gid(void **state)
{
    (void)state;
    struct root r = root_make(passwd_std, group_std);
    struct user_ids u;
    resolve_ok(&r, "1000:5", &u);
    assert_int_equal(u.uid, 1000);
    assert_int_equal(u.gid, 5);
    assert_string_equal(u.name, "alice");
    assert_groups_are(&u, 5, 10, 29);
    user_ids_free(&u);

    /* unknown on both sides: fine, numbers are taken as given */
    resolve_ok(&r, "4242:4343", &u);
    assert_int_equal(u.uid, 4242);
    assert_int_equal(u.gid, 4343);
    assert_null(u.name);
    assert_string_equal(u.home, "/");
    assert_int_equal(u.n_groups, 0);
    user_ids_free(&u);
    root_free(&r);
}

static void test_name_gid(void **state)
{
    (void)state;
    struct root r = root_make(passwd_std, group_std);
    struct user_ids u;
    resolve_ok(&r, "bob:77", &u);
    assert_int_equal(u.uid, 1001);
    assert_int_equal(u.gid, 77);
    assert_string_equal(u.home, "/home/bob");
    assert_groups_are(&u, 77, 29, 44);
    user_ids_free(&u);
    root_free(&r);
}

static void test_uid_group(void **state)
{
    (void)state;
    struct root r = root_make(passwd_std, group_std);
    struct user_ids u;
    resolve_ok(&r, "1001:wheel", &u);
    assert_int_equal(u.uid, 1001);
    assert_int_equal(u.gid, 10);
    assert_string_equal(u.name, "bob");
    assert_groups_are(&u, 10, 29, 44);
    user_ids_free(&u);

    /* an unknown uid may still take a named group */
    resolve_ok(&r, "5555:video", &u);
    assert_int_equal(u.uid, 5555);
    assert_int_equal(u.gid, 44);
    assert_null(u.name);
    assert_int_equal(u.n_groups, 0);
    user_ids_free(&u);
    root_free(&r);
}

static void test_unknown_uid(void **state)
{
    (void)state;
    struct root r = root_make(passwd_std, group_std);
    struct user_ids u;
    resolve_ok(&r, "4242", &u);
    assert_int_equal(u.uid, 4242);
    assert_int_equal(u.gid, 4242); /* the uid's number, not root's group */
    assert_null(u.name);
    assert_string_equal(u.home, "/");
    assert_int_equal(u.n_groups, 0);
    assert_null(u.groups);
    user_ids_free(&u);
    root_free(&r);
}

static void test_unknown_names(void **state)
{
    (void)state;
    struct root r = root_make(passwd_std, group_std);
    resolve_fails(&r, "mallory", "user `mallory` is not in the container's /etc/passwd");
    resolve_fails(&r, "mallory:wheel", "user `mallory` is not in the container's /etc/passwd");
    resolve_fails(&r, "alice:nogroup", "group `nogroup` is not in the container's /etc/group");
    resolve_fails(&r, "1000:nogroup", "group `nogroup` is not in the container's /etc/group");
    resolve_fails(&r, "4242:nogroup", "group `nogroup` is not in the container's /etc/group");
    /* a name in the group file is not a user, and the other way round */
    resolve_fails(&r, "staff", "user `staff` is not in the container's /etc/passwd");
    resolve_fails(&r, "alice:daemon", "group `daemon` is not in the container's /etc/group");
    root_free(&r);
}

static void test_invalid_specs(void **state)
{
    (void)state;
    struct root r = root_make(passwd_std, group_std);
    resolve_fails(&r, "", "`` is not a user");
    resolve_fails(&r, ":", "`:` is not a user");
    resolve_fails(&r, "alice:", "`alice:` is not a user");
    resolve_fails(&r, ":wheel", "`:wheel` is not a user");
    resolve_fails(&r, "alice:wheel:x", "`alice:wheel:x` is not a user");
    /* (uid_t)-1 means "leave unchanged" to setresuid: never a valid id */
    resolve_fails(&r, "4294967295", "uid `4294967295` is out of range");
    resolve_fails(&r, "99999999999999999999", "is out of range");
    resolve_fails(&r, "alice:4294967295", "gid `4294967295` is out of range");
    root_free(&r);
}

static void test_comments_blank_malformed(void **state)
{
    (void)state;
    struct root r = root_make("# the users\n"
                              "\n"
                              "   \n"
                              "  # an indented comment\n"
                              "carol:x:1003\n"                        /* too few fields: skipped */
                              "carol:x:1003:1003::/c:/bin/sh:extra\n" /* too many: skipped */
                              ":x:1004:1004::/nobody:/bin/sh\n"       /* no name: skipped */
                              "+dave::1005:1005:::\n"                 /* NIS compat: skipped */
                              "eve:x:notanumber:1:::\n" /* bad, but not the one asked for */
                              "bob:x:1001:1001::/home/bob:/bin/sh\n"
                              "bob:x:2001:2001::/second:/bin/sh\n"      /* the first entry wins */
                              "frank:x:1006:1006::/home/frank:/bin/sh", /* no final newline */
                              "# groups\n"
                              "\n"
                              "broken:x\n"
                              "bob:x:1001:\n"
                              "audio:x:29:bob,bob\n" /* listed twice: once */
                              "sound:x:29:bob\n"     /* same gid again: once */
                              "video:x:44:bobby,bo,xbob,bob\n"
                              "games:x:60:bobby\n"); /* a prefix match is not a member */
    struct user_ids u;
    resolve_ok(&r, "bob", &u);
    assert_int_equal(u.uid, 1001);
    assert_string_equal(u.home, "/home/bob");
    assert_groups_are(&u, 1001, 29, 44);
    user_ids_free(&u);

    resolve_ok(&r, "frank", &u);
    assert_int_equal(u.uid, 1006);
    user_ids_free(&u);

    /* the first uid match wins too */
    resolve_ok(&r, "2001", &u);
    assert_string_equal(u.home, "/second");
    user_ids_free(&u);

    resolve_fails(&r, "carol", "user `carol` is not in the container's /etc/passwd");
    resolve_fails(&r, "dave", "user `dave` is not in the container's /etc/passwd");
    resolve_fails(&r, "+dave", "user `+dave` is not in the container's /etc/passwd");
    resolve_fails(&r, "bob:broken", "group `broken` is not in the container's /etc/group");
    root_free(&r);
}

static void test_bad_numbers(void **state)
{
    (void)state;
    struct root r = root_make("root:x:0:0::/root:/bin/sh\n"
                              "eve:x:12ab:1:::\n"
                              "fay:x:1007:-1:::\n"
                              "gus:x: 1008:1008:::\n",
                              "root:x:0:\n"
                              "weird:x:0x10:\n"
                              "ok:x:70:\n"
                              "trap:x:abc:gus\n");
    resolve_fails(&r, "eve", "`/etc/passwd` line 2: uid `12ab` is not a number");
    resolve_fails(&r, "fay", "`/etc/passwd` line 3: gid `-1` is not a number");
    resolve_fails(&r, "gus", "`/etc/passwd` line 4: uid ` 1008` is not a number");
    resolve_fails(&r, "root:weird", "`/etc/group` line 2: gid `0x10` is not a number");
    struct user_ids u;
    resolve_ok(&r, "root:ok", &u);
    assert_int_equal(u.gid, 70);
    user_ids_free(&u);
    root_free(&r);

    r = root_make("gus:x:1008:1008:::\n", "trap:x:abc:gus\n");
    resolve_fails(&r, "gus", "`/etc/group` line 1: gid `abc` is not a number");
    root_free(&r);
}

/* Does the host's own /etc/passwd mention name? */
static bool host_has_user(const char *name)
{
    _cleanup_free_ char *buf = NULL;
    size_t len = 0;
    if (read_file_max("/etc/passwd", 64 * 1024 * 1024, &buf, &len) < 0)
        return false;
    return strstr(buf, name) != NULL;
}

static void test_symlinks_stay_inside(void **state)
{
    (void)state;
    static const char who[] = "congo-only-in-fake-root";
    /* The proof needs a user the host lacks, and host paths that do not exist. */
    assert_false(host_has_user(who));
    assert_int_equal(access("/etc/passwd-congo-alt", F_OK), -1);

    struct root r = {.dir = test_tmpdir(), .fd = -1};
    free(test_write(r.dir, "etc/passwd-congo-alt",
                    "congo-only-in-fake-root:x:3210:3210::/srv/fake:/bin/sh\n"));
    free(test_write(r.dir, "elsewhere/group", "fakegrp:x:3300:congo-only-in-fake-root\n"));
    _cleanup_free_ char *pw = xasprintf("%s/etc/passwd", r.dir);
    _cleanup_free_ char *gr = xasprintf("%s/etc/group", r.dir);
    /* absolute: resolves against the container's root, not the host's */
    assert_int_equal(symlink("/etc/passwd-congo-alt", pw), 0);
    /* relative, climbing far above the root: ".." stops at the root */
    assert_int_equal(symlink("../../../../../../../../../elsewhere/group", gr), 0);
    root_open(&r);

    struct user_ids u;
    resolve_ok(&r, who, &u);
    assert_int_equal(u.uid, 3210);
    assert_string_equal(u.home, "/srv/fake");
    assert_groups_are(&u, 3210, 3300);
    user_ids_free(&u);

    /* and the host's users and groups are not seen at all */
    resolve_fails(&r, "root:root", "group `root` is not in the container's /etc/group");
    resolve_ok(&r, NULL, &u);
    assert_int_equal(u.uid, 0);
    assert_string_equal(u.home, "/"); /* not the host's /root */
    user_ids_free(&u);
    root_free(&r);
}

static void test_symlink_via_proc_stays_inside(void **state)
{
    (void)state;
    /* /proc/self/root would be a magic link to the host's root: never followed */
    struct root r = {.dir = test_tmpdir(), .fd = -1};
    free(test_write(r.dir, "proc/x", ""));
    _cleanup_free_ char *pw = xasprintf("%s/etc/passwd", r.dir);
    _cleanup_free_ char *etc = xasprintf("%s/etc", r.dir);
    assert_int_equal(mkdir(etc, 0755), 0);
    assert_int_equal(symlink("/proc/self/root/etc/passwd", pw), 0);
    root_open(&r);
    /* inside the fake root /proc/self does not exist: no passwd at all */
    resolve_fails(&r, "alice", "/etc/passwd (the container has none)");
    struct user_ids u;
    resolve_ok(&r, NULL, &u);
    assert_string_equal(u.home, "/");
    user_ids_free(&u);
    root_free(&r);
}

static void test_files_missing(void **state)
{
    (void)state;
    struct root r = root_make(NULL, NULL);
    struct user_ids u;
    resolve_ok(&r, NULL, &u);
    assert_int_equal(u.uid, 0);
    assert_int_equal(u.gid, 0);
    assert_string_equal(u.home, "/");
    assert_int_equal(u.n_groups, 0);
    user_ids_free(&u);

    resolve_ok(&r, "root", &u);
    assert_int_equal(u.uid, 0);
    assert_string_equal(u.home, "/");
    user_ids_free(&u);

    resolve_ok(&r, "123:456", &u);
    assert_int_equal(u.uid, 123);
    assert_int_equal(u.gid, 456);
    user_ids_free(&u);

    resolve_fails(&r, "alice",
                  "user `alice` is not in the container's /etc/passwd (the container has none)");
    resolve_fails(&r, "root:wheel",
                  "group `wheel` is not in the container's /etc/group (the container has none)");
    root_free(&r);

    /* no etc at all, or etc that is a file */
    r = (struct root){.dir = test_tmpdir(), .fd = -1};
    root_open(&r);
    resolve_ok(&r, NULL, &u);
    user_ids_free(&u);
    free(test_write(r.dir, "etc", "not a directory\n"));
    resolve_ok(&r, "root", &u);
    user_ids_free(&u);
    resolve_fails(&r, "alice", "user `alice` is not in the container's /etc/passwd");
    root_free(&r);
}

static void test_uid0_other_name(void **state)
{
    (void)state;
    /* no "root", but uid 0 under another name: the default takes that entry */
    struct root r = root_make("admin:x:0:0::/admin:/bin/sh\n", "adm:x:4:admin\n");
    struct user_ids u;
    resolve_ok(&r, NULL, &u);
    assert_int_equal(u.uid, 0);
    assert_string_equal(u.name, "admin");
    assert_string_equal(u.home, "/admin");
    assert_groups_are(&u, 0, 4);
    user_ids_free(&u);
    root_free(&r);
}

static void test_hostile_files(void **state)
{
    (void)state;
    /* a FIFO must neither hang the launcher nor be read */
    struct root r = root_make(NULL, group_std);
    _cleanup_free_ char *fifo = xasprintf("%s/etc/passwd", r.dir);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    alarm(60); /* a regression would block in open(): end the test, not the suite's patience */
    resolve_fails(&r, NULL, "the container's `/etc/passwd` is not a regular file");
    alarm(0);
    root_free(&r);

    /* a directory */
    r = root_make(passwd_std, NULL);
    _cleanup_free_ char *dir = xasprintf("%s/etc/group", r.dir);
    assert_int_equal(mkdir(dir, 0755), 0);
    resolve_fails(&r, "alice", "the container's `/etc/group` is not a regular file");
    root_free(&r);

    /* a file over the size cap (sparse: costs no disk) */
    r = root_make(NULL, group_std);
    _cleanup_free_ char *big = xasprintf("%s/etc/passwd", r.dir);
    int fd = open(big, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)17 << 20), 0);
    close(fd);
    resolve_fails(&r, NULL, "the container's `/etc/passwd` is larger than 16 MiB");
    root_free(&r);

    /* a line over the line cap, even one that would not match */
    struct strbuf sb = {0};
    strbuf_puts(&sb, "root:x:0:0::/root:/bin/sh\nlong:x:5:5:");
    for (int i = 0; i < 70000; i++)
        strbuf_putc(&sb, 'g');
    strbuf_puts(&sb, ":/:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
    _cleanup_free_ char *text = strbuf_steal(&sb);
    r = root_make(text, group_std);
    resolve_fails(&r, "alice", "the container's `/etc/passwd` line 2 is longer than 64 KiB");
    /* a line exactly at the cap is fine */
    root_free(&r);

    strbuf_puts(&sb, "alice:x:1000:1000:");
    while (sb.len < 64 * 1024 - strlen(":/h:/bin/sh"))
        strbuf_putc(&sb, 'g');
    strbuf_puts(&sb, ":/h:/bin/sh\n");
    _cleanup_free_ char *atcap = strbuf_steal(&sb);
    r = root_make(atcap, group_std);
    struct user_ids u;
    resolve_ok(&r, "alice", &u);
    assert_string_equal(u.home, "/h");
    user_ids_free(&u);
    root_free(&r);

    /* a NUL byte makes a line unusable, not the file */
    r = root_make(NULL, NULL);
    _cleanup_free_ char *pw = xasprintf("%s/etc/passwd", r.dir);
    static const char nul[] = "alice\0:x:1:1::/nul:/bin/sh\nalice:x:1000:1000::/ok:/bin/sh\n";
    FILE *f = fopen(pw, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(nul, 1, sizeof(nul) - 1, f), sizeof(nul) - 1);
    fclose(f);
    resolve_ok(&r, "alice", &u);
    assert_string_equal(u.home, "/ok");
    user_ids_free(&u);
    root_free(&r);
}

/* A group file naming alice in n groups of distinct gids other than hers. */
static char *many_groups(size_t n)
{
    struct strbuf sb = {0};
    for (size_t i = 0; i < n; i++)
        strbuf_printf(&sb, "g%zu:x:%zu:alice\n", i, 100000 + i);
    return strbuf_steal(&sb);
}

static void test_group_cap(void **state)
{
    (void)state;
    /* 65535 memberships + the primary group = NGROUPS_MAX: allowed */
    _cleanup_free_ char *ok = many_groups(65535);
    struct root r = root_make(passwd_std, ok);
    struct user_ids u;
    resolve_ok(&r, "alice", &u);
    assert_int_equal(u.n_groups, 65536);
    assert_int_equal(u.groups[0], 1000);
    assert_int_equal(u.groups[1], 100000);
    assert_int_equal(u.groups[65535], 100000 + 65534);
    user_ids_free(&u);
    root_free(&r);

    _cleanup_free_ char *over = many_groups(65536);
    r = root_make(passwd_std, over);
    resolve_fails(&r, "alice", "user `alice` is in more than 65536 groups");
    root_free(&r);
}

/* Resolve spec, then add groups; both must succeed. */
static void resolve_with_groups(const struct root *r, const char *spec, char *const *groups,
                                struct user_ids *u)
{
    resolve_ok(r, spec, u);
    struct congo_error e = {0};
    if (user_add_groups(r->fd, groups, u, &e) < 0)
        fail_msg("user_add_groups for %s: %s", spec, e.msg);
}

static void add_groups_fails(const struct root *r, const char *spec, char *const *groups,
                             const char *text)
{
    struct user_ids u;
    resolve_ok(r, spec, &u);
    struct congo_error e = {0};
    if (user_add_groups(r->fd, groups, &u, &e) == 0)
        fail_msg("user_add_groups for %s succeeded, want an error with \"%s\"", spec, text);
    if (!e.msg || !strstr(e.msg, text))
        fail_msg("user_add_groups for %s: got \"%s\", want \"%s\"", spec, e.msg, text);
    user_ids_free(&u);
    error_clear(&e);
}

#define GROUPS(...) ((char *const[]){__VA_ARGS__, NULL})

/* The profile's groups come after the user's own, each once; names from the container's file. */
static void test_add_groups(void **state)
{
    (void)state;
    struct root r = root_make(passwd_std, group_std);
    struct user_ids u;
    /* wheel and 1000 (alice's primary group) are hers already */
    resolve_with_groups(&r, "alice", GROUPS("staff", "2000", "wheel", "1000", "staff"), &u);
    assert_groups_are(&u, 1000, 10, 29, 50, 2000);
    user_ids_free(&u);

    /* an unknown uid has no memberships, but may have groups; its own gid is not repeated */
    resolve_with_groups(&r, "4242", GROUPS("audio", "4242", "7"), &u);
    assert_int_equal(u.gid, 4242);
    assert_groups_are(&u, 29, 7);
    user_ids_free(&u);

    /* none: nothing changes */
    resolve_with_groups(&r, "bob", NULL, &u);
    assert_groups_are(&u, 1001, 29, 44);
    user_ids_free(&u);

    /* initgroups: false: the groups given, and no others; the user's own gid when listed */
    resolve_ok(&r, "alice", &u);
    user_drop_memberships(&u);
    struct congo_error e = {0};
    assert_int_equal(user_add_groups(r.fd, GROUPS("1000", "2000", "2000"), &u, &e), 0);
    assert_groups_are(&u, 1000, 2000);
    user_ids_free(&u);
    resolve_ok(&r, "alice", &u);
    user_drop_memberships(&u);
    assert_int_equal(user_add_groups(r.fd, NULL, &u, &e), 0);
    assert_int_equal(u.n_groups, 0);
    user_ids_free(&u);

    add_groups_fails(&r, "alice", GROUPS("staff", "nogroup"),
                     "group `nogroup` is not in the container's /etc/group");
    add_groups_fails(&r, "alice", GROUPS("4294967295"), "gid `4294967295` is out of range");
    root_free(&r);

    /* Without a group file, numbers still work and names say why they do not. */
    r = root_make(passwd_std, NULL);
    resolve_with_groups(&r, "alice", GROUPS("2000"), &u);
    assert_groups_are(&u, 1000, 2000);
    user_ids_free(&u);
    add_groups_fails(&r, "alice", GROUPS("audio"),
                     "group `audio` is not in the container's /etc/group (the container has none)");
    root_free(&r);

    /* The cap holds for the profile's groups too. */
    _cleanup_free_ char *full = many_groups(65535);
    r = root_make(passwd_std, full);
    add_groups_fails(&r, "alice", GROUPS("7"), "more than 65536 groups");
    root_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_is_root),
        cmocka_unit_test(test_name),
        cmocka_unit_test(test_uid_known),
        cmocka_unit_test(test_name_group),
        cmocka_unit_test(test_uid_gid),
        cmocka_unit_test(test_name_gid),
        cmocka_unit_test(test_uid_group),
        cmocka_unit_test(test_unknown_uid),
        cmocka_unit_test(test_unknown_names),
        cmocka_unit_test(test_invalid_specs),
        cmocka_unit_test(test_comments_blank_malformed),
        cmocka_unit_test(test_bad_numbers),
        cmocka_unit_test(test_symlinks_stay_inside),
        cmocka_unit_test(test_symlink_via_proc_stays_inside),
        cmocka_unit_test(test_files_missing),
        cmocka_unit_test(test_uid0_other_name),
        cmocka_unit_test(test_hostile_files),
        cmocka_unit_test(test_group_cap),
        cmocka_unit_test(test_add_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
