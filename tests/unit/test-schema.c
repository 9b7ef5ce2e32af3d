/*
 * The key table as a user meets it: every key read from real profile files
 * in both formats (.yaml and .conf), its ranges and error locations, the
 * merge rules across includes, `reset`, and the checks after the stack.
 */
#include "helpers.h"

#include <sys/capability.h>
#include <sys/resource.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile/schema.h"
#include "profile/seccomp-file.h"
#include "util/util.h"

#define GIB (1024LL * 1024 * 1024)
#define MIB (1024LL * 1024)

/* This test's scratch directory, as created and with its symlinks resolved. */
static char *tmp;
static char *real_tmp;

static int setup(void **state)
{
    (void)state;
    tmp = test_tmpdir();
    real_tmp = realpath(tmp, NULL);
    assert_non_null(real_tmp);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_rmrf(tmp);
    free(tmp);
    free(real_tmp);
    tmp = real_tmp = NULL;
    return 0;
}

/* ---- loading and asserting ---- */

struct loaded {
    char *path;
    struct profile p;
    struct diags d;
    int r;
};

static void done(struct loaded *l)
{
    profile_free(&l->p);
    diags_free(&l->d);
    free(l->path);
    memset(l, 0, sizeof(*l));
}

/* Writes name (relative to tmp) and loads it as `congo-launch --check name` would. */
static void load(struct loaded *l, const char *name, const char *text)
{
    memset(l, 0, sizeof(*l));
    l->path = test_write(tmp, name, text);
    l->r = test_load_file(&l->p, l->path, &l->d);
}

static void fail_diags(const struct diags *d, const char *what)
{
    _cleanup_free_ char *all = test_diags_text(d);
    print_error("%s; diagnostics:\n%s", what, all);
    fail();
}

static void assert_clean(const struct loaded *l)
{
    if (l->r != 0 || l->d.n != 0)
        fail_diags(&l->d, "expected a valid profile");
}

/* A valid file: loaded, and nothing reported. */
static void load_ok(struct loaded *l, const char *name, const char *text)
{
    load(l, name, text);
    assert_clean(l);
}

/* The same profile written in both formats; both must load cleanly. */
static void load_both(struct loaded l[2], const char *yaml, const char *conf)
{
    load_ok(&l[0], "t.yaml", yaml);
    load_ok(&l[1], "t.conf", conf);
}

static void done_both(struct loaded l[2])
{
    done(&l[0]);
    done(&l[1]);
}

static void assert_errors(const struct diags *d, size_t n)
{
    if (d->n_errors != n) {
        _cleanup_free_ char *what = xasprintf("expected %zu errors, got %zu", n, d->n_errors);
        fail_diags(d, what);
    }
}

/*
 * The diagnostic of this level whose message holds msg, located exactly:
 * file, line, col (-1: not checked) and key (NULL: no key).
 */
static const struct diag *expect_diag(const struct diags *d, enum diag_level level,
                                      const char *file, int line, int col, const char *key,
                                      const char *msg)
{
    for (size_t i = 0; i < d->n; i++) {
        const struct diag *g = &d->v[i];
        if (g->level != level || !strstr(g->msg, msg))
            continue;
        if (!str_eq(g->file, file) || g->line != line || (col >= 0 && g->col != col) ||
            !str_eq(g->key, key)) {
            _cleanup_free_ char *what =
                xasprintf("\"%s\" expected at %s:%d:%d key %s; found at %s:%d:%d key %s", msg, file,
                          line, col, key ? key : "(none)", g->file ? g->file : "(none)", g->line,
                          g->col, g->key ? g->key : "(none)");
            fail_diags(d, what);
        }
        return g;
    }
    _cleanup_free_ char *what =
        xasprintf("no %s containing \"%s\"", level == DIAG_ERROR ? "error" : "note", msg);
    fail_diags(d, what);
    return NULL;
}

static const struct diag *expect_error(const struct loaded *l, int line, int col, const char *key,
                                       const char *msg)
{
    assert_int_equal(l->r, -1);
    return expect_diag(&l->d, DIAG_ERROR, l->path, line, col, key, msg);
}

/* A file whose only problem is this one error. */
static void expect_only_error(const struct loaded *l, int line, int col, const char *key,
                              const char *msg)
{
    expect_error(l, line, col, key, msg);
    assert_errors(&l->d, 1);
}

/*
 * One bad value written in each format gives exactly this error: at
 * yline:ycol in the YAML file, at cline in the libconfig one (no columns).
 */
static void bad_value(const char *yaml, int yline, int ycol, const char *conf, int cline,
                      const char *key, const char *msg)
{
    struct loaded l;
    load(&l, "t.yaml", yaml);
    expect_only_error(&l, yline, ycol, key, msg);
    done(&l);
    load(&l, "t.conf", conf);
    expect_only_error(&l, cline, 0, key, msg);
    done(&l);
}

static void bad_yaml(const char *yaml, int line, int col, const char *key, const char *msg)
{
    struct loaded l;
    load(&l, "t.yaml", yaml);
    expect_only_error(&l, line, col, key, msg);
    done(&l);
}

/* A path under the scratch directory with symlinks resolved. Caller frees. */
static char *in_tmp(const char *rel)
{
    return xasprintf("%s/%s", real_tmp, rel);
}

static void assert_mount(const struct profile_mount *m, const char *target, enum mount_type type,
                         const char *source, bool readonly, const char *options)
{
    assert_string_equal(m->target, target);
    assert_int_equal(m->type, type);
    if (source)
        assert_string_equal(m->source, source);
    else
        assert_null(m->source);
    assert_int_equal(m->readonly, readonly);
    if (options)
        assert_string_equal(m->options, options);
    else
        assert_null(m->options);
}

/* ---- the key table itself ---- */

static void test_key_table(void **state)
{
    (void)state;
    /* One row per key, in enum order, found by its dotted name. */
    for (int i = 0; i < KEY__MAX; i++) {
        assert_int_equal(profile_keys[i].id, i);
        assert_ptr_equal(key_by_name(profile_keys[i].name), &profile_keys[i]);
    }
    assert_null(key_by_name("memory"));
    assert_null(key_by_name("limits"));
    assert_string_equal(key_suggest(NULL, "hostnme"), "hostname");
    assert_string_equal(key_suggest("limits", "memroy"), "memory");
    assert_string_equal(key_suggest(NULL, "limts"), "limits");
    assert_null(key_suggest(NULL, "completely-different"));
}

/* The groups of dotted keys are those of profile_groups[], in the table's order. */
static void test_key_groups(void **state)
{
    (void)state;
    size_t g = 0;
    for (int i = 0; i < KEY__MAX; i++) {
        const char *dot = strchr(profile_keys[i].name, '.');
        if (!dot)
            continue;
        size_t len = (size_t)(dot - profile_keys[i].name);
        if (g > 0 && strncmp(profile_keys[i].name, profile_groups[g - 1].name, len) == 0 &&
            !profile_groups[g - 1].name[len])
            continue;
        assert_true(g < KEY_GROUPS);
        assert_int_equal(strlen(profile_groups[g].name), len);
        assert_memory_equal(profile_groups[g].name, profile_keys[i].name, len);
        assert_true(key_is_group(profile_groups[g].name));
        g++;
    }
    assert_int_equal(g, KEY_GROUPS);
    assert_string_equal(key_suggest(NULL, "capabilites"), "capabilities");
}

/* profile_str and its kin read a value with its default from the table. */
static void test_key_accessors(void **state)
{
    (void)state;
    struct profile p;
    profile_init(&p);
    assert_string_equal(profile_str(&p, KEY_WORKDIR), "/");
    assert_string_equal(profile_str(&p, KEY_UPPER), "tmpfs");
    assert_string_equal(profile_str(&p, KEY_CGROUP_PARENT), "auto");
    assert_string_equal(profile_str(&p, KEY_USER), "root");
    assert_string_equal(profile_str(&p, KEY_SECCOMP), "default");
    assert_null(profile_str(&p, KEY_ROOTFS));
    assert_true(profile_bool(&p, KEY_INIT));
    assert_false(profile_bool(&p, KEY_READONLY_ROOTFS));
    assert_int_equal(profile_int(&p, KEY_PIDS), LIMIT_UNLIMITED);
    assert_int_equal(profile_int(&p, KEY_STOP_TIMEOUT), 10000);
    /* Every scalar row's default is what a fresh profile holds. */
    for (int i = 0; i < KEY__MAX; i++) {
        const struct key_def *k = &profile_keys[i];
        if (k->kind == KIND_STRING)
            assert_true(str_eq(profile_str(&p, k->id), k->def.s));
        else if (k->kind == KIND_BOOL)
            assert_int_equal(profile_bool(&p, k->id), k->def.b);
        else if (k->kind == KIND_INT)
            assert_int_equal(profile_int(&p, k->id), k->def.i);
    }
    profile_free(&p);

    struct loaded l;
    load_ok(&l, "t.yaml", "rootfs: /r\nworkdir: /srv\nseccomp: unconfined\nlimits: {pids: 9}\n");
    assert_string_equal(profile_str(&l.p, KEY_WORKDIR), "/srv");
    assert_string_equal(profile_str(&l.p, KEY_SECCOMP), "unconfined");
    assert_string_equal(profile_str(&l.p, KEY_ROOTFS), "/r");
    assert_int_equal(profile_int(&l.p, KEY_PIDS), 9);
    done(&l);
}

static void test_parse_size_cpus(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(parse_size("512m", &v), 0);
    assert_int_equal(v, 512 * MIB);
    assert_int_equal(parse_size("2G", &v), 0);
    assert_int_equal(v, 2 * GIB);
    assert_int_equal(parse_size("3k", &v), 0);
    assert_int_equal(v, 3072);
    assert_int_equal(parse_size("4096", &v), 0);
    assert_int_equal(v, 4096);
    assert_int_equal(parse_size("1.5g", &v), -1);
    assert_int_equal(parse_size("-1", &v), -1);
    assert_int_equal(parse_size("12mb", &v), -1);
    assert_int_equal(parse_size("", &v), -1);
    assert_int_equal(parse_size("m", &v), -1);
    assert_int_equal(parse_size("99999999999999999999", &v), -1);
    assert_int_equal(parse_size("9223372036854775807g", &v), -1);
    assert_int_equal(parse_cpus("1.5", &v), 0);
    assert_int_equal(v, 150000);
    assert_int_equal(parse_cpus("0.01", &v), 0);
    assert_int_equal(v, 1000);
    assert_int_equal(parse_cpus("2", &v), 0);
    assert_int_equal(v, 200000);
    assert_int_equal(parse_cpus("1.", &v), -1);
    assert_int_equal(parse_cpus("1.000001", &v), -1);
    assert_int_equal(parse_cpus("1e2", &v), -1);
    _cleanup_free_ char *s1 = format_size(512 * MIB);
    _cleanup_free_ char *s2 = format_size(2 * GIB);
    _cleanup_free_ char *s3 = format_size(4194303);
    _cleanup_free_ char *c1 = format_cpus(150000);
    _cleanup_free_ char *c2 = format_cpus(1000);
    assert_string_equal(s1, "512m");
    assert_string_equal(s2, "2g");
    assert_string_equal(s3, "4194303");
    assert_string_equal(c1, "1.5");
    assert_string_equal(c2, "0.01");
}

/* ---- every key, both formats ---- */

static void test_include(void **state)
{
    (void)state;
    free(test_write(tmp, "base.yaml", "hostname: from-yaml\n"));
    free(test_write(tmp, "base.conf", "user = \"from-conf\";\n"));
    struct loaded l[2];
    load_both(l, "include: base.yaml\nrootfs: /r\n",
              "include = \"base.conf\";\nrootfs = \"/r\";\n");
    assert_string_equal(l[0].p.hostname, "from-yaml");
    assert_null(l[0].p.user);
    assert_string_equal(l[1].p.user, "from-conf");
    assert_null(l[1].p.hostname);
    done_both(l);
    /* A list applies both, in order. */
    load_both(l, "include: [base.yaml, base.conf]\nrootfs: /r\n",
              "include = [\"base.conf\", \"base.yaml\"];\nrootfs = \"/r\";\n");
    for (int i = 0; i < 2; i++) {
        assert_string_equal(l[i].p.hostname, "from-yaml");
        assert_string_equal(l[i].p.user, "from-conf");
    }
    done_both(l);

    bad_value("rootfs: /r\ninclude: {a: b}\n", 2, 10,
              "rootfs = \"/r\";\ninclude = { a = \"b\"; };\n", 2, "include",
              "expected a path or a list of paths, got a map");
    bad_value("rootfs: /r\ninclude: [base.yaml, '']\n", 2, 22,
              "rootfs = \"/r\";\ninclude = [\"base.yaml\", \"\"];\n", 2, "include[1]",
              "expected a profile path");
    bad_value("rootfs: /r\ninclude: nowhere.yaml\n", 2, 10,
              "rootfs = \"/r\";\ninclude = \"nowhere.yaml\";\n", 2, "include", "not found");
}

static void test_reset(void **state)
{
    (void)state;
    free(test_write(tmp, "base.yaml", "env: {FOO: 1, BAR: 2}\nlayers: [/l1]\n"));
    struct loaded l[2];
    load_both(l, "include: base.yaml\nreset: [env.FOO]\nrootfs: /r\n",
              "include = \"base.yaml\";\nreset = [\"env.FOO\"];\nrootfs = \"/r\";\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_env, 1);
        assert_env(&l[i].p, 0, "BAR", "2");
        assert_int_equal(l[i].p.n_layers, 1);
    }
    done_both(l);
    /* One key may be written as a scalar. */
    load_both(l, "include: base.yaml\nreset: layers\nrootfs: /r\n",
              "include = \"base.yaml\";\nreset = \"layers\";\nrootfs = \"/r\";\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_layers, 0);
        assert_int_equal(l[i].p.n_env, 2);
    }
    done_both(l);

    bad_value("rootfs: /r\nreset: [env.FOO, limits.memroy]\n", 2, 18,
              "rootfs = \"/r\";\nreset = [\"env.FOO\", \"limits.memroy\"];\n", 2, "reset[1]",
              "`limits.memroy` cannot be reset; did you mean `limits.memory`?");
    bad_value("rootfs: /r\nreset: [hostnme]\n", 2, 9, "rootfs = \"/r\";\nreset = [\"hostnme\"];\n",
              2, "reset[0]", "`hostnme` cannot be reset; did you mean `hostname`?");
    bad_value("rootfs: /r\nreset: [include]\n", 2, 9, "rootfs = \"/r\";\nreset = [\"include\"];\n",
              2, "reset[0]", "`include` cannot be reset");
    bad_value("rootfs: /r\nreset: [namespaces.nett]\n", 2, 9,
              "rootfs = \"/r\";\nreset = [\"namespaces.nett\"];\n", 2, "reset[0]",
              "known namespaces: cgroup, ipc, mount, net, pid, uts");
    bad_value("rootfs: /r\nreset: {env: x}\n", 2, 8,
              "rootfs = \"/r\";\nreset = { env = \"x\"; };\n", 2, "reset",
              "expected a list of dotted keys, got a map");
}

static void test_name(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "name: Web-1.a_b\nrootfs: /r\n", "name = \"Web-1.a_b\";\nrootfs = \"/r\";\n");
    for (int i = 0; i < 2; i++)
        assert_string_equal(l[i].p.name, "Web-1.a_b");
    done_both(l);
    /* 64 characters is the most. */
    char n64[65], yaml[128], conf[128];
    memset(n64, 'a', 64);
    n64[64] = '\0';
    snprintf(yaml, sizeof(yaml), "name: %s\nrootfs: /r\nhostname: h\n", n64);
    snprintf(conf, sizeof(conf), "name = \"%s\";\nrootfs = \"/r\";\nhostname = \"h\";\n", n64);
    load_both(l, yaml, conf);
    assert_string_equal(l[0].p.name, n64);
    assert_string_equal(l[1].p.name, n64);
    done_both(l);
    snprintf(yaml, sizeof(yaml), "rootfs: /r\nname: %sb\n", n64);
    snprintf(conf, sizeof(conf), "rootfs = \"/r\";\nname = \"%sb\";\n", n64);
    bad_value(yaml, 2, 7, conf, 2, "name", "is not a valid name");

    bad_value("rootfs: /r\nname: bad name\n", 2, 7, "rootfs = \"/r\";\nname = \"bad name\";\n", 2,
              "name", "`bad name` is not a valid name: [A-Za-z0-9][A-Za-z0-9_.-]*, at most 64");
    bad_value("rootfs: /r\nname: _x\n", 2, 7, "rootfs = \"/r\";\nname = \"_x\";\n", 2, "name",
              "`_x` is not a valid name");
    bad_value("rootfs: /r\nname: [a]\n", 2, 7, "rootfs = \"/r\";\nname = [\"a\"];\n", 2, "name",
              "got a list");
}

static void test_rootfs(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: r/./x/\n", "rootfs = \"r/./x/\";\n");
    _cleanup_free_ char *want = in_tmp("r/x");
    for (int i = 0; i < 2; i++)
        assert_string_equal(l[i].p.rootfs, want);
    done_both(l);
    load_both(l, "rootfs: //srv//root/.\n", "rootfs = \"//srv//root/.\";\n");
    for (int i = 0; i < 2; i++)
        assert_string_equal(l[i].p.rootfs, "/srv/root");
    done_both(l);
    /* `~` is a plain directory name. */
    load_both(l, "rootfs: ~/r\n", "rootfs = \"~/r\";\n");
    _cleanup_free_ char *tilde = in_tmp("~/r");
    for (int i = 0; i < 2; i++)
        assert_string_equal(l[i].p.rootfs, tilde);
    done_both(l);

    bad_value("name: x\nrootfs: ''\n", 2, 9, "name = \"x\";\nrootfs = \"\";\n", 2, "rootfs",
              "empty path");
    bad_value("name: x\nrootfs: [a]\n", 2, 9, "name = \"x\";\nrootfs = [\"a\"];\n", 2, "rootfs",
              "expected a path, got a list");
}

