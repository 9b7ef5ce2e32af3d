/* Unit tests for the YAML front-end (src/profile/load-yaml.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile/load.h"
#include "util/util.h"

static const struct source file_src = {.name = "test.yaml", .is_file = true};
static const struct source cli_src = {.name = "<command line>"};

static struct node *load(const char *text, struct diags *d)
{
    return load_yaml(text, strlen(text), &file_src, d);
}

static struct node *value(const char *text, struct diags *d)
{
    return load_yaml_value(text, &cli_src, d);
}

/* The i-th message is an error at file:line:col, about key (NULL: none), saying msg. */
static void check_diag(const struct diags *d, size_t i, const char *file, int line, int col,
                       const char *key, const char *msg)
{
    if (i >= d->n)
        fail_msg("expected message %zu (%s), have %zu", i, msg, d->n);
    const struct diag *g = &d->v[i];
    assert_int_equal(g->level, DIAG_ERROR);
    if (!str_eq(g->file, file) || g->line != line || g->col != col)
        fail_msg("message `%s` is at %s:%d:%d, expected %s:%d:%d", g->msg,
                 g->file ? g->file : "(none)", g->line, g->col, file, line, col);
    if (key) {
        if (!g->key)
            fail_msg("message `%s` has no key, expected `%s`", g->msg, key);
        assert_string_equal(g->key, key);
    } else if (g->key) {
        fail_msg("message `%s` has key `%s`, expected none", g->msg, g->key);
    }
    if (!strstr(g->msg, msg))
        fail_msg("message `%s` lacks `%s`", g->msg, msg);
}

/* A file that fails with exactly one error. */
static void check_one_error(const char *text, int line, int col, const char *key, const char *msg)
{
    struct diags d = {0};
    struct node *root = load(text, &d);
    assert_null(root);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.n_errors, 1);
    check_diag(&d, 0, "test.yaml", line, col, key, msg);
    diags_free(&d);
}

static void check_value_error(const char *text, const char *key, const char *msg)
{
    struct diags d = {0};
    assert_null(value(text, &d));
    assert_int_equal(d.n, 1);
    check_diag(&d, 0, "<command line>", 0, 0, key, msg);
    diags_free(&d);
}

static const struct node *get(const struct node *map, const char *key)
{
    const struct node *n = node_map_get(map, key);
    if (!n)
        fail_msg("no key `%s`", key);
    return n;
}

static void check_scalar(const struct node *n, const char *text, unsigned flags)
{
    assert_non_null(n);
    assert_int_equal(n->kind, NODE_SCALAR);
    assert_string_equal(n->text, text);
    assert_int_equal(n->flags, flags);
}

static char *repeat(const char *s, size_t n)
{
    struct strbuf sb = {0};
    for (size_t i = 0; i < n; i++)
        strbuf_puts(&sb, s);
    return strbuf_steal(&sb);
}

static char *data_path(const char *name)
{
    const char *srcdir = getenv("CONGO_SRCDIR");
    return xasprintf("%s/tests/data/yaml/%s", srcdir ? srcdir : ".", name);
}

/* Scratch directory for generated files; removed in teardown. */
static char tmpdir[] = "/tmp/congo-test-yaml-XXXXXX";

static int setup_tmpdir(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    return rmdir(tmpdir);
}

/* Writes text to tmpdir/name and loads it with load_file; the file is gone after. */
static struct node *load_tmp(const char *name, const char *text, size_t len, struct diags *d)
{
    _cleanup_free_ char *path = xasprintf("%s/%s", tmpdir, name);
    FILE *f = fopen(path, "we");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    struct source src = {.name = path, .is_file = true};
    struct node *root = load_file(path, &src, d);
    /* Nodes keep a pointer to src; it does not outlive this call. */
    if (root)
        for (size_t i = 0; i < root->n_items; i++)
            root->items[i]->src = NULL;
    unlink(path);
    return root;
}

/* ---- scalars ---- */

static void test_scalar_styles(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root = load("plain: hello world\n"
                                            "single: 'it''s'\n"
                                            "double: \"a\\tb\"\n"
                                            "literal: |\n"
                                            "  one\n"
                                            "  two\n"
                                            "folded: >\n"
                                            "  one\n"
                                            "  two\n"
                                            "number: 0x10\n"
                                            "bool: yes\n"
                                            "str: !!str 12\n"
                                            "str_empty: !!str\n"
                                            "colon: a:b\n",
                                            &d);
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    assert_int_equal(root->kind, NODE_MAP);
    assert_int_equal(root->n_items, 10);
    check_scalar(get(root, "plain"), "hello world", 0);
    check_scalar(get(root, "single"), "it's", NODE_QUOTED);
    check_scalar(get(root, "double"), "a\tb", NODE_QUOTED);
    check_scalar(get(root, "literal"), "one\ntwo\n", NODE_QUOTED);
    check_scalar(get(root, "folded"), "one two\n", NODE_QUOTED);
    /* All scalars are text here; typing happens later, by key. */
    check_scalar(get(root, "number"), "0x10", 0);
    check_scalar(get(root, "bool"), "yes", 0);
    check_scalar(get(root, "str"), "12", NODE_QUOTED);
    check_scalar(get(root, "str_empty"), "", NODE_QUOTED);
    check_scalar(get(root, "colon"), "a:b", 0);
    diags_free(&d);
}

