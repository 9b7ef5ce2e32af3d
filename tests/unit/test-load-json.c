/* Unit tests for the JSON front-end (src/profile/load-json.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/load.h"
#include "util/util.h"

static const struct source json_src = {.name = "config.json", .is_file = true, .json = true};

static struct node *load(const char *text, struct diags *d)
{
    return load_json(text, strlen(text), &json_src, d);
}

/* A document that fails with one error, at line:col (0: none), about key, saying msg. */
static void check_one_error(const char *text, int line, int col, const char *key, const char *msg)
{
    struct diags d = {0};
    struct node *root = load(text, &d);
    assert_null(root);
    assert_int_equal(d.n, 1);
    const struct diag *g = &d.v[0];
    assert_string_equal(g->file, "config.json");
    if (g->line != line || g->col != col)
        fail_msg("`%s` is at %d:%d, expected %d:%d", g->msg, g->line, g->col, line, col);
    if (key)
        assert_string_equal(g->key ? g->key : "(none)", key);
    else
        assert_null(g->key);
    if (!strstr(g->msg, msg))
        fail_msg("message `%s` lacks `%s`", g->msg, msg);
    diags_free(&d);
}

static void test_types_and_order(void **state)
{
    (void)state;
    struct diags d = {0};
    struct node *root = load("{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"sh\", \"-c\"],"
                             " \"terminal\": false, \"user\": {\"uid\": 1000}},"
                             " \"n\": 1.5, \"z\": null, \"a\": \"1024\"}",
                             &d);
    assert_non_null(root);
    assert_int_equal(d.n, 0);
    assert_int_equal(root->kind, NODE_MAP);
    assert_int_equal(root->n_items, 5);
    /* The file's order, not a hash's. */
    assert_string_equal(root->items[0]->key, "ociVersion");
    assert_string_equal(root->items[4]->key, "a");
    const struct node *proc = node_map_get(root, "process");
    const struct node *args = node_map_get(proc, "args");
    assert_int_equal(args->kind, NODE_SEQ);
    assert_string_equal(args->items[1]->text, "-c");
    assert_true(args->items[1]->flags & NODE_QUOTED);
    const struct node *uid = node_map_get(node_map_get(proc, "user"), "uid");
    assert_string_equal(uid->text, "1000");
    assert_false(uid->flags & NODE_QUOTED);
    assert_true(node_map_get(root, "a")->flags & NODE_QUOTED);
    assert_string_equal(node_map_get(proc, "terminal")->text, "false");
    assert_string_equal(node_map_get(root, "n")->text, "1.5");
    assert_true(node_map_get(root, "z")->flags & NODE_NULL);
    char *path = node_path(uid);
    assert_string_equal(path, "/process/user/uid");
    free(path);
    path = node_path(args->items[1]);
    assert_string_equal(path, "/process/args/1");
    free(path);
    node_free(root);
}

static void test_pointer_escapes(void **state)
{
    (void)state;
    struct diags d = {0};
    struct node *root =
        load("{\"annotations\": {\"io.x/a~b\": \"v\"}}", &d);
    assert_non_null(root);
    char *path = node_path(node_map_get(root, "annotations")->items[0]);
    assert_string_equal(path, "/annotations/io.x~1a~0b");
    free(path);
    node_free(root);
}

static void test_errors(void **state)
{
    (void)state;
    check_one_error("{\"a\": 1,\n \"b\": }", 2, 7, NULL, "not valid JSON");
    check_one_error("{\"a\": 1, \"a\": 2}", 1, 12, NULL, "duplicate object key");
    check_one_error("{\"a\": \"x\\u0000y\"}", 1, 16, NULL, "\\u0000 is not allowed");
    check_one_error("[1, 2]", 0, 0, NULL, "expected a JSON object at the top");
    check_one_error("{\"a\": 1} {}", 1, 10, NULL, "end of file expected");
    check_one_error("", 1, 0, NULL, "not valid JSON");
}

static void test_depth(void **state)
{
    (void)state;
    struct strbuf sb = {0};
    strbuf_puts(&sb, "{\"a\": ");
    for (int i = 0; i < 70; i++)
        strbuf_puts(&sb, "[");
    for (int i = 0; i < 70; i++)
        strbuf_puts(&sb, "]");
    strbuf_puts(&sb, "}");
    /* The 64th level is the last one allowed: the array at /a/0/.../0 (63 indexes) is one too many. */
    struct strbuf key = {0};
    strbuf_puts(&key, "/a");
    for (int i = 0; i < 63; i++)
        strbuf_puts(&key, "/0");
    check_one_error(sb.buf, 0, 0, key.buf, "nested more than 64 levels deep");
    strbuf_free(&sb);
    strbuf_free(&key);
}

static void test_many_values(void **state)
{
    (void)state;
    struct strbuf sb = {0};
    strbuf_puts(&sb, "{\"a\": [");
    for (int i = 0; i < 100001; i++)
        strbuf_puts(&sb, i ? ",0" : "0");
    strbuf_puts(&sb, "]}");
    /* The root and the array are two of the 100000: the 99999th item is the first too many. */
    check_one_error(sb.buf, 0, 0, "/a/99998", "more than 100000 values");
    strbuf_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_and_order), cmocka_unit_test(test_pointer_escapes),
        cmocka_unit_test(test_errors),          cmocka_unit_test(test_depth),
        cmocka_unit_test(test_many_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