static void test_layers(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\nlayers: [a, /b/c/, ../d]\n",
              "rootfs = \"/r\";\nlayers = [\"a\", \"/b/c/\", \"../d\"];\n");
    _cleanup_free_ char *a = in_tmp("a");
    _cleanup_free_ char *parent = xstrdup(real_tmp);
    *strrchr(parent, '/') = '\0';
    _cleanup_free_ char *dd = xasprintf("%s/d", *parent ? parent : "");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_layers, 3);
        assert_string_equal(l[i].p.layers[0].path, a);
        assert_string_equal(l[i].p.layers[1].path, "/b/c");
        assert_string_equal(l[i].p.layers[2].path, dd);
    }
    done_both(l);

    bad_value("rootfs: /r\nlayers: a\n", 2, 9, "rootfs = \"/r\";\nlayers = \"a\";\n", 2, "layers",
              "expected a list of paths, got a value");
    bad_value("rootfs: /r\nlayers: [a, '']\n", 2, 13, "rootfs = \"/r\";\nlayers = [\"a\", \"\"];\n",
              2, "layers[1]", "empty path");
}

static void test_upper(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\nupper: u\n", "rootfs = \"/r\";\nupper = \"u\";\n");
    _cleanup_free_ char *u = in_tmp("u");
    for (int i = 0; i < 2; i++)
        assert_string_equal(l[i].p.upper, u);
    done_both(l);
    load_both(l, "rootfs: /r\nupper: tmpfs\n", "rootfs = \"/r\";\nupper = \"tmpfs\";\n");
    for (int i = 0; i < 2; i++) {
        assert_null(l[i].p.upper);
        assert_string_equal(l[i].p.origin[KEY_UPPER].file, l[i].path);
        assert_int_equal(l[i].p.origin[KEY_UPPER].line, 2);
    }
    done_both(l);

    bad_value("rootfs: /r\nupper: ''\n", 2, 8, "rootfs = \"/r\";\nupper = \"\";\n", 2, "upper",
              "empty path");
    bad_value("rootfs: /r\nupper: {a: b}\n", 2, 8, "rootfs = \"/r\";\nupper = { a = \"b\"; };\n", 2,
              "upper", "expected a path, got a map");
}

static void test_readonly_rootfs(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\nreadonly_rootfs: true\n",
              "rootfs = \"/r\";\nreadonly_rootfs = true;\n");
    for (int i = 0; i < 2; i++)
        assert_true(l[i].p.readonly_rootfs);
    done_both(l);
    load_both(l, "rootfs: /r\nreadonly_rootfs: false\n",
              "rootfs = \"/r\";\nreadonly_rootfs = false;\n");
    for (int i = 0; i < 2; i++) {
        assert_false(l[i].p.readonly_rootfs);
        assert_int_equal(l[i].p.origin[KEY_READONLY_ROOTFS].line, 2);
    }
    done_both(l);
    /* Scalars are read by the key's type, quoted or not. */
    load_ok(&l[0], "t.yaml", "rootfs: /r\nreadonly_rootfs: \"true\"\n");
    assert_true(l[0].p.readonly_rootfs);
    done(&l[0]);

    bad_value("rootfs: /r\nreadonly_rootfs: yes\n", 2, 18,
              "rootfs = \"/r\";\nreadonly_rootfs = \"yes\";\n", 2, "readonly_rootfs",
              "`yes` is not a boolean here; use true or false");
    bad_value("rootfs: /r\nreadonly_rootfs: 1\n", 2, 18, "rootfs = \"/r\";\nreadonly_rootfs = 1;\n",
              2, "readonly_rootfs", "expected true or false, got `1`");
}

static void test_hostname(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\nhostname: web-1.example\n",
              "rootfs = \"/r\";\nhostname = \"web-1.example\";\n");
    for (int i = 0; i < 2; i++) {
        assert_string_equal(l[i].p.hostname, "web-1.example");
        _cleanup_free_ char *h = profile_effective_hostname(&l[i].p);
        assert_string_equal(h, "web-1.example");
    }
    done_both(l);

    bad_value("rootfs: /r\nhostname: -web\n", 2, 11, "rootfs = \"/r\";\nhostname = \"-web\";\n", 2,
              "hostname", "`-web` is not a valid host name");
    bad_value("rootfs: /r\nhostname: a_b\n", 2, 11, "rootfs = \"/r\";\nhostname = \"a_b\";\n", 2,
              "hostname", "`a_b` is not a valid host name");
    /* A label holds at most 63 characters. */
    char label[70], yaml[128], conf[128];
    memset(label, 'a', 64);
    label[64] = '\0';
    snprintf(yaml, sizeof(yaml), "rootfs: /r\nhostname: %s\n", label);
    snprintf(conf, sizeof(conf), "rootfs = \"/r\";\nhostname = \"%s\";\n", label);
    bad_value(yaml, 2, 11, conf, 2, "hostname", "is not a valid host name");
    label[63] = '\0';
    snprintf(yaml, sizeof(yaml), "rootfs: /r\nhostname: %s\n", label);
    snprintf(conf, sizeof(conf), "rootfs = \"/r\";\nhostname = \"%s\";\n", label);
    load_both(l, yaml, conf);
    assert_string_equal(l[0].p.hostname, label);
    assert_string_equal(l[1].p.hostname, label);
    done_both(l);
    bad_value("rootfs: /r\nhostname: a..b\n", 2, 11, "rootfs = \"/r\";\nhostname = \"a..b\";\n", 2,
              "hostname", "is not a valid host name");
}

static void test_user(void **state)
{
    (void)state;
    static const char *const users[] = {"nobody",  "1000",    "1000:100",
                                        "www:www", "www:100", "0:staff"};
    for (size_t u = 0; u < ARRAY_SIZE(users); u++) {
        char yaml[64], conf[64];
        snprintf(yaml, sizeof(yaml), "rootfs: /r\nuser: \"%s\"\n", users[u]);
        snprintf(conf, sizeof(conf), "rootfs = \"/r\";\nuser = \"%s\";\n", users[u]);
        struct loaded l[2];
        load_both(l, yaml, conf);
        assert_string_equal(l[0].p.user, users[u]);
        assert_string_equal(l[1].p.user, users[u]);
        done_both(l);
    }
    bad_value("rootfs: /r\nuser: a:b:c\n", 2, 7, "rootfs = \"/r\";\nuser = \"a:b:c\";\n", 2, "user",
              "`a:b:c` is not a user: expected NAME, UID");
    bad_value("rootfs: /r\nuser: 1bad\n", 2, 7, "rootfs = \"/r\";\nuser = \"1bad\";\n", 2, "user",
              "`1bad` is not a user");
    bad_value("rootfs: /r\nuser: 'www:'\n", 2, 7, "rootfs = \"/r\";\nuser = \"www:\";\n", 2, "user",
              "`www:` is not a user");
}

/* user_namespace: the keywords, and mappings kept in one normal form. */
static void test_user_namespace(void **state)
{
    (void)state;
    static const char *const in[][2] = {
        {"host", "host"},
        {"auto", "auto"},
        {"0:100000:65536", "0:100000:65536"},
        {" 0:1000:1 , 1:100000:65535", "0:1000:1,1:100000:65535"},
        {"uid:0:1000:1,gid:0:1001:1", "uid:0:1000:1,gid:0:1001:1"},
        {"gid:0:5:1,uid:0:5:1", "0:5:1"},
        {"0:4294967294:1", "0:4294967294:1"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(in); i++) {
        char yaml[128], conf[128];
        snprintf(yaml, sizeof(yaml), "rootfs: /r\nuser_namespace: \"%s\"\n", in[i][0]);
        snprintf(conf, sizeof(conf), "rootfs = \"/r\";\nuser_namespace = \"%s\";\n", in[i][0]);
        struct loaded l[2];
        load_both(l, yaml, conf);
        assert_string_equal(l[0].p.user_namespace, in[i][1]);
        assert_string_equal(l[1].p.user_namespace, in[i][1]);
        done_both(l);
    }
    struct loaded l[2];
    load_both(l, "rootfs: /r\n", "rootfs = \"/r\";\n");
    assert_null(l[0].p.user_namespace);
    assert_null(l[1].p.user_namespace);
    done_both(l);
    static const char *const bad[][2] = {
        {"none", "`none` is not a mapping"},
        {"0:1:0", "a count of 0 maps nothing"},
        {"0:4294967295:1", "the range goes past id 4294967294"},
        {"0:4294901760:65536", "the range goes past id 4294967294"},
        {"1000:200000:10", "container uid 0 is not mapped"},
        {"uid:0:1:1,gid:5:6:1", "container gid 0 is not mapped"},
        {"0:1:-1", "is not a mapping"},
        {"0:1:4294967296", "is not a mapping"},
        {"0:1:2:3", "is not a mapping"},
        {"0:100:10,5:200:10", "`5:200:10` maps container user ids already mapped by `0:100:10`"},
        {"0:100:10,10:105:10", "`10:105:10` maps host user ids already mapped"},
        {"uid:0:1:1", "no gid mapping"},
        {"0:1:1,", "an empty mapping between commas"},
        {"usr:0:1:1", "is not a mapping"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char yaml[128], conf[128];
        snprintf(yaml, sizeof(yaml), "rootfs: /r\nuser_namespace: \"%s\"\n", bad[i][0]);
        snprintf(conf, sizeof(conf), "rootfs = \"/r\";\nuser_namespace = \"%s\";\n", bad[i][0]);
        bad_value(yaml, 2, 17, conf, 2, "user_namespace", bad[i][1]);
    }
}

static void test_workdir(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\nworkdir: /srv//app/\n",
              "rootfs = \"/r\";\nworkdir = \"/srv//app/\";\n");
    for (int i = 0; i < 2; i++)
        assert_string_equal(l[i].p.workdir, "/srv/app");
    done_both(l);

    bad_value("rootfs: /r\nworkdir: srv\n", 2, 10, "rootfs = \"/r\";\nworkdir = \"srv\";\n", 2,
              "workdir", "`srv` is not an absolute path");
    bad_value("rootfs: /r\nworkdir: /a/../b\n", 2, 10, "rootfs = \"/r\";\nworkdir = \"/a/../b\";\n",
              2, "workdir", "`/a/../b` contains `..`");
}

static void test_env(void **state)
{
    (void)state;
    struct loaded l[2];
    /* The map form; values are strings whatever they look like. */
    load_both(l, "rootfs: /r\nenv:\n  FOO: bar\n  N: 1\n  EMPTY: ''\n  _X: y\n",
              "rootfs = \"/r\";\nenv = { FOO = \"bar\"; N = 1; EMPTY = \"\"; };\n");
    for (int i = 0; i < 2; i++) {
        assert_env(&l[i].p, 0, "FOO", "bar");
        assert_env(&l[i].p, 1, "N", "1");
        assert_env(&l[i].p, 2, "EMPTY", "");
    }
    assert_int_equal(l[0].p.n_env, 4);
    assert_env(&l[0].p, 3, "_X", "y");
    assert_int_equal(l[1].p.n_env, 3);
    done_both(l);
    /* The list form, which libconfig needs for names that are not setting names. */
    load_both(l, "rootfs: /r\nenv: [_FOO=x, 'A=b=c', E=]\n",
              "rootfs = \"/r\";\nenv = [\"_FOO=x\", \"A=b=c\", \"E=\"];\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_env, 3);
        assert_env(&l[i].p, 0, "_FOO", "x");
        assert_env(&l[i].p, 1, "A", "b=c");
        assert_env(&l[i].p, 2, "E", "");
    }
    done_both(l);

    bad_yaml("rootfs: /r\nenv: {1X: a}\n", 2, 11, "env.1X", "`1X` is not a variable name");
    bad_value("rootfs: /r\nenv: [A-B=1]\n", 2, 7, "rootfs = \"/r\";\nenv = [\"A-B=1\"];\n", 2,
              "env[0]", "`A-B` is not a variable name: [A-Za-z_][A-Za-z0-9_]*");
    bad_value("rootfs: /r\nenv: {A-B: '1'}\n", 2, 12, "rootfs = \"/r\";\nenv = { A-B = \"1\"; };\n",
              2, "env.A-B", "`A-B` is not a variable name");
    bad_value("rootfs: /r\nenv: [FOO]\n", 2, 7, "rootfs = \"/r\";\nenv = [\"FOO\"];\n", 2, "env[0]",
              "`FOO` is not NAME=value");
    bad_value("rootfs: /r\nenv: [=x]\n", 2, 7, "rootfs = \"/r\";\nenv = [\"=x\"];\n", 2, "env[0]",
              "is not a variable name");
    bad_value("rootfs: /r\nenv: FOO=bar\n", 2, 6, "rootfs = \"/r\";\nenv = \"FOO=bar\";\n", 2,
              "env", "expected a map of NAME: value or a list of NAME=value");
    bad_value("rootfs: /r\nenv: [A=1, A=2]\n", 2, 12,
              "rootfs = \"/r\";\nenv = [\"A=1\", \"A=2\"];\n", 2, "env[1]", "`A` is set twice");
    bad_value("rootfs: /r\nenv: {A: [1]}\n", 2, 10, "rootfs = \"/r\";\nenv = { A = [1]; };\n", 2,
              "env.A", "expected a string, got a list");
    bad_yaml("rootfs: /r\nenv: {A: }\n", 2, 10, "env.A", "empty value");
}

static void test_command(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\ncommand: [/bin/echo, hello world, '']\n",
              "rootfs = \"/r\";\ncommand = [\"/bin/echo\", \"hello world\", \"\"];\n");
    for (int i = 0; i < 2; i++)
        ASSERT_COMMAND(&l[i].p, false, "/bin/echo", "hello world", "");
    done_both(l);
    /* One string runs through the shell. */
    load_both(l, "rootfs: /r\ncommand: echo hi; exit 3\n",
              "rootfs = \"/r\";\ncommand = \"echo hi; exit 3\";\n");
    for (int i = 0; i < 2; i++)
        ASSERT_COMMAND(&l[i].p, true, "/bin/sh", "-c", "echo hi; exit 3");
    done_both(l);

    bad_value("rootfs: /r\ncommand: []\n", 2, 10, "rootfs = \"/r\";\ncommand = [];\n", 2, "command",
              "empty command");
    bad_value("rootfs: /r\ncommand: ''\n", 2, 10, "rootfs = \"/r\";\ncommand = \"\";\n", 2,
              "command", "empty command");
    bad_value("rootfs: /r\ncommand: {a: b}\n", 2, 10,
              "rootfs = \"/r\";\ncommand = { a = \"b\"; };\n", 2, "command",
              "expected a list of strings or one string, got a map");
    bad_value("rootfs: /r\ncommand: ['', x]\n", 2, 11,
              "rootfs = \"/r\";\ncommand = [\"\", \"x\"];\n", 2, "command[0]",
              "the program name is empty");
    bad_yaml("rootfs: /r\ncommand: [a, [b]]\n", 2, 14, "command[1]",
             "expected a string, got a list");
}

static void test_limits_pids(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *conf;
        int64_t want;
    } ok[] = {
        {"1", "1", 1},
        {"4194304", "4194304", 4194304},
        {"unlimited", "\"unlimited\"", LIMIT_UNLIMITED},
        {"'100'", "\"100\"", 100},
    };
    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        char yaml[64], conf[64];
        snprintf(yaml, sizeof(yaml), "rootfs: /r\nlimits:\n  pids: %s\n", ok[i].yaml);
        snprintf(conf, sizeof(conf), "rootfs = \"/r\";\nlimits = {\n  pids = %s;\n};\n",
                 ok[i].conf);
        struct loaded l[2];
        load_both(l, yaml, conf);
        assert_int_equal(l[0].p.pids, ok[i].want);
        assert_int_equal(l[1].p.pids, ok[i].want);
        assert_int_equal(l[0].p.origin[KEY_PIDS].line, 3);
        assert_int_equal(l[1].p.origin[KEY_PIDS].line, 3);
        done_both(l);
    }
    static const char *const bad[] = {"0", "4194305", "-1", "1.5", "99999999999999999999999"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char yaml[96], conf[96], msg[96];
        snprintf(yaml, sizeof(yaml), "rootfs: /r\nlimits:\n  pids: %s\n", bad[i]);
        snprintf(conf, sizeof(conf), "rootfs = \"/r\";\nlimits = {\n  pids = \"%s\";\n};\n",
                 bad[i]);
        snprintf(msg, sizeof(msg), "`%s` is not a process limit: expected integer 1..4194304",
                 bad[i]);
        bad_value(yaml, 3, 9, conf, 3, "limits.pids", msg);
    }
    /* As a libconfig integer too. */
    struct loaded l;
    load(&l, "t.conf", "rootfs = \"/r\";\nlimits = {\n  pids = 4194305;\n};\n");
    expect_only_error(&l, 3, 0, "limits.pids", "`4194305` is not a process limit");
    done(&l);
    load(&l, "t.conf", "rootfs = \"/r\";\nlimits = {\n  pids = 0;\n};\n");
    expect_only_error(&l, 3, 0, "limits.pids", "`0` is not a process limit");
    done(&l);
}

