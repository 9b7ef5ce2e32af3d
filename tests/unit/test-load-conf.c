/* Unit tests for the libconfig front-end (src/profile/load-conf.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile/load.h"
#include "util/util.h"

static char test_name[] = "test.conf";
static char test_dir[] = "/nonexistent";
static const struct source test_src = {.name = test_name, .dir = test_dir, .is_file = true};

#define INT32_HINT "; write it with an L suffix, or a size as a string such as \"4g\""

static struct node *parse(const char *text, struct diags *d)
{
    return load_conf(text, strlen(text), &test_src, d);
}

/* Parses text that must load without any message. */
static struct node *parse_ok(const char *text)
{
    struct diags d = {0};
    struct node *root = parse(text, &d);
    if (d.n)
        diags_print(&d, stderr);
    assert_int_equal(d.n, 0);
    diags_free(&d);
    assert_non_null(root);
    assert_int_equal(root->kind, NODE_MAP);
    assert_null(root->parent);
    return root;
}

static const struct node *find(const struct node *n, const char *path)
{
    _cleanup_free_ char *p = node_path(n);
    if (strcmp(p, path) == 0)
        return n;
    for (size_t i = 0; i < n->n_items; i++) {
        const struct node *found = find(n->items[i], path);
        if (found)
            return found;
    }
    return NULL;
}

static const struct node *get(const struct node *root, const char *path)
{
    const struct node *n = find(root, path);
    if (!n)
        fail_msg("no node at `%s`", path);
    return n;
}

static void assert_scalar(const struct node *root, const char *path, const char *text,
                          unsigned flags, int line)
{
    const struct node *n = get(root, path);
    assert_int_equal(n->kind, NODE_SCALAR);
    assert_string_equal(n->text, text);
    assert_int_equal(n->flags, flags);
    assert_int_equal(n->line, line);
    assert_int_equal(n->col, 0);
}

/* The one value of `x = LITERAL;`, as text. */
static char *value_text(const char *literal)
{
    _cleanup_free_ char *text = xasprintf("x = %s;\n", literal);
    _cleanup_node_ struct node *root = parse_ok(text);
    const struct node *x = get(root, "x");
    assert_int_equal(x->kind, NODE_SCALAR);
    assert_int_equal(x->flags, 0);
    return xstrdup(x->text);
}

struct expected {
    int line, col;
    const char *msg; /* exact */
};

/* Text that must fail with exactly these errors, none of them with a key. */
static void expect_errors(const char *text, const struct expected *want, size_t n)
{
    struct diags d = {0};
    struct node *root = parse(text, &d);
    if (root || d.n != n)
        diags_print(&d, stderr);
    assert_null(root);
    assert_int_equal(d.n, n);
    assert_int_equal(d.n_errors, n);
    for (size_t i = 0; i < n; i++) {
        const struct diag *g = &d.v[i];
        assert_int_equal(g->level, DIAG_ERROR);
        assert_string_equal(g->file, "test.conf");
        assert_int_equal(g->line, want[i].line);
        assert_int_equal(g->col, want[i].col);
        assert_null(g->key);
        assert_string_equal(g->msg, want[i].msg);
    }
    diags_free(&d);
}

static void expect_error(const char *text, int line, int col, const char *msg)
{
    const struct expected want = {line, col, msg};
    expect_errors(text, &want, 1);
}

/* Text that must fail with one error whose message contains part. */
static void expect_error_part(const char *text, int line, int col, const char *part)
{
    struct diags d = {0};
    struct node *root = parse(text, &d);
    if (root || d.n != 1)
        diags_print(&d, stderr);
    assert_null(root);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.v[0].level, DIAG_ERROR);
    assert_string_equal(d.v[0].file, "test.conf");
    assert_int_equal(d.v[0].line, line);
    assert_int_equal(d.v[0].col, col);
    assert_null(d.v[0].key);
    if (!strstr(d.v[0].msg, part))
        fail_msg("message `%s` lacks `%s`", d.v[0].msg, part);
    diags_free(&d);
}

/* ---- shape ---- */

static void test_empty_file(void **state)
{
    (void)state;
    const char *texts[] = {"", "\n\n", "   \t\n"};
    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        _cleanup_node_ struct node *root = parse_ok(texts[i]);
        assert_int_equal(root->n_items, 0);
        assert_int_equal(root->line, 1);
        assert_int_equal(root->col, 0);
        assert_ptr_equal(root->src, &test_src);
    }
}

static void test_comments_only(void **state)
{
    (void)state;
    _cleanup_node_ struct node *root =
        parse_ok("# hash\n// slashes\n/* block\n   over lines */\n  # indented\n");
    assert_int_equal(root->n_items, 0);
}

