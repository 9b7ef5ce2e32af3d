/*
 * The key table drives every scalar key: for each row of a string, bool or
 * integer kind, its default, how a later layer merges, `reset`, --print and
 * --print-cli come from the row alone, through the operations all scalars
 * share. The samples below are per type, so a new key of an existing type
 * is covered without a line here.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/cli.h"
#include "profile/print.h"
#include "profile/value.h"
#include "util/util.h"

static char *tmp;

static int setup(void **state)
{
    (void)state;
    tmp = test_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_rmrf(tmp);
    free(tmp);
    tmp = NULL;
    return 0;
}

/* A value of each scalar type that is nobody's default, as written and as --print shows it. */
static const char *sample(const struct key_def *k)
{
    switch (k->type) {
    case TYPE_NAME:
        return "box";
    case TYPE_PATH:
    case TYPE_UPPER:
        return "/srv/x";
    case TYPE_BOOL:
        return k->def.b ? "false" : "true";
    case TYPE_HOSTNAME:
        return "host";
    case TYPE_DOMAINNAME:
        return "nis.example";
    case TYPE_USER:
        return "nobody";
    case TYPE_ABSPATH:
    case TYPE_CGROUP:
        return "/w";
    case TYPE_PIDS:
        return "9";
    case TYPE_SIZE:
        return "8m";
    case TYPE_INT:
        return "3";
    case TYPE_CPUS:
        return "0.5";
    case TYPE_DURATION:
        return "2s";
    case TYPE_UMASK:
        return "0027";
    case TYPE_USERNS:
        return "auto";
    default:
        fail_msg("`%s`: no sample for its type; add one here", k->name);
        return NULL;
    }
}

static bool is_scalar(const struct key_def *k)
{
    return k->kind == KIND_STRING || k->kind == KIND_BOOL || k->kind == KIND_INT;
}

/* The leaf of a dotted key and its indentation in --print. */
static const char *leaf(const struct key_def *k, const char **indent)
{
    const char *dot = strchr(k->name, '.');
    *indent = dot ? "  " : "";
    return dot ? dot + 1 : k->name;
}

/* An integer row's default as written: unlimited, or in its type's own notation (2s, 0022). */
static char *default_text(const struct key_def *k)
{
    if (k->def.i == LIMIT_UNLIMITED && key_type(k)->unlimited)
        return xstrdup("unlimited");
    return key_type(k)->format(k->def.i);
}

/* What --print writes for k's default: `key: literal` or the comment for no value. */
static char *default_line(const struct key_def *k)
{
    const char *indent, *name = leaf(k, &indent);
    if (k->unset)
        return xasprintf("\n%s# %s: %s\n", indent, name, k->unset);
    if (k->kind == KIND_STRING)
        return xasprintf("\n%s%s: %s  # default\n", indent, name, k->def.s);
    if (k->kind == KIND_BOOL)
        return xasprintf("\n%s%s: %s  # default\n", indent, name, k->def.b ? "true" : "false");
    _cleanup_free_ char *v = default_text(k);
    return xasprintf("\n%s%s: %s  # default\n", indent, name, v);
}

static void assert_has(const char *text, const char *want, const char *key)
{
    if (!strstr(text, want))
        fail_msg("`%s`: no `%s` in:\n%s", key, want, text);
}

static void assert_hasnt(const char *text, const char *unwanted, const char *key)
{
    if (strstr(text, unwanted))
        fail_msg("`%s`: `%s` in:\n%s", key, unwanted, text);
}

/* Load path with the command-line layers given, as --check --fragment would. */
static void load(struct profile *p, const char *path, const struct stack_op *ops, size_t n_ops)
{
    struct stack_opts o = {.profile = path, .ops = ops, .n_ops = n_ops, .fragment = true};
    struct diags d = {0};
    if (test_load_opts(p, &o, &d) < 0) {
        _cleanup_free_ char *all = test_diags_text(&d);
        fail_msg("%s does not load:\n%s", path, all);
    }
    diags_free(&d);
}

/* Every row's kind goes with its type: scalars share the scalar operations. */
static void test_rows_and_types(void **state)
{
    (void)state;
    for (size_t i = 0; i < KEY__MAX; i++) {
        const struct key_def *k = &profile_keys[i];
        const struct value_type *t = key_type(k);
        assert_non_null(t);
        if (k->kind == KIND_NONE) {
            assert_null(t->ops);
            continue;
        }
        assert_non_null(t->ops);
        assert_true((t->ops == &scalar_ops) == is_scalar(k));
        if (is_scalar(k))
            assert_non_null(t->parse);
        if (k->kind == KIND_INT)
            assert_non_null(t->format);
        if (k->kind == KIND_STRING && !k->def.s && !k->unset && !t->shown)
            fail_msg("`%s` has no default text and nothing to print when unset", k->name);
        assert_non_null(t->ops->read);
        assert_non_null(t->ops->merge);
        assert_non_null(t->ops->reset);
        assert_non_null(t->ops->equal);
        assert_non_null(t->ops->print);
    }
}