static void test_limits_memory(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *conf;
        int64_t want;
    } ok[] = {
        {"512m", "\"512m\"", 512 * MIB},
        {"2g", "\"2g\"", 2 * GIB},
        {"2G", "\"2G\"", 2 * GIB},
        {"4m", "\"4m\"", 4 * MIB},
        {"4096k", "\"4096k\"", 4 * MIB},
        {"4194304", "4194304", 4194304},
        {"8589934592", "8589934592L", 8 * GIB},
        {"unlimited", "\"unlimited\"", LIMIT_UNLIMITED},
    };
    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        char yaml[64], conf[64];
        snprintf(yaml, sizeof(yaml), "rootfs: /r\nlimits:\n  memory: %s\n", ok[i].yaml);
        snprintf(conf, sizeof(conf), "rootfs = \"/r\";\nlimits = {\n  memory = %s;\n};\n",
                 ok[i].conf);
        struct loaded l[2];
        load_both(l, yaml, conf);
        assert_int_equal(l[0].p.memory, ok[i].want);
        assert_int_equal(l[1].p.memory, ok[i].want);
        done_both(l);
    }
    bad_value("rootfs: /r\nlimits:\n  memory: 512\n", 3, 11,
              "rootfs = \"/r\";\nlimits = {\n  memory = 512;\n};\n", 3, "limits.memory",
              "`512` is 512 bytes, below the 4m minimum; did you mean `512m`?");
    bad_value("rootfs: /r\nlimits:\n  memory: 4194303\n", 3, 11,
              "rootfs = \"/r\";\nlimits = {\n  memory = 4194303;\n};\n", 3, "limits.memory",
              "below the 4m minimum");
    bad_value("rootfs: /r\nlimits:\n  memory: 3m\n", 3, 11,
              "rootfs = \"/r\";\nlimits = {\n  memory = \"3m\";\n};\n", 3, "limits.memory",
              "`3m` is below the 4m minimum");
    bad_value("rootfs: /r\nlimits:\n  memory: 1.5g\n", 3, 11,
              "rootfs = \"/r\";\nlimits = {\n  memory = \"1.5g\";\n};\n", 3, "limits.memory",
              "`1.5g` is not a size");
    bad_value("rootfs: /r\nlimits:\n  memory: 1gb\n", 3, 11,
              "rootfs = \"/r\";\nlimits = {\n  memory = \"1gb\";\n};\n", 3, "limits.memory",
              "`1gb` is not a size");
    /* libconfig would wrap a literal past 32 bits without `L`: refused where it is written. */
    struct loaded wrap;
    load(&wrap, "t.conf", "rootfs = \"/r\";\nlimits = {\n  memory = 4294967296;\n};\n");
    expect_only_error(&wrap, 3, 12, NULL, "integer `4294967296` does not fit 32 bits");
    done(&wrap);
    /* A libconfig float is not a size either. */
    struct loaded l;
    load(&l, "t.conf", "rootfs = \"/r\";\nlimits = {\n  memory = 1.5;\n};\n");
    expect_only_error(&l, 3, 0, "limits.memory", "`1.5` is not a size");
    done(&l);
}

static void test_limits_memory_swap(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\nlimits: {memory: 1g, memory_swap: 2g}\n",
              "rootfs = \"/r\";\nlimits = { memory = \"1g\"; memory_swap = \"2g\"; };\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.memory, GIB);
        assert_int_equal(l[i].p.memory_swap, 2 * GIB);
    }
    done_both(l);
    /* Equal is fine; unlimited needs nothing. */
    load_both(l, "rootfs: /r\nlimits: {memory: 1g, memory_swap: 1024m}\n",
              "rootfs = \"/r\";\nlimits = { memory = \"1g\"; memory_swap = \"1024m\"; };\n");
    assert_int_equal(l[0].p.memory_swap, GIB);
    assert_int_equal(l[1].p.memory_swap, GIB);
    done_both(l);
    load_both(l, "rootfs: /r\nlimits: {memory_swap: unlimited}\n",
              "rootfs = \"/r\";\nlimits = { memory_swap = \"unlimited\"; };\n");
    assert_int_equal(l[0].p.memory_swap, LIMIT_UNLIMITED);
    assert_int_equal(l[1].p.memory_swap, LIMIT_UNLIMITED);
    done_both(l);

    bad_value("rootfs: /r\nlimits:\n  memory_swap: 1x\n", 3, 16,
              "rootfs = \"/r\";\nlimits = {\n  memory_swap = \"1x\";\n};\n", 3,
              "limits.memory_swap", "`1x` is not a size");
    /* No memory limit: located at memory_swap, line only (a check across keys). */
    bad_value("rootfs: /r\nlimits:\n  memory_swap: 2g\n", 3, 0,
              "rootfs = \"/r\";\nlimits = {\n  memory_swap = \"2g\";\n};\n", 3,
              "limits.memory_swap", "needs limits.memory");
    /* Less than memory: the later of the two keys is cited, with a note at the other. */
    static const char *const yaml[] = {
        "rootfs: /r\nlimits:\n  memory: 2g\n  memory_swap: 1g\n",
        "rootfs: /r\nlimits:\n  memory_swap: 1g\n  memory: 2g\n",
    };
    static const char *const conf[] = {
        "rootfs = \"/r\";\nlimits = {\n  memory = \"2g\";\n  memory_swap = \"1g\";\n};\n",
        "rootfs = \"/r\";\nlimits = {\n  memory_swap = \"1g\";\n  memory = \"2g\";\n};\n",
    };
    for (int order = 0; order < 2; order++) {
        const char *later = order == 0 ? "limits.memory_swap" : "limits.memory";
        const char *earlier = order == 0 ? "limits.memory" : "limits.memory_swap";
        for (int f = 0; f < 2; f++) {
            struct loaded one;
            load(&one, f ? "t.conf" : "t.yaml", f ? conf[order] : yaml[order]);
            expect_error(&one, 4, 0, later,
                         "`1g` is less than limits.memory (`2g`); memory_swap counts memory plus "
                         "swap");
            expect_diag(&one.d, DIAG_NOTE, one.path, 3, 0, earlier, "set here");
            assert_errors(&one.d, 1);
            done(&one);
        }
    }
}

static void test_limits_cpu_shares(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *conf;
        int64_t want;
    } ok[] = {
        {"2", "2", 2},
        {"1024", "0x400", 1024},
        {"262144", "262144", 262144},
    };
    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        char yaml[64], conf[64];
        snprintf(yaml, sizeof(yaml), "rootfs: /r\nlimits:\n  cpu_shares: %s\n", ok[i].yaml);
        snprintf(conf, sizeof(conf), "rootfs = \"/r\";\nlimits = {\n  cpu_shares = %s;\n};\n",
                 ok[i].conf);
        struct loaded l[2];
        load_both(l, yaml, conf);
        assert_int_equal(l[0].p.cpu_shares, ok[i].want);
        assert_int_equal(l[1].p.cpu_shares, ok[i].want);
        done_both(l);
    }
    static const char *const bad[] = {"1", "262145", "0", "unlimited", "1.5"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char yaml[96], conf[96], msg[96];
        snprintf(yaml, sizeof(yaml), "rootfs: /r\nlimits:\n  cpu_shares: %s\n", bad[i]);
        snprintf(conf, sizeof(conf), "rootfs = \"/r\";\nlimits = {\n  cpu_shares = \"%s\";\n};\n",
                 bad[i]);
        snprintf(msg, sizeof(msg), "`%s` is out of range: expected integer 2..262144", bad[i]);
        bad_value(yaml, 3, 15, conf, 3, "limits.cpu_shares", msg);
    }
}

static void test_limits_cpus(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *conf;
        int64_t want;
    } ok[] = {
        {"0.01", "0.01", 1000},
        {"1.5", "1.5", 150000},
        {"2", "2", 200000},
        {"'0.25'", "\"0.25\"", 25000},
        {"1024", "1024.0", 1024 * 100000LL},
    };
    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        char yaml[64], conf[64];
        snprintf(yaml, sizeof(yaml), "rootfs: /r\nlimits:\n  cpus: %s\n", ok[i].yaml);
        snprintf(conf, sizeof(conf), "rootfs = \"/r\";\nlimits = {\n  cpus = %s;\n};\n",
                 ok[i].conf);
        struct loaded l[2];
        load_both(l, yaml, conf);
        assert_int_equal(l[0].p.cpu_quota, ok[i].want);
        assert_int_equal(l[1].p.cpu_quota, ok[i].want);
        done_both(l);
    }
    static const char *const bad[] = {"0.001", "0", "-1", "1.", "abc", "0.009"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char yaml[96], conf[96], msg[96];
        snprintf(yaml, sizeof(yaml), "rootfs: /r\nlimits:\n  cpus: %s\n", bad[i]);
        snprintf(conf, sizeof(conf), "rootfs = \"/r\";\nlimits = {\n  cpus = \"%s\";\n};\n",
                 bad[i]);
        snprintf(msg, sizeof(msg), "`%s` is not a CPU quota", bad[i]);
        bad_value(yaml, 3, 9, conf, 3, "limits.cpus", msg);
    }
    struct loaded l;
    load(&l, "t.conf", "rootfs = \"/r\";\nlimits = {\n  cpus = 0.001;\n};\n");
    expect_only_error(&l, 3, 0, "limits.cpus", "`0.001` is not a CPU quota");
    done(&l);
}

static void test_limits_map(void **state)
{
    (void)state;
    bad_value("rootfs: /r\nlimits: 512m\n", 2, 9, "rootfs = \"/r\";\nlimits = \"512m\";\n", 2,
              "limits", "expected a map of limits, got a value");
    bad_value("rootfs: /r\nlimits:\n  memroy: 1g\n", 3, 3,
              "rootfs = \"/r\";\nlimits = {\n  memroy = \"1g\";\n};\n", 3, "limits.memroy",
              "unknown key; did you mean `memory`?");
    bad_value("rootfs: /r\nlimits:\n  cpu: 1\n", 3, 3,
              "rootfs = \"/r\";\nlimits = {\n  cpu = 1;\n};\n", 3, "limits.cpu",
              "unknown key; did you mean `cpus`?");
}

static void test_mounts_string(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(
        l, "rootfs: /r\nmounts: [/srv/data:/data, 'src:/opt/x/:ro', /a:/b:rw]\n",
        "rootfs = \"/r\";\nmounts = [\"/srv/data:/data\", \"src:/opt/x/:ro\", \"/a:/b:rw\"];\n");
    _cleanup_free_ char *src = in_tmp("src");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_mounts, 3);
        assert_mount(&l[i].p.mounts[0], "/data", MOUNT_BIND, "/srv/data", false, NULL);
        assert_mount(&l[i].p.mounts[1], "/opt/x", MOUNT_BIND, src, true, NULL);
        assert_mount(&l[i].p.mounts[2], "/b", MOUNT_BIND, "/a", false, NULL);
    }
    done_both(l);

    static const char *const bad[] = {"/a", "/a:", ":/b", "/a:/b:rx", "/a:/b:ro:x", "/a::ro"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char yaml[96], conf[96], msg[96];
        snprintf(yaml, sizeof(yaml), "rootfs: /r\nmounts:\n  - '%s'\n", bad[i]);
        snprintf(conf, sizeof(conf), "rootfs = \"/r\";\nmounts = [\"%s\"];\n", bad[i]);
        snprintf(msg, sizeof(msg), "`%s` is not SRC:DEST or SRC:DEST:ro", bad[i]);
        bad_value(yaml, 3, 5, conf, 2, "mounts[0]", msg);
    }
    bad_value("rootfs: /r\nmounts: [/a:/ok, /a:data]\n", 2, 18,
              "rootfs = \"/r\";\nmounts = [\"/a:/ok\", \"/a:data\"];\n", 2, "mounts[1]",
              "`data` is not an absolute path");
    bad_value("rootfs: /r\nmounts: /a:/b\n", 2, 9, "rootfs = \"/r\";\nmounts = \"/a:/b\";\n", 2,
              "mounts", "expected a list of mounts, got a value");
}

static void test_mounts_map(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l,
              "rootfs: /r\n"
              "mounts:\n"
              "  - {source: data, target: /data, readonly: true}\n"
              "  - {type: bind, source: /x, target: /y, readonly: false}\n"
              "  - {type: tmpfs, target: /run, options: 'size=64m,mode=1777'}\n"
              "  - {type: tmpfs, target: /cache, options: 'size=50%,nr_inodes=1k,uid=0,gid=0,"
              "noexec,nosuid,nodev'}\n"
              "  - {type: none, target: /gone}\n",
              "rootfs = \"/r\";\n"
              "mounts = (\n"
              "  { source = \"data\"; target = \"/data\"; readonly = true; },\n"
              "  { type = \"bind\"; source = \"/x\"; target = \"/y\"; readonly = false; },\n"
              "  { type = \"tmpfs\"; target = \"/run\"; options = \"size=64m,mode=1777\"; },\n"
              "  { type = \"tmpfs\"; target = \"/cache\"; options = "
              "\"size=50%,nr_inodes=1k,uid=0,gid=0,noexec,nosuid,nodev\"; },\n"
              "  { type = \"none\"; target = \"/gone\"; }\n"
              ");\n");
    _cleanup_free_ char *data = in_tmp("data");
    for (int i = 0; i < 2; i++) {
        /* A `none` with nothing to remove is a no-op. */
        assert_int_equal(l[i].p.n_mounts, 4);
        assert_mount(&l[i].p.mounts[0], "/data", MOUNT_BIND, data, true, NULL);
        assert_mount(&l[i].p.mounts[1], "/y", MOUNT_BIND, "/x", false, NULL);
        assert_mount(&l[i].p.mounts[2], "/run", MOUNT_TMPFS, NULL, false, "size=64m,mode=1777");
        assert_mount(&l[i].p.mounts[3], "/cache", MOUNT_TMPFS, NULL, false,
                     "size=50%,nr_inodes=1k,uid=0,gid=0,noexec,nosuid,nodev");
        assert_int_equal(l[i].p.mounts[2].origin.line, 5);
    }
    done_both(l);
}

static void test_mounts_map_errors(void **state)
{
    (void)state;
    bad_value("rootfs: /r\nmounts:\n  - {target: /data}\n", 3, 5,
              "rootfs = \"/r\";\nmounts = (\n  { target = \"/data\"; }\n);\n", 3, "mounts[0]",
              "a bind mount needs a source");
    bad_value("rootfs: /r\nmounts:\n  - {source: /x}\n", 3, 5,
              "rootfs = \"/r\";\nmounts = (\n  { source = \"/x\"; }\n);\n", 3, "mounts[0]",
              "a mount needs a target");
    bad_value("rootfs: /r\nmounts:\n  - {type: tmpfs, source: x, target: /run}\n", 3, 5,
              "rootfs = \"/r\";\nmounts = (\n  { type = \"tmpfs\"; source = \"x\"; target = "
              "\"/run\"; }\n);\n",
              3, "mounts[0]", "a tmpfs mount takes no source");
    bad_value("rootfs: /r\nmounts:\n  - {type: none, source: x, target: /run}\n", 3, 5,
              "rootfs = \"/r\";\nmounts = (\n  { type = \"none\"; source = \"x\"; target = "
              "\"/run\"; }\n);\n",
              3, "mounts[0]", "mount takes no source");
    bad_value("rootfs: /r\nmounts:\n  - {source: /x, target: /y, options: size=1m}\n", 3, 39,
              "rootfs = \"/r\";\nmounts = (\n  { source = \"/x\"; target = \"/y\"; options = "
              "\"size=1m\"; }\n);\n",
              3, "mounts[0].options", "`size=1m` is not an option of a bind mount");
    bad_value("rootfs: /r\nmounts:\n  - {type: tmpfs, target: /run, options: 'size=1m,bogus'}\n", 3,
              42,
              "rootfs = \"/r\";\nmounts = (\n  { type = \"tmpfs\"; target = \"/run\"; options = "
              "\"size=1m,bogus\"; }\n);\n",
              3, "mounts[0].options", "`bogus` is not an option of a tmpfs mount");
    static const char *const bad_opts[] = {"size=1x",   "mode=999", "mode=17",           "size=0",
                                           "size=101%", "uid=-1",   "size=1m,,mode=1777"};
    for (size_t i = 0; i < ARRAY_SIZE(bad_opts); i++) {
        char yaml[128], conf[160];
        snprintf(yaml, sizeof(yaml),
                 "rootfs: /r\nmounts:\n  - type: tmpfs\n    target: /run\n    options: '%s'\n",
                 bad_opts[i]);
        snprintf(conf, sizeof(conf),
                 "rootfs = \"/r\";\nmounts = (\n  { type = \"tmpfs\";\n    target = \"/run\";\n"
                 "    options = \"%s\"; }\n);\n",
                 bad_opts[i]);
        bad_value(yaml, 5, 14, conf, 5, "mounts[0].options", "is not an option of a tmpfs mount");
    }
    bad_value("rootfs: /r\nmounts:\n  - type: overlay\n    target: /x\n", 3, 11,
              "rootfs = \"/r\";\nmounts = (\n  { type = \"overlay\";\n    target = \"/x\"; }\n);\n",
              3, "mounts[0].type", "`overlay` is not a mount type: bind, tmpfs, none, proc, sysfs, devpts, mqueue or cgroup");
    bad_value("rootfs: /r\nmounts:\n  - source: /x\n    target: /y\n    readonly: yes\n", 5, 15,
              "rootfs = \"/r\";\nmounts = (\n  { source = \"/x\";\n    target = \"/y\";\n"
              "    readonly = \"yes\"; }\n);\n",
              5, "mounts[0].readonly", "`yes` is not a boolean here");
    /* An unknown field, with a suggestion for a near miss. */
    bad_value("rootfs: /r\nmounts:\n  - target: /t\n    tpye: tmpfs\n", 4, 5,
              "rootfs = \"/r\";\nmounts = (\n  { target = \"/t\";\n    tpye = \"tmpfs\"; }\n);\n",
              4, "mounts[0].tpye", "unknown mount field; did you mean `type`?");
    bad_value("rootfs: /r\nmounts:\n  - target: /t\n    flavour: x\n", 4, 5,
              "rootfs = \"/r\";\nmounts = (\n  { target = \"/t\";\n    flavour = \"x\"; }\n);\n", 4,
              "mounts[0].flavour",
              "unknown mount field; known: target, type, source, readonly, suid, dev, idmap, options");
}

/* A bind is nosuid,nodev unless its suid and dev keys, or else its options, say otherwise. */
/* idmap: a bind's, in both formats, and only with a user namespace of root's. */
static void test_mounts_idmap(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l,
              "rootfs: /r\nuser_namespace: auto\nmounts:\n"
              "  - {source: /a, target: /mapped, idmap: true}\n"
              "  - {source: /a, target: /plain, idmap: false}\n",
              "rootfs = \"/r\";\nuser_namespace = \"auto\";\nmounts = (\n"
              "  { source = \"/a\"; target = \"/mapped\"; idmap = true; },\n"
              "  { source = \"/a\"; target = \"/plain\"; idmap = false; }\n);\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_mounts, 2);
        assert_true(l[i].p.mounts[0].idmap);
        assert_false(l[i].p.mounts[1].idmap);
    }
    done_both(l);
    bad_value("rootfs: /r\nuser_namespace: auto\nmounts: [{type: tmpfs, target: /t, idmap: true}]\n",
              3, 43,
              "rootfs = \"/r\";\nuser_namespace = \"auto\";\n"
              "mounts = ({ type = \"tmpfs\"; target = \"/t\"; idmap = true; });\n",
              3, "mounts[0].idmap", "only a bind mount takes `idmap`");
    for (int f = 0; f < 2; f++) {
        struct loaded x;
        load(&x, f ? "t.conf" : "t.yaml",
             f ? "rootfs = \"/r\";\nmounts = ({ source = \"/a\"; target = \"/m\"; idmap = true; });\n"
               : "rootfs: /r\nmounts: [{source: /a, target: /m, idmap: true}]\n");
        expect_error(&x, 2, 0, "mounts", "idmap maps a bind to the container's user namespace");
        done(&x);
    }
}