static void test_nulls(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root = load("empty:\n"
                                            "tilde: ~\n"
                                            "lower: null\n"
                                            "title: Null\n"
                                            "upper: NULL\n"
                                            "mixed: nUll\n"
                                            "quoted: 'null'\n"
                                            "dquoted: \"\"\n"
                                            "flow: {a: , b: ~}\n",
                                            &d);
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    check_scalar(get(root, "empty"), "", NODE_NULL);
    check_scalar(get(root, "tilde"), "~", NODE_NULL);
    check_scalar(get(root, "lower"), "null", NODE_NULL);
    check_scalar(get(root, "title"), "Null", NODE_NULL);
    check_scalar(get(root, "upper"), "NULL", NODE_NULL);
    check_scalar(get(root, "mixed"), "nUll", 0);
    check_scalar(get(root, "quoted"), "null", NODE_QUOTED);
    check_scalar(get(root, "dquoted"), "", NODE_QUOTED);
    const struct node *flow = get(root, "flow");
    check_scalar(get(flow, "a"), "", NODE_NULL);
    check_scalar(get(flow, "b"), "~", NODE_NULL);
    diags_free(&d);
}

/* ---- shape and positions ---- */

static void test_nested_positions(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root = load("# comment\n"
                                            "name: web\n"
                                            "limits:\n"
                                            "  memory: 512m\n"
                                            "mounts:\n"
                                            "  - source: /a\n"
                                            "    target: /b\n"
                                            "  -   /c:/d\n"
                                            "\"quoted key\": 'v'\n",
                                            &d);
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    assert_int_equal(root->kind, NODE_MAP);
    assert_int_equal(root->line, 2);
    assert_int_equal(root->col, 1);
    assert_ptr_equal(root->src, &file_src);

    const struct node *name = get(root, "name");
    assert_int_equal(name->line, 2);
    assert_int_equal(name->col, 7);
    assert_int_equal(name->key_line, 2);
    assert_int_equal(name->key_col, 1);
    assert_int_equal(name->index, 0);

    const struct node *limits = get(root, "limits");
    assert_int_equal(limits->kind, NODE_MAP);
    assert_int_equal(limits->line, 4); /* a block map starts at its first key */
    assert_int_equal(limits->col, 3);
    assert_int_equal(limits->key_line, 3);
    assert_int_equal(limits->key_col, 1);
    const struct node *memory = get(limits, "memory");
    check_scalar(memory, "512m", 0);
    assert_int_equal(memory->line, 4);
    assert_int_equal(memory->col, 11);
    assert_int_equal(memory->key_line, 4);
    assert_int_equal(memory->key_col, 3);
    _cleanup_free_ char *mpath = node_path(memory);
    assert_string_equal(mpath, "limits.memory");

    const struct node *mounts = get(root, "mounts");
    assert_int_equal(mounts->kind, NODE_SEQ);
    assert_int_equal(mounts->n_items, 2);
    assert_int_equal(mounts->line, 6);
    assert_int_equal(mounts->col, 3);
    const struct node *m0 = mounts->items[0];
    assert_int_equal(m0->kind, NODE_MAP);
    assert_null(m0->key);
    const struct node *target = get(m0, "target");
    check_scalar(target, "/b", 0);
    assert_int_equal(target->line, 7);
    assert_int_equal(target->col, 13);
    assert_int_equal(target->key_col, 5);
    assert_int_equal(target->index, 1);
    _cleanup_free_ char *tpath = node_path(target);
    assert_string_equal(tpath, "mounts[0].target");
    const struct node *m1 = mounts->items[1];
    check_scalar(m1, "/c:/d", 0);
    assert_int_equal(m1->line, 8);
    assert_int_equal(m1->col, 7);
    assert_int_equal(m1->index, 1);

    const struct node *q = get(root, "quoted key");
    check_scalar(q, "v", NODE_QUOTED);
    assert_int_equal(q->key_line, 9);
    assert_int_equal(q->key_col, 1);
    assert_int_equal(q->col, 15);
    diags_free(&d);
}

static void test_flow_style(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root = load("layers: [/a, '/b', [x, y], {k: v}]\n"
                                            "namespaces: {net: false, cgroup: true,\n"
                                            "  pid: }\n"
                                            "empty_list: []\n"
                                            "empty_map: {}\n",
                                            &d);
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    const struct node *layers = get(root, "layers");
    assert_int_equal(layers->kind, NODE_SEQ);
    assert_int_equal(layers->n_items, 4);
    assert_int_equal(layers->line, 1);
    assert_int_equal(layers->col, 9);
    check_scalar(layers->items[0], "/a", 0);
    assert_int_equal(layers->items[0]->col, 10);
    check_scalar(layers->items[1], "/b", NODE_QUOTED);
    assert_int_equal(layers->items[2]->kind, NODE_SEQ);
    check_scalar(layers->items[2]->items[1], "y", 0);
    assert_int_equal(layers->items[3]->kind, NODE_MAP);
    check_scalar(get(layers->items[3], "k"), "v", 0);
    _cleanup_free_ char *kpath = node_path(get(layers->items[3], "k"));
    assert_string_equal(kpath, "layers[3].k");

    const struct node *ns = get(root, "namespaces");
    assert_int_equal(ns->kind, NODE_MAP);
    assert_int_equal(ns->n_items, 3);
    check_scalar(get(ns, "net"), "false", 0);
    check_scalar(get(ns, "pid"), "", NODE_NULL);
    assert_int_equal(get(ns, "pid")->key_line, 3);
    assert_int_equal(get(ns, "pid")->key_col, 3);

    assert_int_equal(get(root, "empty_list")->kind, NODE_SEQ);
    assert_int_equal(get(root, "empty_list")->n_items, 0);
    assert_int_equal(get(root, "empty_map")->kind, NODE_MAP);
    assert_int_equal(get(root, "empty_map")->n_items, 0);
    diags_free(&d);
}

