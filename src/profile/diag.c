#include "diag.h"

#include <string.h>

#include "node.h"
#include "util/util.h"

void diags_vadd(struct diags *d, enum diag_level level, const char *file, int line, int col,
                const char *key, const char *fmt, va_list ap)
{
    if (level == DIAG_ERROR)
        d->n_errors++;
    if (d->n >= DIAGS_MAX) {
        d->n_dropped++;
        return;
    }
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 16;
        d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
    }
    struct diag *g = &d->v[d->n++];
    memset(g, 0, sizeof(*g));
    g->level = level;
    g->file = file ? xstrdup(file) : NULL;
    g->line = line;
    g->col = col;
    g->key = key && *key ? xstrdup(key) : NULL;
    g->msg = xvasprintf(fmt, ap);
    if (d->n_ctx) {
        g->chain = xcalloc(d->n_ctx, sizeof(*g->chain));
        for (size_t i = 0; i < d->n_ctx; i++) {
            g->chain[i].file = xstrdup(d->ctx[d->n_ctx - 1 - i].file);
            g->chain[i].line = d->ctx[d->n_ctx - 1 - i].line;
        }
        g->n_chain = d->n_ctx;
    }
}

void diags_add(struct diags *d, enum diag_level level, const char *file, int line, int col,
               const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diags_vadd(d, level, file, line, col, key, fmt, ap);
    va_end(ap);
}

void diags_node(struct diags *d, enum diag_level level, const struct node *at, const char *fmt,
                ...)
{
    _cleanup_free_ char *key = node_path(at);
    va_list ap;
    va_start(ap, fmt);
    diags_vadd(d, level, at->src ? at->src->name : NULL, at->line, at->col, key, fmt, ap);
    va_end(ap);
}

void diags_key(struct diags *d, enum diag_level level, const struct node *at, const char *fmt,
               ...)
{
    _cleanup_free_ char *key = node_path(at);
    int line = at->key_line ? at->key_line : at->line;
    int col = at->key_line ? at->key_col : at->col;
    va_list ap;
    va_start(ap, fmt);
    diags_vadd(d, level, at->src ? at->src->name : NULL, line, col, key, fmt, ap);
    va_end(ap);
}

void diags_push_include(struct diags *d, const char *file, int line)
{
    d->ctx = xrealloc(d->ctx, (d->n_ctx + 1) * sizeof(*d->ctx));
    d->ctx[d->n_ctx].file = xstrdup(file);
    d->ctx[d->n_ctx].line = line;
    d->n_ctx++;
}

void diags_pop_include(struct diags *d)
{
    if (d->n_ctx)
        free(d->ctx[--d->n_ctx].file);
}

void diags_print(const struct diags *d, FILE *out)
{
    for (size_t i = 0; i < d->n; i++) {
        const struct diag *g = &d->v[i];
        const char *level = g->level == DIAG_ERROR ? "error" : "note";
        /* Not located in a file: a message of congo-launch's own, as the engine's are. */
        if (!g->file) {
            fprintf(out, "congo-launch: %s%s%s\n", g->key ? g->key : "", g->key ? ": " : "",
                    g->msg);
            continue;
        }
        if (g->line <= 0)
            fputs(g->file, out);
        else if (g->col <= 0)
            fprintf(out, "%s:%d", g->file, g->line);
        else
            fprintf(out, "%s:%d:%d", g->file, g->line, g->col);
        fprintf(out, ": %s: ", level);
        if (g->key)
            fprintf(out, "%s: ", g->key);
        fprintf(out, "%s\n", g->msg);
        for (size_t j = 0; j < g->n_chain; j++)
            fprintf(out, "  included from %s:%d\n", g->chain[j].file, g->chain[j].line);
    }
    if (d->n_dropped)
        fprintf(out, "congo-launch: %zu more messages not shown\n", d->n_dropped);
}

void diags_free(struct diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        struct diag *g = &d->v[i];
        free(g->file);
        free(g->key);
        free(g->msg);
        for (size_t j = 0; j < g->n_chain; j++)
            free(g->chain[j].file);
        free(g->chain);
    }
    free(d->v);
    for (size_t i = 0; i < d->n_ctx; i++)
        free(d->ctx[i].file);
    free(d->ctx);
    memset(d, 0, sizeof(*d));
}