static void test_mounts_suid_dev(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(
        l,
        "rootfs: /r\nmounts:\n"
        "  - /a:/plain\n"
        "  - {source: /a, target: /open, suid: true, dev: true}\n"
        "  - {source: /a, target: /half, dev: true, options: 'nosuid,noexec'}\n"
        "  - {source: /a, target: /words, options: 'suid,ro,dev'}\n"
        "  - {source: /a, target: /last, options: 'suid,nosuid,nodev,dev'}\n"
        "  - {source: /a, target: /same, suid: true, dev: false, options: 'suid,nodev'}\n"
        "  - {type: tmpfs, target: /run, options: 'suid,dev'}\n",
        "rootfs = \"/r\";\nmounts = (\n"
        "  \"/a:/plain\",\n"
        "  { source = \"/a\"; target = \"/open\"; suid = true; dev = true; },\n"
        "  { source = \"/a\"; target = \"/half\"; dev = true; options = \"nosuid,noexec\"; },\n"
        "  { source = \"/a\"; target = \"/words\"; options = \"suid,ro,dev\"; },\n"
        "  { source = \"/a\"; target = \"/last\"; options = \"suid,nosuid,nodev,dev\"; },\n"
        "  { source = \"/a\"; target = \"/same\"; suid = true; dev = false; "
        "options = \"suid,nodev\"; },\n"
        "  { type = \"tmpfs\"; target = \"/run\"; options = \"suid,dev\"; }\n);\n");
    /* The words leave a bind's options: its keys alone say it, and --print prints those. */
    static const struct {
        bool suid, dev;
        const char *options;
    } want[] = {
        {false, false, NULL}, {true, true, NULL},  {false, true, "noexec"},
        {true, true, "ro"},   {false, true, NULL}, {true, false, NULL},
    };
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_mounts, ARRAY_SIZE(want) + 1);
        for (size_t j = 0; j < ARRAY_SIZE(want); j++) {
            const struct profile_mount *m = &l[i].p.mounts[j];
            assert_int_equal(m->type, MOUNT_BIND);
            assert_int_equal(m->suid, want[j].suid);
            assert_int_equal(m->dev, want[j].dev);
            if (want[j].options)
                assert_string_equal(m->options, want[j].options);
            else
                assert_null(m->options);
        }
        /* Other types keep the words among their options. */
        assert_mount(&l[i].p.mounts[6], "/run", MOUNT_TMPFS, NULL, false, "suid,dev");
    }
    done_both(l);

    /* A word that says the opposite of its key: an error at the key. */
    bad_value("rootfs: /r\nmounts:\n  - source: /a\n    target: /b\n    suid: true\n"
              "    options: 'ro,nosuid'\n",
              5, 11,
              "rootfs = \"/r\";\nmounts = (\n  { source = \"/a\";\n    target = \"/b\";\n"
              "    suid = true;\n    options = \"ro,nosuid\"; }\n);\n",
              5, "mounts[0].suid", "`true` contradicts `nosuid` among the options");
    bad_value("rootfs: /r\nmounts:\n  - source: /a\n    target: /b\n    options: dev\n"
              "    dev: false\n",
              6, 10,
              "rootfs = \"/r\";\nmounts = (\n  { source = \"/a\";\n    target = \"/b\";\n"
              "    options = \"dev\";\n    dev = false; }\n);\n",
              6, "mounts[0].dev", "`false` contradicts `dev` among the options");
    /* The keys are a bind's. */
    bad_value("rootfs: /r\nmounts:\n  - type: tmpfs\n    target: /run\n    suid: true\n", 5, 11,
              "rootfs = \"/r\";\nmounts = (\n  { type = \"tmpfs\";\n    target = \"/run\";\n"
              "    suid = true; }\n);\n",
              5, "mounts[0].suid",
              "only a bind mount takes `suid`; a tmpfs mount says suid or dev among its options");
    bad_value("rootfs: /r\nmounts:\n  - type: none\n    target: /run\n    dev: false\n", 5, 10,
              "rootfs = \"/r\";\nmounts = (\n  { type = \"none\";\n    target = \"/run\";\n"
              "    dev = false; }\n);\n",
              5, "mounts[0].dev", "only a bind mount takes `dev`");
    bad_value("rootfs: /r\nmounts:\n  - source: /a\n    target: /b\n    dev: yes\n", 5, 10,
              "rootfs = \"/r\";\nmounts = (\n  { source = \"/a\";\n    target = \"/b\";\n"
              "    dev = \"yes\"; }\n);\n",
              5, "mounts[0].dev", "`yes` is not a boolean here");
}

static void test_mounts_targets(void **state)
{
    (void)state;
    /* Targets: absolute, no `..`, not `/`, not under /proc, /sys or /dev except /dev/shm. */
    /*
     * A bad path is reported at the target's value (line 4); a target that
     * is a good path but not allowed, at the whole mount (line 3).
     */
    static const struct {
        const char *target;
        bool at_value;
        const char *msg;
    } bad[] = {
        {"data", true, "`data` is not an absolute path"},
        {"/a/../etc", true, "`/a/../etc` contains `..`"},
        {"/..", true, "contains `..`"},
        {"/", false, "cannot mount over `/`"},
        {"//.", false, "cannot mount over `/`"},
        {"/proc", false, "`/proc` takes a proc mount in place of congo's own"},
        {"/proc/sys", false, "target `/proc/sys` is under /proc"},
        {"/sys/fs/cgroup", false, "`/sys/fs/cgroup` takes a cgroup mount in place of congo's "
                                  "own, or `none` to go without"},
        {"/sys/kernel", false, "target `/sys/kernel` is under /sys"},
        {"/dev", false, "`/dev` takes a tmpfs mount in place of congo's own"},
        {"/dev/pts", false, "`/dev/pts` takes a devpts mount"},
        {"/dev/pts/0", false, "target `/dev/pts/0` is under /dev/pts"},
        {"/./dev//mqueue/", false, "`/dev/mqueue` takes a mqueue mount"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        char yaml[128], conf[128];
        snprintf(yaml, sizeof(yaml), "rootfs: /r\nmounts:\n  - source: /x\n    target: '%s'\n",
                 bad[i].target);
        snprintf(conf, sizeof(conf),
                 "rootfs = \"/r\";\nmounts = (\n  { source = \"/x\";\n    target = \"%s\"; }\n);\n",
                 bad[i].target);
        bool v = bad[i].at_value;
        bad_value(yaml, v ? 4 : 3, v ? 13 : 5, conf, v ? 4 : 3,
                  v ? "mounts[0].target" : "mounts[0]", bad[i].msg);
    }
    struct loaded l[2];
    load_both(l,
              "rootfs: /r\nmounts:\n  - {type: tmpfs, target: /dev/shm}\n  - {type: tmpfs, target: "
              "/tmp}\n  - /host:/dev/shm/sub\n  - /host:/devices\n  - /host:/process\n",
              "rootfs = \"/r\";\nmounts = (\n  { type = \"tmpfs\"; target = \"/dev/shm\"; },\n"
              "  { type = \"tmpfs\"; target = \"/tmp\"; },\n  \"/host:/dev/shm/sub\",\n"
              "  \"/host:/devices\",\n  \"/host:/process\"\n);\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_mounts, 5);
        assert_mount(&l[i].p.mounts[0], "/dev/shm", MOUNT_TMPFS, NULL, false, NULL);
        assert_mount(&l[i].p.mounts[1], "/tmp", MOUNT_TMPFS, NULL, false, NULL);
        assert_mount(&l[i].p.mounts[2], "/dev/shm/sub", MOUNT_BIND, "/host", false, NULL);
        assert_mount(&l[i].p.mounts[3], "/devices", MOUNT_BIND, "/host", false, NULL);
        assert_mount(&l[i].p.mounts[4], "/process", MOUNT_BIND, "/host", false, NULL);
    }
    done_both(l);
}

/* The kernel's file systems at their places, `none` for built-in ones, and every type's options. */
static void test_mounts_kernel(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l,
              "rootfs: /r\nmounts:\n"
              "  - {target: /proc, type: proc, options: 'nosuid,hidepid=invisible'}\n"
              "  - {target: /dev/pts, type: devpts, options: 'newinstance,ptmxmode=0666,gid=5'}\n"
              "  - {target: /dev/mqueue, type: mqueue, options: 'nosuid,noexec,nodev'}\n"
              "  - {target: /sys, type: sysfs, options: 'ro,relatime'}\n"
              "  - {target: /sys/fs/cgroup, type: cgroup, options: rw}\n"
              "  - {target: /tmp, type: none}\n"
              "  - {target: /dev/termination-log, source: /x, options: 'bind,nosuid,noatime'}\n",
              "rootfs = \"/r\";\nmounts = (\n"
              "  { target = \"/proc\"; type = \"proc\"; options = \"nosuid,hidepid=invisible\"; },\n"
              "  { target = \"/dev/pts\"; type = \"devpts\"; options = "
              "\"newinstance,ptmxmode=0666,gid=5\"; },\n"
              "  { target = \"/dev/mqueue\"; type = \"mqueue\"; options = \"nosuid,noexec,nodev\"; },\n"
              "  { target = \"/sys\"; type = \"sysfs\"; options = \"ro,relatime\"; },\n"
              "  { target = \"/sys/fs/cgroup\"; type = \"cgroup\"; options = \"rw\"; },\n"
              "  { target = \"/tmp\"; type = \"none\"; },\n"
              "  { target = \"/dev/termination-log\"; source = \"/x\"; options = "
              "\"bind,nosuid,noatime\"; }\n);\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_mounts, 7);
        assert_mount(&l[i].p.mounts[0], "/proc", MOUNT_PROC, NULL, false, "nosuid,hidepid=invisible");
        assert_mount(&l[i].p.mounts[1], "/dev/pts", MOUNT_DEVPTS, NULL, false,
                     "newinstance,ptmxmode=0666,gid=5");
        assert_mount(&l[i].p.mounts[2], "/dev/mqueue", MOUNT_MQUEUE, NULL, false,
                     "nosuid,noexec,nodev");
        assert_mount(&l[i].p.mounts[3], "/sys", MOUNT_SYSFS, NULL, false, "ro,relatime");
        assert_mount(&l[i].p.mounts[4], "/sys/fs/cgroup", MOUNT_CGROUP, NULL, false, "rw");
        assert_mount(&l[i].p.mounts[5], "/tmp", MOUNT_NONE, NULL, false, NULL);
        /* A bind's nosuid is its suid key's to say. */
        assert_mount(&l[i].p.mounts[6], "/dev/termination-log", MOUNT_BIND, "/x", false,
                     "bind,noatime");
        assert_false(l[i].p.mounts[6].suid);
        assert_false(l[i].p.mounts[6].dev);
    }
    done_both(l);
    bad_value("rootfs: /r\nmounts:\n  - {target: /data, type: proc}\n", 3, 5,
              "rootfs = \"/r\";\nmounts = (\n  { target = \"/data\"; type = \"proc\"; }\n);\n", 3,
              "mounts[0]", "a proc mount goes at `/proc` only");
    bad_value("rootfs: /r\nmounts:\n  - {target: /dev, type: none}\n", 3, 5,
              "rootfs = \"/r\";\nmounts = (\n  { target = \"/dev\"; type = \"none\"; }\n);\n", 3,
              "mounts[0]", "`/dev` takes a tmpfs mount in place of congo's own");
    bad_value("rootfs: /r\nmounts:\n  - {target: /dev/pts, type: devpts, options: 'mode=0620,max=x'}\n",
              3, 47,
              "rootfs = \"/r\";\nmounts = (\n  { target = \"/dev/pts\"; type = \"devpts\"; options = "
              "\"mode=0620,max=x\"; }\n);\n",
              3, "mounts[0].options", "`max=x` is not an option of a devpts mount");
    bad_value("rootfs: /r\nmounts:\n  - {target: /data, source: /x, options: rshared}\n", 3, 42,
              "rootfs = \"/r\";\nmounts = (\n  { target = \"/data\"; source = \"/x\"; options = "
              "\"rshared\"; }\n);\n",
              3, "mounts[0].options", "`rshared` is not an option of a bind mount");
    bad_value("rootfs: /r\nmounts:\n  - {target: /tmp, type: none, options: ro}\n", 3, 41,
              "rootfs = \"/r\";\nmounts = (\n  { target = \"/tmp\"; type = \"none\"; options = "
              "\"ro\"; }\n);\n",
              3, "mounts[0].options", "a `none` mount takes no options");
    bad_value("rootfs: /r\nmounts:\n  - {target: /x, type: nfs}\n", 3, 24,
              "rootfs = \"/r\";\nmounts = (\n  { target = \"/x\"; type = \"nfs\"; }\n);\n", 3,
              "mounts[0].type", "`nfs` is not a mount type");
}

static void test_cgroup_path(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\ncgroup_path: /ci/job-1\n",
              "rootfs = \"/r\";\ncgroup_path = \"/ci/job-1\";\n");
    for (int i = 0; i < 2; i++)
        assert_string_equal(l[i].p.cgroup_path, "/ci/job-1");
    done_both(l);
    bad_value("rootfs: /r\ncgroup_path: ci/job\n", 2, 14, "rootfs = \"/r\";\ncgroup_path = \"ci/job\";\n",
              2, "cgroup_path", "`ci/job` is not absolute");
    struct loaded one;
    load(&one, "t.yaml", "rootfs: /r\ncgroup_parent: /a\ncgroup_path: /a/b\n");
    assert_non_null(test_find_diag(&one.d, "cgroup_path names the container's cgroup itself"));
    done(&one);
    load(&one, "t.yaml", "rootfs: /r\ncgroup_path: /\n");
    assert_non_null(test_find_diag(&one.d, "the root cgroup holds the whole host"));
    done(&one);
}

static void test_upper_none(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\nupper: none\n", "rootfs = \"/r\";\nupper = \"none\";\n");
    for (int i = 0; i < 2; i++)
        assert_string_equal(l[i].p.upper, PROFILE_UPPER_NONE);
    done_both(l);
    /* A directory called none is ./none. */
    load_both(l, "rootfs: /r\nupper: ./none\n", "rootfs = \"/r\";\nupper = \"./none\";\n");
    for (int i = 0; i < 2; i++)
        assert_non_null(strstr(l[i].p.upper, "/none"));
    done_both(l);
    struct loaded one;
    load(&one, "t.yaml", "rootfs: /r\nlayers: [/l]\nupper: none\n");
    assert_true(one.d.n_errors > 0);
    assert_non_null(strstr(one.d.v[0].msg, "layers need an overlay"));
    done(&one);
}

static void test_paths_taken_back(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\nmasked_paths: ['!/proc/kcore', /data]\nreadonly_paths: ['!/proc/sys']\n",
              "rootfs = \"/r\";\nmasked_paths = [\"!/proc/kcore\", \"/data\"];\n"
              "readonly_paths = [\"!/proc/sys\"];\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_masked_paths, 2);
        assert_string_equal(l[i].p.masked_paths[0].path, "!/proc/kcore");
        assert_string_equal(l[i].p.masked_paths[1].path, "/data");
        assert_string_equal(l[i].p.readonly_paths[0].path, "!/proc/sys");
    }
    done_both(l);
    bad_value("rootfs: /r\nmasked_paths: ['!/data']\n", 2, 16,
              "rootfs = \"/r\";\nmasked_paths = [\"!/data\"];\n", 2, "masked_paths[0]",
              "`/data` is not one of congo's own masked_paths");
    bad_value("rootfs: /r\nreadonly_paths: ['!/proc/kcore']\n", 2, 18,
              "rootfs = \"/r\";\nreadonly_paths = [\"!/proc/kcore\"];\n", 2, "readonly_paths[0]",
              "`/proc/kcore` is not one of congo's own readonly_paths");
}

static void test_mounts_same_target(void **state)
{
    (void)state;
    /* Two spellings of one target in one file: an error at the second, a note at the first. */
    const char *yaml = "rootfs: /r\nmounts:\n  - /a:/data\n  - {type: tmpfs, target: /data/}\n";
    const char *conf =
        "rootfs = \"/r\";\nmounts = (\n  \"/a:/data\",\n  { type = \"tmpfs\"; target "
        "= \"/data/\"; }\n);\n";
    for (int f = 0; f < 2; f++) {
        struct loaded l;
        load(&l, f ? "t.conf" : "t.yaml", f ? conf : yaml);
        expect_error(&l, 4, f ? 0 : 5, "mounts[1]", "a second mount at `/data` in this file");
        expect_diag(&l.d, DIAG_NOTE, l.path, 3, 0, NULL, "the first is here");
        assert_errors(&l.d, 1);
        assert_int_equal(l.d.n, 2);
        done(&l);
    }
}

