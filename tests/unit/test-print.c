/*
 * --print and --print-cli as properties over every example and test
 * profile: load -> print -> load gives the same profile, in both formats,
 * and load -> print-cli -> parse gives the same profile.
 */
#include "helpers.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "profile/cli.h"
#include "profile/print.h"
#include "util/util.h"

/* Every .yaml and .conf below dir that loads as a complete profile. */
static void collect(const char *dir, char ***out)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "rootfs") == 0)
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            collect(path, out);
            free(path);
        } else if (str_has_suffix(path, ".yaml") || str_has_suffix(path, ".conf")) {
            strv_push(out, path);
        } else {
            free(path);
        }
    }
    closedir(d);
}

static char **corpus(void)
{
    char **files = NULL;
    _cleanup_free_ char *examples = xasprintf("%s/examples", test_srcdir());
    _cleanup_free_ char *data = xasprintf("%s/tests/data", test_srcdir());
    _cleanup_free_ char *stock = xasprintf("%s/profiles", test_srcdir());
    collect(examples, &files);
    collect(data, &files);
    collect(stock, &files);
    return files;
}

static int load_quiet(struct profile *p, const char *path)
{
    struct diags d = {0};
    int r = test_load_file(p, path, &d);
    diags_free(&d);
    return r;
}

/* Split a line of POSIX shell words as shell_quote writes them. */
static char **shell_split(const char *s)
{
    char **words = NULL;
    struct strbuf w = {0};
    bool in_word = false;
    for (; *s; s++) {
        if (*s == '\'') {
            in_word = true;
            const char *end = strchr(s + 1, '\'');
            assert_non_null(end);
            strbuf_add(&w, s + 1, (size_t)(end - s - 1));
            s = end;
        } else if (*s == '\\' && s[1]) {
            in_word = true;
            strbuf_putc(&w, *++s);
        } else if (*s == ' ' || *s == '\n') {
            if (in_word)
                strv_push(&words, strbuf_steal(&w));
            in_word = false;
        } else {
            in_word = true;
            strbuf_putc(&w, *s);
        }
    }
    if (in_word)
        strv_push(&words, strbuf_steal(&w));
    return words;
}

static void print_roundtrip(const char *path, enum print_format fmt)
{
    struct profile a, b;
    if (load_quiet(&a, path) < 0) {
        profile_free(&a);
        return; /* fragments and deliberately bad files */
    }
    _cleanup_free_ char *dir = test_tmpdir();
    _cleanup_free_ char *text = profile_print(&a, fmt, false);
    _cleanup_free_ char *copy =
        test_write(dir, fmt == PRINT_YAML ? "copy.yaml" : "copy.conf", text);
    struct diags d = {0};
    int r = test_load_file(&b, copy, &d);
    if (r < 0 || !profile_equal(&a, &b)) {
        _cleanup_free_ char *errs = test_diags_text(&d);
        _cleanup_free_ char *back = profile_print(&b, fmt, false);
        print_error("%s: printed as %s does not load back the same:\n%s\n--- errors:\n%s--- "
                    "loaded back:\n%s",
                    path, fmt == PRINT_YAML ? "yaml" : "conf", text, errs, back);
        fail();
    }
    /* Printing is a fixed point: the reloaded profile prints the same text. */
    _cleanup_free_ char *again = profile_print(&b, fmt, false);
    assert_string_equal(text, again);
    diags_free(&d);
    profile_free(&a);
    profile_free(&b);
    test_rmrf(dir);
}

static void cli_roundtrip(const char *path)
{
    struct profile a, b;
    if (load_quiet(&a, path) < 0) {
        profile_free(&a);
        return;
    }
    _cleanup_free_ char *line = profile_print_cli(&a);
    _cleanup_strv_ char **words = shell_split(line);
    assert_true(strv_len(words) >= 7);
    assert_string_equal(words[0], "congo-launch");
    assert_string_equal(words[1], "run");
    struct stack_opts o = {.run_argv = words + 2, .run_argc = (int)strv_len(words) - 2};
    struct diags d = {0};
    int r = test_load_opts(&b, &o, &d);
    if (r < 0 || !profile_equal(&a, &b)) {
        _cleanup_free_ char *errs = test_diags_text(&d);
        _cleanup_free_ char *back = profile_print(&b, PRINT_YAML, false);
        _cleanup_free_ char *want = profile_print(&a, PRINT_YAML, false);
        print_error("%s: --print-cli does not rebuild the profile:\n%s--- errors:\n%s--- "
                    "wanted:\n%s--- got:\n%s",
                    path, line, errs, want, back);
        fail();
    }
    diags_free(&d);
    profile_free(&a);
    profile_free(&b);
}