static void test_groups(void **state)
{
    (void)state;
    _cleanup_node_ struct node *root = parse_ok("name = \"web\";\n"
                                                "limits = {\n"
                                                "    pids = 100;\n"
                                                "    memory = \"512m\";\n"
                                                "};\n"
                                                "namespaces: { net = false; cgroup = true; }\n"
                                                "empty = {};\n");
    assert_int_equal(root->n_items, 4);
    assert_string_equal(root->items[0]->key, "name");
    assert_string_equal(root->items[1]->key, "limits");
    assert_string_equal(root->items[2]->key, "namespaces");
    assert_string_equal(root->items[3]->key, "empty");

    const struct node *limits = get(root, "limits");
    assert_int_equal(limits->kind, NODE_MAP);
    assert_int_equal(limits->line, 2);
    assert_int_equal(limits->key_line, 2);
    assert_int_equal(limits->key_col, 0);
    assert_ptr_equal(limits->parent, root);
    assert_int_equal(limits->index, 1);
    assert_int_equal(limits->n_items, 2);
    assert_ptr_equal(node_map_get(limits, "pids"), get(root, "limits.pids"));

    assert_scalar(root, "name", "web", NODE_QUOTED, 1);
    assert_scalar(root, "limits.pids", "100", 0, 3);
    assert_scalar(root, "limits.memory", "512m", NODE_QUOTED, 4);
    assert_int_equal(get(root, "limits.memory")->key_line, 4);
    assert_scalar(root, "namespaces.net", "false", 0, 6);
    assert_scalar(root, "namespaces.cgroup", "true", 0, 6);
    assert_int_equal(get(root, "empty")->kind, NODE_MAP);
    assert_int_equal(get(root, "empty")->n_items, 0);
}

static void test_arrays(void **state)
{
    (void)state;
    _cleanup_node_ struct node *root = parse_ok("layers = [ \"/a\",\n"
                                                "           \"/b\" ];\n"
                                                "empty = [];\n"
                                                "ints = [1, 2, 3];\n");
    const struct node *layers = get(root, "layers");
    assert_int_equal(layers->kind, NODE_SEQ);
    assert_int_equal(layers->n_items, 2);
    assert_int_equal(layers->line, 1);
    assert_scalar(root, "layers[0]", "/a", NODE_QUOTED, 1);
    assert_scalar(root, "layers[1]", "/b", NODE_QUOTED, 2);
    assert_null(layers->items[1]->key);
    assert_int_equal(layers->items[1]->index, 1);
    assert_int_equal(get(root, "empty")->kind, NODE_SEQ);
    assert_int_equal(get(root, "empty")->n_items, 0);
    assert_scalar(root, "ints[2]", "3", 0, 4);
}

static void test_list_of_groups(void **state)
{
    (void)state;
    _cleanup_node_ struct node *root =
        parse_ok("mounts = ( { target = \"/x\"; type = \"tmpfs\"; },\n"
                 "  {\n"
                 "    target = \"/data\";\n"
                 "    source = \"data\";\n"
                 "    readonly = true;\n"
                 "  }\n"
                 ");\n");
    const struct node *mounts = get(root, "mounts");
    assert_int_equal(mounts->kind, NODE_SEQ);
    assert_int_equal(mounts->n_items, 2);
    assert_int_equal(mounts->items[0]->kind, NODE_MAP);
    assert_int_equal(mounts->items[0]->line, 1);
    assert_int_equal(mounts->items[1]->line, 2);
    assert_scalar(root, "mounts[0].target", "/x", NODE_QUOTED, 1);
    assert_scalar(root, "mounts[0].type", "tmpfs", NODE_QUOTED, 1);
    assert_scalar(root, "mounts[1].target", "/data", NODE_QUOTED, 3);
    assert_scalar(root, "mounts[1].source", "data", NODE_QUOTED, 4);
    assert_scalar(root, "mounts[1].readonly", "true", 0, 5);
    assert_int_equal(get(root, "mounts[1].readonly")->key_line, 5);
    _cleanup_free_ char *path = node_path(mounts->items[1]->items[2]);
    assert_string_equal(path, "mounts[1].readonly");
}

static void test_mixed_list_and_lines(void **state)
{
    (void)state;
    _cleanup_node_ struct node *root = parse_ok("l = (\n"
                                                "  \"s\",\n"
                                                "  1, true,\n"
                                                "  1.5, 5L,\n"
                                                "  [\"x\", \"y\"],\n"
                                                "  ()\n"
                                                ");\n");
    const struct node *l = get(root, "l");
    assert_int_equal(l->n_items, 7);
    assert_scalar(root, "l[0]", "s", NODE_QUOTED, 2);
    assert_scalar(root, "l[1]", "1", 0, 3);
    assert_scalar(root, "l[2]", "true", 0, 3);
    assert_scalar(root, "l[3]", "1.5", 0, 4);
    assert_scalar(root, "l[4]", "5", 0, 4);
    assert_int_equal(l->items[5]->kind, NODE_SEQ);
    assert_int_equal(l->items[5]->line, 5);
    assert_scalar(root, "l[5][1]", "y", NODE_QUOTED, 5);
    assert_int_equal(l->items[6]->kind, NODE_SEQ);
    assert_int_equal(l->items[6]->n_items, 0);
}