static void test_namespaces(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l,
              "rootfs: /r\nnamespaces: {cgroup: true, ipc: false, mount: true, net: false, pid: "
              "false, uts: false}\n",
              "rootfs = \"/r\";\nnamespaces = { cgroup = true; ipc = false; mount = true; net = "
              "false; pid = false; uts = false; };\n");
    for (int i = 0; i < 2; i++) {
        assert_true(l[i].p.ns[NS_CGROUP]);
        assert_false(l[i].p.ns[NS_IPC]);
        assert_true(l[i].p.ns[NS_MOUNT]);
        assert_false(l[i].p.ns[NS_NET]);
        assert_false(l[i].p.ns[NS_PID]);
        assert_false(l[i].p.ns[NS_UTS]);
        assert_int_equal(l[i].p.ns_origin[NS_NET].line, 2);
    }
    done_both(l);
    /* Defaults: all on but cgroup. */
    load_both(l, "rootfs: /r\n", "rootfs = \"/r\";\n");
    for (int i = 0; i < 2; i++) {
        for (int ns = 0; ns < NS__MAX; ns++)
            assert_int_equal(l[i].p.ns[ns], ns != NS_CGROUP);
        assert_true(l[i].p.init);
    }
    done_both(l);

    bad_value("rootfs: /r\nnamespaces:\n  mount: false\n", 3, 10,
              "rootfs = \"/r\";\nnamespaces = {\n  mount = false;\n};\n", 3, "namespaces.mount",
              "the mount namespace cannot be turned off");
    bad_value("rootfs: /r\nnamespaces:\n  user: true\n", 3, 3,
              "rootfs = \"/r\";\nnamespaces = {\n  user = true;\n};\n", 3, "namespaces.user",
              "the user namespace is the user_namespace key's");
    bad_value("rootfs: /r\nnamespaces:\n  time: false\n", 3, 3,
              "rootfs = \"/r\";\nnamespaces = {\n  time = false;\n};\n", 3, "namespaces.time",
              "the time namespace is not supported yet");
    bad_value("rootfs: /r\nnamespaces:\n  nte: false\n", 3, 3,
              "rootfs = \"/r\";\nnamespaces = {\n  nte = false;\n};\n", 3, "namespaces.nte",
              "unknown namespace; did you mean `net`?");
    bad_value("rootfs: /r\nnamespaces:\n  network: false\n", 3, 3,
              "rootfs = \"/r\";\nnamespaces = {\n  network = false;\n};\n", 3, "namespaces.network",
              "known: cgroup, ipc, mount, net, pid, uts");
    bad_value("rootfs: /r\nnamespaces:\n  net: off\n", 3, 8,
              "rootfs = \"/r\";\nnamespaces = {\n  net = \"off\";\n};\n", 3, "namespaces.net",
              "`off` is not a boolean here");
    bad_value("rootfs: /r\nnamespaces: [net]\n", 2, 13,
              "rootfs = \"/r\";\nnamespaces = [\"net\"];\n", 2, "namespaces",
              "expected a map of namespace: bool or path, got a list");
}

static void test_init(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\ninit: false\n", "rootfs = \"/r\";\ninit = false;\n");
    for (int i = 0; i < 2; i++)
        assert_false(l[i].p.init);
    done_both(l);
    load_both(l, "rootfs: /r\ninit: true\n", "rootfs = \"/r\";\ninit = TRUE;\n");
    for (int i = 0; i < 2; i++)
        assert_true(l[i].p.init);
    done_both(l);
    bad_value("rootfs: /r\ninit: no\n", 2, 7, "rootfs = \"/r\";\ninit = \"no\";\n", 2, "init",
              "`no` is not a boolean here; use true or false");
    bad_value("rootfs: /r\ninit: 0\n", 2, 7, "rootfs = \"/r\";\ninit = 0;\n", 2, "init",
              "expected true or false, got `0`");
}

static void test_cgroup_parent(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\ncgroup_parent: /a/b\n",
              "rootfs = \"/r\";\ncgroup_parent = \"/a/b\";\n");
    for (int i = 0; i < 2; i++)
        assert_string_equal(l[i].p.cgroup_parent, "/a/b");
    done_both(l);
    load_both(l, "rootfs: /r\ncgroup_parent: /system.slice/x@1.service/\n",
              "rootfs = \"/r\";\ncgroup_parent = \"/system.slice/x@1.service/\";\n");
    for (int i = 0; i < 2; i++)
        assert_string_equal(l[i].p.cgroup_parent, "/system.slice/x@1.service");
    done_both(l);
    load_both(l, "rootfs: /r\ncgroup_parent: auto\n",
              "rootfs = \"/r\";\ncgroup_parent = \"auto\";\n");
    for (int i = 0; i < 2; i++) {
        assert_null(l[i].p.cgroup_parent);
        assert_int_equal(l[i].p.origin[KEY_CGROUP_PARENT].line, 2);
    }
    done_both(l);

    bad_value("rootfs: /r\ncgroup_parent: a/b\n", 2, 16,
              "rootfs = \"/r\";\ncgroup_parent = \"a/b\";\n", 2, "cgroup_parent",
              "`a/b` is not absolute");
    bad_value("rootfs: /r\ncgroup_parent: /a/../b\n", 2, 16,
              "rootfs = \"/r\";\ncgroup_parent = \"/a/../b\";\n", 2, "cgroup_parent",
              "`/a/../b` is not a valid cgroup path");
    bad_value("rootfs: /r\ncgroup_parent: /..\n", 2, 16,
              "rootfs = \"/r\";\ncgroup_parent = \"/..\";\n", 2, "cgroup_parent",
              "`/..` is not a valid cgroup path");
    bad_value("rootfs: /r\ncgroup_parent: /a b\n", 2, 16,
              "rootfs = \"/r\";\ncgroup_parent = \"/a b\";\n", 2, "cgroup_parent",
              "is not a valid cgroup path");
}

/* ---- YAML specifics ---- */

static void test_yaml_booleans(void **state)
{
    (void)state;
    static const char *const words[] = {"yes", "no", "on", "off", "Yes", "OFF", "y", "n"};
    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        char yaml[64], msg[64];
        snprintf(yaml, sizeof(yaml), "rootfs: /r\ninit: %s\n", words[i]);
        snprintf(msg, sizeof(msg), "`%s` is not a boolean here; use true or false", words[i]);
        bad_yaml(yaml, 2, 7, "init", msg);
    }
}

static void test_yaml_nulls(void **state)
{
    (void)state;
    static const char *const nulls[] = {"", " ~", " null", " NULL"};
    for (size_t i = 0; i < ARRAY_SIZE(nulls); i++) {
        char yaml[64];
        snprintf(yaml, sizeof(yaml), "rootfs: /r\nhostname:%s\nuser: x\n", nulls[i]);
        struct loaded l;
        load(&l, "t.yaml", yaml);
        assert_int_equal(l.r, -1);
        assert_errors(&l.d, 1);
        const struct diag *g = test_find_diag(&l.d, "empty value; expected RFC 1123 host name");
        if (!g)
            fail_diags(&l.d, "no empty-value error");
        assert_string_equal(g->file, l.path);
        assert_string_equal(g->key, "hostname");
        assert_int_equal(g->line, 2);
        if (nulls[i][0])
            assert_int_equal(g->col, 11);
        done(&l);
    }
    /* Every type: a null is never a value. */
    bad_yaml("rootfs: /r\nlimits: {memory: ~}\n", 2, 18, "limits.memory", "empty value");
    bad_yaml("rootfs: /r\ninit: null\n", 2, 7, "init", "empty value; expected true or false");
    bad_yaml("rootfs: /r\nlayers: [~]\n", 2, 10, "layers[0]", "empty value; expected a path");
    bad_yaml("rootfs: ~\n", 1, 9, "rootfs", "empty value");
    bad_yaml("rootfs: /r\ncommand: ~\n", 2, 10, "command", "empty value");
    bad_yaml("rootfs: /r\nenv: ~\n", 2, 6, "env", "expected a map of NAME: value");
    /* Quoted, the same text is a string. */
    struct loaded l;
    load_ok(&l, "t.yaml", "rootfs: /r\nenv: {A: '~', B: \"null\"}\n");
    assert_string_equal(env_get(&l.p, "A"), "~");
    assert_string_equal(env_get(&l.p, "B"), "null");
    done(&l);
}

static void test_yaml_dotted_key(void **state)
{
    (void)state;
    bad_yaml("rootfs: /r\nlimits.memory: 1g\n", 2, 1, "limits.memory",
             "dotted keys are for --set; in a file, nest the key");
    bad_yaml("rootfs: /r\nenv.FOO: x\n", 2, 1, "env.FOO", "dotted keys are for --set");
}

static void test_unknown_keys(void **state)
{
    (void)state;
    bad_value("rootfs: /r\nhostnme: x\n", 2, 1, "rootfs = \"/r\";\nhostnme = \"x\";\n", 2,
              "hostnme", "unknown key; did you mean `hostname`?");
    bad_value("rootfs: /r\nlimts: {memory: 1g}\n", 2, 1,
              "rootfs = \"/r\";\nlimts = { memory = \"1g\"; };\n", 2, "limts",
              "unknown key; did you mean `limits`?");
    bad_value("rootfs: /r\nmount: [/a:/b]\n", 2, 1, "rootfs = \"/r\";\nmount = [\"/a:/b\"];\n", 2,
              "mount", "did you mean `mounts`?");
    bad_value("rootfs: /r\nfrobnicate: 1\n", 2, 1, "rootfs = \"/r\";\nfrobnicate = 1;\n", 2,
              "frobnicate", "unknown key");
    struct loaded l;
    load(&l, "t.yaml", "rootfs: /r\nfrobnicate: 1\n");
    assert_null(strstr(l.d.v[0].msg, "did you mean"));
    done(&l);
    bad_yaml("rootfs: /r\nlimits:\n  memroy: 1g\n", 3, 3, "limits.memroy",
             "unknown key; did you mean `memory`?");
}

static void test_all_errors_reported(void **state)
{
    (void)state;
    const char *yaml = "rootfs: /r\n"
                       "limits:\n"
                       "  pids: 0\n"
                       "  memory: 512\n"
                       "hostname: -x\n"
                       "init: yes\n";
    const char *conf = "rootfs = \"/r\";\n"
                       "limits = {\n"
                       "  pids = 0;\n"
                       "  memory = 512;\n"
                       "};\n"
                       "hostname = \"-x\";\n"
                       "init = \"yes\";\n";
    for (int f = 0; f < 2; f++) {
        struct loaded l;
        load(&l, f ? "t.conf" : "t.yaml", f ? conf : yaml);
        expect_error(&l, 3, f ? 0 : 9, "limits.pids", "`0` is not a process limit");
        expect_error(&l, 4, f ? 0 : 11, "limits.memory", "did you mean `512m`?");
        expect_error(&l, f ? 6 : 5, f ? 0 : 11, "hostname", "`-x` is not a valid host name");
        expect_error(&l, f ? 7 : 6, f ? 0 : 7, "init", "`yes` is not a boolean here");
        assert_errors(&l.d, 4);
        done(&l);
    }
}

static void test_errors_in_overridden_values(void **state)
{
    (void)state;
    /* A bad value is reported even when a later file sets the key again. */
    free(test_write(tmp, "base.yaml", "rootfs: /r\nlimits:\n  pids: 0\n"));
    struct loaded l;
    load(&l, "top.conf", "include = \"base.yaml\";\nlimits = { pids = 10; };\n");
    _cleanup_free_ char *base = xasprintf("%s/base.yaml", tmp);
    assert_int_equal(l.r, -1);
    const struct diag *g =
        expect_diag(&l.d, DIAG_ERROR, base, 3, 9, "limits.pids", "`0` is not a process limit");
    assert_int_equal(g->n_chain, 1);
    assert_string_equal(g->chain[0].file, l.path);
    assert_int_equal(g->chain[0].line, 1);
    assert_errors(&l.d, 1);
    done(&l);
}

/* libconfig reports a list element on its own line at the line of the next token. */
static void test_conf_list_element_line(void **state)
{
    (void)state;
    /* libconfig would date the last element by its lookahead, the line of `]`. */
    bad_value("rootfs: /r\nlayers:\n  - a\n  - ''\n", 4, 5,
              "rootfs = \"/r\";\nlayers = [\n  \"a\",\n  \"\"\n];\n", 4, "layers[1]", "empty path");
}

/* ---- merge rules across includes ---- */

static void test_merge_scalars(void **state)
{
    (void)state;
    free(test_write(tmp, "base.yaml",
                    "rootfs: /base\nhostname: base\nuser: base\nupper: u\ninit: false\n"
                    "cgroup_parent: /base\nworkdir: /base\nname: base\n"));
    struct loaded l;
    load_ok(&l, "top.conf",
            "include = \"base.yaml\";\nhostname = \"top\";\ninit = true;\nupper = \"tmpfs\";\n"
            "cgroup_parent = \"auto\";\n");
    assert_string_equal(l.p.rootfs, "/base");
    assert_string_equal(l.p.hostname, "top");
    assert_string_equal(l.p.user, "base");
    assert_string_equal(l.p.workdir, "/base");
    assert_string_equal(l.p.name, "base");
    assert_true(l.p.init);
    assert_null(l.p.upper);
    assert_null(l.p.cgroup_parent);
    /* Origins follow the value that won. */
    assert_string_equal(l.p.origin[KEY_HOSTNAME].file, l.path);
    assert_int_equal(l.p.origin[KEY_HOSTNAME].line, 2);
    _cleanup_free_ char *base = xasprintf("%s/base.yaml", tmp);
    assert_string_equal(l.p.origin[KEY_USER].file, base);
    assert_int_equal(l.p.origin[KEY_USER].line, 3);
    done(&l);
}

static void test_merge_env(void **state)
{
    (void)state;
    free(test_write(tmp, "base.yaml", "rootfs: /r\nenv: {A: '1', B: '2'}\n"));
    struct loaded l;
    load_ok(&l, "top.conf", "include = \"base.yaml\";\nenv = [\"B=3\", \"C=4\"];\n");
    assert_int_equal(l.p.n_env, 3);
    assert_env(&l.p, 0, "A", "1");
    assert_env(&l.p, 1, "B", "3");
    assert_env(&l.p, 2, "C", "4");
    assert_string_equal(l.p.env[1].origin.file, l.path);
    done(&l);
}

static void test_merge_namespaces(void **state)
{
    (void)state;
    free(test_write(tmp, "base.yaml", "rootfs: /r\nnamespaces: {net: false, ipc: false}\n"));
    struct loaded l;
    load_ok(&l, "top.conf",
            "include = \"base.yaml\";\nnamespaces = { net = true; cgroup = true; };\n");
    assert_true(l.p.ns[NS_NET]);
    assert_false(l.p.ns[NS_IPC]);
    assert_true(l.p.ns[NS_CGROUP]);
    assert_true(l.p.ns[NS_PID]);
    assert_true(l.p.ns[NS_UTS]);
    assert_string_equal(l.p.ns_origin[NS_NET].file, l.path);
    done(&l);
}

static void test_merge_layers(void **state)
{
    (void)state;
    /* One real directory reached by two paths is one layer: identified by device and inode. */
    _cleanup_free_ char *l1 = in_tmp("l1");
    _cleanup_free_ char *l2 = in_tmp("l2");
    _cleanup_free_ char *l3 = in_tmp("l3");
    _cleanup_free_ char *link = in_tmp("link2");
    assert_int_equal(mkdir(l1, 0755), 0);
    assert_int_equal(mkdir(l2, 0755), 0);
    assert_int_equal(mkdir(l3, 0755), 0);
    assert_int_equal(symlink("l2", link), 0);
    free(test_write(tmp, "base.yaml", "rootfs: /r\nlayers: [l1, l2]\n"));
    struct loaded l;
    load_ok(&l, "top.yaml", "include: base.yaml\nlayers: [l3, link2, l1/, l3]\n");
    assert_int_equal(l.p.n_layers, 3);
    assert_string_equal(l.p.layers[0].path, l1);
    assert_string_equal(l.p.layers[1].path, l2);
    assert_string_equal(l.p.layers[2].path, l3);
    _cleanup_free_ char *base = xasprintf("%s/base.yaml", tmp);
    assert_string_equal(l.p.layers[1].origin.file, base);
    done(&l);
}

static void test_merge_mounts(void **state)
{
    (void)state;
    free(test_write(tmp, "base.yaml",
                    "rootfs: /r\nmounts:\n  - /a:/a\n  - /b:/b\n  - /c:/c\n  - /e:/e\n"));
    struct loaded l;
    load_ok(&l, "top.conf",
            "include = \"base.yaml\";\n"
            "mounts = (\n"
            "  { type = \"tmpfs\"; target = \"/b\"; },\n"
            "  { type = \"none\"; target = \"/c\"; },\n"
            "  { type = \"none\"; target = \"/never\"; },\n"
            "  \"/d:/d:ro\",\n"
            "  \"/a2:/a/\"\n"
            ");\n");
    assert_int_equal(l.p.n_mounts, 4);
    /* Replaced in place, removed, appended. */
    assert_mount(&l.p.mounts[0], "/a", MOUNT_BIND, "/a2", false, NULL);
    assert_mount(&l.p.mounts[1], "/b", MOUNT_TMPFS, NULL, false, NULL);
    assert_mount(&l.p.mounts[2], "/e", MOUNT_BIND, "/e", false, NULL);
    assert_mount(&l.p.mounts[3], "/d", MOUNT_BIND, "/d", true, NULL);
    assert_string_equal(l.p.mounts[1].origin.file, l.path);
    assert_int_equal(l.p.mounts[1].origin.line, 3);
    done(&l);
}

static void test_merge_command(void **state)
{
    (void)state;
    free(test_write(tmp, "list.yaml", "rootfs: /r\ncommand: [/bin/a, b, c]\n"));
    free(test_write(tmp, "shell.yaml", "rootfs: /r\ncommand: exec a\n"));
    struct loaded l;
    load_ok(&l, "t1.yaml", "include: list.yaml\ncommand: x\n");
    ASSERT_COMMAND(&l.p, true, "/bin/sh", "-c", "x");
    done(&l);
    load_ok(&l, "t2.yaml", "include: shell.yaml\ncommand: [/bin/y]\n");
    ASSERT_COMMAND(&l.p, false, "/bin/y");
    done(&l);
    load_ok(&l, "t3.yaml", "include: list.yaml\nhostname: h\n");
    ASSERT_COMMAND(&l.p, false, "/bin/a", "b", "c");
    done(&l);
}

static void test_merge_limits(void **state)
{
    (void)state;
    free(test_write(tmp, "base.yaml",
                    "rootfs: /r\nlimits: {memory: 1g, pids: 10, cpus: 0.5, cpu_shares: 512}\n"));
    struct loaded l;
    load_ok(&l, "top.conf",
            "include = \"base.yaml\";\nlimits = { pids = 20; memory_swap = \"2g\"; };\n");
    assert_int_equal(l.p.memory, GIB);
    assert_int_equal(l.p.pids, 20);
    assert_int_equal(l.p.cpu_quota, 50000);
    assert_int_equal(l.p.cpu_shares, 512);
    assert_int_equal(l.p.memory_swap, 2 * GIB);
    done(&l);
    /* Across files the clash cites the later file, with a note at the earlier one. */
    load(&l, "bad.conf", "include = \"base.yaml\";\nlimits = {\n  memory_swap = \"512m\";\n};\n");
    _cleanup_free_ char *base = xasprintf("%s/base.yaml", tmp);
    expect_error(&l, 3, 0, "limits.memory_swap", "`512m` is less than limits.memory (`1g`)");
    expect_diag(&l.d, DIAG_NOTE, base, 2, 0, "limits.memory", "set here");
    assert_errors(&l.d, 1);
    done(&l);
}

