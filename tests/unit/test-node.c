/* The node tree every front-end builds: paths for messages, copies for aliases. */
#include "helpers.h"

#include <string.h>

#include "profile/node.h"
#include "util/util.h"

static const struct source src = {.name = "t.yaml", .dir = "/", .is_file = true};

static struct node *scalar(const char *text)
{
    return node_new_scalar(&src, 1, 1, text, strlen(text), 0);
}

/* root: {mounts: [{source: /a}], limits: {memory: 1g}} */
static struct node *sample(void)
{
    struct node *root = node_new(NODE_MAP, &src, 1, 1);
    struct node *mounts = node_new(NODE_SEQ, &src, 2, 1);
    struct node *m0 = node_new(NODE_MAP, &src, 3, 5);
    node_map_append(m0, "source", 3, 5, scalar("/a"));
    node_seq_append(mounts, scalar("/x:/y"));
    node_seq_append(mounts, m0);
    node_map_append(root, "mounts", 2, 1, mounts);
    struct node *limits = node_new(NODE_MAP, &src, 4, 1);
    node_map_append(limits, "memory", 5, 3, scalar("1g"));
    node_map_append(root, "limits", 4, 1, limits);
    return root;
}

static void test_node_paths(void **state)
{
    (void)state;
    _cleanup_node_ struct node *root = sample();
    struct node *m = node_map_get(node_map_get(root, "mounts"), "x");
    assert_null(m);
    struct node *src_node = node_map_get(node_map_get(root, "mounts")->items[1], "source");
    _cleanup_free_ char *p1 = node_path(src_node);
    assert_string_equal(p1, "mounts[1].source");
    _cleanup_free_ char *p2 = node_path(node_map_get(node_map_get(root, "limits"), "memory"));
    assert_string_equal(p2, "limits.memory");
    _cleanup_free_ char *p3 = node_path(root);
    assert_string_equal(p3, "");
    assert_int_equal(node_count(root), 7);
}

static void test_node_many_children(void **state)
{
    (void)state;
    _cleanup_node_ struct node *seq = node_new(NODE_SEQ, &src, 1, 1);
    for (int i = 0; i < 1000; i++)
        node_seq_append(seq, scalar("x"));
    assert_int_equal(seq->n_items, 1000);
    assert_int_equal(seq->items[999]->index, 999);
    assert_ptr_equal(seq->items[500]->parent, seq);
}

static void test_node_copy_budget(void **state)
{
    (void)state;
    _cleanup_node_ struct node *root = sample();
    size_t budget = 7;
    _cleanup_node_ struct node *copy = node_copy(root, &budget);
    assert_non_null(copy);
    assert_int_equal(budget, 0);
    _cleanup_free_ char *p = node_path(node_map_get(node_map_get(copy, "limits"), "memory"));
    assert_string_equal(p, "limits.memory");
    assert_string_equal(node_map_get(node_map_get(copy, "limits"), "memory")->text, "1g");
    /* One node short: nothing is returned, and nothing leaks. */
    budget = 6;
    assert_null(node_copy(root, &budget));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_node_paths),
        cmocka_unit_test(test_node_many_children),
        cmocka_unit_test(test_node_copy_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
