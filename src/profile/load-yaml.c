/*
 * YAML front-end: libyaml's event stream to a profile node tree.
 *
 * We read events rather than calling yaml_parser_load() because the caps have
 * to bite while the input is read: a hostile file must fail at the first level
 * past LOAD_MAX_DEPTH and at the first node past LOAD_MAX_NODES, not after
 * libyaml has built the whole document. Events also give us what the document
 * API hides: duplicate keys (libyaml accepts them silently), the `<<` merge key
 * as written, and each key's own position.
 *
 * Every node is attached to its parent as soon as it is made, before its
 * children are read, so that any error found inside it can name its full
 * path; an error about a value not yet made uses child_path() for the same.
 */
#include "load.h"

#include <stdint.h>
#include <string.h>
#include <yaml.h>

#include "util/util.h"

#define CORE_TAG_PREFIX "tag:yaml.org,2002:"

/* A string-keyed hash table: anchors (owner NULL) and the keys of each map. */
struct slot {
    const void *owner;
    char *name;
    struct node *node;
};

struct table {
    struct slot *v;
    size_t cap, n; /* cap is 0 or a power of two */
};

static size_t table_hash(const void *owner, const char *name)
{
    /* FNV-1a over the owner's address, then the name. */
    uint64_t h = 14695981039346656037u;
    uintptr_t o = (uintptr_t)owner;
    for (size_t i = 0; i < sizeof(o); i++) {
        h ^= (o >> (8 * i)) & 0xff;
        h *= 1099511628211u;
    }
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 1099511628211u;
    }
    return (size_t)h;
}

/* The slot holding (owner, name), or the empty slot where it would go. */
static struct slot *table_find(const struct table *t, const void *owner, const char *name)
{
    size_t mask = t->cap - 1;
    for (size_t i = table_hash(owner, name) & mask;; i = (i + 1) & mask) {
        struct slot *s = &t->v[i];
        if (!s->name || (s->owner == owner && strcmp(s->name, name) == 0))
            return s;
    }
}

static struct node *table_get(const struct table *t, const void *owner, const char *name)
{
    return t->cap ? table_find(t, owner, name)->node : NULL;
}

/* Adds or replaces: YAML lets a later anchor of the same name shadow an earlier one. */
static void table_put(struct table *t, const void *owner, const char *name, struct node *node)
{
    if (2 * (t->n + 1) > t->cap) {
        struct table bigger = {.cap = t->cap ? 2 * t->cap : 64, .n = t->n};
        bigger.v = xcalloc(bigger.cap, sizeof(*bigger.v));
        for (size_t i = 0; i < t->cap; i++)
            if (t->v[i].name)
                *table_find(&bigger, t->v[i].owner, t->v[i].name) = t->v[i];
        free(t->v);
        *t = bigger;
    }
    struct slot *s = table_find(t, owner, name);
    if (!s->name) {
        s->owner = owner;
        s->name = xstrdup(name);
        t->n++;
    }
    s->node = node;
}

static void table_free(struct table *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->v[i].name);
    free(t->v);
    memset(t, 0, sizeof(*t));
}

struct builder {
    yaml_parser_t parser;
    bool parser_ready;
    const char *buf; /* for positions of libyaml's reader errors */
    size_t len;
    const struct source *src;
    struct diags *d;
    /* A --set value: positions are meaningless there, every node is at 0:0. */
    bool value_mode;
    size_t budget; /* nodes still allowed, aliases expanded */
    bool expanded; /* an alias was expanded: a spent budget means billion laughs */
    struct table anchors;
    struct table keys;
    /* Anchored keys: aliases may refer to them, but they have no place in the tree. */
    struct node **loose;
    size_t n_loose, cap_loose;
    bool failed;  /* an error was recorded: the tree is not returned */
    bool stopped; /* a syntax error or a cap: read no further */
};