static void test_memory_swap_needs_memory_cites_later(void **state)
{
    (void)state;
    /* A later `limits.memory: unlimited` under an earlier memory_swap: the error cites it, with a note. */
    free(test_write(tmp, "base.yaml", "rootfs: /r\nlimits: {memory: 1g, memory_swap: 2g}\n"));
    struct loaded l;
    load(&l, "top.yaml", "include: base.yaml\nlimits:\n  memory: unlimited\n");
    _cleanup_free_ char *base = xasprintf("%s/base.yaml", tmp);
    expect_error(&l, 3, 0, "limits.memory", "needs limits.memory");
    expect_diag(&l.d, DIAG_NOTE, base, 2, 0, "limits.memory_swap", "set here");
    assert_errors(&l.d, 1);
    done(&l);
}

/* ---- reset ---- */

static const char base_all[] = "rootfs: /r\n"
                               "name: base\n"
                               "env: {FOO: f, BAR: b}\n"
                               "layers: [/l1, /l2]\n"
                               "mounts: [/a:/a, /b:/b]\n"
                               "limits: {memory: 1g, memory_swap: 2g, pids: 10}\n"
                               "namespaces: {net: false, ipc: false}\n"
                               "command: [/bin/base]\n"
                               "hostname: base\n";

static void test_reset_keys(void **state)
{
    (void)state;
    free(test_write(tmp, "base.yaml", base_all));
    struct loaded l;

    load_ok(&l, "env.yaml", "include: base.yaml\nreset: [env.FOO, env.NOPE]\n");
    assert_int_equal(l.p.n_env, 1);
    assert_env(&l.p, 0, "BAR", "b");
    done(&l);

    load_ok(&l, "env-all.yaml", "include: base.yaml\nreset: [env]\n");
    assert_int_equal(l.p.n_env, 0);
    done(&l);

    load_ok(&l, "layers.yaml", "include: base.yaml\nreset: [layers]\n");
    assert_int_equal(l.p.n_layers, 0);
    done(&l);

    load_ok(&l, "mounts.yaml", "include: base.yaml\nreset: [mounts]\n");
    assert_int_equal(l.p.n_mounts, 0);
    done(&l);

    load_ok(&l, "limits.yaml", "include: base.yaml\nreset: [limits]\n");
    assert_int_equal(l.p.memory, LIMIT_UNLIMITED);
    assert_int_equal(l.p.memory_swap, LIMIT_UNLIMITED);
    assert_int_equal(l.p.pids, LIMIT_UNLIMITED);
    done(&l);

    load_ok(&l, "pids.yaml", "include: base.yaml\nreset: [limits.pids]\n");
    assert_int_equal(l.p.pids, LIMIT_UNLIMITED);
    assert_int_equal(l.p.memory, GIB);
    done(&l);

    /* Resetting memory alone leaves a memory_swap without it: the check cites memory_swap. */
    load(&l, "memory.yaml", "include: base.yaml\nreset: [limits.memory]\n");
    _cleanup_free_ char *base = xasprintf("%s/base.yaml", tmp);
    expect_diag(&l.d, DIAG_ERROR, base, 6, 0, "limits.memory_swap", "needs limits.memory");
    assert_errors(&l.d, 1);
    done(&l);

    load_ok(&l, "net.yaml", "include: base.yaml\nreset: [namespaces.net]\n");
    assert_true(l.p.ns[NS_NET]);
    assert_false(l.p.ns[NS_IPC]);
    assert_null(l.p.ns_origin[NS_NET].file);
    done(&l);

    load_ok(&l, "ns.yaml", "include: base.yaml\nreset: [namespaces]\n");
    for (int ns = 0; ns < NS__MAX; ns++)
        assert_int_equal(l.p.ns[ns], ns != NS_CGROUP);
    done(&l);

    load_ok(&l, "command.yaml", "include: base.yaml\nreset: [command]\n");
    assert_null(l.p.command);
    assert_false(l.p.command_shell);
    done(&l);

    load_ok(&l, "scalars.yaml", "include: base.yaml\nreset: [hostname, name]\n");
    assert_null(l.p.hostname);
    assert_null(l.p.origin[KEY_HOSTNAME].file);
    /* The default name comes back: the top file's. */
    assert_string_equal(l.p.name, "scalars");
    done(&l);

    /* rootfs reset leaves it missing: a required key. */
    load(&l, "rootfs.yaml", "include: base.yaml\nreset: [rootfs]\n");
    expect_only_error(&l, 0, 0, "rootfs", "required key is missing");
    done(&l);
}

static void test_reset_before_own_values(void **state)
{
    (void)state;
    free(test_write(tmp, "base.yaml", base_all));
    struct loaded l;
    /* Written after the values in the file, reset still applies first. */
    load_ok(&l, "top.conf",
            "include = \"base.yaml\";\n"
            "env = { FOO = \"mine\"; };\n"
            "layers = [\"/mine\"];\n"
            "mounts = [\"/m:/m\"];\n"
            "limits = { pids = 5; };\n"
            "reset = [\"env.FOO\", \"layers\", \"mounts\", \"limits\", \"env.BAR\"];\n");
    assert_int_equal(l.p.n_env, 1);
    assert_env(&l.p, 0, "FOO", "mine");
    assert_int_equal(l.p.n_layers, 1);
    assert_string_equal(l.p.layers[0].path, "/mine");
    assert_int_equal(l.p.n_mounts, 1);
    assert_mount(&l.p.mounts[0], "/m", MOUNT_BIND, "/m", false, NULL);
    assert_int_equal(l.p.pids, 5);
    assert_int_equal(l.p.memory, LIMIT_UNLIMITED);
    assert_int_equal(l.p.memory_swap, LIMIT_UNLIMITED);
    done(&l);
}

static void test_reset_then_later_file(void **state)
{
    (void)state;
    /* A reset in a middle file does not undo what a later file sets. */
    free(test_write(tmp, "base.yaml", base_all));
    free(test_write(tmp, "mid.yaml", "include: base.yaml\nreset: [layers]\n"));
    struct loaded l;
    load_ok(&l, "top.yaml", "include: mid.yaml\nlayers: [/top]\n");
    assert_int_equal(l.p.n_layers, 1);
    assert_string_equal(l.p.layers[0].path, "/top");
    done(&l);
}

/* ---- checks after the stack ---- */

static void test_finalize_rootfs(void **state)
{
    (void)state;
    struct loaded l;
    load(&l, "norootfs.yaml", "hostname: h\n");
    expect_only_error(&l, 0, 0, "rootfs", "required key is missing");
    done(&l);
    load(&l, "norootfs.conf", "hostname = \"h\";\n");
    expect_only_error(&l, 0, 0, "rootfs", "required key is missing");
    done(&l);
    /* --fragment: no required keys. */
    _cleanup_free_ char *path = test_write(tmp, "frag.yaml", "hostname: h\n");
    struct stack_opts o = {.profile = path, .fragment = true};
    struct profile p;
    struct diags d = {0};
    assert_int_equal(test_load_opts(&p, &o, &d), 0);
    assert_int_equal(d.n, 0);
    assert_null(p.rootfs);
    assert_string_equal(p.hostname, "h");
    profile_free(&p);
    diags_free(&d);
}

static void test_finalize_readonly_upper(void **state)
{
    (void)state;
    for (int f = 0; f < 2; f++) {
        struct loaded l;
        load(&l, f ? "t.conf" : "t.yaml",
             f ? "rootfs = \"/r\";\nreadonly_rootfs = true;\nupper = \"u\";\n"
               : "rootfs: /r\nreadonly_rootfs: true\nupper: u\n");
        expect_error(&l, 3, 0, "upper", "a read-only root has no upper layer");
        expect_diag(&l.d, DIAG_NOTE, l.path, 2, 0, "readonly_rootfs", "set here");
        assert_errors(&l.d, 1);
        done(&l);
    }
    /* Across files: the later file is cited. */
    free(test_write(tmp, "base.yaml", "rootfs: /r\nupper: u\n"));
    struct loaded l;
    load(&l, "top.yaml", "include: base.yaml\nreadonly_rootfs: true\n");
    _cleanup_free_ char *base = xasprintf("%s/base.yaml", tmp);
    expect_error(&l, 2, 0, "readonly_rootfs", "a read-only root has no upper layer");
    expect_diag(&l.d, DIAG_NOTE, base, 2, 0, "upper", "set here");
    done(&l);
    /* upper: tmpfs is the default, not an upper directory. */
    load_ok(&l, "fine.yaml", "rootfs: /r\nreadonly_rootfs: true\nupper: tmpfs\n");
    assert_true(l.p.readonly_rootfs);
    done(&l);
    /* upper: none is rootfs itself, read-only after the mounts: an OCI bundle's root. */
    load_ok(&l, "direct.yaml", "rootfs: /r\nreadonly_rootfs: true\nupper: none\n");
    assert_true(l.p.readonly_rootfs);
    assert_string_equal(l.p.upper, PROFILE_UPPER_NONE);
    done(&l);
}

static void test_finalize_hostname_uts(void **state)
{
    (void)state;
    for (int f = 0; f < 2; f++) {
        struct loaded l;
        load(&l, f ? "t.conf" : "t.yaml",
             f ? "rootfs = \"/r\";\nnamespaces = { uts = false; };\nhostname = \"h\";\n"
               : "rootfs: /r\nnamespaces: {uts: false}\nhostname: h\n");
        expect_error(&l, 3, 0, "hostname", "a host name needs the uts namespace");
        expect_diag(&l.d, DIAG_NOTE, l.path, 2, 0, "namespaces.uts", "set here");
        assert_errors(&l.d, 1);
        done(&l);
    }
    /* Across files, the later one is cited: here the namespace, with a note at the name. */
    free(test_write(tmp, "base.conf", "rootfs = \"/r\";\nhostname = \"h\";\n"));
    struct loaded x;
    load(&x, "top.yaml", "include: base.conf\nnamespaces:\n  uts: false\n");
    _cleanup_free_ char *base = xasprintf("%s/base.conf", tmp);
    expect_error(&x, 3, 0, "namespaces.uts", "a host name needs the uts namespace");
    expect_diag(&x.d, DIAG_NOTE, base, 2, 0, "hostname", "set here");
    assert_errors(&x.d, 1);
    done(&x);
    /* uts off without a hostname is fine: no name-derived host name either. */
    struct loaded l;
    load_ok(&l, "t.yaml", "rootfs: /r\nnamespaces: {uts: false}\n");
    _cleanup_free_ char *h = profile_effective_hostname(&l.p);
    assert_null(h);
    done(&l);
}

/* A user namespace's root mounts /proc and /dev/mqueue only for namespaces it owns. */
static void test_finalize_userns_owns(void **state)
{
    (void)state;
    for (int f = 0; f < 2; f++) {
        struct loaded l;
        load(&l, f ? "t.conf" : "t.yaml",
             f ? "rootfs = \"/r\";\nuser_namespace = \"auto\";\nnamespaces = { pid = false; };\n"
               : "rootfs: /r\nuser_namespace: auto\nnamespaces: {pid: false}\n");
        expect_error(&l, 3, 0, "namespaces.pid", "mounts /proc only for a pid namespace it owns");
        expect_diag(&l.d, DIAG_NOTE, l.path, 2, 0, "user_namespace", "set here");
        assert_errors(&l.d, 1);
        done(&l);
        load(&l, f ? "t.conf" : "t.yaml",
             f ? "rootfs = \"/r\";\nnamespaces = { ipc = \"/proc/1/ns/ipc\"; };\n"
                 "user_namespace = \"0:1000:1\";\n"
               : "rootfs: /r\nnamespaces: {ipc: /proc/1/ns/ipc}\nuser_namespace: '0:1000:1'\n");
        expect_error(&l, 3, 0, "user_namespace", "/dev/mqueue only for an ipc namespace it owns");
        assert_errors(&l.d, 1);
        done(&l);
    }
    /* The host's user namespace, as root's default: nothing to own. */
    struct loaded l;
    load_ok(&l, "t.yaml", "rootfs: /r\nuser_namespace: host\nnamespaces: {pid: false, ipc: false}\n");
    done(&l);
}

static void test_finalize_names(void **state)
{
    (void)state;
    struct loaded l;
    load_ok(&l, "my-app.yaml", "rootfs: /r\n");
    assert_string_equal(l.p.name, "my-app");
    assert_null(l.p.hostname);
    done(&l);
    load_ok(&l, "my_app.v2.conf", "rootfs = \"/r\";\n");
    assert_string_equal(l.p.name, "my_app.v2");
    /* Host name from the name: `_` as `-`. */
    _cleanup_free_ char *h = profile_effective_hostname(&l.p);
    assert_string_equal(h, "my-app.v2");
    assert_null(l.p.hostname);
    done(&l);
    /* A name written in the file wins over the file's name. */
    load_ok(&l, "bad name.yaml", "rootfs: /r\nname: good\n");
    assert_string_equal(l.p.name, "good");
    done(&l);
    load(&l, "bad name.yaml", "rootfs: /r\n");
    expect_only_error(&l, 0, 0, "name",
                      "the file name `bad name` is not a valid container name; set `name`");
    done(&l);
    /* A long name cut to 63 for the host name, with no trailing `-`. */
    char name[80], yaml[128];
    memset(name, 'a', 62);
    name[62] = '_';
    name[63] = 'b';
    name[64] = '\0';
    snprintf(yaml, sizeof(yaml), "rootfs: /r\nname: %s\n", name);
    load_ok(&l, "long.yaml", yaml);
    _cleanup_free_ char *h2 = profile_effective_hostname(&l.p);
    assert_int_equal(strlen(h2), 62);
    assert_int_equal(strspn(h2, "a"), 62);
    done(&l);
    /* A name no host name can be made from needs `hostname`. */
    load(&l, "t.yaml", "rootfs: /r\nname: a..b\n");
    expect_only_error(&l, 2, 0, "name", "no host name can be made from `a..b`; set `hostname`");
    done(&l);
    load_ok(&l, "t.yaml", "rootfs: /r\nname: a..b\nhostname: ab\n");
    done(&l);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* ---- hardening keys ---- */

#define CAPBIT(c) (UINT64_C(1) << (c))

static void test_key_capabilities(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\ncapabilities:\n  add: [net_admin, CAP_SYS_TIME]\n  drop: [MKNOD]\n",
              "rootfs = \"/r\";\ncapabilities = { add = [\"NET_ADMIN\", \"sys_time\"]; drop = "
              "[\"cap_mknod\"]; };\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.cap_add, CAPBIT(CAP_NET_ADMIN) | CAPBIT(CAP_SYS_TIME));
        assert_int_equal(l[i].p.cap_drop, CAPBIT(CAP_MKNOD));
    }
    done_both(l);
    /* In one file drops apply first: ALL with an add keeps the add. */
    load_both(l, "rootfs: /r\ncapabilities: {drop: [ALL], add: [KILL]}\n",
              "rootfs = \"/r\";\ncapabilities = { add = [\"KILL\"]; drop = [\"ALL\"]; };\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.cap_add, CAPBIT(CAP_KILL));
        assert_true(l[i].p.cap_drop & CAPBIT(CAP_CHOWN));
        assert_false(l[i].p.cap_drop & CAPBIT(CAP_KILL));
    }
    done_both(l);
    bad_value("rootfs: /r\ncapabilities:\n  add: [NET_ADMINN]\n", 3, 9,
              "rootfs = \"/r\";\ncapabilities = { add = [\"NET_ADMINN\"]; };\n", 2,
              "capabilities.add[0]", "`NET_ADMINN` is not a capability");
    bad_value("rootfs: /r\ncapabilities:\n  keep: [KILL]\n", 3, 3,
              "rootfs = \"/r\";\ncapabilities = { keep = [\"KILL\"]; };\n", 2, "capabilities.keep",
              "unknown key");
    bad_value("rootfs: /r\ncapabilities: [KILL]\n", 2, 15,
              "rootfs = \"/r\";\ncapabilities = [\"KILL\"];\n", 2, "capabilities",
              "expected a map of capabilities");
}

/* A later file's add cancels an earlier drop of the same capability, and the reverse. */
static void test_merge_capabilities(void **state)
{
    (void)state;
    free(test_write(tmp, "base.yaml",
                    "rootfs: /r\ncapabilities: {drop: [NET_RAW, MKNOD], add: [SYS_TIME]}\n"));
    struct loaded l;
    load_ok(&l, "top.conf",
            "include = \"base.yaml\";\ncapabilities = { add = [\"NET_RAW\"]; drop = "
            "[\"SYS_TIME\"]; };\n");
    assert_int_equal(l.p.cap_add, CAPBIT(CAP_NET_RAW));
    assert_int_equal(l.p.cap_drop, CAPBIT(CAP_MKNOD) | CAPBIT(CAP_SYS_TIME));
    done(&l);
    load_ok(&l, "reset.yaml", "include: base.yaml\nreset: [capabilities]\n");
    assert_int_equal(l.p.cap_add, 0);
    assert_int_equal(l.p.cap_drop, 0);
    done(&l);
}

static void test_key_seccomp(void **state)
{
    (void)state;
    free(test_write(tmp, "ok.seccomp", "# deny ptrace too\n@default\nptrace\n"));
    free(test_write(tmp, "bad.seccomp", "@default\nno_such_call\n"));
    struct loaded l[2];
    load_both(l, "rootfs: /r\nseccomp: ok.seccomp\n",
              "rootfs = \"/r\";\nseccomp = \"ok.seccomp\";\n");
    _cleanup_free_ char *want = xasprintf("%s/ok.seccomp", real_tmp);
    for (int i = 0; i < 2; i++)
        assert_string_equal(l[i].p.seccomp, want);
    done_both(l);
    load_both(l, "rootfs: /r\nseccomp: unconfined\n",
              "rootfs = \"/r\";\nseccomp = \"unconfined\";\n");
    assert_string_equal(l[0].p.seccomp, "unconfined");
    assert_string_equal(l[1].p.seccomp, "unconfined");
    done_both(l);
    load_both(l, "rootfs: /r\nseccomp: default\n", "rootfs = \"/r\";\nseccomp = \"default\";\n");
    assert_null(l[0].p.seccomp);
    assert_null(l[1].p.seccomp);
    done_both(l);
    /* A bad seccomp file is a profile error located in that file. */
    struct loaded b;
    load(&b, "b.yaml", "rootfs: /r\nseccomp: bad.seccomp\n");
    _cleanup_free_ char *bad = xasprintf("%s/bad.seccomp", real_tmp);
    assert_int_equal(b.r, -1);
    const struct diag *g = test_find_diag(&b.d, "no_such_call");
    assert_non_null(g);
    assert_string_equal(g->file, bad);
    assert_int_equal(g->line, 2);
    done(&b);
}