static void test_bom_and_directives(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root = load("\xef\xbb\xbf%YAML 1.1\n---\na: b\n...\n", &d);
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    check_scalar(get(root, "a"), "b", 0);
    assert_int_equal(get(root, "a")->line, 3);

    /* Columns do not count the BOM. */
    _cleanup_node_ struct node *plain = load("\xef\xbb\xbf"
                                             "a: b\n",
                                             &d);
    assert_non_null(plain);
    assert_int_equal(get(plain, "a")->col, 4);
    assert_int_equal(d.n, 0);
    diags_free(&d);
}

/* ---- empty and non-map documents ---- */

static void test_empty_documents(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "", "\n\n", "# only a comment\n  # another\n", "---\n", "---\n...\n", "~\n", "null",
    };
    for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
        struct diags d = {0};
        _cleanup_node_ struct node *root = load(texts[i], &d);
        if (!root)
            fail_msg("`%s` did not load", texts[i]);
        assert_int_equal(d.n, 0);
        assert_int_equal(root->kind, NODE_MAP);
        assert_int_equal(root->n_items, 0);
        assert_ptr_equal(root->src, &file_src);
        diags_free(&d);
    }
}

static void test_root_not_a_map(void **state)
{
    (void)state;
    check_one_error("hello\n", 1, 1, NULL, "a profile must be a mapping of keys");
    check_one_error("# c\n- a\n- b\n", 2, 1, NULL, "a profile must be a mapping of keys");
    check_one_error("[a, b]", 1, 1, NULL, "a profile must be a mapping of keys");
    check_one_error("'null'", 1, 1, NULL, "a profile must be a mapping of keys");
    check_one_error("--- !!str\n", 1, 5, NULL, "a profile must be a mapping of keys");
    check_one_error("*a\n", 1, 1, NULL, "a profile must be a mapping of keys");
}

static void test_second_document(void **state)
{
    (void)state;
    check_one_error("a: 1\n---\nb: 2\n", 2, 1, NULL, "a profile holds one YAML document");
    check_one_error("---\na: 1\n...\n---\n", 4, 1, NULL, "a profile holds one YAML document");
}

/* ---- tags ---- */

static void test_tags(void **state)
{
    (void)state;
    check_one_error("a: !!int 1\n", 1, 4, "a",
                    "tag `!!int` is not supported; profiles use plain values");
    check_one_error("a:\n  b: !foo x\n", 2, 6, "a.b", "tag `!foo` is not supported");
    check_one_error("a: !<tag:example.com,2024:x> y\n", 1, 4, "a",
                    "tag `tag:example.com,2024:x` is");
    check_one_error("a: ! x\n", 1, 4, "a", "tag `!` is not supported");
    check_one_error("a: !!map {b: c}\n", 1, 4, "a", "tag `!!map` is not supported");
    check_one_error("a: [x, !!bool true]\n", 1, 8, "a[1]", "tag `!!bool` is not supported");
    check_one_error("!!set {a: b}\n", 1, 1, NULL, "tag `!!set` is not supported");
    check_one_error("a: !!str [x]\n", 1, 4, "a", "tag `!!str` is not supported");
    check_one_error("!!int 1: x\n", 1, 1, NULL, "tag `!!int` is not supported");
    /* %TAG can rename !!; what counts is the tag it resolves to. */
    struct diags d = {0};
    _cleanup_node_ struct node *root = load("%TAG !e! tag:yaml.org,2002:\n---\na: !e!str 1\n", &d);
    assert_non_null(root);
    check_scalar(get(root, "a"), "1", NODE_QUOTED);
    diags_free(&d);
}

/* ---- keys ---- */