static void builder_done(struct builder *b)
{
    if (b->parser_ready)
        yaml_parser_delete(&b->parser);
    table_free(&b->anchors);
    table_free(&b->keys);
    for (size_t i = 0; i < b->n_loose; i++)
        node_free(b->loose[i]);
    free(b->loose);
}

static void event_deletep(yaml_event_t *ev)
{
    yaml_event_delete(ev);
}
#define _cleanup_event_ _cleanup_(event_deletep)

struct map_key {
    const char *text;
    int line, col;
};

static void mark_pos(const struct builder *b, yaml_mark_t m, int *line, int *col)
{
    if (b->value_mode) {
        *line = *col = 0;
        return;
    }
    /* libyaml counts from 0 (columns in characters); messages count from 1. */
    *line = (int)m.line + 1;
    *col = (int)m.column + 1;
}

/*
 * The path a node will have once attached under parent: under key in a map,
 * or at the next index of a sequence. With a map and no key, the map's own path.
 */
static char *child_path(const struct node *parent, const char *key)
{
    if (!parent)
        return xstrdup("");
    _cleanup_free_ char *base = node_path(parent);
    if (parent->kind == NODE_SEQ)
        return xasprintf("%s[%zu]", base, parent->n_items);
    if (!key)
        return steal_pointer(&base);
    return *base ? xasprintf("%s.%s", base, key) : xstrdup(key);
}

/* An error about a node that is not (or not yet) in the tree; see child_path(). */
static void error_at(struct builder *b, const struct node *parent, const char *key, int line,
                     int col, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void error_at(struct builder *b, const struct node *parent, const char *key, int line,
                     int col, const char *fmt, ...)
{
    _cleanup_free_ char *path = child_path(parent, key);
    va_list ap;
    va_start(ap, fmt);
    diags_vadd(b->d, DIAG_ERROR, b->src->name, line, col, path, fmt, ap);
    va_end(ap);
    b->failed = true;
}

/* Reader errors carry a byte offset rather than a mark; count characters as marks do. */
static void offset_pos(const struct builder *b, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < b->len; i++) {
        unsigned char c = (unsigned char)b->buf[i];
        if (c == '\n') {
            (*line)++;
            *col = 1;
        } else if ((c & 0xc0) != 0x80) {
            (*col)++;
        }
    }
}

static void syntax_error(struct builder *b)
{
    const yaml_parser_t *p = &b->parser;
    int line = 0, col = 0;
    if (p->error == YAML_READER_ERROR && !b->value_mode)
        offset_pos(b, p->problem_offset, &line, &col);
    else
        mark_pos(b, p->problem_mark, &line, &col);
    const char *problem = p->problem ? p->problem : "cannot parse";
    if (p->context)
        diags_add(b->d, DIAG_ERROR, b->src->name, line, col, NULL, "syntax error: %s (%s)", problem,
                  p->context);
    else
        diags_add(b->d, DIAG_ERROR, b->src->name, line, col, NULL, "syntax error: %s", problem);
    b->failed = true;
    b->stopped = true;
}

/* False after a syntax error, which ends the file. */
static bool next_event(struct builder *b, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&b->parser, ev)) {
        syntax_error(b);
        return false;
    }
    /*
     * Past the end of the stream libyaml answers every call with an empty
     * event; stopping here means no loop can spin on it.
     */
    if (ev->type == YAML_NO_EVENT) {
        diags_add(b->d, DIAG_ERROR, b->src->name, 0, 0, NULL, "unexpected end of YAML events");
        b->failed = true;
        b->stopped = true;
        return false;
    }
    return true;
}

/* Every node made, aliases expanded, costs one; false (and stopped) when none is left. */
static bool spend(struct builder *b, const struct node *parent, const char *key, int line, int col)
{
    if (b->budget > 0) {
        b->budget--;
        return true;
    }
    if (b->expanded)
        error_at(b, parent, key, line, col, "aliases expand beyond %d nodes (billion laughs?)",
                 LOAD_MAX_NODES);
    else
        error_at(b, parent, key, line, col, "more than %d values in one profile", LOAD_MAX_NODES);
    b->stopped = true;
    return false;
}