static void test_strings(void **state)
{
    (void)state;
    _cleanup_node_ struct node *root =
        parse_ok("s = \"a\\\"b\\\\c\\n\\tz\\x41\";\n"
                 "joined = \"con\" /* between */ \"cat\"\n"
                 "   \"enated\";\n"
                 "empty = \"\";\n"
                 "marks = \"# not a comment // nor this /* nor this */\";\n"
                 "multi = \"two\n"
                 "lines\";\n"
                 "after = 1;\n"
                 "unicode = \"caf\xc3\xa9\";\n");
    assert_scalar(root, "s", "a\"b\\c\n\tzA", NODE_QUOTED, 1);
    assert_scalar(root, "joined", "concatenated", NODE_QUOTED, 2);
    assert_scalar(root, "empty", "", NODE_QUOTED, 4);
    assert_scalar(root, "marks", "# not a comment // nor this /* nor this */", NODE_QUOTED, 5);
    assert_scalar(root, "multi", "two\nlines", NODE_QUOTED, 6);
    assert_scalar(root, "after", "1", 0, 8);
    assert_scalar(root, "unicode", "caf\xc3\xa9", NODE_QUOTED, 9);
}

static void test_env_list_form(void **state)
{
    (void)state;
    /* `_FOO` is no valid setting name, so users write the list form. */
    _cleanup_node_ struct node *root = parse_ok("env = (\"_FOO=1\", \"BAR=two words\");\n");
    const struct node *env = get(root, "env");
    assert_int_equal(env->kind, NODE_SEQ);
    assert_scalar(root, "env[0]", "_FOO=1", NODE_QUOTED, 1);
    assert_scalar(root, "env[1]", "BAR=two words", NODE_QUOTED, 1);
}

static void test_booleans(void **state)
{
    (void)state;
    _cleanup_node_ struct node *root = parse_ok("a = true; b = FALSE;\nc = True; d = false;\n");
    assert_scalar(root, "a", "true", 0, 1);
    assert_scalar(root, "b", "false", 0, 1);
    assert_scalar(root, "c", "true", 0, 2);
    assert_scalar(root, "d", "false", 0, 2);
}

static void test_setting_names(void **state)
{
    (void)state;
    _cleanup_node_ struct node *root = parse_ok("a-b*c_1 = 1;\n*star = 2;\nX9 = 3;\n");
    assert_string_equal(root->items[0]->key, "a-b*c_1");
    assert_string_equal(root->items[1]->key, "*star");
    assert_string_equal(root->items[2]->key, "X9");
}

/* ---- numbers ---- */