/*
 * A seccomp file is read once, with the profile: its rules, take-backs
 * included, travel with the profile through includes, and `reset` drops them.
 */
static void test_seccomp_rules_kept(void **state)
{
    (void)state;
    _cleanup_free_ char *file =
        test_write(tmp, "keep.seccomp", "@default\n!mount\nptrace ENOSYS\n");
    struct seccomp_rules want = {0};
    struct diags wd = {0};
    assert_int_equal(seccomp_rules_read(file, &want, &wd), 0);
    free(test_write(tmp, "base.yaml", "rootfs: /r\nseccomp: keep.seccomp\n"));
    struct loaded l[2];
    load_both(l, "include: base.yaml\n", "include = \"base.yaml\";\n");
    /* The file may go away: the profile holds what it said. */
    assert_int_equal(unlink(file), 0);
    for (int i = 0; i < 2; i++) {
        assert_string_equal(l[i].p.seccomp, file);
        assert_non_null(l[i].p.seccomp_rules);
        assert_true(seccomp_rules_equal(l[i].p.seccomp_rules, &want));
        assert_int_equal(l[i].p.seccomp_rules->n_removed, 1);
        assert_int_equal(l[i].p.seccomp_rules->removed[0].line, 2);
    }
    done_both(l);

    /* Another value, or a reset, leaves no rules behind. */
    struct stack_op reset = {.kind = STACK_RESET, .arg = "seccomp"};
    struct stack_op unconfined = {.kind = STACK_SET, .arg = "seccomp=unconfined"};
    free(test_write(tmp, "keep.seccomp", "@default\n!mount\nptrace ENOSYS\n"));
    _cleanup_free_ char *top = test_write(tmp, "top.yaml", "include: base.yaml\n");
    for (int i = 0; i < 2; i++) {
        struct stack_opts o = {.profile = top, .ops = i ? &unconfined : &reset, .n_ops = 1};
        struct profile p;
        struct diags d = {0};
        assert_int_equal(test_load_opts(&p, &o, &d), 0);
        assert_null(p.seccomp_rules);
        assert_string_equal(profile_str(&p, KEY_SECCOMP), i ? "unconfined" : "default");
        profile_free(&p);
        diags_free(&d);
    }
    seccomp_rules_free(&want);
    diags_free(&wd);
}

static void test_key_rlimits(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\nrlimits:\n  nofile: 1024:4096\n  core: 0\n  stack: {soft: 8m, hard: unlimited}\n",
              "rootfs = \"/r\";\nrlimits = { nofile = \"1024:4096\"; core = 0; stack = { soft = "
              "\"8m\"; hard = \"unlimited\"; }; };\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_rlimits, 3);
        assert_int_equal(l[i].p.rlimits[0].resource, RLIMIT_NOFILE);
        assert_int_equal(l[i].p.rlimits[0].soft, 1024);
        assert_int_equal(l[i].p.rlimits[0].hard, 4096);
        assert_int_equal(l[i].p.rlimits[1].soft, 0);
        assert_int_equal(l[i].p.rlimits[2].soft, 8 * MIB);
        assert_true(l[i].p.rlimits[2].hard == RLIM_INFINITY);
    }
    done_both(l);
    bad_value("rootfs: /r\nrlimits:\n  nofiles: 10\n", 3, 3,
              "rootfs = \"/r\";\nrlimits = { nofiles = 10; };\n", 2, "rlimits.nofiles",
              "did you mean `nofile`?");
    bad_value("rootfs: /r\nrlimits:\n  nofile: 4096:1024\n", 3, 11,
              "rootfs = \"/r\";\nrlimits = { nofile = \"4096:1024\"; };\n", 2, "rlimits.nofile",
              "soft limit is above the hard limit");
    bad_value("rootfs: /r\nrlimits:\n  core: lots\n", 3, 9,
              "rootfs = \"/r\";\nrlimits = { core = \"lots\"; };\n", 2, "rlimits.core",
              "`lots` is not a limit");
}

static void test_merge_rlimits(void **state)
{
    (void)state;
    free(test_write(tmp, "base.yaml", "rootfs: /r\nrlimits: {nofile: 100, core: 0}\n"));
    struct loaded l;
    load_ok(&l, "top.yaml", "include: base.yaml\nreset: [rlimits.core]\nrlimits: {nofile: 200}\n");
    assert_int_equal(l.p.n_rlimits, 1);
    assert_int_equal(l.p.rlimits[0].soft, 200);
    done(&l);
}

static void test_key_no_new_privileges(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\n", "rootfs = \"/r\";\n");
    assert_true(l[0].p.no_new_privileges);
    assert_true(l[1].p.no_new_privileges);
    done_both(l);
    load_both(l, "rootfs: /r\nno_new_privileges: false\n",
              "rootfs = \"/r\";\nno_new_privileges = false;\n");
    assert_false(l[0].p.no_new_privileges);
    assert_false(l[1].p.no_new_privileges);
    done_both(l);
    bad_value("rootfs: /r\nno_new_privileges: off\n", 2, 20,
              "rootfs = \"/r\";\nno_new_privileges = \"off\";\n", 2, "no_new_privileges",
              "not a boolean here");
}

static void test_key_masked_readonly_paths(void **state)
{
    (void)state;
    free(test_write(tmp, "base.yaml", "rootfs: /r\nmasked_paths: [/a]\nreadonly_paths: [/etc]\n"));
    struct loaded l[2];
    load_both(l, "include: base.yaml\nmasked_paths: [/b, /a]\nreadonly_paths: [/usr/]\n",
              "include = \"base.yaml\";\nmasked_paths = [\"/b\", \"/a\"];\nreadonly_paths = "
              "[\"/usr/\"];\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_masked_paths, 2);
        assert_string_equal(l[i].p.masked_paths[0].path, "/a");
        assert_string_equal(l[i].p.masked_paths[1].path, "/b");
        assert_int_equal(l[i].p.n_readonly_paths, 2);
        assert_string_equal(l[i].p.readonly_paths[1].path, "/usr");
    }
    done_both(l);
    bad_value("rootfs: /r\nmasked_paths: [etc]\n", 2, 16,
              "rootfs = \"/r\";\nmasked_paths = [\"etc\"];\n", 2, "masked_paths[0]",
              "not an absolute path");
    bad_value("rootfs: /r\nreadonly_paths: [/]\n", 2, 18,
              "rootfs = \"/r\";\nreadonly_paths = [\"/\"];\n", 2, "readonly_paths[0]",
              "cannot cover the whole root");
}

/* A working directory under /proc could lead out of the container (CVE-2024-21626). */
static void test_workdir_not_under_proc(void **state)
{
    (void)state;
    bad_value("rootfs: /r\nworkdir: /proc/self/fd/9\n", 2, 10,
              "rootfs = \"/r\";\nworkdir = \"/proc/self/fd/9\";\n", 2, "workdir",
              "is under /proc");
    bad_value("rootfs: /r\nworkdir: /sys/fs\n", 2, 10, "rootfs = \"/r\";\nworkdir = \"/sys/fs\";\n",
              2, "workdir", "is under /sys");
}

static void test_key_stop_timeout(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\n", "rootfs = \"/r\";\n");
    assert_int_equal(l[0].p.stop_timeout_ms, 10000);
    assert_int_equal(l[1].p.stop_timeout_ms, 10000);
    done_both(l);
    load_both(l, "rootfs: /r\nstop_timeout: 1.5s\n", "rootfs = \"/r\";\nstop_timeout = 2;\n");
    assert_int_equal(l[0].p.stop_timeout_ms, 1500);
    assert_int_equal(l[1].p.stop_timeout_ms, 2000);
    done_both(l);
    load_both(l, "rootfs: /r\nstop_timeout: 250ms\n",
              "rootfs = \"/r\";\nstop_timeout = \"0\";\n");
    assert_int_equal(l[0].p.stop_timeout_ms, 250);
    assert_int_equal(l[1].p.stop_timeout_ms, 0);
    done_both(l);
    bad_value("rootfs: /r\nstop_timeout: 2h\n", 2, 15, "rootfs = \"/r\";\nstop_timeout = \"2h\";\n",
              2, "stop_timeout", "`2h` is not a duration");
    bad_value("rootfs: /r\nstop_timeout: 3601\n", 2, 15, "rootfs = \"/r\";\nstop_timeout = 3601;\n",
              2, "stop_timeout", "at most 1 hour");
}

/* ---- process keys ---- */

/* Octal in every format: YAML plain or quoted, a libconfig integer (read as decimal digits) or string. */
static void test_key_umask(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\n", "rootfs = \"/r\";\n");
    assert_int_equal(l[0].p.umask, 0022);
    assert_int_equal(l[1].p.umask, 0022);
    done_both(l);
    static const char *const yaml[] = {"0027", "\"0027\"", "027", "27", "'00027'"};
    for (size_t i = 0; i < ARRAY_SIZE(yaml); i++) {
        _cleanup_free_ char *text = xasprintf("rootfs: /r\numask: %s\n", yaml[i]);
        struct loaded y;
        load_ok(&y, "t.yaml", text);
        if (y.p.umask != 0027)
            fail_msg("umask: %s reads as %llo", yaml[i], (unsigned long long)y.p.umask);
        done(&y);
    }
    static const char *const conf[] = {"0027", "\"0027\"", "27", "\"27\""};
    for (size_t i = 0; i < ARRAY_SIZE(conf); i++) {
        _cleanup_free_ char *text = xasprintf("rootfs = \"/r\";\numask = %s;\n", conf[i]);
        struct loaded c;
        load_ok(&c, "t.conf", text);
        if (c.p.umask != 0027)
            fail_msg("umask = %s reads as %llo", conf[i], (unsigned long long)c.p.umask);
        done(&c);
    }
    load_both(l, "rootfs: /r\numask: 0\n", "rootfs = \"/r\";\numask = \"0777\";\n");
    assert_int_equal(l[0].p.umask, 0);
    assert_int_equal(l[1].p.umask, 0777);
    done_both(l);
    /* OCI writes the mask in decimal: 18 is 0022, and its 8 gives it away. */
    bad_value("rootfs: /r\numask: 18\n", 2, 8, "rootfs = \"/r\";\numask = 18;\n", 2, "umask",
              "`18` is not a umask: expected octal digits up to 0777, such as 0022 or 0027 (8 "
              "and 9 are not octal digits)");
    bad_value("rootfs: /r\numask: 1777\n", 2, 8, "rootfs = \"/r\";\numask = \"1777\";\n", 2,
              "umask", "`1777` is not a umask");
    bad_value("rootfs: /r\numask: u=rwx\n", 2, 8, "rootfs = \"/r\";\numask = \"u=rwx\";\n", 2,
              "umask", "`u=rwx` is not a umask");
    bad_value("rootfs: /r\numask: -1\n", 2, 8, "rootfs = \"/r\";\numask = -1;\n", 2, "umask",
              "`-1` is not a umask");
    bad_yaml("rootfs: /r\numask: ''\n", 2, 8, "umask", "is not a umask");
}

static void test_key_supplementary_groups(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\ngroups: [audio, 2000, \"_x.y-z\"]\n",
              "rootfs = \"/r\";\ngroups = (\"audio\", 2000, \"_x.y-z\");\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_groups, 3);
        assert_string_equal(l[i].p.groups[0].path, "audio");
        assert_string_equal(l[i].p.groups[1].path, "2000");
        assert_string_equal(l[i].p.groups[2].path, "_x.y-z");
        assert_int_equal(l[i].p.groups[1].origin.line, 2);
    }
    done_both(l);
    bad_value("rootfs: /r\ngroups: [audio, 1bad]\n", 2, 17,
              "rootfs = \"/r\";\ngroups = [\"audio\", \"1bad\"];\n", 2, "groups[1]",
              "`1bad` is not a group: expected a name");
    bad_value("rootfs: /r\ngroups: [4294967295]\n", 2, 10,
              "rootfs = \"/r\";\ngroups = [\"4294967295\"];\n", 2, "groups[0]",
              "or a gid (0 to 4294967294)");
    bad_value("rootfs: /r\ngroups: audio\n", 2, 9, "rootfs = \"/r\";\ngroups = \"audio\";\n", 2,
              "groups", "expected a list of group names or gids, got a value");
}

/* Appended across files, each group once, in its first place; `reset` empties the list. */
static void test_merge_groups(void **state)
{
    (void)state;
    free(test_write(tmp, "base.yaml", "rootfs: /r\ngroups: [audio, video]\n"));
    struct loaded l[2];
    load_both(l, "include: base.yaml\ngroups: [wheel, audio]\n",
              "include = \"base.yaml\";\ngroups = [\"wheel\", \"audio\"];\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_groups, 3);
        assert_string_equal(l[i].p.groups[0].path, "audio");
        assert_string_equal(l[i].p.groups[1].path, "video");
        assert_string_equal(l[i].p.groups[2].path, "wheel");
        assert_int_equal(l[i].p.groups[0].origin.line, 2);
        assert_true(strstr(l[i].p.groups[0].origin.file, "base.yaml") != NULL);
    }
    done_both(l);
    load_both(l, "include: base.yaml\nreset: [groups]\ngroups: [wheel]\n",
              "include = \"base.yaml\";\nreset = [\"groups\"];\ngroups = [\"wheel\"];\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_groups, 1);
        assert_string_equal(l[i].p.groups[0].path, "wheel");
    }
    done_both(l);
}

static void test_key_oom_score_adj(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\n", "rootfs = \"/r\";\n");
    assert_true(l[0].p.oom_score_adj == OOM_SCORE_ADJ_UNSET);
    assert_true(l[1].p.oom_score_adj == OOM_SCORE_ADJ_UNSET);
    done_both(l);
    load_both(l, "rootfs: /r\noom_score_adj: -1000\n", "rootfs = \"/r\";\noom_score_adj = 1000;\n");
    assert_int_equal(l[0].p.oom_score_adj, -1000);
    assert_int_equal(l[1].p.oom_score_adj, 1000);
    done_both(l);
    /* 0 is a value of its own, not "unset": it replaces the launcher's. */
    load_both(l, "rootfs: /r\noom_score_adj: 0\n", "rootfs = \"/r\";\noom_score_adj = \"0\";\n");
    assert_int_equal(l[0].p.oom_score_adj, 0);
    assert_int_equal(l[1].p.oom_score_adj, 0);
    done_both(l);
    bad_value("rootfs: /r\noom_score_adj: 1001\n", 2, 16,
              "rootfs = \"/r\";\noom_score_adj = 1001;\n", 2, "oom_score_adj",
              "`1001` is out of range: expected integer -1000..1000");
    bad_value("rootfs: /r\noom_score_adj: -1001\n", 2, 16,
              "rootfs = \"/r\";\noom_score_adj = -1001;\n", 2, "oom_score_adj",
              "`-1001` is out of range");
    bad_value("rootfs: /r\noom_score_adj: high\n", 2, 16,
              "rootfs = \"/r\";\noom_score_adj = \"high\";\n", 2, "oom_score_adj",
              "`high` is out of range");
}

static void test_key_capabilities_ambient(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\ncapabilities:\n  ambient: [net_bind_service, CAP_CHOWN]\n",
              "rootfs = \"/r\";\ncapabilities = { ambient = [\"NET_BIND_SERVICE\", \"chown\"]; };\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.cap_ambient, CAPBIT(CAP_NET_BIND_SERVICE) | CAPBIT(CAP_CHOWN));
        assert_int_equal(l[i].p.cap_add, 0);
        assert_int_equal(l[i].p.cap_drop, 0);
    }
    done_both(l);
    bad_value("rootfs: /r\ncapabilities:\n  ambient: [NET_BIND]\n", 3, 13,
              "rootfs = \"/r\";\ncapabilities = { ambient = [\"NET_BIND\"]; };\n", 2,
              "capabilities.ambient[0]", "`NET_BIND` is not a capability");
    bad_value("rootfs: /r\ncapabilities:\n  ambient: KILL\n", 3, 12,
              "rootfs = \"/r\";\ncapabilities = { ambient = \"KILL\"; };\n", 2,
              "capabilities.ambient", "expected a list of capability names");
}

/*
 * Merged by name, like add; a later drop does not take a capability out of
 * the ambient set (the plan refuses the pair), and `reset` empties it.
 */
static void test_merge_capabilities_ambient(void **state)
{
    (void)state;
    free(test_write(tmp, "base.yaml", "rootfs: /r\ncapabilities: {ambient: [KILL, CHOWN]}\n"));
    struct loaded l[2];
    load_both(l, "include: base.yaml\ncapabilities: {ambient: [NET_BIND_SERVICE], drop: [KILL]}\n",
              "include = \"base.yaml\";\ncapabilities = { ambient = [\"NET_BIND_SERVICE\"]; drop = "
              "[\"KILL\"]; };\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.cap_ambient,
                         CAPBIT(CAP_KILL) | CAPBIT(CAP_CHOWN) | CAPBIT(CAP_NET_BIND_SERVICE));
        assert_int_equal(l[i].p.cap_drop, CAPBIT(CAP_KILL));
    }
    done_both(l);
    load_both(l, "include: base.yaml\nreset: [capabilities.ambient]\n",
              "include = \"base.yaml\";\nreset = [\"capabilities.ambient\"];\n");
    assert_int_equal(l[0].p.cap_ambient, 0);
    assert_int_equal(l[1].p.cap_ambient, 0);
    done_both(l);
    /* An add in a later file leaves the ambient set as it was. */
    struct loaded a;
    load_ok(&a, "add.yaml", "include: base.yaml\ncapabilities: {add: [NET_ADMIN]}\n");
    assert_int_equal(a.p.cap_ambient, CAPBIT(CAP_KILL) | CAPBIT(CAP_CHOWN));
    done(&a);
}