static size_t count_loadable(char **files)
{
    size_t n = 0;
    for (size_t i = 0; files[i]; i++) {
        struct profile p;
        n += load_quiet(&p, files[i]) == 0;
        profile_free(&p);
    }
    return n;
}

static void test_print_yaml_roundtrip(void **state)
{
    (void)state;
    _cleanup_strv_ char **files = corpus();
    /* The property means nothing over an empty corpus. */
    assert_true(count_loadable(files) >= 10);
    for (size_t i = 0; files[i]; i++)
        print_roundtrip(files[i], PRINT_YAML);
}

static void test_print_conf_roundtrip(void **state)
{
    (void)state;
    _cleanup_strv_ char **files = corpus();
    for (size_t i = 0; files[i]; i++)
        print_roundtrip(files[i], PRINT_CONF);
}

static void test_print_cli_roundtrip(void **state)
{
    (void)state;
    _cleanup_strv_ char **files = corpus();
    for (size_t i = 0; files[i]; i++)
        cli_roundtrip(files[i]);
}

/* YAML printed, converted to conf, converted back: still the same profile. */
static void test_print_format_conversion(void **state)
{
    (void)state;
    _cleanup_free_ char *src = xasprintf("%s/tests/data/roundtrip/tricky.yaml", test_srcdir());
    struct profile a, b, c;
    assert_int_equal(load_quiet(&a, src), 0);
    _cleanup_free_ char *dir = test_tmpdir();
    _cleanup_free_ char *conf_text = profile_print(&a, PRINT_CONF, false);
    _cleanup_free_ char *conf = test_write(dir, "t.conf", conf_text);
    assert_int_equal(load_quiet(&b, conf), 0);
    _cleanup_free_ char *yaml_text = profile_print(&b, PRINT_YAML, false);
    _cleanup_free_ char *yaml = test_write(dir, "t.yaml", yaml_text);
    assert_int_equal(load_quiet(&c, yaml), 0);
    assert_true(profile_equal(&a, &b));
    assert_true(profile_equal(&a, &c));
    profile_free(&a);
    profile_free(&b);
    profile_free(&c);
    test_rmrf(dir);
}

/* Every key is printed, unset ones as comments, defaults as literals. */
static void test_print_every_key(void **state)
{
    (void)state;
    _cleanup_free_ char *dir = test_tmpdir();
    _cleanup_free_ char *path = test_write(dir, "m.yaml", "rootfs: /r\n");
    struct profile p;
    assert_int_equal(load_quiet(&p, path), 0);
    _cleanup_free_ char *text = profile_print(&p, PRINT_YAML, false);
    static const char *const lines[] = {
        "name: m\n",           "rootfs: /r\n",         "layers: []\n",
        "upper: tmpfs\n",      "readonly_rootfs: false\n", "hostname: m\n",
        "user: root\n",        "workdir: /\n",         "env: {}\n",
        "# command: none",     "  pids: unlimited\n",  "  memory: unlimited\n",
        "  memory_swap: unlimited\n", "  # cpu_shares: unset\n", "  # cpus: unset\n",
        "mounts: []\n",        "  cgroup: false\n",    "  uts: true\n",
        "init: true\n",        "cgroup_parent: auto\n",
        "umask: 0022\n",       "groups: []\n",        "  ambient: []\n",
        "# oom_score_adj: unset; the launcher's is kept\n",
    };
    for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
        if (!strstr(text, lines[i])) {
            print_error("missing `%s` in:\n%s", lines[i], text);
            fail();
        }
    profile_free(&p);
    test_rmrf(dir);
}

