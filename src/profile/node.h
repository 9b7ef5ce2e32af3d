/*
 * The format-blind profile tree. Every front-end (YAML, libconfig, the
 * positional command line, --set) produces these nodes; nothing after the
 * loaders knows which format a value came from, except through its source
 * for messages and relative paths.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Where a tree came from. Owned by whoever loads; outlives its nodes. */
struct source {
    char *name; /* as shown in messages: a path, or "<command line>" */
    char *dir;  /* absolute, symlinks resolved: base of relative paths */
    bool is_file; /* files get ${NAME} interpolation; the command line not */
    bool json;    /* locations are JSON pointers (/linux/resources/memory/limit), not lines */
    dev_t dev;
    ino_t ino;
};

enum node_kind {
    NODE_SCALAR,
    NODE_SEQ,
    NODE_MAP,
};

/* Scalar flags. */
enum {
    /* A YAML quoted or !!str scalar, or a libconfig string: never a null. */
    NODE_QUOTED = 1u << 0,
    /* A YAML plain empty value, `~` or `null`. */
    NODE_NULL = 1u << 1,
    /* Already reported (a failed ${NAME}): later stages skip it quietly. */
    NODE_REPORTED = 1u << 2,
};

struct node {
    enum node_kind kind;
    unsigned flags;
    const struct source *src;
    int line, col; /* 1-based; col 0 when the format has no columns */
    struct node *parent;
    char *key;             /* key in the parent map, else NULL */
    int key_line, key_col; /* where that key was written */
    size_t index;          /* position in the parent sequence or map */
    char *text;            /* scalars: the value as written (NUL-free) */
    char *where;           /* set by a translation: the location of the value it came from */
    struct node **items;   /* sequences and maps: children in order */
    size_t n_items;
};

struct node *node_new(enum node_kind kind, const struct source *src, int line, int col);
struct node *node_new_scalar(const struct source *src, int line, int col, const char *text,
                             size_t len, unsigned flags);
/* Append to a sequence. Takes child. */
void node_seq_append(struct node *seq, struct node *child);
/* Append to a map under key (no duplicate check: loaders do that). Takes child. */
void node_map_append(struct node *map, const char *key, int key_line, int key_col,
                     struct node *child);
struct node *node_map_get(const struct node *map, const char *key);
/* Deep copy, counting nodes against *budget; NULL once the budget is spent. */
struct node *node_copy(const struct node *n, size_t *budget);
/*
 * "mounts[2].source", or in a tree from a JSON source the JSON pointer
 * "/mounts/2/source"; "" for the root; `where` when a node has one. Caller
 * frees.
 */
char *node_path(const struct node *n);
size_t node_count(const struct node *n);
void node_free(struct node *n);
static inline void cleanup_node_freep(struct node **n) { node_free(*n); }
#define _cleanup_node_ __attribute__((cleanup(cleanup_node_freep)))
