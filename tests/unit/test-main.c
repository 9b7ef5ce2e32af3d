/*
 * congo-launch as a user meets it: exit statuses, what goes to stdout and
 * stderr, message formats, and hostile files given as profiles.
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "util/util.h"

struct result {
    int status;
    char *out;
    char *err;
};

#define congo(r, ...) run_congo(r, (const char *const[]){__VA_ARGS__, NULL})

static void run_congo(struct result *r, const char *const *args)
{
    r->status = test_congo(&r->out, &r->err, args);
}

static void result_free(struct result *r)
{
    free(r->out);
    free(r->err);
}

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = test_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_rmrf(dir);
    free(dir);
    return 0;
}

static char *write_profile(const char *name, const char *text) { return test_write(dir, name, text); }

static void test_help_and_version(void **state)
{
    (void)state;
    struct result r;
    congo(&r, "--help");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "Usage: congo-launch"));
    assert_string_equal(r.err, "");
    /* One screen (48 lines). */
    size_t lines = 0;
    for (const char *c = r.out; *c; c++)
        lines += *c == '\n';
    assert_true(lines <= 48);
    result_free(&r);

    congo(&r, "--version");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "congo-launch " PACKAGE_VERSION "\n");
    result_free(&r);

    /* The schema: JSON for editors, on stdout, and nothing else. */
    congo(&r, "--print-schema");
    assert_int_equal(r.status, 0);
    assert_true(str_has_suffix(r.out, "\n}\n"));
    assert_non_null(strstr(r.out, "\"$schema\": \"http://json-schema.org/draft-07/schema#\""));
    assert_string_equal(r.err, "");
    result_free(&r);
}

static void test_check_valid_is_silent(void **state)
{
    (void)state;
    _cleanup_free_ char *p = write_profile("ok.yaml", "rootfs: /r\n");
    struct result r;
    congo(&r, "--check", p);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "");
    result_free(&r);
}

static void test_check_error_format(void **state)
{
    (void)state;
    _cleanup_free_ char *p =
        write_profile("bad.yaml", "rootfs: /r\nlimits:\n  memory: 512\n  pids: lots\n");
    _cleanup_free_ char *want = xasprintf(
        "%s:3:11: error: limits.memory: `512` is 512 bytes, below the 4m minimum; did you mean "
        "`512m`?\n%s:4:9: error: limits.pids: `lots` is not a process limit: expected integer "
        "1..4194304, or unlimited\n",
        p, p);
    struct result r;
    congo(&r, "--check", p);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, want);
    result_free(&r);
}

static void test_check_included_from(void **state)
{
    (void)state;
    _cleanup_free_ char *base = write_profile("inc/base.conf", "rootfs = \"/r\";\nusr = \"x\";\n");
    _cleanup_free_ char *top = write_profile("inc/top.yaml", "# top\ninclude: base.conf\n");
    _cleanup_free_ char *want = xasprintf(
        "%s:2: error: usr: unknown key; did you mean `user`?\n  included from %s:2\n", base, top);
    struct result r;
    congo(&r, "--check", top);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.err, want);
    result_free(&r);
}

static void test_check_many_files(void **state)
{
    (void)state;
    _cleanup_free_ char *good = write_profile("many/good.yaml", "rootfs: /r\n");
    _cleanup_free_ char *bad = write_profile("many/bad.conf", "rootfs = \"/r\";\ninit = 1;\n");
    struct result r;
    congo(&r, "--check", good, bad, good);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "bad.conf:2: error: init: expected true or false, got `1`"));
    result_free(&r);
}

static void test_check_fragment(void **state)
{
    (void)state;
    _cleanup_free_ char *p = write_profile("frag.yaml", "limits:\n  pids: 10\n");
    struct result r;
    congo(&r, "--check", p);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "frag.yaml: error: rootfs: required key is missing"));
    result_free(&r);
    congo(&r, "--check", "--fragment", p);
    assert_int_equal(r.status, 0);
    result_free(&r);
}

static void test_usage_errors(void **state)
{
    (void)state;
    _cleanup_free_ char *p = write_profile("u.yaml", "rootfs: /r\n");
    struct result r;
    /* Checking modes: status 2. */
    congo(&r, "--check", "--bogus", p);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "congo-launch: unknown option --bogus"));
    result_free(&r);
    congo(&r, "--print", "--format", "json", p);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--format `json`: expected yaml, conf or oci"));
    result_free(&r);
    congo(&r, "--check", "--print", p);
    assert_int_equal(r.status, 2);
    result_free(&r);
    congo(&r, "--print");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "no profile given"));
    result_free(&r);
    congo(&r, "--show-origin", p);
    assert_int_equal(r.status, 125);
    result_free(&r);
    /* --print-schema takes nothing else. */
    congo(&r, "--print-schema", p);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--print-schema takes no profile"));
    result_free(&r);
    congo(&r, "--check", "--print-schema");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--print-schema goes alone"));
    result_free(&r);
    /* Running: usage errors are the launcher's own failure, 125. */
    congo(&r, "--bogus", p);
    assert_int_equal(r.status, 125);
    result_free(&r);
    congo(&r, p, "extra");
    assert_int_equal(r.status, 125);
    assert_non_null(strstr(r.err, "unexpected `extra` after the profile"));
    result_free(&r);
}