static void attach(struct node *parent, const struct map_key *k, struct node *n)
{
    if (!parent)
        return;
    if (parent->kind == NODE_MAP)
        node_map_append(parent, k->text, k->line, k->col, n);
    else
        node_seq_append(parent, n);
}

static void add_anchor(struct builder *b, const yaml_char_t *anchor, struct node *n)
{
    if (anchor)
        table_put(&b->anchors, NULL, (const char *)anchor, n);
}

static bool is_str_tag(const yaml_char_t *tag)
{
    return tag && strcmp((const char *)tag, CORE_TAG_PREFIX "str") == 0;
}

/* Shows a core tag the way it is usually written: `!!int`, not its full URI. */
static void tag_error(struct builder *b, const struct node *parent, const char *key, int line,
                      int col, const yaml_char_t *tag)
{
    const char *t = (const char *)tag;
    size_t n = strlen(CORE_TAG_PREFIX);
    bool core = strncmp(t, CORE_TAG_PREFIX, n) == 0;
    error_at(b, parent, key, line, col, "tag `%s%s` is not supported; profiles use plain values",
             core ? "!!" : "", core ? t + n : t);
}

static unsigned scalar_flags(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || is_str_tag(ev->data.scalar.tag))
        return NODE_QUOTED;
    if (!ev->data.scalar.tag && (!*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
                                 strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0))
        return NODE_NULL;
    return 0;
}

/* Levels of sequences and maps in n; a scalar has none. */
static int node_height(const struct node *n)
{
    if (n->kind == NODE_SCALAR)
        return 0;
    int h = 0;
    for (size_t i = 0; i < n->n_items; i++) {
        int c = node_height(n->items[i]);
        if (c > h)
            h = c;
    }
    return h + 1;
}

/* An anchored node still being read is an ancestor of where the alias sits. */
static bool is_open(const struct node *target, const struct node *parent)
{
    for (const struct node *p = parent; p; p = p->parent)
        if (p == target)
            return true;
    return false;
}

/* Reads past the node that ev starts, building nothing. */
static void skip_node(struct builder *b, const yaml_event_t *ev)
{
    if (ev->type != YAML_SEQUENCE_START_EVENT && ev->type != YAML_MAPPING_START_EVENT)
        return;
    for (size_t open = 1; open;) {
        _cleanup_event_ yaml_event_t e = {0};
        if (!next_event(b, &e))
            return;
        if (e.type == YAML_SEQUENCE_START_EVENT || e.type == YAML_MAPPING_START_EVENT)
            open++;
        else if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT)
            open--;
    }
}

static struct node *build(struct builder *b, yaml_event_t *ev, struct node *parent,
                          const struct map_key *k, int depth);

static struct node *build_scalar(struct builder *b, yaml_event_t *ev, struct node *parent,
                                 const struct map_key *k, int line, int col)
{
    const char *key = k ? k->text : NULL;
    if (!spend(b, parent, key, line, col))
        return NULL;
    const yaml_char_t *tag = ev->data.scalar.tag;
    if (tag && !is_str_tag(tag))
        tag_error(b, parent, key, line, col, tag);
    const char *v = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    /* A "\0" escape would cut the text short where C code reads it. */
    if (memchr(v, '\0', len))
        error_at(b, parent, key, line, col, "a NUL character (`\\0`) is not allowed");
    struct node *n = node_new_scalar(b->src, line, col, v, len, scalar_flags(ev));
    attach(parent, k, n);
    add_anchor(b, ev->data.scalar.anchor, n);
    return n;
}

