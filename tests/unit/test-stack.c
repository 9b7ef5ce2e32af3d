/*
 * A whole profile from its sources: includes across formats, diamonds,
 * cycles and the depth cap, finding files by bare name and through the
 * profile path, paths relative to the file that wrote them, ${NAME}
 * interpolation, and the command-line layers (--set, --reset, -- COMMAND,
 * and the positional `run` form).
 *
 * Every test runs in its own scratch directory, which is also the current
 * directory, so that file names read as a user types them (`a.yaml`).
 */
#include "helpers.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile/schema.h"
#include "util/util.h"

#define GIB (1024LL * 1024 * 1024)
#define MIB (1024LL * 1024)

static char *tmp;      /* this test's scratch directory, the current directory */
static char *real_tmp; /* the same with symlinks resolved */
static char *old_cwd;
static char *old_xdg, *old_home;

static char *dup_env(const char *name)
{
    const char *v = getenv(name);
    return v ? xstrdup(v) : NULL;
}

static void restore_env(const char *name, const char *value)
{
    if (value)
        setenv(name, value, 1);
    else
        unsetenv(name);
}

static const char *const test_vars[] = {"CONGO_T_ROOT", "CONGO_T_MEM",   "CONGO_T_EMPTY",
                                        "CONGO_T_DIR",  "CONGO_T_UNSET", "CONGO_T_PROG"};

static int setup(void **state)
{
    (void)state;
    tmp = test_tmpdir();
    real_tmp = realpath(tmp, NULL);
    assert_non_null(real_tmp);
    old_cwd = getcwd(NULL, 0);
    assert_non_null(old_cwd);
    assert_int_equal(chdir(tmp), 0);
    old_xdg = dup_env("XDG_CONFIG_HOME");
    old_home = dup_env("HOME");
    /* Nothing of the host's profile path may answer for these tests. */
    _cleanup_free_ char *xdg = xasprintf("%s/no-xdg", real_tmp);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    for (size_t i = 0; i < ARRAY_SIZE(test_vars); i++)
        unsetenv(test_vars[i]);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (chdir(old_cwd) != 0)
        return -1;
    restore_env("XDG_CONFIG_HOME", old_xdg);
    restore_env("HOME", old_home);
    for (size_t i = 0; i < ARRAY_SIZE(test_vars); i++)
        unsetenv(test_vars[i]);
    test_rmrf(tmp);
    free(tmp);
    free(real_tmp);
    free(old_cwd);
    free(old_xdg);
    free(old_home);
    tmp = real_tmp = old_cwd = old_xdg = old_home = NULL;
    return 0;
}

/* ---- loading and asserting ---- */

static void put(const char *name, const char *text)
{
    free(test_write(tmp, name, text));
}

struct loaded {
    struct profile p;
    struct diags d;
    int r;
};

