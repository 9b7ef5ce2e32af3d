/*
 * The libconfig front-end: profile text in libconfig 1.5 syntax to a node
 * tree.
 *
 * libconfig parses, but only after a small lexer of our own has passed over
 * the text, because libconfig 1.5 gets things wrong in ways that cannot be
 * seen once it has parsed:
 *   - `@include` makes it open a file itself, bypassing our include
 *     resolution, cycle checks and messages;
 *   - an integer without `L` that does not fit 32 bits is silently wrapped
 *     (4294967296 reads as 0), one with `L` beyond 64 bits silently clamped;
 *   - a float beyond the range of a double reads as infinity;
 *   - a block comment or a string left open silently swallows the rest of
 *     the file;
 *   - a string where no value may stand (`"FOO" = 1`) leaks memory in its
 *     error path;
 *   - every new key is compared with all earlier keys of its group, and
 *     lists grow by realloc: a hostile megabyte could cost minutes.
 * The lexer's errors carry a line and a 1-based byte column, as load_file's
 * do; libconfig has no columns, so nodes and its errors carry col 0. When
 * the lexer reports anything, libconfig never sees the text.
 */
#include "load.h"

#include <errno.h>
#include <libconfig.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"

/*
 * libconfig compares each key with every earlier key of its group, so a
 * file costs the sum over its groups of n*(n-1)/2 comparisons. This allows
 * one group of 4096 keys (or many smaller ones), well under a second.
 */
#define CONF_MAX_KEY_PAIRS (4096u * 4095u / 2)

/* Long enough to recognise a literal in a message, short enough to read. */
#define LITERAL_SHOWN 40

#define TOO_MANY_VALUES "more than %d values in one profile; is this the right file?"

/* What the last token was, as far as the place of a string is concerned. */
enum last_token {
    LAST_OTHER,
    LAST_VALUE_START, /* `=`, `:`, `[`, `(`: a value may follow */
    LAST_COMMA,       /* a value may follow inside a list or an array */
    LAST_STRING,      /* adjacent strings are concatenated */
};

struct lexer {
    const char *p, *end;
    const char *line_start;
    int line;
    const struct source *src;
    struct diags *d;
    size_t n_errors;
    enum last_token last;
    /* Open brackets, outermost first; [0] is the file's top-level group. */
    char scope[LOAD_MAX_DEPTH + 1];
    size_t keys[LOAD_MAX_DEPTH + 1];
    int depth;
    bool reported_depth;
    uint64_t key_pairs;
    bool reported_keys;
    size_t n_values; /* the nodes the tree will have, the root included */
    bool reported_values;
    /*
     * The line of each value, in document order (index n_values). libconfig
     * dates the last element of a list by its lookahead, the line of `]`;
     * the tree is built in the same order, so these lines replace its.
     */
    int *value_lines;
    /* The first string where no value may stand, if any. */
    const char *stray;
    int stray_line, stray_col;
};

static int lex_col(const struct lexer *lx, const char *at)
{
    return (int)(at - lx->line_start) + 1;
}

__attribute__((format(printf, 4, 5))) static void lex_error(struct lexer *lx, int line, int col,
                                                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diags_vadd(lx->d, DIAG_ERROR, lx->src->name, line, col, NULL, fmt, ap);
    va_end(ap);
    lx->n_errors++;
}