static void test_key_domainname(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\n", "rootfs = \"/r\";\n");
    assert_null(l[0].p.domainname);
    assert_null(l[1].p.domainname);
    done_both(l);
    load_both(l, "rootfs: /r\ndomainname: nis.example_1\n",
              "rootfs = \"/r\";\ndomainname = \"(none)\";\n");
    assert_string_equal(l[0].p.domainname, "nis.example_1");
    assert_string_equal(l[1].p.domainname, "(none)");
    done_both(l);
    bad_value("rootfs: /r\ndomainname: a b\n", 2, 13, "rootfs = \"/r\";\ndomainname = \"a b\";\n",
              2, "domainname", "`a b` is not a domain name");
    bad_value("rootfs: /r\ndomainname: ''\n", 2, 13, "rootfs = \"/r\";\ndomainname = \"\";\n", 2,
              "domainname", "is not a domain name");
    char long_name[70], yaml[128], conf[128];
    memset(long_name, 'd', 65);
    long_name[65] = '\0';
    snprintf(yaml, sizeof(yaml), "rootfs: /r\ndomainname: %s\n", long_name);
    snprintf(conf, sizeof(conf), "rootfs = \"/r\";\ndomainname = \"%s\";\n", long_name);
    bad_value(yaml, 2, 13, conf, 2, "domainname", "at most 64");
    long_name[64] = '\0';
    snprintf(yaml, sizeof(yaml), "rootfs: /r\ndomainname: %s\n", long_name);
    snprintf(conf, sizeof(conf), "rootfs = \"/r\";\ndomainname = \"%s\";\n", long_name);
    load_both(l, yaml, conf);
    assert_string_equal(l[1].p.domainname, long_name);
    done_both(l);
}

/* The domain name is the uts namespace's: without one, it is an error that cites the later key. */
static void test_finalize_domainname_uts(void **state)
{
    (void)state;
    for (int f = 0; f < 2; f++) {
        struct loaded l;
        load(&l, f ? "t.conf" : "t.yaml",
             f ? "rootfs = \"/r\";\nnamespaces = { uts = false; };\ndomainname = \"d\";\n"
               : "rootfs: /r\nnamespaces: {uts: false}\ndomainname: d\n");
        expect_error(&l, 3, 0, "domainname", "a domain name needs the uts namespace");
        expect_diag(&l.d, DIAG_NOTE, l.path, 2, 0, "namespaces.uts", "set here");
        assert_errors(&l.d, 1);
        done(&l);
    }
}

static void test_key_sysctl(void **state)
{
    (void)state;
    struct loaded l[2];
    /* libconfig has no setting name with a dot: the list form, as env has it. */
    load_both(l,
              "rootfs: /r\nsysctl:\n  net.ipv4.ip_unprivileged_port_start: 0\n"
              "  kernel.shm_rmid_forced: '1'\n  fs.mqueue.msg_max: 20\n"
              "  net.ipv4.conf.eth0/100.rp_filter: 2\n",
              "rootfs = \"/r\";\nsysctl = (\"net.ipv4.ip_unprivileged_port_start=0\",\n"
              "  \"kernel.shm_rmid_forced=1\", \"fs.mqueue.msg_max=20\",\n"
              "  \"net.ipv4.conf.eth0/100.rp_filter=2\");\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_sysctl, 4);
        assert_string_equal(l[i].p.sysctl[0].name, "net.ipv4.ip_unprivileged_port_start");
        assert_string_equal(l[i].p.sysctl[0].value, "0");
        assert_string_equal(l[i].p.sysctl[1].name, "kernel.shm_rmid_forced");
        assert_string_equal(l[i].p.sysctl[2].value, "20");
        assert_string_equal(l[i].p.sysctl[3].name, "net.ipv4.conf.eth0/100.rp_filter");
        assert_int_equal(l[i].p.sysctl[2].origin.line, i ? 3 : 5);
    }
    done_both(l);
    assert_int_equal(profile_sysctl_ns("net.core.somaxconn"), NS_NET);
    assert_int_equal(profile_sysctl_ns("kernel.msgmax"), NS_IPC);
    assert_int_equal(profile_sysctl_ns("fs.mqueue.queues_max"), NS_IPC);
    assert_int_equal(profile_sysctl_ns("kernel.msgmax2"), -1);
    assert_int_equal(profile_sysctl_ns("fs.file-max"), -1);

    bad_yaml("rootfs: /r\nsysctl: {vm.swappiness: '1'}\n", 2, 25, "sysctl.vm.swappiness",
             "`vm.swappiness` is not isolated by a namespace of the container");
    bad_value("rootfs: /r\nsysctl: [vm.swappiness=1]\n", 2, 10,
              "rootfs = \"/r\";\nsysctl = (\"vm.swappiness=1\");\n", 2, "sysctl[0]",
              "`vm.swappiness` is not isolated by a namespace of the container: setting it "
              "would change the host");
    bad_value("rootfs: /r\nsysctl: [kernel.hostname=h]\n", 2, 10,
              "rootfs = \"/r\";\nsysctl = (\"kernel.hostname=h\");\n", 2, "sysctl[0]",
              "set `hostname` instead of `kernel.hostname`");
    bad_value("rootfs: /r\nsysctl: [kernel.domainname=d]\n", 2, 10,
              "rootfs = \"/r\";\nsysctl = (\"kernel.domainname=d\");\n", 2, "sysctl[0]",
              "set `domainname` instead of `kernel.domainname`");
    bad_value("rootfs: /r\nsysctl: [net.ipv4./.x=1]\n", 2, 10,
              "rootfs = \"/r\";\nsysctl = [\"net.ipv4./.x=1\"];\n", 2, "sysctl[0]",
              "`net.ipv4./.x` is not a kernel parameter");
    bad_value("rootfs: /r\nsysctl: [net..x=1]\n", 2, 10,
              "rootfs = \"/r\";\nsysctl = [\"net..x=1\"];\n", 2, "sysctl[0]",
              "is not a kernel parameter");
    bad_value("rootfs: /r\nsysctl: [net.core.somaxconn=]\n", 2, 10,
              "rootfs = \"/r\";\nsysctl = [\"net.core.somaxconn=\"];\n", 2, "sysctl[0]",
              "`net.core.somaxconn` has an empty value");
    bad_value("rootfs: /r\nsysctl: [net.a=1, net.a=2]\n", 2, 19,
              "rootfs = \"/r\";\nsysctl = [\"net.a=1\", \"net.a=2\"];\n", 2, "sysctl[1]",
              "`net.a` is set twice");
    bad_value("rootfs: /r\nsysctl: net.a=1\n", 2, 9, "rootfs = \"/r\";\nsysctl = \"net.a=1\";\n",
              2, "sysctl", "expected a map of NAME: value or a list of NAME=value");
}

/* A kernel parameter needs its namespace: with that one off, it would be the host's. */
static void test_finalize_sysctl_ns(void **state)
{
    (void)state;
    for (int f = 0; f < 2; f++) {
        struct loaded l;
        load(&l, f ? "t.conf" : "t.yaml",
             f ? "rootfs = \"/r\";\nsysctl = (\"net.ipv4.ip_forward=1\", \"kernel.sem=1 2 3 4\");\n"
                 "namespaces = { net = false; ipc = false; };\n"
               : "rootfs: /r\nsysctl: [net.ipv4.ip_forward=1, kernel.sem=1 2 3 4]\n"
                 "namespaces: {net: false, ipc: false}\n");
        expect_error(&l, 3, 0, "namespaces.net",
                     "`net.ipv4.ip_forward` needs the net namespace, which is off");
        expect_diag(&l.d, DIAG_NOTE, l.path, 2, 0, "sysctl.net.ipv4.ip_forward", "set here");
        expect_error(&l, 3, 0, "namespaces.ipc", "`kernel.sem` needs the ipc namespace");
        assert_errors(&l.d, 2);
        done(&l);
    }
    /* A namespace joined by path is the container's own: its parameters may be set. */
    struct loaded l;
    load_ok(&l, "j.yaml",
            "rootfs: /r\nsysctl: {net.ipv4.ip_forward: 1}\nnamespaces: {net: /run/netns/x}\n");
    done(&l);
}

static void test_key_annotations(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l,
              "rootfs: /r\nannotations:\n  org.example.owner: alice\n  \"a key: with space\": "
              "'x=y, z'\n  empty: ''\n",
              "rootfs = \"/r\";\nannotations = (\"org.example.owner=alice\",\n"
              "  \"a key: with space=x=y, z\", \"empty=\");\n");
    for (int i = 0; i < 2; i++) {
        assert_int_equal(l[i].p.n_annotations, 3);
        assert_string_equal(l[i].p.annotations[0].name, "org.example.owner");
        assert_string_equal(l[i].p.annotations[0].value, "alice");
        assert_string_equal(l[i].p.annotations[1].name, "a key: with space");
        assert_string_equal(l[i].p.annotations[1].value, "x=y, z");
        assert_string_equal(l[i].p.annotations[2].value, "");
    }
    done_both(l);
    bad_yaml("rootfs: /r\nannotations: {'a=b': c}\n", 2, 22, "annotations.a=b",
             "`a=b` is not an annotation key");
    bad_value("rootfs: /r\nannotations: [=c]\n", 2, 15,
              "rootfs = \"/r\";\nannotations = [\"=c\"];\n", 2, "annotations[0]",
              "is not an annotation key: one that is not empty, printable, and without `=`");
    bad_value("rootfs: /r\nannotations: [\"a\\tb=c\"]\n", 2, 15,
              "rootfs = \"/r\";\nannotations = [\"a\\tb=c\"];\n", 2, "annotations[0]",
              "is not an annotation key");
    bad_value("rootfs: /r\nannotations: [\"a\\u0085b=c\"]\n", 2, 15,
              "rootfs = \"/r\";\nannotations = [\"a\\xc2\\x85b=c\"];\n", 2, "annotations[0]",
              "is not an annotation key");
    bad_value("rootfs: /r\nannotations: [k]\n", 2, 15, "rootfs = \"/r\";\nannotations = [\"k\"];\n",
              2, "annotations[0]", "`k` is not KEY=value");
    /* What a running container keeps is bounded: 256 KiB of keys and values in all. */
    size_t big = 256 * 1024 + 1;
    char *value = xmalloc(big + 1);
    memset(value, 'v', big);
    value[big] = '\0';
    _cleanup_free_ char *yaml = xasprintf("rootfs: /r\nannotations: {k: %s}\n", value);
    free(value);
    struct loaded x;
    load(&x, "big.yaml", yaml);
    expect_only_error(&x, 2, 0, "annotations", "at most 262144 are kept");
    done(&x);
}

static void test_merge_maps_of_strings(void **state)
{
    (void)state;
    free(test_write(tmp, "base.yaml",
                    "rootfs: /r\nsysctl: {net.a: '1', net.b: '2'}\n"
                    "annotations: {x: '1', y: '2'}\ndomainname: base\n"));
    struct loaded l;
    load_ok(&l, "top.conf",
            "include = \"base.yaml\";\nsysctl = (\"net.b=3\", \"kernel.sem=4\");\n"
            "annotations = (\"y=5\");\nreset = [\"sysctl.net.a\", \"annotations.x\"];\n");
    assert_int_equal(l.p.n_sysctl, 2);
    assert_string_equal(l.p.sysctl[0].name, "net.b");
    assert_string_equal(l.p.sysctl[0].value, "3");
    assert_string_equal(l.p.sysctl[0].origin.file, l.path);
    assert_string_equal(l.p.sysctl[1].name, "kernel.sem");
    assert_int_equal(l.p.n_annotations, 1);
    assert_string_equal(l.p.annotations[0].value, "5");
    assert_string_equal(l.p.domainname, "base");
    done(&l);
    /* reset takes what it names, and only a name its key could hold. */
    load(&l, "bad.yaml", "include: base.yaml\nreset: [sysctl.vm.swappiness, annotations.a=b]\n");
    expect_error(&l, 2, 9, "reset[0]", "`sysctl.vm.swappiness` cannot be reset");
    expect_error(&l, 2, 31, "reset[1]", "`annotations.a=b` cannot be reset");
    done(&l);
}

/* A namespace given by path is joined: the path is read at load, the namespace at run time. */
static void test_namespaces_join(void **state)
{
    (void)state;
    struct loaded l[2];
    load_both(l, "rootfs: /r\nnamespaces: {net: /run/netns/blue, pid: '/proc/42/ns/pid/'}\n",
              "rootfs = \"/r\";\nnamespaces = { net = \"/run/netns/blue\"; pid = "
              "\"/proc/42/ns/./pid\"; };\n");
    for (int i = 0; i < 2; i++) {
        assert_true(l[i].p.ns[NS_NET]);
        assert_string_equal(l[i].p.ns_path[NS_NET], "/run/netns/blue");
        assert_string_equal(l[i].p.ns_path[NS_PID], "/proc/42/ns/pid");
        assert_null(l[i].p.ns_path[NS_UTS]);
        assert_int_equal(l[i].p.ns_origin[NS_NET].line, 2);
    }
    done_both(l);
    /* A joined uts namespace keeps its host name: none is derived from the profile's name. */
    struct loaded u;
    load_ok(&u, "u.yaml", "rootfs: /r\nnamespaces: {uts: /proc/1/ns/uts}\n");
    _cleanup_free_ char *h = profile_effective_hostname(&u.p);
    assert_null(h);
    done(&u);
    load_ok(&u, "v.yaml", "rootfs: /r\nnamespaces: {uts: /proc/1/ns/uts}\nhostname: set\n");
    _cleanup_free_ char *set = profile_effective_hostname(&u.p);
    assert_string_equal(set, "set");
    done(&u);

    bad_value("rootfs: /r\nnamespaces: {net: run/netns/blue}\n", 2, 19,
              "rootfs = \"/r\";\nnamespaces = { net = \"run/netns/blue\"; };\n", 2,
              "namespaces.net", "`run/netns/blue` is not an absolute path");
    bad_value("rootfs: /r\nnamespaces: {mount: /proc/1/ns/mnt}\n", 2, 21,
              "rootfs = \"/r\";\nnamespaces = { mount = \"/proc/1/ns/mnt\"; };\n", 2,
              "namespaces.mount", "joining a mount namespace by path is not supported");
    bad_value("rootfs: /r\nnamespaces: {net: blue}\n", 2, 19,
              "rootfs = \"/r\";\nnamespaces = { net = \"blue\"; };\n", 2, "namespaces.net",
              "expected true or false, got `blue`");
}

/* By name: a later bool makes a new one (or none) again; reset goes back to the default. */
static void test_merge_namespace_paths(void **state)
{
    (void)state;
    free(test_write(tmp, "base.yaml",
                    "rootfs: /r\nnamespaces: {net: /run/netns/a, ipc: /run/ipc, uts: /run/uts}\n"));
    struct loaded l;
    load_ok(&l, "top.conf",
            "include = \"base.yaml\";\nnamespaces = { net = \"/run/netns/b\"; ipc = false; };\n"
            "reset = [\"namespaces.uts\"];\n");
    assert_string_equal(l.p.ns_path[NS_NET], "/run/netns/b");
    assert_false(l.p.ns[NS_IPC]);
    assert_null(l.p.ns_path[NS_IPC]);
    assert_true(l.p.ns[NS_UTS]);
    assert_null(l.p.ns_path[NS_UTS]);
    done(&l);
    load_ok(&l, "top2.yaml", "include: base.yaml\nnamespaces: {net: true}\n");
    assert_true(l.p.ns[NS_NET]);
    assert_null(l.p.ns_path[NS_NET]);
    assert_string_equal(l.p.ns_path[NS_IPC], "/run/ipc");
    done(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_key_table),
        T(test_key_groups),
        T(test_key_accessors),
        T(test_parse_size_cpus),
        T(test_include),
        T(test_reset),
        T(test_name),
        T(test_rootfs),
        T(test_layers),
        T(test_upper),
        T(test_readonly_rootfs),
        T(test_hostname),
        T(test_user),
        T(test_user_namespace),
        T(test_workdir),
        T(test_env),
        T(test_command),
        T(test_limits_pids),
        T(test_limits_memory),
        T(test_limits_memory_swap),
        T(test_limits_cpu_shares),
        T(test_limits_cpus),
        T(test_limits_map),
        T(test_mounts_string),
        T(test_mounts_map),
        T(test_mounts_map_errors),
        T(test_mounts_suid_dev),
        T(test_mounts_idmap),
        T(test_mounts_targets),
        T(test_mounts_kernel),
        T(test_upper_none),
        T(test_cgroup_path),
        T(test_paths_taken_back),
        T(test_mounts_same_target),
        T(test_namespaces),
        T(test_init),
        T(test_cgroup_parent),
        T(test_yaml_booleans),
        T(test_yaml_nulls),
        T(test_yaml_dotted_key),
        T(test_unknown_keys),
        T(test_all_errors_reported),
        T(test_errors_in_overridden_values),
        T(test_conf_list_element_line),
        T(test_merge_scalars),
        T(test_merge_env),
        T(test_merge_namespaces),
        T(test_merge_layers),
        T(test_merge_mounts),
        T(test_merge_command),
        T(test_merge_limits),
        T(test_memory_swap_needs_memory_cites_later),
        T(test_reset_keys),
        T(test_reset_before_own_values),
        T(test_reset_then_later_file),
        T(test_finalize_rootfs),
        T(test_finalize_readonly_upper),
        T(test_finalize_hostname_uts),
        T(test_finalize_userns_owns),
        T(test_finalize_names),
        T(test_key_capabilities),
        T(test_merge_capabilities),
        T(test_key_seccomp),
        T(test_seccomp_rules_kept),
        T(test_key_rlimits),
        T(test_merge_rlimits),
        T(test_key_no_new_privileges),
        T(test_key_masked_readonly_paths),
        T(test_key_stop_timeout),
        T(test_workdir_not_under_proc),
        T(test_key_umask),
        T(test_key_supplementary_groups),
        T(test_merge_groups),
        T(test_key_oom_score_adj),
        T(test_key_capabilities_ambient),
        T(test_merge_capabilities_ambient),
        T(test_key_domainname),
        T(test_finalize_domainname_uts),
        T(test_key_sysctl),
        T(test_finalize_sysctl_ns),
        T(test_key_annotations),
        T(test_merge_maps_of_strings),
        T(test_namespaces_join),
        T(test_merge_namespace_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