static void done(struct loaded *l)
{
    profile_free(&l->p);
    diags_free(&l->d);
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

static void load_opts(struct loaded *l, const struct stack_opts *o)
{
    memset(l, 0, sizeof(*l));
    l->r = test_load_opts(&l->p, o, &l->d);
}

/* `congo-launch --check name`, from the scratch directory. */
static void load(struct loaded *l, const char *name)
{
    memset(l, 0, sizeof(*l));
    l->r = test_load_file(&l->p, name, &l->d);
}

static void load_ok(struct loaded *l, const char *name)
{
    load(l, name);
    assert_clean(l);
}

static void assert_errors(const struct diags *d, size_t n)
{
    if (d->n_errors != n) {
        _cleanup_free_ char *what = xasprintf("expected %zu errors, got %zu", n, d->n_errors);
        fail_diags(d, what);
    }
}

/* The error whose message holds msg, located exactly (col -1: not checked; key NULL: none). */
static const struct diag *expect_error(const struct diags *d, const char *file, int line, int col,
                                       const char *key, const char *msg)
{
    for (size_t i = 0; i < d->n; i++) {
        const struct diag *g = &d->v[i];
        if (g->level != DIAG_ERROR || !strstr(g->msg, msg))
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
    _cleanup_free_ char *what = xasprintf("no error containing \"%s\"", msg);
    fail_diags(d, what);
    return NULL;
}

static void assert_frame(const struct diag *g, size_t i, const char *file, int line)
{
    assert_true(i < g->n_chain);
    assert_string_equal(g->chain[i].file, file);
    assert_int_equal(g->chain[i].line, line);
}

/* A path under the scratch directory with symlinks resolved. Caller frees. */
static char *in_tmp(const char *rel)
{
    return xasprintf("%s/%s", real_tmp, rel);
}

/* ---- stacking ---- */

static void test_three_formats(void **state)
{
    (void)state;
    /* YAML includes libconfig includes YAML: every file's values arrive. */
    put("top.yaml", "include: mid.conf\nhostname: top\nenv: {TOP: t, SHARED: top}\n");
    put("mid.conf", "include = \"low.yaml\";\nuser = \"mid\";\nhostname = \"mid\";\n"
                    "env = { MID = \"m\"; SHARED = \"mid\"; };\nlimits = { pids = 7; };\n");
    put("low.yaml", "rootfs: /low\nhostname: low\nuser: low\nenv: {LOW: l, SHARED: low}\n"
                    "limits: {memory: 64m}\n");
    struct loaded l;
    load_ok(&l, "top.yaml");
    assert_string_equal(l.p.rootfs, "/low");
    assert_string_equal(l.p.user, "mid");
    assert_string_equal(l.p.hostname, "top");
    assert_int_equal(l.p.memory, 64 * MIB);
    assert_int_equal(l.p.pids, 7);
    assert_int_equal(l.p.n_env, 4);
    assert_env(&l.p, 0, "LOW", "l");
    assert_env(&l.p, 1, "SHARED", "top");
    assert_env(&l.p, 2, "MID", "m");
    assert_env(&l.p, 3, "TOP", "t");
    assert_string_equal(l.p.name, "top");
    assert_string_equal(l.p.origin[KEY_USER].file, "mid.conf");
    assert_int_equal(l.p.origin[KEY_USER].line, 2);
    assert_string_equal(l.p.origin[KEY_ROOTFS].file, "low.yaml");
    done(&l);
}

static void test_include_order(void **state)
{
    (void)state;
    /* Depth-first, in order, each before the file that includes it. */
    put("top.yaml", "include: [a.yaml, b.conf]\nenv: {T: '1'}\n");
    put("a.yaml", "include: a1.yaml\nenv: {A: '1'}\nuser: a\n");
    put("a1.yaml", "rootfs: /r\nenv: {A1: '1'}\nuser: a1\nhostname: a1\n");
    put("b.conf", "env = { B = \"1\"; };\nhostname = \"b\";\n");
    struct loaded l;
    load_ok(&l, "top.yaml");
    assert_int_equal(l.p.n_env, 4);
    assert_env(&l.p, 0, "A1", "1");
    assert_env(&l.p, 1, "A", "1");
    assert_env(&l.p, 2, "B", "1");
    assert_env(&l.p, 3, "T", "1");
    assert_string_equal(l.p.user, "a");
    assert_string_equal(l.p.hostname, "b");
    done(&l);
}

static void test_diamond(void **state)
{
    (void)state;
    /*
     * base is reached through left and right: applied once, at its first
     * position (before left), so left's value still wins over it.
     */
    put("top.yaml", "include: [left.yaml, right.conf]\n");
    put("left.yaml", "include: base.yaml\nuser: left\n");
    put("right.conf", "include = \"base.yaml\";\nhostname = \"right\";\n");
    put("base.yaml", "rootfs: /r\nuser: base\nhostname: base\nlayers: [/b]\n");
    struct loaded l;
    load_ok(&l, "top.yaml");
    assert_string_equal(l.p.user, "left");
    assert_string_equal(l.p.hostname, "right");
    assert_int_equal(l.p.n_layers, 1);
    done(&l);
    /* The same file twice in one list: only the first counts. */
    put("twice.yaml", "include: [base.yaml, other.yaml, base.yaml]\n");
    put("other.yaml", "user: other\n");
    load_ok(&l, "twice.yaml");
    assert_string_equal(l.p.user, "other");
    done(&l);
    /* Identified by device and inode: a symlink to base is base. */
    assert_int_equal(symlink("base.yaml", "alias.yaml"), 0);
    put("linked.yaml", "include: [base.yaml, other.yaml, alias.yaml]\n");
    load_ok(&l, "linked.yaml");
    assert_string_equal(l.p.user, "other");
    done(&l);
}

static void test_cycle(void **state)
{
    (void)state;
    put("a.yaml", "rootfs: /r\ninclude: b.conf\n");
    put("b.conf", "hostname = \"b\";\n\ninclude = \"a.yaml\";\n");
    struct loaded l;
    load(&l, "a.yaml");
    assert_int_equal(l.r, -1);
    const struct diag *g =
        expect_error(&l.d, "b.conf", 3, 0, "include", "include cycle: a.yaml -> b.conf -> a.yaml");
    assert_int_equal(g->n_chain, 1);
    assert_frame(g, 0, "a.yaml", 2);
    assert_errors(&l.d, 1);
    _cleanup_free_ char *text = test_diags_text(&l.d);
    assert_string_equal(text, "b.conf:3: error: include: include cycle: a.yaml -> b.conf -> "
                              "a.yaml\n  included from a.yaml:2\n");
    done(&l);
    /* A file including itself, through a symlink: the same inode. */
    assert_int_equal(symlink("self.yaml", "me.yaml"), 0);
    put("self.yaml", "rootfs: /r\ninclude: [me.yaml]\n");
    load(&l, "self.yaml");
    /* Errors about an include itself are located at its line, under `include`. */
    g = expect_error(&l.d, "self.yaml", 2, 0, "include", "include cycle: self.yaml -> ");
    assert_non_null(strstr(g->msg, "-> me.yaml"));
    assert_int_equal(g->n_chain, 0);
    assert_errors(&l.d, 1);
    done(&l);
}

/* f0.yaml includes f1.yaml ... includes fN.yaml, which sets the values. */
static void write_chain(int n)
{
    for (int i = 0; i < n; i++) {
        char name[32], text[64];
        snprintf(name, sizeof(name), "f%d.yaml", i);
        snprintf(text, sizeof(text), "include: f%d.yaml\n", i + 1);
        put(name, text);
    }
    char name[32];
    snprintf(name, sizeof(name), "f%d.yaml", n);
    put(name, "rootfs: /r\nhostname: deep\n");
}

static void test_depth_cap(void **state)
{
    (void)state;
    /* 16 levels below the top file are allowed. */
    write_chain(INCLUDE_MAX_DEPTH);
    struct loaded l;
    load_ok(&l, "f0.yaml");
    assert_string_equal(l.p.hostname, "deep");
    done(&l);
    /* The 17th is refused at the include that reaches it. */
    write_chain(INCLUDE_MAX_DEPTH + 1);
    load(&l, "f0.yaml");
    const struct diag *g =
        expect_error(&l.d, "f16.yaml", 1, 0, "include", "includes nest deeper than 16 files");
    assert_int_equal(g->n_chain, 16);
    assert_frame(g, 0, "f15.yaml", 1);
    assert_frame(g, 15, "f0.yaml", 1);
    assert_errors(&l.d, 1);
    done(&l);
}

static void test_missing_include(void **state)
{
    (void)state;
    put("top.yaml", "rootfs: /r\ninclude: nowhere\n");
    struct loaded l;
    load(&l, "top.yaml");
    expect_error(&l.d, "top.yaml", 2, 10, "include",
                 "profile `nowhere` not found next to top.yaml or in the profile path");
    assert_errors(&l.d, 1);
    done(&l);
    put("list.conf", "rootfs = \"/r\";\ninclude = [\"top.yaml\",\n \"gone.yaml\"];\n");
    put("top.yaml", "hostname: h\n");
    load(&l, "list.conf");
    /* libconfig gives list elements the line where the list's element is read. */
    const struct diag *g = expect_error(&l.d, "list.conf", 3, 0, "include[1]", "not found");
    assert_non_null(strstr(g->msg, "`gone.yaml`"));
    assert_errors(&l.d, 1);
    done(&l);
}

static void test_missing_include_path(void **state)
{
    (void)state;
    /* A missing include written as a path is located at the include, like a bare name. */
    put("top.yaml", "rootfs: /r\ninclude: sub/none.yaml\n");
    struct loaded l;
    load(&l, "top.yaml");
    expect_error(&l.d, "top.yaml", 2, 10, "include", "not found");
    assert_errors(&l.d, 1);
    done(&l);
}

static void test_included_from_frames(void **state)
{
    (void)state;
    put("top.yaml", "rootfs: /r\n\ninclude: sub/mid.conf\n");
    put("sub/mid.conf", "include = \"low.yaml\";\n");
    put("sub/low.yaml", "hostname: h\nlimits: {pids: 0}\n");
    struct loaded l;
    load(&l, "top.yaml");
    const struct diag *g =
        expect_error(&l.d, "sub/low.yaml", 2, 16, "limits.pids", "`0` is not a process limit");
    assert_int_equal(g->n_chain, 2);
    assert_frame(g, 0, "sub/mid.conf", 1);
    assert_frame(g, 1, "top.yaml", 3);
    assert_errors(&l.d, 1);
    _cleanup_free_ char *text = test_diags_text(&l.d);
    assert_non_null(strstr(text, "sub/low.yaml:2:16: error: limits.pids: `0` is not a process "
                                 "limit"));
    assert_non_null(strstr(text, "\n  included from sub/mid.conf:1\n  included from top.yaml:3\n"));
    done(&l);
}

static void test_errors_of_every_file(void **state)
{
    (void)state;
    /* Each included file reports its own errors; a syntax error ends only its own file. */
    put("top.yaml", "include: [one.yaml, two.conf, three.yaml]\nrootfs: /r\nuser: 'a b'\n");
    put("one.yaml", "limits: {pids: 0}\n");
    put("two.conf", "hostname = \"-x\";\nthis is not libconfig\n");
    put("three.yaml", "init: yes\n");
    struct loaded l;
    load(&l, "top.yaml");
    const struct diag *g =
        expect_error(&l.d, "one.yaml", 1, 16, "limits.pids", "`0` is not a process limit");
    assert_frame(g, 0, "top.yaml", 1);
    g = expect_error(&l.d, "two.conf", 2, 0, NULL, "syntax error");
    assert_frame(g, 0, "top.yaml", 1);
    g = expect_error(&l.d, "three.yaml", 1, 7, "init", "`yes` is not a boolean here");
    assert_frame(g, 0, "top.yaml", 1);
    g = expect_error(&l.d, "top.yaml", 3, 7, "user", "`a b` is not a user");
    assert_int_equal(g->n_chain, 0);
    assert_null(test_find_diag(&l.d, "`-x`"));
    assert_errors(&l.d, 4);
    done(&l);
}

static void test_bare_name_extensions(void **state)
{
    (void)state;
    put("top.yaml", "rootfs: /r\ninclude: base\n");
    put("base.conf", "hostname = \"conf\";\n");
    struct loaded l;
    load_ok(&l, "top.yaml");
    assert_string_equal(l.p.hostname, "conf");
    done(&l);
    /* .yml before .conf */
    put("base.yml", "hostname: yml\n");
    load_ok(&l, "top.yaml");
    assert_string_equal(l.p.hostname, "yml");
    done(&l);
    /* .yaml before .yml */
    put("base.yaml", "hostname: yaml\n");
    load_ok(&l, "top.yaml");
    assert_string_equal(l.p.hostname, "yaml");
    assert_string_equal(l.p.origin[KEY_HOSTNAME].file, "base.yaml");
    done(&l);
    /* A name with its extension is taken as written. */
    put("top.yaml", "rootfs: /r\ninclude: base.conf\n");
    load_ok(&l, "top.yaml");
    assert_string_equal(l.p.hostname, "conf");
    done(&l);
    /* Next to the including file, not the current directory. */
    put("sub/top.yaml", "rootfs: /r\ninclude: base\n");
    put("sub/base.conf", "hostname = \"sub\";\n");
    load_ok(&l, "sub/top.yaml");
    assert_string_equal(l.p.hostname, "sub");
    assert_string_equal(l.p.origin[KEY_HOSTNAME].file, "sub/base.conf");
    done(&l);
}

static void test_profile_argument(void **state)
{
    (void)state;
    /* A bare PROFILE argument: the current directory, extension optional. */
    put("proj.conf", "rootfs = \"/r\";\n");
    struct loaded l;
    load_ok(&l, "proj");
    assert_string_equal(l.p.name, "proj");
    done(&l);
    load(&l, "absent");
    expect_error(&l.d, "absent", 0, 0, NULL, "profile not found (looked in .");
    assert_errors(&l.d, 1);
    done(&l);
    put("plain.txt", "rootfs: /r\n");
    load(&l, "plain.txt");
    expect_error(&l.d, "plain.txt", 0, 0, NULL,
                 "unknown profile format; use .yaml, .yml, .conf or .cfg");
    done(&l);
    /* .cfg is libconfig too. */
    put("x.cfg", "rootfs = \"/r\";\n");
    load_ok(&l, "x.cfg");
    assert_string_equal(l.p.rootfs, "/r");
    done(&l);
}

static void test_search_path(void **state)
{
    (void)state;
    _cleanup_free_ char *xdg = in_tmp("xdg");
    setenv("XDG_CONFIG_HOME", xdg, 1);
    put("xdg/congo/profiles/base.yaml", "rootfs: r\nhostname: from-xdg\n");
    put("xdg/congo/profiles/named.conf", "rootfs = \"/r\";\nuser = \"named\";\n");
    put("proj/app.yaml", "include: base\nuser: app\n");
    struct loaded l;
    load_ok(&l, "proj/app.yaml");
    assert_string_equal(l.p.hostname, "from-xdg");
    assert_string_equal(l.p.user, "app");
    /* Its relative paths are relative to where it was found. */
    _cleanup_free_ char *r = in_tmp("xdg/congo/profiles/r");
    assert_string_equal(l.p.rootfs, r);
    done(&l);
    /* A file next to the including one comes first. */
    put("proj/base.yml", "rootfs: /near\nhostname: near\n");
    load_ok(&l, "proj/app.yaml");
    assert_string_equal(l.p.hostname, "near");
    done(&l);
    /* A PROFILE argument is searched there too. */
    load_ok(&l, "named");
    assert_string_equal(l.p.user, "named");
    assert_string_equal(l.p.name, "named");
    done(&l);

    char **path = profile_search_path();
    _cleanup_free_ char *first = xasprintf("%s/congo/profiles", xdg);
    assert_string_equal(path[0], first);
    assert_string_equal(path[1], "/etc/congo/profiles");
    assert_non_null(path[2]);
    assert_null(path[3]);
    strv_free(path);
    /* Without XDG_CONFIG_HOME: ~/.config. */
    unsetenv("XDG_CONFIG_HOME");
    _cleanup_free_ char *home = in_tmp("home");
    setenv("HOME", home, 1);
    path = profile_search_path();
    _cleanup_free_ char *dot = xasprintf("%s/.config/congo/profiles", home);
    assert_string_equal(path[0], dot);
    strv_free(path);
    put("home/.config/congo/profiles/homed.yaml", "rootfs: /r\nuser: homed\n");
    load_ok(&l, "homed");
    assert_string_equal(l.p.user, "homed");
    done(&l);
}

static void test_search_path_skips_directories(void **state)
{
    (void)state;
    /* A directory named like a profile does not hide the profile path. */
    _cleanup_free_ char *xdg = in_tmp("xdg");
    setenv("XDG_CONFIG_HOME", xdg, 1);
    put("xdg/congo/profiles/alpine.yaml", "rootfs: /alpine\n");
    assert_int_equal(mkdir("alpine", 0755), 0);
    put("top.yaml", "include: alpine\n");
    struct loaded l;
    load_ok(&l, "top.yaml");
    assert_string_equal(l.p.rootfs, "/alpine");
    done(&l);
    load_ok(&l, "alpine");
    assert_string_equal(l.p.rootfs, "/alpine");
    done(&l);
}

static void test_empty_files(void **state)
{
    (void)state;
    /* An empty file sets nothing, in either format. */
    put("empty.yaml", "");
    put("empty.conf", "# nothing here\n");
    put("top.yaml", "include: [empty.yaml, empty.conf]\nrootfs: /r\n");
    struct loaded l;
    load_ok(&l, "top.yaml");
    struct profile def;
    profile_init(&def);
    def.rootfs = xstrdup("/r");
    def.name = xstrdup("top");
    assert_true(profile_equal(&l.p, &def));
    profile_free(&def);
    done(&l);
}

static void test_conf_at_include(void **state)
{
    (void)state;
    /* libconfig's own @include would bypass every check here: refused, pointing at `include`. */
    put("base.conf", "rootfs = \"/r\";\n");
    put("top.conf", "user = \"u\";\n  @include \"base.conf\"\n");
    struct loaded l;
    load(&l, "top.conf");
    expect_error(&l.d, "top.conf", 2, 3, NULL,
                 "`@include` is not supported; use the `include` key");
    assert_errors(&l.d, 1);
    done(&l);
}

static void test_relative_paths(void **state)
{
    (void)state;
    /* The profile sits in real/a/b, reached through the symlink `link`. */
    assert_int_equal(mkdir("real", 0755), 0);
    assert_int_equal(mkdir("real/a", 0755), 0);
    assert_int_equal(mkdir("real/a/b", 0755), 0);
    assert_int_equal(symlink("real/a/b", "link"), 0);
    put("real/a/b/p.yaml", "include: ../inc.conf\nrootfs: ../r\nlayers: [l, ./m/]\n"
                           "upper: up\nmounts: [src:/dst]\n");
    put("real/a/inc.conf", "layers = [\"il\"];\nuser = \"inc\";\n");
    struct loaded l;
    load_ok(&l, "link/p.yaml");
    _cleanup_free_ char *r = in_tmp("real/a/r");
    _cleanup_free_ char *il = in_tmp("real/a/il");
    _cleanup_free_ char *lb = in_tmp("real/a/b/l");
    _cleanup_free_ char *mb = in_tmp("real/a/b/m");
    _cleanup_free_ char *up = in_tmp("real/a/b/up");
    _cleanup_free_ char *src = in_tmp("real/a/b/src");
    assert_string_equal(l.p.rootfs, r);
    assert_string_equal(l.p.user, "inc");
    assert_int_equal(l.p.n_layers, 3);
    assert_string_equal(l.p.layers[0].path, il);
    assert_string_equal(l.p.layers[1].path, lb);
    assert_string_equal(l.p.layers[2].path, mb);
    assert_string_equal(l.p.upper, up);
    assert_int_equal(l.p.n_mounts, 1);
    assert_string_equal(l.p.mounts[0].source, src);
    done(&l);
}

static void test_tilde_not_expanded(void **state)
{
    (void)state;
    put("~/inc.yaml", "user: tilde\n");
    put("t.yaml", "include: ~/inc.yaml\nrootfs: ~/r\nlayers: ['~']\n");
    struct loaded l;
    load_ok(&l, "t.yaml");
    _cleanup_free_ char *r = in_tmp("~/r");
    _cleanup_free_ char *t = in_tmp("~");
    assert_string_equal(l.p.rootfs, r);
    assert_string_equal(l.p.layers[0].path, t);
    assert_string_equal(l.p.user, "tilde");
    done(&l);
}

static void test_verbose(void **state)
{
    (void)state;
    put("top.yaml", "include: [mid.conf, low.yaml]\n");
    put("mid.conf", "include = \"low.yaml\";\n");
    put("low.yaml", "rootfs: /r\n");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct stack_opts o = {.profile = "top.yaml", .verbose = f};
    struct loaded l;
    load_opts(&l, &o);
    fclose(f);
    assert_clean(&l);
    assert_string_equal(buf, "congo-launch: reading top.yaml\n"
                             "congo-launch: reading mid.conf\n"
                             "congo-launch: reading low.yaml\n");
    free(buf);
    done(&l);
}

/* ---- ${NAME} interpolation ---- */

static void test_interpolation_values(void **state)
{
    (void)state;
    setenv("CONGO_T_ROOT", "/srv/root", 1);
    setenv("CONGO_T_MEM", "1g", 1);
    setenv("CONGO_T_EMPTY", "", 1);
    setenv("CONGO_T_PROG", "/bin/prog", 1);
    setenv("CONGO_T_DIR", "a${CONGO_T_ROOT}$$", 1);
    put("t.yaml", "rootfs: ${CONGO_T_ROOT}/x\n"
                  "limits: {memory: '${CONGO_T_MEM}'}\n"
                  "env:\n"
                  "  A: ${CONGO_T_UNSET:-dflt}\n"
                  "  B: ${CONGO_T_EMPTY:-was-empty}\n"
                  "  C: x${CONGO_T_EMPTY}y\n"
                  "  D: ${CONGO_T_ROOT:-unused}\n"
                  "  E: cost $$5 and $$${CONGO_T_MEM}\n"
                  "  F: $HOME and $ alone$\n"
                  "  G: ${CONGO_T_UNSET:-}\n"
                  "  H: $${CONGO_T_ROOT} ${CONGO_T_DIR}\n"
                  "command: ['${CONGO_T_PROG}', 'echo $HOME $$HOME']\n");
    put("t.conf", "rootfs = \"${CONGO_T_ROOT}/x\";\n"
                  "limits = { memory = \"${CONGO_T_MEM}\"; };\n"
                  "env = { A = \"${CONGO_T_UNSET:-dflt}\"; B = \"${CONGO_T_EMPTY:-was-empty}\";\n"
                  "  C = \"x${CONGO_T_EMPTY}y\"; D = \"${CONGO_T_ROOT:-unused}\";\n"
                  "  E = \"cost $$5 and $$${CONGO_T_MEM}\"; F = \"$HOME and $ alone$\";\n"
                  "  G = \"${CONGO_T_UNSET:-}\"; H = \"$${CONGO_T_ROOT} ${CONGO_T_DIR}\"; };\n"
                  "command = [\"${CONGO_T_PROG}\", \"echo $HOME $$HOME\"];\n");
    static const char *const names[] = {"t.yaml", "t.conf"};
    for (int i = 0; i < 2; i++) {
        struct loaded l;
        load_ok(&l, names[i]);
        assert_string_equal(l.p.rootfs, "/srv/root/x");
        assert_int_equal(l.p.memory, GIB);
        assert_string_equal(env_get(&l.p, "A"), "dflt");
        assert_string_equal(env_get(&l.p, "B"), "was-empty");
        assert_string_equal(env_get(&l.p, "C"), "xy");
        assert_string_equal(env_get(&l.p, "D"), "/srv/root");
        assert_string_equal(env_get(&l.p, "E"), "cost $5 and $1g");
        assert_string_equal(env_get(&l.p, "F"), "$HOME and $ alone$");
        assert_string_equal(env_get(&l.p, "G"), "");
        /* `$${` is a literal; a variable's value is never expanded again. */
        assert_string_equal(env_get(&l.p, "H"), "${CONGO_T_ROOT} a${CONGO_T_ROOT}$$");
        ASSERT_COMMAND(&l.p, false, "/bin/prog", "echo $HOME $HOME");
        done(&l);
    }
    /* A shell command string: `$HOME` reaches the shell, `$$` is one `$`. */
    put("sh.yaml", "rootfs: /r\ncommand: echo $HOME $$USER ${CONGO_T_ROOT}\n");
    struct loaded l;
    load_ok(&l, "sh.yaml");
    ASSERT_COMMAND(&l.p, true, "/bin/sh", "-c", "echo $HOME $USER /srv/root");
    done(&l);
    /* The replaced text is then read by the key's type. */
    setenv("CONGO_T_MEM", "512", 1);
    put("mem.yaml", "rootfs: /r\nlimits:\n  memory: ${CONGO_T_MEM}\n");
    load(&l, "mem.yaml");
    expect_error(&l.d, "mem.yaml", 3, 11, "limits.memory", "did you mean `512m`?");
    assert_errors(&l.d, 1);
    done(&l);
}

static void test_interpolation_errors(void **state)
{
    (void)state;
    /* Unset without a default: one error, at the value; no second error about its type. */
    put("t.yaml", "rootfs: /r\n"
                  "limits:\n"
                  "  memory: ${CONGO_T_UNSET}\n"
                  "command: [a, '${CONGO_T_UNSET}']\n"
                  "env: {A: '${CONGO_T_UNSET}'}\n"
                  "mounts: ['${CONGO_T_UNSET}:/x']\n"
                  "init: ${CONGO_T_UNSET}\n");
    struct loaded l;
    load(&l, "t.yaml");
    const char *msg = "`CONGO_T_UNSET` is not set in the environment; give a default with "
                      "`${CONGO_T_UNSET:-VALUE}`";
    expect_error(&l.d, "t.yaml", 3, 11, "limits.memory", msg);
    assert_errors(&l.d, 5);
    assert_int_equal(l.d.n, 5);
    static const char *const keys[] = {"limits.memory", "command[1]", "env.A", "mounts[0]", "init"};
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        assert_string_equal(l.d.v[i].key, keys[i]);
        assert_non_null(strstr(l.d.v[i].msg, "is not set in the environment"));
    }
    done(&l);
    put("t.conf", "rootfs = \"/r\";\nlimits = {\n  memory = \"${CONGO_T_UNSET}\";\n};\n");
    load(&l, "t.conf");
    expect_error(&l.d, "t.conf", 3, 0, "limits.memory", msg);
    assert_errors(&l.d, 1);
    done(&l);

    put("u.yaml", "rootfs: /r\nhostname: ab${CONGO_T_ROOT\n");
    load(&l, "u.yaml");
    expect_error(&l.d, "u.yaml", 2, 11, "hostname",
                 "unterminated `${`; write `$$` for a literal `$`");
    assert_errors(&l.d, 1);
    done(&l);
    put("v.yaml", "rootfs: /r\nhostname: '${1X}'\n");
    load(&l, "v.yaml");
    expect_error(&l.d, "v.yaml", 2, 11, "hostname", "`${1X}` is not a variable reference");
    assert_errors(&l.d, 1);
    done(&l);
    put("w.yaml", "rootfs: /r\nhostname: '${}'\n");
    load(&l, "w.yaml");
    expect_error(&l.d, "w.yaml", 2, 11, "hostname", "is not a variable reference");
    assert_errors(&l.d, 1);
    done(&l);
}

static void test_interpolation_not_in_keys(void **state)
{
    (void)state;
    setenv("CONGO_T_ROOT", "HOSTNAME", 1);
    put("t.yaml", "rootfs: /r\nenv: {'${CONGO_T_ROOT}': x}\n");
    struct loaded l;
    load(&l, "t.yaml");
    expect_error(&l.d, "t.yaml", 2, 26, "env.${CONGO_T_ROOT}",
                 "`${CONGO_T_ROOT}` is not a variable name");
    assert_errors(&l.d, 1);
    done(&l);
    put("k.yaml", "rootfs: /r\n${CONGO_T_ROOT}: x\n");
    load(&l, "k.yaml");
    expect_error(&l.d, "k.yaml", 2, 1, "${CONGO_T_ROOT}", "unknown key");
    assert_errors(&l.d, 1);
    done(&l);
}

static void test_interpolation_include(void **state)
{
    (void)state;
    setenv("CONGO_T_DIR", real_tmp, 1);
    put("inc/base.yaml", "rootfs: /r\nuser: base\n");
    put("t.yaml", "include: ${CONGO_T_DIR}/inc/base.yaml\n");
    put("d.yaml", "include: ${CONGO_T_UNSET:-inc}/base.yaml\n");
    struct loaded l;
    load_ok(&l, "t.yaml");
    assert_string_equal(l.p.user, "base");
    done(&l);
    load_ok(&l, "d.yaml");
    assert_string_equal(l.p.user, "base");
    done(&l);
}

static void test_interpolation_include_unset(void **state)
{
    (void)state;
    /* An unset ${NAME} in an include path: one error, no lookup of the raw text. */
    put("top.yaml", "rootfs: /r\ninclude: ${CONGO_T_UNSET}/base.yaml\n");
    struct loaded l;
    load(&l, "top.yaml");
    expect_error(&l.d, "top.yaml", 2, 10, "include", "`CONGO_T_UNSET` is not set");
    assert_errors(&l.d, 1);
    done(&l);
}

/* ---- command-line layers ---- */

#define OPS(...) ((const struct stack_op[]){__VA_ARGS__})
#define SET(a)                                                                                     \
    {                                                                                              \
        STACK_SET, a                                                                               \
    }
#define RESET(a)                                                                                   \
    {                                                                                              \
        STACK_RESET, a                                                                             \
    }

static void load_with(struct loaded *l, const char *profile, const struct stack_op *ops,
                      size_t n_ops, char **command)
{
    struct stack_opts o = {.profile = profile, .ops = ops, .n_ops = n_ops, .command = command};
    load_opts(l, &o);
}

#define LOAD_WITH(l, profile, command, ...)                                                        \
    load_with(l, profile, OPS(__VA_ARGS__), ARRAY_SIZE(OPS(__VA_ARGS__)), command)

static const char base_profile[] = "rootfs: /r\n"
                                   "layers: [/l0]\n"
                                   "env: {FOO: file, KEEP: k}\n"
                                   "limits: {memory: 512m, pids: 10}\n"
                                   "mounts: [/a:/a, /b:/b]\n"
                                   "command: echo from file\n";

static void test_set(void **state)
{
    (void)state;
    put("p.yaml", base_profile);
    struct loaded l;
    LOAD_WITH(&l, "p.yaml", NULL, SET("limits.memory=1g"), SET("layers=[/a, /b, /l0]"),
              SET("env.FOO=bar"), SET("env.NEW=${HOME}"), SET("namespaces={net: false}"),
              SET("mounts=[{type: tmpfs, target: /a}]"), SET("hostname=h"));
    assert_clean(&l);
    assert_int_equal(l.p.memory, GIB);
    assert_int_equal(l.p.pids, 10);
    assert_int_equal(l.p.n_layers, 3);
    assert_string_equal(l.p.layers[0].path, "/l0");
    assert_string_equal(l.p.layers[1].path, "/a");
    assert_string_equal(l.p.layers[2].path, "/b");
    assert_int_equal(l.p.n_env, 3);
    assert_env(&l.p, 0, "FOO", "bar");
    assert_env(&l.p, 1, "KEEP", "k");
    /* Command-line values are never interpolated. */
    assert_env(&l.p, 2, "NEW", "${HOME}");
    assert_false(l.p.ns[NS_NET]);
    assert_true(l.p.ns[NS_PID]);
    assert_int_equal(l.p.n_mounts, 2);
    assert_string_equal(l.p.mounts[0].target, "/a");
    assert_int_equal(l.p.mounts[0].type, MOUNT_TMPFS);
    assert_string_equal(l.p.hostname, "h");
    assert_string_equal(l.p.origin[KEY_MEMORY].file, "<command line>");
    assert_string_equal(l.p.origin[KEY_PIDS].file, "p.yaml");
    done(&l);

    /* Relative paths on the command line: the current directory. */
    LOAD_WITH(&l, "p.yaml", NULL, SET("rootfs=rel"), SET("layers=[lay]"));
    assert_clean(&l);
    _cleanup_free_ char *rel = in_tmp("rel");
    _cleanup_free_ char *lay = in_tmp("lay");
    assert_string_equal(l.p.rootfs, rel);
    assert_string_equal(l.p.layers[1].path, lay);
    done(&l);

    /* A check across keys cites the command line when it set the later key. */
    LOAD_WITH(&l, "p.yaml", NULL, SET("limits.memory_swap=256m"));
    expect_error(&l.d, "<command line>", 0, 0, "limits.memory_swap",
                 "`256m` is less than limits.memory (`512m`)");
    assert_errors(&l.d, 1);
    assert_int_equal(l.d.n, 2);
    assert_int_equal(l.d.v[1].level, DIAG_NOTE);
    assert_string_equal(l.d.v[1].file, "p.yaml");
    assert_int_equal(l.d.v[1].line, 4);
    assert_string_equal(l.d.v[1].key, "limits.memory");
    done(&l);

    /* One string is a shell command; a later --set wins. */
    LOAD_WITH(&l, "p.yaml", NULL, SET("command=[/bin/a]"), SET("command=run it"),
              SET("limits.pids=20"), SET("limits.pids=unlimited"));
    assert_clean(&l);
    ASSERT_COMMAND(&l.p, true, "/bin/sh", "-c", "run it");
    assert_int_equal(l.p.pids, LIMIT_UNLIMITED);
    done(&l);
}

/* Below a key, only the first dot splits: the rest names an entry, dots and all. */
static void test_set_dotted_names(void **state)
{
    (void)state;
    put("p.yaml", "rootfs: /r\nsysctl: {net.ipv4.ip_forward: '0'}\n");
    struct loaded l;
    LOAD_WITH(&l, "p.yaml", NULL, SET("sysctl.net.ipv4.ip_forward=1"),
              SET("sysctl.net.core.somaxconn=4096"), SET("annotations.org.example.owner=al"),
              SET("namespaces.net=/run/netns/blue"), SET("limits.memory=8m"));
    assert_clean(&l);
    assert_int_equal(l.p.n_sysctl, 2);
    assert_string_equal(l.p.sysctl[0].name, "net.ipv4.ip_forward");
    assert_string_equal(l.p.sysctl[0].value, "1");
    assert_string_equal(l.p.sysctl[0].origin.file, "<command line>");
    assert_string_equal(l.p.sysctl[1].name, "net.core.somaxconn");
    assert_int_equal(l.p.n_annotations, 1);
    assert_string_equal(l.p.annotations[0].name, "org.example.owner");
    assert_string_equal(l.p.ns_path[NS_NET], "/run/netns/blue");
    assert_int_equal(l.p.memory, 8 << 20);
    done(&l);
    LOAD_WITH(&l, "p.yaml", NULL, SET("sysctl.vm.swappiness=1"));
    expect_error(&l.d, "<command line>", 0, 0, "sysctl.vm.swappiness",
                 "`vm.swappiness` is not isolated by a namespace of the container");
    done(&l);
}

static void test_set_errors(void **state)
{
    (void)state;
    put("p.yaml", base_profile);
    struct loaded l;
    LOAD_WITH(&l, "p.yaml", NULL, SET("include=x.yaml"));
    expect_error(&l.d, "<command line>", 0, 0, "include",
                 "include cannot be set from the command line");
    assert_errors(&l.d, 1);
    done(&l);
    LOAD_WITH(&l, "p.yaml", NULL, SET("hostnme=x"));
    expect_error(&l.d, "<command line>", 0, 0, "hostnme", "unknown key; did you mean `hostname`?");
    assert_errors(&l.d, 1);
    done(&l);
    LOAD_WITH(&l, "p.yaml", NULL, SET("limits.memroy=1g"));
    expect_error(&l.d, "<command line>", 0, 0, "limits.memroy",
                 "unknown key; did you mean `memory`?");
    assert_errors(&l.d, 1);
    done(&l);
    LOAD_WITH(&l, "p.yaml", NULL, SET("limits.pids=0"));
    expect_error(&l.d, "<command line>", 0, 0, "limits.pids", "`0` is not a process limit");
    assert_errors(&l.d, 1);
    done(&l);
    LOAD_WITH(&l, "p.yaml", NULL, SET("limits.memory"));
    expect_error(&l.d, "<command line>", 0, 0, NULL,
                 "--set `limits.memory`: expected KEY=VALUE, such as limits.memory=1g");
    assert_errors(&l.d, 1);
    done(&l);
    LOAD_WITH(&l, "p.yaml", NULL, SET("=1g"));
    expect_error(&l.d, "<command line>", 0, 0, NULL, "expected KEY=VALUE");
    done(&l);
    LOAD_WITH(&l, "p.yaml", NULL, SET("limits..memory=1g"));
    expect_error(&l.d, "<command line>", 0, 0, NULL, "empty key part");
    done(&l);
    LOAD_WITH(&l, "p.yaml", NULL, SET("sysctl.net.=1"));
    expect_error(&l.d, "<command line>", 0, 0, NULL, "empty key part");
    done(&l);
    /* All of them are reported, and nothing is checked after. */
    LOAD_WITH(&l, "p.yaml", NULL, SET("include=x"), SET("hostnme=x"), SET("limits.cpus=0"));
    assert_errors(&l.d, 3);
    done(&l);
}

static void test_reset_ops(void **state)
{
    (void)state;
    put("p.yaml", base_profile);
    struct loaded l;
    LOAD_WITH(&l, "p.yaml", NULL, RESET("env.FOO"), RESET("mounts"), RESET("limits.memory"));
    assert_clean(&l);
    assert_int_equal(l.p.n_env, 1);
    assert_env(&l.p, 0, "KEEP", "k");
    assert_int_equal(l.p.n_mounts, 0);
    assert_int_equal(l.p.memory, LIMIT_UNLIMITED);
    assert_int_equal(l.p.pids, 10);
    done(&l);
    /* In command-line order. */
    LOAD_WITH(&l, "p.yaml", NULL, SET("env.FOO=a"), RESET("env.FOO"));
    assert_clean(&l);
    assert_null(env_get(&l.p, "FOO"));
    done(&l);
    LOAD_WITH(&l, "p.yaml", NULL, RESET("env"), SET("env.FOO=a"));
    assert_clean(&l);
    assert_int_equal(l.p.n_env, 1);
    assert_env(&l.p, 0, "FOO", "a");
    done(&l);
    LOAD_WITH(&l, "p.yaml", NULL, SET("layers=[/x]"), RESET("layers"), SET("layers=[/y]"));
    assert_clean(&l);
    assert_int_equal(l.p.n_layers, 1);
    assert_string_equal(l.p.layers[0].path, "/y");
    done(&l);

    LOAD_WITH(&l, "p.yaml", NULL, RESET("hostnme"));
    expect_error(&l.d, "<command line>", 0, 0, NULL,
                 "--reset `hostnme`: cannot be reset; did you mean `hostname`?");
    assert_errors(&l.d, 1);
    done(&l);
    LOAD_WITH(&l, "p.yaml", NULL, RESET("include"));
    expect_error(&l.d, "<command line>", 0, 0, NULL, "--reset `include`: cannot be reset");
    done(&l);
    /* Resetting rootfs leaves the profile without one. */
    LOAD_WITH(&l, "p.yaml", NULL, RESET("rootfs"));
    expect_error(&l.d, "p.yaml", 0, 0, "rootfs", "required key is missing");
    done(&l);
}

static void test_command_after_dash(void **state)
{
    (void)state;
    put("p.yaml", base_profile);
    char *cmd[] = {(char *)"/bin/true", (char *)"x", NULL};
    struct loaded l;
    /* `--` replaces the command after every --set, and is never a shell string. */
    LOAD_WITH(&l, "p.yaml", cmd, SET("command=[/bin/a]"), SET("command=also a shell"));
    assert_clean(&l);
    ASSERT_COMMAND(&l.p, false, "/bin/true", "x");
    assert_string_equal(l.p.origin[KEY_COMMAND].file, "<command line>");
    done(&l);
    struct stack_opts o = {.profile = "p.yaml", .command = cmd};
    load_opts(&l, &o);
    assert_clean(&l);
    ASSERT_COMMAND(&l.p, false, "/bin/true", "x");
    done(&l);
    /* An empty `--` leaves the profile's. */
    char *none[] = {NULL};
    o.command = none;
    load_opts(&l, &o);
    assert_clean(&l);
    ASSERT_COMMAND(&l.p, true, "/bin/sh", "-c", "echo from file");
    done(&l);
}

/* ---- the positional run form ---- */

static void test_run_form(void **state)
{
    (void)state;
    char *argv[] = {
        (char *)"ROOTFS",
        (char *)"100",
        (char *)"512m",
        (char *)"1024",
        (char *)"KEY=VALUE,FOO=BAR",
        (char *)"--mount",
        (char *)"/src:/dst:ro",
        (char *)"--layers",
        (char *)"l1,l2",
        (char *)"--user",
        (char *)"nobody",
        (char *)"--",
        (char *)"/bin/sh",
        (char *)"-c",
        (char *)"echo $KEY",
    };
    struct stack_opts o = {.run_argv = argv, .run_argc = (int)ARRAY_SIZE(argv)};
    struct loaded l;
    load_opts(&l, &o);
    assert_clean(&l);
    _cleanup_free_ char *rootfs = in_tmp("ROOTFS");
    _cleanup_free_ char *l1 = in_tmp("l1");
    _cleanup_free_ char *l2 = in_tmp("l2");
    assert_string_equal(l.p.name, "congo");
    assert_string_equal(l.p.rootfs, rootfs);
    assert_int_equal(l.p.pids, 100);
    assert_int_equal(l.p.memory, 512 * MIB);
    assert_int_equal(l.p.memory_swap, LIMIT_UNLIMITED);
    assert_int_equal(l.p.cpu_shares, 1024);
    assert_int_equal(l.p.cpu_quota, 0);
    assert_int_equal(l.p.n_env, 2);
    assert_env(&l.p, 0, "KEY", "VALUE");
    assert_env(&l.p, 1, "FOO", "BAR");
    assert_int_equal(l.p.n_mounts, 1);
    assert_string_equal(l.p.mounts[0].target, "/dst");
    assert_string_equal(l.p.mounts[0].source, "/src");
    assert_int_equal(l.p.mounts[0].type, MOUNT_BIND);
    assert_true(l.p.mounts[0].readonly);
    assert_int_equal(l.p.n_layers, 2);
    assert_string_equal(l.p.layers[0].path, l1);
    assert_string_equal(l.p.layers[1].path, l2);
    assert_string_equal(l.p.user, "nobody");
    ASSERT_COMMAND(&l.p, false, "/bin/sh", "-c", "echo $KEY");
    /* Everything else is the default. */
    assert_null(l.p.upper);
    assert_null(l.p.hostname);
    assert_null(l.p.workdir);
    assert_null(l.p.cgroup_parent);
    assert_false(l.p.readonly_rootfs);
    assert_true(l.p.init);
    for (int ns = 0; ns < NS__MAX; ns++)
        assert_int_equal(l.p.ns[ns], ns != NS_CGROUP);
    assert_string_equal(l.p.origin[KEY_MEMORY].file, "<command line>");
    _cleanup_free_ char *h = profile_effective_hostname(&l.p);
    assert_string_equal(h, "congo");

    /* The same profile written as a file is the same profile. */
    put("same.yaml", "name: congo\nrootfs: ROOTFS\nlimits: {pids: 100, memory: 512m, "
                     "cpu_shares: 1024}\nenv: [KEY=VALUE, FOO=BAR]\nmounts: ['/src:/dst:ro']\n"
                     "layers: [l1, l2]\nuser: nobody\ncommand: [/bin/sh, -c, 'echo $$KEY']\n");
    struct loaded f;
    load_ok(&f, "same.yaml");
    assert_true(profile_equal(&l.p, &f.p));
    done(&f);
    done(&l);
}

static void test_run_form_layers(void **state)
{
    (void)state;
    /* `-` leaves a slot unset; --set and -- COMMAND still come last. */
    char *argv[] = {(char *)"/r", (char *)"-",           (char *)"-",
                    (char *)"-",  (char *)"A=1,B=x\\,y", (char *)"--hostname",
                    (char *)"h",  (char *)"--",          (char *)"/bin/a"};
    char *cmd[] = {(char *)"/bin/b", NULL};
    struct stack_opts o = {
        .run_argv = argv,
        .run_argc = (int)ARRAY_SIZE(argv),
        .ops = OPS(SET("limits.memory=1g"), RESET("env.A")),
        .n_ops = 2,
        .command = cmd,
    };
    struct loaded l;
    load_opts(&l, &o);
    assert_clean(&l);
    assert_string_equal(l.p.rootfs, "/r");
    assert_int_equal(l.p.pids, LIMIT_UNLIMITED);
    assert_int_equal(l.p.memory, GIB);
    assert_int_equal(l.p.cpu_shares, 0);
    assert_int_equal(l.p.n_env, 1);
    assert_env(&l.p, 0, "B", "x,y");
    assert_string_equal(l.p.hostname, "h");
    ASSERT_COMMAND(&l.p, false, "/bin/b");
    done(&l);
}

static void test_run_form_errors(void **state)
{
    (void)state;
    char *argv[] = {(char *)"/r", (char *)"0", (char *)"512", (char *)"1", (char *)"1X=2"};
    struct stack_opts o = {.run_argv = argv, .run_argc = (int)ARRAY_SIZE(argv)};
    struct loaded l;
    load_opts(&l, &o);
    expect_error(&l.d, "<command line>", 0, 0, "limits.pids", "`0` is not a process limit");
    expect_error(&l.d, "<command line>", 0, 0, "limits.memory",
                 "`512` is 512 bytes, below the 4m minimum; did you mean `512m`?");
    expect_error(&l.d, "<command line>", 0, 0, "limits.cpu_shares", "`1` is out of range");
    expect_error(&l.d, "<command line>", 0, 0, "env[0]", "`1X` is not a variable name");
    assert_errors(&l.d, 4);
    done(&l);
    /* No rootfs: the command line is the top "file". */
    char *none[] = {(char *)"-", (char *)"-", (char *)"-", (char *)"-", (char *)"-"};
    o.run_argv = none;
    load_opts(&l, &o);
    expect_error(&l.d, "<command line>", 0, 0, "rootfs", "required key is missing");
    assert_errors(&l.d, 1);
    done(&l);
}

/* ---- network ---- */

static void assert_port(const struct profile_port *port, const char *text)
{
    _cleanup_free_ char *s = port_map_format(&port->map);
    assert_string_equal(s, text);
}

/*
 * Across layers: mode, subnet, address and dns later wins (dns whole),
 * ports appended, a later port on the same host port replacing the
 * earlier one in place; reset returns to the defaults.
 */
static void test_network_layers(void **state)
{
    (void)state;
    put("base.yaml", "rootfs: /r\n"
                     "network:\n"
                     "  mode: bridge\n"
                     "  subnet: 10.90.0.0/24\n"
                     "  ports: [\"8080:80\", \"53:53/udp\", \"127.0.0.1:9000:90\"]\n"
                     "  dns: [192.0.2.1, 192.0.2.2]\n");
    put("top.conf", "include = \"base.yaml\";\n"
                    "network = {\n"
                    "  address = \"10.90.0.9\";\n"
                    "  ports = [ \"127.0.0.1:8080:81\", \"9000:91\", \"53:53\" ];\n"
                    "  dns = [ \"2001:db8::1\" ];\n"
                    "};\n");
    struct loaded l;
    load_ok(&l, "top.conf");
    const struct profile_network *net = &l.p.network;
    assert_int_equal(net->mode, NET_BRIDGE);
    assert_null(net->bridge);
    assert_string_equal(net->subnet, "10.90.0.0/24");
    assert_string_equal(net->address, "10.90.0.9");
    /* 9000:91 takes every address, so it replaces 127.0.0.1:9000:90; 53/tcp is another port. */
    assert_int_equal(net->n_ports, 4);
    assert_port(&net->ports[0], "127.0.0.1:8080:81");
    assert_port(&net->ports[1], "53:53/udp");
    assert_port(&net->ports[2], "9000:91");
    assert_port(&net->ports[3], "53:53");
    assert_string_equal(net->ports[0].origin.file, "top.conf");
    assert_int_equal(net->ports[0].origin.line, 4);
    assert_int_equal(strv_len(net->dns), 1);
    assert_string_equal(net->dns[0], "2001:db8::1");
    assert_true(l.p.ns[NS_NET]);
    done(&l);

    put("reset.yaml",
        "include: base.yaml\nreset: [network]\nnetwork: {ports: [\"1:1\"], mode: pasta}\n");
    load_ok(&l, "reset.yaml");
    assert_int_equal(l.p.network.mode, NET_PASTA);
    assert_null(l.p.network.subnet);
    assert_null(l.p.network.dns);
    assert_int_equal(l.p.network.n_ports, 1);
    done(&l);

    /* --reset network on the command line: the defaults, as if nothing had set it. */
    LOAD_WITH(&l, "top.conf", NULL, {.kind = STACK_RESET, .arg = "network"});
    assert_clean(&l);
    assert_int_equal(l.p.network.mode, NET_NONE);
    assert_int_equal(l.p.network.n_ports, 0);
    assert_null(l.p.network.address);
    done(&l);
}

/* After the stack, network host and namespaces.net false are one thing. */
static void test_network_host_namespace(void **state)
{
    (void)state;
    put("host.yaml", "rootfs: /r\nnetwork: host\n");
    struct loaded l;
    load_ok(&l, "host.yaml");
    assert_int_equal(l.p.network.mode, NET_HOST);
    assert_false(l.p.ns[NS_NET]);
    assert_int_equal(l.p.ns_origin[NS_NET].line, 2);
    done(&l);

    put("nonet.yaml", "rootfs: /r\nnamespaces: {net: false}\n");
    load_ok(&l, "nonet.yaml");
    assert_int_equal(l.p.network.mode, NET_HOST);
    assert_false(l.p.ns[NS_NET]);
    done(&l);

    /* A later layer takes the host's network back: the namespace is the container's again. */
    put("back.yaml", "include: host.yaml\nnetwork: bridge\n");
    load_ok(&l, "back.yaml");
    assert_int_equal(l.p.network.mode, NET_BRIDGE);
    assert_true(l.p.ns[NS_NET]);
    done(&l);

    put("joined.yaml", "rootfs: /r\nnamespaces: {net: /run/netns/blue}\n");
    load_ok(&l, "joined.yaml");
    assert_int_equal(l.p.network.mode, NET_NONE);
    assert_true(l.p.ns[NS_NET]);
    assert_string_equal(l.p.ns_path[NS_NET], "/run/netns/blue");
    done(&l);

    put("both.yaml", "rootfs: /r\nnetwork: host\nnamespaces: {net: true}\n");
    load(&l, "both.yaml");
    expect_error(&l.d, "both.yaml", 3, 0, "namespaces.net",
                 "network host is the host's network namespace");
    assert_errors(&l.d, 1);
    done(&l);
}

/* Repeated --network options merge as layers do. */
static void test_network_run_form(void **state)
{
    (void)state;
    char *argv[] = {
        (char *)"/r", (char *)"-", (char *)"-", (char *)"-", (char *)"-",
        (char *)"--network", (char *)"mode=bridge,port=8080:80,dns=192.0.2.1,dns=192.0.2.2",
        (char *)"--network", (char *)"port=8080:81,subnet=10.91.0.0/16,port=53:53/udp",
        (char *)"--network=dns=192.0.2.3",
    };
    struct stack_opts o = {.run_argv = argv, .run_argc = (int)ARRAY_SIZE(argv)};
    struct loaded l;
    load_opts(&l, &o);
    assert_clean(&l);
    const struct profile_network *net = &l.p.network;
    assert_int_equal(net->mode, NET_BRIDGE);
    assert_string_equal(net->subnet, "10.91.0.0/16");
    assert_int_equal(net->n_ports, 2);
    assert_port(&net->ports[0], "8080:81");
    assert_port(&net->ports[1], "53:53/udp");
    assert_int_equal(strv_len(net->dns), 1);
    assert_string_equal(net->dns[0], "192.0.2.3");
    assert_string_equal(net->mode_origin.file, "<command line>");
    done(&l);

    char *bad[] = {(char *)"/r", (char *)"-", (char *)"-", (char *)"-", (char *)"-",
                   (char *)"--network", (char *)"mode=bridge,ports=80:80"};
    struct stack_opts ob = {.run_argv = bad, .run_argc = (int)ARRAY_SIZE(bad)};
    load_opts(&l, &ob);
    expect_error(&l.d, "<command line>", 0, 0, "network",
                 "unknown field `ports` in --network value (mode, bridge, subnet, address, port, "
                 "dns); did you mean `port`?");
    assert_errors(&l.d, 1);
    done(&l);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_three_formats),
        T(test_include_order),
        T(test_diamond),
        T(test_cycle),
        T(test_depth_cap),
        T(test_missing_include),
        T(test_missing_include_path),
        T(test_included_from_frames),
        T(test_errors_of_every_file),
        T(test_bare_name_extensions),
        T(test_profile_argument),
        T(test_search_path),
        T(test_search_path_skips_directories),
        T(test_empty_files),
        T(test_conf_at_include),
        T(test_relative_paths),
        T(test_tilde_not_expanded),
        T(test_verbose),
        T(test_interpolation_values),
        T(test_interpolation_errors),
        T(test_interpolation_not_in_keys),
        T(test_interpolation_include),
        T(test_interpolation_include_unset),
        T(test_set),
        T(test_set_dotted_names),
        T(test_set_errors),
        T(test_reset_ops),
        T(test_command_after_dash),
        T(test_run_form),
        T(test_run_form_layers),
        T(test_run_form_errors),
        T(test_network_layers),
        T(test_network_host_namespace),
        T(test_network_run_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