static void test_duplicate_keys(void **state)
{
    (void)state;
    check_one_error("a: 1\nb: 2\na: 3\n", 3, 1, "a", "duplicate key `a` (first at line 1)");
    check_one_error("x:\n  y:\n    k: 1\n    k: [2]\n", 4, 5, "x.y.k",
                    "duplicate key `k` (first at line 3)");
    check_one_error("m: [{k: 1}, {j: 1, k: 2, j: 3}]\n", 1, 26, "m[1].j",
                    "duplicate key `j` (first at line 1)");
    /* Quoting does not make a different key. */
    check_one_error("a: 1\n'a': 2\n", 2, 1, "a", "duplicate key `a` (first at line 1)");

    /* Every duplicate is reported, each citing the first. */
    struct diags d = {0};
    assert_null(load("a: 1\na: 2\nb: {}\na: 3\nb: 4\n", &d));
    assert_int_equal(d.n, 3);
    check_diag(&d, 0, "test.yaml", 2, 1, "a", "duplicate key `a` (first at line 1)");
    check_diag(&d, 1, "test.yaml", 4, 1, "a", "duplicate key `a` (first at line 1)");
    check_diag(&d, 2, "test.yaml", 5, 1, "b", "duplicate key `b` (first at line 3)");
    diags_free(&d);

    /* The same key in different maps is fine. */
    _cleanup_node_ struct node *root = load("a: {k: 1}\nb: {k: 2}\nk: 3\n", &d);
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    diags_free(&d);
}

static void test_merge_key(void **state)
{
    (void)state;
    check_one_error("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n", 3, 3, "other.<<",
                    "the merge key `<<` is not supported; use include");
    check_one_error("<<: {x: 1}\n", 1, 1, "<<", "the merge key `<<` is not supported");
    /* Quoted, it is a plain key like any other (the schema rejects it later). */
    struct diags d = {0};
    _cleanup_node_ struct node *root = load("'<<': x\n", &d);
    assert_non_null(root);
    check_scalar(get(root, "<<"), "x", 0);
    diags_free(&d);
}

static void test_non_scalar_keys(void **state)
{
    (void)state;
    check_one_error("[a, b]: c\n", 1, 1, NULL, "a map key must be a scalar");
    check_one_error("x:\n  ? {a: 1}\n  : b\n", 2, 5, "x", "a map key must be a scalar");
    check_one_error("a: &s [1]\n*s : b\n", 2, 1, NULL, "a map key must be a scalar");
    check_one_error("*nope : b\n", 1, 1, NULL, "undefined alias `*nope`");
    check_one_error("a: \"x\\0y\"\n", 1, 4, "a", "a NUL character (`\\0`) is not allowed");
    check_one_error("\"x\\0y\": a\n", 1, 1, NULL, "a NUL character (`\\0`) is not allowed");

    /* Reading goes on after a bad key. */
    struct diags d = {0};
    assert_null(load("[k]: {deep: [1]}\na: 1\na: 2\n", &d));
    assert_int_equal(d.n, 2);
    check_diag(&d, 0, "test.yaml", 1, 1, NULL, "a map key must be a scalar");
    check_diag(&d, 1, "test.yaml", 3, 1, "a", "duplicate key `a` (first at line 2)");
    diags_free(&d);
}

/* ---- anchors and aliases ---- */

static void test_aliases(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root = load("env: &env\n"
                                            "  A: '1'\n"
                                            "  B: [x, y]\n"
                                            "size: &size 512m\n"
                                            "copy: *env\n"
                                            "list: [*size, *size]\n"
                                            "&k named: v\n"
                                            "again: *k\n"
                                            "nested: {*k : w}\n",
                                            &d);
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    const struct node *env = get(root, "env");
    const struct node *copy = get(root, "copy");
    assert_ptr_not_equal(env, copy);
    assert_int_equal(copy->kind, NODE_MAP);
    assert_int_equal(copy->n_items, 2);
    check_scalar(get(copy, "A"), "1", NODE_QUOTED);
    assert_ptr_not_equal(get(copy, "A"), get(env, "A"));
    assert_ptr_equal(get(copy, "A")->parent, copy);
    _cleanup_free_ char *bpath = node_path(get(copy, "B")->items[1]);
    assert_string_equal(bpath, "copy.B[1]");
    /* The copy sits where the alias is; what it copies keeps its own lines. */
    assert_int_equal(copy->line, 5);
    assert_int_equal(copy->col, 7);
    assert_int_equal(copy->key_line, 5);
    assert_int_equal(get(copy, "A")->line, 2);

    const struct node *list = get(root, "list");
    assert_int_equal(list->n_items, 2);
    check_scalar(list->items[1], "512m", 0);
    assert_int_equal(list->items[1]->col, 15);
    assert_int_equal(list->items[1]->key_line, 0);
    check_scalar(get(root, "named"), "v", 0);
    check_scalar(get(root, "again"), "named", 0);
    check_scalar(get(root, "named"), "v", 0);
    /* An alias as a key stands for the text of its scalar. */
    check_scalar(get(get(root, "nested"), "named"), "w", 0);
    assert_int_equal(root->n_items, 7);
    diags_free(&d);

    check_one_error("&k named: v\n*k : w\n", 2, 1, "named",
                    "duplicate key `named` (first at line 1)");
}

static void test_alias_redefined(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *root = load("a: &x one\nb: *x\nc: &x two\nd: *x\n", &d);
    assert_non_null(root);
    check_scalar(get(root, "b"), "one", 0);
    check_scalar(get(root, "d"), "two", 0);
    diags_free(&d);
}