/* Moves to `to`, keeping the line count across any newlines passed. */
static void lex_skip_to(struct lexer *lx, const char *to)
{
    const char *nl;
    while ((nl = memchr(lx->p, '\n', (size_t)(to - lx->p)))) {
        lx->line++;
        lx->line_start = nl + 1;
        lx->p = nl + 1;
    }
    lx->p = to;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_xdigit(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*';
}

static bool is_name_char(char c)
{
    return is_name_start(c) || is_digit(c) || c == '-' || c == '_';
}

/*
 * Counted as libconfig would build them, before it does: libconfig grows
 * every list by realloc, which copies when memory is fragmented (always
 * under ASan), so the cap must hold before it starts.
 */
static void lex_value(struct lexer *lx, const char *at)
{
    if (++lx->n_values > LOAD_MAX_NODES) {
        if (!lx->reported_values)
            lex_error(lx, lx->line, lex_col(lx, at), TOO_MANY_VALUES, LOAD_MAX_NODES);
        lx->reported_values = true;
        return;
    }
    /* Doubling at powers of two: the array never costs quadratic copies. */
    size_t n = lx->n_values;
    if ((n & (n - 1)) == 0)
        lx->value_lines = xrealloc(lx->value_lines, 2 * n * sizeof(*lx->value_lines));
    lx->value_lines[n] = lx->line;
}

/* A string, with libconfig's rule that a backslash escapes the next byte. */
static void lex_string(struct lexer *lx)
{
    const char *start = lx->p;
    int line = lx->line, col = lex_col(lx, start);
    bool in_list = lx->depth <= LOAD_MAX_DEPTH && lx->scope[lx->depth] != '{';
    /* A string right after another continues that value (libconfig joins them). */
    if (lx->last == LAST_VALUE_START || (lx->last == LAST_COMMA && in_list)) {
        lex_value(lx, start);
    } else if (lx->last != LAST_STRING && !lx->stray) {
        lx->stray = start;
        lx->stray_line = line;
        lx->stray_col = col;
    }
    lx->last = LAST_STRING;

    const char *q = start + 1;
    while (q < lx->end && *q != '"') {
        /* libconfig drops a `\x00` without a word: "a\x00b" would read as "ab". */
        if (q[0] == '\\' && lx->end - q >= 4 && q[1] == 'x' && q[2] == '0' && q[3] == '0')
            lex_error(lx, line, col, "`\\x00` in a string: a profile value cannot hold a NUL");
        q += (*q == '\\' && q + 1 < lx->end) ? 2 : 1;
    }
    if (q >= lx->end) {
        lex_error(lx, line, col, "string is never closed");
        lex_skip_to(lx, lx->end);
        return;
    }
    lex_skip_to(lx, q + 1);
}

static void lex_block_comment(struct lexer *lx)
{
    int line = lx->line, col = lex_col(lx, lx->p);
    for (const char *q = lx->p + 2; q + 1 < lx->end; q++) {
        if (q[0] == '*' && q[1] == '/') {
            lex_skip_to(lx, q + 2);
            return;
        }
    }
    lex_error(lx, line, col,
              "`/*` comment is never closed; libconfig would ignore the rest of the file");
    lex_skip_to(lx, lx->end);
}

static void lex_line_comment(struct lexer *lx)
{
    const char *nl = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
    lx->p = nl ? nl : lx->end;
}

static void lex_open(struct lexer *lx, char bracket)
{
    lex_value(lx, lx->p);
    lx->depth++;
    if (lx->depth <= LOAD_MAX_DEPTH) {
        lx->scope[lx->depth] = bracket;
        lx->keys[lx->depth] = 0;
    } else if (!lx->reported_depth) {
        lex_error(lx, lx->line, lex_col(lx, lx->p), "nesting deeper than %d levels",
                  LOAD_MAX_DEPTH);
        lx->reported_depth = true;
    }
    lx->last = bracket == '{' ? LAST_OTHER : LAST_VALUE_START;
    lx->p++;
}

static void lex_close(struct lexer *lx)
{
    /* Unbalanced brackets are libconfig's syntax error to report. */
    if (lx->depth > 0)
        lx->depth--;
    lx->last = LAST_OTHER;
    lx->p++;
}

static void lex_name(struct lexer *lx)
{
    const char *start = lx->p;
    const char *q = start + 1;
    while (q < lx->end && is_name_char(*q))
        q++;
    lx->p = q;
    lx->last = LAST_OTHER;
    size_t n = (size_t)(q - start);
    /* libconfig reads these as booleans before it tries a name. */
    if ((n == 4 && strncasecmp(start, "true", 4) == 0) ||
        (n == 5 && strncasecmp(start, "false", 5) == 0)) {
        lex_value(lx, start);
        return;
    }
    if (lx->depth > LOAD_MAX_DEPTH || lx->scope[lx->depth] != '{')
        return;
    lx->key_pairs += lx->keys[lx->depth]++;
    if (lx->key_pairs > CONF_MAX_KEY_PAIRS && !lx->reported_keys) {
        lex_error(lx, lx->line, lex_col(lx, start),
                  "too many keys in groups: libconfig checks each key against every earlier "
                  "one, so a profile may hold about 4096 keys in one group, fewer in many");
        lx->reported_keys = true;
    }
}

/* `[eE][-+]?[0-9]+` at q: returns its end, or NULL. */
static const char *match_exponent(const char *q, const char *end)
{
    if (q >= end || (*q != 'e' && *q != 'E'))
        return NULL;
    q++;
    if (q < end && (*q == '-' || *q == '+'))
        q++;
    if (q >= end || !is_digit(*q))
        return NULL;
    while (q < end && is_digit(*q))
        q++;
    return q;
}

enum literal {
    LITERAL_INT32,
    LITERAL_INT64,
    LITERAL_FLOAT,
};

static void report_literal(struct lexer *lx, const char *start, size_t n, enum literal kind)
{
    int col = lex_col(lx, start);
    int shown = n > LITERAL_SHOWN ? LITERAL_SHOWN : (int)n;
    const char *more = n > LITERAL_SHOWN ? "..." : "";
    switch (kind) {
    case LITERAL_INT32:
        lex_error(lx, lx->line, col,
                  "integer `%.*s%s` does not fit 32 bits; write it with an L suffix, or a size "
                  "as a string such as \"4g\"",
                  shown, start, more);
        break;
    case LITERAL_INT64:
        lex_error(lx, lx->line, col, "integer `%.*s%s` does not fit 64 bits", shown, start, more);
        break;
    case LITERAL_FLOAT:
        lex_error(lx, lx->line, col, "number `%.*s%s` is out of range", shown, start, more);
        break;
    }
}

static void check_float(struct lexer *lx, const char *start, const char *end)
{
    _cleanup_free_ char *text = xstrndup(start, (size_t)(end - start));
    errno = 0;
    double v = strtod(text, NULL);
    /* Underflow to a tiny or zero value is harmless; overflow reads as inf. */
    if (errno == ERANGE && isinf(v))
        report_literal(lx, start, (size_t)(end - start), LITERAL_FLOAT);
}

/*
 * A number, matched the way libconfig's flex scanner does (longest match):
 *   integer   [-+]?[0-9]+        integer64  [-+]?[0-9]+L(L)?
 *   hex       0[Xx][0-9A-Fa-f]+  hex64      0[Xx][0-9A-Fa-f]+L(L)?
 *   float     [-+]?[0-9]*\.[0-9]*([eE][-+]?[0-9]+)?
 *             | [-+]?[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+
 * Anything else starting with a sign or dot is one byte of garbage.
 */
static void lex_number(struct lexer *lx)
{
    lx->last = LAST_OTHER;
    const char *start = lx->p, *end = lx->end;
    const char *q = start;
    bool neg = false;
    if (*q == '-' || *q == '+')
        neg = *q++ == '-';
    const char *digits = q;
    while (q < end && is_digit(*q))
        q++;
    size_t n_digits = (size_t)(q - digits);

    bool hex = digits == start && n_digits == 1 && *digits == '0' && q + 1 < end &&
               (*q == 'x' || *q == 'X') && is_xdigit(q[1]);
    if (!hex) {
        const char *f = NULL;
        if (q < end && *q == '.') {
            f = q + 1;
            while (f < end && is_digit(*f))
                f++;
            const char *e = match_exponent(f, end);
            f = e ? e : f;
        } else if (n_digits) {
            f = match_exponent(q, end);
        }
        if (f) {
            lex_value(lx, start);
            check_float(lx, start, f);
            lx->p = f;
            return;
        }
        if (!n_digits) {
            lx->p++;
            return;
        }
    }

    lex_value(lx, start);
    /* The magnitude, saturated: one bit past int64 is all the check needs. */
    uint64_t mag = 0;
    bool huge = false;
    if (hex) {
        for (q = digits + 2; q < end && is_xdigit(*q); q++) {
            unsigned v = is_digit(*q) ? (unsigned)(*q - '0') : (unsigned)((*q | 0x20) - 'a' + 10);
            if (mag > (UINT64_MAX >> 4))
                huge = true;
            else
                mag = (mag << 4) | v;
        }
    } else {
        for (q = digits; q < end && is_digit(*q); q++) {
            unsigned v = (unsigned)(*q - '0');
            if (mag > (UINT64_MAX - v) / 10)
                huge = true;
            else
                mag = mag * 10 + v;
        }
    }
    bool wide = false;
    if (q < end && *q == 'L') {
        wide = true;
        q++;
        if (q < end && *q == 'L')
            q++;
    }
    /* Hex literals take no sign: libconfig reads `-0x10` as `-0` and a name. */
    uint64_t limit = wide ? (uint64_t)INT64_MAX + neg : (uint64_t)INT32_MAX + neg;
    if (huge || mag > limit)
        report_literal(lx, start, (size_t)(q - start), wide ? LITERAL_INT64 : LITERAL_INT32);
    lx->p = q;
}

/* Every error found is already in lx->d, counted in lx->n_errors. */
static void lex_run(struct lexer *lx)
{
    while (lx->p < lx->end) {
        char c = *lx->p;
        char next = lx->p + 1 < lx->end ? lx->p[1] : '\0';
        if (c == '\n') {
            lex_skip_to(lx, lx->p + 1);
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
            lx->p++;
        } else if (c == '"') {
            lex_string(lx);
        } else if (c == '#' || (c == '/' && next == '/')) {
            lex_line_comment(lx);
        } else if (c == '/' && next == '*') {
            lex_block_comment(lx);
        } else if (c == '@' && lx->end - lx->p >= 8 && strncmp(lx->p, "@include", 8) == 0 &&
                   (lx->p + 8 == lx->end || !is_name_char(lx->p[8]))) {
            lex_error(lx, lx->line, lex_col(lx, lx->p),
                      "`@include` is not supported; use the `include` key");
            lx->last = LAST_OTHER;
            lx->p += 8;
        } else if (c == '{' || c == '(' || c == '[') {
            lex_open(lx, c);
        } else if (c == '}' || c == ')' || c == ']') {
            lex_close(lx);
        } else if (is_name_start(c)) {
            lex_name(lx);
        } else if (is_digit(c) || c == '-' || c == '+' || c == '.') {
            lex_number(lx);
        } else {
            lx->last = c == '=' || c == ':' ? LAST_VALUE_START : c == ',' ? LAST_COMMA : LAST_OTHER;
            lx->p++;
        }
    }
}

/* The shortest text that reads back as the same double. */
static char *format_double(double v)
{
    char buf[64];
    /* Whole numbers as written by people: 100.0, not 1e+02. */
    if (isfinite(v) && v == trunc(v) && fabs(v) < 1e15)
        return xasprintf("%.1f", v);
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    /* Keep a float a float: "2.0", not "2", which an integer key would take. */
    if (isfinite(v) && !strpbrk(buf, ".e"))
        return xasprintf("%s.0", buf);
    return xstrdup(buf);
}

struct converter {
    const struct source *src;
    struct diags *d;
    size_t n_nodes;
    const int *value_lines; /* from the lexer, or NULL to keep libconfig's */
};

static struct node *convert(struct converter *cv, const config_setting_t *s, int fallback_line,
                            int depth);

/* The children of a group, list or array, appended to n. Returns false on error. */
static bool convert_items(struct converter *cv, struct node *n, const config_setting_t *s,
                          int depth)
{
    int len = config_setting_length(s);
    for (int i = 0; i < len; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        struct node *child = convert(cv, e, n->line, depth + 1);
        if (!child)
            return false;
        if (n->kind == NODE_MAP)
            node_map_append(n, config_setting_name(e), child->line, 0, child);
        else
            node_seq_append(n, child);
    }
    return true;
}

static struct node *convert(struct converter *cv, const config_setting_t *s, int fallback_line,
                            int depth)
{
    /* Elements of lists may carry no line of their own: use the list's. */
    int line = config_setting_source_line(s);
    if (line <= 0)
        line = fallback_line;
    if (++cv->n_nodes > 1 && cv->value_lines && cv->n_nodes <= LOAD_MAX_NODES)
        line = cv->value_lines[cv->n_nodes];
    if (cv->n_nodes > LOAD_MAX_NODES) {
        diags_add(cv->d, DIAG_ERROR, cv->src->name, line, 0, NULL, TOO_MANY_VALUES, LOAD_MAX_NODES);
        return NULL;
    }

    _cleanup_free_ char *text = NULL;
    unsigned flags = 0;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_GROUP:
    case CONFIG_TYPE_ARRAY:
    case CONFIG_TYPE_LIST: {
        /* The lexer already refused deeper nesting; this only bounds the recursion. */
        if (depth > LOAD_MAX_DEPTH) {
            diags_add(cv->d, DIAG_ERROR, cv->src->name, line, 0, NULL,
                      "nesting deeper than %d levels", LOAD_MAX_DEPTH);
            return NULL;
        }
        enum node_kind kind = config_setting_is_group(s) ? NODE_MAP : NODE_SEQ;
        _cleanup_node_ struct node *n = node_new(kind, cv->src, line, 0);
        if (!convert_items(cv, n, s, depth))
            return NULL;
        return steal_pointer(&n);
    }
    case CONFIG_TYPE_INT:
        /* Hex literals arrive as their value, so they come out decimal. */
        text = xasprintf("%d", config_setting_get_int(s));
        break;
    case CONFIG_TYPE_INT64:
        text = xasprintf("%lld", config_setting_get_int64(s));
        break;
    case CONFIG_TYPE_FLOAT:
        text = format_double(config_setting_get_float(s));
        break;
    case CONFIG_TYPE_BOOL:
        text = xstrdup(config_setting_get_bool(s) ? "true" : "false");
        break;
    case CONFIG_TYPE_STRING: {
        const char *str = config_setting_get_string(s);
        /*
         * `\xNN` escapes make bytes that load_file's UTF-8 check never saw;
         * a value that is not UTF-8 could not be printed back (YAML has no
         * way to write a lone byte) nor shown in a message.
         */
        if (utf8_check(str, strlen(str)) < strlen(str)) {
            diags_add(cv->d, DIAG_ERROR, cv->src->name, line, 0, NULL,
                      "string is not valid UTF-8 after its `\\x` escapes; write the "
                      "characters themselves");
            return NULL;
        }
        text = xstrdup(str);
        flags = NODE_QUOTED;
        break;
    }
    default:
        diags_add(cv->d, DIAG_ERROR, cv->src->name, line, 0, NULL,
                  "value of unknown libconfig type %d", config_setting_type(s));
        return NULL;
    }
    return node_new_scalar(cv->src, line, 0, text, strlen(text), flags);
}