/* A fresh profile prints each scalar as its row's default, and --print-cli writes none. */
static void test_scalar_defaults(void **state)
{
    (void)state;
    _cleanup_free_ char *path = test_write(tmp, "empty.yaml", "");
    struct profile p;
    load(&p, path, NULL, 0);
    _cleanup_free_ char *text = profile_print(&p, PRINT_YAML, true);
    _cleanup_free_ char *cli = profile_print_cli(&p);
    assert_string_equal(cli, "congo-launch run - - - - - --name empty\n");
    for (size_t i = 0; i < KEY__MAX; i++) {
        const struct key_def *k = &profile_keys[i];
        if (!is_scalar(k) || key_type(k)->shown || k->id == KEY_NAME)
            continue;
        _cleanup_free_ char *want = default_line(k);
        assert_has(text, want, k->name);
    }
    profile_free(&p);
}

/*
 * Each scalar set in a file, overridden by a later layer, reset: the value,
 * --print, --print-cli and equality follow the row.
 */
static void test_scalar_set_merge_reset(void **state)
{
    (void)state;
    for (size_t i = 0; i < KEY__MAX; i++) {
        const struct key_def *k = &profile_keys[i];
        if (!is_scalar(k))
            continue;
        const char *indent, *name = leaf(k, &indent);
        const char *value = sample(k);
        /* A file sets the sample; the command line then sets it again, as a later layer. */
        const char *dot = strchr(k->name, '.');
        _cleanup_free_ char *file =
            dot ? xasprintf("%.*s:\n  %s: %s\n", (int)(dot - k->name), k->name, name, value)
                : xasprintf("%s: %s\n", name, value);
        _cleanup_free_ char *path = test_write(tmp, "k.yaml", file);
        _cleanup_free_ char *set = xasprintf("%s=%s", k->name, value);
        /* A check across keys that the sample must pass. */
        const char *needs = k->id == KEY_MEMORY_SWAP ? "limits.memory=4m" : NULL;
        struct stack_op all[] = {
            {.kind = STACK_SET, .arg = needs},
            {.kind = STACK_SET, .arg = set},
            {.kind = STACK_RESET, .arg = k->name},
        };
        struct stack_op fresh_ops[] = {all[0], all[2]};
        size_t n0 = needs ? 1 : 0;
        struct stack_op *ops = all + 1 - n0;

        struct profile fresh, from_file, from_cli, reset;
        load(&fresh, path, fresh_ops + 1 - n0, n0 + 1);
        load(&from_file, path, ops, n0);
        load(&from_cli, path, ops, n0 + 1);
        load(&reset, path, ops, n0 + 2);

        /* The file's value, located in the file; a later layer's wins, located there. */
        _cleanup_free_ char *p_file = profile_print(&from_file, PRINT_YAML, true);
        _cleanup_free_ char *p_cli = profile_print(&from_cli, PRINT_YAML, true);
        _cleanup_free_ char *want_file = xasprintf("%s%s: %s  # %s:", indent, name, value, path);
        _cleanup_free_ char *want_cli =
            xasprintf("%s%s: %s  # command line\n", indent, name, value);
        assert_has(p_file, want_file, k->name);
        assert_has(p_cli, want_cli, k->name);
        assert_false(profile_equal(&fresh, &from_file));
        assert_true(profile_equal(&from_file, &from_cli));

        /* --print-cli writes the value, and only then. */
        _cleanup_free_ char *cli = profile_print_cli(&from_file);
        _cleanup_free_ char *cli_fresh = profile_print_cli(&fresh);
        assert_has(cli, k->kind == KIND_BOOL ? k->option : value, k->name);
        if (k->option && k->id != KEY_NAME) {
            _cleanup_free_ char *opt = xasprintf("--%s", k->option);
            assert_hasnt(cli_fresh, opt, k->name);
        }

        /* `reset` brings the row's default back, as a default. */
        _cleanup_free_ char *p_reset = profile_print(&reset, PRINT_YAML, true);
        _cleanup_free_ char *p_fresh = profile_print(&fresh, PRINT_YAML, true);
        assert_string_equal(p_reset, p_fresh);
        assert_true(profile_equal(&reset, &fresh));
        if (k->id != KEY_NAME && k->id != KEY_HOSTNAME) {
            _cleanup_free_ char *want = default_line(k);
            assert_has(p_reset, want, k->name);
        }

        profile_free(&fresh);
        profile_free(&from_file);
        profile_free(&from_cli);
        profile_free(&reset);
    }
}

/* A scalar written as its default's literal is not written back by --print-cli. */
static void test_cli_skips_defaults(void **state)
{
    (void)state;
    for (size_t i = 0; i < KEY__MAX; i++) {
        const struct key_def *k = &profile_keys[i];
        if (!is_scalar(k) || !k->option || k->unset)
            continue;
        _cleanup_free_ char *text = NULL;
        if (k->kind == KIND_STRING)
            text = xstrdup(k->def.s);
        else if (k->kind == KIND_BOOL)
            text = xstrdup(k->def.b ? "true" : "false");
        else
            text = default_text(k);
        _cleanup_free_ char *path = test_write(tmp, "d.yaml", "");
        _cleanup_free_ char *set = xasprintf("%s=%s", k->name, text);
        struct stack_op op = {.kind = STACK_SET, .arg = set};
        struct profile p;
        load(&p, path, &op, 1);
        _cleanup_free_ char *cli = profile_print_cli(&p);
        _cleanup_free_ char *opt = xasprintf("--%s", k->option);
        assert_hasnt(cli, opt, k->name);
        profile_free(&p);
    }
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_rows_and_types),
        T(test_scalar_defaults),
        T(test_scalar_set_merge_reset),
        T(test_cli_skips_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