static void test_alias_errors(void **state)
{
    (void)state;
    check_one_error("a: *nope\n", 1, 4, "a", "undefined alias `*nope`");
    /* An alias refers back, never forward. */
    check_one_error("a: *x\nb: &x 1\n", 1, 4, "a", "undefined alias `*x`");
    check_one_error("a: &x [1, *x]\n", 1, 11, "a[1]",
                    "alias `*x` refers to a node that contains it");
    check_one_error("a: &x {b: {c: *x}}\n", 1, 15, "a.b.c", "refers to a node that contains it");

    /* A stand-in keeps later indexes right. */
    struct diags d = {0};
    assert_null(load("a: [*p, *q]\n", &d));
    assert_int_equal(d.n, 2);
    check_diag(&d, 0, "test.yaml", 1, 5, "a[0]", "undefined alias `*p`");
    check_diag(&d, 1, "test.yaml", 1, 9, "a[1]", "undefined alias `*q`");
    diags_free(&d);
}

static char *billion_laughs(void)
{
    struct strbuf sb = {0};
    strbuf_puts(&sb, "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char c = 'b'; c <= 'i'; c++)
        strbuf_printf(&sb, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c, c, c - 1,
                      c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
    return strbuf_steal(&sb);
}

static void test_billion_laughs(void **state)
{
    (void)state;
    _cleanup_free_ char *text = billion_laughs();
    struct diags d = {0};
    assert_null(load(text, &d));
    assert_int_equal(d.n, 1);
    /* The root, a to e and f take 74734 nodes; f's first copy of e does not fit. */
    check_diag(&d, 0, "test.yaml", 6, 8, "f[0]",
               "aliases expand beyond 100000 nodes (billion laughs?)");
    diags_free(&d);
}

static void test_too_many_values(void **state)
{
    (void)state;
    /* The cap holds without aliases too: a 1 MiB file can write 500k values. */
    struct strbuf sb = {0};
    strbuf_puts(&sb, "a: [");
    for (int i = 0; i < 150000; i++)
        strbuf_puts(&sb, "x,");
    strbuf_puts(&sb, "x]\n");
    _cleanup_free_ char *text = strbuf_steal(&sb);
    struct diags d = {0};
    assert_null(load(text, &d));
    assert_int_equal(d.n, 1);
    /* The root map and `a` are two of the 100000. */
    check_diag(&d, 0, "test.yaml", 1, 5 + 2 * 99998, "a[99998]",
               "more than 100000 values in one profile");
    diags_free(&d);
}

/* ---- nesting ---- */

static void test_depth_limit_flow(void **state)
{
    (void)state;
    /* The root map is level 1, so `a` can hold 63 more levels. */
    _cleanup_free_ char *open63 = repeat("[", 63);
    _cleanup_free_ char *close63 = repeat("]", 63);
    _cleanup_free_ char *ok = xasprintf("a: %s%s\n", open63, close63);
    struct diags d = {0};
    _cleanup_node_ struct node *root = load(ok, &d);
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    const struct node *n = get(root, "a");
    int levels = 2;
    while (n->n_items) {
        n = n->items[0];
        levels++;
    }
    assert_int_equal(levels, LOAD_MAX_DEPTH);

    /* One more fails, at the `[` that opens level 65. */
    _cleanup_free_ char *open64 = repeat("[", 64);
    _cleanup_free_ char *close64 = repeat("]", 64);
    _cleanup_free_ char *bad = xasprintf("a: %s%s\n", open64, close64);
    _cleanup_free_ char *index63 = repeat("[0]", 63);
    _cleanup_free_ char *key = xasprintf("a%s", index63);
    check_one_error(bad, 1, 4 + 63, key, "nesting deeper than 64 levels");
    diags_free(&d);
}

static void test_deep_hostile_nesting(void **state)
{
    (void)state;
    /* libyaml itself parses any depth; the cap must stop us early and cheaply. */
    _cleanup_free_ char *open = repeat("[", 2000);
    _cleanup_free_ char *close = repeat("]", 2000);
    _cleanup_free_ char *flow = xasprintf("a: %s%s\n", open, close);
    _cleanup_free_ char *index63 = repeat("[0]", 63);
    _cleanup_free_ char *key = xasprintf("a%s", index63);
    check_one_error(flow, 1, 67, key, "nesting deeper than 64 levels");

    /* The same in block style, a map in a map 2000 times. */
    struct strbuf sb = {0};
    for (int i = 0; i < 2000; i++) {
        for (int j = 0; j < i; j++)
            strbuf_puts(&sb, "  ");
        strbuf_puts(&sb, "k:\n");
    }
    _cleanup_free_ char *block = strbuf_steal(&sb);
    _cleanup_free_ char *keys = repeat("k.", 64);
    keys[strlen(keys) - 1] = '\0';
    check_one_error(block, 65, 129, keys, "nesting deeper than 64 levels");

    /* And block sequences: `- - - - x`. */
    _cleanup_free_ char *dashes = repeat("- ", 2000);
    _cleanup_free_ char *seqs = xasprintf("a:\n  %sx\n", dashes);
    check_one_error(seqs, 2, 3 + 2 * 63, key, "nesting deeper than 64 levels");
}

static void test_depth_through_alias(void **state)
{
    (void)state;
    /* Each anchor is within the cap; placed deeper, its copy would not be. */
    _cleanup_free_ char *open = repeat("[", 60);
    _cleanup_free_ char *close = repeat("]", 60);
    _cleanup_free_ char *text = xasprintf("a: &x %s%s\nb: [[[[[[*x]]]]]]\n", open, close);
    check_one_error(text, 2, 10, "b[0][0][0][0][0][0]", "nesting deeper than 64 levels");
}

/* ---- syntax errors ---- */

static void test_syntax_errors(void **state)
{
    (void)state;
    check_one_error("a: b\n c: d\n", 2, 3, NULL,
                    "syntax error: mapping values are not allowed in this context");
    check_one_error("a: [1, 2\nb: 3\n", 2, 2, NULL,
                    "syntax error: did not find expected ',' or ']' (while parsing a flow "
                    "sequence)");
    check_one_error("a: 'open\n", 2, 1, NULL,
                    "syntax error: found unexpected end of stream (while scanning a quoted "
                    "scalar)");
    check_one_error("a: 1\n\tb: 2\n", 2, 1, NULL,
                    "syntax error: found a tab character that violates indentation (while "
                    "scanning a plain scalar)");
    check_one_error("a: @x\n", 1, 4, NULL,
                    "syntax error: found character that cannot start "
                    "any token (while scanning for the next token)");
    /* Reader errors come with an offset, not a mark; the column counts characters. */
    check_one_error("a: \xc3\xa9\x01\n", 1, 5, NULL,
                    "syntax error: control characters are not allowed");
    check_one_error("a: b\nc: \xff\n", 2, 4, NULL, "syntax error: invalid leading UTF-8 octet");

    /* Errors found before the syntax error stay; the syntax error ends the file. */
    struct diags d = {0};
    assert_null(load("a: 1\na: 2\nb: [\nb: 3\nc: !!int 1\n", &d));
    assert_int_equal(d.n, 2);
    check_diag(&d, 0, "test.yaml", 2, 1, "a", "duplicate key `a`");
    check_diag(&d, 1, "test.yaml", 5, 2, NULL, "syntax error: ");
    diags_free(&d);

    /* A syntax error in a second document is not read at all. */
    check_one_error("a: 1\n---\n[\n", 2, 1, NULL, "a profile holds one YAML document");
}

static void test_garbage_bytes(void **state)
{
    (void)state;
    /* Arbitrary bytes and mangled profiles must neither crash nor leak. */
    _cleanup_free_ char *laughs = billion_laughs();
    static const char *const seeds[] = {
        "name: web\nlimits: {memory: 1g, pids: [1, 2]}\nmounts:\n  - &m {source: /a}\n  - *m\n",
        "? a\n: - b\n  - &c {d: [e, *c]}\n!t x: \"\\u0000\"\n",
    };
    srand(12345);
    for (int round = 0; round < 3000; round++) {
        char buf[160];
        size_t len;
        if (round < 1000) {
            len = (size_t)(rand() % (int)sizeof(buf));
            for (size_t i = 0; i < len; i++)
                buf[i] = (char)(rand() % 256);
        } else {
            const char *seed = round < 2000 ? seeds[round % 2] : laughs;
            len = strlen(seed) < sizeof(buf) ? strlen(seed) : sizeof(buf) - 1;
            memcpy(buf, seed, len);
            for (int k = 0; k < 4; k++)
                buf[rand() % (int)len] = "[]{}:,-&*!'\"\n #?|>\t\\"[rand() % 21];
        }
        buf[len] = '\0';
        struct diags d = {0};
        struct node *root = load_yaml(buf, len, &file_src, &d);
        /* Either a tree or at least one error, never neither. */
        assert_true(root != NULL || d.n_errors > 0);
        if (root)
            assert_int_equal(root->kind, NODE_MAP);
        node_free(root);
        diags_free(&d);

        root = load_yaml_value(buf, &cli_src, &d);
        assert_true(root != NULL || d.n_errors > 0);
        node_free(root);
        diags_free(&d);
    }
}

/* ---- size ---- */

static void test_large_file(void **state)
{
    (void)state;
    /* Nearly 1 MiB of distinct keys: duplicate checks must not be quadratic. */
    struct strbuf sb = {0};
    int keys = 0;
    while (sb.len + 16 < LOAD_MAX_FILE_SIZE && keys < LOAD_MAX_NODES - 1) {
        strbuf_printf(&sb, "key%06d: v%d\n", keys, keys);
        keys++;
    }
    size_t len = sb.len;
    _cleanup_free_ char *text = strbuf_steal(&sb);
    struct diags d = {0};
    _cleanup_node_ struct node *root = load_tmp("large.yaml", text, len, &d);
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    assert_int_equal(root->n_items, (size_t)keys);
    _cleanup_free_ char *last = xasprintf("v%d", keys - 1);
    check_scalar(root->items[keys - 1], last, 0);

    /* A big anchored map copied by an alias costs its size once more, no more. */
    strbuf_puts(&sb, "a: &a\n");
    for (int i = 0; i < LOAD_MAX_NODES / 2 - 10; i++)
        strbuf_printf(&sb, "  k%d: v\n", i);
    strbuf_puts(&sb, "b: *a\n");
    len = sb.len;
    _cleanup_free_ char *copied = strbuf_steal(&sb);
    _cleanup_node_ struct node *both = load_tmp("copied.yaml", copied, len, &d);
    assert_non_null(both);
    assert_int_equal(get(both, "b")->n_items, LOAD_MAX_NODES / 2 - 10);
    diags_free(&d);
}

/* ---- through load_file ---- */

static void test_file_fixture(void **state)
{
    (void)state;
    _cleanup_free_ char *path = data_path("profile.yaml");
    struct source src = {.name = path, .is_file = true};
    struct diags d = {0};
    _cleanup_node_ struct node *root = load_file(path, &src, &d);
    if (!root) {
        diags_print(&d, stderr);
        fail_msg("%s did not load", path);
    }
    assert_int_equal(d.n, 0);
    assert_int_equal(root->n_items, 9);
    check_scalar(get(root, "name"), "web", 0);
    const struct node *layers = get(root, "layers");
    assert_int_equal(layers->n_items, 2);
    check_scalar(layers->items[1], "./app", NODE_QUOTED);
    check_scalar(get(get(root, "limits"), "pids"), "100", 0);
    check_scalar(get(get(root, "env"), "EMPTY"), "", NODE_QUOTED);
    const struct node *command = get(root, "command");
    assert_int_equal(command->n_items, 3);
    check_scalar(command->items[2], "echo hello\n", NODE_QUOTED);
    const struct node *mounts = get(root, "mounts");
    check_scalar(get(mounts->items[0], "readonly"), "true", 0);
    check_scalar(get(mounts->items[1], "options"), "size=64m,mode=1777", NODE_QUOTED);
    const struct node *saved = get(root, "saved_env");
    assert_int_equal(saved->n_items, 2);
    assert_int_equal(saved->line, 22);
    assert_int_equal(saved->col, 12);
    check_scalar(get(saved, "LANG"), "C.UTF-8", 0);
    assert_ptr_equal(get(saved, "LANG")->src, &src);
    diags_free(&d);
}

static void test_file_errors_all_reported(void **state)
{
    (void)state;
    _cleanup_free_ char *path = data_path("errors.yaml");
    struct source src = {.name = path, .is_file = true};
    struct diags d = {0};
    assert_null(load_file(path, &src, &d));
    assert_int_equal(d.n, 4);
    check_diag(&d, 0, path, 4, 3, "limits.memory", "duplicate key `memory` (first at line 3)");
    check_diag(&d, 1, path, 4, 11, "limits.memory", "tag `!!int` is not supported");
    check_diag(&d, 2, path, 5, 1, "name", "duplicate key `name` (first at line 1)");
    check_diag(&d, 3, path, 6, 1, "<<", "the merge key `<<` is not supported; use include");
    diags_free(&d);
}

static void test_file_billion_laughs(void **state)
{
    (void)state;
    _cleanup_free_ char *path = data_path("billion-laughs.yaml");
    struct source src = {.name = path, .is_file = true};
    struct diags d = {0};
    assert_null(load_file(path, &src, &d));
    assert_int_equal(d.n, 1);
    check_diag(&d, 0, path, 6, 8, "f[0]", "aliases expand beyond 100000 nodes");
    diags_free(&d);
}

static void test_file_syntax_error(void **state)
{
    (void)state;
    _cleanup_free_ char *path = data_path("syntax.yaml");
    struct source src = {.name = path, .is_file = true};
    struct diags d = {0};
    assert_null(load_file(path, &src, &d));
    assert_int_equal(d.n, 1);
    check_diag(&d, 0, path, 4, 2, NULL,
               "syntax error: did not find expected key (while parsing a block mapping)");
    diags_free(&d);
}

static void test_file_generated(void **state)
{
    (void)state;
    struct diags d = {0};
    static const char empty[] = "# nothing here\n";
    _cleanup_node_ struct node *root = load_tmp("empty.yaml", empty, strlen(empty), &d);
    assert_non_null(root);
    assert_int_equal(root->kind, NODE_MAP);
    assert_int_equal(root->n_items, 0);
    assert_int_equal(d.n, 0);

    _cleanup_free_ char *open = repeat("[", 2000);
    _cleanup_free_ char *flow = xasprintf("a: %s\n", open);
    assert_null(load_tmp("deep.yml", flow, strlen(flow), &d));
    assert_int_equal(d.n, 1);
    assert_int_equal(d.v[0].line, 1);
    assert_int_equal(d.v[0].col, 67);
    assert_non_null(strstr(d.v[0].file, "/deep.yml"));
    assert_string_equal(d.v[0].msg, "nesting deeper than 64 levels");
    diags_free(&d);
}

/* ---- --set values ---- */

static void test_value_scalars(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *size = value("512m", &d);
    check_scalar(size, "512m", 0);
    assert_int_equal(size->line, 0);
    assert_int_equal(size->col, 0);
    assert_null(size->parent);
    assert_null(size->key);
    assert_ptr_equal(size->src, &cli_src);

    _cleanup_node_ struct node *quoted = value("'quoted'", &d);
    check_scalar(quoted, "quoted", NODE_QUOTED);
    _cleanup_node_ struct node *empty = value("", &d);
    check_scalar(empty, "", NODE_NULL);
    assert_ptr_equal(empty->src, &cli_src);
    _cleanup_node_ struct node *tilde = value("~", &d);
    check_scalar(tilde, "~", NODE_NULL);
    _cleanup_node_ struct node *spaces = value("echo a, b # not this", &d);
    check_scalar(spaces, "echo a, b", 0);
    _cleanup_node_ struct node *str = value("!!str 5", &d);
    check_scalar(str, "5", NODE_QUOTED);
    _cleanup_node_ struct node *ddash = value("--rm", &d);
    check_scalar(ddash, "--rm", 0);
    assert_int_equal(d.n, 0);
    diags_free(&d);
}

static void test_value_collections(void **state)
{
    (void)state;
    struct diags d = {0};
    _cleanup_node_ struct node *list = value("[/a, /b]", &d);
    assert_non_null(list);
    assert_int_equal(list->kind, NODE_SEQ);
    assert_int_equal(list->n_items, 2);
    check_scalar(list->items[0], "/a", 0);
    check_scalar(list->items[1], "/b", 0);
    assert_int_equal(list->items[1]->line, 0);

    _cleanup_node_ struct node *map = value("{net: false, cgroup: true}", &d);
    assert_non_null(map);
    assert_int_equal(map->kind, NODE_MAP);
    assert_int_equal(map->n_items, 2);
    check_scalar(get(map, "net"), "false", 0);
    check_scalar(get(map, "cgroup"), "true", 0);
    assert_int_equal(get(map, "cgroup")->key_line, 0);

    _cleanup_node_ struct node *nested = value("[{type: tmpfs, target: /run}, [&x a, *x]]", &d);
    assert_non_null(nested);
    check_scalar(get(nested->items[0], "target"), "/run", 0);
    check_scalar(nested->items[1]->items[1], "a", 0);

    _cleanup_node_ struct node *none = value("[]", &d);
    assert_int_equal(none->kind, NODE_SEQ);
    assert_int_equal(none->n_items, 0);
    assert_int_equal(d.n, 0);
    diags_free(&d);
}

static void test_value_errors(void **state)
{
    (void)state;
    check_value_error("{a: 1, a: 2}", "a", "duplicate key `a`");
    check_value_error("{x: {a: 1, a: 2}}", "x.a", "duplicate key `a`");
    check_value_error("!!int 5", NULL, "tag `!!int` is not supported");
    check_value_error("[a, !foo b]", "[1]", "tag `!foo` is not supported");
    check_value_error("{<<: {a: 1}}", "<<", "the merge key `<<` is not supported");
    check_value_error("*nope", NULL, "undefined alias `*nope`");
    check_value_error("[/a, /b", NULL,
                      "syntax error: did not find expected ',' or ']' (while parsing a flow "
                      "sequence)");
    check_value_error("'open", NULL, "syntax error: found unexpected end of stream");
    check_value_error("a\n---\nb", NULL, "a value holds one YAML document");
    /* Block syntax in --set is almost always text that wanted quotes. */
    check_value_error("echo a: b", NULL, "expected a flow value: quote it, or write [a, b]");
    check_value_error("- a", NULL, "expected a flow value");
    check_value_error("|\n  x", NULL, "expected a flow value");

    _cleanup_free_ char *open = repeat("[", 2000);
    _cleanup_free_ char *index64 = repeat("[0]", 64);
    check_value_error(open, index64, "nesting deeper than 64 levels");

    /* Billion laughs fits on one command line, too. */
    struct strbuf sb = {0};
    strbuf_puts(&sb, "[&a [l, l, l, l, l, l, l, l, l]");
    for (char c = 'b'; c <= 'i'; c++)
        strbuf_printf(&sb, ", &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]", c, c - 1, c - 1,
                      c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
    strbuf_puts(&sb, "]");
    _cleanup_free_ char *laughs = strbuf_steal(&sb);
    check_value_error(laughs, "[5][0]", "aliases expand beyond 100000 nodes");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalar_styles),
        cmocka_unit_test(test_nulls),
        cmocka_unit_test(test_nested_positions),
        cmocka_unit_test(test_flow_style),
        cmocka_unit_test(test_bom_and_directives),
        cmocka_unit_test(test_empty_documents),
        cmocka_unit_test(test_root_not_a_map),
        cmocka_unit_test(test_second_document),
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_merge_key),
        cmocka_unit_test(test_non_scalar_keys),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_alias_redefined),
        cmocka_unit_test(test_alias_errors),
        cmocka_unit_test(test_billion_laughs),
        cmocka_unit_test(test_too_many_values),
        cmocka_unit_test(test_depth_limit_flow),
        cmocka_unit_test(test_deep_hostile_nesting),
        cmocka_unit_test(test_depth_through_alias),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_garbage_bytes),
        cmocka_unit_test(test_large_file),
        cmocka_unit_test(test_file_fixture),
        cmocka_unit_test(test_file_errors_all_reported),
        cmocka_unit_test(test_file_billion_laughs),
        cmocka_unit_test(test_file_syntax_error),
        cmocka_unit_test(test_file_generated),
        cmocka_unit_test(test_value_scalars),
        cmocka_unit_test(test_value_collections),
        cmocka_unit_test(test_value_errors),
    };
    return cmocka_run_group_tests(tests, setup_tmpdir, remove_tmpdir);
}