/* libconfig's own messages, with a hint where ours reads better. */
static void report_libconfig_error(const config_t *c, const struct source *src, struct diags *d)
{
    const char *text = config_error_text(c) ? config_error_text(c) : "unknown error";
    int line = config_error_line(c);
    if (strcmp(text, "duplicate setting name") == 0)
        diags_add(d, DIAG_ERROR, src->name, line, 0, NULL,
                  "duplicate key; a group may set each key only once");
    else if (strcmp(text, "mismatched element type in array") == 0)
        diags_add(d, DIAG_ERROR, src->name, line, 0, NULL,
                  "syntax error: %s; an array `[...]` holds values of one type, a list `(...)` "
                  "may mix them",
                  text);
    else if (strcmp(text, "syntax error") == 0)
        diags_add(d, DIAG_ERROR, src->name, line, 0, NULL, "syntax error");
    else
        diags_add(d, DIAG_ERROR, src->name, line, 0, NULL, "syntax error: %s", text);
}

/*
 * Numbers must read and print with '.' whatever locale the launcher runs
 * in: scoped to this thread, for the length of one load.
 */
struct c_numeric {
    locale_t c, old;
};

static struct c_numeric c_numeric_enter(void)
{
    struct c_numeric s = {.c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0)};
    if (s.c)
        s.old = uselocale(s.c);
    return s;
}