static void test_integers(void **state)
{
    (void)state;
    static const struct {
        const char *literal, *text;
    } cases[] = {
        {"0", "0"},
        {"42", "42"},
        {"-7", "-7"},
        {"+5", "5"},
        {"077", "77"}, /* libconfig has no octal */
        {"0x1F", "31"},
        {"0X7fffffff", "2147483647"},
        {"0x00000000000000000001", "1"},
        {"2147483647", "2147483647"},
        {"-2147483648", "-2147483648"},
        {"+2147483647", "2147483647"},
        {"0000000000004294967295L", "4294967295"},
        {"5000000000L", "5000000000"},
        {"-5000000000L", "-5000000000"},
        {"5000000000LL", "5000000000"},
        {"4294967296L", "4294967296"},
        {"0x10L", "16"},
        {"0x100000000L", "4294967296"},
        {"0xFFFFFFFFLL", "4294967295"},
        {"9223372036854775807L", "9223372036854775807"},
        {"-9223372036854775808L", "-9223372036854775808"},
        {"0x7FFFFFFFFFFFFFFFL", "9223372036854775807"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        _cleanup_free_ char *text = value_text(cases[i].literal);
        if (strcmp(text, cases[i].text) != 0)
            fail_msg("`%s` read as `%s`, want `%s`", cases[i].literal, text, cases[i].text);
    }
}

static void test_floats(void **state)
{
    (void)state;
    static const struct {
        const char *literal, *text;
    } cases[] = {
        {"1.5", "1.5"},
        {"0.1", "0.1"},
        {"-2.25", "-2.25"},
        {"+0.75", "0.75"},
        {".5", "0.5"},
        {"-.5e-3", "-0.0005"},
        {"1.", "1.0"},
        {"2.0", "2.0"},
        {"-0.0", "-0.0"},
        {"4294967296.0", "4294967296.0"},
        {"100.0", "100.0"},
        {"1e10", "10000000000.0"},
        {"1E-5", "1e-05"},
        {"0.30000000000000004", "0.30000000000000004"},
        {"3.141592653589793", "3.141592653589793"},
        {"1.7976931348623157e308", "1.7976931348623157e+308"},
        {"1e-400", "0.0"}, /* underflow is harmless */
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        _cleanup_free_ char *text = value_text(cases[i].literal);
        if (strcmp(text, cases[i].text) != 0)
            fail_msg("`%s` read as `%s`, want `%s`", cases[i].literal, text, cases[i].text);
    }
}

/* Any double written with 17 digits comes back as the same double, in fewer. */
static void test_float_round_trip(void **state)
{
    (void)state;
    srand(7);
    struct strbuf sb = {0};
    double want[1000];
    strbuf_puts(&sb, "x = (");
    for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
        double v;
        do {
            uint64_t bits = 0;
            for (int k = 0; k < 4; k++)
                bits = (bits << 16) ^ (uint64_t)(rand() & 0xffff);
            memcpy(&v, &bits, sizeof(v));
            /* Outside double range, the lexer rightly refuses the literal. */
        } while (!isfinite(v) || fabs(v) > 1e300 || (v != 0 && fabs(v) < 1e-300));
        want[i] = v;
        char literal[64];
        snprintf(literal, sizeof(literal), "%.17g", v);
        /* Digits alone would be an integer literal. */
        strbuf_printf(&sb, "%s%s%s", i ? ", " : "", literal, strpbrk(literal, ".e") ? "" : ".0");
    }
    strbuf_puts(&sb, ");\n");
    _cleanup_free_ char *text = strbuf_steal(&sb);
    _cleanup_node_ struct node *root = parse_ok(text);
    const struct node *x = get(root, "x");
    assert_int_equal(x->n_items, ARRAY_SIZE(want));
    for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
        const char *t = x->items[i]->text;
        if (strtod(t, NULL) != want[i])
            fail_msg("%.17g came back as `%s`", want[i], t);
        assert_non_null(strpbrk(t, ".e"));
        assert_true(strlen(t) <= 24);
    }
}

static void test_int32_overflow(void **state)
{
    (void)state;
    static const char *literals[] = {
        "4294967296",  "3000000000",           "-3000000000",
        "0x100000000", "0xFFFFFFFF",           "99999999999999999999999",
        "2147483648",  "-2147483649",          "+2147483648",
        "0x80000000",  "18446744073709551616", "0xFFFFFFFFFFFFFFFFFF",
    };
    for (size_t i = 0; i < ARRAY_SIZE(literals); i++) {
        _cleanup_free_ char *text = xasprintf("x = %s;\n", literals[i]);
        _cleanup_free_ char *msg =
            xasprintf("integer `%s` does not fit 32 bits" INT32_HINT, literals[i]);
        expect_error(text, 1, 5, msg);
    }
}

static void test_int64_overflow(void **state)
{
    (void)state;
    static const char *literals[] = {
        "9223372036854775808L", "-9223372036854775809L", "99999999999999999999999L",
        "0x8000000000000000L",  "0xFFFFFFFFFFFFFFFFLL",  "0x1FFFFFFFFFFFFFFFFL",
    };
    for (size_t i = 0; i < ARRAY_SIZE(literals); i++) {
        _cleanup_free_ char *text = xasprintf("x = %s;\n", literals[i]);
        _cleanup_free_ char *msg = xasprintf("integer `%s` does not fit 64 bits", literals[i]);
        expect_error(text, 1, 5, msg);
    }
}

static void test_overflow_in_nested_values(void **state)
{
    (void)state;
    expect_error("a = {\n  b = [1, 3000000000];\n};\n", 2, 11,
                 "integer `3000000000` does not fit 32 bits" INT32_HINT);
    expect_error("a = ( { c = 0xFFFFFFFF; } );\n", 1, 13,
                 "integer `0xFFFFFFFF` does not fit 32 bits" INT32_HINT);
}

static void test_long_literal_shortened(void **state)
{
    (void)state;
    char digits[201];
    memset(digits, '9', 200);
    digits[200] = '\0';
    _cleanup_free_ char *text = xasprintf("x = %s;", digits);
    _cleanup_free_ char *msg =
        xasprintf("integer `%.40s...` does not fit 32 bits" INT32_HINT, digits);
    expect_error(text, 1, 5, msg);
}

