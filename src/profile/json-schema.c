/*
 * --print-schema: a JSON Schema of one profile file, made from the key
 * table, so that an editor with a YAML language server checks a profile
 * as it is typed (`# yaml-language-server: $schema=...`).
 *
 * Each key's type writes its own schema; the rows give the description,
 * the default and the ranges, and the groups of dotted keys (limits,
 * capabilities) become nested objects. Every object refuses keys it does
 * not know, so a misspelt key is flagged as congo would flag it. The schema
 * cannot see what only the stack knows (a file that an include makes
 * complete, checks across keys), so it requires nothing.
 */
#include "json-schema.h"

#include <ctype.h>
#include <string.h>

#include "util/units.h"
#include "value.h"

#define JSON_DEPTH_MAX 32

struct json {
    struct strbuf sb;
    int depth;
    bool empty[JSON_DEPTH_MAX]; /* nothing written yet at this depth */
    char closer[JSON_DEPTH_MAX];
};

static void json_quote(struct strbuf *sb, const char *s)
{
    strbuf_putc(sb, '"');
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            strbuf_printf(sb, "\\%c", *c);
        else if (*c == '\n')
            strbuf_puts(sb, "\\n");
        else if (*c < 0x20)
            strbuf_printf(sb, "\\u%04x", *c);
        else
            strbuf_putc(sb, (char)*c);
    }
    strbuf_putc(sb, '"');
}

/* A new member or item on a line of its own, indented; then `"key": `. */
static void json_member(struct json *j, const char *key)
{
    if (j->depth > 0) {
        if (!j->empty[j->depth])
            strbuf_putc(&j->sb, ',');
        j->empty[j->depth] = false;
        strbuf_printf(&j->sb, "\n%*s", 2 * j->depth, "");
    }
    if (key) {
        json_quote(&j->sb, key);
        strbuf_puts(&j->sb, ": ");
    }
}

void jsonw_open(struct json *j, const char *key, char bracket)
{
    json_member(j, key);
    strbuf_putc(&j->sb, bracket);
    j->depth++;
    j->empty[j->depth] = true;
    j->closer[j->depth] = bracket == '{' ? '}' : ']';
}

void jsonw_close(struct json *j)
{
    if (!j->empty[j->depth])
        strbuf_printf(&j->sb, "\n%*s", 2 * (j->depth - 1), "");
    strbuf_putc(&j->sb, j->closer[j->depth]);
    j->depth--;
}

void jsonw_string(struct json *j, const char *key, const char *value)
{
    json_member(j, key);
    json_quote(&j->sb, value);
}

void jsonw_raw(struct json *j, const char *key, const char *text)
{
    json_member(j, key);
    strbuf_puts(&j->sb, text);
}

void jsonw_int(struct json *j, const char *key, int64_t v)
{
    json_member(j, key);
    strbuf_printf(&j->sb, "%lld", (long long)v);
}

void schema_type(struct json *j, const char *type)
{
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", type);
    jsonw_close(j);
}

void schema_pattern(struct json *j, const char *pattern)
{
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", "string");
    jsonw_string(j, "pattern", pattern);
    jsonw_close(j);
}

void schema_text(struct json *j)
{
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", "string");
    jsonw_int(j, "minLength", 1);
    jsonw_close(j);
}

void schema_any_scalar(struct json *j)
{
    static const char *const scalars[] = {"string", "number", "boolean"};
    jsonw_open(j, "type", '[');
    for (size_t i = 0; i < ARRAY_SIZE(scalars); i++)
        jsonw_string(j, NULL, scalars[i]);
    jsonw_close(j);
}

void schema_words(struct json *j, const char *const *words, size_t n)
{
    jsonw_open(j, NULL, '{');
    jsonw_open(j, "enum", '[');
    for (size_t i = 0; i < n; i++)
        jsonw_string(j, NULL, words[i]);
    jsonw_close(j);
    jsonw_close(j);
}

void schema_range(struct json *j, const char *type, const char *min, const char *max)
{
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", type);
    if (min)
        jsonw_raw(j, "minimum", min);
    if (max)
        jsonw_raw(j, "maximum", max);
    jsonw_close(j);
}

void schema_variable(struct json *j)
{
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", "string");
    jsonw_string(j, "pattern", "\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}");
    jsonw_close(j);
}

void schema_bool_value(struct json *j)
{
    static const char *const words[] = {"true", "false"};
    schema_type(j, "boolean");
    schema_words(j, words, 2);
}

/* ---- the keys the stack reads ---- */

static void schema_include(struct json *j, const struct key_def *k)
{
    (void)k;
    jsonw_open(j, "anyOf", '[');
    schema_text(j);
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", "array");
    jsonw_open(j, "items", '{');
    jsonw_string(j, "type", "string");
    jsonw_int(j, "minLength", 1);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_close(j);
}