static struct node *build_alias(struct builder *b, yaml_event_t *ev, struct node *parent,
                                const struct map_key *k, int depth, int line, int col)
{
    const char *key = k ? k->text : NULL;
    const char *name = (const char *)ev->data.alias.anchor;
    struct node *target = table_get(&b->anchors, NULL, name);
    if (!target || is_open(target, parent)) {
        if (!target)
            error_at(b, parent, key, line, col, "undefined alias `*%s`", name);
        else
            error_at(b, parent, key, line, col, "alias `*%s` refers to a node that contains it",
                     name);
        /* A stand-in keeps the indexes of later siblings right in further messages. */
        if (!spend(b, parent, key, line, col))
            return NULL;
        struct node *n = node_new_scalar(b->src, line, col, "", 0, NODE_NULL);
        attach(parent, k, n);
        return n;
    }
    /*
     * Checked before copying: a copy placed deeper than its anchor could nest
     * past the cap, and every later copy of it deeper still.
     */
    if (depth + node_height(target) > LOAD_MAX_DEPTH) {
        error_at(b, parent, key, line, col, "nesting deeper than %d levels", LOAD_MAX_DEPTH);
        b->stopped = true;
        return NULL;
    }
    b->expanded = true;
    struct node *n = node_copy(target, &b->budget);
    if (!n) {
        spend(b, parent, key, line, col);
        return NULL;
    }
    /* The value is used here, so messages about it point here. */
    n->line = line;
    n->col = col;
    n->key_line = n->key_col = 0;
    attach(parent, k, n);
    return n;
}

/* Reads a map key; false (after an error, the key's events consumed) if unusable. */
static bool read_key(struct builder *b, yaml_event_t *ev, struct node *map, char **text,
                     struct map_key *k, bool *merge)
{
    mark_pos(b, ev->start_mark, &k->line, &k->col);
    *merge = false;
    if (ev->type == YAML_ALIAS_EVENT) {
        const char *name = (const char *)ev->data.alias.anchor;
        const struct node *target = table_get(&b->anchors, NULL, name);
        if (!target) {
            error_at(b, map, NULL, k->line, k->col, "undefined alias `*%s`", name);
            return false;
        }
        if (target->kind != NODE_SCALAR) {
            error_at(b, map, NULL, k->line, k->col, "a map key must be a scalar");
            return false;
        }
        *text = xstrdup(target->text);
        return true;
    }
    if (ev->type != YAML_SCALAR_EVENT) {
        error_at(b, map, NULL, k->line, k->col, "a map key must be a scalar");
        skip_node(b, ev);
        return false;
    }
    const char *v = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    if (memchr(v, '\0', len)) {
        error_at(b, map, NULL, k->line, k->col, "a NUL character (`\\0`) is not allowed");
        return false;
    }
    const yaml_char_t *tag = ev->data.scalar.tag;
    if (tag && !is_str_tag(tag))
        tag_error(b, map, NULL, k->line, k->col, tag);
    *merge = !tag && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && strcmp(v, "<<") == 0;
    *text = xstrndup(v, len);
    if (ev->data.scalar.anchor) {
        if (!spend(b, map, NULL, k->line, k->col))
            return false;
        if (b->n_loose == b->cap_loose) {
            b->cap_loose = b->cap_loose ? 2 * b->cap_loose : 8;
            b->loose = xrealloc(b->loose, b->cap_loose * sizeof(*b->loose));
        }
        struct node *n = node_new_scalar(b->src, k->line, k->col, v, len, scalar_flags(ev));
        b->loose[b->n_loose++] = n;
        add_anchor(b, ev->data.scalar.anchor, n);
    }
    return true;
}