static void test_numbers_not_flagged(void **state)
{
    (void)state;
    _cleanup_node_ struct node *root = parse_ok("a1 = 2;\n"
                                                "k9999999999 = 1;\n"
                                                "x-4294967296 = 3;\n"
                                                "*4294967296 = 4;\n"
                                                "s = \"4294967296 0xFFFFFFFF\";\n"
                                                "# 4294967296\n"
                                                "// 0xFFFFFFFF\n"
                                                "/* 3000000000\n"
                                                "   -3000000000 */\n"
                                                "f = [1.5, 1e10, .5, 4294967296.0, 1e300,\n"
                                                "     -4294967296e0, 99999999999.5];\n");
    assert_scalar(root, "a1", "2", 0, 1);
    assert_scalar(root, "k9999999999", "1", 0, 2);
    assert_scalar(root, "x-4294967296", "3", 0, 3);
    assert_scalar(root, "*4294967296", "4", 0, 4);
    assert_scalar(root, "s", "4294967296 0xFFFFFFFF", NODE_QUOTED, 5);
    assert_scalar(root, "f[1]", "10000000000.0", 0, 10);
    assert_scalar(root, "f[3]", "4294967296.0", 0, 10);
    assert_scalar(root, "f[5]", "-4294967296.0", 0, 11);
    assert_scalar(root, "f[6]", "99999999999.5", 0, 11);
}

static void test_float_overflow(void **state)
{
    (void)state;
    expect_error("x = 1e999;\n", 1, 5, "number `1e999` is out of range");
    expect_error("y = [ -1.5e400 ];\n", 1, 7, "number `-1.5e400` is out of range");
}

/* ---- @include ---- */

static void test_include_directive(void **state)
{
    (void)state;
    const struct expected want[] = {
        {2, 1, "`@include` is not supported; use the `include` key"},
        {3, 3, "`@include` is not supported; use the `include` key"},
    };
    expect_errors("a = 1;\n@include \"other.conf\"\n  @include \"/etc/passwd\"\n", want, 2);
}

static void test_include_in_string_or_comment(void **state)
{
    (void)state;
    _cleanup_node_ struct node *root = parse_ok("a = \"@include\";\n"
                                                "# @include \"x.conf\"\n"
                                                "// @include \"x.conf\"\n"
                                                "/* @include \"x.conf\" */\n"
                                                "b = \"\\\" @include \\\\\";\n");
    assert_scalar(root, "a", "@include", NODE_QUOTED, 1);
    assert_scalar(root, "b", "\" @include \\", NODE_QUOTED, 5);
}

static void test_all_lexer_errors_reported(void **state)
{
    (void)state;
    const struct expected want[] = {
        {1, 5, "integer `4294967296` does not fit 32 bits" INT32_HINT},
        {2, 23, "integer `0xFFFFFFFF` does not fit 32 bits" INT32_HINT},
        {3, 1, "`@include` is not supported; use the `include` key"},
        {5, 5, "integer `-3000000000` does not fit 32 bits" INT32_HINT},
        {6, 5, "integer `99999999999999999999L` does not fit 64 bits"},
    };
    expect_errors("a = 4294967296;\n"
                  "b = { c = 1; d = [ 1, 0xFFFFFFFF ]; };\n"
                  "@include \"x.conf\"\n"
                  "e = 5000000000L;\n"
                  "f = -3000000000;\n"
                  "g = 99999999999999999999L;\n",
                  want, ARRAY_SIZE(want));
}

/* ---- libconfig's own errors ---- */

static void test_syntax_error(void **state)
{
    (void)state;
    expect_error("a = 1;\nb = ;\nc = 2;\n", 2, 0, "syntax error");
    expect_error("a = [[1]];\n", 1, 0, "syntax error");
    expect_error("a = 1;\n\nb = 5l;\n", 3, 0, "syntax error");
}

static void test_duplicate_key(void **state)
{
    (void)state;
    expect_error("a = 1;\nb = 2;\na = 3;\n", 3, 0,
                 "duplicate key; a group may set each key only once");
    expect_error_part("limits = {\n  pids = 1;\n  memory = \"1g\";\n  pids: 2;\n};\n", 4, 0,
                      "duplicate key");
}

static void test_mismatched_array(void **state)
{
    (void)state;
    expect_error_part("x = 1;\nlayers = [\"/a\", 2];\n", 2, 0,
                      "syntax error: mismatched element type in array; an array `[...]` holds "
                      "values of one type, a list `(...)` may mix them");
}

static void test_unclosed_comment(void **state)
{
    (void)state;
    /* libconfig would silently drop `b`. */
    expect_error("a = 1;\n  /* open\nb = 2;\n", 2, 3,
                 "`/*` comment is never closed; libconfig would ignore the rest of the file");
}