/* One entry of `reset`: a key, a group, or KEY.NAME of a map whose entries can go one by one. */
static void schema_reset_key(struct json *j)
{
    jsonw_open(j, "anyOf", '[');
    jsonw_open(j, NULL, '{');
    jsonw_open(j, "enum", '[');
    for (size_t i = 0; i < KEY__MAX; i++)
        if (key_ops(&profile_keys[i]))
            jsonw_string(j, NULL, profile_keys[i].name);
    for (size_t g = 0; g < KEY_GROUPS; g++)
        jsonw_string(j, NULL, profile_groups[g].name);
    jsonw_close(j);
    jsonw_close(j);
    for (size_t i = 0; i < KEY__MAX; i++) {
        const struct value_ops *ops = key_ops(&profile_keys[i]);
        if (!ops || !ops->entry_pattern)
            continue;
        _cleanup_free_ char *names = ops->entry_pattern();
        _cleanup_free_ char *pattern = xasprintf("^%s\\.%s$", profile_keys[i].name, names);
        schema_pattern(j, pattern);
    }
    jsonw_close(j);
}

static void schema_reset(struct json *j, const struct key_def *k)
{
    (void)k;
    jsonw_open(j, "anyOf", '[');
    jsonw_open(j, NULL, '{');
    schema_reset_key(j);
    jsonw_close(j);
    jsonw_open(j, NULL, '{');
    jsonw_string(j, "type", "array");
    jsonw_open(j, "items", '{');
    schema_reset_key(j);
    jsonw_close(j);
    jsonw_close(j);
    jsonw_close(j);
}

const struct value_type type_include = {.schema = schema_include};
const struct value_type type_reset = {.schema = schema_reset};

/* ---- the document ---- */

/* The row's default as --print writes it; nothing for a default with no literal. */
static void schema_default(struct json *j, const struct key_def *k)
{
    const struct value_type *t = key_type(k);
    if (k->unset)
        return;
    if (k->kind == KIND_BOOL) {
        jsonw_raw(j, "default", k->def.b ? "true" : "false");
    } else if (k->kind == KIND_INT) {
        if (t->unlimited && k->def.i == LIMIT_UNLIMITED) {
            jsonw_string(j, "default", "unlimited");
            return;
        }
        _cleanup_free_ char *text = t->format(k->def.i);
        if (t->style == STYLE_LITERAL)
            jsonw_raw(j, "default", text);
        else
            jsonw_string(j, "default", text);
    } else if (k->def.s && (k->kind == KIND_STRING || k->kind == KIND_COMPLEX)) {
        jsonw_string(j, "default", k->def.s);
    }
}

static void schema_key(struct json *j, const struct key_def *k, const char *name)
{
    /* The row's words are for the man page's lists; an editor shows a sentence. */
    _cleanup_free_ char *description =
        xasprintf("%c%s.\nValue: %s.\nDefault: %s. Merge: %s.", toupper((unsigned char)k->doc[0]),
                  k->doc + 1, k->type_doc, k->default_doc, k->merge_doc);
    jsonw_open(j, name, '{');
    jsonw_string(j, "description", description);
    schema_default(j, k);
    key_type(k)->schema(j, k);
    jsonw_close(j);
}

static const struct key_group *group_of(const struct key_def *k)
{
    const char *dot = strchr(k->name, '.');
    for (size_t g = 0; dot && g < KEY_GROUPS; g++)
        if (strlen(profile_groups[g].name) == (size_t)(dot - k->name) &&
            strncmp(profile_groups[g].name, k->name, (size_t)(dot - k->name)) == 0)
            return &profile_groups[g];
    return NULL;
}

/* A group's object, at its first key: every key of the group inside. */
static void schema_group(struct json *j, const struct key_group *group)
{
    jsonw_open(j, group->name, '{');
    jsonw_string(j, "description", group->doc);
    jsonw_string(j, "type", "object");
    jsonw_open(j, "properties", '{');
    for (size_t i = 0; i < KEY__MAX; i++)
        if (group_of(&profile_keys[i]) == group)
            schema_key(j, &profile_keys[i], strchr(profile_keys[i].name, '.') + 1);
    jsonw_close(j);
    jsonw_raw(j, "additionalProperties", "false");
    jsonw_close(j);
}

char *profile_json_schema(void)
{
    struct json j = {0};
    jsonw_open(&j, NULL, '{');
    jsonw_string(&j, "$schema", "http://json-schema.org/draft-07/schema#");
    jsonw_string(&j, "title", "congo profile");
    jsonw_string(&j, "description",
                "A container profile of congo-launch(1), profile language version 1: one file, "
                "which may be included by others, so no key is required. See congo-profile(5).");
    jsonw_string(&j, "type", "object");
    jsonw_open(&j, "properties", '{');
    const struct key_group *open = NULL;
    for (size_t i = 0; i < KEY__MAX; i++) {
        const struct key_def *k = &profile_keys[i];
        const struct key_group *group = group_of(k);
        if (!group)
            schema_key(&j, k, k->name);
        else if (group != open)
            schema_group(&j, group);
        open = group;
    }
    jsonw_close(&j);
    jsonw_raw(&j, "additionalProperties", "false");
    jsonw_close(&j);
    strbuf_putc(&j.sb, '\n');
    return strbuf_steal(&j.sb);
}