static void test_missing_profile(void **state)
{
    (void)state;
    struct result r;
    congo(&r, "--check", "no-such-profile");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "no-such-profile: error: profile not found (looked in ."));
    result_free(&r);
    congo(&r, "no-such-profile");
    assert_int_equal(r.status, 125);
    result_free(&r);
}

static void test_unknown_extension(void **state)
{
    (void)state;
    _cleanup_free_ char *p = write_profile("profile.toml", "a = 1\n");
    struct result r;
    congo(&r, "--check", p);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "use .yaml, .yml, .conf or .cfg"));
    result_free(&r);
}

/* A run that cannot start fails with 125 and says why; nothing goes to stdout. */
static void test_run_failures(void **state)
{
    (void)state;
    _cleanup_free_ char *nocmd = write_profile("nocmd.yaml", "rootfs: /r\n");
    struct result r;
    congo(&r, nocmd);
    assert_int_equal(r.status, 125);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, getuid() == 0 ? "congo-launch: no command" : "needs root"));
    result_free(&r);
    _cleanup_free_ char *bad = write_profile("runbad.yaml", "rootfs: 5\nbogus: 1\n");
    congo(&r, bad);
    assert_int_equal(r.status, 125);
    assert_non_null(strstr(r.err, "bogus: unknown key"));
    result_free(&r);
    _cleanup_free_ char *noroot =
        write_profile("noroot.yaml", "rootfs: /nonexistent/root\ncommand: [/bin/true]\n");
    congo(&r, noroot);
    assert_int_equal(r.status, 125);
    assert_non_null(strstr(r.err, getuid() == 0 ? "rootfs `/nonexistent/root`: No such file"
                                                 : "needs root"));
    result_free(&r);
}

static void test_print_formats(void **state)
{
    (void)state;
    _cleanup_free_ char *p =
        write_profile("pf.yaml", "rootfs: /r\nlimits: {memory: 1g}\nenv: {A: b}\n");
    struct result r;
    congo(&r, "--print", p);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "name: pf\nrootfs: /r\n"));
    assert_non_null(strstr(r.out, "  memory: 1g\n"));
    result_free(&r);
    congo(&r, "--print", "--format", "conf", p);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "name = \"pf\";\nrootfs = \"/r\";\n"));
    assert_non_null(strstr(r.out, "  memory = \"1g\";\n"));
    assert_non_null(strstr(r.out, "env = (\n  \"A=b\"\n);\n"));
    result_free(&r);
    congo(&r, "--print", "--set", "limits.memory=2g", "--reset", "env", p);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "  memory: 2g\n"));
    assert_non_null(strstr(r.out, "env: {}\n"));
    result_free(&r);
    congo(&r, "--print", "--set", "limits.memroy=2g", p);
    assert_int_equal(r.status, 1);
    assert_non_null(
        strstr(r.err, "<command line>: error: limits.memroy: unknown key; did you mean `memory`?"));
    result_free(&r);
}

/* The positional form, word for word, converts to a profile and back. */
static void test_run_form_print(void **state)
{
    (void)state;
    struct result r;
    congo(&r, "--print-cli", "run", "/srv/root", "100", "512m", "1024", "KEY=VALUE,FOO=BAR",
          "--mount", "/src:/dst:ro", "--layers", "/l1,/l2", "--user", "nobody", "--", "/bin/sh",
          "-c", "echo $KEY");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "congo-launch run /srv/root 100 512m 1024 KEY=VALUE,FOO=BAR "
                               "--layers /l1,/l2 --user nobody --mount /src:/dst:ro -- /bin/sh "
                               "-c 'echo $KEY'\n");
    result_free(&r);
    congo(&r, "--print", "run", "/srv/root", "-", "-", "-", "-", "--hostname", "box");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "name: congo\n"));
    assert_non_null(strstr(r.out, "hostname: box\n"));
    result_free(&r);
    congo(&r, "--check", "run", "/srv/root", "0", "-", "-", "-");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "<command line>: error: limits.pids: `0` is not a process"));
    result_free(&r);
}

static void test_command_after_profile(void **state)
{
    (void)state;
    _cleanup_free_ char *p = write_profile("cmd.yaml", "rootfs: /r\ncommand: [/bin/false]\n");
    struct result r;
    congo(&r, "--print", p, "--", "/bin/echo", "hi there");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "command: [/bin/echo, \"hi there\"]\n"));
    result_free(&r);
}

static void test_verbose_names_files(void **state)
{
    (void)state;
    _cleanup_free_ char *base = write_profile("v/base.yaml", "rootfs: /r\n");
    _cleanup_free_ char *top = write_profile("v/top.yaml", "include: base\n");
    struct result r;
    congo(&r, "-v", "--check", top);
    assert_int_equal(r.status, 0);
    _cleanup_free_ char *want = xasprintf("congo-launch: reading %s\n", base);
    assert_non_null(strstr(r.err, want));
    result_free(&r);
}

