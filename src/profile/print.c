/*
 * --print: the effective profile, every key, with defaults spelled as
 * literals that load back to the same profile, in YAML or libconfig syntax.
 */
#include "print.h"

#include <string.h>

#include "util/util.h"
#include "value.h"

/* A value read from a file is interpolated: a literal `$` goes back as `$$`. */
static char *escape_dollars(const char *s)
{
    struct strbuf sb = {0};
    for (; *s; s++) {
        if (*s == '$')
            strbuf_putc(&sb, '$');
        strbuf_putc(&sb, *s);
    }
    return strbuf_steal(&sb);
}

static bool yaml_plain_ok(const char *s)
{
    static const char *const keywords[] = {"true", "false", "null", "yes", "no",
                                           "on",   "off",   "y",    "n",   "~"};
    if (!*s || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./", *s))
        return false;
    for (const char *c = s; *c; c++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./@%+=-",
                    *c))
            return false;
    for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
        if (strcasecmp(s, keywords[i]) == 0)
            return false;
    return true;
}

/*
 * The code point of the UTF-8 sequence at c and its length; a byte that
 * starts no valid sequence stands for itself.
 */
static size_t utf8_next(const unsigned char *c, uint32_t *cp)
{
    size_t n = c[0] >= 0xf0 ? 4 : c[0] >= 0xe0 ? 3 : c[0] >= 0xc0 ? 2 : 1;
    uint32_t v = n == 1 ? c[0] : c[0] & (0x7fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((c[i] & 0xc0) != 0x80) {
            *cp = c[0];
            return 1;
        }
        v = (v << 6) | (c[i] & 0x3f);
    }
    *cp = v;
    return n;
}

static void put_quoted(struct strbuf *sb, const char *s, bool yaml)
{
    strbuf_putc(sb, '"');
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (yaml && *c >= 0x80) {
            uint32_t cp;
            size_t n = utf8_next(c, &cp);
            /*
             * YAML reads NEL, LS and PS in a quoted scalar as line breaks
             * (folded to a space), and refuses the C1 controls, U+FFFE and
             * U+FFFF outright: written raw they would not load back.
             */
            if (cp == 0x85)
                strbuf_puts(sb, "\\N");
            else if (cp == 0x2028)
                strbuf_puts(sb, "\\L");
            else if (cp == 0x2029)
                strbuf_puts(sb, "\\P");
            else if (cp >= 0x80 && cp < 0xa0)
                strbuf_printf(sb, "\\x%02x", (unsigned)cp);
            else if (cp == 0xfffe || cp == 0xffff)
                strbuf_printf(sb, "\\u%04x", (unsigned)cp);
            else
                strbuf_add(sb, (const char *)c, n);
            c += n - 1;
            continue;
        }
        switch (*c) {
        case '"':
            strbuf_puts(sb, "\\\"");
            break;
        case '\\':
            strbuf_puts(sb, "\\\\");
            break;
        case '\n':
            strbuf_puts(sb, "\\n");
            break;
        case '\t':
            strbuf_puts(sb, "\\t");
            break;
        case '\r':
            strbuf_puts(sb, "\\r");
            break;
        default:
            if (*c < 0x20 || *c == 0x7f)
                strbuf_printf(sb, "\\x%02x", *c);
            else
                strbuf_putc(sb, (char)*c);
        }
    }
    strbuf_putc(sb, '"');
}

void put_string(struct printer *pr, const char *s)
{
    _cleanup_free_ char *e = escape_dollars(s);
    if (pr->fmt == PRINT_YAML && yaml_plain_ok(e))
        strbuf_puts(&pr->sb, e);
    else
        put_quoted(&pr->sb, e, pr->fmt == PRINT_YAML);
}

void put_origin(struct printer *pr, const struct origin *o)
{
    if (!pr->show_origin)
        return;
    if (!o || !o->file)
        strbuf_puts(&pr->sb, "  # default");
    else if (strcmp(o->file, "<command line>") == 0)
        strbuf_puts(&pr->sb, "  # command line");
    else if (o->line > 0)
        strbuf_printf(&pr->sb, "  # %s:%d", o->file, o->line);
    else
        strbuf_printf(&pr->sb, "  # %s", o->file);
}

void put_indent(struct printer *pr, int level)
{
    for (int i = 0; i < level; i++)
        strbuf_puts(&pr->sb, "  ");
}

void key_open(struct printer *pr, int level, const char *key)
{
    put_indent(pr, level);
    strbuf_printf(&pr->sb, pr->fmt == PRINT_YAML ? "%s: " : "%s = ", key);
}

void key_close(struct printer *pr, const struct origin *o)
{
    if (pr->fmt == PRINT_CONF)
        strbuf_putc(&pr->sb, ';');
    put_origin(pr, o);
    strbuf_putc(&pr->sb, '\n');
}

void put_key_string(struct printer *pr, int level, const char *key, const char *value,
                    const struct origin *o)
{
    key_open(pr, level, key);
    put_string(pr, value);
    key_close(pr, o);
}

void put_key_literal(struct printer *pr, int level, const char *key, const char *value,
                     const struct origin *o)
{
    key_open(pr, level, key);
    strbuf_puts(&pr->sb, value);
    key_close(pr, o);
}

void put_key_unset(struct printer *pr, int level, const char *key, const char *why)
{
    put_indent(pr, level);
    strbuf_printf(&pr->sb, "# %s: %s\n", key, why);
}

void put_map_open(struct printer *pr, int level, const char *key)
{
    put_indent(pr, level);
    strbuf_printf(&pr->sb, pr->fmt == PRINT_YAML ? "%s:\n" : "%s = {\n", key);
}

void put_map_close(struct printer *pr, int level)
{
    if (pr->fmt == PRINT_YAML)
        return;
    put_indent(pr, level);
    strbuf_puts(&pr->sb, "};\n");
}

/*
 * Every key in the table's order. Dotted keys print inside their group's
 * map (`limits:`), opened at the group's first key and closed after its last.
 */
char *profile_print(const struct profile *p, enum print_format fmt, bool show_origin)
{
    struct printer pr = {.fmt = fmt, .show_origin = show_origin};
    const char *group = NULL;
    size_t group_len = 0;
    for (size_t id = 0; id < KEY__MAX; id++) {
        const struct key_def *k = &profile_keys[id];
        if (!key_ops(k))
            continue; /* include, reset: the stack is flattened */
        const char *dot = strchr(k->name, '.');
        size_t len = dot ? (size_t)(dot - k->name) : 0;
        if (group && (len != group_len || strncmp(k->name, group, len) != 0)) {
            put_map_close(&pr, 0);
            group = NULL;
        }
        if (dot && !group) {
            _cleanup_free_ char *name = xstrndup(k->name, len);
            put_map_open(&pr, 0, name);
            group = k->name;
            group_len = len;
        }
        key_ops(k)->print(&pr, p, k, group ? 1 : 0, dot ? dot + 1 : k->name);
    }
    if (group)
        put_map_close(&pr, 0);
    return strbuf_steal(&pr.sb);
}
