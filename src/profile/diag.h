/*
 * Profile diagnostics: every error found while loading a stack of profile
 * files is collected here and printed once, as
 *   FILE:LINE[:COL]: error: KEY: MESSAGE
 *     included from FILE:LINE
 */
#pragma once

#include <stdarg.h>
#include <stdio.h>

struct node;

enum diag_level {
    DIAG_ERROR,
    DIAG_NOTE,
};

struct diag_frame {
    char *file;
    int line;
};

struct diag {
    enum diag_level level;
    char *file; /* NULL: not located in a file */
    int line, col;
    char *key; /* dotted path, or NULL */
    char *msg;
    struct diag_frame *chain; /* innermost first */
    size_t n_chain;
};

struct diags {
    struct diag *v;
    size_t n, cap;
    size_t n_errors;
    size_t n_dropped;           /* beyond DIAGS_MAX */
    struct diag_frame *ctx;     /* current include chain, outermost first */
    size_t n_ctx;
};

#define DIAGS_MAX 200

void diags_add(struct diags *d, enum diag_level level, const char *file, int line, int col,
               const char *key, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
void diags_vadd(struct diags *d, enum diag_level level, const char *file, int line, int col,
                const char *key, const char *fmt, va_list ap)
    __attribute__((format(printf, 7, 0)));
/* Located at the node's value; KEY is the node's path. */
void diags_node(struct diags *d, enum diag_level level, const struct node *at, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));
/* Located at the node's key (for unknown and duplicate keys). */
void diags_key(struct diags *d, enum diag_level level, const struct node *at, const char *fmt,
               ...) __attribute__((format(printf, 4, 5)));

/* Errors recorded while a frame is pushed carry "included from FILE:LINE". */
void diags_push_include(struct diags *d, const char *file, int line);
void diags_pop_include(struct diags *d);

void diags_print(const struct diags *d, FILE *out);
void diags_free(struct diags *d);