static void test_unclosed_string(void **state)
{
    (void)state;
    /* libconfig would read this one as `b = "yz"`. */
    expect_error("a = \"x\";\nb = \"y\" \"z\n", 2, 9, "string is never closed");
    expect_error("a = \"never closed;\nb = 2;\n", 1, 5, "string is never closed");
    expect_error("a = \"escaped at the end\\\"", 1, 5, "string is never closed");
}

/* Where libconfig would leak the string in its error path. */
static void test_unexpected_string(void **state)
{
    (void)state;
    static const char msg[] =
        "syntax error: unexpected string; a setting name is written without quotes";
    expect_error("env = {\n  \"FOO\" = \"1\";\n};\n", 2, 3, msg);
    expect_error("\"abc\"", 1, 1, msg);
    expect_error("a = 1 \"x\";\n", 1, 7, msg);
    expect_error("a = [1; \"x\"];\n", 1, 9, msg);
    expect_error("a = { b = 1, \"c\" = 2; };\n", 1, 14, msg);
    /* An earlier error is still libconfig's to report. */
    expect_error("a = ;\nb = { \"x\" = 1; };\n", 1, 0, "syntax error");
    expect_error("a = 1;\na = 2;\n\"x\" = 3;\n", 2, 0,
                 "duplicate key; a group may set each key only once");
    /* Strings in lists and arrays, and concatenated ones, are values. */
    _cleanup_node_ struct node *root =
        parse_ok("a = (\"x\", \"y\" \"z\", [\"w\"], { k = \"v\"; });\n");
    assert_scalar(root, "a[1]", "yz", NODE_QUOTED, 1);
}

/* ---- caps ---- */

static char *nested_lists(int depth)
{
    struct strbuf sb = {0};
    strbuf_puts(&sb, "x = ");
    for (int i = 0; i < depth; i++)
        strbuf_putc(&sb, '(');
    strbuf_putc(&sb, '1');
    for (int i = 0; i < depth; i++)
        strbuf_putc(&sb, ')');
    strbuf_puts(&sb, ";\n");
    return strbuf_steal(&sb);
}

static void test_depth_limit(void **state)
{
    (void)state;
    _cleanup_free_ char *ok = nested_lists(LOAD_MAX_DEPTH);
    _cleanup_node_ struct node *root = parse_ok(ok);
    const struct node *n = get(root, "x");
    for (int i = 1; i < LOAD_MAX_DEPTH; i++)
        n = n->items[0];
    assert_int_equal(n->items[0]->kind, NODE_SCALAR);

    _cleanup_free_ char *deep = nested_lists(LOAD_MAX_DEPTH + 1);
    _cleanup_free_ char *msg = xasprintf("nesting deeper than %d levels", LOAD_MAX_DEPTH);
    expect_error(deep, 1, 5 + LOAD_MAX_DEPTH, msg);
    _cleanup_free_ char *deeper = nested_lists(10000);
    expect_error(deeper, 1, 5 + LOAD_MAX_DEPTH, msg);
}

static char *one_group(int n_keys)
{
    struct strbuf sb = {0};
    strbuf_puts(&sb, "env = {\n");
    for (int i = 0; i < n_keys; i++)
        strbuf_printf(&sb, "  K%d = \"v\";\n", i);
    strbuf_puts(&sb, "};\n");
    return strbuf_steal(&sb);
}

static void test_key_limit(void **state)
{
    (void)state;
    _cleanup_free_ char *ok = one_group(4096);
    _cleanup_node_ struct node *root = parse_ok(ok);
    assert_int_equal(get(root, "env")->n_items, 4096);
    assert_scalar(root, "env.K4095", "v", NODE_QUOTED, 4097);

    _cleanup_free_ char *big = one_group(4097);
    expect_error_part(big, 4098, 3, "too many keys in groups");
}

static void test_node_limit(void **state)
{
    (void)state;
    /*
     * Exactly LOAD_MAX_NODES nodes, the root included, in short arrays: one
     * long list would spend seconds in libconfig's realloc under ASan.
     */
    struct strbuf sb = {0};
    strbuf_puts(&sb, "x = (");
    size_t count = 2; /* the root and `x` */
    while (count < LOAD_MAX_NODES) {
        strbuf_puts(&sb, count > 2 ? ", [" : "[");
        count++;
        for (int i = 0; i < 100 && count < LOAD_MAX_NODES; i++, count++)
            strbuf_puts(&sb, i ? ",1" : "1");
        strbuf_putc(&sb, ']');
    }
    strbuf_puts(&sb, ");\n");
    _cleanup_free_ char *ok = strbuf_steal(&sb);
    _cleanup_node_ struct node *root = parse_ok(ok);
    assert_int_equal(node_count(root), LOAD_MAX_NODES);

    _cleanup_free_ char *over = xasprintf("%sy = 2;\n", ok);
    _cleanup_free_ char *msg =
        xasprintf("more than %d values in one profile; is this the right file?", LOAD_MAX_NODES);
    expect_error(over, 2, 5, msg);
    _cleanup_free_ char *over_group = xasprintf("%sy = {};\n", ok);
    expect_error(over_group, 2, 5, msg);
}

