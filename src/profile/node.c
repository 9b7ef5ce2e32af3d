#include "node.h"

#include <string.h>

#include "util/util.h"

struct node *node_new(enum node_kind kind, const struct source *src, int line, int col)
{
    struct node *n = xcalloc(1, sizeof(*n));
    n->kind = kind;
    n->src = src;
    n->line = line;
    n->col = col;
    return n;
}

struct node *node_new_scalar(const struct source *src, int line, int col, const char *text,
                             size_t len, unsigned flags)
{
    struct node *n = node_new(NODE_SCALAR, src, line, col);
    n->text = xstrndup(text, len);
    n->flags = flags;
    return n;
}

static void node_add(struct node *parent, struct node *child)
{
    /* Grow by doubling: a profile of many keys must not cost quadratic copies. */
    size_t n = parent->n_items;
    if ((n & (n - 1)) == 0)
        parent->items = xrealloc(parent->items, (n ? 2 * n : 1) * sizeof(*parent->items));
    child->parent = parent;
    child->index = parent->n_items;
    parent->items[parent->n_items++] = child;
}

void node_seq_append(struct node *seq, struct node *child) { node_add(seq, child); }

void node_map_append(struct node *map, const char *key, int key_line, int key_col,
                     struct node *child)
{
    free(child->key);
    child->key = xstrdup(key);
    child->key_line = key_line;
    child->key_col = key_col;
    node_add(map, child);
}

struct node *node_map_get(const struct node *map, const char *key)
{
    if (!map || map->kind != NODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n_items; i++)
        if (strcmp(map->items[i]->key, key) == 0)
            return map->items[i];
    return NULL;
}

struct node *node_copy(const struct node *n, size_t *budget)
{
    if (*budget == 0)
        return NULL;
    (*budget)--;
    struct node *c = node_new(n->kind, n->src, n->line, n->col);
    c->flags = n->flags;
    c->key_line = n->key_line;
    c->key_col = n->key_col;
    if (n->text)
        c->text = xstrdup(n->text);
    if (n->where)
        c->where = xstrdup(n->where);
    for (size_t i = 0; i < n->n_items; i++) {
        struct node *item = node_copy(n->items[i], budget);
        if (!item) {
            node_free(c);
            return NULL;
        }
        if (n->kind == NODE_MAP)
            node_map_append(c, n->items[i]->key, n->items[i]->key_line, n->items[i]->key_col,
                            item);
        else
            node_seq_append(c, item);
    }
    return c;
}

/* A key in a JSON pointer (RFC 6901): ~ as ~0, / as ~1. */
static void pointer_key(struct strbuf *sb, const char *key)
{
    for (const char *c = key; *c; c++) {
        if (*c == '~')
            strbuf_puts(sb, "~0");
        else if (*c == '/')
            strbuf_puts(sb, "~1");
        else
            strbuf_putc(sb, *c);
    }
}

static void path_build(const struct node *n, struct strbuf *sb)
{
    if (n->where) {
        strbuf_puts(sb, n->where);
        return;
    }
    if (!n->parent)
        return;
    path_build(n->parent, sb);
    if (n->src && n->src->json) {
        strbuf_putc(sb, '/');
        if (n->parent->kind == NODE_MAP)
            pointer_key(sb, n->key);
        else
            strbuf_printf(sb, "%zu", n->index);
    } else if (n->parent->kind == NODE_MAP) {
        if (sb->len)
            strbuf_putc(sb, '.');
        strbuf_puts(sb, n->key);
    } else {
        strbuf_printf(sb, "[%zu]", n->index);
    }
}

char *node_path(const struct node *n)
{
    struct strbuf sb = {0};
    path_build(n, &sb);
    return strbuf_steal(&sb);
}

size_t node_count(const struct node *n)
{
    size_t c = 1;
    for (size_t i = 0; i < n->n_items; i++)
        c += node_count(n->items[i]);
    return c;
}

void node_free(struct node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_items; i++)
        node_free(n->items[i]);
    free(n->items);
    free(n->key);
    free(n->text);
    free(n->where);
    free(n);
}