static void c_numeric_leave(struct c_numeric *s)
{
    if (!s->c)
        return;
    uselocale(s->old);
    freelocale(s->c);
}

static size_t count_nodes(const config_setting_t *s)
{
    size_t n = 1;
    if (config_setting_is_aggregate(s))
        for (int i = 0; i < config_setting_length(s); i++)
            n += count_nodes(config_setting_get_elem(s, (unsigned)i));
    return n;
}

struct node *load_conf(const char *buf, size_t len, const struct source *src, struct diags *d)
{
    _cleanup_(c_numeric_leave) struct c_numeric numeric = c_numeric_enter();
    (void)numeric; /* held for its cleanup alone */

    /* Before libconfig: it must never open an `@include` or wrap a number. */
    struct lexer lx = {
        .p = buf,
        .end = buf + len,
        .line_start = buf,
        .line = 1,
        .src = src,
        .d = d,
        .scope = {'{'},
        .n_values = 1,
    };
    lex_run(&lx);
    _cleanup_free_ int *value_lines = lx.value_lines;
    if (lx.n_errors > 0)
        return NULL;

    /*
     * libconfig leaks a string it meets where no value may stand, so it
     * reads only the text before the first one: any earlier error is still
     * its to report, and one on that line is taken to be the string.
     */
    _cleanup_free_ char *before = lx.stray ? xstrndup(buf, (size_t)(lx.stray - buf)) : NULL;
    _cleanup_(config_destroy) config_t config;
    config_init(&config);
    bool read = config_read_string(&config, before ? before : buf) == CONFIG_TRUE;
    if (lx.stray && (read || (config_error_line(&config) == lx.stray_line &&
                              str_eq(config_error_text(&config), "syntax error")))) {
        diags_add(d, DIAG_ERROR, src->name, lx.stray_line, lx.stray_col, NULL,
                  "syntax error: unexpected string; a setting name is written without quotes");
        return NULL;
    }
    if (!read) {
        report_libconfig_error(&config, src, d);
        return NULL;
    }
    /* The lexer's lines are only trusted when it counted exactly the values libconfig read. */
    size_t values = count_nodes(config_root_setting(&config));
    struct converter cv = {
        .src = src,
        .d = d,
        .value_lines = values == lx.n_values ? value_lines : NULL,
    };
    return convert(&cv, config_root_setting(&config), 1, 0);
}