/* ---- size and hostility ---- */

static void test_one_megabyte(void **state)
{
    (void)state;
    struct strbuf sb = {0};
    strbuf_puts(&sb, "name = \"big\";\nenv = {\n");
    for (int i = 0; i < 2000; i++)
        strbuf_printf(&sb, "  VAR_%d = \"value number %d with some padding text\";\n", i, i);
    strbuf_puts(&sb, "};\ncommand = (\n");
    for (int i = 0; sb.len < LOAD_MAX_FILE_SIZE - 4096; i++)
        strbuf_printf(&sb, "  \"argument %d, \\\"quoted\\\" and long enough to matter\", %d,\n", i,
                      i);
    strbuf_puts(&sb, "  \"end\"\n);\n/* the end */\n");
    assert_true(sb.len > 1000 * 1000 && sb.len <= LOAD_MAX_FILE_SIZE);
    _cleanup_free_ char *text = strbuf_steal(&sb);

    _cleanup_node_ struct node *root = parse_ok(text);
    assert_int_equal(get(root, "env")->n_items, 2000);
    assert_scalar(root, "command[0]", "argument 0, \"quoted\" and long enough to matter",
                  NODE_QUOTED, 2005);
}

/* Files crafted to be slow (libconfig's duplicate check is quadratic) are refused. */
static void test_hostile_megabyte(void **state)
{
    (void)state;
    struct strbuf groups = {0};
    for (int g = 0; groups.len < 1000 * 1000; g++) {
        strbuf_printf(&groups, "g%d = {", g);
        for (int k = 0; k < 200; k++)
            strbuf_printf(&groups, "k%d=1;", k);
        strbuf_puts(&groups, "};\n");
    }
    struct strbuf flat = {0};
    for (int i = 0; flat.len < 1000 * 1000; i++)
        strbuf_printf(&flat, "k%d=1;\n", i);
    struct strbuf ones = {0};
    strbuf_puts(&ones, "x = [1");
    while (ones.len < 1000 * 1000)
        strbuf_puts(&ones, ",1");
    strbuf_puts(&ones, "];");
    char *texts[] = {strbuf_steal(&groups), strbuf_steal(&flat), strbuf_steal(&ones)};
    const char *first[] = {"too many keys in groups", "too many keys in groups",
                           "more than 100000 values"};
    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        struct diags d = {0};
        struct node *root = parse(texts[i], &d);
        assert_null(root);
        assert_true(d.n_errors >= 1);
        assert_non_null(strstr(d.v[0].msg, first[i]));
        diags_free(&d);
        free(texts[i]);
    }
}

/* Garbage never crashes, and a NULL result always comes with an error. */
static void check_garbage(const char *text, size_t len)
{
    struct diags d = {0};
    struct node *root = load_conf(text, len, &test_src, &d);
    assert_true((root != NULL) == (d.n_errors == 0));
    for (size_t i = 0; i < d.n; i++) {
        assert_string_equal(d.v[i].file, "test.conf");
        assert_true(d.v[i].line >= 0);
    }
    node_free(root);
    diags_free(&d);
}

static void test_garbage(void **state)
{
    (void)state;
    srand(42);
    char buf[513];
    for (int iter = 0; iter < 2000; iter++) {
        size_t len = (size_t)(rand() % 512);
        for (size_t i = 0; i < len; i++)
            buf[i] = (char)(1 + rand() % 255);
        buf[len] = '\0';
        check_garbage(buf, len);
    }
    /* Mutations of a valid profile reach deeper into the parser. */
    static const char alphabet[] = "{}()[];:=,\"\\#/*@-+.0123456789xXeELlaz \n";
    const char *base =
        "name = \"x\";\nlimits = { pids = 100; cpus = 1.5; memory = 5000000000L; };\n"
        "mounts = ( { target = \"/x\"; readonly = true; } );\n"
        "layers = [ \"/a\", \"/b\" ]; /* c */ # d\n";
    size_t base_len = strlen(base);
    for (int iter = 0; iter < 5000; iter++) {
        memcpy(buf, base, base_len + 1);
        for (int k = 0; k < 1 + rand() % 4; k++)
            buf[rand() % (int)base_len] = alphabet[rand() % (int)(sizeof(alphabet) - 1)];
        check_garbage(buf, base_len);
    }
}

/* ---- through load_file ---- */