/* ---- hostile inputs: a clear error and status 1, never a crash ---- */

static void expect_invalid(const char *path, const char *text)
{
    struct result r;
    congo(&r, "--check", path);
    if (r.status != 1 || !strstr(r.err, text)) {
        print_error("%s: status %d, stderr:\n%s\nwanted `%s`\n", path, r.status, r.err, text);
        fail();
    }
    result_free(&r);
}

static void test_hostile_directory(void **state)
{
    (void)state;
    _cleanup_free_ char *d = xasprintf("%s/adir.yaml", dir);
    assert_int_equal(mkdir(d, 0755), 0);
    expect_invalid(d, "is a directory, not a profile file");
}

static void test_hostile_empty(void **state)
{
    (void)state;
    _cleanup_free_ char *p = write_profile("empty.yaml", "");
    expect_invalid(p, "rootfs: required key is missing");
    _cleanup_free_ char *c = write_profile("empty.conf", "");
    expect_invalid(c, "rootfs: required key is missing");
}

static void test_hostile_nul(void **state)
{
    (void)state;
    _cleanup_free_ char *p = xasprintf("%s/nul.yaml", dir);
    FILE *f = fopen(p, "w");
    fwrite("rootfs: /r\nname: a\0b\n", 1, 22, f);
    fclose(f);
    _cleanup_free_ char *want = xasprintf("%s:2:8: error: NUL byte in profile", p);
    expect_invalid(p, want);
}

static void test_hostile_utf8(void **state)
{
    (void)state;
    _cleanup_free_ char *p = write_profile("utf8.conf", "rootfs = \"/r\";\nname = \"\xc3\x28\";\n");
    _cleanup_free_ char *want = xasprintf("%s:2:9: error: invalid UTF-8", p);
    expect_invalid(p, want);
}

static void test_hostile_big_file(void **state)
{
    (void)state;
    _cleanup_free_ char *p = xasprintf("%s/big.yaml", dir);
    FILE *f = fopen(p, "w");
    fputs("rootfs: /r\nenv:\n", f);
    for (int i = 0; i < 400000; i++)
        fprintf(f, "  V%d: xxxxxxxxxxxxxx\n", i);
    fclose(f);
    expect_invalid(p, "profile is larger than 1024 KiB");
}

static void test_hostile_billion_laughs(void **state)
{
    (void)state;
    struct strbuf sb = {0};
    strbuf_puts(&sb, "rootfs: /r\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i < 10; i++)
        strbuf_printf(&sb, "x%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
                      i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
    _cleanup_free_ char *text = strbuf_steal(&sb);
    _cleanup_free_ char *p = write_profile("laughs.yaml", text);
    expect_invalid(p, "billion laughs");
}

static void test_hostile_deep_nesting(void **state)
{
    (void)state;
    struct strbuf sb = {0};
    strbuf_puts(&sb, "rootfs: /r\ncommand: ");
    for (int i = 0; i < 2000; i++)
        strbuf_putc(&sb, '[');
    for (int i = 0; i < 2000; i++)
        strbuf_putc(&sb, ']');
    strbuf_putc(&sb, '\n');
    _cleanup_free_ char *text = strbuf_steal(&sb);
    _cleanup_free_ char *p = write_profile("deep.yaml", text);
    expect_invalid(p, "nesting deeper than 64 levels");
}

static void test_hostile_huge_integers(void **state)
{
    (void)state;
    _cleanup_free_ char *y = write_profile(
        "huge.yaml", "rootfs: /r\nlimits:\n  memory: 99999999999999999999999999g\n");
    expect_invalid(y, "is not a size");
    _cleanup_free_ char *c =
        write_profile("huge.conf", "rootfs = \"/r\";\nlimits = { pids = 4294967297; };\n");
    _cleanup_free_ char *want = xasprintf("%s:2", c);
    expect_invalid(c, "does not fit 32 bits");
    expect_invalid(c, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_check_valid_is_silent),
        cmocka_unit_test(test_check_error_format),
        cmocka_unit_test(test_check_included_from),
        cmocka_unit_test(test_check_many_files),
        cmocka_unit_test(test_check_fragment),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_missing_profile),
        cmocka_unit_test(test_unknown_extension),
        cmocka_unit_test(test_run_failures),
        cmocka_unit_test(test_print_formats),
        cmocka_unit_test(test_run_form_print),
        cmocka_unit_test(test_command_after_profile),
        cmocka_unit_test(test_verbose_names_files),
        cmocka_unit_test(test_hostile_directory),
        cmocka_unit_test(test_hostile_empty),
        cmocka_unit_test(test_hostile_nul),
        cmocka_unit_test(test_hostile_utf8),
        cmocka_unit_test(test_hostile_big_file),
        cmocka_unit_test(test_hostile_billion_laughs),
        cmocka_unit_test(test_hostile_deep_nesting),
        cmocka_unit_test(test_hostile_huge_integers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