static void fill_map(struct builder *b, struct node *map, int depth)
{
    for (;;) {
        _cleanup_event_ yaml_event_t kev = {0};
        if (!next_event(b, &kev) || kev.type == YAML_MAPPING_END_EVENT)
            return;
        _cleanup_free_ char *text = NULL;
        struct map_key k = {0};
        bool merge;
        bool usable = read_key(b, &kev, map, &text, &k, &merge);
        if (b->stopped)
            return;
        _cleanup_event_ yaml_event_t vev = {0};
        if (!next_event(b, &vev))
            return;
        if (!usable) {
            skip_node(b, &vev);
            if (b->stopped)
                return;
            continue;
        }
        k.text = text;
        const struct node *first = table_get(&b->keys, map, text);
        if (merge)
            error_at(b, map, text, k.line, k.col,
                     "the merge key `<<` is not supported; use include");
        else if (first && b->value_mode)
            error_at(b, map, text, k.line, k.col, "duplicate key `%s`", text);
        else if (first)
            error_at(b, map, text, k.line, k.col, "duplicate key `%s` (first at line %d)", text,
                     first->key_line);
        /* Built even after a key error: errors inside it are worth reporting too. */
        struct node *n = build(b, &vev, map, &k, depth);
        if (b->stopped)
            return;
        if (n && !first)
            table_put(&b->keys, map, text, n);
    }
}

static void fill_seq(struct builder *b, struct node *seq, int depth)
{
    for (;;) {
        _cleanup_event_ yaml_event_t ev = {0};
        if (!next_event(b, &ev) || ev.type == YAML_SEQUENCE_END_EVENT)
            return;
        build(b, &ev, seq, NULL, depth);
        if (b->stopped)
            return;
    }
}

static struct node *build_collection(struct builder *b, yaml_event_t *ev, struct node *parent,
                                     const struct map_key *k, int depth, int line, int col)
{
    const char *key = k ? k->text : NULL;
    bool is_map = ev->type == YAML_MAPPING_START_EVENT;
    /* libyaml nests without limit; stop before building the level past ours. */
    if (depth + 1 > LOAD_MAX_DEPTH) {
        error_at(b, parent, key, line, col, "nesting deeper than %d levels", LOAD_MAX_DEPTH);
        b->stopped = true;
        return NULL;
    }
    if (!spend(b, parent, key, line, col))
        return NULL;
    const yaml_char_t *tag = is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
    if (tag)
        tag_error(b, parent, key, line, col, tag);
    struct node *n = node_new(is_map ? NODE_MAP : NODE_SEQ, b->src, line, col);
    attach(parent, k, n);
    /* Before the children, so that an alias inside can be told to be recursive. */
    add_anchor(b, is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor, n);
    if (is_map)
        fill_map(b, n, depth + 1);
    else
        fill_seq(b, n, depth + 1);
    return n;
}

/*
 * Builds the node that ev starts, attached under parent (at key k in a map).
 * Returns it, or NULL if nothing was built; the caller checks b->stopped. A
 * root (no parent) is the caller's to free, even when stopped.
 */
static struct node *build(struct builder *b, yaml_event_t *ev, struct node *parent,
                          const struct map_key *k, int depth)
{
    int line, col;
    mark_pos(b, ev->start_mark, &line, &col);
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        return build_scalar(b, ev, parent, k, line, col);
    case YAML_ALIAS_EVENT:
        return build_alias(b, ev, parent, k, depth, line, col);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        return build_collection(b, ev, parent, k, depth, line, col);
    default:
        /* libyaml's grammar puts a node here; never trust that with a loop. */
        error_at(b, parent, k ? k->text : NULL, line, col, "unexpected YAML event");
        b->stopped = true;
        return NULL;
    }
}

/* A profile is a map; an empty document (a plain null) is read as an empty one. */
static bool check_profile_root(struct builder *b, const yaml_event_t *ev)
{
    if (ev->type == YAML_MAPPING_START_EVENT ||
        (ev->type == YAML_SCALAR_EVENT && scalar_flags(ev) == NODE_NULL))
        return true;
    int line, col;
    mark_pos(b, ev->start_mark, &line, &col);
    diags_add(b->d, DIAG_ERROR, b->src->name, line, col, NULL,
              "a profile must be a mapping of keys");
    b->failed = true;
    return false;
}

/*
 * --set takes a flow value; block syntax there is almost always an unquoted
 * `: ` or `- ` the user meant as text.
 */