static void test_fixture_file(void **state)
{
    (void)state;
    const char *srcdir = getenv("CONGO_SRCDIR");
    _cleanup_free_ char *path = xasprintf("%s/tests/data/conf/profile.conf", srcdir ? srcdir : ".");
    char name[] = "profile.conf";
    struct source src = {.name = name, .dir = test_dir, .is_file = true};
    struct diags d = {0};
    _cleanup_node_ struct node *root = load_file(path, &src, &d);
    if (d.n)
        diags_print(&d, stderr);
    assert_int_equal(d.n, 0);
    diags_free(&d);
    assert_non_null(root);
    assert_ptr_equal(root->src, &src);
    assert_scalar(root, "name", "web", NODE_QUOTED, 2);
    assert_scalar(root, "layers[1]", "layers/app", NODE_QUOTED, 5);
    assert_scalar(root, "readonly_rootfs", "false", 0, 6);
    assert_scalar(root, "env.GREETING", "say \"hi\"\tthen\\leave", NODE_QUOTED, 10);
    assert_scalar(root, "command[2]", "echo $$HOME", NODE_QUOTED, 13);
    assert_scalar(root, "limits.memory_swap", "4294967296", 0, 17);
    assert_scalar(root, "limits.cpu_shares", "1024", 0, 18);
    assert_scalar(root, "limits.cpus", "1.5", 0, 19);
    assert_scalar(root, "mounts[0].options", "size=64m,mode=1777", NODE_QUOTED, 22);
    assert_int_equal(get(root, "mounts[1]")->line, 23);
    assert_scalar(root, "mounts[1].readonly", "true", 0, 26);
    assert_scalar(root, "namespaces.cgroup", "true", 0, 29);
    assert_int_equal(root->n_items, 10);
}

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void test_load_file_temp(void **state)
{
    (void)state;
    char dir[] = "/tmp/congo-test-load-conf-XXXXXX";
    assert_non_null(mkdtemp(dir));
    _cleanup_free_ char *inc = xasprintf("%s/inc.conf", dir);
    _cleanup_free_ char *top = xasprintf("%s/top.cfg", dir);
    _cleanup_free_ char *bad = xasprintf("%s/bad.conf", dir);
    write_file(inc, "b = 2;\n");
    /* A real file behind `@include`: only our error comes back, never its content. */
    _cleanup_free_ char *top_text = xasprintf("a = 1;\n\t@include \"%s\"\n", inc);
    write_file(top, top_text);
    write_file(bad, "limits = {\n  memory = 4294967296;\n};\n");

    struct source src = {.name = top, .dir = dir, .is_file = true};
    struct diags d = {0};
    struct node *root = load_file(top, &src, &d);
    assert_null(root);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.v[0].file, top);
    assert_int_equal(d.v[0].line, 2);
    assert_int_equal(d.v[0].col, 2);
    assert_string_equal(d.v[0].msg, "`@include` is not supported; use the `include` key");
    diags_free(&d);

    src.name = bad;
    root = load_file(bad, &src, &d);
    assert_null(root);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.v[0].file, bad);
    assert_int_equal(d.v[0].line, 2);
    assert_int_equal(d.v[0].col, 12);
    assert_string_equal(d.v[0].msg, "integer `4294967296` does not fit 32 bits" INT32_HINT);
    diags_free(&d);

    src.name = inc;
    _cleanup_node_ struct node *ok = load_file(inc, &src, &d);
    assert_int_equal(d.n, 0);
    assert_non_null(ok);
    assert_scalar(ok, "b", "2", 0, 1);

    assert_int_equal(unlink(inc), 0);
    assert_int_equal(unlink(top), 0);
    assert_int_equal(unlink(bad), 0);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_comments_only),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_list_of_groups),
        cmocka_unit_test(test_mixed_list_and_lines),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_env_list_form),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_setting_names),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_float_round_trip),
        cmocka_unit_test(test_int32_overflow),
        cmocka_unit_test(test_int64_overflow),
        cmocka_unit_test(test_overflow_in_nested_values),
        cmocka_unit_test(test_long_literal_shortened),
        cmocka_unit_test(test_numbers_not_flagged),
        cmocka_unit_test(test_float_overflow),
        cmocka_unit_test(test_include_directive),
        cmocka_unit_test(test_include_in_string_or_comment),
        cmocka_unit_test(test_all_lexer_errors_reported),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_mismatched_array),
        cmocka_unit_test(test_unclosed_comment),
        cmocka_unit_test(test_unclosed_string),
        cmocka_unit_test(test_unexpected_string),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_key_limit),
        cmocka_unit_test(test_node_limit),
        cmocka_unit_test(test_one_megabyte),
        cmocka_unit_test(test_hostile_megabyte),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_fixture_file),
        cmocka_unit_test(test_load_file_temp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