/* A bind's suid and dev: always printed, in both formats; --print-cli says those that are true. */
static void test_print_bind_flags(void **state)
{
    (void)state;
    _cleanup_free_ char *dir = test_tmpdir();
    _cleanup_free_ char *yaml =
        test_write(dir, "b.yaml",
                   "rootfs: /r\nmounts:\n  - /a:/plain\n"
                   "  - {source: /a, target: /open, suid: true, dev: true}\n"
                   "  - {source: /a, target: /half, options: 'dev,noexec,nosuid'}\n");
    _cleanup_free_ char *conf = test_write(
        dir, "b.conf",
        "rootfs = \"/r\";\nmounts = ( \"/a:/plain\",\n"
        "  { source = \"/a\"; target = \"/open\"; suid = true; dev = true; },\n"
        "  { source = \"/a\"; target = \"/half\"; options = \"dev,noexec,nosuid\"; } );\n");
    static const char *const want_yaml[] = {
        "  - {target: /plain, type: bind, source: /a, readonly: false, suid: false, dev: false}\n",
        "  - {target: /open, type: bind, source: /a, readonly: false, suid: true, dev: true}\n",
        "  - {target: /half, type: bind, source: /a, readonly: false, suid: false, dev: true, "
        "options: noexec}\n",
    };
    static const char *const want_conf[] = {
        "  { target = \"/plain\"; type = \"bind\"; source = \"/a\"; readonly = false; "
        "suid = false; dev = false; },\n",
        "  { target = \"/open\"; type = \"bind\"; source = \"/a\"; readonly = false; suid = true; "
        "dev = true; },\n",
        "  { target = \"/half\"; type = \"bind\"; source = \"/a\"; readonly = false; "
        "suid = false; dev = true; options = \"noexec\"; }\n",
    };
    const char *const files[] = {yaml, conf};
    for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
        struct profile p;
        assert_int_equal(load_quiet(&p, files[f]), 0);
        _cleanup_free_ char *y = profile_print(&p, PRINT_YAML, false);
        _cleanup_free_ char *c = profile_print(&p, PRINT_CONF, false);
        for (size_t i = 0; i < ARRAY_SIZE(want_yaml); i++) {
            if (!strstr(y, want_yaml[i]))
                fail_msg("%s: missing `%s` in:\n%s", files[f], want_yaml[i], y);
            if (!strstr(c, want_conf[i]))
                fail_msg("%s: missing `%s` in:\n%s", files[f], want_conf[i], c);
        }
        _cleanup_free_ char *cli = profile_print_cli(&p);
        assert_non_null(strstr(cli, " --mount /a:/plain --mount source=/a,target=/open,suid=true,"
                                    "dev=true --mount source=/a,target=/half,dev=true,"
                                    "options=noexec"));
        profile_free(&p);
    }
    test_rmrf(dir);
}

/* --show-origin names the file and line behind each value. */
static void test_print_show_origin(void **state)
{
    (void)state;
    _cleanup_free_ char *dir = test_tmpdir();
    _cleanup_free_ char *base =
        test_write(dir, "base.yaml", "rootfs: /r\nlimits:\n  memory: 1g\n  pids: 10\n");
    _cleanup_free_ char *top = test_write(dir, "top.conf",
                                          "include = \"base.yaml\";\n"
                                          "limits = { memory = \"2g\"; };\n"
                                          "env = { A = \"1\"; };\n");
    _cleanup_free_ char *want_pids = xasprintf("pids: 10  # %s/base.yaml:4\n", dir);
    _cleanup_free_ char *want_memory = xasprintf("memory: 2g  # %s:2\n", top);
    _cleanup_free_ char *want_env = xasprintf("A: 1  # %s:3\n", top);
    struct stack_op set = {.kind = STACK_SET, .arg = "user=nobody"};
    struct stack_opts o = {.profile = top, .ops = &set, .n_ops = 1};
    struct profile p;
    struct diags d = {0};
    assert_int_equal(test_load_opts(&p, &o, &d), 0);
    _cleanup_free_ char *text = profile_print(&p, PRINT_YAML, true);
    assert_non_null(strstr(text, want_pids));
    assert_non_null(strstr(text, want_memory));
    assert_non_null(strstr(text, want_env));
    assert_non_null(strstr(text, "user: nobody  # command line\n"));
    assert_non_null(strstr(text, "workdir: /  # default\n"));
    /* The annotated text is still a profile that loads back the same. */
    _cleanup_free_ char *copy = test_write(dir, "annotated.yaml", text);
    struct profile q;
    assert_int_equal(load_quiet(&q, copy), 0);
    assert_true(profile_equal(&p, &q));
    profile_free(&p);
    profile_free(&q);
    diags_free(&d);
    (void)base;
    test_rmrf(dir);
}

/* `$` read from a file goes back out as `$$`, so reading it again gives `$`. */
static void test_print_dollar(void **state)
{
    (void)state;
    _cleanup_free_ char *dir = test_tmpdir();
    _cleanup_free_ char *path =
        test_write(dir, "d.yaml", "rootfs: /r\ncommand: 'echo $$HOME ${NOPE:-x}'\n");
    struct profile p;
    assert_int_equal(load_quiet(&p, path), 0);
    assert_string_equal(p.command[2], "echo $HOME x");
    _cleanup_free_ char *text = profile_print(&p, PRINT_YAML, false);
    assert_non_null(strstr(text, "command: \"echo $$HOME x\"\n"));
    _cleanup_free_ char *cli = profile_print_cli(&p);
    assert_non_null(strstr(cli, "-- /bin/sh -c 'echo $HOME x'\n"));
    profile_free(&p);
    test_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_print_yaml_roundtrip),
        cmocka_unit_test(test_print_conf_roundtrip),
        cmocka_unit_test(test_print_cli_roundtrip),
        cmocka_unit_test(test_print_format_conversion),
        cmocka_unit_test(test_print_every_key),
        cmocka_unit_test(test_print_bind_flags),
        cmocka_unit_test(test_print_show_origin),
        cmocka_unit_test(test_print_dollar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
