/*
 * The JSON front-end: an OCI config.json (or any JSON document) into the
 * node tree the other formats produce.
 *
 * jansson parses: it is strict RFC 8259 (no comments, no trailing commas),
 * refuses a duplicate key and a \u0000 in a string when asked, and says
 * where a syntax error is. It keeps no position for a value that parsed,
 * so the nodes carry none: a JSON source's locations are JSON pointers
 * (node_path), as `config.json: /linux/resources/memory/limit: ...`.
 *
 * JSON's types survive as the loaders' flags: a string is a quoted scalar,
 * null a null scalar; a number or a boolean is a plain scalar holding its
 * text, so a reader that wants a number can tell "1024" from 1024.
 */
#include "load.h"

#include <inttypes.h>
#include <jansson.h>
#include <string.h>

#include "util/util.h"

struct build {
    const struct source *src;
    struct diags *d;
    size_t nodes;
    bool failed;
};

static struct node *convert(struct build *b, json_t *v, const struct node *parent, const char *key,
                            size_t index, int depth);

/* Where a value that is not yet a node would be: its parent's pointer and its key or index. */
static void error_at(struct build *b, const struct node *parent, const char *key, size_t index,
                     const char *msg)
{
    struct node *probe = node_new(NODE_SCALAR, b->src, 0, 0);
    probe->parent = (struct node *)parent;
    probe->key = key ? xstrdup(key) : NULL;
    probe->index = index;
    if (parent)
        diags_node(b->d, DIAG_ERROR, probe, "%s", msg);
    else
        diags_add(b->d, DIAG_ERROR, b->src->name, 0, 0, NULL, "%s", msg);
    probe->parent = NULL;
    node_free(probe);
    b->failed = true;
}

static struct node *scalar(struct build *b, json_t *v)
{
    char num[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        return node_new_scalar(b->src, 0, 0, json_string_value(v), json_string_length(v),
                               NODE_QUOTED);
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        snprintf(num, sizeof(num), "%.17g", json_real_value(v));
        break;
    case JSON_TRUE:
        return node_new_scalar(b->src, 0, 0, "true", 4, 0);
    case JSON_FALSE:
        return node_new_scalar(b->src, 0, 0, "false", 5, 0);
    default:
        return node_new_scalar(b->src, 0, 0, "", 0, NODE_NULL);
    }
    return node_new_scalar(b->src, 0, 0, num, strlen(num), 0);
}

static struct node *convert(struct build *b, json_t *v, const struct node *parent, const char *key,
                            size_t index, int depth)
{
    if (++b->nodes > LOAD_MAX_NODES) {
        if (b->nodes == LOAD_MAX_NODES + 1)
            error_at(b, parent, key, index, "more than 100000 values; is this the right file?");
        return NULL;
    }
    if (depth > LOAD_MAX_DEPTH && (json_is_object(v) || json_is_array(v))) {
        error_at(b, parent, key, index, "nested more than 64 levels deep");
        return NULL;
    }
    if (!json_is_object(v) && !json_is_array(v))
        return scalar(b, v);
    struct node *n = node_new(json_is_object(v) ? NODE_MAP : NODE_SEQ, b->src, 0, 0);
    if (parent) {
        /* Placed before its items are made, so that their errors know their pointers. */
        n->parent = (struct node *)parent;
        n->key = key ? xstrdup(key) : NULL;
        n->index = index;
    }
    if (json_is_object(v)) {
        const char *k;
        json_t *item;
        size_t i = 0;
        json_object_foreach(v, k, item)
        {
            struct node *c = convert(b, item, n, k, i++, depth + 1);
            if (!c)
                goto fail;
            node_map_append(n, k, 0, 0, c);
        }
    } else {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            struct node *c = convert(b, item, n, NULL, i, depth + 1);
            if (!c)
                goto fail;
            node_seq_append(n, c);
        }
    }
    n->parent = NULL;
    free(n->key);
    n->key = NULL;
    return n;
fail:
    n->parent = NULL;
    node_free(n);
    return NULL;
}

struct node *load_json(const char *buf, size_t len, const struct source *src, struct diags *d)
{
    json_error_t jerr;
    /* jansson refuses a \u0000 in a string unless told otherwise: a C string could not hold it. */
    json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        diags_add(d, DIAG_ERROR, src->name, jerr.line > 0 ? jerr.line : 0,
                  jerr.line > 0 ? jerr.column : 0, NULL, "not valid JSON: %s", jerr.text);
        return NULL;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        diags_add(d, DIAG_ERROR, src->name, 0, 0, NULL, "expected a JSON object at the top");
        return NULL;
    }
    struct build b = {.src = src, .d = d};
    struct node *root = convert(&b, doc, NULL, NULL, 0, 1);
    json_decref(doc);
    if (b.failed) {
        node_free(root);
        return NULL;
    }
    return root;
}