static bool check_value_root(struct builder *b, const yaml_event_t *ev)
{
    bool block =
        (ev->type == YAML_MAPPING_START_EVENT &&
         ev->data.mapping_start.style == YAML_BLOCK_MAPPING_STYLE) ||
        (ev->type == YAML_SEQUENCE_START_EVENT &&
         ev->data.sequence_start.style == YAML_BLOCK_SEQUENCE_STYLE) ||
        (ev->type == YAML_SCALAR_EVENT && (ev->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
                                           ev->data.scalar.style == YAML_FOLDED_SCALAR_STYLE));
    if (!block)
        return true;
    diags_add(b->d, DIAG_ERROR, b->src->name, 0, 0, NULL,
              "expected a flow value: quote it, or write [a, b] or {key: value}");
    b->failed = true;
    return false;
}

/*
 * Parses one document. Returns its root; a null scalar when the stream holds
 * no document at all; NULL after any error.
 */
static struct node *parse(struct builder *b, const char *buf, size_t len)
{
    if (!yaml_parser_initialize(&b->parser)) {
        diags_add(b->d, DIAG_ERROR, b->src->name, 0, 0, NULL, "cannot set up the YAML parser");
        return NULL;
    }
    b->parser_ready = true;
    /*
     * Profiles are UTF-8: no guessing UTF-16 from the first bytes. With the
     * encoding fixed, libyaml reads a BOM as a character, which would push a
     * `%YAML` directive off column 1, so it goes here.
     */
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        buf += 3;
        len -= 3;
    }
    b->buf = buf;
    b->len = len;
    b->budget = LOAD_MAX_NODES;
    yaml_parser_set_input_string(&b->parser, (const unsigned char *)buf, len);
    yaml_parser_set_encoding(&b->parser, YAML_UTF8_ENCODING);

    _cleanup_event_ yaml_event_t stream = {0};
    _cleanup_event_ yaml_event_t doc = {0};
    if (!next_event(b, &stream) || !next_event(b, &doc))
        return NULL;
    if (doc.type != YAML_DOCUMENT_START_EVENT)
        return node_new_scalar(b->src, b->value_mode ? 0 : 1, b->value_mode ? 0 : 1, "", 0,
                               NODE_NULL);

    _cleanup_event_ yaml_event_t ev = {0};
    if (!next_event(b, &ev))
        return NULL;
    if (!(b->value_mode ? check_value_root(b, &ev) : check_profile_root(b, &ev)))
        return NULL;
    _cleanup_node_ struct node *root = build(b, &ev, NULL, NULL, 0);
    if (b->stopped)
        return NULL;

    /* Read on to the end of the stream: a syntax error there still counts. */
    _cleanup_event_ yaml_event_t doc_end = {0};
    _cleanup_event_ yaml_event_t more = {0};
    if (!next_event(b, &doc_end) || !next_event(b, &more))
        return NULL;
    if (more.type == YAML_DOCUMENT_START_EVENT) {
        int line, col;
        mark_pos(b, more.start_mark, &line, &col);
        diags_add(b->d, DIAG_ERROR, b->src->name, line, col, NULL,
                  b->value_mode ? "a value holds one YAML document"
                                : "a profile holds one YAML document");
        return NULL;
    }
    if (b->failed)
        return NULL;
    return steal_pointer(&root);
}

struct node *load_yaml(const char *buf, size_t len, const struct source *src, struct diags *d)
{
    _cleanup_(builder_done) struct builder b = {.src = src, .d = d};
    _cleanup_node_ struct node *root = parse(&b, buf, len);
    if (!root)
        return NULL;
    if (root->kind == NODE_SCALAR)
        return node_new(NODE_MAP, src, 1, 1);
    return steal_pointer(&root);
}

struct node *load_yaml_value(const char *text, const struct source *src, struct diags *d)
{
    _cleanup_(builder_done) struct builder b = {.src = src, .d = d, .value_mode = true};
    return parse(&b, text, strlen(text));
}
